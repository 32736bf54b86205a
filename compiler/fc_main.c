/* SPDX-License-Identifier: Apache-2.0 */
/* fc_main.c - the falcoc command: a thin program over the compiler library.
 *
 *   falcoc check [--json] [--no-warnings] FILE...   load, resolve and type check rules files
 *   falcoc fields [--json|--markdown] [--source S]  the field registry
 *   falcoc dump --ir --rule NAME [--no-opt] FILE...  the LLVM IR a rule's condition becomes
 *   falcoc dump --bpf [--rule NAME] [--all] FILE...  the eBPF prefilters (docs/prefilter.md)
 *   falcoc compile -o OUT FILE...                  the checked ruleset as a bundle
 *   falcoc inspect [--json] BUNDLE                  what a bundle holds
 *
 * Exit status: 0 valid (warnings allowed), 1 errors found, 2 usage or I/O trouble. */
#include "compiler/fc.h"
#include "compiler/fc_fields.h"
#include "compiler/fc_prefilter.h"
#include "compiler/fc_rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FALCOC_VERSION "0.1.0"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: falcoc <command> [options] [FILE...]\n"
		"\n"
		"Falco-compatible rules compiler.\n"
		"\n"
		"commands:\n"
		"  check FILE...      load rules files in order (append and override apply across\n"
		"                     files), resolve lists and macros, expand exceptions and type\n"
		"                     check every condition and output; report every error found\n"
		"  fields             list the fields conditions and outputs can use\n"
		"  dump --ir --rule NAME FILE...\n"
		"  dump --bpf [--rule NAME] [--all] FILE...\n"
		"                     print the LLVM IR the JIT makes of the rule's condition\n"
		"                     (macros, lists and exceptions expanded), optimised\n"
		"  compile -o OUT FILE...\n"
		"                     load and check the files as check does, then write the\n"
		"                     ruleset to OUT as a bundle (docs/bundle.md) for falcod -b;\n"
		"                     on any error nothing is written\n"
		"  inspect BUNDLE     verify a bundle and print what it holds: versions, checksum,\n"
		"                     inputs, sections, rules, lists, event types captured\n"
		"  version            print falcoc's version and the engine version it implements\n"
		"\n"
		"check options:\n"
		"  --json             print results as JSON (Falco's falco_load_results shape)\n"
		"  --no-warnings      do not print warnings (text output)\n"
		"  --color=WHEN       color diagnostics: auto (default), always, never\n"
		"\n"
		"fields options:\n"
		"  --json             JSON instead of text\n"
		"  --markdown         the field reference page, as in docs/\n"
		"  --source NAME      only fields of this event source (syscall, k8s_audit)\n"
		"\n"
		"compile options:\n"
		"  -o FILE            the bundle to write (required; replaced atomically)\n"
		"  --no-native        leave out the native code of the conditions (falcod then\n"
		"                     compiles them when it loads the bundle)\n"
		"  --no-warnings, --color=WHEN   as for check\n"
		"\n"
		"inspect options:\n"
		"  --json             print the contents as one JSON object\n"
		"\n"
		"dump options:\n"
		"  --ir               the LLVM IR of a rule (the only dump so far)\n"
		"  --rule NAME        the rule to dump (required)\n"
		"  --no-opt           the IR as lowered, before optimisation\n"
		"  --opt N            optimise at level N (0-3; default 2, the JIT runs 1)\n"
		"\n"
		"exit status: 0 valid (warnings allowed), 1 errors found (or a bundle refused),\n"
		"2 usage or I/O error\n"
		"\n"
		"Diagnostics read file:line:col: severity: message [code], with the source line and a\n"
		"caret. Codes are Falco's (LOAD_ERR_*, LOAD_*) or falcoc's E-* names; see docs/falcoc.md.\n");
}

static const char *fc_diag_file(const struct fc_diag *d)
{
	return d->loc.src ? d->loc.src->path : NULL;
}

static void print_json_diag(const struct fc_diag *d, FILE *out)
{
	fprintf(out, "{\"code\":\"%s\",\"codedesc\":", fc_code_name(d->code));
	fc_json_string(out, fc_code_desc(d->code));
	fprintf(out, ",\"id\":");
	fc_json_string(out, d->id ? d->id : fc_code_name(d->code));
	fprintf(out, ",\"message\":");
	fc_json_string(out, d->msg);
	fprintf(out, ",\"context\":{\"item_type\":");
	fc_json_string(out, d->item_type);
	fprintf(out, ",\"item_name\":");
	fc_json_string(out, d->item_name);
	if (d->loc.src) {
		fprintf(out, ",\"file\":");
		fc_json_string(out, d->loc.src->path);
	}
	if (d->has_loc)
		fprintf(out, ",\"line\":%d,\"column\":%d", d->loc.first_line, d->loc.first_column);
	fprintf(out, "},\"notes\":[");
	for (const struct fc_note *n = d->notes; n; n = n->next) {
		fprintf(out, "%s{\"message\":", n == d->notes ? "" : ",");
		fc_json_string(out, n->msg);
		if (n->loc.src) {
			fprintf(out, ",\"file\":");
			fc_json_string(out, n->loc.src->path);
			fprintf(out, ",\"line\":%d,\"column\":%d", n->loc.first_line,
				n->loc.first_column);
		}
		fputc('}', out);
	}
	fprintf(out, "]}");
}

/* A diagnostic belongs to the file it points at; one without a file, to the first file. */
static bool diag_in_file(const struct fc_diag *d, const char *path, bool first)
{
	const char *f = fc_diag_file(d);
	return f ? strcmp(f, path) == 0 : first;
}

static void print_json(struct fc_unit *u, char **files, int nfiles, FILE *out)
{
	fprintf(out, "{\"falco_load_results\":[");
	for (int i = 0; i < nfiles; i++) {
		bool ok = true;
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			if (d->sev == FC_ERROR && diag_in_file(d, files[i], i == 0))
				ok = false;
		fprintf(out, "%s{\"name\":", i ? "," : "");
		fc_json_string(out, files[i]);
		fprintf(out, ",\"successful\":%s", ok ? "true" : "false");
		for (int sev = FC_ERROR; sev >= FC_WARNING; sev--) {
			fprintf(out, ",\"%s\":[", sev == FC_ERROR ? "errors" : "warnings");
			bool firstd = true;
			for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next) {
				if ((int)d->sev != sev || !diag_in_file(d, files[i], i == 0))
					continue;
				if (!firstd)
					fputc(',', out);
				firstd = false;
				print_json_diag(d, out);
			}
			fputc(']', out);
		}
		fputc('}', out);
	}
	fprintf(out, "],\"successful\":%s}\n",
		fc_diag_count(u, FC_ERROR) ? "false" : "true");
}

static int cmd_check(int argc, char **argv)
{
	bool json = false, warnings = true;
	int color = -1;
	int nfiles = 0;
	char **files = calloc((size_t)argc + 1, sizeof(*files));
	if (!files)
		return 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0)
			json = true;
		else if (strcmp(a, "--no-warnings") == 0)
			warnings = false;
		else if (strcmp(a, "--color=always") == 0)
			color = 1;
		else if (strcmp(a, "--color=never") == 0)
			color = 0;
		else if (strcmp(a, "--color=auto") == 0)
			color = -1;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			free(files);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "falcoc check: unknown option '%s'\n", a);
			free(files);
			return 2;
		} else
			files[nfiles++] = argv[i];
	}
	if (nfiles == 0) {
		fprintf(stderr, "falcoc check: no rules files given\n");
		free(files);
		return 2;
	}
	if (color < 0)
		color = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u) {
		free(files);
		return 2;
	}
	struct fc_ruleset *rs = fc_load_files(u, (const char *const *)files, nfiles);
	bool io_error = false;
	for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
		io_error |= d->code == FC_LOAD_ERR_FILE_READ;
	if (json) {
		print_json(u, files, nfiles, stdout);
	} else {
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			if (d->sev == FC_ERROR || (warnings && d->sev == FC_WARNING) ||
			    d->sev == FC_NOTE)
				fc_diag_render(u, d, stderr, color);
		unsigned nvalid = 0, nskipped = 0;
		for (size_t i = 0; i < rs->nrules; i++) {
			nvalid += rs->rules[i]->valid;
			nskipped += rs->rules[i]->skipped;
		}
		fprintf(stderr,
			"%u error%s, %u warning%s; %u of %zu rules valid, %u skipped (%zu macros, "
			"%zu lists)\n",
			fc_diag_count(u, FC_ERROR), fc_diag_count(u, FC_ERROR) == 1 ? "" : "s",
			fc_diag_count(u, FC_WARNING), fc_diag_count(u, FC_WARNING) == 1 ? "" : "s",
			nvalid, rs->nrules, nskipped, rs->nmacros, rs->nlists);
	}
	int rc = fc_diag_count(u, FC_ERROR) ? (io_error ? 2 : 1) : 0;
	fc_unit_free(u);
	free(files);
	return rc;
}

static int cmd_fields(int argc, char **argv)
{
	enum fc_fields_format fmt = FC_FIELDS_TEXT;
	int src = -1;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			fmt = FC_FIELDS_JSON;
		else if (strcmp(argv[i], "--markdown") == 0)
			fmt = FC_FIELDS_MARKDOWN;
		else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc) {
			src = fc_source_lookup(argv[++i]);
			if (src < 0) {
				fprintf(stderr, "falcoc fields: unknown source '%s' (known: syscall, "
						"k8s_audit)\n",
					argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "falcoc fields: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	fc_fields_print(stdout, fmt, src);
	return ferror(stdout) ? 2 : 0;
}

/* Writes data to path through a temporary file in the same directory and rename(2), so that
 * path is either left as it was or holds the whole new bundle. 0, or -1 with errno set. */
static int write_atomic(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp)
		return -1;
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	mode_t um = umask(0);
	umask(um);
	int rc = fchmod(fd, 0666 & ~um);
	const char *p = data;
	size_t left = len;
	while (rc == 0 && left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = -1;
		else {
			p += w;
			left -= (size_t)w;
		}
	}
	if (rc == 0)
		rc = fsync(fd);
	int e = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	errno = e;
	return rc;
}

static void hexs(char *out, const uint8_t *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The native code of the bundle's conditions (fc_jit_emit). The code must be for the
 * conditions exactly as falcod will read them, so they are taken from the bundle itself: the
 * ruleset is written without sections, read back, and fc_jit_ruleset_rules of what was read
 * is compiled. 0, or -1 with a message in err. */
static int native_code(struct fc_unit *u, const struct fc_ruleset *rs, const char *const *files,
		       int nfiles, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	struct fc_bundle_writer_options wo = {.compiler_version = FALCOC_VERSION};
	struct fc_bundle_writer *w = fc_bundle_writer_new(u, rs, files, nfiles, &wo);
	void *data = NULL;
	size_t len = 0;
	struct fc_unit *u2 = NULL;
	const struct fc_rule **rules = NULL;
	const struct fc_node **conds = NULL;
	int rc = -1;
	snprintf(err, errlen, "out of memory");
	if (!w || fc_bundle_writer_finish(w, &data, &len) != 0 || !(u2 = fc_unit_new(NULL)))
		goto done;
	struct fc_bundle *b = fc_bundle_read(u2, data, len, "(native code)");
	if (!b) {
		snprintf(err, errlen, "the bundle does not read back");
		goto done;
	}
	const struct fc_ruleset *rs2 = fc_bundle_ruleset(b);
	size_t n = fc_jit_ruleset_rules(rs2, NULL);
	rules = calloc(n ? n : 1, sizeof(*rules));
	conds = calloc(n ? n : 1, sizeof(*conds));
	if (!rules || !conds)
		goto done;
	fc_jit_ruleset_rules(rs2, rules);
	for (size_t i = 0; i < n; i++)
		conds[i] = rules[i]->ast;
	rc = fc_jit_emit(conds, n, -1, out, outlen, err, errlen);
done:
	free(rules);
	free(conds);
	free(data);
	fc_bundle_writer_free(w);
	fc_unit_free(u2);
	return rc;
}

static int cmd_compile(int argc, char **argv)
{
	bool warnings = true, native = true;
	int color = -1, nfiles = 0, rc = 2;
	const char *out = NULL;
	char **files = calloc((size_t)argc + 1, sizeof(*files));
	if (!files)
		return 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strncmp(a, "-o", 2) == 0 && a[2])
			out = a + 2;
		else if (strcmp(a, "--no-warnings") == 0)
			warnings = false;
		else if (strcmp(a, "--no-native") == 0)
			native = false;
		else if (strcmp(a, "--color=always") == 0)
			color = 1;
		else if (strcmp(a, "--color=never") == 0)
			color = 0;
		else if (strcmp(a, "--color=auto") == 0)
			color = -1;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			free(files);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "falcoc compile: unknown option '%s'\n", a);
			free(files);
			return 2;
		} else
			files[nfiles++] = argv[i];
	}
	if (!out || !nfiles) {
		fprintf(stderr, "falcoc compile: usage: falcoc compile -o OUT FILE...\n");
		free(files);
		return 2;
	}
	if (color < 0)
		color = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u) {
		free(files);
		return 2;
	}
	struct fc_ruleset *rs = fc_load_files(u, (const char *const *)files, nfiles);
	struct fc_bundle_writer *w = NULL;
	void *data = NULL;
	size_t len = 0;
	if (!fc_diag_count(u, FC_ERROR)) {
		struct fc_bundle_writer_options wo = {.compiler_version = FALCOC_VERSION};
		w = fc_bundle_writer_new(u, rs, (const char *const *)files, nfiles, &wo);
	}
	bool io_error = false;
	for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next) {
		io_error |= d->code == FC_LOAD_ERR_FILE_READ;
		if (d->sev == FC_ERROR || (warnings && d->sev == FC_WARNING) || d->sev == FC_NOTE)
			fc_diag_render(u, d, stderr, color);
	}
	if (!w) {
		unsigned ne = fc_diag_count(u, FC_ERROR);
		fprintf(stderr, "%u error%s; no bundle written\n", ne, ne == 1 ? "" : "s");
		rc = io_error ? 2 : 1;
		goto done;
	}
	/* the eBPF prefilters (docs/prefilter.md), an opaque section of the bundle */
	{
		struct fc_prefilter *pf = fc_prefilter_build(rs, NULL);
		uint8_t *pb = NULL;
		size_t pl = 0;
		int prc = pf ? fc_prefilter_blob(pf, &pb, &pl) : -ENOMEM;
		if (!prc)
			prc = fc_bundle_add_section(w, FC_BUNDLE_SEC_PREFILTER, pb, pl);
		free(pb);
		fc_prefilter_free(pf);
		if (prc) {
			fprintf(stderr, "falcoc compile: prefilters: %s; no bundle written\n",
				strerror(-prc));
			goto done;
		}
	}
	/* the conditions as native code (docs/bundle.md), an optional section */
	if (native) {
		uint8_t *nb = NULL;
		size_t nl = 0;
		char nerr[512];
		int nrc = native_code(u, rs, (const char *const *)files, nfiles, &nb, &nl, nerr,
				      sizeof(nerr));
		if (!nrc)
			nrc = fc_bundle_add_section_flags(w, FC_BUNDLE_SEC_NATIVE,
							  FC_BUNDLE_SECF_OPTIONAL, nb, nl) ? -1 : 0;
		else
			fprintf(stderr, "falcoc compile: native code: %s; no bundle written\n", nerr);
		free(nb);
		if (nrc)
			goto done;
	}
	int wrc = fc_bundle_writer_finish(w, &data, &len);
	if (wrc) {
		fprintf(stderr, "falcoc compile: %s; no bundle written\n", strerror(-wrc));
		goto done;
	}
	if (write_atomic(out, data, len) != 0) {
		fprintf(stderr, "falcoc compile: cannot write '%s': %s; no bundle written\n", out,
			strerror(errno));
		goto done;
	}
	uint8_t h[32];
	char hx[65];
	memcpy(h, (const uint8_t *)data + len - 32, 32);
	hexs(hx, h, 32);
	unsigned nvalid = 0;
	for (size_t i = 0; i < rs->nrules; i++)
		nvalid += rs->rules[i]->valid && !rs->rules[i]->skipped;
	fprintf(stderr, "%s: %zu bytes, %u rules, %zu lists, sha256 %s\n", out, len, nvalid,
		rs->nlists, hx);
	rc = 0;
done:
	free(data);
	fc_bundle_writer_free(w);
	fc_unit_free(u);
	free(files);
	return rc;
}

static void inspect_text(const char *path, const struct fc_bundle *b, FILE *o)
{
	const struct fc_bundle_info *in = fc_bundle_info(b);
	const struct fc_ruleset *rs = fc_bundle_ruleset(b);
	char hx[65];
	fprintf(o, "bundle:           %s\n", path);
	fprintf(o, "format version:   %u\n", in->format_version);
	fprintf(o, "size:             %llu bytes\n", (unsigned long long)in->size);
	hexs(hx, in->sha256, 32);
	fprintf(o, "sha256:           %s\n", hx);
	fprintf(o, "compiler:         falcoc %s\n", in->compiler_version);
	fprintf(o, "engine version:   %u.%u.%u\n", in->engine_major, in->engine_minor,
		in->engine_patch);
	fprintf(o, "event ABI:        %u\n", in->abi_version);
	hexs(hx, in->fields_hash, 32);
	fprintf(o, "field registry:   %s\n", hx);
	hexs(hx, in->evttypes_hash, 32);
	fprintf(o, "event types:      %s\n", hx);
	fprintf(o, "inputs:           %zu\n", in->ninputs);
	for (size_t i = 0; i < in->ninputs; i++) {
		hexs(hx, in->inputs[i].sha256, 32);
		fprintf(o, "  %s  sha256 %s\n", in->inputs[i].name, hx);
	}
	fprintf(o, "sections:         %zu\n", in->nsections);
	for (size_t i = 0; i < in->nsections; i++) {
		const struct fc_bundle_section_info *s = &in->sections[i];
		const char *nm = fc_bundle_section_name(s->type);
		fprintf(o, "  %-10s type %-3u offset %-8llu %10llu bytes  crc32 %08x%s\n",
			nm ? nm : "unknown", s->type, (unsigned long long)s->offset,
			(unsigned long long)s->len, s->crc32,
			s->flags & FC_BUNDLE_SECF_OPTIONAL ? "  optional" : "");
	}
	fprintf(o, "lists:            %zu\n", rs->nlists);
	fprintf(o, "macros:           %zu (expanded into the conditions)\n", in->nmacros);
	if (in->evt_any)
		fprintf(o, "event types captured: all (a syscall rule matches every event type)\n");
	else {
		fprintf(o, "event types captured: %zu\n ", in->nevttypes);
		size_t col = 1;
		for (size_t i = 0; i < in->nevttypes; i++) {
			size_t w = strlen(in->evttypes[i]) + 1;
			if (col + w > 100) {
				fprintf(o, "\n ");
				col = 1;
			}
			fprintf(o, " %s", in->evttypes[i]);
			col += w;
		}
		fputc('\n', o);
	}
	unsigned nen = 0;
	for (size_t i = 0; i < rs->nrules; i++)
		nen += rs->rules[i]->enabled && rs->rules[i]->valid && !rs->rules[i]->skipped;
	fprintf(o, "rules:            %zu (%u enabled)\n", rs->nrules, nen);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		fprintf(o, "  %s\n    priority %s, source %s%s%s", r->name, fc_priority_name(r->priority),
			r->source ? r->source : "syscall", r->enabled ? "" : ", disabled",
			r->skipped ? ", skipped" : "");
		fprintf(o, ", tags [");
		for (size_t t = 0; t < r->ntags; t++)
			fprintf(o, "%s%s", t ? ", " : "", r->tags[t]);
		fprintf(o, "]\n");
	}
}

static void inspect_json(const struct fc_bundle *b, FILE *o)
{
	const struct fc_bundle_info *in = fc_bundle_info(b);
	const struct fc_ruleset *rs = fc_bundle_ruleset(b);
	char hx[65];
	hexs(hx, in->sha256, 32);
	fprintf(o, "{\"format_version\":%u,\"size\":%llu,\"sha256\":\"%s\",\"compiler_version\":",
		in->format_version, (unsigned long long)in->size, hx);
	fc_json_string(o, in->compiler_version);
	fprintf(o, ",\"engine_version\":\"%u.%u.%u\",\"abi_version\":%u", in->engine_major,
		in->engine_minor, in->engine_patch, in->abi_version);
	hexs(hx, in->fields_hash, 32);
	fprintf(o, ",\"fields_hash\":\"%s\"", hx);
	hexs(hx, in->evttypes_hash, 32);
	fprintf(o, ",\"evttypes_hash\":\"%s\",\"inputs\":[", hx);
	for (size_t i = 0; i < in->ninputs; i++) {
		hexs(hx, in->inputs[i].sha256, 32);
		fprintf(o, "%s{\"name\":", i ? "," : "");
		fc_json_string(o, in->inputs[i].name);
		fprintf(o, ",\"sha256\":\"%s\"}", hx);
	}
	fprintf(o, "],\"sections\":[");
	for (size_t i = 0; i < in->nsections; i++) {
		const struct fc_bundle_section_info *s = &in->sections[i];
		const char *nm = fc_bundle_section_name(s->type);
		fprintf(o, "%s{\"type\":%u,\"name\":", i ? "," : "", s->type);
		fc_json_string(o, nm ? nm : "unknown");
		fprintf(o, ",\"offset\":%llu,\"size\":%llu,\"crc32\":\"%08x\",\"optional\":%s}",
			(unsigned long long)s->offset, (unsigned long long)s->len, s->crc32,
			s->flags & FC_BUNDLE_SECF_OPTIONAL ? "true" : "false");
	}
	fprintf(o, "],\"lists\":%zu,\"macros\":%zu,\"evttypes_all\":%s,\"evttypes\":[", rs->nlists,
		in->nmacros, in->evt_any ? "true" : "false");
	for (size_t i = 0; i < in->nevttypes; i++) {
		if (i)
			fputc(',', o);
		fc_json_string(o, in->evttypes[i]);
	}
	fprintf(o, "],\"rules\":[");
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		fprintf(o, "%s{\"name\":", i ? "," : "");
		fc_json_string(o, r->name);
		fprintf(o, ",\"priority\":");
		fc_json_string(o, fc_priority_name(r->priority));
		fprintf(o, ",\"source\":");
		fc_json_string(o, r->source ? r->source : "syscall");
		fprintf(o, ",\"enabled\":%s,\"skipped\":%s,\"tags\":[", r->enabled ? "true" : "false",
			r->skipped ? "true" : "false");
		for (size_t t = 0; t < r->ntags; t++) {
			if (t)
				fputc(',', o);
			fc_json_string(o, r->tags[t]);
		}
		fprintf(o, "]}");
	}
	fprintf(o, "]}\n");
}

static int cmd_inspect(int argc, char **argv)
{
	bool json = false;
	const char *path = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "falcoc inspect: unknown option '%s'\n", argv[i]);
			return 2;
		} else if (path) {
			fprintf(stderr, "falcoc inspect: one bundle at a time\n");
			return 2;
		} else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "falcoc inspect: usage: falcoc inspect [--json] BUNDLE\n");
		return 2;
	}
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u)
		return 2;
	struct fc_bundle *b = fc_bundle_read_file(u, path);
	int rc = 0;
	if (!b) {
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			fc_diag_render(u, d, stderr, false);
		rc = fc_diag_list(u) && fc_diag_list(u)->code == FC_LOAD_ERR_FILE_READ ? 2 : 1;
	} else if (json) {
		inspect_json(b, stdout);
	} else {
		inspect_text(path, b, stdout);
	}
	if (!rc && ferror(stdout))
		rc = 2;
	fc_unit_free(u);
	return rc;
}

/* falcoc dump --bpf [--rule NAME] [--all] FILE...: the generated prefilters (fc_prefilter.h). */
static int dump_bpf(const char *const *files, int nfiles, const char *rule, bool all)
{
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u)
		return 2;
	int rc = 1;
	struct fc_ruleset *rs = fc_load_files(u, files, nfiles);
	if (!rs || fc_diag_count(u, FC_ERROR)) {
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			if (d->sev == FC_ERROR)
				fc_diag_render(u, d, stderr, false);
	} else if (rule && !fc_ruleset_rule(rs, rule)) {
		fprintf(stderr, "falcoc dump: no rule named '%s'\n", rule);
	} else {
		struct fc_pf_options po = { .only_rule = rule };
		struct fc_prefilter *pf = fc_prefilter_build(rs, &po);
		if (pf) {
			fc_prefilter_dump(pf, stdout, all);
			fc_prefilter_free(pf);
			rc = ferror(stdout) ? 2 : 0;
		} else {
			rc = 2;
		}
	}
	fc_unit_free(u);
	return rc;
}

static int cmd_dump(int argc, char **argv)
{
	bool ir = false, bpf = false, bpf_all = false;
	int opt = 2; /* readable: what the O2 pipeline makes of the lowered IR */
	const char *rule = NULL;
	int nfiles = 0;
	char **files = calloc((size_t)argc + 1, sizeof(*files));
	if (!files)
		return 2;
	int rc = 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--ir") == 0) {
			ir = true;
		} else if (strcmp(a, "--bpf") == 0) {
			bpf = true;
		} else if (strcmp(a, "--all") == 0) {
			bpf_all = true;
		} else if (strcmp(a, "--no-opt") == 0) {
			opt = 0;
		} else if (strcmp(a, "--opt") == 0 && i + 1 < argc) {
			opt = atoi(argv[++i]);
		} else if (strcmp(a, "--rule") == 0 && i + 1 < argc) {
			rule = argv[++i];
		} else if (strncmp(a, "--rule=", 7) == 0) {
			rule = a + 7;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			free(files);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "falcoc dump: unknown option '%s'\n", a);
			goto done;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (bpf && nfiles) {
		rc = dump_bpf((const char *const *)files, nfiles, rule, bpf_all);
		goto done;
	}
	if (!ir || !rule || !nfiles) {
		fprintf(stderr, "falcoc dump: usage: falcoc dump --ir --rule NAME [--no-opt] FILE... | --bpf [--rule NAME] [--all] FILE...\n");
		goto done;
	}
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u)
		goto done;
	struct fc_ruleset *rs = fc_load_files(u, (const char *const *)files, nfiles);
	const struct fc_rule *r = fc_ruleset_rule(rs, rule);
	if (!r) {
		fprintf(stderr, "falcoc dump: no rule named '%s'\n", rule);
	} else if (!r->valid || !r->ast) {
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			if (d->sev == FC_ERROR)
				fc_diag_render(u, d, stderr, false);
		fprintf(stderr, "falcoc dump: rule '%s' is not valid%s\n", rule,
			r->skipped ? " (skipped)" : "");
		rc = 1;
	} else {
		char err[512];
		printf("; rule: %s\n; condition: %s\n", r->name, fc_ast_unparse(u, r->ast));
		if (fc_jit_dump_ir(r->ast, "rule", opt, stdout, err, sizeof(err)) != 0)
			fprintf(stderr, "falcoc dump: %s\n", err);
		else
			rc = 0;
	}
	fc_unit_free(u);
done:
	free(files);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(cmd, "fields") == 0)
		return cmd_fields(argc - 2, argv + 2);
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(argc - 2, argv + 2);
	if (strcmp(cmd, "compile") == 0)
		return cmd_compile(argc - 2, argv + 2);
	if (strcmp(cmd, "inspect") == 0)
		return cmd_inspect(argc - 2, argv + 2);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("falcoc %s (engine version %s)\n", FALCOC_VERSION, FC_ENGINE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "falcoc: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
