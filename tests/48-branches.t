#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/branches.c on its own (docs/arch.md, "Every branch the conversion
# changed"): which preprocessor branches a diff touches, and which of them
# a compiler's -E -dD output shows compiled.  check's use of it on real
# code (a config variant x86_64+FS_DAX=n, a branch x86 cannot build) is in
# tests/30-e2e.t.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
echo "1..15"

cc -std=gnu11 -o bm "$top/tests/lib/branches-main.c" "$top/build/obj/branches.o" \
	"$top/build/obj/util.o" -ljansson || { echo "not ok 1 - the harness does not build"; exit 1; }

cat > old.c <<'C'
struct file;
struct vm_area_struct;
int generic_file_mmap(struct file *, struct vm_area_struct *);
#ifdef CONFIG_BAR
static int unrelated;
#endif
#ifdef CONFIG_FOO
static int foo_mmap(struct file *f, struct vm_area_struct *v)
{
	return 0;
}
#else
#define foo_mmap generic_file_mmap
#endif
#if defined(CONFIG_A)
#if defined(CONFIG_B)
static int nested = 1;
#endif
#endif
int (*hook)(struct file *, struct vm_area_struct *) = foo_mmap;
C
sed -e 's/foo_mmap/foo_mmap_prepare/' -e 's/generic_file_mmap$/generic_file_mmap_prepare/' \
	-e 's/nested = 1/nested = 2/' old.c > new.c
diff -u old.c new.c | sed -e '1s|.*|--- a/old.c|' -e '2s|.*|+++ b/old.c|' > touch.patch
gcc -E -dD -DCONFIG_FOO -DCONFIG_A -o foo.i old.c
gcc -E -dD -o nofoo.i old.c
gcc -E -o nodd.i old.c

# 1. both branches of the FOO group, each compiled by the build that has it
got=$(./bm old.c touch.patch foo.i nofoo.i)
want="7 #ifdef CONFIG_FOO: 1
12 #else: 2
16 #if defined(CONFIG_B): none"
if [ "$got" = "$want" ]; then
	echo "ok 1 - the changed branches, and which build compiled each"
else
	echo "not ok 1 - want '$want', got '$got'" | sed '2,$s/^/# /'
fi

# 2. a branch no build compiled is said: the #else of a config all builds have
got=$(./bm old.c touch.patch foo.i | sed -n 2p)
if [ "$got" = "12 #else: none" ]; then
	echo "ok 2 - the #else alias is compiled by no build with CONFIG_FOO"
else
	echo "not ok 2 - got '$got'"
fi

# 3. an untouched branch (CONFIG_BAR) is not asked for
if ./bm old.c touch.patch foo.i nofoo.i | grep -q BAR; then
	echo "not ok 3 - the untouched CONFIG_BAR branch is listed"
else
	echo "ok 3 - an untouched branch is not asked for"
fi

# 4. a #define alone in its branch counts only where -dD keeps it
got=$(./bm old.c touch.patch nodd.i | sed -n 2p)
if [ "$got" = "12 #else: none" ]; then
	echo "ok 4 - without -dD the #define-only branch looks dead (why check passes -dD)"
else
	echo "not ok 4 - got '$got'"
fi

# 5. a pure insertion is in the branch around it
printf '%s\n' '--- a/old.c' '+++ b/old.c' '@@ -10,2 +10,3 @@' \
	' 	return 0;' '+	/* new */' ' }' > insert.patch
got=$(./bm old.c insert.patch foo.i nofoo.i)
if [ "$got" = "7 #ifdef CONFIG_FOO: 1" ]; then
	echo "ok 5 - an insertion inside the handler asks for the handler's branch"
else
	echo "not ok 5 - got '$got'"
fi

# 6. what a branch needs: earlier conditions false, its own true
cat > chain.c <<'C'
#if defined(CONFIG_FS_DAX)
int a_mmap;
#elif !IS_ENABLED(CONFIG_MMU)
int b_mmap;
#elif CONFIG_A && CONFIG_B
int c_mmap;
#else
int d_mmap;
#endif
#ifndef CONFIG_X
int e_mmap;
#endif
C
sed 's/_mmap/_mmap_prepare/' chain.c > chain2.c
diff -u chain.c chain2.c | sed -e '1s|.*|--- a/chain.c|' -e '2s|.*|+++ b/chain.c|' > chain.patch
got=$(./bm --wants chain.c chain.patch)
want="1 #if defined(CONFIG_FS_DAX): FS_DAX=y
3 #elif !IS_ENABLED(CONFIG_MMU): FS_DAX=mn MMU=n
5 #elif CONFIG_A && CONFIG_B: FS_DAX=mn MMU=ym A=~ B=~
7 #else: FS_DAX=mn MMU=ym A=~ B=~
10 #ifndef CONFIG_X: X=mn"
if [ "$got" = "$want" ]; then
	echo "ok 6 - each branch's needs: defined() wants y (m is CONFIG_X_MODULE), IS_ENABLED y or m, the rest flipped"
else
	echo "not ok 6 - want '$want', got '$got'" | sed '2,$s/^/# /'
fi

# 7. a nested branch needs the groups around it too; an insertion into an
# empty #else is in that #else; a branch holding only a nested group or
# an #include is compiled when they are
cat > nest.c <<'C'
#ifdef CONFIG_A
#ifdef CONFIG_B
int x_mmap;
#endif
#endif
#ifdef CONFIG_C
#include "inc.h"
#else
#endif
C
echo 'int from_header;' > inc.h
printf '%s\n' '--- a/nest.c' '+++ b/nest.c' '@@ -2,2 +2,3 @@' ' #ifdef CONFIG_B' '-int x_mmap;' '+int x_mmap_prepare;' \
	'+int y;' ' #endif' '@@ -8,2 +9,3 @@' ' #else' '+#define z_mmap_prepare NULL' ' #endif' > nest.patch
got=$(./bm --wants nest.c nest.patch)
want="2 #ifdef CONFIG_B: B=y A=y
8 #else: C=mn"
if [ "$got" = "$want" ]; then
	echo "ok 7 - a nested branch needs its outer groups; an insertion into an empty #else is in it"
else
	echo "not ok 7 - want '$want', got '$got'" | sed '2,$s/^/# /'
fi
printf '%s\n' '--- a/nest.c' '+++ b/nest.c' '@@ -1,3 +1,4 @@' ' #ifdef CONFIG_A' '+int w;' ' #ifdef CONFIG_B' \
	' int x_mmap;' '@@ -6,2 +7,3 @@' ' #ifdef CONFIG_C' '+int v;' ' #include "inc.h"' > outer.patch
gcc -E -dD -DCONFIG_A -DCONFIG_B -DCONFIG_C -o nest.i nest.c
got=$(./bm nest.c outer.patch nest.i)
want="1 #ifdef CONFIG_A: 1
6 #ifdef CONFIG_C: 1"
if [ "$got" = "$want" ]; then
	echo "ok 8 - a branch of only a nested group, or an #include, is compiled when they are"
else
	echo "not ok 8 - want '$want', got '$got'" | sed '2,$s/^/# /'
fi

# 9. a diff whose empty context line lost its space (diff.suppressBlankEmpty)
printf 'int a;\n\n#ifdef CONFIG_Q\nint q_mmap;\n#endif\n' > blank.c
printf '%s\n' '--- a/blank.c' '+++ b/blank.c' '@@ -1,4 +1,4 @@' ' int a;' '' ' #ifdef CONFIG_Q' '-int q_mmap;' \
	'+int q_mmap_prepare;' > blank.patch
got=$(./bm blank.c blank.patch)
if [ "$got" = "3 #ifdef CONFIG_Q: none" ]; then
	echo "ok 9 - an empty context line is context"
else
	echo "not ok 9 - got '$got'"
fi

# 10. x_mmap with CONFIG_X=m: #ifdef wants y, IS_MODULE m, _MODULE m
printf '%s\n' '#ifdef CONFIG_X' 'int a_mmap;' '#endif' '#if IS_MODULE(CONFIG_Y)' 'int b_mmap;' '#endif' \
	'#ifdef CONFIG_Z_MODULE' 'int c_mmap;' '#endif' > mod.c
sed 's/_mmap/_mmap_prepare/' mod.c > mod2.c
diff -u mod.c mod2.c | sed -e '1s|.*|--- a/mod.c|' -e '2s|.*|+++ b/mod.c|' > mod.patch
got=$(./bm --wants mod.c mod.patch | tr '\n' '|')
if [ "$got" = "1 #ifdef CONFIG_X: X=y|4 #if IS_MODULE(CONFIG_Y): Y=m|7 #ifdef CONFIG_Z_MODULE: Z=m|" ]; then
	echo "ok 10 - tristates: #ifdef wants y, IS_MODULE and CONFIG_Z_MODULE want m"
else
	echo "not ok 10 - got '$got'"
fi

# 11. branches dead on a 7.2.13 kernel by their version tests alone
cat > ver.c <<'C'
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
old();
#else
new();
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 2, 0)
a();
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
b();
#else
#if defined(CONFIG_X)
c();
#endif
#endif
#ifdef CONFIG_Y
y();
#elif LINUX_VERSION_CODE < KERNEL_VERSION(1, 0, 0)
z();
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 2, 300)
s();
#endif
C
got=$(./bm --dead $(( (7 << 16) + (2 << 8) + 13 )) ver.c | cut -d' ' -f1 | tr '\n' ' ')
if [ "$got" = "1 8 10 11 20 " ]; then
	echo "ok 11 - version tests decide their groups up to a test of anything else; nested, dead"
else
	echo "not ok 11 - dead branches on 7.2.13: got '$got', want '1 8 10 11 20 '"
fi

# 12. on 6.1: the other side of each test
got=$(./bm --dead $(( (6 << 16) + (1 << 8) )) ver.c | cut -d' ' -f1 | tr '\n' ' ')
if [ "$got" = "3 6 10 11 20 " ]; then
	echo "ok 12 - on 6.1 the #else of the 6.3 test and the 7.2 branch are dead"
else
	echo "not ok 12 - dead branches on 6.1: got '$got', want '3 6 10 11 20 '"
fi

# 13. a test continued on the next line is one test, its lines the directive's
printf '%s\n' '#if LINUX_VERSION_CODE >= KERNEL_VERSION(8, 0, 0)' 'a();' \
	'#elif LINUX_VERSION_CODE >= \' '	KERNEL_VERSION(7, 0, 0)' 'b();' '#else' 'c();' '#endif' > cont.c
got=$(./bm --dead $(( (7 << 16) + (2 << 8) )) cont.c | cut -d' ' -f1 | tr '\n' ' ')
if [ "$got" = "1 6 " ]; then
	echo "ok 13 - a continued #elif is decided whole: the #if and the #else are dead"
else
	echo "not ok 13 - continued test on 7.2: got '$got', want '1 6 '"
fi

# 14. a test cpp cannot evaluate decides nothing
printf '%s\n' '#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0)' 'a();' '#else' 'b();' '#endif' > bad.c
got=$(./bm --dead $(( (7 << 16) + (2 << 8) )) bad.c)
if [ -z "$got" ]; then
	echo "ok 14 - a test the preprocessor rejects leaves its group undecided"
else
	echo "not ok 14 - got '$got'"
fi

# 15. the macros a driver's configure step wrote settle the tests that name
# only them (and the version); an unknown name or a CONFIG_ symbol does not
cat > cfg.c <<'C'
#ifdef HAVE_A
a();
#else
not_a();
#endif
#ifndef HAVE_C
c();
#endif
#if defined(HAVE_B) && LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
b();
#elif HAVE_E > 1
e();
#endif
#ifdef HAVE_UNKNOWN
u();
#else
not_u();
#endif
#if defined(HAVE_A) && defined(CONFIG_Z)
z();
#else
not_z();
#endif
C
printf '{"HAVE_A": " 1", "HAVE_B": "", "HAVE_C": null, "HAVE_E": " 2"}' > cfg.json
got=$(./bm --dead $(( (7 << 16) + (2 << 8) )) cfg.c cfg.json | cut -d' ' -f1 | tr '\n' ' ')
without=$(./bm --dead $(( (7 << 16) + (2 << 8) )) cfg.c | cut -d' ' -f1 | tr '\n' ' ')
if [ "$got" = "3 11 " ] && [ -z "$without" ]; then
	echo "ok 15 - configure's macros settle #ifdef, #ifndef and #if on them; others are left"
else
	echo "not ok 15 - dead with the macros: got '$got', want '3 11 '; without: '$without'"
fi
