"""Thirty common mistakes (issue 11): each must exit with its documented code and print
`error[CODE]: ...` + `help: ...` on stderr — with FILE:LINE:COL when a file is involved —
in text mode, from the facade's other commands and from x07-os-runner itself."""
import json
import os
import re
import subprocess
import unittest

import x07test
from x07test import TempDir, write, write_program, base_policy

LOC = r"[^\s:]+\.json:\d+:\d+"  # FILE:LINE:COL


def policy_with(**sections):
    return json.dumps(base_policy(**sections))


@unittest.skipUnless(x07test.compiler_works(), "compiler not available")
class Mistakes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.d = cls.tmp.path
        d = cls.d
        write(os.path.join(d, "bad_json.x07.json"), '{"schema_version": "x07.x07ast@0.8.0",\n  "kind": "entry" "x"}')
        cls.progs = {
            "typo": write_program(d, ["bytes.lenn", ["bytes.lit", "x"]], "typo.x07.json"),
            "noimport": write_program(d, ["std.bytes.reverse", ["bytes.lit", "x"]], "noimport.x07.json"),
            "strlit": write_program(d, ["os.fs.read_file", "in.txt"], "strlit.x07.json"),
            "unknown_ident": write_program(d, ["bytes.alloc", "count"], "ident.x07.json"),
            "badmodule": write_program(d, ["bytes.lit", "x"], "badmod.x07.json", imports=["std.no_such_mod"]),
            "types": write_program(d, ["bytes.alloc", ["bytes.lit", "x"]], "types.x07.json"),
            "oob": write_program(d, ["begin", ["let", "b", ["bytes.lit", "abc"]],
                                     ["bytes.alloc", ["bytes.get_u8", "b", 7]]], "oob.x07.json"),
            "fuel": write_program(d, ["begin", ["let", "x", 0],
                                      ["for", "i", 0, 100000000, ["set", "x", ["+", "x", "i"]]],
                                      ["bytes.alloc", ["-", "x", "x"]]], "fuel.x07.json"),
            "oom": write_program(d, ["bytes.alloc", 100000000], "oom.x07.json"),
            "big": write_program(d, ["bytes.alloc", 64], "big.x07.json"),
            "sleepy": write_program(d, ["begin", ["os.time.sleep_ms_v1", 5000], ["bytes.alloc", 0]], "sleepy.x07.json"),
            "fs": write_program(d, ["os.fs.read_file", ["bytes.lit", "in.txt"]], "fs.x07.json"),
            "fs_dotdot": write_program(d, ["os.fs.read_file", ["bytes.lit", "../etc/passwd"]], "fsdd.x07.json"),
            "env": write_program(d, ["os.env.get", ["bytes.lit", "HOME"]], "env.x07.json"),
            "time": write_program(d, ["begin", ["os.time.now_unix_ms"], ["bytes.alloc", 0]], "time.x07.json"),
            "exit": write_program(d, ["begin", ["os.process.exit", 3], ["bytes.alloc", 0]], "exit.x07.json"),
            "net": write_program(d, ["os.net.http_request", ["bytes.lit", "GET http://example.com/"]], "net.x07.json"),
        }
        cls.progs["bad_json"] = os.path.join(d, "bad_json.x07.json")
        write(os.path.join(d, "fs_off.json"), policy_with())
        write(os.path.join(d, "fs_on.json"), policy_with(fs={"enabled": True, "read_roots": ["."], "write_roots": [],
                                                             "deny_hidden": True}))
        write(os.path.join(d, "env_on.json"), policy_with(env={"enabled": True, "allow_keys": ["LANG"],
                                                               "deny_keys": []}))
        write(os.path.join(d, "time_on.json"), policy_with(time={"enabled": True, "allow_monotonic": True,
                                                                 "allow_wall_clock": False, "allow_sleep": False,
                                                                 "max_sleep_ms": 0, "allow_local_tzid": False}))
        write(os.path.join(d, "proc_on.json"), policy_with(process={
            "enabled": True, "allow_spawn": False, "max_live": 0, "max_spawns": 0, "allow_exec": False,
            "allow_exit": False}))
        misspelt = base_policy()
        misspelt["fs"]["enabeld"] = True
        write(os.path.join(d, "misspelt.json"), json.dumps(misspelt, indent=2))
        # a project for init/policy mistakes
        cls.proj = os.path.join(d, "proj")
        os.makedirs(cls.proj)
        assert x07test.run_x07(["init"], cwd=cls.proj).returncode == 0

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def check(self, argv, code, help_re, loc=False, cwd=None, runner=False, msg_re=None):
        exe = x07test.runner_path() if runner else x07test.x07_path()
        p = subprocess.run([exe] + argv, cwd=cwd or self.d, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=120)
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, code, err)
        lines = x07test.error_lines(p.stderr)
        self.assertTrue(lines, "no error[CODE] line: %r" % err)
        if loc:
            self.assertTrue(any(re.match(LOC, text) for _, text in lines), "no FILE:LINE:COL: %r" % err)
        if msg_re:
            self.assertTrue(any(re.search(msg_re, text) for _, text in lines), err)
        self.assertTrue(re.search(r"^help: .*" + help_re, err, re.M), "help %r not in %r" % (help_re, err))
        return p

    def text(self, prog, *extra):
        return ["run", "--report", "text", "--program", self.progs[prog]] + list(extra)

    def sandboxed(self, prog, policy, *extra):
        return self.text(prog, "--world", "run-os-sandboxed", "--policy", os.path.join(self.d, policy), *extra)

    # ---- command line
    def test_01_mistyped_subcommand(self):
        self.check(["rnu"], 2, r"did you mean 'run'\?")

    def test_02_mistyped_flag(self):
        self.check(["run", "--repot", "text"], 2, r"did you mean '--report'\?")

    def test_03_mistyped_value(self):
        self.check(["run", "--report", "txt"], 2, r"did you mean 'text'\?")

    def test_04_no_project(self):
        self.check(["run"], 2, r"x07 init")

    def test_05_mistyped_template(self):
        self.check(["policy", "init", "--template", "htp-client"], 2, r"did you mean 'http-client'\?", cwd=self.proj)

    def test_06_policy_without_template(self):
        self.check(["policy", "init"], 2, r"--template cli", cwd=self.proj)

    def test_07_policy_exists_different(self):
        path = os.path.join(self.proj, ".x07/policies/base/worker.sandbox.base.policy.json")
        self.assertEqual(x07test.run_x07(["policy", "init", "--template", "worker"], cwd=self.proj).returncode, 0)
        with open(path, "a") as f:
            f.write(" ")
        self.check(["policy", "init", "--template", "worker"], 2, r"--force", cwd=self.proj)

    def test_08_missing_base_policy(self):
        self.check(["run", "--profile", "sandbox", "--report", "text"], 2,
                   r"`x07 policy init --template cli`", cwd=os.path.join(self.d, "proj"))

    def test_09_misspelt_policy_key(self):
        p = self.check(self.text("big", "--world", "run-os-sandboxed", "--policy",
                                 os.path.join(self.d, "misspelt.json")), 3, r"x07 policy init", loc=True)
        self.assertIn("misspelt.json:", p.stderr.decode())

    def test_10_networking_disabled(self):
        self.assertEqual(x07test.run_x07(["policy", "init", "--template", "cli"], cwd=self.proj).returncode, 0)
        self.check(["run", "--profile", "sandbox", "--allow-host", "example.com:443"], 2,
                   r"cli\.sandbox\.base\.policy\.json.*--template http-client", cwd=self.proj)

    def test_11_init_twice(self):
        self.check(["init"], 20, r"x07 run", cwd=self.proj)

    def test_12_bundle_without_out(self):
        self.check(["bundle", "--program", self.progs["big"], "--module-root", self.d], 2, r"--out")

    def test_13_missing_program_file(self):
        self.check(["run", "--report", "text", "--program", "nope.x07.json"], 2, r"exists")

    def test_14_quiet_json_in_text_mode(self):
        self.check(["run", "--report", "text", "--quiet-json", "--report-out", "r.json", "--program",
                    self.progs["big"]], 2, r"--quiet-json")

    # ---- compile errors (exit 4, FILE:LINE:COL)
    def test_15_not_json(self):
        self.check(self.text("bad_json"), 4, r"JSON", loc=False)

    def test_16_mistyped_function(self):
        self.check(self.text("typo"), 4, r"did you mean \"bytes.len\"\?", loc=True)

    def test_17_missing_import(self):
        self.check(self.text("noimport"), 4, r"\"std.bytes\".*imports", loc=True)

    def test_18_string_literal(self):
        self.check(self.text("strlit"), 4, r'\["bytes.lit","in.txt"\]', loc=True)

    def test_19_undeclared_name(self):
        self.check(self.text("unknown_ident"), 4, r'\["let","count"', loc=True)

    def test_20_unknown_module(self):
        self.check(self.text("badmodule"), 4, r"module", loc=True)

    def test_21_type_mismatch(self):
        self.check(self.text("types"), 4, r".", loc=True)

    # ---- traps and limits (exit 5 / 6)
    def test_22_out_of_bounds(self):
        self.check(self.text("oob"), 5, r"bytes.get_u8: index 7 out of bounds for length 3", loc=True)

    def test_23_fuel(self):
        self.check(self.text("fuel", "--solve-fuel", "1000"), 5, r"--solve-fuel")

    def test_24_out_of_memory(self):
        self.check(self.text("oom", "--max-memory-bytes", "1048576"), 5, r"--max-memory-bytes")

    def test_25_output_cap(self):
        self.check(self.text("big", "--max-output-bytes", "8"), 6, r"--max-output-bytes 8")

    def test_26_timeout(self):
        self.check(self.text("sleepy", "--cpu-time-limit-seconds", "1"), 6, r"--cpu-time-limit-seconds")

    # ---- denials (exit 5): field, value, allowlist, fix
    def test_27_fs_disabled(self):
        self.check(self.sandboxed("fs", "fs_off.json"), 5, r"fs_off\.json sets fs\.enabled=false.*fs-tool")

    def test_28_fs_unsafe_path(self):
        self.check(self.sandboxed("fs_dotdot", "fs_on.json"), 5,
                   r"refused: \.\./etc/passwd.*fs\.read_roots=\[\.\].*--allow-read-root")

    def test_29_env_key(self):
        self.check(self.sandboxed("env", "env_on.json"), 5, r"env\.allow_keys=\[LANG\].*refused: HOME")

    def test_30_wall_clock(self):
        self.check(self.sandboxed("time", "time_on.json"), 5, r"time\.allow_wall_clock=false")

    def test_31_process_exit(self):
        self.check(self.sandboxed("exit", "proc_on.json"), 5, r"process\.allow_exit=false")

    def test_35_bundle_trap_agrees_with_run(self):
        """A trap in a bundle prints the trap text and exits 5 (not SIGILL), like text mode."""
        exe = os.path.join(self.d, "dist", "oob")
        p = x07test.run_x07(["bundle", "--program", self.progs["oob"], "--module-root", self.d, "--out", exe])
        self.assertEqual(p.returncode, 0, p.stderr)
        r = subprocess.run([exe], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertEqual(r.stderr, b"x07: index 7 out of bounds for length 3\nview.get_u8 oob ptr=/solve/2/1\n")
        self.check(self.text("oob"), 5, r"out of bounds")
        ok = os.path.join(self.d, "dist", "exit3")
        self.assertEqual(x07test.run_x07(["bundle", "--program", self.progs["exit"], "--module-root", self.d,
                                          "--out", ok]).returncode, 0)
        self.assertEqual(subprocess.run([ok], capture_output=True, timeout=60).returncode, 3)
        self.assertEqual(x07test.run_x07(["run", "--report", "text", "--program", self.progs["exit"]]).returncode, 3)

    def test_36_networking_disabled_at_run_time(self):
        self.check(self.sandboxed("net", "fs_off.json"), 5,
                   r"fs_off\.json sets net\.enabled=false.*--template http-client.*--allow-host")

    # ---- x07-os-runner's own errors
    def test_32_runner_mistyped_flag(self):
        self.check(["--progam", "x.x07.json"], 2, r"did you mean '--program'\?", runner=True)

    def test_33_runner_no_target(self):
        self.check([], 2, r"--program FILE", runner=True)

    def test_34_runner_sandbox_without_policy(self):
        self.check(["--world", "run-os-sandboxed", "--program", self.progs["big"]], 2,
                   r"x07 policy init --template cli", runner=True)


if __name__ == "__main__":
    unittest.main()
