// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a shared-writable test written as two flag tests joined by &&, a library call returned on one path
 * check-category: simple
 * check-output: two-flag-test.mainline.expected
 * check-output-rfc: two-flag-test.rfc.expected
 * check-coccicheck: mmapport-only the twins are found in the tree by mmapport (-D twin_names), and the rule alone never takes one (the #else alias)
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct tf_dax_vm_ops;

#ifdef CONFIG_MMAPPORT_ON
static int tf_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!IS_DAX(file_inode(file)))
		return generic_file_readonly_mmap(file, vma);

	if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_MAYWRITE))
		return -EINVAL;

	vma->vm_ops = &tf_dax_vm_ops;
	vm_flags_set(vma, VM_HUGEPAGE);
	return 0;
}
#else
#define tf_file_mmap	generic_file_readonly_mmap
#endif

static const struct file_operations tf_fops = {
	.mmap		= tf_file_mmap,
};
