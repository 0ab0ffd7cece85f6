// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: an allocation kept in vma->vm_private_data, freed by goto unwinding and in close
 * check-category: stateful
 * (VM_DONTEXPAND: the mapping cannot merge, so rfc's mmap_abort covers every
 * failure after prepare; docs/core-rules.md)
 * check-output-rfc: state-alloc-private.rfc.expected
 * check-change: rfc the new mmap_abort hook releases what prepare took, kzalloc(sizeof(*b)), as the old failure path did: kfree(b)
 * check-reason: mainline kzalloc(sizeof(*b)) allocates what the mapping keeps
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ap_buf { unsigned long npages; unsigned long max; };

static void ap_close(struct vm_area_struct *vma)
{
	kfree(vma->vm_private_data);
}

static const struct vm_operations_struct ap_vm_ops = {
	.close = ap_close,
};

static int ap_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long *max = file->private_data;
	struct ap_buf *b;
	int ret;

	if (vma->vm_pgoff)
		return -EINVAL;
	b = kzalloc(sizeof(*b), 0);
	if (!b)
		return -ENOMEM;
	b->npages = vma_pages(vma);
	b->max = *max;
	if (b->npages > b->max) {
		ret = -EINVAL;
		goto err_free;
	}
	vma->vm_private_data = b;
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &ap_vm_ops;
	return 0;

err_free:
	kfree(b);
	return ret;
}

static const struct file_operations ap_fops = {
	.mmap = ap_mmap,
};
