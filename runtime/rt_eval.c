/* SPDX-License-Identifier: Apache-2.0 */
/* rt_eval.c - the reference interpreter and the rule dispatch around it.
 *
 * Semantics follow libsinsp's filter checks:
 * - A check whose field has no value for the event (<NA>) is false, whatever the operator,
 *   '!=' included; only `not` around it makes it true. `exists` is true when there is a value.
 * - '=' and '!=' compare strings exactly, numbers numerically (mixed signedness included),
 *   booleans, and addresses; an address field compared with a CIDR value matches when the
 *   address is in that network (so do fd.net and friends).
 * - contains/startswith/endswith are byte comparisons; icontains folds ASCII case only;
 *   bcontains/bstartswith take hex digits ("0a0b") and compare raw bytes, NULs included.
 * - glob/iglob are fnmatch(3) without FNM_PATHNAME ('*' crosses '/'), iglob adds
 *   FNM_CASEFOLD. regex is PCRE2 anchored at both ends (RE2::FullMatch in libsinsp).
 * - in/intersects: a one-value field is in the set when equal to an item. A list field (ka.*)
 *   is `in` when every value is in the set (and it has at least one), `intersects` when any
 *   is. A field whose "list" means alternatives (proc.aname without index: any ancestor;
 *   fd.ip/fd.port/fd.net: either end) is true when any alternative passes the check.
 * - Any other operator on a list field (`ka.req.role.rules.resources contains pods/exec`,
 *   which the checker loads with a warning) passes when at least one element passes it, '!='
 *   and modifiers included; an empty list is false, as <NA> is. libsinsp 0.10 (Falco 0.34)
 *   extracts nothing from an empty list, so the check is false there too, and throws on a
 *   non-empty one, which stops Falco: no verdict to follow (docs/language.md).
 * - pmatch: the path equals an item or lies under it, compared on whole components.
 * - Modifiers: `op oneof (a, b)` / `anyof` pass when the operator passes for any item,
 *   `allof` when it passes for every item.
 * All constants are parsed once per check node (numbers, addresses, hex, regexes, sorted
 * string sets) into a side table; no event re-parses a value. Extraction is rt_extract.c;
 * alert layout is rt_output.c. */
#define _GNU_SOURCE
#include "runtime/rt_engine.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_jit_helpers.h"
#include "runtime/rt_k8s.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* --- prepared constants -------------------------------------------------------------------- */

struct rt_cval {
	struct rt_value v; /* in the class of the left side */
	bool bad;          /* does not parse for this field: never equal */
	bool has_num;      /* evt.rawarg: also a number, compared when the arg is numeric */
	struct rt_value num;
	pcre2_code *re;
};

struct rt_prep {
	const struct fc_node *n;
	struct rt_cval *vals;
	size_t nvals;
	bool sorted; /* string values sorted for `in` */
	struct rt_prep *hnext;
};

struct rt_prep_table {
	struct rt_prep **b;
	size_t nb, count;
	pcre2_match_data *md;
};

struct rt_prep_table *rt_prep_table_new(void)
{
	struct rt_prep_table *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->nb = 256;
	t->b = calloc(t->nb, sizeof(*t->b));
	t->md = pcre2_match_data_create(1, NULL);
	if (!t->b || !t->md)
		abort();
	return t;
}

void rt_prep_table_free(struct rt_prep_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nb; i++)
		for (struct rt_prep *p = t->b[i], *next; p; p = next) {
			next = p->hnext;
			for (size_t j = 0; j < p->nvals; j++) {
				if (p->vals[j].re)
					pcre2_code_free(p->vals[j].re);
				if (p->vals[j].v.kind == RT_V_STR)
					free((void *)p->vals[j].v.str.s);
			}
			free(p->vals);
			free(p);
		}
	pcre2_match_data_free(t->md);
	free(t->b);
	free(t);
}

static size_t prep_hash(const struct fc_node *n, size_t nb)
{
	uintptr_t h = (uintptr_t)n;
	return ((h >> 4) ^ (h >> 13)) & (nb - 1);
}

static void prep_grow(struct rt_prep_table *t)
{
	size_t nb = t->nb * 2;
	struct rt_prep **b = calloc(nb, sizeof(*b));
	if (!b)
		abort();
	for (size_t i = 0; i < t->nb; i++)
		for (struct rt_prep *p = t->b[i], *next; p; p = next) {
			next = p->hnext;
			size_t h = prep_hash(p->n, nb);
			p->hnext = b[h];
			b[h] = p;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

static bool parse_number(const char *s, enum fc_type t, struct rt_value *out)
{
	char *end;
	errno = 0;
	if (!*s)
		return false;
	if (t == FC_T_DOUBLE) {
		out->kind = RT_V_DOUBLE;
		out->d = strtod(s, &end);
		return !*end && !errno;
	}
	bool neg = s[0] == '-';
	const char *p = s[0] == '-' || s[0] == '+' ? s + 1 : s;
	int base = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : 10;
	if (base == 16)
		p += 2;
	if (!*p)
		return false;
	uint64_t u = strtoull(p, &end, base);
	if (*end || errno)
		return false;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return false;
		out->kind = RT_V_S64;
		out->i = (int64_t)(0 - u);
	} else {
		out->kind = RT_V_U64;
		out->u = u;
	}
	return true;
}

static void cval_string(struct rt_cval *cv, const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (!d)
		abort();
	memcpy(d, s, len);
	d[len] = '\0';
	cv->v.kind = RT_V_STR;
	cv->v.str.s = d;
	cv->v.str.len = len;
}

static void cval_parse(struct rt_cval *cv, const struct fc_str *s, const struct fc_expr *lhs,
                       enum fc_op op)
{
	memset(cv, 0, sizeof(*cv));
	enum fc_type t = lhs->type;
	bool rawarg = lhs->kind == FC_EXPR_FIELD && lhs->field.field &&
	              lhs->field.field->id == FC_FIELD_EVT_RAWARG;
	if (rawarg) {
		cval_string(cv, s->s, s->len);
		cv->has_num = parse_number(s->s, FC_T_INT64, &cv->num);
		return;
	}
	switch (fc_type_class(t)) {
	case FC_CLASS_NUMBER:
		cv->bad = !parse_number(s->s, t, &cv->v);
		break;
	case FC_CLASS_BOOL:
		cv->v.kind = RT_V_BOOL;
		cv->v.b = strcmp(s->s, "true") == 0;
		cv->bad = !cv->v.b && strcmp(s->s, "false") != 0;
		break;
	case FC_CLASS_IPADDR:
	case FC_CLASS_IPNET:
		cv->bad = !rt_parse_net(s->s, &cv->v);
		break;
	case FC_CLASS_STRING:
	case FC_CLASS_BYTES:
		if (op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH) {
			if (s->len % 2) {
				cv->bad = true;
				cval_string(cv, "", 0);
				break;
			}
			char *d = malloc(s->len / 2 + 1);
			if (!d)
				abort();
			for (size_t i = 0; i < s->len / 2; i++) {
				int hi = rt_hex_digit(s->s[2 * i]), lo = rt_hex_digit(s->s[2 * i + 1]);
				if (hi < 0 || lo < 0)
					cv->bad = true;
				d[i] = (char)((hi & 15) << 4 | (lo & 15));
			}
			d[s->len / 2] = '\0';
			cv->v.kind = RT_V_STR;
			cv->v.str.s = d;
			cv->v.str.len = s->len / 2;
		} else {
			cval_string(cv, s->s, s->len);
		}
		break;
	}
	if (op == FC_OP_REGEX && cv->v.kind == RT_V_STR) {
		int err;
		PCRE2_SIZE off;
		cv->re = pcre2_compile((PCRE2_SPTR)s->s, s->len, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
		                       &err, &off, NULL);
		cv->bad = cv->re == NULL;
		/* pcre2's own JIT, once: pcre2_match then runs native code. Where it is not
		 * available (an error here), matching interprets the same pattern. */
		if (cv->re)
			(void)pcre2_jit_compile(cv->re, PCRE2_JIT_COMPLETE);
	}
}

static int str_order(const void *a, const void *b)
{
	const struct rt_cval *x = a, *y = b;
	size_t n = x->v.str.len < y->v.str.len ? x->v.str.len : y->v.str.len;
	int r = memcmp(x->v.str.s, y->v.str.s, n);
	if (r)
		return r;
	return x->v.str.len < y->v.str.len ? -1 : x->v.str.len > y->v.str.len;
}

static struct rt_prep *prep_build(struct rt_prep_table *t, const struct fc_node *n)
{
	struct rt_prep *p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->n = n;
	const struct fc_value *v = n->check.rhs;
	const struct fc_str *items = NULL;
	size_t count = 0;
	if (v) {
		switch (v->kind) {
		case FC_VAL_SCALAR:
		case FC_VAL_LISTREF:
			items = &v->scalar;
			count = 1;
			break;
		case FC_VAL_LIST:
			items = v->items;
			count = v->nitems;
			break;
		default:
			break;
		}
	}
	if (count) {
		p->vals = calloc(count, sizeof(*p->vals));
		if (!p->vals)
			abort();
		for (size_t i = 0; i < count; i++)
			cval_parse(&p->vals[i], &items[i], n->check.lhs, n->check.op);
		p->nvals = count;
	}
	enum fc_op op = n->check.op;
	bool all_str = p->nvals > 0;
	for (size_t i = 0; i < p->nvals; i++)
		if (p->vals[i].v.kind != RT_V_STR || p->vals[i].has_num)
			all_str = false;
	if (all_str && (op == FC_OP_IN || op == FC_OP_INTERSECTS) && p->nvals > 4) {
		qsort(p->vals, p->nvals, sizeof(*p->vals), str_order);
		p->sorted = true;
	}
	size_t h = prep_hash(n, t->nb);
	p->hnext = t->b[h];
	t->b[h] = p;
	if (++t->count > 2 * t->nb)
		prep_grow(t);
	return p;
}

static struct rt_prep *prep_get(struct rt_prep_table *t, const struct fc_node *n)
{
	for (struct rt_prep *p = t->b[prep_hash(n, t->nb)]; p; p = p->hnext)
		if (p->n == n)
			return p;
	return prep_build(t, n);
}

void rt_prep_tree(struct rt_prep_table *t, const struct fc_node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		rt_prep_tree(t, n->bin.l);
		rt_prep_tree(t, n->bin.r);
		break;
	case FC_NODE_NOT:
		rt_prep_tree(t, n->operand);
		break;
	case FC_NODE_CHECK:
		prep_get(t, n);
		break;
	default:
		break;
	}
}

/* --- comparisons --------------------------------------------------------------------------- */

static bool is_num(const struct rt_value *v)
{
	return v->kind == RT_V_U64 || v->kind == RT_V_S64 || v->kind == RT_V_DOUBLE ||
	       v->kind == RT_V_BOOL;
}

static int num_cmp(const struct rt_value *a, const struct rt_value *b)
{
	if (a->kind == RT_V_DOUBLE || b->kind == RT_V_DOUBLE) {
		double x = a->kind == RT_V_DOUBLE ? a->d
		           : a->kind == RT_V_S64  ? (double)a->i
		           : a->kind == RT_V_BOOL ? (double)a->b
		                                  : (double)a->u;
		double y = b->kind == RT_V_DOUBLE ? b->d
		           : b->kind == RT_V_S64  ? (double)b->i
		           : b->kind == RT_V_BOOL ? (double)b->b
		                                  : (double)b->u;
		return x < y ? -1 : x > y;
	}
	__int128 x = a->kind == RT_V_S64 ? (__int128)a->i : a->kind == RT_V_BOOL ? a->b : a->u;
	__int128 y = b->kind == RT_V_S64 ? (__int128)b->i : b->kind == RT_V_BOOL ? b->b : b->u;
	return x < y ? -1 : x > y;
}

static bool ip_in(const struct rt_value *ip, const struct rt_value *net)
{
	if (ip->kind != RT_V_IP && ip->kind != RT_V_NET)
		return false;
	if (ip->ip.family != net->ip.family)
		return false;
	unsigned bits = net->kind == RT_V_NET          ? net->ip.prefix
	                : net->ip.family == FK_AF_INET ? 32
	                                               : 128;
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(ip->ip.addr, net->ip.addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((ip->ip.addr[full] & mask) != (net->ip.addr[full] & mask))
			return false;
	}
	return true;
}

static bool mem_icontains(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return true;
	for (size_t i = 0; i + nl <= hl; i++) {
		size_t j = 0;
		while (j < nl) {
			char a = h[i + j], b = n[j];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b + 32);
			if (a != b)
				break;
			j++;
		}
		if (j == nl)
			return true;
	}
	return false;
}

/* pmatch: path equals prefix or lies under it, on whole components. */
static bool path_under(const char *p, size_t pl, const char *q, size_t ql)
{
	while (ql && q[ql - 1] == '/')
		ql--;
	if (ql == 0)
		return pl > 0 && p[0] == '/';
	while (pl > ql && p[pl - 1] == '/')
		pl--;
	if (pl < ql || memcmp(p, q, ql) != 0)
		return false;
	return pl == ql || p[ql] == '/';
}

/* One value against one constant. */
static bool cmp_one(struct rt_ctx *c, enum fc_op op, const struct fc_expr *lhs,
                    const struct rt_value *v, const struct rt_cval *k)
{
	if (k->bad)
		return op == FC_OP_NE;
	const struct rt_value *kv = &k->v;
	if (k->has_num && is_num(v))
		kv = &k->num;
	if (v->kind == RT_V_STR && kv->kind == RT_V_STR) {
		const char *s = v->str.s;
		size_t len = v->str.len;
		bool bytes =
		    lhs->type == FC_T_BYTEBUF || op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH;
		if (!bytes)
			len = strnlen(s, len); /* strings are C strings, as in libsinsp */
		const char *k_s = kv->str.s;
		size_t kl = kv->str.len;
		switch (op) {
		case FC_OP_EQ:
		case FC_OP_EQEQ:
		case FC_OP_IN:
		case FC_OP_INTERSECTS:
			return len == kl && memcmp(s, k_s, kl) == 0;
		case FC_OP_NE:
			return !(len == kl && memcmp(s, k_s, kl) == 0);
		case FC_OP_CONTAINS:
		case FC_OP_BCONTAINS:
			return kl == 0 || memmem(s, len, k_s, kl) != NULL;
		case FC_OP_ICONTAINS:
			return mem_icontains(s, len, k_s, kl);
		case FC_OP_STARTSWITH:
		case FC_OP_BSTARTSWITH:
			return len >= kl && memcmp(s, k_s, kl) == 0;
		case FC_OP_ENDSWITH:
			return len >= kl && memcmp(s + len - kl, k_s, kl) == 0;
		case FC_OP_GLOB:
		case FC_OP_IGLOB: {
			const char *z = rt_ctx_strndup(c, s, len);
			return fnmatch(k_s, z, op == FC_OP_IGLOB ? FNM_CASEFOLD : 0) == 0;
		}
		case FC_OP_REGEX:
			return k->re &&
			       pcre2_match(k->re, (PCRE2_SPTR)s, len, 0, 0, c->prep->md, NULL) >= 0;
		case FC_OP_PMATCH:
			return path_under(s, len, k_s, kl);
		case FC_OP_LT:
		case FC_OP_LE:
		case FC_OP_GT:
		case FC_OP_GE: {
			size_t n = len < kl ? len : kl;
			int r = memcmp(s, k_s, n);
			if (!r)
				r = len < kl ? -1 : len > kl;
			return op == FC_OP_LT   ? r < 0
			       : op == FC_OP_LE ? r <= 0
			       : op == FC_OP_GT ? r > 0
			                        : r >= 0;
		}
		default:
			return false;
		}
	}
	if (is_num(v) && is_num(kv)) {
		int r = num_cmp(v, kv);
		switch (op) {
		case FC_OP_EQ:
		case FC_OP_EQEQ:
		case FC_OP_IN:
		case FC_OP_INTERSECTS:
			return r == 0;
		case FC_OP_NE:
			return r != 0;
		case FC_OP_LT:
			return r < 0;
		case FC_OP_LE:
			return r <= 0;
		case FC_OP_GT:
			return r > 0;
		case FC_OP_GE:
			return r >= 0;
		default:
			return false;
		}
	}
	if ((v->kind == RT_V_IP || v->kind == RT_V_NET) &&
	    (kv->kind == RT_V_IP || kv->kind == RT_V_NET)) {
		bool in = ip_in(v, kv);
		switch (op) {
		case FC_OP_EQ:
		case FC_OP_EQEQ:
		case FC_OP_IN:
		case FC_OP_INTERSECTS:
			return in;
		case FC_OP_NE:
			return !in;
		default:
			return false;
		}
	}
	/* a value of another kind than the constant (a string parameter behind evt.rawarg
	 * compared with a number): only '!=' holds */
	return op == FC_OP_NE;
}

/* The constant made from a value on the right (val(), transformers). */
static bool cval_from_value(struct rt_ctx *c, const struct fc_expr *lhs, const struct fc_expr *re,
                            const struct rt_value *rv, struct rt_cval *k)
{
	memset(k, 0, sizeof(*k));
	if (rv->kind == RT_V_NA)
		return false;
	if (lhs->type == FC_T_BYTEBUF || fc_type_class(lhs->type) == FC_CLASS_STRING) {
		if (rv->kind == RT_V_STR) {
			k->v = *rv;
		} else {
			const char *s = rt_value_format(c, re, rv);
			k->v.kind = RT_V_STR;
			k->v.str.s = s;
			k->v.str.len = strlen(s);
		}
		return true;
	}
	k->v = *rv;
	return true;
}

static bool in_sorted(const struct rt_prep *p, const struct rt_value *v)
{
	struct rt_cval key;
	key.v = *v;
	key.v.str.len = strnlen(v->str.s, v->str.len);
	size_t lo = 0, hi = p->nvals;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = str_order(&key, &p->vals[mid]);
		if (r == 0)
			return true;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* One (non-list) value against the right side of check n. */
static bool cmp_value(struct rt_ctx *c, const struct fc_node *n, const struct rt_prep *p,
                      const struct rt_value *v)
{
	enum fc_op op = n->check.op;
	const struct fc_expr *lhs = n->check.lhs;
	const struct fc_value *rhs = n->check.rhs;
	if (rhs && rhs->kind == FC_VAL_EXPR) {
		struct rt_value rv;
		if (rt_extract(c, rhs->expr, &rv) != 0)
			return false;
		size_t cnt = rv.kind == RT_V_LIST ? rv.list.n : 1;
		for (size_t i = 0; i < cnt; i++) {
			struct rt_cval k;
			const struct rt_value *it = rv.kind == RT_V_LIST ? &rv.list.items[i] : &rv;
			if (cval_from_value(c, lhs, rhs->expr, it, &k) &&
			    cmp_one(c, op, lhs, v, &k))
				return true;
		}
		return false;
	}
	if (!p->nvals)
		return false;
	if (op == FC_OP_IN || op == FC_OP_INTERSECTS || op == FC_OP_PMATCH) {
		if (p->sorted && v->kind == RT_V_STR)
			return in_sorted(p, v);
		for (size_t i = 0; i < p->nvals; i++)
			if (cmp_one(c, op, lhs, v, &p->vals[i]))
				return true;
		return false;
	}
	switch (n->check.mod) {
	case FC_MOD_ONEOF:
	case FC_MOD_ANYOF:
		for (size_t i = 0; i < p->nvals; i++)
			if (cmp_one(c, op, lhs, v, &p->vals[i]))
				return true;
		return false;
	case FC_MOD_ALLOF:
		for (size_t i = 0; i < p->nvals; i++)
			if (!cmp_one(c, op, lhs, v, &p->vals[i]))
				return false;
		return true;
	case FC_MOD_NONE:
		break;
	}
	return cmp_one(c, op, lhs, v, &p->vals[0]);
}

static bool eval_check(struct rt_ctx *c, const struct fc_node *n)
{
	const struct fc_expr *lhs = n->check.lhs;
	struct rt_value v;
	if (rt_extract(c, lhs, &v) != 0 || v.kind == RT_V_NA)
		return false;
	if (n->check.op == FC_OP_EXISTS)
		return true;
	struct rt_prep *p = prep_get(c->prep, n);
	if (v.kind != RT_V_LIST)
		return cmp_value(c, n, p, &v);
	if (lhs->list) {
		/* a list field: `in` needs every value in the set; `intersects`, and any other
		 * operator, one value that passes */
		if (v.list.n == 0)
			return false;
		bool all = n->check.op == FC_OP_IN;
		for (size_t i = 0; i < v.list.n; i++) {
			bool r = cmp_value(c, n, p, &v.list.items[i]);
			if (all && !r)
				return false;
			if (!all && r)
				return true;
		}
		return all;
	}
	/* alternatives: any ancestor, either end of a connection */
	for (size_t i = 0; i < v.list.n; i++)
		if (cmp_value(c, n, p, &v.list.items[i]))
			return true;
	return false;
}

bool rt_eval(struct rt_ctx *c, const struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
		return rt_eval(c, n->bin.l) && rt_eval(c, n->bin.r);
	case FC_NODE_OR:
		return rt_eval(c, n->bin.l) || rt_eval(c, n->bin.r);
	case FC_NODE_NOT:
		return !rt_eval(c, n->operand);
	case FC_NODE_CHECK:
		return eval_check(c, n);
	case FC_NODE_BOOL:
		return n->value;
	case FC_NODE_IDENT:
	case FC_NODE_POISON:
		return false;
	}
	return false;
}

/* --- the engine ---------------------------------------------------------------------------- */

struct rt_idx {
	uint32_t *r;
	size_t n;
};

struct rt_engine {
	const struct fc_rule **rules; /* syscall rules, load order */
	size_t nrules;
	const struct fc_rule **k8s_rules; /* k8s_audit rules, load order; interpreted */
	size_t nk8s;
	unsigned nloaded; /* every source */
	struct rt_idx by_evt[FC_EVT_COUNT];
	struct rt_idx any;          /* rules that match every event type */
	int fk_evt[FK_EVENT_COUNT]; /* fc_evttype of each FK event; -2: look up by name */
	enum rt_match_mode match;
	bool all_events;
	struct rt_prep_table *prep;
	struct rt_ctx ctx;
	struct fc_jit *jit;         /* NULL: interpret */
	fc_jit_pred *preds;         /* with jit: the predicate of each of rules */
	struct fc_jit_env env;      /* the JIT's per-event field slots */
	char jit_why[320];
};

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Falco 0.34's -D/-t and rules selection match rule names by substring; patterns with
 * wildcards (as `rules: - enable: rule:` in later Falco) match the whole name. */
static bool name_matches(const char *pat, const char *name)
{
	if (has_wildcard(pat))
		return fnmatch(pat, name, 0) == 0;
	return strstr(name, pat) != NULL;
}

static bool rule_selected(const struct fc_rule *r, const struct rt_engine_options *o)
{
	if (!r->valid || r->skipped || !r->ast)
		return false;
	if (o->enabled_rules) {
		bool hit = false;
		for (const char *const *p = o->enabled_rules; *p && !hit; p++)
			hit = name_matches(*p, r->name);
		if (!hit || !r->enabled)
			return false;
	} else if (!r->enabled) {
		return false;
	}
	if ((int)r->priority > (int)o->min_priority)
		return false;
	if (o->disabled_tags)
		for (const char *const *t = o->disabled_tags; *t; t++)
			for (size_t i = 0; i < r->ntags; i++)
				if (strcmp(*t, r->tags[i]) == 0)
					return false;
	return true;
}

static void idx_push(struct rt_idx *x, uint32_t r)
{
	if ((x->n & (x->n - 1)) == 0) {
		size_t cap = x->n ? x->n * 2 : 4;
		uint32_t *nr = realloc(x->r, cap * sizeof(*nr));
		if (!nr)
			abort();
		x->r = nr;
	}
	x->r[x->n++] = r;
}

/* Links a bundle's native code (compiled by falcoc for fc_jit_ruleset_rules(rs)) and points
 * each engine rule at its predicate. NULL with the reason in err when it does not fit. */
static struct fc_jit *engine_jit_link(struct rt_engine *e, const struct fc_ruleset *rs,
				      const struct rt_engine_options *o, char *err, size_t errlen)
{
	size_t n = fc_jit_ruleset_rules(rs, NULL);
	const struct fc_rule **all = calloc(n ? n : 1, sizeof(*all));
	const struct fc_node **conds = calloc(n ? n : 1, sizeof(*conds));
	struct fc_jit *j = NULL;
	if (!all || !conds) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	fc_jit_ruleset_rules(rs, all);
	for (size_t i = 0; i < n; i++)
		conds[i] = all[i]->ast;
	struct fc_jit_options jo = {.opt_level = -1,
	                            .objects = o->jit_objects,
	                            .objects_len = o->jit_objects_len};
	j = fc_jit_compile(conds, n, rt_jit_helpers, rt_jit_nhelpers, &jo, err, errlen);
	for (size_t i = 0; j && i < e->nrules; i++) {
		size_t k = 0;
		while (k < n && all[k] != e->rules[i])
			k++;
		if (k == n) {
			snprintf(err, errlen, "rule '%s' is not in the native code", e->rules[i]->name);
			fc_jit_free(j);
			j = NULL;
			break;
		}
		e->preds[i] = fc_jit_get(j, k);
	}
done:
	free(all);
	free(conds);
	return j;
}

/* Compiles every syscall rule's condition, or links the bundle's native code for them; on
 * failure the engine interprets, and says why. */
static void engine_jit(struct rt_engine *e, const struct fc_ruleset *rs,
                       const struct rt_engine_options *o)
{
	if (o->no_jit) {
		snprintf(e->jit_why, sizeof(e->jit_why), "interpreter (%s)",
		         o->no_jit_why ? o->no_jit_why : "JIT disabled by --no-jit");
		return;
	}
	const struct fc_node **conds = calloc(e->nrules ? e->nrules : 1, sizeof(*conds));
	e->preds = calloc(e->nrules ? e->nrules : 1, sizeof(*e->preds));
	if (!conds || !e->preds) {
		free(conds);
		snprintf(e->jit_why, sizeof(e->jit_why), "interpreter (JIT: out of memory)");
		return;
	}
	char err[256], native_err[256] = "";
	if (o->jit_objects) {
		e->jit = engine_jit_link(e, rs, o, native_err, sizeof(native_err));
		if (e->jit)
			snprintf(e->jit_why, sizeof(e->jit_why),
			         "JIT (%zu conditions, the bundle's native code linked in %.0f ms)",
			         e->nrules, fc_jit_compile_seconds(e->jit) * 1000);
	}
	if (!e->jit) {
		for (size_t i = 0; i < e->nrules; i++)
			conds[i] = e->rules[i]->ast;
		struct fc_jit_options jo = {.opt_level = o->jit_opt_level ? o->jit_opt_level : -1};
		e->jit = fc_jit_compile(conds, e->nrules, rt_jit_helpers, rt_jit_nhelpers, &jo, err,
		                        sizeof(err));
		for (size_t i = 0; e->jit && i < e->nrules; i++)
			e->preds[i] = fc_jit_get(e->jit, i);
		if (e->jit)
			snprintf(e->jit_why, sizeof(e->jit_why),
			         "JIT (%zu conditions compiled in %.0f ms%s%s)", e->nrules,
			         fc_jit_compile_seconds(e->jit) * 1000,
			         *native_err ? "; the bundle's native code was not used: " : "",
			         native_err);
	}
	free(conds);
	if (e->jit) {
		e->env.slots = calloc(fc_jit_slot_count(e->jit) + 1, sizeof(*e->env.slots));
		if (!e->env.slots) {
			fc_jit_free(e->jit);
			e->jit = NULL;
			snprintf(err, sizeof(err), "out of memory");
		}
	}
	if (!e->jit)
		snprintf(e->jit_why, sizeof(e->jit_why), "interpreter (JIT set-up failed: %s)", err);
}

bool rt_engine_jit_active(const struct rt_engine *e, const char **why)
{
	if (why)
		*why = e->jit_why;
	return e->jit != NULL;
}

struct rt_engine *rt_engine_new(const struct fc_ruleset *rs, const struct rt_engine_options *o)
{
	struct rt_engine_options def = {.match = RT_MATCH_FIRST, .min_priority = FC_PRIO_DEBUG};
	if (!o)
		o = &def;
	struct rt_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->match = o->match;
	/* all_events: Falco skips some high-volume events unless -A; every event of this event
	 * model is one Falco evaluates by default, so there is nothing to skip yet */
	e->all_events = o->all_events;
	e->rules = calloc(rs->nrules ? rs->nrules : 1, sizeof(*e->rules));
	e->k8s_rules = calloc(rs->nrules ? rs->nrules : 1, sizeof(*e->k8s_rules));
	if (!e->rules || !e->k8s_rules) {
		free(e->rules);
		free(e->k8s_rules);
		free(e);
		return NULL;
	}
	rt_ctx_init(&e->ctx, NULL);
	e->prep = e->ctx.prep;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!rule_selected(r, o))
			continue;
		e->nloaded++;
		if (r->src == FC_SRC_K8S_AUDIT) {
			e->k8s_rules[e->nk8s++] = r;
			rt_prep_tree(e->prep, r->ast);
		}
		if (r->src != FC_SRC_SYSCALL)
			continue;
		uint32_t ri = (uint32_t)e->nrules++;
		e->rules[ri] = r;
		rt_prep_tree(e->prep, r->ast);
		struct fc_evtset t, f;
		fc_evtset_of(r->ast, &t, &f);
		if (fc_evtset_count(&t) == FC_EVT_COUNT)
			idx_push(&e->any, ri);
		for (int k = 0; k < FC_EVT_COUNT; k++)
			if (fc_evtset_has(&t, k))
				idx_push(&e->by_evt[k], ri);
	}
	engine_jit(e, rs, o);
	for (unsigned k = 0; k < FK_EVENT_COUNT; k++) {
		const struct rt_event_info *info = rt_event_info(k);
		if (info->flags & FK_EF_GENERIC)
			e->fk_evt[k] = -2;
		else
			e->fk_evt[k] = fc_evttype_lookup(info->name, strlen(info->name));
	}
	return e;
}

void rt_engine_free(struct rt_engine *e)
{
	if (!e)
		return;
	for (int k = 0; k < FC_EVT_COUNT; k++)
		free(e->by_evt[k].r);
	free(e->any.r);
	fc_jit_free(e->jit);
	free(e->preds);
	free(e->env.slots);
	rt_ctx_fini(&e->ctx);
	free(e->rules);
	free(e->k8s_rules);
	free(e);
}

unsigned rt_engine_rule_count(const struct rt_engine *e)
{
	return e->nloaded;
}

unsigned rt_engine_process(struct rt_engine *e, struct rt_state *s, struct rt_event *ev,
                           rt_alert_fn fn, void *user)
{
	rt_state_pre(s, ev);
	struct rt_ctx *c = &e->ctx;
	c->state = s;
	rt_ctx_begin(c, ev);
	int k = ev->hdr->type < FK_EVENT_COUNT ? e->fk_evt[ev->hdr->type] : -1;
	if (k == -2) {
		const char *name = rt_event_name(ev);
		k = fc_evttype_lookup(name, strlen(name));
	}
	const struct rt_idx *x = k >= 0 ? &e->by_evt[k] : &e->any;
	unsigned n = 0;
	if (e->jit)
		rt_jit_env_begin(&e->env, c);
	for (size_t i = 0; i < x->n; i++) {
		const struct fc_rule *r = e->rules[x->r[i]];
		bool hit = e->jit ? e->preds[x->r[i]](&e->env, k) : rt_eval(c, r->ast);
		if (!hit)
			continue;
		n++;
		if (fn) {
			struct rt_alert a = {.rule = r, .ctx = c, .ts_ns = ev->hdr->ts_ns};
			fn(&a, user);
		}
		if (e->match == RT_MATCH_FIRST)
			break;
	}
	rt_state_post(s, ev);
	return n;
}

unsigned rt_engine_k8s_rule_count(const struct rt_engine *e)
{
	return (unsigned)e->nk8s;
}

unsigned rt_engine_process_k8s(struct rt_engine *e, struct rt_state *s,
                               const struct rt_k8s_event *k, rt_alert_fn fn, void *user)
{
	struct rt_ctx *c = &e->ctx;
	c->state = s;
	/* the context reads the event's header and number as for any event; nothing writes it */
	rt_ctx_begin(c, (struct rt_event *)&k->ev);
	c->k8s = k;
	unsigned n = 0;
	for (size_t i = 0; i < e->nk8s; i++) {
		const struct fc_rule *r = e->k8s_rules[i];
		if (!rt_eval(c, r->ast))
			continue;
		n++;
		if (fn) {
			struct rt_alert a = {.rule = r, .ctx = c, .ts_ns = k->hdr.ts_ns};
			fn(&a, user);
		}
		if (e->match == RT_MATCH_FIRST)
			break;
	}
	c->k8s = NULL;
	return n;
}
