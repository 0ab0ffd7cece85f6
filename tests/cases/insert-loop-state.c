// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: an insert loop after prepare allocated the mapping's state (no close): that state needs an abort
 * check-category: page-insert
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-reason: rfc prepare would take state (kzalloc() line
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct sbuf { struct page *pages[16]; };
struct smap { struct sbuf *buf; };

static int sbuf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct sbuf *b = file->private_data;
	struct smap *m;
	unsigned long i;
	int ret;

	if (vma_pages(vma) > 16)
		return -EINVAL;
	m = kzalloc(sizeof(*m), 0);
	if (!m)
		return -ENOMEM;
	m->buf = b;
	vma->vm_private_data = m;
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, b->pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct file_operations sbuf_fops = {
	.mmap = sbuf_mmap,
};
