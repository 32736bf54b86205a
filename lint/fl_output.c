/* SPDX-License-Identifier: Apache-2.0 */
/* fl_output.c - falco-lint's renderings of findings: compiler-style text, JSON, and SARIF
 * 2.1.0 for code-scanning services. Nothing here decides what is a finding. */
#include "lint/fl.h"

#include <string.h>

static const char *fl_level(enum fc_severity s)
{
	return s == FC_ERROR ? "error" : s == FC_WARNING ? "warning" : "note";
}

static const char *fl_sev(enum fc_severity s)
{
	return s == FC_ERROR ? "error" : s == FC_WARNING ? "warning" : "info";
}

static void fl_text(FILE *out, struct fc_unit *u, const struct fl_finding *f, size_t n, bool color)
{
	unsigned count[3] = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct fc_diag d = *f[i].d;
		d.sev = f[i].sev;
		d.id = f[i].code;
		fc_diag_render(u, &d, out, color);
		count[f[i].sev]++;
	}
	fprintf(out, "%u error%s, %u warning%s, %u info\n", count[FC_ERROR],
		count[FC_ERROR] == 1 ? "" : "s", count[FC_WARNING], count[FC_WARNING] == 1 ? "" : "s",
		count[FC_NOTE]);
}

static void fl_json_loc(FILE *out, const struct fc_loc *l, bool has_loc)
{
	if (l->src) {
		fputs(",\"file\":", out);
		fc_json_string(out, l->src->path);
	}
	if (has_loc && l->src)
		fprintf(out, ",\"line\":%d,\"column\":%d,\"end_line\":%d,\"end_column\":%d",
			l->first_line, l->first_column, l->last_line, l->last_column);
}

static void fl_json(FILE *out, const struct fl_finding *f, size_t n)
{
	unsigned count[3] = { 0 };
	fputs("{\"version\":1,\"findings\":[", out);
	for (size_t i = 0; i < n; i++) {
		const struct fc_diag *d = f[i].d;
		count[f[i].sev]++;
		fprintf(out, "%s{\"code\":", i ? "," : "");
		fc_json_string(out, f[i].code);
		fprintf(out, ",\"severity\":\"%s\",\"message\":", fl_sev(f[i].sev));
		fc_json_string(out, d->msg);
		fl_json_loc(out, &d->loc, d->has_loc);
		fputs(",\"item_type\":", out);
		fc_json_string(out, d->item_type);
		fputs(",\"item_name\":", out);
		fc_json_string(out, d->item_name);
		fputs(",\"notes\":[", out);
		for (const struct fc_note *nt = d->notes; nt; nt = nt->next) {
			fprintf(out, "%s{\"message\":", nt == d->notes ? "" : ",");
			fc_json_string(out, nt->msg);
			fl_json_loc(out, &nt->loc, nt->loc.src != NULL);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fprintf(out, "],\"summary\":{\"errors\":%u,\"warnings\":%u,\"infos\":%u}}\n", count[FC_ERROR],
		count[FC_WARNING], count[FC_NOTE]);
}

static void fl_sarif_text(FILE *out, const char *key, const char *text)
{
	fprintf(out, "\"%s\":{\"text\":", key);
	fc_json_string(out, text);
	fputc('}', out);
}

static void fl_sarif_region(FILE *out, const struct fc_loc *l, const char *msg)
{
	fputs("{", out);
	if (msg) {
		fl_sarif_text(out, "message", msg);
		fputc(',', out);
	}
	fputs("\"physicalLocation\":{\"artifactLocation\":{\"uri\":", out);
	fc_json_string(out, l->src->path);
	fputs("}", out);
	if (l->first_line > 0) {
		int end_col = l->last_line > l->first_line ||
					      (l->last_line == l->first_line &&
					       l->last_column >= l->first_column)
				      ? l->last_column + 1
				      : l->first_column + 1;
		fprintf(out,
			",\"region\":{\"startLine\":%d,\"startColumn\":%d,\"endLine\":%d,"
			"\"endColumn\":%d}",
			l->first_line, l->first_column,
			l->last_line >= l->first_line ? l->last_line : l->first_line, end_col);
	}
	fputs("}}", out);
}

/* SARIF 2.1.0: one run; the driver lists the checks found as rules (metadata and help);
 * each result names its rule by id and index. Columns are 1-based bytes, as SARIF's default
 * columnKind utf16CodeUnits equals for ASCII rules files. */
static void fl_sarif(FILE *out, const struct fl_finding *f, size_t n)
{
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
	      "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"falco-lint\",\"version\":\"0.1.0\","
	      "\"informationUri\":\"https://falco.org/docs/rules/\",\"rules\":[",
	      out);
	/* The driver lists the checks that have results, in order of first appearance: a small,
	 * stable document; ruleIndex points into this list. */
	int idx[FL_CHECK_COUNT], order[FL_CHECK_COUNT], nrules = 0;
	for (int i = 0; i < FL_CHECK_COUNT; i++)
		idx[i] = -1;
	for (size_t i = 0; i < n; i++)
		if (f[i].check >= 0 && idx[f[i].check] < 0) {
			idx[f[i].check] = nrules;
			order[nrules++] = f[i].check;
		}
	for (int r = 0; r < nrules; r++) {
		int i = order[r];
		const struct fl_check *k = &fl_checks[i];
		fprintf(out, "%s{\"id\":", r ? "," : "");
		fc_json_string(out, k->code);
		fputc(',', out);
		fl_sarif_text(out, "shortDescription", k->summary);
		fputc(',', out);
		fl_sarif_text(out, "fullDescription", *k->explain ? k->explain : k->summary);
		fputs(",\"help\":{\"text\":", out);
		char help[4096];
		snprintf(help, sizeof(help), "%s%s%s%s%s", *k->explain ? k->explain : k->summary,
			 *k->bad ? "\n\nBad:\n" : "", k->bad, *k->fixed ? "\n\nFixed:\n" : "",
			 k->fixed);
		fc_json_string(out, help);
		fprintf(out, "},\"defaultConfiguration\":{\"level\":\"%s\",\"enabled\":%s}}",
			fl_level(k->sev), k->on ? "true" : "false");
	}
	fputs("]}},\"columnKind\":\"utf16CodeUnits\",\"results\":[", out);
	for (size_t i = 0; i < n; i++) {
		const struct fc_diag *d = f[i].d;
		fprintf(out, "%s{\"ruleId\":", i ? "," : "");
		fc_json_string(out, f[i].code);
		if (f[i].check >= 0)
			fprintf(out, ",\"ruleIndex\":%d", idx[f[i].check]);
		fprintf(out, ",\"level\":\"%s\",", fl_level(f[i].sev));
		fl_sarif_text(out, "message", d->msg);
		if (d->loc.src) {
			fputs(",\"locations\":[", out);
			fl_sarif_region(out, &d->loc, NULL);
			fputc(']', out);
		}
		bool any = false;
		for (const struct fc_note *nt = d->notes; nt; nt = nt->next) {
			if (!nt->loc.src)
				continue;
			fputs(any ? "," : ",\"relatedLocations\":[", out);
			any = true;
			fl_sarif_region(out, &nt->loc, nt->msg);
		}
		if (any)
			fputc(']', out);
		fputc('}', out);
	}
	fputs("]}]}\n", out);
}

void fl_render(FILE *out, enum fl_format fmt, struct fc_unit *u, const struct fl_finding *f,
	       size_t n, bool color)
{
	switch (fmt) {
	case FL_FORMAT_TEXT:
		fl_text(out, u, f, n, color);
		break;
	case FL_FORMAT_JSON:
		fl_json(out, f, n);
		break;
	case FL_FORMAT_SARIF:
		fl_sarif(out, f, n);
		break;
	}
}
