// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: fops made by a macro: found, not converted
 * check-category: unparsed
 * check-refused: mainline registered through macro M_FOPS
 * check-refused: rfc registered through macro M_FOPS
 */
#include <linux/fs.h>
#include <linux/mm.h>

int m_mmap(struct file *file, struct vm_area_struct *vma);

#define M_FOPS \
	.owner = THIS_MODULE, \
	.mmap = m_mmap

static const struct file_operations m_fops = {
	M_FOPS,
};
