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
 *
 * A driver that must be configured for the kernel it builds against (a
 * configure script probing the kernel, writing a config.h) names the step
 * in its dkms.conf PRE_BUILD, a script of its own run from its top before
 * every build, or the user gives --external-configure './configure
 * --kdir=${kernel_source_dir}'.  ext_configure() runs it in the work copy
 * before each build, for the kernel that build is against, as DKMS does:
 * its words split without a shell, ${kernelver} the kernel's release,
 * ${kernel_source_dir} its prepared build directory, ${arch} the
 * architecture.  What it writes is never part of a conversion: the diffs
 * are of the driver's own files.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapport.h"
#include "branches.h"
#include "analyzer/analyzer.h"

/* the DKMS variables known only when a build runs: set by ext_configure() */
#define AT_KERNEL "@KERNEL@"
#define AT_KVER "@KVER@"
#define AT_ARCH "@ARCH@"
#define AT_DKMS_TREE "@DKMS_TREE@"

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

/* s with every "from" replaced by "to". */
static char *replace_all(const char *s, const char *from, const char *to)
{
	char *out = xstrdup(s), *at;
	size_t off = 0;

	while ((at = strstr(out + off, from))) {
		char *n = xasprintf("%.*s%s%s", (int)(at - out), out, to, at + strlen(from));

		off = (at - out) + strlen(to);
		free(out);
		out = n;
	}
	return out;
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
			!strcmp(vars[i], "dkms_tree") ? AT_DKMS_TREE :
			!strcmp(vars[i], "kernel_source_dir") ? AT_KERNEL :
			!strcmp(vars[i], "kernelver") ? AT_KVER : AT_ARCH;
		char *forms[2];
		int f;

		forms[0] = xasprintf("${%s}", vars[i]);
		forms[1] = xasprintf("$%s", vars[i]);
		for (f = 0; f < 2 && val; f++) {
			char *n = replace_all(out, forms[f], val);

			free(out);
			out = n;
		}
		free(forms[0]);
		free(forms[1]);
	}
	return out;
}

/* Does word still hold a DKMS variable that only a build's run sets? */
static int has_placeholder(const char *word)
{
	return strstr(word, AT_KERNEL) || strstr(word, AT_KVER) || strstr(word, AT_ARCH) ||
	       strstr(word, AT_DKMS_TREE);
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

/*
 * The configure step: --external-configure, or the dkms.conf PRE_BUILD
 * script (a path below the driver's top, which DKMS runs only when it is
 * executable, and so does mmapport, saying so).  Its words, the DKMS
 * variables still to be set, into b->configure.
 */
static void configure_of(const struct options *o, const char *conf, const char *name,
			 const char *version, struct ext_build *b)
{
	char *line = NULL, *x, *top;
	int i;

	if (o->external_configure) {
		line = xstrdup(o->external_configure);
		b->configure_from = "--external-configure";
	} else if (conf) {
		line = conf_value(conf, "PRE_BUILD");
		b->configure_from = "dkms.conf PRE_BUILD";
	}
	if (!line || !*line) {
		b->configure_from = NULL;
		free(line);
		return;
	}
	x = expand(line, name, version);
	/* DKMS's copy of the driver is ${dkms_tree}/NAME/VERSION/build: here, its top */
	top = xasprintf("%s/%s/%s/build", AT_DKMS_TREE, name, version);
	shell_split(x, &b->configure);
	for (i = 0; i < b->configure.n; i++) {
		char *at = strstr(b->configure.v[i], top);

		if (at) {
			char *n = xasprintf("%.*s.%s", (int)(at - b->configure.v[i]),
					    b->configure.v[i], at + strlen(top));

			free(b->configure.v[i]);
			b->configure.v[i] = n;
		}
	}
	if (b->configure.n && !strcmp(b->configure_from, "dkms.conf PRE_BUILD")) {
		/* DKMS runs $build/$PRE_BUILD: the script is the driver's own */
		char *script = xasprintf("%s/%s", o->external, b->configure.v[0]);

		if (access(script, X_OK)) {
			warnx("dkms.conf PRE_BUILD names %s, which is not an executable file of the driver: DKMS skips it, and so does mmapport",
			      b->configure.v[0]);
			strlist_free(&b->configure);
			b->configure_from = NULL;
		} else {
			char *run = xasprintf("./%s", b->configure.v[0]);

			free(b->configure.v[0]);
			b->configure.v[0] = run;
		}
		free(script);
	}
	free(top);
	free(x);
	free(line);
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
	conf = read_file(conf_path, &len);
	free(conf_path);
	if (conf) {
		name = conf_value(conf, "PACKAGE_NAME");
		version = conf_value(conf, "PACKAGE_VERSION");
	}
	if (!name)
		name = xstrdup("");
	if (!version)
		version = xstrdup("");
	configure_of(o, conf, name, version, b);
	if (o->external_build) {
		line = xstrdup(o->external_build);
		b->from = "--external-build";
	} else if (conf) {
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
	if (!line) {
		b->from = NULL;
		goto out;
	}
	{
		char *x = expand(line, name, version);

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
				warnx("%s: cannot tell where M=%s is in the driver: kbuild runs at its top",
				      b->from, v);
			if (rest) {
				while (*rest == '/')
					rest++;
				free(b->subdir);
				b->subdir = xstrdup(rest);
				while (*b->subdir && b->subdir[strlen(b->subdir) - 1] == '/')
					b->subdir[strlen(b->subdir) - 1] = '\0';
			}
		} else if (strchr(a, '=') && a[0] != '-' && strcspn(a, "=") > 0 &&
			   !own_variable(a) && !has_placeholder(a) && !strchr(a, '$') &&
			   !strchr(a, '`')) {
			strlist_add(&b->vars, a);
		}
	}
	if (*b->subdir && (!safe_file_name(b->subdir) || strstr(b->subdir, "..")))
		die("%s gives M= below the driver's top as '%s', which kbuild cannot take safely",
		    b->from, b->subdir);
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
	strlist_free(&b->configure);
}

/*
 * Run b's configure step in top (the driver's work copy) for the kernel
 * tree ktree, prepared in kdir for profile p (its ARCH and CROSS_COMPILE
 * in the step's environment, its name as ${arch}), output to log, from the copy as git has
 * it (what is not tracked goes first, objects of earlier builds too).  0
 * when there is none or it succeeded; else its exit status, and *why (may
 * be NULL) says so with the first error line of its log.
 */
int ext_configure(const struct ext_build *b, const char *top, const char *ktree,
		  const char *kdir, const struct arch_profile *p, const char *log, char **why)
{
	struct strlist env = { 0 };
	struct run_opts ro = { .dir = top, .out = log, .err = log, .env = &env };
	struct strlist cmd = { 0 };
	char *kver;
	int i, st;

	if (why)
		*why = NULL;
	if (!b->configure.n)
		return 0;
	/* ${kernelver}: the release as kbuild makes it, else VERSION.PATCHLEVEL.SUBLEVEL */
	kver = capture_v(NULL, "make", "-s", "--no-print-directory", "-C", kdir,
			 "kernelrelease", NULL);
	if (!kver || !*kver || strchr(kver, '\n')) {
		long code = tree_version_code(ktree);

		free(kver);
		kver = code < 0 ? xstrdup("") : xasprintf("%ld.%ld.%ld", code >> 16,
							  (code >> 8) & 255, code & 255);
	}
	/* a probe the step builds with kbuild is for this build's architecture */
	arch_make_args(p, &env);
	if (!strncmp(b->configure.v[0], "./", 2)) {
		char *script = xasprintf("%s/%s", top, b->configure.v[0] + 2);
		int missing = access(script, X_OK);

		free(script);
		if (missing) {
			if (why)
				*why = xasprintf("the configure step (%s) runs %s, which the work copy lacks (a file git ignores is not copied)",
						 b->configure_from, b->configure.v[0]);
			strlist_free(&env);
			free(kver);
			return 1;
		}
	}
	for (i = 0; i < b->configure.n; i++) {
		char *a = replace_all(b->configure.v[i], AT_KERNEL, kdir);
		char *c = replace_all(a, AT_KVER, kver);
		/* the profile's architecture: x86_64 of "x86_64@6.12" or "x86_64+FOO=n" */
		char *an = strndup(p->name, strcspn(p->name, "+@"));
		char *d = replace_all(c, AT_ARCH, an);

		free(an);
		strlist_add(&cmd, d);
		free(a);
		free(c);
		free(d);
	}
	for (i = 0; i < cmd.n; i++)
		if (strstr(cmd.v[i], AT_DKMS_TREE) && why) {
			*why = xasprintf("the configure step (%s) names ${dkms_tree} other than as the driver's own copy: %s",
					 b->configure_from, cmd.v[i]);
			strlist_free(&cmd);
			strlist_free(&env);
			free(kver);
			return 1;
		}
	/*
	 * From the copy as it was: what an earlier run wrote for another
	 * kernel (a config.h, a cache) must not answer for this one
	 */
	if (run_v(top, log, "git", "clean", "-q", "-f", "-d", "-x", NULL) && why) {
		*why = xasprintf("cannot clean %s before the configure step (see %s)", top, log);
		strlist_free(&cmd);
		strlist_free(&env);
		free(kver);
		return 1;
	}
	ro.append = 1;
	st = run_list(&ro, &cmd);
	if (st && why) {
		char *e = first_error_line(log);

		*why = xasprintf("the driver's configure step (%s: %s) failed with status %d%s%s (see %s)",
				 b->configure_from, b->configure.v[0], st,
				 e ? ": " : "", e ? e : "", log);
		free(e);
	}
	strlist_free(&cmd);
	strlist_free(&env);
	free(kver);
	return st;
}

/* name, the rest of its #define line after it, from a line of a header; 0 if not one */
static int define_line(const char *l, char **name, char **rest, int *undef)
{
	const char *s = l, *n;

	while (*s == ' ' || *s == '\t')
		s++;
	/* autoconf's "/ * #undef NAME * /" says NAME is not defined */
	if (!strncmp(s, "/*", 2)) {
		s += 2;
		while (*s == ' ')
			s++;
		if (*s != '#')
			return 0;
	}
	if (*s++ != '#')
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	*undef = !strncmp(s, "undef", 5);
	if (!*undef && strncmp(s, "define", 6))
		return 0;
	s += *undef ? 5 : 6;
	if (*s != ' ' && *s != '\t')
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	for (n = s; *n == '_' || (*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') ||
	     (n > s && *n >= '0' && *n <= '9'); n++)
		;
	if (n == s || (l[strlen(l) - 1] == '\\'))
		return 0;
	*name = strndup(s, n - s);
	*rest = xstrdup(n);
	return 1;
}

/* Does l open (+1) or close (-1) a conditional, or neither (0)? */
static int cond_step(const char *l)
{
	while (*l == ' ' || *l == '\t')
		l++;
	if (*l++ != '#')
		return 0;
	while (*l == ' ' || *l == '\t')
		l++;
	return !strncmp(l, "if", 2) ? 1 : !strncmp(l, "endif", 5) ? -1 : 0;
}

/*
 * Is body (the rest of an object-like #define) a value a test can be
 * settled with: numbers, operators and the names of macros (known) the
 * same step wrote, and nothing a kernel header or configuration decides?
 */
static int plain_body(const char *body, const json_t *known)
{
	const char *s;

	if (*body == '(')
		return 0;	/* "NAME(args) ...": a function-like macro */
	for (s = body; *s; s++) {
		const char *t = s;
		char *id;
		int ok;

		if (s[0] == '/' && (s[1] == '*' || s[1] == '/'))
			return 1;	/* a comment ends it */
		if (isdigit((unsigned char)*s)) {
			while (isalnum((unsigned char)s[1]))
				s++;
			continue;
		}
		if (!isalpha((unsigned char)*s) && *s != '_') {
			if (!strchr(" \t()!&|<>=+-*/%~^?:", *s))
				return 0;
			continue;
		}
		while (isalnum((unsigned char)s[1]) || s[1] == '_')
			s++;
		id = strndup(t, s - t + 1);
		ok = json_object_get(known, id) && !json_is_false(json_object_get(known, id)) &&
		     strncmp(id, "CONFIG_", 7);
		free(id);
		if (!ok)
			return 0;
	}
	return 1;
}

/* The headers' macros that the driver's own files define or undefine too, out of m. */
static void drop_redefined(const char *top, json_t *m)
{
	char *ls = capture_v(top, "git", "ls-files", "--", "*.c", "*.h", NULL);
	char *f, *fsave = NULL;

	for (f = ls ? strtok_r(ls, "\n", &fsave) : NULL; f; f = strtok_r(NULL, "\n", &fsave)) {
		char *path = xasprintf("%s/%s", top, f), *buf = read_file(path, NULL), *l, *save;

		for (l = buf ? strtok_r(buf, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
			char *name, *rest;
			int undef;

			if (define_line(l, &name, &rest, &undef)) {
				json_object_del(m, name);
				free(name);
				free(rest);
			}
		}
		free(buf);
		free(path);
	}
	free(ls);
}

/*
 * What a configure step wrote in top (the driver's work copy, a git
 * repository): the headers it made or changed, and the macros they
 * define ({files: [path], macros: {NAME: the rest of its #define line,
 * or null for an "#undef NAME"}}).  Only what a test can be settled
 * with counts: a macro defined outside any conditional of its header (its
 * include guard aside), not a CONFIG_ name, with a plain value
 * (plain_body()), and defined or undefined in none of the driver's own
 * files.  NULL when it wrote no header.
 */
json_t *ext_configured(const char *top)
{
	char *st = capture_v(top, "git", "--no-optional-locks", "status", "--porcelain=v1",
			     "--untracked-files=all", "--ignored", "--no-renames", NULL);
	char *line, *save = NULL;
	json_t *files = json_array(), *macros = json_object(), *all = json_object(), *v;
	const char *k;
	void *tmp;

	for (line = st ? strtok_r(st, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *file = strlen(line) > 3 ? line + 3 : "";
		char *path, *buf, *guard = NULL;
		struct strlist ls = { 0 };
		int depth = 0, seen = 0, i;

		if (!str_ends_with(file, ".h") || strchr(file, '"'))
			continue;
		path = xasprintf("%s/%s", top, file);
		buf = read_file(path, NULL);
		free(path);
		if (!buf)
			continue;
		json_array_append_new(files, json_string(file));
		split_lines(buf, &ls);
		for (i = 0; i < ls.n; i++) {
			char *name, *rest;
			int undef, c = cond_step(ls.v[i]);

			/* the first "#ifndef G" with "#define G" next: the include guard */
			if (c == 1 && !seen && i + 1 < ls.n &&
			    sscanf(ls.v[i], " # ifndef %ms", &guard) == 1 &&
			    define_line(ls.v[i + 1], &name, &rest, &undef)) {
				int is_guard = !undef && !strcmp(name, guard);

				free(name);
				free(rest);
				seen = 1;
				if (is_guard) {
					i++;
					continue;
				}
			}
			seen |= c != 0;
			depth += c;
			if (!define_line(ls.v[i], &name, &rest, &undef))
				continue;
			/* conditional in the header: its value is not one */
			json_object_set_new(all, name, depth > 0 ? json_false() :
					    undef ? json_null() : json_string(rest));
			free(name);
			free(rest);
		}
		strlist_free(&ls);
		free(guard);
		free(buf);
	}
	free(st);
	json_object_foreach_safe(all, tmp, k, v)
		if (json_is_null(v) || (json_is_string(v) && strncmp(k, "CONFIG_", 7) &&
		    plain_body(json_string_value(v), all)))
			json_object_set(macros, k, v);
	drop_redefined(top, macros);
	json_decref(all);
	if (!json_array_size(files)) {
		json_decref(files);
		json_decref(macros);
		return NULL;
	}
	return json_pack("{s:o,s:o}", "files", files, "macros", macros);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* file's directory ("" at the top) */
static char *dir_of(const char *file)
{
	const char *s = strrchr(file, '/');

	return s ? strndup(file, s - file) : xstrdup("");
}

static int includes_at(const char *tree, const char *file, const json_t *names, int depth)
{
	char *buf = read_file_at(tree, file, NULL), *l, *save;
	int found = 0;

	for (l = buf ? strtok_r(buf, "\n", &save) : NULL; l && !found;
	     l = strtok_r(NULL, "\n", &save)) {
		const char *s = l, *q;
		char *inc, *dir, *rel;
		size_t i;
		json_t *v;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s++ != '#')
			continue;
		while (*s == ' ' || *s == '\t')
			s++;
		s = strncmp(s, "include", 7) ? NULL : strchr(s, '"');
		q = s ? strchr(s + 1, '"') : NULL;
		if (!q)
			continue;
		inc = strndup(s + 1, q - s - 1);
		json_array_foreach(names, i, v)
			found |= !strcmp(base_name(json_string_value(v)), base_name(inc));
		/* a header of the driver's own, beside the file or at its top */
		dir = dir_of(file);
		rel = *dir ? xasprintf("%s/%s", dir, inc) : xstrdup(inc);
		if (!found && depth < 3 && !strstr(inc, ".."))
			found = includes_at(tree, rel, names, depth + 1) ||
				(*dir && includes_at(tree, inc, names, depth + 1));
		free(rel);
		free(dir);
		free(inc);
	}
	free(buf);
	return found;
}

/*
 * Does tree's file include (itself or through the driver's own headers,
 * three deep) one of the headers a configure step wrote (names: their
 * paths)?  Only then are the macros it wrote what the file sees.
 */
int ext_includes(const char *tree, const char *file, const json_t *names)
{
	return includes_at(tree, file, names, 0);
}
