// SPDX-License-Identifier: GPL-2.0
/*
 * -D rfc, mmapport's state plans given: the local each release uses
 * reaches mmap_abort in desc->mmap_context as its type asks: a pointer
 * to const through (void *), an int through unsigned long (a pointer as
 * it is: ref-abort).
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ck_buf { int users; };
const struct ck_buf *ck_lookup(struct file *file);
int ck_get(const struct ck_buf *cb);
void ck_put(const struct ck_buf *cb);
int ck_slot(struct file *file);
int ck_get_id(int id);
void ck_put_id(int id);

static int ck_const_mmap(struct file *file, struct vm_area_struct *vma)
{
	const struct ck_buf *cb = ck_lookup(file);
	int ret = -EINVAL;

	if (!ck_get(cb))
		return -EINVAL;
	if (vma->vm_pgoff)
		goto out;
	ret = 0;
out:
	if (ret)
		ck_put(cb);
	vm_flags_set(vma, VM_DONTEXPAND);
	return ret;
}

static int ck_int_mmap(struct file *file, struct vm_area_struct *vma)
{
	int id = ck_slot(file);
	int ret = -EINVAL;

	if (!ck_get_id(id))
		return -EINVAL;
	if (vma->vm_pgoff)
		goto out;
	ret = 0;
out:
	if (ret)
		ck_put_id(id);
	vm_flags_set(vma, VM_DONTEXPAND);
	return ret;
}

static const struct file_operations ck_const_fops = {
	.mmap = ck_const_mmap,
};

static const struct file_operations ck_int_fops = {
	.mmap = ck_int_mmap,
};
