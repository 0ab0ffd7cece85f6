// SPDX-License-Identifier: GPL-2.0
/// Follow a handler converted where it is defined into the other files
/// that name it.  A handler defined in one file and registered from
/// others (a prototype in a header, an export) changes as one: its
/// definition is converted in its own file (mmap_prepare_simple.cocci),
/// and this rule renames what names it elsewhere, F becoming F_prepare:
/// the prototype, each file_operations registration, the export.  Any
/// other use (a call, a pointer stored) is left as it is, and mmapport
/// then finds the old name still used and refuses the change whole.
/// -D renamed=a,b names the handlers converted; alone the rule does
/// nothing.  -D report names each prototype, registration and export of
/// those handlers that the rule renames (with -D patch) or would rename:
///   FILE:LINE:COL-COL: NAME(): renamed: NAME_prepare
///   FILE:LINE:COL-COL: NAME(): renamed export: NAME_prepare
///
// Confidence: High
// Copyright: (C) 2026 the mmapport authors.
// Options: --no-includes --include-headers

virtual patch
virtual report

@initialize:python@
@@
targets = set()

// A file that defines a function taking a file and a VMA, or declares
// or registers one: the rules that run without -D patch depend on these,
// whose tokens let make coccicheck skip the other files unparsed.
@ has_vma_fn @
identifier fn, fp, vma;
type T;
@@
 T fn(struct file *fp, struct vm_area_struct *vma) { ... }

// The declaration or registration of one.
@ has_vma @
identifier fn, fp, vma, ops;
type T;
@@
(
 T fn(struct file *fp, struct vm_area_struct *vma);
|
 T fn(struct file *, struct vm_area_struct *);
|
struct file_operations ops = {
	.mmap = fn,
};
)

@script:python depends on (has_vma_fn || has_vma || patch)@
r << virtual.renamed;
@@
targets.update(x for x in r.split(',') if x)

// --- report mode: where each handler named by -D renamed is named, before
// the rules below rename it.

@ named_at depends on (has_vma_fn || has_vma || patch) && report @
identifier fn, fp, vma;
identifier ops;
type T;
position p;
@@
(
 T fn@p(struct file *fp, struct vm_area_struct *vma);
|
 T fn@p(struct file *, struct vm_area_struct *);
|
struct file_operations ops = {
	.mmap = fn@p,
};
)

@script:python depends on (has_vma_fn || has_vma || patch) && report@
fn << named_at.fn;
p << named_at.p;
@@
if fn in targets:
	coccilib.report.print_report(p[0], '%s(): renamed: %s_prepare' % (fn, fn))

// An export: other modules that call the handler must follow the rename.
@ exported_at depends on (has_vma_fn || has_vma || patch) && report @
identifier fn;
declarer name EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, EXPORT_SYMBOL_NS, EXPORT_SYMBOL_NS_GPL;
expression N;
position p;
@@
(
 EXPORT_SYMBOL(fn@p);
|
 EXPORT_SYMBOL_GPL(fn@p);
|
 EXPORT_SYMBOL_NS(fn@p, N);
|
 EXPORT_SYMBOL_NS_GPL(fn@p, N);
)

@script:python depends on (has_vma_fn || has_vma || patch) && report@
fn << exported_at.fn;
p << exported_at.p;
@@
if fn in targets:
	coccilib.report.print_report(p[0], '%s(): renamed export: %s_prepare' % (fn, fn))

// The prototype, its parameters named or not.  (spatch 1.1 cannot add a
// declaration at top level with a metavariable in it: the name and the
// parameters change in place.)
@ prototype depends on (has_vma_fn || has_vma || patch) @
identifier fn, fp, vma;
type T;
position p;
@@
(
 T fn@p(struct file *fp, struct vm_area_struct *vma);
|
 T fn@p(struct file *, struct vm_area_struct *);
)

@script:python prototype_name@
fn << prototype.fn;
prep;
@@
if fn in targets:
	coccinelle.prep = cocci.make_ident(fn + "_prepare")
else:
	cocci.include_match(False)

// The prototype names the prepare function and takes the descriptor.
@ rename_prototype depends on patch @
identifier prototype.fn, prototype_name.prep, fp, vma;
position prototype.p;
type T;
@@
(
 T
- fn@p
+ prep
 (
- struct file *fp, struct vm_area_struct *vma
+ struct vm_area_desc *desc
 );
|
 T
- fn@p
+ prep
 (
- struct file *, struct vm_area_struct *
+ struct vm_area_desc *desc
 );
)

// A header that declares the VMA's struct without its definition
// ("struct vm_area_struct;") declares the descriptor's beside it, which
// the new prototype names: desc_declared finds the one already there,
// declare_desc adds it.
@ desc_declared @
@@
 struct vm_area_desc;

// The descriptor's struct declared beside the VMA's.
@ declare_desc depends on patch && prototype_name && !desc_declared @
@@
 struct vm_area_struct;
+struct vm_area_desc;

// Each registration: the hook and the handler change together.
@ registration depends on patch @
identifier h : script:python() { h in targets };
fresh identifier prep = h ## "_prepare";
identifier ops;
@@
struct file_operations ops = {
-	.mmap = h,
+	.mmap_prepare = prep,
};

// The export names the new function.
@ export depends on patch @
identifier h : script:python() { h in targets };
fresh identifier prep = h ## "_prepare";
declarer name EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, EXPORT_SYMBOL_NS, EXPORT_SYMBOL_NS_GPL;
expression N;
@@
(
- EXPORT_SYMBOL(h);
+ EXPORT_SYMBOL(prep);
|
- EXPORT_SYMBOL_GPL(h);
+ EXPORT_SYMBOL_GPL(prep);
|
- EXPORT_SYMBOL_NS(h, N);
+ EXPORT_SYMBOL_NS(prep, N);
|
- EXPORT_SYMBOL_NS_GPL(h, N);
+ EXPORT_SYMBOL_NS_GPL(prep, N);
)
