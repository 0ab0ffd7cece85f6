// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a NULL hook and a handler already on mmap_prepare
 * check-category: no-handler already-prepare
 * check-refused: mainline the hook is set to 'NULL'
 * check-refused: rfc the hook is set to 'NULL'
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int p_mmap_prepare(struct vm_area_desc *desc)
{
	return 0;
}

static const struct file_operations n_fops = {
	.mmap = NULL,
};

static const struct file_operations p_fops = {
	.mmap_prepare = p_mmap_prepare,
};
