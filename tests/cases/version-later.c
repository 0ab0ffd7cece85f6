// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a version test for a later release than the target's: not settled, refused
 * check-category: simple
 * check-coccicheck: rule-only the version test for a later release is unsettled against the target's release, which the rule alone does not know
 * check-refused: mainline a version test the conversion cannot settle for this release and every later one (line 16: #if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 5, 0))
 * check-refused: rfc a version test the conversion cannot settle
 */
#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>

static int vl_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 5, 0)
	vma->vm_private_data = NULL;
#endif
	return 0;
}

static const struct file_operations vl_fops = {
	.mmap = vl_mmap,
};
