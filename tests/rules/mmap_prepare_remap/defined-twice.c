// SPDX-License-Identifier: GPL-2.0
/*
 * rfc: a handler defined twice, under #ifdef and #else.  The rule keys
 * its plan by the handler's name, and a rewrite that matches the name
 * would apply the plan of the first definition to both: it refuses the
 * handler, and the file stays as it is.
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct page *il_pages[8];

#ifdef CONFIG_FOO
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
#else
static int il_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}
#endif

static const struct file_operations il_fops = {
	.mmap = il_mmap,
};
