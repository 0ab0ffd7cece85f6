#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A handler registered in one file and defined in another, its return
# type on the line above its name ("int\nNAME(...)"): classify finds the
# definition and analyses it there, and records the other files that
# name it (analysis.named_in).  convert changes the definition and every
# file that names it as one change, one diff: the prototype in a header,
# each registration, the export.  A use it does not rename (a call from
# another file) refuses the change whole, naming that use.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..6"

tree=$tmp/tree
bash "$top/tests/lib/fake-tree.sh" "$tree"
mkdir -p "$tree/drivers/split" "$tree/drivers/shared"
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
# one handler: a prototype in the driver's header (which declares the VMA's
# struct, and gets the descriptor's beside it), an export, two registrations
cat > "$tree/drivers/shared/shared.h" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
struct vm_area_struct;
int shared_mmap(struct file *, struct vm_area_struct *);
C
cat > "$tree/drivers/shared/mmap.c" <<'C'
#include "shared.h"
int shared_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_private_data = file->private_data;
	return 0;
}
EXPORT_SYMBOL_GPL(shared_mmap);
C
cat > "$tree/drivers/shared/one.c" <<'C'
#include "shared.h"
static const struct file_operations one_fops = {
	.owner = THIS_MODULE,
	.mmap = shared_mmap,
};
C
# aligned with tabs: the new designator keeps the column of the "="
cat > "$tree/drivers/shared/two.c" <<'C'
#include "shared.h"
static const struct file_operations two_fops = {
	.owner		= THIS_MODULE,
	.mmap		= shared_mmap,
};
C
# another: also called directly from a file that registers nothing
mkdir -p "$tree/drivers/called"
cat > "$tree/drivers/called/called.h" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
int called_mmap(struct file *file, struct vm_area_struct *vma);
C
cat > "$tree/drivers/called/def.c" <<'C'
#include "called.h"
int called_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTCOPY);
	return 0;
}
C
cat > "$tree/drivers/called/reg.c" <<'C'
#include "called.h"
static const struct file_operations called_fops = {
	.mmap = called_mmap,
};
C
cat > "$tree/drivers/called/user.c" <<'C'
#include "called.h"
int called_user(struct file *file, struct vm_area_struct *vma)
{
	return called_mmap(file, vma);
}
C
(cd "$tree" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm base)
"$mm" classify --tree "$tree" --out "$tmp/out" --paths drivers/split,drivers/shared,drivers/called \
	>/dev/null 2>"$tmp/err"
s=$(jq -r '.[] | select(.function == "split_mmap") | "\(.category) \(.analysis.def_file)"' "$tmp/out/records.json")
if [ "$s" = "simple drivers/split/def.c" ]; then
	echo "ok 1 - split_mmap is analysed where it is defined (drivers/split/def.c)"
else
	echo "not ok 1 - split_mmap: category and definition file = $s"
	sed 's/^/# /' "$tmp/err"
fi
n=$(jq -r '[.[] | select(.function == "shared_mmap") | .analysis.named_in | join(",")] | unique | join(" ")' \
	"$tmp/out/records.json")
if [ "$n" = "drivers/shared/one.c,drivers/shared/shared.h,drivers/shared/two.c" ]; then
	echo "ok 2 - shared_mmap's records name the other files that name it"
else
	echo "not ok 2 - shared_mmap named_in = $n"
fi
"$mm" convert --tree "$tree" --out "$tmp/out" >/dev/null 2>>"$tmp/err"
r=$(jq -r '.[] | select(.function == "split_mmap") |
	"\(.conversion.status) \(.conversion.diff) \(.conversion.files | keys | join(","))"' \
	"$tmp/out/records.json")
wt=$tmp/out/work
w=$wt/drivers/split
if [ "$r" = "converted diffs/drivers_split_def.c.patch drivers/split/def.c,drivers/split/reg.c" ] &&
   grep -q '^split_mmap_prepare(struct vm_area_desc \*desc)$' "$w/def.c" &&
   grep -q '^int split_mmap_prepare(struct vm_area_desc \*desc);$' "$w/reg.c" &&
   grep -q '\.mmap_prepare = split_mmap_prepare,' "$w/reg.c"; then
	echo "ok 3 - split_mmap converts with its prototype and registration in one diff"
else
	echo "not ok 3 - split_mmap: $r"
	sed 's/^/# /' "$tmp/err"
fi
d=$tmp/out/diffs/drivers_shared_mmap.c.patch
s=$(jq -r '[.[] | select(.function == "shared_mmap" or .function == "split_mmap") |
	"\(.function) \(.conversion.status) \(.conversion.diff) \(.conversion.export_renamed)"] |
	unique | join(" ")' "$tmp/out/records.json")
w=$wt/drivers/shared
# the record says the export was renamed (series tells other modules'
# users to follow), and only for the exported handler
if [ "$s" = "shared_mmap converted diffs/drivers_shared_mmap.c.patch true split_mmap converted diffs/drivers_split_def.c.patch null" ] &&
   [ "$(grep -c '^diff --git' "$d")" = 4 ] &&
   grep -q '^int shared_mmap_prepare(struct vm_area_desc \*desc);$' "$w/shared.h" &&
   [ "$(grep -A1 '^struct vm_area_struct;$' "$w/shared.h" | tail -1)" = 'struct vm_area_desc;' ] &&
   grep -q '^EXPORT_SYMBOL_GPL(shared_mmap_prepare);$' "$w/mmap.c" &&
   grep -q '\.mmap_prepare = shared_mmap_prepare,' "$w/one.c" &&
   grep -qP '^\t\.mmap_prepare\t= shared_mmap_prepare,$' "$w/two.c" &&
   ! grep -rqw shared_mmap "$w"; then
	echo "ok 4 - shared_mmap: header (the descriptor declared), export (recorded) and both registrations change in one diff"
else
	echo "not ok 4 - shared_mmap: $s"
	[ -f "$d" ] && sed 's/^/# /' "$d"
fi
r=$(jq -r '.[] | select(.function == "called_mmap") | "\(.conversion.status): \(.conversion.reason)"' \
	"$tmp/out/records.json")
case $r in
"refused: called_mmap() is still named at drivers/called/user.c:4"*)
	echo "ok 5 - called_mmap, also called from user.c, is refused naming that use" ;;
*)
	echo "not ok 5 - called_mmap: $r" ;;
esac
if [ ! -e "$tmp/out/diffs/drivers_called_def.c.patch" ] &&
   (cd "$tmp/out/work" && git diff --quiet HEAD -- drivers/called); then
	echo "ok 6 - none of called_mmap's files is changed"
else
	echo "not ok 6 - called_mmap's files are changed, or its diff is left"
fi
