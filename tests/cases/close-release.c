// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a reference kept by the mapping and dropped by vm_ops->close (hazards 1, 2)
 * check-category: stateful
 * check-output: close-release.mainline.expected
 * check-change: mainline kref_get(&o->ref) is taken in the new cr_vm_ops.mapped hook, cr_mmap_mapped()
 * check-output-rfc: close-release.rfc.expected
 * check-change: rfc kref_get(&o->ref) is taken in the new mmap_complete hook, cr_mmap_complete()
 * check-equivalence: rfc stated
 * check-equivalence: mainline stated
 * check-fact: cr_mmap: .analysis.hazards.close_releases[0].call == "kref_put"
 * check-fact: cr_mmap: .analysis.hazards.mergeable == true
 * check-fact: cr_mmap: ([.reasons[].category] | unique) == ["stateful"]
 * check-fact: cr_mmap: [.analysis.fields_written[].field] == ["vm_private_data", "vm_ops"]
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct cr_obj { struct kref ref; };

static void cr_release(struct kref *ref)
{
}

static void cr_close(struct vm_area_struct *vma)
{
	struct cr_obj *o = vma->vm_private_data;

	kref_put(&o->ref, cr_release);
}

static const struct vm_operations_struct cr_vm_ops = {
	.close = cr_close,
};

static int cr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct cr_obj *o = file->private_data;

	kref_get(&o->ref);
	vma->vm_private_data = o;
	vma->vm_ops = &cr_vm_ops;
	return 0;
}

static const struct file_operations cr_fops = {
	.mmap = cr_mmap,
};
