#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The semantic patch on its own, as CI runs it: spatch alone on the
# conversion cases, then the kernel's own "make coccicheck" on Debian's
# 7.2 tree.  Without mmapport's classifier the rule must still convert
# exactly what the pipeline converts, and its patch must apply.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cocci=$top/cocci/mmap_prepare_simple.cocci
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..7"
# spatch's Python rules run on the system's python3, as mmapport runs them
# (spatch_python() in tools/util.c; docs/usage.md, "In CI")
py=$(PATH=$(getconf PATH) command -v python3)
spy=${py:+--python $py}

# The simple cases that expect an output: what this rule converts alone
# (the remap cases need mmap_prepare_remap.cocci first).  A case says
# "check-coccicheck: mmapport-only WHY" when only mmapport converts it
# (a take the analyzer pairs with its release: the rule alone refuses any
# take), "check-coccicheck: report-only WHY" when mmapport's output
# has more than the rule's patch (convert's kernel-doc fix-up), and
# "check-coccicheck: rule-only WHY" when the rule alone converts a handler
# mmapport refuses for what only mmapport knows (the target's release).
simple_cases=$(grep -l '^ \* check-category: simple\( simple\)*$' "$top"/tests/cases/*.c |
	xargs grep -l '^ \* check-output:' | xargs grep -L '^ \* check-coccicheck: mmapport-only')
rule_only=$(grep -l '^ \* check-coccicheck: rule-only' "$top"/tests/cases/*.c)
patch_cases=$(echo "$simple_cases" | xargs grep -L '^ \* check-coccicheck: report-only')

# 1. Cases: report mode names the handlers of the simple cases that expect
# an output, and no others.
want=$(for c in $simple_cases $rule_only; do
	sed -n 's/^static int \([a-z0-9_]*\)(struct file \*[a-z]*, struct vm_area_struct \*vma)$/\1/p' "$c"
done | sort)
got=$(cd "$top/tests/cases" && for c in *.c; do
	spatch $spy --sp-file "$cocci" -D report --very-quiet --no-includes --include-headers "$c" 2>/dev/null
done | sed -n 's/.*WARNING: \([a-z0-9_]*\)() can use mmap_prepare.*/\1/p' | sort)
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	echo "ok 1 - report mode on the cases names exactly the convertible handlers ($(echo $want))"
else
	echo "not ok 1 - report mode on the cases: want '$(echo $want)', got '$(echo $got)'"
fi

# 2. Cases: patch mode gives the expected outputs.
bad=
for c in $patch_cases; do
	expect=$top/tests/cases/$(sed -n 's/^ \* check-output: //p' "$c")
	cp "$c" "$tmp/case.c"
	(cd "$tmp" && spatch $spy --sp-file "$cocci" -D patch --very-quiet --in-place \
		--no-includes --include-headers case.c >/dev/null 2>&1)
	# mmapport aligns the new designator and its value; the rule alone does not.
	sed 's/^\(\t*\)\.mmap_prepare[ \t]*=[ \t]*/\1.mmap_prepare = /' "$expect" > "$tmp/expect.c"
	# spatch leaves a whitespace-only line where it dropped the "{" after
	# a rewritten flag test; mmapport removes it (convert.c), so does this
	awk '!(prev ~ /vma_desc_test.*\)/ && /^[ \t]+$/) { print } { prev = $0 }' \
		"$tmp/case.c" > "$tmp/case.clean.c"
	cmp -s "$tmp/expect.c" "$tmp/case.clean.c" || bad="$bad $(basename "$c")"
done
if [ -z "$bad" ]; then
	echo "ok 2 - patch mode on the cases gives the expected outputs"
else
	echo "not ok 2 - patch mode differs on:$bad"
fi

# 3-5. The kernel's make coccicheck on the real tree.
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "not ok 3 - cannot fetch the 7.2 tree"; exit 1; }
dirs="drivers/hv fs/udf virt/kvm drivers/hsi drivers/misc/genwqe"
mkdir -p "$tmp/o"
: > "$tmp/report"
: > "$tmp/patch"
for d in $dirs; do
	make -s -C "$tree" O="$tmp/o" coccicheck MODE=report COCCI="$cocci" SPFLAGS="$spy" M="$d" J=2 \
		2>>"$tmp/err" | grep 'WARNING:.*can use mmap_prepare' >> "$tmp/report"
	make -s -C "$tree" O="$tmp/o" coccicheck MODE=patch COCCI="$cocci" SPFLAGS="$spy" M="$d" J=2 \
		2>>"$tmp/err" | sed -n '/^--- a\//,$p' >> "$tmp/patch"
done
reported=$(sed -n 's/.*WARNING: \([a-z0-9_]*\)().*/\1/p' "$tmp/report" | sort -u)

"$top/bin/mmapport" classify --tree "$tree" --out "$tmp/m" --paths "$(echo $dirs | tr ' ' ,)" \
	>/dev/null 2>"$tmp/m.err"
"$top/bin/mmapport" convert --tree "$tree" --out "$tmp/m" >/dev/null 2>>"$tmp/m.err"
converted=$(jq -r '.[] | select(.conversion.status == "converted" and .conversion.method == "simple") | .function' \
	"$tmp/m/records.json" 2>/dev/null | sort -u)
if [ -n "$reported" ] && [ "$reported" = "$converted" ]; then
	echo "ok 3 - make coccicheck MODE=report on $dirs names what mmapport converts ($(echo $reported))"
else
	echo "not ok 3 - make coccicheck names '$(echo $reported)', mmapport converts '$(echo $converted)'"
	sed 's/^/# /' "$tmp/err" | tail -5
fi

if [ -s "$tmp/patch" ] && (cd "$tree" && git apply --check "$tmp/patch" 2>"$tmp/apply.err"); then
	echo "ok 4 - make coccicheck MODE=patch output applies to the tree"
else
	echo "not ok 4 - MODE=patch output is empty or does not apply"
	sed 's/^/# /' "$tmp/apply.err" 2>/dev/null | head -5
fi

if [ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
	echo "ok 5 - make coccicheck left the tree unchanged"
else
	echo "not ok 5 - the tree was changed"
fi

# 6-7. Every other rule alone under make coccicheck MODE=report, as the
# kernel runs it (J=2: several spatch processes), on a directory with a
# remap handler: the same report as the rule run file by file (diffs
# shown: report mode must print none), and the remap rule's verdicts
# those of mmapport (mainline).
rd=drivers/misc/genwqe
bad=
for cocci in "$top"/cocci/*.cocci; do
	rule=$(basename "$cocci" .cocci)
	[ "$rule" = mmap_prepare_simple ] && continue
	opts=$(sed -n 's|^// Options:||p' "$cocci")
	make -s -C "$tree" O="$tmp/o" coccicheck MODE=report COCCI="$cocci" SPFLAGS="$spy" M="$rd" J=2 \
		> "$tmp/cc-$rule" 2>>"$tmp/err" || bad="$bad $rule(exit $?)"
	grep -E '^[^ ]+:[0-9]+:[0-9]+-[0-9]+: ' "$tmp/cc-$rule" | sed 's|^\./||' | sort > "$tmp/cc-$rule.rep"
	# shellcheck disable=SC2086
	(cd "$tree/$rd" && for f in *.c; do
		spatch $spy --sp-file "$cocci" -D report $opts --very-quiet "$f"
	done) 2>>"$tmp/err" | sort > "$tmp/one-$rule.rep"
	cmp -s "$tmp/cc-$rule.rep" "$tmp/one-$rule.rep" || bad="$bad $rule(differs)"
done
nlines=$(cat "$tmp"/cc-*.rep | wc -l)
if [ -z "$bad" ] && [ -s "$tmp/cc-facts.rep" ] && [ -s "$tmp/cc-mmap_prepare_remap.rep" ] &&
   [ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
	echo "ok 6 - every rule runs alone under make coccicheck MODE=report on $rd ($nlines lines, as file by file)"
else
	echo "not ok 6 - make coccicheck MODE=report on $rd:${bad:- empty report, or the tree changed}"
	tail -5 "$tmp/err" | sed 's/^/# /'
fi

# the remap rule's verdicts against mmapport's (the handlers the rule names)
rule_says=$(sed -n 's/^[^ ]*: \([a-z0-9_]*\)(): \(refused\|convertible\): .*/\1 \2/p' \
	"$tmp/cc-mmap_prepare_remap.rep" | sort -u)
mm_says=$(for h in $(echo "$rule_says" | cut -d' ' -f1); do
	jq -r --arg h "$h" --arg d "$rd/" '.[] | select(.function == $h and (.file | startswith($d))) |
		"\(.function) \(if .conversion.status == "converted" then "convertible" else "refused" end)"' \
		"$tmp/m/records.json"
done | sort -u)
if [ -n "$rule_says" ] && [ "$rule_says" = "$mm_says" ]; then
	echo "ok 7 - the remap rule alone and mmapport agree on $rd: $(echo $rule_says)"
else
	echo "not ok 7 - the remap rule alone says '$(echo $rule_says)', mmapport '$(echo $mm_says)'"
fi
