// SPDX-License-Identifier: GPL-2.0
/*
 * Calls whose bodies are not in the file, judged by their names alone:
 * a name that says the call takes a reference or allocates makes the
 * handler stateful, and the rule alone leaves it (default deny); a call
 * whose name says nothing of the kind leaves it simple.
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct tn_dev;
int tn_pm_get_sync(struct tn_dev *d);
int tn_obj_get_unless_zero(struct tn_dev *d);
int tn_check(struct tn_dev *d);

static int tn_sync_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (tn_pm_get_sync(file->private_data) < 0)
		return -EIO;
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}

static int tn_zero_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!tn_obj_get_unless_zero(file->private_data))
		return -ENODEV;
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}

static int tn_plain_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (tn_check(file->private_data))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}

static const struct file_operations tn_sync_fops = {
	.mmap = tn_sync_mmap,
};

static const struct file_operations tn_zero_fops = {
	.mmap = tn_zero_mmap,
};

static const struct file_operations tn_plain_fops = {
	.mmap = tn_plain_mmap,
};
