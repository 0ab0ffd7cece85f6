#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/compat.c on its own (docs/usage.md, "Out-of-tree drivers"): an
# --external conversion keeps the old code for older kernels, each changed
# region under "#if GUARD" with the old lines in its #else.  Whatever the
# file, taking every "#if GUARD" branch must give exactly the converted
# file and taking every #else exactly the old one; a handler whose
# signature changed is wrapped whole (the old handler intact beside the
# new one), a changed member of an initializer alone, an added function or
# member with no #else; a region never splits the file's own #ifdef.  The
# end-to-end run is in tests/50-external.t.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
echo "1..8"

cc -std=gnu11 -o cm "$top/tests/lib/compat-main.c" "$top/build/obj/compat.o" \
	"$top/build/obj/util.o" -ljansson || { echo "Bail out! the harness does not build"; exit 1; }
G='defined(MMAPPORT_TEST_NEW)'

# view FILE new|old: the file as the preprocessor would keep it, our
# guard's branches only (the file's own conditionals kept as they are)
view() {
	perl -e '
		my ($want, $g) = @ARGV[1, 2];
		open my $f, "<", $ARGV[0] or die;
		my @st;	# per open conditional: [ours, in_else]
		while (my $l = <$f>) {
			if ($l =~ /^\s*#\s*if/) {
				my $ours = $l eq "#if $g\n";
				push @st, [$ours, 0];
				next if $ours;
			} elsif ($l =~ /^\s*#\s*else/ && @st && $st[-1][0]) {
				$st[-1][1] = 1; next;
			} elsif ($l =~ /^\s*#\s*endif/ && @st) {
				my $top = pop @st;
				next if $top->[0];
			}
			my $keep = 1;
			for my $s (@st) {
				next unless $s->[0];
				$keep = 0 if ($want eq "new") == $s->[1];
			}
			print $l if $keep;
		}' "$1" "$2" "$G"
}

cat > old.c <<'C'
#include <linux/fs.h>
#include <linux/mm.h>

/* The handler. */
static int foo_mmap(struct file *file, struct vm_area_struct *vma)
{
#ifdef CONFIG_FOO_DEBUG
	pr_debug("foo: mmap\n");
#endif
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vma->vm_ops = &foo_vm_ops;
	return 0;
}

static const struct vm_operations_struct foo_vm_ops = {
	.close = foo_close,
};

static const struct file_operations foo_fops = {
	.owner		= THIS_MODULE,
	.read		= foo_read,
	.mmap		= foo_mmap,
	.release	= foo_release,
};
C
cat > new.c <<'C'
#include <linux/fs.h>
#include <linux/mm.h>

/* The handler. */
static int foo_mmap_prepare(struct vm_area_desc *desc)
{
#ifdef CONFIG_FOO_DEBUG
	pr_debug("foo: mmap\n");
#endif
	if (vma_desc_test(desc, VMA_WRITE_BIT))
		return -EPERM;
	desc->vm_ops = &foo_vm_ops;
	return 0;
}

static int foo_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
		      const struct file *file, void **vm_private_data)
{
	return 0;
}

static const struct vm_operations_struct foo_vm_ops = {
	.close = foo_close,
	.mapped = foo_mapped,
};

static const struct file_operations foo_fops = {
	.owner		= THIS_MODULE,
	.read		= foo_read,
	.mmap_prepare	= foo_mmap_prepare,
	.release	= foo_release,
};
C
cp new.c out.c
git diff --no-index -U0 old.c new.c > d.diff
n=$(./cm old.c out.c d.diff "$G")
num=0
t() { num=$((num + 1)); if [ "$1" = ok ]; then echo "ok $num - $2"; else echo "not ok $num - $2"; fi; }

# (git's diff puts the added function inside the handler's hunk: one region)
[ "$n" = 3 ] && t ok "three regions: the handler with the function added after it, the added member, the registration" ||
	t no "regions: $n (want 3)"
view out.c new | cmp -s - new.c && t ok "every #if branch taken gives the converted file" ||
	{ t no "every #if branch taken gives the converted file"; view out.c new | diff new.c - | sed 's/^/# /'; }
view out.c old | cmp -s - old.c && t ok "every #else taken gives the old file" ||
	{ t no "every #else taken gives the old file"; view out.c old | diff old.c - | sed 's/^/# /'; }
# the old handler intact in an #else, its comment with it
if perl -e '
	open my $o, "<", "old.c" or die; my @old = <$o>; my @h = @old[3 .. 13];
	open my $f, "<", "out.c" or die; my @out = <$f>;
	for my $i (0 .. $#out) {
		next unless $out[$i] eq "#else\n";
		exit 0 if join("", @out[$i + 1 .. $i + @h]) eq join("", @h);
	}
	exit 1'; then
	t ok "the handler is wrapped whole: the old one, with its comment, intact in the #else"
else
	t no "the handler is wrapped whole"; sed 's/^/# /' out.c | head -40
fi
# the registration: one line each way, inside the initializer
if grep -A5 "^	.read		= foo_read,$" out.c | tr '\n' '|' |
   grep -qF "#if $G|	.mmap_prepare	= foo_mmap_prepare,|#else|	.mmap		= foo_mmap,|#endif|"; then
	t ok "a changed member of an initializer is wrapped alone"
else
	t no "a changed member of an initializer is wrapped alone"; sed 's/^/# /' out.c
fi
# additions have no #else
if grep -B1 -A1 "^	.mapped = foo_mapped,$" out.c | tr '\n' '|' | grep -qF "#if $G|	.mapped = foo_mapped,|#endif|"; then
	t ok "an added member has no #else"
else
	t no "an added member has no #else"
fi
# the file's own #ifdef stays whole in each branch: balanced in both views
bal() { perl -ne '$d++ if /^\s*#\s*if/; $d-- if /^\s*#\s*endif/; $bad = 1 if $d < 0; END { print $bad || $d ? "no" : "ok" }'; }
[ "$(view out.c new | bal) $(view out.c old | bal) $(bal < out.c)" = "ok ok ok" ] &&
	t ok "the file's own #ifdef is whole in both branches" || t no "unbalanced conditionals"

# a version guard needs <linux/version.h>: added after the includes, once
cp new.c out2.c
./cm old.c out2.c d.diff 'KERNEL_VERSION(7, 2, 0) <= LINUX_VERSION_CODE' > /dev/null
if [ "$(sed -n 3p out2.c)" = '#include <linux/version.h>' ] &&
   [ "$(grep -c 'linux/version.h' out2.c)" = 1 ]; then
	t ok "a LINUX_VERSION_CODE guard includes <linux/version.h> after the file's includes"
else
	t no "linux/version.h: $(grep -n 'version.h' out2.c)"
fi
