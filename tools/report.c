// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - DIR/report.txt from the records: counts, then every handler
 * that was converted, dropped or refused, with its reason.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapport.h"
#include "analyzer/analyzer.h"

static void count(json_t *counts, const char *key)
{
	json_t *c = json_object_get(counts, key);

	json_object_set_new(counts, key, json_integer(c ? json_integer_value(c) + 1 : 1));
}

static void print_counts(FILE *f, const char *title, json_t *counts)
{
	const char *k;
	json_t *v;

	fprintf(f, "%s\n", title);
	json_object_foreach(counts, k, v)
		fprintf(f, "  %-50s %5lld\n", k, (long long)json_integer_value(v));
	fprintf(f, "\n");
}

int report_records(const struct options *o, json_t *records, json_t *timings)
{
	char *path = out_path(o, "report.txt");
	json_t *by_ops = json_object(), *by_cat = json_object(), *r, *v;
	FILE *f = fopen(path, "w");
	const char *k;
	size_t i;

	if (!f)
		die("%s: cannot write", path);
	json_array_foreach(records, i, r) {
		const char *t = jstr(r, "ops_type");
		char *key = xasprintf("%s.%s", t ? t : "(unknown)", jstr(r, "hook"));

		count(by_ops, key);
		count(by_cat, jstr(r, "category") ? jstr(r, "category") : "(unclassified)");
		free(key);
	}
	fprintf(f, "mmapport report\n===============\n\n%zu registrations of mmap hooks.\n\n",
		json_array_size(records));
	print_counts(f, "By ops type and hook:", by_ops);
	print_counts(f, "By category:", by_cat);
	{
		json_t *plan = dispatcher_plan(records);

		dispatcher_plan_print(f, plan);
		json_decref(plan);
	}

	fprintf(f, "Conversions (file_operations, simple class):\n");
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "conversion");
		json_t *chk = json_object_get(json_object_get(r, "check"), "x86_64");

		if (!json_is_object(c))
			continue;
		fprintf(f, "  %-10s %s:%d %s()", jstr(c, "status"), jstr(r, "file"),
			jint(r, "line"), jstr(r, "function"));
		if (json_is_object(chk))
			fprintf(f, " [x86_64: %s]", jstr(chk, "status"));
		if (jstr(c, "reason"))
			fprintf(f, "\n             %s", jstr(c, "reason"));
		fprintf(f, "\n");
	}
	fprintf(f, "\nNot converted (file_operations handlers), with the facts that decided:\n");
	json_array_foreach(records, i, r) {
		const char *cat = jstr(r, "category");
		json_t *facts = json_object_get(r, "facts"), *x;
		size_t j;

		if (!cat || !strcmp(cat, "simple") || !jstr(r, "ops_type") ||
		    strcmp(jstr(r, "ops_type"), "file_operations") || !strcmp(cat, "already-prepare"))
			continue;
		fprintf(f, "  %-15s %s:%d %s()\n", cat, jstr(r, "file"), jint(r, "line"),
			jstr(r, "function") ? jstr(r, "function") : "NULL");
		json_array_foreach(facts, j, x)
			fprintf(f, "                  - %s\n", json_string_value(x));
	}
	if (json_object_size(timings)) {
		fprintf(f, "\nTimes (s):\n");
		json_object_foreach(timings, k, v)
			fprintf(f, "  %-10s %8.1f\n", k, json_number_value(v));
	}
	fclose(f);
	info("report: %s", path);
	json_decref(by_ops);
	json_decref(by_cat);
	free(path);
	return 0;
}
