/* SPDX-License-Identifier: Apache-2.0 */
/* live_pf_parity.c - live test (ctest live_prefilter_parity, label privileged): the same real
 * actions under falcod live with the upstream falco_rules.yaml, once with the in-kernel
 * prefilters on (the default) and once with --no-prefilter, give the same alerts (issue 6,
 * docs/prefilter.md). Compared: the multiset of (rule, output_fields without evt.time) of the
 * alerts that belong to this test; every expected rule must be among them, and the first run
 * must have dropped events in the kernel.
 *
 * Only this test's alerts count: every action puts a tag ("fcpfp" + this pid) in a field the
 * rule outputs (a path in the temporary directory, a command line, a file name), and an alert
 * is ours when one of its output_fields holds the tag. Both runs use the same directory and
 * tag, so the values are the same.
 *
 * The actions (each run), with the upstream rule each should raise:
 *   a) /etc/shadow read by a copy of cat named shadowcat     Read sensitive file untrusted
 *   b) a symlink to /etc/shadow                               Create Symlink Over Sensitive Files
 *   c) a hard link to /etc/shadow (same filesystem only)      Create Hardlink Over Sensitive Files
 *   d) a file under /var/log opened with O_TRUNC              Clear Log Activities
 *   e) grep "BEGIN RSA PRIVATE" ...                           Search Private Keys or Passwords
 *   f) exec of a copy of true in /dev/shm                     Execution from /dev/shm
 *   g) ptrace(PTRACE_TRACEME)                                 PTRACE anti-debug attempt
 *   h) ptrace(PTRACE_ATTACH) of a child                       PTRACE attached to process
 *   plus noise the prefilters drop: opens and closes of a file in the temporary directory.
 * Actions that need a container (packet socket, container drift) are not done here.
 * Usage: live_pf_parity FALCOD RULES. Exits 77 when not root, without BTF/eBPF, or without
 * the rules file. FC_LIVE_KEEP=1 keeps the temporary directory. */
#define _GNU_SOURCE
#include "runtime/rt_bpf.h"
#include "tests/live/live_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SKIP 77
#define MAX_ALERTS 512


static char dir[64];            /* the temporary directory, holds the tag */
static char tag[32];            /* "fcpfp" + pid */
static char self[512];          /* this program */

static char *path_in(const char *name)
{
	static char bufs[16][512];
	static int k;
	char *b = bufs[k++ % 16];
	snprintf(b, 512, "%s/%s", dir, name);
	return b;
}

/* Runs argv (argv[0] the path, av0 the name it runs as), stdout and stderr to /dev/null. */
static int run_wait(const char *path, char *const argv[])
{
	pid_t p = fork();
	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		char *ev[] = { "PATH=/usr/bin:/bin", NULL };
		execve(path, argv, ev);
		_exit(127);
	}
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* --- roles of this program, re-executed (so that the command line holds the tag) ---------- */

static int role_traceme(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 1;
}

static int role_attach(void)
{
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	live_msleep(20);
	int rc = 1;
	if (ptrace(PTRACE_ATTACH, c, NULL, NULL) == 0) {
		waitpid(c, NULL, __WALL);
		ptrace(PTRACE_DETACH, c, NULL, NULL);
		rc = 0;
	}
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return rc;
}

/* --- falcod's JSON alerts ---------------------------------------------------------------------- */

struct key_build {
	FILE *m;
	bool ours;
};

static bool add_member(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct key_build *kb = ctx;
	if (!(kl == 8 && strncmp(k, "evt.time", 8) == 0))
		fprintf(kb->m, "\t%.*s=%.*s", (int)kl, k, (int)vl, v);
	if (memmem(v, vl, tag, strlen(tag)))
		kb->ours = true;
	return true;
}

/* One alert as "rule\tkey=value\tkey=value..." (output_fields in their order, evt.time left
 * out), and whether one of its values holds the tag. */
static char *alert_key(const char *line, bool *ours)
{
	char rule[256] = "";
	char *out = NULL, *members = NULL;
	size_t len = 0, mlen = 0;
	struct key_build kb = { open_memstream(&members, &mlen), false };
	if (!kb.m)
		return NULL;
	live_alert_parse(line, rule, sizeof(rule), add_member, &kb);
	fclose(kb.m);
	*ours = kb.ours;
	FILE *m = rule[0] ? open_memstream(&out, &len) : NULL;
	if (m) {
		fprintf(m, "%s%s", rule, members ? members : "");
		fclose(m);
	}
	free(members);
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* This test's alerts in path, sorted (a multiset). */
static int read_ours(const char *path, char **out, int max)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	static char line[65536];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		bool ours;
		char *k = line[0] == '{' ? alert_key(line, &ours) : NULL;
		if (k && ours && n < max)
			out[n++] = k;
		else
			free(k);
	}
	fclose(f);
	qsort(out, (size_t)n, sizeof(*out), cmp_str);
	return n;
}

static int count_rule(char **al, int n, const char *rule)
{
	int c = 0;
	size_t rl = strlen(rule);
	for (int i = 0; i < n; i++)
		c += strncmp(al[i], rule, rl) == 0 && al[i][rl] == '\t';
	return c;
}

/* --- one run ----------------------------------------------------------------------------------- */

static const char *expected[] = {
	"Read sensitive file untrusted",
	"Create Symlink Over Sensitive Files",
	"Create Hardlink Over Sensitive Files",
	"Clear Log Activities",
	"Search Private Keys or Passwords",
	"Execution from /dev/shm",
	"PTRACE anti-debug attempt",
	"PTRACE attached to process",
};
#define NEXP (sizeof(expected) / sizeof(expected[0]))
static bool expect_on[NEXP];

static void actions(void)
{
	/* noise the prefilters drop (with the upstream rules) */
	for (int i = 0; i < 2000; i++) {
		int fd = open(path_in("noise"), O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	/* a */
	{
		char *av[] = { "shadowcat", "/etc/shadow", NULL };
		CHECK(run_wait(path_in("shadowcat"), av) == 0, "a) shadowcat failed");
	}
	/* b */
	if (symlink("/etc/shadow", path_in("shadow_link")) != 0)
		live_die("b) symlink");
	unlink(path_in("shadow_link"));
	/* c */
	if (expect_on[2]) {
		if (link("/etc/shadow", path_in("shadow_hardlink")) != 0)
			live_die("c) link");
		unlink(path_in("shadow_hardlink"));
	}
	/* d */
	{
		char logf[128];
		snprintf(logf, sizeof(logf), "/var/log/%s.log", tag);
		int fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			live_die("d) open /var/log");
		close(fd);
		unlink(logf);
	}
	/* e */
	{
		char *av[] = { "grep", "-s", "BEGIN RSA PRIVATE", path_in("nokey"), NULL };
		const char *grep = access("/usr/bin/grep", X_OK) == 0 ? "/usr/bin/grep" : "/bin/grep";
		run_wait(grep, av);
	}
	/* f */
	{
		char shm[128];
		snprintf(shm, sizeof(shm), "/dev/shm/%s_true", tag);
		char *av[] = { shm, NULL };     /* proc.exe is argv[0] */
		CHECK(run_wait(shm, av) == 0, "f) %s failed", shm);
	}
	/* g, h */
	{
		char *av[] = { "fcpfprole", "--traceme", tag, NULL };
		CHECK(run_wait(path_in("fcpfprole"), av) == 0, "g) PTRACE_TRACEME failed");
		char *bv[] = { "fcpfprole", "--attach", tag, NULL };
		CHECK(run_wait(path_in("fcpfprole"), bv) == 0, "h) PTRACE_ATTACH failed");
	}
}

/* Runs falcod, the actions, stops it. Returns this test's alerts (sorted) in al. */
static int one_run(const char *falcod, const char *rules, bool no_pf, char **al, int max,
		   unsigned long long *pf_dropped)
{
	const char *sfx = no_pf ? "off" : "on";
	char alerts[600], ready[600], errf[600], outf[600], fo[700];
	snprintf(alerts, sizeof(alerts), "%s/alerts_%s.json", dir, sfx);
	snprintf(ready, sizeof(ready), "%s/ready_%s", dir, sfx);
	snprintf(errf, sizeof(errf), "%s/falcod_%s.err", dir, sfx);
	snprintf(outf, sizeof(outf), "%s/falcod_%s.out", dir, sfx);
	snprintf(fo, sizeof(fo), "file_output.filename=%s", alerts);
	char *argv[] = { (char *)falcod, "-r", (char *)rules, "-o", "json_output=true",
			 "-o", "stdout_output.enabled=false", "-o", "file_output.enabled=true",
			 "-o", fo, "--ready-file", ready, no_pf ? "--no-prefilter" : NULL, NULL };
	pid_t fp = live_spawn(argv, outf, errf);
	if (!live_wait_ready(fp, ready, 60000)) {
		printf("FAIL: falcod (prefilters %s) did not become ready\n", sfx);
		live_show_file(errf);
		kill(fp, SIGKILL);
		exit(1);
	}
	actions();
	live_msleep(500);
	struct live_falcod_counts n;
	live_stop_falcod(fp, errf, no_pf ? "prefilters off" : "prefilters on", &n);
	*pf_dropped = n.pf_dropped;
	return read_ours(alerts, al, max);
}

int main(int argc, char **argv)
{
	static char err[16384];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "--traceme") == 0)
		return role_traceme();
	if (argc == 3 && strcmp(argv[1], "--attach") == 0)
		return role_attach();
	if (argc != 3) {
		fprintf(stderr, "usage: live_pf_parity FALCOD RULES\n");
		return 2;
	}
	const char *falcod = argv[1], *rules = argv[2];
	if (rt_bpf_probe(err, sizeof(err)) < 0) {
		printf("SKIP: %s\n", err);
		return SKIP;
	}
	if (access(rules, R_OK) != 0) {
		printf("SKIP: %s: %s\n", rules, strerror(errno));
		return SKIP;
	}
	snprintf(tag, sizeof(tag), "fcpfp%d", (int)getpid());
	snprintf(dir, sizeof(dir), "/tmp/%s_XXXXXX", tag);
	if (!mkdtemp(dir))
		live_die("mkdtemp");
	chmod(dir, 0755);
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl < 0)
		live_die("/proc/self/exe");
	self[sl] = '\0';
	live_copy_file("/bin/cat", path_in("shadowcat"));
	live_copy_file(self, path_in("fcpfprole"));
	live_copy_file("/bin/true", path_in("noise"));
	char shm[128];
	snprintf(shm, sizeof(shm), "/dev/shm/%s_true", tag);
	live_copy_file("/bin/true", shm);
	for (size_t i = 0; i < NEXP; i++)
		expect_on[i] = true;
	/* a hard link needs /etc/shadow and the directory on one filesystem */
	struct stat s1, s2;
	if (stat("/etc/shadow", &s1) != 0 || stat(dir, &s2) != 0 || s1.st_dev != s2.st_dev) {
		expect_on[2] = false;
		printf("SKIP c) /etc/shadow and %s are on different filesystems\n", dir);
	}

	static char *on[MAX_ALERTS], *off[MAX_ALERTS];
	unsigned long long drop_on, drop_off;
	int non = one_run(falcod, rules, false, on, MAX_ALERTS, &drop_on);
	int noff = one_run(falcod, rules, true, off, MAX_ALERTS, &drop_off);
	unlink(shm);

	printf("prefilters on: %d alerts of this test, %llu events dropped in the kernel\n", non,
	       drop_on);
	printf("prefilters off: %d alerts of this test\n", noff);
	CHECK(drop_on > 0, "the prefilters dropped nothing in the kernel");
	for (size_t i = 0; i < NEXP; i++) {
		if (!expect_on[i])
			continue;
		int a = count_rule(on, non, expected[i]), b = count_rule(off, noff, expected[i]);
		printf("  %-40s on %d, off %d\n", expected[i], a, b);
		CHECK(a >= 1 && b >= 1, "rule '%s': %d alerts with prefilters, %d without",
		      expected[i], a, b);
	}
	/* the two multisets, sorted: report every difference */
	int i = 0, j = 0;
	while (i < non || j < noff) {
		int c = i >= non ? 1 : j >= noff ? -1 : strcmp(on[i], off[j]);
		if (c == 0) {
			i++, j++;
			continue;
		}
		if (c < 0)
			printf("  only with prefilters:    %s\n", on[i++]);
		else
			printf("  only without prefilters: %s\n", off[j++]);
		live_failures++;
	}
	CHECK(non == noff, "%d alerts with prefilters, %d without", non, noff);
	for (int k = 0; k < non; k++)
		free(on[k]);
	for (int k = 0; k < noff; k++)
		free(off[k]);

	if (live_failures) {
		live_show_file(path_in("falcod_on.err"));
		live_show_file(path_in("falcod_off.err"));
		printf("(files kept in %s)\nFAILED\n", dir);
		return 1;
	}
	if (getenv("FC_LIVE_KEEP")) {
		printf("(files kept in %s)\n", dir);
	} else {
		char *rmargv[] = { "rm", "-rf", dir, NULL };
		run_wait("/bin/rm", rmargv);
	}
	printf("ok\n");
	return 0;
}
