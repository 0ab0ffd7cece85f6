// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: rfc: a lock held across a partial remap: refused for the remap, the file is left unchanged (the unlock pass 1 moved is not kept)
 * check-category: pfn-remap
 * check-reason: mainline a mainline action runs after prepare returns, outside the lock
 * check-reason: rfc a partial remap has no remap_pfn_range_prepare() form
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lq_dev { struct mutex lock; unsigned long phys; bool dead; };

static int lq_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct lq_dev *dev = filp->private_data;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&dev->lock);
	if (dev->dead) {
		mutex_unlock(&dev->lock);
		return -ENODEV;
	}
	ret = remap_pfn_range(vma, vma->vm_start, dev->phys >> PAGE_SHIFT,
			      PAGE_SIZE, vma->vm_page_prot);
	mutex_unlock(&dev->lock);
	return ret;
}

static const struct file_operations lq_fops = {
	.mmap = lq_mmap,
};
