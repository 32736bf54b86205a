/* SPDX-License-Identifier: Apache-2.0 */
/* diff_prefilter.c - soundness of the generated eBPF prefilters (docs/prefilter.md).
 *
 *   diff_prefilter [--events N] [--seed S] --rules FILE... [--gen] [--capture FILE...]
 *
 * Loads the rules as falcod would, builds the prefilter programs (fc_prefilter_build), and
 * runs the emitted instructions themselves, in the userspace BPF interpreter fc_pf_run, on
 * every event of
 *   --gen          N events of the JIT's literal-driven generator (jit_corpus.h), seeded with
 *                  the rules' own literals so that conditions come out true, false and
 *                  borderline;
 *   --capture F    the events of falcod captures (docs/capture.md) and Falco .scap files.
 * with the state-need flag the kernel sets (pf_need) at 0, the strictest case; a successful
 * relative open (on AT_FDCWD) runs a second time with the path the kernel resolves it to when
 * it knows the cwd (resolved_path). Every event on which the reference interpreter (rt_eval)
 * finds that some rule matches must be kept by both runs; events of types the state needs
 * have no program at all (checked too). Any dropped match prints the rule, the event and the
 * simplified condition, and the exit status is 1. Prints per source the events, how many
 * matched some rule, how many the prefilter would drop, how many ran with a resolved path and
 * how many of those it would drop so, and the misses (which must be 0). With --gen it also
 * checks the path scan of the open programs on its own (check_paths): random paths, as the
 * name parameter and as a resolved path, against a C statement of the verdict (path_verdict); and
 * the string tests on resolved paths rule by rule (check_resolved). */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/fk_capture.h"
#include "compiler/fc.h"
#include "compiler/fc_evtset.h"
#include "compiler/fc_prefilter.h"
#include "compiler/fc_rules.h"
#include "runtime/rt_capture.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_scap.h"
#include "runtime/rt_state.h"
#include "tests/differential/jit_corpus.h"

#define MAX_REPORTS 10

struct run {
	struct fc_unit *u;
	const struct fc_rule **rules;
	size_t n;
	struct fc_prefilter *pf;
	uint64_t events, matched, dropped, misses, errors;
	uint64_t resolved, rdropped;    /* relative opens run with a resolved path; dropped so */
};

/* The path the kernel writes for a relative open (bpf/fk_capture.h, FK_PF_PATH_OFF) when it
 * knows the cwd: for a successful open, creat, or openat/openat2 on AT_FDCWD with a non-empty
 * relative name, the cwd the state resolves it against (rt_thread_cwd; absolute, ending in
 * '/', at most FK_PF_CWD_MAX bytes: what the kernel is given) followed by the raw name, in
 * buf; else NULL. A path too long for FK_PF_PATH_MAX is left to fc_pf_run, which leaves it out as the
 * kernel does. */
static const char *resolved_path(struct rt_state *st, const struct rt_event *ev, char *buf,
				 size_t cap)
{
	unsigned t = ev->hdr->type;
	if (ev->hdr->res < 0 || (t != FK_EVENT_OPEN && t != FK_EVENT_OPENAT &&
				 t != FK_EVENT_OPENAT2 && t != FK_EVENT_CREAT))
		return NULL;
	int64_t dirfd;
	if ((t == FK_EVENT_OPENAT || t == FK_EVENT_OPENAT2) &&
	    (!rt_param_s64(ev, "dirfd", &dirfd) || dirfd != RT_AT_FDCWD))
		return NULL;
	const char *name = rt_param_str(ev, "name");
	const char *cwd = ev->thread ? rt_thread_cwd(st, ev->thread) : NULL;
	if (!name || !*name || name[0] == '/' || !cwd)
		return NULL;
	size_t lc = strlen(cwd), ln = strlen(name);
	if (lc == 0 || lc > FK_PF_CWD_MAX || cwd[0] != '/' || cwd[lc - 1] != '/' ||
	    lc + ln + 1 > cap)
		return NULL;
	memcpy(buf, cwd, lc);
	memcpy(buf + lc, name, ln + 1);
	return buf;
}

/* Runs program p on event ev (no program: kept) with the resolved path path (or NULL):
 * 1 kept, 0 dropped, -1 an interpreter error (reported, counted). */
static int run_prog(struct run *r, const struct fc_pf_prog *p, const struct rt_event *ev,
		    const char *path, const char *src)
{
	if (!p || p->keep != FC_PF_FILTERED)
		return 1;
	char err[256];
	int k = fc_pf_run(p->insns, p->ninsns, ev->hdr, ev->hdr->len, 0, path, err, sizeof(err));
	if (k < 0) {
		r->errors++;
		if (r->errors <= MAX_REPORTS)
			fprintf(stderr, "%s: event #%" PRIu64 " (%s%s%s): the interpreter failed: %s\n",
				src, ev->num, rt_event_name(ev), path ? ", resolved to " : "",
				path ? path : "", err);
	}
	return k;
}

/* One event, state already applied (pre): run without, and for a relative open also with,
 * the path the kernel resolves it to. */
static int check_event(struct run *r, struct rt_ctx *ctx, struct rt_event *ev, const char *src)
{
	const struct fk_event_hdr *h = ev->hdr;
	r->events++;
	const struct fc_pf_prog *p = h->type < r->pf->nprogs ? &r->pf->progs[h->type] : NULL;
	char buf[FK_PF_CWD_MAX + 4096];
	const char *path = resolved_path(rt_ctx_state(ctx), ev, buf, sizeof(buf));
	int kept = run_prog(r, p, ev, NULL, src), rkept = 1;
	if (path) {
		r->resolved++;
		rkept = run_prog(r, p, ev, path, src);
	}
	if (kept < 0 || rkept < 0)
		return 1;
	rt_ctx_begin(ctx, ev);
	const struct fc_rule *hit = NULL;
	for (size_t i = 0; i < r->n && !hit; i++)
		if (rt_eval(ctx, r->rules[i]->ast))
			hit = r->rules[i];
	if (hit)
		r->matched++;
	r->dropped += !kept;
	r->rdropped += !rkept;
	if ((kept && rkept) || !hit)
		return 0;
	r->misses++;
	if (r->misses <= MAX_REPORTS)
		fprintf(stderr,
			"MISS %s: event #%" PRIu64 " (%s, res %" PRId64 ", name %s) matches rule '%s' "
			"but the prefilter drops it%s%s\n  prefilter: %s\n",
			src, ev->num, rt_event_name(ev), (int64_t)h->res,
			rt_param_str(ev, "name") ? rt_param_str(ev, "name") : "<NA>", hit->name,
			kept ? " with the resolved path " : "", kept ? path : "",
			p && p->cond ? p->cond : "");
	return 1;
}

static int run_gen(struct run *r, uint64_t nevents, uint64_t seed)
{
	struct jc_gen *g = jc_gen_new(r->rules, r->n, seed);
	struct rt_state *st = rt_state_new();
	jc_gen_seed_state(g, st);
	struct rt_ctx ctx;
	rt_ctx_init(&ctx, st);
	for (size_t i = 0; i < r->n; i++)
		rt_prep_tree(ctx.prep, r->rules[i]->ast);
	int rc = 0;
	for (uint64_t e = 0; e < nevents; e++) {
		const struct fk_event_hdr *h = jc_gen_next(g);
		struct rt_event ev;
		char derr[128];
		if (rt_event_decode(&ev, h, h->len, derr, sizeof(derr)) != 0)
			continue;
		ev.num = e + 1;
		rt_state_pre(st, &ev);
		rc |= check_event(r, &ctx, &ev, "generated");
		rt_state_post(st, &ev);
	}
	rt_ctx_fini(&ctx);
	rt_state_free(st);
	jc_gen_free(g);
	return rc;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int run_capture(struct run *r, const char *path)
{
	char err[512];
	struct rt_state *st = rt_state_new();
	struct rt_ctx ctx;
	rt_ctx_init(&ctx, st);
	for (size_t i = 0; i < r->n; i++)
		rt_prep_tree(ctx.prep, r->rules[i]->ast);
	int rc = 0;
	if (ends_with(path, ".scap") || ends_with(path, ".scap.gz")) {
		struct rt_scap *sc = rt_scap_open(path, err, sizeof(err));
		if (!sc || rt_scap_load_state(sc, st, err, sizeof(err)) != 0) {
			fprintf(stderr, "diff_prefilter: %s: %s\n", path, err);
			rc = 2;
		} else {
			const struct fk_event_hdr *h;
			uint64_t num = 0;
			int k;
			while ((k = rt_scap_next(sc, &h, err, sizeof(err))) > 0) {
				struct rt_event ev;
				char derr[128];
				if (rt_event_decode(&ev, h, h->len, derr, sizeof(derr)) != 0)
					continue;
				ev.num = ++num;
				rt_state_pre(st, &ev);
				rc |= check_event(r, &ctx, &ev, path);
				rt_state_post(st, &ev);
			}
		}
		if (sc)
			rt_scap_close(sc);
	} else {
		struct rt_capture_reader *cr = rt_capture_open(path, err, sizeof(err));
		if (!cr || rt_capture_load_state(cr, st) != 0) {
			fprintf(stderr, "diff_prefilter: %s: %s\n", path, cr ? rt_capture_error(cr) : err);
			rc = 2;
		} else {
			struct rt_event ev;
			while (rt_capture_next(cr, &ev) > 0) {
				rt_state_pre(st, &ev);
				rc |= check_event(r, &ctx, &ev, path);
				rt_state_post(st, &ev);
			}
		}
		if (cr)
			rt_capture_close(cr);
	}
	rt_ctx_fini(&ctx);
	rt_state_free(st);
	return rc;
}

/* What the program of check_paths must decide for a path parameter of len bytes: -1 when
 * it leaves it undecided, else whether fd.name is "/x" or contains "/.b", fd.name being the
 * path as userspace normalizes it (the kernel normalizes a path that is not normal once,
 * FK_PF_EXIT_NORMALIZE). Undecided: not absolute, not NUL-terminated, shorter than 2 or
 * longer than 1024 bytes, a NUL inside it before anything not normal, more than 64 kept
 * components at once, or a normal form of 1024 bytes or more. Written apart from the
 * kernel's and the interpreter's walk, like rt_path_push: a ".." pops by scanning back. */
static int path_verdict(const char *p, size_t len)
{
	if (len < 2 || len > 1024 || p[0] != '/' || p[len - 1] != '\0')
		return -1;
	bool odd = len > 2 && p[len - 2] == '/';        /* a trailing '/' */
	for (size_t i = 0; !odd && i + 1 < len; i++) {
		if (p[i] == '\0')
			return -1;
		if (p[i] != '/')
			continue;
		const char *c = p + i + 1;
		size_t n = strcspn(c, "/");
		odd = (n == 0 && c[0] == '/') || (n == 1 && c[0] == '.') ||
		      (n == 2 && c[0] == '.' && c[1] == '.');
	}
	char out[1100];
	size_t o = 0, depth = 0, end = strlen(p);
	if (!odd) {
		memcpy(out, p, end + 1);
	} else {
		for (const char *c = p; c < p + end;) {
			while (*c == '/')
				c++;
			size_t n = strcspn(c, "/");
			if (n == 0 || (n == 1 && c[0] == '.')) {
				c += n;
				continue;
			}
			if (n == 2 && c[0] == '.' && c[1] == '.') {
				while (o > 0 && out[o - 1] != '/')
					o--;
				if (o > 0)
					o--;
				depth -= depth > 0;
			} else {
				if (++depth > 64)
					return -1;
				out[o++] = '/';
				memcpy(out + o, c, n);
				o += n;
			}
			c += n;
		}
		if (o == 0)
			out[o++] = '/';
		if (o >= 1024)
			return -1;
		out[o] = '\0';
	}
	return strcmp(out, "/x") == 0 || strstr(out, "/.b") != NULL;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The prefilters of the rules in the YAML text rules (only_rule: just that one, as
 * `falcoc dump --bpf --rule`), in *u (freed by the caller, also on failure); NULL if they do
 * not load. */
static struct fc_prefilter *build_text(const char *rules, const char *only_rule,
				       struct fc_unit **u)
{
	char yaml[] = "/tmp/diff_prefilter_rules.XXXXXX";
	*u = fc_unit_new(NULL);
	int fd = mkstemp(yaml);
	if (fd < 0 || !*u)
		return NULL;
	size_t n = strlen(rules);
	bool ok = write(fd, rules, n) == (ssize_t)n;
	close(fd);
	const char *paths[] = { yaml };
	struct fc_ruleset *rs = ok ? fc_load_files(*u, paths, 1) : NULL;
	unlink(yaml);
	struct fc_pf_options o = { .only_rule = only_rule };
	return rs && !fc_diag_count(*u, FC_ERROR) ? fc_prefilter_build(rs, &o) : NULL;
}

/* A successful openat record (fd 3, dirfd AT_FDCWD, O_RDONLY) of the len-byte name path in
 * rec; mode, dev and ino are random bytes from *st (st NULL: zeros). Returns its length. */
static size_t put_openat(uint8_t *rec, const char *path, size_t len, uint64_t *st)
{
	struct fk_event_hdr h = { .res = 3, .type = FK_EVENT_OPENAT, .nparams = 7 };
	uint16_t plen[7] = { 8, 8, (uint16_t)len, 4, 4, 4, 8 };
	size_t off = sizeof(h) + sizeof(plen);
	memset(rec, 0, off);
	int64_t fdv = 3, dirfd = -100;
	memcpy(rec + off, &fdv, 8);
	memcpy(rec + off + 8, &dirfd, 8);
	memcpy(rec + off + 16, path, len);
	for (size_t i = 0; i < 20; i++)         /* flags (O_RDONLY), mode, dev, ino */
		rec[off + 16 + len + i] = i < 4 ? (i == 0) : st ? (uint8_t)xorshift(st) : 0;
	h.len = (uint32_t)(off + 16 + len + 20);
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), plen, sizeof(plen));
	return h.len;
}

/* The open programs' path scan (word at a time, em_prologue) and the normalization of the
 * paths it finds not normal (FK_PF_EXIT_NORMALIZE, in the interpreter), alone: the program
 * of `fd.name = "/x" or fd.name contains "/.b"` on openat keeps exactly the successful opens
 * path_verdict says it must (undecided paths, and normal forms equal to "/x" or holding
 * "/.b", a test the scan's TMP_DOT lets through), and drops the others, among them normal
 * paths with other components starting with '.', on n random paths (separators, dots, NULs,
 * lengths around the word size and the 1 KiB limit, random bytes after the path). The paths that are C
 * strings are also given as the path the kernel resolved a relative name "y" to, which must
 * be decided the same. Returns the number of disagreements. */
static uint64_t check_paths(uint64_t n, uint64_t seed)
{
	static const char rule[] = "- rule: path probe\n  desc: d\n"
				   "  condition: evt.type = openat and (fd.name = \"/x\" or fd.name "
				   "contains \"/.b\")\n"
				   "  output: o\n  priority: WARNING\n";
	struct fc_unit *u;
	struct fc_prefilter *pf = build_text(rule, NULL, &u);
	const struct fc_pf_prog *p = pf ? &pf->progs[FK_EVENT_OPENAT] : NULL;
	if (!p || p->keep != FC_PF_FILTERED) {
		fprintf(stderr, "check_paths: no openat program\n");
		fc_prefilter_free(pf);
		fc_unit_free(u);
		return 1;
	}
	static const char alpha[] = "//////..aabx\0";
	static uint8_t rec[32 + 14 + 16 + 1100 + 20], rel[32 + 14 + 16 + 2 + 20];
	size_t rellen = put_openat(rel, "y", 2, NULL);
	uint64_t st = seed * 2654435761u + 1, bad = 0;
	for (uint64_t k = 0; k < n; k++) {
		char path[1100];
		uint64_t r = xorshift(&st);
		size_t len = r % 8 == 0 ? 1000 + (r >> 8) % 40 : 1 + (r >> 8) % 34;
		for (size_t i = 0; i < len; i++) {
			uint64_t c = xorshift(&st);
			path[i] = c % 5 ? alpha[(c >> 8) % (sizeof(alpha) - 1)] : (char)(c >> 16);
		}
		if (r & 0x10000)
			path[0] = '/';
		if (r & 0x20000)
			path[len - 1] = '\0';
		if (len == 3 && memcmp(path, "/x", 3) == 0)
			continue;
		size_t rlen = put_openat(rec, path, len, &st);
		char err[256];
		int kept = fc_pf_run(p->insns, p->ninsns, rec, rlen, 0, NULL, err, sizeof(err));
		int v = path_verdict(path, len);
		bool want = v != 0;
		if (kept < 0 || (kept == 1) != want) {
			if (++bad <= MAX_REPORTS)
				fprintf(stderr, "check_paths: a %zu-byte path: %s, the program says %s\n",
					len, want ? "keep" : "drop",
					kept < 0 ? err : kept ? "keep" : "drop");
		}
		if (memchr(path, '\0', len) != path + len - 1)
			continue;
		kept = fc_pf_run(p->insns, p->ninsns, rel, rellen, 0, path, err, sizeof(err));
		if (kept < 0 || (kept == 1) != want) {
			if (++bad <= MAX_REPORTS)
				fprintf(stderr, "check_paths: a %zu-byte resolved path: %s, the program "
						"says %s\n",
					len, want ? "keep" : "drop",
					kept < 0 ? err : kept ? "keep" : "drop");
		}
	}
	fc_prefilter_free(pf);
	fc_unit_free(u);
	return bad;
}

/* Relative opens with the path the kernel resolved (FK_PF_PATH_OFF), rule by rule: fd.name,
 * fd.directory and fd.filename are decided on the resolved path; fd.nameraw, which is the
 * relative name itself, never is (TMP_REL), but still is on an absolute name. Returns the
 * number of wrong verdicts; *n: the checks made. */
static uint64_t check_resolved(uint64_t *n)
{
	static const char rules[] =
		"- rule: name\n  desc: d\n  output: o\n  priority: WARNING\n"
		"  condition: evt.type = openat and fd.name = \"/x/y\"\n"
		"- rule: dir\n  desc: d\n  output: o\n  priority: WARNING\n"
		"  condition: evt.type = openat and fd.directory = /x\n"
		"- rule: file\n  desc: d\n  output: o\n  priority: WARNING\n"
		"  condition: evt.type = openat and fd.filename = y\n"
		"- rule: raw\n  desc: d\n  output: o\n  priority: WARNING\n"
		"  condition: evt.type = openat and fd.nameraw = \"y\"\n"
		"- rule: rawrel\n  desc: d\n  output: o\n  priority: WARNING\n"
		"  condition: evt.type = openat and not fd.nameraw startswith \"/\"\n";
	static const struct {
		const char *rule;       /* NULL: all of them */
		const char *name, *path;
		bool keep;
	} cases[] = {
		{ "name", "y", "/x/y", true },
		{ "name", "y", "/x/z", false },
		{ "name", "y", NULL, true },            /* relative, not resolved: undecided */
		{ "name", "y", "/x//y", true },         /* not normal: undecided */
		{ "name", "/x/z", NULL, false },
		{ "dir", "y", "/x/y", true },
		{ "dir", "y", "/z/y", false },
		{ "file", "y", "/z/y", true },
		{ "file", "y", "/z/w", false },
		{ "raw", "y", "/x/y", true },
		{ "raw", "y", "/x/z", true },
		{ "raw", "y", "/y", true },
		{ "raw", "y", "/a/b/c", true },
		{ "raw", "/x/z", NULL, false },
		{ "rawrel", "y", "/x/y", true },
		{ "rawrel", "y", "/x/z", true },
		{ "rawrel", "y", "/y", true },
		{ "rawrel", "y", "/a/b/c", true },
		{ "rawrel", "/x/z", NULL, false },
		{ NULL, "y", "/x/z", true },
		{ NULL, "y", "/z/w", true },
		/* not normal, normalized by the kernel (FK_PF_EXIT_NORMALIZE) */
		{ "file", "/z//y", NULL, true },
		{ "file", "/z/../y", NULL, true },
		{ "file", "/z/./w", NULL, false },
		{ "name", "/x/z/../y", NULL, true },
		{ "name", "/x/y/", NULL, true },
		{ "name", "/../x/./y", NULL, true },
		{ "name", "/x/y/..", NULL, false },
		{ "name", "y", "/x/a/../y", true },
		{ "name", "y", "/x/a/../z", false },
		{ "raw", "/x/../y", NULL, true },       /* the raw name, normalized: undecided */
	};
	uint64_t bad = 0;
	*n = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fc_unit *u;
		struct fc_prefilter *pf = build_text(rules, cases[i].rule, &u);
		const struct fc_pf_prog *p = pf ? &pf->progs[FK_EVENT_OPENAT] : NULL;
		static uint8_t rec[32 + 14 + 16 + 64 + 20];
		size_t len = put_openat(rec, cases[i].name, strlen(cases[i].name) + 1, NULL);
		char err[256] = "no openat program";
		int kept = p && p->keep == FC_PF_FILTERED
				   ? fc_pf_run(p->insns, p->ninsns, rec, len, 0, cases[i].path, err,
					       sizeof(err))
				   : -1;
		(*n)++;
		if (kept < 0 || (kept == 1) != cases[i].keep) {
			bad++;
			fprintf(stderr, "check_resolved: rule %s, name %s, resolved %s: want %s, the "
					"program says %s\n",
				cases[i].rule ? cases[i].rule : "(all)", cases[i].name,
				cases[i].path ? cases[i].path : "(none)",
				cases[i].keep ? "keep" : "drop",
				kept < 0 ? err : kept ? "keep" : "drop");
		}
		fc_prefilter_free(pf);
		fc_unit_free(u);
	}
	return bad;
}

int main(int argc, char **argv)
{
	uint64_t nevents = 1000000, seed = 1;
	const char **rules = calloc((size_t)argc + 1, sizeof(*rules));
	const char **caps = calloc((size_t)argc + 1, sizeof(*caps));
	int nrules = 0, ncaps = 0;
	bool gen = false;
	int mode = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
			nevents = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--rules") == 0) {
			mode = 1;
		} else if (strcmp(argv[i], "--capture") == 0) {
			mode = 2;
		} else if (strcmp(argv[i], "--gen") == 0) {
			gen = true;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: diff_prefilter [--events N] [--seed S] --rules FILE... "
					"[--gen] [--capture FILE...]\n");
			return 2;
		} else if (mode == 1) {
			rules[nrules++] = argv[i];
		} else if (mode == 2) {
			caps[ncaps++] = argv[i];
		}
	}
	if (!nrules) {
		fprintf(stderr, "diff_prefilter: no --rules given\n");
		return 2;
	}
	struct run r = { .u = fc_unit_new(NULL) };
	struct fc_ruleset *rs = fc_load_files(r.u, rules, nrules);
	if (!rs || fc_diag_count(r.u, FC_ERROR)) {
		fprintf(stderr, "diff_prefilter: %s does not load\n", rules[0]);
		return 2;
	}
	r.rules = calloc(rs->nrules + 1, sizeof(*r.rules));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *x = rs->rules[i];
		if (x->valid && !x->skipped && x->enabled && x->ast && x->src == FC_SRC_SYSCALL)
			r.rules[r.n++] = x;
	}
	r.pf = fc_prefilter_build(rs, NULL);
	if (!r.pf)
		return 2;
	unsigned filtered = 0;
	for (unsigned t = 0; t < r.pf->nprogs; t++)
		filtered += r.pf->progs[t].keep == FC_PF_FILTERED;
	int rc = 0;
	if (gen) {
		struct run g = r;
		rc |= run_gen(&g, nevents, seed);
		printf("generated (%s%s): %zu rules, %u filtered types; %" PRIu64 " events, %" PRIu64
		       " matched a rule, %" PRIu64 " dropped by the prefilter; %" PRIu64
		       " resolved, %" PRIu64 " dropped so; misses: %" PRIu64
		       ", interpreter errors: %" PRIu64 "\n",
		       rules[0], nrules > 1 ? " +more" : "", r.n, filtered, g.events, g.matched,
		       g.dropped, g.resolved, g.rdropped, g.misses, g.errors);
		uint64_t bad = check_paths(nevents / 4, seed);
		printf("path scan: %" PRIu64 " random paths, %" PRIu64 " decided wrongly\n",
		       nevents / 4, bad);
		rc |= bad != 0;
		uint64_t nres;
		bad = check_resolved(&nres);
		printf("resolved paths: %" PRIu64 " checks, %" PRIu64 " decided wrongly\n", nres,
		       bad);
		rc |= bad != 0;
	}
	for (int i = 0; i < ncaps; i++) {
		struct run c = r;
		int k = run_capture(&c, caps[i]);
		rc |= k;
		printf("%s: %" PRIu64 " events, %" PRIu64 " matched a rule, %" PRIu64
		       " dropped by the prefilter; %" PRIu64 " resolved, %" PRIu64
		       " dropped so; misses: %" PRIu64 ", interpreter errors: %" PRIu64 "\n",
		       caps[i], c.events, c.matched, c.dropped, c.resolved, c.rdropped, c.misses,
		       c.errors);
	}
	fc_prefilter_free(r.pf);
	free(r.rules);
	fc_unit_free(r.u);
	free(rules);
	free(caps);
	return rc ? (rc & 2 ? 2 : 1) : 0;
}
