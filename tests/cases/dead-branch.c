// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a mapping call under "if (0)" never runs: the handler is simple, the dead block and the locals only it used go
 * check-category: simple
 * check-output: dead-branch.mainline.expected
 * check-output-rfc: dead-branch.rfc.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct dz_map {
	unsigned long phys, size;
};

struct dz_dev {
	struct dz_map *priv;
};

struct dz_info {
	struct dz_dev *mtd;
};

static int dz_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dz_info *mfi = file->private_data;
	struct dz_dev *mtd = mfi->mtd;
	struct dz_map *map = mtd->priv;

	if (0 /* mtd->type == MTD_RAM */) {
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		return vm_iomap_memory(vma, map->phys, map->size);
	}
	if (!(vma->vm_flags & VM_SHARED))
		return -EACCES;
	return -ENODEV;
}

static const struct file_operations dz_fops = {
	.mmap		= dz_mmap,
};
