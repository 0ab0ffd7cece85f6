// SPDX-License-Identifier: GPL-2.0
/// Convert simple f_op->mmap handlers to f_op->mmap_prepare.
///
/// A handler is simple when it uses its VMA only through fields and helpers
/// that have a vm_area_desc equivalent: vm_start, vm_end, vm_pgoff, vm_file,
/// vm_page_prot, vm_mm (read), vm_ops and vm_private_data (written), flag
/// tests and vm_flags_set/clear, vma_pages(), vma_set_anonymous() and
/// generic_file_mmap().  Any other use of the VMA (a remap, a page insert,
/// passing it to a helper, storing it) keeps the handler out of this rule:
/// the rule "vma_other_use" finds such uses and the conversion depends on
/// its absence.  Flags use the 7.x vma_flags_t helpers (vma_desc_set_flags
/// with VMA_*_BIT); -D vm_flags_field selects the 6.16-6.19 "desc->vm_flags"
/// idiom instead.  MMAPPORT_HANDLERS=a,b in the environment restricts the
/// rule to those handlers.
///
// Confidence: High
// Copyright: (C) 2026 the mmapport authors.
// Options: --no-includes --include-headers

virtual patch
virtual report
virtual vm_flags_field

@initialize:python@
@@
import os
import re

# mmapport passes the handlers its classifier found simple; alone (as in
# make coccicheck) the rule decides by itself.
wanted = os.environ.get('MMAPPORT_HANDLERS') or None

MAPPED_FIELDS = ('vm_start', 'vm_end', 'vm_pgoff', 'vm_file', 'vm_page_prot',
		 'vm_mm', 'vm_ops', 'vm_private_data')
# handlers: the registered handlers (restricted to MMAPPORT_HANDLERS);
# uses and mapped: per handler, the positions of all uses of its VMA
# parameter and of those with a descriptor form; unsimple: the handlers
# with any other use.
handlers = set()
uses = {}
mapped = {}
unsimple = set()
converted_names = set()
vm_flags_field = False

def flag_bits(e):
	"""'VM_IO | VM_DONTEXPAND' -> 'VMA_IO_BIT, VMA_DONTEXPAND_BIT', or None."""
	e = e.strip()
	while e.startswith('(') and e.endswith(')'):
		e = e[1:-1].strip()
	parts = [p.strip() for p in e.split('|')]
	if not parts or not all(re.match(r'^VM_[A-Z0-9_]+$', p) for p in parts):
		return None
	return ', '.join('VMA_' + p[3:] + '_BIT' for p in parts)

@script:python depends on vm_flags_field@
@@
vm_flags_field = True

// The handlers: file_operations .mmap initialisers.
@ fops @
identifier ops, handler;
@@
(
struct file_operations ops = {
	.mmap = handler,
};
|
const struct file_operations ops = {
	.mmap = handler,
};
)

@script:python@
h << fops.handler;
@@
if wanted is None or h in wanted.split(','):
	handlers.add(h)

// Every use of the VMA parameter, by position.
@ vma_use @
identifier hf;
identifier fp, vma;
position p;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <...
 vma@p
...> }

@script:python@
hf << vma_use.hf;
p << vma_use.p;
@@
if hf in handlers:
	uses.setdefault(hf, set()).add((p[0].line, p[0].column))

// The uses that have a descriptor equivalent: fields first.
@ mapped_field @
identifier hf, fp, vma, fld;
position p;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <...
 vma@p->fld
...> }

@script:python@
hf << mapped_field.hf;
fld << mapped_field.fld;
p << mapped_field.p;
@@
if hf in handlers and fld in MAPPED_FIELDS:
	mapped.setdefault(hf, set()).add((p[0].line, p[0].column))

// Flag tests and flag updates, when the flags are plain VM_* constants.
@ mapped_flags @
identifier hf, fp, vma;
expression E;
position p;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <...
(
 vma@p->vm_flags & E
|
 vm_flags_set(vma@p, E)
|
 vm_flags_clear(vma@p, E)
)
...> }

@script:python@
hf << mapped_flags.hf;
E << mapped_flags.E;
p << mapped_flags.p;
@@
if hf in handlers and (vm_flags_field or flag_bits(E) is not None):
	mapped.setdefault(hf, set()).add((p[0].line, p[0].column))

// Helpers with a descriptor form.
@ mapped_call @
identifier hf, fp, vma;
position p;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <...
(
 vma_pages(vma@p)
|
 vma_set_anonymous(vma@p)
|
 generic_file_mmap(fp, vma@p)
|
 generic_file_readonly_mmap(fp, vma@p)
)
...> }

@script:python@
hf << mapped_call.hf;
p << mapped_call.p;
@@
if hf in handlers:
	mapped.setdefault(hf, set()).add((p[0].line, p[0].column))

@script:python@
@@
for hf in handlers:
	if uses.get(hf, set()) - mapped.get(hf, set()):
		unsimple.add(hf)

// --- patch mode: rewrite the body, then the signature, then the registration.

// Flag helpers first, while the VMA parameter is still named.
@ set_flags depends on patch @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
expression E;
position p;
@@
h(struct file *fp, struct vm_area_struct *vma) { <...
(
 vm_flags_set@p(vma, E)
|
 vm_flags_clear@p(vma, E)
)
...> }

@script:python set_bits depends on !vm_flags_field@
E << set_flags.E;
bits;
@@
b = flag_bits(E)
if b is None:
	cocci.include_match(False)
else:
	coccinelle.bits = cocci.make_ident(b)

@ depends on patch && !vm_flags_field @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
expression set_flags.E;
position set_flags.p;
identifier set_bits.bits;
@@
h(struct file *fp, struct vm_area_struct *vma) { <...
(
- vm_flags_set@p(vma, E)
+ vma_desc_set_flags(desc, bits)
|
- vm_flags_clear@p(vma, E)
+ vma_desc_clear_flags(desc, bits)
)
...> }

@ depends on patch && vm_flags_field @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
expression E;
@@
h(struct file *fp, struct vm_area_struct *vma) { <...
(
- vm_flags_set(vma, E)
+ desc->vm_flags |= E
|
- vm_flags_clear(vma, E)
+ desc->vm_flags &= ~(E)
)
...> }

// Flag tests: "vma->vm_flags & VM_X".
@ test_flags depends on patch && !vm_flags_field @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
expression E;
position p;
@@
h(struct file *fp, struct vm_area_struct *vma) { <...
 vma->vm_flags &@p E
...> }

@script:python test_bits@
E << test_flags.E;
bits;
anyfn;
@@
b = flag_bits(E)
if b is None:
	cocci.include_match(False)
else:
	coccinelle.bits = cocci.make_ident(b)
	coccinelle.anyfn = cocci.make_ident('vma_desc_test_any' if ',' in b else 'vma_desc_test')

@ depends on patch && !vm_flags_field @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
expression test_flags.E;
position test_flags.p;
identifier test_bits.bits, test_bits.anyfn;
@@
h(struct file *fp, struct vm_area_struct *vma) { <...
- vma->vm_flags &@p E
+ anyfn(desc, bits)
...> }

@ depends on patch @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
@@
h(struct file *fp, struct vm_area_struct *vma) { <...
(
- vma->vm_end - vma->vm_start
+ vma_desc_size(desc)
|
- vma_pages(vma)
+ vma_desc_pages(desc)
|
- vma_set_anonymous(vma)
+ vma_desc_set_anonymous(desc)
|
- generic_file_mmap(fp, vma)
+ generic_file_mmap_prepare(desc)
|
- generic_file_readonly_mmap(fp, vma)
+ generic_file_readonly_mmap_prepare(desc)
|
- vma->vm_start
+ desc->start
|
- vma->vm_end
+ desc->end
|
- vma->vm_pgoff
+ desc->pgoff
|
- vma->vm_file
+ desc->vm_file
|
- vma->vm_page_prot
+ desc->page_prot
|
- vma->vm_mm
+ desc->mm
|
- vma->vm_ops
+ desc->vm_ops
|
- vma->vm_private_data
+ desc->private_data
|
- vma->vm_flags
+ desc->vm_flags
)
...> }

@ depends on patch @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
@@
h(struct file *fp, struct vm_area_struct *vma) { <...
- fp
+ desc->file
...> }

@ depends on patch @
identifier h : script:python() { h in handlers and h not in unsimple };
identifier fp, vma;
fresh identifier prep = h ## "_prepare";
@@
- h(struct file *fp, struct vm_area_struct *vma)
+ prep(struct vm_area_desc *desc)
{ ... }

// What was converted: the prototypes and the registration follow only these.
@ converted depends on patch @
identifier hp;
@@
hp(struct vm_area_desc *desc) { ... }

@script:python@
hp << converted.hp;
@@
converted_names.add(hp)


@ depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
fresh identifier prep = h ## "_prepare";
identifier fp, vma;
type T;
@@
- T h(struct file *fp, struct vm_area_struct *vma);
+ T prep(struct vm_area_desc *desc);

@ depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
fresh identifier prep = h ## "_prepare";
type T;
@@
- T h(struct file *, struct vm_area_struct *);
+ T prep(struct vm_area_desc *desc);

@ depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
fresh identifier prep = h ## "_prepare";
identifier ops;
@@
(
struct file_operations ops = {
-	.mmap = h,
+	.mmap_prepare = prep,
};
|
const struct file_operations ops = {
-	.mmap = h,
+	.mmap_prepare = prep,
};
)

// --- report mode

@ simple_report depends on report @
identifier hr;
position p;
@@
hr@p(...) { ... }

@script:python depends on report@
hr << simple_report.hr;
p << simple_report.p;
@@
if hr in handlers and hr not in unsimple:
	coccilib.report.print_report(p[0], "WARNING: %s() can use mmap_prepare (see mmap_prepare_simple.cocci)" % hr)
