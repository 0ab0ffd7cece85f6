// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a version test inside a statement the conversion rewrites: the file is left as it was
 * check-category: simple
 * check-refused: mainline a line of a version-test branch for older kernels is inside a statement the conversion rewrites
 * check-refused: rfc a line of a version-test branch for older kernels is inside a statement
 */
#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>

static int vs_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma,
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
		     VM_IO |
#endif
		     VM_DONTEXPAND);
	return 0;
}

static const struct file_operations vs_fops = {
	.mmap = vs_mmap,
};
