// SPDX-License-Identifier: GPL-2.0
/*
 * Mainline, mmapport's state plan given: a handler defined twice, under
 * #ifdef and #else.  The rule keys its plan by the handler's name, and a
 * rewrite that matches the name would apply the plan of the first
 * definition to both: it refuses the handler, and the file stays as it is.
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct dt_obj { struct kref ref; };

static void dt_release(struct kref *ref)
{
}

static void dt_close(struct vm_area_struct *vma)
{
	struct dt_obj *o = vma->vm_file->private_data;

	kref_put(&o->ref, dt_release);
}

static const struct vm_operations_struct dt_ops = {
	.close = dt_close,
};

#ifdef CONFIG_DT_REF
static int dt_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dt_obj *o = file->private_data;

	kref_get(&o->ref);
	vma->vm_ops = &dt_ops;
	return 0;
}
#else
static int dt_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}
#endif

static const struct file_operations dt_fops = {
	.mmap = dt_mmap,
};
