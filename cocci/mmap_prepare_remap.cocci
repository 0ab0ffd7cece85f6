// SPDX-License-Identifier: GPL-2.0
/// Turn the one PFN remap or page-array insertion that ends an f_op->mmap
/// handler into its mmap_prepare form (pass 1 of 2).
///
/// The handlers are those of category pfn-remap or page-insert.  A handler
/// qualifies when it makes exactly one such call, as its last act:
///   return CALL;            CALL; return 0;
///   if (CALL) return -EX;   if (CALL) { pr_*(...); return -EX; }
///   ret = CALL; return ret; ret = CALL; if (ret) return ret; return 0;
/// each followed by nothing but the return.  Mainline (default): the call
/// becomes an mmap_action (mmap_action_remap / _ioremap [_full],
/// mmap_action_simple_ioremap, mmap_action_map_kernel_pages_full),
/// "-EX" becomes desc->action.error_override and a protection passed only
/// to the call goes to desc->action.remap.pgprot.  -D rfc: the call is
/// split into remap_pfn_range_prepare() / io_remap_pfn_range_prepare() in
/// the handler and a new NAME_complete() that does the remap, with the PFN
/// carried in desc->mmap_context; page arrays move into NAME_complete().
///
/// The handler keeps its struct vm_area_struct * parameter here: pass 2,
/// mmap_prepare_simple.cocci, rewrites the remaining VMA uses, the signature
/// and the registration, and refuses what it cannot express.  Refusals and
/// behaviour changes are written to $MMAPPORT_REPORT, one line per handler:
/// "NAME<TAB>refused<TAB>reason" or "NAME<TAB>note<TAB>text".
///
// Confidence: Moderate
// Copyright: (C) 2026 the mmapport authors.
// Options: --no-includes --include-headers

virtual patch
virtual rfc

@initialize:python@
@@
import os
import re

wanted = os.environ.get('MMAPPORT_HANDLERS') or None
report_path = os.environ.get('MMAPPORT_REPORT')

SUPPORTED = ('remap_pfn_range', 'io_remap_pfn_range', 'vm_iomap_memory',
	     'vm_map_pages', 'vm_map_pages_zero')
handlers = set()
calls = {}		# handler: [(line, col, fn)]
locks = {}		# handler: [(line, kind)] kind lock / unlock / guard
masked = set()		# handlers with (vma->vm_flags & A) ==/!= B
ops_set = {}		# handler: vm_operations_struct names it installs
closes = {}		# vm_operations_struct name: its close function
refused = {}		# handler: reason
convertible = set()
staged = {}		# "line:col" of the call: error override text or None
notes = {}		# handler: [behaviour change]
done = set()		# handlers whose call was rewritten
rfc_mode = False
shapes = {}		# handler: facts about the shape that ends it

def tidy(e):
	"""Coccinelle prints bound code token by token: kernel spacing again."""
	s = ' '.join(str(e).split())
	s = re.sub(r' ?(->|\.) ?', r'\1', s)
	s = re.sub(r'([(\[]) ', r'\1', s)
	s = re.sub(r' ([)\],])', r'\1', s)
	s = re.sub(r'(^|[(,\[!~] ?|[-+*/&|<>=] )([&*!~-]) (?=[A-Za-z_(0-9])', r'\1\2', s)
	s = re.sub(r'([A-Za-z_0-9]) \(', r'\1(', s)
	s = re.sub(r'^(return|if|while|for|sizeof)\(', r'\1 (', s)
	s = re.sub(r'\((unsigned long|unsigned int|void \*|u64|u32|phys_addr_t)\) ', r'(\1)', s)
	return s

def call(ind, name, args, lead=''):
	"""name(args) at indentation ind after the text lead, wrapped at 80 columns."""
	one = '%s(%s)' % (name, ', '.join(args))
	width = len(ind.expandtabs(8)) + len(lead)
	if width + len(one) + 1 <= 80:
		return one
	col = width + len(name) + 1
	tabs, spaces = divmod(col, 8)
	cont = '\n' + '\t' * tabs + ' ' * spaces
	out = name + '(' + args[0]
	cur = col + len(args[0])
	for a in args[1:]:
		if cur + 2 + len(a) + 2 > 80:
			out += ',' + cont + a
			cur = col + len(a)
		else:
			out += ', ' + a
			cur += 2 + len(a)
	return out + ')'

def squash(e):
	return re.sub(r'\s+', '', str(e))

def note(h, text):
	l = notes.setdefault(h, [])
	if text not in l:
		l.append(text)

FULL = ('vma->vm_end-vma->vm_start', '(vma->vm_end-vma->vm_start)',
	'vma_pages(vma)<<PAGE_SHIFT')
body_text = {}		# handler: its source text

def is_full_size(h, s):
	"""The whole VMA: the expression, or a local only ever set to it."""
	s = squash(s)
	if s in FULL:
		return True
	if not re.match(r'^[A-Za-z_]\w*$', s):
		return False
	sets = re.findall(r'\b%s\s*([-+*/|&^]?=)(?!=)\s*([^;,]*)[;,]' % s, body_text.get(h, ''))
	return bool(sets) and all(op == '=' and squash(e) in FULL for op, e in sets)

DECL = re.compile(r'^\s*(?:const\s+|static\s+|volatile\s+)*(?:struct\s+\w+|enum\s+\w+|union\s+\w+|'
		  r'unsigned\s+\w+|signed\s+\w+|\w+_t|int|long|char|short|bool|u8|u16|u32|u64|'
		  r's8|s16|s32|s64|void)\b([^;(]*);', re.M)

def locals_of(h):
	names = set()
	for m in DECL.finditer(body_text.get(h, '')):
		for part in m.group(1).split(','):
			part = part.split('=')[0]
			n = re.findall(r'[A-Za-z_]\w*', part)
			if n:
				names.add(n[-1])
	return names

def read_body(h, p):
	"""The text of the function that starts at position p, up to its closing brace."""
	try:
		with open(p[0].file) as f:
			lines = f.readlines()
	except Exception:
		return
	out = []
	for l in lines[int(p[0].line) - 1:]:
		out.append(l)
		if l.startswith('}'):
			break
	body_text[h] = ''.join(out)

def is_start(a):
	return squash(a) == 'vma->vm_start'

def pure(e):
	"""No assignment, increment or decrement: safe to evaluate twice."""
	s = squash(e)
	return not re.search(r'(\+\+|--|[^=!<>]=[^=])', s)

def key(p):
	return '%s:%s' % (p[0].line, p[0].column)

def split_args(es):
	args, depth, cur = [], 0, ''
	for ch in str(es):
		if ch in '([{':
			depth += 1
		elif ch in ')]}':
			depth -= 1
		if ch == ',' and depth == 0:
			args.append(tidy(cur))
			cur = ''
		else:
			cur += ch
	args.append(tidy(cur))
	return ['vma'] + args

def indent_of(p):
	try:
		with open(p[0].file) as f:
			src = f.readlines()[int(p[0].line) - 1]
		return src[:len(src) - len(src.lstrip())]
	except Exception:
		return '\t'

def plan(h, fn, es, p):
	"""The statements that replace the call in prepare, the body of the
	rfc complete hook, and the reason for a refusal (or None)."""
	args = split_args(es)
	ind = indent_of(p)
	shp = shapes.get(h)
	ov = shp.get('override') if shp else None
	if shp is None:
		return None, None, ('the result of %s() is used in a way the rule does not '
				    'handle (an error path that cleans up, or code after the '
				    'call): the call must end the handler' % fn)
	if shp.get('ignored'):
		note(h, 'the result of %s() was ignored; a failure now fails the mmap '
		     '(REFERENCE 6.5)' % fn)
	lines = []
	body = None
	if fn in ('remap_pfn_range', 'io_remap_pfn_range') and len(args) == 5:
		a, pfn, size, prot = args[1], args[2], args[3], args[4]
		io = fn.startswith('io_')
		full = is_start(a) and is_full_size(h, size)
		if rfc_mode:
			if not full:
				return None, None, ('rfc: a partial remap has no remap_pfn_range_prepare() '
						    'form (it prepares the whole VMA)')
			if squash(prot) != 'vma->vm_page_prot':
				return None, None, ('rfc: the protection %s would have to reach '
						    'mmap_complete besides the PFN' % prot)
			if not pure(pfn):
				return None, None, 'rfc: the PFN expression has side effects and is needed twice'
			cargs = ['vma', 'vma->vm_start', '(unsigned long)context',
				 'vma->vm_end - vma->vm_start', 'vma->vm_page_prot']
			# The context first: the prepare helper may rewrite desc->pgoff
			# (a COW mapping, REFERENCE 6.7), which the PFN may be made of.
			lines.append('desc->mmap_context = (void *)(%s)' % pfn)
			if io:
				lines.append(call(ind, 'io_remap_pfn_range_prepare',
						  ['desc', pfn, 'vma_desc_size(desc)']))
				cname = 'io_remap_pfn_range_complete'
			else:
				lines.append(call(ind, 'remap_pfn_range_prepare', ['desc', pfn]))
				cname = 'remap_pfn_range_complete'
			if ov:
				body = 'if (%s)\n\t\treturn %s;\n\treturn 0' % (
					call('\t', cname, cargs, 'if ('), ov)
			else:
				body = 'return ' + call('\t', cname, cargs, 'return ')
			note(h, 'the remap moves to mmap_complete, which runs once the VMA is '
			     'inserted and uses its final page protection; the PFN computed in '
			     'prepare reaches it in desc->mmap_context')
			return (';\n' + ind).join(lines), body, None
		if full:
			lines.append(call(ind, 'mmap_action_ioremap_full' if io else
					  'mmap_action_remap_full', ['desc', pfn]))
		else:
			sz = size
			if not (is_start(a) and is_full_size(h, size)):
				sz = 'min_t(unsigned long, %s, vma->vm_end - %s)' % (
					size, a if is_start(a) else '(%s)' % a)
				note(h, 'the %s() size is clamped to the end of the VMA: mainline '
				     'rejects a range past desc->end, where the old code would '
				     'have mapped past the VMA (REFERENCE 6.4)' % fn)
			lines.append(call(ind, 'mmap_action_ioremap' if io else 'mmap_action_remap',
					  ['desc', a, pfn, sz]))
		if squash(prot) != 'vma->vm_page_prot':
			lines.append('desc->action.remap.pgprot = %s' % prot)
			note(h, 'the protection %s is used only for the remap, so it goes to '
			     'desc->action.remap.pgprot and the VMA keeps its own page_prot, '
			     'as before (REFERENCE 6.3)' % prot)
		if ov:
			lines.append('desc->action.error_override = %s' % ov)
			note(h, 'a failed remap still returns %s, through '
			     'desc->action.error_override; a range that the core rejects '
			     'before the VMA exists returns its own error' % ov)
	elif fn == 'vm_iomap_memory' and len(args) == 3:
		if rfc_mode:
			return None, None, ('rfc: vm_iomap_memory() has no prepare/complete pair '
					    'in the rfc series')
		lines.append(call(ind, 'mmap_action_simple_ioremap', ['desc', args[1], args[2]]))
		if ov:
			lines.append('desc->action.error_override = %s' % ov)
			note(h, 'a failed remap still returns %s through '
			     'desc->action.error_override; the range checks of '
			     'vm_iomap_memory() now run before the VMA exists and return '
			     '-EINVAL as they are' % ov)
	elif fn in ('vm_map_pages', 'vm_map_pages_zero') and len(args) == 3:
		pages, n = args[1], args[2]
		if rfc_mode:
			locs = locals_of(h)
			toks = set(re.findall(r'[A-Za-z_]\w*', pages + ' ' + n))
			if toks & locs:
				return None, None, ('rfc: the page array or its length uses locals '
						    '(%s) that mmap_complete cannot see'
						    % ', '.join(sorted(toks & locs)))
			lines.append('vm_flags_set(vma, VM_MIXEDMAP)')
			if ov:
				body = 'if (%s)\n\t\treturn %s;\n\treturn 0' % (
					call('\t', fn, ['vma', pages, n], 'if ('), ov)
			else:
				body = 'return ' + call('\t', fn, ['vma', pages, n], 'return ')
			note(h, 'the pages are inserted by mmap_complete; prepare sets VM_MIXEDMAP, '
			     'as the insertion did, so the mapping cannot merge and skip '
			     'mmap_complete (REFERENCE 6.2)')
			return (';\n' + ind).join(lines), body, None
		enxio = ov or '-ENXIO'
		if fn == 'vm_map_pages':
			lines.append('if (vma->vm_pgoff >= %s || vma_pages(vma) > %s - vma->vm_pgoff)\n'
				     '%s\treturn %s' % (n, n, ind, enxio))
			lines.append(call(ind, 'mmap_action_map_kernel_pages_full',
					  ['desc', '%s + vma->vm_pgoff' % pages]))
		else:
			lines.append('if (vma_pages(vma) > %s)\n%s\treturn %s' % (n, ind, enxio))
			lines.append(call(ind, 'mmap_action_map_kernel_pages_full', ['desc', pages]))
		if ov:
			lines.append('desc->action.error_override = %s' % ov)
			note(h, 'a failed page insertion still returns %s through '
			     'desc->action.error_override' % ov)
	else:
		return None, None, '%s() with %d arguments is not a form the rule knows' % (
			fn, len(args))
	return (';\n' + ind).join(lines), None, None

@script:python depends on rfc@
@@
rfc_mode = True

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

// The handlers' definitions: their text is read for the size and locals.
@ handler_def @
identifier hf, fp, vma;
position ph;
@@
hf@ph(struct file *fp, struct vm_area_struct *vma) { ... }

@script:python@
hf << handler_def.hf;
ph << handler_def.ph;
@@
if hf in handlers and hf not in body_text:
	read_body(hf, ph)

// Every call that maps memory into the VMA, supported or not.  Calls are
// matched alone and given to their function by position: a match inside
// the function pattern would report one of several calls only.
@ map_call @
identifier fn =~ "^(remap_pfn_range|io_remap_pfn_range|io_remap_pfn_range_wc|vm_iomap_memory|vm_map_pages|vm_map_pages_zero|remap_4k_pfn|vm_insert_page|vm_insert_pages|remap_vmalloc_range|remap_vmalloc_range_partial|vmf_insert_pfn|vmf_insert_mixed|vm_insert_kernel_pages)$";
expression list es;
position p;
@@
fn@p(es)

@script:python@
fn << map_call.fn;
p << map_call.p;
@@
calls.setdefault(p[0].current_element, []).append((int(p[0].line), int(p[0].column), fn))

// Locks: one taken before the remap and released after it is held across.
@ lock_call @
identifier lk =~ "(^mutex_lock|^spin_lock|^raw_spin_lock|^read_lock|^write_lock|^down_read|^down_write|^mtree_lock|^rcu_read_lock|^srcu_read_lock|^xa_lock|^guard$|^scoped_guard$)";
position p;
@@
lk@p(...)

@script:python@
lk << lock_call.lk;
p << lock_call.p;
@@
kind = 'guard' if lk in ('guard', 'scoped_guard') else 'lock'
locks.setdefault(p[0].current_element, []).append((int(p[0].line), kind, lk))

@ unlock_call @
identifier ul =~ "(unlock|^up_read$|^up_write$|^up$)";
position p;
@@
ul@p(...)

@script:python@
ul << unlock_call.ul;
p << unlock_call.p;
@@
locks.setdefault(p[0].current_element, []).append((int(p[0].line), 'unlock', ul))

// A masked flag compare has no one-helper descriptor form yet.
@ masked_cmp @
identifier hf, fp, vma;
expression A, B;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <+...
(
 (vma->vm_flags & A) == B
|
 (vma->vm_flags & A) != B
)
...+> }

@script:python@
hf << masked_cmp.hf;
@@
masked.add(hf)

// The vm_ops it installs, and their close (REFERENCE 6.1).
@ installs_ops @
identifier hf, fp, vma, vops;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <+...
 vma->vm_ops = &vops
...+> }

@script:python@
hf << installs_ops.hf;
vops << installs_ops.vops;
@@
ops_set.setdefault(hf, set()).add(vops)

@ ops_close @
identifier vops, cl;
@@
(
struct vm_operations_struct vops = {
	.close = cl,
};
|
const struct vm_operations_struct vops = {
	.close = cl,
};
)

@script:python@
vops << ops_close.vops;
cl << ops_close.cl;
@@
closes[vops] = cl

@script:python@
@@
for h in handlers:
	cs = calls.get(h, [])
	if not cs:
		continue
	if len(cs) > 1:
		refused[h] = ('several mapping calls (%s): mainline has one action per '
			      'mapping, and a per-branch or repeated remap needs a human'
			      % ', '.join(sorted(set(c[2] for c in cs))))
		continue
	line, col, fn = cs[0]
	if fn not in SUPPORTED:
		refused[h] = ('%s() has no prepare-time form (REFERENCE 6.9: an arch-only or '
			      'per-page path)' % fn)
		continue
	held = None
	for l, kind, name in sorted(locks.get(h, [])):
		if kind == 'guard' and l < line:
			held = name
		if kind == 'lock' and l < line and any(k == 'unlock' and l2 > line
						       for l2, k, n in locks[h]):
			held = name
	if held:
		if rfc_mode:
			refused[h] = ('%s() is held across %s() (REFERENCE 6.6): rfc would take it '
				      'in prepare and drop it in mmap_complete and mmap_abort, which '
				      'is not derived automatically yet' % (held, fn))
		else:
			refused[h] = ('%s() is held across %s() (REFERENCE 6.6): a mainline action '
				      'runs after prepare returns, outside the lock' % (held, fn))
		continue
	if h in masked:
		refused[h] = ('a masked compare of vma->vm_flags has no descriptor helper '
			      'that keeps its meaning')
		continue
	cl = [closes[o] for o in ops_set.get(h, ()) if o in closes]
	if cl:
		refused[h] = ('installs vm_ops whose close is %s(): a failed remap now unmaps '
			      'the new VMA and calls it, which the old failure path never did '
			      '(REFERENCE 6.1)' % cl[0])
		continue
	convertible.add(h)


// --- The shapes that end a handler with the call.  Matched first without
// change, so that the reason for a refusal can name what is missing.

@ shape @
identifier h;
identifier fp, vma, fn, ret;
identifier C =~ "^E[A-Z0-9]+$";
identifier logf =~ "^(pr_[a-z_]+|dev_[a-z_]+|printk)$";
expression list es, la;
position p, q;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
 return fn@p(vma, es);
|
 if (fn@p(vma, es))
	return@q -C;
 return 0;
|
 if (fn@p(vma, es)) {
	return@q -C;
 }
 return 0;
|
 if (fn@p(vma, es)) {
	logf@q(la);
	return -C;
 }
 return 0;
|
 ret = fn@p(vma, es);
 return ret;
|
 ret = fn@p(vma, es);
 if (ret)
	return ret;
 return 0;
|
 ret = fn@p(vma, es);
 if (ret < 0)
	return ret;
 return 0;
|
 fn@p(vma, es);
 return 0;
)
...+> }

@script:python@
h << shape.h;
@@
if h in convertible:
	shapes.setdefault(h, {})

@ shape_override @
identifier h;
identifier fp, vma, fn;
identifier C =~ "^E[A-Z0-9]+$";
identifier logf =~ "^(pr_[a-z_]+|dev_[a-z_]+|printk)$";
expression list es, la;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
 if (fn(vma, es))
	return -C;
|
 if (fn(vma, es)) {
	return -C;
 }
|
 if (fn(vma, es)) {
	logf(la);
	return -C;
 }
)
 return 0;
...+> }

@script:python@
h << shape_override.h;
C << shape_override.C;
@@
if h in shapes:
	shapes[h]['override'] = '-' + str(C)

@ shape_log @
identifier h;
identifier fp, vma, fn;
identifier C =~ "^E[A-Z0-9]+$";
identifier logf =~ "^(pr_[a-z_]+|dev_[a-z_]+|printk)$";
expression list es, la;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
 if (fn(vma, es)) {
	logf(la);
	return -C;
 }
...+> }

@script:python@
h << shape_log.h;
logf << shape_log.logf;
@@
if h in shapes:
		note(h, 'the %s() message on a failed remap is no longer printed: the remap now '
	     'fails after the handler has returned' % logf)

@ shape_bare @
identifier h;
identifier fp, vma, fn;
expression list es;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
 fn(vma, es);
 return 0;
...+> }

@script:python@
h << shape_bare.h;
@@
if h in shapes:
	shapes[h]['ignored'] = True

// --- The call site, and what it becomes.

@ site @
identifier h;
identifier fp, vma;
identifier fn =~ "^(remap_pfn_range|io_remap_pfn_range|vm_iomap_memory|vm_map_pages|vm_map_pages_zero)$";
expression list es;
position p;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
 fn@p(vma, es)
...+> }

@script:python how@
h << site.h;
fn << site.fn;
es << site.es;
p << site.p;
act;
cbody;
@@
if h not in convertible:
	cocci.include_match(False)
else:
	act_text, body, why = plan(h, fn, es, p)
	if why is not None:
		refused[h] = why
		convertible.discard(h)
		cocci.include_match(False)
	else:
		done.add(h)
		coccinelle.act = cocci.make_ident(act_text)
		coccinelle.cbody = cocci.make_ident(body or 'return 0')

@ depends on patch @
identifier site.h;
identifier fp, vma, site.fn, ret;
identifier C =~ "^E[A-Z0-9]+$";
identifier logf =~ "^(pr_[a-z_]+|dev_[a-z_]+|printk)$";
expression list site.es, la;
position site.p;
identifier how.act;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
- return fn@p(vma, es);
+ act;
+ return 0;
|
- if (fn@p(vma, es))
-	return -C;
+ act;
  return 0;
|
- if (fn@p(vma, es)) {
-	return -C;
- }
+ act;
  return 0;
|
- if (fn@p(vma, es)) {
-	logf(la);
-	return -C;
- }
+ act;
  return 0;
|
- ret = fn@p(vma, es);
- return ret;
+ act;
+ return 0;
|
- ret = fn@p(vma, es);
- if (ret)
-	return ret;
+ act;
  return 0;
|
- ret = fn@p(vma, es);
- if (ret < 0)
-	return ret;
+ act;
  return 0;
|
- fn@p(vma, es);
+ act;
  return 0;
)
...+> }

// A local that only fed the call ("ret", "vsize") would now be unused.
@ depends on patch @
identifier site.h;
identifier fp, vma, x;
type T;
expression E : script:python() { pure(E) };
@@
h(struct file *fp, struct vm_area_struct *vma) {
 ... when any
(
- T x;
|
- T x = E;
)
 ... when != x
}

// rfc: the remap itself, in a new mmap_complete hook after the handler.
@ depends on patch && rfc @
identifier site.h;
fresh identifier comp = h ## "_complete";
identifier how.cbody;
@@
h(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	cbody;
+}

@ depends on patch && rfc @
identifier site.h;
fresh identifier comp = h ## "_complete";
identifier ops;
@@
(
struct file_operations ops = {
	.mmap = h,
+	.mmap_complete = comp,
};
|
const struct file_operations ops = {
	.mmap = h,
+	.mmap_complete = comp,
};
)

@finalize:python@
@@
if report_path:
	with open(report_path, 'a') as f:
		for h in sorted(handlers):
			if h not in calls and h not in refused:
				refused[h] = ('no mapping call in the body of the handler as spatch '
					      'parsed it: the call is in a helper it passes the VMA '
					      'to, or the function did not parse (cleanup helpers such '
					      'as scoped_guard)')
			if h in refused:
				f.write('%s\trefused\t%s\n' % (h, refused[h]))
			elif h in done:
				f.write('%s\tconverted\t\n' % h)
				for n in notes.get(h, []):
					f.write('%s\tnote\t%s\n' % (h, n))
