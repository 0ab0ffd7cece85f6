// SPDX-License-Identifier: GPL-2.0
/*
 * -D rfc, mmapport's state plans given: mmap_abort declares the locals its
 * releases use in the order they use them, one from vm_private_data, one
 * (an unsigned long, as it is) from desc->mmap_context, then makes the
 * three releases of the old failure path in their order; a failure path
 * of four releases is refused.
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct al_buf { int users; };
unsigned long al_slot(struct file *file);
int al_get(struct al_buf *b);
void al_put(struct al_buf *b);
void al_put_slot(struct al_buf *b, unsigned long slot);
void al_log(unsigned long slot);

static int al_three_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct al_buf *b = file->private_data;
	unsigned long slot = al_slot(file);
	int ret = -EINVAL;

	if (!al_get(b))
		return -EINVAL;
	if (vma->vm_pgoff)
		goto out;
	vma->vm_private_data = b;
	ret = 0;
out:
	if (ret)
		al_put_slot(b, slot);
	if (ret)
		al_log(slot);
	if (ret)
		al_put(b);
	vm_flags_set(vma, VM_DONTEXPAND);
	return ret;
}

static int al_four_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct al_buf *b = file->private_data;
	unsigned long slot = al_slot(file);
	int ret = -EINVAL;

	if (!al_get(b))
		return -EINVAL;
	if (vma->vm_pgoff)
		goto out;
	vma->vm_private_data = b;
	ret = 0;
out:
	if (ret)
		al_put_slot(b, slot);
	if (ret)
		al_log(slot);
	if (ret)
		al_log(slot + 1);
	if (ret)
		al_put(b);
	vm_flags_set(vma, VM_DONTEXPAND);
	return ret;
}

static const struct file_operations al_three_fops = {
	.mmap = al_three_mmap,
};

static const struct file_operations al_four_fops = {
	.mmap = al_four_mmap,
};
