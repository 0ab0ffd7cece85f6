// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: an insert loop that needs two values prepare computed: mmap_context carries one
 * check-category: page-insert
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-reason: rfc the loop needs several values that prepare computed (pages, first): desc->mmap_context carries one
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct pbuf { struct page **pages; unsigned long npages; };

static int pbuf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pbuf *b = file->private_data;
	struct page **pages = b->pages;
	unsigned long first = vma->vm_pgoff;
	unsigned long i;
	int ret;

	if (first + vma_pages(vma) > b->npages)
		return -EINVAL;
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, pages[first + i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct file_operations pbuf_fops = {
	.mmap = pbuf_mmap,
};
