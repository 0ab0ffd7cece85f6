// SPDX-License-Identifier: GPL-2.0
/*
 * Three handlers in one file, each with its own error: the error a rule
 * writes goes with the handler it was made for (a rule that took the
 * handler and the error from two matches wrote each error into each
 * handler, and spatch stopped on the second).
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct page **te_pages;
static unsigned long te_npages, te_pfn;

static int te_pages_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vm_map_pages(vma, te_pages, te_npages))
		return -EINVAL;
	return 0;
}

static int te_remap_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (remap_pfn_range(vma, vma->vm_start, te_pfn, vma->vm_end - vma->vm_start,
			    vma->vm_page_prot))
		return -EAGAIN;
	return 0;
}

static int te_plain_mmap(struct file *file, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, te_pfn + 1, vma->vm_end - vma->vm_start,
			       vma->vm_page_prot);
}

static const struct file_operations te_pages_fops = {
	.mmap = te_pages_mmap,
};

static const struct file_operations te_remap_fops = {
	.mmap = te_remap_mmap,
};

static const struct file_operations te_plain_fops = {
	.mmap = te_plain_mmap,
};
