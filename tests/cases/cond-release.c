// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a count taken, dropped at the common exit only on error (intel_th msc's shape, docs/hazards.md H1)
 * check-category: stateful
 * check-reason: mainline atomic_inc_unless_negative(&cc->users) can fail
 * check-reason: rfc can fail (checked: return -EINVAL): the mapping may merge, and then neither mmap_complete nor mmap_abort runs to release it
 * check-fact: cc_mmap: .analysis.releases[0].conditional == true
 * check-fact: cc_mmap: [.reasons[] | select(.category == "stateful")] | length == 1
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct cc_dev { int users; int nr_pages; };
int atomic_inc_unless_negative(int *v);
void atomic_dec(int *v);
static const struct vm_operations_struct cc_vm_ops;

static int cc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct cc_dev *cc = file->private_data;
	int ret = -EINVAL;

	if (!atomic_inc_unless_negative(&cc->users))
		return -EINVAL;
	if (vma_pages(vma) != cc->nr_pages)
		goto out;
	ret = 0;
out:
	if (ret)
		atomic_dec(&cc->users);
	vma->vm_ops = &cc_vm_ops;
	return ret;
}

static const struct file_operations cc_fops = {
	.mmap = cc_mmap,
};
