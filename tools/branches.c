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
 * (docs/arch.md, "Every branch the conversion changed").
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void add_line(json_t *lines, json_t *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(lines, i, x)
		if (json_equal(x, v)) {
			json_decref(v);
			return;
		}
	json_array_append_new(lines, v);
}

/*
 * A hunk header "@@ -A,B +C,D @@": 1 and the numbers, a count left out
 * ("@@ -A +C @@") being 1; 0 for any other line.
 */
static int hunk_header(const char *line, int *a, int *b, int *c, int *d)
{
	if (strncmp(line, "@@ -", 4))
		return 0;
	*b = *d = 1;
	if (sscanf(line, "@@ -%d,%d +%d,%d", a, b, c, d) == 4)
		return 1;
	*b = *d = 1;
	if (sscanf(line, "@@ -%d +%d,%d", a, c, d) == 3)
		return 1;
	*b = *d = 1;
	if (sscanf(line, "@@ -%d,%d +%d", a, b, c) == 3)
		return 1;
	*b = *d = 1;
	return sscanf(line, "@@ -%d +%d", a, c) == 2;
}

/*
 * What a unified diff touched, per file, in the file as it was: each old
 * line it removes (a number), and for lines it inserts, the old line they
 * follow ({"after": N}, 0 for the top of the file).  A file's part starts
 * at its "+++ b/FILE" line.  The hunk headers' counts decide where a hunk
 * ends, so an empty context line (a diff.suppressBlankEmpty diff) is
 * still context.
 */
json_t *diff_touched_files(const char *patch)
{
	size_t len;
	char *buf = read_file(patch, &len), *line, *next;
	json_t *files = json_object(), *lines = NULL;
	int old = 0, nold = 0, nnew = 0;

	for (line = buf; line && *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			next++;
		if (!nold && !nnew) {
			int a, b, c, d;

			if (!strncmp(line, "+++ b/", 6)) {
				char *name = strndup(line + 6, next - line - 6 - (next[-1] == '\n'));

				lines = json_array();
				json_object_set_new(files, name, lines);
				free(name);
			} else if (lines && hunk_header(line, &a, &b, &c, &d)) {
				/* "-5,0": nothing removed, the insertion follows line 5 */
				old = b ? a : a + 1;
				nold = b;
				nnew = d;
			}
			continue;
		}
		if (line[0] == '-') {
			add_line(lines, json_integer(old++));
			nold--;
		} else if (line[0] == '+') {
			add_line(lines, json_pack("{s:i}", "after", old - 1));
			nnew--;
		} else if (line[0] == ' ' || line[0] == '\n' || !line[0]) {
			old++;
			nold--;
			nnew--;
		}
		/* "\\ No newline at end of file" counts for nothing */
	}
	free(buf);
	return files;
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

/* A continued directive's text as one line: each backslash-newline a space. */
static void strip_continuations(char *s)
{
	for (; *s; s++)
		if (*s == '\\' && (s[1] == ' ' || !s[1]))
			*s = ' ';
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
			m->after_branch = realloc(m->after_branch, sizeof(int) * m->nlines);
		}
		m->line_branch[ln] = in;
		m->after_branch[ln] = in;
		if (cont) {
			/* a continued directive: its text goes on, its lines are the directive's */
			if (cur_dir) {
				char *t = xasprintf("%s %.*s", m->branches[cur_dir].cond, (int)n, line);

				free(m->branches[cur_dir].cond);
				m->branches[cur_dir].cond = t;
				m->line_branch[ln] = m->line_branch[ln - 1];
				m->after_branch[ln] = m->after_branch[ln - 1];
				m->after_branch[ln - 1] = m->line_branch[ln - 1];
			}
			cont = n && line[n - 1] == '\\';
			if (cur_dir && !cont)
				strip_continuations(m->branches[cur_dir].cond);
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
			/* what follows it is in the branch it opens */
			m->after_branch[ln] = m->nbranches;
			cur_dir = m->nbranches++;
		} else if (word_is(w, wl, "endif") && depth) {
			depth--;
			m->line_branch[ln] = depth ? stack[depth - 1] : 0;
			m->after_branch[ln] = m->line_branch[ln];
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
	free(m->after_branch);
	memset(m, 0, sizeof(*m));
}

int branch_of(const struct branch_map *m, int line)
{
	return line > 0 && line < m->nlines ? m->line_branch[line] : 0;
}

/* The branch in effect just after line (what an insertion there is in). */
int branch_after(const struct branch_map *m, int line)
{
	return line > 0 && line < m->nlines ? m->after_branch[line] : 0;
}

/* The branch a conversion.lines entry is in: a line, or {"after": N}. */
int branch_of_touch(const struct branch_map *m, json_t *v)
{
	if (json_is_object(v))
		return branch_after(m, json_integer_value(json_object_get(v, "after")));
	return branch_of(m, json_integer_value(v));
}

/*
 * The CONFIG_ symbols cond names, once each in *syms: whole ("CONFIG_X_MODULE"),
 * or without the prefix and a _MODULE suffix ("X").
 */
void config_symbols_of(const char *cond, struct strlist *syms, int whole)
{
	const char *s = cond;

	while (s && (s = strstr(s, "CONFIG_"))) {
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
		if (!whole && n > 7 && !strncmp(e - 7, "_MODULE", 7))
			n -= 7;
		sym = whole ? xasprintf("%.*s", (int)(e - s), s) : xasprintf("%.*s", (int)n, s + 7);
		if (n)
			strlist_add_once(syms, sym);
		free(sym);
		s = e;
	}
}

/*
 * The one CONFIG_ symbol a simple condition tests, and the values that
 * make the condition true: "#ifdef CONFIG_X", "#if defined(CONFIG_X)",
 * "#if CONFIG_X" and IS_BUILTIN() are true only for X=y (X=m defines
 * CONFIG_X_MODULE instead), IS_ENABLED() and IS_REACHABLE() for y or m,
 * IS_MODULE() and CONFIG_X_MODULE for m; "#ifndef" and "!" turn it round.
 * NULL for any other condition.
 */
static char *simple_test(const char *cond, const char **when_true, int *negated)
{
	const char *s = cond, *e;
	int kw, n;
	char kind = 'd';

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
		static const struct { const char *name; char kind; } tests[] = {
			{ "defined", 'd' }, { "IS_ENABLED", 'e' }, { "IS_REACHABLE", 'e' },
			{ "IS_BUILTIN", 'd' }, { "IS_MODULE", 'm' },
		};

		while (*s == '!') {
			*negated = !*negated;
			s++;
			while (*s == ' ')
				s++;
		}
		for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
			if (!strncmp(s, tests[i].name, strlen(tests[i].name))) {
				s += strlen(tests[i].name);
				kind = tests[i].kind;
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
	n = e - s - 7;
	if (kind == 'd' && n > 7 && !strncmp(e - 7, "_MODULE", 7)) {
		kind = 'm';
		n -= 7;
	}
	*when_true = kind == 'd' ? "y" : kind == 'e' ? "ym" : "m";
	return xasprintf("%.*s", n, s + 7);
}

/*
 * Add "SYM=SET" to reqs, or narrow the set SYM has there to the values
 * both allow (empty when none does); a known set wins over a flip ("~").
 */
static void require(struct strlist *reqs, const char *sym, const char *set)
{
	size_t n = strlen(sym);
	char both[4] = "", *t;
	int i, k = 0;

	for (i = 0; i < reqs->n; i++)
		if (!strncmp(reqs->v[i], sym, n) && reqs->v[i][n] == '=')
			break;
	if (i < reqs->n) {
		const char *have = reqs->v[i] + n + 1;

		if (*set == '~')
			return;
		if (*have != '~') {
			for (const char *c = have; *c; c++)
				if (strchr(set, *c))
					both[k++] = *c;
			set = both;
		}
		t = xasprintf("%s=%s", sym, set);
		free(reqs->v[i]);
		reqs->v[i] = t;
		return;
	}
	t = xasprintf("%s=%s", sym, set);
	strlist_add(reqs, t);
	free(t);
}

/*
 * What branch b needs to be compiled, as "SYMBOL=VALUES" (VALUES of y, m,
 * n; "~" for a symbol of a condition too complex to read, to be turned
 * the other way as a guess the compiler then checks): in b's group and in
 * each group around it, the conditions of the branches before the one
 * that holds b false, that branch's own true.
 */
void branch_wants(const struct branch_map *m, int b, struct strlist *reqs)
{
	for (int o = b; o; o = m->branches[o].outer) {
		for (int i = m->branches[o].first; i <= o; i++) {
			const char *cond = m->branches[i].cond, *w = cond, *when;
			struct strlist syms = { 0 };
			int negated;
			char *sym;

			if (m->branches[i].first != m->branches[o].first)
				continue;
			while (*w == ' ' || *w == '\t' || *w == '#')
				w++;
			if (!strncmp(w, "else", 4))
				continue;
			sym = simple_test(cond, &when, &negated);
			if (sym) {
				static const char all[] = "ymn";
				char other[4] = "";
				int k = 0;

				for (const char *c = all; *c; c++)
					if (!strchr(when, *c))
						other[k++] = *c;
				/* true where this branch is the one wanted, false before it */
				require(reqs, sym, (i == o) != negated ? when : other);
				free(sym);
				continue;
			}
			config_symbols_of(cond, &syms, 0);
			for (int k = 0; k < syms.n; k++)
				require(reqs, syms.v[k], "~");
			strlist_free(&syms);
		}
	}
}

/* ---- what a build compiled ---- */

/* Whether the flags of a line marker (from s to the line's end) say "1": a file entered. */
static int enters(const char *s, const char *end)
{
	for (; s + 1 < end; s++)
		if (s[0] == ' ' && s[1] == '1' && (s + 2 >= end || s[2] == ' ' || s[2] == '\n'))
			return 1;
	return 0;
}

/* Branch b is live, and so is every branch around it. */
static void mark_live(const struct branch_map *m, char *live, int b)
{
	for (; b; b = m->branches[b].outer)
		live[b] = 1;
}

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
				int was = ours, at = ln;

				ln = atoi(line + 2);
				ours = (pl == flen && !strncmp(q + 1, file, flen)) ||
				       (pl > flen && q[pl - flen] == '/' &&
					!strncmp(q + 1 + pl - flen, file, flen));
				/* entering a header from our line: that #include was compiled */
				if (was && !ours && enters(e + 1, next))
					mark_live(m, live, branch_of(m, at));
				continue;
			}
		}
		if (ours && !blank(line, n))
			mark_live(m, live, branch_of(m, ln));
		ln++;
	}
	free(buf);
	return 0;
}

/* ---- the branches dead for the target's release ---- */

/*
 * The kconfig symbol a CONFIG_ name of a test is about (CONFIG_X of
 * CONFIG_X_MODULE too), when st->kconfig gives it a y, m or no value:
 * NULL for a symbol of another type (an int, a string), which no
 * IS_ENABLED() guard can stand for.
 */
static char *kconfig_symbol(const struct settle *st, const char *name)
{
	size_t n = strlen(name);
	char *sym = n > 7 && str_ends_with(name, "_MODULE") &&
		    !json_object_get(st->kconfig, name) ? strndup(name, n - 7) : xstrdup(name);
	const char *v = jstr((json_t *)st->kconfig, sym);

	if (v && strcmp(v, "y") && strcmp(v, "m")) {
		free(sym);
		return NULL;
	}
	return sym;
}

/*
 * The expression of a "#if" or "#elif" (or "defined(NAME)" of an
 * "#ifdef", "!defined(NAME)" of an "#ifndef") whose only names are what
 * st lets it settle: LINUX_VERSION_CODE and KERNEL_VERSION (a version
 * test, decided by the release alone) when st->version, the macros of
 * st->macros (a driver's configure step wrote them for this kernel), and
 * "defined", and the kernel's CONFIG_ symbols with IS_ENABLED(),
 * IS_BUILTIN() and IS_MODULE() when st->kconfig; NULL for any other.
 * *is_else: the directive is "#else".  names, when given, gets the macros
 * of st->macros it names, kconfig the kconfig symbols.
 */
static char *settled_expr(const char *cond, const struct settle *st, int *is_else,
			  struct strlist *names, struct strlist *kconfig)
{
	size_t wl;
	const char *w = directive(cond, strlen(cond), &wl), *e, *s;
	int named = 0, ifdef;

	*is_else = w && word_is(w, wl, "else");
	ifdef = w && (word_is(w, wl, "ifdef") || word_is(w, wl, "ifndef"));
	if (!w || !(word_is(w, wl, "if") || word_is(w, wl, "elif") || ifdef))
		return NULL;
	e = w + wl;
	for (s = e; *s; s++) {
		const char *t = s;
		char *name;
		int ok;

		if (s[0] == '/' && (s[1] == '*' || s[1] == '/'))
			break;	/* a comment ends what is judged: anything after is unknown */
		if (!isalpha((unsigned char)*s) && *s != '_') {
			if (isdigit((unsigned char)*s))
				while (isalnum((unsigned char)s[1]))
					s++;
			continue;
		}
		while (isalnum((unsigned char)s[1]) || s[1] == '_')
			s++;
		name = strndup(t, s - t + 1);
		ok = 1;
		if (st->version && !strcmp(name, "LINUX_VERSION_CODE"))
			named = 1;
		else if (st->macros && json_object_get(st->macros, name)) {
			named = 1;
			if (names)
				strlist_add_once(names, name);
		} else if (st->kconfig && !strncmp(name, "CONFIG_", 7)) {
			char *sym = kconfig_symbol(st, name);

			named = 1;
			ok = sym != NULL;
			if (sym && kconfig)
				strlist_add_once(kconfig, sym);
			free(sym);
		} else if (!(st->version && !strcmp(name, "KERNEL_VERSION")) &&
			   !(!ifdef && !strcmp(name, "defined")) &&
			   !(st->kconfig && !ifdef && (!strcmp(name, "IS_ENABLED") ||
			     !strcmp(name, "IS_BUILTIN") || !strcmp(name, "IS_MODULE")))) {
			ok = 0;
		}
		free(name);
		if (!ok)
			return NULL;
	}
	if (!named || *s)
		return NULL;
	if (ifdef) {
		while (*e == ' ' || *e == '\t')
			e++;
		return xasprintf("%sdefined(%.*s)", w[2] == 'n' ? "!" : "",
				 (int)strcspn(e, " \t\n"), e);
	}
	return xstrdup(e);
}

/* settled_expr() of cond: its expression, or NULL (*is_else: an #else). */
char *branch_settled_expr(const char *cond, const struct settle *st, int *is_else)
{
	return settled_expr(cond, st, is_else, NULL, NULL);
}

/* The macros of st->macros and the kconfig symbols that cond names (see settled_expr()). */
void branch_settled_names(const char *cond, const struct settle *st, struct strlist *names,
			  struct strlist *kconfig)
{
	int is_else;

	free(settled_expr(cond, st, &is_else, names, kconfig));
}

/*
 * dead[b] = 1 for each branch of m that the compiler skips on a kernel
 * whose LINUX_VERSION_CODE is code, as far as the version tests of its
 * group decide: a branch after one that is taken, or a version test that
 * is false with every test before it false.  A group with a test of
 * anything else (a CONFIG_ symbol, a driver's macro) is decided only up
 * to it.  The compiler's preprocessor evaluates the tests, with the
 * kernel's KERNEL_VERSION(): ((a) << 16) + ((b) << 8) + min(c, 255).
 * A branch inside a dead one is dead too.  taken, when given, gets 1 for
 * each branch its group's tests decide is the one compiled.  Returns how
 * many are dead, -1 when the preprocessor could not run.
 */
int branches_dead_for_version(const struct branch_map *m, long code, const struct settle *st,
			      char *dead, char *taken)
{
	char *src = NULL, *out, *line, *save;
	int b, n = 0, status, is_else, *val = calloc(m->nbranches + 1, sizeof(int));
	struct run_opts ro = { .err = "/dev/null" };
	struct strlist cmd = { 0 };
	FILE *f;
	char path[] = "/tmp/mmapport-version-XXXXXX";
	int fd;

	memset(dead, 0, m->nbranches);
	if (taken)
		memset(taken, 0, m->nbranches);
	for (b = 1; b < m->nbranches; b++) {
		char *e = settled_expr(m->branches[b].cond, st, &is_else, NULL, NULL);

		val[b] = -1;
		if (e) {
			char *t = xasprintf("%s#if %s\nB %d 1\n#else\nB %d 0\n#endif\n",
					    src ? src : "", e, b, b);

			free(src);
			src = t;
		}
		free(e);
	}
	if (!src)
		goto decide;
	fd = mkstemp(path);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		free(src);
		free(val);
		return -1;
	}
	fprintf(f, "#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))\n#define LINUX_VERSION_CODE %ld\n",
		code);
	if (st->macros) {
		const char *k;
		json_t *v;

		/* as the configure step wrote them: "NAME value", "NAME(args) body" */
		json_object_foreach((json_t *)st->macros, k, v)
			if (json_is_string(v))
				fprintf(f, "#define %s%s\n", k, json_string_value(v));
	}
	if (st->kconfig) {
		const char *k;
		json_t *v;

		/* as include/generated/autoconf.h has them, and linux/kconfig.h's tests */
		json_object_foreach((json_t *)st->kconfig, k, v)
			if (!strcmp(json_string_value(v), "y"))
				fprintf(f, "#define %s 1\n", k);
			else if (!strcmp(json_string_value(v), "m"))
				fprintf(f, "#define %s_MODULE 1\n", k);
		fputs("#define __ARG_PLACEHOLDER_1 0,\n"
		      "#define __take_second_arg(__ignored, val, ...) val\n"
		      "#define __is_defined(x) ___is_defined(x)\n"
		      "#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)\n"
		      "#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)\n"
		      "#define __or(x, y) ___or(x, y)\n"
		      "#define ___or(x, y) ____or(__ARG_PLACEHOLDER_##x, y)\n"
		      "#define ____or(arg1_or_junk, y) __take_second_arg(arg1_or_junk 1, y)\n"
		      "#define IS_BUILTIN(option) __is_defined(option)\n"
		      "#define IS_MODULE(option) __is_defined(option##_MODULE)\n"
		      "#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))\n", f);
	}
	fputs(src, f);
	fclose(f);
	free(src);
	strlist_add(&cmd, "cpp");
	strlist_add(&cmd, "-P");
	strlist_add(&cmd, "-undef");
	strlist_add(&cmd, path);
	out = capture_list(&ro, &cmd, &status);
	strlist_free(&cmd);
	unlink(path);
	/* a test cpp cannot evaluate decides nothing: none is taken as false */
	if (!out || status) {
		free(out);
		free(val);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int k, v;

		if (sscanf(line, "B %d %d", &k, &v) == 2 && k > 0 && k < m->nbranches)
			val[k] = v;
	}
	free(out);
decide:
	/* each group in order: taken, or still open with every test so far false */
	for (b = 1; b < m->nbranches; b++) {
		int k, is_taken = 0, unknown = 0;

		if (m->branches[b].first != b)
			continue;
		for (k = b; k < m->nbranches; k++) {
			if (m->branches[k].first != b)
				continue;
			free(settled_expr(m->branches[k].cond, st, &is_else, NULL, NULL));
			if (is_taken) {
				dead[k] = 1;
			} else if (unknown) {
				continue;
			} else if (is_else || val[k] > 0) {
				is_taken = 1;
				if (taken)
					taken[k] = 1;
			} else if (val[k] < 0) {
				unknown = 1;
			} else {
				dead[k] = 1;
			}
		}
	}
	/* inside a dead branch: dead (branches are numbered outer first) */
	for (b = 1; b < m->nbranches; b++) {
		dead[b] |= dead[m->branches[b].outer];
		n += dead[b];
	}
	free(val);
	return n;
}
