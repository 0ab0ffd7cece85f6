// SPDX-License-Identifier: GPL-2.0
/*
 * Two remaps of a size each handler proved to be that of the VMA, whose
 * failure returns the remap's own error: NAME_complete() repeats the size
 * as written, and the remap function each handler called.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#define SG_BASE 0xfed00000UL

static int sg_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;

	return remap_pfn_range(vma, vma->vm_start, SG_BASE >> PAGE_SHIFT,
			       PAGE_SIZE, vma->vm_page_prot);
}

static int sg_io_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start != 2 * PAGE_SIZE)
		return -EINVAL;

	return io_remap_pfn_range(vma, vma->vm_start, SG_BASE >> PAGE_SHIFT,
				  2 * PAGE_SIZE, vma->vm_page_prot);
}

static const struct file_operations sg_fops = {
	.mmap		= sg_mmap,
};

static const struct file_operations sg_io_fops = {
	.mmap		= sg_io_mmap,
};
