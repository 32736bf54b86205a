/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_badinput.c - hostile events through the whole runtime path: rt_event_decode, then
 * state and the interpreter through rt_engine_process, with a rule whose output names the
 * fields an attacker-shaped event can leave unknown. Records the decoder must refuse are
 * checked for their exact message; records it accepts must give sane state and <NA> where a
 * value is unknown, never a crash (the sanitizer build turns UB into failures). The fuzzers
 * (tests/fuzz/fuzz_event.c, fuzz_replay.c) look for what these tables do not name. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/fc.h"
#include "compiler/fc_rules.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"
#include "tests/unit/suites.h"

#define TS 1700000000000000000ull

/* One rule that fires on every event and prints what state resolved. */
static const char rules_yaml[] =
    "- rule: all\n"
    "  desc: every event\n"
    "  condition: evt.num > 0\n"
    "  output: \"%evt.type|%proc.name|%proc.pid|%proc.ppid|%proc.pname|%proc.exepath|"
    "%proc.cmdline|%user.name|%fd.num|%fd.name|%fd.typechar|%fd.sip|%fd.sport|"
    "%container.id|%evt.res|%evt.rawres|%proc.loginshellid|%proc.aname\"\n"
    "  priority: DEBUG\n";

static struct fc_unit *u;
static struct rt_engine *eng;
static struct rt_state *st;
static struct rt_event_builder bld;
static struct rt_event ev;
static uint64_t evnum;
static char out[4096]; /* the last alert's output */
static unsigned nalerts;

static void on_alert(const struct rt_alert *a, void *user)
{
	(void)user;
	snprintf(out, sizeof(out), "%s", rt_alert_output(a));
	nalerts++;
	/* both renderings run, to a sink nobody reads */
	FILE *f = fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(f);
	rt_alert_print(f, a, RT_TIME_ISO8601, true, NULL);
	rt_alert_print(f, a, RT_TIME_UTC, false, NULL);
	fclose(f);
}

static void add_thread(int64_t tid, int64_t pid, int64_t ptid, const char *comm,
                       const char *exepath, uint32_t uid)
{
	struct rt_thread t = {0};
	t.tid = tid;
	t.pid = pid;
	t.ptid = ptid;
	t.vtid = t.vpid = -1;
	t.sid = t.pgid = pid;
	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	t.exe = (char *)comm;
	t.exepath = (char *)exepath;
	t.cwd = (char *)"/";
	t.uid = t.euid = uid;
	t.loginuid = UINT32_MAX;
	t.container_id = (char *)"host";
	ck_assert_ptr_nonnull(rt_state_add_thread(st, &t));
}

static void setup(void)
{
	u = fc_unit_new(NULL);
	ck_assert_ptr_nonnull(u);
	const struct fc_src *src = fc_src_add(u, "badinput.yaml", rules_yaml, strlen(rules_yaml));
	struct fc_ruleset *rs = fc_arena_alloc(u, sizeof(*rs));
	fc_rules_load_file(u, rs, src);
	fc_rules_resolve(u, rs);
	ck_assert_msg(fc_diag_count(u, FC_ERROR) == 0, "%s", fc_diag_first(u));
	struct rt_engine_options o = {.match = RT_MATCH_FIRST, .min_priority = FC_PRIO_DEBUG};
	eng = rt_engine_new(rs, &o);
	ck_assert_ptr_nonnull(eng);
	st = rt_state_new();
	rt_state_add_user(st, 0, 0, "root", "/root", "/bin/bash");
	rt_state_add_user(st, 1000, 1000, "alice", "/home/alice", "/bin/bash");
	add_thread(1, 1, 0, "systemd", "/usr/lib/systemd/systemd", 0);
	add_thread(100, 100, 1, "bash", "/usr/bin/bash", 1000);
	add_thread(101, 100, 1, "bash", "/usr/bin/bash", 1000); /* a second thread of 100 */
	add_thread(200, 200, 100, "cat", "/usr/bin/cat", 1000);
	struct rt_fd f = {.num = 3, .type = RT_FD_FILE, .name = (char *)"/etc/passwd"};
	ck_assert_ptr_nonnull(rt_state_add_fd(st, 200, &f));
	memset(&bld, 0, sizeof(bld));
	evnum = 0;
	nalerts = 0;
	out[0] = '\0';
}

static void teardown(void)
{
	rt_event_builder_fini(&bld);
	rt_state_free(st);
	rt_engine_free(eng);
	fc_unit_free(u);
}

/* Decodes len bytes at rec and runs them through the engine. Returns the decoder's result;
 * err gets its message. */
static int run_bytes(const void *rec, size_t len, char *err, size_t errlen)
{
	if (rt_event_decode(&ev, rec, len, err, errlen) != 0)
		return -1;
	ev.num = ++evnum;
	out[0] = '\0';
	ck_assert_uint_eq(rt_engine_process(eng, st, &ev, on_alert, NULL), 1);
	return 0;
}

/* Finishes the builder's record and runs it; it must decode. */
static const char *run(void)
{
	const struct fk_event_hdr *h = rt_event_builder_finish(&bld);
	char err[256];
	ck_assert_msg(run_bytes(h, h->len, err, sizeof(err)) == 0, "decode: %s", err);
	return out;
}

/* Field i (0-based, in the order of the rule's output) of the last alert. */
enum {
	F_TYPE,
	F_NAME,
	F_PID,
	F_PPID,
	F_PNAME,
	F_EXEPATH,
	F_CMDLINE,
	F_USER,
	F_FDNUM,
	F_FDNAME,
	F_FDTYPE,
	F_SIP,
	F_SPORT,
	F_CID,
	F_RES,
	F_RAWRES,
	F_LOGINSHELL,
	F_ANAME
};

static const char *field(unsigned i)
{
	static char f[1024];
	const char *p = out;
	for (unsigned k = 0; k < i && p; k++) {
		p = strchr(p, '|');
		if (p)
			p++;
	}
	ck_assert_msg(p != NULL, "no field %u in '%s'", i, out);
	size_t n = strcspn(p, "|");
	ck_assert_uint_lt(n, sizeof(f));
	memcpy(f, p, n);
	f[n] = '\0';
	return f;
}

static void p_s64(int64_t v)
{
	rt_event_builder_add_u64(&bld, (uint64_t)v, 8);
}

static void p_u32(uint32_t v)
{
	rt_event_builder_add_u64(&bld, v, 4);
}

/* An openat exit by tid with the given fd result and name bytes (nlen of them, as is). */
static void openat(uint32_t tid, uint32_t tgid, int64_t fd, const char *name, uint16_t nlen)
{
	rt_event_builder_begin(&bld, FK_EVENT_OPENAT, TS, tid, tgid, fd);
	p_s64(fd);
	p_s64(RT_AT_FDCWD);
	rt_event_builder_add(&bld, name, nlen);
	p_u32(RT_O_RDONLY);
	p_u32(0);
	p_u32(0);
	p_s64(0);
}

/* read(fd) returning res, and close(fd) returning res. */
static void read_ev(uint32_t tid, uint32_t tgid, int64_t fd, int64_t res)
{
	rt_event_builder_begin(&bld, FK_EVENT_READ, TS, tid, tgid, res);
	p_s64(res);
	rt_event_builder_add(&bld, "x", 1);
	p_s64(fd);
	p_u32(1);
}

static void close_ev(uint32_t tid, uint32_t tgid, int64_t fd, int64_t res)
{
	rt_event_builder_begin(&bld, FK_EVENT_CLOSE, TS, tid, tgid, res);
	p_s64(res);
	p_s64(fd);
}

/* --- records the decoder refuses, with its message ----------------------------------------- */

struct raw {
	const char *what;
	uint32_t len; /* header len field */
	uint16_t type, nparams;
	uint16_t plens[4]; /* first parameter lengths written after the header */
	size_t avail;      /* bytes handed to the decoder */
	const char *err;
};

static const struct raw rejects[] = {
    {"empty buffer", 32, 0, 0, {0}, 0, "truncated event header (0 of 32 bytes)"},
    {"truncated header", 32, 0, 0, {0}, 31, "truncated event header (31 of 32 bytes)"},
    {"zero length", 0, 0, 0, {0}, 64, "event length 0 is shorter than its header"},
    {"length < header", 31, 0, 0, {0}, 64, "event length 31 is shorter than its header"},
    {"length past data", 65, 0, 0, {0}, 64, "event length 65 is past the end of the data"},
    {"huge length",
     UINT32_MAX,
     0,
     0,
     {0},
     64,
     "event length 4294967295 is past the end of the data"},
    {"unknown type", 32, FK_EVENT_COUNT, 0, {0}, 64, "unknown event type 99"},
    {"type 65535", 32, 65535, 0, {0}, 64, "unknown event type 65535"},
    {"nparams > max", 64, FK_EVENT_OPEN, FK_MAX_PARAMS + 1, {0}, 64, "33 parameters (at most 32)"},
    {"nparams 65535", 64, FK_EVENT_OPEN, 65535, {0}, 64, "65535 parameters (at most 32)"},
    {"length table past end",
     36,
     FK_EVENT_OPEN,
     3,
     {0},
     64,
     "parameter lengths past the end of the event"},
    {"param past end",
     48,
     FK_EVENT_OPEN,
     2,
     {8, 9},
     64,
     "parameter 1 (9 bytes) runs past the end of the event"},
    {"param 65535 bytes",
     64,
     FK_EVENT_OPEN,
     1,
     {65535},
     64,
     "parameter 0 (65535 bytes) runs past the end of the event"},
};

START_TEST(decoder_rejects_with_message)
{
	const struct raw *r = &rejects[_i];
	uint64_t buf[16] = {0}; /* 128 bytes, aligned as records are */
	struct fk_event_hdr h = {.ts_ns = TS,
	                         .tid = 200,
	                         .tgid = 200,
	                         .len = r->len,
	                         .type = r->type,
	                         .nparams = r->nparams};
	memcpy(buf, &h, sizeof(h));
	memcpy((uint8_t *)buf + sizeof(h), r->plens, sizeof(r->plens));
	char err[256] = "";
	ck_assert_msg(run_bytes(buf, r->avail, err, sizeof(err)) == -1, "%s: accepted", r->what);
	ck_assert_str_eq(err, r->err);
	ck_assert_uint_eq(nalerts, 0);
}
END_TEST

/* A bare header (32 bytes, no parameters) of every type decodes and runs: every parameter of
 * the event is missing. So does every type with all its parameters present but empty. */
START_TEST(every_type_without_parameters)
{
	for (unsigned type = 0; type < FK_EVENT_COUNT; type++) {
		rt_event_builder_begin(&bld, type, TS, 200, 200, 3);
		run();
		const struct rt_event_info *info = rt_event_info(type);
		rt_event_builder_begin(&bld, type, TS, 100, 100, 3);
		for (unsigned i = 0; i < info->nparams; i++)
			rt_event_builder_add_empty(&bld);
		run();
		rt_event_builder_begin(&bld, type, TS, 101, 100, -1);
		for (unsigned i = 0; i < FK_MAX_PARAMS; i++) /* more than the type has */
			rt_event_builder_add_empty(&bld);
		run();
	}
	ck_assert_uint_eq(nalerts, 3 * FK_EVENT_COUNT);
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 1));
}
END_TEST

/* --- accepted but hostile: what the rule sees --------------------------------------------- */

START_TEST(unknown_tid_is_a_lazy_thread_with_na_fields)
{
	openat(4242, 4242, 5, "/tmp/x", 7);
	run();
	ck_assert_str_eq(field(F_PID), "4242");
	ck_assert_str_eq(field(F_PNAME), "<NA>"); /* no parent known */
	ck_assert_str_eq(field(F_FDNUM), "5");
	ck_assert_str_eq(field(F_FDNAME), "/tmp/x"); /* the open still made its fd */
	ck_assert_str_eq(field(F_ANAME), "<NA>");
	ck_assert_str_eq(field(F_LOGINSHELL), "<NA>");
	struct rt_thread *t = rt_thread_lookup(st, 4242);
	ck_assert_ptr_nonnull(t);
	ck_assert(t->lazy);
	/* a thread of a process never seen: both made up, sharing the fd table */
	read_ev(4343, 4300, 5, 5);
	run();
	ck_assert_str_eq(field(F_PID), "4300");
	ck_assert_str_eq(field(F_FDNAME), "<NA>");
	ck_assert(rt_thread_lookup(st, 4300)->lazy);
	ck_assert_ptr_eq(rt_thread_lookup(st, 4300)->fds, rt_thread_lookup(st, 4343)->fds);
	/* a thread of a known process takes the process's image */
	read_ev(205, 200, 3, 5);
	ck_assert_str_eq(run(), "read|cat|200|100|bash|/usr/bin/cat|cat|alice|3|/etc/passwd|f|"
	                        "<NA>|<NA>|host|SUCCESS|5|100|(bash,systemd)");
}
END_TEST

START_TEST(procexit_of_unknown_and_twice)
{
	rt_event_builder_begin(&bld, FK_EVENT_PROCEXIT, TS, 7777, 7777, 0);
	run();
	ck_assert_ptr_null(rt_thread_lookup(st, 7777));
	for (int i = 0; i < 2; i++) {
		rt_event_builder_begin(&bld, FK_EVENT_PROCEXIT, TS, 200, 200, 0);
		p_s64(0);
		p_s64(0);
		rt_event_builder_add_u64(&bld, 9, 1);
		rt_event_builder_add_u64(&bld, 0, 1);
		p_s64(200); /* itself as reaper */
		run();
		ck_assert_ptr_null(rt_thread_lookup(st, 200));
	}
	/* the main thread exits before its other thread: the thread stays usable */
	rt_event_builder_begin(&bld, FK_EVENT_PROCEXIT, TS, 100, 100, 0);
	run();
	read_ev(101, 100, 0, 0);
	run();
	ck_assert_str_eq(field(F_NAME), "bash");
	ck_assert_str_eq(field(F_PID), "100");
	ck_assert_str_eq(field(F_PNAME), "systemd");
}
END_TEST

/* A clone exit whose child tid is already a live thread: the tid was reused. */
START_TEST(clone_child_tid_reused)
{
	rt_event_builder_begin(&bld, FK_EVENT_CLONE, TS, 100, 100, 200);
	p_s64(200);
	rt_event_builder_add_str(&bld, "bash");
	rt_event_builder_add(&bld, "-c\0true", 8);
	run();
	struct rt_thread *c = rt_thread_lookup(st, 200);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->comm, "bash");
	ck_assert_int_eq(c->ptid, 100);
	ck_assert_ptr_null(rt_fd_lookup(c, 3)); /* cat's fds went with it; bash had none */
	/* the child's own exit: the same thread, not a second one */
	rt_event_builder_begin(&bld, FK_EVENT_CLONE, TS + 1, 200, 200, 0);
	ck_assert_str_eq(run(), "clone|bash|200|100|bash|/usr/bin/bash|bash -c true|alice|<NA>|"
	                        "<NA>|<NA>|<NA>|<NA>|host|SUCCESS|0|100|(bash,systemd)");
	/* a clone returning the caller's own tid, its process's tid, and init's */
	static const int64_t odd[] = {100, 101, 1, 0, -1, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		rt_event_builder_begin(&bld, FK_EVENT_CLONE, TS + 2 + i, 101, 100, odd[i]);
		p_s64(odd[i]);
		run();
	}
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 1));
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 101));
}
END_TEST

START_TEST(execve_with_empty_and_missing_args)
{
	rt_event_builder_begin(&bld, FK_EVENT_EXECVE, TS, 200, 200, 0);
	p_s64(0);
	rt_event_builder_add_str(&bld, ""); /* exe */
	rt_event_builder_add_empty(&bld);   /* args */
	run();
	ck_assert_str_eq(field(F_PID), "200");
	ck_assert_str_eq(field(F_PNAME), "bash");
	ck_assert_str_eq(field(F_EXEPATH), "/usr/bin/cat"); /* no exepath parameter: kept */
	rt_event_builder_begin(&bld, FK_EVENT_EXECVE, TS, 200, 200, 0);
	p_s64(0);
	rt_event_builder_add_str(&bld, "sh");
	rt_event_builder_add(&bld, "\0\0\0", 3); /* three empty arguments */
	run();
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 200));
}
END_TEST

/* Strings whose NUL is missing are not strings: never read past the parameter. */
START_TEST(strings_without_nul)
{
	openat(200, 200, 7, "/etc/shadow", 11); /* no NUL */
	run();
	ck_assert_str_eq(field(F_FDNUM), "7");
	ck_assert_str_eq(field(F_FDNAME), "<NA>");
	/* an execve whose exe, args, cwd and comm lack their NULs */
	rt_event_builder_begin(&bld, FK_EVENT_EXECVE, TS, 200, 200, 0);
	p_s64(0);
	rt_event_builder_add(&bld, "evil", 4);
	rt_event_builder_add(&bld, "-x", 2);
	p_s64(200);
	p_s64(200);
	p_s64(100);
	rt_event_builder_add(&bld, "/tmp", 4);
	rt_event_builder_add(&bld, "evilcommandname!!", 17);
	run();
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 200));
}
END_TEST

START_TEST(negative_and_huge_fds)
{
	static const int64_t fds[] = {
	    -1, -100, INT32_MIN, INT64_MIN, INT64_MAX, (int64_t)UINT32_MAX + 1, 1 << 30};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		openat(200, 200, fds[i], "/tmp/f", 7);
		run();
		read_ev(200, 200, fds[i], 0);
		run();
		close_ev(200, 200, fds[i], 0);
		run();
		rt_event_builder_begin(&bld, FK_EVENT_DUP2, TS, 200, 200, fds[i]);
		p_s64(fds[i]);
		p_s64(3);
		p_s64(fds[i]);
		run();
	}
	/* fd.num shows the fd the event names; a negative one names no fd */
	read_ev(200, 200, -1, -9);
	ck_assert_str_eq(run(), "read|cat|200|100|bash|/usr/bin/cat|cat|alice|<NA>|<NA>|<NA>|<NA>|"
	                        "<NA>|host|EBADF|-9|100|(bash,systemd)");
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_le(ss.fds, 16);
}
END_TEST

/* Socket tuples and addresses of every wrong size: the fd stays, with no address. */
START_TEST(socktuple_of_wrong_size)
{
	static const uint8_t tup[64] = {FK_AF_INET, 10, 0, 0, 1, 0x40, 0x9c, 8, 8, 8, 8, 0xbb, 1};
	static const uint8_t fams[] = {FK_AF_INET, FK_AF_INET6, FK_AF_UNIX, FK_AF_UNSPEC, 77};
	for (size_t f = 0; f < sizeof(fams); f++) {
		for (uint16_t n = 0; n <= 40; n++) {
			uint8_t b[64];
			memcpy(b, tup, sizeof(b));
			b[0] = fams[f];
			rt_event_builder_begin(&bld, FK_EVENT_CONNECT, TS, 200, 200, 0);
			p_s64(0);
			rt_event_builder_add(&bld, b, n); /* tuple */
			p_s64(4);                         /* fd */
			rt_event_builder_add(&bld, b, n); /* addr */
			run();
		}
	}
	/* an IPv4 tuple one byte short */
	rt_event_builder_begin(&bld, FK_EVENT_CONNECT, TS, 200, 200, 0);
	p_s64(0);
	rt_event_builder_add(&bld, tup, 12);
	p_s64(9);
	run();
	ck_assert_str_eq(field(F_FDNUM), "9");
	ck_assert_str_eq(field(F_SIP), "<NA>");
	ck_assert_str_eq(field(F_SPORT), "<NA>");
	/* the right size still works afterwards */
	rt_event_builder_begin(&bld, FK_EVENT_CONNECT, TS, 200, 200, 0);
	p_s64(0);
	rt_event_builder_add(&bld, tup, 13);
	p_s64(9);
	ck_assert_str_eq(run(), "connect|cat|200|100|bash|/usr/bin/cat|cat|alice|9|"
	                        "10.0.0.1:40000->8.8.8.8:443|4|8.8.8.8|443|host|SUCCESS|0|100|"
	                        "(bash,systemd)");
}
END_TEST

/* Integer parameters of the wrong width read as absent, not as garbage. */
START_TEST(integers_of_wrong_width)
{
	for (uint16_t n = 0; n <= 9; n++) {
		static const uint8_t ff[9] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		rt_event_builder_begin(&bld, FK_EVENT_READ, TS, 200, 200, 0);
		for (int i = 0; i < 4; i++) /* res, data, fd, size */
			rt_event_builder_add(&bld, ff, n);
		run();
		ck_assert_str_eq(field(F_FDNUM), "<NA>"); /* fd -1 (n = 8) or no fd at all */
		rt_event_builder_begin(&bld, FK_EVENT_PROCEXIT, TS, 9000 + n, 9000 + n, 0);
		for (int i = 0; i < 5; i++)
			rt_event_builder_add(&bld, ff, n);
		run();
	}
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 200));
}
END_TEST

/* The return value INT64_MIN rendered through evt.args: its errno name must not negate it
 * (UB in rt_errno_name before the fix; the sanitizer build fails here). */
START_TEST(res_int64_min)
{
	close_ev(200, 200, 3, INT64_MIN);
	run();
	ck_assert_str_eq(field(F_RES), "-9223372036854775808");
	ck_assert_str_eq(field(F_RAWRES), "-9223372036854775808");
}
END_TEST

/* A fork whose child reuses the tid of an ancestor (init here; in life any tid whose exit
 * was missed) closes a loop in the parent links: 1 -> 200 -> 100 -> 1. Every walk up the
 * ancestry must stop (proc.loginshellid did not, before the fix). */
START_TEST(parent_cycle_from_tid_reuse)
{
	rt_event_builder_begin(&bld, FK_EVENT_FORK, TS, 200, 200, 1);
	p_s64(1);
	run();
	ck_assert_int_eq(rt_thread_lookup(st, 1)->ptid, 200);
	ck_assert_int_eq(rt_thread_lookup(st, 100)->ptid, 1);
	read_ev(200, 200, 3, 0);
	run();
	ck_assert_str_eq(field(F_NAME), "cat");
	ck_assert_str_eq(field(F_LOGINSHELL), "100");
}
END_TEST

/* 10^5 distinct tids never seen before: the table stays within its bound, known threads
 * outlive lazy ones, and every event still resolves a thread. */
START_TEST(many_distinct_tids_bounded)
{
	rt_state_set_limits(st, 4096, 0);
	for (uint32_t tid = 100000; tid < 200000; tid++) {
		read_ev(tid, tid, 0, 0);
		const struct fk_event_hdr *h = rt_event_builder_finish(&bld);
		char err[128];
		ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
		ev.num = ++evnum;
		rt_engine_process(eng, st, &ev, NULL, NULL);
	}
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_le(ss.threads, 4096);
	ck_assert_uint_ge(ss.lazy_threads, 100000);
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 199999));
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 200)); /* known: kept */
	ck_assert_ptr_nonnull(rt_thread_lookup(st, 1));
}
END_TEST

/* 10^5 opens of distinct fds by one process: bounded by the per-process fd limit. */
START_TEST(many_fds_bounded)
{
	rt_state_set_limits(st, 0, 1024);
	for (int64_t fd = 10; fd < 100010; fd++) {
		openat(200, 200, fd, "/tmp/f", 7);
		const struct fk_event_hdr *h = rt_event_builder_finish(&bld);
		char err[128];
		ck_assert_int_eq(rt_event_decode(&ev, h, h->len, err, sizeof(err)), 0);
		ev.num = ++evnum;
		rt_engine_process(eng, st, &ev, NULL, NULL);
	}
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);
	ck_assert_uint_le(ss.fds, 1024 + 1);
	ck_assert_ptr_nonnull(rt_fd_lookup(rt_thread_lookup(st, 200), 100009));
}
END_TEST

Suite *rt_badinput_suite(void)
{
	Suite *s = suite_create("rt_badinput");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, decoder_rejects_with_message, 0,
	                    sizeof(rejects) / sizeof(rejects[0]));
	tcase_add_test(tc, every_type_without_parameters);
	tcase_add_test(tc, unknown_tid_is_a_lazy_thread_with_na_fields);
	tcase_add_test(tc, procexit_of_unknown_and_twice);
	tcase_add_test(tc, clone_child_tid_reused);
	tcase_add_test(tc, execve_with_empty_and_missing_args);
	tcase_add_test(tc, strings_without_nul);
	tcase_add_test(tc, negative_and_huge_fds);
	tcase_add_test(tc, socktuple_of_wrong_size);
	tcase_add_test(tc, integers_of_wrong_width);
	tcase_add_test(tc, res_int64_min);
	tcase_add_test(tc, parent_cycle_from_tid_reuse);
	tcase_add_test(tc, many_distinct_tids_bounded);
	tcase_add_test(tc, many_fds_bounded);
	suite_add_tcase(s, tc);
	return s;
}
