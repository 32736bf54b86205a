/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_scap.c - the .scap reader on Falco 0.34.1's trace files: every event against
 * sysdig's view of it (tests/golden/scap/NAME.expected, recorded once with sysdig 0.29.3),
 * the process and fd lists, exact parameters of a few events, and truncated and corrupted
 * files, which must give an error naming an offset and never crash. */
#include "suites.h"

#include "runtime/rt_scap.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bpf/fk_shared.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

#define TRACES FC_COMPAT_DIR "/falcosecurity-falco/test-0.34.1/trace_files/"
#define GOLDEN FC_SOURCE_DIR "/tests/golden/scap/"

static const struct {
	const char *name;
	unsigned version; /* major * 10 + minor */
	unsigned events, converted, threads;
} traces[] = {
    {"cat_write", 10, 345, 85, 73},
    {"connect_localhost", 10, 374, 8, 184},
    {"ping_sendto", 12, 1526, 20, 136},
    {"syscall", 11, 368, 12, 229},
    {"open-multiple-files", 10, 1272, 85, 128},
    {"empty", 12, 143, 0, 218},
};
#define NTRACES (sizeof(traces) / sizeof(traces[0]))

static char err[512];

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The decompressed capture. */
static uint8_t *inflate_trace(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), TRACES "%s.scap", name);
	gzFile gz = gzopen(path, "rb");
	ck_assert_ptr_ne(gz, NULL);
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap);
	int k;
	while ((k = gzread(gz, b + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)k;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	gzclose(gz);
	*len = n;
	return b;
}

/* tid -> comm as sysdig shows it: the process list's, then what execve set. */
struct comms {
	int64_t tid[64];
	char comm[64][FK_COMM_LEN];
	unsigned n;
};

static const char *comm_of(struct comms *c, struct rt_state *s, int64_t tid)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->tid[i] == tid)
			return c->comm[i];
	struct rt_thread *t = rt_thread_lookup(s, tid);
	return t ? t->comm : "<NA>";
}

static void comm_set(struct comms *c, int64_t tid, const char *comm)
{
	unsigned i = 0;
	while (i < c->n && c->tid[i] != tid)
		i++;
	if (i == c->n && c->n < 64)
		c->n++;
	if (i < 64) {
		c->tid[i] = tid;
		snprintf(c->comm[i], FK_COMM_LEN, "%s", comm);
	}
}

/* Each event as sysdig -p '%evt.num %evt.dir %evt.type %thread.tid %proc.name' prints it. */
START_TEST(events_match_sysdig)
{
	char path[512];
	snprintf(path, sizeof(path), TRACES "%s.scap", traces[_i].name);
	struct rt_scap *r = rt_scap_open(path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	struct rt_state *s = rt_state_new();
	ck_assert_msg(rt_scap_load_state(r, s, err, sizeof(err)) == 0, "%s", err);

	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	out[0] = '\0';
	struct comms comms = {.n = 0};
	const struct fk_event_hdr *h;
	int rc;
	while ((rc = rt_scap_next(r, &h, err, sizeof(err))) == 1) {
		struct rt_event ev;
		ck_assert_msg(rt_event_decode(&ev, h, h->len, err, sizeof(err)) == 0, "%s", err);
		if (h->type == FK_EVENT_EXECVE && h->res == 0 && rt_param_str(&ev, "comm"))
			comm_set(&comms, h->tid, rt_param_str(&ev, "comm"));
		char dir = rt_event_dir(&ev);
		if (cap - n < 256)
			out = realloc(out, cap *= 2);
		n += (size_t)snprintf(out + n, cap - n, "%llu %c %s %u %s\n",
		                      (unsigned long long)rt_scap_event_num(r), dir,
		                      rt_event_name(&ev), h->tid, comm_of(&comms, s, h->tid));
	}
	ck_assert_msg(rc == 0, "%s", err);

	snprintf(path, sizeof(path), GOLDEN "%s.expected", traces[_i].name);
	char *want = read_text(path), *w = want, *o = want;
	while (*w) { /* drop the '#' comment lines */
		char *e = strchr(w, '\n');
		size_t k = e ? (size_t)(e - w) + 1 : strlen(w);
		if (*w != '#') {
			memmove(o, w, k);
			o += k;
		}
		w += k;
	}
	*o = '\0';
	ck_assert_str_eq(out, want);

	struct rt_scap_stats st;
	rt_scap_stats(r, &st);
	ck_assert_uint_eq(st.major * 10u + st.minor, traces[_i].version);
	ck_assert_uint_eq(st.events, traces[_i].events);
	ck_assert_uint_eq(st.converted, traces[_i].converted);
	ck_assert_uint_eq(st.skipped_internal + st.converted, st.events);
	ck_assert_uint_eq(st.skipped_unknown, 0);
	ck_assert_uint_eq(st.threads, traces[_i].threads);
	ck_assert_uint_eq(rt_scap_next(r, &h, err, sizeof(err)), 0); /* stays at the end */
	free(want);
	free(out);
	rt_state_free(s);
	rt_scap_close(r);
}
END_TEST

static struct rt_scap *open_with_state(const char *name, struct rt_state **s)
{
	char path[512];
	snprintf(path, sizeof(path), TRACES "%s.scap", name);
	struct rt_scap *r = rt_scap_open(path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	*s = rt_state_new();
	ck_assert_msg(rt_scap_load_state(r, *s, err, sizeof(err)) == 0, "%s", err);
	return r;
}

START_TEST(process_and_fd_lists)
{
	struct rt_state *s;
	struct rt_scap *r = open_with_state("cat_write", &s);
	ck_assert_str_eq(rt_state_hostname(s), "ubuntu");
	const struct rt_user *u = rt_state_user(s, 0);
	ck_assert_ptr_ne(u, NULL);
	ck_assert_str_eq(u->name, "root");
	ck_assert_str_eq(u->homedir, "/root");
	ck_assert_str_eq(u->shell, "/bin/bash");

	/* PL_V6: sysdig -zw cat_write.scap, run by sudo */
	struct rt_thread *t = rt_thread_lookup(s, 20070);
	ck_assert_ptr_ne(t, NULL);
	ck_assert_str_eq(t->comm, "sysdig");
	ck_assert_str_eq(t->exe, "sysdig");
	ck_assert_uint_eq(t->nargs, 3);
	ck_assert_str_eq(t->args, "-zw");
	ck_assert_str_eq(t->cwd, "/mnt/sf_mstemm/work/src/falco/test/");
	ck_assert_int_eq(t->pid, 20070);
	ck_assert_int_eq(t->ptid, 20069);
	ck_assert_int_eq(t->sid, 20069);
	ck_assert_uint_eq(t->uid, 0);
	ck_assert_uint_eq(t->loginuid, UINT32_MAX);
	ck_assert_str_eq(t->cgroups, "freezer=/user.slice/user-1000.slice/session-1.scope");
	struct rt_fd *fd = rt_fd_lookup(t, 5);
	ck_assert_ptr_ne(fd, NULL);
	ck_assert_int_eq(fd->type, RT_FD_FILE);
	ck_assert_str_eq(fd->name, "/mnt/sf_mstemm/work/src/falco/test/cat_write.scap");
	fd = rt_fd_lookup(t, 6);
	ck_assert_ptr_ne(fd, NULL);
	ck_assert_int_eq(fd->type, RT_FD_DIRECTORY);
	ck_assert_str_eq(fd->name, "/proc");
	t = rt_thread_lookup(s, 20069);
	ck_assert_str_eq(t->comm, "sudo");
	fd = rt_fd_lookup(t, 6);
	ck_assert_int_eq(fd->type, RT_FD_PIPE);
	ck_assert_str_eq(fd->name, "pipe:[2099503]");
	rt_state_free(s);
	rt_scap_close(r);

	/* PL_V9 and FDL_V2: exepath, pgid, open flags */
	r = open_with_state("ping_sendto", &s);
	t = rt_thread_lookup(s, 1);
	ck_assert_ptr_ne(t, NULL);
	ck_assert_str_eq(t->comm, "systemd");
	ck_assert_str_eq(t->exe, "/sbin/init");
	ck_assert_str_eq(t->exepath, "/lib/systemd/systemd");
	ck_assert_int_eq(t->pgid, 1);
	t = rt_thread_lookup(s, 1869);
	ck_assert_str_eq(t->comm, "master");
	fd = rt_fd_lookup(t, 9);
	ck_assert_str_eq(fd->name, "/var/spool/postfix/pid/master.pid");
	ck_assert_uint_eq(fd->open_flags, 4099); /* PPM_O_RDWR | PPM_O_CLOEXEC */
	rt_state_free(s);
	rt_scap_close(r);

	/* PL_V7: a listening IPv4 socket */
	r = open_with_state("connect_localhost", &s);
	t = rt_thread_lookup(s, 1898);
	ck_assert_str_eq(t->exepath, "/usr/lib/postfix/sbin/master");
	fd = rt_fd_lookup(t, 12);
	ck_assert_ptr_ne(fd, NULL);
	ck_assert_int_eq(fd->type, RT_FD_IPV4);
	ck_assert(fd->is_server);
	ck_assert_uint_eq(fd->sport, 25);
	ck_assert_str_eq(fd->name, "127.0.0.1:25");
	rt_state_free(s);
	rt_scap_close(r);
}
END_TEST

/* The n-th converted event of a trace, decoded into ev (record valid until the next call). */
static void nth_event(struct rt_scap *r, uint64_t num, struct rt_event *ev)
{
	const struct fk_event_hdr *h;
	while (rt_scap_next(r, &h, err, sizeof(err)) == 1) {
		if (rt_scap_event_num(r) != num)
			continue;
		ck_assert_msg(rt_event_decode(ev, h, h->len, err, sizeof(err)) == 0, "%s", err);
		return;
	}
	ck_abort_msg("no event %llu", (unsigned long long)num);
}

START_TEST(event_parameters)
{
	struct rt_state *s;
	struct rt_scap *r = open_with_state("cat_write", &s);
	struct rt_event ev;
	int64_t v;
	uint64_t u;

	nth_event(r, 131, &ev); /* execve exit, 16 parameters (PPME_SYSCALL_EXECVE_16_X) */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_EXECVE);
	ck_assert_str_eq(rt_param_str(&ev, "exe"), "cat");
	ck_assert_str_eq(rt_param_str(&ev, "comm"), "cat");
	ck_assert_str_eq(rt_param_str(&ev, "cwd"),
	                 "/mnt/sf_mstemm/work/src/agent/build/release/userspace/dragent");
	ck_assert(rt_param_s64(&ev, "pid", &v) && v == 20072);
	ck_assert(!rt_param_s64(&ev, "loginuid", &v)); /* not in this version */

	nth_event(r, 140, &ev); /* open entry of this version: no parameters */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_OPEN_E);
	ck_assert_int_eq(rt_event_dir(&ev), '>');
	ck_assert_str_eq(rt_event_name(&ev), "open");
	ck_assert_ptr_eq(rt_param_str(&ev, "name"), NULL);

	nth_event(r, 141, &ev); /* open("/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3 */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_OPEN);
	ck_assert_int_eq(rt_event_dir(&ev), '<');
	ck_assert_int_eq(ev.hdr->res, 3);
	ck_assert_int_eq(ev.hdr->tid, 20072);
	ck_assert_int_eq(ev.hdr->tgid, 20072);
	ck_assert(rt_param_s64(&ev, "fd", &v) && v == 3);
	ck_assert_str_eq(rt_param_str(&ev, "name"), "/etc/ld.so.cache");
	ck_assert(rt_param_u64(&ev, "flags", &u) && u == 4097); /* PPM_O_RDONLY | PPM_O_CLOEXEC */
	ck_assert(rt_param_u64(&ev, "mode", &u) && u == 0);
	ck_assert(!rt_param_u64(&ev, "dev", &u));

	nth_event(r, 142, &ev); /* fstat entry: names its fd, so fd.name is set on it */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_FSTAT_E);
	ck_assert_str_eq(rt_event_name(&ev), "fstat");
	ck_assert(rt_param_s64(&ev, "fd", &v) && v == 3);

	nth_event(r, 143, &ev); /* its exit takes the fd of the entry */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_FSTAT);
	ck_assert(rt_param_s64(&ev, "fd", &v) && v == 3);

	nth_event(r, 144, &ev); /* mmap entry: Falco's PPM_PROT_* and PPM_MAP_* */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_MMAP_E);
	ck_assert(rt_param_u64(&ev, "length", &u) && u == 72949);
	ck_assert(rt_param_u64(&ev, "prot", &u) && u == 1);
	ck_assert(rt_param_u64(&ev, "flags", &u) && u == 2);
	ck_assert(rt_param_s64(&ev, "fd", &v) && v == 3);

	nth_event(r, 172, &ev); /* a PPME_GENERIC_E: the ID is a PPM_SC code */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_GENERIC_E);
	ck_assert_str_eq(rt_event_name(&ev), "arch_prctl");
	ck_assert(rt_param_u64(&ev, "nativeID", &u) && u == 158);

	nth_event(r, 200, &ev); /* ID 0: sysdig prints <unknown> */
	ck_assert_str_eq(rt_event_name(&ev), "<unknown>");

	nth_event(r, 215, &ev);
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_PROCEXIT);
	ck_assert(rt_param_s64(&ev, "status", &v) && v == 0);
	rt_state_free(s);
	rt_scap_close(r);

	r = open_with_state("connect_localhost", &s);
	nth_event(r, 184, &ev);
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_SOCKET_E);
	ck_assert(rt_param_u64(&ev, "domain", &u) && u == FK_AF_INET);
	nth_event(r, 187, &ev); /* connect to 127.0.0.1:80, EINPROGRESS */
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_CONNECT);
	ck_assert_int_eq(ev.hdr->res, -115);
	const uint8_t *p;
	uint16_t len;
	ck_assert(rt_param_bytes(&ev, "tuple", &p, &len));
	ck_assert_uint_eq(len, 13);
	ck_assert_uint_eq(p[0], FK_AF_INET);
	static const uint8_t lo[4] = {127, 0, 0, 1};
	uint16_t sport, dport;
	memcpy(&sport, p + 5, 2);
	memcpy(&dport, p + 11, 2);
	ck_assert_mem_eq(p + 1, lo, 4);
	ck_assert_mem_eq(p + 7, lo, 4);
	ck_assert_uint_eq(sport, 47192);
	ck_assert_uint_eq(dport, 80);
	rt_state_free(s);
	rt_scap_close(r);

	r = open_with_state("ping_sendto", &s); /* EV_V2 blocks */
	nth_event(r, 137, &ev);
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_SENDMSG_E);
	ck_assert(rt_param_u64(&ev, "size", &u) && u == 64);
	ck_assert(rt_param_bytes(&ev, "tuple", &p, &len));
	nth_event(r, 138, &ev);
	ck_assert_int_eq(ev.hdr->type, FK_EVENT_SENDMSG);
	ck_assert_int_eq(ev.hdr->res, 64);
	ck_assert(rt_param_bytes(&ev, "data", &p, &len) && len == 64);
	rt_state_free(s);
	rt_scap_close(r);
}
END_TEST

/* Reads a capture from memory to the end: 0 at its end, -1 on an error, -2 when it does not
 * even open (a broken section header); err says why. */
static int read_all(const uint8_t *b, size_t n, bool with_state)
{
	struct rt_scap *r = rt_scap_open_mem(b, n, err, sizeof(err));
	if (!r)
		return -2;
	int rc = 0;
	if (with_state) {
		struct rt_state *s = rt_state_new();
		rc = rt_scap_load_state(r, s, err, sizeof(err));
		rt_state_free(s);
	}
	const struct fk_event_hdr *h;
	while (rc == 0) {
		rc = rt_scap_next(r, &h, err, sizeof(err));
		if (rc != 1)
			break;
		struct rt_event ev;
		ck_assert_msg(rt_event_decode(&ev, h, h->len, err, sizeof(err)) == 0, "%s", err);
		rc = 0;
	}
	rt_scap_close(r);
	return rc;
}

START_TEST(memory_and_gzip_from_memory)
{
	size_t n;
	uint8_t *b = inflate_trace(traces[_i].name, &n);
	ck_assert_int_eq(read_all(b, n, true), 0);
	char path[512];
	snprintf(path, sizeof(path), TRACES "%s.scap", traces[_i].name);
	char *gz = read_text(path); /* binary is fine: we know the length */
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	size_t gzlen = (size_t)ftell(f);
	fclose(f);
	struct rt_scap *r = rt_scap_open_mem(gz, gzlen, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	const struct fk_event_hdr *h;
	unsigned k = 0;
	while (rt_scap_next(r, &h, err, sizeof(err)) == 1)
		k++;
	ck_assert_uint_eq(k, traces[_i].converted);
	rt_scap_close(r);
	free(gz);
	free(b);
}
END_TEST

/* Every block start of a decompressed capture. */
static size_t block_starts(const uint8_t *b, size_t n, size_t *out, size_t max)
{
	size_t k = 0, off = 0;
	while (off + 8 <= n && k < max) {
		uint32_t len;
		memcpy(&len, b + off + 4, 4);
		out[k++] = off;
		off += len;
	}
	return k;
}

START_TEST(truncated_files_fail_with_offset)
{
	size_t n;
	uint8_t *b = inflate_trace(traces[_i].name, &n);
	static size_t starts[8192];
	size_t nb = block_starts(b, n, starts, 8192);
	ck_assert_uint_gt(nb, 5);
	/* cuts inside: the section header, the machine info, the process list, an fd list, the
	 * first event block, a middle one, the header of one, the last one's trailer */
	size_t cuts[] = {10,
	                 starts[1] + 40,
	                 starts[4] + 3,
	                 starts[nb / 3] + 17,
	                 starts[nb / 2] + 5,
	                 starts[nb - 1] + 26,
	                 n - 1};
	for (unsigned i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		uint8_t *c = malloc(cuts[i]);
		memcpy(c, b, cuts[i]);
		err[0] = '\0';
		int rc = read_all(c, cuts[i], true);
		ck_assert_msg(rc < 0, "%s cut at %zu: rc %d", traces[_i].name, cuts[i], rc);
		ck_assert_msg(strstr(err, "offset ") == err, "%s cut at %zu: '%s'", traces[_i].name,
		              cuts[i], err);
		free(c);
	}
	free(b);
}
END_TEST

START_TEST(corrupt_files_never_crash)
{
	size_t n;
	uint8_t *b = inflate_trace(traces[_i].name, &n);
	uint8_t *c = malloc(n);
	static size_t starts[8192];
	size_t nb = block_starts(b, n, starts, 8192);

	/* a wrong trailing length */
	memcpy(c, b, n);
	size_t blk = starts[nb / 2];
	uint32_t len;
	memcpy(&len, c + blk + 4, 4);
	c[blk + len - 4] ^= 0x40;
	ck_assert_int_eq(read_all(c, n, true), -1);
	ck_assert_msg(strstr(err, "trailing length") != NULL, "%s", err);

	/* an event whose length runs past its block */
	memcpy(c, b, n);
	blk = starts[nb - 2];
	uint32_t huge = 0x00ffff00;
	memcpy(c + blk + 8 + 2 + 16, &huge, 4);
	ck_assert_int_eq(read_all(c, n, true), -1);
	ck_assert_msg(strstr(err, "outside its") != NULL, "%s", err);

	/* a block length far too big, then bytes flipped all over the file */
	memcpy(c, b, n);
	huge = 0x7fffffff;
	memcpy(c + starts[3] + 4, &huge, 4);
	ck_assert_int_eq(read_all(c, n, true), -1);
	ck_assert_msg(strstr(err, "offset ") == err, "%s", err);
	for (size_t pos = 7; pos < n; pos += n / 97 + 1) {
		for (unsigned k = 0; k < 3; k++) {
			static const uint8_t v[] = {0xff, 0x00, 0x7f};
			memcpy(c, b, n);
			for (size_t j = 0; j < 4 && pos + j < n; j++)
				c[pos + j] = v[k];
			err[0] = '\0';
			int rc = read_all(c, n, k != 1);
			ck_assert_msg(rc == 0 || rc == -1 || (rc == -2 && pos < 28), "rc %d", rc);
			if (rc < 0)
				ck_assert_msg(strstr(err, "offset ") == err, "'%s'", err);
		}
	}
	free(c);
	free(b);
}
END_TEST

START_TEST(not_a_capture)
{
	static const uint8_t junk[] = "this is not a capture file at all";
	ck_assert_ptr_eq(rt_scap_open_mem(junk, sizeof(junk), err, sizeof(err)), NULL);
	ck_assert_msg(strstr(err, "offset 0: not a capture") != NULL, "%s", err);
	ck_assert_ptr_eq(rt_scap_open_mem(junk, 0, err, sizeof(err)), NULL);
	ck_assert_ptr_eq(rt_scap_open("/nonexistent.scap", err, sizeof(err)), NULL);
	ck_assert_msg(strstr(err, "/nonexistent.scap") != NULL, "%s", err);
}
END_TEST

Suite *rt_scap_suite(void)
{
	Suite *s = suite_create("rt_scap");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, events_match_sysdig, 0, NTRACES);
	tcase_add_test(tc, process_and_fd_lists);
	tcase_add_test(tc, event_parameters);
	tcase_add_loop_test(tc, memory_and_gzip_from_memory, 0, NTRACES);
	tcase_add_loop_test(tc, truncated_files_fail_with_offset, 0, NTRACES);
	tcase_add_loop_test(tc, corrupt_files_never_crash, 0, NTRACES);
	tcase_add_test(tc, not_a_capture);
	suite_add_tcase(s, tc);
	return s;
}
