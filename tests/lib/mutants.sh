# SPDX-License-Identifier: GPL-2.0
#
# The mutants of a converted file (docs/equivalence.md, "Mutation
# testing"), for tests/10-cases.t on the cases and tests/bench-mutants.sh
# on a whole tree's conversions.  Source it; $kinds lists the kinds.

# mutate KIND FILE: apply one mutant in place, in the first function the
# conversion wrote (NAME_prepare, _complete, _mapped) or gave the
# descriptor to (a helper) where it applies
mutate() {
	case $1 in
	flag-test)
		in_new "$2" 'if (/!\s*vma_desc_test/) { s/!\s*(vma_desc_test)/$1/ }
			else { s/(?<![\w!])(vma_desc_test(?:_any)?\()/!$1/ }' ;;
	flag-dropped)
		in_new "$2" 's/(vma_desc_set_flags\(desc,\s*)VMA_\w+_BIT\s*,\s*/$1/ or
			s/\n[ \t]*vma_desc_set_flags\(desc,\s*VMA_\w+_BIT\);//' ;;
	remap-swap)
		in_new "$2" 's/(mmap_action_(?:io)?remap\(desc,\s*)([^,]+),\s*([^,]+),/$1$3, $2,/ or
			s/((?:io_)?remap_pfn_range(?:_complete)?\(vma,\s*)([^,]+),\s*([^,]+),/$1$3, $2,/' ;;
	error-dropped)
		in_new "$2" 's/return -E[A-Z0-9]+;/;/ or
			s/\n[ \t]*desc->action\.error_override = -E[A-Z0-9]+;//' ;;
	take-moved)
		# the first call statement of a NAME_mapped() hook, or of a
		# NAME_complete() that has no NAME_abort() beside it (a state
		# plan's take, not a remap split), moved before the "return 0;"
		# that ends NAME_prepare()
		perl -0777 -i -pe '
			my $src = $_;
			while ($src =~ /^(static int (\w+)_(mapped|complete)\([^)]*\)\n\{\n)(.*?)^\}\n/msg) {
				my ($head, $fn, $kind, $body) = ($1, $2, $3, $4);
				next if $kind eq "complete" && $src =~ /\b\Q$fn\E_abort\(/;
				next unless $body =~ /^(\t(?!return)\w+\([^;]*\);\n)/m;
				my $stmt = $1;
				(my $nbody = $body) =~ s/^\Q$stmt\E//m;
				s/\Q$head$body\E/$head$nbody/;
				s/(\b\Q$fn\E_prepare\(struct vm_area_desc \*desc\)\n\{\n(?:(?!^\}).*\n)*?)(\treturn 0;\n\})/$1$stmt$2/m;
				last;
			}' "$2" ;;
	alias-left)
		perl -0777 -i -pe 's/#define (\w+)_prepare (\w+)_prepare\b/#define $1 $2/' "$2" ;;
	release-dropped)
		# the first call statement of a NAME_abort() hook: a release
		# the old failure path made, gone from the abort
		perl -0777 -i -pe '
			s/^(static void \w+_abort\([^)]*\)\n\{\n(?:(?!^\}).*\n)*?)\t(?!return)\w+\([^;]*\);\n/$1/m' "$2" ;;
	esac
}

# in_new FILE PERL: PERL (a substitution on $_) in the body of the first
# function the conversion wrote, or a helper it gave the descriptor to,
# where it changes something
in_new() {
	MUT="$2" perl -0777 -i -pe '
		my $done = 0;
		s{^((?:static\s+)?[\w \t*]*?\b(?:\w+_(?:prepare|complete|mapped|abort)\([^)]*\)|\w+\([^)]*struct vm_area_desc \*desc[^)]*\))\n\{\n)(.*?)(^\}\n)}{
			my ($h, $body, $t) = ($1, $2, $3);
			if (!$done) {
				local $_ = $body;
				eval $ENV{MUT};
				$done = 1 if $_ ne $body;
				$body = $_;
			}
			"$h$body$t";
		}gmse;' "$1"
}
kinds="flag-test flag-dropped remap-swap error-dropped take-moved alias-left release-dropped"
