/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inputs.h - what comes from the user or from disk, checked before a stage
 * does anything with it (inputs.c).
 */
#ifndef MMAPPORT_INPUTS_H
#define MMAPPORT_INPUTS_H

#include <jansson.h>

struct options;

/*
 * The --paths of o, normalised (".", "..", "//", a trailing "/"; an
 * absolute path inside the tree made relative) and proven to exist inside
 * the tree (the --external directory with --external) once symlinks are
 * resolved; dies naming the first that does not.  A path reached through
 * a symlink inside the tree is kept as where it leads, with a line saying
 * so: the records then name the real file.  A path that is the tree
 * itself leaves o->paths empty: the whole tree.
 */
void check_paths(struct options *o);
/*
 * The path given, normalised against root (absolute, resolved) and its
 * symlinks resolved: where it is, relative to root; or NULL with *why
 * saying why not.
 */
char *tree_path(const char *root, const char *what, const char *given, char **why);

/* The rest of path below root (both absolute, resolved), or NULL when it is not below. */
const char *path_below(const char *root, const char *path);
/* realpath() of path's deepest existing prefix, the rest appended (absolute). */
char *resolve_path(const char *path);

/* Dies unless path (the tree, --external, DIR) is one kbuild and spatch take safely. */
void need_safe_path(const char *what, const char *path);

/* Dies when a tool that stage ("run": every stage) needs is not on PATH. */
void need_tools(const struct options *o, const char *stage);

/*
 * Dies unless the sparse at path warns about a known-bad snippet (a plain
 * pointer passed as a __user one); dir holds the snippet and its log.
 */
void sparse_probe(const char *sparse, const char *dir);

/*
 * The JSON files the stages read back, loaded and their shape checked;
 * dies with "PATH: not an mmapport ... file: what is wrong" (invalid JSON:
 * with its line and column) before anything is written.
 */
json_t *load_records_file(const char *path);
json_t *load_inventory_file(const char *path);
json_t *load_timings_file(const char *path);
json_t *load_check_times_file(const char *path);
json_t *load_replay_file(const char *path);
json_t *load_dispatchers_file(const char *path);
json_t *load_core_rules_file(const char *path);

#endif
