// SPDX-License-Identifier: GPL-2.0
/*
 * records.c - the record store: where a stage's outputs live in --out,
 * and records.json loaded and saved (docs/design.md).  Every stage reads
 * and writes its facts here; none links against the command (mmapport.c).
 */
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "inputs.h"

char *out_path(const struct options *o, const char *name)
{
	return xasprintf("%s/%s", o->out, name);
}

/* DIR/build/NAME: the build directory of the architecture profile NAME. */
char *arch_build_dir(const struct options *o, const char *name)
{
	return xasprintf("%s/build/%s", o->out, name);
}

/* classify's output NAME, WHAT, loaded and its shape checked by load. */
static json_t *load_classified(const struct options *o, const char *name, const char *what,
			       json_t *(*load)(const char *path))
{
	char *p = out_path(o, name);
	json_t *j;

	if (!path_exists(p))
		die("%s: no %s yet; run 'mmapport classify' (or 'run') first", p, what);
	j = load(p);
	free(p);
	return j;
}

json_t *load_records(const struct options *o)
{
	return load_classified(o, "records.json", "records", load_records_file);
}

void save_records(const struct options *o, json_t *records)
{
	char *p = out_path(o, "records.json");

	if (json_dump_path(records, p))
		die("%s: cannot write", p);
	free(p);
}

/* Another output of a stage, NAME in --out: core-rules.json, dispatchers.json. */
void save_out(const struct options *o, const char *name, json_t *j)
{
	char *p = out_path(o, name);

	if (json_dump_path(j, p))
		die("%s: cannot write", p);
	free(p);
}

/* The core's rules classify read from the tree (core-rules.json). */
json_t *load_core_rules(const struct options *o)
{
	return load_classified(o, "core-rules.json", "core rules", load_core_rules_file);
}

/* The return of an analysis that succeeds (classify's analysis.success_return). */
json_t *success_return(json_t *an)
{
	json_t *i = json_object_get(an, "success_return");

	return json_is_integer(i) ? json_array_get(json_object_get(an, "returns"),
						   json_integer_value(i)) : NULL;
}

/* A tree-relative file as one name of --out: '/' written '_'. */
char *flat_path(const char *file)
{
	char *flat = xstrdup(file);

	for (char *s = flat; *s; s++)
		if (*s == '/')
			*s = '_';
	return flat;
}

/*
 * The file r's handler is defined in, where a conversion rewrites it:
 * classify's analysis.def_file when another file defines it, else the
 * record's own; a library registration that takes its twin changes only
 * in the registering file.
 */
const char *record_def_file(json_t *r)
{
	const char *df = jstr(json_object_get(r, "analysis"), "def_file");

	return df && !jstr(r, "twin") ? df : jstr(r, "file");
}

/* Where convert writes the conversion of file: diffs/FILE.patch. */
char *diff_rel_path(const char *file)
{
	char *flat = flat_path(file), *d = xasprintf("diffs/%s.patch", flat);

	free(flat);
	return d;
}

/*
 * The conversion that changes file, as its records name it
 * (conversion.diff, under --out, of a record whose conversion.files has
 * file), or NULL when none does.
 */
char *record_diff(const struct options *o, json_t *records, const char *file)
{
	json_t *r;
	size_t i;

	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");

		if (jstr(c, "diff") && json_object_get(json_object_get(c, "files"), file))
			return out_path(o, jstr(c, "diff"));
	}
	return NULL;
}
