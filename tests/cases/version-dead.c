// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a driver's version test for older kernels, settled on this release and every later one: its dead branch neither blocks the conversion nor stays in the prepare handler
 * check-category: simple
 * check-coccicheck: mmapport-only the version test is settled against the target's release, which the rule alone does not know
 * check-output: version-dead.mainline.expected
 * check-output-rfc: version-dead.rfc.expected
 * check-fact: vd_mmap: .analysis.dead_branches == [{"line": 16, "directive": "#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)", "from": 17, "to": 17}]
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
