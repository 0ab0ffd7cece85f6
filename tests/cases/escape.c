// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: the VMA is stored: needs the VMA
 * check-category: needs-vma
 * check-refused: mainline the VMA escapes: stored into c->vma in e_mmap()
 * check-refused: rfc the VMA escapes: stored into c->vma in e_mmap()
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ctx { struct vm_area_struct *vma; };

static int e_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ctx *c = file->private_data;

	c->vma = vma;
	return 0;
}

static const struct file_operations e_fops = {
	.mmap = e_mmap,
};
