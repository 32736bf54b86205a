/* SPDX-License-Identifier: Apache-2.0 */
/* fk_capture.h - the few constants the capture programs (fk_syscalls.bpf.c) and their loader
 * (runtime/rt_bpf.c) agree on besides the event records: map sizes, the encoding of the
 * interesting-syscalls map and the counter indexes. Event layouts belong in fk_shared.h,
 * not here. */
#ifndef FK_CAPTURE_H
#define FK_CAPTURE_H

#include "bpf/fk_shared.h"       /* the __u32 family */

/* Syscall numbers at or above this are never captured (x86_64 has ~470; x32 numbers have bit
 * 30 set and fall outside). fk_interesting and fk_handlers have this many slots. */
#define FK_MAX_SYSCALLS 512

/* fk_interesting[nr] (__u32): 0 = not captured, else 1 + the enum fk_event_type the
 * syscall's handler builds (FK_EVENT_GENERIC for syscalls without an event of their own). */
#define FK_WANT(type) ((__u32)(type) + 1)
/* fk_interesting[nr] for pipe and pipe2 when not captured: no record, but the dispatcher
 * notes the two fds they make in the prefilters' fd set (fk_pf_note_pipe). */
#define FK_WANT_BOOKKEEP 0xffffffffu

/* Per-CPU counters (map fk_counters, __u64 each). */
enum fk_counter {
	FK_CNT_EVENTS = 0,      /* records submitted to the ring buffer */
	FK_CNT_DROPS,           /* records lost: bpf_ringbuf_output failed (buffer full) */
	FK_CNT_NO_HANDLER,      /* interesting syscall whose tail call failed (empty slot) */
	FK_CNT_PF_KEPT,         /* records a prefilter program kept */
	FK_CNT_PF_DROPPED,      /* records a prefilter program dropped (never submitted) */
	FK_CNT_COUNT
};

/* Prefilters (docs/prefilter.md). The programs the compiler generates (compiler/fc_prefilter.c)
 * are tail-called from the handlers through fk_prefilters[event type] once the record is
 * complete in the scratch buffer; they end in a tail call to fk_pf_exits[FK_PF_EXIT_KEEP]
 * (submit) or [FK_PF_EXIT_DROP]. They read the scratch value at fixed offsets: the record at
 * 0, and at FK_PF_NEED_OFF a __u32 the handler set when the state tables need the record
 * whatever the rules say (an open that made a directory fd, a close of an fd userspace
 * knows). */
#define FK_PF_EXIT_KEEP 0
#define FK_PF_EXIT_DROP 1
/* The filter found its path not normal ("//", a "." or ".." component, a trailing '/'), and
 * the kernel has not normalized it yet (the __u32 at FK_PF_NORM_OFF is 0): fk_pf_normalize
 * writes the path lexically normalized, as userspace's fd.name will be, to the resolved
 * path's area, sets that word, and runs the type's filter again. */
#define FK_PF_EXIT_NORMALIZE 2
#define FK_PF_EXITS 3
#define FK_PF_NEED_OFF (64 * 1024 + 16)
/* After it, six __u32 the filter itself uses (values it computes once and reloads: a map
 * load gives the verifier an unknown value, which keeps its states few). */
#define FK_PF_TMP_WORDS 6
/* Then a __u32 the kernel sets once it normalized the path (FK_PF_EXIT_NORMALIZE), and the
 * path a relative open resolves to, when the kernel knows the cwd userspace will resolve it
 * against (fk_pf_resolve; docs/prefilter.md, "Relative paths"), or the normalized path: at
 * FK_PF_PATH_LEN_OFF a __u32, its length with the NUL (0: none, the filter reads the name
 * parameter), at FK_PF_PATH_OFF its bytes, in an area of FK_PF_PATH_BUF bytes (the path is
 * at most FK_PF_PATH_MAX with its NUL; the rest is room for the filter's word loads past
 * the NUL). */
#define FK_PF_NORM_OFF (FK_PF_NEED_OFF + 4 + 4 * FK_PF_TMP_WORDS)
#define FK_PF_PATH_LEN_OFF (FK_PF_NORM_OFF + 4)
#define FK_PF_PATH_OFF (FK_PF_PATH_LEN_OFF + 4)
#define FK_PF_PATH_MAX 1024
#define FK_PF_PATH_BUF 2048

/* The cwd userspace resolves a process's relative paths against, as it last published it
 * or as the kernel derived it from what it published (map fk_pf_cwds, key: the tgid,
 * __u32). The kernel uses it for an open by a process's only thread, and only while the
 * process is the one the entry is for and has made exactly seq successful chdir/fchdir
 * calls (counted in task storage, fk_pf_procs): userspace then resolves that open against
 * these very bytes.
 * birth: the ts_ns of the process's own clone/fork/vfork exit record (the child's), or 0
 * for a process that was running when the capture started (the /proc scan), or
 * FK_PF_BIRTH_PENDING while an entry the kernel copied from the parent at fork waits for
 * the child's record. cwd: len bytes, absolute, ending in '/', no NUL. */
#define FK_PF_CWD_MAX 512
#define FK_PF_CWDS_MAX 16384
#define FK_PF_BIRTH_PENDING (~0ull)
struct fk_pf_cwd {
	__u64 birth;
	__u32 seq;
	__u32 len;
	char cwd[FK_PF_CWD_MAX];
};

#endif /* FK_CAPTURE_H */
