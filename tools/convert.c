// SPDX-License-Identifier: GPL-2.0
/*
 * convert.c - the API profile, and the conversions.
 *
 * The user's tree is never written: conversions happen in DIR/work, a git
 * clone of the tree (or a scratch copy made a git repository, worktree.c).
 * Each run starts the work tree from the base commit again, so a second
 * run produces the same result.  The diff of every converted file is kept in
 * DIR/diffs/, from where check and series take it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapport.h"
#include "branches.h"
#include "category.h"
#include "inputs.h"
#include "analyzer/analyzer.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* How a category converts: one semantic patch, or two passes. */
enum method { M_NONE, M_SIMPLE, M_REMAP, M_STATE };

static enum method method_of(const char *category)
{
	if (!strcmp(category, "simple"))
		return M_SIMPLE;
	if (!strcmp(category, "pfn-remap") || !strcmp(category, "page-insert"))
		return M_REMAP;
	if (!strcmp(category, "stateful"))
		return M_STATE;
	return M_NONE;
}

/* The hooks a conversion adds beside NAME_prepare (rfc complete, abort; mapped). */
enum hooks { H_COMPLETE = 1, H_ABORT = 2, H_MAPPED = 4 };

/* Is NAME_suffix defined (its first parameter as given) and registered? */
static int hook_ok(const char *path, const char *fn, const char *suffix, const char *param)
{
	char *def = xasprintf("%s_%s(%s", fn, suffix, param);
	char *reg = xasprintf("= %s_%s,", fn, suffix);
	int ok = file_has(path, def) && file_has(path, reg);

	free(def);
	free(reg);
	return ok;
}

/*
 * Did spatch convert handler fn in the file: definition and registration?
 * A library handler's twin (twin) is defined elsewhere: its registration.
 * A handler registered only from other files (elsewhere): its definition,
 * mmap_prepare_rename.cocci does the rest.
 */
static int converted_ok(const char *path, const char *fn, int hooks, int twin, int elsewhere)
{
	int ok;

	if (elsewhere) {
		char *def = xasprintf("%s_prepare(struct vm_area_desc *desc)", fn);

		ok = file_has(path, def);
		free(def);
	} else if (twin) {
		char *reg = xasprintf("= %s_prepare,", fn);

		ok = file_has(path, reg);
		free(reg);
	} else {
		ok = hook_ok(path, fn, "prepare", "struct vm_area_desc *desc)");
	}

	if (ok && (hooks & H_COMPLETE))
		ok = hook_ok(path, fn, "complete", "struct file *file,");
	if (ok && (hooks & H_ABORT))
		ok = hook_ok(path, fn, "abort", "const struct file *file,");
	if (ok && (hooks & H_MAPPED))
		ok = hook_ok(path, fn, "mapped", "unsigned long start,");
	return ok;
}

/* The hooks a conversion adds; a state plan (tools/state.c) says which for state. */
static int hooks_of(enum method m, const struct api_profile *p, json_t *plan)
{
	int rfc = !strcmp(p->api, "rfc");

	if (m == M_REMAP)
		return rfc ? H_COMPLETE : 0;
	if (m == M_STATE && rfc && !strcmp(js(plan, "mode"), "complete"))
		return H_COMPLETE;
	if (m == M_STATE)
		return rfc ? H_COMPLETE | H_ABORT : H_MAPPED;
	return 0;
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
 * ".NAME" padded so that its "=" is at visual column target (tabs or
 * spaces, as the old line; at least one when the old line had any),
 * the designator starting at column col.
 */
static char *pad_designator(const char *name, int col, int target, int tabs, int spaced)
{
	char *pad = xmalloc(target + strlen(name) + 4), *out;

	pad[0] = '\0';
	col += strlen(name);
	if (spaced) {
		do {
			strcat(pad, tabs ? "\t" : " ");
			col = tabs ? (col / 8 + 1) * 8 : col + 1;
		} while (col < target);
	}
	out = xasprintf("%s%s", name, pad);
	free(pad);
	return out;
}

/* Replace the first "from" at or after buf + *pos by "to"; returns the new buffer. */
static char *replace_at(char *buf, size_t *pos, const char *from, const char *to)
{
	char *at = strstr(buf + *pos, from), *nb;

	if (!at)
		return buf;
	nb = xasprintf("%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
	*pos = (at - buf) + strlen(to);
	free(buf);
	return nb;
}

/* An old line's gap between "=" and its value lines the value up: a tab, or spaces. */
static int gap_aligns(const char *gap, size_t n)
{
	return n > 1 || (n && gap[0] == '\t');
}

/*
 * What follows "=" on a new line whose "=" ends at column col: where the
 * old line's gap lined its value up (gap_aligns()), its kind of white
 * space up to column target, at least one; else the gap as it was.
 */
static char *pad_value(const char *gap, size_t n, int col, int target)
{
	int tabs = memchr(gap, '\t', n) != NULL;
	char *pad;
	size_t k = 0;

	if (!gap_aligns(gap, n))
		return xasprintf("%.*s", (int)n, gap);
	pad = xmalloc((target > col ? target - col : 1) + 2);
	do {
		pad[k++] = tabs ? '\t' : ' ';
		col = tabs ? (col / 8 + 1) * 8 : col + 1;
	} while (col < target);
	pad[k] = '\0';
	return pad;
}

/*
 * spatch prints a new registration as ".mmap_prepare = fn_prepare," and
 * the hooks it adds beside it (".mmap_complete = fn_complete,",
 * ".mmap_abort = fn_abort,") the same way.  Give them the layout of the
 * line they replaced: "=" in the same column (reached with tabs or
 * spaces, as the old line did), the value in the same column where the
 * old line lined it up with tabs or several spaces (pad_value()).
 */
static void realign(const char *path, const char *orig, const char *fn)
{
	static const char *const extra[] = { "complete", "abort", NULL };
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
		int target, col, tabs, spaced, k, vtarget;
		size_t lead;
		char *want, *name, *nb, *gap;

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
		spaced = eq > d + 5;
		col = vcol(line, lead, 0);
		name = pad_designator(".mmap_prepare", col, target, tabs, spaced);
		/*
		 * Each new line's value in the old value's column where it
		 * reaches it, as the struct's other members; a hook added
		 * below whose "=" ends past it takes the next stop.
		 */
		vtarget = vcol(line, val - line, 0);
		gap = pad_value(eq + 1, val - eq - 1, vcol(name, strlen(name), col) + 1, vtarget);
		want = xasprintf("%s=%s%s", name, gap, prep);
		nb = xasprintf("%.*s%s%s", (int)(at - buf), buf, want, at + strlen(plain));
		from = (at - buf) + strlen(want);
		free(buf);
		free(name);
		free(want);
		buf = nb;
		/* the hooks added after it */
		for (k = 0; extra[k]; k++) {
			char *hook = xasprintf(".mmap_%s", extra[k]);
			char *old = xasprintf("\n%.*s%s = %s_%s,", (int)lead, line, hook, fn, extra[k]);
			size_t pos = from;

			name = pad_designator(hook, col, target, tabs, spaced);
			free(gap);
			gap = pad_value(eq + 1, val - eq - 1, vcol(name, strlen(name), col) + 1,
					vtarget);
			want = xasprintf("\n%.*s%s=%s%s_%s,", (int)lead, line, name, gap, fn,
					 extra[k]);
			buf = replace_at(buf, &pos, old, want);
			free(hook);
			free(old);
			free(name);
			free(want);
		}
		free(gap);
		len = strlen(buf);
		changed = 1;
	}
	if (changed)
		write_file(path, buf, len);
	free(buf);
out:
	free(prep);
	free(plain);
}

/*
 * spatch leaves a whitespace-only line where it removed the "{" after a
 * rewritten flag test (mmap_prepare_simple.cocci drops braces around a
 * single statement there): drop that line.
 */
static void drop_brace_residue(const char *path)
{
	size_t len;
	char *buf = read_file(path, &len), *out, *o, *line, *next, *prev = NULL;
	int changed = 0;

	if (!buf)
		return;
	out = o = xmalloc(len + 1);
	for (line = buf; *line; line = next) {
		char *e = strchrnul(line, '\n'), *q = line;

		next = *e ? e + 1 : e;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q == e && e > line && prev && strstr(prev, "vma_desc_test") &&
		    memchr(prev, ')', line - prev)) {
			changed = 1;
			continue;
		}
		memcpy(o, line, next - line);
		o += next - line;
		prev = line;
	}
	*o = 0;
	if (changed)
		write_file(path, out, o - out);
	free(out);
	free(buf);
}

/* logs/spatch-WHAT-FILE.SUFFIX: what spatch said running a rule on file */
static char *spatch_out_name(const struct options *o, const char *what, const char *file,
			     const char *suffix)
{
	char *logdir = out_path(o, "logs"), *flat = flat_path(file), *name;

	mkdir_p(logdir);
	name = xasprintf("%s/spatch-%s-%s.%s", logdir, what, flat, suffix);
	free(logdir);
	free(flat);
	return name;
}

/*
 * spatch on file in the work tree, in place, with the rule
 * cocci/mmap_prepare_WHAT.cocci and its settings, "-D NAME[=VALUE]" each
 * (defines; the rule's virtual rules).  No shell: the names and the JSON
 * reach spatch as they are, and file is a name safe_file_name() took
 * (Coccinelle runs its own diff and cp through a shell).  report: a file
 * for the rule's -D report lines (spatch's standard output), or NULL.
 */
/*
 * spatch failing (an exit status other than 0: a crash, a timeout, a
 * broken install) is a tool error, never a refusal of the handler: the
 * first failure of a file is kept for its records' reason, and convert
 * exits 1 after it has done the other files.
 */
static int nspatch_failed;

static int run_spatch(const struct options *o, const char *work, const char *file,
		      const char *what, const struct strlist *defines, const char *report,
		      char **failed)
{
	struct strlist cmd = { 0 };
	char *log = spatch_out_name(o, what, file, "log");
	struct run_opts ro = { .dir = work, .out = report ? report : log, .err = log };
	char *sp = xasprintf("%s/cocci/mmap_prepare_%s.cocci", project_dir(), what);
	int i, r;

	spatch_command(&cmd, sp);
	free(sp);
	strlist_add(&cmd, "-D");
	strlist_add(&cmd, "patch");
	if (report) {
		strlist_add(&cmd, "-D");
		strlist_add(&cmd, "report");
		/* the file is rewritten in place: the output is the report alone */
		strlist_add(&cmd, "--no-show-diff");
	}
	for (i = 0; defines && i < defines->n; i++) {
		strlist_add(&cmd, "-D");
		strlist_add(&cmd, defines->v[i]);
	}
	strlist_add(&cmd, "--no-includes");
	strlist_add(&cmd, "--include-headers");
	strlist_add(&cmd, "--in-place");
	strlist_add(&cmd, "--very-quiet");
	strlist_add(&cmd, file);
	r = run_list(&ro, &cmd);
	strlist_free(&cmd);
	if (r && !*failed) {
		*failed = xasprintf("spatch (mmap_prepare_%s.cocci) failed with exit status %d%s; see %s",
				    what, r, log_reason(log), log);
		warnx("%s: %s", file, *failed);
		nspatch_failed++;
	}
	free(log);
	return r;
}

/* "-D name=a,b" for the names of list, if any */
static void define_names(struct strlist *defines, const char *name,
			 const struct strlist *list)
{
	char *names;

	if (!list->n)
		return;
	names = strlist_join(list, ",");
	strlist_addf(defines, "%s=%s", name, names);
	free(names);
}

struct verdict {
	json_t *refused;	/* handler -> reason */
	json_t *converted;	/* handler -> [behaviour changes] */
	json_t *kept_errors;	/* handler -> [-E codes of a mapping call's checks, now in prepare] */
	json_t *aborts;		/* handler -> true: the remap rule gave it an mmap_abort */
};

struct file_job {
	struct strlist simple, remap, state;	/* handler names, sorted */
	json_t *plans;			/* state: handler -> plan (tools/state.c) */
	json_t *takes;			/* remap: handler -> state it takes (add_takes) */
	json_t *params;			/* handler -> {file, vma}: its parameters' names */
	struct strlist done;		/* converted and verified */
	struct strlist balanced;	/* simple, every take released (libclang's facts) */
	struct strlist twins;		/* simple: library handlers whose registration takes F_prepare */
	struct strlist desc_fns;	/* functions whose prototype takes the descriptor */
	struct strlist elsewhere;	/* simple: defined here, named in other files too */
	struct strlist dead_lines;	/* version-test lines to take out (their numbers) */
	struct verdict v;		/* what pass 1 said (remap and state) */
	char *spatch_failed;		/* the first spatch failure, or NULL */
};

/*
 * Pass 2 (and the only pass for simple handlers): mmap_prepare_simple.cocci.
 * kept: the stateful handlers whose state pass 1 kept (rfc abort, mainline
 * mapped); the rule takes their remaining state calls as handled.
 */
static int run_simple(const struct options *o, const char *work, const char *file,
		      const struct strlist *handlers, const struct strlist *kept,
		      struct file_job *j, const struct api_profile *p)
{
	struct strlist defines = { 0 };
	int r;

	define_names(&defines, "handler_names", handlers);
	define_names(&defines, "state_kept_names", kept);
	define_names(&defines, "desc_fn_names", &j->desc_fns);
	define_names(&defines, "elsewhere_names", &j->elsewhere);
	if (p->twins && *p->twins)
		strlist_addf(&defines, "twin_names=%s", p->twins);
	if (!p->flag_bits)
		strlist_add(&defines, "vm_flags_field");
	r = run_spatch(o, work, file, "simple", &defines, NULL, &j->spatch_failed);
	strlist_free(&defines);
	return r;
}

/*
 * Pass 1, what is "state" or "remap": mmap_prepare_state.cocci keeps what a
 * stateful handler takes, from the state plans (tools/state.c; rfc with an
 * mmap_abort, mainline with vm_ops->mapped); mmap_prepare_remap.cocci turns
 * the mapping call into an mmap_action (mainline) or a prepare / complete
 * split (rfc), given what the handler takes.  data reaches the rule as
 * -D plans_json=JSON or -D takes_json=JSON; the rule says per handler
 * what it did with -D report, into the file report (read_report()).
 */
static int run_pass1(const struct options *o, const char *work, const char *file,
		     const char *what, const struct strlist *handlers, json_t *data,
		     const struct api_profile *p, const char *report, char **failed)
{
	struct strlist defines = { 0 };
	char *js = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	int r;

	define_names(&defines, "handler_names", handlers);
	strlist_addf(&defines, "%s=%s", !strcmp(what, "state") ? "plans_json" : "takes_json", js);
	if (!strcmp(p->api, "rfc"))
		strlist_add(&defines, "rfc");
	r = run_spatch(o, work, file, what, &defines, report, failed);
	strlist_free(&defines);
	free(js);
	return r;
}

/*
 * The state a remap or page-insert handler takes and still holds when it
 * returns (an allocation, a reference; not a lock): {call, line} for the
 * rule, which refuses to move an insert loop away from it (rfc).
 */
static void add_takes(json_t *takes, json_t *r)
{
	json_t *t, *list = json_array();
	size_t i;

	json_array_foreach(json_object_get(json_object_get(r, "analysis"), "takes"), i, t) {
		const char *kind = jstr(t, "kind");

		if (!kind || !strcmp(kind, "lock") ||
		    !json_array_size(json_object_get(t, "held_at_returns")))
			continue;
		json_array_append_new(list, json_pack("{s:s, s:I}", "call", jstr(t, "call"),
						      "line", (json_int_t)jint(t, "line")));
	}
	json_object_set_new(takes, jstr(r, "function"), list);
}

/*
 * A line of a rule's report, FILE:LINE:COL-COL: NAME(): KIND: TEXT (the
 * rules' coccilib report), cut into its parts in place; 0 if it is not one.
 */
static int report_line(char *line, char **name, char **kind, char **text)
{
	char *end = strstr(line, "(): ");

	if (!end)
		return 0;
	for (*name = end; *name > line && (isalnum((unsigned char)(*name)[-1]) ||
					   (*name)[-1] == '_'); (*name)--)
		;
	*end = '\0';
	*kind = end + 4;
	*text = strstr(*kind, ": ");
	if (!*text)
		return 0;
	**text = '\0';
	*text += 2;
	return 1;
}

/* The hooks fn's conversion adds: its method's, and an mmap_abort the remap rule says it added. */
static int job_hooks(enum method m, const struct api_profile *p, const struct file_job *j,
		     const char *fn)
{
	int hooks = hooks_of(m, p, json_object_get(j->plans, fn));

	return json_object_get(j->v.aborts, fn) ? hooks | H_ABORT : hooks;
}

static void verdict_free(struct verdict *v)
{
	json_decref(v->refused);
	json_decref(v->converted);
	json_decref(v->kept_errors);
	json_decref(v->aborts);
	memset(v, 0, sizeof(*v));
}

/* What pass 1 said about each handler. */
static void read_report(const char *report, struct verdict *v)
{
	char *buf = read_file(report, NULL), *line, *save, *name, *kind, *text;

	if (!v->refused)
		v->refused = json_object();
	if (!v->converted)
		v->converted = json_object();
	if (!v->kept_errors)
		v->kept_errors = json_object();
	if (!v->aborts)
		v->aborts = json_object();
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!report_line(line, &name, &kind, &text))
			continue;
		if (!strcmp(kind, "refused"))
			json_object_set_new(v->refused, name, json_string(text));
		else if (!strcmp(kind, "convertible"))
			jarray_of(v->converted, name);
		else if (!strcmp(kind, "keeps error"))
			json_array_append_new(jarray_of(v->kept_errors, name), json_string(text));
		else if (!strcmp(kind, "note"))
			json_array_append_new(jarray_of(v->converted, name), json_string(text));
		else if (!strcmp(kind, "adds hook") && !strcmp(text, "mmap_abort"))
			json_object_set_new(v->aborts, name, json_true());
	}
	free(buf);
}

/* The handlers whose export mmap_prepare_rename.cocci's report says it renamed. */
static void read_exports(const char *report, json_t *exported)
{
	char *buf = read_file(report, NULL), *line, *save, *name, *kind, *text;

	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (report_line(line, &name, &kind, &text) && !strcmp(kind, "renamed export"))
			json_object_set_new(exported, name, json_true());
	free(buf);
}

/* One file: the handlers to convert, by method. */

/*
 * The handlers of want that pass 2 took (all, if pass2 is NULL) and that are
 * converted with hooks in path (those of the method, and the mmap_abort
 * the remap rule says it added), into j->done and next.  Returns 1 if
 * that is all of them.
 */
static int keep_converted(const char *path, const struct strlist *want,
			  const struct strlist *pass2, enum method m, const struct api_profile *p,
			  struct file_job *j, struct strlist *next)
{
	int i, all = 1;

	for (i = 0; i < want->n; i++) {
		const char *fn = want->v[i];
		int hooks = job_hooks(m, p, j, fn), simple = m == M_SIMPLE;

		if ((!pass2 || strlist_has(pass2, fn)) &&
		    converted_ok(path, fn, hooks, simple && strlist_has(&j->twins, fn),
				 simple && strlist_has(&j->elsewhere, fn))) {
			strlist_add(&j->done, fn);
			strlist_add(next, fn);
		} else {
			all = 0;
		}
	}
	return all;
}

/*
 * Convert the handlers of one file: pass 1 for remap handlers, then pass 2
 * for them and the simple ones.  A handler that does not convert fully is
 * dropped and the file redone without it, so a file holds only whole
 * conversions.
 */
/*
 * The kernel-doc of a converted handler follows it (W=1 checks it): in
 * the "/ ** ... * /" right above "fn_prepare(struct vm_area_desc *desc)",
 * "fn - " becomes "fn_prepare - ", the file parameter's "@F:" line goes
 * (with its continuation lines) and "@V:" becomes "@desc:", its words
 * kept.  fpar and vpar: the record's file_param and vma_param.
 */
static void fix_kerneldoc(const char *path, const char *fn, const char *fpar, const char *vpar)
{
	char *np = xasprintf("%s_prepare(struct vm_area_desc *desc)", fn);
	char *buf, *def, *end, *start, *out, *line, *name;
	size_t len;
	struct strlist lines = { 0 };

	buf = read_file(path, &len);
	if (!buf || !fpar || !vpar)
		goto done;
	/* the definition itself: not another_fn_prepare(...), not a prototype */
	for (def = strstr(buf, np); def; def = strstr(def + 1, np)) {
		const char *after = def + strlen(np);

		while (isspace((unsigned char)*after))
			after++;
		if (*after == '{' && (def == buf || !(isalnum((unsigned char)def[-1]) ||
						      def[-1] == '_')))
			break;
	}
	if (!def)
		goto done;
	/*
	 * The start of the definition's line, then the comment that ends right
	 * above it, preprocessor lines between them skipped (kernel-doc reads
	 * through an "#ifdef CONFIG_MMU" there too).
	 */
	while (def > buf && def[-1] != '\n')
		def--;
	end = def;
	for (;;) {
		char *l;

		while (end > buf && isspace((unsigned char)end[-1]))
			end--;
		for (l = end; l > buf && l[-1] != '\n'; l--)
			;
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l != '#' || l >= end)
			break;
		while (end > buf && end[-1] != '\n')
			end--;
	}
	if (end - buf < 4 || strncmp(end - 2, "*/", 2))
		goto done;
	for (start = end - 2; start > buf && strncmp(start, "/**", 3); start--)
		if (!strncmp(start, "*/", 2) && start != end - 2)
			goto done;
	if (strncmp(start, "/**", 3) || (start > buf && start[-1] != '\n'))
		goto done;
	name = xasprintf(" * %s", fn);
	for (line = start; line < end; ) {
		char *nl = strchr(line, '\n'), *l;
		size_t n = nl && nl < end ? (size_t)(nl - line) : (size_t)(end - line);
		int drop = 0;

		l = xasprintf("%.*s", (int)n, line);
		/* "fn - what", "fn() - what", or "fn" alone */
		if (!strncmp(l, name, strlen(name)) &&
		    (!l[strlen(name)] || l[strlen(name)] == ' ' || l[strlen(name)] == '(')) {
			char *t = xasprintf("%s_prepare%s", name, l + strlen(name));

			free(l);
			l = t;
		} else if (strstr(l, "*/")) {
			/* the comment's end stays, whatever else is on its line */
		} else if (!strncmp(l, " * @", 4) && !strncmp(l + 4, fpar, strlen(fpar)) &&
			   l[4 + strlen(fpar)] == ':') {
			drop = 1;
		} else if (!strncmp(l, " * @", 4) && !strncmp(l + 4, vpar, strlen(vpar)) &&
			   l[4 + strlen(vpar)] == ':') {
			char *t = xasprintf(" * @desc:%s", l + 5 + strlen(vpar));

			free(l);
			l = t;
		} else if (lines.n && !strcmp(lines.v[lines.n - 1], "\x01") &&
			   (!strncmp(l, " *  ", 4) || !strncmp(l, " *\t", 3))) {
			drop = 1;	/* the dropped parameter's continuation */
		}
		if (drop) {
			if (!lines.n || strcmp(lines.v[lines.n - 1], "\x01"))
				strlist_add(&lines, "\x01");
		} else {
			if (lines.n && !strcmp(lines.v[lines.n - 1], "\x01"))
				lines.n--, free(lines.v[lines.n]);
			strlist_add(&lines, l);
		}
		free(l);
		line = nl && nl < end ? nl + 1 : end;
	}
	if (lines.n && !strcmp(lines.v[lines.n - 1], "\x01"))
		lines.n--, free(lines.v[lines.n]);
	out = xasprintf("%.*s", (int)(start - buf), buf);
	for (int i = 0; i < lines.n; i++) {
		char *t = xasprintf("%s%s\n", out, lines.v[i]);

		free(out);
		out = t;
	}
	{
		char *t = xasprintf("%.*s%s", (int)strlen(out) - 1, out, end);

		free(out);
		out = t;
	}
	if (strcmp(out, buf))
		write_file(path, out, strlen(out));
	free(out);
	free(name);
done:
	strlist_free(&lines);
	free(buf);
	free(np);
}

/*
 * The lines of a version-test group that the target's release and every
 * later one settle (the records' analysis.version_drop: its directives,
 * its #endif and its dead branches, docs/usage.md) are hidden from the
 * semantic patches: each becomes a comment naming its number, which no
 * rule matches, and is taken out after them.  So a use of the VMA under
 * "#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)" neither blocks the
 * conversion nor is rewritten, and the converted handler holds only the
 * branch compiled.
 */
/*
 * path rewritten line by line: each(out, line, n, ln, arg) gets each line
 * (n bytes, its newline too) and its number, and writes what stays.
 */
static void rewrite_lines(const char *path,
			  void (*each)(FILE *out, const char *line, size_t n, int ln, void *arg),
			  void *arg)
{
	size_t len, outlen = 0;
	char *buf = read_file(path, &len), *line, *next, *out = NULL;
	FILE *mf;
	int ln = 0;

	if (!buf)
		return;
	mf = open_memstream(&out, &outlen);
	for (line = buf; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			next++;
		each(mf, line, next - line, ++ln, arg);
	}
	fclose(mf);
	write_file(path, out, outlen);
	free(out);
	free(buf);
}

static void mask_line(FILE *out, const char *line, size_t n, int ln, void *arg)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", ln);
	if (strlist_has(arg, num))
		fprintf(out, "/* mmapport drop line %d */%s", ln, line[n - 1] == '\n' ? "\n" : "");
	else
		fwrite(line, 1, n, out);
}

static void mask_dead(const char *path, const struct strlist *lines)
{
	if (lines->n)
		rewrite_lines(path, mask_line, (void *)lines);
}

static void unmask_line(FILE *out, const char *line, size_t n, int ln, void *arg)
{
	const char *t = line;
	int k, end = 0;

	(void)ln;
	while (*t == ' ' || *t == '\t')
		t++;
	if (sscanf(t, "/* mmapport drop line %d */%n", &k, &end) == 1 && end &&
	    (t[end] == '\n' || !t[end]))
		(*(int *)arg)++;
	else
		fwrite(line, 1, n, out);
}

/* The hidden lines of path taken out; how many were found, each on its own line. */
static int unmask_dead(const char *path)
{
	int found = 0;

	rewrite_lines(path, unmask_line, &found);
	return found;
}

static void convert_file(const struct options *o, const char *work, const char *file,
			 struct file_job *j, const struct api_profile *p)
{
	char *path = xasprintf("%s/%s", work, file);
	/* the pass-1 rules' -D report lines */
	char *report = spatch_out_name(o, "remap", file, "report");
	char *sreport = spatch_out_name(o, "state", file, "report");
	struct strlist want_simple = { 0 }, want_remap = { 0 }, want_state = { 0 };
	size_t olen;
	char *orig = read_file(path, &olen);
	int i, round;

	for (i = 0; i < j->simple.n; i++)
		strlist_add(&want_simple, j->simple.v[i]);
	for (i = 0; i < j->remap.n; i++)
		strlist_add(&want_remap, j->remap.v[i]);
	for (i = 0; i < j->state.n; i++)
		strlist_add(&want_state, j->state.v[i]);
	for (round = 0; round < 3; round++) {
		struct strlist pass2 = { 0 }, kept = { 0 };
		struct strlist next_simple = { 0 }, next_remap = { 0 }, next_state = { 0 };
		int all = 1;

		run_v(work, NULL, "git", "checkout", "-q", "--", file, NULL);
		mask_dead(path, &j->dead_lines);
		strlist_free(&j->done);
		if (round == 0)
			verdict_free(&j->v);
		/* the state pass first: its plans carry the lines of the file as read */
		if (want_state.n) {
			run_pass1(o, work, file, "state", &want_state, j->plans, p, sreport,
				  &j->spatch_failed);
			if (round == 0)
				read_report(sreport, &j->v);
		}
		if (want_remap.n) {
			run_pass1(o, work, file, "remap", &want_remap, j->takes, p, report,
				  &j->spatch_failed);
			if (round == 0)
				read_report(report, &j->v);
		}
		for (i = 0; i < want_simple.n; i++) {
			strlist_add(&pass2, want_simple.v[i]);
			/* the analyzer followed its takes to their releases */
			if (strlist_has(&j->balanced, want_simple.v[i]))
				strlist_add(&kept, want_simple.v[i]);
		}
		for (i = 0; i < want_remap.n; i++)
			if (json_object_get(j->v.converted, want_remap.v[i]))
				strlist_add(&pass2, want_remap.v[i]);
		for (i = 0; i < want_state.n; i++)
			if (json_object_get(j->v.converted, want_state.v[i])) {
				strlist_add(&pass2, want_state.v[i]);
				strlist_add(&kept, want_state.v[i]);
			}
		if (pass2.n)
			run_simple(o, work, file, &pass2, &kept, j, p);
		/* a hidden line a rule moved or took with a statement: the file is not whole */
		if (j->dead_lines.n && unmask_dead(path) != j->dead_lines.n) {
			if (!j->spatch_failed)
				j->spatch_failed = xstrdup("a line of a version-test branch for older kernels is inside a statement the conversion rewrites: the branch cannot be taken out whole, so the file is left as it was");
			strlist_free(&j->done);
			strlist_free(&pass2);
			strlist_free(&kept);
			break;
		}
		all &= keep_converted(path, &want_simple, NULL, M_SIMPLE, p, j, &next_simple);
		all &= keep_converted(path, &want_remap, &pass2, M_REMAP, p, j, &next_remap);
		all &= keep_converted(path, &want_state, &pass2, M_STATE, p, j, &next_state);
		strlist_free(&pass2);
		strlist_free(&kept);
		strlist_free(&want_simple);
		strlist_free(&want_remap);
		strlist_free(&want_state);
		want_simple = next_simple;
		want_remap = next_remap;
		want_state = next_state;
		if (all)
			break;
	}
	if (!j->done.n)
		run_v(work, NULL, "git", "checkout", "-q", "--", file, NULL);
	for (i = 0; orig && i < j->done.n; i++) {
		json_t *pr = json_object_get(j->params, j->done.v[i]);

		realign(path, orig, j->done.v[i]);
		fix_kerneldoc(path, j->done.v[i], jstr(pr, "file"), jstr(pr, "vma"));
	}
	if (j->done.n)
		drop_brace_residue(path);
	free(orig);
	strlist_free(&want_simple);
	strlist_free(&want_remap);
	strlist_free(&want_state);
	free(path);
	free(report);
	free(sreport);
}

/* s, with t appended after "; ". */
static char *join_fact(char *s, const char *t)
{
	char *n = s ? xasprintf("%s; %s", s, t) : xstrdup(t);

	free(s);
	return n;
}

/*
 * Facts of the classifier that explain a refusal of pass 2, chosen by the
 * category classify gave them: those that made the VMA needed beyond the
 * descriptor; without any, every fact but those that decided the
 * handler's own category (its mapping call, its state).
 */
static char *vma_facts(json_t *r)
{
	json_t *x, *f;
	size_t i, k;
	char *s = NULL;

	json_array_foreach(json_object_get(r, "reasons"), i, x)
		if (!strcmp(js(x, "category"), "needs-vma") && jstr(x, "fact"))
			s = join_fact(s, jstr(x, "fact"));
	if (s)
		return s;
	json_array_foreach(json_object_get(r, "facts"), i, f) {
		const char *t = json_string_value(f);
		int own = 0;

		json_array_foreach(json_object_get(r, "reasons"), k, x)
			own |= !strcmp(js(x, "category"), js(r, "category")) &&
				!strcmp(js(x, "fact"), t ? t : "");
		if (t && !own)
			s = join_fact(s, t);
	}
	return s;
}

static const char *method_name(enum method m, const struct api_profile *p, json_t *plan,
			       json_t *r)
{
	int rfc = !strcmp(p->api, "rfc");

	if (m == M_SIMPLE && jstr(r, "twin"))
		return "twin";
	if (m == M_SIMPLE)
		return "simple";
	if (m == M_STATE && rfc && !strcmp(js(plan, "mode"), "complete"))
		return "state-complete";
	if (m == M_STATE)
		return rfc ? "state-abort" : "state-mapped";
	return rfc ? "remap-complete" : "remap-action";
}

/* Why a conversion that differs from its old handler is not made. */
static char *differs_reason(json_t *eq, const char *not_kind)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(eq, "differences"), i, x)
		if (json_is_true(json_object_get(x, "held")) &&
		    (!not_kind || strcmp(js(x, "kind"), not_kind)))
			return xasprintf("%s() in %s() line %lld takes %s still held when the handler succeeds, and it would stay in prepare: prepare also runs when the mapping %sfails after prepare, where the old ->mmap did not run, and nothing would release it (docs/equivalence.md)",
					 js(x, "what"), js(x, "in"),
					 line_of(x), !strcmp(js(x, "kind"), "lock") ? "a lock" :
					 !strcmp(js(x, "kind"), "ref") ? "a reference" :
					 "an allocation", !strcmp(js(eq, "merged"), "possible") ?
					 "merges into a neighbour or " : "");
	return not_kind ? NULL :
		xstrdup("the conversion differs from the old handler (docs/equivalence.md)");
}

/* Does the handler map with io_remap_pfn_range() (the arch-translated path)? */
static int io_remap_user(json_t *r)
{
	return json_is_true(json_object_get(r, "io_remap"));
}

/* What one arch/NAME/include says about io_remap_pfn_range. */
struct arch_grep {
	regex_t define;		/* a line defining io_remap_pfn_range */
	int defines, has_pfn;
};

static void arch_grep_file(const char *root, const char *rel, void *arg)
{
	struct arch_grep *ag = arg;
	char *buf = read_file_at(root, rel, NULL), *line, *save;

	if (!buf)
		return;
	if (strstr(buf, "io_remap_pfn_range_pfn"))
		ag->has_pfn = 1;
	for (line = strstr(buf, "io_remap_pfn_range") ? strtok_r(buf, "\n", &save) : NULL;
	     line && !ag->defines; line = strtok_r(NULL, "\n", &save))
		ag->defines = !regexec(&ag->define, line, 0, NULL, 0);
	free(buf);
}

static const char *const any_suffix[] = { "", NULL };

/*
 * The architectures that override io_remap_pfn_range() itself (their PFN
 * translation inside it) without io_remap_pfn_range_pfn(), which the
 * prepare-time forms need to translate the PFN first (docs/arch.md: the
 * seed split the translation out, arch by arch).  "" when there is none:
 * then every io_remap conversion is exact on every architecture.
 */
static char *io_remap_arch_gap(const char *work)
{
	struct strlist arches = { 0 };
	char *list = xstrdup(""), *dir, *why;
	struct dirent *e;
	DIR *d;
	int i;

	if (!work)
		return xstrdup("");
	dir = xasprintf("%s/arch", work);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			strlist_add(&arches, e->d_name);
	if (d)
		closedir(d);
	qsort(arches.v, arches.n, sizeof(*arches.v), cmp_str);
	for (i = 0; i < arches.n; i++) {
		struct arch_grep ag = { 0 };
		char *inc = xasprintf("arch/%s/include", arches.v[i]);
		char *full = xasprintf("%s/%s", work, inc);

		if (is_dir(full)) {
			if (regcomp(&ag.define, "define[[:space:]]+io_remap_pfn_range([[:space:]]|\\()",
				    REG_EXTENDED | REG_NOSUB))
				die("internal error: a bad regular expression");
			walk_tree(work, inc, any_suffix, NULL, arch_grep_file, &ag);
			regfree(&ag.define);
			if (ag.defines && !ag.has_pfn) {
				char *l = xasprintf("%s%s%s", list, *list ? " " : "", arches.v[i]);

				free(list);
				list = l;
			}
		}
		free(inc);
		free(full);
	}
	strlist_free(&arches);
	free(dir);
	if (!*list)
		return list;
	why = xasprintf("the tree's %s override io_remap_pfn_range() with their own PFN translation and have no io_remap_pfn_range_pfn(): a prepare-time io_remap would skip that translation there. The arch-side split (as the seed series did for sparc and mips) must land first",
			list);
	free(list);
	return why;
}

/* One convert stage's state: what each of its steps reads and leaves. */
/* The other files r's handler is named in (classify's analysis.named_in). */
static json_t *named_in(json_t *r)
{
	return json_object_get(json_object_get(r, "analysis"), "named_in");
}

/* Does r's conversion change other files than its definition's? */
static int spans_files(json_t *r)
{
	return !jstr(r, "twin") &&
	       (strcmp(record_def_file(r), jstr(r, "file")) || json_array_size(named_in(r)));
}

struct convert_run {
	const struct options *o;
	json_t *records;
	struct api_profile prof;
	struct strlist units;		/* each change: the name of its first file */
	json_t *unit_files;		/* unit -> the files it changes, sorted */
	json_t *unit_of;		/* file -> its unit */
	char *work, *base, *diffs, *io_gap;
	json_t *plans;			/* file -> handler -> state plan */
	json_t *core;			/* the core's rules (core.c) */
	json_t *exported;		/* this unit: handler -> true, its export renamed */
	int nconv, nref;
};

/* Why r is refused before any rewrite (NULL: it goes to the semantic patches). */
/*
 * The first test of r's handler that was settled for more than the
 * release (a configure step's macro, a kconfig symbol: it has a guard),
 * or NULL.
 */
static const char *settled_with_guard(json_t *r)
{
	json_t *an = json_object_get(r, "analysis"), *db;
	size_t i;

	if (!json_array_size(json_object_get(an, "version_drop")))
		return NULL;
	json_array_foreach(json_object_get(an, "dead_branches"), i, db)
		if (jstr(db, "guard"))
			return js(json_object_get(db, "group"), "directive");
	return NULL;
}

static char *refused_before(struct convert_run *cv, json_t *r)
{
	const char *cat = jstr(r, "category");
	enum method m = cat ? method_of(cat) : M_NONE;
	json_t *plan = NULL;
	char *why = NULL;

	/*
	 * A remap is rewritten from the analyzer's facts; code that the
	 * parsed configuration leaves out has Coccinelle's or lexical
	 * facts only, and the check would build the file without it.
	 */
	if (m == M_REMAP && json_is_true(json_object_get(r, "not_in_config")))
		why = xstrdup("the handler is not in the configuration the analyzer parsed (disabled by #if, or another architecture's code): its facts are not libclang's, and the check could not build it");
	/* what a stateful handler keeps, and whether this profile can keep it */
	if (m == M_STATE && jstr(r, "function")) {
		plan = state_plan(r, &cv->prof, &why);
		if (plan) {
			json_t *per = json_object_get(cv->plans, jstr(r, "file"));

			if (!per) {
				per = json_object();
				json_object_set_new(cv->plans, jstr(r, "file"), per);
			}
			json_object_set_new(per, jstr(r, "function"), plan);
		}
	}
	/* an effect left in prepare that the old handler kept: a leak */
	if (!why && cat && (!strcmp(cat, "simple") || !strcmp(cat, "pfn-remap")) &&
	    jstr(r, "function")) {
		json_t *hz = json_object_get(json_object_get(r, "analysis"), "hazards");
		int has_abort = !strcmp(cv->prof.api, "rfc") &&
			m == M_REMAP && json_object_get(hz, "locks_across_mapping");
		json_t *eq = equivalence(r, method_name(m, &cv->prof, plan, r), plan, has_abort,
					  cv->core);

		/*
		 * A lock held across a remap is docs/hazards.md, H6: the remap rule
		 * keeps it with mmap_abort (rfc) or refuses it, with that
		 * reason; the verdict after the conversion still sees it.
		 */
		if (!strcmp(js(eq, "verdict"), "differs"))
			why = differs_reason(eq, strcmp(cat, "simple") ? "lock" : NULL);
		json_decref(eq);
	}
	if (why || m == M_NONE)
		return why;
	/* a test settled for one build, with no guard to keep the others' code */
	if ((!cv->o->external || cv->o->no_compat) && settled_with_guard(r))
		return xasprintf("a test (%s) was settled for the build checked (a configure step's macro or a kconfig symbol), and without the compat guard nothing keeps the code another build takes: convert it without --no-compat, or by hand",
				 settled_with_guard(r));
	/* a version test that this release and every later one do not settle */
	if (jstr(json_object_get(r, "analysis"), "version_unsettled"))
		return xasprintf("a version test the conversion cannot settle for this release and every later one (%s): its branches would be kept for a prepare handler that cannot use them, or rewritten where they are not compiled; convert it by hand",
				 jstr(json_object_get(r, "analysis"), "version_unsettled"));
	/* under a version test this release fails: compiled by no kernel the tree is */
	if (json_is_object(json_object_get(r, "not_compiled")))
		return xasprintf("its registration is under \"%s\" (line %d), which is false on this tree's release: no kernel this tree builds compiles it, so there is nothing to convert for it",
				 js(json_object_get(r, "not_compiled"), "directive"),
				 jint(json_object_get(r, "not_compiled"), "line"));
	/* exported, and named nowhere else in the tree: its users are out of sight */
	if (jstr(r, "function") && json_is_true(json_object_get(r, "exported")) &&
	    !spans_files(r))
		return xasprintf("%s() is exported (EXPORT_SYMBOL) and no other file of the tree names it: a module outside the tree may call it by its name, which the conversion would take away",
				 jstr(r, "function"));
	/* a registration of it that only older kernels compile would be renamed too */
	if (jstr(r, "function") && spans_files(r)) {
		json_t *x;
		size_t i;

		json_array_foreach(cv->records, i, x)
			if (json_is_object(json_object_get(x, "not_compiled")) &&
			    !strcmp(js(x, "function"), jstr(r, "function")) && x != r)
				return xasprintf("%s registers %s() under \"%s\" (line %d), for older kernels only: renaming it there would break them, and leaving it would leave the old name",
						 js(x, "file"), jstr(r, "function"),
						 js(json_object_get(x, "not_compiled"), "directive"),
						 jint(json_object_get(x, "not_compiled"), "line"));
	}
	/* one change holds the definition and every file that names it */
	if (jstr(r, "function") && spans_files(r) && m != M_SIMPLE)
		return xasprintf("%s() is defined in %s and named in %s: its definition and those files would change together, which mmapport does only for a handler whose prepare needs no mapping action or kept state (simple)",
				 jstr(r, "function"), record_def_file(r),
				 strcmp(record_def_file(r), js(r, "file")) ? js(r, "file") :
				 json_string_value(json_array_get(named_in(r), 0)));
	/* scan records none, but records.json is a file anyone can edit */
	if (!safe_file_name(jstr(r, "file")))
		return refused_name_reason(jstr(r, "file"));
	if (m == M_REMAP && io_remap_user(r)) {
		/* which architectures lack the PFN translation: asked once a run */
		if (!cv->io_gap)
			cv->io_gap = io_remap_arch_gap(cv->o->external ? NULL : cv->work);
		if (cv->io_gap && *cv->io_gap)
			return xstrdup(cv->io_gap);
	}
	/* spatch writes in place: never through a symlink out of the work tree */
	{
		char *rw = abs_path(cv->work);
		char *in = tree_path(rw, "the work tree", jstr(r, "file"), &why);

		free(in);
		free(rw);
	}
	return why;
}

/* r refused with why; method, when given, is the one it would have had. */
static void set_refused(json_t *r, const char *api, const char *method, const char *why)
{
	json_t *c = json_object();

	json_object_set_new(c, "profile", json_string(api));
	if (method)
		json_object_set_new(c, "method", json_string(method));
	json_object_set_new(c, "status", json_string("refused"));
	json_object_set_new(c, "reason", json_string(why));
	json_object_set_new(r, "conversion", c);
}

/* The unit file f is in so far (a union-find over cv->unit_of). */
static const char *unit_root(struct convert_run *cv, const char *f)
{
	const char *p;

	while ((p = jstr(cv->unit_of, f)) && strcmp(p, f))
		f = p;
	return f;
}

/* a and b change together; the unit keeps the smaller name. */
static void unit_join(struct convert_run *cv, const char *a, const char *b)
{
	char *ra, *rb;

	if (!json_object_get(cv->unit_of, a))
		json_object_set_new(cv->unit_of, a, json_string(a));
	if (!json_object_get(cv->unit_of, b))
		json_object_set_new(cv->unit_of, b, json_string(b));
	ra = xstrdup(unit_root(cv, a));
	rb = xstrdup(unit_root(cv, b));
	if (strcmp(ra, rb) < 0)
		json_object_set_new(cv->unit_of, rb, json_string(ra));
	else if (strcmp(ra, rb) > 0)
		json_object_set_new(cv->unit_of, ra, json_string(rb));
	free(ra);
	free(rb);
}

/*
 * r goes to the semantic patches: the file its handler is rewritten in,
 * with every file that names the handler (a change of several files).
 */
static void plan_unit(struct convert_run *cv, json_t *r)
{
	json_t *f;
	size_t i;

	unit_join(cv, record_def_file(r), record_def_file(r));
	if (!spans_files(r))
		return;
	unit_join(cv, record_def_file(r), jstr(r, "file"));
	json_array_foreach(named_in(r), i, f)
		unit_join(cv, record_def_file(r), json_string_value(f));
}

/* The units, each named by its first file, and their files, sorted. */
static void units_of(struct convert_run *cv)
{
	struct strlist files = { 0 };
	const char *f;
	json_t *v;
	int k;

	json_object_foreach(cv->unit_of, f, v)
		strlist_add(&files, f);
	qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	for (k = 0; k < files.n; k++) {
		const char *u = unit_root(cv, files.v[k]);
		json_t *list = json_object_get(cv->unit_files, u);

		if (!list) {
			json_object_set_new(cv->unit_files, u, list = json_array());
			strlist_add(&cv->units, u);
		}
		json_array_append_new(list, json_string(files.v[k]));
	}
	for (k = 0; k < files.n; k++) {
		char *u = xstrdup(unit_root(cv, files.v[k]));

		json_object_set_new(cv->unit_of, files.v[k], json_string(u));
		free(u);
	}
	strlist_free(&files);
}

/* Every record: refused now with its reason, or its file queued for the rewrite. */
static void plan_files(struct convert_run *cv)
{
	json_t *r;
	size_t i;

	json_array_foreach(cv->records, i, r) {
		const char *cat = jstr(r, "category");
		char *why = refused_before(cv, r);

		/* what check and series said was about an earlier conversion */
		json_object_del(r, "conversion");
		json_object_del(r, "check");
		json_object_del(r, "series");
		if (why) {
			set_refused(r, cv->prof.api, NULL, why);
			free(why);
			cv->nref++;
			continue;
		}
		if (cat && method_of(cat) != M_NONE && jstr(r, "function"))
			plan_unit(cv, r);
	}
	units_of(cv);
	{
		/* what the state rule is given, for the logs */
		char *logdir = out_path(cv->o, "logs"), *pp = xasprintf("%s/state-plans.json", logdir);

		mkdir_p(logdir);
		json_dump_path(cv->plans, pp);
		free(logdir);
		free(pp);
	}
}

/* What the semantic patches get for file: its handlers by method. */
static void job_of(struct convert_run *cv, const char *file, struct file_job *j)
{
	json_t *r;
	size_t i;

	j->takes = json_object();
	j->params = json_object();
	json_array_foreach(cv->records, i, r) {
		const char *fn = jstr(r, "function");
		enum method m;

		if (strcmp(record_def_file(r), file) || !fn ||
		    json_object_get(r, "conversion"))	/* refused above */
			continue;
		m = method_of(jstr(r, "category"));
		json_object_set_new(j->params, fn, json_pack("{s:s?, s:s?}", "file",
							      jstr(r, "file_param"), "vma",
							      jstr(r, "vma_param")));
		if (spans_files(r))
			strlist_add_once(&j->elsewhere, fn);
		{
			json_t *db;
			size_t k;

			json_array_foreach(json_object_get(json_object_get(r, "analysis"),
							   "version_drop"), k, db)
			{
				char *t = xasprintf("%lld", json_integer_value(db));

				strlist_add_once(&j->dead_lines, t);
				free(t);
			}
		}
		{
			json_t *dc;
			size_t k;

			json_array_foreach(json_object_get(json_object_get(r, "analysis"),
							   "desc_calls"), k, dc)
				strlist_add_once(&j->desc_fns, js(dc, "call"));
		}
		if (m == M_SIMPLE && !strlist_has(&j->simple, fn)) {
			strlist_add(&j->simple, fn);
			if (jstr(r, "twin"))
				strlist_add(&j->twins, fn);
			if (!strcmp(js(r, "analyzer"), "libclang") &&
			    json_array_size(json_object_get(json_object_get(r, "analysis"),
							    "takes")))
				strlist_add(&j->balanced, fn);
		} else if (m == M_REMAP && !strlist_has(&j->remap, fn)) {
			strlist_add(&j->remap, fn);
			add_takes(j->takes, r);
		} else if (m == M_STATE && !strlist_has(&j->state, fn)) {
			strlist_add(&j->state, fn);
		}
	}
	qsort(j->simple.v, j->simple.n, sizeof(*j->simple.v), cmp_str);
	qsort(j->remap.v, j->remap.n, sizeof(*j->remap.v), cmp_str);
	qsort(j->state.v, j->state.n, sizeof(*j->state.v), cmp_str);
	j->plans = json_object_get(cv->plans, file);
}

static void job_free(struct file_job *j)
{
	verdict_free(&j->v);
	strlist_free(&j->simple);
	strlist_free(&j->remap);
	json_decref(j->takes);
	json_decref(j->params);
	strlist_free(&j->state);
	strlist_free(&j->done);
	strlist_free(&j->balanced);
	strlist_free(&j->desc_fns);
	strlist_free(&j->twins);
	strlist_free(&j->elsewhere);
	strlist_free(&j->dead_lines);
	free(j->spatch_failed);
}

/* c's key: the name of fn's new hook, fn_SUFFIX. */
static void set_hook_name(json_t *c, const char *key, const char *fn, const char *suffix)
{
	char *name = xasprintf("%s_%s", fn, suffix);

	json_object_set_new(c, key, json_string(name));
	free(name);
}

/* The conversion record of fn, converted by the semantic patches. */
static json_t *converted_record(struct convert_run *cv, json_t *r, const char *file,
				const struct file_job *j, const char *drel)
{
	const char *fn = jstr(r, "function");
	enum method m = method_of(jstr(r, "category"));
	json_t *plan = json_object_get(j->plans, fn), *c = json_object(), *eq, *files, *f;
	json_t *notes = json_object_get(j->v.converted, fn);
	int hooks = job_hooks(m, &cv->prof, j, fn);
	char *dpath = out_path(cv->o, drel);
	size_t i;

	json_object_set_new(c, "profile", json_string(cv->prof.api));
	/* what check builds against: "none", a tree without the API (--api forced it) */
	json_object_set_new(c, "tree_api", json_string(cv->prof.native ? cv->prof.native :
							"none"));
	json_object_set_new(c, "method", json_string(method_name(m, &cv->prof, plan, r)));
	json_object_set_new(c, "status", json_string("converted"));
	set_hook_name(c, "new_function", fn, "prepare");
	if (hooks & H_COMPLETE)
		set_hook_name(c, "complete_function", fn, "complete");
	if (hooks & H_ABORT)
		set_hook_name(c, "abort_function", fn, "abort");
	if (hooks & H_MAPPED)
		set_hook_name(c, "mapped_function", fn, "mapped");
	json_object_set_new(c, "diff", json_string(drel));
	/*
	 * The files of its change and their old lines it rewrote (check
	 * builds every branch they are in); a file that names the handler
	 * and was not rewritten is one too, with no lines: it must still
	 * build, and not name the old handler.
	 */
	files = diff_touched_files(dpath);
	json_array_foreach(json_object_get(cv->unit_files, jstr(cv->unit_of, file)), i, f)
		if (!json_object_get(files, json_string_value(f)))
			json_object_set_new(files, json_string_value(f), json_array());
	json_object_set_new(c, "files", files);
	/* the export renamed with it: other modules' users must follow */
	if (json_object_get(cv->exported, fn))
		json_object_set_new(c, "export_renamed", json_true());
	json_object_set_new(c, "behaviour_changes", notes ? json_incref(notes) : json_array());
	if (json_object_get(j->v.kept_errors, fn))
		json_object_set(c, "kept_errors", json_object_get(j->v.kept_errors, fn));
	eq = equivalence(r, method_name(m, &cv->prof, plan, r), plan,
			 json_object_get(c, "abort_function") != NULL, cv->core);
	/* what the semantic patch stated is a difference too */
	if (json_array_size(notes) && !strcmp(js(eq, "verdict"), "exact"))
		json_object_set_new(eq, "verdict", json_string("stated"));
	json_object_set_new(c, "equivalence", eq);
	free(dpath);
	return c;
}

/* Why the semantic patches left fn as it was. */
static char *refused_after(const struct file_job *j, json_t *r)
{
	const char *fn = jstr(r, "function");
	enum method m = method_of(jstr(r, "category"));
	const char *why = json_string_value(json_object_get(j->v.refused, fn));
	char *facts = vma_facts(r), *reason;
	const char *sep = facts ? ": " : "", *f = facts ? facts : "";

	if (j->spatch_failed)
		reason = xstrdup(j->spatch_failed);
	else if (why)
		reason = xstrdup(why);
	else if (m == M_REMAP && json_object_get(j->v.converted, fn))
		reason = xasprintf("the mapping call converts, but the rest of the handler uses the VMA beyond the descriptor (mmap_prepare_simple.cocci refused it)%s%s",
				   sep, f);
	else if (m == M_STATE && json_object_get(j->v.converted, fn))
		reason = xasprintf("the state is kept, but the rest of the handler uses the VMA beyond the descriptor (mmap_prepare_simple.cocci refused it)%s%s",
				   sep, f);
	else if (m == M_STATE || m == M_REMAP)
		reason = xasprintf("%s found no handler to convert: the function or its registration did not parse, or is not a file_operations .mmap initialiser; see logs/",
				   m == M_STATE ?
				   "mmap_prepare_state.cocci" : "mmap_prepare_remap.cocci");
	else
		reason = xasprintf("the semantic patch did not convert it (a use of the VMA or a registration shape it does not handle)%s%s; see logs/",
				   sep, f);
	free(facts);
	return reason;
}

/* DIR/diffs/UNIT.patch: the work tree's change of unit's files, as check and series take it. */
static void write_diff(struct convert_run *cv, const char *unit)
{
	char *drel = diff_rel_path(unit), *dpath = out_path(cv->o, drel);
	struct strlist cmd = { 0 };
	struct run_opts ro = { .dir = cv->work, .out = dpath };
	json_t *f;
	size_t i;

	strlist_add(&cmd, "git");
	strlist_add(&cmd, "-c");
	strlist_add(&cmd, "diff.suppressBlankEmpty=false");
	strlist_add(&cmd, "diff");
	strlist_add(&cmd, "-U3");
	strlist_add(&cmd, "--no-ext-diff");
	strlist_add(&cmd, "--no-color");
	strlist_add(&cmd, "--src-prefix=a/");
	strlist_add(&cmd, "--dst-prefix=b/");
	strlist_add(&cmd, "--");
	json_array_foreach(json_object_get(cv->unit_files, unit), i, f)
		strlist_add(&cmd, json_string_value(f));
	run_list(&ro, &cmd);
	strlist_free(&cmd);
	free(dpath);
	free(drel);
}

/* The unit's files as they were. */
static void unit_reset(struct convert_run *cv, const char *unit, const char *rev)
{
	struct strlist cmd = { 0 };
	struct run_opts ro = { .dir = cv->work };
	json_t *f;
	size_t i;

	strlist_add(&cmd, "git");
	strlist_add(&cmd, "checkout");
	strlist_add(&cmd, "-q");
	if (rev)
		strlist_add(&cmd, rev);
	strlist_add(&cmd, "--");
	json_array_foreach(json_object_get(cv->unit_files, unit), i, f)
		strlist_add(&cmd, json_string_value(f));
	run_list(&ro, &cmd);
	strlist_free(&cmd);
}

/*
 * A handler converted where it is defined and named in other files too:
 * mmap_prepare_rename.cocci renames its prototypes, registrations and
 * export in every file of the unit.  A use the rule does not rename (a
 * call, a pointer kept) still names the old handler: the equivalence
 * verdict finds it (the old name, equiv.c) and the unit is left as it was.
 * The rule's report names each export it renamed, into cv->exported.
 */
static void rename_elsewhere(struct convert_run *cv, const char *unit,
			     const struct strlist *renamed, char **failed)
{
	struct strlist defines = { 0 };
	json_t *f;
	size_t i;

	define_names(&defines, "renamed", renamed);
	json_array_foreach(json_object_get(cv->unit_files, unit), i, f) {
		const char *file = json_string_value(f);
		char *path = xasprintf("%s/%s", cv->work, file);
		char *report = spatch_out_name(cv->o, "rename", file, "report");
		char *orig = read_file(path, NULL);
		int k;

		run_spatch(cv->o, cv->work, file, "rename", &defines, report, failed);
		read_exports(report, cv->exported);
		/* each new designator at the column of the old one's "=" */
		for (k = 0; orig && k < renamed->n; k++)
			realign(path, orig, renamed->v[k]);
		free(orig);
		free(report);
		free(path);
	}
	strlist_free(&defines);
}

/* The records of unit's rewrite file, into their verdicts; why: all refused with it. */
static void unit_records(struct convert_run *cv, const char *file, struct file_job *j,
			 const char *drel, const char *why)
{
	json_t *r;
	size_t i;

	json_array_foreach(cv->records, i, r) {
		const char *fn = jstr(r, "function");
		char *reason;

		if (strcmp(record_def_file(r), file) || !fn ||
		    json_object_get(r, "conversion") ||	/* refused above */
		    method_of(jstr(r, "category")) == M_NONE)
			continue;
		if (!why && strlist_has(&j->done, fn)) {
			json_object_set_new(r, "conversion", converted_record(cv, r, file, j, drel));
			cv->nconv++;
			continue;
		}
		reason = why ? xstrdup(why) : refused_after(j, r);
		set_refused(r, cv->prof.api, method_name(method_of(jstr(r, "category")),
			    &cv->prof, json_object_get(j->plans, fn), r), reason);
		free(reason);
		cv->nref++;
	}
}

/*
 * One unit through the semantic patches: each file that defines a
 * handler of it, then the other files that name one; its diff; a
 * conversion record per handler.
 */
static void convert_unit(struct convert_run *cv, const char *unit)
{
	json_t *files = json_object_get(cv->unit_files, unit), *f;
	struct file_job *jobs = calloc(json_array_size(files) + 1, sizeof(*jobs));
	struct strlist renamed = { 0 };
	char *drel = diff_rel_path(unit), *failed = NULL;
	size_t i;
	int k, done = 0;

	json_array_foreach(files, i, f) {
		job_of(cv, json_string_value(f), &jobs[i]);
		if (!jobs[i].simple.n && !jobs[i].remap.n && !jobs[i].state.n)
			continue;
		convert_file(cv->o, cv->work, json_string_value(f), &jobs[i], &cv->prof);
		done += jobs[i].done.n;
		for (k = 0; k < jobs[i].elsewhere.n; k++)
			if (strlist_has(&jobs[i].done, jobs[i].elsewhere.v[k]))
				strlist_add(&renamed, jobs[i].elsewhere.v[k]);
	}
	cv->exported = json_object();
	if (renamed.n)
		rename_elsewhere(cv, unit, &renamed, &failed);
	/* a rename spatch could not make: the unit as it was, its handlers refused */
	if (failed)
		unit_reset(cv, unit, NULL);
	else if (done)
		write_diff(cv, unit);
	json_array_foreach(files, i, f) {
		unit_records(cv, json_string_value(f), &jobs[i], drel, failed);
		job_free(&jobs[i]);
	}
	free(jobs);
	free(failed);
	json_decref(cv->exported);
	cv->exported = NULL;
	strlist_free(&renamed);
	free(drel);
}

/* The code itself, old against new: a file with a conversion that differs is left as it was. */
static void drop_differing(struct convert_run *cv)
{
	json_t *r, *x;
	size_t i, k;

	json_array_foreach(cv->records, i, r) {
		json_t *c = json_object_get(r, "conversion");
		char *drel, *dp;

		if (strcmp(js(json_object_get(c, "equivalence"), "verdict"), "differs"))
			continue;
		unit_reset(cv, jstr(cv->unit_of, record_def_file(r)), NULL);
		/* the unit is back as it was: none of its handlers is converted */
		json_array_foreach(cv->records, k, x) {
			json_t *xc = json_object_get(x, "conversion");
			char *why;

			if (strcmp(js(xc, "status"), "converted") ||
			    strcmp(jstr(xc, "diff"), jstr(c, "diff")))
				continue;
			why = x == r ? code_differs_reason(r) : xasprintf(
				"%s() in the same file differs from its old handler, and the file is left as it was",
				jstr(r, "function"));
			json_object_set_new(xc, "status", json_string("refused"));
			json_object_set_new(xc, "reason", json_string(why));
			free(why);
			cv->nconv--;
			cv->nref++;
		}
		drel = diff_rel_path(jstr(cv->unit_of, record_def_file(r)));
		dp = out_path(cv->o, drel);
		unlink(dp);
		free(dp);
		free(drel);
	}
}

/*
 * An --external driver's converted files keep their old code for the
 * kernels without the API (compat.c): every changed region under the
 * guard, the old one in its #else.  The records say so (conversion.compat).
 */
/* compat_wrap() of one file of the work tree: its regions, 0, or -1/-2 as compat_wrap(). */
static int keep_old_file(struct convert_run *cv, const char *file, const char *guard)
{
	char *spec = xasprintf("%s:%s", cv->base, file), *old, *diff, *path, *t;
	size_t len;
	int n = 0;

	/* the old text exactly, its last newlines too: git show into a file */
	t = out_path(cv->o, "logs/compat-old.c");
	old = run_v(cv->work, t, "git", "show", spec, NULL) ? NULL : read_file(t, &len);
	unlink(t);
	free(t);
	diff = capture_v(cv->work, "git", "diff", "-U0", "--no-ext-diff", "--no-color",
			 cv->base, "--", file, NULL);
	path = xasprintf("%s/%s", cv->work, file);
	if (!old)
		n = -1;
	else if (diff && *diff)
		n = compat_wrap(path, old, diff, guard);
	free(spec);
	free(old);
	free(diff);
	free(path);
	return n;
}

/*
 * The guard of the change whose diff is drel: guard, and the condition
 * under which the compiler takes the code each settled test of its
 * handlers kept (analysis.dead_branches guard: a configure step's macro,
 * a kconfig symbol).  A kernel, configuration or configure run that
 * answers otherwise compiles the old code.
 */
static char *unit_guard(json_t *records, const char *drel, const char *guard)
{
	struct strlist conds = { 0 };
	json_t *r, *db;
	char *g;
	size_t i, j;
	int k;

	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		if (strcmp(js(c, "status"), "converted") || strcmp(js(c, "diff"), drel) ||
		    !json_array_size(json_object_get(json_object_get(r, "analysis"),
						     "version_drop")))
			continue;
		json_array_foreach(json_object_get(json_object_get(r, "analysis"),
						   "dead_branches"), j, db)
			if (jstr(db, "guard"))
				strlist_add_once(&conds, jstr(db, "guard"));
	}
	g = xstrdup(guard);
	for (k = 0; k < conds.n; k++) {
		char *t = xasprintf("%s && %s", g, conds.v[k]);

		free(g);
		g = t;
	}
	strlist_free(&conds);
	return g;
}

static void keep_old_kernels(struct convert_run *cv)
{
	char *guard = compat_guard(cv->o->tree, cv->o->compat_macro);
	int u;

	if (!guard) {
		warnx("convert: %s/Makefile gives no VERSION and PATCHLEVEL: the conversions are not kept under a version test (give --compat-macro, or --no-compat)",
		      cv->o->tree);
		return;
	}
	for (u = 0; u < cv->units.n; u++) {
		const char *unit = cv->units.v[u];
		char *drel = diff_rel_path(unit), *dp = out_path(cv->o, drel), *ug = NULL;
		json_t *r, *f;
		size_t i;
		int n = 0, k;

		if (!path_exists(dp))
			goto next;
		ug = unit_guard(cv->records, drel, guard);
		json_array_foreach(json_object_get(cv->unit_files, unit), i, f) {
			k = keep_old_file(cv, json_string_value(f), ug);
			n = k == -2 || n == -2 ? -2 : k < 0 || n < 0 ? -1 : n + k;
		}
		if (n > 0)
			write_diff(cv, unit);
		if (n == -2) {
			/* no version test can keep it: the unit as it was, its handlers refused */
			unit_reset(cv, unit, cv->base);
			unlink(dp);
		}
		json_array_foreach(cv->records, i, r) {
			json_t *c = json_object_get(r, "conversion");

			if (strcmp(js(c, "status"), "converted") || strcmp(js(c, "diff"), drel))
				continue;
			if (n > 0) {
				json_object_set_new(c, "compat", json_pack("{s:s,s:i}", "guard",
						    ug, "regions", n));
			} else if (n == -2) {
				json_object_set_new(c, "status", json_string("refused"));
				json_object_set_new(c, "reason", json_string(
					"the conversion changes a preprocessor conditional or a multi-line macro of the file, which a version test cannot wrap for older kernels: convert it by hand, or give --no-compat for the plain form"));
				cv->nconv--;
				cv->nref++;
			}
		}
next:
		free(ug);
		free(dp);
		free(drel);
	}
	free(guard);
}

int convert_records(const struct options *o, json_t *records)
{
	struct convert_run cv = { .o = o, .records = records };
	int f, failed;

	if (detect_api_profile(o->tree, o->api, &cv.prof))
		die("%s has neither mmap_prepare API (no struct mmap_action in include/linux/mm_types.h, no mmap_complete in include/linux/fs.h): give --api mainline or --api rfc to convert anyway",
		    o->tree);
	warn_missing_api(o, &cv.prof);
	cv.core = load_core_rules(o);
	info("convert: profile %s, flags as %s", cv.prof.api,
	     cv.prof.flag_bits ? "vma_desc_set_flags(desc, VMA_*_BIT)" : "desc->vm_flags");
	cv.work = work_tree(o, 1);
	cv.base = work_base(cv.work);
	/* Start from the base again: the same input gives the same output. */
	work_reset(cv.work, cv.base, NULL);
	cv.diffs = out_path(o, "diffs");
	remove_tree(cv.diffs);
	mkdir_p(cv.diffs);
	cv.plans = json_object();
	cv.unit_files = json_object();
	cv.unit_of = json_object();
	plan_files(&cv);
	for (f = 0; f < cv.units.n; f++)
		convert_unit(&cv, cv.units.v[f]);
	if (cv.nconv && equivalence_files(o, records, cv.work))
		drop_differing(&cv);
	if (cv.nconv && o->external && !o->no_compat)
		keep_old_kernels(&cv);
	info("convert: %d registrations converted, %d refused, in %d files",
	     cv.nconv, cv.nref, cv.units.n);
	failed = nspatch_failed > 0;
	if (failed)
		warnx("convert: spatch failed on %d files (above): their handlers are refused with that reason, and convert exits 1",
		      nspatch_failed);
	strlist_free(&cv.units);
	json_decref(cv.unit_files);
	json_decref(cv.unit_of);
	json_decref(cv.plans);
	json_decref(cv.core);
	free(cv.work);
	free(cv.base);
	free(cv.diffs);
	free(cv.io_gap);
	return failed;
}
