// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a driver's version test for older kernels: the branch dead on this release neither blocks the conversion nor is rewritten
 * check-category: simple
 * check-output: version-dead.mainline.expected
 * check-output-rfc: version-dead.rfc.expected
 * check-fact: vd_mmap: .analysis.dead_branches == [{"line": 15, "directive": "#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)", "from": 16, "to": 16}]
 */
#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>

static int vd_mmap(struct file *file, struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#else
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#endif
	vma->vm_private_data = file->private_data;
	return 0;
}

static const struct file_operations vd_fops = {
	.mmap = vd_mmap,
};
