// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: const fops, a "filp" parameter, masked, nested and zero flag tests
 * check-category: simple
 * check-output: simple-const-filp.mainline.expected
 * check-output-rfc: simple-const-filp.mainline.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct shm_vm_ops;

static int shm_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) !=
	    (VM_SHARED | VM_MAYSHARE))
		return -EINVAL;
	if (!(vma->vm_flags & VM_WRITE) && (vma->vm_flags & VM_EXEC))
		return -EPERM;
	if ((vma->vm_flags & VM_MAYREAD) == 0)
		return -EACCES;
	vma->vm_ops = &shm_vm_ops;
	vma->vm_private_data = filp->private_data;
	return 0;
}

static const struct file_operations shm_fops = {
	.owner		= THIS_MODULE,
	.mmap		= shm_mmap,
	.llseek		= noop_llseek,
};
