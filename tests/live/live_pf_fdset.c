/* SPDX-License-Identifier: Apache-2.0 */
/* live_pf_fdset.c - live test of the kernel's bookkeeping of dropped opens (ctest
 * live_prefilter_fdset, label privileged; docs/prefilter.md, "close"): when a prefilter drops
 * an open, the close of its fd is dropped too, and a close of an fd userspace knows is never
 * dropped, whichever CPU the open and the close ran on.
 *
 * Loads the capture of openat, close, dup2 and fcntl with the prefilters of a one-rule file
 * (keep the opens of paths containing "keepme"), and has a child process, pinned to one CPU
 * or another with sched_setaffinity, do:
 *   A  open drop-a, close it (same CPU: the CPU's pending entry)        no record at all
 *      open keepme-a, which gets the same fd number, close it            both kept
 *   B  open drop-b1 and drop-b2, close both (the first moved to the fd set by the second)
 *                                                                         no record at all
 *      open keepme-b, close it                                            both kept
 *   C  (two CPUs) open drop-c on CPU 0; close it on CPU 1; open keepme-c on CPU 1, which
 *      gets the same fd number; close it on CPU 0, where the pending entry of drop-c has
 *      that number                                                        keepme-c's close kept
 *   D  open drop-d (pending), open keepme-d, dup2 keepme-d's fd over drop-d's, close both
 *                                                                         dup2 and both closes kept
 *   E  open keepme-e, fcntl F_DUPFD of it, F_GETFD and F_SETFD, close both
 *                                                                         only F_DUPFD of the fcntls
 *   F  pipe2 (not captured), close its write end; open keepme-f (that fd number), dup2 it
 *      over the read end, close both                                   all but the first close
 *   G  open keepme-g, drop-g1 and drop-g2 (one in the fd set, one pending), vfork: the
 *      grandchild closes all three and exits, then the child does     keepme-g's two closes
 *      (the grandchild's fd set is a copy of the child's, fk_pf_fork_fds)
 * The parent then reads the ring buffer and checks the child's records in order. Then a
 * second child runs four threads that do a random mix of the same (and move themselves from
 * CPU to CPU) a few thousand times at once, so that fd numbers pass between dropped and kept
 * opens of different threads on different CPUs: every close of an fd whose open or dup2 was
 * kept must come, the closes of dropped opens may not. Exits 77 (ctest's skip) only when not
 * root or without BTF/eBPF; with one CPU, C is skipped (said). */
#define _GNU_SOURCE
#include "compiler/fc.h"
#include "compiler/fc_prefilter.h"
#include "compiler/fc_rules.h"
#include "runtime/rt_bpf.h"
#include "runtime/rt_event.h"
#include "tests/live/live_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SKIP 77
#define MAX_RECS 256


static char dir[64];
static int cpus[2], ncpus;

/* One record of the child: its type, result, fd parameter (close) and path (openat). */
struct rec {
	unsigned type;
	int64_t res, fd;
	char path[128];
};

static struct {
	pid_t child, vchild;            /* the child; its vfork child (G) */
	struct rec r[MAX_RECS];
	int n;
	bool done;                      /* the child's last close was seen */
} seen;

/* The stress child's records: the thread, the type, the result, the fd parameter, and
 * whether it is an openat of a keepme file. */
#define STRESS_THREADS 4
#define STRESS_ITERS 3000
struct srec {
	uint32_t tid;
	uint16_t type;
	bool keep;
	int64_t res, fd;
};

static struct {
	pid_t child;
	struct srec *r;
	size_t n, cap;
	bool done;
} stress;

static char *path_in(const char *name)
{
	static __thread char bufs[8][128];     /* per thread: the stress threads share it */
	static __thread int k;
	char *b = bufs[k++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

/* A child's last act: the close of fd 100 (a dup of stdin), which tells the parent that
 * all its records are in the ring. */
static void child_done(void)
{
	if (dup2(0, 100) == 100)
		close(100);
	_exit(0);
}

/* Moves the calling thread to cpus[i]; the child reports a failure by its exit status. */
static void pin(int i)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpus[i], &set);
	if (sched_setaffinity(0, sizeof(set), &set) || sched_getcpu() != cpus[i])
		_exit(3);
}

static int open_in(const char *name)
{
	int fd = open(path_in(name), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(4);
	return fd;
}

/* The child's actions (see the header); no other openat, close or dup2 on the way. The last
 * close, of fd 100 (a dup of stdin), tells the parent the child is done. */
static void act(void)
{
	pin(0);
	int a = open_in("drop-a");
	close(a);
	close(open_in("keepme-a"));

	pin(0);
	int b1 = open_in("drop-b1");
	int b2 = open_in("drop-b2");
	close(b1);
	close(b2);
	close(open_in("keepme-b"));

	if (ncpus > 1) {
		pin(0);
		int c = open_in("drop-c");
		pin(1);
		close(c);
		int k = open_in("keepme-c");
		if (k != c)
			_exit(5);
		pin(0);
		close(k);
	}

	pin(0);
	int d = open_in("drop-d");
	int kd = open_in("keepme-d");
	if (dup2(kd, d) != d)
		_exit(6);
	close(d);
	close(kd);

	int ke = open_in("keepme-e");
	int de = fcntl(ke, F_DUPFD, 0);
	if (de < 0 || fcntl(ke, F_GETFD) < 0 || fcntl(de, F_SETFD, FD_CLOEXEC) < 0)
		_exit(8);
	close(de);
	close(ke);

	int pp[2];
	if (pipe2(pp, O_CLOEXEC) != 0)
		_exit(9);
	close(pp[1]);
	int kf = open_in("keepme-f");
	if (kf != pp[1] || dup2(kf, pp[0]) != pp[0])
		_exit(9);
	close(pp[0]);
	close(kf);

	pin(0);
	int kg = open_in("keepme-g");
	int g1 = open_in("drop-g1");
	int g2 = open_in("drop-g2");
	pid_t v = vfork();
	if (v == 0) {
		close(g1);
		close(g2);
		close(kg);
		_exit(0);
	}
	if (v < 0 || waitpid(v, NULL, 0) != v)
		_exit(10);
	FILE *f = fopen(path_in("vchild"), "w");
	if (!f || fprintf(f, "%d\n", (int)v) < 0 || fclose(f) != 0)
		_exit(10);
	close(g1);
	close(g2);
	close(kg);

	child_done();
}

/* One stress thread: xorshift-chosen steps, each leaving no fd open. */
static void *stress_thread(void *arg)
{
	uint64_t st = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	for (int i = 0; i < STRESS_ITERS; i++) {
		st ^= st << 13, st ^= st >> 7, st ^= st << 17;
		switch (st % 8) {
		case 0: case 1: case 2:
			close(open_in("drop-a"));
			break;
		case 3:
			close(open_in("keepme-a"));
			break;
		case 4: {
			int a = open_in("drop-b1"), b = open_in("drop-b2");
			close(a);
			close(b);
			break;
		}
		case 5: {
			int d = open_in("drop-d"), k = open_in("keepme-d");
			if (dup2(k, d) != d)
				_exit(6);
			close(d);
			close(k);
			break;
		}
		case 6:
			pin((int)((st >> 8) % (uint64_t)ncpus));
			break;
		default: {
			int fd = open_in("drop-c");
			pin((int)((st >> 8) % (uint64_t)ncpus));
			close(fd);
		}
		}
	}
	return NULL;
}

static void stress_act(void)
{
	pthread_t th[STRESS_THREADS];
	for (uintptr_t i = 0; i < STRESS_THREADS; i++)
		if (pthread_create(&th[i], NULL, stress_thread, (void *)(i + 1)))
			_exit(7);
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(th[i], NULL);
	child_done();
}

static int on_stress_record(const struct fk_event_hdr *h, const struct rt_event *ev)
{
	if (stress.n == stress.cap) {
		stress.cap = stress.cap ? 2 * stress.cap : 4096;
		if (!(stress.r = realloc(stress.r, stress.cap * sizeof(*stress.r))))
			live_die("realloc");
	}
	struct srec *r = &stress.r[stress.n++];
	r->tid = h->tid;
	r->type = h->type;
	r->res = h->res;
	r->fd = -1;
	rt_param_s64(ev, "fd", &r->fd);
	const char *p = h->type == FK_EVENT_OPENAT ? rt_param_str(ev, "name") : NULL;
	r->keep = p && strstr(p, "/keepme-");
	CHECK(!p || !strstr(p, "/drop-"), "stress: the open of %s was kept", p);
	if (h->type == FK_EVENT_CLOSE && r->fd == 100)
		stress.done = true;
	return 0;
}

static int on_record(const struct fk_event_hdr *h, void *ctx)
{
	(void)ctx;
	bool mine = h->tgid == (uint32_t)seen.child ||
		    (seen.vchild && h->tgid == (uint32_t)seen.vchild);
	bool stressed = h->tgid == (uint32_t)stress.child;
	if ((!mine || seen.n >= MAX_RECS) && !stressed)
		return 0;
	struct rt_event ev;
	char err[256];
	if (rt_event_decode(&ev, h, h->len, err, sizeof(err)) < 0) {
		CHECK(0, "undecodable record of type %u: %s", h->type, err);
		return 0;
	}
	if (stressed)
		return on_stress_record(h, &ev);
	struct rec *r = &seen.r[seen.n++];
	r->type = h->type;
	r->res = h->res;
	r->fd = -1;
	rt_param_s64(&ev, "fd", &r->fd);
	const char *p = h->type == FK_EVENT_OPENAT ? rt_param_str(&ev, "name") : NULL;
	snprintf(r->path, sizeof(r->path), "%s", p ? strrchr(p, '/') + 1 : "");
	if (h->type == FK_EVENT_CLOSE && r->fd == 100)
		seen.done = true;
	return 0;
}

static void print_recs(void)
{
	for (int i = 0; i < seen.n; i++)
		printf("  #%d %s res %lld fd %lld %s\n", i,
		       seen.r[i].type == FK_EVENT_OPENAT ? "openat" :
		       seen.r[i].type == FK_EVENT_CLOSE ? "close" :
		       seen.r[i].type == FK_EVENT_DUP2 ? "dup2" :
		       seen.r[i].type == FK_EVENT_FCNTL ? "fcntl" : "other",
		       (long long)seen.r[i].res, (long long)seen.r[i].fd, seen.r[i].path);
}

/* The index of the child's openat of name from index `from` on, or -1. */
static int find_open(int from, const char *name)
{
	for (int i = from; i < seen.n; i++)
		if (seen.r[i].type == FK_EVENT_OPENAT && strcmp(seen.r[i].path, name) == 0)
			return i;
	return -1;
}

/* Whether record i is a successful close of fd. */
static bool is_close(int i, int64_t fd)
{
	return i >= 0 && i < seen.n && seen.r[i].type == FK_EVENT_CLOSE && seen.r[i].fd == fd &&
	       seen.r[i].res == 0;
}

static void check(void)
{
	for (int i = 0; i < seen.n; i++)
		CHECK(strncmp(seen.r[i].path, "drop-", 5) != 0, "#%d: the open of %s was kept", i,
		      seen.r[i].path);
	/* A: nothing before keepme-a's open; its close right after it */
	int ka = find_open(0, "keepme-a");
	CHECK(ka == 0, "A: keepme-a's open is record #%d, not the first", ka);
	CHECK(ka >= 0 && is_close(ka + 1, seen.r[ka].res), "A: keepme-a's close not next");
	/* B: nothing between keepme-a's close and keepme-b's open */
	int kb = find_open(0, "keepme-b");
	CHECK(ka >= 0 && kb == ka + 2, "B: keepme-b's open is #%d, want #%d (the drop-b closes "
	      "were kept)", kb, ka + 2);
	CHECK(kb >= 0 && is_close(kb + 1, seen.r[kb].res), "B: keepme-b's close not next");
	int from = kb >= 0 ? kb + 2 : 0;
	if (ncpus > 1) {
		/* C: drop-c's close (on the other CPU) may be kept: userspace ignores it; the close
		 * of keepme-c, with a stale pending entry for its number on CPU 0, must be */
		int kc = find_open(from, "keepme-c");
		CHECK(kc >= 0, "C: keepme-c's open missing");
		CHECK(kc >= 0 && is_close(kc + 1, seen.r[kc].res),
		      "C: keepme-c's close (fd %lld, on the CPU whose pending entry had that number) "
		      "was dropped", kc >= 0 ? (long long)seen.r[kc].res : -1LL);
		if (kc >= 0)
			from = kc + 2;
	}
	/* D: keepme-d's open, the dup2 over drop-d's fd, both closes */
	int kd = find_open(from, "keepme-d");
	CHECK(kd >= 0, "D: keepme-d's open missing");
	if (kd >= 0) {
		const struct rec *dup = kd + 1 < seen.n ? &seen.r[kd + 1] : NULL;
		CHECK(dup && dup->type == FK_EVENT_DUP2 && dup->res >= 0, "D: the dup2 not next");
		CHECK(dup && is_close(kd + 2, dup->res), "D: the close of the dup2's fd was dropped");
		CHECK(is_close(kd + 3, seen.r[kd].res), "D: keepme-d's close was dropped");
	}
	/* E: of the three fcntl, only the fd duplication reaches userspace */
	int ke = find_open(kd >= 0 ? kd + 4 : from, "keepme-e");
	CHECK(ke >= 0, "E: keepme-e's open missing");
	if (ke >= 0) {
		const struct rec *f = ke + 1 < seen.n ? &seen.r[ke + 1] : NULL;
		CHECK(f && f->type == FK_EVENT_FCNTL && f->res >= 0, "E: the F_DUPFD not next");
		CHECK(f && is_close(ke + 2, f->res), "E: F_GETFD or F_SETFD kept, or the dup's close "
		      "dropped");
		CHECK(is_close(ke + 3, seen.r[ke].res), "E: keepme-e's close was dropped");
	}
	/* F: the pipe's fds were never reported: the close of its write end is dropped, and
	 * keepme-f's open (on that fd number) comes right after E; the read end, made known by
	 * the dup2, has its close kept */
	int kf = find_open(ke >= 0 ? ke + 4 : from, "keepme-f");
	CHECK(kf >= 0 && kf == ke + 4, "F: keepme-f's open is #%d, want #%d (the close of the "
	      "pipe's write end was kept?)", kf, ke + 4);
	if (kf >= 0) {
		const struct rec *dup = kf + 1 < seen.n ? &seen.r[kf + 1] : NULL;
		CHECK(dup && dup->type == FK_EVENT_DUP2 && dup->res >= 0, "F: the dup2 not next");
		CHECK(dup && is_close(kf + 2, dup->res), "F: the close of the dup2's fd was dropped");
		CHECK(is_close(kf + 3, seen.r[kf].res), "F: keepme-f's close was dropped");
	}
	/* G: the vfork child's closes of the fds of its parent's dropped opens are dropped
	 * (without the copied fd set they come); the two closes of keepme-g's fd come */
	int kg = find_open(kf >= 0 ? kf + 4 : from, "keepme-g");
	CHECK(kg >= 0, "G: keepme-g's open missing");
	if (kg >= 0) {
		CHECK(is_close(kg + 1, seen.r[kg].res) && is_close(kg + 2, seen.r[kg].res),
		      "G: keepme-g's two closes are not next (a drop-g close came, or one of "
		      "them was dropped)");
		CHECK(kg + 3 < seen.n && seen.r[kg + 3].type == FK_EVENT_DUP2 &&
		      seen.r[kg + 3].res == 100, "G: a record between keepme-g's closes and the "
		      "child's last dup2: a drop-g close came");
	}
}

/* Reads the ring buffer until *done (a child's close of fd 100) or 5 s. */
static void poll_until(struct rt_bpf *b, const bool *done)
{
	for (int i = 0; i < 50 && !*done; i++) {
		int rc = rt_bpf_poll(b, 100, on_record, NULL);
		CHECK(rc >= 0, "rt_bpf_poll: %d", rc);
	}
}

/* Every kept open of a keepme file and every kept dup2 is followed, in its thread, by the
 * close of its fd; prints what it counted. */
static void stress_check(void)
{
	size_t kept_fds = 0, missing = 0, closes = 0;
	for (size_t i = 0; i < stress.n; i++) {
		const struct srec *r = &stress.r[i];
		if (r->type == FK_EVENT_CLOSE)
			closes++;
		if (!((r->type == FK_EVENT_OPENAT && r->keep) || r->type == FK_EVENT_DUP2) ||
		    r->res < 0)
			continue;
		kept_fds++;
		size_t j = i + 1;
		while (j < stress.n && !(stress.r[j].tid == r->tid &&
					 stress.r[j].type == FK_EVENT_CLOSE && stress.r[j].fd == r->res))
			j++;
		if (j == stress.n && ++missing <= 5)
			printf("FAIL stress: thread %u's close of fd %lld (made by record #%zu) never "
			       "came\n", r->tid, (long long)r->res, i);
	}
	if (missing)
		live_failures++;
	printf("stress: %zu records, %zu fds made by kept records, %zu closes kept, %zu of "
	       "those fds' closes missing\n", stress.n, kept_fds, closes, missing);
	CHECK(kept_fds >= STRESS_THREADS * STRESS_ITERS / 8, "stress: only %zu kept fds",
	      kept_fds);
}

/* The prefilters of the one rule, for openat, close, dup2 and fcntl; NULL with a message. */
static struct fc_prefilter *build_prefilter(struct fc_unit *u)
{
	char *yaml = path_in("rules.yaml");
	FILE *f = fopen(yaml, "w");
	if (!f)
		live_die(yaml);
	fprintf(f, "- rule: keepme opened\n  desc: opens this test keeps\n"
		   "  condition: evt.type = openat and evt.dir = < and fd.name contains keepme\n"
		   "  output: \"%%fd.name\"\n  priority: WARNING\n");
	fclose(f);
	const char *paths[] = { yaml };
	struct fc_ruleset *rs = fc_load_files(u, paths, 1);
	if (!rs || fc_diag_count(u, FC_ERROR)) {
		printf("FAIL: the rules did not load\n");
		return NULL;
	}
	struct fc_prefilter *pf = fc_prefilter_build(rs, NULL);
	if (!pf || pf->progs[FK_EVENT_OPENAT].keep != FC_PF_FILTERED)
		printf("FAIL: no openat prefilter\n");
	return pf;
}

int main(void)
{
	static char err[16384];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (rt_bpf_probe(err, sizeof(err)) < 0) {
		printf("SKIP: %s\n", err);
		return SKIP;
	}
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set))
		live_die("sched_getaffinity");
	for (int c = 0; c < CPU_SETSIZE && ncpus < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[ncpus++] = c;
	if (ncpus < 2)
		printf("note: one CPU only: case C (open and close on different CPUs) skipped\n");
	strcpy(dir, "/tmp/live_pf_fdset.XXXXXX");
	if (!mkdtemp(dir))
		live_die("mkdtemp");
	const char *files[] = { "drop-a", "keepme-a", "drop-b1", "drop-b2", "keepme-b", "drop-c",
				"keepme-c", "drop-d", "keepme-d", "keepme-e", "keepme-f",
				"keepme-g", "drop-g1", "drop-g2" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(path_in(files[i]), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			live_die(files[i]);
		close(fd);
	}

	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_prefilter *pf = build_prefilter(u);
	if (!pf)
		return 1;
	bool types[FK_EVENT_COUNT] = { 0 };
	types[FK_EVENT_OPENAT] = types[FK_EVENT_CLOSE] = types[FK_EVENT_DUP2] = true;
	types[FK_EVENT_FCNTL] = true;
	struct rt_bpf_opts opts = { .types = types };
	struct rt_bpf *b = live_bpf_open(&opts);
	int rc = rt_bpf_load_prefilter(b, pf, types, err, sizeof(err));
	CHECK(rc > 0, "rt_bpf_load_prefilter: %d: %s", rc, err);

	seen.child = fork();
	if (seen.child < 0)
		live_die("fork");
	if (seen.child == 0)
		act();
	int status;
	if (waitpid(seen.child, &status, 0) != seen.child)
		live_die("waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child failed (status %#x: 3 pinning, 4 open, 5 fd number, 6 dup2, 8 fcntl, "
	      "9 pipe, 10 vfork)",
	      status);
	FILE *vf = fopen(path_in("vchild"), "r");
	int vpid = 0;
	CHECK(vf && fscanf(vf, "%d", &vpid) == 1 && vpid > 0, "G: no vfork child pid");
	if (vf)
		fclose(vf);
	seen.vchild = vpid;
	poll_until(b, &seen.done);
	CHECK(seen.done, "the child's last close (fd 100) never came");
	struct rt_bpf_stats st;
	rt_bpf_get_stats(b, &st);
	printf("child records %d; kernel: %llu submitted, %llu dropped by prefilters\n", seen.n,
	       (unsigned long long)st.events, (unsigned long long)st.pf_dropped);
	check();
	if (live_failures)
		print_recs();

	stress.child = fork();
	if (stress.child < 0)
		live_die("fork");
	if (stress.child == 0)
		stress_act();
	while (waitpid(stress.child, &status, WNOHANG) == 0) {
		rc = rt_bpf_poll(b, 50, on_record, NULL);
		CHECK(rc >= 0, "rt_bpf_poll: %d", rc);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the stress child failed (status %#x: 3 pinning, 4 open, 6 dup2, 7 threads)",
	      status);
	poll_until(b, &stress.done);
	CHECK(stress.done, "the stress child's last close (fd 100) never came");
	rt_bpf_get_stats(b, &st);
	CHECK(st.drops == 0, "%llu records lost (ring full): the check would not hold",
	      (unsigned long long)st.drops);
	stress_check();
	free(stress.r);
	rt_bpf_free(b);
	fc_prefilter_free(pf);
	fc_unit_free(u);
	if (!getenv("FC_LIVE_KEEP")) {
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			unlink(path_in(files[i]));
		unlink(path_in("rules.yaml"));
		rmdir(dir);
	}
	printf("%s\n", live_failures ? "FAILED" : "ok");
	return live_failures ? 1 : 0;
}
