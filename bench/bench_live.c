/* SPDX-License-Identifier: Apache-2.0 */
/* bench_live.c - what live monitoring costs a syscall-heavy workload.
 *
 * Four workloads (open+close of one file, `dd bs=1`-style read+write, fork+exec of
 * /bin/true, and a small C build: cc -c of 8 sources that include local and system headers,
 * then a link, run in a project directory written at setup, so that the compiler opens its
 * sources and local headers by relative paths as real builds do) are each timed, in this
 * process, under five conditions:
 *   1. no monitor;
 *   2. the floor: bench_floor.bpf.c, a tp_btf/sys_exit program that only counts syscalls in
 *      a per-CPU counter (what any eBPF syscall monitor pays before doing anything);
 *   2b. the floor + path read: the same count, plus, for open, openat, openat2 and creat,
 *       a bpf_probe_read_user_str of the path into a 4 KiB per-CPU buffer (the least a
 *       monitor that looks at open paths pays on top of (2)), so falcod is read against
 *       both floors;
 *   3. falcod live with the upstream falco_rules.yaml, started as a child with --ready-file,
 *      a fresh falcod per run, stopped with SIGTERM after the workload's run; its end-of-run
 *      counters (events seen, dropped by the kernel, alerts) are read from its stderr and its
 *      CPU time from /proc/PID/stat (at ready) and wait4's rusage (at exit).
 *   4. the same falcod with --no-prefilter (every captured event reaches userspace), for the
 *      prefilter comparison (docs/prefilter.md): events reaching userspace, falcod's CPU
 *      seconds and the workload's slowdown, prefilters on vs off, in the same run.
 * Prints min/median/mean wall time per condition, the slowdown ratios (2)/(1), (2b)/(1),
 * (3)/(1) and (4)/(1), and falcod's CPU seconds per million events it saw. Nothing is asserted.
 * Needs root (and a kernel with BTF): otherwise prints why and exits 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_floor.skel.h"
#include "bench_util.h"

#ifndef FC_COMPAT_DIR
#define FC_COMPAT_DIR "../shared/compat"
#endif
#ifndef FC_FALCOD
#define FC_FALCOD "falcod"
#endif

#define RULES_REL "falcosecurity-rules/rules/falco_rules.yaml"
#define MAX_RUNS 64
#define READY_TIMEOUT_MS 120000.0

extern char **environ;

/* --- options and the scratch directory ------------------------------------------------- */

static struct {
	int runs;
	long opens;     /* open+close pairs per run */
	long bytes;     /* bytes copied one at a time per run */
	long execs;     /* fork+exec of /bin/true per run */
	long builds;    /* builds of the whole C project per run */
	const char *falcod;
	const char *rules;
	bool keep;
	const char *only;       /* one workload's key, or NULL for all */
} opt = { 5, 2000000, 2L << 20, 5000, 5, FC_FALCOD, NULL, false, NULL };

static bool skip(size_t w);

static char dir[64];
static char path_open[128], path_data[128], path_ready[128], path_out[128], path_err[128];

/* The build workload's project: BUILD_NSRC sources, BUILD_NHDR local headers, in path_proj. */
#define BUILD_NSRC 8
#define BUILD_NHDR 6
#define STR_(x) #x
#define STR(x) STR_(x)
static char path_proj[128];
static char cc_path[4096];      /* cc or gcc, found on PATH at setup */
static char build_src[BUILD_NSRC][16], build_obj[BUILD_NSRC][16];

static void die(const char *what)
{
	fprintf(stderr, "bench_live: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* --- the workloads --------------------------------------------------------------------- */

static void work_open(void)
{
	for (long i = 0; i < opt.opens; i++) {
		int fd = openat(AT_FDCWD, path_open, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(path_open);
		close(fd);
	}
}

static void work_dd(void)
{
	int in = open(path_data, O_RDONLY | O_CLOEXEC);
	int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (in < 0 || out < 0)
		die("dd: open");
	char c;
	ssize_t n;
	while ((n = read(in, &c, 1)) == 1)
		if (write(out, &c, 1) != 1)
			die("dd: write");
	if (n < 0)
		die("dd: read");
	close(in);
	close(out);
}

static void work_exec(void)
{
	static char *const argv[] = { "true", NULL };
	for (long i = 0; i < opt.execs; i++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			execve("/bin/true", argv, environ);
			_exit(127);
		}
		int st;
		if (waitpid(p, &st, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "bench_live: /bin/true failed (status 0x%x)\n", st);
			exit(2);
		}
	}
}

/* Runs cc_path with argv in the project directory, as make would, and waits for it: a
 * compiler that fails leaves nothing worth timing. */
static void run_cc(char *const argv[])
{
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		if (chdir(path_proj) != 0) {
			fprintf(stderr, "chdir %s: %s\n", path_proj, strerror(errno));
			_exit(126);
		}
		execve(cc_path, argv, environ);
		fprintf(stderr, "exec %s: %s\n", cc_path, strerror(errno));
		_exit(127);
	}
	int st;
	if (waitpid(p, &st, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_live: in %s:", path_proj);
		for (char *const *a = argv; *a; a++)
			fprintf(stderr, " %s", *a);
		fprintf(stderr, ": failed (status 0x%x)\n", st);
		exit(2);
	}
}

static void work_build(void)
{
	char *link_argv[BUILD_NSRC + 4] = { "cc" };
	for (int i = 0; i < BUILD_NSRC; i++)
		link_argv[1 + i] = build_obj[i];
	link_argv[BUILD_NSRC + 1] = "-o";
	link_argv[BUILD_NSRC + 2] = "prog";
	for (long b = 0; b < opt.builds; b++) {
		for (int i = 0; i < BUILD_NSRC; i++) {
			char *const argv[] = { "cc", "-c", "-I", "include", build_src[i], "-o",
					       build_obj[i], NULL };
			run_cc(argv);
		}
		run_cc(link_argv);
	}
}

struct workload {
	const char *key;        /* for --only */
	const char *name;
	void (*fn)(void);
	const char *unit;       /* what one operation is */
	long *ops;              /* operations per run */
	const char *per;        /* the per-op line's label, */
	const char *per_unit;   /* its unit */
	double per_scale;       /* and that unit per ms */
};

enum { W_OPEN, W_DD, W_EXEC, W_BUILD, NWORK };
static const struct workload workloads[NWORK] = {
	[W_OPEN] = { "open", "open+close", work_open, "openat+close pair", &opt.opens, "per op",
		     "us", 1e3 },
	[W_DD] = { "dd", "dd bs=1", work_dd, "byte (read+write of 1 byte)", &opt.bytes, "per op",
		   "us", 1e3 },
	[W_EXEC] = { "exec", "fork+exec /bin/true", work_exec, "fork+execve+wait", &opt.execs,
		     "per op", "us", 1e3 },
	/* a whole build takes a few hundred ms: per-build costs read best in ms */
	[W_BUILD] = { "build", "build", work_build,
		      "whole-project build (" STR(BUILD_NSRC) " x cc -c, 1 x cc link)",
		      &opt.builds, "per build", "ms", 1 },
};

/* Workloads found unable to run here at setup (build without a compiler). */
static bool unavailable[NWORK];

enum { C_NONE, C_FLOOR, C_FLOOR_PATH, C_FALCOD, C_NOPF, NCOND };
static const char *cond_names[NCOND] = {
	"(1) no monitor",
	"(2) floor: bare eBPF on sys_exit",
	"(2b) floor + open path read",
	"(3) falcod + falco_rules.yaml",
	"(4) falcod --no-prefilter",
};

static bool skip(size_t w)
{
	return unavailable[w] || (opt.only && strcmp(opt.only, workloads[w].key) != 0);
}

/* CPU milliseconds, user + system, of this process and its waited-for children: the
 * monitor's in-kernel work is charged to the task making the syscall, and time spent waiting
 * for a CPU taken by other work on the machine is not counted. */
static double cpu_ms(void)
{
	struct rusage s, c;
	getrusage(RUSAGE_SELF, &s);
	getrusage(RUSAGE_CHILDREN, &c);
	return (double)(s.ru_utime.tv_sec + s.ru_stime.tv_sec + c.ru_utime.tv_sec +
			c.ru_stime.tv_sec) * 1e3 +
	       (double)(s.ru_utime.tv_usec + s.ru_stime.tv_usec + c.ru_utime.tv_usec +
			c.ru_stime.tv_usec) / 1e3;
}

/* One run of w: wall and CPU milliseconds. */
static void run_once(const struct workload *w, double *ms, double *cpu)
{
	double c0 = cpu_ms(), t0 = bench_now_ms();
	w->fn();
	*ms = bench_now_ms() - t0;
	*cpu = cpu_ms() - c0;
}

/* --- conditions 2 and 2b: the floor programs -------------------------------------------- */

static uint64_t floor_count(struct bench_floor_bpf *sk)
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return 0;
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v)), sum = 0;
	uint32_t k = 0;
	if (v && bpf_map_lookup_elem(bpf_map__fd(sk->maps.bench_floor_count), &k, v) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* --- condition 3: falcod ------------------------------------------------------------------ */

struct falcod_run {
	bool ok;
	double startup_ms;      /* exec until the ready file */
	double cpu_start_s;     /* falcod's CPU time when ready (rules, /proc scan) */
	double cpu_total_s;     /* at exit */
	double drain_ms;        /* SIGTERM until exit (reading the rest of the ring) */
	unsigned long long seen, drops, alerts;
	unsigned long long pf_kept, pf_dropped; /* "Prefilter: kept K, dropped D in the kernel" */
	int status;
};

/* One workload's falcod runs, summed. */
struct falcod_sum {
	bool failed;            /* a falcod did not start or stop cleanly: no more runs */
	double cpu_s, cpu_start_s, startup_ms, drain_ms;
	unsigned long long seen, drops, alerts, pf_dropped;
};

static double proc_cpu_s(pid_t pid)
{
	char p[64], buf[2048];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *s = strrchr(buf, ')'); /* comm may hold spaces */
	unsigned long long ut = 0, st = 0;
	/* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime(14) stime(15) */
	if (!s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			 &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void show_file_tail(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "    | %s", line);
	fclose(f);
}

/* Starts falcod, waits for its ready file. Returns its pid, or -1. */
static pid_t falcod_start(struct falcod_run *fr, bool no_prefilter)
{
	unlink(path_ready);
	double t0 = bench_now_ms();
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int o = open(path_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int e = open(path_err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execl(opt.falcod, opt.falcod, "-r", opt.rules, "--ready-file", path_ready,
		      no_prefilter ? "--no-prefilter" : (char *)NULL, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", opt.falcod, strerror(errno));
		_exit(127);
	}
	for (;;) {
		if (access(path_ready, F_OK) == 0) {
			/* the file is created, then its pid written: either way, falcod is ready */
			fr->startup_ms = bench_now_ms() - t0;
			fr->cpu_start_s = proc_cpu_s(p);
			return p;
		}
		int st;
		if (waitpid(p, &st, WNOHANG) == p) {
			fprintf(stderr, "bench_live: falcod exited before it was ready (status 0x%x):\n",
				st);
			show_file_tail(path_err);
			return -1;
		}
		if (bench_now_ms() - t0 > READY_TIMEOUT_MS) {
			fprintf(stderr, "bench_live: falcod not ready after %.0f s\n",
				READY_TIMEOUT_MS / 1e3);
			kill(p, SIGKILL);
			waitpid(p, &st, 0);
			return -1;
		}
		usleep(10000);
	}
}

/* The number after `key` in falcod's stderr, or 0. */
static unsigned long long err_counter(const char *text, const char *key)
{
	const char *s = text ? strstr(text, key) : NULL;
	return s ? strtoull(s + strlen(key), NULL, 10) : 0;
}

static void falcod_stop(pid_t p, struct falcod_run *fr)
{
	double t0 = bench_now_ms();
	kill(p, SIGTERM);
	int st;
	struct rusage ru;
	if (wait4(p, &st, 0, &ru) < 0)
		die("wait4");
	fr->drain_ms = bench_now_ms() - t0;
	fr->status = st;
	fr->cpu_total_s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	FILE *f = fopen(path_err, "r");
	char *text = NULL;
	size_t len = 0;
	if (f) {
		FILE *m = open_memstream(&text, &len);
		char buf[4096];
		size_t n;
		while (m && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, m);
		if (m)
			fclose(m);
		fclose(f);
	}
	const char *line = text ? strstr(text, "Events seen: ") : NULL;
	fr->ok = line && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	fr->seen = err_counter(line, "Events seen: ");
	fr->drops = err_counter(line, "dropped by the kernel (ring buffer full): ");
	fr->alerts = err_counter(line, "alerts: ");
	fr->pf_kept = err_counter(text, "Prefilter: kept ");
	fr->pf_dropped = err_counter(text ? strstr(text, "Prefilter: kept ") : NULL, ", dropped ");
	if (!fr->ok) {
		fprintf(stderr, "bench_live: falcod did not stop cleanly (status 0x%x):\n", st);
		show_file_tail(path_err);
	}
	free(text);
}

/* --- main ----------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_live [-n RUNS] [--opens N] [--bytes N] [--execs N] [--builds N]\n"
		"                  [--quick] [--only open|dd|exec|build] [--falcod PATH]\n"
		"                  [--rules FILE] [--compat DIR] [--keep]\n"
		"Times open+close, dd bs=1, fork+exec and small C build workloads with no\n"
		"monitor, with a bare eBPF program on sys_exit, with the same program plus a copy\n"
		"of open paths, and with falcod live on the upstream falco_rules.yaml, prefilters\n"
		"on and off. A build is " STR(BUILD_NSRC) " x `cc -c` and a link, with cc (or\n"
		"gcc) found on PATH.\n"
		"Needs root. Defaults: -n 5 --opens 2000000 --bytes 2097152 --execs 5000\n"
		"--builds 5; --quick: --opens 200000 --bytes 262144 --execs 500 --builds 3.\n");
}

static long num_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		usage(stderr);
		exit(2);
	}
	char *end;
	long v = strtol(argv[++*i], &end, 10);
	if (*end || v <= 0) {
		fprintf(stderr, "bench_live: %s: not a positive number\n", argv[*i]);
		exit(2);
	}
	return v;
}

static void write_file(const char *path, long bytes)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	char buf[65536];
	memset(buf, 'x', sizeof(buf));
	for (long left = bytes; left > 0;) {
		size_t n = left < (long)sizeof(buf) ? (size_t)left : sizeof(buf);
		if (write(fd, buf, n) != (ssize_t)n)
			die(path);
		left -= (long)n;
	}
	close(fd);
}

/* The first cc, else gcc, on PATH, into cc_path. Relative PATH entries are passed over: the
 * compiler is started in the project directory, where they would name something else. */
static bool find_cc(void)
{
	static const char *const names[] = { "cc", "gcc" };
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		for (const char *s = path;;) {
			const char *e = strchrnul(s, ':');
			if (*s == '/') {
				int len = snprintf(cc_path, sizeof(cc_path), "%.*s/%s",
						   (int)(e - s), s, names[n]);
				struct stat sb;
				if (len < (int)sizeof(cc_path) && stat(cc_path, &sb) == 0 &&
				    S_ISREG(sb.st_mode) && access(cc_path, X_OK) == 0)
					return true;
			}
			if (!*e)
				break;
			s = e + 1;
		}
	}
	cc_path[0] = 0;
	return false;
}

static FILE *proj_create(const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", path_proj, rel);
	FILE *f = fopen(p, "we");
	if (!f)
		die(p);
	return f;
}

static void proj_close(FILE *f, const char *rel)
{
	bool bad = ferror(f);
	if (fclose(f) != 0 || bad)
		die(rel);
}

/* The build workload's project: include/h0.h declares what the sources share, hK.h (K >= 1)
 * includes h0.h or, for odd K, hK-1.h, so the compiler follows nested local includes; each
 * src/fN.c includes stdio.h, stdlib.h, string.h (absolute paths under /usr/include), h0.h and
 * three of h1-h5 (relative paths, looked up in src/ first, then in include/); f0.c holds main. */
static void write_project(void)
{
	snprintf(path_proj, sizeof(path_proj), "%s/proj", dir);
	static const char *const subdirs[] = { "", "/src", "/include", "/obj" };
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s%s", path_proj, subdirs[i]);
		if (mkdir(p, 0755) != 0)
			die(p);
	}

	FILE *f = proj_create("include/h0.h");
	fprintf(f, "#ifndef H0_H\n#define H0_H\n#include <stddef.h>\n\n"
		   "struct rec {\n\tint id;\n\tsize_t len;\n\tchar name[32];\n};\n\n");
	for (int n = 0; n < BUILD_NSRC; n++)
		fprintf(f, "int f%d_run(int x);\n", n);
	fprintf(f, "#endif\n");
	proj_close(f, "include/h0.h");
	for (int k = 1; k < BUILD_NHDR; k++) {
		char rel[32];
		snprintf(rel, sizeof(rel), "include/h%d.h", k);
		f = proj_create(rel);
		fprintf(f,
			"#ifndef H%d_H\n#define H%d_H\n#include \"h%d.h\"\n\n"
			"#define H%d_SCALE %d\n\n"
			"static inline int h%d_mix(int x)\n{\n\treturn x * H%d_SCALE + %d;\n}\n\n"
			"static inline void h%d_tag(struct rec *r)\n{\n\tr->id ^= %d;\n}\n#endif\n",
			k, k, k % 2 ? k - 1 : 0, k, k + 2, k, k, k, k, k);
		proj_close(f, rel);
	}
	for (int n = 0; n < BUILD_NSRC; n++) {
		int h[3] = { 1 + n % 5, 1 + (n + 1) % 5, 1 + (n + 3) % 5 };
		snprintf(build_src[n], sizeof(build_src[n]), "src/f%d.c", n);
		snprintf(build_obj[n], sizeof(build_obj[n]), "obj/f%d.o", n);
		f = proj_create(build_src[n]);
		fprintf(f,
			"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
			"#include \"h0.h\"\n"
			"#include \"h%d.h\"\n#include \"h%d.h\"\n#include \"h%d.h\"\n\n"
			"static int fill(struct rec *r, int x)\n{\n"
			"\tr->id = h%d_mix(x) + h%d_mix(x) + h%d_mix(x);\n\th%d_tag(r);\n"
			"\tr->len = (size_t)snprintf(r->name, sizeof(r->name),"
			" \"f%d:%%d\", r->id);\n"
			"\treturn r->id;\n}\n\n"
			"static int count(const char *s, char c)\n{\n\tint n = 0;\n"
			"\tfor (; *s; s++)\n\t\tn += *s == c;\n\treturn n;\n}\n\n"
			"int f%d_run(int x)\n{\n\tstruct rec r;\n\tint id = fill(&r, x);\n"
			"\tchar *copy = malloc(r.len + 1);\n\tif (!copy)\n\t\treturn -1;\n"
			"\tmemcpy(copy, r.name, r.len + 1);\n"
			"\tid += count(copy, ':') + (int)strlen(copy);\n\tfree(copy);\n"
			"\treturn id;\n}\n",
			h[0], h[1], h[2], h[0], h[1], h[2], h[0], n, n);
		if (n == 0) {
			fprintf(f, "\nint main(void)\n{\n\tint sum = 0;\n");
			for (int m = 0; m < BUILD_NSRC; m++)
				fprintf(f, "\tsum += f%d_run(%d);\n", m, m);
			fprintf(f, "\tprintf(\"%%d\\n\", sum);\n\treturn 0;\n}\n");
		}
		proj_close(f, build_src[n]);
	}
}

static void remove_project(void)
{
	char p[256];
	for (int n = 0; n < BUILD_NSRC; n++) {
		snprintf(p, sizeof(p), "%s/%s", path_proj, build_src[n]);
		unlink(p);
		snprintf(p, sizeof(p), "%s/%s", path_proj, build_obj[n]);
		unlink(p);
	}
	for (int k = 0; k < BUILD_NHDR; k++) {
		snprintf(p, sizeof(p), "%s/include/h%d.h", path_proj, k);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/prog", path_proj);
	unlink(p);
	static const char *const subdirs[] = { "src", "include", "obj" };
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", path_proj, subdirs[i]);
		rmdir(p);
	}
	rmdir(path_proj);
}

/* "1.23 0.98 0.50" from /proc/loadavg: other work on the machine skews every number. */
static const char *loadavg(void)
{
	static char buf[64];
	FILE *f = fopen("/proc/loadavg", "r");
	buf[0] = 0;
	if (f) {
		float a, b, c;
		if (fscanf(f, "%f %f %f", &a, &b, &c) == 3)
			snprintf(buf, sizeof(buf), "%.2f %.2f %.2f", a, b, c);
		fclose(f);
	}
	return buf;
}

static double median_of(double *v, int n)
{
	double c[MAX_RUNS];
	memcpy(c, v, (size_t)n * sizeof(*v));
	return bench_stats_of(c, n).median;
}

static double min_of(double *v, int n)
{
	double c[MAX_RUNS];
	memcpy(c, v, (size_t)n * sizeof(*v));
	return bench_stats_of(c, n).min;
}

int main(int argc, char **argv)
{
	const char *compat = FC_COMPAT_DIR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-n") == 0)
			opt.runs = (int)num_arg(argc, argv, &i);
		else if (strcmp(a, "--opens") == 0)
			opt.opens = num_arg(argc, argv, &i);
		else if (strcmp(a, "--bytes") == 0)
			opt.bytes = num_arg(argc, argv, &i);
		else if (strcmp(a, "--execs") == 0)
			opt.execs = num_arg(argc, argv, &i);
		else if (strcmp(a, "--builds") == 0)
			opt.builds = num_arg(argc, argv, &i);
		else if (strcmp(a, "--quick") == 0) {
			opt.opens = 200000;
			opt.bytes = 256L << 10;
			opt.execs = 500;
			opt.builds = 3;
		} else if (strcmp(a, "--falcod") == 0 && i + 1 < argc)
			opt.falcod = argv[++i];
		else if (strcmp(a, "--rules") == 0 && i + 1 < argc)
			opt.rules = argv[++i];
		else if (strcmp(a, "--compat") == 0 && i + 1 < argc)
			compat = argv[++i];
		else if (strcmp(a, "--only") == 0 && i + 1 < argc)
			opt.only = argv[++i];
		else if (strcmp(a, "--keep") == 0)
			opt.keep = true;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	size_t nsel = 0;
	for (size_t w = 0; w < NWORK; w++)
		nsel += !skip(w);
	if (!nsel) {
		fprintf(stderr, "bench_live: --only %s: not open, dd, exec or build\n", opt.only);
		return 2;
	}
	if (opt.runs > MAX_RUNS)
		opt.runs = MAX_RUNS;
	static char rules_buf[4096];
	if (!opt.rules) {
		snprintf(rules_buf, sizeof(rules_buf), "%s/%s", compat, RULES_REL);
		opt.rules = rules_buf;
	}

	printf("bench_live: live monitoring overhead on syscall-heavy workloads\n");
	if (geteuid() != 0) {
		printf("bench_live: skipped: needs root (eBPF programs and falcod's live capture)\n");
		return 0;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		printf("bench_live: skipped: no kernel BTF (/sys/kernel/btf/vmlinux)\n");
		return 0;
	}
	if (access(opt.rules, R_OK) != 0) {
		printf("bench_live: skipped: %s: %s (set --compat or --rules)\n", opt.rules,
		       strerror(errno));
		return 0;
	}
	if (access(opt.falcod, X_OK) != 0) {
		printf("bench_live: skipped: %s: %s (set --falcod)\n", opt.falcod, strerror(errno));
		return 0;
	}
	if (!skip(W_BUILD) && !find_cc()) {
		if (nsel == 1) {
			printf("bench_live: skipped: no cc or gcc on PATH (--only build)\n");
			return 0;
		}
		printf("bench_live: build skipped: no cc or gcc on PATH\n");
		unavailable[W_BUILD] = true;
	}
	libbpf_set_print(quiet_libbpf);

	strcpy(dir, "/tmp/bench_live.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path_open, sizeof(path_open), "%s/file", dir);
	snprintf(path_data, sizeof(path_data), "%s/data", dir);
	snprintf(path_ready, sizeof(path_ready), "%s/ready", dir);
	snprintf(path_out, sizeof(path_out), "%s/falcod.out", dir);
	snprintf(path_err, sizeof(path_err), "%s/falcod.err", dir);
	write_file(path_open, 16);
	write_file(path_data, opt.bytes);
	if (!skip(W_BUILD))
		write_project();

	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	printf("%d runs per condition, %ld CPUs online, load average %s before\n", opt.runs, ncpu,
	       loadavg());
	printf("falcod %s\nrules  %s\n", opt.falcod, opt.rules);
	if (!skip(W_BUILD))
		printf("cc     %s\n", cc_path);
	printf("\n");
	fflush(stdout);

	static double ms[NWORK][NCOND][MAX_RUNS], cpu[NWORK][NCOND][MAX_RUNS];
	static int nrun[NWORK][NCOND];
	static uint64_t floor_n[NWORK][NCOND];
	static struct falcod_sum fsum_pf[NWORK], fsum_nopf[NWORK];

	/* warm-up: page cache, /bin/true, the compiler, the allocator */
	{
		long o = opt.opens, b = opt.execs, c = opt.builds;
		opt.opens = o / 10 + 1;
		opt.execs = b / 10 + 1;
		opt.builds = 1;
		work_open();
		work_dd();
		work_exec();
		if (!skip(W_BUILD))
			work_build();
		opt.opens = o;
		opt.execs = b;
		opt.builds = c;
	}

	/* Runs interleaved, so that other load on the machine hits every condition alike: for each
	 * workload, run r does every condition in an order rotated by r. A floor program is
	 * attached for its condition's run only (the skeleton holds both, so each is attached on
	 * its own, not with the skeleton's attach-all); each falcod run is a fresh falcod (ready
	 * in ~0.1 s). A condition whose program did not load or attach is not run. */
	struct bench_floor_bpf *sk = bench_floor_bpf__open_and_load();
	struct bpf_program *floor_prog[NCOND] = { 0 };
	if (sk) {
		floor_prog[C_FLOOR] = sk->progs.bench_floor_sys_exit;
		floor_prog[C_FLOOR_PATH] = sk->progs.bench_floor_path_sys_exit;
	} else {
		fprintf(stderr, "bench_live: the floor programs did not load: %s\n",
			strerror(errno));
	}
	for (size_t w = 0; w < NWORK; w++) {
		if (skip(w))
			continue;
		const struct workload *wl = &workloads[w];
		for (int r = 0; r < opt.runs; r++) {
			for (int k = 0; k < NCOND; k++) {
				int c = (r + k) % NCOND;
				if (c == C_NONE) {
					int i = nrun[w][c]++;
					run_once(wl, &ms[w][c][i], &cpu[w][c][i]);
				} else if (floor_prog[c]) {
					struct bpf_program *fp = floor_prog[c];
					struct bpf_link *l = bpf_program__attach(fp);
					if (!l) {
						fprintf(stderr, "bench_live: %s did not attach: %s\n",
							bpf_program__name(fp), strerror(errno));
						floor_prog[c] = NULL;
						continue;
					}
					uint64_t c0 = floor_count(sk);
					int i = nrun[w][c]++;
					run_once(wl, &ms[w][c][i], &cpu[w][c][i]);
					floor_n[w][c] += floor_count(sk) - c0;
					bpf_link__destroy(l);
				} else if ((c == C_FALCOD && !fsum_pf[w].failed) ||
					   (c == C_NOPF && !fsum_nopf[w].failed)) {
					struct falcod_sum *fs = c == C_FALCOD ? &fsum_pf[w] : &fsum_nopf[w];
					struct falcod_run fr = { 0 };
					pid_t p = falcod_start(&fr, c == C_NOPF);
					double t, tc;
					if (p < 0) {
						fs->failed = true;
						continue;
					}
					run_once(wl, &t, &tc);
					falcod_stop(p, &fr);
					if (!fr.ok) {
						fs->failed = true;
						continue;
					}
					int i = nrun[w][c]++;
					ms[w][c][i] = t;
					cpu[w][c][i] = tc;
					fs->cpu_s += fr.cpu_total_s - fr.cpu_start_s;
					fs->cpu_start_s += fr.cpu_start_s;
					fs->startup_ms += fr.startup_ms;
					fs->drain_ms += fr.drain_ms;
					fs->seen += fr.seen;
					fs->drops += fr.drops;
					fs->alerts += fr.alerts;
					fs->pf_dropped += fr.pf_dropped;
				}
			}
		}
	}
	bench_floor_bpf__destroy(sk);

	/* the report */
	const int width = 36;
	for (size_t w = 0; w < NWORK; w++) {
		if (skip(w))
			continue;
		const struct workload *wl = &workloads[w];
		const struct falcod_sum *fs = &fsum_pf[w], *fn = &fsum_nopf[w];
		long ops = *wl->ops;
		printf("%s: %ld x %s per run\n", wl->name, ops, wl->unit);
		double med[NCOND] = { 0 }, mn[NCOND] = { 0 }, cmed[NCOND] = { 0 };
		for (int c = 0; c < NCOND; c++) {
			int n = nrun[w][c];
			if (n == 0 || (c == C_FALCOD && fs->failed) || (c == C_NOPF && fn->failed)) {
				printf("  %-*s (not run)\n", width, cond_names[c]);
				continue;
			}
			med[c] = median_of(ms[w][c], n);
			mn[c] = min_of(ms[w][c], n);
			cmed[c] = median_of(cpu[w][c], n);
			bench_print_stats(cond_names[c], width, ms[w][c], n);
		}
		double per = wl->per_scale / (double)ops;
		const char *u = wl->per_unit;
		printf("  %s (median): none %.3f %s", wl->per, med[C_NONE] * per, u);
		if (med[C_FLOOR] > 0)
			printf(", floor %+.3f %s", (med[C_FLOOR] - med[C_NONE]) * per, u);
		if (med[C_FLOOR_PATH] > 0)
			printf(", floor+path %+.3f %s", (med[C_FLOOR_PATH] - med[C_NONE]) * per, u);
		if (med[C_FALCOD] > 0)
			printf(", falcod %+.3f %s", (med[C_FALCOD] - med[C_NONE]) * per, u);
		if (med[C_NOPF] > 0)
			printf(", --no-prefilter %+.3f %s", (med[C_NOPF] - med[C_NONE]) * per, u);
		printf("\n");
		printf("  slowdown (2)/(1):  median %.2fx  min %.2fx\n",
		       med[C_FLOOR] > 0 ? med[C_FLOOR] / med[C_NONE] : 0,
		       mn[C_FLOOR] > 0 ? mn[C_FLOOR] / mn[C_NONE] : 0);
		printf("  slowdown (2b)/(1): median %.2fx  min %.2fx\n",
		       med[C_FLOOR_PATH] > 0 ? med[C_FLOOR_PATH] / med[C_NONE] : 0,
		       mn[C_FLOOR_PATH] > 0 ? mn[C_FLOOR_PATH] / mn[C_NONE] : 0);
		printf("  slowdown (3)/(1):  median %.2fx  min %.2fx\n",
		       med[C_FALCOD] > 0 ? med[C_FALCOD] / med[C_NONE] : 0,
		       mn[C_FALCOD] > 0 ? mn[C_FALCOD] / mn[C_NONE] : 0);
		printf("  slowdown (4)/(1):  median %.2fx  min %.2fx\n",
		       med[C_NOPF] > 0 ? med[C_NOPF] / med[C_NONE] : 0,
		       mn[C_NOPF] > 0 ? mn[C_NOPF] / mn[C_NONE] : 0);
		printf("  workload CPU (median, user+sys): none %.0f ms", cmed[C_NONE]);
		if (cmed[C_FLOOR] > 0)
			printf(", floor %.0f ms = %.2fx", cmed[C_FLOOR], cmed[C_FLOOR] / cmed[C_NONE]);
		if (cmed[C_FLOOR_PATH] > 0)
			printf(", floor+path %.0f ms = %.2fx", cmed[C_FLOOR_PATH],
			       cmed[C_FLOOR_PATH] / cmed[C_NONE]);
		if (cmed[C_FALCOD] > 0)
			printf(", falcod %.0f ms = %.2fx", cmed[C_FALCOD],
			       cmed[C_FALCOD] / cmed[C_NONE]);
		if (cmed[C_NOPF] > 0)
			printf(", --no-prefilter %.0f ms = %.2fx", cmed[C_NOPF],
			       cmed[C_NOPF] / cmed[C_NONE]);
		printf("\n");
		int np = nrun[w][C_FALCOD], nn = nrun[w][C_NOPF];
		if (np && nn && !fs->failed && !fn->failed) {
			/* the prefilter comparison: events reaching userspace, falcod's CPU */
			double seen_pf = (double)fs->seen / np, seen_no = (double)fn->seen / nn;
			double built = seen_pf + (double)fs->pf_dropped / np;
			printf("  prefilter: events reaching userspace per run: on %.0f (%.2f%% of the "
			       "%.0f the kernel built), off %.0f; ",
			       seen_pf, built > 0 ? 100.0 * seen_pf / built : 0, built, seen_no);
			if (seen_pf > 0)
				printf("%.1fx fewer\n", seen_no / seen_pf);
			else
				printf("more than %.0fx fewer\n", seen_no);
			printf("  prefilter: falcod CPU per run after ready: on %.3f s, off %.3f s; "
			       "workload slowdown on %.2fx, off %.2fx, floor %.2fx, "
			       "floor+path %.2fx\n",
			       fs->cpu_s / np, fn->cpu_s / nn,
			       med[C_FALCOD] > 0 ? med[C_FALCOD] / med[C_NONE] : 0,
			       med[C_NOPF] > 0 ? med[C_NOPF] / med[C_NONE] : 0,
			       med[C_FLOOR] > 0 ? med[C_FLOOR] / med[C_NONE] : 0,
			       med[C_FLOOR_PATH] > 0 ? med[C_FLOOR_PATH] / med[C_NONE] : 0);
		}
		if (nrun[w][C_FLOOR])
			printf("  floor: %.2f M syscalls returned on the machine per run\n",
			       (double)floor_n[w][C_FLOOR] / nrun[w][C_FLOOR] / 1e6);
		if (nrun[w][C_FLOOR_PATH])
			printf("  floor+path: %.2f M syscalls returned on the machine per run\n",
			       (double)floor_n[w][C_FLOOR_PATH] / nrun[w][C_FLOOR_PATH] / 1e6);
		int nf = nrun[w][C_FALCOD];
		if (nf && !fs->failed) {
			printf("  falcod: events seen %.0f per run, dropped (ring full) %.0f per run, "
			       "alerts %.0f per run\n",
			       (double)fs->seen / nf, (double)fs->drops / nf,
			       (double)fs->alerts / nf);
			printf("  falcod: CPU %.3f s per run after ready", fs->cpu_s / nf);
			if ((double)fs->seen / nf >= 10000) /* else mostly its idle 50 ms polls */
				printf(" = %.2f s per million events seen\n",
				       fs->cpu_s / ((double)fs->seen / 1e6));
			else
				printf(" (too few events for a per-event cost)\n");
			printf("  falcod: start %.0f ms to ready (%.3f s CPU: rules, /proc scan), stop "
			       "%.0f ms (rest of the ring), means\n",
			       fs->startup_ms / nf, fs->cpu_start_s / nf, fs->drain_ms / nf);
		}
		printf("\n");
	}

	printf("load average %s after\n", loadavg());
	if (opt.keep) {
		printf("kept %s\n", dir);
	} else {
		unlink(path_open);
		unlink(path_data);
		unlink(path_ready);
		unlink(path_out);
		unlink(path_err);
		if (path_proj[0])
			remove_project();
		rmdir(dir);
	}
	return 0;
}
