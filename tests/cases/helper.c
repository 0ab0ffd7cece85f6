// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a static helper receives the VMA and remaps: followed
 * check-category: pfn-remap
 * check-refused: mainline no mapping call in the body of the handler as spatch parsed
 * check-refused: rfc no mapping call in the body of the handler as spatch parsed
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int do_map(struct vm_area_struct *area, unsigned long pfn)
{
	return io_remap_pfn_range(area, area->vm_start, pfn,
				  area->vm_end - area->vm_start, area->vm_page_prot);
}

static int h_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff)
		return -EINVAL;
	return do_map(vma, 42);
}

static const struct file_operations h_fops = {
	.mmap = h_mmap,
};
