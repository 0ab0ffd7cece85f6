// SPDX-License-Identifier: GPL-2.0
/*
 * A handler whose success return is under #ifdef: spatch follows no
 * path from such a return to the closing brace, yet the rule reads the
 * handler to its end, so it refuses for the #ifdef that follows the
 * take, as it did when it read to the first line starting with '}' (a
 * rule that took only the statements on those paths cut the text at
 * the first block that returns and stopped on a Python KeyError).  The
 * second handler is refused for its shared vm_ops, as in state-mapped.c;
 * the plans are mapped.defines' with this file's lines.
 * The code is state-mapped.c's; the first handler returns under #ifdef.
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct mp_obj { struct kref ref; };
struct mp_iter { struct mp_obj *obj; };

static void mp_release(struct kref *ref)
{
}

static void mp_chain_close(struct vm_area_struct *vma)
{
	struct mp_iter *it = vma->vm_file->private_data;

	kref_put(&it->obj->ref, mp_release);
}

static const struct vm_operations_struct mp_chain_ops = {
	.close = mp_chain_close,
};

static int mp_chain_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mp_iter *it = file->private_data;
	struct mp_obj *o = it->obj;

	if (!o)
		o = NULL;
	kref_get(&o->ref);
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &mp_chain_ops;
#ifdef CONFIG_MP
	return 0;
#else
	return 0;
#endif
}

static const struct file_operations mp_chain_fops = {
	.mmap = mp_chain_mmap,
};

static void mp_shared_close(struct vm_area_struct *vma)
{
	struct mp_obj *o = vma->vm_private_data;

	kref_put(&o->ref, mp_release);
}

static const struct vm_operations_struct mp_shared_ops = {
	.close = mp_shared_close,
};

static int mp_shared_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mp_obj *o = file->private_data;

	kref_get(&o->ref);
	vma->vm_private_data = o;
	vma->vm_ops = &mp_shared_ops;
	return 0;
}

static const struct file_operations mp_shared_fops = {
	.mmap = mp_shared_mmap,
};

/* installs the same vm_ops from somewhere else */
void mp_other_mmap(struct vm_area_struct *vma, struct mp_obj *o)
{
	vma->vm_private_data = o;
	vma->vm_ops = &mp_shared_ops;
}
