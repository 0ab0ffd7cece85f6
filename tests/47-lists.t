#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel API lists the semantic patches keep a copy of, since they
# also run alone under make coccicheck, are the C's (tools/category.c,
# tools/category.h): the calls that take a reference or allocate
# (STATE_CALLS of mmap_prepare_simple.cocci and mmap_prepare_state.cocci), the calls that hand the VMA
# to another file's mmap (facts.cocci's stacked calls), and how deep a
# call that receives the VMA is followed (facts.cocci's default, which
# mmapport passes as -D call_depth); and the Python helpers the remap and
# state rules both carry are the same text in each.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
echo "1..4"

# c_list NAME...: the strings of the arrays NAME of tools/category.c, sorted
c_list() {
	local name
	for name in "$@"; do
		sed -n "/^\(static \)\{0,1\}const char \*const $name\[\] = {/,/};/p" \
			"$top/tools/category.c" | grep -o '"[^"]*"' | tr -d '"'
	done | sort -u
}

# py_set FILE NAME: the quoted names of the Python set NAME = set([...]) in FILE, sorted
py_set() {
	awk -v n="$2" 'index($0, n " = set([") == 1 { on = 1 } on { print } on && /\]\)/ { exit }' "$1" |
		grep -o "'[^']*'" | tr -d "'" | sort -u
}

want=$(c_list take_ref take_alloc)
differ=
for rule in mmap_prepare_simple mmap_prepare_state; do
	got=$(py_set "$top/cocci/$rule.cocci" STATE_CALLS)
	[ -n "$want" ] && [ "$want" = "$got" ] && continue
	differ="$differ $rule"
	diff <(echo "$want") <(echo "$got") | sed "s/^/#   $rule: /"
done
if [ -z "$differ" ]; then
	echo "ok 1 - STATE_CALLS of the simple and state rules is take_ref and take_alloc of category.c ($(echo "$want" | wc -l) calls)"
else
	echo "not ok 1 - STATE_CALLS differs from take_ref and take_alloc of category.c in:$differ"
fi

want=$(c_list calls_stacked)
got=$(py_set "$top/cocci/facts.cocci" STACKED_CALLS)
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	echo "ok 2 - the stacked calls of facts.cocci are calls_stacked of category.c"
else
	echo "not ok 2 - the stacked calls of facts.cocci differ from calls_stacked of category.c"
	diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
fi

want=$(sed -n 's/^#define CALL_DEPTH \([0-9]*\)$/\1/p' "$top/tools/category.h")
got=$(sed -n 's/^MAX_DEPTH = \([0-9][0-9]*\)[^0-9].*/\1/p' "$top/cocci/facts.cocci")
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	echo "ok 3 - facts.cocci follows calls $got deep alone, as CALL_DEPTH of category.h"
else
	echo "not ok 3 - facts.cocci's MAX_DEPTH ($got) is not CALL_DEPTH of category.h ($want)"
fi

# py_def FILE NAME: the text of the Python function NAME in FILE
py_def() {
	awk -v n="$2" '$0 ~ "^def " n "\\(" { on = 1; print; next }
		on && /^[^\t ]/ { on = 0 } on' "$1"
}
remap=$top/cocci/mmap_prepare_remap.cocci
state=$top/cocci/mmap_prepare_state.cocci
differ=
for fn in c_type names_in note read_text say squash tidy; do
	a=$(py_def "$remap" "$fn")
	b=$(py_def "$state" "$fn")
	[ -n "$a" ] && [ "$a" = "$b" ] || differ="$differ $fn"
done
if [ -z "$differ" ]; then
	echo "ok 4 - the helpers the remap and state rules share are the same in both"
else
	echo "not ok 4 - the remap and state rules' copies differ (or are missing):$differ"
fi
