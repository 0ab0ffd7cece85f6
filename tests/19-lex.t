#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lex_collapse() of tools/lex.c on its own: the one-line form of a span of
# source that scan records (a registration's value, an #if condition) and
# the lexer's macros keep.  White space and continuations become one
# blank, comments go, and string and character literals stay as written.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
echo "1..9"

cc -std=gnu11 -o lm "$top/tests/lib/lex-main.c" "$top/build/obj/lex.o" \
	"$top/build/obj/util.o" -ljansson || { echo "not ok 1 - the harness does not build"; exit 1; }
echo "ok 1 - the harness builds"

n=1
# expect NAME WANT: lex_collapse() of stdin must be WANT
expect() {
	local got
	n=$((n + 1))
	got=$(./lm)
	if [ "$got" = "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "#   want: $2"
		echo "#   got:  $got"
	fi
}

expect "blanks, tabs and newlines become one blank, none at the ends" 'a + b' < <(printf 'a  +\n\t b ')
expect "a line continuation is a blank" 'f(a, b)' < <(printf 'f(a, \\\n  b)')
expect "a block comment goes, across lines" 'x y' < <(printf 'x /* one\n two */ y')
expect "a // comment runs on over a continued line, to the first newline" 'x y' < <(printf 'x // one \\\n still the comment\ny')
expect "a // comment ends at its newline" 'x y' < <(printf 'x // one\ny // two')
expect "a string keeps its blanks and what looks like comments" 'p("a  /* b */  // c", d)' < <(printf 'p("a  /* b */  // c", d)')
expect "an escaped quote does not end the string" 'p("a\"  b", c)' < <(printf 'p("a\\"  b",   c)')
expect "character literals stay, an escaped quote and a blank one too" "c == '\\'' || c == ' '" < <(printf "c == '\\\\''  ||  c == ' '")
