/* SPDX-License-Identifier: Apache-2.0 */
/* fl.h - falco-lint's pieces: the table of checks, the configuration, the checks over a
 * checked ruleset, and the renderings. falco-lint sees the compiler only through fc.h. */
#ifndef FL_H
#define FL_H

#include <stdbool.h>
#include <stdio.h>
#include "compiler/fc.h"

enum fl_check_id {
#define FL_CHECK(e, code, sev, on, summary, explain, bad, fixed) FL_##e,
#include "lint/fl_checks.def"
#undef FL_CHECK
	FL_CHECK_COUNT
};

struct fl_check {
	const char *code;
	enum fc_severity sev;
	bool on;
	const char *summary, *explain, *bad, *fixed;
};

extern const struct fl_check fl_checks[FL_CHECK_COUNT];

/* The check with that code, or -1. */
int fl_check_lookup(const char *code);

enum fl_require { FL_REQ_DESC, FL_REQ_OUTPUT, FL_REQ_PRIORITY, FL_REQ_TAGS, FL_REQ_COUNT };

struct fl_config {
	const char *path;                  /* where it was read from, NULL for defaults */
	bool on[FL_CHECK_COUNT];
	enum fc_severity sev[FL_CHECK_COUNT];
	const char **required_tags;        /* owned by the config's unit */
	size_t nrequired_tags;
	bool require[FL_REQ_COUNT];
	struct fc_unit *u;                 /* holds the config's strings; owned */
};

void fl_config_init(struct fl_config *cfg);
void fl_config_fini(struct fl_config *cfg);
/* Reads a .falco-lint.yaml. Returns 0, or -1 after writing a message to err. */
int fl_config_load(struct fl_config *cfg, const char *path, char *err, size_t errlen);
/* The nearest .falco-lint.yaml in the folder of file or above; NULL if none. Caller frees. */
char *fl_config_find(const char *file);

/* Runs falco-lint's own checks; findings go to the unit's diagnostics with the check's code
 * as their id. */
void fl_run_checks(struct fc_unit *u, struct fc_ruleset *rs, const struct fl_config *cfg);

/* A diagnostic as falco-lint reports it: its check and the severity after configuration. */
struct fl_finding {
	const struct fc_diag *d;
	int check;                         /* index in fl_checks, or -1 for an unlisted id */
	const char *code;
	enum fc_severity sev;
};

enum fl_format { FL_FORMAT_TEXT, FL_FORMAT_JSON, FL_FORMAT_SARIF };

void fl_render(FILE *out, enum fl_format fmt, struct fc_unit *u, const struct fl_finding *f,
	       size_t n, bool color);

#endif /* FL_H */
