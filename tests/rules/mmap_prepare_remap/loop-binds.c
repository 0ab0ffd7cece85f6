// SPDX-License-Identifier: GPL-2.0
/*
 * -D rfc: each way NAME_complete() of a moved vm_insert_page() loop
 * declares a local the loop needs (the Bind kinds, written by
 * put_lbind_N): a pointer and an int computed in prepare, carried in
 * desc->mmap_context; the end, the size and the pages of the VMA, read
 * again from it; a loop under a lock reached through the file's
 * private_data, which NAME_abort() releases (lrelease_N, lkbind_N,
 * put_labort_*); and the refusals: seven locals (more than the rule's
 * rounds), and a loop under a lock reached through a value computed in
 * prepare, which NAME_abort() would not get back.
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lb_dev {
	struct mutex lock;
	struct page *pages[16];
};

extern struct page **lb_lookup(struct file *f);
extern int lb_first(struct file *f);
extern struct lb_dev *lb_dev_of(struct file *f);

static int ptr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct page **pages = lb_lookup(file);
	unsigned long size = vma->vm_end - vma->vm_start;
	int i, ret;

	if (!pages)
		return -EINVAL;
	for (i = 0; i * PAGE_SIZE < size; i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct file_operations ptr_fops = {
	.mmap = ptr_mmap,
};

static int int_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lb_dev *dev = file->private_data;
	unsigned long end = vma->vm_end;
	unsigned long size = vma->vm_end - vma->vm_start;
	unsigned long npages = vma_pages(vma);
	int first = lb_first(file);
	int i, ret;

	if (first < 0 || size > 16 * PAGE_SIZE)
		return -EINVAL;
	for (i = 0; i < npages && vma->vm_start + i * PAGE_SIZE < end; i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     dev->pages[first + i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct file_operations int_fops = {
	.mmap = int_mmap,
};

static int seven_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lb_dev *dev = file->private_data;
	unsigned long addr = vma->vm_start;
	unsigned long end = vma->vm_end;
	unsigned long npages = vma_pages(vma);
	int a, b, c;

	for (a = 0, b = 0, c = 0; a < npages && addr < end; a++) {
		b = vm_insert_page(vma, addr, dev->pages[a]);
		if (b)
			return b;
		c++;
		addr += PAGE_SIZE;
	}
	return 0;
}

static const struct file_operations seven_fops = {
	.mmap = seven_mmap,
};

static int far_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lb_dev *dev = lb_dev_of(file);
	int i, ret;

	mutex_lock(&dev->lock);
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, dev->pages[i]);
		if (ret) {
			mutex_unlock(&dev->lock);
			return ret;
		}
	}
	mutex_unlock(&dev->lock);
	return 0;
}

static const struct file_operations far_fops = {
	.mmap = far_mmap,
};

static int priv_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lb_dev *dev = file->private_data;
	int i, ret;

	mutex_lock(&dev->lock);
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, dev->pages[i]);
		if (ret) {
			mutex_unlock(&dev->lock);
			return ret;
		}
	}
	mutex_unlock(&dev->lock);
	return 0;
}

static const struct file_operations priv_fops = {
	.mmap = priv_mmap,
};
