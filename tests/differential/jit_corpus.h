/* SPDX-License-Identifier: Apache-2.0 */
/* jit_corpus.h - a generated event stream for checking and timing the JIT against the
 * interpreter: event types, parameters and process identities drawn both at random and from
 * the literals the rules themselves contain (collected per field by walking their checked
 * ASTs), so that conditions come out true, false and borderline (a literal with a byte more or
 * less, a neighbouring number, an address next to a network's edge). Deterministic for a seed.
 * Test and benchmark code only: aborts on OOM. */
#ifndef JIT_CORPUS_H
#define JIT_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include "compiler/fc.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

struct jc_gen;

/* A generator over the literals of rules[0..n) (borrowed; their ASTs must be checked). */
struct jc_gen *jc_gen_new(const struct fc_rule *const *rules, size_t n, uint64_t seed);
void jc_gen_free(struct jc_gen *g);
/* Adds users and a process tree named after the literals to st. */
void jc_gen_seed_state(struct jc_gen *g, struct rt_state *st);
/* The next event record; valid until the next call. */
const struct fk_event_hdr *jc_gen_next(struct jc_gen *g);
/* Also draws addresses at the edges of the rules' networks (first, last, one before, one
 * after), IPv4-mapped IPv6 forms of IPv4 literals and the IPv4 of mapped ones (diff_jit).
 * Off by default, so the stream bench_jit measures stays the same. */
void jc_gen_set_addr_edges(struct jc_gen *g, bool on);
/* How many distinct literals were collected. */
size_t jc_gen_literal_count(const struct jc_gen *g);

#endif /* JIT_CORPUS_H */
