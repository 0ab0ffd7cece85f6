// SPDX-License-Identifier: GPL-2.0
/*
 * analyze.c - facts about each handler, from libclang's AST.
 *
 * A file is parsed once with its kbuild flags; each handler registered in
 * it is walked from its definition.  Every use of the VMA parameter is
 * classified (a field read or written, with the assigned expression; a
 * call that receives it; an escape), calls that receive the VMA are
 * followed into functions whose body the translation unit has (static
 * functions of the file and inline helpers of headers) up to CALL_DEPTH,
 * and the handler's own resources, returns and errors are recorded with
 * their source offsets so that decide.c can say which are held on which
 * return path.  Offsets are textual order: "held at a return" means taken
 * before it and not released between, which is what goto unwinding and
 * early returns look like in kernel style.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "../category.h"
#include "analyzer.h"

#define MAX_VMAS 16
#define MAX_STACK 256

struct file_text {
	CXFile file;
	const char *buf;
	size_t size;
};

struct walk {
	CXTranslationUnit tu;
	json_t *an;		/* the analysis being filled */
	CXCursor vmas[MAX_VMAS];
	int nvma;
	int depth;
	const char *fn;		/* function being walked */
	unsigned int site;		/* offset, in the handler, of the call that led here */
	CXCursor stack[MAX_STACK];
	int idx[MAX_STACK];	/* child index of stack[i] in stack[i - 1] */
	int sp;
	int child;		/* child counter while visiting */
	json_t *visited;	/* functions followed (name -> depth) */
	json_t *fx_cache;	/* effect summaries of this translation unit's functions */
};

static char *cxstr(CXString s)
{
	const char *c = clang_getCString(s);
	char *r = xstrdup(c ? c : "");

	clang_disposeString(s);
	return r;
}

/* Source text of a range (expansion locations), whitespace collapsed. */
static char *range_text(CXTranslationUnit tu, CXSourceRange r)
{
	CXSourceLocation a = clang_getRangeStart(r), b = clang_getRangeEnd(r);
	CXFile fa, fb;
	unsigned int oa, ob;
	const char *buf;
	size_t size;
	char *out, *o;

	clang_getExpansionLocation(a, &fa, NULL, NULL, &oa);
	clang_getExpansionLocation(b, &fb, NULL, NULL, &ob);
	if (!fa || !clang_File_isEqual(fa, fb) || ob < oa)
		return xstrdup("?");
	buf = clang_getFileContents(tu, fa, &size);
	if (!buf || ob > size)
		return xstrdup("?");
	if (ob == oa) {
		/* inside a macro: a macro argument is spelled where it was written */
		CXFile sa, sb;
		unsigned int pa, pb;

		clang_getSpellingLocation(a, &sa, NULL, NULL, &pa);
		clang_getSpellingLocation(b, &sb, NULL, NULL, &pb);
		if (sa && sb && clang_File_isEqual(sa, fa) && clang_File_isEqual(sb, fa) &&
		    pb > pa && pa >= oa && pb - pa < 400) {
			oa = pa;
			ob = pb;
		}
	}
	if (ob == oa) {
		/* a macro expansion: take the identifier there */
		while (ob < size && (isalnum((unsigned char)buf[ob]) || buf[ob] == '_'))
			ob++;
	}
	out = o = xmalloc(ob - oa + 1);
	for (; oa < ob; oa++) {
		char c = buf[oa];

		if (c == '\n' || c == '\t' || c == '\r')
			c = ' ';
		if (c == ' ' && (o == out || o[-1] == ' '))
			continue;
		*o++ = c;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	return out;
}

/* The identifier where c is expanded: mutex_lock for a mutex_lock_nested() call. */
static char *ident_at(CXTranslationUnit tu, CXCursor c)
{
	CXFile f;
	unsigned int o, e;
	const char *buf;
	size_t size;

	clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL,
				   NULL, &o);
	buf = f ? clang_getFileContents(tu, f, &size) : NULL;
	if (!buf || o >= size)
		return cxstr(clang_getCursorSpelling(c));
	for (e = o; e < size && (isalnum((unsigned char)buf[e]) || buf[e] == '_'); e++)
		;
	if (e == o)
		return cxstr(clang_getCursorSpelling(c));
	return xasprintf("%.*s", (int)(e - o), buf + o);
}

static char *cursor_text(CXTranslationUnit tu, CXCursor c)
{
	return range_text(tu, clang_getCursorExtent(c));
}

static unsigned int cursor_offset(CXCursor c, unsigned int *line)
{
	CXFile f;
	unsigned int l, col, off;

	clang_getExpansionLocation(clang_getCursorLocation(c), &f, &l, &col, &off);
	if (line)
		*line = l;
	return off;
}

static int is_implicit(enum CXCursorKind k)
{
	return k == CXCursor_UnexposedExpr || k == CXCursor_ParenExpr ||
	       k == CXCursor_CStyleCastExpr;
}

struct first_child {
	CXCursor c;
	int n, want;
};

static enum CXChildVisitResult nth_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct first_child *fc = d;

	if (fc->n++ == fc->want) {
		fc->c = c;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Continue;
}

static CXCursor nth_child(CXCursor c, int n)
{
	struct first_child fc = { .c = clang_getNullCursor(), .want = n };

	clang_visitChildren(c, nth_cb, &fc);
	return fc.c;
}

static int nchildren(CXCursor c)
{
	struct first_child fc = { .c = clang_getNullCursor(), .want = -1 };

	clang_visitChildren(c, nth_cb, &fc);
	return fc.n;
}

/* Strip implicit casts and parentheses. */
static CXCursor strip(CXCursor c)
{
	while (is_implicit(clang_getCursorKind(c)) && nchildren(c) == 1)
		c = nth_child(c, 0);
	return c;
}

/* Strip explicit casts too (their type is a child besides the operand). */
static CXCursor strip_casts(CXCursor c)
{
	for (c = strip(c); is_implicit(clang_getCursorKind(c)) && nchildren(c) > 1;
	     c = strip(nth_child(c, nchildren(c) - 1)))
		;
	return c;
}

static int is_vma(struct walk *w, CXCursor c)
{
	CXCursor ref;
	int i;

	c = strip(c);
	if (clang_getCursorKind(c) != CXCursor_DeclRefExpr)
		return 0;
	ref = clang_getCursorReferenced(c);
	for (i = 0; i < w->nvma; i++)
		if (clang_equalCursors(ref, w->vmas[i]))
			return 1;
	return 0;
}

/* The operator of a binary operator cursor: the text between its operands. */
static char *binop(CXTranslationUnit tu, CXCursor b)
{
	CXCursor l = nth_child(b, 0), r = nth_child(b, 1);
	CXSourceRange lr = clang_getCursorExtent(l), rr = clang_getCursorExtent(r);
	CXSourceRange mid = clang_getRange(clang_getRangeEnd(lr), clang_getRangeStart(rr));

	return range_text(tu, mid);
}

/* The nearest ancestor that is not an implicit node: its index in w->stack. */
static int meaningful_parent(struct walk *w, int from)
{
	int i;

	for (i = from; i >= 0; i--)
		if (!is_implicit(clang_getCursorKind(w->stack[i])))
			return i;
	return -1;
}

static void add_unique_str(json_t *a, const char *s)
{
	jarray_add_unique(a, s);
}

/* locals.NAME = the text first assigned to it (name and text are freed). */
static void set_local(struct walk *w, char *name, char *text)
{
	json_t *l = json_object_get(w->an, "locals");

	if (!l) {
		l = json_object();
		json_object_set_new(w->an, "locals", l);
	}
	if (!json_object_get(l, name))
		json_object_set_new(l, name, json_string(text));
	free(name);
	free(text);
}

static json_t *loc(struct walk *w, CXCursor c)
{
	unsigned int line;
	unsigned int off = cursor_offset(c, &line);
	json_t *o = json_object();

	json_object_set_new(o, "line", json_integer(line));
	json_object_set_new(o, "in", json_string(w->fn));
	json_object_set_new(o, "offset", json_integer(w->depth ? w->site : off));
	json_object_set_new(o, "pos", json_integer(off));	/* in its own function */
	return o;
}

/*
 * The object an argument designates, from the AST (macros expanded):
 * "o.ref" for &o->ref and &(o)->ref, or NULL for anything but a chain of
 * members and subscripts on a variable.
 */
static char *key_path(CXCursor a)
{
	enum CXCursorKind k;
	char *base, *m, *r;

	a = strip(a);
	k = clang_getCursorKind(a);
	if (k == CXCursor_UnaryOperator && nchildren(a) == 1)
		return key_path(nth_child(a, 0));	/* & and *: the same object */
	if (k == CXCursor_DeclRefExpr)
		return cxstr(clang_getCursorSpelling(clang_getCursorReferenced(a)));
	if (k == CXCursor_MemberRefExpr || k == CXCursor_ArraySubscriptExpr) {
		base = key_path(nth_child(a, 0));
		if (!base)
			return NULL;
		m = k == CXCursor_MemberRefExpr ? cxstr(clang_getCursorSpelling(a)) : xstrdup("[]");
		r = xasprintf("%s%s%s", base, k == CXCursor_MemberRefExpr ? "." : "", m);
		free(base);
		free(m);
		return r;
	}
	return NULL;
}

/* A call that takes or releases a resource: where, what, and on what key. */
static json_t *resource_call(struct walk *w, CXCursor c, int n, const char *name,
			     const char *spelled, const char *kind)
{
	json_t *o = loc(w, c);

	json_object_set_new(o, "call", json_string(spelled));
	json_object_set_new(o, "kind", json_string(kind));
	if (n) {
		char *k = cursor_text(w->tu, clang_Cursor_getArgument(c, 0));
		char *kp = key_path(clang_Cursor_getArgument(c, 0));

		if (strcmp(k, spelled) && strcmp(k, name))
			json_object_set_new(o, "key", json_string(k));
		if (kp)
			json_object_set_new(o, "key_path", json_string(kp));
		free(k);
		free(kp);
	}
	return o;
}

static void walk_function(struct walk *w, CXCursor def);

/* Whether the call c calls the function named name. */
static int callee_is(CXCursor c, const char *name)
{
	char *n = cxstr(clang_getCursorSpelling(c));
	int r = !strcmp(n, name);

	free(n);
	return r;
}

/* A use of the VMA at w->stack[w->sp - 1]. */
static void vma_use(struct walk *w, CXCursor c)
{
	int p = meaningful_parent(w, w->sp - 2), child_of_p;
	CXCursor parent;
	enum CXCursorKind pk;

	if (p < 0)
		return;
	parent = w->stack[p];
	pk = clang_getCursorKind(parent);
	child_of_p = w->idx[p + 1];
	if (pk == CXCursor_MemberRefExpr && child_of_p == 0) {
		char *field = cxstr(clang_getCursorSpelling(parent));
		int q;

		/* vma->vm_start goes through anonymous unions: skip their members */
		while (!*field && p > 0 &&
		       clang_getCursorKind(w->stack[meaningful_parent(w, p - 1)]) ==
		       CXCursor_MemberRefExpr) {
			p = meaningful_parent(w, p - 1);
			parent = w->stack[p];
			free(field);
			field = cxstr(clang_getCursorSpelling(parent));
		}
		q = meaningful_parent(w, p - 1);
		CXCursor gp = q >= 0 ? w->stack[q] : clang_getNullCursor();
		enum CXCursorKind gk = q >= 0 ? clang_getCursorKind(gp) : CXCursor_InvalidCode;
		json_t *o = loc(w, parent);

		json_object_set_new(o, "field", json_string(field));
		if ((gk == CXCursor_BinaryOperator || gk == CXCursor_CompoundAssignOperator) &&
		    w->idx[q + 1] == 0) {
			char *op = binop(w->tu, gp);

			if (!strcmp(op, "=") || gk == CXCursor_CompoundAssignOperator) {
				CXCursor rhs = nth_child(gp, 1);
				char *e = cursor_text(w->tu, rhs);

				json_object_set_new(o, "op", json_string(op));
				json_object_set_new(o, "expr", json_string(e));
				if (!strcmp(field, "vm_ops")) {
					CXCursor s = strip(rhs);

					if (clang_getCursorKind(s) == CXCursor_UnaryOperator)
						s = strip(nth_child(s, 0));
					if (clang_getCursorKind(s) == CXCursor_DeclRefExpr) {
						CXCursor v = clang_getCursorReferenced(s);

						json_object_set_new(o, "ops_var",
							json_string(cxstr(clang_getCursorSpelling(v))));
					}
				}
				json_array_append_new(jarray_of(w->an, "fields_written"), o);
				free(e);
				free(op);
				free(field);
				return;
			}
			if (!strcmp(field, "vm_flags"))
				json_object_set_new(o, "op", json_string(op));
			free(op);
		} else if (!strcmp(field, "vm_flags") && gk == CXCursor_CallExpr &&
			   callee_is(gp, "is_nommu_shared_mapping")) {
			/* the no-MMU shared test: is_nommu_shared_vma_flags() on a descriptor */
			json_object_set_new(o, "op", json_string("is_nommu_shared_mapping"));
		} else if (!strcmp(field, "vm_flags")) {
			json_object_set_new(o, "op", json_string(
				gk == CXCursor_MemberRefExpr ? "member" : "value"));
		}
		json_array_append_new(jarray_of(w->an, "fields_read"), o);
		free(field);
		return;
	}
	if (pk == CXCursor_CallExpr && child_of_p > 0)
		return;		/* handled with the call */
	if (pk == CXCursor_VarDecl && w->nvma < MAX_VMAS) {
		CXType t = clang_getCursorType(parent);
		char *ts = cxstr(clang_getTypeSpelling(t));

		if (strstr(ts, "vm_area_struct")) {
			w->vmas[w->nvma++] = parent;	/* an alias */
			free(ts);
			return;
		}
		free(ts);
	}
	if (pk == CXCursor_IfStmt || pk == CXCursor_UnaryOperator ||
	    (pk == CXCursor_BinaryOperator && 1)) {
		if (pk == CXCursor_BinaryOperator) {
			char *op = binop(w->tu, parent);
			int cmp = !strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, "&&") ||
				  !strcmp(op, "||");

			if (!cmp) {
				json_t *o = loc(w, c);
				char *lhs = cursor_text(w->tu, nth_child(parent, 0));

				json_object_set_new(o, "how", json_string(
					child_of_p == 1 && !strcmp(op, "=") ? "stored" : "operand"));
				json_object_set_new(o, "to", json_string(lhs));
				json_array_append_new(jarray_of(w->an, "escapes"), o);
				free(lhs);
			}
			free(op);
			return;
		}
		if (pk == CXCursor_UnaryOperator) {
			char *t = cursor_text(w->tu, parent);

			if (t[0] == '&') {
				json_t *o = loc(w, c);

				json_object_set_new(o, "how", json_string("address taken"));
				json_array_append_new(jarray_of(w->an, "escapes"), o);
			}
			free(t);
		}
		return;		/* a test: if (vma), !vma */
	}
	{
		json_t *o = loc(w, c);

		json_object_set_new(o, "how", json_string(
			pk == CXCursor_ReturnStmt ? "returned" :
			pk == CXCursor_InitListExpr ? "stored in an initializer" :
			pk == CXCursor_VarDecl ? "stored in a variable" : "used"));
		json_array_append_new(jarray_of(w->an, "escapes"), o);
	}
}

/*
 * What happens to a call's result (the expression at stack index from +
 * 1): returned, ignored, assigned, checked.  *ret (may be NULL) gets what
 * the branch that checks it returns ("-EAGAIN"), typed for decide.c and
 * state.c, which never cut it out of the words.
 */
static json_t *call_result_ret(struct walk *w, int from, char **ret);

static json_t *call_result_at(struct walk *w, int from)
{
	return call_result_ret(w, from, NULL);
}

static json_t *call_result_ret(struct walk *w, int from, char **retp)
{
	int p = meaningful_parent(w, from);
	CXCursor parent;
	enum CXCursorKind pk;

	if (p < 0)
		return json_string("?");
	parent = w->stack[p];
	pk = clang_getCursorKind(parent);
	if (pk == CXCursor_CompoundStmt || pk == CXCursor_LabelStmt)
		return json_string("ignored");
	if (pk == CXCursor_ReturnStmt)
		return json_string(w->depth ? "returned by the helper" : "returned");
	if (pk == CXCursor_VarDecl)
		return json_string(xasprintf("assigned to %s",
					     cxstr(clang_getCursorSpelling(parent))));
	if (pk == CXCursor_BinaryOperator) {
		char *op = binop(w->tu, parent);
		char *lhs = cursor_text(w->tu, nth_child(parent, 0));
		json_t *r;

		if (!strcmp(op, "="))
			r = json_string(xasprintf("assigned to %s", lhs));
		else
			r = json_string(xasprintf("compared (%s)", op));
		free(op);
		free(lhs);
		/* "if ((ret = remap(...)) < 0)" and friends: look further up */
		if (!strcmp(json_string_value(r), "compared (<)") ||
		    !strncmp(json_string_value(r), "compared", 8)) {
			int q = meaningful_parent(w, p - 1);

			if (q >= 0 && clang_getCursorKind(w->stack[q]) == CXCursor_IfStmt) {
				json_decref(r);
				p = q;
				pk = CXCursor_IfStmt;
				parent = w->stack[q];
			}
		}
		if (pk != CXCursor_IfStmt)
			return r;
	}
	if (pk == CXCursor_UnaryOperator) {
		int q = meaningful_parent(w, p - 1);

		if (q >= 0 && clang_getCursorKind(w->stack[q]) == CXCursor_IfStmt) {
			p = q;
			pk = CXCursor_IfStmt;
			parent = w->stack[q];
		}
	}
	if (pk == CXCursor_IfStmt) {
		CXCursor then = nth_child(parent, 1);
		char *t = cursor_text(w->tu, then);
		char *ret = strstr(t, "return");
		json_t *r;

		if (ret) {
			char *end = strchr(ret, ';');

			r = json_string(xasprintf("checked: %.*s", end ? (int)(end - ret) : 40, ret));
			if (retp) {
				/* a lone "return X" statement's extent has no ';' */
				char *v = ret + 6;

				while (*v == ' ' || *v == '(')
					v++;
				*retp = end ? xasprintf("%.*s", (int)(end - v), v) : xstrdup(v);
				end = *retp + strlen(*retp);
				while (end > *retp && (end[-1] == ' ' || end[-1] == ')'))
					*--end = 0;
			}
		} else {
			r = json_string("checked");
		}
		free(t);
		return r;
	}
	return json_string("used in an expression");
}

static json_t *call_result(struct walk *w)
{
	return call_result_at(w, w->sp - 2);
}

/* o[key] = what happens to the call's result; o[key_return] = what its check returns */
static void set_result(struct walk *w, json_t *o, const char *key, int from)
{
	char *ret = NULL;

	json_object_set_new(o, key, call_result_ret(w, from, &ret));
	if (ret) {
		char *k = xasprintf("%s_return", key);

		json_object_set_new(o, k, json_string(ret));
		free(k);
		free(ret);
	}
}

/* A do-while whose condition is the constant 0: runs once. */
static int once(CXCursor dostmt)
{
	int n = nchildren(dostmt), zero = 0;
	CXEvalResult ev;

	if (n < 2)
		return 0;
	ev = clang_Cursor_Evaluate(nth_child(dostmt, n - 1));
	if (ev) {
		zero = clang_EvalResult_getKind(ev) == CXEval_Int &&
		       clang_EvalResult_getAsLongLong(ev) == 0;
		clang_EvalResult_dispose(ev);
	}
	return zero;
}

static int in_loop_at(struct walk *w, int from)
{
	int i;

	for (i = from; i >= 0; i--) {
		enum CXCursorKind k = clang_getCursorKind(w->stack[i]);

		if (k == CXCursor_DoStmt && once(w->stack[i]))
			continue;	/* do { ... } while (0): a macro's statement */
		if (k == CXCursor_ForStmt || k == CXCursor_WhileStmt || k == CXCursor_DoStmt)
			return 1;
		if (k == CXCursor_FunctionDecl)
			return 0;
	}
	return 0;
}

static int in_loop(struct walk *w)
{
	return in_loop_at(w, w->sp - 2);
}

/*
 * On some paths only: in a branch of an if, a switch, a ?: or a && / ||, or
 * in a loop.  The condition of an if is not a branch: a take tested there
 * ("if (!kref_get_unless_zero(...)) return -ENODEV;") is held after it.
 */
static int in_branch_at(struct walk *w, int from)
{
	int i;

	for (i = from; i > 0; i--) {
		enum CXCursorKind k = clang_getCursorKind(w->stack[i]);

		if (k == CXCursor_FunctionDecl)
			return 0;
		if ((k == CXCursor_IfStmt || k == CXCursor_ConditionalOperator) && w->idx[i + 1] > 0)
			return 1;
		if (k == CXCursor_SwitchStmt && w->idx[i + 1] > 0)
			return 1;
		if (k == CXCursor_BinaryOperator && w->idx[i + 1] > 0) {
			char *op = binop(w->tu, w->stack[i]);
			int sc = !strcmp(op, "&&") || !strcmp(op, "||");

			free(op);
			if (sc)
				return 1;
		}
	}
	return in_loop_at(w, from);
}

/* Expansion offsets of the start and the end of c's extent. */
static void extent_offsets(CXCursor c, unsigned int *start, unsigned int *end)
{
	CXSourceRange r = clang_getCursorExtent(c);
	CXFile f;

	clang_getExpansionLocation(clang_getRangeStart(r), &f, NULL, NULL, start);
	clang_getExpansionLocation(clang_getRangeEnd(r), &f, NULL, NULL, end);
}

/*
 * Where the macro call written at offset o ends (after its ")"), or o.
 * With *arg0, the text of its first argument.
 */
static unsigned int macro_call_end(const char *buf, size_t size, unsigned int o, char **arg0)
{
	size_t i, a;
	int depth = 0;

	for (i = o; i < size && (isalnum((unsigned char)buf[i]) || buf[i] == '_'); i++)
		;
	while (i < size && isspace((unsigned char)buf[i]))
		i++;
	if (i >= size || buf[i] != '(')
		return o;
	for (a = ++i; i < size; i++) {
		if (buf[i] == '(' || buf[i] == '[') {
			depth++;
		} else if ((buf[i] == ')' || buf[i] == ']') && depth) {
			depth--;
		} else if (!depth && (buf[i] == ',' || buf[i] == ')')) {
			if (arg0 && !*arg0 && i > a)
				*arg0 = xasprintf("%.*s", (int)(i - a), buf + a);
			if (buf[i] == ')')
				return i + 1;
		}
	}
	return o;
}

/*
 * The stack index of the outermost cursor of the macro call that the call
 * at the top of the stack comes from: kzalloc() is a macro (alloc_hooks())
 * whose expansion holds several calls, and what the handler does with
 * kzalloc() is what the expansion's parent does with it.  The call itself
 * when it is written out in the source.
 */
static int macro_top(struct walk *w, const char *name, const char *spelled)
{
	unsigned int s, ps, pe, end;
	const char *buf;
	size_t size;
	CXFile f;
	int i = w->sp - 1;

	if (!strcmp(name, spelled))
		return i;
	clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(w->stack[i])),
				   &f, NULL, NULL, &s);
	buf = f ? clang_getFileContents(w->tu, f, &size) : NULL;
	if (!buf || s >= size)
		return i;
	end = macro_call_end(buf, size, s, NULL);
	while (i > 1) {
		extent_offsets(w->stack[i - 1], &ps, &pe);
		if (ps != s || pe > end)
			break;
		i--;
	}
	return i;
}

/* The first argument of the macro call written at c's expansion point. */
static char *macro_arg0(CXTranslationUnit tu, CXCursor c)
{
	CXFile f;
	unsigned int o;
	const char *buf;
	size_t size;
	char *arg0 = NULL;

	clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL,
				   NULL, &o);
	buf = f ? clang_getFileContents(tu, f, &size) : NULL;
	if (buf && o < size)
		macro_call_end(buf, size, o, &arg0);
	return arg0;
}

/* Is there already a resource call of that name at that place (a macro's body)? */
static int seen_call(struct walk *w, const char *list, json_t *o)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(w->an, list), i, x)
		if (json_integer_value(json_object_get(x, "pos")) ==
		    json_integer_value(json_object_get(o, "pos")) &&
		    !strcmp(jstr(x, "call"), jstr(o, "call")) && !strcmp(jstr(x, "in"), jstr(o, "in")))
			return 1;
	return 0;
}

static const char *struct_name_of(CXType t, char **buf)
{
	char *s;

	if (t.kind == CXType_Pointer)
		t = clang_getPointeeType(t);
	t = clang_getCanonicalType(t);
	s = cxstr(clang_getTypeSpelling(t));
	/* "const struct v4l2_file_operations" -> "v4l2_file_operations" */
	*buf = s;
	if (strstr(s, "struct "))
		return strstr(s, "struct ") + 7;
	return s;
}

static void arg_texts(struct walk *w, CXCursor call, json_t *args)
{
	int i, n = clang_Cursor_getNumArguments(call);

	for (i = 0; i < n; i++) {
		char *t = cursor_text(w->tu, clang_Cursor_getArgument(call, i));

		json_array_append_new(args, json_string(t));
		free(t);
	}
}

static void remap_fact(struct walk *w, CXCursor call, const char *name, const char *spelled,
		       json_t *args)
{
	json_t *o = loc(w, call);
	const char *a[5] = { NULL };
	int n = json_array_size(args), i;

	for (i = 0; i < n && i < 5; i++)
		a[i] = json_string_value(json_array_get(args, i));
	json_object_set_new(o, "fn", json_string(spelled));
	json_object_set_new(o, "io", json_boolean(!strncmp(spelled, "io_", 3) ||
						   !strcmp(spelled, "vm_iomap_memory")));
	if (!strcmp(name, "vm_iomap_memory")) {
		json_object_set_new(o, "phys", json_string(a[1] ? a[1] : "?"));
		json_object_set_new(o, "size", json_string(a[2] ? a[2] : "?"));
	} else if (!strcmp(name, "remap_4k_pfn")) {
		json_object_set_new(o, "addr", json_string(a[1] ? a[1] : "?"));
		json_object_set_new(o, "pfn", json_string(a[2] ? a[2] : "?"));
		json_object_set_new(o, "prot", json_string(a[3] ? a[3] : "?"));
	} else {
		json_object_set_new(o, "addr", json_string(a[1] ? a[1] : "?"));
		json_object_set_new(o, "pfn", json_string(a[2] ? a[2] : "?"));
		json_object_set_new(o, "size", json_string(a[3] ? a[3] : "?"));
		json_object_set_new(o, "prot", json_string(a[4] ? a[4] : "?"));
	}
	set_result(w, o, "result", w->sp - 2);
	json_array_append_new(jarray_of(w->an, "remaps"), o);
}

/*
 * A release in a block that leaves the function (if (...) { unlock;
 * return -EINVAL; }) releases only on that path: record where the block
 * ends, so that code after it is not taken for unlocked.
 */
/*
 * Effects: what a call does, judged by its body (default deny).
 *
 * A call is pure when its body is visible and writes nothing outside its
 * own locals, calling only pure functions, or when it is on the short
 * list below (each entry with its reason).  Everything else is a side
 * effect: a write through a pointer or to a global, inline assembly (the
 * atomics and the per-CPU operations), an atomic builtin, or a call whose
 * body the translation unit does not have.  A body that takes a lock, a
 * reference or an allocation by the lists of category.c without releasing
 * it is a take itself: a driver's own helper that bumps a count is state
 * whatever its name (docs/hazards.md, H11).  Bodies are followed to
 * FX_DEPTH, with a cycle guard; a summary is made once per function.
 */
#define FX_DEPTH 8

/* The object an lvalue designates, as its root declaration. */
static CXCursor lvalue_root(CXCursor lhs, int *through_pointer)
{
	*through_pointer = 0;
	for (;;) {
		enum CXCursorKind k;

		lhs = strip(lhs);
		k = clang_getCursorKind(lhs);
		if (k == CXCursor_DeclRefExpr)
			return clang_getCursorReferenced(lhs);
		if (k == CXCursor_MemberRefExpr || k == CXCursor_ArraySubscriptExpr) {
			CXCursor base = strip(nth_child(lhs, 0));
			CXType t = clang_getCanonicalType(clang_getCursorType(base));

			if (clang_Cursor_isNull(base))
				break;
			if (t.kind == CXType_Pointer)
				*through_pointer = 1;
			lhs = base;
			continue;
		}
		if (k == CXCursor_UnaryOperator) {
			/* *p: through a pointer */
			*through_pointer = 1;
			lhs = nth_child(lhs, 0);
			continue;
		}
		break;
	}
	*through_pointer = 1;
	return clang_getNullCursor();
}

/* Memory of the function's own: a local or a parameter, not through a pointer. */
static int local_lvalue(CXCursor lhs)
{
	int through;
	CXCursor d = lvalue_root(lhs, &through);
	enum CXCursorKind k = clang_getCursorKind(d);

	if (through || clang_Cursor_isNull(d))
		return 0;
	if (k == CXCursor_ParmDecl)
		return 1;
	return k == CXCursor_VarDecl && !clang_Cursor_hasVarDeclGlobalStorage(d);
}

/* The lvalue written by c (an assignment, a compound one, ++ or --), or a null cursor. */
static CXCursor written_lvalue(CXTranslationUnit tu, CXCursor c)
{
	enum CXCursorKind k = clang_getCursorKind(c);

	if (k == CXCursor_CompoundAssignOperator)
		return nth_child(c, 0);
	if (k == CXCursor_BinaryOperator) {
		char *op = binop(tu, c);
		int assign = !strcmp(op, "=");

		free(op);
		return assign ? nth_child(c, 0) : clang_getNullCursor();
	}
	if (k == CXCursor_UnaryOperator) {
		char *t = cursor_text(tu, c), *u = cursor_text(tu, nth_child(c, 0));
		size_t n = strlen(t);
		int incdec = strcmp(t, u) && (!strncmp(t, "++", 2) || !strncmp(t, "--", 2) ||
			     (n > 2 && (!strcmp(t + n - 2, "++") || !strcmp(t + n - 2, "--"))));

		free(t);
		free(u);
		return incdec ? nth_child(c, 0) : clang_getNullCursor();
	}
	return clang_getNullCursor();
}

static int kind_index(const char *kind)
{
	return !strcmp(kind, "lock") ? 0 : !strcmp(kind, "ref") ? 1 : 2;
}

static const char *const kind_names[] = { "lock", "ref", "alloc" };

struct fx {
	CXTranslationUnit tu;
	json_t *cache;
	CXCursor def;		/* the function summarised */
	int depth;
	char *why;		/* the first side effect seen */
	int take[3], rel[3];
	char *via_take, *via_rel;
};

static json_t *fn_summary(CXTranslationUnit tu, json_t *cache, CXCursor def, const char *name,
			  int depth);

/*
 * What a call does: {effect, why, kind, via}; effect is one of take,
 * release, vma-edit, mapping, pure, log, side-effect.
 */
/* Whether the function call c calls has its body in this translation unit. */
static int body_visible(CXCursor c)
{
	CXCursor ref = clang_getCursorReferenced(strip(nth_child(c, 0)));
	CXCursor def = clang_getCursorDefinition(ref);

	return clang_getCursorKind(ref) == CXCursor_FunctionDecl && !clang_Cursor_isNull(def) &&
	       clang_getCursorKind(def) == CXCursor_FunctionDecl;
}

static json_t *call_effect(CXTranslationUnit tu, json_t *cache, CXCursor c, const char *name,
			   const char *spelled, int depth)
{
	json_t *e = json_object();
	const char *eff, *why = NULL, *kind = NULL;
	CXCursor target = clang_getCursorReferenced(strip(nth_child(c, 0)));
	int direct = clang_getCursorKind(target) == CXCursor_FunctionDecl;
	int visible = body_visible(c);

	eff = NULL;
	if (direct)
		eff = effect_by_name(spelled, visible, &why, &kind) ?:
		      effect_by_name(name, visible, &why, &kind);
	if (eff) {
		json_object_set_new(e, "effect", json_string(eff));
		if (why)
			json_object_set_new(e, "why", json_string(why));
		if (kind)
			json_object_set_new(e, "kind", json_string(kind));
	} else {
		CXCursor callee = strip(nth_child(c, 0));
		CXCursor ref = clang_getCursorReferenced(callee);
		CXCursor def = clang_getCursorDefinition(ref);

		if (clang_getCursorKind(ref) != CXCursor_FunctionDecl) {
			json_object_set_new(e, "effect", json_string("side-effect"));
			json_object_set_new(e, "why", json_string(
				"a call through a function pointer: what it runs is not known here"));
		} else if (clang_Cursor_isNull(def) || clang_getCursorKind(def) != CXCursor_FunctionDecl) {
			json_object_set_new(e, "effect", json_string("side-effect"));
			json_object_set_new(e, "why", json_string(
				xasprintf("the body of %s() is not in this translation unit", name)));
		} else {
			json_t *s = fn_summary(tu, cache, def, name, depth + 1);

			json_object_update(e, s);
		}
	}
	return e;
}

/* A call's cursor, under casts and parentheses, or a null cursor. */
static CXCursor call_under(CXCursor c)
{
	c = strip_casts(c);
	return clang_getCursorKind(c) == CXCursor_CallExpr ? c : clang_getNullCursor();
}

struct obtained {
	CXTranslationUnit tu;
	CXCursor var;
	int from_call, from_other;
};

static void obtained_from(struct obtained *o, CXCursor value)
{
	CXCursor call = call_under(value);
	const char *why, *kind, *eff;
	char *name;

	if (clang_Cursor_isNull(call)) {
		o->from_other++;
		return;
	}
	name = cxstr(clang_getCursorSpelling(call));
	eff = effect_by_name(name, 0, &why, &kind);
	/* a recognised take is counted as one: its release balances it */
	if (eff && !strcmp(eff, "take"))
		o->from_other++;
	else
		o->from_call++;
	free(name);
}

static enum CXChildVisitResult obtained_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct obtained *o = d;
	enum CXCursorKind k = clang_getCursorKind(c);

	if (k == CXCursor_VarDecl && clang_equalCursors(c, o->var)) {
		CXCursor init = clang_Cursor_getVarDeclInitializer(c);

		if (!clang_Cursor_isNull(init))
			obtained_from(o, init);
	} else if (!clang_Cursor_isNull(written_lvalue(o->tu, c))) {
		CXCursor l = strip(written_lvalue(o->tu, c));

		if (clang_getCursorKind(l) == CXCursor_DeclRefExpr &&
		    clang_equalCursors(clang_getCursorReferenced(l), o->var)) {
			if (clang_getCursorKind(c) == CXCursor_BinaryOperator)
				obtained_from(o, nth_child(c, 1));
			else
				o->from_other++;
		}
	}
	return CXChildVisit_Recurse;
}

/*
 * Whether the release call c frees what the function being summarised
 * obtained itself: its argument is a local of that function that is only
 * ever set to the result of a call which is not a recognised take (a
 * buffer an unseen callee allocated, freed before the function returns).
 * That call is then a side effect of its own; the release does not give
 * back anything of the caller's.
 */
static int releases_own(struct fx *f, CXCursor c)
{
	CXCursor arg, var;
	struct obtained o = { .tu = f->tu };

	if (nchildren(c) < 2)
		return 0;
	arg = strip_casts(nth_child(c, 1));
	if (clang_getCursorKind(arg) != CXCursor_DeclRefExpr)
		return 0;
	var = clang_getCursorReferenced(arg);
	if (clang_getCursorKind(var) != CXCursor_VarDecl ||
	    clang_Cursor_hasVarDeclGlobalStorage(var))
		return 0;
	o.var = var;
	clang_visitChildren(f->def, obtained_cb, &o);
	return o.from_call && !o.from_other;
}

static enum CXChildVisitResult fx_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct fx *f = d;
	enum CXCursorKind k = clang_getCursorKind(c);
	CXCursor lhs;

	if (k == CXCursor_CallExpr) {
		char *name = cxstr(clang_getCursorSpelling(c));
		char *spelled = ident_at(f->tu, nth_child(c, 0));
		json_t *e = call_effect(f->tu, f->cache, c, name, spelled, f->depth);
		const char *eff = js(e, "effect");

		if (!strcmp(eff, "take")) {
			f->take[kind_index(js(e, "kind"))]++;
			if (!f->via_take)
				f->via_take = xstrdup(jstr(e, "via") ? jstr(e, "via") : name);
		} else if (!strcmp(eff, "release") && !strcmp(js(e, "kind"), "alloc") &&
			   releases_own(f, c)) {
			/* paired with the call that obtained it, a side effect itself */
		} else if (!strcmp(eff, "release")) {
			f->rel[kind_index(js(e, "kind"))]++;
			if (!f->via_rel)
				f->via_rel = xstrdup(jstr(e, "via") ? jstr(e, "via") : name);
		} else if ((!strcmp(eff, "side-effect") || !strcmp(eff, "mapping")) && !f->why) {
			f->why = xasprintf("calls %s(): %s", name,
					   jstr(e, "why") ? jstr(e, "why") : eff);
		}
		json_decref(e);
		free(name);
		free(spelled);
	} else if (k == CXCursor_GCCAsmStmt || k == CXCursor_AsmStmt) {
		if (!f->why)
			f->why = xstrdup("runs inline assembly");
	} else {
		lhs = written_lvalue(f->tu, c);
		if (!clang_Cursor_isNull(lhs) && !local_lvalue(lhs) && !f->why) {
			char *t = cursor_text(f->tu, lhs);

			f->why = xasprintf("writes %s", t);
			free(t);
		}
	}
	return CXChildVisit_Recurse;
}

/* {effect, why, kind, via} of a function with a visible body, made once. */
static json_t *fn_summary(CXTranslationUnit tu, json_t *cache, CXCursor def, const char *name,
			  int depth)
{
	json_t *s = json_object_get(cache, name);
	struct fx f = { .tu = tu, .cache = cache, .def = def, .depth = depth };
	int i, net_take = -1, net_rel = -1;

	if (s)
		return s;	/* made, or being made (a cycle adds nothing new) */
	s = json_object();
	json_object_set_new(s, "effect", json_string("pure"));
	json_object_set_new(cache, name, s);
	if (depth > FX_DEPTH) {
		json_object_set_new(s, "effect", json_string("side-effect"));
		json_object_set_new(s, "why", json_string(xasprintf(
			"%s() is more than %d calls deep: not followed", name, FX_DEPTH)));
		return s;
	}
	clang_visitChildren(def, fx_cb, &f);
	for (i = 0; i < 3; i++) {
		if (f.take[i] > f.rel[i] && net_take < 0)
			net_take = i;
		if (f.rel[i] > f.take[i] && net_rel < 0)
			net_rel = i;
	}
	if (net_take >= 0) {
		json_object_set_new(s, "effect", json_string("take"));
		json_object_set_new(s, "kind", json_string(kind_names[net_take]));
		json_object_set_new(s, "via", json_string(f.via_take));
	} else if (net_rel >= 0) {
		json_object_set_new(s, "effect", json_string("release"));
		json_object_set_new(s, "kind", json_string(kind_names[net_rel]));
		json_object_set_new(s, "via", json_string(f.via_rel));
	} else if (f.why || f.take[0] + f.take[1] + f.take[2]) {
		json_object_set_new(s, "effect", json_string("side-effect"));
		json_object_set_new(s, "why", json_string(f.why ? f.why :
			xasprintf("takes and releases with %s()", f.via_take)));
	}
	free(f.why);
	free(f.via_take);
	free(f.via_rel);
	return s;
}

static void exit_path(struct walk *w, json_t *o)
{
	int i;

	/* if (ret) atomic_dec(...): released on some paths only */
	for (i = w->sp - 2; i > 0; i--) {
		enum CXCursorKind k = clang_getCursorKind(w->stack[i]);

		if (k == CXCursor_FunctionDecl)
			break;
		if (k == CXCursor_IfStmt && w->idx[i + 1] > 0) {
			json_object_set_new(o, "conditional", json_true());
			break;
		}
	}

	for (i = w->sp - 2; i > 0; i--) {
		CXCursor b = w->stack[i];
		enum CXCursorKind pk = clang_getCursorKind(w->stack[i - 1]);
		char *t;
		CXFile f;
		unsigned int end;

		if (clang_getCursorKind(b) != CXCursor_CompoundStmt)
			continue;
		if (pk == CXCursor_FunctionDecl)
			return;
		t = cursor_text(w->tu, b);
		if (strstr(t, "return") || strstr(t, "goto")) {
			clang_getExpansionLocation(clang_getRangeEnd(clang_getCursorExtent(b)), &f,
						   NULL, NULL, &end);
			json_object_set_new(o, "exit_path_until", json_integer(
				w->depth ? w->site : end));
		}
		free(t);
		return;
	}
}

/*
 * Is the call c inside a statement that comes from the same macro
 * expansion?  The outermost statement of the expansion decides: a macro
 * whose expansion is a GNU statement expression (kzalloc() through
 * alloc_hooks()) yields a value, and is a call as written, whatever
 * statements it holds.
 */
static int macro_statement(struct walk *w, CXCursor c)
{
	unsigned int at = cursor_offset(c, NULL);
	enum CXCursorKind outer = CXCursor_InvalidCode;
	int i;

	for (i = w->sp - 2; i >= 0; i--) {
		enum CXCursorKind k = clang_getCursorKind(w->stack[i]);

		if (k == CXCursor_FunctionDecl)
			break;
		if ((k == CXCursor_DoStmt || k == CXCursor_IfStmt || k == CXCursor_CompoundStmt ||
		     k == CXCursor_ForStmt || k == CXCursor_WhileStmt || k == CXCursor_StmtExpr) &&
		    cursor_offset(w->stack[i], NULL) == at)
			outer = k;
	}
	return outer != CXCursor_InvalidCode && outer != CXCursor_StmtExpr;
}

struct refs {
	CXCursor def;
	int n;
};

static enum CXChildVisitResult refs_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct refs *r = d;

	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr &&
	    clang_equalCursors(clang_getCanonicalCursor(clang_getCursorReferenced(c)), r->def))
		r->n++;
	return CXChildVisit_Recurse;
}

/* How many times the translation unit's code refers to the function def. */
static int tu_refs(CXTranslationUnit tu, CXCursor def)
{
	struct refs r = { .def = clang_getCanonicalCursor(def) };

	clang_visitChildren(clang_getTranslationUnitCursor(tu), refs_cb, &r);
	return r.n;
}

/*
 * What a call takes or releases, by its names: a call whose body can be
 * read is judged by the lists alone (its body was followed), any other
 * by its name's shape too.
 */
static const char *taken_by(int visible, const char *s)
{
	return visible ? resource_taken_listed(s) : resource_taken(s);
}

static const char *released_by(int visible, const char *s)
{
	return visible ? resource_released_listed(s) : resource_released(s);
}

/*
 * The VMA argument of call c (-1: none).  A prototype of the tree that
 * takes a struct vm_area_desc * there (code written for an older kernel,
 * built against a newer one) is a desc_call: the conversion passes the
 * descriptor, and the call is judged as any other, by its body.
 */
static int vma_argument(struct walk *w, CXCursor c, CXCursor callee, const char *name)
{
	int i, n = clang_Cursor_getNumArguments(c), vidx = -1;
	CXCursor fd;

	for (i = 0; i < n; i++)
		if (is_vma(w, clang_Cursor_getArgument(c, i)))
			vidx = i;
	if (vidx < 0 || clang_getCursorKind(callee) != CXCursor_DeclRefExpr || w->depth)
		return vidx;
	fd = clang_getCursorReferenced(callee);
	if (clang_getCursorKind(fd) == CXCursor_FunctionDecl &&
	    vidx < clang_Cursor_getNumArguments(fd)) {
		char *ts = cxstr(clang_getTypeSpelling(clang_getCursorType(
			clang_Cursor_getArgument(fd, vidx))));

		if (strstr(ts, "struct vm_area_desc")) {
			json_t *dc = loc(w, c);

			json_object_set_new(dc, "call", json_string(name));
			json_object_set_new(dc, "arg", json_integer(vidx));
			json_array_append_new(jarray_of(w->an, "desc_calls"), dc);
			vidx = -1;
		}
		free(ts);
	}
	return vidx;
}

/* The callee's name as written (a macro's), or as the compiler sees it (name). */
static char *call_spelling(struct walk *w, CXCursor c, CXCursor callee, const char *name)
{
	char *spelled = cursor_text(w->tu, callee);
	int i;

	/* a spelled name that is not an identifier (a call through an expression) */
	for (i = 0; spelled[i]; i++)
		if (!isalnum((unsigned char)spelled[i]) && spelled[i] != '_')
			break;
	if (spelled[i] || !spelled[0]) {
		free(spelled);
		spelled = clang_getCursorKind(callee) == CXCursor_DeclRefExpr ?
			  ident_at(w->tu, callee) : xstrdup(name);
	}
	/*
	 * A call inside a macro that expands to statements (do { ... } while
	 * (0)) is judged by its own name, as the compiler sees it: the macro's
	 * name says nothing of each call in it.
	 */
	if (strcmp(spelled, name) && macro_statement(w, c)) {
		free(spelled);
		spelled = xstrdup(name);
	}
	return spelled;
}

/* A take of kind by call c: what it is kept in, and what its value decides. */
static void take_call(struct walk *w, CXCursor c, const char *name, const char *spelled,
		      const char *kind, json_t *fx, int helper)
{
	int top = macro_top(w, name, spelled), p;
	json_t *o = resource_call(w, c, clang_Cursor_getNumArguments(c), name, spelled, kind);

	if (helper)
		json_object_set_new(o, "via", json_string(js(fx, "via")));
	if (strcmp(name, spelled)) {
		/* a macro (kzalloc): its own first argument, as written */
		char *k = macro_arg0(w->tu, c);

		if (k)
			json_object_set_new(o, "key", json_string(k));
		free(k);
	}
	p = meaningful_parent(w, top - 1);
	if (p >= 0 && clang_getCursorKind(w->stack[p]) == CXCursor_BinaryOperator) {
		char *lhs = cursor_text(w->tu, nth_child(w->stack[p], 0));

		json_object_set_new(o, "result", json_string(lhs));
		free(lhs);
	} else if (p >= 0 && clang_getCursorKind(w->stack[p]) == CXCursor_VarDecl) {
		json_object_set_new(o, "result", json_string(
			cxstr(clang_getCursorSpelling(w->stack[p]))));
	}
	/* guard(mutex)(&m) and scoped_guard: released when the scope ends */
	if (!strncmp(name, "class_", 6) && str_ends_with(name, "_constructor"))
		json_object_set_new(o, "auto_release", json_true());
	/* what the value decides ("ignored": the take cannot fail the handler) */
	set_result(w, o, "use", top - 1);
	if (in_branch_at(w, top - 1))
		json_object_set_new(o, "conditional", json_true());
	if (seen_call(w, "takes", o))
		json_decref(o);
	else
		json_array_append_new(jarray_of(w->an, "takes"), o);
}

/*
 * Resources, whether or not the VMA is involved (default deny): a call
 * that does not receive the VMA (vidx < 0) is judged by its body, and
 * one whose body takes or releases is a take or a release itself,
 * whatever its name.  Returns what its body does (call_effect()), or NULL.
 */
static json_t *resource_effects(struct walk *w, CXCursor c, const char *name,
				const char *spelled, int vidx, int visible)
{
	const char *take, *rel, *helper_take = NULL, *helper_rel = NULL;
	json_t *fx = NULL, *o;

	if (vidx < 0 && !taken_by(visible, name) && !taken_by(visible, spelled) &&
	    !released_by(visible, name) && !released_by(visible, spelled)) {
		fx = call_effect(w->tu, w->fx_cache, c, name, spelled, 0);
		if (!strcmp(js(fx, "effect"), "take"))
			helper_take = js(fx, "kind");
		else if (!strcmp(js(fx, "effect"), "release"))
			helper_rel = js(fx, "kind");
	}
	/* the helper's body first, then the name as called, then as spelled */
	take = helper_take ?: taken_by(visible, name) ?: taken_by(visible, spelled);
	rel = helper_rel ?: released_by(visible, name) ?: released_by(visible, spelled);
	if (take) {
		take_call(w, c, name, spelled, take, fx, !!helper_take);
	} else if (rel) {
		o = resource_call(w, c, clang_Cursor_getNumArguments(c), name, spelled, rel);
		if (helper_rel)
			json_object_set_new(o, "via", json_string(js(fx, "via")));
		exit_path(w, o);
		json_array_append_new(jarray_of(w->an, "releases"), o);
	} else if (!strncmp(name, "class_", 6) && str_ends_with(name, "_constructor")) {
		o = loc(w, c);
		json_object_set_new(o, "call", json_string(name));
		json_object_set_new(o, "kind", json_string("lock"));
		json_object_set_new(o, "auto_release", json_true());
		json_array_append_new(jarray_of(w->an, "takes"), o);
	}
	return fx;
}

/*
 * A hook called through a member with the VMA: f_op->mmap, fops->mmap,
 * proc_ops->proc_mmap (stacked, dispatches), or a callback pointer such
 * as vma->vm_ops->open(vma), an escape.  Returns 1 when c is one, with
 * *fx what it does (NULL for a mapping hook).
 */
static int hook_call(struct walk *w, CXCursor c, CXCursor callee, json_t **fx)
{
	enum CXCursorKind ck = clang_getCursorKind(callee);
	char *tbuf = NULL, *member, *hook;
	const char *sname = "?";
	json_t *o;

	if ((ck != CXCursor_MemberRefExpr && ck != CXCursor_DeclRefExpr) ||
	    clang_getCursorKind(clang_getCursorReferenced(callee)) == CXCursor_FunctionDecl)
		return 0;
	member = cxstr(clang_getCursorSpelling(callee));
	if (ck == CXCursor_DeclRefExpr) {
		/* a local holding the hook: look at what it was set to */
		CXCursor var = clang_getCursorReferenced(callee);
		int nc = nchildren(var);
		CXCursor init = nc ? strip(nth_child(var, nc - 1)) : clang_getNullCursor();

		if (!clang_Cursor_isNull(init) &&
		    clang_getCursorKind(init) == CXCursor_MemberRefExpr) {
			callee = init;
			ck = CXCursor_MemberRefExpr;
			free(member);
			member = cxstr(clang_getCursorSpelling(callee));
		}
	}
	if (ck == CXCursor_MemberRefExpr) {
		CXCursor fd = clang_getCursorReferenced(callee);

		sname = struct_name_of(clang_getCursorType(clang_getCursorSemanticParent(fd)),
				       &tbuf);
	}
	hook = xasprintf("%s.%s", sname, member);
	o = loc(w, c);
	if (!strstr(member, "mmap")) {
		/* vma->vm_ops->open(vma), a callback pointer: not a mapping hook */
		json_object_set_new(o, "how", json_string("passed"));
		json_object_set_new(o, "to", json_string(xasprintf("%s (%s)",
			cursor_text(w->tu, callee), hook)));
		json_object_set_new(o, "visible", json_false());
		json_array_append_new(jarray_of(w->an, "escapes"), o);
		*fx = json_object();
		json_object_set_new(*fx, "effect", json_string("side-effect"));
		json_object_set_new(*fx, "why", json_string(
			"receives the VMA through a function pointer: what it runs is not known here"));
	} else {
		json_object_set_new(o, "hook", json_string(hook));
		json_object_set_new(o, "expr", json_string(cursor_text(w->tu, callee)));
		json_array_append_new(jarray_of(w->an, !strcmp(sname, "file_operations") ?
					  "stacked" : "dispatches"), o);
	}
	free(hook);
	free(tbuf);
	free(member);
	return 1;
}

/*
 * A call that passes the VMA to a function the lists do not know: its
 * body followed, when it can be read and is not too deep (o's kind
 * "followed", an analysis.followed entry), or an escape.
 */
static void follow_call(struct walk *w, CXCursor c, CXCursor callee, json_t *o,
			const char *name, const char *spelled, int vidx)
{
	CXCursor ref = clang_getCursorReferenced(callee);
	CXCursor def = clang_getCursorDefinition(ref);
	int has_def = !clang_Cursor_isNull(def) &&
		      clang_getCursorKind(def) == CXCursor_FunctionDecl;

	if (has_def && w->depth < CALL_DEPTH && !json_object_get(w->visited, name)) {
		struct walk sub = *w;
		int main_file = clang_Location_isFromMainFile(clang_getCursorLocation(def));
		json_t *fo = loc(w, c);

		json_object_set_new(o, "kind", json_string("followed"));
		json_object_set_new(fo, "fn", json_string(name));
		json_object_set_new(fo, "depth", json_integer(w->depth + 1));
		json_object_set_new(fo, "where", json_string(
			main_file ? (clang_Cursor_getStorageClass(def) == CX_SC_Static ?
				     "static, this file" : "this file") :
			"inline, a header"));
		/* its uses in the code compiled, macros expanded */
		if (main_file)
			json_object_set_new(fo, "refs", json_integer(tu_refs(w->tu, def)));
		json_array_append_new(jarray_of(w->an, "followed"), fo);
		json_object_set_new(w->visited, name, json_integer(w->depth + 1));
		sub.nvma = 1;
		sub.vmas[0] = clang_Cursor_getArgument(def, vidx);
		sub.depth = w->depth + 1;
		sub.fn = json_string_value(json_object_get(fo, "fn"));
		sub.site = w->depth ? w->site : cursor_offset(c, NULL);
		sub.sp = 0;
		walk_function(&sub, def);
	} else {
		json_t *e = loc(w, c);

		json_object_set_new(o, "kind", json_string(has_def ? "too deep" : "not visible"));
		json_object_set_new(e, "how", json_string("passed"));
		json_object_set_new(e, "to", json_string(spelled));
		json_object_set_new(e, "visible", json_boolean(has_def));
		json_array_append_new(jarray_of(w->an, "escapes"), e);
	}
}

/*
 * A call that receives the VMA (argument vidx): an analysis.calls entry
 * of its kind (remap, insert, dma-mmap, stacked, simple, followed ...).
 * Returns what it does with the VMA when fx is not known yet.
 */
static json_t *vma_call(struct walk *w, CXCursor c, CXCursor callee, const char *name,
			const char *spelled, int vidx, json_t *fx)
{
	json_t *args = json_array(), *o = loc(w, c);
	int n = clang_Cursor_getNumArguments(c);

	arg_texts(w, c, args);
	json_object_set_new(o, "callee", json_string(spelled));
	json_object_set_new(o, "vma_arg", json_integer(vidx));
	json_object_set_new(o, "args", json_incref(args));
	if (str_in_list(name, calls_remap) || str_in_list(spelled, calls_remap)) {
		json_object_set_new(o, "kind", json_string("remap"));
		remap_fact(w, c, str_in_list(spelled, calls_remap) ? spelled : name, spelled, args);
	} else if (str_in_list(name, calls_insert) || str_in_list(spelled, calls_insert)) {
		json_t *ins = loc(w, c);

		json_object_set_new(o, "kind", json_string("insert"));
		json_object_set_new(ins, "fn", json_string(spelled));
		json_object_set_new(ins, "args", json_incref(args));
		json_object_set_new(ins, "in_loop", json_boolean(in_loop(w)));
		json_object_set_new(ins, "result", call_result(w));
		json_array_append_new(jarray_of(w->an, "inserts"), ins);
	} else if (!strncmp(spelled, "dma_mmap_", 9) || !strncmp(name, "dma_mmap_", 9)) {
		json_object_set_new(o, "kind", json_string("dma-mmap"));
	} else if (str_in_list(name, calls_stacked) || str_in_list(spelled, calls_stacked)) {
		json_t *st = loc(w, c);

		json_object_set_new(o, "kind", json_string("stacked"));
		json_object_set_new(st, "call", json_string(spelled));
		json_array_append_new(jarray_of(w->an, "stacked"), st);
	} else if (str_in_list(name, calls_simple) || str_in_list(spelled, calls_simple)) {
		json_object_set_new(o, "kind", json_string("simple"));
		if (!strncmp(spelled, "vm_flags_", 9)) {
			json_t *f = loc(w, c);

			json_object_set_new(f, "op", json_string(spelled));
			json_object_set_new(f, "flags", json_string(
				n > 1 ? json_string_value(json_array_get(args, 1)) : ""));
			json_array_append_new(jarray_of(w->an, "flag_ops"), f);
		}
	} else {
		follow_call(w, c, callee, o, name, spelled, vidx);
	}
	if (!fx) {
		/* a call that receives the VMA: what it does with it */
		const char *ck2 = js(o, "kind");

		fx = json_object();
		json_object_set_new(fx, "effect", json_string(
			!strcmp(ck2, "remap") || !strcmp(ck2, "insert") ? "mapping" :
			!strcmp(ck2, "simple") ? "vma-edit" :
			!strcmp(ck2, "followed") ? "followed" :
			!strcmp(ck2, "dma-mmap") || !strcmp(ck2, "stacked") ? ck2 : "side-effect"));
		if (!strcmp(ck2, "not visible") || !strcmp(ck2, "too deep"))
			json_object_set_new(fx, "why", json_string(xasprintf(
				"receives the VMA, and its body is %s", !strcmp(ck2, "too deep") ?
				"too deep to follow" : "not in this translation unit")));
	}
	json_array_append_new(jarray_of(w->an, "calls"), o);
	json_decref(args);
	return fx;
}

/* The call's effect into analysis.effects (fx, or a take or release by its names). */
static void call_effect_entry(struct walk *w, CXCursor c, const char *name, const char *spelled,
			      int visible, json_t *fx)
{
	json_t *eo;

	if (!fx && (taken_by(visible, name) || taken_by(visible, spelled))) {
		fx = json_object();
		json_object_set_new(fx, "effect", json_string("take"));
		json_object_set_new(fx, "kind", json_string(taken_by(visible, name) ?
			taken_by(visible, name) : taken_by(visible, spelled)));
	} else if (!fx && (released_by(visible, name) || released_by(visible, spelled))) {
		fx = json_object();
		json_object_set_new(fx, "effect", json_string("release"));
		json_object_set_new(fx, "kind", json_string(released_by(visible, name) ?
			released_by(visible, name) : released_by(visible, spelled)));
	}
	if (fx) {
		eo = loc(w, c);
		json_object_set_new(eo, "call", json_string(spelled));
		json_object_update_missing(eo, fx);
		json_array_append_new(jarray_of(w->an, "effects"), eo);
		json_decref(fx);
	}
}

static void call(struct walk *w, CXCursor c)
{
	CXCursor callee = strip(nth_child(c, 0));
	char *name = cxstr(clang_getCursorSpelling(c));
	/* a body that can be read is judged by what it does, not by its name's shape */
	int visible = body_visible(c), vidx;
	char *spelled;
	json_t *fx;
	unsigned int line;

	cursor_offset(c, &line);
	vidx = vma_argument(w, c, callee, name);
	spelled = call_spelling(w, c, callee, name);
	fx = resource_effects(w, c, name, spelled, vidx, visible);
	if (vidx >= 0 && !hook_call(w, c, callee, &fx))
		fx = vma_call(w, c, callee, name, spelled, vidx, fx);
	call_effect_entry(w, c, name, spelled, visible, fx);
	free(name);
	free(spelled);
}

/* A write outside the function's own locals, other than the VMA's fields: an effect. */
static void write_effect(struct walk *w, CXCursor c)
{
	CXCursor lhs = written_lvalue(w->tu, c), root;
	int through, i;
	json_t *o;

	if (clang_Cursor_isNull(lhs) || local_lvalue(lhs))
		return;
	root = lvalue_root(lhs, &through);
	for (i = 0; i < w->nvma; i++)
		if (clang_equalCursors(root, w->vmas[i]))
			return;		/* fields_written */
	o = loc(w, c);
	json_object_set_new(o, "write", json_string(cursor_text(w->tu, lhs)));
	json_object_set_new(o, "effect", json_string("write"));
	json_array_append_new(jarray_of(w->an, "effects"), o);
}

static enum CXChildVisitResult label_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	if (clang_getCursorKind(c) == CXCursor_LabelStmt) {
		*(int *)d = 1;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

/*
 * "if (0) S" with no else: S never runs (a block kept for later, or
 * disabled), unless a label in it is a goto's target.
 */
static int dead_if(CXTranslationUnit tu, CXCursor c)
{
	CXCursor cond;
	char *t;
	int zero, label = 0;

	if (nchildren(c) != 2)
		return 0;
	clang_visitChildren(nth_child(c, 1), label_cb, &label);
	if (label)
		return 0;
	cond = strip(nth_child(c, 0));
	if (clang_getCursorKind(cond) != CXCursor_IntegerLiteral)
		return 0;
	t = cursor_text(tu, cond);
	zero = !strcmp(t, "0");
	free(t);
	return zero;
}

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData d)
{
	struct walk *w = d;
	enum CXCursorKind k = clang_getCursorKind(c);
	int saved_child;

	if (w->sp >= MAX_STACK)
		return CXChildVisit_Continue;
	w->stack[w->sp] = c;
	w->idx[w->sp] = w->child++;
	w->sp++;
	if (k == CXCursor_IfStmt && dead_if(w->tu, c)) {
		/* if (0) { ... }: code that never runs, and that the conversion removes */
		if (!w->depth)
			json_array_append_new(jarray_of(w->an, "dead_code"), loc(w, c));
		w->sp--;
		return CXChildVisit_Continue;
	} else if (k == CXCursor_DeclRefExpr && is_vma(w, c)) {
		vma_use(w, c);
	} else if (k == CXCursor_MemberRefExpr) {
		char *m = cxstr(clang_getCursorSpelling(c));

		if (!strcmp(m, "mmap")) {
			char *tbuf = NULL;
			const char *sname = struct_name_of(clang_getCursorType(
				clang_getCursorSemanticParent(clang_getCursorReferenced(c))), &tbuf);

			if (!strcmp(sname, "file_operations")) {
				json_t *o = loc(w, c);

				json_object_set_new(o, "call", json_string(xasprintf(
					"looks at %s", cursor_text(w->tu, c))));
				json_array_append_new(jarray_of(w->an, "stacked"), o);
			}
			free(tbuf);
		}
		free(m);
	} else if (k == CXCursor_CallExpr) {
		char *name = cxstr(clang_getCursorSpelling(c));

		if (!strcmp(name, "can_mmap_file")) {
			json_t *o = loc(w, c);

			json_object_set_new(o, "call", json_string("can_mmap_file() on another file"));
			json_array_append_new(jarray_of(w->an, "stacked"), o);
		}
		free(name);
		call(w, c);
	} else if (k == CXCursor_ReturnStmt && !w->depth) {
		json_t *o = loc(w, c);
		char *t = cursor_text(w->tu, c);

		json_object_set_new(o, "value", json_string(
			!strncmp(t, "return", 6) ? t + (t[6] == ' ' ? 7 : 6) : t));
		json_array_append_new(jarray_of(w->an, "returns"), o);
		free(t);
	} else if (k == CXCursor_CompoundAssignOperator || k == CXCursor_UnaryOperator) {
		write_effect(w, c);
	} else if (k == CXCursor_GotoStmt && !w->depth) {
		json_object_set_new(w->an, "gotos", json_integer(
			json_integer_value(json_object_get(w->an, "gotos")) + 1));
	} else if (k == CXCursor_VarDecl && nchildren(c) > 0) {
		/* size = vma->vm_end - vma->vm_start: what a remap's argument stands for */
		CXCursor init = nth_child(c, nchildren(c) - 1);

		if (clang_getCursorKind(init) != CXCursor_TypeRef &&
		    clang_getCursorKind(init) != CXCursor_StructDecl) {
			set_local(w, cxstr(clang_getCursorSpelling(c)), cursor_text(w->tu, init));
		}
	} else if (k == CXCursor_BinaryOperator) {
		write_effect(w, c);
		/* ret = -EAGAIN: an error code the handler may return */
		CXCursor rhs = strip(nth_child(c, 1));
		CXCursor lhs = strip(nth_child(c, 0));

		if (clang_getCursorKind(lhs) == CXCursor_DeclRefExpr) {
			char *op = binop(w->tu, c);

			if (!strcmp(op, "="))
				set_local(w, cxstr(clang_getCursorSpelling(lhs)), cursor_text(w->tu, rhs));
			free(op);
		}
		if (w->depth)
			goto children;

		if (clang_getCursorKind(rhs) == CXCursor_UnaryOperator) {
			char *t = cursor_text(w->tu, rhs);

			if (t[0] == '-' && t[1] == 'E')
				add_unique_str(jarray_of(w->an, "error_codes"), t);
			free(t);
		}
	}
children:
	saved_child = w->child;
	w->child = 0;
	clang_visitChildren(c, visit, w);
	w->child = saved_child;
	w->sp--;
	return CXChildVisit_Continue;
}

static void walk_function(struct walk *w, CXCursor def)
{
	w->sp = 0;
	w->child = 0;
	w->stack[w->sp] = def;
	w->idx[w->sp++] = 0;
	clang_visitChildren(def, visit, w);
}

/* Function definitions of the translation unit, by name (main file first). */
struct defs {
	CXCursor *c;
	int n, cap;
};

static enum CXChildVisitResult defs_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct defs *ds = d;
	enum CXCursorKind k = clang_getCursorKind(c);

	if ((k == CXCursor_FunctionDecl && clang_isCursorDefinition(c)) ||
	    (k == CXCursor_VarDecl && clang_Location_isFromMainFile(clang_getCursorLocation(c)))) {
		if (ds->n == ds->cap) {
			ds->cap = ds->cap ? 2 * ds->cap : 256;
			ds->c = xrealloc(ds->c, ds->cap * sizeof(*ds->c));
		}
		ds->c[ds->n++] = c;
	}
	return CXChildVisit_Continue;
}

static CXCursor find_def(struct defs *ds, const char *name, enum CXCursorKind kind)
{
	CXCursor found = clang_getNullCursor();
	int i;

	for (i = 0; i < ds->n; i++) {
		char *s;

		if (clang_getCursorKind(ds->c[i]) != kind)
			continue;
		s = cxstr(clang_getCursorSpelling(ds->c[i]));
		if (!strcmp(s, name)) {
			int main_file = clang_Location_isFromMainFile(
				clang_getCursorLocation(ds->c[i]));

			found = ds->c[i];
			free(s);
			if (main_file)
				break;
			continue;
		}
		free(s);
	}
	return found;
}

/* .close = fn in a vm_operations_struct initializer: what close undoes. */
struct close_walk {
	CXTranslationUnit tu;
	json_t *rel;
	json_t *calls;
};

static enum CXChildVisitResult close_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct close_walk *cw = d;

	if (clang_getCursorKind(c) == CXCursor_CallExpr) {
		char *name = cxstr(clang_getCursorSpelling(c));
		const char *kind = resource_released(name);

		if (kind) {
			json_t *o = json_object();
			char *k = clang_Cursor_getNumArguments(c) ?
				cursor_text(cw->tu, clang_Cursor_getArgument(c, 0)) : xstrdup("");

			json_object_set_new(o, "call", json_string(name));
			json_object_set_new(o, "kind", json_string(kind));
			json_object_set_new(o, "key", json_string(k));
			json_array_append_new(cw->rel, o);
			free(k);
		} else if (*name) {
			add_unique_str(cw->calls, name);
		}
		free(name);
	}
	return CXChildVisit_Recurse;
}

static void vm_ops_facts(CXTranslationUnit tu, struct defs *ds, json_t *an)
{
	json_t *w, *out = json_array();
	size_t i;

	json_array_foreach(json_object_get(an, "fields_written"), i, w) {
		const char *var = jstr(w, "ops_var");
		CXCursor v;
		CXToken *toks;
		unsigned int nt, t;
		json_t *o;

		if (!var)
			continue;
		v = find_def(ds, var, CXCursor_VarDecl);
		if (clang_Cursor_isNull(v))
			continue;
		o = json_object();
		json_object_set_new(o, "ops", json_string(var));
		clang_tokenize(tu, clang_getCursorExtent(v), &toks, &nt);
		for (t = 0; t + 3 < nt; t++) {
			char *a = cxstr(clang_getTokenSpelling(tu, toks[t]));
			char *b = cxstr(clang_getTokenSpelling(tu, toks[t + 1]));
			char *e = cxstr(clang_getTokenSpelling(tu, toks[t + 2]));

			if (!strcmp(a, ".") && !strcmp(e, "=")) {
				char *fn = cxstr(clang_getTokenSpelling(tu, toks[t + 3]));

				json_object_set_new(o, b, json_string(fn));
				if (!strcmp(b, "close")) {
					CXCursor cf = find_def(ds, fn, CXCursor_FunctionDecl);

					if (!clang_Cursor_isNull(cf)) {
						struct close_walk cw = { tu, json_array(), json_array() };

						clang_visitChildren(cf, close_cb, &cw);
						json_object_set_new(o, "close_releases", cw.rel);
						json_object_set_new(o, "close_calls", cw.calls);
					}
				}
				free(fn);
			}
			free(a);
			free(b);
			free(e);
		}
		clang_disposeTokens(tu, toks, nt);
		json_array_append_new(out, o);
	}
	if (json_array_size(out))
		json_object_set_new(an, "vm_ops", out);
	else
		json_decref(out);
}

/*
 * #if lines inside a handler that name an architecture (docs/hazards.md, H9), from
 * its text with whitespace collapsed (the '#' of a directive still starts
 * a word); text is the handler's source.
 */
void arch_branches_text(const char *text, json_t *an)
{
	static const char *const arches[] = {
		"CONFIG_X86", "CONFIG_PPC", "CONFIG_ARM", "CONFIG_ARM64", "CONFIG_MIPS",
		"CONFIG_SPARC", "CONFIG_S390", "CONFIG_RISCV", "CONFIG_IA64", "CONFIG_ALPHA",
		"CONFIG_PARISC", "CONFIG_SUPERH", "CONFIG_M68K", "CONFIG_LOONGARCH",
		"CONFIG_64BIT", "__i386__", "__x86_64__", "__powerpc__", "__powerpc64__",
		"__aarch64__", "__arm__", "__sparc__", "__mips__", "CONFIG_PPC64",
		"CONFIG_PPC_64K_PAGES", "CONFIG_ARCH_", NULL,
	};
	const char *p;
	json_t *a = json_array();

	for (p = text; (p = strchr(p, '#')); p++) {
		const char *const *x;
		const char *end = p + 1;

		while (*end && *end != '#' && strncmp(end, " {", 2) && strncmp(end, " return", 7))
			end++;
		for (x = arches; *x; x++) {
			const char *hit = strstr(p, *x);

			if (hit && hit < end) {
				add_unique_str(a, xasprintf("%.*s", (int)(end - p > 60 ? 60 : end - p),
							    p));
				break;
			}
		}
	}
	if (strstr(text, "IS_ENABLED(CONFIG_X86") || strstr(text, "IS_ENABLED(CONFIG_PPC") ||
	    strstr(text, "IS_ENABLED(CONFIG_ARM") || strstr(text, "IS_ENABLED(CONFIG_MIPS"))
		add_unique_str(a, "IS_ENABLED(CONFIG_<arch>) test");
	if (json_array_size(a))
		json_object_set_new(an, "arch_branches", a);
	else
		json_decref(a);
}

static void arch_branches(CXTranslationUnit tu, CXCursor def, json_t *an)
{
	char *text = cursor_text(tu, def);

	arch_branches_text(text, an);
	free(text);
}

/*
 * The VMA passed where the tree's prototype takes the descriptor (code
 * written for an older kernel): the mismatch the conversion removes, not
 * code libclang could not read.  The call is in the AST as written.
 */
static int api_mismatch(CXDiagnostic d)
{
	char *t = cxstr(clang_getDiagnosticSpelling(d));
	const char *a = strstr(t, "passing 'struct vm_area_struct *'");
	const char *b = a ? strstr(a, "to parameter of type") : NULL;
	int m = b && strstr(b, "struct vm_area_desc *");

	free(t);
	return m;
}

/* Errors in the TU (total) and inside def (returned; the first's words in *first). */
static int tu_errors_in(CXTranslationUnit tu, CXCursor def, int *total, char **first)
{
	unsigned int i, n = clang_getNumDiagnostics(tu);
	CXSourceRange r = clang_getCursorExtent(def);
	unsigned int a, b;
	CXFile fa;
	int in = 0;

	clang_getExpansionLocation(clang_getRangeStart(r), &fa, NULL, NULL, &a);
	clang_getExpansionLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &b);
	*total = 0;
	for (i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);
		CXFile f;
		unsigned int off;

		if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error && !api_mismatch(d)) {
			(*total)++;
			clang_getExpansionLocation(clang_getDiagnosticLocation(d), &f, NULL, NULL,
						   &off);
			if (f && fa && clang_File_isEqual(f, fa) && off >= a && off <= b &&
			    !in++ && first)
				*first = cxstr(clang_getDiagnosticSpelling(d));
		}
		clang_disposeDiagnostic(d);
	}
	return in;
}

void analyze_file(void *index, const char *tree, struct analyze_file *af, int syntax_only)
{
	char *path = xasprintf("%s/%s", tree, af->file);
	size_t nargs = json_array_size(af->args), i;
	const char **argv = xmalloc((nargs + 1) * sizeof(*argv));
	CXTranslationUnit tu = NULL;
	enum CXErrorCode err;
	struct defs ds = { 0 };
	json_t *r, *fx_cache = json_object();

	for (i = 0; i < nargs; i++)
		argv[i] = json_string_value(json_array_get(af->args, i));
	err = clang_parseTranslationUnit2(index, path, argv, nargs, NULL, 0,
					  CXTranslationUnit_KeepGoing, &tu);
	if (syntax_only || err != CXError_Success || !tu) {
		if (!syntax_only)
			json_array_foreach(af->records, i, r)
				json_object_set_new(r, "analysis_error", json_string(
					xasprintf("libclang could not parse %s (error %d)",
						  af->file, err)));
		goto out;
	}
	/*
	 * A header kbuild generates while it builds (selinux's flask.h) is
	 * missing from a build dir that was only prepared: say which, so
	 * that the caller can have kbuild make the object and parse again.
	 */
	for (i = 0; i < clang_getNumDiagnostics(tu); i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);
		CXString sp = clang_getDiagnosticSpelling(d);
		size_t k;

		if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error &&
		    strstr(clang_getCString(sp), "file not found"))
			json_array_foreach(af->records, k, r)
				json_object_set_new(r, "missing_include",
						    json_string(clang_getCString(sp)));
		clang_disposeString(sp);
		clang_disposeDiagnostic(d);
	}
	clang_visitChildren(clang_getTranslationUnitCursor(tu), defs_cb, &ds);
	json_array_foreach(af->records, i, r) {
		const char *fn = jstr(r, "function");
		CXCursor def = find_def(&ds, fn, CXCursor_FunctionDecl);
		struct walk w = { .tu = tu, .fn = fn };
		json_t *an;
		int p, np, total = 0, in;

		if (clang_Cursor_isNull(def)) {
			json_object_set_new(r, "analysis_error", json_string(xasprintf(
				"%s() is not defined in this configuration (x86_64 allmodconfig): code disabled by #if, or defined elsewhere",
				fn)));
			json_object_set_new(r, "not_in_config", json_true());
			continue;
		}
		an = json_object();
		w.an = an;
		w.visited = json_object();
		w.fx_cache = fx_cache;
		np = clang_Cursor_getNumArguments(def);
		for (p = 0; p < np; p++) {
			CXCursor pc = clang_Cursor_getArgument(def, p);
			char *ts = cxstr(clang_getTypeSpelling(clang_getCursorType(pc)));

			if (strstr(ts, "struct vm_area_struct") && w.nvma < MAX_VMAS) {
				w.vmas[w.nvma++] = pc;
				json_object_set_new(an, "vma_param",
					json_string(cxstr(clang_getCursorSpelling(pc))));
			} else if (!strcmp(ts, "struct file *") && !json_object_get(an, "file_param")) {
				char *name = cxstr(clang_getCursorSpelling(pc));

				json_object_set_new(an, "file_param", json_string(name));
				free(name);
			}
			free(ts);
		}
		if (!w.nvma) {
			json_object_set_new(r, "analysis_error", json_string(xasprintf(
				"%s() has no struct vm_area_struct * parameter", fn)));
			json_decref(an);
			json_decref(w.visited);
			continue;
		}
		{
			unsigned int line;

			cursor_offset(def, &line);
			json_object_set_new(an, "def_line", json_integer(line));
			clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(def)),
						  NULL, &line, NULL, NULL);
			json_object_set_new(an, "def_end", json_integer(line));
			json_object_set_new(an, "def_in_main_file", json_boolean(
				clang_Location_isFromMainFile(clang_getCursorLocation(def))));
			/* "static int f();" then "int f() {}": internal all the same */
			json_object_set_new(an, "static", json_boolean(
				clang_getCursorLinkage(def) == CXLinkage_Internal));
		}
		walk_function(&w, def);
		vm_ops_facts(tu, &ds, an);
		arch_branches(tu, def, an);
		in = tu_errors_in(tu, def, &total, NULL);
		json_object_set_new(an, "parse_errors", json_integer(total));
		json_object_set_new(an, "parse_errors_in_handler", json_integer(in));
		json_decref(w.visited);
		json_object_set_new(r, "analysis", an);
	}
out:
	json_decref(fx_cache);
	free(ds.c);
	if (tu)
		clang_disposeTranslationUnit(tu);
	free(argv);
	free(path);
}

/*
 * Summaries of functions, old and new alike (docs/equivalence.md): the
 * calls with their arguments as written, the assignments, the returns, the
 * locals' first values and the flag tests with their polarity.  convert
 * and check compare the old handler's summary with those of the functions
 * the conversion wrote.
 */
struct sum {
	CXTranslationUnit tu;
	json_t *s;
	json_t *seen;		/* macro calls recorded, by their text */
	json_t *conj;		/* flag tests recorded as part of a conjunction, by offset */
	CXCursor stack[MAX_STACK];
	int sp;
};

/* "(a, f(b, c), d)" -> ["a", "f(b, c)", "d"] */
static void split_args_text(const char *p, json_t *args)
{
	int depth = 0;
	const char *start = p + 1, *q;

	for (q = p; *q; q++) {
		if (*q == '(' || *q == '[' || *q == '{')
			depth++;
		else if (*q == ')' || *q == ']' || *q == '}')
			depth--;
		if ((*q == ',' && depth == 1) || (depth == 0 && *q == ')')) {
			const char *a = start, *b = q;

			while (a < b && *a == ' ')
				a++;
			while (b > a && b[-1] == ' ')
				b--;
			if (b > a)
				json_array_append_new(args, json_string(
					xasprintf("%.*s", (int)(b - a), a)));
			start = q + 1;
			if (!depth)
				break;
		}
	}
}

static void sum_add(json_t *s, const char *key, json_t *v)
{
	json_array_append_new(jarray_of(s, key), v);
}

/* A flag test's polarity: flipped by "!", "== 0" and "!= NONZERO" around it. */
static int negated(struct sum *u)
{
	int i, neg = 0;

	for (i = u->sp - 2; i >= 0; i--) {
		enum CXCursorKind k = clang_getCursorKind(u->stack[i]);

		if (k == CXCursor_UnaryOperator) {
			char *t = cursor_text(u->tu, u->stack[i]);

			neg ^= t[0] == '!';
			free(t);
		} else if (k == CXCursor_BinaryOperator) {
			char *op = binop(u->tu, u->stack[i]);
			char *r = cursor_text(u->tu, nth_child(u->stack[i], 1));
			int zero = !strcmp(r, "0");

			if (!strcmp(op, "=="))
				neg ^= zero;
			else if (!strcmp(op, "!="))
				neg ^= !zero;
			else if (strcmp(op, "&") && strcmp(op, "&&") && strcmp(op, "||")) {
				free(op);
				free(r);
				break;
			}
			free(op);
			free(r);
		} else if (!is_implicit(k)) {
			break;
		}
	}
	return neg;
}

/* The VM_ names in text, VMA_X_BIT read as VM_X, sorted, joined by "|". */
char *flag_names(const char *text)
{
	struct strlist l = { 0 };
	const char *p = text;
	char *out;
	int i;

	while (*p) {
		if ((p == text || (!isalnum((unsigned char)p[-1]) && p[-1] != '_')) &&
		    (!strncmp(p, "VM_", 3) || !strncmp(p, "VMA_", 4))) {
			const char *e = p;
			char *w;

			while (isalnum((unsigned char)*e) || *e == '_')
				e++;
			w = xasprintf("%.*s", (int)(e - p), p);
			if (!strncmp(w, "VMA_", 4) && str_ends_with(w, "_BIT")) {
				char *v = xasprintf("VM_%.*s", (int)(strlen(w) - 8), w + 4);

				free(w);
				w = v;
			}
			if (strcmp(w, "VM_NONE") && !strlist_has(&l, w))
				strlist_add(&l, w);
			free(w);
			p = e;
			continue;
		}
		p++;
	}
	for (i = 1; i < l.n; i++) {
		int j;

		for (j = i; j > 0 && strcmp(l.v[j - 1], l.v[j]) > 0; j--) {
			char *t = l.v[j];

			l.v[j] = l.v[j - 1];
			l.v[j - 1] = t;
		}
	}
	out = xstrdup("");
	for (i = 0; i < l.n; i++) {
		char *n = xasprintf("%s%s%s", out, i ? "|" : "", l.v[i]);

		free(out);
		out = n;
	}
	strlist_free(&l);
	return out;
}

/* An expression by its kind and extent (parentheses and implicit casts stripped). */
static const char *offset_key(CXCursor c)
{
	static char key[48];
	CXSourceRange r;
	CXFile f;
	unsigned int b, e, l, col;

	c = strip(c);
	r = clang_getCursorExtent(c);
	clang_getExpansionLocation(clang_getRangeStart(r), &f, &l, &col, &b);
	clang_getExpansionLocation(clang_getRangeEnd(r), &f, &l, &col, &e);
	/* the cursor's own hash too: in a macro every cursor has the expansion's extent */
	snprintf(key, sizeof(key), "%d:%u-%u:%u", (int)clang_getCursorKind(c), b, e,
		 clang_hashCursor(c));
	return key;
}

/*
 * One operand of a conjunction that is a flag test on its own: "FLAGS &
 * X" with vm_flags on one side, or vma_desc_test*(desc, X...): the text
 * holding its flags, or NULL.
 */
static char *conj_operand(struct sum *u, CXCursor c)
{
	char *t, *r = NULL;

	c = strip(c);
	t = cursor_text(u->tu, c);
	if (clang_getCursorKind(c) == CXCursor_BinaryOperator) {
		char *op = binop(u->tu, c);
		char *l = cursor_text(u->tu, nth_child(c, 0));
		char *rt = cursor_text(u->tu, nth_child(c, 1));

		if (!strcmp(op, "&") && (strstr(l, "vm_flags") || strstr(rt, "vm_flags")))
			r = xstrdup(strstr(l, "vm_flags") ? rt : l);
		free(op);
		free(l);
		free(rt);
	} else if ((!strncmp(t, "vma_desc_test(", 14) || !strncmp(t, "vma_desc_test_all(", 18)) &&
		   strchr(t, ',')) {
		r = xstrdup(strchr(t, ','));
	}
	free(t);
	/* "flags & (A | B)" tests any of them: only a test of one flag (or of all) joins */
	if (r && strncmp(r, ",", 1)) {
		char *f = flag_names(r);

		if (strchr(f, '|')) {
			free(r);
			r = NULL;
		}
		free(f);
	}
	return r;
}

/* The operands of a chain of && (through parentheses), in order, and its inner &&. */
static void conj_operands(struct sum *u, CXCursor c, CXCursor *ops, int *n, CXCursor *inner,
			  int *ni, int max)
{
	c = strip(c);
	if (clang_getCursorKind(c) == CXCursor_BinaryOperator) {
		char *op = binop(u->tu, c);
		int and = !strcmp(op, "&&");

		free(op);
		if (and) {
			if (*ni < max)
				inner[*ni] = c;
			(*ni)++;
			conj_operands(u, nth_child(c, 0), ops, n, inner, ni, max);
			conj_operands(u, nth_child(c, 1), ops, n, inner, ni, max);
			return;
		}
	}
	if (*n < max)
		ops[*n] = c;
	(*n)++;
}

static void flag_test(struct sum *u, CXCursor c, const char *flags_text, int all);

/*
 * "(flags & A) && (flags & B)" tests that every one of A and B is set, as
 * vma_desc_test_all(desc, A, B) does: one test of all of them, so that two
 * ways of writing it compare equal.  In a chain of && the flag tests among
 * its operands are that one test ("seq && (f & A) && (f & B)" is "seq &&
 * all of A, B"); they are not recorded alone, the other operands are.
 */
static void conjunction(struct sum *u, CXCursor c)
{
	CXCursor ops[16], inner[16];
	char *text = xstrdup(""), *t;
	int n = 0, ni = 0, nf = 0, i;

	conj_operands(u, c, ops, &n, inner, &ni, 16);
	if (n < 2 || n > 16 || ni > 16) {
		free(text);
		return;
	}
	for (i = 0; i < n; i++) {
		char *f = conj_operand(u, ops[i]);

		if (!f) {
			ops[i] = clang_getNullCursor();	/* another condition: tested on its own */
			continue;
		}
		t = xasprintf("%s|%s", text, f);
		free(text);
		free(f);
		text = t;
		nf++;
	}
	if (nf < 2) {
		free(text);
		return;
	}
	flag_test(u, c, text, 1);
	for (i = 0; i < n; i++)
		if (!clang_Cursor_isNull(ops[i]))
			json_object_set_new(u->conj, offset_key(ops[i]), json_true());
	for (i = 1; i < ni; i++)	/* inner[0] is c itself */
		json_object_set_new(u->conj, offset_key(inner[i]), json_true());
	free(text);
}

static void flag_test(struct sum *u, CXCursor c, const char *flags_text, int all)
{
	json_t *o = json_object();
	char *f = flag_names(flags_text);

	if (!*f) {
		free(f);
		json_decref(o);
		return;
	}
	if (json_object_get(u->conj, offset_key(c))) {
		free(f);
		json_decref(o);
		return;	/* recorded with the conjunction it is part of */
	}
	json_object_set_new(o, "flags", json_string(f));
	json_object_set_new(o, "negated", json_boolean(negated(u)));
	/* every one of the flags (vma_desc_test_all(), A && B), not any; one is both */
	if (all && strchr(f, '|'))
		json_object_set_new(o, "all", json_true());
	sum_add(u->s, "flag_tests", o);
	free(f);
}

static enum CXChildVisitResult sum_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct sum *u = d;
	enum CXCursorKind k = clang_getCursorKind(c);

	if (u->sp >= MAX_STACK)
		return CXChildVisit_Continue;
	if (k == CXCursor_IfStmt && dead_if(u->tu, c))
		return CXChildVisit_Continue;	/* never runs: not part of what it does */
	u->stack[u->sp++] = c;
	if (k == CXCursor_CallExpr) {
		char *name = cxstr(clang_getCursorSpelling(c)), *sp = ident_at(u->tu, c);
		int i, n = clang_Cursor_getNumArguments(c);
		json_t *o = json_object(), *args = json_array();
		unsigned int line, at = cursor_offset(c, &line);

		if (strcmp(sp, name) && isalpha((unsigned char)sp[0]) &&
		    clang_getCursorKind(strip(nth_child(c, 0))) == CXCursor_DeclRefExpr) {
			/*
			 * A macro (7.x's vma_desc_set_flags()): the call as written,
			 * once, its arguments split from its text.
			 */
			char *t = cursor_text(u->tu, c), *p = strchr(t, '(');

			if (json_object_get(u->seen, t) || !p) {
				free(t);
				free(sp);
				free(name);
				json_decref(o);
				json_decref(args);
				goto children;
			}
			json_object_set_new(u->seen, t, json_true());
			split_args_text(p, args);
			n = json_array_size(args);
			free(name);
			name = xstrdup(sp);
			free(t);
		} else {
			for (i = 0; i < n; i++)
				json_array_append_new(args, json_string(
					cursor_text(u->tu, clang_Cursor_getArgument(c, i))));
		}
		(void)at;
		free(sp);
		json_object_set_new(o, "callee", json_string(name));
		json_object_set_new(o, "args", args);
		json_object_set_new(o, "line", json_integer(line));
		sum_add(u->s, "calls", o);
		if (!strncmp(name, "vma_desc_test", 13) && n > 1) {
			char *t = cursor_text(u->tu, c);

			flag_test(u, c, strchr(t, ',') ? strchr(t, ',') : t,
				  !strncmp(name, "vma_desc_test_all", 17));
			free(t);
		}
		free(name);
	} else if (k == CXCursor_ReturnStmt) {
		char *t = cursor_text(u->tu, c);

		sum_add(u->s, "returns", json_string(!strncmp(t, "return", 6) ?
			t + (t[6] == ' ' ? 7 : 6) : t));
	} else if (k == CXCursor_BinaryOperator || k == CXCursor_CompoundAssignOperator) {
		char *op = binop(u->tu, c);
		char *l = cursor_text(u->tu, nth_child(c, 0));
		char *r = cursor_text(u->tu, nth_child(c, 1));

		if (k == CXCursor_CompoundAssignOperator || !strcmp(op, "=")) {
			json_t *o = json_object();

			json_object_set_new(o, "lhs", json_string(l));
			json_object_set_new(o, "op", json_string(op));
			json_object_set_new(o, "rhs", json_string(r));
			sum_add(u->s, "assigns", o);
		} else if (!strcmp(op, "&") && (strstr(l, "vm_flags") || strstr(r, "vm_flags"))) {
			flag_test(u, c, strstr(l, "vm_flags") ? r : l, 0);
		} else if (!strcmp(op, "&&") && !json_object_get(u->conj, offset_key(c))) {
			conjunction(u, c);
		}
		free(op);
		free(l);
		free(r);
	} else if (k == CXCursor_VarDecl && nchildren(c) > 0) {
		CXCursor init = nth_child(c, nchildren(c) - 1);
		enum CXCursorKind ik = clang_getCursorKind(init);

		if (ik != CXCursor_TypeRef && ik != CXCursor_StructDecl) {
			json_t *l = json_object_get(u->s, "locals");
			char *nm = cxstr(clang_getCursorSpelling(c));

			if (!l) {
				l = json_object();
				json_object_set_new(u->s, "locals", l);
			}
			if (!json_object_get(l, nm))
				json_object_set_new(l, nm, json_string(cursor_text(u->tu, init)));
			free(nm);
		}
	}
children:
	clang_visitChildren(c, sum_cb, u);
	u->sp--;
	return CXChildVisit_Continue;
}

json_t *summarize(void *index, const char *path, json_t *jargs, const struct strlist *fns)
{
	size_t nargs = json_array_size(jargs), i;
	const char **argv = xmalloc((nargs + 1) * sizeof(*argv));
	CXTranslationUnit tu = NULL;
	struct defs ds = { 0 };
	json_t *out = json_object();
	int f;

	for (i = 0; i < nargs; i++)
		argv[i] = json_string_value(json_array_get(jargs, i));
	if (clang_parseTranslationUnit2(index, path, argv, nargs, NULL, 0,
					CXTranslationUnit_KeepGoing, &tu) != CXError_Success || !tu) {
		free(argv);
		json_decref(out);
		return NULL;
	}
	clang_visitChildren(clang_getTranslationUnitCursor(tu), defs_cb, &ds);
	for (f = 0; f < fns->n; f++) {
		CXCursor def = find_def(&ds, fns->v[f], CXCursor_FunctionDecl);
		struct sum u = { .tu = tu, .s = json_object(), .seen = json_object(),
				 .conj = json_object() };
		int p, np;

		if (clang_Cursor_isNull(def)) {
			json_decref(u.s);
			continue;
		}
		np = clang_Cursor_getNumArguments(def);
		for (p = 0; p < np; p++)
			json_array_append_new(jarray_of(u.s, "params"), json_string(cxstr(
				clang_getCursorSpelling(clang_Cursor_getArgument(def, p)))));
		/* the text too: what does not parse (an API the headers lack) is read there */
		json_object_set_new(u.s, "text", json_string(cursor_text(tu, def)));
		{
			/* errors inside the function: its summary misses what they dropped */
			char *first = NULL;
			int total, nerr = tu_errors_in(tu, def, &total, &first);

			if (nerr) {
				json_object_set_new(u.s, "parse_errors", json_integer(nerr));
				json_object_set_new(u.s, "first_error", json_string(first));
			}
			free(first);
		}
		clang_visitChildren(def, sum_cb, &u);
		json_decref(u.seen);
		json_decref(u.conj);
		json_object_set_new(out, fns->v[f], u.s);
	}
	free(ds.c);
	clang_disposeTranslationUnit(tu);
	free(argv);
	return out;
}
