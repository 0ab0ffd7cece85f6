// SPDX-License-Identifier: GPL-2.0
/*
 * profile.c - the API profile: which mmap_prepare API the tree has
 * (mainline's actions, the rfc series' mmap_complete/mmap_abort) and
 * which one convert writes (--api, else the tree's), read once from the
 * tree's headers by convert and kept in each conversion's record
 * (conversion.profile, conversion.tree_api) for the stages after it.
 * Not to be confused with an architecture profile (arch.c, arch/NAME.conf).
 */
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "category.h"

int detect_api_profile(const char *tree, const char *want, struct api_profile *p)
{
	char *mmt = xasprintf("%s/include/linux/mm_types.h", tree);
	char *fs = xasprintf("%s/include/linux/fs.h", tree);
	char *mm = xasprintf("%s/include/linux/mm.h", tree);
	int mainline = file_has(mmt, "struct mmap_action");
	int rfc = file_has(fs, "mmap_complete");

	memset(p, 0, sizeof(*p));
	p->has_mainline = mainline;
	p->has_rfc = rfc;
	p->has_prepare = file_has(fs, "mmap_prepare");
	p->flag_bits = file_has(mmt, "vma_flags_t vma_flags");
	p->has_mapped = file_has(mm, "(*mapped)(");
	p->twins = prepare_twins(tree);
	p->native = rfc ? "rfc" : mainline ? "mainline" : NULL;
	if (want)
		p->api = want;
	else if (rfc)
		p->api = "rfc";
	else if (mainline)
		p->api = "mainline";
	free(mmt);
	free(fs);
	free(mm);
	return p->api ? 0 : -1;
}

/* --api names an API the tree lacks: say first what check will do with it. */
void warn_missing_api(const struct options *o, const struct api_profile *p)
{
	if (!o->api || (!strcmp(o->api, "mainline") ? p->has_mainline : p->has_rfc))
		return;
	if (!p->has_mainline && !p->has_rfc)
		warnx("--api %s: the tree %s has neither mmap_prepare API (no struct mmap_action in include/linux/mm_types.h, no mmap_complete in include/linux/fs.h): the conversions are made, but check will not build them and drops them all (\"the tree lacks the API\"): none reaches the series",
		      o->api, o->tree);
	else if (!strcmp(o->api, "rfc") && !o->external)
		warnx("--api rfc: the tree %s lacks the rfc API (no mmap_complete in include/linux/fs.h): check --api rfc will build the conversions against the rfc overlay (overlay/rfc/), a type check of that API, not a runtime test",
		      o->tree);
	else
		warnx("--api %s: the tree %s lacks the %s API (no %s): check will build the conversions against this tree's headers, where they fail, and drop them",
		      o->api, o->tree, o->api, !strcmp(o->api, "rfc") ?
		      "mmap_complete in include/linux/fs.h; with --external the rfc overlay is not applied" : "struct mmap_action in include/linux/mm_types.h");
}
