/* SPDX-License-Identifier: Apache-2.0 */
/* rt_bpf.c - the capture loader: the skeleton lifecycle of bpf/fk_syscalls.bpf.c (open, set
 * rodata, size maps, load, fill the interesting-syscalls map and the handler prog array,
 * attach), the ring buffer reader, counters, and the x86_64 syscall table. Which events the
 * kernel side builds, and how, is fk_syscalls.bpf.c's business; this file only knows which
 * handler program serves which event type (rt_bpf_handler_of). Never prints: libbpf's
 * messages are collected and returned with errors. */
#include "runtime/rt_bpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/fk_capture.h"
#include "compiler/fc_prefilter.h"
#include "fk_syscalls.skel.h"
#include "runtime/rt_event.h"

/* --- the syscall table --------------------------------------------------------------------- */

static const char *const rt_syscall_names[FK_MAX_SYSCALLS] = {
#define RT_SYSCALL(nr, name) [nr] = #name,
#include "runtime/rt_syscalls_x86_64.def"
#undef RT_SYSCALL
};

const char *rt_bpf_syscall_name(unsigned nr)
{
	return nr < FK_MAX_SYSCALLS ? rt_syscall_names[nr] : NULL;
}

int rt_bpf_syscall_nr(const char *name)
{
	for (unsigned i = 0; i < FK_MAX_SYSCALLS; i++)
		if (rt_syscall_names[i] && strcmp(rt_syscall_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* The kernel's handler programs; which one builds each event type. */
enum rt_bpf_handler {
	RT_H_NONE,
	RT_H_GENERIC,
	RT_H_ARGS,      /* parameters = the syscall's arguments in order (fk_h_args) */
	RT_H_OPEN,
	RT_H_RW,
	RT_H_PTRACE,
	RT_H_CONNECT,
	RT_H_BIND,
	RT_H_ACCEPT,
	RT_H_SENDRECV,
	RT_H_CLONE,
	RT_H_EXECVE,
};

static const unsigned char rt_bpf_handler_of[FK_EVENT_COUNT] = {
	[FK_EVENT_GENERIC] = RT_H_GENERIC,
	[FK_EVENT_EXECVE] = RT_H_EXECVE, [FK_EVENT_EXECVEAT] = RT_H_EXECVE,
	[FK_EVENT_CLONE] = RT_H_CLONE, [FK_EVENT_CLONE3] = RT_H_CLONE,
	[FK_EVENT_FORK] = RT_H_CLONE, [FK_EVENT_VFORK] = RT_H_CLONE,
	[FK_EVENT_OPEN] = RT_H_OPEN, [FK_EVENT_OPENAT] = RT_H_OPEN,
	[FK_EVENT_OPENAT2] = RT_H_OPEN, [FK_EVENT_CREAT] = RT_H_OPEN,
	[FK_EVENT_READ] = RT_H_RW, [FK_EVENT_WRITE] = RT_H_RW,
	[FK_EVENT_PREAD] = RT_H_RW, [FK_EVENT_PWRITE] = RT_H_RW,
	[FK_EVENT_PTRACE] = RT_H_PTRACE,
	[FK_EVENT_CONNECT] = RT_H_CONNECT,
	[FK_EVENT_BIND] = RT_H_BIND,
	[FK_EVENT_ACCEPT] = RT_H_ACCEPT, [FK_EVENT_ACCEPT4] = RT_H_ACCEPT,
	[FK_EVENT_SENDTO] = RT_H_SENDRECV, [FK_EVENT_RECVFROM] = RT_H_SENDRECV,
	[FK_EVENT_SENDMSG] = RT_H_SENDRECV, [FK_EVENT_RECVMSG] = RT_H_SENDRECV,
	/* Events whose parameters after the result are the arguments in order (checked
	 * against fk_events.def one by one; keep it so when adding here). */
	[FK_EVENT_FSTAT] = RT_H_ARGS, [FK_EVENT_CLOSE] = RT_H_ARGS, [FK_EVENT_DUP] = RT_H_ARGS, [FK_EVENT_DUP2] = RT_H_ARGS,
	[FK_EVENT_DUP3] = RT_H_ARGS, [FK_EVENT_FCNTL] = RT_H_ARGS,
	[FK_EVENT_UNLINK] = RT_H_ARGS, [FK_EVENT_UNLINKAT] = RT_H_ARGS,
	[FK_EVENT_RENAME] = RT_H_ARGS, [FK_EVENT_RENAMEAT] = RT_H_ARGS,
	[FK_EVENT_RENAMEAT2] = RT_H_ARGS,
	[FK_EVENT_MKDIR] = RT_H_ARGS, [FK_EVENT_MKDIRAT] = RT_H_ARGS, [FK_EVENT_RMDIR] = RT_H_ARGS,
	[FK_EVENT_CHMOD] = RT_H_ARGS, [FK_EVENT_FCHMOD] = RT_H_ARGS,
	[FK_EVENT_FCHMODAT] = RT_H_ARGS,
	[FK_EVENT_CHOWN] = RT_H_ARGS, [FK_EVENT_LCHOWN] = RT_H_ARGS, [FK_EVENT_FCHOWN] = RT_H_ARGS,
	[FK_EVENT_FCHOWNAT] = RT_H_ARGS,
	[FK_EVENT_SYMLINK] = RT_H_ARGS, [FK_EVENT_SYMLINKAT] = RT_H_ARGS,
	[FK_EVENT_LINK] = RT_H_ARGS, [FK_EVENT_LINKAT] = RT_H_ARGS,
	[FK_EVENT_CHDIR] = RT_H_ARGS, [FK_EVENT_FCHDIR] = RT_H_ARGS, [FK_EVENT_CHROOT] = RT_H_ARGS,
	[FK_EVENT_MOUNT] = RT_H_ARGS, [FK_EVENT_UMOUNT2] = RT_H_ARGS,
	[FK_EVENT_PIVOT_ROOT] = RT_H_ARGS,
	[FK_EVENT_MEMFD_CREATE] = RT_H_ARGS, [FK_EVENT_MMAP] = RT_H_ARGS,
	[FK_EVENT_MPROTECT] = RT_H_ARGS,
	[FK_EVENT_SOCKET] = RT_H_ARGS, [FK_EVENT_LISTEN] = RT_H_ARGS,
	[FK_EVENT_SHUTDOWN] = RT_H_ARGS,
	[FK_EVENT_SETUID] = RT_H_ARGS, [FK_EVENT_SETGID] = RT_H_ARGS,
	[FK_EVENT_SETREUID] = RT_H_ARGS, [FK_EVENT_SETREGID] = RT_H_ARGS,
	[FK_EVENT_SETRESUID] = RT_H_ARGS, [FK_EVENT_SETRESGID] = RT_H_ARGS,
	[FK_EVENT_SETNS] = RT_H_ARGS, [FK_EVENT_UNSHARE] = RT_H_ARGS,
	[FK_EVENT_SETPGID] = RT_H_ARGS, [FK_EVENT_SETSID] = RT_H_ARGS,
	[FK_EVENT_KILL] = RT_H_ARGS, [FK_EVENT_TKILL] = RT_H_ARGS, [FK_EVENT_TGKILL] = RT_H_ARGS,
	[FK_EVENT_INIT_MODULE] = RT_H_ARGS, [FK_EVENT_FINIT_MODULE] = RT_H_ARGS,
	[FK_EVENT_DELETE_MODULE] = RT_H_ARGS,
	[FK_EVENT_BPF] = RT_H_ARGS, [FK_EVENT_USERFAULTFD] = RT_H_ARGS,
};

bool rt_bpf_has_handler(unsigned type)
{
	return type == FK_EVENT_PROCEXIT ||
	       (type < FK_EVENT_COUNT && rt_bpf_handler_of[type] != RT_H_NONE);
}

/* The event type of syscall nr by name (pread64 and pwrite64 are Falco's pread, pwrite). */
static int rt_bpf_type_of_syscall(unsigned nr)
{
	const char *name = rt_bpf_syscall_name(nr);
	if (!name)
		return -1;
	if (strcmp(name, "pread64") == 0)
		name = "pread";
	else if (strcmp(name, "pwrite64") == 0)
		name = "pwrite";
	return rt_event_type_lookup(name, false);
}

unsigned rt_bpf_syscall_event(unsigned nr)
{
	int t = rt_bpf_type_of_syscall(nr);
	return t >= 0 && rt_bpf_handler_of[t] != RT_H_NONE ? (unsigned)t : FK_EVENT_GENERIC;
}

/* --- libbpf's messages ------------------------------------------------------------------- */

/* libbpf_set_print is process-wide: messages of every load land here, the newest kept. */
#define RT_BPF_LOG_MAX (64 * 1024)
static char rt_bpf_log[RT_BPF_LOG_MAX];
static size_t rt_bpf_log_len;

static int rt_bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);   /* a verifier log comes as one message */
	va_end(aq);
	char *msg = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (!msg)
		return 0;
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	const char *p = msg;
	size_t len = (size_t)n;
	if (len > RT_BPF_LOG_MAX - 1) {         /* keep the tail: the error is at the end */
		p += len - (RT_BPF_LOG_MAX - 1);
		len = RT_BPF_LOG_MAX - 1;
	}
	if (rt_bpf_log_len + len > RT_BPF_LOG_MAX - 1) {
		size_t drop = rt_bpf_log_len + len - (RT_BPF_LOG_MAX - 1);
		memmove(rt_bpf_log, rt_bpf_log + drop, rt_bpf_log_len - drop);
		rt_bpf_log_len -= drop;
	}
	memcpy(rt_bpf_log + rt_bpf_log_len, p, len);
	rt_bpf_log_len += len;
	rt_bpf_log[rt_bpf_log_len] = '\0';
	free(msg);
	return 0;
}

/* err = "what: strerror", then as much of the tail of libbpf's log as fits. */
static int rt_bpf_fail(char *err, size_t errlen, int rc, const char *what, bool with_log)
{
	int n = snprintf(err, errlen, "%s: %s", what, strerror(rc < 0 ? -rc : rc));
	if (with_log && rt_bpf_log_len && n >= 0 && (size_t)n + 64 < errlen) {
		size_t room = errlen - (size_t)n - 32;
		const char *tail = rt_bpf_log;
		if (rt_bpf_log_len > room) {
			tail = rt_bpf_log + rt_bpf_log_len - room;
			const char *nl = strchr(tail, '\n');    /* start at a line */
			if (nl)
				tail = nl + 1;
		}
		snprintf(err + n, errlen - (size_t)n, "\nlibbpf log (tail):\n%s", tail);
	}
	return rc < 0 ? rc : -rc;
}

/* --- probe, open, close ------------------------------------------------------------------- */

/* The cwd entries (fk_pf_cwds) the state changed since the last flush, by tgid, the last
 * change of each: written with one batch update and one batch delete per poll round instead
 * of a system call each (a fork+exec makes two). */
#define RT_CWD_PENDING 1024             /* a power of 2 */
struct rt_cwd_ops {
	uint32_t n;
	uint32_t keys[RT_CWD_PENDING];
	bool del[RT_CWD_PENDING];
	struct fk_pf_cwd vals[RT_CWD_PENDING];
	int32_t index[2 * RT_CWD_PENDING];      /* open addressing: slot + 1, 0 empty */
};

struct rt_bpf {
	struct fk_syscalls_bpf *skel;
	struct rt_cwd_ops *cwd;
	struct ring_buffer *rb;
	int (*fn)(const struct fk_event_hdr *rec, void *ctx);
	void *ctx;
	int stop;               /* fn's non-zero result */
	uint64_t delivered;
	int ncpus;
	bool syscalls[FK_MAX_SYSCALLS]; /* opts->syscalls, copied */
	/* a GENERIC record, named; aligned as the header it starts with */
	_Alignas(8) uint8_t generic[sizeof(struct fk_event_hdr) + 4 + 64 + 2];
};

int rt_bpf_probe(char *err, size_t errlen)
{
	if (geteuid() != 0) {
		snprintf(err, errlen, "the eBPF capture needs root (CAP_BPF, CAP_PERFMON)");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(err, errlen, "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s); the eBPF "
			 "capture needs CONFIG_DEBUG_INFO_BTF", strerror(errno));
		return -ENOTSUP;
	}
	/* libbpf 1.1 cannot probe BPF_PROG_TYPE_TRACING (it needs an attach target): a
	 * kernel with BTF and a BPF ring buffer (5.8) has it, or the load says why. */
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0) {
		snprintf(err, errlen, "this kernel cannot create a BPF ring buffer (eBPF disabled, "
			 "or older than Linux 5.8)");
		return -ENOTSUP;
	}
	return 0;
}

static struct bpf_program *rt_bpf_prog(struct fk_syscalls_bpf *sk, enum rt_bpf_handler h)
{
	switch (h) {
	case RT_H_GENERIC: return sk->progs.fk_h_generic;
	case RT_H_ARGS: return sk->progs.fk_h_args;
	case RT_H_OPEN: return sk->progs.fk_h_open;
	case RT_H_RW: return sk->progs.fk_h_rw;
	case RT_H_PTRACE: return sk->progs.fk_h_ptrace;
	case RT_H_CONNECT: return sk->progs.fk_h_connect;
	case RT_H_BIND: return sk->progs.fk_h_bind;
	case RT_H_ACCEPT: return sk->progs.fk_h_accept;
	case RT_H_SENDRECV: return sk->progs.fk_h_sendrecv;
	case RT_H_CLONE: return sk->progs.fk_h_clone;
	case RT_H_EXECVE: return sk->progs.fk_h_execve;
	default: return NULL;
	}
}

static bool rt_bpf_wants(const bool *types, unsigned type)
{
	if (!types)
		return type != FK_EVENT_GENERIC && rt_bpf_has_handler(type);
	return types[type];
}

int rt_bpf_set_types(struct rt_bpf *b, const bool *types)
{
	struct fk_syscalls_bpf *sk = b->skel;
	int want_fd = bpf_map__fd(sk->maps.fk_interesting);
	int prog_fd = bpf_map__fd(sk->maps.fk_handlers);
	bool generic = rt_bpf_wants(types, FK_EVENT_GENERIC);
	for (unsigned nr = 0; nr < FK_MAX_SYSCALLS; nr++) {
		int t = rt_bpf_type_of_syscall(nr);
		enum rt_bpf_handler h = t >= 0 ? rt_bpf_handler_of[t] : RT_H_NONE;
		__u32 want = 0;
		if (t >= 0 && h != RT_H_NONE && rt_bpf_wants(types, (unsigned)t)) {
			want = FK_WANT(t);
		} else if (rt_bpf_syscall_name(nr) &&
			   (generic || (t >= 0 && h == RT_H_NONE && types && types[t]) ||
			    b->syscalls[nr])) {
			h = RT_H_GENERIC;
			want = FK_WANT(FK_EVENT_GENERIC);
		} else if (t == FK_EVENT_PIPE || t == FK_EVENT_PIPE2) {
			want = FK_WANT_BOOKKEEP;        /* no record: fk_pf_note_pipe */
		}
		/* The handler first, so that the dispatcher never sees an empty slot. */
		if (want && want != FK_WANT_BOOKKEEP) {
			int fd = bpf_program__fd(rt_bpf_prog(sk, h));
			if (bpf_map_update_elem(prog_fd, &nr, &fd, BPF_ANY) < 0)
				return -errno;
		}
		if (bpf_map_update_elem(want_fd, &nr, &want, BPF_ANY) < 0)
			return -errno;
		if (!want || want == FK_WANT_BOOKKEEP)
			bpf_map_delete_elem(prog_fd, &nr);
	}
	sk->bss->fk_want_procexit = rt_bpf_wants(types, FK_EVENT_PROCEXIT);
	return 0;
}

static int rt_bpf_on_record(void *ctx, void *data, size_t size);

static uint64_t rt_bpf_clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int rt_bpf_open(struct rt_bpf **out, const struct rt_bpf_opts *opts, char *err, size_t errlen)
{
	struct rt_bpf_opts none = { 0 };
	struct rt_bpf *b = NULL;
	int rc;
	*out = NULL;
	if (!opts)
		opts = &none;
	if ((rc = rt_bpf_probe(err, errlen)) < 0)
		return rc;
	libbpf_set_print(rt_bpf_print);
	rt_bpf_log_len = 0;
	rt_bpf_log[0] = '\0';

	b = calloc(1, sizeof(*b));
	if (!b)
		return rt_bpf_fail(err, errlen, -ENOMEM, "allocating the capture", false);
	if (opts->syscalls)
		memcpy(b->syscalls, opts->syscalls, sizeof(b->syscalls));
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		rc = rt_bpf_fail(err, errlen, b->ncpus ? b->ncpus : -EINVAL, "counting CPUs", false);
		goto cleanup;
	}

	/* open, then settings in rodata and map sizes: all before load */
	b->skel = fk_syscalls_bpf__open();
	if (!b->skel) {
		rc = rt_bpf_fail(err, errlen, -errno, "opening the capture programs", true);
		goto cleanup;
	}
	struct fk_syscalls_bpf *sk = b->skel;
	uint32_t rbsize = 8u << 20;
	if (opts->ringbuf_bytes) {
		rbsize = (uint32_t)sysconf(_SC_PAGESIZE);
		while (rbsize < opts->ringbuf_bytes && rbsize < (1u << 30))
			rbsize <<= 1;
	}
	sk->rodata->fk_boot_to_wall = rt_bpf_clock_ns(CLOCK_REALTIME) -
				      rt_bpf_clock_ns(CLOCK_BOOTTIME);
	sk->rodata->fk_wake_bytes = rbsize / 2;
	sk->rodata->fk_ignore_tgid = opts->ignore_tgid;
	sk->rodata->fk_pf_start_ns = rt_bpf_clock_ns(CLOCK_MONOTONIC);
	if ((rc = bpf_map__set_max_entries(sk->maps.fk_events, rbsize)) < 0 ||
	    (rc = bpf_map__set_max_entries(sk->maps.fk_scratch_map, (uint32_t)b->ncpus)) < 0) {
		rt_bpf_fail(err, errlen, rc, "sizing the capture maps", true);
		goto cleanup;
	}
	/* The handlers are tail-call targets, attached through fk_handlers only. */
	struct bpf_program *p;
	bpf_object__for_each_program(p, sk->obj)
		if (strncmp(bpf_program__name(p), "fk_h_", 5) == 0 ||
		    strncmp(bpf_program__name(p), "fk_pf_", 6) == 0)
			bpf_program__set_autoattach(p, false);

	if ((rc = fk_syscalls_bpf__load(sk)) < 0) {
		rt_bpf_fail(err, errlen, rc, "loading the capture programs (rejected by the kernel)",
			    true);
		goto cleanup;
	}
	/* the ends of every prefilter, and its way to a normalized path */
	{
		int exits = bpf_map__fd(sk->maps.fk_pf_exits);
		__u32 k0 = FK_PF_EXIT_KEEP, k1 = FK_PF_EXIT_DROP, k2 = FK_PF_EXIT_NORMALIZE;
		int f0 = bpf_program__fd(sk->progs.fk_pf_submit);
		int f1 = bpf_program__fd(sk->progs.fk_pf_drop);
		int f2 = bpf_program__fd(sk->progs.fk_pf_normalize);
		if (bpf_map_update_elem(exits, &k0, &f0, BPF_ANY) < 0 ||
		    bpf_map_update_elem(exits, &k1, &f1, BPF_ANY) < 0 ||
		    bpf_map_update_elem(exits, &k2, &f2, BPF_ANY) < 0) {
			rc = rt_bpf_fail(err, errlen, -errno, "filling the prefilter exits", false);
			goto cleanup;
		}
	}
	if ((rc = rt_bpf_set_types(b, opts->types)) < 0) {
		rt_bpf_fail(err, errlen, rc, "filling the capture maps", false);
		goto cleanup;
	}
	b->rb = ring_buffer__new(bpf_map__fd(sk->maps.fk_events), rt_bpf_on_record, b, NULL);
	if (!b->rb) {
		rc = rt_bpf_fail(err, errlen, -errno, "mapping the ring buffer", true);
		goto cleanup;
	}
	if ((rc = fk_syscalls_bpf__attach(sk)) < 0) {
		rt_bpf_fail(err, errlen, rc, "attaching the capture programs", true);
		goto cleanup;
	}
	*out = b;
	return 0;

cleanup:
	rt_bpf_free(b);
	return rc < 0 ? rc : -EINVAL;
}

void rt_bpf_free(struct rt_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	fk_syscalls_bpf__destroy(b->skel);
	free(b->cwd);
	free(b);
}

/* --- reading ------------------------------------------------------------------------------ */

/* A GENERIC record comes with an empty ID; the copy in b->generic carries the name. */
static const struct fk_event_hdr *rt_bpf_name_generic(struct rt_bpf *b,
						      const struct fk_event_hdr *h)
{
	const uint8_t *p = (const uint8_t *)h;
	uint16_t len[2], nr;
	if (h->nparams != 2 || h->len < sizeof(*h) + 4)
		return h;
	memcpy(len, p + sizeof(*h), 4);
	if (len[1] != 2 || sizeof(*h) + 4u + len[0] + 2u > h->len)
		return h;
	memcpy(&nr, p + sizeof(*h) + 4 + len[0], 2);
	const char *name = rt_bpf_syscall_name(nr);
	if (!name)
		return h;
	size_t n = strlen(name) + 1;
	if (n > 64)
		return h;
	uint8_t *q = b->generic;
	struct fk_event_hdr nh = *h;
	nh.len = (uint32_t)(sizeof(nh) + 4 + n + 2);
	len[0] = (uint16_t)n;
	memcpy(q, &nh, sizeof(nh));
	memcpy(q + sizeof(nh), len, 4);
	memcpy(q + sizeof(nh) + 4, name, n);
	memcpy(q + sizeof(nh) + 4 + n, &nr, 2);
	return (const struct fk_event_hdr *)q;
}

static int rt_bpf_on_record(void *ctx, void *data, size_t size)
{
	struct rt_bpf *b = ctx;
	const struct fk_event_hdr *h = data;
	if (size < sizeof(*h) || h->len > size)
		return 0;       /* cannot happen with our programs; skip rather than stop */
	if (h->type == FK_EVENT_GENERIC)
		h = rt_bpf_name_generic(b, h);
	b->delivered++;
	int r = b->fn(h, b->ctx);
	if (r) {
		b->stop = r;
		return -1;      /* stops ring_buffer__consume */
	}
	return 0;
}

int rt_bpf_poll(struct rt_bpf *b, int timeout_ms,
		int (*fn)(const struct fk_event_hdr *rec, void *ctx), void *ctx)
{
	uint64_t before = b->delivered;
	b->fn = fn;
	b->ctx = ctx;
	b->stop = 0;
	rt_bpf_pf_cwd_flush(b);
	int rc = ring_buffer__consume(b->rb);
	if (rc == 0 && !b->stop && timeout_ms != 0) {
		/* Without a wakeup the wait runs to the timeout; then read what came. */
		rc = ring_buffer__poll(b->rb, timeout_ms);
		if (rc >= 0 && !b->stop)
			rc = ring_buffer__consume(b->rb);
	}
	rt_bpf_pf_cwd_flush(b);
	if (b->stop)
		return b->stop;
	if (rc < 0 && rc != -EINTR)
		return rc;
	return (int)(b->delivered - before);
}

void rt_bpf_get_stats(struct rt_bpf *b, struct rt_bpf_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->delivered = b->delivered;
	int fd = bpf_map__fd(b->skel->maps.fk_counters);
	uint64_t *v = calloc((size_t)b->ncpus, sizeof(*v));
	if (!v)
		return;
	uint64_t *dst[FK_CNT_COUNT] = { &st->events, &st->drops, &st->no_handler, &st->pf_kept,
					&st->pf_dropped };
	for (uint32_t k = 0; k < FK_CNT_COUNT; k++) {
		if (bpf_map_lookup_elem(fd, &k, v) < 0)
			continue;
		for (int c = 0; c < b->ncpus; c++)
			*dst[k] += v[c];
	}
	free(v);
}

/* --- prefilters (docs/prefilter.md) ------------------------------------------------------- */

int rt_bpf_load_prefilter(struct rt_bpf *b, const struct fc_prefilter *pf, const bool *types,
			  char *err, size_t errlen)
{
	struct fk_syscalls_bpf *sk = b->skel;
	int btf_id = libbpf_find_vmlinux_btf_id("sys_exit", BPF_TRACE_RAW_TP);
	if (btf_id < 0)
		return rt_bpf_fail(err, errlen, btf_id, "prefilters: no BTF id for tp_btf/sys_exit",
				   false);
	int fd_array[FC_PF_NMAPS];
	fd_array[FC_PF_MAP_SCRATCH] = bpf_map__fd(sk->maps.fk_scratch_map);
	fd_array[FC_PF_MAP_EXITS] = bpf_map__fd(sk->maps.fk_pf_exits);
	int slots = bpf_map__fd(sk->maps.fk_prefilters);
	static char log[1 << 20];
	int *fds = calloc(pf->nprogs, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	int n = 0, rc = 0;
	unsigned t;
	/* no early drops until the new programs are in */
	memset((void *)sk->bss->fk_pf_state_only, 0, sizeof(sk->bss->fk_pf_state_only));
	for (t = 0; t < pf->nprogs && t < FK_EVENT_COUNT; t++) {
		const struct fc_pf_prog *p = &pf->progs[t];
		fds[t] = -1;
		if (p->keep != FC_PF_FILTERED || !p->ninsns || (types && !types[t]))
			continue;
		char name[16];
		snprintf(name, sizeof(name), "fk_pf_%u", t);
		LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_TRACE_RAW_TP,
			    .attach_btf_id = (__u32)btf_id, .fd_array = fd_array);
		int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL",
				       (const struct bpf_insn *)p->insns, p->ninsns, &po);
		if (fd < 0) {
			rc = -errno;
			/* again, with the verifier's log */
			LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_TRACE_RAW_TP,
				    .attach_btf_id = (__u32)btf_id, .fd_array = fd_array,
				    .log_buf = log, .log_size = sizeof(log), .log_level = 1);
			log[0] = '\0';
			int fd2 = bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL",
						(const struct bpf_insn *)p->insns, p->ninsns, &lo);
			if (fd2 >= 0)
				close(fd2);
			const struct rt_event_info *info = rt_event_info(t);
			size_t ll = strlen(log);
			const char *tail = ll > 4096 ? log + ll - 4096 : log;
			snprintf(err, errlen,
				 "the kernel rejected the prefilter of '%s' (%u instructions): %s\n"
				 "verifier log (tail):\n%s",
				 info ? info->name : "?", p->ninsns, strerror(-rc), tail);
			goto fail;
		}
		fds[t] = fd;
	}
	/* a reload: the old set's programs of types the new set does not filter go, or they
	 * would go on dropping events the new rules may need */
	for (t = 0; t < FK_EVENT_COUNT; t++) {
		__u32 k = t;
		if (t >= pf->nprogs || fds[t] < 0)
			bpf_map_delete_elem(slots, &k); /* ENOENT when there was none */
	}
	for (t = 0; t < pf->nprogs && t < FK_EVENT_COUNT; t++) {
		if (fds[t] < 0)
			continue;
		__u32 k = t;
		if (bpf_map_update_elem(slots, &k, &fds[t], BPF_ANY) < 0) {
			rc = -errno;
			snprintf(err, errlen, "plugging the prefilter of type %u in: %s", t,
				 strerror(-rc));
			goto fail;
		}
		n++;
	}
	/* types whose program keeps only what the state asks for: the handlers that know their
	 * pf_need before building the record drop the others right away (fk_pf_early_drop) */
	for (t = 0; t < pf->nprogs && t < FK_EVENT_COUNT; t++)
		if (fds[t] >= 0 && fc_pf_is_state_only(&pf->progs[t]))
			sk->bss->fk_pf_state_only[t] = 1;
	/* the prog array holds them now */
	for (t = 0; t < pf->nprogs && t < FK_EVENT_COUNT; t++)
		if (fds[t] >= 0)
			close(fds[t]);
	free(fds);
	sk->bss->fk_pf_epoch++;
	sk->bss->fk_pf_active = n > 0;
	return n;
fail:
	for (unsigned k = 0; k < pf->nprogs && k < FK_EVENT_COUNT; k++) {
		__u32 key = k;
		bpf_map_delete_elem(slots, &key);
		if (k < t && fds[k] >= 0)
			close(fds[k]);
	}
	free(fds);
	return rc < 0 ? rc : -EINVAL;
}

void rt_bpf_prefilter_enable(struct rt_bpf *b, bool on)
{
	if (on)
		b->skel->bss->fk_pf_epoch++;
	b->skel->bss->fk_pf_active = on;
}

/* The pending operation of tgid, made when missing (flushing first when the table is full);
 * NULL when out of memory. */
static struct rt_cwd_ops *rt_cwd_op(struct rt_bpf *b, uint32_t tgid, uint32_t *slot)
{
	if (!b->cwd && !(b->cwd = calloc(1, sizeof(*b->cwd))))
		return NULL;
	struct rt_cwd_ops *o = b->cwd;
	uint32_t h = (tgid * 2654435761u) & (2 * RT_CWD_PENDING - 1);
	for (;; h = (h + 1) & (2 * RT_CWD_PENDING - 1)) {
		int32_t k = o->index[h];
		if (!k)
			break;
		if (o->keys[k - 1] == tgid) {
			*slot = (uint32_t)k - 1;
			return o;
		}
	}
	if (o->n == RT_CWD_PENDING) {
		rt_bpf_pf_cwd_flush(b);
		return rt_cwd_op(b, tgid, slot);
	}
	*slot = o->n++;
	o->keys[*slot] = tgid;
	o->index[h] = (int32_t)*slot + 1;
	return o;
}

int rt_bpf_pf_cwd_publish(struct rt_bpf *b, uint32_t tgid, uint64_t birth, uint32_t seq,
			  const char *cwd)
{
	size_t n = cwd ? strlen(cwd) : 0;
	if (!n || cwd[0] != '/' || cwd[n - 1] != '/' || n > FK_PF_CWD_MAX) {
		rt_bpf_pf_cwd_forget(b, tgid);
		return 0;
	}
	uint32_t i;
	struct rt_cwd_ops *o = rt_cwd_op(b, tgid, &i);
	if (!o)
		return -ENOMEM;
	struct fk_pf_cwd *v = &o->vals[i];
	memset(v, 0, sizeof(*v));
	v->birth = birth;
	v->seq = seq;
	v->len = (uint32_t)n;
	memcpy(v->cwd, cwd, n);
	o->del[i] = false;
	return 0;
}

void rt_bpf_pf_cwd_forget(struct rt_bpf *b, uint32_t tgid)
{
	uint32_t i;
	struct rt_cwd_ops *o = rt_cwd_op(b, tgid, &i);
	if (o)
		o->del[i] = true;
}

void rt_bpf_pf_cwd_flush(struct rt_bpf *b)
{
	struct rt_cwd_ops *o = b->cwd;
	if (!o || !o->n)
		return;
	int fd = bpf_map__fd(b->skel->maps.fk_pf_cwds);
	/* updates first, packed to the front; then the deletes, one by one past a key the map
	 * does not hold (a batch delete stops there) */
	uint32_t nu = 0, nd = 0;
	static uint32_t dkeys[RT_CWD_PENDING];
	for (uint32_t i = 0; i < o->n; i++) {
		if (o->del[i]) {
			dkeys[nd++] = o->keys[i];
			continue;
		}
		if (nu != i) {
			o->keys[nu] = o->keys[i];
			o->vals[nu] = o->vals[i];
		}
		nu++;
	}
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	uint32_t count = nu;
	if (nu && bpf_map_update_batch(fd, o->keys, o->vals, &count, &bo) < 0)
		for (uint32_t i = count; i < nu; i++)
			bpf_map_update_elem(fd, &o->keys[i], &o->vals[i], BPF_ANY);
	for (uint32_t done = 0; done < nd;) {
		count = nd - done;
		if (bpf_map_delete_batch(fd, dkeys + done, &count, &bo) == 0)
			break;
		done += count + 1;      /* past the key it stopped at */
	}
	o->n = 0;
	memset(o->index, 0, sizeof(o->index));
}
