/* SPDX-License-Identifier: Apache-2.0 */
/* rt_main.c - falcod, the daemon, as a thin program over the compiler and the runtime: Falco's
 * command line and falco.yaml keys, rules compiled in-process, live capture through eBPF
 * (rt_bpf) or replay of captures (falcod's own format, or .scap through rt_scap) through state
 * and rules, alerts printed as Falco prints them, Falco's syscall_event_drops actions and
 * Falco's end-of-run statistics. Rules come from rules files or from a bundle (-b), which is
 * reloaded on SIGHUP or when the file changes: the new engine is built while events keep
 * flowing and swapped in between two events. Kubernetes audit events (the k8s_audit source,
 * Falco's k8saudit plugin, implemented natively by rt_k8s) are read from the file that
 * Falco's plugins configuration or --k8s-audit names. docs/falcod.md is the manual.
 *
 * Not here: how events change state (rt_state.c), extraction and evaluation (rt_extract.c,
 * rt_eval.c), the alert formats (rt_output.c), capture formats (rt_capture.c, rt_scap.c),
 * loading the kernel side (rt_bpf.c), the /proc scan (rt_proc.c). */
#include "bpf/fk_capture.h"
#include "compiler/fc.h"
#include "compiler/fc_prefilter.h"
#include "runtime/rt_bpf.h"
#include "runtime/rt_capture.h"
#include "runtime/rt_drops.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_event.h"
#include "runtime/rt_k8s.h"
#include "runtime/rt_proc.h"
#include "runtime/rt_scap.h"
#include "runtime/rt_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FALCOD_VERSION "0.1.0"

/* --- strings and lists ------------------------------------------------------------------- */

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_push(struct strv *l, const char *s)
{
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			abort();
		l->v = v;
		l->cap = cap;
	}
	char *d = strdup(s);
	if (!d)
		abort();
	l->v[l->n++] = d;
	l->v[l->n] = NULL;
}

static void strv_clear(struct strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
	if (l->v)
		l->v[0] = NULL;
}

static void strv_free(struct strv *l)
{
	strv_clear(l);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

/* --- configuration: falco.yaml flattened to dotted keys, then -o overrides ----------------- */

struct conf_entry {
	char *key;                      /* dotted: "file_output.enabled", "rules_file" */
	struct strv vals;               /* one value for a scalar, the items of a sequence */
	bool seq;
};

struct conf {
	struct conf_entry *e;
	size_t n, cap;
};

static struct conf_entry *conf_find(struct conf *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].key, key) == 0)
			return &c->e[i];
	return NULL;
}

static struct conf_entry *conf_put(struct conf *c, const char *key)
{
	struct conf_entry *e = conf_find(c, key);
	if (e) {
		strv_clear(&e->vals);
		return e;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		struct conf_entry *p = realloc(c->e, cap * sizeof(*p));
		if (!p)
			abort();
		c->e = p;
		c->cap = cap;
	}
	e = &c->e[c->n++];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	if (!e->key)
		abort();
	return e;
}

static void conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].key);
		strv_free(&c->e[i].vals);
	}
	free(c->e);
}

static const char *conf_get(struct conf *c, const char *key)
{
	struct conf_entry *e = conf_find(c, key);
	return e && e->vals.n ? e->vals.v[0] : NULL;
}

static void conf_flatten(struct conf *c, const char *prefix, const struct fc_ynode *n)
{
	char key[512];
	if (!n)
		return;
	switch (n->kind) {
	case FC_Y_SCALAR: {
		struct conf_entry *e = conf_put(c, prefix);
		if (!n->scalar.is_null)
			strv_push(&e->vals, n->scalar.s);
		break;
	}
	case FC_Y_SEQ: {
		struct conf_entry *e = conf_put(c, prefix);
		e->seq = true;
		for (size_t i = 0; i < n->seq.n; i++) {
			const struct fc_ynode *it = n->seq.items[i];
			if (it->kind == FC_Y_SCALAR) {
				if (!it->scalar.is_null)
					strv_push(&e->vals, it->scalar.s);
			} else {
				snprintf(key, sizeof(key), "%s[%zu]", prefix, i);
				conf_flatten(c, key, it);
			}
		}
		break;
	}
	case FC_Y_MAP:
		for (size_t i = 0; i < n->map.n; i++) {
			const struct fc_ynode *k = n->map.pairs[i].key;
			if (!k || k->kind != FC_Y_SCALAR)
				continue;
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k->scalar.s);
			conf_flatten(c, key, n->map.pairs[i].value);
		}
		break;
	}
}

/* Reads a falco.yaml. 0, or -1 after printing the problem. */
static int conf_load(struct conf *c, const char *path)
{
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u)
		abort();
	int rc = 0;
	const struct fc_src *src = fc_src_read(u, path);
	struct fc_ydoc *docs = NULL;
	size_t ndocs = 0;
	if (!src || fc_yaml_load(u, src, &docs, &ndocs) != 0) {
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			fc_diag_render(u, d, stderr, false);
		fprintf(stderr, "Error: could not load configuration file %s\n", path);
		rc = -1;
	} else if (ndocs > 0 && docs[0].root && docs[0].root->kind != FC_Y_MAP) {
		fprintf(stderr, "Error: configuration file %s: the top level is not a mapping\n",
			path);
		rc = -1;
	} else if (ndocs > 0) {
		conf_flatten(c, "", docs[0].root);
	}
	fc_unit_free(u);
	return rc;
}

/* -o key=value. Sequences given one value become that one item. */
static int conf_override(struct conf *c, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		fprintf(stderr, "Error: -o expects key=value, got '%s'\n", kv);
		return -1;
	}
	char *key = strndup(kv, (size_t)(eq - kv));
	if (!key)
		abort();
	struct conf_entry *e = conf_put(c, key);
	strv_push(&e->vals, eq + 1);
	free(key);
	return 0;
}

/* Falco's (yaml-cpp's) booleans. */
static int parse_bool(const char *s)
{
	static const char *const t[] = { "true", "yes", "on", "y", "1" };
	static const char *const f[] = { "false", "no", "off", "n", "0" };
	for (size_t i = 0; i < 5; i++) {
		if (strcasecmp(s, t[i]) == 0)
			return 1;
		if (strcasecmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

static int conf_bool(struct conf *c, const char *key, bool def, bool *out)
{
	const char *v = conf_get(c, key);
	*out = def;
	if (!v)
		return 0;
	int b = parse_bool(v);
	if (b < 0) {
		fprintf(stderr, "Error: configuration key %s: '%s' is not a boolean\n", key, v);
		return -1;
	}
	*out = b;
	return 0;
}

/* --- options ----------------------------------------------------------------------------- */

struct opts {
	struct strv rules;              /* -r, in order */
	struct strv validate;           /* -V */
	struct strv disabled;           /* -D substrings */
	struct strv disable_tags;       /* -T */
	struct strv run_tags;           /* -t */
	struct strv overrides;          /* -o */
	const char *conf_file;
	const char *bundle;             /* -b, or rules_bundle of the configuration */
	const char *replay;
	double replay_speed;            /* --replay-speed: 0 as fast as possible */
	const char *capture_out;        /* --capture-out / --capture */
	const char *ready_file;         /* --ready-file */
	long duration;                  /* -M, 0: unlimited */
	bool list_rules, list_fields, all_events, unbuffered, verbose;
	bool no_jit;                    /* --no-jit: interpret conditions */
	bool no_prefilter;              /* --no-prefilter: no in-kernel prefilters (live) */
	const char *list_source;
	struct strv enable_sources;     /* --enable-source */
	struct strv disable_sources;    /* --disable-source */
	const char *k8s_audit;          /* --k8s-audit FILE, or the k8saudit plugin's open_params */
	size_t k8s_max_event_size;      /* the k8saudit plugin's init_config maxEventSize */
	bool src_syscall, src_k8s;      /* the event sources that run */
	/* from falco.yaml and -o */
	bool json, json_output_prop, json_tags_prop, stdout_enabled, file_enabled, file_keep;
	bool iso8601, buffered, prog_enabled, prog_keep;
	const char *file_name;
	const char *program;
	enum fc_priority min_prio;
	enum rt_match_mode match;
	struct rt_drops_conf drops;     /* syscall_event_drops.* (live and replay) */
	uint32_t ringbuf_bytes;         /* syscall_buf_size_preset */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: falcod [options]\n"
		"\n"
		"Falco-compatible runtime: compiles Falco rules and evaluates them on system calls\n"
		"captured live through eBPF (the default; needs root and a kernel with BTF), or\n"
		"replayed from a capture file (--replay).\n"
		"\n"
		"options:\n"
		"  -r FILE|DIR           rules file to load (repeatable; a directory loads its *.yaml\n"
		"                        files in name order). Replaces rules_file of -c\n"
		"  -b BUNDLE             load the rules from a bundle made by falcoc compile instead\n"
		"                        of rules files (its native code linked, live with its\n"
		"                        prefilters);\n"
		"                        reloaded on SIGHUP or when the file changes (a bad new\n"
		"                        bundle is logged and the old rules keep running)\n"
		"  -c FILE               configuration file (falco.yaml); see docs/falcod.md for the\n"
		"                        keys read\n"
		"  -o KEY=VALUE          set a configuration key (dotted, e.g. file_output.enabled=true);\n"
		"                        overrides -c, repeatable\n"
		"  --replay FILE, -e FILE\n"
		"                        replay a capture: falcod's own format (docs/capture.md), or a\n"
		"                        Falco/sysdig .scap (gzip-compressed or not)\n"
		"  --k8s-audit FILE      read Kubernetes audit events (one JSON Event or EventList per\n"
		"                        line) from FILE and run the k8s_audit rules on them, as\n"
		"                        Falco's k8saudit plugin with open_params FILE does; the\n"
		"                        plugins/load_plugins keys of -c are read too\n"
		"  --enable-source SRC   run only the event sources named (repeatable): syscall,\n"
		"                        k8s_audit\n"
		"  --disable-source SRC  do not run event source SRC (repeatable)\n"
		"  --replay-speed X      replay at X times the pace the capture was recorded at\n"
		"                        (default: as fast as possible)\n"
		"  --capture FILE, --capture-out FILE\n"
		"                        also write the state at start and every event to FILE in\n"
		"                        falcod's capture format (live or --replay); replaying FILE\n"
		"                        gives the same alerts\n"
		"  --ready-file FILE     live: create FILE once the capture runs and the /proc scan is\n"
		"                        done (\"Capture started\" is also logged on stderr)\n"
		"  -M SECONDS            stop after SECONDS of run time\n"
		"  -A                    evaluate rules on all events, including those Falco skips by\n"
		"                        default\n"
		"  --no-jit              interpret rule conditions instead of running them as\n"
		"                        JIT-compiled native code (the default; same alerts)\n"
		"  --no-prefilter        live: send every captured event to userspace instead of\n"
		"                        dropping in the kernel those no rule can match and the\n"
		"                        state does not need (the default; same alerts)\n"
		"  -D SUBSTRING          disable rules whose name contains SUBSTRING (repeatable)\n"
		"  -T TAG                disable rules with tag TAG (repeatable)\n"
		"  -t TAG                run only rules with tag TAG (repeatable; not with -D/-T)\n"
		"  -L                    list the loaded rules (name, description) and exit\n"
		"  -V FILE, --validate FILE\n"
		"                        check rules files, as falcoc check does, and exit (repeatable)\n"
		"  --list[=SOURCE]       list the fields conditions and outputs can use, and exit\n"
		"  -U                    unbuffered outputs (alerts are always flushed per line)\n"
		"  -v                    verbose: more information on stderr\n"
		"  --version             print the version and exit\n"
		"  -h, --help            print this help and exit\n"
		"\n"
		"Alerts go to stdout (stdout_output.enabled), a file (file_output.*) and/or a program's\n"
		"stdin (program_output.*), as text or as\n"
		"JSON (json_output=true), one per line. At the end, Falco's statistics go to stdout:\n"
		"\"Events detected: N\", \"Rule counts by severity:\", \"Triggered rules by rule name:\".\n"
		"\n"
		"exit status: 0 success; 1 rules or a bundle that do not load, a bad option or\n"
		"configuration, an unreadable or corrupt capture (after the alerts of every event\n"
		"before the damage), a live capture that cannot start (not root, no BTF, no eBPF),\n"
		"or syscall_event_drops action exit\n");
}

/* --- logging on stderr, Falco's way: "<time>: message" ------------------------------------ */

static bool g_iso8601;

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logmsg(const char *fmt, ...)
{
	char ts[64];
	time_t now = time(NULL);
	struct tm tm;
	if (g_iso8601) {
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S+0000", &tm);
	} else {
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%a %b %e %H:%M:%S %Y", &tm);
	}
	fprintf(stderr, "%s: ", ts);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- rules ------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expands a rules path: a directory gives its *.yaml / *.yml regular files in name order. */
static int expand_rules_path(const char *path, struct strv *out)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		strv_push(out, path);  /* unreadable files are reported by the loader */
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "Error: cannot read rules directory %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct strv names = { 0 };
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		bool yaml = (n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0) ||
			    (n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0);
		if (!yaml)
			continue;
		char *full = malloc(strlen(path) + n + 2);
		if (!full)
			abort();
		sprintf(full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			strv_push(&names, full);
		free(full);
	}
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.n; i++)
		strv_push(out, names.v[i]);
	strv_free(&names);
	return 0;
}

/* Loads and checks files; prints diagnostics like falcoc. Returns the error count. */
static unsigned load_rules(struct fc_unit *u, struct strv *files, struct fc_ruleset **rs,
			   bool warnings)
{
	*rs = fc_load_files(u, (const char *const *)files->v, (int)files->n);
	bool color = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
	for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
		if (d->sev == FC_ERROR || (warnings && d->sev != FC_ERROR))
			fc_diag_render(u, d, stderr, color);
	return fc_diag_count(u, FC_ERROR);
}

static bool rule_has_tag(const struct fc_rule *r, const struct strv *tags)
{
	for (size_t i = 0; i < r->ntags; i++)
		for (size_t j = 0; j < tags->n; j++)
			if (strcmp(r->tags[i], tags->v[j]) == 0)
				return true;
	return false;
}

/* Falco's -D (name substring), -T (tags), -t (only these tags) and priority: applied to the
 * rules' enabled flags before the engine is built. */
static void select_rules(struct fc_ruleset *rs, const struct opts *o)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		struct fc_rule *r = rs->rules[i];
		for (size_t j = 0; j < o->disabled.n; j++)
			if (strstr(r->name, o->disabled.v[j]))
				r->enabled = false;
		if (o->disable_tags.n && rule_has_tag(r, &o->disable_tags))
			r->enabled = false;
		if (o->run_tags.n && !rule_has_tag(r, &o->run_tags))
			r->enabled = false;
		if (r->priority > o->min_prio)
			r->enabled = false;
	}
}

/* -L: Falco's describe_rule table: name in 50 columns, description wrapped at 110. */
static void list_rules(const struct fc_ruleset *rs)
{
	printf("%-50s %s\n", "Rule", "Description");
	printf("%-50s %s\n", "----", "-----------");
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!r->valid)
			continue;
		printf("%-50s ", r->name);
		const char *d = r->desc ? r->desc : "";
		size_t col = 51;
		while (*d) {
			while (*d == ' ' || *d == '\n')
				d++;
			size_t w = strcspn(d, " \n");
			if (!w)
				break;
			if (col > 51 && col + 1 + w > 110) {
				printf("\n%-51s", "");
				col = 51;
			} else if (col > 51) {
				putchar(' ');
				col++;
			}
			fwrite(d, 1, w, stdout);
			col += w;
			d += w;
		}
		printf("\n\n");
	}
}

/* --- alerts and statistics ---------------------------------------------------------------- */

/* One loaded ruleset and the engine built from it. The event loop owns the current one;
 * a reload builds a new one completely, swaps it in between two events, then frees the old
 * one (the engine borrows the unit's ruleset, so they go together). */
struct gen {
	struct fc_unit *u;
	struct fc_ruleset *rs;
	struct rt_engine *e;
	uint64_t *by_rule;              /* alerts, indexed like rs->rules */
	struct fc_prefilter *pf;        /* owned: the in-kernel prefilters of these rules (live),
					 * decoded from a bundle's PREFILTER section at load, else
					 * built from the rules by gen_prefilter; or NULL */
	const char *pf_from;            /* where pf comes from, for the log line */
	char pf_why[128];               /* pf_from when it needs words of its own */
	const void *native;             /* a bundle's NATIVE section (in u), or NULL */
	size_t native_len;
};

struct app {
	struct opts *o;
	struct gen *cur;
	const char *hostname;
	struct rt_engine_options eo;
	struct strv gone;               /* rules of earlier bundles no longer loaded, ... */
	uint64_t *gone_n;               /* ... and their alert counts */
	uint64_t by_prio[FC_PRIO_DEBUG + 1];
	uint64_t total;
	FILE *file;                     /* file output kept open (keep_alive) */
	bool file_failed;
	FILE *prog;                     /* program output kept running (keep_alive) */
	bool prog_failed;
	char *buf;
	size_t buflen;
};

/* Removes the member "key" from the top-level JSON object in s (one line). */
static void json_drop_member(char *s, const char *key)
{
	size_t klen = strlen(key);
	char *p = strchr(s, '{');
	if (!p)
		return;
	p++;
	char *prev_end = NULL;  /* just after the previous member's value */
	while (*p) {
		char *mstart = p;
		while (*p == ' ' || *p == ',')
			p++;
		if (*p != '"')
			return;
		char *kstart = p + 1;
		p++;
		while (*p && *p != '"')
			p += (*p == '\\' && p[1]) ? 2 : 1;
		if (!*p)
			return;
		bool match = (size_t)(p - kstart) == klen && memcmp(kstart, key, klen) == 0;
		p++;
		while (*p == ' ' || *p == ':')
			p++;
		int depth = 0;
		bool str = false;
		for (; *p; p++) {
			if (str) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '"')
					str = false;
				continue;
			}
			if (*p == '"')
				str = true;
			else if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']') {
				if (depth == 0)
					break;
				depth--;
			} else if (*p == ',' && depth == 0)
				break;
		}
		if (match) {
			/* remove [mstart, p) and one comma: the leading one when there was a
			 * member before, else the trailing one */
			char *from = mstart, *to = p;
			if (prev_end == NULL && *to == ',')
				to++;
			memmove(from, to, strlen(to) + 1);
			return;
		}
		prev_end = p;
		if (*p != ',')
			return;
	}
}

static void emit(struct app *a, const char *line, size_t len)
{
	struct opts *o = a->o;
	if (o->stdout_enabled) {
		fwrite(line, 1, len, stdout);
		fflush(stdout);
	}
	if (o->file_enabled && !a->file_failed) {
		if (!a->file) {
			a->file = fopen(o->file_name, "a");
			if (!a->file) {
				fprintf(stderr, "Error: file output %s: %s\n", o->file_name,
					strerror(errno));
				a->file_failed = true;
				return;
			}
		}
		fwrite(line, 1, len, a->file);
		fflush(a->file);
		if (!o->file_keep) {
			fclose(a->file);
			a->file = NULL;
		}
	}
	if (o->prog_enabled && !a->prog_failed) {
		if (!a->prog) {
			fflush(NULL);
			a->prog = popen(o->program, "w");
			if (!a->prog) {
				fprintf(stderr, "Error: program output '%s': %s\n", o->program,
					strerror(errno));
				a->prog_failed = true;
				return;
			}
		}
		fwrite(line, 1, len, a->prog);
		fflush(a->prog);
		if (!o->prog_keep) {
			pclose(a->prog);
			a->prog = NULL;
		}
	}
}

static void on_alert(const struct rt_alert *al, void *user)
{
	struct app *a = user;
	const struct fc_rule *r = al->rule;
	for (size_t i = 0; i < a->cur->rs->nrules; i++)
		if (a->cur->rs->rules[i] == r) {
			a->cur->by_rule[i]++;
			break;
		}
	if (r->priority <= FC_PRIO_DEBUG)
		a->by_prio[r->priority]++;
	a->total++;
	if (!a->o->stdout_enabled && !a->o->file_enabled && !a->o->prog_enabled)
		return;
	FILE *m = open_memstream(&a->buf, &a->buflen);
	if (!m)
		abort();
	rt_alert_print(m, al, a->o->iso8601 ? RT_TIME_ISO8601 : RT_TIME_LOCAL, a->o->json,
		       a->hostname);
	fclose(m);
	if (a->o->json) {
		if (!a->o->json_output_prop)
			json_drop_member(a->buf, "output");
		if (!a->o->json_tags_prop)
			json_drop_member(a->buf, "tags");
	}
	size_t len = strlen(a->buf);
	if (len == 0 || a->buf[len - 1] != '\n') {
		emit(a, a->buf, len);
		emit(a, "\n", 1);
	} else {
		emit(a, a->buf, len);
	}
	free(a->buf);
	a->buf = NULL;
}

/* Falco 0.34's stats_manager::format, on stdout as Falco prints it. */
static void print_stats(const struct app *a)
{
	printf("Events detected: %llu\n", (unsigned long long)a->total);
	printf("Rule counts by severity:\n");
	for (int p = 0; p <= FC_PRIO_DEBUG; p++) {
		if (!a->by_prio[p])
			continue;
		char name[32];
		snprintf(name, sizeof(name), "%s",
			 p == FC_PRIO_INFORMATIONAL ? "Info" : fc_priority_name(p));
		for (char *c = name; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		printf("   %s: %llu\n", name, (unsigned long long)a->by_prio[p]);
	}
	printf("Triggered rules by rule name:\n");
	for (size_t i = 0; i < a->cur->rs->nrules; i++)
		if (a->cur->by_rule[i])
			printf("   %s: %llu\n", a->cur->rs->rules[i]->name,
			       (unsigned long long)a->cur->by_rule[i]);
	for (size_t i = 0; i < a->gone.n; i++)
		if (a->gone_n[i])
			printf("   %s: %llu\n", a->gone.v[i], (unsigned long long)a->gone_n[i]);
	fflush(stdout);
}

/* --- syscall event drops (rt_drops decides, this acts) ----------------------------------- */

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The kernel's counters, as Falco's scap_stats: n_evts counts the drops too. A replay (b
 * NULL) has none, as a Falco reading a trace file. */
static struct rt_drops_counts drops_counts(struct rt_bpf *b)
{
	struct rt_drops_counts c = { 0 };
	if (b) {
		struct rt_bpf_stats st;
		rt_bpf_get_stats(b, &st);
		c.evts = st.events + st.drops;
		c.drops = st.drops;
	}
	return c;
}

/* Falco's internal alert "Falco internal: syscall event drop", priority Debug, dated ts_ns,
 * with Falco's output_fields in their (sorted) order; the per-category counters falcod's
 * kernel side does not keep are 0. Not counted in the statistics. */
static void drops_alert(struct app *a, const char *msg, const struct rt_drops_verdict *v,
			uint64_t ts_ns, bool ebpf)
{
	static const char *const zero[] = {
		"n_drops_buffer_clone_fork_enter", "n_drops_buffer_clone_fork_exit",
		"n_drops_buffer_connect_enter", "n_drops_buffer_connect_exit",
		"n_drops_buffer_dir_file_enter", "n_drops_buffer_dir_file_exit",
		"n_drops_buffer_execve_enter", "n_drops_buffer_execve_exit",
		"n_drops_buffer_open_enter", "n_drops_buffer_open_exit",
		"n_drops_buffer_other_interest_enter", "n_drops_buffer_other_interest_exit",
	};
	struct opts *o = a->o;
	if (!o->stdout_enabled && !o->file_enabled && !o->prog_enabled)
		return;
	/* the event's time: local time of day, or ISO 8601 in UTC ('Z' in JSON, as Falco) */
	time_t sec = (time_t)(ts_ns / 1000000000ull);
	long ns = (long)(ts_ns % 1000000000ull);
	struct tm tm;
	char b[32], tmstr[64];
	if (o->json || o->iso8601) {
		gmtime_r(&sec, &tm);
		strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(tmstr, sizeof(tmstr), "%.20s.%09ld%s", b, ns, o->json ? "Z" : "+0000");
	} else {
		localtime_r(&sec, &tm);
		strftime(b, sizeof(b), "%H:%M:%S", &tm);
		snprintf(tmstr, sizeof(tmstr), "%.20s.%09ld", b, ns);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		abort();
	const char *q = o->json ? "\"" : "";
	const char *sep = o->json ? ":" : "=";
	const char *comma = o->json ? "," : " ";
	unsigned long long drops = (unsigned long long)v->delta.drops;
	/* Falco's n_drops_buffer: every real drop here is a full ring buffer */
	unsigned long long full = drops - (v->simulated ? 1 : 0);
	if (o->json)
		fprintf(m, "{\"hostname\":\"%s\",\"output\":\"%s\",\"output_fields\":{",
			a->hostname, msg);
	else
		fprintf(m, "%s: Debug %s (", tmstr, msg);
	fprintf(m, "%sebpf_enabled%s%s%s%d%s", q, q, sep, q, ebpf ? 1 : 0, q);
	fprintf(m, "%s%sn_drops%s%s%s%llu%s", comma, q, q, sep, q, drops, q);
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		fprintf(m, "%s%s%s%s%s%s0%s", comma, q, zero[i], q, sep, q, q);
	fprintf(m, "%s%sn_drops_buffer_total%s%s%s%llu%s", comma, q, q, sep, q, full, q);
	fprintf(m, "%s%sn_drops_bug%s%s%s0%s", comma, q, q, sep, q, q);
	fprintf(m, "%s%sn_drops_page_faults%s%s%s0%s", comma, q, q, sep, q, q);
	fprintf(m, "%s%sn_drops_scratch_map%s%s%s0%s", comma, q, q, sep, q, q);
	fprintf(m, "%s%sn_evts%s%s%s%llu%s", comma, q, q, sep, q, (unsigned long long)v->delta.evts,
		q);
	if (o->json)
		fprintf(m, "},\"priority\":\"Debug\",\"rule\":\"Falco internal: syscall event "
			   "drop\",\"time\":\"%s\"}\n", tmstr);
	else
		fprintf(m, ")\n");
	fclose(m);
	emit(a, buf, len);
	free(buf);
}

/* Every event goes through here first, as in Falco's event loop: when a check is due (b: the
 * live capture's counters, NULL in a replay), the verdict is acted on. Returns false when the
 * action "exit" ran: the caller stops before evaluating the event, exit status 1.
 * Unlike Falco 0.34, which takes only one of the configured actions (whichever its
 * unordered_set yields first), every configured action is taken: log, alert, then exit (whose
 * log line stands for log's). */
static bool drops_on_event(struct app *a, struct rt_drops *d, uint64_t ts_ns, struct rt_bpf *b)
{
	if (!rt_drops_due(d, ts_ns))
		return true;
	struct rt_drops_counts now = drops_counts(b);
	struct rt_drops_verdict v;
	rt_drops_check(d, ts_ns, &now, &v);
	if (v.simulated)
		logmsg("Simulating syscall event drop");
	if (v.detected && !v.act && a->o->verbose)
		logmsg("Syscall event drop but token bucket depleted, skipping actions");
	if (!v.act)
		return true;
	unsigned acts = d->conf.actions;
	char msg[128];
	snprintf(msg, sizeof(msg), "Falco internal: syscall event drop. %llu system calls dropped "
		 "in last second.", (unsigned long long)v.delta.drops);
	if ((acts & RT_DROP_LOG) && !(acts & RT_DROP_EXIT))
		logmsg("%s", msg);
	if (acts & RT_DROP_ALERT)
		drops_alert(a, msg, &v, ts_ns, b != NULL);
	if (acts & RT_DROP_EXIT) {
		logmsg("%s", msg);
		logmsg("Exiting.");
		return false;
	}
	return true;
}

/* Falco's drop statistics, on stderr, after a replay or a live capture. */
static void drops_print_stats(const struct rt_drops *d)
{
	fprintf(stderr, "Syscall event drop monitoring:\n");
	fprintf(stderr, "   - event drop detected: %llu occurrences\n",
		(unsigned long long)d->detected);
	fprintf(stderr, "   - num times actions taken: %llu\n", (unsigned long long)d->actions);
}

/* --- replay ------------------------------------------------------------------------------ */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

enum capkind { CAP_OURS, CAP_SCAP, CAP_UNKNOWN };

static enum capkind sniff(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CAP_UNKNOWN;
	}
	unsigned char b[8] = { 0 };
	size_t n = fread(b, 1, sizeof(b), f);
	fclose(f);
	if (rt_capture_sniff(b, n))
		return CAP_OURS;
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return CAP_SCAP;        /* gzip: a compressed .scap */
	if (n >= 4 && b[0] == 0x0a && b[1] == 0x0d && b[2] == 0x0d && b[3] == 0x0a)
		return CAP_SCAP;        /* pcapng-style section header block */
	snprintf(err, errlen, "%s: not a capture file (neither falcod's FALCOCAP format nor a .scap)",
		 path);
	return CAP_UNKNOWN;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- rules bundles and their reload ------------------------------------------------------ */

static volatile sig_atomic_t g_hup;

static void on_hup(int sig)
{
	(void)sig;
	g_hup = 1;
}

static void gen_free(struct gen *g)
{
	if (!g)
		return;
	rt_engine_free(g->e);
	fc_unit_free(g->u);
	free(g->by_rule);
	fc_prefilter_free(g->pf);
	free(g);
}

/* Applies -D/-T/-t and the priority to g's rules and builds the engine. */
static void gen_build(struct gen *g, const struct opts *o, const struct rt_engine_options *eo)
{
	select_rules(g->rs, o);
	struct rt_engine_options eo2 = *eo;
	eo2.jit_objects = g->native; /* a bundle's native code, linked instead of compiling */
	eo2.jit_objects_len = g->native_len;
	g->e = rt_engine_new(g->rs, &eo2);
	g->by_rule = calloc(g->rs->nrules ? g->rs->nrules : 1, sizeof(*g->by_rule));
	if (!g->e || !g->by_rule)
		abort(); /* rt_engine_new fails on OOM only */
}

/* Loads and verifies the bundle at path into a fresh unit, and decodes its PREFILTER section
 * (the programs the live capture loads, docs/bundle.md) whatever the mode, so that a bundle is
 * accepted or refused the same way live, in a replay and with --no-prefilter. NULL, with the
 * loader's message (which names the file, the section and the offset) in err, when it is
 * refused. A bundle without a PREFILTER section loads; its prefilters are built from its rules
 * (gen_prefilter). */
static struct gen *gen_load_bundle(const char *path, char *err, size_t errlen)
{
	struct gen *g = calloc(1, sizeof(*g));
	if (!g || !(g->u = fc_unit_new(NULL)))
		abort();
	struct fc_bundle *b = fc_bundle_read_file(g->u, path);
	if (!b) {
		const struct fc_diag *d = fc_diag_list(g->u);
		snprintf(err, errlen, "%s", d ? d->msg : "the bundle could not be loaded");
		gen_free(g);
		return NULL;
	}
	g->rs = fc_bundle_ruleset(b);
	g->native = fc_bundle_section(b, FC_BUNDLE_SEC_NATIVE, &g->native_len);
	size_t plen = 0;
	const void *pdata = fc_bundle_section(b, FC_BUNDLE_SEC_PREFILTER, &plen);
	if (!pdata) {
		g->pf_from = "built from the rules (the bundle has no PREFILTER section)";
		return g;
	}
	long pv = fc_prefilter_blob_version(pdata, plen);
	if (pv >= 0 && pv != FC_PF_BLOB_VERSION) {
		/* made by another falcoc for other kernel-side programs: sound to rebuild from
		 * the bundle's rules, as for a bundle without the section */
		snprintf(g->pf_why, sizeof(g->pf_why), "built from the rules (the bundle's "
			 "PREFILTER section is version %ld, this falcod runs version %u)", pv,
			 FC_PF_BLOB_VERSION);
		g->pf_from = g->pf_why;
		return g;
	}
	char perr[256] = "out of memory";
	g->pf = fc_prefilter_from_blob(pdata, plen, perr, sizeof(perr));
	if (!g->pf) {
		const struct fc_bundle_info *in = fc_bundle_info(b);
		unsigned long long off = 0;
		for (size_t i = 0; i < in->nsections; i++)
			if (in->sections[i].type == FC_BUNDLE_SEC_PREFILTER)
				off = in->sections[i].offset;
		snprintf(err, errlen, "%s: bundle refused: section PREFILTER, offset %llu: the "
				      "prefilter programs do not decode: %s", path, off, perr);
		gen_free(g);
		return NULL;
	}
	g->pf_from = "programs from the bundle";
	return g;
}

/* The prefilters of g for the live capture: the bundle's (decoded at load), else built now
 * from g's rules (rules files, or a bundle without a PREFILTER section), after -D/-T/-t. The
 * bundle's were built by falcoc for every enabled rule of the bundle: -D/-T/-t/priority only
 * disable rules, so they stay sound (docs/bundle.md). NULL on OOM. */
static const struct fc_prefilter *gen_prefilter(struct gen *g)
{
	if (!g->pf) {
		g->pf = fc_prefilter_build(g->rs, NULL);
		if (!g->pf_from)
			g->pf_from = "built from the rules";
	}
	return g->pf;
}

static void gen_log_loaded(const struct gen *g, const char *path, const char *what)
{
	const char *how;
	rt_engine_jit_active(g->e, &how);
	logmsg("%s rules bundle %s: %u rules enabled, on the %s", what, path,
	       rt_engine_rule_count(g->e), how);
}

enum { RELOAD_IDLE, RELOAD_BUILDING, RELOAD_BUILT };

/* Reloading a bundle: SIGHUP or a change of the file (stat once a second: mtime, ctime, size,
 * inode, so that replacing it by rename is seen) starts a build of the new generation; live,
 * in a thread, while the event loop keeps processing records with the current engine; in a
 * replay, at once (the capture waits). The swap happens between two events. */
struct reload {
	const char *path;
	struct stat st;                 /* of the file last loaded or tried */
	double next_stat;
	unsigned tick;
	bool async;
	struct rt_bpf *bpf;             /* live: the capture whose event types follow the rules */
	pthread_t th;
	atomic_int state;
	struct gen *built;              /* RELOAD_BUILT: the new generation, or NULL and err */
	char err[1024];
	const struct opts *o;
	const struct rt_engine_options *eo;
};

static struct reload g_reload;

static bool stat_changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
	       a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec ||
	       a->st_ctim.tv_sec != b->st_ctim.tv_sec || a->st_ctim.tv_nsec != b->st_ctim.tv_nsec;
}

static void *reload_thread(void *arg)
{
	struct reload *rl = arg;
	rl->built = gen_load_bundle(rl->path, rl->err, sizeof(rl->err));
	if (rl->built) {
		gen_build(rl->built, rl->o, rl->eo);
		/* without a PREFILTER section: built here, off the event loop */
		if (rl->bpf && !rl->o->no_prefilter)
			gen_prefilter(rl->built);
	}
	atomic_store(&rl->state, RELOAD_BUILT);
	return NULL;
}

static unsigned live_select(const struct fc_ruleset *rs, bool all_events,
			    bool types[FK_EVENT_COUNT], bool syscalls[FK_MAX_SYSCALLS]);

/* Makes g current: alert counts follow rules by name, the capture's event types follow the
 * new rules, and the old generation is freed. */
static void reload_swap(struct app *a, struct gen *g)
{
	struct gen *old = a->cur;
	for (size_t i = 0; i < g->rs->nrules; i++)
		for (size_t j = 0; j < a->gone.n; j++)
			if (a->gone_n[j] && strcmp(a->gone.v[j], g->rs->rules[i]->name) == 0) {
				g->by_rule[i] += a->gone_n[j];
				a->gone_n[j] = 0;
			}
	for (size_t i = 0; i < old->rs->nrules; i++) {
		if (!old->by_rule[i])
			continue;
		const char *name = old->rs->rules[i]->name;
		size_t j;
		for (j = 0; j < g->rs->nrules; j++)
			if (strcmp(g->rs->rules[j]->name, name) == 0)
				break;
		if (j < g->rs->nrules) {
			g->by_rule[j] += old->by_rule[i];
			continue;
		}
		for (j = 0; j < a->gone.n; j++)
			if (strcmp(a->gone.v[j], name) == 0)
				break;
		if (j == a->gone.n) {
			strv_push(&a->gone, name);
			uint64_t *n = realloc(a->gone_n, a->gone.cap * sizeof(*n));
			if (!n)
				abort();
			a->gone_n = n;
			a->gone_n[j] = 0;
		}
		a->gone_n[j] += old->by_rule[i];
	}
	if (g_reload.bpf) {
		static bool types[FK_EVENT_COUNT], old_sys[FK_MAX_SYSCALLS], sys[FK_MAX_SYSCALLS];
		live_select(old->rs, a->o->all_events, types, old_sys);
		live_select(g->rs, a->o->all_events, types, sys);
		int rc = rt_bpf_set_types(g_reload.bpf, types);
		if (rc < 0)
			logmsg("Error: could not change the captured event types for the new rules: %s",
			       strerror(-rc));
		if (!a->o->no_prefilter) {
			/* the prefilters of the new rules (docs/prefilter.md); built over the old and
			 * the new rules together would be the sound choice for records still in the
			 * ring: until then, none */
			static char perr[16384];
			rt_bpf_prefilter_enable(g_reload.bpf, false);
			const struct fc_prefilter *pf = gen_prefilter(g);
			int np = pf ? rt_bpf_load_prefilter(g_reload.bpf, pf, types, perr, sizeof(perr))
				    : -ENOMEM;
			if (!pf)
				snprintf(perr, sizeof(perr), "%s", strerror(ENOMEM));
			if (np < 0)
				logmsg("Error: prefilters of the new rules not loaded, running without: %s",
				       perr);
			else
				logmsg("Prefilters: %d event types filtered in the kernel, %s", np,
				       g->pf_from);
		}
		if (memcmp(sys, old_sys, sizeof(sys)) != 0)
			logmsg("note: the new rules name syscalls without an event type of their own "
			       "that differ from those captured at start; restart falcod to capture "
			       "them");
	}
	a->cur = g;
	gen_free(old);
	gen_log_loaded(g, g_reload.path, "Reloaded");
}

/* Between two events: starts a reload when asked, swaps in a finished one. */
static void reload_poll(struct app *a)
{
	struct reload *rl = &g_reload;
	if (!rl->path)
		return;
	int state = atomic_load(&rl->state);
	if (state == RELOAD_BUILDING)
		return;
	if (state == RELOAD_BUILT) {
		if (rl->async)
			pthread_join(rl->th, NULL);
		atomic_store(&rl->state, RELOAD_IDLE);
		struct gen *g = rl->built;
		rl->built = NULL;
		if (g)
			reload_swap(a, g);
		else
			logmsg("Error: rules bundle %s refused, the rules already loaded keep "
			       "running: %s", rl->path, rl->err);
		return;
	}
	bool go = false;
	if (g_hup) {
		g_hup = 0;
		go = true;
		logmsg("SIGHUP received: reloading rules bundle %s", rl->path);
	} else if ((++rl->tick & 255) == 0 || rl->async) {
		double now = now_s();
		if (now >= rl->next_stat) {
			rl->next_stat = now + 1.0;
			struct stat st;
			if (stat(rl->path, &st) == 0 && stat_changed(&st, &rl->st)) {
				go = true;
				logmsg("Rules bundle %s changed: reloading", rl->path);
			}
		}
	}
	if (!go)
		return;
	/* what is tried now is not tried again until the file changes again (or SIGHUP) */
	if (stat(rl->path, &rl->st) != 0)
		memset(&rl->st, 0, sizeof(rl->st));
	atomic_store(&rl->state, RELOAD_BUILDING);
	if (!rl->async || pthread_create(&rl->th, NULL, reload_thread, rl) != 0) {
		rl->async = false;
		reload_thread(rl);
		reload_poll(a);
	}
}

/* Waits for a reload in progress at exit, and frees what it built. */
static void reload_fini(void)
{
	if (atomic_load(&g_reload.state) != RELOAD_IDLE && g_reload.async)
		pthread_join(g_reload.th, NULL);
	gen_free(g_reload.built);
	g_reload.built = NULL;
}

/* Sleeps until the wall clock reaches the capture time ts_ns at o->replay_speed; a reload
 * asked for meanwhile is handled. */
static void replay_pace(struct app *a, uint64_t ts0, double t0, uint64_t ts_ns)
{
	double target = t0 + (double)(ts_ns > ts0 ? ts_ns - ts0 : 0) / 1e9 / a->o->replay_speed;
	for (;;) {
		reload_poll(a);
		double left = target - now_s();
		if (left <= 0 || g_stop)
			return;
		if (left > 0.05)
			left = 0.05;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(left * 1e9)};
		nanosleep(&ts, NULL);
	}
}

/* Replays o->replay through the current engine. Returns the exit status. */
static int replay(struct app *a)
{
	struct opts *o = a->o;
	char err[1024] = "";
	enum capkind kind = sniff(o->replay, err, sizeof(err));
	if (kind == CAP_UNKNOWN) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	struct rt_state *st = rt_state_new();
	if (!st)
		abort();
	struct rt_capture_reader *cr = NULL;
	struct rt_scap *sr = NULL;
	struct rt_capture_writer *w = NULL;
	int rc = 0;
	const char *cap_host = NULL;
	uint64_t cap_start = 0;
	if (kind == CAP_OURS) {
		cr = rt_capture_open(o->replay, err, sizeof(err));
		if (!cr || rt_capture_load_state(cr, st) != 0) {
			if (cr)
				snprintf(err, sizeof(err), "%s: %s", o->replay, rt_capture_error(cr));
			fprintf(stderr, "Error: %s\n", err);
			rc = 1;
			goto out;
		}
		cap_host = rt_capture_header(cr)->hostname;
		cap_start = rt_capture_header(cr)->start_ns;
	} else {
		sr = rt_scap_open(o->replay, err, sizeof(err));
		if (!sr || rt_scap_load_state(sr, st, err, sizeof(err)) != 0) {
			fprintf(stderr, "Error: %s%s%s\n", sr ? o->replay : "", sr ? ": " : "", err);
			rc = 1;
			goto out;
		}
		cap_host = rt_state_hostname(st);
	}
	logmsg("Reading system call events from file: %s", o->replay);
	if (o->capture_out) {
		w = rt_capture_writer_new(o->capture_out, cap_host && *cap_host ? cap_host : a->hostname,
					  cap_start, err, sizeof(err));
		int wrc = w ? rt_capture_write_state(w, st) : -1;
		if (wrc) {
			if (w)
				snprintf(err, sizeof(err), "%s: %s", o->capture_out, strerror(-wrc));
			fprintf(stderr, "Error: --capture-out %s\n", err);
			rc = 1;
			goto out;
		}
	}
	double t0 = now_s();
	uint64_t n = 0, pace_ts0 = 0;
	bool first = true, drop_exit = false;
	struct rt_drops drops;
	rt_drops_init(&drops, &o->drops, NULL, wall_ns());
	for (;;) {
		struct rt_event ev;
		const struct fk_event_hdr *h = NULL;
		int got;
		if (cr) {
			got = rt_capture_next(cr, &ev);
			if (got < 0)
				snprintf(err, sizeof(err), "%s: %s", o->replay, rt_capture_error(cr));
			h = got > 0 ? ev.hdr : NULL;
		} else {
			char why[900];
			got = rt_scap_next(sr, &h, why, sizeof(why));
			if (got < 0)
				snprintf(err, sizeof(err), "%s: %s", o->replay, why);
			if (got > 0 && rt_event_decode(&ev, h, h->len, why, sizeof(why)) != 0) {
				snprintf(err, sizeof(err), "%s: event %llu: %s", o->replay,
					 (unsigned long long)rt_scap_event_num(sr), why);
				got = -1;
			}
			if (got > 0)
				ev.num = rt_scap_event_num(sr);
		}
		if (got < 0) {
			rc = 1;
			break;
		}
		if (got == 0)
			break;
		if (first && w == NULL && kind == CAP_SCAP && cap_start == 0)
			cap_start = h->ts_ns;
		if (first)
			pace_ts0 = h->ts_ns;
		first = false;
		if (o->replay_speed > 0)
			replay_pace(a, pace_ts0, t0, h->ts_ns);
		if (w) {
			int wrc = rt_capture_write_event(w, h, ev.num);
			if (wrc) {
				snprintf(err, sizeof(err), "--capture-out %s: %s", o->capture_out,
					 strerror(-wrc));
				rc = 1;
				break;
			}
		}
		if (!drops_on_event(a, &drops, h->ts_ns, NULL)) {
			drop_exit = true;
			break;
		}
		reload_poll(a);
		rt_engine_process(a->cur->e, st, &ev, on_alert, a);
		n++;
		if (g_stop)
			break;
		if (o->duration > 0 && (n & 1023) == 0 && now_s() - t0 >= (double)o->duration)
			break;
	}
	if (o->verbose)
		logmsg("Events read: %llu, elapsed %.3f s", (unsigned long long)n, now_s() - t0);
	drops_print_stats(&drops);
	if (rc)
		fprintf(stderr, "Error: %s\n", err);
	if (drop_exit)
		rc = 1;
	if (w) {
		int wrc = rt_capture_writer_close(w);
		w = NULL;
		if (wrc) {
			fprintf(stderr, "Error: --capture-out %s: %s\n", o->capture_out,
				strerror(-wrc));
			rc = 1;
		}
	}
out:
	if (w)
		rt_capture_writer_abort(w);
	rt_capture_close(cr);
	if (sr)
		rt_scap_close(sr);
	rt_state_free(st);
	return rc;
}

/* --- Kubernetes audit events (the k8s_audit source) -------------------------------------- */

/* A line or event the reader skips: logged, as the k8saudit plugin logs it, and the replay
 * goes on. */
static void k8s_warn(void *user, const char *path, uint64_t line, const char *msg)
{
	(void)user;
	logmsg("[k8saudit] %s:%llu: %s", path, (unsigned long long)line, msg);
}

/* Reads o->k8s_audit and runs every audit event through the k8s_audit rules. Returns the exit
 * status: 1 when the file cannot be opened or read, 0 otherwise (skipped lines included). */
static int replay_k8s(struct app *a)
{
	struct opts *o = a->o;
	char err[1024] = "";
	struct rt_k8s_options ko = {.max_event_size = o->k8s_max_event_size, .warn = k8s_warn};
	struct rt_k8s_reader *r = rt_k8s_reader_open(o->k8s_audit, &ko, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "Error: cannot read Kubernetes audit events: %s\n", err);
		return 1;
	}
	logmsg("Reading Kubernetes audit events from file: %s", o->k8s_audit);
	struct rt_state *st = rt_state_new();
	if (!st)
		abort();
	int rc = 0;
	double t0 = now_s();
	uint64_t n = 0, ts0 = 0;
	for (;;) {
		const struct rt_k8s_event *k;
		int got = rt_k8s_reader_next(r, &k, err, sizeof(err));
		if (got < 0) {
			fprintf(stderr, "Error: %s\n", err);
			rc = 1;
			break;
		}
		if (got == 0)
			break;
		if (n == 0)
			ts0 = k->hdr.ts_ns;
		if (o->replay_speed > 0)
			replay_pace(a, ts0, t0, k->hdr.ts_ns);
		reload_poll(a);
		rt_engine_process_k8s(a->cur->e, st, k, on_alert, a);
		n++;
		if (g_stop)
			break;
		if (o->duration > 0 && now_s() - t0 >= (double)o->duration)
			break;
	}
	if (o->verbose) {
		uint64_t lines, events, skipped;
		rt_k8s_reader_counts(r, &lines, &events, &skipped);
		logmsg("Audit events read: %llu from %llu lines, skipped: %llu, elapsed %.3f s",
		       (unsigned long long)events, (unsigned long long)lines,
		       (unsigned long long)skipped, now_s() - t0);
	}
	rt_k8s_reader_close(r);
	rt_state_free(st);
	return rc;
}

/* --- live capture ------------------------------------------------------------------------ */

/* Event types the state needs whatever the rules say: Falco's "interesting syscalls" for its
 * process, fd and user tables. Those the kernel side has no handler for (pipe, pipe2) would
 * come as GENERIC records, which carry none of what the state reads: live_select leaves them
 * out unless a rule names them. */
static const unsigned live_state_types[] = {
	FK_EVENT_CLONE, FK_EVENT_CLONE3, FK_EVENT_FORK, FK_EVENT_VFORK,
	FK_EVENT_EXECVE, FK_EVENT_EXECVEAT, FK_EVENT_PROCEXIT,
	FK_EVENT_OPEN, FK_EVENT_OPENAT, FK_EVENT_OPENAT2, FK_EVENT_CREAT,
	FK_EVENT_CLOSE, FK_EVENT_DUP, FK_EVENT_DUP2, FK_EVENT_DUP3, FK_EVENT_FCNTL,
	FK_EVENT_SOCKET, FK_EVENT_CONNECT, FK_EVENT_ACCEPT, FK_EVENT_ACCEPT4, FK_EVENT_BIND,
	FK_EVENT_PIPE, FK_EVENT_PIPE2, FK_EVENT_MEMFD_CREATE, FK_EVENT_CHDIR, FK_EVENT_FCHDIR,
	FK_EVENT_CHROOT, FK_EVENT_SETUID, FK_EVENT_SETGID, FK_EVENT_SETREUID, FK_EVENT_SETREGID,
	FK_EVENT_SETRESUID, FK_EVENT_SETRESGID, FK_EVENT_SETSID, FK_EVENT_SETPGID,
};

/* What to capture: the event types some enabled syscall rule can match (the union of their
 * fc_evtset), plus the state's. A rule that can match any type (no evt.type test) makes every
 * type the kernel builds wanted; every other syscall (GENERIC) only with -A. Syscalls that
 * rules name but that have no event type of their own go into syscalls[] (GENERIC). Returns
 * the number of syscalls captured. */
static unsigned live_select(const struct fc_ruleset *rs, bool all_events,
			    bool types[FK_EVENT_COUNT], bool syscalls[FK_MAX_SYSCALLS])
{
	struct fc_evtset u;
	memset(&u, 0, sizeof(u));
	bool any = false;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!r->valid || !r->enabled || r->src != FC_SRC_SYSCALL)
			continue;
		struct fc_evtset t, f;
		fc_evtset_of(r->ast, &t, &f);
		if (fc_evtset_count(&t) == FC_EVT_COUNT)
			any = true;
		for (int w = 0; w < FC_EVTSET_WORDS; w++)
			u.w[w] |= t.w[w];
	}
	memset(types, 0, FK_EVENT_COUNT * sizeof(bool));
	memset(syscalls, 0, FK_MAX_SYSCALLS * sizeof(bool));
	for (size_t i = 0; i < sizeof(live_state_types) / sizeof(live_state_types[0]); i++)
		if (rt_bpf_has_handler(live_state_types[i]))
			types[live_state_types[i]] = true;
	for (unsigned k = 0; k < FK_EVENT_COUNT; k++) {
		const struct rt_event_info *info = rt_event_info(k);
		if (!info || (info->flags & (FK_EF_ENTER | FK_EF_GENERIC)))
			continue;
		if (any && rt_bpf_has_handler(k))
			types[k] = true;
		int x = fc_evttype_lookup(info->name, strlen(info->name));
		if (x >= 0 && fc_evtset_has(&u, x))
			types[k] = true;
	}
	if (all_events)
		types[FK_EVENT_GENERIC] = true;
	unsigned n = 0;
	for (unsigned nr = 0; nr < FK_MAX_SYSCALLS; nr++) {
		const char *name = rt_bpf_syscall_name(nr);
		if (!name)
			continue;
		int x = fc_evttype_lookup(name, strlen(name));
		unsigned t = rt_bpf_syscall_event(nr);
		if (t == FK_EVENT_GENERIC) {
			int ft = rt_event_type_lookup(name, false);
			if (ft >= 0 && types[ft])
				t = (unsigned)ft;       /* captured as GENERIC through its type */
		}
		if (x >= 0 && fc_evtset_has(&u, x) && t == FK_EVENT_GENERIC)
			syscalls[nr] = true;
		if (syscalls[nr] || types[t])
			n++;
	}
	return n;
}

/* The state's cwd of a process changed, or the process left: the kernel resolves its
 * relative paths against the same string (docs/prefilter.md, "Relative paths"). */
static void live_cwd_hook(void *ctx, uint32_t tgid, const struct rt_thread *m)
{
	struct rt_bpf *b = ctx;
	if (m)
		rt_bpf_pf_cwd_publish(b, tgid, m->cwd_birth, m->cwd_seq, m->cwd);
	else
		rt_bpf_pf_cwd_forget(b, tgid);
}

struct live {
	struct app *a;
	struct rt_state *st;
	struct rt_capture_writer *w;
	int werr;                       /* the writer's first error, -errno */
	uint64_t seen, decoded, undecodable, enriched;
	uint64_t num;
	struct rt_event_builder eb;
	struct rt_bpf *b;
	struct rt_drops drops;
	bool exit_now;                  /* a drop action "exit" */
};

/* /proc/TID/cgroup as the cgroups parameter: NUL-separated "subsys=path" entries, one per v1
 * controller, "=path" for the v2 line. Returns the length, 0 when unreadable. */
static size_t live_read_cgroups(uint32_t tid, char *out, size_t cap)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%u/cgroup", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *cpath = c2 + 1;
		char *save = NULL, *list = c1 + 1;
		bool one = false;
		for (char *ss = strtok_r(list, ",", &save);; ss = strtok_r(NULL, ",", &save)) {
			if (!ss && one)
				break;
			one = true;
			int w = snprintf(out + n, cap - n, "%s=%s", ss ? ss : "", cpath);
			if (w < 0 || (size_t)w + 1 > cap - n) {
				fclose(f);
				return n;
			}
			n += (size_t)w + 1;
			if (!ss)
				break;
		}
	}
	fclose(f);
	return n;
}

/* Whether the state already has a cwd for the thread of ev (a successful execve: its
 * process's; a clone child: the one it takes from its caller, rt_thread_cwd as the state's
 * copy does). */
static bool live_cwd_known(struct live *l, const struct rt_event *ev, bool child)
{
	const struct fk_event_hdr *h = ev->hdr;
	struct rt_thread *t = rt_thread_lookup(l->st, h->tid);
	if (!t && child) {
		int64_t ptid;
		if (rt_param_s64(ev, "ptid", &ptid) && ptid > 0)
			t = rt_thread_lookup(l->st, ptid);
	}
	const char *cwd = t ? rt_thread_cwd(l->st, t) : NULL;
	return cwd && cwd[0];
}

/* The kernel side does not capture cwd and cgroups (docs/capture-bpf.md). For a successful
 * execve and for the child's side of a clone, fill them from /proc/TID when the process is
 * still there, so that container.id follows; the record is rebuilt, and the capture file gets
 * the rebuilt one (a replay sees what live saw). The cwd only when the state has none for the
 * thread: as Falco's drivers send none, a process takes its caller's, which chdir records
 * then update; and the kernel resolves relative paths against that very string
 * (docs/prefilter.md, "Relative paths"). Returns the record to use. */
static const struct fk_event_hdr *live_enrich(struct live *l, struct rt_event *ev)
{
	const struct fk_event_hdr *h = ev->hdr;
	unsigned t = h->type;
	bool exec = (t == FK_EVENT_EXECVE || t == FK_EVENT_EXECVEAT) && h->res == 0;
	bool child = (t == FK_EVENT_CLONE || t == FK_EVENT_CLONE3 || t == FK_EVENT_FORK ||
		      t == FK_EVENT_VFORK) && h->res == 0;
	if (!exec && !child)
		return h;
	int icg = rt_event_param_index(t, "cgroups");
	int icwd = rt_event_param_index(t, "cwd");
	bool need_cg = icg >= 0 && (unsigned)icg < ev->nparams && ev->plen[icg] == 0;
	bool need_cwd = icwd >= 0 && (unsigned)icwd < ev->nparams && ev->plen[icwd] == 0 &&
			!live_cwd_known(l, ev, child);
	if (!need_cg && !need_cwd)
		return h;
	static char cg[8192];
	char cwd[4097], path[64];
	size_t cglen = need_cg ? live_read_cgroups(h->tid, cg, sizeof(cg)) : 0;
	size_t cwdlen = 0;
	if (need_cwd) {
		snprintf(path, sizeof(path), "/proc/%u/cwd", h->tid);
		ssize_t r = readlink(path, cwd, sizeof(cwd) - 2);
		if (r > 0) {
			if (cwd[r - 1] != '/')
				cwd[r++] = '/';
			cwd[r] = '\0';
			cwdlen = (size_t)r + 1;
		}
	}
	if (!cglen && !cwdlen)
		return h;
	rt_event_builder_begin(&l->eb, t, h->ts_ns, h->tid, h->tgid, h->res);
	for (unsigned i = 0; i < ev->nparams; i++) {
		if ((int)i == icg && cglen)
			rt_event_builder_add(&l->eb, cg, (uint16_t)cglen);
		else if ((int)i == icwd && cwdlen)
			rt_event_builder_add(&l->eb, cwd, (uint16_t)cwdlen);
		else
			rt_event_builder_add(&l->eb, ev->param[i], ev->plen[i]);
	}
	const struct fk_event_hdr *nh = rt_event_builder_finish(&l->eb);
	struct rt_event nev;
	char err[256];
	if (rt_event_decode(&nev, nh, nh->len, err, sizeof(err)) != 0)
		return h;
	*ev = nev;
	l->enriched++;
	return nh;
}

static int live_on_record(const struct fk_event_hdr *rec, void *ctx)
{
	struct live *l = ctx;
	struct rt_event ev;
	char err[256];
	l->seen++;
	if (!drops_on_event(l->a, &l->drops, rec->ts_ns, l->b)) {
		l->exit_now = true;
		return 1;
	}
	if (rt_event_decode(&ev, rec, rec->len, err, sizeof(err)) != 0) {
		l->undecodable++;
		if (l->a->o->verbose && l->undecodable <= 10)
			logmsg("skipping a record that does not decode (type %u): %s", rec->type, err);
		return 0;
	}
	l->decoded++;
	const struct fk_event_hdr *h = live_enrich(l, &ev);
	ev.num = ++l->num;
	if (l->w && !l->werr) {
		int wrc = rt_capture_write_event(l->w, h, ev.num);
		if (wrc) {
			l->werr = wrc;
			fprintf(stderr, "Error: --capture %s: %s; no more events are written\n",
				l->a->o->capture_out, strerror(-wrc));
		}
	}
	rt_engine_process(l->a->cur->e, l->st, &ev, on_alert, l->a);
	return 0;
}

/* Live capture through eBPF until SIGINT/SIGTERM, -M or a drop action "exit". Returns the
 * exit status; prints the statistics when the capture ran. */
static int live(struct app *a)
{
	struct opts *o = a->o;
	static char err[16384];
	static bool types[FK_EVENT_COUNT], syscalls[FK_MAX_SYSCALLS];
	if (rt_bpf_probe(err, sizeof(err)) < 0) {
		fprintf(stderr, "Error: cannot start the live capture: %s\n", err);
		return 1;
	}
	unsigned nsys = live_select(a->cur->rs, o->all_events, types, syscalls);
	struct rt_bpf_opts bo = {
		.types = types,
		.syscalls = syscalls,
		.ignore_tgid = (uint32_t)getpid(),
		.ringbuf_bytes = o->ringbuf_bytes,
	};
	struct rt_bpf *b = NULL;
	int rc = rt_bpf_open(&b, &bo, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "Error: cannot start the live capture: %s\n", err);
		return 1;
	}
	if (!o->no_prefilter) {
		/* docs/prefilter.md: a bundle's own programs, else built from every valid enabled
		 * rule (a superset of what the engine runs, so still sound); a rejection is an
		 * error, not a silent fallback */
		const struct fc_prefilter *pf = gen_prefilter(a->cur);
		int np = pf ? rt_bpf_load_prefilter(b, pf, types, err, sizeof(err)) : -ENOMEM;
		if (!pf)
			snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
		if (np < 0) {
			fprintf(stderr, "Error: cannot load the prefilters (%s; --no-prefilter to "
					"run without): %s\n", a->cur->pf_from, err);
			rt_bpf_free(b);
			return 1;
		}
		logmsg("Prefilters: %d event types filtered in the kernel, %s", np,
		       a->cur->pf_from);
		/* off until the /proc scan is done: an fd whose open the kernel dropped during
		 * the scan could be read from /proc/PID/fd, and the kernel would then drop the
		 * close of an fd userspace knows */
		rt_bpf_prefilter_enable(b, false);
	}
	logmsg("Opening capture with the eBPF probe (%u syscalls, %u KiB ring buffer)", nsys,
	       o->ringbuf_bytes >> 10);

	struct live l;
	memset(&l, 0, sizeof(l));
	l.a = a;
	g_reload.bpf = b;
	g_reload.async = true;
	l.st = rt_state_new();
	if (!l.st)
		abort();
	rt_state_set_hostname(l.st, a->hostname);
	if (!o->no_prefilter)
		rt_state_set_cwd_hook(l.st, live_cwd_hook, b);
	/* the capture runs first: what happens during the scan waits in the ring */
	if (rt_proc_scan_flags(l.st, "/proc", RT_PROC_SKIP_SELF, err, sizeof(err)) < 0) {
		fprintf(stderr, "Error: scanning /proc: %s\n", err);
		rc = 1;
		goto out;
	}
	if (!o->no_prefilter)
		rt_bpf_prefilter_enable(b, true);
	if (rt_state_load_users(l.st, NULL) < 0 && o->verbose)
		logmsg("note: could not read /etc/passwd or /etc/group: user names are unknown");
	if (o->capture_out) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		l.w = rt_capture_writer_new(o->capture_out, a->hostname,
					    (uint64_t)now.tv_sec * 1000000000ull +
						    (uint64_t)now.tv_nsec,
					    err, sizeof(err));
		int wrc = l.w ? rt_capture_write_state(l.w, l.st) : -1;
		if (wrc) {
			if (l.w)
				snprintf(err, sizeof(err), "%s: %s", o->capture_out, strerror(-wrc));
			fprintf(stderr, "Error: --capture %s\n", err);
			rc = 1;
			goto out;
		}
	}
	if (o->verbose) {
		struct rt_state_stats ss;
		rt_state_stats(l.st, &ss);
		logmsg("/proc scan: %llu threads, %llu fds", (unsigned long long)ss.threads,
		       (unsigned long long)ss.fds);
	}
	l.b = b;
	struct rt_drops_counts c0 = drops_counts(b);
	rt_drops_init(&l.drops, &o->drops, &c0, wall_ns());
	double t0 = now_s();
	logmsg("Capture started");
	if (o->ready_file) {
		int fd = open(o->ready_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "Error: --ready-file %s: %s\n", o->ready_file, strerror(errno));
			rc = 1;
			goto out;
		}
		dprintf(fd, "%d\n", (int)getpid());
		close(fd);
	}
	while (!g_stop && !l.exit_now) {
		int r = rt_bpf_poll(b, 50, live_on_record, &l);
		reload_poll(a);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "Error: reading the ring buffer: %s\n", strerror(-r));
			rc = 1;
			break;
		}
		/* a poll without records stands for an event at the wall clock's time: Falco
		 * checks drops on events only, and a quiet system would never be checked */
		if (r == 0 && !drops_on_event(a, &l.drops, wall_ns(), b))
			l.exit_now = true;
		double now = now_s();
		if (o->duration > 0 && now - t0 >= (double)o->duration)
			break;
	}
	if (!rc && !l.exit_now) /* what is already in the ring */
		rt_bpf_poll(b, 0, live_on_record, &l);
	if (l.exit_now)
		rc = 1;

	struct rt_bpf_stats st;
	rt_bpf_get_stats(b, &st);
	double el = now_s() - t0;
	if (!o->no_prefilter)
		fprintf(stderr, "Prefilter: kept %llu, dropped %llu in the kernel\n",
			(unsigned long long)st.pf_kept, (unsigned long long)st.pf_dropped);
	fprintf(stderr, "Driver Events:%llu\nDriver Drops:%llu\n",
		(unsigned long long)(st.events + st.drops), (unsigned long long)st.drops);
	fprintf(stderr, "Elapsed time: %.3f, Captured Events: %llu, %.2f eps\n", el,
		(unsigned long long)l.seen, el > 0 ? (double)l.seen / el : 0.0);
	fprintf(stderr, "Events seen: %llu, decoded: %llu, undecodable (skipped): %llu, "
			"dropped by the kernel (ring buffer full): %llu, alerts: %llu\n",
		(unsigned long long)l.seen, (unsigned long long)l.decoded,
		(unsigned long long)l.undecodable, (unsigned long long)st.drops,
		(unsigned long long)a->total);
	drops_print_stats(&l.drops);
	print_stats(a);
	if (l.w) {
		int wrc = l.werr ? l.werr : rt_capture_writer_close(l.w);
		if (l.werr)
			rt_capture_writer_abort(l.w);
		l.w = NULL;
		if (wrc) {
			fprintf(stderr, "Error: --capture %s: %s\n", o->capture_out, strerror(-wrc));
			rc = 1;
		}
	}
out:
	if (l.w)
		rt_capture_writer_abort(l.w);
	reload_fini();
	g_reload.bpf = NULL;
	rt_bpf_free(b);
	rt_event_builder_fini(&l.eb);
	rt_state_free(l.st);
	return rc;
}

/* --- main -------------------------------------------------------------------------------- */

static int need_arg(int argc, char **argv, int *i, const char **out)
{
	const char *a = argv[*i];
	if (*i + 1 >= argc) {
		fprintf(stderr, "Error: option %s needs an argument\n\n", a);
		usage(stderr);
		return -1;
	}
	*out = argv[++*i];
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o, int *exit_now)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (strcmp(a, "-r") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			strv_push(&o->rules, v);
		} else if (strcmp(a, "-c") == 0) {
			if (need_arg(argc, argv, &i, &o->conf_file))
				return -1;
		} else if (strcmp(a, "-b") == 0 || strcmp(a, "--bundle") == 0) {
			if (need_arg(argc, argv, &i, &o->bundle))
				return -1;
		} else if (strcmp(a, "--replay-speed") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			char *end;
			o->replay_speed = strtod(v, &end);
			if (*end || end == v || !(o->replay_speed > 0) || !isfinite(o->replay_speed)) {
				fprintf(stderr, "Error: --replay-speed expects a positive number, got "
						"'%s'\n", v);
				return -1;
			}
		} else if (strcmp(a, "-o") == 0 || strncmp(a, "-o", 2) == 0) {
			if (a[2])
				v = a + 2;
			else if (need_arg(argc, argv, &i, &v))
				return -1;
			strv_push(&o->overrides, v);
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--validate") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			strv_push(&o->validate, v);
		} else if (strncmp(a, "--validate=", 11) == 0) {
			strv_push(&o->validate, a + 11);
		} else if (strcmp(a, "-D") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			strv_push(&o->disabled, v);
		} else if (strcmp(a, "-T") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			strv_push(&o->disable_tags, v);
		} else if (strcmp(a, "-t") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			strv_push(&o->run_tags, v);
		} else if (strcmp(a, "-M") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			char *end;
			o->duration = strtol(v, &end, 10);
			if (*end || o->duration < 0) {
				fprintf(stderr, "Error: -M expects a number of seconds, got '%s'\n", v);
				return -1;
			}
		} else if (strcmp(a, "--k8s-audit") == 0) {
			if (need_arg(argc, argv, &i, &o->k8s_audit))
				return -1;
		} else if (strncmp(a, "--k8s-audit=", 12) == 0) {
			o->k8s_audit = a + 12;
		} else if (strcmp(a, "--enable-source") == 0 || strcmp(a, "--disable-source") == 0) {
			if (need_arg(argc, argv, &i, &v))
				return -1;
			strv_push(a[2] == 'e' ? &o->enable_sources : &o->disable_sources, v);
		} else if (strncmp(a, "--enable-source=", 16) == 0) {
			strv_push(&o->enable_sources, a + 16);
		} else if (strncmp(a, "--disable-source=", 17) == 0) {
			strv_push(&o->disable_sources, a + 17);
		} else if (strcmp(a, "--replay") == 0 || strcmp(a, "-e") == 0) {
			if (need_arg(argc, argv, &i, &o->replay))
				return -1;
		} else if (strncmp(a, "--replay=", 9) == 0) {
			o->replay = a + 9;
		} else if (strcmp(a, "--capture-out") == 0 || strcmp(a, "--capture") == 0) {
			if (need_arg(argc, argv, &i, &o->capture_out))
				return -1;
		} else if (strncmp(a, "--capture-out=", 14) == 0) {
			o->capture_out = a + 14;
		} else if (strncmp(a, "--capture=", 10) == 0) {
			o->capture_out = a + 10;
		} else if (strcmp(a, "--ready-file") == 0) {
			if (need_arg(argc, argv, &i, &o->ready_file))
				return -1;
		} else if (strncmp(a, "--ready-file=", 13) == 0) {
			o->ready_file = a + 13;
		} else if (strcmp(a, "-L") == 0) {
			o->list_rules = true;
		} else if (strcmp(a, "--list") == 0) {
			o->list_fields = true;
		} else if (strncmp(a, "--list=", 7) == 0) {
			o->list_fields = true;
			o->list_source = a + 7;
		} else if (strcmp(a, "-A") == 0) {
			o->all_events = true;
		} else if (strcmp(a, "--no-prefilter") == 0) {
			o->no_prefilter = true;
		} else if (strcmp(a, "--no-jit") == 0) {
			o->no_jit = true;
		} else if (strcmp(a, "-U") == 0 || strcmp(a, "--unbuffered") == 0) {
			o->unbuffered = true;
		} else if (strcmp(a, "-v") == 0) {
			o->verbose = true;
		} else if (strcmp(a, "--version") == 0) {
			printf("falcod version: %s\nEngine version: %s\nEvent ABI: %d\n"
			       "Capture format: %d\n",
			       FALCOD_VERSION, FC_ENGINE_VERSION, FK_ABI_VERSION, RT_CAPTURE_VERSION);
			*exit_now = 1;
			return 0;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			*exit_now = 1;
			return 0;
		} else {
			fprintf(stderr, "Error: unknown option '%s'\n\n", a);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

static int conf_double(struct conf *c, const char *key, double def, double *out)
{
	const char *v = conf_get(c, key);
	*out = def;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(d) || d < 0) {
		fprintf(stderr, "Error: configuration key %s: '%s' is not a non-negative number\n",
			key, v);
		return -1;
	}
	*out = d;
	return 0;
}

/* A list given as a YAML sequence, or as one "[a, b]" value (-o key=[a, b]), into out. */
static void conf_list(struct conf_entry *e, struct strv *out)
{
	for (size_t i = 0; e && i < e->vals.n; i++) {
		const char *v = e->vals.v[i];
		if (e->vals.n == 1 && v[0] == '[') {
			char *cp = strdup(v + 1), *save = NULL;
			if (!cp)
				abort();
			cp[strcspn(cp, "]")] = '\0';
			for (char *t = strtok_r(cp, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
				strv_push(out, t);
			free(cp);
		} else {
			strv_push(out, v);
		}
	}
}

/* syscall_event_drops.* and syscall_buf_size_preset, checked as Falco checks them (actions,
 * threshold in [0, 1]). Without the actions key, Falco's falco.yaml defaults: actions
 * [log, alert], threshold .1, rate .03333, max_burst 1; 8 MiB. */
static int apply_drop_conf(struct conf *c, struct opts *o)
{
	struct rt_drops_conf *d = &o->drops;
	struct conf_entry *e = conf_find(c, "syscall_event_drops.actions");
	if (!e) {
		d->actions = RT_DROP_LOG | RT_DROP_ALERT;
	} else {
		struct strv acts = { 0 };
		char why[256];
		conf_list(e, &acts);
		int r = rt_drops_parse_actions((const char *const *)acts.v, acts.n, &d->actions, why,
					       sizeof(why));
		strv_free(&acts);
		if (r) {
			fprintf(stderr, "Error: configuration key syscall_event_drops.actions: %s\n",
				why);
			return -1;
		}
	}
	const char *t = conf_get(c, "syscall_event_drops.threshold");
	d->threshold = 0.1;
	if (t) {
		char *end;
		errno = 0;
		d->threshold = strtod(t, &end);
		if (end == t || *end || errno || !rt_drops_threshold_is_valid(d->threshold)) {
			fprintf(stderr, "Error: configuration key syscall_event_drops.threshold: '%s': "
					"syscall event drops threshold must be a double in the range "
					"[0, 1]\n", t);
			return -1;
		}
	}
	if (conf_double(c, "syscall_event_drops.rate", 0.03333, &d->rate) ||
	    conf_double(c, "syscall_event_drops.max_burst", 1, &d->max_burst) ||
	    conf_bool(c, "syscall_event_drops.simulate_drops", false, &d->simulate))
		return -1;
	const char *p = conf_get(c, "syscall_buf_size_preset");
	o->ringbuf_bytes = 8u << 20;
	if (p) {
		char *end;
		long n = strtol(p, &end, 10);
		if (end == p || *end || n < 1 || n > 10) {
			fprintf(stderr, "Error: configuration key syscall_buf_size_preset: '%s' is not "
					"an integer from 1 to 10\n", p);
			return -1;
		}
		o->ringbuf_bytes = (1u << 20) << (n - 1);
	}
	return 0;
}

/* Reads the configuration keys falcod applies. 0, or -1 after printing the problem. */
static int apply_conf(struct conf *c, struct opts *o)
{
	if (conf_bool(c, "json_output", false, &o->json) ||
	    conf_bool(c, "json_include_output_property", true, &o->json_output_prop) ||
	    conf_bool(c, "json_include_tags_property", true, &o->json_tags_prop) ||
	    conf_bool(c, "stdout_output.enabled", true, &o->stdout_enabled) ||
	    conf_bool(c, "file_output.enabled", false, &o->file_enabled) ||
	    conf_bool(c, "file_output.keep_alive", false, &o->file_keep) ||
	    conf_bool(c, "time_format_iso_8601", false, &o->iso8601) ||
	    conf_bool(c, "buffered_outputs", false, &o->buffered) ||
	    conf_bool(c, "program_output.enabled", false, &o->prog_enabled) ||
	    conf_bool(c, "program_output.keep_alive", false, &o->prog_keep))
		return -1;
	o->program = conf_get(c, "program_output.program");
	if (o->prog_enabled && (!o->program || !*o->program)) {
		fprintf(stderr, "Error: program_output is enabled but program_output.program is "
				"empty\n");
		return -1;
	}
	o->file_name = conf_get(c, "file_output.filename");
	if (o->file_enabled && (!o->file_name || !*o->file_name)) {
		fprintf(stderr, "Error: file_output is enabled but file_output.filename is empty\n");
		return -1;
	}
	const char *p = conf_get(c, "priority");
	o->min_prio = FC_PRIO_DEBUG;
	if (p && !fc_priority_parse(p, &o->min_prio)) {
		fprintf(stderr, "Error: Unknown priority \"%s\"--must be one of emergency, alert, "
				"critical, error, warning, notice, informational, debug\n", p);
		return -1;
	}
	if (apply_drop_conf(c, o))
		return -1;
	const char *m = conf_get(c, "rule_matching");
	o->match = RT_MATCH_FIRST;
	if (m && strcasecmp(m, "all") == 0)
		o->match = RT_MATCH_ALL;
	else if (m && strcasecmp(m, "first") != 0) {
		fprintf(stderr, "Error: rule_matching must be 'first' or 'all', not '%s'\n", m);
		return -1;
	}
	return 0;
}

static bool strv_has(const struct strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* Falco's plugins: and load_plugins: keys. falcod loads no plugin library: it implements the
 * k8saudit plugin (the k8s_audit source, reading open_params as a file of audit events) and
 * the json plugin (json.* fields) natively, and refuses any other plugin. As in Falco, without
 * load_plugins every plugin listed is loaded, with it only those it names. Then the event
 * sources: syscall always exists, k8s_audit with k8saudit or --k8s-audit; --enable-source
 * keeps only those named, --disable-source drops some. 0, or -1 after printing the problem. */
static int apply_plugins_conf(struct conf *c, struct opts *o)
{
	struct strv load = { 0 };
	struct conf_entry *le = conf_find(c, "load_plugins");
	conf_list(le, &load);
	int rc = -1;
	size_t nplugins = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t idx;
		if (sscanf(c->e[i].key, "plugins[%zu]", &idx) == 1 && idx + 1 > nplugins)
			nplugins = idx + 1;
	}
	for (size_t i = 0; i < nplugins; i++) {
		char key[64];
		snprintf(key, sizeof(key), "plugins[%zu].name", i);
		const char *name = conf_get(c, key);
		if (!name || !*name) {
			fprintf(stderr, "Error: configuration key plugins[%zu]: a plugin needs a name\n",
				i);
			goto out;
		}
		if (le && !strv_has(&load, name))
			continue;
		snprintf(key, sizeof(key), "plugins[%zu].library_path", i);
		const char *lib = conf_get(c, key);
		if (strcmp(name, "json") == 0) {
			logmsg("Plugin json: implemented natively by falcod (json.* and jevt.* fields); "
			       "library %s not loaded", lib ? lib : "(none)");
			continue;
		}
		if (strcmp(name, "k8saudit") != 0) {
			fprintf(stderr, "Error: plugin '%s' (plugins[%zu]) is not supported: falcod loads "
					"no plugin libraries; it implements the k8saudit and json plugins "
					"natively\n", name, i);
			goto out;
		}
		snprintf(key, sizeof(key), "plugins[%zu].open_params", i);
		const char *params = conf_get(c, key);
		while (params && (*params == ' ' || *params == '\t'))
			params++;
		if ((!params || !*params) && o->k8s_audit) {
			params = o->k8s_audit; /* --k8s-audit gives it */
		} else if (!params || !*params) {
			fprintf(stderr, "Error: plugin k8saudit: open_params is empty: give the file of "
					"audit events (-o plugins[%zu].open_params=FILE)\n", i);
			goto out;
		}
		if (strncmp(params, "http://", 7) == 0 || strncmp(params, "https://", 8) == 0) {
			fprintf(stderr, "Error: plugin k8saudit: open_params %s: the webhook server is "
					"not implemented by falcod; give a file of audit events\n", params);
			goto out;
		}
		snprintf(key, sizeof(key), "plugins[%zu].init_config.maxEventSize", i);
		const char *mes = conf_get(c, key);
		if (mes) {
			char *end;
			unsigned long long n = strtoull(mes, &end, 10);
			if (*end || end == mes || n == 0) {
				fprintf(stderr, "Error: configuration key %s: '%s' is not a positive "
						"number\n", key, mes);
				goto out;
			}
			o->k8s_max_event_size = (size_t)n;
		}
		if (!o->k8s_audit)
			o->k8s_audit = params;
		logmsg("Plugin k8saudit: implemented natively by falcod (source k8s_audit); library "
		       "%s not loaded", lib ? lib : "(none)");
	}
	o->src_syscall = true;
	o->src_k8s = o->k8s_audit != NULL;
	for (size_t i = 0; i < o->enable_sources.n + o->disable_sources.n; i++) {
		bool en = i < o->enable_sources.n;
		const char *s = en ? o->enable_sources.v[i] : o->disable_sources.v[i - o->enable_sources.n];
		if (strcmp(s, "syscall") != 0 && (strcmp(s, "k8s_audit") != 0 || !o->k8s_audit)) {
			fprintf(stderr, "Error: Attempted %s an unknown event source: %s (sources: "
					"syscall%s)\n", en ? "enabling" : "disabling", s,
				o->k8s_audit ? ", k8s_audit" : "; k8s_audit needs the k8saudit plugin "
							       "or --k8s-audit FILE");
			goto out;
		}
	}
	if (o->enable_sources.n) {
		o->src_syscall = strv_has(&o->enable_sources, "syscall");
		o->src_k8s = strv_has(&o->enable_sources, "k8s_audit");
	}
	if (strv_has(&o->disable_sources, "syscall"))
		o->src_syscall = false;
	if (strv_has(&o->disable_sources, "k8s_audit"))
		o->src_k8s = false;
	if (!o->src_syscall && !o->src_k8s) {
		fprintf(stderr, "Error: Must enable at least one event source\n");
		goto out;
	}
	rc = 0;
out:
	strv_free(&load);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	memset(&o, 0, sizeof(o));
	struct conf conf = { 0 };
	int exit_now = 0, rc = 1;
	struct fc_unit *u = NULL;
	struct app app;
	memset(&app, 0, sizeof(app));
	struct strv files = { 0 };

	if (parse_args(argc, argv, &o, &exit_now))
		goto done;
	if (exit_now) {
		rc = 0;
		goto done;
	}
	if (o.list_fields) {
		int src = -1;
		if (o.list_source && *o.list_source) {
			src = fc_source_lookup(o.list_source);
			if (src < 0) {
				fprintf(stderr, "Error: unknown event source '%s'\n", o.list_source);
				goto done;
			}
		}
		fc_fields_print(stdout, FC_FIELDS_TEXT, src);
		rc = ferror(stdout) ? 1 : 0;
		goto done;
	}
	if (o.conf_file && conf_load(&conf, o.conf_file))
		goto done;
	for (size_t i = 0; i < o.overrides.n; i++)
		if (conf_override(&conf, o.overrides.v[i]))
			goto done;
	if (apply_conf(&conf, &o))
		goto done;
	g_iso8601 = o.iso8601;
	if (o.unbuffered)
		setvbuf(stdout, NULL, _IOLBF, 0);

	logmsg("falcod version %s (engine %s)", FALCOD_VERSION, FC_ENGINE_VERSION);
	if (o.conf_file)
		logmsg("Falco initialized with configuration file %s", o.conf_file);
	if (conf_find(&conf, "outputs.rate") || conf_find(&conf, "outputs.max_burst"))
		if (o.verbose)
			logmsg("note: outputs.rate and outputs.max_burst are read but not applied: "
			       "falcod never drops alerts");
	if (!o.validate.n && !o.list_rules && apply_plugins_conf(&conf, &o))
		goto done;

	/* -V: validate and exit. */
	if (o.validate.n) {
		struct strv vfiles = { 0 };
		for (size_t i = 0; i < o.validate.n; i++)
			if (expand_rules_path(o.validate.v[i], &vfiles))
				goto done;
		u = fc_unit_new(NULL);
		struct fc_ruleset *rs;
		unsigned nerr = load_rules(u, &vfiles, &rs, true);
		for (size_t i = 0; i < vfiles.n; i++) {
			bool ok = true;
			for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
				if (d->sev == FC_ERROR && d->loc.src &&
				    strcmp(d->loc.src->path, vfiles.v[i]) == 0)
					ok = false;
			printf("%s: %s\n", vfiles.v[i], ok ? "Ok" : "Invalid");
		}
		strv_free(&vfiles);
		rc = nerr ? 1 : 0;
		goto done;
	}

	if ((o.disabled.n || o.disable_tags.n) && o.run_tags.n) {
		fprintf(stderr, "Runtime error: You can not specify both disabled (-D/-T) and "
				"enabled (-t) rules. Exiting.\n");
		goto done;
	}
	if (o.ready_file && o.replay) {
		fprintf(stderr, "Error: --ready-file is for live capture, not with --replay\n");
		goto done;
	}
	if (!o.src_syscall && (o.replay || o.capture_out || o.ready_file)) {
		fprintf(stderr, "Error: %s is for system call events, and the syscall source is not "
				"enabled\n", o.replay ? "--replay" : o.capture_out ? "--capture-out"
									: "--ready-file");
		goto done;
	}

	/* Rules: -b or -r, else rules_bundle, else rules_file (or rules_files) of the
	 * configuration. */
	if (o.bundle && o.rules.n) {
		fprintf(stderr, "Error: give rules files (-r) or a bundle (-b), not both\n");
		goto done;
	}
	if (!o.bundle && !o.rules.n) {
		const char *cb = conf_get(&conf, "rules_bundle");
		if (cb && *cb)
			o.bundle = cb;
	}
	struct strv *rsrc = &o.rules;
	struct strv fromconf = { 0 };
	if (!o.rules.n && !o.bundle) {
		struct conf_entry *ce = conf_find(&conf, "rules_file");
		if (!ce || !ce->vals.n)
			ce = conf_find(&conf, "rules_files");
		for (size_t i = 0; ce && i < ce->vals.n; i++)
			strv_push(&fromconf, ce->vals.v[i]);
		rsrc = &fromconf;
	}
	for (size_t i = 0; i < rsrc->n && !o.bundle; i++)
		if (expand_rules_path(rsrc->v[i], &files)) {
			strv_free(&fromconf);
			goto done;
		}
	strv_free(&fromconf);
	if (!files.n && !o.bundle && !o.list_rules) {
		fprintf(stderr, "Error: no rules to load: give -r FILE or -b BUNDLE, or rules_file "
				"or rules_bundle in the -c configuration\n");
		goto done;
	}

	struct gen *g = NULL;
	if (o.bundle) {
		char err[1024];
		logmsg("Loading rules bundle %s", o.bundle);
		/* stat first: a change made while loading is then seen by the first poll */
		if (stat(o.bundle, &g_reload.st) != 0)
			memset(&g_reload.st, 0, sizeof(g_reload.st));
		g = gen_load_bundle(o.bundle, err, sizeof(err));
		if (!g) {
			fprintf(stderr, "Error: %s\n", err);
			goto done;
		}
	} else {
		g = calloc(1, sizeof(*g));
		if (!g || !(g->u = fc_unit_new(NULL)))
			abort();
		for (size_t i = 0; i < files.n; i++)
			logmsg("Loading rules from file %s", files.v[i]);
		unsigned nerr = load_rules(g->u, &files, &g->rs, o.verbose);
		if (nerr) {
			fprintf(stderr, "Error: could not load rules: %u error%s\n", nerr,
				nerr == 1 ? "" : "s");
			gen_free(g);
			goto done;
		}
	}
	app.cur = g;
	if (o.list_rules) {
		list_rules(g->rs);
		rc = 0;
		goto done;
	}

	app.eo = (struct rt_engine_options){
		.match = o.match,
		.min_priority = o.min_prio,
		.disabled_tags = o.disable_tags.n ? (const char *const *)o.disable_tags.v : NULL,
		.enabled_rules = NULL,
		.all_events = o.all_events,
		/* no syscall events will come: compiling the syscall rules would be wasted */
		.no_jit = o.no_jit || !o.src_syscall,
		.no_jit_why = !o.no_jit && !o.src_syscall ? "the syscall source is disabled" : NULL,
	};
	gen_build(g, &o, &app.eo);
	const char *how;
	if (o.bundle)
		gen_log_loaded(g, o.bundle, "Loaded");
	else if (!rt_engine_jit_active(g->e, &how) || o.verbose)
		logmsg("Rule conditions run on the %s", how);
	if (o.verbose)
		logmsg("%u rules enabled", rt_engine_rule_count(g->e));

	static char host[256];
	const char *envh = getenv("FALCO_HOSTNAME");
	if (envh && *envh)
		snprintf(host, sizeof(host), "%s", envh);
	else if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "unknown");
	app.o = &o;
	app.hostname = host;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	if (o.bundle) {
		g_reload.path = o.bundle;
		g_reload.o = &o;
		g_reload.eo = &app.eo;
		g_reload.next_stat = now_s() + 1.0;
	}

	/* the audit events first (a file: they end), then the system calls, live or replayed */
	rc = 0;
	if (o.src_k8s)
		rc = replay_k8s(&app);
	if (!o.src_syscall) {
		reload_fini();
		print_stats(&app);
	} else if (o.replay) {
		if (!rc && !g_stop)
			rc = replay(&app);
		reload_fini();
		print_stats(&app);
	} else if (!rc && !g_stop) {
		rc = live(&app);        /* prints the statistics once the capture ran */
	} else {
		reload_fini();
		print_stats(&app);
	}

done:
	if (app.file)
		fclose(app.file);
	if (app.prog)
		pclose(app.prog);
	gen_free(app.cur);
	strv_free(&app.gone);
	free(app.gone_n);
	if (u)
		fc_unit_free(u);
	strv_free(&files);
	strv_free(&o.rules);
	strv_free(&o.validate);
	strv_free(&o.disabled);
	strv_free(&o.disable_tags);
	strv_free(&o.run_tags);
	strv_free(&o.overrides);
	strv_free(&o.enable_sources);
	strv_free(&o.disable_sources);
	conf_free(&conf);
	return rc;
}
