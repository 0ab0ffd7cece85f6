// SPDX-License-Identifier: GPL-2.0
/*
 * stages.c - the stages as commands: each checks its inputs, reads the
 * records, runs and saves them.  mmapport.c parses the options and calls
 * one (stage_named()); run and replay call them in order (run_stage()).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapport.h"
#include "inputs.h"
#include "analyzer/analyzer.h"

/* path as an absolute path, once it is seen to be a kernel tree (what: the option) */
char *need_kernel_tree(const char *what, const char *path)
{
	char *mk, *inc, *arch;

	if (!is_dir(path))
		die("%s %s: not a directory", what, path);
	mk = xasprintf("%s/Makefile", path);
	inc = xasprintf("%s/include/linux", path);
	arch = xasprintf("%s/arch", path);
	if (!path_exists(mk) || !is_dir(inc) || !is_dir(arch))
		die("%s %s: not a kernel tree (no Makefile, include/linux or arch/)", what, path);
	free(mk);
	free(inc);
	free(arch);
	return abs_path(path);
}

static void need_tree(struct options *o)
{
	if (!o->tree)
		o->tree = getenv("KERNEL");
	if (!o->tree)
		die("no kernel tree: give --tree PATH (or set KERNEL)");
	o->tree = need_kernel_tree("--tree", o->tree);
	if (o->external) {
		if (!is_dir(o->external))
			die("%s: not a directory", o->external);
		o->external = abs_path(o->external);
	}
	need_safe_path("--tree", o->tree);
	if (o->external)
		need_safe_path("--external", o->external);
	if (o->compat_tree) {
		if (!o->external || o->no_compat)
			die("--compat-tree builds an --external driver's kept old code: give --external, without --no-compat");
		o->compat_tree = need_kernel_tree("--compat-tree", o->compat_tree);
		need_safe_path("--compat-tree", o->compat_tree);
	}
	check_paths(o);
}

static void need_out(struct options *o)
{
	o->out = out_claim(o->out, o->tree, o->external, o->out_given);
}

/* Counts under a header, a name width wide, as scan and classify print them. */
static void print_column(const char *head, json_t *counts, int width)
{
	const char *k;
	json_t *v;

	printf("%-*s %6s\n", width, head, "count");
	json_object_foreach(counts, k, v)
		printf("%-*s %6lld\n", width, k, (long long)json_integer_value(v));
}

/* scan's summary: registrations per ops type and hook (report_counts()). */
static void print_summary(json_t *records)
{
	json_t *by_ops = json_object(), *by_cat = json_object();

	report_counts(records, by_ops, by_cat);
	print_column("ops type.hook", by_ops, 48);
	printf("%-48s %6zu\n", "total", json_array_size(records));
	json_decref(by_ops);
	json_decref(by_cat);
}

/* What the inventory is of: the tree, the driver directory, the paths. */
static json_t *source_key(const struct options *o)
{
	json_t *k = json_object(), *p = json_array();
	int i;

	for (i = 0; i < o->paths.n; i++)
		json_array_append_new(p, json_string(o->paths.v[i]));
	json_object_set_new(k, "tree", json_string(o->tree));
	json_object_set_new(k, "external", o->external ? json_string(o->external) : json_null());
	json_object_set_new(k, "paths", p);
	return k;
}

/* "--tree T [--external E] [--paths P,Q]" of a source_key() */
static char *describe(json_t *k, int with_paths)
{
	const char *e = jstr(k, "external");
	char *s = xasprintf("--tree %s%s%s", jstr(k, "tree") ? jstr(k, "tree") : "?",
			    e ? " --external " : "", e ? e : "");
	json_t *p;
	size_t i;

	json_array_foreach(with_paths ? json_object_get(k, "paths") : NULL, i, p) {
		char *n = xasprintf("%s%s%s", s, i ? "," : " --paths ", json_string_value(p));

		free(s);
		s = n;
	}
	return s;
}

/*
 * NULL when DIR/inventory.json (and so records.json) was made from what o
 * names (its tree and driver directory, and with_paths its --paths too);
 * else "WHAT IT WAS MADE FROM, not WHAT O NAMES".
 */
static char *other_source(const struct options *o, int with_paths)
{
	char *inv_path = out_path(o, "inventory.json"), *why = NULL;
	json_t *inv, *had, *now = source_key(o);

	if (!path_exists(inv_path)) {
		free(inv_path);
		json_decref(now);
		return NULL;
	}
	inv = load_inventory_file(inv_path);
	had = json_deep_copy(json_object_get(inv, "source"));
	if (!had)	/* an inventory of an mmapport that recorded only the tree */
		had = json_pack("{s:s?,s:n,s:[]}", "tree", jstr(inv, "tree"), "external");
	if (!with_paths) {
		json_object_del(had, "paths");
		json_object_del(now, "paths");
	}
	if (!json_equal(had, now)) {
		char *a = describe(had, with_paths), *b = describe(now, with_paths);

		why = xasprintf("%s, not %s", a, b);
		free(a);
		free(b);
	}
	json_decref(had);
	json_decref(now);
	json_decref(inv);
	free(inv_path);
	return why;
}

/* convert, check and series work on records classified from this tree and driver directory. */
static void same_tree(const struct options *o)
{
	char *why = other_source(o, 0);

	if (why)
		die("%s: the records were made from %s: run 'mmapport classify' (or run) with this tree first",
		    o->out, why);
}

static int do_scan(struct options *o)
{
	json_t *hooks = NULL, *records;
	double t0 = now_seconds();

	need_tree(o);
	records = scan_tree(o->tree, &o->paths, o->external, &hooks);
	if (o->out_given) {
		json_t *inv = json_object();
		char *p;

		need_out(o);
		json_object_set_new(inv, "tree", json_string(o->tree));
		json_object_set_new(inv, "source", source_key(o));
		json_object_set_new(inv, "hooks", json_incref(hooks));
		json_object_set_new(inv, "records", json_incref(records));
		p = out_path(o, "inventory.json");
		if (json_dump_path(inv, p))
			die("%s: cannot write", p);
		free(p);
		json_decref(inv);
	}
	if (o->json) {
		char *s = json_dumps(records, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		puts(s);
		free(s);
	} else {
		print_summary(records);
		info("scan: %zu registrations of %zu hook members in %.1f s",
		     json_array_size(records), json_array_size(hooks), now_seconds() - t0);
	}
	json_decref(hooks);
	json_decref(records);
	return 0;
}

/* The core's rules as the tree has them: one line per rule, or JSON. */
static int do_rules(struct options *o)
{
	json_t *core, *x;
	size_t i;
	int bad = 0;

	need_tree(o);
	core = core_rules(o->tree);
	if (o->json) {
		char *s = json_dumps(core, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		puts(s);
		free(s);
	} else {
		json_array_foreach(json_object_get(core, "rules"), i, x)
			printf("%-40s %-5s %s\n", jstr(x, "id"),
			       json_is_true(json_object_get(x, "holds")) ? "holds" : "no",
			       jstr(x, "from"));
		printf("%-40s ", "special-flags");
		json_array_foreach(json_object_get(core, "special_flags"), i, x)
			printf("%s%s", i ? " " : "", json_string_value(x));
		printf("\n");
	}
	json_array_foreach(json_object_get(core, "rules"), i, x)
		bad |= !json_is_true(json_object_get(x, "holds"));
	json_decref(core);
	return bad;
}

static int do_classify(struct options *o)
{
	char *inv_path, *why = NULL;
	json_t *inv, *records, *core, *plan;

	need_tree(o);
	need_tools(o, "classify");
	need_out(o);
	inv_path = out_path(o, "inventory.json");
	why = other_source(o, 1);
	if (why)
		info("classify: the inventory is of %s; scanning again", why);
	if (!path_exists(inv_path) || why) {
		if (!why)
			info("classify: no inventory yet, scanning first");
		do_scan(&(struct options){ .tree = o->tree, .out = o->out, .out_given = 1,
					   .paths = o->paths, .external = o->external });
	}
	inv = load_inventory_file(inv_path);
	records = json_deep_copy(json_object_get(inv, "records"));
	{
		/* the flags classify parses with (equiv.c reads them): never an older run's */
		char *fl = out_path(o, OUT_FLAGS_DB);

		unlink(fl);
		free(fl);
	}
	classify_records(o->external ? o->external : o->tree, o->tree, records);
	/* the core's rules as the kernel tree has them: decide's, then convert's */
	core = core_rules(o->tree);
	save_out(o, "core-rules.json", core);
	if (!o->lexical)
		analyze_records(o, o->external ? o->external : o->tree, records, core);
	else
		lexical_verdict(records);
	json_decref(core);
	/* the dispatcher plan, which report prints */
	plan = dispatcher_plan(records);
	save_out(o, OUT_DISPATCHERS, plan);
	json_decref(plan);
	save_records(o, records);
	if (o->json) {
		char *s = json_dumps(records, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		puts(s);
		free(s);
	} else {
		json_t *by_ops = json_object(), *by_cat = json_object();

		report_counts(records, by_ops, by_cat);
		print_column("category", by_cat, 20);
		json_decref(by_ops);
		json_decref(by_cat);
	}
	json_decref(inv);
	json_decref(records);
	free(inv_path);
	return 0;
}

/*
 * A stage that reads the records and writes them back (convert, check,
 * series): its inputs checked, fn run on them, the records saved.
 */
static int on_records(struct options *o, const char *stage,
		      int (*fn)(const struct options *o, json_t *records))
{
	json_t *records;
	int r;

	need_tree(o);
	need_tools(o, stage);
	need_out(o);
	same_tree(o);
	records = load_records(o);
	r = fn(o, records);
	save_records(o, records);
	json_decref(records);
	return r;
}

static int do_convert(struct options *o)
{
	return on_records(o, "convert", convert_records);
}

static int do_check(struct options *o)
{
	return on_records(o, "check", check_records);
}

/*
 * The code comparison of every converted record, again, on DIR/work as it
 * is now (docs/equivalence.md): one line per conversion with its verdict;
 * exits 1 when one differs.  The records are not written.
 */
static int do_equiv(struct options *o)
{
	json_t *records, *r;
	char *work;
	size_t i;
	int ndiff;

	need_tree(o);
	need_out(o);
	same_tree(o);
	records = load_records(o);
	if (o->paths.n) {
		/* --paths: only the conversions under them */
		json_t *sub = json_array();

		json_array_foreach(records, i, r) {
			const char *f = jstr(r, "file");
			int k, in = 0;

			for (k = 0; k < o->paths.n && !in; k++) {
				size_t n = strlen(o->paths.v[k]);

				in = !strncmp(f, o->paths.v[k], n) && (!f[n] || f[n] == '/');
			}
			if (in)
				json_array_append(sub, r);
		}
		json_decref(records);
		records = sub;
	}
	work = work_tree(o, 0);
	ndiff = equivalence_files(o, records, work);
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");
		json_t *eq = json_object_get(c, "equivalence");

		if (!eq || strcmp(jstr(c, "status"), "converted"))
			continue;
		printf("%s:%s %s", jstr(r, "file"), jstr(r, "function"), jstr(eq, "verdict"));
		if (!strcmp(jstr(eq, "verdict"), "differs")) {
			char *why = code_differs_reason(r);

			printf(": %s", why);
			free(why);
		} else if (json_is_false(json_object_get(eq, "code_compared"))) {
			printf(" (code not compared: %s)", jstr(eq, "code_why"));
		}
		printf("\n");
	}
	free(work);
	json_decref(records);
	return ndiff ? 1 : 0;
}

static int do_series(struct options *o)
{
	return on_records(o, "series", series_records);
}

static int do_report(struct options *o)
{
	json_t *records, *timings, *times;
	char *tp, *ctp;
	int r;

	need_out(o);
	records = load_records(o);
	tp = out_path(o, "timings.json");
	timings = path_exists(tp) ? load_timings_file(tp) : json_object();
	/* every input read, and its shape checked, before the report is written */
	ctp = out_path(o, "check-times.json");
	times = path_exists(ctp) ? load_check_times_file(ctp) : json_object();
	free(ctp);
	r = report_records(o, records, timings, times);
	if (!r)
		r = report_html(o, records, timings);
	json_decref(records);
	json_decref(timings);
	json_decref(times);
	free(tp);
	return r;
}

static int do_run(struct options *o);

static int do_replay(struct options *o)
{
	if (!o->old_tree || !o->new_tree)
		die("replay needs both trees: --old TREE_A --new TREE_B");
	if (o->tree || o->external || o->paths.n)
		die("replay takes --old and --new, not --tree, --external or --paths");
	o->old_tree = need_kernel_tree("--old", o->old_tree);
	o->new_tree = need_kernel_tree("--new", o->new_tree);
	need_safe_path("--old", o->old_tree);
	need_safe_path("--new", o->new_tree);
	o->out = out_claim(o->out, o->old_tree, o->new_tree, o->out_given);
	return replay(o);
}

/* The stages; those of a run first, in the order it runs them (in_run). */
static const struct stage stages[] = {
	{ "scan", do_scan, 1,
	  "usage: mmapport scan [--json] [--out DIR] [--paths P] [--external DIR] [--tree] TREE\n"
	  "Find every registration of an mmap hook: file_operations .mmap and\n"
	  ".mmap_prepare, proc_ops .proc_mmap, and every other ops struct member\n"
	  "whose name says mmap and whose type takes a struct vm_area_struct *\n"
	  "(or a struct vm_area_desc *).  --json prints the records as a JSON\n"
	  "array; otherwise a count per ops type.  With --out, writes\n"
	  "DIR/inventory.json (hooks found and records).\n",
	  "  --json           print the records as JSON on stdout\n" },
	{ "classify", do_classify, 1,
	  "usage: mmapport classify [--out DIR] [--tree] TREE\n"
	  "Give each record of DIR/inventory.json a category (simple, pfn-remap,\n"
	  "page-insert, stateful, needs-vma, stacked, dispatcher, dma-mmap,\n"
	  "already-prepare, no-handler, unparsed) and the facts that decided it;\n"
	  "writes DIR/records.json.  Scans first when there is no inventory.\n",
	  "  --json           print the records as JSON on stdout\n"
	  "  --lexical        the lexical classifier only (no libclang)\n"
	  "  -j, --jobs N     parse with N workers (default: the core count)\n" },
	{ "convert", do_convert, 1,
	  "usage: mmapport convert [--out DIR] [--api mainline|rfc] [--tree] TREE\n"
	  "Convert the simple, pfn-remap, page-insert and stateful handlers of\n"
	  "DIR/records.json to mmap_prepare in the work tree DIR/work (a git\n"
	  "clone of TREE, or a scratch copy), each with its equivalence verdict;\n"
	  "refuse, with the reason, what cannot be converted exactly or stated.  TREE\n"
	  "itself is never written.  Refuses a tree without mmap_prepare unless\n"
	  "--api is given.\n", NULL },
	{ "check", do_check, 1,
	  "usage: mmapport check [--out DIR] [--arch LIST] [--tree] TREE\n"
	  "Build each converted file's object with sparse (C=2), before and after\n"
	  "the conversion, on every architecture profile (arch/NAME.conf; --arch\n"
	  "restricts them, default all) whose Kconfig builds it, in DIR/build/NAME\n"
	  "(configured and prepared once).  Each cell of the file x arch matrix is\n"
	  "pass, fail (with the first new message), n/a (not built there) or\n"
	  "skipped (no cross compiler; base does not build).  A conversion passes\n"
	  "when it passes somewhere and fails nowhere; any other is reverted in the\n"
	  "work tree and dropped.  Files whose handler maps I/O memory (the record's\n"
	  "io_memory) are also built on the profiles with IO_REMAP_PFN=yes.  Stops\n"
	  "with an error when the kernel would skip sparse.\n", NULL },
	{ "series", do_series, 1,
	  "usage: mmapport series [--out DIR] [--tree] TREE\n"
	  "Commit each passing conversion in the work tree, one commit per\n"
	  "driver, and write DIR/series/ with git format-patch: a cover letter\n"
	  "counting what was found, converted, passed and left, and a patch per\n"
	  "driver with its maintainers to Cc and checkpatch's verdict recorded.\n", NULL },
	{ "equiv", do_equiv, 0,
	  "usage: mmapport equiv [--out DIR] [--paths P,...] [--tree] TREE\n"
	  "Compare again the code of every conversion of DIR/records.json (under P),\n"
	  "as it is in DIR/work now, with its old handler (docs/equivalence.md): one\n"
	  "line per conversion with its verdict. Exits 1 when one differs. Writes\n"
	  "nothing.\n", NULL },
	{ "rules", do_rules, 0,
	  "usage: mmapport rules [--json] [--tree] TREE\n"
	  "Print the core's rules that decide what a conversion changes, as the\n"
	  "tree's mm/vma.c, mm/util.c and include/linux/mm.h have them: each rule,\n"
	  "whether the tree bears it out, and the function it comes from\n"
	  "(docs/core-rules.md).  Exits 1 when a rule does not hold.\n", NULL },
	{ "report", do_report, 0,
	  "usage: mmapport report [--out DIR]\n"
	  "Write DIR/report.txt and DIR/report.html from DIR/records.json.\n", NULL },
	{ "replay", do_replay, 0,
	  "usage: mmapport replay --old TREE_A --new TREE_B [--out DIR] [--arch LIST]\n"
	  "Upstream's hand ports as mmapport's regression test: every handler\n"
	  "registered as ->mmap in TREE_A and as ->mmap_prepare in TREE_B is\n"
	  "converted from TREE_A's file (put into a copy of TREE_B, DIR/tree) and\n"
	  "the conversion compared with TREE_B's hand port (docs/replay.md): same,\n"
	  "differs (each differing aspect, and who changed it from the old code)\n"
	  "or refused (the reason).  The conversions are built on --arch (default\n"
	  "x86_64) where the old file builds against TREE_B.  Writes\n"
	  "DIR/run/replay.json and the table into DIR/run/report.txt and .html.\n", NULL },
	{ "run", do_run, 0,
	  "usage: mmapport run --tree TREE --out DIR [--paths P...] [--arch LIST]\n"
	  "                    [--external DIR]\n"
	  "All stages in order: scan, classify, convert, check, series, report.\n"
	  "Writes DIR/inventory.json, DIR/records.json, DIR/series/,\n"
	  "DIR/report.txt and DIR/report.html.  An interrupted run resumes; a\n"
	  "second run changes nothing.\n", NULL },
};

static int do_run(struct options *o)
{
	json_t *timings = json_object();
	char *tp;
	size_t i;
	int r = 0;

	need_tree(o);
	need_tools(o, "run");
	need_out(o);
	tp = out_path(o, "timings.json");
	for (i = 0; i < ARRAY_SIZE(stages) && stages[i].in_run; i++) {
		double t0 = now_seconds();
		struct options so = *o;

		so.json = 0;
		so.out_given = 1;
		info("=== %s", stages[i].name);
		r = stages[i].fn(&so);
		json_object_set_new(timings, stages[i].name, json_real(now_seconds() - t0));
		json_dump_path(timings, tp);
		if (r) {
			warnx("stage %s failed", stages[i].name);
			break;
		}
	}
	if (!r) {
		double t0 = now_seconds();

		r = do_report(o);
		json_object_set_new(timings, "report", json_real(now_seconds() - t0));
		json_dump_path(timings, tp);
	}
	free(tp);
	json_decref(timings);
	return r;
}

/* The stages of a run from the first up to last, in order; the first that fails stops them. */
int run_stages_to(const char *last, struct options *o)
{
	size_t i;
	int r = 0;

	for (i = 0; i < ARRAY_SIZE(stages) && stages[i].in_run && !r; i++) {
		r = stages[i].fn(o);
		if (!strcmp(stages[i].name, last))
			break;
	}
	return r;
}

int run_stage(const char *name, struct options *o)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stages); i++)
		if (!strcmp(stages[i].name, name))
			return stages[i].fn(o);
	die("no stage called %s", name);
}

/* The stage called name, or NULL. */
const struct stage *stage_named(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stages); i++)
		if (!strcmp(stages[i].name, name))
			return &stages[i];
	return NULL;
}

/* Each stage's name, a line each, to f. */
void stages_list(FILE *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stages); i++)
		fprintf(f, "  %s\n", stages[i].name);
}
