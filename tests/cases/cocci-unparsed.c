// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a handler neither libclang (compiled out) nor Coccinelle (a block macro) can read: the lexical category stands, and says why
 * check-category: pfn-remap
 * check-fact: u_mmap: .analyzer == "lexical" and .confidence == "low" and .analysis == null
 * check-fact: u_mmap: .coccinelle_error | test("could not parse")
 * check-fact: u_mmap: .facts | last | test("^libclang: .*; Coccinelle: .*; the lexical classification stands$")
 * check-refused: mainline the handler is not in the configuration the analyzer parsed
 * check-refused: rfc the handler is not in the configuration the analyzer parsed
 */
#include <linux/fs.h>
#include <linux/mm.h>

#ifdef CONFIG_MMAPPORT_OFF
static unsigned long u_base;

static int u_mmap(struct file *file, struct vm_area_struct *vma)
{
	MMAP_CHECK(vma) {
		return -EINVAL;
	}
	return remap_pfn_range(vma, vma->vm_start, u_base, PAGE_SIZE, vma->vm_page_prot);
}

static const struct file_operations u_fops = {
	.mmap = u_mmap,
};
#endif
