// SPDX-License-Identifier: GPL-2.0
/*
 * worktree.c - the output directory and the work tree, both mmapport's own.
 *
 * DIR (--out) carries a marker, DIR/.mmapport-out, written when mmapport
 * creates DIR or finds it empty.  A non-empty directory without the marker
 * is refused, never cleaned; so is a DIR inside the tree it reads.  A run
 * holds an flock on the marker for its whole life: a second run on the
 * same DIR stops at once.
 *
 * DIR/work is a git clone of the tree (or of the --external directory)
 * when it is a git repository, with the working copy's uncommitted changes
 * committed on top of its HEAD; otherwise a copy made a git repository.
 * Nothing is written into the user's repository: no worktree entry, no
 * branch, no index refresh (git status runs with --no-optional-locks).
 * DIR/work.json ties the work tree to its source: the path, HEAD and a
 * hash of the uncommitted changes (for a tree that is not git, of every
 * file's path, size, mode and mtime).  convert makes the work tree again
 * when one of them differs, with a line saying so; check and series stop
 * instead, since the conversions were made from the old source.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmapport.h"
#include "inputs.h"

#define OUT_MARKER MMAPPORT_OUT_MARKER

static const char marker_text[] =
	"This directory is mmapport's output (--out). mmapport removes and\n"
	"rewrites what is in it; it takes no directory without this file.\n";

static int is_empty_dir(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	int empty = 1;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/*
 * git as mmapport runs it: never steered by the caller's environment
 * (GIT_DIR, GIT_INDEX_FILE and the like, which git sets for hooks: they
 * would point every git call at the user's repository) nor by the user's
 * system or global configuration (hooks, signing, diff prefixes and
 * colours would change or break the commits and diffs).  The identity of
 * the series' commits is the user's: git_user_config() reads it as git would.
 */
static char *saved_global, *saved_nosystem;

void git_isolate(void)
{
	static const char *const local_env[] = {
		"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
		"GIT_PREFIX", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
		"GIT_GRAFT_FILE", "GIT_IMPLICIT_WORK_TREE", "GIT_INTERNAL_SUPER_PREFIX",
		"GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_SHALLOW_FILE",
		"GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
		"GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_PAGER", "GIT_EDITOR", NULL,
	};
	size_t i;

	for (i = 0; local_env[i]; i++)
		unsetenv(local_env[i]);
	if (getenv("GIT_CONFIG_GLOBAL"))
		saved_global = xstrdup(getenv("GIT_CONFIG_GLOBAL"));
	if (getenv("GIT_CONFIG_NOSYSTEM"))
		saved_nosystem = xstrdup(getenv("GIT_CONFIG_NOSYSTEM"));
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	/*
	 * A kernel checkout is some 90,000 new files: one worker per core
	 * makes them two to three times faster than git's single one.
	 */
	setenv("GIT_CONFIG_COUNT", "1", 1);
	setenv("GIT_CONFIG_KEY_0", "checkout.workers", 1);
	setenv("GIT_CONFIG_VALUE_0", "0", 1);
}

/* One of the user's own git settings (user.name), as git would read it; NULL if unset. */
char *git_user_config(const char *key)
{
	char *v;

	if (saved_global)
		setenv("GIT_CONFIG_GLOBAL", saved_global, 1);
	else
		unsetenv("GIT_CONFIG_GLOBAL");
	if (saved_nosystem)
		setenv("GIT_CONFIG_NOSYSTEM", saved_nosystem, 1);
	else
		unsetenv("GIT_CONFIG_NOSYSTEM");
	v = capture_v(NULL, "git", "config", key, NULL);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	if (v && !*v) {
		free(v);
		v = NULL;
	}
	return v;
}

/*
 * Claim DIR for this run: refuse it inside the source, refuse a non-empty
 * directory that is not mmapport's, write the marker, take the lock.
 * Returns DIR's absolute path.  Idempotent within one process.
 */
char *out_claim(const char *out, const char *tree, const char *external, int out_given)
{
	static char *claimed;
	static int lock_fd = -1;
	char *abs = resolve_path(out), *marker;
	const char *srcs[2] = { tree, external };
	int i;

	if (claimed && !strcmp(claimed, abs)) {
		free(abs);
		return xstrdup(claimed);
	}
	need_safe_path("--out", abs);
	for (i = 0; i < 2; i++) {
		char *s;

		if (!srcs[i])
			continue;
		s = resolve_path(srcs[i]);
		if (path_below(s, abs))
			die("%s: the output directory%s is inside %s, which mmapport reads and never writes: give --out DIR outside it",
			    abs,
			    out_given ? "" : " (the default ./mmapport-out)", s);
		if (path_below(abs, s))
			die("%s: inside the output directory %s, whose contents mmapport deletes and rewrites: give a tree outside it",
			    s, abs);
		free(s);
	}
	marker = xasprintf("%s/%s", abs, OUT_MARKER);
	if (path_exists(abs) && !is_dir(abs))
		die("%s: exists and is not a directory: give --out a new or empty directory", abs);
	if (is_dir(abs) && !path_exists(marker) && !is_empty_dir(abs))
		die("%s: not empty, and not an mmapport output directory (no %s in it): mmapport deletes and rewrites what is in its output, so it takes only a new or empty directory, or one it made",
		    abs, OUT_MARKER);
	if (mkdir_p(abs))
		die("%s: cannot create: %s", abs, strerror(errno));
	/* created in place (no rename), so that two first runs lock the same file */
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = open(marker, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock_fd < 0)
		die("%s: cannot open: %s", marker, strerror(errno));
	if (flock(lock_fd, LOCK_EX | LOCK_NB))
		die("%s: another mmapport run is using this output directory; wait for it to end or give another --out",
		    abs);
	if (lseek(lock_fd, 0, SEEK_END) == 0 &&
	    write(lock_fd, marker_text, strlen(marker_text)) != (ssize_t)strlen(marker_text))
		die("%s: cannot write: %s", marker, strerror(errno));
	free(marker);
	free(claimed);
	claimed = abs;
	return xstrdup(abs);
}

/*
 * Run argv in dir, stdout and stderr into log.  On failure die with what,
 * what the log says (log_reason: git's own message) and the log's path.
 */
static void words_of(struct strlist *l, char *const argv[])
{
	while (*argv)
		strlist_add(l, *argv++);
}

static void must_run(const char *dir, const char *log, const char *what, char *const argv[])
{
	struct run_opts ro = { .dir = dir, .out = log, .err = log };
	struct strlist words = { 0 };
	int r;

	words_of(&words, argv);
	r = run_list(&ro, &words);
	strlist_free(&words);
	if (r)
		die("%s%s (%s)", what, log_reason(log), log);
}

/* The standard output of argv run in dir (its stderr into log), or NULL when it fails. */
static char *capture(const char *dir, const char *log, char *const argv[])
{
	struct run_opts ro = { .dir = dir, .err = log };
	struct strlist words = { 0 };
	char *text;
	int r;

	words_of(&words, argv);
	text = capture_list(&ro, &words, &r);
	strlist_free(&words);
	if (r) {
		free(text);
		return NULL;
	}
	return text;
}

/* FNV-1a, 64 bits: a fingerprint, not a defence against an adversary. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		h ^= *c++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static uint64_t fnv_file(uint64_t h, const char *path)
{
	struct stat st;
	size_t len;
	char *text, link[4096];
	ssize_t n;

	if (lstat(path, &st))
		return fnv(h, "-", 1);
	h = fnv(h, &st.st_mode, sizeof(st.st_mode));
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, link, sizeof(link));
		return fnv(h, link, n > 0 ? n : 0);
	}
	text = S_ISREG(st.st_mode) ? read_file(path, &len) : NULL;
	if (text)
		h = fnv(h, text, len);
	free(text);
	return h;
}

/* Every file of a tree that is not git: path, size, mode, mtime, summed. */
static uint64_t stat_sum;
static size_t stat_root;

static int stat_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	uint64_t h = fnv(FNV_INIT, path + stat_root, strlen(path + stat_root));

	h = fnv(h, &st->st_size, sizeof(st->st_size));
	h = fnv(h, &st->st_mode, sizeof(st->st_mode));
	h = fnv(h, &st->st_mtim, sizeof(st->st_mtim));
	stat_sum += h;
	return 0;
}

/*
 * What the work tree is made from: { source, git, head, changes }; for a
 * git source, the paths with uncommitted changes (status -z) into changed.
 */
static json_t *source_identity(const char *src, const char *logs, struct strlist *changed)
{
	json_t *id = json_object();
	char *gitdir = xasprintf("%s/.git", src), *log = xasprintf("%s/source.log", logs);
	char hex[17];

	json_object_set_new(id, "source", json_string(src));
	if (path_exists(gitdir)) {
		char *head_argv[] = { "git", "-C", (char *)src, "rev-parse", "--verify", "-q",
				      "HEAD^{commit}", NULL };
		char *st_argv[] = { "git", "--no-optional-locks", "-C", (char *)src, "status",
				    "--porcelain=v1", "-z", "--no-renames",
				    "--untracked-files=all", NULL };
		char *head = capture(NULL, log, head_argv), *st;
		struct run_opts ro = { 0 };
		struct strlist words = { 0 };
		uint64_t h = FNV_INIT;
		char *stp;
		size_t len, off;

		if (!head || !*head)
			die("%s: a git repository without a commit to start from (git rev-parse HEAD failed); commit the tree first",
			    src);
		head[strcspn(head, "\n")] = '\0';
		/* NUL-separated: read back from a file, with its length */
		stp = xasprintf("%s/source-status.z", logs);
		ro.out = stp;
		ro.err = log;
		words_of(&words, st_argv);
		if (run_list(&ro, &words))
			die("%s: git status failed (%s)", src, log);
		st = read_file(stp, &len);
		if (!st)
			die("%s: git status failed (%s)", src, log);
		strlist_free(&words);
		free(stp);
		/* entries "XY path\0"; with --no-renames never a second path */
		for (off = 0; off < len; off += strlen(st + off) + 1) {
			const char *e = st + off;
			char *full;

			if (strlen(e) < 4)
				continue;
			full = xasprintf("%s/%s", src, e + 3);
			h = fnv(h, e, strlen(e));
			h = fnv_file(h, full);
			strlist_add(changed, e + 3);
			free(full);
		}
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
		json_object_set_new(id, "git", json_true());
		json_object_set_new(id, "head", json_string(head));
		json_object_set_new(id, "changes", json_string(changed->n ? hex : ""));
		free(head);
		free(st);
	} else {
		stat_sum = 0;
		stat_root = strlen(src);
		if (nftw(src, stat_one, 64, FTW_PHYS))
			die("%s: cannot read the tree: %s", src, strerror(errno));
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)stat_sum);
		json_object_set_new(id, "git", json_false());
		json_object_set_new(id, "changes", json_string(hex));
	}
	free(gitdir);
	free(log);
	return id;
}

/* Why the work tree no longer matches its source, or NULL. */
static char *identity_differs(json_t *had, json_t *now)
{
	const char *a, *b;

	if (!json_is_object(had))
		return xstrdup("it has no record of its source (no work.json: a run killed while making it, or an older mmapport)");
	a = jstr(had, "source");
	b = jstr(now, "source");
	if (!a || strcmp(a, b))
		return xasprintf("it was made from %s, not %s", a ? a : "an unknown tree", b);
	a = jstr(had, "head");
	b = jstr(now, "head");
	if ((a || b) && (!a || !b || strcmp(a, b)))
		return xasprintf("the tree's HEAD moved from %.12s to %.12s", a ? a : "none",
				 b ? b : "none");
	a = jstr(had, "changes");
	b = jstr(now, "changes");
	if (!a || strcmp(a, b))
		return xstrdup(json_is_true(json_object_get(now, "git")) ?
			       "the tree's uncommitted changes are not those it was made with" :
			       "files of the tree changed since it was made");
	return NULL;
}

void remove_tree(const char *path)
{
	if (run_v(NULL, NULL, "rm", "-rf", "--", path, NULL))
		die("%s: cannot remove", path);
}

static char *commit_date(const char *work, const char *log)
{
	char *argv[] = { "git", "-C", (char *)work, "log", "-1", "--format=%cI", "HEAD", NULL };
	char *d = capture(NULL, log, argv);

	if (!d)
		die("%s: cannot read the HEAD commit's date (%s)", work, log);
	d[strcspn(d, "\n")] = '\0';
	return d;
}

/* Commit everything in work as one commit dated like HEAD (or now), by mmapport. */
static void commit_all(const char *work, const char *log, const char *msg, const char *date)
{
	char *add[] = { "git", "-C", (char *)work, "add", "-A", "-f", ".", NULL };
	char *ad = xasprintf("GIT_AUTHOR_DATE=%s", date ? date : "");
	char *cd = xasprintf("GIT_COMMITTER_DATE=%s", date ? date : "");
	char *commit[] = { "env", date ? ad : "MMAPPORT_NO_DATE=", date ? cd : "MMAPPORT_NO_DATE=",
			   "git", "-C", (char *)work, "-c", "user.name=mmapport",
			   "-c", "user.email=mmapport@localhost", "-c", "commit.gpgsign=false",
			   "commit", "-q", "--no-verify", "--allow-empty", "-m", (char *)msg, NULL };

	must_run(NULL, log, xasprintf("%s: cannot add the files to git", work), add);
	must_run(NULL, log, xasprintf("%s: cannot commit", work), commit);
	free(ad);
	free(cd);
}

/* The working copy's uncommitted changes, taken into the clone as one commit. */
/* rel is no longer in src: gone, or behind a symlink that replaced one of its directories */
static int gone_from(const char *src, const char *rel)
{
	char *p = xasprintf("%s/%s", src, rel), *slash;
	struct stat st;
	int gone = lstat(p, &st) != 0;

	for (slash = p + strlen(src) + 1; !gone && (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		gone = lstat(p, &st) || S_ISLNK(st.st_mode);
		*slash = '/';
	}
	free(p);
	return gone;
}

/*
 * The working copy's uncommitted changes, taken into the clone as one
 * commit on top of HEAD.  git itself reads them from src (--work-tree,
 * an index of the clone's own, literal pathspecs): nothing is copied by
 * hand, so a directory the user replaced by a symlink is recorded as a
 * symlink and never followed, and nothing is written to src.
 */
static void take_changes(const char *src, const char *tmp, const struct strlist *changed,
			 const char *log)
{
	char *date = commit_date(tmp, log);
	char *gitdir = xasprintf("%s/.git", tmp), *index = xasprintf("%s/.git/index", tmp);
	char *cindex = xasprintf("%s/.git/mmapport-changes.index", tmp);
	char *paths = xasprintf("%s/.git/mmapport-changes.paths", tmp), *buf, *tree, *commit;
	struct strlist env = { 0 }, cmd = { 0 }, gone = { 0 };
	struct run_opts ro = { .out = log, .err = log, .append = 1, .env = &env };
	size_t len = 0, n;
	int i, r;

	buf = read_file(index, &n);
	if (!buf || write_file(cindex, buf, n))
		die("%s: cannot copy the index: %s", cindex, strerror(errno));
	free(buf);
	for (i = 0; i < changed->n; i++)
		len += strlen(changed->v[i]) + 1;
	/*
	 * What git add reads from src, NUL-separated; a path gone, or behind a
	 * symlink that replaced its directory, is only taken out of the index
	 * (git add refuses a path beyond a symlink; the symlink itself is one
	 * of the changes and is added as what it is).
	 */
	buf = xmalloc(len + 1);
	for (i = 0, n = 0; i < changed->n; i++) {
		if (gone_from(src, changed->v[i])) {
			strlist_add(&gone, changed->v[i]);
			continue;
		}
		memcpy(buf + n, changed->v[i], strlen(changed->v[i]) + 1);
		n += strlen(changed->v[i]) + 1;
	}
	if (write_file(paths, buf, n))
		die("%s: cannot write: %s", paths, strerror(errno));
	free(buf);
	strlist_addf(&env, "GIT_INDEX_FILE=%s", cindex);
	strlist_add(&env, "GIT_LITERAL_PATHSPECS=1");
	strlist_addf(&env, "GIT_AUTHOR_DATE=%s", date);
	strlist_addf(&env, "GIT_COMMITTER_DATE=%s", date);
	strlist_add(&env, "GIT_AUTHOR_NAME=mmapport");
	strlist_add(&env, "GIT_AUTHOR_EMAIL=mmapport@localhost");
	strlist_add(&env, "GIT_COMMITTER_NAME=mmapport");
	strlist_add(&env, "GIT_COMMITTER_EMAIL=mmapport@localhost");
	strlist_add(&cmd, "git");
	strlist_addf(&cmd, "--git-dir=%s", gitdir);
	strlist_addf(&cmd, "--work-tree=%s", src);
	strlist_add(&cmd, "add");
	strlist_add(&cmd, "-A");
	strlist_addf(&cmd, "--pathspec-from-file=%s", paths);
	strlist_add(&cmd, "--pathspec-file-nul");
	if (n && run_list(&ro, &cmd))
		die("cannot take the uncommitted changes of %s%s (%s)", src, log_reason(log), log);
	strlist_free(&cmd);
	for (i = 0; i < gone.n; i++) {
		strlist_add(&cmd, "git");
		strlist_addf(&cmd, "--git-dir=%s", gitdir);
		strlist_add(&cmd, "update-index");
		strlist_add(&cmd, "--force-remove");
		strlist_add(&cmd, "--");
		strlist_add(&cmd, gone.v[i]);
		if (run_list(&ro, &cmd))
			die("cannot take the removal of %s%s (%s)", gone.v[i], log_reason(log), log);
		strlist_free(&cmd);
	}
	strlist_free(&gone);
	strlist_add(&cmd, "git");
	strlist_addf(&cmd, "--git-dir=%s", gitdir);
	strlist_add(&cmd, "write-tree");
	tree = capture_list(&ro, &cmd, &r);
	if (r || !tree)
		die("%s: git write-tree failed%s (%s)", tmp, log_reason(log), log);
	strlist_free(&cmd);
	strlist_add(&cmd, "git");
	strlist_addf(&cmd, "--git-dir=%s", gitdir);
	strlist_add(&cmd, "commit-tree");
	strlist_add(&cmd, tree);
	strlist_add(&cmd, "-p");
	strlist_add(&cmd, "HEAD");
	strlist_add(&cmd, "-m");
	strlist_add(&cmd, "mmapport: the tree's uncommitted changes, as in its working copy");
	commit = capture_list(&ro, &cmd, &r);
	if (r || !commit)
		die("%s: git commit-tree failed%s (%s)", tmp, log_reason(log), log);
	{
		char *reset[] = { "git", "-C", (char *)tmp, "reset", "-q", "--hard", commit, NULL };

		must_run(NULL, log, xasprintf("%s: cannot check out the uncommitted changes", tmp),
			 reset);
	}
	unlink(cindex);
	unlink(paths);
	strlist_free(&cmd);
	strlist_free(&env);
	free(tree);
	free(commit);
	free(gitdir);
	free(index);
	free(cindex);
	free(paths);
	free(date);
}

/* Make DIR/work from src: in DIR/work.partial first, so a killed run leaves no work tree. */
static void make_work(const char *src, const char *work, json_t *id,
		      const struct strlist *changed, const char *log)
{
	char *tmp = xasprintf("%s.partial", work);

	remove_tree(tmp);
	if (json_is_true(json_object_get(id, "git"))) {
		char *clone[] = { "git", "clone", "-q", "--no-checkout", "--no-hardlinks", "--", (char *)src, tmp,
				  NULL };
		char *co[] = { "git", "-C", tmp, "-c", "advice.detachedHead=false", "checkout",
			       "-q", "--detach", (char *)jstr(id, "head"), NULL };

		must_run(NULL, log, xasprintf("cannot clone %s into %s", src, tmp), clone);
		must_run(NULL, log, xasprintf("%s: cannot check out %s", tmp, jstr(id, "head")), co);
		if (changed->n) {
			info("the work tree takes %d files with uncommitted changes as they are in %s's working copy (a commit on top of HEAD); the series applies to that working copy",
			     changed->n, src);
			take_changes(src, tmp, changed, log);
		}
	} else {
		char *cp[] = { "cp", "-a", "--", (char *)src, tmp, NULL };
		char *init[] = { "git", "-C", tmp, "init", "-q", NULL };

		info("copying %s to %s (not a git tree)", src, work);
		must_run(NULL, log, xasprintf("cannot copy %s to %s", src, tmp), cp);
		must_run(NULL, log, xasprintf("%s: git init failed", tmp), init);
		commit_all(tmp, log, "base", NULL);
	}
	if (rename(tmp, work))
		die("cannot rename %s to %s: %s", tmp, work, strerror(errno));
	free(tmp);
}

/*
 * DIR/work, made or checked against its source.  remake: convert may make
 * it again when the source changed; check and series stop instead.
 */
char *work_tree(const struct options *o, int remake)
{
	const char *src = o->external ? o->external : o->tree;
	char *work = out_path(o, "work"), *idp = out_path(o, "work.json");
	char *logs = out_path(o, "logs"), *log, *why = NULL;
	struct strlist changed = { 0 };
	json_t *now, *had = NULL;

	mkdir_p(logs);
	log = xasprintf("%s/work.log", logs);
	if (!remake && (!path_exists(work) || !path_exists(idp)))
		die("%s: no work tree (or no record of what it was made from): run 'mmapport convert' (or run) first",
		    work);
	now = source_identity(src, logs, &changed);
	if (path_exists(work)) {
		had = path_exists(idp) ? json_load_path(idp) : NULL;
		why = identity_differs(had, now);
		if (why && !remake)
			die("%s: %s; the conversions were made from that: run 'mmapport convert' (or run) again",
			    work, why);
		if (why) {
			info("the work tree is made again: %s", why);
			remove_tree(work);
		}
	}
	if (!path_exists(work)) {
		char *argv[] = { "git", "-C", work, "rev-parse", "HEAD", NULL };
		char *base;

		unlink(idp);
		make_work(src, work, now, &changed, log);
		base = capture(NULL, log, argv);
		if (!base)
			die("%s: no HEAD after making it (%s)", work, log);
		base[strcspn(base, "\n")] = '\0';
		json_object_set_new(now, "base", json_string(base));
		if (json_dump_path(now, idp))
			die("%s: cannot write", idp);
		free(base);
	}
	json_decref(now);
	json_decref(had);
	strlist_free(&changed);
	free(why);
	free(idp);
	free(logs);
	free(log);
	return work;
}

/* The commit the work tree started from (work.json's base). */
char *work_base(const char *work)
{
	char *idp = xasprintf("%s.json", work);
	json_t *id = json_load_path(idp);
	const char *b = json_is_object(id) ? jstr(id, "base") : NULL;
	char *base;

	if (!b)
		die("%s: no base commit recorded; run 'mmapport convert' again", idp);
	base = xstrdup(b);
	json_decref(id);
	free(idp);
	return base;
}

/*
 * Start the work tree from its base again.  Only ever in a work tree of
 * mmapport's making: its own repository (.git a directory), recorded in
 * DIR/work.json.
 */
void work_reset(const char *work, const char *base, const char *branch)
{
	char *gitdir = xasprintf("%s/.git", work), *idp = xasprintf("%s.json", work);
	char *log = xasprintf("%s/../logs/work.log", work);
	char *co[] = { "git", "-C", (char *)work, "checkout", "-q", "-f", "--detach",
		       (char *)base, NULL };
	char *cob[] = { "git", "-C", (char *)work, "checkout", "-q", "-f", "-B",
			(char *)branch, (char *)base, NULL };
	char *clean[] = { "git", "-C", (char *)work, "clean", "-q", "-f", "-d", NULL };

	if (!is_dir(gitdir) || !path_exists(idp))
		die("%s: not a work tree of mmapport's making; nothing is reset there", work);
	must_run(NULL, log, xasprintf("%s: cannot reset the work tree to %s", work, base),
		 branch ? cob : co);
	must_run(NULL, log, xasprintf("%s: cannot clean the work tree", work), clean);
	free(gitdir);
	free(idp);
	free(log);
}
