// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a remap with its own error and protection after another call given the VMA
 * check-category: pfn-remap
 * check-output: remap-override-flags.mainline.expected
 * check-change: mainline desc->action.error_override
 * check-change: mainline desc->action.remap.pgprot
 * check-placement: mainline remap_pfn_range action
 * check-reason: rfc fields assigned
 */
#include <linux/fs.h>
#include <linux/mm.h>

static unsigned long rof_pfn;

/*
 * Only the mapping call takes the error code and the protection: the
 * vm_flags_clear() before it, which also gets the VMA first, keeps
 * neither (the rules write them beside the call they rewrite).
 */
static int rof_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_clear(vma, VM_MAYWRITE);
	if (remap_pfn_range(vma, vma->vm_start, rof_pfn, vma->vm_end - vma->vm_start,
			    pgprot_noncached(vma->vm_page_prot)))
		return -EAGAIN;
	return 0;
}

static const struct file_operations rof_fops = {
	.mmap = rof_mmap,
};
