// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig.c - a config variant that builds a file no profile builds.
 *
 * Some drivers are off in every all*config: their Kconfig symbol depends
 * on another symbol being off (MSHV_ROOT on !HYPERV_VTL_MODE, MSHV_VTL on
 * !MTRR), which all*config turns on.  For such a file, this reads the
 * "depends on" lines of the symbols that gate it, evaluates them against
 * the profile's .config, and proposes the fewest settings that satisfy
 * them: a symbol the expression needs on is turned on (its own
 * dependencies followed, to a bounded depth), a symbol it needs off is
 * turned off.  The proposal is only a guess: the caller configures a build
 * directory with it through the kernel's own all*config (KCONFIG_ALLCONFIG)
 * and keeps it only when the kernel's Kconfig agrees and kbuild then
 * builds the file.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"

enum kop { K_SYM, K_NOT, K_AND, K_OR, K_CMP };

struct kexpr {
	enum kop op;
	char *sym;		/* K_SYM */
	struct kexpr *l, *r;
};

struct kparse {
	const char *s;
	int bad;
};

static void kexpr_free(struct kexpr *e)
{
	if (!e)
		return;
	kexpr_free(e->l);
	kexpr_free(e->r);
	free(e->sym);
	free(e);
}

static struct kexpr *knode(enum kop op, struct kexpr *l, struct kexpr *r)
{
	struct kexpr *e = xmalloc(sizeof(*e));

	*e = (struct kexpr){ .op = op, .l = l, .r = r };
	return e;
}

static void kskip(struct kparse *p)
{
	while (isspace((unsigned char)*p->s))
		p->s++;
}

static struct kexpr *kparse_or(struct kparse *p);

static struct kexpr *kparse_atom(struct kparse *p)
{
	struct kexpr *e;
	const char *b;

	kskip(p);
	if (*p->s == '!' && p->s[1] != '=') {
		p->s++;
		return knode(K_NOT, kparse_atom(p), NULL);
	}
	if (*p->s == '(') {
		p->s++;
		e = kparse_or(p);
		kskip(p);
		if (*p->s == ')')
			p->s++;
		else
			p->bad = 1;
		return e;
	}
	b = p->s;
	if (*p->s == '"') {
		for (p->s++; *p->s && *p->s != '"'; p->s++)
			;
		if (*p->s)
			p->s++;
	} else {
		while (isalnum((unsigned char)*p->s) || *p->s == '_')
			p->s++;
	}
	if (p->s == b) {
		p->bad = 1;
		return knode(K_SYM, NULL, NULL);
	}
	e = knode(K_SYM, NULL, NULL);
	e->sym = strndup(b, p->s - b);
	kskip(p);
	/* A = B, A != B, A < B ...: evaluated, never solved */
	if (strchr("=!<>", *p->s) && *p->s) {
		while (strchr("=!<>", *p->s) && *p->s)
			p->s++;
		e = knode(K_CMP, e, kparse_atom(p));
	}
	return e;
}

static struct kexpr *kparse_and(struct kparse *p)
{
	struct kexpr *e = kparse_atom(p);

	for (kskip(p); !p->bad && !strncmp(p->s, "&&", 2); kskip(p)) {
		p->s += 2;
		e = knode(K_AND, e, kparse_atom(p));
	}
	return e;
}

static struct kexpr *kparse_or(struct kparse *p)
{
	struct kexpr *e = kparse_and(p);

	for (kskip(p); !p->bad && !strncmp(p->s, "||", 2); kskip(p)) {
		p->s += 2;
		e = knode(K_OR, e, kparse_and(p));
	}
	return e;
}

/* "depends on A if B" holds when A holds or B does not. */
static struct kexpr *kparse_depends(const char *text)
{
	struct kparse p = { .s = text };
	struct kexpr *e = kparse_or(&p);

	kskip(&p);
	if (!strncmp(p.s, "if", 2) && isspace((unsigned char)p.s[2])) {
		p.s += 2;
		e = knode(K_OR, e, knode(K_NOT, kparse_or(&p), NULL));
		kskip(&p);
	}
	if (p.bad || *p.s) {
		kexpr_free(e);
		return NULL;
	}
	return e;
}

/* ---- the Kconfig database: where each symbol is defined ---- */

struct kdb {
	const char *tree;
	const struct strlist *config;
	json_t *defs;		/* SYM -> "file:line" */
	struct strlist set;	/* the proposal: "SYM=y", "SYM=m", "SYM=n" */
};

/*
 * Where each symbol of srcarch's Kconfig world is defined.  One grep of the
 * tree per (tree, srcarch) in a run: check asks for each file it proposes
 * variants for, on each profile.
 */
static void kdb_load(struct kdb *db, const char *srcarch)
{
	static json_t *loaded;	/* "tree srcarch" -> defs */
	char *key = xasprintf("%s %s", db->tree, srcarch), *out, *line, *save;
	struct run_opts ro = { .dir = db->tree, .err = "/dev/null" };
	struct strlist cmd = { 0 };

	if (!loaded)
		loaded = json_object();
	db->defs = json_object_get(loaded, key);
	if (db->defs) {
		json_incref(db->defs);
		free(key);
		return;
	}
	/* grep's status is no matter: what it found is */
	strlist_add(&cmd, "grep");
	strlist_add(&cmd, "-rnE");
	strlist_add(&cmd, "--include=Kconfig*");
	strlist_add(&cmd, "--exclude-dir=arch");
	strlist_add(&cmd, "--exclude-dir=tools");
	strlist_add(&cmd, "--exclude-dir=Documentation");
	strlist_add(&cmd, "-e");
	strlist_add(&cmd, "^[[:space:]]*(menu)?config[[:space:]]+[A-Za-z0-9_]+");
	strlist_add(&cmd, "--");
	strlist_add(&cmd, ".");
	strlist_add(&cmd, "arch/Kconfig");
	strlist_addf(&cmd, "arch/%s", srcarch);
	out = capture_list(&ro, &cmd, NULL);
	strlist_free(&cmd);
	db->defs = json_object();
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char file[512], sym[128];
		int ln;

		if (sscanf(line, "%511[^:]:%d:%*s %127[A-Za-z0-9_]", file, &ln, sym) != 3)
			continue;
		if (!json_object_get(db->defs, sym)) {
			char *at = xasprintf("%s:%d", file[0] == '.' && file[1] == '/' ? file + 2 :
					     file, ln);

			json_object_set_new(db->defs, sym, json_string(at));
			free(at);
		}
	}
	json_object_set(loaded, key, db->defs);
	free(out);
	free(key);
}

/*
 * The type ('y' for bool, 'm' for tristate) and "depends on" lines of sym;
 * *prompt (may be NULL) says whether a user can set it (a prompt string).
 */
static int kdb_symbol_prompt(struct kdb *db, const char *sym, char *type, struct strlist *deps,
			     int *prompt)
{
	const char *at = json_string_value(json_object_get(db->defs, sym));
	char *file, *colon, *path, *buf, *line, *save = NULL;
	size_t len;
	int ln, n = 0;

	*type = 0;
	if (!at)
		return -1;
	file = xstrdup(at);
	colon = strrchr(file, ':');
	*colon = 0;
	ln = atoi(colon + 1);
	path = xasprintf("%s/%s", db->tree, file);
	buf = read_file(path, &len);
	for (line = buf; line && *line; line = *save ? save + 1 : NULL) {
		char *s = line;

		save = strchrnul(line, '\n');
		*save = 0;
		if (++n < ln) {
			*save = '\n';
			continue;
		}
		while (isspace((unsigned char)*s))
			s++;
		if (n > ln && (!strncmp(s, "config ", 7) || !strncmp(s, "menuconfig ", 11) ||
			       !strncmp(s, "endmenu", 7) || !strncmp(s, "menu ", 5) ||
			       !strncmp(s, "choice", 6) || !strncmp(s, "endchoice", 9) ||
			       !strncmp(s, "if ", 3) || !strncmp(s, "endif", 5) ||
			       !strncmp(s, "source ", 7) || !strncmp(s, "comment ", 8) ||
			       !strcmp(s, "help") || !strcmp(s, "---help---")))
			break;
		if (prompt && (((!strncmp(s, "tristate", 8) || !strncmp(s, "bool", 4)) &&
				strchr(s, '"')) || !strncmp(s, "prompt", 6)))
			*prompt = 1;
		if (!strncmp(s, "tristate", 8) || !strncmp(s, "def_tristate", 12))
			*type = 'm';
		else if (!strncmp(s, "bool", 4) || !strncmp(s, "def_bool", 8))
			*type = 'y';
		else if (!strncmp(s, "depends on", 10) && isspace((unsigned char)s[10]))
			strlist_add(deps, s + 11);
		*save = '\n';
	}
	free(buf);
	free(path);
	free(file);
	return *type ? 0 : -1;
}

static int kdb_symbol(struct kdb *db, const char *sym, char *type, struct strlist *deps)
{
	return kdb_symbol_prompt(db, sym, type, deps, NULL);
}

/*
 * Whether a user can set sym on srcarch (its definition has a prompt): 1,
 * 0 (def_bool y, as x86's MMU), or -1 when the tree does not define it.
 */
int kconfig_settable(const char *tree, const char *srcarch, const char *sym)
{
	struct kdb db = { .tree = tree };
	struct strlist deps = { 0 };
	char type;
	int prompt = 0, r;

	kdb_load(&db, srcarch);
	r = kdb_symbol_prompt(&db, sym, &type, &deps, &prompt);
	strlist_free(&deps);
	json_decref(db.defs);
	return r ? -1 : prompt;
}

/* The "depends on" lines of each of syms, into deps. */
void kconfig_depends(const char *tree, const char *srcarch, const struct strlist *syms,
		     struct strlist *deps)
{
	struct kdb db = { .tree = tree };
	char type;
	int i;

	kdb_load(&db, srcarch);
	for (i = 0; i < syms->n; i++)
		kdb_symbol(&db, syms->v[i], &type, deps);
	json_decref(db.defs);
}

/* ---- evaluation and the proposal ---- */

static const char *kdb_value(struct kdb *db, const char *sym)
{
	size_t n = strlen(sym);
	int i;

	for (i = db->set.n - 1; i >= 0; i--)
		if (!strncmp(db->set.v[i], sym, n) && db->set.v[i][n] == '=')
			return db->set.v[i] + n + 1;
	for (i = 0; i < db->config->n; i++)
		if (!strncmp(db->config->v[i], sym, n) && db->config->v[i][n] == '=')
			return db->config->v[i] + n + 1;
	return "n";
}

static int tri(struct kdb *db, const char *sym)
{
	const char *v;

	if (!strcmp(sym, "y") || !strcmp(sym, "m") || !strcmp(sym, "n"))
		v = sym;
	else
		v = kdb_value(db, sym);
	return *v == 'y' ? 2 : *v == 'm' ? 1 : 0;
}

static int keval(struct kdb *db, const struct kexpr *e)
{
	int a, b;

	switch (e->op) {
	case K_SYM:
		return tri(db, e->sym);
	case K_NOT:
		return 2 - keval(db, e->l);
	case K_AND:
		a = keval(db, e->l);
		b = keval(db, e->r);
		return a < b ? a : b;
	case K_OR:
		a = keval(db, e->l);
		b = keval(db, e->r);
		return a > b ? a : b;
	case K_CMP:
		/* only symbols that are already right are compared */
		return 2;
	}
	return 0;
}

static int kenable(struct kdb *db, const char *sym, int depth, char **why);

/* Change the proposal so that e holds; 0 on success. */
static int ksolve(struct kdb *db, const struct kexpr *e, int depth, char **why)
{
	int mark;

	if (keval(db, e))
		return 0;
	switch (e->op) {
	case K_SYM:
		return kenable(db, e->sym, depth, why);
	case K_NOT:
		if (e->l->op == K_SYM && strcmp(e->l->sym, "y") && strcmp(e->l->sym, "m")) {
			char *s = xasprintf("%s=n", e->l->sym);

			strlist_add(&db->set, s);
			free(s);
			return 0;
		}
		break;
	case K_AND:
		return ksolve(db, e->l, depth, why) || ksolve(db, e->r, depth, why) ||
		       !keval(db, e);
	case K_OR:
		mark = db->set.n;
		if (!ksolve(db, e->l, depth, why) && keval(db, e))
			return 0;
		while (db->set.n > mark)
			free(db->set.v[--db->set.n]);
		return ksolve(db, e->r, depth, why);
	case K_CMP:
		break;
	}
	if (!*why)
		*why = xstrdup("a dependency that is not a plain symbol");
	return -1;
}

static int kenable(struct kdb *db, const char *sym, int depth, char **why)
{
	struct strlist deps = { 0 };
	char type, *s;
	int i, r = 0;

	if (!strcmp(sym, "n") || depth > 4 || kdb_symbol(db, sym, &type, &deps)) {
		if (!*why)
			*why = xasprintf("cannot turn on %s%s", sym, depth > 4 ? " (too deep)" :
					 " (no Kconfig definition found)");
		strlist_free(&deps);
		return -1;
	}
	s = xasprintf("%s=%c", sym, type);
	strlist_add(&db->set, s);
	free(s);
	for (i = 0; !r && i < deps.n; i++) {
		struct kexpr *e = kparse_depends(deps.v[i]);

		if (!e) {
			if (!*why)
				*why = xasprintf("cannot read %s's \"depends on %s\"", sym, deps.v[i]);
			r = -1;
		} else {
			r = ksolve(db, e, depth + 1, why);
		}
		kexpr_free(e);
	}
	strlist_free(&deps);
	return r;
}

/*
 * A KCONFIG_ALLCONFIG fragment that should turn on each symbol of syms that
 * config has off, or NULL with *why.  *summary gets the settings in words.
 */
char *kconfig_enable(const char *tree, const char *srcarch, const struct strlist *config,
		     const struct strlist *syms, char **summary, char **why)
{
	struct kdb db = { .tree = tree, .config = config };
	char *frag = NULL, *sum = NULL, *t;
	int i, r = 0;

	*why = NULL;
	*summary = NULL;
	kdb_load(&db, srcarch);
	for (i = 0; !r && i < syms->n; i++)
		if (!tri(&db, syms->v[i]))
			r = kenable(&db, syms->v[i], 0, why);
	if (!r && !db.set.n) {
		*why = xstrdup("no symbol to change");
		r = -1;
	}
	for (i = 0; !r && i < db.set.n; i++) {
		char *eq = strchr(db.set.v[i], '=');
		int last = 1, k;

		/* the last word on a symbol wins; say each once */
		for (k = i + 1; k < db.set.n; k++)
			if (!strncmp(db.set.v[k], db.set.v[i], eq - db.set.v[i] + 1))
				last = 0;
		if (!last)
			continue;
		*eq = 0;
		if (eq[1] == 'n')
			t = xasprintf("%s# CONFIG_%s is not set\n", frag ? frag : "", db.set.v[i]);
		else
			t = xasprintf("%sCONFIG_%s=%c\n", frag ? frag : "", db.set.v[i], eq[1]);
		free(frag);
		frag = t;
		t = xasprintf("%s%sCONFIG_%s=%c", sum ? sum : "", sum ? ", " : "", db.set.v[i],
			      eq[1]);
		free(sum);
		sum = t;
		*eq = '=';
	}
	if (r) {
		free(frag);
		free(sum);
		frag = NULL;
	} else {
		*summary = sum;
	}
	strlist_free(&db.set);
	json_decref(db.defs);
	return frag;
}
