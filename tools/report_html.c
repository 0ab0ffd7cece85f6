// SPDX-License-Identifier: GPL-2.0
/*
 * report_html.c - DIR/report.html from the records: the same content as
 * report.txt, for reading in a browser, with each conversion's diff and
 * its check result on every architecture it was built for.  One
 * self-contained page: no scripts, no external style sheets.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "inputs.h"
#include "analyzer/analyzer.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void counts_table(FILE *f, const char *title, const char *col, json_t *counts)
{
	const char *k;
	json_t *v;

	fprintf(f, "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>count</th></tr>\n", title, col);
	json_object_foreach(counts, k, v) {
		fputs("<tr><td>", f);
		esc(f, k);
		fprintf(f, "</td><td class=n>%lld</td></tr>\n", (long long)json_integer_value(v));
	}
	fputs("</table>\n", f);
}

/* The architectures some record was checked on, in first-seen order. */
static void check_arches(json_t *records, struct strlist *arches)
{
	json_t *r, *v;
	const char *k;
	size_t i;

	json_array_foreach(records, i, r)
		json_object_foreach(json_object_get(r, "check"), k, v)
			if (json_is_object(v) && jstr(v, "status") && !strlist_has(arches, k))
				strlist_add(arches, k);
}

static void status_cell(FILE *f, const char *status, const char *title)
{
	char cls[16];
	size_t i;

	snprintf(cls, sizeof(cls), "%s", status ? status : "none");
	for (i = 0; cls[i]; i++)
		if (cls[i] == '/')
			cls[i] = '-';
	fprintf(f, "<td class=\"s-%s\"", cls);
	if (title) {
		fputs(" title=\"", f);
		esc(f, title);
		fputc('"', f);
	}
	fputc('>', f);
	esc(f, status ? status : "");
	fputs("</td>", f);
}

/*
 * The conversion's equivalence (docs/equivalence.md): the verdict, then the
 * old handler's effects in order beside where the conversion put each one.
 */
static void equivalence_cell(FILE *f, json_t *r)
{
	json_t *eq = json_object_get(json_object_get(r, "conversion"), "equivalence"), *x;
	char *v;
	size_t i;

	if (!eq)
		return;
	v = verdict_words(r);
	fputs("<details><summary>equivalence: ", f);
	esc(f, v);
	free(v);
	fputs("</summary><table><tr><th>old ->mmap, in order</th><th>new</th></tr>\n", f);
	json_array_foreach(json_object_get(eq, "effects"), i, x) {
		char *w = xasprintf("%s%s line %d: %s", js(x, "what"),
				    !strcmp(js(x, "effect"), "write") ? "" : "()",
				    jint(x, "line"), js(x, "effect"));

		fputs("<tr><td><code>", f);
		esc(f, w);
		fputs("</code></td><td>", f);
		esc(f, js(x, "placement"));
		fputs("</td></tr>\n", f);
		free(w);
	}
	fputs("</table><ul>", f);
	json_array_foreach(json_object_get(eq, "differences"), i, x) {
		char *t = difference_words(r, x);

		fputs("<li>", f);
		esc(f, t);
		fputs("</li>", f);
		free(t);
	}
	json_array_foreach(json_object_get(json_object_get(r, "conversion"), "behaviour_changes"),
			   i, x) {
		fputs("<li>", f);
		esc(f, json_string_value(x));
		fputs("</li>", f);
	}
	fputs("</ul></details>", f);
}

static void conversions(FILE *f, const struct options *o, json_t *records)
{
	struct strlist arches = { 0 };
	json_t *r;
	size_t i;
	int a;

	check_arches(records, &arches);
	fputs("<h2>Conversions</h2>\n<table>\n<tr><th>handler</th><th>category</th><th>conversion</th>",
	      f);
	for (a = 0; a < arches.n; a++) {
		fputs("<th>", f);
		esc(f, arches.v[a]);
		fputs("</th>", f);
	}
	fputs("<th>reason, diff</th></tr>\n", f);
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");
		json_t *chk = json_object_get(r, "check");

		if (!json_is_object(c))
			continue;
		fputs("<tr><td><code>", f);
		esc(f, jstr(r, "file"));
		fprintf(f, ":%d</code><br><b>", jint(r, "line"));
		esc(f, jstr(r, "function"));
		fputs("()</b></td><td>", f);
		esc(f, jstr(r, "category"));
		fputs("</td>", f);
		status_cell(f, jstr(c, "status"), jstr(c, "new_function"));
		for (a = 0; a < arches.n; a++) {
			json_t *x = json_object_get(chk, arches.v[a]);

			status_cell(f, json_is_object(x) ? jstr(x, "status") : NULL,
				    json_is_object(x) ? jstr(x, "reason") : NULL);
		}
		fputs("<td>", f);
		if (jstr(c, "reason"))
			esc(f, jstr(c, "reason"));
		equivalence_cell(f, r);
		if (jstr(c, "diff")) {
			char *p = xasprintf("%s/%s", o->out, jstr(c, "diff"));
			size_t len;
			char *d = read_file(p, &len);

			if (d) {
				fputs("<details><summary>diff</summary><pre>", f);
				esc(f, d);
				fputs("</pre></details>", f);
			}
			free(d);
			free(p);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	strlist_free(&arches);
}

static void left(FILE *f, json_t *records)
{
	json_t *r;
	size_t i;

	fputs("<h2>Handlers left, with the facts that decided</h2>\n<table>\n"
	      "<tr><th>category</th><th>handler</th><th>ops</th><th>facts</th></tr>\n", f);
	json_array_foreach(records, i, r) {
		const char *cat = jstr(r, "category");
		json_t *facts = json_object_get(r, "facts"), *x;
		size_t j;

		if (!cat || json_is_object(json_object_get(r, "conversion")) ||
		    !strcmp(cat, "already-prepare") || !strcmp(cat, "no-handler"))
			continue;
		fputs("<tr><td>", f);
		esc(f, cat);
		fputs("</td><td><code>", f);
		esc(f, jstr(r, "file"));
		fprintf(f, ":%d</code><br>", jint(r, "line"));
		esc(f, jstr(r, "function") ? jstr(r, "function") : "NULL");
		fputs("</td><td>", f);
		esc(f, jstr(r, "ops_type"));
		fputc('.', f);
		esc(f, jstr(r, "hook"));
		fputs("</td><td><ul>", f);
		json_array_foreach(facts, j, x) {
			fputs("<li>", f);
			esc(f, json_string_value(x));
		}
		fputs("</ul></td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* replay.json's table (tools/replay.c), when the run is a replay's */
static void replay_table(FILE *f, const struct options *o)
{
	char *path = out_path(o, "replay.json"), *w;
	json_t *rp = path_exists(path) ? load_replay_file(path) : NULL, *t, *row, *d, *v;
	const char *k;
	size_t i, m;

	free(path);
	if (!rp)
		return;
	t = json_object_get(rp, "totals");
	fputs("<h2>Replay: upstream's hand ports</h2>\n<p>From ", f);
	esc(f, js(rp, "old"));
	fputs(" to ", f);
	esc(f, js(rp, "new"));
	fprintf(f, ": %lld files;", (long long)jint(t, "nfiles"));
	json_object_foreach(json_object_get(t, "files"), k, v) {
		fputs(" ", f);
		esc(f, k);
		fprintf(f, " %lld", (long long)json_integer_value(v));
	}
	fprintf(f, ". Changes of mmapport's that its verdict does not state: %lld.</p>\n",
		(long long)jint(t, "unstated"));
	fputs("<table>\n<tr><th>verdict</th><th>hand port</th><th>why, or what differs</th></tr>\n", f);
	json_array_foreach(json_object_get(rp, "ports"), i, row) {
		fprintf(f, "<tr><td class=s-%s>", !strcmp(js(row, "verdict"), "same") ? "pass" :
			!strcmp(js(row, "verdict"), "differs") ? "fail" : "refused");
		esc(f, js(row, "verdict"));
		fputs("</td><td>", f);
		w = replay_row_words(row);
		esc(f, w);
		free(w);
		fputs("</td><td>", f);
		if (strcmp(js(row, "verdict"), "same") && strcmp(js(row, "verdict"), "differs")) {
			w = replay_reason_words(row);
			esc(f, w);
			free(w);
		}
		json_array_foreach(json_object_get(row, "differences"), m, d) {
			w = replay_difference_words(d);
			fputs(m ? "<br>" : "", f);
			esc(f, w);
			free(w);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	json_decref(rp);
}

int report_html(const struct options *o, json_t *records, json_t *timings)
{
	char *path = out_path(o, "report.html");
	char *tmp = xasprintf("%s.tmp", path);
	json_t *by_ops = json_object(), *by_cat = json_object(), *v;
	FILE *f = fopen(tmp, "w");
	const char *k;

	if (!f)
		die("%s: cannot write", tmp);
	report_counts(records, by_ops, by_cat);
	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	      "<title>mmapport report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;max-width:90em}\n"
	      "table{border-collapse:collapse;margin-bottom:2em}\n"
	      "td,th{border:1px solid #bbb;padding:.3em .6em;vertical-align:top;text-align:left}\n"
	      "th{background:#eee}td.n{text-align:right}\n"
	      "pre{font-size:90%;max-width:80em;overflow:auto}\n"
	      ".s-pass,.s-converted{background:#d4f4d4}.s-fail,.s-dropped{background:#f8d0d0}\n"
	      ".s-refused{background:#f8ecc8}.s-n-a,.s-skipped{background:#eee;color:#666}\n"
	      "</style></head><body>\n<h1>mmapport report</h1>\n", f);
	fprintf(f, "<p>%zu registrations of mmap hooks.</p>\n", json_array_size(records));
	replay_table(f, o);
	counts_table(f, "By category", "category", by_cat);
	counts_table(f, "By ops type and hook", "ops type.hook", by_ops);
	conversions(f, o, records);
	left(f, records);
	if (json_object_size(timings)) {
		fputs("<h2>Stage times</h2>\n<table>\n<tr><th>stage</th><th>seconds</th></tr>\n", f);
		json_object_foreach(timings, k, v) {
			fputs("<tr><td>", f);
			esc(f, k);
			fprintf(f, "</td><td class=n>%.1f</td></tr>\n", json_number_value(v));
		}
		fputs("</table>\n", f);
	}
	fputs("</body></html>\n", f);
	if (fclose(f) || rename(tmp, path))
		die("%s: cannot write", path);
	info("report: %s", path);
	json_decref(by_ops);
	json_decref(by_cat);
	free(tmp);
	free(path);
	return 0;
}
