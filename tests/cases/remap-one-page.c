// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: one page remapped from the start of the VMA (idxd's shape: the size checked in a helper): every VMA holds a page, so the size stays as written, no clamp and no H4 statement
 * check-category: pfn-remap
 * check-output: remap-one-page.mainline.expected
 * check-refused: rfc a partial remap has no remap_pfn_range_prepare() form
 * check-equivalence: mainline exact
 * check-no-difference: mainline mapping size
 * check-conversion: mainline demo_mmap: (.behaviour_changes // []) | all(test("clamped") | not)
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct demo {
	unsigned long base;
};

static int demo_check(struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

static int demo_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct demo *d = file->private_data;
	int rc;

	rc = demo_check(vma);
	if (rc < 0)
		return rc;
	return io_remap_pfn_range(vma, vma->vm_start, d->base >> PAGE_SHIFT, PAGE_SIZE,
				  vma->vm_page_prot);
}

static const struct file_operations demo_fops = {
	.mmap		= demo_mmap,
};
