/* SPDX-License-Identifier: Apache-2.0 */
/* live_pf_cwd.c - live test (ctest live_prefilter_cwd, label privileged) of the prefilters on
 * relative opens (docs/prefilter.md): falcod publishes each process's cwd to the kernel, which
 * resolves a main thread's relative open against it while the process's chdir count says
 * that cwd is current, and lets the generated filter decide on the resolved name.
 *
 * falcod runs twice on the same actions and a small rules file, prefilters on (the default)
 * and --no-prefilter. Each time, the multiset of (rule, fd.name, action) of the alerts must
 * equal the one this test computes from the opens the actions logged (fd.name: the lexical
 * cwd + the name, normalized as userspace does: through a symlink, the symlink's path).
 * Then the capture of the first run is replayed with a rule that prints every open under
 * the tree: every open a rule matches must be in it; of the relative opens no rule matches
 * (and whose name has no "." or ".." component), those of the actions that give falcod
 * time to publish their cwd (a, b, bs, l, k, c, p, s) must (nearly) all be missing: the
 * kernel dropped them; of the stress's (f), some must be. The capture of the second run,
 * replayed the same way, must hold every open (the control). Nothing here measures time;
 * the actions only sleep to let falcod publish a cwd before the opens it should decide.
 *
 * The tree T (in the temporary directory): d1/{secret,other,third}, d2/{a.txt,b.txt},
 * sub/n.txt, neg.txt, plain.txt, link -> d1, and long paths (action x). The rules (each on
 * successful read opens of files; falcod runs with rule_matching=all, so an open raises
 * every rule it matches):
 *   R_secret  fd.name = T/d1/secret          R_d2     fd.name startswith T/d2/
 *   R_link    fd.name = T/link/secret        R_dir    fd.directory = T/sub
 *   R_third   fd.name = T/d1/third (never raised through the link: a kernel that resolved
 *             against the physical cwd, or a state that took it from /proc, would differ)
 *   R_long    fd.name startswith T/ and fd.name endswith long.txt
 *   R_raw     fd.nameraw = sub/n.txt and fd.name = T/sub/n.txt (the second test lets the
 *             kernel decide the rule on relative opens; the first it must leave undecided)
 *   R_neg     fd.name endswith /neg.txt and not fd.nameraw startswith /
 *   R_fname   fd.filename = b.txt
 * The actions, each in its own child process (the action's tag: its pid, or its parent's):
 *   a   chdir T/d1; 50 x (open secret, open other)
 *   b   chdir T; vfork + exec of this program, which opens relative names (d2/a.txt,
 *       d2/b.txt, neg.txt, ./neg.txt, sub/n.txt, plain.txt, and with "." and ".." to be
 *       normalized: ./plain.txt, d1/../plain.txt, sub//../plain.txt, d1/../d2/a.txt) and
 *       T/neg.txt, 20 times each: the child opens before falcod can have read its clone
 *       record (the kernel copies the parent's cwd at fork)
 *   bs  the same through posix_spawn
 *   l   chdir T/link; vfork + exec of this program, which opens secret, other and third:
 *       R_link only (the exec keeps the lexical cwd)
 *   k   chdir T, then at once chdir d1 and chdir T/link (the kernel follows both), and
 *       the same child as l
 *   c   chdir T/link, a failing chdir; 20 x (open secret, open other): R_link only
 *   d   fchdir to an fd of T/d2; 20 x open a.txt
 *   e   main thread in T/d1, a second thread chdirs to T/d2; the main thread opens b.txt
 *       (the cwd the kernel knew is stale), the second thread a.txt (never decided); the
 *       main thread chdirs to T/sub, the second thread opens n.txt there (threads share
 *       the process's cwd), and once it ended the main thread opens n.txt
 *   h   chdir T; a thread chdirs to T/d1 and ends; once the process has one thread
 *       again, it opens secret and other at once (the cwd the kernel knew, T, is stale)
 *   p   chdir T/d1; fork a child, chdir T/d2 and open a.txt, then let the child open
 *       secret, other and third: the child is still in T/d1 (the kernel copied the
 *       parent's cwd at fork; userspace must not give it the parent's later one)
 *   q   chdir T, then fchdir to T/d2 (not followed in the kernel) and fork at once: the
 *       child opens a.txt and b.txt (its parent's entry was stale: it must not inherit it)
 *   s   chdir T/d1; the open and openat2 system calls: secret and other
 *   t   openat and openat2 relative to fds of T/d1 and T/d2 (not resolved in the kernel)
 *   x   cwds of 511, 512 and 513 bytes (falcod publishes up to 512), and resolved paths
 *       of 1022 to 1025 bytes (the kernel resolves up to 1023): *long.txt and *short.txt
 *   f   4 workers at once, 2000 random steps each: a chdir (absolute, relative, fchdir,
 *       failing) one step in 16 each, then 1 to 3 relative opens of names that exist there
 *       (some with "." or ".."), logged; a 100 ms pause every 100 steps lets falcod
 *       catch up, so that some opens are decided in the kernel and the rest race
 * Usage: live_pf_cwd FALCOD. Exits 77 (ctest's skip) only when not root or without
 * BTF/eBPF. FC_LIVE_KEEP=1 keeps the temporary directory. */
#define _GNU_SOURCE
#include "runtime/rt_bpf.h"
#include "tests/live/live_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SKIP 77
#define SETTLE_MS 300           /* time given falcod to publish a cwd (it polls every 50 ms) */
#define REPEAT_A 50
#define REPEAT 20
#define WORKERS 4
#define WORKER_STEPS 2000
#define F_PAUSE_EVERY 100       /* a worker pauses every this many steps */
#define F_PAUSE_MS 100
#define MAX_PIDS 32


static char work[64];           /* the temporary directory: rules, logs, captures */
static char tree[96];           /* work/t: every open of the actions is under it */
static char self[512];          /* this program */

/* a/b in one of 16 rotating buffers */
static char *pj(const char *a, const char *b)
{
	static __thread char bufs[16][2100];
	static __thread int k;
	char *p = bufs[k++ % 16];
	snprintf(p, sizeof(bufs[0]), "%s/%s", a, b);
	return p;
}

/* --- multisets of strings --------------------------------------------------------------------- */

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_addf(struct strv *s, const char *fmt, ...)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		if (!(s->v = realloc(s->v, s->cap * sizeof(*s->v))))
			live_die("realloc");
	}
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s->v[s->n++], fmt, ap) < 0)
		live_die("vasprintf");
	va_end(ap);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strv_sort(struct strv *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* How many times the sorted s holds s->v[*i], stepping *i past them. */
static size_t strv_run(const struct strv *s, size_t *i)
{
	size_t j = *i;
	while (j < s->n && strcmp(s->v[j], s->v[*i]) == 0)
		j++;
	size_t c = j - *i;
	*i = j;
	return c;
}

/* How many times the sorted s holds key. */
static size_t strv_count(const struct strv *s, const char *key)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(s->v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t c = 0;
	while (lo + c < s->n && strcmp(s->v[lo + c], key) == 0)
		c++;
	return c;
}

/* Prints the sorted s as "count key" lines. */
static void strv_show(const struct strv *s, const char *title)
{
	printf("--- %s: %zu\n", title, s->n);
	for (size_t i = 0; i < s->n;) {
		const char *k = s->v[i];
		size_t c = strv_run(s, &i);
		printf("  %5zu  %s\n", c, k);
	}
}

/* Compares two sorted multisets; prints each key whose counts differ. Returns how many. */
static int strv_diff(const struct strv *a, const char *an, const struct strv *b, const char *bn)
{
	size_t i = 0, j = 0;
	int nd = 0;
	while (i < a->n || j < b->n) {
		int c = i >= a->n ? 1 : j >= b->n ? -1 : strcmp(a->v[i], b->v[j]);
		const char *k = c <= 0 ? a->v[i] : b->v[j];
		size_t ca = c <= 0 ? strv_run(a, &i) : 0, cb = c >= 0 ? strv_run(b, &j) : 0;
		if (ca != cb) {
			printf("  %s %zu, %s %zu: %s\n", an, ca, bn, cb, k);
			nd++;
		}
	}
	return nd;
}

/* --- what userspace makes of an open ---------------------------------------------------------- */

/* cwd + raw as userspace resolves it (rt_path_join, Falco's concatenate_paths): lexical, "."
 * and empty components dropped, ".." pops one. */
static void resolve(char *out, size_t cap, const char *cwd, const char *raw)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s/%s", raw[0] == '/' ? "" : cwd, raw);
	size_t o = 0;
	const char *p = tmp;
	while (*p) {
		while (*p == '/')
			p++;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - c);
		if (!len || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + len + 2 > cap)
			break;
		out[o++] = '/';
		memcpy(out + o, c, len);
		o += len;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && strcmp(s + n - m, sfx) == 0;
}

/* The rules a successful read open of a regular file (fd.name name, fd.nameraw raw)
 * matches, in out; returns how many. */
static int rules_of(const char *name, const char *raw, const char *out[8])
{
	int n = 0;
	const char *base = strrchr(name, '/') + 1;
	size_t dlen = (size_t)(base - name) - 1;
	char t2[128];
	snprintf(t2, sizeof(t2), "%s/d2/", tree);
	if (strcmp(name, pj(tree, "d1/secret")) == 0)
		out[n++] = "R_secret";
	if (strncmp(name, t2, strlen(t2)) == 0)
		out[n++] = "R_d2";
	if (strcmp(name, pj(tree, "link/secret")) == 0)
		out[n++] = "R_link";
	if (strcmp(name, pj(tree, "d1/third")) == 0)
		out[n++] = "R_third";
	if (strncmp(name, tree, strlen(tree)) == 0 && name[strlen(tree)] == '/' &&
	    ends_with(name, "long.txt"))
		out[n++] = "R_long";
	if (strcmp(raw, "sub/n.txt") == 0 && strcmp(name, pj(tree, "sub/n.txt")) == 0)
		out[n++] = "R_raw";
	if (ends_with(name, "/neg.txt") && raw[0] != '/')
		out[n++] = "R_neg";
	const char *sub = pj(tree, "sub");
	if (dlen == strlen(sub) && strncmp(name, sub, dlen) == 0)
		out[n++] = "R_dir";
	if (strcmp(base, "b.txt") == 0)
		out[n++] = "R_fname";
	return n;
}

static void write_rules(const char *path)
{
	live_write_file(path,
		   "- macro: pfc_open\n"
		   "  condition: evt.type in (open, openat, openat2) and evt.is_open_read=true "
		   "and fd.typechar='f'\n"
		   "- rule: R_secret\n  desc: the secret, by its lexical name\n"
		   "  condition: pfc_open and fd.name = \"%s/d1/secret\"\n"
		   "  output: \"R_secret %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_d2\n  desc: anything in d2\n"
		   "  condition: pfc_open and fd.name startswith \"%s/d2/\"\n"
		   "  output: \"R_d2 %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_link\n  desc: the secret through the symlink\n"
		   "  condition: pfc_open and fd.name = \"%s/link/secret\"\n"
		   "  output: \"R_link %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_third\n  desc: third, by its physical name only\n"
		   "  condition: pfc_open and fd.name = \"%s/d1/third\"\n"
		   "  output: \"R_third %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_long\n  desc: long paths\n"
		   "  condition: pfc_open and fd.name startswith \"%s/\" and "
		   "fd.name endswith \"long.txt\"\n"
		   "  output: \"R_long %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_raw\n  desc: the raw name of a relative open\n"
		   "  condition: pfc_open and fd.nameraw = \"sub/n.txt\" and "
		   "fd.name = \"%s/sub/n.txt\"\n"
		   "  output: \"R_raw %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_neg\n  desc: relative opens of neg.txt only\n"
		   "  condition: pfc_open and fd.name endswith \"/neg.txt\" and "
		   "not fd.nameraw startswith \"/\"\n"
		   "  output: \"R_neg %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_dir\n  desc: the directory of the name\n"
		   "  condition: pfc_open and fd.directory = \"%s/sub\"\n"
		   "  output: \"R_dir %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n"
		   "- rule: R_fname\n  desc: the last component of the name\n"
		   "  condition: pfc_open and fd.filename = \"b.txt\"\n"
		   "  output: \"R_fname %%fd.name %%proc.pid %%proc.ppid\"\n  priority: WARNING\n",
		   tree, tree, tree, tree, tree, tree, tree);
}

/* --- the actions (children) ------------------------------------------------------------------- */

/* How an action opens: openat (glibc's open), the open system call, openat2. */
enum { BY_OPENAT, BY_OPEN, BY_OPENAT2 };

/* Opens raw relative to dirfd (AT_FDCWD: the process's cwd) by the system call `by`, closes
 * it and logs "base TAB raw", base being the directory the caller says raw is relative to.
 * Any failure ends the child with status 4. */
static void open_by(FILE *log, const char *base, int dirfd, int by, const char *raw)
{
	int fd;
	if (by == BY_OPEN) {
		fd = (int)syscall(SYS_open, raw, O_RDONLY | O_CLOEXEC);
	} else if (by == BY_OPENAT2) {
		struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
		fd = (int)syscall(SYS_openat2, dirfd, raw, &how, sizeof(how));
	} else {
		fd = openat(dirfd, raw, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		_exit(4);
	close(fd);
	fprintf(log, "%s\t%s\n", base, raw);
}

/* open_by with openat, relative to the process's cwd (which the caller says is cwd) */
static void open_log(FILE *log, const char *cwd, const char *raw)
{
	open_by(log, cwd, AT_FDCWD, BY_OPENAT, raw);
}

static FILE *log_open(const char *tag)
{
	char name[32];
	snprintf(name, sizeof(name), "log_%s", tag);
	FILE *f = fopen(pj(work, name), "w");
	if (!f)
		_exit(3);
	return f;
}

static void log_close(FILE *log)
{
	if (fclose(log) != 0)
		_exit(3);
}

static void cd(const char *path)
{
	if (chdir(path) != 0)
		_exit(2);
}

/* --child-open LOG CWD REPEAT NAME...: the exec'd child of b, bs, l and k */
static int role_child_open(int argc, char **argv)
{
	FILE *log = fopen(argv[2], "w");
	if (!log)
		return 3;
	int rep = atoi(argv[4]);
	for (int r = 0; r < rep; r++)
		for (int i = 5; i < argc; i++)
			open_log(log, argv[3], argv[i]);
	/* still there while falcod reads the exec's record: what it could learn from /proc
	 * (the physical cwd) must not change what the opens above resolve to */
	live_msleep(SETTLE_MS);
	return fclose(log) == 0 ? 0 : 3;
}

static void act_a(void)
{
	FILE *log = log_open("a");
	char *d1 = pj(tree, "d1");
	cd(d1);
	live_msleep(SETTLE_MS);
	for (int i = 0; i < REPEAT_A; i++) {
		open_log(log, d1, "secret");
		open_log(log, d1, "other");
	}
	log_close(log);
	_exit(0);
}

/* b (vfork), bs (posix_spawn), l (vfork, in the symlink), k (chdir, chdir, vfork: `cd x &&
 * cc`): the exec'd child opens before falcod can know it */
enum { B_VFORK, B_SPAWN, B_LINK, B_FOLLOW };

static void act_b(int how)
{
	char logp[512], rep[16];
	const char *const names[] = { "log_b", "log_bs", "log_l", "log_k" };
	snprintf(logp, sizeof(logp), "%s", pj(work, names[how]));
	snprintf(rep, sizeof(rep), "%d", REPEAT);
	char *av[] = { "live_pf_cwd", "--child-open", logp, tree, rep, "d2/a.txt", "d2/b.txt",
		       "neg.txt", "./neg.txt", pj(tree, "neg.txt"), "sub/n.txt", "plain.txt",
		       "./plain.txt", "d1/../plain.txt", "sub//../plain.txt", "d1/../d2/a.txt",
		       NULL };
	char *lv[] = { "live_pf_cwd", "--child-open", logp, pj(tree, "link"), rep, "secret",
		       "other", "third", NULL };
	cd(how == B_LINK ? lv[3] : tree);
	live_msleep(SETTLE_MS);
	if (how == B_FOLLOW) {
		/* the kernel follows these itself: no time for falcod between them and the
		 * child's opens */
		cd("d1");
		cd(lv[3]);
	}
	pid_t c;
	if (how == B_SPAWN) {
		if (posix_spawn(&c, self, NULL, NULL, av, environ) != 0)
			_exit(5);
	} else {
		c = vfork();
		if (c == 0) {
			execv(self, how == B_LINK || how == B_FOLLOW ? lv : av);
			_exit(127);
		}
		if (c < 0)
			_exit(5);
	}
	int st;
	if (waitpid(c, &st, 0) != c)
		_exit(5);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 6);
}

static void act_c(void)
{
	FILE *log = log_open("c");
	char *link = pj(tree, "link");
	cd(link);
	if (chdir("no such directory") == 0)
		_exit(2);
	live_msleep(SETTLE_MS);
	for (int i = 0; i < REPEAT; i++) {
		open_log(log, link, "secret");
		open_log(log, link, "other");
	}
	log_close(log);
	_exit(0);
}

static void act_d(void)
{
	FILE *log = log_open("d");
	char *d2 = pj(tree, "d2");
	int fd = open(d2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchdir(fd) != 0)
		_exit(2);
	close(fd);
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(log, d2, "a.txt");
	live_msleep(SETTLE_MS);
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(log, d2, "a.txt");
	log_close(log);
	_exit(0);
}

/* e: the two threads take steps in turn */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int step;
	FILE *log;
} e_sync = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL };

static void e_post(int step)
{
	pthread_mutex_lock(&e_sync.mu);
	e_sync.step = step;
	pthread_cond_broadcast(&e_sync.cv);
	pthread_mutex_unlock(&e_sync.mu);
}

static void e_wait(int step)
{
	pthread_mutex_lock(&e_sync.mu);
	while (e_sync.step < step)
		pthread_cond_wait(&e_sync.cv, &e_sync.mu);
	pthread_mutex_unlock(&e_sync.mu);
}

static void *e_thread(void *arg)
{
	(void)arg;
	cd(pj(tree, "d2"));
	e_post(1);
	e_wait(2);
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(e_sync.log, pj(tree, "d2"), "a.txt");
	e_post(3);
	/* the main thread moved the process: this thread's paths follow (Falco's get_cwd) */
	e_wait(4);
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(e_sync.log, pj(tree, "sub"), "n.txt");
	e_post(5);
	return NULL;
}

static void act_e(void)
{
	e_sync.log = log_open("e");
	cd(pj(tree, "d1"));
	live_msleep(SETTLE_MS);
	pthread_t th;
	if (pthread_create(&th, NULL, e_thread, NULL) != 0)
		_exit(7);
	e_wait(1);
	/* the cwd the kernel knew (d1) is stale: another thread moved the process to d2 */
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(e_sync.log, pj(tree, "d2"), "b.txt");
	live_msleep(SETTLE_MS);
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(e_sync.log, pj(tree, "d2"), "b.txt");
	e_post(2);
	e_wait(3);
	cd(pj(tree, "sub"));
	e_post(4);
	e_wait(5);
	pthread_join(th, NULL);
	live_msleep(SETTLE_MS);
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(e_sync.log, pj(tree, "sub"), "n.txt");
	log_close(e_sync.log);
	_exit(0);
}

/* h's thread: moves the process to T/d1 and ends */
static void *h_thread(void *arg)
{
	(void)arg;
	cd(pj(tree, "d1"));
	return NULL;
}

/* Waits until the process has one thread again (an ended thread leaves the count a little
 * after pthread_join returns). */
static void wait_one_thread(void)
{
	for (;;) {
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		int n = 0;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "Threads: %d", &n) == 1)
				break;
		if (f)
			fclose(f);
		if (n == 1)
			return;
		sched_yield();
	}
}

/* h: a thread moves the process and ends; its only thread then opens at once */
static void act_h(void)
{
	FILE *log = log_open("h");
	char *d1 = pj(tree, "d1");
	cd(tree);
	live_msleep(SETTLE_MS);
	pthread_t th;
	if (pthread_create(&th, NULL, h_thread, NULL) != 0)
		_exit(7);
	pthread_join(th, NULL);
	wait_one_thread();
	for (int i = 0; i < REPEAT / 2; i++) {
		open_log(log, d1, "secret");
		open_log(log, d1, "other");
	}
	log_close(log);
	_exit(0);
}

/* q: a fork right after an fchdir (which the kernel does not follow): the parent's entry is
 * stale, and the child must not take it */
static void act_q(void)
{
	char *d2 = pj(tree, "d2");
	int fd = open(d2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		_exit(2);
	cd(tree);
	live_msleep(SETTLE_MS);
	if (fchdir(fd) != 0)
		_exit(2);
	pid_t c = fork();
	if (c < 0)
		_exit(5);
	if (c == 0) {
		FILE *log = log_open("q");
		for (int i = 0; i < REPEAT / 2; i++) {
			open_log(log, d2, "a.txt");
			open_log(log, d2, "b.txt");
		}
		log_close(log);
		_exit(0);
	}
	int st;
	if (waitpid(c, &st, 0) != c)
		_exit(5);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 6);
}

/* p: the child of a fork opens only after its parent moved on; it is where its parent was */
static void act_p(void)
{
	char *d1 = pj(tree, "d1"), *d2 = pj(tree, "d2");
	int pp[2];
	if (pipe(pp) != 0)
		_exit(8);
	cd(d1);
	live_msleep(SETTLE_MS);
	pid_t c = fork();
	if (c < 0)
		_exit(5);
	if (c == 0) {
		char x;
		close(pp[1]);
		if (read(pp[0], &x, 1) != 1)
			_exit(8);
		FILE *log = log_open("p2");
		for (int i = 0; i < REPEAT; i++) {
			open_log(log, d1, "secret");
			open_log(log, d1, "other");
			open_log(log, d1, "third");
		}
		log_close(log);
		_exit(0);
	}
	close(pp[0]);
	cd(d2);
	FILE *log = log_open("p");
	for (int i = 0; i < REPEAT / 2; i++)
		open_log(log, d2, "a.txt");
	if (write(pp[1], "x", 1) != 1)
		_exit(8);
	int st;
	if (waitpid(c, &st, 0) != c)
		_exit(5);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 6);
	log_close(log);
	_exit(0);
}

/* s: the open and openat2 system calls, relative to the cwd */
static void act_s(void)
{
	FILE *log = log_open("s");
	char *d1 = pj(tree, "d1");
	cd(d1);
	live_msleep(SETTLE_MS);
	for (int i = 0; i < REPEAT; i++) {
		open_by(log, d1, AT_FDCWD, BY_OPEN, "secret");
		open_by(log, d1, AT_FDCWD, BY_OPEN, "other");
		open_by(log, d1, AT_FDCWD, BY_OPENAT2, "secret");
		open_by(log, d1, AT_FDCWD, BY_OPENAT2, "other");
	}
	log_close(log);
	_exit(0);
}

/* t: openat and openat2 relative to directory fds (not the cwd: never resolved) */
static void act_t(void)
{
	FILE *log = log_open("t");
	char *d1 = pj(tree, "d1"), *d2 = pj(tree, "d2");
	int f1 = open(d1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int f2 = open(d2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f1 < 0 || f2 < 0)
		_exit(2);
	live_msleep(SETTLE_MS);
	for (int i = 0; i < REPEAT / 2; i++) {
		open_by(log, d2, f2, BY_OPENAT, "b.txt");
		open_by(log, d1, f1, BY_OPENAT, "other");
		open_by(log, d1, f1, BY_OPENAT2, "third");
		open_by(log, d1, f1, BY_OPENAT2, "other");
	}
	log_close(log);
	_exit(0);
}

/* x: long paths. The cwds x/y511, x/y512 and x/y513 are 511, 512 and 513 bytes long with
 * their trailing '/' (falcod publishes cwds of at most 512); under y512, z/w/ names make
 * resolved paths of 1022 to 1025 bytes (the kernel resolves into at most 1024 with the NUL).
 * Opens of *long.txt match R_long, of *short.txt nothing. */
#define X_A 244                 /* the first component's length */
#define X_Z 255
#define X_W 240

static char x_dir[3][600];      /* the three cwds, without the trailing '/' */
static char x_deep[700];        /* y512's z/w, relative */

static void x_names(void)
{
	char a[X_A + 1], z[X_Z + 1], w[X_W + 1];
	memset(a, 'x', X_A), a[X_A] = '\0';
	memset(z, 'z', X_Z), z[X_Z] = '\0';
	memset(w, 'w', X_W), w[X_W] = '\0';
	size_t base = strlen(tree) + 1 + X_A + 1;       /* "T/A/" */
	for (int i = 0; i < 3; i++) {
		size_t b = 511 + (size_t)i - 1 - base;  /* the cwd, with its '/', is 511 + i */
		char y[256];
		if (b < 1 || b > 255) {
			printf("FAIL: x: %s is too long or too short for the cwds\n", tree);
			exit(1);
		}
		memset(y, 'y', b), y[b] = '\0';
		snprintf(x_dir[i], sizeof(x_dir[i]), "%s/%s/%s", tree, a, y);
	}
	snprintf(x_deep, sizeof(x_deep), "%s/%s", z, w);
}

/* The name under x_deep whose resolved path (from y512) is total bytes long; long or
 * short. */
static const char *x_deep_name(size_t total, bool lng)
{
	static __thread char bufs[16][800];
	static __thread int k;
	char *b = bufs[k++ % 16];
	size_t pre = 512 + strlen(x_deep) + 1;  /* "y512/" "z/w" "/" */
	const char *sfx = lng ? "long.txt" : "short.txt";
	size_t pad = total - pre - strlen(sfx);
	char p[64];
	memset(p, lng ? 'p' : 'q', pad), p[pad] = '\0';
	snprintf(b, sizeof(bufs[0]), "%s/%s%s", x_deep, p, sfx);
	return b;
}

static void act_x(void)
{
	FILE *log = log_open("x");
	for (int i = 0; i < 3; i++) {
		cd(x_dir[i]);
		live_msleep(SETTLE_MS);
		for (int r = 0; r < REPEAT / 4; r++) {
			open_log(log, x_dir[i], "long.txt");
			open_log(log, x_dir[i], "short.txt");
			for (size_t t = 1022; i == 1 && t <= 1025; t++) {
				open_log(log, x_dir[i], x_deep_name(t, true));
				open_log(log, x_dir[i], x_deep_name(t, false));
			}
		}
	}
	log_close(log);
	_exit(0);
}

/* f: the directories a worker moves between (under the tree) and the names it opens in each */
static const char *const f_dirs[] = { "", "d1", "d2", "sub", "link" };
#define F_NDIRS 5
static const char *const f_names[F_NDIRS][10] = {
	{ "neg.txt", "plain.txt", "sub/n.txt", "d1/secret", "d1/other", "d2/a.txt", "d2/b.txt",
	  "link/secret", "./plain.txt", "d2/../neg.txt" },
	{ "secret", "other", "third", "../neg.txt", "./other" },
	{ "a.txt", "b.txt", "../plain.txt" },
	{ "n.txt", "../d2/b.txt" },
	{ "secret", "other", "third", "../neg.txt", "./other" },
};

static const char *f_dir(int i)
{
	return i == 0 ? tree : pj(tree, f_dirs[i]);
}

static void act_f(int w)
{
	char tag[8];
	snprintf(tag, sizeof(tag), "f%d", w);
	FILE *log = log_open(tag);
	int dfd[F_NDIRS];
	for (int i = 0; i < F_NDIRS; i++)
		if ((dfd[i] = open(f_dir(i), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			_exit(2);
	uint64_t st = (uint64_t)(w + 1) * 0x9e3779b97f4a7c15ull;
	int cur = 0;
	cd(tree);
	for (int i = 0; i < WORKER_STEPS; i++) {
		st ^= st << 13, st ^= st >> 7, st ^= st << 17;
		unsigned r = (unsigned)(st % 16), to = (unsigned)((st >> 8) % F_NDIRS);
		if (r < 2) {                    /* absolute */
			cd(f_dir((int)to));
			cur = (int)to;
		} else if (r == 2) {            /* relative: down from the tree, or ".." */
			if (cur == 0) {
				to = 1 + (unsigned)((st >> 8) % (F_NDIRS - 1));
				cd(f_dirs[to]);
				cur = (int)to;
			} else {
				cd("..");
				cur = 0;
			}
		} else if (r == 3) {
			if (fchdir(dfd[to]) != 0)
				_exit(2);
			cur = (int)to;
		} else if (r == 4) {
			if (chdir("no such directory") == 0)
				_exit(2);
		}
		/* now and then, time for falcod to publish the cwd: the opens up to the next
		 * chdir can then be decided in the kernel */
		if (i % F_PAUSE_EVERY == F_PAUSE_EVERY / 2)
			live_msleep(F_PAUSE_MS);
		int nn = 0;
		while (nn < 10 && f_names[cur][nn])
			nn++;
		for (unsigned k = 0; k <= (unsigned)(st >> 20) % 3; k++) {
			unsigned pick = (unsigned)((st >> (24 + 4 * k)) % (unsigned)nn);
			open_log(log, f_dir(cur), f_names[cur][pick]);
		}
	}
	log_close(log);
	_exit(0);
}

/* --- one run ---------------------------------------------------------------------------------- */

/* Which action each pid of a run was. */
struct pidmap {
	int n;
	pid_t pid[MAX_PIDS];
	char tag[MAX_PIDS][8];
};

static const char *pidmap_tag(const struct pidmap *m, long pid, long ppid)
{
	for (int i = 0; i < m->n; i++)
		if (m->pid[i] == pid)
			return m->tag[i];
	for (int i = 0; i < m->n; i++)
		if (m->pid[i] == ppid)
			return m->tag[i];
	return NULL;
}

static pid_t start(struct pidmap *m, const char *tag, void (*fn)(int), int arg)
{
	pid_t p = fork();
	if (p < 0)
		live_die("fork");
	if (p == 0) {
		fn(arg);
		_exit(0);
	}
	m->pid[m->n] = p;
	snprintf(m->tag[m->n], sizeof(m->tag[0]), "%s", tag);
	m->n++;
	return p;
}

static void finish(pid_t p, const char *tag)
{
	int st;
	if (waitpid(p, &st, 0) != p)
		live_die("waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "action %s failed (status %#x: 2 chdir, 3 log, 4 open, 5 spawn, 7 thread, 8 pipe)",
	      tag, st);
}

static void run_a(int x)
{
	(void)x;
	act_a();
}

static void run_b(int how)
{
	act_b(how);
}

static void run_c(int x)
{
	(void)x;
	act_c();
}

static void run_d(int x)
{
	(void)x;
	act_d();
}

static void run_e(int x)
{
	(void)x;
	act_e();
}

static void run_h(int x)
{
	(void)x;
	act_h();
}

static void run_q(int x)
{
	(void)x;
	act_q();
}

static void run_p(int x)
{
	(void)x;
	act_p();
}

static void run_s(int x)
{
	(void)x;
	act_s();
}

static void run_t(int x)
{
	(void)x;
	act_t();
}

static void run_x(int x)
{
	(void)x;
	act_x();
}

static void actions(struct pidmap *m)
{
	finish(start(m, "a", run_a, 0), "a");
	finish(start(m, "b", run_b, B_VFORK), "b");
	finish(start(m, "bs", run_b, B_SPAWN), "bs");
	finish(start(m, "l", run_b, B_LINK), "l");
	finish(start(m, "k", run_b, B_FOLLOW), "k");
	finish(start(m, "c", run_c, 0), "c");
	finish(start(m, "d", run_d, 0), "d");
	finish(start(m, "e", run_e, 0), "e");
	finish(start(m, "h", run_h, 0), "h");
	finish(start(m, "p", run_p, 0), "p");
	finish(start(m, "q", run_q, 0), "q");
	finish(start(m, "s", run_s, 0), "s");
	finish(start(m, "t", run_t, 0), "t");
	finish(start(m, "x", run_x, 0), "x");
	pid_t w[WORKERS];
	for (int i = 0; i < WORKERS; i++)
		w[i] = start(m, "f", act_f, i);
	for (int i = 0; i < WORKERS; i++)
		finish(w[i], "f");
}

/* What a run gave. */
struct run {
	struct pidmap map;
	struct strv alerts;             /* "rule TAB fd.name TAB tag", sorted */
	struct strv expect;             /* the same, from the logs */
	struct strv opens;              /* "tag TAB fd.name TAB fd.nameraw" of every logged open */
	unsigned long long kept, dropped, ring_drops;
	int foreign;                    /* alerts of our rules from other processes */
};

/* The output_fields of one alert line: up to 8 keys and values (strings unquoted). */
struct fields {
	int n;
	char key[8][32];
	char val[8][2100];
};

static bool add_field(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct fields *f = ctx;
	if (f->n == 8)
		return true;
	if (vl >= 2 && *v == '"')
		v++, vl -= 2;
	snprintf(f->key[f->n], sizeof(f->key[0]), "%.*s", (int)kl, k);
	snprintf(f->val[f->n], sizeof(f->val[0]), "%.*s", (int)vl, v);
	f->n++;
	return true;
}

static bool parse_fields(const char *line, char *rule, size_t rcap, struct fields *f)
{
	f->n = 0;
	return live_alert_parse(line, rule, rcap, add_field, f);
}

static const char *field(const struct fields *f, const char *key)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->val[i];
	return "";
}

/* Reads the alerts of our rules in path: alert keys (rule, fd.name, tag) for ours, or, with
 * as_opens, "tag TAB fd.name TAB fd.nameraw" of every alert of a tagged process. */
static void read_alerts(const char *path, const struct pidmap *m, bool as_opens,
			struct strv *out, int *foreign)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		CHECK(0, "no alerts file %s", path);
		return;
	}
	static char line[65536];
	static struct fields fl;
	char rule[128];
	while (fgets(line, sizeof(line), f)) {
		if (line[0] != '{' || !parse_fields(line, rule, sizeof(rule), &fl))
			continue;
		const char *tag = pidmap_tag(m, atol(field(&fl, "proc.pid")),
					     atol(field(&fl, "proc.ppid")));
		if (as_opens) {
			if (tag)
				strv_addf(out, "%s\t%s\t%s", tag, field(&fl, "fd.name"),
					  field(&fl, "fd.nameraw"));
		} else if (strncmp(rule, "R_", 2) == 0) {
			if (tag)
				strv_addf(out, "%s\t%s\t%s", rule, field(&fl, "fd.name"), tag);
			else if (foreign)
				(*foreign)++;
		}
	}
	fclose(f);
	strv_sort(out);
}

/* The logs the actions write (work/log_NAME): the action's tag is NAME without its digits. */
static const char *const logs[] = { "a", "b", "bs", "l", "k", "c", "d", "e", "h", "p",
				    "p2", "q", "s", "t", "x", "f0", "f1", "f2", "f3" };

/* The expected alerts and the opens, from the logs the actions wrote. */
static void read_logs(struct run *r)
{
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		char name[32], tag[8];
		snprintf(name, sizeof(name), "log_%s", logs[i]);
		snprintf(tag, sizeof(tag), "%.*s", (int)strcspn(logs[i], "0123456789"), logs[i]);
		FILE *f = fopen(pj(work, name), "r");
		if (!f) {
			CHECK(0, "action %s left no log", logs[i]);
			continue;
		}
		char line[2048];
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			char *raw = strchr(line, '\t');
			if (!raw)
				continue;
			*raw++ = '\0';
			char fdname[2100];
			resolve(fdname, sizeof(fdname), line, raw);
			const char *rules[8];
			int n = rules_of(fdname, raw, rules);
			for (int k = 0; k < n; k++)
				strv_addf(&r->expect, "%s\t%s\t%s", rules[k], fdname, tag);
			strv_addf(&r->opens, "%s\t%s\t%s", tag, fdname, raw);
		}
		fclose(f);
		unlink(pj(work, name));
	}
	strv_sort(&r->expect);
	strv_sort(&r->opens);
}

/* work/NAME with %s replaced by sfx, in one of 8 rotating buffers. */
static char *wpath(const char *fmt, const char *sfx)
{
	static char bufs[8][600];
	static int k;
	char name[64], *b = bufs[k++ % 8];
	snprintf(name, sizeof(name), fmt, sfx);
	snprintf(b, sizeof(bufs[0]), "%s/%s", work, name);
	return b;
}

static void one_run(const char *falcod, bool no_pf, struct run *r)
{
	const char *sfx = no_pf ? "off" : "on";
	char *alerts = wpath("alerts_%s.json", sfx), *ready = wpath("ready_%s", sfx);
	char *errf = wpath("falcod_%s.err", sfx), *outf = wpath("falcod_%s.out", sfx);
	char *cap = wpath("cap_%s.fcap", sfx), fo[700];
	snprintf(fo, sizeof(fo), "file_output.filename=%s", alerts);
	char *argv[] = { (char *)falcod, "-r", pj(work, "rules.yaml"), "-o", "json_output=true",
			 "-o", "rule_matching=all", "-o", "stdout_output.enabled=false",
			 "-o", "file_output.enabled=true", "-o", fo, "--ready-file", ready,
			 "--capture", cap, no_pf ? "--no-prefilter" : NULL, NULL };
	pid_t fp = live_spawn(argv, outf, errf);
	if (!live_wait_ready(fp, ready, 60000)) {
		printf("FAIL: falcod (prefilters %s) did not become ready\n", sfx);
		live_show_file(errf);
		kill(fp, SIGKILL);
		exit(1);
	}
	actions(&r->map);
	live_msleep(500);                    /* falcod polls every 50 ms */
	struct live_falcod_counts n;
	live_stop_falcod(fp, errf, no_pf ? "prefilters off" : "prefilters on", &n);
	r->kept = n.pf_kept;
	r->dropped = n.pf_dropped;
	r->ring_drops = n.ring_drops;
	read_alerts(alerts, &r->map, false, &r->alerts, &r->foreign);
	read_logs(r);
}

/* --- the capture, replayed: which opens reached userspace ------------------------------------- */

/* The opens of the tagged processes in the capture of a run, by replaying it with a rule that
 * prints every open under the tree. */
static void replay_opens(const char *falcod, const char *sfx, const struct pidmap *m,
			 struct strv *out)
{
	char *cap = wpath("cap_%s.fcap", sfx), *json = wpath("dump_%s.json", sfx);
	char *errf = wpath("dump_%s.err", sfx);
	char *argv[] = { (char *)falcod, "-r", pj(work, "dump.yaml"), "-o", "json_output=true",
			 "--replay", cap, "-A", NULL };
	pid_t p = live_spawn(argv, json, errf);
	int st;
	waitpid(p, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "replay of %s: exit status %d", cap, st);
	read_alerts(json, m, true, out, NULL);
}

/* Per action: relative opens a rule matches and relative opens none does, performed and
 * present. */
struct presence {
	char tag[8];
	size_t match, match_in;         /* a rule matches them */
	size_t other, other_in;         /* no rule does, and the name is normal */
	size_t odd, odd_in;             /* no rule does, the name has "." or "..": the kernel
					 * normalizes the path first (FK_PF_EXIT_NORMALIZE) */
};

/* Whether a relative name has no "." or ".." component and no empty one. */
static bool is_normal(const char *raw)
{
	for (const char *c = raw; *c;) {
		size_t len = strcspn(c, "/");
		if (!len || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += len;
		if (*c == '/' && !*++c)
			return false;
	}
	return true;
}

static int presence_of(const struct strv *opens, const struct strv *in, struct presence *p,
		       int max)
{
	int n = 0;
	for (size_t i = 0; i < opens->n;) {
		char *k = opens->v[i];
		size_t c = strv_run(opens, &i);
		size_t have = strv_count(in, k);
		char tag[8], name[2100], raw[2100];
		if (sscanf(k, "%7[^\t]\t%2099[^\t]\t%2099[^\n]", tag, name, raw) != 3 ||
		    raw[0] == '/')
			continue;       /* absolute opens were decided before relative ones were */
		int j = 0;
		while (j < n && strcmp(p[j].tag, tag) != 0)
			j++;
		if (j == n) {
			if (n == max)
				continue;
			memset(&p[n], 0, sizeof(p[n]));
			snprintf(p[n].tag, sizeof(p[n].tag), "%s", tag);
			n++;
		}
		const char *rules[8];
		if (have > c)
			have = c;
		if (rules_of(name, raw, rules)) {
			p[j].match += c;
			p[j].match_in += have;
		} else if (is_normal(raw)) {
			p[j].other += c;
			p[j].other_in += have;
		} else {
			p[j].odd += c;
			p[j].odd_in += have;
		}
	}
	return n;
}

static size_t count_key(const struct strv *s, const char *tag, const char *name,
			const char *raw)
{
	char k[4400];
	snprintf(k, sizeof(k), "%s\t%s\t%s", tag, name, raw);
	return strv_count(s, k);
}

static void check_drops(const char *falcod, struct run *on, struct run *off)
{
	struct strv in_on = { 0 }, in_off = { 0 };
	replay_opens(falcod, "on", &on->map, &in_on);
	replay_opens(falcod, "off", &off->map, &in_off);
	struct presence pon[16], poff[16];
	int non = presence_of(&on->opens, &in_on, pon, 16);
	int noff = presence_of(&off->opens, &in_off, poff, 16);
	printf("relative opens in the captures, present/performed:\n"
	       "       prefilters on: matching   non-matching  with ./..  | off: all\n");
	for (int i = 0; i < non; i++) {
		const struct presence *p = &pon[i], *q = NULL;
		for (int j = 0; j < noff; j++)
			if (strcmp(poff[j].tag, p->tag) == 0)
				q = &poff[j];
		size_t all = q ? q->match + q->other + q->odd : 0;
		size_t all_in = q ? q->match_in + q->other_in + q->odd_in : 0;
		printf("  %-3s %12zu/%-5zu %6zu/%-5zu %5zu/%-5zu | %5zu/%-5zu\n", p->tag,
		       p->match_in, p->match, p->other_in, p->other, p->odd_in, p->odd, all_in,
		       all);
		CHECK(p->match_in == p->match, "%s: %zu opens a rule matches are missing from the "
		      "capture (prefilters on)", p->tag, p->match - p->match_in);
		CHECK(all_in == all && all > 0, "%s: the capture without prefilters misses opens "
		      "(%zu of %zu present)", p->tag, all_in, all);
		/* the actions that give falcod time to publish their cwd first: (nearly) all
		 * dropped; the stress, which mostly races with falcod: some */
		if (!strcmp(p->tag, "a") || !strcmp(p->tag, "b") || !strcmp(p->tag, "bs") ||
		    !strcmp(p->tag, "l") || !strcmp(p->tag, "k") || !strcmp(p->tag, "c") ||
		    !strcmp(p->tag, "p") || !strcmp(p->tag, "s"))
			CHECK(p->other_in * 10 <= p->other, "%s: %zu of %zu relative opens no rule "
			      "matches were kept by the kernel", p->tag, p->other_in, p->other);
		if (!strcmp(p->tag, "b") || !strcmp(p->tag, "bs"))
			CHECK(p->odd && p->odd_in * 10 <= p->odd, "%s: %zu of %zu relative opens "
			      "with \".\" or \"..\" no rule matches were kept by the kernel",
			      p->tag, p->odd_in, p->odd);
		if (!strcmp(p->tag, "f"))
			CHECK(p->other_in < p->other, "f: all %zu relative opens no rule matches "
			      "were kept by the kernel", p->other);
	}
	/* x, by length: where the kernel stops resolving */
	for (int i = 0; i < 3; i++) {
		const char *nm[] = { "long.txt", "short.txt", NULL, NULL, NULL, NULL, NULL, NULL,
				     NULL, NULL };
		for (size_t t = 1022; i == 1 && t <= 1025; t++) {
			nm[2 + 2 * (t - 1022)] = x_deep_name(t, true);
			nm[3 + 2 * (t - 1022)] = x_deep_name(t, false);
		}
		for (int k = 0; k < 10 && nm[k]; k++) {
			char name[2100];
			resolve(name, sizeof(name), x_dir[i], nm[k]);
			printf("  x: cwd of %zu bytes, path of %4zu: %zu of %d in the capture "
			       "(%s)\n", strlen(x_dir[i]) + 1, strlen(name),
			       count_key(&in_on, "x", name, nm[k]), REPEAT / 4,
			       strstr(nm[k], "long.txt") ? "R_long" : "no rule");
		}
	}
	size_t sec = count_key(&in_on, "a", pj(tree, "d1/secret"), "secret");
	size_t oth = count_key(&in_on, "a", pj(tree, "d1/other"), "other");
	printf("  a: %s/d1/secret %zu of %d in the capture, %s/d1/other %zu of %d\n", tree, sec,
	       REPEAT_A, tree, oth, REPEAT_A);
	CHECK(sec == REPEAT_A, "a: %zu of %d opens of secret in the capture", sec, REPEAT_A);
	if (live_failures) {
		strv_show(&in_on, "opens in the capture, prefilters on (tag, name, raw)");
	}
	strv_free(&in_on);
	strv_free(&in_off);
}

/* --- main ------------------------------------------------------------------------------------- */

static void make_tree(void)
{
	const char *dirs[] = { "d1", "d2", "sub" };
	const char *files[] = { "d1/secret", "d1/other", "d1/third", "d2/a.txt", "d2/b.txt",
				"sub/n.txt", "neg.txt", "plain.txt" };
	if (mkdir(tree, 0755) != 0)
		live_die(tree);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(pj(tree, dirs[i]), 0755) != 0)
			live_die(dirs[i]);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		live_write_file(pj(tree, files[i]), "%s\n", files[i]);
	if (symlink(pj(tree, "d1"), pj(tree, "link")) != 0)
		live_die("symlink");
	/* x: long paths */
	x_names();
	char a[1200];
	snprintf(a, sizeof(a), "%.*s", (int)(strrchr(x_dir[0], '/') - x_dir[0]), x_dir[0]);
	if (mkdir(a, 0755) != 0)
		live_die(a);
	for (int i = 0; i < 3; i++) {
		if (mkdir(x_dir[i], 0755) != 0)
			live_die(x_dir[i]);
		live_write_file(pj(x_dir[i], "long.txt"), "x\n");
		live_write_file(pj(x_dir[i], "short.txt"), "x\n");
	}
	char z[2100], w[2100];
	snprintf(w, sizeof(w), "%s/%s", x_dir[1], x_deep);
	snprintf(z, sizeof(z), "%.*s", (int)(strrchr(w, '/') - w), w);
	if (mkdir(z, 0755) != 0 || mkdir(w, 0755) != 0)
		live_die(w);
	for (size_t t = 1022; t <= 1025; t++) {
		live_write_file(pj(x_dir[1], x_deep_name(t, true)), "x\n");
		live_write_file(pj(x_dir[1], x_deep_name(t, false)), "x\n");
	}
}

static int count_rule(const struct strv *s, const char *rule)
{
	int c = 0;
	size_t rl = strlen(rule);
	for (size_t i = 0; i < s->n; i++)
		c += strncmp(s->v[i], rule, rl) == 0 && s->v[i][rl] == '\t';
	return c;
}

/* Prints the runs' numbers and checks the alerts of both against the expected, and the
 * captures (check_drops). */
static void compare(const char *falcod, struct run *on, struct run *off)
{
	printf("prefilters on:  %zu alerts of this test (expected %zu); kernel kept %llu, dropped "
	       "%llu; ring buffer full: %llu\n", on->alerts.n, on->expect.n, on->kept,
	       on->dropped, on->ring_drops);
	printf("prefilters off: %zu alerts of this test (expected %zu); ring buffer full: %llu\n",
	       off->alerts.n, off->expect.n, off->ring_drops);
	if (on->foreign || off->foreign)
		printf("(alerts of these rules from other processes, ignored: %d on, %d off)\n",
		       on->foreign, off->foreign);
	const char *rules[] = { "R_secret", "R_d2", "R_link", "R_third", "R_long", "R_raw",
				"R_neg", "R_dir", "R_fname" };
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int e = count_rule(&on->expect, rules[i]), a = count_rule(&on->alerts, rules[i]);
		int b = count_rule(&off->alerts, rules[i]);
		printf("  %-9s expected %5d, prefilters on %5d, off %5d\n", rules[i], e, a, b);
		CHECK(e > 0, "%s: no action should raise it?", rules[i]);
	}
	printf("differences, expected vs prefilters on:\n");
	int d1 = strv_diff(&on->expect, "expected", &on->alerts, "on");
	printf("differences, expected vs prefilters off:\n");
	int d2 = strv_diff(&off->expect, "expected", &off->alerts, "off");
	printf("differences, prefilters on vs off:\n");
	int d3 = strv_diff(&on->alerts, "on", &off->alerts, "off");
	CHECK(d1 == 0, "prefilters on: %d (rule, fd.name, action) differ from the expected", d1);
	CHECK(d2 == 0, "prefilters off: %d (rule, fd.name, action) differ from the expected", d2);
	CHECK(d3 == 0, "%d (rule, fd.name, action) differ between prefilters on and off", d3);
	CHECK(strv_diff(&on->expect, "run 1", &off->expect, "run 2") == 0,
	      "the two runs did not perform the same opens");
	if (d1 || d2 || d3) {
		strv_show(&on->expect, "expected (run 1)");
		strv_show(&on->alerts, "prefilters on");
		strv_show(&off->alerts, "prefilters off");
	}
	check_drops(falcod, on, off);
}

int main(int argc, char **argv)
{
	static char err[16384];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 5 && strcmp(argv[1], "--child-open") == 0)
		return role_child_open(argc, argv);
	if (argc != 2) {
		fprintf(stderr, "usage: live_pf_cwd FALCOD\n");
		return 2;
	}
	const char *falcod = argv[1];
	if (rt_bpf_probe(err, sizeof(err)) < 0) {
		printf("SKIP: %s\n", err);
		return SKIP;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(work, sizeof(work), "/tmp/fcpfcwd_XXXXXX");
	if (!mkdtemp(work))
		live_die("mkdtemp");
	chmod(work, 0755);
	snprintf(tree, sizeof(tree), "%s/t", work);
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl < 0)
		live_die("/proc/self/exe");
	self[sl] = '\0';
	make_tree();
	write_rules(pj(work, "rules.yaml"));
	live_write_file(pj(work, "dump.yaml"),
		   "- rule: dump\n  desc: every open under the tree\n"
		   "  condition: evt.type in (open, openat, openat2) and "
		   "fd.name startswith \"%s/\"\n"
		   "  output: \"%%proc.pid %%proc.ppid %%fd.name %%fd.nameraw\"\n"
		   "  priority: NOTICE\n", tree);

	/* Overflows of the ring buffer lose records whatever the prefilters, so comparisons fail
	 * for nothing (another program flooding the capture): then the pair of runs is done
	 * again, up to 3 times */
	for (int attempt = 1;; attempt++) {
		int before = live_failures;
		static struct run on, off;
		memset(&on, 0, sizeof(on));
		memset(&off, 0, sizeof(off));
		one_run(falcod, false, &on);
		one_run(falcod, true, &off);
		compare(falcod, &on, &off);
		bool overflow = on.ring_drops || off.ring_drops;
		strv_free(&on.alerts), strv_free(&on.expect), strv_free(&on.opens);
		strv_free(&off.alerts), strv_free(&off.expect), strv_free(&off.opens);
		if (live_failures == before || !overflow)
			break;
		if (attempt == 3) {
			printf("FAIL: the ring buffer overflowed in each of 3 attempts\n");
			break;
		}
		printf("the ring buffer overflowed (%llu records lost with prefilters, %llu "
		       "without): the failures above may be its; again (attempt %d of 3)\n",
		       on.ring_drops, off.ring_drops, attempt + 1);
		live_failures = before;
	}

	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("run time %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (live_failures) {
		live_show_file(pj(work, "falcod_on.err"));
		live_show_file(pj(work, "falcod_off.err"));
		printf("(files kept in %s)\nFAILED\n", work);
		return 1;
	}
	if (getenv("FC_LIVE_KEEP")) {
		printf("(files kept in %s)\n", work);
	} else {
		pid_t p = fork();
		if (p == 0) {
			execl("/bin/rm", "rm", "-rf", work, (char *)NULL);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
	printf("ok\n");
	return 0;
}
