#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-coccicheck.sh [TREE] - every cocci/*.cocci alone under the kernel's
# own "make coccicheck MODE=report" over a whole kernel tree (default:
# Debian's newest 7.x, as `make run` fetches it), with JOBS spatch
# processes (J=), as a maintainer or CI would run it.  tests/40-coccicheck.t
# runs the same on a few directories; this is the whole tree.
#
# A rule passes when make exits 0, spatch reports no error, report mode
# prints no diff, it prints report lines (but the rename rule, which says
# nothing without mmapport's settings: docs/usage.md, "In CI"),
# and the tree is left as it was.  Per rule: the report lines, the
# handlers named, the time.  Exits non-zero when a rule fails.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$("$top/tools/tree.sh" "${KERNEL:-}" "${KVER:-7}")} || exit 1
out=${BENCH_OUT:-$top/build/bench-coccicheck}
jobs=${JOBS:-$(nproc)}

[ -f "$tree/Makefile" ] && [ -d "$tree/scripts/coccinelle" ] ||
	{ echo "bench-coccicheck: $tree is not a kernel tree" >&2; exit 1; }
# spatch's Python rules run on the system's python3, as mmapport runs them
py=$(PATH=$(getconf PATH) command -v python3)
spy=${py:+--python $py}
mkdir -p "$out/o"
before=$(git -C "$tree" status --porcelain --untracked-files=no 2>/dev/null)
failed=
printf '%-28s %8s %8s %8s  %s\n' rule lines handlers seconds status
for cocci in "$top"/cocci/*.cocci; do
	rule=$(basename "$cocci" .cocci)
	t0=$(date +%s)
	make -s -C "$tree" O="$out/o" coccicheck MODE=report COCCI="$cocci" SPFLAGS="$spy" \
		J="$jobs" > "$out/$rule.out" 2> "$out/$rule.err"
	rc=$?
	t1=$(date +%s)
	grep -E '^[^ ]+:[0-9]+:[0-9]+-[0-9]+: ' "$out/$rule.out" | sort -u > "$out/$rule.rep"
	lines=$(wc -l < "$out/$rule.rep")
	named=$(sed -n 's/^[^ ]*: \(WARNING: \)\{0,1\}\([A-Za-z0-9_]*\)(): .*/\2/p; s/^[^ ]*: \(WARNING: \)\{0,1\}\([A-Za-z0-9_]*\)() can use .*/\2/p' \
		"$out/$rule.rep" | sort -u | wc -l)
	why=
	[ "$rc" = 0 ] || why="make exited $rc"
	grep -qE '^(\+\+\+|---) ' "$out/$rule.out" && why="${why:+$why, }a diff in report mode"
	grep -qiE '(^|[^a-z])(error|exception|Traceback)' "$out/$rule.err" &&
		why="${why:+$why, }spatch errors ($out/$rule.err)"
	case $rule in
	mmap_prepare_rename) ;;
	*) [ "$lines" -gt 0 ] || why="${why:+$why, }no report line" ;;
	esac
	printf '%-28s %8d %8d %8d  %s\n' "$rule" "$lines" "$named" $((t1 - t0)) "${why:-pass}"
	[ -z "$why" ] || failed="$failed $rule"
done
after=$(git -C "$tree" status --porcelain --untracked-files=no 2>/dev/null)
[ "$before" = "$after" ] || { echo "bench-coccicheck: make coccicheck changed the tree" >&2; exit 1; }
[ -z "$failed" ] || { echo "bench-coccicheck: failed:$failed (logs in $out)" >&2; exit 1; }
echo "bench-coccicheck: every rule ran alone over the whole tree (logs in $out)"
