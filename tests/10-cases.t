#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Conversion cases, in the spirit of sparse's validation/: each
# tests/cases/NAME.c says in its leading comment what it is
# (check-name), which categories its registrations must get
# (check-category) and, for each API profile, the file holding the
# expected output (check-output for mainline, check-output-rfc for rfc;
# none means the file must stay unchanged, and then the case must say why
# with check-refused or check-reason for that profile).  "check-reason:
# PROFILE TEXT" and "check-change: PROFILE TEXT" say that some record's
# refusal reason, or its stated behaviour changes, must contain TEXT;
# "check-refused: PROFILE TEXT" that some record's refusal reason, or the
# facts that decided its category (for a category convert does not
# attempt), contain TEXT: an unchanged file is then known to be a refusal
# for that reason, not a stage that never ran.  "check-equivalence: PROFILE
# VERDICT [WHAT]" that a converted record's equivalence verdict
# (docs/equivalence.md) is VERDICT, with a difference on WHAT when given;
# "check-no-difference: PROFILE WHAT" that a record was converted and no
# converted record lists a difference on WHAT; "check-placement: PROFILE
# WHAT PLACE" that a converted record places its effect WHAT (a call as
# written) at PLACE (prepare, action, mapped, complete, removed...).
# "check-fact: FUNCTION: JQ" must hold (jq -e) on FUNCTION's record after
# classify, "check-conversion: PROFILE FUNCTION: JQ" on its conversion
# after convert, "check-plan: JQ" on dispatchers.json.  Every case is also
# checked to have been analysed: by libclang with the fake tree's marked
# fallback flags, or, where libclang cannot see it, by Coccinelle or the
# lexical classifier, never by nothing (scan alone decides only a NULL
# hook and a handler already on the prepare hook).
# convert must exit 0.  "check-dir: DIR"
# puts the case at DIR in the fake tree (default drivers/cases), e.g. in
# another architecture's directory.  Adding a case is adding a file.
#
# Last, the checker's mutants (docs/equivalence.md, "Mutation testing"):
# every conversion with an expected output must be equivalent as it is,
# and is then broken one way at a time (tests/lib/mutants.sh), as a hand
# port slips:
#   flag-test     a flag test reversed (the seed series' "==" for "!=")
#   flag-dropped  a flag dropped from vma_desc_set_flags()
#   remap-swap    two arguments of the mapping call swapped
#   error-dropped an error check dropped (a "return -E..." made empty, or
#                 the action's error_override removed)
#   take-moved    a take moved from vm_ops->mapped or mmap_complete back
#                 into prepare
#   alias-left    a "#define handler F" fallback left under the old name
#   release-dropped  a release dropped from a NAME_abort() hook
# 'mmapport equiv' must say "differs" for the handler of every mutant;
# the kill rate per kind is printed at the end.  The plan counts the
# mutants of the expected outputs: a conversion that is not its expected
# output fails already, and its mutants may then not match the plan.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$top/tests/lib/mutants.sh"
declare -A killed tried

cases=("$top"/tests/cases/*.c)
nextra=$(cat "${cases[@]}" | grep -c '^ \* check-\(reason\|change\|refused\|equivalence\|no-difference\|placement\|conversion\|fact\|plan\): ')
nmut=0
for c in "${cases[@]}"; do
	for expect in $(sed -n 's/^ \* check-output\(-rfc\)\?: //p' "$c"); do
		nmut=$((nmut + 1))	# the unmutated conversion
		for kind in $kinds; do
			cp "$top/tests/cases/$expect" "$tmp/plan.c"
			mutate $kind "$tmp/plan.c"
			cmp -s "$top/tests/cases/$expect" "$tmp/plan.c" || nmut=$((nmut + 1))
		done
	done
done
echo "1..$(( ${#cases[@]} * 4 + nextra + nmut ))"
n=0
for c in "${cases[@]}"; do
	name=$(basename "$c" .c)
	desc=$(sed -n 's/^ \* check-name: //p' "$c")
	want=$(sed -n 's/^ \* check-category: //p' "$c" | tr ' ' '\n' | sort | tr '\n' ' ')
	dir=$(sed -n 's/^ \* check-dir: //p' "$c")
	dir=${dir:-drivers/cases}
	tree=$tmp/$name/tree
	bash "$top/tests/lib/fake-tree.sh" "$tree"
	mkdir -p "$tree/$dir"
	cp "$c" "$tree/$dir/$name.c"

	out=$tmp/$name/mainline
	"$mm" classify --tree "$tree" --out "$out" --paths "$dir" >/dev/null 2>"$tmp/$name.err"
	got=$(jq -r '.[].category' "$out/records.json" 2>/dev/null | sort | tr '\n' ' ')
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $name: category $want($desc)"
	else
		echo "not ok $n - $name: category: want '$want', got '$got'"
		jq -r '.[] | "#   \(.function): \(.facts | join("; "))"' "$out/records.json" 2>/dev/null
		sed 's/^/#   /' "$tmp/$name.err"
	fi
	rec=$out/records.json
	n=$((n + 1))
	if jq -e '[.[] | select(.analyzer == "libclang") | .analysis.flags] | length > 0 and all(. == "fallback")' \
		"$rec" >/dev/null 2>&1; then
		echo "ok $n - $name: parsed by libclang with the fallback flags"
	elif jq -e '[.[] | select(.analyzer == "coccinelle" or .analyzer == "lexical")] | length > 0 and
		   ([.[] | select(.analyzer == "libclang")] | length == 0) and
		   all(.[]; .analysis.flags == null)' "$rec" >/dev/null 2>&1; then
		echo "ok $n - $name: libclang could not see it (Coccinelle or the lexical classifier did)"
	elif jq -e 'length > 0 and all(.[]; .analyzer == "scan" and
		   (.category == "no-handler" or .category == "already-prepare"))' "$rec" >/dev/null 2>&1; then
		echo "ok $n - $name: no handler body to analyse (scan decided every record)"
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

	mkdir -p "$tmp/$name/rfc"
	cp "$out/inventory.json" "$out/records.json" "$out/core-rules.json" "$out/.mmapport-out" \
		"$tmp/$name/rfc/"

	for profile in mainline rfc; do
		out=$tmp/$name/$profile
		if [ $profile = mainline ]; then
			expect=$(sed -n 's/^ \* check-output: //p' "$c")
			"$mm" convert --tree "$tree" --out "$out" >/dev/null 2>>"$tmp/$name.err"
			rc=$?
		else
			expect=$(sed -n 's/^ \* check-output-rfc: //p' "$c")
			"$mm" convert --api rfc --tree "$tree" --out "$out" >/dev/null 2>>"$tmp/$name.err"
			rc=$?
		fi
		n=$((n + 1))
		wt=$out/work	# convert's work tree
		result="$wt/$dir/$name.c"
		if [ $rc != 0 ]; then
			echo "not ok $n - $name: $profile: convert exited $rc"
			sed 's/^/#   /' "$tmp/$name.err"
		elif [ -n "$expect" ]; then
			if diff -u "$top/tests/cases/$expect" "$result" > "$tmp/$name.diff"; then
				echo "ok $n - $name: $profile: converted as $expect"
			else
				echo "not ok $n - $name: $profile: conversion differs from $expect"
				sed 's/^/#   /' "$tmp/$name.diff"
			fi
		elif ! grep -q "^ \* check-\(refused\|reason\): $profile " "$c"; then
			echo "not ok $n - $name: $profile: no expected output, and no check-refused saying why"
		else
			if cmp -s "$c" "$result"; then
				echo "ok $n - $name: $profile: left unchanged"
			else
				echo "not ok $n - $name: $profile: changed, but no conversion was expected"
				diff -u "$c" "$result" | sed 's/^/#   /'
			fi
		fi
	done

	while read -r kind profile text; do
		n=$((n + 1))
		if [ "$kind" = reason ]; then
			field='.conversion.reason // empty'
		elif [ "$kind" = refused ]; then
			field='(select(.conversion.status == "refused") | .conversion.reason),
				(select(.conversion.status == null) | (.facts // [])[], (.reasons // [])[].fact)'
		elif [ "$kind" = equivalence ]; then
			# "VERDICT" or "VERDICT WHAT": a converted record has that verdict,
			# with a difference on WHAT (a call or a write, as written)
			field='select(.conversion.status == "converted") | .conversion.equivalence |
				.verdict, (.verdict + " " + (.differences[].what // ""))'
		else
			field='(.conversion.behaviour_changes // [])[]'
		fi
		if [ "$kind" = conversion ]; then
			fn=${text%%: *}
			expr=${text#*: }
			if jq -e --arg fn "$fn" "[.[] | select(.function == \$fn)] | length > 0 and
			   all(.[]; .conversion | $expr)" "$tmp/$name/$profile/records.json" >/dev/null 2>&1; then
				echo "ok $n - $name: $profile: $fn: .conversion | $expr"
			else
				echo "not ok $n - $name: $profile: $fn: .conversion | $expr"
				jq --arg fn "$fn" '.[] | select(.function == $fn) | .conversion' \
					"$tmp/$name/$profile/records.json" 2>&1 | sed 's/^/#   /'
			fi
		elif [ "$kind" = placement ]; then
			if jq -e --arg w "${text% *}" --arg p "${text##* }" '[.[] |
			   select(.conversion.status == "converted") | .conversion.equivalence.effects[]? |
			   select(.what == $w and .placement == $p)] | length > 0' \
			   "$tmp/$name/$profile/records.json" >/dev/null 2>&1; then
				echo "ok $n - $name: $profile: $text"
			else
				echo "not ok $n - $name: $profile: no converted record places ${text% *} at ${text##* }"
				jq -r '.[] | "#   \(.function): \(.conversion.equivalence.effects // [] | tojson)"' \
					"$tmp/$name/$profile/records.json" 2>/dev/null
			fi
		elif [ "$kind" = no-difference ]; then
			if jq -e --arg w "$text" '[.[] | select(.conversion.status == "converted")] |
			   length > 0 and all(.conversion.equivalence.differences // [] |
			   all(.what != $w))' "$tmp/$name/$profile/records.json" >/dev/null 2>&1; then
				echo "ok $n - $name: $profile: converted, no difference on '$text'"
			else
				echo "not ok $n - $name: $profile: nothing converted, or a difference on '$text'"
				jq -r '.[] | "#   \(.function): \(.conversion // {} | tojson)"' \
					"$tmp/$name/$profile/records.json" 2>/dev/null
			fi
		elif [ "$kind" = equivalence ] &&
		   jq -r ".[] | $field" "$tmp/$name/$profile/records.json" 2>/dev/null |
		   grep -qxF -- "$text"; then
			echo "ok $n - $name: $profile: equivalence $text"
		elif [ "$kind" != equivalence ] &&
		   jq -r ".[] | $field" "$tmp/$name/$profile/records.json" 2>/dev/null |
		   grep -qF -- "$text"; then
			echo "ok $n - $name: $profile: $kind says '$text'"
		else
			echo "not ok $n - $name: $profile: no $kind says '$text'"
			jq -r '.[] | "#   \(.function): \(.conversion // {} | tojson)"' \
				"$tmp/$name/$profile/records.json" 2>/dev/null
		fi
	done < <(sed -n 's/^ \* check-\(reason\|change\|refused\|equivalence\|no-difference\|placement\|conversion\): /\1 /p' "$c")

	# the mutants of each conversion with an expected output
	for profile in mainline rfc; do
		key=check-output
		[ $profile = rfc ] && key=check-output-rfc
		grep -q "^ \* $key: " "$c" || continue
		out=$tmp/$name/$profile
		wt=$out/work	# convert's work tree
		conv=$wt/$dir/$name.c
		n=$((n + 1))
		"$mm" equiv --tree "$tree" --out "$out" > "$tmp/$name.equiv" 2>&1
		rc=$?
		if [ $rc = 0 ] && [ -f "$conv" ] && grep -q ' exact\| stated' "$tmp/$name.equiv" &&
		   ! grep -q ' differs' "$tmp/$name.equiv"; then
			echo "ok $n - $name: $profile: the unmutated conversion is equivalent (exact or stated)"
		else
			echo "not ok $n - $name: $profile: the unmutated conversion is not equivalent"
			sed 's/^/#   /' "$tmp/$name.equiv"
			continue
		fi
		cp "$conv" "$tmp/$name.pristine"
		for kind in $kinds; do
			cp "$tmp/$name.pristine" "$conv"
			mutate $kind "$conv"
			cmp -s "$tmp/$name.pristine" "$conv" && continue	# the kind does not apply
			n=$((n + 1))
			tried[$kind]=$(( ${tried[$kind]:-0} + 1 ))
			"$mm" equiv --tree "$tree" --out "$out" > "$tmp/$name.equiv" 2>&1
			rc=$?
			if [ $rc = 1 ] && grep -q ' differs' "$tmp/$name.equiv"; then
				killed[$kind]=$(( ${killed[$kind]:-0} + 1 ))
				echo "ok $n - $name: $profile: $kind mutant caught"
			else
				echo "not ok $n - $name: $profile: $kind mutant not caught"
				diff -u "$tmp/$name.pristine" "$conv" | sed 's/^/#   /'
				sed 's/^/#   /' "$tmp/$name.equiv"
			fi
		done
		cp "$tmp/$name.pristine" "$conv"
	done
done
for kind in $kinds; do
	echo "# kill rate $kind: ${killed[$kind]:-0} of ${tried[$kind]:-0}"
done
