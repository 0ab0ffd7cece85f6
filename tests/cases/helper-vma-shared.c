// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a static helper that takes the VMA and is also called from a vm_ops hook stays as it is, and so does the handler
 * check-category: needs-vma
 * check-fact: hvh_mmap: [.analysis.followed[] | select(.fn == "hvh_check")][0] | .named == 2 and .refs == 2
 * check-refused: mainline a static function of this file used elsewhere too
 * check-refused: rfc a static function of this file used elsewhere too
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int hvh_check(struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	return 0;
}

static int hvh_access(struct vm_area_struct *vma, unsigned long addr, void *buf, int len,
		      int write)
{
	if (hvh_check(vma))
		return -EINVAL;
	return 0;
}

static const struct vm_operations_struct hvh_vm_ops = {
	.access		= hvh_access,
};

static int hvh_mmap(struct file *file, struct vm_area_struct *vma)
{
	int rc = hvh_check(vma);

	if (rc)
		return rc;
	vma->vm_ops = &hvh_vm_ops;
	return 0;
}

static const struct file_operations hvh_fops = {
	.mmap		= hvh_mmap,
};
