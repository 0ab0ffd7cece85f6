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
	const char *arch;	/* check: build architecture profile */
	struct strlist paths;	/* restrict to these tree-relative paths */
	int json;
	int out_given;	/* --out was on the command line */
	int jobs;
	int keep_going;
};

/* scan.c */
json_t *scan_tree(const char *tree, const struct strlist *paths, const char *external,
		  json_t **hooks_out);

/* classify.c */
void classify_records(const char *tree, json_t *records);

/* profile.c */
struct profile {
	const char *api;	/* "mainline" or "rfc" */
	int flag_bits;		/* vma_desc_set_flags(desc, VMA_*_BIT) idiom */
	int has_prepare;	/* the tree has f_op->mmap_prepare at all */
};
int detect_profile(const char *tree, const char *want, struct profile *p);

/* worktree.c */
char *work_tree(const struct options *o);

/* convert.c */
int convert_records(const struct options *o, json_t *records);

/* overlay.c */
int overlay_apply(const char *work, const char *api, const char *log);
void overlay_revert(const char *work, const char *api);

/* check.c */
int check_records(const struct options *o, json_t *records);

/* series.c */
int series_records(const struct options *o, json_t *records);

/* report.c */
int report_records(const struct options *o, json_t *records, json_t *timings);

/* records */
char *out_path(const struct options *o, const char *name);
json_t *load_records(const struct options *o);
void save_records(const struct options *o, json_t *records);

#endif
