// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: io_remap_pfn_range of the whole VMA, a message and -EAGAIN on failure
 * check-category: pfn-remap
 * check-output: ioremap-log.mainline.expected
 * check-output-rfc: ioremap-log.rfc.expected
 * check-change: mainline no longer printed
 * check-placement: mainline pr_warn removed
 * check-placement: rfc pr_warn complete
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int hl_mmap(struct file *fp, struct vm_area_struct *vma)
{
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);

	if (io_remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff,
			       vma->vm_end - vma->vm_start,
			       vma->vm_page_prot)) {
		pr_warn("Hostlink buffer mmap ERROR\n");
		return -EAGAIN;
	}
	return 0;
}

static const struct file_operations hl_fops = {
	.mmap = hl_mmap,
};
