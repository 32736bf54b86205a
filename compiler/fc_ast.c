/* SPDX-License-Identifier: Apache-2.0 */
/* fc_ast.c - AST constructors, deep copy, equality, and two printers: an S-expression for
 * tests and golden files, and the condition language itself (parse(unparse(x)) == x).
 * No checking here: that is fc_check.c. */
#include "compiler/fc_ast.h"
#include "compiler/fc_unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned flags;
} fc_ops[FC_OP_COUNT] = {
#define FC_OP(e, s, f) { s, f },
#include "compiler/fc_ops.def"
#undef FC_OP
};

const char *fc_op_name(enum fc_op op)
{
	return op < FC_OP_COUNT ? fc_ops[op].name : "?";
}

unsigned fc_op_flags(enum fc_op op)
{
	return op < FC_OP_COUNT ? fc_ops[op].flags : 0;
}

const char *fc_mod_name(enum fc_mod m)
{
	switch (m) {
	case FC_MOD_ONEOF:
		return "oneof";
	case FC_MOD_ANYOF:
		return "anyof";
	case FC_MOD_ALLOF:
		return "allof";
	default:
		return "";
	}
}

static struct fc_node *fc_node_new(struct fc_unit *u, enum fc_node_kind k,
				   const struct fc_loc *loc)
{
	struct fc_node *n = fc_arena_alloc(u, sizeof(*n));
	n->kind = k;
	n->height = 1;
	if (loc)
		n->loc = *loc;
	return n;
}

struct fc_node *fc_ast_binop(struct fc_unit *u, enum fc_node_kind k, struct fc_node *l,
			     struct fc_node *r, const struct fc_loc *loc)
{
	struct fc_node *n = fc_node_new(u, k, loc);
	n->bin.l = l;
	n->bin.r = r;
	n->height = 1 + (l->height > r->height ? l->height : r->height);
	return n;
}

struct fc_node *fc_ast_not(struct fc_unit *u, struct fc_node *operand, const struct fc_loc *loc)
{
	struct fc_node *n = fc_node_new(u, FC_NODE_NOT, loc);
	n->operand = operand;
	n->height = 1 + operand->height;
	return n;
}

struct fc_node *fc_ast_check(struct fc_unit *u, struct fc_expr *lhs, enum fc_op op,
			     const struct fc_loc *op_loc, enum fc_mod mod, struct fc_value *rhs,
			     const struct fc_loc *loc)
{
	struct fc_node *n = fc_node_new(u, FC_NODE_CHECK, loc);
	n->check.lhs = lhs;
	n->check.op = op;
	if (op_loc)
		n->check.op_loc = *op_loc;
	n->check.mod = mod;
	n->check.rhs = rhs;
	return n;
}

struct fc_node *fc_ast_ident(struct fc_unit *u, const char *name, const struct fc_loc *loc)
{
	struct fc_node *n = fc_node_new(u, FC_NODE_IDENT, loc);
	n->ident.name = name;
	return n;
}

struct fc_node *fc_ast_bool(struct fc_unit *u, bool v, const struct fc_loc *loc)
{
	struct fc_node *n = fc_node_new(u, FC_NODE_BOOL, loc);
	n->value = v;
	return n;
}

struct fc_node *fc_ast_poison(struct fc_unit *u, const struct fc_loc *loc)
{
	return fc_node_new(u, FC_NODE_POISON, loc);
}

struct fc_expr *fc_ast_field(struct fc_unit *u, const char *name, size_t len, struct fc_str *arg,
			     const struct fc_loc *loc)
{
	struct fc_expr *e = fc_arena_alloc(u, sizeof(*e));
	e->kind = FC_EXPR_FIELD;
	if (loc)
		e->loc = *loc;
	e->field.name = fc_intern_n(u, name, len);
	e->field.arg = arg;
	e->type = FC_T_POISON;
	return e;
}

struct fc_expr *fc_ast_transform(struct fc_unit *u, const char *name, struct fc_expr **args,
				 int nargs, const struct fc_loc *loc)
{
	struct fc_expr *e = fc_arena_alloc(u, sizeof(*e));
	e->kind = FC_EXPR_TRANSFORM;
	if (loc)
		e->loc = *loc;
	e->xf.name = name;
	e->xf.args = args;
	e->xf.nargs = nargs;
	e->type = FC_T_POISON;
	return e;
}

struct fc_value *fc_ast_value(struct fc_unit *u, enum fc_value_kind k, const struct fc_loc *loc)
{
	struct fc_value *v = fc_arena_alloc(u, sizeof(*v));
	v->kind = k;
	if (loc)
		v->loc = *loc;
	return v;
}

static struct fc_expr *fc_expr_clone(struct fc_unit *u, const struct fc_expr *e)
{
	if (!e)
		return NULL;
	struct fc_expr *c = fc_arena_alloc(u, sizeof(*c));
	*c = *e;
	if (e->kind == FC_EXPR_TRANSFORM && e->xf.nargs) {
		c->xf.args = fc_arena_alloc(u, (size_t)e->xf.nargs * sizeof(*c->xf.args));
		for (int i = 0; i < e->xf.nargs; i++)
			c->xf.args[i] = fc_expr_clone(u, e->xf.args[i]);
	}
	return c;
}

static struct fc_value *fc_value_clone(struct fc_unit *u, const struct fc_value *v)
{
	if (!v)
		return NULL;
	struct fc_value *c = fc_arena_alloc(u, sizeof(*c));
	*c = *v;
	if (v->nitems) {
		c->items = fc_arena_alloc(u, v->nitems * sizeof(*c->items));
		memcpy(c->items, v->items, v->nitems * sizeof(*c->items));
	}
	c->expr = fc_expr_clone(u, v->expr);
	return c;
}

struct fc_node *fc_ast_clone(struct fc_unit *u, const struct fc_node *n)
{
	if (!n)
		return NULL;
	struct fc_node *c = fc_arena_alloc(u, sizeof(*c));
	*c = *n;
	c->orig = n->orig ? n->orig : (struct fc_node *)n;
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		c->bin.l = fc_ast_clone(u, n->bin.l);
		c->bin.r = fc_ast_clone(u, n->bin.r);
		break;
	case FC_NODE_NOT:
		c->operand = fc_ast_clone(u, n->operand);
		break;
	case FC_NODE_CHECK:
		c->check.lhs = fc_expr_clone(u, n->check.lhs);
		c->check.rhs = fc_value_clone(u, n->check.rhs);
		break;
	default:
		break;
	}
	return c;
}

/* --- equality ------------------------------------------------------------------------------ */

static bool fc_str_equal(const struct fc_str *a, const struct fc_str *b)
{
	return a->len == b->len && a->quoted == b->quoted && memcmp(a->s, b->s, a->len) == 0;
}

static bool fc_expr_equal(const struct fc_expr *a, const struct fc_expr *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case FC_EXPR_FIELD:
		if (strcmp(a->field.name, b->field.name) != 0)
			return false;
		if (!a->field.arg || !b->field.arg)
			return a->field.arg == b->field.arg;
		return fc_str_equal(a->field.arg, b->field.arg);
	case FC_EXPR_TRANSFORM:
		if (strcmp(a->xf.name, b->xf.name) != 0 || a->xf.nargs != b->xf.nargs)
			return false;
		for (int i = 0; i < a->xf.nargs; i++)
			if (!fc_expr_equal(a->xf.args[i], b->xf.args[i]))
				return false;
		return true;
	case FC_EXPR_LITERAL:
		return fc_str_equal(&a->lit, &b->lit);
	}
	return false;
}

static bool fc_value_equal(const struct fc_value *a, const struct fc_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case FC_VAL_NONE:
		return true;
	case FC_VAL_SCALAR:
	case FC_VAL_LISTREF:
		return fc_str_equal(&a->scalar, &b->scalar);
	case FC_VAL_LIST:
		if (a->nitems != b->nitems)
			return false;
		for (size_t i = 0; i < a->nitems; i++)
			if (!fc_str_equal(&a->items[i], &b->items[i]))
				return false;
		return true;
	case FC_VAL_EXPR:
		return fc_expr_equal(a->expr, b->expr);
	}
	return false;
}

bool fc_ast_equal(const struct fc_node *a, const struct fc_node *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		return fc_ast_equal(a->bin.l, b->bin.l) && fc_ast_equal(a->bin.r, b->bin.r);
	case FC_NODE_NOT:
		return fc_ast_equal(a->operand, b->operand);
	case FC_NODE_CHECK:
		return a->check.op == b->check.op && a->check.mod == b->check.mod &&
		       fc_expr_equal(a->check.lhs, b->check.lhs) &&
		       fc_value_equal(a->check.rhs, b->check.rhs);
	case FC_NODE_IDENT:
		return strcmp(a->ident.name, b->ident.name) == 0;
	case FC_NODE_BOOL:
		return a->value == b->value;
	case FC_NODE_POISON:
		return true;
	}
	return false;
}

/* --- printers ------------------------------------------------------------------------------ */

/* A growable buffer on the heap, copied into the arena when done. */
struct fc_buf {
	char *p;
	size_t len, cap;
};

static void fc_buf_add(struct fc_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			abort();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void fc_buf_puts(struct fc_buf *b, const char *s)
{
	fc_buf_add(b, s, strlen(s));
}

static const char *fc_buf_done(struct fc_unit *u, struct fc_buf *b)
{
	const char *s = fc_arena_strndup(u, b->p ? b->p : "", b->len);
	free(b->p);
	return s;
}

/* A value written bare was a single bare word, so it can be printed back as one. */
static bool fc_str_needs_quotes(const struct fc_str *s)
{
	return s->quoted || s->len == 0;
}

static void fc_buf_str(struct fc_buf *b, const struct fc_str *s)
{
	if (!fc_str_needs_quotes(s)) {
		fc_buf_add(b, s->s, s->len);
		return;
	}
	fc_buf_add(b, "\"", 1);
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->s[i];
		char esc[8];
		switch (c) {
		case '"':
			fc_buf_puts(b, "\\\"");
			break;
		case '\\':
			fc_buf_puts(b, "\\\\");
			break;
		case '\n':
			fc_buf_puts(b, "\\n");
			break;
		case '\t':
			fc_buf_puts(b, "\\t");
			break;
		case '\r':
			fc_buf_puts(b, "\\r");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				fc_buf_puts(b, esc);
			} else {
				fc_buf_add(b, (const char *)&c, 1);
			}
		}
	}
	fc_buf_add(b, "\"", 1);
}

static void fc_buf_expr(struct fc_buf *b, const struct fc_expr *e, bool sexpr)
{
	switch (e->kind) {
	case FC_EXPR_FIELD:
		fc_buf_puts(b, e->field.name);
		if (e->field.arg) {
			fc_buf_add(b, "[", 1);
			fc_buf_str(b, e->field.arg);
			fc_buf_add(b, "]", 1);
		}
		break;
	case FC_EXPR_TRANSFORM:
		if (sexpr) {
			fc_buf_add(b, "(", 1);
			fc_buf_puts(b, e->xf.name);
		} else {
			fc_buf_puts(b, e->xf.name);
			fc_buf_add(b, "(", 1);
		}
		for (int i = 0; i < e->xf.nargs; i++) {
			if (sexpr || i > 0)
				fc_buf_puts(b, sexpr ? " " : ", ");
			fc_buf_expr(b, e->xf.args[i], sexpr);
		}
		fc_buf_add(b, ")", 1);
		break;
	case FC_EXPR_LITERAL: {
		struct fc_str s = e->lit;
		s.quoted = true;
		fc_buf_str(b, &s);
		break;
	}
	}
}

static void fc_buf_value(struct fc_buf *b, const struct fc_value *v, bool sexpr)
{
	switch (v->kind) {
	case FC_VAL_NONE:
		break;
	case FC_VAL_SCALAR:
		fc_buf_str(b, &v->scalar);
		break;
	case FC_VAL_LISTREF:
		if (sexpr)
			fc_buf_add(b, "$", 1);
		fc_buf_add(b, v->scalar.s, v->scalar.len);
		break;
	case FC_VAL_LIST:
		fc_buf_add(b, "(", 1);
		for (size_t i = 0; i < v->nitems; i++) {
			if (i)
				fc_buf_puts(b, sexpr ? " " : ", ");
			fc_buf_str(b, &v->items[i]);
		}
		fc_buf_add(b, ")", 1);
		break;
	case FC_VAL_EXPR:
		fc_buf_expr(b, v->expr, sexpr);
		break;
	}
}

static void fc_buf_sexpr(struct fc_buf *b, const struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		fc_buf_puts(b, n->kind == FC_NODE_AND ? "(and " : "(or ");
		fc_buf_sexpr(b, n->bin.l);
		fc_buf_add(b, " ", 1);
		fc_buf_sexpr(b, n->bin.r);
		fc_buf_add(b, ")", 1);
		break;
	case FC_NODE_NOT:
		fc_buf_puts(b, "(not ");
		fc_buf_sexpr(b, n->operand);
		fc_buf_add(b, ")", 1);
		break;
	case FC_NODE_CHECK:
		fc_buf_add(b, "(", 1);
		fc_buf_puts(b, fc_op_name(n->check.op));
		if (n->check.mod) {
			fc_buf_add(b, ":", 1);
			fc_buf_puts(b, fc_mod_name(n->check.mod));
		}
		fc_buf_add(b, " ", 1);
		fc_buf_expr(b, n->check.lhs, true);
		if (n->check.rhs && n->check.rhs->kind != FC_VAL_NONE) {
			fc_buf_add(b, " ", 1);
			fc_buf_value(b, n->check.rhs, true);
		}
		fc_buf_add(b, ")", 1);
		break;
	case FC_NODE_IDENT:
		fc_buf_puts(b, n->ident.name);
		break;
	case FC_NODE_BOOL:
		fc_buf_puts(b, n->value ? "#true" : "#false");
		break;
	case FC_NODE_POISON:
		fc_buf_puts(b, "#poison");
		break;
	}
}

const char *fc_ast_sexpr(struct fc_unit *u, const struct fc_node *n)
{
	struct fc_buf b = { 0 };
	if (n)
		fc_buf_sexpr(&b, n);
	return fc_buf_done(u, &b);
}

/* Prints n; a child is parenthesized when the grammar would otherwise group it differently:
 * 'or' under 'and' or 'not', a right operand of its own kind (the grammar is
 * left-associative), any binary operand of 'not'. */
static void fc_buf_unparse(struct fc_buf *b, const struct fc_node *n);

static void fc_buf_child(struct fc_buf *b, const struct fc_node *parent,
			 const struct fc_node *c, bool right)
{
	bool paren = false;
	if (c->kind == FC_NODE_AND || c->kind == FC_NODE_OR) {
		if (parent->kind == FC_NODE_NOT)
			paren = true;
		else if (parent->kind == FC_NODE_AND && c->kind == FC_NODE_OR)
			paren = true;
		else if (parent->kind == c->kind && right)
			paren = true;
		else if (parent->kind == FC_NODE_OR && c->kind == FC_NODE_AND)
			paren = false;
	}
	if (paren)
		fc_buf_add(b, "(", 1);
	fc_buf_unparse(b, c);
	if (paren)
		fc_buf_add(b, ")", 1);
}

static void fc_buf_unparse(struct fc_buf *b, const struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		fc_buf_child(b, n, n->bin.l, false);
		fc_buf_puts(b, n->kind == FC_NODE_AND ? " and " : " or ");
		fc_buf_child(b, n, n->bin.r, true);
		break;
	case FC_NODE_NOT:
		fc_buf_puts(b, "not ");
		fc_buf_child(b, n, n->operand, false);
		break;
	case FC_NODE_CHECK:
		fc_buf_expr(b, n->check.lhs, false);
		fc_buf_add(b, " ", 1);
		fc_buf_puts(b, fc_op_name(n->check.op));
		if (n->check.mod) {
			fc_buf_add(b, " ", 1);
			fc_buf_puts(b, fc_mod_name(n->check.mod));
		}
		if (n->check.rhs && n->check.rhs->kind != FC_VAL_NONE) {
			fc_buf_add(b, " ", 1);
			fc_buf_value(b, n->check.rhs, false);
		}
		break;
	case FC_NODE_IDENT:
		fc_buf_puts(b, n->ident.name);
		break;
	case FC_NODE_BOOL:
		/* No literal exists in the language; these two are always true and false. */
		fc_buf_puts(b, n->value ? "(evt.num >= 0)" : "(evt.num < 0)");
		break;
	case FC_NODE_POISON:
		fc_buf_puts(b, "<error>");
		break;
	}
}

const char *fc_ast_unparse(struct fc_unit *u, const struct fc_node *n)
{
	struct fc_buf b = { 0 };
	if (n)
		fc_buf_unparse(&b, n);
	return fc_buf_done(u, &b);
}
