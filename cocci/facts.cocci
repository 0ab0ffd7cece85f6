// SPDX-License-Identifier: GPL-2.0
/// Facts about mmap handlers, for mmapport's classifier where libclang
/// cannot see a handler: code disabled in the configuration it parsed,
/// another architecture's file, a handler whose body does not parse.
/// Coccinelle reads the file without a configuration (every #if branch
/// at once, no types from headers), so these facts are less sure than
/// libclang's and mmapport marks them so (confidence low).
///
/// For each handler named with -D handler_names=a,b (without it, every function
/// that takes a struct vm_area_struct *; -D call_depth=N follows calls N
/// deep, 3 without it), the facts are printed one JSON
/// object per line, in the vocabulary of mmapport's analyzer
/// (docs/categories.md):
///   {"handler": H, "key": K, "item": {...}}    an element of the list K
///   {"handler": H, "key": K, "value": V}       K is V
///   {"handler": H, "key": "locals", "name": N, "value": V}
/// K is one of vma_param, def_line, end_line, fields_read,
/// fields_written, flag_ops, calls, remaps, inserts, escapes, stacked,
/// dispatches, followed, returns, error_codes, gotos, locals, vm_ops,
/// writes (an assignment outside the function's locals), call_sites (every call, for the classifier's lists of what takes and
/// releases a resource) and not_found.  Calls that receive the VMA are
/// followed into the functions of the file that take it, three calls
/// deep, as the analyzer does.  Each fact has the line it is on, the
/// function it is in ("in"), its offset in the file ("pos") and the
/// offset that orders it in the handler ("offset": its own, or that of
/// the handler's call that led to it).
///
/// The rules only match (no rewrite): the SmPL says which shapes are
/// facts; the python records them by position and prints them.  -D report
/// (make coccicheck MODE=report) prints a line per function instead, at
/// its definition: how many facts of each key it has.  mmapport adds
/// --macro-file cocci/macros.h, the cleanup helpers Coccinelle does not
/// know (scoped_guard); alone, a body that uses them may not parse.
///
// Confidence: Moderate
// Copyright: (C) 2026 the mmapport authors.
// Options: --no-includes

virtual report

@initialize:python@
@@
import json
import re

MAX_DEPTH = 3		# -D call_depth=N (mmapport: CALL_DEPTH of tools/category.h)
# calls that hand the VMA to another file's mmap: calls_stacked of
# tools/category.c (tests/47-lists.t keeps them the same)
STACKED_CALLS = set(['vfs_mmap', 'call_mmap', 'dma_buf_mmap', 'can_mmap_file'])
named = set()		# -D handler_names=a,b
finished = set()	# (file, function): its facts completed (finish())
summarised = set()	# (file, function): its -D report line printed

# file -> (text, offsets of the line starts)
texts = {}

def text_of(f):
	if f not in texts:
		with open(f, encoding='latin-1') as fd:
			t = fd.read()
		starts = [0]
		i = t.find('\n')
		while i >= 0:
			starts.append(i + 1)
			i = t.find('\n', i + 1)
		texts[f] = (t, starts)
	return texts[f]

def off(f, line, col):
	t, starts = text_of(f)
	line, col = int(line), int(col)
	return starts[line - 1] + col if 0 < line <= len(starts) else len(t)

def start(p):
	return off(p.file, p.line, p.column)

def end(p):
	return off(p.file, p.line_end, p.column_end)

def words(s):
	return ' '.join(s.split())

def code(s):
	"""s without its preprocessor lines: what one configuration compiles."""
	if '#' not in s:
		return s
	return '\n'.join(l for l in s.split('\n') if not l.lstrip().startswith('#'))

def src(pa, pb=None):
	"""The source text from the start of pa to the end of pb, one line."""
	t = text_of(pa.file)[0]
	return words(code(t[start(pa):end(pb or pa)]))

def split_args(s):
	"""'(a, f(b, c), d)' -> ['a', 'f(b, c)', 'd']"""
	s = code(s).strip()
	if s.startswith('('):
		s = s[1:]
	if s.endswith(')'):
		s = s[:-1]
	out, depth, cur, quote = [], 0, '', None
	for c in s:
		if quote:
			cur += c
			if c == quote and not cur.endswith('\\' + quote):
				quote = None
			continue
		if c in '"\'':
			quote = c
		elif c in '([{':
			depth += 1
		elif c in ')]}':
			depth -= 1
		elif c == ',' and depth == 0:
			out.append(words(cur))
			cur = ''
			continue
		cur += c
	if words(cur):
		out.append(words(cur))
	return out

class Fn:
	"""A function of the file that takes a struct vm_area_struct *."""
	def __init__(self, file, name):
		self.file = file
		self.name = name
		self.vmas = {}		# VMA parameter -> its index
		self.aliases = set()	# struct vm_area_struct *x = vma;
		self.uses = {}		# offset of a use of the VMA -> line
		self.seen = set()	# offsets of the uses a rule below explains
		self.facts = []		# (key, item), item with its "pos"
		self.calls = {}		# offset of a callee with the VMA -> call item
		self.locals = []	# (pos, name, text)
		self.gotos = 0
		self.last = 0		# end offset of its last statement
		self.declared = {}	# local -> whether it is a pointer
		self.params = {}	# parameter -> whether it is a pointer
		self.file_param = None	# the first struct file * parameter

fns = {}	# (file, name) -> Fn
defs = {}	# (file, name) -> line of the name, for every function defined
def_at = {}	# (file, name) -> the position of its name, where -D report says its facts
statics = set()	# (file, name) of the static ones
stmts = {}	# file -> {start offset: end offset} of every statement
blocks = {}	# file -> [(start, end)] of the compound statements
dead = {}	# file -> [(start, end)] of the statements under "if (0)"
desc_protos = set()	# (function, index): prototypes of the file taking a descriptor
loops = {}	# file -> [start offset] of for, while, do and iterator statements
branches = {}	# file -> [(end of the condition, start of the if)]
results = {}	# (file, callee offset) -> what happens to the call's value
check_returns = {}	# (file, callee offset) -> what the branch checking it returns
checks = {}	# (file, callee offset) -> text of the branch a test leads to
member_types = {}	# (file, member offset) -> the type of the object
hook_locals = {}	# (file, function, local) -> (member position, name, object position)
ops_tables = {}	# (file, ops variable) -> {member: function}
body_calls = {}	# (file, function) -> the names it calls, in order

def fn_at(p):
	return fns.get((p.file, p.current_element))

def vma_in(p, v):
	"""The function whose VMA (a parameter or an alias) v is, at p."""
	f = fn_at(p)
	if f is not None and (v in f.vmas or v in f.aliases):
		return f
	return None

def interesting(p):
	return (p[0].file, p[0].current_element) in fns

def fact(f, key, p, item):
	item['line'] = int(p.line)
	item['pos'] = start(p)
	f.facts.append((key, item))
	return item

def explain(p):
	f = fn_at(p)
	if f is not None:
		f.seen.add(start(p))

def call_of(f, p, pc, callee, n):
	"""The call at p (callee) .. pc (closing parenthesis) receiving the VMA."""
	o = start(p)
	if o in f.calls:
		return f.calls[o]
	t = text_of(p.file)[0]
	c = fact(f, 'calls', p, {'callee': callee, 'vma_arg': int(n),
				 'args': split_args(t[end(p):end(pc)])})
	f.calls[o] = c
	return c

# fields that hold the ops of a well-known struct, whatever the object
HOOK_FIELDS = {'f_op': 'file_operations', 'vm_ops': 'vm_operations_struct',
	       'proc_ops': 'proc_ops'}

def hook_call(f, p, pm, m, pb, expr):
	"""A hook m called with the VMA through the object at pb: another file's
	mmap (stacked), a subsystem hook whose name says mmap (a dispatcher),
	any other callback (an escape).  The object's struct is its type when
	Coccinelle knows it (a local, a parameter), else the field it is read
	from, for the kernel's well-known ones (HOOK_FIELDS), else "?".  p is the call, pm the
	member (where the local was set, for a local that holds the hook)."""
	t = member_types.get((pm.file, start(pm)), '')
	base = src(pb)
	last = re.split(r'->|\.', base)[-1].strip()
	if 'struct' in t:
		sname = re.sub(r'^.*struct\s+(\w+).*$', r'\1', t)
	else:
		sname = HOOK_FIELDS.get(last, '?')
	hook = '%s.%s' % (sname, m)
	if 'mmap' not in m:
		fact(f, 'escapes', p, {'how': 'passed', 'to': '%s (%s)' % (expr, hook),
				       'visible': False})
	else:
		fact(f, 'stacked' if sname == 'file_operations' else 'dispatches', p,
		     {'hook': hook, 'expr': expr})

def escape(p, v, item):
	f = vma_in(p, v)
	if f is not None and start(p) not in f.seen:
		fact(f, 'escapes', p, item)
		explain(p)

# --- what the end of a file (report) or of the run does with the facts

def containing(f, pos):
	"""in a loop; in a branch of an if; the innermost block (or None)"""
	lp = any(s <= pos < stmts.get(f.file, {}).get(s, s)
		 for s in loops.get(f.file, []))
	br = any(c <= pos < stmts.get(f.file, {}).get(s, s)
		 for c, s in branches.get(f.file, []))
	inner = None
	for s, e in blocks.get(f.file, []):
		if s <= pos < e and (inner is None or e - s < inner[1] - inner[0]):
			inner = (s, e)
	return lp, br, inner

def result_of(f, pos):
	k = (f.file, pos)
	return checks.get(k) or results.get(k) or 'used in an expression'

def flatten(file, fn, seen):
	"""The names fn calls, and those its file's callees call, 8 deep."""
	out = []
	for g in body_calls.get((file, fn), []):
		out.append(g)
		if (file, g) in defs and g not in seen and len(seen) < 8:
			seen.add(g)
			out.extend(flatten(file, g, seen))
	return out

def finish(f):
	"""Results, loops and paths of f's facts; the unexplained uses."""
	t = text_of(f.file)[0]
	dr = dead.get(f.file, [])
	if dr:
		# what never runs is not counted: its facts go, its uses are explained
		f.facts = [(k, it) for k, it in f.facts
			   if not any(s <= it['pos'] < e for s, e in dr)]
		f.seen.update(pos for pos in f.uses if any(s <= pos < e for s, e in dr))
	for key, item in f.facts:
		pos = item['pos']
		if key in ('remaps', 'inserts'):
			item['result'] = result_of(f, pos)
			if (f.file, pos) in check_returns:
				item['result_return'] = check_returns[(f.file, pos)]

		if key == 'inserts':
			item['in_loop'] = containing(f, pos)[0]
		if key == 'call_sites':
			if (f.file, item['call']) in defs and (f.file, item['call']) not in fns:
				item['body_calls'] = flatten(f.file, item['call'], {item['call']})
			r = results.get((f.file, pos), '')
			if r.startswith('assigned to '):
				item['result'] = r[12:]
			lp, br, inner = containing(f, pos)
			if br:
				item['conditional'] = True
			if inner and re.search(r'\b(return|goto)\b', t[inner[0]:inner[1]]):
				item['exit_path_until'] = inner[1]
	for pos in sorted(set(f.uses) - f.seen):
		f.facts.append(('escapes', {'how': 'used', 'line': f.uses[pos], 'pos': pos}))


def complete():
	"""Finish the facts of every function not finished yet."""
	for k, f in fns.items():
		if k not in finished:
			finished.add(k)
			finish(f)

def end_line(f):
	"""The line of f's closing brace: the first after its last statement."""
	t = text_of(f.file)[0]
	brace = t.find('}', f.last)
	return text_line(f.file, brace if brace >= 0 else f.last)

def text_line(file, o):
	starts = text_of(file)[1]
	lo, hi = 0, len(starts) - 1
	while lo < hi:
		mid = (lo + hi + 1) >> 1
		if starts[mid] <= o:
			lo = mid
		else:
			hi = mid - 1
	return lo + 1

def emit(h, key, **kw):
	kw['handler'] = h
	kw['key'] = key
	print(json.dumps(kw, sort_keys=True))

def walk(h, f, depth, site, visited, out):
	for key, item in sorted(f.facts, key=lambda ki: ki[1]['pos']):
		if depth and key in ('returns', 'error_codes', 'dead_code', 'desc_calls'):
			continue
		it = dict(item)
		it['in'] = f.name
		it['offset'] = site if depth else it['pos']
		if depth and it.get('result') == 'returned':
			it['result'] = 'returned by the helper'
		if key == 'calls' and 'kind' not in it:
			callee = fns.get((f.file, it['callee']))
			has_def = (f.file, it['callee']) in defs
			if (callee is not None and it['vma_arg'] in callee.vmas.values() and
			    depth < MAX_DEPTH and it['callee'] not in visited):
				visited.add(it['callee'])
				it['kind'] = 'followed'
				out.append(('followed', {'fn': it['callee'], 'depth': depth + 1,
							 'where': 'static, this file' if
							 (f.file, it['callee']) in statics else
							 'this file', 'line': it['line'],
							 'in': f.name, 'offset': it['offset'],
							 'pos': it['pos']}))
				walk(h, callee, depth + 1, it['offset'], visited, out)
				out.append((key, it))
				continue
			it['kind'] = 'too deep' if has_def else 'not visible'
			out.append(('escapes', {'how': 'passed', 'to': it['callee'],
						'visible': has_def, 'line': it['line'], 'in': f.name,
						'offset': it['offset'], 'pos': it['pos']}))
		if key == 'fields_written' and 'ops_var' in it:
			table = ops_tables.get((f.file, it['ops_var']))
			if table is not None:
				ops = dict(table)
				ops['ops'] = it['ops_var']
				close = fns.get((f.file, table.get('close')))
				if close is not None:
					ops['close_calls'] = [{'call': s['call'], 'key': s.get('key', '')}
							      for k, s in close.facts if k == 'call_sites']
				out.append(('vm_ops', ops))
		out.append((key, it))
	if not depth:
		return
	# the helper's locals come after the handler's
	out.extend(('locals', {'name': n, 'value': v}) for p, n, v in sorted(f.locals))

// A file that defines a function taking a VMA: every rule depends on this
// one, whose tokens let make coccicheck skip the other files unparsed.
@ has_vma @
identifier fn, v;
@@
fn(..., struct vm_area_struct *v, ...) { ... }

@script:python depends on has_vma@
h << virtual.handler_names;
@@
named.update(h.split(','))

@script:python depends on has_vma@
d << virtual.call_depth;
@@
MAX_DEPTH = int(d)

// Every function definition, and whether it is static.
@ fn_def depends on has_vma @
identifier fn;
position p;
@@
fn@p(...) { ... }

@script:python depends on has_vma@
fn << fn_def.fn;
p << fn_def.p;
@@
defs[(p[0].file, fn)] = int(p[0].line)
def_at[(p[0].file, fn)] = p[0]

// The static functions of the file.
@ static_fn depends on has_vma @
identifier fn;
type T;
position p;
@@
static T fn@p(...) { ... }

@script:python depends on has_vma@
fn << static_fn.fn;
p << static_fn.p;
@@
statics.add((p[0].file, fn))

// The functions that take a VMA, and its position among their parameters.
@ vma_param depends on has_vma @
identifier fn, v;
parameter list[n] before;
position p;
@@
fn@p(before, struct vm_area_struct *v, ...) { ... }

@script:python depends on has_vma@
fn << vma_param.fn;
v << vma_param.v;
n << vma_param.n;
p << vma_param.p;
@@
k = (p[0].file, fn)
if k not in fns:
	fns[k] = Fn(p[0].file, fn)
fns[k].vmas[v] = int(n)

// Their parameters, and which are pointers (for the write rule).
@ param depends on has_vma @
identifier fn, x;
type T;
parameter list[n] before;
position p : script:python() { interesting(p) };
@@
fn@p(before, T x, ...) { ... }

@script:python depends on has_vma@
T << param.T;
x << param.x;
p << param.p;
@@
f = fn_at(p[0])
f.params[x] = '*' in T
if ' '.join(str(T).split()) == 'struct file *' and f.file_param is None:
	f.file_param = str(x)

// Every statement's extent; blocks, loops and branches are among them.
@ stmt depends on has_vma @
statement S;
position p : script:python() { interesting(p) };
@@
S@p

@script:python depends on has_vma@
p << stmt.p;
@@
s, e = start(p[0]), end(p[0])
f = fn_at(p[0])
f.last = max(f.last, e)
stmts.setdefault(p[0].file, {})[s] = max(e, stmts.get(p[0].file, {}).get(s, 0))
head = text_of(p[0].file)[0][s:s + 3]
if head.startswith('{'):
	blocks.setdefault(p[0].file, []).append((s, e))
elif head == 'do ' or head == 'do{' or head == 'do\t' or head == 'do\n':
	loops.setdefault(p[0].file, []).append(s)

// Every loop, for the facts made inside one.
@ loop depends on has_vma @
expression E;
statement S;
iterator I;
position p : script:python() { interesting(p) };
@@
(
 for@p (...;...;...) S
|
 while@p (E) S
|
 I@p(...) S
)

@script:python depends on has_vma@
p << loop.p;
@@
loops.setdefault(p[0].file, []).append(start(p[0]))

// Every if with an else, and its condition.
@ branch depends on has_vma @
expression E;
statement S1, S2;
position p : script:python() { interesting(p) };
position pe;
@@
if@p (E@pe) S1 else S2

@script:python depends on has_vma@
p << branch.p;
pe << branch.pe;
@@
branches.setdefault(p[0].file, []).append((end(pe[0]), start(p[0])))

// A local that stands for the VMA.
@ alias depends on has_vma @
identifier v, x;
position p : script:python() { interesting(p) };
@@
struct vm_area_struct *x = v@p;

@script:python depends on has_vma@
v << alias.v;
x << alias.x;
p << alias.p;
@@
f = vma_in(p[0], v)
if f is not None:
	f.aliases.add(x)
	explain(p[0])

// Every use of the VMA: each must be explained by one of the rules below,
// or it is an escape ("used").
@ use depends on has_vma @
identifier v;
position p : script:python() { interesting(p) };
@@
v@p

@script:python depends on has_vma@
v << use.v;
p << use.p;
@@
f = vma_in(p[0], v)
if f is not None:
	f.uses[start(p[0])] = int(p[0].line)

// VMA fields: read, written (with the assigned expression), and the
// operator a read is used with (a vm_flags read with & is a flag test).
@ field_write depends on has_vma @
identifier v, fld;
assignment operator aop;
expression E;
position p : script:python() { interesting(p) };
position pe;
@@
v@p->fld aop E@pe

@script:python depends on has_vma@
v << field_write.v;
fld << field_write.fld;
aop << field_write.aop;
p << field_write.p;
pe << field_write.pe;
@@
f = vma_in(p[0], v)
if f is not None and start(p[0]) not in f.seen:
	e = src(pe[0])
	w = fact(f, 'fields_written', p[0], {'field': fld, 'op': str(aop).strip(), 'expr': e})
	if fld == 'vm_ops' and re.match(r'^&?\s*[A-Za-z_]\w*$', e):
		w['ops_var'] = e.lstrip('&').strip()
	explain(p[0])

// is_nommu_shared_mapping(vma->vm_flags): a read with a descriptor form
@ field_nommu depends on has_vma @
identifier v;
position p : script:python() { interesting(p) };
@@
is_nommu_shared_mapping(v@p->vm_flags)

@script:python depends on has_vma@
v << field_nommu.v;
p << field_nommu.p;
@@
f = vma_in(p[0], v)
if f is not None and start(p[0]) not in f.seen:
	r = fact(f, 'fields_read', p[0], {'field': 'vm_flags'})
	r['op'] = 'is_nommu_shared_mapping'
	explain(p[0])

// A field of the VMA read with a binary operator (a vm_flags test).
@ field_op depends on has_vma @
identifier v, fld;
binary operator bop;
expression E;
position p : script:python() { interesting(p) };
@@
v@p->fld bop E

@script:python depends on has_vma@
v << field_op.v;
fld << field_op.fld;
bop << field_op.bop;
p << field_op.p;
@@
f = vma_in(p[0], v)
if f is not None and start(p[0]) not in f.seen:
	r = fact(f, 'fields_read', p[0], {'field': fld})
	if fld == 'vm_flags':
		r['op'] = str(bop).strip()
	explain(p[0])

// Any other read of a field of the VMA.
@ field_read depends on has_vma @
identifier v, fld;
position p : script:python() { interesting(p) };
@@
v@p->fld

@script:python depends on has_vma@
v << field_read.v;
fld << field_read.fld;
p << field_read.p;
@@
f = vma_in(p[0], v)
if f is not None and start(p[0]) not in f.seen:
	r = fact(f, 'fields_read', p[0], {'field': fld})
	if fld == 'vm_flags':
		r['op'] = 'value'
	explain(p[0])

// Calls that receive the VMA, by what the callee does.
// Mapping PFNs (pfn-remap): the arguments by their role.
@ remap depends on has_vma @
identifier fn = {remap_pfn_range, io_remap_pfn_range, io_remap_pfn_range_wc};
identifier v;
expression list[n] before;
expression addr, pfn, size, prot;
position p : script:python() { interesting(p) };
position pv, pc, pa, pp, ps, pr;
@@
fn@p(before, v@pv, addr@pa, pfn@pp, size@ps, prot@pr)@pc

@script:python depends on has_vma@
fn << remap.fn;
v << remap.v;
n << remap.n;
p << remap.p;
pv << remap.pv;
pc << remap.pc;
pa << remap.pa;
pp << remap.pp;
ps << remap.ps;
pr << remap.pr;
@@
f = vma_in(p[0], v)
if f is not None:
	call_of(f, p[0], pc[0], fn, n)['kind'] = 'remap'
	fact(f, 'remaps', p[0], {'fn': fn, 'io': fn.startswith('io_'), 'addr': src(pa[0]),
				 'pfn': src(pp[0]), 'size': src(ps[0]), 'prot': src(pr[0])})
	explain(pv[0])

// remap_4k_pfn() (powerpc), a remap of one 4K page.
@ remap_4k depends on has_vma @
identifier v;
expression list[n] before;
expression addr, pfn, prot;
position p : script:python() { interesting(p) };
position pv, pc, pa, pp, pr;
@@
remap_4k_pfn@p(before, v@pv, addr@pa, pfn@pp, prot@pr)@pc

@script:python depends on has_vma@
v << remap_4k.v;
n << remap_4k.n;
p << remap_4k.p;
pv << remap_4k.pv;
pc << remap_4k.pc;
pa << remap_4k.pa;
pp << remap_4k.pp;
pr << remap_4k.pr;
@@
f = vma_in(p[0], v)
if f is not None:
	call_of(f, p[0], pc[0], 'remap_4k_pfn', n)['kind'] = 'remap'
	fact(f, 'remaps', p[0], {'fn': 'remap_4k_pfn', 'io': False, 'addr': src(pa[0]),
				 'pfn': src(pp[0]), 'prot': src(pr[0])})
	explain(pv[0])

// vm_iomap_memory(), a remap of a physical range.
@ iomap depends on has_vma @
identifier v;
expression list[n] before;
expression phys, size;
position p : script:python() { interesting(p) };
position pv, pc, pa, ps;
@@
vm_iomap_memory@p(before, v@pv, phys@pa, size@ps)@pc

@script:python depends on has_vma@
v << iomap.v;
n << iomap.n;
p << iomap.p;
pv << iomap.pv;
pc << iomap.pc;
pa << iomap.pa;
ps << iomap.ps;
@@
f = vma_in(p[0], v)
if f is not None:
	call_of(f, p[0], pc[0], 'vm_iomap_memory', n)['kind'] = 'remap'
	fact(f, 'remaps', p[0], {'fn': 'vm_iomap_memory', 'io': True, 'phys': src(pa[0]),
				 'size': src(ps[0])})
	explain(pv[0])

// Inserting pages (page-insert), mapping a DMA buffer (dma-mmap), another
// file's mmap (stacked), and the helpers with a descriptor form (simple).
@ kind_call depends on has_vma @
identifier v;
identifier fn = {vm_insert_page, vm_insert_pages, vm_map_pages, vm_map_pages_zero,
		 remap_vmalloc_range, remap_vmalloc_range_partial, vmf_insert_pfn,
		 vmf_insert_mixed, vm_insert_kernel_pages, vmf_insert_pfn_prot,
		 vfs_mmap, call_mmap, dma_buf_mmap, can_mmap_file,
		 vm_flags_set, vm_flags_clear, vm_flags_mod, vm_flags_reset, vma_pages,
		 vma_start_pgoff, vma_set_anonymous, generic_file_mmap, generic_file_readonly_mmap,
		 vma_is_shared_maywrite, is_cow_mapping, vma_set_page_prot};
expression list[n] before;
position p : script:python() { interesting(p) };
position pv, pc;
@@
fn@p(before, v@pv, ...)@pc

@script:python depends on has_vma@
fn << kind_call.fn;
v << kind_call.v;
n << kind_call.n;
p << kind_call.p;
pv << kind_call.pv;
pc << kind_call.pc;
@@
f = vma_in(p[0], v)
if f is not None:
	c = call_of(f, p[0], pc[0], fn, n)
	if fn.startswith('vm') and ('insert' in fn or 'map_pages' in fn) or 'remap_vmalloc' in fn:
		c['kind'] = 'insert'
		fact(f, 'inserts', p[0], {'fn': fn, 'args': c['args']})
	elif fn in STACKED_CALLS:
		c['kind'] = 'stacked'
		fact(f, 'stacked', p[0], {'call': fn})
	else:
		c['kind'] = 'simple'
		if fn.startswith('vm_flags_'):
			a = c['args']
			fact(f, 'flag_ops', p[0], {'op': fn, 'flags': a[1] if len(a) > 1 else ''})
	explain(pv[0])

// dma_mmap_*(), a mapping made by the DMA API.
@ dma_call depends on has_vma @
identifier v;
identifier fn =~ "^dma_mmap_";
expression list[n] before;
position p : script:python() { interesting(p) };
position pv, pc;
@@
fn@p(before, v@pv, ...)@pc

@script:python depends on has_vma@
fn << dma_call.fn;
v << dma_call.v;
n << dma_call.n;
p << dma_call.p;
pv << dma_call.pv;
pc << dma_call.pc;
@@
f = vma_in(p[0], v)
if f is not None:
	call_of(f, p[0], pc[0], fn, n)['kind'] = 'dma-mmap'
	explain(pv[0])

// A local that holds a hook: mmap = pde->proc_ops->proc_mmap.
@ hook_local depends on has_vma @
identifier x, m;
expression E;
type T;
position p : script:python() { interesting(p) };
position pe, pm;
@@
(
 T x@p = E@pe->m@pm;
|
 x@p = E@pe->m@pm
)

@script:python depends on has_vma@
x << hook_local.x;
m << hook_local.m;
p << hook_local.p;
pe << hook_local.pe;
pm << hook_local.pm;
@@
hook_locals[(p[0].file, p[0].current_element, x)] = (pm[0], m, pe[0])

// A prototype of the file whose parameter is a struct vm_area_desc *:
// the VMA passed there (code written for an older kernel) is the
// descriptor in the conversion (libclang reads every prototype, headers
// too; Coccinelle sees only the file's).
@ desc_proto depends on has_vma @
identifier F, d;
type T;
parameter list[n] ps;
@@
(
T F(ps, const struct vm_area_desc *d, ...);
|
T F(ps, struct vm_area_desc *d, ...);
)

@script:python depends on has_vma@
F << desc_proto.F;
n << desc_proto.n;
@@
desc_protos.add((F, int(n)))

// Any other function that receives the VMA: followed into this file's
// functions, otherwise an escape (decided once all functions are known).
@ other_call depends on has_vma @
identifier v, fn;
expression list[n] before;
position p : script:python() { interesting(p) };
position pv, pc;
@@
fn@p(before, v@pv, ...)@pc

@script:python depends on has_vma@
fn << other_call.fn;
v << other_call.v;
n << other_call.n;
p << other_call.p;
pv << other_call.pv;
pc << other_call.pc;
@@
f = vma_in(p[0], v)
hook = hook_locals.get((p[0].file, p[0].current_element, fn))
if f is not None and hook is not None:
	pm, m, pe = hook
	hook_call(f, p[0], pm, m, pe, src(pe, pm))
	explain(pv[0])
elif f is not None and (fn, int(n)) in desc_protos:
	fact(f, 'desc_calls', p[0], {'call': fn, 'arg': int(n)})
	explain(pv[0])
elif f is not None:
	call_of(f, p[0], pc[0], fn, n)
	explain(pv[0])

// A hook called through a member: another file's ->mmap (stacked), a
// subsystem hook whose name says mmap (a dispatcher), or any other
// callback (the VMA escapes).
@ member_type depends on has_vma @
type T;
T E;
identifier m;
position p : script:python() { interesting(p) };
@@
(
 E->m@p
|
 E.m@p
)

@script:python depends on has_vma@
T << member_type.T;
p << member_type.p;
@@
member_types[(p[0].file, start(p[0]))] = str(T)

// A call through a member (ops->mmap(..., vma)) that gets the VMA.
@ member_call depends on has_vma @
expression E;
identifier m, v;
expression list[n] before;
position p : script:python() { interesting(p) };
position pe, pv, pc;
@@
(
 E@pe->m@p(before, v@pv, ...)@pc
|
 E@pe.m@p(before, v@pv, ...)@pc
)

@script:python depends on has_vma@
m << member_call.m;
v << member_call.v;
p << member_call.p;
pe << member_call.pe;
pv << member_call.pv;
@@
f = vma_in(p[0], v)
if f is not None:
	hook_call(f, p[0], p[0], m, pe[0], src(pe[0], p[0]))
	explain(pv[0])

// Another file's mmap hook looked at: f_op->mmap (a file_operations by
// its type or its spelling), can_mmap_file().
@ looks depends on has_vma @
expression E;
position p : script:python() { interesting(p) };
position pe;
@@
E@pe->mmap@p

@script:python depends on has_vma@
p << looks.p;
pe << looks.pe;
@@
t = member_types.get((p[0].file, start(p[0])), '')
if 'file_operations' in t and 'v4l2' not in t or src(pe[0]).endswith('f_op'):
	fact(fn_at(p[0]), 'stacked', p[0], {'call': 'looks at %s' % src(pe[0], p[0])})

// can_mmap_file(): the handler looks at another file's operations.
@ looks_can depends on has_vma @
position p : script:python() { interesting(p) };
@@
can_mmap_file@p(...)

@script:python depends on has_vma@
p << looks_can.p;
@@
fact(fn_at(p[0]), 'stacked', p[0], {'call': 'can_mmap_file() on another file'})

// What happens to a call's value: returned, ignored, assigned, tested.
@ res_return depends on has_vma @
identifier fn;
position p : script:python() { interesting(p) };
@@
return fn@p(...);

@script:python depends on has_vma@
p << res_return.p;
@@
results[(p[0].file, start(p[0]))] = 'returned'

// A call's result dropped.
@ res_ignored depends on has_vma @
identifier fn;
position p : script:python() { interesting(p) };
@@
fn@p(...);

@script:python depends on has_vma@
p << res_ignored.p;
@@
results[(p[0].file, start(p[0]))] = 'ignored'

// A call's result assigned.
@ res_assign depends on has_vma @
identifier fn;
expression X;
position p : script:python() { interesting(p) };
position px;
@@
X@px = fn@p(...)

@script:python depends on has_vma@
p << res_assign.p;
px << res_assign.px;
@@
results[(p[0].file, start(p[0]))] = 'assigned to ' + src(px[0])

// A call's result initialising a local.
@ res_decl depends on has_vma @
identifier fn, x;
type T;
position p : script:python() { interesting(p) };
@@
T x = fn@p(...);

@script:python depends on has_vma@
x << res_decl.x;
p << res_decl.p;
@@
results[(p[0].file, start(p[0]))] = 'assigned to ' + x

// A call's result tested by an if.
@ res_if depends on has_vma @
identifier fn;
expression E;
binary operator bop;
statement S1, S2;
position p : script:python() { interesting(p) };
position ps;
@@
(
 if (fn@p(...)) S1@ps else S2
|
 if (!fn@p(...)) S1@ps else S2
|
 if (fn@p(...) bop E) S1@ps else S2
)

@script:python depends on has_vma@
p << res_if.p;
ps << res_if.ps;
@@
then = src(ps[0])
at = then.find('return')
r = 'checked'
if at >= 0:
	stop = then.find(';', at)
	r = 'checked: ' + (then[at:stop] if stop >= 0 else then[at:at + 40])
	if stop >= 0:
		check_returns[(p[0].file, start(p[0]))] = then[at + 6:stop].strip(' ()')
checks[(p[0].file, start(p[0]))] = r

// Every call, for what takes and releases a resource (mmapport's lists).
@ site depends on has_vma @
identifier fn;
position p : script:python() { interesting(p) };
position pc;
@@
fn@p(...)@pc

@script:python depends on has_vma@
fn << site.fn;
p << site.p;
pc << site.pc;
@@
f = fn_at(p[0])
t = text_of(p[0].file)[0]
a = split_args(t[end(p[0]):end(pc[0])])
s = fact(f, 'call_sites', p[0], {'call': fn})
if a and a[0] != fn:
	s['key'] = a[0]


// The locals each function declares, and whether each is a pointer: a
// write to a local (not through it) is the function's own.
@ local_decl depends on has_vma @
type T;
identifier x;
expression E, N;
position p : script:python() { interesting(p) };
@@
(
 T x@p;
|
 T x@p = E;
|
 T x@p[N];
|
 T x@p[N] = E;
)

@script:python depends on has_vma@
T << local_decl.T;
x << local_decl.x;
p << local_decl.p;
@@
f = fn_at(p[0])
f.declared[x] = '*' in T

// Writes outside the function's own locals (the analyzer's write
// effects, docs/equivalence.md): an assignment, compound or not, ++, --.
// Writes to the VMA's fields are fields_written; a target that is a
// local (not written through, when it is a pointer) or a parameter is
// the function's own.
@ write_site depends on has_vma @
expression E, E2;
assignment operator aop;
position p : script:python() { interesting(p) };
@@
(
 E@p aop E2
|
 E@p++
|
 E@p--
|
 ++E@p
|
 --E@p
)

@script:python depends on has_vma@
E << write_site.E;
p << write_site.p;
@@
f = fn_at(p[0])
tgt = words(E)
m = re.match(r'[\s*(]*(\w+)', tgt)
root = m.group(1) if m else ''
pointer = f.declared.get(root, root in f.params and f.params[root])
through = '->' in tgt or tgt.lstrip('(').startswith('*') or (pointer and '[' in tgt)
own = root in f.declared or root in f.params
if root in f.vmas or root in f.aliases:
	pass
elif through or not own:
	fact(f, 'writes', p[0], {'write': src(p[0])})


// Every call of every function of the file, by name: what a helper the
// handler calls does in its body (tools/analyzer/cocci.c judges the names
// by mmapport's lists, as the analyzer judges a body it follows).
@ body_call depends on has_vma @
identifier g;
position p;
@@
g@p(...)

@script:python depends on has_vma@
g << body_call.g;
p << body_call.p;
@@
body_calls.setdefault((p[0].file, p[0].current_element), []).append(g)


// scoped_guard(mutex, &lock) { ... }: a lock taken for the scope
// (cocci/macros.h makes these iterators).
@ guard_site depends on has_vma @
iterator name scoped_guard, scoped_cond_guard;
statement S;
position p : script:python() { interesting(p) };
@@
(
 scoped_guard@p(...) S
|
 scoped_cond_guard@p(...) S
)

@script:python depends on has_vma@
p << guard_site.p;
@@
t = text_of(p[0].file)[0]
o = end(p[0])
depth, e = 0, o
while e < len(t):
	depth += t[e] == '('
	depth -= t[e] == ')'
	e += 1
	if depth == 0 and t[e - 1] == ')':
		break
a = split_args(t[o:e])
s = fact(fn_at(p[0]), 'call_sites', p[0], {'call': 'scoped_guard'})
if len(a) > 1:
	s['key'] = a[1]

// The VMA escapes: returned, stored, its address taken, put in an
// initializer.
@ escape_return depends on has_vma @
identifier v;
position p : script:python() { interesting(p) };
@@
return v@p;

@script:python depends on has_vma@
v << escape_return.v;
p << escape_return.p;
@@
escape(p[0], v, {'how': 'returned'})

// The VMA stored somewhere by an assignment.
@ escape_store depends on has_vma @
identifier v;
expression X;
position p : script:python() { interesting(p) };
position px;
@@
X@px = v@p

@script:python depends on has_vma@
v << escape_store.v;
p << escape_store.p;
px << escape_store.px;
@@
escape(p[0], v, {'how': 'stored', 'to': src(px[0])})

// The VMA kept in a local.
@ escape_decl depends on has_vma @
identifier v, x;
type T;
position p : script:python() { interesting(p) };
@@
T x = v@p;

@script:python depends on has_vma@
v << escape_decl.v;
p << escape_decl.p;
@@
escape(p[0], v, {'how': 'stored in a variable'})

// The VMA's address taken.
@ escape_address depends on has_vma @
identifier v;
position p : script:python() { interesting(p) };
@@
 &v@p

@script:python depends on has_vma@
v << escape_address.v;
p << escape_address.p;
@@
escape(p[0], v, {'how': 'address taken'})

// The VMA in an initialiser.
@ escape_init depends on has_vma @
identifier v, x, fld;
type T;
position p : script:python() { interesting(p) };
@@
(
 T x = { ..., v@p, ... };
|
 T x = { ..., .fld = v@p, ... };
)

@script:python depends on has_vma@
v << escape_init.v;
p << escape_init.p;
@@
escape(p[0], v, {'how': 'stored in an initializer'})

// Tests of the pointer (!vma, vma == NULL, if (vma)) and *vma are no escape.
@ test depends on has_vma @
identifier v;
expression E;
position p : script:python() { interesting(p) };
@@
(
 !v@p
|
 *v@p
|
 v@p == E
|
 E == v@p
|
 v@p != E
|
 E != v@p
|
 v@p && E
|
 E && v@p
|
 v@p || E
|
 E || v@p
)

@script:python depends on has_vma@
p << test.p;
@@
explain(p[0])

// The VMA tested for NULL.
@ test_if depends on has_vma @
identifier v;
statement S;
position p : script:python() { interesting(p) };
@@
if (v@p) S

@script:python depends on has_vma@
p << test_if.p;
@@
explain(p[0])

// The handler's returns, gotos and error codes; what locals stand for
// (size = vma->vm_end - vma->vm_start), as the remap's arguments use them.
@ ret depends on has_vma @
expression E;
position p : script:python() { interesting(p) };
position pe;
@@
(
 return@p E@pe;
|
 return@p;
)

@script:python depends on has_vma@
p << ret.p;
pe << ret.pe = [];
@@
fact(fn_at(p[0]), 'returns', p[0], {'value': src(pe[0]) if pe else ''})

// "if (0) S" with no else: S never runs, and the conversion removes it;
// what it holds is not a fact of the handler's (finish() drops it).
@ dead_if depends on has_vma @
statement S;
position p : script:python() { interesting(p) };
position q;
@@
if@p (0) S@q

@script:python depends on has_vma@
p << dead_if.p;
q << dead_if.q;
@@
# a label in it may be a goto target: then it runs
if not re.search(r'(?m)^\s*[A-Za-z_]\w*\s*:(?!:)', text_of(p[0].file)[0][start(q[0]):end(q[0])]):
	dead.setdefault(p[0].file, []).append((start(q[0]), end(q[0])))
	fact(fn_at(p[0]), 'dead_code', p[0], {})

// Every goto.
@ jump depends on has_vma @
identifier l;
position p : script:python() { interesting(p) };
@@
goto@p l;

@script:python depends on has_vma@
p << jump.p;
@@
if not any(s <= start(p[0]) < e for s, e in dead.get(p[0].file, [])):
	fn_at(p[0]).gotos += 1

// An error code assigned (ret = -EINVAL).
@ error_code depends on has_vma @
expression X;
identifier C =~ "^E[A-Z0-9]+$";
position p : script:python() { interesting(p) };
@@
X = -C@p

@script:python depends on has_vma@
C << error_code.C;
p << error_code.p;
@@
fact(fn_at(p[0]), 'error_codes', p[0], {'value': '-' + C})

// A local and the value it is set to.
@ local_value depends on has_vma @
identifier x;
type T;
expression E;
position p : script:python() { interesting(p) };
position pe;
@@
(
 T x@p = E@pe;
|
 x@p = E@pe
)

@script:python depends on has_vma@
x << local_value.x;
p << local_value.p;
pe << local_value.pe;
@@
fn_at(p[0]).locals.append((start(p[0]), x, src(pe[0])))

// vm_operations_struct initialisers: what a handler's vm_ops = &X installs.
@ ops_table depends on has_vma @
identifier X, fld, fn;
position p;
@@
struct vm_operations_struct X@p = { ..., .fld = fn, ... };

@script:python depends on has_vma@
X << ops_table.X;
fld << ops_table.fld;
fn << ops_table.fn;
p << ops_table.p;
@@
ops_tables.setdefault((p[0].file, X), {})[fld] = fn

// Once every rule has run: what each call's value becomes, which loops,
// branches and blocks hold each fact, and the handler's facts, with those
// of the functions it passes its VMA to, three calls deep.
// -D report, at the end of each file (make coccicheck runs the rule in
// several processes, which share no end of run): a line per function that
// takes the VMA, with how many facts of each key it has.
@script:python depends on has_vma && report@
@@
complete()
for (file, name), f in sorted(fns.items()):
	if (file, name) in summarised or (named and name not in named):
		continue
	summarised.add((file, name))
	out = [('locals', {'name': n, 'value': v}) for p, n, v in sorted(f.locals)]
	walk(name, f, 0, 0, {name}, out)
	keys = {}
	for key, item in out:
		keys[key] = keys.get(key, 0) + 1
	coccilib.report.print_report(def_at[(file, name)], '%s(): facts: %s' % (name,
		', '.join('%s %d' % kv for kv in sorted(keys.items())) or 'none'))

// Without -D report, at the end of the run: the facts, a JSON object a line.
@finalize:python depends on !report@
@@
complete()
found = set()
for (file, name), f in sorted(fns.items()):
	if named and name not in named:
		continue
	found.add(name)
	emit(name, 'vma_param', value=sorted(f.vmas, key=f.vmas.get)[0])
	if f.file_param is not None:
		emit(name, 'file_param', value=f.file_param)
	emit(name, 'def_line', value=defs.get((file, name), 0))
	emit(name, 'end_line', value=end_line(f))
	if f.gotos:
		emit(name, 'gotos', value=f.gotos)
	out = [('locals', {'name': n, 'value': v}) for p, n, v in sorted(f.locals)]
	walk(name, f, 0, 0, {name}, out)
	for key, item in out:
		if key == 'locals':
			emit(name, key, name=item['name'], value=item['value'])
		else:
			emit(name, key, item=item)
for name in sorted(named - found):
	on = [k for k in defs if k[1] == name]
	emit(name, 'not_found', value='%s() has no struct vm_area_struct * parameter' % name
	     if on else '%s() is not defined here, or Coccinelle could not parse it' % name)
