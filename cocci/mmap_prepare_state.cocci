// SPDX-License-Identifier: GPL-2.0
/// Keep what a stateful f_op->mmap handler takes in its mmap_prepare form
/// (pass 1 of 2, for the handlers of category stateful).
///
/// mmapport's state plan (tools/state.c, from the analyzer's resource
/// facts) gives per handler, in -D plans_json=JSON, the takes that the
/// mapping keeps, the success return and, for rfc, the release of the old
/// failure path that undoes each take.
/// -D rfc: the takes stay in the handler (prepare).  A new NAME_abort(),
/// registered as .mmap_abort, does those releases when the mapping fails
/// after prepare; NAME_complete(), which the rfc API requires beside
/// mmap_abort, has nothing to do.  The locals the releases use reach the
/// abort through desc->private_data (when the handler stores them there)
/// or desc->mmap_context (one, set just before the success return).
/// Mainline (default): a reference that cannot fail, taken last, moves to
/// a new NAME_mapped() registered as .mapped in the handler's vm_ops; its
/// object is found again from vm_private_data or the file.  rfc does the
/// same with a new NAME_complete(), registered as .mmap_complete, when the
/// plan says so (mode "complete": a mapping that may merge, or a take no
/// failure path releases).
/// The rule checks the shapes the facts cannot: the take's own failure
/// test, the "if (ret)" of a conditional release, the locals and what runs
/// after the take.  Python decides, SmPL writes: the new hook is added
/// empty, then filled a call and a local per rule (at most three of each).
/// The handler keeps its VMA parameter: pass 2,
/// mmap_prepare_simple.cocci, rewrites the rest.  -D report says per
/// handler what the rule did or would do, as mmap_prepare_remap.cocci
/// does.  Alone (make coccicheck, no -D plans_json) the rule has no plan and
/// changes nothing: which calls take state, and which release undoes each,
/// is the analyzer's to say (docs/hazards.md, H2); its -D report names, in
/// each registered handler, the calls of the kernel's lists that take a
/// reference or allocate (STATE_CALLS), the handlers it would keep the
/// state of given a plan.
///
// Confidence: Moderate
// Copyright: (C) 2026 the mmapport authors.
// Options: --no-includes --include-headers

virtual patch
virtual report
virtual rfc

@initialize:python@
@@
import json
import re

wanted = None		# -D handler_names=a,b: the handlers mmapport asks for
plans = {}		# -D plans_json=JSON: handler -> its state plan (tools/state.c)
alone = True		# no -D plans_json: the rule alone, as make coccicheck runs it
alone_registered = {}	# alone: handler -> its registration
alone_takes = {}	# alone: function -> [(line, call, position)] of STATE_CALLS
# alone, what takes a reference or allocates, by name: tools/category.c's
# take_ref and take_alloc (tests/47-lists.t keeps them the same)
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
rfc_mode = False
where = {}		# handler: its definition's position, else its registration's

def say(h, kind, text):
	"""A line of -D report: FILE:LINE:COL-COL: NAME(): KIND: TEXT."""
	coccilib.report.print_report(where[h], '%s(): %s: %s' % (h, kind, text))

handlers = set()	# registered, wanted and planned
params = {}		# handler: (file parameter, VMA parameter)
source = {}		# handler: (first line number, [lines])
decls = {}		# handler: local -> {type, init, line}
calls = {}		# handler: line -> [(function, call text)]
privs = {}		# handler: local -> lines where it is stored in vma->vm_private_data
ops_fields = {}		# vm_operations_struct: a field its initialiser sets
ops_users = {}		# vm_operations_struct: the functions that take its address
refused = {}		# handler: reason
notes = {}		# handler: [behaviour change]
done = set()		# handlers rewritten
twice = set()		# handlers defined more than once in the file (#if / #else)
in_array = {}		# rfc: handler: the array of file_operations that registers it
TWICE = ('the handler is defined more than once in this file (under #if and #else): '
	 'the rule plans a handler by its name, and would rewrite every definition '
	 'after the plan of one')
ctx_set = {}		# handler: (local, Ctx kind) that desc->mmap_context carries (rfc)

class Ctx:
	"""How the local reaches desc->mmap_context: names, as a constraint
	script cannot hold a string literal."""
	PTR = 'ptr'		# a pointer, as it is
	CONST_PTR = 'const_ptr'	# a pointer to const: (void *) drops the const
	INT = 'int'		# an integer, through unsigned long

def carries(x, p):
	"""Is the local x, declared at p, the one desc->mmap_context carries?"""
	return ctx_set.get(p[0].current_element, (None,))[0] == str(x)

def ctx_at(p, kind):
	"""Is p the success return of a handler whose local reaches
	desc->mmap_context as kind?"""
	h = p[0].current_element
	return (ctx_set.get(h, (None, None))[1] == kind and
		int(p[0].line) == plans[h]['success'])

hooks = {}		# handler: the Hook its new function is (a handler the rule rewrites)
hook_calls = {}		# handler: [(line, function)]: the calls the new hook makes, in order
hook_locals = {}	# handler: [(local, Bind kind, line of its value)]: what the hook declares
renamed = {}		# handler: its file parameter, which the new hook calls "file"
mapped = {}		# vm_operations_struct: (field to anchor, handler) (mainline)
ROUNDS = 3		# the calls, and the locals, of one new hook: a rule each

class Hook:
	"""The new function that keeps a handler's state: NAME_abort(),
	NAME_complete() or NAME_mapped()."""
	ABORT = 'abort'
	COMPLETE = 'complete'
	MAPPED = 'mapped'

class Bind:
	"""Where the new hook finds a local of the handler again: names, as a
	constraint script cannot hold a string literal."""
	CAST_PRIV = 'cast_priv'	# (T)vm_private_data: mmap_abort
	CTX_PTR = 'ctx_ptr'	# (T)context
	CTX_INT = 'ctx_int'	# (T)(unsigned long)context
	CTX_ULONG = 'ctx_ulong'	# (unsigned long)context
	PRIV = 'priv'		# *vm_private_data: vm_ops->mapped
	VMA_PRIV = 'vma_priv'	# vma->vm_private_data: mmap_complete
	FILE = 'file'		# file->private_data
	VALUE = 'value'		# the value the handler gives it, copied

def hook_name(h):
	return '%s_%s' % (h, hooks[h])

def is_hook(m, hf):
	"""Is m the new hook of handler hf?"""
	return str(hf) in hooks and str(m) == hook_name(str(hf))

def gets(hf, kind):
	"""Does handler hf get a new hook of this kind?"""
	return hooks.get(str(hf)) == kind

def moves(hf):
	"""Do hf's takes move to its new hook (and leave hf)?"""
	return hooks.get(str(hf)) in (Hook.COMPLETE, Hook.MAPPED)

def hook_of(m):
	"""The handler whose new hook m is, or None."""
	return next((h for h in hooks if str(m) == hook_name(h)), None)

def returns_zero(m):
	"""Is m a new mmap_complete or mapped hook, which ends returning 0?"""
	return moves(hook_of(m))

def renames(m):
	return hook_of(m) in renamed

def file_param(fp, m):
	"""Is fp the file parameter of the handler whose hook m is?"""
	return renamed.get(hook_of(m)) == str(fp)

def hook_call(p, f, k):
	"""Is the call f at p the k-th that the new hook makes?"""
	c = hook_calls.get(p[0].current_element, [])
	return len(c) > k and c[k] == (int(p[0].line), str(f))

def hook_local(x, p, k):
	"""Is the local x, declared at p, the k-th that the new hook declares?"""
	h = p[0].current_element
	b = hook_locals.get(h, [])
	return (len(b) >= k and b[k - 1][0] == str(x) and
		decls[h][str(x)]['line'] == int(p[0].line))

def hook_value(x, p, k):
	"""Is p where the handler gives that local the value the hook copies?"""
	b = hook_locals.get(p[0].current_element, [])
	return len(b) >= k and b[k - 1][0] == str(x) and b[k - 1][2] == int(p[0].line)

def local_is(hf, k, kind):
	"""Is the k-th local of hf's new hook of kind?"""
	b = hook_locals.get(str(hf), [])
	return len(b) >= k and b[k - 1][1] == kind

def declares(m, hf):
	"""Is m the new hook of hf, and does it declare locals?"""
	return is_hook(m, hf) and len(hook_locals.get(str(hf), [])) > 0

def mapped_ops(o):
	return str(o) in mapped

def anchors(o, f):
	"""Is f the field of vm_operations_struct o after which .mapped goes?"""
	return mapped.get(str(o), (None,))[0] == str(f)

INTS = ('int', 'unsigned int', 'long', 'unsigned long', 'u8', 'u16', 'u32', 'u64',
	's8', 's16', 's32', 's64', 'size_t', 'pgoff_t', 'unsigned', 'short',
	'unsigned short', 'char', 'unsigned char')
# updates of driver state that an abort of the mapping does not undo
STATE_WRITE = re.compile(r'\b(atomic(?:64|_long)?_(?:set|add|sub|inc|dec|or|and)\w*|'
			 r'__?set_bit|__?clear_bit|set_bit|clear_bit|WRITE_ONCE|'
			 r'list_add\w*|list_del\w*|hlist_add\w*)\s*\(')

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

def calls_nothing(e):
	"""An initialiser that calls no function: dropping it drops no side effect."""
	return '(' not in str(e)

def squash(e):
	return re.sub(r'\s+', '', str(e))

def note(h, text):
	l = notes.setdefault(h, [])
	if text not in l:
		l.append(text)

def read_text(h, p):
	"""The lines of h, defined at p (a position on its name), from its name
	to its closing brace, as they are in the file: spatch gives the line
	of the brace as current_element_line_end."""
	try:
		with open(p.file) as f:
			lines = f.readlines()
	except OSError:
		return []
	return lines[int(p.line) - 1:int(p.current_element_line_end)]

def line(h, n):
	first, lines = source[h]
	return lines[n - first] if 0 <= n - first < len(lines) else ''

def text_between(h, a, b):
	"""The code of lines a..b (inclusive), comments dropped, on one line."""
	t = '\n'.join(line(h, n) for n in range(a, b + 1))
	t = re.sub(r'/\*.*?\*/', ' ', t, flags=re.S)
	t = re.sub(r'//[^\n]*', ' ', t)
	return ' '.join(t.split())

def names_in(text):
	"""Identifiers that are not members, called functions or macros."""
	out = []
	for m in re.finditer(r'(->|\.)?\s*\b([A-Za-z_]\w*)\b(\s*\()?', text):
		n = m.group(2)
		if m.group(1) or m.group(3) or n in ('sizeof', 'NULL') or n.isupper():
			continue
		if n not in out:
			out.append(n)
	return out

def assignments(h, x):
	"""How many times the body sets x (its initialiser included)."""
	first, lines = source[h]
	body = '\n'.join(lines[1:])
	n = len(re.findall(r'\b%s\s*([-+*/|&^%%]|<<|>>)?=(?!=)' % re.escape(x), body))
	n += len(re.findall(r'(\+\+|--)\s*%s\b|\b%s\s*(\+\+|--)' % (re.escape(x), re.escape(x)), body))
	return n

def c_type(t):
	"""A type as spatch prints it (struct page * *), as C is written."""
	return re.sub(r'\*\s+(?=\*)', '*', str(t).strip())

def find_call(h, ln, fn):
	cs = [c for c in calls.get(h, {}).get(ln, []) if c[0] == fn]
	return cs[0][1] if len(cs) == 1 else None

def top_level(h, x):
	d = decls[h][x]
	return re.match(r'^\t(?!\t)\S', line(h, d['line'])) is not None

def check_takes(h, plan):
	"""The take calls as written, or a reason."""
	texts = []
	for t in plan['takes']:
		text = find_call(h, t['line'], t['call'])
		if text is None:
			return None, ('%s() was not found at line %d as spatch parsed the handler'
				      % (t['call'], t['line']))
		if t.get('test_return'):
			# the first return after the take is its own failure test
			txt = text_between(h, t['line'], t['test_return'])
			res = t.get('result')
			ok = re.match(r'^if \(\s*!\s*%s\s*\(' % re.escape(t['call']), txt)
			if res and not ok:
				ok = re.search(r'%s\s*=\s*%s\s*\(.*\)\s*;\s*if \(\s*(!\s*%s|%s\s*==\s*NULL|'
					       r'IS_ERR(_OR_NULL)?\(\s*%s\s*\))\s*\)' %
					       (re.escape(res), re.escape(t['call']), re.escape(res),
						re.escape(res), re.escape(res)), txt)
			if not ok:
				return None, ("the return at line %d keeps %s: it is not that take's "
					      'own failure test, and the old error path does not release '
					      'it there' % (t['test_return'], t['what']))
		texts.append(text)
	return texts, None

def changes_file(h, vma):
	"""Does the handler give the VMA another file (vma->vm_file =, vma_set_file())?"""
	body = '\n'.join(source[h][1])
	return re.search(r'\b%s\s*->\s*vm_file\s*=(?!=)|\bvma_set_file\s*\(' %
			 re.escape(vma), body) is not None

def priv_final(h, x):
	"""Is x what vm_private_data holds whenever prepare succeeds?  Its one
	store of the handler's, on every path (a statement of the body's own
	level, not under a branch)."""
	lines = privs.get(h, {}).get(x)
	if not lines or len(lines) != 1:
		return False
	body = '\n'.join(source[h][1][1:])
	if len(re.findall(r'->\s*vm_private_data\s*=(?!=)', body)) != 1:
		return False
	return re.match(r'^\t(?!\t)\S', line(h, lines[0])) is not None

def assigned_value(h, x):
	"""The value of the one assignment to x of the body, and its line."""
	first, lines = source[h]
	for i, l in enumerate(lines[1:], 1):
		if re.search(r'\b%s\s*=(?!=)' % re.escape(x), l):
			m = re.search(r'\b%s\s*=(?!=)\s*([^;]*);' % re.escape(x), '\n'.join(lines[i:]))
			return (m.group(1) if m else None), first + i
	return None, None

def local_source(h, x, fp, vma, seen=()):
	"""How the new hook finds local x again: [(name, Bind kind, line of the
	value it copies)] or None."""
	d = decls[h].get(x)
	if d is None or not top_level(h, x) or assignments(h, x) != 1 or x in seen:
		return None
	if priv_final(h, x):
		return [(x, Bind.PRIV, None)]
	init, at = d['init'], d['line']
	if init is None:
		init, at = assigned_value(h, x)
	if init is None or '(' in init:
		return None
	init = tidy(init)
	if init in ('%s->private_data' % fp, '%s->vm_file->private_data' % vma):
		return [(x, Bind.FILE, None)]
	chain = []
	for n in names_in(init):
		if n in (fp, vma):
			return None
		sub = local_source(h, n, fp, vma, seen + (x,))
		if sub is None:
			return None
		chain += [s for s in sub if s not in chain]
	if not chain:
		return None
	return chain + [(x, Bind.VALUE, at)]

def state_writes(h, plan, skip):
	"""Updates of driver state on prepare's success path after the takes."""
	first = max(t['line'] for t in plan['takes'])
	out = []
	for n in range(first + 1, plan['success']):
		if n in skip:
			continue
		s = line(h, n).strip()
		if STATE_WRITE.search(s) and not s.startswith('if '):
			out.append(s.rstrip(';'))
	return out

def plan_abort(h, plan):
	fp, vma = params[h]
	takes, why = check_takes(h, plan)
	if why:
		return why
	rels = []
	for r in plan['releases']:
		text = find_call(h, r['line'], r['call'])
		if text is None:
			return ('the release %s() was not found at line %d as spatch parsed the '
				'handler' % (r['call'], r['line']))
		if r.get('conditional'):
			# "if (ret) release": ret must be what the handler returns
			cond = text_between(h, r['line'] - 1, r['line'])
			m = re.search(r'if \(\s*(\w+)\s*(<\s*0|!=\s*0)?\s*\)\s*(\{\s*)?%s\s*\(' %
				      re.escape(r['call']), cond)
			if not m or m.group(1) != plan['success_value']:
				return ('%s at line %d is under a condition that is not the failure of '
					'the returned %s: which failures release it is not derived'
					% (text, r['line'], plan['success_value']))
		rels.append(text)
	used = []
	for t in rels:
		used += [n for n in names_in(t) if n not in used]
	for p in (fp, vma):
		if p in used:
			return ("the release uses the handler's parameter %s: mmap_abort gets "
				"neither the VMA nor a writable file" % p)
	binds, ctx = [], []
	if len(rels) > ROUNDS:
		return ('the failure path makes %d releases: mmap_abort is written for up '
			'to %d' % (len(rels), ROUNDS))
	for x in used:
		if x not in decls[h]:
			continue	# a global, a function, an enumerator
		d = decls[h][x]
		t = c_type(d['type'])
		if not top_level(h, x):
			return ('the release uses %s, declared in an inner block: it is not in '
				'scope where prepare returns' % x)
		if assignments(h, x) != 1:
			return ('the release uses %s, which the handler sets more than once: the '
				'value prepare ends with is not the one the release used' % x)
		ptr = t.endswith('*')
		if not ptr and t not in INTS:
			return ('the release uses %s of type %s, which cannot travel in a pointer'
				% (x, t))
		if priv_final(h, x) and ptr:
			binds.append((x, Bind.CAST_PRIV, None))
		else:
			ctx.append((x, t, ptr))
			binds.append((x, Bind.CTX_PTR if ptr else Bind.CTX_ULONG
				      if t == 'unsigned long' else Bind.CTX_INT, None))
	if len(ctx) > 1:
		return ('the releases use several locals (%s): desc->mmap_context carries one'
			% ', '.join(c[0] for c in ctx))
	if ctx:
		x, t, ptr = ctx[0]
		if ptr and not t.startswith('const'):
			ctx_set[h] = (x, Ctx.PTR)
		elif ptr:
			ctx_set[h] = (x, Ctx.CONST_PTR)
		else:
			ctx_set[h] = (x, Ctx.INT)
	hooks[h] = Hook.ABORT
	hook_calls[h] = [(r['line'], r['call']) for r in plan['releases']]
	hook_locals[h] = binds
	what = ', '.join(t['what'] for t in plan['takes'])
	note(h, 'if the mapping fails after prepare has returned (before the VMA exists), '
	     'the new mmap_abort hook releases what prepare took, %s, as the old failure '
	     'path did: %s; mmap_complete, which the rfc API requires beside mmap_abort, '
	     'does nothing' % (what, '; '.join(rels)))
	if ctx:
		note(h, '%s reaches mmap_abort in desc->mmap_context, set before the success '
		     'return' % ctx[0][0])
	w = state_writes(h, plan, [r['line'] for r in plan['releases']])
	if w:
		note(h, 'mmap_abort does not undo the other updates of driver state that prepare '
		     'makes once it holds %s (%s): the old handler could not fail after them'
		     % (what, '; '.join(w)))
	return None

def plan_moved(h, plan):
	"""The takes leave prepare for vm_ops->mapped (mainline) or mmap_complete (rfc)."""
	fp, vma = params[h]
	comp = rfc_mode
	hook = 'mmap_complete' if comp else 'vm_ops->mapped'
	takes, why = check_takes(h, plan)
	if why:
		return why
	if plan['success_value'] != '0':
		return ('the handler does not end with "return 0" after the take (it returns %s): '
			'%s cannot make that decision' % (plan['success_value'], hook))
	lines = [t['line'] for t in plan['takes']]
	if len(lines) > ROUNDS:
		return ('the handler makes %d takes: %s is written for up to %d'
			% (len(lines), hook, ROUNDS))
	for t, text in zip(plan['takes'], takes):
		if squash(line(h, t['line'])) != squash(text + ';'):
			return ('%s is not a statement of its own: its result is used, so it can '
				'fail' % t['what'])
		if sum(c[1] == text for cs in calls[h].values() for c in cs) != 1:
			return ('%s is made more than once in the handler: the rule moves a take '
				'by what it calls' % t['what'])
	# after the takes, only descriptor writes until the success return
	rest = text_between(h, min(lines), plan['success'] - 1)
	moved = set(squash(t) for t in takes)
	allowed = (r'%s->(vm_ops|vm_private_data|vm_page_prot)\s*=[^;]*' % vma,
		   r'vm_flags_(set|clear|mod)\(\s*%s\s*,[^;]*' % vma)
	for s in rest.split(';'):
		s = s.strip()
		if s and squash(s) not in moved and not any(re.match('^%s$' % a, s)
							    for a in allowed):
			return ('"%s" runs after %s: moved to %s, the take would come '
				'after it' % (s, plan['takes'][0]['what'], hook))
	ops = plan.get('ops')
	if not comp and ops not in ops_fields:
		return ('%s is not defined in this file with a designated initialiser: the '
			'mapped hook cannot be added to it' % ops)
	if not comp and ops_users.get(ops, set()) != set([h]):
		return ('%s is also used by %s: a mapped hook there would run for mappings '
			'that did not take %s' % (ops, ', '.join(sorted(ops_users.get(ops, set()) -
								 set([h]))) or 'other code',
						  plan['takes'][0]['what']))
	binds = []
	used = []
	for t in takes:
		used += [n for n in names_in(t) if n not in used]
	for x in used:
		if x == vma:
			# mmap_complete gets the VMA, but must not change it, and a
			# helper given it may (the seed series: "attempts to do so
			# will end in tears"); vm_ops->mapped does not get it
			return ("the take uses the handler's parameter %s: %s" % (x,
				'mmap_complete must not change the VMA, and what the take does '
				'with it is not derived' if comp else 'vm_ops->mapped does not get it'))
		if x == fp:
			# the hook gets the file of the VMA (mapped: as const): the same
			# file unless prepare changes it; the build checks the take
			# accepts const
			if changes_file(h, vma):
				return ("the take uses the handler's parameter %s, and the handler "
					"changes the VMA's file: %s gets the new file" % (x, hook))
			continue
		if x not in decls[h]:
			continue
		if x in (('file', 'vma', 'context') if comp else
			 ('start', 'end', 'pgoff', 'file', 'vm_private_data')):
			return ('the take uses the local %s, the name of a parameter of %s'
				% (x, hook))
		src = local_source(h, x, fp, vma)
		if src and changes_file(h, vma) and any(b[1] == Bind.FILE for b in src):
			return ('the take uses %s, found through the file, and the handler changes '
				"the VMA's file: %s gets the new file" % (x, hook))
		if src is None:
			return ('the take uses %s, which %s cannot find again: it gets '
				'only the file and vm_private_data' % (x, hook))
		for s in src:
			if s not in binds:
				binds.append(s)
	if len(binds) > ROUNDS:
		return ('the take uses %d locals that %s finds again: it is written for up '
			'to %d' % (len(binds), hook, ROUNDS))
	name = h + ('_complete' if comp else '_mapped')
	hooks[h] = Hook.COMPLETE if comp else Hook.MAPPED
	hook_calls[h] = [(t['line'], t['call']) for t in plan['takes']]
	hook_locals[h] = [(b[0], Bind.VMA_PRIV if comp and b[1] == Bind.PRIV else b[1], b[2])
			  for b in binds]
	if fp != 'file':
		renamed[h] = fp		# the hook calls the file "file"
	if not comp:
		mapped[ops] = (ops_fields[ops], h)
	found = []
	for b in hook_locals[h]:
		if b[1] == Bind.PRIV and 'vm_private_data' not in found:
			found.append('vm_private_data')
		elif b[1] == Bind.FILE and "the file's private_data" not in found:
			found.append("the file's private_data")
	how = ' and '.join(found)
	if comp:
		note(h, '%s is taken in the new mmap_complete hook, %s(), once the VMA exists, '
		     'and no longer in prepare: a mapping that fails before that point no longer '
		     'takes it, and %s%s' % (', '.join(t['what'] for t in plan['takes']), name,
		     'the mapping cannot merge, so mmap_complete runs for every mapping the old '
		     '->mmap made (docs/hazards.md, H2)' if plan.get('merge') != 'same' else
		     'the handler changes no flag, so the core merges the same mappings as '
		     'before, which the old ->mmap never saw: mmap_complete runs exactly when '
		     'the old ->mmap ran (docs/hazards.md, H2; docs/core-rules.md)',
		     '; mmap_complete finds its object again from %s' % how if how else ''))
		return None
	note(h, '%s is taken in the new %s.mapped hook, %s(), once the VMA is inserted, and '
	     'no longer by the handler: a mapping that fails before that point no longer '
	     'takes it; mapped cannot fail, so close never runs for a take that did not '
	     'happen (docs/hazards.md, H1), and %s%s' % (', '.join(t['what'] for t in plan['takes']),
	     ops, name, 'the mapping cannot merge, so mapped always runs (docs/hazards.md, H2)'
	     if plan.get('merge') != 'same' else 'the handler changes no flag, so the core '
	     'merges the same mappings as before, which the old ->mmap never saw: mapped runs '
	     'exactly when the old ->mmap ran (docs/hazards.md, H2; docs/core-rules.md)',
	     '; mapped finds its object again from %s' % how if how else ''))
	return None

# what one file's handlers gather, emptied as each file starts: the rule
# alone (make coccicheck) runs on many files, mmapport gives it one
PER_FILE = (where, handlers, params, source, decls, calls, privs, ops_fields,
	    ops_users, refused, notes, done, ctx_set, hooks, hook_calls,
	    hook_locals, renamed, mapped, twice, in_array, alone_registered,
	    alone_takes)

// A file that registers an mmap handler: every rule that runs without
// -D patch depends on this one, whose tokens let make coccicheck skip the
// other files unparsed.  None inherits its metavariables, so that it
// stays one condition on the file.
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

@script:python depends on (has_mmap || patch) && rfc@
@@
rfc_mode = True

// mmapport's settings, one -D each.
@script:python depends on (has_mmap || patch)@
v << virtual.handler_names;
@@
wanted = v

@script:python depends on (has_mmap || patch)@
v << virtual.plans_json;
@@
plans = json.loads(v)
alone = False

// Each file starts afresh.
@script:python depends on (has_mmap || patch)@
@@
for c in PER_FILE:
	c.clear()

// The handlers: file_operations .mmap initialisers.
@ fops depends on (has_mmap || patch) @
identifier ops, handler;
position p;
@@
(
struct file_operations ops = {
	.mmap = handler@p,
};
|
const struct file_operations ops = {
	.mmap = handler@p,
};
)

@script:python depends on (has_mmap || patch)@
h << fops.handler;
p << fops.p;
@@
if (wanted is None or h in wanted.split(',')) and h in plans:
	handlers.add(h)
	where.setdefault(h, p[0])
if alone:
	alone_registered.setdefault(h, p[0])

// rfc: a handler registered in an array of file_operations, where the
// rules below cannot register its new hooks.
@ fops_array depends on (has_mmap || patch) && rfc @
identifier ops, handler;
@@
(
struct file_operations ops[] = { ..., { .mmap = handler, }, ... };
|
const struct file_operations ops[] = { ..., { .mmap = handler, }, ... };
)

@script:python depends on (has_mmap || patch) && rfc@
h << fops_array.handler;
ops << fops_array.ops;
@@
in_array[h] = ops

// Each handler's definition, its file and VMA parameters.
@ handler_def depends on (has_mmap || patch) @
identifier hf, fp, vma;
position ph;
@@
hf@ph(struct file *fp, struct vm_area_struct *vma) { ... }

@script:python depends on (has_mmap || patch)@
hf << handler_def.hf;
fp << handler_def.fp;
vma << handler_def.vma;
ph << handler_def.ph;
@@
# the first definition of the name; another is under another #if, and
# the handler is refused (twice)
if hf in handlers and hf in params:
	twice.add(hf)
elif hf in handlers:
	params[hf] = (str(fp), str(vma))
	where[hf] = ph[0]

@script:python depends on (has_mmap || patch)@
@@
for h in params:
	source[h] = (int(where[h].line), [l.rstrip('\n') for l in read_text(h, where[h])])

// The locals, with their types and initialisers.
@ local_init depends on (has_mmap || patch) @
type T;
identifier x;
expression E;
position p;
@@
T x@p = E;

@script:python depends on (has_mmap || patch)@
T << local_init.T;
x << local_init.x;
E << local_init.E;
p << local_init.p;
@@
fn = p[0].current_element
if fn in handlers:
	decls.setdefault(fn, {})[str(x)] = {'type': str(T), 'init': str(E), 'line': int(p[0].line)}

// The locals declared without a value.
@ local_plain depends on (has_mmap || patch) @
type T;
identifier x;
position p;
@@
T x@p;

@script:python depends on (has_mmap || patch)@
T << local_plain.T;
x << local_plain.x;
p << local_plain.p;
@@
fn = p[0].current_element
if fn in handlers:
	decls.setdefault(fn, {})[str(x)] = {'type': str(T), 'init': None, 'line': int(p[0].line)}

// The calls the plan names (takes and releases), by line.
@ any_call depends on (has_mmap || patch) @
identifier f;
expression list es;
position p;
@@
f@p(es)

@script:python depends on (has_mmap || patch)@
f << any_call.f;
es << any_call.es;
p << any_call.p;
@@
fn = p[0].current_element
if fn in handlers:
	calls.setdefault(fn, {}).setdefault(int(p[0].line), []).append(
		(str(f), tidy('%s(%s)' % (f, es))))
if alone and str(f) in STATE_CALLS:
	alone_takes.setdefault(fn, []).append((int(p[0].line), str(f), p[0]))

// Locals the handler stores in vma->vm_private_data: the abort or the
// mapped hook gets them back as vm_private_data.
@ priv depends on (has_mmap || patch) @
identifier hf, fp, vma, x;
position p;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <+...
 vma->vm_private_data@p = x
...+> }

@script:python depends on (has_mmap || patch)@
hf << priv.hf;
x << priv.x;
p << priv.p;
@@
privs.setdefault(hf, {}).setdefault(str(x), []).append(int(p[0].line))

// mainline: the vm_ops, a field of their initialiser, and who uses them.
@ ops_def depends on (has_mmap || patch) @
identifier o, F, V;
@@
(
struct vm_operations_struct o = {
	.F = V,
};
|
const struct vm_operations_struct o = {
	.F = V,
};
)

@script:python depends on (has_mmap || patch)@
o << ops_def.o;
F << ops_def.F;
@@
if str(F) != 'mapped':
	ops_fields.setdefault(str(o), str(F))

// Every use of an identifier: who uses a vm_operations_struct of the file.
@ ops_ref depends on (has_mmap || patch) @
identifier vops;
position p;
@@
vops@p

@script:python depends on (has_mmap || patch)@
vops << ops_ref.vops;
p << ops_ref.p;
@@
if str(vops) in ops_fields and p[0].current_element != str(vops):
	ops_users.setdefault(str(vops), set()).add(p[0].current_element)

@script:python depends on (has_mmap || patch)@
@@
for h in sorted(handlers):
	if h not in params:
		refused[h] = 'the handler did not parse (spatch): nothing to rewrite'
		continue
	if h in twice:
		refused[h] = TWICE
		continue
	if h in in_array:
		refused[h] = ('rfc: the handler is registered in the array of file_operations '
			      '%s[], where the rule does not register its new hooks beside '
			      'it' % in_array[h])
		continue
	decls.setdefault(h, {})
	if rfc_mode and plans[h].get('mode') == 'abort':
		why = plan_abort(h, plans[h])
	else:
		why = plan_moved(h, plans[h])
	if why:
		refused[h] = why
		for d in (ctx_set, hooks, hook_calls, hook_locals, renamed):
			d.pop(h, None)
	else:
		done.add(h)

// --- What the new hook (NAME_abort, NAME_complete or NAME_mapped) copies
// from the handler, found before the first rule that changes the file:
// the lines of a position matched after it are of spatch's own reparsed
// copy.  A rule per call and per local (ROUNDS), each adding one line:
// two matches of one rule cannot add before the same token.  No script
// rule from here to the hooks drops a match: spatch would drop what these
// rules bound with it.

// The first call the new hook makes: a release of the old failure path
// (abort) or a take that moves.
@ call_1 depends on patch @
identifier hf, f;
expression list es;
position p : script:python(f) { hook_call(p, f, 0) };
@@
hf(...) { <+... f@p(es) ...+> }

// The second.
@ call_2 depends on patch @
identifier hf, f;
expression list es;
position p : script:python(f) { hook_call(p, f, 1) };
@@
hf(...) { <+... f@p(es) ...+> }

// The third (ROUNDS).
@ call_3 depends on patch @
identifier hf, f;
expression list es;
position p : script:python(f) { hook_call(p, f, 2) };
@@
hf(...) { <+... f@p(es) ...+> }

// The first local the new hook declares, as the handler declares it.
@ local_1 depends on patch @
identifier hf, x;
type T;
expression E;
position p : script:python(x) { hook_local(x, p, 1) };
@@
hf(...) {
 ... when any
(
 T x@p;
|
 T x@p = E;
)
 ... when any
}

// The second.
@ local_2 depends on patch @
identifier hf, x;
type T;
expression E;
position p : script:python(x) { hook_local(x, p, 2) };
@@
hf(...) {
 ... when any
(
 T x@p;
|
 T x@p = E;
)
 ... when any
}

// The third (ROUNDS).
@ local_3 depends on patch @
identifier hf, x;
type T;
expression E;
position p : script:python(x) { hook_local(x, p, 3) };
@@
hf(...) {
 ... when any
(
 T x@p;
|
 T x@p = E;
)
 ... when any
}

// The value the handler gives the first local, where the hook copies it
// (Bind.VALUE): its initialiser or its one assignment.
@ value_1 depends on patch exists @
identifier local_1.hf, local_1.x;
type local_1.T;
expression E;
position p : script:python(x) { hook_value(x, p, 1) };
@@
hf(...) {
 ... when any
(
 T x@p = E;
|
 x@p = E;
)
 ... when any
}

// The value of the second.
@ value_2 depends on patch exists @
identifier local_2.hf, local_2.x;
type local_2.T;
expression E;
position p : script:python(x) { hook_value(x, p, 2) };
@@
hf(...) {
 ... when any
(
 T x@p = E;
|
 x@p = E;
)
 ... when any
}

// The value of the third.
@ value_3 depends on patch exists @
identifier local_3.hf, local_3.x;
type local_3.T;
expression E;
position p : script:python(x) { hook_value(x, p, 3) };
@@
hf(...) {
 ... when any
(
 T x@p = E;
|
 x@p = E;
)
 ... when any
}

// The local that desc->mmap_context carries to mmap_abort, as declared.
@ ctx_local depends on patch && rfc @
identifier hf, cx;
type T;
expression E;
position p : script:python(cx) { carries(cx, p) };
@@
hf(...) {
 ... when any
(
 T cx@p;
|
 T cx@p = E;
)
 ... when any
}

// --- The changes.

// rfc: the local in desc->mmap_context just before the success return:
// a pointer as it is, a pointer to const through (void *), an integer
// through unsigned long.  The first rule that changes the file: its
// constraints read the lines as they are.
@ set_context depends on patch && rfc @
identifier ctx_local.hf, ctx_local.cx, fp, vma;
expression E;
position p1 : script:python() { ctx_at(p1, Ctx.PTR) };
position p2 : script:python() { ctx_at(p2, Ctx.CONST_PTR) };
position p3 : script:python() { ctx_at(p3, Ctx.INT) };
@@
hf(struct file *fp, struct vm_area_struct *vma) { <+...
(
+ desc->mmap_context = cx;
  return@p1 E;
|
+ desc->mmap_context = (void *)cx;
  return@p2 E;
|
+ desc->mmap_context = (void *)(unsigned long)cx;
  return@p3 E;
)
...+> }

// A take that moves to the new hook leaves the handler (the rule refused
// a handler that makes the same call twice).
@ drop_take_1 depends on patch @
identifier call_1.hf, call_1.f;
expression list call_1.es;
position q : script:python(hf) { moves(hf) };
@@
hf(...) { <+...
- f@q(es);
...+> }

// The second take that moves leaves the handler.
@ drop_take_2 depends on patch @
identifier call_2.hf, call_2.f;
expression list call_2.es;
position q : script:python(hf) { moves(hf) };
@@
hf(...) { <+...
- f@q(es);
...+> }

// The third take that moves leaves the handler.
@ drop_take_3 depends on patch @
identifier call_3.hf, call_3.f;
expression list call_3.es;
position q : script:python(hf) { moves(hf) };
@@
hf(...) { <+...
- f@q(es);
...+> }

// A local that only fed the take would now be unused, and so would one
// that only fed it: three rounds for a chain of three.  Only a local whose
// initialiser calls nothing: a call would be a side effect dropped.
@ drop_take_local depends on patch @
identifier hd : script:python() { moves(hd) };
identifier fp, vma, x;
type T;
expression E : script:python() { calls_nothing(E) };
@@
hd(struct file *fp, struct vm_area_struct *vma) {
 ... when any
(
- T x;
|
- T x = E;
)
 ... when != x
}

// The second round.
@ drop_take_local_2 depends on patch @
identifier hd : script:python() { moves(hd) };
identifier fp, vma, x;
type T;
expression E : script:python() { calls_nothing(E) };
@@
hd(struct file *fp, struct vm_area_struct *vma) {
 ... when any
(
- T x;
|
- T x = E;
)
 ... when != x
}

// The third round.
@ drop_take_local_3 depends on patch @
identifier hd : script:python() { moves(hd) };
identifier fp, vma, x;
type T;
expression E : script:python() { calls_nothing(E) };
@@
hd(struct file *fp, struct vm_area_struct *vma) {
 ... when any
(
- T x;
|
- T x = E;
)
 ... when != x
}

// --- The new hooks, empty: the rules below fill them.  Two rules adding
// after the handler: what the later one adds comes first.

// rfc: NAME_abort(), which the releases of the old failure path fill.
@ add_abort depends on patch && rfc @
identifier hf : script:python() { gets(hf, Hook.ABORT) };
fresh identifier abrt = hf ## "_abort";
@@
hf(...) { ... }
+
+static void abrt(const struct file *file, const void *vm_private_data,
+		 const void *context)
+{
+}

// rfc: the mmap_complete the rfc API requires beside mmap_abort.
@ add_empty_complete depends on patch && rfc @
identifier hf : script:python() { gets(hf, Hook.ABORT) };
fresh identifier comp = hf ## "_complete";
@@
hf(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	/* Nothing to do: mmap_abort needs an mmap_complete hook. */
+	return 0;
+}

// rfc: NAME_complete(), which the takes that move fill.
@ add_complete depends on patch && rfc @
identifier hf : script:python() { gets(hf, Hook.COMPLETE) };
fresh identifier comp = hf ## "_complete";
@@
hf(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+}

// mainline: the vm_ops that get the mapped hook.
@ mapped_ops_def depends on patch && !rfc @
identifier o : script:python() { mapped_ops(o) };
@@
(
struct vm_operations_struct o = { ... };
|
const struct vm_operations_struct o = { ... };
)

// Its name (a script that drops no match).
@script:python mapped_name@
o << mapped_ops_def.o;
mname;
@@
coccinelle.mname = cocci.make_ident(hook_name(mapped[o][1]))

// mainline: NAME_mapped() before the vm_ops.  No disjunction: code added
// before one has no token to attach to; the pattern matches a const
// definition too.
@ add_mapped depends on patch && !rfc @
identifier mapped_ops_def.o, mapped_name.mname;
@@
+static int mname(unsigned long start, unsigned long end, pgoff_t pgoff,
+		 const struct file *file, void **vm_private_data)
+{
+}
+
struct vm_operations_struct o = { ... };

// mainline: registered in the vm_ops, after the field the plan names.
@ register_mapped depends on patch && !rfc @
identifier mapped_ops_def.o, mapped_name.mname, V;
identifier F : script:python(o) { anchors(o, F) };
@@
(
struct vm_operations_struct o = {
	.F = V,
+	.mapped = mname,
};
|
const struct vm_operations_struct o = {
	.F = V,
+	.mapped = mname,
};
)

// --- The new hook filled: its calls in order, then its locals above
// them, the last first.

@ put_call_1 depends on patch @
identifier call_1.hf, call_1.f;
expression list call_1.es;
identifier m : script:python(hf) { is_hook(m, hf) };
@@
m(...) {
  ...
+ f(es);
}

// The second call of the new hook, after the first.
@ put_call_2 depends on patch @
identifier call_2.hf, call_2.f;
expression list call_2.es;
identifier m : script:python(hf) { is_hook(m, hf) };
@@
m(...) {
  ...
+ f(es);
}

// The third call of the new hook, after the second.
@ put_call_3 depends on patch @
identifier call_3.hf, call_3.f;
expression list call_3.es;
identifier m : script:python(hf) { is_hook(m, hf) };
@@
m(...) {
  ...
+ f(es);
}

// The locals, each above the first call, after those before it: the
// first, from where prepare left it.
@ put_local_1 depends on patch @
identifier local_1.hf, local_1.x, call_1.f;
type local_1.T;
identifier m : script:python(hf) { is_hook(m, hf) };
position p1 : script:python(hf) { local_is(hf, 1, Bind.CAST_PRIV) };
position p2 : script:python(hf) { local_is(hf, 1, Bind.CTX_PTR) };
position p3 : script:python(hf) { local_is(hf, 1, Bind.CTX_INT) };
position p4 : script:python(hf) { local_is(hf, 1, Bind.CTX_ULONG) };
position p5 : script:python(hf) { local_is(hf, 1, Bind.PRIV) };
position p6 : script:python(hf) { local_is(hf, 1, Bind.VMA_PRIV) };
position p7 : script:python(hf) { local_is(hf, 1, Bind.FILE) };
@@
m(...) {
  ... when != f(...)
(
+ T x = (T)vm_private_data;
  f@p1(...);
|
+ T x = (T)context;
  f@p2(...);
|
+ T x = (T)(unsigned long)context;
  f@p3(...);
|
+ T x = (unsigned long)context;
  f@p4(...);
|
+ T x = *vm_private_data;
  f@p5(...);
|
+ T x = vma->vm_private_data;
  f@p6(...);
|
+ T x = file->private_data;
  f@p7(...);
)
  ...
}

// Or with the handler's own value (Bind.VALUE).
@ put_value_1 depends on patch @
identifier local_1.hf, local_1.x, call_1.f;
type local_1.T;
expression value_1.E;
identifier m : script:python(hf) { is_hook(m, hf) };
@@
m(...) {
  ... when != f(...)
+ T x = E;
  f(...);
  ...
}

// The second.
@ put_local_2 depends on patch @
identifier local_2.hf, local_2.x, call_1.f;
type local_2.T;
identifier m : script:python(hf) { is_hook(m, hf) };
position p1 : script:python(hf) { local_is(hf, 2, Bind.CAST_PRIV) };
position p2 : script:python(hf) { local_is(hf, 2, Bind.CTX_PTR) };
position p3 : script:python(hf) { local_is(hf, 2, Bind.CTX_INT) };
position p4 : script:python(hf) { local_is(hf, 2, Bind.CTX_ULONG) };
position p5 : script:python(hf) { local_is(hf, 2, Bind.PRIV) };
position p6 : script:python(hf) { local_is(hf, 2, Bind.VMA_PRIV) };
position p7 : script:python(hf) { local_is(hf, 2, Bind.FILE) };
@@
m(...) {
  ... when != f(...)
(
+ T x = (T)vm_private_data;
  f@p1(...);
|
+ T x = (T)context;
  f@p2(...);
|
+ T x = (T)(unsigned long)context;
  f@p3(...);
|
+ T x = (unsigned long)context;
  f@p4(...);
|
+ T x = *vm_private_data;
  f@p5(...);
|
+ T x = vma->vm_private_data;
  f@p6(...);
|
+ T x = file->private_data;
  f@p7(...);
)
  ...
}

// Or with the handler's own value (Bind.VALUE).
@ put_value_2 depends on patch @
identifier local_2.hf, local_2.x, call_1.f;
type local_2.T;
expression value_2.E;
identifier m : script:python(hf) { is_hook(m, hf) };
@@
m(...) {
  ... when != f(...)
+ T x = E;
  f(...);
  ...
}

// The third.
@ put_local_3 depends on patch @
identifier local_3.hf, local_3.x, call_1.f;
type local_3.T;
identifier m : script:python(hf) { is_hook(m, hf) };
position p1 : script:python(hf) { local_is(hf, 3, Bind.CAST_PRIV) };
position p2 : script:python(hf) { local_is(hf, 3, Bind.CTX_PTR) };
position p3 : script:python(hf) { local_is(hf, 3, Bind.CTX_INT) };
position p4 : script:python(hf) { local_is(hf, 3, Bind.CTX_ULONG) };
position p5 : script:python(hf) { local_is(hf, 3, Bind.PRIV) };
position p6 : script:python(hf) { local_is(hf, 3, Bind.VMA_PRIV) };
position p7 : script:python(hf) { local_is(hf, 3, Bind.FILE) };
@@
m(...) {
  ... when != f(...)
(
+ T x = (T)vm_private_data;
  f@p1(...);
|
+ T x = (T)context;
  f@p2(...);
|
+ T x = (T)(unsigned long)context;
  f@p3(...);
|
+ T x = (unsigned long)context;
  f@p4(...);
|
+ T x = *vm_private_data;
  f@p5(...);
|
+ T x = vma->vm_private_data;
  f@p6(...);
|
+ T x = file->private_data;
  f@p7(...);
)
  ...
}

// Or with the handler's own value (Bind.VALUE).
@ put_value_3 depends on patch @
identifier local_3.hf, local_3.x, call_1.f;
type local_3.T;
expression value_3.E;
identifier m : script:python(hf) { is_hook(m, hf) };
@@
m(...) {
  ... when != f(...)
+ T x = E;
  f(...);
  ...
}

// A blank line after the locals.
@ put_blank depends on patch @
identifier call_1.hf, call_1.f;
identifier m : script:python(hf) { declares(m, hf) };
@@
m(...) {
  ... when != f(...)
+
  f(...);
  ...
}

// NAME_complete() and NAME_mapped() end returning 0: they cannot fail.
@ returns_0 depends on patch @
identifier m : script:python() { returns_zero(m) };
@@
m(...) {
  ...
+ return 0;
}

// Their takes name the file "file", the hook's parameter.
@ hook_site depends on patch @
identifier m : script:python() { renames(m) };
@@
m(...) { ... }

// The file the handler named otherwise, renamed file in the new hook.
@ file_renamed depends on patch @
identifier hook_site.m;
identifier fp : script:python(m) { file_param(fp, m) };
@@
m(...) { <...
- fp
+ file
...> }

// rfc: the new hooks registered beside the handler.
@ register_abort depends on patch && rfc @
identifier h : script:python() { gets(h, Hook.ABORT) };
fresh identifier comp = h ## "_complete";
fresh identifier abrt = h ## "_abort";
identifier ops;
@@
(
struct file_operations ops = {
	.mmap = h,
+	.mmap_complete = comp,
+	.mmap_abort = abrt,
};
|
const struct file_operations ops = {
	.mmap = h,
+	.mmap_complete = comp,
+	.mmap_abort = abrt,
};
)

// rfc: the complete hook alone registered beside the handler.
@ register_complete depends on patch && rfc @
identifier h : script:python() { gets(h, Hook.COMPLETE) };
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

// -D report: what the rule did (with -D patch) or would do, a line per handler.
// The registrations again, for the report: with no -D patch, the report
// depends on a rule that has tokens (has_mmap, this far down, would not
// hold once a script rule has dropped a match).
@ registered depends on !patch @
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

// Alone (no -D plans_json), a line per call of a registered handler that
// takes a reference or allocates, by the kernel's lists: a handler this
// rule would keep the state of, given mmapport's plan.
@script:python depends on (registered || patch) && report@
@@
for h in sorted(alone_registered):
	for ln, f, q in sorted(alone_takes.get(h, []), key=lambda t: t[:2]):
		coccilib.report.print_report(q, '%s(): takes state: %s() keeps a reference or an '
			'allocation; mmap_prepare also runs for a mapping that then merges or fails '
			'(docs/hazards.md, H2), so what keeps it and what undoes it is a state plan, '
			'which mmapport makes and this rule alone does not have' % (h, f))
for h in sorted(handlers):
	if h in refused:
		say(h, 'refused', refused[h])
	elif h in done:
		say(h, 'convertible', 'its state kept by mmap_prepare_state.cocci')
		for n in notes.get(h, []):
			say(h, 'note', n)
