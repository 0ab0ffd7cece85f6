#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What comes from the user or from disk is checked before anything runs
# (docs/errors.md): --paths normalised and kept inside the tree, symlinks
# included; a tool missing from PATH named; a sparse that cannot diagnose
# refused; --api on a tree without that API said up front; records.json,
# inventory.json and timings.json of the wrong shape refused, never
# rewritten; a checkpatch that did not run stops series.  On a fake tree
# (tests/lib/fake-tree.sh).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..48"

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && sed 's/^/#   /' "$@"
	return 0
}
# run CMD...: its exit status in rc, its stderr in $tmp/err
run() { "$@" > "$tmp/stdout" 2> "$tmp/err"; rc=$?; }
# refused NAME PATTERN: the last run failed and said PATTERN
refused() {
	if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -qF -- "$2" "$tmp/err"; then
		pass "$1"
	else
		fail "$1 (exit $rc, want a message with '$2')" "$tmp/err"
	fi
}

tree=$tmp/tree
bash "$top/tests/lib/fake-tree.sh" "$tree"
mkdir -p "$tree/drivers/a" "$tree/fs/udf" "$tmp/outside"
cp "$top/tests/cases/simple-vmops.c" "$tree/fs/udf/file.c"
cp "$top/tests/cases/simple-vmops.c" "$tmp/outside/evil.c"
ln -s "$tmp/outside" "$tree/drivers/link"

# --- --paths -----------------------------------------------------------------

run "$mm" scan --tree "$tree" --out "$tmp/o1" --paths ../outside
refused "--paths ../outside is refused" "--paths '../outside': leaves the tree"
[ ! -e "$tmp/o1" ] && pass "... before anything is written" ||
	fail "... but $tmp/o1 was created"

run "$mm" scan --tree "$tree" --paths ''
refused "--paths '' is an error, not the whole tree" "an empty path"

run "$mm" scan --tree "$tree" --paths fs/udf,,drivers/a
refused "an empty item in a --paths list is an error" "an empty path"

run "$mm" scan --json --tree "$tree" --paths drivers/a/../../fs/udf/file.c
got=$(jq -r '.[].file' "$tmp/stdout" 2>/dev/null | sort -u)
[ "$rc" = 0 ] && [ "$got" = fs/udf/file.c ] &&
	pass "drivers/a/../../fs/udf/file.c: the record's file is fs/udf/file.c" ||
	fail "drivers/a/../../fs/udf/file.c: exit $rc, record files '$got'" "$tmp/err"

run "$mm" scan --json --tree "$tree" --paths "$tree//fs/./udf/"
got=$(jq -r '.[].file' "$tmp/stdout" 2>/dev/null | sort -u)
[ "$rc" = 0 ] && [ "$got" = fs/udf/file.c ] &&
	pass "an absolute path inside the tree is made relative" ||
	fail "an absolute path inside the tree: exit $rc, record files '$got'" "$tmp/err"

run "$mm" scan --tree "$tree" --paths "$tmp/outside/evil.c"
refused "an absolute path outside the tree is refused" "outside the tree"

run "$mm" scan --tree "$tree" --paths drivers/link/evil.c
refused "a symlink inside the tree to a file outside is refused" \
	"leaves the tree $tree: through a symlink it is $tmp/outside/evil.c"

run "$mm" scan --tree "$tree" --paths drivers/link
refused "a symlink inside the tree to a directory outside is refused" "through a symlink"

run "$mm" scan --tree "$tree" --paths drivers/nosuch.c
refused "a path that does not exist is refused" "no such file or directory in the tree"

# a symlink inside the tree to a directory inside it: the path is where it
# leads, so that the records, the conversion and its diff name the real file
lt=$tmp/ltree
bash "$top/tests/lib/fake-tree.sh" "$lt"
mkdir -p "$lt/drivers/cases"
cp "$top/tests/cases/pfn-remap.c" "$lt/drivers/cases/"
ln -s cases "$lt/drivers/alias"
run "$mm" scan --json --tree "$lt" --paths drivers/alias
got=$(jq -r '.[].file' "$tmp/stdout" 2>/dev/null | sort -u)
if [ "$rc" = 0 ] && [ "$got" = drivers/cases/pfn-remap.c ] &&
   grep -qF -- "--paths 'drivers/alias' is drivers/cases in the tree (a symlink)" "$tmp/err"; then
	pass "a symlink to a directory inside the tree is taken where it leads, with a line saying so"
else
	fail "--paths drivers/alias: exit $rc, record files '$got'" "$tmp/err"
fi
run "$mm" scan --json --tree "$lt" --paths drivers/alias/pfn-remap.c
got=$(jq -r '.[].file' "$tmp/stdout" 2>/dev/null | sort -u)
[ "$rc" = 0 ] && [ "$got" = drivers/cases/pfn-remap.c ] &&
	pass "a file reached through that symlink is the real file" ||
	fail "--paths drivers/alias/pfn-remap.c: exit $rc, record files '$got'" "$tmp/err"
lo=$tmp/o-alias
if "$mm" classify --tree "$lt" --out "$lo" --paths drivers/alias > /dev/null 2> "$tmp/err" &&
   "$mm" convert --tree "$lt" --out "$lo" > /dev/null 2>> "$tmp/err" &&
   [ "$(jq -r '[.[].file] | unique | join(" ")' "$lo/records.json")" = drivers/cases/pfn-remap.c ] &&
   [ -s "$lo/diffs/drivers_cases_pfn-remap.c.patch" ] &&
   grep -q '^+.*mmap_prepare' "$lo/diffs/drivers_cases_pfn-remap.c.patch"; then
	pass "... classify and convert through it: the record's file is the real one, its diff not empty"
else
	ls -l "$lo/diffs" >> "$tmp/err" 2>&1
	fail "classify and convert --paths drivers/alias: records or diff wrong" "$tmp/err"
fi

# --- the records the rest works on --------------------------------------------

# an output directory of mmapport's (its marker) whose files the test then writes
mkout() { mkdir -p "$1" && cp "$out/.mmapport-out" "$1/"; }
out=$tmp/out
"$mm" classify --tree "$tree" --out "$out" --paths fs/udf > /dev/null 2> "$tmp/classify.err" &&
	"$mm" convert --tree "$tree" --out "$out" > /dev/null 2> "$tmp/convert.err" ||
	{ echo "Bail out! classify or convert failed"; cat "$tmp"/*.err; exit 1; }

# a record (hand-edited) whose file is reached through the symlink
mkout "$tmp/o-link"
jq '.[0].file = "drivers/link/evil.c"' "$out/records.json" > "$tmp/o-link/records.json"
cp "$out/core-rules.json" "$tmp/o-link/"
run "$mm" convert --tree "$tree" --out "$tmp/o-link"
why=$(jq -r '.[0].conversion.reason // empty' "$tmp/o-link/records.json" 2>/dev/null)
if cmp -s "$top/tests/cases/simple-vmops.c" "$tmp/outside/evil.c" &&
   [[ $why == *"leaves the work tree"*"through a symlink"* ]]; then
	pass "convert refuses a file reached through a symlink out of the work tree"
else
	fail "convert wrote through the symlink, or said '$why'" "$tmp/err"
fi

# --- tools ------------------------------------------------------------------------

# every program of PATH but spatch
mkdir -p "$tmp/bin"
declare -A seen=([spatch]=1)
progs=()
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do
	for f in "$d"/*; do
		b=${f##*/}
		[ -z "${seen[$b]-}" ] && [ -x "$f" ] && [ ! -d "$f" ] && { seen[$b]=1; progs+=("$f"); }
	done
done
ln -s -t "$tmp/bin" "${progs[@]}"
mkdir -p "$tmp/o-tool"
cp "$out/records.json" "$out/core-rules.json" "$tmp/o-tool/"
run env PATH="$tmp/bin" "$mm" convert --tree "$tree" --out "$tmp/o-tool"
refused "convert without spatch on PATH stops, naming it" \
	"convert needs spatch (the semantic patches of cocci/), which is not on PATH"
cmp -s "$out/records.json" "$tmp/o-tool/records.json" && [ ! -e "$tmp/o-tool/work" ] &&
	pass "... before it starts: no work tree, records.json unchanged" ||
	fail "... but it did some work"
run env PATH="$tmp/bin" "$mm" classify --tree "$tree" --out "$tmp/o-tool2" --paths fs/udf
refused "classify without spatch stops too" "classify needs spatch"
run env PATH="$tmp/bin" "$mm" classify --lexical --tree "$tree" --out "$tmp/o-tool2" --paths fs/udf
[ "$rc" = 0 ] && pass "classify --lexical does not need spatch" ||
	fail "classify --lexical failed without spatch (exit $rc)" "$tmp/err"

# a spatch that is there but fails: a tool error, not a refusal of the handler
mkdir -p "$tmp/failing"
printf '#!/bin/sh\necho "spatch: made to fail by the test" >&2\nexit 3\n' > "$tmp/failing/spatch"
chmod +x "$tmp/failing/spatch"
mkout "$tmp/o-fail"
cp "$out/records.json" "$out/core-rules.json" "$tmp/o-fail/"
run env PATH="$tmp/failing:$PATH" "$mm" convert --tree "$tree" --out "$tmp/o-fail"
refused "convert with a spatch that fails exits 1, naming the failure" \
	"spatch failed on 1 files (above)"
why=$(jq -r '[.[] | .conversion.reason // empty][0]' "$tmp/o-fail/records.json" 2>/dev/null)
case $why in
"spatch (mmap_prepare_simple.cocci) failed with exit status 3: spatch: made to fail by the test; see "*)
	pass "... and the handler's reason is spatch's failure, with what it said" ;;
*)	fail "... but the handler's reason is '$why'" "$tmp/err" ;;
esac

# --- sparse -------------------------------------------------------------------------

# a sparse that prints a version and says nothing, found as a user's would be: on PATH
mkdir -p "$tmp/fake"
printf '#!/bin/sh\necho "0.6.4 (fake)"\n' > "$tmp/fake/sparse"
chmod +x "$tmp/fake/sparse"
cp "$out/records.json" "$tmp/records.before"
run env PATH="$tmp/fake:$PATH" "$mm" check --tree "$tree" --out "$out" --arch x86_64
refused "check stops on a sparse that diagnoses nothing" \
	"sparse at $tmp/fake/sparse did not diagnose a known-bad snippet"
cmp -s "$tmp/records.before" "$out/records.json" && [ ! -e "$out/build/x86_64" ] &&
	pass "... before any build, records.json unchanged" ||
	fail "... but it built, or rewrote records.json"

if command -v sparse > /dev/null; then
	# a real sparse passes the probe; the fake tree then cannot be configured
	run "$mm" check --tree "$tree" --out "$out" --arch x86_64
	# (make, or make[N] under an outer make such as make check)
	sed -i 's/make\[[0-9]*\]: /make: /' "$tmp/err"
	refused "a real sparse passes the probe; 'cannot configure' says make's reason" \
		"cannot configure $out/build/x86_64 (allmodconfig): make: *** No rule to make target"
else
	pass "# SKIP no sparse on PATH"
fi

# --- --api on a tree without that API ----------------------------------------

mkout "$tmp/o-rfc"
cp "$out/records.json" "$out/core-rules.json" "$tmp/o-rfc/"
run "$mm" convert --api rfc --tree "$tree" --out "$tmp/o-rfc"
head -n 1 "$tmp/err" | grep -q "warning: --api rfc: the tree $tree lacks the rfc API.*rfc overlay" &&
	pass "convert --api rfc on a mainline tree says first that check builds on the overlay" ||
	fail "no warning first about the missing rfc API" "$tmp/err"

old=$tmp/old-tree
cp -a "$tree" "$old"
rm "$old/drivers/link"
sed -i '/mmap_action/d' "$old/include/linux/mm_types.h"
mkout "$tmp/o-old"
cp "$out/records.json" "$out/core-rules.json" "$tmp/o-old/"
run "$mm" convert --api mainline --tree "$old" --out "$tmp/o-old"
head -n 1 "$tmp/err" | grep -q "has neither mmap_prepare API.*check will not build them and drops them all" &&
	pass "convert --api mainline on a tree without the API says first that check drops them" ||
	fail "no warning first about the missing API" "$tmp/err"

# --- JSON read back ---------------------------------------------------------------

bad=$tmp/bad
mkout "$bad"
shapes=('["a", "b"]' '{}' '[{"id": 1}]' '[{"id": "x", "file": ')
says=("record [0] is a string, not an object" "the top level is an object, not an array"
      "record [0]: \"id\" is a number, not a string" "invalid JSON at line 1, column")
for k in "${!shapes[@]}"; do
	for stage in series report check; do
		printf '%s' "${shapes[$k]}" > "$bad/records.json"
		cp "$bad/records.json" "$tmp/shape"
		run "$mm" "$stage" --tree "$tree" --out "$bad"
		if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] &&
		   grep -qF "$bad/records.json: not an mmapport records file: ${says[$k]}" "$tmp/err" &&
		   cmp -s "$tmp/shape" "$bad/records.json"; then
			pass "$stage on records.json '${shapes[$k]}': refused, file unchanged"
		else
			fail "$stage on records.json '${shapes[$k]}': exit $rc, file now '$(cat "$bad/records.json")'" "$tmp/err"
		fi
	done
done

mkout "$tmp/o-inv"
echo '{"records": [{"id": "a", "file": "/etc/passwd", "hook": "mmap", "registration": "initializer"}]}' \
	> "$tmp/o-inv/inventory.json"
run "$mm" classify --lexical --tree "$tree" --out "$tmp/o-inv"
if [ "$rc" -ne 0 ] && grep -qF 'not an mmapport inventory file: records: record [0] (id "a"): "file" is "/etc/passwd", not a path inside the tree' "$tmp/err" &&
   [ ! -e "$tmp/o-inv/records.json" ]; then
	pass "classify refuses an inventory whose record leaves the tree, writes no records"
else
	fail "classify on a bad inventory: exit $rc" "$tmp/err"
fi

mkout "$tmp/o-rep"
cp "$out/records.json" "$tmp/o-rep/"
echo '{"scan": "fast"}' > "$tmp/o-rep/timings.json"
run "$mm" report --out "$tmp/o-rep"
if [ "$rc" -ne 0 ] && grep -qF 'not an mmapport timings file: "scan" is a string' "$tmp/err" &&
   [ ! -e "$tmp/o-rep/report.txt" ]; then
	pass "report refuses timings.json of the wrong shape before writing the report"
else
	fail "report on a bad timings.json: exit $rc" "$tmp/err"
fi

# classify's other outputs, read by later stages: of the wrong shape, refused
mkout "$tmp/o-disp"
cp "$out/records.json" "$tmp/o-disp/"
echo '{"file_operations.mmap": {"leaves": "many"}}' > "$tmp/o-disp/dispatchers.json"
run "$mm" report --out "$tmp/o-disp"
if [ "$rc" -ne 0 ] && grep -qF 'not an mmapport dispatcher plan: the hook file_operations.mmap: "leaves" is a string' "$tmp/err" &&
   [ ! -e "$tmp/o-disp/report.txt" ]; then
	pass "report refuses dispatchers.json of the wrong shape before writing the report"
else
	fail "report on a bad dispatchers.json: exit $rc" "$tmp/err"
fi

mkout "$tmp/o-succ"
jq 'map(if .analysis then .analysis |= del(.success_return) else . end)' "$out/records.json" \
	> "$tmp/o-succ/records.json"
cp "$out/core-rules.json" "$tmp/o-succ/"
cp "$tmp/o-succ/records.json" "$tmp/records.before"
run "$mm" convert --tree "$tree" --out "$tmp/o-succ"
if [ "$rc" -ne 0 ] && grep -qF 'analysis has no "success_return" (an older mmapport classified it): run classify again' "$tmp/err" &&
   cmp -s "$tmp/records.before" "$tmp/o-succ/records.json" && [ ! -e "$tmp/o-succ/work" ]; then
	pass "convert refuses records whose analysis lacks the success return (an older classify's), records unchanged"
else
	fail "convert on records without success_return: exit $rc" "$tmp/err"
fi

mkout "$tmp/o-core"
cp "$out/records.json" "$tmp/o-core/"
echo '{"rules": [{"id": "prepare-before-merge", "holds": "yes", "from": "mm/vma.c"}], "special_flags": []}' \
	> "$tmp/o-core/core-rules.json"
cp "$tmp/o-core/records.json" "$tmp/records.before"
run "$mm" convert --tree "$tree" --out "$tmp/o-core"
if [ "$rc" -ne 0 ] && grep -qF 'not an mmapport core-rules file: rules[0]: "holds" is a string' "$tmp/err" &&
   cmp -s "$tmp/records.before" "$tmp/o-core/records.json" && [ ! -e "$tmp/o-core/work" ]; then
	pass "convert refuses core-rules.json of the wrong shape before it starts, records unchanged"
else
	fail "convert on a bad core-rules.json: exit $rc" "$tmp/err"
fi
echo '{"rules": [], "special_flags": []}' > "$tmp/o-core/core-rules.json"
run "$mm" convert --tree "$tree" --out "$tmp/o-core"
if [ "$rc" -ne 0 ] && grep -qF 'not an mmapport core-rules file: it has no rule special-flags-defined (an older mmapport classified this tree): run classify again' "$tmp/err" &&
   cmp -s "$tmp/records.before" "$tmp/o-core/records.json" && [ ! -e "$tmp/o-core/work" ]; then
	pass "convert refuses core-rules.json without a rule it reads, records unchanged"
else
	fail "convert on a core-rules.json without rules: exit $rc" "$tmp/err"
fi

# --- checkpatch ---------------------------------------------------------------------

# A git tree with a simple handler converted, its check made a pass by hand,
# and a scripts/checkpatch.pl that does as FAKE_CHECKPATCH says.
gt=$tmp/gtree
bash "$top/tests/lib/fake-tree.sh" "$gt"
mkdir -p "$gt/drivers/cases" "$gt/scripts"
cp "$top/tests/cases/simple-vmops.c" "$gt/drivers/cases/"
cat > "$gt/scripts/checkpatch.pl" <<'PL'
# a stand-in for the kernel's checkpatch.pl (tests/16-inputs.t)
my $how = $ENV{FAKE_CHECKPATCH} // 'clean';
if ($how eq 'broken') {
	print STDERR "Can't open perl script \"checkpatch\": made to fail by the test\n";
	exit 2;
}
exit 0 if ($how eq 'silent');
print "total: 0 errors, 0 warnings, 10 lines checked\n";
exit 0;
PL
git -C "$gt" init -q && git -C "$gt" add -A &&
	git -C "$gt" -c user.name=t -c user.email=t@t commit -qm base
# classify and convert TREE into OUT, the conversions' check passed by hand
converted() {
	"$mm" classify --tree "$1" --out "$2" --paths drivers/cases > /dev/null 2> "$tmp/conv.err" &&
	"$mm" convert --tree "$1" --out "$2" > /dev/null 2>> "$tmp/conv.err" &&
	jq 'map(if .conversion.status == "converted"
		then .check = {overall: {status: "pass", pass: ["x86_64"]}} else . end)' \
		"$2/records.json" > "$tmp/passed.json" &&
	jq -e 'any(.[]; .check.overall.status == "pass")' "$tmp/passed.json" > /dev/null &&
	cp "$tmp/passed.json" "$2/records.json" ||
	{ echo "Bail out! classify or convert of $1 failed"; cat "$tmp/conv.err"; exit 1; }
}
go=$tmp/o-series
converted "$gt" "$go"
# series_stops NAME FAKE_CHECKPATCH PATTERN: series on $gt stops with exit 1,
# saying PATTERN, before it writes series/ or records.json
series_stops() {
	cp "$go/records.json" "$tmp/records.before"
	run env FAKE_CHECKPATCH="$2" "$mm" series --tree "$gt" --out "$go"
	if [ "$rc" = 1 ] && grep -qF -- "$3" "$tmp/err" && [ ! -e "$go/series" ] &&
	   cmp -s "$tmp/records.before" "$go/records.json"; then
		pass "$1"
	else
		fail "$1 (exit $rc, want '$3')" "$tmp/err"
	fi
}
series_stops "series stops (exit 1) when checkpatch exits 2, with what it said; no series/" \
	broken "series: checkpatch did not run on $go/logs/checkpatch-new.patch (exit 2: Can't open perl script \"checkpatch\": made to fail by the test); see $go/logs/checkpatch-new.log"
series_stops "series stops when checkpatch exits 0 without its total: line" \
	silent "series: checkpatch did not run on $go/logs/checkpatch-new.patch (exit 0: "
run env FAKE_CHECKPATCH=clean "$mm" series --tree "$gt" --out "$go"
if [ "$rc" = 0 ] && ls "$go"/series/0001-*.patch > /dev/null 2>&1 &&
   grep -qF "total: 0 errors, 0 warnings, 10 lines checked" "$go/series/checkpatch.txt"; then
	pass "a checkpatch that exits 0 with its total: line: the series is written, its verdict kept"
else
	fail "series with a clean checkpatch: exit $rc" "$tmp/err"
fi
(cd "$go/series" && sha1sum *) > "$tmp/series.before" 2>&1
run env FAKE_CHECKPATCH=broken "$mm" series --tree "$gt" --out "$go"
(cd "$go/series" && sha1sum *) > "$tmp/series.after" 2>&1
[ "$rc" = 1 ] && cmp -s "$tmp/series.before" "$tmp/series.after" &&
	pass "... and a later series whose checkpatch fails leaves that series/ as it was" ||
	fail "a later series with a failing checkpatch: exit $rc, series/ changed" "$tmp/err"

# the same tree without scripts/checkpatch.pl
nt=$tmp/gtree-nocp
cp -a "$gt" "$nt"
git -C "$nt" rm -q scripts/checkpatch.pl &&
	git -C "$nt" -c user.name=t -c user.email=t@t commit -qm 'no checkpatch'
no=$tmp/o-nocp nowt=$tmp/o-nocp/work
converted "$nt" "$no"
cp "$no/records.json" "$tmp/records.before"
run "$mm" series --tree "$nt" --out "$no"
if [ "$rc" = 1 ] && [ ! -e "$no/series" ] && cmp -s "$tmp/records.before" "$no/records.json" &&
   grep -qF "series: checkpatch did not run on $no/logs/checkpatch-new.patch (exit 2: Can't open perl script \"$nowt/scripts/checkpatch.pl\"" "$tmp/err"; then
	pass "series on a tree without scripts/checkpatch.pl stops (exit 1), no series/"
else
	fail "series without scripts/checkpatch.pl: exit $rc" "$tmp/err"
fi
