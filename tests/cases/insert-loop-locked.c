// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: rfc: a mutex held across a vm_insert_page() loop moves with the loop (prepare locks, complete unlocks, abort unlocks)
 * check-category: page-insert
 * check-output-rfc: insert-loop-locked.rfc.expected
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-change: rfc the lock taken by mutex_lock(&pr->lock) is now held from prepare
 * check-conversion: rfc ilk_mmap: .abort_function == "ilk_mmap_abort"
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ilk_priv { struct mutex lock; struct page *pages[16]; int n; };

static int ilk_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ilk_priv *pr = file->private_data;
	unsigned long addr = vma->vm_start;
	int i, ret;

	mutex_lock(&pr->lock);
	if (vma_pages(vma) > pr->n) {
		mutex_unlock(&pr->lock);
		return -EINVAL;
	}
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, addr, pr->pages[i]);
		if (ret) {
			mutex_unlock(&pr->lock);
			return ret;
		}
		addr += PAGE_SIZE;
	}
	mutex_unlock(&pr->lock);
	return 0;
}

static const struct file_operations ilk_fops = {
	.mmap = ilk_mmap,
};
