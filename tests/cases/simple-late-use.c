// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: the VMA handed to unknown code after an early return is still seen: left alone
 * check-category: needs-vma
 * check-refused: mainline the VMA escapes: passed to late_setup() in late_mmap()
 * check-refused: rfc the VMA escapes: passed to late_setup() in late_mmap()
 */
#include <linux/fs.h>
#include <linux/mm.h>

int late_setup(struct vm_area_struct *vma);

static int late_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff)
		return -EINVAL;
	return late_setup(vma);
}

static struct file_operations late_fops = {
	.mmap = late_mmap,
};
