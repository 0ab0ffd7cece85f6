// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo - an out-of-tree example for mmapport: three character
 * devices whose mmap handlers are, in turn, simple (a read-only window
 * with fault-driven pages), a PFN remap of a register page, and one that
 * takes a reference the mapping keeps.
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

static struct page *demo_page;

static vm_fault_t demo_ro_fault(struct vm_fault *vmf)
{
	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	get_page(demo_page);
	vmf->page = demo_page;
	return 0;
}

static const struct vm_operations_struct demo_ro_vm_ops = {
	.fault = demo_ro_fault,
};

/* Simple: checks and settings that all have a descriptor form. */
static int demo_ro_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_end - vma->vm_start != PAGE_SIZE || vma->vm_pgoff)
		return -EINVAL;

	vm_flags_clear(vma, VM_MAYWRITE);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &demo_ro_vm_ops;
	vma->vm_private_data = filp->private_data;
	return 0;
}

static const struct file_operations demo_ro_fops = {
	.owner		= THIS_MODULE,
	.mmap		= demo_ro_mmap,
};

/* PFN remap of the whole VMA. */
static int demo_regs_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;

	if (size > PAGE_SIZE)
		return -EINVAL;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return remap_pfn_range(vma, vma->vm_start, page_to_pfn(demo_page),
			       size, vma->vm_page_prot);
}

static const struct file_operations demo_regs_fops = {
	.owner		= THIS_MODULE,
	.mmap		= demo_regs_mmap,
};

/* Stateful: the mapping keeps a reference to a buffer. */
struct demo_buf {
	struct kref ref;
};

static void demo_buf_free(struct kref *ref)
{
	kfree(container_of(ref, struct demo_buf, ref));
}

static void demo_buf_close(struct vm_area_struct *vma)
{
	struct demo_buf *buf = vma->vm_private_data;

	kref_put(&buf->ref, demo_buf_free);
}

static const struct vm_operations_struct demo_buf_vm_ops = {
	.close = demo_buf_close,
};

static int demo_buf_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct demo_buf *buf = filp->private_data;

	if (!buf)
		return -ENODEV;
	kref_get(&buf->ref);
	vma->vm_private_data = buf;
	vma->vm_ops = &demo_buf_vm_ops;
	return 0;
}

static const struct file_operations demo_buf_fops = {
	.owner		= THIS_MODULE,
	.mmap		= demo_buf_mmap,
};

static struct miscdevice demo_devs[] = {
	{ .minor = MISC_DYNAMIC_MINOR, .name = "mmapdemo-ro", .fops = &demo_ro_fops },
	{ .minor = MISC_DYNAMIC_MINOR, .name = "mmapdemo-regs", .fops = &demo_regs_fops },
	{ .minor = MISC_DYNAMIC_MINOR, .name = "mmapdemo-buf", .fops = &demo_buf_fops },
};

static int __init mmapdemo_init(void)
{
	int i, ret;

	demo_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!demo_page)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(demo_devs); i++) {
		ret = misc_register(&demo_devs[i]);
		if (ret) {
			while (i--)
				misc_deregister(&demo_devs[i]);
			__free_page(demo_page);
			return ret;
		}
	}
	return 0;
}

static void __exit mmapdemo_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(demo_devs); i++)
		misc_deregister(&demo_devs[i]);
	__free_page(demo_page);
}

module_init(mmapdemo_init);
module_exit(mmapdemo_exit);
MODULE_DESCRIPTION("mmap handler examples for mmapport");
MODULE_LICENSE("GPL");
