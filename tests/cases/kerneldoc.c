// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a handler with kernel-doc: the doc follows the rename (W=1 checks it), its parameters become @desc
 * check-category: simple
 * check-output: kerneldoc.mainline.expected
 * check-output-rfc: kerneldoc.rfc.expected
 * check-coccicheck: report-only the kernel-doc follows the rename in convert, not in the rule
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct kd_vm_ops;

/**
 * kd_mmap - maps the device's buffer into userspace
 * @file: file structure for the device,
 *        opened by the caller
 * @vma: VMA to map the buffer into
 *
 * Sets the VMA's operations; the pages come at fault time.
 */
static int kd_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vma->vm_ops = &kd_vm_ops;
	return 0;
}

static const struct file_operations kd_fops = {
	.owner = THIS_MODULE,
	.mmap = kd_mmap,
};
