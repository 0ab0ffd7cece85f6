// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a simple handler in another architecture's file: simple from Coccinelle's facts, and converted
 * check-dir: arch/powerpc/platforms/mmapport
 * check-category: simple
 * check-fact: pb_mmap: .analyzer == "coccinelle" and .confidence == "low" and .category == "simple"
 * check-fact: pb_mmap: [.analysis.flag_ops[] | "\(.op)(\(.flags))"] == ["vm_flags_set(VM_IO | VM_DONTEXPAND)"]
 * check-fact: pb_mmap: .vma_uses == ["vm_flags", "vm_page_prot", "vm_page_prot=", "vm_ops=", "vm_flags_set()"]
 * check-output: cocci-arch-simple.mainline.expected
 * check-output-rfc: cocci-arch-simple.rfc.expected
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct pb_vm_ops;

static int pb_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &pb_vm_ops;
	return 0;
}

static const struct file_operations pb_fops = {
	.mmap = pb_mmap,
};
