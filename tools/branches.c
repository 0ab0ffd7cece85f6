// SPDX-License-Identifier: GPL-2.0
/*
 * branches.c - which preprocessor branches a conversion touches, and which
 * of them a build compiled.
 *
 * A conversion may change a line in a branch no profile builds: the
 * "#else" fallback "#define foo_mmap generic_file_mmap" of a handler
 * inside "#ifdef CONFIG_FS_DAX", where x86_64's allmodconfig has FS_DAX=y.
 * Such a file compiles on every profile and is still broken.  So convert
 * records the lines of the file as it was that its diff rewrote (or wrote
 * beside), check asks the compiler which of them it saw (the object's own
 * kbuild command with -E -dD, which keeps #define lines in place), and a
 * branch holding a touched line that no build compiled gets a config
 * variant with its condition's CONFIG_ symbols turned the other way
 * (docs/usage.md, "Every preprocessor branch").
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "branches.h"

/* ---- the lines a conversion touched, from the diff convert made ---- */

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

static void add_line(json_t *lines, int n)
{
	size_t i;
	json_t *v;

	if (n <= 0)
		return;
	json_array_foreach(lines, i, v)
		if (json_integer_value(v) == n)
			return;
	json_array_append_new(lines, json_integer(n));
}

/*
 * The old line numbers a unified diff of one file removes, and for a pure
 * insertion the old lines either side of it: the lines whose branches the
 * conversion wrote into.  (A conditional directive is in the branch that
 * holds its group, so an insertion beside an "#endif" asks for no more
 * than the branch it is in.)
 */
json_t *diff_touched_lines(const char *patch)
{
	size_t len;
	char *buf = read_file(patch, &len), *line, *next;
	json_t *lines = json_array();
	int old = 0, in_hunk = 0, removed = 0;

	for (line = buf; line && *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			next++;
		if (!strncmp(line, "@@ -", 4)) {
			old = atoi(line + 4);
			in_hunk = 1;
			removed = 0;
		} else if (!in_hunk) {
			continue;
		} else if (line[0] == '-') {
			add_line(lines, old++);
			removed = 1;
		} else if (line[0] == '+') {
			if (!removed) {
				add_line(lines, old - 1);
				add_line(lines, old);
			}
		} else if (line[0] == ' ') {
			old++;
			removed = 0;
		} else if (line[0] != '\\') {
			in_hunk = 0;
		}
	}
	free(buf);
	return lines;
}

/* ---- the branches of a file ---- */

static const char *directive(const char *line, size_t n, size_t *wlen)
{
	const char *s = line, *end = line + n, *w;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s != '#')
		return NULL;
	s++;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (w = s; s < end && isalpha((unsigned char)*s); s++)
		;
	*wlen = s - w;
	return w;
}

static int word_is(const char *w, size_t n, const char *want)
{
	return strlen(want) == n && !strncmp(w, want, n);
}

/*
 * Read path's conditional directives: every line gets the branch it is
 * in (0: none).  A directive line is in the branch that holds its group;
 * a continued directive's lines are its own.  Comments are not followed:
 * a "#if" inside a comment would be misread (the kernel has none where a
 * handler lives).
 */
int branch_map_read(struct branch_map *m, const char *path)
{
	size_t len, cap = 64;
	char *buf = read_file(path, &len), *line, *next;
	int stack[64], depth = 0, ln = 0, cont = 0, cur_dir = 0;

	memset(m, 0, sizeof(*m));
	if (!buf)
		return -1;
	m->branches = xmalloc(sizeof(*m->branches) * cap);
	m->nbranches = 1;	/* 0: outside every group */
	m->branches[0] = (struct branch){ 0 };
	for (line = buf; *line; line = next) {
		const char *w;
		size_t n, wl;
		int in = depth ? stack[depth - 1] : 0;

		next = strchrnul(line, '\n');
		n = next - line;
		if (*next)
			next++;
		ln++;
		if (ln >= m->nlines) {
			m->nlines = ln * 2 + 64;
			m->line_branch = realloc(m->line_branch, sizeof(int) * m->nlines);
		}
		m->line_branch[ln] = in;
		if (cont) {
			/* a continued condition: its text goes on */
			if (cur_dir) {
				char *t = xasprintf("%s %.*s", m->branches[cur_dir].cond, (int)n, line);

				free(m->branches[cur_dir].cond);
				m->branches[cur_dir].cond = t;
			}
			cont = n && line[n - 1] == '\\';
			continue;
		}
		cont = n && line[n - 1] == '\\';
		cur_dir = 0;
		w = directive(line, n, &wl);
		if (!w)
			continue;
		if (word_is(w, wl, "if") || word_is(w, wl, "ifdef") || word_is(w, wl, "ifndef") ||
		    word_is(w, wl, "elif") || word_is(w, wl, "else") || word_is(w, wl, "elifdef") ||
		    word_is(w, wl, "elifndef")) {
			int opens = w[0] == 'i';
			struct branch *b;

			if (!opens && !depth)
				continue;	/* unbalanced: left alone */
			if (!opens)
				depth--;
			if (depth == 64)
				break;
			if (m->nbranches == (int)cap) {
				cap *= 2;
				m->branches = realloc(m->branches, sizeof(*m->branches) * cap);
			}
			b = &m->branches[m->nbranches];
			*b = (struct branch){ .line = ln, .outer = depth ? stack[depth - 1] : 0,
					      .first = opens ? m->nbranches :
					      m->branches[stack[depth]].first,
					      .cond = xasprintf("%.*s", (int)n, line) };
			/* the directive line itself is in the group's enclosing branch */
			m->line_branch[ln] = b->outer;
			stack[depth++] = m->nbranches;
			cur_dir = m->nbranches++;
		} else if (word_is(w, wl, "endif") && depth) {
			depth--;
			m->line_branch[ln] = depth ? stack[depth - 1] : 0;
		}
	}
	m->nlines = ln + 1;
	free(buf);
	return 0;
}

void branch_map_free(struct branch_map *m)
{
	for (int i = 0; i < m->nbranches; i++)
		free(m->branches[i].cond);
	free(m->branches);
	free(m->line_branch);
	memset(m, 0, sizeof(*m));
}

int branch_of(const struct branch_map *m, int line)
{
	return line > 0 && line < m->nlines ? m->line_branch[line] : 0;
}

/* The CONFIG_ symbols cond names, without the prefix or a _MODULE suffix. */
static void branch_symbols_of(const char *cond, struct strlist *syms)
{
	const char *s = cond;

	while ((s = strstr(s, "CONFIG_"))) {
		const char *e = s + 7;
		char *sym;
		size_t n;

		if (s > cond && (isalnum((unsigned char)s[-1]) || s[-1] == '_')) {
			s = e;
			continue;
		}
		while (isalnum((unsigned char)*e) || *e == '_')
			e++;
		n = e - s - 7;
		if (n > 7 && !strncmp(e - 7, "_MODULE", 7))
			n -= 7;
		sym = xasprintf("%.*s", (int)n, s + 7);
		if (n)
			strlist_add_once(syms, sym);
		free(sym);
		s = e;
	}
}

/*
 * The one CONFIG_ symbol a simple condition tests, and whether it tests
 * it off: "#ifdef CONFIG_X", "#ifndef CONFIG_X", "#if [!]defined(CONFIG_X)",
 * "#if [!]IS_ENABLED(CONFIG_X)" (IS_BUILTIN, IS_MODULE, IS_REACHABLE),
 * "#if [!]CONFIG_X".  NULL for anything else.
 */
static char *simple_test(const char *cond, int *negated)
{
	const char *s = cond, *e;
	int kw;

	while (*s == ' ' || *s == '\t' || *s == '#')
		s++;
	*negated = !strncmp(s, "ifndef", 6);
	kw = !strncmp(s, "ifdef", 5) || *negated;
	if (kw)
		s += *negated ? 6 : 5;
	else if (!strncmp(s, "if", 2) && !isalpha((unsigned char)s[2]))
		s += 2;
	else if (!strncmp(s, "elif", 4) && !isalpha((unsigned char)s[4]))
		s += 4;
	else
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!kw) {
		while (*s == '!') {
			*negated = !*negated;
			s++;
			while (*s == ' ')
				s++;
		}
		for (const char *const *m = (const char *const[]){ "defined", "IS_ENABLED",
			"IS_BUILTIN", "IS_MODULE", "IS_REACHABLE", NULL }; *m; m++)
			if (!strncmp(s, *m, strlen(*m))) {
				s += strlen(*m);
				break;
			}
		while (*s == ' ' || *s == '(')
			s++;
	}
	if (strncmp(s, "CONFIG_", 7))
		return NULL;
	for (e = s + 7; isalnum((unsigned char)*e) || *e == '_'; e++)
		;
	/* nothing but closing parentheses and a comment may follow */
	for (const char *t = e; *t; t++) {
		if (*t == '/' && (t[1] == '*' || t[1] == '/'))
			break;
		if (*t != ')' && *t != ' ' && *t != '\t')
			return NULL;
	}
	return xasprintf("%.*s", (int)(e - s - 7), s + 7);
}

/*
 * What branch b needs to be compiled: the conditions of the branches
 * before it in its group false, its own true.  Each simple test says
 * which way its symbol must be (on, off); the symbols of any other
 * condition go to flip (turned the other way, a guess the compiler then
 * checks).
 */
void branch_wants(const struct branch_map *m, int b, struct strlist *on, struct strlist *off,
		  struct strlist *flip)
{
	for (int i = m->branches[b].first; i <= b; i++) {
		const char *cond = m->branches[i].cond, *w = cond;
		struct strlist syms = { 0 };
		int negated;
		char *sym;

		if (m->branches[i].first != m->branches[b].first)
			continue;
		while (*w == ' ' || *w == '\t' || *w == '#')
			w++;
		if (!strncmp(w, "else", 4))
			continue;
		sym = simple_test(cond, &negated);
		if (sym) {
			/* true where wanted: on unless negated; false: the other way */
			strlist_add_once((i == b) != negated ? on : off, sym);
			free(sym);
			continue;
		}
		branch_symbols_of(cond, &syms);
		for (int k = 0; k < syms.n; k++)
			strlist_add_once(flip, syms.v[k]);
		strlist_free(&syms);
	}
}

/* ---- what a build compiled ---- */

/*
 * The branches of file (map) that the preprocessed output ipath shows
 * live: a branch is live when a line of it comes out non-blank (gcc turns
 * a short dead run into blank lines, and -dD keeps #define lines where
 * they were).  live[b] is set for each.
 */
int branches_live(const struct branch_map *m, const char *ipath, const char *file,
		  char *live)
{
	size_t len, flen = strlen(file);
	char *buf = read_file(ipath, &len), *line, *next;
	int ln = 0, ours = 0;

	if (!buf)
		return -1;
	for (line = buf; *line; line = next) {
		size_t n;

		next = strchrnul(line, '\n');
		n = next - line;
		if (*next)
			next++;
		if (line[0] == '#' && line[1] == ' ' && isdigit((unsigned char)line[2])) {
			/* # N "path" flags */
			char *q = strchr(line, '"'), *e = q ? strchr(q + 1, '"') : NULL;

			if (e && e < next) {
				size_t pl = e - q - 1;

				ln = atoi(line + 2);
				ours = (pl == flen && !strncmp(q + 1, file, flen)) ||
				       (pl > flen && q[pl - flen] == '/' &&
					!strncmp(q + 1 + pl - flen, file, flen));
				continue;
			}
		}
		if (ours && !blank(line, n))
			live[branch_of(m, ln)] = 1;
		ln++;
	}
	free(buf);
	return 0;
}
