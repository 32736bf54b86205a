/* SPDX-License-Identifier: Apache-2.0 */
/* fk_capture.h - the few constants the capture programs (fk_syscalls.bpf.c) and their loader
 * (runtime/rt_bpf.c) agree on besides the event records: map sizes, the encoding of the
 * interesting-syscalls map and the counter indexes. Event layouts belong in fk_shared.h,
 * not here. */
#ifndef FK_CAPTURE_H
#define FK_CAPTURE_H

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
#define FK_PF_NEED_OFF (64 * 1024 + 16)
/* After it, four __u32 the filter itself uses (values it computes once and reloads: a map
 * load gives the verifier an unknown value, which keeps its states few). */
#define FK_PF_TMP_WORDS 4

#endif /* FK_CAPTURE_H */
