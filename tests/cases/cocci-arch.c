// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: another architecture's file: libclang has no flags for it, Coccinelle's facts decide
 * check-dir: arch/powerpc/platforms/mmapport
 * check-category: pfn-remap simple
 * check-reason: mainline several mapping calls (remap_4k_pfn, remap_pfn_range)
 * check-fact: pa_mmap: .analyzer == "coccinelle" and .confidence == "low"
 * check-fact: pa_mmap: .analysis_error | test("another architecture")
 * check-fact: pa_mmap: .subcategory == "remap_pfn_range, partial range, several remaps"
 * check-fact: pa_mmap: [.analysis.remaps[].fn] == ["remap_4k_pfn", "remap_pfn_range"]
 * check-fact: pa_mmap: .analysis.hazards.arch_branches | length == 1 and (.[0] | startswith("#ifdef CONFIG_PPC_64K_PAGES"))
 * check-fact: pa_mmap: .analysis.hazards.prot_only_for_remap == "prot"
 * check-fact: pa_mmap: .analysis.locals.prot == "pgprot_noncached(vma->vm_page_prot)"
 * check-fact: pb_mmap: .analyzer == "coccinelle" and .category == "simple"
 * check-fact: pb_mmap: [.analysis.flag_ops[] | "\(.op)(\(.flags))"] == ["vm_flags_set(VM_IO | VM_DONTEXPAND)"]
 * check-fact: pb_mmap: .vma_uses == ["vm_flags", "vm_page_prot", "vm_page_prot=", "vm_ops=", "vm_flags_set()"]
 * check-output: cocci-arch.mainline.expected
 * check-output-rfc: cocci-arch.rfc.expected
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

static const struct vm_operations_struct pb_vm_ops;

static int pb_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &pb_vm_ops;
	return 0;
}

static const struct file_operations pb_fops = {
	.mmap = pb_mmap,
};
