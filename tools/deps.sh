#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install what mmapport needs and pick a sparse fit for a tree.
#
# Usage: deps.sh [--tree KERNEL_TREE] [--arch LIST]
#
# --arch LIST (comma-separated profile names of arch/*.conf, or "all") also
# installs the cross compilers of those profiles (their PACKAGE); a profile
# without a package (csky, loongarch) is left alone: its checks say
# "skipped: no toolchain".
#
# The Debian packages below are installed with apt-get when missing (through
# sudo unless run as root).  With --tree, the tree's own
# scripts/checker-valid.sh decides whether the system's sparse will do; when
# it will not, sparse is built from the newest Debian source package (fetched
# through the private apt state of apt-private.sh) and installed into
# build/sparse of this project, never into the system.  The path of the sparse
# to use is the only thing printed on stdout; everything else goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/.." && pwd)
cache=${MMAPPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapport}
state=$cache/apt
srcdir=$cache/sparse-src
prefix=$project/build/sparse
local_sparse=$prefix/bin/sparse

packages="coccinelle libclang-16-dev clang-16 sparse flex bison libelf-dev libssl-dev
	libjansson-dev bc cpio rsync kmod dpkg-dev pkg-config git gcc make perl
	python3 xz-utils"

log() { echo "deps: $*" >&2; }
die() { echo "deps: error: $*" >&2; exit 1; }

usage() {
	echo "usage: deps.sh [--tree KERNEL_TREE] [--arch LIST|all]" >&2
	exit 2
}

tree=
arches=
while [ $# -gt 0 ]; do
	case $1 in
	--arch)
		[ $# -ge 2 ] || usage
		arches=$2
		shift 2
		;;
	--arch=*)
		arches=${1#--arch=}
		shift
		;;
	--tree)
		[ $# -ge 2 ] || usage
		tree=$2
		shift 2
		;;
	--tree=*)
		tree=${1#--tree=}
		shift
		;;
	-h|--help)
		usage
		;;
	*)
		echo "deps: unknown argument '$1'" >&2
		usage
		;;
	esac
done

# --- Debian packages ---------------------------------------------------------

# The cross compilers of the profiles asked for.
profile_value() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}
if [ -n "$arches" ]; then
	if [ "$arches" = all ]; then
		arches=$(cd "$project/arch" && ls *.conf | sed 's/\.conf$//' | tr '\n' ,)
	fi
	for a in ${arches//,/ }; do
		conf=$project/arch/$a.conf
		[ -f "$conf" ] || die "no architecture profile arch/$a.conf"
		pkg=$(profile_value "$conf" PACKAGE)
		if [ -z "$pkg" ]; then
			log "$a: Debian has no cross compiler; its checks will be skipped"
			continue
		fi
		case " $packages " in
		*" $pkg "*) ;;
		*) packages="$packages $pkg" ;;
		esac
	done
fi

install_packages() {
	local p status sudo=
	local -a missing=()

	for p in $packages; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		log "all packages present"
		return 0
	fi

	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null ||
			die "not root and no sudo to install: ${missing[*]}"
		sudo=sudo
	fi
	log "installing: ${missing[*]}"
	$sudo apt-get update >&2 || die "apt-get update failed"
	$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install failed for: ${missing[*]}"
	log "installed ${missing[*]}"
}

install_packages
[ -n "$tree" ] || exit 0

# --- sparse for the given tree -----------------------------------------------

[ -d "$tree" ] || die "kernel tree '$tree' is not a directory"
tree=$(CDPATH='' cd -- "$tree" && pwd)
checker=$tree/scripts/checker-valid.sh

# The kernel's own test: the script prints 1 for a usable checker.  It may
# fail or print something else; anything but "1" is a failure.
sparse_valid() {
	local out

	[ -x "$1" ] || return 1
	out=$(sh "$checker" "$1" 2>/dev/null) || true
	[ "$out" = "1" ]
}

if [ ! -f "$checker" ]; then
	# Trees without the script accept any sparse.
	sys=$(command -v sparse) || die "no sparse in PATH"
	log "$tree has no scripts/checker-valid.sh; using $sys"
	echo "$sys"
	exit 0
fi

sys=$(command -v sparse || true)
if [ -n "$sys" ] && sparse_valid "$sys"; then
	log "system sparse $sys passes the tree's checker-valid.sh"
	echo "$sys"
	exit 0
fi
log "system sparse ${sys:-(none)} fails the tree's checker-valid.sh"

if sparse_valid "$local_sparse"; then
	log "using the project-local $local_sparse"
	echo "$local_sparse"
	exit 0
fi

mkdir -p "$srcdir"
# One build at a time; a concurrent run may have finished it meanwhile.
if command -v flock >/dev/null; then
	exec 9>"$srcdir/.lock"
	flock 9
	if sparse_valid "$local_sparse"; then
		log "using the project-local $local_sparse"
		echo "$local_sparse"
		exit 0
	fi
fi

if ! ls "$state"/lists/*Sources* >/dev/null 2>&1; then
	log "updating the private apt lists"
	"$here/apt-private.sh" "$state" update >&2 ||
		die "updating the private apt lists failed"
fi

# Newest version of the sparse source package, in dpkg's ordering.
ver=
for v in $("$here/apt-private.sh" "$state" madison sparse |
	   awk -F'|' '$3 ~ /Sources/ { gsub(/ /, "", $2); print $2 }'); do
	if [ -z "$ver" ] || dpkg --compare-versions "$v" gt "$ver"; then
		ver=$v
	fi
done
[ -n "$ver" ] || die "no sparse source package in the private apt lists"

nover=${ver#*:}			# file names carry no epoch
upstream=${nover%-*}
dsc=$srcdir/sparse_$nover.dsc
build=$srcdir/sparse-$nover

if [ ! -f "$dsc" ]; then
	log "fetching the sparse $ver source package"
	(cd "$srcdir" && "$here/apt-private.sh" "$state" source "sparse=$ver" >&2) ||
		die "downloading the sparse $ver source package failed"
	[ -f "$dsc" ] || die "no $dsc after the download"
fi

# The upstream sources, without Debian's patches: those only pin gcc-16 (for
# Debian's own dependency) and add a linker flag.
log "unpacking sparse $ver into $build"
rm -rf "$build"
if ! dpkg-source -x --no-check --skip-patches "$dsc" "$build" >&2; then
	log "dpkg-source failed; unpacking the orig tarball with tar"
	orig=$(find "$srcdir" -maxdepth 1 -name "sparse_$upstream.orig.tar.*" | head -n 1)
	[ -n "$orig" ] || die "no orig tarball for sparse $ver in $srcdir"
	rm -rf "$build"
	mkdir -p "$build"
	tar -xf "$orig" -C "$build" --strip-components=1 ||
		die "unpacking $orig failed"
fi

# Only sparse itself is needed: leave out the optional LLVM, GTK and SQLite
# tools, whose libraries may be absent or of an unsupported version.
log "building sparse $ver (make -j$(nproc))"
makeflags=(HAVE_LLVM=no HAVE_GTK=no HAVE_SQLITE=no)
make -C "$build" -j"$(nproc)" "${makeflags[@]}" >&2 ||
	die "building sparse $ver failed (see the output above)"
make -C "$build" install PREFIX="$prefix" "${makeflags[@]}" >&2 ||
	die "installing sparse $ver into $prefix failed"

if ! sparse_valid "$local_sparse"; then
	die "sparse $ver built into $local_sparse still fails $checker"
fi
log "built sparse $ver into $local_sparse; it passes the tree's check"
echo "$local_sparse"
