// SPDX-License-Identifier: GPL-2.0
/*
 * A handler as out-of-tree drivers sometimes write them: an inner block
 * whose closing brace is in column 0.  The handler ends at its own
 * closing brace, after its last statement, not at the first line that
 * starts with one: the size set after the odd brace is seen, so the
 * remap is known to cover the whole VMA (a rule that stopped at the odd
 * brace clamped it).
 */
#include <linux/fs.h>
#include <linux/mm.h>

static unsigned long ob_pfn;

static int ob_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size;

	if (!ob_pfn)
	{
		return -ENODEV;
}
	size = vma->vm_end - vma->vm_start;
	return remap_pfn_range(vma, vma->vm_start, ob_pfn, size, vma->vm_page_prot);
}

static const struct file_operations ob_fops = {
	.mmap = ob_mmap,
};
