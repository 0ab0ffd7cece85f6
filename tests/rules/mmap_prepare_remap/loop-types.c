// SPDX-License-Identifier: GPL-2.0
/*
 * A moved vm_insert_page() loop that needs a page array found through the
 * file and an unsigned long computed in prepare: NAME_complete() declares
 * them as C writes the types ("struct page **", not spatch's
 * "struct page * *") and casts the context to unsigned long once.
 */
#include <linux/fs.h>
#include <linux/mm.h>

extern unsigned long lt_first(struct file *f);

static int lt_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct page **pages = file->private_data;
	unsigned long first = lt_first(file);
	unsigned long addr = vma->vm_start;
	int i, ret;

	if (!first)
		return -EINVAL;
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, addr, pages[first + i]);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static const struct file_operations lt_fops = {
	.mmap = lt_mmap,
};
