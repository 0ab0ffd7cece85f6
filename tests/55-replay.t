#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mmapport replay: handlers that are ->mmap in an older tree and
# ->mmap_prepare in a newer one (hand ports) are converted from the older
# file and compared with the hand port (docs/replay.md).  Four shapes on
# two small trees: a port mmapport reproduces (same), a library
# registration (same: the same twin), a hand port that also changed the
# flags (differs, the change upstream's), a handler convert does not take
# (refused, with the facts), tests of two flags joined by && (alone, and
# beside another condition) that upstream wrote as vma_desc_test_all()
# (same); then a second run changes nothing, and the
# report carries the table.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..10"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1: got '$2', want '$3'"; fi; }

A=$tmp/A B=$tmp/B
bash "$top/tests/lib/fake-tree.sh" "$A"
bash "$top/tests/lib/fake-tree.sh" "$B"
mkdir -p "$A/drivers/rp" "$B/drivers/rp"
cat > "$A/drivers/rp/same.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static const struct vm_operations_struct same_vm_ops;
static int same_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &same_vm_ops;
	return 0;
}
static const struct file_operations same_fops = {
	.mmap = same_mmap,
};
C
cat > "$B/drivers/rp/same.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static const struct vm_operations_struct same_vm_ops;
static int same_mmap_prepare(struct vm_area_desc *desc)
{
	if (vma_desc_test(desc, VMA_WRITE_BIT))
		return -EPERM;
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT);
	desc->vm_ops = &same_vm_ops;
	return 0;
}
static const struct file_operations same_fops = {
	.mmap_prepare = same_mmap_prepare,
};
C
cat > "$A/drivers/rp/later.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static int later_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}
static const struct file_operations later_fops = {
	.mmap = later_mmap,
};
C
cat > "$B/drivers/rp/later.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static int later_mmap_prepare(struct vm_area_desc *desc)
{
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
	return 0;
}
static const struct file_operations later_fops = {
	.mmap_prepare = later_mmap_prepare,
};
C
cat > "$A/drivers/rp/lib.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static const struct file_operations lib_fops = {
	.mmap = generic_file_mmap,
};
C
sed 's/\.mmap = generic_file_mmap/.mmap_prepare = generic_file_mmap_prepare/' \
	"$A/drivers/rp/lib.c" > "$B/drivers/rp/lib.c"
cat > "$A/drivers/rp/both.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static int both_mmap(struct file *file, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_MAYWRITE))
		return -EINVAL;
	if (file->f_flags && (vma->vm_flags & VM_EXEC) && (vma->vm_flags & VM_WRITE))
		return -EPERM;
	return 0;
}
static const struct file_operations both_fops = {
	.mmap = both_mmap,
};
C
cat > "$B/drivers/rp/both.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static int both_mmap_prepare(struct vm_area_desc *desc)
{
	if (vma_desc_test_all(desc, VMA_SHARED_BIT, VMA_MAYWRITE_BIT))
		return -EINVAL;
	if (desc->file->f_flags && vma_desc_test_all(desc, VMA_EXEC_BIT, VMA_WRITE_BIT))
		return -EPERM;
	return 0;
}
static const struct file_operations both_fops = {
	.mmap_prepare = both_mmap_prepare,
};
C
cat > "$A/drivers/rp/vma.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
void keep_vma(struct vm_area_struct *vma);
static int vma_mmap(struct file *file, struct vm_area_struct *vma)
{
	keep_vma(vma);
	return 0;
}
static const struct file_operations vma_fops = {
	.mmap = vma_mmap,
};
C
cat > "$B/drivers/rp/vma.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static int vma_mmap_prepare(struct vm_area_desc *desc)
{
	return 0;
}
static const struct file_operations vma_fops = {
	.mmap_prepare = vma_mmap_prepare,
};
C
(cd "$tmp" && find A B -type f -exec sha256sum {} + | sort) > "$tmp/trees.sum"

out=$tmp/out
"$mm" replay --old "$A" --new "$B" --out "$out" >"$tmp/log" 2>&1
rc=$?
check "replay exits 0" "$rc" 0
rp=$out/run/replay.json
row() { jq -r --arg f "$1" '.ports[] | select(.file == $f) | '"$2" "$rp" 2>/dev/null; }
check "a port mmapport reproduces is same" "$(row drivers/rp/same.c .verdict)" same
check "a library registration that takes the same twin is same" \
	"$(row drivers/rp/lib.c '"\(.verdict) \(.ours_function)"')" "same generic_file_mmap_prepare"
check "a hand port that also set VM_DONTDUMP differs in the flags set, changed by upstream" \
	"$(row drivers/rp/later.c '.verdict + " " + ([.differences[] | "\(.what)/\(.by)/\(.ours)/\(.theirs)"] | join(","))')" \
	"differs flags set/upstream/VM_DONTEXPAND/VM_DONTDUMP VM_DONTEXPAND"
check "(flags & A) && (flags & B) and upstream's vma_desc_test_all(desc, A, B) are the same" \
	"$(row drivers/rp/both.c '"\(.verdict) \([.differences[]?.what] | join(","))"')" "same "
check "a handler classify keeps (the VMA escapes) is refused with its category's facts" \
	"$(row drivers/rp/vma.c '"\(.verdict) \(.category) \(.facts | length > 0)"')" "refused needs-vma true"
check "the totals count files by verdict" \
	"$(jq -cS '.totals.files' "$rp")" '{"differs":1,"refused":1,"same":3}'
grep -q "^Replay: upstream's hand ports" "$out/run/report.txt" &&
	grep -q "flags set: old \"VM_DONTEXPAND\", mmapport \"VM_DONTEXPAND\", upstream \"VM_DONTDUMP VM_DONTEXPAND\": upstream changed it" \
		"$out/run/report.txt" &&
	ok "report.txt has the table and says who changed what" ||
	nok "report.txt has the table and says who changed what"
cp "$rp" "$tmp/first.json"
"$mm" replay --old "$A" --new "$B" --out "$out" >"$tmp/log2" 2>&1
if cmp -s "$rp" "$tmp/first.json"; then
	ok "a second run writes the same replay.json"
else
	nok "a second run writes the same replay.json"
	diff "$tmp/first.json" "$rp" | sed 's/^/# /' | head -20
fi
if (cd "$tmp" && find A B -type f -exec sha256sum {} + | sort) | cmp -s - "$tmp/trees.sum"; then
	ok "neither tree was written"
else
	nok "neither tree was written"
fi
