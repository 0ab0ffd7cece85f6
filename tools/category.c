// SPDX-License-Identifier: GPL-2.0
/*
 * category.c - the category names and the API lists of category.h.
 */
#include <stddef.h>

#include "category.h"

const char *const cat_names[] = {
	"simple", "stateful", "needs-vma", "page-insert", "pfn-remap", "dma-mmap",
	"stacked", "unparsed", "dispatcher", "already-prepare", "no-handler",
};

const char *const vma_fields_read[] = {
	"vm_start", "vm_end", "vm_pgoff", "vm_file", "vm_page_prot", "vm_mm", "vm_flags", NULL,
};

const char *const vma_fields_write[] = {
	"vm_pgoff", "vm_page_prot", "vm_ops", "vm_private_data", "vm_file", NULL,
};

const char *const calls_simple[] = {
	"vm_flags_set", "vm_flags_clear", "vm_flags_mod", "vm_flags_reset", "vma_pages",
	"vma_set_anonymous", "generic_file_mmap", "generic_file_readonly_mmap",
	"vma_is_shared_maywrite", "is_cow_mapping", "vma_set_page_prot", NULL,
};

const char *const calls_remap[] = {
	"remap_pfn_range", "io_remap_pfn_range", "vm_iomap_memory", "remap_4k_pfn",
	"io_remap_pfn_range_wc", NULL,
};

const char *const calls_insert[] = {
	"vm_insert_page", "vm_insert_pages", "vm_map_pages", "vm_map_pages_zero",
	"remap_vmalloc_range", "remap_vmalloc_range_partial", "vmf_insert_pfn",
	"vmf_insert_mixed", "vm_insert_kernel_pages", "vmf_insert_pfn_prot", NULL,
};

const char *const calls_stacked[] = {
	"vfs_mmap", "call_mmap", "dma_buf_mmap", "can_mmap_file", NULL,
};
