// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: handlers under #ifdef with a "#define handler F" fallback in #else: renamed in both branches when F has a prepare twin, else left
 * check-category: simple simple
 * check-output: simple-else-alias.mainline.expected
 * check-output-rfc: simple-else-alias.rfc.expected
 * check-equivalence: mainline stated
 * check-fact: ea_file_mmap: .definition.conditions == "defined(CONFIG_MMAPPORT_OFF)"
 * check-conversion: mainline ea_file_mmap: .equivalence.code_compared and (.equivalence.code_config | test("#if conditions"))
 * check-refused: mainline the semantic patch did not convert it
 * check-refused: rfc the semantic patch did not convert it
 * check-coccicheck: mmapport-only the twins are found in the tree by mmapport (-D twin_names), and the rule alone never takes one (the #else alias)
 */
#include <linux/fs.h>
#include <linux/mm.h>

static const struct vm_operations_struct ea_vm_ops;

#ifdef CONFIG_MMAPPORT_OFF
static int ea_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	file_accessed(file);
	vma->vm_ops = &ea_vm_ops;
	return 0;
}
#else
#define ea_file_mmap generic_file_mmap
#endif

int eb_fallback_mmap(struct file *file, struct vm_area_struct *vma);

#ifdef CONFIG_MMAPPORT_OFF
static int eb_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &ea_vm_ops;
	return 0;
}
#else
#define eb_file_mmap eb_fallback_mmap
#endif

static const struct file_operations ea_fops = {
	.mmap		= ea_file_mmap,
};

static const struct file_operations eb_fops = {
	.mmap		= eb_file_mmap,
};
