#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""SARIF check: falco-lint's SARIF against the official SARIF 2.1.0 JSON schema, plus semantics.

Validates every NAME.sarif.expected of the lint golden stage and the live output of
`falco-lint --format sarif` over the upstream rules files against the OASIS SARIF 2.1.0 schema
(sarif-2.1.0-rtm.5.json). The schema ships in the npm package @microsoft/jest-sarif; it is
fetched once per build folder with `npm pack` and the .tgz is kept there.

Beyond the schema, for each SARIF document:
  - every result's ruleIndex points at the driver rule whose id is the result's ruleId, and
    rule ids are unique;
  - regions are 1-based (startLine, startColumn >= 1) and do not end before they start;
  - the results and their relatedLocations are, in order, the findings and located notes of
    the text output of the same command: same file, line, column, code and message;
  - where the JSON output of the same command is at hand, every result's region ends where
    the JSON finding ends (SARIF's endColumn is one past JSON's inclusive end_column).

Fails (exit 1) when the schema cannot be obtained, saying why. Needs python3-jsonschema.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile

PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
TGZ = "microsoft-jest-sarif-1.0.0-beta.0.tgz"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
TIMEOUT = 120

# file:line:col: severity: message [CODE]   (a finding)
FINDING = re.compile(r"^(\S+?):(\d+):(\d+): (error|warning|note|info): (.*) \[([A-Za-z0-9_-]+)\]$")
# file:line:col: note: message              (a located note of the finding above)
NOTE = re.compile(r"^(\S+?):(\d+):(\d+): note: (.*)$")


def fail(msg):
    print("sarif_schema: %s" % msg)
    sys.exit(1)


def load_schema(cache):
    os.makedirs(cache, exist_ok=True)
    tgz = os.path.join(cache, TGZ)
    if not os.path.exists(tgz):
        try:
            p = subprocess.run(["npm", "pack", "--silent", PACKAGE], cwd=cache,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT)
        except FileNotFoundError:
            fail("cannot fetch the SARIF schema: npm is not installed (needed once per build "
                 "folder for `npm pack %s`)" % PACKAGE)
        except subprocess.TimeoutExpired:
            fail("cannot fetch the SARIF schema: `npm pack %s` timed out" % PACKAGE)
        if p.returncode != 0 or not os.path.exists(tgz):
            fail("cannot fetch the SARIF schema: `npm pack %s` in %s exited %d:\n%s%s"
                 % (PACKAGE, cache, p.returncode, p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace")))
    try:
        with tarfile.open(tgz, "r:gz") as t:
            schema = json.load(t.extractfile(MEMBER))
    except (OSError, KeyError, tarfile.TarError, ValueError) as e:
        fail("cannot read %s from %s (delete it to fetch again): %s" % (MEMBER, tgz, e))
    return schema


def make_validator(schema):
    try:
        import jsonschema
    except ImportError:
        fail("python3-jsonschema is not installed (bash .ci/deps installs it)")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    v = cls(schema)
    # The schema must be able to fail: a result without its required message is invalid.
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"ruleId": "x"}]}]}
    if v.is_valid(bad):
        fail("the schema accepts a result without a message; is %s the SARIF schema?" % MEMBER)
    return v


def text_findings(text):
    """[(file, line, col, code, message, [(file, line, col, message)])] from the text output."""
    out = []
    for line in text.splitlines():
        m = FINDING.match(line)
        if m:
            out.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(6), m.group(5), []))
            continue
        m = NOTE.match(line)
        if m and out:
            out[-1][5].append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    return out


def check_region(where, loc, errors):
    region = loc.get("physicalLocation", {}).get("region")
    if region is None:
        return None
    sl, sc = region.get("startLine"), region.get("startColumn")
    el, ec = region.get("endLine", sl), region.get("endColumn")
    if not isinstance(sl, int) or sl < 1 or not isinstance(sc, int) or sc < 1:
        errors.append("%s: region not 1-based: %s" % (where, region))
    elif el < sl or (ec is not None and (ec < 1 or (el == sl and ec < sc))):
        errors.append("%s: region ends before it starts: %s" % (where, region))
    return sl, sc


def json_ends(text):
    """[(line, column, end_line, end_column + 1)] of the JSON output's located findings."""
    doc = json.loads(text)
    return [(f["line"], f["column"], f["end_line"], f["end_column"] + 1)
            for f in doc["findings"] if "line" in f]


def check_semantics(name, doc, text, errors, jtext=None):
    for run in doc.get("runs", []):
        rules = run["tool"]["driver"].get("rules", [])
        ids = [r["id"] for r in rules]
        if len(set(ids)) != len(ids):
            errors.append("%s: rule ids are not unique" % name)
        got, regions = [], []
        for i, res in enumerate(run.get("results", [])):
            where = "%s: result %d (%s)" % (name, i, res.get("ruleId"))
            idx = res.get("ruleIndex")
            if idx is not None and (idx >= len(rules) or rules[idx]["id"] != res.get("ruleId")):
                errors.append("%s: ruleIndex %s names rule %s" % (
                    where, idx, rules[idx]["id"] if idx < len(rules) else "(none)"))
            if idx is None and res.get("ruleId") in ids:
                errors.append("%s: no ruleIndex though the rule is listed" % where)
            locs = res.get("locations", [])
            pos = check_region(where, locs[0], errors) if locs else None
            uri = locs[0]["physicalLocation"]["artifactLocation"]["uri"] if locs else None
            notes = []
            for j, rel in enumerate(res.get("relatedLocations", [])):
                rpos = check_region("%s related %d" % (where, j), rel, errors)
                if rpos:
                    notes.append((rel["physicalLocation"]["artifactLocation"]["uri"], rpos[0],
                                  rpos[1], rel.get("message", {}).get("text")))
            if pos:
                r = locs[0]["physicalLocation"]["region"]
                regions.append((r["startLine"], r["startColumn"], r.get("endLine"),
                                r.get("endColumn")))
                got.append((uri, pos[0], pos[1], res.get("ruleId"), res["message"]["text"],
                            notes))
        want = text_findings(text)
        if got != want:
            errors.append("%s: SARIF results differ from the text output's findings:" % name)
            for k in range(max(len(got), len(want))):
                g = got[k] if k < len(got) else None
                w = want[k] if k < len(want) else None
                if g != w:
                    errors.append("    text:  %s\n    sarif: %s" % (w, g))
                    break
        if jtext is not None and json_ends(jtext) != regions:
            errors.append("%s: SARIF regions differ from the JSON output's extents:" % name)
            for j, g in zip(json_ends(jtext), regions):
                if j != g:
                    errors.append("    json:  %s (endColumn = end_column + 1)\n    sarif: %s"
                                  % (j, g))
                    break


def split_expected(path):
    with open(path, encoding="utf-8") as f:
        first, _, rest = f.read().partition("\n")
    return first, rest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--falco-lint", required=True, help="the falco-lint binary")
    ap.add_argument("--stage", required=True, help="the lint golden stage folder")
    ap.add_argument("--cache", required=True, help="folder to keep the schema package in")
    ap.add_argument("--rules", nargs="*", default=[],
                    help="upstream rules files, linted together in order")
    a = ap.parse_args()

    validator = make_validator(load_schema(os.path.abspath(a.cache)))
    errors = []
    checked = 0

    def check(name, sarif_text, text, jtext=None):
        nonlocal checked
        checked += 1
        try:
            doc = json.loads(sarif_text)
        except ValueError as e:
            errors.append("%s: not JSON: %s" % (name, e))
            return
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            errors.append("%s: schema: %s at /%s" % (
                name, e.message[:300], "/".join(str(p) for p in e.absolute_path)))
        check_semantics(name, doc, text, errors, jtext)

    stage = os.path.abspath(a.stage)
    for f in sorted(os.listdir(stage)):
        if not f.endswith(".sarif.expected"):
            continue
        head, body = split_expected(os.path.join(stage, f))
        if not body.lstrip().startswith("{"):
            continue  # a failure before any output (e.g. a bad configuration): no SARIF
        text_path = os.path.join(stage, f[:-len(".sarif.expected")] + ".expected")
        text = split_expected(text_path)[1] if os.path.exists(text_path) else ""
        json_path = os.path.join(stage, f[:-len(".sarif.expected")] + ".json.expected")
        jtext = split_expected(json_path)[1] if os.path.exists(json_path) else None
        check(f, body, text, jtext)

    if a.rules:
        lint = os.path.abspath(a.falco_lint)
        for k in range(1, len(a.rules) + 1):
            files = [os.path.abspath(r) for r in a.rules[:k]]
            cwd = os.path.dirname(files[0])
            args = [os.path.relpath(p, cwd) for p in files]
            outs = []
            for fmt in ("sarif", "text", "json"):
                p = subprocess.run([lint, "--no-config", "--color=never", "--format", fmt] + args,
                                   cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=TIMEOUT)
                if p.returncode not in (0, 1):
                    errors.append("falco-lint %s exited %d: %s" % (
                        " ".join(args), p.returncode, p.stderr.decode("utf-8", "replace")))
                outs.append(p.stdout.decode("utf-8", "replace"))
            check("live: falco-lint --format sarif %s" % " ".join(args), outs[0], outs[1],
                  outs[2])

    for e in errors:
        print("FAIL %s" % e)
    print("%d SARIF documents checked, %d problems" % (checked, len(errors)))
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
