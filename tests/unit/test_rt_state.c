/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_state.c - the state tables: threads through clone/execve/exit, fds through the
 * calls that make and drop them, fd names as Falco renders them, container ids, users. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/rt_event.h"
#include "runtime/rt_state.h"
#include "suites.h"

/* A parameter by name: I integer, S string, B raw bytes. Unnamed parameters are empty. */
struct kv {
	const char *name;
	char kind;
	int64_t i;
	const char *s;
	const void *b;
	size_t blen;
};
#define I(n, v)                                                                                    \
	{                                                                                          \
		n, 'I', (int64_t)(v), NULL, NULL, 0                                                \
	}
#define S(n, v)                                                                                    \
	{                                                                                          \
		n, 'S', 0, v, NULL, 0                                                              \
	}
#define B(n, p, l)                                                                                 \
	{                                                                                          \
		n, 'B', 0, NULL, p, l                                                              \
	}
#define A(n, lit)                                                                                  \
	{                                                                                          \
		n, 'B', 0, NULL, lit, sizeof(lit)                                                  \
	} /* "a\0b": NUL-separated array */

static struct rt_state *st;
static struct rt_event_builder bld;
static struct rt_event ev;
static uint64_t ts = 1000;

static void setup(void)
{
	st = rt_state_new();
	memset(&bld, 0, sizeof(bld));
}

static void teardown(void)
{
	rt_state_free(st);
	rt_event_builder_fini(&bld);
}

static unsigned psize(enum fk_param_type t)
{
	switch (t) {
	case FK_PT_INT8:
	case FK_PT_UINT8:
	case FK_PT_FLAGS8:
	case FK_PT_SIGTYPE:
		return 1;
	case FK_PT_INT16:
	case FK_PT_UINT16:
	case FK_PT_FLAGS16:
		return 2;
	case FK_PT_INT32:
	case FK_PT_UINT32:
	case FK_PT_FLAGS32:
	case FK_PT_MODE:
	case FK_PT_UID:
	case FK_PT_GID:
		return 4;
	default:
		return 8;
	}
}

/* Builds the event and runs rt_state_pre; the caller runs post (or use ev_run). */
static struct rt_event *ev_pre(unsigned type, uint32_t tid, uint32_t tgid, int64_t res,
                               const struct kv *kvs)
{
	const struct rt_event_info *info = rt_event_info(type);
	char err[128];
	rt_event_builder_begin(&bld, type, ts++, tid, tgid, res);
	for (unsigned i = 0; i < info->nparams; i++) {
		const struct kv *k = kvs;
		while (k && k->name && strcmp(k->name, info->params[i].name) != 0)
			k++;
		if (!k || !k->name)
			rt_event_builder_add_empty(&bld);
		else if (k->kind == 'S')
			rt_event_builder_add_str(&bld, k->s);
		else if (k->kind == 'B')
			rt_event_builder_add(&bld, k->b, (uint16_t)k->blen);
		else
			rt_event_builder_add_u64(&bld, (uint64_t)k->i, psize(info->params[i].type));
	}
	const struct fk_event_hdr *h = rt_event_builder_finish(&bld);
	ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
	rt_state_pre(st, &ev);
	ck_assert_ptr_nonnull(ev.thread);
	return &ev;
}

static void ev_post(void)
{
	rt_state_post(st, &ev);
}

#define EVP(type, tid, tgid, res, ...)                                                             \
	ev_pre(FK_EVENT_##type, tid, tgid, res, (const struct kv[]){__VA_ARGS__, {0}})
#define EV(type, tid, tgid, res, ...) (EVP(type, tid, tgid, res, __VA_ARGS__), ev_post())

static struct rt_thread *T(int64_t tid)
{
	return rt_thread_lookup(st, tid);
}

static const char *fdname(int64_t tid, int64_t fd)
{
	struct rt_fd *f = rt_fd_lookup(T(tid), fd);
	return f ? f->name : NULL;
}

/* A process 100 (bash, cwd /home/u) known through its execve. */
static void make_bash(void)
{
	EV(EXECVE, 100, 100, 0, S("exe", "bash"), A("args", "-c\0ls"), I("pid", 100), I("ptid", 1),
	   S("cwd", "/home/u"), S("comm", "bash"), S("exepath", "/usr/bin/bash"), I("uid", 1000),
	   I("gid", 1000));
}

static size_t tuple4(uint8_t *b, const uint8_t sip[4], uint16_t sport, const uint8_t dip[4],
                     uint16_t dport)
{
	b[0] = FK_AF_INET;
	memcpy(b + 1, sip, 4);
	memcpy(b + 5, &sport, 2);
	memcpy(b + 7, dip, 4);
	memcpy(b + 11, &dport, 2);
	return 13;
}

static size_t tuple6(uint8_t *b, const uint8_t sip[16], uint16_t sport, const uint8_t dip[16],
                     uint16_t dport)
{
	b[0] = FK_AF_INET6;
	memcpy(b + 1, sip, 16);
	memcpy(b + 17, &sport, 2);
	memcpy(b + 19, dip, 16);
	memcpy(b + 35, &dport, 2);
	return 37;
}

static size_t tupleu(uint8_t *b, uint64_t src, uint64_t dst, const char *path)
{
	b[0] = FK_AF_UNIX;
	memcpy(b + 1, &src, 8);
	memcpy(b + 9, &dst, 8);
	size_t n = strlen(path) + 1;
	memcpy(b + 17, path, n);
	return 17 + n;
}

/* --- file names ------------------------------------------------------------------------- */

static const struct {
	int type; /* FK_EVENT_OPEN or FK_EVENT_OPENAT */
	int64_t dirfd;
	const char *name, *want;
} opens[] = {
    {FK_EVENT_OPENAT, RT_AT_FDCWD, "foo.txt", "/home/u/foo.txt"},
    {FK_EVENT_OPENAT, RT_AT_FDCWD, "../x/./y", "/home/x/y"},
    {FK_EVENT_OPENAT, RT_AT_FDCWD, "../../../../x", "/x"},
    {FK_EVENT_OPENAT, RT_AT_FDCWD, ".", "/home/u"},
    {FK_EVENT_OPENAT, 3, "passwd", "/etc/passwd"},
    {FK_EVENT_OPENAT, 3, "../tmp//a", "/tmp/a"},
    {FK_EVENT_OPENAT, 3, "./ssl/./certs/", "/etc/ssl/certs"},
    {FK_EVENT_OPENAT, 42, "foo", "<UNKNOWN>/foo"},
    {FK_EVENT_OPENAT, 42, "/abs//olute/../path", "/abs/path"},
    {FK_EVENT_OPEN, 0, "rel/./file", "/home/u/rel/file"},
    {FK_EVENT_OPEN, 0, "/var//log/../lib/", "/var/lib"},
    {FK_EVENT_OPEN, 0, "/..", "/"},
    {FK_EVENT_OPEN, 0, "//", "/"},
};

START_TEST(open_names_resolve_like_falco)
{
	make_bash();
	EV(OPEN, 100, 100, 3, I("fd", 3), S("name", "/etc"), I("flags", RT_O_DIRECTORY));
	ck_assert_int_eq(rt_fd_lookup(T(100), 3)->type, RT_FD_DIRECTORY);
	if (opens[_i].type == FK_EVENT_OPENAT)
		EVP(OPENAT, 100, 100, 7, I("fd", 7), I("dirfd", opens[_i].dirfd),
		    S("name", opens[_i].name), I("flags", RT_O_RDONLY));
	else
		EVP(OPEN, 100, 100, 7, I("fd", 7), S("name", opens[_i].name));
	ck_assert_int_eq(ev.fdnum, 7);
	ck_assert_ptr_nonnull(ev.fd);
	ck_assert_str_eq(ev.fd->name, opens[_i].want);
	ck_assert_int_eq(ev.fd->type, RT_FD_FILE);
	ev_post();
	ck_assert_str_eq(fdname(100, 7), opens[_i].want);
}
END_TEST

START_TEST(failed_open_adds_nothing)
{
	make_bash();
	EVP(OPENAT, 100, 100, -2, I("fd", -2), I("dirfd", RT_AT_FDCWD), S("name", "x"));
	ck_assert_ptr_null(ev.fd);
	ck_assert_int_eq(ev.fdnum, -1);
	ev_post();
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_eq(ss.fds, 0);
}
END_TEST

START_TEST(creat_and_open_by_handle)
{
	make_bash();
	EV(CREAT, 100, 100, 4, I("fd", 4), S("name", "new.txt"), I("mode", 0644));
	ck_assert_str_eq(fdname(100, 4), "/home/u/new.txt");
	ck_assert_uint_eq(rt_fd_lookup(T(100), 4)->open_flags & RT_O_CREAT, RT_O_CREAT);
	EV(OPEN_BY_HANDLE_AT, 100, 100, 5, I("fd", 5), I("mountfd", 3), S("path", "/srv/a"));
	ck_assert_str_eq(fdname(100, 5), "/srv/a");
}
END_TEST

/* --- sockets ------------------------------------------------------------------------------ */

static const struct {
	uint32_t domain, type, proto;
	char typechar;
	uint8_t l4;
} sockets[] = {
    {FK_AF_INET, 1, 0, RT_FD_IPV4, RT_L4_TCP},
    {FK_AF_INET, 2, 0, RT_FD_IPV4, RT_L4_UDP},
    {FK_AF_INET6, 1, 6, RT_FD_IPV6, RT_L4_TCP},
    {FK_AF_INET6, 2, 17, RT_FD_IPV6, RT_L4_UDP},
    {FK_AF_INET, 3, 1, RT_FD_IPV4, RT_L4_ICMP},
    {FK_AF_INET, 2, 1, RT_FD_IPV4, RT_L4_ICMP},
    {FK_AF_INET, 3, 255, RT_FD_IPV4, RT_L4_RAW},
    {FK_AF_INET, 1 | 02000000 | 04000, 0, RT_FD_IPV4, RT_L4_TCP}, /* CLOEXEC|NONBLOCK */
    {FK_AF_UNIX, 1, 0, RT_FD_UNIX, RT_L4_UNKNOWN},
    {16, 3, 0, RT_FD_NETLINK, RT_L4_UNKNOWN},
    {17, 3, 0, RT_FD_UNKNOWN, RT_L4_UNKNOWN}, /* AF_PACKET */
};

START_TEST(socket_type_and_l4proto)
{
	make_bash();
	EVP(SOCKET, 100, 100, 5, I("fd", 5), I("domain", sockets[_i].domain),
	    I("type", sockets[_i].type), I("proto", sockets[_i].proto));
	ck_assert_int_eq(ev.fdnum, 5);
	ck_assert_ptr_nonnull(ev.fd);
	ck_assert_int_eq(ev.fd->type, sockets[_i].typechar);
	ck_assert_int_eq(ev.fd->l4proto, sockets[_i].l4);
	ck_assert_str_eq(ev.fd->name, "");
	ev_post();
}
END_TEST

static const uint8_t ip_a[4] = {10, 0, 0, 1}, ip_b[4] = {93, 184, 216, 34};
static const uint8_t lo6[16] = {[15] = 1};
static const uint8_t mapped_a[16] = {[10] = 0xff, [11] = 0xff, 192, 168, 1, 2};
static const uint8_t mapped_b[16] = {[10] = 0xff, [11] = 0xff, 8, 8, 4, 4};
static const uint8_t v6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};

START_TEST(connect_renders_tuples)
{
	static const struct {
		int kind;
		int64_t res;
		const char *want;
		char type;
	} cases[] = {
	    {4, 0, "10.0.0.1:43210->93.184.216.34:443", RT_FD_IPV4},
	    {4, -115, "10.0.0.1:43210->93.184.216.34:443", RT_FD_IPV4}, /* EINPROGRESS */
	    {4, -111, "", RT_FD_IPV4},                                  /* refused */
	    {6, 0, "::1:43210->::1:443", RT_FD_IPV6},
	    {7, 0, "2001:db8::10:43210->::1:443", RT_FD_IPV6},
	    {8, 0, "192.168.1.2:43210->8.8.4.4:443", RT_FD_IPV4}, /* v4-mapped */
	    {1, 0, "ffff8881a1b2c000->ffff8881a1b2c800 /run/docker.sock", RT_FD_UNIX},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t tb[200];
		size_t tl;
		uint32_t dom = FK_AF_INET;
		switch (cases[i].kind) {
		case 4:
			tl = tuple4(tb, ip_a, 43210, ip_b, 443);
			break;
		case 6:
			tl = tuple6(tb, lo6, 43210, lo6, 443);
			dom = FK_AF_INET6;
			break;
		case 7:
			tl = tuple6(tb, v6_a, 43210, lo6, 443);
			dom = FK_AF_INET6;
			break;
		case 8:
			tl = tuple6(tb, mapped_a, 43210, mapped_b, 443);
			dom = FK_AF_INET6;
			break;
		default:
			tl = tupleu(tb, 0xffff8881a1b2c000ull, 0xffff8881a1b2c800ull,
			            "/run/docker.sock");
			dom = FK_AF_UNIX;
		}
		int64_t fd = 10 + (int64_t)i;
		EV(SOCKET, 100, 100, fd, I("fd", fd), I("domain", dom), I("type", 1));
		EVP(CONNECT, 100, 100, cases[i].res, B("tuple", tb, tl), I("fd", fd));
		ck_assert_int_eq(ev.fdnum, fd);
		ck_assert_ptr_nonnull(ev.fd);
		ck_assert_msg(strcmp(ev.fd->name, cases[i].want) == 0, "case %zu: '%s'", i,
		              ev.fd->name);
		ck_assert_int_eq(ev.fd->type, cases[i].type);
		ck_assert(!ev.fd->is_server);
		ev_post();
	}
	struct rt_fd *f = rt_fd_lookup(T(100), 10);
	ck_assert(f->connected);
	ck_assert_uint_eq(f->sport, 43210);
	ck_assert_uint_eq(f->dport, 443);
	ck_assert_mem_eq(f->dip, ip_b, 4);
	ck_assert_int_eq(f->l4proto, RT_L4_TCP);
}
END_TEST

START_TEST(connect_on_unknown_socket_creates_it)
{
	uint8_t tb[64];
	size_t tl = tuple4(tb, ip_a, 1, ip_b, 2);
	EV(CONNECT, 300, 300, 0, B("tuple", tb, tl), I("fd", 9));
	ck_assert_str_eq(fdname(300, 9), "10.0.0.1:1->93.184.216.34:2");
}
END_TEST

START_TEST(accept_adds_server_fd)
{
	uint8_t tb[64];
	size_t tl = tuple4(tb, ip_b, 51000, ip_a, 8080);
	make_bash();
	EV(SOCKET, 100, 100, 3, I("fd", 3), I("domain", FK_AF_INET), I("type", 1));
	EV(BIND, 100, 100, 0, B("addr", ((const uint8_t[]){FK_AF_INET, 0, 0, 0, 0, 0x90, 0x1f}), 7),
	   I("fd", 3));
	ck_assert_str_eq(fdname(100, 3), "0.0.0.0:8080");
	EVP(ACCEPT4, 100, 100, 7, I("fd", 7), B("tuple", tb, tl), I("flags", RT_O_CLOEXEC));
	ck_assert_int_eq(ev.fdnum, 7);
	ck_assert_str_eq(ev.fd->name, "93.184.216.34:51000->10.0.0.1:8080");
	ck_assert(ev.fd->is_server);
	ck_assert_int_eq(ev.fd->l4proto, RT_L4_TCP);
	ev_post();
	/* an accept with a tuple of an unsupported family adds nothing, as in Falco */
	EV(ACCEPT, 100, 100, 8, I("fd", 8), B("tuple", ((const uint8_t[]){17, 0}), 2));
	ck_assert_ptr_null(rt_fd_lookup(T(100), 8));
}
END_TEST

START_TEST(udp_sendto_fills_unconnected_tuple)
{
	uint8_t tb[64];
	size_t tl = tuple4(tb, ip_a, 5353, ip_b, 53);
	make_bash();
	EV(SOCKET, 100, 100, 4, I("fd", 4), I("domain", FK_AF_INET), I("type", 2));
	EV(SENDTO, 100, 100, 20, I("fd", 4), I("size", 20), B("tuple", tb, tl));
	ck_assert_str_eq(fdname(100, 4), "10.0.0.1:5353->93.184.216.34:53");
	/* a TCP socket is left alone */
	EV(SOCKET, 100, 100, 5, I("fd", 5), I("domain", FK_AF_INET), I("type", 1));
	EV(SENDTO, 100, 100, 20, I("fd", 5), I("size", 20), B("tuple", tb, tl));
	ck_assert_str_eq(fdname(100, 5), "");
}
END_TEST

/* --- pipes, memfd, dup, close -------------------------------------------------------------- */

START_TEST(pipe_adds_two_fifos)
{
	make_bash();
	EV(PIPE2, 100, 100, 0, I("fd1", 3), I("fd2", 4), I("ino", 77), I("flags", RT_O_CLOEXEC));
	for (int fd = 3; fd <= 4; fd++) {
		struct rt_fd *f = rt_fd_lookup(T(100), fd);
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(f->type, RT_FD_PIPE);
		ck_assert_str_eq(f->name, ""); /* Falco names event-made pipes "" */
		ck_assert_uint_eq(f->ino, 77);
	}
	EV(PIPE, 100, 100, -24, I("fd1", 5), I("fd2", 6));
	ck_assert_ptr_null(rt_fd_lookup(T(100), 5));
}
END_TEST

START_TEST(memfd_is_named_by_its_name)
{
	make_bash();
	EVP(MEMFD_CREATE, 100, 100, 5, I("fd", 5), S("name", "payload"), I("flags", 1));
	ck_assert_int_eq(ev.fd->type, RT_FD_MEMFD);
	ck_assert_str_eq(ev.fd->name, "payload");
	ev_post();
	EV(EXECVE, 100, 100, 0, S("exe", "x"), I("pid", 100));
	ck_assert_ptr_null(rt_fd_lookup(T(100), 5)); /* MFD_CLOEXEC */
}
END_TEST

START_TEST(dup2_then_close_original)
{
	make_bash();
	EV(OPEN, 100, 100, 3, I("fd", 3), S("name", "/var/log/app.log"), I("flags", RT_O_WRONLY));
	EVP(DUP2, 100, 100, 1, I("res", 1), I("oldfd", 3), I("newfd", 1));
	ck_assert_int_eq(ev.fdnum, 1);
	ck_assert_str_eq(ev.fd->name, "/var/log/app.log");
	ev_post();
	EVP(CLOSE, 100, 100, 0, I("res", 0), I("fd", 3));
	ck_assert_int_eq(ev.fdnum, 3);
	ck_assert_ptr_nonnull(ev.fd); /* rules on close still see the fd */
	ck_assert_str_eq(ev.fd->name, "/var/log/app.log");
	ev_post();
	ck_assert_ptr_null(rt_fd_lookup(T(100), 3));
	ck_assert_str_eq(fdname(100, 1), "/var/log/app.log");
	/* a failed close keeps the fd */
	EV(CLOSE, 100, 100, -9, I("res", -9), I("fd", 1));
	ck_assert_ptr_nonnull(rt_fd_lookup(T(100), 1));
}
END_TEST

START_TEST(dup_variants)
{
	make_bash();
	EV(OPEN, 100, 100, 3, I("fd", 3), S("name", "/a"), I("flags", RT_O_CLOEXEC));
	EV(DUP, 100, 100, 4, I("res", 4), I("oldfd", 3));
	EV(DUP3, 100, 100, 5, I("res", 5), I("oldfd", 3), I("newfd", 5), I("flags", RT_O_CLOEXEC));
	EV(FCNTL, 100, 100, 6, I("res", 6), I("fd", 3), I("cmd", 26)); /* F_DUPFD_CLOEXEC */
	EV(FCNTL, 100, 100, 7, I("res", 7), I("fd", 3), I("cmd", 1));  /* F_DUPFD */
	EV(FCNTL, 100, 100, 0, I("res", 0), I("fd", 3), I("cmd", 3));  /* F_SETFD: no fd */
	for (int fd = 3; fd <= 7; fd++)
		ck_assert_str_eq(fdname(100, fd), "/a");
	EV(EXECVE, 100, 100, 0, S("exe", "x"), I("pid", 100));
	ck_assert_ptr_null(rt_fd_lookup(T(100), 3));
	ck_assert_ptr_nonnull(rt_fd_lookup(T(100), 4));
	ck_assert_ptr_null(rt_fd_lookup(T(100), 5));
	ck_assert_ptr_null(rt_fd_lookup(T(100), 6));
	ck_assert_ptr_nonnull(rt_fd_lookup(T(100), 7));
}
END_TEST

START_TEST(single_fd_creators)
{
	make_bash();
	EV(USERFAULTFD, 100, 100, 8, I("res", 8), I("flags", 0));
	ck_assert_int_eq(rt_fd_lookup(T(100), 8)->type, RT_FD_USERFAULTFD);
	EV(BPF, 100, 100, 9, I("res_or_fd", 9), I("cmd", 5)); /* BPF_PROG_LOAD */
	ck_assert_int_eq(rt_fd_lookup(T(100), 9)->type, RT_FD_BPF);
	EV(BPF, 100, 100, 0, I("res_or_fd", 0), I("cmd", 2)); /* BPF_MAP_UPDATE_ELEM: no fd */
	ck_assert_ptr_null(rt_fd_lookup(T(100), 0));
}
END_TEST

/* --- processes ----------------------------------------------------------------------------- */

START_TEST(execve_replaces_image_and_closes_cloexec)
{
	make_bash();
	EV(OPEN, 100, 100, 3, I("fd", 3), S("name", "/etc/a"), I("flags", RT_O_CLOEXEC));
	EV(OPEN, 100, 100, 4, I("fd", 4), S("name", "/etc/b"), I("flags", RT_O_RDONLY));
	EV(SOCKET, 100, 100, 5, I("fd", 5), I("domain", FK_AF_INET), I("type", 1 | 02000000));
	/* a failed execve changes nothing */
	EV(EXECVE, 100, 100, -2, S("exe", "nope"), A("args", "x"), I("pid", 100));
	ck_assert_str_eq(T(100)->comm, "bash");
	ck_assert_ptr_nonnull(rt_fd_lookup(T(100), 3));
	EVP(EXECVE, 100, 100, 0, S("exe", "/usr/bin/curl"), A("args", "-s\0http://x"),
	    I("pid", 100), I("ptid", 1), S("cwd", "/tmp"), S("comm", "curl"), A("env", "A=1\0B=2"),
	    I("tty", 34816), I("loginuid", 1000), I("flags", 5), I("uid", 0), I("gid", 0),
	    S("filename", "/usr/bin/curl"), S("exepath", "/usr/bin/curl"),
	    A("cgroups",
	      "cpu=/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	struct rt_thread *t = ev.thread;
	ck_assert_str_eq(t->comm, "curl");
	ck_assert_str_eq(t->exe, "/usr/bin/curl");
	ck_assert_str_eq(t->exepath, "/usr/bin/curl");
	ck_assert_uint_eq(t->nargs, 2);
	ck_assert_str_eq(t->args, "-s");
	ck_assert_str_eq(t->args + 3, "http://x");
	ck_assert_uint_eq(t->env_len, 8);
	ck_assert_str_eq(t->cwd, "/tmp/");
	ck_assert_uint_eq(t->uid, 0);
	ck_assert_uint_eq(t->loginuid, 1000);
	ck_assert_uint_eq(t->tty, 34816);
	ck_assert(t->exe_from_memfd);
	ck_assert_str_eq(t->container_id, "0123456789ab");
	ck_assert_uint_eq(t->exec_ts, ev.hdr->ts_ns);
	ev_post();
	ck_assert_ptr_null(rt_fd_lookup(T(100), 3));
	ck_assert_str_eq(fdname(100, 4), "/etc/b");
	ck_assert_ptr_null(rt_fd_lookup(T(100), 5));
}
END_TEST

START_TEST(execve_without_exepath_resolves_filename)
{
	make_bash();
	EV(EXECVE, 100, 100, 0, S("exe", "./run"), I("pid", 100), S("filename", "./bin/../run"));
	ck_assert_str_eq(T(100)->exepath, "/home/u/run");
}
END_TEST

static const struct {
	uint32_t flags;
	bool shares;
} clones[] = {
    {0, false},
    {RT_CL_CLONE_FILES, false}, /* Falco: only CLONE_THREAD shares */
    {RT_CL_CLONE_THREAD | RT_CL_CLONE_VM | RT_CL_CLONE_FILES | RT_CL_CLONE_SIGHAND, true},
};

START_TEST(clone_thread_shares_fork_copies)
{
	make_bash();
	EV(OPEN, 100, 100, 3, I("fd", 3), S("name", "/etc/a"));
	EV(CLONE, 100, 100, 101, S("exe", "bash"), A("args", "-c\0ls"), I("tid", 100),
	   I("pid", 100), I("ptid", 1), S("cwd", "/home/u"), S("comm", "bash"),
	   I("flags", clones[_i].flags), I("uid", 1000), I("gid", 1000));
	struct rt_thread *c = T(101);
	ck_assert_ptr_nonnull(c);
	ck_assert(!c->lazy);
	ck_assert_str_eq(fdname(101, 3), "/etc/a");
	ck_assert_int_eq(c->pid, clones[_i].shares ? 100 : 101);
	ck_assert_int_eq(c->ptid, clones[_i].shares ? 1 : 100);
	ck_assert_str_eq(c->exepath, "/usr/bin/bash");
	ck_assert_str_eq(c->cwd, "/home/u/");
	/* the child's own clone exit finds it already there */
	EV(CLONE, 101, clones[_i].shares ? 100 : 101, 0, S("exe", "bash"), I("tid", 101),
	   I("pid", clones[_i].shares ? 100 : 101), I("ptid", clones[_i].shares ? 1 : 100),
	   I("flags", clones[_i].flags));
	ck_assert_ptr_eq(T(101), c);
	EV(OPEN, 101, (uint32_t)c->pid, 5, I("fd", 5), S("name", "/child"));
	EV(CLOSE, 100, 100, 0, I("res", 0), I("fd", 3));
	ck_assert_int_eq(rt_fd_lookup(T(100), 5) != NULL, clones[_i].shares);
	ck_assert_int_eq(rt_fd_lookup(T(101), 3) != NULL, !clones[_i].shares);
	ck_assert_ptr_eq(rt_thread_main(st, c), clones[_i].shares ? T(100) : c);
	ck_assert_ptr_eq(rt_thread_parent(st, c), clones[_i].shares ? NULL : T(100));
}
END_TEST

START_TEST(clone_child_event_first)
{
	make_bash();
	EV(OPEN, 100, 100, 3, I("fd", 3), S("name", "/etc/a"));
	EVP(FORK, 200, 200, 0, S("exe", "bash"), A("args", "-c\0ls"), I("tid", 200), I("pid", 200),
	    I("ptid", 100), S("cwd", "/srv"), S("comm", "bash"), I("uid", 5), I("gid", 6),
	    I("vtid", 200), I("vpid", 200));
	struct rt_thread *c = ev.thread;
	ck_assert_int_eq(c->tid, 200);
	ck_assert_int_eq(c->ptid, 100);
	ck_assert_str_eq(c->cwd, "/srv/");
	ck_assert_uint_eq(c->uid, 5);
	ck_assert_str_eq(fdname(200, 3), "/etc/a");
	ev_post();
	EV(OPEN, 200, 200, 4, I("fd", 4), S("name", "/x"));
	/* the parent's exit comes later and must not replace the child */
	EV(FORK, 100, 100, 200, S("exe", "bash"), I("tid", 100), I("pid", 100), I("ptid", 1));
	ck_assert_ptr_eq(T(200), c);
	ck_assert_str_eq(fdname(200, 4), "/x");
}
END_TEST

START_TEST(clone_in_container_waits_for_child)
{
	make_bash();
	EV(CLONE, 100, 100, 7, S("exe", "sh"), I("tid", 100), I("pid", 100),
	   I("flags", RT_CL_CHILD_IN_PIDNS));
	ck_assert_ptr_null(T(7)); /* 7 is a namespaced tid */
	EV(VFORK, 100, 100, 101, S("exe", "sh"), I("tid", 100), I("pid", 100));
	ck_assert_ptr_null(T(101));
}
END_TEST

START_TEST(pid_reuse_replaces_thread)
{
	make_bash();
	EV(OPEN, 101, 101, 9, I("fd", 9), S("name", "/old")); /* lazily known 101 */
	ck_assert(T(101)->lazy);
	EV(FORK, 100, 100, 101, S("exe", "bash"), S("comm", "bash"), I("tid", 100), I("pid", 100));
	ck_assert(!T(101)->lazy);
	ck_assert_str_eq(T(101)->comm, "bash");
	ck_assert_int_eq(T(101)->ptid, 100);
	ck_assert_ptr_null(rt_fd_lookup(T(101), 9));
	/* a child's clone exit for a tid held by a stale thread replaces it too */
	EV(OPEN, 300, 300, 9, I("fd", 9), S("name", "/stale"));
	EV(CLONE, 300, 300, 0, S("exe", "sh"), S("comm", "sh"), I("tid", 300), I("pid", 300),
	   I("ptid", 100));
	ck_assert_str_eq(T(300)->comm, "sh");
	ck_assert_ptr_null(rt_fd_lookup(T(300), 9));
}
END_TEST

START_TEST(procexit_removes_and_reparents)
{
	static const struct {
		int64_t reaper;
		int64_t want;
	} cases[] = {{0, 1}, {100, 100}, {-1, 1}};
	make_bash();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EV(FORK, 100, 100, 101, S("exe", "a"), I("tid", 100), I("pid", 100));
		EV(FORK, 101, 101, 102, S("exe", "b"), I("tid", 101), I("pid", 101));
		ck_assert_int_eq(T(102)->ptid, 101);
		EVP(PROCEXIT, 101, 101, 0, I("status", 0), I("reaper_tid", cases[i].reaper));
		ck_assert_ptr_nonnull(T(101)); /* rules on procexit still see it */
		ev_post();
		ck_assert_ptr_null(T(101));
		ck_assert_int_eq(T(102)->ptid, cases[i].want);
		EV(PROCEXIT, 102, 102, 0, I("status", 0));
		ck_assert_ptr_null(T(102));
	}
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_eq(ss.threads, 1);
}
END_TEST

START_TEST(lazy_threads)
{
	EVP(READ, 501, 500, 10, I("fd", 4), I("size", 10));
	struct rt_thread *t = ev.thread;
	ck_assert(t->lazy);
	ck_assert_int_eq(t->tid, 501);
	ck_assert_int_eq(t->pid, 500);
	ck_assert_int_eq(t->ptid, -1);
	ck_assert_str_eq(t->comm, "");
	ck_assert_str_eq(t->exe, "");
	ck_assert_str_eq(t->cwd, "");
	ck_assert_str_eq(t->container_id, "");
	ck_assert_uint_eq(t->nargs, 0);
	ck_assert_int_eq(ev.fdnum, 4);
	ck_assert_ptr_null(ev.fd);
	ev_post();
	ck_assert(T(500)->lazy);
	/* the lazily made main thread shares its fd table */
	EV(OPEN, 500, 500, 4, I("fd", 4), S("name", "/x"));
	ck_assert_str_eq(fdname(501, 4), "/x");
	/* an execve fills the picture in */
	EV(EXECVE, 500, 500, 0, S("exe", "nginx"), I("pid", 500), I("ptid", 1), S("cwd", "/"));
	ck_assert(!T(500)->lazy);
	ck_assert_int_eq(T(500)->ptid, 1);
	ck_assert_str_eq(T(500)->cwd, "/");
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_eq(ss.lazy_threads, 2);
	/* a later thread of a known process copies its process's image */
	EV(READ, 502, 500, 0, I("fd", 4));
	ck_assert_str_eq(T(502)->comm, "nginx");
	ck_assert_str_eq(fdname(502, 4), "/x");
}
END_TEST

START_TEST(chdir_and_fchdir)
{
	make_bash();
	EV(CHDIR, 100, 100, 0, S("path", "../x//y/.."));
	ck_assert_str_eq(T(100)->cwd, "/home/x/");
	EV(CHDIR, 100, 100, -2, S("path", "/nope"));
	ck_assert_str_eq(T(100)->cwd, "/home/x/");
	EV(OPEN, 100, 100, 3, I("fd", 3), S("name", "/var/lib"), I("flags", RT_O_DIRECTORY));
	EV(FCHDIR, 100, 100, 0, I("fd", 3));
	ck_assert_str_eq(T(100)->cwd, "/var/lib/");
	EV(OPENAT, 100, 100, 4, I("fd", 4), I("dirfd", RT_AT_FDCWD), S("name", "dpkg"));
	ck_assert_str_eq(fdname(100, 4), "/var/lib/dpkg");
}
END_TEST

/* Threads share their process's cwd (Falco's get_cwd reads the main thread's): a chdir by
 * either is what every thread's relative paths and proc.cwd resolve against. */
START_TEST(threads_share_the_process_cwd)
{
	make_bash();
	EV(CLONE, 100, 100, 101, S("exe", "bash"), I("tid", 100), I("pid", 100), I("ptid", 1),
	   I("flags", RT_CL_CLONE_THREAD | RT_CL_CLONE_VM | RT_CL_CLONE_FILES));
	EV(CHDIR, 100, 100, 0, S("path", "/srv"));
	EV(OPENAT, 101, 100, 3, I("fd", 3), I("dirfd", RT_AT_FDCWD), S("name", "a"));
	ck_assert_str_eq(fdname(100, 3), "/srv/a");
	ck_assert_str_eq(rt_thread_cwd(st, T(101)), "/srv/");
	EV(CHDIR, 101, 100, 0, S("path", "b"));
	EV(OPEN, 100, 100, 4, I("fd", 4), S("name", "c"));
	ck_assert_str_eq(fdname(100, 4), "/srv/b/c");
}
END_TEST

/* What the state tells the kernel about a process's cwd (rt_state_set_cwd_hook): every
 * change of the main thread's string or chdir count, with the process's birth, and its end. */
static struct {
	uint32_t tgid;
	uint64_t birth;
	uint32_t seq;
	char cwd[64];   /* "" for "gone" */
} pubs[16];
static unsigned npubs;

static void on_cwd(void *ctx, uint32_t tgid, const struct rt_thread *m)
{
	(void)ctx;
	ck_assert_uint_lt(npubs, 16);
	pubs[npubs].tgid = tgid;
	pubs[npubs].birth = m ? m->cwd_birth : 0;
	pubs[npubs].seq = m ? m->cwd_seq : 0;
	snprintf(pubs[npubs].cwd, sizeof(pubs[npubs].cwd), "%s", m ? m->cwd : "");
	npubs++;
}

#define PUB(k, t, b, q, c)                                                                         \
	do {                                                                                       \
		ck_assert_uint_eq(pubs[k].tgid, t);                                                \
		ck_assert_uint_eq(pubs[k].birth, b);                                               \
		ck_assert_uint_eq(pubs[k].seq, q);                                                 \
		ck_assert_str_eq(pubs[k].cwd, c);                                                  \
	} while (0)

START_TEST(cwd_hook_follows_the_state)
{
	npubs = 0;
	rt_state_set_cwd_hook(st, on_cwd, NULL);
	struct rt_thread snap = { .tid = 100, .pid = 100, .ptid = 1, .comm = "sh", .cwd = "/srv" };
	rt_state_add_thread(st, &snap);         /* the /proc scan: birth 0, no chdir yet */
	ck_assert_uint_eq(npubs, 1);
	PUB(0, 100, 0, 0, "/srv/");
	EV(CHDIR, 100, 100, 0, S("path", "a"));
	PUB(1, 100, 0, 1, "/srv/a/");
	EV(CHDIR, 100, 100, -2, S("path", "/nope"));    /* failed: the kernel does not count it */
	EV(FCHDIR, 100, 100, 0, I("fd", 9));    /* an fd the state does not know: counted */
	ck_assert_uint_eq(npubs, 3);
	PUB(2, 100, 0, 2, "/srv/a/");
	/* a new process, at its own clone exit: born with its caller's cwd */
	EV(FORK, 100, 100, 200, S("exe", "sh"), I("tid", 100), I("pid", 100), I("ptid", 1));
	ck_assert_uint_eq(npubs, 3);
	uint64_t born = ts;
	EV(FORK, 200, 200, 0, S("exe", "sh"), I("tid", 200), I("pid", 200), I("ptid", 100));
	ck_assert_uint_eq(npubs, 4);
	PUB(3, 200, born, 0, "/srv/a/");
	/* a thread's chdir is the process's: the main thread's string and count */
	EV(CLONE, 100, 100, 101, S("exe", "sh"), I("tid", 100), I("pid", 100), I("ptid", 1),
	   I("flags", RT_CL_CLONE_THREAD | RT_CL_CLONE_VM | RT_CL_CLONE_FILES));
	EV(CLONE, 101, 100, 0, S("exe", "sh"), I("tid", 101), I("pid", 100), I("ptid", 1),
	   I("flags", RT_CL_CLONE_THREAD | RT_CL_CLONE_VM | RT_CL_CLONE_FILES));
	ck_assert_uint_eq(npubs, 4);
	EV(CHDIR, 101, 100, 0, S("path", "/tmp"));
	PUB(4, 100, 0, 3, "/tmp/");
	/* a process leaving the state, or a thread */
	EV(PROCEXIT, 101, 100, 0, I("status", 0));
	ck_assert_uint_eq(npubs, 5);
	EV(PROCEXIT, 200, 200, 0, I("status", 0));
	PUB(5, 200, 0, 0, "");
	ck_assert_uint_eq(npubs, 6);
}
END_TEST

START_TEST(setuid_family)
{
	make_bash();
	EV(SETUID, 100, 100, 0, I("uid", 0));
	ck_assert_uint_eq(T(100)->uid, 0);
	EV(SETRESUID, 100, 100, 0, I("ruid", -1), I("euid", 33), I("suid", -1));
	ck_assert_uint_eq(T(100)->euid, 33);
	EV(SETGID, 100, 100, -1, I("gid", 5));
	ck_assert_uint_eq(T(100)->gid, 1000);
	EV(SETSID, 100, 100, 100, I("res", 100));
	ck_assert_int_eq(T(100)->sid, 100);
}
END_TEST

/* --- containers ---------------------------------------------------------------------------- */

#define H64 "3f4a5b6c7d8e9f000102030405060708090a0b0c0d0e0f101112131415161718"
static const struct {
	const char *cgroup, *want;
} cgroups[] = {
    {"/docker/" H64, "3f4a5b6c7d8e"},
    {"/system.slice/docker-" H64 ".scope", "3f4a5b6c7d8e"},
    {"/kubepods/besteffort/pod1b2c-11/" H64, "3f4a5b6c7d8e"},
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c.slice/"
     "cri-containerd-" H64 ".scope",
     "3f4a5b6c7d8e"},
    {"/kubepods.slice/kubepods-pod1.slice/crio-" H64 ".scope", "3f4a5b6c7d8e"},
    {"/machine.slice/libpod-" H64 ".scope", "3f4a5b6c7d8e"},
    {"/libpod_parent/libpod-" H64, "3f4a5b6c7d8e"},
    {"/user.slice/user-1000.slice/session-2.scope", "host"},
    {"/", "host"},
    {"", "host"},
    {"/random/" H64, "host"},         /* no engine around it */
    {"/docker/" H64 "0", "host"},     /* 65 chars */
    {"/docker/3f4a5b6c7d8e", "host"}, /* short */
    {"/system.slice/docker-" H64 ".scopex", "host"},
    {"/docker/" H64 "/docker/abcdefabcdef"
     "0123456789012345678901234567890123456789012345678901",
     "abcdefabcdef"}, /* nested */
};

START_TEST(container_id_layouts)
{
	char id[13];
	rt_container_id_from_cgroup(cgroups[_i].cgroup, id);
	ck_assert_str_eq(id, cgroups[_i].want);
}
END_TEST

START_TEST(thread_container_from_any_subsystem)
{
	EV(EXECVE, 100, 100, 0, S("exe", "a"), I("pid", 100),
	   A("cgroups", "cpuset=/\0cpu=/\0memory=/system.slice/docker-" H64 ".scope"));
	ck_assert_str_eq(T(100)->container_id, "3f4a5b6c7d8e");
	EV(EXECVE, 100, 100, 0, S("exe", "a"), I("pid", 100), A("cgroups", "cpuset=/\0cpu=/"));
	ck_assert_str_eq(T(100)->container_id, "host");
	/* a fork copies it */
	EV(FORK, 100, 100, 101, S("exe", "a"), I("tid", 100), I("pid", 100));
	ck_assert_str_eq(T(101)->container_id, "host");
}
END_TEST

/* --- users --------------------------------------------------------------------------------- */

START_TEST(users_from_root_dir)
{
	char root[] = "/tmp/rt_state_usersXXXXXX", path[256];
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	FILE *f = fopen(path, "w");
	fputs("root:x:0:0:root:/root:/bin/bash\n# comment\n\nbroken line\n"
	      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	      "dup:x:0:0::/:/bin/sh\nbad:x:12a:1::/:/bin/sh\nshort:x:7:8\n",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/group", root);
	f = fopen(path, "w");
	fputs("root:x:0:\nadm:x:4:syslog,u\nnogroup:x:65534:\n", f);
	fclose(f);
	ck_assert_int_eq(rt_state_load_users(st, root), 0);
	const struct rt_user *u = rt_state_user(st, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->name, "root"); /* first entry wins */
	ck_assert_str_eq(u->homedir, "/root");
	ck_assert_str_eq(u->shell, "/bin/bash");
	ck_assert_str_eq(rt_state_user(st, 65534)->name, "nobody");
	ck_assert_str_eq(rt_state_user(st, 7)->name, "short");
	ck_assert_str_eq(rt_state_user(st, 7)->shell, "");
	ck_assert_ptr_null(rt_state_user(st, 1000));
	ck_assert_str_eq(rt_state_group(st, 4)->name, "adm");
	ck_assert_ptr_null(rt_state_group(st, 5));
	rt_state_add_user(st, 1000, 1000, "dev", "/home/dev", "/bin/zsh");
	ck_assert_str_eq(rt_state_user(st, 1000)->name, "dev");
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc/group", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc", root);
	rmdir(path);
	ck_assert_int_lt(rt_state_load_users(st, root), 0); /* missing files: an error */
	rmdir(root);
}
END_TEST

/* --- robustness and limits ------------------------------------------------------------------- */

START_TEST(limits_drop_oldest)
{
	rt_state_set_limits(st, 8, 3);
	make_bash();
	for (int fd = 3; fd < 8; fd++) {
		char name[16];
		snprintf(name, sizeof(name), "/f%d", fd);
		EV(OPEN, 100, 100, fd, I("fd", fd), S("name", name));
	}
	ck_assert_ptr_null(rt_fd_lookup(T(100), 3));
	ck_assert_ptr_null(rt_fd_lookup(T(100), 4));
	ck_assert_str_eq(fdname(100, 7), "/f7");
	for (uint32_t tid = 1000; tid < 1100; tid++)
		EV(READ, tid, tid, 0, I("fd", 0));
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_le(ss.threads, 8);
	ck_assert_ptr_nonnull(T(1099));
	ck_assert_ptr_nonnull(T(100)); /* known threads outlive lazy ones */
}
END_TEST

START_TEST(absurd_events_do_not_crash)
{
	static const int64_t values[] = {
	    0, -1, -100, 1, 3, INT32_MAX, INT64_MAX, INT64_MIN, (int64_t)UINT32_MAX + 5};
	static const uint8_t junk[] = {10, 1, 2, 3}; /* truncated v6 tuple/sockaddr */
	make_bash();
	for (unsigned type = 0; type < FK_EVENT_COUNT; type++) {
		const struct rt_event_info *info = rt_event_info(type);
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			struct kv kvs[FK_MAX_PARAMS + 1] = {0};
			for (unsigned i = 0; i < info->nparams; i++) {
				enum fk_param_type pt = info->params[i].type;
				if (pt == FK_PT_SOCKTUPLE || pt == FK_PT_SOCKADDR ||
				    pt == FK_PT_BYTEBUF)
					kvs[i] = (struct kv)B(info->params[i].name, junk,
					                      v % 2 ? sizeof(junk) : 1);
				else if (pt >= FK_PT_CHARBUF)
					kvs[i] = (struct kv)S(info->params[i].name,
					                      v % 2 ? "../../.." : "");
				else
					kvs[i] = (struct kv)I(info->params[i].name, values[v]);
			}
			ev_pre(type, (uint32_t)(100 + v % 3), 100, values[v], kvs);
			ev_post();
		}
		/* and with no parameters at all */
		ev_pre(type, 100, 100, 3, NULL);
		ev_post();
	}
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_le(ss.threads, 16);
}
END_TEST

static void count_thread(struct rt_thread *t, void *ctx)
{
	(void)t;
	(*(int *)ctx)++;
}

static void count_fd(struct rt_fd *f, void *ctx)
{
	(void)f;
	(*(int *)ctx)++;
}

START_TEST(snapshots_and_iteration)
{
	struct rt_thread snap = {.tid = 10,
	                         .pid = 10,
	                         .ptid = 1,
	                         .comm = "sshd",
	                         .exe = "/usr/sbin/sshd",
	                         .cwd = "/",
	                         .cgroups = "cpu=/docker/" H64 "\0"};
	ck_assert_ptr_nonnull(rt_state_add_thread(st, &snap));
	ck_assert_str_eq(T(10)->container_id, "3f4a5b6c7d8e");
	ck_assert_str_eq(T(10)->exe, "/usr/sbin/sshd");
	struct rt_fd fd = {.num = 3, .type = RT_FD_IPV4, .name = "0.0.0.0:22"};
	ck_assert_ptr_nonnull(rt_state_add_fd(st, 10, &fd));
	ck_assert_ptr_null(rt_state_add_fd(st, 11, &fd));
	struct rt_thread th = {.tid = 11, .pid = 10, .ptid = 1, .comm = "sshd"};
	rt_state_add_thread(st, &th);
	ck_assert_str_eq(fdname(11, 3), "0.0.0.0:22");
	/* a refreshed snapshot keeps the fds */
	rt_state_add_thread(st, &snap);
	ck_assert_str_eq(fdname(10, 3), "0.0.0.0:22");
	int n = 0;
	rt_state_each_thread(st, count_thread, &n);
	ck_assert_int_eq(n, 2);
	n = 0;
	rt_fd_each(T(11), count_fd, &n);
	ck_assert_int_eq(n, 1);
	rt_state_set_hostname(st, "node-1");
	ck_assert_str_eq(rt_state_hostname(st), "node-1");
}
END_TEST

Suite *rt_state_suite(void)
{
	Suite *s = suite_create("rt_state");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, open_names_resolve_like_falco, 0, sizeof(opens) / sizeof(opens[0]));
	tcase_add_test(tc, failed_open_adds_nothing);
	tcase_add_test(tc, creat_and_open_by_handle);
	tcase_add_loop_test(tc, socket_type_and_l4proto, 0, sizeof(sockets) / sizeof(sockets[0]));
	tcase_add_test(tc, connect_renders_tuples);
	tcase_add_test(tc, connect_on_unknown_socket_creates_it);
	tcase_add_test(tc, accept_adds_server_fd);
	tcase_add_test(tc, udp_sendto_fills_unconnected_tuple);
	tcase_add_test(tc, pipe_adds_two_fifos);
	tcase_add_test(tc, memfd_is_named_by_its_name);
	tcase_add_test(tc, dup2_then_close_original);
	tcase_add_test(tc, dup_variants);
	tcase_add_test(tc, single_fd_creators);
	tcase_add_test(tc, execve_replaces_image_and_closes_cloexec);
	tcase_add_test(tc, execve_without_exepath_resolves_filename);
	tcase_add_loop_test(tc, clone_thread_shares_fork_copies, 0,
	                    sizeof(clones) / sizeof(clones[0]));
	tcase_add_test(tc, clone_child_event_first);
	tcase_add_test(tc, clone_in_container_waits_for_child);
	tcase_add_test(tc, pid_reuse_replaces_thread);
	tcase_add_test(tc, procexit_removes_and_reparents);
	tcase_add_test(tc, lazy_threads);
	tcase_add_test(tc, threads_share_the_process_cwd);
	tcase_add_test(tc, cwd_hook_follows_the_state);
	tcase_add_test(tc, chdir_and_fchdir);
	tcase_add_test(tc, setuid_family);
	tcase_add_loop_test(tc, container_id_layouts, 0, sizeof(cgroups) / sizeof(cgroups[0]));
	tcase_add_test(tc, thread_container_from_any_subsystem);
	tcase_add_test(tc, users_from_root_dir);
	tcase_add_test(tc, limits_drop_oldest);
	tcase_add_test(tc, absurd_events_do_not_crash);
	tcase_add_test(tc, snapshots_and_iteration);
	suite_add_tcase(s, tc);
	return s;
}
