/* SPDX-License-Identifier: Apache-2.0 */
/* rt_engine.h - the reference interpreter and the rule dispatch around it: which rules an
 * event can match (a per-event-type index, as Falco's), their evaluation on that event with
 * Falco's operator semantics, and the alerts they raise. Conditions run as LLVM JIT-compiled
 * predicates (compiler/backend/fc_jit.h) unless the JIT is off or fails to set up; they give
 * the same verdicts as the interpreter (tests/differential).
 *
 * The engine borrows the checked ruleset (struct fc_ruleset and its unit) for its lifetime. */
#ifndef RT_ENGINE_H
#define RT_ENGINE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "compiler/fc.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

/* A value extracted from an event, or computed. Strings borrow event or state memory, or
 * the per-event scratch arena; all are valid until the next event. */
enum rt_vkind {
	RT_V_NA,        /* the field has no value for this event (<NA>) */
	RT_V_STR,       /* also BYTEBUF: s may hold NULs, len is exact */
	RT_V_U64,
	RT_V_S64,
	RT_V_DOUBLE,
	RT_V_BOOL,
	RT_V_IP,        /* family (FK_AF_INET/INET6) and 16 address bytes */
	RT_V_NET,       /* an address and a prefix length */
	RT_V_LIST,      /* several values (list fields, proc.aname without index) */
};

struct rt_value {
	enum rt_vkind kind;
	union {
		struct {
			const char *s;
			size_t len;
		} str;
		uint64_t u;
		int64_t i;
		double d;
		bool b;
		struct {
			uint8_t family;
			uint8_t prefix;     /* RT_V_NET */
			uint8_t addr[16];
		} ip;
		struct {
			const struct rt_value *items;
			size_t n;
		} list;
	};
};

/* The value constructors every extractor uses: <NA> (extraction's "no value", -ENOENT), and a
 * string of len bytes at s (not copied). */
static inline int rt_na(struct rt_value *v)
{
	v->kind = RT_V_NA;
	return -ENOENT;
}

static inline int rt_vstr(struct rt_value *v, const char *s, size_t len)
{
	v->kind = RT_V_STR;
	v->str.s = s;
	v->str.len = len;
	return 0;
}

/* Everything one event's evaluation needs. The engine owns it; rules see it read-only. */
struct rt_ctx;

/* Extracts a field (with its argument and transformers) for the event being evaluated.
 * Lazy and cached per event: the same expression is extracted once per event. */
int rt_extract(struct rt_ctx *c, const struct fc_expr *e, struct rt_value *out);
/* The value as Falco prints it in outputs (numbers in decimal, <NA>, fd.name tuples, times,
 * ...). The string lives in the per-event scratch arena. */
const char *rt_value_format(struct rt_ctx *c, const struct fc_expr *e, const struct rt_value *v);
struct rt_event *rt_ctx_event(struct rt_ctx *c);
struct rt_state *rt_ctx_state(struct rt_ctx *c);

enum rt_match_mode {
	RT_MATCH_FIRST, /* Falco's default rule_matching: stop at the first match, load order */
	RT_MATCH_ALL,
};

struct rt_engine_options {
	enum rt_match_mode match;
	enum fc_priority min_priority;  /* rules below it are not loaded (Falco's priority key) */
	const char *const *disabled_tags; /* NULL-terminated; rules with one are not loaded */
	const char *const *enabled_rules; /* NULL-terminated patterns; NULL: all enabled rules */
	bool all_events;                /* also evaluate rules on events Falco skips by default */
	bool no_jit;                    /* interpret conditions instead of JIT-compiling them
					 * (falcod --no-jit); the JIT is the default */
	const char *no_jit_why;         /* with no_jit: why, for rt_engine_jit_active (NULL:
					 * "JIT disabled by --no-jit") */
	int jit_opt_level;              /* fc_jit_options.opt_level; 0 here means the default */
	const void *jit_objects;        /* a bundle's native code (fc_jit_emit's blob for
					 * fc_jit_ruleset_rules), linked instead of compiling;
					 * compiled as usual when it does not fit */
	size_t jit_objects_len;
};

/* An alert: the rule that matched and the event it matched. Valid during the callback. */
struct rt_alert {
	const struct fc_rule *rule;
	struct rt_ctx *ctx;
	uint64_t ts_ns;
};

typedef void (*rt_alert_fn)(const struct rt_alert *a, void *user);

struct rt_engine;

/* Builds the engine from the valid, enabled rules of rs (for every known source). Returns
 * NULL on OOM only. */
struct rt_engine *rt_engine_new(const struct fc_ruleset *rs, const struct rt_engine_options *o);
void rt_engine_free(struct rt_engine *e);
unsigned rt_engine_rule_count(const struct rt_engine *e);
/* Whether conditions run as JIT-compiled code. *why (when given) says what runs: the JIT with
 * its compile time, or the interpreter and the reason (--no-jit, or the JIT set-up's error).
 * The string lives as long as the engine. */
bool rt_engine_jit_active(const struct rt_engine *e, const char **why);

/* Runs one syscall-source event through state (pre), the rules that can match its type, and
 * state (post). Calls fn for each alert. Returns the number of alerts. */
unsigned rt_engine_process(struct rt_engine *e, struct rt_state *s, struct rt_event *ev,
			   rt_alert_fn fn, void *user);

/* Runs one Kubernetes audit event (runtime/rt_k8s.h) through the rules of source k8s_audit, in
 * load order (they have no event types to index by). s (borrowed, may be NULL) gives
 * evt.hostname. These rules are always interpreted. Calls fn for each alert; returns the
 * number of alerts. */
struct rt_k8s_event;
unsigned rt_engine_process_k8s(struct rt_engine *e, struct rt_state *s,
			       const struct rt_k8s_event *k, rt_alert_fn fn, void *user);
/* The number of enabled rules of source k8s_audit. */
unsigned rt_engine_k8s_rule_count(const struct rt_engine *e);

/* Evaluates one condition on the event currently set in c: the reference semantics, used by
 * rt_engine_process and by differential tests. */
bool rt_eval(struct rt_ctx *c, const struct fc_node *n);

/* --- alerts, as Falco prints them (rt_output.c) ----------------------------------------- */

/* The output template of the rule, rendered. In the scratch arena. */
const char *rt_alert_output(const struct rt_alert *a);
/* Falco's text line: "HH:MM:SS.nnnnnnnnn: Priority output" (time in local time, or UTC when
 * utc is set), and Falco's JSON object (time, rule, priority, output, output_fields, source,
 * tags, hostname). One line each, newline included. */
void rt_alert_print_text(FILE *out, const struct rt_alert *a, bool utc);
void rt_alert_print_json(FILE *out, const struct rt_alert *a, const char *hostname);

/* Both renderings with the time format chosen: local or UTC time of day, or Falco's
 * time_format_iso_8601 ("2016-08-04T16:17:57.881781397+0000", UTC; output_fields then key
 * the time as evt.time.iso8601). hostname NULL: the state's. The two above call this. */
enum rt_time_format { RT_TIME_LOCAL, RT_TIME_UTC, RT_TIME_ISO8601 };
void rt_alert_print(FILE *out, const struct rt_alert *a, enum rt_time_format tf, bool json,
		    const char *hostname);

#endif /* RT_ENGINE_H */
