/* SPDX-License-Identifier: Apache-2.0 */
/* fc_jit.c - the LLVM JIT backend: checked conditions to LLVM IR, the new pass manager, and
 * native code through an ORC LLJIT. The only file that includes LLVM headers.
 *
 * One function per condition, `i1 @rule.N(ptr %env, i32 %evt)`. and/or/not become branches
 * to true/false targets (short-circuit is control flow, constants fold into branches). A check
 * becomes one of:
 * - evt.type = / != / in on known event types: a switch on %evt (the dispatch already knows
 *   the event's type index, so the most common check is a compare, not a string extraction);
 * - a string (=, !=, startswith, endswith, contains, in, with oneof/anyof/allof) or numeric
 *   or boolean (=, !=, <, <=, >, >=, in) check of a plain field against constants: the value
 *   comes from the env's per-event slot cache (filled once per event and field by a helper),
 *   and the comparison is inline IR against constants parsed here once (memcmp of a constant
 *   length, which LLVM expands; `in` lists switch on the length first, and large ones become
 *   sorted tables searched by a helper);
 * - an address check (=, !=, in on fd.ip, fd.sip, fd.net, ...): the slot's one or two
 *   addresses (either end) compared inline with the constants masked to their prefixes, or
 *   a table searched by a helper for large `in` lists;
 * - anything else, or a value of an unexpected kind at run time: a call of the interpreter's
 *   check (rt_jit_check), so the verdict is the interpreter's by construction.
 * Semantics are runtime/rt_eval.c's; the constant parsing below mirrors its parse_number.
 * AST nodes and field expressions the code passes to helpers are referenced as external
 * globals (@check.N, @field.N) that the JIT defines as absolute symbols at their addresses,
 * so dumped IR reads the same on every run. Nothing here knows the runtime's types. */
#include "compiler/backend/fc_jit.h"
#include "compiler/fc.h"
#include "compiler/fc_ast.h"
#include "compiler/fc_evttypes.h"
#include "compiler/fc_fields.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/OrcEE.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

/* Conditions are compiled in up to this many modules at once, one thread each, with at least
 * this many conditions per module (fc_jit_parts). */
#define FC_JIT_MAX_PARTS 8
/* fc_jit_emit's code is for this CPU of the architecture: no extensions beyond the baseline */
#define FC_JIT_PORTABLE_CPU "x86-64"
#define FC_JIT_MIN_PER_PART 16
/* `in` lists of strings up to this size are inline memcmp chains; larger ones are tables */
#define FC_JIT_INLINE_SET 16

enum fc_jit_helper {
#define X(name, sig) FC_JH_##name,
	FC_JIT_HELPERS(X)
#undef X
	FC_JH_COUNT
};

static const struct {
	const char *name, *sig;
} fc_jit_helper_sigs[] = {
#define X(name, sig) { #name, sig },
	FC_JIT_HELPERS(X)
#undef X
};

/* The FC_FIELD_ suffix of each field id, for the names of field fills (FC_JIT_FILL_PREFIX). */
static const char *const fc_jit_field_ids[] = {
#define FC_FIELD(id, name, type, arg, flags, src, desc) #id,
#include "compiler/fc_fields.def"
#undef FC_FIELD
};

/* An address the module refers to by name: a helper, a check node or a field expression. */
struct fc_jit_abs {
	char *name;
	const void *addr;
	bool callable;
};

/* A distinct field expression (field and argument) with its cache slot. */
struct fc_jit_key {
	const struct fc_field *f;
	const char *arg;
	size_t arglen;
	char *name; /* of its @field global */
};

/* A subtree that occurs more than once in the ruleset (a macro's body, most often): compiled
 * once, as the function @sub.K, and called wherever it occurs. */
struct fc_jit_share {
	uint64_t hash;
	const struct fc_node *n; /* its first occurrence, the one compiled */
	unsigned count;          /* occurrences */
	int sub;                 /* K of @sub.K once defined (in some module), else -1 */
};

/* Per node of the ruleset that could be shared: its structural hash, its weight and its
 * share, in an open-addressing table keyed by the node's address. */
struct fc_jit_nodeinfo {
	const struct fc_node *n;
	uint64_t hash;
	unsigned weight;
	int share; /* index in shares, or -1 */
};

/* What the modules of one compilation share: the absolute symbols they refer to, the slots
 * (so a field read by rules in two modules has one slot, filled once per event), the
 * numbering of checks (so names are unique across modules) and the shared subtrees. Built
 * on one thread. */
struct fc_jit_syms {
	struct fc_jit_abs *abs;
	size_t nabs, abscap;
	struct fc_jit_key *keys;
	size_t nkeys, keycap;
	const struct fc_jit_symbol *helpers; /* the caller's, for field fills; NULL in dumps */
	size_t nhelpers;
	unsigned nchecks;
	struct fc_jit_nodeinfo *ni;
	int *shix;    /* share index by hash, open addressing; -1 empty */
	size_t nicap; /* the size of both tables, a power of two; 0: no sharing (dumps) */
	struct fc_jit_share *shares;
	size_t nshares, sharecap;
	unsigned nsubs;
	bool all_fills; /* fc_jit_emit: every field calls its own fill by name (linked later) */
	bool oom;
};

/* Module-building state: one LLVM context and module. */
struct fc_jit_mod {
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMTypeRef t_i1, t_i8, t_i32, t_i64, t_i128, t_ptr, t_void, t_slot, t_env, t_strent;
	LLVMTypeRef t_netent;
	LLVMTypeRef t_pred, t_memcmp;
	LLVMValueRef f_memcmp;
	LLVMTypeRef ht[FC_JH_COUNT];
	LLVMValueRef h[FC_JH_COUNT];
	struct fc_jit_syms *sy;
	LLVMValueRef *kg, *kfill; /* per key of sy: its @field global and fill here, or NULL */
	size_t kcap;
	unsigned nstrs;
	size_t ninsts; /* instructions in the module's functions, to balance modules */
	bool big_endian;
	bool oom;
};

/* One function being lowered. */
struct fc_jit_fn {
	struct fc_jit_mod *m;
	LLVMValueRef fn, v_env, v_evt;
	const struct fc_node *self; /* the subtree a @sub.K function is the body of */
};

struct fc_jit {
	LLVMOrcLLJITRef jit;
	fc_jit_pred *preds;
	size_t n;
	size_t nslots;
	double seconds;
};

static void fc_jit_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fc_jit_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Takes the LLVM error's message into err and disposes of it. */
static void fc_jit_llvm_err(LLVMErrorRef e, const char *what, char *err, size_t errlen)
{
	char *msg = LLVMGetErrorMessage(e);
	fc_jit_errf(err, errlen, "%s: %s", what, msg);
	LLVMDisposeErrorMessage(msg);
}

/* --- module set-up ----------------------------------------------------------------------- */

static LLVMTypeRef fc_jit_sig_type(struct fc_jit_mod *m, char c)
{
	switch (c) {
	case 'b':
		return m->t_i1;
	case 'i':
		return m->t_i32;
	case 'l':
		return m->t_i64;
	case 'p':
		return m->t_ptr;
	default:
		return m->t_void;
	}
}

/* Records an absolute symbol. Functions (helpers, field fills) are declared by every module
 * that calls them and recorded once; data symbols are unique by construction. */
static void fc_jit_abs_add(struct fc_jit_syms *sy, const char *name, const void *addr,
			   bool callable)
{
	for (size_t i = 0; callable && i < sy->nabs; i++)
		if (sy->abs[i].callable && strcmp(sy->abs[i].name, name) == 0)
			return;
	if (sy->nabs == sy->abscap) {
		size_t cap = sy->abscap ? sy->abscap * 2 : 64;
		struct fc_jit_abs *a = realloc(sy->abs, cap * sizeof(*a));
		if (!a) {
			sy->oom = true;
			return;
		}
		sy->abs = a;
		sy->abscap = cap;
	}
	char *s = strdup(name);
	if (!s) {
		sy->oom = true;
		return;
	}
	sy->abs[sy->nabs++] = (struct fc_jit_abs){ s, addr, callable };
}

static void fc_jit_syms_fini(struct fc_jit_syms *sy)
{
	for (size_t i = 0; i < sy->nabs; i++)
		free(sy->abs[i].name);
	for (size_t i = 0; i < sy->nkeys; i++)
		free(sy->keys[i].name);
	free(sy->abs);
	free(sy->keys);
	free(sy->ni);
	free(sy->shix);
	free(sy->shares);
	memset(sy, 0, sizeof(*sy));
}

static void fc_jit_mod_init(struct fc_jit_mod *m, struct fc_jit_syms *sy, LLVMContextRef ctx,
			    const char *name)
{
	memset(m, 0, sizeof(*m));
	m->sy = sy;
	m->ctx = ctx;
	m->mod = LLVMModuleCreateWithNameInContext(name, ctx);
	m->b = LLVMCreateBuilderInContext(ctx);
	m->t_i1 = LLVMInt1TypeInContext(ctx);
	m->t_i8 = LLVMInt8TypeInContext(ctx);
	m->t_i32 = LLVMInt32TypeInContext(ctx);
	m->t_i64 = LLVMInt64TypeInContext(ctx);
	m->t_i128 = LLVMInt128TypeInContext(ctx);
	m->t_ptr = LLVMPointerTypeInContext(ctx, 0);
	m->t_void = LLVMVoidTypeInContext(ctx);
	/* struct fc_jit_slot { u64 gen; i32 kind; u32 n; ptr s; u64 v } */
	m->t_slot = LLVMStructCreateNamed(ctx, "fc_jit_slot");
	LLVMTypeRef slot_el[] = { m->t_i64, m->t_i32, m->t_i32, m->t_ptr, m->t_i64 };
	LLVMStructSetBody(m->t_slot, slot_el, 5, 0);
	/* struct fc_jit_env { u64 gen; ptr slots; ptr rt } */
	m->t_env = LLVMStructCreateNamed(ctx, "fc_jit_env");
	LLVMTypeRef env_el[] = { m->t_i64, m->t_ptr, m->t_ptr };
	LLVMStructSetBody(m->t_env, env_el, 3, 0);
	m->t_strent = LLVMStructCreateNamed(ctx, "fc_jit_strent");
	LLVMTypeRef se_el[] = { m->t_ptr, m->t_i64 };
	LLVMStructSetBody(m->t_strent, se_el, 2, 0);
	/* struct fc_jit_netent { u8 addr[16]; u32 family; u32 bits } */
	m->t_netent = LLVMStructCreateNamed(ctx, "fc_jit_netent");
	LLVMTypeRef ne_el[] = { LLVMArrayType2(m->t_i8, 16), m->t_i32, m->t_i32 };
	LLVMStructSetBody(m->t_netent, ne_el, 3, 0);
	LLVMTypeRef pred_args[] = { m->t_ptr, m->t_i32 };
	m->t_pred = LLVMFunctionType(m->t_i1, pred_args, 2, 0);
	LLVMTypeRef mc_args[] = { m->t_ptr, m->t_ptr, m->t_i64 };
	m->t_memcmp = LLVMFunctionType(m->t_i32, mc_args, 3, 0);
	m->f_memcmp = LLVMAddFunction(m->mod, "memcmp", m->t_memcmp);
	for (int i = 0; i < FC_JH_COUNT; i++) {
		const char *sig = fc_jit_helper_sigs[i].sig;
		LLVMTypeRef args[8];
		unsigned na = 0;
		for (const char *p = sig + 2; *p && na < 8; p++)
			args[na++] = fc_jit_sig_type(m, *p);
		m->ht[i] = LLVMFunctionType(fc_jit_sig_type(m, sig[0]), args, na, 0);
		m->h[i] = LLVMAddFunction(m->mod, fc_jit_helper_sigs[i].name, m->ht[i]);
		if (sig[0] == 'b') /* C's bool: zero-extended into the return register */
			LLVMAddAttributeAtIndex(
				m->h[i], LLVMAttributeReturnIndex,
				LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("zeroext", 7),
							0));
		LLVMAddAttributeAtIndex(
			m->h[i], LLVMAttributeFunctionIndex,
			LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
	}
}

static void fc_jit_mod_fini(struct fc_jit_mod *m)
{
	if (m->b)
		LLVMDisposeBuilder(m->b);
	free(m->kg);
	free(m->kfill);
	m->b = NULL;
	m->kg = m->kfill = NULL;
}

/* An external global named name (an absolute symbol: an AST node or field expression). */
static LLVMValueRef fc_jit_extern(struct fc_jit_mod *m, const char *name)
{
	LLVMValueRef g = LLVMAddGlobal(m->mod, m->t_i8, name);
	LLVMSetLinkage(g, LLVMExternalLinkage);
	LLVMSetGlobalConstant(g, 1);
	return g;
}

/* An external global standing for addr, recorded as an absolute symbol. */
static LLVMValueRef fc_jit_addr(struct fc_jit_mod *m, const char *name, const void *addr)
{
	LLVMValueRef g = fc_jit_extern(m, name);
	fc_jit_abs_add(m->sy, LLVMGetValueName(g), addr, false);
	return g;
}

/* A private constant global `prefix.N` initialised with init. */
static LLVMValueRef fc_jit_const(struct fc_jit_mod *m, const char *prefix, LLVMValueRef init)
{
	char name[32];
	snprintf(name, sizeof(name), "%s.%u", prefix, m->nstrs++);
	LLVMValueRef g = LLVMAddGlobal(m->mod, LLVMTypeOf(init), name);
	LLVMSetInitializer(g, init);
	LLVMSetGlobalConstant(g, 1);
	LLVMSetLinkage(g, LLVMPrivateLinkage);
	return g;
}

/* A private constant holding bytes s[0..len), NUL-terminated. */
static LLVMValueRef fc_jit_cstr(struct fc_jit_mod *m, const char *s, size_t len)
{
	LLVMValueRef g = fc_jit_const(m, "str", LLVMConstStringInContext(m->ctx, s, (unsigned)len,
									 0));
	LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
	return g;
}

/* A private table of struct fc_jit_strent for the n strings of sorted, in that order (the
 * helpers binary-search it), using ents (n slots) as scratch. */
static LLVMValueRef fc_jit_strtab(struct fc_jit_mod *m, const char *prefix,
				  const struct fc_str *const *sorted, size_t n, LLVMValueRef *ents)
{
	for (size_t i = 0; i < n; i++) {
		LLVMValueRef el[] = { fc_jit_cstr(m, sorted[i]->s, sorted[i]->len),
				      LLVMConstInt(m->t_i64, sorted[i]->len, 0) };
		ents[i] = LLVMConstNamedStruct(m->t_strent, el, 2);
	}
	return fc_jit_const(m, prefix, LLVMConstArray2(m->t_strent, ents, n));
}

/* --- values ------------------------------------------------------------------------------ */

/* rt_eval.c's parse_number, for integer fields: a U64 (neg false) or an S64 constant. */
static bool fc_jit_parse_int(const char *s, uint64_t *u, bool *neg)
{
	char *end;
	errno = 0;
	if (!*s)
		return false;
	*neg = s[0] == '-';
	const char *p = s[0] == '-' || s[0] == '+' ? s + 1 : s;
	int base = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : 10;
	if (base == 16)
		p += 2;
	if (!*p)
		return false;
	uint64_t v = strtoull(p, &end, base);
	if (*end || errno)
		return false;
	if (*neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		v = 0 - v;
	}
	*u = v;
	return true;
}

/* The constants on the right of a check (as rt_eval.c's prep_build gathers them). */
static const struct fc_str *fc_jit_items(const struct fc_node *n, size_t *count)
{
	const struct fc_value *v = n->check.rhs;
	*count = 0;
	if (!v)
		return NULL;
	switch (v->kind) {
	case FC_VAL_SCALAR:
	case FC_VAL_LISTREF:
		*count = 1;
		return &v->scalar;
	case FC_VAL_LIST:
		*count = v->nitems;
		return v->items;
	default:
		return NULL;
	}
}

/* The fill of field f's slots: the caller's fill for that field if it gave one, else
 * rt_jit_fill. */
static LLVMValueRef fc_jit_field_fill(struct fc_jit_mod *m, const struct fc_field *f)
{
	char name[96];
	if ((size_t)f->id >= sizeof(fc_jit_field_ids) / sizeof(fc_jit_field_ids[0]))
		return m->h[FC_JH_rt_jit_fill];
	snprintf(name, sizeof(name), FC_JIT_FILL_PREFIX "%s", fc_jit_field_ids[f->id]);
	LLVMValueRef fn = LLVMGetNamedFunction(m->mod, name);
	if (fn)
		return fn;
	if (m->sy->all_fills) { /* resolved at link time: the field's own fill or rt_jit_fill */
		fn = LLVMAddFunction(m->mod, name, m->ht[FC_JH_rt_jit_fill]);
		LLVMAddAttributeAtIndex(
			fn, LLVMAttributeFunctionIndex,
			LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8),
						0));
		return fn;
	}
	for (size_t i = 0; i < m->sy->nhelpers; i++) {
		if (strcmp(m->sy->helpers[i].name, name) != 0)
			continue;
		fn = LLVMAddFunction(m->mod, name, m->ht[FC_JH_rt_jit_fill]);
		LLVMAddAttributeAtIndex(
			fn, LLVMAttributeFunctionIndex,
			LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8),
						0));
		fc_jit_abs_add(m->sy, name, m->sy->helpers[i].addr, true);
		return fn;
	}
	return m->h[FC_JH_rt_jit_fill];
}

/* The slot of a field expression: one per distinct field and argument, across modules. */
static unsigned fc_jit_key_of(struct fc_jit_mod *m, const struct fc_expr *e)
{
	struct fc_jit_syms *sy = m->sy;
	const struct fc_str *a = e->field.arg;
	const char *arg = a ? a->s : NULL;
	size_t arglen = a ? a->len : 0;
	for (size_t i = 0; i < sy->nkeys; i++) {
		struct fc_jit_key *k = &sy->keys[i];
		if (k->f == e->field.field && (k->arg != NULL) == (arg != NULL) &&
		    k->arglen == arglen && (!arg || memcmp(k->arg, arg, arglen) == 0))
			return (unsigned)i;
	}
	if (sy->nkeys == sy->keycap) {
		size_t cap = sy->keycap ? sy->keycap * 2 : 64;
		struct fc_jit_key *k = realloc(sy->keys, cap * sizeof(*k));
		if (!k) {
			sy->oom = true;
			return 0;
		}
		sy->keys = k;
		sy->keycap = cap;
	}
	char name[128];
	if (arg)
		snprintf(name, sizeof(name), "field.%s[%.*s]", e->field.field->name,
			 (int)(arglen > 64 ? 64 : arglen), arg);
	else
		snprintf(name, sizeof(name), "field.%s", e->field.field->name);
	for (size_t i = 0; i < sy->nkeys; i++) /* a truncated argument: keep names unique */
		if (strcmp(sy->keys[i].name, name) == 0) {
			size_t l = strlen(name);
			snprintf(name + (l > 100 ? 100 : l), 28, ".%zu", sy->nkeys);
			break;
		}
	char *dup = strdup(name);
	if (!dup) {
		sy->oom = true;
		return 0;
	}
	sy->keys[sy->nkeys] = (struct fc_jit_key){ e->field.field, arg, arglen, dup };
	fc_jit_abs_add(sy, name, e, false);
	return (unsigned)sy->nkeys++;
}

/* The slot of e, with its @field global and fill declared in this module. */
static unsigned fc_jit_slot_of(struct fc_jit_mod *m, const struct fc_expr *e)
{
	unsigned i = fc_jit_key_of(m, e);
	if (m->sy->oom) {
		m->oom = true;
		return 0;
	}
	if (i >= m->kcap) {
		size_t cap = m->kcap ? m->kcap * 2 : 64;
		while (cap <= i)
			cap *= 2;
		LLVMValueRef *g = realloc(m->kg, cap * sizeof(*g));
		if (g)
			m->kg = g;
		LLVMValueRef *f = realloc(m->kfill, cap * sizeof(*f));
		if (f)
			m->kfill = f;
		if (!g || !f) {
			m->oom = true;
			return 0;
		}
		memset(m->kg + m->kcap, 0, (cap - m->kcap) * sizeof(*g));
		memset(m->kfill + m->kcap, 0, (cap - m->kcap) * sizeof(*f));
		m->kcap = cap;
	}
	if (!m->kg[i]) {
		m->kg[i] = fc_jit_extern(m, m->sy->keys[i].name);
		m->kfill[i] = fc_jit_field_fill(m, e->field.field);
	}
	return i;
}

/* Declares a predicate, `zeroext i1 name(ptr env, i32 evt) nounwind`. */
static LLVMValueRef fc_jit_pred_decl(struct fc_jit_mod *m, const char *name)
{
	LLVMValueRef fn = LLVMAddFunction(m->mod, name, m->t_pred);
	LLVMAddAttributeAtIndex(
		fn, LLVMAttributeReturnIndex,
		LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("zeroext", 7), 0));
	LLVMAddAttributeAtIndex(
		fn, LLVMAttributeFunctionIndex,
		LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
	return fn;
}

static size_t fc_jit_count_insts(LLVMValueRef fn)
{
	size_t k = 0;
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in;
		     in = LLVMGetNextInstruction(in))
			k++;
	return k;
}

static LLVMBasicBlockRef fc_jit_block(struct fc_jit_fn *F, const char *name)
{
	return LLVMAppendBasicBlockInContext(F->m->ctx, F->fn, name);
}

/* Loads slot `i` for the current event, filling it first if needed. Leaves the builder in a
 * block where *kind, *s and *v hold the slot's fields, and *slot (if asked) its address. */
static void fc_jit_load_slot_at(struct fc_jit_fn *F, const struct fc_expr *e, LLVMValueRef *slot,
				LLVMValueRef *kind, LLVMValueRef *s, LLVMValueRef *v)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	unsigned i = fc_jit_slot_of(m, e);
	LLVMValueRef v_slots_p = LLVMBuildStructGEP2(b, m->t_env, F->v_env, 1, "");
	LLVMValueRef v_slots = LLVMBuildLoad2(b, m->t_ptr, v_slots_p, "slots");
	LLVMValueRef idx = LLVMConstInt(m->t_i64, i, 0);
	LLVMValueRef v_slot = LLVMBuildGEP2(b, m->t_slot, v_slots, &idx, 1, e->field.field->name);
	LLVMValueRef v_sgen = LLVMBuildLoad2(b, m->t_i64, v_slot, "slot.gen");
	LLVMValueRef v_egen = LLVMBuildLoad2(b, m->t_i64, F->v_env, "env.gen");
	LLVMValueRef v_fresh = LLVMBuildICmp(b, LLVMIntEQ, v_sgen, v_egen, "fresh");
	LLVMBasicBlockRef b_fill = fc_jit_block(F, "fill");
	LLVMBasicBlockRef b_have = fc_jit_block(F, "have");
	LLVMBuildCondBr(b, v_fresh, b_have, b_fill);
	LLVMPositionBuilderAtEnd(b, b_fill);
	/* out of memory: nothing declared, build on (the module is discarded) */
	bool ok = !m->oom && i < m->kcap && m->kg[i];
	LLVMValueRef args[] = { F->v_env, LLVMConstInt(m->t_i32, i, 0),
				ok ? m->kg[i] : LLVMConstNull(m->t_ptr) };
	LLVMBuildCall2(b, m->ht[FC_JH_rt_jit_fill], ok ? m->kfill[i] : m->h[FC_JH_rt_jit_fill],
		       args, 3, "");
	LLVMBuildBr(b, b_have);
	LLVMPositionBuilderAtEnd(b, b_have);
	*kind = LLVMBuildLoad2(b, m->t_i32, LLVMBuildStructGEP2(b, m->t_slot, v_slot, 1, ""),
			       "kind");
	if (s)
		*s = LLVMBuildLoad2(b, m->t_ptr, LLVMBuildStructGEP2(b, m->t_slot, v_slot, 3, ""),
				    "s");
	if (v)
		*v = LLVMBuildLoad2(b, m->t_i64, LLVMBuildStructGEP2(b, m->t_slot, v_slot, 4, ""),
				    "v");
	if (slot)
		*slot = v_slot;
}

static void fc_jit_load_slot(struct fc_jit_fn *F, const struct fc_expr *e, LLVMValueRef *kind,
			     LLVMValueRef *s, LLVMValueRef *v)
{
	fc_jit_load_slot_at(F, e, NULL, kind, s, v);
}

/* The interpreter's verdict on check n, branching to t or f. */
static void fc_jit_generic(struct fc_jit_fn *F, const struct fc_node *n, LLVMBasicBlockRef t,
			   LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	char name[32];
	snprintf(name, sizeof(name), "check.%u", m->sy->nchecks++);
	LLVMValueRef g = fc_jit_addr(m, name, n);
	LLVMValueRef args[] = { F->v_env, g };
	LLVMValueRef r = LLVMBuildCall2(m->b, m->ht[FC_JH_rt_jit_check], m->h[FC_JH_rt_jit_check],
					args, 2, "generic");
	LLVMBuildCondBr(m->b, r, t, f);
}

/* p[0..kl) == k[0..kl) as an i1, for a constant k: loads of up to 8 bytes compared with
 * integer constants (so no memcmp call survives even without optimisation), or memcmp for
 * long constants. */
static LLVMValueRef fc_jit_memeq(struct fc_jit_fn *F, LLVMValueRef p, const char *k, size_t kl)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	if (kl > 32) {
		LLVMValueRef args[] = { p, fc_jit_cstr(m, k, kl), LLVMConstInt(m->t_i64, kl, 0) };
		LLVMValueRef r = LLVMBuildCall2(b, m->t_memcmp, m->f_memcmp, args, 3, "memcmp");
		return LLVMBuildICmp(b, LLVMIntEQ, r, LLVMConstInt(m->t_i32, 0, 0), "eq");
	}
	LLVMValueRef acc = NULL;
	for (size_t off = 0; off < kl; off += 8) {
		size_t n = kl - off < 8 ? kl - off : 8;
		LLVMTypeRef t = LLVMIntTypeInContext(m->ctx, (unsigned)(n * 8));
		LLVMValueRef o = LLVMConstInt(m->t_i64, off, 0);
		LLVMValueRef q = off ? LLVMBuildGEP2(b, m->t_i8, p, &o, 1, "") : p;
		LLVMValueRef v = LLVMBuildLoad2(b, t, q, "bytes");
		LLVMSetAlignment(v, 1);
		uint64_t c = 0; /* the bytes as the target loads them */
		for (size_t i = 0; i < n; i++) {
			size_t sh = m->big_endian ? (n - 1 - i) * 8 : i * 8;
			c |= (uint64_t)(unsigned char)k[off + i] << sh;
		}
		LLVMValueRef x = LLVMBuildXor(b, v, LLVMConstInt(t, c, 0), "");
		x = n < 8 ? LLVMBuildZExt(b, x, m->t_i64, "") : x;
		acc = acc ? LLVMBuildOr(b, acc, x, "") : x;
	}
	return LLVMBuildICmp(b, LLVMIntEQ, acc, LLVMConstInt(m->t_i64, 0, 0), "eq");
}

/* Branches to t when s[0..len) compares with constant k under op, else to f. */
static void fc_jit_str_one(struct fc_jit_fn *F, enum fc_op op, LLVMValueRef s, LLVMValueRef len,
			   const struct fc_str *k, LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	LLVMValueRef kl = LLVMConstInt(m->t_i64, k->len, 0);
	if (op == FC_OP_CONTAINS) {
		if (k->len == 0) {
			LLVMBuildBr(b, t);
			return;
		}
		LLVMValueRef args[] = { s, len, fc_jit_cstr(m, k->s, k->len), kl };
		LLVMValueRef r = LLVMBuildCall2(b, m->ht[FC_JH_rt_jit_contains],
						m->h[FC_JH_rt_jit_contains], args, 4, "contains");
		LLVMBuildCondBr(b, r, t, f);
		return;
	}
	/* =, startswith, endswith: a length test, then memcmp of a constant length */
	LLVMValueRef v_len_ok = LLVMBuildICmp(b, op == FC_OP_EQ ? LLVMIntEQ : LLVMIntUGE, len, kl,
					      "len.ok");
	if (k->len == 0) {
		LLVMBuildCondBr(b, v_len_ok, t, f);
		return;
	}
	LLVMBasicBlockRef b_cmp = fc_jit_block(F, "cmp");
	LLVMBuildCondBr(b, v_len_ok, b_cmp, f);
	LLVMPositionBuilderAtEnd(b, b_cmp);
	LLVMValueRef p = s;
	if (op == FC_OP_ENDSWITH) {
		LLVMValueRef off = LLVMBuildSub(b, len, kl, "off");
		p = LLVMBuildGEP2(b, m->t_i8, s, &off, 1, "tail");
	}
	LLVMBuildCondBr(b, fc_jit_memeq(F, p, k->s, k->len), t, f);
}

static int fc_jit_strent_order(const void *a, const void *b)
{
	const struct fc_str *x = *(const struct fc_str *const *)a, *y = *(const struct fc_str *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->s, y->s, n);
	if (r)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* s in a set of string constants: a switch on the length, then memcmp chains; or, for large
 * sets, a sorted table searched by a helper. */
static void fc_jit_str_set(struct fc_jit_fn *F, LLVMValueRef s, LLVMValueRef len,
			   const struct fc_str *items, size_t count, LLVMBasicBlockRef t,
			   LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	const struct fc_str **sorted = malloc(count * sizeof(*sorted));
	if (!sorted) {
		m->oom = true;
		LLVMBuildBr(b, f);
		return;
	}
	for (size_t i = 0; i < count; i++)
		sorted[i] = &items[i];
	qsort(sorted, count, sizeof(*sorted), fc_jit_strent_order);
	size_t u = 0; /* drop duplicates */
	for (size_t i = 0; i < count; i++)
		if (!u || fc_jit_strent_order(&sorted[u - 1], &sorted[i]) != 0)
			sorted[u++] = sorted[i];
	if (u > FC_JIT_INLINE_SET) {
		LLVMValueRef *ents = malloc(u * sizeof(*ents));
		if (!ents) {
			m->oom = true;
			free(sorted);
			LLVMBuildBr(b, f);
			return;
		}
		LLVMValueRef g = fc_jit_strtab(m, "set", sorted, u, ents);
		LLVMValueRef args[] = { s, len, g, LLVMConstInt(m->t_i64, u, 0) };
		LLVMValueRef r = LLVMBuildCall2(b, m->ht[FC_JH_rt_jit_str_in],
						m->h[FC_JH_rt_jit_str_in], args, 4, "in");
		LLVMBuildCondBr(b, r, t, f);
		free(ents);
		free(sorted);
		return;
	}
	/* group by length (sorted by bytes first, so gather per length) */
	LLVMValueRef sw = LLVMBuildSwitch(b, len, f, (unsigned)u);
	bool *done = calloc(u ? u : 1, sizeof(*done));
	if (!done) {
		m->oom = true;
		free(sorted);
		return;
	}
	for (size_t i = 0; i < u; i++) {
		if (done[i])
			continue;
		size_t kl = sorted[i]->len;
		LLVMBasicBlockRef b_len = fc_jit_block(F, "len");
		LLVMAddCase(sw, LLVMConstInt(m->t_i64, kl, 0), b_len);
		LLVMPositionBuilderAtEnd(b, b_len);
		for (size_t j = i; j < u; j++) {
			if (done[j] || sorted[j]->len != kl)
				continue;
			done[j] = true;
			bool last = true;
			for (size_t q = j + 1; q < u; q++)
				if (!done[q] && sorted[q]->len == kl)
					last = false;
			if (kl == 0) {
				LLVMBuildBr(b, t);
				break;
			}
			LLVMBasicBlockRef b_next = last ? f : fc_jit_block(F, "next");
			LLVMBuildCondBr(b, fc_jit_memeq(F, s, sorted[j]->s, kl), t, b_next);
			if (!last)
				LLVMPositionBuilderAtEnd(b, b_next);
		}
	}
	free(done);
	free(sorted);
}

static bool fc_jit_is_str_op(enum fc_op op)
{
	switch (op) {
	case FC_OP_EQ:
	case FC_OP_EQEQ:
	case FC_OP_NE:
	case FC_OP_CONTAINS:
	case FC_OP_STARTSWITH:
	case FC_OP_ENDSWITH:
	case FC_OP_IN:
	case FC_OP_INTERSECTS:
		return true;
	default:
		return false;
	}
}

static bool fc_jit_is_num_op(enum fc_op op)
{
	switch (op) {
	case FC_OP_EQ:
	case FC_OP_EQEQ:
	case FC_OP_NE:
	case FC_OP_LT:
	case FC_OP_LE:
	case FC_OP_GT:
	case FC_OP_GE:
	case FC_OP_IN:
	case FC_OP_INTERSECTS:
		return true;
	default:
		return false;
	}
}

/* A plain field, one value per event as far as the checker knows (run-time lists still go
 * to the generic check), and not evt.rawarg (whose constants are strings and numbers). */
static bool fc_jit_plain_field(const struct fc_expr *e)
{
	return e->kind == FC_EXPR_FIELD && e->field.field && !e->list &&
	       e->field.field->id != FC_FIELD_EVT_RAWARG;
}

/* String checks: value in the slot, compared inline. */
static void fc_jit_str_check(struct fc_jit_fn *F, const struct fc_node *n, const struct fc_str *items,
			     size_t count, LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	LLVMValueRef kind, s, len;
	fc_jit_load_slot(F, n->check.lhs, &kind, &s, &len);
	LLVMBasicBlockRef b_str = fc_jit_block(F, "str");
	LLVMBasicBlockRef b_gen = fc_jit_block(F, "other");
	LLVMValueRef sw = LLVMBuildSwitch(b, kind, b_gen, 2);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_STR, 0), b_str);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_NA, 0), f);
	LLVMPositionBuilderAtEnd(b, b_gen);
	fc_jit_generic(F, n, t, f);
	LLVMPositionBuilderAtEnd(b, b_str);
	enum fc_op op = n->check.op;
	switch (op) {
	case FC_OP_IN:
	case FC_OP_INTERSECTS:
		fc_jit_str_set(F, s, len, items, count, t, f);
		return;
	case FC_OP_NE:
		fc_jit_str_one(F, FC_OP_EQ, s, len, &items[0], f, t);
		return;
	case FC_OP_EQEQ:
		op = FC_OP_EQ;
		break;
	default:
		break;
	}
	size_t nk = n->check.mod == FC_MOD_NONE ? 1 : count;
	if (op == FC_OP_EQ && nk > 1 && n->check.mod != FC_MOD_ALLOF) {
		fc_jit_str_set(F, s, len, items, nk, t, f);
		return;
	}
	bool all = n->check.mod == FC_MOD_ALLOF;
	for (size_t i = 0; i < nk; i++) {
		bool last = i + 1 == nk;
		LLVMBasicBlockRef b_next = last ? (all ? t : f) : fc_jit_block(F, "next");
		if (all)
			fc_jit_str_one(F, op, s, len, &items[i], b_next, f);
		else
			fc_jit_str_one(F, op, s, len, &items[i], t, b_next);
		if (!last)
			LLVMPositionBuilderAtEnd(b, b_next);
	}
}

/* pmatch on a string field: the prefixes without their trailing slashes (as rt_eval.c's
 * path_under compares them), sorted and searched per path component by rt_jit_pmatch. */
static void fc_jit_pmatch_check(struct fc_jit_fn *F, const struct fc_node *n,
				const struct fc_str *items, size_t count, LLVMBasicBlockRef t,
				LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	struct fc_str *st = malloc(count * sizeof(*st));
	const struct fc_str **sorted = malloc(count * sizeof(*sorted));
	LLVMValueRef *ents = malloc(count * sizeof(*ents));
	if (!st || !sorted || !ents) {
		m->oom = true;
		free(st);
		free(sorted);
		free(ents);
		LLVMBuildBr(b, f);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		st[i] = items[i];
		while (st[i].len && st[i].s[st[i].len - 1] == '/')
			st[i].len--;
		sorted[i] = &st[i];
	}
	qsort(sorted, count, sizeof(*sorted), fc_jit_strent_order);
	size_t u = 0;
	for (size_t i = 0; i < count; i++)
		if (!u || fc_jit_strent_order(&sorted[u - 1], &sorted[i]) != 0)
			sorted[u++] = sorted[i];
	LLVMValueRef g = fc_jit_strtab(m, "pset", sorted, u, ents);
	free(st);
	free(sorted);
	free(ents);

	LLVMValueRef kind, s, len;
	fc_jit_load_slot(F, n->check.lhs, &kind, &s, &len);
	LLVMBasicBlockRef b_str = fc_jit_block(F, "str");
	LLVMBasicBlockRef b_gen = fc_jit_block(F, "other");
	LLVMValueRef sw = LLVMBuildSwitch(b, kind, b_gen, 2);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_STR, 0), b_str);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_NA, 0), f);
	LLVMPositionBuilderAtEnd(b, b_gen);
	fc_jit_generic(F, n, t, f);
	LLVMPositionBuilderAtEnd(b, b_str);
	LLVMValueRef args[] = { s, len, g, LLVMConstInt(m->t_i64, u, 0) };
	LLVMValueRef r = LLVMBuildCall2(b, m->ht[FC_JH_rt_jit_pmatch], m->h[FC_JH_rt_jit_pmatch],
					args, 4, "pmatch");
	LLVMBuildCondBr(b, r, t, f);
}

/* Numeric and boolean checks: the slot's value widened to i128 (its sign from the kind, as
 * the interpreter compares mixed signedness exactly), against i128 constants. */
static void fc_jit_num_check(struct fc_jit_fn *F, const struct fc_node *n, const uint64_t *ks,
			     const bool *kneg, size_t count, LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	LLVMValueRef kind, v;
	fc_jit_load_slot(F, n->check.lhs, &kind, NULL, &v);
	LLVMBasicBlockRef b_u = fc_jit_block(F, "u64");
	LLVMBasicBlockRef b_s = fc_jit_block(F, "s64");
	LLVMBasicBlockRef b_num = fc_jit_block(F, "num");
	LLVMBasicBlockRef b_gen = fc_jit_block(F, "other");
	LLVMValueRef sw = LLVMBuildSwitch(b, kind, b_gen, 3);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_U64, 0), b_u);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_S64, 0), b_s);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_NA, 0), f);
	LLVMPositionBuilderAtEnd(b, b_gen);
	fc_jit_generic(F, n, t, f);
	LLVMPositionBuilderAtEnd(b, b_u);
	LLVMValueRef xu = LLVMBuildZExt(b, v, m->t_i128, "x.u");
	LLVMBuildBr(b, b_num);
	LLVMPositionBuilderAtEnd(b, b_s);
	LLVMValueRef xs = LLVMBuildSExt(b, v, m->t_i128, "x.s");
	LLVMBuildBr(b, b_num);
	LLVMPositionBuilderAtEnd(b, b_num);
	LLVMValueRef x = LLVMBuildPhi(b, m->t_i128, "x");
	LLVMValueRef inc[] = { xu, xs };
	LLVMBasicBlockRef incb[] = { b_u, b_s };
	LLVMAddIncoming(x, inc, incb, 2);
	enum fc_op op = n->check.op;
	LLVMIntPredicate pred = LLVMIntEQ;
	switch (op) {
	case FC_OP_NE: pred = LLVMIntNE; break;
	case FC_OP_LT: pred = LLVMIntSLT; break;
	case FC_OP_LE: pred = LLVMIntSLE; break;
	case FC_OP_GT: pred = LLVMIntSGT; break;
	case FC_OP_GE: pred = LLVMIntSGE; break;
	default: break;
	}
	size_t nk = op == FC_OP_IN || op == FC_OP_INTERSECTS ? count : 1;
	LLVMValueRef r = NULL;
	for (size_t i = 0; i < nk; i++) {
		/* an i128 constant: the u64 bits, sign-extended for a negative constant */
		uint64_t words[2] = { ks[i], kneg[i] ? UINT64_MAX : 0 };
		LLVMValueRef k = LLVMConstIntOfArbitraryPrecision(m->t_i128, 2, words);
		LLVMValueRef c = LLVMBuildICmp(b, pred, x, k, "cmp");
		r = r ? LLVMBuildOr(b, r, c, "any") : c;
	}
	LLVMBuildCondBr(b, r, t, f);
}

/* --- addresses and networks ------------------------------------------------------------ */

/* An address or network constant of an address field, as rt_eval.c prepares it (rt_parse_net
 * in rt_extract.c): an IPv4 address, else an IPv6 one, optionally "/bits" (0 to 32 or 128).
 * bits is the whole address without a prefix. addr is masked to its first bits bits, which
 * is all ip_in compares. A constant that does not parse (bad) equals nothing. */
struct fc_jit_net {
	bool bad;
	int fam; /* 4 or 6 */
	unsigned bits;
	uint8_t addr[16];
};

static void fc_jit_parse_net(const char *s, struct fc_jit_net *k)
{
	memset(k, 0, sizeof(*k));
	k->bad = true;
	char ip[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(ip))
		return;
	memcpy(ip, s, n);
	ip[n] = '\0';
	long max;
	if (inet_pton(AF_INET, ip, k->addr) == 1) {
		k->fam = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, ip, k->addr) == 1) {
		k->fam = 6;
		max = 128;
	} else {
		return;
	}
	long bits = max;
	if (slash) {
		char *end;
		bits = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || bits < 0 || bits > max)
			return;
	}
	k->bits = (unsigned)bits;
	for (unsigned j = 0; j < 16; j++)
		k->addr[j] &= j * 8 + 8 <= k->bits ? 0xff
			      : j * 8 >= k->bits   ? 0
						   : (uint8_t)(0xff << (8 - (k->bits - j * 8)));
	k->bad = false;
}

/* The n bytes at p as the target loads them into an integer. */
static uint64_t fc_jit_bytes_int(const struct fc_jit_mod *m, const uint8_t *p, size_t n)
{
	uint64_t c = 0;
	for (size_t i = 0; i < n; i++)
		c |= (uint64_t)p[i] << (m->big_endian ? (n - 1 - i) * 8 : i * 8);
	return c;
}

/* The address at p (family fam) is in one of the nk constants, as an i1: per constant of the
 * family, one masked compare per 4-byte (IPv4) or 8-byte (IPv6) word its prefix reaches. */
static LLVMValueRef fc_jit_addr_match(struct fc_jit_fn *F, int fam, LLVMValueRef p,
				      const struct fc_jit_net *ks, size_t nk)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	size_t wl = fam == 4 ? 4 : 8, nw = fam == 4 ? 1 : 2;
	LLVMTypeRef t = fam == 4 ? m->t_i32 : m->t_i64;
	LLVMValueRef w[2] = { NULL, NULL };
	LLVMValueRef any = NULL;
	for (size_t i = 0; i < nk; i++) {
		if (ks[i].bad || ks[i].fam != fam)
			continue;
		LLVMValueRef all = NULL;
		for (size_t j = 0; j < nw; j++) {
			uint8_t mb[8];
			for (size_t q = 0; q < wl; q++) {
				unsigned bit = (unsigned)((j * wl + q) * 8);
				mb[q] = bit + 8 <= ks[i].bits ? 0xff
					: bit >= ks[i].bits   ? 0
							      : (uint8_t)(0xff << (8 - (ks[i].bits - bit)));
			}
			uint64_t mask = fc_jit_bytes_int(m, mb, wl);
			if (!mask)
				continue; /* beyond the prefix */
			if (!w[j]) {
				LLVMValueRef o = LLVMConstInt(m->t_i64, j * wl, 0);
				LLVMValueRef q = j ? LLVMBuildGEP2(b, m->t_i8, p, &o, 1, "") : p;
				w[j] = LLVMBuildLoad2(b, t, q, "addr");
				LLVMSetAlignment(w[j], 1);
			}
			uint64_t c = fc_jit_bytes_int(m, ks[i].addr + j * wl, wl);
			LLVMValueRef x = w[j];
			if (mask != (wl == 4 ? 0xffffffffull : UINT64_MAX))
				x = LLVMBuildAnd(b, x, LLVMConstInt(t, mask, 0), "");
			LLVMValueRef e = LLVMBuildICmp(b, LLVMIntEQ, x, LLVMConstInt(t, c, 0), "net");
			all = all ? LLVMBuildAnd(b, all, e, "") : e;
		}
		if (!all) /* a /0 of this family: every address */
			all = LLVMConstInt(m->t_i1, 1, 0);
		any = any ? LLVMBuildOr(b, any, all, "") : all;
	}
	return any;
}

/* The addresses of a slot of kind fam (1 or 2 of them, nv) against the constants: for = and
 * in, to t when any address is in a constant; for != (one constant), to t when any address is
 * not in it (rt_eval.c: an either-end value passes when either end passes). */
static void fc_jit_addr_ends(struct fc_jit_fn *F, int fam, LLVMValueRef slot, LLVMValueRef s,
			     LLVMValueRef nv, const struct fc_jit_net *ks, size_t nk, bool ne,
			     LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	bool any = false;
	for (size_t i = 0; i < nk; i++)
		any |= !ks[i].bad && ks[i].fam == fam;
	if (!any) { /* no constant of this family: nothing is in one */
		LLVMBuildBr(b, ne ? t : f);
		return;
	}
	LLVMValueRef base = fam == 4 ? LLVMBuildStructGEP2(b, m->t_slot, slot, 4, "") : s;
	for (unsigned end = 0; end < 2; end++) {
		LLVMValueRef p = base;
		if (end) {
			LLVMValueRef o = LLVMConstInt(m->t_i64, fam == 4 ? 4 : 16, 0);
			p = LLVMBuildGEP2(b, m->t_i8, base, &o, 1, "end");
		}
		LLVMValueRef in = fc_jit_addr_match(F, fam, p, ks, nk);
		LLVMBasicBlockRef next = f;
		if (!end) {
			LLVMBasicBlockRef b_two = fc_jit_block(F, "two");
			next = fc_jit_block(F, "end2");
			LLVMBuildCondBr(b, in, ne ? b_two : t, ne ? t : b_two);
			LLVMPositionBuilderAtEnd(b, b_two);
			LLVMValueRef two = LLVMBuildICmp(b, LLVMIntEQ, nv,
							 LLVMConstInt(m->t_i32, 2, 0), "two");
			LLVMBuildCondBr(b, two, next, f);
			LLVMPositionBuilderAtEnd(b, next);
		} else {
			LLVMBuildCondBr(b, in, ne ? f : t, ne ? t : f);
		}
	}
}

static int fc_jit_netent_order(const void *a, const void *b)
{
	const struct fc_jit_net *x = a, *y = b;
	if (x->fam != y->fam)
		return x->fam - y->fam;
	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/* Which address checks are lowered inline: =, != (no modifier), in, intersects, and
 * = oneof/anyof, on a plain address field against constants. */
static bool fc_jit_addr_ok(const struct fc_node *n)
{
	enum fc_op op = n->check.op;
	enum fc_mod mod = n->check.mod;
	switch (op) {
	case FC_OP_IN:
	case FC_OP_INTERSECTS: /* rt_eval.c's cmp_value: any item, whatever the modifier */
		return true;
	case FC_OP_EQ:
	case FC_OP_EQEQ:
		return mod != FC_MOD_ALLOF;
	case FC_OP_NE:
		return mod == FC_MOD_NONE;
	default:
		return false;
	}
}

/* Address checks (fd.ip, fd.sip, fd.net, ...): the slot holds one or two addresses of one
 * family, compared inline with the constants masked to their prefixes (rt_eval.c's ip_in: a
 * constant of the other family never matches, an address constant is a /32 or /128), or,
 * for an `in` of more than FC_JIT_INLINE_SET constants, searched by rt_jit_addr_in. */
static void fc_jit_addr_check(struct fc_jit_fn *F, const struct fc_node *n,
			      const struct fc_str *items, size_t count, LLVMBasicBlockRef t,
			      LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	LLVMBuilderRef b = m->b;
	enum fc_op op = n->check.op;
	bool ne = op == FC_OP_NE;
	size_t nk = ne || (n->check.mod == FC_MOD_NONE && op != FC_OP_IN && op != FC_OP_INTERSECTS)
			    ? 1
			    : count;
	struct fc_jit_net *ks = malloc(nk * sizeof(*ks));
	if (!ks) {
		m->oom = true;
		LLVMBuildBr(b, f);
		return;
	}
	for (size_t i = 0; i < nk; i++)
		fc_jit_parse_net(items[i].s, &ks[i]);
	LLVMValueRef slot, kind, s, v;
	fc_jit_load_slot_at(F, n->check.lhs, &slot, &kind, &s, &v);
	LLVMValueRef nv = LLVMBuildLoad2(b, m->t_i32, LLVMBuildStructGEP2(b, m->t_slot, slot, 2, ""),
					 "n");
	LLVMBasicBlockRef b_4 = fc_jit_block(F, "ip4");
	LLVMBasicBlockRef b_6 = fc_jit_block(F, "ip6");
	LLVMBasicBlockRef b_gen = fc_jit_block(F, "other");
	LLVMValueRef sw = LLVMBuildSwitch(b, kind, b_gen, 3);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_IP4, 0), b_4);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_IP6, 0), b_6);
	LLVMAddCase(sw, LLVMConstInt(m->t_i32, FC_JIT_NA, 0), f);
	LLVMPositionBuilderAtEnd(b, b_gen);
	fc_jit_generic(F, n, t, f);
	if (ne && ks[0].bad) { /* rt_eval.c: a constant that does not parse is != every value */
		LLVMPositionBuilderAtEnd(b, b_4);
		LLVMBuildBr(b, t);
		LLVMPositionBuilderAtEnd(b, b_6);
		LLVMBuildBr(b, t);
		free(ks);
		return;
	}
	if (nk > FC_JIT_INLINE_SET) {
		qsort(ks, nk, sizeof(*ks), fc_jit_netent_order);
		LLVMValueRef *ents = malloc(nk * sizeof(*ents));
		if (!ents) {
			m->oom = true;
			free(ks);
			LLVMPositionBuilderAtEnd(b, b_4);
			LLVMBuildBr(b, f);
			LLVMPositionBuilderAtEnd(b, b_6);
			LLVMBuildBr(b, f);
			return;
		}
		size_t u = 0, last = 0;
		for (size_t i = 0; i < nk; i++) {
			if (ks[i].bad || (u && fc_jit_netent_order(&ks[last], &ks[i]) == 0))
				continue; /* equals nothing, or a duplicate */
			last = i;
			LLVMValueRef bytes[16];
			for (int j = 0; j < 16; j++)
				bytes[j] = LLVMConstInt(m->t_i8, ks[i].addr[j], 0);
			LLVMValueRef el[] = { LLVMConstArray2(m->t_i8, bytes, 16),
					      LLVMConstInt(m->t_i32, (unsigned)ks[i].fam, 0),
					      LLVMConstInt(m->t_i32, ks[i].bits, 0) };
			ents[u++] = LLVMConstNamedStruct(m->t_netent, el, 3);
		}
		LLVMValueRef g = fc_jit_const(m, "nets", LLVMConstArray2(m->t_netent, ents, u));
		free(ents);
		LLVMBasicBlockRef b_tab = fc_jit_block(F, "nets");
		LLVMPositionBuilderAtEnd(b, b_4);
		LLVMBuildBr(b, b_tab);
		LLVMPositionBuilderAtEnd(b, b_6);
		LLVMBuildBr(b, b_tab);
		LLVMPositionBuilderAtEnd(b, b_tab);
		LLVMValueRef args[] = { slot, g, LLVMConstInt(m->t_i64, u, 0) };
		LLVMValueRef r = LLVMBuildCall2(b, m->ht[FC_JH_rt_jit_addr_in],
						m->h[FC_JH_rt_jit_addr_in], args, 3, "in");
		LLVMBuildCondBr(b, r, t, f);
		free(ks);
		return;
	}
	LLVMPositionBuilderAtEnd(b, b_4);
	fc_jit_addr_ends(F, 4, slot, s, nv, ks, nk, ne, t, f);
	LLVMPositionBuilderAtEnd(b, b_6);
	fc_jit_addr_ends(F, 6, slot, s, nv, ks, nk, ne, t, f);
	free(ks);
}

/* evt.type = / != / in known event types: a switch on the event's type index. */
static bool fc_jit_evt_check(struct fc_jit_fn *F, const struct fc_node *n, const struct fc_str *items,
			     size_t count, LLVMBasicBlockRef t, LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	enum fc_op op = n->check.op;
	if (op != FC_OP_EQ && op != FC_OP_EQEQ && op != FC_OP_NE && op != FC_OP_IN &&
	    op != FC_OP_INTERSECTS)
		return false;
	size_t nk = op == FC_OP_IN || op == FC_OP_INTERSECTS ? count : 1;
	int *ks = malloc(nk * sizeof(*ks));
	if (!ks)
		return false;
	for (size_t i = 0; i < nk; i++) {
		ks[i] = fc_evttype_lookup(items[i].s, items[i].len);
		if (ks[i] < 0 || strlen(items[i].s) != items[i].len) {
			free(ks); /* a name no table entry has: compare names, generically */
			return false;
		}
	}
	bool ne = op == FC_OP_NE;
	LLVMValueRef sw = LLVMBuildSwitch(m->b, F->v_evt, ne ? t : f, (unsigned)nk + 1);
	if (ne) /* no type: false, whatever the operator */
		LLVMAddCase(sw, LLVMConstInt(m->t_i32, (uint64_t)-2, 1), f);
	for (size_t i = 0; i < nk; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= ks[j] == ks[i];
		if (!dup)
			LLVMAddCase(sw, LLVMConstInt(m->t_i32, (uint64_t)ks[i], 1), ne ? f : t);
	}
	free(ks);
	return true;
}

static void fc_jit_check(struct fc_jit_fn *F, const struct fc_node *n, LLVMBasicBlockRef t,
			 LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	const struct fc_expr *lhs = n->check.lhs;
	enum fc_op op = n->check.op;
	const struct fc_value *rhs = n->check.rhs;
	if (!lhs) {
		fc_jit_generic(F, n, t, f);
		return;
	}
	if (op == FC_OP_EXISTS) {
		if (lhs->kind != FC_EXPR_FIELD || !lhs->field.field) {
			fc_jit_generic(F, n, t, f);
			return;
		}
		LLVMValueRef kind;
		fc_jit_load_slot(F, lhs, &kind, NULL, NULL);
		LLVMValueRef na = LLVMBuildICmp(m->b, LLVMIntEQ, kind,
						LLVMConstInt(m->t_i32, FC_JIT_NA, 0), "na");
		LLVMBuildCondBr(m->b, na, f, t);
		return;
	}
	if (rhs && rhs->kind == FC_VAL_EXPR) {
		fc_jit_generic(F, n, t, f);
		return;
	}
	size_t count;
	const struct fc_str *items = fc_jit_items(n, &count);
	if (count == 0) { /* no constant: the interpreter says false, whatever the value */
		LLVMBuildBr(m->b, f);
		return;
	}
	if (!fc_jit_plain_field(lhs)) {
		fc_jit_generic(F, n, t, f);
		return;
	}
	if (lhs->field.field->id == FC_FIELD_EVT_TYPE && !lhs->field.arg &&
	    n->check.mod == FC_MOD_NONE && fc_jit_evt_check(F, n, items, count, t, f))
		return;
	enum fc_type_class cls = fc_type_class(lhs->type);
	if (cls == FC_CLASS_STRING && fc_jit_is_str_op(op) &&
	    !(op == FC_OP_NE && n->check.mod != FC_MOD_NONE)) {
		fc_jit_str_check(F, n, items, count, t, f);
		return;
	}
	if (cls == FC_CLASS_STRING && op == FC_OP_PMATCH) {
		fc_jit_pmatch_check(F, n, items, count, t, f);
		return;
	}
	if ((cls == FC_CLASS_NUMBER || cls == FC_CLASS_BOOL) && lhs->type != FC_T_DOUBLE &&
	    fc_jit_is_num_op(op) && n->check.mod == FC_MOD_NONE) {
		size_t nk = op == FC_OP_IN || op == FC_OP_INTERSECTS ? count : 1;
		uint64_t *ks = malloc(nk * sizeof(*ks));
		bool *kneg = malloc(nk * sizeof(*kneg));
		bool ok = ks && kneg;
		for (size_t i = 0; ok && i < nk; i++) {
			if (cls == FC_CLASS_BOOL) {
				/* rt_eval.c: "true" or "false"; anything else never equals */
				ok = strcmp(items[i].s, "true") == 0 || strcmp(items[i].s, "false") == 0;
				ks[i] = items[i].s[0] == 't';
				kneg[i] = false;
			} else {
				ok = fc_jit_parse_int(items[i].s, &ks[i], &kneg[i]);
			}
		}
		if (ok && (cls == FC_CLASS_NUMBER || op == FC_OP_EQ || op == FC_OP_EQEQ ||
			   op == FC_OP_NE || op == FC_OP_IN || op == FC_OP_INTERSECTS))
			fc_jit_num_check(F, n, ks, kneg, count, t, f);
		else
			fc_jit_generic(F, n, t, f);
		free(ks);
		free(kneg);
		return;
	}
	if ((cls == FC_CLASS_IPADDR || cls == FC_CLASS_IPNET) && fc_jit_addr_ok(n)) {
		fc_jit_addr_check(F, n, items, count, t, f);
		return;
	}
	fc_jit_generic(F, n, t, f);
}

/* The relative cost of evaluating n, for ordering the operands of and/or: a switch on the
 * event type is nearly free, a check with an inline fast path reads a slot, and a check that
 * goes to the interpreter (regexes, globs, addresses, pmatch, ...) costs far more. */
static unsigned fc_jit_cost(const struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR: {
		unsigned c = fc_jit_cost(n->bin.l) + fc_jit_cost(n->bin.r) / 2;
		return c > 4096 ? 4096 : c;
	}
	case FC_NODE_NOT:
		return fc_jit_cost(n->operand);
	case FC_NODE_CHECK:
		break;
	default:
		return 0;
	}
	const struct fc_expr *lhs = n->check.lhs;
	enum fc_op op = n->check.op;
	const struct fc_value *rhs = n->check.rhs;
	if (!lhs || (rhs && rhs->kind == FC_VAL_EXPR))
		return 64;
	if (op == FC_OP_EXISTS)
		return lhs->kind == FC_EXPR_FIELD && lhs->field.field ? 4 : 64;
	size_t count;
	fc_jit_items(n, &count);
	if (count == 0)
		return 0;
	if (!fc_jit_plain_field(lhs))
		return 64;
	if (lhs->field.field->id == FC_FIELD_EVT_TYPE && !lhs->field.arg &&
	    n->check.mod == FC_MOD_NONE)
		return 1;
	enum fc_type_class cls = fc_type_class(lhs->type);
	if (cls == FC_CLASS_STRING && fc_jit_is_str_op(op) &&
	    !(op == FC_OP_NE && n->check.mod != FC_MOD_NONE))
		return op == FC_OP_CONTAINS ? 8 : 4;
	if (cls == FC_CLASS_STRING && op == FC_OP_PMATCH)
		return 8;
	if ((cls == FC_CLASS_NUMBER || cls == FC_CLASS_BOOL) && lhs->type != FC_T_DOUBLE &&
	    fc_jit_is_num_op(op) && n->check.mod == FC_MOD_NONE)
		return 4;
	if ((cls == FC_CLASS_IPADDR || cls == FC_CLASS_IPNET) && fc_jit_addr_ok(n))
		return 4;
	return op == FC_OP_REGEX || op == FC_OP_GLOB || op == FC_OP_IGLOB ? 128 : 64;
}

/* The operands of a chain of `kind` (and, or), flattened, into ops (cap entries). Returns how
 * many there are, or 0 when more than cap (then the chain is lowered as written). */

/* --- shared subtrees ------------------------------------------------------------------------ */

/* Subtrees that occur at least twice and weigh at least this much (fc_jit_scan: about the
 * number of compares they lower to, over four) are compiled once. Measured on the upstream
 * rules (docs/jit.md): 4 cuts the compile time by a third at no cost in speed. */
#define FC_JIT_SHARE_MIN_WEIGHT 4

static uint64_t fc_jit_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t fc_jit_hash_bytes(uint64_t h, const char *p, size_t n)
{
	uint64_t x = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		x = (x ^ (uint8_t)p[i]) * 0x100000001b3ull;
	return fc_jit_mix(h, x ^ n);
}

static uint64_t fc_jit_hash_str(uint64_t h, const struct fc_str *a)
{
	return a ? fc_jit_hash_bytes(fc_jit_mix(h, a->quoted), a->s, a->len) : fc_jit_mix(h, 7);
}

static uint64_t fc_jit_hash_expr(uint64_t h, const struct fc_expr *e)
{
	if (!e)
		return fc_jit_mix(h, 11);
	h = fc_jit_mix(fc_jit_mix(fc_jit_mix(h, e->kind), e->type), e->list);
	switch (e->kind) {
	case FC_EXPR_FIELD:
		h = fc_jit_mix(fc_jit_mix(h, (uintptr_t)e->field.field), (uintptr_t)e->field.name);
		return fc_jit_hash_str(h, e->field.arg);
	case FC_EXPR_TRANSFORM:
		h = fc_jit_mix(fc_jit_mix(h, (uintptr_t)e->xf.name), (uint64_t)e->xf.nargs);
		for (int i = 0; i < e->xf.nargs; i++)
			h = fc_jit_hash_expr(h, e->xf.args[i]);
		return h;
	case FC_EXPR_LITERAL:
		return fc_jit_hash_str(h, &e->lit);
	}
	return h;
}

static uint64_t fc_jit_hash_value(uint64_t h, const struct fc_value *v)
{
	if (!v)
		return fc_jit_mix(h, 13);
	h = fc_jit_hash_str(fc_jit_mix(h, v->kind), &v->scalar);
	h = fc_jit_mix(h, v->nitems);
	for (size_t i = 0; i < v->nitems; i++)
		h = fc_jit_hash_str(h, &v->items[i]);
	return v->kind == FC_VAL_EXPR ? fc_jit_hash_expr(h, v->expr) : h;
}

static bool fc_jit_str_eq(const struct fc_str *a, const struct fc_str *b)
{
	if (!a || !b)
		return a == b;
	return a->len == b->len && a->quoted == b->quoted &&
	       (a->len == 0 || memcmp(a->s, b->s, a->len) == 0); /* s may be NULL when empty */
}

static bool fc_jit_expr_eq(const struct fc_expr *a, const struct fc_expr *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->type != b->type || a->list != b->list)
		return false;
	switch (a->kind) {
	case FC_EXPR_FIELD:
		return a->field.field == b->field.field && a->field.name == b->field.name &&
		       fc_jit_str_eq(a->field.arg, b->field.arg);
	case FC_EXPR_TRANSFORM:
		if (a->xf.name != b->xf.name || a->xf.nargs != b->xf.nargs)
			return false;
		for (int i = 0; i < a->xf.nargs; i++)
			if (!fc_jit_expr_eq(a->xf.args[i], b->xf.args[i]))
				return false;
		return true;
	case FC_EXPR_LITERAL:
		return fc_jit_str_eq(&a->lit, &b->lit);
	}
	return false;
}

static bool fc_jit_value_eq(const struct fc_value *a, const struct fc_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->nitems != b->nitems || !fc_jit_str_eq(&a->scalar, &b->scalar))
		return false;
	for (size_t i = 0; i < a->nitems; i++)
		if (!fc_jit_str_eq(&a->items[i], &b->items[i]))
			return false;
	return a->kind != FC_VAL_EXPR || fc_jit_expr_eq(a->expr, b->expr);
}

/* Two conditions that lower to the same code: the same tree, checks and constants. */
static bool fc_jit_node_eq(const struct fc_node *a, const struct fc_node *b)
{
	if (a == b)
		return true;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		return fc_jit_node_eq(a->bin.l, b->bin.l) && fc_jit_node_eq(a->bin.r, b->bin.r);
	case FC_NODE_NOT:
		return fc_jit_node_eq(a->operand, b->operand);
	case FC_NODE_CHECK:
		return a->check.op == b->check.op && a->check.mod == b->check.mod &&
		       fc_jit_expr_eq(a->check.lhs, b->check.lhs) &&
		       fc_jit_value_eq(a->check.rhs, b->check.rhs);
	case FC_NODE_BOOL:
		return a->value == b->value;
	case FC_NODE_IDENT:
	case FC_NODE_POISON:
		return false;
	}
	return false;
}

static struct fc_jit_nodeinfo *fc_jit_ni_slot(struct fc_jit_syms *sy, const struct fc_node *n)
{
	size_t mask = sy->nicap - 1;
	size_t i = (((uintptr_t)n >> 4) * 0x9e3779b97f4a7c15ull) & mask;
	while (sy->ni[i].n && sy->ni[i].n != n)
		i = (i + 1) & mask;
	return &sy->ni[i];
}

static struct fc_jit_nodeinfo *fc_jit_ni_get(struct fc_jit_syms *sy, const struct fc_node *n)
{
	if (!sy->nicap)
		return NULL;
	struct fc_jit_nodeinfo *e = fc_jit_ni_slot(sy, n);
	return e->n ? e : NULL;
}

static size_t fc_jit_count_nodes(const struct fc_node *n)
{
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		return 1 + fc_jit_count_nodes(n->bin.l) + fc_jit_count_nodes(n->bin.r);
	case FC_NODE_NOT:
		return 1 + fc_jit_count_nodes(n->operand);
	case FC_NODE_CHECK:
		return 1;
	default:
		return 0;
	}
}

/* Hashes n, records its and/or/not nodes and heavy checks in sy->ni, and counts the
 * occurrences of each distinct subtree of weight FC_JIT_SHARE_MIN_WEIGHT or more in
 * sy->shares. Returns n's hash and its weight in *weight: one per check, plus one per four
 * constants up to the inline limit (a larger set is a table). */
static uint64_t fc_jit_scan(struct fc_jit_syms *sy, const struct fc_node *n, unsigned *weight)
{
	uint64_t h = fc_jit_mix(0x51ed27, n->kind);
	unsigned c = 0, c2 = 0;
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		h = fc_jit_mix(h, fc_jit_scan(sy, n->bin.l, &c));
		h = fc_jit_mix(h, fc_jit_scan(sy, n->bin.r, &c2));
		c += c2;
		break;
	case FC_NODE_NOT:
		h = fc_jit_mix(h, fc_jit_scan(sy, n->operand, &c));
		break;
	case FC_NODE_CHECK: {
		h = fc_jit_mix(fc_jit_mix(h, n->check.op), n->check.mod);
		h = fc_jit_hash_value(fc_jit_hash_expr(h, n->check.lhs), n->check.rhs);
		/* a check weighs one, plus one per four constants up to the inline limit */
		size_t items;
		fc_jit_items(n, &items);
		c = 1 + (unsigned)(items > FC_JIT_INLINE_SET ? FC_JIT_INLINE_SET : items) / 4;
		if (c < FC_JIT_SHARE_MIN_WEIGHT) {
			*weight = c;
			return h;
		}
		break;
	}
	case FC_NODE_BOOL:
		*weight = 0;
		return fc_jit_mix(h, n->value);
	default: /* never equal to anything: a unique hash */
		*weight = 0;
		return fc_jit_mix(h, (uintptr_t)n);
	}
	*weight = c;
	struct fc_jit_nodeinfo *e = fc_jit_ni_slot(sy, n);
	if (e->n) { /* the same node in two places: one more occurrence */
		if (e->share >= 0)
			sy->shares[e->share].count++;
		return e->hash;
	}
	*e = (struct fc_jit_nodeinfo){ n, h, c, -1 };
	if (c < FC_JIT_SHARE_MIN_WEIGHT)
		return h;
	/* the share with this hash and tree, by open addressing on the hash */
	size_t mask = sy->nicap - 1, i = h & mask;
	for (; sy->shix[i] >= 0; i = (i + 1) & mask) {
		struct fc_jit_share *x = &sy->shares[sy->shix[i]];
		if (x->hash == h && fc_jit_node_eq(x->n, n)) {
			x->count++;
			e->share = sy->shix[i];
			return h;
		}
	}
	if (sy->nshares == sy->sharecap) {
		size_t cap = sy->sharecap ? sy->sharecap * 2 : 64;
		struct fc_jit_share *a = realloc(sy->shares, cap * sizeof(*a));
		if (!a) {
			sy->oom = true;
			return h;
		}
		sy->shares = a;
		sy->sharecap = cap;
	}
	sy->shares[sy->nshares] = (struct fc_jit_share){ h, n, 1, -1 };
	sy->shix[i] = (int)sy->nshares;
	e->share = (int)sy->nshares++;
	return h;
}

/* Finds the subtrees the n conditions share. Without memory, nothing is shared. */
static void fc_jit_share_scan(struct fc_jit_syms *sy, const struct fc_node *const *conds,
			      size_t n)
{
	size_t nodes = 0;
	for (size_t i = 0; i < n; i++)
		nodes += fc_jit_count_nodes(conds[i]);
	size_t cap = 64;
	while (cap < 2 * nodes)
		cap *= 2;
	sy->ni = calloc(cap, sizeof(*sy->ni));
	sy->shix = malloc(cap * sizeof(*sy->shix));
	if (!sy->ni || !sy->shix) {
		free(sy->ni);
		free(sy->shix);
		sy->ni = NULL;
		sy->shix = NULL;
		return;
	}
	memset(sy->shix, 0xff, cap * sizeof(*sy->shix)); /* -1: empty */
	sy->nicap = cap;
	for (size_t i = 0; i < n; i++) {
		unsigned c;
		fc_jit_scan(sy, conds[i], &c);
	}
}

/* The share n is an occurrence of, when it is compiled as a function: -1 if not. */
static int fc_jit_shared(const struct fc_jit_fn *F, const struct fc_node *n)
{
	if (n == F->self || n->kind == FC_NODE_BOOL || n->kind == FC_NODE_IDENT ||
	    n->kind == FC_NODE_POISON)
		return -1;
	const struct fc_jit_nodeinfo *e = fc_jit_ni_get(F->m->sy, n);
	if (!e || e->share < 0 || F->m->sy->shares[e->share].count < 2)
		return -1;
	return e->share;
}

/* The operands of the and/or chain rooted at n; a shared subtree below the root is one
 * operand (a call). */
static size_t fc_jit_chain(const struct fc_jit_fn *F, const struct fc_node *n,
			   enum fc_node_kind kind, const struct fc_node **ops, size_t cap, size_t k,
			   bool root)
{
	if (n->kind != kind || (!root && fc_jit_shared(F, n) >= 0)) {
		if (k >= cap)
			return 0;
		ops[k] = n;
		return k + 1;
	}
	k = fc_jit_chain(F, n->bin.l, kind, ops, cap, k, false);
	return k ? fc_jit_chain(F, n->bin.r, kind, ops, cap, k, false) : 0;
}

static void fc_jit_cond(struct fc_jit_fn *F, const struct fc_node *n, LLVMBasicBlockRef t,
			LLVMBasicBlockRef f);

/* An and/or chain with its operands in order of cost, cheapest first (stable: equal costs keep
 * the rule's order). The operands are checks on the current event and have no effect but
 * their verdict (a missing value makes a check false, not an error; extraction is cached and
 * pure), so `a and b` and `b and a` agree on every event; only the work done differs. */
static bool fc_jit_cond_chain(struct fc_jit_fn *F, const struct fc_node *n, LLVMBasicBlockRef t,
			      LLVMBasicBlockRef f)
{
	const struct fc_node *ops[64];
	unsigned cost[64];
	size_t k = fc_jit_chain(F, n, n->kind, ops, 64, 0, true);
	if (k < 2)
		return false;
	for (size_t i = 0; i < k; i++) {
		cost[i] = fc_jit_cost(ops[i]) >= 64; /* only interpreter-bound work moves */
		for (size_t j = i; j > 0 && cost[j - 1] > cost[j]; j--) {
			const struct fc_node *on = ops[j];
			unsigned oc = cost[j];
			ops[j] = ops[j - 1];
			cost[j] = cost[j - 1];
			ops[j - 1] = on;
			cost[j - 1] = oc;
		}
	}
	bool and = n->kind == FC_NODE_AND;
	for (size_t i = 0; i < k; i++) {
		if (i + 1 == k) {
			fc_jit_cond(F, ops[i], t, f);
			break;
		}
		LLVMBasicBlockRef b_next = fc_jit_block(F, and ? "and.rhs" : "or.rhs");
		if (and)
			fc_jit_cond(F, ops[i], b_next, f);
		else
			fc_jit_cond(F, ops[i], t, b_next);
		LLVMPositionBuilderAtEnd(F->m->b, b_next);
	}
	return true;
}

static LLVMValueRef fc_jit_function(struct fc_jit_mod *m, const struct fc_node *cond,
				    const char *name, const struct fc_node *self);

/* A call of shared subtree sh's function, branching on its verdict; the function is defined
 * in this module at its first use anywhere, and declared in the others. */
static void fc_jit_call_shared(struct fc_jit_fn *F, int sh, LLVMBasicBlockRef t,
			       LLVMBasicBlockRef f)
{
	struct fc_jit_mod *m = F->m;
	struct fc_jit_share *s = &m->sy->shares[sh];
	char name[32];
	if (s->sub < 0) {
		s->sub = (int)m->sy->nsubs++;
		snprintf(name, sizeof(name), "sub.%d", s->sub);
		LLVMBasicBlockRef here = LLVMGetInsertBlock(m->b);
		fc_jit_function(m, s->n, name, s->n);
		LLVMPositionBuilderAtEnd(m->b, here);
	}
	snprintf(name, sizeof(name), "sub.%d", s->sub);
	LLVMValueRef fn = LLVMGetNamedFunction(m->mod, name);
	if (!fn)
		fn = fc_jit_pred_decl(m, name);
	LLVMValueRef args[] = { F->v_env, F->v_evt };
	LLVMValueRef r = LLVMBuildCall2(m->b, m->t_pred, fn, args, 2, "shared");
	LLVMBuildCondBr(m->b, r, t, f);
}

/* Lowers n as control flow: to t when it holds, to f when not. */
static void fc_jit_cond(struct fc_jit_fn *F, const struct fc_node *n, LLVMBasicBlockRef t,
			LLVMBasicBlockRef f)
{
	LLVMBuilderRef b = F->m->b;
	int sh = fc_jit_shared(F, n);
	if (sh >= 0) {
		fc_jit_call_shared(F, sh, t, f);
		return;
	}
	switch (n->kind) {
	case FC_NODE_AND: {
		if (fc_jit_cond_chain(F, n, t, f))
			return;
		LLVMBasicBlockRef b_rhs = fc_jit_block(F, "and.rhs");
		fc_jit_cond(F, n->bin.l, b_rhs, f);
		LLVMPositionBuilderAtEnd(b, b_rhs);
		fc_jit_cond(F, n->bin.r, t, f);
		return;
	}
	case FC_NODE_OR: {
		if (fc_jit_cond_chain(F, n, t, f))
			return;
		LLVMBasicBlockRef b_rhs = fc_jit_block(F, "or.rhs");
		fc_jit_cond(F, n->bin.l, t, b_rhs);
		LLVMPositionBuilderAtEnd(b, b_rhs);
		fc_jit_cond(F, n->bin.r, t, f);
		return;
	}
	case FC_NODE_NOT:
		fc_jit_cond(F, n->operand, f, t);
		return;
	case FC_NODE_CHECK:
		fc_jit_check(F, n, t, f);
		return;
	case FC_NODE_BOOL:
		LLVMBuildBr(b, n->value ? t : f);
		return;
	case FC_NODE_IDENT:
	case FC_NODE_POISON:
		LLVMBuildBr(b, f);
		return;
	}
}

/* Defines (cond) the function `name`, i1 (env, evt), lowering cond into it: a rule's
 * condition, or the shared subtree self (which is then not a call of itself). */
static LLVMValueRef fc_jit_function(struct fc_jit_mod *m, const struct fc_node *cond,
				    const char *name, const struct fc_node *self)
{
	struct fc_jit_fn F = { .m = m, .self = self };
	F.fn = fc_jit_pred_decl(m, name);
	F.v_env = LLVMGetParam(F.fn, 0);
	F.v_evt = LLVMGetParam(F.fn, 1);
	LLVMSetValueName2(F.v_env, "env", 3);
	LLVMSetValueName2(F.v_evt, "evt", 3);
	LLVMBasicBlockRef b_entry = fc_jit_block(&F, "entry");
	LLVMBasicBlockRef b_true = fc_jit_block(&F, "true");
	LLVMBasicBlockRef b_false = fc_jit_block(&F, "false");
	LLVMPositionBuilderAtEnd(m->b, b_true);
	LLVMBuildRet(m->b, LLVMConstInt(m->t_i1, 1, 0));
	LLVMPositionBuilderAtEnd(m->b, b_false);
	LLVMBuildRet(m->b, LLVMConstInt(m->t_i1, 0, 0));
	LLVMPositionBuilderAtEnd(m->b, b_entry);
	fc_jit_cond(&F, cond, b_true, b_false);
	/* keep true/false last, for reading */
	if (LLVMGetLastBasicBlock(F.fn) != b_true)
		LLVMMoveBasicBlockAfter(b_true, LLVMGetLastBasicBlock(F.fn));
	LLVMMoveBasicBlockAfter(b_false, b_true);
	m->ninsts += fc_jit_count_insts(F.fn);
	return F.fn;
}

/* --- optimisation and code generation -------------------------------------------------------- */

static int fc_jit_init_llvm(char *err, size_t errlen)
{
	static int done, rc;
	if (done)
		return rc;
	done = 1;
	if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) {
		fc_jit_errf(err, errlen, "LLVM has no native target for this host");
		rc = -1;
	}
	return rc;
}

/* A target machine for this host at opt; portable: for this architecture's baseline CPU
 * (fc_jit_emit: code that runs on any machine of the architecture, the same bytes wherever
 * it is compiled). */
static LLVMTargetMachineRef fc_jit_tm(int opt, bool portable, char *err, size_t errlen)
{
	char *triple = LLVMGetDefaultTargetTriple();
	LLVMTargetRef target;
	char *msg = NULL;
	if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
		fc_jit_errf(err, errlen, "no LLVM target for %s: %s", triple, msg ? msg : "?");
		LLVMDisposeMessage(msg);
		LLVMDisposeMessage(triple);
		return NULL;
	}
	char *cpu = portable ? LLVMCreateMessage(FC_JIT_PORTABLE_CPU) : LLVMGetHostCPUName();
	char *features = portable ? LLVMCreateMessage("") : LLVMGetHostCPUFeatures();
	LLVMCodeGenOptLevel level = opt <= 0 ? LLVMCodeGenLevelNone
				    : opt == 1 ? LLVMCodeGenLevelLess
				    : opt == 2 ? LLVMCodeGenLevelDefault
					       : LLVMCodeGenLevelAggressive;
	LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, level,
							  LLVMRelocPIC, LLVMCodeModelSmall);
	LLVMDisposeMessage(cpu);
	LLVMDisposeMessage(features);
	LLVMDisposeMessage(triple);
	if (!tm)
		fc_jit_errf(err, errlen, "cannot create an LLVM target machine for this host");
	return tm;
}

static int fc_jit_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt, char *err,
			   size_t errlen)
{
	char *msg = NULL;
	if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
		fc_jit_errf(err, errlen, "invalid IR: %s", msg ? msg : "?");
		LLVMDisposeMessage(msg);
		return -1;
	}
	LLVMDisposeMessage(msg);
	if (opt <= 0)
		return 0;
	char pipeline[64];
	if (opt == 1) /* what the lowering leaves to do: allocas to registers, peepholes */
		snprintf(pipeline, sizeof(pipeline), "function(mem2reg,instcombine,simplifycfg)");
	else
		snprintf(pipeline, sizeof(pipeline), "default<O%d>", opt > 3 ? 3 : opt);
	LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
	LLVMErrorRef e = LLVMRunPasses(mod, pipeline, tm, po);
	LLVMDisposePassBuilderOptions(po);
	if (e) {
		fc_jit_llvm_err(e, "optimising", err, errlen);
		return -1;
	}
	return 0;
}

static double fc_jit_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The number of modules (and threads) to compile n conditions in: as many as asked, or one
 * per online CPU with no more than one per FC_JIT_MIN_PER_PART conditions; at most
 * FC_JIT_MAX_PARTS, and at most one per condition. */
static unsigned fc_jit_parts(const struct fc_jit_options *o, size_t n)
{
	size_t k;
	if (o && o->threads > 0) {
		k = (size_t)o->threads;
	} else {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		k = cpus < 1 ? 1 : (size_t)cpus;
		if (k > n / FC_JIT_MIN_PER_PART)
			k = n / FC_JIT_MIN_PER_PART;
	}
	if (k > FC_JIT_MAX_PARTS)
		k = FC_JIT_MAX_PARTS;
	if (k > n)
		k = n;
	return k < 1 ? 1 : (unsigned)k;
}

/* One module's optimisation and code generation, on its own thread with its own context and
 * target machine (LLVM compiles independent contexts concurrently). */
struct fc_jit_part {
	struct fc_jit_mod m;
	LLVMContextRef ctx;
	LLVMTargetMachineRef tm;
	int opt;
	LLVMMemoryBufferRef obj; /* the emitted ELF object */
	int rc;
	char err[256];
	pthread_t thread;
	bool threaded;
};

static void *fc_jit_part_run(void *arg)
{
	struct fc_jit_part *p = arg;
	p->rc = fc_jit_optimize(p->m.mod, p->tm, p->opt, p->err, sizeof(p->err));
	if (p->rc != 0)
		return NULL;
	char *msg = NULL;
	if (LLVMTargetMachineEmitToMemoryBuffer(p->tm, p->m.mod, LLVMObjectFile, &msg, &p->obj)) {
		fc_jit_errf(p->err, sizeof(p->err), "emitting code: %s", msg ? msg : "?");
		p->obj = NULL;
		p->rc = -1;
	}
	LLVMDisposeMessage(msg);
	return NULL;
}

static void fc_jit_part_fini(struct fc_jit_part *p)
{
	fc_jit_mod_fini(&p->m);
	if (p->m.mod)
		LLVMDisposeModule(p->m.mod);
	if (p->ctx)
		LLVMContextDispose(p->ctx);
	if (p->tm)
		LLVMDisposeTargetMachine(p->tm);
	if (p->obj)
		LLVMDisposeMemoryBuffer(p->obj);
	memset(p, 0, sizeof(*p));
}

/* Sets m's data layout and triple to tm's. */
static void fc_jit_mod_target(struct fc_jit_mod *m, LLVMTargetMachineRef tm)
{
	LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
	m->big_endian = LLVMByteOrder(td) == LLVMBigEndian;
	char *dl = LLVMCopyStringRepOfTargetData(td);
	LLVMSetDataLayout(m->mod, dl);
	LLVMDisposeMessage(dl);
	LLVMDisposeTargetData(td);
	char *triple = LLVMGetTargetMachineTriple(tm);
	LLVMSetTarget(m->mod, triple);
	LLVMDisposeMessage(triple);
}

/* What fc_jit_compile and fc_jit_emit share: the symbols and the modules, built. */
struct fc_jit_build {
	struct fc_jit_syms sy;
	struct fc_jit_part *parts;
	unsigned np;
};

static void fc_jit_build_fini(struct fc_jit_build *B)
{
	for (unsigned k = 0; B->parts && k < B->np; k++)
		fc_jit_part_fini(&B->parts[k]);
	free(B->parts);
	fc_jit_syms_fini(&B->sy);
}

/* Builds np modules at opt (target machines portable or for this host): the shared
 * symbols, slots and subtrees, and each condition into the smallest module so far. */
static int fc_jit_build_parts(struct fc_jit_build *B, const struct fc_node *const *conds,
			      size_t n, int opt, unsigned np, bool portable, char *err,
			      size_t errlen)
{
	B->np = np;
	B->parts = calloc(np, sizeof(*B->parts));
	if (!B->parts) {
		fc_jit_errf(err, errlen, "out of memory");
		return -1;
	}
	fc_jit_share_scan(&B->sy, conds, n);
	for (unsigned k = 0; k < np; k++) {
		struct fc_jit_part *p = &B->parts[k];
		p->opt = opt;
		p->tm = fc_jit_tm(opt, portable, err, errlen);
		if (!p->tm)
			return -1;
		p->ctx = LLVMContextCreate();
		char name[32];
		snprintf(name, sizeof(name), "falcoc.rules.%u", k);
		fc_jit_mod_init(&p->m, &B->sy, p->ctx, name);
		fc_jit_mod_target(&p->m, p->tm);
	}
	for (size_t i = 0; i < n; i++) {
		struct fc_jit_part *p = &B->parts[0];
		for (unsigned k = 1; k < np; k++)
			if (B->parts[k].m.ninsts < p->m.ninsts)
				p = &B->parts[k];
		char name[32];
		snprintf(name, sizeof(name), "rule.%zu", i);
		fc_jit_function(&p->m, conds[i], name, NULL);
	}
	for (unsigned k = 0; k < np; k++)
		B->sy.oom |= B->parts[k].m.oom;
	if (B->sy.oom) {
		fc_jit_errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Optimises and emits each module on its own thread (the last on this one). */
static int fc_jit_codegen(struct fc_jit_build *B, char *err, size_t errlen)
{
	struct fc_jit_part *parts = B->parts;
	unsigned np = B->np;
	for (unsigned k = 0; k + 1 < np; k++)
		parts[k].threaded =
			pthread_create(&parts[k].thread, NULL, fc_jit_part_run, &parts[k]) == 0;
	for (unsigned k = 0; k < np; k++)
		if (!parts[k].threaded)
			fc_jit_part_run(&parts[k]);
	for (unsigned k = 0; k < np; k++)
		if (parts[k].threaded)
			pthread_join(parts[k].thread, NULL);
	for (unsigned k = 0; k < np; k++)
		if (parts[k].rc != 0) {
			fc_jit_errf(err, errlen, "%s", parts[k].err);
			return -1;
		}
	return 0;
}

/* --- objects compiled ahead of time (fc_jit_emit) ------------------------------------------ */

/* What code compiled ahead of time depends on beyond the conditions: the names it refers to
 * (checks, fields, shared subtrees) and the slots. Bump FC_JIT_LOWERING_VERSION whenever the
 * lowering changes what code it makes for a condition. */
#define FC_JIT_LOWERING_VERSION 1
#define FC_JIT_BLOB_MAGIC "FCJITOBJ"
#define FC_JIT_BLOB_VERSION 1
#define FC_JIT_EMIT_PARTS 2

static void fc_jit_fingerprint(const struct fc_jit_syms *sy, size_t n, uint8_t out[32])
{
	size_t cap = 256, len = 0;
	for (size_t i = 0; i < sy->nabs; i++)
		cap += strlen(sy->abs[i].name) + 1;
	char *buf = malloc(cap);
	if (!buf) {
		memset(out, 0, 32);
		return;
	}
	len = (size_t)snprintf(buf, cap, "falcoc jit lowering %d: %zu conditions, %zu slots, %u "
					 "checks, %u subtrees\n",
			       FC_JIT_LOWERING_VERSION, n, sy->nkeys, sy->nchecks, sy->nsubs);
	for (size_t i = 0; i < sy->nabs; i++) {
		if (sy->abs[i].callable) /* helpers and fills: resolved by name at link time */
			continue;
		size_t l = strlen(sy->abs[i].name);
		memcpy(buf + len, sy->abs[i].name, l);
		len += l;
		buf[len++] = '\n';
	}
	fc_sha256(buf, len, out);
	free(buf);
}

static void fc_jit_put(uint8_t **p, const void *src, size_t n)
{
	memcpy(*p, src, n);
	*p += n;
}

static void fc_jit_put_pad(uint8_t **p, size_t n)
{
	size_t pad = (8 - n % 8) % 8;
	memset(*p, 0, pad);
	*p += pad;
}

int fc_jit_emit(const struct fc_node *const *conds, size_t n, int opt_level, uint8_t **out,
		size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	*outlen = 0;
	if (fc_jit_init_llvm(err, errlen) != 0)
		return -1;
	int opt = opt_level >= 0 ? opt_level : FC_JIT_DEFAULT_OPT;
	unsigned np = n < FC_JIT_EMIT_PARTS ? (n ? (unsigned)n : 1) : FC_JIT_EMIT_PARTS;
	struct fc_jit_build B = { .sy = { .all_fills = true } };
	int rc = -1;
	char *triple = NULL;
	if (fc_jit_build_parts(&B, conds, n, opt, np, true, err, errlen) != 0 ||
	    fc_jit_codegen(&B, err, errlen) != 0)
		goto done;
	uint8_t fp[32];
	fc_jit_fingerprint(&B.sy, n, fp);
	triple = LLVMGetTargetMachineTriple(B.parts[0].tm);
	uint32_t tl = (uint32_t)strlen(triple);
	size_t size = 8 + 4 + 4 + 8 + 32 + 4 + tl + 8;
	for (unsigned k = 0; k < np; k++)
		size += 8 + LLVMGetBufferSize(B.parts[k].obj) + 8;
	uint8_t *blob = calloc(1, size), *p = blob;
	if (!blob) {
		fc_jit_errf(err, errlen, "out of memory");
		goto done;
	}
	uint32_t ver = FC_JIT_BLOB_VERSION, nobj = np;
	uint64_t nc = n;
	fc_jit_put(&p, FC_JIT_BLOB_MAGIC, 8);
	fc_jit_put(&p, &ver, 4); /* little-endian hosts only: x86-64, the capture's */
	fc_jit_put(&p, &nobj, 4);
	fc_jit_put(&p, &nc, 8);
	fc_jit_put(&p, fp, 32);
	fc_jit_put(&p, &tl, 4);
	fc_jit_put(&p, triple, tl);
	fc_jit_put_pad(&p, 4 + tl);
	for (unsigned k = 0; k < np; k++) {
		uint64_t ol = LLVMGetBufferSize(B.parts[k].obj);
		fc_jit_put(&p, &ol, 8);
		fc_jit_put(&p, LLVMGetBufferStart(B.parts[k].obj), ol);
		fc_jit_put_pad(&p, ol);
	}
	*out = blob;
	*outlen = (size_t)(p - blob);
	rc = 0;
done:
	LLVMDisposeMessage(triple);
	fc_jit_build_fini(&B);
	return rc;
}

static bool fc_jit_get_bytes(const uint8_t **p, const uint8_t *end, void *dst, size_t n)
{
	if ((size_t)(end - *p) < n)
		return false;
	memcpy(dst, *p, n);
	*p += n;
	return true;
}

/* The objects of blob, checked against this build (fingerprint) and this host (triple), as
 * memory buffers into objs[0..*nobj). -1 with the reason in err. */
static int fc_jit_blob_objects(const void *blob, size_t len, const struct fc_jit_syms *sy,
			       size_t n, LLVMMemoryBufferRef **objs, unsigned *nobj, char *err,
			       size_t errlen)
{
	const uint8_t *p = blob, *end = p + len;
	char magic[8];
	uint32_t ver, no, tl;
	uint64_t nc;
	uint8_t fp[32], want[32];
	if (!fc_jit_get_bytes(&p, end, magic, 8) || memcmp(magic, FC_JIT_BLOB_MAGIC, 8) != 0 ||
	    !fc_jit_get_bytes(&p, end, &ver, 4) || !fc_jit_get_bytes(&p, end, &no, 4) ||
	    !fc_jit_get_bytes(&p, end, &nc, 8) || !fc_jit_get_bytes(&p, end, fp, 32) ||
	    !fc_jit_get_bytes(&p, end, &tl, 4)) {
		fc_jit_errf(err, errlen, "native code: not a falcoc object blob, or truncated");
		return -1;
	}
	if (ver != FC_JIT_BLOB_VERSION) {
		fc_jit_errf(err, errlen, "native code: blob version %u, this falcod reads %d", ver,
			    FC_JIT_BLOB_VERSION);
		return -1;
	}
	fc_jit_fingerprint(sy, n, want);
	if (nc != n || memcmp(fp, want, 32) != 0) {
		fc_jit_errf(err, errlen, "native code: compiled for other conditions or another "
					 "version of the lowering (%llu conditions, %zu here)",
			    (unsigned long long)nc, n);
		return -1;
	}
	char *host = LLVMGetDefaultTargetTriple();
	bool same = tl == strlen(host) && (size_t)(end - p) >= tl && memcmp(p, host, tl) == 0;
	if (!same) {
		fc_jit_errf(err, errlen, "native code: compiled for %.*s, this host is %s",
			    (int)((size_t)(end - p) < tl ? 0 : tl), (const char *)p, host);
		LLVMDisposeMessage(host);
		return -1;
	}
	LLVMDisposeMessage(host);
	p += tl + (8 - (4 + tl) % 8) % 8;
	if (p > end || no == 0 || no > 64) {
		fc_jit_errf(err, errlen, "native code: bad object count or truncated");
		return -1;
	}
	*objs = calloc(no, sizeof(**objs));
	if (!*objs) {
		fc_jit_errf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned k = 0; k < no; k++) {
		uint64_t ol;
		if (!fc_jit_get_bytes(&p, end, &ol, 8) || ol > (uint64_t)(end - p)) {
			fc_jit_errf(err, errlen, "native code: object %u truncated", k);
			for (unsigned i = 0; i < k; i++)
				LLVMDisposeMemoryBuffer((*objs)[i]);
			free(*objs);
			*objs = NULL;
			return -1;
		}
		(*objs)[k] = LLVMCreateMemoryBufferWithMemoryRangeCopy((const char *)p, ol,
									"falcoc.native");
		p += ol + (8 - ol % 8) % 8;
		if (p > end)
			p = end;
	}
	*nobj = no;
	return 0;
}

struct fc_jit *fc_jit_compile(const struct fc_node *const *conds, size_t n,
			      const struct fc_jit_symbol *helpers, size_t nhelpers,
			      const struct fc_jit_options *o, char *err, size_t errlen)
{
	double t0 = fc_jit_now();
	int opt = o && o->opt_level >= 0 ? o->opt_level : FC_JIT_DEFAULT_OPT;
	bool linking = o && o->objects;
	if (fc_jit_init_llvm(err, errlen) != 0)
		return NULL;
	struct fc_jit *j = calloc(1, sizeof(*j));
	struct fc_jit_build B = { .sy = { .helpers = helpers, .nhelpers = nhelpers } };
	struct fc_jit_syms *sy = &B.sy;
	LLVMTargetMachineRef tm_jit = NULL;
	LLVMMemoryBufferRef *objs = NULL;
	unsigned nobj = 0;
	if (!j) {
		fc_jit_errf(err, errlen, "out of memory");
		goto fail;
	}
	j->n = n;
	j->preds = calloc(n ? n : 1, sizeof(*j->preds));
	if (!j->preds) {
		fc_jit_errf(err, errlen, "out of memory");
		goto fail;
	}
	const void *fill_addr = NULL;
	for (int i = 0; i < FC_JH_COUNT; i++) {
		const void *addr = NULL;
		for (size_t k = 0; k < nhelpers; k++)
			if (strcmp(helpers[k].name, fc_jit_helper_sigs[i].name) == 0)
				addr = helpers[k].addr;
		if (!addr) {
			fc_jit_errf(err, errlen, "no address given for helper %s",
				    fc_jit_helper_sigs[i].name);
			goto fail;
		}
		if (i == FC_JH_rt_jit_fill)
			fill_addr = addr;
		fc_jit_abs_add(sy, fc_jit_helper_sigs[i].name, addr, true);
	}

	/* the modules: compiled here, or only built for their names when the code comes
	 * compiled (one module is enough for that) */
	if (fc_jit_build_parts(&B, conds, n, opt, linking ? 1 : fc_jit_parts(o, n), false, err,
			       errlen) != 0)
		goto fail;
	j->nslots = sy->nkeys;
	if (linking) {
		if (fc_jit_blob_objects(o->objects, o->objects_len, sy, n, &objs, &nobj, err,
					errlen) != 0)
			goto fail;
		/* the code calls every field's fill by name: the field's own, else rt_jit_fill */
		for (size_t f = 0; f < sizeof(fc_jit_field_ids) / sizeof(fc_jit_field_ids[0]); f++) {
			char name[96];
			snprintf(name, sizeof(name), FC_JIT_FILL_PREFIX "%s", fc_jit_field_ids[f]);
			const void *addr = fill_addr;
			for (size_t k = 0; k < nhelpers; k++)
				if (strcmp(helpers[k].name, name) == 0)
					addr = helpers[k].addr;
			fc_jit_abs_add(sy, name, addr, true);
		}
	} else {
		if (fc_jit_codegen(&B, err, errlen) != 0)
			goto fail;
		nobj = B.np;
		objs = calloc(nobj, sizeof(*objs));
		if (!objs) {
			fc_jit_errf(err, errlen, "out of memory");
			goto fail;
		}
		for (unsigned k = 0; k < nobj; k++) {
			objs[k] = B.parts[k].obj;
			B.parts[k].obj = NULL;
		}
	}
	if (sy->oom) {
		fc_jit_errf(err, errlen, "out of memory");
		goto fail;
	}

	/* link: an LLJIT holding the objects, the helpers and the addresses of checks and
	 * fields as absolute symbols, libc's functions (memcmp) from the process */
	tm_jit = fc_jit_tm(opt, false, err, errlen);
	if (!tm_jit)
		goto fail;
	LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
	LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(
		jb, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm_jit));
	tm_jit = NULL; /* owned by the builder now */
	LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, jb);
	if (e) {
		fc_jit_llvm_err(e, "creating the LLJIT", err, errlen);
		j->jit = NULL;
		goto fail;
	}
	LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->jit);
	LLVMOrcDefinitionGeneratorRef gen;
	e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
		&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
	if (e) {
		fc_jit_llvm_err(e, "resolving libc symbols", err, errlen);
		goto fail;
	}
	LLVMOrcJITDylibAddGenerator(jd, gen);
	LLVMOrcCSymbolMapPairs syms = calloc(sy->nabs ? sy->nabs : 1, sizeof(*syms));
	if (!syms) {
		fc_jit_errf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < sy->nabs; i++) {
		syms[i].Name = LLVMOrcLLJITMangleAndIntern(j->jit, sy->abs[i].name);
		syms[i].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)sy->abs[i].addr;
		syms[i].Sym.Flags.GenericFlags =
			LLVMJITSymbolGenericFlagsExported |
			(sy->abs[i].callable ? LLVMJITSymbolGenericFlagsCallable : 0);
	}
	e = LLVMOrcJITDylibDefine(jd, LLVMOrcAbsoluteSymbols(syms, sy->nabs));
	free(syms);
	if (e) {
		fc_jit_llvm_err(e, "defining helper symbols", err, errlen);
		goto fail;
	}
	for (unsigned k = 0; k < nobj; k++) {
		e = LLVMOrcLLJITAddObjectFile(j->jit, jd, objs[k]);
		objs[k] = NULL; /* owned by the JIT now */
		if (e) {
			fc_jit_llvm_err(e, "adding code", err, errlen);
			goto fail;
		}
	}
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "rule.%zu", i);
		LLVMOrcExecutorAddress addr = 0;
		e = LLVMOrcLLJITLookup(j->jit, &addr, name);
		if (e) {
			fc_jit_llvm_err(e, "linking code", err, errlen);
			goto fail;
		}
		j->preds[i] = (fc_jit_pred)(uintptr_t)addr;
	}
	free(objs);
	fc_jit_build_fini(&B);
	j->seconds = fc_jit_now() - t0;
	return j;
fail:
	for (unsigned k = 0; objs && k < nobj; k++)
		if (objs[k])
			LLVMDisposeMemoryBuffer(objs[k]);
	free(objs);
	fc_jit_build_fini(&B);
	if (tm_jit)
		LLVMDisposeTargetMachine(tm_jit);
	fc_jit_free(j);
	return NULL;
}

size_t fc_jit_ruleset_rules(const struct fc_ruleset *rs, const struct fc_rule **out)
{
	size_t k = 0;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!r->valid || r->skipped || !r->ast || r->src != FC_SRC_SYSCALL)
			continue;
		if (out)
			out[k] = r;
		k++;
	}
	return k;
}

fc_jit_pred fc_jit_get(const struct fc_jit *j, size_t i)
{
	return i < j->n ? j->preds[i] : NULL;
}

size_t fc_jit_slot_count(const struct fc_jit *j)
{
	return j->nslots;
}

double fc_jit_compile_seconds(const struct fc_jit *j)
{
	return j->seconds;
}

void fc_jit_free(struct fc_jit *j)
{
	if (!j)
		return;
	if (j->jit)
		LLVMOrcDisposeLLJIT(j->jit);
	free(j->preds);
	free(j);
}

int fc_jit_dump_ir(const struct fc_node *cond, const char *name, int opt_level, FILE *out,
		   char *err, size_t errlen)
{
	if (fc_jit_init_llvm(err, errlen) != 0)
		return -1;
	if (opt_level < 0)
		opt_level = FC_JIT_DEFAULT_OPT;
	LLVMTargetMachineRef tm = fc_jit_tm(opt_level, false, err, errlen);
	if (!tm)
		return -1;
	LLVMContextRef ctx = LLVMContextCreate();
	struct fc_jit_syms sy = { 0 };
	struct fc_jit_mod m;
	fc_jit_mod_init(&m, &sy, ctx, "falcoc.rule");
	fc_jit_mod_target(&m, tm);
	fc_jit_function(&m, cond, name, NULL);
	m.oom |= sy.oom;
	int rc = m.oom ? -1 : fc_jit_optimize(m.mod, tm, opt_level, err, errlen);
	if (m.oom)
		fc_jit_errf(err, errlen, "out of memory");
	if (rc == 0) {
		char *s = LLVMPrintModuleToString(m.mod);
		fputs(s, out);
		LLVMDisposeMessage(s);
	}
	fc_jit_mod_fini(&m);
	fc_jit_syms_fini(&sy);
	LLVMDisposeModule(m.mod);
	LLVMDisposeTargetMachine(tm);
	LLVMContextDispose(ctx);
	return rc;
}
