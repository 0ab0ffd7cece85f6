// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: kernel-doc naming the handler alone (gfs2_mmap's shape), above an #ifdef around it (kernel-doc reads through it): it follows the rename too
 * check-category: simple
 * check-output: kerneldoc-ifdef.mainline.expected
 * check-output-rfc: kerneldoc-ifdef.rfc.expected
 * check-coccicheck: report-only the kernel-doc follows the rename in convert, not in the rule
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct kdi_vm_ops;

/**
 * kdi_mmap
 * @file: file structure for the device,
 *        opened by the caller
 * @vma: VMA to map the buffer into
 *
 * Sets the VMA's operations; the pages come at fault time.
 */
#ifdef __KERNEL__
static int kdi_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vma->vm_ops = &kdi_vm_ops;
	return 0;
}
#endif

static const struct file_operations kdi_fops = {
	.owner = THIS_MODULE,
	.mmap = kdi_mmap,
};
