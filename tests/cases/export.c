// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: an exported handler: other modules may call it by its old name
 * check-category: simple
 * check-refused: mainline ex_mmap() is exported (EXPORT_SYMBOL) and no other file of the tree names it
 * check-refused: rfc ex_mmap() is exported (EXPORT_SYMBOL) and no other file of the tree names it
 * check-fact: ex_mmap: .exported == true
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/export.h>

int ex_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}
EXPORT_SYMBOL_GPL(ex_mmap);

static const struct file_operations ex_fops = {
	.mmap = ex_mmap,
};
