// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: vm_flags_mod(): set, then clear, on the descriptor
 * check-category: simple
 * check-output: simple-flags-mod.mainline.expected
 * check-output-rfc: simple-flags-mod.mainline.expected
 * check-equivalence: mainline exact
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct mod_vm_ops;

static int mod_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYWRITE | VM_MAYEXEC);
	vma->vm_ops = &mod_vm_ops;
	return 0;
}

static const struct file_operations mod_fops = {
	.mmap = mod_mmap,
};
