#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""falco_suite.py - run Falco 0.34.1's own regression suite against falcoc.

Reads the Avocado `!mux` spec files of Falco's test/ tree (shared/compat/falcosecurity-falco/
test-0.34.1/), sorts every case into a kind, and hands it to the runner registered for that kind
in RUNNERS. The rule-loading/validation cases run `falcoc check --json FILE...` and compare the
diagnostics with Falco's expected (code, item_type, item_name) triples and exit status. The trace
cases (replay, output and command-line checks) run `falcod --replay TRACE` the way Falco's
falco_test.py ran `falco -e TRACE`, and check what it checked: exit status, stdout/stderr
patterns, the end-of-run statistics (detect, detect_level, detect_counts), JSON lines and exact
outputs. The k8s_audit cases run falcod as Falco's harness ran falco for them: the k8saudit
plugin configuration (-c confs/plugins/k8s_audit.yaml), the case's addl_cmdline_opts
(`-o plugins[0].open_params=EVENTS.json`) and `--enable-source=k8s_audit`, without a trace, and
are checked the same way. Every other kind is reported as SKIP with the reason in SKIP_REASONS
(see README.md).

Not here: anything that needs a kernel, docker, network, or code outside the standard library
and Debian's python3-yaml. The spec files are data from upstream; this file never edits them.

Output: one line per case (PASS name / FAIL name: why / SKIP name: reason), an informational
message-match line, a summary of skip reasons, and last the plain line
`N passed, N failed, N skipped` that CI reads. Exit 1 if any case failed, 0 otherwise.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import yaml

SPEC_FILES = (
    "falco_tests.yaml",
    "falco_tests_exceptions.yaml",
    "falco_k8s_audit_tests.yaml",
    "falco_tests_plugins.yaml",
    "falco_tests_package.yaml",
)

TEST_SUBDIR = os.path.join("falcosecurity-falco", "test-0.34.1")

# Upstream specs name files in Falco's cmake build tree (`BUILD_DIR/...`, sometimes written
# `$BUILD_DIR/...`). Map them onto the copies in shared/compat; values are relative to --compat,
# except the "test/" prefix which is the spec folder itself.
BUILD_DIR_MAP = (
    ("falcosecurity-rules-falco-prefix/src/falcosecurity-rules-falco/",
     "falcosecurity-rules/tags/falco-rules-0.1.0/"),
    ("k8saudit-rules-prefix/src/k8saudit-rules/",
     "falcosecurity-plugins/tags/k8saudit-0.5.0/"),
    ("test/", TEST_SUBDIR + "/"),
)

# The rules file Falco loads when a case names none (falco.yaml's default rules_file).
DEFAULT_RULES = "BUILD_DIR/falcosecurity-rules-falco-prefix/src/falcosecurity-rules-falco/falco_rules.yaml"

FALCOC_TIMEOUT = 60
FALCOD_TIMEOUT = 180    # Falco's harness gave falco 180 s

# The configuration Falco's harness passed with -c when a case names none (../falco.yaml).
DEFAULT_CONF = os.path.join("falcosecurity-falco", "falco.yaml")

# Falco's harness ran falco with this hostname (output_files/*.json carry it).
TEST_HOSTNAME = "test-falco-hostname"

# Why a kind of case is not run yet. A kind with an entry in RUNNERS is run instead.
SKIP_REASONS = {
    "replay": "falcod not found (build it, or pass --falcod)",
    "output": "falcod not found (build it, or pass --falcod)",
    "cli": "falcod not found (build it, or pass --falcod)",
    "drops": "falcod not found (build it, or pass --falcod)",
    "grpc": "needs Falco's gRPC output server, which falcod does not implement",
    "missing_trace": "trace file not available here",
    "k8s_audit": "falcod not found (build it, or pass --falcod)",
    "plugin": "needs plugin loading",
    "package": "needs docker package images",
}


# --- spec loading ---------------------------------------------------------------------------

class _SpecLoader(yaml.SafeLoader):
    """SafeLoader that reads Avocado's `!mux` tag as a plain mapping."""


_SpecLoader.add_constructor("!mux", lambda loader, node: loader.construct_mapping(node, deep=True))


class Case:
    """One test case of a spec file: its name, options, and how this harness treats it."""

    def __init__(self, name, spec, opts):
        self.name = name
        self.spec = spec
        self.opts = opts
        self.kind = None
        self.reason = None   # skip detail added to the kind's reason (may be None)
        self.files = []      # for "validate": files passed to falcoc, as given to it
        self.note = None     # how the case was derived, when not plainly from validate_*
        self.also_replay = False  # a validate case whose trace is also replayed (with falcod)


def load_cases(test_dir):
    """Returns every case of every spec file, in file order. Raises on unreadable specs."""
    cases = []
    seen = set()
    for spec in SPEC_FILES:
        with open(os.path.join(test_dir, spec), encoding="utf-8") as f:
            doc = yaml.load(f, Loader=_SpecLoader)
        for mux in (doc or {}).values():
            if not isinstance(mux, dict):
                continue
            for name, opts in mux.items():
                name = str(name)
                if name in seen:
                    name = "%s:%s" % (spec, name)
                seen.add(name)
                cases.append(Case(name, spec, opts or {}))
    return cases


def as_list(v):
    if v is None or v is False:
        return []
    return v if isinstance(v, list) else [v]


def map_path(path, compat_dir):
    """Maps a spec path onto shared/compat. Relative paths stay relative to the spec folder
    (the harness runs falcoc from there), so falcoc reports them as Falco's suite wrote them."""
    p = str(path)
    for prefix in ("$BUILD_DIR/", "${BUILD_DIR}/", "BUILD_DIR/"):
        if p.startswith(prefix):
            rest = p[len(prefix):]
            for src, dst in BUILD_DIR_MAP:
                if rest.startswith(src):
                    return os.path.join(compat_dir, dst + rest[len(src):])
            return os.path.join(compat_dir, "BUILD_DIR-unmapped", rest)
    if p.startswith("./"):
        p = p[2:]
    return p


# --- classification -------------------------------------------------------------------------

def _is_load_failure(o):
    """A case without validate_* whose expected failure comes from loading its rules. None of
    the 0.34.1 specs has one (their invalid_* cases all use validate_*), but keep the rule so a
    re-synced spec is not silently skipped: an invalid_* rules file expected to fail."""
    if not o.get("exit_status"):
        return False
    files = [os.path.basename(str(f)) for f in as_list(o.get("rules_file"))]
    return any(f.startswith("invalid_") for f in files) and not o.get("conf_file")


def classify(c, test_dir, compat_dir):
    """Sets c.kind (a key of RUNNERS or SKIP_REASONS), and c.files for validation cases."""
    o = c.opts
    if "package" in o:
        c.kind = "package"
        return
    if (o.get("validate_rules_file") or o.get("validate_errors") or o.get("validate_warnings")
        or o.get("validate_ok")):
        c.kind = "validate"
        c.files = [map_path(f, compat_dir) for f in as_list(o.get("validate_rules_file"))]
        return
    if _is_load_failure(o):
        c.kind = "validate"
        c.files = [map_path(f, compat_dir) for f in as_list(o.get("rules_file"))]
        c.note = "derived: invalid rules_file with exit_status %s" % o.get("exit_status")
        return
    if o.get("enable_source") == "k8s_audit" or "k8s_audit" in str(o.get("addl_cmdline_opts", "")):
        c.kind = "k8s_audit"
        return
    if c.spec == "falco_tests_plugins.yaml" or "confs/plugins/" in str(o.get("conf_file", "")):
        c.kind = "plugin"
        return
    if o.get("run_tags") and (o.get("disable_tags") or o.get("disabled_rules")):
        c.kind = "cli"
        return
    if "drops_" in str(o.get("conf_file", "")):
        # syscall_event_drops.* (confs/drops_*.yaml, simulate_drops): falcod's drop manager
        # in a replay, checked as the other trace cases
        c.kind = "drops"
        return
    if o.get("grpc") or "grpc" in str(o.get("conf_file", "")):
        c.kind = "grpc"
        return
    trace = o.get("trace_file")
    if trace and not os.path.exists(os.path.join(test_dir, map_path(trace, compat_dir))):
        c.kind = "missing_trace"
        c.reason = str(trace)
        return
    if not o.get("rules_file") and trace and o.get("detect") is False and \
       not o.get("detect_counts"):
        # builtin_rules_no_warnings: replay of an empty trace with the default rules. The
        # replay half needs falcod; the loading half is a validation of the default rules.
        c.kind = "validate"
        c.files = [map_path(DEFAULT_RULES, compat_dir)]
        c.note = "derived: default rules must load without errors, then the trace replays"
        c.also_replay = True
        return
    if (o.get("output_strictly_contains") or o.get("json_output")
        or o.get("stdout_contains") or o.get("stderr_contains") or o.get("time_iso_8601")):
        c.kind = "output"
        return
    c.kind = "replay"


# --- the validation runner ------------------------------------------------------------------

class Result:
    def __init__(self, ok, why="", details=None, raw=None):
        self.ok = ok
        self.why = why
        self.details = details or []   # extra lines printed under a FAIL
        self.raw = raw                 # falcoc's stdout/stderr, printed with -v


class Stats:
    def __init__(self):
        self.msg_total = 0
        self.msg_exact = 0


def _ctx(d):
    ctx = d.get("context") if isinstance(d, dict) else None
    return ctx if isinstance(ctx, dict) else {}


def _key(d):
    """(code, item_type, item_name) of a falcoc diagnostic; a missing name counts as ""."""
    ctx = _ctx(d)
    name = ctx.get("item_name")
    return (d.get("code"), ctx.get("item_type"), "" if name is None else str(name))


def _exp_key(e):
    name = e.get("item_name")
    return (e.get("code"), e.get("item_type"), "" if name is None else str(name))


def _fmt_diag(d, fname=None):
    code, itype, iname = _key(d)
    ctx = _ctx(d)
    where = ctx.get("file") or fname or "?"
    if ctx.get("line") is not None:
        where += ":%s" % ctx["line"]
        if ctx.get("column") is not None:
            where += ":%s" % ctx["column"]
    return "%s %s '%s' at %s: %s" % (code, itype, iname, where, d.get("message"))


def _fmt_exp(e):
    code, itype, iname = _exp_key(e)
    if "message" in e:
        msg = "message %s" % json.dumps(e["message"])
    elif "message_contains" in e:
        msg = "message_contains %s" % json.dumps(e["message_contains"])
    else:
        msg = "no message"
    return "%s %s '%s' (%s)" % (code, itype, iname, msg)


def _message_matches(e, d):
    got = d.get("message") or ""
    if "message" in e:
        return got == e["message"]
    if "message_contains" in e:
        return e["message_contains"] in got
    return True


def run_falcoc(falcoc, files, cwd):
    """Runs `falcoc check --json FILES` in cwd. Returns (exit code, stdout, stderr); a timeout
    or a failure to start is returned as exit code None with the reason in stderr."""
    try:
        p = subprocess.run([falcoc, "check", "--json"] + files, cwd=cwd, capture_output=True,
                   timeout=FALCOC_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %ds" % FALCOC_TIMEOUT
    except OSError as e:
        return None, "", "cannot run %s: %s" % (falcoc, e)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
        p.stderr.decode("utf-8", "replace"))


def run_validate(c, env):
    """Checks one rule-loading case: exit status, load results per file, every expected
    (code, item_type, item_name) present at the right severity, no unexpected errors, and
    validate_ok files loaded without errors. Messages are compared for information only."""
    o = c.opts
    exp_status = int(o.get("exit_status", 0))
    exp_errors = as_list(o.get("validate_errors"))
    exp_warnings = as_list(o.get("validate_warnings"))
    ok_files = [str(f) for f in as_list(o.get("validate_ok"))]

    rc, out, err = run_falcoc(env.falcoc, c.files, env.test_dir)
    raw = "--- falcoc stdout\n%s--- falcoc stderr\n%s" % (out, err)
    if rc is None:
        return Result(False, err, raw=raw)
    if rc < 0:
        return Result(False, "falcoc killed by signal %d" % -rc, raw=raw)
    try:
        doc = json.loads(out)
        results = doc["falco_load_results"]
        if not isinstance(results, list):
            raise TypeError("falco_load_results is not a list")
    except (ValueError, KeyError, TypeError) as e:
        return Result(False, "exit %d, stdout is not the check --json object (%s)" % (rc, e),
                  raw=raw)

    problems = []
    details = []
    names = [r.get("name") for r in results]
    if names != c.files:
        problems.append("load results name %s, expected %s" % (names, c.files))

    errors = []    # (diag, file name)
    warnings = []
    for r in results:
        errors += [(d, r.get("name")) for d in as_list(r.get("errors"))]
        warnings += [(d, r.get("name")) for d in as_list(r.get("warnings"))]

    if rc != exp_status:
        problems.append("exit status %d, expected %d" % (rc, exp_status))
    if bool(doc.get("successful")) != (rc == 0):
        problems.append("\"successful\": %s but exit status %d" % (doc.get("successful"), rc))

    for kind, expected, got in (("error", exp_errors, errors), ("warning", exp_warnings, warnings)):
        for e in expected:
            hits = [d for d, _ in got if _key(d) == _exp_key(e)]
            if "message" in e or "message_contains" in e:
                env.stats.msg_total += 1
                if any(_message_matches(e, d) for d in hits):
                    env.stats.msg_exact += 1
            if not hits:
                problems.append("missing %s %s/%s/'%s'" % ((kind,) + _exp_key(e)))
                details.append("  expected %s: %s" % (kind, _fmt_exp(e)))
                same = [d for d, f in got if _key(d)[0] == e.get("code")] or [d for d, f in got]
                for d in same:
                    details.append("       got %s: %s" % (kind, _fmt_diag(d)))
                if not same:
                    details.append("       got no %ss" % kind)
            elif not any(_message_matches(e, d) for d in hits):
                details.append("  (message differs) Falco: %s | falcoc: %s" %
                           (json.dumps(e.get("message", e.get("message_contains"))),
                        json.dumps(hits[0].get("message"))))

    # No error may appear that the case does not list: with validate_errors, unlisted errors;
    # without (a case expecting success), any error at all.
    exp_keys = set(_exp_key(e) for e in exp_errors)
    unexpected = [(d, f) for d, f in errors if _key(d) not in exp_keys]
    if unexpected:
        problems.append("%d unexpected error(s)" % len(unexpected))
        for d, f in unexpected:
            details.append("  unexpected error: %s" % _fmt_diag(d, f))

    if env.strict_warnings and exp_warnings:
        codes = set(e.get("code") for e in exp_warnings)
        keys = set(_exp_key(e) for e in exp_warnings)
        extra = [(d, f) for d, f in warnings if _key(d)[0] in codes and _key(d) not in keys]
        if extra:
            problems.append("%d unlisted warning(s) of an expected code" % len(extra))
            for d, f in extra:
                details.append("  unlisted warning: %s" % _fmt_diag(d, f))

    for okf in ok_files:
        match = [r for r in results
             if str(r.get("name")) == okf or str(r.get("name")).endswith("/" + okf)]
        if not match:
            problems.append("validate_ok file %s has no load result" % okf)
        for r in match:
            errs = as_list(r.get("errors"))
            if errs or r.get("successful") is not True:
                problems.append("validate_ok file %s did not load cleanly" % okf)
                for d in errs:
                    details.append("  error in validate_ok file: %s" % _fmt_diag(d, okf))

    if problems:
        return Result(False, "; ".join(problems), details, raw)
    return Result(True, details=details, raw=raw)


# --- the replay runner: falcod --replay TRACE, checked as Falco's falco_test.py checked falco ---

PRIORITIES = ("EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG")


def _bool_opt(v):
    return "true" if v is True or str(v).lower() == "true" else "false"


def replay_command(c, env):
    """The falcod command line for a trace case, as Falco's harness built falco's:
    -r FILE... -D RULE... -c CONF --replay TRACE -o json_output=B
    -o json_include_output_property=B -o json_include_tags_property=B -o priority=P -v
    [-T TAG]... [-t TAG]... [-M N] [-A] [-o time_format_iso_8601=true].
    A k8s_audit case has no trace: its events come from the k8saudit plugin's open_params,
    set by its addl_cmdline_opts, and --enable-source=SOURCE restricts falcod to them."""
    o = c.opts
    cmd = [env.falcod]
    for f in as_list(o.get("rules_file")) or [DEFAULT_RULES]:
        cmd += ["-r", map_path(f, env.compat)]
    for r in as_list(o.get("disabled_rules")):
        cmd += ["-D", str(r)]
    conf = o.get("conf_file")
    cmd += ["-c", map_path(conf, env.compat) if conf else os.path.join(env.compat, DEFAULT_CONF)]
    if o.get("trace_file"):
        cmd += ["--replay", map_path(o["trace_file"], env.compat)]
    if o.get("addl_cmdline_opts"):
        cmd += shlex.split(str(o["addl_cmdline_opts"]))
    if o.get("enable_source"):
        cmd += ["--enable-source=%s" % o["enable_source"]]
    cmd += ["-o", "json_output=%s" % _bool_opt(o.get("json_output", False))]
    cmd += ["-o", "json_include_output_property=%s" %
            _bool_opt(o.get("json_include_output_property", True))]
    cmd += ["-o", "json_include_tags_property=%s" %
            _bool_opt(o.get("json_include_tags_property", True))]
    cmd += ["-o", "priority=%s" % o.get("priority", "debug"), "-v"]
    for t in as_list(o.get("disable_tags")):
        cmd += ["-T", str(t)]
    for t in as_list(o.get("run_tags")):
        cmd += ["-t", str(t)]
    if o.get("run_duration"):
        cmd += ["-M", str(o["run_duration"])]
    if o.get("all_events"):
        cmd.append("-A")
    if o.get("time_iso_8601"):
        cmd += ["-o", "time_format_iso_8601=true"]
    return cmd


def parse_stats(stdout):
    """Falco's end-of-run statistics: (events detected or None, {LEVEL: n}, {rule: n})."""
    m = re.search(r"^Events detected: (\d+)$", stdout, re.M)
    total = int(m.group(1)) if m else None
    levels, rules = {}, {}
    section = None
    for line in stdout.splitlines():
        if line == "Rule counts by severity:":
            section = levels
            continue
        if line == "Triggered rules by rule name:":
            section = rules
            continue
        if section is None:
            continue
        if not line.startswith("   "):
            section = None
            continue
        name, sep, n = line[3:].rpartition(": ")
        if sep and n.isdigit():
            section[name] = int(n)
    return total, levels, rules


def _expected_counts(o):
    counts = {}
    for item in as_list(o.get("detect_counts")):
        if isinstance(item, dict):
            for k, v in item.items():
                counts[str(k)] = int(v)
    return counts


ALERT_TEXT = re.compile(r"^\S+: (Emergency|Alert|Critical|Error|Warning|Notice|Informational|"
                        r"Debug) ")

# Falco's internal alerts (syscall_event_drops action "alert") go to the outputs but are not
# rule alerts: "Events detected" does not count them.
INTERNAL_ALERT = "Falco internal: "


def _strictly_contains(actual, expected):
    """Every line of expected appears in actual, in order (Falco's output_strictly_contains)."""
    cur = actual
    for line in expected.splitlines():
        pos = cur.find(line)
        if pos < 0:
            return line
        cur = cur[pos + len(line):]
    return None


def run_replay(c, env):
    """Runs one trace case through falcod and checks it the way Falco 0.34's harness did:
    stdout/stderr patterns and exit status first (a case expecting a non-zero exit stops
    there), then the statistics: 'Events detected' (detect), the severity lines (detect_level)
    and the per-rule counts (detect_counts); JSON alert lines; exact outputs. Beyond Falco's
    checks: the number of alert lines on stdout must equal 'Events detected'. Not checked:
    rules_warning and rules_events, whose "Rule X: warning (...)" / "Event types for rule"
    lines Falco 0.34 no longer prints (load warnings are the validate cases' business)."""
    o = c.opts
    cmd = replay_command(c, env)
    penv = dict(os.environ, FALCO_HOSTNAME=TEST_HOSTNAME, TZ="UTC")
    outputs = []   # (actual: "stdout" or a path, expected file)
    for item in as_list(o.get("output_strictly_contains")):
        for actual, expected in (item.items() if isinstance(item, dict) else []):
            outputs.append((str(actual), os.path.join(env.test_dir, map_path(expected, env.compat))))
            if actual != "stdout":
                os.makedirs(os.path.dirname(str(actual)), exist_ok=True)
                if os.path.exists(str(actual)):
                    os.unlink(str(actual))
    try:
        p = subprocess.run(cmd, cwd=env.test_dir, capture_output=True, timeout=FALCOD_TIMEOUT,
                           env=penv)
    except subprocess.TimeoutExpired:
        return Result(False, "falcod timed out after %ds" % FALCOD_TIMEOUT)
    except OSError as e:
        return Result(False, "cannot run %s: %s" % (env.falcod, e))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    raw = "$ cd %s && %s\n--- falcod stdout\n%s--- falcod stderr\n%s" % (
        env.test_dir, " ".join(cmd), out, err)
    if p.returncode < 0:
        return Result(False, "falcod killed by signal %d" % -p.returncode, raw=raw)

    problems, details = [], []
    for pat in as_list(o.get("stderr_contains")):
        if not re.search(str(pat), err):
            problems.append("stderr does not match %s" % json.dumps(pat))
    for pat in as_list(o.get("stdout_contains")):
        if not re.search(str(pat), out):
            problems.append("stdout does not match %s" % json.dumps(pat))
    for pat in as_list(o.get("stderr_not_contains")):
        if re.search(str(pat), err):
            problems.append("stderr matches %s" % json.dumps(pat))
    for pat in as_list(o.get("stdout_not_contains")):
        if re.search(str(pat), out):
            problems.append("stdout matches %s" % json.dumps(pat))
    exp_status = int(o.get("exit_status", 0))
    if p.returncode != exp_status:
        problems.append("exit status %d, expected %d" % (p.returncode, exp_status))
        tail = [l for l in err.splitlines() if l.strip()][-3:]
        details += ["  falcod stderr: " + l for l in tail]
    if p.returncode != 0 or exp_status != 0:
        return Result(not problems, "; ".join(problems), details, raw)

    total, levels, rules = parse_stats(out)
    if total is None:
        problems.append("no 'Events detected: N' line on stdout")
    else:
        if not o.get("detect") and total > 0:
            problems.append("detected %d events, expected none" % total)
        if o.get("detect"):
            if total == 0:
                problems.append("detected no events, expected some")
            for lvl in as_list(o.get("detect_level")):
                lvl = str(lvl).upper()
                if not levels.get(lvl):
                    problems.append("no %s alerts (severities: %s)" % (
                        lvl, ", ".join("%s %d" % kv for kv in levels.items()) or "none"))
        exp = _expected_counts(o)
        bad = ["%s: %d, expected %d" % (r, rules.get(r, 0), n)
               for r, n in exp.items() if rules.get(r, 0) != n]
        if bad:
            problems.append("rule counts differ: " + "; ".join(bad))
        if exp:
            details.append("  triggered: " + (", ".join("%s: %d" % kv for kv in rules.items())
                                              or "none"))
    # every alert on stdout is counted, and every counted alert is on stdout
    json_lines = [l for l in out.splitlines() if l.startswith("{") and INTERNAL_ALERT not in l]
    text_lines = [l for l in out.splitlines() if ALERT_TEXT.match(l) and INTERNAL_ALERT not in l]
    if total is not None:
        n = len(json_lines) if o.get("json_output") else len(text_lines)
        if n != total:
            problems.append("%d alert lines on stdout but 'Events detected: %d'" % (n, total))
    if o.get("json_output"):
        attrs = ["time", "rule", "priority"]
        if o.get("json_include_output_property", True):
            attrs.append("output")
        for l in json_lines:
            try:
                obj = json.loads(l)
            except ValueError as e:
                problems.append("stdout line is not JSON (%s): %s" % (e, l[:120]))
                break
            missing = [a for a in attrs if a not in obj]
            if missing:
                problems.append("JSON alert lacks %s: %s" % (", ".join(missing), l[:120]))
                break
    for actual, expected in outputs:
        try:
            with open(expected, encoding="utf-8") as f:
                want = f.read()
            if actual == "stdout":
                got = out
            else:
                with open(actual, encoding="utf-8") as f:
                    got = f.read()
        except OSError as e:
            problems.append("output %s: %s" % (actual, e))
            continue
        missing = _strictly_contains(got, want)
        if missing is not None:
            problems.append("%s does not strictly contain %s" % (actual, os.path.basename(expected)))
            details.append("  first line not found in order: %s" % missing)
            first = (got.splitlines() or [""])[0]
            details.append("  first line there:            %s" % first)
    return Result(not problems, "; ".join(problems), details, raw)


def run_validate_and_replay(c, env):
    """builtin_rules_no_warnings: the default rules load cleanly, then the trace replays."""
    r = run_validate(c, env)
    if not r.ok or not env.falcod:
        return r
    r2 = run_replay(c, env)
    if not r2.ok:
        r2.why = "replay: " + r2.why
    return r2


# Case kind -> runner(case, env) -> Result. A kind without a runner is skipped with
# SKIP_REASONS[kind]. The falcod kinds are registered in main() when falcod exists.
RUNNERS = {
    "validate": run_validate,
}
FALCOD_KINDS = ("replay", "output", "cli", "k8s_audit", "drops")


# --- driver ---------------------------------------------------------------------------------

class Env:
    def __init__(self, args, test_dir):
        self.falcoc = args.falcoc
        self.falcod = args.falcod
        self.compat = args.compat
        self.test_dir = test_dir
        self.verbose = args.verbose
        self.strict_warnings = args.strict_warnings
        self.stats = Stats()


def skip_reason(c):
    return SKIP_REASONS.get(c.kind, "no runner for kind '%s'" % c.kind)


def describe(c, env):
    """One --list line: how the case would be handled."""
    if c.kind in FALCOD_KINDS and c.kind in RUNNERS:
        return "RUN  %-45s %s: %s" % (c.name, c.kind, " ".join(replay_command(c, env)))
    if c.kind in RUNNERS:
        o = c.opts
        bits = ["exit %s" % o.get("exit_status", 0)]
        errs = as_list(o.get("validate_errors"))
        warns = as_list(o.get("validate_warnings"))
        if errs:
            bits.append("errors: " + ", ".join("%s/%s/'%s'" % _exp_key(e) for e in errs))
        if warns:
            bits.append("warnings: " + ", ".join("%s/%s/'%s'" % _exp_key(e) for e in warns))
        if o.get("validate_ok"):
            bits.append("ok: " + ", ".join(str(f) for f in as_list(o["validate_ok"])))
        if c.note:
            bits.append(c.note)
        return "RUN  %-45s %s [%s] %s" % (c.name, c.kind, " ".join(c.files), "; ".join(bits))
    reason = skip_reason(c) + (" (%s)" % c.reason if c.reason else "")
    return "SKIP %-45s %s: %s" % (c.name, c.kind, reason)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run Falco 0.34.1's regression suite against falcoc.")
    ap.add_argument("--falcoc", default="falcoc", help="path of the falcoc binary")
    ap.add_argument("--falcod", default=None,
            help="path of the falcod binary (default: falcod beside falcoc, if built); "
                 "without it the trace cases are skipped")
    ap.add_argument("--compat", required=True, help="the shared/compat folder")
    ap.add_argument("--list", action="store_true",
            help="print the cases and how each would be handled; run nothing")
    ap.add_argument("-k", dest="substr", help="only cases whose name contains SUBSTR")
    ap.add_argument("-v", "--verbose", action="store_true",
            help="print falcoc's output for failing cases")
    ap.add_argument("--strict-warnings", action="store_true",
            help="also fail on unlisted warnings whose code a case expects")
    args = ap.parse_args(argv)

    args.compat = os.path.abspath(args.compat)
    if os.sep in args.falcoc:
        args.falcoc = os.path.abspath(args.falcoc)
    if args.falcod is None:
        beside = os.path.join(os.path.dirname(args.falcoc), "falcod") if os.sep in args.falcoc \
            else shutil.which("falcod")
        args.falcod = beside if beside and os.access(beside, os.X_OK) else None
    elif not os.access(args.falcod, os.X_OK):
        print("falco_suite: --falcod %s is not an executable" % args.falcod, file=sys.stderr)
        return 2
    if args.falcod:
        args.falcod = os.path.abspath(args.falcod)
        for kind in FALCOD_KINDS:
            RUNNERS[kind] = run_replay
    test_dir = os.path.join(args.compat, TEST_SUBDIR)
    try:
        cases = load_cases(test_dir)
    except (OSError, yaml.YAMLError) as e:
        print("falco_suite: cannot read specs in %s: %s" % (test_dir, e), file=sys.stderr)
        return 2
    for c in cases:
        classify(c, test_dir, args.compat)
    if args.substr:
        cases = [c for c in cases if args.substr in c.name]

    env = Env(args, test_dir)
    if args.list:
        for c in cases:
            print(describe(c, env))
        n = sum(1 for c in cases if c.kind in RUNNERS)
        print("%d cases: %d would run, %d skipped" % (len(cases), n, len(cases) - n))
        return 0

    passed = failed = skipped = 0
    skips = {}
    for c in cases:
        runner = RUNNERS.get(c.kind)
        if runner is None:
            reason = skip_reason(c)
            print("SKIP %s: %s" % (c.name, reason + (" (%s)" % c.reason if c.reason else "")))
            skips[reason] = skips.get(reason, 0) + 1
            skipped += 1
            continue
        if c.also_replay:
            runner = run_validate_and_replay
        r = runner(c, env)
        if r.ok:
            print("PASS %s" % c.name)
            passed += 1
            if env.verbose:
                for line in r.details:
                    print(line)
        else:
            print("FAIL %s: %s" % (c.name, r.why))
            for line in r.details:
                print(line)
            if env.verbose and r.raw:
                if c.kind not in FALCOD_KINDS:
                    print("  cd %s && %s check --json %s" % (env.test_dir, env.falcoc,
                                                            " ".join(c.files)))
                for line in r.raw.splitlines():
                    print("  | " + line)
            failed += 1
        sys.stdout.flush()

    print()
    print("messages: %d of %d expected Falco messages match falcoc's text "
          "(message exactly, message_contains as substring; informational)" %
          (env.stats.msg_exact, env.stats.msg_total))
    if skips:
        print("not run:")
        for reason, n in sorted(skips.items(), key=lambda kv: (-kv[1], kv[0])):
            print("  %4d  %s" % (n, reason))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
