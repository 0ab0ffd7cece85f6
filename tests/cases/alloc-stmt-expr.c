// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: an allocation through a macro that expands to a statement expression (kzalloc() through alloc_hooks()), kept by an unmergeable mapping and freed by goto unwinding: the take is the macro as written
 * check-category: stateful
 * check-output-rfc: alloc-stmt-expr.rfc.expected
 * check-reason: mainline allocates what the mapping keeps: mainline has no abort hook
 * check-fact: sx_mmap: .analyzer == "libclang"
 * check-fact: sx_mmap: [.analysis.takes[].call] == ["sx_zalloc"]
 * check-fact: sx_mmap: [.analysis.takes[].result] == ["b"]
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct sx_buf { unsigned long n; };
void *_sx_zalloc_noprof(unsigned long size, int flags);
int sx_profiling(void);
void sx_tag(int on);

#define sx_zalloc(size, flags)					\
({								\
	void *_r;						\
	if (sx_profiling()) {					\
		sx_tag(1);					\
		_r = _sx_zalloc_noprof(size, flags);		\
		sx_tag(0);					\
	} else							\
		_r = _sx_zalloc_noprof(size, flags);		\
	_r;							\
})

static const struct vm_operations_struct sx_vm_ops;

static int sx_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct sx_buf *b;
	int ret;

	b = sx_zalloc(sizeof(*b), 0);
	if (!b)
		return -ENOMEM;
	b->n = vma_pages(vma);
	if (b->n > 4) {
		ret = -EINVAL;
		goto err_free;
	}
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_private_data = b;
	vma->vm_ops = &sx_vm_ops;
	return 0;

err_free:
	kfree(b);
	return ret;
}

static const struct file_operations sx_fops = {
	.mmap = sx_mmap,
};
