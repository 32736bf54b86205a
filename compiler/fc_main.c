/* SPDX-License-Identifier: Apache-2.0 */
/* fc_main.c - the falcoc command: a thin program over the compiler library.
 *
 *   falcoc check [--json] [--no-warnings] FILE...   load, resolve and type check rules files
 *   falcoc fields [--json|--markdown] [--source S]  the field registry
 *   falcoc dump --ir --rule NAME [--no-opt] FILE...  the LLVM IR a rule's condition becomes
 *
 * Exit status: 0 valid (warnings allowed), 1 errors found, 2 usage or I/O trouble. */
#include "compiler/fc.h"
#include "compiler/fc_fields.h"
#include "compiler/fc_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		"                     print the LLVM IR the JIT makes of the rule's condition\n"
		"                     (macros, lists and exceptions expanded), optimised\n"
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
		"dump options:\n"
		"  --ir               the LLVM IR of a rule (the only dump so far)\n"
		"  --rule NAME        the rule to dump (required)\n"
		"  --no-opt           the IR as lowered, before optimisation\n"
		"  --opt N            optimise at level N (0-3; default 2, the JIT runs 0)\n"
		"\n"
		"exit status: 0 valid (warnings allowed), 1 errors found, 2 usage or I/O error\n"
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

static int cmd_dump(int argc, char **argv)
{
	bool ir = false;
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
	if (!ir || !rule || !nfiles) {
		fprintf(stderr, "falcoc dump: usage: falcoc dump --ir --rule NAME [--no-opt] FILE...\n");
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
