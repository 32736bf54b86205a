/* SPDX-License-Identifier: Apache-2.0 */
/* fc_ast.h - the condition AST, built by the grammar and annotated by the checker.
 *
 * Every node lives in the unit's arena and carries the file position it was written at.
 * Strings are interned or arena copies. Nothing here allocates outside the arena. */
#ifndef FC_AST_H
#define FC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler/fc.h"
#include "compiler/fc_fields.h"

/* The deepest condition tree accepted, after macros are expanded. Every pass over the AST
 * recurses, so the depth is bounded up front (libsinsp caps its parser at 100 levels). */
#define FC_MAX_HEIGHT 1000

enum fc_node_kind {
	FC_NODE_AND,
	FC_NODE_OR,
	FC_NODE_NOT,
	FC_NODE_CHECK,  /* lhs op rhs, or lhs exists */
	FC_NODE_IDENT,  /* a bare identifier: a macro reference until resolved */
	FC_NODE_BOOL,   /* a constant, made by resolution and folding */
	FC_NODE_POISON, /* after a syntax error inside parentheses */
};

/* Operators, written once: FC_OP(enum, spelling, class flags). */
enum fc_op {
#define FC_OP(e, s, f) FC_OP_##e,
#include "compiler/fc_ops.def"
#undef FC_OP
	FC_OP_COUNT
};

enum fc_op_flags {
	FC_OPF_UNARY = 1 << 0, /* exists */
	FC_OPF_NUM = 1 << 1,   /* < <= > >= : NumValue on the right */
	FC_OPF_LIST = 1 << 2,  /* in intersects pmatch : ListValue on the right */
	FC_OPF_STR = 1 << 3,   /* = != contains ...: one value on the right */
};

/* String-operator modifiers: proc.name startswith oneof (a, b). */
enum fc_mod { FC_MOD_NONE, FC_MOD_ONEOF, FC_MOD_ANYOF, FC_MOD_ALLOF };

/* A string as written: quoted or bare, with its position. */
struct fc_str {
	const char *s;  /* unescaped value, NUL-terminated */
	size_t len;
	bool quoted;
	struct fc_loc loc;
};

/* The left side of a check, or an operand of a transformer or val(). */
enum fc_expr_kind { FC_EXPR_FIELD, FC_EXPR_TRANSFORM, FC_EXPR_LITERAL };

struct fc_expr {
	enum fc_expr_kind kind;
	struct fc_loc loc;
	union {
		struct {
			const char *name;        /* interned, as written: "proc.aname", "evt.arg.fd" */
			struct fc_str *arg;      /* [arg] or .arg, NULL when none */
			const struct fc_field *field; /* set by the checker */
		} field;
		struct {
			const char *name;        /* interned: "tolower", "val", ... */
			struct fc_expr **args;
			int nargs;
		} xf;
		struct fc_str lit;
	};
	enum fc_type type;       /* set by the checker */
	bool list;               /* the value is a list (FC_F_LIST field, join of lists, ...) */
};

/* The right side of a check. */
enum fc_value_kind {
	FC_VAL_NONE,    /* unary operator */
	FC_VAL_SCALAR,  /* one string or number */
	FC_VAL_LIST,    /* '(' items ')', after list references are expanded */
	FC_VAL_LISTREF, /* a bare identifier naming a list: proc.name in shell_binaries */
	FC_VAL_EXPR,    /* val(field) or a transformer */
};

struct fc_value {
	enum fc_value_kind kind;
	struct fc_loc loc;
	struct fc_str scalar;        /* FC_VAL_SCALAR; the name for FC_VAL_LISTREF */
	struct fc_str *items;        /* FC_VAL_LIST */
	size_t nitems;
	struct fc_expr *expr;        /* FC_VAL_EXPR */
	const char *list;            /* the named list the items came from, if any */
};

struct fc_node {
	enum fc_node_kind kind;
	unsigned height;                       /* 1 for a leaf */
	struct fc_loc loc;
	union {
		struct {
			struct fc_node *l, *r;
		} bin;                         /* AND, OR */
		struct fc_node *operand;       /* NOT */
		struct {
			struct fc_expr *lhs;
			enum fc_op op;
			struct fc_loc op_loc;
			enum fc_mod mod;
			struct fc_value *rhs;
		} check;
		struct {
			const char *name;      /* interned */
			/* where this reference came from after macro expansion: the use site in the
			 * rule, so errors inside a macro can say "in expansion of macro 'x'" */
		} ident;
		bool value;                    /* BOOL */
	};
	/* Set on nodes copied out of a macro body: the macro's name and the use site. */
	const char *from_macro;
	struct fc_loc from_loc;
	struct fc_node *orig;   /* the node this one was cloned from, or itself */
	bool reported;          /* on orig: an error about it was reported already */
	bool warned;            /* on orig: a warning about it was reported already */
};

/* Constructors: arena memory, never freed one by one. */
struct fc_node *fc_ast_binop(struct fc_unit *u, enum fc_node_kind k, struct fc_node *l,
			     struct fc_node *r, const struct fc_loc *loc);
struct fc_node *fc_ast_not(struct fc_unit *u, struct fc_node *operand, const struct fc_loc *loc);
struct fc_node *fc_ast_check(struct fc_unit *u, struct fc_expr *lhs, enum fc_op op,
			     const struct fc_loc *op_loc, enum fc_mod mod, struct fc_value *rhs,
			     const struct fc_loc *loc);
struct fc_node *fc_ast_ident(struct fc_unit *u, const char *name, const struct fc_loc *loc);
struct fc_node *fc_ast_bool(struct fc_unit *u, bool v, const struct fc_loc *loc);
struct fc_node *fc_ast_poison(struct fc_unit *u, const struct fc_loc *loc);
struct fc_expr *fc_ast_field(struct fc_unit *u, const char *name, size_t len, struct fc_str *arg,
			     const struct fc_loc *loc);
struct fc_expr *fc_ast_transform(struct fc_unit *u, const char *name, struct fc_expr **args,
				 int nargs, const struct fc_loc *loc);
struct fc_value *fc_ast_value(struct fc_unit *u, enum fc_value_kind k, const struct fc_loc *loc);
/* Deep copy (for macro expansion): the copy's nodes are new, strings are shared. */
struct fc_node *fc_ast_clone(struct fc_unit *u, const struct fc_node *n);

const char *fc_op_name(enum fc_op op);
unsigned fc_op_flags(enum fc_op op);
const char *fc_mod_name(enum fc_mod m);

/* Parses text as a condition. map, when given, turns a byte offset of text into a file
 * location (a YAML scalar); otherwise locations refer to src, which holds text. Returns NULL
 * after a syntax error, reported through the unit's sink with code `code`. */
struct fc_node *fc_parse_text(struct fc_unit *u, const char *text, size_t len,
			      const struct fc_src *src,
			      struct fc_loc (*map)(const void *ctx, size_t off, size_t end),
			      const void *map_ctx);

#endif /* FC_AST_H */
