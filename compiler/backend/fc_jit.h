/* SPDX-License-Identifier: Apache-2.0 */
/* fc_jit.h - rule conditions as native code: the LLVM JIT backend behind one compile call,
 * as PostgreSQL's jit.c puts its provider behind one interface. No LLVM type appears here;
 * only backend/fc_jit*.c include LLVM headers.
 *
 * The compiler library does not depend on the runtime. Generated code reaches the runtime
 * through helpers (FC_JIT_HELPERS below, the one declaration of their names and signatures;
 * runtime/rt_jit_helpers.h gives their C prototypes) whose addresses the caller passes in, and
 * through the ABI structs below, which the runtime fills. Which checks get a fast path and how
 * they are lowered is docs/jit.md. */
#ifndef FC_JIT_H
#define FC_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fc_node;

/* One field value as the generated code reads it: a per-event cache slot for each distinct
 * field expression (field and argument) of the compiled ruleset, filled on first use in an
 * event by the fill helper. ABI between generated code and runtime: layout is fixed. */
enum fc_jit_kind {
	FC_JIT_NA = 0,    /* no value: every check on it is false */
	FC_JIT_STR = 1,   /* s, v = length up to the first NUL (strings compare as C strings) */
	FC_JIT_U64 = 2,   /* v (booleans are 0 and 1) */
	FC_JIT_S64 = 3,   /* (int64_t)v */
	FC_JIT_OTHER = 4, /* any other value (lists, networks, doubles, bytes): generic check */
	/* An address field (fd.ip, fd.sip, fd.net, ...) holding IPv4 or IPv6 addresses: n is how
	 * many (1, or 2 for the either-end fields fd.ip and fd.net: client then server), each in
	 * network byte order. A check passes when it passes for any of them. */
	FC_JIT_IP4 = 5, /* address i is the 4 bytes at ((const char *)&v)[4 * i] */
	FC_JIT_IP6 = 6, /* address i is the 16 bytes at s + 16 * i (valid for the event) */
};

struct fc_jit_slot {
	uint64_t gen;  /* == fc_jit_env.gen when filled for the current event */
	int32_t kind;  /* enum fc_jit_kind */
	uint32_t n;    /* FC_JIT_IP4/IP6: the number of addresses (1 or 2); else 0 */
	const char *s;
	uint64_t v;
};
_Static_assert(sizeof(struct fc_jit_slot) == 32, "fc_jit_slot is ABI");

/* What a predicate is called with. The runtime owns it and bumps gen for each event. */
struct fc_jit_env {
	uint64_t gen;
	struct fc_jit_slot *slots; /* fc_jit_slot_count() of them */
	void *rt;                  /* the runtime's evaluation context, for the helpers */
};

/* An entry of the sorted string tables `in` lists become: sorted by memcmp over the shorter
 * length, then by length (as rt_eval.c orders its string sets). */
struct fc_jit_strent {
	const char *s;
	uint64_t len;
};

/* An entry of the network tables that large `in` lists of addresses become (rt_jit_addr_in):
 * an address of the slot's kind (family 4: FC_JIT_IP4, 6: FC_JIT_IP6) is in the entry when its
 * first `bits` bits are addr's (addr is masked to them; IPv4 uses addr[0..4)). Sorted by
 * family, then bits, then address, duplicates dropped. */
struct fc_jit_netent {
	uint8_t addr[16];
	uint32_t family;
	uint32_t bits;
};
_Static_assert(sizeof(struct fc_jit_netent) == 24, "fc_jit_netent is ABI");

/* The helpers generated code calls: X(name, signature). A signature is the return type, ':'
 * and the parameter types, each one letter: v void, b bool, i int32, l int64, p pointer. */
#define FC_JIT_HELPERS(X)                                                                          \
	X(rt_jit_check, "b:pp")   /* (env, check node): the interpreter's verdict for one check */ \
	X(rt_jit_fill, "v:pip")   /* (env, slot, field expr): extract into env->slots[slot] */     \
	X(rt_jit_str_in, "b:plpl") /* (s, len, table, n): s is in the sorted table */               \
	X(rt_jit_contains, "b:plpl") /* (s, len, needle, needle len): memmem */                    \
	X(rt_jit_pmatch, "b:plpl") /* (s, len, table, n): s is a table entry or lies under one */ \
	X(rt_jit_addr_in, "b:ppl") /* (slot, table, n): an address of the slot is in an entry */

/* Optional helpers: a fill for one field, with rt_jit_fill's signature, named this prefix and
 * the field's FC_FIELD_ suffix ("rt_jit_fill_PROC_NAME"). When the caller passes one, the
 * code fills that field's slots through it instead of rt_jit_fill: a direct call to code
 * that does not dispatch on the field. */
#define FC_JIT_FILL_PREFIX "rt_jit_fill_"

/* A helper's address, by name, as the caller resolves it. */
struct fc_jit_symbol {
	const char *name;
	const void *addr;
};

/* A compiled predicate: the condition's verdict on the current event. evt is the event's
 * enum fc_evttype, -1 when its name is none of them, -2 when it has no type (no event). */
typedef bool (*fc_jit_pred)(struct fc_jit_env *env, int32_t evt);

/* The optimisation level when the caller does not choose. Measured on the upstream rules
 * (docs/jit.md, bench_jit): level 1 (mem2reg, instcombine, simplifycfg, then the
 * SelectionDAG instruction selector at codegen level Less) runs as fast as O2/O3 and clearly
 * faster than O0 (no passes, fast instruction selection: values live on the stack), and with
 * one module per CPU it compiles the whole upstream ruleset in about half a second on 2
 * cores. */
#define FC_JIT_DEFAULT_OPT 1

struct fc_jit_options {
	int opt_level; /* 0: no IR passes, fast isel; 1: a light function pipeline (mem2reg,
			* instcombine, simplifycfg) and codegen at Less; 2, 3: default<O2>,
			* default<O3> and codegen at that level; <0: the default (see fc_jit.c) */
	int threads;   /* compile threads (one module each); <= 0: one per online CPU */
	/* Code compiled ahead of time for the same conditions (fc_jit_emit's blob): linked
	 * instead of generating code. fc_jit_compile fails (and the caller can compile) when the
	 * blob is not for these conditions, this lowering or this host. */
	const void *objects;
	size_t objects_len;
};

struct fc_jit;

/* Compiles the n conditions (checked, expanded ASTs, borrowed: they must outlive the JIT)
 * into one module, optimises it and emits native code through an ORC LLJIT. helpers must
 * name every FC_JIT_HELPERS entry, and may add field fills (FC_JIT_FILL_PREFIX). Returns NULL with a message in err when LLVM cannot be
 * set up or a condition cannot be compiled: callers then interpret. */
struct fc_jit *fc_jit_compile(const struct fc_node *const *conds, size_t n,
			      const struct fc_jit_symbol *helpers, size_t nhelpers,
			      const struct fc_jit_options *o, char *err, size_t errlen);
/* Compiles the n conditions ahead of time, as fc_jit_compile would at opt_level, into a blob
 * of relocatable objects for this architecture's baseline CPU (FC_JIT_PORTABLE_CPU in
 * fc_jit.c), in a fixed number of modules: the same conditions give the same bytes on any
 * machine. It records a fingerprint of what the code refers to by name (checks, fields,
 * shared subtrees, slots), which fc_jit_compile checks before linking it. Needs no helpers.
 * 0 with *out malloc'ed, or -1 with a message in err. */
int fc_jit_emit(const struct fc_node *const *conds, size_t n, int opt_level, uint8_t **out,
		size_t *len, char *err, size_t errlen);
/* The rules whose conditions a bundle's native code is compiled for, in this order: every
 * valid, not skipped syscall rule with a condition, enabled or not, in ruleset order (so
 * that enabling or disabling rules at load time needs no other code). out, when not NULL,
 * receives them; returns their number. */
struct fc_ruleset;
struct fc_rule;
size_t fc_jit_ruleset_rules(const struct fc_ruleset *rs, const struct fc_rule **out);
/* The predicate of conds[i]. */
fc_jit_pred fc_jit_get(const struct fc_jit *j, size_t i);
/* How many fc_jit_slot the env of this JIT's predicates must have (zeroed before use). */
size_t fc_jit_slot_count(const struct fc_jit *j);
/* Time spent building IR, optimising and emitting code, in seconds. */
double fc_jit_compile_seconds(const struct fc_jit *j);
/* Releases the code and the LLJIT. NULL is fine. */
void fc_jit_free(struct fc_jit *j);

/* Writes the IR of one condition, as the function `name`, to out: optimised at opt_level,
 * or as lowered with opt_level 0. Needs no helpers: nothing is executed. Returns 0, or -1
 * with a message in err. */
int fc_jit_dump_ir(const struct fc_node *cond, const char *name, int opt_level, FILE *out,
		   char *err, size_t errlen);

#endif /* FC_JIT_H */
