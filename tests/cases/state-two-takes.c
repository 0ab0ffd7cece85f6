// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: two takes unwound by goto: mmap_abort releases both, in the unwinding's order
 * check-category: stateful
 * (VM_DONTEXPAND: the mapping cannot merge, so rfc's mmap_abort covers every
 * failure after prepare; docs/core-rules.md)
 * check-output-rfc: state-two-takes.rfc.expected
 * check-change: rfc as the old failure path did: atomic_dec(&tt->users); kref_put(&tt->ref, tt_release)
 * check-reason: mainline the handler can still fail after kref_get(&tt->ref)
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct tt_dev { struct kref ref; int users; unsigned long npages; };
void atomic_inc(int *v);
void atomic_dec(int *v);

static void tt_release(struct kref *ref)
{
}

static void tt_close(struct vm_area_struct *vma)
{
	struct tt_dev *tt = vma->vm_private_data;

	atomic_dec(&tt->users);
	kref_put(&tt->ref, tt_release);
}

static const struct vm_operations_struct tt_vm_ops = {
	.close = tt_close,
};

static int tt_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct tt_dev *tt = file->private_data;
	int ret;

	kref_get(&tt->ref);
	atomic_inc(&tt->users);
	if (vma_pages(vma) > tt->npages) {
		ret = -EINVAL;
		goto err_dec;
	}
	vma->vm_private_data = tt;
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &tt_vm_ops;
	return 0;

err_dec:
	atomic_dec(&tt->users);
	kref_put(&tt->ref, tt_release);
	return ret;
}

static const struct file_operations tt_fops = {
	.mmap = tt_mmap,
};
