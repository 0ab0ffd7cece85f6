// SPDX-License-Identifier: GPL-2.0
/*
 * cocci.c - facts from Coccinelle where libclang has none.
 *
 * libclang sees a handler only as x86_64 allmodconfig compiles it: another
 * architecture's file, code under an #if that configuration leaves out,
 * and a handler whose body does not parse with those flags have no AST.
 * cocci/facts.cocci reads such a file without a configuration (every #if
 * branch at once, no types from headers) and prints the handler's facts
 * in the analyzer's vocabulary.  This file runs it, one spatch per file
 * for all that file's handlers, --jobs at once; completes the facts that
 * need mmapport's own lists (what takes and releases a resource, what a
 * vm_ops close releases, the architecture branches); and makes them the
 * record's analysis, marked analysis.source "coccinelle", for decide.c's
 * one decision table.  A handler spatch gives no facts for keeps its
 * lexical category, with the reason in coccinelle_error: no record is
 * ever dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../category.h"
#include "analyzer.h"

/* seconds one file may take; the slowest of the 7.3 tree takes 2 */

/* Did libclang leave r without facts it can be trusted with? */
static int needs_facts(json_t *r)
{
	json_t *an = json_object_get(r, "analysis");

	/* registered here, defined in another file: analysed there (shared) */
	if (!jstr(r, "function") || json_is_null(json_object_get(r, "definition")))
		return 0;
	return !json_is_object(an) ||
	       json_integer_value(json_object_get(an, "parse_errors_in_handler")) > 0;
}

struct cocci_job {
	int file;		/* index in af */
	char *handlers;		/* comma-separated */
	char *out, *log;
	pid_t pid;
	int status;
};

static pid_t start_spatch(const char *tree, const struct cocci_job *j, const char *file)
{
	struct run_opts ro = { .out = j->out, .err = j->log };
	struct strlist cmd = { 0 };
	char *sp = xasprintf("%s/cocci/facts.cocci", project_dir());
	pid_t pid;

	spatch_command(&cmd, sp);
	free(sp);
	strlist_add(&cmd, "--macro-file");
	strlist_addf(&cmd, "%s/cocci/macros.h", project_dir());
	strlist_add(&cmd, "--no-includes");
	strlist_add(&cmd, "--very-quiet");
	strlist_add(&cmd, "-D");
	strlist_addf(&cmd, "handler_names=%s", j->handlers);
	strlist_add(&cmd, "-D");
	strlist_addf(&cmd, "call_depth=%d", CALL_DEPTH);
	strlist_addf(&cmd, "%s/%s", tree, file);
	pid = spawn_list(&ro, &cmd);
	strlist_free(&cmd);
	return pid;
}

/* Run the jobs, at most jobs at once; each gets its exit status. */
static void run_jobs(const char *tree, struct analyze_file *af, struct cocci_job *jv, int n,
		     int jobs)
{
	int next = 0, running = 0, j, st;
	pid_t pid;

	while (next < n || running) {
		while (running < jobs && next < n) {
			jv[next].pid = start_spatch(tree, &jv[next], af[jv[next].file].file);
			next++;
			running++;
		}
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (j = 0; j < next; j++)
			if (jv[j].pid == pid) {
				jv[j].status = st;
				jv[j].pid = 0;
				running--;
			}
	}
}

/*
 * One spatch output: handler -> its facts, as facts.cocci printed them;
 * handler -> why there are none in *missing.
 */
static json_t *read_facts(const char *path, json_t *missing)
{
	json_t *by = json_object();
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;

	while (f && getline(&buf, &cap, f) > 0) {
		json_t *v = json_loads(buf, 0, NULL), *an, *item, *l;
		const char *h = jstr(v, "handler"), *key = jstr(v, "key");

		if (!h || !key) {
			json_decref(v);
			continue;
		}
		if (!strcmp(key, "not_found")) {
			json_object_set(missing, h, json_object_get(v, "value"));
			json_decref(v);
			continue;
		}
		an = json_object_get(by, h);
		if (!an) {
			an = json_object();
			json_object_set_new(by, h, an);
		}
		item = json_object_get(v, "item");
		if (item) {
			json_array_append(jarray_of(an, key), item);
		} else if (!strcmp(key, "locals") && jstr(v, "name")) {
			/* what a local stands for: its first value, as the analyzer */
			l = json_object_get(an, "locals");
			if (!l) {
				l = json_object();
				json_object_set_new(an, "locals", l);
			}
			if (!json_object_get(l, jstr(v, "name")))
				json_object_set(l, jstr(v, "name"), json_object_get(v, "value"));
		} else {
			json_object_set(an, key, json_object_get(v, "value"));
		}
		json_decref(v);
	}
	if (f)
		fclose(f);
	free(buf);
	return by;
}

/*
 * A call of a function of the file that its name does not judge: what its
 * body takes or releases and does not undo, by the names it calls
 * (body_calls, facts.cocci's), as the analyzer's fn_summary() does with
 * the body itself.  Sets body_take or body_release (the kind) and via.
 */
static void body_effect(json_t *x)
{
	const char *call = jstr(x, "call"), *why, *kind, *via[2][3] = { { 0 } };
	int n[2][3] = { { 0 } }, i;
	json_t *c;
	size_t k;
	static const char *const kinds[] = { "lock", "ref", "alloc" };

	if (!json_object_get(x, "body_calls") || effect_by_unexpanded_name(call, 1, &why, &kind))
		return;
	json_array_foreach(json_object_get(x, "body_calls"), k, c) {
		const char *g = json_string_value(c), *t = resource_taken(g);
		const char *r = t ? NULL : resource_released(g);

		for (i = 0; i < ARRAY_SIZE(kinds); i++) {
			if (t && !strcmp(t, kinds[i]) && !n[0][i]++)
				via[0][i] = g;
			if (r && !strcmp(r, kinds[i]) && !n[1][i]++)
				via[1][i] = g;
		}
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (n[0][i] > n[1][i]) {
			json_object_set_new(x, "body_take", json_string(kinds[i]));
			json_object_set_new(x, "via", json_string(via[0][i]));
			return;
		}
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (n[1][i] > n[0][i]) {
			json_object_set_new(x, "body_release", json_string(kinds[i]));
			json_object_set_new(x, "via", json_string(via[1][i]));
			return;
		}
}

/* What a call site takes or releases by its name: by the lists alone where its body was read. */
static const char *site_taken(json_t *x, const char *call)
{
	return json_object_get(x, "body_calls") ? resource_taken_listed(call) : resource_taken(call);
}

static const char *site_released(json_t *x, const char *call)
{
	return json_object_get(x, "body_calls") ? resource_released_listed(call) :
	       resource_released(call);
}

/* In the handler's order: the offset that orders it there, then its own. */
static int by_offset(const void *a, const void *b)
{
	json_t *p = *(json_t *const *)a, *q = *(json_t *const *)b;
	json_int_t x = json_integer_value(json_object_get(p, "offset"));
	json_int_t y = json_integer_value(json_object_get(q, "offset"));

	if (x == y) {
		x = json_integer_value(json_object_get(p, "pos"));
		y = json_integer_value(json_object_get(q, "pos"));
	}
	return (x > y) - (x < y);
}

/*
 * analysis.effects from Coccinelle's facts (docs/equivalence.md): every
 * call judged by its name (Coccinelle does not follow bodies: a call its
 * name does not judge is a side effect), the helpers that receive the VMA
 * as followed, and the writes outside the function's locals.
 */
static void effects(json_t *an)
{
	json_t *x, *o, *c, *list = json_array(), *sorted;
	json_t **v;
	size_t i, k, n;

	json_array_foreach(json_object_get(an, "call_sites"), i, x) {
		const char *call = jstr(x, "call"), *why, *kind, *eff;
		int followed = 0;

		json_array_foreach(json_object_get(an, "calls"), k, c)
			if (json_integer_value(json_object_get(c, "pos")) ==
			    json_integer_value(json_object_get(x, "pos")) &&
			    !strcmp(jstr(c, "kind") ? jstr(c, "kind") : "", "followed"))
				followed = 1;
		eff = followed ? "followed" : effect_by_unexpanded_name(call,
			json_object_get(x, "body_calls") != NULL, &why, &kind);
		if (!eff && jstr(x, "body_take")) {
			eff = "take";
			kind = jstr(x, "body_take");
			why = NULL;
		} else if (!eff && jstr(x, "body_release")) {
			eff = "release";
			kind = jstr(x, "body_release");
			why = NULL;
		}
		o = json_object();
		json_object_set_new(o, "call", json_string(call));
		json_object_set_new(o, "effect", json_string(eff ? eff : "side-effect"));
		if (!followed && eff && why)
			json_object_set_new(o, "why", json_string(why));
		else if (!eff)
			json_object_set_new(o, "why", json_string(
				"Coccinelle does not follow its body"));
		if (!followed && eff && kind)
			json_object_set_new(o, "kind", json_string(kind));
		json_object_update_missing(o, x);
		json_object_del(o, "body_calls");
		json_object_del(o, "body_take");
		json_object_del(o, "body_release");
		json_object_del(o, "key");
		json_object_del(o, "result");
		json_object_del(o, "conditional");
		json_object_del(o, "exit_path_until");
		json_array_append_new(list, o);
	}
	json_array_foreach(json_object_get(an, "writes"), i, x) {
		o = json_deep_copy(x);
		json_object_set_new(o, "effect", json_string("write"));
		json_array_append_new(list, o);
	}
	json_object_del(an, "writes");
	n = json_array_size(list);
	v = xmalloc((n + 1) * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	qsort(v, n, sizeof(*v), by_offset);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	json_object_set_new(an, "effects", sorted);
	json_decref(list);
	free(v);
}

/* What Coccinelle prints but the analyzer keeps in other words. */
static void complete(json_t *an, const char *text)
{
	json_t *x, *vm_ops = json_object_get(an, "vm_ops"), *codes = json_array();
	size_t i, k;

	/* a helper of the file judged by the names its body calls */
	json_array_foreach(json_object_get(an, "call_sites"), i, x)
		body_effect(x);
	/* every call: those that take or release, by mmapport's lists */
	json_array_foreach(json_object_get(an, "call_sites"), i, x) {
		const char *call = jstr(x, "call");
		const char *take = site_taken(x, call) ?: jstr(x, "body_take");
		const char *rel = site_released(x, call) ?: jstr(x, "body_release");
		int guard = !strcmp(call, "guard") || !strcmp(call, "scoped_guard") ||
			    !strcmp(call, "scoped_cond_guard");
		json_t *o;

		if (guard || take) {
			o = json_deep_copy(x);
			json_object_set_new(o, "kind", json_string(guard ? "lock" : take));
			if (jstr(x, "via"))
				json_object_set(o, "via", json_object_get(x, "via"));
			json_object_del(o, "body_take");
			json_object_del(o, "body_calls");
			if (guard)	/* released when the scope ends */
				json_object_set_new(o, "auto_release", json_true());
			json_object_del(o, "conditional");
			json_object_del(o, "exit_path_until");
			json_array_append_new(jarray_of(an, "takes"), o);
		} else if (rel) {
			o = json_deep_copy(x);
			json_object_set_new(o, "kind", json_string(rel));
			if (jstr(x, "via"))
				json_object_set(o, "via", json_object_get(x, "via"));
			json_object_del(o, "body_release");
			json_object_del(o, "body_calls");
			json_object_del(o, "result");
			json_array_append_new(jarray_of(an, "releases"), o);
		}
	}
	effects(an);
	json_object_del(an, "call_sites");
	/* vm_ops->close: what it releases (docs/hazards.md, H1), and what else it calls */
	json_array_foreach(vm_ops, i, x) {
		json_t *rel = json_array(), *other = json_array(), *c;

		if (!json_object_get(x, "close_calls"))
			continue;
		json_array_foreach(json_object_get(x, "close_calls"), k, c) {
			const char *kind = resource_released(jstr(c, "call"));

			if (kind)
				json_array_append_new(rel, json_pack("{s:s,s:s,s:s}", "call",
					jstr(c, "call"), "kind", kind, "key", jstr(c, "key")));
			else
				jarray_add_unique(other, jstr(c, "call"));
		}
		json_object_set_new(x, "close_releases", rel);
		json_object_set_new(x, "close_calls", other);
	}
	json_array_foreach(json_object_get(an, "error_codes"), i, x)
		jarray_add_unique(codes, jstr(x, "value"));
	json_object_set_new(an, "error_codes", codes);
	/* the handler's lines, whitespace collapsed, for its #if branches */
	if (text) {
		int from = jint(an, "def_line"), to = jint(an, "end_line"), line = 1;
		const char *p = text;
		char *s = xmalloc(strlen(text) + 1), *o = s;

		for (; *p && line <= to; p++) {
			if (line >= from) {
				char c = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p;

				if (c != ' ' || (o > s && o[-1] != ' '))
					*o++ = c;
			}
			line += *p == '\n';
		}
		*o = '\0';
		arch_branches_text(s, an);
		free(s);
	}
}

static void no_facts(json_t *r, const char *fmt, ...) __printf(2, 3);

static void no_facts(json_t *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	json_object_set_new(r, "coccinelle_error", json_string(s));
	free(s);
}

/* Give the records of job j their facts, or the reason they have none. */
static int apply(const char *tree, struct analyze_file *af, struct cocci_job *j)
{
	json_t *missing = json_object(), *by = read_facts(j->out, missing), *r;
	int ok = WIFEXITED(j->status) && !WEXITSTATUS(j->status), got = 0;
	char *path = xasprintf("%s/%s", tree, af[j->file].file);
	size_t i, len;
	char *text = read_file(path, &len);

	json_array_foreach(af[j->file].records, i, r) {
		const char *fn = jstr(r, "function");
		json_t *an = json_object_get(by, fn), *old;

		if (!needs_facts(r))
			continue;
		if (!ok) {
			char *why = log_reason(j->log);

			no_facts(r, "spatch failed on %s (exit status %d%s, see %s)",
				 af[j->file].file, WIFEXITED(j->status) ? WEXITSTATUS(j->status) :
				 -1, why, j->log);
			free(why);
			continue;
		}
		if (!an || !jstr(an, "vma_param")) {
			/*
			 * nothing at all: facts.cocci's rules depend on a
			 * function that takes a VMA (has_vma), and spatch
			 * parsed none in the file
			 */
			if (jstr(missing, fn))
				no_facts(r, "%s", jstr(missing, fn));
			else
				no_facts(r, "%s() is not defined here, or Coccinelle could not parse it (no function that takes a VMA parsed in the file)",
					 fn);
			continue;
		}
		an = json_deep_copy(an);
		complete(an, text);
		json_object_set_new(an, "source", json_string("coccinelle"));
		old = json_object_get(r, "analysis");
		if (json_is_object(old))
			/* libclang parsed it, with errors in the handler: say so */
			json_object_set_new(r, "analysis_error", json_string(xasprintf(
				"%lld parse errors inside %s()", json_integer_value(
					json_object_get(old, "parse_errors_in_handler")), fn)));
		json_object_set_new(r, "analysis", an);
		json_object_del(r, "coccinelle_error");
		got++;
	}
	free(text);
	free(path);
	json_decref(by);
	json_decref(missing);
	return got;
}

int cocci_fallback(const char *tree, const char *tmpdir, struct analyze_file *af,
		   int nfiles, int jobs, double *secs)
{
	struct cocci_job *jv = xmalloc((nfiles + 1) * sizeof(*jv));
	double t0 = now_seconds();
	int n = 0, f, j, got = 0;

	for (f = 0; f < nfiles; f++) {
		struct strlist names = { 0 };
		size_t i, len = 1;
		json_t *r;
		char *s;

		json_array_foreach(af[f].records, i, r)
			if (needs_facts(r) && !strlist_has(&names, jstr(r, "function"))) {
				strlist_add(&names, jstr(r, "function"));
				len += strlen(jstr(r, "function")) + 1;
			}
		if (!names.n)
			continue;
		s = xmalloc(len);
		s[0] = '\0';
		for (i = 0; i < (size_t)names.n; i++) {
			if (i)
				strcat(s, ",");
			strcat(s, names.v[i]);
		}
		jv[n] = (struct cocci_job){ .file = f, .handlers = s,
			.out = xasprintf("%s/cocci-%d.json", tmpdir, n),
			.log = xasprintf("%s/cocci-%d.log", tmpdir, n) };
		n++;
		strlist_free(&names);
	}
	run_jobs(tree, af, jv, n, jobs < 1 ? 1 : jobs);
	for (j = 0; j < n; j++) {
		size_t len = 0;
		char *log;

		got += apply(tree, af, &jv[j]);
		unlink(jv[j].out);
		/* keep the log of a run that said something */
		log = read_file(jv[j].log, &len);
		if (log && !len)
			unlink(jv[j].log);
		free(log);
		free(jv[j].handlers);
		free(jv[j].out);
		free(jv[j].log);
	}
	free(jv);
	*secs = now_seconds() - t0;
	return got;
}
