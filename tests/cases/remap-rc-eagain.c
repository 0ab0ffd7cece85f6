// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a remap whose value is kept, -EAGAIN returned when it fails and the value itself (0) when not
 * check-category: pfn-remap
 * check-output: remap-rc-eagain.mainline.expected
 * check-output-rfc: remap-rc-eagain.rfc.expected
 * check-equivalence: mainline stated
 */
#include <linux/fs.h>
#include <linux/mm.h>

static phys_addr_t rc_base;

static int rc_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	int rc;

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	rc = remap_pfn_range(vma, vma->vm_start, rc_base >> PAGE_SHIFT, size,
			     vma->vm_page_prot);
	if (rc)
		return -EAGAIN;
	return rc;
}

static const struct file_operations rc_fops = {
	.mmap = rc_mmap,
};
