// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a lock taken and released on every return path is not state
 * check-category: simple
 * check-output: state-lock-released.expected
 * check-output-rfc: state-lock-released.expected
 * check-fact: lk_mmap: [.analysis.takes[].held_at_returns | length] == [0]
 * check-fact: lk_mmap: [.facts[] | select(test("released before every return|still held"))] | length == 0
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lk_dev { struct mutex lock; int mapped; unsigned long pages; };
static const struct vm_operations_struct lk_vm_ops;

static int lk_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lk_dev *lk = file->private_data;

	mutex_lock(&lk->lock);
	if (vma_pages(vma) > lk->pages) {
		mutex_unlock(&lk->lock);
		return -EINVAL;
	}
	vma->vm_private_data = lk;
	vma->vm_ops = &lk_vm_ops;
	mutex_unlock(&lk->lock);
	return 0;
}

static const struct file_operations lk_fops = {
	.mmap = lk_mmap,
};
