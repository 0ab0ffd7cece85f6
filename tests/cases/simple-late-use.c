// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a remap after an early return is still seen: left alone
 * check-category: pfn-remap
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int late_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff)
		return -EINVAL;
	return remap_pfn_range(vma, vma->vm_start, 0x1000,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static struct file_operations late_fops = {
	.mmap = late_mmap,
};
