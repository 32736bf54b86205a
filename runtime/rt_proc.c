/* SPDX-License-Identifier: Apache-2.0 */
/* rt_proc.c - the start-up scan of /proc (see rt_proc.h). Reads procfs text formats and
 * turns them into rt_thread/rt_fd snapshots; the state copies them. What to keep about a
 * thread and how events change it belongs to rt_state.c, not here.
 *
 * Formats follow libscap's proc scan so that fields read the same as in Falco: socket
 * addresses come from PID/net tables (local address as the source, a zero remote address
 * makes a listening socket named "ip:port"), anonymous inodes get an empty name, files keep
 * the link text (" (deleted)" included).
 *
 * Out of memory aborts (the daemon's rule; there is no rt_oom() to call yet). */
#define _GNU_SOURCE /* O_DIRECT, O_TMPFILE */
#include "runtime/rt_proc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "runtime/rt_state.h"

#define RT_PROC_ARGS_MAX 4096           /* cmdline bytes kept, as the drivers cap execve args */
#define RT_PROC_ENV_MAX 4096            /* environ bytes kept (libscap's SCAP_MAX_ENV_SIZE) */
#define RT_PROC_FILE_MAX (1u << 20)     /* any other procfs file */
#define RT_PROC_PATH 4096
#define RT_PROC_DIR 512               /* room for procfs_root/PID/task/TID */

/* One socket of a PID/net table. */
struct rt_sock {
	uint64_t ino;
	char type;                      /* enum rt_fd_type */
	uint8_t family, l4proto;
	bool server;                    /* zero remote address: listening/unbound */
	uint8_t sip[16], dip[16];
	uint16_t sport, dport;
	char *path;                     /* unix sockets: the bound path, owned */
};

/* The sockets of one network namespace, sorted by inode. */
struct rt_netns {
	uint64_t ino;
	struct rt_sock *v;
	size_t n, cap;
	struct rt_netns *next;
};

struct rt_scan {
	struct rt_state *s;
	const char *root;
	unsigned flags;
	uint64_t boot_ns;
	long tck;
	char *controllers;              /* cgroup v2 controllers, space-separated; owned */
	struct rt_netns *ns;
};

/* Reads a whole file (at most cap bytes) into a NUL-terminated heap buffer; NULL when it
 * cannot be opened or read. *len gets the bytes read (the added NUL excluded). */
static char *rt_proc_read(const char *path, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t n = 0, sz = 4096 < cap ? 4096 : cap;
	char *buf = malloc(sz + 1);
	if (!buf)
		abort();
	for (;;) {
		if (n == sz) {
			if (sz >= cap)
				break;
			sz = sz * 2 < cap ? sz * 2 : cap;
			buf = realloc(buf, sz + 1);
			if (!buf)
				abort();
		}
		ssize_t r = read(fd, buf + n, sz - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* readlink into buf, NUL-terminated; the length, or -1. */
static ssize_t rt_proc_link(const char *path, char *buf, size_t size)
{
	ssize_t r = readlink(path, buf, size - 1);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return r;
}

static char *rt_proc_strdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/* ---- sockets --------------------------------------------------------------------------- */

static struct rt_sock *rt_netns_push(struct rt_netns *ns)
{
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v));
		if (!ns->v)
			abort();
	}
	struct rt_sock *k = &ns->v[ns->n++];
	memset(k, 0, sizeof(*k));
	return k;
}

/* An address as /proc/net/{tcp,tcp6,...} prints it: 8 hex digits per 32-bit word, each word
 * the network-order bytes read as a host integer. */
static bool rt_proc_hexaddr(const char *hex, uint8_t *out, size_t words)
{
	if (strlen(hex) != words * 8)
		return false;
	for (size_t i = 0; i < words; i++) {
		char w[9];
		memcpy(w, hex + i * 8, 8);
		w[8] = '\0';
		uint32_t v = (uint32_t)strtoul(w, NULL, 16);
		memcpy(out + i * 4, &v, 4);
	}
	return true;
}

static bool rt_proc_is_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

/* sl: local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ... */
static void rt_netns_read_inet(struct rt_netns *ns, const char *path, uint8_t family,
			       uint8_t l4proto)
{
	char *buf = rt_proc_read(path, 64u << 20, NULL);
	if (!buf)
		return;
	size_t words = family == FK_AF_INET ? 1 : 4;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char la[40], ra[40];
		unsigned lp, rp, st;
		uint64_t ino;
		if (sscanf(line, " %*[^:]: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*x:%*x %*x:%*x %*x "
				 "%*u %*u %" SCNu64,
			   la, &lp, ra, &rp, &st, &ino) != 6)
			continue;       /* the header line */
		struct rt_sock k = { .ino = ino, .family = family, .l4proto = l4proto };
		if (!rt_proc_hexaddr(la, k.sip, words) || !rt_proc_hexaddr(ra, k.dip, words))
			continue;
		k.type = family == FK_AF_INET ? RT_FD_IPV4 : RT_FD_IPV6;
		k.sport = (uint16_t)lp;
		k.dport = (uint16_t)rp;
		k.server = rt_proc_is_zero(k.dip, words * 4);
		*rt_netns_push(ns) = k;
	}
	free(buf);
}

/* Num RefCount Protocol Flags Type St Inode [Path] */
static void rt_netns_read_unix(struct rt_netns *ns, const char *path)
{
	char *buf = rt_proc_read(path, 64u << 20, NULL);
	if (!buf)
		return;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t ino;
		int off = 0;
		if (sscanf(line, "%*s %*x %*x %*x %*x %*x %" SCNu64 "%n", &ino, &off) != 1)
			continue;
		const char *p = line + off;
		while (*p == ' ' || *p == '\t')
			p++;
		struct rt_sock *k = rt_netns_push(ns);
		k->ino = ino;
		k->type = RT_FD_UNIX;
		k->family = FK_AF_UNIX;
		k->path = rt_proc_strdup(p);
	}
	free(buf);
}

/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
static void rt_netns_read_netlink(struct rt_netns *ns, const char *path)
{
	char *buf = rt_proc_read(path, 64u << 20, NULL);
	if (!buf)
		return;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t ino;
		if (sscanf(line, "%*x %*d %*d %*x %*d %*d %*d %*d %*d %" SCNu64, &ino) != 1)
			continue;
		struct rt_sock *k = rt_netns_push(ns);
		k->ino = ino;
		k->type = RT_FD_NETLINK;
	}
	free(buf);
}

static int rt_sock_cmp(const void *a, const void *b)
{
	const struct rt_sock *x = a, *y = b;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* The socket table of the network namespace netns_ino, read from dir (PID/net) the first
 * time that namespace is seen. */
static struct rt_netns *rt_scan_netns(struct rt_scan *sc, uint64_t netns_ino, const char *dir)
{
	for (struct rt_netns *ns = sc->ns; ns; ns = ns->next)
		if (ns->ino == netns_ino)
			return ns;
	struct rt_netns *ns = calloc(1, sizeof(*ns));
	if (!ns)
		abort();
	ns->ino = netns_ino;
	static const struct {
		const char *file;
		uint8_t family, l4proto;
	} inet[] = {
		{ "tcp", FK_AF_INET, RT_L4_TCP },   { "udp", FK_AF_INET, RT_L4_UDP },
		{ "raw", FK_AF_INET, RT_L4_RAW },   { "tcp6", FK_AF_INET6, RT_L4_TCP },
		{ "udp6", FK_AF_INET6, RT_L4_UDP }, { "raw6", FK_AF_INET6, RT_L4_RAW },
	};
	char path[RT_PROC_PATH];
	for (size_t i = 0; i < sizeof(inet) / sizeof(inet[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, inet[i].file);
		rt_netns_read_inet(ns, path, inet[i].family, inet[i].l4proto);
	}
	snprintf(path, sizeof(path), "%s/unix", dir);
	rt_netns_read_unix(ns, path);
	snprintf(path, sizeof(path), "%s/netlink", dir);
	rt_netns_read_netlink(ns, path);
	if (ns->n)
		qsort(ns->v, ns->n, sizeof(*ns->v), rt_sock_cmp);
	ns->next = sc->ns;
	sc->ns = ns;
	return ns;
}

static const struct rt_sock *rt_netns_find(const struct rt_netns *ns, uint64_t ino)
{
	struct rt_sock key = { .ino = ino };
	if (!ns->n)
		return NULL;
	return bsearch(&key, ns->v, ns->n, sizeof(*ns->v), rt_sock_cmp);
}

/* Falco's socket fd names: "sip:sport->dip:dport", "ip:port" for a listening socket, the
 * bound path for a unix socket, "" for netlink. rt_state.h has no tuple formatter yet; this
 * follows libsinsp's ipv4tuple_to_string/ipv6serveraddr_to_string. */
static void rt_sock_name(const struct rt_sock *k, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = k->family == FK_AF_INET ? AF_INET : AF_INET6;
	switch (k->type) {
	case RT_FD_IPV4:
	case RT_FD_IPV6:
		if (!inet_ntop(af, k->sip, a, sizeof(a)) || !inet_ntop(af, k->dip, b, sizeof(b))) {
			out[0] = '\0';
			return;
		}
		if (k->server)
			snprintf(out, size, "%s:%u", a, k->sport);
		else
			snprintf(out, size, "%s:%u->%s:%u", a, k->sport, b, k->dport);
		return;
	case RT_FD_UNIX:
		snprintf(out, size, "%s", k->path ? k->path : "");
		return;
	default:
		out[0] = '\0';
	}
}

static void rt_scan_fini(struct rt_scan *sc)
{
	while (sc->ns) {
		struct rt_netns *ns = sc->ns;
		sc->ns = ns->next;
		for (size_t i = 0; i < ns->n; i++)
			free(ns->v[i].path);
		free(ns->v);
		free(ns);
	}
	free(sc->controllers);
}

/* ---- file descriptors ------------------------------------------------------------------ */

/* The kernel's new_encode_dev(), the dev_t layout the drivers report. */
static uint32_t rt_proc_encode_dev(dev_t d)
{
	uint32_t maj = major(d), min = minor(d);
	return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

static const struct {
	const char *link;
	char type;
} rt_anon[] = {
	{ "anon_inode:[eventfd]", RT_FD_EVENT },
	{ "anon_inode:[eventpoll]", RT_FD_EVENTPOLL },
	{ "anon_inode:[signalfd]", RT_FD_SIGNALFD },
	{ "anon_inode:[timerfd]", RT_FD_TIMERFD },
	{ "anon_inode:inotify", RT_FD_INOTIFY },
	{ "anon_inode:[userfaultfd]", RT_FD_USERFAULTFD },
	{ "anon_inode:bpf", RT_FD_BPF },    /* bpf-map, bpf-prog, bpf_link, bpf_iter */
	{ "anon_inode:[bpf", RT_FD_BPF },
};

/* Kernel O_* bits as the open events encode them (Falco's PPM_O_*; the ones rt_state.h
 * doesn't name are private here). */
#define RT_PROC_O_DSYNC (1u << 4)
#define RT_PROC_O_EXCL (1u << 5)
#define RT_PROC_O_NONBLOCK (1u << 6)
#define RT_PROC_O_SYNC (1u << 7)
#define RT_PROC_O_DIRECT (1u << 9)
#define RT_PROC_O_LARGEFILE (1u << 11)
/* glibc's O_LARGEFILE is 0 on 64-bit targets; fdinfo shows the kernel's asm-generic bit. */
#define RT_PROC_KO_LARGEFILE 0100000

static uint32_t rt_proc_open_flags(unsigned long f)
{
	static const struct {
		unsigned long kernel;
		uint32_t rt;
	} bits[] = {
		{ O_CREAT, RT_O_CREAT },         { O_APPEND, RT_O_APPEND },
		{ O_DSYNC, RT_PROC_O_DSYNC },    { O_EXCL, RT_PROC_O_EXCL },
		{ O_NONBLOCK, RT_PROC_O_NONBLOCK }, { O_TRUNC, RT_O_TRUNC },
		{ O_DIRECT, RT_PROC_O_DIRECT },  { RT_PROC_KO_LARGEFILE, RT_PROC_O_LARGEFILE },
		{ O_CLOEXEC, RT_O_CLOEXEC },
	};
	uint32_t r;
	switch (f & O_ACCMODE) {
	case O_WRONLY:
		r = RT_O_WRONLY;
		break;
	case O_RDWR:
		r = RT_O_RDONLY | RT_O_WRONLY;
		break;
	default:
		r = RT_O_RDONLY;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (bits[i].kernel && (f & bits[i].kernel) == bits[i].kernel)
			r |= bits[i].rt;
	/* O_SYNC includes O_DSYNC; O_TMPFILE includes O_DIRECTORY */
	if ((f & O_SYNC) == O_SYNC)
		r |= RT_PROC_O_SYNC;
	if ((f & O_TMPFILE) == O_TMPFILE)
		r |= RT_O_TMPFILE;
	else if (f & O_DIRECTORY)
		r |= RT_O_DIRECTORY;
	return r;
}

/* The open flags in PID/fdinfo/N (octal kernel bits) in the RT_O_* encoding; 0 if unknown. */
static uint32_t rt_proc_fd_flags(const char *pdir, int64_t num)
{
	char path[RT_PROC_PATH];
	snprintf(path, sizeof(path), "%s/fdinfo/%" PRId64, pdir, num);
	char *buf = rt_proc_read(path, 64 * 1024, NULL);
	if (!buf)
		return 0;
	uint32_t flags = 0;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "flags:", 6) == 0) {
			flags = rt_proc_open_flags(strtoul(l + 6, NULL, 8));
			break;
		}
	}
	free(buf);
	return flags;
}

/* Adds the fd of one PID/fd entry to the process pid; skips it when it vanished or is a
 * socket the net tables don't know (as libscap does). */
static void rt_scan_fd(struct rt_scan *sc, int64_t pid, const char *pdir, int64_t num,
		       struct rt_netns *ns)
{
	char path[RT_PROC_PATH], link[RT_PROC_PATH], name[RT_PROC_PATH + 64];
	snprintf(path, sizeof(path), "%s/fd/%" PRId64, pdir, num);
	if (rt_proc_link(path, link, sizeof(link)) < 0)
		return;
	struct rt_fd fd = { .num = num, .type = RT_FD_UNKNOWN, .name = name };
	name[0] = '\0';
	struct stat st;
	bool have_st = stat(path, &st) == 0;
	uint64_t ino;

	if (sscanf(link, "socket:[%" SCNu64 "]", &ino) == 1) {
		const struct rt_sock *k = ns ? rt_netns_find(ns, ino) : NULL;
		if (!k)
			return;
		fd.type = k->type;
		fd.ino = ino;
		fd.family = k->family;
		fd.l4proto = k->l4proto;
		memcpy(fd.sip, k->sip, sizeof(fd.sip));
		memcpy(fd.dip, k->dip, sizeof(fd.dip));
		fd.sport = k->sport;
		fd.dport = k->dport;
		fd.is_server = k->server && (k->type == RT_FD_IPV4 || k->type == RT_FD_IPV6);
		if (k->type == RT_FD_UNIX) /* libsinsp: a bound path makes the server end */
			fd.is_server = k->path && *k->path;
		fd.connected = !k->server && (k->type == RT_FD_IPV4 || k->type == RT_FD_IPV6);
		rt_sock_name(k, name, sizeof(name));
	} else if (sscanf(link, "pipe:[%" SCNu64 "]", &ino) == 1) {
		fd.type = RT_FD_PIPE;
		fd.ino = ino;
		snprintf(name, sizeof(name), "%s", link);
	} else if (strncmp(link, "anon_inode:", 11) == 0) {
		for (size_t i = 0; i < sizeof(rt_anon) / sizeof(rt_anon[0]); i++)
			if (strncmp(link, rt_anon[i].link, strlen(rt_anon[i].link)) == 0) {
				fd.type = rt_anon[i].type;
				break;
			}
		if (have_st)
			fd.ino = st.st_ino;
	} else if (strncmp(link, "/memfd:", 7) == 0) {
		fd.type = RT_FD_MEMFD;
		snprintf(name, sizeof(name), "%s", link);
		if (have_st) {
			fd.ino = st.st_ino;
			fd.dev = rt_proc_encode_dev(st.st_dev);
		}
		fd.open_flags = rt_proc_fd_flags(pdir, num);
	} else {
		/* paths, and nsfs links such as "net:[4026531840]" */
		snprintf(name, sizeof(name), "%s", link);
		if (have_st) {
			fd.type = S_ISDIR(st.st_mode)    ? RT_FD_DIRECTORY
				  : S_ISFIFO(st.st_mode) ? RT_FD_PIPE
							 : RT_FD_FILE;
			fd.ino = st.st_ino;
			fd.dev = rt_proc_encode_dev(st.st_dev);
		} else {
			fd.type = link[0] == '/' ? RT_FD_FILE : RT_FD_UNKNOWN;
		}
		if (fd.type == RT_FD_FILE || fd.type == RT_FD_DIRECTORY)
			fd.open_flags = rt_proc_fd_flags(pdir, num);
	}
	rt_state_add_fd(sc->s, pid, &fd);
}

static void rt_scan_fds(struct rt_scan *sc, int64_t pid, const char *pdir)
{
	char path[RT_PROC_PATH], link[256];
	snprintf(path, sizeof(path), "%s/fd", pdir);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct rt_netns *ns = NULL;
	bool ns_done = false;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		errno = 0;
		long long num = strtoll(e->d_name, &end, 10);
		if (!isdigit((unsigned char)e->d_name[0]) || *end || errno)
			continue;
		if (!ns_done) {
			/* the namespace is only read when the process has fds at all */
			uint64_t netns = 0;
			snprintf(path, sizeof(path), "%s/ns/net", pdir);
			if (rt_proc_link(path, link, sizeof(link)) >= 0)
				sscanf(link, "net:[%" SCNu64 "]", &netns);
			char netdir[RT_PROC_DIR + 8];
			snprintf(netdir, sizeof(netdir), "%s/net", pdir);
			ns = rt_scan_netns(sc, netns, netdir);
			ns_done = true;
		}
		rt_scan_fd(sc, pid, pdir, num, ns);
	}
	closedir(d);
}

/* ---- threads --------------------------------------------------------------------------- */

/* What the threads of one process share. */
struct rt_pinfo {
	char *exe, *exepath, *args, *env, *cwd, *cgroups;
	size_t args_len, env_len, cgroups_len;
	unsigned nargs;
	char container_id[13];
	uint32_t loginuid;
	bool exe_from_memfd;
};

static void rt_pinfo_fini(struct rt_pinfo *p)
{
	free(p->exe);
	free(p->exepath);
	free(p->args);
	free(p->env);
	free(p->cwd);
	free(p->cgroups);
}

static void rt_buf_append(char **buf, size_t *len, const char *s, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	if (!*buf)
		abort();
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* "ID:controllers:path" lines into NUL-separated "subsys=path" entries: one per
 * controller of a v1 hierarchy; for the v2 line ("0::/path") one per controller enabled at
 * the root of the v2 mount, or "=/path" when those are unknown. */
static void rt_scan_cgroups(struct rt_scan *sc, const char *text, struct rt_pinfo *p)
{
	char *copy = rt_proc_strdup(text), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *subsys = c1 + 1, *cpath = c2 + 1;
		const char *list = *subsys ? subsys : (sc->controllers ? sc->controllers : "");
		const char *sep = *subsys ? "," : " ";
		char *lcopy = rt_proc_strdup(list), *s2 = NULL;
		bool any = false;
		for (char *ss = strtok_r(lcopy, sep, &s2); ss; ss = strtok_r(NULL, sep, &s2)) {
			rt_buf_append(&p->cgroups, &p->cgroups_len, ss, strlen(ss));
			rt_buf_append(&p->cgroups, &p->cgroups_len, "=", 1);
			rt_buf_append(&p->cgroups, &p->cgroups_len, cpath, strlen(cpath) + 1);
			any = true;
		}
		if (!any) {
			rt_buf_append(&p->cgroups, &p->cgroups_len, "=", 1);
			rt_buf_append(&p->cgroups, &p->cgroups_len, cpath, strlen(cpath) + 1);
		}
		free(lcopy);
		if (strcmp(p->container_id, "host") == 0)
			rt_container_id_from_cgroup(cpath, p->container_id);
	}
	free(copy);
}

/* Reads the per-process files of pdir into p. False if the process is gone. */
static bool rt_scan_pinfo(struct rt_scan *sc, const char *pdir, struct rt_pinfo *p)
{
	char path[RT_PROC_PATH], link[RT_PROC_PATH];
	size_t n;
	memset(p, 0, sizeof(*p));
	strcpy(p->container_id, "host");
	p->loginuid = UINT32_MAX;

	snprintf(path, sizeof(path), "%s/cmdline", pdir);
	char *cmd = rt_proc_read(path, RT_PROC_ARGS_MAX, &n);
	if (!cmd)
		return false;
	if (n && cmd[n - 1] != '\0')
		cmd[n++] = '\0';        /* cut by the cap, or rewritten: the buffer has room */
	if (n) {
		size_t l0 = strlen(cmd) + 1;
		p->exe = rt_proc_strdup(cmd);
		p->args_len = n - l0;
		p->args = malloc(p->args_len + 1);
		if (!p->args)
			abort();
		memcpy(p->args, cmd + l0, p->args_len);
		p->args[p->args_len] = '\0';
		for (size_t i = 0; i < p->args_len; i++)
			p->nargs += p->args[i] == '\0';
	}
	free(cmd);

	snprintf(path, sizeof(path), "%s/environ", pdir);
	p->env = rt_proc_read(path, RT_PROC_ENV_MAX, &n);
	if (p->env) {
		while (n && p->env[n - 1] != '\0')
			n--;            /* drop an entry cut by the cap */
		p->env_len = n;
	}

	snprintf(path, sizeof(path), "%s/exe", pdir);
	ssize_t l = rt_proc_link(path, link, sizeof(link));
	if (l >= 0) {
		static const char deleted[] = " (deleted)";
		size_t dl = sizeof(deleted) - 1;
		if ((size_t)l > dl && strcmp(link + l - dl, deleted) == 0)
			link[l - dl] = '\0';
		p->exepath = rt_proc_strdup(link);
		p->exe_from_memfd = strncmp(link, "/memfd:", 7) == 0;
	}

	snprintf(path, sizeof(path), "%s/cwd", pdir);
	l = rt_proc_link(path, link, sizeof(link) - 1);
	if (l >= 0) {
		if (l == 0 || link[l - 1] != '/')
			strcpy(link + l, "/");
		p->cwd = rt_proc_strdup(link);
	}

	snprintf(path, sizeof(path), "%s/loginuid", pdir);
	char *lu = rt_proc_read(path, 64, NULL);
	if (lu) {
		char *end;
		unsigned long v = strtoul(lu, &end, 10);
		if (end != lu)
			p->loginuid = (uint32_t)v;
		free(lu);
	}

	snprintf(path, sizeof(path), "%s/cgroup", pdir);
	char *cg = rt_proc_read(path, RT_PROC_FILE_MAX, NULL);
	if (cg) {
		rt_scan_cgroups(sc, cg, p);
		free(cg);
	}
	return true;
}

/* The last number of a "NSpid:\t1234\t1" style value, or -1. */
static int64_t rt_proc_last_id(const char *v)
{
	int64_t id = -1;
	char *end;
	for (;;) {
		while (*v == ' ' || *v == '\t')
			v++;
		long long x = strtoll(v, &end, 10);
		if (end == v)
			return id;
		id = x;
		v = end;
	}
}

/* Fills t from tdir (PID/task/TID) and p, and adds it. False if the thread is gone. */
static bool rt_scan_thread(struct rt_scan *sc, int64_t pid, int64_t tid, const char *tdir,
			   const struct rt_pinfo *p)
{
	char path[RT_PROC_PATH];
	struct rt_thread t;
	memset(&t, 0, sizeof(t));
	t.tid = tid;
	t.pid = pid;
	t.ptid = t.vtid = t.vpid = -1;
	t.sid = t.pgid = -1;

	snprintf(path, sizeof(path), "%s/status", tdir);
	char *status = rt_proc_read(path, RT_PROC_FILE_MAX, NULL);
	if (!status)
		return false;
	bool have_nspid = false, have_nstgid = false;
	char name[FK_COMM_LEN] = "";
	for (char *l = status, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		char *v = strchr(l, ':');
		if (!v)
			continue;
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcmp(l, "Name") == 0) {
			snprintf(name, sizeof(name), "%s", v);
		} else if (strcmp(l, "Tgid") == 0) {
			t.pid = strtoll(v, NULL, 10);
		} else if (strcmp(l, "PPid") == 0) {
			t.ptid = strtoll(v, NULL, 10);
		} else if (strcmp(l, "Uid") == 0) {
			sscanf(v, "%" SCNu32 " %" SCNu32, &t.uid, &t.euid);
		} else if (strcmp(l, "Gid") == 0) {
			sscanf(v, "%" SCNu32 " %" SCNu32, &t.gid, &t.egid);
		} else if (strcmp(l, "NSpid") == 0) {
			t.vtid = rt_proc_last_id(v);
			have_nspid = true;
		} else if (strcmp(l, "NStgid") == 0) {
			t.vpid = rt_proc_last_id(v);
			have_nstgid = true;
		} else if (strcmp(l, "CapInh") == 0) {
			t.cap_inheritable = strtoull(v, NULL, 16);
		} else if (strcmp(l, "CapPrm") == 0) {
			t.cap_permitted = strtoull(v, NULL, 16);
		} else if (strcmp(l, "CapEff") == 0) {
			t.cap_effective = strtoull(v, NULL, 16);
		}
	}
	free(status);
	/* Kernels before 4.1 have no NSpid: no pid namespaces to see through (as libscap). */
	if (!have_nspid)
		t.vtid = t.tid;
	if (!have_nstgid)
		t.vpid = t.pid;

	snprintf(path, sizeof(path), "%s/comm", tdir);
	size_t n;
	char *comm = rt_proc_read(path, FK_COMM_LEN + 1, &n);
	if (comm) {
		if (n && comm[n - 1] == '\n')
			comm[n - 1] = '\0';
		snprintf(t.comm, sizeof(t.comm), "%s", comm);
		free(comm);
	} else {
		memcpy(t.comm, name, sizeof(t.comm));
	}

	/* stat: pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime */
	snprintf(path, sizeof(path), "%s/stat", tdir);
	char *stat = rt_proc_read(path, RT_PROC_FILE_MAX, NULL);
	char *rp = stat ? strrchr(stat, ')') : NULL;
	if (rp) {
		int64_t pgrp, sess;
		int tty;
		uint64_t start;
		if (sscanf(rp + 1,
			   " %*c %*d %" SCNd64 " %" SCNd64 " %d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
			   "%*d %*d %*d %*d %*d %" SCNu64,
			   &pgrp, &sess, &tty, &start) == 4) {
			t.pgid = pgrp;
			t.sid = sess;
			t.tty = (uint32_t)tty;
			uint64_t tck = (uint64_t)sc->tck;
			t.clone_ts = sc->boot_ns + start / tck * 1000000000ull +
				     start % tck * 1000000000ull / tck;
		}
	}
	free(stat);

	if (p->exe) {
		t.exe = p->exe;
	} else {
		t.exe = t.comm;         /* kernel threads: an empty cmdline, as libscap */
	}
	t.exepath = p->exepath;
	t.args = p->args;
	t.args_len = p->args_len;
	t.nargs = p->nargs;
	t.env = p->env;
	t.env_len = p->env_len;
	t.cwd = p->cwd;
	t.cgroups = p->cgroups;
	t.container_id = (char *)p->container_id;
	t.loginuid = p->loginuid;
	t.exe_from_memfd = p->exe_from_memfd;
	t.exe_flags = p->exe_from_memfd ? RT_EXE_FROM_MEMFD : 0;
	rt_state_add_thread(sc->s, &t);
	return true;
}

static int rt_tid_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The tids of PID/task, the leader first; NULL and 0 when there is no task directory. */
static int64_t *rt_scan_tids(const char *pdir, int64_t pid, size_t *count)
{
	char path[RT_PROC_PATH];
	snprintf(path, sizeof(path), "%s/task", pdir);
	*count = 0;
	DIR *d = opendir(path);
	if (!d)
		return NULL;
	size_t n = 0, cap = 0;
	int64_t *v = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long long tid = strtoll(e->d_name, &end, 10);
		if (!isdigit((unsigned char)e->d_name[0]) || *end)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n++] = tid;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), rt_tid_cmp);
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid) {
			memmove(v + 1, v, i * sizeof(*v));
			v[0] = pid;
			break;
		}
	*count = n;
	return v;
}

static void rt_scan_process(struct rt_scan *sc, int64_t pid)
{
	char pdir[RT_PROC_DIR], tdir[RT_PROC_DIR + 64];
	snprintf(pdir, sizeof(pdir), "%s/%" PRId64, sc->root, pid);
	struct rt_pinfo p;
	if (!rt_scan_pinfo(sc, pdir, &p))
		return;                 /* exited */
	size_t n;
	int64_t *tids = rt_scan_tids(pdir, pid, &n);
	bool any = false;
	if (!n) {
		any = rt_scan_thread(sc, pid, pid, pdir, &p);
	} else {
		for (size_t i = 0; i < n; i++) {
			snprintf(tdir, sizeof(tdir), "%s/task/%" PRId64, pdir, tids[i]);
			any |= rt_scan_thread(sc, pid, tids[i], tdir, &p);
		}
	}
	free(tids);
	if (any && !(sc->flags & RT_PROC_NO_FDS))
		rt_scan_fds(sc, pid, pdir);
	rt_pinfo_fini(&p);
}

/* Wall-clock time of boot in ns. The real /proc: now minus CLOCK_BOOTTIME, precise as
 * libscap's scap_get_precise_boot_time; another tree: the btime line of its stat file. */
static uint64_t rt_proc_boot_ns(const char *root)
{
	struct timespec rt, bt;
	if (strcmp(root, "/proc") != 0) {
		char path[RT_PROC_PATH];
		snprintf(path, sizeof(path), "%s/stat", root);
		char *buf = rt_proc_read(path, RT_PROC_FILE_MAX, NULL);
		const char *b = buf ? strstr(buf, "\nbtime ") : NULL;
		if (b) {
			uint64_t v = strtoull(b + 7, NULL, 10);
			free(buf);
			return v * 1000000000ull;
		}
		free(buf);
	}
	if (clock_gettime(CLOCK_REALTIME, &rt) || clock_gettime(CLOCK_BOOTTIME, &bt))
		return 0;
	return ((uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec) -
	       ((uint64_t)bt.tv_sec * 1000000000ull + (uint64_t)bt.tv_nsec);
}

/* The controllers enabled at the root of the cgroup v2 mount that sits next to the proc
 * mount (/sys/fs/cgroup for /proc, /host/sys/fs/cgroup for /host/proc). */
static char *rt_proc_v2_controllers(const char *root)
{
	char path[RT_PROC_PATH];
	const char *slash = strrchr(root, '/');
	int dl = slash ? (int)(slash - root) : 0;
	snprintf(path, sizeof(path), "%.*s/sys/fs/cgroup/cgroup.controllers", dl, root);
	char *buf = rt_proc_read(path, 64 * 1024, NULL);
	if (!buf)
		return NULL;
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	return buf;
}

int rt_proc_scan_flags(struct rt_state *s, const char *procfs_root, unsigned flags, char *err,
		       size_t errlen)
{
	if (strlen(procfs_root) > RT_PROC_DIR - 64) {
		if (err && errlen)
			snprintf(err, errlen, "procfs root too long: %s", procfs_root);
		return -ENAMETOOLONG;
	}
	DIR *d = opendir(procfs_root);
	if (!d) {
		int e = errno;
		if (err && errlen)
			snprintf(err, errlen, "cannot read %s: %s", procfs_root, strerror(e));
		return -e;
	}
	struct rt_scan sc = { .s = s, .root = procfs_root, .flags = flags };
	sc.boot_ns = rt_proc_boot_ns(procfs_root);
	sc.tck = sysconf(_SC_CLK_TCK);
	if (sc.tck <= 0)
		sc.tck = 100;
	sc.controllers = rt_proc_v2_controllers(procfs_root);
	int64_t self = getpid();

	/* Read the directory first, so that adding to the state doesn't run with it open. */
	size_t n = 0, cap = 0;
	int64_t *pids = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long long pid = strtoll(e->d_name, &end, 10);
		if (!isdigit((unsigned char)e->d_name[0]) || *end)
			continue;
		if ((flags & RT_PROC_SKIP_SELF) && pid == self)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			pids = realloc(pids, cap * sizeof(*pids));
			if (!pids)
				abort();
		}
		pids[n++] = pid;
	}
	closedir(d);
	qsort(pids, n, sizeof(*pids), rt_tid_cmp);
	for (size_t i = 0; i < n; i++)
		rt_scan_process(&sc, pids[i]);
	free(pids);
	rt_scan_fini(&sc);
	return 0;
}

int rt_proc_scan(struct rt_state *s, const char *procfs_root, char *err, size_t errlen)
{
	return rt_proc_scan_flags(s, procfs_root, 0, err, errlen);
}
