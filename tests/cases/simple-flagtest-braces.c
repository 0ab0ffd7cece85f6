// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a flag test rewritten onto one line loses the braces around its single statement; braces of an if with else, or of an untouched test, stay
 * check-category: simple
 * check-output: simple-flagtest-braces.mainline.expected
 * check-output-rfc: simple-flagtest-braces.mainline.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct g_vm_ops;
static int g_ok(struct file *file);
static void g_log(int w);

static int g_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!g_ok(file))
		return -ENODEV;

	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) !=
	    (VM_SHARED | VM_MAYSHARE)) {
		return -EINVAL;
	}

	if (vma->vm_flags & VM_WRITE) {
		g_log(1);
	} else {
		g_log(0);
	}

	if (vma->vm_pgoff) {
		return -EINVAL;
	}

	vma->vm_ops = &g_vm_ops;

	return 0;
}

static struct file_operations g_fops = {
	.mmap		= g_mmap,
};
