#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/buildcache.c on its own (docs/arch.md, "The build cache"): a
# prepared build directory is kept once and restored for another run of
# the same profile on a tree whose prepare inputs are the same, with the
# new run's paths in its files and one timestamp on all of them; it is not
# restored when a prepare input differs (a file under scripts/, one that a
# .cmd file names, an uncommitted change to one), for another profile, or
# with MMAPPORT_BUILD_CACHE=0.  A change to a driver's file alone keeps it.
# The real tree's restore, which kbuild's make prepare then finds up to
# date, is in tests/30-e2e.t.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
echo "1..12"

cc -std=gnu11 -o bcm "$top/tests/lib/buildcache-main.c" "$top/build/obj/buildcache.o" \
	"$top/build/obj/util.o" -ljansson || { echo "Bail out! the harness does not build"; exit 1; }
export MMAPPORT_CACHE=$tmp/cache
g() { git -c user.name=t -c user.email=t@t "$@"; }

mkdir t
(cd t && mkdir -p scripts kernel drivers/foo arch/x86 include/linux &&
	echo 'all:' > Makefile && echo 'echo gen' > scripts/gen.sh &&
	echo 'int bounds;' > kernel/bounds.c && echo 'int foo;' > drivers/foo/foo.c &&
	echo 'config X86' > arch/x86/Kconfig && echo '#define A 1' > include/linux/a.h &&
	git init -q && g add -A && g commit -qm base) || { echo "Bail out! no repo"; exit 1; }

# work tree N: a clone, optionally with a commit of its own
clone() {	# clone N [FILE TEXT] -> base commit
	git clone -q t "w$1" && if [ $# -gt 1 ]; then
		echo "$3" >> "w$1/$2" && g -C "w$1" commit -qam change
	fi
	git -C "w$1" rev-parse HEAD
}
# what a prepare leaves: a .cmd naming tree files, a Makefile naming both dirs
prepare() {	# prepare WORK BDIR
	local w b
	w=$(realpath "$1") b=$(realpath "$2")
	mkdir -p "$2/kernel" "$2/scripts"
	printf 'savedcmd_kernel/bounds.s := gcc -I %s/include %s/kernel/bounds.c\ndeps_kernel/bounds.s := \\\n  %s/include/linux/a.h \\\n' \
		"$w" "$w" "$w" > "$2/kernel/.bounds.s.cmd"
	printf 'export KBUILD_OUTPUT = %s\ninclude %s/Makefile\n' "$b" "$w" > "$2/Makefile"
	printf '\x7fELF\0%s' "$w" > "$2/scripts/tool"
	: > "$2/.mmapport-prepared"
}
n=0
t() {	# t WANT GOT NAME
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else echo "not ok $n - $3: want $1, got $2"; fi
}

b1=$(clone 1)
mkdir b1
t miss "$(./bcm restore pk x86 w1 "$b1" b1)" "an empty cache: miss"
prepare w1 b1
./bcm store x86 w1 b1 2>/dev/null
entries=$(ls -d cache/builds/*/ 2>/dev/null | wc -l)
ins=$(cat cache/builds/*/inputs 2>/dev/null | awk '{print $2}' | tr '\n' ' ')
t "1 include/linux/a.h kernel/bounds.c " "$entries $ins" \
	"stored once, with the tree files its .cmd files name as inputs"

b2=$(clone 2)
mkdir b2
r=$(./bcm restore pk x86 w2 "$b2" b2 2>/dev/null)
w1=$(realpath w1) w2=$(realpath w2) bd2=$(realpath b2)
stamps=$(find b2 -type f -printf '%T@\n' | sort -u | wc -l)
if [ "$r" = restored ] && grep -q "$w2/kernel/bounds.c" b2/kernel/.bounds.s.cmd &&
   ! grep -rq "$w1" b2 --exclude=tool && grep -q "KBUILD_OUTPUT = $bd2" b2/Makefile &&
   [ "$stamps" = 1 ] && [ ! -e b2/.mmapport-prepared ] && grep -q "$w1" b2/scripts/tool; then
	echo "ok 3 - restored into another run: its paths in the text files, one timestamp, binaries as they were"
else
	echo "not ok 3 - restore: $r; stamps $stamps; $(grep -rl "$w1" b2)"
fi
n=3

b3=$(clone 3 drivers/foo/foo.c 'int bar;')
mkdir b3
t restored "$(./bcm restore pk x86 w3 "$b3" b3 2>/dev/null)" "a tree that differs in a driver's file only: restored"

b4=$(clone 4 kernel/bounds.c 'int more;')
mkdir b4
t miss "$(./bcm restore pk x86 w4 "$b4" b4 2>/dev/null)" "a .cmd file's input differs: miss"

b5=$(clone 5 scripts/gen.sh 'echo more')
mkdir b5
t miss "$(./bcm restore pk x86 w5 "$b5" b5 2>/dev/null)" "a file under scripts/ differs: miss"

b6=$(clone 6)
echo 'int uncommitted;' >> w6/include/linux/a.h
mkdir b6
t miss "$(./bcm restore pk x86 w6 "$b6" b6 2>/dev/null)" "an uncommitted change to an input: miss"

b7=$(clone 7)
mkdir b7
t miss "$(./bcm restore other-profile x86 w7 "$b7" b7 2>/dev/null)" "another profile: miss"
t miss "$(MMAPPORT_BUILD_CACHE=0 ./bcm restore pk x86 w7 "$b7" b7 2>/dev/null)" \
	"MMAPPORT_BUILD_CACHE=0: miss"

# the miss on another profile kept a note: its prepare is stored as a second entry
prepare w7 b7
./bcm store x86 w7 b7 2>/dev/null
t 2 "$(ls -d cache/builds/*/ | wc -l)" "the other profile's prepare is kept beside the first"

# a tree that is a repository's top, read as it is (an --external driver's
# kernel tree): keyed by its HEAD, whatever base the run has
b8=$(clone 8)
mkdir b8
t restored "$(./bcm restore pk x86 w8 not-a-commit b8 2>/dev/null)" \
	"a repository's top read at its HEAD (an external driver's kernel tree): restored"
mkdir -p sub/t b9 && cp -r t/. sub/t/ && rm -rf sub/t/.git && git -C sub init -q &&
	g -C sub add -A && g -C sub commit -qm outer
t miss "$(./bcm restore pk x86 sub/t not-a-commit b9 2>/dev/null)" \
	"a tree inside another repository, not its top: miss"
