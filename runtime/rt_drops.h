/* SPDX-License-Identifier: Apache-2.0 */
/* rt_drops.h - Falco's syscall event drop manager (syscall_evt_drop_mgr) and the token bucket
 * it limits its actions with: once a second of *event* time, the drops of the last second
 * against syscall_event_drops.threshold, then the actions if the bucket has a token. The
 * same code runs for live capture (the kernel's ring-buffer counters) and for replays (no
 * counters: only simulate_drops can detect anything).
 *
 * Decides only: prints nothing and performs no action. rt_main.c fetches the counters when a
 * check is due, and logs, alerts or exits on the verdict. */
#ifndef RT_DROPS_H
#define RT_DROPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* syscall_event_drops.actions, as a set; none set is Falco's "ignore" */
enum {
	RT_DROP_LOG = 1u << 0,
	RT_DROP_ALERT = 1u << 1,
	RT_DROP_EXIT = 1u << 2,
};

#define RT_DROPS_CHECK_NS 1000000000ull /* a check once per second of event time */

struct rt_drops_conf {
	unsigned actions; /* RT_DROP_* */
	double threshold; /* act when drops / events of the last second exceed it, [0, 1] */
	double rate;      /* tokens per second */
	double max_burst; /* bucket size, and the tokens it starts with */
	bool simulate;    /* one more drop at every check, and threshold 0 */
};

/* Kernel counters, cumulative: events (drops included, as Falco's n_evts) and drops. */
struct rt_drops_counts {
	uint64_t evts, drops;
};

/* libsinsp's token_bucket: rate tokens per second up to max, starting full. Times are
 * nanoseconds; the elapsed time is computed in unsigned 64-bit arithmetic as libsinsp does,
 * so a claim dated before the previous one (a replayed capture older than the wall clock
 * the bucket was created at) wraps around and refills the bucket to max. */
struct rt_token_bucket {
	double rate, max, tokens;
	uint64_t last_ns;
};

void rt_token_bucket_init(struct rt_token_bucket *b, double rate, double max, uint64_t now_ns);
/* Adds the tokens gained since the last claim (capped at max), then takes n if there are
 * that many. Returns whether it took them. */
bool rt_token_bucket_claim(struct rt_token_bucket *b, double n, uint64_t now_ns);

struct rt_drops {
	struct rt_drops_conf conf; /* threshold already 0 when simulating */
	struct rt_token_bucket bucket;
	struct rt_drops_counts last;
	uint64_t next_check_ns; /* 0 until the first event */
	uint64_t detected;      /* checks past the threshold ("event drop detected") */
	uint64_t actions;       /* of those, the ones the bucket allowed */
};

/* What one check found. */
struct rt_drops_verdict {
	bool simulated;               /* a drop was simulated ("Simulating syscall event drop") */
	bool detected;                /* past the threshold */
	bool act;                     /* and the bucket had a token: take conf.actions */
	struct rt_drops_counts delta; /* this check's events and drops (simulated one included) */
};

/* start: the counters now (zeros for a replay); now_ns: the wall clock, for the bucket. */
void rt_drops_init(struct rt_drops *d, const struct rt_drops_conf *c,
                   const struct rt_drops_counts *start, uint64_t now_ns);

/* Called for every event with its timestamp: whether a check is due. The first event arms
 * the check one second later; a check is due at the first event strictly after that. */
static inline bool rt_drops_due(struct rt_drops *d, uint64_t ts_ns) /* on every event */
{
	if (d->next_check_ns == 0)
		d->next_check_ns = ts_ns + RT_DROPS_CHECK_NS;
	return d->next_check_ns < ts_ns;
}

/* The check due at ts_ns with the counters now (call after rt_drops_due said so): the next
 * check one second after ts_ns, the delta since the last check, the verdict. */
void rt_drops_check(struct rt_drops *d, uint64_t ts_ns, const struct rt_drops_counts *now,
                    struct rt_drops_verdict *v);

/* Falco's configuration rules for syscall_event_drops.actions, in list order: "ignore",
 * "log", "alert", "exit" (case-sensitive); "log" or "alert" after "ignore" is an error. An
 * empty list is "ignore". 0 with *actions set, or -1 with Falco's message in err. */
int rt_drops_parse_actions(const char *const *names, size_t n, unsigned *actions, char *err,
                           size_t errlen);

/* Falco's range check of syscall_event_drops.threshold. */
static inline bool rt_drops_threshold_is_valid(double t)
{
	return t >= 0 && t <= 1;
}

#endif /* RT_DROPS_H */
