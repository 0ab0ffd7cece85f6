// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: insert loops refused under rfc: a vm_ops close a failed complete would call (docs/hazards.md, H1), a goto out of the loop
 * check-category: page-insert page-insert
 * check-reason: mainline vm_insert_page() in a loop has no exact mainline form
 * check-reason: rfc installs vm_ops whose close is cl_close()
 * check-reason: rfc the vm_insert_page() loop leaves by goto
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct page *cl_pages[4];
static int cl_users;

static void cl_close(struct vm_area_struct *vma)
{
	cl_users--;
}

static const struct vm_operations_struct cl_vm_ops = {
	.close = cl_close,
};

static int cl_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long i;
	int ret;

	if (vma_pages(vma) > 4)
		return -EINVAL;
	cl_users++;
	vma->vm_ops = &cl_vm_ops;
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, cl_pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct file_operations cl_fops = {
	.mmap = cl_mmap,
};

static int gt_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long i;
	int ret = 0;

	if (vma_pages(vma) > 4)
		return -EINVAL;
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, cl_pages[i]);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	return ret;
}

static const struct file_operations gt_fops = {
	.mmap = gt_mmap,
};
