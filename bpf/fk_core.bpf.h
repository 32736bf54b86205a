/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* fk_core.bpf.h - the maps and the helpers (static __always_inline, but for one global
 * function and one bpf_loop callback) that the capture programs of fk_syscalls.bpf.c share:
 * the per-CPU scratch record, parameter writers (integers, user and kernel strings, byte
 * ranges, socket addresses and tuples), task readers (fd -> file, namespace pids, tty,
 * argv/env), the prefilters' bookkeeping (dropped fds, cwds) and the submit step with its
 * batching and the prefilter hook. Included by exactly one object. No programs here, and no
 * layout user space reads: record layouts are in fk_shared.h, map encodings in fk_capture.h.
 *
 * Every write into the scratch buffer goes to buf + (off & FK_OFF_MASK) with a constant or
 * bounded size <= FK_DATA_MAX, so the verifier can prove it stays inside the 64 KiB value
 * whatever off is; the logical check "room left" is separate and keeps records below
 * FK_DATA_MAX + FK_PATH_MAX bytes. */
#ifndef FK_CORE_BPF_H
#define FK_CORE_BPF_H

#include "bpf/fk_shared.h"
#include "bpf/fk_capture.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define FK_BUF_SIZE FK_MAX_EVENT_LEN            /* 64 KiB: the scratch record */
#define FK_BUF_MASK (FK_BUF_SIZE - 1)
#define FK_DATA_MAX (FK_BUF_SIZE / 2)           /* parameters start below this offset */
#define FK_OFF_MASK (FK_DATA_MAX - 1)
#define FK_HDR_SIZE ((__u32)sizeof(struct fk_event_hdr))
#define FK_PATH_MAX 4096                        /* PATH_MAX, NUL included */
#define FK_ARGS_MAX 4096                        /* argv and env are cut here */
#define FK_UNIX_PATH_MAX 108                    /* sizeof(sockaddr_un.sun_path) */

/* Hides v's known range from clang, so that a mask or bound check written after it stays in
 * the code for the verifier instead of being folded into an earlier, unchecked copy. */
#define FK_BARRIER_VAR(v) asm volatile("" : "+r"(v))

/* x86: thread_info.status bit for a 32-bit syscall (arch/x86/include/asm/thread_info.h). */
#define FK_TS_COMPAT 0x0002
#define FK_S_IFMT 00170000
#define FK_S_IFSOCK 0140000
#define FK_S_IFDIR 0040000

/* --- settings, written by the loader before load (rodata) ------------------------------- */
const volatile __u64 fk_boot_to_wall = 0;       /* CLOCK_REALTIME - CLOCK_BOOTTIME, ns */
const volatile __u64 fk_wake_bytes = 0;         /* force a wakeup past this much unread data */
const volatile __u32 fk_ignore_tgid = 0;        /* the daemon itself; 0: none */
/* CLOCK_MONOTONIC (task_struct.start_time's clock) when the loader loaded the programs: a
 * process started before it has no clone record (the /proc scan made it in userspace). */
const volatile __u64 fk_pf_start_ns = 0;

/* Non-syscall events, switched at run time by the loader (bss is mmapped). */
volatile __u32 fk_want_procexit = 0;

/* --- maps ------------------------------------------------------------------------------ */

/* The last open a prefilter dropped on a CPU, kept in front of the fd set (fk_pf_fds) so
 * that the usual open ... close on one CPU costs no task-storage lookup: the process image
 * (group leader's address and start time, fk_pf_image), the fd, and the fd number's
 * generation (fk_pf_fd_gen) when it was dropped. fd < 0: none. */
struct fk_pf_pending {
	__u64 leader;
	__u64 start;
	__u64 exec_id;
	__u64 gen;
	__s64 fd;
};

struct fk_scratch {
	__u8 buf[FK_BUF_SIZE] __attribute__((aligned(8))); /* the record: hdr | plen[] | params */
	__u32 off;              /* next parameter byte */
	__u32 idx;              /* next parameter */
	__u32 type;             /* enum fk_event_type, set by the dispatcher for the handler */
	__u32 nr;               /* syscall number */
	__u32 pf_need;          /* the state tables need this record (prefilters: keep) */
	__u32 pf_tmp[FK_PF_TMP_WORDS]; /* the generated prefilter's scratch words (fk_capture.h) */
	__u32 pf_normalized;    /* fk_pf_normalize ran on this record */
	__u32 pf_path_len;      /* a relative open's resolved path (fk_pf_resolve) or the path */
	char pf_path[FK_PF_PATH_BUF];   /* normalized: length with the NUL, 0 for none; bytes */
	__u32 close_need;       /* a close's pf_need, decided by the dispatcher for fk_h_args */
	__u64 task;             /* the current task, set by the dispatcher for its tail calls */
	struct fk_pf_pending pending;  /* the last open dropped on this CPU (fk_pf_pending_*) */
};
_Static_assert(__builtin_offsetof(struct fk_scratch, pf_need) == FK_PF_NEED_OFF,
	       "the generated prefilters read pf_need at FK_PF_NEED_OFF");
_Static_assert(__builtin_offsetof(struct fk_scratch, pf_normalized) == FK_PF_NORM_OFF &&
	       __builtin_offsetof(struct fk_scratch, pf_path_len) == FK_PF_PATH_LEN_OFF &&
	       __builtin_offsetof(struct fk_scratch, pf_path) == FK_PF_PATH_OFF,
	       "the generated prefilters read the resolved path at FK_PF_PATH_LEN_OFF/OFF");

/* One scratch record per CPU. A BPF_MAP_TYPE_PERCPU_ARRAY value is limited to 32 KiB
 * (PCPU_MIN_UNIT_SIZE), so this is a plain array the loader sizes to the number of possible
 * CPUs, indexed by bpf_get_smp_processor_id(). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fk_scratch);
} fk_scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);   /* the loader may resize before load */
} fk_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FK_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u32);                   /* FK_WANT(type) or 0 */
} fk_interesting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FK_CNT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} fk_counters SEC(".maps");

/* --- prefilters (docs/prefilter.md) --------------------------------------------------- */

/* The generated filter of each event type (compiler/fc_prefilter.c), loaded by rt_bpf; an
 * empty slot keeps everything. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FK_EVENT_COUNT);
	__type(key, __u32);
	__type(value, __u32);
} fk_prefilters SEC(".maps");

/* Where a filter ends: [FK_PF_EXIT_KEEP] fk_pf_submit, [FK_PF_EXIT_DROP] fk_pf_drop, or goes
 * for a normalized path: [FK_PF_EXIT_NORMALIZE] fk_pf_normalize. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FK_PF_EXITS);
	__type(key, __u32);
	__type(value, __u32);
} fk_pf_exits SEC(".maps");

/* The fds whose open a filter dropped, per process image: their close is not needed by the
 * state tables (userspace never saw the fd). An fd made by any submitted record leaves the
 * set. The last dropped open of each CPU waits in front of it (fk_pf_pending) and gets here
 * only when the same process drops another open on that CPU. Task-local storage of the
 * thread group leader (it dies with the process, so pid reuse cannot confuse it): one byte
 * per fd below FK_PF_FD_MAX (a higher fd is never recorded: its close is kept), and the
 * process image it is for (fk_pf_image: an exec closes O_CLOEXEC fds without events).
 * Bytes, not bits: threads of one process change different fds with plain stores that
 * cannot undo each other (no fetch-and needed; the generation counters use an atomic add,
 * which -mcpu=v1 has).
 * It replaced a HASH keyed by tgid, leader start time, exec id and fd, whose insert and
 * delete cost more than the rest of the prefilter bookkeeping (docs/prefilter.md, "Cost"). */
#define FK_PF_FD_MAX 2048
struct fk_pf_fdset {
	__u64 exec_id;
	__u8 dropped[FK_PF_FD_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fk_pf_fdset);
} fk_pf_fds SEC(".maps");

/* Per fd number (modulo FK_PF_GEN_SLOTS), how many submitted records made an fd of that
 * number in any process: bumped with an atomic add by fk_submit. A pending dropped open
 * whose fd number's count moved may have been replaced by an fd userspace knows, and is
 * not trusted any more (it costs a kept close, never a wrongly dropped one). */
#define FK_PF_GEN_SLOTS 256
__u64 fk_pf_fd_gen[FK_PF_GEN_SLOTS] = {};

/* The cwds userspace published (struct fk_pf_cwd, fk_capture.h), by tgid: the kernel
 * resolves a relative open against one only while it is provably the string userspace will
 * use (fk_pf_cwd_valid). LRU: an entry pushed out only makes that process's relative opens
 * undecided again. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FK_PF_CWDS_MAX);
	__type(key, __u32);
	__type(value, struct fk_pf_cwd);
} fk_pf_cwds SEC(".maps");

/* Per process (task storage of the group leader, so it dies with the process): the ts_ns of
 * its own clone exit record (0: none was submitted, as for a process older than the
 * capture) and how many chdir/fchdir calls succeeded in it. */
struct fk_pf_proc {
	__u64 birth;
	__u32 chdirs;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fk_pf_proc);
} fk_pf_procs SEC(".maps");

/* Set by the loader when it loaded prefilters (bss). */
volatile __u32 fk_pf_active = 0;
/* Bumped by the loader whenever it turns prefilters on (bss). While they were off, records
 * were submitted without the bookkeeping of fk_submit, so entries of dropped opens made
 * before are not trusted any more: they carry the epoch (fk_pf_image). */
volatile __u32 fk_pf_epoch = 0;
/* Per event type, set by the loader (bss): the type's loaded prefilter keeps exactly the
 * records with pf_need set (no rule may match the type; fc_pf_is_state_only). A handler
 * that knows pf_need before building the record drops the others without building them. */
volatile __u8 fk_pf_state_only[FK_EVENT_COUNT] = {};

/* --- the event table, from fk_events.def ---------------------------------------------- */
#define FK_UNPAREN(...) __VA_ARGS__
#define FK_P(n, t) FK_PT_##t
#define FK_EVENT(id, name, flags, params) [FK_EVENT_##id] = { FK_UNPAREN params },
static const __u8 fk_ptypes[FK_EVENT_COUNT][FK_MAX_PARAMS] = {
#include "bpf/fk_events.def"
};
#undef FK_EVENT
#define FK_EVENT(id, name, flags, params) \
	[FK_EVENT_##id] = sizeof((__u8[]){ FK_UNPAREN params }),
static const __u8 fk_nparams[FK_EVENT_COUNT] = {
#include "bpf/fk_events.def"
};
#undef FK_EVENT
#undef FK_P

static __always_inline void fk_count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&fk_counters, &which);
	if (v)
		*v += 1;
}

static __always_inline struct fk_scratch *fk_scratch_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&fk_scratch_map, &cpu);
}

/* Starts a record of type in this CPU's scratch buffer: header, zeroed parameter lengths.
 * The time stamp and the thread ids are left to fk_submit: a record a prefilter drops never
 * needs them, and the clock read alone cost ~35 ns an event (docs/prefilter.md, "Cost").
 * NULL when there is no scratch slot. */
static __always_inline struct fk_scratch *fk_begin(struct fk_scratch *s, __u32 type, __s64 res)
{
	if (!s || type >= FK_EVENT_COUNT)
		return NULL;
	struct fk_event_hdr *h = (void *)s->buf;
	__u32 n = fk_nparams[type];
	h->res = res;
	h->len = 0;
	h->type = type;
	h->nparams = n;
	/* eight 8-byte stores: clang writes a memset of the u8 buffer a byte at a time */
	__u64 *plen = (__u64 *)(s->buf + FK_HDR_SIZE);
	for (int i = 0; i < 2 * FK_MAX_PARAMS / 8; i++)
		plen[i] = 0;
	s->off = FK_HDR_SIZE + 2 * (n & (FK_MAX_PARAMS - 1));
	s->idx = 0;
	s->type = type;
	s->pf_need = 0;
	s->pf_normalized = 0;
	s->pf_path_len = 0;
	return s;
}

/* The scratch byte at off, provably inside the buffer for writes of up to FK_DATA_MAX bytes.
 * The mask is what the verifier checks; callers' "room left" tests don't count, and clang
 * would drop the mask after them without the barrier ("R3 unbounded memory access, make
 * sure to bounds check any such access"). */
static __always_inline __u8 *fk_at(struct fk_scratch *s, __u32 off)
{
	FK_BARRIER_VAR(off);
	return s->buf + (off & FK_OFF_MASK);
}

/* Closes the current parameter with len bytes written at off. */
static __always_inline void fk_param_done(struct fk_scratch *s, __u32 len)
{
	__u32 i = s->idx;
	if (i >= FK_MAX_PARAMS)
		return;
	/* Without the barrier clang computes 2 * i from a copy of i taken before the check:
	 * "R3 unbounded memory access, make sure to bounds check any such access". */
	FK_BARRIER_VAR(i);
	*(__u16 *)(s->buf + FK_HDR_SIZE + 2 * (i & (FK_MAX_PARAMS - 1))) = len;
	s->idx = i + 1;
	s->off += len;
}

static __always_inline void fk_put_empty(struct fk_scratch *s)
{
	fk_param_done(s, 0);
}

/* Stores v at p in 1, 2, 4 or 8 bytes (little endian, truncated; any other size is 8);
 * returns the size stored. */
static __always_inline __u32 fk_store_int(void *p, __u64 v, __u32 size)
{
	switch (size) {
	case 1:
		*(__u8 *)p = v;
		break;
	case 2:
		*(__u16 *)p = v;
		break;
	case 4:
		*(__u32 *)p = v;
		break;
	default:
		size = 8;
		*(__u64 *)p = v;
	}
	return size;
}

/* An integer parameter of size 1, 2, 4 or 8 bytes (little endian, truncated). */
static __always_inline void fk_put_int(struct fk_scratch *s, __u64 v, __u32 size)
{
	__u32 off = s->off;
	if (off > FK_DATA_MAX - 8) {
		fk_put_empty(s);
		return;
	}
	fk_param_done(s, fk_store_int(fk_at(s, off), v, size));
}

/* The same writers with the cursor (next byte, next parameter) in a local struct fk_cur
 * instead of s->off and s->idx: after inlining it lives in registers and the parameter
 * indexes are constants, where the writers above load and store the cursor in map memory
 * around every helper call. For the hottest handler (open), whose own instructions were
 * mostly that. fk_cur_end stores the cursor for fk_submit. */
struct fk_cur {
	__u32 off;
	__u32 idx;
};

static __always_inline void fk_cur_done(struct fk_scratch *s, struct fk_cur *c, __u32 len)
{
	__u32 i = c->idx;
	*(__u16 *)(s->buf + FK_HDR_SIZE + 2 * (i & (FK_MAX_PARAMS - 1))) = len;
	c->idx = i + 1;
	c->off += len;
}

static __always_inline void fk_cur_int(struct fk_scratch *s, struct fk_cur *c, __u64 v,
				       __u32 size)
{
	if (c->off > FK_DATA_MAX - 8) {
		fk_cur_done(s, c, 0);
		return;
	}
	fk_cur_done(s, c, fk_store_int(fk_at(s, c->off), v, size));
}

static __always_inline void fk_cur_user_str(struct fk_scratch *s, struct fk_cur *c,
					    const void *uptr)
{
	long n = 0;
	if (uptr && c->off <= FK_DATA_MAX - FK_PATH_MAX)
		n = bpf_probe_read_user_str(fk_at(s, c->off), FK_PATH_MAX, uptr);
	if (n < 0 || n > FK_PATH_MAX)
		n = 0;
	fk_cur_done(s, c, n);
}

static __always_inline void fk_cur_end(struct fk_scratch *s, const struct fk_cur *c)
{
	s->off = c->off;
	s->idx = c->idx;
}

/* A NUL-terminated string from user memory (at most FK_PATH_MAX bytes, NUL included);
 * absent when the pointer is NULL or unreadable. Returns the length written. */
static __always_inline long fk_put_user_str(struct fk_scratch *s, const void *uptr)
{
	__u32 off = s->off;
	long n = 0;
	if (uptr && off <= FK_DATA_MAX - FK_PATH_MAX)
		n = bpf_probe_read_user_str(fk_at(s, off), FK_PATH_MAX, uptr);
	if (n < 0 || n > FK_PATH_MAX)
		n = 0;
	fk_param_done(s, n);
	return n;
}

/* The same from kernel memory, at most max bytes (max a constant <= FK_PATH_MAX). */
static __always_inline long fk_put_kernel_str(struct fk_scratch *s, const void *kptr, __u32 max)
{
	__u32 off = s->off;
	long n = 0;
	if (kptr && off <= FK_DATA_MAX - FK_PATH_MAX)
		n = bpf_probe_read_kernel_str(fk_at(s, off), max, kptr);
	if (n < 0 || n > FK_PATH_MAX)
		n = 0;
	fk_param_done(s, n);
	return n;
}

/* len bytes of user memory (cut at FK_ARGS_MAX - 1), the last byte forced to NUL so that a
 * cut string array still ends in one: for argv and env, which the kernel keeps as
 * NUL-separated strings. */
static __always_inline void fk_put_user_strarray(struct fk_scratch *s, __u64 uptr, __u64 len)
{
	__u32 off = s->off;
	__u32 n = len < FK_ARGS_MAX - 1 ? len : FK_ARGS_MAX - 1;
	if (!uptr || !n || off > FK_DATA_MAX - FK_ARGS_MAX) {
		fk_put_empty(s);
		return;
	}
	__u8 *p = fk_at(s, off);
	/* bpf_probe_read_user's size must be a bounded scalar: "R2 unbounded memory access, use
	 * 'var &= const' or 'if (var < const)'" without the mask. */
	FK_BARRIER_VAR(n);
	n &= FK_ARGS_MAX - 1;
	if (bpf_probe_read_user(p, n, (const void *)uptr) < 0) {
		fk_put_empty(s);
		return;
	}
	p[(n - 1) & (FK_ARGS_MAX - 1)] = 0;
	fk_param_done(s, n);
}

/* --- Falco's encodings of flag parameters (fk_events.def: PPM_* values, not the kernel's).
 * Kernel values are x86_64's (include/uapi/asm-generic/fcntl.h, linux/sched.h, mman.h);
 * where Falco's bits equal the kernel's (mode bits, MS_*, MNT_*, AT_*, RENAME_*, MFD_*,
 * AF_*) the value passes through. */

#define FK_MAP_BIT(v, kbit, pbit) (((v) & (kbit)) ? (pbit) : 0)

/* open flags -> PPM_O_*; created: the open created the file (PPM_O_F_CREATED). */
static __always_inline __u32 fk_open_flags(__u32 f, bool created)
{
	__u32 r = (f & 01) ? (1u << 1) : (f & 02) ? (3u) : (1u << 0);
	r |= FK_MAP_BIT(f, 0100, 1u << 2);             /* O_CREAT */
	r |= FK_MAP_BIT(f, 02000, 1u << 3);            /* O_APPEND */
	r |= FK_MAP_BIT(f, 010000, 1u << 4);           /* O_DSYNC */
	r |= FK_MAP_BIT(f, 0200, 1u << 5);             /* O_EXCL */
	r |= FK_MAP_BIT(f, 04000, 1u << 6);            /* O_NONBLOCK */
	r |= FK_MAP_BIT(f, 04000000, 1u << 7);         /* __O_SYNC */
	r |= FK_MAP_BIT(f, 01000, 1u << 8);            /* O_TRUNC */
	r |= FK_MAP_BIT(f, 040000, 1u << 9);           /* O_DIRECT */
	r |= FK_MAP_BIT(f, 0200000, 1u << 10);         /* O_DIRECTORY */
	r |= FK_MAP_BIT(f, 0100000, 1u << 11);         /* O_LARGEFILE */
	r |= FK_MAP_BIT(f, 02000000, 1u << 12);        /* O_CLOEXEC */
	r |= FK_MAP_BIT(f, 020000000, 1u << 13);       /* __O_TMPFILE */
	r |= created ? 1u << 14 : 0;                    /* PPM_O_F_CREATED */
	return r;
}

/* The mode of open/creat: only meaningful with O_CREAT or O_TMPFILE (else 0, as Falco). */
static __always_inline __u32 fk_open_mode(__u32 flags, __u32 mode)
{
	return (flags & (0100 | 020000000)) ? (mode & 07777) : 0;
}

/* CLONE_* (also unshare and setns nstype) -> PPM_CL_*. */
static __always_inline __u32 fk_clone_flags(__u64 f)
{
	__u32 r = 0;
	r |= FK_MAP_BIT(f, 0x00000400, 1u << 0);       /* CLONE_FILES */
	r |= FK_MAP_BIT(f, 0x00000200, 1u << 1);       /* CLONE_FS */
	r |= FK_MAP_BIT(f, 0x80000000, 1u << 2);       /* CLONE_IO */
	r |= FK_MAP_BIT(f, 0x08000000, 1u << 3);       /* CLONE_NEWIPC */
	r |= FK_MAP_BIT(f, 0x40000000, 1u << 4);       /* CLONE_NEWNET */
	r |= FK_MAP_BIT(f, 0x00020000, 1u << 5);       /* CLONE_NEWNS */
	r |= FK_MAP_BIT(f, 0x20000000, 1u << 6);       /* CLONE_NEWPID */
	r |= FK_MAP_BIT(f, 0x04000000, 1u << 7);       /* CLONE_NEWUTS */
	r |= FK_MAP_BIT(f, 0x00008000, 1u << 8);       /* CLONE_PARENT */
	r |= FK_MAP_BIT(f, 0x00100000, 1u << 9);       /* CLONE_PARENT_SETTID */
	r |= FK_MAP_BIT(f, 0x00002000, 1u << 10);      /* CLONE_PTRACE */
	r |= FK_MAP_BIT(f, 0x00000800, 1u << 11);      /* CLONE_SIGHAND */
	r |= FK_MAP_BIT(f, 0x00040000, 1u << 12);      /* CLONE_SYSVSEM */
	r |= FK_MAP_BIT(f, 0x00010000, 1u << 13);      /* CLONE_THREAD */
	r |= FK_MAP_BIT(f, 0x00800000, 1u << 14);      /* CLONE_UNTRACED */
	r |= FK_MAP_BIT(f, 0x00000100, 1u << 15);      /* CLONE_VM */
	r |= FK_MAP_BIT(f, 0x10000000, 1u << 20);      /* CLONE_NEWUSER */
	r |= FK_MAP_BIT(f, 0x00200000, 1u << 23);      /* CLONE_CHILD_CLEARTID */
	r |= FK_MAP_BIT(f, 0x01000000, 1u << 24);      /* CLONE_CHILD_SETTID */
	r |= FK_MAP_BIT(f, 0x00080000, 1u << 25);      /* CLONE_SETTLS */
	r |= FK_MAP_BIT(f, 0x00004000, 1u << 27);      /* CLONE_VFORK */
	r |= FK_MAP_BIT(f, 0x02000000, 1u << 28);      /* CLONE_NEWCGROUP */
	return r;
}

/* PROT_* -> PPM_PROT_*. */
static __always_inline __u32 fk_prot_flags(__u64 f)
{
	return (f & 0xf) | FK_MAP_BIT(f, 0x01000000, 1u << 4) | FK_MAP_BIT(f, 0x02000000, 1u << 5);
}

/* MAP_* -> PPM_MAP_*. */
static __always_inline __u32 fk_mmap_flags(__u64 f)
{
	__u32 r = 0;
	r |= FK_MAP_BIT(f, 0x01, 1u << 0);             /* MAP_SHARED */
	r |= FK_MAP_BIT(f, 0x02, 1u << 1);             /* MAP_PRIVATE */
	r |= FK_MAP_BIT(f, 0x10, 1u << 2);             /* MAP_FIXED */
	r |= FK_MAP_BIT(f, 0x20, 1u << 3);             /* MAP_ANONYMOUS */
	r |= FK_MAP_BIT(f, 0x40, 1u << 4);             /* MAP_32BIT */
	r |= FK_MAP_BIT(f, 0x4000, 1u << 6);           /* MAP_NORESERVE */
	r |= FK_MAP_BIT(f, 0x8000, 1u << 7);           /* MAP_POPULATE */
	r |= FK_MAP_BIT(f, 0x10000, 1u << 8);          /* MAP_NONBLOCK */
	r |= FK_MAP_BIT(f, 0x0100, 1u << 9);           /* MAP_GROWSDOWN */
	r |= FK_MAP_BIT(f, 0x0800, 1u << 10);          /* MAP_DENYWRITE */
	r |= FK_MAP_BIT(f, 0x1000, 1u << 11);          /* MAP_EXECUTABLE */
	r |= FK_MAP_BIT(f, 0x2000, 1u << 14);          /* MAP_LOCKED */
	return r;
}

/* RESOLVE_* (openat2) -> PPM_RESOLVE_*. */
static __always_inline __u32 fk_resolve_flags(__u64 f)
{
	return FK_MAP_BIT(f, 0x08, 1u << 0) | FK_MAP_BIT(f, 0x10, 1u << 1) |
	       FK_MAP_BIT(f, 0x02, 1u << 2) | FK_MAP_BIT(f, 0x04, 1u << 3) |
	       FK_MAP_BIT(f, 0x01, 1u << 4) | FK_MAP_BIT(f, 0x20, 1u << 5);
}

/* fcntl F_* -> PPM_FCNTL_* (0: unknown). */
static __always_inline __u32 fk_fcntl_cmd(__u64 c)
{
	switch (c) {
	case 0: return 1;       /* F_DUPFD */
	case 1: return 2;       /* F_GETFD */
	case 2: return 3;       /* F_SETFD */
	case 3: return 4;       /* F_GETFL */
	case 4: return 5;       /* F_SETFL */
	case 5: return 6;       /* F_GETLK */
	case 6: return 8;       /* F_SETLK */
	case 7: return 9;       /* F_SETLKW */
	case 8: return 10;      /* F_SETOWN */
	case 9: return 12;      /* F_GETOWN */
	case 10: return 13;     /* F_SETSIG */
	case 11: return 15;     /* F_GETSIG */
	case 15: return 21;     /* F_SETOWN_EX */
	case 16: return 22;     /* F_GETOWN_EX */
	case 36: return 30;     /* F_OFD_GETLK */
	case 37: return 31;     /* F_OFD_SETLK */
	case 38: return 32;     /* F_OFD_SETLKW */
	case 1024: return 23;   /* F_SETLEASE */
	case 1025: return 24;   /* F_GETLEASE */
	case 1026: return 27;   /* F_NOTIFY */
	case 1029: return 25;   /* F_CANCELLK */
	case 1030: return 26;   /* F_DUPFD_CLOEXEC */
	case 1031: return 28;   /* F_SETPIPE_SZ */
	case 1032: return 29;   /* F_GETPIPE_SZ */
	default: return 0;
	}
}

/* ptrace PTRACE_* -> PPM_PTRACE_* (0: unknown). */
static __always_inline __u32 fk_ptrace_req(__u64 r)
{
	if (r <= 9)
		return r + 1;   /* TRACEME..SINGLESTEP */
	if (r >= 0x4200 && r <= 0x420b)
		return r - 0x4200 + 14;  /* SETOPTIONS..SETSIGMASK */
	switch (r) {
	case 12: return 26;     /* GETREGS */
	case 13: return 27;     /* SETREGS */
	case 14: return 28;     /* GETFPREGS */
	case 15: return 29;     /* SETFPREGS */
	case 16: return 11;     /* ATTACH */
	case 17: return 12;     /* DETACH */
	case 18: return 30;     /* GETFPXREGS */
	case 19: return 31;     /* SETFPXREGS */
	case 21: return 32;     /* OLDSETOPTIONS */
	case 24: return 13;     /* SYSCALL */
	case 25: return 33;     /* GET_THREAD_AREA */
	case 26: return 34;     /* SET_THREAD_AREA */
	case 30: return 35;     /* ARCH_PRCTL */
	case 31: return 36;     /* SYSEMU */
	case 32: return 37;     /* SYSEMU_SINGLESTEP */
	case 33: return 38;     /* SINGLEBLOCK */
	default: return 0;
	}
}

/* The Falco encoding of argument value v as parameter i of an fk_h_args event. */
static __always_inline __u64 fk_arg_to_ppm(__u32 type, __u32 i, __u64 v)
{
	switch (type) {
	case FK_EVENT_DUP3:
		return i == 3 ? FK_MAP_BIT(v, 02000000, 1u << 12) : v;
	case FK_EVENT_FCNTL:
		return i == 2 ? fk_fcntl_cmd(v) : v;
	case FK_EVENT_MMAP:
		return i == 3 ? fk_prot_flags(v) : i == 4 ? fk_mmap_flags(v) : v;
	case FK_EVENT_MPROTECT:
		return i == 3 ? fk_prot_flags(v) : v;
	case FK_EVENT_UNSHARE:
		return i == 1 ? fk_clone_flags(v) : v;
	case FK_EVENT_SETNS:
		return i == 2 ? fk_clone_flags(v) : v;
	case FK_EVENT_MOUNT:    /* drop the old MS_MGC_VAL magic in the top half */
		return i == 4 && (v & 0xffff0000) == 0xc0ed0000 ? v & 0xffff : v;
	case FK_EVENT_CHMOD: case FK_EVENT_FCHMOD: case FK_EVENT_FCHMODAT:
		return fk_ptypes[type][i & (FK_MAX_PARAMS - 1)] == FK_PT_MODE ? v & 07777 : v;
	default:
		return v;
	}
}

/* --- syscall arguments ----------------------------------------------------------------- */

/* Argument k (0..5) of the syscall, from the saved user registers (x86_64 ABI). */
static __always_inline __u64 fk_arg(struct pt_regs *regs, int k)
{
	switch (k) {
	case 0:
		return BPF_CORE_READ(regs, di);
	case 1:
		return BPF_CORE_READ(regs, si);
	case 2:
		return BPF_CORE_READ(regs, dx);
	case 3:
		return BPF_CORE_READ(regs, r10);
	case 4:
		return BPF_CORE_READ(regs, r8);
	default:
		return BPF_CORE_READ(regs, r9);
	}
}

/* The size of a scalar parameter type, 0 for the others; *sign32 when the value is a C int
 * that must be sign-extended to the parameter's 64 bits (fds, pids, errnos). */
static __always_inline __u32 fk_pt_size(__u32 t, bool *sign32)
{
	*sign32 = false;
	switch (t) {
	case FK_PT_INT8: case FK_PT_UINT8: case FK_PT_FLAGS8: case FK_PT_SIGTYPE:
		return 1;
	case FK_PT_INT16: case FK_PT_UINT16: case FK_PT_FLAGS16:
		return 2;
	case FK_PT_INT32: case FK_PT_UINT32: case FK_PT_FLAGS32: case FK_PT_MODE:
	case FK_PT_UID: case FK_PT_GID:
		return 4;
	case FK_PT_FD: case FK_PT_PID: case FK_PT_ERRNO: case FK_PT_INT64:
		*sign32 = true;
		return 8;
	case FK_PT_UINT64: case FK_PT_RELTIME: case FK_PT_ABSTIME:
		return 8;
	default:
		return 0;
	}
}

static __always_inline bool fk_pt_is_str(__u32 t)
{
	return t == FK_PT_CHARBUF || t == FK_PT_FSPATH || t == FK_PT_FSRELPATH;
}

/* Parameter i of the record being built, taken from the syscall argument value v: a user
 * string for string types, the integer for scalar types, absent otherwise (byte buffers:
 * no data is captured). */
static __always_inline void fk_put_arg(struct fk_scratch *s, __u32 type, __u32 i, __u64 v)
{
	if (type >= FK_EVENT_COUNT) {
		fk_put_empty(s);
		return;
	}
	__u32 t = fk_ptypes[type][i & (FK_MAX_PARAMS - 1)];
	bool sign32;
	__u32 size = fk_pt_size(t, &sign32);
	if (fk_pt_is_str(t))
		fk_put_user_str(s, (const void *)v);
	else if (size)
		fk_put_int(s, sign32 ? (__u64)(__s64)(__s32)v : fk_arg_to_ppm(type, i, v), size);
	else
		fk_put_empty(s);
}

/* --- tasks, files, sockets ------------------------------------------------------------- */

/* bpf_rdonly_cast (kfunc, 6.2+): a kernel address as a read-only BTF pointer of the given
 * type, through which fields are read with plain loads (the JIT's fault-handling loads)
 * instead of a bpf_probe_read_kernel call each. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* The current task for a program the dispatcher tail-called: the pointer it stored in the
 * scratch value, cast back (the cast is a register move after verification). A helper call
 * costs ~15 ns on a kernel whose returns go through a return thunk (SRSO "Safe RET"), and
 * bpf_get_current_task_btf is one; an open and its close made seven of them. Read-only and
 * untrusted: fields are plain loads; task storage wants bpf_get_current_task_btf(). */
static __always_inline struct task_struct *fk_task(const struct fk_scratch *s)
{
	return bpf_rdonly_cast((void *)s->task, bpf_core_type_id_kernel(struct task_struct));
}

/* The struct file of fd in task t's table, or NULL. t is a BTF pointer (the current task):
 * its fields are plain loads. The slot of the fd array is a pointer to pointers, a scalar to
 * the verifier: it is cast to a struct kiocb, whose first member has always been the
 * struct file *ki_filp, so that the slot too is a plain load (bpf_probe_read_kernel cost
 * ~20 ns an open); the helper stays for a kernel where ki_filp would not be first (the
 * branch is dead once CO-RE resolved the offset). The result can be dereferenced directly. */
static __always_inline struct file *fk_fd_file(struct task_struct *t, __s64 fd)
{
	struct file *f = NULL;
	if (fd < 0)
		return NULL;
	struct fdtable *fdt = t->files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return NULL;
	struct file **fds = fdt->fd;
	if (bpf_core_field_offset(struct kiocb, ki_filp) == 0) {
		struct kiocb *slot = bpf_rdonly_cast(&fds[fd], bpf_core_type_id_kernel(struct kiocb));
		return slot->ki_filp;
	}
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f ? bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file)) : NULL;
}

/* The socket's struct sock behind a file, or NULL if it is not a socket. */
static __always_inline struct sock *fk_file_sock(struct file *f)
{
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & FK_S_IFMT) != FK_S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/* new_encode_dev() of a kernel dev_t (major 12 bits << 20 | minor 20 bits), as Falco and
 * stat(2) give it. */
static __always_inline __u32 fk_encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* Two parameters: dev (__u32) and ino (__u64) of file f, absent if NULL. */
static __always_inline void fk_put_dev_ino(struct fk_scratch *s, struct file *f)
{
	if (!f) {
		fk_put_empty(s);
		fk_put_empty(s);
		return;
	}
	struct inode *ino = f->f_inode;
	fk_put_int(s, fk_encode_dev(ino->i_sb->s_dev), 4);
	fk_put_int(s, ino->i_ino, 8);
}

/* A SOCKADDR parameter from a user struct sockaddr of ulen bytes (connect, bind, sendto).
 * Addresses stay in network byte order, ports are converted to host order (as Falco). */
static __always_inline void fk_put_sockaddr_user(struct fk_scratch *s, __u64 uptr, __u64 ulen)
{
	__u32 off = s->off;
	__u16 fam = 0;
	if (!uptr || ulen < 2 || off > FK_DATA_MAX - 128 ||
	    bpf_probe_read_user(&fam, sizeof(fam), (const void *)uptr) < 0) {
		fk_put_empty(s);
		return;
	}
	__u8 *p = fk_at(s, off);
	__u8 raw[24] = {};
	__u16 port;
	switch (fam) {
	case FK_AF_INET:        /* sockaddr_in: family, be16 port, be32 addr */
		bpf_probe_read_user(raw, 8, (const void *)uptr);
		__builtin_memcpy(&port, raw + 2, 2);
		p[0] = FK_AF_INET;
		__builtin_memcpy(p + 1, raw + 4, 4);
		*(__u16 *)(p + 5) = bpf_ntohs(port);
		fk_param_done(s, 7);
		return;
	case FK_AF_INET6:       /* sockaddr_in6: family, be16 port, flowinfo, addr[16] */
		bpf_probe_read_user(raw, 24, (const void *)uptr);
		__builtin_memcpy(&port, raw + 2, 2);
		p[0] = FK_AF_INET6;
		__builtin_memcpy(p + 1, raw + 8, 16);
		*(__u16 *)(p + 17) = bpf_ntohs(port);
		fk_param_done(s, 19);
		return;
	case FK_AF_UNIX: {
		long n = bpf_probe_read_user_str(p + 1, FK_UNIX_PATH_MAX, (const void *)(uptr + 2));
		p[0] = FK_AF_UNIX;
		fk_param_done(s, n > 0 && n <= FK_UNIX_PATH_MAX ? 1 + n : 1);
		return;
	}
	default:
		p[0] = fam;
		fk_param_done(s, 1);
	}
}

/* A SOCKTUPLE parameter from a kernel socket. Outbound (connect, send): local -> remote;
 * inbound (accept): remote -> local, as Falco orders them. Unix sockets: this sock and its
 * peer as opaque ids, then the bound path of the peer (or of this socket). */
static __always_inline void fk_put_socktuple(struct fk_scratch *s, struct sock *sk, bool inbound)
{
	__u32 off = s->off;
	if (!sk || off > FK_DATA_MAX - 256) {
		fk_put_empty(s);
		return;
	}
	__u8 *p = fk_at(s, off);
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == FK_AF_INET) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		p[0] = FK_AF_INET;
		*(__u32 *)(p + 1) = inbound ? ra : la;
		*(__u16 *)(p + 5) = inbound ? rport : lport;
		*(__u32 *)(p + 7) = inbound ? la : ra;
		*(__u16 *)(p + 11) = inbound ? lport : rport;
		fk_param_done(s, 13);
	} else if (fam == FK_AF_INET6) {
		__u8 la[16], ra[16];
		BPF_CORE_READ_INTO(&la, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&ra, sk, __sk_common.skc_v6_daddr);
		p[0] = FK_AF_INET6;
		__builtin_memcpy(p + 1, inbound ? ra : la, 16);
		*(__u16 *)(p + 17) = inbound ? rport : lport;
		__builtin_memcpy(p + 19, inbound ? la : ra, 16);
		*(__u16 *)(p + 35) = inbound ? lport : rport;
		fk_param_done(s, 37);
	} else if (fam == FK_AF_UNIX) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		struct unix_address *ua = peer ? BPF_CORE_READ((struct unix_sock *)peer, addr) : NULL;
		if (!ua)
			ua = BPF_CORE_READ(us, addr);
		p[0] = FK_AF_UNIX;
		*(__u64 *)(p + 1) = (__u64)sk;
		*(__u64 *)(p + 9) = (__u64)peer;
		long n = 0;
		if (ua)
			n = bpf_probe_read_kernel_str(p + 17, FK_UNIX_PATH_MAX,
						      (void *)ua + bpf_core_field_offset(struct unix_address, name) +
							      bpf_core_field_offset(struct sockaddr_un, sun_path));
		if (n <= 0 || n > FK_UNIX_PATH_MAX) {
			p[17] = 0;
			n = 1;
		}
		fk_param_done(s, 17 + n);
	} else {
		p[0] = fam;
		fk_param_done(s, 1);
	}
}

/* The pid number of p as seen from its own (innermost) pid namespace. */
static __always_inline __s32 fk_pid_vnr(struct pid *p)
{
	struct upid u = {};
	if (!p)
		return 0;
	__u32 level = BPF_CORE_READ(p, level);
	bpf_probe_read_kernel(&u, sizeof(u),
			      (void *)p + bpf_core_field_offset(struct pid, numbers) +
				      (level & 63) * bpf_core_type_size(struct upid));
	return u.nr;
}

/* exe (argv[0]) and args (argv[1..], NUL-separated) from the task's mm. */
static __always_inline void fk_put_exe_args(struct fk_scratch *s, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__u64 as = mm ? BPF_CORE_READ(mm, arg_start) : 0;
	__u64 ae = mm ? BPF_CORE_READ(mm, arg_end) : 0;
	long n = as < ae ? fk_put_user_str(s, (const void *)as) : (fk_put_empty(s), 0);
	if (n > 0 && as + n < ae)
		fk_put_user_strarray(s, as + n, ae - as - n);
	else
		fk_put_empty(s);
}

static __always_inline void fk_put_env(struct fk_scratch *s, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__u64 es = mm ? BPF_CORE_READ(mm, env_start) : 0;
	__u64 ee = mm ? BPF_CORE_READ(mm, env_end) : 0;
	fk_put_user_strarray(s, es, es < ee ? ee - es : 0);
}

/* The first nine parameters execve and clone share: res, exe, args, tid, pid, ptid, cwd,
 * comm, cgroups. cwd and cgroups are left absent (user space fills them from /proc). */
static __always_inline void fk_put_proc_head(struct fk_scratch *s, struct task_struct *t,
					     __s64 res)
{
	fk_put_int(s, res, 8);
	fk_put_exe_args(s, t);
	fk_put_int(s, BPF_CORE_READ(t, pid), 8);
	fk_put_int(s, BPF_CORE_READ(t, tgid), 8);
	fk_put_int(s, BPF_CORE_READ(t, real_parent, pid), 8);
	fk_put_empty(s);                                        /* cwd */
	fk_put_kernel_str(s, &t->comm[0], FK_COMM_LEN);
	fk_put_empty(s);                                        /* cgroups */
}

/* The controlling tty as Falco encodes it (new_encode_dev of the tty's device), 0 if none. */
static __always_inline __u32 fk_task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	__u32 index = BPF_CORE_READ(tty, index);
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start);
	return fk_encode_dev((major << 20) | (minor + index));
}

/* --- prefilter state needs ---------------------------------------------------------- */

/* What entries of dropped opens are valid for, besides the process: the image of task t
 * (self_exec_id) and the prefilter epoch (fk_pf_epoch), in one word. */
static __always_inline __u64 fk_pf_image(struct task_struct *t)
{
	return t->self_exec_id ^ ((__u64)fk_pf_epoch << 48);
}

/* The current process's set of fds whose open was dropped (create: make it when missing),
 * or NULL; *exec_id: the current image's key (fk_pf_image). */
static __always_inline struct fk_pf_fdset *fk_pf_set(bool create, __u64 *exec_id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	*exec_id = fk_pf_image(t);
	return bpf_task_storage_get(&fk_pf_fds, t->group_leader, 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* Whether fd is in the current image's set of dropped opens; takes it out when it is. */
static __always_inline bool fk_pf_take(__s64 fd)
{
	__u64 xid;
	if (fd < 0 || fd >= FK_PF_FD_MAX)
		return false;
	struct fk_pf_fdset *st = fk_pf_set(false, &xid);
	if (!st)
		return false;
	__u32 i = (__u32)fd & (FK_PF_FD_MAX - 1);
	if (!st->dropped[i])
		return false;
	st->dropped[i] = 0;
	return st->exec_id == xid;
}

/* Marks fd in the current image's fd set (fk_pf_drop, and a pending entry moved there). */
static __always_inline void fk_pf_set_fd(__s64 fd)
{
	__u64 xid;
	if (fd < 0 || fd >= FK_PF_FD_MAX)
		return;
	struct fk_pf_fdset *st = fk_pf_set(true, &xid);
	if (!st)
		return;
	if (st->exec_id != xid) {
		/* a new image: the old fds are gone; a new value comes zeroed */
		struct task_struct *t = bpf_get_current_task_btf();
		bpf_task_storage_delete(&fk_pf_fds, t->group_leader);
		st = fk_pf_set(true, &xid);
		if (!st)
			return;
		st->exec_id = xid;
	}
	st->dropped[(__u32)fd & (FK_PF_FD_MAX - 1)] = 1;
}

static __always_inline __u64 fk_pf_gen(__s64 fd)
{
	return fk_pf_fd_gen[(__u32)fd & (FK_PF_GEN_SLOTS - 1)];
}

/* Whether p is a live entry of the current process image: dropped by it, and no submitted
 * record made an fd of that number since. */
static __always_inline bool fk_pf_pending_mine(const struct fk_pf_pending *p,
					       struct task_struct *t)
{
	struct task_struct *l = t->group_leader;
	return p->fd >= 0 && p->leader == (__u64)l && p->start == l->start_time &&
	       p->exec_id == fk_pf_image(t) && p->gen == fk_pf_gen(p->fd);
}

/* A dropped open made fd: it becomes the CPU's pending entry. The entry it replaces moves to
 * the fd set when it is still live and the current process's; another process's is let go
 * (its close will be kept: userspace ignores a close of an fd it does not know). An entry
 * for the same fd number is dead: that fd was closed before the open could reuse it. */
static __always_inline void fk_pf_pending_put(struct fk_scratch *s, struct task_struct *t,
					      __s64 fd)
{
	struct fk_pf_pending *p = &s->pending;
	if (p->fd != fd && fk_pf_pending_mine(p, t))
		fk_pf_set_fd(p->fd);
	struct task_struct *l = t->group_leader;
	p->leader = (__u64)l;
	p->start = l->start_time;
	p->exec_id = fk_pf_image(t);
	p->gen = fk_pf_gen(fd);
	p->fd = fd;
}

/* Whether fd is the CPU's live pending entry of the current process image; takes it. */
static __always_inline bool fk_pf_pending_take(struct fk_scratch *s, struct task_struct *t,
					       __s64 fd)
{
	struct fk_pf_pending *p = &s->pending;
	if (p->fd != fd || !fk_pf_pending_mine(p, t))
		return false;
	p->fd = -1;
	return true;
}

/* Whether the fd table of the current task is shared with another process (clone with
 * CLONE_FILES and without CLONE_THREAD): then its fds are not tracked per process. */
static __always_inline bool fk_pf_files_shared(struct task_struct *t)
{
	int count = t->files->count.counter;
	int threads = t->signal->nr_threads;
	return count > threads;
}

/* A fork (sched_process_fork, in the parent) whose child has its own copy of the fd table,
 * made where userspace copies the parent's table as it was at the fork (fk_sched_fork):
 * the fds whose open the kernel dropped in the parent are unknown to userspace in the
 * child too, so the child's set starts as a copy of the parent's, with the parent's pending
 * dropped open of this CPU. Then the closes a vfork child makes before its exec (a compiler
 * driver's pipe ends) are dropped like the parent's. */
static __always_inline void fk_pf_fork_fds(struct task_struct *parent, struct task_struct *child)
{
	__u64 xid = fk_pf_image(parent);
	struct fk_pf_fdset *ps = bpf_task_storage_get(&fk_pf_fds, parent->group_leader, 0, 0);
	struct fk_scratch *s = fk_scratch_get();
	bool pend = s && fk_pf_pending_mine(&s->pending, parent);
	if ((!ps || ps->exec_id != xid) && !pend)
		return;
	struct fk_pf_fdset *cs = bpf_task_storage_get(&fk_pf_fds, child, 0,
						      BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cs)
		return;
	if (ps && ps->exec_id == xid)
		bpf_probe_read_kernel(cs, sizeof(*cs), ps);
	cs->exec_id = xid;      /* the child's image key: the same self_exec_id and epoch */
	if (pend)
		cs->dropped[(__u32)s->pending.fd & (FK_PF_FD_MAX - 1)] = 1;
}

/* pipe and pipe2 make two fds that no record reports: the kernel side has no handler for
 * them, so they are not captured, or come as GENERIC records without their fds. Userspace
 * never knows those fds, so their closes are not needed either: with prefilters on, they go
 * into the fd set like the fds of dropped opens (a close of one is dropped). A handler that
 * reports them one day must remove this. */
static __always_inline void fk_pf_note_pipe(struct task_struct *t, const void *ufds, long ret)
{
	int fds[2];
	if (!fk_pf_active || ret != 0 || fk_pf_files_shared(t) ||
	    bpf_probe_read_user(fds, sizeof(fds), ufds) < 0)
		return;
	fk_pf_set_fd(fds[0]);
	fk_pf_set_fd(fds[1]);
}

/* --- relative paths (docs/prefilter.md, "Relative paths") ------------------------------ */

/* Whether an fk_pf_cwds entry's birth and seq describe the cwd string userspace resolves the
 * relative paths of the process led by l against: published for this very process (after
 * its own clone record, or from the /proc scan for a process older than the capture) and
 * after exactly the chdir/fchdir calls the kernel counted in it. Userspace changes that
 * string only on a chdir/fchdir record, counted here before it is submitted, so no record
 * that comes before a decided open can make userspace resolve it differently. l must be a
 * group leader, from a trusted pointer. */
static __always_inline bool fk_pf_cwd_valid(struct task_struct *l, __u64 birth, __u32 seq)
{
	struct fk_pf_proc *p = bpf_task_storage_get(&fk_pf_procs, l, 0, 0);
	__u64 b = p ? p->birth : 0;
	__u32 n = p ? p->chdirs : 0;
	if (birth != b || seq != n)
		return false;
	return b != 0 || l->start_time < fk_pf_start_ns;
}

/* Whether entry e still holds the birth, seq and len read from it before a copy: an update
 * from userspace may have recycled the element meanwhile. */
static __always_inline bool fk_pf_cwd_same(const struct fk_pf_cwd *e, __u64 birth, __u32 seq,
					   __u64 len)
{
	return e->birth == birth && e->seq == seq && e->len == len;
}

/* A successful chdir or fchdir of the current process: counted (an atomic add: threads).
 * Returns the count before, exact when the process has one thread (-mcpu=v1 has no
 * fetch-and-add that returns the old value), or -1 when it could not be counted. */
static __always_inline long fk_pf_count_chdir(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fk_pf_proc *p = bpf_task_storage_get(&fk_pf_procs, t->group_leader, 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return -1;
	__u32 before = p->chdirs;
	__sync_fetch_and_add(&p->chdirs, 1);
	return before;
}

/* Walks a path byte by byte (fk_path_normal, through bpf_loop: the verifier checks the
 * callback once, where a loop over up to 512 bytes multiplied its caller's states). */
struct fk_path_walk {
	const char *p;
	__u32 n;
	__u32 clen;     /* the current component's length */
	__u32 dots;     /* its leading dots */
	__u32 bad;
};

static long fk_path_step(__u64 i, void *ctx)
{
	struct fk_path_walk *w = ctx;
	if (i >= w->n || i >= FK_PF_CWD_MAX)
		return 1;
	char ch = w->p[i];
	if (ch == '/') {
		if (i > 0 && (w->clen == 0 || (w->clen == w->dots && w->clen <= 2))) {
			w->bad = 1;
			return 1;
		}
		w->clen = w->dots = 0;
		return 0;
	}
	if (ch == 0) {
		w->bad = 1;
		return 1;
	}
	if (ch == '.' && w->dots == w->clen)
		w->dots++;
	w->clen++;
	return 0;
}

/* Whether the n bytes at p are a path rt_path_join leaves as it is: no empty, "." or ".."
 * component, no trailing '/' (but the path "/"), no NUL. At most FK_PF_CWD_MAX bytes. */
static __always_inline bool fk_path_normal(const char *p, __u32 n)
{
	struct fk_path_walk w = { .p = p, .n = n };
	if (n == 0 || n > FK_PF_CWD_MAX)
		return false;
	bpf_loop(n, fk_path_step, &w, 0);
	if (w.bad)
		return false;
	if (n == 1 && p[0] == '/')
		return true;
	return w.clen != 0 && !(w.clen == w.dots && w.clen <= 2);
}

/* A cwd being built (fk_sched_fork, fk_pf_chdir_follow): one per CPU, too big for the
 * stack. Programs on the syscall and scheduler tracepoints run with preemption off. The
 * slack lets the verifier see a copy of up to FK_PF_CWD_MAX bytes at an offset of up to as
 * much stay inside (the sum is checked at run time). */
struct fk_pf_cwd_buf {
	struct fk_pf_cwd v;
	char slack[FK_PF_CWD_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fk_pf_cwd_buf);
} fk_pf_cwd_tmp SEC(".maps");

/* A successful chdir of the current process, the record in s, counted (it was the
 * before-th) and in the ring: userspace will set the process's cwd to
 * rt_path_join(cwd, path) + '/' when it reads the record (a record that did not make it into
 * the ring must not be followed: userspace would never apply it). When the entry was valid up
 * to this call and the path is normal, that string is the entry's cwd + path + '/' (or
 * path + '/' for an absolute path), and the kernel writes it now, with seq + 1, before the
 * process's next system call: a child forked right after the chdir (`cd dir && cc ...`) can then
 * inherit it long before falcod reads the record, and publishes the same string. Only for a
 * process's only thread, whose entry nothing else changes meanwhile. A global function: the
 * verifier checks it, and its loop, once, not once per state of its caller. */
__noinline int fk_pf_chdir_follow(struct fk_scratch *s, long before)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (!s || before < 0 || t->pid != t->tgid || t->signal->nr_threads != 1)
		return 0;
	__u32 k = t->tgid, zero = 0;
	struct fk_pf_cwd *e = bpf_map_lookup_elem(&fk_pf_cwds, &k);
	struct fk_pf_cwd_buf *b = bpf_map_lookup_elem(&fk_pf_cwd_tmp, &zero);
	if (!e || !b)
		return 0;
	struct fk_pf_cwd *c = &b->v;
	__u64 birth = e->birth, len = e->len;
	__u32 seq = e->seq;
	/* valid up to this call: the count is one past it now */
	if (seq != (__u32)before || !fk_pf_cwd_valid(t, birth, seq + 1))
		return 0;
	/* the path parameter: after res (8 bytes), its length with the NUL */
	__u32 off = FK_HDR_SIZE + 2 * 2 + *(__u16 *)(s->buf + FK_HDR_SIZE);
	__u64 pn = *(__u16 *)(s->buf + FK_HDR_SIZE + 2);
	if (pn < 2 || off > FK_DATA_MAX)
		return 0;
	pn -= 1;
	const char *path = (const char *)fk_at(s, off);
	bool abs = path[0] == '/';
	__u64 at = abs ? 0 : len;       /* where the path goes: after the cwd, if relative */
	FK_BARRIER_VAR(pn);
	FK_BARRIER_VAR(at);
	if (pn > FK_PF_CWD_MAX - 1 || at > FK_PF_CWD_MAX - 1 || at + pn > FK_PF_CWD_MAX - 1 ||
	    !fk_path_normal(path, pn))
		return 0;
	if (at)
		bpf_probe_read_kernel(c->cwd, at, e->cwd);
	bpf_probe_read_kernel(c->cwd + at, pn, path);
	if (abs && pn == 1) {
		c->len = 1;     /* "/" */
	} else {
		c->cwd[(at + pn) & (FK_PF_CWD_MAX - 1)] = '/';
		c->len = at + pn + 1;
	}
	c->birth = birth;
	c->seq = seq + 1;
	if (fk_pf_cwd_same(e, birth, seq, len))
		bpf_map_update_elem(&fk_pf_cwds, &k, c, BPF_ANY);
	return 0;
}

/* The current task is a new process whose own clone exit record was submitted with time
 * stamp ts: its birth. An entry the kernel copied from the parent at fork (fk_sched_fork)
 * waits for it. */
static __always_inline void fk_pf_born(__u64 ts)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fk_pf_proc *p = bpf_task_storage_get(&fk_pf_procs, t, 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return;
	p->birth = ts;
	__u32 k = t->tgid;
	struct fk_pf_cwd *e = bpf_map_lookup_elem(&fk_pf_cwds, &k);
	if (e && e->birth == FK_PF_BIRTH_PENDING)
		e->birth = ts;
}

/* A successful open by the current task of the relative path at s->buf + noff (nlen bytes
 * with the NUL), against its cwd: when the task is its process's only thread (userspace
 * resolves against the opening thread's own cwd, which only the main thread's is sure to
 * follow every chdir of the process; and no other thread can chdir, and have its record
 * reach userspace first, between this check and the open's record) and the published cwd
 * is valid, cwd + path goes to s->pf_path for the type's filter. The entry is read again
 * after the copy: an update from userspace may have recycled it meanwhile. */
static __always_inline void fk_pf_resolve(struct fk_scratch *s, __u32 noff, __u64 nlen)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (t->pid != t->tgid || t->signal->nr_threads != 1 || nlen < 2 ||
	    nlen > FK_PF_PATH_MAX - 1)
		return;
	__u32 k = t->tgid;
	struct fk_pf_cwd *e = bpf_map_lookup_elem(&fk_pf_cwds, &k);
	if (!e)
		return;
	__u64 birth = e->birth, len = e->len;
	__u32 seq = e->seq;
	if (len == 0 || len > FK_PF_CWD_MAX || len + nlen > FK_PF_PATH_MAX ||
	    !fk_pf_cwd_valid(t, birth, seq))
		return;
	FK_BARRIER_VAR(len);
	FK_BARRIER_VAR(nlen);
	if (len > FK_PF_CWD_MAX || nlen > FK_PF_PATH_MAX)
		return;
	bpf_probe_read_kernel(s->pf_path, len, e->cwd);
	bpf_probe_read_kernel(s->pf_path + len, nlen, fk_at(s, noff));
	if (!fk_pf_cwd_same(e, birth, seq, len))
		return;
	s->pf_path_len = len + nlen;
}

/* Event types whose result is a new fd the state tables learn of. */
static __always_inline bool fk_pf_res_is_fd(__u32 type)
{
	switch (type) {
	case FK_EVENT_OPEN: case FK_EVENT_OPENAT: case FK_EVENT_OPENAT2: case FK_EVENT_CREAT:
	case FK_EVENT_OPEN_BY_HANDLE_AT: case FK_EVENT_SOCKET: case FK_EVENT_ACCEPT:
	case FK_EVENT_ACCEPT4: case FK_EVENT_DUP: case FK_EVENT_DUP2: case FK_EVENT_DUP3:
	case FK_EVENT_FCNTL: case FK_EVENT_MEMFD_CREATE: case FK_EVENT_USERFAULTFD:
	case FK_EVENT_BPF:
		return true;
	default:
		return false;
	}
}

static __always_inline bool fk_pf_is_open(__u32 type)
{
	return type == FK_EVENT_OPEN || type == FK_EVENT_OPENAT || type == FK_EVENT_OPENAT2 ||
	       type == FK_EVENT_CREAT;
}

/* --- normalized paths (docs/prefilter.md, "Normalized paths") --------------------------- */

#define FK_NORM_DEPTH 64        /* components kept at once; a deeper path stays undecided */

/* The lexical normalization userspace applies to a path (rt_path_push, Falco's
 * concatenate_paths), byte by byte through bpf_loop, in place: a component is copied
 * behind a '/' as it is read (never past what was read), then dropped again when it is "."
 * or "..", a ".." also dropping the component kept before it (never above the root); empty
 * components vanish. compiler/fc_prefilter.c's interpreter does the same (pf_normalize). */
struct fk_norm_walk {
	char *buf;
	__u32 n;                /* the path's length, without its NUL */
	__u32 o;                /* bytes written */
	__u32 cs;               /* where the current component's '/' went */
	__u32 clen, dots;       /* the current component's length, its leading dots */
	__u32 depth, bad;
	__u16 kept[FK_NORM_DEPTH];      /* where each kept component's '/' went */
};

static long fk_norm_step(__u64 i, void *ctx)
{
	struct fk_norm_walk *w = ctx;
	if (i > w->n || i >= FK_PF_PATH_MAX)
		return 1;
	char c = i < w->n ? w->buf[i & (FK_PF_PATH_BUF - 1)] : 0;
	if (c == '/' || c == 0) {
		/* the path ends at its first NUL, as the string userspace reads */
		long stop = c == 0;
		if (!w->clen)
			return stop;
		if (w->clen == w->dots && w->clen <= 2) {
			w->o = w->cs;
			if (w->clen == 2 && w->depth) {
				w->depth--;
				w->o = w->kept[w->depth & (FK_NORM_DEPTH - 1)];
			}
		} else if (w->depth < FK_NORM_DEPTH) {
			w->kept[w->depth & (FK_NORM_DEPTH - 1)] = w->cs;
			w->depth++;
		} else {
			w->bad = 1;
			return 1;
		}
		w->clen = w->dots = 0;
		return stop;
	}
	if (!w->clen) {
		w->cs = w->o;
		w->buf[w->o & (FK_PF_PATH_BUF - 1)] = '/';
		w->o++;
	}
	w->buf[w->o & (FK_PF_PATH_BUF - 1)] = c;
	w->o++;
	if (c == '.' && w->dots == w->clen)
		w->dots++;
	w->clen++;
	return 0;
}

/* The open record in s, whose filter found its path absolute but not normal: writes the
 * path userspace's fd.name will be to s->pf_path (from the resolved path when there is
 * one, else from the name parameter). False, with no path, when it cannot (too deep, not
 * absolute). A global function: the verifier checks it once. */
__noinline int fk_pf_normalize_path(struct fk_scratch *s)
{
	if (!s)
		return 0;
	struct fk_event_hdr *h = (void *)s->buf;
	__u32 type = h->type, n = s->pf_path_len;
	if (n) {
		n -= 1;
	} else {
		if (!fk_pf_is_open(type) || type >= FK_EVENT_COUNT)
			return 0;
		/* the name: the second parameter, the third after a dirfd */
		__u32 np = fk_nparams[type];
		const __u16 *plen = (const __u16 *)(s->buf + FK_HDR_SIZE);
		bool at = type == FK_EVENT_OPENAT || type == FK_EVENT_OPENAT2;
		__u32 off = FK_HDR_SIZE + 2 * (np & (FK_MAX_PARAMS - 1)) + plen[0] +
			    (at ? plen[1] : 0);
		__u64 len = at ? plen[2] : plen[1];
		FK_BARRIER_VAR(len);
		if (len < 2 || len > FK_PF_PATH_MAX || off > FK_DATA_MAX)
			return 0;
		bpf_probe_read_kernel(s->pf_path, len, fk_at(s, off));
		n = len - 1;
	}
	if (n == 0 || n >= FK_PF_PATH_MAX || s->pf_path[0] != '/')
		goto fail;
	/* 0, but read back from memory: the verifier checks a bpf_loop callback again while its
	 * states change, and with counters that start as constants they change at every byte
	 * ("BPF program is too large"); as unknown values they meet at once */
	s->pf_normalized = 1;
	__u32 z = *(volatile __u32 *)&s->pf_normalized - 1;
	struct fk_norm_walk w = { .buf = s->pf_path, .n = n, .o = z, .cs = z, .clen = z,
				  .dots = z, .depth = z, .bad = z };
	bpf_loop(n + 1, fk_norm_step, &w, 0);
	if (w.bad || w.o >= FK_PF_PATH_MAX)
		goto fail;
	if (!w.o)
		s->pf_path[w.o++] = '/';
	s->pf_path[w.o & (FK_PF_PATH_BUF - 1)] = 0;
	s->pf_path_len = w.o + 1;
	return 1;
fail:
	s->pf_path_len = 0;
	return 0;
}

/* --- submit ---------------------------------------------------------------------------- */

/* Sends the record built in s to the ring buffer, without waking the reader unless more than
 * fk_wake_bytes (half the ring) are waiting: a wakeup per event costs more than the event.
 * The reader polls on a timer and is woken early only when the ring fills up.
 *
 * PREFILTER HOOK. The per-syscall filter programs the compiler generates (docs/capture-bpf.md)
 * sit here, between "event built in the scratch buffer" and "event submitted": the handler
 * will tail-call fk_prefilters[type] with the record complete in fk_scratch_map (len set);
 * the filter reads the parameters from there and either tail-calls fk_submit_prog (keep) or
 * returns (drop). A missing filter program makes the tail call fall through to the submit
 * below, so no filter means keep everything. Whether the record went into the ring. */
static __always_inline bool fk_submit_ok(struct fk_scratch *s)
{
	struct fk_event_hdr *h = (void *)s->buf;
	__u32 len = s->off;
	if (len > FK_BUF_SIZE - 1)
		return false;
	__u64 id = bpf_get_current_pid_tgid();
	h->ts_ns = bpf_ktime_get_boot_ns() + fk_boot_to_wall;
	h->tid = (__u32)id;
	h->tgid = id >> 32;
	h->len = len;
	/* "R3 unbounded memory access, use 'var &= const' or 'if (var < const)'" when clang
	 * drops the mask below, knowing len < FK_BUF_SIZE already. */
	FK_BARRIER_VAR(len);
	__u64 flags = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&fk_events, BPF_RB_AVAIL_DATA) > fk_wake_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bool ok = bpf_ringbuf_output(&fk_events, s->buf, len & FK_BUF_MASK, flags) >= 0;
	fk_count(ok ? FK_CNT_EVENTS : FK_CNT_DROPS);
	/* an fd userspace now knows of is no longer one whose open was dropped */
	if (fk_pf_active && h->res >= 0 && fk_pf_res_is_fd(h->type)) {
		__sync_fetch_and_add(&fk_pf_fd_gen[(__u32)h->res & (FK_PF_GEN_SLOTS - 1)], 1);
		fk_pf_take(h->res);
	}
	return ok;
}

/* fk_submit_ok, for the handlers' tail position. */
static __always_inline int fk_submit(struct fk_scratch *s)
{
	fk_submit_ok(s);
	return 0;
}

/* A close the state tables need: a successful close of an fd whose open was not dropped
 * (the entry of a dropped open leaves the set here). */
static __always_inline __u32 fk_pf_close_need(struct fk_scratch *s, struct task_struct *t,
					      __s64 fd, __s64 res)
{
	if (!fk_pf_active || res != 0)
		return 0;
	if (fk_pf_pending_take(s, t, fd))
		return 0;
	return fk_pf_take(fd) ? 0 : 1;
}

/* Whether a record of type with state need `need` is dropped before it is built: what the
 * type's prefilter would decide on the finished record (pf_need 0, no rule: drop), counted
 * the same; fk_pf_drop's bookkeeping concerns opens only, which never come here. */
static __always_inline bool fk_pf_early_drop(__u32 type, __u32 need)
{
	if (!fk_pf_active || need || type >= FK_EVENT_COUNT || !fk_pf_state_only[type])
		return false;
	fk_count(FK_CNT_PF_DROPPED);
	return true;
}

/* The record in s is complete: submit it, through the prefilter of its type when one is
 * loaded (tail call; an empty slot falls through to the submit). */
static __always_inline int fk_submit_pf(void *ctx, struct fk_scratch *s)
{
	if (fk_pf_active) {
		struct fk_event_hdr *h = (void *)s->buf;
		__u32 len = s->off;
		if (len > FK_BUF_SIZE - 1)
			return 0;
		h->len = len;
		bpf_tail_call(ctx, &fk_prefilters, s->type);
	}
	return fk_submit(s);
}

/* The same for a record whose type is a compile-time constant (the open handler's copies):
 * the tail call's key is then a constant, which the x86-64 JIT turns into a direct jump
 * patched when the slot changes, instead of an indirect one through a retpoline
 * (bpf_tail_call_static; docs/prefilter.md, "Cost"). */
static __always_inline int fk_submit_pf_type(void *ctx, struct fk_scratch *s, const __u32 type)
{
	if (fk_pf_active) {
		struct fk_event_hdr *h = (void *)s->buf;
		__u32 len = s->off;
		if (len > FK_BUF_SIZE - 1)
			return 0;
		h->len = len;
		bpf_tail_call_static(ctx, &fk_prefilters, type);
	}
	return fk_submit(s);
}

/* Whether the current task's events are to be dropped before any work: the daemon itself,
 * and 32-bit (ia32) syscalls, whose numbers are not x86_64 numbers. */
static __always_inline bool fk_skip_current(struct task_struct *t)
{
	if (fk_ignore_tgid && t->tgid == fk_ignore_tgid)
		return true;
	return t->thread_info.status & FK_TS_COMPAT;
}

#endif /* FK_CORE_BPF_H */
