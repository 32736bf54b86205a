/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_capture.c - falcod's capture format (runtime/rt_capture.c): a state and events
 * written and read back identically; a file truncated at every block boundary, and inside
 * every block and the header; one byte flipped in every region (header, and each block's
 * type, length, payload and checksum). Every damaged file must give an error naming the
 * offset of the damage, after every event before it was delivered. */
#include "runtime/rt_capture.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/rt_event.h"
#include "runtime/rt_state.h"
#include "suites.h"

#define NEVENTS 3

static char path[64];
static uint8_t *img;            /* the whole good file */
static size_t imglen;

/* Block boundaries of the good file: start offsets, types and whether each is an event. */
static size_t bstart[64], blen[64];
static char btype[64][5];
static size_t nblocks;
static size_t first_block;      /* = header length */

static void build_events(struct rt_capture_writer *w)
{
	struct rt_event_builder b = { 0 };
	for (int i = 0; i < NEVENTS; i++) {
		rt_event_builder_begin(&b, FK_EVENT_OPENAT, 1000 + (uint64_t)i, 42, 42, 3 + i);
		rt_event_builder_add_u64(&b, (uint64_t)(3 + i), 8);
		rt_event_builder_add_u64(&b, (uint64_t)(int64_t)-100, 8);
		rt_event_builder_add_str(&b, i == 1 ? "/etc/shadow" : "/tmp/x");
		rt_event_builder_add_u64(&b, 1, 4);
		rt_event_builder_add_empty(&b);
		const struct fk_event_hdr *h = rt_event_builder_finish(&b);
		/* numbers with a gap, as a converted .scap has them */
		ck_assert_int_eq(rt_capture_write_event(w, h, i == 2 ? 10 : 0), 0);
	}
	rt_event_builder_fini(&b);
}

/* A capture written block by block, without an rt_state. */
static void write_plain(void)
{
	char err[256];
	struct rt_capture_writer *w = rt_capture_writer_new(path, "box", 777, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	struct rt_thread t;
	memset(&t, 0, sizeof(t));
	t.tid = t.pid = 42;
	t.ptid = 1;
	strcpy(t.comm, "cat");
	t.exe = "cat";
	t.cwd = "/root/";
	ck_assert_int_eq(rt_capture_write_thread(w, &t), 0);
	t.tid = 43;
	ck_assert_int_eq(rt_capture_write_thread(w, &t), 0);
	struct rt_fd fd;
	memset(&fd, 0, sizeof(fd));
	fd.num = 0;
	fd.type = RT_FD_FILE;
	fd.name = "/dev/pts/0";
	ck_assert_int_eq(rt_capture_write_fd(w, 42, &fd), 0);
	struct rt_user u = { .uid = 0, .gid = 0, .name = "root", .homedir = "/root",
			     .shell = "/bin/bash" };
	ck_assert_int_eq(rt_capture_write_user(w, &u), 0);
	struct rt_group g = { .gid = 0, .name = "root" };
	ck_assert_int_eq(rt_capture_write_group(w, &g), 0);
	build_events(w);
	ck_assert_int_eq(rt_capture_write_thread(w, &t), -EINVAL); /* state after events */
	struct rt_event_builder b = { 0 };
	rt_event_builder_begin(&b, FK_EVENT_CLOSE, 1, 1, 1, 0);
	ck_assert_int_eq(rt_capture_write_event(w, rt_event_builder_finish(&b), 10), -EINVAL);
	rt_event_builder_fini(&b);
	ck_assert_int_eq(rt_capture_writer_close(w), 0);
}

static void load_image(void)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_ne(f, NULL);
	fseek(f, 0, SEEK_END);
	imglen = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	img = malloc(imglen);
	ck_assert_uint_eq(fread(img, 1, imglen, f), imglen);
	fclose(f);
	/* walk the blocks as docs/capture.md describes them */
	uint16_t hlen = (uint16_t)(img[24] | (img[25] << 8));
	first_block = 28 + hlen + 4;
	nblocks = 0;
	for (size_t off = first_block; off < imglen; nblocks++) {
		uint32_t len = (uint32_t)img[off + 4] | ((uint32_t)img[off + 5] << 8) |
			       ((uint32_t)img[off + 6] << 16) | ((uint32_t)img[off + 7] << 24);
		bstart[nblocks] = off;
		blen[nblocks] = 8 + len + 4;
		memcpy(btype[nblocks], img + off, 4);
		btype[nblocks][4] = '\0';
		off += blen[nblocks];
		ck_assert_uint_le(off, imglen);
	}
}

static void setup(void)
{
	strcpy(path, "/tmp/test_rt_capture.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_plain();
	load_image();
}

static void teardown(void)
{
	unlink(path);
	free(img);
	img = NULL;
}

static void write_image(const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_ne(f, NULL);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* Events whose blocks end at or before off. */
static unsigned events_before(size_t off)
{
	unsigned n = 0;
	for (size_t i = 0; i < nblocks; i++)
		if (strcmp(btype[i], "EVNT") == 0 && bstart[i] + blen[i] <= off)
			n++;
	return n;
}

/* Reads the file at path: returns the error offset parsed from the message (or -1 when the
 * read succeeded), and the number of events delivered before. */
static long read_all(unsigned *nev, char *msg, size_t msglen)
{
	char err[512];
	*nev = 0;
	struct rt_capture_reader *r = rt_capture_open(path, err, sizeof(err));
	if (!r) {
		snprintf(msg, msglen, "%s", err);
		const char *o = strstr(err, "offset ");
		ck_assert_msg(o != NULL, "no offset in '%s'", err);
		return strtol(o + 7, NULL, 10);
	}
	ck_assert_uint_eq(rt_capture_header(r)->start_ns, 777);
	struct rt_event ev;
	int rc;
	while ((rc = rt_capture_next(r, &ev)) > 0) {
		ck_assert_uint_eq(ev.num, *nev == 2 ? 10 : *nev + 1);
		ck_assert_uint_eq(ev.hdr->ts_ns, 1000 + *nev);
		(*nev)++;
	}
	long at = -1;
	if (rc < 0) {
		snprintf(msg, msglen, "%s", rt_capture_error(r));
		ck_assert_msg(strncmp(msg, "offset ", 7) == 0, "message '%s'", msg);
		at = strtol(msg + 7, NULL, 10);
		ck_assert_uint_eq(rt_capture_error_offset(r), (uint64_t)at);
		ck_assert_int_lt(rt_capture_next(r, &ev), 0); /* errors are sticky */
	} else {
		msg[0] = '\0';
	}
	rt_capture_close(r);
	return at;
}

START_TEST(plain_file_reads_back)
{
	unsigned n;
	char msg[512];
	ck_assert_int_eq(read_all(&n, msg, sizeof(msg)), -1);
	ck_assert_uint_eq(n, NEVENTS);
	ck_assert_uint_eq(nblocks, 2 + 1 + 1 + 1 + 1 + NEVENTS + 1);
	ck_assert_str_eq(btype[nblocks - 1], "CEND");
	char err[256];
	struct rt_capture_reader *r = rt_capture_open(path, err, sizeof(err));
	ck_assert_ptr_ne(r, NULL);
	ck_assert_str_eq(rt_capture_header(r)->hostname, "box");
	ck_assert_uint_eq(rt_capture_header(r)->abi, FK_ABI_VERSION);
	ck_assert_uint_eq(rt_capture_header(r)->version, RT_CAPTURE_VERSION);
	struct rt_event ev;
	ck_assert_int_eq(rt_capture_next(r, &ev), 1);
	ck_assert_str_eq(rt_event_name(&ev), "openat");
	ck_assert_str_eq(rt_param_str(&ev, "name"), "/tmp/x");
	rt_capture_close(r);
}
END_TEST

/* Truncated exactly at the start of block _i (and so at the end of the one before). */
START_TEST(truncated_at_block_boundary)
{
	size_t cut = bstart[_i];
	write_image(img, cut);
	unsigned n;
	char msg[512];
	long at = read_all(&n, msg, sizeof(msg));
	ck_assert_msg(at == (long)cut, "cut at %zu: '%s'", cut, msg);
	ck_assert_uint_eq(n, events_before(cut));
	ck_assert_ptr_ne(strstr(msg, "truncated"), NULL);
}
END_TEST

/* Truncated inside block _i: 3 bytes in (inside the frame) and 1 byte before its end. */
START_TEST(truncated_inside_block)
{
	size_t cuts[2] = { bstart[_i] + 3, bstart[_i] + blen[_i] - 1 };
	for (int k = 0; k < 2; k++) {
		write_image(img, cuts[k]);
		unsigned n;
		char msg[512];
		long at = read_all(&n, msg, sizeof(msg));
		ck_assert_msg(at == (long)bstart[_i], "cut at %zu: '%s'", cuts[k], msg);
		ck_assert_uint_eq(n, events_before(bstart[_i]));
	}
}
END_TEST

START_TEST(truncated_header)
{
	for (size_t cut = 0; cut < first_block; cut++) {
		write_image(img, cut);
		unsigned n;
		char msg[512];
		long at = read_all(&n, msg, sizeof(msg));
		ck_assert_msg(at >= 0 && (size_t)at <= cut, "cut at %zu: '%s'", cut, msg);
		ck_assert_uint_eq(n, 0);
	}
}
END_TEST

/* One byte flipped in block _i: its type, its length, its payload, its checksum. */
START_TEST(flipped_byte_in_block)
{
	size_t at4[4] = { bstart[_i] + 1, bstart[_i] + 5, bstart[_i] + 8 + (blen[_i] - 12) / 2,
			  bstart[_i] + blen[_i] - 2 };
	for (int k = 0; k < 4; k++) {
		if (k == 2 && blen[_i] == 12)
			continue; /* no payload */
		uint8_t *bad = malloc(imglen);
		memcpy(bad, img, imglen);
		bad[at4[k]] ^= 0x20;
		write_image(bad, imglen);
		free(bad);
		unsigned n;
		char msg[512];
		long at = read_all(&n, msg, sizeof(msg));
		ck_assert_msg(at == (long)bstart[_i], "flip at %zu (block %s at %zu): '%s'",
			      at4[k], btype[_i], bstart[_i], msg);
		ck_assert_uint_eq(n, events_before(bstart[_i]));
	}
}
END_TEST

START_TEST(flipped_byte_in_header)
{
	for (size_t i = 0; i < first_block; i++) {
		uint8_t *bad = malloc(imglen);
		memcpy(bad, img, imglen);
		bad[i] ^= 0x01;
		write_image(bad, imglen);
		free(bad);
		unsigned n;
		char msg[512];
		long at = read_all(&n, msg, sizeof(msg));
		ck_assert_msg(at >= 0 && (size_t)at < first_block, "flip at %zu: '%s'", i, msg);
		ck_assert_uint_eq(n, 0);
	}
}
END_TEST

START_TEST(data_after_end)
{
	uint8_t *more = malloc(imglen + 1);
	memcpy(more, img, imglen);
	more[imglen] = 0;
	write_image(more, imglen + 1);
	free(more);
	unsigned n;
	char msg[512];
	ck_assert_int_eq(read_all(&n, msg, sizeof(msg)), (long)imglen);
	ck_assert_uint_eq(n, NEVENTS);
}
END_TEST

/* --- round trip through rt_state ----------------------------------------------------------- */

static const char args[] = "-c\0echo hi";
static const char env[] = "HOME=/root\0PATH=/bin";
static const char cgroups[] = "cpu=/docker/0123456789abcdef0123\0memory=/x\0";

static void fill_thread(struct rt_thread *t, int64_t tid, int64_t pid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	t->ptid = 1;
	t->vtid = tid + 1000;
	t->vpid = pid + 1000;
	t->sid = 7;
	t->pgid = 8;
	strcpy(t->comm, "bash");
	t->exe = "/bin/bash";
	t->exepath = "/usr/bin/bash";
	t->args = (char *)args;
	t->args_len = sizeof(args);
	t->nargs = 2;
	t->env = (char *)env;
	t->env_len = sizeof(env);
	t->cwd = "/root/";
	t->cgroups = (char *)cgroups;
	t->container_id = "0123456789ab";
	t->uid = 1000;
	t->gid = 1001;
	t->euid = 0;
	t->egid = 0;
	t->loginuid = 1000;
	t->tty = 34816;
	t->clone_ts = 111;
	t->exec_ts = 222;
	t->cap_permitted = 0x1ff;
	t->cap_effective = 0x0ff;
	t->cap_inheritable = 0x1;
	t->exe_flags = RT_EXE_WRITABLE;
	t->exe_from_memfd = true;
}

static void cmp_str_or_null(const char *a, const char *b, const char *what)
{
	if (!a || !b)
		ck_assert_msg(a == b, "%s: one is NULL", what);
	else
		ck_assert_msg(strcmp(a, b) == 0, "%s: '%s' vs '%s'", what, a, b);
}

static void cmp_fd(struct rt_fd *a, struct rt_fd *b)
{
	ck_assert_ptr_ne(a, NULL);
	ck_assert_ptr_ne(b, NULL);
	ck_assert_int_eq(a->num, b->num);
	ck_assert_int_eq(a->type, b->type);
	cmp_str_or_null(a->name, b->name, "fd.name");
	ck_assert_uint_eq(a->open_flags, b->open_flags);
	ck_assert_uint_eq(a->dev, b->dev);
	ck_assert_uint_eq(a->ino, b->ino);
	ck_assert_uint_eq(a->family, b->family);
	ck_assert_uint_eq(a->l4proto, b->l4proto);
	ck_assert_int_eq(a->is_server, b->is_server);
	ck_assert_int_eq(memcmp(a->sip, b->sip, 16), 0);
	ck_assert_int_eq(memcmp(a->dip, b->dip, 16), 0);
	ck_assert_uint_eq(a->sport, b->sport);
	ck_assert_uint_eq(a->dport, b->dport);
	ck_assert_int_eq(a->connected, b->connected);
}

static void cmp_thread(struct rt_thread *a, struct rt_thread *b)
{
	ck_assert_ptr_ne(a, NULL);
	ck_assert_ptr_ne(b, NULL);
	ck_assert_int_eq(a->tid, b->tid);
	ck_assert_int_eq(a->pid, b->pid);
	ck_assert_int_eq(a->ptid, b->ptid);
	ck_assert_int_eq(a->vtid, b->vtid);
	ck_assert_int_eq(a->vpid, b->vpid);
	ck_assert_int_eq(a->sid, b->sid);
	ck_assert_int_eq(a->pgid, b->pgid);
	ck_assert_str_eq(a->comm, b->comm);
	cmp_str_or_null(a->exe, b->exe, "exe");
	cmp_str_or_null(a->exepath, b->exepath, "exepath");
	ck_assert_uint_eq(a->args_len, b->args_len);
	ck_assert_uint_eq(a->nargs, b->nargs);
	if (a->args_len)
		ck_assert_int_eq(memcmp(a->args, b->args, a->args_len), 0);
	ck_assert_uint_eq(a->env_len, b->env_len);
	if (a->env_len)
		ck_assert_int_eq(memcmp(a->env, b->env, a->env_len), 0);
	cmp_str_or_null(a->cwd, b->cwd, "cwd");
	if (a->cgroups && b->cgroups) {
		size_t la = 0, lb = 0;
		while (a->cgroups[la])
			la += strlen(a->cgroups + la) + 1;
		while (b->cgroups[lb])
			lb += strlen(b->cgroups + lb) + 1;
		ck_assert_uint_eq(la, lb);
		ck_assert_int_eq(memcmp(a->cgroups, b->cgroups, la), 0);
	} else {
		ck_assert_ptr_eq(a->cgroups, b->cgroups);
	}
	cmp_str_or_null(a->container_id, b->container_id, "container_id");
	ck_assert_uint_eq(a->uid, b->uid);
	ck_assert_uint_eq(a->gid, b->gid);
	ck_assert_uint_eq(a->euid, b->euid);
	ck_assert_uint_eq(a->egid, b->egid);
	ck_assert_uint_eq(a->loginuid, b->loginuid);
	ck_assert_uint_eq(a->tty, b->tty);
	ck_assert_uint_eq(a->clone_ts, b->clone_ts);
	ck_assert_uint_eq(a->exec_ts, b->exec_ts);
	ck_assert_uint_eq(a->cap_permitted, b->cap_permitted);
	ck_assert_uint_eq(a->cap_effective, b->cap_effective);
	ck_assert_uint_eq(a->cap_inheritable, b->cap_inheritable);
	ck_assert_uint_eq(a->exe_flags, b->exe_flags);
	ck_assert_int_eq(a->exe_from_memfd, b->exe_from_memfd);
	ck_assert_int_eq(a->lazy, b->lazy);
}

START_TEST(state_round_trip)
{
	struct rt_state *s1 = rt_state_new();
	struct rt_thread t;
	fill_thread(&t, 100, 100);
	rt_state_add_thread(s1, &t);
	fill_thread(&t, 101, 100);      /* a second thread of the same process */
	rt_state_add_thread(s1, &t);
	fill_thread(&t, 200, 200);
	t.exe = NULL;                   /* unknown fields stay unknown */
	t.cgroups = NULL;
	t.env = NULL;
	t.env_len = 0;
	t.uid = t.euid = 0;
	t.loginuid = UINT32_MAX;
	rt_state_add_thread(s1, &t);
	struct rt_fd fd;
	memset(&fd, 0, sizeof(fd));
	fd.num = 3;
	fd.type = RT_FD_FILE;
	fd.name = "/etc/passwd";
	fd.open_flags = RT_O_RDONLY;
	fd.dev = 0x803;
	fd.ino = 4242;
	rt_state_add_fd(s1, 100, &fd);
	memset(&fd, 0, sizeof(fd));
	fd.num = 4;
	fd.type = RT_FD_IPV4;
	fd.name = "10.0.0.1:1234->10.0.0.2:80";
	fd.family = FK_AF_INET;
	fd.l4proto = RT_L4_TCP;
	fd.connected = true;
	fd.sip[0] = 10, fd.sip[3] = 1;
	fd.dip[0] = 10, fd.dip[3] = 2;
	fd.sport = 1234;
	fd.dport = 80;
	rt_state_add_fd(s1, 200, &fd);
	rt_state_add_user(s1, 0, 0, "root", "/root", "/bin/bash");
	rt_state_add_user(s1, 1000, 1001, "alice", "/home/alice", "/bin/zsh");
	rt_state_add_user(s1, 5, 5, "unused", "/", "/bin/false");
	rt_state_add_group(s1, 0, "root");
	rt_state_add_group(s1, 1001, "alice");

	char err[256];
	struct rt_capture_writer *w = rt_capture_writer_new(path, "host-a", 999, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	ck_assert_int_eq(rt_capture_write_state(w, s1), 0);
	build_events(w);
	ck_assert_int_eq(rt_capture_writer_flush(w), 0);
	ck_assert_uint_eq(rt_capture_writer_events(w), NEVENTS);
	ck_assert_int_eq(rt_capture_writer_close(w), 0);

	struct rt_state *s2 = rt_state_new();
	struct rt_capture_reader *r = rt_capture_open(path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_int_eq(rt_capture_load_state(r, s2), 0);
	ck_assert_str_eq(rt_state_hostname(s2), "host-a");
	int64_t tids[] = { 100, 101, 200 };
	for (size_t i = 0; i < 3; i++)
		cmp_thread(rt_thread_lookup(s1, tids[i]), rt_thread_lookup(s2, tids[i]));
	cmp_fd(rt_fd_lookup(rt_thread_lookup(s1, 100), 3), rt_fd_lookup(rt_thread_lookup(s2, 100), 3));
	/* shared by the threads of the process */
	cmp_fd(rt_fd_lookup(rt_thread_lookup(s1, 101), 3), rt_fd_lookup(rt_thread_lookup(s2, 101), 3));
	cmp_fd(rt_fd_lookup(rt_thread_lookup(s1, 200), 4), rt_fd_lookup(rt_thread_lookup(s2, 200), 4));
	ck_assert_ptr_eq(rt_fd_lookup(rt_thread_lookup(s2, 200), 3), NULL);
	struct rt_state_stats st1, st2;
	rt_state_stats(s1, &st1);
	rt_state_stats(s2, &st2);
	ck_assert_uint_eq(st1.threads, st2.threads);
	ck_assert_uint_eq(st1.fds, st2.fds);
	/* users and groups the threads refer to */
	const struct rt_user *u = rt_state_user(s2, 1000);
	ck_assert_ptr_ne(u, NULL);
	ck_assert_str_eq(u->name, "alice");
	ck_assert_str_eq(u->homedir, "/home/alice");
	ck_assert_str_eq(u->shell, "/bin/zsh");
	ck_assert_uint_eq(u->gid, 1001);
	ck_assert_str_eq(rt_state_user(s2, 0)->name, "root");
	ck_assert_str_eq(rt_state_group(s2, 1001)->name, "alice");
	ck_assert_str_eq(rt_state_group(s2, 0)->name, "root");

	/* events: byte for byte */
	struct rt_event_builder b = { 0 };
	struct rt_event ev;
	for (int i = 0; i < NEVENTS; i++) {
		ck_assert_int_eq(rt_capture_next(r, &ev), 1);
		rt_event_builder_begin(&b, FK_EVENT_OPENAT, 1000 + (uint64_t)i, 42, 42, 3 + i);
		rt_event_builder_add_u64(&b, (uint64_t)(3 + i), 8);
		rt_event_builder_add_u64(&b, (uint64_t)(int64_t)-100, 8);
		rt_event_builder_add_str(&b, i == 1 ? "/etc/shadow" : "/tmp/x");
		rt_event_builder_add_u64(&b, 1, 4);
		rt_event_builder_add_empty(&b);
		const struct fk_event_hdr *h = rt_event_builder_finish(&b);
		ck_assert_uint_eq(ev.num, i == 2 ? 10 : (uint64_t)i + 1);
		ck_assert_uint_eq(ev.hdr->len, h->len);
		ck_assert_int_eq(memcmp(ev.hdr, h, h->len), 0);
	}
	rt_event_builder_fini(&b);
	ck_assert_int_eq(rt_capture_next(r, &ev), 0);
	ck_assert_int_eq(rt_capture_next(r, &ev), 0);
	ck_assert_str_eq(rt_capture_error(r), "");
	rt_capture_close(r);
	rt_state_free(s1);
	rt_state_free(s2);
}
END_TEST

START_TEST(not_a_capture)
{
	write_image((const uint8_t *)"\x1f\x8b\x08\x00", 4);
	char err[256];
	ck_assert_ptr_eq(rt_capture_open(path, err, sizeof(err)), NULL);
	ck_assert_ptr_ne(strstr(err, "not a falcod capture"), NULL);
	ck_assert(!rt_capture_sniff("\x1f\x8b", 2));
	ck_assert(rt_capture_sniff("FALCOCAP", 8));
}
END_TEST

Suite *rt_capture_suite(void)
{
	Suite *s = suite_create("rt_capture");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plain_file_reads_back);
	/* 2 threads, 1 fd, 1 user, 1 group, STEN, 3 events, CEND = 10 blocks */
	tcase_add_loop_test(tc, truncated_at_block_boundary, 0, 10);
	tcase_add_loop_test(tc, truncated_inside_block, 0, 10);
	tcase_add_test(tc, truncated_header);
	tcase_add_loop_test(tc, flipped_byte_in_block, 0, 10);
	tcase_add_test(tc, flipped_byte_in_header);
	tcase_add_test(tc, data_after_end);
	tcase_add_test(tc, state_round_trip);
	tcase_add_test(tc, not_a_capture);
	suite_add_tcase(s, tc);
	return s;
}
