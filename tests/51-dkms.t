#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real out-of-tree drivers from Debian's DKMS packages (examples/dkms/,
# README.md there) against Debian's 7.2 tree, each as its maintainer runs
# mmapport: the driver's own dkms.conf says how it builds, the old code is
# built against 6.12 too (--compat-tree).  For each: every registration
# gets the category and result of NAME.expected, with the reason or facts
# it names; a converted one passed on 7.2 and on 6.12; the series applies
# to the driver's own tree (a git copy of it) and is checkpatch clean; the
# driver directory is not written.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
old=$("$top/tools/fetch-tree.sh" 6.12) || { echo "1..0 # SKIP cannot fetch the 6.12 tree"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
drivers=$(cd "$top/examples/dkms" && ls -d */ | tr -d /)
nexp=$(cat "$top"/examples/dkms/*.expected | grep -v '^#' | grep -c '|')
echo "1..$(( $(echo $drivers | wc -w) * 5 + nexp ))"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

for d in $drivers; do
	ext=$top/examples/dkms/$d
	exp=$top/examples/dkms/$d.expected
	out=$tmp/$d
	sum() { (cd "$ext" && find . -type f | sort | xargs sha256sum); }
	before=$(sum)
	"$top/bin/mmapport" run --tree "$tree" --external "$ext" --out "$out" --arch x86_64 \
		--compat-tree "$old" > "$out.log" 2>&1
	rc=$?
	nconv=$(jq '[.[] | select(.conversion.status == "converted")] | length' \
		"$out/records.json" 2>/dev/null)
	# a run that converted nothing may exit 0; one that converted must
	if [ -s "$out/records.json" ] && { [ "$rc" = 0 ] || [ "${nconv:-0}" = 0 ]; }; then
		ok "$d: mmapport run --external (exit $rc, $nconv converted)"
	else
		notok "$d: mmapport run --external exited $rc"; tail -20 "$out.log" | sed 's/^/# /'
	fi

	# FILE FUNCTION CATEGORY RESULT, per registration
	want=$(grep -v '^#' "$exp" | sed 's/ *|.*//' | sort -u)
	got=$(jq -r '.[] | "\(.file) \(.function) \(.category) \(.conversion.status // "-")"' \
		"$out/records.json" 2>/dev/null | sort -u)
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		ok "$d: $(echo "$want" | awk '{print $2 " " $3 " " $4 " (" $1 ")"}' | tr '\n' ';')"
	else
		notok "$d: want '$(echo $want)', got '$(echo $got)'"
	fi
	while IFS='|' read -r key text; do
		text=${text# }
		set -- $key
		if jq -r --arg f "$1" --arg fn "$2" '.[] | select(.file == $f and .function == $fn) |
		   (.conversion.reason // empty), (.facts // [])[]' "$out/records.json" 2>/dev/null |
		   grep -qF -- "$text"; then
			ok "$d: $2 ($1): says '$text'"
		else
			notok "$d: $2 ($1): nothing says '$text'"
		fi
	done < <(grep -v '^#' "$exp" | grep '|')

	# what converted passed on 7.2 and on 6.12 (the old code kept)
	bad=$(jq -r '.[] | select(.conversion.status == "converted") |
		select(.check.x86_64.status != "pass" or .check["x86_64@6.12"].status != "pass") |
		.function' "$out/records.json" 2>/dev/null)
	if [ -z "$bad" ]; then
		ok "$d: every conversion passed on x86_64 (7.2) and x86_64@6.12"
	else
		notok "$d: not passed on both: $bad"
	fi

	# the series applies to the driver's own tree, checkpatch clean
	cp -r "$ext" "$tmp/$d.git" && git -C "$tmp/$d.git" init -q &&
		git -C "$tmp/$d.git" add -A &&
		git -C "$tmp/$d.git" -c user.email=t@t -c user.name=t commit -qm base
	patches=$(ls "$out"/series/0*-*.patch 2>/dev/null | grep -v 0000-cover)
	if [ -z "$patches" ] && [ "${nconv:-0}" = 0 ]; then
		ok "$d: nothing converted, no patch"
	elif [ -n "$patches" ] &&
	     git -C "$tmp/$d.git" -c user.email=t@t -c user.name=t am -q $patches 2>"$tmp/am.err" &&
	     ! grep -q '^total: [1-9]\|, [1-9][0-9]* warnings' "$out/series/checkpatch.txt"; then
		ok "$d: the series ($(echo $patches | wc -w) patches) applies to the driver's tree, checkpatch clean"
	else
		notok "$d: the series does not apply, or checkpatch complains"
		sed 's/^/# /' "$tmp/am.err" "$out/series/checkpatch.txt" 2>/dev/null | head -20
	fi

	if [ "$before" = "$(sum)" ]; then
		ok "$d: the driver directory is unchanged"
	else
		notok "$d: the driver directory was written"
	fi
done
