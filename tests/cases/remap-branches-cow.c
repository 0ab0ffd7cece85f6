// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: drivers/char/bsr.c shape: a remap per branch on a mapping that may be private (COW)
 * check-category: pfn-remap
 * check-reason: mainline several mapping calls (io_remap_pfn_range, remap_4k_pfn)
 * check-reason: rfc would set vm_pgoff to the PFN after the VMA is linked into the rmap tree of the file
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct rc_dev { unsigned long addr; unsigned long len; };

static int rc_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct rc_dev *dev = filp->private_data;
	int ret;

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);

	if (dev->len < PAGE_SIZE && size == PAGE_SIZE)
		ret = remap_4k_pfn(vma, vma->vm_start, dev->addr >> 12,
				   vma->vm_page_prot);
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

static const struct file_operations rc_fops = {
	.mmap = rc_mmap,
};
