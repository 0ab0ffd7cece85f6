// SPDX-License-Identifier: GPL-2.0
/*
 * decide.c - the decision table of docs/categories.md, applied to the
 * facts analyze.c found.  Every fact that raises the category is kept in
 * "reasons" (the deciding facts); every fact, deciding or not, in "facts",
 * in words a reviewer reads.  The hazards of docs/hazards.md are stated as
 * facts too, and kept structured under analysis.hazards for convert.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../category.h"
#include "analyzer.h"

/*
 * The core's rules, read from the tree (core.c, docs/core-rules.md): the
 * flags that keep a new mapping from merging with a neighbour (docs/hazards.md, H2),
 * and whether a vm_ops->close does.
 */
static json_t *core;

void decide_set_core(json_t *rules)
{
	core = rules;
}

static int stops_merge(const char *flag)
{
	json_t *f;
	size_t i;

	if (!core_rule(core, "special-flags-stop-new-merge"))
		return 0;
	json_array_foreach(json_object_get(core, "special_flags"), i, f)
		if (!strcmp(json_string_value(f), flag))
			return 1;
	return 0;
}

/* what remap_pfn_range() sets on the VMA (mm/memory.c) */
static const char *const remap_flags[] = { "VM_IO", "VM_PFNMAP", "VM_DONTEXPAND", NULL };

struct decision {
	struct findings f;		/* the category, its facts and reasons */
	struct strlist followed;	/* helpers the VMA is passed to, followed */
};

static void add_unique(json_t *a, const char *s)
{
	jarray_add_unique(a, s);
}


static void add_unique_str_json(json_t *an, const char *key, const char *s)
{
	json_t *a = json_object_get(an, key);

	if (!a) {
		a = json_array();
		json_object_set_new(an, key, a);
	}
	add_unique(a, s);
}


/* Is the release rel a match for take t (same kind, same object)? */
static int pairs(json_t *t, json_t *rel)
{
	const char *tk = jstr(t, "key"), *rk = jstr(rel, "key"), *res = jstr(t, "result");

	if (strcmp(js(t, "kind"), js(rel, "kind")))
		return 0;
	if (!rk)
		return 1;
	if (tk && !strcmp(tk, rk))
		return 1;
	/* the object as the compiler sees it: o.ref for &o->ref and &(o)->ref */
	if (jstr(t, "key_path") && jstr(rel, "key_path") &&
	    !strcmp(jstr(t, "key_path"), jstr(rel, "key_path")))
		return 1;
	if (res && !strcmp(res, rk))
		return 1;
	/* kref_get(&o->ref) / kref_put(&o->ref, release): keys compare as text */
	if (tk && rk && (strstr(rk, tk) || strstr(tk, rk)))
		return 1;
	return !strcmp(js(t, "kind"), "lock") && (!tk || !rk);
}

/*
 * Is t still held at offset at (taken before, no matching release between)?
 * On the success path, a release under an if (if (ret) atomic_dec()) does
 * not count.
 */
static int held_at(json_t *an, json_t *t, long long at, int success)
{
	json_t *rel;
	size_t i;

	if (json_is_true(json_object_get(t, "auto_release")) || off(t) >= at)
		return 0;
	json_array_foreach(json_object_get(an, "releases"), i, rel)
		if (off(rel) > off(t) && off(rel) < at && pairs(t, rel) &&
		    !(success && json_is_true(json_object_get(rel, "conditional"))) &&
		    (!json_object_get(rel, "exit_path_until") ||
		     at <= json_integer_value(json_object_get(rel, "exit_path_until"))))
			return 0;
	return 1;
}

/* The value a local stands for, when the handler assigned it once. */
static const char *local(json_t *an, const char *name)
{
	const char *v = jstr(json_object_get(an, "locals"), name);

	return v ? v : name;
}

static int whole_range(json_t *an, const char *vma, json_t *rm)
{
	char *start = xasprintf("%s->vm_start", vma);
	char *pages = xasprintf("vma_pages(%s)", vma);
	const char *addr = local(an, js(rm, "addr"));
	const char *size = local(an, js(rm, "size"));
	int r;

	if (!strcmp(js(rm, "fn"), "vm_iomap_memory"))
		r = 1;		/* maps into the whole VMA, or fails */
	else
		r = !strcmp(addr, start) &&
		    ((strstr(size, "vm_end") && strstr(size, "vm_start")) || strstr(size, pages));
	free(start);
	free(pages);
	return r;
}

static void fields(struct decision *d, json_t *an, const char *vma, json_t *hz)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(an, "fields_read"), i, x) {
		const char *f = js(x, "field");

		if (!str_in_list(f, vma_fields_read))
			finding(&d->f, CAT_NEEDS_VMA, "reads %s->%s in %s() line %lld: no descriptor equivalent",
			     vma, f, js(x, "in"), line_of(x));
		else if (!strcmp(f, "vm_flags") && strcmp(js(x, "op"), "&") &&
			 strcmp(js(x, "op"), "is_nommu_shared_mapping"))
			finding(&d->f, CAT_NEEDS_VMA, "reads %s->vm_flags other than as a flag test in %s() line %lld",
			     vma, js(x, "in"), line_of(x));
	}
	json_array_foreach(json_object_get(an, "fields_written"), i, x) {
		const char *f = js(x, "field");

		if (!str_in_list(f, vma_fields_write) || strcmp(js(x, "op"), "="))
			finding(&d->f, CAT_NEEDS_VMA, "writes %s->%s %s %s in %s(): no descriptor equivalent",
			     vma, f, js(x, "op"), js(x, "expr"), js(x, "in"));
		if (!strcmp(f, "vm_pgoff")) {
			finding(&d->f, CAT_SIMPLE, "rewrites %s->vm_pgoff = %s (line %lld; docs/hazards.md, H7: keep the order with any remap)",
			     vma, js(x, "expr"), line_of(x));
			json_object_set_new(hz, "pgoff_rewritten", json_string(js(x, "expr")));
		}
	}
}

/* The analysis.followed entry of fn, or NULL. */
static json_t *followed_entry(json_t *an, const char *fn)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(an, "followed"), i, x)
		if (!strcmp(js(x, "fn"), fn))
			return x;
	return NULL;
}

/*
 * fn, followed with the VMA, is a static function of the handler's file
 * that only this call uses: the semantic patch converts it with its
 * caller (mmap_prepare_simple.cocci).  The entry says so (with_handler),
 * for equiv and series.
 */
static int static_helper(json_t *an, const char *fn)
{
	json_t *x = followed_entry(an, fn);
	int with = x && !strcmp(js(x, "where"), "static, this file") &&
		   jint(x, "named") == 1 &&
		   (!json_object_get(x, "refs") || jint(x, "refs") == 1);

	if (x)
		json_object_set_new(x, "with_handler", json_boolean(with));
	return with;
}

static void calls(struct decision *d, json_t *r, json_t *an)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(an, "calls"), i, x) {
		const char *k = js(x, "kind"), *c = js(x, "callee");

		if (!strcmp(k, "dma-mmap"))
			finding(&d->f, CAT_DMA_MMAP, "%s() maps a DMA buffer into the VMA in %s()", c,
			     js(x, "in"));
		else if (!strcmp(k, "stacked"))
			finding(&d->f, CAT_STACKED, "%s() hands the VMA to another file's mmap in %s()", c,
			     js(x, "in"));
		else if (!strcmp(k, "followed") && static_helper(an, c))
			finding(&d->f, CAT_SIMPLE, "passes the VMA to %s(), a static function of this file: it converts with the handler (its VMA parameter becomes the descriptor) when every use of its name is such a call from a handler that converts (its facts are followed and included here)",
			     c);
		else if (!strcmp(k, "followed") && (strlist_add_once(&d->followed, c), 1))
			finding(&d->f, CAT_NEEDS_VMA, "passes the VMA to %s(), which takes a vm_area_struct%s: only the handler is rewritten (its facts are followed and included here)",
			     c, !strcmp(js(followed_entry(an, c), "where"), "static, this file") ?
			     ", a static function of this file used elsewhere too (its other uses expect the VMA)" : "");
	}
	json_array_foreach(json_object_get(an, "escapes"), i, x) {
		if (!strcmp(js(x, "how"), "passed"))
			finding(&d->f, CAT_NEEDS_VMA, "the VMA escapes: passed to %s() in %s() line %lld, %s",
			     js(x, "to"), js(x, "in"), line_of(x),
			     json_is_true(json_object_get(x, "visible")) ? "too deep to follow" :
			     "whose body the analyzer cannot see");
		else
			finding(&d->f, CAT_NEEDS_VMA, "the VMA escapes: %s%s%s in %s() line %lld",
			     js(x, "how"), jstr(x, "to") ? " into " : "",
			     jstr(x, "to") ? jstr(x, "to") : "", js(x, "in"), line_of(x));
	}
	json_array_foreach(json_object_get(an, "stacked"), i, x)
		finding(&d->f, CAT_STACKED, "calls another file's mmap (%s) in %s(): stacked (docs/hazards.md, H8)",
		     jstr(x, "hook") ? js(x, "expr") : js(x, "call"), js(x, "in"));
	json_array_foreach(json_object_get(an, "dispatches"), i, x) {
		finding(&d->f, CAT_DISPATCHER, "dispatches the VMA to the subsystem hook %s (%s) in %s()",
		     js(x, "hook"), js(x, "expr"), js(x, "in"));
		if (!json_object_get(r, "dispatches_to"))
			json_object_set_new(r, "dispatches_to", json_string(js(x, "hook")));
	}
}

struct mapping {
	long long at;		/* offset of the first remap or insert, -1: none */
	int all_whole, any_io, iomem, nremap, io_remap;
	const char *insert_kind;
};

static void remaps(struct decision *d, json_t *an, const char *vma, json_t *hz,
		   json_t *flags_set, struct mapping *m)
{
	json_t *x;
	size_t i, j;

	json_array_foreach(json_object_get(an, "remaps"), i, x) {
		int whole = whole_range(an, vma, x);
		const char *fn = js(x, "fn"), *res = js(x, "result");

		m->nremap++;
		json_object_set_new(x, "whole_range", json_boolean(whole));
		m->all_whole &= whole;
		m->any_io |= json_is_true(json_object_get(x, "io"));
		m->iomem |= !strcmp(fn, "vm_iomap_memory");
		m->io_remap |= !strncmp(fn, "io_remap_pfn_range", 18);
		if (m->at < 0)
			m->at = off(x);
		for (j = 0; remap_flags[j]; j++)
			if (stops_merge(remap_flags[j]))
				add_unique(flags_set, remap_flags[j]);
		finding(&d->f, CAT_PFN_REMAP, "%s() maps PFNs into the VMA in %s() line %lld: %s%s",
		     fn, js(x, "in"), line_of(x),
		     whole ? "the whole VMA" : "part of the VMA, or a range not checked against it",
		     json_is_true(json_object_get(x, "io")) ? ", I/O memory" : "");
		if (!whole)
			finding(&d->f, CAT_PFN_REMAP, "remap range: addr %s, size %s (docs/hazards.md, H4: the mainline action rejects a range past the VMA's end)",
			     js(x, "addr"),
			     local(an, js(x, "size")));
		if (jstr(x, "prot")) {
			char *vprot = xasprintf("%s->vm_page_prot", vma);
			int stored = 0;
			json_t *w;
			size_t k;

			json_array_foreach(json_object_get(an, "fields_written"), k, w)
				if (!strcmp(js(w, "field"), "vm_page_prot") &&
				    !strcmp(js(w, "expr"), js(x, "prot")))
					stored = 1;
			if (strcmp(js(x, "prot"), vprot) && !stored) {
				finding(&d->f, CAT_PFN_REMAP, "the protection %s is passed only to %s(), not stored in %s (docs/hazards.md, H3: set the action's own prot, not desc->page_prot)",
				     js(x, "prot"), fn, vprot);
				json_object_set_new(hz, "prot_only_for_remap",
						    json_string(js(x, "prot")));
			}
			free(vprot);
		}
		if (!strcmp(res, "ignored")) {
			finding(&d->f, CAT_PFN_REMAP, "the result of %s() is ignored (docs/hazards.md, H5: the action propagates it; say so in the commit message)",
			     fn);
			json_object_set_new(hz, "error_ignored", json_string(fn));
		} else if (jstr(x, "result_return") && !strncmp(jstr(x, "result_return"), "-E", 2)) {
			finding(&d->f, CAT_PFN_REMAP, "the error of %s() is rewritten: return %s (docs/hazards.md, H5: needs action.error_override)",
			     fn, jstr(x, "result_return"));
			json_object_set_new(hz, "error_rewritten", json_string(jstr(x, "result_return")));
		}
	}
	json_array_foreach(json_object_get(an, "inserts"), i, x) {
		const char *fn = js(x, "fn");
		int loop = json_is_true(json_object_get(x, "in_loop"));

		if (!m->insert_kind)
			m->insert_kind = !strcmp(fn, "vm_insert_page") && loop ?
				"vm_insert_page loop" : fn;
		if (m->at < 0)
			m->at = off(x);
		add_unique(flags_set, strncmp(fn, "remap_vmalloc", 13) ? "VM_MIXEDMAP" :
			   "VM_DONTEXPAND");
		finding(&d->f, CAT_PAGE_INSERT, "%s() inserts pages into the VMA in %s() line %lld%s", fn,
		     js(x, "in"), line_of(x), loop ? ", in a loop" : "");
		if (!strcmp(js(x, "result"), "ignored")) {
			finding(&d->f, CAT_PAGE_INSERT, "the result of %s() is ignored (docs/hazards.md, H5)", fn);
			json_object_set_new(hz, "error_ignored", json_string(fn));
		}
	}
}

/*
 * The success return, which the record keeps for every later stage
 * (analysis.success_return, an index into returns): the last "return 0",
 * else the last one that does not return -E...  "return 0; err: kfree(b);
 * return ret;" is kernel unwinding: the last return there is a failure
 * exit.  Chosen for every analysis the record keeps, decided or not (a
 * library twin's, one with parse errors): equivalence reads it.
 */
static void choose_success(json_t *an)
{
	long long succ = -1, zero = -1;
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(an, "returns"), i, x) {
		if (js(x, "value")[0] != '-')
			succ = i;
		if (!strcmp(js(x, "value"), "0"))
			zero = i;
	}
	if (zero >= 0)
		succ = zero;
	json_object_set_new(an, "success_return", succ >= 0 ? json_integer(succ) : json_null());
}

static void resources(struct decision *d, json_t *r, json_t *an, json_t *across,
		      struct mapping *m)
{
	json_t *x, *succ = success_return(an);
	long long success_at = succ ? off(succ) : -1;
	size_t i;

	json_array_foreach(json_object_get(an, "returns"), i, x) {
		const char *v = js(x, "value");

		if (v[0] == '-' && v[1] == 'E')
			add_unique_str_json(an, "error_codes", v);
	}
	json_array_foreach(json_object_get(an, "takes"), i, x) {
		const char *kind = js(x, "kind"), *call = js(x, "call");
		const char *what = !strcmp(kind, "ref") ? "a reference" : "an allocation";
		json_t *held = json_array(), *ret, *rel;
		size_t k;

		if (strcmp(js(x, "in"), js(r, "function"))) {
			/* taken in a followed helper: is it released in that helper? */
			int released = json_is_true(json_object_get(x, "auto_release"));

			json_array_foreach(json_object_get(an, "releases"), k, rel)
				if (!strcmp(js(rel, "in"), js(x, "in")) &&
				    json_integer_value(json_object_get(rel, "pos")) >
				    json_integer_value(json_object_get(x, "pos")) && pairs(x, rel))
					released = 1;
			json_decref(held);
			if (released)
				continue;
			if (!strcmp(kind, "lock"))
				finding(&d->f, CAT_SIMPLE, "%s() in the helper %s() is not released there",
				     call, js(x, "in"));
			else
				finding(&d->f, CAT_STATEFUL, "%s() in the helper %s() takes %s it does not release",
				     call, js(x, "in"), what);
			continue;
		}

		json_array_foreach(json_object_get(an, "returns"), k, ret)
			if (held_at(an, x, off(ret), off(ret) == success_at))
				json_array_append_new(held, json_integer(line_of(ret)));
		json_object_set_new(x, "held_at_returns", held);
		if (!strcmp(kind, "lock")) {
			if (m->at >= 0 && off(x) < m->at && (held_at(an, x, m->at + 1, 0) ||
			    json_is_true(json_object_get(x, "auto_release")))) {
				add_unique(across, call);
				finding(&d->f, CAT_SIMPLE, "%s(%s) is held across the mapping (docs/hazards.md, H6: a mainline action cannot carry it from prepare)",
				     call,
				     jstr(x, "key") ? jstr(x, "key") : "");
			}
			if (json_array_size(held))
				finding(&d->f, CAT_SIMPLE, "%s() in %s() is still held at %zu return(s) (first at line %lld)",
				     call, js(x, "in"), json_array_size(held),
				     json_integer_value(json_array_get(held, 0)));
			continue;
		}
		if (success_at >= 0 && held_at(an, x, success_at + 1, 1))
			finding(&d->f, CAT_STATEFUL, "%s() in %s() line %lld takes %s still held when the handler succeeds: kept by the mapping (mainline: vm_ops->mapped; rfc: complete + abort)",
			     call, js(x, "in"), line_of(x), what);
		else if (json_array_size(held))
			finding(&d->f, CAT_STATEFUL, "%s() in %s() takes %s that is not released on every return path (held at line %lld)",
			     call, js(x, "in"), what,
			     json_integer_value(json_array_get(held, 0)));
		else
			finding(&d->f, CAT_SIMPLE, "%s() in %s() takes %s released before every return",
			     call, js(x, "in"), what);
	}
	if (json_integer_value(json_object_get(an, "gotos")))
		finding(&d->f, CAT_SIMPLE, "unwinds with goto (%lld goto statements)",
		     json_integer_value(json_object_get(an, "gotos")));
	json_array_foreach(json_object_get(an, "desc_calls"), i, x)
		finding(&d->f, CAT_SIMPLE, "passes the VMA to %s() at line %lld, whose prototype in this tree takes a struct vm_area_desc *: the conversion passes the descriptor",
		     js(x, "call"), line_of(x));
	json_array_foreach(json_object_get(an, "dead_code"), i, x)
		finding(&d->f, CAT_SIMPLE, "the block under if (0) at line %lld never runs: what it does is not counted, and the conversion removes it",
		     line_of(x));
}

static void vm_ops(struct decision *d, json_t *an, json_t *hz, json_t *flags_set)
{
	json_t *x, *y;
	size_t i, j, k;

	json_array_foreach(json_object_get(an, "flag_ops"), i, x) {
		if (strcmp(js(x, "op"), "vm_flags_set") && strcmp(js(x, "op"), "vm_flags_mod"))
			continue;
		json_array_foreach(json_object_get(core, "special_flags"), j, y)
			if (strstr(js(x, "flags"), json_string_value(y)) &&
			    stops_merge(json_string_value(y)))
				add_unique(flags_set, json_string_value(y));
	}
	json_array_foreach(json_object_get(an, "vm_ops"), i, x) {
		json_t *rel = json_object_get(x, "close_releases");

		if (jstr(x, "close")) {
			/* 7.x: close stops only the removal of a VMA (core-rules.md) */
			if (!core_rule(core, "close-does-not-stop-new-merge"))
				add_unique(flags_set, "vm_ops->close");
			if (json_array_size(rel)) {
				char *list = xstrdup("");

				json_array_foreach(rel, k, y) {
					char *n = xasprintf("%s%s%s(%s)", list, *list ? ", " : "",
							    js(y, "call"), js(y, "key"));

					free(list);
					list = n;
				}
				finding(&d->f, CAT_SIMPLE, "%s.close = %s() releases %s: if the mapping fails after insertion, close runs for a setup that may not have taken it (docs/hazards.md, H1)",
				     js(x, "ops"), js(x, "close"), list);
				json_object_set_new(hz, "close_releases", json_incref(rel));
				free(list);
			} else {
				finding(&d->f, CAT_SIMPLE, "%s.close = %s() releases nothing the analyzer recognises",
				     js(x, "ops"), js(x, "close"));
			}
		}
		if (jstr(x, "open"))
			finding(&d->f, CAT_SIMPLE, "%s.open = %s()", js(x, "ops"), js(x, "open"));
	}
}

static void decide(struct decision *d, json_t *r, json_t *an)
{
	const char *vma = js(an, "vma_param");
	json_t *x, *hz = json_object(), *flags_set = json_array(), *across = json_array();
	struct mapping m = { .at = -1, .all_whole = 1 };
	size_t i;

	fields(d, an, vma, hz);
	calls(d, r, an);
	remaps(d, an, vma, hz, flags_set, &m);
	resources(d, r, an, across, &m);
	vm_ops(d, an, hz, flags_set);
	json_object_set_new(hz, "mergeable", json_boolean(!json_array_size(flags_set)));
	json_object_set_new(hz, "nomerge_by", flags_set);
	if (json_array_size(across))
		json_object_set_new(hz, "locks_across_mapping", across);
	else
		json_decref(across);
	if (m.at >= 0 || json_array_size(json_object_get(an, "takes")))
		finding(&d->f, CAT_SIMPLE, json_array_size(flags_set) ?
		     "the new mapping cannot merge (docs/hazards.md, H2: complete/mapped always run)" :
		     "the new mapping may merge with a neighbour: work moved to complete or mapped would be skipped (docs/hazards.md, H2)");
	json_array_foreach(json_object_get(an, "arch_branches"), i, x)
		finding(&d->f, CAT_SIMPLE, "an architecture-only branch: %s (docs/hazards.md, H9)",
		     json_string_value(x));
	if (json_object_get(an, "arch_branches"))
		json_object_set_new(hz, "arch_branches",
				    json_incref(json_object_get(an, "arch_branches")));
	if (json_is_true(json_object_get(r, "fops_swapped"))) {
		finding(&d->f, CAT_NEEDS_VMA, "%s is swapped into file->f_op at run time: converting it alone changes behaviour (docs/hazards.md, H8)",
		     js(r, "ops_var"));
		json_object_set_new(hz, "fops_swapped", json_true());
	}
	if (json_is_true(json_object_get(r, "called_directly")))
		finding(&d->f, CAT_NEEDS_VMA, "%s() is also called or referenced directly, not only registered: it is no leaf",
		     js(r, "function"));
	json_object_set_new(an, "hazards", hz);

	/* the variant within the category */
	if (d->f.cat == CAT_NEEDS_VMA) {
		/* needs-vma only because helpers take the VMA, each use with a desc form */
		int only_helpers = d->followed.n && d->f.nreasons == d->followed.n;
		char *list = xstrdup("");

		for (i = 0; i < (size_t)d->followed.n; i++) {
			char *n = xasprintf("%s%s%s()", list, *list ? ", " : "", d->followed.v[i]);

			free(list);
			list = n;
		}
		if (only_helpers)
			json_object_set_new(r, "subcategory", json_string(xasprintf(
				"through helpers: %s, every use with a descriptor form", list)));
		free(list);
	}
	/*
	 * Typed, for convert and check: the handler maps with
	 * io_remap_pfn_range() (the arch-translated path), or maps I/O memory
	 * at all (that, or vm_iomap_memory(), which calls it).
	 */
	json_object_set_new(r, "io_remap", json_boolean(m.io_remap));
	json_object_set_new(r, "io_memory", json_boolean(m.any_io));
	if (d->f.cat == CAT_PFN_REMAP)
		json_object_set_new(r, "subcategory", json_string(
			m.iomem ? "vm_iomap_memory" :
			xasprintf("%s, %s%s", m.any_io ? "io_remap_pfn_range" : "remap_pfn_range",
				  m.all_whole ? "whole range" : "partial range",
				  m.nremap > 1 ? ", several remaps" : "")));
	else if (d->f.cat == CAT_PAGE_INSERT && m.insert_kind)
		json_object_set_new(r, "subcategory", json_string(m.insert_kind));
}

/* vma_uses, for the report and series: the lexical classifier's form */
static json_t *uses(json_t *an)
{
	json_t *u = json_array(), *x;
	size_t i;

	json_array_foreach(json_object_get(an, "fields_read"), i, x)
		add_unique(u, js(x, "field"));
	json_array_foreach(json_object_get(an, "fields_written"), i, x) {
		char *s = xasprintf("%s=", js(x, "field"));

		add_unique(u, s);
		free(s);
	}
	json_array_foreach(json_object_get(an, "calls"), i, x) {
		char *s = xasprintf("%s()", js(x, "callee"));

		add_unique(u, s);
		free(s);
	}
	return u;
}

void decide_record(json_t *r)
{
	json_t *an = json_object_get(r, "analysis");
	const char *lex = jstr(r, "lexical_category");
	const char *ops = jstr(r, "ops_type");
	struct decision d = { .f = { .cat = CAT_SIMPLE, .facts = json_array(),
				    .reasons = json_array() } };
	int dispatcher_leaf = lex && !strcmp(lex, "dispatcher") && ops &&
			      strcmp(ops, "file_operations");
	const char *confidence;
	int cocci;

	if (json_is_object(an))
		choose_success(an);
	/* the lexical category stands unless decide() makes its own, below */
	json_object_set_new(r, "category", json_string(lex));

	if (lex && (!strcmp(lex, "no-handler") || !strcmp(lex, "already-prepare"))) {
		json_object_set_new(r, "analyzer", json_string("scan"));
		json_decref(d.f.facts);
		json_decref(d.f.reasons);
		return;
	}
	if (jstr(r, "twin")) {
		/*
		 * A library handler with its prepare twin in the tree: classify.c
		 * decided on the registration; the analysis of the library's
		 * handler, where there is one, stays for the equivalence.
		 */
		json_object_set_new(r, "analyzer", json_string("lexical"));
		json_decref(d.f.facts);
		json_decref(d.f.reasons);
		return;
	}
	if (json_is_object(an) &&
	    json_integer_value(json_object_get(an, "parse_errors_in_handler")) &&
	    strcmp(js(an, "source"), "coccinelle")) {
		/* the AST of the handler itself is partly error recovery: do not trust it */
		json_object_set_new(r, "analysis_error", json_string(xasprintf(
			"%lld parse errors inside %s()",
			json_integer_value(json_object_get(an, "parse_errors_in_handler")),
			js(r, "function"))));
		an = NULL;
	}
	if (!json_is_object(an)) {
		/* neither libclang nor Coccinelle saw it: the lexical result stands */
		const char *why = jstr(r, "analysis_error"), *cwhy = jstr(r, "coccinelle_error");
		json_t *facts = json_object_get(r, "facts");

		json_object_set_new(r, "analyzer", json_string("lexical"));
		if (why || cwhy) {
			char *s = xasprintf("libclang: %s; %s%s%sthe lexical classification stands",
					    why ? why : "?", cwhy ? "Coccinelle: " : "",
					    cwhy ? cwhy : "", cwhy ? "; " : "");

			json_array_append_new(facts, json_string(s));
			free(s);
		}
		if (strcmp(js(r, "confidence"), "low"))
			json_object_set_new(r, "confidence", json_string("low"));
		json_decref(d.f.facts);
		json_decref(d.f.reasons);
		return;
	}
	cocci = !strcmp(js(an, "source"), "coccinelle");
	if (cocci)
		finding(&d.f, CAT_SIMPLE, "facts from Coccinelle, which reads every #if branch at once and no types (libclang: %s): less sure than libclang's",
		     js(r, "analysis_error"));
	if (jstr(an, "def_file") && strcmp(jstr(an, "def_file"), js(r, "file")))
		finding(&d.f, CAT_SIMPLE, "%s() is defined in %s, shared by every file that registers it",
		     js(r, "function"), jstr(an, "def_file"));
	decide(&d, r, an);
	strlist_free(&d.followed);
	if (d.f.cat == CAT_SIMPLE)
		finding(&d.f, CAT_SIMPLE, "every use of the VMA has a descriptor equivalent");
	confidence = cocci ||
		     json_integer_value(json_object_get(an, "parse_errors_in_handler")) ? "low" :
		     json_integer_value(json_object_get(an, "parse_errors")) ||
		     !strcmp(js(an, "flags"), "fallback") ? "medium" : "high";
	json_object_set_new(r, "analyzer", json_string(cocci ? "coccinelle" : "libclang"));
	json_object_set_new(r, "vma_param", json_string(js(an, "vma_param")));
	if (jstr(an, "file_param"))
		json_object_set_new(r, "file_param", json_string(jstr(an, "file_param")));
	json_object_set_new(r, "vma_uses", uses(an));
	if (dispatcher_leaf || (lex && !strcmp(lex, "unparsed") &&
				strcmp(js(r, "registration"), "initializer"))) {
		/* the leaf as it would be under a prepare variant of its hook */
		json_object_set_new(r, "leaf_category", json_string(cat_names[d.f.cat]));
		if (jstr(r, "subcategory"))
			json_object_set_new(r, "leaf_subcategory",
					    json_string(jstr(r, "subcategory")));
		json_array_insert_new(d.f.facts, 0, json_string(json_string_value(
			json_array_get(json_object_get(r, "facts"), 0))));
		json_object_set_new(r, "facts", d.f.facts);
		json_object_set_new(r, "reasons", json_pack("[{s:s,s:s}]", "category", lex,
			"fact", json_string_value(json_array_get(d.f.facts, 0))));
		json_decref(d.f.reasons);
		if (dispatcher_leaf)
			json_object_set_new(r, "subcategory", json_string(xasprintf("%s.%s", ops,
				js(r, "hook"))));
		json_object_set_new(r, "confidence", json_string(
			!strcmp(lex, "unparsed") ? "low" : confidence));
		return;
	}
	json_object_set_new(r, "category", json_string(cat_names[d.f.cat]));
	if (d.f.cat == CAT_DISPATCHER && jstr(r, "dispatches_to"))
		json_object_set_new(r, "subcategory", json_string(jstr(r, "dispatches_to")));
	json_object_set_new(r, "confidence", json_string(confidence));
	json_object_set_new(r, "facts", d.f.facts);
	json_object_set_new(r, "reasons", d.f.reasons);
}

/* For convert's state plan (tools/state.c): the same pairing and holding. */
int resource_pairs(json_t *take, json_t *rel)
{
	return pairs(take, rel);
}

int resource_held_at(json_t *an, json_t *take, long long at, int success)
{
	return held_at(an, take, at, success);
}
