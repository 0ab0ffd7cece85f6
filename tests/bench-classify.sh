#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-classify.sh [TREE] - time `mmapport classify` over a whole kernel
# tree (default: Debian's newest 7.x, as `make run` fetches it), then one
# plain `clang-16 -fsyntax-only` pass over the same files with the same
# flags (the ones the analyzer used, DIR/analyzer/flags.json), both with
# JOBS parallel jobs, and print the ratio.
#
# classify runs twice.  The first run pays what is done once per output
# dir: configuring and preparing the kernel build dirs (x86_64 and the
# other architectures' profiles) and asking kbuild for the compile
# commands; the clang pass needs all of it too (its flags are those
# commands), so the ratio is taken on the second run, which parses and
# decides everything again but finds the build dirs ready.  Both times
# are printed.  Goals: the first run in at most 180 s on 2
# cores, the ratio at most 1.3.  Exits non-zero when classify leaves a
# record without a category.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$("$top/tools/tree.sh" "${KERNEL:-}" "${KVER:-7}")}
out=${BENCH_OUT:-$top/build/bench-classify}
jobs=${JOBS:-$(nproc)}
clang=${CLANG:-clang-16}
mm=$top/bin/mmapport

command -v "$clang" >/dev/null || { echo "bench-classify: $clang not found (tools/deps.sh installs clang-16)" >&2; exit 1; }
mkdir -p "$out"
[ -f "$out/inventory.json" ] || "$mm" scan --tree "$tree" --out "$out" >/dev/null
rm -f "$out/records.json"

t0=$(date +%s.%N)
"$mm" classify -j "$jobs" --tree "$tree" --out "$out" > "$out/classify-first.txt"
t1=$(date +%s.%N)
first_s=$(echo "$t1 - $t0" | bc)
rm -f "$out/records.json"

t0=$(date +%s.%N)
"$mm" classify -j "$jobs" --tree "$tree" --out "$out" > "$out/classify.txt"
t1=$(date +%s.%N)
classify_s=$(echo "$t1 - $t0" | bc)

total=$(jq length "$out/records.json")
none=$(jq '[.[] | select(.category == null)] | length' "$out/records.json")
libclang=$(jq '[.[] | select(.analyzer == "libclang")] | length' "$out/records.json")

# One response file per file the analyzer parsed: the same arguments.
rsp=$(mktemp -d)
trap 'rm -rf "$rsp"' EXIT
n=0
while IFS= read -r f; do
	n=$((n + 1))
	jq -r --arg f "$f" '.[$f] | map(@sh) | join(" ")' "$out/analyzer/flags.json" > "$rsp/$n.rsp"
	printf " %q\n" "$tree/$f" >> "$rsp/$n.rsp"
done < <(jq -r 'keys[]' "$out/analyzer/flags.json")
t0=$(date +%s.%N)
ls "$rsp"/*.rsp | xargs -P "$jobs" -I{} "$clang" -fsyntax-only @{} 2>/dev/null || true
t1=$(date +%s.%N)
syntax_s=$(echo "$t1 - $t0" | bc)

echo "classify: $total records, $libclang analysed by libclang, $none without a category"
sed 's/^/  /' "$out/classify.txt"
printf 'first run %.1f s (with the one-time set-up of the build dirs; goal <= 180 s)\n' "$first_s"
printf 'classify %.1f s; %s -fsyntax-only over the same %d files %.1f s; ratio %.2f (goal <= 1.3)\n' \
	"$classify_s" "$clang" "$n" "$syntax_s" "$(echo "$classify_s / $syntax_s" | bc -l)"
[ "$none" -eq 0 ]
