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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "analyzer/analyzer.h"

/* Effects that change nothing a mapping depends on, or are the mapping's own. */
static int harmless(const char *effect)
{
	return !strcmp(effect, "pure") || !strcmp(effect, "log") ||
	       !strcmp(effect, "vma-edit") || !strcmp(effect, "followed");
}

/* Is take t moved out of prepare by the state plan (mainline: vm_ops->mapped)? */
static int moved(json_t *plan, json_t *e)
{
	json_t *t;
	size_t i;

	if (!plan || strcmp(js(plan, "mode"), "mapped"))
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

/* Where the conversion puts effect e: prepare, action, mapped or complete. */
static const char *placement(json_t *an, json_t *e, const char *method, json_t *plan,
			     long long mapping_at)
{
	if (!strcmp(js(e, "effect"), "mapping") || !strcmp(js(e, "effect"), "dma-mmap"))
		return !strcmp(method, "remap-complete") ? "complete" : "action";
	if (moved(plan, e))
		return "mapped";
	/* rfc: what follows the mapping call moves into mmap_complete with it */
	if (!strcmp(method, "remap-complete") && mapping_at >= 0 && jint(e, "offset") > mapping_at)
		return "complete";
	return "prepare";
}

/* The success return, as state.c and decide.c take it. */
static json_t *success_return(json_t *an)
{
	json_t *x, *succ = NULL, *zero = NULL;
	size_t i;

	json_array_foreach(json_object_get(an, "returns"), i, x) {
		if (js(x, "value")[0] != '-')
			succ = x;
		if (!strcmp(js(x, "value"), "0"))
			zero = x;
	}
	return zero ? zero : succ;
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
