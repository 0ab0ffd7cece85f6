// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: the VMA passed to a function whose prototype in the tree takes a struct vm_area_desc * (code written for an older kernel): the descriptor goes there
 * check-category: simple
 * check-output: desc-prototype.mainline.expected
 * check-output-rfc: desc-prototype.rfc.expected
 * check-coccicheck: mmapport-only the prototypes that take the descriptor are read by the analyzer (-D desc_fn_names), and the rule alone never rewrites such a call
 */
#include <linux/fs.h>
#include <linux/mm.h>
bool dx_supported(const struct vm_area_desc *desc, void *dev);
static const struct vm_operations_struct dx_vm_ops;
static int dx_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!dx_supported(vma, file->private_data))
		return -EINVAL;
	file_accessed(file);
	vma->vm_ops = &dx_vm_ops;
	return 0;
}
static const struct file_operations dx_fops = {
	.mmap		= dx_mmap,
};
