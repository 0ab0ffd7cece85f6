// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: seed shape kernel/kcov.c: vm_insert_page over vmalloc pages in a loop
 * check-category: page-insert
 * check-output-rfc: seed-kcov.rfc.expected
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-change: rfc area, computed in prepare, reaches mmap_complete in desc->mmap_context
 * check-change: rfc size is read again from the VMA in mmap_complete
 * check-change: rfc prepare sets VM_MIXEDMAP
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct kcov { spinlock_t lock; void *area; unsigned int size; };

static int kcov_mmap(struct file *filep, struct vm_area_struct *vma)
{
	struct kcov *kcov = vma->vm_file->private_data;
	unsigned long size, off, flags;
	struct page *page;
	void *area;
	int res;

	spin_lock_irqsave(&kcov->lock, flags);
	size = kcov->size * sizeof(unsigned long);
	if (kcov->area == NULL || vma->vm_pgoff != 0 ||
	    vma->vm_end - vma->vm_start != size) {
		spin_unlock_irqrestore(&kcov->lock, flags);
		return -EINVAL;
	}
	area = kcov->area;
	spin_unlock_irqrestore(&kcov->lock, flags);
	vm_flags_set(vma, VM_DONTEXPAND);
	for (off = 0; off < size; off += PAGE_SIZE) {
		page = vmalloc_to_page(area + off);
		res = vm_insert_page(vma, vma->vm_start + off, page);
		if (res)
			return res;
	}
	return 0;
}

static const struct file_operations kcov_fops = {
	.mmap = kcov_mmap,
};
