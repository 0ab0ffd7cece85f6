// SPDX-License-Identifier: GPL-2.0
/*
 * plan.c - the dispatcher plan: for each subsystem hook, how many leaf
 * handlers it has and how many would convert if the subsystem had a
 * prepare variant of the hook (as the seed did for procfs with
 * proc_mmap_prepare): a leaf whose own facts make it simple converts with
 * the variant alone; a whole-range remap or a page insertion converts
 * with the variant and an mmap action; the rest needs more.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

static void bump(json_t *o, const char *k)
{
	json_t *c = json_object_get(o, k);

	json_object_set_new(o, k, json_integer(c ? json_integer_value(c) + 1 : 1));
}

static json_t *hook_entry(json_t *hooks, const char *hook)
{
	json_t *h = json_object_get(hooks, hook);

	if (!h) {
		h = json_pack("{s:i,s:i,s:i,s:i,s:i,s:{},s:[]}", "leaves", 0,
			      "convertible_with_prepare_variant", 0,
			      "convertible_with_variant_and_action", 0, "needs_more", 0,
			      "not_analysed", 0, "leaf_categories", "dispatchers");
		json_object_set_new(hooks, hook, h);
	}
	return h;
}

/*
 * Does every remap of the analysis map the whole VMA (whole_range, as
 * decide.c judged it), or is one vm_iomap_memory(), which checks its range
 * itself?  Then the action that replaces it maps the same pages.
 */
static int maps_whole_vma(json_t *r)
{
	json_t *x;
	size_t i;
	int whole = 1;

	json_array_foreach(json_object_get(json_object_get(r, "analysis"), "remaps"), i, x) {
		if (jstr(x, "fn") && !strcmp(jstr(x, "fn"), "vm_iomap_memory"))
			return 1;
		whole &= json_is_true(json_object_get(x, "whole_range"));
	}
	return whole;
}

json_t *dispatcher_plan(json_t *records)
{
	json_t *hooks = json_object(), *r;
	size_t i;

	json_array_foreach(records, i, r) {
		const char *cat = jstr(r, "category"), *leaf = jstr(r, "leaf_category");
		const char *ops = jstr(r, "ops_type"), *to = jstr(r, "dispatches_to");
		char *hook;
		json_t *h;

		if (!cat)
			continue;
		if (to && !strcmp(cat, "dispatcher")) {
			/* a file_operations handler that calls the hook: the dispatcher itself */
			const char *def = jstr(json_object_get(r, "analysis"), "def_file");
			char *who = xasprintf("%s() in %s", jstr(r, "function"), def ? def : jstr(r, "file"));
			json_t *d, *list;
			size_t j;
			int seen = 0;

			h = hook_entry(hooks, to);
			list = json_object_get(h, "dispatchers");
			json_array_foreach(list, j, d)
				seen |= !strcmp(json_string_value(d), who);
			if (!seen)
				json_array_append_new(list, json_string(who));
			free(who);
			continue;
		}
		if (strcmp(cat, "dispatcher") || !jstr(r, "function") || !ops)
			continue;
		hook = xasprintf("%s.%s", ops, jstr(r, "hook"));
		h = hook_entry(hooks, hook);
		free(hook);
		bump(h, "leaves");
		if (!leaf) {
			bump(h, "not_analysed");
			continue;
		}
		bump(json_object_get(h, "leaf_categories"), leaf);
		if (!strcmp(leaf, "simple"))
			bump(h, "convertible_with_prepare_variant");
		else if ((!strcmp(leaf, "pfn-remap") && maps_whole_vma(r)) ||
			 !strcmp(leaf, "page-insert"))
			bump(h, "convertible_with_variant_and_action");
		else
			bump(h, "needs_more");
	}
	return hooks;
}

void dispatcher_plan_print(FILE *f, json_t *plan)
{
	const char *k;
	json_t *h, *d;
	size_t i;

	fprintf(f, "Dispatcher plan (leaves per subsystem hook; convertible with a prepare\n"
		"variant of the hook alone / with the variant and an mmap action):\n");
	fprintf(f, "  %-44s %6s %8s %8s %6s %6s\n", "hook", "leaves", "variant", "+action",
		"more", "lexed");
	json_object_foreach(plan, k, h) {
		fprintf(f, "  %-44s %6d %8d %8d %6d %6d\n", k, jint(h, "leaves"),
			jint(h, "convertible_with_prepare_variant"),
			jint(h, "convertible_with_variant_and_action"), jint(h, "needs_more"),
			jint(h, "not_analysed"));
		json_array_foreach(json_object_get(h, "dispatchers"), i, d)
			fprintf(f, "  %-44s called by %s\n", "", json_string_value(d));
	}
	fprintf(f, "\n");
}
