// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a static helper of the file that takes the VMA and is called only from the handler converts with it (relay's buffer mapping, upstream's port)
 * check-category: simple
 * check-fact: hvs_mmap: [.analysis.followed[] | select(.fn == "hvs_map_buf")][0].where == "static, this file"
 * check-output: helper-vma-static.mainline.expected
 * check-output-rfc: helper-vma-static.rfc.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct hvs_buf {
	unsigned long size;
};

static const struct vm_operations_struct hvs_vm_ops;

/* map the buffer: the caller checked it */
static int hvs_map_buf(struct hvs_buf *buf, struct vm_area_struct *vma)
{
	unsigned long length = vma->vm_end - vma->vm_start;

	if (!buf)
		return -EBADF;
	if (length != buf->size)
		return -EINVAL;
	vma->vm_ops = &hvs_vm_ops;
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_private_data = buf;
	return 0;
}

static int hvs_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hvs_buf *buf = file->private_data;

	return hvs_map_buf(buf, vma);
}

static const struct file_operations hvs_fops = {
	.mmap		= hvs_mmap,
};
