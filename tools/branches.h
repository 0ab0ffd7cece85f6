/* SPDX-License-Identifier: GPL-2.0 */
/* branches.h - the preprocessor branches a conversion touches (branches.c) */
#ifndef BRANCHES_H
#define BRANCHES_H

#include <jansson.h>

#include "util.h"

struct branch {
	int line;	/* its directive's line */
	int outer;	/* the branch its group is in */
	int first;	/* the group's first branch */
	char *cond;	/* the directive as written */
};

struct branch_map {
	struct branch *branches;	/* [0]: outside every group */
	int nbranches;
	int *line_branch;		/* line -> branch */
	int *after_branch;		/* line -> the branch in effect after it */
	int nlines;
};

/*
 * What a group's tests may name to be settled for a kernel: its release
 * (version: the file includes linux/version.h), and the macros a driver's
 * configure step wrote for it (NAME -> the rest of its #define line, or
 * null for an #undef one; NULL: none), and the kernel configuration's
 * symbols (kconfig: an --external driver's target, whose old code is
 * kept under a guard that can name them).
 */
struct settle {
	int version;
	const json_t *macros;
	const json_t *kconfig;	/* CONFIG_X -> "y", "m" or another value; absent: not set */
};

json_t *diff_touched_files(const char *patch);
void config_symbols_of(const char *cond, struct strlist *syms, int whole);
int branch_map_read(struct branch_map *m, const char *path);
void branch_map_free(struct branch_map *m);
int branch_of(const struct branch_map *m, int line);
int branch_after(const struct branch_map *m, int line);
int branch_of_touch(const struct branch_map *m, json_t *v);
int branches_dead_for_version(const struct branch_map *m, long code, const struct settle *st,
			      char *dead, char *taken);
char *branch_settled_expr(const char *cond, const struct settle *st, int *is_else);
void branch_settled_names(const char *cond, const struct settle *st, struct strlist *names,
			  struct strlist *kconfig);
void branch_wants(const struct branch_map *m, int b, struct strlist *reqs);
int branches_live(const struct branch_map *m, const char *ipath, const char *file,
		  char *live);

#endif
