// SPDX-License-Identifier: GPL-2.0
/*
 * category.c - the category names and the API lists of category.h.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "category.h"
#include "util.h"

const char *const cat_names[] = {
	"simple", "stateful", "needs-vma", "page-insert", "pfn-remap", "dma-mmap",
	"stacked", "unparsed", "dispatcher", "already-prepare", "no-handler",
};

void finding(struct findings *f, enum category c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (jarray_add_unique(f->facts, s) && c > CAT_SIMPLE && f->reasons) {
		json_array_append_new(f->reasons, json_pack("{s:s,s:s}",
			"category", cat_names[c], "fact", s));
		f->nreasons++;
	}
	free(s);
	if (c > f->cat)
		f->cat = c;
}

const char *const vma_fields_read[] = {
	"vm_start", "vm_end", "vm_pgoff", "vm_file", "vm_page_prot", "vm_mm", "vm_flags", NULL,
};

const char *const vma_fields_write[] = {
	"vm_pgoff", "vm_page_prot", "vm_ops", "vm_private_data", "vm_file", NULL,
};

const char *const calls_simple[] = {
	"vm_flags_set", "vm_flags_clear", "vm_flags_mod", "vm_flags_reset", "vma_pages",
	"vma_start_pgoff", "vma_set_anonymous", "generic_file_mmap", "generic_file_readonly_mmap",
	"vma_is_shared_maywrite", "is_cow_mapping", "vma_set_page_prot", NULL,
};

const char *const calls_remap[] = {
	"remap_pfn_range", "io_remap_pfn_range", "vm_iomap_memory", "remap_4k_pfn",
	"io_remap_pfn_range_wc", NULL,
};

const char *const calls_insert[] = {
	"vm_insert_page", "vm_insert_pages", "vm_map_pages", "vm_map_pages_zero",
	"remap_vmalloc_range", "remap_vmalloc_range_partial", "vmf_insert_pfn",
	"vmf_insert_mixed", "vm_insert_kernel_pages", "vmf_insert_pfn_prot", NULL,
};

const char *const calls_stacked[] = {
	"vfs_mmap", "call_mmap", "dma_buf_mmap", "can_mmap_file", NULL,
};

/* Resources: what takes, what releases, by kind. */
static const char *const take_lock[] = {
	"mutex_lock", "mutex_lock_interruptible", "mutex_lock_killable", "mutex_trylock",
	"spin_lock", "spin_lock_irq", "spin_lock_irqsave", "spin_lock_bh", "raw_spin_lock",
	"raw_spin_lock_irqsave", "down", "down_interruptible", "down_killable", "down_read",
	"down_write", "down_read_interruptible", "down_write_killable", "read_lock",
	"write_lock", "rcu_read_lock", "srcu_read_lock", "mmap_read_lock", "mmap_write_lock",
	"down_trylock", "down_read_trylock", "down_write_trylock", NULL,
};
static const char *const rel_lock[] = {
	"mutex_unlock", "spin_unlock", "spin_unlock_irq", "spin_unlock_irqrestore",
	"spin_unlock_bh", "raw_spin_unlock", "raw_spin_unlock_irqrestore", "up", "up_read",
	"up_write", "read_unlock", "write_unlock", "rcu_read_unlock", "srcu_read_unlock",
	"mmap_read_unlock", "mmap_write_unlock", NULL,
};
static const char *const take_ref[] = {
	"kref_get", "kref_get_unless_zero", "refcount_inc", "refcount_inc_not_zero",
	"atomic_inc", "atomic_inc_return", "atomic_inc_not_zero", "atomic_inc_unless_negative",
	"atomic64_inc", "atomic64_inc_return", "atomic64_inc_not_zero", "atomic_long_inc",
	"atomic_long_inc_return", "atomic_long_inc_not_zero", "try_module_get", "get_file", "get_device", "kobject_get",
	"pm_runtime_get_sync", "pm_runtime_resume_and_get", "pm_runtime_get",
	"get_page", "folio_get", "dma_buf_get", "fget", NULL,
};
static const char *const rel_ref[] = {
	"kref_put", "kref_put_mutex", "refcount_dec", "refcount_dec_and_test", "atomic_dec",
	"atomic_dec_and_test", "atomic_dec_return", "atomic64_dec", "atomic_long_dec",
	"module_put", "fput", "put_device", "kobject_put", "pm_runtime_put",
	"pm_runtime_put_sync", "pm_runtime_put_autosuspend", "put_page", "folio_put",
	"dma_buf_put", NULL,
};
static const char *const take_alloc[] = {
	"kmalloc", "kzalloc", "kcalloc", "kvmalloc", "kvzalloc", "kvcalloc", "vmalloc",
	"vzalloc", "vmalloc_user", "alloc_pages", "__get_free_pages", "get_zeroed_page",
	"__get_free_page", "idr_alloc", "xa_alloc", "kmemdup", "kmem_cache_alloc",
	"kmem_cache_zalloc", "dma_alloc_coherent", "alloc_page", NULL,
};
static const char *const rel_alloc[] = {
	"kfree", "kvfree", "vfree", "__free_pages", "free_pages", "free_page", "idr_remove",
	"xa_erase", "kmem_cache_free", "dma_free_coherent", "__free_page", NULL,
};
/* "get_" calls that compute, not take */
static const char *const not_state[] = {
	"get_order", "get_random_u32", "get_random_bytes", "get_user", "get_jiffies_64",
	"get_unmapped_area", "get_num_physpages", "get_current", "current", NULL,
};

/* kind of resource a call of the kernel's lists takes ("lock", "ref", "alloc") or NULL */
const char *resource_taken_listed(const char *s)
{
	if (str_in_list(s, take_lock))
		return "lock";
	if (str_in_list(s, take_ref))
		return "ref";
	if (str_in_list(s, take_alloc))
		return "alloc";
	return NULL;
}

const char *resource_released_listed(const char *s)
{
	if (str_in_list(s, rel_lock))
		return "lock";
	if (str_in_list(s, rel_ref))
		return "ref";
	if (str_in_list(s, rel_alloc))
		return "alloc";
	return NULL;
}

/*
 * kind of resource a call takes ("lock", "ref", "alloc") or NULL: the
 * lists, then the name's shape (foo_get, get_foo, foo_lock), which is only
 * a guess for a callee whose body cannot be read.
 */
const char *resource_taken(const char *s)
{
	if (resource_taken_listed(s))
		return resource_taken_listed(s);
	if (str_in_list(s, not_state) || strstr(s, "drvdata") || strstr(s, "_get_property"))
		return NULL;
	if (str_ends_with(s, "_lock") || str_ends_with(s, "_lock_irqsave") || str_ends_with(s, "_trylock") ||
	    str_ends_with(s, "_lock_nested") || str_ends_with(s, "_lock_interruptible_nested") ||
	    str_ends_with(s, "_lock_killable_nested"))
		return "lock";
	if (str_ends_with(s, "_get") || str_ends_with(s, "_get_sync") || str_ends_with(s, "_inc") ||
	    strstr(s, "_inc_unless") || strstr(s, "_inc_return") ||
	    str_ends_with(s, "_get_unless_zero") || str_ends_with(s, "_inc_not_zero") ||
	    !strncmp(s, "get_", 4))
		return "ref";
	if (strstr(s, "alloc") && !strstr(s, "free") && !strstr(s, "vmalloc_to") &&
	    !strstr(s, "remap_vmalloc") && !strstr(s, "is_vmalloc") && !strstr(s, "_addr"))
		return "alloc";
	return NULL;
}

const char *resource_released(const char *s)
{
	if (resource_released_listed(s))
		return resource_released_listed(s);
	if (str_ends_with(s, "_unlock") || str_ends_with(s, "_unlock_irqrestore"))
		return "lock";
	if (str_ends_with(s, "_put") || str_ends_with(s, "_dec") || !strncmp(s, "put_", 4))
		return "ref";
	if (str_ends_with(s, "_free") || !strncmp(s, "free_", 5))
		return "alloc";
	return NULL;
}

/*
 * The short list of calls whose bodies the analyzer may not see but that
 * change nothing a mapping depends on, each with its reason
 * (docs/categories.md, "Effects").
 */
static const struct allowed {
	const char *name;
	int prefix;
	const char *effect;	/* "pure" or "log" */
	const char *why;
} allowed[] = {
	{ "__compiletime_assert_", 1, "pure", "a compile-time check: code that builds never calls it" },
	{ "____wrong_branch_error", 0, "pure", "a compile-time check of a jump label: code that builds never calls it" },
	{ "debug_smp_processor_id", 0, "pure", "reads the CPU number (smp_processor_id() with CONFIG_DEBUG_PREEMPT)" },
	{ "__kasan_check_", 1, "pure", "KASAN instrumentation: checks an access, writes nothing the driver sees" },
	{ "kasan_check_", 1, "pure", "KASAN instrumentation" },
	{ "__kcsan_", 1, "pure", "KCSAN instrumentation" },
	{ "kcsan_", 1, "pure", "KCSAN instrumentation" },
	{ "__tsan_", 1, "pure", "compiler instrumentation" },
	{ "__asan_", 1, "pure", "compiler instrumentation" },
	{ "__msan_", 1, "pure", "compiler instrumentation" },
	{ "__ubsan_handle_", 1, "pure", "UBSAN's report of undefined behaviour" },
	{ "__sanitizer_cov_", 1, "pure", "coverage instrumentation" },
	{ "__might_sleep", 0, "pure", "a debug check of the calling context" },
	{ "__might_fault", 0, "pure", "a debug check of the calling context" },
	{ "__might_resched", 0, "pure", "a debug check of the calling context" },
	{ "get_current", 0, "pure", "reads the current task pointer" },
	{ "__phys_addr", 0, "pure", "translates a kernel address (CONFIG_DEBUG_VIRTUAL's out-of-line form)" },
	{ "__phys_addr_symbol", 0, "pure", "translates a kernel address" },
	{ "__virt_addr_valid", 0, "pure", "tests a kernel address" },
	{ "vmalloc_to_page", 0, "pure", "looks a page up in the kernel page tables" },
	{ "vmalloc_to_pfn", 0, "pure", "looks a page up in the kernel page tables" },
	{ "cachemode2protval", 0, "pure", "reads x86's cache mode table (pgprot_noncached() and friends)" },
	{ "is_nommu_shared_mapping", 0, "pure", "tests two flags of the value it is given (an inline of mm.h)" },
	{ "is_nommu_shared_vma_flags", 0, "pure", "tests two flags of the flags it is given (an inline of mm.h)" },
	{ "pgprot_writecombine", 0, "pure", "computes a page protection from another (an arch macro or function), writes nothing" },
	{ "pgprot_writethrough", 0, "pure", "computes a page protection from another (an arch macro or function), writes nothing" },
	{ "dump_stack", 0, "log", "writes a stack trace to the kernel log only (dynamic debug's +t flag)" },
	{ "dump_stack_lvl", 0, "log", "writes a stack trace to the kernel log only" },
	{ "_printk", 0, "log", "writes to the kernel log only" },
	{ "printk", 0, "log", "writes to the kernel log only" },
	{ "_dev_", 1, "log", "writes to the kernel log only" },
	{ "dev_printk_emit", 0, "log", "writes to the kernel log only" },
	{ "__dynamic_", 1, "log", "dynamic debug: writes to the kernel log only" },
	{ "__warn_printk", 0, "log", "writes to the kernel log only" },
	{ "__dev_printk", 0, "log", "writes to the kernel log only" },
	{ "arch_static_branch", 0, "pure", "a jump label: a branch patched at run time, writes nothing" },
	{ "arch_static_branch_jump", 0, "pure", "a jump label: a branch patched at run time, writes nothing" },
	{ NULL, 0, NULL, NULL },
};

/*
 * Macros as Coccinelle sees them, unexpanded (libclang judges what they
 * expand to): the short list of those that only log or compute a value.
 */
static const struct allowed unexpanded[] = {
	{ "pgprot_noncached", 1, "pure", "computes a page protection from another (an arch macro), writes nothing" },
	{ "pgprot_device", 0, "pure", "computes a page protection from another (an arch macro), writes nothing" },
	{ "pgprot_dmacoherent", 0, "pure", "computes a page protection from another (an arch macro), writes nothing" },
	{ "pr_emerg", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_alert", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_crit", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_err", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_warn", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_notice", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_info", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_debug", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_devel", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "pr_cont", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_emerg", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_alert", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_crit", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_err", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_warn", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_notice", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_info", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ "dev_dbg", 1, "log", "a printk.h or dev_printk.h logging macro: the kernel log only" },
	{ NULL, 0, NULL, NULL },
};

static const struct allowed *in_table(const struct allowed *a, const char *name)
{
	for (; a->name; a++)
		if (a->prefix ? !strncmp(name, a->name, strlen(a->name)) : !strcmp(name, a->name))
			return a;
	return NULL;
}

static const struct allowed *allowlisted(const char *name)
{
	return in_table(allowed, name);
}

/*
 * What a call Coccinelle found does, by its name: a macro on the
 * unexpanded list first, then as effect_by_name().
 */
const char *effect_by_unexpanded_name(const char *name, int visible, const char **why,
				      const char **kind)
{
	const struct allowed *a = in_table(unexpanded, name);

	if (a) {
		*why = a->why;
		*kind = NULL;
		return a->effect;
	}
	return effect_by_name(name, visible, why, kind);
}

/*
 * What a call does, by its name alone: "take" or "release" (with *kind),
 * "vma-edit", "mapping", "pure", "log" or "side-effect" (with *why), or
 * NULL when its name does not say: then its body decides.
 */
const char *effect_by_name(const char *name, int visible, const char **why, const char **kind)
{
	const struct allowed *a;

	*why = NULL;
	*kind = NULL;
	/* a body that can be read is judged by what it does, not by its name's shape */
	*kind = visible ? resource_taken_listed(name) : resource_taken(name);
	if (*kind)
		return "take";
	*kind = visible ? resource_released_listed(name) : resource_released(name);
	if (*kind)
		return "release";
	if (str_in_list(name, calls_simple))
		return "vma-edit";
	if (str_in_list(name, calls_remap) || str_in_list(name, calls_insert) ||
	    !strncmp(name, "dma_mmap_", 9))
		return "mapping";
	a = allowlisted(name);
	if (a) {
		*why = a->why;
		return a->effect;
	}
	if (!strncmp(name, "__atomic_", 9) || !strncmp(name, "__sync_", 7)) {
		*why = "an atomic operation";
		return "side-effect";
	}
	if (!strncmp(name, "__builtin_", 10)) {
		if (!strncmp(name + 10, "mem", 3) || strstr(name, "cpy") || strstr(name, "cat") ||
		    strstr(name, "set")) {
			*why = "a builtin that writes through a pointer";
			return "side-effect";
		}
		*why = "a compiler builtin that computes a value";
		return "pure";
	}
	return NULL;
}

/*
 * The library handlers F that the tree's headers give a twin
 * "F_prepare(struct vm_area_desc *)" (generic_file_mmap_prepare ...),
 * comma-separated.  A registration of F takes F_prepare (classify.c sets
 * the record's "twin"), and a "#define handler F" fallback is renamed to it
 * (mmap_prepare_simple.cocci).
 */
char *prepare_twins(const char *tree)
{
	char *fs = xasprintf("%s/include/linux/fs.h", tree);
	char *mm = xasprintf("%s/include/linux/mm.h", tree);
	const char *files[] = { fs, mm };
	char *out = xstrdup("");
	int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char *text = read_file(files[i], NULL);
		const char *p = text, *q;

		while (text && (p = strstr(p, "_prepare(struct vm_area_desc"))) {
			char *n;

			for (q = p; q > text && (isalnum((unsigned char)q[-1]) || q[-1] == '_'); q--)
				;
			n = xasprintf("%s%s%.*s", out, *out ? "," : "", (int)(p - q), q);
			free(out);
			out = n;
			p += 8;
		}
		free(text);
	}
	free(fs);
	free(mm);
	return out;
}

/* Is fn one of the comma-separated names of twins? */
int has_twin(const char *twins, const char *fn)
{
	size_t n = strlen(fn);
	const char *p;

	for (p = twins; p && (p = strstr(p, fn)); p += n)
		if ((p == twins || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}
