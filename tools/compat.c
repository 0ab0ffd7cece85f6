// SPDX-License-Identifier: GPL-2.0
/*
 * compat.c - an --external driver's conversion that still builds on the
 * kernels without the new API.
 *
 * An out-of-tree driver is built against many kernels; the converted file
 * must keep building on those older than the API it now uses.  Each region
 * of the file the conversion changed becomes
 *
 *	#if GUARD
 *	<the region as converted>
 *	#else
 *	<the region as it was>
 *	#endif
 *
 * so that the file preprocesses to exactly the converted file where GUARD
 * holds and to exactly the old file where it does not: the registration
 * picks the prepare handler or the old one with the same test that picks
 * the handler's definition.  Changed lines a few unchanged lines apart are
 * one region (the unchanged lines in both branches), never across a
 * preprocessor line, whose #if/#else/#endif would then be split between
 * branches.  GUARD is "KERNEL_VERSION(X, Y, 0) <= LINUX_VERSION_CODE", X.Y
 * the target tree's release (one known to have every API the conversion
 * uses), with <linux/version.h> included when the file does not and
 * tests no KERNEL_VERSION() before the first change, or
 * "defined(MACRO)" for a macro the driver's build defines (--compat-macro).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"

#define MERGE_GAP 3	/* unchanged lines that still join two changes */

struct hunk {
	int old_start, old_n;	/* 1-based; old_n 0: inserted after old_start */
	struct strlist add;	/* the new lines */
};

/* The hunks of a diff -U0. */
static int parse_hunks(const char *diff, struct hunk **out)
{
	struct strlist l = { 0 };
	struct hunk *h = NULL;
	int n = 0, i;

	split_lines(diff, &l);
	for (i = 0; i < l.n; i++) {
		int a, b = 1, c, d = 1;

		if (!strncmp(l.v[i], "@@ ", 3)) {
			if (sscanf(l.v[i], "@@ -%d,%d +%d,%d", &a, &b, &c, &d) < 4 &&
			    sscanf(l.v[i], "@@ -%d +%d,%d", &a, &c, &d) < 3 &&
			    sscanf(l.v[i], "@@ -%d,%d +%d", &a, &b, &c) < 3 &&
			    sscanf(l.v[i], "@@ -%d +%d", &a, &c) < 2)
				continue;
			h = xrealloc(h, (n + 1) * sizeof(*h));
			memset(&h[n], 0, sizeof(h[n]));
			h[n].old_start = a;
			h[n].old_n = b;
			n++;
		} else if (n && l.v[i][0] == '+' && strncmp(l.v[i], "+++ ", 4)) {
			strlist_add(&h[n - 1].add, l.v[i] + 1);
		}
	}
	strlist_free(&l);
	*out = h;
	return n;
}

static int directive(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '#';
}

/* The first old line a hunk covers, and the one after it (0-based). */
static int first_old(const struct hunk *h)
{
	return h->old_n ? h->old_start - 1 : h->old_start;
}

static int end_old(const struct hunk *h)
{
	return first_old(h) + h->old_n;
}

/* The release of a kernel tree, VERSION and PATCHLEVEL of its Makefile; 0 if found. */
int tree_release(const char *tree, int *version, int *patchlevel)
{
	char *mk = xasprintf("%s/Makefile", tree), *v, *p, *s;
	size_t len;

	*version = *patchlevel = -1;
	v = read_file(mk, &len);
	free(mk);
	for (p = v; p && *p; p = s ? s + 1 : p + strlen(p)) {
		s = strchr(p, '\n');
		if (!strncmp(p, "VERSION = ", 10))
			*version = atoi(p + 10);
		else if (!strncmp(p, "PATCHLEVEL = ", 13))
			*patchlevel = atoi(p + 13);
	}
	free(v);
	return *version < 0 || *patchlevel < 0 ? -1 : 0;
}

/*
 * The tree's LINUX_VERSION_CODE, from its Makefile's VERSION, PATCHLEVEL
 * and SUBLEVEL as include/generated/uapi/linux/version.h makes it
 * (SUBLEVEL at most 255); -1 when the Makefile does not say.
 */
long tree_version_code(const char *tree)
{
	char *mk = xasprintf("%s/Makefile", tree), *v, *p, *s;
	int ver, pl, sub = 0;
	size_t len;

	if (tree_release(tree, &ver, &pl)) {
		free(mk);
		return -1;
	}
	v = read_file(mk, &len);
	free(mk);
	for (p = v; p && *p; p = s ? s + 1 : p + strlen(p)) {
		s = strchr(p, '\n');
		if (!strncmp(p, "SUBLEVEL = ", 11))
			sub = atoi(p + 11);
	}
	free(v);
	return ((long)ver << 16) + (pl << 8) + (sub > 255 ? 255 : sub);
}

/* "#if GUARD": the version test of the target tree, or the user's macro. */
char *compat_guard(const char *tree, const char *macro)
{
	int ver, pl;

	if (macro)
		return xasprintf("defined(%s)", macro);
	if (tree_release(tree, &ver, &pl))
		return NULL;
	/* the constant on the right, as checkpatch wants comparisons */
	return xasprintf("KERNEL_VERSION(%d, %d, 0) <= LINUX_VERSION_CODE", ver, pl);
}

/*
 * The brace depth at the start of each old line (comments, strings and
 * preprocessor lines skipped), and the top-level unit each line is part
 * of: a run of lines between blank or preprocessor lines at depth 0 (a
 * function with its comment, a structure's initializer); -1 for those.
 */
/* Which lines are preprocessor lines: a directive, or a line continuing one. */
static void pp_lines(const struct strlist *l, int *pp)
{
	int i, cont = 0;

	for (i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);

		pp[i] = cont || directive(l->v[i]);
		cont = pp[i] && n && l->v[i][n - 1] == '\\';
	}
}

/* A conditional directive: +1 opens, -1 closes, 2 for #else/#elif, 0 none. */
static int conditional(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '#')
		return 0;
	for (line++; *line == ' ' || *line == '\t'; line++)
		;
	if (!strncmp(line, "if", 2))
		return 1;
	if (!strncmp(line, "endif", 5))
		return -1;
	if (!strncmp(line, "else", 4) || !strncmp(line, "elif", 4))
		return 2;
	return 0;
}

/* Lines [from, to) of l open and close their conditionals among themselves. */
static int balanced(const struct strlist *l, int from, int to)
{
	int k, nest = 0;

	for (k = from; k < to; k++) {
		int c = conditional(l->v[k]);

		if ((c == -1 || c == 2) && !nest)
			return 0;
		nest += c == 1 ? 1 : c == -1 ? -1 : 0;
	}
	return !nest;
}

/* Does unit u of ol open and close its conditionals among its own lines? */
static int unit_balanced(const struct strlist *ol, const int *unit, int u)
{
	int k, from = -1, to = -1;

	for (k = 0; k < ol->n; k++)
		if (unit[k] == u) {
			from = from < 0 ? k : from;
			to = k + 1;
		}
	return from >= 0 && balanced(ol, from, to);
}

static void units_of(const struct strlist *ol, const int *pp, int *depth, int *unit)
{
	int i, d = 0, u = 0, in_comment = 0, fresh = 1;

	for (i = 0; i < ol->n; i++) {
		const char *p = ol->v[i];
		int blank = p[strspn(p, " \t")] == '\0';

		depth[i] = d;
		if (d == 0 && !in_comment && (blank || pp[i])) {
			unit[i] = -1;
			if (!fresh)
				u++;
			fresh = 1;
			continue;
		}
		unit[i] = u;
		fresh = 0;
		if (pp[i] && !in_comment)
			continue;
		for (; *p; p++) {
			if (in_comment) {
				if (p[0] == '*' && p[1] == '/')
					in_comment = 0, p++;
			} else if (p[0] == '/' && p[1] == '*') {
				in_comment = 1, p++;
			} else if (p[0] == '/' && p[1] == '/') {
				break;
			} else if (*p == '"' || *p == '\'') {
				char q = *p;

				for (p++; *p && *p != q; p++)
					if (*p == '\\' && p[1])
						p++;
				if (!*p)
					break;
			} else if (*p == '{') {
				d++;
			} else if (*p == '}' && d > 0) {
				d--;
			}
		}
	}
}

/*
 * Rewrite PATH (the converted file; OLD its text before the conversion,
 * DIFF the conversion as git diff -U0) with each changed region under
 * GUARD.  A unit whose own line changed (a handler's signature, at depth
 * 0) is one region, whole: the old handler beside the new one.  Other
 * changes (a member of an initializer, a line inside a body) are regions
 * of their own lines, joined while MERGE_GAP unchanged lines apart in the
 * same unit; an insertion has an empty #else.  Returns the number of
 * regions, -1 if PATH cannot be written, -2 (PATH left as it is) if a change
 * touches a conditional directive or a multi-line macro, which no region
 * can wrap.
 */
/* One compat_wrap(): the old file, its units, the diff's hunks, what is written. */
struct wrap {
	struct strlist ol, out;
	struct hunk *h;
	int nh;
	int *depth, *unit, *whole, *pp;
};

/*
 * Can every hunk of w go under a version test?  A change to a conditional
 * or to a multi-line macro cannot: the region would split the file's own
 * #if or the macro's body.  Such a file is left to a human (0).  Marks
 * w->whole for the units whose own (depth 0) line changed.
 */
static int wrappable(struct wrap *w)
{
	const struct strlist *ol = &w->ol;
	int i, k;

	for (i = 0; i < w->nh; i++)
		for (k = first_old(&w->h[i]); k < end_old(&w->h[i]) && k < ol->n; k++)
			if (w->depth[k] == 0 && w->unit[k] >= 0)
				w->whole[w->unit[k]] = 1;
	for (i = 0; i < w->nh; i++) {
		struct hunk *h = &w->h[i];
		int hp[256] = { 0 }, a, in_whole;

		/*
		 * A unit wrapped whole (its signature changed) may change its own
		 * conditionals, when they open and close inside it: the old unit
		 * goes whole under the #else.
		 */
		k = first_old(h) < ol->n ? first_old(h) : ol->n - 1;
		in_whole = k >= 0 && w->unit[k] >= 0 && w->whole[w->unit[k]] &&
			   unit_balanced(ol, w->unit, w->unit[k]);
		for (k = first_old(h); k < end_old(h) && k < ol->n; k++)
			if ((conditional(ol->v[k]) &&
			     !(in_whole && w->unit[k] == w->unit[first_old(h)])) ||
			    (w->pp[k] && !conditional(ol->v[k]) &&
			     ((k + 1 < ol->n && w->pp[k + 1] && !directive(ol->v[k + 1])) ||
			      !directive(ol->v[k]))))
				return 0;
		if (h->add.n < 256) {
			pp_lines(&h->add, hp);
			for (a = 0; a < h->add.n; a++)
				if ((conditional(h->add.v[a]) && !in_whole) ||
				    (hp[a] && !directive(h->add.v[a])) ||
				    (hp[a] && a + 1 < h->add.n && hp[a + 1] &&
				     !directive(h->add.v[a + 1])))
					return 0;
		}
		/* a change next to a macro's continued line is part of its body */
		if (first_old(h) > 0 && first_old(h) - 1 < ol->n && w->pp[first_old(h) - 1] &&
		    str_ends_with(ol->v[first_old(h) - 1], "\\"))
			return 0;
	}
	return 1;
}

/*
 * Does the file have LINUX_VERSION_CODE already: it includes
 * linux/version.h, or tests KERNEL_VERSION() before the first change
 * (through a header of its own)?
 */
static int has_version_macros(const struct wrap *w)
{
	int k;

	for (k = 0; k < w->ol.n; k++) {
		if (strstr(w->ol.v[k], "<linux/version.h>") && directive(w->ol.v[k]))
			return 1;
		if (w->nh && k < first_old(&w->h[0]) && directive(w->ol.v[k]) &&
		    strstr(w->ol.v[k], "KERNEL_VERSION("))
			return 1;
	}
	return 0;
}

/*
 * The region that starts with hunk i: the old lines [*from, *to) it
 * replaces.  A unit wrapped whole is one region with every change in it;
 * other changes join the next while MERGE_GAP unchanged lines of the
 * same unit lie between.  Returns the region's last hunk.
 */
static int region_span(const struct wrap *w, int i, int *from, int *to)
{
	const int *unit = w->unit, *whole = w->whole;
	const struct hunk *h = w->h;
	int j = i, u = -1, g, n = w->ol.n;

	*from = first_old(&h[i]);
	*to = end_old(&h[i]);
	if (*from < n && unit[*from] >= 0 && whole[unit[*from]])
		u = unit[*from];
	else if (!h[i].old_n && *from > 0 && *from - 1 < n && unit[*from - 1] >= 0 &&
		 whole[unit[*from - 1]])
		u = unit[*from - 1];	/* added at the end of a unit wrapped whole */
	if (u >= 0) {
		/* the whole unit, and every change in it */
		while (*from > 0 && unit[*from - 1] == u)
			(*from)--;
		while (*to < n && unit[*to] == u)
			(*to)++;
		while (j + 1 < w->nh && first_old(&h[j + 1]) < *to)
			j++;
		if (end_old(&h[j]) > *to)
			*to = end_old(&h[j]);
		return j;
	}
	/* the next change, while few unchanged lines of the same unit lie between */
	while (j + 1 < w->nh) {
		int gf = end_old(&h[j]), gt = first_old(&h[j + 1]), ok;

		ok = h[j + 1].old_n && gt - gf <= MERGE_GAP && gt < n &&
		     !(unit[gt] >= 0 && whole[unit[gt]]);
		for (g = gf; ok && g < gt; g++)
			ok = unit[g] >= 0 && !w->pp[g] && (!h[j].old_n || gf == 0 ||
						      unit[g] == unit[gf - 1]);
		if (!ok)
			break;
		j++;
	}
	*to = end_old(&h[j]);
	return j;
}

/*
 * "#if guard" into out, continued with a backslash at a " && " where it
 * would pass 80 columns (the next line indented by a tab).
 */
static void guard_lines(struct strlist *out, const char *guard)
{
	char *line = xstrdup("#if"), *g = xstrdup(guard), *term = g, *next;
	size_t col = 3;

	for (; term; term = next) {
		next = strstr(term, " && ");
		if (next) {
			*next = '\0';
			next += 4;
		}
		if (col > 3 && col + 4 + strlen(term) + (next ? 5 : 0) > 80) {
			char *t = xasprintf("%s && \\", line);

			strlist_add(out, t);
			free(t);
			free(line);
			line = xasprintf("\t%s", term);
			col = 8 + strlen(term);
		} else {
			char *t = xasprintf("%s%s%s", line, col > 3 ? " && " : " ", term);

			free(line);
			line = t;
			col += (col > 3 ? 4 : 1) + strlen(term);
		}
	}
	strlist_add(out, line);
	free(line);
	free(g);
}

/*
 * Hunks i..j, replacing old lines [from, to), into w->out: "#if guard",
 * the region as converted, "#else", the old lines, "#endif" (an insertion
 * has no #else).  0, or -2 when a side would open or close a conditional
 * of the file's.
 */
static int emit_region(struct wrap *w, int i, int j, int from, int to, const char *guard)
{
	struct strlist *out = &w->out;
	int g, k, side;

	guard_lines(out, guard);
	side = out->n;
	/* the region as converted: its old lines, each change's in place of its own */
	for (g = from, k = i; g < to || k <= j; ) {
		if (k <= j && g >= first_old(&w->h[k])) {
			int a;

			for (a = 0; a < w->h[k].add.n; a++)
				strlist_add(out, w->h[k].add.v[a]);
			g = end_old(&w->h[k]) > g ? end_old(&w->h[k]) : g;
			k++;
		} else if (g < to) {
			strlist_add(out, w->ol.v[g++]);
		} else {
			break;
		}
	}
	if (!balanced(out, side, out->n))
		return -2;	/* the new side opens or closes a conditional of the file's */
	if (to > from) {
		strlist_add(out, "#else");
		side = out->n;
		for (g = from; g < to && g < w->ol.n; g++)
			strlist_add(out, w->ol.v[g]);
		if (!balanced(out, side, out->n))
			return -2;
		strlist_add(out, "#endif");
	} else {
		/* an insertion: its trailing blank lines after the #endif */
		int blanks = 0;

		while (out->n && !*out->v[out->n - 1]) {
			free(out->v[--out->n]);
			blanks++;
		}
		strlist_add(out, "#endif");
		while (blanks--)
			strlist_add(out, "");
	}
	return 0;
}

/*
 * #include <linux/version.h> into w->out after the last #include outside
 * any conditional before the first region (at first_region), else right
 * before it: at the top level, where the guard is read.
 */
static void add_version_include(struct wrap *w, int first_region)
{
	struct strlist *out = &w->out;
	int at = first_region - 1, nest = 0, k;
	char *spare;

	for (k = 0; k < first_region; k++) {
		int c = conditional(out->v[k]);

		if (!nest && !strncmp(out->v[k], "#include", 8))
			at = k;
		nest += c == 1 ? 1 : c == -1 ? -1 : 0;
	}
	strlist_add(out, "");
	spare = out->v[out->n - 1];
	memmove(&out->v[at + 2], &out->v[at + 1], (out->n - at - 2) * sizeof(*out->v));
	out->v[at + 1] = xstrdup("#include <linux/version.h>");
	free(spare);
}

/*
 * Rewrite PATH (the converted file; OLD its text before the conversion,
 * DIFF the conversion as git diff -U0) with each changed region under
 * GUARD.  A unit whose own line changed (a handler's signature, at depth
 * 0) is one region, whole: the old handler beside the new one.  Other
 * changes (a member of an initializer, a line inside a body) are regions
 * of their own lines, joined while MERGE_GAP unchanged lines apart in the
 * same unit; an insertion has an empty #else.  Returns the number of
 * regions, -1 if PATH cannot be written, -2 (PATH left as it is) if a change
 * touches a conditional directive or a multi-line macro, which no region
 * can wrap.
 */
int compat_wrap(const char *path, const char *old, const char *diff, const char *guard)
{
	struct wrap w = { 0 };
	int i, j, from, to, line = 0, regions = 0, ret = -2, first_region = -1, k;
	char *text, *t;

	w.nh = parse_hunks(diff, &w.h);
	split_lines(old, &w.ol);
	w.depth = xmalloc((w.ol.n + 1) * sizeof(*w.depth));
	w.unit = xmalloc((w.ol.n + 1) * sizeof(*w.unit));
	w.pp = xmalloc((w.ol.n + 1) * sizeof(*w.pp));
	w.whole = calloc(w.ol.n + 2, sizeof(*w.whole));
	pp_lines(&w.ol, w.pp);
	units_of(&w.ol, w.pp, w.depth, w.unit);
	if (!wrappable(&w))
		goto done;
	for (i = 0; i < w.nh; i = j + 1) {
		j = region_span(&w, i, &from, &to);
		if (from < line)
			from = line;	/* never twice (a unit's regions are one) */
		for (; line < from && line < w.ol.n; line++)
			strlist_add(&w.out, w.ol.v[line]);
		if (first_region < 0)
			first_region = w.out.n;
		if (emit_region(&w, i, j, from, to, guard))
			goto done;
		line = to;
		regions++;
	}
	for (; line < w.ol.n; line++)
		strlist_add(&w.out, w.ol.v[line]);
	if (regions && strstr(guard, "LINUX_VERSION_CODE") && !has_version_macros(&w))
		add_version_include(&w, first_region);
	text = strlist_join(&w.out, "\n");
	t = xasprintf("%s\n", text);
	ret = regions && write_file(path, t, strlen(t)) ? -1 : regions;
	free(t);
	free(text);
done:
	for (k = 0; k < w.nh; k++)
		strlist_free(&w.h[k].add);
	free(w.h);
	free(w.depth);
	free(w.unit);
	free(w.whole);
	free(w.pp);
	strlist_free(&w.ol);
	strlist_free(&w.out);
	return ret;
}
