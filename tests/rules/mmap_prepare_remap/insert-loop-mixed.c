// SPDX-License-Identifier: GPL-2.0
/*
 * A vm_insert_page() loop after the handler set VM_MIXEDMAP itself, the
 * loop needing nothing of prepare: it moves to NAME_complete() and
 * nothing takes its place in prepare, not even an empty statement.
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct page *mx_pages[8];

static int mx_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start;
	int i, ret;

	vm_flags_set(vma, VM_MIXEDMAP);
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, addr, mx_pages[i]);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static const struct file_operations mx_fops = {
	.mmap = mx_mmap,
};
