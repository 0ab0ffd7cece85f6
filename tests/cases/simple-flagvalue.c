// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a flag test used as a number, not a truth value: left alone
 * check-category: simple
 * check-refused: mainline the semantic patch did not convert it (a use of the VMA
 * check-refused: rfc the semantic patch did not convert it (a use of the VMA
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct val_vm_ops;

static int val_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long wr = vma->vm_flags & VM_WRITE;

	if (vma->vm_pgoff)
		return -EINVAL;
	vma->vm_ops = &val_vm_ops;
	vma->vm_private_data = (void *)wr;
	return 0;
}

static struct file_operations val_fops = {
	.mmap = val_mmap,
};
