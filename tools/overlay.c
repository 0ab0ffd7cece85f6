// SPDX-License-Identifier: GPL-2.0
/*
 * overlay.c - the rfc profile's API on a mainline tree, for the check only.
 *
 * The seed series (profile rfc) was never merged.  To type-check rfc
 * conversions on a mainline 7.x tree, the patches in overlay/rfc/ add its
 * declarations (mmap_complete, mmap_abort, desc->mmap_context, the split
 * remap helpers) and rename mm's internal remap_pfn_range_prepare/complete
 * pair that clashes with them.  They are applied in the check's work tree
 * only, before the base objects are built, and reverted after: the result
 * is a compile and sparse check of the rfc API, not a runtime test.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"

static int overlay_patches(const char *api, glob_t *g)
{
	char *pat = xasprintf("%s/overlay/%s/*.patch", project_dir(), api);
	int r = glob(pat, 0, NULL, g);

	free(pat);
	return r == 0 && g->gl_pathc > 0;
}

/* Is patch applied in work (does it reverse cleanly)? */
static int applied(const char *work, const char *patch)
{
	struct run_opts ro = { .dir = work, .err = "/dev/null" };
	struct strlist cmd = { 0 };
	int r;

	strlist_add(&cmd, "git");
	strlist_add(&cmd, "apply");
	strlist_add(&cmd, "-R");
	strlist_add(&cmd, "--check");
	strlist_add(&cmd, patch);
	r = run_list(&ro, &cmd);
	strlist_free(&cmd);
	return r == 0;
}

/* Apply overlay/API/ in work unless the tree has the API already. */
int overlay_apply(const char *work, const char *api, const char *native, const char *log)
{
	glob_t g;
	size_t i;

	if (strcmp(api, "rfc") || !overlay_patches(api, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		const char *patch = g.gl_pathv[i];

		if (applied(work, patch))
			continue;	/* applied already (an interrupted check) */
		if (run_v(work, log, "git", "apply", patch, NULL)) {
			if (native && !strcmp(native, "rfc"))
				break;	/* the tree has the rfc API of its own */
			die("the %s API overlay %s does not apply to %s%s; see %s", api, patch,
			    work, log_reason(log), log);
		}
	}
	info("check: %s API overlay applied (%zu patches): a type check of the %s API, not a runtime test",
	     api, g.gl_pathc, api);
	globfree(&g);
	return 1;
}

/* Take the overlay out again, so that the series does not carry it. */
void overlay_revert(const char *work, const char *api)
{
	glob_t g;
	size_t i;

	if (!overlay_patches(api, &g))
		return;
	for (i = g.gl_pathc; i-- > 0;)
		if (applied(work, g.gl_pathv[i]))
			run_v(work, NULL, "git", "apply", "-R", g.gl_pathv[i], NULL);
	globfree(&g);
}
