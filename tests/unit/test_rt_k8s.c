/* SPDX-License-Identifier: Apache-2.0 */
/* test_rt_k8s.c - the k8s_audit event source (runtime/rt_k8s.c): reading audit events as the
 * k8saudit plugin does (Event, EventList, arrays, and every kind of bad line, each skipped with
 * its line number), RFC 3339 times, the ka.* / json.* / jevt.* fields with the plugins'
 * semantics (lists, <NA>, JSON pointers, values that are not strings), and the engine: rules
 * of both sources in one ruleset, audit alerts in Falco's JSON. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/fc.h"
#include "compiler/fc_check.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_k8s.h"
#include "runtime/rt_state.h"
#include "tests/unit/suites.h"

/* A pod created by bob, two containers (the second privileged, without runAsUser), a hostPath
 * and a secret volume, a query string, annotations with '/' in their keys. */
static const char POD[] =
    "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"ResponseComplete\","
    "\"auditID\":\"id-1\",\"verb\":\"create\","
    "\"requestURI\":\"/api/v1/namespaces/default/pods/p/"
    "exec?command=ls&command=-l&container=a%2Fb&tty\","
    "\"user\":{\"username\":\"bob\",\"groups\":[\"dev\",\"system:authenticated\"]},"
    "\"sourceIPs\":[\"10.0.0.1\"],\"userAgent\":\"kubectl/v1.25\","
    "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"p\"},"
    "\"responseStatus\":{\"code\":201},"
    "\"requestObject\":{\"kind\":\"Pod\",\"spec\":{"
    "\"securityContext\":{\"runAsUser\":1000},\"hostNetwork\":true,"
    "\"containers\":["
    "{\"name\":\"a\",\"image\":\"nginx:1.2\",\"command\":[\"sh\",\"-c\"],"
    "\"securityContext\":{\"runAsUser\":5,\"capabilities\":{\"add\":[\"NET_ADMIN\"]}},"
    "\"ports\":[{\"containerPort\":80},{\"containerPort\":443,\"hostPort\":8443}]},"
    "{\"name\":\"b\",\"image\":\"docker.io/library/busybox@sha256:ab\","
    "\"securityContext\":{\"privileged\":true}}],"
    "\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/proc/sys\"}},"
    "{\"name\":\"s\",\"secret\":{\"secretName\":\"x\"}}]}},"
    "\"responseObject\":{\"metadata\":{\"name\":\"p-123\"}},"
    "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"a/~b\":\"x\"},"
    "\"requestReceivedTimestamp\":\"2018-10-25T14:09:12.000000Z\","
    "\"stageTimestamp\":\"2018-10-25T14:09:12.581541Z\"}";

static const char ROLE[] =
    "{\"kind\":\"Event\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"clusterroles\"},"
    "\"requestObject\":{\"kind\":\"ClusterRole\",\"rules\":["
    "{\"apiGroups\":[\"\"],\"resources\":[\"pods/exec\"],\"verbs\":[\"create\",\"get\"]},"
    "{\"nonResourceURLs\":[\"/healthz\"],\"verbs\":[\"*\"]}]},"
    "\"stageTimestamp\":\"2018-10-25T14:09:13Z\"}";

static const char BINDING[] =
    "{\"kind\":\"Event\",\"requestObject\":{\"roleRef\":{\"name\":\"cluster-admin\"},"
    "\"subjects\":[{\"kind\":\"User\",\"name\":\"alice\"},"
    "{\"kind\":\"ServiceAccount\",\"name\":\"sa\",\"namespace\":\"kube-system\"},"
    "{\"kind\":\"Group\",\"name\":\"ops\"}]},"
    "\"stageTimestamp\":\"2018-10-25T14:09:14+02:00\"}";

static struct fc_unit *u;
static struct rt_ctx ctx;
static struct rt_k8s_reader *rd;
static char warned[4096];
static unsigned nwarn;

static void on_warn(void *user, const char *path, uint64_t line, const char *msg)
{
	(void)user;
	size_t n = strlen(warned);
	snprintf(warned + n, sizeof(warned) - n, "%s:%llu: %s\n", path, (unsigned long long)line,
	         msg);
	nwarn++;
}

static void setup(void)
{
	u = fc_unit_new(NULL);
	rt_ctx_init(&ctx, NULL);
	rd = NULL;
	warned[0] = '\0';
	nwarn = 0;
}

static void teardown(void)
{
	rt_k8s_reader_close(rd);
	rt_ctx_fini(&ctx);
	fc_unit_free(u);
}

/* A reader over text (a copy: fmemopen reads it in place). */
static struct rt_k8s_reader *reader(const char *text, size_t max)
{
	static char copy[16384];
	size_t n = strlen(text);
	ck_assert_uint_lt(n, sizeof(copy));
	memcpy(copy, text, n + 1);
	FILE *f = fmemopen(copy, n ? n : 1, "r");
	if (!n)
		fgetc(f); /* fmemopen needs a size: read the one byte away */
	ck_assert_ptr_nonnull(f);
	struct rt_k8s_options o = {.max_event_size = max, .warn = on_warn};
	rt_k8s_reader_close(rd);
	rd = rt_k8s_reader_new(f, "ev.json", &o);
	return rd;
}

static const struct rt_k8s_event *next(void)
{
	const struct rt_k8s_event *k = NULL;
	char err[256];
	int rc = rt_k8s_reader_next(rd, &k, err, sizeof(err));
	ck_assert_int_ge(rc, 0);
	return rc ? k : NULL;
}

/* Makes the one event of text current in ctx. */
static const struct rt_k8s_event *load(const char *text)
{
	reader(text, 0);
	const struct rt_k8s_event *k = next();
	ck_assert_ptr_nonnull(k);
	rt_ctx_begin(&ctx, (struct rt_event *)&k->ev);
	ctx.k8s = k;
	return k;
}

static bool cond(const char *text)
{
	struct fc_node *n = fc_parse_condition(u, text);
	ck_assert_msg(n != NULL, "parse: %s", text);
	struct fc_check_result r = fc_check_condition(u, n, FC_SRC_K8S_AUDIT, false);
	ck_assert_msg(r.errors == 0, "check %s: %s", text, fc_diag_first(u));
	return rt_eval(&ctx, n);
}

/* The value of an output field, as outputs print it. */
static const char *fmt(const char *field)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s exists or not %s exists", field, field);
	struct fc_node *n = fc_parse_condition(u, buf);
	ck_assert_ptr_nonnull(n);
	struct fc_check_result r = fc_check_condition(u, n, FC_SRC_K8S_AUDIT, false);
	ck_assert_msg(r.errors == 0, "check %s: %s", field, fc_diag_first(u));
	const struct fc_expr *e = n->bin.l->check.lhs;
	struct rt_value v;
	rt_extract(&ctx, e, &v);
	return rt_value_format(&ctx, e, &v);
}

/* ---- reading ---- */

START_TEST(reads_event_lists_and_arrays)
{
	char text[8192];
	snprintf(text, sizeof(text), "%s\n\n{\"kind\":\"EventList\",\"items\":[%s,%s]}\r\n[%s]\n",
	         POD, ROLE, BINDING, ROLE);
	reader(text, 0);
	const struct rt_k8s_event *k = next();
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->hdr.ts_ns, 1540476552581541000ull);
	ck_assert_uint_eq(k->ev.num, 1);
	ck_assert_ptr_eq(k->ev.hdr, &k->hdr);
	k = next();
	ck_assert_uint_eq(k->hdr.ts_ns, 1540476553000000000ull);
	k = next();
	ck_assert_uint_eq(k->hdr.ts_ns, 1540476554000000000ull - 7200000000000ull);
	k = next();
	ck_assert_uint_eq(k->ev.num, 4);
	ck_assert_ptr_null(next());
	ck_assert_uint_eq(nwarn, 0);
	uint64_t lines, events, skipped;
	rt_k8s_reader_counts(rd, &lines, &events, &skipped);
	ck_assert_uint_eq(lines, 4);
	ck_assert_uint_eq(events, 4);
	ck_assert_uint_eq(skipped, 0);
}
END_TEST

START_TEST(skips_bad_lines_with_their_number)
{
	char text[8192];
	snprintf(text, sizeof(text),
	         "{\"kind\": 0}\n"                                                      /* 1 */
	         "{\"kind\":\"Event\",\"stage\":\n"                                     /* 2 */
	         "not json\n"                                                           /* 3 */
	         "{\"kind\":\"Event\"}\n"                                               /* 4 */
	         "{\"kind\":\"Event\",\"stageTimestamp\":\"yesterday\"}\n"              /* 5 */
	         "{\"kind\":\"Event\",\"stageTimestamp\":\"2018-10-25T14:09:12Z\"} x\n" /* 6 */
	         "[%s,{\"kind\":\"Pod\"}]\n" /* 7: all dropped */
	         "null\n"                    /* 8 */
	         "%s\n",                     /* 9: good */
	         ROLE, ROLE);
	reader(text, 0);
	const struct rt_k8s_event *k = next();
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->ev.num, 1);
	ck_assert_ptr_null(next());
	ck_assert_uint_eq(nwarn, 8);
	ck_assert_ptr_nonnull(
	    strstr(warned, "ev.json:1: data not recognized as a k8s audit event"));
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:2: invalid JSON"));
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:3: invalid JSON"));
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:4: can't read stageTimestamp"));
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:5: parsing time \"yesterday\""));
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:6: invalid JSON at byte"));
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:7: data not recognized"));
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:8: data not recognized"));
}
END_TEST

START_TEST(skips_events_over_max_size)
{
	char text[8192];
	snprintf(text, sizeof(text), "%s\n%s\n", POD, ROLE);
	reader(text, 400);
	const struct rt_k8s_event *k = next();
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->hdr.ts_ns, 1540476553000000000ull); /* ROLE */
	ck_assert_ptr_null(next());
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:1: event larger than maxEventSize: size="));
}
END_TEST

START_TEST(deep_and_huge_input_is_refused_cleanly)
{
	/* nesting deeper than the parser's limit, and a string that is just long */
	static char text[12000];
	size_t n = 0;
	for (int i = 0; i < 300; i++)
		text[n++] = '[';
	text[n++] = '\n';
	n += (size_t)snprintf(
	    text + n, sizeof(text) - n,
	    "{\"kind\":\"Event\",\"stageTimestamp\":\"2018-10-25T14:09:12Z\",\"x\":\"");
	memset(text + n, 'a', 9000);
	n += 9000;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\"}\n");
	reader(text, 0);
	const struct rt_k8s_event *k = next();
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_gt(k->len, 9000);
	ck_assert_ptr_null(next());
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warned, "ev.json:1: invalid JSON"));
}
END_TEST

START_TEST(open_errors_name_the_file)
{
	char err[256];
	ck_assert_ptr_null(rt_k8s_reader_open("/nonexistent/audit.json", NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/audit.json: No such file or directory");
	ck_assert_ptr_null(rt_k8s_reader_open("/", NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/: is a directory"));
}
END_TEST

static const struct {
	const char *s;
	unsigned long long ns; /* 0: refused */
} times[] = {
    {"2018-10-25T14:09:12Z", 1540476552000000000ull},
    {"2018-10-25T14:09:12.5Z", 1540476552500000000ull},
    {"2018-10-25T14:09:12.123456789Z", 1540476552123456789ull},
    {"2018-10-25T14:09:12.1234567891Z", 1540476552123456789ull},
    {"2018-10-25T16:09:12+02:00", 1540476552000000000ull},
    {"2018-10-25T13:39:12-00:30", 1540476552000000000ull},
    {"2018-10-25 14:09:12Z", 0},
    {"2018-10-25T14:09:12", 0},
    {"2018-10-25T14:09:12.Z", 0},
    {"2018-13-25T14:09:12Z", 0},
    {"2018-10-25T14:09:12+0200", 0},
    {"2018-10-25T14:09:12Zjunk", 0},
    {"", 0},
};

START_TEST(parses_rfc3339_times)
{
	uint64_t ns = 0;
	bool ok = rt_k8s_parse_time(times[_i].s, &ns);
	ck_assert_msg(ok == (times[_i].ns != 0), "%s", times[_i].s);
	if (ok)
		ck_assert_uint_eq(ns, times[_i].ns);
}
END_TEST

/* ---- fields ---- */

struct kcase {
	const char *cond;
	bool want;
};

static const struct kcase pod_cases[] = {
    {"ka.user.name = bob", true},
    {"ka.user.groups intersects (dev, ops)", true},
    {"ka.user.groups in (dev, system:authenticated, x)", true},
    {"ka.user.groups in (dev)", false},
    {"ka.verb = create and ka.stage = ResponseComplete and ka.auditid = id-1", true},
    {"ka.target.resource = pods and ka.target.namespace = default and ka.target.name = p", true},
    {"ka.target.subresource exists", false},
    {"ka.target.pod.name = p", true},
    {"ka.impuser.name exists", false},
    {"ka.auth.decision = allow", true},
    {"ka.auth.reason exists", false},
    {"ka.response.code = 201", true},
    {"ka.response.code startswith 2", true},
    {"ka.resp.name = p-123", true},
    {"ka.useragent startswith kubectl", true},
    {"ka.sourceips intersects (10.0.0.1)", true},
    {"ka.uri.param[command] = ls", true},
    {"ka.uri.param[container] = a/b", true},
    {"ka.uri.param[tty] = ''", true},
    {"ka.uri.param[nope] exists", false},
    {"ka.req.pod.containers.image intersects (nginx:1.2)", true},
    {"ka.req.pod.containers.image[1] in (docker.io/library/busybox@sha256:ab)", true},
    {"ka.req.pod.containers.image[2] exists", false},
    {"ka.req.pod.containers.image.repository in (nginx, docker.io/library/busybox)", true},
    {"ka.req.container.image = nginx:1.2", true},
    {"ka.req.container.image.repository = nginx", true},
    {"ka.req.pod.containers.name in (a, b)", true},
    {"ka.req.pod.containers.privileged intersects (true)", true},
    {"ka.req.pod.containers.privileged in (true)", true}, /* a has no setting: left out */
    {"ka.req.pod.containers.privileged[0] exists", false},
    {"ka.req.container.privileged = true", true},
    {"ka.req.pod.containers.run_as_user exists", false}, /* b has none: <NA> */
    {"ka.req.pod.containers.run_as_user[0] in (5)", true},
    {"ka.req.pod.containers.eff_run_as_user in (5, 1000)", true},
    {"ka.req.pod.containers.eff_run_as_user[1] in (1000)", true},
    {"ka.req.pod.containers.eff_run_as_group in (0)", true},
    {"ka.req.pod.containers.add_capabilities intersects (NET_ADMIN)", true},
    {"ka.req.pod.containers.command intersects (sh)", true},
    {"ka.req.pod.containers.host_port in (80, 8443)", true},
    {"ka.req.pod.initContainers.image exists", false},
    {"ka.req.pod.host_network = true", true},
    {"ka.req.container.host_network = true", true},
    {"ka.req.pod.host_pid exists", false},
    {"ka.req.pod.run_as_user = 1000", true},
    {"ka.req.pod.volumes.hostpath intersects (/proc/sys)", true},
    {"ka.req.pod.volumes.hostpath in (/proc/sys)", true}, /* the secret volume is left out */
    {"ka.req.volume.hostpath[/proc*] = true", true},
    {"ka.req.volume.hostpath[/proc] = true", false},
    {"ka.req.volume.hostpath[/proc/sys] = true", true},
    {"ka.req.pod.volumes.volume_type in (hostPath, secret)", true},
    {"ka.req.role.rules exists", false},
    {"ka.req.binding.subjects exists", false},
    {"jevt.value[/user/username] = bob", true},
    {"json.value[user/username] = bob", true},
    {"jevt.value[/annotations/authorization.k8s.io~1decision] = allow", true},
    {"jevt.value[/annotations/a~1~0b] = x", true},
    {"jevt.value[/a~1~0b] exists", false},
    {"jevt.value[/requestObject/spec/containers/1/name] = b", true},
    {"jevt.value[/requestObject/spec/containers/01/name] exists", false},
    {"jevt.value[/responseStatus/code] = 201", true},
    {"jevt.rawtime = 1540476552581541000", true},
    {"json.rawtime exists", true},
    {"evt.rawtime = 1540476552581541000", true},
    {"evt.num = 1", true},
    {"evt.source = k8s_audit", true},
    {"evt.pluginname = k8saudit", true},
    {"ka.cluster.name exists", false},
};

START_TEST(pod_fields)
{
	load(POD);
	ck_assert_msg(cond(pod_cases[_i].cond) == pod_cases[_i].want, "%s", pod_cases[_i].cond);
}
END_TEST

START_TEST(role_and_binding_fields)
{
	load(ROLE);
	ck_assert(cond("ka.req.role.rules.verbs intersects (create)"));
	ck_assert(cond("ka.req.role.rules.verbs in (create, get, \"*\")"));
	ck_assert(cond("ka.req.role.rules.resources intersects (pods/exec)"));
	ck_assert(cond("ka.req.role.rules.apiGroups in ('')"));
	ck_assert(cond("ka.req.role.rules.nonResourceURLs in (/healthz)"));
	ck_assert(cond("ka.req.role.rules.verbs[1] in (\"*\")"));
	ck_assert_str_eq(fmt("ka.req.role.rules.verbs"), "(create,get,*)");
	ck_assert_ptr_nonnull(strstr(fmt("ka.req.role.rules"),
	                             ",{\"nonResourceURLs\":[\"/healthz\"],\"verbs\":[\"*\"]})"));
	ck_assert(!cond("ka.req.pod.containers.image exists"));
	load(BINDING);
	ck_assert(cond("ka.req.binding.role = cluster-admin"));
	ck_assert(cond("ka.req.binding.subjects.user_names in (alice)"));
	ck_assert(cond("ka.req.binding.subjects.serviceaccount_ns_names in (kube-system:sa)"));
	ck_assert(cond("ka.req.binding.subjects.group_names intersects (ops)"));
	ck_assert(cond("ka.req.binding.subject.has_name[anyone] = true"));
	ck_assert_str_eq(fmt("ka.req.binding.subjects"),
	                 "({\"kind\":\"User\",\"name\":\"alice\"},{\"kind\":\"ServiceAccount\","
	                 "\"name\":\"sa\",\"namespace\":\"kube-system\"},{\"kind\":\"Group\","
	                 "\"name\":\"ops\"})");
}
END_TEST

START_TEST(values_print_as_falco_prints_them)
{
	load(POD);
	ck_assert_str_eq(fmt("ka.req.pod.containers.image"),
	                 "(nginx:1.2,docker.io/library/busybox@sha256:ab)");
	ck_assert_str_eq(fmt("ka.req.pod.containers.privileged"), "(true)");
	ck_assert_str_eq(fmt("ka.response.code"), "201");
	ck_assert_str_eq(fmt("ka.impuser.name"), "<NA>");
	ck_assert_str_eq(fmt("jevt.value[/objectRef]"),
	                 "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"p\"}");
	ck_assert_str_eq(fmt("jevt.value[/requestObject/spec/volumes/0/hostPath]"),
	                 "{\"path\":\"/proc/sys\"}");
	ck_assert_str_eq(fmt("evt.time"), "14:09:12.581541000");
	load(ROLE);
	const char *obj = fmt("jevt.obj");
	ck_assert_msg(
	    strncmp(obj,
	            "{\n  \"kind\": \"Event\",\n  \"verb\": \"create\",\n  \"objectRef\": "
	            "{\n    \"resource\": \"clusterroles\"\n  },",
	            88) == 0,
	    "%s", obj);
	ck_assert_msg(strstr(obj, "\"apiGroups\": [\n          \"\"\n        ],") != NULL, "%s",
	              obj);
	ck_assert_str_eq(fmt("json.obj"), obj);
}
END_TEST

/* ---- the engine: both sources in one ruleset ---- */

static const char MIXED[] =
    "- rule: syscall rule\n"
    "  desc: d\n"
    "  condition: evt.type = openat and proc.name = cat\n"
    "  output: opened (%proc.name)\n"
    "  priority: WARNING\n"
    "- rule: k8s exec\n"
    "  desc: d\n"
    "  condition: ka.target.subresource = exec or ka.user.groups intersects (dev)\n"
    "  output: by %ka.user.name images=%ka.req.pod.containers.image code=%ka.response.code "
    "impuser=%ka.impuser.name\n"
    "  priority: NOTICE\n"
    "  source: k8s_audit\n"
    "  tags: [k8s]\n"
    "- rule: k8s never\n"
    "  desc: d\n"
    "  condition: ka.verb = nope\n"
    "  output: never\n"
    "  priority: ERROR\n"
    "  source: k8s_audit\n";

static char *out_buf;
static size_t out_len;

static void on_alert(const struct rt_alert *a, void *user)
{
	rt_alert_print((FILE *)user, a, RT_TIME_ISO8601, true, "h");
}

START_TEST(engine_runs_audit_rules_beside_syscall_rules)
{
	char path[] = "/tmp/test_rt_k8s_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, MIXED, strlen(MIXED)), (ssize_t)strlen(MIXED));
	close(fd);
	const char *paths[] = {path};
	struct fc_ruleset *rs = fc_load_files(u, paths, 1);
	unlink(path);
	ck_assert_msg(fc_diag_count(u, FC_ERROR) == 0, "%s", fc_diag_first(u));
	for (int jit = 0; jit < 2; jit++) {
		struct rt_engine_options o = {
		    .match = RT_MATCH_ALL, .min_priority = FC_PRIO_DEBUG, .no_jit = jit == 0};
		struct rt_engine *e = rt_engine_new(rs, &o);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(rt_engine_k8s_rule_count(e), 2);
		reader(POD, 0);
		const struct rt_k8s_event *k = next();
		FILE *f = open_memstream(&out_buf, &out_len);
		ck_assert_uint_eq(rt_engine_process_k8s(e, NULL, k, on_alert, f), 1);
		fclose(f);
		ck_assert_str_eq(
		    out_buf,
		    "{\"hostname\":\"h\",\"output\":\"2018-10-25T14:09:12.581541000+0000: "
		    "Notice by bob images=(nginx:1.2,docker.io/library/busybox@sha256:ab) "
		    "code=201 impuser=<NA>\",\"priority\":\"Notice\",\"rule\":\"k8s exec\","
		    "\"source\":\"k8s_audit\",\"tags\":[\"k8s\"],"
		    "\"time\":\"2018-10-25T14:09:12.581541000Z\", \"output_fields\": "
		    "{\"evt.time.iso8601\":1540476552581541000,"
		    "\"ka.impuser.name\":null,\"ka.req.pod.containers.image\":"
		    "\"(nginx:1.2,docker.io/library/busybox@sha256:ab)\","
		    "\"ka.response.code\":\"201\",\"ka.user.name\":\"bob\"}}\n");
		free(out_buf);
		rt_engine_free(e);
	}
}
END_TEST

Suite *rt_k8s_suite(void)
{
	Suite *s = suite_create("rt_k8s");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reads_event_lists_and_arrays);
	tcase_add_test(tc, skips_bad_lines_with_their_number);
	tcase_add_test(tc, skips_events_over_max_size);
	tcase_add_test(tc, deep_and_huge_input_is_refused_cleanly);
	tcase_add_test(tc, open_errors_name_the_file);
	tcase_add_loop_test(tc, parses_rfc3339_times, 0, sizeof(times) / sizeof(times[0]));
	tcase_add_loop_test(tc, pod_fields, 0, sizeof(pod_cases) / sizeof(pod_cases[0]));
	tcase_add_test(tc, role_and_binding_fields);
	tcase_add_test(tc, values_print_as_falco_prints_them);
	tcase_add_test(tc, engine_runs_audit_rules_beside_syscall_rules);
	suite_add_tcase(s, tc);
	return s;
}
