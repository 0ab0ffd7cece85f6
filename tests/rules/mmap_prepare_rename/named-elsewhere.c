// SPDX-License-Identifier: GPL-2.0
/*
 * A handler defined in another file (lib_mmap) and named here: its
 * prototype, a registration and its export; other_mmap, named the same
 * ways, is not converted.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>

struct vm_area_struct;

int lib_mmap(struct file *file, struct vm_area_struct *vma);
int other_mmap(struct file *, struct vm_area_struct *);

static const struct file_operations lib_fops = {
	.mmap = lib_mmap,
};

static const struct file_operations other_fops = {
	.mmap = other_mmap,
};

EXPORT_SYMBOL_GPL(lib_mmap);
EXPORT_SYMBOL(other_mmap);
