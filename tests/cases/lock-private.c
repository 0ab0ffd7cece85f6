// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: rfc: a mutex of the file's private data held across the remap (docs/hazards.md, H6)
 * check-category: pfn-remap
 * check-output-rfc: lock-private.rfc.expected
 * check-reason: mainline a mainline action runs after prepare returns, outside the lock
 * check-change: rfc it is held across the core's VMA setup in between
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lp_dev { struct mutex lock; unsigned long phys; bool dead; };

static int lp_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct lp_dev *dev = filp->private_data;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&dev->lock);
	if (dev->dead) {
		mutex_unlock(&dev->lock);
		return -ENODEV;
	}
	ret = remap_pfn_range(vma, vma->vm_start, dev->phys >> PAGE_SHIFT,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&dev->lock);
	return ret;
}

static const struct file_operations lp_fops = {
	.mmap = lp_mmap,
};
