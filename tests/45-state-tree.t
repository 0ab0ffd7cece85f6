#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stateful conversions on a real tree.  tests/fixtures/mmapport_state.c
# holds five handlers: a reference kept by the mapping (demo_ref), one
# found again through the file (demo_chain), a count dropped under
# "if (ret)" at the common exit (demo_count, intel_th msc's shape), an
# allocation in vm_private_data freed by goto unwinding (demo_alloc), and
# a reference dropped in an early-return block (demo_early).  It is put
# into a scratch clone of Debian's 7.2 tree (git clone --shared: the
# cached tree is not written) and converted for both profiles: mainline
# moves the first two references to vm_ops->mapped, rfc moves them to
# mmap_complete and gives the last three an mmap_abort; each conversion
# must build and be sparse clean on x86_64 (rfc through the overlay), and
# each other handler is refused with its reason.  The build directory is kept between runs.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$("$top/tools/fetch-tree.sh" 7.2) || { echo "1..0 # SKIP cannot fetch the tree"; exit 1; }
out=${MMAPPORT_TEST_OUT:-$top/build/test-state}
ktree=$out.tree
echo "1..6"

before=$(git -C "$tree" status --porcelain | wc -l)
rm -f "$out/records.json" "$out/inventory.json"
# The scratch tree (and the work tree and build made from it) is kept while
# the fixture is the same: a new one costs two checkouts and a prepare.
if ! cmp -s "$top/tests/fixtures/mmapport_state.c" "$ktree/drivers/misc/mmapport_state.c" ||
   [ -n "$(git -C "$ktree" status --porcelain 2>&1)" ]; then
	rm -rf "$ktree" "$out/work" "$out/work.json"
	git clone -q --shared "$tree" "$ktree" &&
		cp "$top/tests/fixtures/mmapport_state.c" "$ktree/drivers/misc/" &&
		echo 'obj-m += mmapport_state.o' >> "$ktree/drivers/misc/Makefile" &&
		git -C "$ktree" add -f drivers/misc/mmapport_state.c drivers/misc/Makefile &&
		git -C "$ktree" -c user.name=t -c user.email=t@t commit -qm "mmapport state fixtures" ||
		{ echo "Bail out! cannot make the scratch tree"; exit 1; }
fi

# "function:status:check" for every record, sorted
summary() {
	jq -r 'sort_by(.function) | .[] | "\(.function):\(.conversion.status // "-"):\(.check.overall.status // "-")"' \
		"$out/records.json" 2>/dev/null | tr '\n' ' '
}
# every refusal has a reason
reasons() {
	jq -e '[.[] | select(.conversion.status == "refused") | .conversion.reason // ""] | all(length > 20)' \
		"$out/records.json" >/dev/null 2>&1
}

n=0
for api in mainline rfc; do
	case $api in
	mainline) want="demo_alloc_mmap:refused:- demo_chain_mmap:converted:pass demo_count_mmap:refused:- demo_early_mmap:refused:- demo_ref_mmap:converted:pass " ;;
	rfc) want="demo_alloc_mmap:converted:pass demo_chain_mmap:converted:pass demo_count_mmap:converted:pass demo_early_mmap:converted:pass demo_ref_mmap:converted:pass " ;;
	esac
	"$top/bin/mmapport" run --tree "$ktree" --out "$out" --api $api --arch x86_64 \
		--paths drivers/misc/mmapport_state.c > "$out.$api.log" 2>&1
	got=$(summary)
	n=$((n + 1))
	if [ "$got" = "$want" ] && reasons; then
		echo "ok $n - $api: $want"
	else
		echo "not ok $n - $api: want '$want', got '$got'"
		jq -r '.[] | "# \(.function): \(.conversion.reason // .check.overall.reason // "")"' \
			"$out/records.json" 2>/dev/null
		tail -5 "$out.$api.log" | sed 's/^/# /'
	fi
	patch=$(cat "$out"/diffs/*.patch 2>/dev/null)
	n=$((n + 1))
	if [ $api = mainline ] &&
	   grep -q '^+	.mapped = demo_ref_mmap_mapped,$' <<<"$patch" &&
	   grep -q '^+	struct demo_iter \*it = file->private_data;$' <<<"$patch" &&
	   grep -q '^-	kref_get(&o->ref);$' <<<"$patch"; then
		echo "ok $n - mainline: the references are taken in vm_ops->mapped"
	elif [ $api = rfc ] &&
	     grep -q '^+	.mmap_abort	= demo_count_mmap_abort,$' <<<"$patch" &&
	     grep -q '^+	struct demo_obj \*o = (struct demo_obj \*)context;$' <<<"$patch" &&
	     grep -q '^+	struct demo_buf \*b = (struct demo_buf \*)vm_private_data;$' <<<"$patch" &&
	     grep -q '^+	desc->mmap_context = o;$' <<<"$patch" &&
	     grep -q '^+	.mmap_complete	= demo_ref_mmap_complete,$' <<<"$patch" &&
	     grep -q '^+	struct demo_obj \*o = vma->vm_private_data;$' <<<"$patch"; then
		echo "ok $n - rfc: mmap_abort releases what prepare took, found through the context or vm_private_data; mmap_complete takes the references"
	else
		echo "not ok $n - $api: the patch lacks the hooks"
		sed 's/^/# /' <<<"$patch" | head -60
	fi
done

n=$((n + 1))
if grep -q 'Behaviour changes:' "$out"/series/0001-*.patch 2>/dev/null &&
   grep -q 'total: 0 errors' "$out/series/checkpatch.txt" 2>/dev/null; then
	echo "ok $n - rfc: the series states the behaviour changes, checkpatch clean"
else
	echo "not ok $n - rfc: no series patch with its behaviour changes, or checkpatch errors"
	sed 's/^/# /' "$out/series/checkpatch.txt" 2>/dev/null
fi

n=$((n + 1))
if [ "$(git -C "$tree" status --porcelain | wc -l)" = "$before" ]; then
	echo "ok $n - the cached tree is untouched"
else
	echo "not ok $n - the cached tree was written"
fi
