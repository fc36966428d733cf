"""x07-os-runner command line: bad inputs get the documented message, exit 2 and
an empty stdout (runner.md §1.2, §8.1); good artifact runs print valid reports."""
import json
import os
import unittest

import x07test
from x07test import RunnerTestCase, TempDir, base_policy, compile_c, runner_report, write, write_program

OK_ARTIFACT = x07test.C_FRAME_PRELUDE + r"""
int main(void) {
  uint32_t n; char *in = read_input(&n);
  const char *w = getenv("X07_WORLD"), *s = getenv("X07_OS_SANDBOXED");
  char out[4096];
  int len = snprintf(out, sizeof out, "%s|%s|", w ? w : "-", s ? s : "-");
  if (n > sizeof out - (uint32_t)len) n = sizeof out - (uint32_t)len;
  memcpy(out + len, in, n);  /* the input may contain NUL bytes */
  emit(out, (uint32_t)len + n);
  return 0;
}
"""


class RunnerCliErrors(RunnerTestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.path

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def test_help_and_usage_errors(self):
        p = x07test.run_runner(["--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--program", p.stdout)
        p = x07test.run_runner(["--cli-specrows", "--program", "ignored.json"])
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.count(b"\n"), 1)
        rows = json.loads(p.stdout)["rows"]
        self.assertIn("--sandbox-backend", [r[3] for r in rows if len(r) > 3])
        self.assertUsageError(["--bogus"], "unexpected argument '--bogus'")
        self.assertUsageError(["--world", "moon"], "invalid value 'moon' for '--world <WORLD>'")
        self.assertUsageError(["--solve-fuel", "12x"], "invalid value '12x' for '--solve-fuel <SOLVE_FUEL>'")
        self.assertUsageError(["--input"], "a value is required for '--input <INPUT>'")
        self.assertUsageError(["--sandbox-backend", "OS"], "[possible values: auto, vm, os, native, none]")

    def test_flag_syntax(self):
        """The flag grammar (Boost.Program_options, with clap-style messages)."""
        eq = "the argument for option '--%s' should follow immediately after the equal sign"
        for args, message in [
            (["--bogus=1"], "unexpected argument '--bogus=1' found"),
            (["--progra", "x"], "unexpected argument '--progra' found"),  # no abbreviations
            (["--Version"], "unexpected argument '--Version' found"),
            (["--program="], eq % "program"),
            (["--bogus="], eq % "bogus"),
            (["--="], "the argument for option should follow immediately after the equal sign"),
            (["--program", "--input="], eq % "program"),  # checked as the value of --program
            (["--auto-ffi=1"], "option '--auto-ffi' does not take any arguments"),
            (["--program", "a.x07.json", "--program=b.x07.json"], "the argument '--program <PROGRAM>' cannot be used multiple times"),
            (["--version", "--version"], "the argument '--version' cannot be used multiple times"),
            (["--version", "stray", "--bogus"], "unexpected argument '--bogus' found"),  # stray tokens are skipped
        ]:
            with self.subTest(args=args):
                self.assertUsageError(args, message)
        for args in (["--version", "--", "--bogus"], ["-V", "stray"], ["--input", "--version", "--version"],
                     ["--program=a=b.x07.json", "--module-root", "m", "--module-root=n", "--version"]):
            with self.subTest(args=args):  # `--` ends the options; a value may look like a flag; repeatable roots
                p = x07test.run_runner(args)
                self.assertEqual((p.returncode, p.stdout), (0, b"x07-os-runner 0.2.17\n"), p.stderr)

    def test_target_selection(self):
        self.assertRunnerError([], "set exactly one of --artifact, --program, or --project")
        self.assertRunnerError(["--program", "a.x07.json", "--artifact", "b"],
                               "set exactly one of --artifact, --program, or --project")
        self.assertRunnerError(["--compile-only", "--artifact", "x"], "--compile-only is not supported with --artifact")

    def test_program_path_checks(self):
        self.assertRunnerError(["--program", "main.json"],
                               "--program must be an x07AST JSON file (*.x07.json), got main.json")
        missing = os.path.join(self.d, "missing.x07.json")
        self.assertRunnerError(["--program", missing],
                               "read program: %s: No such file or directory (os error 2)" % missing)

    def test_malformed_program_is_a_compile_failure_report(self):
        prog = write(os.path.join(self.d, "bad.x07.json"), "{not json")
        _, rep = runner_report(["--program", prog], expect_exit=1)
        self.assertEqual(rep["mode"], "compile-run")
        self.assertFalse(rep["compile"]["ok"])
        self.assertIsNone(rep["solve"])
        self.assertTrue(rep["compile"]["compile_error"])

    def test_unreadable_input(self):
        exe = compile_c(self.d, "ok", OK_ARTIFACT)
        missing = os.path.join(self.d, "nope.bin")
        self.assertRunnerError(["--artifact", exe, "--input", missing],
                               "read input: %s: No such file or directory (os error 2)" % missing)
        self.assertRunnerError(["--artifact", exe, "--input", self.d],
                               "read input: %s: Is a directory (os error 21)" % self.d)

    def test_worlds_and_policy_flags(self):
        self.assertRunnerError(["--world", "solve-pure", "--program", "a.x07.json"],
                               'refusing to run eval world "solve-pure" in x07-os-runner')
        self.assertRunnerError(["--world", "run-os-sandboxed", "--program", "a.x07.json"],
                               "run-os-sandboxed requires --policy")
        self.assertRunnerError(["--policy", "p.json", "--program", "a.x07.json"],
                               "--policy is only valid for --world run-os-sandboxed")
        self.assertRunnerError(["--attest-runtime", "a.json", "--program", "a.x07.json"],
                               "--attest-runtime is only supported for --world run-os-sandboxed")

    def test_bad_policies(self):
        sandboxed = ["--world", "run-os-sandboxed", "--artifact", "x", "--i-accept-precompiled-artifact"]
        missing = os.path.join(self.d, "nope.json")
        self.assertRunnerError(sandboxed + ["--policy", missing],
                               "read policy: %s: No such file or directory (os error 2)" % missing)
        bad = write(os.path.join(self.d, "bad.json"), '{\n  "schema_version": "x07.run-os-policy@0.1.0"\n}\n')
        self.assertRunnerError(sandboxed + ["--policy", bad],
                               "parse policy JSON: %s: missing field `policy_id` at line 3 column 1" % bad)
        broken = write(os.path.join(self.d, "broken.json"), '{"a": }')
        self.assertRunnerError(sandboxed + ["--policy", broken],
                               "parse policy JSON: %s: expected value at line 1 column 7" % broken)
        pol = base_policy()
        pol["limits"]["cpu_ms"] = 0
        zero = write(os.path.join(self.d, "zero.json"), json.dumps(pol))
        self.assertRunnerError(sandboxed + ["--policy", zero],
                               "invalid policy: policy.limits.cpu_ms must be 1..600000 (got 0)")

    def test_sandbox_backend_env_validation(self):
        args = ["--program", "a.x07.json"]
        self.assertRunnerError(args, 'invalid environment variable X07_SANDBOX_BACKEND=" Weird ": invalid sandbox '
                                     'backend "weird" (expected one of: auto, vm, os, none)',
                               env={"X07_SANDBOX_BACKEND": " Weird "})
        self.assertRunnerError(args, 'invalid environment variable X07_I_ACCEPT_WEAKER_ISOLATION="maybe" '
                                     '(expected one of: 1, 0, true, false, yes, no)',
                               env={"X07_I_ACCEPT_WEAKER_ISOLATION": "maybe"})

    def test_none_backend_fails_closed_without_acceptance(self):
        pol = write(os.path.join(self.d, "p.json"), json.dumps(base_policy()))
        p = x07test.run_runner(["--world", "run-os-sandboxed", "--policy", pol, "--sandbox-backend", "none",
                                "--program", "a.x07.json"], env={"X07_I_ACCEPT_WEAKER_ISOLATION": None})
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, b"")
        self.assertTrue(x07test.error_message(p.stderr).startswith(
            "run-os-sandboxed with sandbox_backend=none runs without kernel isolation and fails closed"), p.stderr)
        self.assertIn(b"--i-accept-weaker-isolation", p.stderr)

    def test_artifact_refused_in_sandbox_without_hidden_flag(self):
        pol = write(os.path.join(self.d, "p.json"), json.dumps(base_policy()))
        self.assertRunnerError(
            ["--world", "run-os-sandboxed", "--policy", pol, "--artifact", "x"],
            "run-os-sandboxed does not support --artifact; use --program or --project so x07-os-runner can "
            "enforce policy.language.allow_unsafe/allow_ffi at compile time")

    def test_missing_artifact(self):
        missing = os.path.join(self.d, "no-such-exe")
        self.assertRunnerError(["--artifact", missing],
                               "canonicalize artifact path: %s: No such file or directory (os error 2)" % missing)

    def test_artifact_not_executable(self):
        path = write(os.path.join(self.d, "notes.txt"), "not a program")
        self.assertRunnerError(["--artifact", path],
                               "spawn artifact: %s: Permission denied (os error 13)" % os.path.realpath(path))

    def test_vm_backend_fails_closed_with_report(self):
        p, rep = runner_report(["--program", "a.x07.json", "--sandbox-backend", "vm"], expect_exit=1)
        self.assertEqual(rep["compile"]["compile_error"],
                         "sandbox_backend=vm is only supported for --world run-os-sandboxed")
        self.assertIsNone(rep["solve"])
        self.assertIn(b"sandbox_backend=vm", p.stderr)


class RunnerArtifactRuns(RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.exe = compile_c(cls.tmp.path, "ok", OK_ARTIFACT)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_run_os_report_shape(self):
        inp = write(os.path.join(self.tmp.path, "in.bin"), b"hi\x00there")
        p, rep = runner_report(["--artifact", self.exe, "--input", inp], expect_exit=0)
        self.assertEqual(rep["mode"], "run-os")
        self.assertEqual(rep["world"], "run-os")
        self.assertTrue(rep["ok"])
        self.assertEqual(x07test.b64d(rep["solve_output_b64"]), b"run-os|-|hi\x00there")
        self.assertEqual(x07test.b64d(rep["stdout_b64"])[:4], bytes([17, 0, 0, 0]))
        self.assertEqual(rep["fuel_used"], 1)
        self.assertEqual(rep["heap_used"], 2)
        self.assertIsNone(rep["mem_stats"])
        self.assertNotIn("sandbox_backend", rep)
        keys = list(json.loads(p.stdout).keys())
        self.assertEqual(keys, sorted(keys))
        self.assertTrue(p.stdout.startswith(b'{\n  "debug_stats": null,\n  "exit_code": 0,\n'))

    def test_sandboxed_artifact_gets_policy_env_and_kernel_backend(self):
        pol = write(os.path.join(self.tmp.path, "p.json"), json.dumps(base_policy()))
        _, rep = runner_report(["--world", "run-os-sandboxed", "--policy", pol, "--artifact", self.exe,
                                "--i-accept-precompiled-artifact"], expect_exit=0)
        self.assertEqual(rep["sandbox_backend"], "os")
        self.assertEqual(rep["mode"], "run-os")
        self.assertEqual(x07test.b64d(rep["solve_output_b64"]), b"run-os-sandboxed|1|")

    def test_runtime_attestation(self):
        pol_doc = base_policy(net={"enabled": True, "allow_dns": False, "allow_tcp": True, "allow_udp": False,
                                   "allow_hosts": [{"host": "127.0.0.1", "ports": [8080]}]})
        pol = write(os.path.join(self.tmp.path, "pa.json"), json.dumps(pol_doc))
        out = os.path.join(self.tmp.path, "att", "runtime.json")
        _, rep = runner_report(["--world", "run-os-sandboxed", "--policy", pol, "--artifact", self.exe,
                                "--i-accept-precompiled-artifact", "--attest-runtime", out], expect_exit=0)
        self.assertEqual(rep["runtime_attestation"], {
            "network_enforcement": "unsupported", "network_mode": "allowlist", "path": out,
            "sandbox_backend": "os", "weaker_isolation": False})
        with open(out, "rb") as f:
            raw = f.read()
        self.assertTrue(raw.endswith(b"}\n"))
        att = json.loads(raw)
        self.assertEqual(list(att), [
            "schema_version", "world", "sandbox_backend", "weaker_isolation", "artifact_path", "policy_path",
            "input_len_bytes", "effective_policy_digest", "network_mode", "network_enforcement", "allow_dns",
            "allow_tcp", "allow_udp", "effective_allow_hosts", "effective_deny_hosts", "bundled_binary_digest",
            "compile_attestation_digest", "capsule_attestation_digests", "effect_log_digests", "outcome"])
        self.assertEqual(att["schema_version"], "x07.runtime.attest@0.2.0")
        self.assertEqual(att["effective_allow_hosts"], [{"host": "127.0.0.1", "ports": [8080]}])
        self.assertEqual(att["outcome"], {"ok": True, "exit_status": 0})
        import hashlib
        with open(pol, "rb") as f:
            self.assertEqual(att["effective_policy_digest"], "sha256:" + hashlib.sha256(f.read()).hexdigest())

    def test_none_backend_with_acceptance_is_labelled_none(self):
        pol = write(os.path.join(self.tmp.path, "p.json"), json.dumps(base_policy()))
        _, rep = runner_report(["--world", "run-os-sandboxed", "--policy", pol, "--artifact", self.exe,
                                "--i-accept-precompiled-artifact", "--sandbox-backend", "none",
                                "--i-accept-weaker-isolation"], expect_exit=0)
        self.assertEqual(rep["sandbox_backend"], "none")

    def test_compiled_program_when_compiler_available(self):
        if not x07test.compiler_works():
            self.skipTest("x07 compiler cannot build programs yet")
        with TempDir() as d:
            prog = write_program(d, ["bytes.lit", "hello"])
            out = os.path.join(d, "out", "hello-exe")
            _, rep = runner_report(["--program", prog, "--compiled-out", out], expect_exit=0)
            self.assertEqual(rep["mode"], "compile-run")
            self.assertTrue(rep["compile"]["ok"])
            self.assertEqual(rep["compile"]["compiled_exe"], out)
            self.assertEqual(rep["compile"]["compiled_exe_size"], os.path.getsize(out))
            self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), b"hello")
            # Warm run: cache hit, no compiler output.
            _, rep2 = runner_report(["--program", prog], expect_exit=0)
            self.assertEqual(rep2["compile"]["stderr_b64"], "")
            _, rep3 = runner_report(["--program", prog, "--compile-only"], expect_exit=0)
            self.assertIsNone(rep3["solve"])


# Echoes its whole input back reversed (so a shifted or truncated byte shows), or with
# input "skip..." ignores it and answers "skipped" without reading past the header.
ECHO_ARTIFACT = x07test.C_FRAME_PRELUDE + r"""
int main(void) {
  unsigned char h[4];
  if (read(0, h, 4) != 4) return 2;
  uint32_t n = h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24;
  char first[4] = {0};
  uint32_t k = n < 4 ? n : 4;
  for (uint32_t at = 0; at < k;) { ssize_t r = read(0, first + at, k - at); if (r <= 0) return 2; at += r; }
  if (!memcmp(first, "skip", 4)) { emit("skipped", 7); return 0; }
  char *b = malloc(n + 1);
  memcpy(b, first, n < 4 ? n : 4);
  uint32_t got = n < 4 ? n : 4;
  while (got < n) { ssize_t r = read(0, b + got, n - got); if (r <= 0) return 3; got += r; }
  for (uint32_t i = 0; i < n / 2; i++) { char t = b[i]; b[i] = b[n - 1 - i]; b[n - 1 - i] = t; }
  emit(b, n);
  return 0;
}
"""


class InputSizes(RunnerTestCase):
    """The input reaches the program whole, whether it fits the stdin pipe before the program starts
    (the runner grows the pipe for inputs up to 256 KiB) or streams in while the program reads."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.exe = compile_c(cls.tmp.path, "echo", ECHO_ARTIFACT)
        cls.pol = write(os.path.join(cls.tmp.path, "p.json"), json.dumps(base_policy()))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def run_with(self, data, sandboxed):
        inp = write(os.path.join(self.tmp.path, "in-%d.bin" % len(data)), data)
        world = ["--world", "run-os-sandboxed", "--policy", self.pol, "--i-accept-precompiled-artifact"] \
            if sandboxed else ["--world", "run-os"]
        _, rep = runner_report(["--artifact", self.exe, "--input", inp, "--max-output-bytes", "4000000"] + world,
                               expect_exit=0)
        self.assertTrue(rep["ok"], rep["trap"])
        return x07test.b64d(rep["solve_output_b64"])

    def test_sizes_around_the_pipe_buffers(self):
        for size in (0, 3, 65531, 65532, 200000, 262140, 262141, 1500000):
            data = os.urandom(size)
            for sandboxed in (False, True):
                self.assertEqual(self.run_with(data, sandboxed), data[::-1], (size, sandboxed))

    def test_program_that_never_reads_its_input(self):
        for size in (100, 200000, 1500000):
            data = b"skip" + bytes(size)
            for sandboxed in (False, True):
                self.assertEqual(self.run_with(data, sandboxed), b"skipped", (size, sandboxed))


class CompileReports(RunnerTestCase):
    """Compile-side report fields (runner.md §2.4)."""

    @classmethod
    def setUpClass(cls):
        if not x07test.compiler_works():
            raise unittest.SkipTest("x07 compiler cannot build programs yet")
        cls.tmp = TempDir()
        cls.prog = write_program(cls.tmp.path, ["bytes.lit", "hi"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_c_size_limit(self):
        _, rep = runner_report(["--program", self.prog, "--max-c-bytes", "10"], expect_exit=1)
        c = rep["compile"]
        self.assertRegex(c["compile_error"], r"^Budget: C source too large: max_c_bytes=10 got \d+ \(set "
                                             r"X07_MAX_C_BYTES=<bytes> or pass --max-c-bytes <bytes>\)$")
        self.assertIsNone(rep["solve"])
        self.assertIsNone(c["compiled_exe"])

    def test_x07_error_with_diagnostics_and_hint(self):
        bad = write_program(self.tmp.path, ["bytes.lit", "x"], name="unk.x07.json", imports=["no.such.module"])
        _, rep = runner_report(["--program", bad], expect_exit=1)
        c = rep["compile"]
        self.assertTrue(c["compile_error"].startswith("Parse: "), c["compile_error"])
        self.assertTrue(c["compile_error"].endswith("\n\nhint: x07 pkg provides no.such.module"), c["compile_error"])
        self.assertEqual(c["c_source_size"], 0)
        self.assertIsNone(c["fuel_used"])
        self.assertGreaterEqual(len(c["diagnostics"]), 1)
        # x07diag's x07ast location has no file: the file travels in data.file (as upstream does).
        d = c["diagnostics"][0]
        self.assertEqual(d["loc"], {"kind": "x07ast", "ptr": "/imports/0"})
        self.assertEqual(d["data"], {"file": bad})
        self.assertEqual(c["native_requires"]["requires"], [])

    def test_c_toolchain_failure(self):
        # A fresh cache so the (failing) compiler is really invoked.
        with TempDir() as cache:
            _, rep = runner_report(["--program", self.prog], expect_exit=1,
                                   env={"X07_CC": "x07-no-such-cc", "X07_NATIVE_CACHE_DIR": cache})
        c = rep["compile"]
        self.assertEqual(c["compile_error"], "C toolchain failed (exit=1)")
        err = x07test.b64d(c["stderr_b64"]).decode()
        self.assertTrue(err.startswith("--- x07 cc invocation ---\ncc: x07-no-such-cc\n\n--- cc argv ---\n"), err)
        self.assertIn("\n--- tmp paths ---\nsrc: ", err)

    def test_size_profile_and_debug_borrow_build(self):
        _, plain = runner_report(["--program", self.prog], expect_exit=0)
        _, small = runner_report(["--program", self.prog, "--cc-profile", "size"], expect_exit=0)
        self.assertNotEqual(small["compile"]["compiled_exe"], plain["compile"]["compiled_exe"])
        self.assertLess(small["compile"]["compiled_exe_size"], plain["compile"]["compiled_exe_size"])
        _, dbg = runner_report(["--program", self.prog, "--debug-borrow-checks"], expect_exit=0)
        self.assertEqual(x07test.b64d(dbg["solve"]["solve_output_b64"]), b"hi")


if __name__ == "__main__":
    unittest.main()
