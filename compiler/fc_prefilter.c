/* SPDX-License-Identifier: Apache-2.0 */
/* fc_prefilter.c - the eBPF prefilter backend (fc_prefilter.h, docs/prefilter.md).
 *
 * Three steps per event type T:
 *  1. lowering: every rule that may match T contributes "may this rule be true on an event
 *     of type T", computed over its checked AST in Kleene logic: a check the kernel decides
 *     becomes a runtime leaf, a check it decides statically (evt.type, evt.dir, a field that
 *     is constant on T) a constant, any other check MAYBE. may(a and b) = may(a) and may(b),
 *     may(not a) = "a may be false", ..., so MAYBE always lowers to TRUE and negation is
 *     pushed down to the leaves, each of which knows whether a runtime "undecidable" outcome
 *     (a relative path, a failed open) counts as pass;
 *  2. state needs: types the state tables need are never filtered; open/creat are filtered
 *     only when no rule can observe a file fd (or its absence) on a later event, close only
 *     together with the kernel's record of fds whose open it dropped (pf_need);
 *  3. emission: a direct BPF emitter with symbolic labels, a reachability pass (the verifier
 *     rejects unreachable instructions) and a text dump.
 * fc_pf_run interprets the emitted instructions in userspace for the soundness tests. */
#include "compiler/fc_prefilter.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/fk_shared.h"
#include "bpf/fk_capture.h"
#include "compiler/fc_evtset.h"
#include "compiler/fc_evttypes.h"

/* --- the event table, from fk_events.def ------------------------------------------------ */

struct pf_param {
	const char *name;
	int type;
};

struct pf_evt {
	const char *name;
	unsigned flags;
	unsigned np;
	struct pf_param p[FK_MAX_PARAMS];
};

#define FK_UNPAREN(...) __VA_ARGS__
#define FK_P(n, t) { #n, FK_PT_##t }
#define FK_EVENT(id, nm, fl, params)                                                            \
	[FK_EVENT_##id] = { #nm, fl,                                                            \
			    sizeof((struct pf_param[]){ FK_UNPAREN params }) /                   \
				    sizeof(struct pf_param),                                     \
			    { FK_UNPAREN params } },
static const struct pf_evt pf_events[FK_EVENT_COUNT] = {
#include "bpf/fk_events.def"
};
#undef FK_EVENT
#undef FK_P

static int pf_param_index(unsigned type, const char *name)
{
	for (unsigned i = 0; i < pf_events[type].np; i++)
		if (strcmp(pf_events[type].p[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Falco's open flags (PPM_O_*), as fk_open_flags encodes them. */
#define PPM_O_RDONLY (1u << 0)
#define PPM_O_WRONLY (1u << 1)
#define PPM_O_CREAT (1u << 2)
#define PPM_O_DIRECTORY (1u << 10)

#define PF_HDR 32u                      /* sizeof(struct fk_event_hdr) */
#define PF_OFF_RES 8
#define PF_OFF_TYPE 28
#define PF_OFF_NPARAMS 30
#define PF_DATA_MAX (FK_MAX_EVENT_LEN / 2) /* parameters start below this (fk_core.bpf.h) */
/* Paths longer than FK_PF_PATH_MAX (with the NUL) are undecided (normalization limits). The
 * scratch value ends with the resolved path's area (fk_capture.h). */
#define PF_SCRATCH_SIZE (FK_PF_PATH_OFF + FK_PF_PATH_BUF)
_Static_assert(FK_PF_PATH_BUF >= FK_PF_PATH_MAX + 16,
	       "the path scan and \"contains\" read up to 8 bytes past a path's end");

static bool pf_is_open(unsigned t)
{
	return t == FK_EVENT_OPEN || t == FK_EVENT_OPENAT || t == FK_EVENT_OPENAT2 ||
	       t == FK_EVENT_CREAT;
}

/* Types the state tables (runtime/rt_state.c) change on, or that carry fds/tuples they keep:
 * every event of these is kept. open/creat, close and fcntl are handled apart: the kernel
 * sets pf_need on those the state needs (a directory fd, the close of an fd userspace knows,
 * a successful F_DUPFD or F_DUPFD_CLOEXEC, the only fcntl rt_state reads). */
static bool pf_state_type(unsigned t)
{
	unsigned f = pf_events[t].flags;
	if (pf_is_open(t) || t == FK_EVENT_CLOSE || t == FK_EVENT_FCNTL)
		return false;
	if (f & (FK_EF_PROC | FK_EF_CREATES_FD | FK_EF_CLOSES_FD | FK_EF_NET | FK_EF_GENERIC |
		 FK_EF_ENTER))
		return true;
	switch (t) {
	case FK_EVENT_CHDIR: case FK_EVENT_FCHDIR: case FK_EVENT_CHROOT:
	case FK_EVENT_SETUID: case FK_EVENT_SETGID: case FK_EVENT_SETREUID:
	case FK_EVENT_SETREGID: case FK_EVENT_SETRESUID: case FK_EVENT_SETRESGID:
	case FK_EVENT_CAPSET: case FK_EVENT_SETSID: case FK_EVENT_SETPGID:
	case FK_EVENT_PROCEXIT: case FK_EVENT_PIPE: case FK_EVENT_PIPE2:
	case FK_EVENT_SOCKETPAIR: case FK_EVENT_MEMFD_CREATE: case FK_EVENT_USERFAULTFD:
	case FK_EVENT_BPF: case FK_EVENT_DUP: case FK_EVENT_DUP2: case FK_EVENT_DUP3:
	case FK_EVENT_OPEN_BY_HANDLE_AT:
		return true;
	default:
		return false;
	}
}

/* --- the lowered condition ---------------------------------------------------------------- */

/* guard: the leaf is a check on an fd field of an open, false when res < 0 (the open failed:
 * no fd, every fd field is <NA> in userspace, and a check on <NA> is false). */
enum pf_leaf_kind {
	LF_RES,         /* res OP imm */
	LF_RES_ERR,     /* evt.res = "<errno name>": false when res >= 0, else undecided */
	LF_FLAGS,       /* (flags param & mask) != 0; undecided when the param is not 4 bytes */
	LF_STR,         /* the path OP values; undecided unless an absolute, normalized path
			 * of at most FK_PF_PATH_MAX bytes. The path is the one the kernel
			 * resolved a relative open to when it wrote one, else the name param
			 * (em_prologue) */
};

enum pf_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_PREFIX, CMP_SUFFIX, CMP_CONTAINS };

struct pf_leaf {
	enum pf_leaf_kind kind;
	enum pf_cmp cmp;
	bool guard;
	bool raw;               /* LF_STR on fd.nameraw: undecided on a resolved path (TMP_REL) */
	int64_t imm;
	uint32_t mask;
	const struct fc_str *vals;      /* LF_STR: one (EQ, PREFIX, SUFFIX) or a list (EQ) */
	size_t nvals;
	const char *text;               /* the check, for the dump */
};

enum pf_ir_kind { IR_FALSE, IR_TRUE, IR_AND, IR_OR, IR_LEAF };

struct pf_ir {
	enum pf_ir_kind kind;
	struct pf_ir *l, *r;
	struct pf_leaf leaf;
	bool pol;               /* IR_LEAF: "the leaf may be pol" */
};

struct pf_ctx {
	struct pf_ir **nodes;   /* everything allocated, freed at the end */
	size_t n, cap;
	unsigned type;
	int mode;               /* PF_MODE_* */
	bool uses_flags, uses_str;
	bool oom;
	struct fc_unit *u;      /* for unparsing checks in the dump */
};

enum { PF_MODE_CODE, PF_MODE_ENV_FILE, PF_MODE_ENV_NULL };

static struct pf_ir pf_true = { .kind = IR_TRUE }, pf_false = { .kind = IR_FALSE };

static struct pf_ir *pf_new(struct pf_ctx *c, enum pf_ir_kind k)
{
	if (c->n == c->cap) {
		size_t nc = c->cap ? 2 * c->cap : 64;
		struct pf_ir **nn = realloc(c->nodes, nc * sizeof(*nn));
		if (!nn) {
			c->oom = true;
			return &pf_true;
		}
		c->nodes = nn;
		c->cap = nc;
	}
	struct pf_ir *x = calloc(1, sizeof(*x));
	if (!x) {
		c->oom = true;
		return &pf_true;
	}
	x->kind = k;
	c->nodes[c->n++] = x;
	return x;
}

/* Structural equality of two lowered conditions (same leaves, same shape). */
static bool pf_ir_equal(const struct pf_ir *a, const struct pf_ir *b)
{
	if (a == b)
		return true;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case IR_FALSE:
	case IR_TRUE:
		return true;
	case IR_AND:
	case IR_OR:
		return pf_ir_equal(a->l, b->l) && pf_ir_equal(a->r, b->r);
	case IR_LEAF:
		break;
	}
	const struct pf_leaf *x = &a->leaf, *y = &b->leaf;
	if (a->pol != b->pol || x->kind != y->kind || x->cmp != y->cmp || x->guard != y->guard ||
	    x->raw != y->raw || x->imm != y->imm || x->mask != y->mask || x->nvals != y->nvals)
		return false;
	for (size_t i = 0; i < x->nvals; i++)
		if (x->vals[i].len != y->vals[i].len ||
		    memcmp(x->vals[i].s, y->vals[i].s, x->vals[i].len) != 0)
			return false;
	return true;
}

/* Whether x is one of the operands of the chain of k nodes rooted at c (c itself when it is
 * not a k node). */
static bool pf_ir_in_chain(const struct pf_ir *c, enum pf_ir_kind k, const struct pf_ir *x)
{
	if (c->kind == k)
		return pf_ir_in_chain(c->l, k, x) || pf_ir_in_chain(c->r, k, x);
	return pf_ir_equal(c, x);
}

/* Whether every operand of d's chain of k nodes is an operand of c's. */
static bool pf_ir_subchain(const struct pf_ir *d, enum pf_ir_kind k, const struct pf_ir *c)
{
	if (d->kind == k)
		return pf_ir_subchain(d->l, k, c) && pf_ir_subchain(d->r, k, c);
	return pf_ir_in_chain(c, k, d);
}

/* Whether y implies x, seen syntactically: some operand of x's "or" chain has only conjuncts
 * that are conjuncts of y. */
static bool pf_ir_implied(const struct pf_ir *x, const struct pf_ir *y)
{
	if (x->kind == IR_OR)
		return pf_ir_implied(x->l, y) || pf_ir_implied(x->r, y);
	return pf_ir_subchain(x, IR_AND, y);
}

/* pf_and and pf_or drop an operand the other implies: a and b = a, a or b = b when a implies
 * b (idempotence and absorption). That holds for the program's two-valued "may" values as for
 * Kleene's logic, and shortens what the kernel runs: rules share macros, so the same tests
 * come in several rules (falco_rules.yaml's openat filter had two rules' conditions twice and
 * a third one that a fourth implies). */
static struct pf_ir *pf_and(struct pf_ctx *c, struct pf_ir *a, struct pf_ir *b)
{
	if (a->kind == IR_FALSE || b->kind == IR_FALSE)
		return &pf_false;
	if (a->kind == IR_TRUE)
		return b;
	if (b->kind == IR_TRUE)
		return a;
	if (pf_ir_implied(b, a))
		return a;
	if (pf_ir_implied(a, b))
		return b;
	struct pf_ir *x = pf_new(c, IR_AND);
	if (x == &pf_true)
		return x;
	x->l = a;
	x->r = b;
	return x;
}

static struct pf_ir *pf_or(struct pf_ctx *c, struct pf_ir *a, struct pf_ir *b)
{
	if (a->kind == IR_TRUE || b->kind == IR_TRUE)
		return &pf_true;
	if (a->kind == IR_FALSE)
		return b;
	if (b->kind == IR_FALSE)
		return a;
	if (pf_ir_implied(a, b))
		return a;
	if (pf_ir_implied(b, a))
		return b;
	struct pf_ir *x = pf_new(c, IR_OR);
	if (x == &pf_true)
		return x;
	x->l = a;
	x->r = b;
	return x;
}

static struct pf_ir *pf_const(bool v)
{
	return v ? &pf_true : &pf_false;
}

static struct pf_ir *pf_leaf(struct pf_ctx *c, const struct pf_leaf *l, bool pol)
{
	struct pf_ir *x = pf_new(c, IR_LEAF);
	if (x == &pf_true)
		return x;
	x->leaf = *l;
	x->pol = pol;
	return x;
}

/* A string kept until the context is freed: a then b. */
static struct fc_str *pf_keep_str(struct pf_ctx *c, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	struct fc_str *s = calloc(1, sizeof(*s) + la + lb + 1);
	if (!s)
		return NULL;
	char *d = (char *)(s + 1);
	memcpy(d, a, la);
	memcpy(d + la, b, lb + 1);
	s->s = d;
	s->len = la + lb;
	struct pf_ir *holder = pf_new(c, IR_TRUE);      /* owns s through leaf.vals */
	if (holder == &pf_true) {
		free(s);
		return NULL;
	}
	holder->leaf.vals = s;
	holder->leaf.kind = LF_STR;
	holder->leaf.nvals = (size_t)-1; /* marks an owned string */
	return s;
}

/* Three-valued constants of a check: known true, known false, unknown. */
enum pf_tv { TV_FALSE, TV_TRUE, TV_MAYBE };

static struct pf_ir *pf_tv(enum pf_tv v, bool pol)
{
	if (v == TV_MAYBE)
		return &pf_true;
	return pf_const((v == TV_TRUE) == pol);
}

/* A decimal integer constant within +-2^62, as the interpreter would parse it. */
static bool pf_int(const struct fc_str *s, int64_t *out)
{
	const char *p = s->s;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (!*p || strlen(p) > 18)
		return false;
	int64_t v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return true;
}

static bool pf_str_has_nul(const struct fc_str *s)
{
	return strlen(s->s) != s->len;
}

/* The check's field, when it is a plain field (no transformer, no argument). */
static const struct fc_field *pf_plain_field(const struct fc_node *n)
{
	const struct fc_expr *e = n->check.lhs;
	if (e->kind != FC_EXPR_FIELD || !e->field.field || e->field.arg)
		return NULL;
	return e->field.field;
}

/* A string constant check (field value v known statically) evaluated as rt_eval would. */
static enum pf_tv pf_static_str(const struct fc_node *n, const char *v)
{
	const struct fc_value *rv = n->check.rhs;
	enum fc_op op = n->check.op;
	if (n->check.mod != FC_MOD_NONE || !rv)
		return TV_MAYBE;
	size_t vl = strlen(v);
	if (rv->kind == FC_VAL_SCALAR) {
		bool eq = rv->scalar.len == vl && memcmp(rv->scalar.s, v, vl) == 0;
		if (op == FC_OP_EQ || op == FC_OP_EQEQ)
			return eq ? TV_TRUE : TV_FALSE;
		if (op == FC_OP_NE)
			return eq ? TV_FALSE : TV_TRUE;
		return TV_MAYBE;
	}
	if (rv->kind == FC_VAL_LIST && op == FC_OP_IN) {
		for (size_t i = 0; i < rv->nitems; i++)
			if (rv->items[i].len == vl && memcmp(rv->items[i].s, v, vl) == 0)
				return TV_TRUE;
		return TV_FALSE;
	}
	return TV_MAYBE;
}

/* A boolean field compared with "true"/"false": the leaf's polarity for "value is true",
 * or -1 when undecided. */
static int pf_bool_pol(const struct fc_node *n)
{
	const struct fc_value *rv = n->check.rhs;
	if (n->check.mod != FC_MOD_NONE || !rv || rv->kind != FC_VAL_SCALAR)
		return -1;
	bool t = strcmp(rv->scalar.s, "true") == 0, f = strcmp(rv->scalar.s, "false") == 0;
	if (!t && !f)
		return -1;
	if (n->check.op == FC_OP_EQ || n->check.op == FC_OP_EQEQ)
		return t;
	if (n->check.op == FC_OP_NE)
		return f;
	return -1;
}

static bool pf_num_cmp(enum fc_op op, enum pf_cmp *out)
{
	switch (op) {
	case FC_OP_EQ: case FC_OP_EQEQ: *out = CMP_EQ; return true;
	case FC_OP_NE: *out = CMP_NE; return true;
	case FC_OP_LT: *out = CMP_LT; return true;
	case FC_OP_LE: *out = CMP_LE; return true;
	case FC_OP_GT: *out = CMP_GT; return true;
	case FC_OP_GE: *out = CMP_GE; return true;
	default: return false;
	}
}

/* Numeric check on res (evt.rawres, fd.num of an open): OP N or in (N, ...). */
static struct pf_ir *pf_res_check(struct pf_ctx *c, const struct fc_node *n, bool guard,
				  bool pol, const char *text)
{
	const struct fc_value *rv = n->check.rhs;
	struct pf_leaf l = { .kind = LF_RES, .guard = guard, .text = text };
	if (n->check.mod != FC_MOD_NONE || !rv)
		return &pf_true;
	if (rv->kind == FC_VAL_SCALAR && pf_num_cmp(n->check.op, &l.cmp) &&
	    pf_int(&rv->scalar, &l.imm))
		return pf_leaf(c, &l, pol);
	if (rv->kind == FC_VAL_LIST && n->check.op == FC_OP_IN && rv->nitems && rv->nitems <= 64) {
		/* in (a, b): a disjunction of equalities; may-false: none of them may be true,
		 * i.e. the conjunction of "may differ" */
		struct pf_ir *acc = pf_const(!pol);
		l.cmp = CMP_EQ;
		for (size_t i = 0; i < rv->nitems; i++) {
			if (!pf_int(&rv->items[i], &l.imm))
				return &pf_true;
			struct pf_ir *x = pf_leaf(c, &l, pol);
			acc = pol ? pf_or(c, acc, x) : pf_and(c, acc, x);
		}
		return acc;
	}
	return &pf_true;
}

/* Whether a check reads something that comes from the fd table (the fd of the event, or an
 * fd parameter rendered with its name). */
static bool pf_expr_fd_dep(const struct fc_expr *e, unsigned type)
{
	if (!e)
		return false;
	if (e->kind == FC_EXPR_TRANSFORM) {
		for (int i = 0; i < e->xf.nargs; i++)
			if (pf_expr_fd_dep(e->xf.args[i], type))
				return true;
		return false;
	}
	if (e->kind != FC_EXPR_FIELD || !e->field.field)
		return false;
	const struct fc_field *f = e->field.field;
	if (strncmp(f->name, "fd.", 3) == 0 || strncmp(f->name, "fdlist.", 7) == 0)
		return true;
	if (f->id == FC_FIELD_EVT_ARGS || f->id == FC_FIELD_EVT_INFO)
		return true;
	if (f->id == FC_FIELD_EVT_ARG) {
		if (!e->field.arg)
			return true;
		const char *a = e->field.arg->s;
		int i = -1;
		if (a[0] >= '0' && a[0] <= '9')
			i = atoi(a);
		else
			i = pf_param_index(type, a);
		if (i < 0 || (unsigned)i >= pf_events[type].np)
			return false;   /* no such parameter: <NA> whatever the state */
		int pt = pf_events[type].p[i].type;
		return pt == FK_PT_FD || pt == FK_PT_PID;
	}
	return false;
}

static bool pf_node_fd_dep(const struct fc_node *n, unsigned type)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		return pf_node_fd_dep(n->bin.l, type) || pf_node_fd_dep(n->bin.r, type);
	case FC_NODE_NOT:
		return pf_node_fd_dep(n->operand, type);
	case FC_NODE_CHECK:
		return pf_expr_fd_dep(n->check.lhs, type) ||
		       (n->check.rhs && n->check.rhs->kind == FC_VAL_EXPR &&
			pf_expr_fd_dep(n->check.rhs->expr, type));
	default:
		return false;
	}
}

/* In the env modes (an event whose fd is a file from a dropped open, or none): the fd fields
 * whose value is then known. */
static struct pf_ir *pf_check_env(struct pf_ctx *c, const struct fc_node *n, bool pol)
{
	const struct fc_field *f = pf_plain_field(n);
	if (!f || !pf_expr_fd_dep(n->check.lhs, c->type))
		return &pf_true;
	if (n->check.rhs && n->check.rhs->kind == FC_VAL_EXPR)
		return &pf_true;
	if (c->mode == PF_MODE_ENV_NULL) {
		/* no fd: every fd.* field of the extractor is <NA>, and a check on <NA> is false
		 * whatever the operator (rt_eval's eval_check) */
		switch (f->id) {
		case FC_FIELD_FD_NUM: case FC_FIELD_FD_TYPE: case FC_FIELD_FD_TYPECHAR:
		case FC_FIELD_FD_NAME: case FC_FIELD_FD_NAMERAW: case FC_FIELD_FD_DIRECTORY:
		case FC_FIELD_FD_FILENAME: case FC_FIELD_FD_IP: case FC_FIELD_FD_CIP:
		case FC_FIELD_FD_SIP: case FC_FIELD_FD_LIP: case FC_FIELD_FD_RIP:
		case FC_FIELD_FD_PORT: case FC_FIELD_FD_CPORT: case FC_FIELD_FD_SPORT:
		case FC_FIELD_FD_LPORT: case FC_FIELD_FD_RPORT: case FC_FIELD_FD_L4PROTO:
		case FC_FIELD_FD_SOCKFAMILY: case FC_FIELD_FD_NET: case FC_FIELD_FD_CNET:
		case FC_FIELD_FD_SNET: case FC_FIELD_FD_LNET: case FC_FIELD_FD_RNET:
		case FC_FIELD_FD_IS_SERVER: case FC_FIELD_FD_CONNECTED:
			return pf_tv(TV_FALSE, pol);
		default:
			return &pf_true;
		}
	}
	/* a regular file from an open that was dropped (directories are always kept) */
	switch (f->id) {
	case FC_FIELD_FD_TYPE:
		return pf_tv(pf_static_str(n, "file"), pol);
	case FC_FIELD_FD_TYPECHAR:
		return pf_tv(pf_static_str(n, "f"), pol);
	case FC_FIELD_FD_L4PROTO: case FC_FIELD_FD_SOCKFAMILY:
		return pf_tv(TV_FALSE, pol);    /* <NA> for files */
	default:
		return &pf_true;
	}
}

/* For the fd.directory and fd.filename leaves, which lower only "may be true" of a plain
 * "= V" or "in (V, ...)" on an open type: the values compared with; false otherwise (the
 * check stays undecided). */
static bool pf_eq_items(const struct fc_node *n, unsigned t, bool pol,
			const struct fc_str **items, size_t *ni)
{
	const struct fc_value *rv = n->check.rhs;
	if (!pol || !pf_is_open(t) || n->check.mod != FC_MOD_NONE || !rv)
		return false;
	if (rv->kind == FC_VAL_SCALAR && (n->check.op == FC_OP_EQ || n->check.op == FC_OP_EQEQ)) {
		*items = &rv->scalar;
		*ni = 1;
		return true;
	}
	if (rv->kind == FC_VAL_LIST && n->check.op == FC_OP_IN) {
		*items = rv->items;
		*ni = rv->nitems;
		return true;
	}
	return false;
}

/* One check on events of type c->type, in code mode. */
static struct pf_ir *pf_check(struct pf_ctx *c, const struct fc_node *n, bool pol)
{
	unsigned t = c->type;
	const struct pf_evt *ev = &pf_events[t];
	const struct fc_field *f = pf_plain_field(n);
	if (c->mode != PF_MODE_CODE && (!f || (f->id != FC_FIELD_EVT_TYPE &&
					       f->id != FC_FIELD_EVT_DIR)))
		return pf_check_env(c, n, pol);
	if (!f)
		return &pf_true;
	const struct fc_value *rv = n->check.rhs;
	if (rv && rv->kind == FC_VAL_EXPR)
		return &pf_true;
	const char *text = c->u ? fc_ast_unparse(c->u, n) : "";
	bool has_res = (ev->flags & FK_EF_SYSCALL) && !(ev->flags & FK_EF_ENTER);
	switch (f->id) {
	case FC_FIELD_EVT_TYPE:
		if (ev->flags & FK_EF_GENERIC)
			return &pf_true;
		return pf_tv(pf_static_str(n, ev->name), pol);
	case FC_FIELD_EVT_DIR:
		return pf_tv(pf_static_str(n, (ev->flags & FK_EF_ENTER) || t == FK_EVENT_PROCEXIT
						      ? ">"
						      : "<"),
			     pol);
	case FC_FIELD_EVT_RAWRES:
		if (!has_res)
			return pf_tv(TV_FALSE, pol);    /* <NA> */
		return pf_res_check(c, n, false, pol, text);
	case FC_FIELD_EVT_FAILED: {
		int bp = pf_bool_pol(n);
		if (bp < 0)
			return &pf_true;
		if (!has_res)
			return pf_tv(bp ? TV_FALSE : TV_TRUE, pol);
		struct pf_leaf l = { .kind = LF_RES, .cmp = CMP_LT, .imm = 0, .text = text };
		return pf_leaf(c, &l, pol == (bool)bp);
	}
	case FC_FIELD_EVT_RES: {
		if (!has_res)
			return pf_tv(TV_FALSE, pol);
		if (n->check.mod != FC_MOD_NONE || !rv || rv->kind != FC_VAL_SCALAR)
			return &pf_true;
		bool eq = n->check.op == FC_OP_EQ || n->check.op == FC_OP_EQEQ;
		if (!eq && n->check.op != FC_OP_NE)
			return &pf_true;
		bool p = eq ? pol : !pol;       /* polarity of "value equals the constant" */
		if (strcmp(rv->scalar.s, "SUCCESS") == 0) {
			struct pf_leaf l = { .kind = LF_RES, .cmp = CMP_GE, .imm = 0, .text = text };
			return pf_leaf(c, &l, p);
		}
		struct pf_leaf l = { .kind = LF_RES_ERR, .text = text };
		return pf_leaf(c, &l, p);
	}
	case FC_FIELD_EVT_IS_OPEN_READ:
	case FC_FIELD_EVT_IS_OPEN_WRITE:
	case FC_FIELD_EVT_IS_OPEN_CREATE:
	case FC_FIELD_EVT_IS_OPEN_EXEC: {
		int bp = pf_bool_pol(n);
		if (bp < 0)
			return &pf_true;
		bool isopen = t == FK_EVENT_OPEN || t == FK_EVENT_OPENAT || t == FK_EVENT_OPENAT2;
		if (!isopen && t != FK_EVENT_CREAT && t != FK_EVENT_OPEN_BY_HANDLE_AT)
			return pf_tv(bp ? TV_FALSE : TV_TRUE, pol); /* the value is false */
		if (!isopen || f->id == FC_FIELD_EVT_IS_OPEN_EXEC) {
			if (t == FK_EVENT_CREAT && f->id != FC_FIELD_EVT_IS_OPEN_EXEC) {
				/* creat: WRONLY | CREAT | TRUNC */
				bool v = f->id != FC_FIELD_EVT_IS_OPEN_READ;
				return pf_tv(v == (bool)bp ? TV_TRUE : TV_FALSE, pol);
			}
			return &pf_true;
		}
		uint32_t mask = f->id == FC_FIELD_EVT_IS_OPEN_READ    ? PPM_O_RDONLY
				: f->id == FC_FIELD_EVT_IS_OPEN_WRITE ? PPM_O_WRONLY
								      : PPM_O_CREAT;
		struct pf_leaf l = { .kind = LF_FLAGS, .mask = mask, .text = text };
		c->uses_flags = true;
		return pf_leaf(c, &l, pol == (bool)bp);
	}
	case FC_FIELD_FD_NUM:
		if (!pf_is_open(t))
			return &pf_true;
		return pf_res_check(c, n, true, pol, text);
	case FC_FIELD_FD_TYPECHAR:
	case FC_FIELD_FD_TYPE: {
		if (!pf_is_open(t))
			return &pf_true;
		bool tc = f->id == FC_FIELD_FD_TYPECHAR;
		enum pf_tv isf = pf_static_str(n, tc ? "f" : "file");
		enum pf_tv isd = pf_static_str(n, tc ? "d" : "directory");
		if (isf == TV_MAYBE || isd == TV_MAYBE)
			return &pf_true;
		if (isf == isd) {
			/* the same verdict for both kinds an open makes: known once res >= 0 */
			struct pf_leaf l = { .kind = LF_RES, .cmp = CMP_GE, .imm = 0, .guard = true,
					     .text = text };
			return isf == TV_TRUE ? pf_leaf(c, &l, pol) : pf_leaf(c, &(struct pf_leaf){
				.kind = LF_RES, .cmp = CMP_LT, .imm = 0, .guard = true, .text = text },
				pol);
		}
		if (t == FK_EVENT_CREAT) {
			/* always a regular file */
			struct pf_leaf l = { .kind = LF_RES, .cmp = CMP_GE, .imm = 0, .guard = true,
					     .text = text };
			return isf == TV_TRUE ? pf_leaf(c, &l, pol) : pf_leaf(c, &(struct pf_leaf){
				.kind = LF_RES, .cmp = CMP_LT, .imm = 0, .guard = true, .text = text },
				pol);
		}
		struct pf_leaf l = { .kind = LF_FLAGS, .mask = PPM_O_DIRECTORY, .guard = true,
				     .text = "fd.typechar = d" };
		c->uses_flags = true;
		/* the leaf is "a directory": the check holds for isd */
		return pf_leaf(c, &l, isd == TV_TRUE ? pol : !pol);
	}
	case FC_FIELD_FD_DIRECTORY: {
		/* fd.directory in (D, ...) may hold only if the name is D or starts with "D/";
		 * its negation stays undecided */
		const struct fc_str *items;
		size_t ni;
		if (!pf_eq_items(n, t, pol, &items, &ni))
			return &pf_true;
		struct pf_ir *acc = &pf_false;
		for (size_t i = 0; i < ni; i++) {
			const struct fc_str *v = &items[i];
			if (pf_str_has_nul(v) || v->len == 0 || v->len > FK_PF_PATH_MAX ||
			    v->s[v->len - 1] == '/')
				return &pf_true;
			struct fc_str *d = pf_keep_str(c, v->s, "/");
			if (!d)
				return &pf_true;
			struct pf_leaf eq = { .kind = LF_STR, .guard = true, .cmp = CMP_EQ, .vals = v,
					      .nvals = 1, .text = text };
			struct pf_leaf pre = { .kind = LF_STR, .guard = true, .cmp = CMP_PREFIX,
					       .vals = d, .nvals = 1, .text = text };
			c->uses_str = true;
			acc = pf_or(c, acc, pf_or(c, pf_leaf(c, &eq, true), pf_leaf(c, &pre, true)));
		}
		return acc;
	}
	case FC_FIELD_FD_FILENAME: {
		/* fd.filename in (X, ...) may hold only if the name ends with "/X" (the name is
		 * normal and not "/", so its last component is X); as for fd.directory, its
		 * negation stays undecided. A directory fd's filename is <NA>: its open may pass
		 * the test and be kept, which only keeps more. */
		const struct fc_str *items;
		size_t ni;
		if (!pf_eq_items(n, t, pol, &items, &ni))
			return &pf_true;
		struct pf_ir *acc = &pf_false;
		for (size_t i = 0; i < ni; i++) {
			const struct fc_str *v = &items[i];
			if (pf_str_has_nul(v) || v->len == 0 || v->len >= FK_PF_PATH_MAX)
				return &pf_true;
			if (memchr(v->s, '/', v->len))
				continue;       /* no last component holds a '/' */
			struct fc_str *sfx = pf_keep_str(c, "/", v->s);
			if (!sfx)
				return &pf_true;
			struct pf_leaf l = { .kind = LF_STR, .guard = true, .cmp = CMP_SUFFIX,
					     .vals = sfx, .nvals = 1, .text = text };
			c->uses_str = true;
			acc = pf_or(c, acc, pf_leaf(c, &l, true));
		}
		return acc;
	}
	case FC_FIELD_FD_NAME:
	case FC_FIELD_FD_NAMERAW: {
		/* the raw name is the name param; it differs from fd.name only when normalizing
		 * changes the path, and the leaf decides only paths it leaves as they are. On a
		 * relative open the kernel resolved, the leaf reads the resolved path: fd.name,
		 * but not the raw name, which the raw leaf then leaves undecided */
		if (!pf_is_open(t) || n->check.mod != FC_MOD_NONE || !rv)
			return &pf_true;
		struct pf_leaf l = { .kind = LF_STR, .guard = true, .text = text,
				     .raw = f->id == FC_FIELD_FD_NAMERAW };
		enum fc_op op = n->check.op;
		bool neg = false;
		if (rv->kind == FC_VAL_SCALAR) {
			if (pf_str_has_nul(&rv->scalar) || rv->scalar.len > FK_PF_PATH_MAX)
				return &pf_true;
			l.vals = &rv->scalar;
			l.nvals = 1;
			if (op == FC_OP_EQ || op == FC_OP_EQEQ)
				l.cmp = CMP_EQ;
			else if (op == FC_OP_NE)
				l.cmp = CMP_EQ, neg = true;
			else if (op == FC_OP_STARTSWITH)
				l.cmp = CMP_PREFIX;
			else if (op == FC_OP_ENDSWITH)
				l.cmp = CMP_SUFFIX;
			else if (op == FC_OP_CONTAINS && rv->scalar.len > 0 && rv->scalar.len <= 64)
				l.cmp = CMP_CONTAINS;
			else
				return &pf_true;
		} else if (rv->kind == FC_VAL_LIST && op == FC_OP_IN) {
			if (!rv->nitems)
				return pf_tv(TV_FALSE, pol);
			for (size_t i = 0; i < rv->nitems; i++)
				if (pf_str_has_nul(&rv->items[i]) ||
				    rv->items[i].len > FK_PF_PATH_MAX)
					return &pf_true;
			l.vals = rv->items;
			l.nvals = rv->nitems;
			l.cmp = CMP_EQ;
		} else {
			return &pf_true;
		}
		c->uses_str = true;
		return pf_leaf(c, &l, neg ? !pol : pol);
	}
	default:
		return &pf_true;
	}
}

/* "n may be pol" on events of type c->type. */
static struct pf_ir *pf_may(struct pf_ctx *c, const struct fc_node *n, bool pol)
{
	switch (n->kind) {
	case FC_NODE_AND:
		return pol ? pf_and(c, pf_may(c, n->bin.l, true), pf_may(c, n->bin.r, true))
			   : pf_or(c, pf_may(c, n->bin.l, false), pf_may(c, n->bin.r, false));
	case FC_NODE_OR:
		return pol ? pf_or(c, pf_may(c, n->bin.l, true), pf_may(c, n->bin.r, true))
			   : pf_and(c, pf_may(c, n->bin.l, false), pf_may(c, n->bin.r, false));
	case FC_NODE_NOT:
		return pf_may(c, n->operand, !pol);
	case FC_NODE_BOOL:
		return pf_const(n->value == pol);
	case FC_NODE_CHECK:
		return pf_check(c, n, pol);
	default:
		return pf_const(!pol);  /* rt_eval: false */
	}
}

/* --- the text of a lowered condition ------------------------------------------------------- */

struct pf_buf {
	char *s;
	size_t len, cap;
};

static void pf_puts(struct pf_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, nc);
		if (!ns)
			abort();
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void pf_ir_text(struct pf_buf *b, const struct pf_ir *x, int depth)
{
	switch (x->kind) {
	case IR_TRUE:
		pf_puts(b, "true");
		return;
	case IR_FALSE:
		pf_puts(b, "false");
		return;
	case IR_AND:
	case IR_OR:
		if (depth > 200) {
			pf_puts(b, "...");
			return;
		}
		pf_puts(b, "(");
		pf_ir_text(b, x->l, depth + 1);
		pf_puts(b, x->kind == IR_AND ? " and " : " or ");
		pf_ir_text(b, x->r, depth + 1);
		pf_puts(b, ")");
		return;
	case IR_LEAF:
		pf_puts(b, x->pol ? "may[" : "maynot[");
		pf_puts(b, x->leaf.text);
		pf_puts(b, "]");
		return;
	}
}

/* --- the emitter --------------------------------------------------------------------------- */

#define R0 BPF_REG_0
#define R1 BPF_REG_1
#define R2 BPF_REG_2
#define R3 BPF_REG_3
#define R4 BPF_REG_4
#define R5 BPF_REG_5
#define R6 BPF_REG_6
#define R7 BPF_REG_7
#define R8 BPF_REG_8
#define R9 BPF_REG_9
#define R10 BPF_REG_10

struct pf_em {
	struct bpf_insn *in;
	int *lab;               /* per insn: the label a jump goes to, -1 none */
	size_t n, cap;
	int *labpos;            /* per label: insn index, -1 unbound */
	size_t nlab, labcap;
	bool oom;
};

static void em_put(struct pf_em *e, struct bpf_insn i, int lab)
{
	if (e->n == e->cap) {
		size_t nc = e->cap ? 2 * e->cap : 256;
		struct bpf_insn *ni = realloc(e->in, nc * sizeof(*ni));
		int *nl = realloc(e->lab, nc * sizeof(*nl));
		if (ni)
			e->in = ni;
		if (nl)
			e->lab = nl;
		if (!ni || !nl) {
			e->oom = true;
			return;
		}
		e->cap = nc;
	}
	e->in[e->n] = i;
	e->lab[e->n++] = lab;
}

static int em_label(struct pf_em *e)
{
	if (e->nlab == e->labcap) {
		size_t nc = e->labcap ? 2 * e->labcap : 64;
		int *nl = realloc(e->labpos, nc * sizeof(*nl));
		if (!nl) {
			e->oom = true;
			return 0;
		}
		e->labpos = nl;
		e->labcap = nc;
	}
	e->labpos[e->nlab] = -1;
	return (int)e->nlab++;
}

static void em_bind(struct pf_em *e, int l)
{
	if (!e->oom)
		e->labpos[l] = (int)e->n;
}

#define INS(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
					       .off = (o), .imm = (i) })

static void em_mov(struct pf_em *e, int d, int s) { em_put(e, INS(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0), -1); }
static void em_movi(struct pf_em *e, int d, int32_t i) { em_put(e, INS(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i), -1); }
static void em_alu(struct pf_em *e, int op, int d, int s) { em_put(e, INS(BPF_ALU64 | op | BPF_X, d, s, 0, 0), -1); }
static void em_alui(struct pf_em *e, int op, int d, int32_t i) { em_put(e, INS(BPF_ALU64 | op | BPF_K, d, 0, 0, i), -1); }
static void em_ldx(struct pf_em *e, int sz, int d, int s, int16_t o) { em_put(e, INS(BPF_LDX | sz | BPF_MEM, d, s, o, 0), -1); }
static void em_stx(struct pf_em *e, int sz, int d, int s, int16_t o) { em_put(e, INS(BPF_STX | sz | BPF_MEM, d, s, o, 0), -1); }
static void em_jmpi(struct pf_em *e, int op, int d, int32_t i, int lab) { em_put(e, INS(BPF_JMP | op | BPF_K, d, 0, 0, i), lab); }
static void em_jmpr(struct pf_em *e, int op, int d, int s, int lab) { em_put(e, INS(BPF_JMP | op | BPF_X, d, s, 0, 0), lab); }
static void em_ja(struct pf_em *e, int lab) { em_put(e, INS(BPF_JMP | BPF_JA, 0, 0, 0, 0), lab); }
static void em_call(struct pf_em *e, int fn) { em_put(e, INS(BPF_JMP | BPF_CALL, 0, 0, 0, fn), -1); }
static void em_exit(struct pf_em *e) { em_put(e, INS(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), -1); }

static void em_ld64(struct pf_em *e, int d, uint64_t v)
{
	em_put(e, INS(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)v), -1);
	em_put(e, INS(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)), -1);
}

static void em_ldmap(struct pf_em *e, int d, int idx)
{
	em_put(e, INS(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_IDX, 0, idx), -1);
	em_put(e, INS(0, 0, 0, 0, 0), -1);
}

/* r1 = offset of parameter p's bytes in the record; bails to keep when past FK_DATA_MAX. */
static void em_param_off(struct pf_em *e, unsigned type, unsigned p, int keep)
{
	em_movi(e, R1, (int32_t)(PF_HDR + 2 * pf_events[type].np));
	for (unsigned j = 0; j < p; j++) {
		em_ldx(e, BPF_H, R2, R7, (int16_t)(PF_HDR + 2 * j));
		em_alu(e, BPF_ADD, R1, R2);
	}
	em_jmpi(e, BPF_JGT, R1, PF_DATA_MAX, keep);
}

/* Word-at-a-time byte tests (the path scan, contains): 8 positions per test. */
#define PF_ONES 0x0101010101010101ull
#define PF_HIGHS 0x8080808080808080ull

/* dst = 0x80 in every byte of *(u64 *)(ptr + off) that equals c (and perhaps in a byte above
 * such a byte: the borrow of the subtraction; never a miss), but for the final "& PF_HIGHS",
 * left to the caller. Clobbers val and tmp. */
static void em_eq_bytes(struct pf_em *e, int dst, int ptr, int16_t off, unsigned char c,
			int val, int tmp)
{
	em_ldx(e, BPF_DW, val, ptr, off);
	em_ld64(e, tmp, PF_ONES * c);
	em_alu(e, BPF_XOR, val, tmp);           /* bytes equal to c are now 0 */
	em_ld64(e, tmp, PF_ONES);
	em_mov(e, dst, val);
	em_alu(e, BPF_SUB, dst, tmp);
	em_alui(e, BPF_XOR, val, -1);
	em_alu(e, BPF_AND, dst, val);           /* (v - 0x01..) & ~v */
}

/* r9 points at pf_need in the scratch value; after it the filter keeps the open flags, whether
 * they are known, the path's length with its NUL (0: undecided), and where the path is. They
 * go through map memory so that each leaf reloads an unknown value: the verifier then forgets
 * what one leaf's comparisons taught it, states meeting at a label stay equal and are pruned
 * (kept in registers or on the stack, the precise values multiplied the paths: "BPF program
 * is too large. Processed 1000001 insn"). */
#define TMP_FLAGS 4
#define TMP_FVALID 8
#define TMP_LEN 12      /* in the prologue, first the chosen path's length before the scan */
#define TMP_DOT 16      /* the normal path has a component starting with '.' (".bashrc") */
#define TMP_REL 20      /* the path is the one the kernel resolved (fd.nameraw: undecided) */
#define TMP_OFF 24      /* the chosen path's offset in the scratch value (prologue only) */
_Static_assert(TMP_OFF + 4 <= 4 + 4 * FK_PF_TMP_WORDS, "FK_PF_TMP_WORDS too small");
/* The resolved path's length word and the normalized flag, from r9. */
#define PF_RLEN (FK_PF_PATH_LEN_OFF - FK_PF_NEED_OFF)
#define PF_NORM (FK_PF_NORM_OFF - FK_PF_NEED_OFF)

static void em_prologue(struct pf_em *e, const struct pf_ctx *c, int keep)
{
	unsigned t = c->type;
	em_mov(e, R6, R1);
	em_call(e, BPF_FUNC_get_smp_processor_id);
	em_stx(e, BPF_W, R10, R0, -4);
	em_mov(e, R2, R10);
	em_alui(e, BPF_ADD, R2, -4);
	em_ldmap(e, R1, FC_PF_MAP_SCRATCH);
	em_call(e, BPF_FUNC_map_lookup_elem);
	em_jmpi(e, BPF_JEQ, R0, 0, keep);
	em_mov(e, R7, R0);
	/* past the 16-bit load offset: through a pointer */
	em_mov(e, R9, R7);
	em_alui(e, BPF_ADD, R9, FK_PF_NEED_OFF);
	em_ldx(e, BPF_W, R1, R9, 0);
	em_jmpi(e, BPF_JNE, R1, 0, keep);
	em_ldx(e, BPF_H, R1, R7, PF_OFF_TYPE);
	em_jmpi(e, BPF_JNE, R1, (int32_t)t, keep);
	em_ldx(e, BPF_H, R1, R7, PF_OFF_NPARAMS);
	em_jmpi(e, BPF_JNE, R1, (int32_t)pf_events[t].np, keep);
	if (c->uses_flags) {
		int p = pf_param_index(t, "flags");
		int done = em_label(e);
		em_movi(e, R3, 0);
		em_movi(e, R4, 0);
		if (p >= 0) {
			em_param_off(e, t, (unsigned)p, keep);
			em_ldx(e, BPF_H, R2, R7, (int16_t)(PF_HDR + 2 * p));
			em_jmpi(e, BPF_JNE, R2, 4, done);
			em_mov(e, R2, R7);
			em_alu(e, BPF_ADD, R2, R1);
			em_ldx(e, BPF_W, R3, R2, 0);
			em_movi(e, R4, 1);
		}
		em_bind(e, done);
		em_stx(e, BPF_W, R9, R3, TMP_FLAGS);
		em_stx(e, BPF_W, R9, R4, TMP_FVALID);
	}
	if (c->uses_str) {
		/* The path: the one the kernel resolved a relative open to (its length word at
		 * FK_PF_PATH_LEN_OFF is not 0; the TMP_REL word = 1), else the name param. Its
		 * offset and length go through the TMP_OFF and TMP_LEN words: reloaded, they
		 * are unknown values whichever path was chosen, so both choices meet in one
		 * verifier state, and the bounds below (offset <= FK_PF_PATH_OFF, length <=
		 * FK_PF_PATH_MAX) keep every load of the scan and the leaves, up to
		 * FK_PF_PATH_BUF - FK_PF_PATH_MAX bytes past the end, inside the value.
		 * r8 = the path; the TMP_LEN word = its length with the NUL when it is absolute
		 * and normal, else 0; the TMP_DOT word = 1 when it is normal and has a component
		 * starting with '.'. Normal: no "//", no "." or ".." component ("/./", "/../",
		 * nor at the end), no trailing '/' except "/", NUL only at the end: what
		 * normalization (rt_path_join, Falco's concatenate_paths) leaves as it is, so
		 * that fd.name is the path itself. The length is reloaded after the scan so that
		 * the verifier sees one state whatever the iteration the scan ended at. */
		int p = pf_param_index(t, "name");
		int bad = em_label(e), abn = em_label(e), ok = em_label(e), loop = em_label(e),
		    next = em_label(e), nt = em_label(e), out = em_label(e);
		em_movi(e, R0, 0);
		em_stx(e, BPF_W, R9, R0, TMP_DOT);
		em_stx(e, BPF_W, R9, R0, TMP_REL);
		if (p < 0) {
			em_mov(e, R8, R7);
			em_ja(e, out);
		} else {
			int param = em_label(e), chosen = em_label(e);
			em_ldx(e, BPF_W, R2, R9, PF_RLEN);
			em_jmpi(e, BPF_JEQ, R2, 0, param);
			em_movi(e, R1, FK_PF_PATH_OFF);
			em_movi(e, R3, 1);
			em_stx(e, BPF_W, R9, R3, TMP_REL);
			em_ja(e, chosen);
			em_bind(e, param);
			em_param_off(e, t, (unsigned)p, keep);
			em_ldx(e, BPF_H, R2, R7, (int16_t)(PF_HDR + 2 * p));
			em_bind(e, chosen);
			em_stx(e, BPF_W, R9, R1, TMP_OFF);
			em_stx(e, BPF_W, R9, R2, TMP_LEN);
			em_ldx(e, BPF_W, R1, R9, TMP_OFF);
			em_ldx(e, BPF_W, R2, R9, TMP_LEN);
			/* never taken; without it: "R8 unbounded memory access, make sure to
			 * bounds check any such access" */
			em_jmpi(e, BPF_JGT, R1, FK_PF_PATH_OFF, keep);
			em_mov(e, R8, R7);
			em_alu(e, BPF_ADD, R8, R1);
			em_jmpi(e, BPF_JLT, R2, 2, bad);
			em_jmpi(e, BPF_JGT, R2, FK_PF_PATH_MAX, bad);
			em_ldx(e, BPF_B, R3, R8, 0);
			em_jmpi(e, BPF_JNE, R3, '/', bad);
			em_mov(e, R3, R8);
			em_alu(e, BPF_ADD, R3, R2);
			em_ldx(e, BPF_B, R4, R3, -1);
			em_jmpi(e, BPF_JNE, R4, 0, bad);
			em_ldx(e, BPF_B, R4, R3, -2);
			em_jmpi(e, BPF_JNE, R4, '/', nt);
			em_jmpi(e, BPF_JNE, R2, 2, abn);
			em_bind(e, nt);
			em_alui(e, BPF_SUB, R2, 1);
			/* for r5 in 0 .. strlen - 1, eight positions a word: a position is flagged if
			 * its byte is NUL, or '/' followed by '/' or '.' (0x2f, 0x2e: the byte | 1 is
			 * 0x2f). The "has a zero byte" trick (em_eq_bytes) on the word, the word
			 * xor '/' and the next word | 0x01.. xor '/' never misses a flagged
			 * position; it may flag a byte above a flagged one (the borrow). A flagged
			 * word is looked at byte by byte: NUL and "//" are bad; "/." is bad when
			 * the '.' or ".." is a whole component (followed by '/' or NUL), else it
			 * starts a name like ".bashrc" and sets TMP_DOT. Positions past the string
			 * are masked off in the last word. The loads read up to 8 bytes past the
			 * NUL, inside the scratch value. */
			int wloop = em_label(e), full = em_label(e), slow = em_label(e);
			em_movi(e, R5, 0);
			em_bind(e, wloop);
			em_jmpr(e, BPF_JGE, R5, R2, ok);
			em_mov(e, R3, R8);
			em_alu(e, BPF_ADD, R3, R5);
			em_eq_bytes(e, R1, R3, 0, '/', R4, R0);         /* r1: '/' here */
			em_ldx(e, BPF_DW, R4, R3, 1);
			em_ld64(e, R0, PF_ONES);
			em_alu(e, BPF_OR, R4, R0);
			em_ld64(e, R0, PF_ONES * '/');
			em_alu(e, BPF_XOR, R4, R0);
			em_ld64(e, R0, PF_ONES);
			em_mov(e, R3, R4);
			em_alu(e, BPF_SUB, R3, R0);
			em_alui(e, BPF_XOR, R4, -1);
			em_alu(e, BPF_AND, R3, R4);                     /* r3: '/' or '.' next */
			em_alu(e, BPF_AND, R1, R3);
			em_mov(e, R3, R8);
			em_alu(e, BPF_ADD, R3, R5);
			em_ldx(e, BPF_DW, R4, R3, 0);
			em_ld64(e, R0, PF_ONES);
			em_mov(e, R3, R4);
			em_alu(e, BPF_SUB, R3, R0);
			em_alui(e, BPF_XOR, R4, -1);
			em_alu(e, BPF_AND, R3, R4);                     /* r3: NUL here */
			em_alu(e, BPF_OR, R1, R3);
			em_ld64(e, R0, PF_HIGHS);
			em_alu(e, BPF_AND, R1, R0);
			/* the last word: keep the strlen - r5 < 8 low bytes */
			em_mov(e, R3, R2);
			em_alu(e, BPF_SUB, R3, R5);
			em_jmpi(e, BPF_JGE, R3, 8, full);
			em_alui(e, BPF_LSH, R3, 3);
			em_movi(e, R0, 64);
			em_alu(e, BPF_SUB, R0, R3);
			em_movi(e, R3, -1);
			em_alu(e, BPF_RSH, R3, R0);
			em_alu(e, BPF_AND, R1, R3);
			em_bind(e, full);
			em_jmpi(e, BPF_JNE, R1, 0, slow);
			em_alui(e, BPF_ADD, R5, 8);
			em_ja(e, wloop);
			em_bind(e, slow);
			em_mov(e, R1, R5);
			em_alui(e, BPF_ADD, R1, 8);
			em_bind(e, loop);
			em_jmpr(e, BPF_JGE, R5, R2, ok);
			em_jmpr(e, BPF_JGE, R5, R1, wloop);
			em_mov(e, R3, R8);
			em_alu(e, BPF_ADD, R3, R5);
			em_ldx(e, BPF_B, R4, R3, 0);
			em_jmpi(e, BPF_JEQ, R4, 0, bad);
			em_jmpi(e, BPF_JNE, R4, '/', next);
			em_ldx(e, BPF_B, R4, R3, 1);
			em_jmpi(e, BPF_JEQ, R4, '/', abn);
			em_jmpi(e, BPF_JNE, R4, '.', next);
			int dot = em_label(e);
			em_ldx(e, BPF_B, R4, R3, 2);
			em_jmpi(e, BPF_JEQ, R4, '/', abn);
			em_jmpi(e, BPF_JEQ, R4, 0, abn);
			em_jmpi(e, BPF_JNE, R4, '.', dot);
			em_ldx(e, BPF_B, R4, R3, 3);
			em_jmpi(e, BPF_JEQ, R4, '/', abn);
			em_jmpi(e, BPF_JEQ, R4, 0, abn);
			em_bind(e, dot);
			em_movi(e, R4, 1);
			em_stx(e, BPF_W, R9, R4, TMP_DOT);
			em_bind(e, next);
			em_alui(e, BPF_ADD, R5, 1);
			em_ja(e, loop);
			em_bind(e, ok);
			em_ldx(e, BPF_W, R0, R9, TMP_LEN);
			em_ja(e, out);
			/* absolute, NUL-terminated, but not normal: once, the kernel normalizes it
			 * as userspace will and runs this program again (FK_PF_EXIT_NORMALIZE);
			 * then, or when that tail call fails, undecided */
			em_bind(e, abn);
			em_ldx(e, BPF_W, R1, R9, PF_NORM);
			em_jmpi(e, BPF_JNE, R1, 0, bad);
			em_mov(e, R1, R6);
			em_ldmap(e, R2, FC_PF_MAP_EXITS);
			em_movi(e, R3, FK_PF_EXIT_NORMALIZE);
			em_call(e, BPF_FUNC_tail_call);
			em_bind(e, bad);
			em_movi(e, R0, 0);
		}
		em_bind(e, out);
		em_stx(e, BPF_W, R9, R0, TMP_LEN);
	}
}

/* Compares n bytes at r3 + 0.. with s; any difference -> fail. */
static void em_bytes(struct pf_em *e, const char *s, size_t n, int fail)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		em_ldx(e, BPF_DW, R4, R3, (int16_t)i);
		em_ld64(e, R0, v);
		em_jmpr(e, BPF_JNE, R4, R0, fail);
	}
	for (; i + 4 <= n; i += 4) {
		uint32_t v;
		memcpy(&v, s + i, 4);
		em_ldx(e, BPF_W, R4, R3, (int16_t)i);
		em_jmpi(e, BPF_JNE, R4, (int32_t)v, fail);
	}
	for (; i < n; i++) {
		em_ldx(e, BPF_B, R4, R3, (int16_t)i);
		em_jmpi(e, BPF_JNE, R4, (unsigned char)s[i], fail);
	}
}

/* How common a byte is in paths, higher for rarer ones: the word test of a "contains" checks
 * the needle's two rarest bytes, so that few words need the byte-by-byte look. */
static int pf_rarity(unsigned char c)
{
	static const char common[] = "/.etaoinsrlcbumpdhg-_0123456789yfvkwxzqj";
	const char *p = c ? strchr(common, c) : NULL;
	return p ? (int)(p - common) : (int)sizeof(common);
}

/* Whether the value v of a test cmp cannot be met by an absolute normal path (the only paths
 * a string leaf decides; em_prologue), which makes the test false without looking: v holds
 * "//", "/./" or "/../", or, for = and endswith, ends with "/." or "/..". */
static bool pf_str_not_normal(const struct fc_str *v, enum pf_cmp cmp)
{
	const char *s = v->s;
	size_t n = v->len;
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '/')
			continue;
		if (s[i + 1] == '/')
			return true;
		size_t k = i + 1;
		while (k < n && k < i + 3 && s[k] == '.')
			k++;
		if (k > i + 1 && (k < n ? s[k] == '/' : cmp == CMP_EQ || cmp == CMP_SUFFIX))
			return true;
	}
	return false;
}

/* Whether v holds "/.": a path that contains it has a component starting with '.', so the
 * test is false at once when the scan saw none (TMP_DOT; e.g. "/.ssh/", "/root/.ssh"). */
static bool pf_str_needs_dot(const struct fc_str *v)
{
	for (size_t i = 0; i + 1 < v->len; i++)
		if (v->s[i] == '/' && v->s[i + 1] == '.')
			return true;
	return false;
}

static const int pf_jop[] = {
	[CMP_EQ] = BPF_JEQ, [CMP_NE] = BPF_JNE, [CMP_LT] = BPF_JSLT,
	[CMP_LE] = BPF_JSLE, [CMP_GT] = BPF_JSGT, [CMP_GE] = BPF_JSGE,
};

/* A leaf: jumps to on_t when it holds, on_f when not, on_m when undecided. */
static void em_leaf(struct pf_em *e, const struct pf_leaf *l, int on_t, int on_f, int on_m)
{
	if (l->guard || l->kind == LF_RES || l->kind == LF_RES_ERR)
		em_ldx(e, BPF_DW, R1, R7, PF_OFF_RES);
	if (l->guard)
		em_jmpi(e, BPF_JSLT, R1, 0, on_f);
	switch (l->kind) {
	case LF_RES:
		if (l->imm >= INT32_MIN && l->imm <= INT32_MAX) {
			em_jmpi(e, pf_jop[l->cmp], R1, (int32_t)l->imm, on_t);
		} else {
			em_ld64(e, R2, (uint64_t)l->imm);
			em_jmpr(e, pf_jop[l->cmp], R1, R2, on_t);
		}
		em_ja(e, on_f);
		return;
	case LF_RES_ERR:
		em_jmpi(e, BPF_JSGE, R1, 0, on_f);
		em_ja(e, on_m);
		return;
	case LF_FLAGS:
		em_ldx(e, BPF_W, R2, R9, TMP_FVALID);
		em_jmpi(e, BPF_JEQ, R2, 0, on_m);
		em_ldx(e, BPF_W, R1, R9, TMP_FLAGS);
		em_jmpi(e, BPF_JSET, R1, (int32_t)l->mask, on_t);
		em_ja(e, on_f);
		return;
	case LF_STR:
		if (l->raw) {
			/* fd.nameraw of a relative open is its relative name, not the path */
			em_ldx(e, BPF_W, R1, R9, TMP_REL);
			em_jmpi(e, BPF_JNE, R1, 0, on_m);
		}
		em_ldx(e, BPF_W, R1, R9, TMP_LEN);
		em_jmpi(e, BPF_JEQ, R1, 0, on_m);
		em_jmpi(e, BPF_JGT, R1, FK_PF_PATH_MAX, on_m);
		/* the path is absolute and normal from here: values it cannot meet are false
		 * without a test (pf_str_not_normal), values with "/." are when it has no
		 * component starting with '.' (pf_str_needs_dot) */
		size_t last = l->nvals;
		for (size_t k = 0; k < l->nvals; k++)
			if (!pf_str_not_normal(&l->vals[k], l->cmp))
				last = k;
		if (last == l->nvals) {
			em_ja(e, on_f);
			return;
		}
		for (size_t k = 0; k <= last; k++) {
			const struct fc_str *v = &l->vals[k];
			if (pf_str_not_normal(v, l->cmp))
				continue;
			int fail = k < last ? em_label(e) : on_f;
			if (pf_str_needs_dot(v)) {
				em_ldx(e, BPF_W, R4, R9, TMP_DOT);
				em_jmpi(e, BPF_JEQ, R4, 0, fail);
			}
			if (l->cmp == CMP_CONTAINS) {
				/* for r5 in 0 .. len - 1 - klen: the bytes at r8 + r5. Eight start
				 * positions at a time: a word test (em_eq_bytes) on the needle's two
				 * rarest bytes j1, j2 finds the words where some start may match
				 * (no false negative); only those are compared byte by byte. The
				 * loads may read up to 7 + klen bytes past the path's NUL, inside
				 * the scratch value (the path starts at FK_PF_PATH_OFF at the
				 * latest, em_prologue). */
				int wloop = em_label(e), slow = em_label(e), inner = em_label(e),
				    next = em_label(e);
				unsigned j1 = 0, j2 = 0;
				for (unsigned j = 1; j < v->len; j++)
					if (pf_rarity((unsigned char)v->s[j]) >
					    pf_rarity((unsigned char)v->s[j1]))
						j1 = j;
				for (unsigned j = 0; j < v->len; j++)
					if (j != j1 && (j2 == j1 ||
							pf_rarity((unsigned char)v->s[j]) >
								pf_rarity((unsigned char)v->s[j2])))
						j2 = j;
				if (k > 0)
					em_ldx(e, BPF_W, R1, R9, TMP_LEN);
				em_jmpi(e, BPF_JLT, R1, (int32_t)v->len + 1, fail);
				em_mov(e, R2, R1);
				em_alui(e, BPF_SUB, R2, (int32_t)v->len + 1);
				em_movi(e, R5, 0);
				em_bind(e, wloop);
				em_jmpr(e, BPF_JGT, R5, R2, fail);
				em_mov(e, R3, R8);
				em_alu(e, BPF_ADD, R3, R5);
				em_eq_bytes(e, R1, R3, (int16_t)j1, (unsigned char)v->s[j1], R4, R0);
				if (j2 != j1) {
					em_eq_bytes(e, R3, R3, (int16_t)j2, (unsigned char)v->s[j2], R4,
						    R0);
					em_alu(e, BPF_AND, R1, R3);
				}
				em_ld64(e, R0, PF_HIGHS);
				em_alu(e, BPF_AND, R1, R0);
				em_jmpi(e, BPF_JNE, R1, 0, slow);
				em_alui(e, BPF_ADD, R5, 8);
				em_ja(e, wloop);
				em_bind(e, slow);
				em_mov(e, R1, R5);
				em_alui(e, BPF_ADD, R1, 8);
				em_bind(e, inner);
				em_jmpr(e, BPF_JGT, R5, R2, fail);
				em_jmpr(e, BPF_JGE, R5, R1, wloop);
				em_mov(e, R3, R8);
				em_alu(e, BPF_ADD, R3, R5);
				em_bytes(e, v->s, v->len, next);
				em_ja(e, on_t);
				em_bind(e, next);
				em_alui(e, BPF_ADD, R5, 1);
				em_ja(e, inner);
				if (k < last)
					em_bind(e, fail);
				continue;
			}
			switch (l->cmp) {
			case CMP_EQ:
				em_jmpi(e, BPF_JNE, R1, (int32_t)v->len + 1, fail);
				em_mov(e, R3, R8);
				break;
			case CMP_PREFIX:
				em_jmpi(e, BPF_JLT, R1, (int32_t)v->len + 1, fail);
				em_mov(e, R3, R8);
				break;
			default: /* CMP_SUFFIX: at r8 + len - 1 - klen */
				em_jmpi(e, BPF_JLT, R1, (int32_t)v->len + 1, fail);
				em_mov(e, R3, R8);
				em_alu(e, BPF_ADD, R3, R1);
				em_alui(e, BPF_SUB, R3, (int32_t)v->len + 1);
				break;
			}
			em_bytes(e, v->s, v->len, fail);
			em_ja(e, on_t);
			if (k < last)
				em_bind(e, fail);
		}
		return;
	}
}

static void em_ir(struct pf_em *e, const struct pf_ir *x, int on_t, int on_f)
{
	switch (x->kind) {
	case IR_TRUE:
		em_ja(e, on_t);
		return;
	case IR_FALSE:
		em_ja(e, on_f);
		return;
	case IR_AND: {
		int mid = em_label(e);
		em_ir(e, x->l, mid, on_f);
		em_bind(e, mid);
		em_ir(e, x->r, on_t, on_f);
		return;
	}
	case IR_OR: {
		int mid = em_label(e);
		em_ir(e, x->l, on_t, mid);
		em_bind(e, mid);
		em_ir(e, x->r, on_t, on_f);
		return;
	}
	case IR_LEAF:
		/* "may be pol": undecided passes */
		if (x->pol)
			em_leaf(e, &x->leaf, on_t, on_f, on_t);
		else
			em_leaf(e, &x->leaf, on_f, on_t, on_t);
		return;
	}
}

static bool pf_is_ld64(const struct bpf_insn *i)
{
	return i->code == (BPF_LD | BPF_DW | BPF_IMM);
}

/* Drops unreachable instructions (the verifier rejects them), drops "ja +0", resolves labels.
 * Returns the final program or NULL on OOM. */
static struct bpf_insn *em_finish(struct pf_em *e, uint32_t *nout)
{
	size_t n = e->n;
	if (e->oom)
		return NULL;
	char *reach = calloc(n + 1, 1);
	size_t *stack = calloc(n + 1, sizeof(*stack));
	int *newpos = calloc(n + 1, sizeof(*newpos));
	if (!reach || !stack || !newpos) {
		free(reach), free(stack), free(newpos);
		return NULL;
	}
	/* resolve each label to the first instruction at or after it */
	size_t sp = 0;
	stack[sp++] = 0;
	while (sp) {
		size_t i = stack[--sp];
		while (i < n && !reach[i]) {
			reach[i] = 1;
			const struct bpf_insn *in = &e->in[i];
			uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
			if (pf_is_ld64(in)) {
				reach[i + 1] = 1;
				i += 2;
				continue;
			}
			if (cls == BPF_JMP && op == BPF_EXIT)
				break;
			if (cls == BPF_JMP && op != BPF_CALL) {
				size_t tgt = (size_t)e->labpos[e->lab[i]];
				if (!reach[tgt])
					stack[sp++] = tgt;
				if (op == BPF_JA)
					break;
			}
			i++;
		}
	}
	/* "ja" to the very next reachable instruction is dropped too */
	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			newpos[i] = (int)k;
			if (reach[i])
				k++;
		}
		newpos[n] = (int)k;
		bool changed = false;
		for (size_t i = 0; i < n; i++) {
			if (!reach[i] || e->in[i].code != (BPF_JMP | BPF_JA))
				continue;
			size_t tgt = (size_t)e->labpos[e->lab[i]];
			while (tgt < n && !reach[tgt])
				tgt++;
			if (newpos[tgt] == newpos[i] + 1) {
				reach[i] = 0;
				changed = true;
			}
		}
		if (!changed)
			break;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		newpos[i] = (int)k;
		if (reach[i])
			k++;
	}
	newpos[n] = (int)k;
	struct bpf_insn *out = calloc(k + 1, sizeof(*out));
	if (!out) {
		free(reach), free(stack), free(newpos);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!reach[i])
			continue;
		struct bpf_insn in = e->in[i];
		if (e->lab[i] >= 0) {
			size_t tgt = (size_t)e->labpos[e->lab[i]];
			while (tgt < n && !reach[tgt])
				tgt++;
			in.off = (int16_t)(newpos[tgt] - newpos[i] - 1);
		}
		out[newpos[i]] = in;
	}
	free(reach), free(stack), free(newpos);
	*nout = (uint32_t)k;
	return out;
}

static struct bpf_insn *pf_emit(const struct pf_ctx *c, const struct pf_ir *root, uint32_t *n)
{
	struct pf_em e = { 0 };
	int keep = em_label(&e), drop = em_label(&e);
	em_prologue(&e, c, keep);
	em_ir(&e, root, keep, drop);
	em_bind(&e, keep);
	em_mov(&e, R1, R6);
	em_ldmap(&e, R2, FC_PF_MAP_EXITS);
	em_movi(&e, R3, FK_PF_EXIT_KEEP);
	em_call(&e, BPF_FUNC_tail_call);
	em_movi(&e, R0, 0);
	em_exit(&e);
	em_bind(&e, drop);
	em_mov(&e, R1, R6);
	em_ldmap(&e, R2, FC_PF_MAP_EXITS);
	em_movi(&e, R3, FK_PF_EXIT_DROP);
	em_call(&e, BPF_FUNC_tail_call);
	em_movi(&e, R0, 0);
	em_exit(&e);
	struct bpf_insn *p = em_finish(&e, n);
	free(e.in);
	free(e.lab);
	free(e.labpos);
	return p;
}

bool fc_pf_is_state_only(const struct fc_pf_prog *p)
{
	if (p->keep != FC_PF_FILTERED || !p->insns || p->type >= FK_EVENT_COUNT)
		return false;
	struct pf_ctx c = { .type = p->type, .mode = PF_MODE_CODE };
	uint32_t n = 0;
	struct bpf_insn *ref = pf_emit(&c, &pf_false, &n);
	bool same = ref && n == p->ninsns && memcmp(ref, p->insns, n * sizeof(*ref)) == 0;
	free(ref);
	return same;
}

/* --- building ------------------------------------------------------------------------------ */

static bool pf_rule_wanted(const struct fc_rule *r, const struct fc_pf_options *o)
{
	if (!r->valid || r->skipped || !r->enabled || !r->ast || r->src != FC_SRC_SYSCALL)
		return false;
	return !o || !o->only_rule || strcmp(o->only_rule, r->name) == 0;
}

static bool pf_rule_may_type(const struct fc_rule *r, unsigned type)
{
	struct fc_evtset t, f;
	fc_evtset_of(r->ast, &t, &f);
	if (fc_evtset_count(&t) == FC_EVT_COUNT)
		return true;
	if (pf_events[type].flags & FK_EF_GENERIC)
		return true;    /* evt.type is the ID parameter: any syscall name */
	const char *nm = pf_events[type].name;
	int x = fc_evttype_lookup(nm, strlen(nm));
	return x < 0 || fc_evtset_has(&t, x);
}

static void pf_ctx_free(struct pf_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->nodes[i]->leaf.nvals == (size_t)-1)
			free((void *)c->nodes[i]->leaf.vals);
		free(c->nodes[i]);
	}
	free(c->nodes);
	c->nodes = NULL;
	c->n = c->cap = 0;
}

/* Whether some rule can tell a file fd from a dropped open (or its absence) on a later
 * event: then every open is kept. *why: the rule. */
static bool pf_fd_state_needed(const struct fc_ruleset *rs, const struct fc_pf_options *o,
			       const char **why)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!pf_rule_wanted(r, NULL))  /* every rule, whatever --rule says */
			continue;
		for (unsigned y = 0; y < FK_EVENT_COUNT; y++) {
			if (pf_is_open(y) || (pf_events[y].flags & FK_EF_ENTER) ||
			    !pf_rule_may_type(r, y) || !pf_node_fd_dep(r->ast, y))
				continue;
			/* an event without an fd parameter never has an fd (rt_state's fd_param),
			 * with or without the opens: nothing to tell apart there */
			bool hasfd = false;
			for (unsigned k = 0; k < pf_events[y].np; k++)
				hasfd |= pf_events[y].p[k].type == FK_PT_FD;
			if (!hasfd)
				continue;
			for (int m = PF_MODE_ENV_FILE; m <= PF_MODE_ENV_NULL; m++) {
				struct pf_ctx c = { .type = y, .mode = m };
				struct pf_ir *x = pf_may(&c, r->ast, true);
				bool f = x->kind == IR_FALSE && !c.oom;
				pf_ctx_free(&c);
				if (!f) {
					*why = r->name;
					return true;
				}
			}
		}
	}
	(void)o;
	return false;
}

struct fc_prefilter *fc_prefilter_build(const struct fc_ruleset *rs, const struct fc_pf_options *o)
{
	struct fc_prefilter *pf = calloc(1, sizeof(*pf));
	if (!pf)
		return NULL;
	pf->nprogs = FK_EVENT_COUNT;
	pf->progs = calloc(FK_EVENT_COUNT, sizeof(*pf->progs));
	struct fc_unit *u = fc_unit_new(NULL);
	if (!pf->progs || !u) {
		fc_unit_free(u);
		fc_prefilter_free(pf);
		return NULL;
	}
	const char *fdwhy = NULL;
	bool fdneed = pf_fd_state_needed(rs, o, &fdwhy);
	for (unsigned t = 0; t < FK_EVENT_COUNT; t++) {
		struct fc_pf_prog *p = &pf->progs[t];
		p->type = t;
		if (pf_events[t].flags & (FK_EF_ENTER | FK_EF_GENERIC) || t == FK_EVENT_PROCEXIT) {
			p->keep = FC_PF_KEEP_NO_HANDLER;
			continue;
		}
		if (pf_state_type(t)) {
			p->keep = FC_PF_KEEP_STATE;
			continue;
		}
		if (pf_is_open(t) && fdneed) {
			p->keep = FC_PF_KEEP_FD_STATE;
			p->why = fdwhy;
			continue;
		}
		struct pf_ctx c = { .type = t, .mode = PF_MODE_CODE, .u = u };
		struct pf_ir *root = &pf_false;
		for (size_t i = 0; i < rs->nrules && root->kind != IR_TRUE; i++) {
			const struct fc_rule *r = rs->rules[i];
			if (!pf_rule_wanted(r, o) || !pf_rule_may_type(r, t))
				continue;
			struct pf_ir *x = pf_may(&c, r->ast, true);
			if (x->kind != IR_FALSE)
				p->nrules++;
			root = pf_or(&c, root, x);
			if (root->kind == IR_TRUE)
				p->why = r->name;
		}
		if (c.oom || root->kind == IR_TRUE) {
			p->keep = FC_PF_KEEP_RULE;
			pf_ctx_free(&c);
			continue;
		}
		struct pf_buf b = { 0 };
		pf_ir_text(&b, root, 0);
		p->cond = b.s;
		p->insns = pf_emit(&c, root, &p->ninsns);
		pf_ctx_free(&c);
		if (!p->insns) {
			p->keep = FC_PF_KEEP_RULE;
			free(p->cond);
			p->cond = NULL;
		}
	}
	fc_unit_free(u);
	return pf;
}

void fc_prefilter_free(struct fc_prefilter *pf)
{
	if (!pf)
		return;
	for (unsigned i = 0; pf->progs && i < pf->nprogs; i++) {
		free(pf->progs[i].insns);
		free(pf->progs[i].cond);
	}
	free(pf->progs);
	free(pf);
}

/* --- dump ---------------------------------------------------------------------------------- */

static const char *pf_jname(int op)
{
	switch (op) {
	case BPF_JEQ: return "==";
	case BPF_JNE: return "!=";
	case BPF_JGT: return ">";
	case BPF_JGE: return ">=";
	case BPF_JLT: return "<";
	case BPF_JLE: return "<=";
	case BPF_JSGT: return "s>";
	case BPF_JSGE: return "s>=";
	case BPF_JSLT: return "s<";
	case BPF_JSLE: return "s<=";
	case BPF_JSET: return "&";
	default: return "?";
	}
}

static const char *pf_szname(int sz)
{
	return sz == BPF_B ? "u8" : sz == BPF_H ? "u16" : sz == BPF_W ? "u32" : "u64";
}

void fc_pf_insn_str(const struct bpf_insn *insns, uint32_t n, uint32_t i, char *buf, size_t cap)
{
	const struct bpf_insn *in = &insns[i];
	uint8_t cls = BPF_CLASS(in->code);
	int d = in->dst_reg, s = in->src_reg;
	switch (cls) {
	case BPF_ALU64: {
		const char *op = "?";
		switch (BPF_OP(in->code)) {
		case BPF_MOV: op = "="; break;
		case BPF_ADD: op = "+="; break;
		case BPF_SUB: op = "-="; break;
		case BPF_AND: op = "&="; break;
		case BPF_OR: op = "|="; break;
		case BPF_XOR: op = "^="; break;
		case BPF_RSH: op = ">>="; break;
		case BPF_LSH: op = "<<="; break;
		}
		if (BPF_SRC(in->code) == BPF_X)
			snprintf(buf, cap, "r%d %s r%d", d, op, s);
		else
			snprintf(buf, cap, "r%d %s %d", d, op, in->imm);
		return;
	}
	case BPF_LDX:
		snprintf(buf, cap, "r%d = *(%s *)(r%d %+d)", d, pf_szname(BPF_SIZE(in->code)), s,
			 in->off);
		return;
	case BPF_STX:
		snprintf(buf, cap, "*(%s *)(r%d %+d) = r%d", pf_szname(BPF_SIZE(in->code)), d,
			 in->off, s);
		return;
	case BPF_LD:
		if (s == BPF_PSEUDO_MAP_IDX)
			snprintf(buf, cap, "r%d = map[%s]", d,
				 in->imm == FC_PF_MAP_SCRATCH ? "fk_scratch_map" : "fk_pf_exits");
		else if (i + 1 < n)
			snprintf(buf, cap, "r%d = 0x%" PRIx64 " ll", d,
				 (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32);
		return;
	case BPF_JMP: {
		int op = BPF_OP(in->code);
		uint32_t tgt = i + 1 + (uint32_t)(int32_t)in->off;
		if (op == BPF_EXIT)
			snprintf(buf, cap, "exit");
		else if (op == BPF_CALL)
			snprintf(buf, cap, "call %s",
				 in->imm == BPF_FUNC_get_smp_processor_id ? "get_smp_processor_id"
				 : in->imm == BPF_FUNC_map_lookup_elem    ? "map_lookup_elem"
				 : in->imm == BPF_FUNC_tail_call          ? "tail_call"
									  : "?");
		else if (op == BPF_JA)
			snprintf(buf, cap, "goto %u", tgt);
		else if (BPF_SRC(in->code) == BPF_X)
			snprintf(buf, cap, "if r%d %s r%d goto %u", d, pf_jname(op), s, tgt);
		else
			snprintf(buf, cap, "if r%d %s %d goto %u", d, pf_jname(op), in->imm, tgt);
		return;
	}
	default:
		snprintf(buf, cap, "(code 0x%02x)", in->code);
	}
}

static const char *pf_keep_name(enum fc_pf_keep_reason k)
{
	switch (k) {
	case FC_PF_KEEP_STATE: return "keep all: the state tables need every event";
	case FC_PF_KEEP_RULE: return "keep all: a rule may match any event";
	case FC_PF_KEEP_FD_STATE: return "keep all: a rule reads fds of opens on later events";
	case FC_PF_KEEP_NO_HANDLER: return "keep all: not filtered (generic, enter or scheduler event)";
	default: return "filtered";
	}
}

void fc_prefilter_dump(const struct fc_prefilter *pf, FILE *out, bool all)
{
	for (unsigned t = 0; t < pf->nprogs; t++) {
		const struct fc_pf_prog *p = &pf->progs[t];
		if (p->keep != FC_PF_FILTERED) {
			if (all || p->keep == FC_PF_KEEP_RULE || p->keep == FC_PF_KEEP_FD_STATE)
				if (p->keep != FC_PF_KEEP_RULE || p->why)
					fprintf(out, "%s: %s%s%s%s\n", pf_events[t].name,
						pf_keep_name(p->keep), p->why ? " (rule '" : "",
						p->why ? p->why : "", p->why ? "')" : "");
			continue;
		}
		if (!p->nrules && !all) {
			fprintf(out, "%s: no rule; keep only what the state needs (%u instructions, "
				"--all to list)\n", pf_events[t].name, p->ninsns);
			continue;
		}
		fprintf(out, "%s: %u rule%s; keep when: %s\n", pf_events[t].name, p->nrules,
			p->nrules == 1 ? "" : "s", p->cond);
		for (uint32_t i = 0; i < p->ninsns; i++) {
			char b[128];
			fc_pf_insn_str(p->insns, p->ninsns, i, b, sizeof(b));
			fprintf(out, "  %4u: %s\n", i, b);
			if (pf_is_ld64(&p->insns[i]))
				i++;
		}
	}
}

/* --- blob ---------------------------------------------------------------------------------- */

#define PF_BLOB_MAGIC "FCPF"
#define PF_BLOB_VERSION FC_PF_BLOB_VERSION

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int fc_prefilter_blob(const struct fc_prefilter *pf, uint8_t **out, size_t *len)
{
	size_t n = 12;
	uint32_t cnt = 0;
	for (unsigned t = 0; t < pf->nprogs; t++) {
		n += 8 + (size_t)pf->progs[t].ninsns * 8;
		cnt++;
	}
	uint8_t *b = calloc(1, n);
	if (!b)
		return -ENOMEM;
	memcpy(b, PF_BLOB_MAGIC, 4);
	put32(b + 4, PF_BLOB_VERSION);
	put32(b + 8, cnt);
	size_t o = 12;
	for (unsigned t = 0; t < pf->nprogs; t++) {
		const struct fc_pf_prog *p = &pf->progs[t];
		b[o] = (uint8_t)t, b[o + 1] = (uint8_t)(t >> 8);
		b[o + 2] = (uint8_t)p->keep, b[o + 3] = 0;
		put32(b + o + 4, p->ninsns);
		o += 8;
		for (uint32_t i = 0; i < p->ninsns; i++, o += 8) {
			const struct bpf_insn *in = &p->insns[i];
			b[o] = in->code;
			b[o + 1] = (uint8_t)(in->dst_reg | in->src_reg << 4);
			b[o + 2] = (uint8_t)in->off, b[o + 3] = (uint8_t)((uint16_t)in->off >> 8);
			put32(b + o + 4, (uint32_t)in->imm);
		}
	}
	*out = b;
	*len = n;
	return 0;
}

long fc_prefilter_blob_version(const void *data, size_t len)
{
	const uint8_t *b = data;
	if (len < 12 || memcmp(b, PF_BLOB_MAGIC, 4) != 0)
		return -1;
	return get32(b + 4);
}

struct fc_prefilter *fc_prefilter_from_blob(const void *data, size_t len, char *err, size_t errlen)
{
	const uint8_t *b = data;
	if (len < 12 || memcmp(b, PF_BLOB_MAGIC, 4) != 0) {
		snprintf(err, errlen, "prefilter blob: bad magic or truncated header");
		return NULL;
	}
	if (get32(b + 4) != PF_BLOB_VERSION) {
		snprintf(err, errlen, "prefilter blob: version %u, expected %u", get32(b + 4),
			 PF_BLOB_VERSION);
		return NULL;
	}
	uint32_t cnt = get32(b + 8);
	struct fc_prefilter *pf = calloc(1, sizeof(*pf));
	if (!pf)
		return NULL;
	pf->nprogs = FK_EVENT_COUNT;
	pf->progs = calloc(FK_EVENT_COUNT, sizeof(*pf->progs));
	if (!pf->progs)
		goto bad;
	for (unsigned t = 0; t < FK_EVENT_COUNT; t++)
		pf->progs[t].type = t, pf->progs[t].keep = FC_PF_KEEP_NO_HANDLER;
	size_t o = 12;
	for (uint32_t k = 0; k < cnt; k++) {
		if (len - o < 8) {
			snprintf(err, errlen, "prefilter blob: truncated at program %u", k);
			goto bad;
		}
		unsigned t = b[o] | (unsigned)b[o + 1] << 8;
		unsigned keep = b[o + 2];
		uint32_t ni = get32(b + o + 4);
		o += 8;
		if (t >= FK_EVENT_COUNT || keep > FC_PF_KEEP_NO_HANDLER || ni > 1000000 ||
		    (size_t)ni * 8 > len - o || (keep != FC_PF_FILTERED) != (ni == 0)) {
			snprintf(err, errlen, "prefilter blob: bad program header %u", k);
			goto bad;
		}
		struct fc_pf_prog *p = &pf->progs[t];
		free(p->insns);
		p->keep = keep;
		p->ninsns = ni;
		p->insns = ni ? calloc(ni, sizeof(*p->insns)) : NULL;
		if (ni && !p->insns)
			goto bad;
		for (uint32_t i = 0; i < ni; i++, o += 8) {
			struct bpf_insn *in = &p->insns[i];
			in->code = b[o];
			in->dst_reg = b[o + 1] & 15;
			in->src_reg = b[o + 1] >> 4;
			in->off = (int16_t)(b[o + 2] | b[o + 3] << 8);
			in->imm = (int32_t)get32(b + o + 4);
		}
	}
	if (o != len) {
		snprintf(err, errlen, "prefilter blob: %zu trailing bytes", len - o);
		goto bad;
	}
	return pf;
bad:
	fc_prefilter_free(pf);
	return NULL;
}

/* --- the userspace interpreter ------------------------------------------------------------- */

#define PF_STACK 512
#define PF_MAP_MARK 0x7ff0000000000000ull /* "pointers" to maps: never dereferenced */

struct pf_vm {
	uint8_t *scratch;
	uint8_t stack[PF_STACK];
};

static void *pf_vm_addr(struct pf_vm *vm, uint64_t a, int16_t off, unsigned sz)
{
	uint64_t p = a + (uint64_t)(int64_t)off;
	uintptr_t s = (uintptr_t)vm->scratch, k = (uintptr_t)vm->stack;
	if (p >= s && p + sz <= s + PF_SCRATCH_SIZE)
		return (void *)(uintptr_t)p;
	if (p >= k && p + sz <= k + PF_STACK)
		return (void *)(uintptr_t)p;
	return NULL;
}

static unsigned pf_size(int sz)
{
	return sz == BPF_B ? 1 : sz == BPF_H ? 2 : sz == BPF_W ? 4 : 8;
}

/* fk_pf_normalize_path (bpf/fk_core.bpf.h) for fc_pf_run, step for step: the path the
 * filter found absolute but not normal (the resolved one, else the name parameter),
 * lexically normalized in place into the resolved path's area, or that area emptied when it
 * cannot be (not absolute, deeper than PF_NORM_DEPTH kept components); the flag set. */
#define PF_NORM_DEPTH 64        /* FK_NORM_DEPTH */
static void pf_vm_normalize(uint8_t *scratch)
{
	uint32_t one = 1, len, zero = 0;
	memcpy(scratch + FK_PF_NORM_OFF, &one, 4);
	memcpy(&len, scratch + FK_PF_PATH_LEN_OFF, 4);
	char *buf = (char *)scratch + FK_PF_PATH_OFF;
	size_t n;
	if (len) {
		n = len - 1;
	} else {
		const struct fk_event_hdr *h = (const void *)scratch;
		int p = h->type < FK_EVENT_COUNT && pf_is_open(h->type) ?
			pf_param_index(h->type, "name") : -1;
		if (p < 0)
			return;
		uint16_t pl[FK_MAX_PARAMS];
		unsigned np = pf_events[h->type].np;
		memcpy(pl, scratch + PF_HDR, 2 * np);
		size_t off = PF_HDR + 2 * np;
		for (int k = 0; k < p; k++)
			off += pl[k];
		if (pl[p] < 2 || pl[p] > FK_PF_PATH_MAX || off > PF_DATA_MAX)
			return;
		memcpy(buf, scratch + off, pl[p]);
		n = (size_t)pl[p] - 1;
	}
	size_t o = 0, cs = 0, clen = 0, dots = 0, depth = 0, kept[PF_NORM_DEPTH];
	if (n == 0 || n >= FK_PF_PATH_MAX || buf[0] != '/')
		goto fail;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? buf[i] : 0;
		if (c == '/' || c == 0) {
			if (clen && clen == dots && clen <= 2) {
				o = cs;
				if (clen == 2 && depth)
					o = kept[--depth];
			} else if (clen && depth < PF_NORM_DEPTH) {
				kept[depth++] = cs;
			} else if (clen) {
				goto fail;
			}
			clen = dots = 0;
			if (c == 0)
				break;  /* the path ends at its first NUL */
			continue;
		}
		if (!clen) {
			cs = o;
			buf[o++] = '/';
		}
		buf[o++] = c;
		if (c == '.' && dots == clen)
			dots++;
		clen++;
	}
	if (o >= FK_PF_PATH_MAX)
		goto fail;
	if (!o)
		buf[o++] = '/';
	buf[o] = 0;
	len = (uint32_t)o + 1;
	memcpy(scratch + FK_PF_PATH_LEN_OFF, &len, 4);
	return;
fail:
	memcpy(scratch + FK_PF_PATH_LEN_OFF, &zero, 4);
}

int fc_pf_run(const struct bpf_insn *insns, uint32_t n, const void *rec, size_t len,
	      uint32_t pf_need, const char *path, char *err, size_t errlen)
{
	static __thread uint8_t *scratch;
	if (!scratch && !(scratch = calloc(1, PF_SCRATCH_SIZE + 64))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct pf_vm vm;
	vm.scratch = scratch;
	if (len > PF_DATA_MAX + 4096)
		len = PF_DATA_MAX + 4096;
	memcpy(scratch, rec, len);
	memset(scratch + len, 0, PF_SCRATCH_SIZE - len);
	memcpy(scratch + FK_PF_NEED_OFF, &pf_need, 4);
	size_t plen = path ? strlen(path) + 1 : 0;
	if (plen && plen <= FK_PF_PATH_MAX) {
		uint32_t l = (uint32_t)plen;
		memcpy(scratch + FK_PF_PATH_OFF, path, plen);
		memcpy(scratch + FK_PF_PATH_LEN_OFF, &l, 4);
	}
	memset(vm.stack, 0, sizeof(vm.stack));
	uint64_t r[11] = { 0 };
	r[1] = 0x1234;  /* ctx: only moved around */
	r[10] = (uint64_t)(uintptr_t)(vm.stack + PF_STACK);
	uint64_t steps = 0;
	for (uint32_t pc = 0; pc < n;) {
		if (++steps > 10000000) {
			snprintf(err, errlen, "too many steps");
			return -1;
		}
		const struct bpf_insn *in = &insns[pc];
		uint8_t cls = BPF_CLASS(in->code);
		int d = in->dst_reg, s = in->src_reg;
		switch (cls) {
		case BPF_ALU64: {
			uint64_t v = BPF_SRC(in->code) == BPF_X ? r[s] : (uint64_t)(int64_t)in->imm;
			switch (BPF_OP(in->code)) {
			case BPF_MOV: r[d] = v; break;
			case BPF_ADD: r[d] += v; break;
			case BPF_SUB: r[d] -= v; break;
			case BPF_AND: r[d] &= v; break;
			case BPF_OR: r[d] |= v; break;
			case BPF_XOR: r[d] ^= v; break;
			case BPF_RSH: r[d] >>= (v & 63); break;
			case BPF_LSH: r[d] <<= (v & 63); break;
			default:
				snprintf(err, errlen, "insn %u: unknown ALU op", pc);
				return -1;
			}
			pc++;
			break;
		}
		case BPF_LDX: {
			unsigned sz = pf_size(BPF_SIZE(in->code));
			void *p = pf_vm_addr(&vm, r[s], in->off, sz);
			if (!p) {
				snprintf(err, errlen, "insn %u: load outside the scratch value or stack", pc);
				return -1;
			}
			uint64_t v = 0;
			memcpy(&v, p, sz);
			r[d] = v;
			pc++;
			break;
		}
		case BPF_STX: {
			unsigned sz = pf_size(BPF_SIZE(in->code));
			void *p = pf_vm_addr(&vm, r[d], in->off, sz);
			if (!p) {
				snprintf(err, errlen, "insn %u: store outside the scratch value or stack", pc);
				return -1;
			}
			memcpy(p, &r[s], sz);
			pc++;
			break;
		}
		case BPF_LD:
			if (!pf_is_ld64(in) || pc + 1 >= n) {
				snprintf(err, errlen, "insn %u: unknown LD", pc);
				return -1;
			}
			if (s == BPF_PSEUDO_MAP_IDX)
				r[d] = PF_MAP_MARK + (uint64_t)(uint32_t)in->imm;
			else
				r[d] = (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32;
			pc += 2;
			break;
		case BPF_JMP: {
			int op = BPF_OP(in->code);
			if (op == BPF_EXIT) {
				snprintf(err, errlen, "insn %u: exit without a tail call", pc);
				return -1;
			}
			if (op == BPF_CALL) {
				switch (in->imm) {
				case BPF_FUNC_get_smp_processor_id:
					r[0] = 0;
					break;
				case BPF_FUNC_map_lookup_elem: {
					uint32_t *key = pf_vm_addr(&vm, r[2], 0, 4);
					if (r[1] != PF_MAP_MARK + FC_PF_MAP_SCRATCH || !key) {
						snprintf(err, errlen, "insn %u: bad map lookup", pc);
						return -1;
					}
					r[0] = *key == 0 ? (uint64_t)(uintptr_t)scratch : 0;
					break;
				}
				case BPF_FUNC_tail_call:
					if (r[2] != PF_MAP_MARK + FC_PF_MAP_EXITS || r[1] != 0x1234 ||
					    r[3] > FK_PF_EXIT_NORMALIZE) {
						snprintf(err, errlen, "insn %u: bad tail call", pc);
						return -1;
					}
					if (r[3] == FK_PF_EXIT_NORMALIZE) {
						/* fk_pf_normalize: the program again, from the top */
						pf_vm_normalize(scratch);
						memset(vm.stack, 0, sizeof(vm.stack));
						memset(r, 0, sizeof(r));
						r[1] = 0x1234;
						r[10] = (uint64_t)(uintptr_t)(vm.stack + PF_STACK);
						pc = 0;
						continue;
					}
					return r[3] == FK_PF_EXIT_KEEP;
				default:
					snprintf(err, errlen, "insn %u: unknown helper %d", pc, in->imm);
					return -1;
				}
				for (int k = 1; k <= 5; k++)
					r[k] = 0xdeadbeefdeadbeefull;   /* clobbered */
				pc++;
				break;
			}
			uint64_t a = r[d];
			uint64_t b = BPF_SRC(in->code) == BPF_X ? r[s] : (uint64_t)(int64_t)in->imm;
			bool j;
			switch (op) {
			case BPF_JA: j = true; break;
			case BPF_JEQ: j = a == b; break;
			case BPF_JNE: j = a != b; break;
			case BPF_JGT: j = a > b; break;
			case BPF_JGE: j = a >= b; break;
			case BPF_JLT: j = a < b; break;
			case BPF_JLE: j = a <= b; break;
			case BPF_JSGT: j = (int64_t)a > (int64_t)b; break;
			case BPF_JSGE: j = (int64_t)a >= (int64_t)b; break;
			case BPF_JSLT: j = (int64_t)a < (int64_t)b; break;
			case BPF_JSLE: j = (int64_t)a <= (int64_t)b; break;
			case BPF_JSET: j = (a & b) != 0; break;
			default:
				snprintf(err, errlen, "insn %u: unknown jump", pc);
				return -1;
			}
			pc = j ? pc + 1 + (uint32_t)(int32_t)in->off : pc + 1;
			break;
		}
		default:
			snprintf(err, errlen, "insn %u: unknown class 0x%x", pc, cls);
			return -1;
		}
	}
	snprintf(err, errlen, "ran off the end");
	return -1;
}

bool fc_prefilter_keeps(const struct fc_prefilter *pf, const void *rec, size_t len,
			uint32_t pf_need, const char *path)
{
	const struct fk_event_hdr *h = rec;
	if (len < sizeof(*h) || h->type >= pf->nprogs)
		return true;
	const struct fc_pf_prog *p = &pf->progs[h->type];
	if (p->keep != FC_PF_FILTERED || !p->ninsns)
		return true;
	char err[128];
	return fc_pf_run(p->insns, p->ninsns, rec, len, pf_need, path, err, sizeof(err)) != 0;
}
