// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a count taken, dropped at the common exit on error and in close (intel_th msc's shape)
 * check-category: stateful
 * check-output-rfc: state-ref-abort.rfc.expected
 * check-change: rfc the new mmap_abort hook releases what prepare took, atomic_inc_unless_negative(&ms->users)
 * check-change: rfc does not undo the other updates of driver state that prepare makes once it holds atomic_inc_unless_negative(&ms->users) (atomic_set(&ms->mmap_count, 1))
 * check-reason: mainline atomic_inc_unless_negative(&ms->users) can fail
 * check-fact: ms_mmap: .analysis.takes[0].use == "checked: return -EINVAL"
 * check-fact: ms_mmap: .analysis.takes[0].conditional == null
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct ms_buf { int users; int mmap_count; int nr_pages; struct mutex lock; };
struct ms_iter { struct ms_buf *buf; };
int atomic_inc_unless_negative(int *v);
void atomic_dec(int *v);
void atomic_set(int *v, int i);
int atomic_dec_and_mutex_lock(int *v, struct mutex *lock);

static void ms_mmap_close(struct vm_area_struct *vma)
{
	struct ms_iter *iter = vma->vm_file->private_data;
	struct ms_buf *ms = iter->buf;

	if (!atomic_dec_and_mutex_lock(&ms->mmap_count, &ms->lock))
		return;
	atomic_dec(&ms->users);
	mutex_unlock(&ms->lock);
}

static const struct vm_operations_struct ms_mmap_ops = {
	.close	= ms_mmap_close,
};

static int ms_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct ms_iter *iter = vma->vm_file->private_data;
	struct ms_buf *ms = iter->buf;
	int ret = -EINVAL;

	if (!size || vma->vm_pgoff)
		return -EINVAL;

	/* one count per mapping, dropped in ms_mmap_close() */
	if (!atomic_inc_unless_negative(&ms->users))
		return -EINVAL;

	if (size >> PAGE_SHIFT != ms->nr_pages)
		goto out;

	atomic_set(&ms->mmap_count, 1);
	ret = 0;

out:
	if (ret)
		atomic_dec(&ms->users);

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ms_mmap_ops;
	return ret;
}

static const struct file_operations ms_fops[] = {
	{ .mmap		= ms_mmap, },
};

static const struct file_operations ms_fops2 = {
	.mmap		= ms_mmap,
};

/*
 * -D rfc: the handler of tests/cases/state-ref-abort.c (its lines kept for
 * the plan in fops-array.defines), registered in an array of
 * file_operations too: the rule would add .mmap_complete and .mmap_abort
 * beside the other registration only, so it refuses the handler and
 * leaves the file as it is.
 */
