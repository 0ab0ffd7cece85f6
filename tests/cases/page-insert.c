// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: maps a page array with vm_map_pages
 * check-category: page-insert
 * check-output: page-insert.mainline.expected
 * check-output-rfc: page-insert.rfc.expected
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
