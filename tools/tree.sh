#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tree.sh - print the path of the kernel tree to work on.
#
# Usage: tree.sh KERNEL KVER
#
# A non-empty KERNEL must be a kernel source tree (Makefile, include/linux,
# arch/); its absolute path is printed.  An empty KERNEL means the tree of
# series KVER from fetch-tree.sh.
set -euo pipefail

kernel=${1-}
kver=${2-}

if [ -z "$kernel" ]; then
	here=$(cd "$(dirname "$0")" && pwd)
	exec "$here/fetch-tree.sh" "$kver"
fi

if [ ! -d "$kernel" ] || [ ! -f "$kernel/Makefile" ] ||
   [ ! -d "$kernel/include/linux" ] || [ ! -d "$kernel/arch" ]; then
	echo "tree: '$kernel' is not a kernel tree (need Makefile, include/linux and arch/)" >&2
	exit 1
fi
CDPATH='' cd -- "$kernel" && pwd
