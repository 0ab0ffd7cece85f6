// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a one-way latch set under a lock, as sg's mmap_called: stays in prepare, stated
 * check-category: simple
 * check-output: latch.mainline.expected
 * check-output-rfc: latch.rfc.expected
 * check-equivalence: mainline stated sfp->mmap_called
 * check-equivalence: rfc stated sfp->mmap_called
 * check-equivalence: mainline stated mutex_lock
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct la_fd {
	struct mutex lock;
	int mmap_called;
	unsigned long buflen;
};

static const struct vm_operations_struct la_vm_ops;

static int la_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct la_fd *sfp = filp->private_data;
	int ret = 0;

	if (vma->vm_pgoff)
		return -EINVAL;
	mutex_lock(&sfp->lock);
	if (vma->vm_end - vma->vm_start > sfp->buflen) {
		ret = -ENOMEM;
		goto out;
	}
	sfp->mmap_called = 1;
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = sfp;
	vma->vm_ops = &la_vm_ops;
out:
	mutex_unlock(&sfp->lock);
	return ret;
}

static const struct file_operations la_fops = {
	.mmap		= la_mmap,
};
