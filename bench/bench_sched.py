#!/usr/bin/env python3
"""Scheduler cost: a token passed around a ring of N async tasks over bytes
channels (capacity 1), ROUNDS times, in an x07 program built by x07-os-runner,
against the same ring in C measured in this run:
  - C loop:    one thread, the ring as an array of one-slot queues (no switching at all:
               the floor, so the ratio is the whole price of tasks + channels);
  - C threads: N pthreads, one mutex + condition variable per channel (what the
               program would cost with OS threads instead of cooperative tasks).
Prints best-of-R wall times and ratios x07 / baseline (lower is better).
Usage: bench/bench_sched.py [--bin-dir DIR] [--quick] [--tasks N] [--rounds R]
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

NODE = {"kind": "defasync", "name": "main.node",
        "params": [{"name": "inc", "ty": "i32"}, {"name": "outc", "ty": "i32"}, {"name": "rounds", "ty": "i32"}],
        "result": "bytes",
        "body": ["begin",
                 ["for", "r", 0, "rounds", ["chan.bytes.send", "outc", ["chan.bytes.recv", "inc"]]],
                 ["bytes.alloc", 0]]}

# input: u32le N, u32le ROUNDS; output: the token after N * ROUNDS hops.
RING = ["begin",
        ["let", "n", ["codec.read_u32_le", "input", 0]],
        ["let", "rounds", ["codec.read_u32_le", "input", 4]],
        ["let", "first", ["chan.bytes.new", 1]],
        ["for", "i", 1, "n", ["chan.bytes.new", 1]],
        ["task.scope_v1", ["task.scope.cfg_v1", ["max_children", 100000]],
         ["begin",
          ["for", "i", 0, "n",
           ["task.scope.start_soon_v1",
            ["main.node", ["+", "first", "i"], ["+", "first", ["%", ["+", "i", 1], "n"]], "rounds"]]],
          ["chan.bytes.send", "first", ["bytes.lit", "token"]],
          0]],
        ["chan.bytes.recv", "first"]]

C_LOOP = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  uint32_t n = atoi(argv[1]), rounds = atoi(argv[2]);
  void **slot = calloc(n, sizeof *slot);
  char *token = strdup("token");
  slot[0] = token;
  for (uint32_t r = 0; r < rounds; r++)
    for (uint32_t i = 0; i < n; i++) {
      void *m = slot[i]; slot[i] = NULL;
      __asm__ volatile("" : "+r"(m));
      slot[(i + 1) % n] = m;
    }
  fputs((char *)slot[0], stdout);
  return 0;
}
"""

C_THREADS = r"""
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef struct { pthread_mutex_t mu; pthread_cond_t cv; void *msg; int full; } chan;
static chan *ch; static uint32_t n, rounds;
static void send(chan *c, void *m) {
  pthread_mutex_lock(&c->mu);
  while (c->full) pthread_cond_wait(&c->cv, &c->mu);
  c->msg = m; c->full = 1; pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
}
static void *recv(chan *c) {
  pthread_mutex_lock(&c->mu);
  while (!c->full) pthread_cond_wait(&c->cv, &c->mu);
  void *m = c->msg; c->full = 0; pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
  return m;
}
static void *node(void *arg) {
  uintptr_t i = (uintptr_t)arg;
  for (uint32_t r = 0; r < rounds; r++) send(&ch[(i + 1) % n], recv(&ch[i]));
  return NULL;
}
int main(int argc, char **argv) {
  n = atoi(argv[1]); rounds = atoi(argv[2]);
  ch = calloc(n, sizeof *ch);
  pthread_t *t = calloc(n, sizeof *t);
  pthread_attr_t at; pthread_attr_init(&at); pthread_attr_setstacksize(&at, 65536);
  for (uint32_t i = 0; i < n; i++) { pthread_mutex_init(&ch[i].mu, NULL); pthread_cond_init(&ch[i].cv, NULL); }
  for (uintptr_t i = 0; i < n; i++) pthread_create(&t[i], &at, node, (void *)i);
  send(&ch[0], strdup("token"));
  for (uint32_t i = 0; i < n; i++) pthread_join(t[i], NULL);
  fputs((char *)recv(&ch[0]), stdout);
  return 0;
}
"""


def best(argv, stdin_path, reps):
    times, out = [], None
    for _ in range(reps):
        with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as f:
            t = time.perf_counter()
            p = subprocess.run(argv, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            times.append(time.perf_counter() - t)
        if p.returncode != 0:
            sys.exit("%s failed (exit %d): %s" % (argv[0], p.returncode, p.stderr[-300:]))
        out = p.stdout
    return min(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.environ.get("X07_BIN_DIR", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tasks", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=0)
    args = ap.parse_args()
    runner = os.path.join(args.bin_dir, "x07-os-runner")
    if not os.path.exists(runner):
        sys.exit("x07-os-runner not found in %s (pass --bin-dir)" % args.bin_dir)
    n = args.tasks
    rounds = args.rounds or (2000 if args.quick else 10000)
    reps = 3 if args.quick else 5
    tmp = tempfile.mkdtemp(prefix="x07bench_sched_")
    try:
        env = dict(os.environ, X07_NATIVE_CACHE_DIR=os.path.join(tmp, "cache"))
        src = os.path.join(tmp, "ring.x07.json")
        with open(src, "w") as f:
            json.dump({"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
                       "imports": [], "decls": [NODE], "solve": RING}, f)
        inp = os.path.join(tmp, "input")
        with open(inp, "wb") as f:
            f.write(struct.pack("<II", n, rounds))
        framed = os.path.join(tmp, "framed")
        with open(framed, "wb") as f:
            f.write(struct.pack("<I", 8) + struct.pack("<II", n, rounds))
        exe = os.path.join(tmp, "ring.exe")
        p = subprocess.run([runner, "--program", src, "--input", inp, "--solve-fuel", str(10 ** 15),
                            "--compiled-out", exe], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        rep = json.loads(p.stdout)
        if not rep["compile"]["ok"] or not rep["solve"]["ok"]:
            sys.exit("x07 build/run failed: %s / %s" % (rep["compile"]["compile_error"], rep["solve"]["trap"]))
        st = rep["solve"]["sched_stats"]
        bins = {}
        for name, code, extra in (("c_loop", C_LOOP, []), ("c_threads", C_THREADS, ["-pthread"])):
            c = os.path.join(tmp, name + ".c")
            with open(c, "w") as f:
                f.write(code)
            bins[name] = os.path.join(tmp, name)
            subprocess.run(["cc", "-O2", c, "-o", bins[name]] + extra, check=True)
        tx, ox = best([exe], framed, reps)
        if ox[4:] != b"token":
            sys.exit("x07 ring returned %r" % ox)
        hops = n * rounds
        print("ring of %d tasks x %d rounds = %d channel hops (ctx_switches %d)" % (n, rounds, hops, st["ctx_switches"]))
        print("%-12s %10s %12s %10s" % ("variant", "ms", "ns/hop", "x07/this"))
        print("%-12s %10.1f %12.1f %10s" % ("x07 tasks", tx * 1000, tx * 1e9 / hops, "1.00x"))
        for name in ("c_loop", "c_threads"):
            tc, oc = best([bins[name], str(n), str(rounds)], None, reps)
            if oc != b"token":
                sys.exit("%s returned %r" % (name, oc))
            print("%-12s %10.1f %12.1f %9.2fx" % (name, tc * 1000, tc * 1e9 / hops, tx / tc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
