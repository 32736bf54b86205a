/* SPDX-License-Identifier: Apache-2.0 */
/* fc_prefilter.h - the eBPF prefilter backend: from the checked ruleset, per captured event
 * type, the part of every rule's condition the kernel can decide on the finished record
 * (event type, return value, open flags, the opened path or the absolute path the kernel
 * resolved a relative one to, fd number and type of an open), everything else counted as
 * "maybe" (three-valued, Kleene), lowered to one eBPF program per event type by a direct
 * emitter (struct bpf_insn). A program keeps an event when some rule may match it or the
 * state tables need it, and drops it otherwise. See docs/prefilter.md.
 *
 * The programs are BPF_PROG_TYPE_TRACING (tp_btf/sys_exit) tail-call targets of the capture
 * handlers (bpf/fk_core.bpf.h, fk_submit_pf). They reference maps only through
 * BPF_PSEUDO_MAP_IDX: fd_array[FC_PF_MAP_SCRATCH] is fk_scratch_map and
 * fd_array[FC_PF_MAP_EXITS] the prog array fk_pf_exits, so the bytes are relocation-free and
 * the same bytes run in fc_pf_run (a userspace interpreter for exactly the instructions the
 * emitter uses), which the soundness tests use. */
#ifndef FC_PREFILTER_H
#define FC_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/bpf.h>
#include "compiler/fc.h"
#include "compiler/fc_rules.h"

#define FC_PF_MAP_SCRATCH 0 /* fd_array index: fk_scratch_map */
#define FC_PF_MAP_EXITS 1   /* fd_array index: fk_pf_exits (0: keep/submit, 1: drop) */
#define FC_PF_NMAPS 2

/* Why an event type has no program (every event of it is kept). */
enum fc_pf_keep_reason {
	FC_PF_FILTERED = 0,     /* a program decides */
	FC_PF_KEEP_STATE,       /* the state tables need every event of this type */
	FC_PF_KEEP_RULE,        /* some rule may match every event of this type */
	FC_PF_KEEP_FD_STATE,    /* an fd-creating event whose fds rules read on other events */
	FC_PF_KEEP_NO_HANDLER,  /* not built by the capture (GENERIC, enter events, ...) */
};

struct fc_pf_prog {
	unsigned type;                  /* enum fk_event_type */
	enum fc_pf_keep_reason keep;    /* FC_PF_FILTERED: insns are the program */
	struct bpf_insn *insns;
	uint32_t ninsns;
	char *cond;                     /* the simplified condition, as text (dump) */
	unsigned nrules;                /* rules that may match this type */
	const char *why;                /* for KEEP_RULE/KEEP_FD_STATE: the rule's name */
};

struct fc_prefilter {
	struct fc_pf_prog *progs;       /* one per enum fk_event_type, index = type */
	unsigned nprogs;                /* FK_EVENT_COUNT */
};

struct fc_pf_options {
	const char *only_rule;          /* NULL: every valid enabled syscall rule; else just this */
};

/* Builds the prefilters of the valid, enabled syscall rules of rs. NULL on OOM. */
struct fc_prefilter *fc_prefilter_build(const struct fc_ruleset *rs, const struct fc_pf_options *o);
void fc_prefilter_free(struct fc_prefilter *pf);

/* Whether program p keeps exactly the records the state tables ask for (pf_need) and drops
 * every other record of its type: no rule may match the type. Decided on the instructions
 * (they equal what the emitter gives for "no rule"), so it holds for programs read from a
 * bundle too. The capture then drops such records before building them
 * (rt_bpf_load_prefilter, docs/prefilter.md). */
bool fc_pf_is_state_only(const struct fc_pf_prog *p);

/* The text dump (`falcoc dump --bpf`): per event type with a program or a reason, the
 * simplified condition and the instructions. all: also the types kept for state/no handler. */
void fc_prefilter_dump(const struct fc_prefilter *pf, FILE *out, bool all);
/* One instruction as text ("r1 = *(u16 *)(r7 + 28)"). */
void fc_pf_insn_str(const struct bpf_insn *insns, uint32_t n, uint32_t i, char *buf, size_t cap);

/* The programs as one blob (for the bundle's FC_BUNDLE_SEC_PREFILTER section, or in memory):
 * "FCPF" u32 version, u32 count, then per program: u16 type, u16 keep, u32 ninsns, insns.
 * Little endian, deterministic. fc_prefilter_from_blob checks every length; NULL + err. */
int fc_prefilter_blob(const struct fc_prefilter *pf, uint8_t **out, size_t *len);
struct fc_prefilter *fc_prefilter_from_blob(const void *data, size_t len, char *err, size_t errlen);
/* The version a blob says it has, or -1 when it does not start like one (magic, length);
 * FC_PF_BLOB_VERSION is what fc_prefilter_from_blob reads. A blob of another version is not
 * damaged, only made for other kernel-side programs: the loader rebuilds the prefilters. */
/* 2: four scratch words (TMP_DOT); 3: fcntl filtered; 4: relative paths resolved by the
 * kernel (FK_PF_PATH_*), six scratch words; 5: paths that are not normal normalized by the
 * kernel (FK_PF_EXIT_NORMALIZE, FK_PF_NORM_OFF) */
#define FC_PF_BLOB_VERSION 5u
long fc_prefilter_blob_version(const void *data, size_t len);

/* Runs program insns in userspace on a record as the kernel would see it in the scratch
 * buffer, with pf_need (the state-need flag the capture handler computed) and path (borrowed,
 * NUL-terminated, or NULL): the absolute path the kernel resolved a relative open to
 * (FK_PF_PATH_OFF, bpf/fk_capture.h), which the program then reads instead of the name
 * parameter. A path longer than FK_PF_PATH_MAX with its NUL is left out, as the kernel does.
 * A tail call to slot 2 (FK_PF_EXIT_NORMALIZE) does what fk_pf_normalize does: the path
 * normalized into that area, and the program again from the top.
 * Returns 1 (keep: tail call to slot 0), 0 (drop: tail call to slot 1), or -1 with a message
 * in err for anything the interpreter does not know or an access outside the scratch value /
 * stack (the kernel verifier would reject it). */
int fc_pf_run(const struct bpf_insn *insns, uint32_t n, const void *rec, size_t len,
	      uint32_t pf_need, const char *path, char *err, size_t errlen);

/* Shorthand: whether the prefilter keeps record rec (types without a program: yes); path as
 * for fc_pf_run. */
bool fc_prefilter_keeps(const struct fc_prefilter *pf, const void *rec, size_t len,
			uint32_t pf_need, const char *path);

#endif /* FC_PREFILTER_H */
