/*
 * Macros Coccinelle 1.1 does not know, for cocci/facts.cocci: the
 * cleanup helpers are statements with a body (scoped_guard) or calls
 * whose callee is a call (guard), which it otherwise cannot parse.
 */
#define scoped_guard(_name, args...) YACFE_ITERATOR
#define scoped_cond_guard(_name, _fail, args...) YACFE_ITERATOR
