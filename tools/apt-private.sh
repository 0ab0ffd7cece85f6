#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# apt-private.sh - an apt state of our own, for packages of other suites.
#
# Usage: apt-private.sh STATEDIR {update|download PKG...|source PKG...|policy PKG...}
#
# The mirror is taken from the system's apt configuration (the URI that
# serves its main Debian suite); nothing here names a host.  The system's
# own apt state is never touched: lists, caches and sources live in STATEDIR.
set -euo pipefail

state=${1:?usage: apt-private.sh STATEDIR COMMAND [ARGS]}
cmd=${2:?usage: apt-private.sh STATEDIR COMMAND [ARGS]}
shift 2

# The suites holding newer kernels than bookworm: linux-source-7.x is in sid
# and trixie-backports, linux-source-6.12 in bookworm's security suite.
suites_main="sid trixie-backports bookworm bookworm-backports"
suites_security="bookworm-security"

# Print "URI" for the system's main archive and its security archive, read
# from deb822 .sources files and one-line sources.list entries alike.
system_uri() {
	local want=$1	# "main" or "security"
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			awk 'BEGIN { RS = ""; FS = "\n" }
			{
				uri = ""; suites = ""; enabled = 1
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); uri = $i }
					if ($i ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", $i); suites = $i }
					if ($i ~ /^Enabled:[ \t]*no/) enabled = 0
				}
				if (enabled && uri != "") print uri "\t" suites
			}' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] || continue
			awk '$1 == "deb" {
				i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
				print $i "\t" $(i + 1)
			}' "$f"
		done
	} | awk -F'\t' -v want="$want" '
		{ split($1, uris, " "); n = split($2, s, " ")
		  for (j = 1; j <= n; j++) {
			sec = (s[j] ~ /-security$/)
			if (s[j] !~ /^(bookworm|trixie|sid|unstable|stable|testing|oldstable)/)
				continue
			if ((want == "security") == sec) { print uris[1]; exit }
		  } }'
}

setup() {
	local main sec
	main=$(system_uri main)
	sec=$(system_uri security)
	if [ -z "$main" ]; then
		echo "apt-private: no Debian archive found in the system's apt configuration" >&2
		exit 1
	fi
	mkdir -p "$state"/lists/partial "$state"/cache/archives/partial "$state"/etc/preferences.d
	{
		for s in $suites_main; do
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $main $s main"
			echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $main $s main"
		done
		if [ -n "$sec" ]; then
			for s in $suites_security; do
				echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $sec $s main"
				echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $sec $s main"
			done
		fi
	} > "$state/etc/sources.list"
}

aptopts() {
	printf '%s\n' \
		-o "Dir::State=$state" \
		-o "Dir::State::Lists=$state/lists" \
		-o "Dir::State::status=$state/status" \
		-o "Dir::Cache=$state/cache" \
		-o "Dir::Etc::SourceList=$state/etc/sources.list" \
		-o "Dir::Etc::SourceParts=-" \
		-o "Dir::Etc::PreferencesParts=$state/etc/preferences.d" \
		-o "APT::Get::List-Cleanup=0" \
		-o "Acquire::Languages=none" \
		-o "APT::Sandbox::User=root" \
		-o "Debug::NoLocking=1"
}

[ -f "$state/etc/sources.list" ] || setup
touch "$state/status"
mapfile -t opts < <(aptopts)

case $cmd in
update)
	setup
	apt-get "${opts[@]}" -q update
	;;
download)
	cd "$state/cache/archives"
	apt-get "${opts[@]}" -q download "$@"
	;;
source)
	apt-get "${opts[@]}" -q source --download-only "$@"
	;;
policy)
	apt-cache "${opts[@]}" policy "$@"
	;;
search)
	apt-cache "${opts[@]}" search "$@"
	;;
madison)
	apt-cache "${opts[@]}" madison "$@"
	;;
*)
	echo "apt-private: unknown command $cmd" >&2
	exit 2
	;;
esac
