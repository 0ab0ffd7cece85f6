// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a local the handler never reads, set by a call: it stays in prepare when the take moves out (its call is a side effect, not only a value)
 * check-category: stateful
 * check-output: state-unused-call.mainline.expected
 * check-output-rfc: state-unused-call.rfc.expected
 * check-equivalence: mainline stated
 * check-equivalence: rfc stated
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct uc_obj { struct kref ref; };
int uc_probe(struct uc_obj *o);
static void uc_close(struct vm_area_struct *vma);

static const struct vm_operations_struct uc_vm_ops = {
	.close = uc_close,
};

static int uc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct uc_obj *o = file->private_data;
	int seen = uc_probe(o);

	kref_get(&o->ref);
	vma->vm_ops = &uc_vm_ops;
	return 0;
}

static const struct file_operations uc_fops = {
	.mmap = uc_mmap,
};
