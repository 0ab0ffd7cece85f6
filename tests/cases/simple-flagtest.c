// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: flag tests and pgoff: converts to vma_desc_test
 * check-category: simple
 * check-output: simple-flagtest.mainline.expected
 * check-output-rfc: simple-flagtest.mainline.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct ro_vm_ops;

static int ro_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff)
		return -EINVAL;
	vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_ops = &ro_vm_ops;
	return 0;
}

static struct file_operations ro_fops = {
	.mmap = ro_mmap,
};
