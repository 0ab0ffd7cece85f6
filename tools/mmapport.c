// SPDX-License-Identifier: GPL-2.0
/*
 * mmapport.c - the command: its options, then the stage it names (stages.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapport.h"
#include "inputs.h"
#include "analyzer/analyzer.h"

static const char common_help[] =
	"  --tree PATH      kernel tree to read (never written; default: $KERNEL)\n"
	"  --out DIR        results and the work tree (default: ./mmapport-out)\n"
	"  --paths P...     only these tree-relative files or directories\n"
	"                   (repeat the option or separate with commas)\n"
	"  --external DIR   an out-of-tree driver directory built against --tree\n"
	"  --compat-macro M --external: keep the old code under #if !defined(M) instead\n"
	"                   of a LINUX_VERSION_CODE test (M: the driver's own macro)\n"
	"  --no-compat      --external: the plain in-tree form (old code not kept)\n"
	"  --external-build 'make -C $(KDIR) M=$(PWD)/src VAR=value'\n"
	"                   --external: how the driver is built (default: its dkms.conf\n"
	"                   MAKE[0]; else M= at its top, no variables)\n"
	"  --external-configure './configure --kdir=${kernel_source_dir}'\n"
	"                   --external: run at the driver's top before each build\n"
	"                   (default: its dkms.conf PRE_BUILD; else none)\n"
	"  --compat-tree T  --external: check also builds the kept old code against T,\n"
	"                   an older kernel tree without the API (Debian's 6.12)\n"
	"  --api PROFILE    mainline or rfc (default: detected from the tree)\n"
	"  --arch LIST      check on these arch/ profiles (comma-separated; default all)\n"
	"  -j, --jobs N     parallel make jobs (default: the core count)\n"
	"  -v, --verbose    show the commands run\n"
	"  -h, --help       this text\n";

static void usage(FILE *f)
{
	fprintf(f, "usage: mmapport COMMAND [OPTIONS] [TREE]\n\n"
		"Port in-tree ->mmap handlers to ->mmap_prepare.\n\ncommands:\n");
	stages_list(f);
	fprintf(f, "\n'mmapport COMMAND --help' describes each.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "paths", required_argument, NULL, 'p' },
		{ "external", required_argument, NULL, 'e' },
		{ "api", required_argument, NULL, 'a' },
		{ "old", required_argument, NULL, 'O' },
		{ "new", required_argument, NULL, 'N' },
		{ "arch", required_argument, NULL, 'A' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "lexical", no_argument, NULL, 'L' },
		{ "no-compat", no_argument, NULL, 'C' },
		{ "compat-macro", required_argument, NULL, 'M' },
		{ "compat-tree", required_argument, NULL, 'T' },
		{ "external-build", required_argument, NULL, 'B' },
		{ "external-configure", required_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .out = "mmapport-out", .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) };
	const struct stage *st = NULL;
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	st = stage_named(argv[1]);
	if (!st) {
		fprintf(stderr, "mmapport: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	argv++;
	argc--;
	while ((c = getopt_long(argc, argv, "vhj:", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.tree = optarg;
			break;
		case 'o':
			o.out = optarg;
			o.out_given = 1;
			break;
		case 'p': {
			char *s = xstrdup(optarg), *tok, *save = s;

			/* empty items too: need_tree() refuses them */
			while ((tok = strsep(&save, ","))) {
				size_t n = strlen(tok);

				while (n > 1 && tok[n - 1] == '/')
					tok[--n] = '\0';
				strlist_add(&o.paths, tok);
			}
			free(s);
			break;
		}
		case 'e':
			o.external = optarg;
			break;
		case 'a':
			if (strcmp(optarg, "mainline") && strcmp(optarg, "rfc"))
				die("--api takes mainline or rfc, not '%s'", optarg);
			o.api = optarg;
			break;
		case 'A':
			o.arch = optarg;
			break;
		case 'O':
			o.old_tree = optarg;
			break;
		case 'N':
			o.new_tree = optarg;
			break;
		case 'j':
			o.jobs = atoi(optarg) > 0 ? atoi(optarg) : 1;
			break;
		case 'J':
			o.json = 1;
			break;
		case 'L':
			o.lexical = 1;
			break;
		case 'C':
			o.no_compat = 1;
			break;
		case 'T':
			o.compat_tree = optarg;
			break;
		case 'B':
			o.external_build = optarg;
			break;
		case 'G':
			o.external_configure = optarg;
			break;
		case 'M':
			if (!*optarg || (!isalpha((unsigned char)*optarg) && *optarg != '_') ||
			    optarg[strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")])
				die("--compat-macro takes a C macro name, not '%s'", optarg);
			o.compat_macro = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			printf("%s\noptions:\n%s%s", st->usage, common_help,
			       st->options ? st->options : "");
			return 0;
		default:
			fprintf(stderr, "%s", st->usage);
			return 2;
		}
	}
	/* A bare TREE argument, then further --paths for run. */
	for (; optind < argc; optind++) {
		if (!o.tree)
			o.tree = argv[optind];
		else
			strlist_add(&o.paths, argv[optind]);
	}
	git_isolate();
	return st->fn(&o);
}
