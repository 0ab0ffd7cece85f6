// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a registration only kernels older than this release compile: reported as such, not converted
 * check-category: simple
 * check-coccicheck: rule-only the registration is for kernels older than the target's release, which the rule alone does not know
 * check-fact: old_mmap: .not_compiled == {"line": 15, "directive": "#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 0, 0)"}
 * check-refused: mainline its registration is under "#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 0, 0)" (line 15), which is false on this tree's release
 * check-refused: rfc its registration is under "#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 0, 0)" (line 15)
 * check-fact: old_mmap: .facts | any(startswith("registered only under \"#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 0, 0)\" (line 15)"))
 */
#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 0, 0)
static int old_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}

static const struct file_operations old_fops = {
	.mmap = old_mmap,
};
#endif
