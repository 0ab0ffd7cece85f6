// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a count bumped by a helper of the driver's own, on no list (upstream's first afs port, CVE-2026-46100)
 * check-category: stateful
 * check-fact: hc_mmap: .analysis.takes[0].via == "atomic_inc"
 * check-output: helper-count.mainline.expected
 * check-change: mainline hc_note_mapping(file_inode(file)) is taken in the new hc_vm_ops.mapped hook
 * check-equivalence: mainline stated
 * check-output-rfc: helper-count.rfc.expected
 * check-change: rfc hc_note_mapping(file_inode(file)) is taken in the new mmap_complete hook, hc_mmap_complete()
 * check-equivalence: rfc stated
 */
#include <linux/fs.h>
#include <linux/mm.h>

typedef struct { int counter; } atomic_t;
void atomic_inc(atomic_t *v);
void atomic_dec(atomic_t *v);

struct hc_inode_info {
	atomic_t mmap_count;
};

static void hc_close(struct vm_area_struct *vma)
{
	struct hc_inode_info *info = file_inode(vma->vm_file)->i_private;

	atomic_dec(&info->mmap_count);
}

static const struct vm_operations_struct hc_vm_ops = {
	.close = hc_close,
};

static void hc_note_mapping(struct inode *inode)
{
	struct hc_inode_info *info = inode->i_private;

	atomic_inc(&info->mmap_count);
}

static int hc_mmap(struct file *file, struct vm_area_struct *vma)
{
	hc_note_mapping(file_inode(file));
	vma->vm_ops = &hc_vm_ops;
	return 0;
}

static const struct file_operations hc_fops = {
	.mmap		= hc_mmap,
};
