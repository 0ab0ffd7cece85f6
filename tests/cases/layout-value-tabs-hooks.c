// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a lock held through the remap (hazard-lock.c), registered with values aligned by tabs after "=": rfc's three hooks each keep the column where they reach it
 * check-category: pfn-remap
 * check-reason: mainline docs/hazards.md, H6
 * check-output-rfc: layout-value-tabs-hooks.rfc.expected
 * check-change: rfc it is held across the core's VMA setup in between
 * check-conversion: rfc region_mmap: .abort_function == "region_mmap_abort"
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
	return ret;
}

static const struct file_operations region_fops = {
	.owner =	THIS_MODULE,
	.mmap =		region_mmap,
};
