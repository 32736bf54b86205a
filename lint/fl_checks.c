/* SPDX-License-Identifier: Apache-2.0 */
/* fl_checks.c - falco-lint's own checks over a checked ruleset (the compiler's errors and
 * Falco's warnings come from the compiler itself). Each check reports through the unit's
 * diagnostic sink with its FL-* code as the id; configuration and suppression are applied
 * afterwards by fl_main.c. A place inside a macro is reported once, however many rules
 * expand the macro. */
#include "lint/fl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const struct fl_check fl_checks[FL_CHECK_COUNT] = {
#define FL_CHECK(e, code, sev, on, summary, explain, bad, fixed) \
	{ code, sev, on, summary, explain, bad, fixed },
#include "lint/fl_checks.def"
#undef FL_CHECK
};

int fl_check_lookup(const char *code)
{
	for (int i = 0; i < FL_CHECK_COUNT; i++)
		if (strcmp(fl_checks[i].code, code) == 0)
			return i;
	return -1;
}

struct fl_ctx {
	struct fc_unit *u;
	struct fc_ruleset *rs;
	const struct fl_config *cfg;
	/* (node, check) pairs already reported */
	const void **seen;
	int *seen_check;
	size_t nseen, capseen;
	const void *key;          /* when set, what fl_report de-duplicates on instead of the node */
};

static bool fl_once(struct fl_ctx *c, const void *key, int check)
{
	for (size_t i = 0; i < c->nseen; i++)
		if (c->seen[i] == key && c->seen_check[i] == check)
			return false;
	if (c->nseen == c->capseen) {
		c->capseen = c->capseen ? c->capseen * 2 : 64;
		c->seen = realloc(c->seen, c->capseen * sizeof(*c->seen));
		c->seen_check = realloc(c->seen_check, c->capseen * sizeof(*c->seen_check));
		if (!c->seen || !c->seen_check)
			abort();
	}
	c->seen[c->nseen] = key;
	c->seen_check[c->nseen++] = check;
	return true;
}

static const void *fl_key(const struct fc_node *n)
{
	return n->orig ? n->orig : n;
}

static struct fc_diag *fl_report(struct fl_ctx *c, int check, const struct fc_node *at,
				 const struct fc_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct fc_diag *fl_report(struct fl_ctx *c, int check, const struct fc_node *at,
				 const struct fc_loc *loc, const char *fmt, ...)
{
	if (at && !fl_once(c, c->key ? c->key : fl_key(at), check))
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* A place inside a macro belongs to the macro: its suppressions apply, not those of
	 * whichever rule happened to expand it first. */
	const char *ct, *cn;
	fc_diag_context_get(c->u, &ct, &cn);
	if (at && at->from_macro)
		fc_diag_context(c->u, "macro", at->from_macro);
	struct fc_diag *d = fc_diag(c->u, loc, fl_checks[check].sev, FC_LOAD_COMPILE_CONDITION,
				    fl_checks[check].code, "%s", buf);
	fc_diag_context(c->u, ct, cn);
	if (at && at->from_macro)
		fc_diag_note(c->u, d, &at->from_loc, "in expansion of macro '%s'", at->from_macro);
	return d;
}

/* --- replaced definitions ------------------------------------------------------------------ */

static void fl_check_replaced(struct fl_ctx *c, const char *kind, const char *name,
			      const struct fc_loc *loc, const struct fc_loc *prev)
{
	if (!prev->src)
		return;
	fc_diag_context(c->u, kind, name);
	bool same = prev->src == loc->src;
	struct fc_diag *d;
	if (same)
		d = fl_report(c, FL_SHADOWED, NULL, loc,
			      "%s '%s' is defined again in the same file; this definition replaces "
			      "the earlier one everywhere",
			      kind, name);
	else
		d = fl_report(c, FL_SILENT_OVERRIDE, NULL, loc,
			      "%s '%s' replaces the one loaded from %s without saying so; use "
			      "override: to replace or append deliberately",
			      kind, name, prev->src->path);
	fc_diag_note(c->u, d, prev, "the earlier definition is here");
}

/* --- constant conditions ------------------------------------------------------------------- */

/* A comparison this analysis understands: a plain field (not a list, not an ancestor field
 * without index) against literal values. */
struct fl_atom {
	const struct fc_node *n;
	const char *field;    /* name[arg] */
	bool neg;             /* under a not */
};

static bool fl_plain_field(const struct fc_expr *e)
{
	if (e->kind != FC_EXPR_FIELD || !e->field.field || e->list)
		return false;
	/* proc.aname and friends without an index match any ancestor */
	if (e->field.field->arg == FC_ARG_OPT_INDEX && !e->field.arg)
		return false;
	return true;
}

static char *fl_field_key(const struct fc_expr *e)
{
	size_t n = strlen(e->field.name) + (e->field.arg ? e->field.arg->len + 3 : 1);
	char *k = malloc(n);
	if (!k)
		abort();
	if (e->field.arg)
		snprintf(k, n, "%s[%s]", e->field.name, e->field.arg->s);
	else
		snprintf(k, n, "%s", e->field.name);
	return k;
}

/* Values a check says the field equals (=, in), or NULL. */
static bool fl_eq_values(const struct fc_node *n, const struct fc_str **v, size_t *nv)
{
	const struct fc_value *r = n->check.rhs;
	if (!r || n->check.mod)
		return false;
	if ((n->check.op == FC_OP_EQ || n->check.op == FC_OP_EQEQ) && r->kind == FC_VAL_SCALAR) {
		*v = &r->scalar;
		*nv = 1;
		return true;
	}
	if (n->check.op == FC_OP_IN && r->kind == FC_VAL_LIST) {
		*v = r->items;
		*nv = r->nitems;
		return true;
	}
	return false;
}

static bool fl_str_eq(const struct fc_str *a, const struct fc_str *b, enum fc_type t)
{
	if (fc_type_class(t) == FC_CLASS_NUMBER) {
		char *ea, *eb;
		long long x = strtoll(a->s, &ea, 0), y = strtoll(b->s, &eb, 0);
		if (!*ea && !*eb)
			return x == y;
	}
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static bool fl_values_meet(const struct fc_str *a, size_t na, const struct fc_str *b, size_t nb,
			   enum fc_type t)
{
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (fl_str_eq(&a[i], &b[j], t))
				return true;
	return false;
}

static void fl_collect(const struct fc_node *n, enum fc_node_kind kind, bool neg,
		       struct fl_atom *atoms, size_t *na, size_t max)
{
	if (n->kind == kind && !neg) {
		fl_collect(n->bin.l, kind, neg, atoms, na, max);
		fl_collect(n->bin.r, kind, neg, atoms, na, max);
		return;
	}
	if (*na < max)
		atoms[(*na)++] = (struct fl_atom){ n, NULL, neg };
}

/* Whether two conjuncts contradict (a and b is false) - with neg_b, whether a and not b is. */
static const char *fl_contradict(const struct fc_node *a, const struct fc_node *b, bool neg_b)
{
	if (a->kind == FC_NODE_NOT && !neg_b && fc_ast_equal(a->operand, b))
		return "'x and not x'";
	if (b->kind == FC_NODE_NOT && !neg_b && fc_ast_equal(b->operand, a))
		return "'x and not x'";
	if (a->kind != FC_NODE_CHECK || b->kind != FC_NODE_CHECK)
		return NULL;
	const struct fc_expr *fa = a->check.lhs, *fb = b->check.lhs;
	if (!fl_plain_field(fa) || !fl_plain_field(fb))
		return NULL;
	char *ka = fl_field_key(fa), *kb = fl_field_key(fb);
	bool same = strcmp(ka, kb) == 0;
	free(ka);
	free(kb);
	if (!same)
		return NULL;
	const struct fc_str *va, *vb;
	size_t na, nb;
	if (!fl_eq_values(a, &va, &na))
		return NULL;
	if (!neg_b && fl_eq_values(b, &vb, &nb) && !fl_values_meet(va, na, vb, nb, fa->type))
		return "the same field cannot equal two different values";
	if (!neg_b && b->check.op == FC_OP_NE && b->check.rhs->kind == FC_VAL_SCALAR && na == 1 &&
	    fl_str_eq(&va[0], &b->check.rhs->scalar, fa->type))
		return "the field is required to be and not to be the same value";
	if (neg_b && fl_eq_values(b, &vb, &nb)) {
		/* f in (A) and not f in (B) with A inside B */
		size_t k = 0;
		for (size_t i = 0; i < na; i++)
			k += fl_values_meet(&va[i], 1, vb, nb, fa->type);
		if (k == na)
			return "every value allowed is excluded again";
	}
	return NULL;
}

/* 1: always true, 0: always false, -1: depends on the event. Reports the outermost constant
 * part of the rule's own condition (or of a macro). */
static int fl_const(struct fl_ctx *c, const struct fc_node *n, bool report);

static int fl_const_and(struct fl_ctx *c, const struct fc_node *n, bool report)
{
	struct fl_atom atoms[256];
	size_t na = 0;
	fl_collect(n, FC_NODE_AND, false, atoms, &na, 256);
	for (size_t i = 0; i < na; i++) {
		const struct fc_node *a = atoms[i].n;
		for (size_t j = 0; j < na; j++) {
			if (i == j)
				continue;
			const struct fc_node *b = atoms[j].n;
			bool negb = b->kind == FC_NODE_NOT && b->operand->kind == FC_NODE_CHECK;
			const char *why = fl_contradict(a, negb ? b->operand : b, negb);
			if (!why && j > i)
				why = fl_contradict(a, b, false);
			if (why) {
				if (report)
					fl_report(c, FL_ALWAYS_FALSE, n, &n->loc,
						  "this 'and' can never be true: %s", why);
				return 0;
			}
		}
	}
	int l = fl_const(c, n->bin.l, report), r = fl_const(c, n->bin.r, report);
	if (l == 0 || r == 0)
		return 0;
	if (l == 1 && r == 1)
		return 1;
	return -1;
}

static int fl_const_or(struct fl_ctx *c, const struct fc_node *n, bool report)
{
	struct fl_atom atoms[256];
	size_t na = 0;
	fl_collect(n, FC_NODE_OR, false, atoms, &na, 256);
	for (size_t i = 0; i < na; i++) {
		for (size_t j = i + 1; j < na; j++) {
			const struct fc_node *a = atoms[i].n, *b = atoms[j].n;
			const char *why = NULL;
			if ((a->kind == FC_NODE_NOT && fc_ast_equal(a->operand, b)) ||
			    (b->kind == FC_NODE_NOT && fc_ast_equal(b->operand, a)))
				why = "'x or not x'";
			else if (a->kind == FC_NODE_CHECK && b->kind == FC_NODE_CHECK &&
				 a->check.op == FC_OP_NE && b->check.op == FC_OP_NE &&
				 fl_plain_field(a->check.lhs) && fl_plain_field(b->check.lhs) &&
				 a->check.rhs->kind == FC_VAL_SCALAR &&
				 b->check.rhs->kind == FC_VAL_SCALAR &&
				 strcmp(a->check.lhs->field.name, b->check.lhs->field.name) == 0 &&
				 !fl_str_eq(&a->check.rhs->scalar, &b->check.rhs->scalar,
					    a->check.lhs->type))
				why = "a field always differs from one of two different values";
			if (why) {
				if (report)
					fl_report(c, FL_ALWAYS_TRUE, n, &n->loc,
						  "this 'or' is always true: %s", why);
				return 1;
			}
		}
	}
	int l = fl_const(c, n->bin.l, report), r = fl_const(c, n->bin.r, report);
	if (l == 1 || r == 1)
		return 1;
	if (l == 0 && r == 0)
		return 0;
	return -1;
}

static int fl_const(struct fl_ctx *c, const struct fc_node *n, bool report)
{
	switch (n->kind) {
	case FC_NODE_AND:
		return fl_const_and(c, n, report);
	case FC_NODE_OR:
		return fl_const_or(c, n, report);
	case FC_NODE_NOT: {
		int v = fl_const(c, n->operand, report);
		return v < 0 ? -1 : !v;
	}
	case FC_NODE_BOOL:
		return n->value;
	case FC_NODE_CHECK:
		if ((n->check.op == FC_OP_IN || n->check.op == FC_OP_INTERSECTS ||
		     n->check.op == FC_OP_PMATCH) &&
		    n->check.rhs && n->check.rhs->kind == FC_VAL_LIST && n->check.rhs->nitems == 0 &&
		    !n->check.rhs->list) {
			/* An empty named list is the rulesets' extension point (user_known_*),
			 * not a mistake; a literal '()' is. */
			if (report)
				fl_report(c, FL_ALWAYS_FALSE, n, &n->loc,
					  "'%s ()' with an empty list is never true",
					  fc_op_name(n->check.op));
			return 0;
		}
		return -1;
	default:
		return -1;
	}
}

/* --- per-check walks ----------------------------------------------------------------------- */

static void fl_walk_checks(struct fl_ctx *c, struct fc_rule *r, const struct fc_node *n);

static bool fl_regex_is_plain(const char *s, size_t len, size_t *start, size_t *end)
{
	*start = 0;
	*end = len;
	if (len && s[0] == '^')
		(*start)++;
	if (*end > *start && s[*end - 1] == '$' && (*end < 2 || s[*end - 2] != '\\'))
		(*end)--;
	for (size_t i = *start; i < *end; i++)
		if (strchr(".[]()*+?{}|\\^$", s[i]))
			return false;
	return *end > *start;
}

/* One space on a side delimits a word (" -o ") and is deliberate; a tab, a line break, two
 * spaces, or nothing but blanks is not. */
static bool fl_stray_space(const struct fc_str *s)
{
	if (!s->len)
		return false;
	size_t lead = 0, trail = 0;
	while (lead < s->len && isspace((unsigned char)s->s[lead]))
		lead++;
	if (lead == s->len)
		return true;
	while (trail < s->len && isspace((unsigned char)s->s[s->len - 1 - trail]))
		trail++;
	bool odd_lead = lead > 1 || (lead == 1 && s->s[0] != ' ');
	bool odd_trail = trail > 1 || (trail == 1 && s->s[s->len - 1] != ' ');
	return odd_lead || odd_trail;
}

static void fl_check_one(struct fl_ctx *c, struct fc_rule *r, const struct fc_node *n)
{
	const struct fc_expr *lhs = n->check.lhs;
	const struct fc_value *v = n->check.rhs;
	enum fc_op op = n->check.op;
	/* event types no capture produces */
	if (lhs->kind == FC_EXPR_FIELD && lhs->field.field &&
	    lhs->field.field->id == FC_FIELD_EVT_TYPE && v) {
		const struct fc_str *items = v->kind == FC_VAL_LIST ? v->items : &v->scalar;
		size_t ni = v->kind == FC_VAL_LIST ? v->nitems : v->kind == FC_VAL_SCALAR ? 1 : 0;
		for (size_t i = 0; i < ni; i++) {
			int e = fc_evttype_lookup(items[i].s, items[i].len);
			if (e >= 0 && (fc_evttype_flags((enum fc_evttype)e) & FC_EVTF_OLD)) {
				c->key = (const char *)fl_key(n) + i; /* one report per value */
				fl_report(c, FL_IMPOSSIBLE_EVTTYPE, n, &items[i].loc,
					  "no capture produces '%s' events; this comparison never "
					  "sees one",
					  items[i].s);
				c->key = NULL;
			}
		}
	}
	/* a cheaper operator */
	if (op == FC_OP_REGEX && v && v->kind == FC_VAL_SCALAR) {
		size_t a, b;
		/* Falco's regex matches the whole value, so a pattern without special
		 * characters is an equality. */
		if (fl_regex_is_plain(v->scalar.s, v->scalar.len, &a, &b))
			fl_report(c, FL_CHEAPER_REGEX, n, &n->check.op_loc,
				  "this regex has no special characters and regex matches the whole "
				  "value: '= %.*s' says the same and is cheaper",
				  (int)(b - a), v->scalar.s + a);
	}
	if (op == FC_OP_PMATCH && v && v->kind == FC_VAL_LIST && v->nitems == 1 &&
	    v->items[0].len > 1 && v->items[0].s[v->items[0].len - 1] == '/')
		fl_report(c, FL_CHEAPER_REGEX, n, &n->check.op_loc,
			  "pmatch of one directory: 'startswith %s' says the same and is cheaper",
			  v->items[0].s);
	/* duplicates in a list written in the condition */
	if (v && v->kind == FC_VAL_LIST && !v->list) {
		for (size_t i = 1; i < v->nitems; i++)
			for (size_t j = 0; j < i; j++)
				if (v->items[i].len == v->items[j].len &&
				    memcmp(v->items[i].s, v->items[j].s, v->items[i].len) == 0) {
					c->key = (const char *)fl_key(n) + i;
					fl_report(c, FL_DUP_ITEM, n, &v->items[i].loc,
						  "'%s' is already in this list", v->items[i].s);
					c->key = NULL;
					break;
				}
	}
	/* stray spaces */
	if ((op == FC_OP_CONTAINS || op == FC_OP_ICONTAINS || op == FC_OP_STARTSWITH ||
	     op == FC_OP_ENDSWITH) &&
	    v) {
		const struct fc_str *items = v->kind == FC_VAL_LIST ? v->items : &v->scalar;
		size_t ni = v->kind == FC_VAL_LIST ? v->nitems : v->kind == FC_VAL_SCALAR ? 1 : 0;
		for (size_t i = 0; i < ni; i++) {
			if (fl_stray_space(&items[i]))
				fl_report(c, FL_CONTAINS_SPACE, n, &items[i].loc,
					  "'%s' has stray whitespace at its start or end: is it meant?",
					  items[i].s);
		}
	}
}

static void fl_walk_checks(struct fl_ctx *c, struct fc_rule *r, const struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		fl_walk_checks(c, r, n->bin.l);
		fl_walk_checks(c, r, n->bin.r);
		break;
	case FC_NODE_NOT:
		fl_walk_checks(c, r, n->operand);
		break;
	case FC_NODE_CHECK:
		fl_check_one(c, r, n);
		break;
	default:
		break;
	}
}

/* --- output fields the event types never set ----------------------------------------------- */

/* Events that carry no file descriptor: fd.* is <NA> on them. */
static const char *const fl_no_fd_events[] = {
	"execve", "execveat", "clone", "clone3", "fork", "vfork", "procexit", "setuid", "setgid",
	"setresuid", "setresgid", "setreuid", "setregid", "unshare", "kill", "tkill", "tgkill",
	"ptrace", "mount", "umount", "umount2", "chdir", "chroot", "prctl", "capset", "setpgid",
	"setsid", "mkdir", "rmdir", "unlink", "rename", "link", "symlink", "chmod", "chown",
	"lchown", "init_module", "delete_module", "pivot_root", "reboot", "sethostname",
	"setrlimit", "nanosleep", "exit", "exit_group", NULL,
};

static void fl_check_output(struct fl_ctx *c, struct fc_rule *r)
{
	if (r->src != FC_SRC_SYSCALL || !r->ast)
		return;
	struct fc_evtset t, f;
	fc_evtset_of(r->ast, &t, &f);
	unsigned n = fc_evtset_count(&t);
	if (n == 0 || n > 100)
		return;
	unsigned nofd = 0;
	for (const char *const *p = fl_no_fd_events; *p; p++)
		nofd += fc_evtset_has(&t, fc_evttype_lookup(*p, strlen(*p)));
	if (nofd != n)
		return;
	for (size_t i = 0; i < r->nparts; i++) {
		const struct fc_expr *e = r->parts[i].field;
		if (r->parts[i].text || !e || e->kind != FC_EXPR_FIELD)
			continue;
		if (strncmp(e->field.name, "fd.", 3) != 0 && strncmp(e->field.name, "fdlist.", 7) != 0)
			continue;
		fl_report(c, FL_OUTPUT_UNSET, NULL, &e->loc,
			  "'%s' is never set for this rule's event types (they carry no file "
			  "descriptor); the output will show <NA>",
			  e->field.name);
	}
}

/* --- exceptions ---------------------------------------------------------------------------- */

static void fl_check_exceptions(struct fl_ctx *c, struct fc_rule *r)
{
	if (!r->ast || r->src != FC_SRC_SYSCALL)
		return;
	struct fc_evtset t, f;
	fc_evtset_of(r->ast, &t, &f);
	for (size_t k = 0; k < r->nexceptions; k++) {
		const struct fc_exception *x = &r->exceptions[k];
		if (!x->fields || x->fields->kind != FC_Y_SEQ)
			continue;
		size_t idx = x->fields->seq.n;
		for (size_t i = 0; i < x->fields->seq.n; i++) {
			const struct fc_ynode *fn = x->fields->seq.items[i];
			if (fn->kind == FC_Y_SCALAR && strcmp(fn->scalar.s, "evt.type") == 0)
				idx = i;
		}
		if (idx == x->fields->seq.n)
			continue;
		for (size_t v = 0; v < x->nvalues; v++) {
			const struct fc_ynode *tuple = x->values[v];
			if (tuple->kind != FC_Y_SEQ || idx >= tuple->seq.n)
				continue;
			const struct fc_ynode *val = tuple->seq.items[idx];
			const struct fc_ynode *one[1] = { val };
			const struct fc_ynode *const *names = val->kind == FC_Y_SEQ
								     ? (const struct fc_ynode *const *)val->seq.items
								     : one;
			size_t nn = val->kind == FC_Y_SEQ ? val->seq.n : 1;
			bool any = false;
			for (size_t i = 0; i < nn; i++) {
				if (names[i]->kind != FC_Y_SCALAR)
					continue;
				int e = fc_evttype_lookup(names[i]->scalar.s, names[i]->scalar.len);
				any |= fc_evtset_has(&t, e);
			}
			if (!any) {
				fc_diag_context(c->u, "exception", x->name);
				fl_report(c, FL_EXCEPTION_NEVER, NULL, &val->loc,
					  "this exception value names event types rule '%s' never "
					  "matches, so it excludes nothing",
					  r->name);
				fc_diag_context(c->u, "rule", r->name);
			}
		}
	}
}

/* --- lists --------------------------------------------------------------------------------- */

static void fl_check_list_items(struct fl_ctx *c, const struct fc_list *l)
{
	for (size_t i = 0; i < l->nraw; i++)
		for (size_t j = 0; j < i; j++)
			if (l->raw[i].len == l->raw[j].len &&
			    memcmp(l->raw[i].s, l->raw[j].s, l->raw[i].len) == 0) {
				fc_diag_context(c->u, "list", l->name);
				struct fc_diag *d = fl_report(c, FL_DUP_ITEM, NULL, &l->raw[i].loc,
							      "'%s' is already in list '%s'",
							      l->raw[i].s, l->name);
				fc_diag_note(c->u, d, &l->raw[j].loc, "first here");
				break;
			}
}

/* --- team requirements --------------------------------------------------------------------- */

static void fl_check_required(struct fl_ctx *c, struct fc_rule *r)
{
	static const char *const keys[FL_REQ_COUNT] = { "desc", "output", "priority", "tags" };
	const struct fc_ynode *item = r->node;
	for (int k = 0; k < FL_REQ_COUNT; k++) {
		if (!c->cfg->require[k])
			continue;
		bool has = item && fc_ymap_get(item, keys[k]) != NULL;
		if (k == FL_REQ_DESC)
			has = has && r->desc && *r->desc;
		if (k == FL_REQ_TAGS)
			has = has && r->ntags > 0;
		if (!has)
			fl_report(c, FL_MISSING_KEY, NULL, &r->loc, "rule '%s' has no %s", r->name,
				  keys[k]);
	}
	if (c->cfg->nrequired_tags) {
		for (size_t i = 0; i < r->ntags; i++)
			for (size_t k = 0; k < c->cfg->nrequired_tags; k++)
				if (strcmp(r->tags[i], c->cfg->required_tags[k]) == 0)
					return;
		fl_report(c, FL_REQUIRED_TAG, NULL, &r->loc,
			  "rule '%s' has none of the required tags (%s%s)", r->name,
			  c->cfg->required_tags[0], c->cfg->nrequired_tags > 1 ? ", ..." : "");
	}
}

void fl_run_checks(struct fc_unit *u, struct fc_ruleset *rs, const struct fl_config *cfg)
{
	struct fl_ctx c = { .u = u, .rs = rs, .cfg = cfg };
	/* every replacement, not only the last one of each item */
	for (size_t i = 0; i < rs->nreplacements; i++) {
		const struct fc_replacement *rp = &rs->replacements[i];
		fl_check_replaced(&c, rp->kind, rp->name, &rp->loc, &rp->prev);
	}
	for (size_t i = 0; i < rs->nlists; i++)
		fl_check_list_items(&c, rs->lists[i]);
	for (size_t i = 0; i < rs->nrules; i++) {
		struct fc_rule *r = rs->rules[i];
		if (r->skipped)
			continue;
		fc_diag_context(u, "rule", r->name);
		fl_check_required(&c, r);
		if (!r->valid || !r->ast)
			continue;
		if (fl_const(&c, r->ast, true) == 0 && fl_once(&c, r, FL_ALWAYS_FALSE))
			fl_report(&c, FL_ALWAYS_FALSE, NULL, &r->loc,
				  "rule '%s' can never match", r->name);
		fl_walk_checks(&c, r, r->ast);
		fl_check_output(&c, r);
		fl_check_exceptions(&c, r);
	}
	free(c.seen);
	free(c.seen_check);
}
