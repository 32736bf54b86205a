/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_engine.c - the fixed ruleset of the runtime fuzzers (fuzz_replay, fuzz_event).
 *
 * The rules touch every family of fields rules use in practice (process and its ancestry,
 * fds and sockets, users, containers, event arguments, list and string operators) and their
 * outputs name many more, so that state lookups, extraction and both renderings run on
 * whatever the fuzzer makes of an event. Several rules are true on most events, so alerts
 * are rendered often. Loaded from memory with fc_src_add, as fuzz_load does: no files. */
#include "tests/fuzz/fuzz_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/fc.h"
#include "compiler/fc_rules.h"
#include "runtime/rt_engine.h"

static const char rules[] =
    "- list: shell_binaries\n"
    "  items: [bash, sh, zsh, dash, ash]\n"
    "- list: sensitive_files\n"
    "  items: [/etc/shadow, /etc/sudoers, /root/.ssh/authorized_keys]\n"
    "- macro: spawned_process\n"
    "  condition: evt.type in (execve, execveat) and evt.res = 0\n"
    "- macro: open_read\n"
    "  condition: evt.type in (open, openat, openat2) and evt.is_open_read = true\n"
    "- macro: outbound\n"
    "  condition: evt.type = connect and fd.typechar in ('4', '6')\n"
    "- rule: every_process\n"
    "  desc: every exec, with the ancestry\n"
    "  condition: spawned_process\n"
    "  output: >\n"
    "    exec %proc.cmdline exe=%proc.exe exepath=%proc.exepath parent=%proc.pname\n"
    "    gp=%proc.aname[2] ggp=%proc.aname[3] anames=%proc.aname pid=%proc.pid\n"
    "    ppid=%proc.ppid vpid=%proc.vpid sid=%proc.sid sname=%proc.sname tty=%proc.tty\n"
    "    cwd=%proc.cwd env=%proc.env nargs=%proc.cmdnargs user=%user.name\n"
    "    uid=%user.uid login=%user.loginuid group=%group.name cid=%container.id\n"
    "    cname=%container.name flags=%evt.arg.flags args=%evt.args info=%evt.info\n"
    "    writable=%proc.is_exe_writable memfd=%proc.is_exe_from_memfd\n"
    "    caps=%thread.cap_effective cgroups=%thread.cgroups\n"
    "  priority: NOTICE\n"
    "  tags: [process]\n"
    "- rule: shell_in_container\n"
    "  desc: shells, with string operators on process fields\n"
    "  condition: >\n"
    "    spawned_process and (proc.name in (shell_binaries) or proc.exe endswith sh\n"
    "    or proc.cmdline contains \" -c \" or proc.aname[1] pmatch (/bin, /usr/bin)\n"
    "    or proc.pname glob \"*sh\" or proc.args icontains \"PASS\"\n"
    "    or proc.env contains \"LD_PRELOAD\" or proc.exepath startswith /tmp/)\n"
    "  output: shell %proc.name under %proc.pname (%proc.pcmdline) %proc.acmdline[2]\n"
    "  priority: WARNING\n"
    "- rule: any_open\n"
    "  desc: opens and their fds\n"
    "  condition: >\n"
    "    (open_read or evt.is_open_write = true or fd.name in (sensitive_files)\n"
    "    or fd.directory pmatch (/etc, /root) or fd.filename startswith \".\")\n"
    "    and not proc.name in (systemd)\n"
    "  output: >\n"
    "    open %fd.name dir=%fd.directory file=%fd.filename num=%fd.num type=%fd.type\n"
    "    typechar=%fd.typechar dev=%fd.dev ino=%fd.ino name=%evt.arg.name "
    "abspath=%evt.abspath[name]\n"
    "    flags=%evt.arg.flags res=%evt.res failed=%evt.failed by %proc.name (%proc.cmdline)\n"
    "    raw=%evt.rawarg.flags nameraw=%fd.nameraw\n"
    "  priority: INFO\n"
    "- rule: net\n"
    "  desc: sockets\n"
    "  condition: >\n"
    "    outbound or evt.type in (accept, accept4, bind, listen, sendto, recvfrom, socket)\n"
    "    or (fd.sip != 127.0.0.1 and fd.net != \"10.0.0.0/8\") or fd.sport in (22, 4444)\n"
    "  output: >\n"
    "    net %fd.name cip=%fd.cip sip=%fd.sip cport=%fd.cport sport=%fd.sport lip=%fd.lip\n"
    "    rip=%fd.rip lport=%fd.lport rport=%fd.rport l4=%fd.l4proto fam=%fd.sockfamily\n"
    "    server=%fd.is_server connected=%fd.connected tuple=%evt.arg.tuple addr=%evt.arg.addr\n"
    "    proto=%fd.sproto by %proc.name %user.name %container.id\n"
    "  priority: ERROR\n"
    "- rule: everything\n"
    "  desc: every event, with the generic fields\n"
    "  condition: evt.num > 0 and (evt.dir = '<' or evt.dir = '>' or evt.res < 0)\n"
    "  output: >\n"
    "    %evt.num %evt.time %evt.time.iso8601 %evt.datetime %evt.reltime %evt.deltatime\n"
    "    %evt.type %evt.dir %evt.category %evt.args %evt.res %evt.rawres %evt.failed\n"
    "    %evt.buffer %evt.buflen %evt.is_io %evt.hostname %thread.tid %thread.ismain\n"
    "    %thread.vtid %proc.pid %proc.ppid %proc.name %proc.aname[1] %proc.exeline\n"
    "    %proc.loginshellid %proc.duration %proc.pid.ts %fd.name %fd.num %fdlist.names\n"
    "    %user.homedir %user.shell %group.gid %container.type %container.image\n"
    "  priority: DEBUG\n"
    "  tags: [all]\n";

static FILE *devnull;

struct rt_engine *fuzz_engine_build(const char *name, const char *yaml)
{
	static struct fc_unit *kept[4]; /* the engines borrow their rulesets: never freed */
	static size_t nkept;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u || nkept == sizeof(kept) / sizeof(kept[0]))
		abort();
	kept[nkept++] = u;
	const struct fc_src *src = fc_src_add(u, name, yaml, strlen(yaml));
	struct fc_ruleset *rs = fc_arena_alloc(u, sizeof(*rs));
	if (!src || !rs)
		abort();
	fc_rules_load_file(u, rs, src);
	fc_rules_resolve(u, rs);
	if (fc_diag_count(u, FC_ERROR) != 0) {
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next)
			fc_diag_render(u, d, stderr, false);
		abort();
	}
	struct rt_engine_options o = {.match = RT_MATCH_ALL, .min_priority = FC_PRIO_DEBUG};
	struct rt_engine *e = rt_engine_new(rs, &o);
	if (!e)
		abort();
	return e;
}

struct rt_engine *fuzz_engine_get(void)
{
	static struct rt_engine *engine;
	if (!engine) {
		engine = fuzz_engine_build("fuzz_rules.yaml", rules);
		if (rt_engine_rule_count(engine) != 5)
			abort();
	}
	return engine;
}

void fuzz_engine_render(const struct rt_alert *a, void *user)
{
	(void)user;
	rt_alert_print(devnull, a, RT_TIME_LOCAL, false, NULL);
	rt_alert_print(devnull, a, RT_TIME_ISO8601, true, NULL);
	rt_alert_print(devnull, a, RT_TIME_UTC, true, "fuzz-host");
}
