// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: seed shape fs/cramfs: a whole remap or a per-page loop (several remaps)
 * check-category: pfn-remap
 * check-reason: mainline several mapping calls
 * check-reason: rfc the calls do not set the same VMA flags (remap_pfn_range, vmf_insert_mixed)
 */
#include <linux/fs.h>
#include <linux/mm.h>

static unsigned long phys_base;

static int physmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long pages = vma_pages(vma), i;
	int ret = 0;

	if (vma->vm_flags & VM_WRITE)
		return -EINVAL;
	if (phys_base & 1)
		return remap_pfn_range(vma, vma->vm_start, phys_base >> PAGE_SHIFT,
				       pages * PAGE_SIZE, vma->vm_page_prot);
	vm_flags_set(vma, VM_MIXEDMAP);
	for (i = 0; i < pages && !ret; i++)
		ret = vmf_insert_mixed(vma, vma->vm_start + i * PAGE_SIZE,
				       (phys_base >> PAGE_SHIFT) + i);
	return ret;
}

static const struct file_operations physmem_fops = {
	.mmap = physmem_mmap,
};
