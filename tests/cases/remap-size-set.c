// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a size set apart from its declaration and only the remap used: removed with the remap, not left set but unused (W=1)
 * check-category: pfn-remap
 * check-output: remap-size-set.mainline.expected
 * check-output-rfc: remap-size-set.rfc.expected
 * check-equivalence: mainline exact
 * check-no-difference: mainline remap_pfn_range
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct rs_dev { unsigned long base; };

static int rs_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rs_dev *d = file->private_data;
	unsigned long size;

	size = vma->vm_end - vma->vm_start;

	return remap_pfn_range(vma, vma->vm_start, d->base >> PAGE_SHIFT, size,
			       vma->vm_page_prot);
}

static const struct file_operations rs_fops = {
	.mmap		= rs_mmap,
};
