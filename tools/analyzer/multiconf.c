// SPDX-License-Identifier: GPL-2.0
/*
 * multiconf.c - a second configuration for the handlers that x86_64
 * allmodconfig does not show libclang.
 *
 * Another architecture's files (arch/powerpc/..., arch/arm/...) are parsed
 * with the compile commands of that architecture's profile (arch/NAME.conf:
 * its all*config and fragments), given to clang with --target, from a
 * build directory of the classify stage's own (DIR/analyzer/build/NAME,
 * configured and prepared once, cached like the check's).  The profiles
 * asked for (--arch) are tried in order until the handler is seen; a
 * handler none of them shows keeps its x86_64 reason, with what the
 * others said.  ARC has no clang backend, and x86 is the first pass.
 */
#define _GNU_SOURCE
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
	size_t n = strlen(p->srcarch);

	return !strncmp(file, "arch/", 5) && !strncmp(file + 5, p->srcarch, n) &&
	       file[5 + n] == '/';
}

/* Not seen by the first pass, and its own file is of p's architecture. */
static int pending(json_t *r, const struct arch_profile *p)
{
	return jstr(r, "function") && !json_is_null(json_object_get(r, "definition")) &&
	       !json_is_object(json_object_get(r, "analysis")) &&
	       jstr(r, "analysis_error") && own_arch_file(jstr(r, "file"), p);
}

void analyze_other_configs(const struct options *o, const char *tree, json_t *records)
{
	struct arch_profile *profs;
	char *rtree = realpath(tree, NULL), *logs = out_path(o, "logs");
	int np, a, nseen = 0;
	double t0 = now_seconds();

	np = arch_profiles(o->arch, &profs);
	mkdir_p(logs);
	for (a = 0; a < np; a++) {
		struct arch_profile *p = &profs[a];
		char *target = clang_target(p), *bdir, *log, *tmp;
		struct strlist files = { 0 };
		struct analyze_file *af;
		json_t *db, *r, *first = json_object();
		size_t i;
		int f;

		json_array_foreach(records, i, r)
			if (pending(r, p) && !strlist_has(&files, jstr(r, "file")))
				strlist_add(&files, jstr(r, "file"));
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
		if (!files.n || !target || !arch_has_toolchain(p)) {
			strlist_free(&files);
			free(target);
			json_decref(first);
			continue;
		}
		bdir = xasprintf("%s/analyzer/build/%s", o->out, p->name);
		log = xasprintf("%s/classify-%s.log", logs, p->name);
		tmp = xasprintf("%s/analyzer/%s", o->out, p->name);
		mkdir_p(tmp);
		arch_configure(p, tree, rtree, bdir, log);
		arch_prepare(p, tree, bdir, log, o->jobs);
		db = compdb_for_profile(tree, bdir, &files, o->jobs, p, target);
		af = xmalloc((files.n + 1) * sizeof(*af));
		for (f = 0; f < files.n; f++) {
			af[f] = (struct analyze_file){ .file = files.v[f], .records = json_array(),
						       .args = json_object_get(db, files.v[f]) };
			if (!af[f].args)
				af[f].why_not = "kbuild gave no command for its object";
		}
		json_array_foreach(records, i, r) {
			if (!pending(r, p))
				continue;
			for (f = 0; f < files.n && strcmp(files.v[f], jstr(r, "file")); f++)
				;
			{
				char key[32];

				snprintf(key, sizeof(key), "%zu", i);
				json_object_set_new(first, key, json_string(jstr(r, "analysis_error")));
			}
			json_array_append(af[f].records, r);
		}
		analyze_parallel(tree, tmp, af, files.n, o->jobs, 0);
		json_array_foreach(records, i, r) {
			char key[32];
			const char *was;
			json_t *an = json_object_get(r, "analysis");

			snprintf(key, sizeof(key), "%zu", i);
			was = json_string_value(json_object_get(first, key));
			if (!was)
				continue;
			if (json_is_object(an)) {
				char *how = xasprintf("kbuild %s %s (clang %s)", p->name, p->config,
						      target);

				json_object_del(r, "analysis_error");
				json_object_set_new(an, "flags", json_string(how));
				free(how);
				nseen++;
			} else {
				const char *now = jstr(r, "analysis_error");
				char *both = xasprintf("%s; %s: %s", was, p->name,
						       now && strcmp(now, was) ? now :
						       "kbuild gave no command for its object");

				json_object_set_new(r, "analysis_error", json_string(both));
				free(both);
			}
		}
		for (f = 0; f < files.n; f++)
			json_decref(af[f].records);
		free(af);
		json_decref(db);
		json_decref(first);
		strlist_free(&files);
		free(target);
		free(bdir);
		free(log);
		free(tmp);
	}
	if (nseen)
		info("classify: %d handlers of other architectures analysed in their own "
		     "allmodconfig in %.1f s", nseen, now_seconds() - t0);
	free(rtree);
	free(logs);
}
