/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MMAPPORT_UTIL_H
#define MMAPPORT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* the number of elements of an array (not of a pointer) */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* the kernel's names of the attributes (include/linux/compiler_attributes.h) */
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))

extern const char *progname;

void die(const char *fmt, ...) __printf(1, 2) __noreturn;
void warnx(const char *fmt, ...) __printf(1, 2);
void info(const char *fmt, ...) __printf(1, 2);
extern int verbose;

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xvasprintf(const char *fmt, va_list ap);
char *xasprintf(const char *fmt, ...) __printf(1, 2);

/* Read a whole file; returns NULL (errno set) on failure. */
char *read_file(const char *path, size_t *len);
/* read_file() of the file rel under dir. */
char *read_file_at(const char *dir, const char *rel, size_t *len);
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
/* Is file (relative to the tree) another architecture's: in arch/, not arch/SRCARCH/? */
int other_arch_file(const char *file, const char *srcarch);
void split_lines(const char *text, struct strlist *l);
void strlist_free(struct strlist *l);
char *strlist_join(const struct strlist *l, const char *sep);

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
 * Commands without a shell.  argv[0] is looked up in PATH and every
 * argument reaches the program as one word, whatever bytes it holds: a
 * file name, a path or a user's value is never parsed by a shell.  Every
 * command mmapport runs with such data in it goes through these.
 *
 * struct run_opts says where and with what; every field may be left 0:
 *   dir     chdir here in the child (NULL: stay)
 *   out     stdout to this file (NULL: inherited; "/dev/null" drops it)
 *   err     stderr to this file (NULL: inherited); the same name as out
 *           puts both in that one file, in the order written
 *   append  add to out/err instead of truncating them
 *   env     "NAME=value" strings set in the child only
 * With -v each command is shown, its words quoted for reading.
 */
struct run_opts {
	const char *dir, *out, *err;
	int append;
	const struct strlist *env;
};
/* Start argv; returns the child's pid (dies if it cannot fork). */
pid_t spawn_list(const struct run_opts *ro, struct strlist *argv);
/*
 * Run argv; returns its exit status (127 when it could not be started),
 * 128 + the signal that ended it, or -1 if it could not be waited for.
 */
int run_list(const struct run_opts *ro, struct strlist *argv);
/* run_list() of the NULL-terminated words; stdout and stderr to log (NULL: inherited). */
int run_v(const char *dir, const char *log, const char *arg0, ...)
	__attribute__((sentinel));
/*
 * Run argv with its stdout captured (ro->out is ignored); returns that
 * output with trailing newlines removed, whatever its exit status, which
 * *status (may be NULL) gets as run_list() returns it; NULL if no pipe
 * could be made or the child could not be waited for.
 */
char *capture_list(const struct run_opts *ro, struct strlist *argv, int *status);
/* capture_list() of the NULL-terminated words, stderr dropped; NULL unless it exits 0. */
char *capture_v(const char *dir, const char *arg0, ...) __attribute__((sentinel));
/* strlist_add() of a formatted string: "O=%s", "-j%d". */
void strlist_addf(struct strlist *l, const char *fmt, ...) __printf(2, 3);

/*
 * No command runs through a shell: every one is an argument vector above.
 * shell_quote() only shows a word of one under -v (single quotes around
 * it, each ' as '\'').
 */
char *shell_quote(const char *s);

/*
 * File names kbuild, Coccinelle and git take safely: 1 when rel is not
 * empty, every byte is one of A-Z a-z 0-9 . _ , + - /, and no part between
 * slashes starts with '-'; else 0.  A name outside that set is refused
 * (scan: a warning and no record; --paths: an error) and never reaches
 * make, spatch or git: kbuild runs object names through its shell recipes
 * and Coccinelle its own diff/cp, unquoted.
 */
int safe_file_name(const char *rel);
/* "REL: file name refused: ..." saying why, rel shown with printable_name(). */
char *refused_name_reason(const char *rel);
/*
 * s for a message: valid UTF-8 as it is; control characters, backslash
 * and bytes that are not valid UTF-8 as \xNN.
 */
char *printable_name(const char *s);

/* JSON files */
json_t *json_load_path(const char *path);
int json_dump_path(json_t *j, const char *path);
int jarray_add_unique(json_t *arr, const char *s);
json_t *jarray_of(json_t *obj, const char *key);
json_t *files_naming(const char *tree, const struct strlist *names, int headers);
char *grep_tree(const char *tree, const char *flags, const struct strlist *args, int headers);
int grep_line(char *line, const char **file, char **text);
void blank_comments(char *text);
int names_in_code(const char *path, const char *name, int *own_static);
const char *jstr(json_t *obj, const char *key);

/* A record's or a fact's string, "?" when absent. */
static inline const char *js(json_t *o, const char *k)
{
	const char *s = jstr(o, k);

	return s ? s : "?";
}
int jint(json_t *obj, const char *key);

double now_seconds(void);
/* Directory holding the running program's project (parent of bin/). */
const char *project_dir(void);

/* spatch's time limit per file, in seconds */
#define SPATCH_TIMEOUT 60
/*
 * Start cmd with "spatch --sp-file SP_FILE --timeout N", and the system's
 * python3 for its Python rules (spatch_python()).
 */
void spatch_command(struct strlist *cmd, const char *sp_file);
const char *spatch_python(void);

#endif
