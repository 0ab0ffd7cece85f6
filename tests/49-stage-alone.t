#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A stage alone, from fixture JSON: every object of tools/ but
# mmapport.o (the command's main()) links with tests/lib/stage-main.c,
# so no stage needs the command; the report stage run that way on
# tests/fixtures/report-run (records of four cases, their diffs and a
# dispatcher plan) writes a report that counts what the records hold,
# and refuses records of the wrong shape without writing one.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..5"

objs=$(ls "$top"/build/obj/*.o "$top"/build/obj/analyzer/*.o | grep -v '/mmapport\.o$')
if [ -n "$objs" ] && cc -std=gnu11 -I/usr/lib/llvm-16/include -o "$tmp/stage" \
	"$top/tests/lib/stage-main.c" $objs -ljansson -L/usr/lib/llvm-16/lib -lclang-16 \
	2> "$tmp/link.err"; then
	echo "ok 1 - every stage links without mmapport.o (the command's main())"
else
	echo "not ok 1 - the stages do not link without mmapport.o"
	sed 's/^/#   /' "$tmp/link.err" | head -20
	for i in 2 3 4 5; do echo "not ok $i - no harness"; done
	exit 0
fi

out=$tmp/out
cp -r "$top/tests/fixtures/report-run" "$out"
recs=$out/records.json
if "$tmp/stage" report "$out" 2> "$tmp/report.err" && [ -s "$out/report.txt" ] &&
   [ -s "$out/report.html" ]; then
	echo "ok 2 - the report stage runs alone on fixture records"
else
	echo "not ok 2 - the report stage alone fails on fixture records"
	sed 's/^/#   /' "$tmp/report.err" | head -10
fi

# every category the records hold, counted as the report counts it
bad=
while read -r cat n; do
	grep -qE "^  $cat +$n\$" "$out/report.txt" || bad="$bad $cat=$n"
done < <(jq -r '[.[].category] | group_by(.) | .[] | "\(.[0]) \(length)"' "$recs")
ncat=$(jq '[.[].category] | unique | length' "$recs")
if [ -z "$bad" ] && [ "$ncat" -gt 1 ]; then
	echo "ok 3 - the report counts each of the $ncat categories of the records"
else
	echo "not ok 3 - the report's counts differ from the records:${bad:- one category only}"
fi

# every converted handler named in both reports
miss=
for fn in $(jq -r '.[] | select(.conversion.status == "converted") | .function' "$recs"); do
	grep -q "$fn" "$out/report.txt" && grep -q "$fn" "$out/report.html" || miss="$miss $fn"
done
nconv=$(jq '[.[] | select(.conversion.status == "converted")] | length' "$recs")
if [ -z "$miss" ] && [ "$nconv" -gt 0 ]; then
	echo "ok 4 - both reports name the $nconv converted handlers"
else
	echo "not ok 4 - converted handlers missing from the reports:$miss"
fi

# records of the wrong shape: refused, naming the field, nothing written
bad_out=$tmp/bad
cp -r "$top/tests/fixtures/report-run" "$bad_out"
jq '.[0].category = 7' "$recs" > "$bad_out/records.json"
if ! "$tmp/stage" report "$bad_out" 2> "$tmp/bad.err" && grep -q "category" "$tmp/bad.err" &&
   [ ! -e "$bad_out/report.txt" ]; then
	echo "ok 5 - records of the wrong shape are refused, naming the field, before a report is written"
else
	echo "not ok 5 - a record with a numeric category was not refused cleanly"
	sed 's/^/#   /' "$tmp/bad.err" | head -5
fi
