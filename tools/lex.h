/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lex.h - a C tokenizer that keeps what scan needs: identifiers,
 * punctuation, line numbers, the enclosing #if conditions and the
 * #define a token came from.  It does not expand macros: scan reads the
 * source as written, so that disabled code and every arch is seen.
 */
#ifndef MMAPPORT_LEX_H
#define MMAPPORT_LEX_H

#include <stddef.h>

enum tok_kind {
	TOK_IDENT,
	TOK_NUMBER,
	TOK_STRING,	/* string or character literal, quotes included */
	TOK_PUNCT,	/* one punctuator: "->", "##", "..." or a single char */
	TOK_EOF,
};

struct token {
	enum tok_kind kind;
	const char *text;	/* points into the buffer; not NUL terminated */
	int len;
	int line;
	int cond;		/* index into lexer.conds, -1 for none */
	int macro;		/* index into lexer.macros, -1 outside #define */
};

struct lexer {
	struct token *toks;
	int ntoks, cap;
	char **conds;		/* "CONFIG_A && !defined(B)" per distinct stack */
	int nconds, condcap;
	char **macros;		/* names of the #defines tokens came from */
	int nmacros, macrocap;
};

/* Tokenize buf[0..len); returns 0, or -1 on allocation failure. */
int lex_buffer(struct lexer *lx, const char *buf, size_t len);
void lex_free(struct lexer *lx);

static inline int tok_is(const struct token *t, const char *s)
{
	int i;

	for (i = 0; i < t->len; i++)
		if (s[i] != t->text[i])
			return 0;
	return s[i] == '\0';
}

/* Index of the token closing the group opened at toks[i]. */
int match_close(const struct lexer *lx, int i);

/*
 * The next token from i on that is name followed by "(" at file scope
 * (not in braces, not in a macro's body), or -1; *depth, 0 at the first
 * call, carries the brace depth from one call to the next.
 */
int lex_next_toplevel(const struct lexer *lx, const char *name, int i, int *depth);

/* Is function name defined here?  Its name token and its opening brace. */
int lex_find_function(const struct lexer *lx, const char *name, int *name_tok, int *body);

/* Copy a token's text into a new string. */
char *tok_str(const struct token *t);
char *lex_collapse(const char *a, const char *b);

#endif
