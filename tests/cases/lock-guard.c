// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: arch/powerpc vas-api coproc_mmap shape: guard(mutex) held across the remap (docs/hazards.md, H6)
 * check-category: pfn-remap
 * check-reason: mainline a mainline action runs after prepare returns, outside the lock
 * check-reason: rfc the guard would be released when prepare returns
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lg_win { struct mutex mmap_mutex; int active; unsigned long paste; };

static int lg_mmap(struct file *fp, struct vm_area_struct *vma)
{
	struct lg_win *w = fp->private_data;

	guard(mutex)(&w->mmap_mutex);
	if (!w->active)
		return -EACCES;
	return remap_pfn_range(vma, vma->vm_start, w->paste >> PAGE_SHIFT,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static const struct file_operations lg_fops = {
	.mmap = lg_mmap,
};
