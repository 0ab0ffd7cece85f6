// SPDX-License-Identifier: GPL-2.0
/*
 * rfc: the rules that write NAME_complete() and NAME_abort() for a call
 * made under locks: two releases and two locals from the file (each
 * round of release_N, bind_N and put_*_N), two global locks (no local,
 * no blank line in the abort), the handler's own error on a failure
 * with no lock (err_returns_own); refused: that error returned with the
 * lock still held (the old failure path never released it), braced or
 * not, three releases (more than the rule's rounds), a lock reached
 * through a file parameter not named file, or through the VMA, an array
 * of file_operations (where NAME_complete() would not be registered),
 * and a PFN that calls a function of the driver (evaluated twice).
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct lr_dev {
	struct mutex lock;
	struct mutex other;
	struct mutex third;
	unsigned long pfn;
};

static DEFINE_MUTEX(lr_global);
static DECLARE_RWSEM(lr_sem);

static int two_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lr_dev *dev = file->private_data;
	struct lr_dev *o = file->private_data;
	int ret;

	mutex_lock(&dev->lock);
	mutex_lock(&o->other);
	ret = remap_pfn_range(vma, vma->vm_start, dev->pfn,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&o->other);
	mutex_unlock(&dev->lock);
	return ret;
}

static const struct file_operations two_fops = {
	.mmap = two_mmap,
};

static int glob_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	down_write(&lr_sem);
	mutex_lock(&lr_global);
	ret = remap_pfn_range(vma, vma->vm_start, 42,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&lr_global);
	up_write(&lr_sem);
	return ret;
}

static const struct file_operations glob_fops = {
	.mmap = glob_mmap,
};

static int own_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lr_dev *dev = file->private_data;

	mutex_lock(&dev->lock);
	if (remap_pfn_range(vma, vma->vm_start, dev->pfn,
			    vma->vm_end - vma->vm_start, vma->vm_page_prot))
		return -EAGAIN;
	mutex_unlock(&dev->lock);
	return 0;
}

static const struct file_operations own_fops = {
	.mmap = own_mmap,
};

static int plain_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lr_dev *dev = file->private_data;

	if (remap_pfn_range(vma, vma->vm_start, dev->pfn,
			    vma->vm_end - vma->vm_start, vma->vm_page_prot))
		return -EAGAIN;
	return 0;
}

static const struct file_operations plain_fops = {
	.mmap = plain_mmap,
};

static int three_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lr_dev *dev = file->private_data;
	int ret;

	mutex_lock(&dev->lock);
	mutex_lock(&dev->other);
	mutex_lock(&dev->third);
	ret = remap_pfn_range(vma, vma->vm_start, dev->pfn,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&dev->third);
	mutex_unlock(&dev->other);
	mutex_unlock(&dev->lock);
	return ret;
}

static const struct file_operations three_fops = {
	.mmap = three_mmap,
};

static int brace_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lr_dev *dev = file->private_data;

	mutex_lock(&dev->lock);
	if (remap_pfn_range(vma, vma->vm_start, dev->pfn,
			    vma->vm_end - vma->vm_start, vma->vm_page_prot)) {
		pr_err("lr: remap failed\n");
		return -EAGAIN;
	}
	mutex_unlock(&dev->lock);
	return 0;
}

static const struct file_operations brace_fops = {
	.mmap = brace_mmap,
};

static int filp_mmap(struct file *filp, struct vm_area_struct *vma)
{
	int ret;

	mutex_lock(&((struct lr_dev *)filp->private_data)->lock);
	ret = remap_pfn_range(vma, vma->vm_start, 42,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&((struct lr_dev *)filp->private_data)->lock);
	return ret;
}

static const struct file_operations filp_fops = {
	.mmap = filp_mmap,
};

static int vmalock_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	mutex_lock(&((struct lr_dev *)vma->vm_private_data)->lock);
	ret = remap_pfn_range(vma, vma->vm_start, 42,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&((struct lr_dev *)vma->vm_private_data)->lock);
	return ret;
}

static const struct file_operations vmalock_fops = {
	.mmap = vmalock_mmap,
};

static int arr_mmap(struct file *file, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, 42,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static const struct file_operations arr_fops[] = {
	{ .mmap = arr_mmap, },
};

static const struct file_operations arr_one_fops = {
	.mmap = arr_mmap,
};

extern unsigned long lr_next_pfn(void);

static int next_mmap(struct file *file, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, lr_next_pfn(),
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static const struct file_operations next_fops = {
	.mmap = next_mmap,
};
