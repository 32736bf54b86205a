/* SPDX-License-Identifier: Apache-2.0 */
/* fc_parse_api.c - runs the generated scanner and parser over one condition string and maps
 * token positions back to the file the string came from.
 *
 * The grammar itself is in grammar/; this file holds only the glue the scanner calls
 * (positions, bare words, lexical errors) and the entry points. */
#include "compiler/fc_ast.h"
#include "compiler/fc_unit.h"
#include "grammar/fc_grammar.h"
#include "grammar/fc_parse.h"
#include "grammar/fc_lex.h"

#include <stdarg.h>
#include <string.h>

struct fc_loc fc_parse_loc(const struct fc_parse *p, size_t off, size_t end)
{
	if (p->map)
		return p->map(p->map_ctx, off, end);
	return fc_loc_at(p->src, (unsigned)off, (unsigned)end);
}

void fc_lex_step(struct fc_parse *p, struct fc_loc *loc, size_t len)
{
	p->tok = p->pos;
	*loc = fc_parse_loc(p, p->pos, p->pos + len);
	p->pos += len;
}

void fc_lex_bare(struct fc_parse *p, struct fc_str *out, const char *s, size_t n,
		 const struct fc_loc *loc)
{
	out->s = fc_arena_strndup(p->u, s, n);
	out->len = n;
	out->quoted = false;
	out->loc = *loc;
}

void fc_lex_error_at(struct fc_parse *p, size_t off, size_t n, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	struct fc_loc loc = fc_parse_loc(p, p->tok + off, p->tok + off + n);
	va_list ap;
	va_start(ap, fmt);
	char *msg = fc_arena_vprintf(p->u, fmt, ap);
	va_end(ap);
	fc_diag(p->u, &loc, FC_ERROR, p->code, "E-syntax", "%s", msg);
}

struct fc_node *fc_parse_text(struct fc_unit *u, const char *text, size_t len,
			      const struct fc_src *src,
			      struct fc_loc (*map)(const void *ctx, size_t off, size_t end),
			      const void *map_ctx)
{
	struct fc_parse p = {
		.u = u,
		.text = text,
		.len = len,
		.src = src,
		.map = map,
		.map_ctx = map_ctx,
		.code = FC_LOAD_ERR_COMPILE_CONDITION,
	};
	yyscan_t scanner;
	if (fc_yylex_init_extra(&p, &scanner) != 0)
		return NULL;
	YY_BUFFER_STATE b = fc_yy_scan_bytes(text, (int)len, scanner);
	int rc = fc_yyparse(scanner, &p);
	fc_yy_delete_buffer(b, scanner);
	fc_yylex_destroy(scanner);
	if (rc != 0 || p.failed)
		return NULL;
	if (p.result->height > FC_MAX_HEIGHT) {
		fc_diag(u, &p.result->loc, FC_ERROR, p.code, "E-syntax",
			"condition nests %u levels of and/or/not; at most %d are supported",
			p.result->height, FC_MAX_HEIGHT);
		return NULL;
	}
	return p.result;
}

struct fc_node *fc_parse_condition(struct fc_unit *u, const char *text)
{
	const struct fc_src *src = fc_src_add(u, "<test>", text, strlen(text));
	return fc_parse_text(u, src->text, src->len, src, NULL, NULL);
}
