// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - DIR/report.txt from the records: counts, then every handler
 * that was converted, dropped or refused, with its reason.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "inputs.h"
#include "analyzer/analyzer.h"

static void count(json_t *counts, const char *key)
{
	json_t *c = json_object_get(counts, key);

	json_object_set_new(counts, key, json_integer(c ? json_integer_value(c) + 1 : 1));
}

static void print_counts(FILE *f, const char *title, json_t *counts)
{
	const char *k;
	json_t *v;

	fprintf(f, "%s\n", title);
	json_object_foreach(counts, k, v)
		fprintf(f, "  %-50s %5lld\n", k, (long long)json_integer_value(v));
	fprintf(f, "\n");
}

/* One letter per cell of the check matrix. */
static char cell_letter(const char *status)
{
	if (!status)
		return ' ';
	if (!strcmp(status, "pass"))
		return 'P';
	if (!strcmp(status, "fail"))
		return 'F';
	if (!strcmp(status, "skipped"))
		return 's';
	return '.';
}

/* The handler x architecture matrix of the check, then per-arch counts and times. */
static void print_matrix(FILE *f, json_t *records, json_t *times)
{
	json_t *arches = json_array(), *r, *v, *w, *chk, *counts = json_object();
	const char *k;
	size_t i, j;

	json_array_foreach(records, i, r) {
		chk = json_object_get(r, "check");
		json_object_foreach(chk, k, v) {
			int seen = 0;

			json_array_foreach(arches, j, w)
				seen |= !strcmp(json_string_value(w), k);
			if (strcmp(k, "overall") && !seen)
				json_array_append_new(arches, json_string(k));
		}
	}
	if (!json_array_size(arches)) {
		json_decref(arches);
		json_decref(counts);
		return;
	}
	fprintf(f, "\nCheck matrix (P pass, F fail, s skipped, . not applicable):\n");
	json_array_foreach(arches, j, v)
		fprintf(f, "  %2zu %s\n", j + 1, json_string_value(v));
	fprintf(f, "  %-8s", "overall");
	json_array_foreach(arches, j, v)
		fprintf(f, "%3zu", j + 1);
	fprintf(f, "  handler\n");
	json_array_foreach(records, i, r) {
		chk = json_object_get(r, "check");
		if (!json_is_object(chk) || !json_is_object(json_object_get(r, "conversion")))
			continue;
		fprintf(f, "  %-8s", jstr(json_object_get(chk, "overall"), "status"));
		json_array_foreach(arches, j, v) {
			const char *s = jstr(json_object_get(chk, json_string_value(v)), "status");
			char *key = xasprintf("%s %s", json_string_value(v), s ? s : "-");

			fprintf(f, "  %c", cell_letter(s));
			if (s)
				count(counts, key);
			free(key);
		}
		fprintf(f, "  %s:%d %s()\n", jstr(r, "file"), jint(r, "line"), jstr(r, "function"));
	}
	fprintf(f, "\nPer architecture (handlers):\n  %-12s %5s %5s %5s %5s  %8s %8s %8s %8s\n",
		"arch", "pass", "fail", "skip", "n/a", "config", "prepare", "base", "after");
	json_array_foreach(arches, j, v) {
		const char *a = json_string_value(v);
		json_t *t = json_object_get(json_object_get(times, "profiles"), a);
		int n[ARRAY_SIZE(cell_statuses)];

		for (int s = 0; s < ARRAY_SIZE(cell_statuses); s++) {
			char *key = xasprintf("%s %s", a, cell_statuses[s]);

			n[s] = jint(counts, key);
			free(key);
		}
		fprintf(f, "  %-12s %5d %5d %5d %5d", a, n[0], n[1], n[2], n[3]);
		if (json_is_object(t))
			fprintf(f, "  %7.1fs %7.1fs %7.1fs %7.1fs",
				json_number_value(json_object_get(t, "configure")),
				json_number_value(json_object_get(t, "prepare")),
				json_number_value(json_object_get(t, "base")),
				json_number_value(json_object_get(t, "converted")));
		fprintf(f, "\n");
	}
	json_decref(arches);
	json_decref(counts);
}

/* Registrations per "ops_type.hook" and per category. */
void report_counts(json_t *records, json_t *by_ops, json_t *by_cat)
{
	json_t *r;
	size_t i;

	json_array_foreach(records, i, r) {
		const char *t = jstr(r, "ops_type");
		char *key = xasprintf("%s.%s", t ? t : "(unknown)", jstr(r, "hook"));

		count(by_ops, key);
		count(by_cat, jstr(r, "category") ? jstr(r, "category") : "(unclassified)");
		free(key);
	}
}

/* replay.json, when the run is a replay's (tools/replay.c): its table. */
static void print_replay(FILE *f, json_t *rp)
{
	json_t *t = json_object_get(rp, "totals"), *row, *v, *d;
	const char *k;
	size_t i, m;

	fprintf(f, "Replay: upstream's hand ports from %s to %s\n", js(rp, "old"), js(rp, "new"));
	fprintf(f, "  files: %lld;", (long long)jint(t, "nfiles"));
	json_object_foreach(json_object_get(t, "files"), k, v)
		fprintf(f, " %s %lld", k, (long long)json_integer_value(v));
	fprintf(f, "\n  handlers:");
	json_object_foreach(json_object_get(t, "handlers"), k, v)
		fprintf(f, " %s %lld", k, (long long)json_integer_value(v));
	fprintf(f, "\n  differences changed by mmapport that its verdict does not state: %lld\n",
		(long long)jint(t, "unstated"));
	json_array_foreach(json_object_get(rp, "ports"), i, row) {
		char *h = replay_row_words(row);

		fprintf(f, "  %-12s %s\n", js(row, "verdict"), h);
		free(h);
		if (strcmp(js(row, "verdict"), "same") && strcmp(js(row, "verdict"), "differs")) {
			char *why = replay_reason_words(row);

			fprintf(f, "               %s\n", why);
			free(why);
		}
		json_array_foreach(json_object_get(row, "differences"), m, d) {
			char *w = replay_difference_words(d);

			fprintf(f, "               - %s\n", w);
			free(w);
		}
	}
	fprintf(f, "\n");
}

int report_records(const struct options *o, json_t *records, json_t *timings,
		   json_t *check_times)
{
	char *rpath = out_path(o, "replay.json");
	json_t *rp = path_exists(rpath) ? load_replay_file(rpath) : NULL;
	/* classify's dispatcher plan; none when classify has not run */
	char *dpath = out_path(o, OUT_DISPATCHERS);
	json_t *plan = path_exists(dpath) ? load_dispatchers_file(dpath) : json_object();

	char *path = out_path(o, "report.txt");
	json_t *by_ops = json_object(), *by_cat = json_object(), *r, *v;
	FILE *f = fopen(path, "w");
	const char *k;
	size_t i;

	if (!f)
		die("%s: cannot write", path);
	report_counts(records, by_ops, by_cat);
	fprintf(f, "mmapport report\n===============\n\n%zu registrations of mmap hooks.\n\n",
		json_array_size(records));
	if (rp)
		print_replay(f, rp);
	json_decref(rp);
	free(rpath);
	free(dpath);
	print_counts(f, "By ops type and hook:", by_ops);
	print_counts(f, "By category:", by_cat);
	dispatcher_plan_print(f, plan);
	json_decref(plan);

	fprintf(f, "Conversions (file_operations, simple class):\n");
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");
		json_t *chk = json_object_get(json_object_get(r, "check"), "overall");

		if (!json_is_object(c))
			continue;
		fprintf(f, "  %-10s %s:%d %s()", jstr(c, "status"), jstr(r, "file"),
			jint(r, "line"), jstr(r, "function"));
		if (json_is_object(chk))
			fprintf(f, " [check: %s]", jstr(chk, "status"));
		if (jstr(c, "reason"))
			fprintf(f, "\n             %s", jstr(c, "reason"));
		if (json_object_get(c, "equivalence")) {
			char *v = verdict_words(r);
			json_t *d;
			size_t k;

			fprintf(f, "\n             equivalence: %s", v);
			free(v);
			json_array_foreach(json_object_get(json_object_get(c, "equivalence"),
							   "differences"), k, d) {
				char *t = difference_words(r, d);

				fprintf(f, "\n             - %s", t);
				free(t);
			}
		}
		fprintf(f, "\n");
	}
	print_matrix(f, records, check_times);
	fprintf(f, "\nNot converted (file_operations handlers), with the facts that decided:\n");
	json_array_foreach(records, i, r) {
		const char *cat = jstr(r, "category");
		json_t *facts = json_object_get(r, "facts"), *x;
		size_t j;

		if (!cat || !strcmp(cat, "simple") || !jstr(r, "ops_type") ||
		    strcmp(jstr(r, "ops_type"), "file_operations") || !strcmp(cat, "already-prepare") ||
		    !strcmp(js(json_object_get(r, "conversion"), "status"), "converted"))
			continue;
		fprintf(f, "  %-15s %s:%d %s()\n", cat, jstr(r, "file"), jint(r, "line"),
			jstr(r, "function") ? jstr(r, "function") : "NULL");
		json_array_foreach(facts, j, x)
			fprintf(f, "                  - %s\n", json_string_value(x));
	}
	if (json_object_size(timings)) {
		fprintf(f, "\nTimes (s):\n");
		json_object_foreach(timings, k, v)
			fprintf(f, "  %-10s %8.1f\n", k, json_number_value(v));
	}
	fclose(f);
	info("report: %s", path);
	json_decref(by_ops);
	json_decref(by_cat);
	free(path);
	return 0;
}
