#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The core's rules that decide what a conversion changes
# (docs/core-rules.md), read from Debian's 7.2 and 7.3 trees by
# 'mmapport rules': every rule must hold there, from the function the
# document names.  Then the reader must be able to fail: a copy of the
# three files with one rule broken at a time (->close tested in
# is_mergeable_vma, prepare called after the merge attempt, the special
# flags no longer tested by vma_merge_new_range) must say "no" for that
# rule, and classify on such a tree must decide mergeability by it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rules="special-flags-defined special-flags-stop-new-merge close-does-not-stop-new-merge
prepare-before-merge merge-before-allocation actions-after-allocation-new-vma-only
old-mmap-after-allocations actions-after-replaced-unmapped replaced-cleared-before-mmap
mapped-after-action-error-unmaps"
echo "1..17"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }

for v in 7.2 7.3; do
	tree=$("$top/tools/fetch-tree.sh" $v) || { echo "Bail out! cannot fetch the $v tree"; exit 1; }
	"$mm" rules --json "$tree" > "$tmp/$v.json"
	rc=$?
	missing=""
	for r in $rules; do
		[ "$(jq -r --arg r "$r" '.rules[] | select(.id == $r) | .holds' "$tmp/$v.json")" = true ] ||
			missing="$missing $r"
	done
	if [ $rc = 0 ] && [ -z "$missing" ]; then
		ok "$v: every rule holds in the tree's mm/"
	else
		nok "$v: rules that do not hold:${missing:- (exit $rc)}"
	fi
	flags=$(jq -r '.special_flags | sort | join(" ")' "$tmp/$v.json")
	if [ "$flags" = "VM_DONTEXPAND VM_IO VM_MIXEDMAP VM_PFNMAP" ]; then
		ok "$v: the flags that stop merging are VMA_SPECIAL_FLAGS's: $flags"
	else
		nok "$v: special flags read as '$flags'"
	fi
done

# A copy of the files the rules read, broken one rule at a time.
fake() {
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t/mm" "$tmp/t/include/linux" "$tmp/t/arch"
	touch "$tmp/t/Makefile"
	cp "$tree/mm/vma.c" "$tree/mm/util.c" "$tmp/t/mm/"
	cp "$tree/include/linux/mm.h" "$tmp/t/include/linux/"
}
broken() {	# RULE FILE SED-EXPRESSION
	fake
	sed -i "$3" "$tmp/t/$2"
	if cmp -s "$tree/$2" "$tmp/t/$2"; then
		nok "$1: the edit did not apply to $2"
		return
	fi
	got=$("$mm" rules --json "$tmp/t" | jq -r --arg r "$1" '.rules[] | select(.id == $r) | .holds')
	if [ "$got" = false ]; then
		ok "$1: no longer holds when $2 says otherwise"
	else
		nok "$1: still read as '$got' from a $2 that says otherwise"
	fi
}
broken close-does-not-stop-new-merge mm/vma.c \
	'/^static inline bool is_mergeable_vma/,/^}/s/return true;/return !vma->vm_ops->close;/'
broken prepare-before-merge mm/vma.c \
	'/^static unsigned long __mmap_region/,/^}/s/call_mmap_prepare(&map, &desc)/0/'
broken special-flags-stop-new-merge mm/vma.c \
	'/^struct vm_area_struct \*vma_merge_new_range/,/^}/s/VMA_SPECIAL_FLAGS/VMA_NONE/'
broken merge-before-allocation mm/vma.c \
	'/^static unsigned long __mmap_region/,/^}/s/vma = vma_merge_new_range(&vmg);/vma = NULL;/'
broken old-mmap-after-allocations mm/vma.c \
	'/^static int __mmap_new_vma/,/^}/s/vma_iter_prealloc(vmi, vma)/0/'
broken actions-after-replaced-unmapped mm/vma.c \
	'/^static unsigned long __mmap_region/,/^}/s/__mmap_complete(&map, vma);//'
broken replaced-cleared-before-mmap mm/vma.c \
	'/^static int __mmap_setup/,/^}/s/vms_clean_up_area(vms, &map->mas_detach);//'
broken mapped-after-action-error-unmaps mm/util.c \
	'/^static int mmap_action_finish/,/^}/s/do_munmap(/no_munmap(/'
broken special-flags-defined include/linux/mm.h 's/^#define VMA_SPECIAL_FLAGS/#define VMA_OTHER_FLAGS/'

# classify decides mergeability by the tree's rules: a handler whose
# vm_ops has a close and that sets no special flag may merge in 7.x, and
# may not in a tree whose is_mergeable_vma refuses a VMA with ->close.
case_tree() {
	rm -rf "$tmp/c"
	bash "$top/tests/lib/fake-tree.sh" "$tmp/c"
	mkdir -p "$tmp/c/drivers/cases"
	cat > "$tmp/c/drivers/cases/closer.c" <<'C'
#include <linux/fs.h>
#include <linux/mm.h>
static void cl_close(struct vm_area_struct *vma)
{
}
static const struct vm_operations_struct cl_vm_ops = {
	.close = cl_close,
};
static int cl_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &cl_vm_ops;
	return 0;
}
static const struct file_operations cl_fops = {
	.mmap = cl_mmap,
};
C
}
mergeable() {
	"$mm" classify --tree "$tmp/c" --out "$tmp/o$1" --paths drivers/cases >/dev/null 2>&1
	jq -r '.[0].analysis.hazards.mergeable' "$tmp/o$1/records.json"
}
case_tree
got=$(mergeable 1)
[ "$got" = true ] && ok "a close does not stop the mapping merging (fake 7.x core)" ||
	nok "mergeable read as '$got' with a close in vm_ops"
case_tree
sed -i '/^static inline bool is_mergeable_vma/,/^}/s/return true;/return !vma->vm_ops->close;/' \
	"$tmp/c/mm/vma.c"
got=$(mergeable 2)
[ "$got" = false ] && ok "a core whose merge test refuses ->close makes it unmergeable" ||
	nok "mergeable read as '$got' where the core refuses ->close"

# equivalence states a failed action's hole by the tree's rules: none on a
# core that clears the replaced range before ->mmap runs (7.x), one where
# the old ->mmap ran before that clearing.
action_fails() {
	cp "$top/tests/cases/remap-size-local.c" "$tmp/c/drivers/cases/"
	rm -f "$tmp/c/drivers/cases/closer.c"
	"$mm" classify --tree "$tmp/c" --out "$tmp/a$1" --paths drivers/cases >/dev/null 2>&1 &&
		"$mm" convert --tree "$tmp/c" --out "$tmp/a$1" >/dev/null 2>&1
	jq -r '[.[] | select(.conversion.status == "converted") | .conversion.equivalence.differences[] |
		select(.effect == "action-fails")] | length' "$tmp/a$1/records.json"
}
case_tree
got=$(action_fails 1)
[ "$got" = 0 ] && ok "a failed action leaves the hole a failed ->mmap left (fake 7.x core): no difference" ||
	nok "action-fails differences on the fake 7.x core: '$got'"
case_tree
sed -i '/^static int __mmap_setup/,/^}/s/vms_clean_up_area(vms, &map->mas_detach);//' "$tmp/c/mm/vma.c"
got=$(action_fails 2)
[ "$got" = 1 ] && ok "a core that clears the replaced range after ->mmap: the failed action's hole is stated" ||
	nok "action-fails differences where the core clears after ->mmap: '$got'"
