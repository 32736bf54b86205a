#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_upstream.py - falco-lint over the upstream rulesets reports exactly the findings in
upstream_findings.txt, no error-level finding, and exit status 0.

Runs `falco-lint --format json --no-config FILE...` from the compat folder (so paths in the
findings are relative to it) once per ruleset, and compares the (code, file, line, column,
item_name) of every finding with the fixture. On a mismatch it prints the findings that
appeared and the ones that went away, in the fixture's format, ready to paste.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

RULES = "falcosecurity-rules"
PLUGINS = "falcosecurity-plugins"

# The runs named in the fixture; files load together, in this order.
RUNS = {
    "current": [
        f"{RULES}/rules/falco_rules.yaml",
        f"{RULES}/rules/falco-incubating_rules.yaml",
        f"{RULES}/rules/falco-sandbox_rules.yaml",
        f"{PLUGINS}/plugins/k8saudit/rules/k8s_audit_rules.yaml",
        f"{PLUGINS}/plugins/k8saudit-gke/rules/k8s_audit_rules_gke.yaml",
    ],
    "0.34": [
        f"{RULES}/tags/falco-rules-0.1.0/falco_rules.yaml",
        f"{PLUGINS}/tags/k8saudit-0.5.0/k8s_audit_rules.yaml",
    ],
}


def fmt(f):
    run, code, path, line, col, name = f
    return f"{run:<7} {code} {path}:{line}:{col} {name if name else chr(34) * 2}"


def parse_fixture(path):
    """The fixture's findings as a Counter, or exits with a message on a malformed line."""
    found = collections.Counter()
    reason = None          # the REASON the following findings belong to
    reason_used = {}       # reason line number -> number of findings under it
    errors = []
    with open(path, encoding="utf-8") as fh:
        for no, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("REASON:"):
                if not line[len("REASON:"):].strip():
                    errors.append(f"{path}:{no}: empty REASON")
                reason = no
                reason_used[no] = 0
                continue
            if line[0] in " \t":
                if reason is None:
                    errors.append(f"{path}:{no}: indented line outside a REASON")
                continue  # continues the REASON
            parts = line.split(None, 3)
            if len(parts) < 4 or parts[0] not in RUNS:
                errors.append(f"{path}:{no}: expected RUN CODE FILE:LINE:COL ITEM_NAME "
                              f"(RUN one of {', '.join(RUNS)})")
                continue
            run, code, where, name = parts
            try:
                file, ln, col = where.rsplit(":", 2)
                ln, col = int(ln), int(col)
            except ValueError:
                errors.append(f"{path}:{no}: expected FILE:LINE:COL, got {where!r}")
                continue
            if reason is None:
                errors.append(f"{path}:{no}: finding without a REASON above it")
                continue
            reason_used[reason] += 1
            found[(run, code, file, ln, col, "" if name == '""' else name)] += 1
    for no, n in reason_used.items():
        if n == 0:
            errors.append(f"{path}:{no}: REASON with no finding under it")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(2)
    return found


def run_lint(falco_lint, compat, run, files):
    """The findings of one run as a Counter; failures are returned as messages."""
    cmd = [falco_lint, "--format", "json", "--no-config", *files]
    p = subprocess.run(cmd, cwd=compat, capture_output=True, text=True, check=False)
    problems = []
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return collections.Counter(), [
            f"[{run}] falco-lint printed no JSON ({e}); exit {p.returncode}; "
            f"stderr: {p.stderr.strip()}"
        ]
    if p.returncode != 0:
        problems.append(f"[{run}] falco-lint exited {p.returncode}, expected 0")
    got = collections.Counter()
    for f in doc["findings"]:
        if f["severity"] == "error":
            problems.append(f"[{run}] error-level finding: {f['code']} {f.get('file')}:"
                            f"{f.get('line')}:{f.get('column')}: {f['message']}")
            continue
        got[(run, f["code"], f.get("file", ""), f.get("line", 0), f.get("column", 0),
             f["item_name"])] += 1
    if doc["summary"]["errors"]:
        problems.append(f"[{run}] summary counts {doc['summary']['errors']} errors")
    return got, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--falco-lint", required=True, help="the falco-lint binary")
    ap.add_argument("--compat", required=True, help="the shared/compat folder")
    ap.add_argument("--fixture", default=os.path.join(os.path.dirname(__file__),
                                                      "upstream_findings.txt"))
    a = ap.parse_args()
    falco_lint = os.path.abspath(a.falco_lint)

    want = parse_fixture(a.fixture)
    got = collections.Counter()
    problems = []
    for run, files in RUNS.items():
        g, p = run_lint(falco_lint, a.compat, run, files)
        got += g
        problems += p

    added = sorted((got - want).elements())
    removed = sorted((want - got).elements())
    if added:
        problems.append(f"{len(added)} finding(s) falco-lint reports that the fixture does not "
                        "list (read each in the upstream file, then add it under a REASON):")
        problems += ["  + " + fmt(f) for f in added]
    if removed:
        problems.append(f"{len(removed)} finding(s) in the fixture that falco-lint no longer "
                        "reports:")
        problems += ["  - " + fmt(f) for f in removed]
    if problems:
        print("\n".join(problems))
        print(f"FAIL: lint_upstream ({a.fixture})")
        return 1
    by_code = collections.Counter(f[1] for f in got.elements())
    print(f"ok: {sum(got.values())} findings as listed, 0 errors: " +
          ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
