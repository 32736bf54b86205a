#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Golden runner for the eBPF prefilters (tests/golden/bpf, docs/prefilter.md).

For every NAME.yaml in the stage folder: `falcoc dump --bpf NAME.yaml`; for every NAME.args:
`falcoc dump --bpf ARGS BASE.yaml` where BASE is NAME up to its last '_' group that names an
existing .yaml (e.g. open_paths_one_rule.args runs on open_paths.yaml). NAME.expected holds
`# exit N`, then stdout, then stderr. FC_GOLDEN_UPDATE=1 rewrites the .expected files; review
the diff. Standard library only; prints `N passed, N failed`; exits 1 on any failure.
"""
import argparse
import difflib
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--falcoc", required=True)
    ap.add_argument("--stage", required=True)
    a = ap.parse_args()
    update = os.environ.get("FC_GOLDEN_UPDATE") == "1"
    cases = []
    for f in sorted(os.listdir(a.stage)):
        if f.endswith(".yaml"):
            cases.append((f[:-5], [f]))
        elif f.endswith(".args"):
            name = f[:-5]
            base = name
            while base and not os.path.exists(os.path.join(a.stage, base + ".yaml")):
                base = base.rsplit("_", 1)[0] if "_" in base else ""
            with open(os.path.join(a.stage, f), encoding="utf-8") as h:
                args = h.read().split()
            cases.append((name, args + [base + ".yaml"]))
    ok = bad = 0
    for name, args in cases:
        p = subprocess.run([a.falcoc, "dump", "--bpf"] + args, cwd=a.stage,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        actual = "# exit %d\n%s%s" % (p.returncode, p.stdout.decode("utf-8", "replace"),
                                      p.stderr.decode("utf-8", "replace"))
        path = os.path.join(a.stage, name + ".expected")
        try:
            with open(path, encoding="utf-8", newline="") as h:
                expected = h.read()
        except FileNotFoundError:
            expected = None
        if expected == actual:
            ok += 1
            continue
        if update:
            with open(path, "w", encoding="utf-8", newline="") as h:
                h.write(actual)
            print("updated %s" % os.path.basename(path))
            ok += 1
            continue
        bad += 1
        print("FAIL %s" % name)
        if expected is None:
            print("  missing %s (run with FC_GOLDEN_UPDATE=1)" % os.path.basename(path))
        else:
            sys.stdout.writelines(difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), "expected", "actual"))
    print("%d passed, %d failed" % (ok, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
