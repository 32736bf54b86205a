/* SPDX-License-Identifier: Apache-2.0 */
/* rt_ctx.h - internal to the interpreter (rt_eval.c, rt_extract.c, rt_output.c): the
 * evaluation context with its per-event value cache and scratch arena, and the table of
 * constants prepared once per check node. Programs use rt_engine.h; unit tests include this
 * to evaluate conditions on hand-built events without an engine. Nothing here knows rules
 * or dispatch. */
#ifndef RT_CTX_H
#define RT_CTX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "runtime/rt_engine.h"

#define RT_CACHE_SLOTS 256 /* direct-mapped, keyed by the fc_expr pointer */

struct rt_cache_slot {
	const struct fc_expr *e;
	uint64_t gen;
	int rc;
	struct rt_value v;
};

/* Scratch memory: chunks kept across events and rewound at each event, so the steady state
 * allocates nothing. */
struct rt_chunk {
	struct rt_chunk *next;
	size_t cap, used;
	char data[];
};

struct rt_prep_table;
struct rt_k8s_event;

struct rt_ctx {
	struct rt_state *state;    /* borrowed */
	struct rt_event *ev;       /* borrowed: the event being evaluated */
	const struct rt_k8s_event *k8s; /* borrowed: ev's audit event (k8s_audit source), or
					 * NULL; rt_ctx_begin clears it */
	uint64_t gen;              /* bumped per event: invalidates the cache */
	uint64_t first_ts;         /* first event seen (evt.reltime) */
	uint64_t prev_ts, last_ts; /* previous and current event (evt.deltatime) */
	struct rt_cache_slot cache[RT_CACHE_SLOTS];
	struct rt_chunk *chunks, *cur;
	struct rt_prep_table *prep; /* constants of checks, by node */
	bool own_prep;
};

/* A context over state s (borrowed) with its own constant table. */
void rt_ctx_init(struct rt_ctx *c, struct rt_state *s);
void rt_ctx_fini(struct rt_ctx *c);
/* Makes ev the current event: clears the cache and rewinds the scratch arena. */
void rt_ctx_begin(struct rt_ctx *c, struct rt_event *ev);

/* Scratch arena: valid until the next rt_ctx_begin. Aborts through rt_oom-like abort() on
 * OOM (the daemon cannot evaluate without memory). */
void *rt_ctx_alloc(struct rt_ctx *c, size_t n);
char *rt_ctx_strndup(struct rt_ctx *c, const char *s, size_t n);
char *rt_ctx_printf(struct rt_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growing string in the scratch arena. */
struct rt_sb {
	struct rt_ctx *c;
	char *s;
	size_t len, cap;
};
void rt_sb_init(struct rt_sb *b, struct rt_ctx *c);
void rt_sb_add(struct rt_sb *b, const char *s, size_t n);
void rt_sb_adds(struct rt_sb *b, const char *s);
void rt_sb_addc(struct rt_sb *b, char ch);
void rt_sb_printf(struct rt_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Constant tables (rt_eval.c): the engine builds one for all its rules; rt_eval prepares a
 * check it has not seen on first use. */
struct rt_prep_table *rt_prep_table_new(void);
void rt_prep_table_free(struct rt_prep_table *t);
/* Prepares every check of n now (engine build), so no event pays for it. */
void rt_prep_tree(struct rt_prep_table *t, const struct fc_node *n);

/* What rt_extract gives for a plain field expression (FC_EXPR_FIELD, no transformer), without
 * its per-event cache: for callers that keep values per event themselves (the JIT's slots,
 * rt_jit_fill). Other expressions are <NA>. */
int rt_extract_field(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out);
/* The fields rules read most, each with its own rt_extract_field (rt_extract_direct_F, for an
 * expression whose field is FC_FIELD_F), specialised at build time so that it dispatches on
 * nothing: the JIT calls these directly (rt_jit_helpers.c). The list is a measurement of the
 * upstream rules (docs/jit.md); any field may be added, nothing else depends on it. */
#define RT_DIRECT_FIELDS(X)                                                                       \
	X(CONTAINER_ID) X(CONTAINER_IMAGE_REPOSITORY) X(EVT_ARG) X(EVT_IS_OPEN_EXEC)               \
	X(EVT_IS_OPEN_READ) X(EVT_IS_OPEN_WRITE) X(EVT_NUM) X(EVT_RAWRES) X(FD_DIRECTORY)          \
	X(FD_FILENAME) X(FD_L4PROTO) X(FD_NAME) X(FD_NUM) X(FD_SOCKFAMILY) X(FD_SPORT) X(FD_TYPE)  \
	X(FD_TYPECHAR) X(PROC_ANAME) X(PROC_CMDLINE) X(PROC_CWD) X(PROC_EXE) X(PROC_EXEPATH)       \
	X(PROC_IS_EXE_FROM_MEMFD) X(PROC_NAME) X(PROC_PNAME) X(PROC_VPID) X(USER_LOGINUID)         \
	X(USER_NAME) X(USER_UID) X(FD_IP) X(FD_NET) X(FD_SIP) X(FD_CIP) X(FD_SNET) X(FD_CNET)     \
	X(FD_RNET)
#define X(F)                                                                                       \
	int rt_extract_direct_##F(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out);
RT_DIRECT_FIELDS(X)
#undef X

/* Text renderings shared by extraction and outputs (rt_extract.c). */
const char *rt_errno_name(int64_t err); /* "ENOENT", or NULL */
void rt_format_ip(char *buf, size_t len, uint8_t family, const uint8_t *addr);
/* The parsed form of a value for an IP field: "10.0.0.1" or "10.0.0.0/8". */
bool rt_parse_net(const char *s, struct rt_value *out);

/* The value of a hexadecimal digit, or -1. */
static inline int rt_hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

#endif /* RT_CTX_H */
