// SPDX-License-Identifier: GPL-2.0
/*
 * words.c - the sentences series and report make from a conversion's
 * equivalence (docs/equivalence.md).  Only the edge makes words: the
 * record holds the difference as data, and this is the one place that
 * says it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "analyzer/analyzer.h"

static const char *kind_words(const char *kind)
{
	return !strcmp(kind, "lock") ? "a lock" : !strcmp(kind, "ref") ? "a reference" :
	       !strcmp(kind, "alloc") ? "an allocation" : "something";
}

/* One difference d of record r's conversion, as a sentence. */
char *difference_words(json_t *r, json_t *d)
{
	const char *eff = js(d, "effect"), *what = js(d, "what");
	const char *prep = js(json_object_get(r, "conversion"), "new_function");
	json_t *runs = json_object_get(d, "also_runs"), *x;
	char *subject, *when = xstrdup(""), *tail, *s;
	size_t i;

	if (!strcmp(eff, "code") && !strcmp(what, "page protection"))
		return xasprintf("%s() sets the VMA's page protection (%s), which the old handler gave the remap only.",
				 prep, js(d, "new"));
	if (!strcmp(eff, "code"))
		return xasprintf("The %s of the converted code differ from the old handler's: %s before, %s after.",
				 what, *js(d, "old") ? js(d, "old") : "none",
				 *js(d, "new") ? js(d, "new") : "none");
	if (!strcmp(eff, "fails"))
		return xasprintf("%s() now returns its errors (%s, from line %lld) before the core tries to merge the range into a neighbouring mapping: an mmap the core merged, without calling the old ->mmap, can now fail with them.",
				 prep, what, line_of(d));
	if (!strcmp(eff, "action-fails"))
		return xasprintf("%s() now runs once the VMA is in place, after the core has removed what a MAP_FIXED mmap replaces: if it fails, the core unmaps the new VMA and leaves a hole there, where the old ->mmap failed before that removal and the core put the old mappings back (mmapport docs/core-rules.md, actions-after-replaced-unmapped).",
				 what);
	if (!strcmp(eff, "twin"))
		return xasprintf("%s() is the tree's own prepare form of %s(); their code was not compared (%s), so what the library's port changes is the library's to say.",
				 what, js(d, "old"), js(d, "why"));
	if (!strcmp(eff, "core-rule"))
		return xasprintf("the tree's core does not bear out the rule %s that the comparison rests on (mmapport docs/core-rules.md): the old and the new hook may run in other cases than said here",
				 what);
	subject = !strcmp(eff, "write") ?
		xasprintf("The write to %s at line %lld", what, line_of(d)) :
		xasprintf("%s() at line %lld", what, line_of(d));
	json_array_foreach(runs, i, x) {
		const char *sc = json_string_value(x);
		char *n = xasprintf("%s%s%s", when, i ? ", and " : "",
				    !strcmp(sc, "merged") ?
				    "when the new range merges into a neighbouring mapping" :
				    "when the core then fails to allocate the VMA");

		free(when);
		when = n;
	}
	if (!strcmp(eff, "take") && json_is_true(json_object_get(d, "released")))
		tail = xasprintf("it takes %s that %s() releases before it returns, so nothing stays held",
				 kind_words(js(d, "kind")), prep);
	else if (!strcmp(eff, "take") && jstr(d, "undone_by"))
		tail = xasprintf("it takes %s that the new mmap_abort hook releases when the mapping fails after prepare",
				 kind_words(js(d, "kind")));
	else if (!strcmp(eff, "release"))
		tail = xasprintf("it releases %s taken earlier in %s()",
				 kind_words(js(d, "kind")), prep);
	else if (!strcmp(eff, "write"))
		tail = xstrdup("the value stays written though the mapping was not made by this call");
	else if (jstr(d, "why"))
		tail = xasprintf("it is a side effect (%s) and stays done though the mapping was not made by this call",
				 js(d, "why"));
	else
		tail = xstrdup("it stays done though the mapping was not made by this call");
	s = xasprintf("%s now runs in %s(), before the core tries to merge the range and allocates the VMA, so it also runs %s, where the old ->mmap did not run; %s.",
		      subject, prep, when, tail);
	free(subject);
	free(when);
	free(tail);
	return s;
}

/* "exact", "stated (N differences)" or "differs" for a conversion. */
char *verdict_words(json_t *r)
{
	json_t *eq = json_object_get(json_object_get(r, "conversion"), "equivalence");
	const char *v = jstr(eq, "verdict");
	size_t n = json_array_size(json_object_get(eq, "differences")) +
		   json_array_size(json_object_get(json_object_get(r, "conversion"),
						   "behaviour_changes"));

	if (!v)
		return xstrdup("none (not compared)");
	if (!strcmp(v, "stated"))
		return xasprintf("stated (%zu difference%s)", n, n == 1 ? "" : "s");
	return xstrdup(v);
}

/* replay (docs/replay.md): one row's headline, "FILE OPS_VAR: OLD -> UPSTREAM". */
char *replay_row_words(json_t *row)
{
	const char *ours = jstr(row, "ours_function");
	json_t *b = json_object_get(row, "build");
	char *s = xasprintf("%s %s: %s() -> %s() upstream%s%s%s", js(row, "file"),
			    js(row, "ops_var"), jstr(row, "old_function") ? js(row, "old_function") : "?",
			    jstr(row, "new_function") ? js(row, "new_function") : "?",
			    ours ? ", " : "", ours ? ours : "", ours ? "() by mmapport" : "");

	if (json_is_object(b)) {
		char *t = jstr(b, "reason") ?
			  xasprintf("%s; build: %s (%s)", s, js(b, "status"), js(b, "reason")) :
			  xasprintf("%s; build: %s", s, js(b, "status"));

		free(s);
		s = t;
	}
	return s;
}

/* Why a row was not compared: the conversion's reason, or the facts of its category. */
char *replay_reason_words(json_t *row)
{
	json_t *x;
	size_t i;
	char *s;

	if (jstr(row, "reason"))
		return xstrdup(jstr(row, "reason"));
	s = xasprintf("classified %s, which convert does not take", js(row, "category"));
	json_array_foreach(json_object_get(row, "facts"), i, x) {
		char *t = xasprintf("%s%s %s", s, i ? ";" : ":", json_string_value(x));

		free(s);
		s = t;
	}
	return s;
}

/* One difference of ours against upstream's: the three texts and who changed it. */
char *replay_difference_words(json_t *d)
{
	const char *by = js(d, "by");
	const char *who = !strcmp(by, "upstream") ?
		"upstream changed it (mmapport kept the old handler's)" :
		!strcmp(by, "mmapport") ?
		(json_is_true(json_object_get(d, "stated")) ?
		 "mmapport changed it, and its verdict states it" :
		 "mmapport changed it, and its verdict does NOT state it") :
		(json_is_true(json_object_get(d, "stated")) ?
		 "both changed it; mmapport's verdict states its change" :
		 "both changed it; mmapport's verdict does NOT state its change");

	return xasprintf("%s: old \"%s\", mmapport \"%s\", upstream \"%s\": %s", js(d, "what"),
			 js(d, "old"), js(d, "ours"), js(d, "theirs"), who);
}
