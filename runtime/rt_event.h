/* SPDX-License-Identifier: Apache-2.0 */
/* rt_event.h - events as the runtime sees them: a decoded view over one event record of
 * bpf/fk_shared.h (header, parameter lengths, parameter bytes), plus the table of event
 * types built from bpf/fk_events.def. Decoding never copies parameter bytes and never
 * allocates: the view borrows the record, which must outlive it. */
#ifndef RT_EVENT_H
#define RT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpf/fk_shared.h"

struct rt_thread;
struct rt_fd;

struct rt_param_info {
	const char *name;               /* Falco's name: evt.arg.NAME */
	enum fk_param_type type;
};

struct rt_event_info {
	const char *name;               /* evt.type (for generic events, see rt_event_name) */
	unsigned flags;                 /* enum fk_event_flags */
	unsigned nparams;
	const struct rt_param_info *params;
};

/* The table entry of an event type; NULL for a type outside the table. */
const struct rt_event_info *rt_event_info(unsigned type);
/* Index of the parameter called name in events of type, or -1. */
int rt_event_param_index(unsigned type, const char *name);
/* An event type by name and direction (enter: the FK_EF_ENTER variant); -1 if none. */
int rt_event_type_lookup(const char *name, bool enter);

struct rt_event {
	const struct fk_event_hdr *hdr; /* borrowed */
	const struct rt_event_info *info;
	const uint8_t *param[FK_MAX_PARAMS];
	uint16_t plen[FK_MAX_PARAMS];
	unsigned nparams;
	uint64_t num;                   /* 1-based position in the stream */
	/* Filled by the state engine before rules run (rt_state_pre): */
	struct rt_thread *thread;       /* the thread that made the event; never NULL after */
	struct rt_fd *fd;               /* the file descriptor the event is about, or NULL */
	int64_t fdnum;                  /* its number, or -1 */
};

/* Decodes the record at buf (len bytes available). Returns 0, or -1 with a message in err
 * (truncated header, length past the buffer, parameters past the record, unknown type). */
int rt_event_decode(struct rt_event *ev, const void *buf, size_t len, char *err,
		    size_t errlen);

/* evt.type: the table name, or the ID parameter of a generic event. */
const char *rt_event_name(const struct rt_event *ev);
/* '>' for entry events of old captures and for procexit (which Falco prints as an entry),
 * '<' otherwise. */
static inline char rt_event_dir(const struct rt_event *ev)
{
	return ev->info && ((ev->info->flags & FK_EF_ENTER) || ev->hdr->type == FK_EVENT_PROCEXIT)
		       ? '>'
		       : '<';
}

/* Typed parameter access; each returns false when the parameter is absent or too short. */
bool rt_param_index(const struct rt_event *ev, int i, const uint8_t **p, uint16_t *len);
bool rt_param_s64(const struct rt_event *ev, const char *name, int64_t *out);
bool rt_param_u64(const struct rt_event *ev, const char *name, uint64_t *out);
/* A string parameter (CHARBUF, FSPATH, FSRELPATH): NUL-terminated within its length. */
const char *rt_param_str(const struct rt_event *ev, const char *name);
/* Any parameter's raw bytes. */
bool rt_param_bytes(const struct rt_event *ev, const char *name, const uint8_t **p,
		    uint16_t *len);

/* Builds event records (tests, capture writers, the scap converter). The builder owns a
 * growing buffer; rt_event_builder_finish returns the record (valid until the next begin). */
struct rt_event_builder {
	uint8_t *buf;
	size_t len, cap;
	unsigned nparams;
	unsigned type;
};
void rt_event_builder_begin(struct rt_event_builder *b, unsigned type, uint64_t ts_ns,
			    uint32_t tid, uint32_t tgid, int64_t res);
void rt_event_builder_add(struct rt_event_builder *b, const void *p, uint16_t len);
void rt_event_builder_add_u64(struct rt_event_builder *b, uint64_t v, unsigned size);
void rt_event_builder_add_str(struct rt_event_builder *b, const char *s);
void rt_event_builder_add_empty(struct rt_event_builder *b);
const struct fk_event_hdr *rt_event_builder_finish(struct rt_event_builder *b);
void rt_event_builder_fini(struct rt_event_builder *b);

#endif /* RT_EVENT_H */
