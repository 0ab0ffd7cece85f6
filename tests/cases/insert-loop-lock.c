// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: drivers/xen/gntalloc.c shape: a mutex held from the lookup across the insert loop (docs/hazards.md, H6)
 * check-category: page-insert
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-reason: rfc "rv = 0;" runs between vm_insert_page() and the release of the lock held across it
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct grant { struct page *page; struct grant *next; };

static struct mutex grant_mutex;
struct grant *find_grants(void *priv, unsigned long off, int count);

static int grant_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct grant *g;
	int count = vma_pages(vma);
	int rv, i;

	mutex_lock(&grant_mutex);
	g = find_grants(filp->private_data, vma->vm_pgoff << PAGE_SHIFT, count);
	if (g == NULL) {
		rv = -ENOENT;
		goto out_unlock;
	}
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (i = 0; i < count; i++) {
		rv = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, g->page);
		if (rv)
			goto out_unlock;
		g = g->next;
	}
	rv = 0;

out_unlock:
	mutex_unlock(&grant_mutex);
	return rv;
}

static const struct file_operations grant_fops = {
	.mmap = grant_mmap,
};
