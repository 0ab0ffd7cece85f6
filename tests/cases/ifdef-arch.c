// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: #ifdef shapes: an arch-only branch (docs/hazards.md, H9), and a handler the configuration leaves out
 * check-category: pfn-remap pfn-remap
 * check-fact: ia_mmap: .analyzer == "libclang"
 * check-fact: ia_mmap: .subcategory == "io_remap_pfn_range, whole range"
 * check-fact: ia_mmap: (.analysis.hazards.arch_branches | length) > 0
 * check-fact: ia_mmap: .analysis.hazards.prot_only_for_remap == "pgprot_noncached(vma->vm_page_prot)"
 * check-fact: off_mmap: .analyzer == "coccinelle" and .confidence == "low"
 * check-fact: off_mmap: .confidence != "high"
 * check-refused: mainline several mapping calls (io_remap_pfn_range, remap_4k_pfn)
 * check-refused: rfc rfc: several mapping calls (io_remap_pfn_range, remap_4k_pfn)
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int ia_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;

#ifdef CONFIG_PPC64
	return remap_4k_pfn(vma, vma->vm_start, 0x100, vma->vm_page_prot);
#else
	return io_remap_pfn_range(vma, vma->vm_start, 0x100, size,
				  pgprot_noncached(vma->vm_page_prot));
#endif
}

static const struct file_operations ia_fops = {
	.mmap = ia_mmap,
};

#ifdef CONFIG_MMAPPORT_NOT_SET
static int off_mmap(struct file *file, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, 0, PAGE_SIZE, vma->vm_page_prot);
}

static const struct file_operations off_fops = {
	.mmap = off_mmap,
};
#endif
