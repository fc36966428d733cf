#!/usr/bin/env python3
"""Cold compile+run time of generated programs as they grow (issue 13: linear compile time).

Two families, each compiled and run cold (a fresh cache entry every time) by x07-os-runner:
  statements  one function body of N statements (`set x (+ (* x 31) i)`), N = 1k, 3k, 10k
  depth       D nested `if`s, each holding 40 statements and the next level, D = 100, 250, 500
              (each level takes two JSON levels; program files may nest to 1,024 here, while
              upstream's serde_json stops at 127, about 60 levels)
For each family it prints the wall and CPU times (the runner plus the C compiler it
runs: on a loaded machine CPU time is the steadier figure), the fitted growth exponent (log-log slope between the
smallest and largest size; 1.0 = linear) and, for statements, whether 10k stays within 5 s.
The front end's share is timed with X07_MAX_C_BYTES=1 (the front end runs, then the C
size limit stops the build before the C compiler).

Usage: bench/bench_compile_time.py [--bin-dir DIR] [--quick]
"""
import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.setrecursionlimit(20000)  # json.dumps recurses per nesting level of the deep family

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


# The generated code lives in module `gen` (entry files are capped at 64 KiB); the entry calls gen.f.
ENTRY = json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": ["gen"],
                    "decls": [], "solve": ["codec.write_u32_le", ["gen.f", ["view.len", "input"]]]})


def module(body):
    return json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "gen", "imports": [],
                       "decls": [{"kind": "export", "names": ["gen.f"]},
                                 {"kind": "defn", "name": "gen.f", "params": [{"name": "n", "ty": "i32"}],
                                  "result": "i32", "body": body}]})


def long_body(n):
    body = ["begin", ["let", "x", "n"]]
    for i in range(n):
        body.append(["set", "x", ["+", ["*", "x", 31], i]])
    body.append("x")
    return module(body)


def deep(d):
    e = "x"
    for i in reversed(range(d)):
        stmts = [["set", "x", ["+", ["*", "x", 31], i * 40 + k]] for k in range(40)]
        e = ["begin"] + stmts + [["if", ["=", "n", i + 7], "x", e]]
    return module(["begin", ["let", "x", "n"], e])


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argv, env, expect_ok=True):
    t = time.perf_counter()
    c = children_cpu()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    dt = time.perf_counter() - t
    timed.cpu = children_cpu() - c
    try:
        rep = json.loads(p.stdout)
    except ValueError:
        sys.exit("no report: %s" % p.stderr.decode(errors="replace")[-500:])
    if expect_ok and not rep["compile"]["ok"]:
        sys.exit("compile failed: %s" % (rep["compile"]["compile_error"] or "")[:500])
    return dt, rep


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.environ.get("X07_BIN_DIR", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    args = ap.parse_args()
    runner = os.path.join(args.bin_dir, "x07-os-runner")
    if not os.access(runner, os.X_OK):
        sys.exit("x07-os-runner not found in %s (pass --bin-dir)" % args.bin_dir)
    families = [("statements", long_body, [300, 1000, 3000] if args.quick else [1000, 3000, 10000]),
                ("depth", deep, [25, 50, 100] if args.quick else [100, 250, 500])]
    tmp = tempfile.mkdtemp(prefix="x07bench_")
    failed = False
    try:
        env = dict(os.environ, X07_NATIVE_CACHE_DIR=os.path.join(tmp, "cache"))
        fe_env = dict(env, X07_MAX_C_BYTES="1")
        salt = 0
        print("load average %.1f" % os.getloadavg()[0])
        print("%-11s %7s %10s %10s %10s %12s" % ("family", "size", "total s", "cpu s", "front s", "C bytes"))
        for name, gen, sizes in families:
            times, cpus = [], []
            for n in sizes:
                salt += 1
                d = os.path.join(tmp, "%s_%d_%d" % (name, n, salt))
                os.makedirs(d)
                src = os.path.join(d, "main.x07.json")
                with open(src, "w") as f:
                    f.write(ENTRY)
                with open(os.path.join(d, "gen.x07.json"), "w") as f:
                    f.write(gen(n))
                argv = [runner, "--program", src, "--module-root", d]
                fe, _ = timed(argv, fe_env, expect_ok=False)
                t, rep = timed(argv + ["--solve-fuel", str(10 ** 12)], env)
                if not rep["solve"]["ok"]:
                    sys.exit("%s %d: run failed: %s" % (name, n, rep["solve"]["trap"]))
                times.append(t)
                cpus.append(timed.cpu)
                print("%-11s %7d %10.2f %10.2f %10.2f %12d" % (name, n, t, timed.cpu, fe, rep["compile"]["c_source_size"]))
            k = math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])
            kc = math.log(cpus[-1] / cpus[0]) / math.log(sizes[-1] / sizes[0])
            verdict = "" if k <= 1.2 else "  (superlinear)"
            print("%-11s exponent %.2f wall, %.2f cpu (target ~1)%s" % (name, k, kc, verdict))
            failed |= k > 1.2
            if name == "statements" and not args.quick:
                ok = times[-1] <= 5.0
                print("statements  10k cold compile+run %.2f s wall, %.2f s cpu (target <= 5 s)%s"
                      % (times[-1], cpus[-1], "" if ok else "  (over)"))
                failed |= not ok
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
