// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a flag test that initialises a bool is a truth value: vma_desc_test()
 * check-category: simple
 * check-output: bool-flag-test.mainline.expected
 * check-output-rfc: bool-flag-test.rfc.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>
int bi_extend(struct file *file, unsigned long to);
static int bi_mmap(struct file *file, struct vm_area_struct *vma)
{
	bool rw = vma->vm_flags & VM_WRITE;
	int err;

	if (rw) {
		err = bi_extend(file, vma->vm_end);
		if (err)
			return err;
	}
	return generic_file_mmap(file, vma);
}
static const struct file_operations bi_fops = {
	.mmap		= bi_mmap,
};
