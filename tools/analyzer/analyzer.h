/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analyzer.h - the libclang analyzer: compile flags from the kernel's own
 * build, facts per handler from the AST, and the category those facts
 * decide (docs/categories.md).
 */
#ifndef MMAPPORT_ANALYZER_H
#define MMAPPORT_ANALYZER_H

#include <jansson.h>

#include "../mmapport.h"

/* A record's or a fact's offset and line. */
static inline long long off(json_t *o)
{
	return json_integer_value(json_object_get(o, "offset"));
}

static inline long long line_of(json_t *o)
{
	return json_integer_value(json_object_get(o, "line"));
}

/*
 * compdb.c: the compile command of every file in files (tree-relative .c
 * paths) that x86_64 allmodconfig can build, from kbuild in bdir, as
 * clang arguments (gcc-only flags dropped).  Returns an object mapping
 * file -> array of arguments, and in *how a word on where they came from.
 * A tree without kbuild (the test suite's fake trees) gets the fallback
 * flag set of compdb_fallback() instead.
 */
json_t *compdb_for_files(const char *tree, const char *bdir, const struct strlist *files,
			 int jobs, const char **how);
json_t *compdb_fallback(const char *tree);
json_t *compdb_for_external(const char *ktree, const char *bdir, const char *mdir,
			    const struct ext_build *eb, const struct strlist *files, int jobs,
			    const char *log);
json_t *compdb_for_profile(const char *tree, const char *bdir, const struct strlist *files,
			   int jobs, const struct arch_profile *p, const char *target);
/* multiconf.c: handlers x86_64 cannot see, parsed in their arch's allmodconfig. */
void analyze_other_configs(const struct options *o, const char *tree, json_t *records);
/* Split a shell command line into words (quotes removed). */
void shell_split(const char *cmd, struct strlist *out);

/* analyze.c: parse each file once and give each record its analysis. */
struct analyze_file {
	const char *file;	/* tree-relative */
	json_t *args;		/* clang arguments, or NULL: not parseable here */
	const char *why_not;	/* when args is NULL */
	json_t *records;	/* the records registered in this file (borrowed) */
};
/* Analyze one file's records in this process (a worker). */
void analyze_file(void *index, const char *tree, struct analyze_file *af, int syntax_only);
/*
 * The summaries (calls with their arguments, assignments, returns, locals,
 * flag tests) of the functions fns of the file at path, parsed with jargs:
 * name -> summary, or NULL when the file does not parse.
 */
json_t *summarize(void *index, const char *path, json_t *jargs, const struct strlist *fns);
/* The VM_ flag names in text (VMA_X_BIT read as VM_X), sorted, "|"-joined. */
char *flag_names(const char *text);
/* analysis.arch_branches from a handler's text, whitespace collapsed (docs/hazards.md, H9). */
void arch_branches_text(const char *text, json_t *an);

/*
 * cocci.c: the fallback where libclang produced no facts (another
 * architecture's file, code disabled by #if, a parse error in the
 * handler): cocci/facts.cocci on each such file, one spatch per file and
 * --jobs at once, its facts made into the record's analysis
 * (analysis.source "coccinelle") for decide.c.  Returns how many records
 * got facts; *secs is the time spent.
 */
int cocci_fallback(const char *tree, const char *tmpdir, struct analyze_file *af,
		   int nfiles, int jobs, double *secs);

/* decide.c: category, subcategory, confidence and facts from an analysis. */
void decide_record(json_t *r);
/* The core's rules (core.c) decide_record() uses; borrowed. */
void decide_set_core(json_t *rules);
/* Does release rel pair with take t; is t still held at offset at? */
int resource_pairs(json_t *take, json_t *rel);
int resource_held_at(json_t *an, json_t *take, long long at, int success);

/* plan.c: the dispatcher plan (docs/categories.md, The dispatcher plan). */
json_t *dispatcher_plan(json_t *records);
void dispatcher_plan_print(FILE *f, json_t *plan);

/* analyzer.c: the driver, called by classify. */
int analyze_records(const struct options *o, const char *tree, json_t *records, json_t *core);
char *kbuild_source(const struct options *o, const char *tree, char **base);
void kbuild_prepare_x86(const struct options *o, const char *ktree, const char *kbase,
			const char *bdir);
double analyze_parallel(const char *tree, const char *tmpdir, struct analyze_file *af,
			int nfiles, int jobs, int syntax_only);

#endif
