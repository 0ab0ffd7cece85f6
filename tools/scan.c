// SPDX-License-Identifier: GPL-2.0
/*
 * scan.c - find every registration of an mmap hook.
 *
 * Two passes over the source as written (no preprocessing, so code that
 * the current config disables and other arches' files are seen too):
 *
 *  1. hooks: every struct member that is a function pointer whose name
 *     contains "mmap" and that takes a struct vm_area_struct * (an ->mmap
 *     hook) or a struct vm_area_desc * (an ->mmap_prepare hook).  The
 *     types come from the tree's own declarations, not from a list, so a
 *     new subsystem's hook is found without changing mmapport.
 *  2. registrations: initialisers of variables (and compound literals) of
 *     those struct types, or of structs embedding them, that set a hook;
 *     initialisers inside #define bodies; and run-time assignments
 *     "x->hook = fn" / "x.hook = fn".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "mmapport.h"
#include "util.h"

struct hook {
	char *type;		/* struct name */
	char *member;
	int prepare;		/* takes a vm_area_desc, not a VMA */
	char *sig;		/* parameter types, names dropped */
	char *decl_file;
	int decl_line;
};

struct embed {
	char *type, *member, *member_type;
	int pointer;		/* "struct X *m", not embedded */
};

struct hooktab {
	struct hook *hooks;
	int nhooks, hookcap;
	struct embed *embeds;
	int nembeds, embedcap;
	struct strlist fn_typedefs;	/* typedef'd fn pointers taking a VMA */
	struct strlist fn_typedefs_desc;
	struct strlist types;		/* structs holding a hook, directly or embedded */
};

static const struct hook *find_hook(const struct hooktab *ht, const char *type,
				    const char *member)
{
	int i;

	for (i = 0; i < ht->nhooks; i++)
		if (!strcmp(ht->hooks[i].type, type) && !strcmp(ht->hooks[i].member, member))
			return &ht->hooks[i];
	return NULL;
}

static const char *find_embed(const struct hooktab *ht, const char *type,
			      const char *member)
{
	int i;

	for (i = 0; i < ht->nembeds; i++)
		if (!strcmp(ht->embeds[i].type, type) && !strcmp(ht->embeds[i].member, member))
			return ht->embeds[i].member_type;
	return NULL;
}

static int find_embed_inline(const struct hooktab *ht, const char *type, const char *member)
{
	int i;

	for (i = 0; i < ht->nembeds; i++)
		if (!strcmp(ht->embeds[i].type, type) && !strcmp(ht->embeds[i].member, member))
			return !ht->embeds[i].pointer;
	return 0;
}

static int name_is_mmap(const struct token *t)
{
	return memmem(t->text, t->len, "mmap", 4) != NULL;
}

/*
 * Parameter types of the list [a, b) with the names dropped, "const" and
 * address-space markers ignored: "struct file *,struct vm_area_struct *".
 */
static char *param_sig(const struct lexer *lx, int a, int b)
{
	size_t cap = 64, n = 0;
	char *sig = xmalloc(cap);
	int i, start = a;

	sig[0] = '\0';
	for (i = a; i <= b; i++) {
		const struct token *t = lx->toks + i;
		int last, j;

		if (i < b && (tok_is(t, "(") || tok_is(t, "["))) {
			i = match_close(lx, i);
			continue;
		}
		if (i < b && !tok_is(t, ","))
			continue;
		/* one parameter [start, i): drop a trailing name */
		last = i - 1;
		if (last > start && lx->toks[last].kind == TOK_IDENT &&
		    !tok_is(lx->toks + last - 1, "struct") && !tok_is(lx->toks + last - 1, "enum") &&
		    !tok_is(lx->toks + last - 1, "union"))
			last--;
		for (j = start; j <= last; j++) {
			const struct token *u = lx->toks + j;

			if (tok_is(u, "const") || tok_is(u, "__user") || tok_is(u, "__iomem"))
				continue;
			while (n + u->len + 3 > cap)
				sig = xrealloc(sig, cap *= 2);
			if (n && sig[n - 1] != ',' && u->kind == TOK_IDENT && sig[n - 1] != '*')
				sig[n++] = ' ';
			else if (n && sig[n - 1] != ',' && u->kind == TOK_IDENT)
				sig[n++] = ' ';
			memcpy(sig + n, u->text, u->len);
			n += u->len;
		}
		if (i < b) {
			while (n + 2 > cap)
				sig = xrealloc(sig, cap *= 2);
			sig[n++] = ',';
		}
		sig[n] = '\0';
		start = i + 1;
	}
	return sig;
}

/* 1 if params [a, b) name a "struct vm_area_struct *", 2 a "struct vm_area_desc *". */
static int params_kind(const struct lexer *lx, int a, int b)
{
	int i;

	for (i = a; i + 1 < b; i++) {
		const struct token *t = &lx->toks[i];

		if (t->kind != TOK_IDENT || !tok_is(&lx->toks[i + 1], "*"))
			continue;
		if (tok_is(t, "vm_area_struct"))
			return 1;
		if (tok_is(t, "vm_area_desc"))
			return 2;
	}
	return 0;
}

static void add_hook(struct hooktab *ht, const char *type, const struct token *m,
		     int prepare, const char *file, char *sig)
{
	char *member = tok_str(m);
	struct hook *h;

	if (find_hook(ht, type, member)) {
		free(member);
		free(sig);
		return;
	}
	if (ht->nhooks == ht->hookcap) {
		ht->hookcap = ht->hookcap ? ht->hookcap * 2 : 64;
		ht->hooks = xrealloc(ht->hooks, ht->hookcap * sizeof(*ht->hooks));
	}
	h = &ht->hooks[ht->nhooks++];
	h->type = xstrdup(type);
	h->member = member;
	h->prepare = prepare;
	h->sig = sig;
	h->decl_file = xstrdup(file);
	h->decl_line = m->line;
}

/* One member declaration [a, b) of struct type. */
static void member_decl(struct hooktab *ht, const struct lexer *lx, const char *type,
			int a, int b, const char *file)
{
	int i;

	/* RET (*name)(params) */
	for (i = a; i + 4 < b; i++) {
		const struct token *t = lx->toks + i;
		int close, kind;

		if (!tok_is(t, "(") || !tok_is(t + 1, "*") || t[2].kind != TOK_IDENT ||
		    !tok_is(t + 3, ")") || !tok_is(t + 4, "("))
			continue;
		close = match_close(lx, i + 4);
		kind = params_kind(lx, i + 5, close);
		if (kind && name_is_mmap(t + 2))
			add_hook(ht, type, t + 2, kind == 2, file, param_sig(lx, i + 5, close));
		return;
	}
	/* fn_typedef name;  or  struct X name; */
	for (i = a; i < b; i++) {
		const struct token *t = lx->toks + i;
		char *s;

		if (tok_is(t, "*") || tok_is(t, "("))
			return;
		if (t->kind != TOK_IDENT)
			continue;
		if (tok_is(t, "struct") && i + 2 < b && t[1].kind == TOK_IDENT) {
			int j, name = -1;

			/* struct X [*]name [N]; the name is the last identifier before [ or end */
			for (j = i + 2; j < b; j++) {
				if (tok_is(lx->toks + j, "("))
					return;
				if (tok_is(lx->toks + j, "["))
					break;
				if (lx->toks[j].kind == TOK_IDENT)
					name = j;
			}
			if (name < 0)
				return;
			if (ht->nembeds == ht->embedcap) {
				ht->embedcap = ht->embedcap ? ht->embedcap * 2 : 64;
				ht->embeds = xrealloc(ht->embeds, ht->embedcap * sizeof(*ht->embeds));
			}
			ht->embeds[ht->nembeds].type = xstrdup(type);
			ht->embeds[ht->nembeds].member = tok_str(lx->toks + name);
			ht->embeds[ht->nembeds].member_type = tok_str(t + 1);
			ht->embeds[ht->nembeds].pointer = name > i + 2;
			ht->nembeds++;
			return;
		}
		s = tok_str(t);
		if (i + 1 < b && lx->toks[i + 1].kind == TOK_IDENT && name_is_mmap(&lx->toks[i + 1])) {
			if (strlist_has(&ht->fn_typedefs, s))
				add_hook(ht, type, &lx->toks[i + 1], 0, file, NULL);
			else if (strlist_has(&ht->fn_typedefs_desc, s))
				add_hook(ht, type, &lx->toks[i + 1], 1, file, NULL);
		}
		free(s);
	}
}

static void struct_body(struct hooktab *ht, const struct lexer *lx, const char *type,
			int open, int close, const char *file)
{
	int i, start = open + 1;

	for (i = open + 1; i < close; i++) {
		const struct token *t = lx->toks + i;

		if (tok_is(t, "(") || tok_is(t, "[")) {
			i = match_close(lx, i);
			continue;
		}
		if (tok_is(t, "{")) {
			/* anonymous struct/union: its members belong to type */
			int c = match_close(lx, i);

			struct_body(ht, lx, type, i, c, file);
			i = c;
			start = i + 1;
			continue;
		}
		if (tok_is(t, ";")) {
			member_decl(ht, lx, type, start, i, file);
			start = i + 1;
		}
	}
}

/*
 * A file whose name kbuild or Coccinelle could not take safely
 * (safe_file_name): one warning, however often the scan meets it, and
 * nothing is taken from it: no hook, no record.
 */
static int refused(const char *rel)
{
	static struct strlist warned;

	if (safe_file_name(rel))
		return 0;
	if (!strlist_has(&warned, rel)) {
		char *why = refused_name_reason(rel);

		warnx("%s; not scanned", why);
		free(why);
		strlist_add(&warned, rel);
	}
	return 1;
}

static void hooks_in_file(const char *root, const char *rel, void *arg)
{
	struct hooktab *ht = arg;
	struct lexer lx = { 0 };
	size_t len;
	char *buf = read_file_at(root, rel, &len);
	int i;

	if (!buf)
		return;
	/* Only headers declare the member types that assignments go through. */
	if ((!memmem(buf, len, "vm_area_", 8) && !strstr(rel, ".h")) || refused(rel) ||
	    lex_buffer(&lx, buf, len)) {
		free(buf);
		return;
	}
	for (i = 0; i + 2 < lx.ntoks; i++) {
		const struct token *t = lx.toks + i;

		if (tok_is(t, "typedef")) {
			/* typedef RET (*name)(params); */
			int j;

			for (j = i + 1; j + 4 < lx.ntoks && !tok_is(lx.toks + j, ";"); j++) {
				const struct token *u = lx.toks + j;
				int close, kind;
				char *s;

				if (!tok_is(u, "(") || !tok_is(u + 1, "*") ||
				    u[2].kind != TOK_IDENT || !tok_is(u + 3, ")") ||
				    !tok_is(u + 4, "("))
					continue;
				close = match_close(&lx, j + 4);
				kind = params_kind(&lx, j + 5, close);
				s = tok_str(u + 2);
				if (kind == 1)
					strlist_add(&ht->fn_typedefs, s);
				else if (kind == 2)
					strlist_add(&ht->fn_typedefs_desc, s);
				free(s);
				break;
			}
			continue;
		}
		if (tok_is(t, "struct") && t[1].kind == TOK_IDENT && tok_is(t + 2, "{")) {
			char *type = tok_str(t + 1);
			int close = match_close(&lx, i + 2);

			struct_body(ht, &lx, type, i + 2, close, rel);
			free(type);
		}
	}
	lex_free(&lx);
	free(buf);
}

/* Close the set of types over embedding: a struct embedding a hook struct. */
static void close_types(struct hooktab *ht)
{
	int i, changed = 1;

	for (i = 0; i < ht->nhooks; i++)
		strlist_add_once(&ht->types, ht->hooks[i].type);
	while (changed) {
		changed = 0;
		for (i = 0; i < ht->nembeds; i++)
			if (!ht->embeds[i].pointer &&
			    strlist_has(&ht->types, ht->embeds[i].member_type) &&
			    !strlist_has(&ht->types, ht->embeds[i].type)) {
				strlist_add(&ht->types, ht->embeds[i].type);
				changed = 1;
			}
	}
}

/* ---- registrations ---- */

struct scan_ctx {
	const struct hooktab *ht;
	const struct lexer *lx;
	const char *rel;
	const char *buf;
	json_t *records;
	unsigned char *claimed;	/* tokens inside an initialiser already read */
	struct strlist macro_uses;	/* "MACRO=type": a macro used as an element */
};

/* The source of tokens a to b-1, as one line (lex_collapse()). */
static char *text_range(const struct scan_ctx *sc, int a, int b)
{
	const struct token *ta = sc->lx->toks + a, *tb = sc->lx->toks + b - 1;

	if (b <= a)
		return xstrdup("");
	return lex_collapse(ta->text, tb->text + tb->len);
}

/* The name token of the definition of function name in this file, or NULL. */
static const struct token *find_definition(const struct scan_ctx *sc, const char *name)
{
	int name_tok, body;

	return lex_find_function(sc->lx, name, &name_tok, &body) ? sc->lx->toks + name_tok : NULL;
}

/* The #if conditions around token t, or JSON null. */
static json_t *conditions_at(const struct scan_ctx *sc, const struct token *t)
{
	return t->cond >= 0 ? json_string(sc->lx->conds[t->cond]) : json_null();
}

/* Parameter signature of function name declared or defined in this file. */
static char *find_signature(const struct scan_ctx *sc, const char *name)
{
	const struct lexer *lx = sc->lx;
	int i, depth = 0;

	for (i = lex_next_toplevel(lx, name, 0, &depth); i >= 0;
	     i = lex_next_toplevel(lx, name, i + 1, &depth)) {
		int c;

		if (!i || (lx->toks[i - 1].kind != TOK_IDENT && !tok_is(lx->toks + i - 1, "*")))
			continue;
		c = match_close(lx, i + 1);
		if (params_kind(lx, i + 2, c))
			return param_sig(lx, i + 2, c);
		return xstrdup("");	/* declared, but takes no VMA */
	}
	return NULL;
}

/*
 * The hook an assignment or a macro sets, from the member name and, when
 * several ops types have it, the handler's own signature.  NULL when the
 * handler's signature rules every hook out.
 */
static const struct hook *infer_hook(const struct scan_ctx *sc, const char *member,
				     const char *fn, int *ambiguous)
{
	const struct hook *only = NULL, *match = NULL;
	char *sig = fn ? find_signature(sc, fn) : NULL;
	int k, n = 0, nmatch = 0;

	*ambiguous = 0;
	for (k = 0; k < sc->ht->nhooks; k++) {
		const struct hook *h = &sc->ht->hooks[k];

		if (strcmp(h->member, member))
			continue;
		n++;
		only = h;
		if (sig && h->sig && !strcmp(sig, h->sig)) {
			match = h;
			nmatch++;
		}
	}
	if (sig && !*sig) {
		free(sig);
		return NULL;	/* the function takes no VMA: not a hook */
	}
	free(sig);
	if (nmatch == 1)
		return match;
	if (n == 1)
		return only;
	*ambiguous = 1;
	return only;
}

static void add_record(struct scan_ctx *sc, const struct hook *h, const char *ops_type,
		       const char *ops_var, int vstart, int vend, const char *registration)
{
	const struct token *vt = sc->lx->toks + vstart;
	char *value = text_range(sc, vstart, vend);
	json_t *r = json_object();
	const char *fn = NULL;
	const struct token *def = NULL;

	/* The function is the value when it is a plain identifier. */
	if (vend - vstart == 1 && vt->kind == TOK_IDENT && !tok_is(vt, "NULL"))
		fn = value;
	json_object_set_new(r, "id", json_string(""));
	json_object_set_new(r, "file", json_string(sc->rel));
	json_object_set_new(r, "line", json_integer(vt->line));
	json_object_set_new(r, "function", fn ? json_string(fn) : json_null());
	json_object_set_new(r, "hook", json_string(h ? h->member : ""));
	json_object_set_new(r, "prepare_hook", json_boolean(h && h->prepare));
	json_object_set_new(r, "ops_type", ops_type ? json_string(ops_type) : json_null());
	json_object_set_new(r, "ops_var", ops_var ? json_string(ops_var) : json_null());
	json_object_set_new(r, "value", json_string(value));
	json_object_set_new(r, "registration", json_string(registration));
	json_object_set_new(r, "macro", vt->macro >= 0 ?
			    json_string(sc->lx->macros[vt->macro]) : json_null());
	json_object_set_new(r, "conditions", conditions_at(sc, vt));
	if (fn)
		def = find_definition(sc, fn);
	if (def) {
		json_t *d = json_object();

		json_object_set_new(d, "file", json_string(sc->rel));
		json_object_set_new(d, "line", json_integer(def->line));
		json_object_set_new(d, "conditions", conditions_at(sc, def));
		json_object_set_new(r, "definition", d);
	} else {
		json_object_set_new(r, "definition", json_null());
	}
	{
		char *id = xasprintf("%s:%d:%s", sc->rel, vt->line, h ? h->member : "");

		json_object_set_new(r, "id", json_string(id));
		free(id);
	}
	json_array_append_new(sc->records, r);
	free(value);
}

/* End of the initialiser element starting at i, inside a group closing at close. */
static int element_end(const struct lexer *lx, int i, int close)
{
	for (; i < close; i++) {
		const struct token *t = lx->toks + i;

		if (tok_is(t, "(") || tok_is(t, "{") || tok_is(t, "["))
			i = match_close(lx, i);
		else if (tok_is(t, ","))
			return i;
	}
	return close;
}

static void parse_init(struct scan_ctx *sc, const char *type, const char *var,
		       int open, int is_array)
{
	const struct lexer *lx = sc->lx;
	int close = match_close(lx, open), i = open + 1;

	memset(sc->claimed + open, 1, close - open + 1);
	while (i < close) {
		int end = element_end(lx, i, close);
		const struct token *t = lx->toks + i;

		if (is_array) {
			/* [idx] = { ... } or { ... } */
			int v = i;

			if (tok_is(t, "[")) {
				v = match_close(lx, i) + 1;
				if (v < end && tok_is(lx->toks + v, "="))
					v++;
			}
			if (v < end && tok_is(lx->toks + v, "{"))
				parse_init(sc, type, var, v, 0);
		} else if (t->kind == TOK_IDENT && (end == i + 1 || tok_is(t + 1, "("))) {
			/* a macro supplying members: remember which type it fills */
			char *m = tok_str(t), *use = xasprintf("%s=%s", m, type);

			strlist_add(&sc->macro_uses, use);
			free(m);
			free(use);
		} else if (tok_is(t, ".") && t[1].kind == TOK_IDENT) {
			char *member = tok_str(t + 1);
			int v = i + 2;
			const struct hook *h;
			const char *sub;

			/* skip further designators: .a.b = / .a[1] = */
			while (v < end && !tok_is(lx->toks + v, "="))
				v++;
			v++;
			h = find_hook(sc->ht, type, member);
			sub = find_embed(sc->ht, type, member);
			if (h && v < end) {
				add_record(sc, h, type, var, v, end, "initializer");
			} else if (sub && find_embed_inline(sc->ht, type, member) &&
				   strlist_has(&sc->ht->types, sub) && v < end &&
				   tok_is(lx->toks + v, "{")) {
				char *subvar = xasprintf("%s.%s", var ? var : "", member);

				parse_init(sc, sub, subvar, v, 0);
				free(subvar);
			}
			free(member);
		}
		i = end + 1;
	}
}

/* toks[i] is "struct", toks[i+1] a hook type: an initialised definition? */
static void try_definition(struct scan_ctx *sc, int i)
{
	const struct lexer *lx = sc->lx;
	char *type = tok_str(lx->toks + i + 1);
	char *var = NULL;
	int j, is_array = 0, pointer = 0;

	/* compound literal: ( [const] struct T ) { */
	if (tok_is(lx->toks + i + 2, ")") && tok_is(lx->toks + i + 3, "{")) {
		parse_init(sc, type, "(compound literal)", i + 3, 0);
		free(type);
		return;
	}
	for (j = i + 2; j < lx->ntoks && j < i + 40; j++) {
		const struct token *t = lx->toks + j;

		if (tok_is(t, ";") || tok_is(t, "{") || tok_is(t, ")") || tok_is(t, ","))
			break;
		if (tok_is(t, "*"))
			pointer = 1;
		else if (tok_is(t, "(")) {
			j = match_close(lx, j);	/* __attribute__((...)), __section(x) */
		} else if (tok_is(t, "[")) {
			is_array = 1;
			j = match_close(lx, j);
		} else if (t->kind == TOK_IDENT && !var && !tok_is(t, "const") &&
			   !tok_is(t, "volatile") && !(t->len > 2 && !strncmp(t->text, "__", 2))) {
			var = tok_str(t);
		} else if (tok_is(t, "=")) {
			if (!pointer && j + 1 < lx->ntoks && tok_is(lx->toks + j + 1, "{"))
				parse_init(sc, type, var, j + 1, is_array);
			break;
		}
	}
	free(var);
	free(type);
}

/* The struct type declared for identifier name in this file ("struct T [*]name"). */
static char *declared_type(const struct scan_ctx *sc, const struct token *name)
{
	const struct lexer *lx = sc->lx;
	int i;

	for (i = 0; i + 2 < lx->ntoks; i++) {
		const struct token *t = lx->toks + i;
		int j;

		if (!tok_is(t, "struct") || t[1].kind != TOK_IDENT)
			continue;
		for (j = i + 2; j < i + 5 && j < lx->ntoks; j++) {
			const struct token *u = lx->toks + j;

			if (u->kind == TOK_IDENT && u->len == name->len &&
			    !memcmp(u->text, name->text, u->len))
				return tok_str(t + 1);
			if (!tok_is(u, "*") && !tok_is(u, "const"))
				break;
		}
	}
	return NULL;
}

/* Type of the object expression [s, e) ("a->b.c"), or NULL if unknown. */
static char *object_type(const struct scan_ctx *sc, int s, int e)
{
	const struct lexer *lx = sc->lx;
	char *type = declared_type(sc, lx->toks + s);
	int i;

	for (i = s + 1; type && i + 1 < e; i += 2) {
		char *m = tok_str(lx->toks + i + 1);
		const char *sub = find_embed(sc->ht, type, m);

		free(m);
		free(type);
		type = sub ? xstrdup(sub) : NULL;
	}
	return type;
}

/* "x.hook = fn;" or "x->hook = fn;" outside initialisers. */
static void try_assignment(struct scan_ctx *sc, int i)
{
	const struct lexer *lx = sc->lx;
	const struct token *t = lx->toks + i, *v = lx->toks + i + 3;
	const struct hook *h;
	char *member, *fn, *obj;
	int s, ambiguous;

	/* a handler is a plain identifier: "p->mmap = pci_iomap(...)" is data */
	if (v->kind != TOK_IDENT || !(tok_is(v + 1, ";") || tok_is(v + 1, ",")))
		return;
	member = tok_str(t + 1);
	fn = tok_is(v, "NULL") ? NULL : tok_str(v);
	h = infer_hook(sc, member, fn, &ambiguous);
	free(member);
	free(fn);
	if (!h)
		return;
	/* the object: the tokens back to the start of the expression */
	s = i - 1;
	while (s > 0 && lx->toks[s - 1].macro == t->macro &&
	       (lx->toks[s - 1].kind == TOK_IDENT || tok_is(lx->toks + s - 1, "->") ||
		tok_is(lx->toks + s - 1, ".")))
		s--;
	obj = text_range(sc, s, i);
	{
		/* The object's declared type, followed through member accesses. */
		char *type = object_type(sc, s, i);

		if (type) {
			const struct hook *th = NULL;
			char *m = tok_str(t + 1);

			th = find_hook(sc->ht, type, m);
			free(m);
			free(type);
			if (!th) {
				free(obj);
				return;	/* a member of a struct that is not an ops type */
			}
			h = th;
			ambiguous = 0;
		}
	}
	add_record(sc, h, ambiguous ? NULL : h->type, obj, i + 3, i + 4, "assignment");
	free(obj);
}

static void regs_in_file(const char *root, const char *rel, void *arg)
{
	struct scan_ctx *sc = arg;
	struct lexer lx = { 0 };
	size_t len;
	char *buf = read_file_at(root, rel, &len);
	int i;

	if (!buf || refused(rel)) {
		free(buf);
		return;
	}
	if (!memmem(buf, len, "mmap", 4) || lex_buffer(&lx, buf, len)) {
		free(buf);
		return;
	}
	sc->lx = &lx;
	sc->rel = rel;
	sc->buf = buf;
	sc->claimed = calloc(lx.ntoks + 1, 1);
	for (i = 0; i + 3 < lx.ntoks; i++) {
		const struct token *t = lx.toks + i;
		char *s;

		if (sc->claimed[i])
			continue;
		if (tok_is(t, "struct") && t[1].kind == TOK_IDENT) {
			s = tok_str(t + 1);
			if (strlist_has(&sc->ht->types, s))
				try_definition(sc, i);
			free(s);
		} else if ((tok_is(t, "->") || tok_is(t, ".")) && t[1].kind == TOK_IDENT &&
			   name_is_mmap(t + 1) && tok_is(t + 2, "=") && !tok_is(t + 3, "=") &&
			   i > 0 && lx.toks[i - 1].macro == t->macro &&
			   (lx.toks[i - 1].kind == TOK_IDENT ||
				     tok_is(lx.toks + i - 1, "]") || tok_is(lx.toks + i - 1, ")"))) {
			try_assignment(sc, i);
		} else if (tok_is(t, ".") && t[1].kind == TOK_IDENT && name_is_mmap(t + 1) &&
			   tok_is(t + 2, "=") && t->macro >= 0) {
			/* ".mmap = fn" in a #define that is not itself an initialiser */
			const struct token *v = t + 3;
			const struct hook *h;
			char *member = tok_str(t + 1), *fn;
			int end, ambiguous;

			for (end = i + 3; end < lx.ntoks && lx.toks[end].macro == t->macro; end++)
				if (tok_is(lx.toks + end, ",") || tok_is(lx.toks + end, "}"))
					break;
			fn = (end == i + 4 && v->kind == TOK_IDENT) ? tok_str(v) : NULL;
			h = infer_hook(sc, member, fn, &ambiguous);
			if (h)
				add_record(sc, h, ambiguous ? NULL : h->type, NULL, i + 3, end, "macro");
			free(member);
			free(fn);
		}
	}
	/* Macro records whose type only the macro's use in this file tells. */
	{
		size_t k;
		json_t *r;

		json_array_foreach(sc->records, k, r) {
			const char *m = jstr(r, "macro");
			int u;

			if (strcmp(jstr(r, "file"), rel) || !json_is_null(json_object_get(r, "ops_type")) ||
			    !m)
				continue;
			for (u = 0; u < sc->macro_uses.n; u++) {
				const char *eq = strchr(sc->macro_uses.v[u], '=');

				if ((size_t)(eq - sc->macro_uses.v[u]) == strlen(m) &&
				    !strncmp(sc->macro_uses.v[u], m, eq - sc->macro_uses.v[u]) &&
				    find_hook(sc->ht, eq + 1, jstr(r, "hook"))) {
					json_object_set_new(r, "ops_type", json_string(eq + 1));
					break;
				}
			}
		}
	}
	strlist_free(&sc->macro_uses);
	free(sc->claimed);
	lex_free(&lx);
	free(buf);
}

static const char *const c_suffixes[] = { ".c", ".h", NULL };

/* Directories of a kernel tree that hold no kernel code. */
static void default_skips(struct strlist *skip)
{
	strlist_add(skip, "tools");
	strlist_add(skip, "Documentation");
	strlist_add(skip, "scripts");
	strlist_add(skip, "usr");
}

json_t *scan_hooks_json(const struct hooktab *ht)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < ht->nhooks; i++) {
		json_t *h = json_object();

		json_object_set_new(h, "ops_type", json_string(ht->hooks[i].type));
		json_object_set_new(h, "hook", json_string(ht->hooks[i].member));
		json_object_set_new(h, "prepare", json_boolean(ht->hooks[i].prepare));
		json_object_set_new(h, "params", ht->hooks[i].sig ?
				    json_string(ht->hooks[i].sig) : json_null());
		json_object_set_new(h, "file", json_string(ht->hooks[i].decl_file));
		json_object_set_new(h, "line", json_integer(ht->hooks[i].decl_line));
		json_array_append_new(a, h);
	}
	return a;
}

json_t *scan_tree(const char *tree, const struct strlist *paths, const char *external,
		  json_t **hooks_out)
{
	struct hooktab ht = { 0 };
	struct strlist skip = { 0 };
	struct scan_ctx sc = { .ht = &ht, .records = json_array() };
	int i;

	/* a path given is a name that reaches make and spatch as it is */
	for (i = 0; paths && i < paths->n; i++)
		if (!safe_file_name(paths->v[i]))
			die("--paths %s", refused_name_reason(paths->v[i]));
	default_skips(&skip);
	/* Typedefs first, so members declared with them are recognised. */
	walk_tree(tree, "include", c_suffixes, NULL, hooks_in_file, &ht);
	walk_tree(tree, "", c_suffixes, &skip, hooks_in_file, &ht);
	if (external)
		walk_tree(external, "", c_suffixes, NULL, hooks_in_file, &ht);
	close_types(&ht);
	if (hooks_out)
		*hooks_out = scan_hooks_json(&ht);

	if (external) {
		walk_tree(external, "", c_suffixes, NULL, regs_in_file, &sc);
	} else if (paths && paths->n) {
		for (i = 0; i < paths->n; i++) {
			char *full = xasprintf("%s/%s", tree, paths->v[i]);

			if (is_dir(full))
				walk_tree(tree, paths->v[i], c_suffixes, &skip, regs_in_file, &sc);
			else if (path_exists(full))
				regs_in_file(tree, paths->v[i], &sc);
			else
				die("%s: no such file or directory in the tree", paths->v[i]);
			free(full);
		}
	} else {
		walk_tree(tree, "", c_suffixes, &skip, regs_in_file, &sc);
	}
	strlist_free(&skip);
	return sc.records;
}
