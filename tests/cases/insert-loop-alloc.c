// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: lib/test_hmm.c: a fresh page allocated and inserted per iteration, nothing from prepare
 * check-category: page-insert
 * check-output-rfc: insert-loop-alloc.rfc.expected
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-change: rfc the vm_insert_page() loop moves to mmap_complete
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int zp_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		struct page *page;
		int ret;

		page = alloc_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;

		ret = vm_insert_page(vma, addr, page);
		if (ret) {
			__free_page(page);
			return ret;
		}
		put_page(page);
	}

	return 0;
}

static const struct file_operations zp_fops = {
	.mmap = zp_mmap,
};
