#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""k8s_audit_replay.py - the upstream Kubernetes audit rules replayed over every audit event file.

For each ruleset (the current falcosecurity/plugins k8saudit rules with the GKE additions, and
the k8saudit-0.5.0 rules Falco 0.34.1 shipped), runs `falcod --k8s-audit FILE
--enable-source=k8s_audit -o json_output=true` over every file of Falco 0.34.1's
trace_files/k8s_audit/, then once over all of them concatenated, and checks: exit status 0, no
"Error" on stderr, no line skipped except in the files that are meant to be refused
(fal_01_003.json: "data not recognized as a k8s audit event"), every stdout line before the
statistics a JSON alert of source k8s_audit, and their number equal to "Events detected".

Not here: what rules should fire on which file (falco_suite.py checks Falco's expectations).
Prints one line per run and a summary of the rules that fired; exit 1 on any problem.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

REFUSED = {"fal_01_003.json": "data not recognized as a k8s audit event"}


def run(falcod, rules, events, problems, fired, label):
    cmd = [falcod]
    for r in rules:
        cmd += ["-r", r]
    cmd += ["--k8s-audit", events, "--enable-source=k8s_audit", "-o", "json_output=true",
            "-o", "rule_matching=all"]
    p = subprocess.run(cmd, capture_output=True, timeout=120,
                       env=dict(os.environ, FALCO_HOSTNAME="k8s-test", TZ="UTC"))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    bad = []
    if p.returncode != 0:
        bad.append("exit status %d" % p.returncode)
    if re.search(r"^Error|: Error", err, re.M):
        bad.append("stderr has an error")
    expected = REFUSED.get(os.path.basename(events))
    skipped = [l for l in err.splitlines() if "[k8saudit]" in l]
    if expected and not any(expected in l for l in skipped):
        bad.append("no warning %r" % expected)
    for l in skipped:
        if not any(k in l and v in l for k, v in REFUSED.items()):
            bad.append("unexpected warning: " + l)
    alerts = 0
    for line in out.splitlines():
        if line.startswith("Events detected:"):
            if int(line.split(":")[1]) != alerts:
                bad.append("%d alerts but %s" % (alerts, line))
            break
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append("not a JSON alert: " + line[:100])
            continue
        alerts += 1
        if obj.get("source") != "k8s_audit" or "output_fields" not in obj:
            bad.append("alert not of source k8s_audit: " + line[:100])
        fired[obj.get("rule")] = fired.get(obj.get("rule"), 0) + 1
    else:
        bad.append("no 'Events detected' line")
    print("%s %s: %d alerts%s" % ("FAIL" if bad else "ok  ", label, alerts,
                                   "; " + "; ".join(bad) if bad else ""))
    if bad:
        problems.append(label)
        for l in err.splitlines()[-5:]:
            print("  | " + l)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--falcod", required=True)
    ap.add_argument("--compat", required=True)
    args = ap.parse_args()
    c = args.compat
    events = sorted(glob.glob(os.path.join(
        c, "falcosecurity-falco/test-0.34.1/trace_files/k8s_audit/*.json")))
    if len(events) < 47:
        print("k8s_audit_replay: expected 47 audit event files, found %d" % len(events))
        return 1
    rulesets = {
        "upstream": [os.path.join(c, "falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml"),
                     os.path.join(c, "falcosecurity-plugins/plugins/k8saudit-gke/rules/"
                                     "k8s_audit_rules_gke.yaml")],
        "k8saudit-0.5.0": [os.path.join(c, "falcosecurity-plugins/tags/k8saudit-0.5.0/"
                                           "k8s_audit_rules.yaml")],
    }
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        allf = os.path.join(tmp, "all.json")
        with open(allf, "w", encoding="utf-8") as out:
            for e in events:
                if os.path.basename(e) not in REFUSED:
                    with open(e, encoding="utf-8") as f:
                        out.write(f.read().rstrip("\n") + "\n")
        for name, rules in rulesets.items():
            fired = {}
            for e in events:
                run(args.falcod, rules, e, problems, fired,
                    "%s %s" % (name, os.path.basename(e)))
            all_fired = {}
            run(args.falcod, rules, allf, problems, all_fired, "%s all" % name)
            if all_fired != fired:
                print("FAIL %s: the concatenated file fired %s, the files one by one %s" %
                      (name, all_fired, fired))
                problems.append(name + " all")
            print("%s: %d rules fired: %s" % (name, len(fired), ", ".join(
                "%s %d" % kv for kv in sorted(fired.items()))))
    # with only k8s_audit enabled no syscall event comes: the syscall rules are loaded, not
    # compiled (docs/jit.md, "Fallback")
    p = subprocess.run([args.falcod, "-v", "-r",
                        os.path.join(c, "falcosecurity-rules/rules/falco_rules.yaml")] +
                       sum((["-r", r] for r in rulesets["upstream"]), []) +
                       ["--k8s-audit", events[0], "--enable-source=k8s_audit"],
                       capture_output=True, timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode or "interpreter (the syscall source is disabled)" not in err or \
            "compiled in" in err:
        print("FAIL k8s_audit only: the syscall rules were compiled, or falcod failed:\n" +
              err[-800:])
        problems.append("k8s_audit only")
    else:
        print("ok   k8s_audit only: syscall rules loaded, not compiled")
    print("%d runs failed" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
