// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: sets vm_ops, flags and private data: converts
 * check-category: simple
 * check-output: simple-vmops.mainline.expected
 * check-output-rfc: simple-vmops.mainline.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct demo_vm_ops;

static int demo_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* one page only */
	if (vma_pages(vma) != 1)
		return -EINVAL;

	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
	vma->vm_ops = &demo_vm_ops;
	vma->vm_private_data = file->private_data;
	return 0;
}

static struct file_operations demo_fops = {
	.owner		= THIS_MODULE,
	.mmap		= demo_mmap,
};
