#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An out-of-tree driver that must be configured for the kernel it builds
# against (examples/oot-configure: its dkms.conf PRE_BUILD runs a configure
# script that probes the kernel with kbuild and writes config.h), against
# Debian's 7.2 tree and 6.12 (--compat-tree).  The step runs in the work
# copy before every build, for that build's kernel: libclang sees config.h
# (high confidence), the #ifdef on the macro it wrote is settled for 7.2
# (the #else for older kernels neither blocks nor is rewritten), both
# trees pass, and config.h is in no patch.  A failing step stops the run
# with its first error; --external-configure gives the step by hand; a
# step that is not run leaves the handler unconverted.  A conversion that
# changes a branch no build compiles (a second definition under "#else" of
# "#ifdef CONFIG_MMU") is dropped, saying which.  A test of a kernel
# CONFIG_ symbol is settled for the configuration checked and the compat
# guard names it (refused with --no-compat); a macro the driver's own
# files define again is not the step's to settle.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
old=$("$top/tools/fetch-tree.sh" 6.12) || { echo "1..0 # SKIP cannot fetch the 6.12 tree"; exit 1; }
ext=$top/examples/oot-configure
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
echo "1..14"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
rec() { jq -r ".[0] | $1" "$2/records.json" 2>/dev/null; }

sum() { (cd "$ext" && find . -type f | sort | xargs sha256sum); }
before=$(sum)
if "$top/bin/mmapport" run --tree "$tree" --external "$ext" --out "$out" --arch x86_64 \
	--compat-tree "$old" > "$out.log" 2>&1 &&
   [ "$(rec .conversion.status "$out")" = converted ]; then
	ok "mmapport run --external: converted"
else
	notok "mmapport run --external: $(rec .conversion.status "$out")"
	tail -20 "$out.log" | sed 's/^/# /'
fi

# 2: parsed with what the step wrote
got=$(rec '"\(.category) \(.confidence) \(.analyzer)"' "$out")
if [ "$got" = "simple high libclang" ]; then
	ok "libclang parsed it with config.h: $got"
else
	notok "category, confidence, analyzer: got '$got'"
fi

# 3: the #ifdef on the configured macro is settled, its #else dropped from prepare
conf=$(rec '.analysis.dead_branches[0] | "\(.group.directive) \(.configured | keys | join(","))"' "$out")
prep=$(sed -n '/^+static int cfgdemo_mmap_prepare/,/^+}/p' "$out"/diffs/*.patch)
if [ "$conf" = "#ifdef CFGDEMO_HAVE_VM_FLAGS_SET CFGDEMO_HAVE_VM_FLAGS_SET" ] &&
   [ -n "$prep" ] && ! echo "$prep" | grep -q 'vm_flags\|#if\|#else' &&
   ! grep -q '^-.*vm_flags |=' "$out"/diffs/*.patch; then
	ok "the configured #ifdef is settled: prepare keeps one branch, the old handler all"
else
	notok "dead branch '$conf'; prepare:"; echo "$prep" | sed 's/^/# /'
fi

# 4: built on both trees, each build after the step ran for its kernel
st=$(rec '"\(.check.x86_64.status) \(.check["x86_64@6.12"].status)"' "$out")
nlog=$(grep -l "wrote config.h for $out/build/x86_64\$" "$out"/logs/check-x86_64-*-configure.log | wc -l)
nold=$(grep -l "wrote config.h for $out/build/x86_64@6.12\$" "$out"/logs/check-x86_64@6.12-*-configure.log | wc -l)
if [ "$st" = "pass pass" ] && [ "$nlog" = 2 ] && [ "$nold" = 2 ]; then
	ok "passed on 7.2 and 6.12; the step ran before base and converted builds of each"
else
	notok "check '$st'; configure logs: $nlog for 7.2, $nold for 6.12 (want 2 and 2)"
fi

# 5: the commit says so; config.h is in no patch; it applies, checkpatch clean
cp -r "$ext" "$tmp/drv" && git -C "$tmp/drv" init -q && git -C "$tmp/drv" add -A &&
	git -C "$tmp/drv" -c user.email=t@t -c user.name=t commit -qm base
p=$(ls "$out"/series/0001-*.patch 2>/dev/null)
if [ -n "$p" ] && ! grep -q '^+++ b/config.h\|^diff.*config.h' "$p" &&
   grep -q "CFGDEMO_HAVE_VM_FLAGS_SET defined" "$p" &&
   tr '\n' ' ' < "$p" | grep -q 'configure step (dkms.conf PRE_BUILD, ./configure)' &&
   git -C "$tmp/drv" -c user.email=t@t -c user.name=t am -q "$p" 2>"$tmp/am.err" &&
   grep -q '^total: 0 errors, 0 warnings' "$out/series/checkpatch.txt"; then
	ok "the patch says what the step settled and how it was built; applies, checkpatch clean"
else
	notok "the series"; sed 's/^/# /' "$tmp/am.err" "$out/series/checkpatch.txt" 2>/dev/null | head
fi

if [ "$before" = "$(sum)" ] && [ ! -e "$ext/config.h" ]; then
	ok "the driver directory is unchanged (config.h was written in the work copy)"
else
	notok "the driver directory was written"
fi

# 7: a step that fails stops the run, naming it and its first error
cp -r "$ext" "$tmp/bad"
printf '#!/bin/sh\necho "configure: error: no kernel headers in $1" >&2\nexit 3\n' > "$tmp/bad/configure"
"$top/bin/mmapport" run --tree "$tree" --external "$tmp/bad" --out "$tmp/bad-out" \
	--arch x86_64 > "$tmp/bad.log" 2>&1
rc=$?
if [ "$rc" != 0 ] && grep -q "configure step (dkms.conf PRE_BUILD: ./configure) failed with status 3: configure: error: no kernel headers in" "$tmp/bad.log"; then
	ok "a failing configure step: exit $rc, its first error shown"
else
	notok "a failing configure step: exit $rc"; tail -5 "$tmp/bad.log" | sed 's/^/# /'
fi

# 8, 9: no PRE_BUILD: not configured, the handler is not read as it builds;
# --external-configure gives the step
cp -r "$ext" "$tmp/nopre"
sed -i '/^PRE_BUILD/d' "$tmp/nopre/dkms.conf"
"$top/bin/mmapport" classify --tree "$tree" --external "$tmp/nopre" --out "$tmp/nopre-out" \
	> "$tmp/nopre.log" 2>&1
got=$(rec '"\(.category) \(.confidence)"' "$tmp/nopre-out")
if [ "$got" != "simple high" ] && rec .analysis_error "$tmp/nopre-out" | grep -q 'parse error'; then
	ok "without the step config.h is missing: $got, $(rec .missing_include "$tmp/nopre-out")"
else
	notok "without the step: got '$got'"
fi
"$top/bin/mmapport" classify --tree "$tree" --external "$tmp/nopre" --out "$tmp/opt-out" \
	--external-configure './configure ${kernel_source_dir}' > "$tmp/opt.log" 2>&1
got=$(rec '"\(.category) \(.confidence) \(.analysis.dead_branches[0].configured | keys | join(","))"' "$tmp/opt-out")
if [ "$got" = "simple high CFGDEMO_HAVE_VM_FLAGS_SET" ]; then
	ok "--external-configure runs the step: $got"
else
	notok "--external-configure: got '$got'"; tail -5 "$tmp/opt.log" | sed 's/^/# /'
fi

# 10: a PRE_BUILD that is not executable is skipped, as DKMS skips it, with a word
chmod -x "$tmp/nopre/configure"
echo 'PRE_BUILD="configure ${kernel_source_dir}"' >> "$tmp/nopre/dkms.conf"
"$top/bin/mmapport" classify --tree "$tree" --external "$tmp/nopre" --out "$tmp/noexec-out" \
	> "$tmp/noexec.log" 2>&1
if grep -q "PRE_BUILD names configure, which is not an executable file of the driver" "$tmp/noexec.log"; then
	ok "a PRE_BUILD script that is not executable: skipped, and said"
else
	notok "not-executable PRE_BUILD"; tail -5 "$tmp/noexec.log" | sed 's/^/# /'
fi

# 11, 12, 14 build one copy of the driver with two modules, one run for both:
#   mmudemo.c    the handler defined again for !CONFIG_MMU: both definitions
#                convert (the second is no "direct use"), but x86_64 builds
#                only the first, and an --external driver gets no config
#                variant: dropped, naming the branch;
#   cfgdemo.c    "#ifdef CONFIG_PPC" in the handler: settled for x86_64's
#                configuration, the guard says so.
var=$tmp/var
cp -r "$ext" "$var"
awk '/^static int cfgdemo_mmap\(/ { print "#ifdef CONFIG_MMU" }
     { print }
     /^}$/ && inmmap { print "#else"; print "static int cfgdemo_mmap(struct file *file, struct vm_area_struct *vma)";
		       print "{"; print "\tif (vma->vm_pgoff)"; print "\t\treturn -EINVAL;";
		       print "\tvma->vm_ops = &cfgdemo_vm_ops;"; print "\treturn 0;"; print "}";
		       print "#endif"; inmmap = 0 }
     /^static int cfgdemo_mmap\(/ { inmmap = 1 }' "$ext/cfgdemo.c" | sed 's/cfgdemo/mmudemo/g' > "$var/mmudemo.c"
sed 's|^\tvma->vm_ops = &cfgdemo_vm_ops;$|#ifdef CONFIG_PPC\n\tvma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);\n#endif\n\tvma->vm_ops = \&cfgdemo_vm_ops;|' \
	"$ext/cfgdemo.c" > "$var/cfgdemo.c"
echo 'obj-m += mmudemo.o' >> "$var/Kbuild"
"$top/bin/mmapport" run --tree "$tree" --external "$var" --out "$tmp/var-out" --arch x86_64 \
	--compat-tree "$old" > "$tmp/var.log" 2>&1
# the record of handler $1: rec_of HANDLER FILTER
rec_of() { jq -r ".[] | select(.function == \"$1\") | $2" "$tmp/var-out/records.json" 2>/dev/null; }

got=$(rec_of mmudemo_mmap '"\(.category) \(.conversion.status)"')
why=$(rec_of mmudemo_mmap .conversion.reason)
if [ "$got" = "simple dropped" ] &&
   echo "$why" | grep -qF '(#else of "#ifdef CONFIG_MMU" at line' &&
   echo "$why" | grep -qF 'no profile or config variant compiled it (an --external driver is built'; then
	ok "a changed branch no build compiles: dropped, saying which"
else
	notok "a changed branch no build compiles: '$got': $why"; tail -3 "$tmp/var.log" | sed 's/^/# /'
fi

# 12: CONFIG_PPC settled for x86_64's configuration, named by the guard;
# both trees pass, checkpatch clean
got=$(rec_of cfgdemo_mmap '"\(.conversion.status) \(.check.overall.status) \([.analysis.dead_branches[] | .kconfig // empty | to_entries[] | "\(.key)=\(.value)"] | join(","))"')
guard=$(rec_of cfgdemo_mmap .conversion.compat.guard)
if [ "$got" = "converted pass CONFIG_PPC=n" ] &&
   [ "$guard" = "KERNEL_VERSION(7, 2, 0) <= LINUX_VERSION_CODE && defined(CFGDEMO_HAVE_VM_FLAGS_SET) && !defined(CONFIG_PPC)" ] &&
   ! sed -n '/^+static int cfgdemo_mmap_prepare/,/^+}/p' "$tmp"/var-out/diffs/*cfgdemo*.patch | grep -q 'CONFIG_PPC\|page_prot' &&
   grep -q '^total: 0 errors, 0 warnings' "$tmp/var-out/series/checkpatch.txt"; then
	ok "a kconfig test settled for the configuration checked, named by the guard: $guard"
else
	notok "a kconfig test: '$got', guard '$guard'"; tail -3 "$tmp/var.log" | sed 's/^/# /'
fi

# 13: the driver's own file undefines the macro again: not the step's value
# (a macro any of the driver's files defines again is not settled for any)
cp -r "$ext" "$tmp/undef"
sed 's|^#include "config.h"$|#include "config.h"\n#undef CFGDEMO_HAVE_VM_FLAGS_SET\n#define CFGDEMO_HAVE_VM_FLAGS_SET 1|' \
	"$ext/cfgdemo.c" > "$tmp/undef/cfgdemo.c"
"$top/bin/mmapport" classify --tree "$tree" --external "$tmp/undef" --out "$tmp/undef-out" \
	> "$tmp/undef.log" 2>&1
got=$(rec '[.analysis.dead_branches[]? | .configured // empty] | length' "$tmp/undef-out")
if [ "$got" = 0 ] && [ "$(rec .confidence "$tmp/undef-out")" = high ]; then
	ok "a macro the driver's own file defines again is not settled by the step's value"
else
	notok "redefined macro: $got configured dead branches"
fi

# 14: the same with --no-compat: nothing would keep the other configurations' code
"$top/bin/mmapport" convert --tree "$tree" --external "$var" --out "$tmp/var-out" \
	--no-compat > "$tmp/var-nc.log" 2>&1
why=$(rec_of cfgdemo_mmap .conversion.reason)
if [ "$(rec_of cfgdemo_mmap .conversion.status)" = refused ] &&
   echo "$why" | grep -qF 'without the compat guard nothing keeps the code another build takes'; then
	ok "--no-compat refuses a handler settled for one build: $why"
else
	notok "--no-compat: $(rec_of cfgdemo_mmap .conversion.status): $why"
fi
