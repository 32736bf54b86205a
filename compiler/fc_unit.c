/* SPDX-License-Identifier: Apache-2.0 */
/* fc_unit.c - compilation units: the arena, the string interner and the sources.
 *
 * Everything a unit allocates is freed by fc_unit_free() in one go. Diagnostics live in
 * fc_diag.c; nothing here knows about rules or conditions. */
#include "compiler/fc.h"
#include "compiler/fc_unit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FC_CHUNK_SIZE (64 * 1024)

struct fc_chunk {
	struct fc_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct fc_unit *fc_unit_new(const struct fc_options *opts)
{
	struct fc_unit *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	if (opts)
		u->opts = *opts;
	if (u->opts.max_errors_per_file <= 0)
		u->opts.max_errors_per_file = 20;
	u->diag_tail = &u->diags;
	return u;
}

void fc_unit_free(struct fc_unit *u)
{
	if (!u)
		return;
	struct fc_chunk *c = u->chunks;
	while (c) {
		struct fc_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(u->interned);
	free(u);
}

static void fc_oom(void)
{
	/* The library cannot report OOM through the sink (which allocates), so it aborts. */
	abort();
}

void *fc_arena_alloc(struct fc_unit *u, size_t n)
{
	const size_t align = sizeof(max_align_t);
	n = (n + align - 1) & ~(align - 1);
	struct fc_chunk *c = u->chunks;
	if (!c || c->size - c->used < n) {
		size_t size = n > FC_CHUNK_SIZE ? n : FC_CHUNK_SIZE;
		c = malloc(sizeof(*c) + size);
		if (!c)
			fc_oom();
		c->size = size;
		c->used = 0;
		/* A huge one-off allocation goes behind the current chunk so the current chunk's
		 * free space is not wasted. */
		if (u->chunks && n > FC_CHUNK_SIZE) {
			c->next = u->chunks->next;
			u->chunks->next = c;
		} else {
			c->next = u->chunks;
			u->chunks = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *fc_arena_strndup(struct fc_unit *u, const char *s, size_t n)
{
	char *p = fc_arena_alloc(u, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *fc_arena_vprintf(struct fc_unit *u, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		n = 0;
	char *p = fc_arena_alloc(u, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *fc_arena_printf(struct fc_unit *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = fc_arena_vprintf(u, fmt, ap);
	va_end(ap);
	return p;
}

/* The interner: open addressing over arena strings, grown at 50% load. */
static uint32_t fc_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

const char *fc_intern_n(struct fc_unit *u, const char *s, size_t n)
{
	if (u->ninterned * 2 >= u->interned_cap) {
		size_t cap = u->interned_cap ? u->interned_cap * 2 : 256;
		const char **t = calloc(cap, sizeof(*t));
		if (!t)
			fc_oom();
		for (size_t i = 0; i < u->interned_cap; i++) {
			const char *e = u->interned[i];
			if (!e)
				continue;
			size_t j = fc_hash(e, strlen(e)) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = e;
		}
		free(u->interned);
		u->interned = t;
		u->interned_cap = cap;
	}
	size_t j = fc_hash(s, n) & (u->interned_cap - 1);
	for (;;) {
		const char *e = u->interned[j];
		if (!e)
			break;
		if (strncmp(e, s, n) == 0 && e[n] == '\0')
			return e;
		j = (j + 1) & (u->interned_cap - 1);
	}
	const char *p = fc_arena_strndup(u, s, n);
	u->interned[j] = p;
	u->ninterned++;
	return p;
}

const char *fc_intern(struct fc_unit *u, const char *s)
{
	return fc_intern_n(u, s, strlen(s));
}

const struct fc_src *fc_src_add(struct fc_unit *u, const char *path, const char *text, size_t len)
{
	struct fc_src *s = fc_arena_alloc(u, sizeof(*s));
	s->path = fc_intern(u, path);
	s->text = fc_arena_strndup(u, text, len);
	s->len = len;
	unsigned n = 1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	s->lines = fc_arena_alloc(u, n * sizeof(*s->lines));
	s->lines[0] = 0;
	unsigned k = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			s->lines[k++] = (unsigned)i + 1;
	s->nlines = n;
	return s;
}

const struct fc_src *fc_src_read(struct fc_unit *u, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int err = errno;
		/* The diagnostic names the file (for per-file results) but no line. */
		struct fc_loc at = { .src = fc_src_add(u, path, "", 0) };
		fc_diag_context(u, "rules content", "");
		struct fc_diag *d = fc_diag(u, &at, FC_ERROR, FC_LOAD_ERR_FILE_READ, "E-file",
					    "cannot open '%s': %s", path, strerror(err));
		d->has_loc = false;
		return NULL;
	}
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		fc_oom();
	size_t r;
	while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				fc_oom();
		}
	}
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		free(buf);
		struct fc_loc at = { .src = fc_src_add(u, path, "", 0) };
		fc_diag_context(u, "rules content", "");
		struct fc_diag *d = fc_diag(u, &at, FC_ERROR, FC_LOAD_ERR_FILE_READ, "E-file",
					    "cannot read '%s': %s", path, strerror(err));
		d->has_loc = false;
		return NULL;
	}
	const struct fc_src *s = fc_src_add(u, path, buf, len);
	free(buf);
	return s;
}

void fc_src_position(const struct fc_src *s, unsigned off, int *line, int *col)
{
	if (off > s->len)
		off = (unsigned)s->len;
	unsigned lo = 0, hi = s->nlines;
	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;
		if (s->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (int)lo + 1;
	*col = (int)(off - s->lines[lo]) + 1;
}

struct fc_loc fc_loc_at(const struct fc_src *s, unsigned off, unsigned end)
{
	struct fc_loc l = { 0 };
	l.src = s;
	l.off = off;
	l.end = end;
	fc_src_position(s, off, &l.first_line, &l.first_column);
	fc_src_position(s, end > off ? end - 1 : off, &l.last_line, &l.last_column);
	return l;
}
