// SPDX-License-Identifier: GPL-2.0
/*
 * branches-main.c - tools/branches.c alone, for tests/48-branches.t:
 *
 *   branches-main FILE PATCH [PREPROCESSED.i ...]
 *   branches-main --wants FILE PATCH
 *   branches-main --dead CODE FILE [MACROS.json]
 *
 * prints one line per branch that holds a line PATCH touched, "LINE
 * DIRECTIVE", followed by the indexes (1-based) of the .i files that
 * compiled it, or "none"; with --wants, followed by what the branch needs
 * to be compiled: "SYMBOL=VALUES" (y, m, n; "~": turned the other way).
 * With --dead, the branches dead on a kernel whose LINUX_VERSION_CODE is
 * CODE: "LINE DIRECTIVE", one a line; MACROS.json ({NAME: the rest of its
 * #define line, or null}) are the macros a driver's configure step wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/branches.h"

int main(int argc, char **argv)
{
	struct branch_map m;
	json_t *files, *lines, *l;
	char *need, **live;
	size_t i;
	int b, k, wants = argc > 1 && !strcmp(argv[1], "--wants");

	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--dead")) {
		struct settle st = { .version = 1 };
		char *dead;

		if (branch_map_read(&m, argv[3]))
			return 2;
		if (argc == 5)
			st.macros = json_load_file(argv[4], 0, NULL);
		if (argc == 5 && !st.macros)
			return 2;
		dead = calloc(m.nbranches, 1);
		if (branches_dead_for_version(&m, strtol(argv[2], NULL, 0), &st, dead, NULL) < 0)
			return 2;
		for (b = 1; b < m.nbranches; b++)
			if (dead[b])
				printf("%d %s\n", m.branches[b].line, m.branches[b].cond);
		return 0;
	}

	if (wants) {
		argv++;
		argc--;
	}
	if (argc < 3 || branch_map_read(&m, argv[1]))
		return 2;
	/* the diff's one file */
	files = diff_touched_files(argv[2]);
	lines = json_object_iter_value(json_object_iter(files));
	if (!lines)
		return 2;
	need = calloc(m.nbranches, 1);
	json_array_foreach(lines, i, l)
		need[branch_of_touch(&m, l)] = 1;
	live = calloc(argc, sizeof(*live));
	for (k = 3; k < argc; k++) {
		live[k] = calloc(m.nbranches, 1);
		if (branches_live(&m, argv[k], argv[1], live[k]))
			return 2;
	}
	for (b = 1; b < m.nbranches; b++) {
		int any = 0;

		if (!need[b])
			continue;
		printf("%d %s:", m.branches[b].line, m.branches[b].cond);
		if (wants) {
			struct strlist reqs = { 0 };

			branch_wants(&m, b, &reqs);
			for (k = 0; k < reqs.n; k++)
				printf(" %s", reqs.v[k]);
			printf("\n");
			continue;
		}
		for (k = 3; k < argc; k++)
			if (live[k][b]) {
				printf(" %d", k - 2);
				any = 1;
			}
		printf("%s\n", any ? "" : " none");
	}
	return 0;
}
