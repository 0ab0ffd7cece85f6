#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A stage alone, from fixture JSON: `make build/stage-main` links
# tests/lib/stage-main.c with every object of tools/ but mmapport.o (the
# command's main()), so no stage needs the command; the report stage,
# run that way (run_stage(), as `mmapport report` runs it) on
# tests/fixtures/report-run (records of five cases, their diffs and a
# dispatcher plan), writes a report that says what the records hold, and
# refuses records of the wrong shape without writing one.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..6"

stage=$top/build/stage-main
if make -s -C "$top" build/stage-main > "$tmp/link.err" 2>&1 && [ -x "$stage" ]; then
	echo "ok 1 - every stage links without mmapport.o (the command's main())"
else
	echo "not ok 1 - the stages do not link without mmapport.o"
	sed 's/^/#   /' "$tmp/link.err" | head -20
	for i in 2 3 4 5 6; do echo "not ok $i - no harness"; done
	exit 0
fi

# an output directory mmapport made (its marker) holding the fixture's files
fixture() {
	cp -r "$top/tests/fixtures/report-run" "$1"
	: > "$1/.mmapport-out"
}
out=$tmp/out
fixture "$out"
recs=$out/records.json
if "$stage" report "$out" 2> "$tmp/report.err" && [ -s "$out/report.txt" ] &&
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

# report.txt's sections: "Conversions ..." up to the next heading, and "Not converted ..."
section() {
	awk -v h="$1" 'index($0, h) == 1 { on = 1; next } on && /^[A-Z]/ { exit } on' "$out/report.txt"
}
conv=$(section "Conversions (")
notconv=$(section "Not converted (")

# every converted handler in the conversions, in report.html, and not under "Not converted"
miss=
for rec in $(jq -r '.[] | select(.conversion.status == "converted") | "\(.file):\(.line) \(.function)()" | @base64' "$recs"); do
	line=$(echo "$rec" | base64 -d)
	fn=${line#* }
	echo "$conv" | grep -qF "converted  $line" && grep -qF "${fn%()}" "$out/report.html" &&
		! echo "$notconv" | grep -qF "$line" || miss="$miss $fn"
done
nconv=$(jq '[.[] | select(.conversion.status == "converted")] | length' "$recs")
if [ -z "$miss" ] && [ "$nconv" -gt 0 ]; then
	echo "ok 4 - the $nconv converted handlers are in the conversions and report.html, not under \"Not converted\""
else
	echo "not ok 4 - converted handlers misplaced in the reports:$miss"
fi

# every file_operations handler not converted, but simple ones, under "Not converted"
miss=
for rec in $(jq -r '.[] | select(.ops_type == "file_operations" and .category != "simple" and
		.conversion.status != "converted") | "\(.file):\(.line) \(.function)()" | @base64' "$recs"); do
	line=$(echo "$rec" | base64 -d)
	echo "$notconv" | grep -qF "$line" || miss="$miss $line"
done
nleft=$(jq '[.[] | select(.ops_type == "file_operations" and .category != "simple" and
		.conversion.status != "converted")] | length' "$recs")
if [ -z "$miss" ] && [ "$nleft" -gt 0 ]; then
	echo "ok 5 - the $nleft file_operations handlers left unconverted are under \"Not converted\""
else
	echo "not ok 5 - missing under \"Not converted\":$miss"
fi

# records of the wrong shape: refused, naming the field, nothing written
bad_out=$tmp/bad
fixture "$bad_out"
jq '.[0].category = 7' "$recs" > "$bad_out/records.json"
if ! "$stage" report "$bad_out" 2> "$tmp/bad.err" && grep -q "category" "$tmp/bad.err" &&
   [ ! -e "$bad_out/report.txt" ]; then
	echo "ok 6 - records of the wrong shape are refused, naming the field, before a report is written"
else
	echo "not ok 6 - a record with a numeric category was not refused cleanly"
	sed 's/^/#   /' "$tmp/bad.err" | head -5
fi
