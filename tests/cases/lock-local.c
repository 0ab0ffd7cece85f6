// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: rfc refuses a lock reached through a local that mmap_complete cannot get back (docs/hazards.md, H6)
 * check-category: pfn-remap
 * check-reason: mainline a mainline action runs after prepare returns, outside the lock
 * check-reason: rfc neither file->private_data nor desc->mmap_context (it carries the PFN)
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ll_dev { struct mutex lock; unsigned long phys; };
struct ll_dev *ll_lookup(unsigned long pgoff);

static int ll_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ll_dev *dev = ll_lookup(vma->vm_pgoff);
	int ret;

	if (!dev)
		return -ENODEV;
	mutex_lock(&dev->lock);
	ret = remap_pfn_range(vma, vma->vm_start, dev->phys >> PAGE_SHIFT,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&dev->lock);
	return ret;
}

static const struct file_operations ll_fops = {
	.mmap = ll_mmap,
};
