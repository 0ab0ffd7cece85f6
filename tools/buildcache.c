// SPDX-License-Identifier: GPL-2.0
/*
 * buildcache.c - prepared build directories shared between runs.
 *
 * Configuring and preparing a profile's build directory (make CONFIG,
 * make prepare) costs one to three minutes, and every run of every driver
 * or test did it again for the same kernel.  Once prepared, the directory
 * is kept in CACHE/builds/KEY (CACHE is $MMAPPORT_CACHE, else
 * $XDG_CACHE_HOME/mmapport, else ~/.cache/mmapport), before any object is
 * built in it, and a later run restores it instead of preparing.
 *
 * KEY is the git hash of: the profile's key (profile, fragments, compiler,
 * as arch_configure() keys a build directory) and the blob of every file
 * of the tree that kbuild reads to configure and prepare: every Kconfig*,
 * the top Makefile and Kbuild, and everything under scripts/, include/,
 * tools/ and arch/SRCARCH/.  A driver's own files are not in it, so trees
 * that differ only in drivers (another driver's conversion, a test's
 * fixture) share it.  The entry also lists each file of the tree that the
 * prepare's own .cmd files name (fixdep's dependencies, the sources and
 * scripts on its command lines) with its blob: the entry is restored only
 * when they are the same in the tree at hand.  Only a tree read at a
 * commit is cached (the work tree at its base, or an --external driver's
 * kernel tree at its HEAD when it is the top of a git repository), and
 * only while none of those files differs from the commit.
 *
 * Restoring copies the entry, writes the work tree's path where the
 * entry's .cmd files name the tree it was prepared from, gives every file
 * one timestamp (newer than the work tree's sources, which are unchanged)
 * and lets kbuild's own "make prepare" confirm it, which finds nothing to
 * do.  An flock per key makes a second run wait for the first one's
 * prepare instead of doing it again; a run holds one such lock at a time
 * (taking another releases it) and waits only while it holds none, so two
 * runs never wait for each other.  The newest MAX_ENTRIES entries are
 * kept.  MMAPPORT_BUILD_CACHE=0 turns it off (bench-arch does, to time the
 * check against a cold build).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmapport.h"

#define MAX_ENTRIES 64
#define CACHE_NOTE ".mmapport-cache"	/* in a build dir: the key it is to be stored as */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The lock this run holds: the key it is preparing. */
static int held_fd = -1;
static char *held_key;

static void release_held(void);

int build_cache_enabled(void)
{
	const char *e = getenv("MMAPPORT_BUILD_CACHE");

	return !e || (strcmp(e, "0") && strcmp(e, "off") && strcmp(e, "no"));
}

static char *cache_root(void)
{
	const char *c = getenv("MMAPPORT_CACHE"), *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");

	if (c && *c)
		return xasprintf("%s/builds", c);
	if (x && *x)
		return xasprintf("%s/mmapport/builds", x);
	return xasprintf("%s/.cache/mmapport/builds", h && *h ? h : "/tmp");
}

void build_cache_release(void)
{
	release_held();
}

static void release_held(void)
{
	if (held_fd >= 0)
		close(held_fd);	/* drops the flock */
	held_fd = -1;
	free(held_key);
	held_key = NULL;
}

/* Lock KEY: blocking while no other lock is held, else only if free. */
static int lock_key(const char *root, const char *key, int wait)
{
	char *path = xasprintf("%s/%s.lock", root, key);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Is REL a file kbuild reads to configure and prepare, whatever the .cmd files say? */
static int prepare_input(const char *rel, const char *srcarch)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	if (!strncmp(base, "Kconfig", 7) || !strcmp(rel, "Makefile") || !strcmp(rel, "Kbuild"))
		return 1;
	if (!strncmp(rel, "scripts/", 8) || !strncmp(rel, "include/", 8) ||
	    !strncmp(rel, "tools/", 6))
		return 1;
	return !strncmp(rel, "arch/", 5) && !other_arch_file(rel, srcarch);
}

/*
 * The commit the tree WORK is read at: BASE when it is one of WORK's
 * commits (the work tree), else the HEAD of WORK when WORK is the top of
 * a git repository (an --external driver's kernel tree, read as it is:
 * its uncommitted changes are looked at like the work tree's); NULL if
 * neither.
 */
static char *tree_commit(const char *work, const char *base)
{
	char *spec = xasprintf("%s^{commit}", base), *c, *top, *rw;
	int ok;

	c = capture_v(work, "git", "rev-parse", "-q", "--verify", spec, NULL);
	free(spec);
	if (c)
		return c;
	top = capture_v(work, "git", "rev-parse", "--show-toplevel", NULL);
	rw = realpath(work, NULL);
	ok = top && rw && !strcmp(top, rw);
	free(top);
	free(rw);
	return ok ? capture_v(work, "git", "rev-parse", "-q", "--verify", "HEAD^{commit}", NULL) :
		    NULL;
}

/* The tree at commit BASE: path -> blob, from one git ls-tree. */
static json_t *tree_blobs(const char *work, const char *base)
{
	char *out, *line, *save = NULL;
	json_t *blobs;

	out = capture_v(work, "git", "ls-tree", "-r", "--full-tree", base, NULL);
	if (!out)
		return NULL;
	blobs = json_object();
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* MODE SP TYPE SP BLOB TAB PATH */
		char *tab = strchr(line, '\t'), *sp = strrchr(line, ' ');

		if (!tab || !sp || sp > tab || strncmp(line + 7, "blob", 4))
			continue;
		*tab = '\0';
		json_object_set_new(blobs, tab + 1, json_string(sp + 1));
	}
	free(out);
	return blobs;
}

/* Paths the work tree changed against BASE (tracked files only). */
static void changed_paths(const char *work, const char *base, struct strlist *changed)
{
	/* no index refresh: WORK may be the user's repository */
	char *out = capture_v(work, "git", "--no-optional-locks", "diff", "--no-renames",
			      "--name-only", base, "--", NULL);
	char *line, *save = NULL;

	if (!out) {
		strlist_add(changed, "*");	/* unknown: nothing is cached */
		return;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		strlist_add(changed, line);
	free(out);
}

/* The key text: the profile's key, then "BLOB PATH" for every prepare input. */
static char *key_of(const char *pkey, json_t *blobs, const char *srcarch, const char *tmpdir)
{
	const char **paths;
	const char *k;
	json_t *v;
	size_t n = 0, i;
	char *file, *sha;
	FILE *f;

	paths = xmalloc((json_object_size(blobs) + 1) * sizeof(*paths));
	json_object_foreach(blobs, k, v)
		if (prepare_input(k, srcarch))
			paths[n++] = k;
	qsort(paths, n, sizeof(*paths), cmp_strp);
	file = xasprintf("%s/key.%d", tmpdir, (int)getpid());
	f = fopen(file, "w");
	if (!f) {
		free(paths);
		free(file);
		return NULL;
	}
	fprintf(f, "buildcache 1\n%s\n", pkey);
	for (i = 0; i < n; i++)
		fprintf(f, "%s %s\n", json_string_value(json_object_get(blobs, paths[i])), paths[i]);
	fclose(f);
	free(paths);
	sha = capture_v(NULL, "git", "hash-object", "--", file, NULL);
	unlink(file);
	free(file);
	return sha;
}

/* Does any changed path matter: a prepare input, or one of the entry's inputs? */
static int changes_matter(const struct strlist *changed, const char *srcarch, const char *inputs)
{
	int i;

	for (i = 0; i < changed->n; i++) {
		char *needle;
		int hit;

		if (!strcmp(changed->v[i], "*") || prepare_input(changed->v[i], srcarch))
			return 1;
		if (!inputs)
			continue;
		needle = xasprintf(" %s\n", changed->v[i]);
		hit = strstr(inputs, needle) != NULL;
		free(needle);
		if (hit)
			return 1;
	}
	return 0;
}

/* Every "BLOB PATH" line of INPUTS is the tree's. */
static int inputs_match(const char *inputs, json_t *blobs)
{
	char *copy = xstrdup(inputs), *line, *save = NULL;
	int ok = 1;

	for (line = strtok_r(copy, "\n", &save); line && ok; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		const char *b;

		if (!sp)
			continue;
		*sp = '\0';
		b = jstr(blobs, sp + 1);
		ok = b && !strcmp(b, line);
	}
	free(copy);
	return ok;
}

/*
 * The rewrite of one restored file: the entry's paths (the source tree it
 * was prepared from, and its build directory) become this run's in every
 * text file (kbuild's .cmd files, the generated Makefile, auto.conf.cmd,
 * objtool's dependency files), and every file gets the one timestamp.
 */
static const char *rw_from[2], *rw_to[2];	/* the longer first */
static struct timespec rw_stamp[2];
static int rw_errors;

static int rw_match(const char *buf, size_t len, size_t i)
{
	int k;

	for (k = 0; k < ARRAY_SIZE(rw_from); k++) {
		size_t n = strlen(rw_from[k]);
		char next = i + n < len ? buf[i + n] : '\0';

		/* the whole path: /a/w, not the start of /a/w2 */
		if (i + n <= len && !memcmp(buf + i, rw_from[k], n) &&
		    !(isalnum((unsigned char)next) || strchr("_.-+,@~", next)))
			return k;
	}
	return -1;
}

static void rewrite_text(const char *path, const struct stat *st)
{
	size_t len, i, o, grow = 0;
	char *buf = read_file(path, &len), *out;
	int k;

	if (!buf)
		return;
	if (memchr(buf, '\0', len) || (!memmem(buf, len, rw_from[0], strlen(rw_from[0])) &&
					!memmem(buf, len, rw_from[1], strlen(rw_from[1])))) {
		free(buf);
		return;
	}
	for (k = 0; k < ARRAY_SIZE(rw_from); k++)
		if (strlen(rw_to[k]) > strlen(rw_from[k]))
			grow += strlen(rw_to[k]) - strlen(rw_from[k]);
	out = xmalloc(len * (grow + 1) + 1);
	for (i = 0, o = 0; i < len; ) {
		k = rw_match(buf, len, i);
		if (k >= 0) {
			memcpy(out + o, rw_to[k], strlen(rw_to[k]));
			o += strlen(rw_to[k]);
			i += strlen(rw_from[k]);
		} else {
			out[o++] = buf[i++];
		}
	}
	if (write_file(path, out, o))
		rw_errors++;
	chmod(path, st->st_mode & 07777);
	free(out);
	free(buf);
}

static int restore_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F && S_ISREG(st->st_mode))
		rewrite_text(path, st);
	if (utimensat(AT_FDCWD, path, rw_stamp, AT_SYMLINK_NOFOLLOW))
		rw_errors++;
	return 0;
}

static int restore(const char *entry, const char *work, const char *bdir)
{
	char *src = xasprintf("%s/src", entry), *from = xasprintf("%s/tree/.", entry);
	char *rwork = realpath(work, NULL), *rbdir = realpath(bdir, NULL), *old;
	size_t len;
	int bad;

	old = read_file(src, &len);	/* "WORK\nBDIR" */
	bad = !old || !strchr(old, '\n') || !rwork || !rbdir ||
	      run_v(NULL, NULL, "cp", "-a", "--", from, bdir, NULL);
	if (!bad) {
		char *ob = strchr(old, '\n');
		int longer;

		*ob++ = '\0';
		longer = strlen(ob) > strlen(old);
		rw_from[0] = longer ? ob : old;
		rw_to[0] = longer ? rbdir : rwork;
		rw_from[1] = longer ? old : ob;
		rw_to[1] = longer ? rwork : rbdir;
		/* the same timestamp on every file: none is older than what it was made from */
		clock_gettime(CLOCK_REALTIME, &rw_stamp[0]);
		rw_stamp[1] = rw_stamp[0];
		rw_errors = 0;
		bad = nftw(bdir, restore_one, 32, FTW_PHYS | FTW_DEPTH) || rw_errors;
		utimensat(AT_FDCWD, src, NULL, 0);	/* most recently used */
	}
	free(src);
	free(from);
	free(old);
	free(rwork);
	free(rbdir);
	return bad ? -1 : 0;
}

int build_cache_restore(const char *pkey, const char *srcarch, const char *work,
			const char *base, const char *bdir)
{
	char *root, *key, *entry, *inputs_path, *inputs, *commit;
	struct strlist changed = { 0 };
	json_t *blobs;
	size_t len;
	int fd, done = 0;

	if (!build_cache_enabled())
		return 0;
	commit = tree_commit(work, base);
	blobs = commit ? tree_blobs(work, commit) : NULL;
	if (!blobs) {
		free(commit);
		return 0;	/* a tree that is no git repository: not cached */
	}
	base = commit;
	root = cache_root();
	mkdir_p(root);
	key = key_of(pkey, blobs, srcarch, root);
	changed_paths(work, base, &changed);
	if (!key || changes_matter(&changed, srcarch, NULL))
		goto out;
	/* one lock at a time: the one held is for a profile this run has moved past */
	release_held();
	fd = lock_key(root, key, 1);
	if (fd < 0)
		goto out;
	entry = xasprintf("%s/%s", root, key);
	inputs_path = xasprintf("%s/inputs", entry);
	inputs = read_file(inputs_path, &len);
	if (inputs && inputs_match(inputs, blobs) && !changes_matter(&changed, srcarch, inputs)) {
		if (!restore(entry, work, bdir)) {
			char *stamp = xasprintf("%s/.mmapport-prepared", bdir);

			/* kbuild's make prepare confirms it (and finds nothing to do) */
			unlink(stamp);
			free(stamp);
			done = 1;
			info("restored %s from the build cache (%s)", bdir, entry);
		} else {
			warnx("cannot restore %s from %s: preparing it", bdir, entry);
			run_v(NULL, NULL, "rm", "-rf", "--", bdir, NULL);
			mkdir_p(bdir);
		}
		close(fd);
	} else if (inputs) {
		/* prepared from other inputs than this tree's: prepare, keep the entry */
		close(fd);
	} else {
		/* to be prepared here: hold the key until arch_prepare() stores it */
		char *note = xasprintf("%s/%s", bdir, CACHE_NOTE);
		char *text = xasprintf("%s\n%s\n", key, base);

		write_file(note, text, strlen(text));
		free(text);
		free(note);
		held_fd = fd;
		held_key = xstrdup(key);
	}
	free(inputs);
	free(inputs_path);
	free(entry);
out:
	strlist_free(&changed);
	json_decref(blobs);
	free(key);
	free(root);
	free(commit);
	return done;
}

/* The tree's files the prepare's .cmd files name, as "BLOB PATH" lines. */
struct cmd_scan {
	const char *prefix;	/* the work tree's path and a slash */
	json_t *blobs, *seen;
	int unknown;		/* files named that git does not track */
};

/* "a/b/../c" -> "a/c" (n bytes of s), "./" parts dropped. */
static char *normal_path(const char *s, size_t n)
{
	char *in = strndup(s, n), *out = xmalloc(n + 1), *part, *save = NULL;
	size_t o = 0;

	out[0] = '\0';
	for (part = strtok_r(in, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			out[o] = '\0';
			continue;
		}
		o += sprintf(out + o, "%s%s", o ? "/" : "", part);
	}
	free(in);
	return out;
}

static int is_regular(const char *prefix, const char *rel)
{
	char *p = xasprintf("%s%s", prefix, rel);
	struct stat st;
	int r = !stat(p, &st) && S_ISREG(st.st_mode);

	free(p);
	return r;
}

static struct cmd_scan *scan_arg;

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t len, pl = strlen(scan_arg->prefix);
	const char *name = path + ftw->base;
	char *buf, *p;

	(void)st;
	if (type != FTW_F || !str_ends_with(name, ".cmd"))
		return 0;
	buf = read_file(path, &len);
	for (p = buf; p && (p = strstr(p, scan_arg->prefix)); ) {
		char *s = p + pl, *e = s;

		while (*e && (isalnum((unsigned char)*e) || strchr("_./+-,", *e)))
			e++;
		if (e > s) {
			char *rel = normal_path(s, e - s);

			if (json_object_get(scan_arg->blobs, rel))
				json_object_set_new(scan_arg->seen, rel, json_true());
			else if (is_regular(scan_arg->prefix, rel))
				scan_arg->unknown++;	/* a file of the tree git does not know */
			free(rel);
		}
		p = e;
	}
	free(buf);
	return 0;
}

static char *prepare_inputs(const char *work, const char *bdir, json_t *blobs, int *unknown)
{
	char *rwork = realpath(work, NULL), *text = xstrdup(""), *t;
	struct cmd_scan cs = { 0 };
	const char **paths;
	const char *k;
	json_t *v;
	size_t n = 0, i;

	if (!rwork)
		return text;
	cs.prefix = t = xasprintf("%s/", rwork);
	cs.blobs = blobs;
	cs.seen = json_object();
	scan_arg = &cs;
	nftw(bdir, scan_one, 32, FTW_PHYS);
	*unknown = cs.unknown;
	paths = xmalloc((json_object_size(cs.seen) + 1) * sizeof(*paths));
	json_object_foreach(cs.seen, k, v)
		paths[n++] = k;
	qsort(paths, n, sizeof(*paths), cmp_strp);
	for (i = 0; i < n; i++) {
		char *x = xasprintf("%s%s %s\n", text, jstr(blobs, paths[i]), paths[i]);

		free(text);
		text = x;
	}
	free(paths);
	json_decref(cs.seen);
	free(t);
	free(rwork);
	return text;
}

/* Keep the MAX_ENTRIES most recently used entries. */
static void evict(const char *root)
{
	struct { char *name; time_t used; } *e = NULL;
	struct dirent *d;
	DIR *dir = opendir(root);
	int n = 0, cap = 0, i, j;

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char *src;
		struct stat st;

		if (d->d_name[0] == '.' || strchr(d->d_name, '.'))
			continue;
		src = xasprintf("%s/%s/src", root, d->d_name);
		if (!stat(src, &st)) {
			if (n == cap)
				e = xrealloc(e, (cap = cap ? 2 * cap : 16) * sizeof(*e));
			e[n].name = xstrdup(d->d_name);
			e[n++].used = st.st_mtime;
		}
		free(src);
	}
	closedir(dir);
	for (i = 0; i < n; i++)	/* newest first */
		for (j = i + 1; j < n; j++)
			if (e[j].used > e[i].used) {
				typeof(*e) x = e[i];

				e[i] = e[j];
				e[j] = x;
			}
	for (i = MAX_ENTRIES; i < n; i++) {
		/* not while another run restores from it */
		int fd = lock_key(root, e[i].name, 0);

		if (fd >= 0) {
			char *p = xasprintf("%s/%s", root, e[i].name);

			run_v(NULL, NULL, "rm", "-rf", "--", p, NULL);
			free(p);
			close(fd);
		}
	}
	for (i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

void build_cache_store(const char *srcarch, const char *work, const char *bdir)
{
	char *note = xasprintf("%s/%s", bdir, CACHE_NOTE), *key, *root, *entry = NULL;
	char *tmp = NULL, *inputs = NULL, *rwork = NULL, *p, *base;
	struct strlist changed = { 0 };
	json_t *blobs = NULL;
	size_t len;
	int fd = -1, unknown = 0;

	key = read_file(note, &len);
	unlink(note);
	free(note);
	base = key ? strchr(key, '\n') : NULL;
	if (!base || !build_cache_enabled())
		goto out;
	*base++ = '\0';
	base[strcspn(base, "\n")] = '\0';
	root = cache_root();
	if (held_key && !strcmp(held_key, key)) {
		fd = held_fd;
		held_fd = -1;
		release_held();
	} else {
		release_held();
		fd = lock_key(root, key, 0);
	}
	entry = xasprintf("%s/%s", root, key);
	if (fd < 0 || path_exists(entry))
		goto out_root;
	blobs = tree_blobs(work, base);
	if (!blobs)
		goto out_root;
	inputs = prepare_inputs(work, bdir, blobs, &unknown);
	changed_paths(work, base, &changed);
	rwork = realpath(work, NULL);
	if (!rwork || unknown || changes_matter(&changed, srcarch, inputs))
		goto out_root;	/* prepared from files the commit does not have */
	tmp = xasprintf("%s/tmp.%d", root, (int)getpid());
	run_v(NULL, NULL, "rm", "-rf", "--", tmp, NULL);
	p = xasprintf("%s/tree", tmp);
	mkdir_p(tmp);
	if (!run_v(NULL, NULL, "cp", "-a", "--", bdir, p, NULL)) {
		char *f = xasprintf("%s/inputs", tmp), *s = xasprintf("%s/src", tmp);

		char *rbdir = realpath(bdir, NULL), *paths = xasprintf("%s\n%s", rwork,
								      rbdir ? rbdir : "");

		if (rbdir && !write_file(f, inputs, strlen(inputs)) &&
		    !write_file(s, paths, strlen(paths)) && !rename(tmp, entry))
			info("kept %s in the build cache (%s)", bdir, entry);
		free(paths);
		free(rbdir);
		free(f);
		free(s);
	}
	free(p);
	run_v(NULL, NULL, "rm", "-rf", "--", tmp, NULL);
	evict(root);
out_root:
	free(root);
out:
	if (fd >= 0)
		close(fd);
	strlist_free(&changed);
	json_decref(blobs);
	free(tmp);
	free(inputs);
	free(rwork);
	free(entry);
	free(key);
}
