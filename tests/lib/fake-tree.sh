#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fake-tree.sh DIR - the smallest "kernel tree" the conversion cases need:
# the declarations scan reads hook types from, and the headers profile
# detection reads (a 7.x mainline tree: struct mmap_action, vma_flags_t).
set -euo pipefail
d=$1
mkdir -p "$d/arch/x86" "$d/include/linux" "$d/include/media"
# its release: the version tests of a case are decided against it
printf '%s\n' "# fake kernel tree for mmapport's conversion cases" \
	'VERSION = 7' 'PATCHLEVEL = 2' 'SUBLEVEL = 0' > "$d/Makefile"
cat > "$d/include/linux/version.h" <<'H'
#define LINUX_VERSION_CODE 459264
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
H
cat > "$d/include/linux/fs.h" <<'H'
#ifndef _FAKE_LINUX_FS_H
#define _FAKE_LINUX_FS_H
struct vm_area_struct;
struct vm_area_desc;
struct module;
struct inode {
	void *i_private;
};
struct file {
	void *private_data;
	const struct file_operations *f_op;
	struct inode *f_inode;
	unsigned int f_flags;
};
static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}
#define IS_DAX(inode) 0
struct file_operations {
	struct module *owner;
	int (*mmap) (struct file *, struct vm_area_struct *);
	int (*mmap_prepare)(struct vm_area_desc *);
	int (*open) (struct inode *, struct file *);
	long (*llseek) (struct file *, long, int);
};
#endif
H
cat > "$d/include/linux/mm_types.h" <<'H'
#ifndef _FAKE_LINUX_MM_TYPES_H
#define _FAKE_LINUX_MM_TYPES_H
typedef struct { unsigned long __vma_flags[1]; } vma_flags_t;
typedef struct { unsigned long pgprot; } pgprot_t;
struct mmap_action {
	int type;
	struct {
		unsigned long start, start_pfn, size;
		pgprot_t pgprot;
	} remap;
	int error_override;
};
struct vm_area_desc {
	struct mm_struct *mm;
	struct file *file;
	unsigned long start, end;
	unsigned long pgoff;
	struct file *vm_file;
	vma_flags_t vma_flags;
	pgprot_t page_prot;
	const struct vm_operations_struct *vm_ops;
	void *private_data;
	struct mmap_action action;
};
#endif
H
cat > "$d/include/media/v4l2-dev.h" <<'H'
#ifndef _FAKE_MEDIA_V4L2_DEV_H
#define _FAKE_MEDIA_V4L2_DEV_H
struct v4l2_file_operations {
	struct module *owner;
	int (*mmap) (struct file *, struct vm_area_struct *);
};
#endif
H
# What the cases use from mm.h and friends, declared as the kernel does, so
# that the analyzer's fallback flags (no kbuild here) parse the cases
# without errors.
cat > "$d/include/linux/mm.h" <<'H'
#ifndef _FAKE_LINUX_MM_H
#define _FAKE_LINUX_MM_H
#include <linux/fs.h>
#include <linux/mm_types.h>
typedef unsigned long size_t;
typedef unsigned long long dma_addr_t;
typedef unsigned long long phys_addr_t;
typedef unsigned long long resource_size_t;
typedef _Bool bool;
typedef struct { int rlock; } spinlock_t;
typedef unsigned long vm_flags_t;
struct page;
struct device;
struct mm_struct;
struct kref { int refcount; };
typedef unsigned long pgoff_t;
struct vm_operations_struct {
	void (*open)(struct vm_area_struct *area);
	void (*close)(struct vm_area_struct *area);
	int (*mapped)(unsigned long start, unsigned long end, pgoff_t pgoff,
		      const struct file *file, void **vm_private_data);
	int (*access)(struct vm_area_struct *vma, unsigned long addr, void *buf, int len,
		      int write);
};
struct vm_area_struct {
	unsigned long vm_start, vm_end, vm_pgoff;
	struct mm_struct *vm_mm;
	pgprot_t vm_page_prot;
	const vm_flags_t vm_flags;
	const struct vm_operations_struct *vm_ops;
	struct file *vm_file;
	void *vm_private_data;
};
#define VM_READ		0x1
#define VM_WRITE	0x2
#define VM_SHARED	0x8
#define VM_MAYWRITE	0x20
#define VM_MAYEXEC	0x40
#define VM_IO		0x4000
#define VM_DONTEXPAND	0x40000
#define VM_DONTDUMP	0x4000000
#define VM_EXEC		0x4
#define VM_MAYREAD	0x10
#define VM_MAYSHARE	0x80
#define VM_PFNMAP	0x400
#define VM_MIXEDMAP	0x10000000
#define VM_HUGEPAGE	0x20000000
enum {
	VMA_READ_BIT, VMA_WRITE_BIT, VMA_EXEC_BIT, VMA_SHARED_BIT, VMA_MAYREAD_BIT,
	VMA_MAYWRITE_BIT, VMA_MAYEXEC_BIT, VMA_MAYSHARE_BIT, VMA_PFNMAP_BIT = 10,
	VMA_IO_BIT = 14, VMA_DONTEXPAND_BIT = 18, VMA_DONTDUMP_BIT = 26,
	VMA_MIXEDMAP_BIT = 28, VMA_HUGEPAGE_BIT = 29,
};
void vma_desc_set_flags(struct vm_area_desc *desc, ...);
void vma_desc_clear_flags(struct vm_area_desc *desc, ...);
bool vma_desc_test(const struct vm_area_desc *desc, ...);
bool vma_desc_test_any(const struct vm_area_desc *desc, ...);
bool vma_desc_test_all(const struct vm_area_desc *desc, ...);
static inline bool is_nommu_shared_mapping(vm_flags_t flags)
{
	return flags & VM_MAYSHARE;
}
static inline bool is_nommu_shared_vma_flags(const vma_flags_t *flags)
{
	return flags->__vma_flags[0] & (1UL << VMA_MAYSHARE_BIT);
}
unsigned long vma_desc_size(const struct vm_area_desc *desc);
unsigned long vma_desc_pages(const struct vm_area_desc *desc);
void mmap_action_remap(struct vm_area_desc *desc, unsigned long start, unsigned long pfn,
		       unsigned long size);
void mmap_action_remap_full(struct vm_area_desc *desc, unsigned long pfn);
void mmap_action_ioremap(struct vm_area_desc *desc, unsigned long start, unsigned long pfn,
			 unsigned long size);
void mmap_action_ioremap_full(struct vm_area_desc *desc, unsigned long pfn);
void mmap_action_simple_ioremap(struct vm_area_desc *desc, phys_addr_t start,
				unsigned long len);
int phys_mem_access_prot_allowed(struct file *file, unsigned long pfn, unsigned long size,
				 pgprot_t *vma_prot);
pgprot_t phys_mem_access_prot(struct file *file, unsigned long pfn, unsigned long size,
			      pgprot_t vma_prot);
int generic_access_phys(struct vm_area_struct *vma, unsigned long addr, void *buf, int len,
			int write);
long noop_llseek(struct file *file, long offset, int whence);
#define VMA_SPECIAL_FLAGS mk_vma_flags(VMA_IO_BIT, VMA_DONTEXPAND_BIT, \
				       VMA_PFNMAP_BIT, VMA_MIXEDMAP_BIT)
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define EPERM		1
#define ENOMEM		12
#define EAGAIN		11
#define EFAULT		14
#define EBUSY		16
#define ENODEV		19
#define EINVAL		22
#define ENOENT		2
#define ENXIO		6
#define EACCES		13
#define ENOSPC		28
#define ENOSYS		38
#define EBADF		9
#define NULL		((void *)0)
#define THIS_MODULE	((struct module *)0)
static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}
void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags);
void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags);
void vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set, vm_flags_t clear);
pgprot_t pgprot_noncached(pgprot_t prot);
int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn,
		    unsigned long size, pgprot_t prot);
int io_remap_pfn_range(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn,
		       unsigned long size, pgprot_t prot);
int vm_iomap_memory(struct vm_area_struct *vma, phys_addr_t start, unsigned long len);
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr, struct page *page);
static inline unsigned long vma_start_pgoff(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff;
}
#define GFP_KERNEL	0x400
struct page *vmalloc_to_page(const void *addr);
struct page *alloc_page(int gfp);
void __free_page(struct page *page);
void put_page(struct page *page);
int vm_map_pages(struct vm_area_struct *vma, struct page **pages, unsigned long num);
int vfs_mmap(struct file *file, struct vm_area_struct *vma);
void kref_get(struct kref *kref);
int kref_put(struct kref *kref, void (*release)(struct kref *kref));
void *kzalloc(size_t size, int flags);
void kfree(const void *p);
struct mutex { int owner; };
#define DEFINE_MUTEX(m) struct mutex m
#define min_t(type, x, y) ((type)(x) < (type)(y) ? (type)(x) : (type)(y))
void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
int generic_file_mmap(struct file *file, struct vm_area_struct *vma);
int generic_file_mmap_prepare(struct vm_area_desc *desc);
int generic_file_readonly_mmap(struct file *file, struct vm_area_struct *vma);
int generic_file_readonly_mmap_prepare(struct vm_area_desc *desc);
void file_accessed(struct file *file);
int capable(int cap);
#endif
H
cat > "$d/include/linux/dma-mapping.h" <<'H'
#ifndef _FAKE_LINUX_DMA_MAPPING_H
#define _FAKE_LINUX_DMA_MAPPING_H
#include <linux/mm.h>
int dma_mmap_coherent(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		      dma_addr_t dma_addr, size_t size);
#endif
H
# The core's rules are read from mm/vma.c and mm/util.c (docs/core-rules.md):
# the functions they come from, cut down to the lines the rules read, in
# the shape 7.3 has them.  tests/46-core-rules.t reads the real trees.
mkdir -p "$d/mm"
cat > "$d/mm/vma.c" <<'C'
static inline bool is_mergeable_vma(struct vma_merge_struct *vmg, bool merge_next)
{
	if (vma->vm_file != vmg->file)
		return false;
	return true;
}

static bool can_merge_remove_vma(struct vm_area_struct *vma)
{
	return !vma->vm_ops || !vma->vm_ops->close;
}

struct vm_area_struct *vma_merge_new_range(struct vma_merge_struct *vmg)
{
	if (vma_flags_test_any_mask(&vmg->vma_flags, VMA_SPECIAL_FLAGS) ||
	    (!prev && !next))
		return NULL;
	return vmg->target;
}

static int __mmap_new_vma(struct mmap_state *map, struct vm_area_struct **vmap,
	struct mmap_action *action)
{
	vma = vm_area_alloc(map->mm);
	if (!vma)
		return -ENOMEM;
	if (vma_iter_prealloc(vmi, vma))
		return -ENOMEM;
	if (map->file)
		error = __mmap_new_file_vma(map, vma);
	return error;
}

static int __mmap_setup(struct mmap_state *map, struct vm_area_desc *desc,
			struct list_head *uf)
{
	vms_clean_up_area(vms, &map->mas_detach);
	set_desc_from_map(desc, map);
	return 0;
}

static unsigned long __mmap_region(struct file *file, unsigned long addr,
		unsigned long len, vma_flags_t vma_flags,
		unsigned long pgoff, struct list_head *uf)
{
	error = __mmap_setup(&map, &desc, uf);
	if (error)
		goto abort_munmap;
	if (have_mmap_prepare)
		error = call_mmap_prepare(&map, &desc);
	if (map.prev || map.next)
		vma = vma_merge_new_range(&vmg);
	if (!vma) {
		error = __mmap_new_vma(&map, &vma, &desc.action);
		if (error)
			goto unacct_error;
		allocated_new = true;
	}
	__mmap_complete(&map, vma);
	if (have_mmap_prepare && allocated_new)
		error = mmap_action_complete(vma, &desc.action, false);
	return addr;
unacct_error:
abort_munmap:
	vms_abort_munmap_vmas(&map.vms, &map.mas_detach);
	return error;
}
C
cat > "$d/mm/util.c" <<'C'
static int mmap_action_finish(struct vm_area_struct *vma,
			      struct mmap_action *action, int err,
			      bool is_compat)
{
	if (!err)
		err = call_vma_mapped(vma);
	if (!err || is_compat)
		return err;
	do_munmap(current->mm, vma->vm_start, len, NULL);
	return action->error_override ?: err;
}
C
