// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: handlers under an #if the parsed configuration leaves out: Coccinelle's facts, decided by the analyzer's table
 * check-category: pfn-remap needs-vma
 * check-fact: off_io_mmap: .analyzer == "coccinelle" and .confidence == "low" and .analysis.source == "coccinelle"
 * check-fact: off_io_mmap: .analysis_error | test("not defined in this configuration")
 * check-fact: off_io_mmap: .facts[0] | startswith("facts from Coccinelle")
 * check-fact: off_io_mmap: .subcategory == "io_remap_pfn_range, whole range"
 * check-fact: off_io_mmap: [.analysis.flag_ops[] | "\(.op)(\(.flags))"] == ["vm_flags_set(VM_IO | VM_DONTEXPAND)"]
 * check-fact: off_io_mmap: [.analysis.fields_written[] | "\(.field) \(.op) \(.expr)"] == ["vm_page_prot = pgprot_noncached(vma->vm_page_prot)", "vm_ops = &off_vm_ops", "vm_private_data = d"]
 * check-fact: off_io_mmap: [.analysis.fields_read[] | select(.field == "vm_flags") | .op] == ["&"]
 * check-fact: off_io_mmap: .analysis.remaps[0].result == "checked: return -EAGAIN" and .analysis.hazards.error_rewritten == "-EAGAIN"
 * check-fact: off_io_mmap: .analysis.remaps[0].whole_range and .analysis.locals.size == "vma->vm_end - vma->vm_start"
 * check-fact: off_io_mmap: .analysis.error_codes == ["-EINVAL", "-EAGAIN"]
 * check-fact: off_io_mmap: [.analysis.takes[] | "\(.call) \(.kind)"] == ["mutex_lock lock"] and ([.analysis.releases[].call] | length) == 2
 * check-fact: off_io_mmap: .analysis.vm_ops[0].close == "off_close" and .analysis.hazards.close_releases[0].call == "kref_put"
 * check-fact: off_io_mmap: .analysis.hazards.locks_across_mapping == ["mutex_lock"]
 * check-fact: off_io_mmap: [.analysis.calls[] | "\(.callee) \(.kind)"] == ["vm_flags_set simple", "io_remap_pfn_range remap"]
 * check-fact: off_escape_mmap: .analyzer == "coccinelle" and .category == "needs-vma"
 * check-fact: off_escape_mmap: [.analysis.escapes[] | "\(.how) \(.to // "")"] == ["passed register_vma", "stored dev->vma", "returned "]
 * check-fact: off_escape_mmap: .analysis.followed[0].fn == "off_helper" and .analysis.followed[0].where == "static, this file"
 * check-fact: off_escape_mmap: [.analysis.calls[] | "\(.callee) \(.kind)"] == ["register_vma not visible", "off_helper followed"]
 * check-refused: mainline the handler is not in the configuration the analyzer parsed
 * check-refused: rfc the handler is not in the configuration the analyzer parsed
 */
#include <linux/fs.h>
#include <linux/mm.h>

#ifdef CONFIG_MMAPPORT_OFF
struct off_dev {
	struct kref ref;
	struct mutex lock;
	unsigned long base;
	struct vm_area_struct *vma;
};

static void off_release(struct kref *k)
{
}

static void off_close(struct vm_area_struct *vma)
{
	struct off_dev *d = vma->vm_private_data;

	kref_put(&d->ref, off_release);
}

static const struct vm_operations_struct off_vm_ops = {
	.close = off_close,
};

static int off_io_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct off_dev *d = file->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&d->lock);
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &off_vm_ops;
	vma->vm_private_data = d;
	if (io_remap_pfn_range(vma, vma->vm_start, d->base, size, vma->vm_page_prot)) {
		mutex_unlock(&d->lock);
		return -EAGAIN;
	}
	mutex_unlock(&d->lock);
	return 0;
}

static const struct file_operations off_io_fops = {
	.mmap = off_io_mmap,
};

int register_vma(struct vm_area_struct *vma);

static struct vm_area_struct *off_helper(struct off_dev *dev, struct vm_area_struct *area)
{
	if (register_vma(area))
		return NULL;
	dev->vma = area;
	return area;
}

static int off_escape_mmap(struct file *file, struct vm_area_struct *vma)
{
	return off_helper(file->private_data, vma) ? 0 : -ENODEV;
}

static const struct file_operations off_escape_fops = {
	.mmap = off_escape_mmap,
};
#endif
