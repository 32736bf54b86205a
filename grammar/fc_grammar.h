/* SPDX-License-Identifier: Apache-2.0 */
/* fc_grammar.h - state shared by the scanner (fc_lex.l) and the parser (fc_parse.y).
 * Nothing outside grammar/ and compiler/fc_parse_api.c includes this. */
#ifndef FC_GRAMMAR_H
#define FC_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler/fc.h"
#include "compiler/fc_ast.h"

#define FC_MAX_DEPTH 200 /* nested parentheses and transformers, as libsinsp caps recursion */

struct fc_parse {
	struct fc_unit *u;
	const char *text;
	size_t len;
	size_t pos;                   /* byte offset of the next token in text */
	size_t tok;                   /* byte offset of the current token */
	unsigned depth;
	const struct fc_src *src;     /* locations are in src when map is NULL */
	struct fc_loc (*map)(const void *ctx, size_t off, size_t end);
	const void *map_ctx;
	struct fc_node *result;
	bool failed;                  /* an error was reported; the parser stays quiet after */
	enum fc_code code;            /* code of syntax errors */
};

/* Advances the scanner position over a token and sets its location. */
void fc_lex_step(struct fc_parse *p, struct fc_loc *loc, size_t len);
/* A bare word as a string value. */
void fc_lex_bare(struct fc_parse *p, struct fc_str *out, const char *s, size_t n,
		 const struct fc_loc *loc);
/* Reports an error at bytes [off, off+n) of the current token. */
void fc_lex_error_at(struct fc_parse *p, size_t off, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The location of text bytes [off, end). */
struct fc_loc fc_parse_loc(const struct fc_parse *p, size_t off, size_t end);

#endif /* FC_GRAMMAR_H */
