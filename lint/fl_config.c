/* SPDX-License-Identifier: Apache-2.0 */
/* fl_config.c - .falco-lint.yaml: which checks run, at what severity, and what a team
 * requires of its rules. Read with the compiler's YAML layer; errors name file and line.
 *
 *   disable: [FL-stray-space]          checks to turn off
 *   enable: [FL-missing-key]           checks to turn on (off by default ones)
 *   severity: {LOAD_NO_EVTTYPE: error} error, warning or info
 *   required_tags: [mitre_execution]   every rule carries at least one of these
 *   require_keys: [tags]               desc, output, priority, tags */
#include "lint/fl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fl_config_init(struct fl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < FL_CHECK_COUNT; i++) {
		cfg->on[i] = fl_checks[i].on;
		cfg->sev[i] = fl_checks[i].sev;
	}
}

void fl_config_fini(struct fl_config *cfg)
{
	fc_unit_free(cfg->u);
	cfg->u = NULL;
}

static int fl_cfg_error(char *err, size_t errlen, const char *path, const struct fc_ynode *n,
			const char *msg, const char *arg)
{
	if (n)
		snprintf(err, errlen, "%s:%d:%d: %s%s%s", path, n->loc.first_line,
			 n->loc.first_column, msg, arg ? " " : "", arg ? arg : "");
	else
		snprintf(err, errlen, "%s: %s%s%s", path, msg, arg ? " " : "", arg ? arg : "");
	return -1;
}

/* Calls fn for each scalar of a sequence; -1 if the node is not a sequence of strings. */
static int fl_cfg_each(const struct fc_ynode *seq, int (*fn)(struct fl_config *, const struct fc_ynode *,
							    char *, size_t),
		       struct fl_config *cfg, char *err, size_t errlen)
{
	if (seq->kind != FC_Y_SEQ)
		return fl_cfg_error(err, errlen, cfg->path, seq, "expected a list", NULL);
	for (size_t i = 0; i < seq->seq.n; i++) {
		if (seq->seq.items[i]->kind != FC_Y_SCALAR)
			return fl_cfg_error(err, errlen, cfg->path, seq->seq.items[i],
					    "expected a string", NULL);
		if (fn(cfg, seq->seq.items[i], err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int fl_cfg_code(struct fl_config *cfg, const struct fc_ynode *n, char *err, size_t errlen)
{
	int c = fl_check_lookup(n->scalar.s);
	if (c < 0)
		return fl_cfg_error(err, errlen, cfg->path, n,
				    "unknown check (falco-lint --list-checks lists them):",
				    n->scalar.s);
	return c;
}

static int fl_cfg_disable(struct fl_config *cfg, const struct fc_ynode *n, char *err, size_t errlen)
{
	int c = fl_cfg_code(cfg, n, err, errlen);
	if (c >= 0)
		cfg->on[c] = false;
	return c < 0 ? -1 : 0;
}

static int fl_cfg_enable(struct fl_config *cfg, const struct fc_ynode *n, char *err, size_t errlen)
{
	int c = fl_cfg_code(cfg, n, err, errlen);
	if (c >= 0)
		cfg->on[c] = true;
	return c < 0 ? -1 : 0;
}

static int fl_cfg_tag(struct fl_config *cfg, const struct fc_ynode *n, char *err, size_t errlen)
{
	const char **t = fc_arena_alloc(cfg->u, (cfg->nrequired_tags + 1) * sizeof(*t));
	if (cfg->nrequired_tags)
		memcpy(t, cfg->required_tags, cfg->nrequired_tags * sizeof(*t));
	t[cfg->nrequired_tags++] = n->scalar.s;
	cfg->required_tags = t;
	cfg->on[FL_REQUIRED_TAG] = true;
	return 0;
}

static int fl_cfg_key(struct fl_config *cfg, const struct fc_ynode *n, char *err, size_t errlen)
{
	static const char *const keys[FL_REQ_COUNT] = { "desc", "output", "priority", "tags" };
	for (int k = 0; k < FL_REQ_COUNT; k++)
		if (strcmp(keys[k], n->scalar.s) == 0) {
			cfg->require[k] = true;
			cfg->on[FL_MISSING_KEY] = true;
			return 0;
		}
	return fl_cfg_error(err, errlen, cfg->path, n,
			    "require_keys takes desc, output, priority or tags, not", n->scalar.s);
}

int fl_config_load(struct fl_config *cfg, const char *path, char *err, size_t errlen)
{
	cfg->u = fc_unit_new(NULL);
	cfg->path = fc_intern(cfg->u, path);
	const struct fc_src *src = fc_src_read(cfg->u, path);
	if (!src)
		return fl_cfg_error(err, errlen, path, NULL, "cannot read the configuration", NULL);
	struct fc_ydoc *docs;
	size_t ndocs;
	if (fc_yaml_load(cfg->u, src, &docs, &ndocs) < 0) {
		const struct fc_diag *d = fc_diag_list(cfg->u);
		snprintf(err, errlen, "%s:%d:%d: %s", path, d ? d->loc.first_line : 0,
			 d ? d->loc.first_column : 0, d ? d->msg : "not YAML");
		return -1;
	}
	if (ndocs == 0 || !docs[0].root)
		return 0;
	const struct fc_ynode *root = docs[0].root;
	if (root->kind != FC_Y_MAP)
		return fl_cfg_error(err, errlen, path, root, "expected a mapping of settings", NULL);
	for (size_t i = 0; i < root->map.n; i++) {
		const struct fc_ynode *k = root->map.pairs[i].key, *v = root->map.pairs[i].value;
		const char *key = k->kind == FC_Y_SCALAR ? k->scalar.s : "";
		int rc = 0;
		if (strcmp(key, "disable") == 0)
			rc = fl_cfg_each(v, fl_cfg_disable, cfg, err, errlen);
		else if (strcmp(key, "enable") == 0)
			rc = fl_cfg_each(v, fl_cfg_enable, cfg, err, errlen);
		else if (strcmp(key, "required_tags") == 0)
			rc = fl_cfg_each(v, fl_cfg_tag, cfg, err, errlen);
		else if (strcmp(key, "require_keys") == 0)
			rc = fl_cfg_each(v, fl_cfg_key, cfg, err, errlen);
		else if (strcmp(key, "severity") == 0) {
			if (v->kind != FC_Y_MAP)
				return fl_cfg_error(err, errlen, path, v,
						    "severity maps check codes to error, warning or info",
						    NULL);
			for (size_t j = 0; j < v->map.n; j++) {
				const struct fc_ynode *ck = v->map.pairs[j].key;
				const struct fc_ynode *sv = v->map.pairs[j].value;
				if (ck->kind != FC_Y_SCALAR || sv->kind != FC_Y_SCALAR)
					return fl_cfg_error(err, errlen, path, ck,
							    "expected CODE: severity", NULL);
				int c = fl_cfg_code(cfg, ck, err, errlen);
				if (c < 0)
					return -1;
				if (strcmp(sv->scalar.s, "error") == 0)
					cfg->sev[c] = FC_ERROR;
				else if (strcmp(sv->scalar.s, "warning") == 0)
					cfg->sev[c] = FC_WARNING;
				else if (strcmp(sv->scalar.s, "info") == 0)
					cfg->sev[c] = FC_NOTE;
				else
					return fl_cfg_error(err, errlen, path, sv,
							    "severity must be error, warning or info, "
							    "not",
							    sv->scalar.s);
			}
		} else
			return fl_cfg_error(err, errlen, path, k,
					    "unknown setting (disable, enable, severity, required_tags, "
					    "require_keys):",
					    key);
		if (rc < 0)
			return -1;
	}
	return 0;
}

char *fl_config_find(const char *file)
{
	char dir[PATH_MAX];
	if (!realpath(file, dir))
		return NULL;
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	for (;;) {
		char cand[PATH_MAX + 32];
		snprintf(cand, sizeof(cand), "%s/.falco-lint.yaml", dir[0] ? dir : "");
		if (access(cand, R_OK) == 0)
			return strdup(cand);
		slash = strrchr(dir, '/');
		if (!slash)
			return NULL;
		if (slash == dir) {
			if (!dir[1])
				return NULL;
			dir[1] = '\0';
			continue;
		}
		*slash = '\0';
	}
}
