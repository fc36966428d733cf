#!/usr/bin/env python3
"""x07-os-runner speed against C baselines measured in the same run.

Prints three ratios (lower is better) with their targets:
  warm     `x07-os-runner --program hello` with a cache hit  vs  spawning a bare C hello   (target <= 5x)
  cold     compile+run of a program not yet in the cache    vs  `gcc -O2 hello.c && ./a.out` (target <= 1.5x)
  compute  a compute-bound x07 program (warm runner)        vs  the same algorithm in C -O2 (target <= 1.3x)

Usage: bench/bench_runner.py [--bin-dir DIR] [--quick]
The runtime library is built once up front (first use of a C toolchain), as it is
for any user; the cold numbers measure per-program compiles after that.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

LCG_ITERS = 300_000_000


def entry(solve):
    return json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
                       "imports": [], "decls": [], "solve": solve})


def lcg_program(iters):
    body = ["begin",
            ["set", "x", ["+", ["*", "x", 1103515245], 12345]],
            ["set", "acc", ["^", "acc", [">>u", "x", 16]]]]
    return entry(["begin", ["let", "x", 1], ["let", "acc", 0], ["for", "i", 0, iters, body],
                  ["codec.write_u32_le", "acc"]])


LCG_C = r"""
#include <stdint.h>
#include <stdio.h>
int main(void) {
  uint32_t x = 1, acc = 0;
  for (uint32_t i = 0; i < %dU; i++) { x = x * 1103515245u + 12345u; acc ^= x >> 16; }
  fwrite(&acc, 4, 1, stdout);
  return 0;
}
"""

HELLO_C = '#include <stdio.h>\nint main(void) { fputs("hello", stdout); return 0; }\n'


def timed(argv, env=None, cwd=None, check=True):
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    dt = time.perf_counter() - t0
    if check and p.returncode != 0:
        sys.exit("command failed (%d): %s\n%s" % (p.returncode, " ".join(argv), p.stderr.decode(errors="replace")))
    return dt, p


def best_of(n, fn):
    return min(fn() for _ in range(n))


def median_of(n, fn):
    return statistics.median(fn() for _ in range(n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.environ.get("X07_BIN_DIR", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    runner = os.path.join(args.bin_dir, "x07-os-runner")
    if not os.access(runner, os.X_OK):
        sys.exit("x07-os-runner not found in %s (pass --bin-dir)" % args.bin_dir)
    reps = 5 if args.quick else 20

    work = tempfile.mkdtemp(prefix="x07bench_")
    env = dict(os.environ, X07_NATIVE_CACHE_DIR=os.path.join(work, "cache"))
    try:
        def path(name):
            return os.path.join(work, name)

        with open(path("hello.x07.json"), "w") as f:
            f.write(entry(["bytes.lit", "hello"]))
        with open(path("hello.c"), "w") as f:
            f.write(HELLO_C)
        subprocess.run(["gcc", "-O2", "-o", path("hello_c"), path("hello.c")], check=True)

        # Runtime library + first compile (one-time per toolchain), then warm runs.
        _, p = timed([runner, "--program", path("hello.x07.json")], env=env)
        rep = json.loads(p.stdout)
        assert rep["exit_code"] == 0, rep

        warm = median_of(reps * 5, lambda: timed([runner, "--program", path("hello.x07.json")], env=env)[0])
        bare = median_of(reps * 5, lambda: timed([path("hello_c")])[0])

        # Cold: every iteration a program the cache has not seen.
        counter = [0]

        def cold_x07():
            counter[0] += 1
            src = path("cold%d.x07.json" % counter[0])
            with open(src, "w") as f:
                f.write(entry(["bytes.lit", "hello %d" % counter[0]]))
            return timed([runner, "--program", src], env=env)[0]

        def cold_c():
            counter[0] += 1
            src = path("cold%d.c" % counter[0])
            with open(src, "w") as f:
                f.write(HELLO_C.replace("hello", "hello %d" % counter[0]))
            t0 = time.perf_counter()
            subprocess.run(["gcc", "-O2", "-o", path("a.out"), src], check=True)
            subprocess.run([path("a.out")], stdout=subprocess.DEVNULL, check=True)
            return time.perf_counter() - t0

        cold = median_of(reps, cold_x07)
        cold_base = median_of(reps, cold_c)

        # Compute-bound: same LCG loop in x07 (warm runner, fuel effectively unlimited) and C -O2.
        with open(path("lcg.x07.json"), "w") as f:
            f.write(lcg_program(LCG_ITERS))
        with open(path("lcg.c"), "w") as f:
            f.write(LCG_C % LCG_ITERS)
        subprocess.run(["gcc", "-O2", "-o", path("lcg_c"), path("lcg.c")], check=True)
        lcg_args = [runner, "--program", path("lcg.x07.json"), "--solve-fuel", str(10 ** 15)]
        _, p = timed(lcg_args, env=env)
        rep = json.loads(p.stdout)
        if rep["exit_code"] != 0:
            sys.exit("compute program failed: %s" % json.dumps(rep["solve"] or rep["compile"])[:2000])
        out_x07 = rep["solve"]["solve_output_b64"]
        _, pc = timed([path("lcg_c")])
        import base64
        if base64.b64decode(out_x07) != pc.stdout:
            sys.exit("compute outputs differ: x07 %r vs C %r" % (base64.b64decode(out_x07), pc.stdout))
        n = 3 if args.quick else 5
        comp = best_of(n, lambda: timed(lcg_args, env=env)[0])
        comp_base = best_of(n, lambda: timed([path("lcg_c")])[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = [
        ("warm", warm, bare, 5.0),
        ("cold", cold, cold_base, 1.5),
        ("compute", comp, comp_base, 1.3),
    ]
    print("%-8s %12s %12s %8s %8s" % ("case", "x07 (ms)", "C (ms)", "ratio", "target"))
    failed = False
    for name, a, b, target in rows:
        ratio = a / b
        failed |= ratio > target
        print("%-8s %12.2f %12.2f %7.2fx %7.1fx%s" % (name, a * 1000, b * 1000, ratio, target,
                                                      "" if ratio <= target else "  (over target)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
