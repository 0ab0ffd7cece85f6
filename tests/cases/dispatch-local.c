// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a subsystem hook held in a local, then called (proc's pde_mmap); another file's mmap looked at (can_mmap_file), then called
 * check-category: dispatcher stacked
 * check-fact: pr_mmap: .dispatches_to == "proc_ops.proc_mmap"
 * check-fact: pr_mmap: .analysis.followed[0].fn == "pde_mmap"
 * check-fact: ec_mmap: .category == "stacked"
 * check-fact: ec_mmap: [.analysis.stacked[].call] == ["can_mmap_file() on another file", "vfs_mmap"]
 * check-refused: mainline passes the VMA to pde_mmap(), a static function of this file
 * check-refused: rfc passes the VMA to pde_mmap(), a static function of this file
 */
#include <linux/fs.h>
#include <linux/mm.h>

typedef int (*mmap_hook_t)(struct file *file, struct vm_area_struct *vma);
struct proc_ops {
	mmap_hook_t proc_mmap;
};
struct pde {
	const struct proc_ops *proc_ops;
};
int can_mmap_file(struct file *file);

static int pde_mmap(struct pde *pde, struct file *file, struct vm_area_struct *vma)
{
	mmap_hook_t mmap = pde->proc_ops->proc_mmap;

	if (mmap)
		return mmap(file, vma);
	return -ENODEV;
}

static int pr_mmap(struct file *file, struct vm_area_struct *vma)
{
	return pde_mmap(file->private_data, file, vma);
}

static const struct file_operations pr_fops = {
	.mmap = pr_mmap,
};

static int ec_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *lower = file->private_data;

	if (!can_mmap_file(lower))
		return -ENODEV;
	return vfs_mmap(lower, vma);
}

static const struct file_operations ec_fops = {
	.mmap = ec_mmap,
};
