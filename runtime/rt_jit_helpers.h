/* SPDX-License-Identifier: Apache-2.0 */
/* rt_jit_helpers.h - the runtime side of the JIT's ABI: the C functions generated code calls
 * (their names and signatures are listed once, in FC_JIT_HELPERS of compiler/backend/fc_jit.h;
 * the prototypes here must match), the table of their addresses the JIT is given, and the set
 * up of a predicate's env for the event in an interpreter context. As PostgreSQL's
 * llvmjit_types.c, this is the one place generated code and the runtime meet; lowering
 * decisions belong to fc_jit.c, operator semantics to rt_eval.c. */
#ifndef RT_JIT_HELPERS_H
#define RT_JIT_HELPERS_H

#include <stdbool.h>
#include <stdint.h>
#include "compiler/fc.h"
#include "runtime/rt_ctx.h"

/* The interpreter's verdict on one check node (rt_eval on it), for checks without a fast
 * path and values of an unexpected kind. env->rt is the struct rt_ctx. */
bool rt_jit_check(struct fc_jit_env *env, const struct fc_node *n);
/* Extracts field expression e (through the interpreter's cache) into env->slots[slot] for the
 * current event: kind, string and length up to the first NUL, or number. */
void rt_jit_fill(struct fc_jit_env *env, int32_t slot, const struct fc_expr *e);
/* s[0..len) is an entry of tab (n entries, sorted as fc_jit.h says). */
bool rt_jit_str_in(const char *s, uint64_t len, const struct fc_jit_strent *tab, uint64_t n);
/* pmatch: s[0..len) equals an entry of tab or lies under one, on whole path components. tab
 * holds the prefixes without their trailing slashes, sorted as for rt_jit_str_in; an empty
 * entry (a prefix of only slashes) matches any absolute path. */
bool rt_jit_pmatch(const char *s, uint64_t len, const struct fc_jit_strent *tab, uint64_t n);
/* An address of slot (FC_JIT_IP4/IP6) is in an entry of tab (n entries, fc_jit_netent):
 * `in` against a large list of addresses and networks. */
bool rt_jit_addr_in(const struct fc_jit_slot *slot, const struct fc_jit_netent *tab, uint64_t n);
/* needle (nl > 0 bytes) occurs in s[0..len). */
bool rt_jit_contains(const char *s, uint64_t len, const char *needle, uint64_t nl);

/* Every FC_JIT_HELPERS entry with its address, for fc_jit_compile, and a field-specific
 * fill (FC_JIT_FILL_PREFIX) for each field of RT_DIRECT_FIELDS (rt_ctx.h). */
extern const struct fc_jit_symbol rt_jit_helpers[];
extern const size_t rt_jit_nhelpers;

/* The event's enum fc_evttype as predicates take it: -1 for a name outside the table, -2
 * when c has no event. */
int32_t rt_jit_evt(struct rt_ctx *c);
/* Points env at c for the event rt_ctx_begin just set (slots must hold the JIT's count). */
static inline void rt_jit_env_begin(struct fc_jit_env *env, struct rt_ctx *c)
{
	env->gen = c->gen;
	env->rt = c;
}

#endif /* RT_JIT_HELPERS_H */
