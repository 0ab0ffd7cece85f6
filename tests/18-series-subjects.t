#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The subjects of a series: each commit is named for its driver
# ("DIR: FILE: convert to mmap_prepare", kernel style), the short form
# ("acme") when no other commit of the series would have the same one,
# else the file's own part ("acme: one", "acme: two"), else its
# directories too ("misc: widget: file"), so that no two commits of a
# series share a subject.  On a fake tree, with a stand-in
# for checkpatch and the checks passed by hand (tests/16-inputs.t does
# the same): the subjects are series' own work.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"

t=$tmp/tree
bash "$top/tests/lib/fake-tree.sh" "$t"
mkdir -p "$t/drivers/soc/acme" "$t/drivers/hsi/clients" "$t/scripts" \
	"$t/drivers/misc/widget" "$t/drivers/soc/widget"
# a driver: simple-vmops.c's handler, named after it
driver() {
	sed "s/demo_/$2_/g" "$top/tests/cases/simple-vmops.c" > "$t/$1"
}
driver drivers/soc/acme/acme-one.c acme_one
driver drivers/soc/acme/acme_two.c acme_two
driver drivers/soc/acme/acme.c acme
driver drivers/misc/widget/file.c widget_misc
driver drivers/soc/widget/file.c widget_soc
driver drivers/hsi/clients/cmt_speech.c cmt
cat > "$t/scripts/checkpatch.pl" <<'PL'
# a stand-in for the kernel's checkpatch.pl (tests/18-series-subjects.t)
print "total: 0 errors, 0 warnings, 10 lines checked\n";
exit 0;
PL
git -C "$t" init -q && git -C "$t" add -A &&
	git -C "$t" -c user.name=t -c user.email=t@t commit -qm base
o=$tmp/out
if ! "$mm" classify --tree "$t" --out "$o" --paths drivers > /dev/null 2> "$tmp/err" ||
   ! "$mm" convert --tree "$t" --out "$o" > /dev/null 2>> "$tmp/err" ||
   ! jq 'map(if .conversion.status == "converted"
	then .check = {overall: {status: "pass", pass: ["x86_64"]}} else . end)' \
	"$o/records.json" > "$tmp/passed.json" ||
   [ "$(jq '[.[] | select(.check.overall.status == "pass")] | length' "$tmp/passed.json")" != 6 ]; then
	echo "Bail out! classify or convert did not convert the six drivers"
	sed 's/^/# /' "$tmp/err"
	exit 1
fi
cp "$tmp/passed.json" "$o/records.json"
if "$mm" series --tree "$t" --out "$o" > /dev/null 2>> "$tmp/err"; then
	echo "ok 1 - series of six drivers"
else
	echo "not ok 1 - series failed"
	sed 's/^/# /' "$tmp/err"
fi
# shellcheck disable=SC2046
subjects=$(sed -n 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //p' \
	$(ls "$o"/series/0*.patch | grep -v cover-letter) | sort)
want=$(printf '%s: convert to mmap_prepare\n' "acme: one" "acme: two" "acme: acme" \
	"misc: widget: file" "soc: widget: file" "hsi: cmt_speech" | sort)
if [ "$subjects" = "$want" ]; then
	echo "ok 2 - the acme drivers are told apart by their files, the widget ones by their directories; hsi keeps its subject"
else
	echo "not ok 2 - subjects:"
	echo "$subjects" | sed 's/^/#   /'
fi
if [ "$(echo "$subjects" | uniq -d)" = "" ] && [ "$(echo "$subjects" | wc -l)" = 6 ]; then
	echo "ok 3 - no two commits of the series share a subject"
else
	echo "not ok 3 - a subject is repeated"
fi
# The cover letter says what the series converts from its records'
# categories: six simple handlers, so nothing of remaps, pages or state.
cover=$(sed -n '/^The f_op->mmap hook is deprecated/,/^$/p' "$o/series/0000-cover-letter.patch" 2>/dev/null |
	tr '\n' ' ')
case $cover in
*"the simple handlers"*)
	if echo "$cover" | grep -qE 'remapping PFNs|map pages|taking state'; then
		echo "not ok 4 - the cover letter names categories the series does not hold: $cover"
	else
		echo "ok 4 - the cover letter names the simple handlers only"
	fi ;;
*) echo "not ok 4 - the cover letter does not say what the series converts: '$cover'" ;;
esac
