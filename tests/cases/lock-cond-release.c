// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: rfc refuses a lock held across the remap whose release after it is conditional (docs/hazards.md, H6)
 * check-category: pfn-remap
 * check-reason: mainline a mainline action runs after prepare returns, outside the lock
 * check-reason: rfc "if (ret)" runs between remap_pfn_range() and the release of the lock
 */
#include <linux/fs.h>
#include <linux/mm.h>

static DEFINE_MUTEX(lc_lock);
static unsigned long lc_phys;
static int lc_users;

static int lc_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	mutex_lock(&lc_lock);
	ret = remap_pfn_range(vma, vma->vm_start, lc_phys >> PAGE_SHIFT,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	if (ret)
		mutex_unlock(&lc_lock);
	else
		lc_users++;
	if (!ret)
		mutex_unlock(&lc_lock);
	return ret;
}

static const struct file_operations lc_fops = {
	.mmap = lc_mmap,
};
