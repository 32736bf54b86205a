/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_drops.c - Falco's syscall event drop manager (runtime/rt_drops.c): the token
 * bucket (starts full, refills at rate up to max, wraps like libsinsp when a claim is dated
 * before the last one), the check timing (armed by the first event, due strictly after one
 * second of event time, re-armed from the checking event), the counter deltas, the threshold
 * (strictly greater), simulate_drops (threshold 0, ratio +inf with no counters), and the
 * configuration checks of actions and threshold with Falco's messages. */
#include "runtime/rt_drops.h"

#include <check.h>
#include <math.h>
#include <string.h>

#include "suites.h"

#define S 1000000000ull
#define T0 (1500000000ull * S) /* an event time (2017), as in a replayed capture */

START_TEST(bucket_starts_full_and_refills_at_rate)
{
	struct rt_token_bucket b;
	rt_token_bucket_init(&b, 0.5, 2, T0);
	ck_assert(rt_token_bucket_claim(&b, 1, T0));
	ck_assert(rt_token_bucket_claim(&b, 1, T0));
	ck_assert(!rt_token_bucket_claim(&b, 1, T0));        /* empty */
	ck_assert(!rt_token_bucket_claim(&b, 1, T0 + S));    /* 0.5 gained */
	ck_assert(rt_token_bucket_claim(&b, 1, T0 + 2 * S)); /* 1.0 */
	ck_assert(!rt_token_bucket_claim(&b, 1, T0 + 2 * S));
	/* a long pause refills to max, not beyond */
	ck_assert(rt_token_bucket_claim(&b, 1, T0 + 1000 * S));
	ck_assert(rt_token_bucket_claim(&b, 1, T0 + 1000 * S));
	ck_assert(!rt_token_bucket_claim(&b, 1, T0 + 1000 * S));
	ck_assert(b.tokens >= 0 && b.tokens < 1e-9);
}
END_TEST

START_TEST(bucket_claim_before_last_wraps_to_full)
{
	/* created at the wall clock, claimed at an older capture's time: libsinsp's unsigned
	 * subtraction wraps, the gain is huge, the bucket is full again */
	struct rt_token_bucket b;
	rt_token_bucket_init(&b, 0.03333, 3, T0 + 100000 * S);
	ck_assert(rt_token_bucket_claim(&b, 3, T0 + 100000 * S));
	ck_assert(!rt_token_bucket_claim(&b, 1, T0 + 100000 * S));
	ck_assert(rt_token_bucket_claim(&b, 1, T0));
	ck_assert(fabs(b.tokens - 2) < 1e-9);
	/* from there on, time runs forward from T0 */
	ck_assert(rt_token_bucket_claim(&b, 2, T0 + S));
	ck_assert(!rt_token_bucket_claim(&b, 1, T0 + 2 * S));
}
END_TEST

START_TEST(bucket_zero_burst_never_allows)
{
	struct rt_token_bucket b;
	rt_token_bucket_init(&b, 100, 0, T0);
	ck_assert(!rt_token_bucket_claim(&b, 1, T0));
	ck_assert(!rt_token_bucket_claim(&b, 1, T0 + 10 * S));
}
END_TEST

static const struct rt_drops_conf simulate = {
    .actions = RT_DROP_ALERT,
    .threshold = 0.5,
    .rate = 0.03333,
    .max_burst = 10,
    .simulate = true,
};

START_TEST(check_is_due_strictly_after_one_second_of_event_time)
{
	struct rt_drops d;
	struct rt_drops_counts z = {0};
	struct rt_drops_verdict v;
	rt_drops_init(&d, &simulate, &z, T0);
	ck_assert(!rt_drops_due(&d, T0)); /* arms T0 + 1 s */
	ck_assert_uint_eq(d.next_check_ns, T0 + S);
	ck_assert(!rt_drops_due(&d, T0 + S / 2));
	ck_assert(!rt_drops_due(&d, T0 + S)); /* not at, only after */
	ck_assert(rt_drops_due(&d, T0 + S + 1));
	rt_drops_check(&d, T0 + S + 1, &z, &v);
	ck_assert_uint_eq(d.next_check_ns, T0 + 2 * S + 1); /* from the checking event */
	ck_assert(!rt_drops_due(&d, T0 + 2 * S + 1));
	ck_assert(rt_drops_due(&d, T0 + 5 * S)); /* a gap: one check, not several */
	rt_drops_check(&d, T0 + 5 * S, &z, &v);
	ck_assert(!rt_drops_due(&d, T0 + 5 * S + S / 2));
	ck_assert_uint_eq(d.detected, 2);
}
END_TEST

/* Events every 0.1 s for n seconds, checked as rt_main does; returns the verdicts acted on. */
static unsigned run(struct rt_drops *d, unsigned seconds)
{
	struct rt_drops_counts z = {0};
	unsigned acted = 0;
	for (uint64_t ts = T0; ts <= T0 + seconds * S; ts += S / 10) {
		if (!rt_drops_due(d, ts))
			continue;
		struct rt_drops_verdict v;
		rt_drops_check(d, ts, &z, &v);
		ck_assert(v.simulated && v.detected);
		ck_assert_uint_eq(v.delta.drops, 1);
		ck_assert_uint_eq(v.delta.evts, 0);
		acted += v.act;
	}
	return acted;
}

START_TEST(simulate_drops_detects_every_check_and_the_bucket_limits_actions)
{
	struct rt_drops d;
	rt_drops_init(&d, &simulate, NULL, T0);
	ck_assert(d.conf.threshold == 0);
	/* 10 s of events: checks at about 1.1, 2.2, ... 9.9 s: nine, all acted on (burst 10) */
	ck_assert_uint_eq(run(&d, 10), 9);
	ck_assert_uint_eq(d.detected, 9);
	ck_assert_uint_eq(d.actions, 9);

	/* 20 s: 18 detections, the bucket (10 + 0.0333/s) allows 10 */
	rt_drops_init(&d, &simulate, NULL, T0);
	ck_assert_uint_eq(run(&d, 20), 10);
	ck_assert_uint_eq(d.detected, 18);
	ck_assert_uint_eq(d.actions, 10);
}
END_TEST

START_TEST(deltas_and_threshold)
{
	struct rt_drops_conf c = {
	    .actions = RT_DROP_LOG,
	    .threshold = 0.1,
	    .rate = 1,
	    .max_burst = 100,
	};
	struct rt_drops d;
	struct rt_drops_counts now = {.evts = 1000, .drops = 7};
	struct rt_drops_verdict v;
	rt_drops_init(&d, &c, &now, T0);
	rt_drops_due(&d, T0);

	/* no new drops */
	now.evts += 500;
	rt_drops_check(&d, T0 + 2 * S, &now, &v);
	ck_assert(!v.simulated && !v.detected && !v.act);
	ck_assert_uint_eq(v.delta.evts, 500);
	ck_assert_uint_eq(v.delta.drops, 0);

	/* 10 of 100: exactly the threshold, not past it */
	now.evts += 100;
	now.drops += 10;
	rt_drops_check(&d, T0 + 4 * S, &now, &v);
	ck_assert(v.delta.evts == 100 && v.delta.drops == 10);
	ck_assert(!v.detected);

	/* 11 of 100 */
	now.evts += 100;
	now.drops += 11;
	rt_drops_check(&d, T0 + 6 * S, &now, &v);
	ck_assert(v.detected && v.act);
	ck_assert_uint_eq(d.detected, 1);
	ck_assert_uint_eq(d.actions, 1);
}
END_TEST

START_TEST(actions_are_checked_as_falco_checks_them)
{
	unsigned a = 99;
	char err[256];
	const char *la[] = {"log", "alert"};
	ck_assert_int_eq(rt_drops_parse_actions(la, 2, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a, RT_DROP_LOG | RT_DROP_ALERT);

	ck_assert_int_eq(rt_drops_parse_actions(NULL, 0, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a, 0); /* empty: ignore */

	const char *ie[] = {"ignore", "exit", ""};
	ck_assert_int_eq(rt_drops_parse_actions(ie, 3, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a, RT_DROP_EXIT);

	/* "ignore" after "log" is accepted by Falco (it checks only the other way round) */
	const char *li[] = {"log", "ignore"};
	ck_assert_int_eq(rt_drops_parse_actions(li, 2, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a, RT_DROP_LOG);

	const char *il[] = {"ignore", "log"};
	ck_assert_int_eq(rt_drops_parse_actions(il, 2, &a, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "syscall event drop action \"log\" does not make sense with the "
	                      "\"ignore\" action");
	const char *ia[] = {"ignore", "alert"};
	ck_assert_int_eq(rt_drops_parse_actions(ia, 2, &a, err, sizeof(err)), -1);
	ck_assert(strstr(err, "action \"alert\" does not make sense") != NULL);

	const char *bad[] = {"log", "Alert"};
	ck_assert_int_eq(rt_drops_parse_actions(bad, 2, &a, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "\"Alert\": available actions for syscall event drops are "
	                      "\"ignore\", \"log\", \"alert\", and \"exit\"");
}
END_TEST

START_TEST(threshold_range)
{
	ck_assert(rt_drops_threshold_is_valid(0));
	ck_assert(rt_drops_threshold_is_valid(0.1));
	ck_assert(rt_drops_threshold_is_valid(1));
	ck_assert(!rt_drops_threshold_is_valid(-1));
	ck_assert(!rt_drops_threshold_is_valid(1.1));
	ck_assert(!rt_drops_threshold_is_valid(NAN));
}
END_TEST

Suite *rt_drops_suite(void)
{
	Suite *s = suite_create("rt_drops");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, bucket_starts_full_and_refills_at_rate);
	tcase_add_test(tc, bucket_claim_before_last_wraps_to_full);
	tcase_add_test(tc, bucket_zero_burst_never_allows);
	tcase_add_test(tc, check_is_due_strictly_after_one_second_of_event_time);
	tcase_add_test(tc, simulate_drops_detects_every_check_and_the_bucket_limits_actions);
	tcase_add_test(tc, deltas_and_threshold);
	tcase_add_test(tc, actions_are_checked_as_falco_checks_them);
	tcase_add_test(tc, threshold_range);
	suite_add_tcase(s, tc);
	return s;
}
