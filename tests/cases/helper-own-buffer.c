// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a helper that frees a buffer an unseen callee gave it is a side effect (the callee), not a release of the caller's
 * check-category: pfn-remap
 * check-output: helper-own-buffer.mainline.expected
 * check-output-rfc: helper-own-buffer.rfc.expected
 * check-fact: hob_mmap: [.analysis.effects[] | select(.call == "hob_query")] | length == 1 and all(.effect == "side-effect")
 * check-equivalence: mainline stated hob_query
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

struct hob_dev { unsigned long base, size; };
struct hob_reply { unsigned long base, size; };

struct hob_reply *hob_firmware_eval(struct hob_dev *d);

static int hob_query(struct hob_dev *d, unsigned long *base)
{
	struct hob_reply *r;
	int ret = -ENODEV;

	r = hob_firmware_eval(d);
	if (!r)
		return -EINVAL;
	if (r->size) {
		*base = r->base;
		ret = 0;
	}
	kfree(r);
	return ret;
}

static int hob_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hob_dev *d = file->private_data;
	unsigned long base;
	int ret;

	ret = hob_query(d, &base);
	if (ret)
		return ret;
	return remap_pfn_range(vma, vma->vm_start, base >> PAGE_SHIFT,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static const struct file_operations hob_fops = {
	.mmap		= hob_mmap,
};
