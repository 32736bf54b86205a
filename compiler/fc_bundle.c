/* SPDX-License-Identifier: Apache-2.0 */
/* fc_bundle.c - the bundle writer and reader (docs/bundle.md), and the SHA-256 and CRC-32
 * they use.
 *
 * The writer encodes the checked ruleset in a fixed order (rules and lists in load order,
 * everything little-endian, no pointers, times or absolute paths), so that the same inputs
 * give the same bytes. The reader trusts nothing: it checks the header, every section's
 * bounds and CRC and the file's SHA-256 before decoding, bounds every count by the bytes left
 * and every tree by FC_MAX_HEIGHT, and only then allocates the ruleset in the unit. Not here:
 * what opaque sections (prefilters) mean; how falcod swaps engines. */
#include "compiler/fc_bundle.h"
#include "bpf/fk_shared.h"
#include "compiler/fc.h"
#include "compiler/fc_rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- SHA-256 (FIPS 180-4) and CRC-32 ----------------------------------------------------- */

/* Small and dependency-free: bundles are hashed once per compile or load, so speed does not
 * matter, and the compiler library then needs nothing beyond libc, libyaml and PCRE2. */
struct sha256 {
	uint32_t h[8];
	uint64_t n;
	uint8_t buf[64];
	size_t nbuf;
};

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
			      sha_k[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	s->h[5] += f;
	s->h[6] += g;
	s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof(iv));
	s->n = 0;
	s->nbuf = 0;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	s->n += len;
	while (len) {
		size_t k = 64 - s->nbuf < len ? 64 - s->nbuf : len;
		memcpy(s->buf + s->nbuf, p, k);
		s->nbuf += k;
		p += k;
		len -= k;
		if (s->nbuf == 64) {
			sha256_block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

static void sha256_final(struct sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->n * 8;
	uint8_t pad = 0x80, zero = 0;
	sha256_update(s, &pad, 1);
	while (s->nbuf != 56)
		sha256_update(s, &zero, 1);
	uint8_t l[8];
	for (int i = 0; i < 8; i++)
		l[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, l, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void fc_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

uint32_t fc_crc32(const void *data, size_t len)
{
	static const uint32_t t[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
		0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *p = data;
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return c ^ 0xffffffffu;
}

static void sha_str(struct sha256 *s, const char *str)
{
	sha256_update(s, str, strlen(str) + 1);
}

static void sha_u32(struct sha256 *s, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sha256_update(s, b, 4);
}

void fc_fields_hash(uint8_t out[32])
{
	struct sha256 s;
	sha256_init(&s);
	sha_str(&s, "fields");
	for (int i = 0; i < FC_FIELD_COUNT; i++) {
		const struct fc_field *f = &fc_fields[i];
		sha_u32(&s, (uint32_t)f->id);
		sha_str(&s, f->name);
		sha_str(&s, fc_type_name(f->type));
		sha_u32(&s, (uint32_t)f->arg);
		sha_u32(&s, f->flags);
		sha_u32(&s, (uint32_t)f->src);
	}
	sha_str(&s, "types");
	for (int t = 0; t < FC_T_COUNT; t++) {
		sha_str(&s, fc_type_name((enum fc_type)t));
		sha_u32(&s, (uint32_t)fc_type_class((enum fc_type)t));
	}
	sha_str(&s, "ops");
	for (int op = 0; op < FC_OP_COUNT; op++) {
		sha_str(&s, fc_op_name((enum fc_op)op));
		sha_u32(&s, fc_op_flags((enum fc_op)op));
	}
	sha_str(&s, "sources");
	for (int src = 0; src < FC_SRC_COUNT; src++)
		sha_str(&s, fc_source_name((enum fc_source)src));
	sha256_final(&s, out);
}

void fc_evttypes_hash(uint8_t out[32])
{
	struct sha256 s;
	sha256_init(&s);
	sha_str(&s, "evttypes");
	for (int t = 0; t < FC_EVT_COUNT; t++) {
		sha_str(&s, fc_evttype_name((enum fc_evttype)t));
		sha_u32(&s, fc_evttype_flags((enum fc_evttype)t));
	}
	sha256_final(&s, out);
}

const char *fc_bundle_section_name(uint32_t type)
{
	switch (type) {
	case FC_BUNDLE_SEC_META:
		return "META";
	case FC_BUNDLE_SEC_LISTS:
		return "LISTS";
	case FC_BUNDLE_SEC_RULES:
		return "RULES";
	case FC_BUNDLE_SEC_EVTTYPES:
		return "EVTTYPES";
	case FC_BUNDLE_SEC_PREFILTER:
		return "PREFILTER";
	case FC_BUNDLE_SEC_BITCODE:
		return "BITCODE";
	case FC_BUNDLE_SEC_NATIVE:
		return "NATIVE";
	}
	return NULL;
}

static bool sec_is_ruleset(uint32_t type)
{
	return type >= 1 && type <= 15;
}

/* --- encoding ---------------------------------------------------------------------------- */

#define NIL_LEN 0xffffffffu      /* string length of a NULL string */
#define NO_FIELD 0xffffffffu     /* field id of a field expression the checker left unset */
#define NO_VALUE 0xff            /* value kind of a check without a right side (exists) */

/* Rule flags, one byte. */
enum {
	RF_ENABLED = 1 << 0,
	RF_VALID = 1 << 1,
	RF_SKIPPED = 1 << 2,
	RF_HAS_PRIORITY = 1 << 3,
	RF_WARN_EVTTYPES = 1 << 4,
	RF_SKIP_UNKNOWN = 1 << 5,
	RF_HAS_AST = 1 << 6,
	RF_ALL = 0x7f,
};

struct buf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static void buf_put(struct buf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + len)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->n, data, len);
	b->n += len;
}

static void put_u8(struct buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	buf_put(b, &x, 1);
}

static void put_u16(struct buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	buf_put(b, x, 2);
}

static void put_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	buf_put(b, x, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_strn(struct buf *b, const char *s, size_t len)
{
	if (!s) {
		put_u32(b, NIL_LEN);
		return;
	}
	put_u32(b, (uint32_t)len);
	buf_put(b, s, len);
}

static void put_str(struct buf *b, const char *s)
{
	put_strn(b, s, s ? strlen(s) : 0);
}

static void put_fstr(struct buf *b, const struct fc_str *s)
{
	put_strn(b, s->s ? s->s : "", s->s ? s->len : 0);
	put_u8(b, s->quoted);
}

static void put_expr(struct buf *b, const struct fc_expr *e)
{
	put_u8(b, e->kind);
	put_u8(b, e->type);
	put_u8(b, e->list);
	switch (e->kind) {
	case FC_EXPR_FIELD:
		put_u32(b, e->field.field ? (uint32_t)e->field.field->id : NO_FIELD);
		put_str(b, e->field.name);
		put_u8(b, e->field.arg != NULL);
		if (e->field.arg)
			put_fstr(b, e->field.arg);
		break;
	case FC_EXPR_TRANSFORM:
		put_str(b, e->xf.name);
		put_u32(b, (uint32_t)e->xf.nargs);
		for (int i = 0; i < e->xf.nargs; i++)
			put_expr(b, e->xf.args[i]);
		break;
	case FC_EXPR_LITERAL:
		put_fstr(b, &e->lit);
		break;
	}
}

static void put_value(struct buf *b, const struct fc_value *v)
{
	put_u8(b, v->kind);
	put_str(b, v->list);
	switch (v->kind) {
	case FC_VAL_NONE:
		break;
	case FC_VAL_SCALAR:
	case FC_VAL_LISTREF:
		put_fstr(b, &v->scalar);
		break;
	case FC_VAL_LIST:
		put_u32(b, (uint32_t)v->nitems);
		for (size_t i = 0; i < v->nitems; i++)
			put_fstr(b, &v->items[i]);
		break;
	case FC_VAL_EXPR:
		put_expr(b, v->expr);
		break;
	}
}

static void put_node(struct buf *b, const struct fc_node *n)
{
	put_u8(b, n->kind);
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		put_node(b, n->bin.l);
		put_node(b, n->bin.r);
		break;
	case FC_NODE_NOT:
		put_node(b, n->operand);
		break;
	case FC_NODE_CHECK:
		put_expr(b, n->check.lhs);
		put_u8(b, n->check.op);
		put_u8(b, n->check.mod);
		if (n->check.rhs)
			put_value(b, n->check.rhs);
		else
			put_u8(b, NO_VALUE);
		break;
	case FC_NODE_IDENT:
		put_str(b, n->ident.name);
		break;
	case FC_NODE_BOOL:
		put_u8(b, n->value);
		break;
	case FC_NODE_POISON:
		break;
	}
}

struct wsec {
	uint32_t type, flags;
	uint8_t *data;
	size_t len;
};

struct fc_bundle_writer {
	struct fc_unit *u;
	const struct fc_ruleset *rs;
	char version[16];
	struct fc_bundle_input *inputs;
	int ninputs;
	struct wsec *secs;
	size_t nsecs;
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

struct fc_bundle_writer *fc_bundle_writer_new(struct fc_unit *u, const struct fc_ruleset *rs,
					      const char *const *paths, int npaths,
					      const struct fc_bundle_writer_options *o)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!r->valid && !r->skipped) {
			fc_diag(u, NULL, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-bundle",
				"rule '%s' has errors: a bundle holds only checked rules", r->name);
			return NULL;
		}
	}
	struct fc_bundle_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->u = u;
	w->rs = rs;
	snprintf(w->version, sizeof(w->version), "%s",
		 o && o->compiler_version ? o->compiler_version : "unknown");
	w->inputs = calloc((size_t)(npaths > 0 ? npaths : 1), sizeof(*w->inputs));
	if (!w->inputs) {
		free(w);
		return NULL;
	}
	for (int i = 0; i < npaths; i++) {
		const struct fc_src *src = fc_src_read(u, paths[i]);
		if (!src) {
			fc_bundle_writer_free(w);
			return NULL;
		}
		w->inputs[i].name = base_name(paths[i]);
		fc_sha256(src->text, src->len, w->inputs[i].sha256);
	}
	w->ninputs = npaths;
	return w;
}

void fc_bundle_writer_free(struct fc_bundle_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nsecs; i++)
		free(w->secs[i].data);
	free(w->secs);
	free(w->inputs);
	free(w);
}

int fc_bundle_add_section_flags(struct fc_bundle_writer *w, uint32_t type, uint32_t flags,
				const void *data, size_t len)
{
	if (sec_is_ruleset(type) || type == 0 || len > FC_BUNDLE_MAX_SIZE ||
	    (flags & ~(uint32_t)FC_BUNDLE_SECF_OPTIONAL) || (len && !data))
		return -EINVAL;
	for (size_t i = 0; i < w->nsecs; i++)
		if (w->secs[i].type == type)
			return -EEXIST;
	struct wsec *s = realloc(w->secs, (w->nsecs + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	w->secs = s;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, data, len);
	/* keep type order: insertion sort, so the call order never shows in the bytes */
	size_t at = w->nsecs;
	while (at > 0 && w->secs[at - 1].type > type) {
		w->secs[at] = w->secs[at - 1];
		at--;
	}
	w->secs[at] = (struct wsec){ .type = type, .flags = flags, .data = copy, .len = len };
	w->nsecs++;
	return 0;
}

int fc_bundle_add_section(struct fc_bundle_writer *w, uint32_t type, const void *data, size_t len)
{
	return fc_bundle_add_section_flags(w, type, 0, data, len);
}

static void enc_meta(struct fc_bundle_writer *w, struct buf *b)
{
	put_u32(b, (uint32_t)w->ninputs);
	for (int i = 0; i < w->ninputs; i++) {
		put_str(b, w->inputs[i].name);
		buf_put(b, w->inputs[i].sha256, 32);
	}
	put_u32(b, (uint32_t)w->rs->nrules);
	put_u32(b, (uint32_t)w->rs->nlists);
	put_u32(b, (uint32_t)w->rs->nmacros);
}

static void enc_lists(const struct fc_ruleset *rs, struct buf *b)
{
	put_u32(b, (uint32_t)rs->nlists);
	for (size_t i = 0; i < rs->nlists; i++) {
		const struct fc_list *l = rs->lists[i];
		put_str(b, l->name);
		put_u32(b, (uint32_t)l->nitems);
		for (size_t j = 0; j < l->nitems; j++)
			put_fstr(b, &l->items[j]);
	}
}

static void enc_rules(const struct fc_ruleset *rs, struct buf *b)
{
	put_u32(b, (uint32_t)rs->nrules);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		bool ast = r->valid && r->ast;
		unsigned fl = (r->enabled ? RF_ENABLED : 0) | (r->valid ? RF_VALID : 0) |
			      (r->skipped ? RF_SKIPPED : 0) | (r->has_priority ? RF_HAS_PRIORITY : 0) |
			      (r->warn_evttypes ? RF_WARN_EVTTYPES : 0) |
			      (r->skip_if_unknown_filter ? RF_SKIP_UNKNOWN : 0) |
			      (ast ? RF_HAS_AST : 0);
		put_str(b, r->name);
		put_str(b, r->desc);
		put_str(b, r->source);
		put_u8(b, r->priority);
		put_u8(b, fl);
		put_u32(b, (uint32_t)(int32_t)r->src);
		put_u32(b, (uint32_t)r->ntags);
		for (size_t t = 0; t < r->ntags; t++)
			put_str(b, r->tags[t]);
		put_strn(b, r->output.set ? r->output.s : NULL, r->output.len);
		put_u32(b, (uint32_t)r->nparts);
		for (size_t p = 0; p < r->nparts; p++) {
			const struct fc_output_part *op = &r->parts[p];
			if (op->text || !op->field) {
				put_u8(b, 0);
				put_strn(b, op->text ? op->text : "", op->text ? op->len : 0);
			} else {
				put_u8(b, 1);
				put_expr(b, op->field);
			}
		}
		if (ast)
			put_node(b, r->ast);
	}
}

/* The event types the enabled syscall rules can match, as falcod's live capture selects them
 * before -D/-T/-t (falcod recomputes them from the rules it runs). */
static void enc_evttypes(const struct fc_ruleset *rs, struct buf *b)
{
	struct fc_evtset un;
	memset(&un, 0, sizeof(un));
	bool any = false;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *r = rs->rules[i];
		if (!r->valid || r->skipped || !r->enabled || !r->ast || r->src != FC_SRC_SYSCALL)
			continue;
		struct fc_evtset t, f;
		fc_evtset_of(r->ast, &t, &f);
		if (fc_evtset_count(&t) == FC_EVT_COUNT)
			any = true;
		for (int k = 0; k < FC_EVTSET_WORDS; k++)
			un.w[k] |= t.w[k];
	}
	put_u8(b, any);
	if (any) {
		put_u32(b, 0);
		return;
	}
	put_u32(b, fc_evtset_count(&un));
	for (int k = 0; k < FC_EVT_COUNT; k++)
		if (fc_evtset_has(&un, k))
			put_str(b, fc_evttype_name((enum fc_evttype)k));
}

static void put_section(struct buf *b, uint32_t type, uint32_t flags, const void *data,
			size_t len)
{
	static const uint8_t zero[8];
	put_u32(b, type);
	put_u32(b, flags);
	put_u64(b, len);
	put_u32(b, fc_crc32(data, len));
	put_u32(b, 0);
	buf_put(b, data, len);
	buf_put(b, zero, (8 - len % 8) % 8);
}

int fc_bundle_writer_finish(struct fc_bundle_writer *w, void **out, size_t *len)
{
	struct buf parts[4] = { { 0 } };
	enc_meta(w, &parts[0]);
	enc_lists(w->rs, &parts[1]);
	enc_rules(w->rs, &parts[2]);
	enc_evttypes(w->rs, &parts[3]);
	struct buf b = { 0 };
	int rc = 0;
	buf_put(&b, FC_BUNDLE_MAGIC, 8);
	put_u32(&b, FC_BUNDLE_FORMAT_VERSION);
	put_u32(&b, FC_BUNDLE_HEADER_SIZE);
	put_u32(&b, FK_ABI_VERSION);
	put_u16(&b, FC_ENGINE_VERSION_MAJOR);
	put_u16(&b, FC_ENGINE_VERSION_MINOR);
	put_u16(&b, FC_ENGINE_VERSION_PATCH);
	put_u16(&b, 0);
	char ver[16] = { 0 };
	memcpy(ver, w->version, strnlen(w->version, 15));
	buf_put(&b, ver, 16);
	put_u32(&b, (uint32_t)(4 + w->nsecs));
	size_t size_at = b.n;
	put_u64(&b, 0); /* the file size, patched below */
	uint8_t h[32];
	fc_fields_hash(h);
	buf_put(&b, h, 32);
	fc_evttypes_hash(h);
	buf_put(&b, h, 32);
	put_u32(&b, 0); /* flags */
	put_u32(&b, 0); /* reserved */
	for (int i = 0; i < 4; i++) {
		if (parts[i].oom)
			b.oom = true;
		put_section(&b, (uint32_t)(i + 1), 0, parts[i].p, parts[i].n);
		free(parts[i].p);
	}
	for (size_t i = 0; i < w->nsecs; i++)
		put_section(&b, w->secs[i].type, w->secs[i].flags, w->secs[i].data, w->secs[i].len);
	if (!b.oom && b.n + 32 > FC_BUNDLE_MAX_SIZE)
		rc = -EFBIG;
	if (!b.oom && !rc) {
		uint64_t size = b.n + 32;
		for (int i = 0; i < 8; i++)
			b.p[size_at + i] = (uint8_t)(size >> (8 * i));
		fc_sha256(b.p, b.n, h);
		buf_put(&b, h, 32);
	}
	if (b.oom)
		rc = -ENOMEM;
	if (rc) {
		free(b.p);
		return rc;
	}
	*out = b.p;
	*len = b.n;
	return 0;
}

/* --- decoding ---------------------------------------------------------------------------- */

struct fc_bundle {
	struct fc_ruleset *rs;
	struct fc_bundle_info info;
	const uint8_t *data; /* the file, in the unit */
};

struct rd {
	struct fc_unit *u;
	const char *name;
	const uint8_t *data; /* whole file */
	size_t pos, end;     /* cursor and end of the current section, file offsets */
	const char *sec;     /* section name, for messages */
	char what[160];      /* the item being decoded, for messages */
	bool failed;
	unsigned depth;
};

static void rd_fail(struct rd *r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rd_fail(struct rd *r, size_t off, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fc_diag(r->u, NULL, FC_ERROR, FC_LOAD_ERR_VALIDATE, "E-bundle",
		"%s: bundle refused: %s%s%s%s%soffset %zu: %s", r->name, r->sec ? "section " : "",
		r->sec ? r->sec : "", r->sec ? ", " : "", r->what[0] ? r->what : "",
		r->what[0] ? ", " : "", off, msg);
}

static bool rd_need(struct rd *r, size_t n)
{
	if (r->failed)
		return false;
	if (r->end - r->pos < n) {
		rd_fail(r, r->pos, "%zu bytes needed, %zu left in the section", n, r->end - r->pos);
		return false;
	}
	return true;
}

static unsigned get_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return r->data[r->pos++];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint32_t get_u32(struct rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	uint32_t v = le32(r->data + r->pos);
	r->pos += 4;
	return v;
}

/* A count of items each at least min bytes long: bounded by what is left, so that a corrupt
 * count never makes the reader allocate more than the file could describe. */
static uint32_t get_count(struct rd *r, size_t min, const char *of)
{
	size_t at = r->pos;
	uint32_t n = get_u32(r);
	if (!r->failed && (uint64_t)n * min > r->end - r->pos) {
		rd_fail(r, at, "%u %s cannot fit in the %zu bytes left", n, of, r->end - r->pos);
		return 0;
	}
	return n;
}

/* A string: NULL for the nil length; NUL-terminated copy in the unit. */
static const char *get_strn(struct rd *r, size_t *len, bool nullable)
{
	size_t at = r->pos;
	uint32_t n = get_u32(r);
	if (r->failed)
		return NULL;
	if (n == NIL_LEN) {
		if (!nullable)
			rd_fail(r, at, "a string is missing (nil) where one is required");
		if (len)
			*len = 0;
		return NULL;
	}
	if (!rd_need(r, n))
		return NULL;
	char *s = fc_arena_strndup(r->u, (const char *)r->data + r->pos, n);
	r->pos += n;
	if (len)
		*len = n;
	return s;
}

static const char *get_str(struct rd *r, bool nullable)
{
	return get_strn(r, NULL, nullable);
}

static void get_fstr(struct rd *r, struct fc_str *s)
{
	size_t len = 0;
	const char *p = get_strn(r, &len, false);
	s->s = p ? p : "";
	s->len = len;
	size_t at = r->pos;
	unsigned q = get_u8(r);
	if (q > 1)
		rd_fail(r, at, "bad quoted flag %u", q);
	s->quoted = q == 1;
}

static unsigned get_enum(struct rd *r, unsigned limit, const char *what)
{
	size_t at = r->pos;
	unsigned v = get_u8(r);
	if (!r->failed && v >= limit)
		rd_fail(r, at, "%s %u out of range (0..%u)", what, v, limit - 1);
	return v;
}

/* Conditions are at most FC_MAX_HEIGHT nodes high; expressions (transformers) add a few. */
#define RD_MAX_DEPTH (2 * FC_MAX_HEIGHT)

static bool rd_enter(struct rd *r)
{
	if (++r->depth > RD_MAX_DEPTH) {
		rd_fail(r, r->pos, "condition nested deeper than %d levels", RD_MAX_DEPTH);
		return false;
	}
	return !r->failed;
}

static struct fc_expr *get_expr(struct rd *r)
{
	if (!rd_enter(r))
		return NULL;
	struct fc_expr *e = fc_arena_alloc(r->u, sizeof(*e));
	e->kind = get_enum(r, FC_EXPR_LITERAL + 1, "expression kind");
	e->type = get_enum(r, FC_T_COUNT, "type");
	e->list = get_enum(r, 2, "list flag");
	if (r->failed)
		return NULL;
	switch (e->kind) {
	case FC_EXPR_FIELD: {
		size_t at = r->pos;
		uint32_t id = get_u32(r);
		if (!r->failed && id != NO_FIELD && id >= FC_FIELD_COUNT)
			rd_fail(r, at, "field id %u out of range (the registry has %d)", id,
				FC_FIELD_COUNT);
		const char *name = get_str(r, false);
		if (r->failed)
			return NULL;
		e->field.field = id == NO_FIELD ? NULL : &fc_fields[id];
		e->field.name = fc_intern(r->u, name);
		unsigned has = get_enum(r, 2, "argument flag");
		if (has && !r->failed) {
			e->field.arg = fc_arena_alloc(r->u, sizeof(*e->field.arg));
			get_fstr(r, e->field.arg);
		}
		break;
	}
	case FC_EXPR_TRANSFORM: {
		const char *name = get_str(r, false);
		uint32_t n = get_count(r, 3, "transformer arguments");
		if (r->failed)
			return NULL;
		e->xf.name = fc_intern(r->u, name);
		e->xf.nargs = (int)n;
		e->xf.args = fc_arena_alloc(r->u, (n ? n : 1) * sizeof(*e->xf.args));
		for (uint32_t i = 0; i < n && !r->failed; i++)
			e->xf.args[i] = get_expr(r);
		break;
	}
	case FC_EXPR_LITERAL:
		get_fstr(r, &e->lit);
		break;
	}
	r->depth--;
	return r->failed ? NULL : e;
}

static struct fc_value *get_value(struct rd *r)
{
	if (rd_need(r, 1) && r->data[r->pos] == NO_VALUE) {
		r->pos++;
		return NULL;
	}
	struct fc_value *v = fc_arena_alloc(r->u, sizeof(*v));
	v->kind = get_enum(r, FC_VAL_EXPR + 1, "value kind");
	const char *list = get_str(r, true);
	v->list = list ? fc_intern(r->u, list) : NULL;
	if (r->failed)
		return NULL;
	switch (v->kind) {
	case FC_VAL_NONE:
		break;
	case FC_VAL_SCALAR:
	case FC_VAL_LISTREF:
		get_fstr(r, &v->scalar);
		break;
	case FC_VAL_LIST: {
		uint32_t n = get_count(r, 5, "list items");
		if (r->failed)
			return NULL;
		v->items = fc_arena_alloc(r->u, (n ? n : 1) * sizeof(*v->items));
		v->nitems = n;
		for (uint32_t i = 0; i < n && !r->failed; i++)
			get_fstr(r, &v->items[i]);
		break;
	}
	case FC_VAL_EXPR:
		v->expr = get_expr(r);
		break;
	}
	return r->failed ? NULL : v;
}

static struct fc_node *get_node(struct rd *r)
{
	if (!rd_enter(r))
		return NULL;
	struct fc_node *n = fc_arena_alloc(r->u, sizeof(*n));
	n->orig = n;
	n->height = 1;
	n->kind = get_enum(r, FC_NODE_POISON + 1, "node kind");
	if (r->failed)
		return NULL;
	switch (n->kind) {
	case FC_NODE_AND:
	case FC_NODE_OR:
		n->bin.l = get_node(r);
		n->bin.r = get_node(r);
		if (!r->failed)
			n->height = 1 + (n->bin.l->height > n->bin.r->height ? n->bin.l->height
									     : n->bin.r->height);
		break;
	case FC_NODE_NOT:
		n->operand = get_node(r);
		if (!r->failed)
			n->height = 1 + n->operand->height;
		break;
	case FC_NODE_CHECK: {
		n->check.lhs = get_expr(r);
		size_t at = r->pos;
		n->check.op = get_enum(r, FC_OP_COUNT, "operator");
		n->check.mod = get_enum(r, FC_MOD_ALLOF + 1, "operator modifier");
		n->check.rhs = get_value(r);
		if (r->failed || !n->check.lhs)
			break;
		bool unary = fc_op_flags(n->check.op) & FC_OPF_UNARY;
		if (unary != (!n->check.rhs || n->check.rhs->kind == FC_VAL_NONE))
			rd_fail(r, at, "operator '%s' with %s operand", fc_op_name(n->check.op),
				unary ? "a right" : "no right");
		break;
	}
	case FC_NODE_IDENT: {
		const char *name = get_str(r, false);
		if (name)
			n->ident.name = fc_intern(r->u, name);
		break;
	}
	case FC_NODE_BOOL:
		n->value = get_enum(r, 2, "boolean") == 1;
		break;
	case FC_NODE_POISON:
		break;
	}
	r->depth--;
	return r->failed ? NULL : n;
}

static bool sec_done(struct rd *r)
{
	if (r->failed)
		return false;
	if (r->pos != r->end) {
		rd_fail(r, r->pos, "%zu bytes left over after the section's contents",
			r->end - r->pos);
		return false;
	}
	return true;
}

static void dec_meta(struct rd *r, struct fc_bundle *b, uint32_t counts[3])
{
	uint32_t n = get_count(r, 36, "inputs");
	if (r->failed)
		return;
	struct fc_bundle_input *in = fc_arena_alloc(r->u, (n ? n : 1) * sizeof(*in));
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		in[i].name = get_str(r, false);
		if (rd_need(r, 32)) {
			memcpy(in[i].sha256, r->data + r->pos, 32);
			r->pos += 32;
		}
	}
	b->info.inputs = in;
	b->info.ninputs = n;
	for (int i = 0; i < 3; i++)
		counts[i] = get_u32(r);
	b->info.nmacros = counts[2];
	sec_done(r);
}

static void dec_lists(struct rd *r, struct fc_ruleset *rs)
{
	uint32_t n = get_count(r, 8, "lists");
	if (r->failed)
		return;
	rs->lists = fc_arena_alloc(r->u, (n ? n : 1) * sizeof(*rs->lists));
	rs->listcap = n;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		snprintf(r->what, sizeof(r->what), "list %u", i);
		struct fc_list *l = fc_arena_alloc(r->u, sizeof(*l));
		const char *name = get_str(r, false);
		uint32_t ni = get_count(r, 5, "list items");
		if (r->failed)
			return;
		l->name = fc_intern(r->u, name);
		snprintf(r->what, sizeof(r->what), "list %u ('%.80s')", i, name);
		l->items = fc_arena_alloc(r->u, (ni ? ni : 1) * sizeof(*l->items));
		l->nitems = ni;
		for (uint32_t j = 0; j < ni && !r->failed; j++)
			get_fstr(r, &l->items[j]);
		l->raw = l->items;
		l->nraw = l->rawcap = ni;
		l->index = l->visibility = (int)i;
		l->used = true;
		rs->lists[rs->nlists++] = l;
	}
	r->what[0] = '\0';
	sec_done(r);
}

static void dec_rules(struct rd *r, struct fc_ruleset *rs)
{
	uint32_t n = get_count(r, 30, "rules");
	if (r->failed)
		return;
	rs->rules = fc_arena_alloc(r->u, (n ? n : 1) * sizeof(*rs->rules));
	rs->rulecap = n;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		snprintf(r->what, sizeof(r->what), "rule %u", i);
		struct fc_rule *x = fc_arena_alloc(r->u, sizeof(*x));
		const char *name = get_str(r, false);
		if (r->failed)
			return;
		x->name = fc_intern(r->u, name);
		snprintf(r->what, sizeof(r->what), "rule %u ('%.80s')", i, name);
		x->desc = get_str(r, true);
		const char *source = get_str(r, true);
		x->source = source ? fc_intern(r->u, source) : NULL;
		x->priority = get_enum(r, FC_PRIO_DEBUG + 1, "priority");
		size_t at = r->pos;
		unsigned fl = get_u8(r);
		if (!r->failed && (fl & ~(unsigned)RF_ALL))
			rd_fail(r, at, "unknown rule flags 0x%x", fl);
		at = r->pos;
		int32_t src = (int32_t)get_u32(r);
		if (!r->failed && (src < -1 || src >= FC_SRC_COUNT))
			rd_fail(r, at, "event source %d out of range", src);
		uint32_t nt = get_count(r, 4, "tags");
		if (r->failed)
			return;
		x->enabled = fl & RF_ENABLED;
		x->valid = fl & RF_VALID;
		x->skipped = fl & RF_SKIPPED;
		x->has_priority = fl & RF_HAS_PRIORITY;
		x->warn_evttypes = fl & RF_WARN_EVTTYPES;
		x->skip_if_unknown_filter = fl & RF_SKIP_UNKNOWN;
		x->src = src;
		x->index = (int)i;
		x->tags = fc_arena_alloc(r->u, (nt ? nt : 1) * sizeof(*x->tags));
		x->ntags = nt;
		for (uint32_t t = 0; t < nt && !r->failed; t++)
			x->tags[t] = get_str(r, false);
		size_t olen = 0;
		const char *out = get_strn(r, &olen, true);
		if (out) {
			x->output.s = (char *)out;
			x->output.len = olen;
			x->output.set = true;
		}
		uint32_t np = get_count(r, 5, "output parts");
		if (r->failed)
			return;
		x->parts = fc_arena_alloc(r->u, (np ? np : 1) * sizeof(*x->parts));
		x->nparts = np;
		for (uint32_t p = 0; p < np && !r->failed; p++) {
			struct fc_output_part *op = &x->parts[p];
			if (get_enum(r, 2, "output part kind") == 0) {
				op->text = get_strn(r, &op->len, false);
			} else if (!r->failed) {
				op->field = get_expr(r);
				if (!r->failed && op->field->kind != FC_EXPR_FIELD)
					rd_fail(r, r->pos, "an output part that is not a field");
			}
		}
		if ((fl & RF_HAS_AST) && !r->failed)
			x->ast = get_node(r);
		else if (x->valid && !x->skipped && !r->failed)
			rd_fail(r, r->pos, "a valid rule without a condition");
		rs->rules[rs->nrules++] = x;
	}
	r->what[0] = '\0';
	sec_done(r);
}

static void dec_evttypes(struct rd *r, struct fc_bundle *b)
{
	b->info.evt_any = get_enum(r, 2, "any-type flag") == 1;
	uint32_t n = get_count(r, 5, "event types");
	if (r->failed)
		return;
	const char **names = fc_arena_alloc(r->u, (n ? n : 1) * sizeof(*names));
	int prev = -1;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		size_t at = r->pos, len = 0;
		const char *s = get_strn(r, &len, false);
		if (r->failed)
			return;
		int k = fc_evttype_lookup(s, len);
		if (k < 0)
			rd_fail(r, at, "unknown event type '%.80s'", s);
		else if (k <= prev)
			rd_fail(r, at, "event type '%.80s' out of order", s);
		prev = k;
		names[i] = fc_evttype_name((enum fc_evttype)k);
	}
	b->info.evttypes = names;
	b->info.nevttypes = n;
	sec_done(r);
}

static void hex(char *out, const uint8_t *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* After a checksum mismatch, where the damage is: the first section whose CRC-32 fails or
 * whose framing is broken, else the header or the trailer. Best effort, for the message. */
static void locate_damage(const uint8_t *d, size_t len, char *out, size_t cap)
{
	size_t end = len - 32, pos = FC_BUNDLE_HEADER_SIZE;
	uint32_t nsec = le32(d + 44);
	for (uint32_t i = 0; i < nsec; i++) {
		if (end - pos < FC_BUNDLE_SECTION_HEADER_SIZE) {
			snprintf(out, cap, "section %u's header at offset %zu is cut off", i + 1, pos);
			return;
		}
		uint32_t type = le32(d + pos);
		uint64_t n = le64(d + pos + 8);
		const char *nm = fc_bundle_section_name(type);
		size_t off = pos + FC_BUNDLE_SECTION_HEADER_SIZE;
		if (n > end - off) {
			snprintf(out, cap, "section %u (%s) at offset %zu: its length is damaged", i + 1,
				 nm ? nm : "unknown type", pos);
			return;
		}
		if (fc_crc32(d + off, (size_t)n) != le32(d + pos + 16)) {
			snprintf(out, cap, "section %s at offset %zu fails its CRC-32",
				 nm ? nm : "of unknown type", pos);
			return;
		}
		pos = off + (size_t)(n + (8 - n % 8) % 8);
		if (pos > end)
			break;
	}
	snprintf(out, cap, "every section passes its CRC-32: the damage is in the header "
			   "(offsets 0-%d), the padding or the trailer", FC_BUNDLE_HEADER_SIZE - 1);
}

/* Checks the header, the sections' framing and the checksum; fills b->info. */
static bool rd_frame(struct rd *r, struct fc_bundle *b, size_t len)
{
	const uint8_t *d = r->data;
	struct fc_bundle_info *in = &b->info;
	if (len < 8 && memcmp(d, FC_BUNDLE_MAGIC, len) == 0) {
		rd_fail(r, len, "truncated: %zu bytes, shorter than the header", len);
		return false;
	}
	if (len < 8 || memcmp(d, FC_BUNDLE_MAGIC, 8) != 0) {
		rd_fail(r, 0, "not a bundle (the file does not start with \"%s\")", FC_BUNDLE_MAGIC);
		return false;
	}
	if (len < 16) {
		rd_fail(r, len, "truncated: %zu bytes, shorter than the header", len);
		return false;
	}
	in->format_version = le32(d + 8);
	if (in->format_version != FC_BUNDLE_FORMAT_VERSION) {
		rd_fail(r, 8, "format version %u, this build reads version %d", in->format_version,
			FC_BUNDLE_FORMAT_VERSION);
		return false;
	}
	if (len < FC_BUNDLE_HEADER_SIZE + FC_BUNDLE_TRAILER_SIZE) {
		rd_fail(r, len, "truncated: %zu bytes, a bundle has at least %d", len,
			FC_BUNDLE_HEADER_SIZE + FC_BUNDLE_TRAILER_SIZE);
		return false;
	}
	uint32_t hsize = le32(d + 12);
	if (hsize != FC_BUNDLE_HEADER_SIZE) {
		rd_fail(r, 12, "header size %u, format version 1 has %d", hsize,
			FC_BUNDLE_HEADER_SIZE);
		return false;
	}
	in->size = le64(d + 48);
	if (in->size != len) {
		rd_fail(r, 48, "%s: the header says %llu bytes, the file has %zu",
			in->size > len ? "truncated" : "trailing bytes or bad size",
			(unsigned long long)in->size, len);
		return false;
	}
	uint8_t sum[32];
	fc_sha256(d, len - 32, sum);
	memcpy(in->sha256, d + len - 32, 32);
	if (memcmp(sum, in->sha256, 32) != 0) {
		char want[65], got[65], where[160];
		hex(want, in->sha256, 32);
		hex(got, sum, 32);
		locate_damage(d, len, where, sizeof(where));
		rd_fail(r, len - 32, "checksum mismatch: the trailer says SHA-256 %s, the contents "
				     "hash to %s (corrupt bundle; %s)", want, got, where);
		return false;
	}
	in->abi_version = le32(d + 16);
	if (in->abi_version != FK_ABI_VERSION) {
		rd_fail(r, 16, "built for event ABI version %u, this build has FK_ABI_VERSION %d",
			in->abi_version, FK_ABI_VERSION);
		return false;
	}
	in->engine_major = (uint16_t)(d[20] | d[21] << 8);
	in->engine_minor = (uint16_t)(d[22] | d[23] << 8);
	in->engine_patch = (uint16_t)(d[24] | d[25] << 8);
	uint64_t bv = (uint64_t)in->engine_major << 32 | (uint64_t)in->engine_minor << 16 |
		      in->engine_patch;
	uint64_t ov = (uint64_t)FC_ENGINE_VERSION_MAJOR << 32 |
		      (uint64_t)FC_ENGINE_VERSION_MINOR << 16 | FC_ENGINE_VERSION_PATCH;
	if (bv > ov) {
		rd_fail(r, 20, "compiled for engine version %u.%u.%u, newer than this engine (%s)",
			in->engine_major, in->engine_minor, in->engine_patch, FC_ENGINE_VERSION);
		return false;
	}
	if (d[26] || d[27] || d[28 + 15]) {
		rd_fail(r, d[26] || d[27] ? 26 : 43, "reserved header bytes are not zero");
		return false;
	}
	in->compiler_version = fc_arena_strndup(r->u, (const char *)d + 28, strnlen((const char *)d + 28, 16));
	uint32_t nsec = le32(d + 44);
	uint8_t h[32];
	fc_fields_hash(h);
	memcpy(in->fields_hash, d + 56, 32);
	if (memcmp(h, in->fields_hash, 32) != 0) {
		char a[17], c[17];
		hex(a, in->fields_hash, 8);
		hex(c, h, 8);
		rd_fail(r, 56, "built against another field registry (hash %s..., this build's "
			       "is %s...): recompile the rules with this falcoc", a, c);
		return false;
	}
	fc_evttypes_hash(h);
	memcpy(in->evttypes_hash, d + 88, 32);
	if (memcmp(h, in->evttypes_hash, 32) != 0) {
		char a[17], c[17];
		hex(a, in->evttypes_hash, 8);
		hex(c, h, 8);
		rd_fail(r, 88, "built against another event-type table (hash %s..., this build's "
			       "is %s...): recompile the rules with this falcoc", a, c);
		return false;
	}
	if (le32(d + 120) || le32(d + 124)) {
		rd_fail(r, 120, "unknown header flags or reserved bytes set");
		return false;
	}
	/* sections: bounds, CRCs, order */
	size_t end = len - 32, pos = FC_BUNDLE_HEADER_SIZE;
	if (nsec > (end - pos) / FC_BUNDLE_SECTION_HEADER_SIZE) {
		rd_fail(r, 44, "%u sections cannot fit in the file", nsec);
		return false;
	}
	struct fc_bundle_section_info *si = fc_arena_alloc(r->u, (nsec ? nsec : 1) * sizeof(*si));
	uint32_t prev = 0;
	for (uint32_t i = 0; i < nsec; i++) {
		if (end - pos < FC_BUNDLE_SECTION_HEADER_SIZE) {
			rd_fail(r, pos, "truncated: section %u of %u has no room for its header", i + 1,
				nsec);
			return false;
		}
		si[i].type = le32(d + pos);
		si[i].flags = le32(d + pos + 4);
		si[i].len = le64(d + pos + 8);
		si[i].crc32 = le32(d + pos + 16);
		si[i].offset = pos + FC_BUNDLE_SECTION_HEADER_SIZE;
		const char *nm = fc_bundle_section_name(si[i].type);
		char tn[32];
		snprintf(tn, sizeof(tn), "%s (type %u)", nm ? nm : "unknown", si[i].type);
		r->sec = fc_arena_strndup(r->u, tn, strlen(tn));
		if (si[i].type <= prev) {
			rd_fail(r, pos, "sections out of order or repeated (type %u after %u)",
				si[i].type, prev);
			return false;
		}
		prev = si[i].type;
		if (si[i].flags & ~(uint32_t)FC_BUNDLE_SECF_OPTIONAL || le32(d + pos + 20)) {
			rd_fail(r, pos + 4, "unknown section flags or reserved bytes set");
			return false;
		}
		if (!nm && !(si[i].flags & FC_BUNDLE_SECF_OPTIONAL)) {
			rd_fail(r, pos, "unknown section type %u, not marked optional", si[i].type);
			return false;
		}
		uint64_t avail = end - si[i].offset;
		uint64_t padded = si[i].len + (8 - si[i].len % 8) % 8;
		if (si[i].len > avail || padded > avail) {
			rd_fail(r, pos + 8, "length %llu runs past the end of the sections (%llu bytes "
					    "left)", (unsigned long long)si[i].len,
				(unsigned long long)avail);
			return false;
		}
		uint32_t crc = fc_crc32(d + si[i].offset, (size_t)si[i].len);
		if (crc != si[i].crc32) {
			rd_fail(r, pos + 16, "CRC-32 mismatch (header 0x%08x, contents 0x%08x)",
				si[i].crc32, crc);
			return false;
		}
		for (uint64_t p = si[i].offset + si[i].len; p < si[i].offset + padded; p++)
			if (d[p]) {
				rd_fail(r, (size_t)p, "padding byte is not zero");
				return false;
			}
		pos = (size_t)(si[i].offset + padded);
	}
	r->sec = NULL;
	if (pos != end) {
		rd_fail(r, pos, "%zu bytes between the last section and the checksum", end - pos);
		return false;
	}
	for (uint32_t t = FC_BUNDLE_SEC_META; t <= FC_BUNDLE_SEC_EVTTYPES; t++) {
		bool found = false;
		for (uint32_t i = 0; i < nsec; i++)
			found |= si[i].type == t;
		if (!found) {
			rd_fail(r, FC_BUNDLE_HEADER_SIZE, "no %s section", fc_bundle_section_name(t));
			return false;
		}
	}
	in->sections = si;
	in->nsections = nsec;
	return true;
}

static struct fc_bundle *bundle_read(struct fc_unit *u, const uint8_t *d, size_t len,
				     const char *name)
{
	struct rd r = { .u = u, .name = name ? name : "<bundle>", .data = d };
	struct fc_bundle *b = fc_arena_alloc(u, sizeof(*b));
	b->data = d;
	if (len > FC_BUNDLE_MAX_SIZE) {
		rd_fail(&r, 0, "%zu bytes, larger than the %u a bundle may have", len,
			FC_BUNDLE_MAX_SIZE);
		return NULL;
	}
	if (!rd_frame(&r, b, len))
		return NULL;
	struct fc_ruleset *rs = fc_arena_alloc(u, sizeof(*rs));
	uint32_t counts[3] = { 0 };
	for (size_t i = 0; i < b->info.nsections && !r.failed; i++) {
		const struct fc_bundle_section_info *s = &b->info.sections[i];
		r.sec = fc_bundle_section_name(s->type);
		r.pos = (size_t)s->offset;
		r.end = (size_t)(s->offset + s->len);
		switch (s->type) {
		case FC_BUNDLE_SEC_META:
			dec_meta(&r, b, counts);
			break;
		case FC_BUNDLE_SEC_LISTS:
			dec_lists(&r, rs);
			if (!r.failed && rs->nlists != counts[1])
				rd_fail(&r, (size_t)s->offset, "%zu lists, META says %u", rs->nlists,
					counts[1]);
			break;
		case FC_BUNDLE_SEC_RULES:
			dec_rules(&r, rs);
			if (!r.failed && rs->nrules != counts[0])
				rd_fail(&r, (size_t)s->offset, "%zu rules, META says %u", rs->nrules,
					counts[0]);
			break;
		case FC_BUNDLE_SEC_EVTTYPES:
			dec_evttypes(&r, b);
			break;
		default:
			break;
		}
	}
	if (r.failed)
		return NULL;
	rs->order = (int)(rs->nrules + rs->nlists);
	b->rs = rs;
	return b;
}

struct fc_bundle *fc_bundle_read(struct fc_unit *u, const void *data, size_t len,
				 const char *name)
{
	if (len > FC_BUNDLE_MAX_SIZE)
		return bundle_read(u, data, len, name); /* refused before any copy */
	uint8_t *copy = fc_arena_alloc(u, len ? len : 1);
	if (len)
		memcpy(copy, data, len);
	return bundle_read(u, copy, len, name);
}

struct fc_bundle *fc_bundle_read_file(struct fc_unit *u, const char *path)
{
	FILE *f = fopen(path, "rb");
	const char *why = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	if (!f) {
		why = strerror(errno);
	} else if (fseek(f, 0, SEEK_END) != 0) {
		why = strerror(errno);
	} else {
		long n = ftell(f);
		if (n < 0)
			why = strerror(errno);
		else if ((unsigned long)n > FC_BUNDLE_MAX_SIZE)
			why = "larger than a bundle may be (1 GiB)";
		else {
			rewind(f);
			len = (size_t)n;
			data = fc_arena_alloc(u, len ? len : 1);
			if (fread(data, 1, len, f) != len)
				why = ferror(f) ? strerror(errno) : "the file shrank while read";
		}
	}
	if (f)
		fclose(f);
	if (why) {
		fc_diag(u, NULL, FC_ERROR, FC_LOAD_ERR_FILE_READ, "E-bundle",
			"%s: cannot read the bundle: %s", path, why);
		return NULL;
	}
	return bundle_read(u, data, len, path);
}

struct fc_ruleset *fc_bundle_ruleset(const struct fc_bundle *b)
{
	return b->rs;
}

const void *fc_bundle_section(const struct fc_bundle *b, uint32_t type, size_t *len)
{
	for (size_t i = 0; i < b->info.nsections; i++)
		if (b->info.sections[i].type == type) {
			if (len)
				*len = (size_t)b->info.sections[i].len;
			return b->data + b->info.sections[i].offset;
		}
	if (len)
		*len = 0;
	return NULL;
}

const struct fc_bundle_info *fc_bundle_info(const struct fc_bundle *b)
{
	return &b->info;
}
