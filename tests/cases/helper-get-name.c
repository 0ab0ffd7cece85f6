// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a helper of the driver's own whose name says get_, whose body only reads (judged by its body, not its name)
 * check-category: simple
 * check-fact: gn_mmap: (.analysis.takes // []) | length == 0
 * check-fact: gn_mmap: [.analysis.effects[] | select(.call == "get_region_size")][0].effect == "pure"
 * check-output: helper-get-name.mainline.expected
 * check-output-rfc: helper-get-name.rfc.expected
 * check-equivalence: mainline stated -EINVAL
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct gn_dev {
	unsigned long size;
};

static const struct vm_operations_struct gn_vm_ops;

static unsigned long get_region_size(const struct gn_dev *d)
{
	return d->size;
}

static int gn_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct gn_dev *d = file->private_data;

	if (vma->vm_end - vma->vm_start > get_region_size(d))
		return -EINVAL;
	vma->vm_ops = &gn_vm_ops;
	return 0;
}

static const struct file_operations gn_fops = {
	.owner = THIS_MODULE,
	.mmap = gn_mmap,
};
