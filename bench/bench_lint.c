/* SPDX-License-Identifier: Apache-2.0 */
/* bench_lint.c - how long a falco-lint pass takes over every upstream rules file at once.
 *
 * Loads all the upstream rules files into one fresh unit, in Falco's load order (the files
 * the upstream_rules_current test checks), N times. Each pass is what falco-lint does before
 * printing: fc_unit_new, fc_load_files (read, YAML, items, resolution, type check),
 * fl_run_checks with the default configuration, the findings collected with their configured
 * severity, and fc_unit_free. That pass is timed without rendering ("lint"), and again with
 * the findings rendered as JSON to /dev/null ("lint + JSON"). The load alone is timed too, so
 * that lint minus load is the cost of falco-lint's own checks. fl_main.c is not linked:
 * inline suppressions (a scan of each finding's source line) are not applied.
 * Prints numbers only: no timing is ever asserted. */
#include "compiler/fc.h"
#include "lint/fl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"

#ifndef FC_COMPAT_DIR
#define FC_COMPAT_DIR "../shared/compat"
#endif

#define GOAL_MS 100.0

static const char *const files[] = {
	"falcosecurity-rules/rules/falco_rules.yaml",
	"falcosecurity-rules/rules/falco-incubating_rules.yaml",
	"falcosecurity-rules/rules/falco-sandbox_rules.yaml",
	"falcosecurity-rules/archive/falco-deprecated_rules.yaml",
	"falcosecurity-rules/archive/application_rules.yaml",
	"falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml",
	"falcosecurity-plugins/plugins/k8saudit-gke/rules/k8s_audit_rules_gke.yaml",
	"falcosecurity-plugins/plugins/cloudtrail/rules/aws_cloudtrail_rules.yaml",
	"falcosecurity-plugins/plugins/gcpaudit/rules/gcp_auditlog_rules.yaml",
	"falcosecurity-plugins/plugins/github/rules/github.yaml",
	"falcosecurity-plugins/plugins/okta/rules/okta_rules.yaml",
};
#define NFILES ((int)(sizeof(files) / sizeof(files[0])))

enum stage { LOAD_ONLY, LINT, LINT_RENDER };

struct counts {
	size_t rules, macros, lists;
	unsigned findings[3]; /* by severity after configuration */
};

/* The findings of a unit as falco-lint keeps them: disabled checks dropped, the configured
 * severity (errors stay errors). Diagnostics of severity note are dropped unless they are an
 * info-level check (FL-cheaper-operator), which falco-lint reports. Returns the number kept. */
static size_t collect(struct fc_unit *u, const struct fl_config *cfg, struct fl_finding **out,
		      size_t *cap, struct counts *cnt)
{
	size_t n = 0;
	for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next) {
		const char *code = d->id ? d->id : fc_code_name(d->code);
		int c = fl_check_lookup(code);
		if (d->sev == FC_NOTE && !(d->id && c >= 0))
			continue; /* the compiler's own notes; info-level checks stay */
		if (c < 0 && d->id)
			c = fl_check_lookup(fc_code_name(d->code));
		enum fc_severity sev = d->sev;
		if (c >= 0) {
			if (!cfg->on[c])
				continue;
			sev = d->sev == FC_ERROR ? FC_ERROR : cfg->sev[c];
			code = fl_checks[c].code;
		}
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*out = realloc(*out, *cap * sizeof(**out));
			if (!*out)
				abort();
		}
		(*out)[n++] = (struct fl_finding){ d, c, code, sev };
		if (cnt)
			cnt->findings[sev]++;
	}
	return n;
}

static double one_pass(const char *const *paths, enum stage st, const struct fl_config *cfg,
		       FILE *null, struct counts *cnt)
{
	static struct fl_finding *f;
	static size_t cap;
	double t0 = bench_now_ms();
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u) {
		fprintf(stderr, "bench_lint: out of memory\n");
		exit(2);
	}
	struct fc_ruleset *rs = fc_load_files(u, paths, NFILES);
	if (st != LOAD_ONLY) {
		fl_run_checks(u, rs, cfg);
		size_t n = collect(u, cfg, &f, &cap, cnt);
		if (st == LINT_RENDER) {
			fl_render(null, FL_FORMAT_JSON, u, f, n, false);
			fflush(null);
		}
	}
	if (cnt) {
		cnt->rules = rs->nrules;
		cnt->macros = rs->nmacros;
		cnt->lists = rs->nlists;
	}
	fc_unit_free(u);
	return bench_now_ms() - t0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: bench_lint [-n ITERATIONS] [--compat DIR]\n"
		     "  -n N          passes of each kind (default 50)\n"
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
				fprintf(stderr, "bench_lint: -n wants a positive number\n");
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

	const char *paths[NFILES];
	for (int i = 0; i < NFILES; i++) {
		char *p = malloc(strlen(compat) + strlen(files[i]) + 2);
		if (!p)
			return 2;
		sprintf(p, "%s/%s", compat, files[i]);
		paths[i] = p;
	}
	FILE *null = fopen("/dev/null", "w");
	if (!null) {
		perror("bench_lint: /dev/null");
		return 2;
	}
	struct fl_config cfg;
	fl_config_init(&cfg); /* the defaults, as with --no-config */

	/* warm-up, and the counts */
	struct counts cnt;
	memset(&cnt, 0, sizeof(cnt));
	one_pass(paths, LINT, &cfg, null, &cnt);
	printf("bench_lint: %d passes of each kind, all files in one fresh unit each time\n", n);
	printf("compat data: %s\n", compat);
	for (int i = 0; i < NFILES; i++)
		printf("  file  %s\n", files[i]);
	printf("%zu rules, %zu macros, %zu lists; findings: %u errors, %u warnings, %u infos\n\n",
	       cnt.rules, cnt.macros, cnt.lists, cnt.findings[FC_ERROR], cnt.findings[FC_WARNING],
	       cnt.findings[FC_NOTE]);

	double *t[3];
	for (int s = 0; s < 3; s++)
		if (!(t[s] = malloc((size_t)n * sizeof(double))))
			return 2;
	for (int i = 0; i < n; i++)
		for (int s = 0; s < 3; s++)
			t[s][i] = one_pass(paths, (enum stage)s, &cfg, null, NULL);
	bench_print_stats("load only (fc_load_files)", 30, t[LOAD_ONLY], n);
	bench_print_stats("lint (load + checks)", 30, t[LINT], n);
	bench_print_stats("lint + JSON to /dev/null", 30, t[LINT_RENDER], n);
	struct bench_stats lint = bench_stats_of(t[LINT], n), load = bench_stats_of(t[LOAD_ONLY], n);
	printf("falco-lint's own checks: about %.2f ms (median lint - median load)\n",
	       lint.median - load.median);
	printf("median %.1f ms = %.2fx the %.0f ms goal\n", lint.median, lint.median / GOAL_MS,
	       GOAL_MS);

	for (int s = 0; s < 3; s++)
		free(t[s]);
	for (int i = 0; i < NFILES; i++)
		free((char *)paths[i]);
	fl_config_fini(&cfg);
	fclose(null);
	return 0;
}
