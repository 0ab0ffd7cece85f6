// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping calls that end the handler, the first one's statement written
 * again before the return: all of them move to NAME_complete(), and
 * prepare keeps neither copy.
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct page *zp;

static int z_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start;
	int ret;

	ret = vm_insert_page(vma, addr, zp);
	if (ret)
		return ret;
	addr += PAGE_SIZE;
	ret = vm_insert_page(vma, addr, zp);
	return 0;
}

static const struct file_operations z_fops = {
	.mmap = z_mmap,
};
