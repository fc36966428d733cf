#!/usr/bin/env python3
"""Speed of the authoring loop against baselines measured in the same run (medians).

  check      `x07 check` of examples/hello (warm)       vs  spawning a bare C hello   (target: <= 10 ms)
  check/N    `x07 check` of a project with N functions   (how cost grows with size: the exponent)
  fmt        `x07 fmt --check` of a 1 MB x07AST file     vs  `python3 -c pass` (reference only)

Usage: bench/bench_authoring.py [--bin-dir DIR] [--runs N]
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
HELLO_C = '#include <stdio.h>\nint main(void) { fputs("hello", stdout); return 0; }\n'


def median_time(argv, runs, cwd=None, ok_codes=(0,)):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
        times.append(time.perf_counter() - t0)
        if p.returncode not in ok_codes:
            sys.exit(f"{argv} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return statistics.median(times)


def project_with_functions(root, n):
    os.makedirs(os.path.join(root, "src"))
    shutil.copy(os.path.join(REPO, "examples", "hello", "x07.json"), root)
    decls = [{"kind": "export", "names": ["app.solve"]}]
    for i in range(n):
        decls.append({"kind": "defn", "name": f"app.f{i}", "params": [{"name": "x", "ty": "i32"}], "result": "i32",
                      "body": ["begin", ["let", "y", ["+", "x", i]], ["if", ["<", "y", 10], ["*", "y", 2], ["-", "y", 1]]]})
    decls.append({"kind": "defn", "name": "app.solve", "params": [{"name": "b", "ty": "bytes_view"}], "result": "bytes",
                  "body": ["view.to_bytes", "b"]})
    with open(os.path.join(root, "src", "app.x07.json"), "w") as f:
        json.dump({"schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "app", "imports": [],
                   "decls": decls}, f)
    with open(os.path.join(root, "src", "main.x07.json"), "w") as f:
        json.dump({"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": ["app"],
                   "decls": [], "solve": ["app.solve", "input"]}, f)
    entry = json.load(open(os.path.join(root, "x07.json")))
    return entry


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    x07 = os.path.join(args.bin_dir, "x07")
    tmp = tempfile.mkdtemp(prefix="bench_auth_")
    try:
        with open(os.path.join(tmp, "hello.c"), "w") as f:
            f.write(HELLO_C)
        subprocess.run(["cc", "-O2", "-o", os.path.join(tmp, "hello"), os.path.join(tmp, "hello.c")], check=True)
        bare = median_time([os.path.join(tmp, "hello")], args.runs)
        hello = os.path.join(REPO, "examples", "hello")
        median_time([x07, "check"], 3, cwd=hello)  # warm the page cache
        check = median_time([x07, "check"], args.runs, cwd=hello)
        print(f"bare exec of C hello      {bare * 1e3:8.2f} ms")
        print(f"x07 check examples/hello  {check * 1e3:8.2f} ms   ratio {check / bare:5.1f}x   "
              f"(target <= 10 ms: {'ok' if check <= 0.010 else 'MISSED'})")

        sizes = [100, 1000, 4000]
        times = []
        for n in sizes:
            root = os.path.join(tmp, f"p{n}")
            project_with_functions(root, n)
            t = median_time([x07, "check"], max(3, args.runs // 3), cwd=root)
            times.append(t)
            print(f"x07 check, {n:5d} functions {t * 1e3:8.2f} ms")
        k = math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])
        print(f"check cost growth exponent {sizes[0]}->{sizes[-1]} functions: {k:.2f} (1.0 = linear)")

        big = os.path.join(tmp, "p4000", "src", "app.x07.json")
        subprocess.run([x07, "fmt", "--write", big], check=True)
        size_mb = os.path.getsize(big) / 1e6
        fmt = median_time([x07, "fmt", "--check", big], max(3, args.runs // 3))
        py = median_time([sys.executable, "-c", "pass"], max(3, args.runs // 3))
        print(f"x07 fmt --check {size_mb:.1f} MB  {fmt * 1e3:8.2f} ms   ratio to `python3 -c pass` {fmt / py:5.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
