#!/usr/bin/env python3
"""Compares our `x07 fmt` and `x07 test` with upstream's on a fetched upstream checkout.

    compare_upstream_authoring.py --upstream /path/to/x07 --upstream-bin DIR [--ours DIR]

fmt: every *.x07.json under the checkout's docs/examples, tests and stdlib (or --fmt-dirs)
is copied twice into a temp dir; upstream's `x07 fmt --write` formats one copy, ours the
other (both in one-line and --pretty mode); the bytes must be identical.
test: both toolchains run the checkout's tests/tests.json with --json; the per-test
statuses are compared (only where upstream's verdict is not an infrastructure error).
Needs the upstream peer (shared/tools/upstream-peer/build.sh); kept out of CI.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def find_files(root, dirs):
    out = []
    for d in dirs:
        base = os.path.join(root, d)
        for dp, dns, fns in os.walk(base):
            dns[:] = sorted(n for n in dns if n not in (".git", ".x07", "target", ".agent", ".claude"))
            out += [os.path.join(dp, f) for f in sorted(fns) if f.endswith(".x07.json")]
    return out


def fmt_compare(args):
    files = find_files(args.upstream, args.fmt_dirs)
    tmp = tempfile.mkdtemp(prefix="fmtcmp_")
    same = differ = both_reject = mismatch_reject = 0
    try:
        for i, src in enumerate(files):
            for pretty in ([], ["--pretty"]):
                res = []
                for who, binary in (("up", args.upstream_bin), ("ours", args.ours)):
                    dst = os.path.join(tmp, f"{who}_{i}.x07.json")
                    shutil.copy(src, dst)
                    p = subprocess.run([os.path.join(binary, "x07"), "fmt", "--write", dst] + pretty,
                                       cwd=tmp, capture_output=True)
                    res.append((p.returncode, open(dst, "rb").read()))
                (urc, ub), (orc, ob) = res
                if urc != 0 and orc != 0:
                    both_reject += 1
                elif urc != 0 or orc != 0:
                    mismatch_reject += 1
                    print(f"REJECT-MISMATCH {src} {pretty} upstream={urc} ours={orc}")
                elif ub == ob:
                    same += 1
                else:
                    differ += 1
                    print(f"DIFF {src} {pretty}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"fmt: {len(files)} files x 2 modes: identical={same} differ={differ} "
          f"both-rejected={both_reject} reject-mismatch={mismatch_reject}")
    return differ == 0 and mismatch_reject == 0


def run_tests(binary, manifest, module_root, upstream):
    work = tempfile.mkdtemp(prefix="tcmp_")
    # Upstream prints its report by default (its --json is a tool envelope) and stops at the
    # first failure unless told not to; ours needs --json for the report.
    mode = ["--no-fail-fast"] if upstream else ["--json"]
    try:
        p = subprocess.run([os.path.join(binary, "x07"), "test", "--manifest", manifest,
                            "--module-root", module_root, "--allow-empty"] + mode, cwd=work, capture_output=True,
                           timeout=3600)
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            print(f"{binary}: no JSON report (exit {p.returncode}): {p.stderr.decode()[-400:]}")
            return {}
        return {t["id"]: t["status"] for t in doc.get("tests", [])}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_compare(args):
    manifest = os.path.join(args.upstream, "tests", "tests.json")
    root = os.path.join(args.upstream, "tests")
    up = run_tests(args.upstream_bin, manifest, root, True)
    ours = run_tests(args.ours, manifest, root, False)
    agree = disagree = 0
    for tid in sorted(up):
        u, o = up[tid], ours.get(tid, "missing")
        if u == o:
            agree += 1
        else:
            disagree += 1
            print(f"VERDICT {tid}: upstream={u} ours={o}")
    print(f"test: {len(up)} upstream verdicts: same={agree} different={disagree}")
    return disagree == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True, help="upstream x07 checkout")
    ap.add_argument("--upstream-bin", required=True, help="dir with upstream's x07 and x07-os-runner")
    ap.add_argument("--ours", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
    ap.add_argument("--fmt-dirs", nargs="*", default=["docs/examples", "tests", "stdlib/std"])
    ap.add_argument("--skip-tests", action="store_true")
    args = ap.parse_args()
    args.ours = os.path.abspath(args.ours)
    ok = fmt_compare(args)
    if not args.skip_tests:
        ok = test_compare(args) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
