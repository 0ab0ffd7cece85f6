/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MMAPPORT_UTIL_H
#define MMAPPORT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

extern const char *progname;

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int verbose;

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xvasprintf(const char *fmt, va_list ap);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file; returns NULL (errno set) on failure. */
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const char *data, size_t len);
int path_exists(const char *path);
int is_dir(const char *path);
int mkdir_p(const char *path);
char *abs_path(const char *path);

/* A growable list of strings. */
struct strlist {
	char **v;
	int n, cap;
};
void strlist_add(struct strlist *l, const char *s);
int strlist_has(const struct strlist *l, const char *s);
int strlist_index(const struct strlist *l, const char *s);
int file_has(const char *path, const char *needle);
const char *out_of_space(const char *log);
char *first_error_line(const char *log);
char *log_reason(const char *log);
void strlist_add_once(struct strlist *l, const char *s);
/* s is one of the NULL-terminated list; s ends with suf */
int str_in_list(const char *s, const char *const *list);
int str_ends_with(const char *s, const char *suf);
void strlist_free(struct strlist *l);

/*
 * Walk dir (relative paths from root) and call fn for every regular file
 * whose name ends in one of the suffixes.  Skips .git, the directories
 * listed in skip (relative to root) and mmapport's output directories.
 */
/* The file that marks an mmapport output directory; walk_tree never enters one. */
#define MMAPPORT_OUT_MARKER ".mmapport-out"
typedef void (*walk_fn)(const char *root, const char *rel, void *arg);
void walk_tree(const char *root, const char *dir, const char *const *suffixes,
	       const struct strlist *skip, walk_fn fn, void *arg);

/*
 * Run argv (argv[0] looked up in PATH) in dir (NULL: here); stdout and
 * stderr go to out_path (NULL: inherited).  Returns the exit status, or
 * -1 if it could not be run.
 */
int run_cmd(const char *dir, const char *out_path, char *const argv[]);
/* Run a shell command line in dir; returns its exit status. */
int run_sh(const char *dir, const char *out_path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Run a shell command and capture its stdout (trailing newline removed). */
char *run_capture(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *shell_quote(const char *s);

/* JSON files */
json_t *json_load_path(const char *path);
int json_dump_path(json_t *j, const char *path);
int jarray_add_unique(json_t *arr, const char *s);
const char *jstr(json_t *obj, const char *key);
int jint(json_t *obj, const char *key);

double now_seconds(void);
/* Directory holding the running program's project (parent of bin/). */
const char *project_dir(void);

#endif
