/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_k8s.c - libFuzzer target for the k8s_audit event source (runtime/rt_k8s.c): the reader
 * of audit event files (lines of JSON: Event, EventList, arrays, bad lines), the ka.* /
 * json.* / jevt.* extraction and the interpreter on them, and the alert outputs.
 *
 * Each input is the content of an audit events file. Every event it yields runs through a
 * small fixed ruleset of source k8s_audit that reads every field (list fields with in and
 * intersects, JSON pointers, indexes), and every alert is rendered as text and JSON to
 * /dev/null. Bad lines must be skipped with a warning; nothing may crash, leak, hit UB or
 * hang. Seeds are Falco 0.34.1's audit event files (shared/compat), read when the test runs. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/fc.h"
#include "compiler/fc_fields.h"
#include "compiler/fc_rules.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_k8s.h"
#include "tests/fuzz/fuzz_engine.h"

#define MAX_EVENTS 5000 /* per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "- list: images\n"
    "  items: [nginx, busybox, \"docker.io/library/busybox\"]\n"
    "- rule: pods\n"
    "  desc: pod fields\n"
    "  condition: >\n"
    "    ka.target.resource = pods and (ka.req.pod.containers.image.repository in (images)\n"
    "    or ka.req.pod.containers.privileged intersects (true)\n"
    "    or ka.req.pod.volumes.hostpath intersects (/proc, /var/run/docker.sock)\n"
    "    or ka.req.volume.hostpath[/proc*] = true or ka.req.container.privileged = true\n"
    "    or ka.req.pod.containers.eff_run_as_user in (0) or ka.req.pod.host_network = true\n"
    "    or ka.req.pod.containers.add_capabilities intersects (NET_ADMIN)\n"
    "    or ka.req.pod.containers.host_port intersects (80) or jevt.value[/spec/0] exists)\n"
    "  output: >\n"
    "    %ka.user.name %ka.user.groups %ka.req.pod.containers.image\n"
    "    %ka.req.pod.containers.image[1] %ka.req.container.image.repository\n"
    "    %ka.req.pod.containers.run_as_user %ka.req.pod.containers.eff_run_as_group\n"
    "    %ka.req.pod.containers.proc_mount %ka.req.pod.containers.read_only_fs\n"
    "    %ka.req.pod.containers.allow_privilege_escalation %ka.req.pod.volumes.volume_type\n"
    "    %ka.req.pod.volumes.flexvolume_driver %ka.req.pod.initContainers.image\n"
    "    %ka.req.pod.ephemeralContainers.command %ka.req.pod.supplemental_groups\n"
    "    %ka.req.pod.fs_group %ka.req.pod.run_as_group %ka.target.pod.name\n"
    "  priority: WARNING\n"
    "  source: k8s_audit\n"
    "- rule: everything\n"
    "  desc: every event, every other field\n"
    "  condition: >\n"
    "    jevt.rawtime exists or ka.verb in (create, delete) or ka.uri.param[command] = ls\n"
    "    or ka.req.role.rules.verbs intersects (\"*\") or ka.response.code startswith 2\n"
    "  output: >\n"
    "    %evt.time %evt.num %evt.plugininfo %ka.auditid %ka.stage %ka.auth.decision\n"
    "    %ka.auth.reason %ka.impuser.name %ka.uri %ka.uri.param[command] %ka.target.name\n"
    "    %ka.target.namespace %ka.target.subresource %ka.req.binding.subjects\n"
    "    %ka.req.binding.subjects.serviceaccount_ns_names %ka.req.binding.role\n"
    "    %ka.req.configmap.obj %ka.req.role.rules %ka.req.role.rules.apiGroups\n"
    "    %ka.req.role.rules.nonResourceURLs %ka.req.role.rules.resources[0]\n"
    "    %ka.req.service.type %ka.req.service.ports %ka.resp.name %ka.response.reason\n"
    "    %ka.useragent %ka.sourceips %jevt.value[/requestObject] %jevt.value[a~1b]\n"
    "    %json.value[/items/0] %jevt.obj %jevt.time.iso8601 %json.rawtime\n"
    "  priority: DEBUG\n"
    "  source: k8s_audit\n";

static struct rt_engine *engine;

static void setup(void)
{
	engine = fuzz_engine_build("fuzz_k8s_rules.yaml", rules);
	if (rt_engine_k8s_rule_count(engine) != 2)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!engine)
		setup();
	if (size == 0)
		return 0;
	char *copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	FILE *f = fmemopen(copy, size, "r");
	if (!f)
		abort();
	struct rt_k8s_options o = {.max_event_size = 1 << 16};
	struct rt_k8s_reader *r = rt_k8s_reader_new(f, "fuzz.json", &o);
	const struct rt_k8s_event *k;
	char err[256];
	for (int n = 0; n < MAX_EVENTS && rt_k8s_reader_next(r, &k, err, sizeof(err)) > 0; n++)
		rt_engine_process_k8s(engine, NULL, k, fuzz_engine_render, NULL);
	rt_k8s_reader_close(r);
	free(copy);
	return 0;
}
