// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: docs/hazards.md, H5: the result of vm_iomap_memory() was ignored
 * check-category: pfn-remap
 * check-output: hazard-iomap.mainline.expected
 * check-change: mainline docs/hazards.md, H5
 * check-reason: rfc vm_iomap_memory
 */
#include <linux/fs.h>
#include <linux/mm.h>

static phys_addr_t regs_phys;
static unsigned long regs_len;

static int regs_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vm_iomap_memory(vma, regs_phys, regs_len);
	return 0;
}

static const struct file_operations regs_fops = {
	.mmap = regs_mmap,
};
