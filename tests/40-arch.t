#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The per-architecture check on a small fixed subset of Debian's
# linux-source 7.2 tree: a powerpc-only file (arch/powerpc/kvm), and two
# generic drivers, on x86_64, sparc64, 32-bit powerpc and powerpc64 (arm64
# and the other profiles are in make run and make bench).
# Then a conversion broken on purpose for sparc64 only (a __user cast that
# only sparse sees) must fail there and pass on x86_64, and a profile
# without a cross compiler (csky) must say "skipped", never "pass".
# Last, a conversion that calls io_remap_pfn_range, checked with --arch
# x86_64, must also be checked on sparc64, sparc32 and MIPS Alchemy.
# Among the files, atyfb's mmap is "#ifdef __sparc__": x86_64 compiles it
# out, and classify must parse it in sparc64's configuration, not leave
# it to Coccinelle.  Last, mshv_vtl (built by no allmodconfig) with i386
# asked before x86_64: i386's config variant needs X86_64, the kernel's
# Kconfig refuses it, and the file must go on to x86_64's variant.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
out=${MMAPPORT_TEST_OUT_ARCH:-$top/build/test-arch}
paths=drivers/hsi,fs/udf,arch/powerpc/kvm,drivers/video/fbdev/aty/atyfb_base.c
arches=x86_64,sparc64,powerpc,powerpc64
ppc=arch/powerpc/kvm/book3s_64_vio.c
udf=fs/udf/file.c
hsi=drivers/hsi/clients/cmt_speech.c
echo "1..13"

cell() {	# cell FILE ARCH -> status
	jq -r --arg f "$1" --arg a "$2" \
		'[.[] | select(.file == $f and .check != null) | .check[$a].status][0] // "none"' \
		"$out/records.json"
}

rm -rf "$out"
t0=$(date +%s)
if "$top/bin/mmapport" run --tree "$tree" --out "$out" --paths "$paths" --arch "$arches" \
	-j2 > "$out.log1" 2>&1; then
	echo "ok 1 - mmapport run --arch $arches on $paths ($(( $(date +%s) - t0 )) s)"
else
	echo "not ok 1 - mmapport run failed"; tail -20 "$out.log1" | sed 's/^/# /'
fi
grep 'configuring' "$out.log1" | sed 's/^/# /'

# every converted file has a cell on every arch asked for, and an overall
bad=$(jq --arg a "$arches" '[.[] | select(.conversion != null and .conversion.status != "refused")
	| .check as $c | ($a | split(",")) + ["overall"] | .[]
	| select(($c[.].status // "") | IN("pass", "fail", "n/a", "skipped") | not)] | length' \
	"$out/records.json")
nconv=$(jq '[.[] | select(.check != null)] | length' "$out/records.json")
if [ "$nconv" -ge 3 ] && [ "$bad" = 0 ]; then
	echo "ok 2 - $nconv checked records, each with a cell per arch and an overall"
else
	echo "not ok 2 - $nconv checked records, $bad missing or bad cells"
fi

# another arch's file is n/a on x86_64 and sparc64 and checked on powerpc64
s="$(cell $ppc x86_64) $(cell $ppc sparc64) $(cell $ppc powerpc64)"
if [ "$s" = "n/a n/a pass" ] && [ -f "$out/build/powerpc64/${ppc%.c}.o" ]; then
	echo "ok 3 - $ppc: n/a on x86_64 and sparc64; built and passed on powerpc64"
else
	echo "not ok 3 - $ppc: x86_64 sparc64 powerpc64 = $s"
fi

# Kconfig decides within an arch: book3s_64_vio needs SPAPR_TCE_IOMMU (64-bit)
why=$(jq -r --arg f $ppc '[.[] | select(.file == $f) | .check.powerpc.reason][0]' "$out/records.json")
if [ "$(cell $ppc powerpc)" = "n/a" ] && echo "$why" | grep -q 'CONFIG_SPAPR_TCE_IOMMU=n'; then
	echo "ok 4 - $ppc is n/a on 32-bit powerpc: $why"
else
	echo "not ok 4 - $ppc on powerpc: $(cell $ppc powerpc): $why"
fi

# generic drivers are built, with sparse, on all four
miss=
for a in ${arches//,/ }; do
	for f in $udf $hsi; do
		[ "$(cell $f $a)" = pass ] && [ -f "$out/build/$a/${f%.c}.o" ] &&
			grep -q "CHECK .*$f" "$out/logs/check-$a-after.log" || miss="$miss $a:$f"
	done
done
if [ -z "$miss" ]; then
	echo "ok 5 - $udf and $hsi pass on all of $arches, sparse seen on each"
else
	echo "not ok 5 - not passed or sparse not seen:$miss"
fi

# the series has the powerpc-only patch, saying where it was checked
p=$(grep -l "^+++ b/$ppc" "$out"/series/0*.patch 2>/dev/null | head -n 1)
if [ -n "$p" ] && grep -q powerpc64 "$p" && ! grep -q 'x86_64' "$p"; then
	echo "ok 6 - the series converts $ppc and says it was checked on powerpc64"
else
	echo "not ok 6 - no patch for $ppc, or it names the wrong architectures (${p:-none})"
fi

# Break the udf conversion for sparc64 only: a cast that drops __user,
# which gcc accepts and sparse reports.  Then check again on x86_64,
# sparc64 and csky (no Debian cross compiler).
work=$out/work
base=$(jq -r .base "$out/work.json")
flat=$(echo $udf | tr / _)
git -C "$work" checkout -q "$base" -- $udf
git -C "$work" apply "$out/diffs/$flat.patch"
cat >> "$work/$udf" <<'EOF'

#ifdef CONFIG_SPARC64
int *mmapport_test_cast(int __user *p);
int *mmapport_test_cast(int __user *p)
{
	return (int *)p;
}
#endif
EOF
git -C "$work" diff "$base" -- $udf > "$out/diffs/$flat.patch"
git -C "$work" checkout -q "$base" -- $udf
jq '[.[] | if .conversion != null and .conversion.status == "dropped" then
	.conversion.status = "converted" else . end]' "$out/records.json" > "$out/records.tmp" &&
	mv "$out/records.tmp" "$out/records.json"
"$top/bin/mmapport" check --tree "$tree" --out "$out" --arch x86_64,sparc64,csky -j2 \
	> "$out.log2" 2>&1 || echo "# check failed: $(tail -3 "$out.log2")"

why=$(jq -r --arg f $udf '[.[] | select(.file == $f) | .check.sparc64.reason][0]' "$out/records.json")
if [ "$(cell $udf x86_64)" = pass ] && [ "$(cell $udf sparc64)" = fail ] &&
   echo "$why" | grep -q 'address space'; then
	echo "ok 7 - the broken conversion passes on x86_64 and fails on sparc64: $why"
else
	echo "not ok 7 - $udf: x86_64 $(cell $udf x86_64), sparc64 $(cell $udf sparc64): $why"
fi

st=$(jq -r --arg f $udf '[.[] | select(.file == $f) | .check.overall.status + " " + .conversion.status][0]' \
	"$out/records.json")
if [ "$st" = "fail dropped" ] && git -C "$work" diff --quiet "$base" -- $udf; then
	echo "ok 8 - a failure on one arch fails it overall, drops it and reverts it"
else
	echo "not ok 8 - $udf: overall and conversion = $st"
fi

s="$(cell $hsi csky) $(cell $udf csky) $(cell $ppc csky)"
why=$(jq -r --arg f $hsi '[.[] | select(.file == $f) | .check.csky.reason][0]' "$out/records.json")
if [ "$s" = "skipped skipped n/a" ] && echo "$why" | grep -q 'no toolchain' &&
   [ "$(cell $hsi overall)" = pass ]; then
	echo "ok 9 - csky: skipped (no toolchain) for generic files, n/a for powerpc's; never pass"
else
	echo "not ok 9 - csky cells: $s ($why); $hsi overall $(cell $hsi overall)"
fi

# checked only where it is not built: n/a everywhere, so dropped
st=$(jq -r --arg f $ppc '[.[] | select(.file == $f) | .check.overall.status + " " + .conversion.status][0]' \
	"$out/records.json")
if [ "$st" = "n/a dropped" ]; then
	echo "ok 10 - $ppc checked nowhere that builds it is dropped, not passed"
else
	echo "not ok 10 - $ppc on x86_64,sparc64,csky: $st"
fi

# io_remap_pfn_range translates PFNs on sparc and MIPS Alchemy: a conversion
# of a handler that maps I/O memory (the record's io_memory, which classify
# sets) is checked there even when --arch leaves them out.  cmt_speech's
# handler does not: its conversion gets an io_remap_pfn_range() caller
# added, and its record says io_memory, as classify would have.
flat=$(echo $hsi | tr / _)
jq --arg f "$hsi" '(.[] | select(.file == $f)).io_memory = true' "$out/records.json" \
	> "$out/records.io.json" && mv "$out/records.io.json" "$out/records.json"
git -C "$work" checkout -q "$base" -- $hsi
git -C "$work" apply "$out/diffs/$flat.patch"
cat >> "$work/$hsi" <<'EOF'

int mmapport_test_io(struct vm_area_struct *vma);
int mmapport_test_io(struct vm_area_struct *vma)
{
	return io_remap_pfn_range(vma, vma->vm_start, 0, PAGE_SIZE, vma->vm_page_prot);
}
EOF
git -C "$work" diff "$base" -- $hsi > "$out/diffs/$flat.patch"
git -C "$work" checkout -q "$base" -- $hsi
"$top/bin/mmapport" check --tree "$tree" --out "$out" --arch x86_64 -j2 \
	> "$out.log3" 2>&1 || echo "# check failed: $(tail -3 "$out.log3")"
s="$(cell $hsi x86_64) $(cell $hsi sparc64) $(cell $hsi sparc32) $(cell $hsi mips)"
case $s in
"pass pass pass pass"|"pass pass pass skipped")
	echo "ok 11 - an io_remap_pfn_range caller is checked on x86_64, sparc64, sparc32, mips: $s" ;;
*)
	echo "not ok 11 - io_remap_pfn_range caller on x86_64 sparc64 sparc32 mips: $s" ;;
esac

# a generic handler x86_64 compiles out, parsed in the configuration of
# the architecture its #ifdef names
aty=drivers/video/fbdev/aty/atyfb_base.c
s=$(jq -r --arg f $aty '[.[] | select(.file == $f and .function == "atyfb_mmap")
	| "\(.analyzer) \(.analysis.flags // "-") \(.category)"][0]' "$out/records.json")
case $s in
"libclang kbuild sparc64 "*" dispatcher")
	echo "ok 12 - atyfb_mmap (#ifdef __sparc__) parsed by libclang in sparc64's configuration" ;;
*)
	echo "not ok 12 - atyfb_mmap: analyzer, flags, category = $s" ;;
esac

# a config variant the kernel's Kconfig refuses sends the file to the next
# profile: i386 first, whose MSHV_VTL variant would need X86_64
# (in the same output directory, the last test: its x86_64 build directory
# is prepared already, and the variant starts from it)
vtl=drivers/hv/mshv_vtl_main.c
vout=$out
vlog=$out.variant.log
"$top/bin/mmapport" run --tree "$tree" --out "$vout" --paths $vtl --arch i386,x86_64 -j2 \
	> "$vlog" 2>&1 || echo "# run failed: $(tail -3 "$vlog")"
s=$(jq -r --arg f $vtl '[.[] | select(.file == $f and .check != null) | .check
	| "\(.["i386+MSHV_VTL"].status) \(.overall.status) \(.overall.pass[0])"][0]' \
	"$vout/records.json" 2>/dev/null)
why=$(jq -r --arg f $vtl '[.[] | select(.file == $f and .check != null)
	| .check["i386+MSHV_VTL"].reason][0]' "$vout/records.json" 2>/dev/null)
grep 'trying' "$vlog" | sed 's/^/# /'
case "$s $why" in
"n/a pass x86_64+MSHV_VTL "*"did not take"*)
	echo "ok 13 - $vtl: Kconfig refused i386+MSHV_VTL, checked and passed on x86_64+MSHV_VTL" ;;
*)
	echo "not ok 13 - $vtl: i386 variant, overall, first pass = $s ($why)" ;;
esac
