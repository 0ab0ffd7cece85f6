#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every preprocessor branch a conversion changes is compiled (docs/arch.md,
# "Every branch the conversion changed"), on real code: a copy of
# Debian's linux-source 7.2 tree (hard links, and one commit) in which two
# real handlers get the shapes of the hazard:
#   fs/udf/file.c          udf_file_mmap() under "#if defined(CONFIG_FS_DAX)",
#                          "#else #define udf_file_mmap generic_file_mmap";
#                          x86_64's allmodconfig has FS_DAX=y, so the
#                          renamed alias must be built on x86_64+FS_DAX=n;
#   drivers/char/uv_mmtimer.c  its handler under "#ifdef CONFIG_MMU", with
#                          "#else #define uv_mmtimer_mmap NULL"; x86 cannot
#                          turn MMU off (no prompt), so with --arch x86_64
#                          that branch is compiled by nothing and the
#                          conversion is dropped, saying so.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
tmp=${MMAPPORT_TEST_OUT_BRANCHES:-$top/build/test-branches}
echo "1..6"

rm -rf "$tmp"
mkdir -p "$tmp"
cp -al "$tree" "$tmp/tree"
# edit by writing new files: the originals are hard links into the cache
perl -0777 -pe 's/(static int udf_file_mmap\(struct file \*file, struct vm_area_struct \*vma\)\n\{.*?\n\}\n)/#if defined(CONFIG_FS_DAX)\n$1#else\n#define udf_file_mmap generic_file_mmap\n#endif\n/s' \
	"$tree/fs/udf/file.c" > "$tmp/udf.c"
perl -0777 -pe 's/(static int uv_mmtimer_mmap\(struct file \*file, struct vm_area_struct \*vma\)\n\{.*?\n\}\n)/#ifdef CONFIG_MMU\n$1#else\n#define uv_mmtimer_mmap NULL\n#endif\n/s' \
	"$tree/drivers/char/uv_mmtimer.c" > "$tmp/uv.c"
rm "$tmp/tree/fs/udf/file.c" "$tmp/tree/drivers/char/uv_mmtimer.c"
mv "$tmp/udf.c" "$tmp/tree/fs/udf/file.c"
mv "$tmp/uv.c" "$tmp/tree/drivers/char/uv_mmtimer.c"
if grep -q '^#define udf_file_mmap generic_file_mmap$' "$tmp/tree/fs/udf/file.c" &&
   grep -q '^#define uv_mmtimer_mmap NULL$' "$tmp/tree/drivers/char/uv_mmtimer.c" &&
   git -C "$tmp/tree" -c user.name=t -c user.email=t@t commit -qam "the hazard's shapes" &&
   cmp -s "$tree/fs/udf/file.c" <(git -C "$tree" show HEAD:fs/udf/file.c); then
	echo "ok 1 - the copy has the shapes, the cached tree is as it was"
else
	echo "not ok 1 - could not make the copy"
fi

out=$tmp/out
"$top/bin/mmapport" run --tree "$tmp/tree" --out "$out" --paths fs/udf/file.c,drivers/char/uv_mmtimer.c \
	--arch x86_64 > "$tmp/log" 2>&1
rc=$?
rec() {	# rec FUNCTION JQ
	jq -r --arg f "$1" ".[] | select(.function == \$f) | $2" "$out/records.json"
}
if [ $rc = 0 ] && [ "$(rec udf_file_mmap .conversion.status)" != refused ] &&
   [ "$(rec uv_mmtimer_mmap .conversion.status)" != refused ]; then
	echo "ok 2 - mmapport run; both handlers converted before the check"
else
	echo "not ok 2 - run exited $rc, or a handler was refused"
	tail -20 "$tmp/log" | sed 's/^/# /'
	jq -c '.[] | {function, conversion}' "$out/records.json" 2>&1 | sed 's/^/# /'
fi

# udf: both branches of the FS_DAX group, each compiled by one build
by=$(rec udf_file_mmap '.check.overall.branches[] | "\(.directive): \(.compiled_by | join(","))"')
want="#if defined(CONFIG_FS_DAX): x86_64
#else: x86_64+FS_DAX=n"
if [ "$by" = "$want" ]; then
	echo "ok 3 - udf: the #else alias was compiled by x86_64+FS_DAX=n"
else
	echo "not ok 3 - udf: want '$want', got '$by'" | sed '2,$s/^/# /'
	grep 'branch\|variant' "$tmp/log" | sed 's/^/# /'
fi
if [ "$(rec udf_file_mmap .conversion.status)" = converted ] &&
   [ "$(rec udf_file_mmap '.check["x86_64+FS_DAX=n"].status')" = pass ] &&
   grep -q '^+#define udf_file_mmap_prepare generic_file_mmap_prepare$' "$out"/series/0*udf*.patch; then
	echo "ok 4 - udf: passed on x86_64 and x86_64+FS_DAX=n, and in the series with its alias renamed"
else
	echo "not ok 4 - udf: $(rec udf_file_mmap '.conversion.status + ": " + (.check.overall.reason // ""))'"
fi

# uv_mmtimer: the #else of CONFIG_MMU is compiled by nothing x86 can make
st=$(rec uv_mmtimer_mmap .conversion.status)
why=$(rec uv_mmtimer_mmap '.conversion.reason // ""')
if [ "$st" = dropped ] && [[ $why == *"#else"* ]] &&
   [[ $why == *"CONFIG_MMU cannot be turned off on x86 (no prompt)"* ]]; then
	echo "ok 5 - uv_mmtimer: dropped, its #else of CONFIG_MMU compiled by nothing ($why)"
else
	echo "not ok 5 - uv_mmtimer: $st: $why"
fi
if ! ls "$out"/series/0*.patch | grep -q uv_mmtimer &&
   ! grep -q uv_mmtimer "$out"/series/0*.patch; then
	echo "ok 6 - uv_mmtimer is not in the series"
else
	echo "not ok 6 - uv_mmtimer is in the series"
fi
