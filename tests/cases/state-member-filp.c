// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: the take names a member spelled like the handler's file parameter (priv->filp): only the parameter is renamed in the hook that takes it
 * check-category: stateful
 * check-output: state-member-filp.mainline.expected
 * check-output-rfc: state-member-filp.rfc.expected
 * check-equivalence: mainline stated
 * check-equivalence: rfc stated
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct mf_priv { struct file *filp; };
struct file *get_file(struct file *f);
static void mf_close(struct vm_area_struct *vma);

static const struct vm_operations_struct mf_vm_ops = {
	.close = mf_close,
};

static int mf_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct mf_priv *priv = filp->private_data;

	get_file(priv->filp);
	vma->vm_ops = &mf_vm_ops;
	return 0;
}

static const struct file_operations mf_fops = {
	.mmap = mf_mmap,
};
