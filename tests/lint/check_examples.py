#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_examples.py - the bad and fixed examples of lint/fl_checks.def do what they say.

For every check whose bad and fixed examples are both complete rules files (the convention at
the top of fl_checks.def: the example starts with a top-level item such as "- rule:",
"- macro:" or "- list:" and has no "..." elision), writes each example to a file of its own
in a temporary folder and runs `falco-lint --no-config --format json FILE` on it:
  bad    must report the check's code;
  fixed  must not report it, and must load without errors (exit status 0).
Fragments (a condition, an exceptions: block, a command line) are skipped. A check with one
complete example and one fragment is a failure: the pair should be one or the other.

Standard library only. Prints `N passed, N failed` (and how many checks have fragments)
last; exits 1 on any failure.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT = 60

# --- reading FL_CHECK(...) entries out of the .def -------------------------------------------

TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<word>[A-Za-z_0-9]+)
  | (?P<punct>[(),])
  | (?P<other>.)
''', re.S | re.X)

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "?": "?",
           "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def c_string(lit):
    """The value of a C string literal (with its quotes), for the escapes the .def uses."""
    out, body, i = [], lit[1:-1], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        e = body[i + 1]
        if e == "x":
            m = re.match(r"[0-9A-Fa-f]+", body[i + 2:])
            out.append(chr(int(m.group(0), 16)))
            i += 2 + len(m.group(0))
        elif e in ESCAPES:
            out.append(ESCAPES[e])
            i += 2
        else:
            raise ValueError("unsupported escape \\%s in %s" % (e, lit))
    return "".join(out)


def read_checks(path):
    """[(code, bad, fixed)] in the order of the .def."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Preprocessor lines (none today) are not FL_CHECK entries.
    text = re.sub(r"^[ \t]*#[^\n]*", "", text, flags=re.M)
    tokens = []
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        tokens.append((kind, m.group(kind)))
    checks, i = [], 0
    while i < len(tokens):
        if tokens[i] != ("word", "FL_CHECK"):
            i += 1
            continue
        if tokens[i + 1] != ("punct", "("):
            raise ValueError("FL_CHECK without '('")
        args, cur, i = [], [], i + 2
        while tokens[i] != ("punct", ")"):
            kind, val = tokens[i]
            if (kind, val) == ("punct", ","):
                args.append(cur)
                cur = []
            else:
                cur.append((kind, val))
            i += 1
        args.append(cur)
        i += 1
        if len(args) != 8:
            raise ValueError("FL_CHECK with %d arguments, not 8: %r" % (len(args), args[:2]))

        def text_of(arg):
            if not arg or any(k != "string" for k, _ in arg):
                raise ValueError("expected string literals, got %r" % (arg,))
            return "".join(c_string(v) for _, v in arg)

        checks.append((text_of(args[1]), text_of(args[6]), text_of(args[7])))
    return checks


# --- the convention ---------------------------------------------------------------------------

def is_complete(example):
    """A complete rules file: starts with a top-level item, no '...' elision."""
    return example.startswith("- ") and "..." not in example


def run(falco_lint, folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    p = subprocess.run([falco_lint, "--no-config", "--format", "json", name], cwd=folder,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=TIMEOUT)
    try:
        out = json.loads(p.stdout.decode("utf-8"))
    except ValueError:
        out = None
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


def describe(out):
    return ", ".join("%s:%s %s" % (f.get("line"), f.get("column"), f["code"])
                     for f in out["findings"]) or "no findings"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--falco-lint", required=True, help="the falco-lint binary")
    ap.add_argument("--def", dest="defs", required=True, help="lint/fl_checks.def")
    ap.add_argument("-v", "--verbose", action="store_true", help="name every check tested")
    a = ap.parse_args()
    falco_lint = os.path.abspath(a.falco_lint)

    checks = read_checks(a.defs)
    if not checks:
        print("FAIL no FL_CHECK entries in %s" % a.defs)
        return 1
    passed = failed = fragments = 0
    with tempfile.TemporaryDirectory(prefix="fl-examples-") as tmp:
        for code, bad, fixed in checks:
            cb, cf = is_complete(bad), is_complete(fixed)
            if not cb and not cf:
                fragments += 1
                continue
            if cb != cf:
                print("FAIL %s: the %s example is a complete file, the %s one a fragment"
                      % (code, "bad" if cb else "fixed", "fixed" if cb else "bad"))
                failed += 1
                continue
            folder = os.path.join(tmp, code)
            os.mkdir(folder)
            problems = []
            rc, out, err = run(falco_lint, folder, "bad.yaml", bad)
            if out is None:
                problems.append("bad: no JSON output (exit %d): %s" % (rc, err.strip()))
            elif not any(f["code"] == code for f in out["findings"]):
                problems.append("bad: does not report %s (%s)" % (code, describe(out)))
            rc, out, err = run(falco_lint, folder, "fixed.yaml", fixed)
            if out is None:
                problems.append("fixed: no JSON output (exit %d): %s" % (rc, err.strip()))
            else:
                if any(f["code"] == code for f in out["findings"]):
                    problems.append("fixed: still reports %s (%s)" % (code, describe(out)))
                if rc != 0:
                    problems.append("fixed: exit %d, not 0 (%s)" % (rc, describe(out)))
            if problems:
                failed += 1
                print("FAIL %s" % code)
                for pr in problems:
                    print("  " + pr)
            else:
                passed += 1
                if a.verbose:
                    print("ok   %s" % code)
    print("%d checks have fragment examples (not run)" % fragments)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
