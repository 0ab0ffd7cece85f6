#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-mutants.sh [TREE] - mutation testing of the checker on a whole
# tree's conversions (docs/equivalence.md), as tests/10-cases.t does on
# the cases: classify and convert the tree (default: Debian's newest 7.x,
# as `make run` fetches it) for each API profile, then break every
# converted file one way at a time (tests/lib/mutants.sh) and ask
# `mmapport equiv` about that file.  A mutant is killed when some handler
# of the file then "differs".  Prints the kill rate per kind and each
# survivor; exits 1 when one survives.  PATHS=a,b limits it to some
# directories of the tree.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$("$top/tools/tree.sh" "${KERNEL:-}" "${KVER:-7}")} || exit 1
base=${BENCH_OUT:-$top/build/bench-mutants}
mm=$top/bin/mmapport
. "$top/tests/lib/mutants.sh"

res=$base/results
mkdir -p "$base"
: > "$res"
for profile in mainline rfc; do
	out=$base/$profile
	if [ ! -f "$out/records.json" ] ||
	   ! jq -e 'any(.[]; .conversion != null)' "$out/records.json" >/dev/null 2>&1; then
		"$mm" classify --tree "$tree" --out "$out" ${PATHS:+--paths "$PATHS"} >/dev/null 2>"$base/$profile.log" &&
		"$mm" convert --api $profile --tree "$tree" --out "$out" >/dev/null 2>>"$base/$profile.log" ||
			{ echo "bench-mutants: classify or convert failed (see $base/$profile.log)" >&2; exit 1; }
	fi
	files=$(jq -r '[.[] | select(.conversion.status == "converted") | .file] | unique | .[]' \
		"$out/records.json")
	for f in $files; do
		wt=$out/work	# convert's work tree
		conv=$wt/$f
		cp "$conv" "$base/pristine"
		if ! "$mm" equiv --tree "$tree" --out "$out" --paths "$f" > "$base/clean" 2>&1; then
			echo "# $profile $f: the unmutated conversion differs already" >> "$res"
			continue
		fi
		for kind in $kinds; do
			cp "$base/pristine" "$conv"
			mutate $kind "$conv"
			cmp -s "$base/pristine" "$conv" && continue	# the kind does not apply
			# equiv exits 1 when one differs: read what it says, not its status
			"$mm" equiv --tree "$tree" --out "$out" --paths "$f" > "$base/mutant" 2>&1
			if grep -q ' differs' "$base/mutant"; then
				echo "killed $kind $f $profile" >> "$res"
			else
				echo "survived $kind $f $profile" >> "$res"
			fi
		done
		cp "$base/pristine" "$conv"
	done
done

grep '^\(survived\|#\)' "$res"
for kind in $kinds; do
	k=$(grep -c "^killed $kind " "$res")
	t=$(grep -c "^\(killed\|survived\) $kind " "$res")
	echo "kill rate $kind: $k of $t"
done
! grep -q '^survived' "$res"
