// SPDX-License-Identifier: GPL-2.0
/*
 * equiv.c - the equivalence verdict of a conversion (docs/equivalence.md).
 *
 * The old ->mmap ran once a new VMA had been allocated, and nothing after
 * it could fail.  The new prepare runs before the core tries to merge the
 * range into a neighbour and before it allocates the VMA (the rules of
 * docs/core-rules.md, read from the tree's mm/vma.c).  So each effect of
 * the old handler is placed where the conversion puts it (prepare, an
 * action, vm_ops->mapped, mmap_complete) and compared in three scenarios:
 * a new VMA, a mapping that merges, and a failure after prepare.  An
 * effect left in prepare runs in the last two where the old handler did
 * not run at all: that is a difference, stated, or, for something still
 * held when the handler succeeds, a leak (differs: not emitted).
 *
 * Everything here is read from the record: the analysis's effects, takes
 * and hazards, the state plan, the method and the behaviour changes the
 * semantic patch stated.  No words are made: series and report do that.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <clang-c/Index.h>

#include "mmapport.h"
#include "category.h"
#include "branches.h"
#include "analyzer/analyzer.h"

/* Effects that change nothing a mapping depends on, or are the mapping's own. */
static int harmless(const char *effect)
{
	return !strcmp(effect, "pure") || !strcmp(effect, "log") ||
	       !strcmp(effect, "vma-edit") || !strcmp(effect, "followed");
}

/*
 * Is take t moved out of prepare by the state plan (mainline:
 * vm_ops->mapped, rfc: mmap_complete)?
 */
static int moved(json_t *plan, json_t *e)
{
	json_t *t;
	size_t i;

	if (!plan || (strcmp(js(plan, "mode"), "mapped") && strcmp(js(plan, "mode"), "complete")))
		return 0;
	json_array_foreach(json_object_get(plan, "takes"), i, t)
		if (jint(t, "pos") == jint(e, "pos") && !strcmp(js(t, "in"), js(e, "in")))
			return 1;
	return 0;
}

/* The take of the analysis at the same place as effect e, or NULL. */
static json_t *take_at(json_t *an, json_t *e)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(an, "takes"), i, t)
		if (jint(t, "pos") == jint(e, "pos") && !strcmp(js(t, "in"), js(e, "in")))
			return t;
	return NULL;
}

/* Where the conversion puts effect e: prepare, action, mapped, complete or removed. */
static const char *placement(json_t *an, json_t *e, const char *method, json_t *plan,
			     long long mapping_at)
{
	if (!strcmp(js(e, "effect"), "mapping") || !strcmp(js(e, "effect"), "dma-mmap"))
		return !strcmp(method, "remap-complete") ? "complete" : "action";
	if (moved(plan, e))
		return js(plan, "mode");
	/* rfc: what follows the mapping call moves into mmap_complete with it */
	if (!strcmp(method, "remap-complete") && mapping_at >= 0 && jint(e, "offset") > mapping_at)
		return "complete";
	/*
	 * mainline: the call must end the handler, so what follows it is its
	 * failure path, which the remap rule removes and states (its
	 * behaviour changes): it runs nowhere now
	 */
	if (!strcmp(method, "remap-action") && mapping_at >= 0 && jint(e, "offset") > mapping_at)
		return "removed";
	return "prepare";
}

/*
 * rfc: a take kept by prepare that mmap_abort releases when the mapping
 * fails after prepare (the state plan's, or a lock held across a remap
 * that mmap_complete and mmap_abort release).
 */
static int undone_by_abort(int has_abort, json_t *plan, json_t *t)
{
	json_t *k;
	size_t i;

	if (!has_abort)
		return 0;
	if (plan && !strcmp(js(plan, "mode"), "abort")) {
		json_array_foreach(json_object_get(plan, "takes"), i, k)
			if (jint(k, "pos") == jint(t, "pos") && !strcmp(js(k, "in"), js(t, "in")))
				return 1;
		return 0;
	}
	return !strcmp(js(t, "kind"), "lock");
}

/* The rules of docs/core-rules.md the scenarios rest on. */
static const char *const relied_on[] = {
	"prepare-before-merge", "merge-before-allocation",
	"actions-after-allocation-new-vma-only", "old-mmap-after-allocations", NULL,
};

/* Is the returned value v the result of one of the handler's mapping calls? */
static int returns_mapping_call(json_t *an, const char *v)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(an, "effects"), i, e) {
		char *c = xasprintf("%s(", js(e, "call"));
		int hit = !strcmp(js(e, "effect"), "mapping") && !strncmp(v, c, strlen(c));

		free(c);
		if (hit)
			return 1;
	}
	return 0;
}

json_t *equivalence(json_t *r, const char *method, json_t *plan, int has_abort, json_t *core)
{
	json_t *succ = success_return(json_object_get(r, "analysis"));
	json_t *an = json_object_get(r, "analysis"), *hz = json_object_get(an, "hazards");
	json_t *out = json_object(), *effects = json_array(), *diffs = json_array(), *e;
	int mergeable = !json_is_false(json_object_get(hz, "mergeable")), leak = 0;
	long long mapping_at = -1;
	size_t i;

	json_array_foreach(json_object_get(an, "effects"), i, e)
		if (mapping_at < 0 && !strcmp(js(e, "effect"), "mapping"))
			mapping_at = jint(e, "offset");

	json_array_foreach(json_object_get(an, "effects"), i, e) {
		const char *eff = js(e, "effect");
		const char *where = placement(an, e, method, plan, mapping_at);
		json_t *x = json_object(), *t, *runs;

		json_object_set_new(x, "effect", json_string(eff));
		json_object_set(x, "what", json_object_get(e, jstr(e, "write") ? "write" : "call"));
		json_object_set(x, "line", json_object_get(e, "line"));
		json_object_set(x, "in", json_object_get(e, "in"));
		if (jstr(e, "why"))
			json_object_set(x, "why", json_object_get(e, "why"));
		if (jstr(e, "kind"))
			json_object_set(x, "kind", json_object_get(e, "kind"));
		json_object_set_new(x, "placement", json_string(where));
		json_array_append(effects, x);
		if (harmless(eff) || strcmp(where, "prepare")) {
			json_decref(x);
			continue;
		}
		/* in prepare: it also runs where the old handler never ran */
		runs = json_array();
		if (mergeable)
			json_array_append_new(runs, json_string("merged"));
		json_array_append_new(runs, json_string("failed"));
		json_object_set_new(x, "also_runs", runs);
		t = !strcmp(eff, "take") ? take_at(an, e) : NULL;
		if (t && succ && !json_is_true(json_object_get(t, "auto_release")) &&
		    resource_held_at(an, t, off(succ) + 1, 1)) {
			/* still held when the handler succeeds */
			json_object_set_new(x, "held", json_true());
			if (undone_by_abort(has_abort, plan, t))
				json_object_set_new(x, "undone_by", json_string("abort"));
			else
				leak = 1;
		} else if (t) {
			json_object_set_new(x, "released", json_true());
		}
		json_array_append_new(diffs, x);
	}
	/*
	 * A mapping that may merge: the old ->mmap never ran then, and its
	 * error returns, now in prepare, can fail an mmap that merged.
	 */
	if (mergeable) {
		struct strlist vals = { 0 };
		long long first = 0;

		json_array_foreach(json_object_get(an, "returns"), i, e) {
			const char *v = js(e, "value");

			/* a returned call may fail too (default deny); the mapping call's own is the action's */
			if (!strcmp(v, "0") || returns_mapping_call(an, v) ||
			    (mapping_at >= 0 && jint(e, "offset") > mapping_at) ||
			    strcmp(js(e, "in"), js(r, "function")))
				continue;
			if (!first)
				first = jint(e, "line");
			strlist_add_once(&vals, v);
		}
		if (vals.n) {
			json_t *x = json_object();
			char *w = strlist_join(&vals, ", ");

			json_object_set_new(x, "effect", json_string("fails"));
			json_object_set_new(x, "what", json_string(w));
			json_object_set_new(x, "line", json_integer(first));
			json_object_set(x, "in", json_object_get(r, "function"));
			json_object_set_new(x, "placement", json_string("prepare"));
			json_object_set_new(x, "also_runs", json_pack("[s]", "merged"));
			json_array_append_new(diffs, x);
			free(w);
		}
		strlist_free(&vals);
	}
	/*
	 * an action that fails: what a MAP_FIXED mapping replaced is gone,
	 * where a failed ->mmap found it still there (unless the core clears
	 * it before ->mmap too: then both leave the same hole)
	 */
	if (mapping_at >= 0 && core_rule(core, "actions-after-replaced-unmapped") &&
	    !core_rule(core, "replaced-cleared-before-mmap"))
		json_array_foreach(effects, i, e)
			if (!strcmp(js(e, "effect"), "mapping") &&
			    (!strcmp(js(e, "placement"), "action") ||
			     !strcmp(js(e, "placement"), "complete"))) {
				json_t *x = json_deep_copy(e);

				json_object_set_new(x, "effect", json_string("action-fails"));
				json_array_append_new(diffs, x);
				break;
			}
	/* a core that orders the path otherwise: say which rule, the scenarios may not hold */
	for (i = 0; relied_on[i]; i++)
		if (!core_rule(core, relied_on[i])) {
			json_t *x = json_object();

			json_object_set_new(x, "effect", json_string("core-rule"));
			json_object_set_new(x, "what", json_string(relied_on[i]));
			json_array_append_new(diffs, x);
		}
	json_object_set_new(out, "effects", effects);
	json_object_set_new(out, "differences", diffs);
	json_object_set_new(out, "merged", mergeable ? json_string("possible") :
			    json_incref(json_object_get(hz, "nomerge_by")));
	json_object_set_new(out, "verdict", json_string(
		leak ? "differs" : json_array_size(diffs) ? "stated" : "exact"));
	return out;
}

/*
 * The comparison of the code itself: the old handler's summary against
 * those of the functions the conversion wrote (analyze.c's summarize()),
 * mapped through the field table of docs/hazards.md.  What the old handler
 * set, cleared and tested in the flags, the error codes it returned, the
 * fields it assigned and the arguments of its mapping calls must come out
 * the same; where each of its other calls went decides its placement.
 */

/* s with every whole-word from replaced by to (from may hold "->"). */
static char *replace_word(const char *s, const char *from, const char *to)
{
	size_t n = strlen(from);
	char *out = xstrdup(""), *o;
	const char *p = s, *q;

	while ((q = strstr(p, from))) {
		int ok = (q == s || !(isalnum((unsigned char)q[-1]) || q[-1] == '_' ||
				      (q[-1] == '>' && q > s + 1 && q[-2] == '-') || q[-1] == '.')) &&
			 !(isalnum((unsigned char)q[n]) || q[n] == '_');

		o = xasprintf("%s%.*s%s", out, (int)(q - p), p, ok ? to : from);
		free(out);
		out = o;
		p = q + n;
	}
	o = xasprintf("%s%s", out, p);
	free(out);
	return o;
}

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/*
 * s in one spacing, in place, so that two texts compare as code: a space
 * only between two words ("unsigned long") and after a comma, none
 * elsewhere; what a commit message quotes is still C to read.
 */
static char *squeeze(char *s)
{
	char *r = s, *w = s;

	for (; *r; r++) {
		if (isspace((unsigned char)*r)) {
			while (isspace((unsigned char)r[1]))
				r++;
			if (w > s && word_char(w[-1]) && word_char(r[1]))
				*w++ = ' ';
			continue;
		}
		*w++ = *r;
		if (*r == ',' && r[1])
			*w++ = ' ';
	}
	*w = '\0';
	return s;
}

/* A text of the old handler in the descriptor's terms (docs/hazards.md, the field table). */
static char *to_desc(const char *text, const char *vma, const char *filep)
{
	static const char *const map[][2] = {
		{ "%s->vm_end - %s->vm_start", "vma_desc_size(desc)" },
		{ "vma_pages(%s)", "vma_desc_pages(desc)" },
		{ "%s->vm_start", "desc->start" }, { "%s->vm_end", "desc->end" },
		{ "%s->vm_pgoff", "desc->pgoff" }, { "%s->vm_page_prot", "desc->page_prot" },
		{ "%s->vm_private_data", "desc->private_data" }, { "%s->vm_ops", "desc->vm_ops" },
		{ "%s->vm_file", "desc->file" }, { "%s->vm_mm", "desc->mm" },
		{ "%s->vm_flags", "desc->vm_flags" },
	};
	char *s = xstrdup(text), *t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		char *from = xasprintf(map[i][0], vma, vma);

		t = strstr(s, from) ? replace_word(s, from, map[i][1]) : xstrdup(s);
		free(s);
		free(from);
		s = t;
	}
	if (filep && *filep) {
		t = replace_word(s, filep, "desc->file");
		free(s);
		s = t;
	}
	t = replace_word(s, "desc->vm_file", "desc->file");
	free(s);
	return squeeze(t);
}

/* A mapping argument without the casts mmap_context needs. */
static char *uncast(const char *text)
{
	char *s = xstrdup(text), *t;
	static const char *const casts[] = { "(void*)", "(unsigned long)", "(const void*)", NULL };
	int i, again = 1;

	squeeze(s);
	while (again) {
		again = 0;
		for (i = 0; casts[i]; i++) {
			t = strstr(s, casts[i]);
			if (t) {
				memmove(t, t + strlen(casts[i]), strlen(t + strlen(casts[i])) + 1);
				again = 1;
			}
		}
	}
	squeeze(s);
	while (s[0] == '(' && s[strlen(s) - 1] == ')') {
		int depth = 0, whole = 1;
		size_t k, n = strlen(s);

		for (k = 0; k < n; k++) {
			depth += s[k] == '(';
			depth -= s[k] == ')';
			if (!depth && k < n - 1)
				whole = 0;
		}
		if (!whole)
			break;
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	return s;
}

static void add_diff(json_t *diffs, const char *what, const char *old, const char *new_,
		     int fatal)
{
	json_t *x = json_object();

	json_object_set_new(x, "effect", json_string("code"));
	json_object_set_new(x, "what", json_string(what));
	json_object_set_new(x, "old", json_string(old));
	json_object_set_new(x, "new", json_string(new_));
	if (fatal)
		json_object_set_new(x, "fatal", json_true());
	json_array_append_new(diffs, x);
}

/* Sorted "|"-joined multiset of strings. */
static char *multiset(struct strlist *l)
{
	char *out = xstrdup(""), *n;
	int i, j;

	for (i = 1; i < l->n; i++)
		for (j = i; j > 0 && strcmp(l->v[j - 1], l->v[j]) > 0; j--) {
			char *t = l->v[j];

			l->v[j] = l->v[j - 1];
			l->v[j - 1] = t;
		}
	for (i = 0; i < l->n; i++) {
		n = xasprintf("%s%s%s", out, i ? " " : "", l->v[i]);
		free(out);
		out = n;
	}
	return out;
}

/* The "-E..." codes in text, into l. */
static void error_codes(const char *text, struct strlist *l)
{
	const char *p = text;

	while ((p = strstr(p, "-E"))) {
		const char *e = p + 2;

		while (isupper((unsigned char)*e) || isdigit((unsigned char)*e))
			e++;
		if (e - p > 2)
			strlist_addf(l, "%.*s", (int)(e - p), p);
		p = e;
	}
}

/* An argument, with a local that stands for a value replaced by the value. */
static char *resolved(json_t *sum, const char *arg)
{
	const char *v = jstr(json_object_get(sum, "locals"), arg);
	json_t *a;
	size_t i;
	int n = 0;

	/* or the one value it is assigned ("size = vma->vm_end - vma->vm_start;") */
	json_array_foreach(json_object_get(sum, "assigns"), i, a)
		if (!strcmp(js(a, "lhs"), arg) && !strcmp(js(a, "op"), "=") && !n++)
			v = v ? v : js(a, "rhs");
	return xstrdup(v && n <= 1 ? v : arg);
}

struct mapping_call {
	char *addr, *pfn, *size;	/* in the descriptor's terms; NULL: whole VMA */
};

/* What one side (the old handler, or the new functions) does, as compared. */
struct effect_sets {
	struct strlist set, clear, tests, errs, fields;	/* flags set, cleared, tested ... */
	struct mapping_call m[8];
	int nm;
};

static void effect_sets_free(struct effect_sets *e)
{
	int i;

	strlist_free(&e->set);
	strlist_free(&e->clear);
	strlist_free(&e->tests);
	strlist_free(&e->errs);
	strlist_free(&e->fields);
	for (i = 0; i < ARRAY_SIZE(e->m); i++) {
		free(e->m[i].addr);
		free(e->m[i].pfn);
		free(e->m[i].size);
	}
}

/* Each flag of "VM_A|VM_B" into l, once. */
static void add_flags(struct strlist *l, const char *fl)
{
	char *t = xstrdup(fl), *w, *save;

	for (w = strtok_r(t, "|", &save); w; w = strtok_r(NULL, "|", &save))
		if (!strlist_has(l, w))
			strlist_add(l, w);
	free(t);
}

static void summary_facts(json_t *s, int old, const char *vma, const char *filep,
			  json_t *ctx_sum, struct strlist *set, struct strlist *clear,
			  struct strlist *tests, struct strlist *errs, struct strlist *fields,
			  struct mapping_call *maps, int *nmaps)
{
	json_t *c, *a;
	size_t i, k;

	json_array_foreach(json_object_get(s, "calls"), i, c) {
		const char *f = js(c, "callee");
		json_t *args = json_object_get(c, "args");
		size_t n = json_array_size(args);
		struct strlist *into = NULL;

		if (!strcmp(f, "vm_flags_set") || !strcmp(f, "vma_desc_set_flags"))
			into = set;
		else if (!strcmp(f, "vm_flags_clear") || !strcmp(f, "vma_desc_clear_flags"))
			into = clear;
		if (into) {
			for (k = 1; k < n; k++) {
				char *fl = flag_names(json_string_value(json_array_get(args, k)));

				add_flags(into, fl);
				free(fl);
			}
		} else if (!strcmp(f, "vm_flags_mod") && n == 3) {
			char *s1 = flag_names(json_string_value(json_array_get(args, 1)));
			char *s2 = flag_names(json_string_value(json_array_get(args, 2)));

			add_flags(set, s1);
			add_flags(clear, s2);
			free(s1);
			free(s2);
		}
		/* the mapping calls, by role */
		if (*nmaps < 8 && (((!strcmp(f, "remap_pfn_range") ||
				     !strcmp(f, "io_remap_pfn_range")) && n == 5) ||
				   (!old && (!strcmp(f, "mmap_action_remap") ||
					     !strcmp(f, "mmap_action_ioremap")) && n == 4) ||
				   (!old && (!strcmp(f, "remap_pfn_range_complete") ||
					     !strcmp(f, "io_remap_pfn_range_complete")) && n == 5))) {
			struct mapping_call *m = &maps[(*nmaps)++];
			char *ad = resolved(s, json_string_value(json_array_get(args, 1)));
			char *pf = resolved(s, json_string_value(json_array_get(args, 2)));
			char *sz = resolved(s, json_string_value(json_array_get(args, 3)));

			/* rfc: the PFN reaches complete through desc->mmap_context */
			if (strstr(pf, "context") && ctx_sum) {
				const char *t = strstr(js(ctx_sum, "text"), "mmap_context = ");

				json_array_foreach(json_object_get(ctx_sum, "assigns"), k, a)
					if (strstr(js(a, "lhs"), "mmap_context")) {
						free(pf);
						pf = xstrdup(js(a, "rhs"));
						t = NULL;
					}
				/* headers without the rfc API: the assignment as written */
				if (t) {
					const char *e = strchr(t, ';');

					free(pf);
					pf = xasprintf("%.*s", e ? (int)(e - t - 15) : 0, t + 15);
				}
			}
			m->addr = to_desc(ad, vma, filep);
			m->pfn = to_desc(pf, vma, filep);
			m->size = to_desc(sz, vma, filep);
			{
				char *u = uncast(m->pfn);

				free(m->pfn);
				m->pfn = u;
			}
			free(ad);
			free(pf);
			free(sz);
		} else if (*nmaps < 8 && !old && (!strcmp(f, "mmap_action_remap_full") ||
						  !strcmp(f, "mmap_action_ioremap_full")) && n == 2) {
			struct mapping_call *m = &maps[(*nmaps)++];
			char *pf = resolved(s, json_string_value(json_array_get(args, 1)));

			m->addr = xstrdup("desc->start");
			m->size = xstrdup("vma_desc_size(desc)");
			m->pfn = to_desc(pf, vma, filep);
			free(pf);
		}
	}
	json_array_foreach(json_object_get(s, "flag_tests"), i, c)
		strlist_addf(tests, "%s%s", json_is_true(json_object_get(c, "negated")) ? "!" : "",
			     js(c, "flags"));
	json_array_foreach(json_object_get(s, "returns"), i, c)
		error_codes(json_string_value(c), errs);
	json_array_foreach(json_object_get(s, "assigns"), i, a) {
		char *l = to_desc(js(a, "lhs"), vma, filep);

		error_codes(js(a, "rhs"), errs);
		/* the fields the descriptor carries */
		if (!strncmp(l, "desc->", 6) && !strstr(l, "mmap_context") &&
		    strncmp(l, "desc->action.", 13) && strcmp(l, "desc->vm_flags")) {
			char *r = to_desc(js(a, "rhs"), vma, filep);

			if (!strcmp(l, "desc->file") && old)	/* vma->vm_file = f: the mutable one */
				strlist_addf(fields, "desc->vm_file%s%s", js(a, "op"), r);
			else
				strlist_addf(fields, "%s%s%s", !strcmp(l, "desc->file") ?
					     "desc->vm_file" : l, js(a, "op"), r);
			free(r);
		}
		if (!strcmp(l, "desc->vm_flags")) {
			char *fl = flag_names(js(a, "rhs"));

			add_flags(strchr(js(a, "rhs"), '~') ? clear : set, fl);
			free(fl);
		}
		free(l);
	}
}

static void compare_sets(json_t *diffs, const char *what, struct strlist *o,
			 struct strlist *n, int fatal)
{
	char *a = multiset(o), *b = multiset(n);

	if (strcmp(a, b))
		add_diff(diffs, what, a, b, fatal);
	free(a);
	free(b);
}

/* Is there a call "fn(" in text, fn a whole word? */
static int calls_in_text(const char *text, const char *fn)
{
	size_t n = strlen(fn);
	const char *p;

	for (p = text; (p = strstr(p, fn)); p += n)
		if ((p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) && p[n] == '(')
			return 1;
	return 0;
}

/* Does prepare ask for the mapping itself (an action, a *_prepare form)? */
static int prepare_maps(json_t *prep)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(prep, "calls"), i, c)
		if (!strncmp(js(c, "callee"), "mmap_action_", 12) ||
		    str_ends_with(js(c, "callee"), "remap_pfn_range_prepare"))
			return 1;
	return 0;
}

/* Did the old handler return a mapping call's value (its codes unseen)? */
static int returns_mapping(json_t *an)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(an, "remaps"), i, x)
		if (!strcmp(js(x, "result"), "returned") || !strncmp(js(x, "result"), "assigned", 8))
			return 1;
	json_array_foreach(json_object_get(an, "inserts"), i, x)
		if (!strcmp(js(x, "result"), "returned") || !strncmp(js(x, "result"), "assigned", 8))
			return 1;
	return 0;
}

/*
 * Compare record r's old handler (summary old_sum) with what the
 * conversion wrote (new_sums: function name -> summary); add the
 * differences, the placement of each effect, and correct the verdict.
 */
/*
 * The static functions of the handler's file it passes its VMA to that
 * classify found to change with it (analysis.followed[].with_handler): a
 * converted handler's helpers, converted with it (mmap_prepare_simple.cocci
 * converts a handler only with them).
 */
static void static_helpers(json_t *r, struct strlist *out)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(r, "analysis"), "followed"), i, x)
		if (json_is_true(json_object_get(x, "with_handler")))
			strlist_add_once(out, js(x, "fn"));
}

/* A function the conversion wrote (or a helper of it) calls helper with desc. */
static int passes_desc(json_t *r, json_t *new_sums, const char *helper)
{
	json_t *s, *c;
	const char *k;
	size_t i, a;

	(void)r;
	json_object_foreach(new_sums, k, s) {
		if (!strcmp(k, helper))
			continue;
		json_array_foreach(json_object_get(s, "calls"), i, c) {
			if (strcmp(js(c, "callee"), helper))
				continue;
			for (a = 0; a < json_array_size(json_object_get(c, "args")); a++)
				if (!strcmp(json_string_value(json_array_get(
					json_object_get(c, "args"), a)), "desc"))
					return 1;
		}
	}
	return 0;
}

/*
 * The old and new summaries of r's helpers into the sets compared: the
 * old one's VMA parameter is where the new one has desc.  A helper not
 * found in either, or not taking desc, is a difference.
 */
static void helper_facts(json_t *r, json_t *old_sums, json_t *new_sums, json_t *diffs,
			 struct effect_sets *o, struct effect_sets *n)
{
	struct strlist hs = { 0 };
	int h;

	static_helpers(r, &hs);
	for (h = 0; h < hs.n; h++) {
		json_t *os = json_object_get(old_sums, hs.v[h]);
		json_t *ns = json_object_get(new_sums, hs.v[h]);
		json_t *op = json_object_get(os, "params"), *np = json_object_get(ns, "params");
		const char *ov = NULL;
		size_t k;

		for (k = 0; k < json_array_size(np); k++)
			if (!strcmp(json_string_value(json_array_get(np, k)), "desc"))
				ov = json_string_value(json_array_get(op, k));
		if (!os || !ns || !ov) {
			add_diff(diffs, "helper", hs.v[h], !os || !ns ? "not found" :
				 "no desc parameter", 1);
			continue;
		}
		if (!passes_desc(r, new_sums, hs.v[h])) {
			add_diff(diffs, "helper", hs.v[h], "not called with desc", 1);
			continue;
		}
		if (jint(os, "parse_errors") || jint(ns, "parse_errors")) {
			/* what an error dropped is missing from its summary */
			add_diff(diffs, "helper", hs.v[h], "libclang did not parse all of it", 1);
			continue;
		}
		summary_facts(os, 1, ov, NULL, NULL, &o->set, &o->clear, &o->tests, &o->errs,
			      &o->fields, o->m, &o->nm);
		summary_facts(ns, 0, "vma", NULL, NULL, &n->set, &n->clear, &n->tests, &n->errs,
			      &n->fields, n->m, &n->nm);
	}
	strlist_free(&hs);
}

/* The new functions of a conversion by role: prepare, complete, mapped, abort. */
static const char *const code_roles[][2] = {
	{ "new_function", "prepare" }, { "complete_function", "complete" },
	{ "mapped_function", "mapped" }, { "abort_function", "abort" },
};

/*
 * The old handler's effects (old_sum, and its helpers from old_sums) into
 * o, the new functions' (new_sums) into n.  Returns whether a new
 * function makes a mapping call as the old handler made it.
 */
static int code_sets(json_t *r, json_t *old_sum, json_t *new_sums, json_t *old_sums,
		     json_t *diffs, struct effect_sets *o, struct effect_sets *n)
{
	json_t *conv = json_object_get(r, "conversion"), *e;
	json_t *prep = json_object_get(new_sums, js(conv, "new_function"));
	const char *vma = js(json_object_get(r, "analysis"), "vma_param"), *filep = NULL;
	int i, plain = 0;
	size_t k;

	json_array_foreach(json_object_get(old_sum, "params"), k, e)
		if (strcmp(json_string_value(e), vma))
			filep = json_string_value(e);	/* the struct file * one */
	summary_facts(old_sum, 1, vma, filep, NULL, &o->set, &o->clear, &o->tests, &o->errs,
		      &o->fields, o->m, &o->nm);
	/* a mapping call's own checks the rule wrote in prepare: their codes too */
	json_array_foreach(json_object_get(conv, "kept_errors"), k, e)
		strlist_add(&o->errs, json_string_value(e));
	for (i = 0; i < ARRAY_SIZE(code_roles); i++) {
		json_t *sm = json_object_get(new_sums, js(conv, code_roles[i][0]));
		const char *cv = "vma";

		if (!jstr(conv, code_roles[i][0]) || !sm)
			continue;
		/* complete gets the VMA: its texts go through the same table */
		if (json_array_size(json_object_get(sm, "params")) > 1)
			cv = json_string_value(json_array_get(json_object_get(sm, "params"), 1));
		summary_facts(sm, 0, cv, NULL, prep, &n->set, &n->clear, &n->tests, &n->errs,
			      &n->fields, n->m, &n->nm);
	}
	if (old_sums)
		helper_facts(r, old_sums, new_sums, diffs, o, n);
	/* mapping calls as the old handler made them, now after prepare */
	for (i = 0; i < ARRAY_SIZE(code_roles); i++) {
		json_t *sm = json_object_get(new_sums, js(conv, code_roles[i][0])), *c;

		json_array_foreach(json_object_get(sm, "calls"), k, c)
			if (str_in_list(js(c, "callee"), calls_remap) ||
			    str_in_list(js(c, "callee"), calls_insert))
				plain = 1;
	}
	return plain;
}

/*
 * Every error code of the old handler must be returned by the new code.
 * More are a stated difference when the old handler returned a mapping
 * call's value, whose own codes its text does not show (vm_map_pages()'s
 * -ENXIO, checked in prepare now).
 */
static void compare_errors(json_t *diffs, json_t *an, struct effect_sets *o,
			   struct effect_sets *n)
{
	struct strlist left = { 0 };
	int i, j, missing = 0;

	for (i = 0; i < n->errs.n; i++)
		strlist_add(&left, n->errs.v[i]);
	for (i = 0; i < o->errs.n; i++) {
		for (j = 0; j < left.n && strcmp(left.v[j], o->errs.v[i]); j++)
			;
		if (j == left.n) {
			missing = 1;
			continue;
		}
		free(left.v[j]);
		left.v[j] = left.v[--left.n];
	}
	if (missing || left.n > 0)
		compare_sets(diffs, "error codes", &o->errs, &n->errs,
			     missing || !returns_mapping(an));
	strlist_free(&left);
}

/*
 * Hazard 3: a protection the old handler gave the remap only; rfc has no
 * protection of the remap's own, so prepare sets the VMA's (the semantic
 * patch states it): a difference, not a wrong one, taken out of n's fields.
 */
static void compare_prot(json_t *diffs, json_t *an, struct effect_sets *o,
			 struct effect_sets *n)
{
	const char *po = jstr(json_object_get(an, "hazards"), "prot_only_for_remap");
	char *pp = po ? xasprintf("desc->page_prot=%s", po) : NULL;
	int i;

	if (pp)
		squeeze(pp);
	for (i = 0; pp && i < n->fields.n; i++)
		if (!strcmp(n->fields.v[i], pp) && !strlist_has(&o->fields, pp)) {
			add_diff(diffs, "page protection", "", pp, 0);
			free(n->fields.v[i]);
			n->fields.v[i] = n->fields.v[--n->fields.n];
			break;
		}
	free(pp);
}

/*
 * Flags set: the new code may add only what the old mapping call set on
 * the VMA itself (implied); a mapping call moved whole after prepare
 * (plain: rfc's mmap_complete), with no prepare form or action to set its
 * flags, needs prepare to set them, or the new VMA merges and lacks them
 * until then.  Returns 1 when they differ (a difference added).
 */
static int compare_flags_set(json_t *diffs, struct effect_sets *o,
			     struct effect_sets *n, const struct strlist *implied,
			     int plain, json_t *prep)
{
	char *a = multiset(&o->set), *b = multiset(&n->set);
	int i, fatal = 0;

	for (i = 0; i < n->set.n; i++)
		if (!strlist_has(&o->set, n->set.v[i]) && !strlist_has(implied, n->set.v[i]))
			fatal = 1;
	for (i = 0; i < o->set.n; i++)
		if (!strlist_has(&n->set, o->set.v[i]))
			fatal = 1;
	if (plain && !prepare_maps(prep))
		for (i = 0; i < implied->n; i++)
			if (!strlist_has(&n->set, implied->v[i]))
				fatal = 1;
	if (fatal)
		add_diff(diffs, "flags set", a, b, 1);
	free(a);
	free(b);
	return fatal;
}

/* The mapping calls, one by one: how many, their PFN, address and size. */
static void compare_mappings(json_t *diffs, json_t *an, const struct effect_sets *o,
			     const struct effect_sets *n)
{
	int i;

	if (o->nm != n->nm) {
		char *a = xasprintf("%d", o->nm), *b = xasprintf("%d", n->nm);

		add_diff(diffs, "mapping calls", a, b, 1);
		free(a);
		free(b);
	}
	for (i = 0; i < o->nm && i < n->nm; i++) {
		if (strcmp(o->m[i].pfn, n->m[i].pfn))
			add_diff(diffs, "mapping pfn", o->m[i].pfn, n->m[i].pfn, 1);
		if (strcmp(o->m[i].addr, n->m[i].addr))
			add_diff(diffs, "mapping address", o->m[i].addr, n->m[i].addr, 1);
		/* a range clamped to the VMA (docs/hazards.md, H4) is a stated change */
		if (strcmp(o->m[i].size, n->m[i].size))
			add_diff(diffs, "mapping size", o->m[i].size, n->m[i].size,
				 json_is_true(json_object_get(json_array_get(
					json_object_get(an, "remaps"), i), "whole_range")));
	}
}

/* Where each call of the old handler went, by the new code (placement_from_code). */
static void code_placements(json_t *r, json_t *eq, json_t *diffs, json_t *new_sums)
{
	json_t *conv = json_object_get(r, "conversion"), *e;
	size_t k;
	int i;

	json_array_foreach(json_object_get(eq, "effects"), k, e) {
		const char *what = js(e, "what"), *found = NULL;
		json_t *c;
		size_t m;

		if (!strcmp(js(e, "effect"), "write") || strcmp(js(e, "in"), js(r, "function")))
			continue;
		for (i = 0; i < ARRAY_SIZE(code_roles) && !found; i++) {
			json_t *s = json_object_get(new_sums, js(conv, code_roles[i][0]));

			json_array_foreach(json_object_get(s, "calls"), m, c)
				if (!strcmp(js(c, "callee"), what))
					found = code_roles[i][1];
			/* a call that does not parse there (a name it lacks) is in its text */
			if (!found && s && calls_in_text(js(s, "text"), what))
				found = code_roles[i][1];
		}
		if (!found || !strcmp(found, js(e, "placement")))
			continue;
		json_object_set_new(e, "placement_from_code", json_string(found));
		if (!strcmp(js(e, "effect"), "take") && !strcmp(found, "prepare") &&
		    !strcmp(js(e, "placement"), "mapped"))
			add_diff(diffs, "a take moved to vm_ops->mapped is made in prepare",
				 what, found, 1);
		if (!strcmp(js(e, "effect"), "take") && !strcmp(found, "prepare") &&
		    !strcmp(js(e, "placement"), "complete"))
			add_diff(diffs, "a take moved to mmap_complete is made in prepare",
				 what, found, 1);
		/* the code put it after prepare: no longer a difference of prepare's */
		if (!strcmp(js(e, "placement"), "prepare") && strcmp(found, "prepare")) {
			json_t *d;
			size_t m2;

			json_array_foreach(diffs, m2, d)
				if (!strcmp(js(d, "what"), what) &&
				    jint(d, "line") == jint(e, "line") &&
				    json_object_get(d, "also_runs")) {
					json_array_remove(diffs, m2);
					break;
				}
			json_object_set_new(e, "placement", json_string(found));
		}
	}
}

/* Does the summarised function sum call fn (in its calls, or in its text)? */
static int called_in(json_t *sum, const char *fn)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(sum, "calls"), i, c)
		if (!strcmp(js(c, "callee"), fn))
			return 1;
	return sum && jstr(sum, "text") && calls_in_text(js(sum, "text"), fn);
}

/*
 * What the analysis' entry in list (takes, releases) behind effect e holds:
 * its key_path, or for an allocation the local its result is assigned to.
 */
static const char *key_of(json_t *an, const char *list, json_t *e)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(an, list), i, t)
		if (jint(t, "line") == jint(e, "line") && !strcmp(js(t, "call"), js(e, "what")) &&
		    !strcmp(js(t, "in"), js(e, "in")))
			return jstr(t, "key_path") ? jstr(t, "key_path") : jstr(t, "result");
	return NULL;
}

/*
 * rfc: what prepare keeps past its return for the hooks after it (a take
 * that mmap_abort undoes, a lock whose release moved to mmap_complete)
 * mmap_abort must release when the mapping fails in between: one of the
 * calls that release its key in the old handler is in the abort's code.
 */
static void abort_releases(json_t *r, json_t *eq, json_t *diffs, json_t *new_sums)
{
	json_t *conv = json_object_get(r, "conversion"), *an = json_object_get(r, "analysis");
	json_t *ab = json_object_get(new_sums, js(conv, "abort_function")), *e, *rel;
	struct strlist keys = { 0 };
	size_t i, k;
	int n;

	if (!jstr(conv, "abort_function"))
		return;
	json_array_foreach(json_object_get(eq, "effects"), i, e) {
		int undone = !strcmp(js(e, "effect"), "take") && !strcmp(js(e, "undone_by"), "abort");
		const char *key = NULL;

		if (undone)
			key = key_of(an, "takes", e);
		else if (!strcmp(js(e, "effect"), "release") &&
			 !strcmp(js(e, "placement"), "complete"))
			key = key_of(an, "releases", e);
		if (key)
			strlist_add_once(&keys, key);
		else if (undone)
			add_diff(diffs, "a take mmap_abort must undo holds nothing the analysis names",
				 js(e, "what"), js(conv, "abort_function"), 1);
	}
	for (n = 0; n < keys.n; n++) {
		int made = 0;

		json_array_foreach(json_object_get(an, "releases"), k, rel)
			if (!strcmp(js(rel, "key_path"), keys.v[n]) && called_in(ab, js(rel, "call")))
				made = 1;
		if (!made)
			add_diff(diffs, "a take mmap_abort must undo is not released there",
				 keys.v[n], js(conv, "abort_function"), 1);
	}
	strlist_free(&keys);
}

/* The verdict again, from the differences left (fatal: one already differs). */
static void code_verdict(json_t *eq, json_t *conv, json_t *diffs, int fatal)
{
	json_t *e;
	size_t k;

	json_object_set_new(eq, "verdict", json_string(json_array_size(diffs) ||
			    json_array_size(json_object_get(conv, "behaviour_changes")) ?
			    "stated" : "exact"));
	json_array_foreach(diffs, k, e)
		if (json_is_true(json_object_get(e, "held")) && !jstr(e, "undone_by"))
			fatal = 1;
	json_array_foreach(diffs, k, e)
		if (json_is_true(json_object_get(e, "fatal")))
			fatal = 1;
	json_object_set_new(eq, "code_compared", json_true());
	if (fatal)
		json_object_set_new(eq, "verdict", json_string("differs"));
	else if (json_array_size(diffs) && !strcmp(js(eq, "verdict"), "exact"))
		json_object_set_new(eq, "verdict", json_string("stated"));
}

void equivalence_code(json_t *r, json_t *old_sum, json_t *new_sums, json_t *old_sums)
{
	json_t *conv = json_object_get(r, "conversion"), *eq = json_object_get(conv, "equivalence");
	json_t *an = json_object_get(r, "analysis"), *diffs;
	json_t *prep = json_object_get(new_sums, js(conv, "new_function"));
	struct effect_sets o = { 0 }, n = { 0 };
	struct strlist implied = { 0 };
	int plain, fatal;

	if (!eq || !old_sum || !prep)
		return;
	diffs = json_object_get(eq, "differences");
	plain = code_sets(r, old_sum, new_sums, old_sums, diffs, &o, &n);
	/*
	 * What the old mapping call set on the VMA itself (mm/memory.c:
	 * remap_pfn_range() VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
	 * vm_insert_page() VM_MIXEDMAP) the new code may set in prepare.
	 */
	if (json_array_size(json_object_get(an, "inserts")))
		add_flags(&implied, "VM_MIXEDMAP");
	if (json_array_size(json_object_get(an, "remaps")))
		add_flags(&implied, "VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP");
	compare_sets(diffs, "flags cleared", &o.clear, &n.clear, 1);
	compare_sets(diffs, "flag tests", &o.tests, &n.tests, 1);
	compare_errors(diffs, an, &o, &n);
	compare_prot(diffs, an, &o, &n);
	compare_sets(diffs, "fields assigned", &o.fields, &n.fields, 1);
	fatal = compare_flags_set(diffs, &o, &n, &implied, plain, prep);
	compare_mappings(diffs, an, &o, &n);
	code_placements(r, eq, diffs, new_sums);
	abort_releases(r, eq, diffs, new_sums);
	code_verdict(eq, conv, diffs, fatal);
	effect_sets_free(&o);
	effect_sets_free(&n);
	strlist_free(&implied);
}

/*
 * The handler's old name must be gone from every file the conversion
 * changed (conversion.files): a fallback "#define", a prototype, an
 * EXPORT_SYMBOL, a registration, a call or kernel-doc left under the old
 * name is a branch or a reader that still expects it.  file is under work.
 */
static void old_name_left(json_t *r, const char *work, const char *file)
{
	json_t *eq = json_object_get(json_object_get(r, "conversion"), "equivalence");
	const char *fn = jstr(r, "function");
	char *text = read_file_at(work, file, NULL), *p, *at;
	size_t n = strlen(fn);
	long line = 1;

	if (!text)
		return;
	/*
	 * Comments and strings are blanked first: prose and messages may name
	 * the old handler (stale kernel-doc is W=1's to find, in check); code
	 * may not.
	 */
	blank_comments(text);
	for (p = text; (at = strstr(p, fn)); p = at + n) {
		int word = (at == text || !(isalnum((unsigned char)at[-1]) || at[-1] == '_')) &&
			   !(isalnum((unsigned char)at[n]) || at[n] == '_');

		if (!word)
			continue;
		for (char *q = text; q < at; q++)
			line += *q == '\n';
		{
			char *l = xasprintf("%s:%ld", file, line);

			add_diff(json_object_get(eq, "differences"), "old name", fn, l, 1);
			free(l);
		}
		json_object_set_new(eq, "verdict", json_string("differs"));
		break;
	}
	free(text);
}

/*
 * args, and -DCONFIG_X=1 for every CONFIG_X of the #if conditions scan
 * recorded around the converted handlers of file: their definitions and
 * registrations.
 */
static json_t *with_configs(json_t *args, json_t *records, const char *file)
{
	json_t *more = json_deep_copy(args), *r;
	struct strlist syms = { 0 };
	size_t i;
	int k;

	json_array_foreach(records, i, r) {
		json_t *def = json_object_get(r, "definition");

		if (strcmp(record_def_file(r), file) ||
		    strcmp(js(json_object_get(r, "conversion"), "status"), "converted"))
			continue;
		config_symbols_of(jstr(r, "conditions"), &syms, 1);
		if (json_is_object(def) && !strcmp(js(def, "file"), file))
			config_symbols_of(jstr(def, "conditions"), &syms, 1);
	}
	for (k = 0; k < syms.n; k++)
		json_array_append_new(more, json_string(xasprintf("-D%s=1", syms.v[k])));
	strlist_free(&syms);
	return more;
}

/*
 * The summaries of n files parsed with args, file i for the functions
 * fns[i], into *out[i]: 1, or 0 at the first that does not parse (the
 * files after it are not parsed).
 */
static int summarize_all(void *index, json_t *args, int n, const char *const path[],
			 const struct strlist *const fns[], json_t **const out[])
{
	int i;

	for (i = 0; i < n; i++) {
		*out[i] = summarize(index, path[i], args, fns[i]);
		if (!*out[i])
			return 0;
	}
	return 1;
}

/*
 * The clang arguments for file: those classify parsed it with (its
 * DIR/analyzer/flags.json: kbuild's x86_64 allmodconfig command, an
 * --external driver's M= command, or the fallback set); for a file it did
 * not parse (a library handler's), kbuild's or the fallback set.  Asking
 * kbuild takes seconds (a make run), so the answer is kept for the
 * process: the flags of a file do not change with its code.
 */
static json_t *args_for(const struct options *o, const char *file)
{
	static json_t *seen, *classified;
	static char *classified_out;
	char *mk = xasprintf("%s/scripts/Makefile.build", o->tree);
	char *key = xasprintf("%s|%s|%s", o->tree, o->out, file);
	json_t *a = NULL;

	if (!seen)
		seen = json_object();
	if (!classified_out || strcmp(classified_out, o->out)) {
		char *fp = out_path(o, OUT_FLAGS_DB);

		json_decref(classified);
		classified = path_exists(fp) ? json_load_path(fp) : NULL;
		free(classified_out);
		classified_out = xstrdup(o->out);
		free(fp);
	}
	a = json_object_get(seen, key);
	if (a) {
		free(mk);
		free(key);
		return json_is_null(a) ? NULL : json_incref(a);
	}

	if (json_is_array(json_object_get(classified, file))) {
		a = json_incref(json_object_get(classified, file));
	} else if (access(mk, F_OK)) {
		a = compdb_fallback(o->tree);
	} else {
		struct strlist one = { 0 };
		char *bdir = arch_build_dir(o, "x86_64"), *base;
		/* classify's kbuild source and build dir: its commands are cached there */
		char *ktree = kbuild_source(o, o->tree, &base);
		const char *how;
		json_t *db;

		strlist_add(&one, file);
		if (strcmp(ktree, o->tree))
			kbuild_prepare_x86(o, ktree, base, bdir);
		db = compdb_for_files(ktree, bdir, &one, 1, &how);
		a = json_incref(json_object_get(db, file));
		json_decref(db);
		strlist_free(&one);
		free(bdir);
		free(ktree);
		free(base);
	}
	free(mk);
	json_object_set(seen, key, a ? a : json_null());
	free(key);
	return a;
}

/*
 * Compare the code of every converted record of records (old: the tree or
 * --external as given; new: the work tree).  A record whose code cannot be
 * compared says why (code_compared: false, code_why); the verdict then
 * stands on the facts alone.  Returns how many now differ.
 */
/*
 * A library handler's registration now names its twin (method "twin"):
 * the code compared is the library's, F() against F_prepare() beside it
 * in F's file in the tree.  Where either is not found, the difference
 * says so.
 */
static void twin_code(const struct options *o, CXIndex index, json_t *r)
{
	json_t *eq = json_object_get(json_object_get(r, "conversion"), "equivalence");
	const char *df = jstr(json_object_get(r, "analysis"), "def_file");
	const char *fn = jstr(r, "function"), *tw = jstr(r, "twin");
	struct strlist of = { 0 }, nf = { 0 };
	json_t *args = df ? args_for(o, df) : NULL, *old_s = NULL, *new_s = NULL;
	char *path = df ? xasprintf("%s/%s", o->tree, df) : NULL;
	const char *why = NULL;

	strlist_add(&of, fn);
	strlist_add(&nf, tw);
	if (!df)
		why = "the library handler's definition was not found in the tree";
	else if (!args)
		why = "no compile command for the library handler's file";
	else if (!summarize_all(index, args, 2, (const char *[]){ path, path },
			       (const struct strlist *[]){ &of, &nf },
			       (json_t **[]){ &old_s, &new_s }))
		why = "libclang could not parse the library handler's file";
	else if (!json_object_get(old_s, fn) || !json_object_get(new_s, tw))
		why = "the twin is not defined beside the library handler";
	if (why) {
		json_t *x = json_object();

		json_object_set_new(x, "effect", json_string("twin"));
		json_object_set_new(x, "what", json_string(tw));
		json_object_set_new(x, "old", json_string(fn));
		json_object_set_new(x, "why", json_string(why));
		json_array_append_new(json_object_get(eq, "differences"), x);
		json_object_set_new(eq, "code_why", json_string(why));
		json_object_set_new(eq, "code_compared", json_false());
		if (!strcmp(js(eq, "verdict"), "exact"))
			json_object_set_new(eq, "verdict", json_string("stated"));
	} else {
		equivalence_code(r, json_object_get(old_s, fn), new_s, NULL);
		json_object_set_new(eq, "code_file", json_string(df));
	}
	json_decref(args);
	json_decref(old_s);
	json_decref(new_s);
	strlist_free(&of);
	strlist_free(&nf);
	free(path);
}

int equivalence_files(const struct options *o, json_t *records, const char *work)
{
	struct strlist files = { 0 };
	CXIndex index = clang_createIndex(0, 0);
	json_t *r;
	size_t i;
	int f, ndiff = 0;

	json_array_foreach(records, i, r)
		if (!strcmp(js(json_object_get(r, "conversion"), "status"), "converted"))
			strlist_add_once(&files, record_def_file(r));
	for (f = 0; f < files.n; f++) {
		const char *file = files.v[f];
		struct strlist oldf = { 0 }, newf = { 0 };
		json_t *args = args_for(o, file), *old_s = NULL, *new_s = NULL;
		char *op = xasprintf("%s/%s", o->external ? o->external : o->tree, file);
		char *np = xasprintf("%s/%s", work, file);
		const char *why = NULL;
		int branch = 0;

		json_array_foreach(records, i, r) {
			json_t *c = json_object_get(r, "conversion");
			static const char * const k[] = {
				"new_function", "complete_function", "mapped_function",
				"abort_function", NULL
			};
			int n;

			if (strcmp(record_def_file(r), file) || strcmp(js(c, "status"), "converted") ||
			    jstr(r, "twin"))
				continue;
			strlist_add_once(&oldf, jstr(r, "function"));
			static_helpers(r, &oldf);
			static_helpers(r, &newf);
			for (n = 0; k[n]; n++)
				if (jstr(c, k[n]))
					strlist_add_once(&newf, jstr(c, k[n]));
		}
		if (!args)
			why = "no compile command for the file (x86_64 allmodconfig does not build it)";
		else if (!summarize_all(index, args, 2, (const char *[]){ op, np },
				       (const struct strlist *[]){ &oldf, &newf },
				       (json_t **[]){ &old_s, &new_s }))
			why = "libclang could not parse the file";
		if (!why && json_object_size(old_s) < (size_t)oldf.n) {
			/*
			 * A handler the configuration leaves out: parse both again
			 * with every CONFIG_ symbol of its recorded #if conditions
			 * set, the branch such a handler lives in.
			 */
			json_t *more = with_configs(args, records, file), *o2, *n2;

			o2 = summarize(index, op, more, &oldf);
			n2 = o2 ? summarize(index, np, more, &newf) : NULL;
			if (o2 && n2 && json_object_size(o2) > json_object_size(old_s)) {
				json_decref(old_s);
				json_decref(new_s);
				old_s = o2;
				new_s = n2;
				branch = 1;
			} else {
				json_decref(o2);
				json_decref(n2);
			}
			json_decref(more);
		}
		if (verbose) {
			/* -v: the summaries compared, for a reader who doubts a verdict */
			char *a = json_dumps(old_s, JSON_INDENT(1)), *b = json_dumps(new_s, JSON_INDENT(1));

			fprintf(stderr, "%s old: %s\n%s new: %s\n", file, a ? a : "null", file,
				b ? b : "null");
			free(a);
			free(b);
		}
		json_array_foreach(records, i, r) {
			json_t *c = json_object_get(r, "conversion"), *eq = json_object_get(c, "equivalence");
			json_t *os = old_s ? json_object_get(old_s, jstr(r, "function")) : NULL;

			if (strcmp(record_def_file(r), file) || strcmp(js(c, "status"), "converted") ||
			    !eq)
				continue;
			{
				const char *cf;
				json_t *lines;

				json_object_foreach(json_object_get(c, "files"), cf, lines)
					old_name_left(r, work, cf);
			}
			if (jstr(r, "twin")) {
				twin_code(o, index, r);
				ndiff += !strcmp(js(eq, "verdict"), "differs");
				continue;
			}
			if (!why && !os)
				json_object_set_new(eq, "code_why", json_string(
					"the old handler is not in the configuration parsed"));
			else if (why)
				json_object_set_new(eq, "code_why", json_string(why));
			else if (jint(os, "parse_errors"))
				/* what an error dropped is missing from its summary */
				json_object_set_new(eq, "code_why", json_string(
					"libclang did not parse all of the old handler"));
			if (why || !os || jint(os, "parse_errors")) {
				json_object_set_new(eq, "code_compared", json_false());
				ndiff += !strcmp(js(eq, "verdict"), "differs");
				continue;
			}
			equivalence_code(r, os, new_s, old_s);
			if (branch)
				json_object_set_new(eq, "code_config", json_string(
					"the CONFIG_ symbols of the handler's #if conditions set (its branch)"));
			ndiff += !strcmp(js(eq, "verdict"), "differs");
		}
		json_decref(args);
		json_decref(old_s);
		json_decref(new_s);
		strlist_free(&oldf);
		strlist_free(&newf);
		free(op);
		free(np);
	}
	clang_disposeIndex(index);
	strlist_free(&files);
	return ndiff;
}

/* Why the code of a conversion differs, from its first fatal difference. */
char *code_differs_reason(json_t *r)
{
	json_t *eq = json_object_get(json_object_get(r, "conversion"), "equivalence"), *x;
	size_t i;

	json_array_foreach(json_object_get(eq, "differences"), i, x)
		if (json_is_true(json_object_get(x, "fatal")) && !strcmp(js(x, "what"), "old name"))
			return xasprintf("%s() is still named at %s after the conversion, by a use mmapport does not rename (a call, a pointer kept, a fallback #define): that code expects the old handler, so the handler and the files that name it stay as they were (docs/equivalence.md)",
					 js(x, "old"), js(x, "new"));
	json_array_foreach(json_object_get(eq, "differences"), i, x)
		if (json_is_true(json_object_get(x, "fatal")))
			return xasprintf("the converted code differs from the old handler in its %s: \"%s\" before, \"%s\" after (docs/equivalence.md)",
					 js(x, "what"), js(x, "old"), js(x, "new"));
	json_array_foreach(json_object_get(eq, "differences"), i, x)
		if (json_is_true(json_object_get(x, "held")))
			return xasprintf("%s() at line %lld takes %s still held when prepare returns: it would leak when the mapping merges or fails after prepare (docs/equivalence.md)",
					 js(x, "what"),
					 line_of(x), js(x, "kind"));
	return xstrdup("the converted code differs from the old handler (docs/equivalence.md)");
}

/*
 * replay (tools/replay.c): what a handler's code does, as the sets the
 * code comparison above compares, plus the other functions it calls.
 */
struct port_facts {
	struct strlist set, clear, tests, errs, fields, calls, actions;
	struct mapping_call m[8];
	int nm;
};

static void port_facts(json_t *sums, const struct strlist *fns, const char *old_vma,
		       const char *filep, struct port_facts *pf)
{
	/* compared as the flags they set and clear */
	static const char *const flag_calls[] = {
		"vm_flags_set", "vm_flags_clear", "vm_flags_mod", "vma_desc_set_flags",
		"vma_desc_clear_flags", NULL,
	};
	json_t *prep = fns->n ? json_object_get(sums, fns->v[0]) : NULL;
	struct strlist tests = { 0 };	/* summary_facts() own: without all/any */
	int i;

	for (i = 0; i < fns->n; i++) {
		json_t *s = json_object_get(sums, fns->v[i]), *c;
		const char *vma = old_vma ? old_vma : "vma";
		size_t k;

		if (!s)
			continue;
		/* complete gets the VMA: its texts go through the same table */
		if (!old_vma && json_array_size(json_object_get(s, "params")) > 1)
			vma = json_string_value(json_array_get(json_object_get(s, "params"), 1));
		/* the flag tests, each with whether all of its flags are tested */
		summary_facts(s, !!old_vma, vma, filep, prep, &pf->set,
			      &pf->clear, &tests, &pf->errs, &pf->fields, pf->m, &pf->nm);
		json_array_foreach(json_object_get(s, "flag_tests"), k, c)
			strlist_addf(&pf->tests, "%s%s%s",
				     json_is_true(json_object_get(c, "negated")) ? "!" : "",
				     json_is_true(json_object_get(c, "all")) ? "all:" : "",
				     js(c, "flags"));
		json_array_foreach(json_object_get(s, "calls"), k, c) {
			const char *f = js(c, "callee");

			if (str_in_list(f, flag_calls))
				continue;
			if (!strncmp(f, "mmap_action_", 12) || str_in_list(f, calls_remap) ||
			    str_in_list(f, calls_insert)) {
				/*
				 * a mapping call: what it maps, its arguments after the VMA
				 * or descriptor (the call itself is among the calls)
				 */
				json_t *args = json_deep_copy(json_object_get(c, "args"));
				char *a, *t;

				json_array_remove(args, 0);
				a = json_dumps(args, JSON_COMPACT);
				t = to_desc(a, vma, filep);
				strlist_add(&pf->actions, t);
				strlist_add(&pf->calls, f);
				free(a);
				free(t);
				json_decref(args);
			} else if (strncmp(f, "vma_desc_test", 13)) {
				/* (the flag tests are compared as tests) */
				strlist_add(&pf->calls, f);
			}
		}
	}
	strlist_free(&tests);
}

static void port_facts_free(struct port_facts *pf)
{
	int i;

	strlist_free(&pf->set), strlist_free(&pf->clear), strlist_free(&pf->tests);
	strlist_free(&pf->errs), strlist_free(&pf->fields), strlist_free(&pf->calls);
	strlist_free(&pf->actions);
	for (i = 0; i < ARRAY_SIZE(pf->m); i++)
		free(pf->m[i].addr), free(pf->m[i].pfn), free(pf->m[i].size);
}

/* The mapping calls as one text: "addr,pfn,size;..." */
static char *mappings_text(const struct port_facts *pf)
{
	struct strlist l = { 0 };
	char *s;
	int i;

	for (i = 0; i < pf->nm; i++)
		strlist_addf(&l, "%s,%s,%s", pf->m[i].addr, pf->m[i].pfn, pf->m[i].size);
	s = strlist_join(&l, "; ");
	strlist_free(&l);
	return s;
}

/*
 * The old handler's calls in the new names: a call of F where the new code
 * calls F_prepare instead (generic_file_mmap() is generic_file_mmap_prepare()).
 */
static void prepare_names(struct strlist *l, const struct strlist *a, const struct strlist *b)
{
	int i;

	for (i = 0; i < l->n; i++) {
		char *n = xasprintf("%s_prepare", l->v[i]);

		if (!strlist_has(a, l->v[i]) && !strlist_has(b, l->v[i]) &&
		    (strlist_has(a, n) || strlist_has(b, n))) {
			free(l->v[i]);
			l->v[i] = n;
		} else {
			free(n);
		}
	}
}

/* Is w one of the space-separated words of list? */
static int word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return 1;
	return 0;
}

/*
 * One aspect of ours against theirs; where they differ, who changed it from
 * the old handler ("upstream": ours kept the old code's; "mmapport":
 * upstream kept it; "both") and, for a change of ours, whether the
 * conversion's own verdict states it (a difference of that aspect, or of
 * one of the calls concerned).
 */
static void port_aspect(json_t *diffs, json_t *r, const char *what, const char *old,
			const char *ours, const char *theirs)
{
	json_t *eq = json_object_get(json_object_get(r, "conversion"), "equivalence");
	json_t *x, *d;
	const char *by;
	size_t i;
	int stated = 0;

	if (!strcmp(ours, theirs))
		return;
	by = !strcmp(ours, old) ? "upstream" : !strcmp(theirs, old) ? "mmapport" : "both";
	x = json_pack("{s:s,s:s,s:s,s:s,s:s}", "what", what, "old", old, "ours", ours,
		      "theirs", theirs, "by", by);
	if (strcmp(by, "upstream")) {
		/*
		 * Stated: a difference of the verdict's of that aspect, or for the
		 * calls one naming a call that is in one of ours and the old
		 * handler's lists and not in the other.
		 */
		json_array_foreach(json_object_get(eq, "differences"), i, d)
			if (!strcmp(js(d, "what"), what) ||
			    (!strcmp(what, "calls") && *js(d, "what") &&
			     word_in(ours, js(d, "what")) != word_in(old, js(d, "what"))))
				stated = 1;
		json_object_set_new(x, "stated", json_boolean(stated));
	}
	json_array_append_new(diffs, x);
}

json_t *equivalence_replay(const struct options *o, json_t *r, const char *ours_path,
			   const char *theirs_path, const char *theirs_fn)
{
	json_t *conv = json_object_get(r, "conversion"), *res = json_object();
	json_t *diffs = json_array(), *args = args_for(o, record_def_file(r));
	json_t *old_s = NULL, *ours_s = NULL, *theirs_s = NULL, *params, *e;
	static const char * const roles[] = {
		"new_function", "complete_function", "mapped_function", "abort_function"
	};
	struct strlist of = { 0 }, nf = { 0 }, tf = { 0 };
	struct port_facts pold = { 0 }, pours = { 0 }, ptheirs = { 0 };
	char *old_path = xasprintf("%s/%s", o->tree, record_def_file(r));
	const char *why = NULL, *filep = NULL, *vma;
	CXIndex index = clang_createIndex(0, 0);
	size_t k;
	int i;

	json_object_set_new(res, "differences", diffs);
	strlist_add(&of, jstr(r, "function"));
	for (i = 0; i < ARRAY_SIZE(roles); i++)
		if (jstr(conv, roles[i]))
			strlist_add(&nf, jstr(conv, roles[i]));
	strlist_add(&tf, theirs_fn);
	if (jstr(r, "twin")) {
		/* a library registration: the same library twin, or not */
		/* ours is the old handler's own port: another one is upstream's choice */
		if (strcmp(jstr(r, "twin"), theirs_fn))
			port_aspect(diffs, r, "handler", jstr(r, "twin"), jstr(r, "twin"),
				    theirs_fn);
		goto out;
	}
	if (!args)
		why = "no compile command for the file (x86_64 allmodconfig does not build it)";
	else if (!summarize_all(index, args, 3,
			       (const char *[]){ old_path, ours_path, theirs_path },
			       (const struct strlist *[]){ &of, &nf, &tf },
			       (json_t **[]){ &old_s, &ours_s, &theirs_s }))
		why = "libclang could not parse the file";
	else if (!json_object_get(old_s, of.v[0]) || !json_object_get(ours_s, nf.v[0]))
		why = "the old handler or the conversion is not in the configuration parsed";
	if (why) {
		json_object_set_new(res, "why", json_string(why));
		goto out;
	}
	if (!json_object_get(theirs_s, theirs_fn)) {
		/* upstream registers a function the file does not define: a library one */
		port_aspect(diffs, r, "handler", nf.v[0], nf.v[0], theirs_fn);
		goto out;
	}
	{
		/* a summary misses what an error in the function dropped */
		json_t *pe = json_pack("{s:i,s:i,s:i}",
			"old", jint(json_object_get(old_s, of.v[0]), "parse_errors"),
			"ours", jint(json_object_get(ours_s, nf.v[0]), "parse_errors"),
			"theirs", jint(json_object_get(theirs_s, theirs_fn), "parse_errors"));

		if (jint(pe, "old") + jint(pe, "ours") + jint(pe, "theirs"))
			json_object_set(res, "parse_errors", pe);
		if (jint(pe, "ours") + jint(pe, "theirs"))
			why = "libclang did not parse all of the conversion or of upstream's port (parse_errors)";
		json_decref(pe);
		if (why) {
			json_object_set_new(res, "why", json_string(why));
			goto out;
		}
	}
	vma = js(json_object_get(r, "analysis"), "vma_param");
	params = json_object_get(json_object_get(old_s, of.v[0]), "params");
	json_array_foreach(params, k, e)
		if (strcmp(json_string_value(e), vma))
			filep = json_string_value(e);	/* the struct file * one */
	port_facts(old_s, &of, vma, filep, &pold);
	port_facts(ours_s, &nf, NULL, NULL, &pours);
	port_facts(theirs_s, &tf, NULL, NULL, &ptheirs);
	prepare_names(&pold.calls, &pours.calls, &ptheirs.calls);
	{
		struct {
			const char *what;
			struct strlist *o, *n, *t;
		} sets[] = {
			{ "flags set", &pold.set, &pours.set, &ptheirs.set },
			{ "flags cleared", &pold.clear, &pours.clear, &ptheirs.clear },
			{ "flag tests", &pold.tests, &pours.tests, &ptheirs.tests },
			{ "error codes", &pold.errs, &pours.errs, &ptheirs.errs },
			{ "fields assigned", &pold.fields, &pours.fields, &ptheirs.fields },
			{ "calls", &pold.calls, &pours.calls, &ptheirs.calls },
			{ "what the mapping calls map", &pold.actions, &pours.actions,
			  &ptheirs.actions },
		};

		for (k = 0; k < ARRAY_SIZE(sets); k++) {
			char *a = multiset(sets[k].o), *b = multiset(sets[k].n);
			char *c = multiset(sets[k].t);

			port_aspect(diffs, r, sets[k].what, a, b, c);
			free(a), free(b), free(c);
		}
	}
	{
		char *a = mappings_text(&pold), *b = mappings_text(&pours);
		char *c = mappings_text(&ptheirs);

		port_aspect(diffs, r, "mapping calls", a, b, c);
		free(a), free(b), free(c);
	}
out:
	json_object_set_new(res, "verdict", json_string(why ? "not-compared" :
				json_array_size(diffs) ? "differs" : "same"));
	port_facts_free(&pold), port_facts_free(&pours), port_facts_free(&ptheirs);
	strlist_free(&of), strlist_free(&nf), strlist_free(&tf);
	json_decref(args), json_decref(old_s), json_decref(ours_s), json_decref(theirs_s);
	clang_disposeIndex(index);
	free(old_path);
	return res;
}
