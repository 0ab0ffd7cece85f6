// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a no-MMU handler that accepts shared mappings only: is_nommu_shared_mapping(vma->vm_flags) has a descriptor form
 * check-category: simple
 * check-output: nommu-shared.mainline.expected
 * check-output-rfc: nommu-shared.rfc.expected
 * check-equivalence: mainline stated is_nommu_shared_mapping(vma->vm_flags) ? 0 : -ENOSYS
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int ns_mmap(struct file *file, struct vm_area_struct *vma)
{
	return is_nommu_shared_mapping(vma->vm_flags) ? 0 : -ENOSYS;
}

static const struct file_operations ns_fops = {
	.mmap		= ns_mmap,
};
