// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a trylock released in the same branch it was taken in, before the success return: not held at success (the release is conditional for the function, not for the take)
 * check-category: simple
 * check-output: lock-same-branch.mainline.expected
 * check-output-rfc: lock-same-branch.rfc.expected
 * check-equivalence: mainline stated
 */
#include <linux/fs.h>
#include <linux/mm.h>

static DEFINE_MUTEX(lsb_lock);
static unsigned long lsb_valid;

static int lsb_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err = 0;

	if (vma->vm_flags & VM_WRITE) {
		if (!mutex_trylock(&lsb_lock)) {
			err = -EAGAIN;
			goto out;
		}
		lsb_valid = vma->vm_end;
		mutex_unlock(&lsb_lock);
		if (err)
			goto out;
	}
	err = generic_file_mmap(file, vma);
out:
	return err;
}

static const struct file_operations lsb_fops = {
	.mmap		= lsb_mmap,
};
