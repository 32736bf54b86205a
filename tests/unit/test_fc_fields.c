/* SPDX-License-Identifier: Apache-2.0 */
/* test_fc_fields.c - the field registry: lookups, types of well-known fields against Falco's,
 * suggestions, the table's own consistency, and the three renderings. Self-contained: the
 * check that every field of the upstream rulesets resolves lives with the compat tests. */
#include "compiler/fc_fields.h"
#include "compiler/fc.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

START_TEST(exact_lookup)
{
	size_t dot = 99;
	const struct fc_field *f = fc_field_lookup("proc.name", FC_SRC_SYSCALL, &dot);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, "proc.name");
	ck_assert_int_eq(f->id, FC_FIELD_PROC_NAME);
	ck_assert_ptr_eq(f, &fc_fields[FC_FIELD_PROC_NAME]);
	ck_assert_uint_eq(dot, 0);

	f = fc_field_lookup("ka.verb", FC_SRC_K8S_AUDIT, NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->id, FC_FIELD_KA_VERB);

	/* A name that is a prefix of another is still itself. */
	f = fc_field_lookup("proc.aexe", FC_SRC_SYSCALL, NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, "proc.aexe");
	f = fc_field_lookup("k8s.pod.labels", FC_SRC_SYSCALL, &dot);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, "k8s.pod.labels");
	ck_assert_uint_eq(dot, 0);
}
END_TEST

static const struct {
	const char *name, *field;
	size_t dotarg;
} dotargs[] = {
	{ "evt.arg.fd", "evt.arg", 8 },
	{ "evt.rawarg.res", "evt.rawarg", 11 },
	{ "evt.type.is.open", "evt.type.is", 12 },
	{ "thread.cgroup.cpuacct", "thread.cgroup", 14 },
	{ "evt.abspath.src", "evt.abspath", 12 },
	{ "k8s.pod.label.app", "k8s.pod.label", 14 },
	{ "k8s.pod.label.app.kubernetes.io/name", "k8s.pod.label", 14 },
	{ "container.label.maintainer", "container.label", 16 },
};

START_TEST(dotarg_lookup)
{
	size_t dot = 0;
	const struct fc_field *f = fc_field_lookup(dotargs[_i].name, FC_SRC_SYSCALL, &dot);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, dotargs[_i].field);
	ck_assert(f->flags & FC_F_DOTARG);
	ck_assert_uint_eq(dot, dotargs[_i].dotarg);
	ck_assert_str_eq(dotargs[_i].name + dot, dotargs[_i].name + strlen(f->name) + 1);
}
END_TEST

static const struct {
	const char *name;
	enum fc_source src;
} unknown[] = {
	{ "proc.nmae", FC_SRC_SYSCALL },
	{ "proc.nobody", FC_SRC_SYSCALL },
	{ "proc", FC_SRC_SYSCALL },
	{ "", FC_SRC_SYSCALL },
	{ "proc.name.x", FC_SRC_SYSCALL },   /* proc.name takes no dotted argument */
	{ "evt.arg.", FC_SRC_SYSCALL },      /* an empty dotted argument */
	{ "evt.arg", FC_SRC_K8S_AUDIT },     /* right name, wrong source */
	{ "proc.name", FC_SRC_K8S_AUDIT },
	{ "fd.name", FC_SRC_K8S_AUDIT },
	{ "ka.verb", FC_SRC_SYSCALL },
	{ "jevt.value", FC_SRC_SYSCALL },
	{ "ka.verb.x", FC_SRC_K8S_AUDIT },
};

START_TEST(unknown_lookup)
{
	size_t dot = 99;
	ck_assert_ptr_null(fc_field_lookup(unknown[_i].name, unknown[_i].src, &dot));
	ck_assert_uint_eq(dot, 0);
}
END_TEST

START_TEST(bad_arguments)
{
	ck_assert_ptr_null(fc_field_lookup(NULL, FC_SRC_SYSCALL, NULL));
	ck_assert_ptr_null(fc_field_lookup("proc.name", FC_SRC_COUNT, NULL));
	ck_assert_ptr_null(fc_field_lookup("proc.name", (enum fc_source)-1, NULL));
	ck_assert_ptr_null(fc_field_suggest(NULL, FC_SRC_SYSCALL));
	ck_assert_ptr_null(fc_field_suggest("proc.nmae", FC_SRC_COUNT));
}
END_TEST

/* Types as Falco lists them (falco --list, libsinsp's field tables, the k8saudit plugin). */
static const struct {
	const char *name;
	enum fc_source src;
	enum fc_type type;
	enum fc_arg_kind arg;
	unsigned flags;
} known[] = {
	{ "evt.num", FC_SRC_SYSCALL, FC_T_UINT64, FC_ARG_NONE, 0 },
	{ "evt.time", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_NONE, 0 },
	{ "evt.rawtime", FC_SRC_SYSCALL, FC_T_ABSTIME, FC_ARG_NONE, 0 },
	{ "evt.type", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_NONE, 0 },
	{ "evt.dir", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_NONE, FC_F_DEPRECATED },
	{ "evt.res", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_NONE, 0 },
	{ "evt.rawres", FC_SRC_SYSCALL, FC_T_INT64, FC_ARG_NONE, 0 },
	{ "evt.cpu", FC_SRC_SYSCALL, FC_T_INT16, FC_ARG_NONE, 0 },
	{ "evt.buffer", FC_SRC_SYSCALL, FC_T_BYTEBUF, FC_ARG_NONE, 0 },
	{ "evt.is_open_read", FC_SRC_SYSCALL, FC_T_BOOL, FC_ARG_NONE, 0 },
	{ "evt.arg", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_INDEX_OR_KEY, FC_F_DOTARG },
	{ "evt.latency", FC_SRC_SYSCALL, FC_T_RELTIME, FC_ARG_NONE, FC_F_DEPRECATED },
	{ "proc.pid", FC_SRC_SYSCALL, FC_T_INT64, FC_ARG_NONE, 0 },
	{ "proc.name", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_NONE, 0 },
	{ "proc.aname", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_OPT_INDEX, 0 },
	{ "proc.apid", FC_SRC_SYSCALL, FC_T_INT64, FC_ARG_OPT_INDEX, 0 },
	{ "proc.env", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_OPT_KEY, 0 },
	{ "proc.duration", FC_SRC_SYSCALL, FC_T_RELTIME, FC_ARG_NONE, 0 },
	{ "proc.exe_ino.ctime", FC_SRC_SYSCALL, FC_T_ABSTIME, FC_ARG_NONE, 0 },
	{ "proc.fdusage", FC_SRC_SYSCALL, FC_T_DOUBLE, FC_ARG_NONE, 0 },
	{ "thread.tid", FC_SRC_SYSCALL, FC_T_INT64, FC_ARG_NONE, 0 },
	{ "user.uid", FC_SRC_SYSCALL, FC_T_UINT32, FC_ARG_NONE, 0 },
	{ "user.loginuid", FC_SRC_SYSCALL, FC_T_INT64, FC_ARG_NONE, 0 },
	{ "group.gid", FC_SRC_SYSCALL, FC_T_UINT32, FC_ARG_NONE, 0 },
	{ "fd.num", FC_SRC_SYSCALL, FC_T_INT64, FC_ARG_NONE, 0 },
	{ "fd.name", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_NONE, 0 },
	{ "fd.sip", FC_SRC_SYSCALL, FC_T_IPADDR, FC_ARG_NONE, 0 },
	{ "fd.sport", FC_SRC_SYSCALL, FC_T_PORT, FC_ARG_NONE, 0 },
	{ "fd.snet", FC_SRC_SYSCALL, FC_T_IPNET, FC_ARG_NONE, 0 },
	{ "fd.dev", FC_SRC_SYSCALL, FC_T_INT32, FC_ARG_NONE, 0 },
	{ "fd.ino", FC_SRC_SYSCALL, FC_T_INT64, FC_ARG_NONE, 0 },
	{ "container.privileged", FC_SRC_SYSCALL, FC_T_BOOL, FC_ARG_NONE, 0 },
	{ "container.mount.dest", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_INDEX_OR_KEY, 0 },
	{ "container.info", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_NONE, FC_F_OUTPUT_ONLY },
	{ "k8s.pod.label", FC_SRC_SYSCALL, FC_T_CHARBUF, FC_ARG_KEY, FC_F_DOTARG },
	{ "evt.num", FC_SRC_K8S_AUDIT, FC_T_UINT64, FC_ARG_NONE, 0 },
	{ "ka.user.name", FC_SRC_K8S_AUDIT, FC_T_CHARBUF, FC_ARG_NONE, 0 },
	{ "ka.uri.param", FC_SRC_K8S_AUDIT, FC_T_CHARBUF, FC_ARG_KEY, 0 },
	{ "ka.req.pod.containers.image", FC_SRC_K8S_AUDIT, FC_T_CHARBUF, FC_ARG_OPT_INDEX,
	  FC_F_LIST },
	{ "ka.req.binding.subjects", FC_SRC_K8S_AUDIT, FC_T_CHARBUF, FC_ARG_NONE, FC_F_LIST },
	{ "ka.req.container.image", FC_SRC_K8S_AUDIT, FC_T_CHARBUF, FC_ARG_NONE, FC_F_DEPRECATED },
	{ "jevt.value", FC_SRC_K8S_AUDIT, FC_T_CHARBUF, FC_ARG_KEY, 0 },
};

START_TEST(known_types)
{
	const struct fc_field *f = fc_field_lookup(known[_i].name, known[_i].src, NULL);
	ck_assert_msg(f != NULL, "%s not found", known[_i].name);
	ck_assert_str_eq(fc_type_name(f->type), fc_type_name(known[_i].type));
	ck_assert_int_eq(f->arg, known[_i].arg);
	ck_assert_uint_eq(f->flags, known[_i].flags);
	ck_assert_int_eq(f->src, known[_i].src);
}
END_TEST

START_TEST(suggestions)
{
	ck_assert_str_eq(fc_field_suggest("proc.nmae", FC_SRC_SYSCALL), "proc.name");
	ck_assert_str_eq(fc_field_suggest("proc.cmdlin", FC_SRC_SYSCALL), "proc.cmdline");
	ck_assert_str_eq(fc_field_suggest("fd.nmae", FC_SRC_SYSCALL), "fd.name");
	ck_assert_str_eq(fc_field_suggest("ka.user.nam", FC_SRC_K8S_AUDIT), "ka.user.name");
	ck_assert_str_eq(fc_field_suggest("container.imagee", FC_SRC_SYSCALL), "container.image");
	/* Too far from anything, and names of the other source are not offered. */
	ck_assert_ptr_null(fc_field_suggest("banana", FC_SRC_SYSCALL));
	ck_assert_ptr_null(fc_field_suggest("xyz.qwerty.zzz", FC_SRC_SYSCALL));
	ck_assert_ptr_null(fc_field_suggest("ka.verb", FC_SRC_SYSCALL));
	ck_assert_ptr_null(fc_field_suggest("", FC_SRC_SYSCALL));
}
END_TEST

START_TEST(table_is_consistent)
{
	for (unsigned i = 0; i < FC_FIELD_COUNT; i++) {
		const struct fc_field *f = &fc_fields[i];
		ck_assert_int_eq(f->id, i);
		ck_assert_ptr_nonnull(f->name);
		ck_assert_msg(f->desc && f->desc[0], "%s has no description", f->name);
		ck_assert_msg(strchr(f->name, '.') != NULL, "%s has no class", f->name);
		ck_assert_msg((unsigned)f->type < FC_T_COUNT, "%s has a bad type", f->name);
		ck_assert_msg((unsigned)f->src < FC_SRC_COUNT, "%s has a bad source", f->name);
		ck_assert_msg(!(f->flags & FC_F_DOTARG) ||
				      (f->arg == FC_ARG_KEY || f->arg == FC_ARG_OPT_KEY ||
				       f->arg == FC_ARG_INDEX_OR_KEY),
			      "%s takes a dotted argument but no key", f->name);
		/* Every field is found under its own name and source. */
		size_t dot = 99;
		ck_assert_ptr_eq(fc_field_lookup(f->name, f->src, &dot), f);
		ck_assert_uint_eq(dot, 0);
		for (unsigned j = i + 1; j < FC_FIELD_COUNT; j++)
			ck_assert_msg(fc_fields[j].src != f->src ||
					      strcmp(fc_fields[j].name, f->name) != 0,
				      "%s is registered twice for %s", f->name,
				      fc_source_name(f->src));
	}
}
END_TEST

START_TEST(types_and_sources)
{
	ck_assert_str_eq(fc_type_name(FC_T_CHARBUF), "CHARBUF");
	ck_assert_str_eq(fc_type_name(FC_T_IPNET), "IPNET");
	ck_assert_str_eq(fc_type_name(FC_T_POISON), "POISON");
	ck_assert_int_eq(fc_type_class(FC_T_FSPATH), FC_CLASS_STRING);
	ck_assert_int_eq(fc_type_class(FC_T_PORT), FC_CLASS_NUMBER);
	ck_assert_int_eq(fc_type_class(FC_T_BOOL), FC_CLASS_BOOL);
	ck_assert_int_eq(fc_type_class(FC_T_IPV6ADDR), FC_CLASS_IPADDR);
	ck_assert_int_eq(fc_type_class(FC_T_BYTEBUF), FC_CLASS_BYTES);
	ck_assert_str_eq(fc_source_name(FC_SRC_SYSCALL), "syscall");
	ck_assert_str_eq(fc_source_name(FC_SRC_K8S_AUDIT), "k8s_audit");
	ck_assert_int_eq(fc_source_lookup("syscall"), FC_SRC_SYSCALL);
	ck_assert_int_eq(fc_source_lookup("k8s_audit"), FC_SRC_K8S_AUDIT);
	ck_assert_int_eq(fc_source_lookup("aws_cloudtrail"), -1);
	ck_assert_int_eq(fc_source_lookup(NULL), -1);
}
END_TEST

/* Renders into memory; the caller frees the text. */
static char *render(enum fc_fields_format fmt, int src)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	fc_fields_print(out, fmt, src);
	fclose(out);
	return buf;
}

static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

START_TEST(print_json)
{
	char *all = render(FC_FIELDS_JSON, -1);
	ck_assert(strncmp(all, "{\"fields\":[", 11) == 0);
	ck_assert_uint_eq(count(all, "{\"name\":"), FC_FIELD_COUNT);
	ck_assert_ptr_nonnull(strstr(all, "{\"name\":\"proc.aname\",\"type\":\"CHARBUF\","
					  "\"arg\":\"optional index\",\"list\":false,"
					  "\"deprecated\":false,\"source\":\"syscall\","
					  "\"description\":\""));
	ck_assert_ptr_nonnull(strstr(all, "\"name\":\"ka.req.pod.containers.image\","
					  "\"type\":\"CHARBUF\",\"arg\":\"optional index\","
					  "\"list\":true"));
	free(all);

	char *ka = render(FC_FIELDS_JSON, FC_SRC_K8S_AUDIT);
	ck_assert_ptr_null(strstr(ka, "\"source\":\"syscall\""));
	ck_assert_ptr_nonnull(strstr(ka, "\"source\":\"k8s_audit\""));
	free(ka);
}
END_TEST

START_TEST(print_text_and_markdown)
{
	char *txt = render(FC_FIELDS_TEXT, -1);
	ck_assert_ptr_nonnull(strstr(txt, "Event source: syscall"));
	ck_assert_ptr_nonnull(strstr(txt, "Event source: k8s_audit"));
	ck_assert_ptr_nonnull(strstr(txt, "\n  proc.name "));
	for (const char *line = txt; *line;) {
		size_t n = strcspn(line, "\n");
		ck_assert_msg(n <= 100, "text line longer than 100 columns: %.*s", (int)n, line);
		line += n + (line[n] == '\n');
	}
	free(txt);

	char *md = render(FC_FIELDS_MARKDOWN, -1);
	ck_assert(strncmp(md, "# Field reference\n", 18) == 0);
	ck_assert_ptr_nonnull(strstr(md, "## Source `syscall`"));
	ck_assert_ptr_nonnull(strstr(md, "## Source `k8s_audit`"));
	ck_assert_ptr_nonnull(strstr(md, "### `fs.path`"));
	ck_assert_ptr_nonnull(strstr(md, "| `fd.sport` | PORT |"));
	free(md);

	char *sys = render(FC_FIELDS_MARKDOWN, FC_SRC_SYSCALL);
	ck_assert_ptr_null(strstr(sys, "k8s_audit`"));
	free(sys);
}
END_TEST

Suite *fc_fields_suite(void)
{
	Suite *s = suite_create("fc_fields");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, exact_lookup);
	tcase_add_loop_test(tc, dotarg_lookup, 0, sizeof(dotargs) / sizeof(dotargs[0]));
	tcase_add_loop_test(tc, unknown_lookup, 0, sizeof(unknown) / sizeof(unknown[0]));
	tcase_add_test(tc, bad_arguments);
	tcase_add_loop_test(tc, known_types, 0, sizeof(known) / sizeof(known[0]));
	tcase_add_test(tc, suggestions);
	tcase_add_test(tc, table_is_consistent);
	tcase_add_test(tc, types_and_sources);
	tcase_add_test(tc, print_json);
	tcase_add_test(tc, print_text_and_markdown);
	suite_add_tcase(s, tc);
	return s;
}
