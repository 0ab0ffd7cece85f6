// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a leaf of a subsystem hook (found from the member's type)
 * check-category: dispatcher
 * check-refused: mainline a leaf of the subsystem hook v4l2_file_operations.mmap
 * check-refused: rfc a leaf of the subsystem hook v4l2_file_operations.mmap
 */
#include <media/v4l2-dev.h>

static int v_mmap(struct file *file, struct vm_area_struct *vma)
{
	return 0;
}

static const struct v4l2_file_operations v_fops = {
	.mmap = v_mmap,
};
