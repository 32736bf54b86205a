/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_eval.c - the reference interpreter (runtime/rt_eval.c): every operator with its
 * edge cases on hand-built events, operators other than in/intersects on list-valued fields
 * (k8s audit events: any element passes; empty lists and <NA> are false), and the engine end
 * to end: rules files compiled with fc_load_files, events through rt_engine_process, alerts
 * in Falco's text and JSON. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/fc.h"
#include "compiler/fc_check.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_k8s.h"
#include "runtime/rt_state.h"
#include "tests/unit/suites.h"

#define TS 1470327477881781397ull /* 2016-08-04T16:17:57.881781397Z */

static struct fc_unit *u;
static struct rt_state *st;
static struct rt_ctx ctx;
static struct rt_event_builder b;
static struct rt_event ev;
static uint64_t evnum;

static void add_thread(int64_t tid, int64_t ptid, const char *comm, const char *exepath,
                       const char *args, size_t args_len, uint32_t uid)
{
	struct rt_thread t = {0};
	t.tid = t.pid = tid;
	t.ptid = ptid;
	t.vtid = t.vpid = -1;
	t.sid = t.pgid = tid;
	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	t.exe = (char *)comm;
	t.exepath = (char *)exepath;
	t.args = (char *)args;
	t.args_len = args_len;
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
	add_thread(1, 0, "systemd", "/usr/lib/systemd/systemd", "", 0, 0);
	add_thread(100, 1, "bash", "/usr/bin/bash", "", 0, 1000);
	add_thread(200, 100, "cat", "/usr/bin/cat", "/etc/passwd\0-n\0", 15, 1000);
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

static void add_fd(int64_t fd)
{
	rt_event_builder_add_u64(&b, (uint64_t)fd, 8);
}

static void begin_openat(uint32_t tid, int64_t res, const char *name, uint32_t flags)
{
	rt_event_builder_begin(&b, FK_EVENT_OPENAT, TS, tid, tid, res);
	add_fd(res);
	add_fd(-100);
	rt_event_builder_add_str(&b, name);
	rt_event_builder_add_u64(&b, flags, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, UINT64_MAX, 8);
	feed();
}

static bool ev_cond(const char *text)
{
	struct fc_node *n = fc_parse_condition(u, text);
	ck_assert_msg(n != NULL, "parse: %s", text);
	struct fc_check_result r = fc_check_condition(u, n, FC_SRC_SYSCALL, false);
	ck_assert_msg(r.errors == 0, "check %s: %s", text, fc_diag_first(u));
	return rt_eval(&ctx, n);
}

struct ecase {
	const char *cond;
	bool want;
};

/* ---- strings, numbers, booleans, lists, on an open of /etc/passwd by cat ---- */

static const struct ecase open_cases[] = {
    {"proc.name = cat", true},
    {"proc.name == cat", true},
    {"proc.name = Cat", false},
    {"proc.name = ca", false},
    {"proc.name != bash", true},
    {"proc.name = ''", false},
    {"proc.name in (bash, cat)", true},
    {"proc.name in (a, b, c, d, e, f, cat)", true},
    {"proc.name in (a, b, c, d, e, f, ca)", false},
    {"proc.name in ()", false},
    {"proc.name intersects (cat)", true},
    {"proc.aname = systemd", true},
    {"proc.aname = bash", true},
    {"proc.aname = cat", false},
    {"proc.aname[0] = cat", true},
    {"proc.aname[2] = systemd", true},
    {"proc.aname[3] = systemd", false},
    {"proc.aname in (sshd, systemd)", true},
    {"proc.aname startswith sys", true},
    {"proc.aname != bash", true},
    {"proc.apid = 1", true},
    {"fd.name contains passwd", true},
    {"fd.name contains PASSWD", false},
    {"fd.name contains ''", true},
    {"fd.name icontains PaSsWd", true},
    {"fd.name startswith /etc/", true},
    {"fd.name startswith ''", true},
    {"fd.name endswith wd", true},
    {"fd.name endswith /etc/passwdx", false},
    {"fd.name glob '/etc/*'", true},
    {"fd.name glob '/*'", true},
    {"fd.name glob '*passwd'", true},
    {"fd.name glob '/etc/passw?'", true},
    {"fd.name glob '/etc/[op]asswd'", true},
    {"fd.name glob '/ETC/*'", false},
    {"fd.name iglob '/ETC/PASS*'", true},
    {"fd.name regex 'pass'", false},
    {"fd.name regex '/etc/pass.*'", true},
    {"fd.name regex '.*passwd'", true},
    {"fd.name regex '.*pass'", false},
    {"fd.name regex '/etc/(passwd|shadow)'", true},
    {"fd.name pmatch (/etc)", true},
    {"fd.name pmatch (/etc/)", true},
    {"fd.name pmatch (/et)", false},
    {"fd.name pmatch (/etc/passwd)", true},
    {"fd.name pmatch (/etc/passwd/x)", false},
    {"fd.name pmatch (/usr, /)", true},
    {"fd.name pmatch (/usr, /var/lib)", false},
    {"fd.directory = /etc", true},
    {"fd.filename in (passwd, shadow)", true},
    {"proc.pid = 200", true},
    {"proc.pid = 0xc8", true},
    {"proc.pid != 200", false},
    {"proc.pid > 199", true},
    {"proc.pid >= 200", true},
    {"proc.pid < 200", false},
    {"proc.pid <= 200", true},
    {"proc.pid > -1", true},
    {"proc.pid in (1, 200)", true},
    {"proc.pid in (1, 2)", false},
    {"user.uid = 1000", true},
    {"user.uid < 1000", false},
    {"user.loginuid = -1", true},
    {"user.loginuid < 0", true},
    {"evt.rawres >= 0", true},
    {"evt.rawres > -9223372036854775808", true},
    {"evt.rawarg.ino = 18446744073709551615", true},
    {"evt.rawarg.ino > 0", true},
    {"evt.rawarg.flags = 4097", true},
    {"evt.rawarg.fd < 10", true},
    {"evt.arg.flags contains O_CLOEXEC", true},
    {"evt.arg.flags = O_RDONLY", false},
    {"evt.arg[2] = /etc/passwd", true},
    {"evt.is_open_read = true", true},
    {"evt.is_open_read != false", true},
    {"evt.failed = false", true},
    {"evt.failed = true", false},
    {"evt.type = openat", true},
    {"evt.type = open", false},
    {"evt.type in (open, openat)", true},
    {"evt.type != open", true},
    {"evt.dir = <", true},
    {"proc.pname exists", true},
    {"fd.sip exists", false},
    {"container.image exists", false},
    {"container.id = host", true},
    {"not fd.sip = 1.2.3.4", true},
    {"fd.sip != 1.2.3.4", false},
    {"fd.sip = 1.2.3.4 or proc.name = cat", true},
    {"proc.name = cat and not proc.pname = bash", false},
    {"proc.name startswith oneof (ca, ba)", true},
    {"proc.name startswith anyof (xy, ba)", false},
    {"proc.name startswith allof (c, ca)", true},
    {"proc.name startswith allof (c, ba)", false},
    {"fd.name contains allof (etc, pass)", true},
    {"proc.name = oneof (bash, cat)", true},
    {"tolower(proc.name) = cat", true},
    {"toupper(proc.name) = CAT", true},
    {"basename(proc.exepath) = cat", true},
    {"len(fd.name) = 11", true},
    {"len(proc.aname) = 2", true},
    {"proc.name = val(proc.name)", true},
    {"proc.pname = val(proc.name)", false},
    {"proc.aname[1] = val(proc.pname)", true},
    {"proc.ppid = val(proc.apid[1])", true},
    {"concat(proc.name, proc.pid) = cat200", true},
    {"fd.name = concat('/etc/', 'passwd')", true},
};

START_TEST(operators_on_open)
{
	begin_openat(200, 3, "/etc/passwd", 4097);
	ck_assert_msg(ev_cond(open_cases[_i].cond) == open_cases[_i].want, "%s should be %s",
	              open_cases[_i].cond, open_cases[_i].want ? "true" : "false");
	post();
}
END_TEST

/* A missing value makes every comparison false, '!=' included. */
static const struct ecase missing_cases[] = {
    {"proc.pname = bash", false},
    {"proc.pname != bash", false},
    {"not proc.pname = bash", true},
    {"not proc.pname != bash", true},
    {"proc.pname in (bash)", false},
    {"proc.pname contains a", false},
    {"proc.pname exists", false},
    {"not proc.pname exists", true},
    {"proc.aname = systemd", false},
    {"proc.ppid = 0", true},
    {"proc.args = ''", true},
    {"proc.args != ''", false},
    {"proc.args contains ''", true},
    {"proc.pname = val(proc.name)", false},
    {"proc.name = val(proc.pname)", false},
};

START_TEST(missing_values)
{
	begin_openat(1, 3, "/run/x", 1);
	ck_assert_msg(ev_cond(missing_cases[_i].cond) == missing_cases[_i].want, "%s should be %s",
	              missing_cases[_i].cond, missing_cases[_i].want ? "true" : "false");
	post();
}
END_TEST

/* ---- addresses ---- */

static void connect4(void)
{
	rt_event_builder_begin(&b, FK_EVENT_SOCKET, TS, 200, 200, 4);
	add_fd(4);
	rt_event_builder_add_u64(&b, 2, 4);
	rt_event_builder_add_u64(&b, 1, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	feed();
	post();
	uint8_t tup[13] = {FK_AF_INET, 10, 0, 0, 5, 0, 0, 93, 184, 216, 34, 0, 0};
	uint16_t sp = 40000, dp = 443;
	memcpy(tup + 5, &sp, 2);
	memcpy(tup + 11, &dp, 2);
	rt_event_builder_begin(&b, FK_EVENT_CONNECT, TS, 200, 200, 0);
	add_fd(0);
	rt_event_builder_add(&b, tup, sizeof(tup));
	add_fd(4);
	rt_event_builder_add_empty(&b);
	feed();
}

static const struct ecase ip4_cases[] = {
    {"fd.sip = 93.184.216.34", true},
    {"fd.sip = 93.184.216.35", false},
    {"fd.sip = 93.184.216.0/24", true},
    {"fd.sip = 93.184.217.0/24", false},
    {"fd.sip = 0.0.0.0/0", true},
    {"fd.sip != 93.184.216.34", false},
    {"fd.sip in (1.1.1.1, 93.184.0.0/16)", true},
    {"fd.sip = ::1", false},
    {"fd.sip = ::/0", false},
    {"fd.cip = 10.0.0.5", true},
    {"fd.rip = 93.184.216.34", true},
    {"fd.lip = 10.0.0.5", true},
    {"fd.ip = 10.0.0.5", true},
    {"fd.ip = 93.184.216.34", true},
    {"fd.ip = 8.8.8.8", false},
    {"fd.net = 10.0.0.0/8", true},
    {"fd.net = 93.0.0.0/8", true},
    {"fd.net = 192.168.0.0/16", false},
    {"fd.snet = 10.0.0.0/8", false},
    {"fd.cnet = 10.0.0.0/8", true},
    {"fd.rnet = 93.184.216.0/23", true},
    {"fd.snet in (10.0.0.0/8, 93.184.216.0/24)", true},
    {"fd.sport = 443", true},
    {"fd.sport in (80, 443)", true},
    {"fd.port = 40000", true},
    {"fd.port = 443", true},
    {"fd.port = 22", false},
    {"fd.cport > 1024", true},
    {"fd.l4proto = tcp", true},
    {"fd.sproto = https", true},
    {"fd.typechar = 4", true},
    {"fd.name = 10.0.0.5:40000->93.184.216.34:443", true},
};

START_TEST(ipv4_operators)
{
	connect4();
	ck_assert_msg(ev_cond(ip4_cases[_i].cond) == ip4_cases[_i].want, "%s should be %s",
	              ip4_cases[_i].cond, ip4_cases[_i].want ? "true" : "false");
	post();
}
END_TEST

START_TEST(ipv6_operators)
{
	rt_event_builder_begin(&b, FK_EVENT_SOCKET, TS, 200, 200, 5);
	add_fd(5);
	rt_event_builder_add_u64(&b, 10, 4);
	rt_event_builder_add_u64(&b, 1, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	feed();
	post();
	uint8_t tup[37] = {FK_AF_INET6};
	uint8_t src[16] = {0xfe, 0x80, [15] = 1};
	uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
	uint16_t sp = 50000, dp = 22;
	memcpy(tup + 1, src, 16);
	memcpy(tup + 17, &sp, 2);
	memcpy(tup + 19, dst, 16);
	memcpy(tup + 35, &dp, 2);
	rt_event_builder_begin(&b, FK_EVENT_CONNECT, TS, 200, 200, 0);
	add_fd(0);
	rt_event_builder_add(&b, tup, sizeof(tup));
	add_fd(5);
	rt_event_builder_add_empty(&b);
	feed();
	ck_assert(ev_cond("fd.sip = 2001:db8::10"));
	ck_assert(ev_cond("fd.sip = 2001:db8::/32"));
	ck_assert(!ev_cond("fd.sip = 2001:db9::/32"));
	ck_assert(ev_cond("fd.snet = 2001:db8::/33"));
	ck_assert(ev_cond("fd.cip = fe80::1"));
	ck_assert(!ev_cond("fd.sip = 0.0.0.0/0"));
	ck_assert(ev_cond("fd.sip in (::1, 2001:db8::/48)"));
	ck_assert(ev_cond("fd.typechar = 6 and fd.sport = 22"));
	post();
}
END_TEST

/* ---- bytes: bcontains/bstartswith take hex, buffers may hold NULs ---- */

START_TEST(bytes_operators)
{
	begin_openat(200, 7, "/tmp/out", 2);
	post();
	static const char data[] = {'a', '\0', 'b', 's', 's', 'h', '\n'};
	rt_event_builder_begin(&b, FK_EVENT_WRITE, TS, 200, 200, sizeof(data));
	rt_event_builder_add_u64(&b, sizeof(data), 8);
	rt_event_builder_add(&b, data, sizeof(data));
	add_fd(7);
	rt_event_builder_add_u64(&b, sizeof(data), 4);
	feed();
	ck_assert(ev_cond("evt.buffer bcontains 610062"));
	ck_assert(ev_cond("evt.buffer bcontains 737368"));
	ck_assert(ev_cond("evt.buffer bcontains 73680A"));
	ck_assert(!ev_cond("evt.buffer bcontains 6162"));
	ck_assert(ev_cond("evt.buffer bstartswith 6100"));
	ck_assert(!ev_cond("evt.buffer bstartswith 62"));
	ck_assert(!ev_cond("evt.buffer bcontains 6")); /* odd: not hex bytes */
	ck_assert(!ev_cond("evt.buffer bcontains zz"));
	ck_assert(ev_cond("evt.buffer contains ssh")); /* past the NUL */
	ck_assert(ev_cond("evt.buffer startswith a"));
	ck_assert(ev_cond("evt.is_io_write = true and fd.name = /tmp/out"));
	post();
}
END_TEST

/* ---- the engine, end to end ---- */

static const char rules_yaml[] =
    "- list: cat_binaries\n"
    "  items: [cat]\n"
    "- macro: is_cat\n"
    "  condition: proc.name in (cat_binaries)\n"
    "- rule: open_from_cat\n"
    "  desc: cat opens a file\n"
    "  condition: evt.type=openat and is_cat\n"
    "  output: \"An open was seen (command=%proc.cmdline file=%fd.name uid=%user.uid "
    "ppid=%proc.ppid sip=%fd.sip arg=%evt.arg.nosuch q=%evt.arg.name)\"\n"
    "  priority: WARNING\n"
    "  tags: [process, filesystem]\n"
    "- rule: etc_open\n"
    "  desc: anything opens in /etc\n"
    "  condition: evt.type in (open, openat) and fd.name pmatch (/etc)\n"
    "  output: second %fd.name\n"
    "  priority: NOTICE\n"
    "- rule: debug_open\n"
    "  desc: every openat\n"
    "  condition: evt.type = openat\n"
    "  output: dbg %evt.num\n"
    "  priority: DEBUG\n"
    "- rule: exec_rule\n"
    "  desc: other event type\n"
    "  condition: evt.type = execve\n"
    "  output: never\n"
    "  priority: ERROR\n";

static const struct fc_ruleset *load_rules(const char *text)
{
	char path[] = "/tmp/test_rt_eval_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	const char *paths[] = {path};
	struct fc_ruleset *rs = fc_load_files(u, paths, 1);
	unlink(path);
	ck_assert_msg(fc_diag_count(u, FC_ERROR) == 0, "%s", fc_diag_first(u));
	return rs;
}

struct sink {
	char *buf;
	size_t len;
	FILE *f;
	unsigned n;
	enum rt_time_format tf;
	bool json;
	const char *names[8];
};

static void on_alert(const struct rt_alert *a, void *user)
{
	struct sink *s = user;
	if (s->n < 8)
		s->names[s->n] = a->rule->name;
	s->n++;
	rt_alert_print(s->f, a, s->tf, s->json, NULL);
}

static unsigned run(const struct fc_ruleset *rs, const struct rt_engine_options *o, struct sink *s,
                    const char *file)
{
	struct rt_engine *e = rt_engine_new(rs, o);
	ck_assert_ptr_nonnull(e);
	s->f = open_memstream(&s->buf, &s->len);
	rt_event_builder_begin(&b, FK_EVENT_OPENAT, TS, 200, 200, 3);
	add_fd(3);
	add_fd(-100);
	rt_event_builder_add_str(&b, file);
	rt_event_builder_add_u64(&b, 4097, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, 0, 8);
	const struct fk_event_hdr *h = rt_event_builder_finish(&b);
	char err[128];
	ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
	ev.num = 1;
	unsigned n = rt_engine_process(e, st, &ev, on_alert, s);
	fclose(s->f);
	rt_engine_free(e);
	return n;
}

START_TEST(engine_first_match_json)
{
	const struct fc_ruleset *rs = load_rules(rules_yaml);
	struct rt_engine_options o = {.match = RT_MATCH_FIRST, .min_priority = FC_PRIO_DEBUG};
	struct sink s = {.tf = RT_TIME_ISO8601, .json = true};
	ck_assert_uint_eq(run(rs, &o, &s, "/etc/passwd"), 1);
	ck_assert_str_eq(
	    s.buf, "{\"hostname\":\"test-host\",\"output\":\"2016-08-04T16:17:57.881781397+0000: "
	           "Warning An open was seen (command=cat /etc/passwd -n file=/etc/passwd uid=1000 "
	           "ppid=100 sip=<NA> arg=<NA> q=/etc/passwd)\",\"priority\":\"Warning\",\"rule\":"
	           "\"open_from_cat\",\"source\":\"syscall\",\"tags\":[\"filesystem\",\"process\"],"
	           "\"time\":\"2016-08-04T16:17:57.881781397Z\", \"output_fields\": "
	           "{\"evt.arg.name\":\"/etc/passwd\",\"evt.arg.nosuch\":\"<NA>\","
	           "\"evt.time.iso8601\":1470327477881781397,\"fd.name\":\"/etc/passwd\","
	           "\"fd.sip\":null,\"proc.cmdline\":\"cat /etc/passwd -n\",\"proc.ppid\":100,"
	           "\"user.uid\":1000}}\n");
	free(s.buf);
}
END_TEST

START_TEST(engine_all_text_and_options)
{
	const struct fc_ruleset *rs = load_rules(rules_yaml);
	struct rt_engine_options o = {.match = RT_MATCH_ALL, .min_priority = FC_PRIO_DEBUG};
	struct sink s = {.tf = RT_TIME_UTC};
	ck_assert_uint_eq(run(rs, &o, &s, "/etc/passwd"), 3);
	ck_assert_str_eq(s.names[0], "open_from_cat");
	ck_assert_str_eq(s.names[1], "etc_open");
	ck_assert_str_eq(s.names[2], "debug_open");
	ck_assert_str_eq(s.buf,
	                 "16:17:57.881781397: Warning An open was seen (command=cat /etc/passwd -n "
	                 "file=/etc/passwd uid=1000 ppid=100 sip=<NA> arg=<NA> q=/etc/passwd)\n"
	                 "16:17:57.881781397: Notice second /etc/passwd\n"
	                 "16:17:57.881781397: Debug dbg 1\n");
	free(s.buf);

	o.min_priority = FC_PRIO_NOTICE;
	memset(&s, 0, sizeof(s));
	s.tf = RT_TIME_UTC;
	ck_assert_uint_eq(run(rs, &o, &s, "/etc/passwd"), 2);
	free(s.buf);

	const char *tags[] = {"process", NULL};
	o.disabled_tags = tags;
	memset(&s, 0, sizeof(s));
	ck_assert_uint_eq(run(rs, &o, &s, "/etc/passwd"), 1);
	ck_assert_str_eq(s.names[0], "etc_open");
	free(s.buf);

	const char *only[] = {"debug", "exec_*", NULL};
	o.disabled_tags = NULL;
	o.min_priority = FC_PRIO_DEBUG;
	o.enabled_rules = only;
	struct rt_engine *e = rt_engine_new(rs, &o);
	ck_assert_uint_eq(rt_engine_rule_count(e), 2);
	rt_engine_free(e);
	memset(&s, 0, sizeof(s));
	ck_assert_uint_eq(run(rs, &o, &s, "/tmp/x"), 1);
	ck_assert_str_eq(s.names[0], "debug_open");
	free(s.buf);
}
END_TEST

START_TEST(engine_json_escapes)
{
	const struct fc_ruleset *rs = load_rules(rules_yaml);
	struct rt_engine_options o = {.match = RT_MATCH_FIRST, .min_priority = FC_PRIO_DEBUG};
	struct sink s = {.tf = RT_TIME_ISO8601, .json = true};
	ck_assert_uint_eq(run(rs, &o, &s, "/tmp/a\"b\\c\td"), 1);
	ck_assert_ptr_nonnull(strstr(s.buf, "\"fd.name\":\"/tmp/a\\\"b\\\\c\\td\""));
	free(s.buf);
}
END_TEST

/* Falco 0.34.1's own regression output for the cat_write trace, first alert. */
START_TEST(engine_matches_falco_0_34_output)
{
	char rules[1024], expect[1024];
	snprintf(rules, sizeof(rules),
	         "%s/falcosecurity-falco/test-0.34.1/rules/"
	         "single_rule_with_tags.yaml",
	         FC_COMPAT_DIR);
	snprintf(expect, sizeof(expect),
	         "%s/falcosecurity-falco/test-0.34.1/output_files/"
	         "single_rule_with_cat_write.json",
	         FC_COMPAT_DIR);
	FILE *ef = fopen(expect, "r");
	if (!ef || access(rules, R_OK) != 0) {
		if (ef)
			fclose(ef);
		return; /* compat data not checked out */
	}
	char line[4096];
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), ef));
	fclose(ef);
	const char *paths[] = {rules};
	struct fc_ruleset *rs = fc_load_files(u, paths, 1);
	ck_assert_int_eq(fc_diag_count(u, FC_ERROR), 0);
	rt_state_set_hostname(st, "test-falco-hostname");
	add_thread(900, 100, "cat", "/bin/cat", "/dev/null\0", 10, 0);
	struct rt_engine *e = rt_engine_new(rs, NULL);
	rt_event_builder_begin(&b, FK_EVENT_OPEN, TS, 900, 900, 3);
	add_fd(3);
	rt_event_builder_add_str(&b, "/dev/null");
	rt_event_builder_add_u64(&b, 1, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, 0, 4);
	rt_event_builder_add_u64(&b, 0, 8);
	const struct fk_event_hdr *h = rt_event_builder_finish(&b);
	char err[128];
	ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
	struct sink s = {.tf = RT_TIME_ISO8601, .json = true};
	s.f = open_memstream(&s.buf, &s.len);
	ck_assert_uint_eq(rt_engine_process(e, st, &ev, on_alert, &s), 1);
	fclose(s.f);
	ck_assert_str_eq(s.buf, line);
	free(s.buf);
	rt_engine_free(e);
}
END_TEST

/* Every upstream syscall rule evaluates on a few events without tripping the sanitizers. */
START_TEST(engine_upstream_rules_smoke)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/falcosecurity-rules/rules/falco_rules.yaml",
	         FC_COMPAT_DIR);
	if (access(path, R_OK) != 0)
		return;
	const char *paths[] = {path};
	struct fc_ruleset *rs = fc_load_files(u, paths, 1);
	ck_assert_int_eq(fc_diag_count(u, FC_ERROR), 0);
	struct rt_engine_options o = {.match = RT_MATCH_ALL, .min_priority = FC_PRIO_DEBUG};
	struct rt_engine *e = rt_engine_new(rs, &o);
	ck_assert_uint_gt(rt_engine_rule_count(e), 10);
	struct sink s = {.tf = RT_TIME_ISO8601, .json = true};
	s.f = open_memstream(&s.buf, &s.len);
	static const char *const files[] = {"/etc/shadow", "/root/.ssh/id_rsa", "/bin/evil",
	                                    "/proc/self/mem", "/dev/mem"};
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		rt_event_builder_begin(&b, FK_EVENT_OPENAT, TS + i, 200, 200, 3 + i);
		add_fd(3 + i);
		add_fd(-100);
		rt_event_builder_add_str(&b, files[i]);
		rt_event_builder_add_u64(&b, i % 2 ? 2 | 4 : 1, 4);
		rt_event_builder_add_u64(&b, 0755, 4);
		rt_event_builder_add_u64(&b, 0, 4);
		rt_event_builder_add_u64(&b, 0, 8);
		const struct fk_event_hdr *h = rt_event_builder_finish(&b);
		char err[128];
		ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
		ev.num = i + 1;
		rt_engine_process(e, st, &ev, on_alert, &s);
	}
	fclose(s.f);
	ck_assert_uint_gt(s.n, 0); /* reading /etc/shadow is a sensitive file read */
	free(s.buf);
	rt_engine_free(e);
}
END_TEST

/* ---- list-valued fields with operators other than in/intersects/exists ---- */

/* A ClusterRole of two rules: resources (pods/exec, pods) then (secrets); one with an empty
 * resources list; a pod, which has no role rules (<NA>). */
static const char *const LIST_EVENTS[] = {
    "{\"kind\":\"Event\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"clusterroles\"},"
    "\"requestObject\":{\"kind\":\"ClusterRole\",\"rules\":["
    "{\"resources\":[\"pods/exec\",\"pods\"],\"verbs\":[\"create\",\"get\"]},"
    "{\"resources\":[\"secrets\"],\"verbs\":[\"list\"]}]},"
    "\"stageTimestamp\":\"2018-10-25T14:09:13Z\"}",
    "{\"kind\":\"Event\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"roles\"},"
    "\"requestObject\":{\"kind\":\"Role\",\"rules\":[{\"resources\":[],\"verbs\":[]}]},"
    "\"stageTimestamp\":\"2018-10-25T14:09:13Z\"}",
    "{\"kind\":\"Event\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"pods\"},"
    "\"requestObject\":{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"image\":\"nginx\"}]}},"
    "\"stageTimestamp\":\"2018-10-25T14:09:13Z\"}",
};

struct lcase {
	int ev; /* index in LIST_EVENTS */
	const char *cond;
	bool want;
};

static const struct lcase list_cases[] = {
    /* any element passes; not the first element, not the list rendered as "(a,b,c)" */
    {0, "ka.req.role.rules.resources contains pods/exec", true},
    {0, "ka.req.role.rules.resources contains exec", true},
    {0, "ka.req.role.rules.resources contains secret", true},
    {0, "ka.req.role.rules.resources contains pods/exec2", false},
    {0, "ka.req.role.rules.resources contains 'exec,pods'", false},
    {0, "ka.req.role.rules.resources contains '('", false},
    {0, "ka.req.role.rules.resources contains ''", true},
    {0, "ka.req.role.rules.resources = pods", true},
    {0, "ka.req.role.rules.resources == secrets", true},
    {0, "ka.req.role.rules.resources = pod", false},
    {0, "ka.req.role.rules.resources = '(pods/exec,pods,secrets)'", false},
    {0, "ka.req.role.rules.resources = 'pods/exec,pods,secrets'", false},
    {0, "ka.req.role.rules.resources != pods", true}, /* secrets differs */
    {0, "ka.req.role.rules.resources[1] != secrets", false},
    {0, "ka.req.role.rules.resources startswith secr", true},
    {0, "ka.req.role.rules.resources startswith exec", false},
    {0, "ka.req.role.rules.resources endswith /exec", true},
    {0, "ka.req.role.rules.resources endswith pod", false},
    {0, "ka.req.role.rules.resources icontains SECRET", true},
    {0, "ka.req.role.rules.resources glob 'pods/*'", true},
    {0, "ka.req.role.rules.resources glob 'deploy*'", false},
    {0, "ka.req.role.rules.resources iglob 'SEC*'", true},
    {0, "ka.req.role.rules.resources regex 'sec.*'", true},
    {0, "ka.req.role.rules.resources regex 'pods/.*,pods'", false},
    {0, "ka.req.role.rules.resources pmatch (pods)", true},
    {0, "ka.req.role.rules.resources pmatch (deployments)", false},
    {0, "ka.req.role.rules.resources > r", true},
    {0, "ka.req.role.rules.resources < a", false},
    {0, "ka.req.role.rules.resources startswith oneof (x, sec)", true},
    {0, "ka.req.role.rules.resources startswith allof (p, pods/)", true},
    {0, "ka.req.role.rules.resources startswith allof (p, s)", false},
    {0, "ka.req.role.rules.resources[0] contains secret", false},
    {0, "ka.req.role.rules.resources[1] contains secret", true},
    {0, "ka.req.role.rules.verbs = list", true},
    {0, "toupper(ka.req.role.rules.resources) contains SECRETS", true},
    {0, "not ka.req.role.rules.resources contains deployments", true},
    {0, "not ka.req.role.rules.resources contains pods/exec", false},
    /* in/intersects keep their meanings next to them */
    {0, "ka.req.role.rules.resources intersects (pods/exec)", true},
    {0, "ka.req.role.rules.resources in (pods/exec)", false},
    /* an empty list is false whatever the operator, as in libsinsp (nothing extracted) */
    {1, "ka.req.role.rules.resources contains ''", false},
    {1, "ka.req.role.rules.resources != x", false},
    {1, "ka.req.role.rules.resources startswith ''", false},
    {1, "not ka.req.role.rules.resources contains ''", true},
    {1, "ka.req.role.rules.resources exists", false},
    /* <NA>: false, '!=' included; `not` makes it true */
    {2, "ka.req.role.rules.resources contains pods/exec", false},
    {2, "ka.req.role.rules.resources != x", false},
    {2, "ka.req.role.rules.resources = ''", false},
    {2, "not ka.req.role.rules.resources contains pods/exec", true},
    {2, "ka.req.pod.containers.image contains ngin", true},
    {2, "ka.req.pod.containers.image != nginx", false},
};

START_TEST(list_field_operators)
{
	const struct lcase *k = &list_cases[_i];
	size_t n = strlen(LIST_EVENTS[k->ev]);
	char *text = malloc(n + 1);
	memcpy(text, LIST_EVENTS[k->ev], n + 1);
	FILE *f = fmemopen(text, n, "r");
	ck_assert_ptr_nonnull(f);
	struct rt_k8s_options o = {0};
	struct rt_k8s_reader *rd = rt_k8s_reader_new(f, "ev.json", &o);
	const struct rt_k8s_event *kev = NULL;
	char err[256];
	ck_assert_int_eq(rt_k8s_reader_next(rd, &kev, err, sizeof(err)), 1);
	rt_ctx_begin(&ctx, (struct rt_event *)&kev->ev);
	ctx.k8s = kev;

	struct fc_node *c = fc_parse_condition(u, k->cond);
	ck_assert_msg(c != NULL, "parse: %s", k->cond);
	struct fc_check_result r = fc_check_condition(u, c, FC_SRC_K8S_AUDIT, false);
	ck_assert_msg(r.errors == 0, "check %s: %s", k->cond, fc_diag_first(u));
	ck_assert_msg(rt_eval(&ctx, c) == k->want, "event %d: %s should be %s", k->ev, k->cond,
	              k->want ? "true" : "false");
	rt_k8s_reader_close(rd);
	free(text);
}
END_TEST

/* The checker: such an operator loads with one LOAD_COMPILE_CONDITION warning; in,
 * intersects and exists load silently; bcontains stays an error, as on any string. */
START_TEST(list_field_operators_checked)
{
	struct fc_node *c = fc_parse_condition(u, "ka.req.role.rules.resources contains pods/exec");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(fc_check_condition(u, c, FC_SRC_K8S_AUDIT, false).errors, 0);
	ck_assert_uint_eq(fc_diag_count(u, FC_WARNING), 1);
	const struct fc_diag *d = fc_diag_list(u);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->id, "LOAD_COMPILE_CONDITION");
	ck_assert_int_eq(d->code, FC_LOAD_COMPILE_CONDITION);
	static const char *const quiet[] = {"ka.user.groups in (a)", "ka.user.groups intersects (a)",
	                                    "ka.user.groups exists", "fd.types intersects (file)"};
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		c = fc_parse_condition(u, quiet[i]);
		ck_assert_ptr_nonnull(c);
		int src = strncmp(quiet[i], "fd.", 3) == 0 ? FC_SRC_SYSCALL : FC_SRC_K8S_AUDIT;
		ck_assert_int_eq(fc_check_condition(u, c, src, false).errors, 0);
	}
	ck_assert_uint_eq(fc_diag_count(u, FC_WARNING), 1);
	c = fc_parse_condition(u, "fd.types startswith f");
	ck_assert_int_eq(fc_check_condition(u, c, FC_SRC_SYSCALL, false).errors, 0);
	ck_assert_uint_eq(fc_diag_count(u, FC_WARNING), 2);
	c = fc_parse_condition(u, "ka.user.groups bcontains 6162");
	ck_assert_int_eq(fc_check_condition(u, c, FC_SRC_K8S_AUDIT, false).errors, 1);
}
END_TEST

Suite *rt_eval_suite(void)
{
	Suite *s = suite_create("rt_eval");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, operators_on_open, 0, sizeof(open_cases) / sizeof(open_cases[0]));
	tcase_add_loop_test(tc, missing_values, 0,
	                    sizeof(missing_cases) / sizeof(missing_cases[0]));
	tcase_add_loop_test(tc, ipv4_operators, 0, sizeof(ip4_cases) / sizeof(ip4_cases[0]));
	tcase_add_test(tc, ipv6_operators);
	tcase_add_test(tc, bytes_operators);
	tcase_add_loop_test(tc, list_field_operators, 0,
	                    sizeof(list_cases) / sizeof(list_cases[0]));
	tcase_add_test(tc, list_field_operators_checked);
	tcase_add_test(tc, engine_first_match_json);
	tcase_add_test(tc, engine_all_text_and_options);
	tcase_add_test(tc, engine_json_escapes);
	tcase_add_test(tc, engine_matches_falco_0_34_output);
	tcase_add_test(tc, engine_upstream_rules_smoke);
	suite_add_tcase(s, tc);
	return s;
}
