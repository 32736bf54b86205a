/* SPDX-License-Identifier: Apache-2.0 */
/* jit_corpus.c - the literal-driven event generator of jit_corpus.h. Parameters are made from
 * the table of event types (runtime/rt_event.h): each parameter type has a maker that draws
 * from the literals of the fields that parameter feeds (by parameter name), from every
 * literal, from their near misses, or at random. No rule semantics here. */
#define _GNU_SOURCE
#include "tests/differential/jit_corpus.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JC_NTHREADS 48
#define JC_TS0 1700000000000000000ull

struct jc_pool {
	const char **v;
	size_t n, cap;
};

struct jc_gen {
	uint64_t rng;
	uint64_t ts;
	struct rt_event_builder b;
	struct jc_pool all, nums, ips, evts;
	struct jc_pool proc, path, dir, file, cmd, user, cont, env;
	char buf[4096];
	size_t nlit;
	bool addr_edges;
};

static void jc_oom(void *p)
{
	if (!p) {
		fprintf(stderr, "jit_corpus: out of memory\n");
		abort();
	}
}

static uint64_t jc_rnd64(struct jc_gen *g)
{
	uint64_t x = g->rng; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint32_t jc_rnd(struct jc_gen *g, uint32_t n)
{
	return n ? (uint32_t)(jc_rnd64(g) % n) : 0;
}

static void jc_push(struct jc_pool *p, const char *s)
{
	for (size_t i = 0; i < p->n && i < 64; i++) /* cheap partial dedupe */
		if (strcmp(p->v[p->n - 1 - i], s) == 0)
			return;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		jc_oom(p->v);
	}
	p->v[p->n++] = s;
}

static const char *jc_pick(struct jc_gen *g, const struct jc_pool *p)
{
	return p->n ? p->v[jc_rnd(g, (uint32_t)p->n)] : "";
}

static const char *jc_field_name(const struct fc_expr *e)
{
	while (e && e->kind == FC_EXPR_TRANSFORM)
		e = e->xf.nargs ? e->xf.args[e->xf.nargs - 1] : NULL;
	return e && e->kind == FC_EXPR_FIELD && e->field.field ? e->field.field->name : NULL;
}

static bool jc_has(const char *name, const char *part)
{
	return strstr(name, part) != NULL;
}

static void jc_literal(struct jc_gen *g, const char *fname, enum fc_type t, const char *s)
{
	g->nlit++;
	enum fc_type_class cls = fc_type_class(t);
	if (cls == FC_CLASS_NUMBER) {
		jc_push(&g->nums, s);
		return;
	}
	if (cls == FC_CLASS_IPADDR || cls == FC_CLASS_IPNET) {
		jc_push(&g->ips, s);
		return;
	}
	jc_push(&g->all, s);
	if (strcmp(fname, "evt.type") == 0)
		jc_push(&g->evts, s);
	else if (jc_has(fname, "proc.name") || jc_has(fname, "proc.pname") ||
		 jc_has(fname, "proc.aname") || jc_has(fname, "proc.exe") ||
		 jc_has(fname, "proc.comm"))
		jc_push(&g->proc, s);
	else if (jc_has(fname, "cmdline") || jc_has(fname, "proc.args"))
		jc_push(&g->cmd, s);
	else if (jc_has(fname, "directory") || jc_has(fname, "cwd"))
		jc_push(&g->dir, s);
	else if (jc_has(fname, "filename"))
		jc_push(&g->file, s);
	else if (jc_has(fname, "fd.name") || jc_has(fname, "path") || jc_has(fname, "evt.arg") ||
		 jc_has(fname, "fd.nameraw"))
		jc_push(&g->path, s);
	else if (jc_has(fname, "user.") || jc_has(fname, "group."))
		jc_push(&g->user, s);
	else if (jc_has(fname, "container."))
		jc_push(&g->cont, s);
	else if (jc_has(fname, "env"))
		jc_push(&g->env, s);
}

static void jc_walk(struct jc_gen *g, const struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		jc_walk(g, n->bin.l);
		jc_walk(g, n->bin.r);
		return;
	case FC_NODE_NOT:
		jc_walk(g, n->operand);
		return;
	case FC_NODE_CHECK:
		break;
	default:
		return;
	}
	const char *fname = jc_field_name(n->check.lhs);
	const struct fc_value *v = n->check.rhs;
	if (!fname || !v)
		return;
	enum fc_type t = n->check.lhs->type;
	if (v->kind == FC_VAL_SCALAR || v->kind == FC_VAL_LISTREF)
		jc_literal(g, fname, t, v->scalar.s);
	else if (v->kind == FC_VAL_LIST)
		for (size_t i = 0; i < v->nitems; i++)
			jc_literal(g, fname, t, v->items[i].s);
}

struct jc_gen *jc_gen_new(const struct fc_rule *const *rules, size_t n, uint64_t seed)
{
	struct jc_gen *g = calloc(1, sizeof(*g));
	jc_oom(g);
	g->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	g->ts = JC_TS0;
	for (size_t i = 0; i < n; i++)
		if (rules[i]->ast)
			jc_walk(g, rules[i]->ast);
	return g;
}

void jc_gen_free(struct jc_gen *g)
{
	if (!g)
		return;
	struct jc_pool *pools[] = { &g->all,  &g->nums, &g->ips,  &g->evts, &g->proc, &g->path,
				    &g->dir,  &g->file, &g->cmd,  &g->user, &g->cont, &g->env };
	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++)
		free(pools[i]->v);
	rt_event_builder_fini(&g->b);
	free(g);
}

void jc_gen_set_addr_edges(struct jc_gen *g, bool on)
{
	g->addr_edges = on;
}

size_t jc_gen_literal_count(const struct jc_gen *g)
{
	return g->nlit;
}

/* --- values ------------------------------------------------------------------------------ */

static const char *const jc_words[] = { "", "/", "a", "bash", "sh", "/etc", "/tmp/x", "/bin/",
					"/dev/shm/run", "curl", "nc", "/root/.ssh/id_rsa", "sudo",
					"python3", "java", "node", "runc", "/proc/self/exe",
					"/var/run/docker.sock", "host", "x y", "A" };

/* A string for a parameter: a literal of the fields it feeds, any literal, a near miss of
 * one (a byte cut or added, a path component added), a word, or random bytes. */
static const char *jc_str(struct jc_gen *g, const struct jc_pool *own)
{
	const char *s;
	uint32_t r = jc_rnd(g, 100);
	if (r < 40 && own && own->n)
		s = jc_pick(g, own);
	else if (r < 65)
		s = jc_pick(g, &g->all);
	else if (r < 85)
		s = jc_words[jc_rnd(g, sizeof(jc_words) / sizeof(jc_words[0]))];
	else {
		size_t n = jc_rnd(g, 12);
		for (size_t i = 0; i < n; i++)
			g->buf[i] = "abcXYZ/._-0 *?"[jc_rnd(g, 14)];
		g->buf[n] = '\0';
		return g->buf;
	}
	switch (jc_rnd(g, 8)) {
	case 0: { /* one byte less */
		size_t l = strlen(s);
		snprintf(g->buf, sizeof(g->buf), "%.*s", (int)(l ? l - 1 : 0), s);
		return g->buf;
	}
	case 1: /* one byte more */
		snprintf(g->buf, sizeof(g->buf), "%s%c", s, "x/A."[jc_rnd(g, 4)]);
		return g->buf;
	case 2: /* a directory literal and a file literal */
		snprintf(g->buf, sizeof(g->buf), "%s/%s", jc_pick(g, g->dir.n ? &g->dir : &g->all),
			 jc_pick(g, g->file.n ? &g->file : &g->all));
		return g->buf;
	case 3: /* under it */
		snprintf(g->buf, sizeof(g->buf), "%s/%s", s, jc_pick(g, &g->all));
		return g->buf;
	case 4: /* case changed */
		snprintf(g->buf, sizeof(g->buf), "%s", s);
		for (char *p = g->buf; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 32);
		return g->buf;
	default:
		return s;
	}
}

static uint64_t jc_num(struct jc_gen *g)
{
	uint32_t r = jc_rnd(g, 100);
	if (r < 40 && g->nums.n) {
		const char *s = jc_pick(g, &g->nums);
		char *end;
		uint64_t v = s[0] == '-' ? (uint64_t)strtoll(s, &end, 0) : strtoull(s, &end, 0);
		return v + (uint64_t)((int)jc_rnd(g, 3) - 1); /* it, or a neighbour */
	}
	if (r < 70)
		return jc_rnd(g, 1100);
	if (r < 80) {
		static const uint64_t lim[] = { 0, 1, UINT64_MAX, INT64_MAX, (uint64_t)INT64_MIN,
						UINT32_MAX, INT32_MAX, 65535, 65536, (uint64_t)-1 };
		return lim[jc_rnd(g, sizeof(lim) / sizeof(lim[0]))];
	}
	return jc_rnd64(g);
}

/* addr (n bytes, network order) plus d (1 or -1), wrapping. */
static void jc_addr_add(uint8_t *addr, int n, int d)
{
	for (int i = n - 1; i >= 0; i--) {
		addr[i] = (uint8_t)(addr[i] + d);
		if (addr[i] != (d > 0 ? 0 : 0xff))
			return;
	}
}

/* An address at an edge of the literal addr (fam, prefix bits or -1 for an address): the
 * network's first or last address, one before the first or after the last, or the literal's
 * other family form (IPv4-mapped IPv6 of an IPv4, IPv4 of an IPv4-mapped IPv6). */
static int jc_ip_edge(struct jc_gen *g, uint8_t *addr, int fam, int bits)
{
	int n = fam == AF_INET ? 4 : 16;
	if (bits < 0 || bits > n * 8)
		bits = n * 8;
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint32_t r = jc_rnd(g, 6);
	if (r == 4) {
		if (fam == AF_INET) {
			memmove(addr + 12, addr, 4);
			memcpy(addr, mapped, 12);
			return FK_AF_INET6;
		}
		if (memcmp(addr, mapped, 12) == 0) {
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			return FK_AF_INET;
		}
	}
	for (int i = 0; i < n; i++) {
		int b = bits - i * 8;
		uint8_t m = b >= 8 ? 0xff : b <= 0 ? 0 : (uint8_t)(0xff << (8 - b));
		addr[i] = r & 1 ? (uint8_t)(addr[i] | ~m) : (uint8_t)(addr[i] & m);
	}
	if (r == 2) /* one before the first */
		jc_addr_add(addr, n, -1);
	else if (r == 3) /* one after the last */
		jc_addr_add(addr, n, 1);
	return fam == AF_INET ? FK_AF_INET : FK_AF_INET6;
}

/* An address near a literal (v4 or v6): the literal, or its last byte changed. */
static int jc_ip(struct jc_gen *g, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (g->ips.n && jc_rnd(g, 4)) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%s", jc_pick(g, &g->ips));
		char *slash = strchr(tmp, '/');
		if (slash)
			*slash = '\0';
		int fam = strchr(tmp, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(fam, tmp, addr) == 1) {
			int last = fam == AF_INET ? 3 : 15;
			if (g->addr_edges && jc_rnd(g, 2))
				return jc_ip_edge(g, addr, fam, slash ? atoi(slash + 1) : -1);
			if (jc_rnd(g, 3) == 0)
				addr[last] = (uint8_t)(addr[last] + jc_rnd(g, 3) - 1);
			else if (slash && jc_rnd(g, 2))
				addr[last] = (uint8_t)jc_rnd64(g);
			return fam == AF_INET ? FK_AF_INET : FK_AF_INET6;
		}
	}
	int fam = jc_rnd(g, 4) ? FK_AF_INET : FK_AF_INET6;
	uint64_t r = jc_rnd64(g);
	memcpy(addr, &r, 8);
	r = jc_rnd64(g);
	memcpy(addr + 8, &r, 8);
	if (fam == FK_AF_INET && jc_rnd(g, 2)) {
		static const uint8_t nets[][4] = { { 127, 0, 0, 1 }, { 10, 0, 0, 5 },
						   { 192, 168, 1, 1 }, { 169, 254, 169, 254 },
						   { 0, 0, 0, 0 } };
		memcpy(addr, nets[jc_rnd(g, 5)], 4);
	}
	return fam;
}

static uint16_t jc_port(struct jc_gen *g)
{
	return jc_rnd(g, 2) ? (uint16_t)jc_num(g) : (uint16_t)jc_rnd(g, 65536);
}

static void jc_add_sockaddr(struct jc_gen *g, bool tuple)
{
	uint8_t p[128], a[16];
	size_t n = 0;
	uint32_t r = jc_rnd(g, 10);
	if (r == 0) {
		const char *path = jc_str(g, &g->path);
		p[n++] = FK_AF_UNIX;
		if (tuple) {
			uint64_t x = jc_rnd64(g), y = jc_rnd64(g);
			memcpy(p + n, &x, 8);
			memcpy(p + n + 8, &y, 8);
			n += 16;
		}
		size_t l = strlen(path);
		if (l > sizeof(p) - n - 1)
			l = sizeof(p) - n - 1;
		memcpy(p + n, path, l);
		n += l;
		p[n++] = 0;
	} else {
		int fam = jc_ip(g, a);
		p[n++] = (uint8_t)fam;
		size_t al = fam == FK_AF_INET ? 4 : 16;
		for (int side = 0; side < (tuple ? 2 : 1); side++) {
			if (side)
				fam == jc_ip(g, a) ? (void)0 : (void)memset(a, 0, 16);
			memcpy(p + n, a, al);
			n += al;
			uint16_t port = jc_port(g);
			memcpy(p + n, &port, 2);
			n += 2;
		}
	}
	rt_event_builder_add(&g->b, p, (uint16_t)n);
}

/* NUL-separated strings, as CHARBUFARRAY. */
static void jc_add_array(struct jc_gen *g, const char *pname)
{
	char tmp[1024];
	size_t n = 0;
	unsigned k = 1 + jc_rnd(g, 4);
	for (unsigned i = 0; i < k; i++) {
		const char *s;
		if (strcmp(pname, "cgroups") == 0)
			s = jc_rnd(g, 2) ? "cpuset=/" : "cpuset=/docker/3ad7f1c2e9b0aa";
		else if (strcmp(pname, "env") == 0)
			s = jc_rnd(g, 2) ? jc_str(g, &g->env) : "HOME=/root";
		else
			s = jc_str(g, &g->cmd);
		size_t l = strlen(s);
		if (n + l + 1 > sizeof(tmp))
			break;
		memcpy(tmp + n, s, l + 1);
		n += l + 1;
	}
	rt_event_builder_add(&g->b, tmp, (uint16_t)n);
}

static const struct jc_pool *jc_pool_for(struct jc_gen *g, const char *pname)
{
	if (strcmp(pname, "comm") == 0 || strcmp(pname, "exe") == 0)
		return &g->proc;
	if (strcmp(pname, "cwd") == 0)
		return &g->dir;
	if (strcmp(pname, "data") == 0 || strcmp(pname, "ID") == 0)
		return &g->all;
	return &g->path;
}

static void jc_add_param(struct jc_gen *g, const struct rt_param_info *pi, int64_t *res)
{
	switch (pi->type) {
	case FK_PT_CHARBUF:
	case FK_PT_FSPATH:
	case FK_PT_FSRELPATH: {
		if (strcmp(pi->name, "ID") == 0 && g->evts.n && jc_rnd(g, 2)) {
			rt_event_builder_add_str(&g->b, jc_pick(g, &g->evts));
			return;
		}
		const char *s = jc_str(g, jc_pool_for(g, pi->name));
		if (jc_rnd(g, 50) == 0) { /* a NUL inside */
			char tmp[256];
			size_t l = strlen(s) < 200 ? strlen(s) : 200;
			memcpy(tmp, s, l);
			memcpy(tmp + l, "\0tail", 6);
			rt_event_builder_add(&g->b, tmp, (uint16_t)(l + 6));
			return;
		}
		if (jc_rnd(g, 40) == 0) {
			rt_event_builder_add_empty(&g->b);
			return;
		}
		if (jc_rnd(g, 40) == 0 && strlen(s) < 200) {
			/* pmatch and in-place evt.arg borders: a trailing slash, or the path made
			 * relative (rendered against the cwd or dirfd) */
			char tmp[256];
			if (s[0] == '/' && jc_rnd(g, 2))
				snprintf(tmp, sizeof(tmp), "%s", s + 1);
			else
				snprintf(tmp, sizeof(tmp), "%s/", s);
			rt_event_builder_add_str(&g->b, tmp);
			return;
		}
		rt_event_builder_add_str(&g->b, s);
		return;
	}
	case FK_PT_BYTEBUF: {
		uint8_t tmp[64];
		size_t n = jc_rnd(g, sizeof(tmp));
		if (jc_rnd(g, 2)) {
			const char *s = jc_str(g, &g->all);
			n = strlen(s) < sizeof(tmp) ? strlen(s) : sizeof(tmp);
			memcpy(tmp, s, n);
		} else {
			for (size_t i = 0; i < n; i++)
				tmp[i] = (uint8_t)(jc_rnd(g, 3) ? jc_rnd64(g) : 0);
		}
		rt_event_builder_add(&g->b, tmp, (uint16_t)n);
		return;
	}
	case FK_PT_CHARBUFARRAY:
		jc_add_array(g, pi->name);
		return;
	case FK_PT_SOCKADDR:
		jc_add_sockaddr(g, false);
		return;
	case FK_PT_SOCKTUPLE:
		jc_add_sockaddr(g, true);
		return;
	case FK_PT_FD: {
		int64_t fd = jc_rnd(g, 4) ? (int64_t)jc_rnd(g, 24) : jc_rnd(g, 2) ? -100 : -1;
		if (*res == INT64_MIN)
			*res = fd;
		rt_event_builder_add_u64(&g->b, (uint64_t)fd, 8);
		return;
	}
	case FK_PT_PID: {
		int64_t pid = jc_rnd(g, 8) ? 1 + (int64_t)jc_rnd(g, JC_NTHREADS) : (int64_t)jc_num(g);
		if (*res == INT64_MIN)
			*res = pid;
		rt_event_builder_add_u64(&g->b, (uint64_t)pid, 8);
		return;
	}
	case FK_PT_ERRNO: {
		int64_t e = jc_rnd(g, 3) ? 0 : jc_rnd(g, 2) ? -(int64_t)jc_rnd(g, 40) : jc_rnd(g, 24);
		if (*res == INT64_MIN)
			*res = e;
		rt_event_builder_add_u64(&g->b, (uint64_t)e, 8);
		return;
	}
	case FK_PT_INT8:
	case FK_PT_UINT8:
	case FK_PT_FLAGS8:
	case FK_PT_SIGTYPE:
		rt_event_builder_add_u64(&g->b, jc_num(g), 1);
		return;
	case FK_PT_INT16:
	case FK_PT_UINT16:
	case FK_PT_FLAGS16:
		rt_event_builder_add_u64(&g->b, jc_num(g), 2);
		return;
	case FK_PT_INT32:
	case FK_PT_UINT32:
	case FK_PT_FLAGS32:
	case FK_PT_MODE:
	case FK_PT_UID:
	case FK_PT_GID:
		rt_event_builder_add_u64(&g->b, jc_rnd(g, 3) ? jc_num(g) : jc_rnd64(g), 4);
		return;
	default:
		rt_event_builder_add_u64(&g->b, jc_num(g), 8);
		return;
	}
}

void jc_gen_seed_state(struct jc_gen *g, struct rt_state *st)
{
	rt_state_set_hostname(st, "jit-corpus");
	rt_state_add_user(st, 0, 0, "root", "/root", "/bin/bash");
	rt_state_add_user(st, 1000, 1000, g->user.n ? jc_pick(g, &g->user) : "alice", "/home/a",
			  "/bin/sh");
	rt_state_add_group(st, 0, "root");
	for (int64_t tid = 1; tid <= JC_NTHREADS; tid++) {
		struct rt_thread t = { 0 };
		t.tid = t.pid = tid;
		t.ptid = tid > 1 ? 1 + (int64_t)jc_rnd(g, (uint32_t)(tid - 1)) : 0;
		t.vtid = t.vpid = -1;
		t.sid = t.pgid = tid;
		snprintf(t.comm, sizeof(t.comm), "%s", jc_str(g, &g->proc));
		char exe[256], exepath[256], cwd[256], args[512];
		snprintf(exe, sizeof(exe), "%s", jc_str(g, &g->proc));
		snprintf(exepath, sizeof(exepath), "/usr/bin/%s", t.comm);
		snprintf(cwd, sizeof(cwd), "%s", jc_rnd(g, 2) ? "/" : jc_str(g, &g->dir));
		const char *a = jc_str(g, &g->cmd);
		size_t al = strlen(a) < 500 ? strlen(a) : 500;
		memcpy(args, a, al);
		args[al] = '\0';
		t.exe = exe;
		t.exepath = exepath;
		t.args = args;
		t.args_len = al + 1;
		t.cwd = cwd;
		t.uid = t.euid = jc_rnd(g, 2) ? 0 : 1000;
		t.loginuid = jc_rnd(g, 2) ? UINT32_MAX : 1000;
		t.container_id = (char *)(jc_rnd(g, 3) ? "host" : g->cont.n ? jc_pick(g, &g->cont)
									     : "3ad7f1c2e9b0");
		rt_state_add_thread(st, &t);
	}
}

const struct fk_event_hdr *jc_gen_next(struct jc_gen *g)
{
	int type = -1;
	uint32_t r = jc_rnd(g, 100);
	if (r < 35 && g->evts.n)
		type = rt_event_type_lookup(jc_pick(g, &g->evts), jc_rnd(g, 20) == 0);
	if (type < 0) {
		do
			type = (int)jc_rnd(g, FK_EVENT_COUNT);
		while ((rt_event_info((unsigned)type)->flags & FK_EF_ENTER) && jc_rnd(g, 4));
	}
	const struct rt_event_info *info = rt_event_info((unsigned)type);
	uint32_t tid = 1 + jc_rnd(g, JC_NTHREADS);
	g->ts += 1 + jc_rnd(g, 100000);
	/* res is written into the header first; parameters are made, then the header fixed */
	rt_event_builder_begin(&g->b, (unsigned)type, g->ts, tid, tid, 0);
	int64_t res = INT64_MIN;
	for (unsigned i = 0; i < info->nparams; i++) {
		if (jc_rnd(g, 60) == 0 && i + 1 == info->nparams)
			break; /* a parameter missing at the end */
		jc_add_param(g, &info->params[i], &res);
	}
	struct fk_event_hdr *h = (struct fk_event_hdr *)rt_event_builder_finish(&g->b);
	h->res = res == INT64_MIN ? 0 : res;
	return h;
}
