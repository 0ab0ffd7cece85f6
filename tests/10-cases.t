#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Conversion cases, in the spirit of sparse's validation/: each
# tests/cases/NAME.c says in its leading comment what it is
# (check-name), which categories its registrations must get
# (check-category) and, for the converted ones, the file holding the
# expected output for the mainline profile (check-output).  Adding a case
# is adding a file.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cases=("$top"/tests/cases/*.c)
echo "1..$(( ${#cases[@]} * 2 ))"
n=0
for c in "${cases[@]}"; do
	name=$(basename "$c" .c)
	desc=$(sed -n 's/^ \* check-name: //p' "$c")
	want=$(sed -n 's/^ \* check-category: //p' "$c" | tr ' ' '\n' | sort | tr '\n' ' ')
	expect=$(sed -n 's/^ \* check-output: //p' "$c")
	tree=$tmp/$name/tree out=$tmp/$name/out
	bash "$top/tests/lib/fake-tree.sh" "$tree"
	mkdir -p "$tree/drivers/cases"
	cp "$c" "$tree/drivers/cases/$name.c"

	"$mm" classify --tree "$tree" --out "$out" --paths drivers/cases >/dev/null 2>"$tmp/$name.err"
	got=$(jq -r '.[].category' "$out/records.json" 2>/dev/null | sort | tr '\n' ' ')
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $name: category $want($desc)"
	else
		echo "not ok $n - $name: category: want '$want', got '$got'"
		jq -r '.[] | "#   \(.function): \(.facts | join("; "))"' "$out/records.json" 2>/dev/null
		sed 's/^/#   /' "$tmp/$name.err"
	fi

	"$mm" convert --tree "$tree" --out "$out" >/dev/null 2>>"$tmp/$name.err"
	n=$((n + 1))
	work=$out/work
	result=$work/drivers/cases/$name.c
	if [ -n "$expect" ]; then
		if diff -u "$top/tests/cases/$expect" "$result" > "$tmp/$name.diff"; then
			echo "ok $n - $name: converted as $expect"
		else
			echo "not ok $n - $name: conversion differs from $expect"
			sed 's/^/#   /' "$tmp/$name.diff"
		fi
	else
		if cmp -s "$c" "$result"; then
			echo "ok $n - $name: left unchanged"
		else
			echo "not ok $n - $name: changed, but no conversion was expected"
			diff -u "$c" "$result" | sed 's/^/#   /'
		fi
	fi
done
