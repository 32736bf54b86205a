/* SPDX-License-Identifier: Apache-2.0 */
/* rt_k8s.h - the k8s_audit event source: Kubernetes audit events read from a file the way
 * Falco 0.34 reads them through its k8saudit plugin (one JSON value per line: an audit Event,
 * an EventList, or an array of those), and the fields of that source (ka.*, and the json
 * plugin's json.* / jevt.*) extracted from them. falcod implements both plugins natively; no
 * plugin library is loaded. docs/k8s-audit.md is the manual.
 *
 * Not here: the configuration that selects the source (rt_main.c), rule dispatch (rt_eval.c,
 * rt_engine_process_k8s), the evt.* fields every source shares (rt_extract.c), alert layout
 * (rt_output.c). The reader never prints: what it skips is reported through a callback. */
#ifndef RT_K8S_H
#define RT_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "runtime/rt_event.h"

struct json_object;
struct rt_ctx;
struct rt_value;
struct fc_expr;

#define RT_K8S_MAX_EVENT_SIZE 262144 /* the plugin's default maxEventSize */
#define RT_K8S_MAX_LINE (64u << 20)  /* longer lines are skipped unread */

/* One audit event. The engine's common code (evt.num, evt.time, alert times) reads ev and hdr
 * as for any event: hdr.ts_ns is the event's stageTimestamp, hdr.type is 0 and means nothing. */
struct rt_k8s_event {
	struct json_object *root; /* the audit Event object; owned by whoever made it */
	const char *text;         /* its compact JSON text (what the plugin passes on), */
	size_t len;               /* ... owned by root */
	struct fk_event_hdr hdr;
	struct rt_event ev; /* ev.hdr == &hdr, ev.num 1-based */
};

/* Called once per line or event the reader skips: msg names what is wrong (the plugin's
 * words, e.g. "data not recognized as a k8s audit event"); line is 1-based. */
typedef void (*rt_k8s_warn_fn)(void *user, const char *path, uint64_t line, const char *msg);

struct rt_k8s_options {
	size_t max_event_size; /* 0: RT_K8S_MAX_EVENT_SIZE */
	rt_k8s_warn_fn warn;   /* NULL: skipped silently */
	void *user;
};

struct rt_k8s_reader;

/* Opens path (a file, "-" for stdin). NULL with the reason in err when it cannot be read
 * (missing file, a directory, permissions). */
struct rt_k8s_reader *rt_k8s_reader_open(const char *path, const struct rt_k8s_options *o,
                                         char *err, size_t errlen);
/* A reader over f, which it takes ownership of; name is used in warnings (borrowed). */
struct rt_k8s_reader *rt_k8s_reader_new(FILE *f, const char *name, const struct rt_k8s_options *o);
/* The next event: 1 and *ev (valid until the next call or close), 0 at the end, -1 on a read
 * error (message in err). Lines that hold no audit event are skipped after a warning: JSON
 * that does not parse, a value that is not an Event/EventList (or an array of them), an event
 * without a valid RFC 3339 stageTimestamp or larger than max_event_size; as the plugin does,
 * one bad item of an array drops the whole line. */
int rt_k8s_reader_next(struct rt_k8s_reader *r, const struct rt_k8s_event **ev, char *err,
                       size_t errlen);
/* Lines read, events returned, lines or events skipped. */
void rt_k8s_reader_counts(const struct rt_k8s_reader *r, uint64_t *lines, uint64_t *events,
                          uint64_t *skipped);
void rt_k8s_reader_close(struct rt_k8s_reader *r);

/* Parses an RFC 3339 time ("2018-10-25T14:09:12.123456Z", "...+02:00") as Go's
 * time.RFC3339Nano does; false when it is not one. */
bool rt_k8s_parse_time(const char *s, uint64_t *ns);

/* A k8s_audit field of e (ka.*, json.*, jevt.*; not evt.*) for the audit event k, with the
 * plugins' semantics; missing values are RT_V_NA (-ENOENT). Strings live in c's scratch arena
 * or in k's JSON. */
int rt_k8s_extract(struct rt_ctx *c, const struct rt_k8s_event *k, const struct fc_expr *e,
                   struct rt_value *out);

#endif /* RT_K8S_H */
