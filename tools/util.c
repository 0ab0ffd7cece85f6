// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - files, processes, lists and JSON plumbing shared by the stages.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *progname = "mmapport";
int verbose;

/* "mmapport: LEVEL" and the message, a line on stderr. */
static void vmessage(const char *level, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", progname, level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("error: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		die("out of memory");
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	buf = xmalloc(st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, st.st_size - got);

		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

char *read_file_at(const char *dir, const char *rel, size_t *len)
{
	char *path = xasprintf("%s/%s", dir, rel);
	char *text = read_file(path, len);

	free(path);
	return text;
}

int write_file(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");

	if (!f) {
		free(tmp);
		return -1;
	}
	if (fwrite(data, 1, len, f) != len || fclose(f)) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	/* rename() makes the write atomic: an interrupted run leaves the old file. */
	if (rename(tmp, path)) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) && errno != EEXIST) {
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

char *abs_path(const char *path)
{
	char *r = realpath(path, NULL);

	return r ? r : xstrdup(path);
}

void strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
}

/* Whether the file at path contains needle. */
int file_has(const char *path, const char *needle)
{
	size_t len;
	char *buf = read_file(path, &len);
	int r;

	if (!buf)
		return 0;
	r = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return r;
}

/* ": no space left on device" when the log of a command says so, else "". */
const char *out_of_space(const char *log)
{
	return file_has(log, "No space left on device") ? ": no space left on device" : "";
}

/*
 * What went wrong, as a command's log says it: the line saying "No space
 * left on device" if there is one, else the first with "error:" (any case),
 * "fatal:" (git), "*** " (make) or ": not found" (a missing program),
 * trimmed and cut at 300 characters; with none of those, the last line
 * printed.  NULL when the log is empty (or there is none); the caller frees it.
 */
char *first_error_line(const char *log)
{
	static const char *const marks[] = { "error:", "fatal:", "*** ", ": not found", NULL };
	char *buf = read_file(log, NULL), *line, *next, *r = NULL;
	int pass, k;

	if (!buf)
		return NULL;
	for (pass = 0; pass < 2 && !r; pass++) {
		for (line = buf; *line && !r; line = next) {
			size_t n = strcspn(line, "\n");
			char *l = xasprintf("%.*s", (int)n, line), *t = l;
			int hit = !pass && strstr(l, "No space left on device");

			next = line[n] ? line + n + 1 : line + n;
			for (k = 0; pass && marks[k] && !hit; k++)
				hit = strcasestr(l, marks[k]) != NULL;
			if (hit) {
				while (*t == ' ' || *t == '\t')
					t++;
				n = strlen(t);
				while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r'))
					n--;
				r = xasprintf("%.*s", (int)(n > 300 ? 300 : n), t);
			}
			free(l);
		}
	}
	/* no line that says error: the last one the command printed */
	if (!r) {
		size_t n = strlen(buf);
		char *last;

		while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		last = strrchr(buf, '\n');
		last = last ? last + 1 : buf;
		while (*last == ' ' || *last == '\t')
			last++;
		if (*last)
			r = xasprintf("%.300s", last);
	}
	free(buf);
	return r;
}

/*
 * The reason a "cannot" message gives for a command that failed:
 * out_of_space(log), then ": " and first_error_line(log); "" when the log
 * says nothing.  Meant for die(): the string is not freed.
 */
char *log_reason(const char *log)
{
	char *line = first_error_line(log);
	char *r = xasprintf("%s%s%s", out_of_space(log), line ? ": " : "", line ? line : "");

	free(line);
	return r;
}

/* The index of s in l, or -1. */
int strlist_index(const struct strlist *l, const char *s)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return i;
	return -1;
}

int strlist_has(const struct strlist *l, const char *s)
{
	return strlist_index(l, s) >= 0;
}

/* strlist_add() unless l has s already */
void strlist_add_once(struct strlist *l, const char *s)
{
	if (!strlist_has(l, s))
		strlist_add(l, s);
}

void strlist_free(struct strlist *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int has_suffix(const char *name, const char *const *suffixes)
{
	size_t n = strlen(name);

	for (; *suffixes; suffixes++) {
		size_t m = strlen(*suffixes);

		if (n >= m && !strcmp(name + n - m, *suffixes))
			return 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void walk_tree(const char *root, const char *dir, const char *const *suffixes,
	       const struct strlist *skip, walk_fn fn, void *arg)
{
	char *full = *dir ? xasprintf("%s/%s", root, dir) : xstrdup(root);
	char *marker = xasprintf("%s/%s", full, MMAPPORT_OUT_MARKER);
	DIR *d = path_exists(marker) ? NULL : opendir(full);
	struct strlist names = { 0 };
	struct dirent *e;
	int i;

	free(marker);
	if (!d) {
		free(full);
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			strlist_add(&names, e->d_name);
	closedir(d);
	/* Sorted, so that every run lists records in the same order. */
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n; i++) {
		char *rel = *dir ? xasprintf("%s/%s", dir, names.v[i]) : xstrdup(names.v[i]);
		char *path = xasprintf("%s/%s", root, rel);
		struct stat st;

		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (!skip || !strlist_has(skip, rel))
					walk_tree(root, rel, suffixes, skip, fn, arg);
			} else if (S_ISREG(st.st_mode) && has_suffix(rel, suffixes)) {
				fn(root, rel, arg);
			}
		}
		free(rel);
		free(path);
	}
	strlist_free(&names);
	free(full);
}

/* A NULL-terminated view of l's strings, for execvp. */
static char **argv_of(struct strlist *l)
{
	if (l->n + 1 > l->cap) {
		l->cap = l->n + 1;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = NULL;
	return l->v;
}

void strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strlist_add(l, s);
	free(s);
}

/* A word of a command as a reader would type it (display only). */
static int plain_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._,+-/=:@%^",
			    *s))
			return 0;
	return 1;
}

static void add_shown(char **line, const char *w)
{
	char *q = plain_word(w) ? xstrdup(w) : shell_quote(w);
	char *l = xasprintf("%s%s%s", *line, **line ? " " : "", q);

	free(q);
	free(*line);
	*line = l;
}

static void show_cmd(const struct run_opts *ro, const struct strlist *argv)
{
	char *line = xstrdup(""), *l;
	int i;

	if (ro->dir) {
		add_shown(&line, "cd");
		add_shown(&line, ro->dir);
		l = xasprintf("%s &&", line);
		free(line);
		line = l;
	}
	for (i = 0; ro->env && i < ro->env->n; i++)
		add_shown(&line, ro->env->v[i]);
	for (i = 0; i < argv->n; i++)
		add_shown(&line, argv->v[i]);
	info("$ %s", line);
	free(line);
}

/* In the child: fd target onto path, opened for writing; exits on failure. */
static void redirect(int target, const char *path, int append)
{
	int fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);

	if (fd < 0) {
		perror(path);
		_exit(127);
	}
	if (fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

/* Fork and exec argv as ro says; stdout to the pipe end pipe_w if >= 0. */
static pid_t spawn(const struct run_opts *ro, struct strlist *argv, int pipe_r, int pipe_w)
{
	char **av = argv_of(argv);
	pid_t pid;
	int i;

	if (!argv->n)
		die("internal error: an empty command");
	if (verbose)
		show_cmd(ro, argv);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid)
		return pid;
	if (pipe_r >= 0)
		close(pipe_r);
	if (ro->dir && chdir(ro->dir)) {
		perror(ro->dir);
		_exit(127);
	}
	if (pipe_w >= 0) {
		dup2(pipe_w, 1);
		close(pipe_w);
	} else if (ro->out) {
		redirect(1, ro->out, ro->append);
	}
	if (ro->err && pipe_w < 0 && ro->out && !strcmp(ro->err, ro->out))
		dup2(1, 2);
	else if (ro->err)
		redirect(2, ro->err, ro->append);
	for (i = 0; ro->env && i < ro->env->n; i++)
		putenv(ro->env->v[i]);
	execvp(av[0], av);
	perror(av[0]);
	_exit(127);
}

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

pid_t spawn_list(const struct run_opts *ro, struct strlist *argv)
{
	return spawn(ro, argv, -1, -1);
}

int run_list(const struct run_opts *ro, struct strlist *argv)
{
	return wait_for(spawn(ro, argv, -1, -1));
}

static void words(struct strlist *l, const char *arg0, va_list ap)
{
	const char *w;

	strlist_add(l, arg0);
	while ((w = va_arg(ap, const char *)))
		strlist_add(l, w);
}

int run_v(const char *dir, const char *log, const char *arg0, ...)
{
	struct run_opts ro = { .dir = dir, .out = log, .err = log };
	struct strlist argv = { 0 };
	va_list ap;
	int r;

	va_start(ap, arg0);
	words(&argv, arg0, ap);
	va_end(ap);
	r = run_list(&ro, &argv);
	strlist_free(&argv);
	return r;
}

char *capture_list(const struct run_opts *ro, struct strlist *argv, int *status)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fds[2], st;
	pid_t pid;

	if (pipe(fds))
		return NULL;
	pid = spawn(ro, argv, fds[0], fds[1]);
	close(fds[1]);
	for (;;) {
		ssize_t r;

		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		r = read(fds[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
	}
	close(fds[0]);
	st = wait_for(pid);
	if (status)
		*status = st;
	if (st < 0) {
		free(buf);
		return NULL;
	}
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return buf;
}

char *capture_v(const char *dir, const char *arg0, ...)
{
	struct run_opts ro = { .dir = dir, .err = "/dev/null" };
	struct strlist argv = { 0 };
	va_list ap;
	char *out;
	int st;

	va_start(ap, arg0);
	words(&argv, arg0, ap);
	va_end(ap);
	out = capture_list(&ro, &argv, &st);
	strlist_free(&argv);
	if (out && st) {
		free(out);
		out = NULL;
	}
	return out;
}

/* s in single quotes, each ' as '\'': how -v shows a word of a command. */
char *shell_quote(const char *s)
{
	size_t n = 3;
	const char *p;
	char *q, *o;

	for (p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	q = o = xmalloc(n);
	*o++ = '\'';
	for (p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return q;
}

json_t *json_load_path(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (!j)
		die("%s:%d: %s", path, err.line, err.text);
	return j;
}

int json_dump_path(json_t *j, const char *path)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int r;

	if (!s)
		return -1;
	r = write_file(path, s, strlen(s));
	if (!r) {
		FILE *f = fopen(path, "a");

		if (f) {
			fputc('\n', f);
			fclose(f);
		}
	}
	free(s);
	return r;
}

/* Append string s to array arr unless it is there; 1 when appended. */
/*
 * text with its comments and string literals blanked (spaces; newlines
 * kept, so lines keep their numbers): what is left is code.
 */
void blank_comments(char *text)
{
	char *p;

	for (p = text; *p; p++) {
		if (p[0] == '/' && p[1] == '*') {
			for (; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p != '\n')
					*p = ' ';
			if (*p)
				p[0] = p[1] = ' ';
		} else if (p[0] == '/' && p[1] == '/') {
			for (; *p && *p != '\n'; p++)
				*p = ' ';
		} else if (*p == '"') {
			for (p++; *p && *p != '"' && *p != '\n'; p++) {
				if (*p == '\\' && p[1])
					*p++ = ' ';
				*p = ' ';
			}
		}
		if (!*p)
			break;
	}
}

/* Is the text at position at, l long, a whole word of text? */
static int word_at(const char *text, const char *at, size_t l)
{
	return (at == text || !(isalnum((unsigned char)at[-1]) || at[-1] == '_')) &&
	       !(isalnum((unsigned char)at[l]) || at[l] == '_');
}

/* Does the line that holds at (in text) start with "static"? */
static int static_line(const char *text, const char *at)
{
	const char *l = at;

	while (l > text && l[-1] != '\n')
		l--;
	while (*l == ' ' || *l == '\t')
		l++;
	return !strncmp(l, "static", 6) && !(isalnum((unsigned char)l[6]) || l[6] == '_');
}

/*
 * Does the code of path (its comments and strings aside) use the name as a
 * whole word?  *own_static: the file declares a static function of that
 * name itself ("static ... name(", the return type on that line or the one
 * above), so the name there is its own.
 */
int names_in_code(const char *path, const char *name, int *own_static)
{
	char *text = read_file(path, NULL), *at;
	size_t n = strlen(name);
	int found = 0;

	*own_static = 0;
	if (!text)
		return 0;
	blank_comments(text);
	for (at = strstr(text, name); at; at = strstr(at + 1, name)) {
		const char *a = at + n, *l = at;

		if (!word_at(text, at, n))
			continue;
		found = 1;
		while (*a == ' ' || *a == '\t')
			a++;
		if (*a != '(')
			continue;
		while (l > text && l[-1] != '\n')
			l--;
		/* "static int\nname(" : the line above */
		if (static_line(text, at) ||
		    (l == at && l > text && static_line(text, l - 1)))
			*own_static = 1;
	}
	free(text);
	return found;
}

/*
 * grep over tree's .c files (with headers, its .h files too): git grep in
 * a git tree, grep -r elsewhere, with flags ("-nIwF") and then the
 * pattern arguments args ("-e", NAME...).  Its output, lines
 * "FILE:LINE:TEXT", or NULL when grep could not run; grep_line() splits one.
 */
char *grep_tree(const char *tree, const char *flags, const struct strlist *args, int headers)
{
	struct strlist cmd = { 0 };
	struct run_opts ro = { .dir = tree, .err = "/dev/null" };
	char *git = xasprintf("%s/.git", tree), *out;
	int k, is_git = path_exists(git);

	free(git);
	if (is_git) {
		strlist_add(&cmd, "git");
		strlist_add(&cmd, "grep");
		strlist_add(&cmd, flags);
	} else {
		strlist_add(&cmd, "grep");
		strlist_add(&cmd, "-r");
		strlist_add(&cmd, flags);
		strlist_add(&cmd, headers ? "--include=*.[ch]" : "--include=*.c");
	}
	for (k = 0; k < args->n; k++)
		strlist_add(&cmd, args->v[k]);
	strlist_add(&cmd, "--");
	if (is_git) {
		strlist_add(&cmd, "*.c");
		if (headers)
			strlist_add(&cmd, "*.h");
	} else {
		strlist_add(&cmd, ".");
	}
	out = capture_list(&ro, &cmd, NULL);
	strlist_free(&cmd);
	return out;
}

/* A line of grep_tree()'s output, split in place: its file (tree-relative) and text. */
int grep_line(char *line, const char **file, char **text)
{
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (!c2)
		return 0;
	*c1 = '\0';
	*file = strncmp(line, "./", 2) ? line : line + 2;
	*text = c2 + 1;
	return 1;
}

/*
 * The files of tree (its .c files, and with headers its .h files too)
 * whose text names each of names as a whole word: name -> [files], in
 * grep's order.  One grep_tree() for all names; a name no file has is
 * absent.
 */
json_t *files_naming(const char *tree, const struct strlist *names, int headers)
{
	struct strlist args = { 0 };
	char *out, *line, *save, *text;
	json_t *where = json_object();
	const char *file;
	int k;

	if (!names->n)
		return where;
	for (k = 0; k < names->n; k++) {
		strlist_add(&args, "-e");
		strlist_add(&args, names->v[k]);
	}
	out = grep_tree(tree, "-nIwF", &args, headers);
	strlist_free(&args);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!grep_line(line, &file, &text))
			continue;
		for (k = 0; k < names->n; k++) {
			size_t l = strlen(names->v[k]);
			const char *at;

			for (at = strstr(text, names->v[k]); at && !word_at(text, at, l);
			     at = strstr(at + 1, names->v[k]))
				;
			if (at)
				jarray_add_unique(jarray_of(where, names->v[k]), file);
		}
	}
	free(out);
	return where;
}

/* The array in obj under key, put there empty if there is none. */
json_t *jarray_of(json_t *obj, const char *key)
{
	json_t *a = json_object_get(obj, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(obj, key, a);
	}
	return a;
}

int jarray_add_unique(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), s))
			return 0;
	json_array_append_new(arr, json_string(s));
	return 1;
}

const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int jint(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *project_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;
	char *s;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		die("cannot find my own path");
	dir[n] = '\0';
	/* .../bin/mmapport -> ... */
	s = strrchr(dir, '/');
	if (s)
		*s = '\0';
	s = strrchr(dir, '/');
	if (s)
		*s = '\0';
	return dir;
}

/*
 * The python3 of the system's own PATH (confstr(_CS_PATH), /bin:/usr/bin
 * on Debian), the interpreter Debian's coccinelle is built against, or
 * NULL.  Without --python, spatch runs "command -v python3", then that
 * program's --version, ldd and "ldconfig -p" on every run: with a python3
 * of the user's PATH that is a version manager's shell script (pyenv's
 * shims), that is most of a second per file, and the version it reports
 * need not be the library's.
 */
const char *spatch_python(void)
{
	static int done;
	static char *found;
	char path[PATH_MAX];
	char *dirs, *d, *save;
	size_t n;

	if (done)
		return found;
	done = 1;
	n = confstr(_CS_PATH, NULL, 0);
	if (!n)
		return NULL;
	dirs = xmalloc(n);
	confstr(_CS_PATH, dirs, n);
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof(path), "%s/python3", d);
		if (!access(path, X_OK)) {
			found = xstrdup(path);
			break;
		}
	}
	free(dirs);
	return found;
}

void spatch_command(struct strlist *cmd, const char *sp_file)
{
	strlist_add(cmd, "spatch");
	if (spatch_python()) {
		strlist_add(cmd, "--python");
		strlist_add(cmd, spatch_python());
	}
	strlist_add(cmd, "--sp-file");
	strlist_add(cmd, sp_file);
	strlist_add(cmd, "--timeout");
	strlist_addf(cmd, "%d", SPATCH_TIMEOUT);
}

int str_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

int other_arch_file(const char *file, const char *srcarch)
{
	size_t n = strlen(srcarch);

	return !strncmp(file, "arch/", 5) && (strncmp(file + 5, srcarch, n) || file[5 + n] != '/');
}

int str_ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

int safe_file_name(const char *rel)
{
	const char *s;

	if (!rel || !*rel)
		return 0;
	for (s = rel; *s; s++) {
		if ((s == rel || s[-1] == '/') && *s == '-')
			return 0;
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr("._,+-/", *s))
			return 0;
	}
	return 1;
}

/* Length of the valid UTF-8 sequence at s (not a control character), or 0. */
static int utf8_char(const unsigned char *s)
{
	int n, i;
	unsigned int c;

	if (*s >= 0x20 && *s < 0x7f)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2, c = *s & 0x1f;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3, c = *s & 0x0f;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4, c = *s & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff) || c < 0xa0)
		return 0;
	return n;
}

char *printable_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;

	if (!s)
		return xstrdup("(no name)");
	out = o = xmalloc(strlen(s) * 4 + 1);
	while (*p) {
		int n = *p == '\\' ? 0 : utf8_char(p);

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			o += sprintf(o, "\\x%02x", *p++);
		}
	}
	*o = '\0';
	return out;
}

char *refused_name_reason(const char *rel)
{
	char *shown = printable_name(rel);
	char *why = xasprintf("%s: file name refused: mmapport takes only A-Z a-z 0-9 . _ , + - / in names and no part starting with '-' (kbuild and Coccinelle run names through a shell)",
			      shown);

	free(shown);
	return why;
}

/* The strings of l joined with sep between them (a new string). */
char *strlist_join(const struct strlist *l, const char *sep)
{
	size_t n = 1;
	char *s;
	int i;

	for (i = 0; i < l->n; i++)
		n += strlen(l->v[i]) + strlen(sep);
	s = xmalloc(n);
	s[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, l->v[i]);
	}
	return s;
}

/* Each line of text (without its newline) into l. */
void split_lines(const char *text, struct strlist *l)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		char *line = e ? strndup(p, e - p) : xstrdup(p);

		strlist_add(l, line);
		free(line);
		if (!e)
			break;
		p = e + 1;
	}
}
