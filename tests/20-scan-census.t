#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scan against an independent census on Debian's linux-source 7.2 tree:
# a multi-line aware regular-expression count of ".mmap =" and
# ".mmap_prepare =" inside "struct file_operations NAME = { ... }"
# initialisers (docs/scan.md explains how this differs from a one-line grep).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"

"$top/bin/mmapport" scan --json --tree "$tree" > "$tmp/scan.json" 2>"$tmp/err"
if [ -s "$tmp/scan.json" ] && jq -e 'length > 500' "$tmp/scan.json" >/dev/null; then
	echo "ok 1 - scan --json prints $(jq length "$tmp/scan.json") records"
else
	echo "not ok 1 - scan --json failed"; sed 's/^/# /' "$tmp/err"
fi

python3 - "$tree" > "$tmp/census.txt" <<'PY'
import os, re, sys
root = sys.argv[1]
opener = re.compile(r'struct\s+file_operations\s+(__\w+\s+)*([\w#]+)\s*(\[[^\]]*\])?\s*(__\w+\s*)*=\s*\{')
counts = {'mmap': 0, 'mmap_prepare': 0}
for d, dirs, files in os.walk(root):
    rel = os.path.relpath(d, root)
    if rel.split(os.sep)[0] in ('tools', 'Documentation', 'scripts', 'usr', '.git'):
        dirs[:] = []
        continue
    for f in files:
        if not f.endswith(('.c', '.h')):
            continue
        text = open(os.path.join(d, f), errors='replace').read()
        for m in opener.finditer(text):
            i, depth = m.end(), 1
            while i < len(text) and depth:
                depth += {'{': 1, '}': -1}.get(text[i], 0)
                i += 1
            body = text[m.end():i]
            for hook in counts:
                counts[hook] += len(re.findall(r'(?m)^\s*\.%s\s*=' % hook, body))
for hook, n in counts.items():
    print(hook, n)
PY
n=2
for hook in mmap mmap_prepare; do
	want=$(awk -v h=$hook '$1 == h {print $2}' "$tmp/census.txt")
	got=$(jq --arg h $hook '[.[] | select(.ops_type == "file_operations" and .hook == $h and .registration == "initializer")] | length' "$tmp/scan.json")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		echo "ok $n - file_operations .$hook initialisers: scan $got = census $want"
	else
		echo "not ok $n - file_operations .$hook initialisers: scan $got, census $want"
	fi
	n=$((n + 1))
done

# every record names a hook whose type came from the tree's declarations
bad=$(jq '[.[] | select((.hook // "") == "")] | length' "$tmp/scan.json")
if [ "$bad" = 0 ]; then echo "ok 4 - every record names its hook"; else echo "not ok 4 - $bad records without a hook"; fi
