// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a mapping that may merge, whose handler returns a call's result: that call's errors can now fail an mmap that merged
 * check-category: simple
 * check-output: fails-call.mainline.expected
 * check-output-rfc: fails-call.mainline.expected
 * check-equivalence: mainline stated fc_check(file)
 * check-equivalence: rfc stated fc_check(file)
 */
#include <linux/fs.h>
#include <linux/mm.h>

int fc_check(struct file *file);

static int fc_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_private_data = file->private_data;
	return fc_check(file);
}

static const struct file_operations fc_fops = {
	.mmap = fc_mmap,
};
