// SPDX-License-Identifier: GPL-2.0
/*
 * arch.c - architecture profiles, their build directories, and which
 * architectures build a given file.
 *
 * A profile is arch/NAME.conf in the project: KEY=value lines (ARCH,
 * SRCARCH, CROSS_COMPILE, PACKAGE, CONFIG, FRAGMENTS, IO_REMAP_PFN,
 * DESCRIPTION).  Its build directory is configured with the kernel's own
 * targets (CONFIG, with FRAGMENTS as KCONFIG_ALLCONFIG for the all*config
 * targets, merged with scripts/kconfig/merge_config.sh otherwise), checked
 * against the fragments, prepared once and reused while the profile, the
 * tree and the compiler stay the same.
 *
 * Whether a file is built on an architecture is read from the kernel's
 * own Makefiles and Kconfig results: the Kconfig symbols on the way from
 * the file's object up to the top of the tree (obj-$(CONFIG_X) += foo.o,
 * composite objects, obj-$(CONFIG_Y) += dir/, enclosing ifdef CONFIG_Z,
 * Makefile fragments included from arch/SRCARCH) must all be y or m in
 * the profile's prepared .config.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapport.h"

static char *conf_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;
	char *val = NULL;

	while (line && *line) {
		const char *end = strchrnul(line, '\n');

		if (!strncmp(line, key, klen) && line[klen] == '=') {
			free(val);
			val = strndup(line + klen + 1, end - line - klen - 1);
		}
		line = *end ? end + 1 : NULL;
	}
	return val;
}

static void load_profile(struct arch_profile *p, const char *name)
{
	char *path = xasprintf("%s/arch/%s.conf", project_dir(), name);
	size_t len;
	char *text = read_file(path, &len), *frags, *tok, *save, *io;

	if (!text)
		die("no architecture profile %s", path);
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->text = text;
	p->arch = conf_value(text, "ARCH");
	p->srcarch = conf_value(text, "SRCARCH");
	p->cross_compile = conf_value(text, "CROSS_COMPILE");
	p->package = conf_value(text, "PACKAGE");
	p->config = conf_value(text, "CONFIG");
	p->description = conf_value(text, "DESCRIPTION");
	if (!p->arch || !p->config)
		die("%s: ARCH and CONFIG are required", path);
	if (!p->srcarch)
		p->srcarch = xstrdup(p->arch);
	if (!p->cross_compile)
		p->cross_compile = xstrdup("");
	if (!p->description)
		p->description = xasprintf("%s %s", p->arch, p->config);
	frags = conf_value(text, "FRAGMENTS");
	for (tok = frags ? strtok_r(frags, " \t,", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		char *f = xasprintf("%s/arch/%s", project_dir(), tok);

		if (!path_exists(f))
			die("%s: config fragment %s does not exist", path, f);
		strlist_add(&p->fragments, f);
		free(f);
	}
	free(frags);
	io = conf_value(text, "IO_REMAP_PFN");
	p->io_remap_pfn = io && !strcmp(io, "yes");
	free(io);
	free(path);
}

/* By name, the reference build (x86_64) first: it is tried first for variants. */
static int cmp_str(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	if (strcmp(x, y) && (!strcmp(x, "x86_64") || !strcmp(y, "x86_64")))
		return strcmp(x, "x86_64") ? 1 : -1;
	return strcmp(x, y);
}

/* Every profile under arch/, by name. */
static void all_profile_names(struct strlist *names)
{
	char *dir = xasprintf("%s/arch", project_dir());
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		die("%s: no architecture profiles", dir);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 5 && !strcmp(e->d_name + n - 5, ".conf")) {
			char *name = strndup(e->d_name, n - 5);

			strlist_add(names, name);
			free(name);
		}
	}
	closedir(d);
	qsort(names->v, names->n, sizeof(*names->v), cmp_str);
	free(dir);
}

int arch_profiles(const char *list, struct arch_profile **out)
{
	struct strlist names = { 0 };
	struct arch_profile *v;
	int i;

	if (!list || !*list || !strcmp(list, "all")) {
		all_profile_names(&names);
	} else {
		char *s = xstrdup(list), *tok, *save;

		for (tok = strtok_r(s, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			strlist_add_once(&names, tok);
		free(s);
	}
	v = xmalloc(sizeof(*v) * (names.n + 1));
	for (i = 0; i < names.n; i++)
		load_profile(&v[i], names.v[i]);
	*out = v;
	i = names.n;
	strlist_free(&names);
	return i;
}

char *arch_compiler(const struct arch_profile *p)
{
	return xasprintf("%sgcc", p->cross_compile);
}

/* Is prog an executable in $PATH (as "command -v" finds it)? */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH"), *s, *e;
	int found = 0;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	for (s = path ? path : "/usr/bin:/bin"; !found; s = e + 1) {
		char *full;

		e = strchrnul(s, ':');
		full = xasprintf("%.*s/%s", e == s ? 1 : (int)(e - s), e == s ? "." : s, prog);
		found = access(full, X_OK) == 0 && !is_dir(full);
		free(full);
		if (!*e)
			break;
	}
	return found;
}

int arch_has_toolchain(const struct arch_profile *p)
{
	char *cc = arch_compiler(p);
	int r = in_path(cc);

	free(cc);
	return r;
}

char *arch_no_toolchain(const struct arch_profile *p)
{
	if (!p->package || !*p->package)
		return xasprintf("no toolchain: Debian has no %sgcc", p->cross_compile);
	return xasprintf("no toolchain: %sgcc not installed (tools/deps.sh --arch %s installs %s)",
			 p->cross_compile, p->name, p->package);
}

/* The profile's make variables, ARCH= and CROSS_COMPILE=, as words of argv. */
void arch_make_args(const struct arch_profile *p, struct strlist *argv)
{
	strlist_addf(argv, "ARCH=%s", p->arch);
	if (*p->cross_compile)
		strlist_addf(argv, "CROSS_COMPILE=%s", p->cross_compile);
}

/* What the build directory depends on: profile, fragments, tree, compiler. */
static char *prepare_key(const struct arch_profile *p, const char *base)
{
	char *cc = arch_compiler(p), *ver = capture_v(NULL, cc, "--version", NULL);
	/* bump the layout when configure() changes what it leaves behind */
	char *key;
	int i;

	if (ver)
		ver[strcspn(ver, "\n")] = '\0';	/* its first line */
	key = xasprintf("layout 2\ntree %s\ncompiler %s\n%s", base, ver ? ver : "?", p->text);

	for (i = 0; i < p->fragments.n; i++) {
		size_t len;
		char *f = read_file(p->fragments.v[i], &len), *k;

		k = xasprintf("%s--- %s\n%s", key, strrchr(p->fragments.v[i], '/') + 1, f ? f : "");
		free(key);
		free(f);
		key = k;
	}
	free(cc);
	free(ver);
	return key;
}

static int file_equals(const char *path, const char *text)
{
	size_t len;
	char *buf = read_file(path, &len);
	int r = buf && len == strlen(text) && !memcmp(buf, text, len);

	free(buf);
	return r;
}

/*
 * The fragments' settings must hold in the .config: a fragment the
 * kernel's Kconfig silently overrode (a missing dependency) would make the
 * profile lie about what it builds.
 */
static char *fragments_mismatch(const struct arch_profile *p, const char *bdir)
{
	struct strlist config = { 0 };
	char *bad = NULL;
	int i;

	arch_load_config(bdir, &config);
	for (i = 0; !bad && i < p->fragments.n; i++) {
		size_t len;
		char *buf = read_file(p->fragments.v[i], &len), *line, *save;

		for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line && !bad;
		     line = strtok_r(NULL, "\n", &save)) {
			char sym[128], val[128];
			char have;

			if (sscanf(line, "# CONFIG_%127[A-Za-z0-9_] is not %127s", sym, val) == 2)
				strcpy(val, "n");
			else if (sscanf(line, "CONFIG_%127[A-Za-z0-9_]=%127s", sym, val) != 2)
				continue;
			have = arch_config_value(&config, sym);
			if (have != val[0] && !(val[0] == 'n' && have == 'n'))
				bad = xasprintf("%s says CONFIG_%s=%s but the %s .config has %c",
						strrchr(p->fragments.v[i], '/') + 1, sym, val,
						p->config, have);
		}
		free(buf);
	}
	strlist_free(&config);
	return bad;
}

/* NULL when the prepared .config keeps every setting of the fragments. */
char *arch_config_mismatch(const struct arch_profile *p, const char *bdir)
{
	return fragments_mismatch(p, bdir);
}

static void verify_fragments(const struct arch_profile *p, const char *bdir)
{
	char *bad = p->variant ? NULL : fragments_mismatch(p, bdir);

	if (bad)
		die("%s: %s (see %s/.config)", p->name, bad, bdir);
}

/*
 * A variant of p for the files no profile builds: one more fragment (a
 * KCONFIG_ALLCONFIG proposal from kconfig_enable()), its own build
 * directory; arch_config_mismatch() says whether the kernel agreed.
 */
struct arch_profile *arch_variant(const struct arch_profile *p, const char *name,
				  const char *fragment, const char *summary)
{
	struct arch_profile *v = xmalloc(sizeof(*v));
	int i;

	*v = *p;
	memset(&v->fragments, 0, sizeof(v->fragments));
	v->name = xasprintf("%s+%s", p->name, name);
	v->text = xasprintf("%sVARIANT=%s\n", p->text, summary);
	v->description = xasprintf("%s, with %s", p->description, summary);
	for (i = 0; i < p->fragments.n; i++)
		strlist_add(&v->fragments, p->fragments.v[i]);
	strlist_add(&v->fragments, fragment);
	v->variant = 1;
	return v;
}

/*
 * The profile's name as a path (DIR/build/NAME, its logs): a variant's
 * name may say FS_DAX=n, and no '=' goes in a path make is given.
 */
char *arch_path_name(const struct arch_profile *p)
{
	char *n = xstrdup(p->name);

	for (char *q = n; *q; q++)
		if (*q == '=')
			*q = '-';
	return n;
}

/* "make O=BDIR ARCH=... [CROSS_COMPILE=...]", to add targets to. */
static void make_cmd(struct strlist *cmd, const struct arch_profile *p, const char *bdir)
{
	strlist_add(cmd, "make");
	strlist_addf(cmd, "O=%s", bdir);
	arch_make_args(p, cmd);
}

/* The fragments one after the other in path; 0 when written. */
static int concat_fragments(const struct arch_profile *p, const char *path)
{
	char *all = xstrdup(""), *a;
	int i, r;

	for (i = 0; i < p->fragments.n; i++) {
		size_t len;
		char *f = read_file(p->fragments.v[i], &len);

		if (!f) {
			free(all);
			return -1;
		}
		a = xasprintf("%s%s", all, f);
		free(all);
		free(f);
		all = a;
	}
	r = write_file(path, all, strlen(all));
	free(all);
	return r;
}

static double configure(const struct arch_profile *p, const char *work, const char *bdir,
			const char *log)
{
	struct run_opts ro = { .dir = work, .out = log, .err = log };
	struct strlist cmd = { 0 }, env = { 0 };
	double t0 = now_seconds();
	int i, r, all = !strncmp(p->config, "all", 3) && strstr(p->config, "config");

	if (p->fragments.n && all) {
		/* all*config reads forced settings from one KCONFIG_ALLCONFIG file */
		char *allcfg = xasprintf("%s/mmapport-allconfig", bdir);

		r = concat_fragments(p, allcfg);
		if (!r) {
			make_cmd(&cmd, p, bdir);
			strlist_addf(&cmd, "KCONFIG_ALLCONFIG=%s", allcfg);
			strlist_add(&cmd, p->config);
			r = run_list(&ro, &cmd);
		}
		free(allcfg);
	} else if (p->fragments.n) {
		make_cmd(&cmd, p, bdir);
		strlist_add(&cmd, p->config);
		r = run_list(&ro, &cmd);
		ro.append = 1;
		if (!r) {
			/* ARCH and CROSS_COMPILE in its environment, as kbuild has them */
			strlist_free(&cmd);
			arch_make_args(p, &env);
			ro.env = &env;
			strlist_add(&cmd, "scripts/kconfig/merge_config.sh");
			strlist_add(&cmd, "-m");
			strlist_add(&cmd, "-O");
			strlist_add(&cmd, bdir);
			strlist_addf(&cmd, "%s/.config", bdir);
			for (i = 0; i < p->fragments.n; i++)
				strlist_add(&cmd, p->fragments.v[i]);
			r = run_list(&ro, &cmd);
			ro.env = NULL;
		}
		if (!r) {
			strlist_free(&cmd);
			make_cmd(&cmd, p, bdir);
			strlist_add(&cmd, "olddefconfig");
			r = run_list(&ro, &cmd);
		}
	} else {
		make_cmd(&cmd, p, bdir);
		strlist_add(&cmd, p->config);
		r = run_list(&ro, &cmd);
	}
	/*
	 * No syncconfig: prepare runs it, and before prepare the selection
	 * reads .config itself (arch_selection_init)
	 */
	if (r)
		die("%s: cannot configure %s (%s)%s; see %s", p->name, bdir, p->config,
		    log_reason(log), log);
	verify_fragments(p, bdir);
	strlist_free(&cmd);
	strlist_free(&env);
	return now_seconds() - t0;
}

/*
 * A config variant (x86_64+FS_DAX=n) differs from its profile's build
 * directory, beside it as DIR/build/x86_64, only in a few symbols: once
 * that one is prepared, the variant starts as a copy of it, and kbuild's
 * own dependencies (fixdep records each CONFIG_ symbol a file uses)
 * rebuild at prepare only what the changed symbols reach, instead of
 * preparing from nothing.  The copy is of the same source tree (the build
 * directory's Makefile names it), or nothing is copied.
 */
static char *variant_seed(const struct arch_profile *p, const char *work, const char *bdir)
{
	const char *plus = strchr(p->name, '+'), *slash = strrchr(bdir, '/');
	char *seed, *stamp, *mk, *smk, *rwork, *inc = NULL;
	size_t len;
	int ok;

	if (!p->variant || !plus || !slash)
		return NULL;
	seed = xasprintf("%.*s/%.*s", (int)(slash - bdir), bdir, (int)(plus - p->name), p->name);
	stamp = xasprintf("%s/.mmapport-prepared", seed);
	mk = xasprintf("%s/Makefile", seed);
	smk = read_file(mk, &len);
	rwork = realpath(work, NULL);
	if (rwork)
		inc = xasprintf("\ninclude %s/Makefile\n", rwork);
	/* kbuild's Makefile in the build directory names its source tree */
	ok = path_exists(stamp) && smk && inc && strstr(smk, inc);
	free(inc);
	free(rwork);
	free(mk);
	free(smk);
	free(stamp);
	if (!ok) {
		free(seed);
		return NULL;
	}
	return seed;
}

static void seed_from(const char *seed, const char *bdir)
{
	char *from = xasprintf("%s/.", seed), *p;

	if (run_v(NULL, NULL, "cp", "-a", "--", from, bdir, NULL))
		warnx("cannot copy %s to %s: configuring from nothing", seed, bdir);
	/* its own stamps, compile commands and config are made again */
	p = xasprintf("%s/.mmapport-config", bdir);
	unlink(p);
	free(p);
	p = xasprintf("%s/.mmapport-prepared", bdir);
	unlink(p);
	free(p);
	p = xasprintf("%s/mmapport-cmds", bdir);
	run_v(NULL, NULL, "rm", "-rf", "--", p, NULL);
	free(p);
	free(from);
}

double arch_configure(const struct arch_profile *p, const char *work, const char *base,
		      const char *bdir, const char *log)
{
	/*
	 * The source tree too, by path and HEAD: an --external driver's base
	 * is its own commit, the same whatever kernel tree it is built against
	 */
	char *spec = xasprintf("%s^{commit}", base), *own = capture_v(work, "git", "rev-parse",
									"-q", "--verify", spec, NULL);
	char *rw = realpath(work, NULL), *head = own ? NULL : capture_v(work, "git", "rev-parse",
									"-q", "--verify", "HEAD", NULL);
	char *tree = own ? xstrdup(base) : xasprintf("%s (source %s at %s)", base,
						     rw ? rw : work, head ? head : "-");

	free(spec);
	free(own);
	char *key = prepare_key(p, tree);
	char *stamp = xasprintf("%s/.mmapport-config", bdir);
	double t = 0;

	if (!file_equals(stamp, key)) {
		char *seed = variant_seed(p, work, bdir), *pkey = prepare_key(p, "-");
		int cached;

		run_v(NULL, NULL, "rm", "-rf", "--", bdir, NULL);
		mkdir_p(bdir);
		cached = build_cache_restore(pkey, p->srcarch, work, base, bdir);
		free(pkey);
		if (!cached)
			info("configuring %s (%s) in %s%s%s", p->name, p->description, bdir,
			     seed ? ", from " : "", seed ? seed : "");
		if (seed && !cached)
			seed_from(seed, bdir);
		if (!cached)
			t = configure(p, work, bdir, log);
		if (seed && !cached) {
			/*
			 * The copy's include/config/auto.conf is its profile's: what
			 * reads the configuration before prepare (the selection) would
			 * take it.  syncconfig makes it this variant's, and touches
			 * only what the changed symbols reach.
			 */
			struct run_opts ro = { .dir = work, .out = log, .err = log, .append = 1 };
			struct strlist cmd = { 0 };

			make_cmd(&cmd, p, bdir);
			strlist_add(&cmd, "syncconfig");
			if (run_list(&ro, &cmd))
				die("%s: cannot syncconfig %s%s; see %s", p->name, bdir,
				    log_reason(log), log);
			strlist_free(&cmd);
		}
		free(seed);
		write_file(stamp, key, strlen(key));
	}
	free(stamp);
	free(key);
	free(tree);
	free(head);
	free(rw);
	return t;
}

double arch_prepare(const struct arch_profile *p, const char *work, const char *bdir,
		    const char *log, int jobs)
{
	char *stamp = xasprintf("%s/.mmapport-prepared", bdir);
	double t0 = now_seconds(), t = 0;

	if (!path_exists(stamp)) {
		struct run_opts ro = { .dir = work, .out = log, .err = log };
		struct strlist cmd = { 0 };

		info("preparing %s in %s", p->name, bdir);
		make_cmd(&cmd, p, bdir);
		strlist_addf(&cmd, "-j%d", jobs);
		strlist_add(&cmd, "prepare");
		if (run_list(&ro, &cmd))
			die("%s: cannot prepare %s%s; see %s", p->name, bdir, log_reason(log), log);
		strlist_free(&cmd);
		write_file(stamp, "", 0);
		t = now_seconds() - t0;
		build_cache_store(p->srcarch, work, bdir);
	}
	free(stamp);
	return t;
}

void arch_load_config(const char *bdir, struct strlist *config)
{
	char *path = xasprintf("%s/.config", bdir);
	size_t len;
	char *buf = read_file(path, &len), *line, *save;

	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "CONFIG_", 7))
			strlist_add(config, line + 7);
	free(buf);
	free(path);
}

char arch_config_value(const struct strlist *config, const char *sym)
{
	size_t n = strlen(sym);
	int i;

	for (i = 0; i < config->n; i++)
		if (!strncmp(config->v[i], sym, n) && config->v[i][n] == '=')
			return config->v[i][n + 1] == 'm' ? 'm' :
			       config->v[i][n + 1] == 'n' ? 'n' : 'y';
	return 'n';
}

/* ---- which Kconfig symbols gate an object: the kernel's Makefiles ---- */

/* Lists that name objects or directories to build, not flags. */
static int build_list(const char *prefix)
{
	static const char *const not_objects[] = {
		"ccflags", "asflags", "ldflags", "subdir-ccflags", "subdir-asflags",
		"always", "extra", "targets", "hostprogs", "userprogs", "clean",
		"userccflags", "userldflags", "HOSTCFLAGS", "HOSTLDLIBS", NULL,
	};
	int i;

	for (i = 0; not_objects[i]; i++)
		if (!strcmp(prefix, not_objects[i]))
			return 0;
	return 1;
}

/* Every CONFIG_ symbol named in s, added to syms. */
static void symbols_in(const char *s, struct strlist *syms)
{
	const char *p = s;

	while ((p = strstr(p, "CONFIG_"))) {
		const char *e = p + 7;
		char *sym;

		while (isalnum((unsigned char)*e) || *e == '_')
			e++;
		sym = strndup(p + 7, e - p - 7);
		if (*sym && !strlist_has(syms, sym))
			strlist_add(syms, sym);
		free(sym);
		p = e;
	}
}

/* A token of a list names target (a path relative to the Makefile's dir). */
static int names_target(const char *tok, const char *target)
{
	size_t t = strlen(tok), n = strlen(target);

	if (!strcmp(tok, target))
		return 1;
	/* $(KVM)/guest_memfd.o, $(obj)/foo.o */
	return t > n && tok[t - n - 1] == '/' && !strcmp(tok + t - n, target) && tok[0] == '$';
}

struct gate_match {
	char *prefix;		/* obj, lib, kvm, ... */
	char *makefile;		/* the file it was found in */
	struct strlist syms;	/* CONFIG_ symbols of the list name and enclosing ifs */
};

static void gate_match_free(struct gate_match *m)
{
	strlist_free(&m->syms);
	free(m->prefix);
	free(m->makefile);
	memset(m, 0, sizeof(*m));
}

/*
 * The assignment s (op at its operator) names target in the list of a
 * build prefix ("obj-$(CONFIG_X) += target"): m takes the prefix, the
 * Makefile and the symbols of the list name and of the open ifs (stack).
 */
static int list_names_target(const char *path, const char *s, char *op, const char *target,
			     const struct strlist *stack, struct gate_match *m)
{
	char *rhs = op + (*op == '=' ? 1 : 2), *tok, *save, *lhs, *dash, *prefix;
	int hit = 0, i;

	for (tok = strtok_r(rhs, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		if (names_target(tok, target))
			hit = 1;
	lhs = strndup(s, op - s);
	/* kvm-intel-y, obj-$(CONFIG_X): the list name ends at the last dash */
	dash = strstr(lhs, "-$(");
	if (!dash)
		dash = strrchr(lhs, '-');
	if (!hit || !dash || dash == lhs) {
		free(lhs);
		return 0;
	}
	prefix = strndup(lhs, dash - lhs);
	if (!build_list(prefix) || strchr(prefix, '$') || strchr(prefix, ' ')) {
		free(prefix);
		free(lhs);
		return 0;
	}
	m->prefix = prefix;
	m->makefile = xstrdup(path);
	symbols_in(dash, &m->syms);
	for (i = 0; i < stack->n; i++)
		if (*stack->v[i] && !strlist_has(&m->syms, stack->v[i]))
			strlist_add(&m->syms, stack->v[i]);
	free(lhs);
	return 1;
}

/*
 * Look for target in one Makefile.  Lines are joined at backslashes;
 * enclosing "ifdef CONFIG_X", "ifeq ($(CONFIG_X),y)", "ifneq ($(CONFIG_X),)"
 * add X, their else branch and negative tests add nothing.
 */
static int find_in_makefile(const char *path, const char *target, struct gate_match *m)
{
	size_t len;
	char *buf = read_file(path, &len), *p, *line;
	struct strlist stack = { 0 };	/* one entry per open if: its symbol or "" */
	int found = 0;

	if (!buf)
		return 0;
	/* join continuation lines */
	for (p = buf; *p; p++)
		if (p[0] == '\\' && p[1] == '\n')
			p[0] = p[1] = ' ';
	for (line = buf; line && *line && !found;) {
		char *end = strchr(line, '\n'), *s = line, *op;

		if (end)
			*end = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		op = strstr(s, "+=");
		if (!op)
			op = strstr(s, ":=");
		if (!op)
			op = strchr(s, '=');
		if (!strncmp(s, "ifdef ", 6) || (!strncmp(s, "ifeq ", 5) && strstr(s, ",y)")) ||
		    (!strncmp(s, "ifneq ", 6) && strstr(s, ",)"))) {
			struct strlist one = { 0 };

			symbols_in(s, &one);
			strlist_add(&stack, one.n == 1 ? one.v[0] : "");
			strlist_free(&one);
		} else if (!strncmp(s, "if", 2) && (s[2] == 'n' || s[2] == 'e')) {
			strlist_add(&stack, "");
		} else if (!strncmp(s, "else", 4) && stack.n) {
			stack.v[stack.n - 1][0] = '\0';
		} else if (!strncmp(s, "endif", 5) && stack.n) {
			free(stack.v[--stack.n]);
		} else if (op) {
			found = list_names_target(path, s, op, target, &stack, m);
		}
		line = end ? end + 1 : NULL;
	}
	strlist_free(&stack);
	free(buf);
	return found;
}

/* The Makefiles of a directory: Makefile, Kbuild and Makefile.* fragments. */
static int find_in_dir(const char *tree, const char *dir, const char *target,
		       struct gate_match *m)
{
	char *full = xasprintf("%s/%s", tree, *dir ? dir : ".");
	DIR *d = opendir(full);
	struct strlist names = { 0 };
	struct dirent *e;
	int i, found = 0;

	if (d) {
		while ((e = readdir(d)))
			if (!strcmp(e->d_name, "Makefile") || !strcmp(e->d_name, "Kbuild") ||
			    (!strncmp(e->d_name, "Makefile.", 9) && !strchr(e->d_name + 9, '~')))
				strlist_add(&names, e->d_name);
		closedir(d);
	}
	/* Kbuild wins over Makefile, as in kbuild; fragments last */
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n && !found; i++) {
		char *path = xasprintf("%s/%s", full, names.v[i]);

		found = find_in_makefile(path, target, m);
		free(path);
	}
	strlist_free(&names);
	free(full);
	return found;
}

/* Makefiles under arch/SRCARCH that include fragment (tree-relative). */
static void includers(const char *tree, const char *srcarch, const char *fragment,
		      struct strlist *out)
{
	struct run_opts ro = { .dir = tree, .err = "/dev/null" };
	struct strlist cmd = { 0 };
	char *list, *line, *save;

	strlist_add(&cmd, "grep");
	strlist_add(&cmd, "-rl");
	strlist_add(&cmd, "--include=Makefile*");
	strlist_add(&cmd, "--include=Kbuild");
	strlist_add(&cmd, "-e");
	strlist_add(&cmd, fragment);
	strlist_add(&cmd, "--");
	strlist_addf(&cmd, "arch/%s", srcarch);
	list = capture_list(&ro, &cmd, NULL);
	strlist_free(&cmd);

	for (line = list ? strtok_r(list, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *slash = strrchr(line, '/');

		*slash = '\0';
		strlist_add_once(out, line);
	}
	free(list);
}

static char *dirname_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? strndup(path, slash - path) : xstrdup("");
}

/* One directory up: *dir becomes its parent, *target next_target. */
static void climb(char **dir, char **target, char *next_target)
{
	char *parent = dirname_of(*dir);

	free(*dir);
	free(*target);
	*dir = parent;
	*target = next_target;
}

/*
 * Walk from target (relative to dir) up to the top of the tree, adding the
 * gating symbols.  Returns NULL, or why the object is never built.
 */
static char *gates_from(const char *tree, const char *srcarch, char *dir, char *target,
			struct strlist *syms, int depth)
{
	struct gate_match m = { 0 };
	char *why = NULL;
	int up;

	for (up = 0; depth < 24; up++, depth++) {
		if (!*dir || (!strncmp(dir, "arch/", 5) && !strchr(dir + 5, '/')))
			break;	/* the top, or arch/SRCARCH: built by the top Kbuild */
		if (find_in_dir(tree, dir, target, &m)) {
			int i, is_obj = !strcmp(m.prefix, "obj") || !strcmp(m.prefix, "lib") ||
					!strcmp(m.prefix, "subdir") || !strcmp(m.prefix, "core") ||
					!strcmp(m.prefix, "drivers") || !strcmp(m.prefix, "libs");
			const char *mf = strrchr(m.makefile, '/') + 1;

			for (i = 0; i < m.syms.n; i++)
				strlist_add_once(syms, m.syms.v[i]);
			if (!is_obj) {
				/* composite object: find what builds prefix.o */
				char *comp = xasprintf("%s.o", m.prefix);

				if (strncmp(mf, "Makefile.", 9)) {
					why = gates_from(tree, srcarch, xstrdup(dir), comp, syms, depth + 1);
				} else {
					/* a fragment: built where arch/SRCARCH includes it */
					struct strlist inc = { 0 };
					char *frag = xasprintf("%s/%s", dir, mf);

					includers(tree, srcarch, frag, &inc);
					if (!inc.n)
						why = xasprintf("no Makefile of arch/%s includes %s",
								srcarch, frag);
					else
						why = gates_from(tree, srcarch, xstrdup(inc.v[0]),
								 comp, syms, depth + 1);
					strlist_free(&inc);
					free(frag);
				}
				break;
			}
			climb(&dir, &target, xasprintf("%s/", strrchr(dir, '/') ?
							     strrchr(dir, '/') + 1 : dir));
			gate_match_free(&m);
			continue;
		}
		/* not named here: maybe by a Makefile further up (obj-y += sub/foo.o) */
		if (up > 2 || !strchr(dir, '/'))
			break;
		climb(&dir, &target, xasprintf("%s/%s", strrchr(dir, '/') + 1, target));
	}
	gate_match_free(&m);
	free(dir);
	free(target);
	return why;
}

char *arch_file_gates(const char *tree, const struct arch_profile *p, const char *file,
		      struct strlist *syms)
{
	char *base = strrchr(file, '/') ? xstrdup(strrchr(file, '/') + 1) : xstrdup(file);

	base[strlen(base) - 1] = 'o';
	return gates_from(tree, p->srcarch, dirname_of(file), base, syms, 0);
}

/* dir/tok with "." and ".." resolved: arch/x/kvm/../../../virt/kvm/a.o -> virt/kvm/a.o */
static char *normalize_path(const char *dir, const char *tok)
{
	char *in = xasprintf("%s/%s", dir, tok), *out = xmalloc(strlen(in) + 1), *seg, *save;
	size_t len = 0;

	/* kbuild already prefixes $(obj)/ to most lists; lib-y may lack it */
	if (!strncmp(tok, dir, strlen(dir)) && tok[strlen(dir)] == '/') {
		free(in);
		in = xstrdup(tok);
	}
	out[0] = '\0';
	for (seg = strtok_r(in, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			char *slash = strrchr(out, '/');

			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		len += sprintf(out + len, "%s%s", len ? "/" : "", seg);
	}
	free(in);
	return out;
}

/* ---- what kbuild itself builds: scripts/Makefile.build evaluated ---- */

/*
 * A directory's lists as kbuild computes them under the profile's
 * include/config/auto.conf: scripts/Makefile.build reads the directory's
 * Kbuild or Makefile (and whatever it includes) and a two-line makefile of
 * ours prints real-obj-y, real-obj-m, lib-y and subdir-ym.  Nothing is
 * built.  NULL when the directory has no kbuild file.
 */
static json_t *kbuild_lists(struct arch_selection *sel, const char *dir)
{
	json_t *l = json_object_get(sel->dirs, dir), *objs, *subdirs;
	struct run_opts ro = { .dir = sel->bdir, .err = "/dev/null" };
	struct strlist cmd = { 0 };
	char *mk, *kb, *out, *line, *save;

	if (l)
		return json_is_object(l) ? l : NULL;
	/* kbuild's makefiles run $(obj) through their shell: never a hostile name */
	if (!safe_file_name(dir))
		return NULL;
	mk = xasprintf("%s/%s/Makefile", sel->work, dir);
	kb = xasprintf("%s/%s/Kbuild", sel->work, dir);
	if (!path_exists(mk) && !path_exists(kb)) {
		json_object_set_new(sel->dirs, dir, json_null());
		free(mk);
		free(kb);
		return NULL;
	}
	strlist_add(&cmd, "make");
	strlist_add(&cmd, "-s");
	strlist_add(&cmd, "-f");
	strlist_addf(&cmd, "%s/mmapport-config.mk", sel->bdir);
	strlist_add(&cmd, "-f");
	strlist_addf(&cmd, "%s/scripts/Makefile.build", sel->work);
	strlist_add(&cmd, "-f");
	strlist_addf(&cmd, "%s/mmapport-lists.mk", sel->bdir);
	strlist_addf(&cmd, "obj=%s", dir);
	strlist_addf(&cmd, "srctree=%s", sel->work);
	strlist_addf(&cmd, "srcroot=%s", sel->work);
	strlist_add(&cmd, "objtree=.");
	strlist_addf(&cmd, "SRCARCH=%s", sel->prof->srcarch);
	strlist_addf(&cmd, "CC=%sgcc", sel->prof->cross_compile);
	arch_make_args(sel->prof, &cmd);
	strlist_add(&cmd, "mmapport-lists");
	out = capture_list(&ro, &cmd, NULL);
	strlist_free(&cmd);
	l = json_object();
	objs = json_array();
	subdirs = json_array();
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		json_t *into = !strncmp(line, "objs:", 5) ? objs :
			       !strncmp(line, "subdirs:", 8) ? subdirs : NULL;
		char *tok, *save2;

		if (!into)
			continue;
		for (tok = strtok_r(strchr(line, ':') + 1, " ", &save2); tok;
		     tok = strtok_r(NULL, " ", &save2)) {
			char *norm = normalize_path(dir, tok);

			json_array_append_new(into, json_string(norm));
			free(norm);
		}
	}
	json_object_set_new(l, "objs", objs);
	json_object_set_new(l, "subdirs", subdirs);
	json_object_set_new(sel->dirs, dir, l);
	free(out);
	free(mk);
	free(kb);
	return l;
}

static int json_list_has(json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* Every Kconfig symbol of syms that is not set, as " (CONFIG_A=n, ...)". */
static char *unset_symbols(const struct strlist *config, const struct strlist *syms)
{
	char *s = xstrdup(""), *n;
	int i;

	for (i = 0; i < syms->n; i++)
		if (arch_config_value(config, syms->v[i]) == 'n') {
			n = xasprintf("%s%sCONFIG_%s=n", s, *s ? ", " : "", syms->v[i]);
			free(s);
			s = n;
		}
	if (*s) {
		n = xasprintf(" (%s)", s);
		free(s);
		s = n;
	}
	return s;
}

/* NULL when kbuild descends into dir, otherwise why not. */
static char *kbuild_reaches(struct arch_selection *sel, const char *dir, int *gated)
{
	json_t *memo = json_object_get(sel->reach, dir);
	char *why = NULL, *a;
	size_t n = strlen(sel->prof->srcarch);

	*gated = 0;
	if (memo) {
		*gated = json_is_true(json_object_get(memo, "gated"));
		return jstr(memo, "why") ? xstrdup(jstr(memo, "why")) : NULL;
	}
	if (!strncmp(dir, "arch/", 5) && !strncmp(dir + 5, sel->prof->srcarch, n) && !dir[5 + n]) {
		why = NULL;	/* obj-y += arch/$(SRCARCH)/ in the top Kbuild */
	} else if (!strchr(dir, '/')) {
		/*
		 * the top Kbuild: evaluated by the top Makefile, read here; the
		 * top Makefile's own lists (libs-y := lib/) come after it
		 */
		char *kb = xasprintf("%s/Kbuild", sel->work), *t = xasprintf("%s/", dir);
		char *mk = xasprintf("%s/Makefile", sel->work);
		struct gate_match m = { 0 };

		if (!find_in_makefile(kb, t, &m) && !find_in_makefile(mk, t, &m)) {
			why = xasprintf("the top Kbuild and Makefile do not build %s", t);
		} else {
			char *unset = unset_symbols(sel->config, &m.syms);

			if (*unset)
				why = xasprintf("the top Kbuild does not build %s%s", t, unset);
			*gated = why != NULL;
			free(unset);
		}
		gate_match_free(&m);
		free(kb);
		free(t);
		free(mk);
	} else {
		char *parent = NULL;

		why = xasprintf("no Makefile above it builds %s/", dir);
		for (a = dirname_of(dir); *a; ) {
			json_t *l = kbuild_lists(sel, a);
			char *up;

			if (l && json_list_has(json_object_get(l, "subdirs"), dir)) {
				free(why);
				why = kbuild_reaches(sel, a, gated);
				break;
			}
			if (l && !parent)
				parent = xstrdup(a);
			up = dirname_of(a);
			free(a);
			a = up;
		}
		free(a);
		if (why && parent && !strncmp(why, "no Makefile", 11)) {
			/* say which symbols kept the parent from descending */
			struct strlist syms = { 0 };
			char *t = xasprintf("%s/", strrchr(dir, '/') + 1), *unset, *d = xstrdup(parent);

			free(gates_from(sel->work, sel->prof->srcarch, d, t, &syms, 0));
			unset = unset_symbols(sel->config, &syms);
			free(why);
			why = xasprintf("%s/Makefile does not build %s/%s", parent, dir, unset);
			*gated = 1;
			free(unset);
			strlist_free(&syms);
		}
		free(parent);
	}
	json_object_set_new(sel->reach, dir, json_pack("{s:s?,s:b}", "why", why, "gated", *gated));
	return why;
}

void arch_selection_init(struct arch_selection *sel, const struct arch_profile *p,
			 const char *work, const char *bdir)
{
	static const char lists_mk[] =
		"# written by mmapport: print what kbuild builds in $(obj)\n"
		"$(lastword $(MAKEFILE_LIST)): ;\n"
		"mmapport-lists:\n"
		"\t@echo 'objs: $(real-obj-y) $(real-obj-m) $(lib-y)'\n"
		"\t@echo 'subdirs: $(subdir-ym)'\n";
	/*
	 * Before prepare there is no include/config/auto.conf for
	 * Makefile.build to read; .config holds the same assignments
	 */
	static const char config_mk[] =
		"# written by mmapport: the configuration until prepare writes auto.conf\n"
		"$(lastword $(MAKEFILE_LIST)) .config: ;\n"
		"ifeq ($(wildcard include/config/auto.conf),)\n"
		"include .config\n"
		"endif\n";
	char *mk = xasprintf("%s/mmapport-lists.mk", bdir);
	char *cmk = xasprintf("%s/mmapport-config.mk", bdir);

	memset(sel, 0, sizeof(*sel));
	sel->prof = p;
	sel->work = work;
	sel->bdir = bdir;
	sel->dirs = json_object();
	sel->reach = json_object();
	sel->config = xmalloc(sizeof(*sel->config));
	memset(sel->config, 0, sizeof(*sel->config));
	arch_load_config(bdir, sel->config);
	write_file(mk, lists_mk, strlen(lists_mk));
	write_file(cmk, config_mk, strlen(config_mk));
	free(mk);
	free(cmk);
}

void arch_selection_free(struct arch_selection *sel)
{
	json_decref(sel->dirs);
	json_decref(sel->reach);
	strlist_free(sel->config);
	free(sel->config);
}

/*
 * Whether the profile builds file: NULL when it does, otherwise the reason
 * it is not applicable.  The object must be in the real-obj-y, real-obj-m
 * or lib-y of a directory kbuild reaches: the file's own directory, one
 * above it (obj-y += sub/foo.o), or one of arch/SRCARCH whose Makefile
 * includes a Makefile fragment of the file's directory (virt/kvm).
 */
char *arch_applies(struct arch_selection *sel, const char *file, int *gated)
{
	const struct arch_profile *p = sel->prof;
	char *obj = xstrdup(file), *dir = dirname_of(file), *a, *why = NULL;
	struct strlist cands = { 0 }, syms = { 0 };
	int i, listed = 0;

	*gated = 0;
	if (other_arch_file(file, p->srcarch)) {
		free(obj);
		free(dir);
		return xasprintf("another architecture's file: not built for %s", p->srcarch);
	}
	obj[strlen(obj) - 1] = 'o';
	for (a = xstrdup(dir); *a; ) {
		char *up = dirname_of(a);

		strlist_add(&cands, a);
		free(a);
		a = up;
	}
	free(a);
	{
		/* Makefile fragments of the directory, included from arch/SRCARCH */
		char *pat = xasprintf("%s/%s/Makefile.*", sel->work, dir);
		size_t skip = strlen(sel->work) + 1, k;
		glob_t g;

		if (!glob(pat, 0, NULL, &g)) {
			for (k = 0; k < g.gl_pathc; k++)
				includers(sel->work, p->srcarch, g.gl_pathv[k] + skip, &cands);
			globfree(&g);
		}
		free(pat);
	}
	why = NULL;
	for (i = 0; i < cands.n; i++) {
		json_t *l = kbuild_lists(sel, cands.v[i]);

		if (!l || !json_list_has(json_object_get(l, "objs"), obj))
			continue;
		listed = 1;
		free(why);
		why = kbuild_reaches(sel, cands.v[i], gated);
		if (!why)
			break;
	}
	if (!listed) {
		char *g = arch_file_gates(sel->work, p, file, &syms), *unset;

		*gated = 1;
		unset = unset_symbols(sel->config, &syms);
		why = xasprintf("kbuild does not build %s under %s's %s%s", obj, p->name,
				p->config, *unset ? unset : g ? "" : "");
		if (!*unset && g) {
			char *w = xasprintf("%s: %s", why, g);

			free(why);
			why = w;
		}
		free(unset);
		free(g);
	}
	strlist_free(&cands);
	strlist_free(&syms);
	free(obj);
	free(dir);
	return why;
}
