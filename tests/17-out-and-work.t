#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The output directory and the work tree are mmapport's own (worktree.c,
# docs/usage.md "Work tree and reruns"): the user's repository is left
# exactly as it was, a directory mmapport did not make is refused, never
# cleaned, two runs on one --out exclude each other, a killed first run
# is recovered from, and a work tree made from another tree, another HEAD
# or other uncommitted changes is made again (convert) or refused (series).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the work trees of the output directories below
wt=$tmp/out/work kwt=$tmp/killed/work pwt=$tmp/pout/work
echo "1..25"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for f in "$@"; do sed 's/^/#   /' "$f"; done; }

# A git tree with one remap handler, committed.
mktree() {
	bash "$top/tests/lib/fake-tree.sh" "$1"
	mkdir -p "$1/drivers/cases"
	cp "$top/tests/cases/pfn-remap.c" "$1/drivers/cases/"
	echo 'a file to delete' > "$1/drivers/cases/README"
	git -C "$1" init -q
	git -C "$1" add -A
	git -C "$1" -c user.name=t -c user.email=t@t commit -qm base
}
# Everything of the repository a user sees, and every byte of .git.
snap() {
	(cd "$1" && find .git -type f -print0 | sort -z | xargs -0 sha1sum
	 find . -path ./.git -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+ | sort
	 find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha1sum
	 git --no-optional-locks status --porcelain; git worktree list --porcelain; git branch -a)
}
# classify then convert, as a user runs them
conv() {
	"$mm" classify --tree "$1" --out "$2" --paths drivers/cases >/dev/null 2>"$tmp/err" &&
	"$mm" convert --tree "$1" --out "$2" >/dev/null 2>>"$tmp/err"
}

t=$tmp/tree
mktree "$t"
echo 'local edit' >> "$t/Makefile"	# uncommitted changes, in the user's hands:
echo 'new' > "$t/drivers/cases/untracked.txt"	# an edit, a new file, a deleted file
rm "$t/drivers/cases/README"
sleep 1; touch "$t/include/linux/fs.h"	# the index's stat data now stale: git status would write it
snap "$t" > "$tmp/before"
if conv "$t" "$tmp/out" && "$mm" series --tree "$t" --out "$tmp/out" >/dev/null 2>>"$tmp/err"; then
	ok "classify, convert and series on a git tree"
else
	notok "classify, convert and series failed" "$tmp/err"
fi
snap "$t" > "$tmp/after"
if diff "$tmp/before" "$tmp/after" > "$tmp/diff"; then
	ok "the user's repository is as it was: files, .git, status, worktrees, branches"
else
	notok "the user's repository changed" "$tmp/diff"
fi
if [ -d "$wt/.git" ] && git -C "$wt" rev-parse -q --verify mmapport/mmap_prepare >/dev/null; then
	ok "the work tree is a repository of its own, holding the series branch"
else
	notok "the work tree is not a clone with the series branch" "$tmp/err"
fi
if grep -q 'local edit' "$wt/Makefile" && [ -f "$wt/drivers/cases/untracked.txt" ] &&
   [ ! -e "$wt/drivers/cases/README" ] && grep -q 'takes 3 files with uncommitted changes' "$tmp/err"; then
	ok "the working copy's uncommitted edit, new file and deletion are in the work tree, and a line says so"
else
	notok "the uncommitted edit was ignored" "$tmp/err"
fi

# git steered at the user's repository by the environment (as in a hook), and a
# global configuration with a commit hook and signing: neither reaches the user's
# repository nor mmapport's commits.
mkdir -p "$tmp/home/hooks"
printf '#!/bin/sh\necho hook >> "%s/hook-ran"\n' "$tmp" > "$tmp/home/hooks/commit-msg"
chmod +x "$tmp/home/hooks/commit-msg"
printf '[core]\n\thooksPath = %s/home/hooks\n[commit]\n\tgpgsign = true\n[diff]\n\tnoprefix = true\n' "$tmp" > "$tmp/home/.gitconfig"
snap "$t" > "$tmp/before"
if HOME=$tmp/home GIT_DIR=$t/.git GIT_INDEX_FILE=$t/.git/index GIT_WORK_TREE=$t \
   "$mm" convert --tree "$t" --out "$tmp/out" >/dev/null 2>"$tmp/err" &&
   HOME=$tmp/home GIT_DIR=$t/.git "$mm" series --tree "$t" --out "$tmp/out" >/dev/null 2>>"$tmp/err" &&
   snap "$t" | cmp -s - "$tmp/before" && [ ! -e "$tmp/hook-ran" ] &&
   grep -q '^--- a/drivers/cases/pfn-remap.c' "$tmp/out/diffs/drivers_cases_pfn-remap.c.patch"; then
	ok "GIT_DIR/GIT_INDEX_FILE/GIT_WORK_TREE and a global hook, gpgsign and diff.noprefix change nothing"
else
	notok "the caller's git environment or global configuration got through" "$tmp/err"
fi

# A tree inside the output directory: refused, not deleted.
mkdir -p "$tmp/out/inner" && cp -a "$t/." "$tmp/out/inner/"
"$mm" convert --tree "$tmp/out/inner" --out "$tmp/out" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 1 ] && grep -q 'inside the output directory' "$tmp/err" && [ -d "$tmp/out/inner/.git" ] &&
   [ -d "$wt/.git" ]; then
	ok "a tree inside the output directory is refused (exit 1), and left there"
else
	notok "a tree inside --out: exit $rc" "$tmp/err"
fi

# An existing directory mmapport did not make: refused, nothing in it touched.
o=$tmp/theirs
mkdir -p "$o/checkout"
echo precious > "$o/notes.txt"
git -C "$o/checkout" init -q && echo draft > "$o/checkout/draft.c"
(cd "$o" && find . -type f -print0 | sort -z | xargs -0 sha1sum) > "$tmp/theirs.before"
"$mm" convert --tree "$t" --out "$o" >/dev/null 2>"$tmp/err"; rc=$?
(cd "$o" && find . -type f -print0 | sort -z | xargs -0 sha1sum) > "$tmp/theirs.after"
if [ $rc = 1 ] && grep -q 'not an mmapport output directory' "$tmp/err" &&
   cmp -s "$tmp/theirs.before" "$tmp/theirs.after"; then
	ok "a non-empty --out mmapport did not make is refused (exit 1), its files untouched"
else
	notok "a foreign --out: exit $rc" "$tmp/err"
fi

# An --out inside the tree: refused, explicit or the default.
"$mm" classify --tree "$t" --out "$t/drivers/out" >/dev/null 2>"$tmp/err"; rc=$?
(cd "$t" && "$mm" classify --tree . >/dev/null 2>"$tmp/err2"); rc2=$?
if [ $rc = 1 ] && [ $rc2 = 1 ] && grep -q 'is inside' "$tmp/err" &&
   grep -q 'the default ./mmapport-out' "$tmp/err2" && [ ! -e "$t/drivers/out" ] &&
   [ ! -e "$t/mmapport-out" ]; then
	ok "an --out inside the tree is refused, the default one too, and not created"
else
	notok "an --out inside the tree: exits $rc, $rc2" "$tmp/err" "$tmp/err2"
fi

# A path kbuild or a shell would misread: refused before anything is made.
"$mm" classify --tree "$t" --out "$tmp/o u;t" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 1 ] && grep -q 'cannot take this path safely' "$tmp/err" && [ ! -e "$tmp/o u;t" ]; then
	ok "an --out with a space or ';' is refused (exit 1) and not created"
else
	notok "an unsafe --out: exit $rc" "$tmp/err"
fi
mkdir "$tmp/t\$(touch PWNED)" && cp -a "$t/." "$tmp/t\$(touch PWNED)/"
(cd "$tmp" && "$mm" scan --tree "$tmp/t\$(touch PWNED)" >/dev/null 2>"$tmp/err"); rc=$?
mkdir "$tmp/t-7.3.4-1~bpo13+1" && cp -a "$t/." "$tmp/t-7.3.4-1~bpo13+1/"
"$mm" scan --tree "$tmp/t-7.3.4-1~bpo13+1" >/dev/null 2>"$tmp/err2"; rc2=$?
if [ $rc = 1 ] && grep -q 'cannot take this path safely' "$tmp/err" && [ ! -e "$tmp/PWNED" ] &&
   [ $rc2 = 0 ]; then
	ok "a --tree whose path holds \$(...) is refused (exit 1); one with ~ inside a name (Debian's backports) is taken"
else
	notok "an unsafe --tree: exit $rc" "$tmp/err"
fi

# scan never reads an output directory, wherever it is.
mkdir -p "$tmp/scanme"
cp -a "$t/." "$tmp/scanme/"
cp -a "$tmp/out" "$tmp/scanme/drivers/"
if "$mm" scan --tree "$tmp/scanme" --json 2>/dev/null | jq -e 'length == 1' >/dev/null; then
	ok "scan skips an mmapport output directory inside the tree it reads"
else
	notok "scan read an output directory"
fi

# Two runs on one --out: the second stops at once.
exec 9<"$tmp/out/.mmapport-out"
flock -n 9
"$mm" convert --tree "$t" --out "$tmp/out" >/dev/null 2>"$tmp/err"; rc=$?
exec 9<&-
if [ $rc = 1 ] && grep -q 'another mmapport run is using this output directory' "$tmp/err"; then
	ok "a second run on a locked --out stops (exit 1)"
else
	notok "a second run on a locked --out: exit $rc" "$tmp/err"
fi

# classify with other --paths scans again; convert on records of another tree stops.
"$mm" classify --tree "$t" --out "$tmp/out" --paths drivers >/dev/null 2>"$tmp/err"
if grep -q 'the inventory is of .*scanning again' "$tmp/err" &&
   [ "$(jq -c .source.paths "$tmp/out/inventory.json")" = '["drivers"]' ]; then
	ok "classify with other --paths than the inventory's scans again, with a line saying so"
else
	notok "classify reused an inventory of other --paths" "$tmp/err"
fi
"$mm" classify --tree "$t" --out "$tmp/out" --paths drivers/cases >/dev/null 2>&1
mkdir -p "$tmp/other" && cp -a "$t/." "$tmp/other/"
cp "$tmp/out/records.json" "$tmp/records.before"
"$mm" convert --tree "$tmp/other" --out "$tmp/out" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 1 ] && grep -q "the records were made from --tree $t, not --tree $tmp/other" "$tmp/err" &&
   cmp -s "$tmp/out/records.json" "$tmp/records.before"; then
	ok "convert on records classified from another tree stops (exit 1), records unchanged"
else
	notok "convert on another tree's records: exit $rc" "$tmp/err"
fi

# A new commit in the tree: series refuses the stale work tree, convert makes it again.
rm "$t/drivers/cases/untracked.txt"
git -C "$t" -c user.name=t -c user.email=t@t commit -qam 'local edit'
head=$(git -C "$t" rev-parse HEAD)
"$mm" series --tree "$t" --out "$tmp/out" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 1 ] && grep -q "HEAD moved" "$tmp/err"; then
	ok "series on a work tree older than the tree's HEAD stops (exit 1)"
else
	notok "series on a stale work tree: exit $rc" "$tmp/err"
fi
if conv "$t" "$tmp/out" && grep -q 'made again: the tree.s HEAD moved' "$tmp/err" &&
   [ "$(jq -r .head "$tmp/out/work.json")" = "$head" ] &&
   [ "$(git -C "$wt" rev-parse HEAD)" = "$head" ]; then
	ok "convert makes the work tree again from the new HEAD, with a line saying so"
else
	notok "convert after a new commit" "$tmp/err"
fi

# Uncommitted changes that differ from those the work tree was made with.
echo '/* edit */' >> "$t/drivers/cases/pfn-remap.c"
if conv "$t" "$tmp/out" && grep -q 'uncommitted changes are not those' "$tmp/err" &&
   grep -q '/\* edit \*/' "$wt/drivers/cases/pfn-remap.c"; then
	ok "changed uncommitted edits make the work tree again, and are in it"
else
	notok "changed uncommitted edits" "$tmp/err"
fi
git -C "$t" checkout -q -- drivers/cases/pfn-remap.c

# A directory replaced by a symlink out of the tree, uncommitted: recorded as a
# symlink in the work tree, nothing followed, nothing outside deleted.
mkdir -p "$t/drivers/sub" "$tmp/victim"
echo a > "$t/drivers/sub/a.txt"; echo b > "$t/drivers/sub/b.txt"
echo a > "$tmp/victim/a.txt"; echo b > "$tmp/victim/b.txt"
git -C "$t" add drivers/sub && git -C "$t" -c user.name=t -c user.email=t@t commit -qm sub
rm -r "$t/drivers/sub" && ln -s "$tmp/victim" "$t/drivers/sub"
if conv "$t" "$tmp/out" && [ -f "$tmp/victim/a.txt" ] && [ -f "$tmp/victim/b.txt" ] &&
   [ -L "$wt/drivers/sub" ] && [ "$(readlink "$wt/drivers/sub")" = "$tmp/victim" ]; then
	ok "a directory replaced by a symlink: a symlink in the work tree, the files it points to untouched"
else
	notok "a directory replaced by a symlink" "$tmp/err"
fi
rm "$t/drivers/sub"; git -C "$t" checkout -q -- drivers/sub

# series with no work tree: stops, makes none.
cp -a "$tmp/out" "$tmp/nowork" && rm -rf "$tmp/nowork/work"
"$mm" series --tree "$t" --out "$tmp/nowork" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 1 ] && grep -q 'no work tree' "$tmp/err" && [ ! -e "$tmp/nowork/work" ]; then
	ok "series with the work tree gone stops (exit 1) instead of making one from the tree as it is now"
else
	notok "series without a work tree: exit $rc" "$tmp/err"
fi

# Another tree, the same --out.
t2=$tmp/tree2
mktree "$t2"
if conv "$t2" "$tmp/out" && grep -q "it was made from $t, not $t2" "$tmp/err" &&
   [ "$(jq -r .source "$tmp/out/work.json")" = "$t2" ]; then
	ok "another tree with the same --out: the work tree is made again from it"
else
	notok "another tree with the same --out" "$tmp/err"
fi

# A second run changes nothing in the work tree.
git -C "$wt" rev-parse HEAD > "$tmp/h1"
cp "$tmp/out/work.json" "$tmp/w1"
if conv "$t2" "$tmp/out" && ! grep -q 'made again' "$tmp/err" &&
   git -C "$wt" rev-parse HEAD | cmp -s - "$tmp/h1" && cmp -s "$tmp/out/work.json" "$tmp/w1"; then
	ok "a second run keeps the work tree"
else
	notok "a second run remade the work tree" "$tmp/err"
fi

# SIGKILL during the first clone: the next run recovers.
mkdir -p "$tmp/bin"
cat > "$tmp/bin/git" <<EOF
#!/bin/bash
if [ "\$1" = clone ]; then $(command -v git) "\$@"; kill -9 \$PPID; exit 1; fi
exec $(command -v git) "\$@"
EOF
chmod +x "$tmp/bin/git"
"$mm" classify --tree "$t" --out "$tmp/killed" --paths drivers/cases >/dev/null 2>&1
rc=$( (PATH=$tmp/bin:$PATH "$mm" convert --tree "$t" --out "$tmp/killed" >/dev/null 2>&1; echo $?) 2>/dev/null)
if [ $rc = 137 ] && [ -d "$tmp/killed/work.partial" ] && [ ! -e "$tmp/killed/work" ]; then
	ok "a run killed in its first clone leaves no work tree, only work.partial"
else
	notok "the killed run: exit $rc, $(ls "$tmp/killed" | tr '\n' ' ')"
fi
if "$mm" convert --tree "$t" --out "$tmp/killed" >/dev/null 2>"$tmp/err" &&
   [ ! -e "$tmp/killed/work.partial" ] && [ -f "$kwt/drivers/cases/pfn-remap.c" ] &&
   jq -e '.[0].conversion.status == "converted"' "$tmp/killed/records.json" >/dev/null; then
	ok "the next run makes the work tree and converts"
else
	notok "no recovery after a killed clone" "$tmp/err"
fi

# A tree that is not git: a copy, made again when a file changes.
nt=$tmp/plain
bash "$top/tests/lib/fake-tree.sh" "$nt"
mkdir -p "$nt/drivers/cases"
cp "$top/tests/cases/pfn-remap.c" "$nt/drivers/cases/"
if conv "$nt" "$tmp/pout" && [ -d "$pwt/.git" ] && [ ! -e "$nt/.git" ]; then
	ok "a tree that is not git is copied into a repository of mmapport's"
else
	notok "a tree that is not git" "$tmp/err"
fi
sleep 0.01
echo '/* edit */' >> "$nt/drivers/cases/pfn-remap.c"
if conv "$nt" "$tmp/pout" && grep -q 'files of the tree changed' "$tmp/err" &&
   grep -q '/\* edit \*/' "$pwt/drivers/cases/pfn-remap.c"; then
	ok "an edit in a tree that is not git makes the copy again"
else
	notok "an edit in a tree that is not git" "$tmp/err"
fi
