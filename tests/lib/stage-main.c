// SPDX-License-Identifier: GPL-2.0
/*
 * stage-main.c - a stage of mmapport linked without tools/mmapport.c (the
 * command's main()), run on an output directory made of fixture JSON, as
 * tools/testing/vma runs mm code in userspace: tests/49-stage-alone.t.
 * `make build/stage-main` links it with every other object.
 *
 * Usage: stage-main STAGE DIR
 * Runs the stage as `mmapport STAGE --out DIR` would (run_stage(), the
 * stage table's own function), with no tree: a stage that reads only DIR,
 * such as report.
 */
#include <stdio.h>

#include "../../tools/mmapport.h"

int main(int argc, char **argv)
{
	struct options o = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: stage-main STAGE DIR\n");
		return 2;
	}
	o.out = argv[2];
	o.out_given = 1;
	return run_stage(argv[1], &o);
}
