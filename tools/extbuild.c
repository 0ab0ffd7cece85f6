// SPDX-License-Identifier: GPL-2.0
/*
 * extbuild.c - how an --external driver is built.
 *
 * kbuild builds an out-of-tree driver with "make -C KDIR M=DIR [VAR=value
 * ...]", DIR being the directory with its Kbuild, which need not be the
 * top of the driver's tree (src/, a userpf/ beside other parts), and the
 * variables its Makefiles read (RTPENGINE_VERSION=..., MODULE_CFLAGS=...).
 * The description is --external-build 'make -C $(KDIR) M=$(PWD)/src
 * CONFIG_FOO=m', or else the MAKE[0] line (MAKE, or MAKE[$i] in a loop)
 * of the driver's dkms.conf, which
 * every DKMS package has (${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build
 * is the driver's top there).  What is taken from it: the M= directory
 * below the driver's top (the subdirectory) and every VAR=value word but
 * those naming the build itself (M, O, ARCH, CROSS_COMPILE, C, CHECK, W)
 * or the output (MO, KBUILD_OUTPUT), the compilers, or a value that names
 * the kernel tree or DKMS paths or is still a shell or make expansion
 * ($, `), which mmapport sets itself or cannot know.  A line that does
 * not run kbuild with M= (a driver's own
 * wrapper target) gives no subdirectory and only its variables.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "analyzer/analyzer.h"

/* A dkms.conf's KEY="value" (or KEY=value), unquoted; NULL if absent. */
static char *conf_value(const char *conf, const char *key)
{
	const char *p = conf;
	size_t n = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == '=') {
			const char *v = p + n + 1, *e = strchr(v, '\n');
			struct strlist w = { 0 };
			char *line, *r = NULL, *bs;

			/* a value continued with a backslash at the end of its lines */
			while (e && e > v && e[-1] == '\\')
				e = strchr(e + 1, '\n');
			line = e ? strndup(v, e - v) : xstrdup(v);
			while ((bs = strstr(line, "\\\n")))
				bs[0] = bs[1] = ' ';

			/* one shell word: its quotes gone */
			shell_split(line, &w);
			if (w.n)
				r = strlist_join(&w, " ");
			strlist_free(&w);
			free(line);
			return r;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* ${NAME} and $NAME of the DKMS variables in s, as far as they are known. */
static char *expand(const char *s, const char *name, const char *version)
{
	static const char *const vars[] = {
		"PACKAGE_NAME", "PACKAGE_VERSION", "dkms_tree", "kernel_source_dir",
		"kernelver", "arch", NULL,
	};
	char *out = xstrdup(s);
	int i;

	for (i = 0; vars[i]; i++) {
		const char *val = !strcmp(vars[i], "PACKAGE_NAME") ? name :
			!strcmp(vars[i], "PACKAGE_VERSION") ? version :
			!strcmp(vars[i], "dkms_tree") ? "@DKMS_TREE@" :
			!strcmp(vars[i], "kernel_source_dir") ? "@KERNEL@" : "@OTHER@";
		char *forms[2], *at;
		int f;

		forms[0] = xasprintf("${%s}", vars[i]);
		forms[1] = xasprintf("$%s", vars[i]);
		for (f = 0; f < 2; f++)
			while (val && (at = strstr(out, forms[f]))) {
				char *n = xasprintf("%.*s%s%s", (int)(at - out), out, val,
						    at + strlen(forms[f]));

				free(out);
				out = n;
			}
		free(forms[0]);
		free(forms[1]);
	}
	return out;
}

static int own_variable(const char *word)
{
	static const char *const own[] = {
		"M", "O", "ARCH", "CROSS_COMPILE", "C", "CHECK", "W", "KBUILD_EXTMOD",
		"SUBDIRS", "src", "obj", "MO", "KBUILD_OUTPUT", "CC", "LD", "LLVM", "HOSTCC",
		"KERNELRELEASE", NULL,
	};
	size_t n = strcspn(word, "=");
	int i;

	for (i = 0; own[i]; i++)
		if (strlen(own[i]) == n && !strncmp(word, own[i], n))
			return 1;
	return 0;
}

/* The build description of o's --external driver (b zeroed by the caller). */
void ext_build_of(const struct options *o, struct ext_build *b)
{
	char *conf_path, *conf = NULL, *line = NULL, *name = NULL, *version = NULL;
	struct strlist w = { 0 };
	size_t len;
	int i;

	b->subdir = xstrdup("");
	if (!o->external)
		return;
	conf_path = xasprintf("%s/dkms.conf", o->external);
	if (o->external_build) {
		line = xstrdup(o->external_build);
		b->from = "--external-build";
	} else if ((conf = read_file(conf_path, &len))) {
		name = conf_value(conf, "PACKAGE_NAME");
		version = conf_value(conf, "PACKAGE_VERSION");
		line = conf_value(conf, "MAKE[0]");
		if (!line)
			line = conf_value(conf, "MAKE");
		if (!line) {
			/* MAKE[$i]= in a loop over the modules: the same line for each */
			const char *m = strstr(conf, "\nMAKE[");
			const char *eq = m ? strstr(m, "]=") : NULL;

			if (eq && !memchr(m + 1, '\n', eq - m - 1)) {
				char *key = strndup(m + 1, eq + 1 - (m + 1));

				line = conf_value(conf, key);
				free(key);
			}
		}
		b->from = "dkms.conf MAKE";
	}
	free(conf_path);
	if (!line) {
		b->from = NULL;
		goto out;
	}
	{
		char *x = expand(line, name ? name : "", version ? version : "");

		shell_split(x, &w);
		free(x);
	}
	for (i = 0; i < w.n; i++) {
		const char *a = w.v[i];

		if (!strncmp(a, "M=", 2) || !strncmp(a, "SUBDIRS=", 8)) {
			/* below the driver's top: after DKMS's .../build, or $(PWD)/$(CURDIR) */
			const char *v = strchr(a, '=') + 1, *at = strstr(v, "/build");
			const char *rest = NULL;

			if (at && (at[6] == '/' || !at[6]))
				rest = at[6] ? at + 7 : "";
			else if (!strncmp(v, "$(PWD)", 6) || !strncmp(v, "$(CURDIR)", 9) ||
				 !strncmp(v, "$PWD", 4))
				rest = strchr(v, ')') ? strchr(v, ')') + 1 : v + 4;
			if (!rest)
				warnx("%s: cannot tell where M=%s is in the driver: kbuild runs "
				      "at its top", b->from, v);
			if (rest) {
				while (*rest == '/')
					rest++;
				free(b->subdir);
				b->subdir = xstrdup(rest);
				while (*b->subdir && b->subdir[strlen(b->subdir) - 1] == '/')
					b->subdir[strlen(b->subdir) - 1] = '\0';
			}
		} else if (strchr(a, '=') && a[0] != '-' && strcspn(a, "=") > 0 &&
			   !own_variable(a) && !strstr(a, "@KERNEL@") && !strstr(a, "@DKMS_TREE@") &&
			   !strstr(a, "@OTHER@") && !strchr(a, '$') && !strchr(a, '`')) {
			strlist_add(&b->vars, a);
		}
	}
	if (*b->subdir && (!safe_file_name(b->subdir) || strstr(b->subdir, "..")))
		die("%s gives M= below the driver's top as '%s', which kbuild cannot take "
		    "safely", b->from, b->subdir);
out:
	strlist_free(&w);
	free(line);
	free(conf);
	free(name);
	free(version);
}

void ext_build_free(struct ext_build *b)
{
	free(b->subdir);
	strlist_free(&b->vars);
}
