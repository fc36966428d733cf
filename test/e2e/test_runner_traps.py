"""How program outcomes become solve results (runner.md §2.5, §3, §4): wall timeout,
CPU limit, signals, trap messages, output caps, frame errors, fuel and memory traps.
Hand-written C artifacts cover the runner's side; x07 programs cover the whole path
once the compiler can build them."""
import os
import platform
import signal
import time
import unittest

import x07test
from x07test import C_FRAME_PRELUDE, RunnerTestCase, TempDir, compile_c, runner_report, solve_of, write, write_program

TRAP_SIGNAL = signal.SIGILL if platform.machine() in ("x86_64", "AMD64", "i686") else signal.SIGTRAP

ARTIFACTS = {
    # Forks a grandchild (same process group) that records its pid, then both sleep.
    "sleeper": r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(void) {
  pid_t k = fork();
  if (k == 0) { sleep(100); return 0; }
  FILE *f = fopen(getenv("PIDFILE"), "w"); fprintf(f, "%d\n", (int)k); fclose(f);
  sleep(100);
  return 0;
}""",
    # Sixteen spinning threads: RLIMIT_CPU counts the whole process, so the limit is hit
    # well before the wall deadline even on a busy machine.
    "spin": r"""
#include <pthread.h>
static void *spin(void *arg) { volatile unsigned long x = 0; for (;;) x++; return arg; }
int main(void) { pthread_t t; for (int i = 0; i < 15; i++) pthread_create(&t, 0, spin, 0); spin(0); }""",
    "segv": "#include <signal.h>\nint main(void) { raise(SIGSEGV); return 0; }",
    "trapper": r"""
#include <unistd.h>
int main(void) { write(2, "fuel exhausted\n", 15); __builtin_trap(); }""",
    "big_stdout": "#include <stdio.h>\nint main(void) { for (int i = 0; i < 3000000; i++) putchar('x'); return 0; }",
    "big_stderr": "#include <stdio.h>\nint main(void) { for (int i = 0; i < 300000; i++) fputc('e', stderr); return 0; }",
    "framed11": C_FRAME_PRELUDE + r"""
int main(void) { uint32_t n; read_input(&n); emit("hello world", 11); return 0; }""",
    "no_metrics": C_FRAME_PRELUDE + r"""
int main(void) { uint32_t n; read_input(&n); write(1, "\2\0\0\0ok", 6); return 0; }""",
    "silent": "int main(void) { return 0; }",
    "mismatch": C_FRAME_PRELUDE + r"""
int main(void) { uint32_t n; read_input(&n); write(1, "\5\0\0\0ok", 6);
  fprintf(stderr, "{\"fuel_used\":1}\n"); return 0; }""",
    "exit3": C_FRAME_PRELUDE + r"""
int main(void) { uint32_t n; read_input(&n); emit("partial", 7); return 3; }""",
    "exit4_msg": C_FRAME_PRELUDE + r"""
int main(void) { uint32_t n; read_input(&n); fprintf(stderr, "first\n  os.fs disabled by policy  \n{\"x\":1}\n\n");
  return 4; }""",
}


def alive(pid):
    """True if `pid` runs (a zombie waiting for a non-reaping init counts as dead)."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.02)
    return True


class ArtifactTraps(RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.exe = {name: compile_c(cls.tmp.path, name, src) for name, src in ARTIFACTS.items()}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def run_artifact(self, name, *extra, env=None, expect_exit=1):
        _, rep = runner_report(["--artifact", self.exe[name]] + list(extra), expect_exit=expect_exit, env=env)
        self.assertEqual(rep["exit_code"], expect_exit)
        return rep

    def assertNoMetrics(self, rep):
        for k in ("fuel_used", "heap_used", "kv_get_calls", "mem_stats", "sched_stats", "debug_stats"):
            self.assertIsNone(rep[k], k)
        self.assertEqual(rep["solve_output_b64"], "")

    def test_wall_timeout_kills_the_whole_group(self):
        pidfile = os.path.join(self.tmp.path, "grandchild.pid")
        start = time.monotonic()
        rep = self.run_artifact("sleeper", "--cpu-time-limit-seconds", "1", env={"PIDFILE": pidfile})
        elapsed = time.monotonic() - start
        self.assertEqual(rep["trap"], "timed out")
        self.assertEqual(rep["exit_status"], 137)
        self.assertFalse(rep["ok"])
        self.assertNoMetrics(rep)
        self.assertGreaterEqual(elapsed, 1.9)  # run-os wall limit = cpu limit + 1 s
        self.assertLess(elapsed, 6)
        with open(pidfile) as f:
            grandchild = int(f.read())
        self.assertFalse(alive(grandchild), "grandchild survived the wall timeout")

    def test_killing_the_runner_ends_the_program(self):
        import subprocess
        pidfile = os.path.join(self.tmp.path, "grandchild2.pid")
        env = dict(os.environ, PIDFILE=pidfile)
        proc = subprocess.Popen([x07test.runner_path(), "--artifact", self.exe["sleeper"]], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while not (os.path.exists(pidfile) and os.path.getsize(pidfile) > 0) and time.monotonic() < deadline:
            time.sleep(0.02)
        with open(pidfile) as f:
            grandchild = int(f.read())
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        self.assertEqual(out, b"")
        self.assertFalse(alive(grandchild), "program survived the runner")

    def test_cpu_limit(self):
        # RLIMIT_CPU soft = hard: the kernel's hard-limit SIGKILL ends the program.
        rep = self.run_artifact("spin", "--cpu-time-limit-seconds", "1")
        self.assertEqual(rep["trap"], "terminated by signal 9")
        self.assertEqual(rep["exit_status"], 137)

    def test_signal(self):
        rep = self.run_artifact("segv")
        self.assertEqual(rep["trap"], "terminated by signal 11")
        self.assertEqual(rep["exit_status"], 139)
        self.assertIn("killed by a signal", rep["trap_help"])

    def test_trap_message_and_help(self):
        rep = self.run_artifact("trapper", "--solve-fuel", "1234")
        self.assertEqual(rep["trap"], "fuel exhausted")
        self.assertEqual(rep["exit_status"], 128 + TRAP_SIGNAL)
        self.assertEqual(rep["trap_help"],
                         "fuel limit 1234 reached; raise it with --solve-fuel or scope costs with budget.scope_v1")

    def test_stdout_cap(self):
        rep = self.run_artifact("big_stdout")
        self.assertEqual(rep["trap"], "stdout exceeded cap")
        self.assertEqual(rep["exit_status"], 0)
        self.assertEqual(len(x07test.b64d(rep["stdout_b64"])), 4 + 1048576 + 1)
        self.assertNoMetrics(rep)

    def test_stderr_cap(self):
        rep = self.run_artifact("big_stderr")
        self.assertEqual(rep["trap"], "stderr exceeded cap")
        self.assertEqual(len(x07test.b64d(rep["stderr_b64"])), 262144)

    def test_output_larger_than_max_output_bytes(self):
        rep = self.run_artifact("framed11", "--max-output-bytes", "10")
        self.assertEqual(rep["trap"], "native output too large: 11 > max_output_bytes=10")
        rep = self.run_artifact("framed11", "--max-output-bytes", "11", expect_exit=0)
        self.assertEqual(x07test.b64d(rep["solve_output_b64"]), b"hello world")

    def test_frame_errors(self):
        self.assertEqual(self.run_artifact("silent")["trap"], "native stdout too short for length prefix")
        self.assertEqual(self.run_artifact("mismatch")["trap"], "native stdout length mismatch: expected 9 got 6")
        rep = self.run_artifact("no_metrics")
        self.assertEqual(rep["trap"], "missing metrics json line on stderr")
        self.assertEqual(x07test.b64d(rep["solve_output_b64"]), b"ok")

    def test_nonzero_exit(self):
        rep = self.run_artifact("exit3")
        self.assertFalse(rep["ok"])
        self.assertIsNone(rep["trap"])
        self.assertEqual(rep["exit_status"], 3)
        self.assertEqual(x07test.b64d(rep["solve_output_b64"]), b"partial")
        rep = self.run_artifact("exit4_msg")
        self.assertEqual(rep["trap"], "os.fs disabled by policy")
        self.assertEqual(rep["exit_status"], 4)


class ProgramTraps(RunnerTestCase):
    """The same outcomes produced by real x07 programs."""

    @classmethod
    def setUpClass(cls):
        if not x07test.compiler_works():
            raise unittest.SkipTest("x07 compiler cannot build programs yet")
        cls.tmp = TempDir()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def program(self, name, solve):
        return write_program(self.tmp.path, solve, name=name + ".x07.json")

    def test_fuel_exhausted(self):
        prog = self.program("fuel", ["begin", ["let", "x", 0],
                                     ["for", "i", 0, 1000000, ["set", "x", ["+", "x", "i"]]],
                                     ["bytes.alloc", ["-", "x", "x"]]])
        _, rep = runner_report(["--program", prog, "--solve-fuel", "1000"], expect_exit=1)
        solve = solve_of(rep)
        self.assertEqual(solve["trap"], "fuel exhausted")
        self.assertEqual(solve["exit_status"], 128 + TRAP_SIGNAL)
        self.assertEqual(solve["trap_help"],
                         "fuel limit 1000 reached; raise it with --solve-fuel or scope costs with budget.scope_v1")
        _, rep = runner_report(["--program", prog, "--solve-fuel", "100000000"], expect_exit=0)
        self.assertTrue(rep["solve"]["ok"])
        self.assertGreater(rep["solve"]["fuel_used"], 1000000)

    def test_out_of_memory(self):
        prog = self.program("oom", ["bytes.alloc", 100000000])
        _, rep = runner_report(["--program", prog], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "out of memory")
        # With a larger arena the allocation succeeds; the 100 MB output then exceeds the output cap.
        _, rep = runner_report(["--program", prog, "--max-memory-bytes", "300000000"], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "stdout exceeded cap")

    def test_output_caps(self):
        prog = self.program("out11", ["bytes.alloc", 11])
        _, rep = runner_report(["--program", prog, "--max-output-bytes", "10"], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "native output too large: 11 > max_output_bytes=10")
        big = self.program("big", ["bytes.alloc", 2000000])
        _, rep = runner_report(["--program", big], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "stdout exceeded cap")

    def test_wall_timeout(self):
        prog = self.program("sleep", ["begin", ["os.time.sleep_ms_v1", 10000], ["bytes.lit", "late"]])
        start = time.monotonic()
        _, rep = runner_report(["--program", prog, "--cpu-time-limit-seconds", "1"], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "timed out")
        self.assertEqual(rep["solve"]["exit_status"], 137)
        self.assertLess(time.monotonic() - start, 8)


if __name__ == "__main__":
    unittest.main()
