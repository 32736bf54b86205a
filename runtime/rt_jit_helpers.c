/* SPDX-License-Identifier: Apache-2.0 */
/* rt_jit_helpers.c - the functions JIT-compiled rule conditions call (see rt_jit_helpers.h).
 * They reuse the interpreter: its per-event extraction cache and, for the generic check, its
 * whole per-check machinery with the constants it prepared once. No lowering logic here. */
#define _GNU_SOURCE
#include "runtime/rt_jit_helpers.h"
#include "runtime/rt_engine.h"

#include <pthread.h>
#include <string.h>

bool rt_jit_check(struct fc_jit_env *env, const struct fc_node *n)
{
	return rt_eval(env->rt, n);
}

/* An address value (RT_V_IP: a network value is not one) of family fam, or not. */
static inline bool rt_jit_is_ip(const struct rt_value *v, uint8_t fam)
{
	return v->kind == RT_V_IP && v->ip.family == fam;
}

/* The addresses of an address field into s: one (RT_V_IP), or the alternatives of an
 * either-end field (fd.ip, fd.net: a list of one or two, not a list field), all of one family.
 * Anything else stays FC_JIT_OTHER, for the interpreter. */
static inline void rt_jit_slot_addr(struct fc_jit_env *env, struct fc_jit_slot *s,
				    const struct fc_expr *e, const struct rt_value *v)
{
	const struct rt_value *it = v;
	size_t n = 1;
	if (v->kind == RT_V_LIST) {
		if (e->list || v->list.n < 1 || v->list.n > 2)
			return;
		it = v->list.items;
		n = v->list.n;
	}
	uint8_t fam = it[0].kind == RT_V_IP ? it[0].ip.family : 0;
	if (fam != FK_AF_INET && fam != FK_AF_INET6)
		return;
	for (size_t i = 0; i < n; i++)
		if (!rt_jit_is_ip(&it[i], fam))
			return;
	if (fam == FK_AF_INET) {
		for (size_t i = 0; i < n; i++)
			memcpy((char *)&s->v + 4 * i, it[i].ip.addr, 4);
		s->kind = FC_JIT_IP4;
	} else {
		char *p = rt_ctx_alloc(env->rt, 16 * n);
		for (size_t i = 0; i < n; i++)
			memcpy(p + 16 * i, it[i].ip.addr, 16);
		s->s = p;
		s->kind = FC_JIT_IP6;
	}
	s->n = (uint32_t)n;
}

/* Stores the extraction (rc, v) of e into env->slots[slot] for the current event. */
static inline void rt_jit_slot_set(struct fc_jit_env *env, int32_t slot, const struct fc_expr *e,
				   int rc, const struct rt_value *v)
{
	struct fc_jit_slot *s = &env->slots[slot];
	s->gen = env->gen;
	s->s = NULL;
	s->v = 0;
	s->n = 0;
	if (rc != 0 || v->kind == RT_V_NA) {
		s->kind = FC_JIT_NA;
		return;
	}
	s->kind = FC_JIT_OTHER;
	switch (fc_type_class(e->type)) {
	case FC_CLASS_STRING:
		if (v->kind == RT_V_STR) {
			s->kind = FC_JIT_STR;
			s->s = v->str.s;
			s->v = strnlen(v->str.s, v->str.len); /* strings are C strings, as in libsinsp */
		}
		break;
	case FC_CLASS_NUMBER:
	case FC_CLASS_BOOL:
		if (v->kind == RT_V_U64) {
			s->kind = FC_JIT_U64;
			s->v = v->u;
		} else if (v->kind == RT_V_S64) {
			s->kind = FC_JIT_S64;
			s->v = (uint64_t)v->i;
		} else if (v->kind == RT_V_BOOL) {
			s->kind = FC_JIT_U64;
			s->v = v->b;
		}
		break;
	case FC_CLASS_IPADDR:
	case FC_CLASS_IPNET:
		rt_jit_slot_addr(env, s, e, v);
		break;
	default:
		break;
	}
}

void rt_jit_fill(struct fc_jit_env *env, int32_t slot, const struct fc_expr *e)
{
	/* uncached: the slot is the cache, and the interpreter's cache is keyed by expression
	 * node, which the slot's shared expression rarely is */
	struct rt_value v;
	int rc = rt_extract_field(env->rt, e, &v);
	rt_jit_slot_set(env, slot, e, rc, &v);
}

/* rt_jit_fill for one field: no dispatch on the field (see RT_DIRECT_FIELDS). */
#define X(F)                                                                                       \
	static void rt_jit_fill_##F(struct fc_jit_env *env, int32_t slot, const struct fc_expr *e) \
	{                                                                                          \
		struct rt_value v;                                                                 \
		int rc = rt_extract_direct_##F(env->rt, e, &v);                                    \
		rt_jit_slot_set(env, slot, e, rc, &v);                                             \
	}
RT_DIRECT_FIELDS(X)
#undef X

static int rt_jit_strent_cmp(const char *s, uint64_t len, const struct fc_jit_strent *e)
{
	uint64_t n = len < e->len ? len : e->len;
	int r = memcmp(s, e->s, n);
	if (r)
		return r;
	return len < e->len ? -1 : len > e->len;
}

bool rt_jit_str_in(const char *s, uint64_t len, const struct fc_jit_strent *tab, uint64_t n)
{
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = (lo + hi) / 2;
		int r = rt_jit_strent_cmp(s, len, &tab[mid]);
		if (r == 0)
			return true;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* rt_eval.c's path_under(p, q) is: p[0..ql) == q (q without trailing slashes) and p ends there
 * or has a slash there (p's own trailing slashes change nothing), or q is empty and p starts
 * with a slash. So p is under some entry when the prefix of p before one of its slashes, or p
 * itself, is an entry: one search per component instead of one compare per entry. */
bool rt_jit_pmatch(const char *s, uint64_t len, const struct fc_jit_strent *tab, uint64_t n)
{
	if (!n || !len)
		return false;
	if (tab[0].len == 0 && s[0] == '/')
		return true;
	for (uint64_t l = 1; l <= len; l++)
		if ((l == len || s[l] == '/') && rt_jit_str_in(s, l, tab, n))
			return true;
	return false;
}

/* rt_eval.c's ip_in of each address against each entry; entries of the other family are
 * skipped by the table's order (family first). */
bool rt_jit_addr_in(const struct fc_jit_slot *slot, const struct fc_jit_netent *tab, uint64_t n)
{
	uint32_t fam = slot->kind == FC_JIT_IP4 ? 4 : slot->kind == FC_JIT_IP6 ? 6 : 0;
	if (!fam)
		return false;
	for (uint32_t i = 0; i < slot->n; i++) {
		const uint8_t *a = fam == 4 ? (const uint8_t *)&slot->v + 4 * i
					    : (const uint8_t *)slot->s + 16 * i;
		for (uint64_t k = 0; k < n; k++) {
			const struct fc_jit_netent *t = &tab[k];
			if (t->family != fam)
				continue;
			unsigned full = t->bits / 8, rest = t->bits % 8;
			if (memcmp(a, t->addr, full) != 0)
				continue;
			if (rest && ((a[full] ^ t->addr[full]) & (uint8_t)(0xff << (8 - rest))))
				continue;
			return true;
		}
	}
	return false;
}

bool rt_jit_contains(const char *s, uint64_t len, const char *needle, uint64_t nl)
{
	return memmem(s, len, needle, nl) != NULL;
}

const struct fc_jit_symbol rt_jit_helpers[] = {
#define X(name, sig) { #name, (const void *)name },
	FC_JIT_HELPERS(X)
#undef X
#define X(F) { FC_JIT_FILL_PREFIX #F, (const void *)rt_jit_fill_##F },
	RT_DIRECT_FIELDS(X)
#undef X
};
const size_t rt_jit_nhelpers = sizeof(rt_jit_helpers) / sizeof(rt_jit_helpers[0]);

/* fc_evttype of each FK event type, -2 for the generic ones (named by a parameter), as the
 * engine keeps it: computed once, so an event's type index is one load. */
static int rt_jit_evt_tab[FK_EVENT_COUNT];
static pthread_once_t rt_jit_evt_once = PTHREAD_ONCE_INIT;

static void rt_jit_evt_init(void)
{
	for (unsigned k = 0; k < FK_EVENT_COUNT; k++) {
		const struct rt_event_info *info = rt_event_info(k);
		if (!info || !info->name || (info->flags & FK_EF_GENERIC))
			rt_jit_evt_tab[k] = -2;
		else
			rt_jit_evt_tab[k] = fc_evttype_lookup(info->name, strlen(info->name));
	}
}

int32_t rt_jit_evt(struct rt_ctx *c)
{
	if (!c->ev || !c->ev->hdr || !c->ev->info)
		return -2;
	pthread_once(&rt_jit_evt_once, rt_jit_evt_init);
	unsigned t = c->ev->hdr->type;
	if (t < FK_EVENT_COUNT && rt_jit_evt_tab[t] != -2)
		return rt_jit_evt_tab[t];
	const char *name = rt_event_name(c->ev);
	return fc_evttype_lookup(name, strlen(name));
}
