// SPDX-License-Identifier: GPL-2.0
/*
 * Mainline, mmapport's state plans given: NAME_mapped() declares the
 * three locals its takes use in the handler's order (one through the
 * file, one with the handler's initialiser, one with the value of its
 * one assignment), makes the three takes in order, names the handler's
 * file parameter "file" (not the member spelled the same) and returns 0;
 * a handler with four takes is refused.
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ml_obj { struct kref ref; struct file *filp; };
struct ml_dev { struct ml_obj *obj; };
struct ml_iter { struct ml_dev *dev; };
void ml_close(struct vm_area_struct *vma);

static const struct vm_operations_struct ml_vm_ops = {
	.close = ml_close,
};

static const struct vm_operations_struct ml_four_ops = {
	.close = ml_close,
};

static int ml_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct ml_iter *it = filp->private_data;
	struct ml_dev *d = it->dev;
	struct ml_obj *o;

	o = d->obj;
	kref_get(&o->ref);
	get_file(filp);
	get_file(o->filp);
	vma->vm_ops = &ml_vm_ops;
	return 0;
}

static int ml_four_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct ml_obj *o = filp->private_data;

	kref_get(&o->ref);
	get_file(filp);
	get_file(o->filp);
	kref_get(&o->ref);
	vma->vm_ops = &ml_four_ops;
	return 0;
}

static const struct file_operations ml_fops = {
	.mmap = ml_mmap,
};

static const struct file_operations ml_four_fops = {
	.mmap = ml_four_mmap,
};
