// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: library handlers registered as they are, whose prepare twins the tree declares: the registrations take the twins
 * check-category: simple simple
 * check-output: twin-lib.mainline.expected
 * check-output-rfc: twin-lib.mainline.expected
 * check-fact: generic_file_mmap: .twin == "generic_file_mmap_prepare" and .subcategory == "twin"
 * check-equivalence: mainline stated generic_file_mmap_prepare
 * check-equivalence: rfc stated generic_file_readonly_mmap_prepare
 * check-coccicheck: mmapport-only the twins are found in the tree by mmapport (-D twin_names), and the rule alone never takes one
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct file_operations lib_fops = {
	.read_iter	= NULL,
	.mmap		= generic_file_mmap,
};

static const struct file_operations lib_ro_fops = {
	.mmap		= generic_file_readonly_mmap,
};
