// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: rfc: a remap per branch (drivers/char/bsr.c shape, shared mappings only) moves whole to mmap_complete
 * check-category: pfn-remap
 * check-output-rfc: remap-branches.rfc.expected
 * check-reason: mainline several mapping calls (io_remap_pfn_range, remap_pfn_range)
 * check-change: rfc move, as written, to mmap_complete
 * check-change: rfc prepare sets VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct rb_dev { unsigned long addr; unsigned long len; };

static int rb_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct rb_dev *dev = filp->private_data;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);

	if (dev->len < PAGE_SIZE && size == PAGE_SIZE)
		ret = remap_pfn_range(vma, vma->vm_start, dev->addr >> 12,
				      PAGE_SIZE, vma->vm_page_prot);
	else if (size <= dev->len)
		ret = io_remap_pfn_range(vma, vma->vm_start,
					 dev->addr >> PAGE_SHIFT,
					 size, vma->vm_page_prot);
	else
		return -EINVAL;

	if (ret)
		return -EAGAIN;

	return 0;
}

static const struct file_operations rb_fops = {
	.mmap = rb_mmap,
};
