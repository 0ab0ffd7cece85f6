// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: kernel/kcov.c as in 7.x: checks under a lock that leave by goto to an exit after the insert loop
 * check-category: page-insert
 * check-output-rfc: insert-loop-goto.rfc.expected
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-change: rfc ring, computed in prepare, reaches mmap_complete in desc->mmap_context
 * check-change: rfc size is read again from the VMA in mmap_complete (vma->vm_end - vma->vm_start, which prepare checked it equals)
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ring { struct mutex lock; void *area; unsigned int size; };

static int ring_mmap(struct file *filep, struct vm_area_struct *vma)
{
	int res = 0;
	struct ring *r = vma->vm_file->private_data;
	unsigned long size, off;
	struct page *page;
	void *ring;

	mutex_lock(&r->lock);
	size = r->size * sizeof(unsigned long);
	if (r->area == NULL || vma_start_pgoff(vma) ||
	    vma->vm_end - vma->vm_start != size) {
		res = -EINVAL;
		goto exit;
	}
	ring = r->area;
	mutex_unlock(&r->lock);
	vm_flags_set(vma, VM_DONTEXPAND);
	for (off = 0; off < size; off += PAGE_SIZE) {
		/* one page of the ring at a time */
		page = vmalloc_to_page(ring + off);
		res = vm_insert_page(vma, vma->vm_start + off, page);
		if (res)
			return res;
	}
	return 0;
exit:
	mutex_unlock(&r->lock);
	return res;
}

static const struct file_operations ring_fops = {
	.mmap		= ring_mmap,
};
