/* SPDX-License-Identifier: Apache-2.0 */
/* fc_diag.c - the diagnostic sink and its clang-style rendering.
 *
 * Diagnostics accumulate in the unit in the order they are reported; nothing is printed here
 * unless a program asks for a rendering. The JSON rendering of whole results belongs to the
 * programs (falcoc, falco-lint), which share fc_json_string() for escaping. */
#include "compiler/fc.h"
#include "compiler/fc_unit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *desc;
} fc_codes[FC_CODE_COUNT] = {
#define FC_CODE(name, sev, desc) { #name, desc },
#include "compiler/fc_codes.def"
#undef FC_CODE
};

const char *fc_code_name(enum fc_code c)
{
	return c < FC_CODE_COUNT ? fc_codes[c].name : "?";
}

const char *fc_code_desc(enum fc_code c)
{
	return c < FC_CODE_COUNT ? fc_codes[c].desc : "?";
}

void fc_diag_context(struct fc_unit *u, const char *item_type, const char *item_name)
{
	u->ctx_type = item_type;
	u->ctx_name = item_name;
}

void fc_diag_context_get(const struct fc_unit *u, const char **item_type, const char **item_name)
{
	*item_type = u->ctx_type;
	*item_name = u->ctx_name;
}

struct fc_diag *fc_diag(struct fc_unit *u, const struct fc_loc *loc, enum fc_severity sev,
			enum fc_code code, const char *id, const char *fmt, ...)
{
	struct fc_diag *d = fc_arena_alloc(u, sizeof(*d));
	/* Stop after max_errors_per_file errors in one file: one note says so, later errors
	 * are counted but not listed (the returned record is not linked). */
	bool drop = false;
	if (sev == FC_ERROR && loc && loc->src) {
		struct fc_src *s = (struct fc_src *)loc->src;
		if (++s->nerrors > (unsigned)u->opts.max_errors_per_file) {
			drop = true;
			if (!s->capped) {
				s->capped = true;
				struct fc_loc at = *loc;
				const char *ct = u->ctx_type, *cn = u->ctx_name;
				fc_diag_context(u, "rules content", "");
				fc_diag(u, &at, FC_NOTE, FC_LOAD_ERR_VALIDATE, NULL,
					"too many errors in this file; stopping after %d",
					u->opts.max_errors_per_file);
				fc_diag_context(u, ct, cn);
			}
		}
	}
	d->sev = sev;
	d->code = code;
	d->id = id;
	if (loc) {
		d->loc = *loc;
		d->has_loc = loc->src != NULL;
	}
	va_list ap;
	va_start(ap, fmt);
	d->msg = fc_arena_vprintf(u, fmt, ap);
	va_end(ap);
	d->item_type = u->ctx_type ? u->ctx_type : "";
	d->item_name = u->ctx_name ? u->ctx_name : "";
	u->ndiags[sev]++;
	if (drop)
		return d;
	*u->diag_tail = d;
	u->diag_tail = &d->next;
	return d;
}

void fc_diag_note(struct fc_unit *u, struct fc_diag *d, const struct fc_loc *loc,
		  const char *fmt, ...)
{
	if (!d)
		return;
	struct fc_note *n = fc_arena_alloc(u, sizeof(*n));
	if (loc)
		n->loc = *loc;
	va_list ap;
	va_start(ap, fmt);
	n->msg = fc_arena_vprintf(u, fmt, ap);
	va_end(ap);
	struct fc_note **t = &d->notes;
	while (*t)
		t = &(*t)->next;
	*t = n;
}

const struct fc_diag *fc_diag_list(const struct fc_unit *u)
{
	return u->diags;
}

unsigned fc_diag_count(const struct fc_unit *u, enum fc_severity sev)
{
	return u->ndiags[sev];
}

static const char *fc_sev_name(enum fc_severity s)
{
	switch (s) {
	case FC_ERROR:
		return "error";
	case FC_WARNING:
		return "warning";
	default:
		return "note";
	}
}

static void fc_render_header(FILE *out, const struct fc_loc *loc, bool has_loc,
			     enum fc_severity sev, const char *msg, const char *id, bool color)
{
	if (has_loc && loc->src)
		fprintf(out, "%s%s:%d:%d: %s", color ? "\033[1m" : "", loc->src->path,
			loc->first_line, loc->first_column, color ? "\033[0m" : "");
	else if (loc && loc->src)
		fprintf(out, "%s%s: %s", color ? "\033[1m" : "", loc->src->path,
			color ? "\033[0m" : "");
	static const char *const sev_color[] = { "\033[1;36m", "\033[1;35m", "\033[1;31m" };
	fprintf(out, "%s%s:%s %s", color ? sev_color[sev] : "", fc_sev_name(sev),
		color ? "\033[0m" : "", msg);
	if (id)
		fprintf(out, " [%s]", id);
	fputc('\n', out);
}

/* Prints the source line of loc and a caret under it, copying tabs so that the caret stays
 * aligned. A range on one line gets '~' under the rest of it. */
static void fc_render_caret(FILE *out, const struct fc_loc *loc, bool color)
{
	const struct fc_src *s = loc->src;
	if (!s || loc->first_line < 1 || (unsigned)loc->first_line > s->nlines)
		return;
	unsigned start = s->lines[loc->first_line - 1];
	unsigned end = start;
	while (end < s->len && s->text[end] != '\n' && s->text[end] != '\r')
		end++;
	fprintf(out, "%5d | %.*s\n", loc->first_line, (int)(end - start), s->text + start);
	fprintf(out, "      | ");
	/* Columns count bytes; the caret line counts characters, so UTF-8 continuation bytes
	 * take no room. */
	unsigned caret = start + (unsigned)loc->first_column - 1;
	for (unsigned i = start; i < caret && i < end; i++)
		if (((unsigned char)s->text[i] & 0xC0) != 0x80)
			fputc(s->text[i] == '\t' ? '\t' : ' ', out);
	if (color)
		fputs("\033[1;32m", out);
	fputc('^', out);
	if (loc->last_line == loc->first_line && loc->last_column > loc->first_column) {
		unsigned last = start + (unsigned)loc->last_column - 1;
		for (unsigned i = caret + 1; i <= last && i < end; i++)
			if (((unsigned char)s->text[i] & 0xC0) != 0x80)
				fputc('~', out);
	}
	if (color)
		fputs("\033[0m", out);
	fputc('\n', out);
}

void fc_diag_render(const struct fc_unit *u, const struct fc_diag *d, FILE *out, bool color)
{
	(void)u;
	fc_render_header(out, &d->loc, d->has_loc, d->sev, d->msg, d->id, color);
	if (d->has_loc)
		fc_render_caret(out, &d->loc, color);
	for (const struct fc_note *n = d->notes; n; n = n->next) {
		fc_render_header(out, &n->loc, n->loc.src != NULL, FC_NOTE, n->msg, NULL, color);
		if (n->loc.src)
			fc_render_caret(out, &n->loc, color);
	}
}

const char *fc_diag_first(struct fc_unit *u)
{
	const struct fc_diag *d = u->diags;
	if (!d)
		return "";
	if (d->has_loc)
		u->first_buf = fc_arena_printf(u, "%s:%d:%d: %s: %s", d->loc.src->path,
					       d->loc.first_line, d->loc.first_column,
					       fc_sev_name(d->sev), d->msg);
	else
		u->first_buf = fc_arena_printf(u, "%s: %s", fc_sev_name(d->sev), d->msg);
	return u->first_buf;
}

void fc_json_string_n(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (c < 0x20)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

void fc_json_string(FILE *out, const char *s)
{
	fc_json_string_n(out, s, strlen(s));
}
