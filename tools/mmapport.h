/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapport.h - the stages and the options they share.
 *
 * One data model flows through the stages: the handler record (a JSON
 * object per registration of an mmap hook).  scan creates it; classify,
 * convert and check add to it; series and report read it.
 */
#ifndef MMAPPORT_H
#define MMAPPORT_H

#include <jansson.h>

#include "util.h"

struct options {
	const char *tree;	/* the user's kernel tree (never written) */
	const char *out;	/* where results and the work tree live */
	const char *external;	/* out-of-tree driver directory (M= style) */
	const char *api;	/* "mainline", "rfc" or NULL: detect */
	const char *old_tree, *new_tree;	/* replay: the older and the newer tree */
	const char *arch;	/* check: build architecture profile */
	struct strlist paths;	/* restrict to these tree-relative paths */
	int json;
	int out_given;	/* --out was on the command line */
	int jobs;
	int keep_going;
	int lexical;	/* classify: the lexical classifier only */
	int no_compat;	/* --external: the plain in-tree form, no version test */
	const char *compat_macro;	/* --external: the driver's own macro for the new API */
	const char *compat_tree;	/* --external: an older tree the #else side is built on */
	const char *external_build;	/* --external: how the driver is built (extbuild.c) */
	const char *external_configure;	/* --external: its configure step (extbuild.c) */
};

/* extbuild.c: how an --external driver is built (M= below its top, its make variables) */
struct ext_build {
	char *subdir;		/* the M= directory below the driver's top; "" for the top */
	struct strlist vars;	/* VAR=value words for make */
	const char *from;	/* "--external-build", "dkms.conf MAKE[0]" or NULL */
	struct strlist configure;	/* its configure step's words; none: no step */
	const char *configure_from;	/* "--external-configure", "dkms.conf PRE_BUILD" */
};
void ext_build_of(const struct options *o, struct ext_build *b);
void ext_build_free(struct ext_build *b);
struct arch_profile;
int ext_configure(const struct ext_build *b, const char *top, const char *ktree,
		  const char *kdir, const struct arch_profile *p, const char *log, char **why);
json_t *ext_configured(const char *top);
int ext_includes(const char *tree, const char *file, const json_t *names);

/* compat.c: an --external conversion under a version test, the old code kept */
int tree_release(const char *tree, int *version, int *patchlevel);
long tree_version_code(const char *tree);
char *compat_guard(const char *tree, const char *macro);
int compat_wrap(const char *path, const char *old, const char *diff, const char *guard);

/* scan.c */
json_t *scan_tree(const char *tree, const struct strlist *paths, const char *external,
		  json_t **hooks_out);

/* classify.c */
void classify_records(const char *tree, const char *ktree, json_t *records);
void lexical_verdict(json_t *records);

/* profile.c: the API profile (not an architecture profile: arch.c) */
struct api_profile {
	const char *api;	/* "mainline" or "rfc" */
	const char *native;	/* the API the tree itself has: "rfc", "mainline" or NULL */
	int has_mainline;	/* struct mmap_action in include/linux/mm_types.h */
	int has_rfc;		/* mmap_complete in include/linux/fs.h */
	int flag_bits;		/* vma_desc_set_flags(desc, VMA_*_BIT) idiom */
	int has_prepare;	/* the tree has f_op->mmap_prepare at all */
	int has_mapped;		/* vm_operations_struct has the mapped hook */
	char *twins;		/* "F,G": library handlers F with an F_prepare(desc) twin */
};
int detect_api_profile(const char *tree, const char *want, struct api_profile *p);
void warn_missing_api(const struct options *o, const struct api_profile *p);

/* state.c: what a stateful handler keeps, as a plan for the state rule */
json_t *state_plan(json_t *r, const struct api_profile *p, char **why);
/*
 * equiv.c: the equivalence of converting r by method (with the state
 * plan, and an mmap_abort or not, under the tree's core rules): {verdict exact/stated/differs, effects
 * with their placement, differences, merged} (docs/equivalence.md).  The
 * behaviour changes a semantic patch states make an exact one stated.
 */
json_t *equivalence(json_t *r, const char *method, json_t *plan, int has_abort,
		    json_t *core);
/* equiv.c: the old handler's code against the conversion's (summaries, analyze.c). */
void equivalence_code(json_t *r, json_t *old_sum, json_t *new_sums, json_t *old_sums);
int equivalence_files(const struct options *o, json_t *records, const char *work);
/*
 * equiv.c, for replay: record r's conversion (its code in ours_path) against
 * upstream's hand port theirs_fn in theirs_path: {verdict same, differs or
 * not-compared, why, differences [{what, old, ours, theirs, by, stated}]}.
 */
json_t *equivalence_replay(const struct options *o, json_t *r, const char *ours_path,
			   const char *theirs_path, const char *theirs_fn);
char *code_differs_reason(json_t *r);
/* words.c: a difference of a conversion's equivalence, and its verdict, in words. */
char *difference_words(json_t *r, json_t *d);
char *verdict_words(json_t *r);
/* words.c: a row of replay.json (docs/replay.md), its reason, one difference. */
char *replay_row_words(json_t *row);
char *replay_reason_words(json_t *row);
char *replay_difference_words(json_t *d);
/* core.c: the core's rules as the tree's mm/ has them (docs/core-rules.md). */
json_t *core_rules(const char *tree);
int core_rule(json_t *rules, const char *id);
extern const char *const core_rule_ids[];

/* worktree.c: DIR is mmapport's own (marker, lock); DIR/work tied to its source */
void git_isolate(void);
char *git_user_config(const char *key);
char *out_claim(const char *out, const char *tree, const char *external, int out_given);
char *work_tree(const struct options *o, int remake);
char *work_base(const char *work);
void work_reset(const char *work, const char *base, const char *branch);
void remove_tree(const char *path);

/* convert.c */
int convert_records(const struct options *o, json_t *records);

/* arch.c: architecture profiles (arch/NAME.conf) */
struct arch_profile {
	char *name;		/* NAME of arch/NAME.conf */
	char *text;		/* the profile as read */
	char *arch, *srcarch, *cross_compile, *package, *config, *description;
	struct strlist fragments;	/* absolute paths of the config fragments */
	int io_remap_pfn;	/* the arch translates PFNs in io_remap_pfn_range */
	int variant;		/* a config variant made for files no profile builds */
};
int arch_profiles(const char *list, struct arch_profile **out);
char *arch_path_name(const struct arch_profile *p);
int arch_has_toolchain(const struct arch_profile *p);
char *arch_no_toolchain(const struct arch_profile *p);
char *arch_compiler(const struct arch_profile *p);
void arch_make_args(const struct arch_profile *p, struct strlist *argv);
double arch_configure(const struct arch_profile *p, const char *work, const char *base,
		      const char *bdir, const char *log);
double arch_prepare(const struct arch_profile *p, const char *work, const char *bdir,
		    const char *log, int jobs);
void arch_load_config(const char *bdir, struct strlist *config);
/* Prepared build directories shared between runs (buildcache.c). */
int build_cache_enabled(void);
int build_cache_restore(const char *pkey, const char *srcarch, const char *work,
			const char *base, const char *bdir);
void build_cache_store(const char *srcarch, const char *work, const char *bdir);
/* A configured directory that will not be prepared: let other runs prepare its key. */
void build_cache_release(void);
char *arch_config_mismatch(const struct arch_profile *p, const char *bdir);
struct arch_profile *arch_variant(const struct arch_profile *p, const char *name,
				  const char *fragment, const char *summary);
char arch_config_value(const struct strlist *config, const char *sym);
char *arch_file_gates(const char *tree, const struct arch_profile *p, const char *file,
		      struct strlist *syms);
/* Which files a profile builds, from kbuild's own lists (memoised). */
struct arch_selection {
	const struct arch_profile *prof;
	const char *work, *bdir;
	struct strlist *config;	/* the prepared .config */
	json_t *dirs;		/* dir -> {objs, subdirs} as kbuild computes them */
	json_t *reach;		/* dir -> {why kbuild never descends into it, or null; gated} */
};
void arch_selection_init(struct arch_selection *sel, const struct arch_profile *p,
			 const char *work, const char *bdir);
void arch_selection_free(struct arch_selection *sel);
/* gated: the reason is a Kconfig symbol that is off (a config variant may build it) */
char *arch_applies(struct arch_selection *sel, const char *file, int *gated);

/* kconfig.c */
void kconfig_depends(const char *tree, const char *srcarch, const struct strlist *syms,
		     struct strlist *deps);
char *kconfig_enable(const char *tree, const char *srcarch, const struct strlist *config,
		     const struct strlist *syms, char **summary, char **why);
int kconfig_settable(const char *tree, const char *srcarch, const char *sym);

/* overlay.c */
int overlay_apply(const char *work, const char *api, const char *native, const char *log);
void overlay_revert(const char *work, const char *api);

/* check.c */
int check_records(const struct options *o, json_t *records);
extern const char *const cell_statuses[4];	/* pass, fail, skipped, n/a */

/* series.c */
int series_records(const struct options *o, json_t *records);

/* stages.c: the stages as commands; run_stage(): the one called name, with o */
struct stage {
	const char *name;
	int (*fn)(struct options *o);
	int in_run;		/* run does it, in the table's order (then report) */
	const char *usage;
	const char *options;	/* its own options, for --help, beside the common ones */
};
const struct stage *stage_named(const char *name);
void stages_list(FILE *f);
int run_stage(const char *name, struct options *o);
int run_stages_to(const char *last, struct options *o);
/* stages.c: the tree at path is a kernel tree (else die, naming what) */
char *need_kernel_tree(const char *what, const char *path);

/* replay.c: the hand ports from --old to --new against mmapport's (docs/replay.md) */
int replay(struct options *o);

/* report.c */
int report_records(const struct options *o, json_t *records, json_t *timings,
		   json_t *check_times);
void report_counts(json_t *records, json_t *by_ops, json_t *by_cat);

/* report_html.c */
int report_html(const struct options *o, json_t *records, json_t *timings);

/* records.c: the record store */
char *out_path(const struct options *o, const char *name);
char *arch_build_dir(const struct options *o, const char *name);
/* files of DIR that more than one stage names */
#define OUT_FLAGS_DB	"analyzer/flags.json"	/* the compile flags classify parsed with */
#define OUT_DISPATCHERS	"dispatchers.json"	/* classify's dispatcher plan, which report prints */
json_t *load_records(const struct options *o);
void save_records(const struct options *o, json_t *records);
void save_out(const struct options *o, const char *name, json_t *j);
json_t *load_core_rules(const struct options *o);
json_t *success_return(json_t *an);
char *flat_path(const char *file);
char *diff_rel_path(const char *file);
const char *record_def_file(json_t *r);
char *record_diff(const struct options *o, json_t *records, const char *file);

#endif
