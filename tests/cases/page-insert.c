// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: inserts pages: not simple
 * check-category: page-insert
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct page *pages[4];

static int buf_mmap(struct file *file, struct vm_area_struct *vma)
{
	return vm_map_pages(vma, pages, 4);
}

static const struct file_operations buf_fops = {
	.mmap = buf_mmap,
};
