#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's nine hand conversions (the seed series), classified on Debian's
# linux-source 6.12, where every one of them is still an ->mmap, as the
# seed classified them:
#   prepare only            shmem, dax, relay: simple, or needs-vma only
#                           because helpers take the VMA, each use of it
#                           with a descriptor form (the seed converted the
#                           helpers too)
#   prepare + complete      hugetlbfs, mem, cramfs, vmcore (through
#                           proc_ops), kcov: work that needs the VMA: a
#                           remap, a page insertion, a dispatch, or a call
#                           that needs the VMA itself
#   + abort                 resctrl pseudo_lock: state taken in prepare:
#                           a lock held across the mapping, or stateful
# The build dir is kept in build/seed-6.12 so that a second run reuses it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 6.12) || { echo "1..1"; echo "not ok 1 - cannot fetch the 6.12 tree"; exit 1; }
out=$top/build/seed-6.12
rm -rf "$out"

seeds="simple:mm/shmem.c:shmem_mmap
simple:drivers/dax/device.c:dax_mmap
simple:kernel/relay.c:relay_file_mmap
complete:fs/hugetlbfs/inode.c:hugetlbfs_file_mmap
complete:drivers/char/mem.c:mmap_mem
complete:fs/cramfs/inode.c:cramfs_physmem_mmap
complete:fs/proc/vmcore.c:mmap_vmcore
complete:kernel/kcov.c:kcov_mmap
abort:arch/x86/kernel/cpu/resctrl/pseudo_lock.c:pseudo_lock_dev_mmap"
paths=$(echo "$seeds" | cut -d: -f2 | paste -sd,)
echo "1..10"
if "$top/bin/mmapport" classify --tree "$tree" --out "$out" --paths "$paths" > "$out.classify.txt" 2>&1; then
	echo "ok 1 - classify on 6.12 ($(grep -o 'libclang parsed.*' "$out.classify.txt"))"
else
	echo "not ok 1 - classify on 6.12 failed"
	sed 's/^/#   /' "$out.classify.txt"
fi
n=1
while IFS=: read -r class file fn; do
	n=$((n + 1))
	case $class in
	simple)
		want='.category == "simple" or (.category == "needs-vma" and (.subcategory // "" | startswith("through helpers")))' ;;
	complete)
		want='(.category | IN("pfn-remap", "page-insert", "dispatcher")) or (.category == "needs-vma" and (.subcategory // "" | startswith("through helpers") | not))' ;;
	abort)
		want='.category == "stateful" or (.analysis.hazards.locks_across_mapping | length > 0)' ;;
	esac
	got=$(jq -r --arg f "$file" --arg fn "$fn" \
		'.[] | select(.file == $f and .function == $fn) | "\(.category) \(.subcategory // "") [\(.analyzer)]"' \
		"$out/records.json" 2>/dev/null)
	if jq -e --arg f "$file" --arg fn "$fn" \
		"[.[] | select(.file == \$f and .function == \$fn)] | length == 1 and (.[0] | .analyzer == \"libclang\" and ($want))" \
		"$out/records.json" >/dev/null 2>&1; then
		echo "ok $n - $fn ($file): seed $class, got $got"
	else
		echo "not ok $n - $fn ($file): seed $class, got '$got'"
		jq -r --arg fn "$fn" '.[] | select(.function == $fn) | .facts[]' "$out/records.json" 2>/dev/null |
			sed 's/^/#   /'
	fi
done <<< "$seeds"
