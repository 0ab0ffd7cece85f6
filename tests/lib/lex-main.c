// SPDX-License-Identifier: GPL-2.0
/*
 * lex-main.c - lex_collapse() of tools/lex.c alone, for tests/19-lex.t:
 *
 *   lex-main < TEXT
 *
 * prints TEXT as lex_collapse() makes it one line, then a newline.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../tools/lex.h"

int main(void)
{
	size_t n = 0, cap = 4096, got;
	char *buf = malloc(cap), *line;

	if (!buf)
		return 2;
	while ((got = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += got;
		if (n == cap) {
			char *more = realloc(buf, cap *= 2);

			if (!more)
				return 2;
			buf = more;
		}
	}
	line = lex_collapse(buf, buf + n);
	printf("%s\n", line);
	free(line);
	free(buf);
	return 0;
}
