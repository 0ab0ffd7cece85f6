// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: docs/hazards.md, H2: a page array; rfc moves the insertion to complete and keeps the mapping unmergeable
 * check-category: page-insert
 * check-output: hazard-merge.mainline.expected
 * check-output-rfc: hazard-merge.rfc.expected
 * check-change: rfc docs/hazards.md, H2
 */
#include <linux/fs.h>
#include <linux/mm.h>

#define RING_PAGES 8
static struct page *ring_pages[RING_PAGES];

static int ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	return vm_map_pages(vma, ring_pages, RING_PAGES);
}

static const struct file_operations ring_fops = {
	.owner = THIS_MODULE,
	.mmap = ring_mmap,
};
