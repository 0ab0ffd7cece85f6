// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a lock held across the remap, dropped on the early return (docs/hazards.md, H6)
 * check-category: pfn-remap
 * check-fact: el_mmap: .subcategory == "remap_pfn_range, whole range"
 * check-fact: el_mmap: .analysis.hazards.locks_across_mapping == ["mutex_lock"]
 * check-fact: el_mmap: .analysis.takes[0].held_at_returns == []
 * check-fact: el_mmap: .analysis.remaps[0].result == "assigned to ret"
 * check-fact: el_mmap: .analysis.hazards.mergeable == false
 * check-fact: el_mmap: .analysis.returns[.analysis.success_return].value == "ret"
 * check-output-rfc: early-return-lock.rfc.expected
 * check-refused: mainline mutex_lock() is held across
 */
#include <linux/fs.h>
#include <linux/mm.h>

static struct mutex el_lock;

static int el_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	mutex_lock(&el_lock);
	if (vma->vm_pgoff) {
		mutex_unlock(&el_lock);
		return -EINVAL;
	}
	ret = remap_pfn_range(vma, vma->vm_start, 0x1000,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	mutex_unlock(&el_lock);
	return ret;
}

static const struct file_operations el_fops = {
	.mmap = el_mmap,
};
