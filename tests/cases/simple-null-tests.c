// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: the file tested for NULL before the VMA: the descriptor's test goes first
 * check-category: simple simple simple
 * check-output: simple-null-tests.expected
 * check-output-rfc: simple-null-tests.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct demo {
	int mapped;
};

static const struct vm_operations_struct demo_vm_ops;

/* sg's shape: parenthesized, with a third test that reads the file */
static int demo_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct demo *d;

	if ((!filp) || (!vma) || (!(d = filp->private_data)))
		return -ENXIO;
	vma->vm_ops = &demo_vm_ops;
	vma->vm_private_data = d;
	return 0;
}

static int other_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!file || !vma)
		return -ENXIO;
	vma->vm_ops = &demo_vm_ops;
	return 0;
}

/* mixed parentheses, last in a longer chain */
static int third_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma_pages(vma) > 4 || (!file) || !vma)
		return -ENXIO;
	vma->vm_ops = &demo_vm_ops;
	return 0;
}

static const struct file_operations third_fops = {
	.mmap		= third_mmap,
};

static const struct file_operations demo_fops = {
	.mmap		= demo_mmap,
};

static const struct file_operations other_fops = {
	.mmap		= other_mmap,
};
