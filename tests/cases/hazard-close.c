// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: docs/hazards.md, H1: a close that drops a reference the failed remap path never took
 * check-category: pfn-remap
 * check-reason: mainline docs/hazards.md, H1
 * check-reason: rfc docs/hazards.md, H1
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ring { refcount_t users; unsigned long pfn; };

static void ring_vma_close(struct vm_area_struct *vma)
{
	struct ring *r = vma->vm_private_data;

	refcount_dec(&r->users);
}

static const struct vm_operations_struct ring_vm_ops = {
	.close = ring_vma_close,
};

static int ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ring *r = file->private_data;

	vma->vm_private_data = r;
	vma->vm_ops = &ring_vm_ops;
	if (remap_pfn_range(vma, vma->vm_start, r->pfn,
			    vma->vm_end - vma->vm_start, vma->vm_page_prot))
		return -EAGAIN;
	return 0;
}

static const struct file_operations ring_fops = {
	.mmap = ring_mmap,
};
