// SPDX-License-Identifier: GPL-2.0
/*
 * inputs.c - what comes from the user or from disk, checked before a stage
 * does anything with it: the paths given, the tools the stage needs, the
 * API asked for, the sparse that check will trust, and the JSON files the
 * stages read back.  Each failure is an error that says what is wrong,
 * before any work or any write (docs/errors.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmapport.h"
#include "inputs.h"

/* --- paths ---------------------------------------------------------------- */

/*
 * The components of p with ".", "" and ".." taken out lexically, joined
 * with "/".  *above is set when a ".." climbs above the start.
 */
static char *lexical(const char *p, int *above)
{
	struct strlist parts = { 0 };
	char *s = xstrdup(p), *tok, *save, *out;
	size_t n = 1;
	int i;

	*above = 0;
	for (tok = strtok_r(s, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (parts.n)
				free(parts.v[--parts.n]);
			else
				*above = 1;
			continue;
		}
		strlist_add(&parts, tok);
	}
	for (i = 0; i < parts.n; i++)
		n += strlen(parts.v[i]) + 1;
	out = xmalloc(n);
	out[0] = '\0';
	for (i = 0; i < parts.n; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, parts.v[i]);
	}
	strlist_free(&parts);
	free(s);
	return out;
}

/* Is path root itself or below it (both absolute and normalised)? */
const char *path_below(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return path + 1;
	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

/*
 * realpath() of the deepest existing prefix of path (a relative one taken
 * from the current directory), the rest appended.
 */
char *resolve_path(const char *path)
{
	char *p, *r = NULL, *slash, *out, cwd[4096];

	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			die("cannot read the current directory: %s", strerror(errno));
		p = xasprintf("%s/%s", cwd, path);
		out = resolve_path(p);
		free(p);
		return out;
	}
	p = xstrdup(path);

	while (!(r = realpath(p, NULL))) {
		slash = strrchr(p, '/');
		if (!slash || slash == p) {
			r = xstrdup("/");
			p[0] = '\0';
			break;
		}
		*slash = '\0';
	}
	out = xasprintf("%s%s", strcmp(r, "/") ? r : "", path + strlen(p));
	if (!*out) {
		free(out);
		out = xstrdup("/");
	}
	free(r);
	free(p);
	return out;
}

/*
 * tree_path(), and *linked (may be NULL) set when a symlink inside root
 * made the path returned differ from the path given, normalised.
 */
static char *in_tree(const char *root, const char *what, const char *given, char **why,
		     int *linked)
{
	char *rel = NULL, *full, *res, *real = NULL;
	const char *in;
	struct stat st;
	int above;

	*why = NULL;
	if (!*given) {
		*why = xasprintf("an empty path: give files or directories of %s, or no --paths for all of it",
				 what);
		return NULL;
	}
	if (given[0] == '/') {
		/* an absolute path: the part after the prefix that resolves to the root */
		char *abs = lexical(given, &above), *p = xasprintf("/%s", abs), *q, *r;
		size_t i;

		for (i = 1; !rel && i <= strlen(p); i++) {
			if (p[i] != '/' && p[i])
				continue;
			q = xasprintf("%.*s", (int)i, p);
			r = realpath(q, NULL);
			if (r && !strcmp(r, root))
				rel = xstrdup(p[i] ? p + i + 1 : "");
			free(r);
			free(q);
		}
		in = rel ? NULL : path_below(root, p);
		if (in)
			rel = xstrdup(in);
		if (!rel)
			*why = xasprintf("outside %s %s", what, root);
		free(abs);
		free(p);
		if (!rel)
			return NULL;
	} else {
		rel = lexical(given, &above);
		if (above) {
			*why = xasprintf("leaves %s %s (a \"..\" climbs above its top)", what, root);
			free(rel);
			return NULL;
		}
	}
	full = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	res = resolve_path(full);
	in = path_below(root, res);
	if (!in)
		*why = xasprintf("leaves %s %s: through a symlink it is %s", what, root, res);
	else if (lstat(full, &st) || stat(full, &st))
		*why = xasprintf("no such file or directory in %s %s", what, root);
	else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		*why = xasprintf("not a file or a directory of %s %s", what, root);
	else
		/* where it is: a walk does not follow a symlink, nor git diff */
		real = xstrdup(in);
	if (linked)
		*linked = real && strcmp(real, rel);
	free(full);
	free(res);
	free(rel);
	return real;
}

char *tree_path(const char *root, const char *what, const char *given, char **why)
{
	return in_tree(root, what, given, why, NULL);
}

void check_paths(struct options *o)
{
	const char *root = o->external ? o->external : o->tree;
	const char *what = o->external ? "the driver directory" : "the tree";
	struct strlist norm = { 0 };
	int i, whole = 0;

	for (i = 0; i < o->paths.n; i++) {
		char *why;
		int linked;
		char *rel = in_tree(root, what, o->paths.v[i], &why, &linked);

		if (!rel)
			die("--paths '%s': %s", o->paths.v[i], why);
		if (linked)
			info("--paths '%s' is %s in %s (a symlink)", o->paths.v[i],
			     *rel ? rel : ".", what);
		if (!*rel)
			whole = 1;
		else
			strlist_add_once(&norm, rel);
		free(rel);
	}
	if (whole)
		strlist_free(&norm);
	/* the old list may be shared with a caller's copy of the options */
	o->paths = norm;
}

/* --- tools ---------------------------------------------------------------- */

static const char *analyzer_root(const struct options *o)
{
	return o->external ? o->external : o->tree;
}

static int analyzer(const struct options *o)
{
	return !o->lexical;
}

/* classify prepares an x86_64 build dir for kbuild's compile commands */
static int kbuild_flags(const struct options *o)
{
	char *a = xasprintf("%s/scripts/Makefile.build", analyzer_root(o));
	char *b = xasprintf("%s/scripts/clang-tools/gen_compile_commands.py", analyzer_root(o));
	int r = !o->lexical && path_exists(a) && path_exists(b);

	free(a);
	free(b);
	return r;
}

/* classify greps a git tree for definitions with git grep */
static int git_tree(const struct options *o)
{
	char *g = xasprintf("%s/.git", analyzer_root(o));
	int r = !o->lexical && path_exists(g);

	free(g);
	return r;
}

/*
 * Which stage needs which tool, and when (NULL: always).  check's sparse
 * is not here: tools/deps.sh chooses it and sparse_probe() proves it.
 * libclang is linked in: without it the program does not start.
 */
static const struct tool_need {
	const char *stage, *tool, *package, *what;
	int (*when)(const struct options *o);
} tool_needs[] = {
	{ "classify", "spatch", "coccinelle", "Coccinelle's facts, cocci/facts.cocci", analyzer },
	{ "classify", "git", "git", "git grep in a git tree", git_tree },
	{ "classify", "make", "make", "kbuild's compile commands", kbuild_flags },
	{ "classify", "gcc", "gcc", "kbuild's compiler", kbuild_flags },
	{ "classify", "flex", "flex", "kbuild's Kconfig", kbuild_flags },
	{ "classify", "bison", "bison", "kbuild's Kconfig", kbuild_flags },
	{ "classify", "bc", "bc", "kbuild's prepare", kbuild_flags },
	{ "classify", "python3", "python3", "scripts/clang-tools/gen_compile_commands.py",
	  kbuild_flags },
	{ "convert", "spatch", "coccinelle", "the semantic patches of cocci/", NULL },
	{ "convert", "git", "git", "the work tree", NULL },
	{ "check", "git", "git", "the work tree", NULL },
	{ "check", "make", "make", "kbuild", NULL },
	{ "check", "gcc", "gcc", "kbuild's compiler", NULL },
	{ "check", "flex", "flex", "kbuild's Kconfig", NULL },
	{ "check", "bison", "bison", "kbuild's Kconfig", NULL },
	{ "check", "bc", "bc", "kbuild's prepare", NULL },
	{ "series", "git", "git", "the commits and git format-patch", NULL },
	{ "series", "perl", "perl", "scripts/checkpatch.pl and scripts/get_maintainer.pl",
	  NULL },
};

/* Is name an executable file in a directory of $PATH? */
static int on_path(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs = xstrdup(path ? path : "/usr/bin:/bin"), *d = dirs, *dir;
	int found = 0;

	while (!found && (dir = strsep(&d, ":"))) {
		char *f = xasprintf("%s/%s", *dir ? dir : ".", name);
		struct stat st;

		found = !stat(f, &st) && S_ISREG(st.st_mode) && !access(f, X_OK);
		free(f);
	}
	free(dirs);
	return found;
}

void need_tools(const struct options *o, const char *stage)
{
	static const char *const all[] = { "classify", "convert", "check", "series", NULL };
	size_t i;
	int s;

	for (s = 0; all[s]; s++) {
		if (strcmp(stage, "run") && strcmp(stage, all[s]))
			continue;
		for (i = 0; i < ARRAY_SIZE(tool_needs); i++) {
			const struct tool_need *t = &tool_needs[i];

			if (strcmp(t->stage, all[s]) || (t->when && !t->when(o)) || on_path(t->tool))
				continue;
			die("%s needs %s (%s), which is not on PATH: install %s (make deps does)",
			    t->stage, t->tool, t->what, t->package);
		}
	}
}

/* --- the API asked for ------------------------------------------------------ */

/* --- sparse ------------------------------------------------------------------ */

/*
 * sparse must warn here: bad() passes a plain int pointer where a __user
 * one is expected, as the kernel's headers declare it (address space 1,
 * which every sparse version knows).
 */
static const char sparse_snippet[] =
	"/* mmapport's sparse probe: sparse must warn about the call in bad(). */\n"
	"#define __user __attribute__((noderef, address_space(1)))\n"
	"int get_user_int(int __user *p);\n"
	"int bad(int *p)\n"
	"{\n"
	"\treturn get_user_int(p);\n"
	"}\n";

/*
 * The tree, the driver directory and DIR reach kbuild (srctree, O=, M=),
 * whose recipes run them through a shell and which takes no space or
 * colon in them: only the names safe_file_name() takes.
 */
void need_safe_path(const char *what, const char *path)
{
	/*
	 * A directory's path may also hold ~ and @ (Debian's backport versions
	 * name their trees 7.3.4-1~bpo13+1): a shell expands ~ only at the
	 * start of a word, and a part may not start with one here.
	 */
	char *p = xstrdup(path), *c;
	int ok;

	for (c = p; *c; c++)
		if ((*c == '~' && c > p && c[-1] != '/') || *c == '@')
			*c = '_';
	ok = safe_file_name(p);
	free(p);
	if (!ok)
		die("%s %s: kbuild and spatch cannot take this path safely (only A-Z a-z 0-9 . _ , + - / and, not first in a part, ~ and @ are taken; no part may start with -): move it, or link it from such a path",
		    what, printable_name(path));
}

void sparse_probe(const char *sparse, const char *dir)
{
	char *src = xasprintf("%s/sparse-probe.c", dir);
	char *log = xasprintf("%s/sparse-probe.log", dir);
	int r;

	mkdir_p(dir);
	if (write_file(src, sparse_snippet, strlen(sparse_snippet)))
		die("%s: cannot write: %s", src, strerror(errno));
	r = run_v(NULL, log, sparse, "-D__CHECKER__", src, NULL);
	if (!file_has(log, "sparse-probe.c:6:") || !file_has(log, "different address spaces"))
		die("sparse at %s did not diagnose a known-bad snippet (%s: a plain pointer passed as a __user one; exit status %d, output in %s): its silence on the kernel would prove nothing",
		    sparse, src, r, log);
	free(src);
	free(log);
}

/* --- JSON read back ------------------------------------------------------ */

enum {
	T_STR = 1, T_NULL = 2, T_INT = 4, T_REAL = 8, T_BOOL = 16, T_OBJ = 32, T_ARR = 64,
	T_STRS = 128,	/* an array of strings */
	T_PATH = 256,	/* a string: a normalised path inside the tree */
	T_NUM = T_INT | T_REAL,
};

struct field {
	const char *key;
	int types;
	int required;	/* 1: always; 2: in a classified record */
};

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true or false";
	default:
		return "null";
	}
}

static const char *want_name(int types)
{
	if (types & T_PATH)
		return "a path inside the tree of a name mmapport takes (A-Z a-z 0-9 . _ , + - /)";
	if (types & T_STRS)
		return "an array of strings";
	if (types == (T_STR | T_NULL))
		return "a string or null";
	if (types == (T_OBJ | T_NULL))
		return "an object or null";
	if (types & T_STR)
		return "a string";
	if (types & T_INT && !(types & T_REAL))
		return "an integer";
	if (types & T_NUM)
		return "a number";
	if (types & T_BOOL)
		return "true or false";
	if (types & T_OBJ)
		return "an object";
	return "an array";
}

/* A path a stage joins to the tree or the output directory: relative, no "..". */
static int safe_rel(const char *s)
{
	int above;
	char *n;
	int ok;

	if (!*s || *s == '/')
		return 0;
	n = lexical(s, &above);
	ok = !above && !strcmp(n, s);
	free(n);
	return ok;
}

static int type_ok(json_t *v, int types)
{
	size_t i;
	json_t *x;

	if (types & T_PATH)
		return json_is_string(v) && safe_rel(json_string_value(v)) &&
		       safe_file_name(json_string_value(v));
	if (types & T_STRS) {
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, x)
			if (!json_is_string(x))
				return 0;
		return 1;
	}
	return ((types & T_STR) && json_is_string(v)) || ((types & T_NULL) && json_is_null(v)) ||
	       ((types & T_INT) && json_is_integer(v)) || ((types & T_REAL) && json_is_real(v)) ||
	       ((types & T_BOOL) && json_is_boolean(v)) || ((types & T_OBJ) && json_is_object(v)) ||
	       ((types & T_ARR) && json_is_array(v));
}

/* What is wrong with the fields of object o (at where), or NULL. */
static char *fields_wrong(json_t *o, const struct field *f, size_t n, int classified,
			  const char *where)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(o, f[i].key);

		if (!v) {
			if (f[i].required == 1 || (f[i].required == 2 && classified))
				return xasprintf("%s: no \"%s\"%s", where, f[i].key, f[i].required == 2 ?
						 " (not classified: run mmapport classify)" : "");
			continue;
		}
		if (type_ok(v, f[i].types))
			continue;
		if (json_is_string(v) && (f[i].types & T_PATH))
			return xasprintf("%s: \"%s\" is \"%s\", not %s", where, f[i].key,
					 printable_name(json_string_value(v)), want_name(f[i].types));
		return xasprintf("%s: \"%s\" is %s, not %s", where, f[i].key,
				 (f[i].types & T_STRS) && json_is_array(v) ? "an array with a non-string" : type_name(v), want_name(f[i].types));
	}
	return NULL;
}

/* The fields that the stages read from a record, and their types. */
static const struct field record_fields[] = {
	{ "id", T_STR, 1 },
	{ "file", T_PATH, 1 },
	{ "hook", T_STR, 1 },
	{ "registration", T_STR, 1 },
	{ "category", T_STR, 2 },
	{ "lexical_category", T_STR, 0 },
	{ "line", T_INT, 0 },
	{ "function", T_STR | T_NULL, 0 },
	{ "ops_type", T_STR | T_NULL, 0 },
	{ "ops_var", T_STR | T_NULL, 0 },
	{ "value", T_STR | T_NULL, 0 },
	{ "macro", T_STR | T_NULL, 0 },
	{ "prepare_hook", T_BOOL, 0 },
	{ "conditions", T_STR | T_NULL, 0 },
	{ "definition", T_OBJ | T_NULL, 0 },
	{ "subcategory", T_STR | T_NULL, 0 },
	{ "confidence", T_STR, 0 },
	{ "analyzer", T_STR, 0 },
	{ "facts", T_STRS, 0 },
	{ "vma_uses", T_STRS, 0 },
	{ "reasons", T_ARR, 0 },
	{ "vma_param", T_STR, 0 },
	{ "file_param", T_STR, 0 },
	{ "analysis", T_OBJ | T_NULL, 0 },
	{ "analysis_error", T_STR, 0 },
	{ "coccinelle_error", T_STR, 0 },
	{ "leaf_category", T_STR, 0 },
	{ "leaf_subcategory", T_STR, 0 },
	{ "dispatches_to", T_STR, 0 },
	{ "fops_swapped", T_BOOL, 0 },
	{ "called_directly", T_BOOL, 0 },
	{ "io_remap", T_BOOL, 0 },
	{ "io_memory", T_BOOL, 0 },
	{ "not_in_config", T_BOOL, 0 },
	{ "twin", T_STR, 0 },
	{ "exported", T_BOOL, 0 },
	{ "conversion", T_OBJ, 0 },
	{ "check", T_OBJ, 0 },
	{ "series", T_BOOL, 0 },
	{ "checkpatch_preexisting", T_STRS, 0 },
};

static const struct field conversion_fields[] = {
	{ "status", T_STR, 1 },
	{ "profile", T_STR, 0 },
	{ "tree_api", T_STR, 0 },
	{ "method", T_STR, 0 },
	{ "reason", T_STR, 0 },
	{ "diff", T_PATH, 0 },
	{ "new_function", T_STR, 0 },
	{ "complete_function", T_STR, 0 },
	{ "abort_function", T_STR, 0 },
	{ "mapped_function", T_STR, 0 },
	{ "behaviour_changes", T_STRS, 0 },
	{ "compat", T_OBJ, 0 },
};

/* a cell of the check matrix, and its summary */
static const struct field cell_fields[] = {
	{ "status", T_STR, 0 },
	{ "reason", T_STR, 0 },
	{ "new_messages", T_STRS, 0 },
	{ "base_messages", T_INT, 0 },
	{ "config", T_STR, 0 },
};

static const struct field overall_fields[] = {
	{ "status", T_STR, 1 },
	{ "reason", T_STR, 0 },
	{ "pass", T_STRS, 0 },
	{ "fail", T_STRS, 0 },
	{ "skipped", T_STRS, 0 },
	{ "n/a", T_STRS, 0 },
	{ "configured_by", T_STR, 0 },
};

static char *record_wrong(json_t *r, size_t i, int classified)
{
	static const char *const statuses[] = { "converted", "refused", "dropped", NULL };
	char *where, *why;
	json_t *c, *v;
	const char *k;

	if (!json_is_object(r))
		return xasprintf("record [%zu] is %s, not an object", i, type_name(r));
	where = jstr(r, "id") ? xasprintf("record [%zu] (id \"%s\")", i, jstr(r, "id")) :
		xasprintf("record [%zu]", i);
	why = fields_wrong(r, record_fields, ARRAY_SIZE(record_fields), classified, where);
	c = json_object_get(r, "conversion");
	if (!why && c) {
		char *w = xasprintf("%s: conversion", where);

		why = fields_wrong(c, conversion_fields, ARRAY_SIZE(conversion_fields), 1, w);
		if (!why && !str_in_list(jstr(c, "status"), statuses))
			why = xasprintf("%s: conversion status \"%s\" is not converted, refused or dropped",
					where, jstr(c, "status"));
		if (!why && !jstr(r, "function"))
			why = xasprintf("%s: a conversion, but \"function\" is not a string", where);
		free(w);
	}
	/* classify chooses the success return of every analysis it keeps */
	if (!why && classified && json_is_object(json_object_get(r, "analysis")) &&
	    !json_object_get(json_object_get(r, "analysis"), "success_return"))
		why = xasprintf("%s: analysis has no \"success_return\" (an older mmapport classified it): run classify again",
				where);
	json_object_foreach(json_object_get(r, "check"), k, v) {
		char *w = xasprintf("%s: check.%s", where, k);

		if (!why && !json_is_object(v))
			why = xasprintf("%s is %s, not an object", w, type_name(v));
		else if (!why)
			why = fields_wrong(v, !strcmp(k, "overall") ? overall_fields : cell_fields,
					   !strcmp(k, "overall") ? ARRAY_SIZE(overall_fields) : ARRAY_SIZE(cell_fields),
					   1, w);
		free(w);
	}
	if (!why && json_is_object(json_object_get(r, "check")) &&
	    !json_object_get(json_object_get(r, "check"), "overall"))
		why = xasprintf("%s: check has no \"overall\"", where);
	free(where);
	return why;
}

static char *records_wrong(json_t *records, int classified)
{
	size_t i;
	json_t *r;

	if (!json_is_array(records))
		return xasprintf("the top level is %s, not an array of records", type_name(records));
	json_array_foreach(records, i, r) {
		char *why = record_wrong(r, i, classified);

		if (why)
			return why;
	}
	return NULL;
}

static char *classified_records_wrong(json_t *j)
{
	return records_wrong(j, 1);
}

static const struct field inventory_fields[] = {
	{ "records", T_ARR, 1 }, { "hooks", T_ARR, 0 }, { "tree", T_STR, 0 },
};

static char *inventory_wrong(json_t *j)
{
	char *why, *w;

	if (!json_is_object(j))
		return xasprintf("the top level is %s, not an object", type_name(j));
	why = fields_wrong(j, inventory_fields, ARRAY_SIZE(inventory_fields), 0, "the inventory");
	if (why)
		return why;
	why = records_wrong(json_object_get(j, "records"), 0);
	if (!why)
		return NULL;
	w = xasprintf("records: %s", why);
	free(why);
	return w;
}

static char *timings_wrong(json_t *j)
{
	const char *k;
	json_t *v;

	if (!json_is_object(j))
		return xasprintf("the top level is %s, not an object", type_name(j));
	json_object_foreach(j, k, v)
		if (!json_is_number(v))
			return xasprintf("\"%s\" is %s, not a number of seconds", k, type_name(v));
	return NULL;
}

static const struct field check_times_fields[] = {
	{ "profiles", T_OBJ, 0 }, { "shared", T_OBJ, 0 },
};

static const struct field profile_time_fields[] = {
	{ "objects", T_INT, 0 },
	{ "files", T_STRS, 0 },
	{ "configure", T_NUM, 0 },
	{ "select", T_NUM, 0 },
	{ "prepare", T_NUM, 0 },
	{ "base", T_NUM, 0 },
	{ "converted", T_NUM, 0 },
};

static char *check_times_wrong(json_t *j)
{
	const char *k;
	json_t *v;
	char *why;

	if (!json_is_object(j))
		return xasprintf("the top level is %s, not an object", type_name(j));
	why = fields_wrong(j, check_times_fields, ARRAY_SIZE(check_times_fields), 0, "the top level");
	json_object_foreach(json_object_get(j, "profiles"), k, v) {
		char *w = xasprintf("profiles.%s", k);

		if (!why && !json_is_object(v))
			why = xasprintf("%s is %s, not an object", w, type_name(v));
		else if (!why)
			why = fields_wrong(v, profile_time_fields, ARRAY_SIZE(profile_time_fields), 0, w);
		free(w);
	}
	json_object_foreach(json_object_get(j, "shared"), k, v)
		if (!why && !json_is_number(v))
			why = xasprintf("shared.%s is %s, not a number of seconds", k, type_name(v));
	return why;
}

static json_t *load_checked(const char *path, const char *what, char *(*wrong)(json_t *))
{
	json_error_t err;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	char *why;

	if (!j && json_error_code(&err) == json_error_cannot_open_file)
		die("%s: cannot read: %s", path, err.text);
	if (!j)
		die("%s: not %s: invalid JSON at line %d, column %d: %s", path, what, err.line,
		    err.column, err.text);
	why = wrong(j);
	if (why)
		die("%s: not %s: %s", path, what, why);
	return j;
}

json_t *load_records_file(const char *path)
{
	return load_checked(path, "an mmapport records file", classified_records_wrong);
}

json_t *load_inventory_file(const char *path)
{
	return load_checked(path, "an mmapport inventory file", inventory_wrong);
}

json_t *load_timings_file(const char *path)
{
	return load_checked(path, "an mmapport timings file", timings_wrong);
}

static const struct field replay_fields[] = {
	{ "old", T_STR, 1 }, { "new", T_STR, 1 }, { "totals", T_OBJ, 1 }, { "ports", T_ARR, 1 },
};

static const struct field replay_row_fields[] = {
	{ "file", T_STR, 1 }, { "ops_var", T_STR, 1 }, { "verdict", T_STR, 1 },
	{ "old_function", T_STR | T_NULL, 0 }, { "new_function", T_STR | T_NULL, 0 },
	{ "reason", T_STR | T_NULL, 0 }, { "differences", T_ARR | T_NULL, 0 },
	{ "facts", T_STRS, 0 }, { "build", T_OBJ, 0 },
};

static char *replay_wrong(json_t *j)
{
	json_t *row;
	size_t i;
	char *why;

	if (!json_is_object(j))
		return xasprintf("the top level is %s, not an object", type_name(j));
	why = fields_wrong(j, replay_fields, ARRAY_SIZE(replay_fields), 0, "the top level");
	json_array_foreach(json_object_get(j, "ports"), i, row) {
		char *w = xasprintf("ports[%zu]", i);

		if (!why && !json_is_object(row))
			why = xasprintf("%s is %s, not an object", w, type_name(row));
		else if (!why)
			why = fields_wrong(row, replay_row_fields, ARRAY_SIZE(replay_row_fields), 0, w);
		free(w);
	}
	return why;
}

json_t *load_replay_file(const char *path)
{
	return load_checked(path, "an mmapport replay file", replay_wrong);
}

json_t *load_check_times_file(const char *path)
{
	return load_checked(path, "an mmapport check-times file", check_times_wrong);
}

static const struct field dispatcher_fields[] = {
	{ "leaves", T_INT, 1 }, { "convertible_with_prepare_variant", T_INT, 1 },
	{ "convertible_with_variant_and_action", T_INT, 1 }, { "needs_more", T_INT, 1 },
	{ "not_analysed", T_INT, 1 }, { "leaf_categories", T_OBJ, 1 },
	{ "dispatchers", T_STRS, 1 },
};

static char *dispatchers_wrong(json_t *j)
{
	const char *k;
	json_t *v;
	char *why = NULL;

	if (!json_is_object(j))
		return xasprintf("the top level is %s, not an object", type_name(j));
	json_object_foreach(j, k, v) {
		char *w = xasprintf("the hook %s", k);

		if (!why && !json_is_object(v))
			why = xasprintf("%s is %s, not an object", w, type_name(v));
		else if (!why)
			why = fields_wrong(v, dispatcher_fields, ARRAY_SIZE(dispatcher_fields), 0, w);
		free(w);
	}
	return why;
}

json_t *load_dispatchers_file(const char *path)
{
	return load_checked(path, "an mmapport dispatcher plan", dispatchers_wrong);
}

static const struct field core_rule_fields[] = {
	{ "id", T_STR, 1 }, { "holds", T_BOOL, 1 }, { "from", T_STR, 1 },
};

static char *core_rules_wrong(json_t *j)
{
	json_t *r;
	size_t i;
	char *why;

	if (!json_is_object(j))
		return xasprintf("the top level is %s, not an object", type_name(j));
	if (!json_is_array(json_object_get(j, "rules")))
		return xasprintf("rules is %s, not an array", type_name(json_object_get(j, "rules")));
	if (!json_is_array(json_object_get(j, "special_flags")))
		return xasprintf("special_flags is %s, not an array",
				 type_name(json_object_get(j, "special_flags")));
	json_array_foreach(json_object_get(j, "rules"), i, r) {
		char *w = xasprintf("rules[%zu]", i);

		why = json_is_object(r) ? fields_wrong(r, core_rule_fields,
						       ARRAY_SIZE(core_rule_fields), 0, w) :
		      xasprintf("%s is %s, not an object", w, type_name(r));
		free(w);
		if (why)
			return why;
	}
	/* each rule this mmapport reads (an older classify wrote fewer) */
	for (i = 0; core_rule_ids[i]; i++) {
		json_t *x;
		size_t k;
		int found = 0;

		json_array_foreach(json_object_get(j, "rules"), k, x)
			found |= !strcmp(js(x, "id"), core_rule_ids[i]);
		if (!found)
			return xasprintf("it has no rule %s (an older mmapport classified this tree): run classify again",
					 core_rule_ids[i]);
	}
	return NULL;
}

json_t *load_core_rules_file(const char *path)
{
	return load_checked(path, "an mmapport core-rules file", core_rules_wrong);
}
