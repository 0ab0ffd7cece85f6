// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a "#define handler NULL" for configurations without it follows the rename (spufs)
 * check-category: simple
 * check-output: simple-define-null.mainline.expected
 * check-output-rfc: simple-define-null.mainline.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct cntl_vmops;

#ifdef CONFIG_MMU
static int cntl_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	vm_flags_set(vma, VM_IO | VM_PFNMAP);
	vma->vm_ops = &cntl_vmops;
	return 0;
}
#else
#define cntl_mmap NULL
#endif

static const struct file_operations cntl_fops = {
	.mmap = cntl_mmap,
};
