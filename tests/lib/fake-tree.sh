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
