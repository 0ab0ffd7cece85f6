// SPDX-License-Identifier: GPL-2.0
/*
 * -D rfc: a vm_insert_page() loop that ends the handler, refused where
 * mmap_complete could not run it as it is: it uses the file parameter by
 * another name, a name "context", a local of an inner block, a static
 * local, or a value of prepare that cannot travel in a pointer.
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lr_range { unsigned long first, n; };
static struct page *lr_pages[8];
static int context;
static int n;
struct page *lr_page(struct file *file, int i);
struct lr_range lr_range_of(struct file *file);

static int lr_file_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start;
	int i, ret;

	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, addr, lr_page(filp, i));
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static int lr_context_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start;
	int i, ret;

	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, addr, lr_pages[(context + i) % 8]);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static int lr_inner_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start;
	int i, ret;

	if (vma->vm_pgoff) {
		int n = vma->vm_pgoff;

		if (n > 8)
			return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		ret = vm_insert_page(vma, addr, lr_pages[i]);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static int lr_static_mmap(struct file *file, struct vm_area_struct *vma)
{
	static int first;
	unsigned long addr = vma->vm_start;
	int i, ret;

	for (i = first; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, addr, lr_pages[i]);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static int lr_struct_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lr_range r = lr_range_of(file);
	unsigned long addr = vma->vm_start;
	int i, ret;

	if (r.n > vma_pages(vma))
		return -EINVAL;
	for (i = 0; i < r.n; i++) {
		ret = vm_insert_page(vma, addr, lr_pages[r.first + i]);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
	}
	return 0;
}

static const struct file_operations lr_file_fops = {
	.mmap = lr_file_mmap,
};

static const struct file_operations lr_context_fops = {
	.mmap = lr_context_mmap,
};

static const struct file_operations lr_inner_fops = {
	.mmap = lr_inner_mmap,
};

static const struct file_operations lr_static_fops = {
	.mmap = lr_static_mmap,
};

static const struct file_operations lr_struct_fops = {
	.mmap = lr_struct_mmap,
};
