// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: vm_insert_page over an array of pages, in a loop
 * check-category: page-insert
 * check-fact: il_mmap: .subcategory == "vm_insert_page loop"
 * check-fact: il_mmap: .analysis.inserts[0].in_loop == true
 * check-fact: il_mmap: .analysis.hazards.nomerge_by == ["VM_MIXEDMAP"]
 * check-output-rfc: insert-loop.rfc.expected
 * check-conversion: rfc il_mmap: .complete_function == "il_mmap_complete" and .abort_function == null
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-change: rfc addr is read again from the VMA in mmap_complete (vma->vm_start)
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct page *il_pages[8];

static int il_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start;
	int i, ret;

	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, addr, il_pages[i]);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static const struct file_operations il_fops = {
	.mmap = il_mmap,
};
