#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An out-of-tree driver (examples/oot-mmap) built M= style against
# Debian's 7.2 tree: its simple and remap handlers are converted, built
# with sparse before and after and put in the series, and so is the
# stateful one (its reference moves to vm_ops->mapped), each also built
# against 6.12 (--compat-tree, the code kept for older kernels); all three parsed
# by libclang with kbuild's own command for the M= object, so decided with
# high confidence; each changed part kept as it was under the #else of a
# version test, for older kernels (--no-compat: the plain form); the
# driver directory is not written.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
old=$("$top/tools/fetch-tree.sh" 6.12) || { echo "1..0 # SKIP cannot fetch the 6.12 tree"; exit 1; }
ext=$top/examples/oot-mmap
out=${MMAPPORT_TEST_OUT:-$top/build/test-external}
echo "1..13"

sum() { (cd "$ext" && find . -type f | sort | xargs sha256sum); }
before=$(sum)
rm -rf "$out"
if "$top/bin/mmapport" run --tree "$tree" --external "$ext" --out "$out" --arch x86_64 \
	--compat-tree "$old" > "$out.log" 2>&1; then
	echo "ok 1 - mmapport run --external"
else
	echo "not ok 1 - mmapport run --external failed"; tail -20 "$out.log" | sed 's/^/# /'
fi

got=$(jq -r 'sort_by(.function) | .[] | "\(.function):\(.category):\(.conversion.status // "-"):\(.check.x86_64.status // "-"):\(.check["x86_64@6.12"].status // "-"):\(.analyzer):\(.confidence)"' \
	"$out/records.json" 2>/dev/null | tr '\n' ' ')
want="demo_buf_mmap:stateful:converted:pass:pass:libclang:high demo_regs_mmap:pfn-remap:converted:pass:pass:libclang:high demo_ro_mmap:simple:converted:pass:pass:libclang:high "
if [ "$got" = "$want" ]; then
	echo "ok 2 - categories, conversion and the M= build with sparse: $want"
else
	echo "not ok 2 - want '$want', got '$got'"
fi

if grep -q '^+static int demo_ro_mmap_prepare(struct vm_area_desc \*desc)$' "$out"/series/0001-*.patch &&
   grep -q 'total: 0 errors' "$out/series/checkpatch.txt"; then
	echo "ok 3 - the series has the driver's patch, checkpatch clean"
else
	echo "not ok 3 - no patch for the driver, or checkpatch errors"
	sed 's/^/# /' "$out/series/checkpatch.txt" 2>/dev/null
fi

if [ "$before" = "$(sum)" ] && [ -z "$(git -C "$top" status --porcelain -- examples)" ]; then
	echo "ok 4 - the driver directory is untouched"
else
	echo "not ok 4 - the driver directory was written"
fi

# the kernel tree (a git repository's top) is prepared once for every
# driver: this run restored its build directory from the build cache, or
# prepared it and kept it there (docs/arch.md, "The build cache")
if grep -Eq "(restored $out/build/x86_64 from|kept $out/build/x86_64 in) the build cache" "$out.log"; then
	echo "ok 5 - the kernel's build directory is in the build cache: $(grep -Eo '(restored|kept) [^ ]*' "$out.log" | head -1)"
else
	echo "not ok 5 - the kernel's build directory neither restored from nor kept in the build cache"
	grep -i 'configuring\|preparing' "$out.log" | sed 's/^/# /'
fi

# the conversions' code is compared with the old handlers' under the same
# M= command classify parsed them with (docs/equivalence.md)
nc=$(jq '[.[] | select(.conversion.status == "converted" and .conversion.equivalence.code_compared == true)] | length' \
	"$out/records.json" 2>/dev/null)
if [ "$nc" = 3 ]; then
	echo "ok 6 - all three conversions' code compared with their old handlers'"
else
	echo "not ok 6 - $nc of 3 conversions' code compared"
	jq -r '.[] | "# \(.function): \(.conversion.equivalence.code_why // "")"' "$out/records.json"
fi

# older kernels keep the old handlers: each under the #else of the 7.2
# version test, its registration beside the new one, and the commit says so
p=$(ls "$out"/series/0001-*.patch 2>/dev/null | head -n 1)
g='KERNEL_VERSION(7, 2, 0) <= LINUX_VERSION_CODE'
if [ -n "$p" ] && [ "$(grep -c "^+#if $g\$" "$p")" -ge 6 ] &&
   grep -q '^ static int demo_ro_mmap(struct file \*filp, struct vm_area_struct \*vma)$' "$p" &&
   grep -q '^+#include <linux/version.h>$' "$p" &&
   tr '\n' ' ' < "$p" | grep -q 'older kernels still build the old handler' &&
   [ "$(jq -r '[.[] | .conversion.compat.guard] | unique | join(",")' "$out/records.json")" = "$g" ]; then
	echo "ok 7 - the old handlers are kept for older kernels under #if $g, and the commit says so"
else
	echo "not ok 7 - no version test in the patch, or the old handler not kept"
fi

# --no-compat: the plain in-tree form
"$top/bin/mmapport" convert --tree "$tree" --external "$ext" --out "$out" --no-compat \
	> "$out.plain.log" 2>&1
d=$out/diffs/mmapdemo.c.patch
if [ -s "$d" ] && ! grep -q 'LINUX_VERSION_CODE' "$d" && grep -q '^-static int demo_ro_mmap(' "$d" &&
   [ "$(jq '[.[] | select(.conversion.compat)] | length' "$out/records.json")" = 0 ]; then
	echo "ok 8 - --no-compat gives the plain form: the old handler replaced, no version test"
else
	echo "not ok 8 - --no-compat: $(grep -c LINUX_VERSION_CODE "$d" 2>/dev/null) version tests"
fi

# the 6.12 build is what says the older kernels still build: the plain
# form (no old code kept) checked against 6.12 fails there, passes on 7.2
"$top/bin/mmapport" check --tree "$tree" --external "$ext" --out "$out" --arch x86_64 \
	--compat-tree "$old" > "$out.plain-check.log" 2>&1
s=$(jq -r '[.[] | "\(.check.x86_64.status)/\(.check["x86_64@6.12"].status)"] | unique | join(",")' \
	"$out/records.json" 2>/dev/null)
if [ "$s" = "pass/fail" ]; then
	echo "ok 9 - the plain form passes on 7.2 and fails against 6.12: the 6.12 build checks the kept code"
else
	echo "not ok 9 - the plain form on 7.2/6.12: $s"
fi

# a driver that does not build against the tree as it is (its Kbuild asks
# for a function no kernel has): check says so with the first error and
# the run exits non-zero, instead of exiting 0 with every conversion dropped
bad=$out.broken
rm -rf "$bad" "$bad.out"
cp -r "$ext" "$bad"
printf 'obj-m += mmapdemo.o\nccflags-y += -Werror=implicit-function-declaration -DMMAPDEMO_CALL=mmapport_no_such_fn\n' \
	> "$bad/Kbuild"
sed -i 's|^static struct page \*demo_page;|&\nstatic int __maybe_unused demo_broken(void) { return MMAPDEMO_CALL(); }|' \
	"$bad/mmapdemo.c"
"$top/bin/mmapport" run --tree "$tree" --external "$bad" --out "$bad.out" --arch x86_64 \
	> "$bad.log" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q "the driver builds nothing against .*mmapport_no_such_fn" "$bad.log"; then
	echo "ok 10 - a driver that does not build unconverted: exit $rc, with the first error"
else
	echo "not ok 10 - a driver that does not build unconverted: exit $rc"; tail -3 "$bad.log" | sed 's/^/# /'
fi
rm -rf "$bad" "$bad.out"

# a DKMS package whose Kbuild is in src/ and reads a make variable its
# dkms.conf MAKE[0] line gives (without it, the file stops at #error):
# parsed and built as that line says, converted and passed
pkg=$out.dkms
rm -rf "$pkg" "$pkg.out"
mkdir -p "$pkg/src"
cp "$ext/mmapdemo.c" "$pkg/src/"
printf 'obj-m += mmapdemo.o\nccflags-y += -DDEMO_VERSION_$(subst .,_,$(DEMO_VERSION))\n' > "$pkg/src/Kbuild"
sed -i '0,/^#include <linux\/slab.h>/s//&\n\n#ifndef DEMO_VERSION_1_0\n#error "built without the build description of dkms.conf"\n#endif/' \
	"$pkg/src/mmapdemo.c"
# and a registration of the kernel's library handler, whose twin is the kernel's
printf '\nstatic const struct file_operations demo_lib_fops __maybe_unused = {\n\t.owner\t\t= THIS_MODULE,\n\t.mmap\t\t= generic_file_readonly_mmap,\n};\n' \
	>> "$pkg/src/mmapdemo.c"
cat > "$pkg/dkms.conf" <<'CONF'
PACKAGE_NAME="demo"
PACKAGE_VERSION="1.0"
MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build/src DEMO_VERSION=${PACKAGE_VERSION}"
BUILT_MODULE_NAME[0]="mmapdemo"
BUILT_MODULE_LOCATION[0]="src"
CONF
"$top/bin/mmapport" run --tree "$tree" --external "$pkg" --out "$pkg.out" --arch x86_64 \
	--no-compat > "$pkg.log" 2>&1
got=$(jq -r '[.[] | select(.function != "generic_file_readonly_mmap") | "\(.analyzer):\(.confidence):\(.conversion.status):\(.check.x86_64.status)"] | unique | join(",")' \
	"$pkg.out/records.json" 2>/dev/null)
lib=$(jq -r '[.[] | select(.function == "generic_file_readonly_mmap") | "\(.conversion.method):\(.conversion.status):\(.check.x86_64.status)"] | join(",")' \
	"$pkg.out/records.json" 2>/dev/null)
if [ "$got" = "libclang:high:converted:pass" ] && [ "$lib" = "twin:converted:pass" ] &&
   grep -q 'M=src, from dkms.conf MAKE)' "$pkg.log"; then
	echo "ok 11 - a DKMS package built from src/ with its own make variable, as its dkms.conf says: parsed, converted, passed; its library registration takes the kernel's twin"
else
	echo "not ok 11 - dkms.conf MAKE[0]: $got; library registration: $lib"; grep 'classify: compile' "$pkg.log" | sed 's/^/# /'
fi
rm -rf "$pkg" "$pkg.out"

# a driver whose handler is defined in one file and registered from
# another, with a prototype in the driver's header (cross-file
# handlers), and a version test for kernels before 6.3 in its body: one
# change of the three files, one commit, built (each source) on 7.2 and
# against 6.12, the settled version test gone from the prepare handler
# and kept with the old handler for older kernels
drv=$out.split
rm -rf "$drv" "$drv.out"
mkdir -p "$drv"
printf 'obj-m += splitdemo.o\nsplitdemo-y := main.o mmap.o\n' > "$drv/Kbuild"
cat > "$drv/split.h" <<'C'
/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SPLIT_H
#define SPLIT_H
#include <linux/fs.h>

int split_mmap(struct file *file, struct vm_area_struct *vma);

#endif
C
cat > "$drv/mmap.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include <linux/version.h>
#include <linux/mm.h>
#include "split.h"

int split_mmap(struct file *file, struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	vma->vm_flags |= VM_DONTEXPAND;
#else
	vm_flags_set(vma, VM_DONTEXPAND);
#endif
	vma->vm_private_data = file->private_data;
	return 0;
}
C
cat > "$drv/main.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/miscdevice.h>
#include "split.h"

static const struct file_operations split_fops = {
	.owner		= THIS_MODULE,
	.mmap		= split_mmap,
};

static struct miscdevice split_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "splitdemo",
	.fops	= &split_fops,
};
module_misc_device(split_dev);

MODULE_DESCRIPTION("mmapport's cross-file example");
MODULE_LICENSE("GPL");
C
"$top/bin/mmapport" run --tree "$tree" --external "$drv" --out "$drv.out" --arch x86_64 \
	--compat-tree "$old" > "$drv.log" 2>&1
got=$(jq -r '.[] | "\(.conversion.status):\(.conversion.files | keys | join(",")):\(.check.overall.status):\(.check.x86_64.status):\(.check["x86_64@6.12"].status)"' \
	"$drv.out/records.json" 2>/dev/null)
p=$(ls "$drv.out"/series/0001-*.patch 2>/dev/null | head -n 1)
if [ "$got" = "converted:main.c,mmap.c,split.h:pass:pass:pass" ] && [ -n "$p" ] &&
   [ "$(grep -c '^diff --git' "$p")" = 3 ] && [ ! -e "$drv.out/series/0002-"* ] &&
   tr '\n' ' ' < "$p" | grep -q 'defined in mmap.c and named in main.c, split.h too'; then
	echo "ok 12 - a handler defined in one file, registered in another, declared in a header: one commit of the three, each source built on 7.2 and 6.12"
else
	echo "not ok 12 - cross-file driver: $got; patch: ${p:-none}"
	grep 'convert:\|check:\|series:' "$drv.log" | sed 's/^/# /'
fi
wt=$drv.out/work
w=$wt/mmap.c
if [ -n "$p" ] && sed -n '/^#if KERNEL_VERSION(7, 2, 0) <= LINUX_VERSION_CODE$/,/^#else$/p' "$w" |
	grep -q 'vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT);' &&
   ! sed -n '/^#if KERNEL_VERSION(7, 2, 0) <= LINUX_VERSION_CODE$/,/^#else$/p' "$w" | grep -q 'KERNEL_VERSION(6, 3, 0)' &&
   grep -q '^#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)$' "$w" &&
   tr '\n' ' ' < "$p" | grep -q 'version tests in split_mmap()'; then
	echo "ok 13 - the version test for kernels before 6.3 leaves the prepare handler, stays with the old one, and the commit says so"
else
	echo "not ok 13 - the version test in the converted driver"
	sed 's/^/# /' "$w" 2>/dev/null | head -40
fi
rm -rf "$drv" "$drv.out"
