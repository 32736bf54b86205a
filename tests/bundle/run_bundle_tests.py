#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rule bundles end to end (docs/bundle.md): falcoc compile and falcod -b.

  repro   compiling the same rules twice, from different working directories, with different
          paths to the files and a second apart, gives identical bytes; the trailer is the
          SHA-256 of the rest (as sha256sum computes it); falcoc inspect reads it back
  equiv   replaying Falco 0.34.1's traces (every case of its falco_tests.yaml that has a trace
          and rules files) and the tests/scenarios captures with -b BUNDLE gives byte-identical
          stdout (alerts and statistics) to -r RULES
  reload  falcod -b on a paced replay: a good new bundle (SIGHUP, then a rename over the file)
          takes effect between two events; a corrupt one is refused with a log line saying why
          and the rules already running keep alerting; no event is lost
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def compile_bundle(args, out, files, cwd=None):
    p = run([args.falcoc, "compile", "--no-warnings", "-o", out] + files, cwd=cwd)
    return p


# --- repro -----------------------------------------------------------------------------------

def t_repro(args):
    c = args.compat
    rel = ["falcosecurity-rules/rules/falco_rules.yaml",
           "falcosecurity-rules/rules/falco-incubating_rules.yaml",
           "falcosecurity-rules/rules/falco-sandbox_rules.yaml"]
    fails = []
    with tempfile.TemporaryDirectory() as d:
        # 1: relative paths from the compat dir
        a = os.path.join(d, "a.fcb")
        p = compile_bundle(args, a, rel, cwd=c)
        if p.returncode:
            return ["compile 1 failed: " + p.stderr]
        time.sleep(1.1)
        # 2: copies of the files in another directory, absolute paths, another cwd
        other = os.path.join(d, "elsewhere", "deep")
        os.makedirs(other)
        copies = []
        for r in rel:
            dst = os.path.join(other, os.path.basename(r))
            shutil.copy(os.path.join(c, r), dst)
            copies.append(dst)
        b = os.path.join(d, "b.fcb")
        p = compile_bundle(args, b, copies, cwd="/")
        if p.returncode:
            return ["compile 2 failed: " + p.stderr]
        da, db = open(a, "rb").read(), open(b, "rb").read()
        if da != db:
            n = next(i for i in range(min(len(da), len(db))) if da[i] != db[i]) \
                if any(x != y for x, y in zip(da, db)) else min(len(da), len(db))
            fails.append("bundles differ (%d vs %d bytes), first at offset %d" %
                         (len(da), len(db), n))
        if hashlib.sha256(da[:-32]).digest() != da[-32:]:
            fails.append("the trailer is not the SHA-256 of the rest")
        p = run([args.falcoc, "inspect", "--json", a])
        if p.returncode:
            fails.append("inspect failed: " + p.stderr)
        else:
            info = json.loads(p.stdout)
            if info["sha256"] != da[-32:].hex():
                fails.append("inspect's sha256 differs from the trailer")
            if [i["name"] for i in info["inputs"]] != [os.path.basename(r) for r in rel]:
                fails.append("inputs not stored as basenames: %r" % info["inputs"])
        print("repro: %d bytes, sha256 %s" % (len(da), da[-32:].hex()))
        # a file with errors: exit 1, nothing written, an existing OUT left alone
        bad = os.path.join(d, "bad.yaml")
        with open(bad, "w") as f:
            f.write("- rule: x\n  desc: x\n  condition: proc.nmae = a\n  output: x\n"
                    "  priority: INFO\n")
        p = compile_bundle(args, a, [bad])
        if p.returncode != 1:
            fails.append("compile of a bad file: exit %d, expected 1" % p.returncode)
        if open(a, "rb").read() != da:
            fails.append("compile of a bad file changed the existing bundle")
        if [x for x in os.listdir(d) if ".tmp." in x]:
            fails.append("temporary files left behind")
    return fails


# --- equiv -----------------------------------------------------------------------------------

def compare(args, d, name, rules, extra, capture, fails, counts):
    fcb = os.path.join(d, name + ".fcb")
    pc = compile_bundle(args, fcb, rules)
    env = dict(os.environ, FALCO_HOSTNAME="bundle-test", TZ="UTC")
    base = [args.falcod] + extra + ["--replay", capture]
    pr = run(base[:1] + sum((["-r", r] for r in rules), []) + base[1:], env=env)
    if pc.returncode:
        if pr.returncode == 0:
            fails.append("%s: falcoc compile failed but falcod -r loads the rules: %s" %
                         (name, pc.stderr))
        counts["refused"] += 1
        return
    pb = run(base[:1] + ["-b", fcb] + base[1:], env=env)
    if pr.returncode != pb.returncode or pr.stdout != pb.stdout:
        fails.append("%s: -r and -b differ (exit %d vs %d)\n  -r: %s\n  -b: %s" %
                     (name, pr.returncode, pb.returncode, pr.stdout[-600:], pb.stdout[-600:]))
    counts["cases"] += 1
    counts["alerts"] += sum(1 for l in pr.stdout.splitlines() if l.startswith("{"))


def t_equiv(args):
    fails = []
    counts = {"cases": 0, "alerts": 0, "refused": 0}
    tdir = os.path.join(args.compat, "falcosecurity-falco", "test-0.34.1")
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_constructor("!mux", lambda l, n: l.construct_mapping(n, deep=True))
    with open(os.path.join(tdir, "falco_tests.yaml")) as f:
        suite = yaml.load(f, Loader=Loader)
    with tempfile.TemporaryDirectory() as d:
        for name, case in sorted(suite["trace_files"].items()):
            if not isinstance(case, dict) or "trace_file" not in case or "rules_file" not in case:
                continue
            trace = os.path.join(tdir, case["trace_file"])
            rf = case["rules_file"]
            rules = [os.path.join(tdir, r) for r in (rf if isinstance(rf, list) else [rf])]
            if not os.path.exists(trace) or not all(os.path.isfile(r) for r in rules):
                continue
            extra = ["-o", "json_output=true", "-o", "rule_matching=all"]
            for dr in case.get("disabled_rules", []) or []:
                extra += ["-D", dr]
            for t in case.get("run_tags", []) or []:
                extra += ["-t", t]
            if "conf_file" in case:
                continue
            compare(args, d, name, rules, extra, trace, fails, counts)
            # text alerts and Falco's default rule matching too
            compare(args, d, name + "-text", rules, extra[4:], trace, fails, counts)
        # the scenarios: their captures with the upstream rules and their options
        for y in sorted(os.listdir(args.scenarios)):
            if not y.endswith(".yaml"):
                continue
            base = y[:-5]
            cap, expf = os.path.join(d, base + ".fcap"), os.path.join(d, base + ".json")
            p = run([args.fc_scenario, os.path.join(args.scenarios, y), cap, expf])
            if p.returncode:
                fails.append("fc_scenario %s failed: %s" % (y, p.stderr))
                continue
            exp = json.load(open(expf))
            rules = [r if os.path.isabs(r) else os.path.join(args.rules_dir, r)
                     for r in exp["rules"]]
            extra = ["-o", "json_output=true", "-o", "rule_matching=all"]
            for o in exp["options"]:
                extra += ["-o", o]
            compare(args, d, "scenario-" + base, rules, extra, cap, fails, counts)
    print("equiv: %d replays identical under -r and -b (%d alerts); %d rule sets refused "
          "by both" % (counts["cases"], counts["alerts"], counts["refused"]))
    if counts["cases"] < 20 or counts["alerts"] == 0:
        fails.append("too few cases or no alerts: %r" % counts)
    return fails


# --- reload ----------------------------------------------------------------------------------

RULE = """- rule: {name}
  desc: opens of {path}
  condition: evt.type in (open, openat) and fd.name = {path}
  output: "{name} %proc.name opened %fd.name (evt.num=%evt.num)"
  priority: WARNING
"""


def scenario_yaml(n, gap):
    ev = []
    for i in range(n):
        ev.append({"tid": 4200, "after": gap,
                   "openat": {"fd": 3, "dirfd": -100, "name": "/etc/bundle-%s" % "ab"[i % 2],
                              "flags": "O_RDONLY"}})
        ev.append({"tid": 4200, "close": {"fd": 3}})
    return {"name": "reload", "description": "alternating opens",
            "processes": [{"pid": 1, "ppid": 0, "exe": "/sbin/init"},
                          {"pid": 4200, "ppid": 1, "exe": "/usr/bin/cat"}],
            "events": ev, "expect_no_alerts": True}


def wait_for(pred, timeout, what):
    t = time.time() + timeout
    while time.time() < t:
        if pred():
            return True
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def t_reload(args):
    fails = []
    d = tempfile.mkdtemp(prefix="bundle-reload-")
    try:
        ra, rb = os.path.join(d, "a.yaml"), os.path.join(d, "b.yaml")
        open(ra, "w").write(RULE.format(name="RuleA", path="/etc/bundle-a"))
        open(rb, "w").write(RULE.format(name="RuleB", path="/etc/bundle-b"))
        fa, fb, live = [os.path.join(d, x) for x in ("a.fcb", "b.fcb", "live.fcb")]
        for out, src in ((fa, ra), (fb, rb)):
            p = compile_bundle(args, out, [src])
            if p.returncode:
                return ["compile failed: " + p.stderr]
        sc = os.path.join(d, "s.yaml")
        n = 600  # opens, 20 ms apart: 12 s of capture, replayed at 1x
        with open(sc, "w") as f:
            yaml.safe_dump(scenario_yaml(n, 0.02), f)
        cap = os.path.join(d, "s.fcap")
        p = run([args.fc_scenario, sc, cap, os.path.join(d, "s.json")])
        if p.returncode:
            return ["fc_scenario failed: " + p.stderr]
        shutil.copy(fa, live)
        out, err = open(os.path.join(d, "out"), "w+"), open(os.path.join(d, "err"), "w+")
        proc = subprocess.Popen([args.falcod, "-b", live, "-o", "json_output=true",
                                 "--replay", cap, "--replay-speed", "1"], stdout=out,
                                stderr=err, env=dict(os.environ, FALCO_HOSTNAME="h"))

        def alerts():
            out.flush()
            with open(out.name) as f:
                return [json.loads(l) for l in f if l.startswith("{")]

        def log():
            with open(err.name) as f:
                return f.read()
        try:
            wait_for(lambda: any(a["rule"] == "RuleA" for a in alerts()), 10, "RuleA")
            # 1. SIGHUP with a good new bundle in place (copied over: same path)
            shutil.copy(fb, live)
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "Reloaded rules bundle" in log(), 10, "the reload")
            wait_for(lambda: any(a["rule"] == "RuleB" for a in alerts()), 10, "RuleB")
            # 2. a corrupt bundle: one byte flipped in the RULES section; the file change is
            #    noticed by the once-a-second poll
            data = bytearray(open(fa, "rb").read())
            data[len(data) // 2] ^= 0x40
            tmp = live + ".new"
            open(tmp, "wb").write(data)
            os.rename(tmp, live)
            wait_for(lambda: "refused" in log(), 10, "the refusal")
            nb = len([a for a in alerts() if a["rule"] == "RuleB"])
            wait_for(lambda: len([a for a in alerts() if a["rule"] == "RuleB"]) > nb + 2, 10,
                     "RuleB alerts after the refusal")
            # 3. a good bundle again, by rename, no signal
            shutil.copy(fa, tmp)
            os.rename(tmp, live)
            wait_for(lambda: log().count("Reloaded rules bundle") >= 2, 10, "the second reload")
            rc = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        lg = log()
        refusal = [l for l in lg.splitlines() if "refused" in l]
        print("reload: log says:\n  " + "\n  ".join(
            l for l in lg.splitlines() if "bundle" in l.lower()))
        if rc != 0:
            fails.append("falcod exited %d" % rc)
        if not refusal or "checksum" not in refusal[0] and "CRC" not in refusal[0]:
            fails.append("the refusal does not say why: %r" % refusal)
        al = alerts()
        # every open got exactly one verdict from whichever rules were current: the evt.num of
        # the alerts are increasing, and the switches happened between events
        nums = [int(a["output"].split("evt.num=")[1].rstrip(")")) for a in al]
        if nums != sorted(nums) or len(set(nums)) != len(nums):
            fails.append("alerts out of order or repeated")
        seq = [a["rule"] for a in al]
        runs = [seq[0]] if seq else []
        for r in seq[1:]:
            if r != runs[-1]:
                runs.append(r)
        if runs != ["RuleA", "RuleB", "RuleA"]:
            fails.append("rules in effect were %r, expected A, then B, then A" % runs)
        # no event lost: the opens of the current rule's file between the first and last alert
        # of each run all alerted (consecutive matching opens are 4 events apart)
        for i in range(1, len(nums)):
            if seq[i] == seq[i - 1] and nums[i] - nums[i - 1] != 4:
                fails.append("gap in %s alerts: evt.num %d then %d" %
                             (seq[i], nums[i - 1], nums[i]))
                break
        stats = open(out.name).read()
        if "RuleA: " not in stats or "RuleB: " not in stats:
            fails.append("the statistics do not count both rules:\n" + stats[-400:])
        print("reload: %d alerts: %s" % (len(al), " -> ".join(
            "%s x%d" % (r, sum(1 for _ in g)) for r, g in __import__("itertools").groupby(seq))))
    finally:
        if not os.environ.get("FC_BUNDLE_KEEP"):
            shutil.rmtree(d, ignore_errors=True)
        else:
            print("kept " + d)
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("test", choices=["repro", "equiv", "reload"])
    ap.add_argument("--falcoc", required=True)
    ap.add_argument("--falcod", required=True)
    ap.add_argument("--fc-scenario", required=True)
    ap.add_argument("--compat", required=True, help="shared/compat")
    ap.add_argument("--scenarios", required=True, help="tests/scenarios")
    args = ap.parse_args()
    args.rules_dir = os.path.join(args.compat, "falcosecurity-rules", "rules")
    fails = {"repro": t_repro, "equiv": t_equiv, "reload": t_reload}[args.test](args)
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
