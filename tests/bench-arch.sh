#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-arch.sh - the per-architecture check, timed, against a bare make.
#
# Usage: bench-arch.sh [--tree TREE] [--out DIR] [--arch LIST|all] [--paths P] [-j N]
#
# 1. mmapport classify and convert on TREE, once.
# 2. mmapport check --arch LIST, once, with cold build directories: the
#    stage as `make run` runs it (each profile's configure, prepare, base
#    and converted builds with sparse, the io_remap architectures and the
#    config variants it adds itself; per profile in DIR/check-times.json).
# 3. For each profile the check built objects on (config variants aside),
#    a bare make of the same objects in a cold directory of its own: the
#    same config target and fragments, prepare, the base objects, then the
#    converted objects; no sparse, no selection, no comparison.
# 4. Prints a table per architecture and the ratio of the whole check
#    stage (less its config variants, which have no bare counterpart and
#    are printed apart) to the bare makes (goal <= 1.2).  The table also
#    lands in DIR.bench/bench-arch.txt.
set -euo pipefail
# cold build directories: none restored from the build cache (docs/arch.md)
export MMAPPORT_BUILD_CACHE=0

top=$(cd "$(dirname "$0")/.." && pwd)
tree=
out=$top/build/bench-arch
arches=all
paths=
jobs=$(nproc)

while [ $# -gt 0 ]; do
	case $1 in
	--tree) tree=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--arch) arches=$2; shift 2 ;;
	--paths) paths=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	*) echo "usage: bench-arch.sh [--tree T] [--out DIR] [--arch LIST] [--paths P] [-j N]" >&2
	   exit 2 ;;
	esac
done
[ -n "$tree" ] || tree=$("$top/tools/tree.sh" "" 7)
[ "$arches" != all ] ||
	arches=$(cd "$top/arch" && ls *.conf | sed 's/\.conf$//' | paste -sd, -)

now() { date +%s.%N; }
f1() { printf '%.1f' "$1"; }
# row NAME OBJS CONFIGURE SELECT PREPARE BASE AFTER CHECK BARE-CFG BARE RATIO
row() { printf '%-20s %4s  %8s %8s %8s %8s %8s %8s   %8s %8s %6s\n' "$@"; }
since() { echo "$(now) - $1" | bc; }
value() { sed -n "s/^$2=//p" "$top/arch/$1.conf" | tail -n 1; }

# 1. scan, classify and convert once
# the bench's own files beside mmapport's --out, which takes no foreign files
b=$out.bench
rm -rf "$out/build" "$b"
mkdir -p "$b/bare"
t0=$(now)
for stage in classify convert; do
	"$top/bin/mmapport" $stage --tree "$tree" --out "$out" ${paths:+--paths "$paths"} \
		> "$b/bench-$stage.log" 2>&1 ||
		{ echo "bench-arch: mmapport $stage failed; see $b/bench-$stage.log" >&2; exit 1; }
done
t_conv=$(since "$t0")
cp "$out/records.json" "$out/records.converted.json"
work=$out/work
base=$(jq -r .base "$out/work.json")
report=$b/bench-arch.txt

# 2. the check stage, once, cold
rm -rf "$out/build" "$out/variants"
cp "$out/records.converted.json" "$out/records.json"
t1=$(now)
"$top/bin/mmapport" check --tree "$tree" --out "$out" --arch "$arches" -j "$jobs" \
	> "$b/bench-check.log" 2>&1 ||
	{ echo "bench-arch: mmapport check failed; see $b/bench-check.log" >&2; exit 1; }
t_check=$(since "$t1")
times=$out/check-times.json

# 3. per profile, a bare make of the same objects
{
printf 'scan+classify+convert: %.1f s\n\n' "$t_conv"
row profile objs configure select prepare base after check bare-cfg bare ratio
total_bare=0
t_variants=0
for a in $(jq -r '.profiles | keys[]' "$times"); do
	files=$(jq -r --arg a "$a" '.profiles[$a].files // [] | .[]' "$times")
	read -r cfg sel prep tb ta < <(jq -r --arg a "$a" '.profiles[$a] |
		"\(.configure // 0) \(.select // 0) \(.prepare // 0) \(.base // 0) \(.converted // 0)"' \
		"$times")
	t_chk=$(echo "$cfg + $sel + $prep + $tb + $ta" | bc)
	phases="$(f1 "$cfg") $(f1 "$sel") $(f1 "$prep") $(f1 "$tb") $(f1 "$ta") $(f1 "$t_chk")"
	case $a in
	*+*)	# a config variant: no arch/NAME.conf to make it from
		t_variants=$(echo "$t_variants + $t_chk" | bc)
		row "$a" "$(echo -n "$files" | grep -c .)" $phases - - variant
		continue ;;
	esac
	if [ -z "$files" ]; then
		row "$a" 0 $phases - - -
		continue
	fi
	objs=$(echo "$files" | sed 's/\.c$/.o/' | paste -sd' ' -)
	bdir=$b/bare/$a
	vars="ARCH=$(value "$a" ARCH) CROSS_COMPILE=$(value "$a" CROSS_COMPILE)"
	config=$(value "$a" CONFIG)
	frags=
	for f in $(value "$a" FRAGMENTS); do frags="$frags $top/arch/$f"; done
	rm -rf "$bdir"
	mkdir -p "$bdir"
	t1=$(now)
	if [ -n "$frags" ]; then
		cat $frags > "$bdir/allconfig"
		make -C "$work" O="$bdir" $vars KCONFIG_ALLCONFIG="$bdir/allconfig" "$config" \
			> "$bdir.log" 2>&1
	else
		make -C "$work" O="$bdir" $vars "$config" > "$bdir.log" 2>&1
	fi
	t_cfg=$(since "$t1")
	make -C "$work" O="$bdir" $vars -j"$jobs" prepare >> "$bdir.log" 2>&1
	# the objects as they were, then as converted
	git -C "$work" checkout -q "$base" -- $files
	make -C "$work" O="$bdir" $vars -k -j"$jobs" $objs >> "$bdir.log" 2>&1 || true
	for f in $files; do
		git -C "$work" apply "$out/diffs/$(echo "$f" | tr / _).patch" 2>/dev/null || true
	done
	make -C "$work" O="$bdir" $vars -k -j"$jobs" $objs >> "$bdir.log" 2>&1 || true
	t_bare=$(since "$t1")
	git -C "$work" checkout -q "$base" -- $files
	total_bare=$(echo "$total_bare + $t_bare" | bc)
	row "$a" "$(echo "$files" | wc -l)" $phases "$(f1 "$t_cfg")" "$(f1 "$t_bare")" \
		"$(echo "scale=2; $t_chk / $t_bare" | bc)"
done
# proposing the variants (Kconfig dependencies) is variant work too
t_variants=$(echo "$t_variants + $(jq '.shared.variants // 0' "$times")" | bc)
echo
jq -r '.shared | "shared work of the stage: " + ([to_entries[] |
	"\(.key) \(.value * 10 | round / 10) s"] | join(", "))' "$times"
printf 'check stage (mmapport check --arch %s, wall): %.1f s, of which config variants %.1f s\n' \
	"$arches" "$t_check" "$t_variants"
if [ "$(echo "$total_bare > 0" | bc)" = 1 ]; then
	printf 'bare make of the same objects: %.1f s; (check - variants) / bare = %s (goal <= 1.2)\n' \
		"$total_bare" "$(echo "scale=2; ($t_check - $t_variants) / $total_bare" | bc)"
fi
} | tee "$report"
