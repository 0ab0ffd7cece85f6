// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a reference on an object stored in vm_private_data for shared mappings only: the hook that takes it later cannot find the object there
 * check-category: stateful
 * check-refused: mainline the take uses o, which vm_ops->mapped cannot find again
 * check-refused: rfc the take uses o, which mmap_complete cannot find again
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct pc_obj { struct kref ref; };
struct pc_obj *pc_lookup(struct file *file);
static void pc_close(struct vm_area_struct *vma);

static const struct vm_operations_struct pc_vm_ops = {
	.close = pc_close,
};

static int pc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pc_obj *o = pc_lookup(file);

	if (vma->vm_flags & VM_SHARED)
		vma->vm_private_data = o;
	kref_get(&o->ref);
	vma->vm_ops = &pc_vm_ops;
	return 0;
}

static const struct file_operations pc_fops = {
	.mmap = pc_mmap,
};
