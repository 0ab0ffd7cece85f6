#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# File names a shell would read as code.  Beside drivers/x/normal.c (a
# simple handler) the fake tree holds handlers in files named with a
# space, quotes, ';', $(...), backquotes, a leading dash, a newline, a
# byte that is not UTF-8, and in a directory named with ';'.  scan,
# classify and convert must run none of it, crash on none, warn once for
# each such name, and treat normal.c exactly as in a tree without them.
# The tree gets a stand-in for kbuild that, like kbuild, runs object
# names through its shell even under make -n: a name reaching make would
# run there.  Also: --paths with $(...) is an error before anything runs,
# and a records.json naming such a file (edited by hand) is refused whole.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mm=$top/bin/mmapport
tmp=$(mktemp -d)
mark=/tmp/mmapport-pwned-$$	# what the printf name would create
trap 'rm -rf "$tmp" "$mark"' EXIT

# fake_kbuild TREE: the top Makefile, scripts/Makefile.build and
# gen_compile_commands.py, as far as classify asks them.
fake_kbuild() {
	mkdir -p "$1/scripts/clang-tools"
	cat > "$1/Makefile" <<'MK'
# A stand-in for kbuild: configure and prepare a build directory, and
# under make -n print each object's command as a fixdep line.  Like
# kbuild it runs $@ through its shell, on the $(MAKE) line that runs
# even under -n.
MAKEFLAGS += -rR --no-print-directory
O ?= .
Makefile: ;
allmodconfig:
	mkdir -p $(O) && echo CONFIG_MMU=y > $(O)/.config
prepare:
	@:
%.o: FORCE
	$(MAKE) -f scripts/Makefile.build obj=$(dir $@) $@
	./scripts/basic/fixdep $(O)/$(dir $@).$(notdir $@).d $@ 'gcc -nostdinc -I$(CURDIR)/include -D__KERNEL__ -std=gnu89 -fms-extensions -c -o $@ $(CURDIR)/$(@:.o=.c)' > $(O)/$(dir $@).$(notdir $@).cmd
FORCE: ;
.PHONY: allmodconfig prepare FORCE
MK
	cat > "$1/scripts/Makefile.build" <<'MK'
MAKEFLAGS += -rR
scripts/Makefile.build: ;
%.o: FORCE
	@:
FORCE: ;
MK
	cat > "$1/scripts/clang-tools/gen_compile_commands.py" <<'PY'
# -d BDIR -o OUT DIR: the .cmd files under DIR as compile_commands.json
import json, os, re, sys
d, o, top = sys.argv[2], sys.argv[4], sys.argv[5]
out = []
for root, _, names in os.walk(top):
    for n in names:
        m = n.endswith('.o.cmd') and re.match(r'savedcmd_\S+ := (.*)', open(os.path.join(root, n)).read())
        if m:
            out.append({'directory': d, 'command': m.group(1), 'file': m.group(1).split()[-1]})
json.dump(out, open(o, 'w'), indent=1)
PY
}

# The names (under drivers/x/) and how a warning shows them.
names=('sp ace.c' "q'uote.c" 'd"quote.c' 'x;touch PWNED;.c' '$(touch PWNED).c'
       '`touch PWNED`.c' '-rf.c' $'new\nline.c' $'bad\xff.c'
       '$(printf \\57tmp\\57mmapport-pwned-'"$$"'|xargs touch).c' 'd;touch PWNED;/ok.c')
shown=("${names[@]}")
shown[7]='new\x0aline.c'
shown[8]='bad\xff.c'
shown[9]=${names[9]//\\/\\x5c}	# a backslash is escaped too

echo "1..$(( ${#names[@]} + 15 ))"
n=0
ok() {	# ok CONDITION-STATUS DESCRIPTION [FILE TO SHOW ON FAILURE]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || sed 's/^/#   /' "$3"
	fi
}
pwned() {	# anything the names would have created
	find "$tmp" -name 'PWNED*' | grep -q . || [ -e "$mark" ]
}
tree_state() {	# the tree's files, contents and times
	tar -C "$tree" --sort=name -cf - . | sha1sum
}

tree=$tmp/tree
mkdir -p "$tmp/cwd"
cd "$tmp/cwd" || exit 1
bash "$top/tests/lib/fake-tree.sh" "$tree"
fake_kbuild "$tree"
mkdir -p "$tree/drivers/x"
cp "$top/tests/cases/simple-vmops.c" "$tree/drivers/x/normal.c"

# normal.c alone: what every run below must give it
base=$tmp/base
"$mm" classify --tree "$tree" --out "$base" >/dev/null 2>"$tmp/base.err" &&
	jq -S . "$base/records.json" > "$tmp/base-classify.json" &&
	"$mm" convert --tree "$tree" --out "$base" >/dev/null 2>>"$tmp/base.err" ||
	{ sed 's/^/#   /' "$tmp/base.err"; }

i=0
for name in "${names[@]}"; do
	i=$((i + 1))
	mkdir -p "$(dirname "$tree/drivers/x/$name")"
	sed "s/demo_/h${i}_/g" "$tree/drivers/x/normal.c" > "$tree/drivers/x/$name"
done
before=$(tree_state)

out=$tmp/out
"$mm" scan --tree "$tree" --out "$out" >/dev/null 2>"$tmp/scan.err"
ok $? "scan: exits 0 with every name" "$tmp/scan.err"
for k in "${!names[@]}"; do
	c=$(grep -cF -- "warning: drivers/x/${shown[k]}: file name refused" "$tmp/scan.err")
	[ "$c" = 1 ]
	ok $? "scan: one warning naming drivers/x/${shown[k]}" "$tmp/scan.err"
done
[ "$(jq -r '[.records[].file] | unique | join(" ")' "$out/inventory.json" 2>/dev/null)" = \
  drivers/x/normal.c ]
ok $? "scan: records drivers/x/normal.c only"

"$mm" classify --tree "$tree" --out "$out" >/dev/null 2>"$tmp/classify.err"
ok $? "classify: exits 0" "$tmp/classify.err"
jq -S . "$out/records.json" > "$tmp/out.json" 2>&1
diff -u "$tmp/base-classify.json" "$tmp/out.json" > "$tmp/records.diff"
ok $? "classify: normal.c's record as in a tree without the other names" "$tmp/records.diff"
jq -e '.[0].analysis.flags == "kbuild x86_64 allmodconfig"' "$out/records.json" >/dev/null 2>&1
ok $? "classify: normal.c parsed with the flags make -n gave" "$tmp/classify.err"

"$mm" convert --tree "$tree" --out "$out" >/dev/null 2>"$tmp/convert.err"
ok $? "convert: exits 0" "$tmp/convert.err"
jq -S . "$out/records.json" > "$tmp/out.json" 2>&1
jq -S . "$base/records.json" > "$tmp/base.json" 2>&1
diff -u "$tmp/base.json" "$tmp/out.json" > "$tmp/records.diff" &&
	jq -e '.[0].conversion.status == "converted"' "$out/records.json" >/dev/null &&
	cmp -s "$base/diffs/drivers_x_normal.c.patch" "$out/diffs/drivers_x_normal.c.patch"
ok $? "convert: normal.c converted as in a tree without the other names" "$tmp/records.diff"
[ "$(git -C "$out/work" status --porcelain 2>&1)" = " M drivers/x/normal.c" ]
ok $? "convert: the work tree changed in drivers/x/normal.c only"

! pwned
ok $? "nothing a name says ran (no PWNED, no $mark)"
[ "$(tree_state)" = "$before" ]
ok $? "the tree was not written"

# --paths naming such a file: an error, and no command at all
mkdir -p "$tmp/shims"
for c in make spatch git python3 perl grep sh; do
	printf '#!/bin/sh\necho %s >> "%s/ran"\nexit 1\n' "$c" "$tmp" > "$tmp/shims/$c"
	chmod +x "$tmp/shims/$c"
done
PATH=$tmp/shims:$PATH "$mm" classify --tree "$tree" --out "$tmp/paths" \
	--paths 'drivers/x/$(touch PWNED).c' >/dev/null 2>"$tmp/paths.err"
[ $? = 1 ] && grep -qF 'error: --paths drivers/x/$(touch PWNED).c: file name refused' "$tmp/paths.err"
ok $? "--paths with \$(...): an error naming it" "$tmp/paths.err"
[ ! -e "$tmp/ran" ] && ! pwned
ok $? "--paths with \$(...): no command ran" "$tmp/ran"

# records.json naming such a file (edited by hand): not a records file
# mmapport takes; convert, check and series stop before they run anything
edit=$tmp/edit
mkdir -p "$edit"
cp "$base/inventory.json" "$base/.mmapport-out" "$edit/"
jq '. + [.[0] | .file = "drivers/x/$(touch PWNED).c" | .function = "h5_mmap" |
	 .id = "drivers/x/$(touch PWNED).c:1:mmap"]' "$base/records.json" > "$edit/records.json"
cp "$edit/records.json" "$tmp/edit.records"
for stage in convert check series; do
	"$mm" $stage --tree "$tree" --out "$edit" >/dev/null 2>"$tmp/edit.err"
	[ $? = 1 ] && ! pwned && cmp -s "$edit/records.json" "$tmp/edit.records" &&
		grep -q 'not an mmapport records file: .*"file" is "drivers/x/$(touch PWNED).c", not a path inside the tree of a name mmapport takes' "$tmp/edit.err" &&
		[ ! -e "$edit/work" ]
	ok $? "records.json naming \$(...): $stage refuses the file (exit 1), runs and writes nothing" "$tmp/edit.err"
done
