// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: remaps the whole VMA with the VMA protection
 * check-category: pfn-remap
 * check-output: pfn-remap.mainline.expected
 * check-output-rfc: pfn-remap.rfc.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static unsigned long base_pfn;

static int regs_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return remap_pfn_range(vma, vma->vm_start, base_pfn,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static const struct file_operations regs_fops = {
	.mmap = regs_mmap,
};
