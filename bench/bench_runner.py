#!/usr/bin/env python3
"""x07-os-runner / x07 speed and memory against baselines measured in the same run.

Ratios (lower is better, medians of interleaved runs) with the targets of issue 13:
  warm       `x07-os-runner --program hello`, cache hit     vs a bare exec of the C hello   (<= 2.5x)
  warm-x07   `x07 run --program hello`, cache hit           vs a bare exec of the C hello   (<= 3x)
  cold       compile+run of a program new to the cache      vs `gcc -O2 hello.c && ./a.out` (<= 1.3x)
  first      the same on an empty cache (runtime library
             not yet in the cache)                          vs `gcc -O2 hello.c && ./a.out` (<= 1.5x)
  compute    a compute-bound program (warm runner)          vs the same loop in C -O2       (<= 1.2x)
Wall-clock ratios are printed next to CPU-time ratios (user+sys of the child processes):
on a loaded machine wall time mostly measures the scheduler, CPU time the work.

Memory: copying 64 MiB stdin->stdout, the runner's peak RSS (VmHWM) vs 1.5x data + 32 MiB.
Cache: 200 fast compiles with a small cap (size at the end vs the cap), then 32 concurrent runs
(failures must be 0).
With --upstream-bin-dir (upstream's own build, see ../shared/tools/upstream-peer/) it also prints
our time over upstream's for warm, cold and compute.

Usage: bench/bench_runner.py [--bin-dir DIR] [--upstream-bin-dir DIR] [--quick]
"""
import argparse
import base64
import concurrent.futures
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

LCG_ITERS = 300_000_000
COPY_BYTES = 64 * 1024 * 1024


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


def run(argv, env=None, cwd=None, check=True):
    """Runs argv; returns (wall seconds, cpu seconds of the process tree, CompletedProcess)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       cwd=cwd)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and p.returncode != 0:
        sys.exit("command failed (%d): %s\n%s" % (p.returncode, " ".join(argv), p.stderr.decode(errors="replace")))
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, p


def interleaved(reps, cases):
    """cases: name -> fn returning (wall, cpu). Runs them round-robin; returns name -> (median wall, median cpu)."""
    walls = {k: [] for k in cases}
    cpus = {k: [] for k in cases}
    for _ in range(reps):
        for k, fn in cases.items():
            w, c = fn()
            walls[k].append(w)
            cpus[k].append(c)
    return {k: (statistics.median(walls[k]), statistics.median(cpus[k])) for k in cases}


def peak_rss_kib(argv, env, stdin_path=None):
    """Runs argv, polling its VmHWM (the process's own peak, not its children's); returns (KiB, rc)."""
    with open(stdin_path or os.devnull, "rb") as fin, open(os.devnull, "wb") as fout:
        p = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL, env=env)
        peak = 0
        while p.poll() is None:
            try:
                with open("/proc/%d/status" % p.pid) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.002)
        return peak, p.returncode


def dir_bytes(d):
    total = 0
    for root, _, files in os.walk(d):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.environ.get("X07_BIN_DIR", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--upstream-bin-dir", default=os.environ.get("X07_UPSTREAM_BIN_DIR"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    runner = os.path.join(args.bin_dir, "x07-os-runner")
    facade = os.path.join(args.bin_dir, "x07")
    if not os.access(runner, os.X_OK):
        sys.exit("x07-os-runner not found in %s (pass --bin-dir)" % args.bin_dir)
    up_runner = os.path.join(args.upstream_bin_dir, "x07-os-runner") if args.upstream_bin_dir else None
    if up_runner and not os.access(up_runner, os.X_OK):
        sys.exit("upstream x07-os-runner not found in %s" % args.upstream_bin_dir)
    reps = 7 if args.quick else 21

    work = tempfile.mkdtemp(prefix="x07bench_")
    env = dict(os.environ, X07_NATIVE_CACHE_DIR=os.path.join(work, "cache"))
    rows = []  # (name, ours, base, target or None, unit)
    notes = []
    try:
        def path(name):
            return os.path.join(work, name)

        with open(path("hello.x07.json"), "w") as f:
            f.write(entry(["bytes.lit", "hello"]))
        with open(path("hello.c"), "w") as f:
            f.write(HELLO_C)
        subprocess.run(["gcc", "-O2", "-o", path("hello_c"), path("hello.c")], check=True)
        hello = path("hello.x07.json")

        # First run on an empty cache (what a new user sees), then cold compiles.
        counter = [0]

        def fresh_program():
            counter[0] += 1
            src = path("cold%d.x07.json" % counter[0])
            with open(src, "w") as f:
                f.write(entry(["bytes.lit", "hello %d" % counter[0]]))
            return src

        def first_x07():
            e = dict(env, X07_NATIVE_CACHE_DIR=path("empty%d" % counter[0]))
            w, c, _ = run([runner, "--program", fresh_program()], env=e)
            shutil.rmtree(e["X07_NATIVE_CACHE_DIR"], ignore_errors=True)
            return w, c

        def cold_x07():
            w, c, _ = run([runner, "--program", fresh_program()], env=env)
            return w, c

        def cold_c():
            counter[0] += 1
            src = path("cold%d.c" % counter[0])
            with open(src, "w") as f:
                f.write(HELLO_C.replace("hello", "hello %d" % counter[0]))
            w1, c1, _ = run(["gcc", "-O2", "-o", path("a.out"), src])
            w2, c2, _ = run([path("a.out")])
            return w1 + w2, c1 + c2

        up_env = dict(env)
        up_cwd = path("upstream_cwd")  # no stdlib/ folder here (upstream-peer README)
        os.makedirs(up_cwd)

        def cold_up():
            w, c, _ = run([up_runner, "--program", fresh_program(), "--world", "run-os"], env=up_env, cwd=up_cwd)
            return w, c

        first = interleaved(3 if args.quick else 5, {"first": first_x07, "c": cold_c})
        run([runner, "--program", hello], env=env)  # runtime library + hello now cached
        cold_cases = {"cold": cold_x07, "c": cold_c}
        if up_runner:
            run([up_runner, "--program", hello, "--world", "run-os"], env=up_env, cwd=up_cwd)
            cold_cases["upstream"] = cold_up
        cold = interleaved(reps // 2 + 1, cold_cases)

        warm_cases = {
            "runner": lambda: run([runner, "--program", hello], env=env)[:2],
            "x07": lambda: run([facade, "run", "--program", hello], env=env)[:2],
            "bare": lambda: run([path("hello_c")])[:2],
        }
        if up_runner:
            warm_cases["upstream"] = lambda: run([up_runner, "--program", hello, "--world", "run-os"], env=up_env,
                                                 cwd=up_cwd)[:2]
        warm = interleaved(reps * 3, warm_cases)

        # Compute-bound: the same LCG loop in x07 (warm runner, fuel effectively unlimited) and C -O2.
        with open(path("lcg.x07.json"), "w") as f:
            f.write(lcg_program(LCG_ITERS))
        with open(path("lcg.c"), "w") as f:
            f.write(LCG_C % LCG_ITERS)
        subprocess.run(["gcc", "-O2", "-o", path("lcg_c"), path("lcg.c")], check=True)
        lcg_args = [runner, "--program", path("lcg.x07.json"), "--solve-fuel", str(10 ** 15)]
        _, _, p = run(lcg_args, env=env)
        rep = json.loads(p.stdout)
        if rep["exit_code"] != 0:
            sys.exit("compute program failed: %s" % json.dumps(rep["solve"] or rep["compile"])[:2000])
        _, _, pc = run([path("lcg_c")])
        if base64.b64decode(rep["solve"]["solve_output_b64"]) != pc.stdout:
            sys.exit("compute outputs differ")
        comp_cases = {"x07": lambda: run(lcg_args, env=env)[:2], "c": lambda: run([path("lcg_c")])[:2]}
        if up_runner:
            up_lcg = [up_runner, "--program", path("lcg.x07.json"), "--world", "run-os", "--solve-fuel", str(10 ** 15)]
            run(up_lcg, env=up_env, cwd=up_cwd)
            comp_cases["upstream"] = lambda: run(up_lcg, env=up_env, cwd=up_cwd)[:2]
        comp = interleaved(3 if args.quick else 5, comp_cases)

        rows += [
            ("warm", warm["runner"], warm["bare"], 2.5),
            ("warm-x07", warm["x07"], warm["bare"], 3.0),
            ("cold", cold["cold"], cold["c"], 1.3),
            ("first", first["first"], first["c"], 1.5),
            ("compute", comp["x07"], comp["c"], 1.2),
        ]
        if up_runner:
            rows += [
                ("warm/upstream", warm["runner"], warm["upstream"], None),
                ("cold/upstream", cold["cold"], cold["upstream"], None),
                ("compute/upstream", comp["x07"], comp["upstream"], None),
            ]

        # Memory: copy 64 MiB stdin -> stdout through the runner.
        with open(path("copy.x07.json"), "w") as f:
            f.write(entry(["view.to_bytes", "input"]))
        with open(path("data.bin"), "wb") as f:
            f.write(os.urandom(COPY_BYTES))
        copy_args = [runner, "--program", path("copy.x07.json"), "--input", path("data.bin"),
                     "--max-output-bytes", str(COPY_BYTES), "--max-memory-bytes", str(4 * COPY_BYTES)]
        run(copy_args, env=env)  # compile
        rss_kib, rc = peak_rss_kib(copy_args, env)
        if rc != 0:
            sys.exit("copy program failed (exit %d)" % rc)
        rss_limit_kib = (COPY_BYTES * 3 // 2 + 32 * 1024 * 1024) // 1024

        # Cache cap under fast use: 200 compiles with a small cap (threads: several runners at once).
        cap_env = dict(env, X07_NATIVE_CACHE_DIR=path("capcache"))
        run([runner, "--program", hello], env=cap_env)
        entry_size = os.path.getsize(json.loads(run([runner, "--program", hello], env=cap_env)[2].stdout)
                                     ["compile"]["compiled_exe"])
        rt_bytes = dir_bytes(os.path.join(path("capcache"), "rt"))
        cap = rt_bytes + 8 * entry_size
        cap_env["X07_NATIVE_CACHE_MAX_BYTES"] = str(cap)
        n_fast = 60 if args.quick else 200
        progs = [fresh_program() for _ in range(n_fast)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda s: run([runner, "--program", s], env=cap_env, check=False), progs))
        cache_bytes = dir_bytes(path("capcache"))

        # 32 concurrent runs (a mix of hits and misses) on that small cache.
        mix = [hello if i % 2 else fresh_program() for i in range(32)]
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            outs = list(pool.map(lambda s: run([runner, "--program", s], env=cap_env, check=False)[2], mix))
        failures = sum(1 for p in outs if p.returncode != 0)
        for p in outs:
            if p.returncode != 0:  # say why, so a failure can be chased
                print("concurrent run failed (exit %d): %s %s" % (p.returncode, p.stderr.decode(errors="replace")[-400:],
                                                                  p.stdout.decode(errors="replace")[:400]))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("%-17s %10s %10s %8s %10s %10s %8s %8s" % ("case", "ours ms", "base ms", "wall", "ours cpu", "base cpu",
                                                      "cpu", "target"))
    failed = False
    for name, (aw, ac), (bw, bc), target in rows:
        ratio = aw / bw
        over = target is not None and ratio > target
        failed |= over
        print("%-17s %10.2f %10.2f %7.2fx %10.2f %10.2f %7.2fx %8s%s" % (
            name, aw * 1000, bw * 1000, ratio, ac * 1000, bc * 1000, ac / bc if bc else float("nan"),
            ("%.1fx" % target) if target else "-", "  (over target)" if over else ""))
    print("copy 64 MiB: runner peak RSS %.1f MiB (limit %.1f MiB)%s" % (
        rss_kib / 1024, rss_limit_kib / 1024, "  (over)" if rss_kib > rss_limit_kib else ""))
    print("cache after %d fast compiles: %d bytes, cap %d, one entry %d bytes: %+.2f entries%s" % (
        n_fast, cache_bytes, cap, entry_size, (cache_bytes - cap) / entry_size,
        "  (over)" if cache_bytes > cap + entry_size else ""))
    print("32 concurrent runs: %d failures" % failures)
    failed |= rss_kib > rss_limit_kib or cache_bytes > cap + entry_size or failures > 0
    for n in notes:
        print(n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
