// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: another architecture's file: libclang has no flags for it, Coccinelle's facts decide (both #if branches: refused)
 * check-dir: arch/powerpc/platforms/mmapport
 * check-category: pfn-remap
 * check-reason: mainline several mapping calls (remap_4k_pfn, remap_pfn_range)
 * check-fact: pa_mmap: .analyzer == "coccinelle" and .confidence == "low"
 * check-fact: pa_mmap: .analysis_error | test("another architecture")
 * check-fact: pa_mmap: .subcategory == "remap_pfn_range, partial range, several remaps"
 * check-fact: pa_mmap: [.analysis.remaps[].fn] == ["remap_4k_pfn", "remap_pfn_range"]
 * check-fact: pa_mmap: .analysis.hazards.arch_branches | length == 1 and (.[0] | startswith("#ifdef CONFIG_PPC_64K_PAGES"))
 * check-fact: pa_mmap: .analysis.hazards.prot_only_for_remap == "prot"
 * check-fact: pa_mmap: .analysis.locals.prot == "pgprot_noncached(vma->vm_page_prot)"
 * check-refused: rfc rfc: several mapping calls (remap_4k_pfn, remap_pfn_range)
 */
#include <linux/fs.h>
#include <linux/mm.h>

static unsigned long pa_base;

static int pa_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	pgprot_t prot = pgprot_noncached(vma->vm_page_prot);

	if (vma->vm_pgoff)
		return -EINVAL;
#ifdef CONFIG_PPC_64K_PAGES
	if (size == PAGE_SIZE)
		return remap_4k_pfn(vma, vma->vm_start, pa_base, prot);
#endif
	return remap_pfn_range(vma, vma->vm_start, pa_base, size, prot);
}

static const struct file_operations pa_fops = {
	.mmap = pa_mmap,
};
