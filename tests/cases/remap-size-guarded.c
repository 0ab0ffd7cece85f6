// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a remap of a size the handler proved to be the VMA's (it returns when the VMA is any other size) is not clamped, and no size difference is stated
 * check-category: pfn-remap
 * check-output: remap-size-guarded.mainline.expected
 * check-output-rfc: remap-size-guarded.rfc.expected
 * check-equivalence: mainline stated pgprot_noncached
 * check-no-difference: mainline remap_pfn_range
 * check-no-difference: mainline mapping size
 * check-no-difference: rfc mapping size
 */
#include <linux/fs.h>
#include <linux/mm.h>

#define RG_BASE 0xfed00000UL

static int rg_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);

	if (remap_pfn_range(vma, vma->vm_start, RG_BASE >> PAGE_SHIFT,
			    PAGE_SIZE, vma->vm_page_prot)) {
		pr_err("rg: remap failed\n");
		return -EAGAIN;
	}
	return 0;
}

static const struct file_operations rg_fops = {
	.mmap		= rg_mmap,
};
