// SPDX-License-Identifier: GPL-2.0
/*
 * convert.c - the work tree, the API profile, and the simple conversions.
 *
 * The user's tree is never written: conversions happen in DIR/work, a git
 * worktree of the tree (or a scratch copy made a git repository).  Each
 * run starts the work tree from the base commit again, so a second run
 * produces the same result.  The diff of every converted file is kept in
 * DIR/diffs/, from where check and series take it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"

static int file_has(const char *path, const char *needle)
{
	size_t len;
	char *buf = read_file(path, &len);
	int r;

	if (!buf)
		return 0;
	r = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return r;
}

int detect_profile(const char *tree, const char *want, struct profile *p)
{
	char *mmt = xasprintf("%s/include/linux/mm_types.h", tree);
	char *fs = xasprintf("%s/include/linux/fs.h", tree);
	int mainline = file_has(mmt, "struct mmap_action");
	int rfc = file_has(fs, "mmap_complete");

	memset(p, 0, sizeof(*p));
	p->has_prepare = file_has(fs, "mmap_prepare");
	p->flag_bits = file_has(mmt, "vma_flags_t vma_flags");
	if (want)
		p->api = want;
	else if (rfc)
		p->api = "rfc";
	else if (mainline)
		p->api = "mainline";
	free(mmt);
	free(fs);
	return p->api ? 0 : -1;
}

/*
 * DIR/work: a worktree of the tree (or of the --external driver directory)
 * when it is a git repository, else a copy of it made a git repository.
 */
char *work_tree(const struct options *o)
{
	const char *src = o->external ? o->external : o->tree;
	char *work = out_path(o, "work");
	char *gitdir = xasprintf("%s/.git", src);

	if (!path_exists(work)) {
		if (path_exists(gitdir)) {
			if (run_sh(NULL, NULL, "git -C %s worktree add --detach -f %s HEAD >/dev/null 2>&1",
				   shell_quote(src), shell_quote(work)))
				die("cannot add a git worktree of %s at %s", src, work);
		} else {
			char *tmp = xasprintf("%s.partial", work);

			info("copying %s to %s (not a git tree)", src, work);
			if (run_sh(NULL, NULL, "rm -rf %s && cp -a %s %s && cd %s && git init -q && "
				   "git add -A -f . && git -c user.name=mmapport -c user.email=mmapport@localhost "
				   "commit -q -m base && cd .. && mv %s %s",
				   shell_quote(tmp), shell_quote(src), shell_quote(tmp),
				   shell_quote(tmp), shell_quote(tmp), shell_quote(work)))
				die("cannot copy %s to %s", src, work);
			free(tmp);
		}
	}
	free(gitdir);
	return work;
}

/* The commit the work tree started from. */
char *work_base(const char *work)
{
	char *base = run_capture(work, "git rev-parse 'HEAD^{commit}' 2>/dev/null; true");
	char *marker = xasprintf("%s/../work.base", work);
	size_t len;
	char *saved = read_file(marker, &len);

	if (saved) {
		free(base);
		saved[strcspn(saved, "\n")] = '\0';
		free(marker);
		return saved;
	}
	write_file(marker, base, strlen(base));
	free(marker);
	return base;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The handlers of file that classify found simple. */
static void simple_handlers(json_t *records, const char *file, struct strlist *out)
{
	size_t i;
	json_t *r;

	json_array_foreach(records, i, r)
		if (!strcmp(jstr(r, "file"), file) && !strcmp(jstr(r, "category"), "simple") &&
		    !strlist_has(out, jstr(r, "function")))
			strlist_add(out, jstr(r, "function"));
	qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static char *join(const struct strlist *l, const char *sep)
{
	size_t n = 1;
	char *s;
	int i;

	for (i = 0; i < l->n; i++)
		n += strlen(l->v[i]) + strlen(sep);
	s = xmalloc(n);
	s[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, l->v[i]);
	}
	return s;
}

/* Did spatch convert handler fn in the file: definition and registration? */
static int converted_ok(const char *path, const char *fn)
{
	char *def = xasprintf("%s_prepare(struct vm_area_desc *desc)", fn);
	char *reg = xasprintf("= %s_prepare,", fn);
	int ok = file_has(path, def) && file_has(path, reg);

	free(def);
	free(reg);
	return ok;
}

/* The visual column after the n bytes of s, from column col (tabs of 8). */
static int vcol(const char *s, size_t n, int col)
{
	for (size_t i = 0; i < n; i++)
		col = s[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
	return col;
}

/* s at a designator ".mmap = fn," (any spacing)?  Fills the parts. */
static int mmap_designator(const char *s, const char *fn, const char **eq,
			   const char **val, const char **end)
{
	const char *p = s;

	if (strncmp(p, ".mmap", 5))
		return 0;
	p += 5;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return 0;
	*eq = p++;
	while (*p == ' ' || *p == '\t')
		p++;
	*val = p;
	if (strncmp(p, fn, strlen(fn)))
		return 0;
	p += strlen(fn);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != ',' && *p != '\n' && *p != '\0')
		return 0;
	*end = p;
	return 1;
}

/*
 * spatch prints a new registration as ".mmap_prepare = fn_prepare,".
 * Give it the layout of the line it replaced: "=" in the same column
 * (reached with tabs or spaces, as the old line did), the same space
 * after it.
 */
static void realign(const char *path, const char *orig, const char *fn)
{
	char *prep = xasprintf("%s_prepare", fn);
	char *plain = xasprintf(".mmap_prepare = %s", prep);
	size_t len;
	char *buf = read_file(path, &len);
	const char *line;
	size_t from = 0;
	int changed = 0;

	if (!buf)
		goto out;
	for (line = orig; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *d = line, *eq, *val, *end, *at;
		int target, col, tabs;
		size_t lead;
		char *want, *pad, *nb;

		while (*d == ' ' || *d == '\t')
			d++;
		if (!mmap_designator(d, fn, &eq, &val, &end))
			continue;
		lead = d - line;
		at = strstr(buf + from, plain);
		if (!at)
			break;
		/* Only where the new line starts the same way as the old one. */
		if (at - buf < (ptrdiff_t)lead || memcmp(at - lead, line, lead) ||
		    (at - lead != buf && at[-(ptrdiff_t)lead - 1] != '\n'))
			continue;
		target = vcol(line, eq - line, 0);
		tabs = memchr(d + 5, '\t', eq - d - 5) != NULL;
		col = vcol(line, lead, 0) + 13;
		pad = xmalloc(target + 2);
		pad[0] = '\0';
		if (eq > d + 5) {
			do {
				strcat(pad, tabs ? "\t" : " ");
				col = tabs ? (col / 8 + 1) * 8 : col + 1;
			} while (col < target);
		}
		want = xasprintf(".mmap_prepare%s=%.*s%s", pad, (int)(val - eq - 1), eq + 1, prep);
		nb = xasprintf("%.*s%s%s", (int)(at - buf), buf, want, at + strlen(plain));
		from = (at - buf) + strlen(want);
		free(buf);
		buf = nb;
		len = strlen(buf);
		changed = 1;
		free(want);
		free(pad);
	}
	if (changed)
		write_file(path, buf, len);
	free(buf);
out:
	free(prep);
	free(plain);
}

static int run_spatch(const struct options *o, const char *work, const char *file,
		      const struct strlist *handlers, const struct profile *p)
{
	char *cocci = xasprintf("%s/cocci/mmap_prepare_simple.cocci", project_dir());
	char *names = join(handlers, ",");
	char *log = out_path(o, "logs");
	int r;

	mkdir_p(log);
	free(log);
	log = xasprintf("%s/logs/spatch-%s.log", o->out, file);
	for (char *s = log + strlen(o->out) + 13; *s; s++)
		if (*s == '/')
			*s = '_';
	r = run_sh(work, log, "MMAPPORT_HANDLERS=%s spatch --sp-file %s -D patch %s "
		   "--no-includes --include-headers --in-place --very-quiet %s",
		   shell_quote(names), shell_quote(cocci), p->flag_bits ? "" : "-D vm_flags_field",
		   shell_quote(file));
	free(cocci);
	free(names);
	free(log);
	return r;
}

int convert_records(const struct options *o, json_t *records)
{
	struct profile prof;
	struct strlist files = { 0 };
	char *work, *base, *diffs;
	size_t i;
	json_t *r;
	int nconv = 0, nref = 0, f;

	if (detect_profile(o->tree, o->api, &prof))
		die("%s has neither mmap_prepare API (no struct mmap_action in "
		    "include/linux/mm_types.h, no mmap_complete in include/linux/fs.h): "
		    "give --api mainline or --api rfc to convert anyway", o->tree);
	if (!strcmp(prof.api, "rfc"))
		warnx("profile rfc: only the simple class is converted so far, as for mainline");
	info("convert: profile %s, flags as %s", prof.api,
	     prof.flag_bits ? "vma_desc_set_flags(desc, VMA_*_BIT)" : "desc->vm_flags");
	work = work_tree(o);
	base = work_base(work);
	/* Start from the base again: the same input gives the same output. */
	if (run_sh(work, NULL, "git checkout -q -f --detach %s && git clean -q -fd", base))
		die("%s: cannot reset the work tree to %s", work, base);
	diffs = out_path(o, "diffs");
	run_sh(NULL, NULL, "rm -rf %s", shell_quote(diffs));
	mkdir_p(diffs);

	json_array_foreach(records, i, r)
		if (!strcmp(jstr(r, "category"), "simple") && !strlist_has(&files, jstr(r, "file")))
			strlist_add(&files, jstr(r, "file"));
	for (f = 0; f < files.n; f++) {
		const char *file = files.v[f];
		char *path = xasprintf("%s/%s", work, file);
		struct strlist handlers = { 0 }, done = { 0 };
		char *dpath, *flat, *orig;
		size_t olen;
		int h;

		simple_handlers(records, file, &handlers);
		orig = read_file(path, &olen);
		run_spatch(o, work, file, &handlers, &prof);
		for (h = 0; h < handlers.n; h++)
			if (converted_ok(path, handlers.v[h]))
				strlist_add(&done, handlers.v[h]);
		if (done.n != handlers.n) {
			/* Keep only what converted fully: redo the file with those. */
			run_sh(work, NULL, "git checkout -q -- %s", shell_quote(file));
			if (done.n)
				run_spatch(o, work, file, &done, &prof);
		}
		for (h = 0; orig && h < done.n; h++)
			realign(path, orig, done.v[h]);
		free(orig);
		flat = xstrdup(file);
		for (char *s = flat; *s; s++)
			if (*s == '/')
				*s = '_';
		dpath = xasprintf("%s/%s.patch", diffs, flat);
		if (done.n)
			run_sh(work, dpath, "git diff -- %s", shell_quote(file));
		json_array_foreach(records, i, r) {
			json_t *c;

			if (strcmp(jstr(r, "file"), file) || strcmp(jstr(r, "category"), "simple"))
				continue;
			c = json_object();
			json_object_set_new(c, "profile", json_string(prof.api));
			if (strlist_has(&done, jstr(r, "function"))) {
				char *np = xasprintf("%s_prepare", jstr(r, "function"));

				json_object_set_new(c, "status", json_string("converted"));
				json_object_set_new(c, "new_function", json_string(np));
				json_object_set_new(c, "diff", json_string(dpath + strlen(o->out) + 1));
				free(np);
				nconv++;
			} else {
				json_object_set_new(c, "status", json_string("refused"));
				json_object_set_new(c, "reason", json_string(
					"the semantic patch did not convert it (a use of the VMA or a "
					"registration shape it does not handle); see logs/"));
				nref++;
			}
			json_object_set_new(r, "conversion", c);
		}
		strlist_free(&handlers);
		strlist_free(&done);
		free(path);
		free(dpath);
		free(flat);
	}
	info("convert: %d simple registrations converted, %d refused, in %d files",
	     nconv, nref, files.n);
	strlist_free(&files);
	free(work);
	free(base);
	free(diffs);
	return 0;
}
