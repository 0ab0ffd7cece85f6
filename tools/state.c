// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - what a stateful handler keeps, and how each profile keeps it.
 *
 * The analyzer's resource facts (takes, releases, returns) say which
 * takes are still held when the handler succeeds: that is the state the
 * mapping keeps.  rfc keeps it in prepare and needs an mmap_abort that
 * releases it as the old failure path did, so the plan names those
 * releases (mode "abort", for a mapping that cannot merge).  A reference
 * that cannot fail, taken last, can instead move to a hook that runs once
 * the VMA exists: vm_ops->mapped (mainline, mode "mapped"; mainline has no
 * abort hook) or mmap_complete (rfc, mode "complete").  The plan goes to cocci/mmap_prepare_state.cocci, which checks
 * the shapes in the source and writes the code.  What the facts cannot
 * support is refused here, with the reason.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "analyzer/analyzer.h"


/* The lines of the returns where take t is still held (success: succ). */
static json_t *held_returns(json_t *an, json_t *t, json_t *succ)
{
	json_t *held = json_array(), *x;
	size_t i;

	json_array_foreach(json_object_get(an, "returns"), i, x)
		if (resource_held_at(an, t, off(x), off(x) == off(succ)))
			json_array_append_new(held, json_integer(line_of(x)));
	return held;
}

/*
 * Does the handler change what the core's merge compares: the VMA's flags
 * (a flag helper, a vm_flags write, a remap), its offset or its file
 * (prepare's vm_pgoff and vm_file go into the merge attempt)?
 */
static int changes_flags(json_t *an)
{
	json_t *x;
	size_t i;

	if (json_array_size(json_object_get(an, "flag_ops")) ||
	    json_array_size(json_object_get(an, "remaps")))
		return 1;
	json_array_foreach(json_object_get(an, "fields_written"), i, x)
		if (!strcmp(js(x, "field"), "vm_flags") || !strcmp(js(x, "field"), "vm_pgoff") ||
		    !strcmp(js(x, "field"), "vm_file"))
			return 1;
	json_array_foreach(json_object_get(an, "calls"), i, x)
		if (!strcmp(js(x, "callee"), "vma_set_file"))
			return 1;
	return 0;
}

/* "atomic_inc_unless_negative(&msc->user_count)" */
static char *what(json_t *t)
{
	return xasprintf("%s(%s)", js(t, "call"), jstr(t, "key") ? jstr(t, "key") : "");
}

/* The close of the vm_ops the handler installs, for the reasons. */
static const char *close_of(json_t *an)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(an, "vm_ops"), i, v)
		if (jstr(v, "close"))
			return jstr(v, "close");
	return NULL;
}

/*
 * The return at line l holds take t only because it is t's own failure
 * test: the first return after it, on its line or the next two, when the
 * take's value is tested ("checked: return -EINVAL") or, for an
 * allocation, assigned and then tested.  The state rule checks the shape
 * in the source ("if (!CALL(" or "if (!V)").
 */
static int own_test(json_t *an, json_t *t, long long l)
{
	const char *use = js(t, "use");
	json_t *x;
	size_t i;

	if (strncmp(use, "checked", 7) &&
	    !(!strcmp(js(t, "kind"), "alloc") && !strncmp(use, "assigned to ", 12)))
		return 0;
	json_array_foreach(json_object_get(an, "returns"), i, x) {
		if (off(x) <= off(t))
			continue;
		return line_of(x) == l && l - line_of(t) <= 2;
	}
	return 0;
}

/* A kept take for the plan: the analyzer's own, with its failure test. */
static json_t *take_entry(json_t *t, long long test_line)
{
	json_t *e = json_deep_copy(t);
	char *w = what(t);

	json_object_del(e, "held_at_returns");
	json_object_set_new(e, "what", json_string(w));
	if (test_line >= 0)
		json_object_set_new(e, "test_return", json_integer(test_line));
	free(w);
	return e;
}

static int by_line(const void *a, const void *b)
{
	long long x = line_of(*(json_t *const *)a), y = line_of(*(json_t *const *)b);

	return (x > y) - (x < y);
}

static void qsort_releases(json_t *rels)
{
	size_t i, n = json_array_size(rels);
	json_t **v = xmalloc((n + 1) * sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(rels, i));
	qsort(v, n, sizeof(*v), by_line);
	json_array_clear(rels);
	for (i = 0; i < n; i++)
		json_array_append_new(rels, v[i]);
	free(v);
}

/* rfc: the releases of the failure paths, one per kept take, for mmap_abort. */
static char *abort_releases(json_t *r, json_t *an, json_t *succ, json_t *kept, json_t *plan)
{
	json_t *rels = json_array(), *t;
	size_t i;

	json_array_foreach(kept, i, t) {
		json_t *rel, *pick = NULL;
		char *w = what(t), *first = NULL;
		size_t k;

		json_array_foreach(json_object_get(an, "releases"), k, rel) {
			char *txt;

			if (strcmp(js(rel, "in"), js(r, "function")) || off(rel) <= off(t) ||
			    !resource_pairs(t, rel))
				continue;
			/*
			 * on a failure path: under "if (ret)", in a block that
			 * returns, or in the unwinding after the success return
			 */
			if (!json_is_true(json_object_get(rel, "conditional")) &&
			    !json_object_get(rel, "exit_path_until") && off(rel) <= off(succ))
				continue;
			txt = what(rel);
			if (first && strcmp(first, txt)) {
				char *why = xasprintf("the failure paths release %s in different ways (%s, %s): which one mmap_abort must do is not derived",
						      w, first, txt);

				free(txt);
				free(first);
				free(w);
				json_decref(rels);
				return why;
			}
			if (!first)
				first = xstrdup(txt);
			free(txt);
			pick = rel;	/* the last: the fullest unwinding */
		}
		free(first);
		if (!pick) {
			const char *cl = close_of(an);
			char *why = xasprintf("%s is kept by the mapping, but no failure path of the handler releases it: there is no old error path to derive mmap_abort from%s%s%s",
					      w,
					      cl ? " (it is dropped in vm_ops->close " : "",
					      cl ? cl : "", cl ? "())" : "");

			free(w);
			json_decref(rels);
			return why;
		}
		{
			json_t *e = json_object();

			json_object_set_new(e, "line", json_integer(line_of(pick)));
			json_object_set_new(e, "call", json_string(js(pick, "call")));
			json_object_set_new(e, "for", json_string(w));
			/*
			 * "if (ret) release": the rule checks that ret is what is returned;
			 * a release in a block that returns is on that failure path
			 */
			if (json_is_true(json_object_get(pick, "conditional")) &&
			    !json_object_get(pick, "exit_path_until"))
				json_object_set_new(e, "conditional", json_true());
			json_array_append_new(rels, e);
		}
		free(w);
	}
	/* in the order the old unwinding does them */
	qsort_releases(rels);
	json_object_set_new(plan, "releases", rels);
	return NULL;
}

/*
 * Can each kept take move, as it is, to a hook that runs once the VMA
 * exists (mainline: vm_ops->mapped; rfc: mmap_complete)?  lead says why
 * prepare cannot keep it.
 */
static char *movable_takes(json_t *r, json_t *an, json_t *kept, const char *hook,
			   const char *lead)
{
	const char *cl = close_of(an);
	json_t *t, *rel;
	size_t i, k;

	json_array_foreach(kept, i, t) {
		char *w = what(t), *why = NULL;

		if (!strcmp(js(t, "kind"), "alloc"))
			why = xasprintf("%s allocates what the mapping keeps: %s, and moved to %s, a failed allocation unmaps the new VMA and runs %s%s for a setup that never happened (docs/hazards.md, H1)",
					w, lead, hook, cl ? cl : "its close", cl ? "()" : "");
		else if (strcmp(js(t, "use"), "ignored"))
			why = xasprintf("%s can fail (%s): %s, and moved to %s, a failure unmaps the new VMA and runs %s%s for a reference never taken (docs/hazards.md, H1)",
					w, js(t, "use"), lead, hook,
					cl ? cl : "its close", cl ? "()" : "");
		json_array_foreach(json_object_get(an, "releases"), k, rel)
			if (!why && !strcmp(js(rel, "in"), js(r, "function")) &&
			    off(rel) > off(t) && resource_pairs(t, rel))
				why = xasprintf("the handler can still fail after %s (line %lld releases it): moved to %s, the checks made under it would run before it is taken",
						w, line_of(rel), hook);
		free(w);
		if (why)
			return why;
	}
	return NULL;
}

/* mainline: can each kept take move to vm_ops->mapped as it is? */
static char *mapped_takes(json_t *r, json_t *an, json_t *kept, json_t *plan)
{
	json_t *v, *ops = NULL;
	size_t i;
	char *why = movable_takes(r, an, kept, "vm_ops->mapped", "mainline has no abort hook to keep it in prepare");

	if (why)
		return why;
	json_array_foreach(json_object_get(an, "vm_ops"), i, v) {
		if (ops)
			return xstrdup("installs several vm_ops: vm_ops->mapped needs the one the new VMA gets");
		ops = v;
	}
	if (!ops)
		return xstrdup("installs no vm_ops of its own: vm_ops->mapped needs one");
	if (jstr(ops, "mapped"))
		return xasprintf("%s already has a mapped hook", js(ops, "ops"));
	json_object_set_new(plan, "ops", json_string(js(ops, "ops")));
	return NULL;
}

/*
 * One take: kept by the mapping (appended to kept), released before every
 * return (nothing), or a reason why neither profile's hook can be derived.
 */
static char *kept_take(json_t *r, json_t *an, json_t *t, json_t *succ, const char *hook,
		       json_t *kept)
{
	json_t *held, *l, *rel;
	long long test = -1;
	char *w, *why = NULL;
	size_t k;

	if (json_is_true(json_object_get(t, "auto_release")))
		return NULL;
	w = what(t);
	if (strcmp(js(t, "in"), js(r, "function"))) {
		int released = 0;

		json_array_foreach(json_object_get(an, "releases"), k, rel)
			if (!strcmp(js(rel, "in"), js(t, "in")) &&
			    jint(rel, "pos") > jint(t, "pos") && resource_pairs(t, rel))
				released = 1;
		if (!released)
			why = xasprintf("%s in the helper %s() is not released there: the %s would have to undo the helper's work",
					w, js(t, "in"), hook);
		free(w);
		return why;
	}
	held = held_returns(an, t, succ);
	if (!resource_held_at(an, t, off(succ) + 1, 1)) {
		/* not kept: it must not be kept on a failure return either */
		json_array_foreach(held, k, l)
			if (!why && !own_test(an, t, json_integer_value(l)))
				why = xasprintf("%s is still held at the return at line %lld: the old failure path leaks it",
						w, json_integer_value(l));
	} else if (!strcmp(js(t, "kind"), "lock")) {
		why = xasprintf("%s is still held when the handler succeeds: a lock kept past prepare is not derived",
				w);
	} else if (json_is_true(json_object_get(t, "conditional"))) {
		why = xasprintf("%s is taken on some paths only (in a branch or a loop): the %s cannot tell whether it was taken",
				w, hook);
	} else {
		json_array_foreach(held, k, l) {
			long long ln = json_integer_value(l);

			if (why || ln == line_of(succ))
				continue;
			if (test < 0 && own_test(an, t, ln))
				test = ln;
			else
				why = xasprintf("the failure return at line %lld keeps %s: the old error path does not release it, so there is nothing to derive the release from",
						ln, w);
		}
		if (!why)
			json_array_append_new(kept, take_entry(t, test));
	}
	json_decref(held);
	free(w);
	return why;
}

json_t *state_plan(json_t *r, const struct api_profile *p, char **why)
{
	json_t *an = json_object_get(r, "analysis"), *succ, *t, *hz, *kept, *plan;
	int rfc = !strcmp(p->api, "rfc"), mergeable;
	const char *mode, *hook;
	size_t i;

	*why = NULL;
	if (!an || strcmp(js(r, "analyzer"), "libclang")) {
		*why = xasprintf("libclang did not parse the handler (its facts are %s): what it takes and releases, and on which paths, is not known exactly",
				 jstr(r, "analyzer") ? jstr(r, "analyzer") : "the scan's");
		return NULL;
	}
	if (jstr(an, "def_file") && strcmp(jstr(an, "def_file"), js(r, "file"))) {
		*why = xasprintf("defined in %s, not in the file that registers it: a handler of several files converts as one change only when it is simple, and this one keeps state",
				 jstr(an, "def_file"));
		return NULL;
	}
	if (!rfc && !p->has_mapped) {
		*why = xstrdup("the tree's struct vm_operations_struct has no mapped hook (include/linux/mm.h), and mainline has no abort hook: what the handler takes cannot be kept by the mapping");
		return NULL;
	}
	succ = success_return(an);
	if (!succ) {
		*why = xstrdup("no return of the handler succeeds (every one returns -E...)");
		return NULL;
	}
	json_array_foreach(json_object_get(an, "returns"), i, t)
		if (t != succ && !strcmp(js(t, "value"), "0")) {
			*why = xasprintf("returns 0 at line %lld and at line %lld: which success keeps the state is not derived",
					 line_of(t),
					 line_of(succ));
			return NULL;
		}
	hz = json_object_get(an, "hazards");
	/*
	 * The core tries the merge before the old ->mmap ran, with the flags
	 * of the mmap() call, and after prepare, with prepare's flags
	 * (docs/core-rules.md).  A handler that changes no flag merges the
	 * same mappings as before: vm_ops->mapped (mainline) and mmap_complete
	 * (rfc) run exactly when the old ->mmap ran.  What prepare takes
	 * stays taken when the mapping merges: neither complete nor abort
	 * runs then.
	 */
	mergeable = !json_is_false(json_object_get(hz, "mergeable"));
	if (mergeable && changes_flags(an)) {
		*why = xasprintf("the new mapping may merge with a neighbour (it sets none of the flags that stop merging, and it changes the flags, the offset or the file the merge compares, so it does not merge the same mappings as before): then %s (docs/hazards.md, H2; docs/core-rules.md)",
				 rfc ?
				 "mmap_complete does not run, nor mmap_abort, and what prepare took stays taken with no VMA of its own to release it" :
				 "vm_ops->mapped does not run, and what the handler took is not taken");
		return NULL;
	}
	/* rfc: kept by prepare and undone by mmap_abort, or taken in mmap_complete */
	mode = !rfc ? "mapped" : mergeable ? "complete" : "abort";
	hook = !rfc ? "vm_ops->mapped hook" : mergeable ? "mmap_complete hook" : "mmap_abort";

	kept = json_array();
	json_array_foreach(json_object_get(an, "takes"), i, t) {
		*why = kept_take(r, an, t, succ, hook, kept);
		if (*why)
			goto refuse;
	}
	if (!json_array_size(kept)) {
		*why = xstrdup("the facts show no take still held when the handler succeeds");
		goto refuse;
	}

	plan = json_object();
	json_object_set_new(plan, "merge", json_string(mergeable ? "same" : "never"));
	json_object_set_new(plan, "success", json_integer(line_of(succ)));
	json_object_set_new(plan, "success_value", json_string(js(succ, "value")));
	json_object_set_new(plan, "takes", kept);
	if (!strcmp(mode, "abort")) {
		*why = abort_releases(r, an, succ, kept, plan);
		/*
		 * no failure path releases it: a take that cannot fail can still
		 * move to mmap_complete, which runs once the VMA exists
		 */
		char *still = *why ? movable_takes(r, an, kept, "mmap_complete",
						   "no failure path releases it") : NULL;

		if (*why && !still) {
			free(*why);
			*why = NULL;
			mode = "complete";
			json_object_del(plan, "releases");
		}
		free(still);
	} else if (!strcmp(mode, "complete")) {
		*why = movable_takes(r, an, kept, "mmap_complete", "the mapping may merge, and then neither mmap_complete nor mmap_abort runs to release it (docs/hazards.md, H2)");
	} else {
		*why = mapped_takes(r, an, kept, plan);
	}
	json_object_set_new(plan, "mode", json_string(mode));
	if (*why) {
		json_decref(plan);
		return NULL;
	}
	return plan;
refuse:
	json_decref(kept);
	return NULL;
}
