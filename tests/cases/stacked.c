// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: hands the VMA to the lower file's mmap
 * check-category: stacked
 * check-refused: mainline vfs_mmap() hands the VMA to another file's mmap
 * check-refused: rfc vfs_mmap() hands the VMA to another file's mmap
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int st_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *lower = file->private_data;

	return vfs_mmap(lower, vma);
}

static const struct file_operations st_fops = {
	.mmap = st_mmap,
};
