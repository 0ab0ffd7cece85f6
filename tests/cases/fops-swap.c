// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: ops swapped into f_op at run time (docs/hazards.md, H8): refused
 * check-category: needs-vma
 * check-refused: mainline dc_fops is swapped into file->f_op at run time: converting
 * check-refused: rfc dc_fops is swapped into file->f_op at run time: converting
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int dc_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}

static const struct file_operations dc_fops = {
	.mmap = dc_mmap,
};

static void disconnect(struct file *file)
{
	file->f_op = &dc_fops;
}
