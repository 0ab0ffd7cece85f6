// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a reference kept by the mapping that a failure return leaks: no release to derive
 * check-category: stateful
 * check-reason: rfc the failure return at line 38 keeps kref_get_unless_zero(&o->ref)
 * check-reason: mainline the failure return at line 38 keeps kref_get_unless_zero(&o->ref)
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ud_obj { struct kref ref; unsigned long npages; };
int kref_get_unless_zero(struct kref *kref);

static void ud_release(struct kref *ref)
{
}

static void ud_close(struct vm_area_struct *vma)
{
	struct ud_obj *o = vma->vm_private_data;

	kref_put(&o->ref, ud_release);
}

static const struct vm_operations_struct ud_vm_ops = {
	.close = ud_close,
};

static int ud_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ud_obj *o = file->private_data;

	if (!kref_get_unless_zero(&o->ref))
		return -ENODEV;

	/* the reference leaks here: nothing releases it on this path */
	if (vma_pages(vma) > o->npages)
		return -EINVAL;

	vma->vm_private_data = o;
	vma->vm_ops = &ud_vm_ops;
	return 0;
}

static const struct file_operations ud_fops = {
	.mmap = ud_mmap,
};
