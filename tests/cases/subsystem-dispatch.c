// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a file_operations handler that calls a subsystem's mmap hook: a dispatcher, named
 * check-category: dispatcher dispatcher
 * check-fact: sd_mmap: .dispatches_to == "sub_ops.mmap"
 * check-fact: leaf_mmap: .leaf_category == "pfn-remap"
 * check-fact: leaf_mmap: .leaf_subcategory == "remap_pfn_range, partial range"
 * check-plan: .["sub_ops.mmap"].leaves == 1
 * check-plan: .["sub_ops.mmap"].convertible_with_variant_and_action == 0
 * check-plan: (.["sub_ops.mmap"].dispatchers | length) == 1
 * check-refused: mainline dispatches the VMA to the subsystem hook sub_ops.mmap
 * check-refused: rfc dispatches the VMA to the subsystem hook sub_ops.mmap
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct sub_ops {
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
};
struct sub_dev {
	const struct sub_ops *ops;
};

static int sd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct sub_dev *d = file->private_data;

	if (!d->ops->mmap)
		return -ENODEV;
	return d->ops->mmap(file, vma);
}

static const struct file_operations sd_fops = {
	.mmap = sd_mmap,
};

static int leaf_mmap(struct file *file, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, 0x2000, PAGE_SIZE, vma->vm_page_prot);
}

static const struct sub_ops leaf_ops = {
	.mmap = leaf_mmap,
};
