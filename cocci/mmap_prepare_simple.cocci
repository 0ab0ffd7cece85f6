// SPDX-License-Identifier: GPL-2.0
/// Convert simple f_op->mmap handlers to f_op->mmap_prepare.
///
/// A handler is simple when it uses its VMA only through fields and helpers
/// that have a vm_area_desc equivalent: vm_start, vm_end, vm_pgoff, vm_file,
/// vm_page_prot, vm_mm (read), vm_ops and vm_private_data (written), flag
/// tests in a boolean context, "all of these flags" tests,
/// vm_flags_set/clear/mod, vma_pages(), vma_start_pgoff(), vma_set_anonymous()
/// and generic_file_mmap(); a use in code that never runs ("if (0) S")
/// goes with that code; a VMA passed to a function whose prototype takes
/// the descriptor (-D desc_fn_names=a,b) becomes desc; a static function of
/// the file that takes the VMA (a helper) converts with the handlers when
/// every use of its name is a call from one that converts, passing it its
/// VMA, and each of its own uses of the VMA has a descriptor form: its VMA
/// parameter becomes "struct vm_area_desc *desc".  Every use of the VMA parameter is found by its
/// position; a handler is converted only when each one has a descriptor
/// form, so a remap, a page insert, a store of the VMA or a call that
/// receives it keeps the handler as it is; so does a handler named
/// outside its registration (called, stored, exported: its other users
/// expect the old function); so does a call that takes
/// state (a reference, an allocation) or a run-time swap of the ops into
/// a file (docs/hazards.md: what prepare takes has no abort in
/// mainline; a swapped-in leaf is not converted alone), unless
/// -D state_kept_names=a,b names it (mmap_prepare_state.cocci kept its
/// state).  Flags use the 7.x vma_flags_t helpers (vma_desc_set_flags
/// with VMA_*_BIT); -D vm_flags_field selects
/// the 6.16-6.19 "desc->vm_flags" idiom instead.  -D handler_names=a,b
/// restricts the rule to those handlers; -D twin_names=a,b names the library
/// handlers registered by their prepare twin; -D elsewhere_names=a,b names
/// those defined here and registered from other files, which convert
/// with no registration here and keep their export for
/// mmap_prepare_rename.cocci to rename.
///
// Confidence: High
// Copyright: (C) 2026 the mmapport authors.
// Options: --no-includes --include-headers

virtual patch
virtual report
virtual vm_flags_field

@initialize:python@
@@
import re

# mmapport's settings come as -D NAME=a,b (the virtual rules below); alone,
# as in make coccicheck, the rule decides by itself.
def names(v):
	"""The names of a comma-separated -D value."""
	return set(v.split(',')) - set([''])

# -D handler_names: the handlers mmapport's classifier found simple
wanted = None
# -D state_kept_names: stateful handlers whose state mmap_prepare_state.cocci
# already kept (rfc: mmap_abort; mainline: vm_ops->mapped)
state_kept = set()
# -D twin_names: library handlers with a prepare twin in the tree (F and
# F_prepare), and the fallback "#define handler F" lines seen
twins = set()
# -D desc_fn_names: functions whose prototype in the tree takes a struct
# vm_area_desc * where the handler passes its VMA (code written for an
# older kernel): the analyzer reads the prototypes
desc_fns = set()
# -D elsewhere_names: handlers defined here and registered from other files
# (mmap_prepare_rename.cocci follows the conversion into those files, the
# export here too): a handler with no registration in this file
elsewhere = set()

def no_leaf(h):
	"""Note a handler named outside its registration; match nothing."""
	if h in handlers:
		named_elsewhere.add(h)
	return False

def twin_wanted(f):
	"""A library handler mmapport asks to register by its prepare twin."""
	return f in twins and wanted is not None and f in wanted.split(',')
aliased = {}

MAPPED_FIELDS = set(['vm_start', 'vm_end', 'vm_pgoff', 'vm_file', 'vm_page_prot',
		     'vm_mm', 'vm_ops', 'vm_private_data'])
# handlers: the registered handlers (restricted to -D handler_names);
# params: handler -> (file parameter, VMA parameter), for handlers with a
# body here; uses and mapped: per handler, the positions of all uses of
# its VMA parameter and of those with a descriptor form.
# names_in: per function, the identifiers it uses.  conv: the handlers to
# convert; conv_vma, conv_file: the names of their parameters.
handlers = set()
params = {}
uses = {}
mapped = {}
conv = set()
names_in = {}
conv_vma = set()
conv_file = set()

ops_of = {}
# helpers: static function -> (index, name) of its VMA parameter;
# passes: function -> {position of its VMA passed to a helper: helper};
# helper_refs: helper -> positions of its name as an expression;
# helper_protos: helpers with a prototype; conv_helpers: those converted
helpers = {}
passes = {}
helper_refs = {}
helper_protos = set()
conv_helpers = set()
desc_declared = set()
swapped = set()
stateful = set()
# named_elsewhere: handlers named outside their registrations
named_elsewhere = set()
# dead: per function, the extents of the statements under "if (0)";
# dead_names: the identifiers in them (the locals only they used go too)
dead = {}
dead_ifs = set()
dead_names = {}
local_inits = {}

def lc(line, col):
	return (int(line), int(col))

def no_call(e):
	"""An expression that calls, assigns and steps nothing: reading it has no effect."""
	return not re.search(r'[(]|\+\+|--|[^=!<>]=[^=]', e)

def dead_local(x, p):
	"""A local whose name the dead code of its function (or a value it read) holds."""
	return x in dead_names.get(p[0].current_element, set())

def in_dead(fn, k):
	return any(a <= lc(*k) <= b for a, b in dead.get(fn, []))
converted_names = set()
# what takes a reference or allocates, by name: tools/category.c's take_ref and
# take_alloc (tests/47-lists.t keeps them the same)
STATE_CALLS = set(['kref_get', 'kref_get_unless_zero', 'refcount_inc',
		   'refcount_inc_not_zero', 'atomic_inc', 'atomic_inc_return',
		   'atomic_inc_not_zero', 'atomic_inc_unless_negative',
		   'atomic64_inc', 'atomic64_inc_return',
		   'atomic64_inc_not_zero', 'atomic_long_inc',
		   'atomic_long_inc_return', 'atomic_long_inc_not_zero',
		   'try_module_get', 'get_file', 'get_device', 'kobject_get',
		   'pm_runtime_get_sync', 'pm_runtime_resume_and_get',
		   'pm_runtime_get', 'get_page', 'folio_get', 'dma_buf_get',
		   'fget', 'kmalloc', 'kzalloc', 'kcalloc', 'kvmalloc',
		   'kvzalloc', 'kvcalloc', 'vmalloc', 'vzalloc',
		   'vmalloc_user', 'alloc_pages', '__get_free_pages',
		   'get_zeroed_page', '__get_free_page', 'idr_alloc',
		   'xa_alloc', 'kmemdup', 'kmem_cache_alloc',
		   'kmem_cache_zalloc', 'dma_alloc_coherent', 'alloc_page'])

calls_in = {}
defined = set()

def takes_state(f):
	return (f in STATE_CALLS or ('_inc' in f and '_include' not in f) or
		'alloc' in f or (len(f) > 4 and f.endswith('_get')) or
		f.startswith('get_') or f.endswith(('_get_sync', '_get_unless_zero')))

def takes_deep(f, seen):
	"""A call of f takes state: by its body where it is here, else by its name."""
	if f in STATE_CALLS or f not in defined:
		return takes_state(f)
	if f in seen:
		return False
	seen.add(f)
	return any(takes_deep(g, seen) for g in calls_in.get(f, ()))
old_flags = False

def flag_bits(e):
	"""'VM_IO | VM_DONTEXPAND' -> 'VMA_IO_BIT, VMA_DONTEXPAND_BIT', or None."""
	e = e.strip()
	while e.startswith('(') and e.endswith(')'):
		e = e[1:-1].strip()
	parts = [p.strip() for p in e.split('|')]
	if not parts or not all(re.match(r'^VM_[A-Z0-9_]+$', p) for p in parts):
		return None
	return ', '.join('VMA_' + p[3:] + '_BIT' for p in parts)

def key(p):
	return (p[0].line, p[0].column)

def owner(p, vma):
	"""The handler whose VMA parameter this use of vma is, or None."""
	fn = p[0].current_element
	if fn in params and params[fn][1] == vma:
		return fn
	return None

def flags_ok(e):
	return old_flags or flag_bits(e) is not None

def helper_arg(p):
	"""The VMA a converted function passes to a helper here."""
	fn = p[0].current_element
	return fn in conv and key(p) in passes.get(fn, {})

def map_use(p, vma):
	fn = owner(p, vma)
	if fn is not None:
		mapped.setdefault(fn, set()).add(key(p))
	return fn

// A file that defines a function taking a file and a VMA, or registers
// an mmap handler: the rules that run without -D patch depend on these,
// whose tokens let make coccicheck skip the other files unparsed.
@ has_vma_fn @
identifier fn, fp, vma;
type T;
@@
 T fn(struct file *fp, struct vm_area_struct *vma) { ... }

// The registration of one.
@ has_mmap @
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

@script:python depends on (has_vma_fn || has_mmap || patch) && vm_flags_field@
@@
old_flags = True
MAPPED_FIELDS.add('vm_flags')

// mmapport's settings, one -D each.
@script:python depends on (has_vma_fn || has_mmap || patch)@
v << virtual.handler_names;
@@
wanted = v

@script:python depends on (has_vma_fn || has_mmap || patch)@
v << virtual.state_kept_names;
@@
state_kept = names(v)

@script:python depends on (has_vma_fn || has_mmap || patch)@
v << virtual.twin_names;
@@
twins = names(v)

@script:python depends on (has_vma_fn || has_mmap || patch)@
v << virtual.desc_fn_names;
@@
desc_fns = names(v)

@script:python depends on (has_vma_fn || has_mmap || patch)@
v << virtual.elsewhere_names;
@@
elsewhere = names(v)

// Each file starts afresh (make coccicheck gives one spatch run many files).
@script:python depends on (has_vma_fn || has_mmap || patch)@
@@
for state in (handlers, params, uses, mapped, conv, names_in, conv_vma, conv_file, ops_of,
	      helpers, passes, helper_refs, helper_protos, conv_helpers, desc_declared,
	      swapped, stateful, named_elsewhere, dead, dead_ifs, dead_names, local_inits,
	      converted_names, calls_in, defined, aliased):
	state.clear()
if wanted is not None:
	handlers.update(h for h in elsewhere if h in wanted.split(','))

// The handlers: file_operations .mmap initialisers.
@ fops depends on (has_vma_fn || has_mmap || patch) @
identifier ops, handler;
@@
struct file_operations ops = {
	.mmap = handler,
};

@script:python depends on (has_vma_fn || has_mmap || patch)@
ops << fops.ops;
h << fops.handler;
@@
if wanted is None or h in wanted.split(','):
	handlers.add(h)
	ops_of.setdefault(h, set()).add(ops)

// A handler named anywhere but in its registrations (called, stored,
// passed, exported with EXPORT_SYMBOL) is no leaf: those users expect
// the old function, so it is not converted alone.  The constraint notes
// the handler and fails: the rules match nothing (a script cannot take
// an identifier that has a constraint).
@ named depends on (has_vma_fn || has_mmap || patch) @
identifier nh : script:python() { no_leaf(nh) };
expression E;
@@
(
 nh(...)
|
 &nh
|
 E = nh
|
 E(..., nh, ...)
)

// (A handler registered from other files is exported for them: the
// export follows the rename, mmap_prepare_rename.cocci.)
@ exported depends on (has_vma_fn || has_mmap || patch) @
identifier eh : script:python() { eh not in elsewhere and no_leaf(eh) };
declarer name EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, EXPORT_SYMBOL_NS, EXPORT_SYMBOL_NS_GPL;
expression N;
@@
(
 EXPORT_SYMBOL(eh);
|
 EXPORT_SYMBOL_GPL(eh);
|
 EXPORT_SYMBOL_NS(eh, N);
|
 EXPORT_SYMBOL_NS_GPL(eh, N);
)

// Hazard 8: ops swapped into a file at run time (ALSA's disconnect ops)
// are not a leaf to convert alone.
@ swap depends on (has_vma_fn || has_mmap || patch) @
expression F;
identifier ops;
@@
(
 F->f_op = &ops
|
 replace_fops(F, &ops)
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
ops << swap.ops;
@@
swapped.add(ops)

// A call that takes state the mapping keeps (a reference, an allocation)
// cannot move to prepare as it is: the same list and name patterns as
// mmapport's classifier (tools/category.c), the patterns only for a
// callee whose body is not in this file; one whose body is here is judged
// by what it calls.  Every call, by the function it is in:
@ state_call depends on (has_vma_fn || has_mmap || patch) @
identifier f;
position p;
@@
f@p(...)

@script:python depends on (has_vma_fn || has_mmap || patch)@
f << state_call.f;
p << state_call.p;
@@
calls_in.setdefault(p[0].current_element, set()).add(f)

// The functions whose body is in this file.
@ defined_here depends on (has_vma_fn || has_mmap || patch) @
identifier fd;
@@
fd(...) { ... }

@script:python depends on (has_vma_fn || has_mmap || patch)@
fd << defined_here.fd;
@@
defined.add(fd)

// Each handler's file and VMA parameters.
@ sig depends on (has_vma_fn || has_mmap || patch) @
identifier hf, fp, vma;
@@
hf(struct file *fp, struct vm_area_struct *vma) { ... }

@script:python depends on (has_vma_fn || has_mmap || patch)@
hf << sig.hf;
fp << sig.fp;
vma << sig.vma;
@@
if hf in handlers:
	params[hf] = (fp, vma)

// The static functions of this file that take a VMA (not registered
// handlers): helpers that may convert with the handlers that call them.
@ helper_sig depends on (has_vma_fn || has_mmap || patch) @
identifier hh, hv;
type T;
parameter list[n] ps1;
parameter list ps2;
@@
static T hh(ps1, struct vm_area_struct *hv, ps2) { ... }

@script:python depends on (has_vma_fn || has_mmap || patch)@
hh << helper_sig.hh;
hv << helper_sig.hv;
n << helper_sig.n;
@@
if hh not in handlers:
	if helpers.get(hh, (int(n), hv)) != (int(n), hv):
		helper_protos.add(hh)	# two definitions that differ: left alone
	helpers[hh] = (int(n), hv)
	params[hh] = (None, hv)

// A helper with another parameter named desc would have two: left alone.
@ helper_desc_param depends on (has_vma_fn || has_mmap || patch) @
identifier hh, d =~ "^desc$";
type T, T2;
parameter list ps1, ps2;
@@
static T hh(ps1, T2 d, ps2) { ... }

@script:python depends on (has_vma_fn || has_mmap || patch)@
hh << helper_desc_param.hh;
@@
desc_declared.add(hh)

// A helper's prototype would keep the old parameter type: left alone.
@ helper_proto depends on (has_vma_fn || has_mmap || patch) @
identifier hh;
type T;
@@
T hh(...);

@script:python depends on (has_vma_fn || has_mmap || patch)@
hh << helper_proto.hh;
@@
if hh in helpers:
	helper_protos.add(hh)

// Every identifier, by position and function: the uses of a handler VMA
// parameter, and the names each function uses.  Matching each expression
// on its own (not inside a function body pattern) finds every use, on
// every path.
@ ident depends on (has_vma_fn || has_mmap || patch) @
identifier x;
position p;
@@
x@p

@script:python depends on (has_vma_fn || has_mmap || patch)@
x << ident.x;
p << ident.p;
@@
fn = p[0].current_element
names_in.setdefault(fn, set()).add(x)
if x in helpers:
	helper_refs.setdefault(x, set()).add(key(p))
if owner(p, x) is not None:
	uses.setdefault(fn, set()).add(key(p))

// The uses that have a descriptor equivalent: fields first.
@ mapped_field depends on (has_vma_fn || has_mmap || patch) @
identifier vma, fld;
position p;
@@
vma@p->fld

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << mapped_field.vma;
fld << mapped_field.fld;
p << mapped_field.p;
@@
if fld in MAPPED_FIELDS:
	map_use(p, vma)

// Flag updates with plain VM_* constants.
@ mapped_setclear depends on (has_vma_fn || has_mmap || patch) @
identifier vma;
expression E;
position p;
@@
(
 vm_flags_set(vma@p, E)
|
 vm_flags_clear(vma@p, E)
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << mapped_setclear.vma;
E << mapped_setclear.E;
p << mapped_setclear.p;
@@
if flags_ok(E):
	map_use(p, vma)

// vm_flags_mod(): set, then clear, both with plain VM_* constants.
@ mapped_mod depends on (has_vma_fn || has_mmap || patch) @
identifier vma;
expression E1, E2;
position p;
@@
 vm_flags_mod(vma@p, E1, E2)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << mapped_mod.vma;
E1 << mapped_mod.E1;
E2 << mapped_mod.E2;
p << mapped_mod.p;
@@
if flags_ok(E1) and flags_ok(E2):
	map_use(p, vma)

// Flag tests whose value is only used as a truth value: one rule per
// context, so that nested contexts are all seen.  The contexts are exact,
// so the isomorphisms that would widen them (and cost seconds per file)
// are off.  First an if's condition, then ...
@ bool_if disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E;
statement S, S2;
position p;
@@
(
if (vma@p->vm_flags & E) S else S2
|
if (vma@p->vm_flags & E) S
)

// ... a while condition,
@ bool_while disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E;
statement S;
position p;
@@
while (vma@p->vm_flags & E) S

// A bool initialised with a flag test holds a truth value.
@ bool_init disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma, x;
expression E;
position p;
@@
(
 bool x = vma@p->vm_flags & E;
|
 const bool x = vma@p->vm_flags & E;
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_init.vma;
E << bool_init.E;
p << bool_init.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

// ... a negation,
@ bool_not disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E;
position p;
@@
!(vma@p->vm_flags & E)

// ... the left operand of &&,
@ bool_and disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E, E2;
position p;
@@
 (vma@p->vm_flags & E) && E2

// Its right operand in a rule of its own: a disjunction takes the first
// branch that matches, so "(flags & A) && (flags & B)" would leave B unseen.
@ bool_and_r disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E, E2;
position p;
@@
 E2 && (vma@p->vm_flags & E)

// ... the left operand of ||,
@ bool_or disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E, E2;
position p;
@@
 (vma@p->vm_flags & E) || E2

// Its right operand in a rule of its own: a disjunction takes the first
// branch that matches, so "(flags & A) || (flags & B)" would leave B unseen.
@ bool_or_r disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E, E2;
position p;
@@
 E2 || (vma@p->vm_flags & E)

// ... the condition of ?:.
@ bool_cond disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E, E2, E3;
position p;
@@
 (vma@p->vm_flags & E) ? E2 : E3

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_if.vma;
E << bool_if.E;
p << bool_if.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_while.vma;
E << bool_while.E;
p << bool_while.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_not.vma;
E << bool_not.E;
p << bool_not.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_and.vma;
E << bool_and.E;
p << bool_and.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_and_r.vma;
E << bool_and_r.E;
p << bool_and_r.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_or.vma;
E << bool_or.E;
p << bool_or.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_or_r.vma;
E << bool_or_r.E;
p << bool_or_r.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_cond.vma;
E << bool_cond.E;
p << bool_cond.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

// A comparison with zero is a truth value too.
@ bool_zero disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E;
position p;
@@
(
 (vma@p->vm_flags & E) == 0
|
 (vma@p->vm_flags & E) != 0
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << bool_zero.vma;
E << bool_zero.E;
p << bool_zero.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

// "All of these flags": (flags & E) == E and (flags & E) != E.
@ all_test disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma;
expression E;
position p;
@@
(
 (vma@p->vm_flags & E) == E
|
 (vma@p->vm_flags & E) != E
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << all_test.vma;
E << all_test.E;
p << all_test.p;
@@
if flag_bits(E) is not None:
	map_use(p, vma)

// No-MMU: is_nommu_shared_mapping(vma->vm_flags) reads the flags whole; its
// descriptor form is is_nommu_shared_vma_flags(&desc->vma_flags).
@ nommu_shared depends on (has_vma_fn || has_mmap || patch) @
identifier vma;
position p;
@@
is_nommu_shared_mapping(vma@p->vm_flags)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << nommu_shared.vma;
p << nommu_shared.p;
@@
map_use(p, vma)

// A test of the VMA pointer itself: the descriptor pointer is as non-NULL.
@ mapped_null disable not_ptr1, not_ptr2, is_null, isnt_null1 @
identifier vma;
position p;
@@
!vma@p

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << mapped_null.vma;
p << mapped_null.p;
@@
map_use(p, vma)

// Helpers with a descriptor form.
@ mapped_call depends on (has_vma_fn || has_mmap || patch) @
identifier vma;
position p;
@@
(
 vma_pages(vma@p)
|
 vma_start_pgoff(vma@p)
|
 vma_set_anonymous(vma@p)
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << mapped_call.vma;
p << mapped_call.p;
@@
map_use(p, vma)

// generic_file_mmap() and its read-only form, given the VMA.
@ mapped_generic depends on (has_vma_fn || has_mmap || patch) @
identifier fp, vma;
position p;
@@
(
 generic_file_mmap(fp, vma@p)
|
 generic_file_readonly_mmap(fp, vma@p)
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
fp << mapped_generic.fp;
vma << mapped_generic.vma;
p << mapped_generic.p;
@@
fn = owner(p, vma)
if fn is not None and params[fn][0] == fp:
	map_use(p, vma)

// The VMA passed where the prototype takes the descriptor: desc goes there.
@ desc_arg depends on (has_vma_fn || has_mmap || patch) @
identifier vma, F : script:python() { F in desc_fns };
expression list es1, es2;
position p;
@@
F(es1, vma@p, es2)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << desc_arg.vma;
p << desc_arg.p;
@@
map_use(p, vma)

// The VMA passed to a helper, where the helper takes it: desc goes there
// if the helper converts (decided below).
@ helper_pass depends on (has_vma_fn || has_mmap || patch) @
identifier vma, hc;
expression list[n] es1;
expression list es2;
position p, pc;
@@
hc@pc(es1, vma@p, es2)

@script:python depends on (has_vma_fn || has_mmap || patch)@
vma << helper_pass.vma;
hc << helper_pass.hc;
n << helper_pass.n;
p << helper_pass.p;
pc << helper_pass.pc;
@@
fn = owner(p, vma)
if fn is not None and hc in helpers and helpers[hc][0] == int(n):
	passes.setdefault(fn, {})[key(p)] = (hc, key(pc))

// Code that never runs: "if (0) S" with no else (a block disabled, kept
// for later).  The uses of the VMA in S need no descriptor form: the
// statement goes in the rewrite, with the locals only it used.
@ dead_if depends on (has_vma_fn || has_mmap || patch) @
statement S;
position p, q;
@@
if@p (0) S@q

@script:python depends on (has_vma_fn || has_mmap || patch)@
p << dead_if.p;
q << dead_if.q;
@@
with open(q[0].file) as fh:
	lines = fh.read().split('\n')[int(q[0].line) - 1:int(q[0].line_end)]
# a label in it may be a goto target: then it runs
if not re.search(r'(?m)^\s*[A-Za-z_]\w*\s*:(?!:)', '\n'.join(lines)):
	fn = p[0].current_element
	dead.setdefault(fn, []).append(
		(lc(q[0].line, q[0].column), lc(q[0].line_end, q[0].column_end)))
	dead_ifs.add(key(p))
	dead_names.setdefault(fn, set()).update(re.findall(r'[A-Za-z_]\w*', '\n'.join(lines)))

// The locals and their initial values: one that only dead code used can
// leave with it, and then the locals only its value read.
@ local_init depends on (has_vma_fn || has_mmap || patch) @
type T;
identifier x;
expression E;
position p;
@@
T x@p = E;

@script:python depends on (has_vma_fn || has_mmap || patch)@
x << local_init.x;
E << local_init.E;
p << local_init.p;
@@
local_inits.setdefault(p[0].current_element, []).append((x, E))

// A local named desc would hide the new parameter.  (A use of desc that
// is not declared is the remap pass having written the descriptor form.)
@ desc_decl depends on (has_vma_fn || has_mmap || patch) @
type T;
identifier d =~ "^desc$";
position p;
@@
(
 T d@p;
|
 T d@p = ...;
)

@script:python depends on (has_vma_fn || has_mmap || patch)@
p << desc_decl.p;
@@
desc_declared.add(p[0].current_element)

// A "#define handler F" for the configurations without the handler (a
// fallback to a library handler, e.g. under #ifndef CONFIG_FS_DAX).  The
// rename must follow it into that branch: F becomes its prepare twin,
// F_prepare, when the tree declares one (-D twin_names, which mmapport
// finds in the tree's headers); with no twin the handler is not converted,
// or that configuration stops building.  "#define handler NULL" is below.
@ alias depends on (has_vma_fn || has_mmap || patch) @
identifier h, f;
@@
#define h f

@script:python depends on (has_vma_fn || has_mmap || patch)@
h << alias.h;
f << alias.f;
@@
aliased[h] = f

// Convert the handlers whose every VMA use has a descriptor form, that
// take no state and are not swapped in at run time, unless a name would
// be ambiguous in the rewrite: the rules below rewrite the
// converted handlers' parameter names, so a handler must not use another
// one's parameter names, nor "desc".
@script:python depends on (has_vma_fn || has_mmap || patch)@
@@
for fn in calls_in:
	if fn not in state_kept and any(takes_deep(g, set([fn])) for g in calls_in[fn]):
		stateful.add(fn)
for hf in params:
	mapped.setdefault(hf, set()).update(k for k in uses.get(hf, set()) if in_dead(hf, k))
cand = set(hf for hf in params
	   if not (uses.get(hf, set()) - mapped.get(hf, set()) - set(passes.get(hf, {}))) and
	   hf not in stateful and not (ops_of.get(hf, set()) & swapped) and
	   hf not in named_elsewhere and hf not in helper_protos and
	   aliased.get(hf, 'NULL') in twins | set(['NULL']))
while True:
	vmas = set(params[hf][1] for hf in cand)
	files = set(params[hf][0] for hf in cand if hf not in helpers)
	bad = set(hf for hf in cand
		  if hf in desc_declared or 'desc' in params[hf] or
		  (names_in.get(hf, set()) & (vmas | (set() if hf in helpers else files)))
		  - set(params[hf]))
	# a helper named as a handler's prepare function would be
	bad |= set(hf for hf in cand if hf in helpers and
		   hf in set(h + '_prepare' for h in params if h not in helpers))
	# a VMA passed to a helper that does not convert
	bad |= set(hf for hf in cand
		   if any(h not in cand for h, _ in passes.get(hf, {}).values()))
	# a helper converts only when every use of its name is a call, passing
	# the VMA, from a function that converts
	for h in cand & set(helpers):
		calls = [(fn, c) for fn in passes for h2, c in passes[fn].values() if h2 == h]
		if (not calls or any(fn not in cand for fn, _ in calls) or
		    set(c for _, c in calls) != helper_refs.get(h, set())):
			bad.add(h)
	if not bad:
		break
	cand -= bad
conv_helpers.update(cand & set(helpers))
conv.update(cand)
conv_vma.update(params[hf][1] for hf in cand)
# the names a local that only dead code used reads may go with it
grown = True
while grown:
	grown = False
	for hf in cand:
		names = dead_names.get(hf, set())
		for x, e in local_inits.get(hf, []):
			if x in names:
				more = set(re.findall(r'[A-Za-z_]\w*', e)) - names
				if more:
					names.update(more)
					grown = True
conv_file.update(params[hf][0] for hf in cand)

// --- report mode: the handlers that convert, found before patch mode renames
// them (mmapport runs -D patch and -D report together).

@ simple_report depends on (has_vma_fn || has_mmap || patch) && report @
identifier hr;
position p;
@@
hr@p(...) { ... }

@script:python depends on (has_vma_fn || has_mmap || patch) && report@
hr << simple_report.hr;
p << simple_report.p;
@@
if hr in conv and hr not in helpers:
	coccilib.report.print_report(p[0],
		"WARNING: %s() can use mmap_prepare (see mmap_prepare_simple.cocci)" % hr)

// --- patch mode: rewrite the uses, then the signature, then the registration.
// The rewrite rules apply in the converted handlers (conv) to their VMA and
// file parameters (conv_vma, conv_file), whose every use the rules above
// found to have a descriptor form.

// A VMA passed to a function whose prototype takes the descriptor: desc.
@ desc_fn_arg depends on patch @
identifier vma : script:python() { vma in conv_vma };
identifier F : script:python() { F in desc_fns };
expression list es1, es2;
position p : script:python() { p[0].current_element in conv };
@@
 F(es1,
- vma@p
+ desc
  , es2)

// A VMA passed to a converted helper: desc.
@ helper_arg depends on patch @
identifier vma : script:python() { vma in conv_vma };
identifier hc : script:python() { hc in conv_helpers };
expression list es1, es2;
position p : script:python() { helper_arg(p) };
@@
 hc(es1,
- vma@p
+ desc
  , es2)

// What never runs goes first, then the locals only it used, whose values
// are read without a call (three rounds: a local that only initialised
// another one goes in the next).
@ drop_dead_if depends on patch @
statement S;
position p : script:python() { p[0].current_element in conv and key(p) in dead_ifs };
@@
- if@p (0) S

// A local that only dead code read goes with it (three rounds, for a chain).
@ drop_dead_local depends on patch @
type T;
identifier x;
expression E : script:python() { no_call(E) };
position p : script:python(x) { p[0].current_element in conv and dead_local(x, p) };
@@
- T x@p = E;
  ... when != x

// The second round.
@ drop_dead_local_2 depends on patch @
type T;
identifier x;
expression E : script:python() { no_call(E) };
position p : script:python(x) { p[0].current_element in conv and dead_local(x, p) };
@@
- T x@p = E;
  ... when != x

// The third round.
@ drop_dead_local_3 depends on patch @
type T;
identifier x;
expression E : script:python() { no_call(E) };
position p : script:python(x) { p[0].current_element in conv and dead_local(x, p) };
@@
- T x@p = E;
  ... when != x

// vm_flags_set/clear() on the VMA: the flags they take.
@ set_flags depends on patch @
identifier vma : script:python() { vma in conv_vma };
expression E;
position p : script:python() { p[0].current_element in conv };
@@
(
 vm_flags_set(vma@p, E)
|
 vm_flags_clear(vma@p, E)
)

@script:python set_bits@
E << set_flags.E;
bits;
@@
if old_flags:
	cocci.include_match(False)
else:
	coccinelle.bits = cocci.make_ident(flag_bits(E))

// vm_flags_set/clear() on the VMA: the vma_flags_t helpers, VMA_*_BIT.
@ flags_set_bits depends on patch @
identifier vma : script:python() { vma in conv_vma };
expression set_flags.E;
position set_flags.p;
identifier set_bits.bits;
@@
(
- vm_flags_set(vma@p, E)
+ vma_desc_set_flags(desc, bits)
|
- vm_flags_clear(vma@p, E)
+ vma_desc_clear_flags(desc, bits)
)

// the no-MMU shared-mapping test, on the descriptor's flags
@ nommu_rewrite depends on patch && !vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
position p : script:python() { p[0].current_element in conv };
@@
- is_nommu_shared_mapping(vma@p->vm_flags)
+ is_nommu_shared_vma_flags(&desc->vma_flags)

// -D vm_flags_field: the 6.16-6.19 desc->vm_flags idiom.
@ flags_set_field depends on patch && vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
expression E;
position p : script:python() { p[0].current_element in conv };
@@
(
- vm_flags_set(vma@p, E)
+ desc->vm_flags |= E
|
- vm_flags_clear(vma@p, E)
+ desc->vm_flags &= ~(E)
)

// vm_flags_mod(vma, SET, CLEAR) is (flags | SET) & ~CLEAR: set, then clear.
@ mod_flags depends on patch @
identifier vma : script:python() { vma in conv_vma };
expression E1, E2;
position p : script:python() { p[0].current_element in conv };
@@
 vm_flags_mod(vma@p, E1, E2);

@script:python mod_bits@
E1 << mod_flags.E1;
E2 << mod_flags.E2;
sbits;
cbits;
@@
if old_flags:
	cocci.include_match(False)
else:
	coccinelle.sbits = cocci.make_ident(flag_bits(E1))
	coccinelle.cbits = cocci.make_ident(flag_bits(E2))

// vm_flags_mod(): a set and a clear.
@ flags_mod_bits depends on patch @
identifier vma : script:python() { vma in conv_vma };
expression mod_flags.E1, mod_flags.E2;
position mod_flags.p;
identifier mod_bits.sbits, mod_bits.cbits;
@@
- vm_flags_mod(vma@p, E1, E2);
+ vma_desc_set_flags(desc, sbits);
+ vma_desc_clear_flags(desc, cbits);

// vm_flags_mod(), -D vm_flags_field.
@ flags_mod_field depends on patch && vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
expression E1, E2;
position p : script:python() { p[0].current_element in conv };
@@
- vm_flags_mod(vma@p, E1, E2);
+ desc->vm_flags |= E1;
+ desc->vm_flags &= ~(E2);

// Comparisons with zero: vma_desc_test(), vma_desc_test_any().
@ zero_flags depends on patch && !vm_flags_field
  disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma : script:python() { vma in conv_vma };
expression E;
position p : script:python() { p[0].current_element in conv };
@@
(
 (vma@p->vm_flags & E) == 0
|
 (vma@p->vm_flags & E) != 0
)

@script:python zero_bits@
E << zero_flags.E;
bits;
anyfn;
@@
b = flag_bits(E)
coccinelle.bits = cocci.make_ident(b)
coccinelle.anyfn = cocci.make_ident('vma_desc_test_any' if ',' in b else 'vma_desc_test')

// A flag test compared with zero: vma_desc_test_any() negated.
@ zero_test depends on patch && !vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
expression zero_flags.E;
position zero_flags.p;
identifier zero_bits.bits, zero_bits.anyfn;
@@
(
- (vma@p->vm_flags & E) == 0
+ !anyfn(desc, bits)
|
- (vma@p->vm_flags & E) != 0
+ anyfn(desc, bits)
)

// A test that was the whole condition of an if around one statement
// fits on one line now: the braces go, as checkpatch wants.
@ all_if depends on patch && !vm_flags_field
  disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma : script:python() { vma in conv_vma };
expression E;
statement S;
position p : script:python() { p[0].current_element in conv };
@@
(
 if ((vma@p->vm_flags & E) == E) { S }
|
 if ((vma@p->vm_flags & E) != E) { S }
)

@script:python all_if_bits@
E << all_if.E;
bits;
@@
coccinelle.bits = cocci.make_ident(flag_bits(E))

// An "all of these flags" test as an if condition.
@ all_if_test depends on patch && !vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
expression all_if.E;
position all_if.p;
identifier all_if_bits.bits;
statement S;
@@
(
 if (
- (vma@p->vm_flags & E) == E
+ vma_desc_test_all(desc, bits)
 )
- {
  S
- }
|
 if (
- (vma@p->vm_flags & E) != E
+ !vma_desc_test_all(desc, bits)
 )
- {
  S
- }
)

// "All of these flags": vma_desc_test_all().
@ all_flags depends on patch && !vm_flags_field
  disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma : script:python() { vma in conv_vma };
expression E;
position p : script:python() { p[0].current_element in conv };
@@
(
 (vma@p->vm_flags & E) == E
|
 (vma@p->vm_flags & E) != E
)

@script:python all_bits@
E << all_flags.E;
bits;
@@
coccinelle.bits = cocci.make_ident(flag_bits(E))

// An "all of these flags" test elsewhere.
@ all_flags_test depends on patch && !vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
expression all_flags.E;
position all_flags.p;
identifier all_bits.bits;
@@
(
- (vma@p->vm_flags & E) == E
+ vma_desc_test_all(desc, bits)
|
- (vma@p->vm_flags & E) != E
+ !vma_desc_test_all(desc, bits)
)

// The remaining flag tests are in a boolean context: vma_desc_test(),
// vma_desc_test_any().  A call needs no parentheses: drop them first.
@ test_paren depends on patch && !vm_flags_field
  disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma : script:python() { vma in conv_vma };
expression E;
position p : script:python() { p[0].current_element in conv };
@@
 (vma@p->vm_flags & E)

@script:python paren_bits@
E << test_paren.E;
bits;
anyfn;
@@
b = flag_bits(E)
coccinelle.bits = cocci.make_ident(b)
coccinelle.anyfn = cocci.make_ident('vma_desc_test_any' if ',' in b else 'vma_desc_test')

// A parenthesised flag test in a boolean context.
@ paren_test depends on patch && !vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
expression test_paren.E;
position test_paren.p;
identifier paren_bits.bits, paren_bits.anyfn;
@@
-(vma@p->vm_flags & E)
+ anyfn(desc, bits)

// A flag test of the VMA: the bits it tests.
@ test_flags depends on patch && !vm_flags_field
  disable not_int1, not_int2, not_ptr1, not_ptr2, is_zero, isnt_zero, is_null, isnt_null1, bitand_comm, bitor_comm, commeq, commneq, drop_cast @
identifier vma : script:python() { vma in conv_vma };
expression E;
position p : script:python() { p[0].current_element in conv };
@@
vma@p->vm_flags & E

@script:python test_bits@
E << test_flags.E;
bits;
anyfn;
@@
b = flag_bits(E)
coccinelle.bits = cocci.make_ident(b)
coccinelle.anyfn = cocci.make_ident('vma_desc_test_any' if ',' in b else 'vma_desc_test')

// A flag test in a boolean context.
@ flag_test depends on patch && !vm_flags_field @
identifier vma : script:python() { vma in conv_vma };
expression test_flags.E;
position test_flags.p;
identifier test_bits.bits, test_bits.anyfn;
@@
- vma@p->vm_flags & E
+ anyfn(desc, bits)

// vm_end - vm_start: vma_desc_size().
@ vma_size depends on patch @
identifier vma : script:python() { vma in conv_vma };
position p : script:python() { p[0].current_element in conv };
@@
- vma@p->vm_end - vma->vm_start
+ vma_desc_size(desc)

// "!file || !vma", the file tested first (alone, or last in a longer
// chain): the VMA's test goes first, so that the descriptor is tested
// before desc->file reads through it.  Only in a handler: a helper's
// file is not rewritten (file_param).  Each form is written out: with
// the paren isomorphism off, spatch 1.1.1 binds no expression
// metavariable to a parenthesized test, and with it on the + lines
// lose the parentheses.
@ file_tested_first depends on patch disable not_ptr1, not_ptr2, is_null, isnt_null1, paren @
identifier vma : script:python() { vma in conv_vma };
identifier fp : script:python() { fp in conv_file };
position p : script:python() { p[0].current_element in conv - set(helpers) };
expression E;
@@
(
- E || (!fp@p) || (!vma)
+ E || (!vma) || (!fp)
|
- E || (!fp@p) || !vma
+ E || !vma || (!fp)
|
- E || !fp@p || (!vma)
+ E || (!vma) || !fp
|
- E || !fp@p || !vma
+ E || !vma || !fp
|
- (!fp@p) || (!vma)
+ (!vma) || (!fp)
|
- (!fp@p) || !vma
+ !vma || (!fp)
|
- !fp@p || (!vma)
+ (!vma) || !fp
|
- !fp@p || !vma
+ !vma || !fp
)

// !vma: !desc.
@ not_vma depends on patch disable not_ptr1, not_ptr2, is_null, isnt_null1 @
identifier vma : script:python() { vma in conv_vma };
position p : script:python() { p[0].current_element in conv };
@@
- !vma@p
+ !desc

// The VMA helpers that have a descriptor form.
@ vma_helpers depends on patch @
identifier vma : script:python() { vma in conv_vma };
identifier fp : script:python() { fp in conv_file };
position p : script:python() { p[0].current_element in conv };
@@
(
- vma_pages(vma@p)
+ vma_desc_pages(desc)
|
- vma_start_pgoff(vma@p)
+ desc->pgoff
|
- vma_set_anonymous(vma@p)
+ vma_desc_set_anonymous(desc)
|
- generic_file_mmap(fp, vma@p)
+ generic_file_mmap_prepare(desc)
|
- generic_file_readonly_mmap(fp, vma@p)
+ generic_file_readonly_mmap_prepare(desc)
|
- vma@p->vm_start
+ desc->start
|
- vma@p->vm_end
+ desc->end
|
- vma@p->vm_pgoff
+ desc->pgoff
|
- vma@p->vm_file
+ desc->vm_file
|
- vma@p->vm_page_prot
+ desc->page_prot
|
- vma@p->vm_mm
+ desc->mm
|
- vma@p->vm_ops
+ desc->vm_ops
|
- vma@p->vm_private_data
+ desc->private_data
|
- vma@p->vm_flags
+ desc->vm_flags
)

// The file parameter: desc->file.
@ file_param depends on patch @
identifier fp : script:python() { fp in conv_file };
position p : script:python() { p[0].current_element in conv - set(helpers) };
@@
- fp@p
+ desc->file

// The handler's signature: NAME_prepare(struct vm_area_desc *desc).
@ signature depends on patch @
identifier h : script:python() { h in conv and h not in helpers };
identifier fp, vma;
fresh identifier prep = h ## "_prepare";
@@
- h(struct file *fp, struct vm_area_struct *vma)
+ prep(struct vm_area_desc *desc)
{ ... }

// A converted helper keeps its name and its other parameters.
@ helper_signature depends on patch @
identifier h : script:python() { h in conv_helpers };
identifier hv : script:python(h) { hv == helpers[h][1] };
parameter list ps1, ps2;
type T;
@@
 static T h(ps1,
-	struct vm_area_struct *hv
+	struct vm_area_desc *desc
	, ps2) { ... }

// What was converted: the prototypes and the registration follow only these.
@ converted depends on patch @
identifier hp;
@@
hp(struct vm_area_desc *desc) { ... }

@script:python@
hp << converted.hp;
@@
converted_names.add(hp)

// A prototype of a converted handler, its parameters named ...
@ prototype depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
fresh identifier prep = h ## "_prepare";
identifier fp, vma;
type T;
@@
- T h(struct file *fp, struct vm_area_struct *vma);
+ T prep(struct vm_area_desc *desc);

// ... or not.
@ prototype_unnamed depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
fresh identifier prep = h ## "_prepare";
type T;
@@
- T h(struct file *, struct vm_area_struct *);
+ T prep(struct vm_area_desc *desc);

// The registration: .mmap_prepare = NAME_prepare.
@ registration depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
fresh identifier prep = h ## "_prepare";
identifier ops;
@@
struct file_operations ops = {
-	.mmap = h,
+	.mmap_prepare = prep,
};

// A library handler registered as it is, whose prepare twin the tree
// declares (-D twin_names): the registration takes the twin.  Only the
// handlers mmapport asks for, and never alone (make coccicheck passes no
// twins): the twin must be checked against the library handler first.
@ twin_reg depends on patch @
identifier f : script:python() { twin_wanted(f) };
fresh identifier fprep = f ## "_prepare";
identifier ops;
@@
struct file_operations ops = {
-	.mmap = f,
+	.mmap_prepare = fprep,
};

// A "#define handler NULL" for the configurations without the handler
// (spufs) follows the rename, or those configurations stop building.
@ define_null depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
fresh identifier prep = h ## "_prepare";
@@
- #define h NULL
+ #define prep NULL

// A "#define handler F" fallback: F's prepare twin.
@ define_alias depends on patch @
identifier h : script:python() { h + "_prepare" in converted_names };
identifier f : script:python() { f in twins };
fresh identifier prep = h ## "_prepare";
fresh identifier fprep = f ## "_prepare";
@@
- #define h f
+ #define prep fprep
