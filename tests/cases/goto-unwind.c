// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: an allocation kept by the mapping, freed by goto unwinding on failure
 * check-category: stateful
 * check-reason: mainline allocates what the mapping keeps: mainline has no abort hook
 * check-reason: rfc docs/hazards.md, H2
 * check-fact: gu_mmap: .analyzer == "libclang"
 * check-fact: gu_mmap: .analysis.gotos == 1
 * check-fact: gu_mmap: [.analysis.takes[] | select(.call == "kzalloc") | .held_at_returns | length] == [2]
 * check-fact: gu_mmap: [.analysis.releases[].call] == ["kfree"]
 * check-fact: gu_mmap: .analysis.error_codes == ["-EINVAL", "-ENOMEM"]
 * check-fact: gu_mmap: .analysis.returns[.analysis.success_return].value == "0"
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct gu_buf { int n; };
static const struct vm_operations_struct gu_vm_ops;

static int gu_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct gu_buf *b;
	int ret;

	if (vma->vm_pgoff)
		return -EINVAL;
	b = kzalloc(sizeof(*b), 0);
	if (!b)
		return -ENOMEM;
	if (vma_pages(vma) > 4) {
		ret = -EINVAL;
		goto err_free;
	}
	vma->vm_private_data = b;
	vma->vm_ops = &gu_vm_ops;
	return 0;

err_free:
	kfree(b);
	return ret;
}

static const struct file_operations gu_fops = {
	.mmap = gu_mmap,
};
