// SPDX-License-Identifier: GPL-2.0
/*
 * buildcache-main.c - tools/buildcache.c alone, for tests/42-build-cache.t:
 *
 *   buildcache-main restore PROFILE-KEY SRCARCH WORK BASE BDIR
 *   buildcache-main store SRCARCH WORK BDIR
 *
 * restore prints "restored" or "miss" (exit 0 either way); after a miss
 * the caller makes BDIR as a prepare would and runs store, which keeps it
 * in the cache ($MMAPPORT_CACHE/builds).
 */
#include <stdio.h>
#include <string.h>

#include "../../tools/mmapport.h"

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "restore")) {
		puts(build_cache_restore(argv[2], argv[3], argv[4], argv[5], argv[6]) ?
		     "restored" : "miss");
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "store")) {
		build_cache_store(argv[2], argv[3], argv[4]);
		return 0;
	}
	fprintf(stderr, "usage: %s restore PKEY SRCARCH WORK BASE BDIR | store SRCARCH WORK BDIR\n",
		argv[0]);
	return 2;
}
