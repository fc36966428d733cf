#!/usr/bin/env python3
"""Generated-code speed: x07 kernels compiled by x07-os-runner vs the same
algorithms hand-written in C -O2, both measured in this run on the same input.

Each x07 program is built once with `x07-os-runner --program ... --compiled-out`
(fuel and arena raised so the budget never trips), then the executable and the C
baseline are run directly with the framed input; the ratio is best-of-N wall time
(lower is better, target <= 1.3x).
Usage: bench/bench_compiler.py [--bin-dir DIR] [--quick]
"""
import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
INPUT_LEN = 16 * 1024 * 1024


def entry(solve, decls=()):
    return json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
                       "imports": [], "decls": list(decls), "solve": solve})


# name -> (x07 program, C body computing `out`/`out_len` from `in`/`n`)
KERNELS = {
    "hash_bytes": (
        entry(["begin", ["let", "h", 0],
               ["for", "r", 0, 8, ["for", "i", 0, ["view.len", "input"],
                                   ["set", "h", ["+", ["*", "h", 31], ["view.get_u8", "input", "i"]]]]],
               ["codec.write_u32_le", "h"]]),
        "uint32_t h = 0; for (int r = 0; r < 8; r++) for (uint32_t i = 0; i < n; i++) h = h * 31 + in[i];"
        " out = malloc(4); memcpy(out, &h, 4); out_len = 4;"),
    "sum_bytes": (
        entry(["begin", ["let", "s", 0],
               ["for", "r", 0, 8, ["for", "i", 0, ["view.len", "input"],
                                   ["set", "s", ["+", "s", ["view.get_u8", "input", "i"]]]]],
               ["codec.write_u32_le", "s"]]),
        "uint32_t s = 0; for (int r = 0; r < 8; r++) for (uint32_t i = 0; i < n; i++) s += in[i];"
        " out = malloc(4); memcpy(out, &s, 4); out_len = 4;"),
    "vec_push_filter": (
        entry(["begin", ["let", "v", ["vec_u8.with_capacity", 0]],
               ["for", "r", 0, 4, ["for", "i", 0, ["view.len", "input"],
                                   ["if", ["<u", ["view.get_u8", "input", "i"], 128],
                                    ["set", "v", ["vec_u8.push", "v", ["^", ["view.get_u8", "input", "i"], "r"]]], 0]]],
               ["vec_u8.into_bytes", "v"]]),
        "size_t cap = 0; out_len = 0; out = 0;"
        " for (int r = 0; r < 4; r++) for (uint32_t i = 0; i < n; i++) if (in[i] < 128) {"
        " if (out_len == cap) { size_t nc = cap ? cap * 2 : 1; uint8_t *p = calloc(nc, 1);"
        " if (out_len) memcpy(p, out, out_len); free(out); out = p; cap = nc; } out[out_len++] = in[i] ^ r; }"),
    "reverse_set_u8": (
        entry(["begin", ["let", "n", ["view.len", "input"]], ["let", "b", ["bytes.alloc", "n"]],
               ["for", "r", 0, 4, ["for", "i", 0, "n",
                                   ["set", "b", ["bytes.set_u8", "b", "i",
                                                 ["+", ["view.get_u8", "input", ["-", ["-", "n", 1], "i"]], "r"]]]]],
               "b"]),
        "out = calloc(n ? n : 1, 1); out_len = n;"
        " for (int r = 0; r < 4; r++) for (uint32_t i = 0; i < n; i++) out[i] = in[n - 1 - i] + r;"),
    "calls_fib": (
        entry(["codec.write_u32_le", ["main.fib", ["+", 30, ["view.len", ["view.slice", "input", 0, 0]]]]],
              [{"kind": "defn", "name": "main.fib", "params": [{"name": "k", "ty": "i32"}], "result": "i32",
                "body": ["if", ["<u", "k", 2], "k", ["+", ["main.fib", ["-", "k", 1]], ["main.fib", ["-", "k", 2]]]]}]),
        "uint32_t fib(uint32_t k);"
        " uint32_t v = fib(30); out = malloc(4); memcpy(out, &v, 4); out_len = 4;"),
}

C_TEMPLATE = r"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((noinline)) uint32_t fib(uint32_t k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }
static int rd(uint8_t *p, size_t n) { while (n) { ssize_t r = read(0, p, n); if (r <= 0) return 0; p += r; n -= r; } return 1; }
int main(void) {
  uint8_t hdr[4]; if (!rd(hdr, 4)) return 2;
  uint32_t n; memcpy(&n, hdr, 4);
  uint8_t *in = malloc(n ? n : 1); if (!rd(in, n)) return 2;
  uint8_t *out; size_t out_len;
  { BODY }
  uint32_t len = (uint32_t)out_len; write(1, &len, 4);
  for (size_t o = 0; o < out_len;) { ssize_t w = write(1, out + o, out_len - o); if (w <= 0) return 2; o += w; }
  return 0;
}
"""


def run_timed(exe, framed_path):
    with open(framed_path, "rb") as f:
        t = time.perf_counter()
        p = subprocess.run([exe], stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit("%s failed (exit %d): %s" % (exe, p.returncode, p.stderr[-300:]))
    return dt, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.environ.get("X07_BIN_DIR", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    runner = os.path.join(args.bin_dir, "x07-os-runner")
    if not os.path.exists(runner):
        sys.exit("x07-os-runner not found in %s (pass --bin-dir)" % args.bin_dir)
    reps = 3 if args.quick else 7
    tmp = tempfile.mkdtemp(prefix="x07bench_")
    try:
        rnd = random.Random(7)
        data = bytes(rnd.getrandbits(8) for _ in range(INPUT_LEN))
        inp = os.path.join(tmp, "input")
        framed = os.path.join(tmp, "framed")
        with open(inp, "wb") as f:
            f.write(data)
        with open(framed, "wb") as f:
            f.write(struct.pack("<I", len(data)) + data)
        env = dict(os.environ, X07_NATIVE_CACHE_DIR=os.path.join(tmp, "cache"))
        print("%-18s %10s %10s %8s %8s" % ("kernel", "x07 (ms)", "C (ms)", "ratio", "target"))
        worst = 0.0
        for name, (prog, body) in KERNELS.items():
            src = os.path.join(tmp, name + ".x07.json")
            with open(src, "w") as f:
                f.write(prog)
            exe = os.path.join(tmp, name + ".x07.exe")
            p = subprocess.run([runner, "--program", src, "--input", inp, "--solve-fuel", str(10 ** 15),
                                "--max-memory-bytes", str(1 << 30), "--max-output-bytes", str(1 << 28),
                                "--compiled-out", exe], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            rep = json.loads(p.stdout)
            if not rep["compile"]["ok"] or not rep["solve"]["ok"]:
                sys.exit("%s: x07 build/run failed: %s / %s" % (name, rep["compile"]["compile_error"], rep["solve"]["trap"]))
            csrc = os.path.join(tmp, name + ".c")
            with open(csrc, "w") as f:
                f.write(C_TEMPLATE.replace("BODY", body))
            cexe = os.path.join(tmp, name + ".c.exe")
            subprocess.run(["cc", "-O2", csrc, "-o", cexe], check=True)
            tx, ox = min((run_timed(exe, framed) for _ in range(reps)), key=lambda r: r[0])
            tc, oc = min((run_timed(cexe, framed) for _ in range(reps)), key=lambda r: r[0])
            if ox != oc:
                sys.exit("%s: x07 and C outputs differ" % name)
            ratio = tx / tc
            worst = max(worst, ratio)
            print("%-18s %10.1f %10.1f %7.2fx %7.1fx%s" % (name, tx * 1000, tc * 1000, ratio, 1.3,
                                                         "  (over target)" if ratio > 1.3 else ""))
        print("worst ratio %.2fx" % worst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
