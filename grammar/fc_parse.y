/* SPDX-License-Identifier: Apache-2.0 */
/* fc_parse.y - the grammar of Falco's condition language (libsinsp filter/parser.h).
 *
 *   condition  -> expr
 *   expr       -> expr 'or' expr | expr 'and' expr | 'not' expr | '(' expr ')' | check
 *   check      -> IDENT                            (a macro)
 *               | lhs 'exists'
 *               | lhs CMPOP value
 *               | lhs CMPOP MOD listvalue          (startswith oneof (a, b))
 *               | lhs LISTOP listvalue
 *   lhs        -> field | transformer
 *   field      -> FIELD [ '[' arg ']' ]
 *   transformer-> XFORM xarg { ',' xarg } ')'     (tolower(, val(, ... : the name and '(')
 *   xarg       -> field | transformer | STRING
 *   value      -> STRING | BARE | transformer
 *   listvalue  -> '(' [ item { ',' item } ] ')' | LISTNAME | transformer
 *   item       -> STRING | BARE
 *
 * 'and' binds tighter than 'or'; 'not' tighter than both. Actions only build nodes; all
 * checking happens in compiler/fc_check.c. */
%require "3.6"
%define api.pure full
%define api.prefix {fc_yy}
%define parse.error custom
%define parse.lac full
%locations
%define api.location.type {struct fc_loc}
%param {void *scanner}
%parse-param {struct fc_parse *p}
%expect 0

%code requires {
#include "compiler/fc.h"
#include "compiler/fc_ast.h"
#include "grammar/fc_grammar.h"
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
	do {                                                             \
		if (N) {                                                 \
			(Cur) = YYRHSLOC(Rhs, 1);                        \
			(Cur).last_line = YYRHSLOC(Rhs, N).last_line;    \
			(Cur).last_column = YYRHSLOC(Rhs, N).last_column; \
			(Cur).end = YYRHSLOC(Rhs, N).end;                \
		} else {                                                 \
			(Cur) = YYRHSLOC(Rhs, 0);                        \
			(Cur).first_line = (Cur).last_line;              \
			(Cur).first_column = (Cur).last_column;          \
			(Cur).off = (Cur).end;                           \
		}                                                        \
	} while (0)
struct fc_xargs {
	struct fc_expr **v;
	int n, cap;
};
struct fc_items {
	struct fc_str *v;
	size_t n, cap;
};
}

%code {
#include <string.h>
int fc_yylex(FC_YYSTYPE *lval, FC_YYLTYPE *lloc, void *scanner);
void fc_yyerror(FC_YYLTYPE *loc, void *scanner, struct fc_parse *p, const char *msg);
static void fc_xargs_push(struct fc_parse *p, struct fc_xargs *a, struct fc_expr *e);
static void fc_items_push(struct fc_parse *p, struct fc_items *a, const struct fc_str *s);
}

%union {
	const char *name;
	enum fc_op op;
	enum fc_mod mod;
	struct fc_str str;
	struct fc_node *node;
	struct fc_expr *expr;
	struct fc_value *value;
	struct fc_xargs xargs;
	struct fc_items items;
}

%token AND "'and'" OR "'or'" NOT "'not'"
%token <name> FIELD "field" IDENT "identifier" XFORM "transformer"
%token <op> CMPOP "comparison operator" LISTOP "list operator" UNOP "'exists'"
%token <mod> MOD "modifier"
%token <str> STRING "string" BARE "value" LISTNAME "list name"
%token BADCHAR "invalid character" UNTERMINATED "unterminated string" BADESC "bad escape"
%token TOO_DEEP "too deep nesting"
%token END 0 "end of condition"

%type <node> expr check
%type <expr> lhs field transformer xarg
%type <value> value listvalue
%type <xargs> xargs
%type <items> items
%type <str> item

%left OR
%left AND
%precedence NOT

%%

condition
	: expr                  { p->result = $1; }
	;

expr
	: expr OR expr          { $$ = fc_ast_binop(p->u, FC_NODE_OR, $1, $3, &@$); }
	| expr AND expr         { $$ = fc_ast_binop(p->u, FC_NODE_AND, $1, $3, &@$); }
	| NOT expr              { $$ = fc_ast_not(p->u, $2, &@$); }
	| '(' expr ')'          { $$ = $2; }
	| check
	;

check
	: IDENT                 { $$ = fc_ast_ident(p->u, $1, &@$); }
	| lhs UNOP              { $$ = fc_ast_check(p->u, $1, $2, &@2, FC_MOD_NONE, NULL, &@$); }
	| lhs CMPOP value       { $$ = fc_ast_check(p->u, $1, $2, &@2, FC_MOD_NONE, $3, &@$); }
	| lhs CMPOP MOD listvalue { $$ = fc_ast_check(p->u, $1, $2, &@2, $3, $4, &@$); }
	| lhs LISTOP listvalue  { $$ = fc_ast_check(p->u, $1, $2, &@2, FC_MOD_NONE, $3, &@$); }
	;

lhs
	: field
	| transformer
	;

field
	: FIELD                 { $$ = fc_ast_field(p->u, $1, strlen($1), NULL, &@$); }
	| FIELD '[' item ']'    {
		struct fc_str *a = fc_arena_alloc(p->u, sizeof(*a));
		*a = $3;
		$$ = fc_ast_field(p->u, $1, strlen($1), a, &@$);
	}
	;

transformer
	: XFORM xargs ')'       { $$ = fc_ast_transform(p->u, $1, $2.v, $2.n, &@$); }
	;

/* xargs -> xarg { ',' xarg } */
xargs
	: xarg                  { $$ = (struct fc_xargs){ 0 }; fc_xargs_push(p, &$$, $1); }
	| xargs ',' xarg        { $$ = $1; fc_xargs_push(p, &$$, $3); }
	;

xarg
	: field
	| transformer
	| STRING                {
		$$ = fc_arena_alloc(p->u, sizeof(*$$));
		$$->kind = FC_EXPR_LITERAL;
		$$->loc = @$;
		$$->lit = $1;
	}
	;

value
	: STRING                { $$ = fc_ast_value(p->u, FC_VAL_SCALAR, &@$); $$->scalar = $1; }
	| BARE                  { $$ = fc_ast_value(p->u, FC_VAL_SCALAR, &@$); $$->scalar = $1; }
	| transformer           { $$ = fc_ast_value(p->u, FC_VAL_EXPR, &@$); $$->expr = $1; }
	;

listvalue
	: '(' ')'               { $$ = fc_ast_value(p->u, FC_VAL_LIST, &@$); }
	| '(' items ')'         {
		$$ = fc_ast_value(p->u, FC_VAL_LIST, &@$);
		$$->items = $2.v;
		$$->nitems = $2.n;
	}
	| LISTNAME              { $$ = fc_ast_value(p->u, FC_VAL_LISTREF, &@$); $$->scalar = $1; }
	| transformer           { $$ = fc_ast_value(p->u, FC_VAL_EXPR, &@$); $$->expr = $1; }
	;

/* items -> item { ',' item } */
items
	: item                  { $$ = (struct fc_items){ 0 }; fc_items_push(p, &$$, &$1); }
	| items ',' item        { $$ = $1; fc_items_push(p, &$$, &$3); }
	;

item
	: STRING
	| BARE
	;

%%

static void fc_xargs_push(struct fc_parse *p, struct fc_xargs *a, struct fc_expr *e)
{
	if (a->n == a->cap) {
		int cap = a->cap ? a->cap * 2 : 2;
		struct fc_expr **v = fc_arena_alloc(p->u, (size_t)cap * sizeof(*v));
		if (a->n)
			memcpy(v, a->v, (size_t)a->n * sizeof(*v));
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = e;
}

static void fc_items_push(struct fc_parse *p, struct fc_items *a, const struct fc_str *s)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct fc_str *v = fc_arena_alloc(p->u, cap * sizeof(*v));
		if (a->n)
			memcpy(v, a->v, a->n * sizeof(*v));
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *s;
}

/* What a token is called in messages. */
static const char *fc_tok_desc(yysymbol_kind_t k)
{
	switch (k) {
	case YYSYMBOL_STRING:
	case YYSYMBOL_BARE:
		return "a value";
	case YYSYMBOL_LISTNAME:
		return "a list name";
	case YYSYMBOL_FIELD:
		return "a field";
	case YYSYMBOL_IDENT:
		return "a macro name";
	case YYSYMBOL_XFORM:
		return "a transformer";
	default:
		return yysymbol_name(k);
	}
}

/* Messages say what was expected, then what was found:
 *   "expected a value after '=' but found end of condition". */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct fc_parse *p)
{
	if (p->failed)
		return 0;
	yysymbol_kind_t exp[12];
	int n = yypcontext_expected_tokens(ctx, exp, 12);
	const char *seen[12];
	int ns = 0;
	char buf[512];
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && len < sizeof(buf) - 64; i++) {
		const char *d = fc_tok_desc(exp[i]);
		bool dup = false;
		for (int j = 0; j < ns; j++)
			dup |= strcmp(seen[j], d) == 0;
		if (dup)
			continue;
		seen[ns++] = d;
	}
	/* "a value" says it all; the transformers and modifiers that may also stand there
	 * are noise in the message. */
	for (int i = 0; i < ns; i++)
		if (strcmp(seen[i], "a value") == 0) {
			seen[0] = seen[i];
			ns = 1;
		}
	for (int i = 0; i < ns; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i == 0 ? "" : i == ns - 1 ? " or " : ", ", seen[i]);
	yysymbol_kind_t la = yypcontext_token(ctx);
	const FC_YYLTYPE *loc = yypcontext_location(ctx);
	char found[64];
	if (la == YYSYMBOL_YYEOF || p->pos <= p->tok)
		snprintf(found, sizeof(found), "end of condition");
	else if (la == YYSYMBOL_UNTERMINATED)
		snprintf(found, sizeof(found), "an unterminated string");
	else if (p->pos - p->tok > 32)
		snprintf(found, sizeof(found), "'%.32s...'", p->text + p->tok);
	else
		snprintf(found, sizeof(found), "'%.*s'", (int)(p->pos - p->tok), p->text + p->tok);
	p->failed = true;
	if (ns > 0)
		fc_diag(p->u, loc, FC_ERROR, p->code, "E-syntax", "expected %s, found %s", buf,
			found);
	else
		fc_diag(p->u, loc, FC_ERROR, p->code, "E-syntax", "unexpected %s", found);
	return 0;
}

void fc_yyerror(FC_YYLTYPE *loc, void *scanner, struct fc_parse *p, const char *msg)
{
	if (p->failed)
		return;
	p->failed = true;
	fc_diag(p->u, loc, FC_ERROR, p->code, "E-syntax", "%s", msg);
}
