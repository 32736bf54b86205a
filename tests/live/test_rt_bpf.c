/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_bpf.c - live test of the eBPF capture (ctest live_bpf, label privileged): loads the
 * capture, performs real actions (openat of a new file, a rename, a loopback connect/accept,
 * fork + execve of /bin/true, a prctl captured as GENERIC), polls the ring buffer, decodes
 * every record with rt_event_decode and checks the expected events parameter by parameter.
 * Exits 77 (ctest's skip) only when not root or without BTF/eBPF. */
#define _GNU_SOURCE
#include "runtime/rt_bpf.h"
#include "runtime/rt_event.h"
#include "tests/live/live_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SKIP 77


/* What the actions did, and what was seen. */
struct live {
	pid_t self, child;
	char oldpath[256], newpath[256];
	int fd;                         /* from openat */
	struct stat st;
	int cfd, lport, cport;          /* client fd; listener port; client port */
	int seen_open, seen_rename, seen_connect, seen_accept, seen_exec, seen_clone, seen_exit,
	    seen_generic;
	unsigned records;
};

static int64_t s64(const struct rt_event *ev, const char *name)
{
	int64_t v = INT64_MIN;
	rt_param_s64(ev, name, &v);
	return v;
}

static uint64_t u64(const struct rt_event *ev, const char *name)
{
	uint64_t v = UINT64_MAX;
	rt_param_u64(ev, name, &v);
	return v;
}

static const char *str(const struct rt_event *ev, const char *name)
{
	const char *s = rt_param_str(ev, name);
	return s ? s : "(absent)";
}

/* Checks an AF_INET SOCKTUPLE: sip:sport -> dip:dport, all 127.0.0.1. */
static void check_tuple(const struct rt_event *ev, int sport, int dport)
{
	const uint8_t *p;
	uint16_t len, sp, dp;
	uint32_t sa, da, lo = htonl(INADDR_LOOPBACK);
	if (!rt_param_bytes(ev, "tuple", &p, &len) || len != 13) {
		CHECK(0, "%s tuple absent or not AF_INET (len %u)", rt_event_name(ev),
		      rt_param_bytes(ev, "tuple", &p, &len) ? len : 0);
		return;
	}
	memcpy(&sa, p + 1, 4);
	memcpy(&sp, p + 5, 2);
	memcpy(&da, p + 7, 4);
	memcpy(&dp, p + 11, 2);
	CHECK(p[0] == FK_AF_INET, "family %u", p[0]);
	CHECK(sa == lo && da == lo, "addresses %08x -> %08x", ntohl(sa), ntohl(da));
	CHECK(sp == sport && dp == dport, "ports %u -> %u, want %d -> %d", sp, dp, sport, dport);
}

static int on_record(const struct fk_event_hdr *rec, void *ctx)
{
	struct live *l = ctx;
	struct rt_event ev;
	char err[256];
	if (rt_event_decode(&ev, rec, rec->len, err, sizeof(err)) < 0) {
		CHECK(0, "undecodable record of type %u: %s", rec->type, err);
		return 0;
	}
	l->records++;
	CHECK(ev.nparams == ev.info->nparams, "%s: %u parameters, the table has %u",
	      rt_event_name(&ev), ev.nparams, ev.info->nparams);
	if (rec->tgid != (uint32_t)l->self && rec->tgid != (uint32_t)l->child)
		return 0;
	unsigned t = rec->type;
	if (t == FK_EVENT_OPENAT && strcmp(str(&ev, "name"), l->oldpath) == 0) {
		l->seen_open++;
		CHECK(s64(&ev, "fd") == l->fd && rec->res == l->fd, "fd %lld", (long long)s64(&ev, "fd"));
		CHECK(s64(&ev, "dirfd") == AT_FDCWD, "dirfd %lld", (long long)s64(&ev, "dirfd"));
		uint64_t fl = u64(&ev, "flags");
		/* PPM_O_WRONLY | PPM_O_CREAT | PPM_O_F_CREATED */
		CHECK(fl == ((1u << 1) | (1u << 2) | (1u << 14)), "flags %#llx", (unsigned long long)fl);
		CHECK(u64(&ev, "mode") == 0640, "mode %llo", (unsigned long long)u64(&ev, "mode"));
		CHECK(u64(&ev, "ino") == l->st.st_ino, "ino %llu, stat %llu",
		      (unsigned long long)u64(&ev, "ino"), (unsigned long long)l->st.st_ino);
		CHECK(u64(&ev, "dev") == (uint32_t)l->st.st_dev, "dev %#llx, stat %#llx",
		      (unsigned long long)u64(&ev, "dev"), (unsigned long long)l->st.st_dev);
		CHECK(rec->tid == (uint32_t)l->self, "tid %u", rec->tid);
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t age = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - (int64_t)rec->ts_ns;
		CHECK(age >= 0 && age < 60 * 1000000000ll, "ts_ns %llu is %lld ns from now",
		      (unsigned long long)rec->ts_ns, (long long)age);
	} else if (t == FK_EVENT_RENAME && strcmp(str(&ev, "oldpath"), l->oldpath) == 0) {
		l->seen_rename++;
		CHECK(rec->res == 0 && s64(&ev, "res") == 0, "res %lld", (long long)rec->res);
		CHECK(strcmp(str(&ev, "newpath"), l->newpath) == 0, "newpath %s", str(&ev, "newpath"));
	} else if (t == FK_EVENT_CONNECT && s64(&ev, "fd") == l->cfd) {
		l->seen_connect++;
		CHECK(rec->res == 0, "res %lld", (long long)rec->res);
		check_tuple(&ev, l->cport, l->lport);
		const uint8_t *p;
		uint16_t len, port;
		uint32_t a;
		CHECK(rt_param_bytes(&ev, "addr", &p, &len) && len == 7, "addr absent");
		if (rt_param_bytes(&ev, "addr", &p, &len) && len == 7) {
			memcpy(&a, p + 1, 4);
			memcpy(&port, p + 5, 2);
			CHECK(p[0] == FK_AF_INET && a == htonl(INADDR_LOOPBACK) && port == l->lport,
			      "addr %u %08x:%u", p[0], ntohl(a), port);
		}
	} else if ((t == FK_EVENT_ACCEPT || t == FK_EVENT_ACCEPT4) && rec->res >= 0 &&
		   rec->tgid == (uint32_t)l->self) {
		l->seen_accept++;
		check_tuple(&ev, l->cport, l->lport);
		CHECK(u64(&ev, "queuemax") == 8, "queuemax %llu", (unsigned long long)u64(&ev, "queuemax"));
	} else if (t == FK_EVENT_EXECVE && rec->tgid == (uint32_t)l->child) {
		l->seen_exec++;
		const uint8_t *p;
		uint16_t len;
		static const char want_args[] = "fk-arg1\0fk arg2";
		CHECK(rec->res == 0, "res %lld", (long long)rec->res);
		CHECK(strcmp(str(&ev, "exe"), "/bin/true") == 0, "exe %s", str(&ev, "exe"));
		CHECK(rt_param_bytes(&ev, "args", &p, &len) && len == sizeof(want_args) &&
			      memcmp(p, want_args, len) == 0,
		      "args (%u bytes) %.*s", len, (int)len, (const char *)p);
		CHECK(strcmp(str(&ev, "comm"), "true") == 0, "comm %s", str(&ev, "comm"));
		CHECK(strcmp(str(&ev, "filename"), "/bin/true") == 0, "filename %s",
		      str(&ev, "filename"));
		CHECK(s64(&ev, "pid") == l->child && s64(&ev, "tid") == l->child, "pid %lld",
		      (long long)s64(&ev, "pid"));
		CHECK(s64(&ev, "ptid") == l->self, "ptid %lld", (long long)s64(&ev, "ptid"));
		CHECK(u64(&ev, "uid") == geteuid(), "uid %llu", (unsigned long long)u64(&ev, "uid"));
		CHECK(rt_param_bytes(&ev, "env", &p, &len) && memmem(p, len, "FK_LIVE=1", 10),
		      "env lacks FK_LIVE=1");
	} else if ((t == FK_EVENT_CLONE || t == FK_EVENT_CLONE3 || t == FK_EVENT_FORK) &&
		   rec->tgid == (uint32_t)l->self && rec->res == l->child) {
		l->seen_clone++;
		CHECK(s64(&ev, "pid") == l->self, "pid %lld", (long long)s64(&ev, "pid"));
		CHECK(strlen(str(&ev, "comm")) > 0, "comm empty");
		CHECK(strstr(str(&ev, "exe"), "test_rt_bpf") != NULL, "exe %s", str(&ev, "exe"));
		/* glibc's fork: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD */
		CHECK((u64(&ev, "flags") & ((1u << 23) | (1u << 24))) == ((1u << 23) | (1u << 24)),
		      "flags %#llx", (unsigned long long)u64(&ev, "flags"));
	} else if (t == FK_EVENT_PROCEXIT && rec->tgid == (uint32_t)l->child) {
		l->seen_exit++;
		CHECK(s64(&ev, "status") == 0 && s64(&ev, "ret") == 0, "status %lld",
		      (long long)s64(&ev, "status"));
	} else if (t == FK_EVENT_GENERIC && rec->tgid == (uint32_t)l->self) {
		if (strcmp(rt_event_name(&ev), "prctl") == 0) {
			l->seen_generic++;
			CHECK(u64(&ev, "nativeID") == SYS_prctl, "nativeID %llu",
			      (unsigned long long)u64(&ev, "nativeID"));
		}
	}
	return 0;
}

static void act(struct live *l)
{
	char dir[] = "/tmp/fk_live_XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(l->oldpath, sizeof(l->oldpath), "%s/a.txt", dir);
	snprintf(l->newpath, sizeof(l->newpath), "%s/b.txt", dir);
	/* the raw syscalls, so that libc's choice of variant cannot change the event type */
	l->fd = (int)syscall(SYS_openat, AT_FDCWD, l->oldpath, O_CREAT | O_WRONLY, 0640);
	fstat(l->fd, &l->st);
	close(l->fd);
	syscall(SYS_rename, l->oldpath, l->newpath);
	unlink(l->newpath);
	rmdir(dir);

	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	bind(lfd, (struct sockaddr *)&a, sizeof(a));
	listen(lfd, 8);
	getsockname(lfd, (struct sockaddr *)&a, &alen);
	l->lport = ntohs(a.sin_port);
	l->cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(l->cfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		perror("connect");
	struct sockaddr_in c;
	alen = sizeof(c);
	getsockname(l->cfd, (struct sockaddr *)&c, &alen);
	l->cport = ntohs(c.sin_port);
	int afd = accept(lfd, NULL, NULL);
	close(afd);
	close(l->cfd);
	close(lfd);

	char *argv[] = { "/bin/true", "fk-arg1", "fk arg2", NULL };
	char *envp[] = { "FK_LIVE=1", "PATH=/bin:/usr/bin", NULL };
	l->child = fork();
	if (l->child == 0) {
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	int status;
	waitpid(l->child, &status, 0);

	char name[32];
	syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0);
}

int main(void)
{
	static char err[16384];
	struct live l = { .self = getpid() };
	setvbuf(stdout, NULL, _IONBF, 0);
	int rc = rt_bpf_probe(err, sizeof(err));
	if (rc < 0) {
		printf("SKIP: %s\n", err);
		return SKIP;
	}
	bool types[FK_EVENT_COUNT] = { 0 };
	unsigned want[] = { FK_EVENT_OPENAT, FK_EVENT_RENAME, FK_EVENT_CONNECT, FK_EVENT_ACCEPT,
			    FK_EVENT_ACCEPT4, FK_EVENT_EXECVE, FK_EVENT_CLONE, FK_EVENT_CLONE3,
			    FK_EVENT_FORK, FK_EVENT_VFORK, FK_EVENT_PROCEXIT, FK_EVENT_CLOSE,
			    FK_EVENT_PRCTL /* no handler: comes as GENERIC */ };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		types[want[i]] = true;
	struct rt_bpf_opts opts = { .types = types };
	struct rt_bpf *b = live_bpf_open(&opts);
	CHECK(rt_bpf_syscall_nr("openat") == SYS_openat, "openat is %d", rt_bpf_syscall_nr("openat"));
	CHECK(strcmp(rt_bpf_syscall_name(SYS_execve), "execve") == 0, "execve");
	CHECK(rt_bpf_syscall_event(SYS_pread64) == FK_EVENT_PREAD, "pread64");

	act(&l);
	for (int i = 0; i < 50; i++) {
		rc = rt_bpf_poll(b, 100, on_record, &l);
		CHECK(rc >= 0, "rt_bpf_poll: %d", rc);
		if (l.seen_open && l.seen_rename && l.seen_connect && l.seen_accept && l.seen_exec &&
		    l.seen_clone && l.seen_exit && l.seen_generic)
			break;
	}
	struct rt_bpf_stats st;
	rt_bpf_get_stats(b, &st);
	printf("records %u; kernel: %llu events, %llu drops, %llu without handler; delivered %llu\n",
	       l.records, (unsigned long long)st.events, (unsigned long long)st.drops,
	       (unsigned long long)st.no_handler, (unsigned long long)st.delivered);
	CHECK(l.seen_open == 1, "openat seen %d times", l.seen_open);
	CHECK(l.seen_rename == 1, "rename seen %d times", l.seen_rename);
	CHECK(l.seen_connect == 1, "connect seen %d times", l.seen_connect);
	CHECK(l.seen_accept == 1, "accept seen %d times", l.seen_accept);
	CHECK(l.seen_exec == 1, "execve seen %d times", l.seen_exec);
	CHECK(l.seen_clone == 1, "clone seen %d times", l.seen_clone);
	CHECK(l.seen_exit == 1, "procexit seen %d times", l.seen_exit);
	CHECK(l.seen_generic == 1, "prctl (generic) seen %d times", l.seen_generic);
	CHECK(st.events >= l.records && st.delivered == l.records, "counters");
	CHECK(st.no_handler == 0, "no_handler %llu", (unsigned long long)st.no_handler);
	rt_bpf_free(b);
	printf("%s\n", live_failures ? "FAILED" : "ok");
	return live_failures ? 1 : 0;
}
