/* SPDX-License-Identifier: Apache-2.0 */
/* fc_scenario.c - turns a scenario (a tests/scenarios YAML file: the machine's initial processes,
 * fds and users, a sequence of system calls, the alerts expected) into a falcod capture
 * (docs/capture.md) and a JSON sidecar of the expectations that run_scenarios.py compares
 * falcod's alerts with. tests/scenarios/README.md describes the format.
 *
 * The tool keeps its own small model of the processes (clone copies, execve replaces, exit
 * removes) to fill the parameters the kernel would report on its own (an execve's cwd, env,
 * cgroups, loginuid; a clone's parent ids): it never asks the runtime's state, so that a bug
 * there shows up as a wrong alert instead of being copied into the capture.
 *
 * Not here: running falcod or comparing alerts (run_scenarios.py). A test program: errors
 * in a scenario print "file:line:col: error: ..." and exit 2. */
#include "bpf/fk_shared.h"
#include "compiler/fc.h"
#include "compiler/fc_yaml.h"
#include "runtime/rt_capture.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *g_path;

__attribute__((noreturn, format(printf, 2, 3))) static void die_at(const struct fc_ynode *n,
                                                                   const char *fmt, ...)
{
	va_list ap;
	if (n)
		fprintf(stderr, "%s:%d:%d: error: ", g_path, n->loc.first_line,
		        n->loc.first_column);
	else
		fprintf(stderr, "%s: error: ", g_path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

/* --- YAML access ------------------------------------------------------------------------- */

static const char *scalar(const struct fc_ynode *n)
{
	if (!n)
		return NULL;
	if (n->kind != FC_Y_SCALAR)
		die_at(n, "expected a scalar");
	return n->scalar.s;
}

static const char *get_str(const struct fc_ynode *map, const char *key, const char *def)
{
	const struct fc_ynode *n = fc_ymap_get(map, key);
	return n ? scalar(n) : def;
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno == ERANGE) {
		unsigned long long u = strtoull(s, &end, 0);
		if (errno == ERANGE || *end)
			return false;
		*out = (int64_t)u;
		return true;
	}
	if (*end)
		return false;
	*out = v;
	return true;
}

static int64_t node_i64(const struct fc_ynode *n)
{
	int64_t v;
	if (!parse_i64(scalar(n), &v))
		die_at(n, "expected an integer, got '%s'", n->scalar.s);
	return v;
}

static int64_t get_i64(const struct fc_ynode *map, const char *key, int64_t def)
{
	const struct fc_ynode *n = fc_ymap_get(map, key);
	return n ? node_i64(n) : def;
}

static bool node_bool(const struct fc_ynode *n)
{
	const char *s = scalar(n);
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
		return true;
	if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
		return false;
	die_at(n, "expected a boolean, got '%s'", s);
}

static bool get_bool(const struct fc_ynode *map, const char *key, bool def)
{
	const struct fc_ynode *n = fc_ymap_get(map, key);
	return n ? node_bool(n) : def;
}

static const struct fc_ynode *get_seq(const struct fc_ynode *map, const char *key)
{
	const struct fc_ynode *n = fc_ymap_get(map, key);
	if (n && n->kind != FC_Y_SEQ)
		die_at(n, "'%s' must be a list", key);
	return n;
}

/* Seconds, possibly fractional ("1.5"), to ns. */
static uint64_t node_seconds_ns(const struct fc_ynode *n)
{
	char *end;
	double d = strtod(scalar(n), &end);
	if (*end || d < 0)
		die_at(n, "expected seconds, got '%s'", n->scalar.s);
	return (uint64_t)(d * 1e9);
}

/* --- NUL-separated string arrays ----------------------------------------------------------- */

struct blob {
	char *p;
	size_t len;
	unsigned n;
};

static void blob_add(struct blob *b, const char *s)
{
	size_t l = strlen(s) + 1;
	char *p = realloc(b->p, b->len + l + 1);
	if (!p)
		abort();
	memcpy(p + b->len, s, l);
	b->p = p;
	b->len += l;
	b->p[b->len] = '\0';
	b->n++;
}

static struct blob blob_copy(const struct blob *src)
{
	struct blob b = {0};
	if (src->len) {
		b.p = xcalloc(1, src->len + 1);
		memcpy(b.p, src->p, src->len);
		b.len = src->len;
		b.n = src->n;
	}
	return b;
}

static void blob_free(struct blob *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static struct blob node_blob(const struct fc_ynode *n)
{
	struct blob b = {0};
	if (!n)
		return b;
	if (n->kind == FC_Y_SCALAR) {
		blob_add(&b, n->scalar.s);
		return b;
	}
	if (n->kind != FC_Y_SEQ)
		die_at(n, "expected a list of strings");
	for (size_t i = 0; i < n->seq.n; i++)
		blob_add(&b, scalar(n->seq.items[i]));
	return b;
}

/* --- the process model ------------------------------------------------------------------- */

struct proc {
	int64_t tid, pid, ptid, sid, pgid, vtid, vpid;
	char comm[FK_COMM_LEN];
	char *exe, *exepath, *cwd; /* cwd without the trailing '/' */
	struct blob args, env, cgroups;
	uint32_t uid, gid, euid, egid, loginuid, tty, exe_flags;
	uint64_t clone_ts, exec_ts, cap_p, cap_e, cap_i;
	struct proc *next;
};

static struct proc *g_procs;

static struct proc *proc_find(int64_t tid)
{
	for (struct proc *p = g_procs; p; p = p->next)
		if (p->tid == tid)
			return p;
	return NULL;
}

static void proc_remove(int64_t tid)
{
	for (struct proc **pp = &g_procs; *pp; pp = &(*pp)->next) {
		if ((*pp)->tid == tid) {
			struct proc *p = *pp;
			*pp = p->next;
			free(p->exe);
			free(p->exepath);
			free(p->cwd);
			blob_free(&p->args);
			blob_free(&p->env);
			blob_free(&p->cgroups);
			free(p);
			return;
		}
	}
}

static struct proc *proc_copy(const struct proc *src, int64_t tid)
{
	struct proc *p = xcalloc(1, sizeof(*p));
	*p = *src;
	p->tid = tid;
	p->exe = xstrdup(src->exe);
	p->exepath = xstrdup(src->exepath);
	p->cwd = xstrdup(src->cwd);
	p->args = blob_copy(&src->args);
	p->env = blob_copy(&src->env);
	p->cgroups = blob_copy(&src->cgroups);
	p->next = g_procs;
	g_procs = p;
	return p;
}

static void set_comm(char comm[FK_COMM_LEN], const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	memset(comm, 0, FK_COMM_LEN);
	strncpy(comm, b, FK_COMM_LEN - 1);
}

#define FULL_CAPS 0x1ffffffffffull

/* cgroups of a container: the docker layout for the subsystems Falco reads. */
static struct blob container_cgroups(const struct fc_ynode *n, const char *id)
{
	static const char *subsys[] = {"cpuset", "cpu", "memory", "pids"};
	struct blob b = {0};
	char line[256];
	size_t l = strlen(id);
	if (l != 64 || strspn(id, "0123456789abcdef") != 64)
		die_at(n, "container: a 64-character lower-case hex id is expected");
	for (size_t i = 0; i < sizeof(subsys) / sizeof(subsys[0]); i++) {
		snprintf(line, sizeof(line), "%s=/docker/%s", subsys[i], id);
		blob_add(&b, line);
	}
	return b;
}

static struct blob host_cgroups(void)
{
	struct blob b = {0};
	blob_add(&b, "cpuset=/");
	blob_add(&b, "cpu=/user.slice");
	blob_add(&b, "memory=/user.slice");
	blob_add(&b, "pids=/user.slice");
	return b;
}

/* --- flag and value names ---------------------------------------------------------------- */

struct name_val {
	const char *name;
	uint64_t val;
};

/* Falco's encodings (PPM_*), which are the event model's (bpf/fk_events.def). */
static const struct name_val flag_names[] = {
    /* open flags, PPM_O_* */
    {"O_RDONLY", 1u << 0},
    {"O_WRONLY", 1u << 1},
    {"O_RDWR", 3},
    {"O_CREAT", 1u << 2},
    {"O_APPEND", 1u << 3},
    {"O_DSYNC", 1u << 4},
    {"O_EXCL", 1u << 5},
    {"O_NONBLOCK", 1u << 6},
    {"O_SYNC", 1u << 7},
    {"O_TRUNC", 1u << 8},
    {"O_DIRECT", 1u << 9},
    {"O_DIRECTORY", 1u << 10},
    {"O_LARGEFILE", 1u << 11},
    {"O_CLOEXEC", 1u << 12},
    {"O_TMPFILE", 1u << 13},
    /* open flags Falco's driver does not encode: accepted, and dropped as it drops them */
    {"O_NOFOLLOW", 0},
    {"O_NOCTTY", 0},
    {"O_NOATIME", 0},
    {"O_PATH", 0},
    /* clone flags, PPM_CL_* */
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
    {"CLONE_NEWUSER", 1u << 20},
    {"CLONE_CHILD_CLEARTID", 1u << 23},
    {"CLONE_CHILD_SETTID", 1u << 24},
    {"CLONE_SETTLS", 1u << 25},
    {"CLONE_VFORK", 1u << 27},
    {"CLONE_NEWCGROUP", 1u << 28},
    {"CHILD_IN_PIDNS", 1u << 29},
    /* execve flags, PPM_EXE_* */
    {"EXE_WRITABLE", 1u << 0},
    {"EXE_UPPER_LAYER", 1u << 1},
    {"EXE_FROM_MEMFD", 1u << 2},
    {"EXE_LOWER_LAYER", 1u << 3},
    /* *at flags */
    {"AT_SYMLINK_NOFOLLOW", 0x100},
    {"AT_REMOVEDIR", 0x200},
    {"AT_SYMLINK_FOLLOW", 0x400},
    {"AT_EMPTY_PATH", 0x1000},
    /* mmap/mprotect prot, PPM_PROT_* */
    {"PROT_NONE", 0},
    {"PROT_READ", 1},
    {"PROT_WRITE", 2},
    {"PROT_EXEC", 4},
    /* socket domains and types (the kernel's numbers, which Falco keeps) */
    {"AF_UNSPEC", 0},
    {"AF_UNIX", 1},
    {"AF_LOCAL", 1},
    {"AF_INET", 2},
    {"AF_INET6", 10},
    {"AF_NETLINK", 16},
    {"AF_PACKET", 17},
    {"SOCK_STREAM", 1},
    {"SOCK_DGRAM", 2},
    {"SOCK_RAW", 3},
    {"SOCK_SEQPACKET", 5},
    {"SOCK_NONBLOCK", 04000},
    {"SOCK_CLOEXEC", 02000000},
    /* memfd_create flags, PPM_MFD_* */
    {"MFD_CLOEXEC", 1},
    {"MFD_ALLOW_SEALING", 2},
    {"MFD_HUGETLB", 4},
    {NULL, 0},
};

static const struct name_val errno_names[] = {
    {"EPERM", 1},   {"ENOENT", 2},         {"EINTR", 4},         {"EIO", 5},
    {"EBADF", 9},   {"EAGAIN", 11},        {"ENOMEM", 12},       {"EACCES", 13},
    {"EEXIST", 17}, {"ENOTDIR", 20},       {"EISDIR", 21},       {"EINVAL", 22},
    {"EROFS", 30},  {"ECONNREFUSED", 111}, {"EINPROGRESS", 115}, {NULL, 0},
};

static bool lookup(const struct name_val *t, const char *s, size_t len, uint64_t *out)
{
	for (; t->name; t++)
		if (strlen(t->name) == len && !strncmp(t->name, s, len)) {
			*out = t->val;
			return true;
		}
	return false;
}

/* "O_WRONLY|O_CREAT|O_TRUNC", a number, or a mix. */
static uint64_t node_flags(const struct fc_ynode *n)
{
	const char *s = scalar(n);
	uint64_t v = 0;
	while (*s) {
		while (*s == ' ' || *s == '|')
			s++;
		size_t l = strcspn(s, "| ");
		if (!l)
			break;
		uint64_t x;
		char tok[64];
		int64_t num;
		snprintf(tok, sizeof(tok), "%.*s", (int)l, s);
		if (lookup(flag_names, s, l, &x))
			v |= x;
		else if (parse_i64(tok, &num))
			v |= (uint64_t)num;
		else
			die_at(n, "unknown flag '%s'", tok);
		s += l;
	}
	return v;
}

/* A signed result: a number, or an errno name meaning its negation. */
static int64_t node_result(const struct fc_ynode *n)
{
	const char *s = scalar(n);
	uint64_t e;
	int64_t v;
	if (lookup(errno_names, s, strlen(s), &e))
		return -(int64_t)e;
	if (parse_i64(s, &v))
		return v;
	die_at(n, "expected a number or an errno name, got '%s'", s);
}

/* --- addresses --------------------------------------------------------------------------- */

struct addr {
	uint8_t family;
	uint8_t ip[16];
	uint16_t port;
	char path[108];
};

/* "1.2.3.4:80", "[::1]:80", "/run/x.sock". */
static void parse_addr(const struct fc_ynode *n, const char *s, size_t len, struct addr *a)
{
	char buf[256];
	memset(a, 0, sizeof(*a));
	if (len >= sizeof(buf))
		die_at(n, "address too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '/' || buf[0] == '@') {
		a->family = FK_AF_UNIX;
		snprintf(a->path, sizeof(a->path), "%.107s", buf);
		return;
	}
	char *host = buf, *port;
	if (buf[0] == '[') {
		char *e = strchr(buf, ']');
		if (!e || e[1] != ':')
			die_at(n, "bad IPv6 address '%s'", buf);
		*e = '\0';
		host = buf + 1;
		port = e + 2;
		a->family = FK_AF_INET6;
		if (inet_pton(AF_INET6, host, a->ip) != 1)
			die_at(n, "bad IPv6 address '%s'", host);
	} else {
		port = strrchr(buf, ':');
		if (!port)
			die_at(n, "address '%s' lacks a port", buf);
		*port++ = '\0';
		a->family = FK_AF_INET;
		if (inet_pton(AF_INET, host, a->ip) != 1)
			die_at(n, "bad IPv4 address '%s'", host);
	}
	int64_t p;
	if (!parse_i64(port, &p) || p < 0 || p > 65535)
		die_at(n, "bad port '%s'", port);
	a->port = (uint16_t)p;
}

/* "src->dst" */
static void parse_tuple(const struct fc_ynode *n, struct addr *src, struct addr *dst)
{
	const char *s = scalar(n);
	const char *arrow = strstr(s, "->");
	if (!arrow)
		die_at(n, "a tuple is 'src->dst', got '%s'", s);
	parse_addr(n, s, (size_t)(arrow - s), src);
	parse_addr(n, arrow + 2, strlen(arrow + 2), dst);
	if (src->family != dst->family)
		die_at(n, "tuple ends of different families");
}

static void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2); /* little endian hosts only, as the capture format */
}

/* --- event encoding ---------------------------------------------------------------------- */

static void add_int(struct rt_event_builder *b, enum fk_param_type t, uint64_t v)
{
	switch (t) {
	case FK_PT_INT8:
	case FK_PT_UINT8:
	case FK_PT_FLAGS8:
	case FK_PT_SIGTYPE:
		rt_event_builder_add_u64(b, v, 1);
		break;
	case FK_PT_INT16:
	case FK_PT_UINT16:
	case FK_PT_FLAGS16:
		rt_event_builder_add_u64(b, v, 2);
		break;
	case FK_PT_INT32:
	case FK_PT_UINT32:
	case FK_PT_FLAGS32:
	case FK_PT_MODE:
	case FK_PT_UID:
	case FK_PT_GID:
		rt_event_builder_add_u64(b, v, 4);
		break;
	default:
		rt_event_builder_add_u64(b, v, 8);
		break;
	}
}

static bool is_int_type(enum fk_param_type t)
{
	return t != FK_PT_CHARBUF && t != FK_PT_FSPATH && t != FK_PT_FSRELPATH &&
	       t != FK_PT_BYTEBUF && t != FK_PT_CHARBUFARRAY && t != FK_PT_SOCKADDR &&
	       t != FK_PT_SOCKTUPLE;
}

/* Encodes one parameter from the scenario's node. Returns the integer value for integer
 * parameters (for the header's res). */
static int64_t add_param(struct rt_event_builder *b, enum fk_param_type t, const struct fc_ynode *n)
{
	uint8_t buf[64];
	struct addr s, d;
	switch (t) {
	case FK_PT_CHARBUF:
	case FK_PT_FSPATH:
	case FK_PT_FSRELPATH:
		rt_event_builder_add_str(b, scalar(n));
		return 0;
	case FK_PT_BYTEBUF: {
		const char *v = scalar(n);
		rt_event_builder_add(b, v, (uint16_t)n->scalar.len);
		return 0;
	}
	case FK_PT_CHARBUFARRAY: {
		struct blob bl = node_blob(n);
		rt_event_builder_add(b, bl.p ? bl.p : "", (uint16_t)bl.len);
		blob_free(&bl);
		return 0;
	}
	case FK_PT_SOCKADDR:
		parse_addr(n, scalar(n), n->scalar.len, &s);
		buf[0] = s.family;
		if (s.family == FK_AF_INET) {
			memcpy(buf + 1, s.ip, 4);
			put_u16(buf + 5, s.port);
			rt_event_builder_add(b, buf, 7);
		} else if (s.family == FK_AF_INET6) {
			memcpy(buf + 1, s.ip, 16);
			put_u16(buf + 17, s.port);
			rt_event_builder_add(b, buf, 19);
		} else {
			uint8_t u[1 + sizeof(s.path)];
			u[0] = FK_AF_UNIX;
			size_t l = strlen(s.path) + 1;
			memcpy(u + 1, s.path, l);
			rt_event_builder_add(b, u, (uint16_t)(1 + l));
		}
		return 0;
	case FK_PT_SOCKTUPLE:
		parse_tuple(n, &s, &d);
		buf[0] = s.family;
		if (s.family == FK_AF_INET) {
			memcpy(buf + 1, s.ip, 4);
			put_u16(buf + 5, s.port);
			memcpy(buf + 7, d.ip, 4);
			put_u16(buf + 11, d.port);
			rt_event_builder_add(b, buf, 13);
		} else if (s.family == FK_AF_INET6) {
			memcpy(buf + 1, s.ip, 16);
			put_u16(buf + 17, s.port);
			memcpy(buf + 19, d.ip, 16);
			put_u16(buf + 35, d.port);
			rt_event_builder_add(b, buf, 37);
		} else {
			uint8_t u[17 + sizeof(d.path)];
			uint64_t a = 0xffff9a0b12345600ull, z = 0xffff9a0b12345700ull;
			u[0] = FK_AF_UNIX;
			memcpy(u + 1, &a, 8);
			memcpy(u + 9, &z, 8);
			size_t l = strlen(d.path) + 1;
			memcpy(u + 17, d.path, l);
			rt_event_builder_add(b, u, (uint16_t)(17 + l));
		}
		return 0;
	case FK_PT_FLAGS8:
	case FK_PT_FLAGS16:
	case FK_PT_FLAGS32: {
		uint64_t v = node_flags(n);
		add_int(b, t, v);
		return (int64_t)v;
	}
	case FK_PT_ERRNO:
	case FK_PT_FD:
	case FK_PT_PID: {
		int64_t v = node_result(n);
		add_int(b, t, (uint64_t)v);
		return v;
	}
	default: {
		/* a number, or names (SOCK_STREAM, AF_INET) for enumerations kept as integers */
		int64_t v;
		if (!parse_i64(scalar(n), &v))
			v = (int64_t)node_flags(n);
		add_int(b, t, (uint64_t)v);
		return v;
	}
	}
}

/* Values the tool fills for a parameter the scenario leaves out (execve and clone families,
 * from the model). kind: 'i' integer in *iv, 's' string in *sv, 'b' blob in *bv, 0 none. */
struct autoval {
	char kind;
	int64_t iv;
	const char *sv;
	const struct blob *bv;
};

static bool is_exec(unsigned type)
{
	return type == FK_EVENT_EXECVE || type == FK_EVENT_EXECVEAT;
}

static bool is_clone(unsigned type)
{
	return type == FK_EVENT_CLONE || type == FK_EVENT_CLONE3 || type == FK_EVENT_FORK ||
	       type == FK_EVENT_VFORK;
}

/* The process image an execve/clone event reports: p, the thread after the call. */
static struct autoval auto_param(unsigned type, const char *name, const struct proc *p)
{
	struct autoval a = {0};
	if (!is_exec(type) && !is_clone(type))
		return a;
	a.kind = 'i';
	if (!strcmp(name, "tid"))
		a.iv = p->tid;
	else if (!strcmp(name, "pid"))
		a.iv = p->pid;
	else if (!strcmp(name, "ptid"))
		a.iv = p->ptid;
	else if (!strcmp(name, "vtid"))
		a.iv = p->vtid;
	else if (!strcmp(name, "vpid"))
		a.iv = p->vpid;
	else if (!strcmp(name, "uid"))
		a.iv = p->euid;
	else if (!strcmp(name, "gid"))
		a.iv = p->egid;
	else if (!strcmp(name, "sid") && is_exec(type))
		a.iv = p->sid;
	else if (!strcmp(name, "pgid") && is_exec(type))
		a.iv = p->pgid;
	else if (!strcmp(name, "tty") && is_exec(type))
		a.iv = p->tty;
	else if (!strcmp(name, "loginuid") && is_exec(type))
		a.iv = (int64_t)p->loginuid;
	else if (!strcmp(name, "flags"))
		a.iv = is_exec(type) ? p->exe_flags : 0;
	else if (!strcmp(name, "res") || !strcmp(name, "dirfd"))
		a.kind = 0;
	else {
		a.kind = 's';
		if (!strcmp(name, "exe"))
			a.sv = p->exe;
		else if (!strcmp(name, "cwd"))
			a.sv = p->cwd;
		else if (!strcmp(name, "comm"))
			a.sv = p->comm;
		else if (!strcmp(name, "exepath") || !strcmp(name, "filename") ||
		         !strcmp(name, "pathname"))
			a.sv = p->exepath;
		else {
			a.kind = 'b';
			if (!strcmp(name, "args"))
				a.bv = &p->args;
			else if (!strcmp(name, "env"))
				a.bv = &p->env;
			else if (!strcmp(name, "cgroups"))
				a.bv = &p->cgroups;
			else
				a.kind = 0;
		}
	}
	return a;
}

struct gen {
	struct rt_capture_writer *w;
	struct rt_event_builder b;
	uint64_t ts;
	uint64_t step;
	unsigned nevents;
};

/* Builds and writes one event of type for thread p (tid, tgid), taking parameters from
 * params (a map, may be NULL), else from the model (image: the process image to report),
 * else absent. res_override: when has_res, the header's res. */
static void emit(struct gen *g, const struct fc_ynode *at, unsigned type, const struct proc *p,
                 const struct proc *image, const struct fc_ynode *params, bool has_res, int64_t res)
{
	const struct rt_event_info *info = rt_event_info(type);
	/* every key must name a parameter */
	if (params)
		for (size_t i = 0; i < params->map.n; i++) {
			const char *k = scalar(params->map.pairs[i].key);
			if (strcmp(k, "child_event") != 0 && rt_event_param_index(type, k) < 0) {
				char names[512] = "";
				for (unsigned j = 0; j < info->nparams; j++) {
					strncat(names, " ", sizeof(names) - strlen(names) - 1);
					strncat(names, info->params[j].name,
					        sizeof(names) - strlen(names) - 1);
				}
				die_at(params->map.pairs[i].key,
				       "%s has no parameter '%s' (it has:%s)", info->name, k,
				       names);
			}
		}
	/* header first; res fixed below once param 0 is known */
	rt_event_builder_begin(&g->b, type, g->ts, (uint32_t)p->tid, (uint32_t)p->pid, 0);
	int64_t first = 0;
	bool have_first = false;
	for (unsigned i = 0; i < info->nparams; i++) {
		const struct rt_param_info *pi = &info->params[i];
		const struct fc_ynode *v = params ? fc_ymap_get(params, pi->name) : NULL;
		int64_t iv = 0;
		bool isint = is_int_type(pi->type);
		if (i == 0 && has_res && isint) {
			iv = res;
			add_int(&g->b, pi->type, (uint64_t)res);
		} else if (v) {
			iv = add_param(&g->b, pi->type, v);
		} else if (0) {
			iv = res;
			add_int(&g->b, pi->type, (uint64_t)res);
		} else {
			struct autoval a = auto_param(type, pi->name, image);
			if (a.kind == 'i') {
				iv = a.iv;
				add_int(&g->b, pi->type, (uint64_t)a.iv);
			} else if (a.kind == 's' && a.sv) {
				rt_event_builder_add_str(&g->b, a.sv);
			} else if (a.kind == 'b') {
				rt_event_builder_add(&g->b, a.bv->p ? a.bv->p : "",
				                     (uint16_t)a.bv->len);
			} else if (i == 0 && isint) {
				add_int(&g->b, pi->type, 0); /* success */
			} else {
				rt_event_builder_add_empty(&g->b);
			}
		}
		if (i == 0 && isint) {
			first = iv;
			have_first = true;
		}
	}
	const struct fk_event_hdr *h = rt_event_builder_finish(&g->b);
	struct fk_event_hdr *mh = (struct fk_event_hdr *)h;
	mh->res = has_res ? res : have_first ? first : 0;
	int rc = rt_capture_write_event(g->w, h, 0);
	if (rc)
		die_at(at, "writing the event: %s", strerror(-rc));
	g->nevents++;
	g->ts += g->step;
}

/* --- initial state ----------------------------------------------------------------------- */

static void proc_from_node(const struct fc_ynode *n, uint64_t start_ns)
{
	if (n->kind != FC_Y_MAP)
		die_at(n, "a process is a map");
	struct proc *p = xcalloc(1, sizeof(*p));
	p->pid = get_i64(n, "pid", -1);
	if (p->pid <= 0)
		die_at(n, "a process needs a pid");
	p->tid = get_i64(n, "tid", p->pid);
	if (proc_find(p->tid))
		die_at(n, "tid %lld given twice", (long long)p->tid);
	p->ptid = get_i64(n, "ppid", 0);
	p->sid = get_i64(n, "sid", p->pid);
	p->pgid = get_i64(n, "pgid", p->pid);
	p->vtid = get_i64(n, "vtid", p->tid);
	p->vpid = get_i64(n, "vpid", p->pid);
	const char *exepath = get_str(n, "exepath", NULL);
	const char *exe = get_str(n, "exe", exepath);
	if (!exe)
		die_at(n, "a process needs exe or exepath");
	if (!exepath) {
		if (exe[0] != '/')
			die_at(n, "exepath is needed when exe is not an absolute path");
		exepath = exe;
	}
	p->exe = xstrdup(exe);
	p->exepath = xstrdup(exepath);
	set_comm(p->comm, get_str(n, "comm", exepath));
	p->args = node_blob(get_seq(n, "args"));
	p->env = node_blob(get_seq(n, "env"));
	p->cwd = xstrdup(get_str(n, "cwd", "/"));
	p->uid = p->euid = (uint32_t)get_i64(n, "uid", 0);
	p->gid = p->egid = (uint32_t)get_i64(n, "gid", 0);
	p->euid = (uint32_t)get_i64(n, "euid", p->uid);
	p->egid = (uint32_t)get_i64(n, "egid", p->gid);
	p->loginuid = (uint32_t)get_i64(n, "loginuid", -1);
	p->tty = (uint32_t)get_i64(n, "tty", 0);
	const struct fc_ynode *c = fc_ymap_get(n, "container");
	if (c)
		p->cgroups = container_cgroups(c, scalar(c));
	else if (fc_ymap_get(n, "cgroups"))
		p->cgroups = node_blob(get_seq(n, "cgroups"));
	else
		p->cgroups = host_cgroups();
	const struct fc_ynode *age = fc_ymap_get(n, "age");
	uint64_t a = age ? node_seconds_ns(age) : 3600ull * 1000000000ull;
	p->clone_ts = start_ns > a ? start_ns - a : 0;
	p->exec_ts = p->clone_ts;
	uint64_t caps = p->euid == 0 ? FULL_CAPS : 0;
	p->cap_p = p->cap_e = (uint64_t)get_i64(n, "cap_effective", (int64_t)caps);
	p->cap_i = 0;
	const struct fc_ynode *ef = fc_ymap_get(n, "exe_flags");
	p->exe_flags = ef ? (uint32_t)node_flags(ef) : 0;
	p->next = g_procs;
	g_procs = p;
}

static void write_thread(struct rt_capture_writer *w, const struct proc *p)
{
	struct rt_thread t;
	memset(&t, 0, sizeof(t));
	t.tid = p->tid;
	t.pid = p->pid;
	t.ptid = p->ptid;
	t.vtid = p->vtid;
	t.vpid = p->vpid;
	t.sid = p->sid;
	t.pgid = p->pgid;
	memcpy(t.comm, p->comm, sizeof(t.comm));
	t.exe = p->exe;
	t.exepath = p->exepath;
	t.args = p->args.p ? p->args.p : "";
	t.args_len = p->args.len;
	t.nargs = p->args.n;
	t.env = p->env.p ? p->env.p : "";
	t.env_len = p->env.len;
	char cwd[4096];
	size_t l = strlen(p->cwd);
	snprintf(cwd, sizeof(cwd), "%s%s", p->cwd, l && p->cwd[l - 1] == '/' ? "" : "/");
	t.cwd = cwd;
	t.cgroups = p->cgroups.p ? p->cgroups.p : ""; /* "a\0b\0" + the blob's extra NUL */
	char id[13] = "host";
	for (const char *cg = t.cgroups; *cg; cg += strlen(cg) + 1) {
		const char *path = strchr(cg, '=');
		rt_container_id_from_cgroup(path ? path + 1 : cg, id);
		if (strcmp(id, "host") != 0)
			break;
	}
	t.container_id = id;
	t.uid = p->uid;
	t.gid = p->gid;
	t.euid = p->euid;
	t.egid = p->egid;
	t.loginuid = p->loginuid;
	t.tty = p->tty;
	t.clone_ts = p->clone_ts;
	t.exec_ts = p->exec_ts;
	t.cap_permitted = p->cap_p;
	t.cap_effective = p->cap_e;
	t.cap_inheritable = p->cap_i;
	t.exe_flags = p->exe_flags;
	t.exe_from_memfd = p->exe_flags & RT_EXE_FROM_MEMFD;
	int rc = rt_capture_write_thread(w, &t);
	if (rc)
		die_at(NULL, "writing thread %lld: %s", (long long)p->tid, strerror(-rc));
}

static char fd_type_char(const struct fc_ynode *n, const char *s)
{
	static const struct {
		const char *name;
		char c;
	} types[] = {
	    {"file", 'f'},     {"dir", 'd'},       {"directory", 'd'},   {"ipv4", '4'},
	    {"ipv6", '6'},     {"unix", 'u'},      {"pipe", 'p'},        {"event", 'e'},
	    {"signalfd", 's'}, {"eventpoll", 'l'}, {"inotify", 'i'},     {"timerfd", 't'},
	    {"netlink", 'n'},  {"bpf", 'b'},       {"userfaultfd", 'y'}, {"memfd", 'm'},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, s))
			return types[i].c;
	die_at(n, "unknown fd type '%s'", s);
}

static void write_fd(struct rt_capture_writer *w, int64_t tid, const struct fc_ynode *n)
{
	struct rt_fd f;
	char name[512];
	memset(&f, 0, sizeof(f));
	if (n->kind != FC_Y_MAP)
		die_at(n, "an fd is a map");
	f.num = get_i64(n, "fd", -1);
	if (f.num < 0)
		die_at(n, "an fd needs 'fd'");
	f.type = fd_type_char(n, get_str(n, "type", "file"));
	const struct fc_ynode *fl = fc_ymap_get(n, "flags");
	f.open_flags = fl ? (uint32_t)node_flags(fl) : 0;
	const char *nm = get_str(n, "name", NULL);
	const struct fc_ynode *tu = fc_ymap_get(n, "tuple");
	const struct fc_ynode *bound = fc_ymap_get(n, "bind");
	if (tu || bound) {
		struct addr s, d;
		memset(&d, 0, sizeof(d));
		if (tu)
			parse_tuple(tu, &s, &d);
		else
			parse_addr(bound, scalar(bound), bound->scalar.len, &s);
		f.family = s.family;
		const char *proto = get_str(n, "proto", "tcp");
		f.l4proto = !strcmp(proto, "udp") ? RT_L4_UDP : RT_L4_TCP;
		f.is_server = get_bool(n, "server", bound != NULL);
		f.connected = tu != NULL;
		memcpy(f.sip, s.ip, 16);
		memcpy(f.dip, d.ip, 16);
		f.sport = s.port;
		f.dport = d.port;
		if (s.family == FK_AF_UNIX) {
			f.type = 'u';
			snprintf(name, sizeof(name), "%s", s.path);
		} else {
			char a[64], b[64];
			int af = s.family == FK_AF_INET ? AF_INET : AF_INET6;
			f.type = s.family == FK_AF_INET ? '4' : '6';
			inet_ntop(af, s.ip, a, sizeof(a));
			inet_ntop(af, d.ip, b, sizeof(b));
			if (tu)
				snprintf(name, sizeof(name), "%s:%u->%s:%u", a, s.port, b, d.port);
			else
				snprintf(name, sizeof(name), "%s:%u", a, s.port);
		}
		nm = nm ? nm : name;
	}
	f.name = (char *)(nm ? nm : "");
	int rc = rt_capture_write_fd(w, tid, &f);
	if (rc)
		die_at(n, "writing the fd: %s", strerror(-rc));
}

/* --- events ------------------------------------------------------------------------------ */

static void apply_exec(struct proc *p, const struct fc_ynode *params, uint64_t ts)
{
	const char *exe = get_str(params, "exe", NULL);
	const char *exepath = get_str(params, "exepath", NULL);
	if (!exe && !exepath)
		die_at(params, "execve needs exe (argv[0]) or exepath");
	if (!exepath) {
		if (exe[0] != '/')
			die_at(params, "execve needs exepath when exe is not an absolute path");
		exepath = exe;
	}
	if (!exe)
		exe = exepath;
	free(p->exe);
	free(p->exepath);
	p->exe = xstrdup(exe);
	p->exepath = xstrdup(exepath);
	set_comm(p->comm, get_str(params, "comm", exepath));
	blob_free(&p->args);
	p->args = node_blob(get_seq(params, "args"));
	if (fc_ymap_get(params, "env")) {
		blob_free(&p->env);
		p->env = node_blob(get_seq(params, "env"));
	}
	if (fc_ymap_get(params, "cwd")) {
		free(p->cwd);
		p->cwd = xstrdup(get_str(params, "cwd", "/"));
	}
	const struct fc_ynode *f = fc_ymap_get(params, "flags");
	p->exe_flags = f ? (uint32_t)node_flags(f) : 0;
	p->exec_ts = ts;
	if (fc_ymap_get(params, "uid"))
		p->uid = p->euid = (uint32_t)get_i64(params, "uid", 0);
	if (fc_ymap_get(params, "gid"))
		p->gid = p->egid = (uint32_t)get_i64(params, "gid", 0);
	if (fc_ymap_get(params, "loginuid"))
		p->loginuid = (uint32_t)get_i64(params, "loginuid", 0);
	if (fc_ymap_get(params, "tty"))
		p->tty = (uint32_t)get_i64(params, "tty", 0);
}

static void do_event(struct gen *g, const struct fc_ynode *ev)
{
	if (ev->kind != FC_Y_MAP)
		die_at(ev, "an event is a map");
	const struct fc_ynode *after = fc_ymap_get(ev, "after");
	if (after)
		g->ts += node_seconds_ns(after);
	const struct fc_ynode *tidn = fc_ymap_get(ev, "tid");
	if (!tidn)
		die_at(ev, "an event needs 'tid'");
	int64_t tid = node_i64(tidn);
	struct proc *p = proc_find(tid);
	if (!p)
		die_at(tidn, "no thread %lld (give it in processes, or clone it first)",
		       (long long)tid);
	/* the one key that is not tid/after/comment is the system call */
	const struct fc_ynode *call = NULL, *params = NULL;
	for (size_t i = 0; i < ev->map.n; i++) {
		const char *k = scalar(ev->map.pairs[i].key);
		if (!strcmp(k, "tid") || !strcmp(k, "after") || !strcmp(k, "comment"))
			continue;
		if (call)
			die_at(ev->map.pairs[i].key, "one system call per event ('%s' and '%s')",
			       call->scalar.s, k);
		call = ev->map.pairs[i].key;
		params = ev->map.pairs[i].value;
	}
	if (!call)
		die_at(ev, "an event names its system call");
	if (params && params->kind == FC_Y_SCALAR && params->scalar.is_null)
		params = NULL;
	if (params && params->kind != FC_Y_MAP)
		die_at(params, "parameters are a map of Falco's parameter names");
	int type = rt_event_type_lookup(call->scalar.s, false);
	if (type < 0)
		die_at(call, "no event '%s' in bpf/fk_events.def", call->scalar.s);
	const struct fc_ynode *resn = params ? fc_ymap_get(params, "res") : NULL;

	if (is_exec((unsigned)type)) {
		int64_t res = resn ? node_result(resn) : 0;
		if (res == 0) {
			if (!params)
				die_at(call, "execve needs parameters");
			apply_exec(p, params, g->ts);
		}
		emit(g, call, (unsigned)type, p, p, params, true, res);
		return;
	}
	if (is_clone((unsigned)type)) {
		if (!resn)
			die_at(call, "%s needs res: the child's tid", call->scalar.s);
		int64_t child = node_result(resn);
		const struct fc_ynode *fl = fc_ymap_get(params, "flags");
		uint64_t flags = fl ? node_flags(fl) : 0;
		bool thread = flags & RT_CL_CLONE_THREAD;
		/* the caller's exit, then the child's */
		emit(g, call, (unsigned)type, p, p, params, true, child);
		if (child <= 0 || !get_bool(params, "child_event", true))
			return;
		if (proc_find(child))
			die_at(resn, "tid %lld exists already", (long long)child);
		struct proc *c = proc_copy(p, child);
		c->pid = thread ? p->pid : child;
		c->ptid = thread ? p->ptid : p->tid;
		c->vtid = child;
		c->vpid = c->pid;
		c->clone_ts = g->ts;
		emit(g, call, (unsigned)type, c, c, params, true, 0);
		return;
	}
	if (params && fc_ymap_get(params, "child_event"))
		die_at(params, "child_event is for clone");
	emit(g, call, (unsigned)type, p, p, params, resn != NULL, resn ? node_result(resn) : 0);
	/* what the model must follow */
	int64_t res = resn ? node_result(resn) : 0;
	switch (type) {
	case FK_EVENT_PROCEXIT:
		proc_remove(tid);
		break;
	case FK_EVENT_CHDIR:
		if (res == 0 && params && fc_ymap_get(params, "path")) {
			free(p->cwd);
			p->cwd = xstrdup(get_str(params, "path", "/"));
		}
		break;
	case FK_EVENT_SETUID:
	case FK_EVENT_SETRESUID:
		if (res == 0 && params) {
			const char *k = type == FK_EVENT_SETUID ? "uid" : "euid";
			if (fc_ymap_get(params, k))
				p->uid = p->euid = (uint32_t)get_i64(params, k, 0);
		}
		break;
	case FK_EVENT_SETGID:
	case FK_EVENT_SETRESGID:
		if (res == 0 && params) {
			const char *k = type == FK_EVENT_SETGID ? "gid" : "egid";
			if (fc_ymap_get(params, k))
				p->gid = p->egid = (uint32_t)get_i64(params, k, 0);
		}
		break;
	}
}

/* --- expectations sidecar ---------------------------------------------------------------- */

static void json_kv(FILE *f, const char *k, const char *v, bool comma)
{
	fc_json_string(f, k);
	fputs(": ", f);
	fc_json_string(f, v);
	if (comma)
		fputs(", ", f);
}

static void write_expect(FILE *f, const struct fc_ynode *root)
{
	fputs("{", f);
	json_kv(f, "name", get_str(root, "name", ""), true);
	fputs("\"rules\": [", f);
	const struct fc_ynode *rules = get_seq(root, "rules");
	for (size_t i = 0; rules && i < rules->seq.n; i++) {
		if (i)
			fputs(", ", f);
		fc_json_string(f, scalar(rules->seq.items[i]));
	}
	if (!rules)
		fputs("\"falco_rules.yaml\"", f);
	fputs("], \"options\": [", f);
	const struct fc_ynode *opts = get_seq(root, "options");
	for (size_t i = 0; opts && i < opts->seq.n; i++) {
		if (i)
			fputs(", ", f);
		fc_json_string(f, scalar(opts->seq.items[i]));
	}
	bool none = get_bool(root, "expect_no_alerts", false);
	const struct fc_ynode *al = get_seq(root, "expect");
	if (none && al && al->seq.n)
		die_at(al, "expect_no_alerts with expected alerts");
	if (!none && (!al || !al->seq.n))
		die_at(root, "a scenario says 'expect:' (alerts) or 'expect_no_alerts: true'");
	fprintf(f, "], \"expect_no_alerts\": %s, \"expect\": [", none ? "true" : "false");
	for (size_t i = 0; al && i < al->seq.n; i++) {
		const struct fc_ynode *a = al->seq.items[i];
		if (a->kind != FC_Y_MAP)
			die_at(a, "an expected alert is a map");
		const char *rule = get_str(a, "rule", NULL);
		const char *why = get_str(a, "why", NULL);
		if (!rule)
			die_at(a, "an expected alert names its rule");
		if (!why || !*why)
			die_at(a, "an expected alert says why it fires ('why:')");
		fputs(i ? ", {" : "{", f);
		json_kv(f, "rule", rule, true);
		json_kv(f, "priority", get_str(a, "priority", ""), true);
		json_kv(f, "why", why, true);
		fprintf(f, "\"count\": %lld, \"output_fields\": {",
		        (long long)get_i64(a, "count", 1));
		const struct fc_ynode *of = fc_ymap_get(a, "output_fields");
		if (of && of->kind != FC_Y_MAP)
			die_at(of, "output_fields is a map");
		for (size_t j = 0; of && j < of->map.n; j++)
			json_kv(f, scalar(of->map.pairs[j].key), scalar(of->map.pairs[j].value),
			        j + 1 < of->map.n);
		fputs("}}", f);
	}
	fputs("]}\n", f);
}

/* --- main -------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr,
		        "usage: fc_scenario SCENARIO.yaml CAPTURE.fcap [EXPECT.json]\n"
		        "Writes the scenario's state and events as a falcod capture, and its\n"
		        "expected alerts as JSON (for run_scenarios.py).\n");
		return 2;
	}
	g_path = argv[1];
	struct fc_unit *u = fc_unit_new(NULL);
	const struct fc_src *src = fc_src_read(u, argv[1]);
	struct fc_ydoc *docs = NULL;
	size_t ndocs = 0;
	if (!src || fc_yaml_load(u, src, &docs, &ndocs) != 0 || ndocs != 1 || !docs[0].root ||
	    docs[0].root->kind != FC_Y_MAP) {
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			fc_diag_render(u, d, stderr, false);
		die_at(NULL, "a scenario is one YAML document holding a map");
	}
	const struct fc_ynode *root = docs[0].root;
	static const char *known[] = {
	    "name",   "description", "rules",  "options", "hostname",         "start", "users",
	    "groups", "processes",   "events", "expect",  "expect_no_alerts", "notes"};
	for (size_t i = 0; i < root->map.n; i++) {
		const char *k = scalar(root->map.pairs[i].key);
		size_t j = 0;
		while (j < sizeof(known) / sizeof(known[0]) && strcmp(known[j], k))
			j++;
		if (j == sizeof(known) / sizeof(known[0]))
			die_at(root->map.pairs[i].key, "unknown key '%s'", k);
	}

	uint64_t start = (uint64_t)get_i64(root, "start", 1700000000000000000ll);
	char err[512];
	struct rt_capture_writer *w = rt_capture_writer_new(
	    argv[2], get_str(root, "hostname", "scenario-host"), start, err, sizeof(err));
	if (!w)
		die_at(NULL, "%s", err);

	/* processes, in the order given */
	const struct fc_ynode *procs = get_seq(root, "processes");
	if (!procs || !procs->seq.n)
		die_at(root, "a scenario needs processes");
	for (size_t i = 0; i < procs->seq.n; i++)
		proc_from_node(procs->seq.items[i], start);
	for (size_t i = 0; i < procs->seq.n; i++)
		write_thread(w, proc_find(get_i64(procs->seq.items[i], "tid",
		                                  get_i64(procs->seq.items[i], "pid", 0))));
	for (size_t i = 0; i < procs->seq.n; i++) {
		const struct fc_ynode *pn = procs->seq.items[i];
		const struct fc_ynode *fds = get_seq(pn, "fds");
		int64_t tid = get_i64(pn, "tid", get_i64(pn, "pid", 0));
		for (size_t j = 0; fds && j < fds->seq.n; j++)
			write_fd(w, tid, fds->seq.items[j]);
	}
	const struct fc_ynode *users = get_seq(root, "users");
	bool have_root = false;
	for (size_t i = 0; users && i < users->seq.n; i++) {
		const struct fc_ynode *un = users->seq.items[i];
		struct rt_user us = {
		    .uid = (uint32_t)get_i64(un, "uid", -1),
		    .gid = (uint32_t)get_i64(un, "gid", get_i64(un, "uid", -1)),
		    .name = (char *)get_str(un, "name", NULL),
		    .homedir = (char *)get_str(un, "home", "/"),
		    .shell = (char *)get_str(un, "shell", "/bin/sh"),
		};
		if (us.uid == UINT32_MAX || !us.name)
			die_at(un, "a user needs uid and name");
		have_root |= us.uid == 0;
		if (rt_capture_write_user(w, &us))
			die_at(un, "writing the user failed");
	}
	if (!have_root) {
		struct rt_user r = {0, 0, "root", "/root", "/bin/bash"};
		rt_capture_write_user(w, &r);
	}
	const struct fc_ynode *groups = get_seq(root, "groups");
	bool have_root_group = false;
	for (size_t i = 0; groups && i < groups->seq.n; i++) {
		const struct fc_ynode *gn = groups->seq.items[i];
		struct rt_group gr = {(uint32_t)get_i64(gn, "gid", -1),
		                      (char *)get_str(gn, "name", NULL)};
		if (gr.gid == UINT32_MAX || !gr.name)
			die_at(gn, "a group needs gid and name");
		have_root_group |= gr.gid == 0;
		if (rt_capture_write_group(w, &gr))
			die_at(gn, "writing the group failed");
	}
	if (!have_root_group) {
		struct rt_group r = {0, "root"};
		rt_capture_write_group(w, &r);
	}

	struct gen g = {.w = w, .ts = start + 1000000, .step = 1000000};
	const struct fc_ynode *events = get_seq(root, "events");
	if (!events || !events->seq.n)
		die_at(root, "a scenario needs events");
	for (size_t i = 0; i < events->seq.n; i++)
		do_event(&g, events->seq.items[i]);
	rt_event_builder_fini(&g.b);
	if (rt_capture_writer_close(w) != 0)
		die_at(NULL, "closing %s failed", argv[2]);

	if (argc == 4) {
		FILE *f = fopen(argv[3], "w");
		if (!f)
			die_at(NULL, "%s: %s", argv[3], strerror(errno));
		write_expect(f, root);
		if (fclose(f) != 0)
			die_at(NULL, "%s: write failed", argv[3]);
	}
	while (g_procs)
		proc_remove(g_procs->tid);
	fc_unit_free(u);
	return 0;
}
