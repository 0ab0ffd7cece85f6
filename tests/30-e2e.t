#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end on Debian's linux-source 7.2 tree, on a fixed subset of
# directories: run all stages, check the records, run again (nothing may
# change), then git am the series on a clean copy and build the touched
# objects.  x86_64 only: tests/40-arch.t checks the other architectures.
#
# The tree is a copy of Debian's (hard links, and one commit) in which two
# real handlers get the shapes of docs/hazards.md's H10, so that every
# preprocessor branch a conversion changes must be compiled (docs/arch.md,
# "Every branch the conversion changed"):
#   fs/udf/file.c          udf_file_mmap() under "#if defined(CONFIG_FS_DAX)",
#                          "#else #define udf_file_mmap generic_file_mmap";
#                          x86_64's allmodconfig has FS_DAX=y, so the
#                          renamed alias must be built on x86_64+FS_DAX=n;
#   drivers/char/uv_mmtimer.c  its handler (with its kernel-doc above the
#                          #ifdef) under "#ifdef CONFIG_MMU", with "#else
#                          #define uv_mmtimer_mmap NULL"; x86 cannot turn
#                          MMU off (no prompt), so that branch is compiled by
#                          nothing and the conversion is dropped, saying so.
# And one library registration as it was before upstream's port:
#   fs/bfs/file.c          ".mmap = generic_file_mmap": the tree declares its
#                          twin generic_file_mmap_prepare(), so convert must
#                          give back upstream's own file, byte for byte.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
debian=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
out=${MMAPPORT_TEST_OUT:-$top/build/test-e2e}
paths=virt/kvm,drivers/hsi,fs/udf,fs/gfs2,drivers/char,arch/powerpc/kvm,drivers/hv,fs/bfs
echo "1..17"

rm -rf "$out" "$out.tree"
mkdir -p "$(dirname "$out")"
tree=$out.tree
cp -al "$debian" "$tree"
# git appends to its logs and rewrites small files in place: the copy's
# .git is its own but for the objects, which git never changes
rm -rf "$tree/.git"
mkdir "$tree/.git"
for e in "$debian"/.git/*; do
	case ${e##*/} in
	objects) cp -al "$e" "$tree/.git/" ;;
	*) cp -a "$e" "$tree/.git/" ;;
	esac
done
# edit by writing new files: the originals are hard links into the cache
perl -0777 -pe 's/(static int udf_file_mmap\(struct file \*file, struct vm_area_struct \*vma\)\n\{.*?\n\}\n)/#if defined(CONFIG_FS_DAX)\n$1#else\n#define udf_file_mmap generic_file_mmap\n#endif\n/s' \
	"$debian/fs/udf/file.c" > "$out.udf.c"
perl -0777 -pe 's/(static int uv_mmtimer_mmap\(struct file \*file, struct vm_area_struct \*vma\)\n\{.*?\n\}\n)/#ifdef CONFIG_MMU\n$1#else\n#define uv_mmtimer_mmap NULL\n#endif\n/s' \
	"$debian/drivers/char/uv_mmtimer.c" > "$out.uv.c"
perl -pe 's/^\t\.mmap_prepare\t= generic_file_mmap_prepare,$/\t.mmap\t\t= generic_file_mmap,/' \
	"$debian/fs/bfs/file.c" > "$out.bfs.c"
rm "$tree/fs/udf/file.c" "$tree/drivers/char/uv_mmtimer.c" "$tree/fs/bfs/file.c"
mv "$out.udf.c" "$tree/fs/udf/file.c"
mv "$out.uv.c" "$tree/drivers/char/uv_mmtimer.c"
mv "$out.bfs.c" "$tree/fs/bfs/file.c"
if ! grep -q '^#define udf_file_mmap generic_file_mmap$' "$tree/fs/udf/file.c" ||
   ! grep -q '^	\.mmap		= generic_file_mmap,$' "$tree/fs/bfs/file.c" ||
   ! grep -q '^#define uv_mmtimer_mmap NULL$' "$tree/drivers/char/uv_mmtimer.c" ||
   ! git -C "$tree" -c user.name=t -c user.email=t@t commit -qam "docs/hazards.md H10 shapes, a library registration" ||
   ! cmp -s "$debian/fs/udf/file.c" <(git -C "$debian" show HEAD:fs/udf/file.c); then
	echo "Bail out! could not make the copy of the tree"
	exit 1
fi
# the user's repository as a user sees it, and a stamp: nothing in it may be newer
repo_view() {
	git -C "$tree" --no-optional-locks status --porcelain
	git -C "$tree" worktree list --porcelain
	git -C "$tree" branch -a
}
repo_view > "$out.repo-before"
touch "$out.stamp"
sleep 1
if "$top/bin/mmapport" run --tree "$tree" --out "$out" --paths "$paths" --arch x86_64 > "$out.log1" 2>&1; then
	echo "ok 1 - mmapport run on $paths"
else
	echo "not ok 1 - mmapport run failed"; tail -20 "$out.log1" | sed 's/^/# /'
fi

# every category is one of docs/categories.md's, and every conversion
# carries an equivalence verdict that is not "differs" (docs/equivalence.md)
cats='["simple","stateful","needs-vma","page-insert","pfn-remap","dma-mmap","stacked","unparsed","dispatcher","already-prepare","no-handler"]'
unclassified=$(jq --argjson c "$cats" '[.[] | select(.category as $x | $c | index($x) | not)] | length' "$out/records.json")
noverdict=$(jq '[.[] | select(.conversion.status == "converted" or .conversion.status == "dropped") |
	select((.conversion.equivalence.verdict // "none") as $v | ["exact", "stated"] | index($v) | not)] | length' "$out/records.json")
nconv=$(jq '[.[] | select(.conversion.status == "converted")] | length' "$out/records.json")
total=$(jq length "$out/records.json")
if [ "$total" -gt 0 ] && [ "$unclassified" = 0 ] && [ "$nconv" -gt 0 ] && [ "$noverdict" = 0 ]; then
	echo "ok 2 - all $total records have a documented category; $nconv conversions, each exact or stated"
else
	echo "not ok 2 - $unclassified of $total records without a documented category; $noverdict of the conversions without an exact or stated verdict"
fi

npatch=$(ls "$out"/series/0*.patch 2>/dev/null | grep -vc cover-letter)
npass=$(jq '[.[] | select(.check.overall.status == "pass") | .file] | unique | length' "$out/records.json")
if [ "$npatch" -gt 0 ] && [ "$npatch" = "$npass" ]; then
	echo "ok 3 - $npatch patches, one per passing driver"
else
	echo "not ok 3 - $npatch patches for $npass passing drivers"
fi

# what failed its check is not in the series, and says why
bad=0
for f in $(jq -r '.[] | select(.conversion.status == "dropped") | .file' "$out/records.json" | sort -u); do
	grep -q "^+++ b/$f" "$out"/series/0*.patch && bad=$((bad + 1))
done
nodrop_reason=$(jq '[.[] | select(.conversion.status == "dropped" and (.conversion.reason | not))] | length' "$out/records.json")
if [ $bad = 0 ] && [ "$nodrop_reason" = 0 ]; then
	echo "ok 4 - dropped conversions are left out, each with a reason"
else
	echo "not ok 4 - $bad dropped files in the series, $nodrop_reason without a reason"
fi

cp -r "$out/series" "$out.series1"
cp "$out/records.json" "$out.records1"
if "$top/bin/mmapport" run --tree "$tree" --out "$out" --paths "$paths" --arch x86_64 > "$out.log2" 2>&1 &&
   diff -r "$out.series1" "$out/series" >/dev/null &&
   diff <(jq -S 'del(.[].check)' "$out.records1") <(jq -S 'del(.[].check)' "$out/records.json") >/dev/null; then
	echo "ok 5 - a second run changes nothing"
else
	echo "not ok 5 - the second run differs"
	diff -r "$out.series1" "$out/series" | head -20 | sed 's/^/# /'
fi
rm -rf "$out.series1" "$out.records1"

written=$(find "$tree" -newer "$out.stamp" | head -5)
if [ -z "$written" ] && repo_view | cmp -s - "$out.repo-before"; then
	echo "ok 6 - the input tree is untouched: no file or directory in it (.git too) newer than the run, status, worktrees and branches as before"
else
	echo "not ok 6 - the input tree was written"
	echo "$written" | sed 's/^/# newer: /'
	repo_view | diff "$out.repo-before" - | sed 's/^/# /'
fi
rm -f "$out.stamp" "$out.repo-before"

work=$out/work
base=$(jq -r .base "$out/work.json")
if git -C "$work" checkout -q -f --detach "$base" &&
   git -C "$work" -c user.name=t -c user.email=t@t am -q $(ls "$out"/series/0*.patch | grep -v cover-letter) > "$out.am" 2>&1; then
	echo "ok 7 - the series applies with git am on a clean copy"
else
	echo "not ok 7 - git am failed"; sed 's/^/# /' "$out.am"
fi

# each object in the build directory of the first profile it passed on
# (a config variant, x86_64+SYMBOL, for the files no allmodconfig builds)
files=$(git -C "$work" diff --name-only "$base" HEAD | grep '\.c$')
missing=0 nobj=0
: > "$out.build"
for prof in $(for f in $files; do
		jq -r --arg f "$f" '[.[] | select(.file == $f) | .check.overall.pass[0] // "none"][0]' \
			"$out/records.json"
	done | sort -u); do
	objs=$(for f in $files; do
		p=$(jq -r --arg f "$f" '[.[] | select(.file == $f) | .check.overall.pass[0] // "none"][0]' \
			"$out/records.json")
		[ "$p" = "$prof" ] && echo "${f%.c}.o"
	done)
	for o in $objs; do rm -f "$out/build/${prof//=/-}/$o"; done
	# a variant's build dir has no '=' (x86_64+FS_DAX=n builds in x86_64+FS_DAX-n)
	bdir=$out/build/${prof//=/-}
	make -C "$work" O="$bdir" ARCH="${prof%%+*}" -j"$(nproc)" $objs >> "$out.build" 2>&1
	for o in $objs; do
		nobj=$((nobj + 1))
		[ -f "$bdir/$o" ] || missing=$((missing + 1))
	done
done
if [ $nobj -gt 0 ] && [ $missing = 0 ]; then
	echo "ok 8 - the touched objects build after git am: $nobj"
else
	echo "not ok 8 - $missing of $nobj objects did not build"; tail -20 "$out.build" | sed 's/^/# /'
fi

# The HTML report names every conversion with its status, and is complete.
miss=0
for fn in $(jq -r '.[] | select(.conversion) | .function' "$out/records.json" | sort -u); do
	grep -q "<b>$fn()</b>" "$out/report.html" || miss=$((miss + 1))
done
if [ -s "$out/report.html" ] && [ $miss = 0 ] && tail -1 "$out/report.html" | grep -q '</html>'; then
	echo "ok 9 - report.html lists every conversion"
else
	echo "not ok 9 - report.html misses $miss conversions or is incomplete"
fi

# Files no allmodconfig builds (drivers/hv/mshv_*: MSHV_ROOT needs
# !HYPERV_VTL_MODE, MSHV_VTL needs !MTRR) are checked on a config variant
# the kernel's Kconfig accepted, and their commit messages say which.
bad=
for f in drivers/hv/mshv_root_main.c drivers/hv/mshv_vtl_main.c; do
	v=$(jq -r --arg f "$f" '[.[] | select(.file == $f and .check != null)
		| .check.overall | select(.status == "pass") | .pass[0]][0] // "none"' "$out/records.json")
	na=$(jq -r --arg f "$f" '[.[] | select(.file == $f and .check != null)
		| .check.x86_64.status][0] // "none"' "$out/records.json")
	case $v in x86_64+*) ;; *) bad="$bad $f:$v"; continue ;; esac
	grep -q '^CONFIG_MSHV_' "$out/variants/$v.config" &&
		grep -lq "$v is" $(grep -l "^+++ b/$f" "$out"/series/0*.patch) &&
		[ "$na" = "n/a" ] || bad="$bad $f:$v:$na"
done
if [ -z "$bad" ]; then
	echo "ok 10 - mshv root and vtl: n/a on x86_64 allmodconfig, passed on their config variants"
else
	echo "not ok 10 - config variants:$bad"
fi

# checkpatch: every patch is clean, or states the findings its rewritten
# lines already had before (pre-existing, kept to keep the change minimal)
bad=0 npatch=0
for p in "$out"/series/0*.patch; do
	case $p in *cover-letter*) continue ;; esac
	npatch=$((npatch + 1))
	v=$(awk -v p="$(basename "$p")" '$0 == "== " p { on = 1; next } /^== / { on = 0 } on' \
		"$out/series/checkpatch.txt")
	echo "$v" | grep -q '^total: 0 errors, 0 warnings' && continue
	grep -q '^checkpatch reports on lines this patch rewrites' "$p" || bad=$((bad + 1))
done
if [ $npatch -gt 0 ] && [ $bad = 0 ]; then
	echo "ok 11 - checkpatch: $npatch patches clean or stating pre-existing findings"
else
	echo "not ok 11 - checkpatch: $bad of $npatch patches with findings they do not state"
fi

rec() {	# rec FUNCTION JQ
	jq -r --arg f "$1" ".[] | select(.function == \$f) | $2" "$out/records.json"
}

# udf: both branches of the FS_DAX group, each compiled by one build
by=$(rec udf_file_mmap '.check.overall.branches[] | "\(.directive): \(.compiled_by | join(","))"')
want="#if defined(CONFIG_FS_DAX): x86_64
#else: x86_64+FS_DAX=n"
if [ "$by" = "$want" ]; then
	echo "ok 12 - udf: the #else alias was compiled by x86_64+FS_DAX=n"
else
	echo "not ok 12 - udf: want '$want', got '$by'" | sed '2,$s/^/# /'
	grep 'branch\|variant' "$out.log1" | sed 's/^/# /'
fi
st=$(rec udf_file_mmap '.conversion.status')
why=$(rec udf_file_mmap '.check.overall.reason // ""')
if [ "$st" = converted ] && [ "$(rec udf_file_mmap '.check["x86_64+FS_DAX=n"].status')" = pass ] &&
   grep -q '^+#define udf_file_mmap_prepare generic_file_mmap_prepare$' "$out"/series/0*udf*.patch; then
	echo "ok 13 - udf: passed on x86_64 and x86_64+FS_DAX=n, and in the series with its alias renamed"
else
	echo "not ok 13 - udf: $st: $why"
fi

# uv_mmtimer: the #else of CONFIG_MMU is compiled by nothing x86 can make
st=$(rec uv_mmtimer_mmap '.conversion.status')
why=$(rec uv_mmtimer_mmap '.conversion.reason // ""')
if [ "$st" = dropped ] && grep -qF '(#else of "#ifdef CONFIG_MMU" at line' <<< "$why" &&
   grep -qF 'CONFIG_MMU cannot be turned off on x86 (no prompt)' <<< "$why" &&
   ! grep -qF 'kernel-doc' <<< "$why"; then
	echo "ok 14 - uv_mmtimer: dropped, its #else of CONFIG_MMU compiled by nothing ($why)"
else
	echo "not ok 14 - uv_mmtimer: $st: $why"
fi
if ! grep -lq '^+++ b/drivers/char/uv_mmtimer.c' "$out"/series/0*.patch; then
	echo "ok 15 - uv_mmtimer is not in the series"
else
	echo "not ok 15 - uv_mmtimer is in the series"
fi

# bfs: the library registration converts back to upstream's own port
# (method twin), with the library's code compared, and is in the series
st=$(rec generic_file_mmap 'select(.file == "fs/bfs/file.c") | "\(.conversion.method) \(.conversion.status) \(.conversion.equivalence.code_compared) \(.check.overall.status)"')
if [ "$st" = "twin converted true pass" ] && cmp -s "$work/fs/bfs/file.c" "$debian/fs/bfs/file.c" &&
   grep -lq '^+++ b/fs/bfs/file.c' "$out"/series/0*.patch; then
	echo "ok 16 - bfs: .mmap = generic_file_mmap converts to upstream's .mmap_prepare = generic_file_mmap_prepare, code compared, in the series"
else
	echo "not ok 16 - bfs: method, status, code compared, check = $st"
	diff "$debian/fs/bfs/file.c" "$work/fs/bfs/file.c" | sed 's/^/# /'
	rec generic_file_mmap '.conversion.equivalence' | sed 's/^/# /'
fi

# the build cache (docs/arch.md): another run on the same tree, in another
# output directory, restores the prepared x86_64 build directory this test
# prepared (or restored) instead of preparing it, and kbuild's own make
# prepare finds nothing in it to make again
bout=$out.cache
rm -rf "$bout"
"$top/bin/mmapport" classify --tree "$tree" --out "$bout" --paths fs/bfs > "$bout.log" 2>&1
made=$(grep -E '^  (CC|LD|HOSTCC|HOSTLD|GEN|AS|LINK|SYSHDR|SYSTBL|WRAP|UPD) ' \
	"$bout/logs/classify-x86_64.log" 2>/dev/null | head -3)
if grep -q "restored $bout/build/x86_64 from the build cache" "$bout.log" &&
   grep -q 'DESCEND' "$bout/logs/classify-x86_64.log" && [ -z "$made" ]; then
	echo "ok 17 - a second output directory restores x86_64 from the build cache; make prepare makes nothing"
else
	echo "not ok 17 - not restored, or make prepare made something: $made"
	grep -i 'cache\|configuring\|preparing' "$bout.log" | sed 's/^/# /'
fi
rm -rf "$bout" "$bout.log"
