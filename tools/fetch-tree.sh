#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-tree.sh - provide a kernel tree from Debian's linux-source packages.
#
# Usage: fetch-tree.sh [VERSION]
#
# VERSION is "7" (default: the newest linux-source-7.*), a series such as
# "7.2" or "6.12".  The package is fetched with apt into a private apt state,
# unpacked once into the cache and reused; the tree's path is printed on
# stdout.  The unpacked tree is made a git repository with one baseline
# commit, so that runs can take cheap worktrees from it.  Its objects are
# one pack: mmapport's work tree is a clone that copies the objects
# (--no-hardlinks), and copying a pack is one file where a fresh commit of
# a kernel tree leaves about 90,000 loose ones.  Concurrent calls (make
# check runs tests in parallel) wait for each other on a lock in the cache.
set -euo pipefail

want=${1:-7}
here=$(cd "$(dirname "$0")" && pwd)
cache=${MMAPPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapport}
state=$cache/apt
trees=$cache/trees
mkdir -p "$trees"

log() { echo "fetch-tree: $*" >&2; }

exec 9>>"$cache/fetch-tree.lock"
flock 9

# one pack, no deltas (fast to make; the tree has one commit)
pack() {
	git -C "$1" repack -a -d -q --window=0 --depth=0
	touch "$1/../.mmapport-packed"
}

# Refresh the private lists at most once a day.
if [ ! -d "$state/lists" ] || [ -z "$(find "$state/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
	log "updating the private apt lists"
	"$here/apt-private.sh" "$state" update >&2
fi

# Newest package linux-source-$want or linux-source-$want.N.
pkg=$("$here/apt-private.sh" "$state" search '^linux-source-[0-9]' 2>/dev/null |
	awk '{print $1}' | grep -E "^linux-source-${want//./\\.}(\\.[0-9]+)?\$" |
	sort -V | tail -n 1 || true)
if [ -z "$pkg" ]; then
	log "no package linux-source-$want* in the archive"
	exit 1
fi
ver=$("$here/apt-private.sh" "$state" madison "$pkg" |
	awk -F'|' -v p="$pkg" '$1 ~ p && $3 ~ /Packages/ {gsub(/ /, "", $2); print $2}' |
	sort -V | tail -n 1)
dest=$trees/$pkg-$ver
if [ -f "$dest/.mmapport-ready" ]; then
	if [ ! -f "$dest/.mmapport-packed" ]; then
		log "packing the objects of $dest/tree (a tree cached before they were packed)"
		pack "$dest/tree"
	fi
	echo "$dest/tree"
	exit 0
fi

log "fetching $pkg $ver"
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
(cd "$dest.partial" && "$here/apt-private.sh" "$state" download "$pkg=$ver" >&2)
deb=$(ls "$state"/cache/archives/"${pkg}"_*.deb 2>/dev/null | grep -F "$(echo "$ver" | sed 's/:/%3a/')" | head -n 1 || true)
[ -n "$deb" ] || deb=$(ls -t "$state"/cache/archives/"${pkg}"_*.deb | head -n 1)
log "unpacking $deb"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest.partial" --wildcards '*.tar.xz'
tarball=$(find "$dest.partial" -name 'linux-source-*.tar.xz' | head -n 1)
mkdir -p "$dest.partial/tree"
tar -xJf "$tarball" -C "$dest.partial/tree" --strip-components=1
rm -rf "$dest.partial/usr"
log "recording the baseline commit"
(
	cd "$dest.partial/tree"
	git init -q
	# no background "gc --auto" after the commit: it would go on writing
	# the repository after this script returns, while mmapport reads it
	# and the tests check that nothing there changes
	git config gc.auto 0
	git config maintenance.auto false
	git -c user.name=mmapport -c user.email=mmapport@localhost \
		-c core.autocrlf=false add -A -f .
	git -c user.name=mmapport -c user.email=mmapport@localhost \
		commit -q -m "$pkg $ver (Debian linux-source, as unpacked)"
)
pack "$dest.partial/tree"
rm -f "$deb"
mv "$dest.partial" "$dest"
touch "$dest/.mmapport-ready"
echo "$dest/tree"
