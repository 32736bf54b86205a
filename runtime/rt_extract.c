/* SPDX-License-Identifier: Apache-2.0 */
/* rt_extract.c - field extraction for the reference interpreter: the value of every
 * syscall-source field of compiler/fc_fields.def for one event, with the field's argument and
 * transformers, and the text Falco prints for each value. Values are computed lazily and
 * cached per event; strings borrow the event or state, or live in the per-event arena.
 *
 * k8s_audit fields: the evt.* fields every source has are here; ka.*, json.* and jevt.* are
 * rt_k8s.c's, for the audit event set in the context (RT_V_NA on any other event). Fields
 * whose data the event model does not carry (CPU, page faults, memory, k8s and container
 * runtime metadata, DNS names) are RT_V_NA too, as Falco prints them when it lacks the data.
 * Operators and dispatch do not belong here (rt_eval.c), nor alert layout (rt_output.c). */
#define _GNU_SOURCE
#include "runtime/rt_engine.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_k8s.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* --- the context and its scratch arena ----------------------------------------------------- */

void rt_ctx_init(struct rt_ctx *c, struct rt_state *s)
{
	memset(c, 0, sizeof(*c));
	c->state = s;
	c->prep = rt_prep_table_new();
	c->own_prep = true;
}

void rt_ctx_fini(struct rt_ctx *c)
{
	for (struct rt_chunk *k = c->chunks, *next; k; k = next) {
		next = k->next;
		free(k);
	}
	if (c->own_prep)
		rt_prep_table_free(c->prep);
	memset(c, 0, sizeof(*c));
}

void rt_ctx_begin(struct rt_ctx *c, struct rt_event *ev)
{
	c->ev = ev;
	c->k8s = NULL;
	c->gen++;
	for (struct rt_chunk *k = c->chunks; k; k = k->next)
		k->used = 0;
	c->cur = c->chunks;
	uint64_t ts = ev && ev->hdr ? ev->hdr->ts_ns : 0;
	if (!c->first_ts)
		c->first_ts = ts;
	if (ts != c->last_ts || c->gen == 1) {
		c->prev_ts = c->last_ts ? c->last_ts : ts;
		c->last_ts = ts;
	}
}

void *rt_ctx_alloc(struct rt_ctx *c, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	while (c->cur && c->cur->used + n > c->cur->cap)
		c->cur = c->cur->next;
	if (!c->cur) {
		size_t cap = n > 64 * 1024 ? n : 64 * 1024;
		struct rt_chunk *k = malloc(sizeof(*k) + cap);
		if (!k)
			abort();
		k->cap = cap;
		k->used = 0;
		/* append at the end so that rewinding visits chunks in order */
		k->next = NULL;
		struct rt_chunk **p = &c->chunks;
		while (*p)
			p = &(*p)->next;
		*p = k;
		c->cur = k;
	}
	void *r = c->cur->data + c->cur->used;
	c->cur->used += n;
	return r;
}

char *rt_ctx_strndup(struct rt_ctx *c, const char *s, size_t n)
{
	char *r = rt_ctx_alloc(c, n + 1);
	if (n)
		memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *rt_ctx_printf(struct rt_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return rt_ctx_strndup(c, "", 0);
	char *r = rt_ctx_alloc(c, (size_t)n + 1);
	if ((size_t)n < sizeof(tmp)) {
		memcpy(r, tmp, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(r, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return r;
}

void rt_sb_init(struct rt_sb *b, struct rt_ctx *c)
{
	b->c = c;
	b->cap = 64;
	b->s = rt_ctx_alloc(c, b->cap);
	b->len = 0;
	b->s[0] = '\0';
}

void rt_sb_add(struct rt_sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap * 2;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *ns = rt_ctx_alloc(b->c, cap);
		memcpy(ns, b->s, b->len);
		b->s = ns;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void rt_sb_adds(struct rt_sb *b, const char *s)
{
	rt_sb_add(b, s, strlen(s));
}

void rt_sb_addc(struct rt_sb *b, char ch)
{
	rt_sb_add(b, &ch, 1);
}

void rt_sb_printf(struct rt_sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		rt_sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

struct rt_event *rt_ctx_event(struct rt_ctx *c)
{
	return c->ev;
}

struct rt_state *rt_ctx_state(struct rt_ctx *c)
{
	return c->state;
}

/* --- value helpers ------------------------------------------------------------------------- */

static int vcstr(struct rt_value *v, const char *s)
{
	return s ? rt_vstr(v, s, strlen(s)) : rt_na(v);
}

static int vu64(struct rt_value *v, uint64_t u)
{
	v->kind = RT_V_U64;
	v->u = u;
	return 0;
}

static int vs64(struct rt_value *v, int64_t i)
{
	v->kind = RT_V_S64;
	v->i = i;
	return 0;
}

static int vbool(struct rt_value *v, bool b)
{
	v->kind = RT_V_BOOL;
	v->b = b;
	return 0;
}

static int vip(struct rt_value *v, uint8_t family, const uint8_t *addr)
{
	if (family != FK_AF_INET && family != FK_AF_INET6)
		return rt_na(v);
	v->kind = RT_V_IP;
	v->ip.family = family;
	v->ip.prefix = family == FK_AF_INET ? 32 : 128;
	memset(v->ip.addr, 0, 16);
	memcpy(v->ip.addr, addr, family == FK_AF_INET ? 4 : 16);
	return 0;
}

const char *rt_errno_name(int64_t err)
{
	/* range first: negating INT64_MIN is undefined */
	if (err == 0 || err < -4095 || err > 4095)
		return NULL;
	if (err < 0)
		err = -err;
	return strerrorname_np((int)err);
}

void rt_format_ip(char *buf, size_t len, uint8_t family, const uint8_t *addr)
{
	if (!inet_ntop(family == FK_AF_INET ? AF_INET : AF_INET6, addr, buf, (socklen_t)len))
		snprintf(buf, len, "<NA>");
}

bool rt_parse_net(const char *s, struct rt_value *out)
{
	char ip[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(ip))
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	memset(out, 0, sizeof(*out));
	int max;
	if (inet_pton(AF_INET, ip, out->ip.addr) == 1) {
		out->ip.family = FK_AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, ip, out->ip.addr) == 1) {
		out->ip.family = FK_AF_INET6;
		max = 128;
	} else {
		return false;
	}
	long bits = max;
	if (slash) {
		char *end;
		bits = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || bits < 0 || bits > max)
			return false;
	}
	out->kind = slash ? RT_V_NET : RT_V_IP;
	out->ip.prefix = (uint8_t)bits;
	return true;
}

/* --- event parameters ---------------------------------------------------------------------- */

static int64_t rd_s(const uint8_t *p, uint16_t len)
{
	switch (len) {
	case 1:
		return (int8_t)p[0];
	case 2: {
		int16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		int32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	case 8: {
		int64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
	return 0;
}

static uint64_t rd_u(const uint8_t *p, uint16_t len)
{
	switch (len) {
	case 1:
		return p[0];
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	case 8: {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
	return 0;
}

static bool pt_signed(enum fk_param_type t)
{
	switch (t) {
	case FK_PT_INT8:
	case FK_PT_INT16:
	case FK_PT_INT32:
	case FK_PT_INT64:
	case FK_PT_FD:
	case FK_PT_PID:
	case FK_PT_ERRNO:
		return true;
	default:
		return false;
	}
}

static bool pt_numeric(enum fk_param_type t)
{
	return t >= FK_PT_INT8 && t <= FK_PT_ABSTIME;
}

static bool pt_string(enum fk_param_type t)
{
	return t == FK_PT_CHARBUF || t == FK_PT_FSPATH || t == FK_PT_FSRELPATH;
}

/* A parameter's index from the argument of evt.arg: a number, or a name. */
static int param_lookup(const struct rt_event *ev, const struct fc_str *a)
{
	if (!a || !ev->info)
		return -1;
	bool digits = a->len > 0;
	for (size_t i = 0; i < a->len; i++)
		if (a->s[i] < '0' || a->s[i] > '9')
			digits = false;
	if (digits) {
		long i = strtol(a->s, NULL, 10);
		return i < (long)ev->info->nparams ? (int)i : -1;
	}
	return rt_event_param_index(ev->hdr->type, a->s);
}

static const char *str_param(const struct rt_event *ev, const char *name)
{
	return rt_param_str(ev, name);
}

/* Open flags as events carry them: libsinsp's PPM_O_* encoding (bpf/fk_events.def). */
#define PPM_O_RDONLY (1 << 0)
#define PPM_O_WRONLY (1 << 1)
#define PPM_O_RDWR (PPM_O_RDONLY | PPM_O_WRONLY)
#define PPM_O_CREAT (1 << 2)
#define PPM_O_APPEND (1 << 3)
#define PPM_O_DSYNC (1 << 4)
#define PPM_O_EXCL (1 << 5)
#define PPM_O_NONBLOCK (1 << 6)
#define PPM_O_SYNC (1 << 7)
#define PPM_O_TRUNC (1 << 8)
#define PPM_O_DIRECT (1 << 9)
#define PPM_O_DIRECTORY (1 << 10)
#define PPM_O_LARGEFILE (1 << 11)
#define PPM_O_CLOEXEC (1 << 12)
#define PPM_O_TMPFILE (1 << 13)

struct rt_flag_name {
	const char *name;
	uint32_t value;
};

/* libsinsp's order, which decides how names are joined. */
static const struct rt_flag_name open_flag_names[] = {
    {"O_LARGEFILE", PPM_O_LARGEFILE}, {"O_DIRECTORY", PPM_O_DIRECTORY},
    {"O_DIRECT", PPM_O_DIRECT},       {"O_TRUNC", PPM_O_TRUNC},
    {"O_SYNC", PPM_O_SYNC},           {"O_NONBLOCK", PPM_O_NONBLOCK},
    {"O_EXCL", PPM_O_EXCL},           {"O_DSYNC", PPM_O_DSYNC},
    {"O_APPEND", PPM_O_APPEND},       {"O_CREAT", PPM_O_CREAT},
    {"O_RDWR", PPM_O_RDWR},           {"O_WRONLY", PPM_O_WRONLY},
    {"O_RDONLY", PPM_O_RDONLY},       {"O_CLOEXEC", PPM_O_CLOEXEC},
    {"O_TMPFILE", PPM_O_TMPFILE},     {NULL, 0},
};

static const struct rt_flag_name at_flag_names[] = {
    {"AT_REMOVEDIR", 0x200},
    {"AT_SYMLINK_FOLLOW", 0x400},
    {"AT_EMPTY_PATH", 0x1000},
    {"AT_SYMLINK_NOFOLLOW", 0x100},
    {NULL, 0},
};

/* PPM_PROT_* */
static const struct rt_flag_name prot_flag_names[] = {
    {"PROT_READ", 1 << 0}, {"PROT_WRITE", 1 << 1},     {"PROT_EXEC", 1 << 2},
    {"PROT_SEM", 1 << 3},  {"PROT_GROWSDOWN", 1 << 4}, {"PROT_GROWSUP", 1 << 5},
    {"PROT_SAO", 1 << 6},  {"PROT_NONE", 0},           {NULL, 0},
};

/* PPM_CL_*, in libsinsp's order */
static const struct rt_flag_name clone_flag_names[] = {
    {"CLONE_FILES", 1u << 0},
    {"CLONE_FS", 1u << 1},
    {"CLONE_IO", 1u << 2},
    {"CLONE_NEWIPC", 1u << 3},
    {"CLONE_NEWNET", 1u << 4},
    {"CLONE_NEWNS", 1u << 5},
    {"CLONE_NEWPID", 1u << 6},
    {"CLONE_NEWUTS", 1u << 7},
    {"CLONE_PARENT", 1u << 8},
    {"CLONE_PARENT_SETTID", 1u << 9},
    {"CLONE_PTRACE", 1u << 10},
    {"CLONE_SIGHAND", 1u << 11},
    {"CLONE_SYSVSEM", 1u << 12},
    {"CLONE_THREAD", 1u << 13},
    {"CLONE_UNTRACED", 1u << 14},
    {"CLONE_VM", 1u << 15},
    {"CLONE_INVERTED", 1u << 16},
    {"NAME_CHANGED", 1u << 17},
    {"CLOSED", 1u << 18},
    {"ACTIVE", 1u << 19},
    {"CLONE_NEWUSER", 1u << 20},
    {"PIPE_SRC", 1u << 21},
    {"PIPE_DST", 1u << 22},
    {"CLONE_CHILD_CLEARTID", 1u << 23},
    {"CLONE_CHILD_SETTID", 1u << 24},
    {"CLONE_SETTLS", 1u << 25},
    {"CLONE_STOPPED", 1u << 26},
    {"CLONE_VFORK", 1u << 27},
    {"CLONE_NEWCGROUP", 1u << 28},
    {"CHILD_IN_PIDNS", 1u << 29},
    {"IS_MAIN_THREAD", 1u << 30},
    {NULL, 0},
};

/* ptrace requests in Falco's PPM_PTRACE_* numbering (the capture converts the kernel's). */
static const struct rt_flag_name ptrace_request_names[] = {
    {"PTRACE_TRACEME", 1},           {"PTRACE_PEEKTEXT", 2},       {"PTRACE_PEEKDATA", 3},
    {"PTRACE_PEEKUSR", 4},           {"PTRACE_POKETEXT", 5},       {"PTRACE_POKEDATA", 6},
    {"PTRACE_POKEUSR", 7},           {"PTRACE_CONT", 8},           {"PTRACE_KILL", 9},
    {"PTRACE_SINGLESTEP", 10},       {"PTRACE_ATTACH", 11},        {"PTRACE_DETACH", 12},
    {"PTRACE_SYSCALL", 13},          {"PTRACE_SETOPTIONS", 14},    {"PTRACE_GETEVENTMSG", 15},
    {"PTRACE_GETSIGINFO", 16},       {"PTRACE_SETSIGINFO", 17},    {"PTRACE_GETREGSET", 18},
    {"PTRACE_SETREGSET", 19},        {"PTRACE_SEIZE", 20},         {"PTRACE_INTERRUPT", 21},
    {"PTRACE_LISTEN", 22},           {"PTRACE_PEEKSIGINFO", 23},   {"PTRACE_GETSIGMASK", 24},
    {"PTRACE_SETSIGMASK", 25},       {"PTRACE_GETREGS", 26},       {"PTRACE_SETREGS", 27},
    {"PTRACE_GETFPREGS", 28},        {"PTRACE_SETFPREGS", 29},     {"PTRACE_GETFPXREGS", 30},
    {"PTRACE_SETFPXREGS", 31},       {"PTRACE_OLDSETOPTIONS", 32}, {"PTRACE_GET_THREAD_AREA", 33},
    {"PTRACE_SET_THREAD_AREA", 34},  {"PTRACE_ARCH_PRCTL", 35},    {"PTRACE_SYSEMU", 36},
    {"PTRACE_SYSEMU_SINGLESTEP", 37}, {"PTRACE_SINGLEBLOCK", 38},  {NULL, 0},
};

/* execve's flags: what Falco knows about the executable (RT_EXE_* in rt_state.h). */
static const struct rt_flag_name exe_flag_names[] = {
    {"EXE_WRITABLE", 1 << 0},
    {"EXE_UPPER_LAYER", 1 << 1},
    {"EXE_FROM_MEMFD", 1 << 2},
    {"EXE_LOWER_LAYER", 1 << 3},
    {NULL, 0},
};

static const struct rt_flag_name domain_names[] = {
    {"AF_UNIX", 1},     {"AF_INET", 2},    {"AF_INET6", 10},
    {"AF_NETLINK", 16}, {"AF_PACKET", 17}, {NULL, 0},
};

/* The flag table for a parameter, or NULL when Falco prints no names for it. */
static const struct rt_flag_name *flag_table(const struct rt_event *ev, const char *pname,
                                             bool *enumerated)
{
	*enumerated = false;
	unsigned t = ev->hdr->type;
	if (strcmp(pname, "flags") == 0) {
		switch (t) {
		case FK_EVENT_OPEN:
		case FK_EVENT_OPENAT:
		case FK_EVENT_OPENAT2:
		case FK_EVENT_OPEN_BY_HANDLE_AT:
			return open_flag_names;
		case FK_EVENT_EXECVE:
		case FK_EVENT_EXECVEAT:
			return exe_flag_names;
		case FK_EVENT_UNLINKAT:
		case FK_EVENT_LINKAT:
		case FK_EVENT_FCHOWNAT:
			return at_flag_names;
		case FK_EVENT_CLONE:
		case FK_EVENT_CLONE3:
		case FK_EVENT_FORK:
		case FK_EVENT_VFORK:
		case FK_EVENT_UNSHARE:
			return clone_flag_names;
		case FK_EVENT_DUP3:
		case FK_EVENT_PIPE2:
		case FK_EVENT_MEMFD_CREATE:
		case FK_EVENT_ACCEPT4:
			return NULL;
		}
	}
	if (strcmp(pname, "prot") == 0)
		return prot_flag_names;
	if (strcmp(pname, "domain") == 0) {
		*enumerated = true;
		return domain_names;
	}
	if (strcmp(pname, "request") == 0 && t == FK_EVENT_PTRACE) {
		*enumerated = true;
		return ptrace_request_names;
	}
	if (strcmp(pname, "nstype") == 0)
		return clone_flag_names;
	return NULL;
}

static bool is_open_event(unsigned t)
{
	return t == FK_EVENT_OPEN || t == FK_EVENT_OPENAT || t == FK_EVENT_OPENAT2 ||
	       t == FK_EVENT_OPEN_BY_HANDLE_AT;
}

/* The raw value of a numeric parameter (flags are in Falco's encodings already). */
static uint64_t param_number(const struct rt_event *ev, int i, bool *is_signed)
{
	const struct rt_param_info *pi = &ev->info->params[i];
	*is_signed = pt_signed(pi->type);
	if (*is_signed)
		return (uint64_t)rd_s(ev->param[i], ev->plen[i]);
	return rd_u(ev->param[i], ev->plen[i]);
}

static void flags_render(struct rt_sb *b, const struct rt_flag_name *tab, bool enumerated,
                         uint64_t v)
{
	size_t start = b->len;
	uint64_t left = v;
	if (v == 0) {
		for (const struct rt_flag_name *f = tab; f->name; f++)
			if (f->value == 0) {
				rt_sb_adds(b, f->name);
				return;
			}
		return;
	}
	for (const struct rt_flag_name *f = tab; f->name; f++) {
		bool hit = enumerated ? v == f->value : f->value && (left & f->value) == f->value;
		if (!hit)
			continue;
		if (b->len > start)
			rt_sb_addc(b, '|');
		rt_sb_adds(b, f->name);
		left &= ~(uint64_t)f->value;
		if (enumerated)
			break;
	}
}

static const char *thread_comm(struct rt_ctx *c, int64_t pid)
{
	struct rt_thread *t = c->state ? rt_thread_lookup(c->state, pid) : NULL;
	return t ? t->comm : NULL;
}

static void sockaddr_render(struct rt_sb *b, const uint8_t *p, uint16_t len)
{
	char ip[64];
	if (len < 1)
		return;
	switch (p[0]) {
	case FK_AF_INET:
		if (len >= 7) {
			uint16_t port;
			memcpy(&port, p + 5, 2);
			rt_format_ip(ip, sizeof(ip), FK_AF_INET, p + 1);
			rt_sb_printf(b, "%s:%u", ip, port);
		}
		break;
	case FK_AF_INET6:
		if (len >= 19) {
			uint16_t port;
			memcpy(&port, p + 17, 2);
			rt_format_ip(ip, sizeof(ip), FK_AF_INET6, p + 1);
			rt_sb_printf(b, "%s:%u", ip, port);
		}
		break;
	case FK_AF_UNIX:
		rt_sb_add(b, (const char *)p + 1, strnlen((const char *)p + 1, len - 1u));
		break;
	}
}

static void socktuple_render(struct rt_sb *b, const uint8_t *p, uint16_t len)
{
	char s[64], d[64];
	uint16_t sp, dp;
	if (len < 1)
		return;
	switch (p[0]) {
	case FK_AF_INET:
		if (len < 13)
			return;
		memcpy(&sp, p + 5, 2);
		memcpy(&dp, p + 11, 2);
		rt_format_ip(s, sizeof(s), FK_AF_INET, p + 1);
		rt_format_ip(d, sizeof(d), FK_AF_INET, p + 7);
		rt_sb_printf(b, "%s:%u->%s:%u", s, sp, d, dp);
		break;
	case FK_AF_INET6:
		if (len < 37)
			return;
		memcpy(&sp, p + 17, 2);
		memcpy(&dp, p + 35, 2);
		rt_format_ip(s, sizeof(s), FK_AF_INET6, p + 1);
		rt_format_ip(d, sizeof(d), FK_AF_INET6, p + 19);
		rt_sb_printf(b, "%s:%u->%s:%u", s, sp, d, dp);
		break;
	case FK_AF_UNIX:
		if (len < 17)
			return;
		uint64_t a, z;
		memcpy(&a, p + 1, 8);
		memcpy(&z, p + 9, 8);
		rt_sb_printf(b, "%" PRIx64 "->%" PRIx64 " ", a, z);
		rt_sb_add(b, (const char *)p + 17, strnlen((const char *)p + 17, len - 17u));
		break;
	}
}

/* Bytes as libsinsp prints buffers by default: printable ASCII as is, others as '.'. */
static void bytes_render(struct rt_sb *b, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		rt_sb_addc(b, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.');
}

static const char *abs_path(struct rt_ctx *c, const char *dirpart, const char *name);
static const char *fd_resolve_dir(struct rt_ctx *c, int64_t dirfd);

/* Renders parameter i as Falco does: the value, and separately its resolution (fd name,
 * errno name, flag names, user name...) or "" when it has none. */
/* The name a uid or gid parameter resolves to: the user's or group's, "root" for 0 without
 * one, else "<NA>". */
static const char *id_name(struct rt_ctx *c, bool uid, uint32_t id)
{
	const char *name = NULL;
	if (uid) {
		const struct rt_user *u = c->state ? rt_state_user(c->state, id) : NULL;
		name = u ? u->name : NULL;
	} else {
		const struct rt_group *g = c->state ? rt_state_group(c->state, id) : NULL;
		name = g ? g->name : NULL;
	}
	return name ? name : id == 0 ? "root" : "<NA>";
}

static void param_render(struct rt_ctx *c, int i, const char **val, const char **res)
{
	const struct rt_event *ev = c->ev;
	const struct rt_param_info *pi = &ev->info->params[i];
	const uint8_t *p = ev->param[i];
	uint16_t len = ev->plen[i];
	struct rt_sb v, r;
	rt_sb_init(&v, c);
	rt_sb_init(&r, c);
	if (len == 0) {
		*val = "<NA>";
		*res = "";
		return;
	}
	bool sg;
	switch (pi->type) {
	case FK_PT_INT8:
	case FK_PT_INT16:
	case FK_PT_INT32:
	case FK_PT_INT64:
		rt_sb_printf(&v, "%" PRId64, rd_s(p, len));
		break;
	case FK_PT_UINT8:
	case FK_PT_UINT16:
	case FK_PT_UINT32:
	case FK_PT_UINT64:
	case FK_PT_RELTIME:
	case FK_PT_ABSTIME:
		rt_sb_printf(&v, "%" PRIu64, rd_u(p, len));
		break;
	case FK_PT_FD: {
		int64_t fd = rd_s(p, len);
		rt_sb_printf(&v, "%" PRId64, fd);
		if (fd == -100) {
			rt_sb_adds(&r, "AT_FDCWD");
		} else if (fd < 0) {
			const char *e = rt_errno_name(fd);
			if (e)
				rt_sb_adds(&r, e);
		} else if (ev->thread) {
			struct rt_fd *f = rt_fd_lookup(ev->thread, fd);
			if (f && f->name)
				rt_sb_printf(&r, "<%c>%s", f->type, f->name);
		}
		break;
	}
	case FK_PT_PID: {
		int64_t pid = rd_s(p, len);
		rt_sb_printf(&v, "%" PRId64, pid);
		const char *comm = pid > 0 ? thread_comm(c, pid) : NULL;
		if (comm)
			rt_sb_adds(&r, comm);
		break;
	}
	case FK_PT_ERRNO: {
		int64_t e = rd_s(p, len);
		rt_sb_printf(&v, "%" PRId64, e);
		const char *n = e < 0 ? rt_errno_name(e) : NULL;
		if (n)
			rt_sb_adds(&r, n);
		break;
	}
	case FK_PT_FLAGS8:
	case FK_PT_FLAGS16:
	case FK_PT_FLAGS32: {
		uint64_t u = param_number(ev, i, &sg);
		rt_sb_printf(&v, "%" PRIu64, u);
		bool en;
		const struct rt_flag_name *tab = flag_table(ev, pi->name, &en);
		if (tab)
			flags_render(&r, tab, en, u);
		break;
	}
	case FK_PT_MODE:
		rt_sb_printf(&v, "%#" PRIo64, rd_u(p, len));
		break;
	case FK_PT_UID:
	case FK_PT_GID: {
		uint32_t id = (uint32_t)rd_u(p, len);
		rt_sb_printf(&v, "%u", id);
		rt_sb_adds(&r, id_name(c, pi->type == FK_PT_UID, id));
		break;
	}
	case FK_PT_SIGTYPE: {
		unsigned sig = (unsigned)rd_u(p, len);
		rt_sb_printf(&v, "%u", sig);
		const char *n = sigabbrev_np((int)sig);
		if (n)
			rt_sb_printf(&r, "SIG%s", n);
		break;
	}
	case FK_PT_CHARBUF:
	case FK_PT_FSPATH:
	case FK_PT_FSRELPATH: {
		size_t n = strnlen((const char *)p, len);
		rt_sb_add(&v, (const char *)p, n);
		if (pi->type != FK_PT_CHARBUF && n && p[0] != '/') {
			const char *base = NULL;
			if (pi->type == FK_PT_FSRELPATH) {
				/* the dirfd is the parameter just before the path */
				if (i > 0 && ev->info->params[i - 1].type == FK_PT_FD &&
				    ev->plen[i - 1])
					base = fd_resolve_dir(
					    c, rd_s(ev->param[i - 1], ev->plen[i - 1]));
			} else if (ev->thread) {
				base = rt_thread_cwd(c->state, ev->thread);
			}
			if (base)
				rt_sb_adds(&r, abs_path(c, base, v.s));
		}
		break;
	}
	case FK_PT_BYTEBUF:
		bytes_render(&v, p, len);
		break;
	case FK_PT_CHARBUFARRAY: {
		size_t n = len;
		if (n && p[n - 1] == '\0')
			n--;
		bytes_render(&v, p, n);
		break;
	}
	case FK_PT_SOCKADDR:
		sockaddr_render(&v, p, len);
		break;
	case FK_PT_SOCKTUPLE:
		socktuple_render(&v, p, len);
		break;
	default:
		break;
	}
	*val = v.s;
	*res = r.s;
}

/* evt.args: "name=value(resolved) " for every parameter, as libsinsp joins them. */
static const char *args_render(struct rt_ctx *c)
{
	struct rt_sb b;
	rt_sb_init(&b, c);
	const struct rt_event *ev = c->ev;
	for (unsigned i = 0; i < ev->nparams && i < ev->info->nparams; i++) {
		const char *val, *res;
		param_render(c, (int)i, &val, &res);
		rt_sb_adds(&b, ev->info->params[i].name);
		rt_sb_addc(&b, '=');
		rt_sb_adds(&b, val);
		if (*res) {
			rt_sb_addc(&b, '(');
			rt_sb_adds(&b, res);
			rt_sb_addc(&b, ')');
		}
		rt_sb_addc(&b, ' ');
	}
	return b.s;
}

/* --- paths --------------------------------------------------------------------------------- */

/* dir + "/" + name, with "." and ".." components resolved, as libsinsp concatenates paths. */
static const char *abs_path(struct rt_ctx *c, const char *dir, const char *name)
{
	if (name[0] == '/')
		dir = "";
	size_t dl = strlen(dir), nl = strlen(name);
	char *tmp = rt_ctx_alloc(c, dl + nl + 2);
	memcpy(tmp, dir, dl);
	tmp[dl] = '/';
	memcpy(tmp + dl + 1, name, nl + 1);
	char *out = rt_ctx_alloc(c, dl + nl + 3);
	size_t o = 0;
	const char *s = tmp;
	while (*s) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 0)
			break;
		if (n == 1 && s[0] == '.') {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

static const char *fd_resolve_dir(struct rt_ctx *c, int64_t dirfd)
{
	struct rt_thread *t = c->ev->thread;
	if (!t)
		return NULL;
	if (dirfd == -100)
		return rt_thread_cwd(c->state, t);
	struct rt_fd *f = rt_fd_lookup(t, dirfd);
	return f && f->name ? f->name : NULL;
}

/* A path parameter made absolute: FSPATH against the cwd, FSRELPATH against its dirfd. */
static const char *path_param_abs(struct rt_ctx *c, const char *pname, const char *dirfd_name)
{
	const char *p = str_param(c->ev, pname);
	if (!p)
		return NULL;
	if (p[0] == '/')
		return abs_path(c, "", p);
	const char *base = NULL;
	int64_t dfd;
	if (dirfd_name && rt_param_s64(c->ev, dirfd_name, &dfd))
		base = fd_resolve_dir(c, dfd);
	else if (c->ev->thread)
		base = rt_thread_cwd(c->state, c->ev->thread);
	return base ? abs_path(c, base, p) : p;
}

static const char *base_name(const char *s, size_t len, size_t *out_len)
{
	size_t i = len;
	while (i > 0 && s[i - 1] != '/')
		i--;
	*out_len = len - i;
	return s + i;
}

/* --- threads ------------------------------------------------------------------------------- */

static struct rt_thread *ancestor(struct rt_ctx *c, struct rt_thread *t, unsigned n)
{
	if (!t || n == 0)
		return t;
	if (!c->state)
		return NULL;
	struct rt_thread *cur = rt_thread_main(c->state, t);
	for (unsigned i = 0; i < n && cur; i++) {
		struct rt_thread *p = rt_thread_parent(c->state, cur);
		if (p == cur)
			return NULL;
		cur = p;
	}
	return cur;
}

static const char *thread_args(struct rt_ctx *c, const struct rt_thread *t, size_t *len)
{
	struct rt_sb b;
	rt_sb_init(&b, c);
	const char *a = t->args;
	for (unsigned i = 0; a && i < t->nargs; i++) {
		size_t n = strnlen(a, t->args_len - (size_t)(a - t->args));
		if (i)
			rt_sb_addc(&b, ' ');
		rt_sb_add(&b, a, n);
		a += n + 1;
		if ((size_t)(a - t->args) >= t->args_len)
			break;
	}
	*len = b.len;
	return b.s;
}

static const char *thread_cmdline(struct rt_ctx *c, const struct rt_thread *t, const char *first)
{
	struct rt_sb b;
	rt_sb_init(&b, c);
	rt_sb_adds(&b, first ? first : "");
	const char *a = t->args;
	for (unsigned i = 0; a && i < t->nargs; i++) {
		size_t n = strnlen(a, t->args_len - (size_t)(a - t->args));
		rt_sb_addc(&b, ' ');
		rt_sb_add(&b, a, n);
		a += n + 1;
		if ((size_t)(a - t->args) >= t->args_len)
			break;
	}
	return b.s;
}

/* Finds NAME=value in a NUL-separated block. */
static const char *env_lookup(const char *env, size_t len, const char *name, size_t nlen)
{
	const char *p = env, *end = env + len;
	while (p && p < end) {
		size_t n = strnlen(p, (size_t)(end - p));
		if (n > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=')
			return p + nlen + 1;
		p += n + 1;
	}
	return NULL;
}

static const char *nul_join(struct rt_ctx *c, const char *blk, size_t len, char sep)
{
	struct rt_sb b;
	rt_sb_init(&b, c);
	const char *p = blk, *end = blk + len;
	while (p && p < end) {
		size_t n = strnlen(p, (size_t)(end - p));
		if (b.len)
			rt_sb_addc(&b, sep);
		rt_sb_add(&b, p, n);
		p += n + 1;
	}
	return b.s;
}

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

static const char *caps_render(struct rt_ctx *c, uint64_t caps)
{
	struct rt_sb b;
	rt_sb_init(&b, c);
	for (unsigned i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (caps & ((uint64_t)1 << i)) {
			if (b.len)
				rt_sb_addc(&b, ' ');
			rt_sb_adds(&b, cap_names[i]);
		}
	return b.s;
}

static bool is_shell(const char *comm)
{
	size_t n = strlen(comm);
	return n >= 2 && strcmp(comm + n - 2, "sh") == 0;
}

/* --- fds ----------------------------------------------------------------------------------- */

static const char *fd_type_name(char t)
{
	switch (t) {
	case RT_FD_FILE:
		return "file";
	case RT_FD_DIRECTORY:
		return "directory";
	case RT_FD_IPV4:
		return "ipv4";
	case RT_FD_IPV6:
		return "ipv6";
	case RT_FD_UNIX:
		return "unix";
	case RT_FD_PIPE:
		return "pipe";
	case RT_FD_EVENT:
		return "event";
	case RT_FD_SIGNALFD:
		return "signalfd";
	case RT_FD_EVENTPOLL:
		return "eventpoll";
	case RT_FD_INOTIFY:
		return "inotify";
	case RT_FD_TIMERFD:
		return "timerfd";
	case RT_FD_NETLINK:
		return "netlink";
	case RT_FD_BPF:
		return "bpf";
	case RT_FD_USERFAULTFD:
		return "userfaultfd";
	case RT_FD_MEMFD:
		return "memfd";
	}
	return NULL;
}

static bool fd_is_ip(const struct rt_fd *f)
{
	return f && (f->type == RT_FD_IPV4 || f->type == RT_FD_IPV6) &&
	       (f->family == FK_AF_INET || f->family == FK_AF_INET6);
}

static uint8_t fd_family(const struct rt_fd *f)
{
	if (f->family == FK_AF_INET || f->family == FK_AF_INET6)
		return f->family;
	return f->type == RT_FD_IPV6 ? FK_AF_INET6 : FK_AF_INET;
}

static const char *port_proto(uint16_t port)
{
	static const struct {
		uint16_t port;
		const char *name;
	} tab[] = {
	    {20, "ftp-data"},    {21, "ftp"},           {22, "ssh"},          {23, "telnet"},
	    {25, "smtp"},        {53, "domain"},        {67, "bootps"},       {68, "bootpc"},
	    {69, "tftp"},        {80, "http"},          {110, "pop3"},        {111, "sunrpc"},
	    {123, "ntp"},        {143, "imap2"},        {161, "snmp"},        {389, "ldap"},
	    {443, "https"},      {445, "microsoft-ds"}, {465, "submissions"}, {514, "shell"},
	    {587, "submission"}, {636, "ldaps"},        {873, "rsync"},       {993, "imaps"},
	    {995, "pop3s"},      {2049, "nfs"},         {3306, "mysql"},      {5432, "postgresql"},
	    {6379, "redis"},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].port == port)
			return tab[i].name;
	return NULL;
}

/* Client (source) or server (destination) side of a socket; local/remote follow the role. */
enum side { SIDE_CLIENT, SIDE_SERVER, SIDE_LOCAL, SIDE_REMOTE };

static bool side_is_server(const struct rt_fd *f, enum side s)
{
	switch (s) {
	case SIDE_CLIENT:
		return false;
	case SIDE_SERVER:
		return true;
	case SIDE_LOCAL:
		return f->is_server;
	case SIDE_REMOTE:
		return !f->is_server;
	}
	return false;
}

static int fd_side_ip(const struct rt_fd *f, enum side s, struct rt_value *out)
{
	if (!fd_is_ip(f) || !f->connected)
		return rt_na(out);
	return vip(out, fd_family(f), side_is_server(f, s) ? f->dip : f->sip);
}

static int fd_side_port(const struct rt_fd *f, enum side s, struct rt_value *out)
{
	if (!fd_is_ip(f) || !f->connected)
		return rt_na(out);
	return vu64(out, side_is_server(f, s) ? f->dport : f->sport);
}

static int fd_side_net(const struct rt_fd *f, enum side s, struct rt_value *out)
{
	int rc = fd_side_ip(f, s, out);
	return rc; /* an address; the comparison decides the network */
}

static int fd_side_proto(struct rt_ctx *c, const struct rt_fd *f, enum side s, struct rt_value *out)
{
	if (!fd_is_ip(f) || !f->connected)
		return rt_na(out);
	uint16_t port = side_is_server(f, s) ? f->dport : f->sport;
	const char *n = port_proto(port);
	return n ? vcstr(out, n) : vcstr(out, rt_ctx_printf(c, "%u", port));
}

/* A value that is either of two (fd.ip, fd.port, fd.net, fd.proto): a list compared with
 * "any" semantics. */
static int either(struct rt_ctx *c, struct rt_value *out, const struct rt_value *a,
                  const struct rt_value *b)
{
	if (a->kind == RT_V_NA)
		return rt_na(out);
	struct rt_value *items = rt_ctx_alloc(c, 2 * sizeof(*items));
	items[0] = *a;
	items[1] = *b;
	out->kind = RT_V_LIST;
	out->list.items = items;
	out->list.n = b->kind == RT_V_NA ? 1 : 2;
	return 0;
}

static int fd_ip_either(struct rt_ctx *c, const struct rt_fd *f, struct rt_value *out)
{
	struct rt_value a, b;
	fd_side_ip(f, SIDE_CLIENT, &a);
	fd_side_ip(f, SIDE_SERVER, &b);
	return either(c, out, &a, &b);
}

/* fd.port and fd.proto: the port of either end. */
static int fd_either_port(struct rt_ctx *c, const struct rt_fd *f, struct rt_value *out)
{
	struct rt_value a, b;
	fd_side_port(f, SIDE_CLIENT, &a);
	fd_side_port(f, SIDE_SERVER, &b);
	return either(c, out, &a, &b);
}

/* --- time ---------------------------------------------------------------------------------- */

static const char *time_fmt(struct rt_ctx *c, uint64_t ts, const char *fmt, bool ns, bool utc,
                            const char *suffix)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), fmt, &tm);
	if (ns)
		return rt_ctx_printf(c, "%s.%09" PRIu64 "%s", buf, (uint64_t)(ts % 1000000000ull),
		                     suffix);
	return rt_ctx_printf(c, "%s%s", buf, suffix);
}

/* --- syslog -------------------------------------------------------------------------------- */

static const char *const syslog_facilities[] = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",      "news",
    "uucp",   "clock",  "authpriv", "ftp",    "ntp",    "logaudit", "logalert", "cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",   "local7",
};
static const char *const syslog_severities[] = {
    "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

static bool event_is_io_write(unsigned t)
{
	return t == FK_EVENT_WRITE || t == FK_EVENT_PWRITE || t == FK_EVENT_SENDTO ||
	       t == FK_EVENT_SENDMSG;
}

static bool event_is_io_read(unsigned t)
{
	return t == FK_EVENT_READ || t == FK_EVENT_PREAD || t == FK_EVENT_RECVFROM ||
	       t == FK_EVENT_RECVMSG;
}

/* A syslog message written to /dev/log: "<PRI>text". */
static bool syslog_parse(struct rt_ctx *c, unsigned *pri, const char **msg, size_t *mlen)
{
	const struct rt_event *ev = c->ev;
	if (!event_is_io_write(ev->hdr->type) || !ev->fd || !ev->fd->name ||
	    strcmp(ev->fd->name, "/dev/log") != 0)
		return false;
	const uint8_t *p;
	uint16_t len;
	if (!rt_param_bytes(ev, "data", &p, &len) || len < 3 || p[0] != '<')
		return false;
	unsigned v = 0, i = 1;
	while (i < len && p[i] >= '0' && p[i] <= '9' && i < 5)
		v = v * 10 + (unsigned)(p[i++] - '0');
	if (i >= len || p[i] != '>' || i == 1)
		return false;
	*pri = v;
	*msg = (const char *)p + i + 1;
	*mlen = len - i - 1;
	return true;
}

/* --- the categories of events ----------------------------------------------------------------- */

static const char *event_category(const struct rt_event *ev)
{
	unsigned t = ev->hdr->type;
	unsigned fl = ev->info->flags;
	if (event_is_io_read(t) || event_is_io_write(t)) {
		if (ev->fd && (ev->fd->type == RT_FD_IPV4 || ev->fd->type == RT_FD_IPV6 ||
		               ev->fd->type == RT_FD_UNIX))
			return "net";
		return "file";
	}
	if (t == FK_EVENT_MMAP || t == FK_EVENT_MPROTECT)
		return "memory";
	if (t == FK_EVENT_KILL || t == FK_EVENT_TKILL || t == FK_EVENT_TGKILL)
		return "signal";
	if (t == FK_EVENT_PIPE || t == FK_EVENT_PIPE2)
		return "ipc";
	if (fl & FK_EF_NET)
		return "net";
	if (fl & FK_EF_FILE)
		return "file";
	if (fl & FK_EF_PROC)
		return "process";
	return "other";
}

static bool event_has_res(const struct rt_event *ev)
{
	return (ev->info->flags & FK_EF_SYSCALL) && !(ev->info->flags & FK_EF_ENTER);
}

/* --- fs.path ------------------------------------------------------------------------------- */

/* The path parameters of file system events: name (one path) or source/target (two),
 * each with the dirfd parameter it is relative to (NULL: the cwd). */
struct fs_paths {
	const char *name, *name_dirfd;
	const char *src, *src_dirfd;
	const char *dst, *dst_dirfd;
	bool src_raw_only; /* symlink targets are stored as written */
};

static bool fs_paths_of(unsigned t, struct fs_paths *p)
{
	memset(p, 0, sizeof(*p));
	switch (t) {
	case FK_EVENT_UNLINK:
	case FK_EVENT_MKDIR:
	case FK_EVENT_RMDIR:
	case FK_EVENT_CHOWN:
	case FK_EVENT_LCHOWN:
		p->name = "path";
		return true;
	case FK_EVENT_CHMOD:
		p->name = "filename";
		return true;
	case FK_EVENT_UNLINKAT:
		p->name = "name";
		p->name_dirfd = "dirfd";
		return true;
	case FK_EVENT_MKDIRAT:
		p->name = "path";
		p->name_dirfd = "dirfd";
		return true;
	case FK_EVENT_FCHMODAT:
		p->name = "filename";
		p->name_dirfd = "dirfd";
		return true;
	case FK_EVENT_FCHOWNAT:
		p->name = "pathname";
		p->name_dirfd = "dirfd";
		return true;
	case FK_EVENT_RENAME:
	case FK_EVENT_LINK:
		p->src = "oldpath";
		p->dst = "newpath";
		return true;
	case FK_EVENT_RENAMEAT:
	case FK_EVENT_RENAMEAT2:
		p->src = "oldpath";
		p->src_dirfd = "olddirfd";
		p->dst = "newpath";
		p->dst_dirfd = "newdirfd";
		return true;
	case FK_EVENT_LINKAT:
		p->src = "oldpath";
		p->src_dirfd = "olddir";
		p->dst = "newpath";
		p->dst_dirfd = "newdir";
		return true;
	case FK_EVENT_SYMLINK:
		p->src = "target";
		p->src_raw_only = true;
		p->dst = "linkpath";
		return true;
	case FK_EVENT_SYMLINKAT:
		p->src = "target";
		p->src_raw_only = true;
		p->dst = "linkpath";
		p->dst_dirfd = "linkdirfd";
		return true;
	}
	return false;
}

/* --- one field ----------------------------------------------------------------------------- */

static int user_field(struct rt_ctx *c, uint32_t uid, int what, struct rt_value *out)
{
	const struct rt_user *u = c->state ? rt_state_user(c->state, uid) : NULL;
	switch (what) {
	case 0:
		return vcstr(out, u && u->name ? u->name : uid == 0 ? "root" : "<NA>");
	case 1:
		return vcstr(out, u && u->homedir ? u->homedir : uid == 0 ? "/root" : "<NA>");
	default:
		return vcstr(out, u && u->shell ? u->shell : "<NA>");
	}
}

static long arg_index(const struct fc_expr *e)
{
	const struct fc_str *a = e->field.arg;
	if (!a || !a->len)
		return -1;
	return strtol(a->s, NULL, 10);
}

/* proc.aname and friends: with an index, one ancestor (0 is the process itself); without,
 * every ancestor from the parent up, as a list compared with "any" semantics. */
static int ancestors(struct rt_ctx *c, const struct fc_expr *e, struct rt_thread *t,
                     int (*one)(struct rt_ctx *, struct rt_thread *, struct rt_value *),
                     struct rt_value *out)
{
	long idx = arg_index(e);
	if (idx >= 0) {
		struct rt_thread *a = ancestor(c, t, (unsigned)idx);
		return a ? one(c, a, out) : rt_na(out);
	}
	size_t cap = 16, n = 0;
	struct rt_value *items = rt_ctx_alloc(c, cap * sizeof(*items));
	struct rt_thread *a = ancestor(c, t, 1);
	for (unsigned depth = 0; a && depth < 256; depth++) {
		if (n == cap) {
			struct rt_value *ni = rt_ctx_alloc(c, 2 * cap * sizeof(*ni));
			memcpy(ni, items, n * sizeof(*ni));
			items = ni;
			cap *= 2;
		}
		if (one(c, a, &items[n]) == 0)
			n++;
		struct rt_thread *p = rt_thread_parent(c->state, a);
		a = p == a ? NULL : p;
	}
	if (!n)
		return rt_na(out);
	out->kind = RT_V_LIST;
	out->list.items = items;
	out->list.n = n;
	return 0;
}

static int one_name(struct rt_ctx *c, struct rt_thread *t, struct rt_value *v)
{
	return vcstr(v, t->comm);
}

static int one_exe(struct rt_ctx *c, struct rt_thread *t, struct rt_value *v)
{
	return vcstr(v, t->exe);
}

static int one_exepath(struct rt_ctx *c, struct rt_thread *t, struct rt_value *v)
{
	return vcstr(v, t->exepath);
}

static int one_pid(struct rt_ctx *c, struct rt_thread *t, struct rt_value *v)
{
	return vs64(v, t->pid);
}

static int one_cmdline(struct rt_ctx *c, struct rt_thread *t, struct rt_value *v)
{
	return vcstr(v, thread_cmdline(c, t, t->comm));
}

static int one_env(struct rt_ctx *c, struct rt_thread *t, struct rt_value *v)
{
	return t->env ? vcstr(v, nul_join(c, t->env, t->env_len, ' ')) : rt_na(v);
}

/* The leader of t's session (by_sid) or process group: the thread whose tid is the id, or
 * else the oldest ancestor that still shares it. */
static struct rt_thread *group_leader(struct rt_ctx *c, struct rt_thread *t, bool by_sid)
{
	if (!c->state)
		return NULL;
	int64_t id = by_sid ? t->sid : t->pgid;
	struct rt_thread *l = rt_thread_lookup(c->state, id);
	if (l)
		return l;
	struct rt_thread *cur = t, *best = NULL;
	for (unsigned i = 0; cur && i < 256; i++) {
		if ((by_sid ? cur->sid : cur->pgid) != id)
			break;
		best = cur;
		struct rt_thread *p = rt_thread_parent(c->state, cur);
		cur = p == cur ? NULL : p;
	}
	return best;
}

static struct rt_thread *session_leader(struct rt_ctx *c, struct rt_thread *t)
{
	return group_leader(c, t, true);
}

static struct rt_thread *pgid_leader(struct rt_ctx *c, struct rt_thread *t)
{
	return group_leader(c, t, false);
}

struct fd_count {
	uint64_t n;
};

static void count_fd(struct rt_fd *fd, void *ctx)
{
	((struct fd_count *)ctx)->n++;
}

static int std_fd(struct rt_thread *t, int64_t num, bool type, struct rt_value *out)
{
	struct rt_fd *f = t ? rt_fd_lookup(t, num) : NULL;
	if (!f)
		return rt_na(out);
	return type ? vcstr(out, fd_type_name(f->type)) : vcstr(out, f->name);
}

static const char *thread_cgroup(const struct rt_thread *t, const char *subsys, size_t *len)
{
	if (!t->cgroups)
		return NULL;
	size_t sl = strlen(subsys);
	const char *p = t->cgroups;
	/* NUL-separated "subsys=path", terminated by an empty string */
	for (unsigned i = 0; *p && i < 64; i++) {
		size_t n = strlen(p);
		if (n > sl && memcmp(p, subsys, sl) == 0 && p[sl] == '=') {
			*len = n - sl - 1;
			return p + sl + 1;
		}
		p += n + 1;
	}
	return NULL;
}

static const char *cgroups_join(struct rt_ctx *c, const struct rt_thread *t)
{
	struct rt_sb b;
	rt_sb_init(&b, c);
	const char *p = t->cgroups;
	for (unsigned i = 0; p && *p && i < 64; i++) {
		size_t n = strlen(p);
		if (b.len)
			rt_sb_addc(&b, ' ');
		rt_sb_add(&b, p, n);
		p += n + 1;
	}
	return b.s;
}

/* Field fid of e (fid is e's field id). Always inlined: once into extract_field, the dispatch
 * over every field, and once into each rt_extract_direct_* (RT_DIRECT_FIELDS), where fid is a
 * constant and the switch folds to its one case, so those have no indirect jump. */
static inline __attribute__((always_inline)) int
extract_field_as(struct rt_ctx *c, const struct fc_expr *e, int fid, struct rt_value *out)
{
	const struct rt_event *ev = c->ev;
	const struct fc_field *f = e->field.field;
	const struct fc_str *arg = e->field.arg;
	struct rt_thread *t = ev ? ev->thread : NULL;
	struct rt_fd *fd = ev ? ev->fd : NULL;
	if (!f || !ev || !ev->hdr)
		return rt_na(out);
	uint64_t ts = ev->hdr->ts_ns;
	unsigned type = ev->hdr->type;
	if (f->src != FC_SRC_SYSCALL)
		return rt_na(out); /* k8s_audit fields: audit events come later */

	switch (fid) {
	/* ---- evt ---- */
	case FC_FIELD_EVT_NUM:
		return vu64(out, ev->num);
	case FC_FIELD_EVT_TIME:
		return vcstr(out, time_fmt(c, ts, "%H:%M:%S", true, false, ""));
	case FC_FIELD_EVT_TIME_S:
		return vcstr(out, time_fmt(c, ts, "%H:%M:%S", false, false, ""));
	case FC_FIELD_EVT_TIME_ISO8601:
		return vcstr(out, time_fmt(c, ts, "%Y-%m-%dT%H:%M:%S", true, true, "+0000"));
	case FC_FIELD_EVT_DATETIME:
		return vcstr(out, time_fmt(c, ts, "%Y-%m-%d %H:%M:%S", true, false, ""));
	case FC_FIELD_EVT_DATETIME_S:
		return vcstr(out, time_fmt(c, ts, "%Y-%m-%d %H:%M:%S", false, false, ""));
	case FC_FIELD_EVT_RAWTIME:
		return vu64(out, ts);
	case FC_FIELD_EVT_RAWTIME_S:
		return vu64(out, ts / 1000000000ull);
	case FC_FIELD_EVT_RAWTIME_NS:
		return vu64(out, ts % 1000000000ull);
	case FC_FIELD_EVT_RELTIME:
		return vu64(out, ts - c->first_ts);
	case FC_FIELD_EVT_RELTIME_S:
		return vu64(out, (ts - c->first_ts) / 1000000000ull);
	case FC_FIELD_EVT_RELTIME_NS:
		return vu64(out, (ts - c->first_ts) % 1000000000ull);
	case FC_FIELD_EVT_DELTATIME:
		return vu64(out, ts - c->prev_ts);
	case FC_FIELD_EVT_DELTATIME_S:
		return vu64(out, (ts - c->prev_ts) / 1000000000ull);
	case FC_FIELD_EVT_DELTATIME_NS:
		return vu64(out, (ts - c->prev_ts) % 1000000000ull);
	case FC_FIELD_EVT_PLUGINNAME:
	case FC_FIELD_EVT_PLUGININFO:
	case FC_FIELD_EVT_ASYNCTYPE:
		return rt_na(out);
	case FC_FIELD_EVT_SOURCE:
		return vcstr(out, "syscall");
	case FC_FIELD_EVT_IS_ASYNC:
		return vbool(out, false);
	case FC_FIELD_EVT_HOSTNAME:
		return c->state ? vcstr(out, rt_state_hostname(c->state)) : rt_na(out);
	case FC_FIELD_EVT_LATENCY:
	case FC_FIELD_EVT_LATENCY_S:
	case FC_FIELD_EVT_LATENCY_NS:
		/* events are taken at exit only: no enter/exit pair to measure */
		return vu64(out, 0);
	case FC_FIELD_EVT_LATENCY_HUMAN:
		return vcstr(out, "0ns");
	case FC_FIELD_EVT_DIR:
		return rt_vstr(out, rt_event_dir(ev) == '>' ? ">" : "<", 1);
	case FC_FIELD_EVT_TYPE:
		return vcstr(out, rt_event_name(ev));
	case FC_FIELD_EVT_TYPE_IS:
		return vu64(out, arg && strcmp(arg->s, rt_event_name(ev)) == 0);
	case FC_FIELD_SYSCALL_TYPE:
		return ev->info->flags & FK_EF_SYSCALL ? vcstr(out, rt_event_name(ev)) : rt_na(out);
	case FC_FIELD_EVT_CATEGORY:
		return vcstr(out, event_category(ev));
	case FC_FIELD_EVT_CPU:
		return rt_na(out);
	case FC_FIELD_EVT_ARGS:
	case FC_FIELD_EVT_INFO:
		return vcstr(out, args_render(c));
	case FC_FIELD_EVT_ARG: {
		int i = param_lookup(ev, arg);
		if (i < 0 || (unsigned)i >= ev->nparams || !ev->plen[i])
			return rt_na(out);
		const char *val, *res;
		param_render(c, i, &val, &res);
		return vcstr(out, *res ? res : val);
	}
	case FC_FIELD_EVT_RAWARG: {
		int i = param_lookup(ev, arg);
		if (i < 0 || (unsigned)i >= ev->nparams || !ev->plen[i])
			return rt_na(out);
		enum fk_param_type pt = ev->info->params[i].type;
		if (pt_numeric(pt)) {
			bool sg;
			uint64_t u = param_number(ev, i, &sg);
			return sg ? vs64(out, (int64_t)u) : vu64(out, u);
		}
		if (pt_string(pt))
			return rt_vstr(out, (const char *)ev->param[i],
			            strnlen((const char *)ev->param[i], ev->plen[i]));
		return rt_vstr(out, (const char *)ev->param[i], ev->plen[i]);
	}
	case FC_FIELD_EVT_BUFFER: {
		const uint8_t *p;
		uint16_t len;
		if (!rt_param_bytes(ev, "data", &p, &len) && !rt_param_bytes(ev, "img", &p, &len))
			return rt_na(out);
		return rt_vstr(out, (const char *)p, len);
	}
	case FC_FIELD_EVT_BUFLEN: {
		const uint8_t *p;
		uint16_t len;
		if (!rt_param_bytes(ev, "data", &p, &len))
			return rt_na(out);
		if ((event_is_io_read(type) || event_is_io_write(type)) && ev->hdr->res >= 0)
			return vu64(out, (uint64_t)ev->hdr->res);
		return vu64(out, len);
	}
	case FC_FIELD_EVT_RES: {
		if (!event_has_res(ev))
			return rt_na(out);
		int64_t r = ev->hdr->res;
		if (r >= 0)
			return vcstr(out, "SUCCESS");
		const char *n = rt_errno_name(r);
		return vcstr(out, n ? n : rt_ctx_printf(c, "%" PRId64, r));
	}
	case FC_FIELD_EVT_RAWRES:
		return event_has_res(ev) ? vs64(out, ev->hdr->res) : rt_na(out);
	case FC_FIELD_EVT_FAILED:
		return vbool(out, event_has_res(ev) && ev->hdr->res < 0);
	case FC_FIELD_EVT_IS_IO:
		return vbool(out, event_is_io_read(type) || event_is_io_write(type));
	case FC_FIELD_EVT_IS_IO_READ:
		return vbool(out, event_is_io_read(type));
	case FC_FIELD_EVT_IS_IO_WRITE:
		return vbool(out, event_is_io_write(type));
	case FC_FIELD_EVT_IO_DIR:
		if (event_is_io_read(type))
			return vcstr(out, "r");
		if (event_is_io_write(type))
			return vcstr(out, "w");
		return rt_na(out);
	case FC_FIELD_EVT_IS_WAIT:
		return vbool(out, false);
	case FC_FIELD_EVT_WAIT_LATENCY:
		return rt_na(out);
	case FC_FIELD_EVT_IS_SYSLOG: {
		unsigned pri;
		const char *m;
		size_t ml;
		return vbool(out, syslog_parse(c, &pri, &m, &ml));
	}
	case FC_FIELD_EVT_COUNT:
		return vu64(out, 1);
	case FC_FIELD_EVT_COUNT_ERROR:
		return vu64(out, event_has_res(ev) && ev->hdr->res < 0);
	case FC_FIELD_EVT_COUNT_ERROR_FILE:
	case FC_FIELD_EVT_COUNT_ERROR_NET:
	case FC_FIELD_EVT_COUNT_ERROR_MEMORY:
	case FC_FIELD_EVT_COUNT_ERROR_OTHER: {
		if (!event_has_res(ev) || ev->hdr->res >= 0)
			return vu64(out, 0);
		const char *cat = event_category(ev);
		const char *want = f->id == FC_FIELD_EVT_COUNT_ERROR_FILE     ? "file"
		                   : f->id == FC_FIELD_EVT_COUNT_ERROR_NET    ? "net"
		                   : f->id == FC_FIELD_EVT_COUNT_ERROR_MEMORY ? "memory"
		                                                              : NULL;
		if (want)
			return vu64(out, strcmp(cat, want) == 0);
		return vu64(out,
		            strcmp(cat, "file") && strcmp(cat, "net") && strcmp(cat, "memory"));
	}
	case FC_FIELD_EVT_COUNT_EXIT:
		return vu64(out, rt_event_dir(ev) == '<');
	case FC_FIELD_EVT_AROUND:
		return rt_na(out); /* a capture-browsing filter; nothing to extract live */
	case FC_FIELD_EVT_ABSPATH: {
		struct fs_paths p;
		if (!arg || !fs_paths_of(type, &p))
			return rt_na(out);
		if (strcmp(arg->s, "src") == 0)
			return p.src ? vcstr(out, path_param_abs(c, p.src, p.src_dirfd)) : rt_na(out);
		if (strcmp(arg->s, "dst") == 0)
			return p.dst ? vcstr(out, path_param_abs(c, p.dst, p.dst_dirfd)) : rt_na(out);
		return rt_na(out);
	}
	case FC_FIELD_EVT_IS_OPEN_READ:
	case FC_FIELD_EVT_IS_OPEN_WRITE:
	case FC_FIELD_EVT_IS_OPEN_EXEC:
	case FC_FIELD_EVT_IS_OPEN_CREATE: {
		uint64_t fl = 0, mode = 0;
		bool creat = type == FK_EVENT_CREAT;
		if (!is_open_event(type) && !creat)
			return vbool(out, false);
		rt_param_u64(ev, "mode", &mode);
		if (creat)
			fl = PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC;
		else
			rt_param_u64(ev, "flags", &fl);
		switch (f->id) {
		case FC_FIELD_EVT_IS_OPEN_READ:
			return vbool(out, (fl & PPM_O_RDONLY) != 0);
		case FC_FIELD_EVT_IS_OPEN_WRITE:
			return vbool(out, (fl & PPM_O_WRONLY) != 0);
		case FC_FIELD_EVT_IS_OPEN_EXEC:
			return vbool(out, (fl & PPM_O_CREAT) && (mode & 0111));
		default:
			return vbool(out, (fl & PPM_O_CREAT) != 0);
		}
	}

	/* ---- proc ---- */
	case FC_FIELD_PROC_EXE:
		return t ? vcstr(out, t->exe) : rt_na(out);
	case FC_FIELD_PROC_PEXE:
		return ancestor(c, t, 1) ? vcstr(out, ancestor(c, t, 1)->exe) : rt_na(out);
	case FC_FIELD_PROC_AEXE:
		return ancestors(c, e, t, one_exe, out);
	case FC_FIELD_PROC_EXEPATH:
		return t ? vcstr(out, t->exepath) : rt_na(out);
	case FC_FIELD_PROC_PEXEPATH:
		return ancestor(c, t, 1) ? vcstr(out, ancestor(c, t, 1)->exepath) : rt_na(out);
	case FC_FIELD_PROC_AEXEPATH:
		return ancestors(c, e, t, one_exepath, out);
	case FC_FIELD_PROC_NAME:
		return t ? vcstr(out, t->comm) : rt_na(out);
	case FC_FIELD_PROC_PNAME:
		return ancestor(c, t, 1) ? vcstr(out, ancestor(c, t, 1)->comm) : rt_na(out);
	case FC_FIELD_PROC_ANAME:
		return ancestors(c, e, t, one_name, out);
	case FC_FIELD_PROC_ARGS: {
		if (!t)
			return rt_na(out);
		size_t len;
		const char *s = thread_args(c, t, &len);
		return rt_vstr(out, s, len);
	}
	case FC_FIELD_PROC_CMDLINE:
		return t ? one_cmdline(c, t, out) : rt_na(out);
	case FC_FIELD_PROC_PCMDLINE:
		return ancestor(c, t, 1) ? one_cmdline(c, ancestor(c, t, 1), out) : rt_na(out);
	case FC_FIELD_PROC_ACMDLINE:
		return ancestors(c, e, t, one_cmdline, out);
	case FC_FIELD_PROC_CMDNARGS:
		return t ? vu64(out, t->nargs) : rt_na(out);
	case FC_FIELD_PROC_CMDLENARGS: {
		if (!t)
			return rt_na(out);
		uint64_t n = 0;
		const char *a = t->args;
		for (unsigned i = 0; a && i < t->nargs && (size_t)(a - t->args) < t->args_len;
		     i++) {
			size_t l = strnlen(a, t->args_len - (size_t)(a - t->args));
			n += l;
			a += l + 1;
		}
		return vu64(out, n);
	}
	case FC_FIELD_PROC_EXELINE:
		return t ? vcstr(out, thread_cmdline(c, t, t->exe)) : rt_na(out);
	case FC_FIELD_PROC_ENV:
		if (!t || !t->env)
			return rt_na(out);
		if (arg && arg->len)
			return vcstr(out, env_lookup(t->env, t->env_len, arg->s, arg->len));
		return one_env(c, t, out);
	case FC_FIELD_PROC_AENV: {
		if (!t)
			return rt_na(out);
		if (arg && arg->len && arg->s[0] >= '0' && arg->s[0] <= '9') {
			struct rt_thread *a = ancestor(c, t, (unsigned)strtoul(arg->s, NULL, 10));
			return a ? one_env(c, a, out) : rt_na(out);
		}
		if (arg && arg->len) {
			unsigned depth = 0;
			for (struct rt_thread *a = ancestor(c, t, 1); a && depth < 256; depth++) {
				const char *v =
				    a->env ? env_lookup(a->env, a->env_len, arg->s, arg->len)
				           : NULL;
				if (v)
					return vcstr(out, v);
				struct rt_thread *p = rt_thread_parent(c->state, a);
				a = p == a ? NULL : p;
			}
			return rt_na(out);
		}
		return ancestors(c, e, t, one_env, out);
	}
	case FC_FIELD_PROC_CWD:
		return t ? vcstr(out, rt_thread_cwd(c->state, t)) : rt_na(out);
	case FC_FIELD_PROC_LOGINSHELLID: {
		int64_t id = -1;
		/* bounded: a missed exit and a reused tid can make the parent links a loop */
		unsigned depth = 0;
		for (struct rt_thread *a = t; a && c->state && depth < 256; depth++) {
			if (is_shell(a->comm))
				id = a->pid;
			struct rt_thread *p = rt_thread_parent(c->state, a);
			a = p == a ? NULL : p;
		}
		return id >= 0 ? vs64(out, id) : rt_na(out);
	}
	case FC_FIELD_PROC_TTY:
		return t ? vu64(out, t->tty) : rt_na(out);
	case FC_FIELD_PROC_PID:
		return t ? vs64(out, t->pid) : rt_na(out);
	case FC_FIELD_PROC_PPID:
		return t ? vs64(out, t->ptid) : rt_na(out);
	case FC_FIELD_PROC_APID:
		return ancestors(c, e, t, one_pid, out);
	case FC_FIELD_PROC_VPID:
		return t && t->vpid >= 0 ? vs64(out, t->vpid) : rt_na(out);
	case FC_FIELD_PROC_PVPID: {
		struct rt_thread *p = ancestor(c, t, 1);
		return p && p->vpid >= 0 ? vs64(out, p->vpid) : rt_na(out);
	}
	case FC_FIELD_PROC_SID:
		return t ? vs64(out, t->sid) : rt_na(out);
	case FC_FIELD_PROC_VPGID:
		return t ? vs64(out, t->pgid) : rt_na(out);
	case FC_FIELD_PROC_SNAME:
	case FC_FIELD_PROC_SID_EXE:
	case FC_FIELD_PROC_SID_EXEPATH:
	case FC_FIELD_PROC_VPGID_NAME:
	case FC_FIELD_PROC_VPGID_EXE:
	case FC_FIELD_PROC_VPGID_EXEPATH: { /* the session's or the process group's leader */
		bool sid = f->id == FC_FIELD_PROC_SNAME || f->id == FC_FIELD_PROC_SID_EXE ||
		           f->id == FC_FIELD_PROC_SID_EXEPATH;
		struct rt_thread *l = !t ? NULL : sid ? session_leader(c, t) : pgid_leader(c, t);
		if (!l)
			return rt_na(out);
		if (f->id == FC_FIELD_PROC_SNAME || f->id == FC_FIELD_PROC_VPGID_NAME)
			return vcstr(out, l->comm);
		if (f->id == FC_FIELD_PROC_SID_EXE || f->id == FC_FIELD_PROC_VPGID_EXE)
			return vcstr(out, l->exe);
		return vcstr(out, l->exepath);
	}
	case FC_FIELD_PROC_DURATION:
		return t && t->clone_ts && ts >= t->clone_ts ? vu64(out, ts - t->clone_ts)
		                                             : rt_na(out);
	case FC_FIELD_PROC_PPID_DURATION: {
		struct rt_thread *p = ancestor(c, t, 1);
		return p && p->clone_ts && ts >= p->clone_ts ? vu64(out, ts - p->clone_ts)
		                                             : rt_na(out);
	}
	case FC_FIELD_PROC_PID_TS:
		return t && t->clone_ts ? vu64(out, t->clone_ts) : rt_na(out);
	case FC_FIELD_PROC_PPID_TS: {
		struct rt_thread *p = ancestor(c, t, 1);
		return p && p->clone_ts ? vu64(out, p->clone_ts) : rt_na(out);
	}
	case FC_FIELD_PROC_IS_EXE_WRITABLE:
		return t ? vbool(out, (t->exe_flags & 1) != 0) : rt_na(out);
	case FC_FIELD_PROC_IS_EXE_UPPER_LAYER:
		return t ? vbool(out, (t->exe_flags & 2) != 0) : rt_na(out);
	case FC_FIELD_PROC_IS_EXE_FROM_MEMFD:
		return t ? vbool(out, t->exe_from_memfd || (t->exe_flags & 4)) : rt_na(out);
	case FC_FIELD_PROC_IS_SID_LEADER:
		return t ? vbool(out, t->sid == (t->vpid >= 0 ? t->vpid : t->pid)) : rt_na(out);
	case FC_FIELD_PROC_IS_VPGID_LEADER:
		return t ? vbool(out, t->pgid == (t->vpid >= 0 ? t->vpid : t->pid)) : rt_na(out);
	case FC_FIELD_PROC_EXE_INO:
	case FC_FIELD_PROC_EXE_INO_CTIME:
	case FC_FIELD_PROC_EXE_INO_MTIME:
	case FC_FIELD_PROC_EXE_INO_CTIME_DURATION_PROC_START:
	case FC_FIELD_PROC_EXE_INO_CTIME_DURATION_PIDNS_START:
	case FC_FIELD_PROC_PIDNS_INIT_START_TS:
		return rt_na(out); /* the event model carries no executable inode data */
	case FC_FIELD_PROC_IS_CONTAINER_HEALTHCHECK:
	case FC_FIELD_PROC_IS_CONTAINER_LIVENESS_PROBE:
	case FC_FIELD_PROC_IS_CONTAINER_READINESS_PROBE:
		return t ? vbool(out, false) : rt_na(out);
	case FC_FIELD_PROC_FDOPENCOUNT: {
		if (!t)
			return rt_na(out);
		struct fd_count n = {0};
		rt_fd_each(t, count_fd, &n);
		return vu64(out, n.n);
	}
	case FC_FIELD_PROC_FDLIMIT:
	case FC_FIELD_PROC_FDUSAGE:
	case FC_FIELD_PROC_VMSIZE:
	case FC_FIELD_PROC_VMRSS:
	case FC_FIELD_PROC_VMSWAP:
	case FC_FIELD_PROC_NTHREADS:
	case FC_FIELD_PROC_NCHILDS:
		return rt_na(out); /* resource counters are not in the event model */
	case FC_FIELD_PROC_STDIN_TYPE:
		return std_fd(t, 0, true, out);
	case FC_FIELD_PROC_STDIN_NAME:
		return std_fd(t, 0, false, out);
	case FC_FIELD_PROC_STDOUT_TYPE:
		return std_fd(t, 1, true, out);
	case FC_FIELD_PROC_STDOUT_NAME:
		return std_fd(t, 1, false, out);
	case FC_FIELD_PROC_STDERR_TYPE:
		return std_fd(t, 2, true, out);
	case FC_FIELD_PROC_STDERR_NAME:
		return std_fd(t, 2, false, out);

	/* ---- thread ---- */
	case FC_FIELD_THREAD_CAP_PERMITTED:
		return t ? vcstr(out, caps_render(c, t->cap_permitted)) : rt_na(out);
	case FC_FIELD_THREAD_CAP_INHERITABLE:
		return t ? vcstr(out, caps_render(c, t->cap_inheritable)) : rt_na(out);
	case FC_FIELD_THREAD_CAP_EFFECTIVE:
		return t ? vcstr(out, caps_render(c, t->cap_effective)) : rt_na(out);
	case FC_FIELD_THREAD_TID:
		return t ? vs64(out, t->tid) : rt_na(out);
	case FC_FIELD_THREAD_ISMAIN:
		return t ? vbool(out, t->tid == t->pid) : rt_na(out);
	case FC_FIELD_THREAD_VTID:
		return t && t->vtid >= 0 ? vs64(out, t->vtid) : rt_na(out);
	case FC_FIELD_THREAD_CGROUPS:
		return t && t->cgroups ? vcstr(out, cgroups_join(c, t)) : rt_na(out);
	case FC_FIELD_THREAD_CGROUP: {
		size_t len;
		const char *p = t && arg ? thread_cgroup(t, arg->s, &len) : NULL;
		return p ? rt_vstr(out, p, len) : rt_na(out);
	}
	case FC_FIELD_THREAD_PFMAJOR:
	case FC_FIELD_THREAD_PFMINOR:
	case FC_FIELD_THREAD_EXECTIME:
	case FC_FIELD_THREAD_TOTEXECTIME:
	case FC_FIELD_THREAD_CPU:
	case FC_FIELD_THREAD_CPU_USER:
	case FC_FIELD_THREAD_CPU_SYSTEM:
	case FC_FIELD_THREAD_VMSIZE:
	case FC_FIELD_THREAD_VMRSS:
		return rt_na(out); /* scheduler and memory counters are not in the event model */

	/* ---- user, group ---- */
	case FC_FIELD_USER_UID:
		return t ? vu64(out, t->uid) : rt_na(out);
	case FC_FIELD_USER_NAME:
		return t ? user_field(c, t->uid, 0, out) : rt_na(out);
	case FC_FIELD_USER_HOMEDIR:
		return t ? user_field(c, t->uid, 1, out) : rt_na(out);
	case FC_FIELD_USER_SHELL:
		return t ? user_field(c, t->uid, 2, out) : rt_na(out);
	case FC_FIELD_USER_LOGINUID:
		return t ? vs64(out, (int64_t)(int32_t)t->loginuid) : rt_na(out);
	case FC_FIELD_USER_LOGINNAME:
		if (!t)
			return rt_na(out);
		if (t->loginuid == UINT32_MAX)
			return vcstr(out, "<NA>");
		return user_field(c, t->loginuid, 0, out);
	case FC_FIELD_GROUP_GID:
		return t ? vu64(out, t->gid) : rt_na(out);
	case FC_FIELD_GROUP_NAME: {
		if (!t)
			return rt_na(out);
		const struct rt_group *g = c->state ? rt_state_group(c->state, t->gid) : NULL;
		return vcstr(out, g && g->name ? g->name : t->gid == 0 ? "root" : "<NA>");
	}

	/* ---- fd ---- */
	case FC_FIELD_FD_NUM:
		return fd && ev->fdnum >= 0 ? vs64(out, ev->fdnum) : rt_na(out);
	case FC_FIELD_FD_TYPE:
		return fd ? vcstr(out, fd_type_name(fd->type)) : rt_na(out);
	case FC_FIELD_FD_TYPECHAR:
		return fd ? rt_vstr(out, &fd->type, 1) : rt_na(out);
	case FC_FIELD_FD_NAME:
		return fd ? vcstr(out, fd->name) : rt_na(out);
	case FC_FIELD_FD_NAMERAW:
		/* the path as the system call gave it (directory traversal rules look at it) */
		return fd ? vcstr(out, fd->nameraw ? fd->nameraw : fd->name) : rt_na(out);
	case FC_FIELD_FD_DIRECTORY:
	case FC_FIELD_FD_FILENAME:
	case FC_FIELD_FD_CONTAINERDIRECTORY: {
		if (!fd || !fd->name || (fd->type != RT_FD_FILE && fd->type != RT_FD_DIRECTORY))
			return rt_na(out);
		size_t len = strlen(fd->name);
		const char *dir = fd->name;
		size_t dlen;
		if (fd->type == RT_FD_DIRECTORY) {
			if (f->id == FC_FIELD_FD_FILENAME)
				return rt_na(out);
			dlen = len;
		} else {
			size_t bl;
			const char *b = base_name(fd->name, len, &bl);
			if (f->id == FC_FIELD_FD_FILENAME)
				return rt_vstr(out, b, bl);
			dlen = (size_t)(b - fd->name);
			if (dlen > 1)
				dlen--; /* drop the trailing slash, but keep "/" */
		}
		if (f->id == FC_FIELD_FD_CONTAINERDIRECTORY)
			return vcstr(out,
			             rt_ctx_printf(c, "%s:%.*s",
			                           t && t->container_id ? t->container_id : "host",
			                           (int)dlen, dir));
		return rt_vstr(out, dir, dlen);
	}
	case FC_FIELD_FD_IP:
		return fd ? fd_ip_either(c, fd, out) : rt_na(out);
	case FC_FIELD_FD_CIP:
		return fd ? fd_side_ip(fd, SIDE_CLIENT, out) : rt_na(out);
	case FC_FIELD_FD_SIP:
		return fd ? fd_side_ip(fd, SIDE_SERVER, out) : rt_na(out);
	case FC_FIELD_FD_LIP:
		return fd ? fd_side_ip(fd, SIDE_LOCAL, out) : rt_na(out);
	case FC_FIELD_FD_RIP:
		return fd ? fd_side_ip(fd, SIDE_REMOTE, out) : rt_na(out);
	case FC_FIELD_FD_NET:
		return fd ? fd_ip_either(c, fd, out) : rt_na(out);
	case FC_FIELD_FD_CNET:
		return fd ? fd_side_net(fd, SIDE_CLIENT, out) : rt_na(out);
	case FC_FIELD_FD_SNET:
		return fd ? fd_side_net(fd, SIDE_SERVER, out) : rt_na(out);
	case FC_FIELD_FD_LNET:
		return fd ? fd_side_net(fd, SIDE_LOCAL, out) : rt_na(out);
	case FC_FIELD_FD_RNET:
		return fd ? fd_side_net(fd, SIDE_REMOTE, out) : rt_na(out);
	case FC_FIELD_FD_PORT:
		return fd ? fd_either_port(c, fd, out) : rt_na(out);
	case FC_FIELD_FD_CPORT:
		return fd ? fd_side_port(fd, SIDE_CLIENT, out) : rt_na(out);
	case FC_FIELD_FD_SPORT:
		return fd ? fd_side_port(fd, SIDE_SERVER, out) : rt_na(out);
	case FC_FIELD_FD_LPORT:
		return fd ? fd_side_port(fd, SIDE_LOCAL, out) : rt_na(out);
	case FC_FIELD_FD_RPORT:
		return fd ? fd_side_port(fd, SIDE_REMOTE, out) : rt_na(out);
	case FC_FIELD_FD_PROTO:
		/* libsinsp types fd.proto as a PORT (filter only): it matches either end's port */
		return fd ? fd_either_port(c, fd, out) : rt_na(out);
	case FC_FIELD_FD_CPROTO:
		return fd ? fd_side_proto(c, fd, SIDE_CLIENT, out) : rt_na(out);
	case FC_FIELD_FD_SPROTO:
		return fd ? fd_side_proto(c, fd, SIDE_SERVER, out) : rt_na(out);
	case FC_FIELD_FD_LPROTO:
		return fd ? fd_side_proto(c, fd, SIDE_LOCAL, out) : rt_na(out);
	case FC_FIELD_FD_RPROTO:
		return fd ? fd_side_proto(c, fd, SIDE_REMOTE, out) : rt_na(out);
	case FC_FIELD_FD_L4PROTO:
		if (!fd)
			return rt_na(out);
		if (fd->type != RT_FD_IPV4 && fd->type != RT_FD_IPV6)
			return rt_na(out);
		switch (fd->l4proto) {
		case RT_L4_TCP:
			return vcstr(out, "tcp");
		case RT_L4_UDP:
			return vcstr(out, "udp");
		case RT_L4_ICMP:
			return vcstr(out, "icmp");
		case RT_L4_RAW:
			return vcstr(out, "raw");
		}
		return rt_na(out);
	case FC_FIELD_FD_SOCKFAMILY:
		if (!fd)
			return rt_na(out);
		if (fd->type == RT_FD_IPV4 || fd->type == RT_FD_IPV6)
			return vcstr(out, "ip");
		if (fd->type == RT_FD_UNIX)
			return vcstr(out, "unix");
		return rt_na(out);
	case FC_FIELD_FD_IS_SERVER:
		return fd ? vbool(out, fd->is_server) : rt_na(out);
	case FC_FIELD_FD_UID:
		return fd && t
		           ? vcstr(out, rt_ctx_printf(c, "%" PRId64 "%" PRId64, t->tid, fd->num))
		           : rt_na(out);
	case FC_FIELD_FD_CONTAINERNAME:
		return fd ? vcstr(out,
		                  rt_ctx_printf(c, "%s:%s",
		                                t && t->container_id ? t->container_id : "host",
		                                fd->name ? fd->name : ""))
		          : rt_na(out);
	case FC_FIELD_FD_CONNECTED:
		return fd ? vbool(out, fd->connected) : rt_na(out);
	case FC_FIELD_FD_NAME_CHANGED:
		return fd ? vbool(out, false) : rt_na(out);
	case FC_FIELD_FD_CIP_NAME:
	case FC_FIELD_FD_SIP_NAME:
	case FC_FIELD_FD_LIP_NAME:
	case FC_FIELD_FD_RIP_NAME:
		return rt_na(out); /* no DNS cache */
	case FC_FIELD_FD_DEV:
		return fd ? vs64(out, (int32_t)fd->dev) : rt_na(out);
	case FC_FIELD_FD_DEV_MAJOR:
		return fd ? vs64(out, (int32_t)(fd->dev >> 20)) : rt_na(out);
	case FC_FIELD_FD_DEV_MINOR:
		return fd ? vs64(out, (int32_t)(fd->dev & 0xfffff)) : rt_na(out);
	case FC_FIELD_FD_INO:
		return fd ? vs64(out, (int64_t)fd->ino) : rt_na(out);
	case FC_FIELD_FD_TYPES:
		return rt_na(out); /* needs every fd of poll-like events, not in the event model */

	/* ---- fdlist: poll/select events are not in the event model ---- */
	case FC_FIELD_FDLIST_NUMS:
	case FC_FIELD_FDLIST_NAMES:
	case FC_FIELD_FDLIST_CIPS:
	case FC_FIELD_FDLIST_SIPS:
	case FC_FIELD_FDLIST_CPORTS:
	case FC_FIELD_FDLIST_SPORTS:
		return rt_na(out);

	/* ---- fs.path ---- */
	case FC_FIELD_FS_PATH_NAME:
	case FC_FIELD_FS_PATH_NAMERAW:
	case FC_FIELD_FS_PATH_SOURCE:
	case FC_FIELD_FS_PATH_SOURCERAW:
	case FC_FIELD_FS_PATH_TARGET:
	case FC_FIELD_FS_PATH_TARGETRAW: {
		struct fs_paths p;
		if (!fs_paths_of(type, &p))
			return rt_na(out);
		bool raw = f->id == FC_FIELD_FS_PATH_NAMERAW ||
		           f->id == FC_FIELD_FS_PATH_SOURCERAW ||
		           f->id == FC_FIELD_FS_PATH_TARGETRAW;
		const char *pn, *dirfd;
		if (f->id == FC_FIELD_FS_PATH_NAME || f->id == FC_FIELD_FS_PATH_NAMERAW) {
			pn = p.name;
			dirfd = p.name_dirfd;
		} else if (f->id == FC_FIELD_FS_PATH_SOURCE ||
		           f->id == FC_FIELD_FS_PATH_SOURCERAW) {
			pn = p.src;
			dirfd = p.src_dirfd;
			raw = raw || p.src_raw_only;
		} else {
			pn = p.dst;
			dirfd = p.dst_dirfd;
		}
		if (!pn)
			return rt_na(out);
		return vcstr(out, raw ? str_param(ev, pn) : path_param_abs(c, pn, dirfd));
	}

	/* ---- syslog ---- */
	case FC_FIELD_SYSLOG_FACILITY_STR:
	case FC_FIELD_SYSLOG_FACILITY:
	case FC_FIELD_SYSLOG_SEVERITY_STR:
	case FC_FIELD_SYSLOG_SEVERITY:
	case FC_FIELD_SYSLOG_MESSAGE: {
		unsigned pri;
		const char *m;
		size_t ml;
		if (!syslog_parse(c, &pri, &m, &ml))
			return rt_na(out);
		unsigned fac = pri >> 3, sev = pri & 7;
		switch (f->id) {
		case FC_FIELD_SYSLOG_FACILITY:
			return vu64(out, fac);
		case FC_FIELD_SYSLOG_SEVERITY:
			return vu64(out, sev);
		case FC_FIELD_SYSLOG_FACILITY_STR:
			return fac < 24 ? vcstr(out, syslog_facilities[fac]) : rt_na(out);
		case FC_FIELD_SYSLOG_SEVERITY_STR:
			return vcstr(out, syslog_severities[sev]);
		default:
			while (ml && m[ml - 1] == '\0')
				ml--;
			return rt_vstr(out, m, ml);
		}
	}

	/* ---- container: no container runtime is queried; the host reads as Falco shows it ---- */
	case FC_FIELD_CONTAINER_ID:
	case FC_FIELD_CONTAINER_FULL_ID:
		if (!t)
			return rt_na(out);
		return vcstr(out, t->container_id && *t->container_id ? t->container_id : "host");
	case FC_FIELD_CONTAINER_NAME:
	case FC_FIELD_CONTAINER_TYPE:
		if (!t)
			return rt_na(out);
		if (!t->container_id || !*t->container_id || strcmp(t->container_id, "host") == 0)
			return vcstr(out, "host");
		return rt_na(out);
	case FC_FIELD_CONTAINER_PRIVILEGED:
	case FC_FIELD_CONTAINER_IMAGE:
	case FC_FIELD_CONTAINER_IMAGE_ID:
	case FC_FIELD_CONTAINER_MOUNTS:
	case FC_FIELD_CONTAINER_MOUNT:
	case FC_FIELD_CONTAINER_MOUNT_SOURCE:
	case FC_FIELD_CONTAINER_MOUNT_DEST:
	case FC_FIELD_CONTAINER_MOUNT_MODE:
	case FC_FIELD_CONTAINER_MOUNT_RDWR:
	case FC_FIELD_CONTAINER_MOUNT_PROPAGATION:
	case FC_FIELD_CONTAINER_IMAGE_REPOSITORY:
	case FC_FIELD_CONTAINER_IMAGE_TAG:
	case FC_FIELD_CONTAINER_IMAGE_DIGEST:
	case FC_FIELD_CONTAINER_HEALTHCHECK:
	case FC_FIELD_CONTAINER_LIVENESS_PROBE:
	case FC_FIELD_CONTAINER_READINESS_PROBE:
	case FC_FIELD_CONTAINER_START_TS:
	case FC_FIELD_CONTAINER_DURATION:
	case FC_FIELD_CONTAINER_IP:
	case FC_FIELD_CONTAINER_CNI_JSON:
	case FC_FIELD_CONTAINER_HOST_PID:
	case FC_FIELD_CONTAINER_HOST_NETWORK:
	case FC_FIELD_CONTAINER_HOST_IPC:
	case FC_FIELD_CONTAINER_LABEL:
	case FC_FIELD_CONTAINER_LABELS:
	case FC_FIELD_CONTAINER_INFO:
		return rt_na(out);

	/* ---- k8s: no Kubernetes metadata without a container runtime ---- */
	case FC_FIELD_K8S_NS_NAME:
	case FC_FIELD_K8S_POD_NAME:
	case FC_FIELD_K8S_POD_ID:
	case FC_FIELD_K8S_POD_UID:
	case FC_FIELD_K8S_POD_SANDBOX_ID:
	case FC_FIELD_K8S_POD_FULL_SANDBOX_ID:
	case FC_FIELD_K8S_POD_LABEL:
	case FC_FIELD_K8S_POD_LABELS:
	case FC_FIELD_K8S_POD_IP:
	case FC_FIELD_K8S_POD_CNI_JSON:
	case FC_FIELD_K8S_NS_ID:
	case FC_FIELD_K8S_NS_LABEL:
	case FC_FIELD_K8S_NS_LABELS:
	case FC_FIELD_K8S_RC_NAME:
	case FC_FIELD_K8S_RC_ID:
	case FC_FIELD_K8S_RC_LABEL:
	case FC_FIELD_K8S_RC_LABELS:
	case FC_FIELD_K8S_SVC_NAME:
	case FC_FIELD_K8S_SVC_ID:
	case FC_FIELD_K8S_SVC_LABEL:
	case FC_FIELD_K8S_SVC_LABELS:
	case FC_FIELD_K8S_RS_NAME:
	case FC_FIELD_K8S_RS_ID:
	case FC_FIELD_K8S_RS_LABEL:
	case FC_FIELD_K8S_RS_LABELS:
	case FC_FIELD_K8S_DEPLOYMENT_NAME:
	case FC_FIELD_K8S_DEPLOYMENT_ID:
	case FC_FIELD_K8S_DEPLOYMENT_LABEL:
	case FC_FIELD_K8S_DEPLOYMENT_LABELS:
		return rt_na(out);

	default:
		return rt_na(out);
	}
}

/* The evt.* fields of the k8s_audit source, as their syscall twins (the audit event carries a
 * header with its time and number); everything else from rt_k8s.c. */
static int extract_audit_field(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out)
{
	static const struct {
		enum fc_field_id audit, twin;
	} twins[] = {
	    {FC_FIELD_AUDIT_EVT_NUM, FC_FIELD_EVT_NUM},
	    {FC_FIELD_AUDIT_EVT_TIME, FC_FIELD_EVT_TIME},
	    {FC_FIELD_JEVT_TIME, FC_FIELD_EVT_TIME},
	    {FC_FIELD_AUDIT_EVT_TIME_S, FC_FIELD_EVT_TIME_S},
	    {FC_FIELD_AUDIT_EVT_TIME_ISO8601, FC_FIELD_EVT_TIME_ISO8601},
	    {FC_FIELD_JEVT_TIME_ISO8601, FC_FIELD_EVT_TIME_ISO8601},
	    {FC_FIELD_AUDIT_EVT_DATETIME, FC_FIELD_EVT_DATETIME},
	    {FC_FIELD_AUDIT_EVT_DATETIME_S, FC_FIELD_EVT_DATETIME_S},
	    {FC_FIELD_AUDIT_EVT_RAWTIME, FC_FIELD_EVT_RAWTIME},
	    {FC_FIELD_AUDIT_EVT_RAWTIME_S, FC_FIELD_EVT_RAWTIME_S},
	    {FC_FIELD_AUDIT_EVT_RAWTIME_NS, FC_FIELD_EVT_RAWTIME_NS},
	    {FC_FIELD_AUDIT_EVT_RELTIME, FC_FIELD_EVT_RELTIME},
	    {FC_FIELD_AUDIT_EVT_RELTIME_S, FC_FIELD_EVT_RELTIME_S},
	    {FC_FIELD_AUDIT_EVT_RELTIME_NS, FC_FIELD_EVT_RELTIME_NS},
	    {FC_FIELD_AUDIT_EVT_IS_ASYNC, FC_FIELD_EVT_IS_ASYNC},
	    {FC_FIELD_AUDIT_EVT_HOSTNAME, FC_FIELD_EVT_HOSTNAME},
	};
	enum fc_field_id id = e->field.field->id;
	if (!c->k8s)
		return rt_na(out);
	switch (id) {
	case FC_FIELD_AUDIT_EVT_ASYNCTYPE:
		return rt_na(out);
	case FC_FIELD_AUDIT_EVT_SOURCE:
		return vcstr(out, "k8s_audit");
	case FC_FIELD_AUDIT_EVT_PLUGINNAME:
		return vcstr(out, "k8saudit");
	case FC_FIELD_AUDIT_EVT_PLUGININFO: /* the plugin's String(): the event's JSON */
		return rt_vstr(out, c->k8s->text, c->k8s->len);
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (twins[i].audit == id) {
			struct fc_expr twin = *e;
			twin.field.field = &fc_fields[twins[i].twin];
			return extract_field_as(c, &twin, (int)twins[i].twin, out);
		}
	return rt_k8s_extract(c, c->k8s, e, out);
}

static int extract_field(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out)
{
	if (e->field.field && e->field.field->src == FC_SRC_K8S_AUDIT)
		return extract_audit_field(c, e, out);
	return extract_field_as(c, e, e->field.field ? (int)e->field.field->id : -1, out);
}

/* The parameter index evt.arg[name] names in events of this type, memoised per thread by
 * (argument name, event type): param_lookup compares the name with every parameter's. The
 * memo is indexed by the argument's address but hits only when the name's bytes are equal,
 * so a ruleset freed and reloaded at the same addresses cannot read a stale index. */
static int evt_arg_index(const struct rt_event *ev, const struct fc_str *a)
{
	static _Thread_local struct {
		unsigned type;
		int i;
		size_t len; /* 0: an empty entry */
		char name[32];
	} memo[512];
	if (!a || a->len == 0 || a->len > sizeof(memo[0].name))
		return param_lookup(ev, a);
	unsigned type = ev->hdr->type;
	/* bucket by address (cheap), hit only on equal bytes (safe across reloads) */
	uintptr_t h = ((uintptr_t)a >> 4) * 31u + type;
	h = (h ^ (h >> 9)) & 511;
	if (memo[h].len == a->len && memo[h].type == type &&
	    memcmp(memo[h].name, a->s, a->len) == 0)
		return memo[h].i;
	int i = param_lookup(ev, a);
	memo[h].type = type;
	memo[h].i = i;
	memo[h].len = a->len;
	memcpy(memo[h].name, a->s, a->len);
	return i;
}

/* u as decimal text (negative when is_signed and the top bit is set), in the scratch arena:
 * param_render's "%" PRId64 / "%" PRIu64 without printf. */
static int vdec(struct rt_ctx *c, struct rt_value *out, uint64_t u, bool is_signed)
{
	char tmp[24], *e = tmp + sizeof(tmp), *q = e;
	bool neg = is_signed && (int64_t)u < 0;
	uint64_t m = neg ? 0 - u : u;
	do {
		*--q = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (neg)
		*--q = '-';
	return rt_vstr(out, rt_ctx_strndup(c, q, (size_t)(e - q)), (size_t)(e - q));
}

/* evt.arg[...] for the JIT's fill (rt_jit_helpers.c): exactly the value extract_field_as
 * gives, with shortcuts. The parameter index is memoised (evt_arg_index). Numbers, flags and
 * user and group ids are rendered straight to the one text extract_field_as picks (the
 * resolved part when there is one, else the number), without printf. A string parameter
 * whose text is the parameter itself (a charbuf, or an fs path that is empty or absolute:
 * nothing to resolve, so param_render's value is the bytes up to the first NUL and its
 * resolved part is empty) is read in place instead of being copied into the scratch arena.
 * Every other parameter is rendered as extract_field_as renders it. */
static int evt_arg_direct(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out)
{
	const struct rt_event *ev = c->ev;
	if (!e->field.field || !ev || !ev->hdr || !ev->info)
		return rt_na(out);
	int i = evt_arg_index(ev, e->field.arg);
	if (i < 0 || (unsigned)i >= ev->nparams || !ev->plen[i])
		return rt_na(out);
	enum fk_param_type pt = ev->info->params[i].type;
	const char *p = (const char *)ev->param[i];
	switch (pt) {
	case FK_PT_INT8:
	case FK_PT_INT16:
	case FK_PT_INT32:
	case FK_PT_INT64: /* nothing resolved: the number */
		return vdec(c, out, (uint64_t)rd_s(ev->param[i], ev->plen[i]), true);
	case FK_PT_UINT8:
	case FK_PT_UINT16:
	case FK_PT_UINT32:
	case FK_PT_UINT64:
	case FK_PT_RELTIME:
	case FK_PT_ABSTIME:
		return vdec(c, out, rd_u(ev->param[i], ev->plen[i]), false);
	case FK_PT_FLAGS8:
	case FK_PT_FLAGS16:
	case FK_PT_FLAGS32: { /* the names, or the number when none applies */
		bool sg, en;
		uint64_t u = param_number(ev, i, &sg);
		const struct rt_flag_name *tab = flag_table(ev, ev->info->params[i].name, &en);
		if (tab) {
			struct rt_sb r;
			rt_sb_init(&r, c);
			flags_render(&r, tab, en, u);
			if (r.len)
				return rt_vstr(out, r.s, r.len);
		}
		return vdec(c, out, u, false);
	}
	case FK_PT_UID:
	case FK_PT_GID: { /* always resolved: the name, "root" or "<NA>" */
		uint32_t id = (uint32_t)rd_u(ev->param[i], ev->plen[i]);
		return vcstr(out, id_name(c, pt == FK_PT_UID, id));
	}
	default:
		break;
	}
	size_t n = strnlen(p, ev->plen[i]);
	if (pt == FK_PT_CHARBUF ||
	    ((pt == FK_PT_FSPATH || pt == FK_PT_FSRELPATH) && (n == 0 || p[0] == '/')))
		return rt_vstr(out, p, n);
	const char *val, *res;
	param_render(c, i, &val, &res);
	return vcstr(out, *res ? res : val);
}

#define X(F)                                                                                       \
	int rt_extract_direct_##F(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out) \
	{                                                                                          \
		int rc = FC_FIELD_##F == FC_FIELD_EVT_ARG                                          \
				 ? evt_arg_direct(c, e, out)                                       \
				 : extract_field_as(c, e, FC_FIELD_##F, out);                      \
		if (rc != 0)                                                                       \
			out->kind = RT_V_NA;                                                       \
		return rc;                                                                         \
	}
RT_DIRECT_FIELDS(X)
#undef X

/* --- transformers -------------------------------------------------------------------------- */

static int b64_val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

static bool b64_decode(struct rt_ctx *c, const char *s, size_t len, struct rt_value *out)
{
	char *o = rt_ctx_alloc(c, len * 3 / 4 + 4);
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=')
			break;
		int v = b64_val(s[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	o[n] = '\0';
	rt_vstr(out, o, n);
	return true;
}

/* A value's text, for transformers that work on strings. */
static bool value_text(struct rt_ctx *c, const struct fc_expr *e, const struct rt_value *v,
                       const char **s, size_t *len)
{
	if (v->kind == RT_V_NA)
		return false;
	if (v->kind == RT_V_STR) {
		*s = v->str.s;
		*len = v->str.len;
		return true;
	}
	*s = rt_value_format(c, e, v);
	*len = strlen(*s);
	return true;
}

typedef int (*rt_str_fn)(struct rt_ctx *c, const char *s, size_t len, struct rt_value *out);

static int xf_lower(struct rt_ctx *c, const char *s, size_t len, struct rt_value *out)
{
	char *o = rt_ctx_strndup(c, s, len);
	for (size_t i = 0; i < len; i++)
		if (o[i] >= 'A' && o[i] <= 'Z')
			o[i] = (char)(o[i] + 32);
	return rt_vstr(out, o, len);
}

static int xf_upper(struct rt_ctx *c, const char *s, size_t len, struct rt_value *out)
{
	char *o = rt_ctx_strndup(c, s, len);
	for (size_t i = 0; i < len; i++)
		if (o[i] >= 'a' && o[i] <= 'z')
			o[i] = (char)(o[i] - 32);
	return rt_vstr(out, o, len);
}

static int xf_b64(struct rt_ctx *c, const char *s, size_t len, struct rt_value *out)
{
	return b64_decode(c, s, len, out) ? 0 : rt_na(out);
}

static int xf_basename(struct rt_ctx *c, const char *s, size_t len, struct rt_value *out)
{
	size_t bl;
	const char *b = base_name(s, len, &bl);
	return rt_vstr(out, b, bl);
}

/* Applies fn to a value, or to every item of a list. */
static int xf_map(struct rt_ctx *c, const struct fc_expr *arg, const struct rt_value *in,
                  rt_str_fn fn, struct rt_value *out)
{
	if (in->kind == RT_V_LIST) {
		struct rt_value *items = rt_ctx_alloc(c, (in->list.n + 1) * sizeof(*items));
		size_t n = 0;
		for (size_t i = 0; i < in->list.n; i++) {
			const char *s;
			size_t len;
			if (value_text(c, arg, &in->list.items[i], &s, &len) &&
			    fn(c, s, len, &items[n]) == 0)
				n++;
		}
		out->kind = RT_V_LIST;
		out->list.items = items;
		out->list.n = n;
		return n ? 0 : rt_na(out);
	}
	const char *s;
	size_t len;
	if (!value_text(c, arg, in, &s, &len))
		return rt_na(out);
	return fn(c, s, len, out);
}

/* getopt(args, "-x"): the value of option -x in a command line: "-x value" or "-xvalue". */
static int xf_getopt(struct rt_ctx *c, const char *s, size_t len, const char *opt,
                     struct rt_value *out)
{
	size_t ol = strlen(opt);
	size_t i = 0;
	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		size_t st = i;
		while (i < len && s[i] != ' ')
			i++;
		size_t tl = i - st;
		if (!ol || tl < ol || memcmp(s + st, opt, ol) != 0)
			continue;
		if (tl > ol) {
			const char *v = s + st + ol;
			size_t vl = tl - ol;
			if (*v == '=') {
				v++;
				vl--;
			}
			return rt_vstr(out, v, vl);
		}
		while (i < len && s[i] == ' ')
			i++;
		size_t vs = i;
		while (i < len && s[i] != ' ')
			i++;
		return vs < i ? rt_vstr(out, s + vs, i - vs) : rt_na(out);
	}
	return rt_na(out);
}

static int extract_transform(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out)
{
	const char *nm = e->xf.name;
	if (e->xf.nargs < 1)
		return rt_na(out);
	struct rt_value a;
	const struct fc_expr *a0 = e->xf.args[0];
	if (strcmp(nm, "val") == 0)
		return rt_extract(c, a0, out);
	if (strcmp(nm, "concat") == 0) {
		struct rt_sb b;
		rt_sb_init(&b, c);
		for (int i = 0; i < e->xf.nargs; i++) {
			const char *s;
			size_t len;
			if (rt_extract(c, e->xf.args[i], &a) != 0 ||
			    !value_text(c, e->xf.args[i], &a, &s, &len))
				return rt_na(out);
			rt_sb_add(&b, s, len);
		}
		return rt_vstr(out, b.s, b.len);
	}
	if (strcmp(nm, "join") == 0) {
		if (e->xf.nargs != 2 || a0->kind != FC_EXPR_LITERAL)
			return rt_na(out);
		const struct fc_expr *a1 = e->xf.args[1];
		if (rt_extract(c, a1, &a) != 0)
			return rt_na(out);
		struct rt_sb b;
		rt_sb_init(&b, c);
		size_t n = a.kind == RT_V_LIST ? a.list.n : 1;
		for (size_t i = 0; i < n; i++) {
			const struct rt_value *it = a.kind == RT_V_LIST ? &a.list.items[i] : &a;
			const char *s;
			size_t len;
			if (!value_text(c, a1, it, &s, &len))
				continue;
			if (i)
				rt_sb_add(&b, a0->lit.s, a0->lit.len);
			rt_sb_add(&b, s, len);
		}
		return rt_vstr(out, b.s, b.len);
	}
	if (strcmp(nm, "getopt") == 0) {
		if (e->xf.nargs != 2 || e->xf.args[1]->kind != FC_EXPR_LITERAL)
			return rt_na(out);
		const char *s;
		size_t len;
		if (rt_extract(c, a0, &a) != 0 || !value_text(c, a0, &a, &s, &len))
			return rt_na(out);
		return xf_getopt(c, s, len, e->xf.args[1]->lit.s, out);
	}
	if (rt_extract(c, a0, &a) != 0)
		return rt_na(out);
	if (strcmp(nm, "len") == 0) {
		if (a.kind == RT_V_LIST)
			return vu64(out, a.list.n);
		const char *s;
		size_t len;
		if (!value_text(c, a0, &a, &s, &len))
			return rt_na(out);
		return vu64(out, len);
	}
	if (strcmp(nm, "tolower") == 0)
		return xf_map(c, a0, &a, xf_lower, out);
	if (strcmp(nm, "toupper") == 0)
		return xf_map(c, a0, &a, xf_upper, out);
	if (strcmp(nm, "b64") == 0)
		return xf_map(c, a0, &a, xf_b64, out);
	if (strcmp(nm, "basename") == 0)
		return xf_map(c, a0, &a, xf_basename, out);
	return rt_na(out);
}

/* --- the entry point ----------------------------------------------------------------------- */

int rt_extract_field(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out)
{
	int rc = e->kind == FC_EXPR_FIELD ? extract_field(c, e, out) : rt_na(out);
	if (rc != 0)
		out->kind = RT_V_NA;
	return rc;
}

int rt_extract(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out)
{
	uintptr_t h = (uintptr_t)e;
	h = (h >> 4) ^ (h >> 12);
	struct rt_cache_slot *s = &c->cache[h % RT_CACHE_SLOTS];
	if (s->e == e && s->gen == c->gen) {
		*out = s->v;
		return s->rc;
	}
	int rc;
	switch (e->kind) {
	case FC_EXPR_FIELD:
		rc = extract_field(c, e, out);
		break;
	case FC_EXPR_TRANSFORM:
		rc = extract_transform(c, e, out);
		break;
	case FC_EXPR_LITERAL:
		rc = rt_vstr(out, e->lit.s, e->lit.len);
		break;
	default:
		rc = rt_na(out);
	}
	if (rc != 0)
		out->kind = RT_V_NA;
	/* the slot may have been taken by a nested extraction meanwhile: write it last */
	s->e = e;
	s->gen = c->gen;
	s->rc = rc;
	s->v = *out;
	return rc;
}

/* --- rendering ----------------------------------------------------------------------------- */

static void value_render(struct rt_ctx *c, struct rt_sb *b, const struct rt_value *v, bool bytes)
{
	char ip[64];
	switch (v->kind) {
	case RT_V_NA:
		rt_sb_adds(b, "<NA>");
		break;
	case RT_V_STR:
		if (bytes)
			bytes_render(b, (const uint8_t *)v->str.s, v->str.len);
		else
			rt_sb_add(b, v->str.s, v->str.len);
		break;
	case RT_V_U64:
		rt_sb_printf(b, "%" PRIu64, v->u);
		break;
	case RT_V_S64:
		rt_sb_printf(b, "%" PRId64, v->i);
		break;
	case RT_V_DOUBLE:
		rt_sb_printf(b, "%f", v->d);
		break;
	case RT_V_BOOL:
		rt_sb_adds(b, v->b ? "true" : "false");
		break;
	case RT_V_IP:
		rt_format_ip(ip, sizeof(ip), v->ip.family, v->ip.addr);
		rt_sb_adds(b, ip);
		break;
	case RT_V_NET:
		rt_format_ip(ip, sizeof(ip), v->ip.family, v->ip.addr);
		rt_sb_printf(b, "%s/%u", ip, v->ip.prefix);
		break;
	case RT_V_LIST:
		rt_sb_addc(b, '(');
		for (size_t i = 0; i < v->list.n; i++) {
			if (i)
				rt_sb_addc(b, ',');
			value_render(c, b, &v->list.items[i], bytes);
		}
		rt_sb_addc(b, ')');
		break;
	}
}

const char *rt_value_format(struct rt_ctx *c, const struct fc_expr *e, const struct rt_value *v)
{
	if (v->kind == RT_V_NA)
		return "<NA>";
	if (v->kind == RT_V_STR && e && e->type != FC_T_BYTEBUF)
		return rt_ctx_strndup(c, v->str.s, strnlen(v->str.s, v->str.len));
	/* an "either" value (fd.ip, fd.port) prints as its first member; ancestor lists and
	 * list fields print whole */
	if (v->kind == RT_V_LIST && e && e->kind == FC_EXPR_FIELD && e->field.field &&
	    !(e->field.field->flags & FC_F_LIST) && v->list.n &&
	    (e->field.field->id == FC_FIELD_FD_IP || e->field.field->id == FC_FIELD_FD_NET ||
	     e->field.field->id == FC_FIELD_FD_PORT || e->field.field->id == FC_FIELD_FD_PROTO))
		v = &v->list.items[0];
	struct rt_sb b;
	rt_sb_init(&b, c);
	value_render(c, &b, v, e && e->type == FC_T_BYTEBUF);
	return b.s;
}
