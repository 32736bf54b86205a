/* SPDX-License-Identifier: Apache-2.0 */
/* fc_resolve.c - from loaded items to checked rules: lists, macros and exceptions expanded
 * in Falco's order and visibility, then every rule type checked (fc_check.c).
 *
 * Falco's semantics, kept on purpose:
 *  - a list item naming a list defined earlier (by position, before the referring list's
 *    latest definition) is replaced by that list's items as written: one level, no more;
 *  - a macro sees the macros positioned before its latest definition; rules see them all;
 *  - conditions see every list;
 *  - exceptions become `(condition) and not (exception or ...)`.
 * Errors are reported for every rule, macro and list independently. */
#include "compiler/fc_rules.h"
#include "compiler/fc_check.h"
#include "compiler/fc_evtset.h"
#include "compiler/fc_unit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define FC_MAX_EXPANSION 100 /* nested macro expansions, as libsinsp caps recursion */

/* --- lists --------------------------------------------------------------------------------- */

static void fc_resolve_lists(struct fc_unit *u, struct fc_ruleset *rs)
{
	for (size_t i = 0; i < rs->nlists; i++) {
		struct fc_list *l = rs->lists[i];
		size_t n = 0, cap = l->nraw ? l->nraw : 1;
		struct fc_str *items = fc_arena_alloc(u, cap * sizeof(*items));
		for (size_t k = 0; k < l->nraw; k++) {
			struct fc_list *ref = fc_ruleset_list(rs, l->raw[k].s);
			size_t add = ref && ref->index < l->visibility ? ref->nraw : 1;
			if (n + add > cap) {
				while (n + add > cap)
					cap *= 2;
				struct fc_str *ni = fc_arena_alloc(u, cap * sizeof(*ni));
				memcpy(ni, items, n * sizeof(*ni));
				items = ni;
			}
			if (ref && ref->index < l->visibility) {
				ref->used = true;
				if (ref->nraw)
					memcpy(items + n, ref->raw, ref->nraw * sizeof(*items));
				n += ref->nraw;
			} else {
				items[n++] = l->raw[k];
			}
		}
		l->items = items;
		l->nitems = n;
	}
}

/* Replaces list names in list values by the lists' items. */
static void fc_expand_lists(struct fc_unit *u, struct fc_ruleset *rs, struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		fc_expand_lists(u, rs, n->bin.l);
		fc_expand_lists(u, rs, n->bin.r);
		return;
	case FC_NODE_NOT:
		fc_expand_lists(u, rs, n->operand);
		return;
	case FC_NODE_CHECK:
		break;
	default:
		return;
	}
	struct fc_value *v = n->check.rhs;
	if (!v)
		return;
	/* A bare value naming a one-item list is that item, as Falco 0.34 substitutes it
	 * (proc.name=cat_binaries with cat_binaries: [cat]). */
	if (v->kind == FC_VAL_SCALAR && !v->scalar.quoted) {
		struct fc_list *l = fc_ruleset_list(rs, v->scalar.s);
		if (l && l->nitems == 1) {
			l->used = true;
			struct fc_loc at = v->scalar.loc;
			v->scalar = l->items[0];
			v->scalar.loc = at;
			v->list = l->name;
		}
		return;
	}
	if (v->kind == FC_VAL_LISTREF) {
		struct fc_list *l = fc_ruleset_list(rs, v->scalar.s);
		if (!l)
			return;
		l->used = true;
		v->kind = FC_VAL_LIST;
		v->items = l->items;
		v->nitems = l->nitems;
		v->list = l->name;
		return;
	}
	if (v->kind != FC_VAL_LIST)
		return;
	size_t total = 0;
	bool any = false;
	for (size_t i = 0; i < v->nitems; i++) {
		struct fc_list *l = fc_ruleset_list(rs, v->items[i].s);
		total += l ? l->nitems : 1;
		any |= l != NULL;
	}
	if (!any)
		return;
	struct fc_str *items = fc_arena_alloc(u, (total ? total : 1) * sizeof(*items));
	size_t k = 0;
	for (size_t i = 0; i < v->nitems; i++) {
		struct fc_list *l = fc_ruleset_list(rs, v->items[i].s);
		if (l) {
			l->used = true;
			v->list = l->name;
			if (l->nitems)
				memcpy(items + k, l->items, l->nitems * sizeof(*items));
			k += l->nitems;
		} else {
			items[k++] = v->items[i];
		}
	}
	v->items = items;
	v->nitems = k;
}

/* --- macros -------------------------------------------------------------------------------- */

static struct fc_node *fc_parse_item_text(struct fc_unit *u, struct fc_text *t)
{
	return fc_parse_text(u, t->s, t->len, NULL, fc_text_loc, t);
}

/* Calls fn on every macro reference in n. */
static void fc_each_ident(struct fc_node *n, void (*fn)(struct fc_node *id, void *ctx), void *ctx)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		fc_each_ident(n->bin.l, fn, ctx);
		fc_each_ident(n->bin.r, fn, ctx);
		break;
	case FC_NODE_NOT:
		fc_each_ident(n->operand, fn, ctx);
		break;
	case FC_NODE_IDENT:
		fn(n, ctx);
		break;
	default:
		break;
	}
}

struct fc_macro_ref_ctx {
	struct fc_unit *u;
	struct fc_ruleset *rs;
	struct fc_macro *m;
};

static void fc_macro_check_ref(struct fc_node *id, void *vctx)
{
	struct fc_macro_ref_ctx *c = vctx;
	struct fc_macro *x = fc_ruleset_macro(c->rs, id->ident.name);
	if (x && x->index < c->m->visibility) {
		x->used = true;
		return;
	}
	struct fc_diag *d = fc_diag(c->u, &id->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-macro",
				    "Undefined macro '%s' used in filter.", id->ident.name);
	if (x == c->m)
		fc_diag_note(c->u, d, &x->loc, "a macro cannot refer to itself");
	else if (x)
		fc_diag_note(c->u, d, &x->loc,
			     "macro '%s' is defined after '%s'; a macro sees only the macros "
			     "defined before it",
			     x->name, c->m->name);
	c->m->failed = true;
}

/* Depth-first search for reference loops among macros; each loop is reported once, on the
 * macro it closes on. */
struct fc_loop_ctx {
	struct fc_unit *u;
	struct fc_ruleset *rs;
	struct fc_macro **stack;
	int depth;
};

static void fc_macro_dfs(struct fc_loop_ctx *c, struct fc_macro *m);

static void fc_macro_dfs_ref(struct fc_node *id, void *vctx)
{
	struct fc_loop_ctx *c = vctx;
	struct fc_macro *from = c->stack[c->depth - 1];
	struct fc_macro *x = fc_ruleset_macro(c->rs, id->ident.name);
	if (!x || x->index >= from->visibility)
		return;
	if (x->mark == 1) {
		if (x->failed)
			return;
		fc_diag_context(c->u, "macro", x->name);
		struct fc_diag *d = fc_diag(c->u, &x->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-loop",
					    "reference loop in macro '%s'", x->name);
		int k = c->depth - 1;
		while (k > 0 && c->stack[k] != x)
			k--;
		for (int i = k; i < c->depth; i++) {
			c->stack[i]->failed = true;
			if (i + 1 < c->depth)
				fc_diag_note(c->u, d, &c->stack[i + 1]->loc, "'%s' uses '%s'",
					     c->stack[i]->name, c->stack[i + 1]->name);
		}
		fc_diag_note(c->u, d, &id->loc, "'%s' uses '%s' again", from->name, x->name);
		return;
	}
	if (x->mark == 0)
		fc_macro_dfs(c, x);
}

static void fc_macro_dfs(struct fc_loop_ctx *c, struct fc_macro *m)
{
	m->mark = 1;
	c->stack[c->depth++] = m;
	if (m->ast)
		fc_each_ident(m->ast, fc_macro_dfs_ref, c);
	c->depth--;
	m->mark = 2;
}

static void fc_resolve_macros(struct fc_unit *u, struct fc_ruleset *rs)
{
	for (size_t i = 0; i < rs->nmacros; i++) {
		struct fc_macro *m = rs->macros[i];
		fc_diag_context(u, "macro", m->name);
		m->ast = fc_parse_item_text(u, &m->cond);
		if (!m->ast) {
			m->failed = true;
			continue;
		}
		fc_expand_lists(u, rs, m->ast);
		struct fc_macro_ref_ctx c = { u, rs, m };
		fc_each_ident(m->ast, fc_macro_check_ref, &c);
	}
	struct fc_loop_ctx lc = { u, rs, NULL, 0 };
	lc.stack = malloc((rs->nmacros + 1) * sizeof(*lc.stack));
	if (!lc.stack)
		abort();
	for (size_t i = 0; i < rs->nmacros; i++)
		if (rs->macros[i]->mark == 0)
			fc_macro_dfs(&lc, rs->macros[i]);
	free(lc.stack);
}

/* Marks the nodes of a macro body that no deeper macro claimed as coming from m, used at
 * use. Recursion is bounded by the body's height. */
static void fc_mark_from_macro(struct fc_node *x, const char *m, const struct fc_loc *use)
{
	if (!x->from_macro) {
		x->from_macro = m;
		x->from_loc = *use;
	}
	if (x->kind == FC_NODE_AND || x->kind == FC_NODE_OR) {
		fc_mark_from_macro(x->bin.l, m, use);
		fc_mark_from_macro(x->bin.r, m, use);
	} else if (x->kind == FC_NODE_NOT) {
		fc_mark_from_macro(x->operand, m, use);
	}
}

/* Replaces macro references in a rule's condition by copies of the macros' bodies. Returns
 * the new tree, with heights updated; *bad is set when a reference could not be expanded.
 * level is the depth of n in the final tree: past FC_MAX_HEIGHT expansion stops with an
 * error, which bounds this recursion and every later pass over the tree. */
static struct fc_node *fc_expand_macros(struct fc_unit *u, struct fc_ruleset *rs,
					struct fc_node *n, int depth, unsigned level, bool *bad)
{
	if (level > FC_MAX_HEIGHT) {
		if (!*bad)
			fc_diag(u, &n->loc, FC_ERROR, FC_LOAD_ERR_COMPILE_CONDITION, "E-syntax",
				"condition nests more than %d levels of and/or/not once macros are "
				"expanded",
				FC_MAX_HEIGHT);
		*bad = true;
		return fc_ast_poison(u, &n->loc);
	}
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		n->bin.l = fc_expand_macros(u, rs, n->bin.l, depth, level + 1, bad);
		n->bin.r = fc_expand_macros(u, rs, n->bin.r, depth, level + 1, bad);
		n->height = 1 + (n->bin.l->height > n->bin.r->height ? n->bin.l->height
								   : n->bin.r->height);
		return n;
	case FC_NODE_NOT:
		n->operand = fc_expand_macros(u, rs, n->operand, depth, level + 1, bad);
		n->height = 1 + n->operand->height;
		return n;
	case FC_NODE_IDENT:
		break;
	default:
		return n;
	}
	struct fc_macro *m = fc_ruleset_macro(rs, n->ident.name);
	if (!m) {
		if (!n->from_macro)
			fc_diag(u, &n->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-macro",
				"Undefined macro '%s' used in filter.", n->ident.name);
		*bad = true;
		return fc_ast_poison(u, &n->loc);
	}
	m->used = true;
	if (m->failed || !m->ast || depth > FC_MAX_EXPANSION) {
		*bad = true;
		return fc_ast_poison(u, &n->loc);
	}
	struct fc_node *body = fc_ast_clone(u, m->ast);
	body = fc_expand_macros(u, rs, body, depth + 1, level, bad);
	fc_mark_from_macro(body, m->name, n->from_macro ? &n->from_loc : &n->loc);
	return body;
}

/* --- exceptions ---------------------------------------------------------------------------- */

static const struct fc_ynode *fc_seq_at(const struct fc_ynode *n, size_t i)
{
	return n && n->kind == FC_Y_SEQ && i < n->seq.n ? n->seq.items[i] : NULL;
}

static size_t fc_seq_len(const struct fc_ynode *n)
{
	return n && n->kind == FC_Y_SEQ ? n->seq.n : (n ? 1 : 0);
}

static bool fc_op_lookup(const char *s, enum fc_op *op)
{
	for (int i = 0; i < FC_OP_COUNT; i++)
		if (strcmp(fc_op_name((enum fc_op)i), s) == 0) {
			*op = (enum fc_op)i;
			return true;
		}
	return false;
}

static struct fc_str fc_str_of(const struct fc_ynode *n)
{
	struct fc_str s = { 0 };
	if (n && n->kind == FC_Y_SCALAR) {
		s.s = n->scalar.s;
		s.len = n->scalar.len;
		s.quoted = n->scalar.style != FC_YS_PLAIN;
		s.loc = n->loc;
		/* '"cat /dev/null"': Falco pastes exception values into condition text, so
		 * quotes inside the YAML string delimit the value. */
		if (s.len >= 2 && (s.s[0] == '"' || s.s[0] == '\'') && s.s[s.len - 1] == s.s[0]) {
			s.s = s.s + 1;
			s.len -= 2;
			s.quoted = true;
		}
	} else {
		s.s = "";
		if (n)
			s.loc = n->loc;
	}
	return s;
}

/* A value written as a list, "(a, b)" or "(some_list)": Falco pastes it into the condition
 * as a list literal, so its items are split at commas; list names among them are expanded
 * with the rest of the condition. */
static struct fc_value *fc_exception_paren_list(struct fc_unit *u, const struct fc_ynode *v,
						const struct fc_str *s)
{
	struct fc_value *val = fc_ast_value(u, FC_VAL_LIST, &v->loc);
	size_t cap = 1;
	for (size_t i = 0; i < s->len; i++)
		cap += s->s[i] == ',';
	val->items = fc_arena_alloc(u, cap * sizeof(*val->items));
	const char *p = s->s + 1, *end = s->s + s->len - 1;
	while (p < end) {
		const char *e = p;
		while (e < end && *e != ',')
			e++;
		const char *a = p, *b = e;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a) {
			struct fc_str it = { .loc = v->loc };
			if (b - a >= 2 && (*a == '"' || *a == '\'') && b[-1] == *a) {
				a++;
				b--;
				it.quoted = true;
			}
			it.s = fc_arena_strndup(u, a, (size_t)(b - a));
			it.len = (size_t)(b - a);
			val->items[val->nitems++] = it;
		}
		p = e + 1;
	}
	return val;
}

/* The right side of one exception comparison: a YAML sequence is a list, a name of a list is
 * that list, anything else one value (a one-item list for list operators). */
static struct fc_value *fc_exception_value(struct fc_unit *u, struct fc_ruleset *rs,
					   const struct fc_ynode *v, enum fc_op op)
{
	struct fc_value *val;
	if (v->kind == FC_Y_SEQ) {
		val = fc_ast_value(u, FC_VAL_LIST, &v->loc);
		val->items = fc_arena_alloc(u, (v->seq.n ? v->seq.n : 1) * sizeof(*val->items));
		for (size_t i = 0; i < v->seq.n; i++)
			val->items[val->nitems++] = fc_str_of(v->seq.items[i]);
		return val;
	}
	struct fc_str s = fc_str_of(v);
	if ((fc_op_flags(op) & FC_OPF_LIST) && !s.quoted && s.len >= 2 && s.s[0] == '(' &&
	    s.s[s.len - 1] == ')')
		return fc_exception_paren_list(u, v, &s);
	if (fc_op_flags(op) & FC_OPF_LIST) {
		if (fc_ruleset_list(rs, s.s)) {
			val = fc_ast_value(u, FC_VAL_LISTREF, &v->loc);
			val->scalar = s;
			return val;
		}
		val = fc_ast_value(u, FC_VAL_LIST, &v->loc);
		val->items = fc_arena_alloc(u, sizeof(*val->items));
		val->items[0] = s;
		val->nitems = 1;
		return val;
	}
	val = fc_ast_value(u, FC_VAL_SCALAR, &v->loc);
	val->scalar = s;
	return val;
}

/* Builds `not (tuple or tuple ...)` for one exception, or NULL when it has no values or is
 * invalid (reported in the "exception" item context). */
static struct fc_node *fc_exception_build(struct fc_unit *u, struct fc_ruleset *rs,
					  struct fc_rule *r, struct fc_exception *x, bool *bad)
{
	fc_diag_context(u, "exception", x->name);
	bool single = x->fields->kind == FC_Y_SCALAR;
	size_t nf = fc_seq_len(x->fields);
	if (!single && x->fields->kind != FC_Y_SEQ) {
		fc_diag(u, &x->fields->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-exception",
			"Rule exception fields must be a field name or a list of field names");
		*bad = true;
		return NULL;
	}
	if (x->comps && (single ? x->comps->kind != FC_Y_SCALAR : x->comps->kind != FC_Y_SEQ)) {
		fc_diag(u, &x->comps->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-exception",
			single ? "With a single field, comps must be a single operator"
			       : "With a list of fields, comps must be a list of operators");
		*bad = true;
		return NULL;
	}
	if (x->comps && fc_seq_len(x->comps) != nf) {
		fc_diag(u, &x->comps->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-exception",
			"Fields and comps lists must have equal length");
		*bad = true;
		return NULL;
	}
	struct fc_expr **fields = fc_arena_alloc(u, (nf ? nf : 1) * sizeof(*fields));
	enum fc_op *ops = fc_arena_alloc(u, (nf ? nf : 1) * sizeof(*ops));
	bool ok = true;
	for (size_t i = 0; i < nf; i++) {
		const struct fc_ynode *f = single ? x->fields : fc_seq_at(x->fields, i);
		struct fc_str fs = fc_str_of(f);
		fields[i] = fc_expr_from_text(u, fs.s, fs.len, &fs.loc);
		bool unknown = false;
		if (!fields[i] || !fc_check_expr(u, fields[i], r->src, false, false, &unknown)) {
			if (unknown || !fields[i])
				fc_diag(u, &fs.loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-exception",
					"'%s' is not a supported filter field", fs.s);
			ok = false;
			continue;
		}
		const struct fc_ynode *c = single ? x->comps : fc_seq_at(x->comps, i);
		const char *cs = c ? fc_str_of(c).s : (single ? "in" : "=");
		if (!fc_op_lookup(cs, &ops[i]) || ops[i] == FC_OP_EXISTS) {
			fc_diag(u, &c->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-exception",
				"'%s' is not a supported comparison operator", cs);
			ok = false;
		}
	}
	if (!ok) {
		*bad = true;
		return NULL;
	}
	struct fc_node *any = NULL;
	if (single) {
		/* fields: f, comps: op, values: [a, b] -> f op (a, b) */
		if (!x->nvalues)
			return NULL;
		struct fc_value *val = fc_ast_value(u, FC_VAL_LIST, &x->loc);
		val->items = fc_arena_alloc(u, x->nvalues * sizeof(*val->items));
		for (size_t k = 0; k < x->nvalues; k++) {
			const struct fc_ynode *v = x->values[k];
			if (v->kind != FC_Y_SCALAR) {
				fc_diag(u, &v->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-exception",
					"With a single field, each value must be a single string");
				*bad = true;
				return NULL;
			}
			val->items[val->nitems++] = fc_str_of(v);
		}
		if (!(fc_op_flags(ops[0]) & FC_OPF_LIST)) {
			fc_diag(u, &x->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-exception",
				"With a single field, comps must be a list operator (in, "
				"intersects, pmatch), not '%s'",
				fc_op_name(ops[0]));
			*bad = true;
			return NULL;
		}
		any = fc_ast_check(u, fields[0], ops[0], &x->loc, FC_MOD_NONE, val, &x->loc);
		any->from_macro = NULL;
	} else {
		for (size_t k = 0; k < x->nvalues; k++) {
			const struct fc_ynode *tuple = x->values[k];
			if (tuple->kind != FC_Y_SEQ || tuple->seq.n != nf) {
				fc_diag(u, &tuple->loc, FC_ERROR, FC_LOAD_ERR_VALIDATE,
					"E-exception", "Fields and values lists must have equal length");
				*bad = true;
				return NULL;
			}
			struct fc_node *all = NULL;
			for (size_t i = 0; i < nf; i++) {
				const struct fc_ynode *v = tuple->seq.items[i];
				struct fc_expr *f = fc_arena_alloc(u, sizeof(*f));
				*f = *fields[i];
				struct fc_node *c = fc_ast_check(u, f, ops[i], &v->loc, FC_MOD_NONE,
								 fc_exception_value(u, rs, v, ops[i]),
								 &v->loc);
				all = all ? fc_ast_binop(u, FC_NODE_AND, all, c, &v->loc) : c;
			}
			any = any ? fc_ast_binop(u, FC_NODE_OR, any, all, &tuple->loc) : all;
		}
	}
	return any ? fc_ast_not(u, any, &x->loc) : NULL;
}

/* --- rules --------------------------------------------------------------------------------- */

/* Marks every macro and list whose name appears as a word in t as used. */
static void fc_mark_names_used(struct fc_ruleset *rs, const struct fc_text *t)
{
	const char *s = t->s, *end = t->s + t->len;
	while (s < end) {
		while (s < end && !isalnum((unsigned char)*s) && *s != '_')
			s++;
		const char *w = s;
		while (s < end && (isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-'))
			s++;
		if (s == w)
			continue;
		char name[256];
		size_t n = (size_t)(s - w) < sizeof(name) - 1 ? (size_t)(s - w) : sizeof(name) - 1;
		memcpy(name, w, n);
		name[n] = '\0';
		struct fc_macro *m = fc_ruleset_macro(rs, name);
		if (m && !m->used) {
			m->used = true; /* before recursing: a macro naming itself stops here */
			fc_mark_names_used(rs, &m->cond);
		}
		struct fc_list *l = fc_ruleset_list(rs, name);
		if (l)
			l->used = true;
	}
}

static void fc_resolve_rule(struct fc_unit *u, struct fc_ruleset *rs, struct fc_rule *r)
{
	fc_diag_context(u, "rule", r->name);
	if (r->src < 0) {
		/* Not checked, as in Falco; but the macros and lists it names count as used. */
		fc_mark_names_used(rs, &r->cond);
		r->skipped = true;
		return;
	}
	struct fc_node *ast = fc_parse_item_text(u, &r->cond);
	bool bad = !ast;
	struct fc_node *exc = NULL;
	for (size_t i = 0; i < r->nexceptions; i++) {
		struct fc_node *x = fc_exception_build(u, rs, r, &r->exceptions[i], &bad);
		if (x)
			exc = exc ? fc_ast_binop(u, FC_NODE_AND, exc, x, &x->loc) : x;
	}
	fc_diag_context(u, "rule", r->name);
	if (!ast)
		return;
	/* A bad exception does not stop the condition and output from being checked: every
	 * independent error is reported. */
	bool bad_exc = bad;
	bad = false;
	fc_expand_lists(u, rs, ast);
	ast = fc_expand_macros(u, rs, ast, 0, 1, &bad);
	if (exc) {
		fc_expand_lists(u, rs, exc);
		ast = fc_ast_binop(u, FC_NODE_AND, ast, exc, &ast->loc);
	}
	struct fc_check_result cr = fc_check_condition(u, ast, r->src, r->skip_if_unknown_filter);
	if (cr.unknown && r->skip_if_unknown_filter) {
		fc_diag(u, cr.unknown_loc.src ? &cr.unknown_loc : &r->loc, FC_WARNING,
			FC_LOAD_UNKNOWN_FIELD, "LOAD_UNKNOWN_FIELD",
			"rule '%s' skipped: it uses '%s', which this engine does not know "
			"(skip-if-unknown-filter: true)",
			r->name, cr.unknown_name ? cr.unknown_name : "?");
		r->skipped = true;
		return;
	}
	bool unknown = false;
	if (!fc_output_parse(u, r->output.s, r->output.len, fc_text_loc, &r->output, r->src,
			     r->skip_if_unknown_filter, &unknown, &r->parts, &r->nparts)) {
		if (unknown && r->skip_if_unknown_filter) {
			fc_diag(u, &r->loc, FC_WARNING, FC_LOAD_UNKNOWN_FIELD, "LOAD_UNKNOWN_FIELD",
				"rule '%s' has an output field this engine does not know; skipped "
				"because of skip-if-unknown-filter",
				r->name);
			r->skipped = true;
		}
		return;
	}
	if (cr.errors || bad || bad_exc)
		return;
	r->ast = ast;
	r->valid = true;
	if (r->src == FC_SRC_SYSCALL && r->warn_evttypes) {
		struct fc_evtset t, f;
		fc_evtset_of(ast, &t, &f);
		unsigned n = fc_evtset_count(&t);
		if (n == 0 || n > 100)
			fc_diag(u, &r->loc, FC_WARNING, FC_LOAD_NO_EVTTYPE, "LOAD_NO_EVTTYPE",
				"Rule matches too many evt.type values. This has a significant "
				"performance penalty.");
	}
}

void fc_rules_resolve(struct fc_unit *u, struct fc_ruleset *rs)
{
	fc_resolve_lists(u, rs);
	fc_resolve_macros(u, rs);
	for (size_t i = 0; i < rs->nrules; i++)
		fc_resolve_rule(u, rs, rs->rules[i]);
	for (size_t i = 0; i < rs->nmacros; i++) {
		struct fc_macro *m = rs->macros[i];
		if (m->used)
			continue;
		fc_diag_context(u, "macro", m->name);
		fc_diag(u, &m->loc, FC_WARNING, FC_LOAD_UNUSED_MACRO, "LOAD_UNUSED_MACRO",
			"Macro not referred to by any other rule/macro");
	}
	for (size_t i = 0; i < rs->nlists; i++) {
		struct fc_list *l = rs->lists[i];
		if (l->used)
			continue;
		fc_diag_context(u, "list", l->name);
		fc_diag(u, &l->loc, FC_WARNING, FC_LOAD_UNUSED_LIST, "LOAD_UNUSED_LIST",
			"List not referred to by any other rule/macro");
	}
}
