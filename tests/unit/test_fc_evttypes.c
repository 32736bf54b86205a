/* SPDX-License-Identifier: Apache-2.0 */
/* test_fc_evttypes.c - the event type table: lookups of known and unknown names, and the
 * layout rules of fc_evttypes.def that the lookup relies on (syscalls first, each group
 * sorted, no duplicates). Self-contained: the check that every evt.type value of the
 * upstream rulesets resolves lives with the compat tests. */
#include "compiler/fc_evttypes.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static const struct {
	const char *name;
	unsigned flags; /* must all be set */
} known[] = {
	{ "open", FC_EVTF_SYSCALL },
	{ "openat", FC_EVTF_SYSCALL },
	{ "openat2", FC_EVTF_SYSCALL },
	{ "execve", FC_EVTF_SYSCALL },
	{ "execveat", FC_EVTF_SYSCALL },
	{ "connect", FC_EVTF_SYSCALL },
	{ "accept4", FC_EVTF_SYSCALL },
	{ "_llseek", FC_EVTF_SYSCALL },   /* first in byte order */
	{ "writev", FC_EVTF_SYSCALL },    /* last syscall */
	{ "pread", FC_EVTF_SYSCALL },     /* event-table spelling of pread64 */
	{ "io_submit", FC_EVTF_SYSCALL }, /* no dedicated event: generic */
	{ "procexit", FC_EVTF_SPECIAL },
	{ "container", FC_EVTF_SPECIAL },
	{ "switch", FC_EVTF_SPECIAL },
	{ "syscall", FC_EVTF_SPECIAL },
	{ "asyncevent", FC_EVTF_SPECIAL }, /* first special */
	{ "userdeleted", FC_EVTF_SPECIAL }, /* last special */
	{ "k8s", FC_EVTF_SPECIAL | FC_EVTF_OLD },
};

START_TEST(lookup_known)
{
	const char *name = known[_i].name;
	int e = fc_evttype_lookup(name, strlen(name));
	ck_assert_int_ge(e, 0);
	ck_assert_int_lt(e, FC_EVT_COUNT);
	ck_assert_str_eq(fc_evttype_name((enum fc_evttype)e), name);
	ck_assert_uint_eq(fc_evttype_flags((enum fc_evttype)e) & known[_i].flags, known[_i].flags);
}
END_TEST

static const char *const unknown[] = {
	"list_a",  /* test-0.34.1 invalid_list_loop.yaml: a list name, not an event */
	"OPEN",    /* case-sensitive, like Falco */
	"Open",
	"open ",
	" open",
	"opena",
	"ope",
	"NA",      /* placeholder name of unused event-table slots */
	"unknown", /* placeholder name of syscall code 0 */
	"evt.type",
	"a",
	"zzz",
	"_",
};

START_TEST(lookup_unknown)
{
	ck_assert_int_eq(fc_evttype_lookup(unknown[_i], strlen(unknown[_i])), -1);
}
END_TEST

START_TEST(lookup_empty_and_null)
{
	ck_assert_int_eq(fc_evttype_lookup("", 0), -1);
	ck_assert_int_eq(fc_evttype_lookup("open", 0), -1);
	ck_assert_int_eq(fc_evttype_lookup(NULL, 0), -1);
}
END_TEST

START_TEST(lookup_uses_len_not_nul)
{
	/* The scanner hands over slices of the condition text. */
	const char *text = "openat2, execve)";
	int e = fc_evttype_lookup(text, 6);
	ck_assert_int_eq(e, FC_EVT_openat);
	ck_assert_int_eq(fc_evttype_lookup(text, 7), FC_EVT_openat2);
	ck_assert_int_eq(fc_evttype_lookup(text, 4), FC_EVT_open);
	ck_assert_int_eq(fc_evttype_lookup(text + 9, 6), FC_EVT_execve);
	ck_assert_int_eq(fc_evttype_lookup(text, 8), -1);
}
END_TEST

START_TEST(enum_matches_lookup)
{
	ck_assert_int_eq(fc_evttype_lookup("open", 4), FC_EVT_open);
	ck_assert_int_eq(fc_evttype_lookup("procexit", 8), FC_EVT_procexit);
	ck_assert_str_eq(fc_evttype_name(FC_EVT_execve), "execve");
}
END_TEST

START_TEST(out_of_range)
{
	ck_assert_ptr_null(fc_evttype_name(FC_EVT_COUNT));
	ck_assert_ptr_null(fc_evttype_name((enum fc_evttype)-1));
	ck_assert_uint_eq(fc_evttype_flags(FC_EVT_COUNT), 0);
}
END_TEST

START_TEST(table_groups_sorted_unique)
{
	/* Syscalls first: the lookup searches [0, NSYSCALL) and [NSYSCALL, COUNT) apart. */
	ck_assert_int_gt(FC_EVT_NSYSCALL, 0);
	ck_assert_int_lt(FC_EVT_NSYSCALL, FC_EVT_COUNT);
	for (int i = 0; i < FC_EVT_COUNT; i++) {
		unsigned fl = fc_evttype_flags((enum fc_evttype)i);
		const char *n = fc_evttype_name((enum fc_evttype)i);
		ck_assert_ptr_nonnull(n);
		ck_assert_msg(fl & (FC_EVTF_SYSCALL | FC_EVTF_SPECIAL), "%s: no kind flag", n);
		if (i < FC_EVT_NSYSCALL)
			ck_assert_msg(fl & FC_EVTF_SYSCALL, "%s: syscall group without SYSCALL", n);
		else
			ck_assert_msg(!(fl & FC_EVTF_SYSCALL), "%s: SYSCALL outside its group", n);
		/* Strictly increasing within a group: sorted and duplicate-free. */
		if (i != 0 && i != FC_EVT_NSYSCALL) {
			const char *prev = fc_evttype_name((enum fc_evttype)(i - 1));
			ck_assert_msg(strcmp(prev, n) < 0, "'%s' before '%s': not sorted", prev, n);
		}
		/* Unique across groups, too: every name finds itself. */
		ck_assert_int_eq(fc_evttype_lookup(n, strlen(n)), i);
	}
}
END_TEST

START_TEST(table_names_are_tokens)
{
	for (int i = 0; i < FC_EVT_COUNT; i++) {
		const char *n = fc_evttype_name((enum fc_evttype)i);
		ck_assert_uint_gt(strlen(n), 0);
		for (const char *p = n; *p; p++) {
			int ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
			ck_assert_msg(ok, "'%s': not a lowercase token", n);
		}
	}
}
END_TEST

START_TEST(table_size_plausible)
{
	ck_assert_int_gt(FC_EVT_COUNT, 300);
	ck_assert_int_gt(FC_EVT_NSYSCALL, 300);
	ck_assert_int_ge(FC_EVT_COUNT - FC_EVT_NSYSCALL, 20);
}
END_TEST

Suite *fc_evttypes_suite(void)
{
	Suite *s = suite_create("fc_evttypes");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, lookup_known, 0, sizeof(known) / sizeof(known[0]));
	tcase_add_loop_test(tc, lookup_unknown, 0, sizeof(unknown) / sizeof(unknown[0]));
	tcase_add_test(tc, lookup_empty_and_null);
	tcase_add_test(tc, lookup_uses_len_not_nul);
	tcase_add_test(tc, enum_matches_lookup);
	tcase_add_test(tc, out_of_range);
	tcase_add_test(tc, table_groups_sorted_unique);
	tcase_add_test(tc, table_names_are_tokens);
	tcase_add_test(tc, table_size_plausible);
	suite_add_tcase(s, tc);
	return s;
}
