#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Coccinelle's facts (cocci/facts.cocci) against libclang's, on the same
# handlers.  Every tests/cases/NAME.c goes into three fake trees:
#   seen:   under drivers/cases, where libclang parses it;
#   arch:   under arch/powerpc/cases, another architecture's file, which
#           libclang is given no flags for;
#   ifdef:  under drivers/cases inside an #ifdef that is off (in place of
#           the SPDX line, so that lines keep their numbers).
# (The cases' own "#ifdef CONFIG_MMAPPORT_OFF" blocks are turned on in all
# three, so that their handlers are compared too.)  For every handler
# libclang decides in "seen", the other two must come from Coccinelle,
# with confidence low, and give the same category, subcategory, leaf
# category, reasons, hazards, VMA uses and facts (but the one saying where
# the facts come from).  A handler with an #if inside (docs/hazards.md, H9) is
# compared by category only: Coccinelle reads every branch, libclang one;
# with a version test the target settles inside, Coccinelle may say
# needs-vma where libclang says another (it reads the dead branch too).
# No tree may lose a record.  Then spatch is made to fail: the lexical
# categories must stand, each saying why.  Last, facts.cocci must know
# every call of the analyzer's lists (tools/category.c).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for view in seen arch ifdef failing; do
	bash "$top/tests/lib/fake-tree.sh" "$tmp/$view"
done
mkdir -p "$tmp/seen/drivers/cases" "$tmp/arch/arch/powerpc/cases" \
	"$tmp/ifdef/drivers/cases" "$tmp/failing/drivers/cases"
for c in "$top"/tests/cases/*.c; do
	name=$(basename "$c")
	sed 's/^#ifdef CONFIG_MMAPPORT_OFF$/#ifdef __KERNEL__/' "$c" > "$tmp/seen/drivers/cases/$name"
	cp "$tmp/seen/drivers/cases/$name" "$tmp/arch/arch/powerpc/cases/$name"
	{
		echo '#ifdef CONFIG_MMAPPORT_NOT_SET'
		tail -n +2 "$tmp/seen/drivers/cases/$name"
		echo '#endif'
	} > "$tmp/ifdef/drivers/cases/$name"
	cp "$tmp/ifdef/drivers/cases/$name" "$tmp/failing/drivers/cases/$name"
done

t0=$(date +%s.%N)
for view in seen arch ifdef; do
	"$mm" classify -j 2 --tree "$tmp/$view" --out "$tmp/out-$view" >/dev/null 2>"$tmp/$view.err"
done
t1=$(date +%s.%N)
# spatch that fails: first in PATH
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "spatch: made to fail by the test" >&2\nexit 3\n' > "$tmp/bin/spatch"
chmod +x "$tmp/bin/spatch"
PATH=$tmp/bin:$PATH "$mm" classify -j 2 --tree "$tmp/failing" --out "$tmp/out-failing" \
	>/dev/null 2>"$tmp/failing.err"
"$mm" classify --lexical --tree "$tmp/failing" --out "$tmp/out-lexical" >/dev/null 2>&1

# What is compared: one line per handler, by case file and function.
sig='.[] | select(.function) | {k: "\(.file | split("/") | last):\(.function)",
	an: .analyzer, confidence, category, subcategory, leaf_category,
	arch: ((.analysis.hazards.arch_branches // []) | length > 0),
	version: ((.analysis.dead_branches // []) | length > 0),
	rest: {reasons: ([.reasons[]?.fact] | sort), hazards: (.analysis.hazards // {}),
	       uses: (.vma_uses // [] | sort),
	       facts: ([.facts[] | select(startswith("facts from Coccinelle") | not)] | sort)}}'
for view in seen arch ifdef; do
	jq -c "$sig" "$tmp/out-$view/records.json" > "$tmp/$view.jl" 2>/dev/null
done
seen=$(jq -r 'select(.an == "libclang") | .k' "$tmp/seen.jl")
nseen=$(echo "$seen" | grep -c .)

echo "1..$((2 * nseen + 2 + 3 + 4))"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

for view in arch ifdef; do
	for k in $seen; do
		a=$(jq -c --arg k "$k" 'select(.k == $k)' "$tmp/seen.jl")
		b=$(jq -c --arg k "$k" 'select(.k == $k)' "$tmp/$view.jl")
		if [ -z "$b" ]; then
			notok "$view: $k: no record"
			continue
		fi
		if [ "$(jq -r .version <<<"$a")" = true ] &&
		   [ "$(jq -r .category <<<"$b")" = needs-vma ]; then
			# a version test libclang's configuration settles: Coccinelle
			# reads the dead branch too, and may only be stricter
			what='category, or needs-vma (a version test inside: Coccinelle reads every branch)'
			keys='[]'
		elif [ "$(jq -r .arch <<<"$a")" = true ] || [ "$(jq -r .version <<<"$a")" = true ]; then
			what='category (an #if inside: Coccinelle reads every branch)'
			keys='[.category]'
		else
			what='category, subcategory, reasons, hazards, facts'
			keys='[.category, .subcategory, .leaf_category, .rest]'
		fi
		if [ "$(jq -r '"\(.an) \(.confidence)"' <<<"$b")" != "coccinelle low" ]; then
			notok "$view: $k: decided by $(jq -r .an <<<"$b"), not by Coccinelle with confidence low"
			sed 's/^/#   /' "$tmp/$view.err"
		elif [ "$(jq -c "$keys" <<<"$a")" = "$(jq -c "$keys" <<<"$b")" ]; then
			ok "$view: $k: $(jq -r .category <<<"$a"): $what as libclang's"
		else
			notok "$view: $k: differs from libclang's $what"
			diff <(jq "$keys" <<<"$a") <(jq "$keys" <<<"$b") | sed 's/^/#   /'
		fi
	done
done

for view in arch ifdef; do
	want=$(jq length "$tmp/out-seen/records.json")
	got=$(jq length "$tmp/out-$view/records.json" 2>/dev/null)
	if [ "$want" = "$got" ]; then
		ok "$view: every record kept ($got)"
	else
		notok "$view: $got records, not $want"
	fi
done

# spatch fails: nothing is dropped, the lexical category stands and says why
rec=$tmp/out-failing/records.json lex=$tmp/out-lexical/records.json
if [ "$(jq length "$rec")" = "$(jq length "$lex")" ] &&
   [ "$(jq -c '[.[] | .category]' "$rec")" = "$(jq -c '[.[] | .category]' "$lex")" ]; then
	ok "spatch fails: every record kept, with its lexical category"
else
	notok "spatch fails: records or categories differ from the lexical classifier's"
	sed 's/^/#   /' "$tmp/failing.err"
fi
nfail=$(jq '[.[] | select((.coccinelle_error // "") | test("spatch failed"))] | length' "$rec")
if [ "$nfail" -gt 0 ] &&
   jq -e 'all(.[] | select(.coccinelle_error); .analyzer == "lexical" and .confidence == "low")' \
	"$rec" >/dev/null; then
	ok "spatch fails: $nfail records say so (coccinelle_error), lexical, confidence low"
else
	notok "spatch fails: no record says so, or one is not lexical with confidence low"
fi
if jq -e '[.[] | select(.coccinelle_error) | .facts | last |
	   test("^libclang: .*; Coccinelle: spatch failed .*; the lexical classification stands$")] |
	   length > 0 and all' "$rec" >/dev/null; then
	ok "spatch fails: the facts say libclang's and Coccinelle's reasons"
else
	notok "spatch fails: a record's facts do not say why the lexical category stands"
fi

# facts.cocci names every call of the analyzer's lists
for list in calls_remap calls_insert calls_stacked calls_simple; do
	missing=
	for f in $(sed -n "/^const char \*const $list\[\] = {/,/NULL/p" "$top/tools/category.c" |
		   grep -o '"[a-z_0-9]*"' | tr -d '"'); do
		grep -qw "$f" "$top/cocci/facts.cocci" || missing="$missing $f"
	done
	if [ -z "$missing" ]; then
		ok "facts.cocci knows every call of $list"
	else
		notok "facts.cocci misses from $list:$missing"
	fi
done

# Speed is make bench's business, never a test's: the time is said, not judged.
echo "# three classify runs over $(ls "$top"/tests/cases/*.c | wc -l) cases in $(echo "$t1 - $t0" | bc) s"
