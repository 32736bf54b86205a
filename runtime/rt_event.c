/* SPDX-License-Identifier: Apache-2.0 */
/* rt_event.c - the event type table (from bpf/fk_events.def), decoding of event records
 * into views, typed parameter access, and a builder for records. No state here. */
#include "runtime/rt_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FK_UNPAREN(...) __VA_ARGS__
#define FK_P(n, t) { #n, FK_PT_##t }
#define FK_EVENT(id, name, flags, params) \
	static const struct rt_param_info rt_params_##id[] = { FK_UNPAREN params };
#include "bpf/fk_events.def"
#undef FK_EVENT

static const struct rt_event_info rt_events[FK_EVENT_COUNT] = {
#define FK_EVENT(id, name, flags, params) \
	[FK_EVENT_##id] = { #name, flags, sizeof(rt_params_##id) / sizeof(rt_params_##id[0]), \
			    rt_params_##id },
#include "bpf/fk_events.def"
#undef FK_EVENT
};
#undef FK_P

const struct rt_event_info *rt_event_info(unsigned type)
{
	return type < FK_EVENT_COUNT ? &rt_events[type] : NULL;
}

int rt_event_param_index(unsigned type, const char *name)
{
	const struct rt_event_info *e = rt_event_info(type);
	if (!e)
		return -1;
	for (unsigned i = 0; i < e->nparams; i++)
		if (strcmp(e->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

int rt_event_type_lookup(const char *name, bool enter)
{
	for (unsigned i = 0; i < FK_EVENT_COUNT; i++)
		if (strcmp(rt_events[i].name, name) == 0 &&
		    !!(rt_events[i].flags & FK_EF_ENTER) == enter)
			return (int)i;
	return -1;
}

int rt_event_decode(struct rt_event *ev, const void *buf, size_t len, char *err, size_t errlen)
{
	const uint8_t *b = buf;
	memset(ev, 0, sizeof(*ev));
	ev->fdnum = -1;
	if (len < sizeof(struct fk_event_hdr)) {
		snprintf(err, errlen, "truncated event header (%zu of %zu bytes)", len,
			 sizeof(struct fk_event_hdr));
		return -1;
	}
	const struct fk_event_hdr *h = buf;
	if (h->len < sizeof(*h) || h->len > len) {
		snprintf(err, errlen, "event length %u is %s", h->len,
			 h->len < sizeof(*h) ? "shorter than its header" : "past the end of the data");
		return -1;
	}
	if (h->type >= FK_EVENT_COUNT) {
		snprintf(err, errlen, "unknown event type %u", h->type);
		return -1;
	}
	if (h->nparams > FK_MAX_PARAMS) {
		snprintf(err, errlen, "%u parameters (at most %d)", h->nparams, FK_MAX_PARAMS);
		return -1;
	}
	size_t off = sizeof(*h) + (size_t)h->nparams * sizeof(uint16_t);
	if (off > h->len) {
		snprintf(err, errlen, "parameter lengths past the end of the event");
		return -1;
	}
	const uint8_t *lens = b + sizeof(*h);
	for (unsigned i = 0; i < h->nparams; i++) {
		uint16_t l;
		memcpy(&l, lens + 2 * i, sizeof(l));
		if (off + l > h->len) {
			snprintf(err, errlen, "parameter %u (%u bytes) runs past the end of the event",
				 i, l);
			return -1;
		}
		ev->param[i] = b + off;
		ev->plen[i] = l;
		off += l;
	}
	ev->hdr = h;
	ev->info = &rt_events[h->type];
	ev->nparams = h->nparams;
	return 0;
}

const char *rt_event_name(const struct rt_event *ev)
{
	if (ev->info->flags & FK_EF_GENERIC) {
		const char *id = rt_param_str(ev, "ID");
		return id && *id ? id : "syscall";
	}
	return ev->info->name;
}

bool rt_param_index(const struct rt_event *ev, int i, const uint8_t **p, uint16_t *len)
{
	if (i < 0 || (unsigned)i >= ev->nparams || ev->plen[i] == 0)
		return false;
	*p = ev->param[i];
	*len = ev->plen[i];
	return true;
}

bool rt_param_bytes(const struct rt_event *ev, const char *name, const uint8_t **p,
		    uint16_t *len)
{
	return rt_param_index(ev, rt_event_param_index(ev->hdr->type, name), p, len);
}

static bool rt_param_int(const struct rt_event *ev, const char *name, uint64_t *u, bool sign)
{
	const uint8_t *p;
	uint16_t len;
	if (!rt_param_bytes(ev, name, &p, &len))
		return false;
	switch (len) {
	case 1:
		*u = sign ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
		return true;
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		*u = sign ? (uint64_t)(int64_t)(int16_t)v : v;
		return true;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		*u = sign ? (uint64_t)(int64_t)(int32_t)v : v;
		return true;
	}
	case 8:
		memcpy(u, p, 8);
		return true;
	default:
		return false;
	}
}

bool rt_param_s64(const struct rt_event *ev, const char *name, int64_t *out)
{
	uint64_t u;
	if (!rt_param_int(ev, name, &u, true))
		return false;
	*out = (int64_t)u;
	return true;
}

bool rt_param_u64(const struct rt_event *ev, const char *name, uint64_t *out)
{
	return rt_param_int(ev, name, out, false);
}

const char *rt_param_str(const struct rt_event *ev, const char *name)
{
	const uint8_t *p;
	uint16_t len;
	if (!rt_param_bytes(ev, name, &p, &len) || p[len - 1] != '\0')
		return NULL;
	return (const char *)p;
}

/* --- builder ----------------------------------------------------------------------------- */

static void rt_builder_reserve(struct rt_event_builder *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 512;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *p = realloc(b->buf, cap);
	if (!p)
		abort();
	b->buf = p;
	b->cap = cap;
}

/* The record is laid out as header | FK_MAX_PARAMS lengths | data while building, and the
 * lengths are compacted to nparams at finish. */
#define RT_BUILDER_DATA (sizeof(struct fk_event_hdr) + FK_MAX_PARAMS * sizeof(uint16_t))

void rt_event_builder_begin(struct rt_event_builder *b, unsigned type, uint64_t ts_ns,
			    uint32_t tid, uint32_t tgid, int64_t res)
{
	b->len = 0;
	b->nparams = 0;
	b->type = type;
	rt_builder_reserve(b, RT_BUILDER_DATA);
	memset(b->buf, 0, RT_BUILDER_DATA);
	struct fk_event_hdr h = { .ts_ns = ts_ns, .res = res, .tid = tid, .tgid = tgid,
				  .type = (uint16_t)type };
	memcpy(b->buf, &h, sizeof(h));
	b->len = RT_BUILDER_DATA;
}

void rt_event_builder_add(struct rt_event_builder *b, const void *p, uint16_t len)
{
	if (b->nparams >= FK_MAX_PARAMS)
		return;
	rt_builder_reserve(b, len);
	if (len)
		memcpy(b->buf + b->len, p, len);
	b->len += len;
	memcpy(b->buf + sizeof(struct fk_event_hdr) + 2 * b->nparams, &len, 2);
	b->nparams++;
}

void rt_event_builder_add_u64(struct rt_event_builder *b, uint64_t v, unsigned size)
{
	uint8_t tmp[8];
	switch (size) {
	case 1:
		tmp[0] = (uint8_t)v;
		break;
	case 2: {
		uint16_t x = (uint16_t)v;
		memcpy(tmp, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;
		memcpy(tmp, &x, 4);
		break;
	}
	default:
		size = 8;
		memcpy(tmp, &v, 8);
	}
	rt_event_builder_add(b, tmp, (uint16_t)size);
}

void rt_event_builder_add_str(struct rt_event_builder *b, const char *s)
{
	size_t n = strlen(s) + 1;
	rt_event_builder_add(b, s, (uint16_t)(n > 65535 ? 65535 : n));
}

void rt_event_builder_add_empty(struct rt_event_builder *b)
{
	rt_event_builder_add(b, NULL, 0);
}

const struct fk_event_hdr *rt_event_builder_finish(struct rt_event_builder *b)
{
	size_t lens = (size_t)b->nparams * sizeof(uint16_t);
	size_t gap = (FK_MAX_PARAMS - b->nparams) * sizeof(uint16_t);
	memmove(b->buf + sizeof(struct fk_event_hdr) + lens, b->buf + RT_BUILDER_DATA,
		b->len - RT_BUILDER_DATA);
	b->len -= gap;
	struct fk_event_hdr *h = (struct fk_event_hdr *)b->buf;
	h->nparams = (uint16_t)b->nparams;
	h->len = (uint32_t)b->len;
	return h;
}

void rt_event_builder_fini(struct rt_event_builder *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}
