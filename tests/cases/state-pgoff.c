// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a reference kept by a mapping that may merge, whose handler rewrites vm_pgoff: prepare's offset goes into the merge attempt, so the new hook would not run for the mappings the old ->mmap saw
 * check-category: stateful
 * check-refused: mainline it changes the flags, the offset or the file the merge compares
 * check-refused: rfc it changes the flags, the offset or the file the merge compares
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct po_obj { struct kref ref; };
static void po_close(struct vm_area_struct *vma);

static const struct vm_operations_struct po_vm_ops = {
	.close = po_close,
};

static int po_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct po_obj *o = file->private_data;

	vma->vm_pgoff = 0;
	kref_get(&o->ref);
	vma->vm_ops = &po_vm_ops;
	return 0;
}

static const struct file_operations po_fops = {
	.mmap = po_mmap,
};
