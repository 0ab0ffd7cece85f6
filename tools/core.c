// SPDX-License-Identifier: GPL-2.0
/*
 * core.c - the core's rules that decide what a conversion changes, read
 * from the tree that is converted (docs/core-rules.md).
 *
 * Each rule names the function of mm/vma.c, mm/util.c or
 * include/linux/mm.h it comes from and says whether that function, as the
 * tree has it, bears it out.  A rule the tree does not bear out is not
 * used: the flags that stop merging are the tree's own list, and a tree
 * that has none gets no flag that stops merging (every mapping may
 * merge), which only makes more conversions state or refuse.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"

/*
 * The body of function fn in text: from the "{" that opens it (kernel
 * style: at the start of a line after the line that names it) to the
 * matching "}".  NULL when the file does not define it.
 */
static char *body_of(const char *text, const char *fn)
{
	size_t n = strlen(fn);
	const char *p = text;

	while ((p = strstr(p, fn))) {
		const char *q = p + n, *open, *e;
		int depth = 0;

		if ((p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) || *q != '(') {
			p = q;
			continue;
		}
		/* a definition: ")" then a line that is "{", before any ";" */
		open = strstr(q, "\n{");
		e = strchr(q, ';');
		if (!open || (e && e < open)) {
			p = q;
			continue;
		}
		for (e = open + 1; *e; e++) {
			depth += *e == '{';
			depth -= *e == '}';
			if (!depth)
				return strndup(open + 1, e - open);
		}
		return NULL;
	}
	return NULL;
}

/* Offset of the first call of call( in body, or -1. */
static long call_at(const char *body, const char *call)
{
	size_t n = strlen(call);
	const char *p = body;

	while (body && (p = strstr(p, call))) {
		if ((p == body || (!isalnum((unsigned char)p[-1]) && p[-1] != '_')) && p[n] == '(')
			return p - body;
		p += n;
	}
	return -1;
}

/* The rules core_rules() reads, by id: a core-rules.json read back holds each. */
const char *const core_rule_ids[] = {
	"special-flags-defined", "special-flags-stop-new-merge", "close-does-not-stop-new-merge",
	"prepare-before-merge", "merge-before-allocation", "actions-after-allocation-new-vma-only",
	"old-mmap-after-allocations", "actions-after-replaced-unmapped",
	"replaced-cleared-before-mmap", "mapped-after-action-error-unmaps", NULL
};

static void rule(json_t *rules, const char *id, int holds, const char *from)
{
	json_t *o = json_object();

	if (!str_in_list(id, core_rule_ids))
		die("core.c: the rule %s is not in core_rule_ids", id);

	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "holds", json_boolean(holds));
	json_object_set_new(o, "from", json_string(from));
	json_array_append_new(rules, o);
}

/* The flags of "#define VMA_SPECIAL_FLAGS mk_vma_flags(VMA_IO_BIT, ...)" or "VM_SPECIAL (VM_IO | ...)". */
static json_t *special_flags(const char *mm_h, const char **from)
{
	json_t *flags = json_array();
	const char *d = mm_h ? strstr(mm_h, "#define VMA_SPECIAL_FLAGS") : NULL;
	const char *p, *end;

	*from = "include/linux/mm.h: VMA_SPECIAL_FLAGS";
	if (!d && mm_h) {
		d = strstr(mm_h, "#define VM_SPECIAL");
		if (d && (d[18] == ' ' || d[18] == '\t'))
			*from = "include/linux/mm.h: VM_SPECIAL";
	}
	if (!d)
		return flags;
	/* the definition, with its continuation lines */
	for (end = d; *end && !(*end == '\n' && end[-1] != '\\'); end++)
		;
	for (p = strchr(d, ' '); p && p < end; p++) {
		const char *s = p;
		char *name;

		if (strncmp(p, "VM_", 3) && strncmp(p, "VMA_", 4))
			continue;
		if (p > d && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		name = strndup(s, p - s);
		if (!strcmp(name, "VMA_SPECIAL_FLAGS") || !strcmp(name, "VM_SPECIAL")) {
			free(name);
			continue;
		}
		if (!strncmp(name, "VMA_", 4) && str_ends_with(name, "_BIT")) {
			/* VMA_IO_BIT is VM_IO */
			char *vm = xasprintf("VM_%.*s", (int)(strlen(name) - 8), name + 4);

			free(name);
			name = vm;
		}
		jarray_add_unique(flags, name);
		free(name);
	}
	return flags;
}

json_t *core_rules(const char *tree)
{
	json_t *out = json_object(), *rules = json_array(), *flags;
	char *mm_h = read_file_at(tree, "include/linux/mm.h", NULL);
	char *vma_c = read_file_at(tree, "mm/vma.c", NULL);
	char *util_c = read_file_at(tree, "mm/util.c", NULL);
	char *merge = vma_c ? body_of(vma_c, "vma_merge_new_range") : NULL;
	char *mergeable = vma_c ? body_of(vma_c, "is_mergeable_vma") : NULL;
	char *remove = vma_c ? body_of(vma_c, "can_merge_remove_vma") : NULL;
	char *region = vma_c ? body_of(vma_c, "__mmap_region") : NULL;
	char *newvma = vma_c ? body_of(vma_c, "__mmap_new_vma") : NULL;
	char *setup = vma_c ? body_of(vma_c, "__mmap_setup") : NULL;
	char *finish = util_c ? body_of(util_c, "mmap_action_finish") : NULL;
	const char *from;
	long prep, mrg, alloc, act, va, pre, file, clean;

	flags = special_flags(mm_h, &from);
	rule(rules, "special-flags-defined", json_array_size(flags) > 0, from);
	rule(rules, "special-flags-stop-new-merge", merge &&
	     (strstr(merge, "VMA_SPECIAL_FLAGS") || strstr(merge, "VM_SPECIAL")),
	     "mm/vma.c: vma_merge_new_range()");
	/* ->close stops only the removal of a VMA a merge would delete */
	rule(rules, "close-does-not-stop-new-merge", mergeable && !strstr(mergeable, "close") &&
	     remove && strstr(remove, "close"),
	     "mm/vma.c: is_mergeable_vma(), can_merge_remove_vma()");
	prep = call_at(region, "call_mmap_prepare");
	mrg = call_at(region, "vma_merge_new_range");
	alloc = call_at(region, "__mmap_new_vma");
	act = call_at(region, "mmap_action_complete");
	rule(rules, "prepare-before-merge", prep >= 0 && mrg > prep,
	     "mm/vma.c: __mmap_region()");
	rule(rules, "merge-before-allocation", mrg >= 0 && alloc > mrg,
	     "mm/vma.c: __mmap_region()");
	rule(rules, "actions-after-allocation-new-vma-only", alloc >= 0 && act > alloc &&
	     region && strstr(region + alloc, "allocated_new"),
	     "mm/vma.c: __mmap_region()");
	va = call_at(newvma, "vm_area_alloc");
	pre = call_at(newvma, "vma_iter_prealloc");
	file = call_at(newvma, "__mmap_new_file_vma");
	rule(rules, "old-mmap-after-allocations", va >= 0 && pre > va && file > pre,
	     "mm/vma.c: __mmap_new_vma()");
	/* MAP_FIXED: what the mapping replaces is gone before the action runs */
	rule(rules, "actions-after-replaced-unmapped", act >= 0 &&
	     call_at(region, "__mmap_complete") >= 0 && act > call_at(region, "__mmap_complete") &&
	     call_at(region, "vms_abort_munmap_vmas") >= 0,
	     "mm/vma.c: __mmap_region()");
	/*
	 * ...and gone before ->mmap or prepare runs: the replaced range is
	 * cleared (its PTEs zapped, its close called) by vms_clean_up_area(),
	 * in __mmap_region() or in the __mmap_setup() it calls first, so a
	 * failure of either leaves the same hole
	 */
	clean = call_at(region, "vms_clean_up_area");
	if (clean < 0 && setup && call_at(setup, "vms_clean_up_area") >= 0)
		clean = call_at(region, "__mmap_setup");
	rule(rules, "replaced-cleared-before-mmap", clean >= 0 && alloc > clean &&
	     (prep < 0 || prep > clean),
	     "mm/vma.c: __mmap_region(), __mmap_setup()");
	rule(rules, "mapped-after-action-error-unmaps", finish &&
	     call_at(finish, "call_vma_mapped") >= 0 && call_at(finish, "do_munmap") >= 0,
	     "mm/util.c: mmap_action_finish()");
	json_object_set_new(out, "special_flags", flags);
	json_object_set_new(out, "rules", rules);
	free(mm_h);
	free(vma_c);
	free(util_c);
	free(merge);
	free(mergeable);
	free(remove);
	free(region);
	free(newvma);
	free(setup);
	free(finish);
	return out;
}

/* Does the rule id hold in rules (core_rules()'s)? */
int core_rule(json_t *rules, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(rules, "rules"), i, r)
		if (!strcmp(jstr(r, "id"), id))
			return json_is_true(json_object_get(r, "holds"));
	return 0;
}
