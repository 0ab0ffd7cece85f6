#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The analyzer's facts on the conversion cases: every tests/cases/NAME.c
# line "check-fact: FUNCTION: JQ" must hold (jq -e) on the record of
# FUNCTION after classify, and every "check-plan: JQ" on
# DIR/dispatchers.json.  The fake tree has no kbuild: the analyzer parses
# it with its marked fallback flags (analysis.flags == "fallback"), which
# is checked once per file too.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cases=()
total=0
for c in "$top"/tests/cases/*.c; do
	k=$(grep -c -E '^ \* check-(fact|plan): ' "$c")
	[ "$k" -gt 0 ] || continue
	cases+=("$c")
	total=$((total + k + 1))
done
echo "1..$total"
n=0
for c in "${cases[@]}"; do
	name=$(basename "$c" .c)
	dir=$(sed -n 's/^ \* check-dir: //p' "$c")
	dir=${dir:-drivers/cases}
	tree=$tmp/$name/tree out=$tmp/$name/out
	bash "$top/tests/lib/fake-tree.sh" "$tree"
	mkdir -p "$tree/$dir"
	cp "$c" "$tree/$dir/$name.c"
	"$mm" classify --tree "$tree" --out "$out" --paths "$dir" >/dev/null 2>"$tmp/$name.err"
	rec=$out/records.json

	n=$((n + 1))
	if jq -e '[.[] | select(.analyzer == "libclang") | .analysis.flags] | length > 0 and all(. == "fallback")' \
		"$rec" >/dev/null 2>&1; then
		echo "ok $n - $name: parsed by libclang with the fallback flags"
	elif jq -e '[.[] | select(.analyzer == "coccinelle" or .analyzer == "lexical")] | length > 0 and
		   ([.[] | select(.analyzer == "libclang")] | length == 0) and
		   all(.[]; .analysis.flags == null)' "$rec" >/dev/null 2>&1; then
		echo "ok $n - $name: libclang could not see it (Coccinelle or the lexical classifier did)"
	else
		echo "not ok $n - $name: no record analysed by libclang with the fallback flags"
		sed 's/^/#   /' "$tmp/$name.err"
	fi
	while IFS= read -r line; do
		n=$((n + 1))
		fn=${line%%: *}
		expr=${line#*: }
		if jq -e --arg fn "$fn" "[.[] | select(.function == \$fn)] | length == 1 and (.[0] | $expr)" \
			"$rec" >/dev/null 2>&1; then
			echo "ok $n - $name: $fn: $expr"
		else
			echo "not ok $n - $name: $fn: $expr"
			jq --arg fn "$fn" '.[] | select(.function == $fn) | {category, subcategory, leaf_category, analyzer, confidence, facts, analysis}' \
				"$rec" 2>&1 | sed 's/^/#   /'
		fi
	done < <(sed -n 's/^ \* check-fact: //p' "$c")
	while IFS= read -r expr; do
		n=$((n + 1))
		if jq -e "$expr" "$out/dispatchers.json" >/dev/null 2>&1; then
			echo "ok $n - $name: dispatcher plan: $expr"
		else
			echo "not ok $n - $name: dispatcher plan: $expr"
			sed 's/^/#   /' "$out/dispatchers.json"
		fi
	done < <(sed -n 's/^ \* check-plan: //p' "$c")
done
