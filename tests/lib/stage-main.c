// SPDX-License-Identifier: GPL-2.0
/*
 * stage-main.c - one stage of mmapport, linked without tools/mmapport.c
 * (its main()), run on an output directory made of fixture JSON, as
 * tools/testing/vma runs mm code in userspace: tests/49-stage-alone.t.
 *
 * Usage: stage-main report DIR
 * Loads DIR/records.json (its shape checked, as every stage does) and
 * writes DIR/report.txt and DIR/report.html from it.
 */
#include <stdio.h>
#include <string.h>

#include "../../tools/mmapport.h"

int main(int argc, char **argv)
{
	struct options o = { .out = argc > 2 ? argv[2] : NULL };
	json_t *records, *none = json_object();
	int r;

	if (argc != 3 || strcmp(argv[1], "report")) {
		fprintf(stderr, "usage: stage-main report DIR\n");
		return 2;
	}
	records = load_records(&o);
	r = report_records(&o, records, none, none);
	if (!r)
		r = report_html(&o, records, none);
	json_decref(records);
	json_decref(none);
	return r;
}
