/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_extract.c - field extraction (runtime/rt_extract.c): per field family, hand-built
 * events over state built through rt_state.h, and the exact text Falco prints. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/fc.h"
#include "compiler/fc_check.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_state.h"
#include "tests/unit/suites.h"

#define TS 1470327477881781397ull /* 2016-08-04T16:17:57.881781397Z */

static struct fc_unit *u;
static struct rt_state *st;
static struct rt_ctx ctx;
static struct rt_event_builder b;
static struct rt_event ev;
static uint64_t evnum;

static void add_thread(int64_t tid, int64_t ptid, const char *comm, const char *exe,
                       const char *exepath, const char *args, size_t args_len, const char *cwd,
                       uint32_t uid, uint32_t gid)
{
	struct rt_thread t = {0};
	t.tid = t.pid = tid;
	t.ptid = ptid;
	t.vtid = t.vpid = -1;
	t.sid = 100;
	t.pgid = tid;
	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	t.exe = (char *)exe;
	t.exepath = (char *)exepath;
	t.args = (char *)args;
	t.args_len = args_len;
	t.cwd = (char *)cwd;
	t.uid = t.euid = uid;
	t.gid = t.egid = gid;
	t.loginuid = tid == 1 ? UINT32_MAX : 1000;
	t.clone_ts = TS - 2000000000ull;
	t.container_id = (char *)"host";
	if (tid == 100) {
		t.env = (char *)"HOME=/home/alice\0PATH=/bin:/usr/bin\0";
		t.env_len = 36;
		t.cap_effective = (1ull << 0) | (1ull << 21);
	}
	ck_assert_ptr_nonnull(rt_state_add_thread(st, &t));
}

static void setup(void)
{
	u = fc_unit_new(NULL);
	st = rt_state_new();
	rt_state_set_hostname(st, "test-host");
	rt_state_add_user(st, 0, 0, "root", "/root", "/bin/bash");
	rt_state_add_user(st, 1000, 1000, "alice", "/home/alice", "/bin/zsh");
	rt_state_add_group(st, 0, "root");
	rt_state_add_group(st, 1000, "alice");
	add_thread(1, 0, "systemd", "/sbin/init", "/usr/lib/systemd/systemd", "", 0, "/", 0, 0);
	add_thread(100, 1, "bash", "-bash", "/usr/bin/bash", "", 0, "/home/alice", 1000, 1000);
	add_thread(200, 100, "cat", "cat", "/usr/bin/cat", "/etc/passwd\0-n\0", 15, "/tmp", 1000,
	           1000);
	add_thread(300, 100, "ghost", "ghost", "/opt/ghost", "", 0, "/", 4242, 4242);
	rt_ctx_init(&ctx, st);
	memset(&b, 0, sizeof(b));
	evnum = 0;
}

static void teardown(void)
{
	rt_ctx_fini(&ctx);
	rt_event_builder_fini(&b);
	rt_state_free(st);
	fc_unit_free(u);
}

/* Runs the built record through state and makes it the current event. */
static void feed(void)
{
	const struct fk_event_hdr *h = rt_event_builder_finish(&b);
	char err[128];
	ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
	ev.num = ++evnum;
	rt_state_pre(st, &ev);
	rt_ctx_begin(&ctx, &ev);
}

static void post(void)
{
	rt_state_post(st, &ev);
}

static void add_fd(struct rt_event_builder *bb, int64_t fd)
{
	rt_event_builder_add_u64(bb, (uint64_t)fd, 8);
}

/* openat(AT_FDCWD, name, flags) = res by tid */
static void ev_openat(uint32_t tid, int64_t res, const char *name, uint32_t flags)
{
	rt_event_builder_begin(&b, FK_EVENT_OPENAT, TS, tid, tid, res);
	add_fd(&b, res);
	add_fd(&b, -100);
	rt_event_builder_add_str(&b, name);
	rt_event_builder_add_u64(&b, flags, 4);
	rt_event_builder_add_u64(&b, 0644, 4);
	rt_event_builder_add_u64(&b, 0x803, 4);
	rt_event_builder_add_u64(&b, 1234, 8);
	feed();
}

static const struct fc_expr *field_expr(const char *text)
{
	char *cond = fc_arena_printf(u, "%s exists", text);
	struct fc_node *n = fc_parse_condition(u, cond);
	ck_assert_msg(n != NULL, "parse %s", text);
	struct fc_check_result r = fc_check_condition(u, n, FC_SRC_SYSCALL, false);
	ck_assert_msg(r.errors == 0, "check %s: %s", text, fc_diag_first(u));
	return n->check.lhs;
}

static const char *x(const char *text)
{
	const struct fc_expr *e = field_expr(text);
	struct rt_value v;
	rt_extract(&ctx, e, &v);
	return rt_value_format(&ctx, e, &v);
}

static enum rt_vkind xkind(const char *text)
{
	const struct fc_expr *e = field_expr(text);
	struct rt_value v;
	rt_extract(&ctx, e, &v);
	return v.kind;
}

struct fcase {
	const char *field, *want;
};

/* ---- an open by cat ---- */

static const struct fcase open_cases[] = {
    {"evt.type", "openat"},
    {"evt.dir", "<"},
    {"evt.num", "1"},
    {"evt.rawtime", "1470327477881781397"},
    {"evt.rawtime.s", "1470327477"},
    {"evt.rawtime.ns", "881781397"},
    {"evt.time.iso8601", "2016-08-04T16:17:57.881781397+0000"},
    {"evt.res", "SUCCESS"},
    {"evt.rawres", "3"},
    {"evt.failed", "false"},
    {"evt.is_open_read", "true"},
    {"evt.is_open_write", "false"},
    {"evt.is_open_create", "false"},
    {"evt.is_open_exec", "false"},
    {"evt.is_io", "false"},
    {"evt.category", "file"},
    {"evt.source", "syscall"},
    {"evt.hostname", "test-host"},
    {"evt.count", "1"},
    {"evt.arg.name", "/etc/passwd"},
    {"evt.arg[2]", "/etc/passwd"},
    {"evt.arg.flags", "O_RDONLY|O_CLOEXEC"},
    {"evt.rawarg.flags", "4097"},
    {"evt.arg.dirfd", "AT_FDCWD"},
    {"evt.arg.fd", "<f>/etc/passwd"},
    {"evt.rawarg.fd", "3"},
    {"evt.arg.nosuch", "<NA>"},
    {"evt.args", "fd=3(<f>/etc/passwd) dirfd=-100(AT_FDCWD) name=/etc/passwd "
                 "flags=4097(O_RDONLY|O_CLOEXEC) mode=420 dev=2051 ino=1234 "},
    {"evt.type.is.openat", "1"},
    {"evt.type.is.open", "0"},
    {"syscall.type", "openat"},
    {"proc.name", "cat"},
    {"proc.exe", "cat"},
    {"proc.exepath", "/usr/bin/cat"},
    {"proc.args", "/etc/passwd -n"},
    {"proc.cmdline", "cat /etc/passwd -n"},
    {"proc.exeline", "cat /etc/passwd -n"},
    {"proc.cmdnargs", "2"},
    {"proc.cmdlenargs", "13"},
    {"proc.pid", "200"},
    {"proc.ppid", "100"},
    {"proc.pname", "bash"},
    {"proc.pexe", "-bash"},
    {"proc.pexepath", "/usr/bin/bash"},
    {"proc.pcmdline", "bash"},
    {"proc.aname[0]", "cat"},
    {"proc.aname[1]", "bash"},
    {"proc.aname[2]", "systemd"},
    {"proc.aname[3]", "<NA>"},
    {"proc.aname", "(bash,systemd)"},
    {"proc.apid[2]", "1"},
    {"proc.aexepath[1]", "/usr/bin/bash"},
    {"proc.sid", "100"},
    {"proc.sname", "bash"},
    {"proc.cwd", "/tmp/"},
    {"proc.duration", "2000000000"},
    {"proc.loginshellid", "100"},
    {"proc.is_exe_writable", "false"},
    {"proc.env", ""},
    {"proc.aenv[HOME]", "/home/alice"},
    {"thread.tid", "200"},
    {"thread.ismain", "true"},
    {"user.uid", "1000"},
    {"user.name", "alice"},
    {"user.homedir", "/home/alice"},
    {"user.shell", "/bin/zsh"},
    {"user.loginuid", "1000"},
    {"user.loginname", "alice"},
    {"group.gid", "1000"},
    {"group.name", "alice"},
    {"fd.num", "3"},
    {"fd.type", "file"},
    {"fd.typechar", "f"},
    {"fd.name", "/etc/passwd"},
    {"fd.directory", "/etc"},
    {"fd.filename", "passwd"},
    {"fd.containername", "host:/etc/passwd"},
    {"fd.containerdirectory", "host:/etc"},
    {"fd.sip", "<NA>"},
    {"fd.l4proto", "<NA>"},
    {"container.id", "host"},
    {"container.name", "host"},
    {"container.image", "<NA>"},
    {"container.image.repository", "<NA>"},
    {"k8s.ns.name", "<NA>"},
    {"k8s.pod.name", "<NA>"},
    {"fs.path.name", "<NA>"},
    {"tolower(proc.pname)", "bash"},
    {"toupper(proc.name)", "CAT"},
    {"basename(proc.exepath)", "cat"},
    {"len(proc.args)", "14"},
    {"concat(proc.name, \"-\", proc.pid)", "cat-200"},
    {"join(\",\", proc.aname)", "bash,systemd"},
    {"getopt(proc.args, \"-n\")", "<NA>"},
};

START_TEST(open_fields)
{
	ev_openat(200, 3, "/etc/passwd", 4097);
	ck_assert_str_eq(x(open_cases[_i].field), open_cases[_i].want);
	post();
}
END_TEST

START_TEST(open_time_fields_local)
{
	setenv("TZ", "UTC", 1);
	tzset();
	ev_openat(200, 3, "/etc/passwd", 4097);
	ck_assert_str_eq(x("evt.time"), "16:17:57.881781397");
	ck_assert_str_eq(x("evt.time.s"), "16:17:57");
	ck_assert_str_eq(x("evt.datetime"), "2016-08-04 16:17:57.881781397");
	ck_assert_str_eq(x("evt.datetime.s"), "2016-08-04 16:17:57");
	post();
}
END_TEST

START_TEST(open_failed)
{
	ev_openat(200, -2, "/nope", 1 | (1 << 2) | (1 << 1));
	ck_assert_str_eq(x("evt.res"), "ENOENT");
	ck_assert_str_eq(x("evt.rawres"), "-2");
	ck_assert_str_eq(x("evt.failed"), "true");
	ck_assert_str_eq(x("evt.arg.fd"), "ENOENT");
	ck_assert_str_eq(x("evt.arg.flags"), "O_CREAT|O_RDWR");
	ck_assert_str_eq(x("evt.is_open_write"), "true");
	ck_assert_str_eq(x("evt.is_open_create"), "true");
	ck_assert_str_eq(x("evt.is_open_exec"), "false");
	ck_assert_str_eq(x("evt.count.error"), "1");
	ck_assert_str_eq(x("evt.count.error.file"), "1");
	ck_assert_str_eq(x("fd.name"), "<NA>");
	ck_assert_int_eq(xkind("fd.num"), RT_V_NA);
	post();
}
END_TEST

START_TEST(unknown_user_fallbacks)
{
	ev_openat(300, 3, "/x", 1);
	ck_assert_str_eq(x("user.uid"), "4242");
	ck_assert_str_eq(x("user.name"), "<NA>");
	ck_assert_str_eq(x("user.homedir"), "<NA>");
	ck_assert_str_eq(x("group.name"), "<NA>");
	ck_assert_int_eq(xkind("user.name"), RT_V_STR);
	post();
}
END_TEST

START_TEST(root_process_fields)
{
	ev_openat(1, 5, "/run/x", 1);
	ck_assert_str_eq(x("user.loginuid"), "-1");
	ck_assert_str_eq(x("user.loginname"), "<NA>");
	ck_assert_str_eq(x("proc.pname"), "<NA>");
	ck_assert_int_eq(xkind("proc.pname"), RT_V_NA);
	ck_assert_int_eq(xkind("proc.aname"), RT_V_NA);
	ck_assert_str_eq(x("proc.args"), "");
	ck_assert_str_eq(x("proc.cmdline"), "systemd");
	post();
}
END_TEST

START_TEST(env_and_caps)
{
	ev_openat(100, 3, "/etc/hosts", 1);
	ck_assert_str_eq(x("proc.env"), "HOME=/home/alice PATH=/bin:/usr/bin");
	ck_assert_str_eq(x("proc.env[HOME]"), "/home/alice");
	ck_assert_str_eq(x("proc.env[NOPE]"), "<NA>");
	ck_assert_str_eq(x("thread.cap_effective"), "CAP_CHOWN CAP_SYS_ADMIN");
	ck_assert_str_eq(x("proc.is_sid_leader"), "true");
	post();
}
END_TEST

/* ---- network ---- */

static void ev_socket_connect(uint32_t tid, int64_t fd, const uint8_t sip[4], uint16_t sport,
                              const uint8_t dip[4], uint16_t dport)
{
	rt_event_builder_begin(&b, FK_EVENT_SOCKET, TS, tid, tid, fd);
	add_fd(&b, fd);
	rt_event_builder_add_u64(&b, 2, 4);
	rt_event_builder_add_u64(&b, 1, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	feed();
	post();
	uint8_t tup[13];
	tup[0] = FK_AF_INET;
	memcpy(tup + 1, sip, 4);
	memcpy(tup + 5, &sport, 2);
	memcpy(tup + 7, dip, 4);
	memcpy(tup + 11, &dport, 2);
	rt_event_builder_begin(&b, FK_EVENT_CONNECT, TS + 1000, tid, tid, 0);
	add_fd(&b, 0);
	rt_event_builder_add(&b, tup, sizeof(tup));
	add_fd(&b, fd);
	rt_event_builder_add_empty(&b);
	feed();
}

static const struct fcase net_cases[] = {
    {"fd.name", "10.0.0.5:40000->93.184.216.34:443"},
    {"fd.type", "ipv4"},
    {"fd.typechar", "4"},
    {"fd.cip", "10.0.0.5"},
    {"fd.sip", "93.184.216.34"},
    {"fd.lip", "10.0.0.5"},
    {"fd.rip", "93.184.216.34"},
    {"fd.cport", "40000"},
    {"fd.sport", "443"},
    {"fd.lport", "40000"},
    {"fd.rport", "443"},
    {"fd.sproto", "https"},
    {"fd.l4proto", "tcp"},
    {"fd.sockfamily", "ip"},
    {"fd.is_server", "false"},
    {"fd.connected", "true"},
    {"fd.directory", "<NA>"},
    {"evt.type", "connect"},
    {"evt.arg.tuple", "10.0.0.5:40000->93.184.216.34:443"},
    {"evt.arg.fd", "<4>10.0.0.5:40000->93.184.216.34:443"},
    {"evt.deltatime", "1000"},
    {"evt.reltime", "1000"},
    {"evt.category", "net"},
};

START_TEST(net_fields)
{
	const uint8_t s[4] = {10, 0, 0, 5}, d[4] = {93, 184, 216, 34};
	ev_socket_connect(200, 4, s, 40000, d, 443);
	ck_assert_str_eq(x(net_cases[_i].field), net_cases[_i].want);
	post();
}
END_TEST

/* ---- file system paths ---- */

START_TEST(fs_path_rename)
{
	rt_event_builder_begin(&b, FK_EVENT_RENAMEAT, TS, 200, 200, 0);
	rt_event_builder_add_u64(&b, 0, 8);
	add_fd(&b, -100);
	rt_event_builder_add_str(&b, "a.txt");
	add_fd(&b, -100);
	rt_event_builder_add_str(&b, "../etc/b.txt");
	feed();
	ck_assert_str_eq(x("fs.path.source"), "/tmp/a.txt");
	ck_assert_str_eq(x("fs.path.sourceraw"), "a.txt");
	ck_assert_str_eq(x("fs.path.target"), "/etc/b.txt");
	ck_assert_str_eq(x("fs.path.targetraw"), "../etc/b.txt");
	ck_assert_str_eq(x("fs.path.name"), "<NA>");
	ck_assert_str_eq(x("evt.abspath.src"), "/tmp/a.txt");
	ck_assert_str_eq(x("evt.abspath.dst"), "/etc/b.txt");
	ck_assert_str_eq(x("evt.arg.oldpath"), "/tmp/a.txt");
	post();
}
END_TEST

START_TEST(fs_path_unlink_and_symlink)
{
	rt_event_builder_begin(&b, FK_EVENT_UNLINK, TS, 200, 200, 0);
	rt_event_builder_add_u64(&b, 0, 8);
	rt_event_builder_add_str(&b, "x/./y");
	feed();
	ck_assert_str_eq(x("fs.path.name"), "/tmp/x/y");
	ck_assert_str_eq(x("fs.path.nameraw"), "x/./y");
	post();
	rt_event_builder_begin(&b, FK_EVENT_SYMLINK, TS, 200, 200, 0);
	rt_event_builder_add_u64(&b, 0, 8);
	rt_event_builder_add_str(&b, "../target");
	rt_event_builder_add_str(&b, "/tmp/link");
	feed();
	ck_assert_str_eq(x("fs.path.source"), "../target");
	ck_assert_str_eq(x("fs.path.target"), "/tmp/link");
	post();
}
END_TEST

/* ---- buffers and syslog ---- */

START_TEST(buffer_and_syslog)
{
	ev_openat(200, 7, "/dev/log", 2);
	post();
	static const char msg[] = "<38>sshd: Accepted\n";
	rt_event_builder_begin(&b, FK_EVENT_WRITE, TS, 200, 200, (int64_t)sizeof(msg) - 1);
	rt_event_builder_add_u64(&b, sizeof(msg) - 1, 8);
	rt_event_builder_add(&b, msg, sizeof(msg) - 1);
	add_fd(&b, 7);
	rt_event_builder_add_u64(&b, sizeof(msg) - 1, 4);
	feed();
	ck_assert_str_eq(x("evt.is_io_write"), "true");
	ck_assert_str_eq(x("evt.io_dir"), "w");
	ck_assert_str_eq(x("evt.buffer"), "<38>sshd: Accepted.");
	ck_assert_str_eq(x("evt.buflen"), "19");
	ck_assert_str_eq(x("evt.is_syslog"), "true");
	ck_assert_str_eq(x("syslog.facility"), "4");
	ck_assert_str_eq(x("syslog.facility.str"), "auth");
	ck_assert_str_eq(x("syslog.severity.str"), "info");
	ck_assert_str_eq(x("syslog.message"), "sshd: Accepted\n");
	post();
}
END_TEST

START_TEST(transformers)
{
	add_thread(400, 100, "curl", "curl", "/usr/bin/curl", "-o\0/tmp/x\0--data=Zm9vYmFy\0", 26,
	           "/", 1000, 1000);
	ev_openat(400, 3, "/etc/Hosts", 1);
	ck_assert_str_eq(x("getopt(proc.args, \"-o\")"), "/tmp/x");
	ck_assert_str_eq(x("getopt(proc.args, \"--data\")"), "Zm9vYmFy");
	ck_assert_str_eq(x("b64(getopt(proc.args, \"--data\"))"), "foobar");
	ck_assert_str_eq(x("tolower(fd.name)"), "/etc/hosts");
	ck_assert_str_eq(x("len(fd.name)"), "10");
	ck_assert_str_eq(x("len(proc.aname)"), "2");
	ck_assert_str_eq(x("toupper(proc.aname)"), "(BASH,SYSTEMD)");
	post();
}
END_TEST

START_TEST(cache_is_per_event)
{
	ev_openat(200, 3, "/etc/passwd", 1);
	const struct fc_expr *e = field_expr("fd.name");
	struct rt_value v;
	rt_extract(&ctx, e, &v);
	ck_assert_str_eq(rt_value_format(&ctx, e, &v), "/etc/passwd");
	post();
	ev_openat(200, 5, "/etc/group", 1);
	rt_extract(&ctx, e, &v);
	ck_assert_str_eq(rt_value_format(&ctx, e, &v), "/etc/group");
	post();
}
END_TEST

Suite *rt_extract_suite(void)
{
	Suite *s = suite_create("rt_extract");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, open_fields, 0, sizeof(open_cases) / sizeof(open_cases[0]));
	tcase_add_test(tc, open_time_fields_local);
	tcase_add_test(tc, open_failed);
	tcase_add_test(tc, unknown_user_fallbacks);
	tcase_add_test(tc, root_process_fields);
	tcase_add_test(tc, env_and_caps);
	tcase_add_loop_test(tc, net_fields, 0, sizeof(net_cases) / sizeof(net_cases[0]));
	tcase_add_test(tc, fs_path_rename);
	tcase_add_test(tc, fs_path_unlink_and_symlink);
	tcase_add_test(tc, buffer_and_syslog);
	tcase_add_test(tc, transformers);
	tcase_add_test(tc, cache_is_per_event);
	suite_add_tcase(s, tc);
	return s;
}
