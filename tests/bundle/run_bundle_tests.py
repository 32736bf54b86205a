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
  prefilter
          the PREFILTER section is checked when a bundle loads: sections whose checksums are
          right but whose programs do not decode are refused naming the section, at start
          (live or not, --no-prefilter or not, -b or rules_bundle) and at a reload (the rules
          running keep alerting); a bundle without the section loads and runs the same
  prefilter_live
          (root, BTF) falcod live runs the bundle's own prefilter programs, not programs
          rebuilt from its rules: a bundle whose PREFILTER section was taken from another
          bundle drops, in the kernel, events its rules match; the log says where the
          prefilters come from; a reload installs the new bundle's programs, and a reload
          refused for its PREFILTER section keeps the old rules and the old programs

Bundles are taken apart and put together again by bundle_sections and bundle_build, which
recompute what the format checksums (section CRC-32s, the SHA-256 trailer); the tests check
that they give back a compiled bundle byte for byte, and that falcoc inspect accepts what they
build, so a refusal is about the contents, not a checksum.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

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
            wait_for(lambda: any(a["rule"] == "RuleA" for a in alerts()), 30, "RuleA")
            # 1. SIGHUP with a good new bundle in place (copied over: same path)
            shutil.copy(fb, live)
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "Reloaded rules bundle" in log(), 30, "the reload")
            wait_for(lambda: any(a["rule"] == "RuleB" for a in alerts()), 30, "RuleB")
            # 2. a corrupt bundle: one byte flipped in the RULES section; the file change is
            #    noticed by the once-a-second poll
            data = bytearray(open(fa, "rb").read())
            data[len(data) // 2] ^= 0x40
            tmp = live + ".new"
            open(tmp, "wb").write(data)
            os.rename(tmp, live)
            wait_for(lambda: "refused" in log(), 30, "the refusal")
            nb = len([a for a in alerts() if a["rule"] == "RuleB"])
            wait_for(lambda: len([a for a in alerts() if a["rule"] == "RuleB"]) > nb + 2, 30,
                     "RuleB alerts after the refusal")
            # 3. a good bundle again, by rename, no signal
            shutil.copy(fa, tmp)
            os.rename(tmp, live)
            wait_for(lambda: log().count("Reloaded rules bundle") >= 2, 30, "the second reload")
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


# --- prefilter ---------------------------------------------------------------------------------

SEC_PREFILTER = 16
SKIP = 77


def bundle_sections(data):
    """The sections of a bundle (docs/bundle.md, Layout) as [type, flags, payload] lists."""
    nsec = struct.unpack_from("<I", data, 44)[0]
    pos, out = 128, []
    for _ in range(nsec):
        t, fl, n, _crc, _res = struct.unpack_from("<IIQII", data, pos)
        pos += 24
        out.append([t, fl, bytes(data[pos:pos + n])])
        pos += n + (-n % 8)
    return out


def bundle_build(data, sections):
    """A bundle with the header of data and these sections: the section count, the file size,
    every CRC-32 and the SHA-256 trailer computed anew."""
    body = bytearray()
    for t, fl, p in sections:
        body += struct.pack("<IIQII", t, fl, len(p), zlib.crc32(p), 0) + p + bytes(-len(p) % 8)
    hdr = bytearray(data[:128])
    struct.pack_into("<I", hdr, 44, len(sections))
    struct.pack_into("<Q", hdr, 48, 128 + len(body) + 32)
    out = bytes(hdr) + bytes(body)
    return out + hashlib.sha256(out).digest()


def with_prefilter(data, payload):
    """data with its PREFILTER payload replaced (None: without a PREFILTER section)."""
    secs = [s for s in bundle_sections(data) if s[0] != SEC_PREFILTER]
    if payload is not None:
        secs.append([SEC_PREFILTER, 0, payload])
    return bundle_build(data, sorted(secs, key=lambda s: s[0]))  # sections in type order


def prefilter_of(data):
    return next(s[2] for s in bundle_sections(data) if s[0] == SEC_PREFILTER)


def bad_prefilters(good):
    """PREFILTER payloads that do not decode, each with what makes it bad."""
    garbage = bytes((i * 37 + 11) & 255 for i in range(len(good)))
    return [
        ("garbage", garbage),
        ("program headers of garbage", good[:12] + garbage[12:]),
        ("a program cut short", good[:len(good) - 4]),
        ("trailing bytes", good + bytes(8)),
        ("empty", b""),
    ]


def zero_instructions(blob):
    """A prefilter blob ("FCPF" v1: u32 version, u32 count, per program u16 type, u16 keep,
    u32 count, 8-byte instructions) with every instruction zeroed: it decodes, and the
    kernel's verifier rejects it."""
    out = bytearray(blob)
    pos = 12
    for _ in range(struct.unpack_from("<I", blob, 8)[0]):
        n = struct.unpack_from("<I", blob, pos + 4)[0]
        pos += 8
        out[pos:pos + 8 * n] = bytes(8 * n)
        pos += 8 * n
    return bytes(out)


def check_built(args, path, fails, what):
    p = run([args.falcoc, "inspect", path])
    if p.returncode:
        fails.append("%s: falcoc inspect refuses the crafted bundle (the helper's checksums "
                     "are wrong?): %s" % (what, p.stderr.strip()))


def t_prefilter(args):
    fails = []
    d = tempfile.mkdtemp(prefix="bundle-pf-")
    try:
        ra, rb = os.path.join(d, "a.yaml"), os.path.join(d, "b.yaml")
        open(ra, "w").write(RULE.format(name="RuleA", path="/etc/bundle-a"))
        open(rb, "w").write(RULE.format(name="RuleB", path="/etc/bundle-b"))
        fa, fb = os.path.join(d, "a.fcb"), os.path.join(d, "b.fcb")
        for out, src in ((fa, ra), (fb, rb)):
            p = compile_bundle(args, out, [src])
            if p.returncode:
                return ["compile failed: " + p.stderr]
        da, db = open(fa, "rb").read(), open(fb, "rb").read()
        if bundle_build(da, bundle_sections(da)) != da:
            return ["bundle_build does not give back a compiled bundle byte for byte"]
        sc, cap = os.path.join(d, "s.yaml"), os.path.join(d, "s.fcap")
        with open(sc, "w") as f:
            yaml.safe_dump(scenario_yaml(400, 0.02), f)
        p = run([args.fc_scenario, sc, cap, os.path.join(d, "s.json")])
        if p.returncode:
            return ["fc_scenario failed: " + p.stderr]
        env = dict(os.environ, FALCO_HOSTNAME="h")
        replay = ["-o", "json_output=true", "--replay", cap]

        # 1. at start: refused, naming the section, whatever the mode
        n = 0
        for what, payload in bad_prefilters(prefilter_of(da)):
            bad = os.path.join(d, "bad.fcb")
            open(bad, "wb").write(with_prefilter(da, payload))
            check_built(args, bad, fails, what)
            for extra in ([], ["--no-prefilter"], ["-L"]):
                src = ["-b", bad] if n % 2 == 0 else ["-o", "rules_bundle=" + bad]
                n += 1
                p = run([args.falcod] + src + (extra if extra == ["-L"] else extra + replay),
                        env=env)
                how = "%s, %s %s" % (what, src[0], " ".join(extra))
                if p.returncode != 1:
                    fails.append("%s: exit %d, expected 1" % (how, p.returncode))
                if "Error: %s: bundle refused: section PREFILTER, offset " % bad not in p.stderr:
                    fails.append("%s: the refusal does not name the section: %r" %
                                 (how, p.stderr[-400:]))
                if '"rule"' in p.stdout or "Events detected" in p.stdout:
                    fails.append("%s: events were processed" % how)
        print("prefilter: %d bad PREFILTER sections refused at start, %d runs" %
              (len(bad_prefilters(prefilter_of(da))), n))

        # 2. without a PREFILTER section: loads, runs the same
        nopf = os.path.join(d, "nopf.fcb")
        open(nopf, "wb").write(with_prefilter(da, None))
        check_built(args, nopf, fails, "no PREFILTER section")
        pg = run([args.falcod, "-b", fa] + replay, env=env)
        pn = run([args.falcod, "-b", nopf] + replay, env=env)
        if pn.returncode or pn.stdout != pg.stdout or '"rule":"RuleA"' not in pn.stdout:
            fails.append("a bundle without a PREFILTER section: exit %d, stdout %s the "
                         "bundle's with one" % (pn.returncode,
                                                "differs from" if pn.stdout != pg.stdout
                                                else "same as"))

        # 2b. a PREFILTER section of another blob version (another falcoc's kernel-side
        # programs) is not damage: the prefilters are rebuilt from the rules, as without one
        for ver in (2, 99):
            other = os.path.join(d, "v%d.fcb" % ver)
            good = prefilter_of(da)
            open(other, "wb").write(with_prefilter(da, good[:4] + struct.pack("<I", ver) +
                                                    good[8:]))
            check_built(args, other, fails, "blob version %d" % ver)
            pv = run([args.falcod, "-b", other] + replay, env=env)
            if pv.returncode or pv.stdout != pg.stdout or "refused" in pv.stderr:
                fails.append("a PREFILTER section of blob version %d: exit %d, stdout %s the "
                             "bundle's, stderr %r" % (ver, pv.returncode,
                                                       "differs from" if pv.stdout != pg.stdout
                                                       else "same as", pv.stderr[-300:]))

        # 3. a reload refused for its PREFILTER section changes nothing
        live = os.path.join(d, "live.fcb")
        shutil.copy(fa, live)
        out, err = open(os.path.join(d, "out"), "w+"), open(os.path.join(d, "err"), "w+")
        proc = subprocess.Popen([args.falcod, "-b", live, "-o", "json_output=true",
                                 "--replay", cap, "--replay-speed", "1"], stdout=out,
                                stderr=err, env=env)

        def alerts():
            out.flush()
            with open(out.name) as f:
                return [json.loads(l)["rule"] for l in f if l.startswith("{")]

        def log():
            with open(err.name) as f:
                return f.read()
        try:
            wait_for(lambda: "RuleA" in alerts(), 30, "RuleA")
            tmp = live + ".new"
            open(tmp, "wb").write(with_prefilter(db, bad_prefilters(prefilter_of(db))[0][1]))
            os.rename(tmp, live)
            wait_for(lambda: "refused" in log(), 30, "the refusal")
            na = alerts().count("RuleA")
            wait_for(lambda: alerts().count("RuleA") > na + 2, 30, "RuleA after the refusal")
            shutil.copy(fb, tmp)
            os.rename(tmp, live)
            wait_for(lambda: "RuleB" in alerts(), 30, "RuleB after a good reload")
            rc = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        refusal = [l for l in log().splitlines() if "refused" in l]
        print("prefilter: reload log says:\n  " + "\n  ".join(refusal))
        if rc != 0:
            fails.append("falcod exited %d" % rc)
        if len(refusal) != 1 or "keep running" not in refusal[0] or \
                "section PREFILTER" not in refusal[0]:
            fails.append("the reload refusal does not name the PREFILTER section: %r" % refusal)
        runs = []
        for r in alerts():
            if not runs or r != runs[-1]:
                runs.append(r)
        if runs != ["RuleA", "RuleB"]:
            fails.append("rules in effect were %r, expected A, then B" % runs)
    finally:
        if not os.environ.get("FC_BUNDLE_KEEP"):
            shutil.rmtree(d, ignore_errors=True)
        else:
            print("kept " + d)
    return fails


# --- prefilter_live ------------------------------------------------------------------------

LIVE_RULES = """- rule: PfOpen
  desc: opens of one file
  condition: evt.type in (open, openat) and fd.name = {dir}/{which}
  output: "PfOpen %proc.name opened %fd.name"
  priority: WARNING
- rule: PfSync
  desc: opens of the sentinel file, to know that falcod has read what came before
  condition: evt.type in (open, openat) and fd.name = {dir}/sync
  output: "PfSync %fd.name"
  priority: WARNING
"""

PROBE_REASONS = ("needs root", "has no BTF", "cannot create a BPF ring buffer")


class Falcod:
    """falcod live with JSON alerts on stdout, waited for until ready."""

    def __init__(self, args, d, name, src, extra=()):
        self.d, self.name = d, name
        self.out = os.path.join(d, name + ".out")
        self.err = os.path.join(d, name + ".err")
        ready = os.path.join(d, name + ".ready")
        self.proc = subprocess.Popen(
            [args.falcod] + src + ["-o", "json_output=true", "--ready-file", ready] +
            list(extra), stdout=open(self.out, "w"), stderr=open(self.err, "w"))
        t = time.time() + 60
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.time() > t:
                if self.proc.poll() is None:
                    self.proc.kill()
                raise RuntimeError("falcod %s did not start: %s" % (name, self.log()[-2000:]))
            time.sleep(0.05)
        self.nsync = 0

    def log(self):
        with open(self.err) as f:
            return f.read()

    def alerts(self):
        with open(self.out) as f:
            return [json.loads(l) for l in f if l.startswith("{")]

    def opened(self, which):
        return sum(1 for a in self.alerts() if a["rule"] == "PfOpen" and
                   a["output_fields"]["fd.name"].endswith("/" + which))

    def act(self, n):
        """n opens of a and of b, then a sentinel open whose alert says falcod read them."""
        for _ in range(n):
            for w in ("a", "b"):
                os.close(os.open(os.path.join(self.d, w), os.O_RDONLY))
        self.nsync += 1
        os.close(os.open(os.path.join(self.d, "sync"), os.O_RDONLY))
        wait_for(lambda: sum(1 for a in self.alerts() if a["rule"] == "PfSync") >= self.nsync,
                 60, "falcod %s to read the sentinel open" % self.name)  # generous: loaded CI

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        return rc, self.log()


def prefilter_lines(log):
    return [l.split(": ", 1)[1] for l in log.splitlines() if ": Prefilters: " in l]


def kernel_dropped(log):
    for l in log.splitlines():
        if l.startswith("Prefilter: kept "):
            return int(l.split(", dropped ")[1].split()[0])
    return -1


def t_prefilter_live(args):
    if os.geteuid() != 0:
        print("SKIP: the eBPF capture needs root")
        return SKIP
    if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
        print("SKIP: the kernel has no BTF (/sys/kernel/btf/vmlinux)")
        return SKIP
    fails = []
    d = tempfile.mkdtemp(prefix="bundle-pflive-")
    os.chmod(d, 0o755)
    running = []
    try:
        for f in ("a", "b", "sync"):
            open(os.path.join(d, f), "w").close()
        paths = {}
        for w in ("a", "b"):
            y, fcb = os.path.join(d, "r%s.yaml" % w), os.path.join(d, "r%s.fcb" % w)
            open(y, "w").write(LIVE_RULES.format(dir=d, which=w))
            p = compile_bundle(args, fcb, [y])
            if p.returncode:
                return ["compile failed: " + p.stderr]
            paths[w], paths[w + "y"] = fcb, y
        # c: opens of b by a glob, which the kernel cannot decide: the open programs keep
        # every event, so the new set has no program for those types at all
        y, fcb = os.path.join(d, "rc.yaml"), os.path.join(d, "rc.fcb")
        open(y, "w").write(LIVE_RULES.format(dir=d, which="b").replace(
            "fd.name = %s/b" % d, 'fd.name glob "%s/b"' % d, 1))
        p = compile_bundle(args, fcb, [y])
        if p.returncode:
            return ["compile failed: " + p.stderr]
        paths["c"] = fcb
        da, db = open(paths["a"], "rb").read(), open(paths["b"], "rb").read()
        if prefilter_of(da) == prefilter_of(db):
            return ["the two rules files give the same prefilters: the test proves nothing"]
        # the rules of ra (PfOpen on a), the programs of rb (they keep opens of b, drop a's)
        swapped = os.path.join(d, "swapped.fcb")
        open(swapped, "wb").write(with_prefilter(da, prefilter_of(db)))
        nopf = os.path.join(d, "nopf.fcb")
        open(nopf, "wb").write(with_prefilter(da, None))
        for f, what in ((swapped, "swapped PREFILTER"), (nopf, "no PREFILTER")):
            check_built(args, f, fails, what)
        N = 20
        FROM_BUNDLE = "programs from the bundle"
        BUILT = "built from the rules"

        # 1. one run per source of prefilters
        cases = [
            ("bundle", ["-b", paths["a"]], [], N, FROM_BUNDLE),
            ("swapped", ["-b", swapped], [], 0, FROM_BUNDLE),
            ("config", ["-o", "rules_bundle=" + swapped], [], 0, FROM_BUNDLE),
            ("nopf", ["-b", nopf], [], N, BUILT + " (the bundle has no PREFILTER section)"),
            ("rules", ["-r", paths["ay"]], [], N, BUILT),
            ("swapped-off", ["-b", swapped], ["--no-prefilter"], N, None),
        ]
        for name, src, extra, want_a, want_from in cases:
            try:
                f = Falcod(args, d, name, src, extra)
            except RuntimeError as e:
                msg = str(e)
                if name == cases[0][0] and any(r in msg for r in PROBE_REASONS):
                    print("SKIP: " + msg)
                    return SKIP
                fails.append(msg)
                continue
            running.append(f)
            f.act(N)
            rc, lg = f.stop()
            running.remove(f)
            pl = prefilter_lines(lg)
            got_a, got_b = f.opened("a"), f.opened("b")
            print("prefilter_live: %-12s opens of a alerted %2d/%d, of b %d; %s; kernel "
                  "dropped %d" % (name, got_a, N, got_b, pl[0] if pl else "no prefilters",
                                  kernel_dropped(lg)))
            if rc != 0:
                fails.append("%s: falcod exited %d" % (name, rc))
            if got_a != want_a or got_b != 0:
                fails.append("%s: %d alerts for opens of a (expected %d), %d for b (expected "
                             "0)" % (name, got_a, want_a, got_b))
            if want_from is None:
                if pl:
                    fails.append("%s: prefilters loaded with --no-prefilter: %r" % (name, pl))
            elif len(pl) != 1 or not pl[0].endswith(
                    " event types filtered in the kernel, " + want_from):
                fails.append("%s: the log says %r, expected '..., %s'" % (name, pl, want_from))
            if name == "swapped" and kernel_dropped(lg) < N:
                fails.append("swapped: the kernel dropped %d events, fewer than the %d opens "
                             "of a" % (kernel_dropped(lg), N))

        # programs that decode but that the kernel refuses: an error naming their source
        rej = os.path.join(d, "rejected.fcb")
        open(rej, "wb").write(with_prefilter(da, zero_instructions(prefilter_of(da))))
        p = run([args.falcod, "-b", rej, "-M", "1"])
        want = "Error: cannot load the prefilters (%s; --no-prefilter to run without): the " \
               "kernel rejected the prefilter of " % FROM_BUNDLE
        print("prefilter_live: rejected programs: exit %d, %s" %
              (p.returncode, (p.stderr.split("Error: ") + [""])[1].splitlines()[0][:150]))
        if p.returncode != 1 or want not in p.stderr:
            fails.append("programs the verifier rejects: exit %d, %r" %
                         (p.returncode, p.stderr[-600:]))

        # 2. reloads: the new bundle's programs; a refused one keeps the old rules and programs
        live = os.path.join(d, "live.fcb")
        shutil.copy(paths["a"], live)
        tmp = live + ".new"

        def publish(data):
            open(tmp, "wb").write(data)
            os.rename(tmp, live)
        f = Falcod(args, d, "reload", ["-b", live])
        running.append(f)
        f.act(N)                                    # ra's rules and programs: a alerts
        a1 = f.opened("a")
        publish(open(swapped, "rb").read())
        wait_for(lambda: "Reloaded rules bundle" in f.log(), 60, "the reload of swapped")
        f.act(N)                                    # swapped: a dropped in the kernel
        a2 = f.opened("a")
        publish(with_prefilter(db, bad_prefilters(prefilter_of(db))[0][1]))
        wait_for(lambda: "refused" in f.log(), 60, "the refusal")
        f.act(N)                                    # still swapped: no alert at all
        a3, b3 = f.opened("a"), f.opened("b")
        publish(da)
        wait_for(lambda: f.log().count("Reloaded rules bundle") >= 2, 60, "the last reload")
        f.act(N)                                    # ra again: a alerts
        a4, b4 = f.opened("a"), f.opened("b")
        publish(open(paths["c"], "rb").read())
        wait_for(lambda: f.log().count("Reloaded rules bundle") >= 3, 60, "the reload of c")
        f.act(N)                                    # rc: b alerts; ra's programs must be gone
        b5 = f.opened("b")
        rc, lg = f.stop()
        running.remove(f)
        pl = prefilter_lines(lg)
        refusal = [l for l in lg.splitlines() if "refused" in l]
        print("prefilter_live: reload: opens of a alerted %d, %d, %d, %d, then of b %d (of %d "
              "each); log:\n  %s" % (a1, a2 - a1, a3 - a2, a4 - a3, b5 - b4, N,
                                    "\n  ".join(pl + refusal)))
        if rc != 0:
            fails.append("reload: falcod exited %d" % rc)
        if (a1, a2 - a1, a3 - a2, a4 - a3) != (N, 0, 0, N) or b3 != 0:
            fails.append("reload: opens of a alerted %d, %d, %d, %d times, of b %d; expected "
                         "%d, 0, 0, %d and 0" % (a1, a2 - a1, a3 - a2, a4 - a3, b3, N, N))
        if b5 - b4 != N:
            fails.append("reload to rules the kernel cannot decide for opens: opens of b "
                         "alerted %d times, expected %d (the old programs kept dropping?)" %
                         (b5 - b4, N))
        if len(pl) != 4 or not all(l.endswith(FROM_BUNDLE) for l in pl):
            fails.append("reload: prefilter log lines %r, expected 4 '..., %s'" %
                         (pl, FROM_BUNDLE))
        if len(refusal) != 1 or "section PREFILTER" not in refusal[0]:
            fails.append("reload: the refusal does not name the PREFILTER section: %r" %
                         refusal)
    finally:
        for f in running:
            if f.proc.poll() is None:
                f.proc.kill()
        if not os.environ.get("FC_BUNDLE_KEEP"):
            shutil.rmtree(d, ignore_errors=True)
        else:
            print("kept " + d)
    return fails


# --- native ----------------------------------------------------------------------------------

SEC_NATIVE = 18


def with_section(data, typ, payload):
    """data with section typ's payload replaced (None: without that section)."""
    secs = [s for s in bundle_sections(data) if s[0] != typ]
    if payload is not None:
        secs.append([typ, 1, payload])  # NATIVE is optional (flag 1)
    return bundle_build(data, sorted(secs, key=lambda s: s[0]))


def section_of(data, typ):
    return next((s[2] for s in bundle_sections(data) if s[0] == typ), None)


def t_native(args):
    """falcod -b links the bundle's NATIVE section (the conditions compiled by falcoc) instead
    of compiling them; the alerts are those of -r and of the interpreter; a bundle without the
    section, or with another ruleset's, is compiled at load, and the log says why."""
    fails = []
    with tempfile.TemporaryDirectory() as d:
        cap, expf = os.path.join(d, "s.fcap"), os.path.join(d, "s.json")
        p = run([args.fc_scenario, os.path.join(args.scenarios, "attack_read_shadow.yaml"), cap,
                 expf])
        if p.returncode:
            return ["fc_scenario failed: " + p.stderr]
        exp = json.load(open(expf))
        rules = [r if os.path.isabs(r) else os.path.join(args.rules_dir, r)
                 for r in exp["rules"]]
        fcb, other = os.path.join(d, "s.fcb"), os.path.join(d, "other.fcb")
        for out, files in ((fcb, rules), (other, [os.path.join(args.compat,
                            "falcosecurity-rules/tags/falco-rules-0.1.0/falco_rules.yaml")])):
            pc = compile_bundle(args, out, files)
            if pc.returncode:
                return ["compile failed: " + pc.stderr]
        data = open(fcb, "rb").read()
        if section_of(data, SEC_NATIVE) is None:
            return ["falcoc compile wrote no NATIVE section"]
        nonative, swapped = os.path.join(d, "nonative.fcb"), os.path.join(d, "swapped.fcb")
        open(nonative, "wb").write(with_section(data, SEC_NATIVE, None))
        open(swapped, "wb").write(with_section(
            data, SEC_NATIVE, section_of(open(other, "rb").read(), SEC_NATIVE)))
        for f in (nonative, swapped):
            check_built(args, f, fails, os.path.basename(f))
        flag = os.path.join(d, "flag.fcb")
        pn = run([args.falcoc, "compile", "--no-warnings", "--no-native", "-o", flag] + rules)
        if pn.returncode or section_of(open(flag, "rb").read(), SEC_NATIVE) is not None:
            fails.append("falcoc compile --no-native: exit %d or a NATIVE section anyway" %
                         pn.returncode)
        env = dict(os.environ, FALCO_HOSTNAME="bundle-test", TZ="UTC")
        opts = ["-o", "json_output=true", "-o", "rule_matching=all"]
        for o in exp["options"]:
            opts += ["-o", o]
        ref = run([args.falcod] + sum((["-r", r] for r in rules), []) + opts +
                  ["--no-jit", "--replay", cap], env=env)
        if ref.returncode or not any(l.startswith("{") for l in ref.stdout.splitlines()):
            return ["the reference replay failed or has no alert: %s" % ref.stderr[-400:]]
        for name, path, want in (
                ("native", fcb, "the bundle's native code linked in"),
                ("no NATIVE section", nonative, "compiled in"),
                ("another ruleset's NATIVE", swapped,
                 "the bundle's native code was not used: native code: compiled for other "
                 "conditions")):
            p = run([args.falcod, "-b", path, "-v"] + opts + ["--replay", cap], env=env)
            if p.returncode or p.stdout != ref.stdout:
                fails.append("%s: exit %d, alerts %s the interpreter's" %
                             (name, p.returncode, "same as" if p.stdout == ref.stdout else
                              "differ from"))
            if want not in p.stderr or (name != "native" and "native code linked" in p.stderr):
                fails.append("%s: falcod does not say %r: %s" % (name, want, p.stderr[-600:]))
    print("native: the NATIVE section linked, left out and mismatched: %d failures" %
          len(fails))
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("test", choices=["repro", "equiv", "reload", "prefilter",
                                     "prefilter_live", "native"])
    ap.add_argument("--falcoc", required=True)
    ap.add_argument("--falcod", required=True)
    ap.add_argument("--fc-scenario", required=True)
    ap.add_argument("--compat", required=True, help="shared/compat")
    ap.add_argument("--scenarios", required=True, help="tests/scenarios")
    args = ap.parse_args()
    args.rules_dir = os.path.join(args.compat, "falcosecurity-rules", "rules")
    fails = {"repro": t_repro, "equiv": t_equiv, "reload": t_reload, "prefilter": t_prefilter,
             "prefilter_live": t_prefilter_live, "native": t_native}[args.test](args)
    if fails == SKIP:
        return SKIP
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
