// SPDX-License-Identifier: GPL-2.0
/*
 * rfc: a lock held across the remap, and the return after its release
 * under #ifdef (the code is tests/cases/hazard-lock.c's with that tail):
 * spatch follows no path from such a return to the closing brace, yet the
 * rule reads the handler to its end and refuses for the #ifdef between
 * the remap and the return (a rule that took only the statements on
 * those paths cut the text at the early return's block and gave a wrong
 * reason, or stopped on a Python KeyError).
 */
#include <linux/fs.h>
#include <linux/mm.h>

static DEFINE_MUTEX(region_mutex);
struct region { void *kmem; unsigned long size; };

static int region_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct region *plr = file->private_data;
	unsigned long vsize = vma->vm_end - vma->vm_start;
	int ret;

	mutex_lock(&region_mutex);
	if (vsize > plr->size) {
		mutex_unlock(&region_mutex);
		return -ENOSPC;
	}
	ret = remap_pfn_range(vma, vma->vm_start, __pa(plr->kmem) >> PAGE_SHIFT,
			      vsize, vma->vm_page_prot);
	mutex_unlock(&region_mutex);
#ifdef CONFIG_REGION_DEBUG
	return ret;
#else
	return ret;
#endif
}

static const struct file_operations region_fops = {
	.mmap = region_mmap,
};
