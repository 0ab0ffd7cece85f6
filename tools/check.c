// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - build every converted object with sparse, before and after,
 * on every architecture that builds it.
 *
 * The architectures are the profiles of arch/ (--arch LIST, default all).
 * For each converted file and profile the cell of the result matrix is:
 *   n/a      the profile never builds the file: another arch's file, or a
 *            Kconfig symbol on the way to its object is not set there;
 *   skipped  no cross compiler, or the unconverted object does not build
 *            (the conversion cannot be judged there); never a pass;
 *   pass     the object builds, sparse ran on it, and the compiler and
 *            sparse say nothing that they did not say about the base;
 *   fail     otherwise, with the first new message.
 * Each profile's build directory DIR/build/NAME is configured and prepared
 * once and reused (arch.c).  One make per profile builds the base objects
 * and one the converted ones, both with C=2 so that sparse runs on each
 * named object even when it is up to date.  The kernel skips sparse
 * silently when it finds it too old: that is detected and is an error.
 * A conversion passes overall when it passes on at least one profile and
 * fails on none; any other is reverted and dropped.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mmapport.h"
#include "branches.h"
#include "inputs.h"

/* Messages about file in log, with line and column numbers dropped. */
static void messages(const char *log, const char *file, struct strlist *out)
{
	size_t len;
	char *buf = read_file(log, &len), *line, *save;

	if (!buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, file), *p, *msg;

		/* the file's name whole: not the end of another name */
		while (at && at > line && at[-1] != '/' && at[-1] != ' ')
			at = strstr(at + 1, file);
		if (!at || at[strlen(file)] != ':')
			continue;
		p = at + strlen(file) + 1;
		/* W=1's kernel-doc: "Warning: PATH:LINE text" */
		if (!strncasecmp(line, "warning: ", 9) && at >= line + 9 &&
		    strcspn(line + 9, " ") >= (size_t)(at - line - 9) &&
		    strspn(p, "0123456789") && p[strspn(p, "0123456789")] == ' ') {
			msg = xasprintf("warning: kernel-doc: %s", p + strspn(p, "0123456789") + 1);
			strlist_add(out, msg);
			free(msg);
			continue;
		}
		/* skip "LINE:COL: " */
		while (*p && (*p == ':' || (*p >= '0' && *p <= '9')))
			p++;
		while (*p == ' ')
			p++;
		if (strncmp(p, "warning", 7) && strncmp(p, "error", 5))
			continue;
		msg = xstrdup(p);
		strlist_add(out, msg);
		free(msg);
	}
	free(buf);
}

/* Messages of after that base does not have (as multisets). */
static void new_messages(const struct strlist *base, const struct strlist *after,
			 struct strlist *out)
{
	unsigned char *used = calloc(base->n + 1, 1);
	int i, j;

	for (i = 0; i < after->n; i++) {
		for (j = 0; j < base->n; j++)
			if (!used[j] && !strcmp(base->v[j], after->v[i]))
				break;
		if (j < base->n)
			used[j] = 1;
		else
			strlist_add(out, after->v[i]);
	}
	free(used);
}

static const char *first_error(const struct strlist *msgs)
{
	int i;

	for (i = 0; i < msgs->n; i++)
		if (!strncmp(msgs->v[i], "error", 5))
			return msgs->v[i];
	return msgs->n ? msgs->v[0] : NULL;
}

static char *object_of(const char *file)
{
	char *o = xstrdup(file);

	o[strlen(o) - 1] = 'o';
	return o;
}

/*
 * In a tree, objects land in the build dir; an --external driver (ext is
 * the kernel tree it builds against) is built M= style and its objects
 * land beside its sources, in the work copy.
 */
static int build(const struct arch_profile *p, const char *work, const char *bdir,
		 const char *ext, const struct ext_build *eb, const char *sparse,
		 const char *log, const struct strlist *files, int jobs)
{
	struct run_opts ro = { .dir = work, .out = log, .err = log };
	struct strlist cmd = { 0 };
	size_t sl = ext ? strlen(eb->subdir) : 0;
	int i, r;

	if (ext && eb->configure.n) {
		/* the driver configured for the kernel this build is against */
		char *clog = xasprintf("%.*s-configure.log", (int)strlen(log) - 4, log), *why;

		r = ext_configure(eb, work, ext, bdir, p, clog, &why);
		free(clog);
		if (r) {
			FILE *f = fopen(log, "w");

			/* the base's first error, for the cells and the run's exit */
			if (f) {
				fprintf(f, "mmapport: error: %s\n", why);
				fclose(f);
			}
			free(why);
			return r;
		}
	}
	strlist_add(&cmd, "make");
	if (ext) {
		strlist_add(&cmd, "-C");
		strlist_add(&cmd, ext);
		/* the driver's Kbuild directory, and its make variables (extbuild.c) */
		if (sl)
			strlist_addf(&cmd, "M=%s/%s", work, eb->subdir);
		else
			strlist_addf(&cmd, "M=%s", work);
		for (i = 0; i < eb->vars.n; i++)
			strlist_add(&cmd, eb->vars.v[i]);
	}
	strlist_addf(&cmd, "O=%s", bdir);
	arch_make_args(p, &cmd);
	strlist_add(&cmd, "C=2");
	strlist_addf(&cmd, "CHECK=%s", sparse);
	/* W=1: a conversion adds no warning (a set-but-unused local, stale kernel-doc) */
	strlist_add(&cmd, "W=1");
	strlist_add(&cmd, "-k");
	strlist_addf(&cmd, "-j%d", jobs);
	for (i = 0; i < files->n; i++) {
		char *obj = object_of(files->v[i]);
		char *path = xasprintf("%s/%s", ext ? work : bdir, obj);

		unlink(path);
		/* below M=, as kbuild names it */
		strlist_add(&cmd, sl && !strncmp(obj, eb->subdir, sl) && obj[sl] == '/' ?
			    obj + sl + 1 : obj);
		free(obj);
		free(path);
	}
	r = run_list(&ro, &cmd);
	strlist_free(&cmd);
	if (*out_of_space(log))
		die("%s: the build ran out of disk space (see %s): free some and run again; nothing is judged from a build that could not write",
		    p->name, log);
	if (file_has(log, "not available or not up to date"))
		die("the kernel skipped sparse on %s (\"sparse is not available or not up to date\", see %s): a check that silently does nothing is a failure",
		    p->name, log);
	return r;
}

/* One cell of the matrix: a file on a profile. */
struct cell {
	const char *status;	/* NULL: still to build */
	char *reason;
	int gated;		/* n/a: kbuild leaves it out for a Kconfig symbol that is off */
	struct strlist new_msgs;
	int base_msgs;
};

struct arch_run {
	struct arch_profile *prof;
	const char *ktree;	/* the kernel tree it builds against: NULL, the check's own */
	char *bdir, *baselog, *afterlog;
	const char *objdir;	/* where the objects land: bdir, or an --external work copy */
	struct strlist build;	/* files to build on it */
	struct strlist variant_files;	/* a config variant: the files it was made for */
	double t_config, t_select, t_prepare, t_base, t_after;
};

/* Add t seconds to the stage's shared work called name (check-times.json). */
static void add_time(json_t *shared, const char *name, double t)
{
	json_object_set_new(shared, name,
			    json_real(json_real_value(json_object_get(shared, name)) + t));
}

static void set_cell(struct cell *c, const char *status, char *reason)
{
	c->status = status;
	free(c->reason);
	c->reason = reason;
	c->gated = 0;
}

static int is_c_source(const char *file)
{
	size_t n = strlen(file);

	return n > 2 && !strcmp(file + n - 2, ".c");
}

/* Does a converted handler of file map I/O memory (the record's io_memory)? */
static int io_remap_caller(json_t *records, const char *file)
{
	json_t *r;
	size_t i;

	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		if (json_object_get(json_object_get(c, "files"), file) &&
		    !strcmp(jstr(c, "status"), "converted") &&
		    json_is_true(json_object_get(r, "io_memory")))
			return 1;
	}
	return 0;
}

/*
 * The name kbuild prints for file: an --external driver's file is named
 * from the M= directory, which may be below the driver's top (extbuild.c).
 */
static const char *kbuild_name(const struct ext_build *eb, const char *file)
{
	size_t sl = eb ? strlen(eb->subdir) : 0;

	return sl && !strncmp(file, eb->subdir, sl) && file[sl] == '/' ? file + sl + 1 : file;
}

static void judge(struct arch_run *a, const char *work, const char *file, struct cell *c,
		  const struct ext_build *eb)
{
	struct strlist b = { 0 }, af = { 0 };
	char *obj = object_of(file);
	char *objpath = xasprintf("%s/%s", a->objdir, obj);
	/* kbuild names the source by its full path under O= */
	char *checkline = xasprintf("CHECK   %s/%s\n", work, file);
	char *checkrel = xasprintf("CHECK   %s\n", kbuild_name(eb, file));

	messages(a->baselog, kbuild_name(eb, file), &b);
	messages(a->afterlog, kbuild_name(eb, file), &af);
	new_messages(&b, &af, &c->new_msgs);
	c->base_msgs = b.n;
	if (c->status) {
		/* decided already: the base did not build, or no conversion applied */
	} else if (!path_exists(objpath)) {
		const char *e = first_error(&c->new_msgs);

		set_cell(c, "fail", xstrdup(e ? e : "the object did not build (see logs/)"));
	} else if (!file_has(a->afterlog, checkline) && !file_has(a->afterlog, checkrel)) {
		set_cell(c, "fail", xstrdup("sparse did not run on it"));
	} else if (c->new_msgs.n) {
		set_cell(c, "fail", xstrdup(first_error(&c->new_msgs)));
	} else {
		set_cell(c, "pass", NULL);
	}
	strlist_free(&b);
	strlist_free(&af);
	free(obj);
	free(objpath);
	free(checkline);
	free(checkrel);
}

static json_t *cell_json(const struct cell *c)
{
	json_t *res = json_object(), *nw = json_array();
	int j;

	json_object_set_new(res, "status", json_string(c->status));
	if (c->reason)
		json_object_set_new(res, "reason", json_string(c->reason));
	for (j = 0; j < c->new_msgs.n; j++)
		json_array_append_new(nw, json_string(c->new_msgs.v[j]));
	json_object_set_new(res, "new_messages", nw);
	json_object_set_new(res, "base_messages", json_integer(c->base_msgs));
	return res;
}

/* " (x86_64: why)" for the first profile with a compiler that said n/a */
static char *first_na(struct arch_run *runs, int nrun, struct cell *row)
{
	int i;

	for (i = 0; i < nrun; i++)
		if (!strcmp(row[i].status, "n/a") && !runs[i].prof->variant &&
		    arch_has_toolchain(runs[i].prof))
			return xasprintf("%s: %s", runs[i].prof->name, row[i].reason);
	return NULL;
}

/* The status of a cell of the check matrix, in the order the report counts them. */
const char *const cell_statuses[4] = { "pass", "fail", "skipped", "n/a" };

/*
 * The summary of one file's row: pass only if some pass and none fail.
 * Otherwise the reason says what kept it from being checked: the first
 * profile's Kconfig reason, the config variant tried (variant_why: why
 * none could be made), and the profiles without a compiler.
 */
static json_t *overall_json(struct arch_run *runs, int nrun, struct cell *row,
			    const char *variant_why, const char *file)
{
	json_t *o = json_object(), *lists[ARRAY_SIZE(cell_statuses)];
	const char *status = "n/a";
	char *reason = NULL, *nocc = NULL, *t;
	int i, k;

	for (k = 0; k < ARRAY_SIZE(cell_statuses); k++)
		lists[k] = json_array();
	for (i = 0; i < nrun; i++) {
		for (k = 0; k < ARRAY_SIZE(cell_statuses); k++)
			if (!strcmp(row[i].status, cell_statuses[k]))
				json_array_append_new(lists[k], json_string(runs[i].prof->name));
		if (!strcmp(row[i].status, "fail") && strcmp(status, "fail")) {
			status = "fail";
			free(reason);
			reason = xasprintf("%s: %s", runs[i].prof->name, row[i].reason);
		} else if (!strcmp(row[i].status, "pass") && strcmp(status, "fail")) {
			status = "pass";
			free(reason);
			reason = NULL;
		} else if (!strcmp(row[i].status, "skipped") && !arch_has_toolchain(runs[i].prof)) {
			t = xasprintf("%s%s%s", nocc ? nocc : "", nocc ? ", " : "", runs[i].prof->name);
			free(nocc);
			nocc = t;
			if (!strcmp(status, "n/a"))
				status = "skipped";
		} else if (!strcmp(row[i].status, "skipped") && strcmp(status, "fail") &&
			   strcmp(status, "pass") && !reason) {
			status = "skipped";
			reason = xasprintf("not checked on any architecture that builds it (%s: %s)",
					   runs[i].prof->name, row[i].reason);
		} else if (!strcmp(row[i].status, "n/a") && runs[i].prof->variant &&
			   strlist_has(&runs[i].variant_files, file) &&
			   !strcmp(status, "n/a") && !reason) {
			/* a variant made for this file, and why it did not build it */
			reason = xasprintf("%s: %s", runs[i].prof->name, row[i].reason);
		}
	}
	if ((!strcmp(status, "n/a") || !strcmp(status, "skipped")) && !reason) {
		char *na = first_na(runs, nrun, row);

		reason = xasprintf("%s%s%s%s%s%s", nrun ? "not built by any profile that has a compiler" : "no architecture profile selected",
				   na ? " (" : "", na ? na : "", na ? ")" : "",
				   variant_why ? "; " : "", variant_why ? variant_why : "");
		free(na);
	}
	if (nocc && reason && strcmp(status, "pass") && strcmp(status, "fail")) {
		t = xasprintf("%s; not checked on %s (no toolchain)", reason, nocc);
		free(reason);
		reason = t;
	}
	json_object_set_new(o, "status", json_string(status));
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	for (k = 0; k < ARRAY_SIZE(cell_statuses); k++)
		json_object_set_new(o, cell_statuses[k], lists[k]);
	free(reason);
	free(nocc);
	return o;
}

/* The config variants of a check: what has been tried, per file and per variant. */
struct variants {
	int norig;		/* runs[0..norig) are the profiles; variants follow */
	int *next;		/* per file: the next profile to propose a variant of */
	int *made;		/* per file: variants made for it */
	char *pending;		/* per file: a variant of it is still to be configured */
	char **why;		/* per file: why no variant could be made */
	int *base;		/* per variant: the profile it varies */
	struct strlist frag;	/* per variant: its fragment */
	/* the branches the conversion touched, per file (branches.c) */
	struct branch_map *map;
	char **need;		/* per file, per branch: a line the conversion changed is in it */
	char **live;		/* per file, per branch: some build compiled it */
	json_t **by;		/* per file: branch line -> the profiles that compiled it */
	int **bnext;		/* per file, per branch: the next profile to propose a variant of */
	int *pmade;		/* per file: variants made for its branches */
	char *ppending;
	char **pwhy;
};

#define MAX_VARIANTS 3	/* per file */

/*
 * The variant of profile a with fragment frag for file: an existing one
 * with the same proposal, or a new one appended to runs (its fragment
 * written to dir/BASE+NAME.config).  Its index, or nrun when runs is
 * full; *nrun grows by the one made, and *made says whether it was.
 */
static int use_variant(struct variants *v, struct arch_run *runs, int *nrun, int cap, int a,
		       const char *dir, const char *frag, const char *name, const char *summary,
		       const char *file, int *made)
{
	int norig = v->norig, k;
	char *path;

	*made = 0;
	for (k = norig; k < *nrun; k++)
		if (v->base[k - norig] == a && !strcmp(v->frag.v[k - norig], frag))
			break;
	if (k == *nrun && *nrun < cap) {
		mkdir_p(dir);
		path = xasprintf("%s/%s+%s.config", dir, runs[a].prof->name, name);
		write_file(path, frag, strlen(frag));
		v->base[*nrun - norig] = a;
		strlist_add(&v->frag, frag);
		runs[(*nrun)++] = (struct arch_run){ .prof = arch_variant(runs[a].prof, name, path,
									    summary) };
		*made = 1;
		free(path);
	}
	if (k < *nrun)
		strlist_add_once(&runs[k].variant_files, file);
	return k;
}

/*
 * Files that no profile builds: for each, the next profile (in the order
 * asked) whose .config kconfig_enable() can change to build it gets a
 * config variant, appended to runs (files with the same proposal on the
 * same profile share one).  The kernel's Kconfig and kbuild then decide, as
 * for any profile; when they do not take it (an i386 proposal that needs
 * X86_64), the file comes back here and the next profile is tried.
 * v->why[f] says why none could be made.
 */
static int try_variants(const struct options *o, const char *src, const struct strlist *files,
			struct arch_run *runs, int nrun, struct cell *cells, int cap,
			struct variants *v)
{
	int norig = v->norig, f, a, k;
	char *dir = out_path(o, "variants");

	for (f = 0; f < files->n; f++) {
		const char *file = files->v[f];
		int built = 0;

		for (a = 0; a < nrun; a++)
			built |= strlist_has(&runs[a].build, file);
		if (built || v->pending[f])
			continue;
		for (a = v->next[f]; a < norig && v->made[f] < MAX_VARIANTS; a++) {
			struct arch_profile *p = runs[a].prof;
			struct cell *c = &cells[(size_t)f * cap + a];
			struct strlist config = { 0 }, syms = { 0 };
			char *frag, *summary, *why, *g, *name = NULL;
			int made;
			int i;

			if (!c->status || strcmp(c->status, "n/a") || !c->gated ||
			    !arch_has_toolchain(p))
				continue;
			arch_load_config(runs[a].bdir, &config);
			g = arch_file_gates(src, p, file, &syms);
			free(g);
			frag = kconfig_enable(src, p->srcarch, &config, &syms, &summary, &why);
			for (i = 0; i < syms.n && !name; i++)
				if (arch_config_value(&config, syms.v[i]) == 'n')
					name = xstrdup(syms.v[i]);
			strlist_free(&config);
			strlist_free(&syms);
			if (!frag || !name) {
				if (!v->why[f])
					v->why[f] = xasprintf("no config variant of %s builds it: %s",
							      p->name, why ? why :
							      "no gating symbol is off");
				free(frag);
				free(why);
				free(name);
				continue;
			}
			/* the same proposal on the same profile: one variant */
			k = use_variant(v, runs, &nrun, cap, a, dir, frag, name, summary, file, &made);
			if (made)
				info("check: %s is built by %s; trying %s (%s)", file,
				     v->made[f] ? "no profile or variant so far" : "no profile",
				     runs[k].prof->name, summary);
			if (k < nrun) {
				v->pending[f] = 1;
				v->made[f]++;
			}
			free(frag);
			free(summary);
			free(name);
			a++;
			break;
		}
		v->next[f] = a;
	}
	free(dir);
	return nrun;
}

/*
 * file's base object on ar, preprocessed by the command kbuild compiled it
 * with (its .cmd), -E -dD in place of -c: which of its branches the
 * compiler saw, into v->live and v->by.  kdir is where kbuild ran that
 * command (an --external driver's M= directory, else ar->bdir; a command
 * naming its object by its full path ran in ar->bdir), name the file as
 * the command names it.  0 when read.
 */
static int compiled_branches(struct arch_run *ar, const char *file, int f, struct variants *v,
			     const char *kdir, const char *name, const char *log)
{
	char *dir = xstrdup(file), *base = strrchr(dir, '/'), *cmdpath, *buf, *cmd, *at, *e;
	char *ipath = xasprintf("%s/mmapport-branches.i", ar->bdir), *sh = NULL, *live;
	const struct branch_map *m = &v->map[f];
	struct run_opts ro = { .dir = kdir, .out = log, .err = log, .append = 1 };
	struct strlist argv = { 0 };
	size_t len;
	int r = -1, b;

	if (base)
		*base++ = 0;
	else
		base = dir;
	cmdpath = base == dir ? xasprintf("%s/.%.*s.o.cmd", ar->objdir, (int)strlen(base) - 2, base) :
		  xasprintf("%s/%s/.%.*s.o.cmd", ar->objdir, dir, (int)strlen(base) - 2, base);
	buf = read_file(cmdpath, &len);
	cmd = buf ? strstr(buf, " := ") : NULL;
	at = cmd ? strstr(cmd, " -c -o ") : NULL;
	/* kbuild before 6.13 ran an M= build's commands in the build dir, by full paths */
	if (at && at[7] == '/')
		ro.dir = ar->bdir;
	if (at) {
		cmd += 4;
		cmd[strcspn(cmd, "\n")] = 0;
		e = at + 7 + strcspn(at + 7, " ");
		*at = 0;
		/* kbuild's own steps after the compiler (objtool) are not ours */
		e[strcspn(e, ";")] = 0;
		sh = xasprintf("%s -E -dD -o %s%s", cmd, ipath, e);
		/* the dependency file is kbuild's: leave it alone */
		at = strstr(sh, "-Wp,-MMD,");
		if (at)
			memset(at, ' ', strcspn(at, " "));
		unlink(ipath);
		live = calloc(m->nbranches, 1);
		strlist_add(&argv, "sh");
		strlist_add(&argv, "-c");
		strlist_add(&argv, sh);
		if (!run_list(&ro, &argv) && !branches_live(m, ipath, name, live)) {
			for (b = 1; b < m->nbranches; b++) {
				char key[16];

				if (!live[b])
					continue;
				v->live[f][b] = 1;
				snprintf(key, sizeof(key), "%d", m->branches[b].line);
				if (!json_object_get(v->by[f], key))
					json_object_set_new(v->by[f], key, json_array());
				json_array_append_new(json_object_get(v->by[f], key),
						      json_string(ar->prof->name));
			}
			r = 0;
		}
		free(live);
		unlink(ipath);
		strlist_free(&argv);
	}
	free(sh);
	free(buf);
	free(cmdpath);
	free(ipath);
	free(dir);
	return r;
}

/* Whether a changed line of file f is in a preprocessor branch at all. */
static int needs_branches(const struct variants *v, int f)
{
	for (int b = 1; v->need[f] && b < v->map[f].nbranches; b++)
		if (v->need[f][b])
			return 1;
	return 0;
}

/*
 * A fragment that makes profile ar's .config compile branch b of file
 * (branch_wants: each symbol's allowed values): a symbol that must be off
 * turned off (where a user can: no prompt, as x86's MMU, is no proposal),
 * one that must be on turned on with what it depends on (kconfig_enable),
 * one that must be y (not m) or m (not y) set so, one of a condition too
 * complex to read turned the other way.  NULL with *why when there is
 * nothing to change or the proposal fails.  *name gets SYMBOL=y|m|n for
 * the variant, *summary the settings in words.
 */
static char *polarity_fragment(const char *src, struct arch_run *ar, const struct branch_map *m,
			       int b, char **summary, char **name, char **why)
{
	struct strlist config = { 0 }, reqs = { 0 }, enable = { 0 };
	char *frag = xstrdup(""), *sum = xstrdup(""), *t;
	const char *arch = ar->prof->srcarch;
	int i;

	*summary = *name = *why = NULL;
	branch_wants(m, b, &reqs);
	arch_load_config(ar->bdir, &config);
	for (i = 0; i < reqs.n && !*why; i++) {
		char *sym = xstrdup(reqs.v[i]), *vals = strchr(sym, '=');
		char v, to = 0;

		*vals++ = 0;
		v = arch_config_value(&config, sym);
		if (*vals == '~')
			vals = v == 'n' ? "ym" : "n";
		if (!*vals)
			*why = xasprintf("no value of CONFIG_%s compiles it (%s)", sym,
					 m->branches[b].cond);
		else if (strchr(vals, v))
			to = 0;		/* already as it needs */
		else if (strchr(vals, 'n') && kconfig_settable(src, arch, sym) != 1)
			*why = xasprintf("CONFIG_%s cannot be turned off on %s (no prompt)",
					 sym, arch);
		else
			to = strchr(vals, 'n') ? 'n' : v == 'n' ? 'e' : vals[0];
		if (!*why && to) {
			if (to == 'e') {
				/* on, with its dependencies; then y if it must be built in */
				strlist_add(&enable, sym);
				to = strchr(vals, 'm') ? 'm' : 'y';
			}
			if (to == 'n')
				t = xasprintf("%s# CONFIG_%s is not set\n", frag, sym);
			else
				t = xasprintf("%sCONFIG_%s=%c\n", frag, sym, to);
			free(frag);
			frag = t;
			t = xasprintf("%s%sCONFIG_%s=%c", sum, *sum ? ", " : "", sym, to);
			free(sum);
			sum = t;
			if (!*name)
				*name = xasprintf("%s=%c", sym, to);
		}
		free(sym);
	}
	if (enable.n && !*why) {
		char *ofrag, *osum;

		/* what they depend on first: the settings above come after and win */
		ofrag = kconfig_enable(src, arch, &config, &enable, &osum, why);
		if (ofrag) {
			t = xasprintf("%s%s", ofrag, frag);
			free(frag);
			frag = t;
		}
		free(ofrag);
		free(osum);
	}
	if (!*why && !*name)
		*why = reqs.n ? xasprintf("its CONFIG_ symbols are already as it needs (%s): something else decides it",
					  m->branches[b].cond) :
		       xasprintf("no CONFIG_ symbol decides it (%s)", m->branches[b].cond);
	if (*why) {
		free(frag);
		free(sum);
		free(*name);
		*name = NULL;
		frag = NULL;
	} else {
		*summary = sum;
	}
	strlist_free(&config);
	strlist_free(&reqs);
	strlist_free(&enable);
	return frag;
}

/*
 * Files with a changed line in a branch no build compiled: for the first
 * such branch that can still be tried, the next profile (in the order
 * asked) that builds the file gets a variant that compiles the branch
 * (polarity_fragment: x86_64+FS_DAX=n), appended to runs.  The kernel's
 * Kconfig and kbuild decide, and the compiler says again which branches
 * it saw.  One variant of a file is pending at a time.
 */
static int try_polarities(const char *src, const char *dir, const struct strlist *files,
			  struct arch_run *runs, int nrun, int cap, struct variants *v, int ran)
{
	int norig = v->norig, f, a, k, b;

	for (f = 0; f < files->n; f++) {
		const char *file = files->v[f];
		int *next = v->bnext[f];

		if (v->ppending[f] || !v->need[f])
			continue;
		for (b = 1; b < v->map[f].nbranches && !v->ppending[f] &&
			    v->pmade[f] < MAX_VARIANTS; b++) {
			if (!v->need[f][b] || v->live[f][b])
				continue;
			for (a = next[b]; a < norig; a++) {
				struct arch_profile *p = runs[a].prof;
				char *frag, *summary, *name, *why;
				int made;

				if (!strlist_has(&runs[a].build, file))
					continue;
				frag = polarity_fragment(src, &runs[a], &v->map[f], b, &summary, &name,
							 &why);
				if (!frag) {
					free(v->pwhy[f]);
					v->pwhy[f] = xasprintf("%s: %s", p->name, why);
					free(why);
					continue;
				}
				k = use_variant(v, runs, &nrun, cap, a, dir, frag, name, summary, file,
						&made);
				if (made)
					info("check: %s: the branch at line %d (%s) holds lines the conversion changed, and no build so far compiled it; trying %s (%s)",
					     file, v->map[f].branches[b].line,
					     v->map[f].branches[b].cond, runs[k].prof->name, summary);
				free(frag);
				free(summary);
				free(name);
				/* a variant that has run already did not compile it: the next */
				if (k <= ran || k >= nrun)
					continue;
				v->ppending[f] = 1;
				v->pmade[f]++;
				a++;
				break;
			}
			next[b] = a;
		}
	}
	return nrun;
}

/*
 * The branches of file f the conversion changed, for its check: each
 * with the profiles that compiled it.  A branch none compiled makes *why.
 */
static json_t *branches_json(const struct variants *v, int f, char **why)
{
	json_t *arr = json_array();
	const struct branch_map *m = &v->map[f];

	*why = NULL;
	for (int b = 1; v->need[f] && b < m->nbranches; b++) {
		char key[16];
		json_t *by;

		if (!v->need[f][b])
			continue;
		snprintf(key, sizeof(key), "%d", m->branches[b].line);
		by = json_object_get(v->by[f], key);
		json_array_append_new(arr, json_pack("{s:i, s:s, s:o}", "line", m->branches[b].line,
						     "directive", m->branches[b].cond,
						     "compiled_by", by ? json_incref(by) : json_array()));
		if (!v->live[f][b] && !*why) {
			int g = m->branches[b].first;
			/* an #else or #elif by the test that opens its group */
			char *of = g != b ? xasprintf(" of \"%s\" at line %d", m->branches[g].cond,
						      m->branches[g].line) : xstrdup("");

			*why = xasprintf("the conversion changed lines in the branch at line %d (%s%s), and no profile or config variant compiled it%s%s%s",
					 m->branches[b].line, m->branches[b].cond, of,
					 v->pwhy[f] ? " (" : "", v->pwhy[f] ? v->pwhy[f] : "",
					 v->pwhy[f] ? ")" : "");
			free(of);
		}
	}
	return arr;
}

/* One check stage's state: what each of its steps reads and leaves. */
struct check_run {
	const struct options *o;
	json_t *records;
	struct strlist files;		/* the files with a converted record */
	char *work, *base, *sparse, *logs;
	const char *src, *api, *ext;
	struct arch_profile *profs, *all;
	struct arch_run *runs;
	int nrun, norig, cap, need_io;
	struct cell *cells;		/* files.n x cap: file f on run a */
	struct variants vs;
	json_t *shared;			/* the stage's own work, timed */
	json_t *times;			/* per profile */
	int npass, nfail, nna, nskip;
	char *ext_unbuilt;		/* --external: no base object built against the tree: why */
	struct ext_build eb;		/* --external: how the driver is built */
};

#define CELL(f, a) (&cr->cells[(size_t)(f) * cr->cap + (a)])
/* the tree a run configures from, and the one an --external driver builds against */
#define RUN_SRC(cr, ar) ((ar)->ktree ? (ar)->ktree : (cr)->src)
#define RUN_EXT(cr, ar) ((ar)->ktree ? (ar)->ktree : (cr)->ext)

/*
 * The API profile convert used (field "profile"), or the one the tree has
 * ("tree_api"), from the first converted record; dflt when none converted.
 */
static const char *converted_api(json_t *records, const char *field, const char *dflt)
{
	json_t *r;
	size_t i;

	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		if (!strcmp(js(c, "status"), "converted") && jstr(c, field))
			return jstr(c, field);
	}
	return dflt;
}

/* A tree without the API: nothing converted is built, and none is emitted. */
static void drop_all_unbuilt(json_t *records)
{
	json_t *r;
	size_t i;

	info("check: the tree lacks the API (no struct mmap_action, no mmap_complete): conversions are not built, and none is emitted");
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		if (!json_is_object(c) || strcmp(jstr(c, "status"), "converted"))
			continue;
		json_object_set_new(c, "status", json_string("dropped"));
		json_object_set_new(c, "reason", json_string("not checked: the tree lacks the API"));
	}
}

/* The files to check, the sparse to check them with, the base in the work tree. */
static void check_inputs(struct check_run *cr)
{
	json_t *r;
	size_t i;
	double t0;
	int f;

	/* every file a conversion changes: its definition's, a header, a registration's */
	json_array_foreach(cr->records, i, r) {
		json_t *c = json_object_get(r, "conversion"), *v;
		const char *file;

		if (json_is_object(c) && !strcmp(jstr(c, "status"), "converted"))
			json_object_foreach(json_object_get(c, "files"), file, v)
				strlist_add_once(&cr->files, file);
	}
	cr->logs = out_path(cr->o, "logs");
	cr->shared = json_object();
	/* The sparse to build with, proven to warn before its silence counts as a pass. */
	if (cr->files.n) {
		struct run_opts ro = { .dir = project_dir() };
		struct strlist cmd = { 0 };
		int st;

		t0 = now_seconds();
		strlist_add(&cmd, "tools/deps.sh");
		strlist_add(&cmd, "--tree");
		strlist_add(&cmd, cr->src);
		cr->sparse = capture_list(&ro, &cmd, &st);
		strlist_free(&cmd);
		if (st || !cr->sparse || !*cr->sparse)
			die("no sparse that the tree accepts (tools/deps.sh --tree %s failed)",
			    cr->src);
		sparse_probe(cr->sparse, cr->logs);
		info("check: sparse %s", cr->sparse);
		add_time(cr->shared, "sparse", now_seconds() - t0);
	}
	/* Base objects: the converted files as they were. */
	t0 = now_seconds();
	for (f = 0; f < cr->files.n; f++) {
		run_v(cr->work, NULL, "git", "checkout", "-q", cr->base, "--", cr->files.v[f],
		      NULL);
		cr->need_io |= io_remap_caller(cr->records, cr->files.v[f]);
	}
	mkdir_p(cr->logs);
	/* rfc on a mainline tree: its API from overlay/rfc/, for both builds */
	if (!cr->ext) {
		char *olog = xasprintf("%s/overlay.log", cr->logs);

		overlay_apply(cr->work, cr->api, converted_api(cr->records, "tree_api", NULL),
			      olog);
		free(olog);
	}
	add_time(cr->shared, "checkout", now_seconds() - t0);
}

/*
 * Is touched line l of file (from record r's conversion) one its
 * conversion took out as dead for this release and every later one
 * (analysis.version_drop)?  No build compiles it, by construction.
 */
static int settled_away(json_t *r, const char *file, json_t *l)
{
	json_t *d;
	size_t i;

	if (!json_is_integer(l) || strcmp(record_def_file(r), file))
		return 0;
	json_array_foreach(json_object_get(json_object_get(r, "analysis"), "version_drop"), i, d)
		if (json_integer_value(d) == json_integer_value(l))
			return 1;
	return 0;
}

/* The branches each file's conversion changed, read from the file as it was. */
static void changed_branches(struct check_run *cr)
{
	struct variants *vs = &cr->vs;
	json_t *r;
	size_t i;
	int f;

	for (f = 0; f < cr->files.n; f++) {
		char *path = xasprintf("%s/%s", cr->work, cr->files.v[f]);

		/* a header's lines are compiled in the sources that include it */
		if (!is_c_source(cr->files.v[f])) {
			free(path);
			continue;
		}
		vs->by[f] = json_object();
		if (!branch_map_read(&vs->map[f], path)) {
			vs->need[f] = calloc(vs->map[f].nbranches, 1);
			vs->bnext[f] = calloc(vs->map[f].nbranches, sizeof(int));
			vs->live[f] = calloc(vs->map[f].nbranches, 1);
			json_array_foreach(cr->records, i, r) {
				json_t *c = json_object_get(r, "conversion"), *l;
				size_t k;

				if (!json_is_object(c) || strcmp(jstr(c, "status"), "converted"))
					continue;
				json_array_foreach(json_object_get(json_object_get(c, "files"),
								   cr->files.v[f]), k, l)
					if (!settled_away(r, cr->files.v[f], l))
						vs->need[f][branch_of_touch(&vs->map[f], l)] = 1;
			}
			vs->need[f][0] = 0;
		}
		/* its builds are the profiles' own configurations */
		if (cr->ext && needs_branches(vs, f))
			vs->pwhy[f] = xstrdup("an --external driver is built on the profiles' own configurations only: no config variant is made for it");
		free(path);
	}
}

/* The profiles asked for, and those whose io_remap_pfn_range translates PFNs. */
/*
 * An --external driver whose old code is kept for older kernels (compat.c)
 * is also built against --compat-tree, a tree without the API, on
 * x86_64: that build compiles the #else side, before and after.  The run
 * is named x86_64@VERSION.PATCHLEVEL of that tree.
 */
static void compat_run(struct check_run *cr)
{
	const struct options *o = cr->o;
	struct arch_profile *x86, *p;
	char *ver;
	int maj, min;

	if (!cr->ext || !o->compat_tree || o->no_compat || arch_profiles("x86_64", &x86) != 1)
		return;
	ver = tree_release(o->compat_tree, &maj, &min) ? xstrdup("older") :
	      xasprintf("%d.%d", maj, min);
	p = xmalloc(sizeof(*p));
	*p = *x86;
	p->name = xasprintf("%s@%s", x86->name, ver);
	p->description = xasprintf("%s against %s, a tree without the API: the code kept for older kernels",
				   x86->description, ver);
	cr->runs[cr->nrun++] = (struct arch_run){ .prof = p, .ktree = o->compat_tree };
	free(ver);
}

static void plan_runs(struct check_run *cr)
{
	struct variants *vs = &cr->vs;
	int a, n = cr->files.n + 1;
	int nprof = arch_profiles(cr->o->arch, &cr->profs);
	int nall = arch_profiles(NULL, &cr->all);

	/* room for the config variants per file (try_variants, try_polarities), the compat run */
	cr->cap = nprof + nall + 2 * MAX_VARIANTS * cr->files.n + 1;
	cr->runs = xmalloc(sizeof(*cr->runs) * cr->cap);
	for (a = 0; a < nprof; a++)
		cr->runs[cr->nrun++] = (struct arch_run){ .prof = &cr->profs[a] };
	for (a = 0; cr->need_io && a < nall; a++) {
		int k, have = 0;

		for (k = 0; k < nprof; k++)
			have |= !strcmp(cr->profs[k].name, cr->all[a].name);
		if (cr->all[a].io_remap_pfn && !have)
			cr->runs[cr->nrun++] = (struct arch_run){ .prof = &cr->all[a] };
	}
	compat_run(cr);
	cr->cells = calloc((size_t)cr->files.n * cr->cap + 1, sizeof(*cr->cells));
	cr->norig = cr->nrun;
	vs->norig = cr->norig;
	vs->next = calloc(n, sizeof(*vs->next));
	vs->made = calloc(n, sizeof(*vs->made));
	vs->pending = calloc(n, sizeof(*vs->pending));
	vs->why = calloc(n, sizeof(*vs->why));
	vs->base = calloc(cr->cap, sizeof(*vs->base));
	vs->map = calloc(n, sizeof(*vs->map));
	vs->need = calloc(n, sizeof(*vs->need));
	vs->live = calloc(n, sizeof(*vs->live));
	vs->by = calloc(n, sizeof(*vs->by));
	vs->bnext = calloc(n, sizeof(*vs->bnext));
	vs->pmade = calloc(n, sizeof(*vs->pmade));
	vs->ppending = calloc(n, sizeof(*vs->ppending));
	vs->pwhy = calloc(n, sizeof(*vs->pwhy));
	changed_branches(cr);
}

/*
 * The cells decided without a build (sources, other arches' files, no
 * compiler); the candidates left go to cand.
 */
static void cells_without_build(struct check_run *cr, int a, struct strlist *cand)
{
	struct arch_run *ar = &cr->runs[a];
	const struct arch_profile *p = ar->prof;
	int f, has_cc = arch_has_toolchain(p);

	for (f = 0; f < cr->files.n; f++) {
		const char *file = cr->files.v[f];

		if (p->variant && !strlist_has(&ar->variant_files, file))
			set_cell(CELL(f, a), "n/a", xasprintf("a config variant made for other files (%s)",
				 ar->variant_files.v[0]));
		else if (strcmp(file + strlen(file) - 2, ".c"))
			set_cell(CELL(f, a), "n/a", xstrdup("not a C source"));
		else if (cr->ext && *cr->eb.subdir &&
			 (strncmp(file, cr->eb.subdir, strlen(cr->eb.subdir)) ||
			  file[strlen(cr->eb.subdir)] != '/'))
			set_cell(CELL(f, a), "n/a", xasprintf("outside the directory the driver's build runs kbuild in (M=%s, %s)",
				 cr->eb.subdir, cr->eb.from));
		else if (!cr->ext && other_arch_file(file, p->srcarch))
			set_cell(CELL(f, a), "n/a", xasprintf("another architecture's file: not built for %s",
				 p->srcarch));
		else if (!has_cc)
			set_cell(CELL(f, a), "skipped", arch_no_toolchain(p));
		else
			strlist_add(cand, file);
	}
}

/* The kernel's Kconfig decides the rest: what run a builds goes to its build list. */
static void select_by_kconfig(struct check_run *cr, int a, const struct strlist *cand,
			      const char *pname)
{
	struct arch_run *ar = &cr->runs[a];
	const struct arch_profile *p = ar->prof;
	struct arch_selection sel;
	char *plog, *mismatch;
	double t0;
	int f;

	plog = xasprintf("%s/configure-%s.log", cr->logs, pname);
	ar->t_config = arch_configure(p, RUN_SRC(cr, ar), cr->base, ar->bdir, plog);
	free(plog);
	t0 = now_seconds();
	arch_selection_init(&sel, p, RUN_SRC(cr, ar), ar->bdir);
	mismatch = p->variant ? arch_config_mismatch(p, ar->bdir) : NULL;
	for (f = 0; f < cr->files.n; f++) {
		char *why;
		int gated = 0;

		if (!strlist_has(cand, cr->files.v[f]))
			continue;
		/* an external Kbuild is built whole, against any configuration */
		if (mismatch)
			why = xasprintf("the kernel's Kconfig did not take the config variant: %s",
					mismatch);
		else
			why = cr->ext ? NULL : arch_applies(&sel, cr->files.v[f], &gated);
		if (why) {
			set_cell(CELL(f, a), "n/a", why);
			CELL(f, a)->gated = gated;
		} else {
			strlist_add(&ar->build, cr->files.v[f]);
		}
	}
	arch_selection_free(&sel);
	free(mismatch);
	ar->t_select = now_seconds() - t0;
}

/* Run a's base objects: built, and which branches of the changed lines it saw. */
static void build_base(struct check_run *cr, int a, const char *pname)
{
	struct arch_run *ar = &cr->runs[a];
	const struct arch_profile *p = ar->prof;
	char *plog = xasprintf("%s/prepare-%s.log", cr->logs, pname);
	char *first_bad = NULL;
	double t0;
	int f, nbad;

	ar->t_prepare = arch_prepare(p, RUN_SRC(cr, ar), ar->bdir, plog, cr->o->jobs);
	free(plog);
	info("check: %s: building %d base objects", p->name, ar->build.n);
	t0 = now_seconds();
	build(p, cr->work, ar->bdir, RUN_EXT(cr, ar), &cr->eb, cr->sparse, ar->baselog,
	      &ar->build, cr->o->jobs);
	ar->t_base = now_seconds() - t0;
	/* an object that does not build unconverted cannot be judged */
	for (f = 0, nbad = 0; f < cr->files.n; f++) {
		char *obj = object_of(cr->files.v[f]);
		char *objpath = xasprintf("%s/%s", ar->objdir, obj);

		if (strlist_has(&ar->build, cr->files.v[f]) && !path_exists(objpath)) {
			struct strlist b = { 0 };
			const char *e;
			char *any = NULL;

			messages(ar->baselog, kbuild_name(cr->ext ? &cr->eb : NULL, cr->files.v[f]),
				 &b);
			e = first_error(&b);
			if (!e)
				e = any = first_error_line(ar->baselog);
			set_cell(CELL(f, a), "skipped", xasprintf(
				"the unconverted object does not build on %s: %s",
				p->name, e ? e : "see logs/"));
			if (!nbad++)
				first_bad = xasprintf("%s: %s; see %s", cr->files.v[f],
						      e ? e : "no error line", ar->baselog);
			strlist_free(&b);
			free(any);
		}
		free(obj);
		free(objpath);
	}
	/* the driver builds nothing against the tree: its build, not a conversion, is wrong */
	if (cr->ext && !ar->ktree && nbad && nbad == ar->build.n && !cr->ext_unbuilt)
		cr->ext_unbuilt = first_bad;
	else
		free(first_bad);
	/* which branches of the changed lines the compiler saw */
	for (f = 0; f < cr->files.n; f++) {
		char *blog = xasprintf("%s/branches-%s.log", cr->logs, pname);

		char *kdir = !cr->ext ? xstrdup(ar->bdir) : *cr->eb.subdir ?
			     xasprintf("%s/%s", cr->work, cr->eb.subdir) : xstrdup(cr->work);

		if (needs_branches(&cr->vs, f) && strlist_has(&ar->build, cr->files.v[f]) &&
		    !CELL(f, a)->status &&
		    compiled_branches(ar, cr->files.v[f], f, &cr->vs, kdir,
				      kbuild_name(cr->ext ? &cr->eb : NULL, cr->files.v[f]), blog))
			warnx("check: %s: %s: could not preprocess it to see its branches (see %s)",
			      p->name, cr->files.v[f], blog);
		free(blog);
		free(kdir);
	}
}

/*
 * After run a: the profiles are done, so files none of them builds get a
 * variant.  A variant that builds none of its files sends them to the
 * next profile.
 */
static void next_variants(struct check_run *cr, int a)
{
	struct arch_run *ar = &cr->runs[a];
	struct variants *vs = &cr->vs;
	int f;

	for (f = 0; a >= cr->norig && f < ar->variant_files.n; f++) {
		int k = strlist_index(&cr->files, ar->variant_files.v[f]);

		if (!strlist_has(&ar->build, ar->variant_files.v[f]))
			vs->pending[k] = 0;
		/* a branches' variant the kernel did not take: say so, try the next */
		if (vs->ppending[k] && CELL(k, a)->status && !strcmp(CELL(k, a)->status, "n/a")) {
			free(vs->pwhy[k]);
			vs->pwhy[k] = xasprintf("%s: %s", ar->prof->name, CELL(k, a)->reason);
		}
		vs->ppending[k] = 0;
	}
	if (a >= cr->norig - 1 && !cr->ext) {
		char *vdir = out_path(cr->o, "variants");
		double t0 = now_seconds();

		cr->nrun = try_variants(cr->o, cr->src, &cr->files, cr->runs, cr->nrun, cr->cells,
					cr->cap, vs);
		cr->nrun = try_polarities(cr->src, vdir, &cr->files, cr->runs, cr->nrun, cr->cap,
					  vs, a);
		add_time(cr->shared, "variants", now_seconds() - t0);
		free(vdir);
	}
}

/* Every run (the variants it adds included): select, then build the base. */
static void check_bases(struct check_run *cr)
{
	int a;

	for (a = 0; a < cr->nrun; a++) {
		struct arch_run *ar = &cr->runs[a];
		struct strlist cand = { 0 };
		char *pname = arch_path_name(ar->prof);

		ar->bdir = arch_build_dir(cr->o, pname);
		ar->objdir = cr->ext ? cr->work : ar->bdir;
		ar->baselog = xasprintf("%s/check-%s-base.log", cr->logs, pname);
		ar->afterlog = xasprintf("%s/check-%s-after.log", cr->logs, pname);
		cells_without_build(cr, a, &cand);
		if (cand.n) {
			select_by_kconfig(cr, a, &cand, pname);
			if (ar->build.n)
				build_base(cr, a, pname);
			else
				build_cache_release();	/* not prepared here: another run may */
			next_variants(cr, a);
		}
		strlist_free(&cand);
		free(pname);
	}
}

/* The conversions applied, their objects built and judged on every run. */
static void check_converted(struct check_run *cr)
{
	double t0 = now_seconds();
	json_t *applied = json_object();
	int f, a;

	for (f = 0; f < cr->files.n; f++) {
		char *patch = record_diff(cr->o, cr->records, cr->files.v[f]);
		json_t *done = patch ? json_object_get(applied, patch) : NULL;

		/* one diff may change several files: it is applied once */
		if (patch && !done) {
			done = json_boolean(!run_v(cr->work, NULL, "git", "apply", patch, NULL));
			json_object_set_new(applied, patch, done);
		}
		/* a conversion that does not apply would be checked as the base */
		if (!json_is_true(done))
			for (a = 0; a < cr->nrun; a++)
				if (!CELL(f, a)->status)
					set_cell(CELL(f, a), "fail", xasprintf(
						"the conversion (%s) does not apply",
						patch ? patch + strlen(cr->o->out) + 1 :
						"no diff in its record"));
		free(patch);
	}
	json_decref(applied);
	add_time(cr->shared, "apply", now_seconds() - t0);
	cr->times = json_object();
	for (a = 0; a < cr->nrun; a++) {
		struct arch_run *ar = &cr->runs[a];
		json_t *t = json_object(), *fl = json_array();

		if (ar->build.n) {
			info("check: %s: building %d converted objects", ar->prof->name, ar->build.n);
			t0 = now_seconds();
			build(ar->prof, cr->work, ar->bdir, RUN_EXT(cr, ar), &cr->eb, cr->sparse,
			      ar->afterlog,
			      &ar->build, cr->o->jobs);
			ar->t_after = now_seconds() - t0;
			t0 = now_seconds();
			for (f = 0; f < cr->files.n; f++)
				if (strlist_has(&ar->build, cr->files.v[f]))
					judge(ar, cr->work, cr->files.v[f], CELL(f, a),
					      cr->ext ? &cr->eb : NULL);
			add_time(cr->shared, "judge", now_seconds() - t0);
		}
		json_object_set_new(t, "objects", json_integer(ar->build.n));
		for (f = 0; f < ar->build.n; f++)
			json_array_append_new(fl, json_string(ar->build.v[f]));
		json_object_set_new(t, "files", fl);
		json_object_set_new(t, "configure", json_real(ar->t_config));
		json_object_set_new(t, "select", json_real(ar->t_select));
		json_object_set_new(t, "prepare", json_real(ar->t_prepare));
		json_object_set_new(t, "base", json_real(ar->t_base));
		json_object_set_new(t, "converted", json_real(ar->t_after));
		json_object_set_new(cr->times, ar->prof->name, t);
	}
}

/* File f's overall verdict: its cells, and the branches no build compiled. */
static json_t *file_overall(struct check_run *cr, int f)
{
	json_t *overall = overall_json(cr->runs, cr->nrun, CELL(f, 0), cr->vs.why[f],
				       cr->files.v[f]);
	char *bwhy;
	json_t *br = branches_json(&cr->vs, f, &bwhy);

	json_object_set_new(overall, "branches", br);
	/* a changed line no build compiled is not checked */
	if (bwhy && !strcmp(jstr(overall, "status"), "pass")) {
		json_object_set_new(overall, "status", json_string("fail"));
		json_object_set_new(overall, "reason", json_string(bwhy));
	} else if (bwhy && jstr(overall, "reason")) {
		char *both = xasprintf("%s; also, %s", jstr(overall, "reason"), bwhy);

		json_object_set_new(overall, "reason", json_string(both));
		free(both);
	}
	free(bwhy);
	return overall;
}

/*
 * The verdict of a record whose conversion changes several files (a
 * handler defined in one file and named in others): the check of the
 * file its handler is defined in, failed if a source of another file
 * failed, skipped if one was skipped or built by no profile (n/a), with
 * that file's reason.
 */
static json_t *record_check(json_t *r, json_t *chks)
{
	json_t *c = json_object_get(r, "conversion"), *v, *chk, *ov;
	const char *file, *st;

	chk = json_object_get(chks, record_def_file(r));
	if (!chk)
		return NULL;
	chk = json_deep_copy(chk);
	ov = json_object_get(chk, "overall");
	json_object_foreach(json_object_get(c, "files"), file, v) {
		json_t *other = json_object_get(json_object_get(chks, file), "overall");
		char *why;

		st = jstr(other, "status");
		/* every source of the change is built, or the change is not checked */
		if (!st || !is_c_source(file) || strcmp(jstr(ov, "status"), "pass") ||
		    !strcmp(st, "pass"))
			continue;
		why = xasprintf("%s, a file the conversion changes too: %s", file,
				js(other, "reason"));
		json_object_set_new(ov, "status", json_string(strcmp(st, "fail") ? "skipped" :
							      "fail"));
		json_object_set_new(ov, "reason", json_string(why));
		free(why);
	}
	return chk;
}

/* Each file's cells and verdict into its records; what failed is dropped and reverted. */
static void check_verdicts(struct check_run *cr)
{
	json_t *chks = json_object(), *r;
	size_t i;
	int f, a;

	for (f = 0; f < cr->files.n; f++) {
		const char *file = cr->files.v[f];
		json_t *chk = json_object(), *overall;
		const char *status;

		for (a = 0; a < cr->nrun; a++) {
			json_t *c = cell_json(CELL(f, a));

			/* what a config variant is, for the report and the series */
			if (cr->runs[a].prof->variant)
				json_object_set_new(c, "config",
						    json_string(cr->runs[a].prof->description));
			json_object_set_new(chk, cr->runs[a].prof->name, c);
		}
		overall = file_overall(cr, f);
		status = jstr(overall, "status");
		/* every build ran the driver's configure step first, for its kernel */
		if (cr->ext && cr->eb.configure.n)
			json_object_set_new(overall, "configured_by", json_sprintf(
				"%s, %s", cr->eb.configure_from, cr->eb.configure.v[0]));
		json_object_set_new(chk, "overall", overall);
		if (!strcmp(status, "pass"))
			cr->npass++;
		else if (!strcmp(status, "fail"))
			cr->nfail++;
		else if (!strcmp(status, "skipped"))
			cr->nskip++;
		else
			cr->nna++;
		json_object_set_new(chks, file, chk);
	}
	json_array_foreach(cr->records, i, r) {
		json_t *c = json_object_get(r, "conversion"), *chk, *v;
		const char *status, *file;

		/* a handler refused in a converted file was not checked */
		if (!json_is_object(c) || strcmp(jstr(c, "status"), "converted"))
			continue;
		chk = record_check(r, chks);
		if (!chk)
			continue;
		json_object_set_new(r, "check", chk);
		status = jstr(json_object_get(chk, "overall"), "status");
		if (!strcmp(status, "pass"))
			continue;
		json_object_set_new(c, "status", json_string("dropped"));
		json_object_set_new(c, "reason", json_string(jstr(json_object_get(chk, "overall"),
								  "reason")));
		json_object_foreach(json_object_get(c, "files"), file, v)
			run_v(cr->work, NULL, "git", "checkout", "-q", cr->base, "--", file, NULL);
	}
	/* a file whose conversion was dropped: every record it holds is */
	json_array_foreach(cr->records, i, r) {
		json_t *c = json_object_get(r, "conversion"), *x;
		size_t k;

		if (!json_is_object(c) || strcmp(jstr(c, "status"), "converted"))
			continue;
		json_array_foreach(cr->records, k, x) {
			json_t *xc = json_object_get(x, "conversion");

			if (strcmp(js(xc, "status"), "dropped") || strcmp(js(xc, "diff"), js(c, "diff")))
				continue;
			json_object_set_new(c, "status", json_string("dropped"));
			json_object_set_new(c, "reason", json_string(js(xc, "reason")));
			break;
		}
	}
	json_decref(chks);
}

/* Per run its counts and times on stderr; check-times.json. */
static void check_summary(struct check_run *cr)
{
	char *tp = out_path(cr->o, "check-times.json"), *line = xstrdup(""), *l;
	json_t *all = json_object(), *v;
	const char *k;
	int f, a;

	for (a = 0; a < cr->nrun; a++) {
		int np = 0, nf = 0, nn = 0, ns = 0;

		for (f = 0; f < cr->files.n; f++) {
			const char *s = CELL(f, a)->status;

			np += !strcmp(s, "pass");
			nf += !strcmp(s, "fail");
			nn += !strcmp(s, "n/a");
			ns += !strcmp(s, "skipped");
		}
		info("check: %-10s %2d pass %2d fail %2d n/a %2d skipped  (configure %.1f s, select %.1f s, prepare %.1f s, base %.1f s, converted %.1f s)",
		     cr->runs[a].prof->name, np, nf, nn, ns, cr->runs[a].t_config,
		     cr->runs[a].t_select, cr->runs[a].t_prepare, cr->runs[a].t_base,
		     cr->runs[a].t_after);
	}
	json_object_foreach(cr->shared, k, v) {
		l = xasprintf("%s%s%s %.1f s", line, *line ? ", " : "", k, json_real_value(v));
		free(line);
		line = l;
	}
	info("check: shared work: %s", line);
	json_object_set_new(all, "profiles", cr->times);
	json_object_set_new(all, "shared", cr->shared);
	json_dump_path(all, tp);
	free(line);
	free(tp);
	json_decref(all);
	info("check: %d files: %d passed, %d failed, %d skipped, %d not applicable anywhere",
	     cr->files.n, cr->npass, cr->nfail, cr->nskip, cr->nna);
}

static void check_run_free(struct check_run *cr)
{
	struct variants *vs = &cr->vs;
	size_t i;
	int f;

	for (i = 0; i < (size_t)cr->files.n * cr->nrun; i++) {
		free(cr->cells[i].reason);
		strlist_free(&cr->cells[i].new_msgs);
	}
	free(cr->cells);
	for (f = 0; f < cr->files.n; f++) {
		free(vs->why[f]);
		branch_map_free(&vs->map[f]);
		free(vs->need[f]);
		free(vs->live[f]);
		free(vs->bnext[f]);
		json_decref(vs->by[f]);
		free(vs->pwhy[f]);
	}
	free(vs->why);
	free(vs->next);
	free(vs->made);
	free(vs->pending);
	free(vs->base);
	free(vs->map);
	free(vs->need);
	free(vs->live);
	free(vs->by);
	free(vs->bnext);
	free(vs->pmade);
	free(vs->ppending);
	free(vs->pwhy);
	strlist_free(&vs->frag);
	strlist_free(&cr->files);
	free(cr->work);
	free(cr->base);
	free(cr->logs);
	free(cr->sparse);
	ext_build_free(&cr->eb);
}

int check_records(const struct options *o, json_t *records)
{
	struct check_run cr = { .o = o, .records = records };
	double t0;

	cr.work = work_tree(o, 0);
	cr.base = work_base(cr.work);
	cr.ext = o->external ? o->tree : NULL;
	cr.src = o->external ? o->tree : cr.work;
	ext_build_of(o, &cr.eb);
	if (!strcmp(converted_api(records, "tree_api", ""), "none")) {
		/* e.g. 6.12 with --api: building would only fail; say why instead */
		drop_all_unbuilt(records);
		free(cr.work);
		free(cr.base);
		ext_build_free(&cr.eb);
		return 0;
	}
	cr.api = converted_api(records, "profile", o->api ? o->api : "mainline");
	check_inputs(&cr);
	plan_runs(&cr);
	check_bases(&cr);
	check_converted(&cr);
	t0 = now_seconds();
	check_verdicts(&cr);
	if (!cr.ext)
		overlay_revert(cr.work, cr.api);
	add_time(cr.shared, "revert", now_seconds() - t0);
	check_summary(&cr);
	if (cr.ext_unbuilt) {
		warnx("check: the driver builds nothing against %s as it is (%s): check the tree and the driver's Kbuild; nothing was judged",
		      o->tree, cr.ext_unbuilt);
		free(cr.ext_unbuilt);
		check_run_free(&cr);
		return 1;
	}
	check_run_free(&cr);
	return 0;
}
