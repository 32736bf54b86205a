/* SPDX-License-Identifier: Apache-2.0 */
/* diff_jit.c - differential test of the JIT against the reference interpreter.
 *
 *   diff_jit [--events N] [--seed S] [--opt L] --set FILE... [--set FILE...]
 *
 * Each --set is a ruleset loaded as falcod would (files in order). Every valid syscall rule
 * with a condition is compiled by fc_jit_compile; then N events from the literal-driven
 * generator (jit_corpus.h) go through state, and on each event every rule the event type
 * can match (the engine's index, fc_evtset_of), and on every 16th event every rule, is
 * evaluated by rt_eval and by its JIT predicate, in alternating order. Any disagreement prints
 * the rule, its condition, the event (type and the value of every field the rule reads) and
 * both verdicts; the exit status is then 1. Prints per set the evaluations, how many were
 * true, and how many rules were seen both true and false. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/fc.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_jit_helpers.h"
#include "runtime/rt_state.h"
#include "tests/differential/jit_corpus.h"

#define MAX_REPORTS 10

struct idx {
	uint32_t *r;
	size_t n;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fields_print(struct rt_ctx *c, const struct fc_node *n, int depth)
{
	if (depth > 200)
		return;
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		fields_print(c, n->bin.l, depth + 1);
		fields_print(c, n->bin.r, depth + 1);
		return;
	case FC_NODE_NOT:
		fields_print(c, n->operand, depth + 1);
		return;
	case FC_NODE_CHECK: {
		const struct fc_expr *e = n->check.lhs;
		struct rt_value v;
		rt_extract(c, e, &v);
		const char *name = e->kind == FC_EXPR_FIELD ? e->field.name : e->xf.name;
		const char *arg = e->kind == FC_EXPR_FIELD && e->field.arg ? e->field.arg->s : NULL;
		fprintf(stderr, "    %s%s%s%s = ", name, arg ? "[" : "", arg ? arg : "",
			arg ? "]" : "");
		const char *s = rt_value_format(c, e, &v);
		fc_json_string(stderr, s);
		fprintf(stderr, " (kind %d)\n", (int)v.kind);
		return;
	}
	default:
		return;
	}
}

struct set_result {
	uint64_t evals, trues, mismatches;
	size_t rules, both;
};

static int run_set(struct fc_unit *u, const char *const *files, int nfiles, uint64_t nevents,
		   uint64_t seed, int opt, struct set_result *res)
{
	memset(res, 0, sizeof(*res));
	struct fc_ruleset *rs = fc_load_files(u, files, nfiles);
	if (!rs || fc_diag_count(u, FC_ERROR)) {
		fprintf(stderr, "diff_jit: %s does not load\n", files[0]);
		return 2;
	}
	const struct fc_rule **rules = calloc(rs->nrules + 1, sizeof(*rules));
	const struct fc_node **conds = calloc(rs->nrules + 1, sizeof(*conds));
	size_t n = 0;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (r->valid && !r->skipped && r->ast && r->src == FC_SRC_SYSCALL) {
			rules[n] = r;
			conds[n++] = r->ast;
		}
	}
	res->rules = n;
	char err[512];
	struct fc_jit_options jo = { .opt_level = opt };
	double t0 = now();
	struct fc_jit *j = fc_jit_compile(conds, n, rt_jit_helpers, rt_jit_nhelpers, &jo, err,
					  sizeof(err));
	if (!j) {
		fprintf(stderr, "diff_jit: JIT compile failed: %s\n", err);
		return 2;
	}
	double tc = now() - t0;
	struct idx by_evt[FC_EVT_COUNT + 1];
	memset(by_evt, 0, sizeof(by_evt));
	for (size_t i = 0; i < n; i++) {
		struct fc_evtset t, f;
		fc_evtset_of(rules[i]->ast, &t, &f);
		for (int k = 0; k <= FC_EVT_COUNT; k++) {
			bool in = k == FC_EVT_COUNT ? fc_evtset_count(&t) == FC_EVT_COUNT
						    : fc_evtset_has(&t, k);
			if (!in)
				continue;
			struct idx *x = &by_evt[k];
			x->r = realloc(x->r, (x->n + 1) * sizeof(*x->r));
			x->r[x->n++] = (uint32_t)i;
		}
	}
	uint8_t *seen = calloc(n + 1, 1); /* bit 0: seen false, bit 1: seen true */
	struct fc_jit_slot *slots = calloc(fc_jit_slot_count(j) + 1, sizeof(*slots));
	struct jc_gen *g = jc_gen_new(rules, n, seed);
	jc_gen_set_addr_edges(g, true);
	struct rt_state *st = rt_state_new();
	jc_gen_seed_state(g, st);
	struct rt_ctx ctx;
	rt_ctx_init(&ctx, st);
	for (size_t i = 0; i < n; i++)
		rt_prep_tree(ctx.prep, rules[i]->ast);
	struct fc_jit_env env = { .slots = slots };
	int rc = 0;
	double t1 = now();
	for (uint64_t e = 0; e < nevents; e++) {
		const struct fk_event_hdr *h = jc_gen_next(g);
		struct rt_event ev;
		char derr[128];
		if (rt_event_decode(&ev, h, h->len, derr, sizeof(derr)) != 0)
			continue;
		ev.num = e + 1;
		rt_state_pre(st, &ev);
		rt_ctx_begin(&ctx, &ev);
		rt_jit_env_begin(&env, &ctx);
		int32_t evt = rt_jit_evt(&ctx);
		bool all = e % 16 == 0;
		const struct idx *x = &by_evt[evt >= 0 ? evt : FC_EVT_COUNT];
		size_t cnt = all ? n : x->n;
		for (size_t q = 0; q < cnt; q++) {
			size_t i = all ? q : x->r[q];
			bool a, b;
			if (e & 1) {
				b = fc_jit_get(j, i)(&env, evt);
				a = rt_eval(&ctx, rules[i]->ast);
			} else {
				a = rt_eval(&ctx, rules[i]->ast);
				b = fc_jit_get(j, i)(&env, evt);
			}
			res->evals++;
			res->trues += a;
			seen[i] |= a ? 2 : 1;
			if (a == b)
				continue;
			res->mismatches++;
			rc = 1;
			if (res->mismatches > MAX_REPORTS)
				continue;
			fprintf(stderr,
				"MISMATCH rule '%s': interpreter %s, JIT %s\n  condition: %s\n"
				"  event #%" PRIu64 ": %s (type %u, evt index %d, tid %u)\n",
				rules[i]->name, a ? "true" : "false", b ? "true" : "false",
				fc_ast_unparse(u, rules[i]->ast), e + 1, rt_event_name(&ev),
				h->type, evt, h->tid);
			fields_print(&ctx, rules[i]->ast, 0);
		}
		rt_state_post(st, &ev);
	}
	double te = now() - t1;
	for (size_t i = 0; i < n; i++)
		res->both += seen[i] == 3;
	printf("%s%s: %zu rules, %zu literals, %zu slots, JIT compile %.3f s; %" PRIu64
	       " events, %" PRIu64 " evaluations (%" PRIu64 " true) in %.1f s; rules seen true "
	       "and false: %zu; mismatches: %" PRIu64 "\n",
	       files[0], nfiles > 1 ? " (+more)" : "", n, jc_gen_literal_count(g),
	       fc_jit_slot_count(j), tc, nevents, res->evals, res->trues, te, res->both,
	       res->mismatches);
	rt_ctx_fini(&ctx);
	rt_state_free(st);
	jc_gen_free(g);
	free(slots);
	free(seen);
	for (int k = 0; k <= FC_EVT_COUNT; k++)
		free(by_evt[k].r);
	fc_jit_free(j);
	free(rules);
	free(conds);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t nevents = 500000, seed = 1;
	int opt = -1;
	int rc = 0, sets = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
			nevents = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--opt") == 0 && i + 1 < argc) {
			opt = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--set") == 0) {
			int k = i + 1;
			while (k < argc && strncmp(argv[k], "--", 2) != 0)
				k++;
			struct fc_unit *u = fc_unit_new(NULL);
			struct set_result r;
			int src = run_set(u, (const char *const *)argv + i + 1, k - i - 1, nevents,
					  seed + (uint64_t)sets, opt, &r);
			fc_unit_free(u);
			if (src > rc)
				rc = src;
			sets++;
			i = k - 1;
		} else {
			fprintf(stderr, "usage: diff_jit [--events N] [--seed S] [--opt L] --set FILE... "
					"[--set FILE...]\n");
			return 2;
		}
	}
	if (!sets) {
		fprintf(stderr, "diff_jit: no --set given\n");
		return 2;
	}
	return rc;
}
