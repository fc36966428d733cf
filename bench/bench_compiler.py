#!/usr/bin/env python3
"""Generated-code speed: x07 kernels compiled by x07-os-runner vs the same
algorithms hand-written in C -O2, both measured in this run on the same input.

Each x07 program is built once with `x07-os-runner --program ... --compiled-out`
(fuel and arena raised so the budget never trips), then the executable and the C
baseline are run directly with the framed input, N times interleaved (x07, C, x07, C, ...).
Printed: the median wall and CPU time of each and the median of the N pairwise ratios
(x07 / C of the same round; CPU being steadier on a loaded machine). Lower is better,
target <= 1.2x; a kernel is over target when both its wall and CPU ratios are.
Usage: bench/bench_compiler.py [--bin-dir DIR] [--quick] [KERNEL...]
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


HEAP_N = 1 << 20  # heapsort sorts the first HEAP_N input bytes


# The sift-down step of heapsort on bytes `a` over [root, end), as x07 (a loop with a `done` flag).
SIFT = [["let", "done", 0],
        ["while", ["=", "done", 0],
         ["begin", ["let", "child", ["+", ["*", "root", 2], 1]],
          ["if", ["<u", "child", "end"],
           ["begin",
            ["if", ["<u", ["+", "child", 1], "end"],
             ["if", ["<u", ["bytes.get_u8", "a", "child"], ["bytes.get_u8", "a", ["+", "child", 1]]],
              ["set", "child", ["+", "child", 1]], 0], 0],
            ["if", ["<u", ["bytes.get_u8", "a", "root"], ["bytes.get_u8", "a", "child"]],
             ["begin", ["let", "tt", ["bytes.get_u8", "a", "root"]], ["let", "tc", ["bytes.get_u8", "a", "child"]],
              ["set", "a", ["bytes.set_u8", "a", "root", "tc"]],
              ["set", "a", ["bytes.set_u8", "a", "child", "tt"]], ["set", "root", "child"], 0],
             ["set", "done", 1]]],
           ["set", "done", 1]]]],
        0]


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
        entry(["codec.write_u32_le", ["main.fib", ["+", 32, ["view.len", ["view.slice", "input", 0, 0]]]]],
              [{"kind": "defn", "name": "main.fib", "params": [{"name": "k", "ty": "i32"}], "result": "i32",
                "body": ["if", ["<u", "k", 2], "k", ["+", ["main.fib", ["-", "k", 1]], ["main.fib", ["-", "k", 2]]]]}]),
        "uint32_t fib(uint32_t k);"
        " uint32_t v = fib(32); out = malloc(4); memcpy(out, &v, 4); out_len = 4;"),
    "sieve": (
        entry(["begin", ["let", "n", ["+", 8000000, ["view.len", ["view.slice", "input", 0, 0]]]],
               ["let", "s", ["bytes.alloc", "n"]], ["let", "c", 0],
               ["for", "i", 2, "n",
                ["if", ["=", ["bytes.get_u8", "s", "i"], 0],
                 ["begin", ["set", "c", ["+", "c", 1]],
                  ["if", ["<u", "i", 2829],
                   ["begin", ["let", "j", ["*", "i", "i"]],
                    ["while", ["<u", "j", "n"],
                     ["begin", ["set", "s", ["bytes.set_u8", "s", "j", 1]], ["set", "j", ["+", "j", "i"]]]], 0], 0]],
                 0]],
               ["codec.write_u32_le", "c"]]),
        "uint32_t sn = 8000000; uint8_t *s = calloc(sn, 1); uint32_t c = 0;"
        " for (uint32_t i = 2; i < sn; i++) if (!s[i]) { c++;"
        " if (i < 2829) for (uint32_t j = i * i; j < sn; j += i) s[j] = 1; }"
        " out = malloc(4); memcpy(out, &c, 4); out_len = 4;"),
    "heapsort": (
        entry(["begin", ["let", "n", ["if", ["<u", ["view.len", "input"], HEAP_N], ["view.len", "input"], HEAP_N]],
               ["let", "a", ["view.to_bytes", ["view.slice", "input", 0, "n"]]],
               ["let", "start", ["/", "n", 2]], ["let", "end", "n"],
               ["while", ["!=", "start", 0],
                ["begin", ["set", "start", ["-", "start", 1]], ["let", "root", "start"]] + SIFT],
               ["while", ["<u", 1, "end"],
                ["begin", ["set", "end", ["-", "end", 1]],
                 ["let", "t", ["bytes.get_u8", "a", 0]], ["let", "te", ["bytes.get_u8", "a", "end"]],
                 ["set", "a", ["bytes.set_u8", "a", 0, "te"]],
                 ["set", "a", ["bytes.set_u8", "a", "end", "t"]], ["let", "root", 0]] + SIFT],
               "a"]),
        "uint32_t hn = n < HEAP_N ? n : HEAP_N; uint8_t *a = malloc(hn ? hn : 1); memcpy(a, in, hn);"
        " for (uint32_t start = hn / 2; start-- > 0;) sift(a, start, hn);"
        " for (uint32_t end = hn; end > 1;) { end--; uint8_t t = a[0]; a[0] = a[end]; a[end] = t; sift(a, 0, end); }"
        " out = a; out_len = hn;"),
    "hash_map_count": (
        entry(["begin", ["let", "m", ["map_u32.new", 2097152]], ["let", "n", ["view.len", "input"]],
               ["for", "i", 0, ["if", ["<u", "n", 2], 0, ["-", "n", 2]],
                ["begin", ["let", "k", ["|", ["view.get_u8", "input", "i"],
                                        ["|", ["<<u", ["view.get_u8", "input", ["+", "i", 1]], 8],
                                         ["<<u", ["&", ["view.get_u8", "input", ["+", "i", 2]], 15], 16]]]],
                 ["map_u32.set", "m", "k", ["+", ["map_u32.get", "m", "k", 0], 1]]]],
               ["let", "h", 0],
               ["for", "k", 0, 1048576, ["set", "h", ["+", ["*", "h", 31], ["map_u32.get", "m", "k", 0]]]],
               ["codec.write_u32_le", ["+", "h", ["map_u32.len", "m"]]]]),
        "uint32_t cap = 2097152, len = 0, h = 0; uint32_t *keys = malloc(cap * 4), *vals = malloc(cap * 4);"
        " memset(keys, 0xff, cap * 4);"
        " for (uint32_t i = 0; n >= 2 && i < n - 2; i++) {"
        " uint32_t k = in[i] | in[i + 1] << 8 | (in[i + 2] & 15u) << 16; uint32_t j = (k * 2654435769u) & (cap - 1);"
        " while (keys[j] != k && keys[j] != 0xffffffffu) j = (j + 1) & (cap - 1);"
        " if (keys[j] == k) vals[j]++; else { keys[j] = k; vals[j] = 1; len++; } }"
        " for (uint32_t k = 0; k < 1048576; k++) { uint32_t j = (k * 2654435769u) & (cap - 1);"
        " while (keys[j] != k && keys[j] != 0xffffffffu) j = (j + 1) & (cap - 1);"
        " h = h * 31 + (keys[j] == k ? vals[j] : 0); }"
        " h += len; out = malloc(4); memcpy(out, &h, 4); out_len = 4;"),
    "string_build": (
        entry(["begin", ["let", "v", ["vec_u8.with_capacity", 0]], ["let", "n", ["view.len", "input"]],
               ["for", "i", 0, ["/", "n", 4],
                ["begin",
                 ["set", "v", ["vec_u8.extend_bytes", "v",
                               ["fmt.u32_to_dec", ["codec.read_u32_le", "input", ["*", "i", 4]]]]],
                 ["set", "v", ["vec_u8.push", "v", 44]]]],
               ["vec_u8.into_bytes", "v"]]),
        "size_t cap = 0; out_len = 0; out = 0;"
        " for (uint32_t i = 0; i < n / 4; i++) { uint32_t x; memcpy(&x, in + 4 * i, 4);"
        " char d[11]; int k = 0; do { d[k++] = '0' + x % 10; x /= 10; } while (x);"
        " if (out_len + k + 1 > cap) { size_t nc = cap ? cap * 2 : 16; while (nc < out_len + k + 1) nc *= 2;"
        " out = realloc(out, nc); cap = nc; }"
        " while (k) out[out_len++] = d[--k]; out[out_len++] = ','; }"),
}

C_TEMPLATE = r"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((noinline)) uint32_t fib(uint32_t k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }
static void sift(uint8_t *a, uint32_t root, uint32_t end) {
  for (;;) {
    uint32_t child = root * 2 + 1;
    if (child >= end) return;
    if (child + 1 < end && a[child] < a[child + 1]) child++;
    if (a[root] >= a[child]) return;
    uint8_t t = a[root]; a[root] = a[child]; a[child] = t; root = child;
  }
}
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


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def run_timed(exe, framed_path):
    """(wall s, CPU s of the process, stdout)"""
    with open(framed_path, "rb") as f, tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        p = subprocess.Popen([exe], stdin=f, stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            sys.exit("%s failed (exit %d)" % (exe, p.returncode))
        out.seek(0)
        return dt, ru.ru_utime + ru.ru_stime, out.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.environ.get("X07_BIN_DIR", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("kernels", nargs="*", help="only these kernels (default: all)")
    args = ap.parse_args()
    runner = os.path.join(args.bin_dir, "x07-os-runner")
    if not os.path.exists(runner):
        sys.exit("x07-os-runner not found in %s (pass --bin-dir)" % args.bin_dir)
    reps = 3 if args.quick else 9
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
        print("load average %.1f (medians of %d interleaved runs)" % (os.getloadavg()[0], reps))
        print("%-18s %10s %10s %8s %10s %10s %8s %8s" % ("kernel", "x07 (ms)", "C (ms)", "ratio", "x07 cpu", "C cpu",
                                                        "cpu rat.", "target"))
        worst = 0.0
        for name, (prog, body) in KERNELS.items():
            if args.kernels and name not in args.kernels:
                continue
            src = os.path.join(tmp, name + ".x07.json")
            with open(src, "w") as f:
                f.write(prog)
            exe = os.path.join(tmp, name + ".x07.exe")
            p = subprocess.run([runner, "--program", src, "--input", inp, "--solve-fuel", str(10 ** 15),
                                "--max-memory-bytes", str(1 << 30), "--max-output-bytes", str(1 << 28),
                                "--compiled-out", exe], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            rep = json.loads(p.stdout)
            if not rep["compile"]["ok"] or not rep["solve"]["ok"]:
                sys.exit("%s: x07 build/run failed: %s / %s" % (name, rep["compile"]["compile_error"], (rep["solve"] or {}).get("trap")))
            csrc = os.path.join(tmp, name + ".c")
            with open(csrc, "w") as f:
                f.write(C_TEMPLATE.replace("BODY", body).replace("HEAP_N", str(HEAP_N)))
            cexe = os.path.join(tmp, name + ".c.exe")
            subprocess.run(["cc", "-O2", csrc, "-o", cexe], check=True)
            xs, cs = [], []
            for _ in range(reps):  # interleaved pairs
                xs.append(run_timed(exe, framed))
                cs.append(run_timed(cexe, framed))
            if xs[0][2] != cs[0][2]:
                sys.exit("%s: x07 and C outputs differ" % name)
            tx, tc = median(r[0] for r in xs), median(r[0] for r in cs)
            ux, uc = median(r[1] for r in xs), median(r[1] for r in cs)
            ratio = median(x[0] / c[0] for x, c in zip(xs, cs))
            cpu_ratio = median(x[1] / max(c[1], 1e-3) for x, c in zip(xs, cs))
            worst = max(worst, min(ratio, cpu_ratio))
            print("%-18s %10.1f %10.1f %7.2fx %10.1f %10.1f %7.2fx %7.1fx%s"
                  % (name, tx * 1000, tc * 1000, ratio, ux * 1000, uc * 1000, cpu_ratio, 1.2,
                     "  (over target)" if min(ratio, cpu_ratio) > 1.2 else ""))
        print("worst ratio %.2fx; load average %.1f" % (worst, os.getloadavg()[0]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
