// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - upstream's hand ports as mmapport's regression test
 * (docs/replay.md).
 *
 * Every handler registered as ->mmap in the older tree and as
 * ->mmap_prepare (or another prepare hook) in the newer one, by the same
 * ops variable of the same file, is a port upstream made by hand.  The
 * older file is put into a copy of the newer tree (DIR/tree), the stages
 * run on those files (DIR/run, an output directory of its own), and each
 * conversion is compared with the hand port by the same summaries the
 * equivalence check uses (tools/equiv.c, equivalence_replay()).  Then
 * check builds the conversions whose old file builds against the newer
 * tree.  Everything is written to DIR/run/replay.json as data; the report
 * puts it into words.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapport.h"
#include "inputs.h"
#include "analyzer/analyzer.h"

/*
 * The hand ports: {file, ops_type, ops_var, hook, old_function, prepare_hook,
 * new_function}, a registration of HOOK in the older tree that is one of
 * HOOK_prepare in the newer, by the same ops variable of the same file.
 */
/*
 * A port that renamed a handler defined in another file changed that file
 * too (and every other that named it): where the newer tree no longer
 * names the old handler at all, each pair gets old_files, the other .c
 * files of the older tree that named it (and that the newer tree has),
 * for DIR/tree to take in their older version.  A handler the newer tree
 * still names (a library handler beside its prepare twin) changed only
 * where it was registered.
 */
static void port_files(const char *old_tree, const char *new_tree, json_t *pairs)
{
	struct strlist names = { 0 };
	json_t *was, *is, *p, *f;
	size_t i, j;

	json_array_foreach(pairs, i, p)
		if (jstr(p, "old_function"))
			strlist_add_once(&names, jstr(p, "old_function"));
	was = files_naming(old_tree, &names, 0);
	is = files_naming(new_tree, &names, 1);
	json_array_foreach(pairs, i, p) {
		json_t *more = json_array();

		if (!jstr(p, "old_function") || json_object_get(is, jstr(p, "old_function"))) {
			json_decref(more);
			continue;
		}
		json_array_foreach(json_object_get(was, jstr(p, "old_function")), j, f) {
			char *in_new = xasprintf("%s/%s", new_tree, json_string_value(f));

			if (strcmp(json_string_value(f), jstr(p, "file")) && path_exists(in_new))
				json_array_append(more, f);
			free(in_new);
		}
		json_object_set_new(p, "old_files", more);
	}
	json_decref(was);
	json_decref(is);
	strlist_free(&names);
}

static json_t *hand_ports(const char *old_tree, const char *new_tree)
{
	json_t *a, *b, *pairs = json_array(), *x, *y;
	size_t i, j;

	info("replay: scanning %s", old_tree);
	a = scan_tree(old_tree, NULL, NULL, NULL);
	info("replay: scanning %s", new_tree);
	b = scan_tree(new_tree, NULL, NULL, NULL);
	json_array_foreach(b, i, y) {
		const char *hook = jstr(y, "hook");

		if (!jstr(y, "file") || !jstr(y, "ops_var") || !hook)
			continue;
		if (!json_is_true(json_object_get(y, "prepare_hook")))
			continue;
		json_array_foreach(a, j, x) {
			/* HOOK in the older tree, HOOK_prepare in the newer */
			size_t n = strlen(js(x, "hook"));

			if (json_is_true(json_object_get(x, "prepare_hook")) || !n ||
			    strncmp(js(x, "hook"), hook, n) || strcmp(hook + n, "_prepare") ||
			    !jstr(x, "ops_var") || strcmp(jstr(x, "file"), jstr(y, "file")) ||
			    strcmp(jstr(x, "ops_var"), jstr(y, "ops_var")) ||
			    strcmp(js(x, "ops_type"), js(y, "ops_type")))
				continue;
			json_array_append_new(pairs, json_pack(
				"{s:s,s:s,s:s,s:s,s:s?,s:s,s:s?}", "file", jstr(y, "file"),
				"ops_type", js(y, "ops_type"), "ops_var", jstr(y, "ops_var"),
				"hook", jstr(x, "hook"), "old_function", jstr(x, "function"),
				"prepare_hook", hook, "new_function", jstr(y, "function")));
			break;
		}
	}
	json_decref(a);
	json_decref(b);
	port_files(old_tree, new_tree, pairs);
	return pairs;
}

/*
 * DIR/tree: a copy of the newer tree with the older version of each file
 * of the hand ports.  DIR/tree.json says what it was made of; a tree of
 * other trees or files is made again.
 */
static char *replay_tree(const struct options *o, json_t *pairs)
{
	char *tree = out_path(o, "tree"), *stamp_path = out_path(o, "tree.json");
	char *tmp = out_path(o, "tree.tmp"), *log = out_path(o, "copy.log"), *git;
	json_t *stamp = json_object(), *files = json_array(), *had, *p;
	size_t i;

	json_array_foreach(pairs, i, p) {
		json_t *f;
		size_t j;

		jarray_add_unique(files, jstr(p, "file"));
		json_array_foreach(json_object_get(p, "old_files"), j, f)
			jarray_add_unique(files, json_string_value(f));
	}
	json_object_set_new(stamp, "old", json_string(o->old_tree));
	json_object_set_new(stamp, "new", json_string(o->new_tree));
	json_object_set_new(stamp, "files", files);
	had = path_exists(stamp_path) ? json_load_path(stamp_path) : NULL;
	if (had && json_equal(had, stamp) && is_dir(tree))
		goto out;
	info("replay: copying %s into %s", o->new_tree, tree);
	unlink(stamp_path);
	remove_tree(tree);
	remove_tree(tmp);
	if (run_v(NULL, log, "cp", "-a", "--", o->new_tree, tmp, NULL))
		die("%s: cannot copy the newer tree (see %s)", o->new_tree, log);
	git = xasprintf("%s/.git", tmp);
	remove_tree(git);	/* a plain copy: the old files are its changes */
	free(git);
	json_array_foreach(files, i, p) {
		const char *f = json_string_value(p);
		char *src = xasprintf("%s/%s", o->old_tree, f), *dst = xasprintf("%s/%s", tmp, f);
		size_t n;
		char *text = read_file(src, &n);

		if (!text)
			die("%s: cannot read: %s", src, strerror(errno));
		unlink(dst);
		if (write_file(dst, text, n))
			die("%s: cannot write: %s", dst, strerror(errno));
		free(text);
		free(src);
		free(dst);
	}
	if (rename(tmp, tree))
		die("%s: cannot rename to %s: %s", tmp, tree, strerror(errno));
	if (json_dump_path(stamp, stamp_path))
		die("%s: cannot write", stamp_path);
out:
	json_decref(had);
	json_decref(stamp);
	free(stamp_path);
	free(tmp);
	free(log);
	return tree;
}

static json_t *run_record(json_t *records, json_t *p)
{
	json_t *r;
	size_t i;

	json_array_foreach(records, i, r)
		if (!strcmp(js(r, "file"), jstr(p, "file")) &&
		    !strcmp(js(r, "ops_var"), jstr(p, "ops_var")) &&
		    !strcmp(js(r, "hook"), jstr(p, "hook")))
			return r;
	return NULL;
}

/* One row: the hand port p against what mmapport made of the old handler. */
static json_t *compare_one(const struct options *so, const char *work, const char *new_tree,
			   json_t *records, json_t *p)
{
	json_t *row = json_deep_copy(p), *r = run_record(records, p), *c, *res;
	char *ours, *theirs;

	if (!r) {
		json_object_set_new(row, "verdict", json_string("refused"));
		json_object_set_new(row, "reason", json_string(
			"the stages found no such registration in the old file"));
		return row;
	}
	c = json_object_get(r, "conversion");
	json_object_set_new(row, "record", json_string(jstr(r, "id")));
	json_object_set_new(row, "category", json_string(js(r, "category")));
	if (!json_is_object(c) || strcmp(js(c, "status"), "converted")) {
		json_object_set_new(row, "verdict", json_string("refused"));
		json_object_set_new(row, "conversion", json_string(
			json_is_object(c) ? js(c, "status") : "not attempted"));
		if (jstr(c, "reason"))
			json_object_set_new(row, "reason", json_string(jstr(c, "reason")));
		if (!json_is_object(c)) {
			/* not a category convert takes: the facts that gave it */
			json_t *why = json_array(), *x;
			size_t i;

			json_array_foreach(json_object_get(r, "reasons"), i, x)
				if (!strcmp(js(x, "category"), js(r, "category")))
					json_array_append_new(why, json_string(js(x, "fact")));
			json_object_set_new(row, "facts", why);
		}
		return row;
	}
	json_object_set_new(row, "conversion", json_string("converted"));
	json_object_set_new(row, "method", json_string(js(c, "method")));
	json_object_set_new(row, "ours_function", json_string(
		jstr(r, "twin") ? jstr(r, "twin") : js(c, "new_function")));
	json_object_set_new(row, "ours_verdict", json_string(
		js(json_object_get(c, "equivalence"), "verdict")));
	/* where the handler is defined: upstream's port is there too, as ours */
	ours = xasprintf("%s/%s", work, record_def_file(r));
	theirs = xasprintf("%s/%s", new_tree, record_def_file(r));
	res = equivalence_replay(so, r, ours, theirs, js(p, "new_function"));
	json_object_set_new(row, "verdict", json_string(js(res, "verdict")));
	if (jstr(res, "why"))
		json_object_set_new(row, "reason", json_string(jstr(res, "why")));
	json_object_set(row, "differences", json_object_get(res, "differences"));
	if (json_object_get(res, "parse_errors"))
		json_object_set(row, "parse_errors", json_object_get(res, "parse_errors"));
	json_decref(res);
	free(ours);
	free(theirs);
	return row;
}

/* After check: did the conversion build where the old file did? */
static void add_build(json_t *rows, json_t *records)
{
	json_t *row, *r;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_t *ov;

		r = run_record(records, row);
		if (!r)
			continue;
		ov = json_object_get(json_object_get(r, "check"), "overall");
		if (json_is_object(ov))
			json_object_set_new(row, "build", json_pack(
				"{s:s,s:s?}", "status", js(ov, "status"), "reason", jstr(ov, "reason")));
	}
}

static void count(json_t *o, const char *key)
{
	json_object_set_new(o, key, json_integer(jint(o, key) + 1));
}

/* Handlers and files by verdict; a file is same when every handler of it is. */
static json_t *totals(json_t *rows)
{
	json_t *t = json_object(), *h = json_object(), *f = json_object(), *files = json_object();
	json_t *row, *v;
	const char *k;
	size_t i;
	int unstated = 0;

	json_array_foreach(rows, i, row) {
		const char *verdict = js(row, "verdict"), *had = jstr(files, jstr(row, "file"));
		json_t *d;
		size_t m;

		count(h, verdict);
		/* the file's verdict: same < differs < not-compared < refused */
		if (!had || (!strcmp(had, "same") && strcmp(verdict, "same")) ||
		    (!strcmp(verdict, "refused")))
			json_object_set_new(files, jstr(row, "file"), json_string(verdict));
		json_array_foreach(json_object_get(row, "differences"), m, d)
			unstated += json_is_false(json_object_get(d, "stated"));
	}
	json_object_foreach(files, k, v)
		count(f, json_string_value(v));
	json_object_set_new(t, "handlers", h);
	json_object_set_new(t, "files", f);
	json_object_set_new(t, "nfiles", json_integer(json_object_size(files)));
	json_object_set_new(t, "unstated", json_integer(unstated));
	json_decref(files);
	return t;
}

static void write_replay(const struct options *o, const char *arch, json_t *rows,
			 const char *path)
{
	json_t *res = json_pack("{s:s,s:s,s:s,s:o,s:O}", "old", o->old_tree, "new", o->new_tree,
				"arch", arch, "totals", totals(rows), "ports", rows);

	if (json_dump_path(res, path))
		die("%s: cannot write", path);
	json_decref(res);
}

int replay(struct options *o)
{
	char *tree, *work, *rp, *mk;
	struct options so = *o;
	json_t *pairs, *records, *rows, *p;
	size_t i;
	int rc = 0;

	/* the hand ports of these two trees (scan: under a minute a tree) */
	pairs = json_pack("{s:o}", "ports", hand_ports(o->old_tree, o->new_tree));
	if (!json_array_size(json_object_get(pairs, "ports")))
		die("no handler is ->mmap in %s and a prepare hook in %s: nothing to replay",
		    o->old_tree, o->new_tree);
	tree = replay_tree(o, json_object_get(pairs, "ports"));
	/* the stages, on the older files in the newer tree */
	memset(&so.paths, 0, sizeof(so.paths));
	json_array_foreach(json_object_get(pairs, "ports"), i, p)
		strlist_add_once(&so.paths, jstr(p, "file"));
	so.tree = tree;
	so.out = out_path(o, "run");
	so.out_given = 1;
	so.old_tree = so.new_tree = NULL;
	so.arch = o->arch ? o->arch : "x86_64";
	need_tools(&so, "run");
	if (run_stages_to("convert", &so))
		die("replay: the stages stopped on %s (see %s/logs)", tree, so.out);
	/* compare before check: check puts back the files that do not build */
	records = load_records(&so);
	work = out_path(&so, "work");
	rows = json_array();
	json_array_foreach(json_object_get(pairs, "ports"), i, p)
		json_array_append_new(rows, compare_one(&so, work, o->new_tree, records, p));
	json_decref(records);
	/* the comparison as it stands, before the builds (which take longest) */
	rp = out_path(&so, "replay.json");
	write_replay(o, so.arch, rows, rp);
	mk = xasprintf("%s/scripts/Makefile.build", tree);
	if (path_exists(mk)) {
		info("=== check");
		rc = run_stage("check", &so);
		records = load_records(&so);
		add_build(rows, records);
		json_decref(records);
	} else {
		/* a tree kbuild cannot build (the tests' small trees): said in every row */
		json_array_foreach(rows, i, p)
			json_object_set_new(p, "build", json_pack("{s:s,s:s}", "status", "not-run",
				"reason", "the newer tree has no kbuild (scripts/Makefile.build)"));
	}
	free(mk);
	write_replay(o, so.arch, rows, rp);
	info("replay: %s", rp);
	rc = run_stage("report", &so) || rc;
	json_decref(rows);
	json_decref(pairs);
	free(rp);
	free(tree);
	free(work);
	return rc;
}
