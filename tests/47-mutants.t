#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation testing of the checker (docs/equivalence.md).  Every conversion
# case with an expected output is converted again (as tests/10-cases.t
# does), and the converted file is then broken one way at a time, as a
# hand port slips:
#   flag-test     a flag test reversed (the seed series' "==" for "!=")
#   flag-dropped  a flag dropped from vma_desc_set_flags()
#   remap-swap    two arguments of the mapping call swapped
#   error-dropped an error check dropped (a "return -E..." made empty, or
#                 the action's error_override removed)
#   take-moved    a take moved from vm_ops->mapped or mmap_complete back
#                 into prepare
#   alias-left    a "#define handler F" fallback left under the old name
# 'mmapport equiv' must say "differs" for the handler of every mutant.
# Each mutant is a test; the kill rate per kind is printed at the end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$top/tests/lib/mutants.sh"

n=0
out=$tmp/results
: > "$out"
for c in "$top"/tests/cases/*.c; do
	name=$(basename "$c" .c)
	for profile in mainline rfc; do
		key=check-output
		[ $profile = rfc ] && key=check-output-rfc
		grep -q "^ \* $key: " "$c" || continue
		dir=$(sed -n 's/^ \* check-dir: //p' "$c")
		dir=${dir:-drivers/cases}
		d=$tmp/$name.$profile
		tree=$d/tree
		bash "$top/tests/lib/fake-tree.sh" "$tree"
		mkdir -p "$tree/$dir"
		cp "$c" "$tree/$dir/$name.c"
		"$mm" classify --tree "$tree" --out "$d/o" --paths "$dir" >/dev/null 2>&1
		"$mm" convert --api $profile --tree "$tree" --out "$d/o" >/dev/null 2>&1
		wt=$d/o/work	# convert's work tree
		conv=$wt/$dir/$name.c
		"$mm" equiv --tree "$tree" --out "$d/o" > "$d/clean" 2>&1
		if grep -q ' differs' "$d/clean"; then
			echo "# $name $profile: the unmutated conversion differs already" >> "$out"
		fi
		cp "$conv" "$d/pristine"
		for kind in $kinds; do
			cp "$d/pristine" "$conv"
			mutate $kind "$conv"
			cmp -s "$d/pristine" "$conv" && continue	# the kind does not apply
			"$mm" equiv --tree "$tree" --out "$d/o" > "$d/$kind" 2>&1
			if grep -q ' differs' "$d/$kind"; then
				echo "killed $kind $name $profile" >> "$out"
			else
				echo "survived $kind $name $profile" >> "$out"
				diff -u "$d/pristine" "$conv" | sed 's/^/#   /' > "$d/$kind.diff"
				sed 's/^/#   /' "$d/$kind" >> "$d/$kind.diff"
			fi
		done
		cp "$d/pristine" "$conv"
	done
done

total=$(grep -c '^\(killed\|survived\)' "$out")
echo "1..$((total + 1))"
while read -r verdict kind name profile; do
	case $verdict in
	killed) n=$((n + 1)); echo "ok $n - $name $profile: $kind mutant caught" ;;
	survived)
		n=$((n + 1))
		echo "not ok $n - $name $profile: $kind mutant not caught"
		cat "$tmp/$name.$profile/$kind.diff" ;;
	esac
done < <(grep '^\(killed\|survived\)' "$out")
n=$((n + 1))
if grep -q '^# ' "$out"; then
	echo "not ok $n - every unmutated conversion is equivalent"
	grep '^# ' "$out"
else
	echo "ok $n - every unmutated conversion is equivalent (exact or stated)"
fi
for kind in $kinds; do
	k=$(grep -c "^killed $kind " "$out")
	t=$(grep -c "^\(killed\|survived\) $kind " "$out")
	echo "# kill rate $kind: $k of $t"
done
