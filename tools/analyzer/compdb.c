// SPDX-License-Identifier: GPL-2.0
/*
 * compdb.c - compile flags from the kernel's own build.
 *
 * The build dir (x86_64 allmodconfig, shared with the check stage) is
 * prepared once.  For each candidate object kbuild is asked for its real
 * command without compiling anything: one "make -n" over all the objects
 * prints, for each, the fixdep call that would write its .cmd file; those
 * .cmd files are written under BDIR/mmapport-cmds, and the tree's
 * scripts/clang-tools/gen_compile_commands.py turns them into
 * BDIR/mmapport-cmds/compile_commands.json.  That file is the cache: a
 * second run asks kbuild only about files it does not list.
 *
 * gcc-only flags are dropped: what is kept is what decides
 * how the source parses: -nostdinc, -I, -isystem, -include, -D, -U, -std,
 * -fms-extensions, -fshort-wchar, -f(un)signed-char, -m64.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"

static const char arch_name[] = "x86_64";

void shell_split(const char *s, struct strlist *out)
{
	size_t cap = strlen(s) + 1, n;
	char *w = xmalloc(cap);
	int in = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		n = 0;
		in = 1;
		while (*s && in) {
			if (*s == '\'') {
				for (s++; *s && *s != '\''; s++)
					w[n++] = *s;
				if (*s)
					s++;
			} else if (*s == '"') {
				for (s++; *s && *s != '"'; s++) {
					if (*s == '\\' && s[1])
						s++;
					w[n++] = *s;
				}
				if (*s)
					s++;
			} else if (*s == '\\' && s[1]) {
				w[n++] = s[1];
				s += 2;
			} else if (*s == ' ' || *s == '\t' || *s == '\n') {
				in = 0;
			} else {
				w[n++] = *s++;
			}
		}
		w[n] = '\0';
		strlist_add(out, w);
	}
	free(w);
}

/* The clang arguments that matter for parsing, from a gcc command line. */
static json_t *translate(const char *command, const char *directory, const char *source)
{
	struct strlist w = { 0 };
	json_t *args = json_array();
	int i;

	shell_split(command, &w);
	for (i = 1; i < w.n; i++) {
		const char *a = w.v[i];

		if (!strcmp(a, "-I") || !strcmp(a, "-include") || !strcmp(a, "-isystem") ||
		    !strcmp(a, "-D") || !strcmp(a, "-U") || !strcmp(a, "-iquote")) {
			if (i + 1 >= w.n)
				break;
			json_array_append_new(args, json_string(a));
			i++;
			a = w.v[i];
			if (strcmp(w.v[i - 1], "-D") && strcmp(w.v[i - 1], "-U") && a[0] != '/')
				json_array_append_new(args, json_string(xasprintf("%s/%s", directory, a)));
			else
				json_array_append_new(args, json_string(a));
			continue;
		}
		if (!strncmp(a, "-I", 2) || !strncmp(a, "-isystem", 8)) {
			const char *p = a + (a[1] == 'I' ? 2 : 8);
			char *flag = xasprintf("%.*s", (int)(p - a), a);

			if (*p != '/')
				json_array_append_new(args, json_string(
					xasprintf("%s%s/%s", flag, directory, p)));
			else
				json_array_append_new(args, json_string(a));
			free(flag);
			continue;
		}
		if (!strncmp(a, "-D", 2) || !strncmp(a, "-U", 2) || !strncmp(a, "-std=", 5) ||
		    !strcmp(a, "-nostdinc") || !strcmp(a, "-fms-extensions") ||
		    !strcmp(a, "-fshort-wchar") || !strcmp(a, "-funsigned-char") ||
		    !strcmp(a, "-fsigned-char") || !strcmp(a, "-m64") || !strcmp(a, "-m32"))
			json_array_append_new(args, json_string(a));
		/* -o FILE, -MF FILE and friends take the next word */
		else if (!strcmp(a, "-o") || !strcmp(a, "-MF") || !strcmp(a, "-MT") ||
			 !strcmp(a, "-MQ") || !strcmp(a, "-x"))
			i++;
	}
	(void)source;
	/* clang does not know some gcc builtins the kernel guards by version only */
	json_array_append_new(args, json_string("-w"));
	json_array_append_new(args, json_string("-ferror-limit=0"));
	strlist_free(&w);
	return args;
}

/*
 * The fixdep call kbuild prints for an object:
 *   ./scripts/basic/fixdep DEP TARGET 'CMD' > DIR/.BASE.o.cmd
 * Write "savedcmd_TARGET := CMD" into cmddir/DIR/.BASE.o.cmd when TARGET
 * is wanted.
 */
/*
 * The next fixdep call in a dry run's output from *pos: its TARGET and its
 * quoted command ('...' with '\'' for a quote), both allocated; 0 at the end.
 */
static int next_fixdep(char **pos, char **target, char **cmd)
{
	char *p = *pos, *q, *sp1, *sp2, *o;

	while ((p = strstr(p, "scripts/basic/fixdep "))) {
		q = p + strlen("scripts/basic/fixdep ");
		p = q;
		sp1 = strchr(q, ' ');
		if (!sp1)
			break;
		sp2 = strchr(sp1 + 1, ' ');
		if (!sp2 || sp2[1] != '\'')
			continue;
		*target = xasprintf("%.*s", (int)(sp2 - sp1 - 1), sp1 + 1);
		*cmd = xmalloc(strlen(sp2));
		o = *cmd;
		for (q = sp2 + 2; *q; q++) {
			if (*q == '\'' && !strncmp(q, "'\\''", 4)) {
				*o++ = '\'';
				q += 3;
				continue;
			}
			if (*q == '\'')
				break;
			*o++ = *q;
		}
		*o = '\0';
		*pos = q;
		return 1;
	}
	*pos = p;
	return 0;
}

static void cmds_from_dry_run(const char *log, const char *cmddir, const struct strlist *objs)
{
	size_t len;
	char *buf = read_file(log, &len), *p = buf, *target, *cmd;

	if (!buf)
		return;
	while (next_fixdep(&p, &target, &cmd)) {
		if (strlist_has(objs, target)) {
			char *slash = strrchr(target, '/');
			char *dir = xasprintf("%s/%.*s", cmddir, slash ? (int)(slash - target) : 0,
					      target);
			char *path = xasprintf("%s/.%s.cmd", dir, slash ? slash + 1 : target);
			char *text = xasprintf("savedcmd_%s := %s\n", target, cmd);

			mkdir_p(dir);
			write_file(path, text, strlen(text));
			free(dir);
			free(path);
			free(text);
		}
		free(cmd);
		free(target);
	}
	free(buf);
}

/*
 * An --external driver's files (MDIR-relative .c paths): kbuild's own dry
 * run of an M= build of MDIR (the driver's work copy) against the kernel
 * tree KTREE and its prepared build directory BDIR prints the command of
 * each object, with the driver's own ccflags-y and include directories,
 * as the check stage will build it.  Returns file -> clang arguments; a
 * file kbuild prints no command for (not in the driver's Kbuild) gets none.
 */
json_t *compdb_for_external(const char *ktree, const char *bdir, const char *mdir,
			    const struct ext_build *eb, const struct strlist *files, int jobs,
			    const char *log)
{
	struct run_opts ro = { .dir = mdir, .out = log, .err = log };
	struct strlist cmd = { 0 }, objs = { 0 };
	json_t *db = json_object();
	char *buf, *p, *target, *c, *kdir;
	size_t len, sl = strlen(eb->subdir);
	int f;

	/* kbuild's directory: the driver's top, or the M= below it its build names */
	kdir = sl ? xasprintf("%s/%s", mdir, eb->subdir) : xstrdup(mdir);
	ro.dir = kdir;
	strlist_add(&cmd, "make");
	strlist_add(&cmd, "-C");
	strlist_add(&cmd, ktree);
	strlist_addf(&cmd, "O=%s", bdir);
	strlist_addf(&cmd, "M=%s", kdir);
	strlist_addf(&cmd, "ARCH=%s", arch_name);
	for (f = 0; f < eb->vars.n; f++)
		strlist_add(&cmd, eb->vars.v[f]);
	strlist_add(&cmd, "-n");
	strlist_add(&cmd, "-k");
	strlist_addf(&cmd, "-j%d", jobs);
	for (f = 0; f < files->n; f++) {
		char *obj;

		if (!str_ends_with(files->v[f], ".c") || !safe_file_name(files->v[f]) ||
		    (sl && (strncmp(files->v[f], eb->subdir, sl) || files->v[f][sl] != '/')))
			continue;
		obj = xstrdup(files->v[f] + (sl ? sl + 1 : 0));
		obj[strlen(obj) - 1] = 'o';
		strlist_add(&objs, obj);
		strlist_add(&cmd, obj);
		free(obj);
	}
	if (objs.n)
		run_list(&ro, &cmd);
	strlist_free(&cmd);
	buf = objs.n ? read_file(log, &len) : NULL;
	for (p = buf; p && next_fixdep(&p, &target, &c); free(target), free(c)) {
		/* kbuild names the target from MDIR, with or without "./" */
		const char *t = strncmp(target, "./", 2) ? target : target + 2;
		int i = strlist_index(&objs, t);

		if (i >= 0) {
			char *src = sl ? xasprintf("%s/%s", eb->subdir, t) : xstrdup(t);

			src[strlen(src) - 1] = 'c';
			json_object_set_new(db, src, translate(c, kdir, NULL));
			free(src);
		}
	}
	free(buf);
	free(kdir);
	strlist_free(&objs);
	return db;
}

static int x86_buildable(const char *file)
{
	size_t n = strlen(file);

	if (n < 3 || strcmp(file + n - 2, ".c"))
		return 0;
	return !other_arch_file(file, "x86");
}

json_t *compdb_fallback(const char *tree)
{
	json_t *args = json_array();

	/*
	 * FALLBACK FLAGS, not from kbuild: a tree without scripts/Makefile.build
	 * (the test suite's fake trees) is parsed against its own include/ with
	 * implicit declarations allowed.  Records say so (analysis.flags).
	 */
	json_array_append_new(args, json_string("-nostdinc"));
	json_array_append_new(args, json_string(xasprintf("-I%s/include", tree)));
	json_array_append_new(args, json_string(xasprintf("-I%s/arch/x86/include", tree)));
	json_array_append_new(args, json_string("-D__KERNEL__"));
	json_array_append_new(args, json_string("-std=gnu89"));
	json_array_append_new(args, json_string("-fms-extensions"));
	json_array_append_new(args, json_string("-w"));
	json_array_append_new(args, json_string("-ferror-limit=0"));
	return args;
}

static json_t *compdb_build(const char *tree, const char *bdir, const struct strlist *files,
			    int jobs, const char **how, const struct arch_profile *p,
			    const char *target);

json_t *compdb_for_files(const char *tree, const char *bdir, const struct strlist *files,
			 int jobs, const char **how)
{
	return compdb_build(tree, bdir, files, jobs, how, NULL, NULL);
}

/*
 * The same for another profile's build directory, which the caller has
 * configured and prepared (arch_configure, arch_prepare): kbuild's dry run
 * with the profile's ARCH and CROSS_COMPILE, and --target=TARGET for clang.
 */
json_t *compdb_for_profile(const char *tree, const char *bdir, const struct strlist *files,
			   int jobs, const struct arch_profile *p, const char *target)
{
	const char *how;

	return compdb_build(tree, bdir, files, jobs, &how, p, target);
}

static json_t *compdb_build(const char *tree, const char *bdir, const struct strlist *files,
			    int jobs, const char **how, const struct arch_profile *p,
			    const char *target)
{
	char *mkbuild = xasprintf("%s/scripts/Makefile.build", tree);
	char *gen = xasprintf("%s/scripts/clang-tools/gen_compile_commands.py", tree);
	char *cmddir = xasprintf("%s/mmapport-cmds", bdir);
	char *ccjson = xasprintf("%s/compile_commands.json", cmddir);
	char *cfg = xasprintf("%s/.config", bdir);
	char *rtree = realpath(tree, NULL);
	struct strlist objs = { 0 };
	json_t *db = json_object(), *cc = NULL, *e;
	size_t i;
	int f;

	if (!path_exists(mkbuild) || !path_exists(gen)) {
		*how = "fallback";
		/* x86 flags, as kbuild's: another architecture's files get none */
		for (f = 0; f < files->n; f++)
			if (!other_arch_file(files->v[f], "x86"))
				json_object_set_new(db, files->v[f], compdb_fallback(tree));
		goto out;
	}
	*how = "kbuild x86_64 allmodconfig";
	mkdir_p(cmddir);
	if (path_exists(ccjson))
		cc = json_load_path(ccjson);
	/* which objects are not in the cache yet */
	for (f = 0; f < files->n; f++) {
		char *abs = xasprintf("%s/%s", rtree, files->v[f]);
		int found = 0;

		/* a name kbuild would run through its shell recipes never reaches make */
		if (!safe_file_name(files->v[f])) {
			free(abs);
			continue;
		}
		if (p ? strcmp(files->v[f] + strlen(files->v[f]) - 2, ".c") ||
			other_arch_file(files->v[f], p->srcarch) :
		    !x86_buildable(files->v[f])) {
			free(abs);
			continue;
		}
		json_array_foreach(cc, i, e)
			if (jstr(e, "file") && !strcmp(jstr(e, "file"), abs))
				found = 1;
		if (!found) {
			char *obj = xstrdup(files->v[f]);

			/*
			 * Always kbuild's dry run over this tree: a .cmd file the
			 * check stage left names the work tree's copy of the
			 * source, not this tree's, and would not be found again.
			 */
			obj[strlen(obj) - 1] = 'o';
			strlist_add(&objs, obj);
			free(obj);
		}
		free(abs);
	}
	if (objs.n || !cc) {
		char *log = xasprintf("%s/make-n.log", cmddir);
		double t0 = now_seconds();

		if (!p && !path_exists(cfg)) {
			struct run_opts ro = { .dir = tree, .out = log, .err = log };
			struct strlist config = { 0 }, prepare = { 0 };
			int bad;

			info("classify: preparing %s allmodconfig in %s", arch_name, bdir);
			mkdir_p(bdir);
			strlist_add(&config, "make");
			strlist_addf(&config, "O=%s", bdir);
			strlist_addf(&config, "ARCH=%s", arch_name);
			strlist_add(&config, "allmodconfig");
			strlist_add(&prepare, "make");
			strlist_addf(&prepare, "O=%s", bdir);
			strlist_addf(&prepare, "ARCH=%s", arch_name);
			strlist_addf(&prepare, "-j%d", jobs);
			strlist_add(&prepare, "prepare");
			bad = run_list(&ro, &config);
			ro.append = 1;
			if (!bad)
				bad = run_list(&ro, &prepare);
			strlist_free(&config);
			strlist_free(&prepare);
			if (bad) {
				unlink(cfg);
				die("cannot prepare the %s build dir%s; see %s", arch_name,
				    log_reason(log), log);
			}
		}
		if (objs.n) {
			struct run_opts ro = { .dir = tree, .out = log, .err = log };
			struct strlist cmd = { 0 };

			/* -n: print, do not compile; kbuild still descends into each dir */
			strlist_add(&cmd, "make");
			strlist_add(&cmd, "-n");
			strlist_add(&cmd, "-k");
			strlist_addf(&cmd, "O=%s", bdir);
			if (p)
				arch_make_args(p, &cmd);
			else
				strlist_addf(&cmd, "ARCH=%s", arch_name);
			for (f = 0; f < objs.n; f++)
				strlist_add(&cmd, objs.v[f]);
			run_list(&ro, &cmd);
			strlist_free(&cmd);
			cmds_from_dry_run(log, cmddir, &objs);
		}
		if (run_v(NULL, NULL, "python3", gen, "-d", bdir, "-o", ccjson, cmddir, NULL))
			warnx("gen_compile_commands.py failed; the analyzer falls back to lexing");
		info("classify: compile commands of %d objects from kbuild in %.1f s", objs.n,
		     now_seconds() - t0);
		json_decref(cc);
		cc = path_exists(ccjson) ? json_load_path(ccjson) : json_array();
		free(log);
	}
	json_array_foreach(cc, i, e) {
		const char *file = jstr(e, "file");
		size_t tl = strlen(rtree);

		if (!file || strncmp(file, rtree, tl) || file[tl] != '/')
			continue;
		if (!strlist_has(files, file + tl + 1))
			continue;
		{
			json_t *args = translate(jstr(e, "command"), jstr(e, "directory"), file);

			if (target)
				json_array_insert_new(args, 0, json_string(target));
			json_object_set_new(db, file + tl + 1, args);
		}
	}
out:
	json_decref(cc);
	strlist_free(&objs);
	free(mkbuild);
	free(gen);
	free(cmddir);
	free(ccjson);
	free(cfg);
	free(rtree);
	return db;
}
