/* SPDX-License-Identifier: Apache-2.0 */
/* fc_check.c - the type checker of conditions and output templates.
 *
 * Follows libsinsp's rules: which operators apply to which field types, what a value must
 * look like for a numeric, boolean or address field, which fields take arguments, what
 * transformers accept. Values are checked and normalised here once, so the interpreter and
 * the backends never see a value that does not fit its field. Nothing here resolves macros
 * or lists; that is fc_resolve.c. */
#include "compiler/fc_check.h"
#include "compiler/fc_evttypes.h"
#include "compiler/fc_fields.h"
#include "compiler/fc_rules.h"
#include "compiler/fc_unit.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct fc_checker {
	struct fc_unit *u;
	int src;
	bool skip_unknown;
	bool unknown;
	int errors;
	const struct fc_node *at; /* the check being looked at, for macro notes */
	bool output;              /* checking an output template: errors are COMPILE_OUTPUT */
	const char *unknown_name; /* the first unknown field or event type */
	struct fc_loc unknown_loc;
};

/* Reports an error about the check c->at (whose node may come from a macro body). Errors in
 * a macro body are reported once, however many rules expand it. */
static struct fc_diag *fc_check_error(struct fc_checker *c, const struct fc_loc *loc,
				      enum fc_code code, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct fc_diag *fc_check_error(struct fc_checker *c, const struct fc_loc *loc,
				      enum fc_code code, const char *id, const char *fmt, ...)
{
	c->errors++;
	const struct fc_node *n = c->at;
	struct fc_node *orig = n ? (n->orig ? n->orig : (struct fc_node *)n) : NULL;
	if (orig && orig->reported)
		return NULL;
	if (orig)
		orig->reported = true;
	va_list ap;
	va_start(ap, fmt);
	char *msg = fc_arena_vprintf(c->u, fmt, ap);
	va_end(ap);
	if (c->output && code == FC_LOAD_ERR_COMPILE_CONDITION)
		code = FC_LOAD_ERR_COMPILE_OUTPUT;
	struct fc_diag *d = fc_diag(c->u, loc, FC_ERROR, code, id, "%s", msg);
	if (n && n->from_macro)
		fc_diag_note(c->u, d, &n->from_loc, "in expansion of macro '%s'", n->from_macro);
	return d;
}

/* --- values -------------------------------------------------------------------------------- */

static bool fc_parse_int(const char *s, bool is_signed, bool is_double)
{
	if (!*s)
		return false;
	char *end;
	errno = 0;
	if (is_double) {
		strtod(s, &end);
		return *end == '\0' && errno == 0;
	}
	/* decimal, or hexadecimal with 0x; a leading 0 is not octal (libsinsp reads 010 as 10) */
	const char *p = s[0] == '+' || s[0] == '-' ? s + 1 : s;
	int base = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : 10;
	if (!isxdigit((unsigned char)p[base == 16 ? 2 : 0]))
		return false;
	if (s[0] == '-') {
		if (!is_signed)
			return false;
		strtoll(s, &end, base);
	} else {
		strtoull(p, &end, base);
	}
	return *end == '\0' && errno == 0;
}

static bool fc_type_is_signed(enum fc_type t)
{
	switch (t) {
	case FC_T_INT8:
	case FC_T_INT16:
	case FC_T_INT32:
	case FC_T_INT64:
	case FC_T_ERRNO:
	case FC_T_FD:
	case FC_T_PID:
	case FC_T_RELTIME:
	case FC_T_DOUBLE:
		return true;
	default:
		return false;
	}
}

static bool fc_parse_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool fc_parse_net(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return fc_parse_ip(s);
	char ip[64];
	size_t n = (size_t)(slash - s);
	if (n >= sizeof(ip))
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	unsigned char buf[16];
	int max;
	if (inet_pton(AF_INET, ip, buf) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, ip, buf) == 1)
		max = 128;
	else
		return false;
	char *end;
	long bits = strtol(slash + 1, &end, 10);
	return *end == '\0' && end != slash + 1 && bits >= 0 && bits <= max;
}

/* Checks that one value fits type t and operator op. */
static void fc_check_value(struct fc_checker *c, const struct fc_str *v, enum fc_type t,
			   const struct fc_expr *lhs, enum fc_op op)
{
	const char *fname = lhs->kind == FC_EXPR_FIELD ? lhs->field.name : lhs->xf.name;
	switch (fc_type_class(t)) {
	case FC_CLASS_NUMBER:
		if (!fc_parse_int(v->s, fc_type_is_signed(t), t == FC_T_DOUBLE))
			fc_check_error(c, &v->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-value",
				       "'%s' is not a valid number for '%s' (type %s)", v->s,
				       fname, fc_type_name(t));
		break;
	case FC_CLASS_BOOL:
		if (strcmp(v->s, "true") != 0 && strcmp(v->s, "false") != 0)
			fc_check_error(c, &v->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-value",
				       "'%s' is not a boolean: '%s' takes true or false", v->s,
				       fname);
		break;
	case FC_CLASS_IPADDR:
		if (!fc_parse_net(v->s))
			fc_check_error(c, &v->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-value",
				       "'%s' is not an IP address or network for '%s'", v->s,
				       fname);
		break;
	case FC_CLASS_IPNET:
		if (!fc_parse_net(v->s))
			fc_check_error(c, &v->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-value",
				       "'%s' is not a network in CIDR notation (like 10.0.0.0/8) "
				       "for '%s'",
				       v->s, fname);
		break;
	default:
		break;
	}
	if (op == FC_OP_REGEX) {
		int err;
		PCRE2_SIZE erroff;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)v->s, v->len, 0, &err, &erroff, NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof(msg));
			fc_check_error(c, &v->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-regex",
				       "invalid regular expression '%s': %s at offset %zu", v->s,
				       (const char *)msg, (size_t)erroff);
		} else {
			pcre2_code_free(re);
		}
	}
	if (lhs->kind == FC_EXPR_FIELD && lhs->field.field &&
	    lhs->field.field->id == FC_FIELD_EVT_TYPE &&
	    (op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || op == FC_OP_IN) &&
	    fc_evttype_lookup(v->s, v->len) < 0) {
		if (!c->unknown) {
			c->unknown_name = v->s;
			c->unknown_loc = v->loc;
		}
		c->unknown = true;
		if (!c->skip_unknown)
			fc_check_error(c, &v->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-evttype",
				       "unknown event type %s", v->s);
	}
}

/* --- fields and transformers ---------------------------------------------------------------- */

struct fc_expr *fc_expr_from_text(struct fc_unit *u, const char *text, size_t len,
				  const struct fc_loc *loc)
{
	size_t n = 0;
	while (n < len && text[n] != '[')
		n++;
	if (n == 0)
		return NULL;
	struct fc_str *arg = NULL;
	if (n < len) {
		if (text[len - 1] != ']')
			return NULL;
		arg = fc_arena_alloc(u, sizeof(*arg));
		arg->s = fc_arena_strndup(u, text + n + 1, len - n - 2);
		arg->len = len - n - 2;
		if (loc)
			arg->loc = *loc;
	}
	return fc_ast_field(u, text, n, arg, loc);
}

static bool fc_arg_is_index(const struct fc_str *a)
{
	if (!a->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (!isdigit((unsigned char)a->s[i]))
			return false;
	return true;
}

static bool fc_check_field(struct fc_checker *c, struct fc_expr *e, bool report)
{
	size_t dotarg = 0;
	const struct fc_field *f =
		c->src >= 0 ? fc_field_lookup(e->field.name, (enum fc_source)c->src, &dotarg) : NULL;
	if (!f) {
		if (!c->unknown) {
			c->unknown_name = e->field.name;
			c->unknown_loc = e->loc;
		}
		c->unknown = true;
		if (c->skip_unknown || !report) {
			c->errors++;
			return false;
		}
		struct fc_diag *d = fc_check_error(c, &e->loc, FC_LOAD_ERR_COMPILE_CONDITION,
						   "E-field", "unknown field '%s'", e->field.name);
		const char *s = c->src >= 0 ? fc_field_suggest(e->field.name, c->src) : NULL;
		if (d && s)
			fc_diag_note(c->u, d, NULL, "did you mean '%s'?", s);
		return false;
	}
	e->field.field = f;
	e->type = f->type;
	if ((f->flags & FC_F_OUTPUT_ONLY) && !c->output) {
		fc_check_error(c, &e->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-field",
			       "field '%s' can only be used in outputs, not in conditions", f->name);
		return false;
	}
	if ((f->flags & FC_F_DEPRECATED) && report && c->at) {
		struct fc_node *orig = c->at->orig ? c->at->orig : (struct fc_node *)c->at;
		if (!orig->reported && !orig->warned && (orig->warned = true))
			fc_diag(c->u, &e->loc, FC_WARNING, FC_LOAD_DEPRECATED_ITEM,
				"LOAD_DEPRECATED_ITEM", "field '%s' is deprecated%s", f->name,
				f->id == FC_FIELD_EVT_DIR
					? ": every event is taken at syscall exit, so evt.dir is "
					  "always '<'"
					: "");
	}
	e->list = (f->flags & FC_F_LIST) != 0;
	if (dotarg) {
		if (e->field.arg) {
			fc_check_error(c, &e->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-field-arg",
				       "field '%s' has an argument both after a dot and in brackets",
				       e->field.name);
			return false;
		}
		struct fc_str *a = fc_arena_alloc(c->u, sizeof(*a));
		a->s = e->field.name + dotarg;
		a->len = strlen(a->s);
		a->loc = e->loc;
		e->field.arg = a;
		e->field.name = fc_intern(c->u, f->name);
	}
	const struct fc_str *a = e->field.arg;
	switch (f->arg) {
	case FC_ARG_NONE:
		if (a) {
			fc_check_error(c, &a->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-field-arg",
				       "field '%s' does not take an argument", f->name);
			return false;
		}
		break;
	case FC_ARG_INDEX:
	case FC_ARG_OPT_INDEX:
		if (!a && f->arg == FC_ARG_INDEX) {
			fc_check_error(c, &e->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-field-arg",
				       "field '%s' requires an index argument, like %s[1]", f->name,
				       f->name);
			return false;
		}
		if (a && !fc_arg_is_index(a)) {
			fc_check_error(c, &a->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-field-arg",
				       "field '%s' takes a numeric index, not '%s'", f->name, a->s);
			return false;
		}
		break;
	case FC_ARG_KEY:
	case FC_ARG_INDEX_OR_KEY:
		if (!a || !a->len) {
			fc_check_error(c, &e->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-field-arg",
				       "field '%s' requires an argument, like %s[name]", f->name,
				       f->name);
			return false;
		}
		break;
	case FC_ARG_OPT_KEY:
		break;
	}
	return true;
}

struct fc_xform_info {
	const char *name;
	int min, max;          /* argument count */
	bool needs_string;     /* operands must be strings */
	enum fc_type result;   /* FC_T_POISON: the operand's type */
};

static const struct fc_xform_info fc_xforms[] = {
	{ "tolower", 1, 1, true, FC_T_CHARBUF },
	{ "toupper", 1, 1, true, FC_T_CHARBUF },
	{ "b64", 1, 1, true, FC_T_CHARBUF },
	{ "basename", 1, 1, true, FC_T_CHARBUF },
	{ "len", 1, 1, false, FC_T_UINT64 },
	{ "join", 2, 2, false, FC_T_CHARBUF },
	{ "concat", 2, 16, false, FC_T_CHARBUF },
	{ "getopt", 2, 2, false, FC_T_CHARBUF },
	{ "val", 1, 1, false, FC_T_POISON },
};

static bool fc_check_any(struct fc_checker *c, struct fc_expr *e, bool rhs, bool report);

static bool fc_check_transform(struct fc_checker *c, struct fc_expr *e, bool rhs, bool report)
{
	const struct fc_xform_info *x = NULL;
	for (size_t i = 0; i < sizeof(fc_xforms) / sizeof(fc_xforms[0]); i++)
		if (strcmp(fc_xforms[i].name, e->xf.name) == 0)
			x = &fc_xforms[i];
	if (!x)
		return false; /* the scanner only makes known names */
	if (strcmp(x->name, "val") == 0 && !rhs) {
		fc_check_error(c, &e->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-transformer",
			       "val() compares with another field and belongs on the right side");
		return false;
	}
	if (e->xf.nargs < x->min || e->xf.nargs > x->max) {
		fc_check_error(c, &e->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-transformer",
			       "%s() takes %d argument%s, not %d", x->name, x->min,
			       x->min == 1 ? "" : "s", e->xf.nargs);
		return false;
	}
	bool ok = true;
	for (int i = 0; i < e->xf.nargs; i++) {
		struct fc_expr *a = e->xf.args[i];
		if (a->kind == FC_EXPR_LITERAL) {
			bool lit_ok = strcmp(x->name, "concat") == 0 ||
				      (strcmp(x->name, "join") == 0 && i == 0) ||
				      (strcmp(x->name, "getopt") == 0 && i == 1);
			if (!lit_ok) {
				fc_check_error(c, &a->loc, FC_LOAD_ERR_COMPILE_CONDITION,
					       "E-transformer",
					       "%s() takes a field here, not a string", x->name);
				ok = false;
			}
			a->type = FC_T_CHARBUF;
			continue;
		}
		if (strcmp(x->name, "val") == 0 && a->kind != FC_EXPR_FIELD) {
			fc_check_error(c, &a->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-transformer",
				       "val() takes a field");
			ok = false;
			continue;
		}
		if (!fc_check_any(c, a, false, report)) {
			ok = false;
			continue;
		}
		if (x->needs_string && fc_type_class(a->type) != FC_CLASS_STRING &&
		    fc_type_class(a->type) != FC_CLASS_BYTES) {
			fc_check_error(c, &a->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-transformer",
				       "%s() works on strings, and '%s' has type %s", x->name,
				       a->kind == FC_EXPR_FIELD ? a->field.name : a->xf.name,
				       fc_type_name(a->type));
			ok = false;
		}
	}
	if (!ok)
		return false;
	e->type = x->result == FC_T_POISON ? e->xf.args[0]->type : x->result;
	e->list = x->result == FC_T_POISON && e->xf.args[0]->list;
	if (strcmp(x->name, "len") != 0 && strcmp(x->name, "join") != 0 &&
	    strcmp(x->name, "val") != 0)
		e->list = e->xf.args[0]->list;
	return true;
}

static bool fc_check_any(struct fc_checker *c, struct fc_expr *e, bool rhs, bool report)
{
	switch (e->kind) {
	case FC_EXPR_FIELD:
		return fc_check_field(c, e, report);
	case FC_EXPR_TRANSFORM:
		return fc_check_transform(c, e, rhs, report);
	case FC_EXPR_LITERAL:
		e->type = FC_T_CHARBUF;
		return true;
	}
	return false;
}

bool fc_check_expr(struct fc_unit *u, struct fc_expr *e, int src, bool rhs, bool report,
		   bool *unknown)
{
	struct fc_checker c = { .u = u, .src = src };
	bool ok = fc_check_any(&c, e, rhs, report);
	if (unknown)
		*unknown = c.unknown;
	return ok;
}

/* --- operators ----------------------------------------------------------------------------- */

/* libsinsp's type x operator matrix, for one value of type t. A list-valued field takes what
 * its elements take (fc_check_list_op says what that means and warns). */
static bool fc_op_applies(enum fc_op op, enum fc_type t)
{
	if (op == FC_OP_EXISTS)
		return true;
	switch (fc_type_class(t)) {
	case FC_CLASS_STRING:
		return op != FC_OP_BCONTAINS && op != FC_OP_BSTARTSWITH;
	case FC_CLASS_BYTES:
		return op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE ||
		       op == FC_OP_CONTAINS || op == FC_OP_BCONTAINS || op == FC_OP_STARTSWITH ||
		       op == FC_OP_BSTARTSWITH || op == FC_OP_ENDSWITH || op == FC_OP_IN ||
		       op == FC_OP_INTERSECTS;
	case FC_CLASS_NUMBER:
		return op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || op == FC_OP_LT ||
		       op == FC_OP_LE || op == FC_OP_GT || op == FC_OP_GE || op == FC_OP_IN ||
		       op == FC_OP_INTERSECTS;
	case FC_CLASS_BOOL:
	case FC_CLASS_IPADDR:
	case FC_CLASS_IPNET:
		return op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || op == FC_OP_IN ||
		       op == FC_OP_INTERSECTS;
	}
	return false;
}

static const char *fc_expr_name(const struct fc_expr *e)
{
	return e->kind == FC_EXPR_FIELD ? e->field.name : e->xf.name;
}

/* An operator other than in/intersects/exists on a list-valued field. Falco 0.34 (libsinsp
 * 0.10) loads it, and its filter check throws "list filter '...' only supports operators
 * 'exists', 'in' and 'intersects'" when it reaches the check with a non-empty list, which
 * stops Falco; current libsinsp rejects it when compiling. falcod passes the check when any
 * element passes (rt_eval.c). Warned once per check, like the errors of a macro body. */
static void fc_check_list_op(struct fc_checker *c, const struct fc_node *n)
{
	struct fc_node *orig = n->orig ? n->orig : (struct fc_node *)n;
	if (orig->reported || orig->warned)
		return;
	orig->warned = true;
	const char *name = fc_expr_name(n->check.lhs);
	struct fc_diag *d = fc_diag(c->u, &n->check.op_loc, FC_WARNING, FC_LOAD_COMPILE_CONDITION,
				    "LOAD_COMPILE_CONDITION",
				    "operator '%s' on the list-valued field '%s' loads in Falco "
				    "0.34 but not in current Falco",
				    fc_op_name(n->check.op), name);
	if (n->from_macro)
		fc_diag_note(c->u, d, &n->from_loc, "in expansion of macro '%s'", n->from_macro);
	fc_diag_note(c->u, d, NULL,
		     "falcod passes it when any element passes; Falco 0.34 stops with a runtime "
		     "error when it evaluates it on a non-empty list");
	if (n->check.op == FC_OP_EQ || n->check.op == FC_OP_EQEQ ||
	    n->check.op == FC_OP_CONTAINS)
		fc_diag_note(c->u, d, NULL,
			     "to test whether the list holds a value, write '%s intersects (...)'",
			     name);
}

static void fc_check_cmp(struct fc_checker *c, struct fc_node *n)
{
	struct fc_expr *lhs = n->check.lhs;
	enum fc_op op = n->check.op;
	c->at = n;
	if (!fc_check_any(c, lhs, false, true))
		return;
	if (!fc_op_applies(op, lhs->type)) {
		fc_check_error(c, &n->check.op_loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-operator",
			       "operator '%s' cannot be used on '%s' (%s%s)", fc_op_name(op),
			       fc_expr_name(lhs), lhs->list ? "a list of " : "",
			       fc_type_name(lhs->type));
		return;
	}
	if (lhs->list && op != FC_OP_IN && op != FC_OP_INTERSECTS && op != FC_OP_EXISTS)
		fc_check_list_op(c, n);
	if (n->check.mod) {
		bool str_op = op == FC_OP_CONTAINS || op == FC_OP_ICONTAINS ||
			      op == FC_OP_STARTSWITH || op == FC_OP_ENDSWITH || op == FC_OP_GLOB ||
			      op == FC_OP_IGLOB || op == FC_OP_EQ || op == FC_OP_EQEQ ||
			      op == FC_OP_REGEX || op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH;
		if (!str_op || fc_type_class(lhs->type) != FC_CLASS_STRING) {
			fc_check_error(c, &n->check.op_loc, FC_LOAD_ERR_COMPILE_CONDITION,
				       "E-operator",
				       "modifier '%s' applies only to string operators on string "
				       "fields",
				       fc_mod_name(n->check.mod));
			return;
		}
	}
	struct fc_value *v = n->check.rhs;
	if (!v)
		return;
	switch (v->kind) {
	case FC_VAL_NONE:
		break;
	case FC_VAL_SCALAR:
		fc_check_value(c, &v->scalar, lhs->type, lhs, op);
		break;
	case FC_VAL_LIST:
		for (size_t i = 0; i < v->nitems; i++)
			fc_check_value(c, &v->items[i], lhs->type, lhs, op);
		break;
	case FC_VAL_LISTREF:
		/* a name that is not a list: libsinsp reads it as a one-item list */
		fc_check_value(c, &v->scalar, lhs->type, lhs, op);
		break;
	case FC_VAL_EXPR:
		if (!fc_check_any(c, v->expr, true, true))
			break;
		if (fc_type_class(v->expr->type) != fc_type_class(lhs->type) &&
		    !(fc_type_class(lhs->type) == FC_CLASS_IPNET &&
		      fc_type_class(v->expr->type) == FC_CLASS_IPADDR) &&
		    !(fc_type_class(lhs->type) == FC_CLASS_IPADDR &&
		      fc_type_class(v->expr->type) == FC_CLASS_IPNET))
			fc_check_error(c, &v->loc, FC_LOAD_ERR_COMPILE_CONDITION, "E-type",
				       "'%s' (%s) cannot be compared with '%s' (%s)",
				       fc_expr_name(lhs), fc_type_name(lhs->type),
				       fc_expr_name(v->expr), fc_type_name(v->expr->type));
		break;
	}
}

static void fc_check_walk(struct fc_checker *c, struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		fc_check_walk(c, n->bin.l);
		fc_check_walk(c, n->bin.r);
		break;
	case FC_NODE_NOT:
		fc_check_walk(c, n->operand);
		break;
	case FC_NODE_CHECK:
		fc_check_cmp(c, n);
		break;
	case FC_NODE_IDENT:
	case FC_NODE_POISON:
		c->errors++; /* resolution reported it */
		break;
	case FC_NODE_BOOL:
		break;
	}
}

struct fc_check_result fc_check_condition(struct fc_unit *u, struct fc_node *n, int src,
					  bool skip_unknown)
{
	struct fc_checker c = { .u = u, .src = src, .skip_unknown = skip_unknown };
	fc_check_walk(&c, n);
	return (struct fc_check_result){ c.errors, c.unknown, c.unknown_name, c.unknown_loc };
}

/* --- output templates ---------------------------------------------------------------------- */

static bool fc_out_namechar(char ch)
{
	return isalnum((unsigned char)ch) || ch == '.' || ch == '_' || ch == '-';
}

/* template -> { text | '%' name [ '[' arg ']' ] | '%(' name [ '[' arg ']' ] ')' } */
bool fc_output_parse(struct fc_unit *u, const char *s, size_t len,
		     struct fc_loc (*map)(const void *ctx, size_t off, size_t end), const void *ctx,
		     int src, bool skip_unknown, bool *unknown, struct fc_output_part **parts,
		     size_t *nparts)
{
	size_t cap = 8, n = 0;
	struct fc_output_part *p = fc_arena_alloc(u, cap * sizeof(*p));
	struct fc_checker c = { .u = u, .src = src, .skip_unknown = skip_unknown, .output = true };
	size_t i = 0, lit = 0;
	bool ok = true;
	while (i <= len) {
		bool at_field = i < len && s[i] == '%' && i + 1 < len &&
				(fc_out_namechar(s[i + 1]) || s[i + 1] == '(');
		if (i < len && !at_field) {
			i++;
			continue;
		}
		if (i > lit) {
			if (n + 2 > cap) {
				struct fc_output_part *np = fc_arena_alloc(u, cap * 2 * sizeof(*np));
				memcpy(np, p, n * sizeof(*np));
				p = np;
				cap *= 2;
			}
			p[n].text = s + lit;
			p[n].len = i - lit;
			n++;
		}
		if (i == len)
			break;
		size_t start = i++;
		bool paren = s[i] == '(';
		if (paren)
			i++;
		size_t name = i;
		while (i < len && fc_out_namechar(s[i]))
			i++;
		/* a trailing '.' ends a sentence, not a field name */
		while (i > name && (s[i - 1] == '.' || s[i - 1] == '-'))
			i--;
		if (i < len && s[i] == '[') {
			while (i < len && s[i] != ']')
				i++;
			if (i < len)
				i++;
		}
		size_t end = i;
		if (paren && i < len && s[i] == ')')
			i++;
		struct fc_loc loc = map(ctx, start, i);
		struct fc_expr *e = fc_expr_from_text(u, s + name, end - name, &loc);
		if (n + 2 > cap) {
			struct fc_output_part *np = fc_arena_alloc(u, cap * 2 * sizeof(*np));
			memcpy(np, p, n * sizeof(*np));
			p = np;
			cap *= 2;
		}
		int before = c.errors;
		bool checked = e && fc_check_any(&c, e, false, false);
		if (!checked && e && !c.unknown && c.errors > before) {
			ok = false; /* a field argument error, reported by the check */
		} else if (!checked) {
			if (!skip_unknown) {
				struct fc_diag *d = fc_diag(u, &loc, FC_ERROR, FC_LOAD_ERR_COMPILE_OUTPUT,
							    "E-output", "invalid formatting token %.*s: no such field",
							    (int)(end - name), s + name);
				char *nm = fc_arena_strndup(u, s + name, end - name);
				const char *sug = c.unknown && src >= 0 ? fc_field_suggest(nm, src) : NULL;
				if (sug)
					fc_diag_note(u, d, NULL, "did you mean '%s'?", sug);
			}
			ok = false;
		}
		p[n].text = NULL;
		p[n].field = e;
		n++;
		lit = i;
	}
	*parts = p;
	*nparts = n;
	if (unknown)
		*unknown = c.unknown;
	return ok;
}
