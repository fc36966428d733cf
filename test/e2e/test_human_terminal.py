"""`x07 run` for a person at a terminal (issue 11): text mode under a pseudo-terminal and
through pipes, byte for byte; the JSON report stays the default through a pipe; the
program's stderr is streamed while it runs; --report-out in every mode; exit codes."""
import json
import os
import pty
import select
import subprocess
import time
import tty
import unittest

import x07test
from x07test import TempDir, write, write_program, compile_c, C_FRAME_PRELUDE

HELLO = os.path.join(x07test.REPO, "examples", "hello")

# Prints a line on stderr, sleeps, prints again, then returns its output frame.
SLOW_TALKER = C_FRAME_PRELUDE + r"""
int main(void) {
  uint32_t n; read_input(&n);
  fprintf(stderr, "first line\n"); fflush(stderr);
  usleep(1500 * 1000);
  fprintf(stderr, "second line\n"); fflush(stderr);
  emit("done\n", 5);
  return 0;
}
"""


def run_in_pty(args, cwd=None, stdin=subprocess.DEVNULL):
    """Runs x07 with stdout on a raw pseudo-terminal and stderr on a pipe; returns
    (exit code, stdout bytes, stderr bytes)."""
    master, slave = pty.openpty()
    tty.setraw(slave)  # no \n -> \r\n translation: compare bytes exactly
    p = subprocess.Popen([x07test.x07_path()] + args, stdout=slave, stderr=subprocess.PIPE, stdin=stdin, cwd=cwd)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 60)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the slave side is closed
            break
        if not chunk:
            break
        out += chunk
    err = p.stderr.read()
    p.stderr.close()
    code = p.wait(timeout=60)
    os.close(master)
    return code, out, err


class HelpAndVersion(unittest.TestCase):
    def test_run_help_documents_args_exit_codes_and_environment(self):
        for flag in ("--help", "-h"):
            p = x07test.run_x07(["run", flag])
            self.assertEqual(p.returncode, 0)
            text = p.stdout.decode()
            for needle in ("[ARGS]...", "argv_v1", "-h)", "--report <MODE>", "text", "Exit status:",
                           "X07_CC", "X07_NATIVE_CACHE_DIR", "X07_NATIVE_CACHE_MAX_BYTES", "X07_MAX_C_BYTES"):
                self.assertIn(needle, text)

    def test_runner_version(self):
        for flag in ("--version", "-V"):
            p = x07test.run_runner([flag])
            self.assertEqual((p.returncode, p.stdout), (0, b"x07-os-runner 0.2.17\n"))


@unittest.skipUnless(x07test.compiler_works(), "compiler not available")
class TextMode(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.path

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def test_terminal_default_is_the_programs_output(self):
        code, out, err = run_in_pty(["run", "--project", HELLO, "--", "Ada", "Grace"])
        self.assertEqual((code, out, err), (0, b"Hello, Ada!\nHello, Grace!\n", b""))

    def test_pipe_default_is_the_runner_report_byte_for_byte(self):
        piped = x07test.run_x07(["run", "--project", HELLO, "--", "Ada"])
        explicit = x07test.run_x07(["run", "--project", HELLO, "--report", "runner", "--", "Ada"])
        self.assertEqual(piped.returncode, 0, piped.stderr)
        self.assertEqual(piped.stdout, explicit.stdout)
        rep = json.loads(piped.stdout)
        x07test.validate(rep, "x07-os-runner.report.schema.json")
        self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), b"Hello, Ada!\n")

    def test_text_through_a_pipe_and_report_out(self):
        rep_path = os.path.join(self.d, "out", "r.json")
        p = x07test.run_x07(["run", "--project", HELLO, "--report", "text", "--report-out", rep_path, "--", "Ada"])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"Hello, Ada!\n", b""))
        piped = x07test.run_x07(["run", "--project", HELLO, "--", "Ada"])
        with open(rep_path, "rb") as f:
            self.assertEqual(f.read(), piped.stdout, "--report-out keeps the runner's JSON in text mode")
        # on a terminal too
        rep2 = os.path.join(self.d, "r2.json")
        code, out, err = run_in_pty(["run", "--project", HELLO, "--report-out", rep2, "--", "Ada"])
        self.assertEqual((code, out, err), (0, b"Hello, Ada!\n", b""))
        with open(rep2, "rb") as f:
            self.assertEqual(f.read(), piped.stdout)

    def test_json_on_a_terminal_when_asked(self):
        code, out, _ = run_in_pty(["run", "--project", HELLO, "--report", "runner"])
        self.assertEqual(code, 0)
        self.assertEqual(x07test.b64d(json.loads(out)["solve"]["solve_output_b64"]), b"Hello, world!\n")

    def test_verbose_status_line(self):
        p = x07test.run_x07(["run", "--project", HELLO, "--report", "text", "--verbose"])
        self.assertEqual(p.stdout, b"Hello, world!\n")
        self.assertRegex(p.stderr.decode(), r"^x07: program exited with status 0 \(fuel_used \d+\)\n$")

    def test_stderr_is_streamed_while_the_program_runs(self):
        exe = compile_c(self.d, "slow", SLOW_TALKER)
        master, slave = pty.openpty()
        tty.setraw(slave)
        p = subprocess.Popen([x07test.x07_path(), "run", "--artifact", exe], stdout=slave, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        os.close(slave)
        first = p.stderr.readline()
        still_running = p.poll() is None
        rest = p.stderr.read()
        p.stderr.close()
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(p.wait(timeout=60), 0)
        self.assertEqual(first, b"first line\n")
        self.assertTrue(still_running, "the first line must arrive before the program ends")
        self.assertEqual(rest, b"second line\n", "the metrics line is not shown")
        self.assertEqual(out, b"done\n")
        # through a pipe the report still carries the whole stderr, metrics line included
        q = x07test.run_x07(["run", "--artifact", exe])
        rep = json.loads(q.stdout)
        self.assertEqual(x07test.b64d(rep["stderr_b64"]),
                         b'first line\nsecond line\n{"fuel_used":1,"heap_used":2}\n')
        self.assertEqual(q.stderr, b"")

    def test_program_stdout_is_streamed_while_it_runs(self):
        """An x07 program that prints a line (os.stdio), sleeps, prints again: in text mode the
        first line is on the terminal before the program ends, then the rest and its result."""
        caps = ["std.os.stdio.spec.caps_default_v1"]
        prog = write_program(self.d, ["begin",
                                      ["std.os.stdio.write_stdout_v1", ["bytes.lit", "first line\n"], caps],
                                      ["os.time.sleep_ms_v1", 1500],
                                      ["std.os.stdio.write_stdout_v1", ["bytes.lit", "second line\n"], caps],
                                      ["bytes.lit", "done\n"]],
                             "talker.x07.json", imports=["std.os.stdio", "std.os.stdio.spec"])
        master, slave = pty.openpty()
        tty.setraw(slave)
        started = time.monotonic()
        p = subprocess.Popen([x07test.x07_path(), "run", "--program", prog], stdout=slave,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(slave)
        out, first_at = b"", None
        while True:
            r, _, _ = select.select([master], [], [], 60)
            if not r:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if first_at is None and out.startswith(b"first line\n"):
                first_at = time.monotonic()
                self.assertIsNone(p.poll(), "the first line must arrive while the program still runs")
        os.close(master)
        err = p.stderr.read()
        p.stderr.close()
        self.assertEqual(p.wait(timeout=60), 0, err)
        self.assertEqual(out, b"first line\nsecond line\ndone\n")
        self.assertEqual(err, b"")
        self.assertIsNotNone(first_at)
        # the same bytes through a pipe in text mode; the JSON report keeps upstream's frame check
        q = x07test.run_x07(["run", "--program", prog, "--report", "text"])
        self.assertEqual((q.returncode, q.stdout, q.stderr), (0, b"first line\nsecond line\ndone\n", b""))

    def test_trap_exit_code_and_location(self):
        prog = write_program(self.d, ["begin", ["let", "b", ["bytes.lit", "abc"]],
                                      ["bytes.alloc", ["bytes.get_u8", "b", 10]]])
        p = x07test.run_x07(["run", "--program", prog, "--report", "text"])
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertEqual(p.stdout, b"")
        errs = x07test.error_lines(p.stderr)
        self.assertEqual(len(errs), 1, p.stderr)
        self.assertEqual(errs[0][0], "X07T_TRAP")
        self.assertRegex(errs[0][1], r"^%s:1:\d+: program trapped: view.get_u8 oob ptr=/solve/2/1$" % prog)
        self.assertIn("help: bytes.get_u8: index 10 out of bounds for length 3", p.stderr.decode())
        # the JSON report keeps upstream's trap text and explains in trap_help
        _, rep = x07test.runner_report(["--program", prog], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "view.get_u8 oob ptr=/solve/2/1")
        self.assertIn("index 10 out of bounds for length 3", rep["solve"]["trap_help"])

    def test_compile_error_exit_code(self):
        prog = write_program(self.d, ["bytes.lenn", ["bytes.lit", "x"]])
        p = x07test.run_x07(["run", "--program", prog, "--report", "text"])
        self.assertEqual(p.returncode, 4, p.stderr)
        code, msg = x07test.error_lines(p.stderr)[0]
        self.assertRegex(msg, r"^%s:1:\d+: .*\(at /solve\)$" % prog)

    def test_json_mode_also_explains_on_stderr(self):
        """Through a pipe the report stays on stdout byte for byte and exit 1 stays, but a
        person reading stderr still sees what and where (the issue's silent typo)."""
        prog = write_program(self.d, ["bytes.lenn", ["bytes.lit", "x"]], "typo.x07.json")
        p = x07test.run_x07(["run", "--program", prog])
        self.assertEqual(p.returncode, 1)
        self.assertFalse(json.loads(p.stdout)["compile"]["ok"])
        (code, msg), = x07test.error_lines(p.stderr)
        self.assertRegex(msg, r"^%s:1:\d+: unsupported head: \"bytes.lenn\"" % prog)
        direct = x07test.run_runner(["--program", prog, "--module-root", self.d])
        self.assertEqual(direct.stderr, b"", "the runner itself stays quiet, like upstream")

    def test_program_chosen_exit_status(self):
        prog = write_program(self.d, ["begin", ["os.process.exit", 7], ["bytes.lit", "x"]])
        p = x07test.run_x07(["run", "--program", prog, "--report", "text"])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (7, b"", b""))
        _, rep = x07test.runner_report(["--program", prog], expect_exit=1)
        self.assertIsNone(rep["solve"]["trap"], "not 'native stdout too short for length prefix'")
        self.assertEqual(rep["solve"]["exit_status"], 7)


if __name__ == "__main__":
    unittest.main()
