#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Golden diagnostics runner: falcoc's stderr (and exit status) for each case, compared exactly.

For every NAME.yaml in the stage folder, runs `falcoc check --color=never NAME.yaml` with the
stage folder as the working directory, so that paths in diagnostics are stable. NAME.expected
holds `# exit N` on its first line and falcoc's exact stderr after it. When NAME.json.expected
exists, `falcoc check --json NAME.yaml` is run as well and its stdout (plus exit status) is
compared the same way.

FC_GOLDEN_UPDATE=1 rewrites the .expected files (existing NAME.json.expected files only; create
an empty one to start a JSON case). Review the diff before committing.

With --tool falco-lint (stage tests/golden/lint) a case is NAME.yaml or NAME.args, NAME without
a dot, and the command is `falco-lint --color=never CONFIG FILES`:
  CONFIG  `--config NAME.config.yaml` when that file exists, else `--no-config`
  FILES   the words of NAME.args when it exists (e.g. `--explain FL-shadowed`), else NAME.yaml
          followed by NAME.2.yaml, NAME.3.yaml, ... (the later files of a multi-file case)
NAME.expected holds the exit status and stdout then stderr; NAME.json.expected and
NAME.sarif.expected, where they exist, the same for `--format json` and `--format sarif`.

Standard library only. Prints `N passed, N failed` last; exits 1 on any failure.
"""

import argparse
import difflib
import os
import subprocess
import sys

TIMEOUT = 60


def run(falcoc, stage, args):
    p = subprocess.run([falcoc] + args, cwd=stage, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def render(rc, text):
    return "# exit %d\n%s" % (rc, text)


def compare(name, path, actual, update):
    """Returns True when `actual` matches the file at `path` (or after rewriting it)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            expected = f.read()
    except FileNotFoundError:
        expected = None
    if expected == actual:
        return True
    if update:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(actual)
        print("updated %s" % os.path.basename(path))
        return True
    print("FAIL %s" % name)
    if expected is None:
        print("  missing %s (run with FC_GOLDEN_UPDATE=1)" % os.path.basename(path))
        expected = ""
    sys.stdout.writelines(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True),
        fromfile=os.path.basename(path), tofile="actual"))
    if not actual.endswith("\n") or (expected and not expected.endswith("\n")):
        print("\n  (note: a file lacks a trailing newline)")
    return False


def lint_cases(stage):
    return sorted({f.rsplit(".", 1)[0] for f in os.listdir(stage)
                   if (f.endswith(".yaml") or f.endswith(".args")) and f.count(".") == 1})


def lint_args(stage, name):
    cfg = name + ".config.yaml"
    args = ["--config", cfg] if os.path.exists(os.path.join(stage, cfg)) else ["--no-config"]
    if os.path.exists(os.path.join(stage, name + ".args")):
        with open(os.path.join(stage, name + ".args"), encoding="utf-8") as f:
            return args + f.read().split()
    args.append(name + ".yaml")
    i = 2
    while os.path.exists(os.path.join(stage, "%s.%d.yaml" % (name, i))):
        args.append("%s.%d.yaml" % (name, i))
        i += 1
    return args


def run_lint_case(tool, stage, name, update):
    base = lint_args(stage, name)
    rc, out, err = run(tool, stage, ["--color=never"] + base)
    ok = compare(name, os.path.join(stage, name + ".expected"), render(rc, out + err), update)
    for fmt in ("json", "sarif"):
        path = os.path.join(stage, "%s.%s.expected" % (name, fmt))
        if os.path.exists(path):
            rc, out, err = run(tool, stage, ["--format", fmt] + base)
            ok &= compare("%s (--format %s)" % (name, fmt), path, render(rc, out + err), update)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--falcoc", required=True, help="the binary to test (falcoc or falco-lint)")
    ap.add_argument("--tool", choices=("falcoc", "falco-lint"), default="falcoc",
                    help="how to run it and which case conventions apply (default falcoc)")
    ap.add_argument("--stage", required=True, help="folder of NAME.yaml + NAME.expected cases")
    ap.add_argument("cases", nargs="*", help="only these case names (default: all)")
    a = ap.parse_args()

    falcoc = os.path.abspath(a.falcoc)
    stage = os.path.abspath(a.stage)
    update = os.environ.get("FC_GOLDEN_UPDATE") == "1"
    if a.tool == "falco-lint":
        names = lint_cases(stage)
    else:
        names = sorted(f[:-5] for f in os.listdir(stage) if f.endswith(".yaml"))
    if a.cases:
        unknown = set(a.cases) - set(names)
        if unknown:
            print("no such case: %s" % ", ".join(sorted(unknown)))
            return 2
        names = [n for n in names if n in a.cases]

    passed = failed = 0
    for name in names:
        ok = True
        try:
            if a.tool == "falco-lint":
                ok = run_lint_case(falcoc, stage, name, update)
            else:
                rc, _, err = run(falcoc, stage, ["check", "--color=never", name + ".yaml"])
                ok &= compare(name, os.path.join(stage, name + ".expected"), render(rc, err),
                              update)
                jpath = os.path.join(stage, name + ".json.expected")
                if os.path.exists(jpath):
                    rc, out, _ = run(falcoc, stage, ["check", "--json", name + ".yaml"])
                    ok &= compare(name + " (--json)", jpath, render(rc, out), update)
        except subprocess.TimeoutExpired:
            print("FAIL %s: timed out after %ds" % (name, TIMEOUT))
            ok = False
        if ok:
            passed += 1
        else:
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
