/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_event.c - libFuzzer target for one event record: decoding (runtime/rt_event.c), then
 * state (rt_state_pre/rt_state_post), the interpreter and the outputs through
 * rt_engine_process with the fixed ruleset of fuzz_engine.c.
 *
 * Each input is one record as bpf/fk_shared.h lays it out. It is decoded as is first, so
 * absurd lengths, unknown types and truncated parameter tables hit rt_event_decode's checks.
 * A record it rejects is then patched (length set to the input's size, type and nparams
 * wrapped into range) and decoded again, so that the bytes still reach state and rules. A
 * decoded record runs twice through a fresh, pre-seeded state: known processes with threads,
 * fds of every type, users, a container, and small table limits so that eviction runs. The
 * second run sees the first one's effects: a clone whose child now exists (pid reuse), a
 * close of a closed fd, an exit of a removed thread. Events of unknown tids make lazy
 * threads. Nothing may crash, leak, hit UB or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_engine.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"
#include "tests/fuzz/fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void seed_thread(struct rt_state *s, int64_t tid, int64_t pid, int64_t ptid,
                        const char *comm, const char *exepath, const char *args, size_t args_len,
                        uint32_t uid, const char *cid)
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
	t.args = (char *)args;
	t.args_len = args_len;
	t.nargs = args_len ? 2 : 0;
	t.cwd = (char *)"/home/alice/";
	t.uid = t.euid = uid;
	t.gid = t.egid = uid;
	t.loginuid = uid ? uid : UINT32_MAX;
	t.container_id = (char *)cid;
	t.cgroups = (char *)"cpuset=/docker/0123456789abcdef\0\0";
	rt_state_add_thread(s, &t);
}

static void seed_fd(struct rt_state *s, int64_t tid, int64_t num, char type, const char *name)
{
	struct rt_fd fd = {.num = num, .type = type, .name = (char *)name};
	if (type == RT_FD_IPV4) {
		fd.family = FK_AF_INET;
		fd.l4proto = RT_L4_TCP;
		memcpy(fd.sip, "\x0a\x00\x00\x01", 4);
		memcpy(fd.dip, "\x08\x08\x08\x08", 4);
		fd.sport = 40000;
		fd.dport = 443;
		fd.connected = true;
	}
	rt_state_add_fd(s, tid, &fd);
}

static struct rt_state *seed_state(void)
{
	struct rt_state *s = rt_state_new();
	rt_state_set_hostname(s, "fuzz-host");
	rt_state_set_limits(s, 12, 8);
	rt_state_add_user(s, 0, 0, "root", "/root", "/bin/bash");
	rt_state_add_user(s, 1000, 1000, "alice", "/home/alice", "/bin/zsh");
	rt_state_add_group(s, 0, "root");
	rt_state_add_group(s, 1000, "alice");
	seed_thread(s, 1, 1, 0, "systemd", "/usr/lib/systemd/systemd", "", 0, 0, "host");
	seed_thread(s, 100, 100, 1, "bash", "/usr/bin/bash", "-i\0-l\0", 6, 1000, "host");
	seed_thread(s, 101, 100, 1, "bash", "/usr/bin/bash", "", 0, 1000, "host");
	seed_thread(s, 200, 200, 100, "cat", "/usr/bin/cat", "/etc/shadow\0-n\0", 15, 1000,
	            "0123456789ab");
	seed_fd(s, 100, 0, RT_FD_FILE, "/dev/pts/0");
	seed_fd(s, 100, 1, RT_FD_FILE, "/dev/pts/0");
	seed_fd(s, 100, 3, RT_FD_IPV4, "10.0.0.1:40000->8.8.8.8:443");
	seed_fd(s, 100, 4, RT_FD_UNIX, "/run/systemd/notify");
	seed_fd(s, 100, 5, RT_FD_PIPE, "pipe:[1234]");
	seed_fd(s, 100, 6, RT_FD_DIRECTORY, "/etc/");
	seed_fd(s, 200, 3, RT_FD_FILE, "/etc/shadow");
	return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)fuzz_engine_get();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FK_MAX_EVENT_LEN + 64)
		return -1;
	/* A copy of exactly size bytes at malloc alignment, so reads past it are reported. */
	uint8_t *b = malloc(size ? size : 1);
	if (!b)
		return 0;
	memcpy(b, data, size);
	char err[256];
	struct rt_event ev;
	if (rt_event_decode(&ev, b, size, err, sizeof(err)) != 0) {
		if (size < sizeof(struct fk_event_hdr)) {
			free(b);
			return 0;
		}
		struct fk_event_hdr *h = (struct fk_event_hdr *)b;
		h->len = (uint32_t)size;
		h->type = (uint16_t)(h->type % FK_EVENT_COUNT);
		h->nparams = (uint16_t)(h->nparams % (FK_MAX_PARAMS + 1));
		if (rt_event_decode(&ev, b, size, err, sizeof(err)) != 0) {
			free(b);
			return 0;
		}
	}
	(void)rt_event_name(&ev);
	struct rt_engine *e = fuzz_engine_get();
	struct rt_state *s = seed_state();
	for (uint64_t num = 1; num <= 2; num++) {
		struct rt_event again;
		if (rt_event_decode(&again, b, size, err, sizeof(err)) != 0)
			abort(); /* decoding is a pure function of the bytes */
		again.num = num;
		rt_engine_process(e, s, &again, fuzz_engine_render, NULL);
	}
	rt_state_free(s);
	free(b);
	return 0;
}
