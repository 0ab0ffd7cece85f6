#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-arch.sh - the per-architecture check, timed, against a bare make.
#
# Usage: bench-arch.sh [--tree TREE] [--out DIR] [--arch LIST|all] [--paths P] [-j N]
#
# 1. mmapport run on TREE with cold build directories: the check stage's
#    time, and per architecture its configure, prepare, base and converted
#    builds (DIR/check-times.json).
# 2. In the same run, a bare make of the same objects on each architecture,
#    in a cold build directory of its own: the same config target and
#    fragments, prepare, the base objects, then the converted objects; no
#    sparse, no selection, no comparison.
# 3. Prints a table per architecture and the ratio check / bare (goal <= 1.2).
#    The table also lands in DIR/bench-arch.txt.
set -euo pipefail

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
since() { echo "$(now) - $1" | bc; }
value() { sed -n "s/^$2=//p" "$top/arch/$1.conf" | tail -n 1; }

# 1. the pipeline, build directories cold
rm -rf "$out/build" "$out/bare"
mkdir -p "$out/bare"
t0=$(now)
"$top/bin/mmapport" run --tree "$tree" --out "$out" --arch "$arches" -j "$jobs" \
	${paths:+--paths "$paths"} > "$out/bench-run.log" 2>&1 ||
	{ echo "bench-arch: mmapport run failed; see $out/bench-run.log" >&2; exit 1; }
t_run=$(since "$t0")
t_check=$(jq '.check' "$out/timings.json")

# 2. a bare make of the same objects, per architecture
work=$out/work
base=$(cat "$out/work.base")
report=$out/bench-arch.txt
{
printf '%-10s %4s  %8s %8s %8s %8s %8s   %8s %8s %6s\n' arch objs configure prepare \
	base after check bare-cfg bare ratio
total_bare=0
total_arch=0
for a in ${arches//,/ }; do
	files=$(jq -r --arg a "$a" '.[$a].files // [] | .[]' "$out/check-times.json")
	read -r cfg prep tb ta < <(jq -r --arg a "$a" \
		'.[$a] | "\(.configure // 0) \(.prepare // 0) \(.base // 0) \(.converted // 0)"' \
		"$out/check-times.json")
	t_arch=$(echo "$cfg + $prep + $tb + $ta" | bc)
	if [ -z "$files" ]; then
		printf '%-10s %4d  %8.1f %8.1f %8.1f %8.1f %8.1f   %8s %8s %6s\n' "$a" 0 "$cfg" \
			"$prep" "$tb" "$ta" "$t_arch" - - -
		continue
	fi
	objs=$(echo "$files" | sed 's/\.c$/.o/' | paste -sd' ' -)
	bdir=$out/bare/$a
	vars="ARCH=$(value "$a" ARCH) CROSS_COMPILE=$(value "$a" CROSS_COMPILE)"
	config=$(value "$a" CONFIG)
	frags=
	for f in $(value "$a" FRAGMENTS); do frags="$frags $top/arch/$f"; done
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
	git -C "$work" checkout -q HEAD -- $files
	ratio=$(echo "scale=2; $t_arch / $t_bare" | bc)
	total_bare=$(echo "$total_bare + $t_bare" | bc)
	total_arch=$(echo "$total_arch + $t_arch" | bc)
	printf '%-10s %4d  %8.1f %8.1f %8.1f %8.1f %8.1f   %8.1f %8.1f %6s\n' "$a" \
		"$(echo "$files" | wc -l)" "$cfg" "$prep" "$tb" "$ta" "$t_arch" "$t_cfg" "$t_bare" "$ratio"
done
echo
printf 'mmapport run: %.1f s; check stage: %.1f s (architectures: %.1f s)\n' "$t_run" "$t_check" "$total_arch"
if [ "$(echo "$total_bare > 0" | bc)" = 1 ]; then
	printf 'bare make of the same objects: %.1f s; check / bare = %s (goal <= 1.2)\n' \
		"$total_bare" "$(echo "scale=2; $t_check / $total_bare" | bc)"
fi
} | tee "$report"
