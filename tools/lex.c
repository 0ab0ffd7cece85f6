// SPDX-License-Identifier: GPL-2.0
/*
 * lex.c - tokenizer for scan; see lex.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "util.h"

#define MAX_COND_DEPTH 64

struct cond_frame {
	char *text;		/* condition of the current branch */
	int guard;		/* an include guard: not reported */
	int fresh;		/* no token seen since the #ifndef */
	char *ifndef;		/* the macro an #ifndef tested */
};

struct lex_state {
	struct lexer *lx;
	const char *buf, *end, *p;
	int line;
	struct cond_frame frames[MAX_COND_DEPTH];
	int depth;
	int cur_cond;
};

char *tok_str(const struct token *t)
{
	char *s = malloc(t->len + 1);

	if (!s)
		return NULL;
	memcpy(s, t->text, t->len);
	s[t->len] = '\0';
	return s;
}

static int push_tok(struct lex_state *st, enum tok_kind kind, const char *text,
		    int len, int line, int macro)
{
	struct lexer *lx = st->lx;
	struct token *t;

	if (lx->ntoks == lx->cap) {
		int cap = lx->cap ? lx->cap * 2 : 4096;
		struct token *n = realloc(lx->toks, cap * sizeof(*n));

		if (!n)
			return -1;
		lx->toks = n;
		lx->cap = cap;
	}
	t = &lx->toks[lx->ntoks++];
	t->kind = kind;
	t->text = text;
	t->len = len;
	t->line = line;
	t->cond = st->cur_cond;
	t->macro = macro;
	if (macro < 0 && st->depth)
		st->frames[st->depth - 1].fresh = 0;
	return 0;
}

static char *dup_range(const char *a, const char *b)
{
	char *s = malloc(b - a + 1);

	if (s) {
		memcpy(s, a, b - a);
		s[b - a] = '\0';
	}
	return s;
}

/*
 * The text from a to b as one line: white space and line continuations
 * collapsed to single blanks, comments dropped (a "//" one to the first
 * newline that no backslash continues), string and character literals
 * kept as written.
 */
char *lex_collapse(const char *a, const char *b)
{
	char *s = xmalloc(b - a + 1), *o = s;
	int space = 0;

	while (a < b) {
		if (a + 1 < b && a[0] == '/' && a[1] == '*') {
			const char *e = strstr(a + 2, "*/");

			a = (e && e < b) ? e + 2 : b;
			space = 1;
			continue;
		}
		if (a + 1 < b && a[0] == '/' && a[1] == '/') {
			while (a < b && !(*a == '\n' && a[-1] != '\\'))
				a++;
			space = 1;
			continue;
		}
		if (*a == '\\' || isspace((unsigned char)*a)) {
			space = 1;
			a++;
			continue;
		}
		if (space && o > s)
			*o++ = ' ';
		space = 0;
		if (*a == '"' || *a == '\'') {
			char q = *a;

			*o++ = *a++;
			while (a < b && *a != q && *a != '\n') {
				if (*a == '\\' && a + 1 < b)
					*o++ = *a++;
				*o++ = *a++;
			}
			if (a < b && *a == q)
				*o++ = *a++;
			continue;
		}
		*o++ = *a++;
	}
	*o = '\0';
	return s;
}

/* Intern the current #if stack as one string, in st->cur_cond. */
static void update_cond(struct lex_state *st)
{
	struct lexer *lx = st->lx;
	size_t n = 1;
	char *s;
	int i;

	for (i = 0; i < st->depth; i++)
		if (!st->frames[i].guard)
			n += strlen(st->frames[i].text) + 4;
	if (n == 1) {
		st->cur_cond = -1;
		return;
	}
	s = malloc(n);
	if (!s)
		return;
	s[0] = '\0';
	for (i = 0; i < st->depth; i++) {
		if (st->frames[i].guard)
			continue;
		if (s[0])
			strcat(s, " && ");
		strcat(s, st->frames[i].text);
	}
	if (lx->nconds && !strcmp(lx->conds[lx->nconds - 1], s)) {
		free(s);
		st->cur_cond = lx->nconds - 1;
		return;
	}
	if (lx->nconds == lx->condcap) {
		int cap = lx->condcap ? lx->condcap * 2 : 16;
		char **c = realloc(lx->conds, cap * sizeof(*c));

		if (!c) {
			free(s);
			return;
		}
		lx->conds = c;
		lx->condcap = cap;
	}
	lx->conds[lx->nconds] = s;
	st->cur_cond = lx->nconds++;
}

static char *concat3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

static int intern_macro(struct lexer *lx, const char *a, const char *b)
{
	if (lx->nmacros == lx->macrocap) {
		int cap = lx->macrocap ? lx->macrocap * 2 : 16;
		char **m = realloc(lx->macros, cap * sizeof(*m));

		if (!m)
			return -1;
		lx->macros = m;
		lx->macrocap = cap;
	}
	lx->macros[lx->nmacros] = dup_range(a, b);
	return lx->nmacros++;
}

/* Tokenize [p, end) of ordinary text; stops at a newline if in_directive. */
static int lex_text(struct lex_state *st, const char *p, const char *end,
		    int macro)
{
	while (p < end) {
		const char *s = p;
		char c = *p;

		if (c == '\n') {
			st->line++;
			p++;
			continue;
		}
		if (c == '\\' && p + 1 < end && p[1] == '\n') {
			st->line++;
			p += 2;
			continue;
		}
		if (isspace((unsigned char)c)) {
			p++;
			continue;
		}
		if (c == '/' && p + 1 < end && p[1] == '*') {
			p += 2;
			while (p + 1 < end && !(p[0] == '*' && p[1] == '/')) {
				if (*p == '\n')
					st->line++;
				p++;
			}
			p = p + 2 < end ? p + 2 : end;
			continue;
		}
		if (c == '/' && p + 1 < end && p[1] == '/') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (isalpha((unsigned char)c) || c == '_') {
			while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			if (push_tok(st, TOK_IDENT, s, p - s, st->line, macro))
				return -1;
			continue;
		}
		if (isdigit((unsigned char)c)) {
			while (p < end && (isalnum((unsigned char)*p) || *p == '.' || *p == '_'))
				p++;
			if (push_tok(st, TOK_NUMBER, s, p - s, st->line, macro))
				return -1;
			continue;
		}
		if (c == '"' || c == '\'') {
			int line = st->line;

			p++;
			while (p < end && *p != c) {
				if (*p == '\\' && p + 1 < end) {
					if (p[1] == '\n')
						st->line++;
					p++;
				} else if (*p == '\n') {
					break;	/* unterminated: stop at the line */
				}
				p++;
			}
			if (p < end && *p == c)
				p++;
			if (push_tok(st, TOK_STRING, s, p - s, line, macro))
				return -1;
			continue;
		}
		if (c == '-' && p + 1 < end && p[1] == '>')
			p += 2;
		else if (c == '#' && p + 1 < end && p[1] == '#')
			p += 2;
		else if (c == '.' && p + 2 < end && p[1] == '.' && p[2] == '.')
			p += 3;
		else
			p++;
		if (push_tok(st, TOK_PUNCT, s, p - s, st->line, macro))
			return -1;
	}
	return 0;
}

/* End of a logical line starting at p (continuations joined). */
static const char *logical_eol(const char *p, const char *end)
{
	while (p < end && *p != '\n') {
		if (*p == '\\' && p + 1 < end && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			const char *e;

			for (e = p + 2; e + 1 < end && !(e[0] == '*' && e[1] == '/'); e++)
				;
			p = e + 2 < end ? e + 2 : end;
			continue;
		}
		p++;
	}
	return p;
}

static int count_newlines(const char *a, const char *b)
{
	int n = 0;

	for (; a < b; a++)
		n += *a == '\n';
	return n;
}

static void directive(struct lex_state *st, const char *p, const char *eol)
{
	const char *w, *we;
	struct cond_frame *f;
	char *expr;

	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	w = p;
	while (p < eol && isalpha((unsigned char)*p))
		p++;
	we = p;
	expr = lex_collapse(p, eol);

#define IS(word) ((size_t)(we - w) == strlen(word) && !strncmp(w, word, we - w))
	if (IS("if") || IS("ifdef") || IS("ifndef")) {
		if (st->depth == MAX_COND_DEPTH) {
			free(expr);
			return;
		}
		f = &st->frames[st->depth++];
		memset(f, 0, sizeof(*f));
		if (IS("if"))
			f->text = concat3("(", expr, ")");
		else if (IS("ifdef"))
			f->text = concat3("defined(", expr, ")");
		else {
			f->text = concat3("!defined(", expr, ")");
			f->ifndef = strdup(expr);
			f->fresh = 1;
		}
		update_cond(st);
	} else if ((IS("elif") || IS("else")) && st->depth) {
		char *prev, *neg;

		f = &st->frames[st->depth - 1];
		prev = f->text;
		/* The previous branch text is "(A)" or "!(A) && (B)": negate its last term. */
		neg = concat3("!", strrchr(prev, '&') ? strrchr(prev, '&') + 2 : prev, "");
		if (strrchr(prev, '&')) {
			char *head = dup_range(prev, strrchr(prev, '&') - 2);
			char *t = concat3(head, " && ", neg);

			free(head);
			free(neg);
			neg = t;
		}
		if (IS("elif")) {
			char *b = concat3("(", expr, ")");

			f->text = concat3(neg, " && ", b);
			free(b);
			free(neg);
		} else {
			f->text = neg;
		}
		free(prev);
		f->guard = 0;
		update_cond(st);
	} else if (IS("endif") && st->depth) {
		f = &st->frames[--st->depth];
		free(f->text);
		free(f->ifndef);
		update_cond(st);
	} else if (IS("define")) {
		const char *n = p, *ne;

		while (n < eol && (*n == ' ' || *n == '\t'))
			n++;
		ne = n;
		while (ne < eol && (isalnum((unsigned char)*ne) || *ne == '_'))
			ne++;
		if (st->depth) {
			f = &st->frames[st->depth - 1];
			if (f->fresh && f->ifndef && (size_t)(ne - n) == strlen(f->ifndef) &&
			    !strncmp(n, f->ifndef, ne - n)) {
				f->guard = 1;
				update_cond(st);
			}
			f->fresh = 0;
		}
		if (ne > n) {
			int m = intern_macro(st->lx, n, ne);

			/* Skip the parameter list of a function-like macro. */
			if (ne < eol && *ne == '(')
				while (ne < eol && *ne != ')')
					ne++;
			if (m >= 0)
				lex_text(st, ne < eol ? ne + 1 : eol, eol, m);
		}
	}
#undef IS
	free(expr);
}

int lex_buffer(struct lexer *lx, const char *buf, size_t len)
{
	struct lex_state st = { .lx = lx, .buf = buf, .end = buf + len,
				.line = 1, .cur_cond = -1 };
	const char *p = buf, *end = buf + len;
	int i;

	while (p < end) {
		const char *q = p, *eol;

		/* p is at the start of a physical line */
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q == '#') {
			int line = st.line;

			eol = logical_eol(q, end);
			directive(&st, q + 1, eol);
			st.line = line + count_newlines(q, eol);
		} else {
			/* Ordinary text up to the next line that starts with '#'. */
			const char *e = q;

			for (;;) {
				e = logical_eol(e, end);
				if (e >= end)
					break;
				e++;
				{
					const char *r = e;

					while (r < end && (*r == ' ' || *r == '\t'))
						r++;
					if (r < end && *r == '#') {
						e--;
						break;
					}
				}
			}
			if (lex_text(&st, p, e, -1))
				return -1;
			eol = e;
		}
		if (eol < end)
			st.line++;
		p = eol < end ? eol + 1 : end;
	}
	for (i = 0; i < st.depth; i++) {
		free(st.frames[i].text);
		free(st.frames[i].ifndef);
	}
	if (push_tok(&st, TOK_EOF, end, 0, st.line, -1))
		return -1;
	return 0;
}

void lex_free(struct lexer *lx)
{
	int i;

	for (i = 0; i < lx->nconds; i++)
		free(lx->conds[i]);
	for (i = 0; i < lx->nmacros; i++)
		free(lx->macros[i]);
	free(lx->conds);
	free(lx->macros);
	free(lx->toks);
	memset(lx, 0, sizeof(*lx));
}

/* Index of the token closing the group opened at toks[i]. */
int match_close(const struct lexer *lx, int i)
{
	int depth = 0;

	for (; i < lx->ntoks && lx->toks[i].kind != TOK_EOF; i++) {
		const struct token *t = &lx->toks[i];

		if (t->kind != TOK_PUNCT)
			continue;
		if (tok_is(t, "(") || tok_is(t, "{") || tok_is(t, "["))
			depth++;
		else if (tok_is(t, ")") || tok_is(t, "}") || tok_is(t, "]"))
			if (--depth == 0)
				return i;
	}
	return lx->ntoks - 1;
}

/* The next "name(" at file scope from i on (lex.h). */
int lex_next_toplevel(const struct lexer *lx, const char *name, int i, int *depth)
{
	for (; i + 1 < lx->ntoks; i++) {
		const struct token *t = lx->toks + i;

		if (t->macro >= 0)
			continue;
		if (tok_is(t, "{"))
			(*depth)++;
		else if (tok_is(t, "}"))
			(*depth)--;
		else if (!*depth && t->kind == TOK_IDENT && tok_is(t + 1, "(") && tok_is(t, name))
			return i;
	}
	return -1;
}

/*
 * Is function name defined here (outside any braces, its ")" followed by
 * attributes at most, then the body)?  Then *name_tok is the index of its
 * name token and *body that of its opening brace.  scan and classify find
 * a handler's definition with it.
 */
int lex_find_function(const struct lexer *lx, const char *name, int *name_tok, int *body)
{
	int i, depth = 0;

	for (i = lex_next_toplevel(lx, name, 0, &depth); i >= 0;
	     i = lex_next_toplevel(lx, name, i + 1, &depth)) {
		int c = match_close(lx, i + 1), j;

		for (j = c + 1; j < lx->ntoks && j < c + 12; j++) {
			if (tok_is(lx->toks + j, "{")) {
				*name_tok = i;
				*body = j;
				return 1;
			}
			if (tok_is(lx->toks + j, ";") || tok_is(lx->toks + j, ",") ||
			    tok_is(lx->toks + j, "="))
				break;
		}
	}
	return 0;
}
