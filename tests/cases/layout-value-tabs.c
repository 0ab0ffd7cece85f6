// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: registrations whose values are aligned with tabs after "=": the new one keeps the column
 * check-category: simple simple
 * check-output: layout-value-tabs.expected
 * check-output-rfc: layout-value-tabs.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct demo_vm_ops;

static ssize_t demo_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	return 0;
}

static int demo_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &demo_vm_ops;
	return 0;
}

static int other_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_private_data = file->private_data;
	return 0;
}

/* values in one column, reached with tabs after "=" */
static const struct file_operations demo_fops = {
	.owner =	THIS_MODULE,
	.read =		demo_read,
	.mmap =		demo_mmap,
};

/* no column to keep: one tab after "=", as before */
static const struct file_operations other_fops = {
	.owner = THIS_MODULE,
	.mmap =	other_mmap,
};
