/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_engine.h - what fuzz_replay, fuzz_event and fuzz_k8s share: a small fixed ruleset compiled from
 * memory into an engine, and an alert callback that renders every alert as text and JSON to
 * /dev/null. Test code only; aborts when the embedded rules do not compile. */
#ifndef FUZZ_ENGINE_H
#define FUZZ_ENGINE_H

struct rt_engine;
struct rt_alert;

/* An engine (RT_MATCH_ALL, every priority) for the rules file text yaml, named name in
 * diagnostics; aborts when it does not compile. Lives until the process exits. */
struct rt_engine *fuzz_engine_build(const char *name, const char *yaml);
/* The runtime fuzzers' fixed ruleset, built once. */
struct rt_engine *fuzz_engine_get(void);
/* rt_alert_fn: renders a as Falco's text line and JSON object, for every time format. */
void fuzz_engine_render(const struct rt_alert *a, void *user);

#endif /* FUZZ_ENGINE_H */
