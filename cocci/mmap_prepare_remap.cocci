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
/// The Python of the rule decides the form of each call (plan(), the
/// Form names); the action_*, keep_* and prepare_* rules write it in
/// their + lines, NAME_complete() and NAME_abort() included; only a
/// moved loop is copied, as written, from the file (plan_loop()).
///
/// -D rfc also takes a vm_insert_page() loop (kernel/kcov.c) that is the
/// handler's last statement before "return 0;": the loop moves, as written,
/// into NAME_complete(), with declarations of the locals it uses: those it
/// sets before reading, those equal to the VMA's own values (vm_start, the
/// size it was checked against) read again from the VMA, and at most one
/// value prepare computed, carried in desc->mmap_context; prepare sets
/// VM_MIXEDMAP as the first insertion did.  Refused: a lock held across the
/// loop, state taken before it (-D takes_json=JSON, from the analyzer; alone,
/// without it, no loop moves), a goto
/// out of it, several values from prepare, more than six locals, a vm_ops
/// close.  Mainline refuses
/// the loops: mmap_action_map_kernel_pages*() takes a ready page array.
///
/// -D rfc, a sleeping lock held across the call or the loop (docs/hazards.md, H6):
/// prepare takes it and returns with it held; NAME_complete() maps, then
/// does the unlocks that followed the call; a new NAME_abort() does them if
/// the mapping fails before complete.  Refused: guard(), a spinning lock, a
/// conditional release, code between the call and its release, a lock
/// neither global nor reached through the file's private_data (for a
/// loop too: mmap_abort gets nothing else back), a failure that returned
/// with the lock held, more than two releases or locals.
///
/// -D rfc, several remaps (remap_pfn_range, io_remap_pfn_range,
/// remap_4k_pfn) or vm_insert_page() calls in the statements that end the
/// handler (a remap per branch): those statements move, as written, to
/// NAME_complete() as a loop does; prepare sets the flags the calls set.
/// Refused: calls of both kinds, vmf_insert_*, a remap on a mapping that
/// may be private (COW: the remap would rewrite vm_pgoff after the VMA is
/// linked), moved code that writes the VMA.
///
/// The handler keeps its struct vm_area_struct * parameter here: pass 2,
/// mmap_prepare_simple.cocci, rewrites the remaining VMA uses, the signature
/// and the registration, and refuses what it cannot express.
///
/// -D handler_names=a,b restricts the rule to those handlers (mmapport passes
/// those its classifier found).  -D report says what the rule did (with
/// -D patch) or would do, a line per handler that makes a mapping call
/// (every handler mmapport names):
///   FILE:LINE:COL-COL: NAME(): refused: REASON
///   FILE:LINE:COL-COL: NAME(): convertible: ...
///   FILE:LINE:COL-COL: NAME(): note: A BEHAVIOUR CHANGE
///   FILE:LINE:COL-COL: NAME(): keeps error: -EX
///   FILE:LINE:COL-COL: NAME(): adds hook: mmap_abort
/// ("keeps error": a check of the mapping call, moved to prepare, returns
/// -EX there).
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
where = {}		# handler: its definition's position, else its registration's

def say(h, kind, text):
	"""A line of -D report: FILE:LINE:COL-COL: NAME(): KIND: TEXT."""
	coccilib.report.print_report(where[h], '%s(): %s: %s' % (h, kind, text))

SUPPORTED = ('remap_pfn_range', 'io_remap_pfn_range', 'vm_iomap_memory',
	     'vm_map_pages', 'vm_map_pages_zero')
handlers = set()
calls = {}		# handler: [(line, col, fn)]
locks = {}		# handler: [(line, kind)] kind lock / unlock / guard
masked = set()		# handlers with (vma->vm_flags & A) ==/!= B
ops_set = {}		# handler: vm_operations_struct names it installs
closes = {}		# vm_operations_struct name: its close function
ops_defined = set()	# vm_operations_struct names this file initialises
refused = {}		# handler: reason
convertible = set()
twice = set()		# handlers defined more than once in the file (#if / #else)
in_array = {}		# rfc: handler: the array of file_operations that registers it
TWICE = ('the handler is defined more than once in this file (under #if and #else): '
	 'the rule plans a handler by its name, and would rewrite every definition '
	 'after the plan of one')
staged = {}		# "line:col" of the call: error override text or None
notes = {}		# handler: [behaviour change]
kept_errors = {}	# handler: [the -E codes of the checks of a mapping call, moved to prepare]
done = set()		# handlers whose call was rewritten
rfc_mode = False
shapes = {}		# handler: facts about the shape that ends it
forms = {}		# handler: the form its call takes (plan())

class Form:
	"""The forms a call takes: names, as a constraint script cannot hold
	a string literal."""
	FULL = 'full'		# mainline: a remap of the whole VMA
	RANGE = 'range'		# mainline: a remap of a size checked to be the VMA one, or of one page
	CLAMP = 'clamp'		# mainline: any other remap, clamped to the VMA
	IOMAP = 'iomap'		# mainline: vm_iomap_memory()
	PAGES = 'pages'		# mainline: vm_map_pages*()
	RFC_REMAP = 'rfc_remap'	# rfc: a remap prepared, done in mmap_complete
	RFC_PAGES = 'rfc_pages'	# rfc: pages inserted in mmap_complete
prot_kept = set()	# handlers whose remap protection differs from the VMA one
guarded_remaps = set()	# rfc: handlers whose remap size, as written, is the VMA one
err_form = set()	# rfc: handlers whose NAME_complete() keeps the result in err
insert_loops = set()	# rfc: handlers whose vm_insert_page() loop may move to complete
loop_ctx = {}		# rfc: handler: (the local a moved loop needs from prepare, Ctx)
loop_flags = {}		# rfc: handler: the Flags prepare sets in place of a moved loop

class Bind:
	"""How the NAME_complete() of a moved loop declares a local the loop
	needs (loop_binds[h], which put_lbind_N writes): names, as a
	constraint script cannot hold a string literal."""
	PLAIN = 'plain'		# T x;  the moved code sets it before it reads it
	PRIV = 'priv'		# T x = file->private_data;
	CTX_PTR = 'ctx_ptr'	# T x = (T)context;
	CTX_INT = 'ctx_int'	# T x = (T)(unsigned long)context;
	CTX_ULONG = 'ctx_ulong'	# T x = (unsigned long)context;
	START = 'start'		# T x = vma->vm_start;
	END = 'end'		# T x = vma->vm_end;
	SIZE = 'size'		# T x = vma->vm_end - vma->vm_start;
	PAGES = 'pages'		# T x = vma_pages(vma);

# what a VMA value is in NAME_complete(), whose VMA is vma
VMA_BINDS = ((Bind.START, 'vma->vm_start'), (Bind.END, 'vma->vm_end'),
	     (Bind.SIZE, 'vma->vm_end - vma->vm_start'), (Bind.PAGES, 'vma_pages(vma)'))
# the locals NAME_complete() of a moved loop declares (lbind_N, put_lbind_N)
LOOP_ROUNDS = 6
loop_binds = {}		# rfc: handler: [(local, Bind)] of its moved loop

def lbind_is(hb, k, kind):
	"""Is the k-th local of hb's moved loop declared as kind?"""
	b = loop_binds.get(str(hb), [])
	return len(b) >= k and b[k - 1][1] == kind

def loop_bind(x, p, k):
	"""Is x, declared at p, the k-th local of a moved loop?"""
	h = p[0].current_element
	b = loop_binds.get(h, [])
	return (h in done and len(b) >= k and b[k - 1][0] == str(x) and
		decls[h][str(x)]['line'] == int(p[0].line))

def loop_hook(m, hb):
	"""Is m the NAME_complete() of hb's moved loop?"""
	return str(hb) in loop_binds and str(m) == str(hb) + '_complete'

class Ctx:
	"""How a local reaches desc->mmap_context (as in mmap_prepare_state.cocci):
	names, as a constraint script cannot hold a string literal."""
	PTR = 'ptr'		# a pointer, as it is
	CONST_PTR = 'const_ptr'	# a pointer to const: (void *) drops the const
	INT = 'int'		# an integer, through unsigned long

class Flags:
	"""The VMA flags the mapping calls of a moved loop set, which prepare
	sets in their place."""
	REMAP = 'remap'		# remap_pfn_range(): VM_IO | VM_PFNMAP, VM_DONTEXPAND | VM_DONTDUMP
	MIXED = 'mixed'		# vm_insert_page(): VM_MIXEDMAP

def loop_ctx_is(h, kind):
	return loop_ctx.get(str(h), (None, None))[1] == kind
params = {}		# handler: (file parameter, VMA parameter)
body_start = {}		# handler: the line its text starts at
decls = {}		# handler: local -> {type, init, line}
loop_drop = {}		# handler: locals only the moved loop used
# rfc, -D takes_json=JSON: the takes of state the analyzer found (convert.c):
# handler -> [{call, line}]; None alone, and then no loop moves
takes = None

# calls an initialiser may make and still be dropped with its unused local
PURE_CALLS = set(['vma_pages', 'vma_start_pgoff', 'sizeof'])
# the calls an rfc PFN, computed twice in prepare, may make: the kernel's
# address conversions, which read nothing but their argument
TWICE_CALLS = set(['sizeof', '__pa', 'virt_to_phys', 'virt_to_pfn', 'page_to_pfn',
		   'page_to_phys', 'PHYS_PFN', 'PFN_DOWN', 'PFN_UP', 'PFN_PHYS',
		   '__phys_to_pfn', 'vma_pages', 'vma_start_pgoff'])
# the integer types that travel exactly in a pointer on every architecture
INTS = ('int', 'unsigned int', 'long', 'unsigned long', 'u8', 'u16', 'u32', 's8', 's16',
	's32', 'size_t', 'pgoff_t', 'unsigned', 'short', 'unsigned short', 'char',
	'unsigned char', 'bool')

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

def guarded_size(h, s, fn):
	"""A size the handler proved to be the size of the VMA: before its call of fn,
	it returns, at the top level of its body, whenever the VMA size is
	not s, and s is a constant (macros and numbers only: nothing a call in
	between could change)."""
	s = squash(s)
	if not re.match(r'^[A-Z0-9_()+*<>|-]+$', s):
		return False
	call = re.search(r'\b%s\s*\(' % fn, body_text.get(h, ''))
	for m in re.finditer(r'^\tif\s*\((.*)\)\s*\n?\s*return\b', body_text.get(h, ''), re.M):
		if not call or m.start() > call.start():
			break
		cond = squash(m.group(1))
		for full in FULL:
			if cond in (full + '!=' + s, s + '!=' + full):
				return True
	return False

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

def file_lines(h):
	"""The handler's lines, each at the index of its line number less one."""
	return [''] * (body_start[h] - 1) + body_text.get(h, '').splitlines(True)

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

def complete_form(h, fn, ov):
	"""rfc: NAME_complete() keeps the result of the call in err when the
	handler returned its own error for a failure (ov), or released a lock
	after the call; the notes of the lock.  The reason for a refusal, or
	None.  (A failure that returned with the lock held is refused by
	plan_lock(): ov and a lock never go together.)"""
	if ov or h in lock_plan:
		err_form.add(h)
	if h in lock_plan:
		lock_notes(h)
	return None

def plan(h, fn, es, p):
	"""The form the call takes (forms[h], which the rules below write) and
	the reason for a refusal (or None).  rfc: a call whose failure returns
	its own error, or made under a lock, keeps its result in err in
	NAME_complete() (err_form)."""
	args = split_args(es)
	shp = shapes.get(h)
	ov = shp.get('override') if shp else None
	if shp is None:
		return None, ('the result of %s() is used in a way the rule does not '
				    'handle (an error path that cleans up, or code after the '
				    'call): the call must end the handler' % fn)
	if shp.get('ignored'):
		note(h, 'the result of %s() was ignored; a failure now fails the mmap '
		     '(docs/hazards.md, H5)' % fn)
	if fn in ('remap_pfn_range', 'io_remap_pfn_range') and len(args) == 5:
		a, pfn, size, prot = args[1], args[2], args[3], args[4]
		full = is_start(a) and is_full_size(h, size)
		# a size the handler proved to be that of the VMA stays as written
		guarded = is_start(a) and not full and guarded_size(h, size, fn)
		# so does one page from the start of the VMA, which every VMA holds:
		# do_mmap() maps whole pages, and never none (docs/hazards.md, H4)
		one_page = is_start(a) and squash(size) == 'PAGE_SIZE'
		if rfc_mode:
			if not (full or guarded):
				return None, ('rfc: a partial remap has no remap_pfn_range_prepare() '
						    'form (it prepares the whole VMA)')
			if not pure(pfn):
				return None, 'rfc: the PFN expression has side effects and is needed twice'
			called = sorted(set(re.findall(r'(\w+)\s*\(', pfn)) - TWICE_CALLS)
			if called:
				return None, ('rfc: the PFN expression calls %s(), which may have side '
					      'effects, and is needed twice (desc->mmap_context and '
					      'remap_pfn_range_prepare())' % called[0])
			if squash(prot) != 'vma->vm_page_prot':
				# rfc has no protection for the remap apart from the one
				# of the VMA: prepare gives it to the VMA, as an old
				# handler setting vma->vm_page_prot did (docs/hazards.md, H3)
				if not pure(prot):
					return None, ('rfc: the protection %s has side effects'
							    % prot)
				prot_kept.add(h)
				note(h, 'the protection %s was used only for the remap; rfc has no '
				     'protection for the remap apart from the one of the VMA, so '
				     'prepare sets desc->page_prot to it: the VMA now keeps %s '
				     '(docs/hazards.md, H3), and mmap_complete remaps with it' % (prot, prot))
			if guarded:
				guarded_remaps.add(h)
			why = complete_form(h, fn, ov)
			if why:
				return None, why
			note(h, 'the remap moves to mmap_complete, which runs once the VMA is '
			     'inserted and uses its final page protection; the PFN computed in '
			     'prepare reaches it in desc->mmap_context')
			return Form.RFC_REMAP, None
		if full:
			kind = Form.FULL
		elif guarded or one_page:
			kind = Form.RANGE
		else:
			kind = Form.CLAMP
			note(h, 'the %s() size is clamped to the end of the VMA: mainline '
			     'rejects a range past desc->end, where the old code would '
			     'have mapped past the VMA (docs/hazards.md, H4)' % fn)
		if squash(prot) != 'vma->vm_page_prot':
			prot_kept.add(h)
			note(h, 'the protection %s is used only for the remap, so it goes to '
			     'desc->action.remap.pgprot and the VMA keeps its own page_prot, '
			     'as before (docs/hazards.md, H3)' % prot)
		if ov:
			note(h, 'a failed remap still returns %s, through '
			     'desc->action.error_override; a range that the core rejects '
			     'before the VMA exists returns its own error' % ov)
		return kind, None
	if fn == 'vm_iomap_memory' and len(args) == 3:
		if rfc_mode:
			return None, ('rfc: vm_iomap_memory() has no prepare/complete pair '
					    'in the rfc series')
		if ov:
			note(h, 'a failed remap still returns %s through '
			     'desc->action.error_override; the range checks of '
			     'vm_iomap_memory() now run before the VMA exists and return '
			     '-EINVAL as they are' % ov)
		return Form.IOMAP, None
	if fn in ('vm_map_pages', 'vm_map_pages_zero') and len(args) == 3:
		pages, n = args[1], args[2]
		if rfc_mode:
			locs = locals_of(h)
			toks = set(re.findall(r'[A-Za-z_]\w*', pages + ' ' + n))
			if toks & locs:
				return None, ('rfc: the page array or its length uses locals '
						    '(%s) that mmap_complete cannot see'
						    % ', '.join(sorted(toks & locs)))
			why = complete_form(h, fn, ov)
			if why:
				return None, why
			note(h, 'the pages are inserted by mmap_complete; prepare sets VM_MIXEDMAP, '
			     'as the insertion did, so the mapping cannot merge and skip '
			     'mmap_complete (docs/hazards.md, H2)')
			return Form.RFC_PAGES, None
		kept_errors.setdefault(h, []).append(ov or '-ENXIO')
		if ov:
			note(h, 'a failed page insertion still returns %s through '
			     'desc->action.error_override' % ov)
		return Form.PAGES, None
	return None, '%s() with %d arguments is not a form the rule knows' % (
		fn, len(args))

def overridden(h):
	return h in done and shapes[h].get('override') is not None

def completes(h, kind, guarded):
	"""rfc: whether the rule that writes NAME_complete() for this form,
	this size and a plain return writes it for h."""
	return (form_is(h, kind) and h not in err_form and
		(h in guarded_remaps) == guarded)

def err_completes(h, kind, guarded):
	"""rfc: the same for the NAME_complete() that keeps the result in err."""
	return (form_is(h, kind) and h in err_form and
		(h in guarded_remaps) == guarded)

def form_is(h, kind):
	return forms.get(str(h)) == kind

def error_code(h):
	"""The error a check written in prepare returns: its own override, else
	the one the mapping call returned."""
	ov = shapes[h].get('override')
	return ov[1:] if ov else 'ENXIO'


def code_only(t):
	"""t without comments and string literals."""
	t = re.sub(r'/\*.*?\*/', ' ', t, flags=re.S)
	t = re.sub(r'//[^\n]*', ' ', t)
	q = chr(34)	# a double quote, which the lexer of spatch would pair
	return re.sub(q + r'(\\.|[^\\' + q + '])*' + q, q + q, t)

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

def src_line(h, n):
	lines = body_text.get(h, '').split('\n')
	i = n - body_start.get(h, 0)
	return lines[i] if 0 <= i < len(lines) else ''

def top_level_line(h, n):
	return re.match(r'^\t(?!\t)\S', src_line(h, n)) is not None

def released_before(h, l, name, line):
	"""An unlock of the lock taken at line l, as a statement of the handler's
	own block (not under a condition), between l and line."""
	m = re.search(r'\b%s\s*\(\s*([^,)]*)' % re.escape(name), src_line(h, l))
	arg = squash(m.group(1)) if m else None
	for l2, k, n2 in locks.get(h, []):
		if k != 'unlock' or not l < l2 < line or not top_level_line(h, l2):
			continue
		m2 = re.search(r'\b%s\s*\(\s*([^,)]*)' % re.escape(n2), src_line(h, l2))
		if arg is None or (m2 and squash(m2.group(1)) == arg):
			return True
	return False

def c_type(t):
	"""A type as spatch prints it (struct page * *), as C is written."""
	return re.sub(r'\*\s+(?=\*)', '*', str(t).strip())

def assigned(text, x):
	"""The values text assigns to x: [(operator, value)]; ++/-- as ('++', '')."""
	out = re.findall(r'(?<![.>\w])%s\s*((?:[-+*/|&^%%]|<<|>>)?=)(?!=)\s*([^;,]*)' %
			 re.escape(x), text)
	out += [('++', '') for _ in re.findall(r'(\+\+|--)\s*%s\b|(?<![.>\w])%s\s*(\+\+|--)' %
					      (re.escape(x), re.escape(x)), text)]
	return out

def written_first(code, x):
	"""Does the loop set x, unconditionally, before it reads it?"""
	m = re.search(r'(?<![.>\w])%s\b' % re.escape(x), code)
	if not m:
		return False
	rest = code[m.end():]
	a = re.match(r'\s*=(?!=)([^;]*);', rest)
	if not a or re.search(r'\b%s\b' % re.escape(x), a.group(1)):
		return False
	before = code[:m.start()].rstrip()
	depth = before.count('{') - before.count('}')
	if re.search(r'^\s*for\s*\($', before):
		return True		# the initialisation of the for
	return depth == 1 and before.endswith(('{', ';', '}'))

def vma_value(h, x, vma, outside, loop_line, later):
	"""The VMA expression that local x equals when the loop starts, or None:
	x is set once, to it, or checked against it by an if that leaves."""
	V = vma
	own = {'%s->vm_start' % V: None, '%s->vm_end' % V: None,
	       '%s->vm_end-%s->vm_start' % (V, V): '%s->vm_end - %s->vm_start' % (V, V),
	       '(%s->vm_end-%s->vm_start)' % (V, V): '%s->vm_end - %s->vm_start' % (V, V),
	       'vma_pages(%s)' % V: None}
	sets = assigned(outside, x)
	if len(sets) != 1 or sets[0][0] != '=' or re.search(r'&\s*%s\b' % re.escape(x), outside):
		return None, None
	val = squash(sets[0][1])
	if val in own:
		return own[val] or tidy(sets[0][1]), None
	# "if (... || VMA_EXPR != x || ...) return/goto" after the one assignment
	d = decls[h][x]
	text = '\n'.join(src_line(h, n) for n in range(d['line'], loop_line))
	text = code_only(text)
	first = re.search(r'(?<![.>\w])%s\s*=(?!=)' % re.escape(x), text)
	if d['init'] is None and first is None:
		return None, None
	pre = text[:first.start()] if first else ''
	if first and '\n' in pre and (pre.count('{') != pre.count('}') or
				     not pre.rstrip().endswith((';', '}'))):
		return None, None	# set under a condition
	text = text[first.end():] if first else text
	for m in re.finditer(r'\bif\s*\(', text):
		# a check in the block of the handler itself, not in a branch or an else
		if text[:m.start()].count('{') != text[:m.start()].count('}') or \
		   not text[:m.start()].rstrip().endswith((';', '}')):
			continue
		depth, i = 1, m.end()
		while i < len(text) and depth:
			depth += {'(': 1, ')': -1}.get(text[i], 0)
			i += 1
		cond = squash(text[m.end():i - 1])
		parts, depth, cur = [], 0, ''
		for ch in cond:
			depth += {'(': 1, ')': -1}.get(ch, 0)
			cur += ch
			if depth == 0 and cur.endswith('||'):
				parts.append(cur[:-2])
				cur = ''
		parts.append(cur)
		after = text[i:].lstrip()
		leaves = re.match(r'^(\{[^{}]*\b(return|goto)\b([^{};]*);\s*\}|(return|goto)\b([^;]*);)',
				  after)
		if not leaves:
			continue
		label = (leaves.group(3) if leaves.group(2) else leaves.group(5)).strip()
		if 'goto' in (leaves.group(2), leaves.group(4)) and \
		   not re.search(r'^\s*%s\s*:' % re.escape(label), later, re.M):
			continue	# its label is not after the loop: the goto may reach it
		for e in own:
			if not own[e] and e != 'vma_pages(%s)' % V:
				continue
			if '%s!=%s' % (e, x) in parts or '%s!=%s' % (x, e) in parts:
				return own[e] or e, 'checked'
	return None, None

# rfc: handlers with several mapping calls whose tail moves to complete
REMAPS = ('remap_pfn_range', 'io_remap_pfn_range', 'remap_4k_pfn')
REMAP_FLAGS = 'VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP'
tails = {}		# handler: 'remap' or 'insert', the family of its calls

def tail_check(h, cs):
	"""rfc: can the calls move to complete together?  None, or the reason."""
	fns = set(c[2] for c in cs)
	if fns <= set(REMAPS):
		tails[h] = 'remap'
	elif fns == set(['vm_insert_page']):
		tails[h] = 'insert'
	else:
		return ('rfc: the calls do not set the same VMA flags (%s), or have no form in '
			'mmap_complete (vmf_insert_*: docs/hazards.md, H9), so prepare cannot set the '
			'flags the core sees before complete' % ', '.join(sorted(fns)))
	return None

def shared_only(h, vma, before):
	"""Does the handler refuse private (COW) mappings before line before?"""
	text = code_only('\n'.join(src_line(h, n) for n in range(body_start[h], before)))
	return re.search(r'if\s*\(\s*!\s*\(\s*%s->vm_flags\s*&\s*VM_SHARED\s*\)\s*\)\s*'
			 r'(\{[^{}]*?)?return\s+-E' % re.escape(vma), text) is not None

def loop_extent(h, p):
	"""rfc: the lines the loop S at p spans, as (start, end), when it is a
	statement of the handler's own block that ends it (a tail: from the
	statement that holds the first call to the return), else None."""
	start, end = int(p[0].line), int(p[0].line_end)
	lines = file_lines(h)
	first = lines[start - 1]
	if int(p[0].column) != len(first) - len(first.lstrip()):
		return None		# a block inside the statement of that line
	if tails.get(h):
		# the statements from the one that holds the first call to the return
		if start != top_stmt(h, min(c[0] for c in calls[h]))[0]:
			return None
		end = next((n for n in range(start + 1, body_start[h] +
					     len(body_text[h].split('\n'))) if
			    top_level_line(h, n) and re.match(r'^\treturn\b', src_line(h, n))), 0) - 1
		if end < start or not all(start <= c[0] <= end for c in calls[h]):
			return None
		while end > start and not lines[end - 1].strip():
			end -= 1	# a blank line before the return stays one
	return start, end

def loop_refusal(h, code, start, end):
	"""rfc: why the code of the loop (lines start..end) cannot move to
	NAME_complete(), or None."""
	fp, vma = params.get(h, (None, None))
	tail = tails.get(h)
	if tail:
		w = re.search(r'(vm_flags_(set|clear|mod|reset)\s*\(|->vm_\w+\s*=(?!=))', code)
		if w:
			return ('rfc: the code that would move to mmap_complete with the '
				'mapping calls changes the VMA (%s...): after the VMA is '
				'inserted, the core has already decided on its flags '
				'(docs/hazards.md, H2)' % w.group(1))
		if tail == 'remap' and not shared_only(h, vma, start):
			return ('rfc: remap_pfn_range() in mmap_complete on a private '
				'(COW) mapping would set vm_pgoff to the PFN after the VMA '
				'is linked into the rmap tree of the file (docs/hazards.md, H7); the '
				'handler does not refuse private mappings before the calls')
		if re.search(r'\bgoto\b', code):
			return ('rfc: the code that would move to mmap_complete with the '
				'mapping calls leaves by goto to a label of the handler')
	if re.search(r'\bgoto\b', code):
		return ('rfc: the vm_insert_page() loop leaves by goto to a label of the '
			'handler, which mmap_complete does not have')
	if fp != 'file' and re.search(r'(?<![.>\w])%s\b' % re.escape(fp), code):
		return ('rfc: the loop uses the file parameter %s, which '
			'mmap_complete names file' % fp)
	if re.search(r'\b(context)\b', code):
		return ('rfc: the loop names context, the parameter of mmap_complete')
	if takes is None:
		return ("rfc: which calls before the loop take state is the "
			"analyzer's to say (-D takes_json); the rule alone moves no loop")
	for t in takes.get(h, []):
		if not start <= t['line'] <= end:
			return ('rfc: prepare would take state (%s() line %d) that the pages the loop '
				'inserts in mmap_complete keep: if the mapping fails before complete, '
				'or complete fails and unmaps the VMA, nothing drops it; an mmap_abort '
				'for an insert loop is not derived (docs/hazards.md, H1)' % (t['call'], t['line']))
	return None

def loop_locals(h, code, start, end):
	"""rfc: the declarations NAME_complete() needs for the locals of the
	loop's code, and the locals that leave prepare: (binds, drop, outside,
	None), or a refusal as (None, None, None, why).  Sets loop_ctx[h] for
	the one that travels in desc->mmap_context."""
	fp, vma = params.get(h, (None, None))
	hstart = body_start[h]
	rest = [(hstart + i, l) for i, l in enumerate(body_text[h].split('\n'))
		if not start <= hstart + i <= end]
	outside = code_only('\n'.join(l for n, l in rest[1:]))
	later = code_only('\n'.join(l for n, l in rest if n > end))
	binds, carried, drop = [], [], []
	for x in names_in(code):
		d = decls[h].get(x)
		if d is None or start <= d['line'] <= end:
			continue	# a global, a parameter, or declared in the loop
		t = c_type(d['type'])
		if not top_level_line(h, d['line']):
			return None, None, None, ('rfc: the loop uses %s, declared in an inner '
						  'block of the handler' % x)
		if re.search(r'\bstatic\b', src_line(h, d['line'])):
			return None, None, None, ('rfc: the loop uses the static local %s, which '
						  'mmap_complete cannot declare again' % x)
		# used nowhere else but in its declaration: it leaves prepare
		others = code_only('\n'.join(l for n, l in rest[1:] if n != d['line']))
		if not re.search(r'(?<![.>\w])%s\b' % re.escape(x), others) and \
		   set(re.findall(r'(\w+)\s*\(', d['init'] or '')) <= PURE_CALLS:
			drop.append(x)
		if written_first(code, x):
			binds.append((x, Bind.PLAIN))
			continue
		if private_data_local(h, x, fp):
			binds.append((x, Bind.PRIV))
			continue
		if d['init'] is None and not assigned(outside, x) and \
		   not re.search(r'&\s*%s\b' % re.escape(x), outside):
			# prepare never sets it: the moved code sets it before reading
			binds.append((x, Bind.PLAIN))
			continue
		val, how = vma_value(h, x, vma, outside, start, later)
		if val:
			kind = next((k for k, e in VMA_BINDS if
				     squash(e.replace('vma', vma)) == squash(val)), None)
			if kind is None:
				return None, None, None, ('rfc: the loop needs %s, set to %s, which '
							  'is no VMA value mmap_complete reads' % (x, val))
			binds.append((x, kind))
			note(h, '%s is read again from the VMA in mmap_complete (%s%s)' %
			     (x, dict(VMA_BINDS)[kind], ', which prepare checked it equals'
			      if how else ''))
			continue
		ptr = t.endswith('*')
		if not ptr and t not in INTS:
			return None, None, None, ('rfc: the loop needs %s of type %s from prepare, '
						  'which cannot travel exactly in '
						  'desc->mmap_context' % (x, t))
		carried.append(x)
		binds.append((x, Bind.CTX_PTR if ptr else Bind.CTX_ULONG
			       if t == 'unsigned long' else Bind.CTX_INT))
	if len(binds) > LOOP_ROUNDS:
		return None, None, None, ('rfc: the loop needs %d locals of the handler: '
					  'the rule declares at most %d in mmap_complete'
					  % (len(binds), LOOP_ROUNDS))
	if len(carried) > 1:
		return None, None, None, ('rfc: the loop needs several values that prepare '
					  'computed (%s): desc->mmap_context carries one'
					  % ', '.join(carried))
	if carried:
		x = carried[0]
		t = c_type(decls[h][x]['type'])
		if t.endswith('*') and not t.startswith('const'):
			loop_ctx[h] = (x, Ctx.PTR)
		elif t.endswith('*'):
			loop_ctx[h] = (x, Ctx.CONST_PTR)
		else:
			loop_ctx[h] = (x, Ctx.INT)
		note(h, '%s, computed in prepare, reaches mmap_complete in desc->mmap_context' % x)
	return binds, drop, outside, None

def loop_notes(h, outside):
	"""rfc: what the move of the loop changes, and the flags prepare sets
	in its place (loop_flags[h])."""
	tail = tails.get(h)
	if tail:
		fns = sorted(set(c[2] for c in calls[h]))
		note(h, 'the mapping calls (%s) and the code from the statement that holds the '
		     'first of them to the return move, as written, to mmap_complete, which runs '
		     'once the VMA is inserted, with the mmap and VMA write locks held as ->mmap '
		     'had them; a failure there (a failed call, or a check of that code that '
		     'returns an error) unmaps the new VMA, where the old failure left no VMA; '
		     'the handler installs no vm_ops close for that unmap to call (docs/hazards.md, H1)'
		     % ', '.join('%s()' % f for f in fns))
	if tail == 'remap':
		loop_flags[h] = Flags.REMAP
		note(h, 'prepare sets %s, which the remap set itself: the VMA has the same '
		     'flags at merge time as before, and cannot merge and skip mmap_complete '
		     '(docs/hazards.md, H2); the handler refuses private mappings, so the remap in '
		     'mmap_complete does not rewrite vm_pgoff (docs/hazards.md, H7)' % REMAP_FLAGS)
		note(h, 'the remaps in mmap_complete use the final page protection of the VMA, '
		     'once the core has set it from the one of the descriptor, as the remap of '
		     'an rfc mmap_complete does')
		if 'io_remap_pfn_range' in fns:
			note(h, 'io_remap_pfn_range() in mmap_complete is the same call, with its '
			     'per-architecture PFN translation and protection')
	elif 'VM_MIXEDMAP' not in outside:
		loop_flags[h] = Flags.MIXED
	if not tail:
		note(h, 'the vm_insert_page() loop moves to mmap_complete, which runs once the VMA is '
		     'inserted, with the mmap and VMA write locks held as ->mmap had them; a failed '
		     'insertion there unmaps the new VMA, where the old failure left no VMA; the '
		     'handler installs no vm_ops close for that unmap to call (docs/hazards.md, H1)')
	if tail != 'remap':
		note(h, 'prepare sets VM_MIXEDMAP, which vm_insert_page() set itself on the first '
		     'insertion: the VMA has the same flags at merge time as before, and cannot '
		     'merge and skip mmap_complete (docs/hazards.md, H2)')

def plan_loop(h, p):
	"""rfc: the vm_insert_page() loop S at p moves to NAME_complete().
	Returns the body of the complete hook and the reason for a refusal
	(or None); loop_ctx[h] and loop_flags[h] say what prepare sets in
	the loop's place (the rules loop_context and loop_flags write it)."""
	vma = params.get(h, (None, None))[1]
	cline = calls[h][0][0]
	lines = file_lines(h)
	extent = loop_extent(h, p)
	if extent is None:
		return None, None
	start, end = extent
	loop = ''.join(lines[start - 1:end]).rstrip()
	# the releases of a lock held across the loop follow it into complete
	moved = lock_plan[h]['moved'] if h in lock_plan else []
	code = code_only(loop + ''.join('\n\t%s;' % u for u in moved))
	if not tails.get(h) and not (start <= cline <= end and
				     re.match(r'^\t(?!\t)(for|while|do)\b', loop)):
		return None, None		# another statement before the return
	k = end
	while k < len(lines) and (not code_only(lines[k]).strip() or
				  (moved and k + 1 in lock_plan[h]['mlines'])):
		k += 1
	if k >= len(lines) or not re.match(r'^\s*return\s+0\s*;', lines[k]):
		return None, None		# not the statement before the return
	why = loop_refusal(h, code, start, end)
	if why:
		return None, why
	binds, drop, outside, why = loop_locals(h, code, start, end)
	if why:
		return None, why
	loop_notes(h, outside)
	loop_drop[h] = drop
	last = max([end] + list(lock_plan[h]['mlines'] if moved else []))
	gap = '\n' if last < len(lines) and not lines[last].strip() else ''
	body = loop.lstrip() + ''.join('\n\t%s;' % u for u in moved) + gap + '\n\treturn 0'
	if moved:
		used = names_in(code_only(' '.join(moved)))
		ab = [(x, k) for x, k in binds if x in used]
		# NAME_abort() declares the locals of the lock as the call path
		# does (bind_N): from file->private_data
		far = [x for x, k in ab if k != Bind.PRIV or x not in lock_plan[h]['binds']]
		if far:
			return None, ('rfc: the lock held across the loop is reached through %s, '
				      'which mmap_abort gets back only from file->private_data'
				      % far[0])
		lock_notes(h)
	loop_binds[h] = binds
	return body, None

# --- rfc: a lock held across the mapping call (docs/hazards.md, H6).  prepare
# takes it and returns with it held; NAME_complete() maps and then does the
# unlocks that followed the call; NAME_abort() does them if the mapping
# fails between prepare and complete.

SLEEPING = re.compile(r'^(mutex_lock(_interruptible|_killable|_nested|_io)?|'
		      r'down_read(_interruptible|_killable)?|down_write(_killable)?)$')
lock_plan = {}		# handler: {'moved', 'mlines', 'binds', 'what', 'loop'}
# the releases a call under a lock moves, and the locals that reach the
# lock, that the rules below write (release_N, bind_N, put_*_N)
ROUNDS = 2

def moving_unlock(p):
	"""Is the call at p an unlock that moves to mmap_complete (not a loop's)?"""
	h = p[0].current_element
	return (h in lock_plan and int(p[0].line) in lock_plan[h]['mlines'] and
		not lock_plan[h]['loop'])

def code_line(h, n):
	return code_only(src_line(h, n))

def top_stmt(h, n):
	"""The first and last lines of the statement of the handler's own block
	that holds line n."""
	s = n
	while s > body_start[h] and not (top_level_line(h, s) and
					 not re.match(r'^\t(\}|else\b)', src_line(h, s))):
		s -= 1
	depth, e = 0, s
	last = body_start[h] + len(body_text[h].split('\n')) - 1
	while e < last:
		c = code_line(h, e)
		depth += c.count('{') + c.count('(') - c.count('}') - c.count(')')
		nxt = src_line(h, e + 1)
		if depth <= 0 and c.rstrip().endswith((';', '}')) and \
		   not re.match(r'^\s*else\b', nxt) and (top_level_line(h, e + 1) or
							  not nxt.strip()):
			break
		e += 1
	return s, e

def call_arg(h, n, name):
	"""The first argument of the call of name on line n, squashed."""
	line = code_line(h, n)
	m = re.search(r'\b%s\s*\(' % re.escape(name), line)
	if not m:
		return None
	depth, arg = 0, ''
	for ch in line[m.end():]:
		if depth == 0 and ch in ',)':
			return squash(arg)
		depth += {'(': 1, '[': 1, ')': -1, ']': -1}.get(ch, 0)
		arg += ch
	return None

def leaves_block(h, n):
	"""Does the block holding line n return or jump away after it, before
	it closes?"""
	depth, text = 0, ''
	last = body_start[h] + len(body_text[h].split('\n')) - 1
	for k in range(n, last + 1):
		c = code_line(h, k)
		for ch in c:
			depth += {'{': 1, '}': -1}.get(ch, 0)
			if depth < 0:
				return re.search(r'\b(return|goto)\b', text) is not None
			text += ch
		text += '\n'
	return re.search(r'\b(return|goto)\b', text) is not None

def private_data_local(h, x, fp):
	"""Local x of the handler's own block is set once, to the file's
	private_data (its initialiser counts)."""
	d = decls[h].get(x)
	if d is None or not top_level_line(h, d['line']):
		return False
	sets = assigned(code_only(body_text[h]), x)
	return len(sets) == 1 and sets[0][0] == '=' and \
		squash(sets[0][1]) == '%s->private_data' % fp

def plan_lock(h, cline, fn, held, loop):
	"""rfc: the locks held across the mapping call.  Fills lock_plan[h]
	and returns None, or returns the reason for a refusal."""
	fp, vma = params.get(h, (None, None))
	if fp is None:
		return 'rfc: the handler did not parse (spatch): the lock is not followed'
	for l, kind, name in held:
		if kind == 'guard':
			return ('%s() holds its lock across %s() (docs/hazards.md, H6): under rfc the '
				'guard would be released when prepare returns, before mmap_complete '
				'maps; it is not rewritten into an explicit lock and unlock'
				% (name, fn))
	s, e = top_stmt(h, cline)
	if not loop and re.search(r'\breturn\b', ' '.join(code_line(h, k) for k in range(s, e + 1))):
		# the releases follow the call's statement: its failure returned before them
		return ('rfc: a failed %s() returned with the lock still held (a return in '
			'the statement of the call, before the release): mmap_complete would '
			'release it on that path, or leave it held for good; neither is the '
			'old behaviour' % fn)
	last = body_start[h] + len(body_text[h].split('\n')) - 1
	succ = next((k for k in range(e + 1, last + 1) if top_level_line(h, k) and
		     re.match(r'^\treturn\b', code_line(h, k))), None)
	if succ is None:
		return 'rfc: no return of the handler\'s own block follows %s()' % fn
	moved, mlines, binds, what = [], set(), [], []
	for l, kind, name in held:
		if kind == 'guard':
			return ('%s() holds its lock across %s() (docs/hazards.md, H6): under rfc the '
				'guard would be released when prepare returns, before mmap_complete '
				'maps; it is not rewritten into an explicit lock and unlock'
				% (name, fn))
		if not SLEEPING.match(name):
			return ('%s() is held across %s() (docs/hazards.md, H6): rfc would hold it from '
				'prepare across the core\'s VMA setup, which may sleep; only a mutex '
				'or an rw_semaphore can be carried into mmap_complete' % (name, fn))
		if not top_level_line(h, l):
			return ('%s() is held across %s() but taken under a condition (docs/hazards.md, '
				'H6): which paths hold it in prepare is not derived' % (name, fn))
		arg = call_arg(h, l, name)
		if not arg:
			return '%s() at line %d: its lock argument is not read' % (name, l)
		mine = []
		for l2, k, n2 in sorted(locks.get(h, [])):
			if k == 'unlock' and l2 > l and call_arg(h, l2, n2) == arg:
				mine.append((l2, n2))
		after = [(l2, n2) for l2, n2 in mine if e < l2 < succ]
		if not after:
			return ('%s(%s) is held across %s() but not released by a statement right '
				'after it (docs/hazards.md, H6): which paths release it is not derived'
				% (name, arg, fn))
		for l2, n2 in mine:
			if e < l2 < succ:
				continue
			if loop and s <= l2 <= e and leaves_block(h, l2):
				continue	# an error path of the loop: it moves with it
			if not (s <= l2 <= e) and l2 > l and leaves_block(h, l2):
				continue	# a validation error path, or one after the return
			return ('%s(%s) at line %d releases the lock held across %s() on a path that '
				'goes on (docs/hazards.md, H6): a release elsewhere, or a conditional one, '
				'is not derived' % (n2, arg, l2, fn))
		mlines |= set(l2 for l2, n2 in after)
		what.append('%s(%s)' % (name, tidy(code_line(h, l).split('(', 1)[1].rsplit(')', 1)[0])
					 if '(' in code_line(h, l) else arg))
		for x in names_in(code_only(arg)):
			if x == vma:
				return ('the lock %s() takes is reached through the VMA, which '
					'mmap_abort does not get' % name)
			if x == fp and fp != 'file':
				return ('the lock %s() takes is reached through the file parameter '
					'%s, which mmap_complete and mmap_abort name file' % (name, fp))
			if x not in decls[h]:
				continue	# a global lock, or the file
			if private_data_local(h, x, fp):
				if x not in binds:
					binds.append(x)
			elif not loop:
				return ('the lock %s is reached through %s, which neither '
					'file->private_data nor desc->mmap_context (it carries the PFN) '
					'gives back to mmap_complete and mmap_abort' % (arg, x))
	# nothing but the releases between the call and the return
	for k in range(e + 1, succ):
		c = code_line(h, k).strip()
		if c and k not in mlines and k < max(mlines, default=e):
			return ('"%s" runs between %s() and the release of the lock held across it: '
				'only the releases move to mmap_complete with the call' % (c, fn))
		if c and k not in mlines:
			return ('"%s" follows the release of the lock held across %s(), before '
				'the return: only the releases move to mmap_complete with the call'
				% (c, fn))
		if k in mlines and not top_level_line(h, k):
			return 'the release at line %d is not a statement of the handler\'s own block' % k
	moved = [tidy(code_line(h, k).strip().rstrip(';')) for k in sorted(mlines)]
	if len(mlines) > ROUNDS or len(binds) > ROUNDS:
		return ('%d releases of the lock, or locals to reach it, follow %s(): the rule '
			'moves at most %d of each to mmap_complete and mmap_abort'
			% (max(len(mlines), len(binds)), fn, ROUNDS))
	lock_plan[h] = {'moved': moved, 'mlines': mlines, 'binds': binds, 'what': what,
			'loop': loop}
	return None

def drops_unlock(p):
	"""Is the call at p an unlock that moves to mmap_complete with a call
	the rule rewrites?"""
	return moving_unlock(p) and p[0].current_element in done

def loop_aborted(comp):
	"""The handler whose NAME_complete() comp is, if its moved loop was
	under a lock (it gets an abort)."""
	h = comp[:-len('_complete')] if comp.endswith('_complete') else None
	return h if gets_abort(h) and lock_plan[h]['loop'] else None

def release_at(p, k, loop):
	"""Is the call at p the k-th release that moves from a handler to
	NAME_complete() and NAME_abort(), after a call (or a loop) under a
	lock?"""
	lp = lock_plan.get(p[0].current_element)
	if lp is None or lp['loop'] != loop or len(lp['mlines']) < k:
		return False
	return int(p[0].line) == sorted(lp['mlines'])[k - 1]

def lock_bind(x, p, k, loop):
	"""Is x, declared at p, the k-th local through which NAME_complete()
	and NAME_abort() reach the lock (from file->private_data), held across
	a call (or a loop)?"""
	h = p[0].current_element
	lp = lock_plan.get(h)
	if lp is None or lp['loop'] != loop or len(lp['binds']) < k:
		return False
	return lp['binds'][k - 1] == str(x) and decls[h][str(x)]['line'] == int(p[0].line)

def is_complete(m, h):
	"""Is m the NAME_complete() that keeps the result of h's call in err?"""
	return str(h) in err_form and str(m) == str(h) + '_complete'

def returns_own(m, h):
	"""... and returns h's own error when the call fails?"""
	return is_complete(m, h) and overridden(str(h))

def locked(m, h):
	"""Is m the NAME_complete() of h, which releases a lock after its call?
	(A moved loop is never in err_form: its releases are in its text.)"""
	return is_complete(m, h) and str(h) in lock_plan

def gets_abort(h):
	"""Does h get an mmap_abort hook (a lock held from prepare, across
	its call or its moved loop)?"""
	return h in done and h in lock_plan and (h in err_form or lock_plan[h]['loop'])

def is_abort(m, h):
	"""Is m the NAME_abort() of h, which releases the lock of its call or
	its loop?"""
	return gets_abort(str(h)) and str(m) == str(h) + '_abort'


def lock_notes(h):
	lp = lock_plan[h]
	note(h, 'the lock taken by %s is now held from prepare, which returns with it, '
	     'until mmap_complete releases it after the mapping (%s), or the new mmap_abort '
	     'hook releases it if the mapping fails before complete: it is held across the '
	     'core\'s VMA setup in between (the VMA\'s allocation and its insertion into the '
	     'VMA tree and the file\'s rmap tree, which may sleep), under the mmap write lock '
	     'as before; prepare makes the mapping unmergeable, so complete or abort always '
	     'runs (docs/hazards.md, H6 and H2)' % (' and '.join(lp['what']), '; '.join(lp['moved'])))

# what one file's handlers gather, emptied as each file starts: the rule
# alone (make coccicheck) runs on many files, mmapport gives it one
PER_FILE = (where, handlers, calls, locks, masked, ops_set, closes, ops_defined, refused,
	    convertible, staged, in_array, notes, kept_errors, done, shapes, insert_loops, params,
	    body_start, decls, loop_drop, body_text, tails, lock_plan,
	    loop_binds, forms, prot_kept, guarded_remaps, err_form, loop_ctx,
	    loop_flags, twice)

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
v << virtual.takes_json;
@@
takes = json.loads(v)

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
if wanted is None or h in wanted.split(','):
	handlers.add(h)
	where.setdefault(h, p[0])

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

// The handlers' definitions: their text is read for the size and locals.
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
if hf in handlers and hf in body_start:
	twice.add(hf)
elif hf in handlers:
	body_start[hf] = int(ph[0].line)
	params[hf] = (str(fp), str(vma))
	where[hf] = ph[0]

@script:python depends on (has_mmap || patch)@
@@
for h in body_start:
	body_text[h] = ''.join(read_text(h, where[h]))

// The handlers' locals, for what a moved insert loop needs (rfc).
@ local_init depends on (has_mmap || patch) && rfc @
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
if p[0].current_element in handlers:
	decls.setdefault(p[0].current_element, {})[str(x)] = {
		'type': str(T), 'init': str(E), 'line': int(p[0].line)}

// rfc: the locals declared without a value.
@ local_plain depends on (has_mmap || patch) && rfc @
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
if p[0].current_element in handlers:
	decls.setdefault(p[0].current_element, {})[str(x)] = {
		'type': str(T), 'init': None, 'line': int(p[0].line)}

// Every call that maps memory into the VMA, supported or not.  Calls are
// matched alone and given to their function by position: a match inside
// the function pattern would report one of several calls only.
@ map_call depends on (has_mmap || patch) @
identifier fn =~ "^(remap_pfn_range|io_remap_pfn_range|io_remap_pfn_range_wc|vm_iomap_memory|vm_map_pages|vm_map_pages_zero|remap_4k_pfn|vm_insert_page|vm_insert_pages|remap_vmalloc_range|remap_vmalloc_range_partial|vmf_insert_pfn|vmf_insert_mixed|vm_insert_kernel_pages)$";
expression list es;
position p;
@@
fn@p(es)

@script:python depends on (has_mmap || patch)@
fn << map_call.fn;
p << map_call.p;
@@
calls.setdefault(p[0].current_element, []).append((int(p[0].line), int(p[0].column), fn))

// Locks: one taken before the remap and released after it is held across.
@ lock_call depends on (has_mmap || patch) @
identifier lk =~ "(^mutex_lock|^spin_lock|^raw_spin_lock|^read_lock|^write_lock|^down_read|^down_write|^mtree_lock|^rcu_read_lock|^srcu_read_lock|^xa_lock|^guard$|^scoped_guard$)";
position p;
@@
lk@p(...)

@script:python depends on (has_mmap || patch)@
lk << lock_call.lk;
p << lock_call.p;
@@
kind = 'guard' if lk in ('guard', 'scoped_guard') else 'lock'
locks.setdefault(p[0].current_element, []).append((int(p[0].line), kind, lk))

// Every release of a lock, matched by name.
@ unlock_call depends on (has_mmap || patch) @
identifier ul =~ "(unlock|^up_read$|^up_write$|^up$)";
position p;
@@
ul@p(...)

@script:python depends on (has_mmap || patch)@
ul << unlock_call.ul;
p << unlock_call.p;
@@
locks.setdefault(p[0].current_element, []).append((int(p[0].line), 'unlock', ul))

// A masked flag compare has no one-helper descriptor form yet.
@ masked_cmp depends on (has_mmap || patch) @
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

@script:python depends on (has_mmap || patch)@
hf << masked_cmp.hf;
@@
masked.add(hf)

// The vm_ops it installs, and their close (docs/hazards.md, H1).
@ installs_ops depends on (has_mmap || patch) @
identifier hf, fp, vma, vops;
@@
hf(struct file *fp, struct vm_area_struct *vma) { <+...
 vma->vm_ops = &vops
...+> }

@script:python depends on (has_mmap || patch)@
hf << installs_ops.hf;
vops << installs_ops.vops;
@@
ops_set.setdefault(hf, set()).add(vops)

// A vm_operations_struct with a .close hook, and that hook.
@ ops_close depends on (has_mmap || patch) @
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

@script:python depends on (has_mmap || patch)@
vops << ops_close.vops;
cl << ops_close.cl;
@@
closes[vops] = cl

// Every vm_operations_struct this file initialises.
@ ops_def depends on (has_mmap || patch) @
identifier vops;
@@
(
struct vm_operations_struct vops = { ... };
|
const struct vm_operations_struct vops = { ... };
)

@script:python depends on (has_mmap || patch)@
vops << ops_def.vops;
@@
ops_defined.add(str(vops))

@script:python depends on (has_mmap || patch)@
@@
for h in handlers:
	cs = calls.get(h, [])
	if not cs:
		continue
	if h in twice:
		refused[h] = TWICE
		continue
	if h in in_array:
		refused[h] = ('rfc: the handler is registered in the array of file_operations '
			      '%s[], where the rule does not register mmap_complete beside '
			      'it' % in_array[h])
		continue
	if len(cs) > 1:
		why = tail_check(h, cs) if rfc_mode else None
		if not rfc_mode or why:
			refused[h] = ('several mapping calls (%s): %s'
				      % (', '.join(sorted(set(c[2] for c in cs))), why or
					 'mainline has one action per mapping, and a per-branch or '
					 'repeated remap needs a human'))
			continue
	line, col, fn = cs[0]
	loop = fn == 'vm_insert_page' or h in tails
	if loop and not rfc_mode:
		refused[h] = ('vm_insert_page() in a loop has no exact mainline form: '
			      'mmap_action_map_kernel_pages*() maps a page array handed over '
			      'whole by prepare, with its own range checks and errors, where the '
			      'loop picks, computes or allocates each page as it inserts it '
			      '(docs/hazards.md, H9; rfc moves the loop to mmap_complete)')
		continue
	if fn not in SUPPORTED and not loop:
		refused[h] = ('%s() has no prepare-time form (docs/hazards.md, H9: an arch-only or '
			      'per-page path)' % fn)
		continue
	held = []
	for l, kind, name in sorted(locks.get(h, [])):
		if kind == 'guard' and l < line:
			held.append((l, kind, name))
		if kind == 'lock' and l < line and any(k == 'unlock' and l2 > line
						       for l2, k, n in locks[h]) and \
		   not released_before(h, l, name, line):
			held.append((l, kind, name))
	if held and not rfc_mode:
		refused[h] = ('%s() is held across %s() (docs/hazards.md, H6): a mainline action '
			      'runs after prepare returns, outside the lock' % (held[-1][2], fn))
		continue
	# rfc: the lock first, then what else stops the conversion, both said
	why = []
	if held and h in tails:
		why.append('several mapping calls (%s) under %s() (docs/hazards.md, H6): rfc '
			   'carries a lock across one call or one loop only'
			   % (', '.join(sorted(set(c[2] for c in cs))), held[-1][2]))
	elif held:
		why.append(plan_lock(h, line, fn, held, loop))
	cl = [closes[o] for o in ops_set.get(h, ()) if o in closes]
	unknown = [o for o in ops_set.get(h, ()) if o not in ops_defined]
	if h in masked:
		why.append('a masked compare of vma->vm_flags has no descriptor helper '
			   'that keeps its meaning')
	elif cl:
		why.append('installs vm_ops whose close is %s(): a failed mapping now unmaps '
			   'the new VMA and calls it, which the old failure path never did '
			   '(docs/hazards.md, H1)' % cl[0])
	elif loop and unknown:
		why.append('installs vm_ops %s, which this file does not define: whether a '
			   'failed mmap_complete would unmap the VMA into a close is not known '
			   '(docs/hazards.md, H1)' % unknown[0])
	why = [w for w in why if w]
	if why:
		refused[h] = '; besides, '.join(why)
		lock_plan.pop(h, None)
		continue
	if loop:
		insert_loops.add(h)
	else:
		convertible.add(h)


// rfc: the first release that moves, with the call made under the lock,
// to NAME_complete() and NAME_abort() (the rules put_release_1 and
// put_abort_release_1 write it there).
@ release_1 depends on patch && rfc @
identifier h, ul;
expression list es;
position p : script:python() { release_at(p, 1, False) };
@@
h(...) { <+... ul@p(es); ...+> }

// rfc: the first local through which they reach the lock, as the handler
// declares it (put_bind_1, put_abort_bind_1).
@ bind_1 depends on patch && rfc @
identifier hb, kx;
type T;
expression E;
position p : script:python(kx) { lock_bind(kx, p, 1, False) };
@@
hb(...) {
 ... when any
(
 T kx@p;
|
 T kx@p = E;
)
 ... when any
}

// rfc: the second release that moves, with the call made under the lock,
// to NAME_complete() and NAME_abort() (the rules put_release_2 and
// put_abort_release_2 write it there).
@ release_2 depends on patch && rfc @
identifier h, ul;
expression list es;
position p : script:python() { release_at(p, 2, False) };
@@
h(...) { <+... ul@p(es); ...+> }

// rfc: the second local through which they reach the lock, as the handler
// declares it (put_bind_2, put_abort_bind_2).
@ bind_2 depends on patch && rfc @
identifier hb, kx;
type T;
expression E;
position p : script:python(kx) { lock_bind(kx, p, 2, False) };
@@
hb(...) {
 ... when any
(
 T kx@p;
|
 T kx@p = E;
)
 ... when any
}

// --- The shapes that end a handler with the call.  Matched first without
// change, so that the reason for a refusal can name what is missing.

// (An unlock that moves to mmap_complete is still there: drop_moved_unlock
// removes it once plan() has converted the call.)
@ shape @
identifier h;
identifier fp, vma, fn, ret, ul, ul2;
identifier C =~ "^E[A-Z0-9]+$";
identifier logf =~ "^(pr_[a-z_]+|dev_[a-z_]+|printk)$";
expression list es, la, ue, ue2;
position p, q;
position u : script:python() { moving_unlock(u) };
position u2 : script:python() { moving_unlock(u2) };
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
 ret = fn@p(vma, es);
 if (ret)
	return@q -C;
 return ret;
|
 fn@p(vma, es);
 return 0;
|
 ret = fn@p(vma, es);
 ul@u(ue);
 return ret;
|
 fn@p(vma, es);
 ul@u(ue);
 return 0;
|
 ret = fn@p(vma, es);
 ul@u(ue);
 ul2@u2(ue2);
 return ret;
|
 fn@p(vma, es);
 ul@u(ue);
 ul2@u2(ue2);
 return 0;
)
...+> }

@script:python@
h << shape.h;
@@
if h in convertible:
	shapes.setdefault(h, {})

// A failed call that returns its own error: the error override.
@ shape_override @
identifier h;
identifier fp, vma, fn, ret;
identifier C =~ "^E[A-Z0-9]+$";
identifier logf =~ "^(pr_[a-z_]+|dev_[a-z_]+|printk)$";
expression list es, la;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
 if (fn(vma, es))
	return -C;
 return 0;
|
 if (fn(vma, es)) {
	return -C;
 }
 return 0;
|
 if (fn(vma, es)) {
	logf(la);
	return -C;
 }
 return 0;
|
 ret = fn(vma, es);
 if (ret)
	return -C;
 return ret;
)
...+> }

@script:python@
h << shape_override.h;
C << shape_override.C;
@@
if h in shapes:
	shapes[h]['override'] = '-' + str(C)

// A failed call that logs before it returns: the message goes.
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

// A call whose result is dropped: a failure now fails the mmap.
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
@@
if h not in convertible:
	cocci.include_match(False)
else:
	kind, why = plan(h, fn, es, p)
	if why is not None:
		refused[h] = why
		convertible.discard(h)
		cocci.include_match(False)
	else:
		done.add(h)
		forms[h] = kind

// rfc: the releases that followed a call made under a lock leave the
// handler of a call the rule rewrites (they move to NAME_complete()), so
// that the rules below see the call end the handler; prepare returns
// with the lock held.
@ drop_moved_unlock depends on patch && rfc @
identifier ul;
expression list es;
position pu : script:python() { drops_unlock(pu) };
@@
- ul@pu(es);

// rfc: the arguments of the remap that NAME_complete() repeats, taken
// before the rules below rewrite it.
@ remap_args depends on patch && rfc @
identifier site.h, site.fn;
identifier fp, vma;
expression A, P, S, R;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
 fn(vma, A, P, S, R)
...+> }

// rfc: the same for vm_map_pages*().
@ pages_args depends on patch && rfc @
identifier site.h, site.fn;
identifier fp, vma;
expression PG, N;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
 fn(vma, PG, N)
...+> }

// The shape that ends the handler becomes the call alone, then
// "return 0;": the rules after this one write what the call becomes.
@ rewrite_call depends on patch @
identifier fun : script:python() { fun in done };
identifier fp, vma, site.fn, ret;
identifier C =~ "^E[A-Z0-9]+$";
identifier logf =~ "^(pr_[a-z_]+|dev_[a-z_]+|printk)$";
expression list site.es, la;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
(
- return fn(vma, es);
+ fn(vma, es);
+ return 0;
|
- if (fn(vma, es))
-	return -C;
+ fn(vma, es);
  return 0;
|
- if (fn(vma, es)) {
-	return -C;
- }
+ fn(vma, es);
  return 0;
|
- if (fn(vma, es)) {
-	logf(la);
-	return -C;
- }
+ fn(vma, es);
  return 0;
|
- ret = fn(vma, es);
- return ret;
+ fn(vma, es);
+ return 0;
|
- ret = fn(vma, es);
- if (ret)
-	return ret;
+ fn(vma, es);
  return 0;
|
- ret = fn(vma, es);
- if (ret < 0)
-	return ret;
+ fn(vma, es);
  return 0;
|
- ret = fn(vma, es);
- if (ret)
-	return -C;
- return ret;
+ fn(vma, es);
+ return 0;
|
  fn(vma, es);
  return 0;
)
...+> }

// The error the handler returned when the call failed: the action keeps
// it (mainline), and the checks written in prepare return it.
// E goes with the handler h it was made for: the rules that write it
// inherit site.h, not a handler chosen again by a constraint, or each
// handler of the file would get each E.  Which handlers they write for,
// a position constraint decides: include_match(False) here would drop
// the match of site for every later rule that inherits from it.
@script:python failure@
h << site.h;
E;
@@
coccinelle.E = cocci.make_ident(error_code(h))

// mainline: the action fails the mmap with the handler's error.
@ keep_error depends on patch && !rfc @
identifier site.h;
identifier fp, vma, site.fn;
expression list es;
identifier failure.E;
position q : script:python(h) { overridden(h) };
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
  fn@q(vma, es);
+ desc->action.error_override = -E;
...+> }

// mainline: a protection other than the VMA's serves the remap alone.
@ keep_prot depends on patch && !rfc @
identifier fun : script:python() { fun in prot_kept };
identifier fp, vma, site.fn;
expression A, P, S, R;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
  fn(vma, A, P, S, R);
+ desc->action.remap.pgprot = R;
...+> }

// mainline: a remap of the whole VMA.
@ action_full depends on patch && !rfc @
identifier fun : script:python() { form_is(fun, Form.FULL) };
identifier fp, vma;
expression A, P, S, R;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
(
- remap_pfn_range(vma, A, P, S, R);
+ mmap_action_remap_full(desc, P);
|
- io_remap_pfn_range(vma, A, P, S, R);
+ mmap_action_ioremap_full(desc, P);
)
...+> }

// mainline: a remap of a size the handler checked to be the VMA's, or
// of one page from its start.
@ action_range depends on patch && !rfc @
identifier fun : script:python() { form_is(fun, Form.RANGE) };
identifier fp, vma;
expression A, P, S, R;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
(
- remap_pfn_range(vma, A, P, S, R);
+ mmap_action_remap(desc, A, P, S);
|
- io_remap_pfn_range(vma, A, P, S, R);
+ mmap_action_ioremap(desc, A, P, S);
)
...+> }

// mainline: any other remap, its size clamped to the end of the VMA.
@ action_clamped depends on patch && !rfc @
identifier fun : script:python() { form_is(fun, Form.CLAMP) };
identifier fp, vma;
expression A, P, S, R;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
(
- remap_pfn_range(vma, vma->vm_start, P, S, R);
+ mmap_action_remap(desc, vma->vm_start, P,
+		   min_t(unsigned long, S, vma->vm_end - vma->vm_start));
|
- io_remap_pfn_range(vma, vma->vm_start, P, S, R);
+ mmap_action_ioremap(desc, vma->vm_start, P,
+		     min_t(unsigned long, S, vma->vm_end - vma->vm_start));
|
- remap_pfn_range(vma, A, P, S, R);
+ mmap_action_remap(desc, A, P, min_t(unsigned long, S, vma->vm_end - (A)));
|
- io_remap_pfn_range(vma, A, P, S, R);
+ mmap_action_ioremap(desc, A, P, min_t(unsigned long, S, vma->vm_end - (A)));
)
...+> }

// mainline: vm_iomap_memory() has its action.
@ action_iomap depends on patch && !rfc @
identifier fun : script:python() { form_is(fun, Form.IOMAP) };
identifier fp, vma;
expression X, Y;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
- vm_iomap_memory(vma, X, Y);
+ mmap_action_simple_ioremap(desc, X, Y);
...+> }

// mainline: vm_map_pages*() checked the VMA against the array; prepare
// does it before the action maps the array whole.
@ action_pages depends on patch && !rfc @
identifier site.h;
identifier fp, vma;
expression PG, N;
identifier failure.E;
position q : script:python(h) { form_is(h, Form.PAGES) };
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
- vm_map_pages@q(vma, PG, N);
+ if (vma->vm_pgoff >= N || vma_pages(vma) > N - vma->vm_pgoff)
+	return -E;
+ mmap_action_map_kernel_pages_full(desc, PG + vma->vm_pgoff);
|
- vm_map_pages_zero@q(vma, PG, N);
+ if (vma_pages(vma) > N)
+	return -E;
+ mmap_action_map_kernel_pages_full(desc, PG);
)
...+> }

// rfc: a protection other than the VMA's becomes the VMA's, set first.
@ prepare_prot depends on patch && rfc @
identifier fun : script:python() { fun in prot_kept };
identifier fp, vma, site.fn;
expression A, P, S, R;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
+ desc->page_prot = R;
  fn(vma, A, P, S, R);
...+> }

// rfc: prepare carries the PFN to mmap_complete and prepares the remap.
// The context first: the prepare helper may rewrite desc->pgoff (a COW
// mapping, docs/hazards.md, H7), which the PFN may be made of.  Through
// unsigned long, the type of the pfn parameter of the remap: a u64 PFN
// (phys_addr_t >> PAGE_SHIFT on a 32-bit arch with 64-bit physical
// addresses) is cut as the old call cut it, and the pointer cast does
// not warn.
@ prepare_remap depends on patch && rfc @
identifier fun : script:python() { form_is(fun, Form.RFC_REMAP) };
identifier fp, vma;
expression A, P, S, R;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
(
- remap_pfn_range(vma, A, P, S, R);
+ desc->mmap_context = (void *)(unsigned long)(P);
+ remap_pfn_range_prepare(desc, P);
|
- io_remap_pfn_range(vma, A, P, S, R);
+ desc->mmap_context = (void *)(unsigned long)(P);
+ io_remap_pfn_range_prepare(desc, P, vma_desc_size(desc));
)
...+> }

// rfc: the pages are inserted by mmap_complete; prepare sets the flag the
// insertion set.
@ prepare_pages depends on patch && rfc @
identifier fun : script:python() { form_is(fun, Form.RFC_PAGES) };
identifier fp, vma;
identifier fn =~ "^vm_map_pages(_zero)?$";
expression list es;
@@
fun(struct file *fp, struct vm_area_struct *vma) { <+...
- fn(vma, es);
+ vm_flags_set(vma, VM_MIXEDMAP);
...+> }

// A local that only fed the call ("ret", "vsize") would now be unused.
@ drop_unused_local depends on patch @
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

// ... or one set apart from its declaration ("size = vma->vm_end - ...;"),
// which would be set but unused (a new W=1 warning).
@ drop_set_local depends on patch @
identifier site.h;
identifier fp, vma, x;
type T;
expression E : script:python() { pure(E) };
@@
h(struct file *fp, struct vm_area_struct *vma) {
 ... when any
- T x;
 ... when != x
- x = E;
 ... when != x
}

// rfc: the mapping call itself, in a new mmap_complete hook after the
// handler: a remap of the whole VMA, or of the size the handler proved to
// be the VMA's, with its final protection and the PFN that prepare left
// in desc->mmap_context; or the page insertion, as written.

// rfc: the remap of the whole VMA.
@ complete_remap_full depends on patch && rfc @
identifier site.h, site.fn;
fresh identifier comp = h ## "_complete";
fresh identifier cfn = fn ## "_complete";
position q : script:python(h) { completes(h, Form.RFC_REMAP, False) };
@@
h@q(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	return cfn(vma, vma->vm_start, (unsigned long)context,
+		   vma->vm_end - vma->vm_start, vma->vm_page_prot);
+}

// rfc: the remap of the size the handler proved, as written.
@ complete_remap_sized depends on patch && rfc @
identifier site.h, site.fn;
expression remap_args.S;
fresh identifier comp = h ## "_complete";
fresh identifier cfn = fn ## "_complete";
position q : script:python(h) { completes(h, Form.RFC_REMAP, True) };
@@
h@q(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	return cfn(vma, vma->vm_start, (unsigned long)context, S,
+		   vma->vm_page_prot);
+}

// rfc: vm_map_pages*(), as written.
@ complete_pages depends on patch && rfc @
identifier site.h, site.fn;
expression pages_args.PG, pages_args.N;
fresh identifier comp = h ## "_complete";
position q : script:python(h) { completes(h, Form.RFC_PAGES, False) };
@@
h@q(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	return fn(vma, PG, N);
+}

// rfc: a call whose failure returned the handler's own error, or made
// under a lock: NAME_complete() keeps its result in err, for the rules
// below (the error, the releases).  The remap of the whole VMA.
@ complete_err_full depends on patch && rfc @
symbol err;
identifier site.h, site.fn;
fresh identifier comp = h ## "_complete";
fresh identifier cfn = fn ## "_complete";
position q : script:python(h) { err_completes(h, Form.RFC_REMAP, False) };
@@
h@q(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	int err;
+
+	err = cfn(vma, vma->vm_start, (unsigned long)context,
+		  vma->vm_end - vma->vm_start, vma->vm_page_prot);
+	return err;
+}

// rfc: the same, for the remap of the size the handler proved.
@ complete_err_sized depends on patch && rfc @
symbol err;
identifier site.h, site.fn;
expression remap_args.S;
fresh identifier comp = h ## "_complete";
fresh identifier cfn = fn ## "_complete";
position q : script:python(h) { err_completes(h, Form.RFC_REMAP, True) };
@@
h@q(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	int err;
+
+	err = cfn(vma, vma->vm_start, (unsigned long)context, S,
+		  vma->vm_page_prot);
+	return err;
+}

// rfc: the same, for vm_map_pages*().
@ complete_err_pages depends on patch && rfc @
symbol err;
identifier site.h, site.fn;
expression pages_args.PG, pages_args.N;
fresh identifier comp = h ## "_complete";
position q : script:python(h) { err_completes(h, Form.RFC_PAGES, False) };
@@
h@q(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	int err;
+
+	err = fn(vma, PG, N);
+	return err;
+}

// rfc: a failure returns the handler's own error.
@ err_returns_own depends on patch && rfc @
symbol err;
identifier site.h;
identifier failure.E;
identifier m : script:python(h) { returns_own(m, h) };
@@
m(...) {
  ...
- return err;
+ if (err)
+	return -E;
+ return 0;
}

// rfc: the first release, after the call.
@ put_release_1 depends on patch && rfc @
symbol err;
identifier release_1.h, release_1.ul;
expression list release_1.es;
identifier m : script:python(h) { locked(m, h) };
@@
m(...) {
  ...
+ ul(es);
  return err;
}

// rfc: the second release, after the call, after the first.
@ put_release_2 depends on patch && rfc @
symbol err;
identifier release_2.h, release_2.ul;
expression list release_2.es;
identifier m : script:python(h) { locked(m, h) };
@@
m(...) {
  ...
+ ul(es);
  return err;
}

// rfc: the first local that reaches the lock, from the file.
@ put_bind_1 depends on patch && rfc @
symbol err;
identifier bind_1.hb, bind_1.kx;
type bind_1.T;
identifier m : script:python(hb) { locked(m, hb) };
@@
m(...) {
  ...
+ T kx = file->private_data;
  int err;
  ...
}

// rfc: the second local that reaches the lock, from the file, after the first.
@ put_bind_2 depends on patch && rfc @
symbol err;
identifier bind_2.hb, bind_2.kx;
type bind_2.T;
identifier m : script:python(hb) { locked(m, hb) };
@@
m(...) {
  ...
+ T kx = file->private_data;
  int err;
  ...
}

// rfc: the new hook registered beside the handler.
@ register_complete depends on patch && rfc @
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

// --- rfc: NAME_abort() for a call made under a lock: prepare returns with
// the lock held, and the hook releases it if the mapping fails before
// NAME_complete() runs.  Placed after NAME_complete() and registered after
// it, as mmap_prepare_state.cocci places and registers its abort.  (Here,
// before the loop rules: a script rule there that drops all its matches,
// loop_how in a file with no loop, drops those of release_N and bind_N.)
@ add_lock_abort depends on patch && rfc @
identifier site.h;
identifier m : script:python(h) { locked(m, h) };
fresh identifier abrt = h ## "_abort";
@@
m(...) { ... }
+
+static void abrt(const struct file *file, const void *vm_private_data,
+		 const void *context)
+{
+}

// rfc: the first local of NAME_abort().
@ put_abort_bind_1 depends on patch && rfc @
identifier bind_1.hb, bind_1.kx;
type bind_1.T;
identifier m : script:python(hb) { is_abort(m, hb) };
@@
m(...) {
  ...
+ T kx = file->private_data;
}

// rfc: the second local of NAME_abort(), after the first.
@ put_abort_bind_2 depends on patch && rfc @
identifier bind_2.hb, bind_2.kx;
type bind_2.T;
identifier m : script:python(hb) { is_abort(m, hb) };
@@
m(...) {
  ...
+ T kx = file->private_data;
}

// rfc: a blank line after them.
@ put_abort_blank depends on patch && rfc @
identifier bind_1.hb;
identifier m : script:python(hb) { is_abort(m, hb) };
@@
m(...) {
  ...
+
}

// rfc: the first release in NAME_abort().
@ put_abort_release_1 depends on patch && rfc @
identifier release_1.h, release_1.ul;
expression list release_1.es;
identifier m : script:python(h) { is_abort(m, h) };
@@
m(...) {
  ...
+ ul(es);
}

// rfc: the second release in NAME_abort(), after the first.
@ put_abort_release_2 depends on patch && rfc @
identifier release_2.h, release_2.ul;
expression list release_2.es;
identifier m : script:python(h) { is_abort(m, h) };
@@
m(...) {
  ...
+ ul(es);
}

// rfc: the new hook registered beside mmap_complete.
@ register_lock_abort depends on patch && rfc @
identifier site.h;
identifier m : script:python(h) { locked(m, h) };
fresh identifier abrt = h ## "_abort";
identifier ops;
@@
(
struct file_operations ops = {
	.mmap_complete = m,
+	.mmap_abort = abrt,
};
|
const struct file_operations ops = {
	.mmap_complete = m,
+	.mmap_abort = abrt,
};
)

// --- rfc: a vm_insert_page() loop that ends the handler moves, whole, into
// NAME_complete(); prepare keeps the checks, carries the one value the loop
// needs in desc->mmap_context and sets VM_MIXEDMAP as the insertion did.

// Each statement followed by at most three more and "return 0;".  (Along
// "... when any", not in <+... ...+>: there, spatch gives a rule whose
// matches no later rule changes only the first statement of a path, so
// the rule alone in report mode would not see the loop after another.)
@ loop_site depends on rfc @
identifier h, fp, vma;
statement S, U1, U2, U3;
position pl;
@@
h(struct file *fp, struct vm_area_struct *vma) {
 ... when any
(
 S@pl
 return 0;
|
 S@pl
 U1
 return 0;
|
 S@pl
 U1
 U2
 return 0;
|
 S@pl
 U1
 U2
 U3
 return 0;
)
 ... when any
}

@script:python loop_how@
h << loop_site.h;
pl << loop_site.pl;
lbody;
cx;
@@
if h not in insert_loops or h in done or h in refused:
	cocci.include_match(False)
else:
	body, why = plan_loop(h, pl)
	if why is not None:
		refused[h] = why
		cocci.include_match(False)
	elif body is None:
		cocci.include_match(False)	# not the loop: another statement
	else:
		done.add(h)
		coccinelle.lbody = cocci.make_ident(body)
		coccinelle.cx = cocci.make_ident(loop_ctx.get(h, ('context', None))[0])

// rfc: the first release after a loop under a lock (for NAME_abort()).
@ lrelease_1 depends on patch && rfc @
identifier h, ul;
expression list es;
position p : script:python() { release_at(p, 1, True) };
@@
h(...) { <+... ul@p(es); ...+> }

// rfc: the first local through which NAME_abort() reaches that lock.
@ lkbind_1 depends on patch && rfc @
identifier hb, kx;
type T;
expression E;
position p : script:python(kx) { lock_bind(kx, p, 1, True) };
@@
hb(...) {
 ... when any
(
 T kx@p;
|
 T kx@p = E;
)
 ... when any
}

// rfc: the second release after a loop under a lock (for NAME_abort()).
@ lrelease_2 depends on patch && rfc @
identifier h, ul;
expression list es;
position p : script:python() { release_at(p, 2, True) };
@@
h(...) { <+... ul@p(es); ...+> }

// rfc: the second local through which NAME_abort() reaches that lock.
@ lkbind_2 depends on patch && rfc @
identifier hb, kx;
type T;
expression E;
position p : script:python(kx) { lock_bind(kx, p, 2, True) };
@@
hb(...) {
 ... when any
(
 T kx@p;
|
 T kx@p = E;
)
 ... when any
}

// rfc: the first local the moved loop needs, as the handler declares
// it (put_lbind_1 declares it in NAME_complete()).
@ lbind_1 depends on patch && rfc @
identifier hb, lx;
type T;
expression E;
position p : script:python(lx) { loop_bind(lx, p, 1) };
@@
hb(...) {
 ... when any
(
 T lx@p;
|
 T lx@p = E;
)
 ... when any
}

// rfc: the second local the moved loop needs, as the handler declares
// it (put_lbind_2 declares it in NAME_complete()).
@ lbind_2 depends on patch && rfc @
identifier hb, lx;
type T;
expression E;
position p : script:python(lx) { loop_bind(lx, p, 2) };
@@
hb(...) {
 ... when any
(
 T lx@p;
|
 T lx@p = E;
)
 ... when any
}

// rfc: the third local the moved loop needs, as the handler declares
// it (put_lbind_3 declares it in NAME_complete()).
@ lbind_3 depends on patch && rfc @
identifier hb, lx;
type T;
expression E;
position p : script:python(lx) { loop_bind(lx, p, 3) };
@@
hb(...) {
 ... when any
(
 T lx@p;
|
 T lx@p = E;
)
 ... when any
}

// rfc: the fourth local the moved loop needs, as the handler declares
// it (put_lbind_4 declares it in NAME_complete()).
@ lbind_4 depends on patch && rfc @
identifier hb, lx;
type T;
expression E;
position p : script:python(lx) { loop_bind(lx, p, 4) };
@@
hb(...) {
 ... when any
(
 T lx@p;
|
 T lx@p = E;
)
 ... when any
}

// rfc: the fifth local the moved loop needs, as the handler declares
// it (put_lbind_5 declares it in NAME_complete()).
@ lbind_5 depends on patch && rfc @
identifier hb, lx;
type T;
expression E;
position p : script:python(lx) { loop_bind(lx, p, 5) };
@@
hb(...) {
 ... when any
(
 T lx@p;
|
 T lx@p = E;
)
 ... when any
}

// rfc: the sixth local the moved loop needs, as the handler declares
// it (put_lbind_6 declares it in NAME_complete()).
@ lbind_6 depends on patch && rfc @
identifier hb, lx;
type T;
expression E;
position p : script:python(lx) { loop_bind(lx, p, 6) };
@@
hb(...) {
 ... when any
(
 T lx@p;
|
 T lx@p = E;
)
 ... when any
}

// rfc: the loop leaves the handler, with what followed it up to the
// return; a mark stands in its place for the rules below, which find it
// (a position is not inherited past a rule that changes the code, and
// another statement may read the same as the loop).
@ move_loop depends on patch && rfc @
identifier loop_site.h, fp, vma;
statement loop_site.S, U1, U2, U3;
position loop_site.pl;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
- S@pl
+ mmapport_moved_loop();
  return 0;
|
- S@pl
+ mmapport_moved_loop();
- U1
  return 0;
|
- S@pl
+ mmapport_moved_loop();
- U1
- U2
  return 0;
|
- S@pl
+ mmapport_moved_loop();
- U1
- U2
- U3
  return 0;
)
...+> }

// rfc: in the loop's place, prepare carries the one value the loop needs
// in desc->mmap_context (the loop_ctx[h] plan_loop() chose) ...
@ loop_context depends on patch && rfc @
identifier loop_site.h, fp, vma, loop_how.cx;
position p1 : script:python(h) { loop_ctx_is(h, Ctx.PTR) };
position p2 : script:python(h) { loop_ctx_is(h, Ctx.CONST_PTR) };
position p3 : script:python(h) { loop_ctx_is(h, Ctx.INT) };
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
+ desc->mmap_context = cx;
  mmapport_moved_loop@p1();
|
+ desc->mmap_context = (void *)cx;
  mmapport_moved_loop@p2();
|
+ desc->mmap_context = (void *)(unsigned long)cx;
  mmapport_moved_loop@p3();
)
...+> }

// ... and sets the flags the mapping calls set (loop_flags[h]) ...
@ loop_flags depends on patch && rfc @
identifier loop_site.h, fp, vma;
position p1 : script:python(h) { loop_flags.get(h) == Flags.REMAP };
position p2 : script:python(h) { loop_flags.get(h) == Flags.MIXED };
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
(
+ vm_flags_set(vma, VM_IO | VM_PFNMAP);
+ vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
  mmapport_moved_loop@p1();
|
+ vm_flags_set(vma, VM_MIXEDMAP);
  mmapport_moved_loop@p2();
)
...+> }

// ... and the mark goes.
@ unmark_loop depends on patch && rfc @
identifier loop_site.h, fp, vma;
@@
h(struct file *fp, struct vm_area_struct *vma) { <+...
- mmapport_moved_loop();
...+> }

// The locals only the loop used.
@ drop_loop_local depends on patch && rfc @
identifier loop_site.h;
identifier fp, vma;
identifier x : script:python(h) { x in loop_drop.get(h, ()) };
type T;
expression E;
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

// rfc: the loop, as written, in the new mmap_complete hook.
@ add_loop_complete depends on patch && rfc @
identifier loop_site.h, loop_site.vma;
fresh identifier comp = h ## "_complete";
identifier loop_how.lbody;
@@
h(...) { ... }
+
+static int comp(struct file *file, struct vm_area_struct *vma,
+		const void *context)
+{
+	mmapport_locals();
+	lbody;
+}

// rfc: the first local in NAME_complete(), above the loop.
@ put_lbind_1 depends on patch && rfc @
identifier lbind_1.hb, lbind_1.lx;
type lbind_1.T;
identifier m : script:python(hb) { loop_hook(m, hb) };
position p1 : script:python(hb) { lbind_is(hb, 1, Bind.PLAIN) };
position p2 : script:python(hb) { lbind_is(hb, 1, Bind.PRIV) };
position p3 : script:python(hb) { lbind_is(hb, 1, Bind.CTX_PTR) };
position p4 : script:python(hb) { lbind_is(hb, 1, Bind.CTX_INT) };
position p5 : script:python(hb) { lbind_is(hb, 1, Bind.CTX_ULONG) };
position p6 : script:python(hb) { lbind_is(hb, 1, Bind.START) };
position p7 : script:python(hb) { lbind_is(hb, 1, Bind.END) };
position p8 : script:python(hb) { lbind_is(hb, 1, Bind.SIZE) };
position p9 : script:python(hb) { lbind_is(hb, 1, Bind.PAGES) };
@@
m(...) {
  ...
(
+ T lx;
  mmapport_locals@p1();
|
+ T lx = file->private_data;
  mmapport_locals@p2();
|
+ T lx = (T)context;
  mmapport_locals@p3();
|
+ T lx = (T)(unsigned long)context;
  mmapport_locals@p4();
|
+ T lx = (unsigned long)context;
  mmapport_locals@p5();
|
+ T lx = vma->vm_start;
  mmapport_locals@p6();
|
+ T lx = vma->vm_end;
  mmapport_locals@p7();
|
+ T lx = vma->vm_end - vma->vm_start;
  mmapport_locals@p8();
|
+ T lx = vma_pages(vma);
  mmapport_locals@p9();
)
  ...
}

// rfc: the second local in NAME_complete(), above the loop, after those before it.
@ put_lbind_2 depends on patch && rfc @
identifier lbind_2.hb, lbind_2.lx;
type lbind_2.T;
identifier m : script:python(hb) { loop_hook(m, hb) };
position p1 : script:python(hb) { lbind_is(hb, 2, Bind.PLAIN) };
position p2 : script:python(hb) { lbind_is(hb, 2, Bind.PRIV) };
position p3 : script:python(hb) { lbind_is(hb, 2, Bind.CTX_PTR) };
position p4 : script:python(hb) { lbind_is(hb, 2, Bind.CTX_INT) };
position p5 : script:python(hb) { lbind_is(hb, 2, Bind.CTX_ULONG) };
position p6 : script:python(hb) { lbind_is(hb, 2, Bind.START) };
position p7 : script:python(hb) { lbind_is(hb, 2, Bind.END) };
position p8 : script:python(hb) { lbind_is(hb, 2, Bind.SIZE) };
position p9 : script:python(hb) { lbind_is(hb, 2, Bind.PAGES) };
@@
m(...) {
  ...
(
+ T lx;
  mmapport_locals@p1();
|
+ T lx = file->private_data;
  mmapport_locals@p2();
|
+ T lx = (T)context;
  mmapport_locals@p3();
|
+ T lx = (T)(unsigned long)context;
  mmapport_locals@p4();
|
+ T lx = (unsigned long)context;
  mmapport_locals@p5();
|
+ T lx = vma->vm_start;
  mmapport_locals@p6();
|
+ T lx = vma->vm_end;
  mmapport_locals@p7();
|
+ T lx = vma->vm_end - vma->vm_start;
  mmapport_locals@p8();
|
+ T lx = vma_pages(vma);
  mmapport_locals@p9();
)
  ...
}

// rfc: the third local in NAME_complete(), above the loop, after those before it.
@ put_lbind_3 depends on patch && rfc @
identifier lbind_3.hb, lbind_3.lx;
type lbind_3.T;
identifier m : script:python(hb) { loop_hook(m, hb) };
position p1 : script:python(hb) { lbind_is(hb, 3, Bind.PLAIN) };
position p2 : script:python(hb) { lbind_is(hb, 3, Bind.PRIV) };
position p3 : script:python(hb) { lbind_is(hb, 3, Bind.CTX_PTR) };
position p4 : script:python(hb) { lbind_is(hb, 3, Bind.CTX_INT) };
position p5 : script:python(hb) { lbind_is(hb, 3, Bind.CTX_ULONG) };
position p6 : script:python(hb) { lbind_is(hb, 3, Bind.START) };
position p7 : script:python(hb) { lbind_is(hb, 3, Bind.END) };
position p8 : script:python(hb) { lbind_is(hb, 3, Bind.SIZE) };
position p9 : script:python(hb) { lbind_is(hb, 3, Bind.PAGES) };
@@
m(...) {
  ...
(
+ T lx;
  mmapport_locals@p1();
|
+ T lx = file->private_data;
  mmapport_locals@p2();
|
+ T lx = (T)context;
  mmapport_locals@p3();
|
+ T lx = (T)(unsigned long)context;
  mmapport_locals@p4();
|
+ T lx = (unsigned long)context;
  mmapport_locals@p5();
|
+ T lx = vma->vm_start;
  mmapport_locals@p6();
|
+ T lx = vma->vm_end;
  mmapport_locals@p7();
|
+ T lx = vma->vm_end - vma->vm_start;
  mmapport_locals@p8();
|
+ T lx = vma_pages(vma);
  mmapport_locals@p9();
)
  ...
}

// rfc: the fourth local in NAME_complete(), above the loop, after those before it.
@ put_lbind_4 depends on patch && rfc @
identifier lbind_4.hb, lbind_4.lx;
type lbind_4.T;
identifier m : script:python(hb) { loop_hook(m, hb) };
position p1 : script:python(hb) { lbind_is(hb, 4, Bind.PLAIN) };
position p2 : script:python(hb) { lbind_is(hb, 4, Bind.PRIV) };
position p3 : script:python(hb) { lbind_is(hb, 4, Bind.CTX_PTR) };
position p4 : script:python(hb) { lbind_is(hb, 4, Bind.CTX_INT) };
position p5 : script:python(hb) { lbind_is(hb, 4, Bind.CTX_ULONG) };
position p6 : script:python(hb) { lbind_is(hb, 4, Bind.START) };
position p7 : script:python(hb) { lbind_is(hb, 4, Bind.END) };
position p8 : script:python(hb) { lbind_is(hb, 4, Bind.SIZE) };
position p9 : script:python(hb) { lbind_is(hb, 4, Bind.PAGES) };
@@
m(...) {
  ...
(
+ T lx;
  mmapport_locals@p1();
|
+ T lx = file->private_data;
  mmapport_locals@p2();
|
+ T lx = (T)context;
  mmapport_locals@p3();
|
+ T lx = (T)(unsigned long)context;
  mmapport_locals@p4();
|
+ T lx = (unsigned long)context;
  mmapport_locals@p5();
|
+ T lx = vma->vm_start;
  mmapport_locals@p6();
|
+ T lx = vma->vm_end;
  mmapport_locals@p7();
|
+ T lx = vma->vm_end - vma->vm_start;
  mmapport_locals@p8();
|
+ T lx = vma_pages(vma);
  mmapport_locals@p9();
)
  ...
}

// rfc: the fifth local in NAME_complete(), above the loop, after those before it.
@ put_lbind_5 depends on patch && rfc @
identifier lbind_5.hb, lbind_5.lx;
type lbind_5.T;
identifier m : script:python(hb) { loop_hook(m, hb) };
position p1 : script:python(hb) { lbind_is(hb, 5, Bind.PLAIN) };
position p2 : script:python(hb) { lbind_is(hb, 5, Bind.PRIV) };
position p3 : script:python(hb) { lbind_is(hb, 5, Bind.CTX_PTR) };
position p4 : script:python(hb) { lbind_is(hb, 5, Bind.CTX_INT) };
position p5 : script:python(hb) { lbind_is(hb, 5, Bind.CTX_ULONG) };
position p6 : script:python(hb) { lbind_is(hb, 5, Bind.START) };
position p7 : script:python(hb) { lbind_is(hb, 5, Bind.END) };
position p8 : script:python(hb) { lbind_is(hb, 5, Bind.SIZE) };
position p9 : script:python(hb) { lbind_is(hb, 5, Bind.PAGES) };
@@
m(...) {
  ...
(
+ T lx;
  mmapport_locals@p1();
|
+ T lx = file->private_data;
  mmapport_locals@p2();
|
+ T lx = (T)context;
  mmapport_locals@p3();
|
+ T lx = (T)(unsigned long)context;
  mmapport_locals@p4();
|
+ T lx = (unsigned long)context;
  mmapport_locals@p5();
|
+ T lx = vma->vm_start;
  mmapport_locals@p6();
|
+ T lx = vma->vm_end;
  mmapport_locals@p7();
|
+ T lx = vma->vm_end - vma->vm_start;
  mmapport_locals@p8();
|
+ T lx = vma_pages(vma);
  mmapport_locals@p9();
)
  ...
}

// rfc: the sixth local in NAME_complete(), above the loop, after those before it.
@ put_lbind_6 depends on patch && rfc @
identifier lbind_6.hb, lbind_6.lx;
type lbind_6.T;
identifier m : script:python(hb) { loop_hook(m, hb) };
position p1 : script:python(hb) { lbind_is(hb, 6, Bind.PLAIN) };
position p2 : script:python(hb) { lbind_is(hb, 6, Bind.PRIV) };
position p3 : script:python(hb) { lbind_is(hb, 6, Bind.CTX_PTR) };
position p4 : script:python(hb) { lbind_is(hb, 6, Bind.CTX_INT) };
position p5 : script:python(hb) { lbind_is(hb, 6, Bind.CTX_ULONG) };
position p6 : script:python(hb) { lbind_is(hb, 6, Bind.START) };
position p7 : script:python(hb) { lbind_is(hb, 6, Bind.END) };
position p8 : script:python(hb) { lbind_is(hb, 6, Bind.SIZE) };
position p9 : script:python(hb) { lbind_is(hb, 6, Bind.PAGES) };
@@
m(...) {
  ...
(
+ T lx;
  mmapport_locals@p1();
|
+ T lx = file->private_data;
  mmapport_locals@p2();
|
+ T lx = (T)context;
  mmapport_locals@p3();
|
+ T lx = (T)(unsigned long)context;
  mmapport_locals@p4();
|
+ T lx = (unsigned long)context;
  mmapport_locals@p5();
|
+ T lx = vma->vm_start;
  mmapport_locals@p6();
|
+ T lx = vma->vm_end;
  mmapport_locals@p7();
|
+ T lx = vma->vm_end - vma->vm_start;
  mmapport_locals@p8();
|
+ T lx = vma_pages(vma);
  mmapport_locals@p9();
)
  ...
}

// rfc: a blank line between the locals and the loop.
@ put_lblank depends on patch && rfc @
identifier lbind_1.hb;
identifier m : script:python(hb) { loop_hook(m, hb) };
@@
m(...) {
  ...
+
  mmapport_locals();
  ...
}

// rfc: and the mark the locals were written above goes.
@ unmark_locals depends on patch && rfc @
identifier loop_site.h;
identifier m : script:python(h) { loop_hook(m, h) };
@@
m(...) {
  ...
- mmapport_locals();
  ...
}

// rfc: the new hook registered beside the handler.
@ register_loop_complete depends on patch && rfc @
identifier loop_site.h;
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

// --- rfc: NAME_abort() for a loop moved under a lock: it does the
// releases that followed the loop, if the mapping fails before complete.
@ abort_anchor depends on patch && rfc @
identifier comp : script:python() { loop_aborted(comp) is not None };
@@
comp(...) { ... }

@script:python abort_how@
comp << abort_anchor.comp;
abrt;
@@
coccinelle.abrt = cocci.make_ident(loop_aborted(comp) + '_abort')

// rfc: NAME_abort() after NAME_complete(), empty: the rules below fill it.
@ add_abort depends on patch && rfc @
identifier abort_anchor.comp, abort_how.abrt;
@@
comp(...) { ... }
+
+static void abrt(const struct file *file, const void *vm_private_data,
+		 const void *context)
+{
+}

// rfc: the first local of NAME_abort() of a loop.
@ put_labort_bind_1 depends on patch && rfc @
identifier lkbind_1.hb, lkbind_1.kx;
type lkbind_1.T;
identifier m : script:python(hb) { is_abort(m, hb) };
@@
m(...) {
  ...
+ T kx = file->private_data;
}

// rfc: the second local of NAME_abort() of a loop, after the first.
@ put_labort_bind_2 depends on patch && rfc @
identifier lkbind_2.hb, lkbind_2.kx;
type lkbind_2.T;
identifier m : script:python(hb) { is_abort(m, hb) };
@@
m(...) {
  ...
+ T kx = file->private_data;
}

// rfc: a blank line after them.
@ put_labort_blank depends on patch && rfc @
identifier lkbind_1.hb;
identifier m : script:python(hb) { is_abort(m, hb) };
@@
m(...) {
  ...
+
}

// rfc: the first release in NAME_abort() of a loop.
@ put_labort_release_1 depends on patch && rfc @
identifier lrelease_1.h, lrelease_1.ul;
expression list lrelease_1.es;
identifier m : script:python(h) { is_abort(m, h) };
@@
m(...) {
  ...
+ ul(es);
}

// rfc: the second release in NAME_abort() of a loop, after the first.
@ put_labort_release_2 depends on patch && rfc @
identifier lrelease_2.h, lrelease_2.ul;
expression list lrelease_2.es;
identifier m : script:python(h) { is_abort(m, h) };
@@
m(...) {
  ...
+ ul(es);
}

// rfc: the new hook registered beside mmap_complete.
@ register_abort depends on patch && rfc @
identifier abort_anchor.comp, abort_how.abrt;
identifier ops;
@@
(
struct file_operations ops = {
	.mmap_complete = comp,
+	.mmap_abort = abrt,
};
|
const struct file_operations ops = {
	.mmap_complete = comp,
+	.mmap_abort = abrt,
};
)

// -D report: what the rule did (with -D patch) or would do, a line per
// handler that makes a mapping call, or that mmapport named.
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

@script:python depends on (registered || patch) && report@
@@
for h in sorted(handlers):
	if h not in calls and h not in refused:
		if wanted is None:
			continue
		refused[h] = ('no mapping call in the body of the handler as spatch '
			      'parsed it: the call is in a helper it passes the VMA '
			      'to, or the function did not parse (cleanup helpers such '
			      'as scoped_guard)')
	if h in tails and h not in done and h not in refused:
		refused[h] = ('rfc: several mapping calls (%s) that do not end the handler: '
			      'only the statements from the one that holds the first call '
			      'to a "return 0;" (at most four) move to mmap_complete'
			      % ', '.join(sorted(set(c[2] for c in calls[h]))))
	if h in insert_loops and h not in done and h not in refused:
		refused[h] = ('rfc: the vm_insert_page() loop is not the last statement '
			      'of the handler before its "return 0;": only a loop that '
			      'ends the handler moves to mmap_complete')
	if h in refused:
		say(h, 'refused', refused[h])
	elif h in done:
		say(h, 'convertible', 'its mapping call rewritten by mmap_prepare_remap.cocci')
		for n in notes.get(h, []):
			say(h, 'note', n)
		# the error codes of the checks of the mapping call, now
		# written in prepare: mmapport checks the code has them
		for c in kept_errors.get(h, []):
			say(h, 'keeps error', c)
		# rfc: prepare returns with a lock held, NAME_abort() drops it
		if gets_abort(h):
			say(h, 'adds hook', 'mmap_abort')
