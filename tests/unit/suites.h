/* SPDX-License-Identifier: Apache-2.0 */
/* suites.h - every Check suite of tests/unit, one line each. main.c runs them all;
 * CK_RUN_SUITE=name runs one. */
#ifndef FC_TEST_SUITES_H
#define FC_TEST_SUITES_H
#include <check.h>
#define FC_SUITES(X) \
	X(fc_parse)  \
	X(fc_yaml)   \
	X(fc_fields) \
	X(fc_evttypes) \
	X(fc_jit) \
	X(fc_bundle) \
	X(rt_capture) \
	X(rt_proc) \
	X(rt_scap) \
	X(rt_state) \
	X(rt_eval) \
	X(rt_badinput) \
	X(rt_extract) \
	X(rt_k8s) \
	X(rt_drops)
#define X(name) Suite *name##_suite(void);
FC_SUITES(X)
#undef X
#endif
