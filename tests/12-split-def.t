#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A handler registered in one file and defined in another, its return
# type on the line above its name ("int\nNAME(...)"): classify finds the
# definition and analyses it there; convert refuses it with that reason
# (the definition and every registration would change together), never
# with "the semantic patch did not convert it".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..2"

tree=$tmp/tree
bash "$top/tests/lib/fake-tree.sh" "$tree"
mkdir -p "$tree/drivers/split"
cat > "$tree/drivers/split/reg.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
int split_mmap(struct file *file, struct vm_area_struct *vma);
static const struct file_operations split_fops = {
	.mmap = split_mmap,
};
C
cat > "$tree/drivers/split/def.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
int
split_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}
C
"$mm" classify --tree "$tree" --out "$tmp/out" --paths drivers/split >/dev/null 2>"$tmp/err"
s=$(jq -r '.[] | select(.function == "split_mmap") | "\(.category) \(.analysis.def_file)"' "$tmp/out/records.json")
if [ "$s" = "simple drivers/split/def.c" ]; then
	echo "ok 1 - split_mmap is analysed where it is defined (drivers/split/def.c)"
else
	echo "not ok 1 - split_mmap: category and definition file = $s"
	sed 's/^/# /' "$tmp/err"
fi
"$mm" convert --tree "$tree" --out "$tmp/out" >/dev/null 2>>"$tmp/err"
r=$(jq -r '.[] | select(.function == "split_mmap") | "\(.conversion.status): \(.conversion.reason)"' \
	"$tmp/out/records.json")
case $r in
"refused: split_mmap() is defined in drivers/split/def.c and registered here"*)
	echo "ok 2 - convert refuses it, saying where it is defined" ;;
*)
	echo "not ok 2 - split_mmap: $r" ;;
esac
