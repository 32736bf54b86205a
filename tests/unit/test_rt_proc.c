/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_proc.c - the /proc scan: a fake proc tree with exact expectations for every field
 * and fd kind, then the real /proc, where the test process must find itself, a file it
 * opened and a TCP listener it made. */
#define _GNU_SOURCE /* program_invocation_name */
#include "runtime/rt_proc.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/rt_state.h"
#include "suites.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD "/kubepods/besteffort/pod6f1b2c3d-aaaa-bbbb-cccc-1234567890ab/" CID

static char root[256];   /* the temp dir; the fake proc is root/proc */
static char proc[300];

static void put(const char *rel, const char *data, size_t len)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* make the parent directories */
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void puts_(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static void link_(const char *rel, const char *target)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	ck_assert_int_eq(symlink(target, path), 0);
}

static void rm_tree(const char *dir)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_rt_proc: could not remove %s\n", dir);
}

#define STATUS(name, tgid, pid, ppid, nstgid, nspid) \
	"Name:\t" name "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t" tgid "\nNgid:\t0\n" \
	"Pid:\t" pid "\nPPid:\t" ppid "\nTracerPid:\t0\nUid:\t1000\t1001\t1000\t1000\n" \
	"Gid:\t2000\t2001\t2000\t2000\nFDSize:\t64\nNStgid:\t" nstgid "\nNSpid:\t" nspid "\n" \
	"CapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t0000000000000400\n"

static const char tcp[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode\n"
	"   0: 0100007F:1F90 0200000A:D431 01 00000000:00000000 00:00000000 00000000  1000  "
	"      0 1001 1 0000000000000000 20 4 30 10 -1\n"
	"   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
	"      0 1002 1 0000000000000000 100 0 0 10 0\n";
static const char tcp6[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A "
	"00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 100 0 0 "
	"10 0\n";
static const char udp[] =
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode ref pointer drops\n"
	"  100: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101  "
	"      0 1005 2 0000000000000000 0\n";
static const char unix_[] =
	"Num       RefCount Protocol Flags    Type St Inode Path\n"
	"0000000000000000: 00000002 00000000 00010000 0001 01 1004 /run/app.sock\n"
	"0000000000000000: 00000003 00000000 00000000 0001 03 1007\n";
static const char netlink[] =
	"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
	"0000000000000000 0   100        00000000 0        0        0     2        0        1006\n";

static void fake_setup(void)
{
	strcpy(root, "/tmp/rt_proc_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(proc, sizeof(proc), "%s/proc", root);
	char target[600];

	puts_("proc/stat", "cpu  1 2 3 4\nbtime 1700000000\nprocesses 5\n");
	puts_("proc/self", "not a process");
	puts_("sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");

	/* 100: a containerized process (cgroup v1) with a second thread 101 and every fd kind */
	static const char cmd100[] = "/usr/bin/app\0--flag\0value\0";
	put("proc/100/cmdline", cmd100, sizeof(cmd100) - 1);
	static const char env100[] = "A=1\0B=two\0";
	put("proc/100/environ", env100, sizeof(env100) - 1);
	link_("proc/100/exe", "/usr/bin/app (deleted)");
	link_("proc/100/cwd", "/srv");
	puts_("proc/100/loginuid", "1000");
	puts_("proc/100/cgroup", "4:cpu,cpuacct:" POD "\n3:cpuset:" POD "\n");
	link_("proc/100/ns/net", "net:[4026531992]");
	puts_("proc/100/task/100/status", STATUS("app", "100", "100", "1", "100", "100"));
	puts_("proc/100/task/100/comm", "app\n");
	puts_("proc/100/task/100/stat", "100 (a) b) S 1 100 90 34816 100 4194560 10 0 0 0 5 3 0 "
					"0 20 0 2 0 12345 1000000 100 18446744073709551615\n");
	puts_("proc/100/task/101/status", STATUS("worker", "100", "101", "1", "100", "101"));
	puts_("proc/100/task/101/comm", "worker\n");
	puts_("proc/100/task/101/stat", "101 (worker) S 1 100 90 34816 100 4194560 10 0 0 0 5 3 "
					"0 0 20 0 2 0 12400 1000000 100 0\n");
	puts_("data.txt", "hello");
	mkdir(strcat(strcpy(target, root), "/dir"), 0755);
	snprintf(target, sizeof(target), "%s/data.txt", root);
	link_("proc/100/fd/0", target);
	puts_("proc/100/fdinfo/0", "pos:\t0\nflags:\t02100002\nmnt_id:\t25\n");
	snprintf(target, sizeof(target), "%s/dir", root);
	link_("proc/100/fd/1", target);
	link_("proc/100/fd/3", "socket:[1001]");
	link_("proc/100/fd/4", "socket:[1002]");
	link_("proc/100/fd/5", "socket:[1003]");
	link_("proc/100/fd/6", "socket:[1004]");
	link_("proc/100/fd/7", "pipe:[5555]");
	link_("proc/100/fd/8", "anon_inode:[eventfd]");
	link_("proc/100/fd/9", "anon_inode:[eventpoll]");
	link_("proc/100/fd/10", "anon_inode:[signalfd]");
	link_("proc/100/fd/11", "anon_inode:[timerfd]");
	link_("proc/100/fd/12", "anon_inode:inotify");
	link_("proc/100/fd/13", "anon_inode:bpf-map");
	link_("proc/100/fd/14", "anon_inode:[userfaultfd]");
	link_("proc/100/fd/15", "/memfd:secret (deleted)");
	link_("proc/100/fd/16", "socket:[1005]");
	link_("proc/100/fd/17", "socket:[9999]"); /* in no table: skipped, as libscap */
	link_("proc/100/fd/18", "socket:[1006]");
	link_("proc/100/fd/19", "socket:[1007]");
	link_("proc/100/fd/20", "anon_inode:bpf-prog");
	puts_("proc/100/net/tcp", tcp);
	puts_("proc/100/net/tcp6", tcp6);
	puts_("proc/100/net/udp", udp);
	puts_("proc/100/net/unix", unix_);
	puts_("proc/100/net/netlink", netlink);

	/* 200: in a pid namespace, cgroup v2, loginuid unset, no environ, one pipe fd */
	static const char cmd200[] = "sh\0-c\0sleep 1\0";
	put("proc/200/cmdline", cmd200, sizeof(cmd200) - 1);
	put("proc/200/environ", "", 0);
	link_("proc/200/exe", "/usr/bin/dash");
	link_("proc/200/cwd", "/");
	puts_("proc/200/loginuid", "4294967295");
	puts_("proc/200/cgroup", "0::/user.slice/user-1000.slice/session-1.scope\n");
	puts_("proc/200/task/200/status", STATUS("sh", "200", "200", "100", "200\t1", "200\t1"));
	puts_("proc/200/task/200/comm", "sh\n");
	puts_("proc/200/task/200/stat", "200 (sh) R 100 200 200 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 "
					"1 0 20000 1000 10 0\n");
	link_("proc/200/fd/2", "pipe:[7777]");

	/* 300: a kernel thread: empty cmdline, no exe, no fds */
	put("proc/300/cmdline", "", 0);
	puts_("proc/300/task/300/status", STATUS("kworker/0:1", "300", "300", "2", "300", "300"));
	puts_("proc/300/task/300/comm", "kworker/0:1\n");
	puts_("proc/300/task/300/stat",
	      "300 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0 0\n");

	/* 400: gone between readdir and the reads (only the directory is left) */
	mkdir(strcat(strcpy(target, proc), "/400"), 0755);
}

static void fake_teardown(void)
{
	rm_tree(root);
}

static uint64_t clone_ts(uint64_t ticks)
{
	uint64_t tck = (uint64_t)sysconf(_SC_CLK_TCK);
	return 1700000000ull * 1000000000ull + ticks / tck * 1000000000ull +
	       ticks % tck * 1000000000ull / tck;
}

/* The strings of a NUL-separated buffer joined with '|' (cgroups: up to an empty string). */
static const char *joined(const char *p, size_t len)
{
	static char out[2048];
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; p && i < len && p[i] && o < sizeof(out) - 2; i += strlen(p + i) + 1) {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "|" : "", p + i);
	}
	return out;
}

START_TEST(fake_threads)
{
	struct rt_state *s = rt_state_new();
	char err[256] = "";
	ck_assert_int_eq(rt_proc_scan(s, proc, err, sizeof(err)), 0);

	struct rt_thread *t = rt_thread_lookup(s, 100);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->pid, 100);
	ck_assert_int_eq(t->ptid, 1);
	ck_assert_int_eq(t->vpid, 100);
	ck_assert_int_eq(t->vtid, 100);
	ck_assert_int_eq(t->sid, 90);
	ck_assert_int_eq(t->pgid, 100);
	ck_assert_str_eq(t->comm, "app");
	ck_assert_str_eq(t->exe, "/usr/bin/app");
	ck_assert_str_eq(t->exepath, "/usr/bin/app");
	ck_assert_uint_eq(t->nargs, 2);
	ck_assert_uint_eq(t->args_len, sizeof("--flag\0value"));
	ck_assert_str_eq(joined(t->args, t->args_len), "--flag|value");
	ck_assert_uint_eq(t->env_len, sizeof("A=1\0B=two"));
	ck_assert_str_eq(joined(t->env, t->env_len), "A=1|B=two");
	ck_assert_str_eq(t->cwd, "/srv/");
	ck_assert_str_eq(joined(t->cgroups, (size_t)-1),
			 "cpu=" POD "|cpuacct=" POD "|cpuset=" POD);
	ck_assert_str_eq(t->container_id, "0123456789ab");
	ck_assert_uint_eq(t->uid, 1000);
	ck_assert_uint_eq(t->euid, 1001);
	ck_assert_uint_eq(t->gid, 2000);
	ck_assert_uint_eq(t->egid, 2001);
	ck_assert_uint_eq(t->loginuid, 1000);
	ck_assert_uint_eq(t->tty, 34816);
	ck_assert_uint_eq(t->clone_ts, clone_ts(12345));
	ck_assert_uint_eq(t->cap_inheritable, 0);
	ck_assert_uint_eq(t->cap_permitted, 0xa80425fbull);
	ck_assert_uint_eq(t->cap_effective, 0x400);
	ck_assert(!t->exe_from_memfd);

	struct rt_thread *w = rt_thread_lookup(s, 101);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->pid, 100);
	ck_assert_int_eq(w->ptid, 1);
	ck_assert_int_eq(w->vtid, 101);
	ck_assert_int_eq(w->vpid, 100);
	ck_assert_str_eq(w->comm, "worker");
	ck_assert_str_eq(w->exe, "/usr/bin/app");
	ck_assert_uint_eq(w->clone_ts, clone_ts(12400));
	ck_assert_str_eq(w->container_id, "0123456789ab");
	ck_assert_ptr_eq(rt_fd_lookup(w, 3), rt_fd_lookup(t, 3)); /* one fd table */

	struct rt_thread *sh = rt_thread_lookup(s, 200);
	ck_assert_ptr_nonnull(sh);
	ck_assert_int_eq(sh->ptid, 100);
	ck_assert_int_eq(sh->vpid, 1);
	ck_assert_int_eq(sh->vtid, 1);
	ck_assert_str_eq(sh->exe, "sh");
	ck_assert_str_eq(sh->exepath, "/usr/bin/dash");
	ck_assert_str_eq(joined(sh->args, sh->args_len), "-c|sleep 1");
	ck_assert_uint_eq(sh->env_len, 0);
	ck_assert_str_eq(sh->cwd, "/");
	ck_assert_uint_eq(sh->loginuid, UINT32_MAX);
	ck_assert_str_eq(joined(sh->cgroups, (size_t)-1),
			 "cpu=/user.slice/user-1000.slice/session-1.scope|"
			 "memory=/user.slice/user-1000.slice/session-1.scope|"
			 "pids=/user.slice/user-1000.slice/session-1.scope");
	ck_assert_str_eq(sh->container_id, "host");
	ck_assert_uint_eq(sh->tty, 0);

	struct rt_thread *k = rt_thread_lookup(s, 300);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->comm, "kworker/0:1");
	ck_assert_str_eq(k->exe, "kworker/0:1");
	ck_assert_uint_eq(k->nargs, 0);

	ck_assert_ptr_null(rt_thread_lookup(s, 400));

	struct rt_state_stats st;
	rt_state_stats(s, &st);
	ck_assert_uint_eq(st.threads, 4);
	ck_assert_uint_eq(st.fds, 20);
	rt_state_free(s);
}
END_TEST

static const struct {
	int64_t num;
	char type;
	const char *name;
} fds[] = {
	{ 1, RT_FD_DIRECTORY, NULL }, /* NULL: root/dir */
	{ 3, RT_FD_IPV4, "127.0.0.1:8080->10.0.0.2:54321" },
	{ 4, RT_FD_IPV4, "0.0.0.0:22" },
	{ 5, RT_FD_IPV6, "::1:8081" },
	{ 6, RT_FD_UNIX, "/run/app.sock" },
	{ 7, RT_FD_PIPE, "pipe:[5555]" },
	{ 8, RT_FD_EVENT, "" },
	{ 9, RT_FD_EVENTPOLL, "" },
	{ 10, RT_FD_SIGNALFD, "" },
	{ 11, RT_FD_TIMERFD, "" },
	{ 12, RT_FD_INOTIFY, "" },
	{ 13, RT_FD_BPF, "" },
	{ 14, RT_FD_USERFAULTFD, "" },
	{ 15, RT_FD_MEMFD, "/memfd:secret (deleted)" },
	{ 16, RT_FD_IPV4, "127.0.0.1:53" },
	{ 18, RT_FD_NETLINK, "" },
	{ 19, RT_FD_UNIX, "" },
	{ 20, RT_FD_BPF, "" },
};

START_TEST(fake_fd_kinds)
{
	struct rt_state *s = rt_state_new();
	ck_assert_int_eq(rt_proc_scan(s, proc, NULL, 0), 0);
	struct rt_thread *t = rt_thread_lookup(s, 100);
	ck_assert_ptr_nonnull(t);
	struct rt_fd *fd = rt_fd_lookup(t, fds[_i].num);
	ck_assert_msg(fd != NULL, "fd %d missing", (int)fds[_i].num);
	ck_assert_int_eq(fd->type, fds[_i].type);
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/dir", root);
	ck_assert_str_eq(fd->name ? fd->name : "", fds[_i].name ? fds[_i].name : dir);
	rt_state_free(s);
}
END_TEST

START_TEST(fake_fd_details)
{
	struct rt_state *s = rt_state_new();
	ck_assert_int_eq(rt_proc_scan(s, proc, NULL, 0), 0);
	struct rt_thread *t = rt_thread_lookup(s, 101); /* through the thread */
	ck_assert_ptr_nonnull(t);

	char path[600];
	struct stat st;
	snprintf(path, sizeof(path), "%s/data.txt", root);
	ck_assert_int_eq(stat(path, &st), 0);
	struct rt_fd *f = rt_fd_lookup(t, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->type, RT_FD_FILE);
	ck_assert_str_eq(f->name, path);
	ck_assert_uint_eq(f->ino, st.st_ino);
	/* 02100002: O_RDWR | O_LARGEFILE | O_CLOEXEC, in Falco's encoding */
	ck_assert_uint_eq(f->open_flags, RT_O_RDONLY | RT_O_WRONLY | RT_O_CLOEXEC | (1u << 11));

	f = rt_fd_lookup(t, 3); /* established: the local end is the source, as libscap */
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->family, FK_AF_INET);
	ck_assert_uint_eq(f->l4proto, RT_L4_TCP);
	ck_assert_uint_eq(f->ino, 1001);
	static const uint8_t lo[4] = { 127, 0, 0, 1 }, ten[4] = { 10, 0, 0, 2 };
	ck_assert_mem_eq(f->sip, lo, 4);
	ck_assert_mem_eq(f->dip, ten, 4);
	ck_assert_uint_eq(f->sport, 8080);
	ck_assert_uint_eq(f->dport, 54321);
	ck_assert(f->connected);
	ck_assert(!f->is_server);

	f = rt_fd_lookup(t, 4); /* listening */
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->sport, 22);
	ck_assert(f->is_server);
	ck_assert(!f->connected);

	f = rt_fd_lookup(t, 5);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->family, FK_AF_INET6);
	static const uint8_t lo6[16] = { [15] = 1 };
	ck_assert_mem_eq(f->sip, lo6, 16);
	ck_assert_uint_eq(f->sport, 8081);

	f = rt_fd_lookup(t, 16);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->l4proto, RT_L4_UDP);
	ck_assert_uint_eq(f->sport, 53);

	f = rt_fd_lookup(t, 6);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->family, FK_AF_UNIX);
	ck_assert_uint_eq(f->ino, 1004);
	ck_assert(f->is_server);
	ck_assert(!rt_fd_lookup(t, 19)->is_server); /* unbound: the client end */

	f = rt_fd_lookup(t, 7);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->ino, 5555);

	ck_assert_ptr_null(rt_fd_lookup(t, 17));
	ck_assert_ptr_null(rt_fd_lookup(t, 2)); /* 200's fd, not 100's */
	struct rt_thread *sh = rt_thread_lookup(s, 200);
	ck_assert_ptr_nonnull(rt_fd_lookup(sh, 2));
	ck_assert_ptr_null(rt_fd_lookup(sh, 3));
	rt_state_free(s);
}
END_TEST

START_TEST(fake_flags)
{
	struct rt_state *s = rt_state_new();
	ck_assert_int_eq(rt_proc_scan_flags(s, proc, RT_PROC_NO_FDS, NULL, 0), 0);
	struct rt_state_stats st;
	rt_state_stats(s, &st);
	ck_assert_uint_eq(st.threads, 4);
	ck_assert_uint_eq(st.fds, 0);
	rt_state_free(s);
}
END_TEST

START_TEST(missing_root)
{
	struct rt_state *s = rt_state_new();
	char err[256] = "";
	ck_assert_int_eq(rt_proc_scan(s, "/nonexistent/proc", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "cannot read /nonexistent/proc: No such file or directory");
	rt_state_free(s);
}
END_TEST

/* ---- the real /proc ------------------------------------------------------------------ */

START_TEST(real_self)
{
	char tmp[] = "/tmp/rt_proc_fd_XXXXXX";
	int ffd = mkstemp(tmp);
	ck_assert_int_ge(ffd, 0);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	unsigned port = ntohs(a.sin_port);

	struct rt_state *s = rt_state_new();
	char err[256] = "";
	ck_assert_int_eq(rt_proc_scan(s, "/proc", err, sizeof(err)), 0);
	struct rt_thread *t = rt_thread_lookup(s, getpid());
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->pid, getpid());
	ck_assert_int_eq(t->ptid, getppid());
	ck_assert_uint_eq(t->uid, getuid());
	ck_assert_uint_eq(t->euid, geteuid());
	ck_assert_uint_eq(t->gid, getgid());

	char comm[16];
	snprintf(comm, sizeof(comm), "%s", program_invocation_short_name);
	ck_assert_str_eq(t->comm, comm);
	ck_assert_str_eq(t->exe, program_invocation_name);
	char *exe = realpath(program_invocation_name, NULL);
	if (exe) /* else it was found through PATH */
		ck_assert_str_eq(t->exepath, exe);
	free(exe);

	/* the test binary's argv[1..], straight from the kernel */
	FILE *f = fopen("/proc/self/cmdline", "r");
	ck_assert_ptr_nonnull(f);
	char cmd[4096];
	size_t n = fread(cmd, 1, sizeof(cmd), f);
	fclose(f);
	size_t l0 = strlen(cmd) + 1;
	ck_assert_uint_eq(t->args_len, n - l0);
	if (n > l0)
		ck_assert_mem_eq(t->args, cmd + l0, n - l0);

	char cwd[4096];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd) - 1));
	if (strcmp(cwd, "/") != 0)
		strcat(cwd, "/");
	ck_assert_str_eq(t->cwd, cwd);

	struct rt_fd *fd = rt_fd_lookup(t, ffd);
	ck_assert_ptr_nonnull(fd);
	ck_assert_int_eq(fd->type, RT_FD_FILE);
	ck_assert_str_eq(fd->name, tmp);

	fd = rt_fd_lookup(t, lfd);
	ck_assert_ptr_nonnull(fd);
	ck_assert_int_eq(fd->type, RT_FD_IPV4);
	ck_assert_uint_eq(fd->family, FK_AF_INET);
	ck_assert_uint_eq(fd->l4proto, RT_L4_TCP);
	ck_assert_uint_eq(fd->sport, port);
	ck_assert(fd->is_server);
	char name[64];
	snprintf(name, sizeof(name), "127.0.0.1:%u", port);
	ck_assert_str_eq(fd->name, name);

	/* pid 1 is always there; its fields may be unreadable without privileges */
	ck_assert_ptr_nonnull(rt_thread_lookup(s, 1));
	rt_state_free(s);

	/* and skipping ourselves */
	s = rt_state_new();
	ck_assert_int_eq(rt_proc_scan_flags(s, "/proc", RT_PROC_SKIP_SELF, NULL, 0), 0);
	ck_assert_ptr_null(rt_thread_lookup(s, getpid()));
	rt_state_free(s);

	close(lfd);
	close(ffd);
	unlink(tmp);
}
END_TEST

Suite *rt_proc_suite(void)
{
	Suite *s = suite_create("rt_proc");
	TCase *tc = tcase_create("fake");
	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_add_test(tc, fake_threads);
	tcase_add_loop_test(tc, fake_fd_kinds, 0, sizeof(fds) / sizeof(fds[0]));
	tcase_add_test(tc, fake_fd_details);
	tcase_add_test(tc, fake_flags);
	tcase_add_test(tc, missing_root);
	suite_add_tcase(s, tc);
	tc = tcase_create("real");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, real_self);
	suite_add_tcase(s, tc);
	return s;
}
