// SPDX-License-Identifier: GPL-2.0
/*
 * analyzer.c - the libclang analyzer's driver, run by classify after the
 * lexical classifier has given every record a category.
 *
 * Files are parsed in parallel by --jobs forked workers (each its own
 * libclang index), which take file numbers from a pipe and write each
 * file's records, with their analysis, to a JSON file of their own; the
 * parent merges them back by record number and applies decide.c.  A
 * record libclang cannot see (another architecture's file, code disabled
 * in x86_64 allmodconfig, a header, a handler that does not parse) gets
 * Coccinelle's facts instead (cocci.c), decided by the same table with a
 * lower confidence; where spatch fails too, its lexical category stays:
 * no handler is ever dropped.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clang-c/Index.h>

#include "../branches.h"
#include "analyzer.h"

static int wants_analysis(json_t *r)
{
	const char *c = jstr(r, "lexical_category");

	return jstr(r, "function") && !json_is_true(json_object_get(r, "prepare_hook")) &&
	       c && strcmp(c, "no-handler") && strcmp(c, "already-prepare");
}

static void worker(const char *tree, struct analyze_file *af, int nfiles, int fd,
		   const char *out, int syntax_only)
{
	CXIndex index = clang_createIndex(0, 0);
	FILE *o = fopen(out, "w");
	int f;

	if (!o)
		_exit(1);
	/* one line per file, flushed: a crash in libclang loses one file only */
	while (read(fd, &f, sizeof(f)) == sizeof(f)) {
		json_t *line;
		char *s;

		if (f < 0 || f >= nfiles)
			continue;
		analyze_file(index, tree, &af[f], syntax_only);
		line = json_pack("{s:i,s:O}", "file", f, "records", af[f].records);
		s = json_dumps(line, JSON_COMPACT);
		fprintf(o, "%s\n", s);
		fflush(o);
		free(s);
		json_decref(line);
	}
	clang_disposeIndex(index);
	fclose(o);
	_exit(0);
}

/*
 * Parse the files in parallel; with syntax_only, only parse (the bench's
 * measure of what libclang costs by itself).  Returns the seconds spent.
 */
double analyze_parallel(const char *tree, const char *tmpdir, struct analyze_file *af,
			int nfiles, int jobs, int syntax_only)
{
	int p[2], f, j;
	pid_t *pids;
	double t0 = now_seconds();

	if (pipe(p))
		die("pipe: %s", strerror(errno));
	/* the whole queue fits in the pipe: file numbers are small */
	for (f = 0; f < nfiles; f++)
		if (af[f].args && write(p[1], &f, sizeof(f)) != sizeof(f))
			die("pipe write: %s", strerror(errno));
	close(p[1]);
	if (jobs < 1)
		jobs = 1;
	pids = xmalloc(jobs * sizeof(*pids));
	fflush(NULL);
	for (j = 0; j < jobs; j++) {
		char *out = xasprintf("%s/worker-%d.json", tmpdir, j);

		unlink(out);
		pids[j] = fork();
		if (pids[j] < 0)
			die("fork: %s", strerror(errno));
		if (!pids[j])
			worker(tree, af, nfiles, p[0], out, syntax_only);
		free(out);
	}
	close(p[0]);
	for (j = 0; j < jobs; j++) {
		int st;
		char *out = xasprintf("%s/worker-%d.json", tmpdir, j);
		char *buf = NULL;
		size_t cap = 0;
		FILE *res;

		waitpid(pids[j], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			warnx("analyzer worker %d died (status %d): its files keep the lexical classification",
			      j, st);
		res = fopen(out, "r");
		while (res && getline(&buf, &cap, res) > 0) {
			json_t *v = json_loads(buf, 0, NULL), *r;
			int n = jint(v, "file");
			size_t i;

			/* the worker's copies replace the parent's, record by record */
			if (v && n >= 0 && n < nfiles)
				json_array_foreach(json_object_get(v, "records"), i, r)
					json_object_update(json_array_get(af[n].records, i), r);
			json_decref(v);
		}
		if (res)
			fclose(res);
		unlink(out);
		free(out);
		free(buf);
	}
	free(pids);
	return now_seconds() - t0;
}

/*
 * Handlers registered in one file and defined in another (vb2_fop_mmap,
 * sock_no_mmap, drm_gem_mmap...): find the defining file with one grep of
 * the tree for a definition line, "TYPE NAME(" at the start of a line, or
 * "NAME(" there when the type is on the line above.
 * Returns an object name -> tree-relative file.
 */
static json_t *find_definitions(const char *tree, struct strlist *names)
{
	json_t *defs = json_object();
	char *alt, *out, *line, *save, *text;
	struct strlist args = { 0 };
	const char *file;
	int i;

	if (!names->n)
		return defs;
	alt = strlist_join(names, "|");
	strlist_addf(&args, "^([A-Za-z_].*[^A-Za-z_0-9])?(%s)\\(", alt);
	out = grep_tree(tree, "-nE", &args, 0);
	strlist_free(&args);
	/* no output at all (grep could not run): no definition found */
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!grep_line(line, &file, &text))
			continue;
		/* a name scan refuses is never analysed: it would reach make */
		if (!safe_file_name(file))
			continue;
		/* a prototype or a macro use is no definition */
		if (strchr(text, ';') || strchr(text, '=') || text[0] == '#' ||
		    !strncmp(text, "EXPORT", 6))
			continue;
		for (i = 0; i < names->n; i++) {
			char *at = strstr(text, names->v[i]);
			size_t l = strlen(names->v[i]);

			if (!at || at[l] != '(' || (at > text && (isalnum((unsigned char)at[-1]) ||
								   at[-1] == '_')))
				continue;
			/* prefer a file x86_64 builds */
			if (!json_object_get(defs, names->v[i]) ||
			    (!strncmp(jstr(defs, names->v[i]), "arch/", 5) &&
			     strncmp(file, "arch/", 5)))
				json_object_set_new(defs, names->v[i], json_string(file));
		}
	}
	free(out);
	free(alt);
	return defs;
}

/* A record whose handler is defined in another .c file, found by defs. */
static int elsewhere_only(json_t *r, json_t *defs)
{
	const char *fn = jstr(r, "function"), *def;

	if (!fn || !json_is_null(json_object_get(r, "definition")))
		return 0;
	def = json_string_value(json_object_get(defs, fn));
	return def && strcmp(def, jstr(r, "file"));
}

/* Is line l of m in branch k, or in a group inside it? */
static int in_branch(const struct branch_map *m, int l, int k)
{
	int b;

	for (b = branch_of(m, l); b; b = m->branches[b].outer)
		if (b == k)
			return 1;
	return 0;
}

/* The last line of branch k's directive (a continued one ends below it). */
static int directive_end(const struct branch_map *m, int k)
{
	int l = m->branches[k].line;

	while (l + 1 < m->nlines && branch_after(m, l) != k)
		l++;
	return l;
}

/* The newest release KERNEL_VERSION() can name. */
#define VERSION_MAX ((255L << 16) + (255 << 8) + 255)

/* Is e "defined(NAME)" (one test of one name)? */
static int defined_name(const char *e)
{
	size_t n = strlen(e);

	return !strncmp(e, "defined(", 8) && e[n - 1] == ')' &&
	       strspn(e + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
	       n - 9;
}

/* e as a term of a conjunction: "defined(X)" and "!defined(X)" bare, else "(e)". */
static char *plain_term(const char *e)
{
	return defined_name(e) || (e[0] == '!' && defined_name(e + 1)) ? xstrdup(e) :
	       xasprintf("(%s)", e);
}

/* e false, as a term: "!defined(X)", "defined(X)" for "!defined(X)", else "!(e)". */
static char *negated_term(const char *e)
{
	return defined_name(e) ? xasprintf("!%s", e) :
	       e[0] == '!' && defined_name(e + 1) ? xstrdup(e + 1) : xasprintf("!(%s)", e);
}

/*
 * For group g..lastk of m, when its tests name more than the release (a
 * configure step's macro, a kconfig symbol): the condition under which
 * the compiler takes the branch taken says it takes, "!(A) && (B)" (every
 * test before it false, its own true); NULL for a group of version tests
 * alone, which settle for every later release by themselves.
 */
static char *taken_condition(const struct branch_map *m, int g, int lastk,
			     const struct settle *st, const char *dead, const char *taken)
{
	struct strlist names = { 0 }, syms = { 0 };
	char *cond = NULL;
	int k, is_else;

	for (k = g; k <= lastk; k++)
		if (m->branches[k].first == g)
			branch_settled_names(m->branches[k].cond, st, &names, &syms);
	if (!names.n && !syms.n)
		goto out;
	for (k = g; k <= lastk; k++) {
		char *e, *t;

		if (m->branches[k].first != g)
			continue;
		e = branch_settled_expr(m->branches[k].cond, st, &is_else);
		if (!e && !is_else) {
			/* not settled after all: nothing to name */
			free(cond);
			cond = NULL;
			goto out;
		}
		if (e) {
			char *term = taken[k] ? plain_term(e) : negated_term(e);

			t = xasprintf("%s%s%s", cond ? cond : "", cond ? " && " : "", term);
			free(term);
			free(cond);
			cond = t;
		}
		free(e);
		if (taken[k])
			break;
	}
out:
	strlist_free(&names);
	strlist_free(&syms);
	return cond;
}

/*
 * A dead branch k of group g: {line, directive, from, to}, and when the
 * group's tests name macros the driver's configure step wrote,
 * "configured": each with its value (null: not defined), when they name
 * kconfig symbols, "kconfig": each with its value in the target's
 * configuration ("y", "m", "n"), and then "group": the group's first
 * directive ({line, directive}) and "guard": the condition under which
 * the compiler takes the branch the group keeps (guard), for the compat
 * guard: a kernel, configuration or configure run that answers otherwise
 * builds the old handler.
 */
static json_t *dead_branch_json(const struct branch_map *m, int g, int k,
				const struct settle *st, int from, int to, const char *guard)
{
	json_t *d = json_pack("{s:i,s:s,s:i,s:i}", "line", m->branches[k].line, "directive",
			      m->branches[k].cond, "from", from ? from : m->branches[k].line + 1,
			      "to", from ? to : m->branches[k].line);
	struct strlist names = { 0 }, syms = { 0 };
	int i;

	for (i = g; i <= k; i++)
		if (m->branches[i].first == g)
			branch_settled_names(m->branches[i].cond, st, &names, &syms);
	if (syms.n) {
		json_t *c = json_object();

		/* each symbol as the target's configuration has it */
		for (i = 0; i < syms.n; i++)
			json_object_set_new(c, syms.v[i], json_string(
				jstr((json_t *)st->kconfig, syms.v[i]) ?
				jstr((json_t *)st->kconfig, syms.v[i]) : "n"));
		json_object_set_new(d, "kconfig", c);
	}
	if (names.n || syms.n) {
		json_t *c = json_object();

		for (i = 0; i < names.n; i++)
			json_object_set(c, names.v[i], json_object_get(st->macros, names.v[i]));
		if (names.n)
			json_object_set_new(d, "configured", c);
		else
			json_decref(c);
		/* the group's first test, which names them */
		json_object_set_new(d, "group", json_pack("{s:i,s:s}", "line", m->branches[g].line,
							  "directive", m->branches[g].cond));
		/* where the code kept is what the compiler takes: the compat guard adds it */
		if (guard)
			json_object_set_new(d, "guard", json_string(guard));
	}
	strlist_free(&names);
	strlist_free(&syms);
	return d;
}

/*
 * The version-test groups of m inside lines first..last that have a dead
 * branch on release code: each dead branch into list ({line, directive,
 * from, to}).  A group whose tests settle it for this release and every
 * later one (one branch taken, every other dead up to VERSION_MAX) loses
 * its directives and dead lines (drop: the line numbers, for convert to
 * take out); any other sets *unsettled, the first such directive.
 */
static void version_groups(const struct branch_map *m, long code, const struct settle *st,
			   int first, int last, json_t *list, json_t *drop, char **unsettled)
{
	char *dead = calloc(m->nbranches, 1), *taken = calloc(m->nbranches, 1);
	char *later = calloc(m->nbranches, 1), *guard = NULL;
	int g, k, l;

	if (branches_dead_for_version(m, code, st, dead, taken) <= 0 ||
	    branches_dead_for_version(m, VERSION_MAX, st, later, NULL) < 0)
		goto out;
	for (g = 1; g < m->nbranches; g++) {
		int any = 0, settled = 1, lastk = g, outer = m->branches[g].outer;

		if (m->branches[g].first != g || m->branches[g].line <= first ||
		    m->branches[g].line > last || dead[outer])
			continue;
		for (k = g; k < m->nbranches; k++) {
			if (m->branches[k].first != g)
				continue;
			lastk = k;
			any |= dead[k];
			if ((!dead[k] && !taken[k]) || (dead[k] && !later[k]))
				settled = 0;
		}
		if (!any)
			continue;
		free(guard);
		guard = taken_condition(m, g, lastk, st, dead, taken);
		for (k = g; k <= lastk; k++) {
			int from = 0, to = 0;

			if (m->branches[k].first != g || !dead[k])
				continue;
			for (l = directive_end(m, k) + 1; l < m->nlines && in_branch(m, l, k); l++) {
				from = from ? from : l;
				to = l;
			}
			json_array_append_new(list, dead_branch_json(m, g, k, st, from, to, guard));
			if (!settled && !*unsettled)
				*unsettled = xasprintf("line %d: %s", m->branches[k].line,
						       m->branches[k].cond);
		}
		if (!settled)
			continue;
		/* the group's directives, its #endif and its dead lines */
		for (k = g; k <= lastk; k++) {
			if (m->branches[k].first != g)
				continue;
			for (l = m->branches[k].line; l <= directive_end(m, k); l++)
				json_array_append_new(drop, json_integer(l));
			for (l = directive_end(m, k) + 1; dead[k] && l < m->nlines &&
			     in_branch(m, l, k); l++)
				json_array_append_new(drop, json_integer(l));
		}
		for (l = directive_end(m, lastk) + 1; l < m->nlines; l++)
			if (branch_of(m, l) == outer) {
				json_array_append_new(drop, json_integer(l));
				break;
			}
	}
out:
	free(guard);
	free(dead);
	free(taken);
	free(later);
}

/*
 * What the target's release leaves out (branches_dead_for_version()):
 * a handler's branches that version tests make dead on the kernel tree's
 * release become analysis.dead_branches ({line, directive, from, to}: the
 * directive and the dead lines after it), for convert to leave as they
 * are; a registration under such a branch gets not_compiled ({line,
 * directive}): no kernel of this release compiles it.  ktree is the
 * kernel tree (an --external driver's target too), tree the sources.
 */
/*
 * What the tests of tree's file may settle (struct settle): the release
 * where it includes linux/version.h; the macros of configured (an
 * --external driver's configure step: {files, macros}, or NULL) where it
 * includes a header that step wrote.  0 when neither.
 */
static int settle_of(const char *tree, const char *file, const json_t *configured,
		     const json_t *kconfig, struct settle *st)
{
	char *path = xasprintf("%s/%s", tree, file);

	st->version = file_has(path, "linux/version.h");
	st->macros = configured && ext_includes(tree, file, json_object_get(configured, "files")) ?
		     json_object_get(configured, "macros") : NULL;
	st->kconfig = kconfig;
	free(path);
	return st->version || st->macros || st->kconfig;
}

/*
 * The kernel configuration an --external driver is built against (its
 * prepared build dir's include/generated/autoconf.h): CONFIG_X -> "y",
 * "m", or the value of another type as written.  A symbol not set is
 * absent.  NULL without the file.
 */
static json_t *kconfig_values(const char *bdir)
{
	char *path = xasprintf("%s/include/generated/autoconf.h", bdir);
	char *buf = read_file(path, NULL), *l, *save;
	json_t *kc = buf ? json_object() : NULL;

	for (l = buf ? strtok_r(buf, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char name[256], val[256];
		size_t n;

		if (sscanf(l, "#define %255s %255[^\n]", name, val) != 2 ||
		    strncmp(name, "CONFIG_", 7))
			continue;
		n = strlen(name);
		if (n > 7 && str_ends_with(name, "_MODULE") && !strcmp(val, "1")) {
			name[n - 7] = '\0';
			json_object_set_new(kc, name, json_string("m"));
		} else if (!json_object_get(kc, name)) {
			json_object_set_new(kc, name, json_string(strcmp(val, "1") ? val : "y"));
		}
	}
	free(buf);
	free(path);
	return kc;
}

static void dead_for_target(const char *ktree, const char *tree, json_t *records,
			    const json_t *configured, const json_t *kconfig)
{
	long code = tree_version_code(ktree);
	struct settle st;
	json_t *r;
	size_t i;

	if (code < 0)
		return;
	json_array_foreach(records, i, r) {
		json_t *an = json_object_get(r, "analysis");
		struct branch_map m;
		char *path, *dead;
		int b;

		/* the registration (a configuration's test does not make it dead code) */
		path = xasprintf("%s/%s", tree, jstr(r, "file"));
		if (jint(r, "line") > 0 && settle_of(tree, jstr(r, "file"), configured, NULL, &st) &&
		    !branch_map_read(&m, path)) {
			dead = calloc(m.nbranches, 1);
			b = branch_of(&m, jint(r, "line"));
			if (branches_dead_for_version(&m, code, &st, dead, NULL) > 0 && dead[b]) {
				while (dead[m.branches[b].outer])
					b = m.branches[b].outer;
				char *f = xasprintf("registered only under \"%s\" (line %d), which is false on this tree's release: no kernel this tree builds compiles it",
						    m.branches[b].cond,
						    m.branches[b].line);

				json_object_set_new(r, "not_compiled", json_pack("{s:i,s:s}", "line",
						    m.branches[b].line, "directive", m.branches[b].cond));
				/* a fact of its category's, whatever decided that */
				if (!json_is_array(json_object_get(r, "facts")))
					json_object_set_new(r, "facts", json_array());
				if (!json_is_array(json_object_get(r, "reasons")))
					json_object_set_new(r, "reasons", json_array());
				/* first: what follows may be the last word (lexical, why) */
				json_array_insert_new(json_object_get(r, "facts"), 0, json_string(f));
				json_array_append_new(json_object_get(r, "reasons"), json_pack(
					"{s:s,s:s}", "category", js(r, "category"), "fact", f));
				free(f);
			}
			free(dead);
			branch_map_free(&m);
		}
		free(path);
		/* the handler's body */
		if (!json_is_object(an) || jint(an, "def_line") <= 0 || jint(an, "def_end") <= 0)
			continue;
		path = xasprintf("%s/%s", tree, record_def_file(r));
		if (settle_of(tree, record_def_file(r), configured, kconfig, &st) &&
		    !branch_map_read(&m, path)) {
			json_t *list = json_array(), *drop = json_array();
			char *unsettled = NULL;

			version_groups(&m, code, &st, jint(an, "def_line"), jint(an, "def_end"),
				       list, drop, &unsettled);
			if (json_array_size(list))
				json_object_set_new(an, "dead_branches", list);
			else
				json_decref(list);
			if (unsettled)
				json_object_set_new(an, "version_unsettled", json_string(unsettled));
			else if (json_array_size(drop))
				json_object_set_new(an, "version_drop", json_incref(drop));
			json_decref(drop);
			free(unsettled);
			branch_map_free(&m);
		}
		free(path);
	}
}

/*
 * A handler that is not static (or not known to be: Coccinelle's facts
 * do not say) may be named from other files: a
 * prototype in a header, a registration, an export's users, a call.
 * Each such record gets analysis.named_in, the other files of the tree
 * (.c and .h) whose code names the function as a whole word (a mention
 * in a comment or a string aside), for convert to change them with the
 * definition (or to refuse).  A file that declares a static function of
 * the same name itself is not naming this one.  One grep for every name.
 */
static void named_in_files(const char *tree, json_t *records)
{
	struct strlist names = { 0 };
	json_t *where = NULL, *r;
	size_t i;

	json_array_foreach(records, i, r) {
		json_t *an = json_object_get(r, "analysis");

		/* a library registration that takes its twin changes alone */
		if (json_is_object(an) && jstr(r, "function") && !jstr(r, "twin") &&
		    (jstr(an, "def_file") || !json_is_true(json_object_get(an, "static"))))
			strlist_add_once(&names, jstr(r, "function"));
	}
	if (!names.n)
		goto out;
	where = files_naming(tree, &names, 1);
	json_array_foreach(records, i, r) {
		json_t *an = json_object_get(r, "analysis"), *list, *f;
		const char *fn = jstr(r, "function");
		size_t j;

		if (!json_is_object(an) || !fn || jstr(r, "twin") || !strlist_has(&names, fn))
			continue;
		list = json_array();
		json_array_foreach(json_object_get(where, fn), j, f) {
			const char *file = json_string_value(f);
			char *path = xasprintf("%s/%s", tree, file);
			int own = 0;

			/* in its code, and not a static function of its own of that name */
			if (strcmp(file, record_def_file(r)) && names_in_code(path, fn, &own) && !own)
				json_array_append(list, f);
			free(path);
		}
		json_object_set_new(an, "named_in", list);
	}
out:
	strlist_free(&names);
	json_decref(where);
}

/*
 * Where classify runs kbuild: the work tree (DIR/work, made here as
 * convert would make it), so that its build directories are the check
 * stage's own (DIR/build/PROFILE, configured with the same key): each
 * profile is configured and prepared once per run, not once for classify
 * and again for check.  The sources it parses are still the tree's own
 * (the work tree holds the conversions once convert ran).  *base gets what
 * arch_configure() keys the build on.  An external driver's tree, or a
 * tree without kbuild (the test suite's fake trees), is used as it is.
 */
char *kbuild_source(const struct options *o, const char *tree, char **base)
{
	static char *work, *wbase;
	char *mk = xasprintf("%s/scripts/Makefile.build", tree);
	int kbuild = path_exists(mk);

	free(mk);
	if (o->external || !kbuild) {
		*base = realpath(tree, NULL);
		return xstrdup(tree);
	}
	if (!work) {
		work = work_tree(o, 1);
		wbase = work_base(work);
	}
	*base = xstrdup(wbase);
	return xstrdup(work);
}

/*
 * The x86_64 build dir of kbuild's work tree (kbuild_source()), with
 * check's own x86_64 profile and key: check then finds it prepared, and
 * the build cache (buildcache.c) gives it to every run of the same tree.
 */
void kbuild_prepare_x86(const struct options *o, const char *ktree, const char *kbase,
			const char *bdir)
{
	struct arch_profile *x86;
	char *logs = out_path(o, "logs"), *log = xasprintf("%s/classify-x86_64.log", logs);

	mkdir_p(logs);
	if (arch_profiles("x86_64", &x86) == 1) {
		arch_configure(x86, ktree, kbase, bdir, log);
		arch_prepare(x86, ktree, bdir, log, o->jobs);
	}
	free(log);
	free(logs);
}

/*
 * Files whose parse missed a header kbuild generates while building (a
 * cold build dir, only prepared: selinux's flask.h): kbuild makes their
 * objects, which makes the headers, and they are parsed again.  Without
 * this a first run and a second one would not parse them alike.
 */
static double parse_again_with_generated(const struct options *o, const char *tree,
					 const char *ktree, const char *bdir, const char *tmp,
					 struct analyze_file *af, int nfiles)
{
	struct analyze_file *again = xmalloc((nfiles + 1) * sizeof(*again));
	struct strlist cmd = { 0 };
	double t0 = now_seconds();
	json_t *r;
	size_t i;
	int f, n = 0, missing;

	strlist_add(&cmd, "make");
	strlist_add(&cmd, "-k");
	strlist_addf(&cmd, "O=%s", bdir);
	strlist_add(&cmd, "ARCH=x86_64");
	strlist_addf(&cmd, "-j%d", o->jobs);
	for (f = 0; f < nfiles; f++) {
		missing = 0;
		json_array_foreach(af[f].records, i, r) {
			missing |= !!json_object_get(r, "missing_include");
			json_object_del(r, "missing_include");
		}
		if (!missing || !af[f].args || !safe_file_name(af[f].file))
			continue;
		again[n++] = af[f];
		strlist_add(&cmd, af[f].file);
		cmd.v[cmd.n - 1][strlen(cmd.v[cmd.n - 1]) - 1] = 'o';
		json_array_foreach(af[f].records, i, r) {
			json_object_del(r, "analysis");
			json_object_del(r, "analysis_error");
		}
	}
	if (n) {
		char *log = xasprintf("%s/make-generated.log", tmp);
		struct run_opts ro = { .dir = ktree, .out = log, .err = log };

		info("classify: %d files miss a header kbuild generates; making their objects", n);
		run_list(&ro, &cmd);
		analyze_parallel(tree, tmp, again, n, o->jobs, 0);
		for (f = 0; f < n; f++)
			json_array_foreach(again[f].records, i, r)
				json_object_del(r, "missing_include");
		free(log);
	}
	strlist_free(&cmd);
	free(again);
	return now_seconds() - t0;
}

/*
 * An --external driver parsed as kbuild compiles it: the kernel tree's
 * x86_64 build directory configured and prepared (check's own, with
 * check's key: the work copy's base), then kbuild's dry run of an M= build
 * of the driver's work copy gives each object's command.  A kernel tree
 * without kbuild (a test's fake tree) gets the fallback flags.
 */
static json_t *external_flags(const struct options *o, const char *tree, const char *bdir,
			      const struct strlist *files, const char **how, char **parse_in,
			      json_t **configured)
{
	char *mk = xasprintf("%s/scripts/Makefile.build", o->tree);
	struct arch_profile *x86;
	json_t *db;

	if (!path_exists(mk) || arch_profiles("x86_64", &x86) != 1) {
		free(mk);
		return compdb_for_files(tree, bdir, files, o->jobs, how);
	}
	{
		char *work = work_tree(o, 1), *base = work_base(work);
		char *logs = out_path(o, "logs"), *log = xasprintf("%s/classify-x86_64.log", logs);
		char *nlog = xasprintf("%s/classify-external-n.log", logs);
		char *clog = xasprintf("%s/classify-configure.log", logs), *why = NULL;
		double t0 = now_seconds();

		struct ext_build eb = { 0 };

		ext_build_of(o, &eb);
		mkdir_p(logs);
		arch_configure(x86, o->tree, base, bdir, log);
		arch_prepare(x86, o->tree, bdir, log, o->jobs);
		/*
		 * The driver configured for this tree, as its build will be: what
		 * the step writes is in the work copy, made from the base again,
		 * so the files are parsed there.
		 */
		if (eb.configure.n) {
			work_reset(work, base, NULL);
			if (ext_configure(&eb, work, o->tree, bdir, x86, clog, &why))
				die("classify: %s: the driver cannot be read as it builds for this kernel; fix the step, or give the one to run with --external-configure",
				    why);
			*configured = ext_configured(work);
			*parse_in = xstrdup(work);
		}
		db = compdb_for_external(o->tree, bdir, work, &eb, files, o->jobs, nlog);
		info("classify: compile commands of %zu of %d files from kbuild (M=%s%s%s) in %.1f s",
		     json_object_size(db), files->n, *eb.subdir ? eb.subdir : ".",
		     eb.from ? ", from " : "", eb.from ? eb.from : "", now_seconds() - t0);
		ext_build_free(&eb);
		free(work);
		free(base);
		free(logs);
		free(log);
		free(nlog);
		free(clog);
		free(why);
	}
	*how = "kbuild x86_64 allmodconfig, M=";
	free(mk);
	return db;
}

/*
 * Uses of name in the code of the file at path (comments and strings
 * aside), but in the first lines of its static definitions and
 * prototypes (a line at the left margin that starts with "static", or
 * with the name itself: the return type on the line above): a macro, a
 * non-static alternative in another #if branch, a call the compiled
 * configuration leaves out are uses.  -1 if the file cannot be read.
 */
static int uses_outside_definitions(const char *path, const char *name)
{
	char *text = read_file(path, NULL), *line, *save = NULL;
	size_t nl = strlen(name);
	int n = 0;

	if (!text)
		return -1;
	blank_comments(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p;
		int header = !strncmp(line, "static", 6) ||
			     (!strncmp(line, name, nl) && line[nl] == '(');

		for (p = line; (p = strstr(p, name)); p += nl)
			if ((p == line || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
			    !(isalnum((unsigned char)p[nl]) || p[nl] == '_') && !header)
				n++;
	}
	free(text);
	return n;
}

/*
 * The static helpers of this file a handler passes its VMA to: how many
 * uses their names have in the file's text (analysis.followed[].named),
 * beside libclang's count in the code compiled (refs).  decide.c takes a
 * helper as converting with the handler only when both say one: the call
 * of this handler.
 */
static void helper_uses(const char *tree, json_t *r)
{
	json_t *an = json_object_get(r, "analysis"), *x;
	const char *file = jstr(an, "def_file") ? jstr(an, "def_file") : jstr(r, "file");
	size_t i;

	json_array_foreach(json_object_get(an, "followed"), i, x) {
		char *path;

		if (strcmp(js(x, "where"), "static, this file") || !file)
			continue;
		path = xasprintf("%s/%s", tree, file);
		json_object_set_new(x, "named", json_integer(uses_outside_definitions(path,
									   js(x, "fn"))));
		free(path);
	}
}

/* The core's rules, as classify read them from the tree: decide's. */
static void classify_core(const struct options *o, json_t *core)
{
	if (!json_array_size(json_object_get(core, "special_flags")))
		warnx("classify: %s/include/linux/mm.h defines no VMA_SPECIAL_FLAGS or VM_SPECIAL: no flag is taken to stop a mapping merging (docs/core-rules.md)",
		      o->tree);
	decide_set_core(core);
}

/*
 * The files to parse into files: each registering file, but one that only
 * registers handlers defined in another .c file (vb2_fop_mmap,
 * sock_no_mmap ...: half of the files on 7.x), whose records take the
 * defining file's analysis; and the file of each handler defined
 * elsewhere, with one record in shared to analyse it there.  Returns
 * those definitions (function -> file).
 */
static json_t *files_to_parse(const char *tree, json_t *records, struct strlist *files,
			      json_t *shared)
{
	struct strlist elsewhere = { 0 };
	json_t *r, *v, *defs;
	const char *k;
	size_t i;

	json_array_foreach(records, i, r) {
		if (wants_analysis(r) && json_is_null(json_object_get(r, "definition")) &&
		    !strlist_has(&elsewhere, jstr(r, "function")))
			strlist_add(&elsewhere, jstr(r, "function"));
	}
	defs = find_definitions(tree, &elsewhere);
	json_array_foreach(records, i, r) {
		if (!wants_analysis(r) || elsewhere_only(r, defs))
			continue;
		strlist_add_once(files, jstr(r, "file"));
	}
	json_object_foreach(defs, k, v) {
		json_object_set_new(shared, k, json_pack("{s:s,s:s,s:s}", "file",
			json_string_value(v), "function", k, "category", "shared"));
		strlist_add_once(files, json_string_value(v));
	}
	strlist_free(&elsewhere);
	return defs;
}

/* The record r into the parse of its file (af[f], f one of files); NULL args: why not. */
static void parse_add(struct analyze_file *af, const struct strlist *files, json_t *r,
		      const char *file)
{
	int f;

	for (f = 0; f < files->n; f++)
		if (!strcmp(files->v[f], file))
			break;
	json_array_append(af[f].records, r);
	if (!af[f].args)
		json_object_set_new(r, "analysis_error", json_string(af[f].why_not));
}

/*
 * One parse per file of files, with its compile command from db (how:
 * where the commands came from), and the records it analyses.  *nparse
 * gets how many files have a command.
 */
static struct analyze_file *parses_of(const struct options *o, const struct strlist *files,
				      json_t *db, const char *how, json_t *records, json_t *defs,
				      json_t *shared, int *nparse)
{
	struct analyze_file *af = xmalloc((files->n + 1) * sizeof(*af));
	json_t *r, *v;
	const char *k;
	size_t i;
	int f;

	*nparse = 0;
	for (f = 0; f < files->n; f++) {
		const char *file = files->v[f];

		af[f].file = file;
		af[f].args = json_object_get(db, file);
		af[f].why_not = NULL;
		af[f].records = json_array();
		if (af[f].args)
			(*nparse)++;
		else
			af[f].why_not = other_arch_file(file, "x86") ?
				"another architecture's file: no build dir for its arch here" :
				strcmp(file + strlen(file) - 2, ".c") ?
				"a header: parsed only through the files that include it" :
				o->external && strcmp(how, "fallback") ?
				"kbuild gave no command for its object in an M= build of the driver (x86_64 allmodconfig): not in the Kbuild of the M= directory" :
				"kbuild gave no command for its object in x86_64 allmodconfig";
	}
	json_array_foreach(records, i, r)
		if (wants_analysis(r) && !elsewhere_only(r, defs))
			parse_add(af, files, r, jstr(r, "file"));
	json_object_foreach(shared, k, v)
		parse_add(af, files, v, jstr(v, "file"));
	return af;
}

/*
 * A record of a handler defined in another file takes the analysis made
 * there (shared), or says why there is none.
 */
static void adopt_analysis(json_t *r, json_t *shared, json_t *defs)
{
	json_t *an = json_object_get(r, "analysis");
	json_t *sh = json_object_get(shared, jstr(r, "function") ? jstr(r, "function") : "");

	if (!json_is_object(an) && json_is_null(json_object_get(r, "definition")) &&
	    json_is_object(json_object_get(sh, "analysis"))) {
		an = json_deep_copy(json_object_get(sh, "analysis"));
		json_object_set_new(an, "def_file", json_string(jstr(sh, "file")));
		json_object_set_new(r, "analysis", an);
		json_object_del(r, "analysis_error");
	} else if (!json_is_object(an) && sh && jstr(sh, "analysis_error") &&
		   json_is_null(json_object_get(r, "definition"))) {
		json_object_set_new(r, "analysis_error", json_string(xasprintf(
			"defined in %s: %s", jstr(sh, "file"), jstr(sh, "analysis_error"))));
	} else if (!json_is_object(an) && elsewhere_only(r, defs) &&
		   !json_object_get(r, "analysis_error")) {
		json_object_set_new(r, "analysis_error", json_string(xasprintf(
			"defined in %s, where libclang did not find it", jstr(sh, "file"))));
	}
}

int analyze_records(const struct options *o, const char *tree, json_t *records, json_t *core)
{
	struct strlist files = { 0 };
	struct analyze_file *af;
	char *bdir = arch_build_dir(o, "x86_64");
	char *tmp = xasprintf("%s/analyzer", o->out), *ktree, *kbase, *parse_in = NULL;
	const char *how = NULL;
	json_t *db, *r, *defs, *shared = json_object(), *configured = NULL;
	json_t *kconfig = NULL;
	size_t i;
	int f, nparse, nlibclang = 0, ncocci;
	double t, tc;

	classify_core(o, core);
	defs = files_to_parse(tree, records, &files, shared);
	ktree = kbuild_source(o, tree, &kbase);
	if (strcmp(ktree, tree) && files.n)
		kbuild_prepare_x86(o, ktree, kbase, bdir);
	db = o->external && files.n ? external_flags(o, tree, bdir, &files, &how, &parse_in,
						     &configured) :
	     compdb_for_files(ktree, bdir, &files, o->jobs, &how);
	af = parses_of(o, &files, db, how, records, defs, shared, &nparse);
	/* the flags used, for the bench's plain clang -fsyntax-only pass */
	mkdir_p(tmp);
	{
		char *p = out_path(o, OUT_FLAGS_DB);

		json_dump_path(db, p);
		free(p);
	}
	t = analyze_parallel(parse_in ? parse_in : tree, tmp, af, files.n, o->jobs, 0);
	if (strcmp(how, "fallback") && !o->external)
		t += parse_again_with_generated(o, tree, ktree, bdir, tmp, af, files.n);
	/* other architectures' handlers, in their own allmodconfig */
	if (strcmp(how, "fallback") && !o->external)
		analyze_other_configs(o, tree, records);
	/* what libclang could not see: Coccinelle's facts, less sure */
	ncocci = cocci_fallback(tree, tmp, af, files.n, o->jobs, &tc);
	json_array_foreach(records, i, r) {
		json_t *an;

		adopt_analysis(r, shared, defs);
		an = json_object_get(r, "analysis");
		if (json_is_object(an) && !jstr(an, "source")) {
			if (!json_object_get(an, "flags"))
				json_object_set_new(an, "flags", json_string(how));
			nlibclang++;
		}
		if (json_is_object(an))
			helper_uses(tree, r);
		decide_record(r);
	}
	named_in_files(tree, records);
	/*
	 * An --external driver whose old code is kept under a guard: the
	 * kernel's configuration settles its tests too, the guard naming them
	 */
	if (o->external && !o->no_compat && strcmp(how, "fallback"))
		kconfig = kconfig_values(bdir);
	dead_for_target(o->tree, tree, records, configured, kconfig);
	json_decref(kconfig);
	info("classify: libclang parsed %d of %d files (%s flags, %d jobs) in %.1f s; %d handlers analysed from the AST",
	     nparse, files.n, how, o->jobs, t, nlibclang);
	info("classify: Coccinelle gave facts for %d handlers libclang could not see, in %.1f s",
	     ncocci, tc);
	for (f = 0; f < files.n; f++)
		json_decref(af[f].records);
	free(af);
	json_decref(db);
	json_decref(defs);
	json_decref(shared);
	decide_set_core(NULL);
	strlist_free(&files);
	free(bdir);
	free(ktree);
	free(kbase);
	free(parse_in);
	json_decref(configured);
	free(tmp);
	return 0;
}
