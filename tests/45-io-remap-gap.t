#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# io_remap_pfn_range() conversions need io_remap_pfn_range_pfn() on every
# architecture that translates PFNs in it.  On 6.12, csky, mips and sparc
# override io_remap_pfn_range() without it: an io_remap handler
# (drivers/acpi/pfr_telemetry.c) is refused with that reason, for both
# profiles.  On 7.3, where the arches have it, the same handler is not
# refused for it.  Lexical classification: fast, and enough for the fact.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
old=$("$top/tools/fetch-tree.sh" 6.12) || { echo "1..0 # SKIP cannot fetch 6.12"; exit 1; }
new=$("$top/tools/fetch-tree.sh" 7.3) || { echo "1..0 # SKIP cannot fetch 7.3"; exit 1; }
echo "1..3"

reason() {	# reason OUT -> pfrt_log_mmap's conversion reason
	jq -r '[.[] | select(.function == "pfrt_log_mmap") | .conversion.reason // "none"][0]' \
		"$1/records.json"
}

# both profiles from one classify, in one output directory (one work tree)
n=0
out=$tmp/old
"$mm" classify --lexical --tree "$old" --out "$out" --paths drivers/acpi >/dev/null 2>&1
for api in rfc mainline; do
	n=$((n + 1))
	"$mm" convert --api $api --tree "$old" --out "$out" >/dev/null 2>"$tmp/err"
	r=$(reason "$out")
	if echo "$r" | grep -q 'sparc override io_remap_pfn_range() .*no io_remap_pfn_range_pfn'; then
		echo "ok $n - 6.12, $api: refused: ${r:0:90}..."
	else
		echo "not ok $n - 6.12, $api: $r"; sed 's/^/# /' "$tmp/err"
	fi
done

out=$tmp/new
"$mm" classify --lexical --tree "$new" --out "$out" --paths drivers/acpi >/dev/null 2>&1
"$mm" convert --tree "$new" --out "$out" >/dev/null 2>"$tmp/err"
r=$(reason "$out")
if [ "$r" != "none" ] && ! echo "$r" | grep -q 'io_remap_pfn_range_pfn'; then
	echo "ok 3 - 7.3: not refused for the arch translation ($r)"
elif [ "$r" = "none" ] && jq -e '.[] | select(.function == "pfrt_log_mmap") | .conversion.status' \
	"$out/records.json" >/dev/null; then
	echo "ok 3 - 7.3: converted"
else
	echo "not ok 3 - 7.3: $r"
fi
