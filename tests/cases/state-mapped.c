// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: references kept by the mapping: one found again through the file (mapped, mmap_complete), one whose vm_ops another handler shares (refused for mapped; mmap_complete needs no vm_ops)
 * check-category: stateful stateful
 * check-output: state-mapped.mainline.expected
 * check-change: mainline mapped finds its object again from the file's private_data
 * check-reason: mainline mp_shared_ops is also used by mp_other_mmap: a mapped hook there would run for mappings that did not take kref_get(&o->ref)
 * check-output-rfc: state-mapped.rfc.expected
 * check-change: rfc mmap_complete finds its object again from the file's private_data
 * check-equivalence: rfc stated
 * check-fact: mp_chain_mmap: .analysis.takes[0].use == "ignored"
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct mp_obj { struct kref ref; };
struct mp_iter { struct mp_obj *obj; };

static void mp_release(struct kref *ref)
{
}

static void mp_chain_close(struct vm_area_struct *vma)
{
	struct mp_iter *it = vma->vm_file->private_data;

	kref_put(&it->obj->ref, mp_release);
}

static const struct vm_operations_struct mp_chain_ops = {
	.close = mp_chain_close,
};

static int mp_chain_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mp_iter *it = file->private_data;
	struct mp_obj *o = it->obj;

	if (vma->vm_pgoff)
		return -EINVAL;
	kref_get(&o->ref);
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &mp_chain_ops;
	return 0;
}

static const struct file_operations mp_chain_fops = {
	.mmap = mp_chain_mmap,
};

static void mp_shared_close(struct vm_area_struct *vma)
{
	struct mp_obj *o = vma->vm_private_data;

	kref_put(&o->ref, mp_release);
}

static const struct vm_operations_struct mp_shared_ops = {
	.close = mp_shared_close,
};

static int mp_shared_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mp_obj *o = file->private_data;

	kref_get(&o->ref);
	vma->vm_private_data = o;
	vma->vm_ops = &mp_shared_ops;
	return 0;
}

static const struct file_operations mp_shared_fops = {
	.mmap = mp_shared_mmap,
};

/* installs the same vm_ops from somewhere else */
void mp_other_mmap(struct vm_area_struct *vma, struct mp_obj *o)
{
	vma->vm_private_data = o;
	vma->vm_ops = &mp_shared_ops;
}
