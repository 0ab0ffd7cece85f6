// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - build every converted object with sparse, before and after.
 *
 * x86_64 allmodconfig in DIR/build/x86_64 (prepared once, then reused).
 * One make for the base objects, one for the converted ones, both with
 * C=2 so that sparse runs on each named object even when it is up to date.
 * A conversion passes when its object builds and sparse says nothing that
 * it did not say about the base.  The kernel skips sparse silently when
 * it finds it too old: that is detected here and is an error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapport.h"

char *work_base(const char *work);

static const char arch_name[] = "x86_64";

/* Messages about file in log, with line and column numbers dropped. */
static void messages(const char *log, const char *file, struct strlist *out)
{
	size_t len;
	char *buf = read_file(log, &len), *line, *save;

	if (!buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, file), *p, *msg;

		if (!at || at[strlen(file)] != ':')
			continue;
		p = at + strlen(file) + 1;
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

static int log_has(const char *log, const char *needle)
{
	size_t len;
	char *buf = read_file(log, &len);
	int r = buf && strstr(buf, needle);

	free(buf);
	return r;
}

static char *object_of(const char *file)
{
	char *o = xstrdup(file);

	o[strlen(o) - 1] = 'o';
	return o;
}

static int build(const char *work, const char *bdir, const char *sparse, const char *log,
		 const struct strlist *files, int jobs)
{
	struct strlist objs = { 0 };
	char *list;
	int i, r;

	for (i = 0; i < files->n; i++) {
		char *obj = object_of(files->v[i]);
		char *path = xasprintf("%s/%s", bdir, obj);

		unlink(path);
		strlist_add(&objs, obj);
		free(obj);
		free(path);
	}
	{
		size_t n = 1;

		for (i = 0; i < objs.n; i++)
			n += strlen(objs.v[i]) + 1;
		list = xmalloc(n);
		list[0] = '\0';
		for (i = 0; i < objs.n; i++) {
			strcat(list, objs.v[i]);
			strcat(list, " ");
		}
	}
	r = run_sh(work, log, "make O=%s ARCH=%s C=2 CHECK=%s -k -j%d %s",
		   shell_quote(bdir), arch_name, shell_quote(sparse), jobs, list);
	free(list);
	strlist_free(&objs);
	if (log_has(log, "not available or not up to date"))
		die("the kernel skipped sparse (\"sparse is not available or not up to date\", "
		    "see %s): a check that silently does nothing is a failure", log);
	return r;
}

int check_records(const struct options *o, json_t *records)
{
	struct strlist files = { 0 }, buildable = { 0 };
	char *work, *base, *bdir, *sparse, *cfg, *baselog, *afterlog;
	struct profile prof;
	size_t i;
	json_t *r;
	int f, npass = 0, nfail = 0, nna = 0;
	const char *api;

	work = work_tree(o);
	base = work_base(work);
	if (detect_profile(work, NULL, &prof)) {
		/* e.g. 6.12 with --api: building would only fail; say why instead */
		info("check: the tree lacks the API (no struct mmap_action, no mmap_complete): "
		     "conversions are not built, and none is emitted");
		json_array_foreach(records, i, r) {
			json_t *c = json_object_get(r, "conversion");

			if (!json_is_object(c) || strcmp(jstr(c, "status"), "converted"))
				continue;
			json_object_set_new(c, "status", json_string("dropped"));
			json_object_set_new(c, "reason", json_string("not checked: the tree lacks "
								     "the API"));
		}
		return 0;
	}
	api = o->api ? o->api : prof.api;
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		if (json_is_object(c) && !strcmp(jstr(c, "status"), "converted") &&
		    !strlist_has(&files, jstr(r, "file")))
			strlist_add(&files, jstr(r, "file"));
	}
	for (f = 0; f < files.n; f++) {
		const char *file = files.v[f];

		if ((!strncmp(file, "arch/", 5) && strncmp(file, "arch/x86/", 9)) ||
		    strcmp(file + strlen(file) - 2, ".c"))
			continue;
		strlist_add(&buildable, file);
	}
	bdir = xasprintf("%s/build/%s", o->out, arch_name);
	baselog = xasprintf("%s/logs/check-%s-base.log", o->out, arch_name);
	afterlog = xasprintf("%s/logs/check-%s-after.log", o->out, arch_name);
	{
		char *logs = out_path(o, "logs");

		mkdir_p(logs);
		free(logs);
	}
	if (buildable.n) {
		sparse = run_capture(project_dir(), "tools/deps.sh --tree %s 2>&2",
				     shell_quote(work));
		if (!sparse || !*sparse)
			die("no sparse that the tree accepts (tools/deps.sh --tree %s failed)", work);
		info("check: sparse %s", sparse);
		mkdir_p(bdir);
		cfg = xasprintf("%s/.config", bdir);
		if (!path_exists(cfg)) {
			char *plog = xasprintf("%s/logs/prepare-%s.log", o->out, arch_name);

			info("check: preparing %s allmodconfig in %s", arch_name, bdir);
			if (run_sh(work, plog, "make O=%s ARCH=%s allmodconfig && make O=%s ARCH=%s -j%d prepare",
				   shell_quote(bdir), arch_name, shell_quote(bdir), arch_name, o->jobs)) {
				unlink(cfg);
				die("cannot prepare the %s build dir; see %s", arch_name, plog);
			}
			free(plog);
		}
		free(cfg);
		/* rfc on a mainline tree: its API from overlay/rfc/, for both builds */
		overlay_apply(work, api, baselog);
		/* Base objects: the converted files as they were. */
		for (f = 0; f < buildable.n; f++)
			run_sh(work, NULL, "git checkout -q %s -- %s", base, shell_quote(buildable.v[f]));
		info("check: building %d base objects", buildable.n);
		build(work, bdir, sparse, baselog, &buildable, o->jobs);
		for (f = 0; f < buildable.n; f++) {
			char *flat = xstrdup(buildable.v[f]);

			for (char *s = flat; *s; s++)
				if (*s == '/')
					*s = '_';
			run_sh(work, NULL, "git apply %s/diffs/%s.patch", shell_quote(o->out), flat);
			free(flat);
		}
		info("check: building %d converted objects", buildable.n);
		build(work, bdir, sparse, afterlog, &buildable, o->jobs);
	}

	for (f = 0; f < files.n; f++) {
		const char *file = files.v[f];
		json_t *res = json_object();
		const char *status;

		if (!strlist_has(&buildable, file)) {
			status = "n/a";
			json_object_set_new(res, "reason", json_string(
				"another architecture's file: not built on x86_64"));
			nna++;
		} else {
			struct strlist b = { 0 }, a = { 0 }, n = { 0 };
			char *obj = object_of(file), *objpath = xasprintf("%s/%s", bdir, obj);
			/* kbuild names the source by its full path under O= */
			char *checkline = xasprintf("CHECK   %s/%s\n", work, file);
			char *checkrel = xasprintf("CHECK   %s\n", file);
			int built = path_exists(objpath);
			int j;

			messages(baselog, file, &b);
			messages(afterlog, file, &a);
			new_messages(&b, &a, &n);
			if (!built) {
				status = "fail";
				json_object_set_new(res, "reason", json_string(
					n.n ? n.v[0] : "the object did not build (see logs/)"));
			} else if (!log_has(afterlog, checkline) && !log_has(afterlog, checkrel)) {
				status = "fail";
				json_object_set_new(res, "reason", json_string("sparse did not run on it"));
			} else if (n.n) {
				status = "fail";
				json_object_set_new(res, "reason", json_string(n.v[0]));
			} else {
				status = "pass";
			}
			{
				json_t *nw = json_array();

				for (j = 0; j < n.n; j++)
					json_array_append_new(nw, json_string(n.v[j]));
				json_object_set_new(res, "new_messages", nw);
			}
			json_object_set_new(res, "base_messages", json_integer(b.n));
			strlist_free(&b);
			strlist_free(&a);
			strlist_free(&n);
			free(obj);
			free(objpath);
			free(checkline);
			free(checkrel);
			if (!strcmp(status, "pass"))
				npass++;
			else
				nfail++;
		}
		json_object_set_new(res, "status", json_string(status));
		json_array_foreach(records, i, r) {
			json_t *c = json_object_get(r, "conversion"), *chk;

			if (strcmp(jstr(r, "file"), file) || !json_is_object(c))
				continue;
			chk = json_object();
			json_object_set(chk, arch_name, res);
			json_object_set_new(r, "check", chk);
			if (strcmp(status, "pass")) {
				json_object_set_new(c, "status", json_string("dropped"));
				json_object_set_new(c, "reason", json_string(
					!strcmp(status, "n/a") ? "not checked: not built on any profiled "
					"architecture yet" : jstr(res, "reason")));
			}
		}
		if (strcmp(status, "pass"))
			run_sh(work, NULL, "git checkout -q %s -- %s", base, shell_quote(file));
		json_decref(res);
	}
	overlay_revert(work, api);
	info("check: %d passed, %d failed, %d not applicable on %s", npass, nfail, nna, arch_name);
	strlist_free(&files);
	strlist_free(&buildable);
	free(work);
	free(base);
	free(bdir);
	free(baselog);
	free(afterlog);
	return 0;
}
