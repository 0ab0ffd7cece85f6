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
	/* one byte kept for the NUL lex_collapse()'s strstr() needs */
	while ((got = fread(buf + n, 1, cap - 1 - n, stdin)) > 0) {
		n += got;
		if (n == cap - 1) {
			char *more = realloc(buf, cap *= 2);

			if (!more)
				return 2;
			buf = more;
		}
	}
	buf[n] = '\0';
	line = lex_collapse(buf, buf + n);
	printf("%s\n", line);
	free(line);
	free(buf);
	return 0;
}
