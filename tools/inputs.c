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
static const char *below(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return path + 1;
	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

/* realpath() of the deepest existing prefix of the absolute path, the rest appended. */
static char *resolve(const char *path)
{
	char *p = xstrdup(path), *r = NULL, *slash, *out;

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

char *tree_path(const char *root, const char *what, const char *given, char **why)
{
	char *rel = NULL, *full, *res;
	const char *in;
	struct stat st;
	int above;

	*why = NULL;
	if (!*given) {
		*why = xasprintf("an empty path: give files or directories of %s, or no --paths "
				 "for all of it", what);
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
		if (!rel && (in = below(root, p)))
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
	res = resolve(full);
	if (!below(root, res))
		*why = xasprintf("leaves %s %s: through a symlink it is %s", what, root, res);
	else if (lstat(full, &st) || stat(full, &st))
		*why = xasprintf("no such file or directory in %s %s", what, root);
	else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		*why = xasprintf("not a file or a directory of %s %s", what, root);
	free(full);
	free(res);
	if (*why) {
		free(rel);
		return NULL;
	}
	return rel;
}

void check_paths(struct options *o)
{
	const char *root = o->external ? o->external : o->tree;
	const char *what = o->external ? "the driver directory" : "the tree";
	struct strlist norm = { 0 };
	int i, whole = 0;

	for (i = 0; i < o->paths.n; i++) {
		char *why, *rel = tree_path(root, what, o->paths.v[i], &why);

		if (!rel)
			die("--paths '%s': %s", o->paths.v[i], why);
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
