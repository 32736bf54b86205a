/* SPDX-License-Identifier: Apache-2.0 */
/* test_fc_parse.c - the condition grammar: precedence, every operator and value form,
 * Falco's quoting and escapes, error messages with positions, and the round trip
 * parse(unparse(x)) == x over every condition of the upstream rulesets. */
#include "suites.h"

#include "compiler/fc.h"
#include "compiler/fc_ast.h"
#include "compiler/fc_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fc_unit *u;

static void setup(void)
{
	u = fc_unit_new(NULL);
}

static void teardown(void)
{
	fc_unit_free(u);
}

static const struct {
	const char *src, *sexpr;
} accepts[] = {
	{ "a or b and c", "(or a (and b c))" },
	{ "a and b or c", "(or (and a b) c)" },
	{ "not a and b", "(and (not a) b)" },
	{ "not (a and b)", "(not (and a b))" },
	{ "not(a)", "(not a)" },
	{ "a and not not b", "(and a (not (not b)))" },
	{ "(a or b) and c", "(and (or a b) c)" },
	{ "a and(b or c)", "(and a (or b c))" },
	{ "proc.name = bash", "(= proc.name bash)" },
	{ "proc.name=bash", "(= proc.name bash)" },
	{ "proc.name == bash", "(== proc.name bash)" },
	{ "proc.name != bash", "(!= proc.name bash)" },
	{ "proc.pid < 10", "(< proc.pid 10)" },
	{ "proc.pid <= 0x1F", "(<= proc.pid 0x1F)" },
	{ "proc.pid > -1", "(> proc.pid -1)" },
	{ "proc.pid >= 1.5e3", "(>= proc.pid 1.5e3)" },
	{ "fd.name contains /etc", "(contains fd.name /etc)" },
	{ "fd.name icontains ETC", "(icontains fd.name ETC)" },
	{ "evt.buffer bcontains 0a0b", "(bcontains evt.buffer 0a0b)" },
	{ "fd.name startswith /etc/", "(startswith fd.name /etc/)" },
	{ "evt.buffer bstartswith 7f45", "(bstartswith evt.buffer 7f45)" },
	{ "fd.name endswith .pem", "(endswith fd.name .pem)" },
	{ "fd.name glob '/etc/*'", "(glob fd.name \"/etc/*\")" },
	{ "fd.name iglob /ETC/*", "(iglob fd.name /ETC/*)" },
	{ "proc.cmdline regex \"^sh -c\"", "(regex proc.cmdline \"^sh -c\")" },
	{ "proc.name in (a, \"b c\", 3)", "(in proc.name (a \"b c\" 3))" },
	{ "proc.name in ()", "(in proc.name ())" },
	{ "proc.name in(a,b)", "(in proc.name (a b))" },
	{ "proc.name in shell_binaries", "(in proc.name $shell_binaries)" },
	{ "ka.req.pod.containers.image intersects (a, b)",
	  "(intersects ka.req.pod.containers.image (a b))" },
	{ "fd.name pmatch (/etc, /usr/bin)", "(pmatch fd.name (/etc /usr/bin))" },
	{ "fd.name exists", "(exists fd.name)" },
	{ "proc.aname[2] = sshd", "(= proc.aname[2] sshd)" },
	{ "proc.aname = sshd", "(= proc.aname sshd)" },
	{ "evt.arg[1] = x", "(= evt.arg[1] x)" },
	{ "evt.arg.flags contains O_CREAT", "(contains evt.arg.flags O_CREAT)" },
	{ "jevt.value[/user/name] = admin", "(= jevt.value[/user/name] admin)" },
	{ "ka.uri.param[\"a b\"] = x", "(= ka.uri.param[\"a b\"] x)" },
	{ "tolower(proc.name) = bash", "(= (tolower proc.name) bash)" },
	{ "toupper(proc.name) = BASH", "(= (toupper proc.name) BASH)" },
	{ "b64(evt.arg.data) contains x", "(contains (b64 evt.arg.data) x)" },
	{ "basename(proc.exepath) = sh", "(= (basename proc.exepath) sh)" },
	{ "len(proc.args) > 100", "(> (len proc.args) 100)" },
	{ "tolower(basename(proc.exepath)) = sh", "(= (tolower (basename proc.exepath)) sh)" },
	{ "proc.name = val(proc.pname)", "(= proc.name (val proc.pname))" },
	{ "proc.name in val(proc.pname)", "(in proc.name (val proc.pname))" },
	{ "join(\",\", proc.args) = x", "(= (join \",\" proc.args) x)" },
	{ "concat(proc.name, \"-\", proc.pname) = x",
	  "(= (concat proc.name \"-\" proc.pname) x)" },
	{ "getopt(proc.args, \"-c\") = x", "(= (getopt proc.args \"-c\") x)" },
	{ "proc.name startswith oneof (a, b)", "(startswith:oneof proc.name (a b))" },
	{ "proc.name contains anyof (a)", "(contains:anyof proc.name (a))" },
	{ "proc.name endswith allof(a, b)", "(endswith:allof proc.name (a b))" },
	{ "proc.name = \"a\\x41b\"", "(= proc.name \"aAb\")" },
	{ "proc.name = 'it\\'s'", "(= proc.name \"it's\")" },
	{ "proc.name = \"tab\\there\"", "(= proc.name \"tab\\there\")" },
	{ "proc.name = \"a\\\\b\"", "(= proc.name \"a\\\\b\")" },
	{ "proc.name = \"a\\/b\"", "(= proc.name \"a/b\")" },
	{ "fd.name = /tmp/x[0]", "(= fd.name /tmp/x[0])" },
	{ "container.image.repository = <NA>", "(= container.image.repository <NA>)" },
	{ "andx or orx or notx", "(or (or andx orx) notx)" },
	{ "evt.type in (open,openat) and evt.is_open_read=true",
	  "(and (in evt.type (open openat)) (= evt.is_open_read true))" },
};

/* Accepted inputs parse the same with extra blanks around every token. */
static char *fc_spread(const char *s)
{
	char *out = malloc(strlen(s) * 4 + 1), *o = out;
	bool in_str = false;
	char q = 0;
	for (const char *p = s; *p; p++) {
		if (in_str) {
			*o++ = *p;
			if (*p == '\\' && p[1])
				*o++ = *++p;
			else if (*p == q)
				in_str = false;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			in_str = true;
			q = *p;
			*o++ = *p;
			continue;
		}
		if (*p == ' ') {
			*o++ = ' ';
			*o++ = '\t';
			*o++ = '\n';
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

START_TEST(accepts_with_sexpr)
{
	struct fc_node *n = fc_parse_condition(u, accepts[_i].src);
	ck_assert_msg(n != NULL, "%s: %s", accepts[_i].src, fc_diag_first(u));
	ck_assert_str_eq(fc_ast_sexpr(u, n), accepts[_i].sexpr);
	char *spread = fc_spread(accepts[_i].src);
	struct fc_node *m = fc_parse_condition(u, spread);
	ck_assert_msg(m != NULL, "%s: %s", spread, fc_diag_first(u));
	ck_assert_str_eq(fc_ast_sexpr(u, m), accepts[_i].sexpr);
	free(spread);
	/* round trip through the printer */
	struct fc_node *r = fc_parse_condition(u, fc_ast_unparse(u, n));
	ck_assert_msg(r && fc_ast_equal(n, r), "round trip of %s gave %s", accepts[_i].src,
		      fc_ast_unparse(u, n));
}
END_TEST

static const struct {
	const char *src, *diag;
} rejects[] = {
	{ "proc.name = ", "<test>:1:13: error: expected a value, found end of condition" },
	{ "(a and b", "<test>:1:9: error: expected 'and', 'or' or ')', found end of condition" },
	{ "a b", "<test>:1:3: error: expected end of condition, 'and' or 'or', found 'b'" },
	{ "", "<test>:1:1: error: expected 'not', a field, a macro name, a transformer or '(', "
	      "found end of condition" },
	{ "proc.name", "<test>:1:10: error: expected comparison operator, list operator, "
		       "'exists' or '[', found end of condition" },
	{ "proc.name in (a b)", "<test>:1:17: error: expected ')' or ',', found 'b'" },
	{ "proc.name in (a,)", "<test>:1:17: error: expected a value, found ')'" },
	{ "proc.name = (a)", "<test>:1:13: error: expected a value, found '('" },
	{ "proc.name = \"abc", "<test>:1:13: error: expected a value, found an unterminated string" },
	{ "proc.name = \"a\\qb\"", "<test>:1:15: error: unsupported escape sequence '\\q'" },
	{ "proc.name = 'a\\\"b'", "<test>:1:15: error: invalid \\\" escape in a '-quoted string" },
	{ "proc.name = \"\\x4\"", "<test>:1:14: error: \\x must be followed by two hex digits" },
	/* without '(' after it, oneof is an ordinary value */
	{ "proc.name startswith oneof x", "<test>:1:28: error: expected end of condition, 'and' "
					  "or 'or', found 'x'" },
	{ "a and and b", "<test>:1:7: error: expected 'not', a field, a macro name, a "
			 "transformer or '(', found 'and'" },
	{ "proc.aname[2 = x", "<test>:1:14: error: expected ']', found '='" },
	{ "tolower(proc.name = x", "<test>:1:19: error: expected ')', '[' or ',', found '='" },
	{ "a = 1", "<test>:1:3: error: expected end of condition, 'and' or 'or', found '='" },
	{ "proc.name = x)", "<test>:1:14: error: expected end of condition, 'and' or 'or', found ')'" },
	{ "proc.name ~ x", "<test>:1:11: error: expected comparison operator, list operator, "
			   "'exists' or '[', found '~'" },
};

START_TEST(rejects_with_message)
{
	ck_assert_ptr_eq(fc_parse_condition(u, rejects[_i].src), NULL);
	ck_assert_str_eq(fc_diag_first(u), rejects[_i].diag);
	ck_assert_uint_eq(fc_diag_count(u, FC_ERROR), 1);
}
END_TEST

START_TEST(deep_nesting_is_an_error_not_a_crash)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 8);
	memset(s, '(', n);
	strcpy(s + n, "a");
	memset(s + n + 1, ')', n);
	s[2 * n + 1] = '\0';
	ck_assert_ptr_eq(fc_parse_condition(u, s), NULL);
	ck_assert_str_eq(fc_diag_first(u), "<test>:1:201: error: parentheses nested deeper than 200");
	free(s);
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", "((((a))))");
	ck_assert_ptr_ne(fc_parse_condition(u, buf), NULL);
}
END_TEST

static char *fc_chain(size_t n)
{
	char *s = malloc(n * 5 + 1), *p = s;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, i ? " or a" : "a");
	return s;
}

START_TEST(long_chains_parse_up_to_the_limit)
{
	/* a or a or ... builds a left-deep tree: 999 terms are 999 levels */
	char *s = fc_chain(FC_MAX_HEIGHT - 1);
	ck_assert_ptr_ne(fc_parse_condition(u, s), NULL);
	free(s);
	s = fc_chain(20000);
	ck_assert_ptr_eq(fc_parse_condition(u, s), NULL);
	ck_assert_str_eq(fc_diag_first(u), "<test>:1:1: error: condition nests 20000 levels of "
					   "and/or/not; at most 1000 are supported");
	free(s);
}
END_TEST

/* Found by fuzz_parse: a token of 16 KiB or more overflowed the scanner's state buffer. */
START_TEST(huge_tokens)
{
	size_t n = 100000;
	char *s = malloc(n + 32);
	memset(s, 'a', n);
	s[n] = '\0';
	ck_assert_ptr_ne(fc_parse_condition(u, s), NULL);
	strcpy(s, "proc.name = \"");
	memset(s + 13, 'x', n);
	strcpy(s + 13 + n, "\"");
	struct fc_node *v = fc_parse_condition(u, s);
	ck_assert_ptr_ne(v, NULL);
	ck_assert_uint_eq(v->check.rhs->scalar.len, n);
	free(s);
}
END_TEST

/* Found by fuzzing: a transformer's ')' was counted twice and the nesting count wrapped. */
START_TEST(transformers_then_parentheses)
{
	ck_assert_ptr_ne(fc_parse_condition(u, "tolower(tolower(a.b)) exists and (a.c exists)"),
			 NULL);
	ck_assert_ptr_ne(fc_parse_condition(u, "tolower(a.b) = x and tolower(a.c) = y and "
					       "(a.d exists)"),
			 NULL);
	char s[4096], *p = s;
	for (int i = 0; i < 201; i++)
		p += sprintf(p, "tolower(");
	sprintf(p, "a.b");
	ck_assert_ptr_eq(fc_parse_condition(u, s), NULL);
	ck_assert_str_eq(fc_diag_first(u), "<test>:1:1601: error: parentheses nested deeper than 200");
}
END_TEST

START_TEST(locations_are_byte_columns)
{
	struct fc_node *n = fc_parse_condition(u, "a and\n  proc.name = bash");
	ck_assert_ptr_ne(n, NULL);
	ck_assert_int_eq(n->bin.r->loc.first_line, 2);
	ck_assert_int_eq(n->bin.r->loc.first_column, 3);
	ck_assert_int_eq(n->bin.r->check.op_loc.first_column, 13);
	ck_assert_int_eq(n->bin.r->check.rhs->loc.first_column, 15);
	ck_assert_int_eq(n->bin.r->loc.last_column, 18);
}
END_TEST

/* Every condition of every upstream rules file: parse, print, parse again gives the same
 * AST. Macros and rules are parsed from the loaded texts (appends applied). */
static const char *const upstream[] = {
	"falcosecurity-rules/rules/falco_rules.yaml",
	"falcosecurity-rules/rules/falco-incubating_rules.yaml",
	"falcosecurity-rules/rules/falco-sandbox_rules.yaml",
	"falcosecurity-rules/archive/falco-deprecated_rules.yaml",
	"falcosecurity-rules/archive/application_rules.yaml",
	"falcosecurity-rules/tags/falco-rules-0.1.0/falco_rules.yaml",
	"falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml",
	"falcosecurity-plugins/tags/k8saudit-0.5.0/k8s_audit_rules.yaml",
	"falcosecurity-plugins/plugins/cloudtrail/rules/aws_cloudtrail_rules.yaml",
	"falcosecurity-plugins/plugins/gcpaudit/rules/gcp_auditlog_rules.yaml",
	"falcosecurity-plugins/plugins/github/rules/github.yaml",
	"falcosecurity-plugins/plugins/okta/rules/okta_rules.yaml",
};

static int fc_round_trip_text(const struct fc_text *t)
{
	struct fc_node *a = fc_parse_text(u, t->s, t->len, NULL, fc_text_loc, t);
	ck_assert_msg(a != NULL, "does not parse: %s", t->s);
	const char *printed = fc_ast_unparse(u, a);
	struct fc_node *b = fc_parse_condition(u, printed);
	ck_assert_msg(b != NULL, "printed form does not parse: %s", printed);
	ck_assert_msg(fc_ast_equal(a, b), "round trip differs:\n  %s\n  %s", t->s, printed);
	return 1;
}

START_TEST(upstream_conditions_round_trip)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", FC_COMPAT_DIR, upstream[_i]);
	struct fc_ruleset *rs = fc_load_files(u, (const char *const[]){ path }, 1);
	ck_assert_uint_eq(fc_diag_count(u, FC_ERROR), 0);
	int n = 0;
	for (size_t i = 0; i < rs->nmacros; i++)
		n += fc_round_trip_text(&rs->macros[i]->cond);
	for (size_t i = 0; i < rs->nrules; i++)
		n += fc_round_trip_text(&rs->rules[i]->cond);
	ck_assert_int_gt(n, 0);
}
END_TEST

Suite *fc_parse_suite(void)
{
	Suite *s = suite_create("fc_parse");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, accepts_with_sexpr, 0, sizeof(accepts) / sizeof(accepts[0]));
	tcase_add_loop_test(tc, rejects_with_message, 0, sizeof(rejects) / sizeof(rejects[0]));
	tcase_add_test(tc, deep_nesting_is_an_error_not_a_crash);
	tcase_add_test(tc, long_chains_parse_up_to_the_limit);
	tcase_add_test(tc, huge_tokens);
	tcase_add_test(tc, transformers_then_parentheses);
	tcase_add_test(tc, locations_are_byte_columns);
	suite_add_tcase(s, tc);
	TCase *up = tcase_create("upstream");
	tcase_add_checked_fixture(up, setup, teardown);
	tcase_set_timeout(up, 60);
	tcase_add_loop_test(up, upstream_conditions_round_trip, 0,
			    sizeof(upstream) / sizeof(upstream[0]));
	suite_add_tcase(s, up);
	return s;
}
