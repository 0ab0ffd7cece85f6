// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: an exported handler: other modules may call it by its old name
 * check-category: needs-vma
 * check-refused: mainline ex_mmap() is also called or referenced directly
 * check-refused: rfc ex_mmap() is also called or referenced directly
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
