/* SPDX-License-Identifier: Apache-2.0 */
/* bench_eval.c - how fast the reference interpreter runs every upstream syscall rule over a
 * realistic event stream, and how much memory state keeps per thread and per fd.
 *
 * The rules are falcosecurity-rules' falco_rules.yaml, falco-incubating_rules.yaml and
 * falco-sandbox_rules.yaml, loaded together into one unit (Falco's defaults: enabled rules,
 * first match). The stream is generated up front with rt_event_builder, so only decoding,
 * state and rules are timed: a few hundred processes (host and containers) mostly opening,
 * reading and closing files of no interest, with some network sessions, fstat/mmap noise and a
 * few spawns (clone, child, execve, exit). The same stream is replayed several times; its
 * processes exit and fds close, so state stays the same size from pass to pass.
 *
 * Prints events per second through rt_engine_process and through state alone, the share of
 * events that reach rule evaluation (the engine's event-type index rebuilt here from the same
 * public analysis, fc_evtset_of), and the heap bytes state holds per thread and per fd
 * (glibc mallinfo2 before and after adding N of them). Numbers only: nothing is asserted. */
#include "compiler/fc.h"
#include "compiler/fc_evtset.h"
#include "compiler/fc_evttypes.h"
#include "compiler/fc_rules.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

#ifndef FC_COMPAT_DIR
#define FC_COMPAT_DIR "../shared/compat"
#endif

#define TS0 1700000000000000000ull

static const char *const rule_files[] = {
    "falcosecurity-rules/rules/falco_rules.yaml",
    "falcosecurity-rules/rules/falco-incubating_rules.yaml",
    "falcosecurity-rules/rules/falco-sandbox_rules.yaml",
};
#define NFILES (sizeof(rule_files) / sizeof(rule_files[0]))

/* --- a deterministic generator ------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* --- the stream: records packed back to back, 8-byte aligned ------------------------------- */

struct stream {
	uint8_t *buf;
	size_t len, cap;
	size_t n;
};

static struct rt_event_builder bld;
static uint64_t ts = TS0;

static void st_push(struct stream *s)
{
	const struct fk_event_hdr *h = rt_event_builder_finish(&bld);
	size_t need = (h->len + 7u) & ~(size_t)7;
	if (s->len + need > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1 << 20;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf) {
			fprintf(stderr, "bench_eval: out of memory\n");
			exit(2);
		}
	}
	memcpy(s->buf + s->len, h, h->len);
	s->len += need;
	s->n++;
}

/* Parameters by name; those not given are empty (as a probe that did not fill them). */
struct pv {
	const char *name;
	int kind; /* 'i' integer of the parameter's width, 's' string, 'b' bytes */
	int64_t i;
	const void *p;
	size_t len;
};
#define PI(n, v)                                                                                   \
	{                                                                                          \
		n, 'i', (int64_t)(v), NULL, 0                                                      \
	}
#define PS(n, v)                                                                                   \
	{                                                                                          \
		n, 's', 0, v, 0                                                                    \
	}
#define PB(n, v, l)                                                                                \
	{                                                                                          \
		n, 'b', 0, v, l                                                                    \
	}

static unsigned pwidth(enum fk_param_type t)
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

static void ev(struct stream *s, unsigned type, uint32_t tid, uint32_t pid, int64_t res,
               const struct pv *pv, size_t npv)
{
	const struct rt_event_info *info = rt_event_info(type);
	ts += 1000 + rnd(5000);
	rt_event_builder_begin(&bld, type, ts, tid, pid, res);
	for (unsigned i = 0; i < info->nparams; i++) {
		const struct pv *v = NULL;
		for (size_t k = 0; k < npv && !v; k++)
			if (strcmp(pv[k].name, info->params[i].name) == 0)
				v = &pv[k];
		if (!v)
			rt_event_builder_add_empty(&bld);
		else if (v->kind == 'i')
			rt_event_builder_add_u64(&bld, (uint64_t)v->i,
			                         pwidth(info->params[i].type));
		else if (v->kind == 's')
			rt_event_builder_add_str(&bld, v->p);
		else
			rt_event_builder_add(&bld, v->p, (uint16_t)v->len);
	}
	st_push(s);
}
#define EV(s, type, tid, pid, res, ...)                                                            \
	ev(s, FK_EVENT_##type, tid, pid, res, (const struct pv[]){__VA_ARGS__},                    \
	   sizeof((const struct pv[]){__VA_ARGS__}) / sizeof(struct pv))

/* --- processes ------------------------------------------------------------------------------ */

struct proc {
	uint32_t pid;
	const char *comm, *exepath, *cwd;
	const char *cid; /* container id or "host" */
};

static const struct {
	const char *comm, *exepath, *cwd;
} images[] = {
    {"nginx", "/usr/sbin/nginx", "/"},
    {"python3", "/usr/bin/python3.11", "/srv/app/"},
    {"java", "/usr/lib/jvm/java-17/bin/java", "/opt/app/"},
    {"node", "/usr/local/bin/node", "/usr/src/app/"},
    {"postgres", "/usr/lib/postgresql/15/bin/postgres", "/var/lib/postgresql/"},
    {"redis-server", "/usr/bin/redis-server", "/data/"},
    {"sshd", "/usr/sbin/sshd", "/"},
    {"containerd", "/usr/bin/containerd", "/"},
    {"kubelet", "/usr/bin/kubelet", "/"},
    {"bash", "/usr/bin/bash", "/root/"},
    {"cron", "/usr/sbin/cron", "/"},
    {"systemd-journal", "/usr/lib/systemd/systemd-journald", "/"},
};
#define NIMAGES (sizeof(images) / sizeof(images[0]))

static const char *const cids[] = {"host",         "host",         "host",        "3ad7f1c2e9b0",
                                   "91c0aa7be412", "5e6d7f8a9b0c", "c0ffee123456"};

static const char *const benign_files[] = {
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/proc/self/stat",
    "/proc/meminfo",
    "/var/lib/app/data/segment-0001.db",
    "/srv/app/static/index.html",
    "/etc/localtime",
    "/usr/share/zoneinfo/UTC",
    "/sys/fs/cgroup/cpu.max",
    "/tmp/app-cache/entry",
    "/var/log/app/access.log",
    "/dev/urandom",
    "/opt/app/lib/app.jar",
    "/etc/ld.so.cache",
    "/usr/lib/python3.11/json/__init__.py",
    "/etc/hosts",
    "/etc/resolv.conf",
};
#define NBENIGN (sizeof(benign_files) / sizeof(benign_files[0]))

static const char *const spawn_images[][2] = {
    {"ls", "/usr/bin/ls"},     {"sh", "/usr/bin/dash"},   {"date", "/usr/bin/date"},
    {"curl", "/usr/bin/curl"}, {"grep", "/usr/bin/grep"}, {"python3", "/usr/bin/python3"},
    {"git", "/usr/bin/git"},   {"cat", "/usr/bin/cat"},
};
#define NSPAWN (sizeof(spawn_images) / sizeof(spawn_images[0]))

static struct proc *procs;
static unsigned nprocs;

static void seed_state(struct rt_state *s)
{
	rt_state_set_hostname(s, "bench-host");
	rt_state_add_user(s, 0, 0, "root", "/root", "/bin/bash");
	rt_state_add_user(s, 1000, 1000, "app", "/home/app", "/bin/bash");
	rt_state_add_user(s, 101, 101, "nginx", "/var/cache/nginx", "/sbin/nologin");
	for (unsigned i = 0; i < nprocs; i++) {
		struct proc *p = &procs[i];
		struct rt_thread t = {0};
		t.tid = t.pid = p->pid;
		t.ptid = i < 2 ? 1 : procs[rnd(i)].pid;
		t.vtid = t.vpid = -1;
		t.sid = t.pgid = p->pid;
		strncpy(t.comm, p->comm, sizeof(t.comm) - 1);
		t.exe = (char *)p->exepath;
		t.exepath = (char *)p->exepath;
		t.args = (char *)"--config\0/etc/app/config.yaml\0";
		t.args_len = 30;
		t.nargs = 2;
		t.cwd = (char *)p->cwd;
		t.uid = t.euid = t.gid = t.egid = i % 3 ? 1000 : 0;
		t.loginuid = UINT32_MAX;
		t.container_id = (char *)p->cid;
		t.cgroups = (char *)"cpuset=/\0\0";
		rt_state_add_thread(s, &t);
		for (int fd = 0; fd < 3; fd++) {
			struct rt_fd f = {
			    .num = fd, .type = RT_FD_FILE, .name = (char *)"/dev/null"};
			rt_state_add_fd(s, p->pid, &f);
		}
	}
}

/* --- scenarios ------------------------------------------------------------------------------ */

static void file_access(struct stream *s, struct proc *p)
{
	const char *f = benign_files[rnd(NBENIGN)];
	int64_t fd = 3 + rnd(20);
	EV(s, OPENAT, p->pid, p->pid, fd, PI("fd", fd), PI("dirfd", RT_AT_FDCWD), PS("name", f),
	   PI("flags", RT_O_RDONLY | RT_O_CLOEXEC), PI("mode", 0), PI("dev", 2049),
	   PI("ino", 1000 + rnd(1000)));
	for (unsigned i = 0, n = 1 + rnd(3); i < n; i++)
		EV(s, READ, p->pid, p->pid, 4096, PI("res", 4096), PB("data", "data....", 8),
		   PI("fd", fd), PI("size", 4096));
	EV(s, CLOSE, p->pid, p->pid, 0, PI("res", 0), PI("fd", fd));
}

static void write_log(struct stream *s, struct proc *p)
{
	int64_t fd = 25;
	EV(s, OPENAT, p->pid, p->pid, fd, PI("fd", fd), PI("dirfd", RT_AT_FDCWD),
	   PS("name", "/var/log/app/app.log"), PI("flags", RT_O_WRONLY | RT_O_APPEND | RT_O_CREAT),
	   PI("mode", 0644));
	EV(s, WRITE, p->pid, p->pid, 120, PI("res", 120), PB("data", "GET /api", 8), PI("fd", fd),
	   PI("size", 120));
	EV(s, CLOSE, p->pid, p->pid, 0, PI("res", 0), PI("fd", fd));
}

static void net_session(struct stream *s, struct proc *p)
{
	int64_t fd = 30 + rnd(10);
	uint8_t tup[13] = {FK_AF_INET, 10, 0, 0, 5};
	uint16_t sport = (uint16_t)(32768 + rnd(20000)), dport = rnd(4) ? 443 : 5432;
	memcpy(tup + 5, &sport, 2);
	tup[7] = 10, tup[8] = 0, tup[9] = (uint8_t)rnd(4), tup[10] = (uint8_t)(1 + rnd(200));
	memcpy(tup + 11, &dport, 2);
	uint8_t addr[7] = {FK_AF_INET};
	memcpy(addr + 1, tup + 7, 4);
	memcpy(addr + 5, &dport, 2);
	EV(s, SOCKET, p->pid, p->pid, fd, PI("fd", fd), PI("domain", 2), PI("type", 1),
	   PI("proto", 0));
	EV(s, CONNECT, p->pid, p->pid, 0, PI("res", 0), PB("tuple", tup, 13), PI("fd", fd),
	   PB("addr", addr, 7));
	EV(s, SENDTO, p->pid, p->pid, 64, PI("res", 64), PB("data", "HELO", 4), PI("fd", fd),
	   PI("size", 64));
	EV(s, RECVFROM, p->pid, p->pid, 512, PI("res", 512), PB("data", "OK", 2), PI("fd", fd),
	   PI("size", 512));
	EV(s, CLOSE, p->pid, p->pid, 0, PI("res", 0), PI("fd", fd));
}

static void noise(struct stream *s, struct proc *p)
{
	switch (rnd(3)) {
	case 0:
		EV(s, FSTAT, p->pid, p->pid, 0, PI("res", 0), PI("fd", rnd(3)));
		break;
	case 1:
		EV(s, MMAP, p->pid, p->pid, 0x7f0000000000, PI("res", 0x7f0000000000),
		   PI("length", 8192), PI("prot", 3), PI("flags", 0x22), PI("fd", -1));
		break;
	default:
		EV(s, GENERIC, p->pid, p->pid, 0, PS("ID", "getpid"), PI("nativeID", 39));
		break;
	}
}

static uint32_t next_child = 100000;

static void spawn(struct stream *s, struct proc *p)
{
	uint32_t c = next_child++;
	if (next_child > 4000000)
		next_child = 100000;
	const char *const *img = spawn_images[rnd(NSPAWN)];
	EV(s, CLONE, p->pid, p->pid, c, PI("res", c), PS("exe", p->exepath), PI("tid", p->pid),
	   PI("pid", p->pid), PS("comm", p->comm), PI("flags", 0));
	EV(s, CLONE, c, c, 0, PI("res", 0), PS("exe", p->exepath), PI("tid", c), PI("pid", c),
	   PI("ptid", p->pid), PS("comm", p->comm), PI("flags", 0));
	EV(s, EXECVE, c, c, 0, PI("res", 0), PS("exe", img[0]), PB("args", "-l\0/tmp\0", 8),
	   PI("tid", c), PI("pid", c), PI("ptid", p->pid), PS("cwd", p->cwd), PS("comm", img[0]),
	   PI("uid", 1000), PI("gid", 1000), PS("filename", img[1]), PS("exepath", img[1]));
	file_access(s, &(struct proc){c, img[0], img[1], p->cwd, p->cid});
	EV(s, PROCEXIT, c, c, 0, PI("status", 0), PI("ret", 0), PI("sig", 0), PI("core", 0),
	   PI("reaper_tid", 0));
}

/* A few interesting events: some rules match them. */
static void suspicious(struct stream *s, struct proc *p)
{
	static const char *const files[] = {"/etc/shadow", "/etc/sudoers", "/root/.ssh/id_rsa"};
	EV(s, OPENAT, p->pid, p->pid, 40, PI("fd", 40), PI("dirfd", RT_AT_FDCWD),
	   PS("name", files[rnd(3)]), PI("flags", RT_O_RDONLY), PI("mode", 0));
	EV(s, CLOSE, p->pid, p->pid, 0, PI("res", 0), PI("fd", 40));
}

static void build_stream(struct stream *s, size_t want)
{
	while (s->n < want) {
		struct proc *p = &procs[rnd(nprocs)];
		unsigned r = rnd(1000);
		if (r < 640)
			file_access(s, p);
		else if (r < 720)
			write_log(s, p);
		else if (r < 820)
			net_session(s, p);
		else if (r < 965)
			noise(s, p);
		else if (r < 995)
			spawn(s, p);
		else
			suspicious(s, p);
	}
}

/* --- the engine's index, rebuilt from the public analysis --------------------------------- */

struct idx {
	unsigned by_evt[FC_EVT_COUNT];
	unsigned any;
	unsigned nrules;
};

static void index_rules(const struct fc_ruleset *rs, struct idx *x)
{
	memset(x, 0, sizeof(*x));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!r->valid || r->skipped || !r->ast || !r->enabled || r->src != FC_SRC_SYSCALL)
			continue;
		x->nrules++;
		struct fc_evtset t, f;
		fc_evtset_of(r->ast, &t, &f);
		if (fc_evtset_count(&t) == FC_EVT_COUNT)
			x->any++;
		for (int k = 0; k < FC_EVT_COUNT; k++)
			if (fc_evtset_has(&t, k))
				x->by_evt[k]++;
	}
}

static unsigned candidates(const struct idx *x, const struct rt_event *e)
{
	const char *name = rt_event_name(e);
	int k = fc_evttype_lookup(name, strlen(name));
	return k >= 0 ? x->by_evt[k] : x->any;
}

/* --- runs ---------------------------------------------------------------------------------- */

static uint64_t nalerts;

static void on_alert(const struct rt_alert *a, void *user)
{
	(void)a;
	(void)user;
	nalerts++;
}

/* One pass over the stream; engine NULL: state only. Returns ms. */
static double pass(const struct stream *s, struct rt_engine *e, struct rt_state *st)
{
	char err[256];
	double t0 = bench_now_ms();
	for (size_t off = 0, num = 1; off < s->len; num++) {
		const struct fk_event_hdr *h = (const struct fk_event_hdr *)(s->buf + off);
		struct rt_event evt;
		if (rt_event_decode(&evt, h, s->len - off, err, sizeof(err)) != 0) {
			fprintf(stderr, "bench_eval: generated event does not decode: %s\n", err);
			exit(2);
		}
		evt.num = num;
		if (e) {
			rt_engine_process(e, st, &evt, on_alert, NULL);
		} else {
			rt_state_pre(st, &evt);
			rt_state_post(st, &evt);
		}
		off += (h->len + 7u) & ~(size_t)7;
	}
	return bench_now_ms() - t0;
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void memory(unsigned n)
{
	printf("\nstate memory (heap bytes, mallinfo2, %u of each):\n", n);
	/* threads as a snapshot gives them: the strings of a typical server process */
	struct rt_state *s = rt_state_new();
	size_t before = heap_used();
	static const char env[] =
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0HOME=/home/app\0"
	    "LANG=C.UTF-8\0HOSTNAME=web-7d9f8c6b5-x2x9z\0KUBERNETES_SERVICE_HOST=10.96.0.1\0"
	    "KUBERNETES_SERVICE_PORT=443\0APP_ENV=production\0";
	for (unsigned i = 0; i < n; i++) {
		struct rt_thread t = {0};
		t.tid = t.pid = 10000 + i;
		t.ptid = 1;
		t.vtid = t.vpid = -1;
		strcpy(t.comm, "python3");
		t.exe = (char *)"python3";
		t.exepath = (char *)"/usr/bin/python3.11";
		t.args = (char *)"-m\0gunicorn\0app:server\0--workers\0004\0";
		t.args_len = 36;
		t.nargs = 5;
		t.env = (char *)env;
		t.env_len = sizeof(env);
		t.cwd = (char *)"/srv/app/";
		t.cgroups = (char *)"0=/kubepods/burstable/pod1234/3ad7f1c2e9b0aa\0\0";
		t.container_id = (char *)"3ad7f1c2e9b0";
		t.loginuid = UINT32_MAX;
		rt_state_add_thread(s, &t);
	}
	size_t after = heap_used();
	printf("  per process (snapshot: exe, args, %zu-byte env, cwd, cgroups)  %8.1f B\n",
	       sizeof(env), (double)(after - before) / n);
	rt_state_free(s);

	/* threads made up from events of unknown tids (no strings) */
	s = rt_state_new();
	struct rt_event_builder b = {0};
	before = heap_used();
	for (unsigned i = 0; i < n; i++) {
		rt_event_builder_begin(&b, FK_EVENT_FSTAT, TS0 + i, 20000 + i, 20000 + i, 0);
		rt_event_builder_add_u64(&b, 0, 8);
		rt_event_builder_add_u64(&b, 0, 8);
		const struct fk_event_hdr *h = rt_event_builder_finish(&b);
		struct rt_event e;
		char err[128];
		if (rt_event_decode(&e, h, h->len, err, sizeof(err)) == 0) {
			rt_state_pre(s, &e);
			rt_state_post(s, &e);
		}
	}
	after = heap_used();
	rt_event_builder_fini(&b);
	printf("  per lazy thread (first seen in an event)                     %8.1f B\n",
	       (double)(after - before) / n);
	rt_state_free(s);

	/* fds of one process: files with ~35-character paths, then IPv4 sockets */
	s = rt_state_new();
	struct rt_thread t = {.tid = 42,
	                      .pid = 42,
	                      .ptid = 1,
	                      .vtid = -1,
	                      .vpid = -1,
	                      .comm = "postgres",
	                      .loginuid = UINT32_MAX};
	rt_state_add_thread(s, &t);
	rt_state_set_limits(s, 0, 2 * n + 16);
	before = heap_used();
	for (unsigned i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "/var/lib/postgresql/base/%08u", i);
		struct rt_fd f = {.num = 100 + i, .type = RT_FD_FILE, .name = name};
		rt_state_add_fd(s, 42, &f);
	}
	after = heap_used();
	printf("  per file fd (%zu-byte path)                                  %8.1f B\n",
	       strlen("/var/lib/postgresql/base/00000000"), (double)(after - before) / n);
	before = heap_used();
	for (unsigned i = 0; i < n; i++) {
		struct rt_fd f = {.num = 100 + n + i,
		                  .type = RT_FD_IPV4,
		                  .family = FK_AF_INET,
		                  .l4proto = RT_L4_TCP,
		                  .sport = 5432,
		                  .dport = (uint16_t)i,
		                  .connected = true,
		                  .name = (char *)"10.0.0.5:5432->10.0.3.17:51234"};
		rt_state_add_fd(s, 42, &f);
	}
	after = heap_used();
	printf("  per socket fd (IPv4 tuple name)                              %8.1f B\n",
	       (double)(after - before) / n);
	rt_state_free(s);
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: bench_eval [-n EVENTS] [-p PASSES] [-P PROCESSES] [-m N] [--compat DIR]\n"
	        "  -n EVENTS     events in the generated stream (default 200000)\n"
	        "  -p PASSES     timed passes over it (default 5)\n"
	        "  -P PROCESSES  processes the stream runs in (default 300)\n"
	        "  -m N          threads and fds added for the memory figures (default 20000)\n"
	        "  --compat DIR  upstream data (default %s)\n",
	        FC_COMPAT_DIR);
}

static long num_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v <= 0) {
		usage(stderr);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	size_t nevents = 200000;
	int passes = 5;
	unsigned memn = 20000;
	const char *compat = FC_COMPAT_DIR;
	nprocs = 300;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			nevents = (size_t)num_arg(argv[++i]);
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			passes = (int)num_arg(argv[++i]);
		else if (strcmp(argv[i], "-P") == 0 && i + 1 < argc)
			nprocs = (unsigned)num_arg(argv[++i]);
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			memn = (unsigned)num_arg(argv[++i]);
		else if (strcmp(argv[i], "--compat") == 0 && i + 1 < argc)
			compat = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	/* rules */
	const char *paths[NFILES];
	for (size_t f = 0; f < NFILES; f++) {
		char *p = malloc(strlen(compat) + strlen(rule_files[f]) + 2);
		if (!p)
			return 2;
		sprintf(p, "%s/%s", compat, rule_files[f]);
		paths[f] = p;
	}
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u)
		return 2;
	struct fc_ruleset *rs = fc_load_files(u, paths, (int)NFILES);
	if (fc_diag_count(u, FC_ERROR)) {
		fprintf(stderr, "bench_eval: the upstream rules do not load (%s)\n",
		        fc_diag_first(u));
		return 2;
	}
	struct rt_engine_options o = {.match = RT_MATCH_FIRST, .min_priority = FC_PRIO_DEBUG};
	struct rt_engine *e = rt_engine_new(rs, &o);
	struct idx x;
	index_rules(rs, &x);
	printf("rules: %zu in %zu files, %u loaded into the engine (%u syscall rules), %u match "
	       "every event type\n",
	       rs->nrules, NFILES, rt_engine_rule_count(e), x.nrules, x.any);

	/* stream */
	procs = calloc(nprocs, sizeof(*procs));
	if (!procs)
		return 2;
	for (unsigned i = 0; i < nprocs; i++) {
		unsigned k = rnd(NIMAGES);
		procs[i] = (struct proc){1000 + 7 * i, images[k].comm, images[k].exepath,
		                         images[k].cwd, cids[rnd(sizeof(cids) / sizeof(cids[0]))]};
	}
	struct stream s = {0};
	build_stream(&s, nevents);

	/* the mix, and what reaches the rules */
	unsigned count[FK_EVENT_COUNT] = {0};
	uint64_t reach = 0, cand = 0;
	for (size_t off = 0; off < s.len;) {
		const struct fk_event_hdr *h = (const struct fk_event_hdr *)(s.buf + off);
		struct rt_event evt;
		char err[128];
		if (rt_event_decode(&evt, h, h->len, err, sizeof(err)) != 0)
			return 2;
		count[h->type]++;
		unsigned c = candidates(&x, &evt);
		reach += c > 0;
		cand += c;
		off += (h->len + 7u) & ~(size_t)7;
	}
	printf("stream: %zu events (%.1f MB), %u processes\n  mix:", s.n, s.len / 1e6, nprocs);
	for (unsigned k = 0; k < FK_EVENT_COUNT; k++)
		if (count[k]) {
			struct rt_event_info const *info = rt_event_info(k);
			const char *name = k == FK_EVENT_GENERIC ? "syscall(getpid)" : info->name;
			printf(" %s %.1f%%", name, 100.0 * count[k] / s.n);
		}
	printf("\n  event-type index: %.1f%% of events reach rule evaluation (%.1f%% skipped); "
	       "%.2f candidate rules per event of %u\n",
	       100.0 * reach / s.n, 100.0 * (s.n - reach) / s.n, (double)cand / s.n, x.nrules);
	printf("  candidate rules by type:");
	for (unsigned k = 0; k < FK_EVENT_COUNT; k++)
		if (count[k]) {
			const char *name = rt_event_info(k)->name;
			int fk = fc_evttype_lookup(name, strlen(name));
			printf(" %s %u", name, fk >= 0 ? x.by_evt[fk] : x.any);
		}
	printf("\n\n");

	/* timing: one warm-up pass each, then the timed ones */
	struct rt_state *st = rt_state_new();
	seed_state(st);
	pass(&s, e, st);
	double *full = calloc((size_t)passes, sizeof(double));
	double *state = calloc((size_t)passes, sizeof(double));
	if (!full || !state)
		return 2;
	nalerts = 0;
	for (int i = 0; i < passes; i++)
		full[i] = pass(&s, e, st);
	uint64_t alerts = nalerts / (uint64_t)passes;
	struct rt_state *st2 = rt_state_new();
	seed_state(st2);
	pass(&s, NULL, st2);
	for (int i = 0; i < passes; i++)
		state[i] = pass(&s, NULL, st2);
	struct rt_state_stats ss;
	rt_state_stats(st, &ss);

	struct bench_stats fs = bench_stats_of(full, passes), ssn = bench_stats_of(state, passes);
	printf("per pass of %zu events (%d passes):\n", s.n, passes);
	bench_print_stats("decode + state + rules", 26, full, passes);
	bench_print_stats("decode + state only", 26, state, passes);
	double eps = s.n / (fs.median / 1e3), seps = s.n / (ssn.median / 1e3);
	printf("events/s, median pass: %.0f with every rule (%.2f us/event), %.0f state only "
	       "(%.2f us/event)\n",
	       eps, 1e3 * fs.median / s.n, seps, 1e3 * ssn.median / s.n);
	printf("rules' share of the time: %.0f%%; alerts per pass: %" PRIu64
	       " (%.3f%% of events)\n",
	       100.0 * (fs.median - ssn.median) / fs.median, alerts, 100.0 * alerts / s.n);
	printf("state after the runs: %" PRIu64 " threads, %" PRIu64 " fds\n", ss.threads, ss.fds);

	memory(memn);

	rt_state_free(st);
	rt_state_free(st2);
	rt_engine_free(e);
	fc_unit_free(u);
	rt_event_builder_fini(&bld);
	free(s.buf);
	free(procs);
	free(full);
	free(state);
	for (size_t f = 0; f < NFILES; f++)
		free((void *)paths[f]);
	return 0;
}
