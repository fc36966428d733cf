"""`x07 bundle` (facade.md §6) with the real binaries: the bundle report, argv_v1 from
the process arguments with the bundle name as token 0, raw stdout, exit status, output
cap, and sandbox bundles that embed the policy environment (defaults the parent environment
may override, never the world markers) and enforce the effective policy with the kernel sandbox."""
import json
import os
import subprocess
import unittest

import x07test
from facade_helpers import argv_v1, read_bytes

# Reads data.txt through std.os.fs and answers "read=<err code>;" followed by its input bytes.
READER = {
    "schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
    "imports": ["std.os.fs", "std.os.fs.spec"], "decls": [],
    "solve": ["begin",
              ["let", "v", ["vec_u8.with_capacity", 64]],
              ["set", "v", ["vec_u8.extend_bytes", "v", ["bytes.view_lit", "read="]]],
              ["set", "v", ["vec_u8.extend_bytes", "v", ["fmt.u32_to_dec", ["result_bytes.err_code",
                            ["std.os.fs.read_all_v1", ["bytes.lit", "data.txt"],
                             ["std.os.fs.spec.caps_default_v1"]]]]]],
              ["set", "v", ["vec_u8.push", "v", 59]],
              ["set", "v", ["vec_u8.extend_bytes", "v", "input"]],
              ["process.set_exit_code_v1", 3],
              ["vec_u8.into_bytes", "v"]],
}


x07 = x07test.run_x07  # the real facade binary


@unittest.skipUnless(x07test.compiler_works(), "compiler not available yet")
class Bundle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = x07test.TempDir()
        cls.root = os.path.realpath(cls.tmp.path)
        cls.proj = os.path.join(cls.root, "tool")
        os.makedirs(cls.proj)
        assert x07(["init"], cwd=cls.proj).returncode == 0
        x07test.write(os.path.join(cls.proj, "src", "main.x07.json"), json.dumps(READER))
        x07test.write(os.path.join(cls.proj, "data.txt"), "secret\n")
        for t in ("cli", "worker"):
            assert x07(["policy", "init", "--template", t], cwd=cls.proj).returncode == 0

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def bundle(self, args, expect=0):
        p = x07(["bundle"] + list(args), cwd=self.proj)
        if expect is None:
            return p, None
        self.assertEqual(p.returncode, expect, p.stderr)
        return p, (json.loads(p.stdout) if expect in (0, 1) else None)

    def run_bundle(self, exe, args=(), env=None):
        return x07test.run([os.path.join(self.proj, exe)] + list(args), cwd=self.proj, env=env)

    def test_os_bundle(self):
        p, rep = self.bundle(["--out", "dist/mytool"])
        self.assertEqual(list(rep), ["schema_version", "runner", "world", "target", "bundle", "report"])
        self.assertEqual((rep["schema_version"], rep["runner"], rep["world"]),
                         ("x07.bundle.report@0.4.0", "host", "run-os"))
        self.assertEqual(rep["target"]["kind"], "project")
        self.assertEqual(rep["target"]["project_root"], self.proj)
        self.assertEqual(rep["target"]["lockfile"], os.path.join(self.proj, "x07.lock.json"))
        self.assertEqual(rep["bundle"], {"out": "dist/mytool", "name": "mytool", "abi": {"kind": "argv_v1"},
                                         "policy": None, "emit_dir": None, "kind": "native", "guest": None})
        self.assertEqual(list(rep["bundle"]), ["out", "name", "abi", "policy", "emit_dir", "kind", "guest"])
        inner = rep["report"]
        self.assertEqual(list(inner), sorted(inner))
        self.assertEqual((inner["schema_version"], inner["mode"], inner["exit_code"], inner["solve"]),
                         ("x07-host-runner.report@0.3.0", "project-compile", 0, None))
        self.assertTrue(inner["compile"]["ok"])
        self.assertTrue(p.stdout.endswith(b"}\n"))

        r = self.run_bundle("dist/mytool", ["--help", "é"])
        self.assertEqual(r.returncode, 3, "the program's exit code")
        self.assertEqual(r.stdout, b"read=0;" + argv_v1(["mytool", "--help", "é"]))
        self.assertEqual(r.stderr, b"", "no metrics line, no frame")
        r = self.run_bundle("dist/mytool")
        self.assertEqual(r.stdout, b"read=0;" + argv_v1(["mytool"]))

    def test_report_out(self):
        out = os.path.join(self.root, "bundle-report.json")
        p, _ = self.bundle(["--out", "dist/rep", "--report-out", out, "--quiet-json"], expect=None)
        self.assertEqual((p.returncode, p.stdout), (0, b""), p.stderr)
        self.assertEqual(json.loads(read_bytes(out))["bundle"]["name"], "rep")

    def test_out_dir_naming_and_output_cap(self):
        os.makedirs(os.path.join(self.proj, "bin"), exist_ok=True)
        p, rep = self.bundle(["--out", "bin", "--max-output-bytes", "4"])
        self.assertEqual((rep["bundle"]["out"], rep["bundle"]["name"]), ("bin/tool", "tool"))
        r = self.run_bundle("bin/tool")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (2, b"", b"x07 bundle: output exceeded cap\n"))

    def test_program_target(self):
        p, rep = self.bundle(["--program", "src/main.x07.json", "--module-root", "src", "--out", "dist/"])
        self.assertEqual(rep["bundle"]["name"], "app")
        self.assertEqual(rep["report"]["mode"], "compile")
        self.assertEqual(rep["target"]["resolved_module_roots"][0], "src")
        r = self.run_bundle("dist/app", ["x"])
        self.assertEqual(r.stdout, b"read=0;" + argv_v1(["app", "x"]))

    def test_errors(self):
        cases = [
            (["--project", "x07.json", "--module-root", "m", "--out", "o"],
             "--module-root is only valid with --program"),
            (["--out", "o", "--sandbox-backend", "os"],
             "--sandbox-backend/--i-accept-weaker-isolation are only supported for --world run-os-sandboxed"),
            (["--profile", "sandbox", "--sandbox-backend", "vm", "--out", "o"], "sandbox_backend=vm is not available"),
            (["--out", "o", "--allow-host", "a:1"],
             "--allow-host/--deny-host/--allow-read-root/--allow-write-root requires run-os-sandboxed "
             "(policy-enforced OS world)"),
            ([], "missing --out <PATH> for output executable"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                p = x07(["bundle"] + args, cwd=self.proj)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, b"")
                self.assertTrue(x07test.error_message(p.stderr).startswith(msg), p.stderr)
        lonely = os.path.join(self.root, "lonely")
        os.makedirs(lonely, exist_ok=True)
        x07test.write(os.path.join(lonely, "main.x07.json"), json.dumps(READER))
        p = x07(["bundle", "--program", "main.x07.json", "--out", "o"], cwd=lonely)
        self.assertEqual(x07test.error_message(p.stderr), "--program requires explicit --module-root")
        p = x07(["bundle", "--out", "o"], cwd=lonely)
        self.assertEqual(x07test.error_message(p.stderr), "no project found (pass --project or --program)")

    def test_sandbox_bundle_embeds_and_enforces_policy(self):
        p, rep = self.bundle(["--profile", "sandbox", "--out", "dist/sbx", "--emit-dir", "dist/emit"])
        pol = rep["bundle"]["policy"]
        base = os.path.join(self.proj, ".x07/policies/base/cli.sandbox.base.policy.json")
        self.assertEqual((pol["base_policy"], pol["effective_policy"]), (base, base))
        keys = pol["embedded_env_keys"]
        self.assertEqual(keys[:4], ["X07_WORLD", "X07_OS_SANDBOXED", "X07_OS_FS", "X07_OS_NET"])
        self.assertEqual(keys[-1], "X07_OS_NET_ALLOW_HOSTS")
        self.assertEqual(rep["bundle"]["emit_dir"], "dist/emit")
        emitted = sorted(os.listdir(os.path.join(self.proj, "dist/emit")))
        self.assertEqual(emitted, ["bundle.combined.c", "policy.used.json", "program.freestanding.c", "report.json",
                                   "wrapper.main.c"])
        self.assertEqual(read_bytes(os.path.join(self.proj, "dist/emit/report.json")), p.stdout)
        self.assertEqual(read_bytes(os.path.join(self.proj, "dist/emit/policy.used.json")), read_bytes(base))
        r = self.run_bundle("dist/sbx", ["a"])
        self.assertEqual(r.stdout, b"read=0;" + argv_v1(["sbx", "a"]), r.stderr)

        # worker policy: fs disabled. The parent environment cannot turn the sandbox off (the
        # world markers are forced) but may override policy values, as upstream's bundles
        # allow; the kernel sandbox then enforces the effective policy.
        self.bundle(["--world", "run-os-sandboxed", "--policy", ".x07/policies/base/worker.sandbox.base.policy.json",
                     "--out", "dist/w"])
        off = {"X07_WORLD": "run-os", "X07_OS_SANDBOXED": "0"}
        for env in (None, off):
            denied = self.run_bundle("dist/w", env=env)
            self.assertEqual(denied.returncode, 3, denied.stderr)
            self.assertTrue(denied.stdout.startswith(b"read="))
            self.assertNotEqual(denied.stdout[:7], b"read=0;")
        widened = self.run_bundle("dist/w", env=dict(off, X07_OS_FS="1", X07_OS_FS_READ_ROOTS="."))
        self.assertEqual(widened.stdout[:7], b"read=0;", widened.stderr)

    def test_sandbox_bundle_with_derived_policy(self):
        p, rep = self.bundle(["--world", "run-os-sandboxed", "--policy", ".x07/policies/base/cli.sandbox.base.policy.json",
                              "--allow-write-root", "tmp", "--out", "dist/derived"])
        self.assertIn("x07 bundle: using derived policy " + os.path.join(self.proj, ".x07/policies/_generated/"),
                      p.stderr.decode())
        pol = rep["bundle"]["policy"]
        self.assertNotEqual(pol["base_policy"], pol["effective_policy"])
        self.assertEqual(json.loads(read_bytes(pol["effective_policy"]))["fs"]["write_roots"], ["out", "tmp"])


if __name__ == "__main__":
    unittest.main()
