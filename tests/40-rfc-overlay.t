#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rfc API overlay (overlay/rfc/*.patch) on Debian's linux-source 7.2:
# it applies to the files it touches, gives the seed's declarations, leaves
# no clash with mm's own (renamed) remap pair, and comes out again cleanly.
# It is a type check of the rfc API; check --api rfc builds with it (the
# measured runs), this test only proves that it fits the tree.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"

files="include/linux/fs.h include/linux/mm_types.h include/linux/mm.h mm/internal.h mm/memory.c mm/util.c"
for f in $files; do
	mkdir -p "$tmp/t/$(dirname "$f")"
	cp "$tree/$f" "$tmp/t/$f"
done
git -C "$tmp/t" init -q && git -C "$tmp/t" add -A &&
	git -C "$tmp/t" -c user.name=t -c user.email=t@t commit -qm base

ok=1
for p in "$top"/overlay/rfc/*.patch; do
	git -C "$tmp/t" apply "$p" 2>>"$tmp/err" || ok=0
done
if [ $ok = 1 ]; then
	echo "ok 1 - the overlay applies to the 7.2 tree"
else
	echo "not ok 1 - the overlay does not apply"; sed 's/^/# /' "$tmp/err"
fi

if grep -q 'int (\*mmap_complete)(struct file \*, struct vm_area_struct \*' "$tmp/t/include/linux/fs.h" &&
   grep -q 'void (\*mmap_abort)' "$tmp/t/include/linux/fs.h" &&
   grep -q 'void \*mmap_context;' "$tmp/t/include/linux/mm_types.h" &&
   grep -q '^void remap_pfn_range_prepare(struct vm_area_desc \*desc, unsigned long pfn);' "$tmp/t/include/linux/mm.h" &&
   grep -q 'io_remap_pfn_range_complete(struct vm_area_struct \*vma' "$tmp/t/include/linux/mm.h"; then
	echo "ok 2 - the seed's hooks, mmap_context and split remap helpers are declared"
else
	echo "not ok 2 - a seed declaration is missing"
fi

left=$(grep -n 'remap_pfn_range_prepare(struct vm_area_desc \*desc);\|remap_pfn_range_complete(struct vm_area_struct \*vma,$' \
	"$tmp/t/mm/internal.h" | wc -l)
if [ "$left" = 0 ] && grep -q 'remap_action_prepare(struct vm_area_desc \*desc);' "$tmp/t/mm/internal.h"; then
	echo "ok 3 - mm's internal remap pair is renamed"
else
	echo "not ok 3 - mm/internal.h still declares the clashing pair ($left lines)"
fi

for p in $(ls -r "$top"/overlay/rfc/*.patch); do
	git -C "$tmp/t" apply -R "$p" 2>>"$tmp/err"
done
if [ -z "$(git -C "$tmp/t" status --porcelain)" ]; then
	echo "ok 4 - the overlay comes out again without a trace"
else
	echo "not ok 4 - reverting left changes"; git -C "$tmp/t" status --porcelain | sed 's/^/# /'
fi
