// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: a balanced get/put pair whose put macro also traces, in a do-while(0): judged on its expansion, not a conditional release
 * check-category: simple
 * check-output: macro-getput.mainline.expected
 * check-output-rfc: macro-getput.rfc.expected
 * check-coccicheck: mmapport-only the rule alone refuses any take; the analyzer pairs kref_get with the put in mg_put()
 * check-equivalence: mainline stated kref_get
 * check-equivalence: mainline stated mg_trace_done
 * check-fact: mg_mmap: [.analysis.releases[].call] == ["kref_put"]
 */
#include <linux/fs.h>
#include <linux/mm.h>

struct mg_obj { struct kref ref; int rc; };

void mg_trace_err(struct mg_obj *o);
void mg_trace_done(struct mg_obj *o);
void mg_release(struct kref *ref);

#define mg_put(o) do {						\
		kref_put(&(o)->ref, mg_release);		\
		if ((o)->rc)					\
			mg_trace_err(o);			\
		else						\
			mg_trace_done(o);			\
	} while (0)

static const struct vm_operations_struct mg_vm_ops;

static int mg_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mg_obj *o = file->private_data;

	kref_get(&o->ref);
	vma->vm_ops = &mg_vm_ops;
	mg_put(o);
	return 0;
}

static const struct file_operations mg_fops = {
	.mmap		= mg_mmap,
};
