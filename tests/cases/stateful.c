// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: takes a reference kept by the mapping
 * check-category: stateful
 * check-refused: mainline s_vm_ops is not defined in this file with a designated initialiser
 * check-output-rfc: stateful.rfc.expected
 * check-equivalence: rfc stated
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct obj { struct kref ref; };
static const struct vm_operations_struct s_vm_ops;

static int s_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct obj *o = file->private_data;

	kref_get(&o->ref);
	vma->vm_private_data = o;
	vma->vm_ops = &s_vm_ops;
	return 0;
}

static const struct file_operations s_fops = {
	.mmap = s_mmap,
};
