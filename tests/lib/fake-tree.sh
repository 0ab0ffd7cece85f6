#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fake-tree.sh DIR - the smallest "kernel tree" the conversion cases need:
# the declarations scan reads hook types from, and the headers profile
# detection reads (a 7.x mainline tree: struct mmap_action, vma_flags_t).
set -euo pipefail
d=$1
mkdir -p "$d/arch/x86" "$d/include/linux" "$d/include/media"
echo "# fake kernel tree for mmapport's conversion cases" > "$d/Makefile"
cat > "$d/include/linux/fs.h" <<'H'
struct file {
	void *private_data;
	const struct file_operations *f_op;
};
struct file_operations {
	struct module *owner;
	int (*mmap) (struct file *, struct vm_area_struct *);
	int (*mmap_prepare)(struct vm_area_desc *);
	int (*open) (struct inode *, struct file *);
};
H
cat > "$d/include/linux/mm_types.h" <<'H'
struct mmap_action { int error_override; };
struct vm_area_desc {
	struct file *file;
	unsigned long start, end;
	vma_flags_t vma_flags;
	struct mmap_action action;
};
H
cat > "$d/include/media/v4l2-dev.h" <<'H'
struct v4l2_file_operations {
	struct module *owner;
	int (*mmap) (struct file *, struct vm_area_struct *);
};
H
# What the cases use from mm.h and friends, declared as the kernel does, so
# that the analyzer's fallback flags (no kbuild here) parse the cases
# without errors.
cat > "$d/include/linux/mm.h" <<'H'
#include <linux/fs.h>
#include <linux/mm_types.h>
typedef unsigned long size_t;
typedef unsigned long long dma_addr_t;
typedef unsigned long long phys_addr_t;
typedef struct { unsigned long pgprot; } pgprot_t;
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
#define VM_IO		0x4000
#define VM_DONTEXPAND	0x40000
#define VM_DONTDUMP	0x4000000
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define EPERM		1
#define ENOMEM		12
#define EAGAIN		11
#define EFAULT		14
#define EBUSY		16
#define ENODEV		19
#define EINVAL		22
#define NULL		((void *)0)
#define THIS_MODULE	((struct module *)0)
static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}
void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags);
void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags);
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
void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
H
cat > "$d/include/linux/dma-mapping.h" <<'H'
#include <linux/mm.h>
int dma_mmap_coherent(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		      dma_addr_t dma_addr, size_t size);
H
