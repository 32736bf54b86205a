/* SPDX-License-Identifier: Apache-2.0 */
/* test_fc_jit.c - the JIT's lowering of each operator (compiler/backend/fc_jit.c) against the
 * reference interpreter on edge cases: empty strings, NULs in strings and in bcontains, case
 * folding, IPv4/IPv6 addresses and networks (edges, /0, /32, /128, IPv4-mapped, either end,
 * tables), numeric limits and mixed signedness, missing fields, evt.type
 * switches, `in` lists inline and as tables, modifiers, short-circuit and constants. Each
 * event is evaluated by rt_eval and by the compiled predicate; they must agree on every
 * condition. The IR dump is checked too. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/fc.h"
#include "compiler/fc_check.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_jit_helpers.h"
#include "runtime/rt_state.h"
#include "tests/unit/suites.h"

#define TS 1470327477881781397ull

static struct fc_unit *u;
static struct rt_state *st;
static struct rt_ctx ctx;
static struct rt_event_builder b;
static struct rt_event ev;

static const char *const conds[] = {
	/* strings: =, !=, empty, one byte more or less, NUL, case */
	"proc.name = cat", "proc.name = ca", "proc.name = catt", "proc.name = ''",
	"proc.name != cat", "proc.name != ''", "proc.name = CAT", "fd.name = ''",
	"fd.name != ''", "fd.name = /etc/passwd", "fd.name == /etc/passwd",
	"fd.name startswith /etc", "fd.name startswith ''", "fd.name startswith /etc/passwdx",
	"fd.name endswith passwd", "fd.name endswith ''", "fd.name endswith /etc/passwd",
	"fd.name endswith x/etc/passwd", "fd.name contains etc", "fd.name contains ''",
	"fd.name contains sswdx", "fd.name icontains ETC/PASS", "fd.name icontains ''",
	"fd.name contains /etc/passwd/etc/passwd/etc/passwd/etc/passwd",
	"fd.name = /etc/passwd/etc/passwd/etc/passwd/etc/passwd",
	"fd.name startswith /etc/passwd/etc/passwd/etc/passwd/etc/passwd",
	"fd.name glob '/etc/*'", "fd.name iglob '/ETC/*'", "fd.name regex '/etc/p.*'",
	"fd.name pmatch (/etc, /tmp)", "fd.name pmatch (/et)",
	/* pmatch tables: trailing slashes on either side, the root, duplicates, a whole path,
	 * a prefix that is not a whole component, <NA> */
	"fd.name pmatch (/etc/, /etc//, /tmp)", "fd.name pmatch (/)", "fd.name pmatch (//)",
	"fd.name pmatch ('')", "fd.name pmatch (/etc/passwd)", "fd.name pmatch (/etc/passw)",
	"fd.name pmatch (/usr, /etc/passwd/)", "fd.name pmatch (x, etc)",
	"fd.directory pmatch (/etc)", "fd.directory pmatch (/et, /e)",
	"evt.arg.name pmatch (/etc, /var)", "evt.arg.name pmatch (etc)",
	"not evt.arg.name pmatch (/nope)",
	/* evt.arg read in place (charbuf, absolute path) or rendered (relative path, fd, flags) */
	"evt.arg.name = /etc/passwd", "evt.arg.name = ''", "evt.arg.name = /etc/pa",
	"evt.arg.name startswith /etc", "evt.arg.name = etc/passwd", "evt.arg.name = /etc/passwd/",
	"evt.arg.name endswith passwd", "evt.arg.name in (/etc/passwd, /etc/shadow)",
	"evt.arg.dirfd = -100", "evt.arg.dirfd = AT_FDCWD", "evt.arg.flags = 1",
	"evt.arg[2] = /etc/passwd", "evt.arg[9] = x", "not evt.arg.nope = x",
	/* a subtree in three places, compiled once (@sub.K) and called; inside a chain, under
	 * not, and alone */
	"(fd.name startswith /etc and proc.name in (cat, bash, a1, a2, a3, a4, a5, a6, a7, a8, "
	"a9, a10)) or evt.num = 0",
	"evt.num > 0 and not (fd.name startswith /etc and proc.name in (cat, bash, a1, a2, a3, "
	"a4, a5, a6, a7, a8, a9, a10))",
	"fd.name startswith /etc and proc.name in (cat, bash, a1, a2, a3, a4, a5, a6, a7, a8, a9, "
	"a10)",
	/* evt.arg rendered straight to its text: flags names or the number, numbers, user and
	 * group names */
	"evt.arg.flags = O_RDONLY", "evt.arg.flags = O_NONE", "evt.arg.flags = 0",
	"evt.arg.flags = 1073741824", "evt.arg.flags contains O_", "evt.arg.flags = ''",
	"evt.arg.dev = 0", "evt.arg.ino = 18446744073709551615", "evt.arg.ino = -1",
	"evt.arg.uid = alice", "evt.arg.uid = root", "evt.arg.uid = '<NA>'",
	"evt.arg.uid = 4242", "evt.arg.gid = root", "evt.arg.gid = '<NA>'", "evt.arg.res = 0",
	"proc.name startswith oneof (ca, xx)", "proc.name startswith allof (ca, c)",
	"proc.name startswith allof (ca, x)", "fd.name endswith anyof (wd, zz)",
	"proc.name = oneof (bash, cat)", "proc.name contains allof (a, t)",
	/* in: inline sets, tables, duplicates, empty */
	"proc.name in (cat, bash)", "proc.name in (bash, sh)", "proc.name in ()",
	"proc.name in (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, cat)",
	"proc.name in (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t)",
	"proc.name in (cat, cat, '')", "fd.name in ('', x)", "proc.name intersects (cat)",
	"proc.aname in (bash)", "proc.aname = systemd", "proc.aname[1] = bash",
	"proc.aname[2] startswith sys", "proc.aname[9] = x", "not proc.aname[9] = x",
	/* numbers: limits, signedness, hex, neighbours */
	"proc.pid = 200", "proc.pid != 200", "proc.pid < 200", "proc.pid <= 200",
	"proc.pid > 199", "proc.pid >= 201", "proc.pid > -1", "proc.pid < -9223372036854775808",
	"proc.pid = 0xc8", "proc.pid in (1, 200, -5)", "proc.pid in (1, 2)",
	"fd.num = 3", "fd.num = -1", "fd.num > -100", "evt.rawres = 3", "evt.rawres < 0",
	"evt.rawres >= 18446744073709551615", "evt.rawres > -9223372036854775808",
	"user.uid = 1000", "user.uid != 0", "user.uid < 4294967295", "proc.tty = 0",
	"fd.sport = 443", "fd.sport = 22", "fd.sport in (22, 80, 443)", "fd.sport > 1024",
	"fd.cport >= 40000", "fd.port = 443", "fd.lport = 40000",
	"evt.rawarg.fd = 4", "evt.rawarg.flags = 1", "evt.rawarg.fd < 0",
	"evt.arg.flags contains O_WRONLY", "evt.num > 0",
	/* booleans */
	"fd.is_server = true", "fd.is_server = false", "fd.is_server != true",
	"evt.failed = false", "evt.is_open_write = true", "evt.is_open_write in (true)",
	/* addresses and networks */
	"fd.sip = 93.184.216.34", "fd.sip = 93.184.216.0/24", "fd.sip != 93.184.216.34",
	"fd.sip in (1.1.1.1, 93.184.0.0/16)", "fd.sip = ::1", "fd.sip = ::/0",
	"fd.sip = 2001:db8::10", "fd.sip = 2001:db8::/32", "fd.snet = 2001:db8::/33",
	"fd.net = 10.0.0.0/8", "fd.ip = 10.0.0.5", "fd.cip = fe80::1",
	/* inline address compares: network edges, /0, /32, /128, constants with host bits set,
	 * IPv4-mapped IPv6 (another family: never equal), constants that do not parse (equal
	 * nothing, != everything), either end (fd.ip, fd.net: any end passes, != included),
	 * one side (c/s/l/r), `in` inline and as a table (more than 16), oneof, mixed families */
	"fd.sip = 93.184.216.35", "fd.sip = 93.184.216.34/32", "fd.sip = 93.184.216.34/31",
	"fd.sip = 93.184.216.32/31", "fd.sip = 93.184.217.0/24", "fd.sip = 93.184.216.0/23",
	"fd.sip = 0.0.0.0/0", "fd.sip != 0.0.0.0/0", "fd.sip != ::/0", "fd.sip = 0.0.0.0",
	"fd.sip = ::ffff:93.184.216.34", "fd.sip != ::ffff:93.184.216.34",
	"fd.sip = ::ffff:0:0/96", "fd.cip = 10.0.0.5", "fd.cip = ::ffff:10.0.0.5",
	"fd.cnet = ::ffff:10.0.0.0/104", "fd.cnet = 10.0.0.0/8",
	"fd.ip != 0.0.0.0", "fd.net != 127.0.0.0/8", "fd.ip = 93.184.216.34",
	"fd.ip != 10.0.0.5", "fd.ip != 93.184.216.34", "fd.net = 93.184.216.0/25",
	"fd.net != 10.0.0.0/8", "fd.net != 0.0.0.0/0", "fd.net = ::/0", "fd.net != ::/0",
	"not fd.net != 127.0.0.0/8", "fd.ip = 0.0.0.0 or fd.net = 127.0.0.0/8",
	"fd.cnet in (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
	"fd.snet in (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
	"not fd.snet in (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
	"fd.net in (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
	"fd.net in (11.0.0.0/8, 172.32.0.0/12, 9.255.255.255)", "fd.snet in (172.16.0.0/12)",
	"fd.cnet in (172.16.0.0/12)", "fd.snet in (11.0.0.0)", "fd.cnet in (10.255.255.255/32)",
	"fd.lip = 10.0.0.5", "fd.rip = 93.184.216.34", "fd.lnet = 10.0.0.4/31",
	"fd.rnet != 93.184.216.0/24", "fd.lnet in (fe80::/10, 10.0.0.0/30)",
	"fd.sip = 2001:db8::10/128", "fd.sip = 2001:db8::11", "fd.sip = 2001:db8::/127",
	"fd.sip = 2001:db8::/124", "fd.sip = 2001:db8::/65", "fd.sip = 2001:db8:0:0:8000::/65",
	"fd.sip = 2001:db8::/64", "fd.cip = fe80::/10",
	"fd.cip = fe80::/11", "fd.cip = fec0::/10", "fd.ip = fe80::1", "fd.ip != fe80::1",
	"fd.ip != 2001:db8::10", "fd.net = 2001:db8::/64", "fd.net != fe80::/10",
	"fd.net in (fe80::/10, 10.0.0.0/8)", "fd.net in (::1, 127.0.0.1)",
	"fd.sip in (1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, 1.1.1.6, 1.1.1.7, 1.1.1.8, "
	"1.1.1.9, 1.1.1.10, 1.1.1.11, 1.1.1.12, 1.1.1.13, 1.1.1.14, 1.1.1.15, 1.1.1.16, "
	"93.184.216.0/24, 1.1.1.1)",
	"fd.ip in (1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, 1.1.1.6, 1.1.1.7, 1.1.1.8, "
	"1.1.1.9, 1.1.1.10, 1.1.1.11, 1.1.1.12, 1.1.1.13, 1.1.1.14, 1.1.1.15, ::1, "
	"fe80::/16, 10.0.0.5/32)",
	"fd.net in (1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, 1.1.1.6, 1.1.1.7, 1.1.1.8, "
	"1.1.1.9, 1.1.1.10, 1.1.1.11, 1.1.1.12, 1.1.1.13, 1.1.1.14, 1.1.1.15, ::1, "
	"2001:db8::11, 93.184.216.0/25, 0.0.0.0/32)",
	"fd.snet in (0::/0, 1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, 1.1.1.6, 1.1.1.7, "
	"1.1.1.8, 1.1.1.9, 1.1.1.10, 1.1.1.11, 1.1.1.12, 1.1.1.13, 1.1.1.14, 1.1.1.15, 1.1.1.16)",
	/* bytes */
	"evt.buffer bcontains 610062", "evt.buffer bcontains 6162", "evt.buffer bcontains 6",
	"evt.buffer bstartswith 6100", "evt.buffer contains ssh", "evt.buffer startswith a",
	"evt.buffer = ''", "evt.buffer bcontains ''",
	/* event types */
	"evt.type = openat", "evt.type != openat", "evt.type in (open, openat, connect)",
	"evt.type in (execve)", "evt.type startswith open", "evt.type = write",
	"evt.type != write", "not evt.type in (openat, openat)",
	/* existence, missing fields, transformers, val() */
	"fd.name exists", "fd.sip exists", "evt.buffer exists", "not fd.sip exists",
	"fd.sip != 1.2.3.4", "proc.env[HOME] = /root", "proc.env[NOPE] != x",
	"tolower(proc.name) = cat", "toupper(fd.name) startswith /ETC", "len(fd.name) = 11",
	"fd.name = val(fd.name)", "proc.name != val(proc.pname)", "basename(fd.name) = passwd",
	/* a list-valued field under operators other than in/intersects (loaded with a warning;
	 * any element passes, <NA> and an empty list are false): the generic check */
	"fd.types contains f", "fd.types = file", "fd.types != file",
	"fd.types startswith oneof (f, d)", "not fd.types contains ''", "fd.types[3] endswith e",
	"fd.types intersects (file)",
	/* and / or / not, constants */
	"proc.name = cat and fd.name startswith /etc", "proc.name = bash or fd.num = 3",
	"not (proc.name = cat and not fd.name = /x)", "(proc.name = x or proc.name = y) and fd.num = 3",
	"not not proc.name = cat", "proc.name = cat and (fd.sip = 1.1.1.1 or not fd.sip exists)",
};
#define NCONDS (sizeof(conds) / sizeof(conds[0]))

static struct fc_node *nodes[NCONDS];
static struct fc_jit *jit;
static struct fc_jit_slot *slots;

static void add_thread(int64_t tid, int64_t ptid, const char *comm, const char *exepath,
		       uint32_t uid)
{
	struct rt_thread t = { 0 };
	t.tid = t.pid = tid;
	t.ptid = ptid;
	t.vtid = t.vpid = -1;
	t.sid = t.pgid = tid;
	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	t.exe = (char *)comm;
	t.exepath = (char *)exepath;
	t.args = (char *)"/etc/passwd";
	t.args_len = 12;
	t.env = (char *)"HOME=/root";
	t.env_len = 11;
	t.cwd = (char *)"/";
	t.uid = t.euid = uid;
	t.loginuid = UINT32_MAX;
	t.container_id = (char *)"host";
	ck_assert_ptr_nonnull(rt_state_add_thread(st, &t));
}

static void setup(void)
{
	u = fc_unit_new(NULL);
	st = rt_state_new();
	rt_state_set_hostname(st, "test-host");
	rt_state_add_user(st, 1000, 1000, "alice", "/home/alice", "/bin/bash");
	add_thread(1, 0, "systemd", "/usr/lib/systemd/systemd", 0);
	add_thread(100, 1, "bash", "/usr/bin/bash", 1000);
	add_thread(200, 100, "cat", "/usr/bin/cat", 1000);
	rt_ctx_init(&ctx, st);
	memset(&b, 0, sizeof(b));
	for (size_t i = 0; i < NCONDS; i++) {
		nodes[i] = fc_parse_condition(u, conds[i]);
		ck_assert_msg(nodes[i] != NULL, "parse: %s", conds[i]);
		struct fc_check_result r = fc_check_condition(u, nodes[i], FC_SRC_SYSCALL, false);
		ck_assert_msg(r.errors == 0, "check %s: %s", conds[i], fc_diag_first(u));
	}
	char err[256];
	/* in three modules compiled on three threads, sharing slots (fc_jit_parts) */
	struct fc_jit_options jo = { .opt_level = -1, .threads = 3 };
	jit = fc_jit_compile((const struct fc_node *const *)nodes, NCONDS, rt_jit_helpers,
			     rt_jit_nhelpers, &jo, err, sizeof(err));
	ck_assert_msg(jit != NULL, "JIT: %s", err);
	slots = calloc(fc_jit_slot_count(jit) + 1, sizeof(*slots));
}

static void teardown(void)
{
	free(slots);
	fc_jit_free(jit);
	rt_ctx_fini(&ctx);
	rt_event_builder_fini(&b);
	rt_state_free(st);
	fc_unit_free(u);
}

/* Decodes the built event, runs state, and compares every condition both ways. */
static void feed_and_compare(const char *what)
{
	const struct fk_event_hdr *h = rt_event_builder_finish(&b);
	char err[128];
	ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
	ev.num = 1;
	rt_state_pre(st, &ev);
	rt_ctx_begin(&ctx, &ev);
	struct fc_jit_env env = { .slots = slots };
	rt_jit_env_begin(&env, &ctx);
	int32_t evt = rt_jit_evt(&ctx);
	for (size_t i = 0; i < NCONDS; i++) {
		bool want = rt_eval(&ctx, nodes[i]);
		bool got = fc_jit_get(jit, i)(&env, evt);
		ck_assert_msg(want == got, "%s: '%s': interpreter %d, JIT %d", what, conds[i], want,
			      got);
	}
	/* and once more in the other order, on a fresh cache */
	rt_ctx_begin(&ctx, &ev);
	rt_jit_env_begin(&env, &ctx);
	for (size_t i = 0; i < NCONDS; i++) {
		bool got = fc_jit_get(jit, i)(&env, evt);
		bool want = rt_eval(&ctx, nodes[i]);
		ck_assert_msg(want == got, "%s (JIT first): '%s': interpreter %d, JIT %d", what,
			      conds[i], want, got);
	}
	rt_state_post(st, &ev);
}

static void openat(int64_t res, const char *name, size_t namelen, uint32_t flags)
{
	rt_event_builder_begin(&b, FK_EVENT_OPENAT, TS, 200, 200, res);
	rt_event_builder_add_u64(&b, (uint64_t)res, 8);
	rt_event_builder_add_u64(&b, (uint64_t)-100, 8);
	rt_event_builder_add(&b, name, (uint16_t)namelen);
	rt_event_builder_add_u64(&b, flags, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, UINT64_MAX, 8);
}

START_TEST(open_events)
{
	openat(3, "/etc/passwd", 12, 1);
	feed_and_compare("openat /etc/passwd");
	openat(4, "", 1, 0);
	feed_and_compare("openat ''");
	openat(5, "/etc/pa\0sswd", 13, 2);
	feed_and_compare("openat with a NUL");
	openat(-2, "/ETC/PASSWD", 12, 0);
	feed_and_compare("failed openat");
	openat(6, NULL, 0, 0);
	feed_and_compare("openat without a name");
	openat(7, "etc/passwd", 11, 1);
	feed_and_compare("openat of a relative path");
	openat(8, "/etc//", 7, 0);
	feed_and_compare("openat of a directory with slashes");
	openat(9, "/", 2, 0);
	feed_and_compare("openat of the root");
	openat(10, "/etc/passwd/", 13, 0);
	feed_and_compare("openat with a trailing slash");
	openat(11, "/etcx/passwd", 13, 0);
	feed_and_compare("openat under a near miss");
	openat(12, "/tmp/x", 7, 0x3ff);
	feed_and_compare("openat with many flags");
	openat(13, "/tmp/y", 7, 1u << 30);
	feed_and_compare("openat with flags that have no name");
}
END_TEST

/* setuid/setgid: a known user, root, and ids without a name */
START_TEST(id_events)
{
	static const struct {
		unsigned type;
		uint32_t id;
	} ev_ids[] = {
		{ FK_EVENT_SETUID, 1000 }, { FK_EVENT_SETUID, 0 }, { FK_EVENT_SETUID, 4242 },
		{ FK_EVENT_SETGID, 0 },    { FK_EVENT_SETGID, 77 },
	};
	for (size_t i = 0; i < sizeof(ev_ids) / sizeof(ev_ids[0]); i++) {
		rt_event_builder_begin(&b, ev_ids[i].type, TS, 200, 200, 0);
		rt_event_builder_add_u64(&b, 0, 8);
		rt_event_builder_add_u64(&b, ev_ids[i].id, 4);
		feed_and_compare(ev_ids[i].type == FK_EVENT_SETUID ? "setuid" : "setgid");
	}
}
END_TEST

static void connect(const uint8_t *tup, size_t len, int64_t fd)
{
	rt_event_builder_begin(&b, FK_EVENT_CONNECT, TS, 200, 200, 0);
	rt_event_builder_add_u64(&b, 0, 8);
	rt_event_builder_add(&b, tup, (uint16_t)len);
	rt_event_builder_add_u64(&b, (uint64_t)fd, 8);
	rt_event_builder_add_empty(&b);
}

START_TEST(network_events)
{
	uint8_t t4[13] = { FK_AF_INET, 10, 0, 0, 5, 0, 0, 93, 184, 216, 34, 0, 0 };
	uint16_t sp = 40000, dp = 443;
	memcpy(t4 + 5, &sp, 2);
	memcpy(t4 + 11, &dp, 2);
	connect(t4, sizeof(t4), 4);
	feed_and_compare("connect IPv4");
	uint8_t t6[37] = { FK_AF_INET6 };
	uint8_t src[16] = { 0xfe, 0x80, [15] = 1 };
	uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	sp = 50000;
	dp = 22;
	memcpy(t6 + 1, src, 16);
	memcpy(t6 + 17, &sp, 2);
	memcpy(t6 + 19, dst, 16);
	memcpy(t6 + 35, &dp, 2);
	connect(t6, sizeof(t6), 5);
	feed_and_compare("connect IPv6");
	connect(t4, 3, 6); /* a truncated tuple */
	feed_and_compare("connect, truncated tuple");
	/* network edges: the last address of 10/8 and the first after it, and of 172.16/12 */
	static const uint8_t edges[][8] = {
		{ 10, 255, 255, 255, 11, 0, 0, 0 },   { 9, 255, 255, 255, 172, 32, 0, 0 },
		{ 172, 31, 255, 255, 172, 15, 255, 255 }, { 0, 0, 0, 0, 127, 0, 0, 1 },
		{ 127, 255, 255, 255, 0, 0, 0, 0 }, { 93, 184, 216, 33, 93, 184, 216, 35 },
	};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		memcpy(t4 + 1, edges[i], 4);
		memcpy(t4 + 7, edges[i] + 4, 4);
		connect(t4, sizeof(t4), (int64_t)(10 + i));
		feed_and_compare("connect IPv4, network edges");
	}
	/* IPv4-mapped IPv6 on both ends, and IPv6 edges of fe80::/10 and 2001:db8::/64 */
	uint8_t m1[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 5 };
	uint8_t m2[16] = { [10] = 0xff, [11] = 0xff, 93, 184, 216, 34 };
	uint8_t e1[16]; /* febf:ffff:...: the last address of fe80::/10 */
	memset(e1, 0xff, sizeof(e1));
	e1[0] = 0xfe;
	e1[1] = 0xbf;
	uint8_t e2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff };
	uint8_t e3[16] = { 0xfe, 0xc0 };
	uint8_t e4[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };
	uint8_t e5[16] = { [15] = 1 };
	const uint8_t *pairs[][2] = { { m1, m2 }, { e1, e2 }, { e3, e4 }, { e5, e5 } };
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		memcpy(t6 + 1, pairs[i][0], 16);
		memcpy(t6 + 19, pairs[i][1], 16);
		connect(t6, sizeof(t6), (int64_t)(20 + i));
		feed_and_compare("connect IPv6, mapped and network edges");
	}
	uint8_t unix_tup[] = { FK_AF_UNIX, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
			       '/', 't', 'm', 'p', '/', 's', 0 };
	connect(unix_tup, sizeof(unix_tup), 30);
	feed_and_compare("connect on a unix socket");
}
END_TEST

/* Address checks the checker rejects (a rule with one does not load) still have the
 * interpreter's meaning in the JIT: a constant that does not parse equals nothing, is !=
 * every value and is skipped in `in`; oneof/anyof/allof are as on strings. */
static const char *const bad_conds[] = {
	"fd.sip = 93.184.216.34/33", "fd.sip != 93.184.216.34/33", "fd.sip = garbage",
	"fd.sip != garbage", "fd.sip in (garbage, 93.184.216.34)", "fd.sip in (garbage)",
	"fd.sip = 93.184.216.34/", "fd.sip = /24", "fd.sip != 1.2.3.4/-1", "fd.ip != x",
	"fd.net != 10.0.0.0/8x", "fd.sip = 2001:db8::10/129", "fd.sip != 2001:db8::10/129",
	/* modifiers, which the checker allows on strings only */
	"fd.sip = oneof (1.1.1.1, 93.184.216.34)", "fd.sip = anyof (1.1.1.1, 2.2.2.2)",
	"fd.sip = allof (93.184.216.34, 93.184.216.0/24)", "fd.sip != oneof (1.1.1.1, 2.2.2.2)",
	"fd.ip = oneof (2.2.2.2, 10.0.0.5)", "fd.ip = allof (10.0.0.5, 10.0.0.0/8)",
	"fd.sip in (1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, 1.1.1.6, 1.1.1.7, 1.1.1.8, "
	"1.1.1.9, 1.1.1.10, 1.1.1.11, 1.1.1.12, 1.1.1.13, 1.1.1.14, 1.1.1.15, 1.1.1.16, "
	"93.184.216.0/24, garbage, 1.1.1.1/40)",
};
#define NBAD (sizeof(bad_conds) / sizeof(bad_conds[0]))

START_TEST(bad_address_constants)
{
	struct fc_node *bn[NBAD];
	for (size_t i = 0; i < NBAD; i++) {
		bn[i] = fc_parse_condition(u, bad_conds[i]);
		ck_assert_msg(bn[i] != NULL, "parse: %s", bad_conds[i]);
		struct fc_check_result r = fc_check_condition(u, bn[i], FC_SRC_SYSCALL, false);
		ck_assert_msg(r.errors > 0, "check accepted %s", bad_conds[i]);
	}
	char err[256];
	struct fc_jit *bj = fc_jit_compile((const struct fc_node *const *)bn, NBAD, rt_jit_helpers,
					   rt_jit_nhelpers, NULL, err, sizeof(err));
	ck_assert_msg(bj != NULL, "JIT: %s", err);
	struct fc_jit_slot *bs = calloc(fc_jit_slot_count(bj) + 1, sizeof(*bs));
	uint8_t t4[13] = { FK_AF_INET, 10, 0, 0, 5, 0, 0, 93, 184, 216, 34, 0, 0 };
	uint8_t t6[37] = { FK_AF_INET6, 0xfe, 0x80, [16] = 1, [19] = 0x20, 0x01, 0x0d, 0xb8,
			   [34] = 0x10 };
	for (int k = 0; k < 3; k++) {
		if (k == 0)
			connect(t4, sizeof(t4), 4);
		else if (k == 1)
			connect(t6, sizeof(t6), 5);
		else
			connect(t4, 3, 6);
		const struct fk_event_hdr *h = rt_event_builder_finish(&b);
		ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
		rt_state_pre(st, &ev);
		rt_ctx_begin(&ctx, &ev);
		struct fc_jit_env env = { .slots = bs };
		rt_jit_env_begin(&env, &ctx);
		int32_t evt = rt_jit_evt(&ctx);
		for (size_t i = 0; i < NBAD; i++) {
			bool want = rt_eval(&ctx, bn[i]);
			bool got = fc_jit_get(bj, i)(&env, evt);
			ck_assert_msg(want == got, "event %d: '%s': interpreter %d, JIT %d", k,
				      bad_conds[i], want, got);
		}
		rt_state_post(st, &ev);
	}
	free(bs);
	fc_jit_free(bj);
}
END_TEST

START_TEST(write_events)
{
	openat(7, "/tmp/out", 9, 2);
	feed_and_compare("openat /tmp/out");
	static const char data[] = { 'a', '\0', 'b', 's', 's', 'h', '\n' };
	rt_event_builder_begin(&b, FK_EVENT_WRITE, TS, 200, 200, sizeof(data));
	rt_event_builder_add_u64(&b, sizeof(data), 8);
	rt_event_builder_add(&b, data, sizeof(data));
	rt_event_builder_add_u64(&b, 7, 8);
	rt_event_builder_add_u64(&b, sizeof(data), 4);
	feed_and_compare("write with NULs");
	rt_event_builder_begin(&b, FK_EVENT_WRITE, TS, 200, 200, 0);
	rt_event_builder_add_u64(&b, 0, 8);
	rt_event_builder_add(&b, NULL, 0);
	rt_event_builder_add_u64(&b, 99, 8);
	rt_event_builder_add_u64(&b, 0, 4);
	feed_and_compare("empty write to an unknown fd");
}
END_TEST

/* Code compiled ahead of time (fc_jit_emit, a bundle's NATIVE section) and linked: the same
 * verdicts as the interpreter; a blob for other conditions, or a damaged one, is refused. */
START_TEST(native_objects)
{
	char err[256];
	uint8_t *blob = NULL;
	size_t len = 0;
	ck_assert_msg(fc_jit_emit((const struct fc_node *const *)nodes, NCONDS, -1, &blob, &len,
				  err, sizeof(err)) == 0,
		      "emit: %s", err);
	uint8_t *again = NULL;
	size_t len2 = 0;
	ck_assert_int_eq(fc_jit_emit((const struct fc_node *const *)nodes, NCONDS, -1, &again,
				     &len2, err, sizeof(err)),
			 0);
	ck_assert_msg(len == len2 && memcmp(blob, again, len) == 0, "emit is not reproducible");
	free(again);
	struct fc_jit_options jo = { .opt_level = -1, .objects = blob, .objects_len = len };
	struct fc_jit *linked = fc_jit_compile((const struct fc_node *const *)nodes, NCONDS,
					       rt_jit_helpers, rt_jit_nhelpers, &jo, err,
					       sizeof(err));
	ck_assert_msg(linked != NULL, "link: %s", err);
	struct fc_jit *compiled = jit;
	struct fc_jit_slot *compiled_slots = slots;
	jit = linked;
	slots = calloc(fc_jit_slot_count(linked) + 1, sizeof(*slots));
	openat(3, "/etc/passwd", 12, 1);
	feed_and_compare("native: openat /etc/passwd");
	openat(7, "etc/passwd", 11, 0x3ff);
	feed_and_compare("native: openat of a relative path");
	rt_event_builder_begin(&b, FK_EVENT_SETUID, TS, 200, 200, 0);
	rt_event_builder_add_u64(&b, 0, 8);
	rt_event_builder_add_u64(&b, 1000, 4);
	feed_and_compare("native: setuid");
	free(slots);
	fc_jit_free(linked);
	jit = compiled;
	slots = compiled_slots;

	/* refused: other conditions (one fewer), another magic, cut short */
	ck_assert_ptr_null(fc_jit_compile((const struct fc_node *const *)nodes, NCONDS - 1,
					  rt_jit_helpers, rt_jit_nhelpers, &jo, err, sizeof(err)));
	ck_assert_msg(strstr(err, "compiled for other conditions") != NULL, "%s", err);
	blob[0] ^= 1;
	ck_assert_ptr_null(fc_jit_compile((const struct fc_node *const *)nodes, NCONDS,
					  rt_jit_helpers, rt_jit_nhelpers, &jo, err, sizeof(err)));
	ck_assert_msg(strstr(err, "not a falcoc object blob") != NULL, "%s", err);
	blob[0] ^= 1;
	jo.objects_len = len - 9;
	ck_assert_ptr_null(fc_jit_compile((const struct fc_node *const *)nodes, NCONDS,
					  rt_jit_helpers, rt_jit_nhelpers, &jo, err, sizeof(err)));
	ck_assert_msg(strstr(err, "truncated") != NULL, "%s", err);
	free(blob);
}
END_TEST

START_TEST(ir_dump)
{
	char err[256];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(fc_jit_dump_ir(nodes[0], "rule", 0, f, err, sizeof(err)), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "define zeroext i1 @rule(ptr %env, i32 %evt)"));
	ck_assert_ptr_nonnull(strstr(buf, "@field.proc.name = external constant i8"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(fc_jit_dump_ir(nodes[0], "rule", 2, f, err, sizeof(err)), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "@rule("));
	free(buf);
	/* address checks are inline: masked compares, and a table for more than 16 constants */
	struct fc_node *an = fc_parse_condition(
		u, "fd.net != 127.0.0.0/8 and fd.ip in (1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, "
		   "1.1.1.6, 1.1.1.7, 1.1.1.8, 1.1.1.9, 1.1.1.10, 1.1.1.11, 1.1.1.12, 1.1.1.13, "
		   "1.1.1.14, 1.1.1.15, 1.1.1.16, 1.1.1.17)");
	ck_assert_ptr_nonnull(an);
	ck_assert_int_eq(fc_check_condition(u, an, FC_SRC_SYSCALL, false).errors, 0);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(fc_jit_dump_ir(an, "rule", 0, f, err, sizeof(err)), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "and i32 %addr, 255"));
	ck_assert_ptr_nonnull(strstr(buf, "@rt_jit_addr_in(ptr"));
	free(buf);
}
END_TEST

Suite *fc_jit_suite(void)
{
	Suite *s = suite_create("fc_jit");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, open_events);
	tcase_add_test(tc, id_events);
	tcase_add_test(tc, network_events);
	tcase_add_test(tc, bad_address_constants);
	tcase_add_test(tc, write_events);
	tcase_add_test(tc, native_objects);
	tcase_add_test(tc, ir_dump);
	suite_add_tcase(s, tc);
	return s;
}
