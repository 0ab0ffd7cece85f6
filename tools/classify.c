// SPDX-License-Identifier: GPL-2.0
/*
 * classify.c - what each handler does with its VMA, and so its category.
 *
 * This first classifier reads the handler's source lexically: it finds
 * the VMA parameter and looks at every use of it, following static helpers
 * of the same file that receive the VMA (up to three calls deep).  The
 * categories and the facts behind them are those of docs/categories.md;
 * every record gets a category, and "simple" is given only when every use
 * of the VMA has a descriptor equivalent (docs/hazards.md, the field table).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "category.h"
#include "mmapport.h"

static int in_list(const struct token *t, const char *const *list);

/*
 * A call that may take state that outlives the handler, a reference or an
 * allocation: category.c's lists and name patterns, or, since tokens show
 * no body, any name that says inc, get or alloc (default deny).
 */
static int takes_state(const struct token *t)
{
	char *s = tok_str(t);
	const char *kind = resource_taken(s);
	int r = (kind && strcmp(kind, "lock")) ||
		(strstr(s, "_inc") && !strstr(s, "_include")) || strstr(s, "alloc") ||
		str_ends_with(s, "_get") || !strncmp(s, "get_", 4);

	free(s);
	return r;
}

static int in_list(const struct token *t, const char *const *list)
{
	for (; *list; list++)
		if (tok_is(t, *list))
			return 1;
	return 0;
}

struct analysis {
	struct findings f;	/* the category and its facts (no reasons) */
	json_t *uses;		/* VMA uses: "vm_start", "vm_flags_set()", ... */
	const struct lexer *lx;
	int io_remap, io_memory;	/* typed, as decide.c sets them */
};

static void use(struct analysis *a, const char *u)
{
	size_t i;
	json_t *f;

	json_array_foreach(a->uses, i, f)
		if (!strcmp(json_string_value(f), u))
			return;
	json_array_append_new(a->uses, json_string(u));
}

/* Parameter n's name in the list opened at toks[open]; type test on the way. */
static int param_index_of(const struct lexer *lx, int open, const char *type_word,
			  char **name)
{
	int close = match_close(lx, open), i, idx = 0, start = open + 1;

	for (i = open + 1; i <= close; i++) {
		const struct token *t = lx->toks + i;
		int j, has = 0;

		if (tok_is(t, "(") || tok_is(t, "[")) {
			i = match_close(lx, i);
			continue;
		}
		if (i < close && !tok_is(t, ","))
			continue;
		for (j = start; j < i; j++)
			if (tok_is(lx->toks + j, type_word))
				has = 1;
		if (has && lx->toks[i - 1].kind == TOK_IDENT) {
			*name = tok_str(lx->toks + i - 1);
			return idx;
		}
		idx++;
		start = i + 1;
	}
	return -1;
}

/* Name of parameter number idx of the function whose "(" is at open. */
static char *param_name(const struct lexer *lx, int open, int idx)
{
	int close = match_close(lx, open), i, n = 0;

	for (i = open + 1; i <= close; i++) {
		const struct token *t = lx->toks + i;

		if (tok_is(t, "(") || tok_is(t, "[")) {
			i = match_close(lx, i);
			continue;
		}
		if (i < close && !tok_is(t, ","))
			continue;
		if (n++ == idx && lx->toks[i - 1].kind == TOK_IDENT)
			return tok_str(lx->toks + i - 1);
	}
	return NULL;
}

/* The call whose argument list contains toks[i]: callee index, and arg index. */
static int enclosing_call(const struct lexer *lx, int i, int start, int *argidx)
{
	int depth = 0, arg = 0;

	for (i = i - 1; i > start; i--) {
		const struct token *t = lx->toks + i;

		if (tok_is(t, ")") || tok_is(t, "]") || tok_is(t, "}"))
			depth++;
		else if (tok_is(t, "(") || tok_is(t, "[") || tok_is(t, "{")) {
			if (depth-- == 0) {
				if (tok_is(t, "(") && lx->toks[i - 1].kind == TOK_IDENT) {
					*argidx = arg;
					return i - 1;
				}
				return -1;
			}
		} else if (!depth && tok_is(t, ",")) {
			arg++;
		} else if (!depth && (tok_is(t, ";") || tok_is(t, "="))) {
			return -1;
		}
	}
	return -1;
}

static void analyze(struct analysis *a, int name_tok, int body, const char *vma,
		    int depth, const char *fn_name);

static void analyze_body(struct analysis *a, int body, const char *vma, int depth,
			 const char *fn_name)
{
	const struct lexer *lx = a->lx;
	int end = match_close(lx, body), i;

	for (i = body + 1; i < end; i++) {
		const struct token *t = lx->toks + i;
		int callee, argidx;

		if ((tok_is(t, "f_op") && tok_is(t + 1, "->") && tok_is(t + 2, "mmap")) ||
		    (tok_is(t, "can_mmap_file") && tok_is(t + 1, "(")))
			finding(&a->f, CAT_STACKED, "looks at another file's mmap hook in %s (stacked)",
			     fn_name);
		if (t->kind == TOK_IDENT && tok_is(t + 1, "(") && takes_state(t) &&
		    !tok_is(t - 1, "->") && !tok_is(t - 1, ".")) {
			char *s = tok_str(t);

			finding(&a->f, CAT_STATEFUL, "%s() takes state (a reference or an allocation) in %s",
			     s, fn_name);
			free(s);
		}
		if (t->kind != TOK_IDENT || !tok_is(t, vma))
			continue;
		if (tok_is(t - 1, "->") || tok_is(t - 1, "."))
			continue;	/* a member that happens to share the name */
		if (tok_is(t + 1, "->") && t[2].kind == TOK_IDENT) {
			const struct token *f = t + 2;
			int write = tok_is(f + 1, "=") && !tok_is(f + 2, "=");
			int rmw = (tok_is(f + 1, "|") || tok_is(f + 1, "&")) && tok_is(f + 2, "=");
			char *fs = tok_str(f);

			if (write && in_list(f, vma_fields_write)) {
				char *u = xasprintf("%s=", fs);

				use(a, u);
				free(u);
			} else if (!write && !rmw && in_list(f, vma_fields_read)) {
				use(a, fs);
				if (tok_is(f, "vm_flags") && !tok_is(f + 1, "&") &&
				    !(i >= 2 && tok_is(t - 1, "(") &&
				      tok_is(t - 2, "is_nommu_shared_mapping")))
					finding(&a->f, CAT_NEEDS_VMA,
					     "reads vma->vm_flags other than as a flag test in %s",
					     fn_name);
			} else {
				finding(&a->f, CAT_NEEDS_VMA, "%s vma->%s in %s (no descriptor equivalent)",
				     write || rmw ? "writes" : "reads", fs, fn_name);
			}
			free(fs);
			continue;
		}
		callee = enclosing_call(lx, i, body, &argidx);
		if (callee < 0) {
			finding(&a->f, CAT_NEEDS_VMA, "the VMA escapes in %s (line %d): stored or returned",
			     fn_name, t->line);
			continue;
		}
		{
			const struct token *c = lx->toks + callee;
			char *cs = tok_str(c);
			int cbody, cname;

			if (tok_is(c - 1, "->") && tok_is(c, "mmap")) {
				finding(&a->f, CAT_STACKED, "calls another file's ->mmap in %s", fn_name);
			} else if (in_list(c, calls_simple)) {
				char *u = xasprintf("%s()", cs);

				use(a, u);
				free(u);
			} else if (in_list(c, calls_remap)) {
				finding(&a->f, CAT_PFN_REMAP, "%s() maps PFNs into the VMA in %s", cs, fn_name);
				a->io_remap |= !strncmp(cs, "io_remap_pfn_range", 18);
				a->io_memory |= !strncmp(cs, "io_remap_pfn_range", 18) ||
						!strcmp(cs, "vm_iomap_memory");
			} else if (in_list(c, calls_insert)) {
				finding(&a->f, CAT_PAGE_INSERT, "%s() inserts pages into the VMA in %s", cs,
				     fn_name);
			} else if (!strncmp(cs, "dma_mmap_", 9) || !strcmp(cs, "dma_buf_mmap")) {
				finding(&a->f, strcmp(cs, "dma_buf_mmap") ? CAT_DMA_MMAP : CAT_STACKED,
				     "%s() maps the VMA in %s", cs, fn_name);
			} else if (in_list(c, calls_stacked) || tok_is(c, "mmap")) {
				finding(&a->f, CAT_STACKED, "%s() hands the VMA to another file's mmap in %s",
				     cs, fn_name);
			} else if (depth < CALL_DEPTH && lex_find_function(lx, cs, &cname, &cbody)) {
				char *pn = param_name(lx, cname + 1, argidx);

				if (pn) {
					analyze(a, cname, cbody, pn, depth + 1, cs);
					free(pn);
					/* the facts are followed, but only the handler is rewritten */
					finding(&a->f, CAT_NEEDS_VMA, "passes the VMA to the static helper %s()", cs);
				} else {
					finding(&a->f, CAT_NEEDS_VMA, "passes the VMA to %s()", cs);
				}
			} else {
				finding(&a->f, CAT_NEEDS_VMA, "passes the VMA to %s() in %s, which %s", cs,
				     fn_name, depth < CALL_DEPTH ? "is defined elsewhere" :
				     "is too deep to follow");
			}
			free(cs);
		}
	}
}

static void analyze(struct analysis *a, int name_tok, int body, const char *vma,
		    int depth, const char *fn_name)
{
	analyze_body(a, body, vma, depth, fn_name);
}

/* Other places that name the handler: a direct call makes it no leaf. */
/* A C keyword that may stand before a call ("return fn(...);"), not a type. */
static int statement_word(const struct token *t)
{
	static const char *const words[] = {
		"return", "else", "do", "case", "goto", "sizeof", "typeof", NULL,
	};
	int k;

	for (k = 0; words[k]; k++)
		if (tok_is(t, words[k]))
			return 1;
	return 0;
}

static int other_references(const struct lexer *lx, const char *fn, int def, int *exported)
{
	int i, n = 0;

	*exported = 0;
	for (i = 0; i + 1 < lx->ntoks; i++) {
		const struct token *t = lx->toks + i;

		if (i == def || t->kind != TOK_IDENT || !tok_is(t, fn))
			continue;
		/* registrations ".mmap = fn" and prototypes are fine */
		if (tok_is(t - 1, "=") || tok_is(t + 1, ";") || tok_is(t + 1, ","))
			continue;
		/*
		 * So is an export: convert renames it with the handler where the
		 * tree names the handler elsewhere too, and refuses it otherwise
		 */
		if (i >= 2 && tok_is(t - 1, "(") && lx->toks[i - 2].kind == TOK_IDENT &&
		    lx->toks[i - 2].len >= 13 && !strncmp(lx->toks[i - 2].text, "EXPORT_SYMBOL", 13)) {
			*exported = 1;
			continue;
		}
		if (tok_is(t + 1, "(")) {
			int c = match_close(lx, i + 1);

			if ((tok_is(lx->toks + c + 1, ";") || tok_is(lx->toks + c + 1, "{")) &&
			    lx->toks[i - 1].kind == TOK_IDENT && !statement_word(lx->toks + i - 1))
				continue;	/* a prototype, or its definition in another #if branch */
			n++;
		} else {
			n++;
		}
	}
	return n;
}

/* "x->f_op = &ops" or "replace_fops(f, &ops)": the ops are swapped in later. */
static int fops_swapped(const struct lexer *lx, const char *ops)
{
	int i;

	for (i = 3; i < lx->ntoks; i++) {
		const struct token *t = lx->toks + i;

		if (t->kind != TOK_IDENT || !tok_is(t, ops) || !tok_is(t - 1, "&"))
			continue;
		if ((tok_is(t - 2, "=") && tok_is(t - 3, "f_op")) ||
		    (tok_is(t - 2, ",") && i > 5 && tok_is(t - 5, "replace_fops")) ||
		    (tok_is(t - 2, ",") && i > 4 && tok_is(t - 4, "replace_fops")))
			return 1;
	}
	return 0;
}

struct file_cache {
	char *rel;
	char *buf;
	struct lexer lx;
};

static void classify_one(const char *twins, json_t *r, struct file_cache *fc)
{
	struct analysis a = { .f = { .cat = CAT_SIMPLE, .facts = json_array() },
			      .uses = json_array() };
	const char *fn = jstr(r, "function");
	const char *ops = jstr(r, "ops_type");
	json_t *def = json_object_get(r, "definition");
	const char *confidence = "high";
	int name_tok, body, idx, exported = 0;
	char *vma = NULL, *filep = NULL;

	if (json_is_true(json_object_get(r, "prepare_hook"))) {
		finding(&a.f, CAT_ALREADY_PREPARE, "registered as %s.%s, which takes a vm_area_desc",
		     ops ? ops : "?", jstr(r, "hook"));
		goto done;
	}
	if (!fn) {
		finding(&a.f, CAT_NO_HANDLER, "the hook is set to '%s', not to a function",
		     jstr(r, "value"));
		goto done;
	}
	if (!ops || strcmp(ops, "file_operations")) {
		finding(&a.f, CAT_DISPATCHER,
		     "a leaf of the subsystem hook %s.%s: the subsystem's own ->mmap calls it with the VMA, so it converts together with a prepare variant of that hook",
		     ops ? ops : "(unknown type)", jstr(r, "hook"));
		goto done;
	}
	if (strcmp(jstr(r, "registration"), "initializer")) {
		finding(&a.f, CAT_UNPARSED, "registered through %s %s: convert the macro's users by hand",
		     jstr(r, "registration"), jstr(r, "macro") ? jstr(r, "macro") : "");
		confidence = "low";
	}
	/*
	 * A library handler registered as it is, whose prepare twin the tree
	 * declares: the registration alone changes, to the twin.
	 */
	if (!json_is_object(def) && has_twin(twins, fn) &&
	    !strcmp(jstr(r, "registration"), "initializer")) {
		char *tw = xasprintf("%s_prepare", fn);

		json_object_set_new(r, "twin", json_string(tw));
		json_object_set_new(r, "subcategory", json_string("twin"));
		finding(&a.f, CAT_SIMPLE, "%s() is a library handler whose prepare form %s() the tree declares (include/linux/fs.h or mm.h): the registration takes it",
		     fn, tw);
		free(tw);
		goto done;
	}
	if (!fc || !json_is_object(def) || !lex_find_function(&fc->lx, fn, &name_tok, &body)) {
		finding(&a.f, CAT_UNPARSED, "the definition of %s() is not in %s", fn, jstr(r, "file"));
		confidence = "low";
		goto done;
	}
	a.lx = &fc->lx;
	idx = param_index_of(&fc->lx, name_tok + 1, "vm_area_struct", &vma);
	if (idx < 0) {
		finding(&a.f, CAT_UNPARSED, "%s() has no named struct vm_area_struct * parameter", fn);
		confidence = "low";
		goto done;
	}
	analyze(&a, name_tok, body, vma, 0, fn);
	if (jstr(r, "ops_var") && fops_swapped(&fc->lx, jstr(r, "ops_var"))) {
		json_object_set_new(r, "fops_swapped", json_true());
		finding(&a.f, CAT_NEEDS_VMA, "%s is swapped into file->f_op at run time: converting it alone changes behaviour (docs/hazards.md, H8)",
		     jstr(r, "ops_var"));
	}
	if (other_references(&fc->lx, fn, name_tok, &exported)) {
		json_object_set_new(r, "called_directly", json_true());
		finding(&a.f, CAT_NEEDS_VMA, "%s() is also called or referenced directly, not only registered: it is no leaf",
		     fn);
	}
	if (exported) {
		json_object_set_new(r, "exported", json_true());
		finding(&a.f, CAT_SIMPLE, "%s() is exported (EXPORT_SYMBOL): a module outside the tree may call it by its name",
		     fn);
	}
	if (a.f.cat == CAT_SIMPLE)
		finding(&a.f, CAT_SIMPLE, "every use of the VMA has a descriptor equivalent%s%s",
		     json_array_size(a.uses) ? ": " : " (it uses none)", "");
	json_object_set_new(r, "vma_param", json_string(vma));
	free(vma);
	if (param_index_of(&fc->lx, name_tok + 1, "file", &filep) >= 0) {
		json_object_set_new(r, "file_param", json_string(filep));
		free(filep);
	}
done:
	json_object_set_new(r, "lexical_category", json_string(cat_names[a.f.cat]));
	json_object_set_new(r, "confidence", json_string(confidence));
	json_object_set_new(r, "facts", a.f.facts);
	json_object_set_new(r, "vma_uses", a.uses);
	json_object_set_new(r, "io_remap", json_boolean(a.io_remap));
	json_object_set_new(r, "io_memory", json_boolean(a.io_memory));
}

/*
 * With --lexical, no analyzer decides (tools/analyzer/decide.c does
 * otherwise): each record's category is its lexical one.
 */
void lexical_verdict(json_t *records)
{
	size_t i;
	json_t *r;

	json_array_foreach(records, i, r)
		json_object_set_new(r, "category", json_string(js(r, "lexical_category")));
}

void classify_records(const char *tree, const char *ktree, json_t *records)
{
	struct file_cache fc = { 0 };
	/* the twins are the kernel's: an --external driver registers the tree's library */
	char *twins = prepare_twins(ktree);
	size_t i;
	json_t *r;

	/* Records come grouped by file from scan: lex each file once. */
	json_array_foreach(records, i, r) {
		const char *file = jstr(r, "file");

		if (!fc.rel || strcmp(fc.rel, file)) {
			char *path = xasprintf("%s/%s", tree, file);
			size_t len;

			free(fc.rel);
			free(fc.buf);
			lex_free(&fc.lx);
			fc.rel = xstrdup(file);
			fc.buf = read_file(path, &len);
			if (!fc.buf || lex_buffer(&fc.lx, fc.buf, len)) {
				free(fc.buf);
				fc.buf = NULL;
			}
			free(path);
		}
		classify_one(twins, r, fc.buf ? &fc : NULL);
	}
	free(twins);
	free(fc.rel);
	free(fc.buf);
	lex_free(&fc.lx);
}
