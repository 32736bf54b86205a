/* SPDX-License-Identifier: Apache-2.0 */
/* bench_check.c - how long `falcoc check` takes on every upstream rules file.
 *
 * Loads the upstream rulesets from shared/compat, each in a fresh unit, N times, and prints
 * min/median/mean milliseconds per full check (read, YAML, items, lists, macros, exceptions,
 * type check, unit freed) against the 50 ms budget. To show where the time goes it also
 * times the loading stage alone (files read and items built, nothing resolved) and parsing
 * every macro and rule condition alone. Prints numbers only: no timing is ever asserted. */
#include "compiler/fc.h"
#include "compiler/fc_rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"

#ifndef FC_COMPAT_DIR
#define FC_COMPAT_DIR "../shared/compat"
#endif

#define BUDGET_MS 50.0

/* Rulesets as Falco deployments load them: the syscall rules of falcosecurity/rules in their
 * maturity order, and the k8saudit plugin's rules with the GKE additions, which override
 * k8saudit items and so must share its unit. */
struct bench_set {
	const char *name;
	const char *files[8];
};

static const struct bench_set sets[] = {
	{ "syscall: falcosecurity-rules stable + incubating + sandbox",
	  { "falcosecurity-rules/rules/falco_rules.yaml",
	    "falcosecurity-rules/rules/falco-incubating_rules.yaml",
	    "falcosecurity-rules/rules/falco-sandbox_rules.yaml", NULL } },
	{ "k8s_audit: k8saudit plugin + k8saudit-gke",
	  { "falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml",
	    "falcosecurity-plugins/plugins/k8saudit-gke/rules/k8s_audit_rules_gke.yaml", NULL } },
};
#define NSETS (sizeof(sets) / sizeof(sets[0]))

struct set_run {
	const char *paths[8];
	int npaths;
	const char **conds;     /* condition texts of every macro and rule, for parse-only */
	size_t nconds;
	size_t nrules, nvalid, nmacros, nlists;
	unsigned errors, warnings;
};

/* One full check of a set in a fresh unit. Fills the counts when r is given. */
static double time_check(struct set_run *sr, struct set_run *r)
{
	double t0 = bench_now_ms();
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u) {
		fprintf(stderr, "bench_check: out of memory\n");
		exit(2);
	}
	struct fc_ruleset *rs = fc_load_files(u, sr->paths, sr->npaths);
	if (r) {
		r->nrules = rs->nrules;
		r->nmacros = rs->nmacros;
		r->nlists = rs->nlists;
		r->nvalid = 0;
		for (size_t i = 0; i < rs->nrules; i++)
			r->nvalid += rs->rules[i]->valid;
		r->errors = fc_diag_count(u, FC_ERROR);
		r->warnings = fc_diag_count(u, FC_WARNING);
		r->nconds = 0;
		r->conds = malloc((rs->nmacros + rs->nrules + 1) * sizeof(*r->conds));
		if (!r->conds)
			exit(2);
		for (size_t i = 0; i < rs->nmacros; i++)
			if (rs->macros[i]->cond.s)
				r->conds[r->nconds++] = strdup(rs->macros[i]->cond.s);
		for (size_t i = 0; i < rs->nrules; i++)
			if (rs->rules[i]->cond.s && rs->rules[i]->src >= 0)
				r->conds[r->nconds++] = strdup(rs->rules[i]->cond.s);
	}
	fc_unit_free(u);
	return bench_now_ms() - t0;
}

/* Files read and items built, nothing resolved or checked. */
static double time_load_only(struct set_run *sr)
{
	double t0 = bench_now_ms();
	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_ruleset *rs = fc_arena_alloc(u, sizeof(*rs));
	memset(rs, 0, sizeof(*rs));
	for (int i = 0; i < sr->npaths; i++) {
		const struct fc_src *src = fc_src_read(u, sr->paths[i]);
		if (src)
			fc_rules_load_file(u, rs, src);
	}
	fc_unit_free(u);
	return bench_now_ms() - t0;
}

/* Every macro and rule condition parsed on its own, in a fresh unit. */
static double time_parse_only(struct set_run *sr, size_t *failed)
{
	double t0 = bench_now_ms();
	struct fc_unit *u = fc_unit_new(NULL);
	size_t bad = 0;
	for (size_t i = 0; i < sr->nconds; i++)
		bad += fc_parse_condition(u, sr->conds[i]) == NULL;
	fc_unit_free(u);
	if (failed)
		*failed = bad;
	return bench_now_ms() - t0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: bench_check [-n ITERATIONS] [--compat DIR]\n"
		     "  -n N          full checks per ruleset (default 50)\n"
		     "  --compat DIR  upstream data (default %s)\n",
		FC_COMPAT_DIR);
}

int main(int argc, char **argv)
{
	int n = 50;
	const char *compat = FC_COMPAT_DIR;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			long v = strtol(argv[++i], &end, 10);
			if (*end || errno || v < 1 || v > 1000000) {
				fprintf(stderr, "bench_check: -n wants a positive number\n");
				return 2;
			}
			n = (int)v;
		} else if (strcmp(argv[i], "--compat") == 0 && i + 1 < argc) {
			compat = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	struct set_run runs[NSETS];
	memset(runs, 0, sizeof(runs));
	printf("bench_check: %d full checks per ruleset, each in a fresh unit\n", n);
	printf("compat data: %s\n\n", compat);
	for (size_t s = 0; s < NSETS; s++) {
		struct set_run *r = &runs[s];
		for (int f = 0; sets[s].files[f]; f++) {
			char *p = malloc(strlen(compat) + strlen(sets[s].files[f]) + 2);
			if (!p)
				return 2;
			sprintf(p, "%s/%s", compat, sets[s].files[f]);
			r->paths[r->npaths++] = p;
		}
		/* warm-up, and the counts */
		time_check(r, r);
		printf("ruleset %zu: %s\n", s + 1, sets[s].name);
		for (int f = 0; f < r->npaths; f++)
			printf("  file  %s\n", sets[s].files[f]);
		printf("  %zu rules (%zu valid), %zu macros, %zu lists; %u errors, %u warnings\n",
		       r->nrules, r->nvalid, r->nmacros, r->nlists, r->errors, r->warnings);
		if (r->errors)
			printf("  note: errors while loading; run falcoc check on these files\n");
	}
	printf("\n");

	double *total = malloc((size_t)n * sizeof(double));
	double *per = malloc((size_t)n * NSETS * 3 * sizeof(double));
	if (!total || !per)
		return 2;
	size_t parse_failed = 0;
	for (int i = 0; i < n; i++) {
		total[i] = 0;
		for (size_t s = 0; s < NSETS; s++) {
			double full = time_check(&runs[s], NULL);
			per[(s * 3 + 0) * (size_t)n + (size_t)i] = full;
			per[(s * 3 + 1) * (size_t)n + (size_t)i] = time_load_only(&runs[s]);
			per[(s * 3 + 2) * (size_t)n + (size_t)i] =
				time_parse_only(&runs[s], i == 0 ? &parse_failed : NULL);
			total[i] += full;
		}
	}
	for (size_t s = 0; s < NSETS; s++) {
		printf("ruleset %zu (%zu conditions parsed alone)\n", s + 1, runs[s].nconds);
		bench_print_stats("full check", 34, per + (s * 3 + 0) * (size_t)n, n);
		bench_print_stats("load only (read, YAML, items)", 34, per + (s * 3 + 1) * (size_t)n, n);
		bench_print_stats("parse only (every condition)", 34, per + (s * 3 + 2) * (size_t)n, n);
	}
	size_t rules = 0, macros = 0, lists = 0;
	for (size_t s = 0; s < NSETS; s++) {
		rules += runs[s].nrules;
		macros += runs[s].nmacros;
		lists += runs[s].nlists;
	}
	if (parse_failed)
		printf("note: %zu conditions did not parse on their own\n", parse_failed);
	printf("\nall rulesets: %zu rules, %zu macros, %zu lists\n", rules, macros, lists);
	bench_print_stats("full check, all rulesets", 34, total, n);
	struct bench_stats st = bench_stats_of(total, n);
	printf("median %.1f ms = %.2fx the %.0f ms budget\n", st.median, st.median / BUDGET_MS,
	       BUDGET_MS);
	free(total);
	free(per);
	for (size_t s = 0; s < NSETS; s++) {
		for (int f = 0; f < runs[s].npaths; f++)
			free((char *)runs[s].paths[f]);
		for (size_t c = 0; c < runs[s].nconds; c++)
			free((char *)runs[s].conds[c]);
		free(runs[s].conds);
	}
	return 0;
}
