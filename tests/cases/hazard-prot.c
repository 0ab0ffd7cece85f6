// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: docs/hazards.md, H3: a noncached protection used only for the remap
 * check-category: pfn-remap
 * check-output: hazard-prot.mainline.expected
 * check-output-rfc: hazard-prot.rfc.expected
 * check-change: mainline docs/hazards.md, H3
 * check-change: rfc desc->page_prot
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lpc { phys_addr_t mem_base; resource_size_t mem_size; };

static int lpc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lpc *lpc = file->private_data;
	unsigned long vsize = vma->vm_end - vma->vm_start;
	pgprot_t prot = vma->vm_page_prot;

	if (vma->vm_pgoff + vma_pages(vma) > lpc->mem_size >> PAGE_SHIFT)
		return -EINVAL;

	prot = pgprot_noncached(prot);

	if (remap_pfn_range(vma, vma->vm_start,
		(lpc->mem_base >> PAGE_SHIFT) + vma->vm_pgoff,
		vsize, prot))
		return -EAGAIN;

	return 0;
}

static const struct file_operations lpc_fops = {
	.mmap = lpc_mmap,
};
