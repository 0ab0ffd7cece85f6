// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: rfc refuses a spinlock held across the remap: the core's VMA setup may sleep (docs/hazards.md, H6)
 * check-category: pfn-remap
 * check-reason: mainline a mainline action runs after prepare returns, outside the lock
 * check-reason: rfc only a mutex or an rw_semaphore can be carried into mmap_complete
 */
#include <linux/fs.h>
#include <linux/mm.h>

static spinlock_t ls_lock;
static unsigned long ls_phys;

static int ls_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	spin_lock(&ls_lock);
	ret = remap_pfn_range(vma, vma->vm_start, ls_phys >> PAGE_SHIFT,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	spin_unlock(&ls_lock);
	return ret;
}

static const struct file_operations ls_fops = {
	.mmap = ls_mmap,
};
