// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: docs/hazards.md, H4: a remap whose size may run past the VMA end (sbus flash shape)
 * check-category: pfn-remap
 * check-output: hazard-range.mainline.expected
 * check-change: mainline docs/hazards.md, H4
 * check-conversion: mainline flash_mmap: [.equivalence.differences[] | select(.what == "mapping size") | .new] == ["min_t(unsigned long, size, vma_desc_size(desc))"]
 * check-reason: rfc partial remap
 */
#include <linux/fs.h>
#include <linux/mm.h>

static unsigned long flash_base, flash_size;

static int flash_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr = flash_base;
	unsigned long size = flash_size;

	if ((vma->vm_pgoff << PAGE_SHIFT) > size)
		return -ENXIO;
	addr = vma->vm_pgoff + (addr >> PAGE_SHIFT);

	if (vma->vm_end - (vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT)) > size)
		size = vma->vm_end - (vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT));

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);

	if (io_remap_pfn_range(vma, vma->vm_start, addr, size, vma->vm_page_prot))
		return -EAGAIN;

	return 0;
}

static const struct file_operations flash_fops = {
	.mmap = flash_mmap,
};
