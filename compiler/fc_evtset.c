/* SPDX-License-Identifier: Apache-2.0 */
/* fc_evtset.c - which event types a condition can match. Used for Falco's LOAD_NO_EVTTYPE
 * warning, by falco-lint, and (later) to index rules by event type. */
#include "compiler/fc_evtset.h"
#include "compiler/fc_fields.h"

#include <string.h>

void fc_evtset_all(struct fc_evtset *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < FC_EVT_COUNT; i++)
		s->w[i / 64] |= 1ull << (i % 64);
}

unsigned fc_evtset_count(const struct fc_evtset *s)
{
	unsigned n = 0;
	for (int i = 0; i < FC_EVTSET_WORDS; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

void fc_evtset_of(const struct fc_node *n, struct fc_evtset *t, struct fc_evtset *f)
{
	struct fc_evtset lt, lf, rt, rf;
	switch (n->kind) {
	case FC_NODE_AND:
		fc_evtset_of(n->bin.l, &lt, &lf);
		fc_evtset_of(n->bin.r, &rt, &rf);
		for (int i = 0; i < FC_EVTSET_WORDS; i++) {
			t->w[i] = lt.w[i] & rt.w[i];
			f->w[i] = lf.w[i] | rf.w[i];
		}
		return;
	case FC_NODE_OR:
		fc_evtset_of(n->bin.l, &lt, &lf);
		fc_evtset_of(n->bin.r, &rt, &rf);
		for (int i = 0; i < FC_EVTSET_WORDS; i++) {
			t->w[i] = lt.w[i] | rt.w[i];
			f->w[i] = lf.w[i] & rf.w[i];
		}
		return;
	case FC_NODE_NOT:
		fc_evtset_of(n->operand, f, t);
		return;
	case FC_NODE_BOOL:
		if (n->value) {
			fc_evtset_all(t);
			memset(f, 0, sizeof(*f));
		} else {
			fc_evtset_all(f);
			memset(t, 0, sizeof(*t));
		}
		return;
	case FC_NODE_CHECK:
		break;
	default:
		fc_evtset_all(t);
		fc_evtset_all(f);
		return;
	}
	fc_evtset_all(t);
	fc_evtset_all(f);
	const struct fc_expr *lhs = n->check.lhs;
	const struct fc_value *v = n->check.rhs;
	enum fc_op op = n->check.op;
	if (lhs->kind != FC_EXPR_FIELD || !lhs->field.field ||
	    lhs->field.field->id != FC_FIELD_EVT_TYPE || !v)
		return;
	struct fc_evtset named;
	memset(&named, 0, sizeof(named));
	if (v->kind == FC_VAL_SCALAR && (op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE)) {
		int e = fc_evttype_lookup(v->scalar.s, v->scalar.len);
		if (e >= 0)
			named.w[e / 64] |= 1ull << (e % 64);
	} else if (v->kind == FC_VAL_LIST && op == FC_OP_IN) {
		for (size_t i = 0; i < v->nitems; i++) {
			int e = fc_evttype_lookup(v->items[i].s, v->items[i].len);
			if (e >= 0)
				named.w[e / 64] |= 1ull << (e % 64);
		}
	} else {
		return;
	}
	struct fc_evtset all;
	fc_evtset_all(&all);
	for (int i = 0; i < FC_EVTSET_WORDS; i++) {
		if (op == FC_OP_NE) {
			t->w[i] = all.w[i] & ~named.w[i];
			f->w[i] = named.w[i];
		} else {
			t->w[i] = named.w[i];
			f->w[i] = all.w[i] & ~named.w[i];
		}
	}
}

bool fc_evtset_has(const struct fc_evtset *s, int e)
{
	return e >= 0 && e < FC_EVT_COUNT && (s->w[e / 64] >> (e % 64)) & 1;
}
