"""`x07 run` in a JSON mode that only passes the report through runs the runner's code in
its own process when the x07-os-runner beside it is the one built with it (same ELF build
ID, x07/runner_inproc.hpp). That must be invisible: the same stdout bytes and exit code as
the spawned runner given the same argv, the same explanation lines on stderr, temp input
files still removed; a runner of another build is spawned as before."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import x07test
from facade_helpers import FakeToolchain


def have_strace():
    if not shutil.which("strace"):
        return False
    p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", os.devnull, "true"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


def exec_paths(argv, cwd, env=None):
    """Runs argv under strace; returns (proc, [paths of every execve that succeeded])."""
    with tempfile.NamedTemporaryFile(prefix="x07strace_", delete=False) as f:
        log = f.name
    try:
        p = x07test.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", log] + argv, cwd=cwd, env=env)
        paths = []
        with open(log) as f:
            for line in f:
                if "execve(" in line and "= 0" in line:
                    paths.append(line.split('execve("', 1)[1].split('"', 1)[0])
        return p, paths
    finally:
        os.remove(log)


def toolchain_copy(root, runner_bytes=None):
    """root/bin/{x07, x07-os-runner} (the runner's bytes replaced when given), beside the
    build's share/ and lib/ (OS stdlib, prebuilt runtime library), like an install."""
    bin_dir = os.path.join(root, "bin")
    os.makedirs(bin_dir)
    shutil.copy2(x07test.x07_path(), os.path.join(bin_dir, "x07"))
    runner = os.path.join(bin_dir, "x07-os-runner")
    shutil.copy2(x07test.runner_path(), runner)
    if runner_bytes is not None:
        with open(runner, "wb") as f:
            f.write(runner_bytes)
    build = os.path.dirname(x07test.BIN_DIR)
    for sub in ("share", "lib"):
        if os.path.isdir(os.path.join(build, sub)):
            os.symlink(os.path.join(build, sub), os.path.join(root, sub))
    return os.path.join(bin_dir, "x07"), runner


def build_id(path):
    p = subprocess.run(["readelf", "-n", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout.splitlines():
        if "Build ID:" in line:
            return line.split("Build ID:")[1].strip()
    return None


class InProcessRunner(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp(prefix="x07inproc_")
        self.tc = FakeToolchain()

    def tearDown(self):
        shutil.rmtree(self.d, ignore_errors=True)
        self.tc.close()

    def forwarded_argv(self, args):
        """The runner argv the facade builds for `x07 run ARGS` (recorded by a fake runner)."""
        _, rec = self.tc.run(["run"] + args, cwd=self.d)
        self.assertIsNotNone(rec)
        return rec["argv"]

    def test_same_bytes_exit_code_and_stderr_as_the_spawned_runner(self):
        cases = {
            "ok.x07.json": ["bytes.lit", "hello"],
            "status.x07.json": ["begin", ["os.process.exit", 7], ["bytes.lit", "x"]],
            "trap.x07.json": ["bytes.get_u8", ["bytes.lit", "ab"], 9],
            "typo.x07.json": ["bytes.lenn", ["bytes.lit", "x"]],
        }
        expected_exit = {"ok.x07.json": 0, "status.x07.json": 1, "trap.x07.json": 1, "typo.x07.json": 1}
        for name, solve in cases.items():
            with self.subTest(program=name):
                x07test.write_program(self.d, solve, name)
                args = ["--program", name]
                direct = x07test.run_runner(self.forwarded_argv(args), cwd=self.d)
                p = x07test.run_x07(["run"] + args, cwd=self.d)
                self.assertEqual(p.returncode, expected_exit[name], p.stderr)
                self.assertEqual(p.returncode, direct.returncode)
                self.assertEqual(p.stdout, direct.stdout, "the report byte for byte")
                self.assertEqual(direct.stderr, b"")
                if name in ("trap.x07.json", "typo.x07.json"):  # explained on stderr, as before
                    (code, msg), = x07test.error_lines(p.stderr)
                    self.assertTrue(msg.startswith(name + ":1:"), msg)
                else:
                    self.assertEqual(p.stderr, b"")

    def test_runner_error_exit_2(self):
        args = ["--program", "missing.x07.json"]
        direct = x07test.run_runner(self.forwarded_argv(args), cwd=self.d)
        p = x07test.run_x07(["run"] + args, cwd=self.d)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (2, b"", direct.stderr))
        self.assertEqual(x07test.error_lines(p.stderr)[0][0], "X07RUN_IO")

    def test_temp_input_files_removed(self):
        os.makedirs(os.path.join(self.d, "target"))
        x07test.write_program(self.d, ["view.to_bytes", "input"])
        p = x07test.run_x07(["run", "--program", "main.x07.json", "--input-b64", "aGk="], cwd=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(x07test.b64d(x07test.solve_of(json.loads(p.stdout))["solve_output_b64"]), b"hi")
        self.assertEqual(os.listdir(os.path.join(self.d, "target")), [])

    @unittest.skipUnless(have_strace(), "needs strace")
    def test_no_runner_process_only_the_program(self):
        x07test.write_program(self.d, ["bytes.lit", "hello"])
        x07, runner = toolchain_copy(os.path.join(self.d, "tc"))
        p, execs = exec_paths([x07, "run", "--program", "main.x07.json"], cwd=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([e for e in execs if e.endswith("x07-os-runner")], [])
        self.assertEqual(len([e for e in execs if e.endswith("/solver")]), 1, execs)
        # the terminal/text mode and --report-out still spawn it
        for extra in (["--report", "text"], ["--report-out", os.path.join(self.d, "r.json")]):
            p, execs = exec_paths([x07, "run", "--program", "main.x07.json"] + extra, cwd=self.d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual([e for e in execs if e.endswith("x07-os-runner")], [runner], extra)

    @unittest.skipUnless(have_strace(), "needs strace")
    def test_runner_of_another_build_is_spawned(self):
        x07test.write_program(self.d, ["bytes.lit", "hello"])
        with open(x07test.runner_path(), "rb") as f:
            data = f.read()
        bid = build_id(x07test.runner_path())
        self.assertTrue(bid, "the runner has a build ID")
        raw = bytes.fromhex(bid)
        self.assertEqual(data.count(raw), 1)
        other = data.replace(raw, bytes([raw[0] ^ 0xFF]) + raw[1:])
        x07, runner = toolchain_copy(os.path.join(self.d, "tc"), runner_bytes=other)
        p, execs = exec_paths([x07, "run", "--program", "main.x07.json"], cwd=self.d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([e for e in execs if e.endswith("x07-os-runner")], [runner])
        direct = x07test.run_runner(self.forwarded_argv(["--program", "main.x07.json"]), cwd=self.d)
        self.assertEqual(p.stdout, direct.stdout)


if __name__ == "__main__":
    unittest.main()
