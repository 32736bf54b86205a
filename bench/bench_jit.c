/* SPDX-License-Identifier: Apache-2.0 */
/* bench_jit.c - the JIT against the reference interpreter: events per second with every
 * upstream syscall rule (falco_rules.yaml, falco-incubating_rules.yaml and
 * falco-sandbox_rules.yaml, every valid rule, enabled or not), same events, same process,
 * and the JIT's compile time for the whole ruleset at each optimisation level.
 *
 * Events come from the differential test's generator (tests/differential/jit_corpus.h), whose
 * values are drawn from the rules' own literals, so conditions get past their first checks
 * more often than on a real host's stream. Each event goes through state, then every rule its
 * type can match (the engine's index, fc_evtset_of) is evaluated, all of them (no first-match
 * stop). A pass with state only is timed too and subtracted, which leaves the cost of rule
 * evaluation; the ratio of the two is printed, and the ratio of whole passes (state included).
 * Numbers only: nothing is asserted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "compiler/fc.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_jit_helpers.h"
#include "runtime/rt_state.h"
#include "tests/differential/jit_corpus.h"

#ifndef FC_COMPAT_DIR
#define FC_COMPAT_DIR "../shared/compat"
#endif

#define NEVENTS 300000
#define SEED 42

static const char *const rule_files[] = {
	FC_COMPAT_DIR "/falcosecurity-rules/rules/falco_rules.yaml",
	FC_COMPAT_DIR "/falcosecurity-rules/rules/falco-incubating_rules.yaml",
	FC_COMPAT_DIR "/falcosecurity-rules/rules/falco-sandbox_rules.yaml",
};

struct idx {
	uint32_t *r;
	size_t n;
};

static const struct fc_rule **rules;
static size_t nrules;
static struct idx by_evt[FC_EVT_COUNT + 1];

enum mode { STATE_ONLY, INTERP, JIT };

/* One pass over the stream; returns milliseconds, and the number of true verdicts. */
static double pass(enum mode m, struct fc_jit *j, uint64_t *ntrue)
{
	struct jc_gen *g = jc_gen_new(rules, nrules, SEED);
	struct rt_state *st = rt_state_new();
	jc_gen_seed_state(g, st);
	struct rt_ctx ctx;
	rt_ctx_init(&ctx, st);
	for (size_t i = 0; i < nrules; i++)
		rt_prep_tree(ctx.prep, rules[i]->ast);
	struct fc_jit_slot *slots = j ? calloc(fc_jit_slot_count(j) + 1, sizeof(*slots)) : NULL;
	struct fc_jit_env env = { .slots = slots };
	/* the predicates, looked up once (as a dispatcher holds them) */
	fc_jit_pred *preds = calloc(nrules + 1, sizeof(*preds));
	for (size_t i = 0; j && i < nrules; i++)
		preds[i] = fc_jit_get(j, i);
	uint64_t t = 0;
	double t0 = bench_thread_cpu_ms();
	for (int e = 0; e < NEVENTS; e++) {
		const struct fk_event_hdr *h = jc_gen_next(g);
		struct rt_event ev;
		char err[128];
		if (rt_event_decode(&ev, h, h->len, err, sizeof(err)) != 0)
			continue;
		ev.num = (uint64_t)e + 1;
		rt_state_pre(st, &ev);
		rt_ctx_begin(&ctx, &ev);
		if (m != STATE_ONLY) {
			int32_t evt = rt_jit_evt(&ctx);
			const struct idx *x = &by_evt[evt >= 0 ? evt : FC_EVT_COUNT];
			if (m == INTERP) {
				for (size_t q = 0; q < x->n; q++)
					t += rt_eval(&ctx, rules[x->r[q]]->ast);
			} else {
				rt_jit_env_begin(&env, &ctx);
				for (size_t q = 0; q < x->n; q++)
					t += preds[x->r[q]](&env, evt);
			}
		}
		rt_state_post(st, &ev);
	}
	double ms = bench_thread_cpu_ms() - t0;
	rt_ctx_fini(&ctx);
	rt_state_free(st);
	jc_gen_free(g);
	free(slots);
	free(preds);
	if (ntrue)
		*ntrue = t;
	return ms;
}

#define ROUNDS 5

static void keep_min(double *b, double ms)
{
	if (ms < *b)
		*b = ms;
}

/* bench_jit [LEVEL [--jit-only]]: only that optimisation level, and with --jit-only no
 * interpreter pass (for profiling the JIT alone); all four levels by default. */
int main(int argc, char **argv)
{
	int lo = 0, hi = 3;
	bool jit_only = false;
	if (argc > 1) {
		lo = hi = atoi(argv[1]);
		jit_only = argc > 2 && strcmp(argv[2], "--jit-only") == 0;
		if (lo < 0 || lo > 3 || (argc > 2 && !jit_only)) {
			fprintf(stderr, "usage: bench_jit [0-3 [--jit-only]]\n");
			return 2;
		}
	}
	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_ruleset *rs = fc_load_files(u, (const char *const *)rule_files, 3);
	if (!rs || fc_diag_count(u, FC_ERROR)) {
		fprintf(stderr, "bench_jit: the upstream rules do not load (COMPAT_DIR %s)\n",
			FC_COMPAT_DIR);
		return 1;
	}
	rules = calloc(rs->nrules + 1, sizeof(*rules));
	const struct fc_node **conds = calloc(rs->nrules + 1, sizeof(*conds));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (r->valid && !r->skipped && r->ast && r->src == FC_SRC_SYSCALL) {
			rules[nrules] = r;
			conds[nrules++] = r->ast;
		}
	}
	size_t cands = 0;
	for (size_t i = 0; i < nrules; i++) {
		struct fc_evtset t, f;
		fc_evtset_of(rules[i]->ast, &t, &f);
		for (int k = 0; k <= FC_EVT_COUNT; k++) {
			bool in = k == FC_EVT_COUNT ? fc_evtset_count(&t) == FC_EVT_COUNT
						    : fc_evtset_has(&t, k);
			if (!in)
				continue;
			by_evt[k].r = realloc(by_evt[k].r, (by_evt[k].n + 1) * sizeof(uint32_t));
			by_evt[k].r[by_evt[k].n++] = (uint32_t)i;
			cands++;
		}
	}
	printf("bench_jit: %zu upstream syscall rules, %d generated events per pass\n", nrules,
	       NEVENTS);

	struct fc_jit *jits[4] = { 0 };
	for (int opt = lo; opt <= hi; opt++) {
		char err[512];
		struct fc_jit_options o = { .opt_level = opt };
		double times[3], cpu[3];
		for (int r = 0; r < 3; r++) {
			fc_jit_free(jits[opt]);
			double c0 = bench_process_cpu_ms();
			jits[opt] = fc_jit_compile(conds, nrules, rt_jit_helpers, rt_jit_nhelpers, &o,
						   err, sizeof(err));
			cpu[r] = bench_process_cpu_ms() - c0;
			if (!jits[opt]) {
				fprintf(stderr, "bench_jit: JIT failed: %s\n", err);
				return 1;
			}
			times[r] = fc_jit_compile_seconds(jits[opt]) * 1000;
		}
		char what[64];
		snprintf(what, sizeof(what), "JIT compile, whole ruleset, O%d%s", opt,
			 opt == FC_JIT_DEFAULT_OPT ? " (default)" : "");
		bench_print_stats(what, 40, times, 3);
		struct bench_stats cs = bench_stats_of(cpu, 3);
		printf("  %-40s CPU, all threads: median %.0f ms\n", "", cs.median);
	}

	/* ROUNDS rounds, each a pass of every mode in turn, so that other work on the machine
	 * hits every mode alike; the best pass of each mode counts */
	/* ahead of time: what falcoc compile spends on a bundle's NATIVE section, and what
	 * falcod -b spends linking it instead of compiling (docs/bundle.md) */
	{
		char err[512];
		uint8_t *blob = NULL;
		size_t blen = 0;
		double e0 = bench_now_ms();
		if (fc_jit_emit(conds, nrules, -1, &blob, &blen, err, sizeof(err)) != 0) {
			fprintf(stderr, "bench_jit: emit failed: %s\n", err);
			return 1;
		}
		double emit_ms = bench_now_ms() - e0;
		double link[3];
		for (int r = 0; r < 3; r++) {
			struct fc_jit_options o = { .opt_level = -1, .objects = blob, .objects_len = blen };
			struct fc_jit *lj = fc_jit_compile(conds, nrules, rt_jit_helpers,
							   rt_jit_nhelpers, &o, err, sizeof(err));
			if (!lj) {
				fprintf(stderr, "bench_jit: link failed: %s\n", err);
				return 1;
			}
			link[r] = fc_jit_compile_seconds(lj) * 1000;
			fc_jit_free(lj);
		}
		printf("  %-40s %.0f ms, %zu bytes of objects\n", "native code, emitted ahead of time",
		       emit_ms, blen);
		bench_print_stats("native code, linked (falcod -b)", 40, link, 3);
		free(blob);
	}

	uint64_t ti = 0, tj[4] = { 0 };
	double base = 1e300, interp = 1e300, jit[4] = { 1e300, 1e300, 1e300, 1e300 };
	for (int r = 0; r < ROUNDS; r++) {
		keep_min(&base, pass(STATE_ONLY, NULL, NULL));
		if (!jit_only)
			keep_min(&interp, pass(INTERP, NULL, &ti));
		for (int opt = lo; opt <= hi; opt++)
			keep_min(&jit[opt], pass(JIT, jits[opt], &tj[opt]));
	}
	if (jit_only)
		interp = base;
	printf("  %-40s %10.0f events/s (state + decode + generation: %.0f ms)\n",
	       "state only", NEVENTS / (base / 1000), base);
	printf("  %-40s %10.0f events/s, rules alone %.0f ms (%" PRIu64 " true)\n",
	       "interpreter", NEVENTS / (interp / 1000), interp - base, ti);
	for (int opt = lo; opt <= hi; opt++) {
		char what[64];
		snprintf(what, sizeof(what), "JIT O%d", opt);
		printf("  %-40s %10.0f events/s, rules alone %.0f ms (%" PRIu64 " true)\n", what,
		       NEVENTS / (jit[opt] / 1000), jit[opt] - base, tj[opt]);
		printf("  %-40s %10.2fx rules alone, %.2fx whole pass%s\n", "  ratio JIT/interpreter",
		       (interp - base) / (jit[opt] - base), interp / jit[opt],
		       tj[opt] == ti ? "" : "  (VERDICTS DIFFER)");
	}
	for (int opt = 0; opt <= 3; opt++)
		fc_jit_free(jits[opt]);
	for (int k = 0; k <= FC_EVT_COUNT; k++)
		free(by_evt[k].r);
	free(rules);
	free(conds);
	fc_unit_free(u);
	return 0;
}
