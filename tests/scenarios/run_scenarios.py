#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Replays every scenario (tests/scenarios/*.yaml, or the files named) through falcod with the
upstream rules and compares the alerts with the scenario's expectations.

For each scenario: fc_scenario writes the capture and the expectations (JSON), then
  falcod -r RULES... -o json_output=true -o rule_matching=all [-o OPTION...] --replay CAPTURE
and the alerts must be exactly the expected ones: each expected alert (rule, priority, the
listed output_fields with these exact values) matched `count` times (default 1), and no other
alert. rule_matching=all makes every matching rule alert, so that a rule that would hide
behind an earlier one under Falco's default (first) is still seen.

Exit status: 0 all pass, 1 a scenario failed, 2 a usage or tool error. Python 3 stdlib only.
"""
import argparse
import json
import os
import subprocess
import sys

PRIO = {
    "emergency": "emergency", "alert": "alert", "critical": "critical", "error": "error",
    "warning": "warning", "notice": "notice", "info": "informational",
    "informational": "informational", "debug": "debug",
}


def norm_prio(p):
    return PRIO.get(str(p).strip().lower(), str(p).strip().lower())


def as_text(v):
    if v is None:
        return "<NA>"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def matches(exp, alert):
    if alert.get("rule") != exp["rule"]:
        return False
    if exp.get("priority") and norm_prio(alert.get("priority")) != norm_prio(exp["priority"]):
        return False
    fields = alert.get("output_fields") or {}
    for k, v in exp.get("output_fields", {}).items():
        if k not in fields or as_text(fields[k]) != v:
            return False
    return True


def explain_miss(exp, alerts):
    """Why no alert matched exp: the closest alert of the same rule, field by field."""
    same = [a for a in alerts if a.get("rule") == exp["rule"]]
    if not same:
        return "rule did not fire"
    out = []
    a = same[0]
    if exp.get("priority") and norm_prio(a.get("priority")) != norm_prio(exp["priority"]):
        out.append("priority %r, expected %r" % (a.get("priority"), exp["priority"]))
    fields = a.get("output_fields") or {}
    for k, v in exp.get("output_fields", {}).items():
        got = as_text(fields[k]) if k in fields else "(missing)"
        if got != v:
            out.append("%s = %r, expected %r" % (k, got, v))
    if not out:
        out.append("fired %d time(s), expected %d" % (len(same), exp.get("count", 1)))
    return "; ".join(out)


def run_one(args, path):
    base = os.path.splitext(os.path.basename(path))[0]
    cap = os.path.join(args.work_dir, base + ".fcap")
    expf = os.path.join(args.work_dir, base + ".expect.json")
    p = subprocess.run([args.fc_scenario, path, cap, expf], capture_output=True, text=True)
    if p.returncode != 0:
        return False, "fc_scenario failed (%d):\n%s" % (p.returncode, p.stderr)
    with open(expf) as f:
        exp = json.load(f)
    cmd = [args.falcod]
    for r in exp["rules"]:
        cmd += ["-r", r if os.path.isabs(r) else os.path.join(args.rules_dir, r)]
    cmd += ["-o", "json_output=true", "-o", "rule_matching=all"]
    for o in exp["options"]:
        cmd += ["-o", o]
    cmd += ["--replay", cap]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return False, "falcod failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr)
    alerts = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            alerts.append(json.loads(line))
    msgs = []
    used = [False] * len(alerts)
    for e in exp["expect"]:
        want = e.get("count", 1)
        got = 0
        for i, a in enumerate(alerts):
            if not used[i] and matches(e, a):
                used[i] = True
                got += 1
        if got != want:
            msgs.append("expected %r x%d, got %d: %s" % (e["rule"], want, got,
                                                         explain_miss(e, alerts)))
    for i, a in enumerate(alerts):
        if not used[i]:
            msgs.append("unexpected alert %r (%s): %s" % (a.get("rule"), a.get("priority"),
                                                         a.get("output")))
    if args.verbose:
        for a in alerts:
            print("    alert: %s: %s" % (a.get("rule"), a.get("output")))
    if msgs:
        return False, "\n".join(msgs) + "\n  command: " + " ".join(cmd)
    return True, "%d alert(s) as expected" % len(alerts) if alerts else "no alerts, as expected"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fc-scenario", required=True)
    ap.add_argument("--falcod", required=True)
    ap.add_argument("--rules-dir", required=True, help="falcosecurity-rules/rules")
    ap.add_argument("--work-dir", required=True, help="where captures are written")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every alert")
    ap.add_argument("paths", nargs="+", help="scenario files, or directories of them")
    args = ap.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    files = []
    for p in args.paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if f.endswith(".yaml") or f.endswith(".yml"))
        else:
            files.append(p)
    if not files:
        print("no scenarios found", file=sys.stderr)
        return 2
    failed = 0
    for f in files:
        ok, msg = run_one(args, f)
        name = os.path.basename(f)
        print("%s %s: %s" % ("PASS" if ok else "FAIL", name, msg.replace("\n", "\n  ")))
        failed += not ok
    print("%d scenario(s), %d failed" % (len(files), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
