// SPDX-License-Identifier: GPL-2.0
/*
 * compat-main.c - tools/compat.c alone, for tests/43-compat.t:
 *
 *   compat-main OLD NEW DIFF GUARD
 *
 * rewrites NEW (the converted file; OLD as it was, DIFF the change as
 * diff -U0) with each changed region under "#if GUARD", the old lines in
 * its #else, and prints the number of regions.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../tools/mmapport.h"

int main(int argc, char **argv)
{
	char *old, *diff;
	size_t len;

	if (argc != 5) {
		fprintf(stderr, "usage: %s OLD NEW DIFF GUARD\n", argv[0]);
		return 2;
	}
	old = read_file(argv[1], &len);
	diff = read_file(argv[3], &len);
	if (!old || !diff)
		return 2;
	printf("%d\n", compat_wrap(argv[2], old, diff, argv[4]));
	return 0;
}
