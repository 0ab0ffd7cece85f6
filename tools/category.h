/* SPDX-License-Identifier: GPL-2.0 */
/*
 * category.h - the categories and the kernel API lists that decide them,
 * shared by the lexical classifier (classify.c) and the libclang analyzer
 * (analyzer/).  The semantic patches keep their own copy of the
 * state-taking and stacked lists and of CALL_DEPTH, since they also run
 * alone under make coccicheck; tests/47-lists.t keeps the copies the same.
 */
#ifndef MMAPPORT_CATEGORY_H
#define MMAPPORT_CATEGORY_H

#include "util.h"

/*
 * How many calls deep a call that receives the VMA is followed, by the
 * lexical classifier, the analyzer and cocci/facts.cocci (-D call_depth).
 */
#define CALL_DEPTH 3

/* Strongest reason last: a handler gets the highest that applies. */
enum category {
	CAT_SIMPLE,
	CAT_STATEFUL,
	CAT_NEEDS_VMA,
	CAT_PAGE_INSERT,
	CAT_PFN_REMAP,
	CAT_DMA_MMAP,
	CAT_STACKED,
	CAT_UNPARSED,
	CAT_DISPATCHER,
	CAT_ALREADY_PREPARE,
	CAT_NO_HANDLER,
};

extern const char *const cat_names[];

/*
 * A handler's category as the facts found raise it, the strongest
 * kept: each fact once, in the order found; those beyond simple also in
 * reasons ({category, fact}), when reasons is not NULL.
 */
struct findings {
	enum category cat;
	json_t *facts;		/* strings a reviewer reads */
	json_t *reasons;	/* the facts that raised it beyond simple, or NULL */
	int nreasons;
};

void finding(struct findings *f, enum category c, const char *fmt, ...)
	__printf(3, 4);

/* VMA fields with a descriptor equivalent: read / assigned. */
extern const char *const vma_fields_read[];
extern const char *const vma_fields_write[];

/* Calls that take the VMA, by what they do (the field table of docs/hazards.md). */
extern const char *const calls_simple[];
extern const char *const calls_remap[];
extern const char *const calls_insert[];
extern const char *const calls_stacked[];

/*
 * What a call takes or releases, by its name: "lock", "ref", "alloc", or
 * NULL.  The lists and name patterns of docs/categories.md (stateful).
 */
const char *resource_taken(const char *call);
const char *resource_released(const char *call);
const char *resource_taken_listed(const char *call);
const char *resource_released_listed(const char *call);

/* What a call does by its name alone, or NULL (docs/categories.md, "Effects"). */
const char *effect_by_name(const char *name, int visible, const char **why, const char **kind);
const char *effect_by_unexpanded_name(const char *name, int visible, const char **why,
				      const char **kind);

/*
 * The library handlers F whose prepare twin "F_prepare(struct vm_area_desc
 * *)" the tree's include/linux/fs.h or mm.h declares, comma-separated.
 */
char *prepare_twins(const char *tree);
int has_twin(const char *twins, const char *fn);

#endif
