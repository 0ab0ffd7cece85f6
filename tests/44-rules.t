#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each semantic patch alone, as Coccinelle's own tests/ run a rule: for
# every tests/rules/RULE/NAME.input (the input's path under tests/, most
# often a conversion case), spatch with cocci/RULE.cocci on a copy named
# NAME.c, the options of the rule's "// Options:" line (as make coccicheck
# reads them) and the settings of NAME.defines (one "-D" value a line, what
# mmapport passes, none for the rule alone; "#" lines say what the test
# is):
#   -D patch, in place: the file must become NAME.res (the input itself
#                when the rule must change nothing);
#   -D report, when there is a NAME.rep: the rule's coccilib report
#                lines (the file named NAME.c) must be NAME.rep, both from
#                a run that patches too (-D patch -D report, as mmapport
#                runs the rule; the file must still become NAME.res) and
#                alone (-D report, as make coccicheck MODE=report runs
#                it), which must print no diff: report mode never rewrites;
#   no mode, for a rule that only prints (facts.cocci): its output must
#                be NAME.out, the file unchanged.
# No mmapport here: these are the rules' own contracts (docs/design.md,
# "A conversion shape").  Adding a test is adding files.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# spatch's Python rules run on the system's python3, as mmapport runs them
py=$(PATH=$(getconf PATH) command -v python3)
spy=${py:+--python $py}

inputs=$(ls "$top"/tests/rules/*/*.input | sort)
# a report is checked twice for a rule that patches, once for one that
# only prints
nrep=0
for r in "$top"/tests/rules/*/*.rep; do
	rule=$(basename "$(dirname "$r")")
	grep -q '^virtual patch$' "$top/cocci/$rule.cocci" && nrep=$((nrep + 2)) || nrep=$((nrep + 1))
done
echo "1..$(( $(echo "$inputs" | wc -l) + nrep ))"
n=0
for i in $inputs; do
	rule=$(basename "$(dirname "$i")")
	name=$(basename "$i" .input)
	base=${i%.input}
	c=$top/tests/$(cat "$i")
	cocci=$top/cocci/$rule.cocci
	opts=$(sed -n 's|^// Options:||p' "$cocci")
	defs=()
	if [ -f "$base.defines" ]; then
		while IFS= read -r d; do
			case $d in '' | '#'*) ;; *) defs+=(-D "$d") ;; esac
		done < "$base.defines"
	fi
	# a rule without "virtual patch" (facts.cocci) only prints: its
	# output without a mode must be NAME.out, the file left as it was
	if grep -q '^virtual patch$' "$cocci"; then
		mode=(-D patch) want=$base.res
	else
		mode=() want=$c
	fi
	mkdir -p "$tmp/$rule"
	cp "$c" "$tmp/$rule/$name.c"
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! (cd "$tmp/$rule" && spatch $spy --sp-file "$cocci" "${mode[@]}" "${defs[@]}" $opts \
		--very-quiet --in-place "$name.c" > "$tmp/$name.out" 2>"$tmp/$name.err"); then
		echo "not ok $n - $rule/$name: spatch failed"
		sed 's/^/#   /' "$tmp/$name.err" | tail -5
	elif [ ! -f "$want" ]; then
		echo "not ok $n - $rule/$name: no $(basename "$want")"
	elif ! diff -u "$want" "$tmp/$rule/$name.c" > "$tmp/$name.diff"; then
		echo "not ok $n - $rule/$name: the file differs from $(basename "$want")"
		sed 's/^/#   /' "$tmp/$name.diff"
	elif [ ${#mode[@]} = 0 ] && ! diff -u "$base.out" "$tmp/$name.out" > "$tmp/$name.diff"; then
		echo "not ok $n - $rule/$name: the output differs from $name.out"
		sed 's/^/#   /' "$tmp/$name.diff" | head -30
	elif cmp -s "$c" "$want"; then
		echo "ok $n - $rule/$name: unchanged, as it must be"
	else
		echo "ok $n - $rule/$name: patch mode gives $name.res"
	fi
	[ -f "$base.rep" ] || continue
	# what mmapport reads: the report of a run that patches too (and the
	# same file as patch mode alone)
	if [ ${#mode[@]} != 0 ]; then
		cp "$c" "$tmp/$rule/$name.c"
		n=$((n + 1))
		# shellcheck disable=SC2086
		(cd "$tmp/$rule" && spatch $spy --sp-file "$cocci" -D patch -D report --no-show-diff \
			"${defs[@]}" $opts --very-quiet --in-place "$name.c" > "$tmp/$name.both" \
			2>"$tmp/$name.err")
		rc=$?
		if [ $rc = 0 ] && diff -u "$base.rep" "$tmp/$name.both" > "$tmp/$name.diff" &&
		   cmp -s "$want" "$tmp/$rule/$name.c"; then
			echo "ok $n - $rule/$name: patch and report together: $name.res, reporting $name.rep"
		else
			echo "not ok $n - $rule/$name: patch and report together (exit $rc): another report, or file"
			sed 's/^/#   /' "$tmp/$name.diff" "$tmp/$name.err" | head -20
		fi
	fi
	# report mode alone, diffs shown: it must print the report and no diff
	cp "$c" "$tmp/$rule/$name.c"
	n=$((n + 1))
	# shellcheck disable=SC2086
	(cd "$tmp/$rule" && spatch $spy --sp-file "$cocci" -D report "${defs[@]}" \
		$opts --very-quiet "$name.c" > "$tmp/$name.rep" 2>"$tmp/$name.err")
	rc=$?
	if [ $rc = 0 ] && diff -u "$base.rep" "$tmp/$name.rep" > "$tmp/$name.diff"; then
		echo "ok $n - $rule/$name: report mode alone gives $name.rep ($(wc -l < "$base.rep") lines), no diff"
	else
		echo "not ok $n - $rule/$name: report mode (exit $rc) differs from $name.rep, or rewrites"
		sed 's/^/#   /' "$tmp/$name.diff" "$tmp/$name.err" | tail -20
	fi
done
