/* SPDX-License-Identifier: Apache-2.0 */
/* rt_bpf.h - the eBPF capture: loads the kernel side (bpf/fk_syscalls.bpf.c) through its
 * libbpf skeleton, chooses which syscalls the kernel captures, and hands the event records of
 * the ring buffer to a callback, in batches. Also the x86_64 syscall table (numbers, names).
 * No decoding, state or rules here: records are passed on as the kernel wrote them (except
 * that GENERIC events get their ID, the syscall's name, filled in). See docs/capture-bpf.md. */
#ifndef RT_BPF_H
#define RT_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpf/fk_shared.h"

struct rt_bpf;

struct rt_bpf_opts {
	/* [FK_EVENT_COUNT], borrowed for the call: the event types to capture. NULL: every type
	 * the kernel side builds, procexit included, GENERIC excluded. types[FK_EVENT_GENERIC]
	 * captures every other syscall as a GENERIC event (costly: futex, epoll_wait, ...);
	 * a wanted type without a kernel handler is captured as GENERIC too. */
	const bool *types;
	/* [FK_MAX_SYSCALLS], borrowed for the call, or NULL: syscalls (by x86_64 number) to
	 * capture as GENERIC events although their event type is not in types, for syscalls
	 * without an event type of their own that rules name (evt.type = prctl). Kept for
	 * rt_bpf_set_types. */
	const bool *syscalls;
	uint32_t ignore_tgid;   /* a process whose events the kernel drops (falcod itself); 0: none */
	uint32_t ringbuf_bytes; /* ring buffer size; 0: 8 MiB; rounded up to a power of two */
};

struct rt_bpf_stats {
	uint64_t events;        /* records the kernel submitted */
	uint64_t drops;         /* records lost because the ring buffer was full */
	uint64_t no_handler;    /* interesting syscalls without a handler (tail call failed) */
	uint64_t delivered;     /* records passed to rt_bpf_poll's callback */
	uint64_t pf_kept;       /* records a prefilter program kept (docs/prefilter.md) */
	uint64_t pf_dropped;    /* records a prefilter program dropped in the kernel */
};

/* Whether capture can work here: 0, or -EPERM (not root) / -ENOTSUP (no BTF, no eBPF
 * tracing or ring buffer) with the reason in err. Prints nothing. */
int rt_bpf_probe(char *err, size_t errlen);

/* Loads, configures and attaches the capture. On success *out owns the programs, maps and
 * links (rt_bpf_free). On failure returns -errno with a message in err; when the kernel
 * rejected a program, the message ends with the tail of the verifier's log (give ~16 KiB).
 * libbpf's messages never reach stderr. */
int rt_bpf_open(struct rt_bpf **out, const struct rt_bpf_opts *opts, char *err, size_t errlen);

/* Changes the captured event types while attached (same meaning as opts->types). */
int rt_bpf_set_types(struct rt_bpf *b, const bool *types);

/* Waits up to timeout_ms for records (0: don't wait, -1: forever) and passes every record
 * available to fn, oldest first. rec is valid during the call only; rec->len bytes. The kernel
 * wakes the reader only when the ring is half full, so with a quiet ring the wait lasts the
 * whole timeout: it bounds the latency. fn returns 0 to go on; non-zero stops the batch and
 * is returned. Otherwise returns the number of records, or -errno. */
int rt_bpf_poll(struct rt_bpf *b, int timeout_ms,
		int (*fn)(const struct fk_event_hdr *rec, void *ctx), void *ctx);

void rt_bpf_get_stats(struct rt_bpf *b, struct rt_bpf_stats *st);

/* Loads the generated prefilters (compiler/fc_prefilter.h) of the event types in types (same
 * meaning as rt_bpf_opts.types; NULL: every program) into the capture and turns them on. All
 * or nothing: on failure nothing is plugged in, and err names the event type and ends with
 * the verifier's log. Returns the number of programs loaded, or -errno. */
struct fc_prefilter;
int rt_bpf_load_prefilter(struct rt_bpf *b, const struct fc_prefilter *pf, const bool *types,
			  char *err, size_t errlen);
/* Turns the loaded prefilters off (every record is submitted) or back on. */
void rt_bpf_prefilter_enable(struct rt_bpf *b, bool on);
/* Publishes the cwd the state resolves process tgid's relative paths against, for the
 * kernel to resolve them the same way (fk_pf_cwds; docs/prefilter.md, "Relative paths"):
 * birth is the ts_ns of the process's own clone exit record (0: made by the /proc scan),
 * seq the successful chdir/fchdir records applied to it since. A NULL cwd, or one the
 * kernel cannot use (not absolute, not ending in '/', longer than FK_PF_CWD_MAX), removes
 * the entry, as rt_bpf_pf_cwd_forget does. Queued, the last change of each process wins:
 * rt_bpf_poll writes them before and after each round (rt_bpf_pf_cwd_flush). 0 or -ENOMEM. */
int rt_bpf_pf_cwd_publish(struct rt_bpf *b, uint32_t tgid, uint64_t birth, uint32_t seq,
			  const char *cwd);
void rt_bpf_pf_cwd_forget(struct rt_bpf *b, uint32_t tgid);
void rt_bpf_pf_cwd_flush(struct rt_bpf *b);

/* Detaches and frees everything; NULL is fine. */
void rt_bpf_free(struct rt_bpf *b);

/* The x86_64 syscall table, from the kernel headers at build time. */
const char *rt_bpf_syscall_name(unsigned nr);   /* NULL if unknown */
int rt_bpf_syscall_nr(const char *name);        /* -1 if unknown */
/* The event type the kernel builds for syscall nr (FK_EVENT_GENERIC if none of its own). */
unsigned rt_bpf_syscall_event(unsigned nr);
/* Whether the kernel side builds events of type itself (else they come as GENERIC). */
bool rt_bpf_has_handler(unsigned type);

#endif /* RT_BPF_H */
