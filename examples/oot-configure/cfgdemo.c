// SPDX-License-Identifier: GPL-2.0
/*
 * cfgdemo: one page of a buffer, mapped read-write into user space.
 *
 * Its build is configured for the kernel it is built against: configure
 * writes config.h (CFGDEMO_HAVE_VM_FLAGS_SET where the kernel has
 * vm_flags_set(), 6.3 and later).
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/miscdevice.h>
#include <linux/vmalloc.h>

#include "config.h"

static void *cfgdemo_buf;

static vm_fault_t cfgdemo_fault(struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(cfgdemo_buf);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct cfgdemo_vm_ops = {
	.fault = cfgdemo_fault,
};

static int cfgdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff)
		return -EINVAL;
#ifdef CFGDEMO_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
	vma->vm_ops = &cfgdemo_vm_ops;
	return 0;
}

static const struct file_operations cfgdemo_fops = {
	.owner = THIS_MODULE,
	.mmap = cfgdemo_mmap,
};

static struct miscdevice cfgdemo_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "cfgdemo",
	.fops = &cfgdemo_fops,
};

static int __init cfgdemo_init(void)
{
	int ret;

	cfgdemo_buf = vmalloc_user(PAGE_SIZE);
	if (!cfgdemo_buf)
		return -ENOMEM;
	ret = misc_register(&cfgdemo_dev);
	if (ret)
		vfree(cfgdemo_buf);
	return ret;
}

static void __exit cfgdemo_exit(void)
{
	misc_deregister(&cfgdemo_dev);
	vfree(cfgdemo_buf);
}

module_init(cfgdemo_init);
module_exit(cfgdemo_exit);
MODULE_DESCRIPTION("A page of memory for mmap, configured for its kernel");
MODULE_LICENSE("GPL");
