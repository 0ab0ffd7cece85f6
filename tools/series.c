// SPDX-License-Identifier: GPL-2.0
/*
 * series.c - one commit per driver, then git format-patch with a cover
 * letter.  Commits carry the base commit's date, so a second run writes
 * byte-identical patches.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"


static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The subject prefix of a commit named from file, at a level of detail:
 * 0, the short one ("drivers/hsi/clients/cmt_speech.c" -> "hsi: cmt_speech",
 * "drivers/soc/aspeed/aspeed-lpc-ctrl.c" -> "aspeed"); 1, the last
 * directory and the file ("aspeed: lpc-ctrl"); 2, every directory that is
 * not a generic one and the file ("soc: aspeed: lpc-ctrl"); 3, the path.
 */
static char *subject_prefix(const char *file, int level)
{
	static const char *const skip[] = {
		"drivers", "fs", "virt", "security", "kernel", "sound", "net", "arch",
		"clients", "core", "common", "platforms", NULL,
	};
	static const char *const generic[] = {
		"file", "main", "core", "inode", "dev", "device", "base", NULL,
	};
	char *s = xstrdup(file), *tok, *save, *first = NULL, *last = NULL;
	char *base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s, *out, *dirs = NULL;
	size_t ll;
	int i, is_skip, is_generic = 0;

	base[strcspn(base, ".")] = '\0';
	if (level >= 3) {
		out = xasprintf("%.*s", (int)(base - s + strlen(base)), file);
		free(s);
		return out;
	}
	for (i = 0; generic[i]; i++)
		if (!strcmp(base, generic[i]) || !strncmp(base, generic[i], strlen(generic[i])))
			is_generic = !strcmp(base, generic[i]);
	if (base != s)
		base[-1] = '\0';
	for (tok = strtok_r(s, "/", &save); tok && tok != base; tok = strtok_r(NULL, "/", &save)) {
		is_skip = 0;
		for (i = 0; skip[i]; i++)
			if (!strcmp(tok, skip[i]))
				is_skip = 1;
		if (is_skip)
			continue;
		if (!first)
			first = tok;
		last = tok;
		if (level == 2) {
			char *d = dirs ? xasprintf("%s: %s", dirs, tok) : xstrdup(tok);

			free(dirs);
			dirs = d;
		}
	}
	ll = last ? strlen(last) : 0;
	if (!first)
		out = xstrdup(base);
	else if (level == 2)
		out = xasprintf("%s: %s", dirs, base);
	else if (level == 1 && !strncmp(base, last, ll) && base[ll] && strchr("-_", base[ll]) &&
		 base[ll + 1])
		out = xasprintf("%s: %s", last, base + ll + 1);
	else if (level == 1)
		out = xasprintf("%s: %s", last, base);
	else if (is_generic || !strcmp(last, base) || strstr(base, last) == base)
		out = xstrdup(last);
	else
		out = xasprintf("%s: %s", first, base);
	free(dirs);
	free(s);
	return out;
}

/* get_maintainer.pl's first 12 lines on the files. */
static char *maintainers(const char *work, const struct strlist *files)
{
	struct run_opts ro = { .dir = work, .err = "/dev/null" };
	struct strlist cmd = { 0 };
	char *m, *s;
	int n = 0;

	strlist_add(&cmd, "perl");
	strlist_add(&cmd, "scripts/get_maintainer.pl");
	strlist_add(&cmd, "--no-git");
	strlist_add(&cmd, "--no-git-fallback");
	strlist_add(&cmd, "--no-rolestats");
	strlist_add(&cmd, "--no-multiline");
	strlist_add(&cmd, "--separator");
	strlist_add(&cmd, "\n");	/* one address a line */
	for (n = 0; n < files->n; n++) {
		strlist_add(&cmd, "-f");
		strlist_add(&cmd, files->v[n]);
	}
	n = 0;
	m = capture_list(&ro, &cmd, NULL);
	strlist_free(&cmd);
	for (s = m; s && *s; s++)
		if (*s == '\n' && ++n == 12)
			*s = '\0';
	return m ? m : xstrdup("");
}

static void append(char **buf, const char *fmt, ...) __printf(2, 3);

static void append(char **buf, const char *fmt, ...)
{
	va_list ap;
	char *s, *n;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	n = xasprintf("%s%s", *buf ? *buf : "", s);
	free(*buf);
	free(s);
	*buf = n;
}

static int passed(json_t *r)
{
	json_t *c = json_object_get(r, "conversion");
	json_t *chk = json_object_get(json_object_get(r, "check"), "overall");

	/* passed on some architecture and failed on none where it is built */
	return json_is_object(c) && !strcmp(jstr(c, "status"), "converted") &&
	       json_is_object(chk) && !strcmp(jstr(chk, "status"), "pass");
}

/* Is r's conversion the change diff (conversion.diff)? */
static int of_change(json_t *r, const char *diff)
{
	return !strcmp(js(json_object_get(r, "conversion"), "diff"), diff);
}

/* "x86_64, arm64 and sparc64": the architectures the check passed on. */
static char *passed_arches(json_t *records, const char *diff)
{
	json_t *r, *list = NULL, *a;
	char *s = NULL;
	size_t i, n;

	json_array_foreach(records, i, r)
		if (of_change(r, diff) && passed(r))
			list = json_object_get(json_object_get(json_object_get(r, "check"),
							       "overall"), "pass");
	n = json_array_size(list);
	/* one line: append_wrapped() wraps the sentence it goes in */
	json_array_foreach(list, i, a)
		append(&s, "%s%s", !i ? "" : i + 1 == n ? " and " : ", ", json_string_value(a));
	return s ? s : xstrdup("(none recorded)");
}

static void append_wrapped(char **msg, const char *lead, const char *text);

/* For each config variant the file passed on, what it is and why. */
static void variant_notes(char **msg, json_t *records, const char *diff)
{
	json_t *r, *chk = NULL, *a;
	size_t i;

	json_array_foreach(records, i, r)
		if (of_change(r, diff) && passed(r))
			chk = json_object_get(r, "check");
	json_array_foreach(json_object_get(json_object_get(chk, "overall"), "pass"), i, a) {
		const char *name = json_string_value(a);
		json_t *cell = json_object_get(chk, name);
		char *t;

		if (!json_string_value(json_object_get(cell, "config")))
			continue;
		t = xasprintf("No architecture's all*config builds this file; %s is %s, proposed by mmapport from the Kconfig dependencies and accepted by the kernel's Kconfig.",
			      name,
			      json_string_value(json_object_get(cell, "config")));
		append(msg, "\n");
		append_wrapped(msg, "", t);
		free(t);
	}
}

/* text wrapped at 72 columns, as checkpatch wants, after lead ("- " or ""). */
static void append_wrapped(char **msg, const char *lead, const char *text)
{
	char *t = xstrdup(text), *w, *save;
	struct strlist words = { 0 };
	size_t col = strlen(lead), indent = strlen(lead);
	int i;

	for (w = strtok_r(t, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		strlist_add(&words, w);
	append(msg, "%s", lead);
	for (i = 0; i < words.n; i++) {
		size_t len = strlen(words.v[i]);
		/*
		 * A line that would start with "#" (git drops it as a comment)
		 * starts with the word before it instead.
		 */
		int wrap = i && col + 1 + len > 72;
		int pull = wrap && !indent && words.v[i][0] == '#' && i > 1 &&
			   col > strlen(words.v[i - 1]) + 1;

		if (pull) {
			size_t prev = strlen(words.v[i - 1]);

			(*msg)[strlen(*msg) - prev - 1] = '\0';
			append(msg, "\n%s %s", words.v[i - 1], words.v[i]);
			col = prev + 1 + len;
		} else if (wrap) {
			append(msg, "\n%*s%s", (int)indent, "", words.v[i]);
			col = indent + len;
		} else {
			append(msg, "%s%s", i ? " " : "", words.v[i]);
			col += (i ? 1 : 0) + len;
		}
	}
	append(msg, "\n");
	strlist_free(&words);
	free(t);
}

static int cmp_cc(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The change's files (the union of its records' conversion.files), and
 * the file its subject is named from: where its first handler is defined.
 */
static const char *change_files(json_t *records, const char *diff, struct strlist *files)
{
	const char *main = NULL, *f;
	json_t *r, *v;
	size_t i;

	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		if (!of_change(r, diff) || !passed(r))
			continue;
		if (!main)
			main = record_def_file(r);
		json_object_foreach(json_object_get(c, "files"), f, v)
			strlist_add_once(files, f);
	}
	return main;
}

/* What one change converted, gathered from its records for its message. */
struct change_words {
	struct strlist fns, uses, remaps, changes, aborts, mapped, locked, verdicts;
	struct strlist completes, twins;
	const char *guard;
	int rfc;
};

/* The records of the change diff that passed check, into w. */
static void change_gather(json_t *records, const char *diff, struct change_words *w)
{
	size_t i, j;
	json_t *r, *u;

	memset(w, 0, sizeof(*w));
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");
		const char *m = jstr(c, "method");

		if (!of_change(r, diff) || !passed(r))
			continue;
		if (jstr(json_object_get(c, "compat"), "guard"))
			w->guard = jstr(json_object_get(c, "compat"), "guard");
		if (m && !strcmp(m, "state-abort")) {
			strlist_add_once(&w->aborts, jstr(r, "function"));
			w->rfc = 1;
		} else if (m && !strcmp(m, "state-mapped")) {
			strlist_add_once(&w->mapped, jstr(r, "function"));
		} else if (m && !strcmp(m, "twin")) {
			strlist_add_once(&w->twins, jstr(r, "function"));
		} else if (m && !strcmp(m, "state-complete")) {
			strlist_add_once(&w->completes, jstr(r, "function"));
			w->rfc = 1;
		} else if (m && strcmp(m, "simple")) {
			strlist_add_once(&w->remaps, jstr(r, "function"));
			w->rfc |= !strcmp(m, "remap-complete");
			if (jstr(c, "abort_function"))
				strlist_add_once(&w->locked, jstr(r, "function"));
		} else {
			strlist_add_once(&w->fns, jstr(r, "function"));
		}
		json_array_foreach(json_object_get(r, "vma_uses"), j, u)
			strlist_add_once(&w->uses, json_string_value(u));
		json_array_foreach(json_object_get(c, "behaviour_changes"), j, u) {
			char *t = xasprintf("%s(): %s", jstr(r, "function"), json_string_value(u));

			strlist_add_once(&w->changes, t);
			free(t);
		}
		/* the differences the effect analysis found (docs/equivalence.md) */
		json_array_foreach(json_object_get(json_object_get(c, "equivalence"),
						   "differences"), j, u) {
			char *t = difference_words(r, u);

			strlist_add_once(&w->changes, t);
			free(t);
		}
		if (jstr(json_object_get(c, "equivalence"), "verdict"))
			strlist_add_once(&w->verdicts,
					 jstr(json_object_get(c, "equivalence"), "verdict"));
	}
}

static void change_words_free(struct change_words *w)
{
	strlist_free(&w->fns);
	strlist_free(&w->uses);
	strlist_free(&w->remaps);
	strlist_free(&w->aborts);
	strlist_free(&w->locked);
	strlist_free(&w->verdicts);
	strlist_free(&w->mapped);
	strlist_free(&w->completes);
	strlist_free(&w->twins);
	strlist_free(&w->changes);
}

/*
 * The settled tests of r's handler (analysis.dead_branches with a
 * version_drop): which, and, for those a configure step settled, the
 * macros it wrote.  NULL when none went.
 */
static char *settled_words(json_t *r)
{
	json_t *an = json_object_get(r, "analysis"), *db;
	char *t, *tests = NULL, *configured = NULL, *kconfig = NULL;
	struct strlist seen = { 0 };
	size_t j;

	if (!json_array_size(json_object_get(an, "version_drop")))
		return NULL;
	json_array_foreach(json_object_get(an, "dead_branches"), j, db) {
		json_t *conf = json_object_get(db, "configured"), *v;
		json_t *g = json_object_get(db, "group");
		const char *name;

		json_object_foreach(json_object_get(db, "kconfig"), name, v)
			if (!strlist_has(&seen, name)) {
				strlist_add(&seen, name);
				append(&kconfig, "%s%s=%s", kconfig ? ", " : "", name,
				       json_string_value(v));
			}

		/* a configured group by its test, a version test by its dead branch */
		if (!g || !strlist_has(&seen, js(g, "directive")))
			append(&tests, "%s%s (line %d)", tests ? ", " : "",
			       js(g ? g : db, "directive"), jint(g ? g : db, "line"));
		if (g)
			strlist_add(&seen, js(g, "directive"));
		json_object_foreach(conf, name, v)
			if (!strlist_has(&seen, name)) {
				strlist_add(&seen, name);
				append(&configured, "%s%s %s", configured ? ", " : "",
				       name, json_is_string(v) ? "defined" : "not defined");
			}
	}
	t = kconfig || configured ?
	    xasprintf("The tests in %s() (%s) are settled for the build checked (%s%s%s%s): %s_prepare() keeps only the code they compile there, and the guard below builds it only where they still do; a kernel, configuration or configure result that answers otherwise builds the old handler.",
		      jstr(r, "function"), tests ? tests : "", kconfig ? kconfig : "",
		      kconfig && configured ? "; " : "",
		      configured ? "the driver's configure step: " : "",
		      configured ? configured : "", jstr(r, "function")) :
	    xasprintf("The version tests in %s() (%s) are settled for this release and every later one: %s_prepare() keeps only the code they compile there, and the branches for older kernels go.",
		      jstr(r, "function"), tests ? tests : "", jstr(r, "function"));
	free(tests);
	free(configured);
	free(kconfig);
	strlist_free(&seen);
	return t;
}

/* Per handler of the change: its export renamed, its helpers, its settled tests. */
static void handler_notes(char **msg, json_t *records, const char *diff)
{
	struct strlist said = { 0 };
	json_t *r, *db;
	size_t i, j;
	char *t;

	json_array_foreach(records, i, r) {
		if (!of_change(r, diff) || !passed(r) || strlist_has(&said, jstr(r, "function")))
			continue;
		strlist_add(&said, jstr(r, "function"));
		if (json_is_true(json_object_get(json_object_get(r, "conversion"),
						 "export_renamed"))) {
			t = xasprintf("%s() is exported: the export is renamed with it, to %s_prepare(), and every user in the tree follows; a module outside the tree that calls %s() must follow too.",
				      jstr(r, "function"), jstr(r, "function"), jstr(r, "function"));
			append_wrapped(msg, "", t);
			free(t);
		}
		json_array_foreach(json_object_get(json_object_get(r, "analysis"), "followed"),
				   j, db) {
			if (!json_is_true(json_object_get(db, "with_handler")))
				continue;
			t = xasprintf("%s() passes its VMA to %s(), a static function only it calls: %s() takes the descriptor instead, and its uses of the VMA become the descriptor's.",
				      jstr(r, "function"),
				      js(db, "fn"), js(db, "fn"));
			append_wrapped(msg, "", t);
			free(t);
		}
		t = settled_words(r);
		if (t)
			append_wrapped(msg, "", t);
		free(t);
	}
	strlist_free(&said);
}

/* Each remap handler: split (rfc) or given an mmap_action (mainline). */
static void remap_notes(char **msg, const struct change_words *w)
{
	size_t i;

	for (i = 0; i < (size_t)w->remaps.n; i++) {
		char *t = w->rfc ?
			xasprintf("%s() ends by mapping memory into the VMA. Split it: %s_prepare() validates and prepares the descriptor, and %s_complete(), the new mmap_complete hook, maps the memory once the VMA exists.",
				  w->remaps.v[i], w->remaps.v[i], w->remaps.v[i]) :
			xasprintf("%s() ends by mapping memory into the VMA. Convert it to %s_prepare(), which validates as before and asks the core for the mapping with an mmap_action, done once the VMA exists.",
				  w->remaps.v[i], w->remaps.v[i]);

		append_wrapped(msg, "", t);
		free(t);
		if (w->rfc && strlist_has(&w->locked, w->remaps.v[i])) {
			t = xasprintf("%s_prepare() takes the lock the mapping was made under, as before, and returns with it held; %s_complete() releases it after mapping, and %s_abort(), the new mmap_abort hook, releases it if the mapping fails before complete.",
				      w->remaps.v[i], w->remaps.v[i], w->remaps.v[i]);
			append_wrapped(msg, "", t);
			free(t);
		}
	}
}

/* The change's files, twins, remaps and state moves, each in a paragraph. */
static void shape_notes(char **msg, const struct change_words *w, const char *file,
			const struct strlist *files)
{
	size_t i, j;

	if (files->n > 1) {
		char *list = NULL, *t;

		for (i = 0; i < (size_t)files->n; i++)
			if (strcmp(files->v[i], file))
				append(&list, "%s%s", list ? ", " : "", files->v[i]);
		t = xasprintf("The handler is defined in %s and named in %s too: they change together (its prototype, its registrations), and no other use of the old name is left.",
			      file, list);
		append_wrapped(msg, "", t);
		free(t);
		free(list);
	}
	for (i = 0; i < (size_t)w->twins.n; i++) {
		char *t = xasprintf("The file registers the library's %s() as it is, and the tree provides its prepare form, %s_prepare(): register that instead.",
				    w->twins.v[i], w->twins.v[i]);

		append_wrapped(msg, "", t);
		free(t);
	}
	remap_notes(msg, w);
	for (i = 0; i < (size_t)w->aborts.n; i++) {
		const char *f = w->aborts.v[i];
		char *t = xasprintf("%s() takes state that the mapping keeps. Convert it to %s_prepare(), which takes it as before. If the mapping then fails before the VMA exists, the new mmap_abort hook, %s_abort(), releases it as the old failure path did; %s_complete() is the mmap_complete hook the API requires beside it, and has nothing to do.",
				    f, f, f, f);

		append_wrapped(msg, "", t);
		free(t);
	}
	/* a reference moved to a hook that runs once the VMA exists */
	for (j = 0; j < 2; j++) {
		const struct strlist *l = j ? &w->mapped : &w->completes;

		for (i = 0; i < (size_t)l->n; i++) {
			const char *f = l->v[i];
			char *t = xasprintf("%s() takes a reference that the mapping keeps. Convert it to %s_prepare(), and take the reference in %s_%s(), the new %s hook, which runs once the VMA exists.",
					    f, f, f, j ? "mapped" : "complete",
					    j ? "vm_ops->mapped" : "mmap_complete");

			append_wrapped(msg, "", t);
			free(t);
		}
	}
}

/* The compat guard the change is under, and the uses of the VMA it rewrote. */
static void compat_and_uses(char **msg, const struct change_words *w)
{
	size_t i;

	if (w->guard) {
		char *t = xasprintf("The driver is built for older kernels too, which lack the API the new code uses: each changed part is under \"#if %s\", with the code as it was in its #else, so that older kernels still build the old handler and register it.",
				    w->guard);

		append(msg, "\n");
		append_wrapped(msg, "", t);
		free(t);
	}
	if (w->uses.n) {
		size_t col = 24;

		append(msg, "\nThe uses rewritten are:");
		for (i = 0; i < (size_t)w->uses.n; i++) {
			/* wrapped at 72 columns, as checkpatch wants */
			if (col + strlen(w->uses.v[i]) + 2 > 72) {
				append(msg, "%s\n%s", i ? "," : "", w->uses.v[i]);
				col = strlen(w->uses.v[i]);
			} else {
				append(msg, "%s %s", i ? "," : "", w->uses.v[i]);
				col += strlen(w->uses.v[i]) + 2;
			}
		}
		append(msg, ".\n");
	}
}

/* What the mapping does now compared with before. */
static void behaviour_notes(char **msg, const struct change_words *w)
{
	size_t i;

	if (w->aborts.n || w->mapped.n) {
		append(msg, "\nBehaviour changes:\n\n");
		for (i = 0; i < (size_t)w->changes.n; i++)
			append_wrapped(msg, "- ", w->changes.v[i]);
		append(msg, "\n");
	} else if (!w->remaps.n && w->changes.n) {
		append(msg, "\nThe handler calls no remap, page-insert or DMA helper and does\n"
		       "not let the VMA escape, so the mapping is set up as before. What\n"
		       "prepare does runs at another point of mmap(), though. Behaviour\n"
		       "changes:\n\n");
		for (i = 0; i < (size_t)w->changes.n; i++)
			append_wrapped(msg, "- ", w->changes.v[i]);
		append(msg, "\n");
	} else if (!w->remaps.n)
		append(msg, "\nThe handler takes no state, calls no remap, page-insert or DMA\n"
		       "helper, does nothing outside the VMA and does not let the VMA\n"
		       "escape, so the mapping is set up exactly as before. No functional\n"
		       "change intended.\n\n");
	else if (!w->changes.n)
		append(msg, "\nThe mapping call ended the handler and nothing after it depends\n"
		       "on it, so the mapping is set up as before. No functional change\n"
		       "intended.\n\n");
	else {
		append(msg, "\nThe mapping call ended the handler and nothing after it depends\n"
		       "on it. Behaviour changes:\n\n");
		for (i = 0; i < (size_t)w->changes.n; i++)
			append_wrapped(msg, "- ", w->changes.v[i]);
		append(msg, "\n");
	}
}

/* How the change was made and tested, and what checkpatch said before. */
static void tested_notes(char **msg, json_t *records, const char *diff,
			 const struct change_words *w)
{
	struct strlist pre = { 0 };
	char *arches;
	json_t *u, *v;
	size_t i, j;

	{
		const char *configured = NULL;
		char *t;

		arches = passed_arches(records, diff);
		json_array_foreach(records, i, u)
			if (of_change(u, diff))
				json_array_foreach(json_object_get(u, "checkpatch_preexisting"), j, v)
					strlist_add_once(&pre, json_string_value(v));
		json_array_foreach(records, i, u)
			if (of_change(u, diff) && !configured)
				configured = jstr(json_object_get(json_object_get(u, "check"),
								  "overall"), "configured_by");
		t = xasprintf("Generated with mmapport (%s). Built with sparse and W=1, before and after%s%s%s%s, on the architectures that build it; the object builds, and neither sparse nor the compiler reports anything new, on: %s.",
			      w->aborts.n || w->mapped.n ? (w->remaps.n ?
			      "cocci/mmap_prepare_state.cocci, cocci/mmap_prepare_remap.cocci, then cocci/mmap_prepare_simple.cocci" : "cocci/mmap_prepare_state.cocci, then cocci/mmap_prepare_simple.cocci") :
			      w->remaps.n ? "cocci/mmap_prepare_remap.cocci, then cocci/mmap_prepare_simple.cocci" : "cocci/mmap_prepare_simple.cocci",
			      w->rfc ? " with the rfc API overlay" : "",
			      configured ? ", the driver configured for each kernel by its configure step (" : "", configured ? configured : "",
			      configured ? ")" : "", arches);
		free(arches);

		append_wrapped(msg, "", t);
		free(t);
		t = xasprintf("Compared with the old handler effect by effect, in a new VMA, a merged mapping and a failure after prepare (mmapport's docs/equivalence.md): %s.",
			      strlist_has(&w->verdicts, "stated") ?
			      "every difference is listed above" : "no difference");
		append_wrapped(msg, "", t);
		variant_notes(msg, records, diff);
		if (pre.n) {
			append(msg, "\n");
			append_wrapped(msg, "", "checkpatch reports on lines this patch rewrites, as it did on the lines before:");
			for (i = 0; i < (size_t)pre.n; i++)
				append_wrapped(msg, "  ", pre.v[i]);
			append_wrapped(msg, "", "The constructs predate this patch and are left as they were, to keep the change minimal.");
		}
		append(msg, "\n");
		free(t);
	}
	strlist_free(&pre);
}

/* Cc: every maintainer of the change's files, sorted. */
static void cc_lines(char **msg, const char *work, const struct strlist *files)
{
	char *cc;

	cc = maintainers(work, files);
	{
		/* sorted: get_maintainer.pl's order varies from run to run */
		char *line, *save, *c = xstrdup(cc);
		struct strlist ccs = { 0 };
		int k;

		for (line = strtok_r(c, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (strchr(line, '@') && !strlist_has(&ccs, line))
				strlist_add(&ccs, line);
		qsort(ccs.v, ccs.n, sizeof(*ccs.v), cmp_cc);
		for (k = 0; k < ccs.n; k++)
			append(msg, "Cc: %s\n", ccs.v[k]);
		strlist_free(&ccs);
		free(c);
	}
	free(cc);
}

/*
 * The subject prefix of each change of diffs, diff -> prefix: the short
 * one, unless another change would have the same (then both say more of
 * their file, subject_prefix()'s next level, until they differ).
 */
static json_t *change_prefixes(json_t *records, const struct strlist *diffs)
{
	struct strlist files = { 0 };
	json_t *prefix = json_object(), *count;
	int *level = xmalloc((diffs->n + 1) * sizeof(*level)), i, again = 1;

	memset(level, 0, (diffs->n + 1) * sizeof(*level));
	while (again) {
		again = 0;
		count = json_object();
		for (i = 0; i < diffs->n; i++) {
			char *p = subject_prefix(change_files(records, diffs->v[i], &files),
						 level[i]);

			json_object_set_new(prefix, diffs->v[i], json_string(p));
			json_object_set_new(count, p, json_integer(jint(count, p) + 1));
			free(p);
		}
		for (i = 0; i < diffs->n; i++)
			if (jint(count, jstr(prefix, diffs->v[i])) > 1 && level[i] < 3) {
				level[i]++;
				again = 1;
			}
		json_decref(count);
	}
	strlist_free(&files);
	free(level);
	return prefix;
}

static char *commit_message(json_t *records, const char *diff, const char *work,
			    const char *prefix)
{
	struct strlist files = { 0 };
	const char *file = change_files(records, diff, &files);
	char *msg = NULL;
	struct change_words w;
	size_t i;

	change_gather(records, diff, &w);
	append(&msg, "%s: convert to mmap_prepare\n\n", prefix);
	append(&msg, "The f_op->mmap hook hands the driver a VMA that is not fully set up\n"
	       "yet, and is deprecated in favour of f_op->mmap_prepare, which works on\n"
	       "a struct vm_area_desc before the VMA exists.\n\n");
	for (i = 0; i < (size_t)w.fns.n; i++)
		append(&msg, "%s() uses the VMA only through fields and helpers that the\n"
		       "descriptor provides, so convert it to %s_prepare().\n",
		       w.fns.v[i], w.fns.v[i]);
	handler_notes(&msg, records, diff);
	shape_notes(&msg, &w, file, &files);
	compat_and_uses(&msg, &w);
	behaviour_notes(&msg, &w);
	tested_notes(&msg, records, diff, &w);
	cc_lines(&msg, work, &files);
	change_words_free(&w);
	strlist_free(&files);
	return msg;
}

/* Does checkpatch's output have its summary, "total: N errors, N warnings, ..."? */
static int checkpatch_total(const char *text)
{
	const char *l = text;
	int e, w, n;

	while (l && *l) {
		n = 0;
		if (sscanf(l, "total: %d errors, %d warnings%n", &e, &w, &n) == 2 && n)
			return 1;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return 0;
}

/*
 * checkpatch's findings on a patch file, "ERROR: text" / "WARNING: text",
 * into out; its whole terse report, if text is not NULL, into *text.
 * What it prints goes to the patch's log (PATCH without .patch, .log).
 * Dies when checkpatch did not run: it exits 0 (clean) or 1 (findings)
 * and prints its summary line, and a series whose patches were not
 * checkpatched is not one to send.
 */
static void checkpatch_findings(const struct options *o, const char *work, const char *cp,
				const char *patch, struct strlist *out, char **text)
{
	size_t stem = str_ends_with(patch, ".patch") ? strlen(patch) - 6 : strlen(patch);
	char *log = xasprintf("%.*s.log", (int)stem, patch);
	struct run_opts ro = { .dir = work, .out = log, .err = log };
	struct strlist cmd = { 0 };
	char *res, *copy, *line, *save, *m;
	size_t len;
	int st;

	/*
	 * --terse counts as a -q: with both, checkpatch prints its summary
	 * line on a clean patch too (checkpatch.pl: $quiet 2, not 1).
	 */
	strlist_add(&cmd, "perl");
	strlist_add(&cmd, cp);
	strlist_add(&cmd, "--no-signoff");
	strlist_add(&cmd, "-q");
	strlist_add(&cmd, "--terse");
	if (o->external)
		strlist_add(&cmd, "--no-tree");
	/*
	 * An out-of-tree driver keeps its old code for older kernels under a
	 * LINUX_VERSION_CODE test (compat.c), which an in-tree patch avoids
	 */
	if (o->external && !o->no_compat && !o->compat_macro) {
		strlist_add(&cmd, "--ignore");
		strlist_add(&cmd, "LINUX_VERSION_CODE");
	}
	strlist_add(&cmd, patch);
	st = run_list(&ro, &cmd);
	strlist_free(&cmd);
	res = read_file(log, &len);
	if ((st != 0 && st != 1) || !checkpatch_total(res)) {
		char *first = first_error_line(log);

		die("series: checkpatch did not run on %s (exit %d: %s); see %s", patch, st,
		    first ? first : "no output", log);
	}
	/* as it was captured: without its last newlines */
	while (len && res[len - 1] == '\n')
		res[--len] = '\0';
	copy = xstrdup(res);

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		m = strstr(line, ": ERROR: ");
		if (!m)
			m = strstr(line, ": WARNING: ");
		if (m)
			strlist_add(out, m + 2);
	}
	free(copy);
	free(log);
	if (text)
		*text = res;
	else
		free(res);
}

/* checkpatch's report on the commit at HEAD, as the series' checkpatch.txt shows it */
static char *checkpatch_head(const struct options *o, const char *work,
			     struct strlist *findings)
{
	char *cp = xasprintf("%s/scripts/checkpatch.pl", o->external ? o->tree : work);
	char *np = xasprintf("%s/logs/checkpatch-new.patch", o->out), *text;

	run_v(work, np, "git", "format-patch", "-1", "--stdout", "HEAD", NULL);
	checkpatch_findings(o, work, cp, np, findings, &text);
	free(cp);
	free(np);
	return text;
}

/*
 * checkpatch on the commit just made for file.  A finding the original
 * lines already had (checkpatch run on the reverse diff says the same) is
 * pre-existing: the patch only touches the line; it is kept as it was and
 * the commit message says so.  A finding the conversion introduced drops
 * the patch: the series is checkpatch clean.  Returns the first
 * introduced finding, or NULL; *pre gets the pre-existing ones and *text
 * checkpatch's report on the commit.
 */
static char *checkpatch_gate(const struct options *o, const char *work, struct strlist *pre,
			     char **text)
{
	char *cp = xasprintf("%s/scripts/checkpatch.pl", o->external ? o->tree : work);
	char *op = xasprintf("%s/logs/checkpatch-old.patch", o->out);
	struct strlist now = { 0 }, before = { 0 };
	char *bad = NULL;
	int i;

	*text = checkpatch_head(o, work, &now);
	if (now.n) {
		run_v(work, op, "git", "diff", "HEAD", "HEAD~1", NULL);
		checkpatch_findings(o, work, cp, op, &before, NULL);
	}
	for (i = 0; i < now.n; i++) {
		if (strlist_has(&before, now.v[i]))
			strlist_add_once(pre, now.v[i]);
		else if (!bad)
			bad = xstrdup(now.v[i]);
	}
	strlist_free(&now);
	strlist_free(&before);
	free(cp);
	free(op);
	return bad;
}

/*
 * series/checkpatch.txt: the gate's report on each commit kept, under the
 * name format-patch gave its patch (the patches are in commit order).
 */
static void write_checkpatch_txt(const struct options *o, const char *sdir,
				 const struct strlist *verdicts)
{
	char *np = xasprintf("%s/logs/checkpatch-new.patch", o->out), *txt = NULL;
	struct strlist names = { 0 };
	struct dirent *e;
	DIR *d = opendir(sdir);
	int k;

	/* the patches format-patch wrote, in order; not the cover letter */
	while (d && (e = readdir(d)))
		if (e->d_name[0] == '0' && str_ends_with(e->d_name, ".patch") &&
		    !strstr(e->d_name, "cover-letter"))
			strlist_add(&names, e->d_name);
	if (d)
		closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_name);
	for (k = 0; k < verdicts->n && k < names.n; k++) {
		const char *v = verdicts->v[k], *hit, *name = names.v[k];

		append(&txt, "== %s\n", name);
		/* the terse lines name the scratch patch; name the series' one */
		while ((hit = strstr(v, np))) {
			append(&txt, "%.*s%s", (int)(hit - v), v, name);
			v = hit + strlen(np);
		}
		append(&txt, "%s\n", v);
	}
	if (!txt)
		txt = xstrdup("");
	{
		char *path = xasprintf("%s/checkpatch.txt", sdir);

		write_file(path, txt, strlen(txt));
		free(path);
	}
	free(txt);
	strlist_free(&names);
	free(np);
}

/*
 * The commits' author and committer, in git's environment only (ident):
 * MMAPPORT_AUTHOR_NAME/EMAIL, else the user's git config, dated like the
 * base commit.  Returns that date.
 */
static char *series_ident(const char *work, const char *base, struct strlist *ident)
{
	char *name = getenv("MMAPPORT_AUTHOR_NAME"), *email = getenv("MMAPPORT_AUTHOR_EMAIL");
	char *date;

	if (!name)
		name = git_user_config("user.name");
	if (!name)
		name = "mmapport";
	if (!email)
		email = git_user_config("user.email");
	if (!email)
		email = "mmapport@localhost";
	date = capture_v(work, "git", "log", "-1", "--format=%cI", base, NULL);
	if (!date)
		die("%s: cannot read the date of %s", work, base);
	strlist_addf(ident, "GIT_AUTHOR_NAME=%s", name);
	strlist_addf(ident, "GIT_AUTHOR_EMAIL=%s", email);
	strlist_addf(ident, "GIT_COMMITTER_NAME=%s", name);
	strlist_addf(ident, "GIT_COMMITTER_EMAIL=%s", email);
	strlist_addf(ident, "GIT_AUTHOR_DATE=%s", date);
	strlist_addf(ident, "GIT_COMMITTER_DATE=%s", date);
	return date;
}

/* What the cover letter says of each category the series converts. */
static const char *const cover_kinds[][2] = {
	{ "simple",
	  "the simple handlers, which use their VMA only through fields with a vm_area_desc equivalent" },
	{ "pfn-remap",
	  "handlers that end by remapping PFNs, whose remap is now made once the VMA exists" },
	{ "page-insert",
	  "handlers that map pages into the VMA, which now map them once the VMA exists" },
	{ "stateful",
	  "handlers taking state the mapping keeps, which now take or release it in the hooks the new API provides" },
};

/* The series' numbers, for its cover letter. */
struct series_counts {
	int found, eligible, converted, passed, patches;
	/* the passed records' categories, in cover_kinds[]'s order */
	int kinds[ARRAY_SIZE(cover_kinds)];
};

/* The category of r as an index of cover_kinds[], or -1. */
static int cover_kind(json_t *r)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(cover_kinds); k++)
		if (!strcmp(js(r, "category"), cover_kinds[k][0]))
			return k;
	return -1;
}

/* "git commit -q -s -F mfile [--amend] [-- files]" in git's work tree, or die. */
static void git_commit(const struct run_opts *git, const char *mfile, int amend,
		       const struct strlist *files, const char *what)
{
	struct strlist cmd = { 0 };
	int i;

	strlist_add(&cmd, "git");
	strlist_add(&cmd, "commit");
	strlist_add(&cmd, "-q");
	if (amend)
		strlist_add(&cmd, "--amend");
	strlist_add(&cmd, "-s");
	strlist_add(&cmd, "-F");
	strlist_add(&cmd, mfile);
	if (files) {
		strlist_add(&cmd, "--");
		for (i = 0; i < files->n; i++)
			strlist_add(&cmd, files->v[i]);
	}
	if (run_list(git, &cmd))
		die("%s: cannot %s", what, amend ? "amend the commit" : "commit");
	strlist_free(&cmd);
}

/* The change's passed records become dropped: checkpatch complained (bad). */
static void drop_change(json_t *records, const char *diff, const char *bad)
{
	json_t *r;
	size_t i;

	json_array_foreach(records, i, r) {
		char *why;

		if (!of_change(r, diff) || !passed(r))
			continue;
		why = xasprintf("checkpatch on the conversion: %s", bad);
		json_object_set_new(json_object_get(r, "conversion"), "status",
				    json_string("dropped"));
		json_object_set_new(json_object_get(r, "conversion"), "reason", json_string(why));
		free(why);
	}
}

/*
 * One commit for the change diff (its patch applied to work), checked by
 * checkpatch: dropped if it complains of the conversion (returns 1), its
 * message remade to state what checkpatch said of the lines before.  The
 * commit's checkpatch verdict goes to verdicts; prefix begins its subject
 * (change_prefixes()).
 */
static int commit_change(const struct options *o, const char *work, const struct run_opts *git,
			 json_t *records, const char *diff, const char *prefix,
			 struct strlist *verdicts)
{
	char *msg, *mfile = xasprintf("%s/logs/commit-msg", o->out), *patch = out_path(o, diff);
	struct strlist changed = { 0 }, pre = { 0 };
	char *text, *bad;
	json_t *r;
	size_t i;
	int k;

	if (run_v(work, NULL, "git", "apply", patch, NULL))
		die("%s: the conversion no longer applies", diff);
	free(patch);
	change_files(records, diff, &changed);
	msg = commit_message(records, diff, work, prefix);
	write_file(mfile, msg, strlen(msg));
	git_commit(git, mfile, 0, &changed, diff);
	strlist_free(&changed);
	bad = checkpatch_gate(o, work, &pre, &text);
	if (bad) {
		/* not emitted: the conversion made checkpatch complain */
		info("series: %s dropped, checkpatch: %s", diff, bad);
		run_v(work, NULL, "git", "reset", "-q", "--hard", "HEAD~1", NULL);
		drop_change(records, diff, bad);
	} else if (pre.n) {
		/* commit_message() states them; the commit is remade with it */
		json_array_foreach(records, i, r) {
			json_t *l = json_array();

			if (!of_change(r, diff) || !passed(r)) {
				json_decref(l);
				continue;
			}
			for (k = 0; k < pre.n; k++)
				json_array_append_new(l, json_string(pre.v[k]));
			json_object_set_new(r, "checkpatch_preexisting", l);
		}
		free(msg);
		msg = commit_message(records, diff, work, prefix);
		write_file(mfile, msg, strlen(msg));
		git_commit(git, mfile, 1, NULL, diff);
		/* the verdict is on the commit as amended */
		free(text);
		strlist_free(&pre);
		text = checkpatch_head(o, work, &pre);
	}
	if (!bad)
		strlist_add(verdicts, text);
	free(text);
	strlist_free(&pre);
	free(msg);
	free(mfile);
	if (bad) {
		free(bad);
		return 1;
	}
	return 0;
}

/* The patches since base into sdir, with a cover letter that counts them. */
static void write_cover(const struct options *o, const char *sdir, const char *base,
			const struct run_opts *git, const struct series_counts *n,
			const struct strlist *verdicts)
{
	char *cover = xasprintf("%s/0000-cover-letter.patch", sdir), *blurb = NULL;
	struct strlist cmd = { 0 };
	char *text, *b, *s, *out;
	char *kinds = NULL, *line;
	size_t len, k, j;
	int said, left;

	strlist_add(&cmd, "git");
	strlist_add(&cmd, "format-patch");
	strlist_add(&cmd, "-q");
	strlist_add(&cmd, "--cover-letter");
	strlist_add(&cmd, "-o");
	strlist_add(&cmd, sdir);
	strlist_addf(&cmd, "%s..HEAD", base);
	if (run_list(git, &cmd))
		die("git format-patch failed");
	strlist_free(&cmd);
	/* only what the series holds, from the records' categories */
	for (k = 0, said = 0; k < ARRAY_SIZE(cover_kinds); k++) {
		if (!n->kinds[k])
			continue;
		left = 0;
		for (j = k + 1; j < ARRAY_SIZE(cover_kinds); j++)
			left += !!n->kinds[j];
		/* each kind has commas of its own: "A; B; and C", but "A, and B" */
		append(&kinds, "%s%s", !said ? "" : left ? "; " : said > 1 ? "; and " : ", and ",
		       cover_kinds[k][1]);
		said++;
	}
	line = xasprintf("The f_op->mmap hook is deprecated in favour of f_op->mmap_prepare. This series converts %s. Each patch states its behaviour changes.",
			 kinds ? kinds : "nothing");
	append_wrapped(&blurb, "", line);
	free(line);
	free(kinds);
	append(&blurb, "\n"
	       "Found:     %d mmap hook registrations\n"
	       "Eligible:  %d (simple, pfn-remap, page-insert and stateful handlers)\n"
	       "Converted: %d\n"
	       "Passed:    %d (build and sparse clean on every architecture that builds\n"
	       "           it, at least one), in %d patches\n"
	       "Left:      %d (other categories, refused or dropped; see the report)\n\n"
	       "Generated with mmapport.",
	       n->found, n->eligible, n->converted, n->passed, n->patches,
	       n->found - n->passed);
	text = read_file(cover, &len);
	b = text ? strstr(text, "*** BLURB HERE ***") : NULL;
	s = text ? strstr(text, "*** SUBJECT HERE ***") : NULL;
	if (b && s) {
		*s = '\0';
		*b = '\0';
		out = xasprintf("%sconvert ->mmap handlers to ->mmap_prepare%s%s%s",
				text, s + 20, blurb, b + 18);
		write_file(cover, out, strlen(out));
		free(out);
	}
	free(text);
	write_checkpatch_txt(o, sdir, verdicts);
	free(cover);
	free(blurb);
}

int series_records(const struct options *o, json_t *records)
{
	char *work = work_tree(o, 0), *base = work_base(work), *sdir = out_path(o, "series");
	struct strlist files = { 0 }, verdicts = { 0 }, ident = { 0 };
	struct run_opts git = { .dir = work, .env = &ident };
	struct series_counts n = { .found = json_array_size(records) };
	json_t *prefixes;
	char *date = series_ident(work, base, &ident);
	int f, ndropped = 0;
	size_t i;
	json_t *r;

	/* the branch lives in the work tree's own repository, not the user's */
	work_reset(work, base, "mmapport/mmap_prepare");
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		/* convert attempted it: a category it converts */
		if (json_is_object(c))
			n.eligible++;
		if (json_is_object(c) && strcmp(jstr(c, "status"), "refused"))
			n.converted++;
		/* one commit per change: its diff */
		if (passed(r))
			strlist_add_once(&files, jstr(c, "diff"));
	}
	prefixes = change_prefixes(records, &files);
	for (f = 0; f < files.n; f++)
		ndropped += commit_change(o, work, &git, records, files.v[f],
					  jstr(prefixes, files.v[f]), &verdicts);
	json_decref(prefixes);
	/* what checkpatch dropped is no longer passed */
	json_array_foreach(records, i, r)
		if (passed(r)) {
			int k = cover_kind(r);

			n.passed++;
			if (k >= 0)
				n.kinds[k]++;
		}
	n.patches = files.n - ndropped;
	run_v(NULL, NULL, "rm", "-rf", "--", sdir, NULL);
	mkdir_p(sdir);
	if (n.patches)
		write_cover(o, sdir, base, &git, &n, &verdicts);
	info("series: %d patches in %s%s", n.patches, sdir,
	     ndropped ? " (checkpatch dropped some, see records.json)" : "");
	json_array_foreach(records, i, r)
		if (passed(r))
			json_object_set_new(r, "series", json_true());
	strlist_free(&files);
	strlist_free(&verdicts);
	free(work);
	free(base);
	free(sdir);
	strlist_free(&ident);
	free(date);
	return 0;
}
