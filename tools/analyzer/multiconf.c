// SPDX-License-Identifier: GPL-2.0
/*
 * multiconf.c - a second configuration for the handlers that x86_64
 * allmodconfig does not show libclang.
 *
 * Another architecture's files (arch/powerpc/..., arch/arm/...) are parsed
 * with the compile commands of that architecture's profile (arch/NAME.conf:
 * its all*config and fragments), given to clang with --target, from a
 * build directory configured and prepared once: the check stage's own
 * (DIR/build/NAME, on the work tree; analyzer.c, kbuild_source()), or
 * DIR/analyzer/build/NAME for a tree without the work tree (an external
 * driver's, a fake tree).  The profiles
 * asked for (--arch) are tried in order until the handler is seen; a
 * handler none of them shows keeps its x86_64 reason, with what the
 * others said.  ARC has no clang backend, and x86 is the first pass.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

/* clang's --target for a profile, or NULL when clang 16 cannot parse for it */
static char *clang_target(const struct arch_profile *p)
{
	static const char *const none[] = { "x86", "arc", "csky", NULL };
	size_t n = strlen(p->cross_compile);
	int i;

	for (i = 0; none[i]; i++)
		if (!strcmp(p->srcarch, none[i]))
			return NULL;
	if (n < 2 || p->cross_compile[n - 1] != '-')
		return NULL;
	return xasprintf("--target=%.*s", (int)(n - 1), p->cross_compile);
}

static int own_arch_file(const char *file, const struct arch_profile *p)
{
	return !strncmp(file, "arch/", 5) && !other_arch_file(file, p->srcarch);
}

/* libclang has an AST of the handler without errors in it */
static int seen(json_t *r)
{
	json_t *an = json_object_get(r, "analysis");

	return json_is_object(an) &&
	       !json_integer_value(json_object_get(an, "parse_errors_in_handler"));
}

/*
 * A handler defined in its file that no pass has shown libclang yet, or
 * only with parse errors inside it (another architecture's code under
 * x86's flags: powerpc's bsr, sparc's oradax).
 */
static int unseen(json_t *r)
{
	return jstr(r, "function") && !json_is_null(json_object_get(r, "definition")) &&
	       !seen(r) && (jstr(r, "analysis_error") ||
			    json_is_object(json_object_get(r, "analysis")));
}

/* why the passes so far did not show the handler */
static char *unseen_why(json_t *r)
{
	json_t *an = json_object_get(r, "analysis");

	if (jstr(r, "analysis_error"))
		return xstrdup(jstr(r, "analysis_error"));
	return xasprintf("%lld parse errors inside %s()",
			 json_integer_value(json_object_get(an, "parse_errors_in_handler")),
			 jstr(r, "function"));
}

/* Not seen by the first pass, and its own file is of p's architecture. */
static int pending(json_t *r, const struct arch_profile *p)
{
	return unseen(r) && own_arch_file(jstr(r, "file"), p);
}

/* The word an architecture goes by in Kconfig (PPC, SPARC) and in cpp (__sparc__). */
static char *arch_symbol(const struct arch_profile *p)
{
	char *s = xstrdup(strcmp(p->srcarch, "powerpc") ? p->srcarch : "ppc");

	for (char *c = s; *c; c++)
		*c = toupper((unsigned char)*c);
	return s;
}

/* word names sym: SPARC, SPARC64, PPC_BOOK3S_64 name SPARC or PPC; ARM64 does not name ARM */
static int names_symbol(const char *word, size_t n, const char *sym)
{
	size_t k = strlen(sym);

	if (n < k || strncmp(word, sym, k))
		return 0;
	return n == k || word[k] == '_' ||
	       (n == k + 2 && (!strncmp(word + k, "32", 2) ||
			       (!strncmp(word + k, "64", 2) && strcmp(sym, "ARM"))));
}

/* text has a word that names p's architecture, in Kconfig or cpp terms */
static int text_names_arch(const char *text, const struct arch_profile *p)
{
	char *sym = arch_symbol(p), *low = xstrdup(p->srcarch);
	const char *w = text;
	int hit = 0;

	if (!strcmp(p->srcarch, "arm64")) {
		free(low);
		low = xstrdup("aarch64");
	}
	while (!hit && *w) {
		size_t n;

		while (*w && !isalnum((unsigned char)*w) && *w != '_')
			w++;
		for (n = 0; isalnum((unsigned char)w[n]) || w[n] == '_'; n++)
			;
		if (n > 7 && !strncmp(w, "CONFIG_", 7))
			hit = names_symbol(w + 7, n - 7, sym);
		else if (n > 2 && !strncmp(w, "__", 2))
			/* __sparc__, __sparc_v9__, __powerpc64__, __riscv, __aarch64__ */
			hit = !strncmp(w + 2, low, strlen(low)) &&
			      !isalpha((unsigned char)w[2 + strlen(low)]);
		else
			hit = names_symbol(w, n, sym);
		w += n;
	}
	free(sym);
	free(low);
	return hit;
}

/*
 * A generic file is worth p's configuration when the file's conditional
 * lines (#if, #ifdef, #elif) or the "depends on" lines of the Kconfig
 * symbols that gate its object name p's architecture: atyfb's mmap is
 * "#ifdef __sparc__", oradax's object depends on SPARC64.
 */
static int file_names_arch(const char *tree, const char *file, const struct arch_profile *p)
{
	char *path = xasprintf("%s/%s", tree, file), *buf, *line, *save, *g;
	struct strlist syms = { 0 }, deps = { 0 };
	size_t len;
	int hit = 0, i;

	buf = read_file(path, &len);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line && !hit;
	     line = strtok_r(NULL, "\n", &save)) {
		char *s = line + strspn(line, " \t");

		if (*s != '#')
			continue;
		s += 1 + strspn(s + 1, " \t");
		if (!strncmp(s, "if", 2) || !strncmp(s, "elif", 4))
			hit = text_names_arch(s, p);
	}
	if (!hit) {
		g = arch_file_gates(tree, p, file, &syms);
		free(g);
		kconfig_depends(tree, p->srcarch, &syms, &deps);
		for (i = 0; i < syms.n && !hit; i++)
			hit = text_names_arch(syms.v[i], p);
		for (i = 0; i < deps.n && !hit; i++)
			hit = text_names_arch(deps.v[i], p);
	}
	strlist_free(&syms);
	strlist_free(&deps);
	free(buf);
	free(path);
	return hit;
}

/*
 * Parse files (those of its records that are unseen) in p's configuration.
 * Returns how many handlers it showed libclang.
 */
static int try_profile(const struct options *o, const char *tree, const char *rtree,
		       json_t *records, const struct arch_profile *p, const char *target,
		       const struct strlist *files)
{
	char *bdir, *log, *tmp, *why, *logs = out_path(o, "logs"), *kbase, *ktree, *pname;
	struct analyze_file *af;
	json_t *db, *r, *first = json_object();
	size_t i;
	int f, nseen = 0;

	/* the check stage's build directory for p, on the work tree (kbuild_source) */
	ktree = kbuild_source(o, tree, &kbase);
	pname = arch_path_name(p);
	bdir = strcmp(ktree, tree) ? arch_build_dir(o, pname) :
		xasprintf("%s/analyzer/build/%s", o->out, pname);
	free(pname);
	log = xasprintf("%s/classify-%s.log", logs, p->name);
	tmp = xasprintf("%s/analyzer/%s", o->out, p->name);
	mkdir_p(tmp);
	mkdir_p(logs);
	arch_configure(p, ktree, kbase, bdir, log);
	arch_prepare(p, ktree, bdir, log, o->jobs);
	db = compdb_for_profile(ktree, bdir, files, o->jobs, p, target);
	free(ktree);
	free(kbase);
	af = xmalloc((files->n + 1) * sizeof(*af));
	for (f = 0; f < files->n; f++) {
		af[f] = (struct analyze_file){ .file = files->v[f], .records = json_array(),
					       .args = json_object_get(db, files->v[f]) };
		if (!af[f].args)
			af[f].why_not = "kbuild gave no command for its object";
	}
	json_array_foreach(records, i, r) {
		char key[32];

		if (!unseen(r) || !strlist_has(files, jstr(r, "file")))
			continue;
		for (f = 0; f < files->n && strcmp(files->v[f], jstr(r, "file")); f++)
			;
		snprintf(key, sizeof(key), "%zu", i);
		why = unseen_why(r);
		json_object_set_new(first, key, json_string(why));
		free(why);
		json_array_append(af[f].records, r);
	}
	analyze_parallel(tree, tmp, af, files->n, o->jobs, 0);
	json_array_foreach(records, i, r) {
		char key[32];
		const char *was;
		json_t *an = json_object_get(r, "analysis");

		snprintf(key, sizeof(key), "%zu", i);
		was = json_string_value(json_object_get(first, key));
		if (!was)
			continue;
		if (seen(r)) {
			char *how = xasprintf("kbuild %s %s (clang %s)", p->name, p->config, target);

			json_object_del(r, "analysis_error");
			json_object_set_new(an, "flags", json_string(how));
			free(how);
			nseen++;
		} else {
			char *now = json_is_object(an) || jstr(r, "analysis_error") ?
				    unseen_why(r) : NULL;
			char *both = xasprintf("%s; %s: %s", was, p->name,
					       now && strcmp(now, was) ? now :
					       "kbuild gave no command for its object");

			free(now);

			json_object_set_new(r, "analysis_error", json_string(both));
			free(both);
		}
	}
	for (f = 0; f < files->n; f++)
		json_decref(af[f].records);
	free(af);
	json_decref(db);
	json_decref(first);
	free(bdir);
	free(log);
	free(tmp);
	free(logs);
	return nseen;
}

/*
 * First, each architecture's own files in its configuration.  Then the
 * generic files whose handler x86_64 compiles out, in the configurations
 * configured for the first step and in those of the architectures the
 * file names (file_names_arch()), in the order asked, until seen.
 */
void analyze_other_configs(const struct options *o, const char *tree, json_t *records)
{
	struct arch_profile *profs;
	char *rtree = realpath(tree, NULL);
	int np, a, nseen = 0, ngeneric = 0;
	int *used;
	double t0 = now_seconds();

	np = arch_profiles(o->arch, &profs);
	used = xmalloc((np + 1) * sizeof(*used));
	for (a = 0; a < np; a++) {
		struct arch_profile *p = &profs[a];
		char *target = clang_target(p);
		struct strlist files = { 0 };
		json_t *r;
		size_t i;

		used[a] = 0;
		json_array_foreach(records, i, r)
			if (pending(r, p))
				strlist_add_once(&files, jstr(r, "file"));
		if (files.n && (!target || !arch_has_toolchain(p))) {
			/* say why its own architecture did not help */
			json_array_foreach(records, i, r) {
				char *both;

				if (!pending(r, p))
					continue;
				both = xasprintf("%s; %s: %s", jstr(r, "analysis_error"), p->name,
						 target ? "no cross compiler" :
						 "clang 16 cannot parse for this architecture");
				json_object_set_new(r, "analysis_error", json_string(both));
				free(both);
			}
		}
		if (files.n && target && arch_has_toolchain(p)) {
			nseen += try_profile(o, tree, rtree, records, p, target, &files);
			used[a] = 1;
		}
		strlist_free(&files);
		free(target);
	}
	for (a = 0; a < np; a++) {
		struct arch_profile *p = &profs[a];
		char *target = clang_target(p);
		struct strlist files = { 0 }, asked = { 0 };
		json_t *r;
		size_t i;

		if (!target || !arch_has_toolchain(p)) {
			free(target);
			continue;
		}
		json_array_foreach(records, i, r) {
			const char *file = jstr(r, "file");

			if (!unseen(r) || !strncmp(file, "arch/", 5) || strlist_has(&asked, file))
				continue;
			strlist_add(&asked, file);
			if (used[a] || file_names_arch(tree, file, p))
				strlist_add(&files, file);
		}
		if (files.n)
			ngeneric += try_profile(o, tree, rtree, records, p, target, &files);
		strlist_free(&files);
		strlist_free(&asked);
		free(target);
	}
	if (nseen + ngeneric)
		info("classify: %d handlers of other architectures and %d generic ones x86_64 compiles out analysed in another allmodconfig in %.1f s",
		     nseen, ngeneric,
		     now_seconds() - t0);
	free(used);
	free(rtree);
}
