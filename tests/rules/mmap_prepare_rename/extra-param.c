// SPDX-License-Identifier: GPL-2.0
/*
 * A function of the handler's name that is no handler (a third
 * parameter): the rule renames only the handler's prototypes, and says
 * nothing of this one.
 */
#include <linux/fs.h>
#include <linux/mm.h>

int lib_mmap(struct file *file, struct vm_area_struct *vma, int extra);
