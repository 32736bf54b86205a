/* SPDX-License-Identifier: Apache-2.0 */
/* fc_yaml.c - YAML streams as fc_ynode trees, read with libyaml's event API.
 *
 * Besides building the trees, this file gives every scalar a map from each byte of its value
 * back to the file. libyaml only reports where a scalar starts and ends, so the map is made by
 * re-running libyaml's scalar scanning rules (folding, chomping, escapes) over the raw text and
 * checking that they reproduce libyaml's value byte for byte. When they do not, the map is
 * dropped (lossy) rather than guessed. What the nodes mean as rules belongs to fc_rules_load.c,
 * not here. */
#include "compiler/fc_yaml.h"
#include "compiler/fc_unit.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Deeper nesting is rejected: consumers of the trees recurse. */
#define FC_YAML_MAX_DEPTH 1000

/* Candidate indentations tried for a block scalar before its map is given up. */
#define FC_YAML_MAX_INDENT_TRIES 128

static void *fc_yxrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		abort(); /* as fc_arena_alloc: OOM cannot go through the sink */
	return p;
}

/* ---- Per-byte maps ------------------------------------------------------------------------ */

/* A re-run of libyaml's scanner over one scalar: t/tlen is the whole file, v/vlen libyaml's
 * value. Each emitted byte is checked against the value and its file offset recorded. */
struct fc_ysim {
	const unsigned char *t;
	size_t tlen;
	const unsigned char *v;
	size_t vlen, i;
	unsigned *map;
	size_t last_end; /* file offset one past what produced the last byte */
	bool ok;
};

static void fc_ysim_emit(struct fc_ysim *s, unsigned char c, size_t at, size_t after)
{
	if (!s->ok)
		return;
	if (s->i >= s->vlen || s->v[s->i] != c) {
		s->ok = false;
		return;
	}
	s->map[s->i++] = (unsigned)at;
	s->last_end = after;
}

static unsigned char fc_ysim_at(const struct fc_ysim *s, size_t p)
{
	return p < s->tlen ? s->t[p] : '\0';
}

static bool fc_ysim_is_blank(const struct fc_ysim *s, size_t p)
{
	unsigned char c = fc_ysim_at(s, p);
	return c == ' ' || c == '\t';
}

/* Length of the line break at p, 0 if there is none: CR LF, CR, LF, NEL, LS, PS (libyaml's
 * IS_BREAK). */
static size_t fc_ysim_break_len(const struct fc_ysim *s, size_t p)
{
	unsigned char c = fc_ysim_at(s, p);
	if (c == '\r')
		return fc_ysim_at(s, p + 1) == '\n' ? 2 : 1;
	if (c == '\n')
		return 1;
	if (c == 0xC2 && fc_ysim_at(s, p + 1) == 0x85)
		return 2;
	if (c == 0xE2 && fc_ysim_at(s, p + 1) == 0x80 &&
	    (fc_ysim_at(s, p + 2) == 0xA8 || fc_ysim_at(s, p + 2) == 0xA9))
		return 3;
	return 0;
}

static bool fc_ysim_is_breakz(const struct fc_ysim *s, size_t p)
{
	return p >= s->tlen || s->t[p] == '\0' || fc_ysim_break_len(s, p) > 0;
}

/* libyaml's READ_LINE: LS and PS are kept, the other breaks become '\n'. */
static bool fc_ysim_break_is_lf(const struct fc_ysim *s, size_t p)
{
	return fc_ysim_at(s, p) != 0xE2;
}

static void fc_ysim_emit_break(struct fc_ysim *s, size_t p, size_t len)
{
	if (fc_ysim_break_is_lf(s, p)) {
		fc_ysim_emit(s, '\n', p, p + len);
		return;
	}
	for (size_t k = 0; k < len; k++)
		fc_ysim_emit(s, s->t[p + k], p + k, p + len);
}

/* Emits every line break in [from, to), a stretch that holds only breaks and blanks. */
static void fc_ysim_emit_breaks(struct fc_ysim *s, size_t from, size_t to)
{
	while (from < to) {
		size_t n = fc_ysim_break_len(s, from);
		if (n) {
			fc_ysim_emit_break(s, from, n);
			from += n;
		} else {
			from++;
		}
	}
}

static bool fc_ysim_has_break(const struct fc_ysim *s, size_t from, size_t to)
{
	for (; from < to; from++)
		if (fc_ysim_break_len(s, from))
			return true;
	return false;
}

static int fc_ysim_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* libyaml's one-character escapes in double-quoted scalars and the bytes they stand for. */
static const struct {
	unsigned char c, n;
	unsigned char out[3];
} fc_ysim_escapes[] = {
	{ '0', 1, { 0x00 } }, { 'a', 1, { 0x07 } }, { 'b', 1, { 0x08 } },  { 't', 1, { 0x09 } },
	{ '\t', 1, { 0x09 } }, { 'n', 1, { 0x0A } }, { 'v', 1, { 0x0B } },  { 'f', 1, { 0x0C } },
	{ 'r', 1, { 0x0D } }, { 'e', 1, { 0x1B } }, { ' ', 1, { ' ' } },   { '"', 1, { '"' } },
	{ '/', 1, { '/' } },  { '\'', 1, { '\'' } }, { '\\', 1, { '\\' } },
	{ 'N', 2, { 0xC2, 0x85 } },	  { '_', 2, { 0xC2, 0xA0 } },
	{ 'L', 3, { 0xE2, 0x80, 0xA8 } }, { 'P', 3, { 0xE2, 0x80, 0xA9 } },
};

/* A double-quoted escape at p (the backslash): emits its bytes, all mapped to the backslash,
 * and returns its length, or 0 when it is not one libyaml knows. */
static size_t fc_ysim_escape(struct fc_ysim *s, size_t p)
{
	unsigned char out[4];
	size_t nout = 0, len = 2, ndig = 0;
	unsigned char e = fc_ysim_at(s, p + 1);
	if (e == 'x')
		ndig = 2;
	else if (e == 'u')
		ndig = 4;
	else if (e == 'U')
		ndig = 8;
	for (size_t k = 0; !ndig && k < sizeof(fc_ysim_escapes) / sizeof(fc_ysim_escapes[0]); k++) {
		if (fc_ysim_escapes[k].c == e) {
			nout = fc_ysim_escapes[k].n;
			memcpy(out, fc_ysim_escapes[k].out, nout);
			break;
		}
	}
	if (!ndig && !nout)
		return 0;
	if (ndig) {
		unsigned long cp = 0;
		for (size_t k = 0; k < ndig; k++) {
			int h = fc_ysim_hex(fc_ysim_at(s, p + 2 + k));
			if (h < 0)
				return 0;
			cp = cp << 4 | (unsigned)h;
		}
		len += ndig;
		if (cp <= 0x7F) {
			out[0] = (unsigned char)cp;
			nout = 1;
		} else if (cp <= 0x7FF) {
			out[0] = (unsigned char)(0xC0 | cp >> 6);
			out[1] = (unsigned char)(0x80 | (cp & 0x3F));
			nout = 2;
		} else if (cp <= 0xFFFF) {
			out[0] = (unsigned char)(0xE0 | cp >> 12);
			out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
			out[2] = (unsigned char)(0x80 | (cp & 0x3F));
			nout = 3;
		} else {
			out[0] = (unsigned char)(0xF0 | (cp >> 18 & 0x07));
			out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
			out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
			out[3] = (unsigned char)(0x80 | (cp & 0x3F));
			nout = 4;
		}
	}
	for (size_t k = 0; k < nout; k++)
		fc_ysim_emit(s, out[k], p, p + len);
	return len;
}

/* Plain, single- and double-quoted scalars (libyaml's scan_plain_scalar and scan_flow_scalar):
 * runs of blanks inside a line are kept; a line break with the blanks around it folds to ' ',
 * or to the following empty lines' breaks. A fold's ' ' maps to the line break it replaces.
 * quote is 0 for a plain scalar, which is then bounded by end (its end mark). */
static void fc_ysim_flow(struct fc_ysim *s, size_t p, size_t end, unsigned char quote)
{
	bool single = quote == '\'', dbl = quote == '"';
	if (quote) {
		if (fc_ysim_at(s, p) != quote) {
			s->ok = false;
			return;
		}
		p++;
		end = s->tlen;
	}
	s->last_end = p;
	while (s->ok) {
		/* Non-blank characters. */
		bool leading_blanks = false;
		size_t lb = 0, lb_len = 0, tb = 0;
		while (p < end && !fc_ysim_is_blank(s, p) && !fc_ysim_is_breakz(s, p)) {
			unsigned char c = s->t[p];
			if (single && c == '\'' && fc_ysim_at(s, p + 1) == '\'') {
				fc_ysim_emit(s, '\'', p, p + 2);
				p += 2;
			} else if (quote && c == quote) {
				break;
			} else if (dbl && c == '\\' && fc_ysim_break_len(s, p + 1)) {
				p += 1 + fc_ysim_break_len(s, p + 1);
				leading_blanks = true;
				tb = p;
				break;
			} else if (dbl && c == '\\') {
				size_t n = fc_ysim_escape(s, p);
				if (!n) {
					s->ok = false;
					return;
				}
				p += n;
			} else {
				fc_ysim_emit(s, c, p, p + 1);
				p++;
			}
		}
		if (!s->ok)
			return;
		if (quote && fc_ysim_at(s, p) == quote)
			return;
		if (p >= end) {
			if (quote)
				s->ok = false; /* unterminated: libyaml would have failed */
			return;
		}
		/* Blanks and breaks. */
		size_t ws = p, ws_end = p;
		while (p < end && (fc_ysim_is_blank(s, p) || fc_ysim_break_len(s, p))) {
			if (fc_ysim_is_blank(s, p)) {
				p++;
				if (!leading_blanks)
					ws_end = p;
			} else {
				size_t n = fc_ysim_break_len(s, p);
				if (!leading_blanks) {
					lb = p;
					lb_len = n;
					leading_blanks = true;
					tb = p + n;
				}
				p += n;
			}
		}
		/* A plain scalar joins only when more text follows, i.e. always inside [.., end).
		 */
		if (!quote && p >= end)
			return;
		if (leading_blanks) {
			if (lb_len && fc_ysim_break_is_lf(s, lb)) {
				if (!fc_ysim_has_break(s, tb, p))
					fc_ysim_emit(s, ' ', lb, lb + lb_len);
				else
					fc_ysim_emit_breaks(s, tb, p);
			} else {
				if (lb_len)
					fc_ysim_emit_break(s, lb, lb_len);
				fc_ysim_emit_breaks(s, tb, p);
			}
		} else {
			for (size_t k = ws; k < ws_end; k++)
				fc_ysim_emit(s, s->t[k], k, k + 1);
		}
	}
}

/* The header of a block scalar at p ('|' or '>', chomping and indentation indicators, a
 * comment, the line break). Returns the offset of the first content line, or SIZE_MAX. */
static size_t fc_ysim_block_header(const struct fc_ysim *s, size_t p, int *chomping, int *incr)
{
	p++;
	*chomping = 0;
	*incr = 0;
	for (int k = 0; k < 2; k++) {
		unsigned char c = fc_ysim_at(s, p);
		if ((c == '+' || c == '-') && !*chomping) {
			*chomping = c == '+' ? 1 : -1;
			p++;
		} else if (c >= '1' && c <= '9' && !*incr) {
			*incr = c - '0';
			p++;
		}
	}
	while (fc_ysim_is_blank(s, p))
		p++;
	if (fc_ysim_at(s, p) == '#')
		while (!fc_ysim_is_breakz(s, p))
			p++;
	if (p >= s->tlen || s->t[p] == '\0')
		return p;
	size_t n = fc_ysim_break_len(s, p);
	return n ? p + n : SIZE_MAX;
}

/* libyaml's scan_block_scalar_breaks with a known indentation: eats indentation spaces and
 * empty lines. */
static size_t fc_ysim_block_breaks(const struct fc_ysim *s, size_t p, size_t *line, size_t indent)
{
	for (;;) {
		while (p - *line < indent && fc_ysim_at(s, p) == ' ')
			p++;
		size_t n = p < s->tlen ? fc_ysim_break_len(s, p) : 0;
		if (!n)
			return p;
		p += n;
		*line = p;
	}
}

/* A literal or folded block scalar (libyaml's scan_block_scalar) content indented by indent,
 * starting at the first line after the header. */
static void fc_ysim_block(struct fc_ysim *s, size_t p, bool literal, int chomping, size_t indent)
{
	size_t line = p, lb = 0, lb_len = 0;
	bool leading_blank = false;
	s->last_end = p;
	size_t tb = p;
	p = fc_ysim_block_breaks(s, p, &line, indent);
	size_t tb_end = p;
	while (s->ok && p - line == indent && p < s->tlen && s->t[p] != '\0') {
		bool trailing_blank = fc_ysim_is_blank(s, p);
		if (!literal && lb_len && fc_ysim_break_is_lf(s, lb) && !leading_blank &&
		    !trailing_blank) {
			if (!fc_ysim_has_break(s, tb, tb_end))
				fc_ysim_emit(s, ' ', lb, lb + lb_len);
		} else if (lb_len) {
			fc_ysim_emit_break(s, lb, lb_len);
		}
		lb_len = 0;
		fc_ysim_emit_breaks(s, tb, tb_end);
		leading_blank = fc_ysim_is_blank(s, p);
		while (!fc_ysim_is_breakz(s, p)) {
			fc_ysim_emit(s, s->t[p], p, p + 1);
			p++;
		}
		lb = p;
		lb_len = p < s->tlen ? fc_ysim_break_len(s, p) : 0;
		p += lb_len;
		line = p;
		tb = p;
		p = fc_ysim_block_breaks(s, p, &line, indent);
		tb_end = p;
	}
	if (chomping != -1 && lb_len)
		fc_ysim_emit_break(s, lb, lb_len);
	if (chomping == 1)
		fc_ysim_emit_breaks(s, tb, tb_end);
}

/* libyaml's guess of a block scalar's indentation when no indicator is given (its floor of
 * the parent's indentation + 1 is unknown here; the caller tries other values). */
static size_t fc_ysim_block_guess(const struct fc_ysim *s, size_t p, size_t *first_line_spaces)
{
	size_t max = 0, line = p;
	for (;;) {
		while (fc_ysim_at(s, p) == ' ')
			p++;
		if (p - line > max)
			max = p - line;
		size_t n = p < s->tlen ? fc_ysim_break_len(s, p) : 0;
		if (!n)
			break;
		p += n;
		line = p;
	}
	*first_line_spaces = p - line;
	return max ? max : 1;
}

/* Skips the node properties (anchor, tag) in front of a scalar's content. */
static size_t fc_ysim_skip_props(const struct fc_ysim *s, size_t p, size_t end)
{
	while (p < end) {
		unsigned char c = s->t[p];
		if (c == ' ' || c == '\t' || fc_ysim_break_len(s, p)) {
			p++;
		} else if (c == '#') {
			while (p < end && !fc_ysim_is_breakz(s, p))
				p++;
		} else if (c == '&' || c == '!') {
			while (p < end && !fc_ysim_is_blank(s, p) && !fc_ysim_is_breakz(s, p))
				p++;
		} else {
			break;
		}
	}
	return p;
}

static bool fc_ysim_done(struct fc_ysim *s)
{
	if (!s->ok || s->i != s->vlen)
		return false;
	s->map[s->vlen] = (unsigned)s->last_end;
	return true;
}

/* The map of a scalar whose event spans file bytes [start, end); NULL when lossy. */
static const unsigned *fc_yaml_scalar_map(struct fc_unit *u, const struct fc_src *src, size_t start,
                                          size_t end, bool props, const yaml_event_t *ev,
                                          enum fc_yscalar_style style)
{
	struct fc_ysim s = {
	    .t = (const unsigned char *)src->text,
	    .tlen = src->len,
	    .v = ev->data.scalar.value,
	    .vlen = ev->data.scalar.length,
	};
	if (end > s.tlen || start > end)
		return NULL;
	if (props)
		start = fc_ysim_skip_props(&s, start, end);
	s.map = fc_arena_alloc(u, (s.vlen + 1) * sizeof(*s.map));
	if (style == FC_YS_PLAIN || style == FC_YS_SINGLE || style == FC_YS_DOUBLE) {
		unsigned char q = style == FC_YS_SINGLE ? '\'' : style == FC_YS_DOUBLE ? '"' : 0;
		s.ok = true;
		fc_ysim_flow(&s, start, end, q);
		return fc_ysim_done(&s) ? s.map : NULL;
	}
	unsigned char ind = fc_ysim_at(&s, start);
	if (ind != (style == FC_YS_LITERAL ? '|' : '>'))
		return NULL;
	int chomping, incr;
	size_t body = fc_ysim_block_header(&s, start, &chomping, &incr);
	if (body == SIZE_MAX)
		return NULL;
	size_t first_spaces;
	size_t guess = fc_ysim_block_guess(&s, body, &first_spaces);
	if (incr)
		guess = (size_t)incr;
	for (size_t k = 0; k <= first_spaces + 1 && k < FC_YAML_MAX_INDENT_TRIES; k++) {
		size_t indent = k == 0 ? guess : k;
		if (k && indent == guess)
			continue;
		s.i = 0;
		s.ok = true;
		fc_ysim_block(&s, body, style == FC_YS_LITERAL, chomping, indent);
		if (fc_ysim_done(&s))
			return s.map;
	}
	return NULL;
}

/* ---- Trees -------------------------------------------------------------------------------- */

struct fc_yframe {
	struct fc_ynode *n;
	struct fc_ynode **kids;
	size_t nkids, cap;
	const char *anchor;
	bool block;
	size_t last_end; /* byte offset where the last child ended */
};

struct fc_yanchor {
	const char *name;
	struct fc_ynode *n;
};

struct fc_yload {
	struct fc_unit *u;
	const struct fc_src *src;
	unsigned *cmap; /* libyaml's mark.index counts characters: char -> byte offset */
	size_t ncmap;
	struct fc_yframe *stack;
	size_t depth, stack_cap;
	struct fc_yanchor *anchors;
	size_t nanchors, anchors_cap;
	struct fc_ydoc *docs;
	size_t ndocs, docs_cap;
	struct fc_ydoc cur;
	size_t doc_end;
};

static void fc_yload_build_cmap(struct fc_yload *b)
{
	const unsigned char *t = (const unsigned char *)b->src->text;
	size_t n = 0;
	bool ascii = true;
	for (size_t i = 0; i < b->src->len; i++) {
		ascii &= t[i] < 0x80;
		n += (t[i] & 0xC0) != 0x80;
	}
	if (ascii)
		return;
	b->cmap = fc_yxrealloc(NULL, (n + 1) * sizeof(*b->cmap));
	size_t k = 0;
	for (size_t i = 0; i < b->src->len; i++)
		if ((t[i] & 0xC0) != 0x80)
			b->cmap[k++] = (unsigned)i;
	b->cmap[k] = (unsigned)b->src->len;
	b->ncmap = k + 1;
}

/* The file byte offset of a libyaml mark. */
static size_t fc_yload_off(const struct fc_yload *b, const yaml_mark_t *m)
{
	if (!b->cmap)
		return m->index < b->src->len ? m->index : b->src->len;
	return m->index < b->ncmap ? b->cmap[m->index] : b->src->len;
}

/* A one-byte location at file offset off (zero bytes at the end of the file). */
static struct fc_loc fc_yload_loc1(const struct fc_yload *b, size_t off)
{
	if (off > b->src->len)
		off = b->src->len;
	return fc_loc_at(b->src, (unsigned)off, (unsigned)(off < b->src->len ? off + 1 : off));
}

static struct fc_diag *fc_yload_diag(struct fc_yload *b, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct fc_diag *fc_yload_diag(struct fc_yload *b, size_t off, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct fc_loc loc = fc_yload_loc1(b, off);
	fc_diag_context(b->u, "rules content", "");
	return fc_diag(b->u, &loc, FC_ERROR, FC_LOAD_ERR_YAML_PARSE, "E-yaml", "%s", msg);
}

static int fc_yload_parser_error(struct fc_yload *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "cannot parse YAML";
	size_t off;
	if (p->error == YAML_READER_ERROR)
		off = p->problem_offset;
	else
		off = fc_yload_off(b, &p->problem_mark);
	if (p->error == YAML_MEMORY_ERROR)
		problem = "out of memory";
	if (!p->context) {
		fc_yload_diag(b, off, "%s", problem);
		return -EINVAL;
	}
	struct fc_diag *d = fc_yload_diag(b, off, "%s %s", problem, p->context);
	size_t ctx = fc_yload_off(b, &p->context_mark);
	if (ctx != off) {
		struct fc_loc loc = fc_yload_loc1(b, ctx);
		fc_diag_note(b->u, d, &loc, "%s", p->context);
	}
	return -EINVAL;
}

static struct fc_ynode *fc_yload_node(struct fc_yload *b, enum fc_ynode_kind kind,
                                      const yaml_event_t *ev, const yaml_char_t *tag)
{
	struct fc_ynode *n = fc_arena_alloc(b->u, sizeof(*n));
	n->kind = kind;
	size_t off = fc_yload_off(b, &ev->start_mark), end = fc_yload_off(b, &ev->end_mark);
	n->loc = fc_loc_at(b->src, (unsigned)off, (unsigned)(end > off ? end : off));
	if (tag)
		n->tag = fc_intern(b->u, (const char *)tag);
	return n;
}

static void fc_yload_anchor(struct fc_yload *b, const yaml_char_t *name, struct fc_ynode *n)
{
	if (!name)
		return;
	if (b->nanchors == b->anchors_cap) {
		b->anchors_cap = b->anchors_cap ? 2 * b->anchors_cap : 16;
		b->anchors = fc_yxrealloc(b->anchors, b->anchors_cap * sizeof(*b->anchors));
	}
	b->anchors[b->nanchors].name = fc_intern(b->u, (const char *)name);
	b->anchors[b->nanchors++].n = n;
}

/* Hands a finished node to the open collection, or makes it the document's root. */
static void fc_yload_add(struct fc_yload *b, struct fc_ynode *n, size_t end)
{
	if (!b->depth) {
		b->cur.root = n;
		b->doc_end = end;
		return;
	}
	struct fc_yframe *f = &b->stack[b->depth - 1];
	if (f->nkids == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->kids = fc_yxrealloc(f->kids, f->cap * sizeof(*f->kids));
	}
	f->kids[f->nkids++] = n;
	f->last_end = end;
}

static int fc_yload_scalar(struct fc_yload *b, const yaml_event_t *ev)
{
	struct fc_ynode *n = fc_yload_node(b, FC_Y_SCALAR, ev, ev->data.scalar.tag);
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	n->scalar.s = fc_arena_strndup(b->u, v, len);
	n->scalar.len = len;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		n->scalar.style = FC_YS_SINGLE;
		break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		n->scalar.style = FC_YS_DOUBLE;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
		n->scalar.style = FC_YS_LITERAL;
		break;
	case YAML_FOLDED_SCALAR_STYLE:
		n->scalar.style = FC_YS_FOLDED;
		break;
	default:
		n->scalar.style = FC_YS_PLAIN;
		break;
	}
	if (n->tag)
		n->scalar.is_null = strcmp(n->tag, YAML_NULL_TAG) == 0;
	else if (n->scalar.style == FC_YS_PLAIN)
		n->scalar.is_null = len == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
		                    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
	size_t start = fc_yload_off(b, &ev->start_mark), end = fc_yload_off(b, &ev->end_mark);
	if (len == 0 && n->scalar.style == FC_YS_PLAIN) {
		unsigned *m = fc_arena_alloc(b->u, sizeof(*m));
		m[0] = (unsigned)(ev->data.scalar.anchor || ev->data.scalar.tag ? end : start);
		n->scalar.map = m;
	} else {
		n->scalar.map = fc_yaml_scalar_map(b->u, b->src, start, end,
		                                   ev->data.scalar.anchor || ev->data.scalar.tag,
		                                   ev, n->scalar.style);
	}
	fc_yload_anchor(b, ev->data.scalar.anchor, n);
	fc_yload_add(b, n, end);
	return 0;
}

static int fc_yload_open(struct fc_yload *b, const yaml_event_t *ev)
{
	bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
	size_t off = fc_yload_off(b, &ev->start_mark);
	if (b->depth >= FC_YAML_MAX_DEPTH) {
		fc_yload_diag(b, off, "nesting deeper than %d levels", FC_YAML_MAX_DEPTH);
		return -EINVAL;
	}
	if (b->depth == b->stack_cap) {
		b->stack_cap = b->stack_cap ? 2 * b->stack_cap : 16;
		b->stack = fc_yxrealloc(b->stack, b->stack_cap * sizeof(*b->stack));
	}
	struct fc_yframe *f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	if (seq) {
		f->n = fc_yload_node(b, FC_Y_SEQ, ev, ev->data.sequence_start.tag);
		f->anchor = (const char *)ev->data.sequence_start.anchor;
		f->block = ev->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
	} else {
		f->n = fc_yload_node(b, FC_Y_MAP, ev, ev->data.mapping_start.tag);
		f->anchor = (const char *)ev->data.mapping_start.anchor;
		f->block = ev->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE;
	}
	if (f->anchor)
		f->anchor = fc_intern(b->u, f->anchor); /* the event is freed before the end */
	f->last_end = fc_yload_off(b, &ev->end_mark);
	return 0;
}

static void fc_yload_close(struct fc_yload *b, const yaml_event_t *ev)
{
	struct fc_yframe *f = &b->stack[b->depth - 1];
	struct fc_ynode *n = f->n;
	/* A block collection's end event stands at the next token: end at the last child. */
	size_t end = f->block ? f->last_end : fc_yload_off(b, &ev->end_mark);
	if (end < n->loc.off)
		end = n->loc.off;
	n->loc = fc_loc_at(b->src, n->loc.off, (unsigned)end);
	if (n->kind == FC_Y_SEQ) {
		n->seq.n = f->nkids;
		n->seq.items = fc_arena_alloc(b->u, f->nkids * sizeof(*n->seq.items));
		if (f->nkids)
			memcpy(n->seq.items, f->kids, f->nkids * sizeof(*n->seq.items));
	} else {
		n->map.n = f->nkids / 2;
		n->map.pairs = fc_arena_alloc(b->u, n->map.n * sizeof(*n->map.pairs));
		for (size_t i = 0; i < n->map.n; i++) {
			n->map.pairs[i].key = f->kids[2 * i];
			n->map.pairs[i].value = f->kids[2 * i + 1];
		}
	}
	free(f->kids);
	const char *anchor = f->anchor;
	b->depth--;
	/* Registered only now, so an alias inside its own anchor is undefined (no cycles). */
	if (anchor)
		fc_yload_anchor(b, (const yaml_char_t *)anchor, n);
	fc_yload_add(b, n, end);
}

static int fc_yload_alias(struct fc_yload *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	for (size_t i = b->nanchors; i-- > 0;) {
		if (strcmp(b->anchors[i].name, name) == 0) {
			fc_yload_add(b, b->anchors[i].n, fc_yload_off(b, &ev->end_mark));
			return 0;
		}
	}
	fc_yload_diag(b, fc_yload_off(b, &ev->start_mark), "found undefined alias '%s'", name);
	return -EINVAL;
}

static void fc_yload_doc_end(struct fc_yload *b)
{
	struct fc_ynode *r = b->cur.root;
	/* A document with no content ('---' alone) has an empty plain scalar as its root. */
	if (r && r->kind == FC_Y_SCALAR && r->scalar.len == 0 && r->scalar.style == FC_YS_PLAIN &&
	    !r->tag)
		b->cur.root = NULL;
	if (b->ndocs == b->docs_cap) {
		b->docs_cap = b->docs_cap ? 2 * b->docs_cap : 4;
		b->docs = fc_yxrealloc(b->docs, b->docs_cap * sizeof(*b->docs));
	}
	b->docs[b->ndocs++] = b->cur;
	b->nanchors = 0; /* anchors are scoped to their document */
}

static int fc_yload_event(struct fc_yload *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT: {
		size_t off = fc_yload_off(b, &ev->start_mark);
		memset(&b->cur, 0, sizeof(b->cur));
		b->cur.loc = fc_loc_at(b->src, (unsigned)off, (unsigned)off);
		return 0;
	}
	case YAML_DOCUMENT_END_EVENT:
		fc_yload_doc_end(b);
		return 0;
	case YAML_SCALAR_EVENT:
		return fc_yload_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return fc_yload_open(b, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth)
			fc_yload_close(b, ev);
		return 0;
	case YAML_ALIAS_EVENT:
		return fc_yload_alias(b, ev);
	default:
		return 0;
	}
}

int fc_yaml_load(struct fc_unit *u, const struct fc_src *src, struct fc_ydoc **docs, size_t *ndocs)
{
	struct fc_yload b = {.u = u, .src = src};
	*docs = NULL;
	*ndocs = 0;
	if (src->len >= UINT_MAX) {
		fc_yload_diag(&b, 0, "file too large");
		return -EINVAL;
	}
	fc_yload_build_cmap(&b);

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		free(b.cmap);
		fc_yload_diag(&b, 0, "out of memory");
		return -EINVAL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)src->text, src->len);
	/* Always UTF-8: byte offsets come from the text as given (a UTF-8 BOM is allowed). */
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	int err = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			err = fc_yload_parser_error(&b, &p);
			break;
		}
		err = fc_yload_event(&b, &ev);
		bool end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (err || end)
			break;
	}
	yaml_parser_delete(&p);

	for (size_t i = 0; i < b.depth; i++)
		free(b.stack[i].kids);
	free(b.stack);
	free(b.anchors);
	free(b.cmap);
	if (b.ndocs) {
		*docs = fc_arena_alloc(u, b.ndocs * sizeof(**docs));
		memcpy(*docs, b.docs, b.ndocs * sizeof(**docs));
		*ndocs = b.ndocs;
	}
	free(b.docs);
	return err;
}

struct fc_loc fc_yaml_scalar_loc(const struct fc_ynode *n, size_t off, size_t end)
{
	if (n->kind != FC_Y_SCALAR || !n->scalar.map || !n->loc.src)
		return n->loc;
	size_t len = n->scalar.len;
	const unsigned *m = n->scalar.map;
	if (off > len)
		off = len;
	if (end > len)
		end = len;
	if (end < off)
		end = off;
	unsigned a = m[off], z = a;
	if (end > off) {
		z = m[end - 1] + 1;
		/* An escape produced the last byte: cover the whole escape sequence. */
		if (n->scalar.style == FC_YS_DOUBLE && n->loc.src->text[m[end - 1]] == '\\' &&
		    m[end] > z)
			z = m[end];
	}
	return fc_loc_at(n->loc.src, a, z);
}

struct fc_ynode *fc_ymap_get(const struct fc_ynode *map, const char *key)
{
	if (!map || map->kind != FC_Y_MAP)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = 0; i < map->map.n; i++) {
		const struct fc_ynode *k = map->map.pairs[i].key;
		if (k->kind == FC_Y_SCALAR && k->scalar.len == n &&
		    memcmp(k->scalar.s, key, n) == 0)
			return map->map.pairs[i].value;
	}
	return NULL;
}
