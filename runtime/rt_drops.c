/* SPDX-License-Identifier: Apache-2.0 */
/* rt_drops.c - Falco 0.34's syscall event drop manager and token bucket (see rt_drops.h).
 * Not here: reading the kernel's counters, the log lines, the alert and its format, exiting
 * (rt_main.c). */
#include "runtime/rt_drops.h"

#include <stdio.h>
#include <string.h>

void rt_token_bucket_init(struct rt_token_bucket *b, double rate, double max, uint64_t now_ns)
{
	b->rate = rate;
	b->max = max;
	b->tokens = max;
	b->last_ns = now_ns;
}

bool rt_token_bucket_claim(struct rt_token_bucket *b, double n, uint64_t now_ns)
{
	/* unsigned on purpose: an earlier now_ns wraps to a huge gain, as in libsinsp */
	uint64_t elapsed = now_ns - b->last_ns;
	b->last_ns = now_ns;
	b->tokens += b->rate * ((double)elapsed / 1e9);
	if (b->tokens > b->max)
		b->tokens = b->max;
	if (b->tokens < n)
		return false;
	b->tokens -= n;
	return true;
}

void rt_drops_init(struct rt_drops *d, const struct rt_drops_conf *c,
                   const struct rt_drops_counts *start, uint64_t now_ns)
{
	memset(d, 0, sizeof(*d));
	d->conf = *c;
	if (d->conf.simulate)
		d->conf.threshold = 0;
	rt_token_bucket_init(&d->bucket, c->rate, c->max_burst, now_ns);
	if (start)
		d->last = *start;
}

void rt_drops_check(struct rt_drops *d, uint64_t ts_ns, const struct rt_drops_counts *now,
                    struct rt_drops_verdict *v)
{
	memset(v, 0, sizeof(*v));
	d->next_check_ns = ts_ns + RT_DROPS_CHECK_NS;
	v->delta.evts = now->evts - d->last.evts;
	v->delta.drops = now->drops - d->last.drops;
	d->last = *now;
	if (d->conf.simulate) {
		v->simulated = true;
		v->delta.drops++;
	}
	if (v->delta.drops == 0)
		return;
	/* events include the drops; with no events (a replay, simulating) the ratio is +inf */
	double ratio = (double)v->delta.drops / (double)v->delta.evts;
	if (!(ratio > d->conf.threshold))
		return;
	v->detected = true;
	d->detected++;
	if (!rt_token_bucket_claim(&d->bucket, 1, ts_ns))
		return;
	v->act = true;
	d->actions++;
}

int rt_drops_parse_actions(const char *const *names, size_t n, unsigned *actions, char *err,
                           size_t errlen)
{
	unsigned set = 0;
	bool ignore = false;
	for (size_t i = 0; i < n; i++) {
		const char *a = names[i];
		if (!*a)
			continue; /* a YAML null item */
		if (strcmp(a, "ignore") == 0) {
			ignore = true;
		} else if (strcmp(a, "log") == 0 || strcmp(a, "alert") == 0) {
			if (ignore) {
				snprintf(err, errlen,
				         "syscall event drop action \"%s\" does not make "
				         "sense with the \"ignore\" action",
				         a);
				return -1;
			}
			set |= a[0] == 'l' ? RT_DROP_LOG : RT_DROP_ALERT;
		} else if (strcmp(a, "exit") == 0) {
			set |= RT_DROP_EXIT;
		} else {
			snprintf(err, errlen,
			         "\"%s\": available actions for syscall event drops are "
			         "\"ignore\", \"log\", \"alert\", and \"exit\"",
			         a);
			return -1;
		}
	}
	*actions = set;
	return 0;
}
