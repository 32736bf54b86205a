/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_seeds.c - writes the seeds of fuzz_event and fuzz_replay (run by ctest before them, so
 * no binary seed is committed): `fuzz_seeds DIR` creates
 *
 *   DIR/event/NNN-name.bin   one record of every event type of bpf/fk_events.def, each
 *                            parameter filled with a plausible value for its type;
 *   DIR/replay/small.fcap    a capture with a few threads, fds, users and groups, then those
 *                            events in order, among the seeded processes and one unknown tid.
 *
 * The larger replay seeds are real traces that falcod converts (see CMakeLists.txt). Not a
 * fuzzer: built without libFuzzer's main. Exits 1 with a message on any error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/rt_capture.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

#define TS 1700000000000000000ull

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_seeds: %s: %s\n", what, why);
	exit(1);
}

static void add_param(struct rt_event_builder *b, enum fk_param_type t, unsigned type,
                      const char *pname)
{
	static const uint8_t in4[] = {FK_AF_INET, 10, 0, 0, 1, 0x1f, 0x90};
	static const uint8_t tup4[] = {FK_AF_INET, 10, 0, 0, 1, 0x40, 0x9c, 8, 8, 8, 8, 0xbb, 0x01};
	switch (t) {
	case FK_PT_INT8:
	case FK_PT_UINT8:
	case FK_PT_FLAGS8:
	case FK_PT_SIGTYPE:
		rt_event_builder_add_u64(b, 1, 1);
		break;
	case FK_PT_INT16:
	case FK_PT_UINT16:
	case FK_PT_FLAGS16:
		rt_event_builder_add_u64(b, 2, 2);
		break;
	case FK_PT_INT32:
	case FK_PT_UINT32:
	case FK_PT_MODE:
		rt_event_builder_add_u64(b, 0644, 4);
		break;
	case FK_PT_FLAGS32:
		/* open flags read|write|create, clone flags VM|FS|FILES|SIGHAND */
		rt_event_builder_add_u64(b, strcmp(pname, "flags") ? 3 : 0x807, 4);
		break;
	case FK_PT_UID:
	case FK_PT_GID:
		rt_event_builder_add_u64(b, 1000, 4);
		break;
	case FK_PT_INT64:
	case FK_PT_UINT64:
	case FK_PT_RELTIME:
	case FK_PT_ABSTIME:
		rt_event_builder_add_u64(b, 4096, 8);
		break;
	case FK_PT_FD:
		rt_event_builder_add_u64(b, 3, 8);
		break;
	case FK_PT_PID:
		rt_event_builder_add_u64(b, 200, 8);
		break;
	case FK_PT_ERRNO:
		rt_event_builder_add_u64(b, 0, 8);
		break;
	case FK_PT_CHARBUF:
		rt_event_builder_add_str(b, type == FK_EVENT_GENERIC ? "getpid" : "bash");
		break;
	case FK_PT_FSPATH:
		rt_event_builder_add_str(b, "/etc/shadow");
		break;
	case FK_PT_FSRELPATH:
		rt_event_builder_add_str(b, "shadow");
		break;
	case FK_PT_BYTEBUF:
		rt_event_builder_add(b, "GET / HTTP/1.1\r\n", 16);
		break;
	case FK_PT_CHARBUFARRAY:
		rt_event_builder_add(b, "-c\0id\0", 6);
		break;
	case FK_PT_SOCKADDR:
		rt_event_builder_add(b, in4, sizeof(in4));
		break;
	case FK_PT_SOCKTUPLE:
		rt_event_builder_add(b, tup4, sizeof(tup4));
		break;
	default:
		rt_event_builder_add_empty(b);
	}
}

/* The record of event type k by tid; res is the child's tid for clones, 3 otherwise. */
static const struct fk_event_hdr *build(struct rt_event_builder *b, unsigned k, uint32_t tid,
                                        uint32_t pid, uint64_t ts)
{
	const struct rt_event_info *info = rt_event_info(k);
	int64_t res = (info->flags & FK_EF_PROC) && k != FK_EVENT_PROCEXIT ? 300 + (int64_t)k : 3;
	rt_event_builder_begin(b, k, ts, tid, pid, res);
	for (unsigned i = 0; i < info->nparams; i++)
		add_param(b, info->params[i].type, k, info->params[i].name);
	return rt_event_builder_finish(b);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path, strerror(errno));
}

static void seed_thread(struct rt_state *s, int64_t tid, int64_t pid, int64_t ptid,
                        const char *comm, const char *exepath, uint32_t uid)
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
	t.args = (char *)"-c\0id\0";
	t.args_len = 6;
	t.nargs = 2;
	t.cwd = (char *)"/root/";
	t.uid = t.euid = t.gid = t.egid = uid;
	t.loginuid = UINT32_MAX;
	t.container_id = (char *)"host";
	t.cgroups = (char *)"cpuset=/\0\0";
	if (!rt_state_add_thread(s, &t))
		die("state", "cannot add a thread");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_seeds DIR\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/event", argv[1]);
	mkdir(argv[1], 0755);
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path, strerror(errno));
	snprintf(path, sizeof(path), "%s/replay", argv[1]);
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path, strerror(errno));

	struct rt_event_builder b = {0};
	for (unsigned k = 0; k < FK_EVENT_COUNT; k++) {
		const struct fk_event_hdr *h = build(&b, k, 200, 200, TS + k);
		snprintf(path, sizeof(path), "%s/event/%03u-%s.bin", argv[1], k,
		         rt_event_info(k)->name);
		write_file(path, h, h->len);
	}

	struct rt_state *s = rt_state_new();
	rt_state_add_user(s, 0, 0, "root", "/root", "/bin/bash");
	rt_state_add_user(s, 1000, 1000, "alice", "/home/alice", "/bin/zsh");
	rt_state_add_group(s, 0, "root");
	rt_state_add_group(s, 1000, "alice");
	seed_thread(s, 1, 1, 0, "systemd", "/usr/lib/systemd/systemd", 0);
	seed_thread(s, 100, 100, 1, "bash", "/usr/bin/bash", 1000);
	seed_thread(s, 200, 200, 100, "sh", "/usr/bin/sh", 1000);
	struct rt_fd fd = {.num = 3, .type = RT_FD_FILE, .name = (char *)"/etc/passwd"};
	rt_state_add_fd(s, 200, &fd);
	char err[512];
	snprintf(path, sizeof(path), "%s/replay/small.fcap", argv[1]);
	struct rt_capture_writer *w =
	    rt_capture_writer_new(path, "seed-host", TS, err, sizeof(err));
	if (!w)
		die(path, err);
	if (rt_capture_write_state(w, s))
		die(path, "cannot write the state");
	static const uint32_t tids[] = {200, 100, 4242}; /* 4242: never seen, a lazy thread */
	for (unsigned k = 0; k < FK_EVENT_COUNT; k++) {
		uint32_t tid = tids[k % 3];
		const struct fk_event_hdr *h = build(&b, k, tid, tid, TS + 1000 * k);
		if (rt_capture_write_event(w, h, 0))
			die(path, "cannot write an event");
	}
	if (rt_capture_writer_close(w))
		die(path, "cannot close");
	rt_state_free(s);
	rt_event_builder_fini(&b);
	return 0;
}
