"""`x07 run` argument handling through a fake runner (facade.md §1): target selection,
profiles, world/runner, input modes and argv_v1, the runner argv order, reports and
exit codes. No program is compiled here; test_facade_init.py runs real programs."""
import glob
import json
import os
import shutil
import stat
import tempfile
import unittest

import x07test
from facade_helpers import FakeToolchain, argv_v1, make_project, read_bytes

DEFAULT_TAIL = ["--solve-fuel", "50000000", "--max-memory-bytes", "67108864", "--auto-ffi"]


class RunTestCase(unittest.TestCase):
    def setUp(self):
        self.tc = FakeToolchain()
        self.proj = os.path.join(self.tc.work, "proj")
        os.makedirs(self.proj)

    def tearDown(self):
        self.tc.close()

    def x07(self, args, cwd=None, **kw):
        return self.tc.run(["run"] + list(args), cwd=cwd or self.proj, **kw)

    def assertFails(self, args, message, code=2, cwd=None, **kw):
        p, rec = self.x07(args, cwd=cwd, **kw)
        self.assertEqual(p.returncode, code, p.stderr)
        self.assertEqual(p.stdout, b"")
        self.assertEqual(x07test.error_message(p.stderr), message)
        self.assertIsNone(rec, "the runner must not be started")

    def assertUsage(self, args, contains, cwd=None):
        p, rec = self.x07(args, cwd=cwd)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, b"")
        self.assertIn(contains, p.stderr.decode())
        self.assertIn("usage: x07 run", p.stderr.decode())
        x07test.error_lines(p.stderr)
        self.assertIsNone(rec)


class TargetsAndArgv(RunTestCase):
    def test_default_argv_for_a_fresh_project(self):
        make_project(self.proj)
        p, rec = self.x07([])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b'{"fake": true}\n')
        manifest = os.path.join(os.path.realpath(self.proj), "x07.json")
        self.assertEqual(rec["argv"], ["--cc-profile", "default", "--world", "run-os", "--compat", "0.5"] +
                         DEFAULT_TAIL + ["--project", manifest])
        self.assertEqual(rec["stdin"], "", "runner stdin is the null device")

    def test_full_argv_order(self):
        make_project(self.proj)
        x07test.write(os.path.join(self.proj, "pol.json"), json.dumps(x07test.base_policy()))
        p, rec = self.x07(["--project", "x07.json", "--no-auto-ffi", "--cc-profile", "size", "--attest-runtime",
                           "att.json", "--i-accept-weaker-isolation", "--sandbox-backend", "native", "--policy",
                           "pol.json", "--world", "run-os-sandboxed", "--debug-borrow-checks",
                           "--cpu-time-limit-seconds", "10", "--max-output-bytes", "9", "--max-memory-bytes", "8",
                           "--solve-fuel", "7", "--input", "in.bin", "--compiled-out", "out.bin", "--max-c-bytes",
                           "5", "--compat", "current"])
        self.assertEqual(p.returncode, 0, p.stderr)
        root = os.path.realpath(self.proj)
        self.assertEqual(rec["argv"], [
            "--cc-profile", "size", "--world", "run-os-sandboxed", "--compat", "0.5", "--max-c-bytes", "5",
            "--compiled-out", "out.bin", "--input", "in.bin", "--solve-fuel", "7", "--max-memory-bytes", "8",
            "--max-output-bytes", "9", "--cpu-time-limit-seconds", "10", "--debug-borrow-checks",
            "--policy", os.path.join(root, "pol.json"), "--sandbox-backend", "os", "--i-accept-weaker-isolation",
            "--attest-runtime", "att.json", "--project", "x07.json"])

    def test_project_dir_expands_and_discovery_walks_up(self):
        make_project(self.proj)
        p, rec = self.x07(["--project", "."])
        self.assertEqual(rec["argv"][-2:], ["--project", "./x07.json"])
        sub = os.path.join(self.proj, "src", "deep")
        os.makedirs(sub)
        p, rec = self.x07([], cwd=sub)
        self.assertEqual(rec["argv"][-1], os.path.join(os.path.realpath(self.proj), "x07.json"))
        # a single *.x07project.json also counts
        other = os.path.join(self.tc.work, "other")
        make_project(other)
        os.rename(os.path.join(other, "x07.json"), os.path.join(other, "app.x07project.json"))
        p, rec = self.x07([], cwd=other)
        self.assertEqual(rec["argv"][-1], os.path.join(os.path.realpath(other), "app.x07project.json"))
        os.makedirs(os.path.join(other, "dir.x07project.json"))  # not a file: does not count
        p, rec = self.x07([], cwd=other)
        self.assertEqual(rec["argv"][-1], os.path.join(os.path.realpath(other), "app.x07project.json"))
        # a symlink to one counts as that file; two of them: ambiguous, so none is taken
        linked = os.path.join(self.tc.work, "linked")
        os.makedirs(linked)
        os.symlink(os.path.join(other, "app.x07project.json"), os.path.join(linked, "l.x07project.json"))
        p, rec = self.x07([], cwd=linked)
        self.assertEqual(rec["argv"][-1], os.path.join(os.path.realpath(linked), "l.x07project.json"))
        os.symlink(os.path.join(other, "app.x07project.json"), os.path.join(linked, "m.x07project.json"))
        self.assertFails([], "no project found (pass --project, --program, or --artifact)", cwd=linked)

    def test_target_errors(self):
        self.assertFails(["--project", "a", "--program", "b.x07.json"],
                         "set exactly one of --project, --program, or --artifact")
        lonely = tempfile.mkdtemp(prefix="x07_lonely_")
        try:
            self.assertFails([], "no project found (pass --project, --program, or --artifact)", cwd=lonely)
            self.assertFails(["--artifact", "a.out", "--profile", "os"],
                             "--profile requires a project manifest (--project or a discovered x07.json)",
                             cwd=lonely)
        finally:
            shutil.rmtree(lonely)
        make_project(self.proj)
        self.assertFails(["--project", "x07.json", "--module-root", "m"], "--module-root is only valid with --program")

    def test_program_module_roots(self):
        lonely = tempfile.mkdtemp(prefix="x07_lonely_")
        try:
            x07test.write(os.path.join(lonely, "p", "main.x07.json"), "{}")
            p, rec = self.x07(["--program", "p/main.x07.json"], cwd=lonely)
            self.assertEqual(rec["argv"][-4:], ["--program", "p/main.x07.json", "--module-root", "p"])
            self.assertNotIn("--compat", rec["argv"])
            p, rec = self.x07(["--program", "p/main.x07.json", "--module-root", "a", "--module-root", "b"],
                              cwd=lonely)
            self.assertEqual(rec["argv"][-6:], ["--program", "p/main.x07.json", "--module-root", "a",
                                                "--module-root", "b"])
            x07test.write(os.path.join(lonely, "main.x07.json"), "{}")
            p, rec = self.x07(["--program", "main.x07.json"], cwd=lonely)
            self.assertEqual(rec["argv"][-2:], ["--module-root", "."])
        finally:
            shutil.rmtree(lonely)
        # inside a project with a valid lockfile: the project's roots
        make_project(self.proj)
        p, rec = self.x07(["--program", "src/main.x07.json"])
        self.assertEqual(rec["argv"][-4:], ["--program", "src/main.x07.json", "--module-root", "src"])

    def test_artifact_target(self):
        make_project(self.proj)
        p, rec = self.x07(["--artifact", "bin/a.out"])
        self.assertEqual(rec["argv"][-2:], ["--artifact", "bin/a.out"])
        x07test.write(os.path.join(self.proj, "pol.json"), json.dumps(x07test.base_policy()))
        self.assertFails(["--artifact", "a.out", "--world", "run-os-sandboxed", "--policy", "pol.json"],
                         "run-os-sandboxed does not support --artifact; use --program or --project so policy can "
                         "be enforced at compile time")

    def test_world_and_runner_rules(self):
        make_project(self.proj)
        p, rec = self.x07(["--os"])
        self.assertIn("run-os", rec["argv"])
        self.assertFails(["--host", "--os"], "--host and --os are mutually exclusive")
        self.assertFails(["--runner", "host"], "host runner is incompatible with --world run-os")
        self.assertFails(["--runner", "os", "--world", "solve-pure"], "os runner is incompatible with --world solve-pure")
        self.assertFails(["--world", "solve-fs", "--sandbox-backend", "os"],
                         "--sandbox-backend/--i-accept-weaker-isolation are only supported for OS worlds")
        self.assertFails(["--attest-runtime", "a.json"],
                         "--attest-runtime is only supported for --world run-os-sandboxed")
        self.assertFails(["--compile-only"], "--compile-only is only valid for deterministic solve worlds")
        p, _ = self.x07(["--world", "solve-pure"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("x07-host-runner", p.stderr.decode())
        self.assertUsage(["--runner", "os", "--os"], "cannot be used with")
        self.assertUsage(["--world", "mars"], "[possible values: solve-pure")

    def test_usage_errors_and_help(self):
        make_project(self.proj)
        self.assertUsage(["--bogus"], "error[X07_USAGE]: unexpected argument '--bogus' found")
        self.assertUsage(["--solve-fuel", "x"], "invalid value 'x' for '--solve-fuel <N>'")
        self.assertUsage(["--auto-ffi", "--no-auto-ffi"], "cannot be used with")
        self.assertUsage(["--input"], "a value is required for '--input <PATH>'")
        self.assertUsage(["--report", "yaml"], "[possible values: runner, wrapped, text]")
        self.assertUsage(["--quiet-json"], "--report-out <PATH>")
        p, _ = self.x07(["--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"Usage: x07 run [OPTIONS] [ARGS]...", p.stdout)
        p, _ = self.x07(["--version"], cwd=self.tc.work)
        self.assertEqual(p.returncode, 2, "--version is a top-level flag only")
        p = x07test.run([self.tc.x07, "--version"])
        self.assertEqual(p.stdout, b"x07 0.2.17\n")

    def test_flag_syntax(self):
        make_project(self.proj)
        eq = "the argument for option '--%s' should follow immediately after the equal sign"
        self.assertUsage(["--bogus=1"], "unexpected argument '--bogus=1' found")
        self.assertUsage(["--progra", "x"], "unexpected argument '--progra' found")  # no abbreviations
        self.assertUsage(["--program="], eq % "program")
        self.assertUsage(["--program", "--input="], eq % "program")
        self.assertUsage(["--="], "the argument for option should follow immediately after the equal sign")
        self.assertUsage(["--os=1"], "unexpected value for '--os'")
        # a repeated flag is named with its own placeholder (also flags with a dash in the name)
        self.assertUsage(["--report-out=a", "--report-out", "b"], "the argument '--report-out <PATH>' cannot be used")
        self.assertUsage(["--cc-profile=size", "--cc-profile=size"], "the argument '--cc-profile <PROFILE>' cannot be")
        self.assertUsage(["--os", "--os"], "the argument '--os' cannot be used multiple times")
        p, rec = self.x07(["--module-root=a", "--module-root", "b", "--program", "--x", "--", "arg"])
        self.assertEqual(p.returncode, 0, p.stderr)  # a value may look like a flag; roots repeat
        self.assertEqual(rec["argv"][-6:], ["--program", "--x", "--module-root", "a", "--module-root", "b"])

    def test_limits_compat_and_auto_ffi(self):
        make_project(self.proj, extra={"compat": ""})
        p, rec = self.x07([])
        self.assertNotIn("--compat", rec["argv"])
        p, rec = self.x07([], env={"X07_COMPAT": ""})
        self.assertEqual(rec["argv"][4:6], ["--compat", "0.5"])
        p, rec = self.x07(["--compat", "1.02.3"])
        self.assertEqual(rec["argv"][4:6], ["--compat", "1.2"])
        p, rec = self.x07(["--compat", "strict"])
        self.assertEqual(rec["argv"][4:6], ["--compat", "strict"])
        self.assertFails(["--compat", "nope"], 'resolve compat: invalid compat value "nope": expected "current", '
                                               '"strict", or MAJOR.MINOR[.PATCH]')
        p, rec = self.x07(["--no-auto-ffi"])
        self.assertNotIn("--auto-ffi", rec["argv"])

    def test_hydration_writes_minimal_lockfile(self):
        make_project(self.proj, lockfile=False)
        p, rec = self.x07(["--project", "x07.json"], env={"X07_PKG_INDEX_URL": " https://example.test/idx/ "})
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stderr.decode(), "x07 run: hydrated project dependencies via "
                                             "`x07 pkg lock --project x07.json`\n")
        lock = json.loads(read_bytes(os.path.join(self.proj, "x07.lock.json")))
        self.assertEqual(list(lock), ["schema_version", "toolchain", "registry", "dependencies"])
        self.assertEqual(lock["registry"]["index_url"], "https://example.test/idx/")
        self.assertEqual(lock["toolchain"]["compat"], "0.5")
        x07test.validate(lock, "x07-lock.schema.json")
        p, rec = self.x07(["--project", "x07.json"])
        self.assertEqual(p.stderr, b"", "no second hydration")


class Profiles(RunTestCase):
    def profiles(self, profiles, default=None, **kw):
        make_project(self.proj, profiles=profiles, default_profile=default)
        return self.x07(kw.get("args", []))

    def test_selection_order(self):
        os_p = {"world": "run-os", "solve_fuel": 1}
        dev = {"world": "run-os", "solve_fuel": 2}
        other = {"world": "run-os", "solve_fuel": 3}
        fuel = lambda rec: rec["argv"][rec["argv"].index("--solve-fuel") + 1]
        _, rec = self.profiles({"os": os_p, "dev": dev, "other": other}, default=" other ")
        self.assertEqual(fuel(rec), "3")
        _, rec = self.x07(["--profile", "os"])
        self.assertEqual(fuel(rec), "1")
        _, rec = self.profiles({"os": os_p, "dev": dev}, default="")
        self.assertEqual(fuel(rec), "2", "dev before os")
        _, rec = self.profiles({"os": os_p})
        self.assertEqual(fuel(rec), "1")
        _, rec = self.x07(["--profile", "os", "--solve-fuel", "9"])
        self.assertEqual(fuel(rec), "9", "flags beat the profile")

    def test_selection_errors(self):
        make_project(self.proj, profiles={"a": {"world": "run-os"}, "b": {"world": "run-os"}})
        self.assertFails([], "profiles present but default_profile missing; set default_profile or pass --profile")
        self.assertFails(["--profile", "zz"], 'unknown profile "zz" (available: a, b)')
        make_project(self.proj, profiles={})
        self.assertFails([], "profiles present but default_profile missing; set default_profile or pass --profile")
        make_project(self.proj)
        self.assertFails(["--profile", "os"], "--profile requires x07.json.profiles")

    def test_validation_of_the_selected_profile(self):
        cases = [
            ({"world": "mars"}, 'invalid profiles["p"].world "mars": unknown world: mars'),
            ({"world": "run-os-sandboxed"},
             'profiles["p"].policy is required when profiles["p"].world is run-os-sandboxed'),
            ({"world": "run-os", "policy": "x.json"},
             'profiles["p"].policy is only valid when profiles["p"].world is run-os-sandboxed'),
            ({"world": "run-os", "runner": "vm"},
             'invalid profiles["p"].runner: expected one of "auto", "host", or "os", got "vm"'),
            ({"world": "run-os", "cc_profile": "fast"},
             'invalid profiles["p"].cc_profile: expected one of "default" or "size", got "fast"'),
        ]
        for prof, msg in cases:
            # only the selected profile is validated: a broken sibling does not matter
            make_project(self.proj, profiles={"p": prof, "ok": {"world": "mars"}}, default_profile="p")
            with self.subTest(msg=msg):
                self.assertFails([], msg)
        make_project(self.proj, profiles={"p": {"world": "run-os"}, "ok": {"world": "mars"}}, default_profile="p")
        p, rec = self.x07([])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_parse_errors(self):
        make_project(self.proj, profiles={"p": {"policy": "x"}}, default_profile="p")
        p, _ = self.x07([])
        self.assertEqual(p.returncode, 2)
        manifest = os.path.join(os.path.realpath(self.proj), "x07.json")
        self.assertEqual(x07test.error_lines(p.stderr),
                         [("X07PROJECT_PARSE", "parse project JSON: %s: missing field `world`" % manifest)])
        make_project(self.proj, profiles={"p": {"world": "run-os", "solve_fuel": -1}}, default_profile="p")
        p, _ = self.x07([])
        self.assertIn("error[X07PROJECT_PARSE]: parse project JSON: ", p.stderr.decode())
        x07test.write(os.path.join(self.proj, "x07.json"), "{nope")
        p, _ = self.x07([])
        self.assertIn("error[X07PROJECT_PARSE]: parse project JSON: " + manifest + ": ", p.stderr.decode())

    def test_profile_fields_are_forwarded(self):
        _, rec = self.profiles({"p": {"world": "run-os", "cc_profile": "size", "auto_ffi": False, "solve_fuel": 11,
                                      "max_memory_bytes": 12, "max_output_bytes": 13, "cpu_time_limit_seconds": 14,
                                      "runner": "os"}}, default="p")
        self.assertEqual(rec["argv"][:6], ["--cc-profile", "size", "--world", "run-os", "--compat", "0.5"])
        self.assertEqual(rec["argv"][6:14], ["--solve-fuel", "11", "--max-memory-bytes", "12", "--max-output-bytes",
                                             "13", "--cpu-time-limit-seconds", "14"])
        self.assertNotIn("--auto-ffi", rec["argv"])


class Inputs(RunTestCase):
    def setUp(self):
        super().setUp()
        make_project(self.proj)

    def temp_dir_listing(self, d):
        return sorted(os.path.basename(p) for p in glob.glob(os.path.join(d, "x07_run_*")))

    def test_explicit_input_is_forwarded_verbatim(self):
        p, rec = self.x07(["--input", "data/in.bin"], input_bytes=b"ignored")
        self.assertEqual(rec["input_path"], "data/in.bin")

    def test_stdin_flag_b64_and_piped_stdin_use_temp_files(self):
        tmp = tempfile.mkdtemp(prefix="x07_tmpdir_")
        try:
            env = {"TMPDIR": tmp}
            for args, stdin, expect in [(["--stdin"], b"from stdin", b"from stdin"),
                                        (["--input-b64", "  aGk=\n"], b"", b"hi"),
                                        ([], b"piped", b"piped"),
                                        (["--"], b"piped2", b"piped2")]:
                with self.subTest(args=args):
                    p, rec = self.x07(args, input_bytes=stdin, env=env)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertEqual(bytes.fromhex(rec["input_hex"]), expect)
                    name = os.path.basename(rec["input_path"])
                    self.assertRegex(name, r"^x07_run_input_\d+_0\.bin$")
                    self.assertEqual(os.path.dirname(rec["input_path"]), tmp)
                    self.assertFalse(os.path.exists(rec["input_path"]), "temp input must be deleted")
            self.assertEqual(self.temp_dir_listing(tmp), [])
        finally:
            shutil.rmtree(tmp)

    def test_argv_v1_layout_and_target_dir(self):
        os.makedirs(os.path.join(self.proj, "target"))
        p, rec = self.x07(["--", "tool", "--help"])
        data = bytes.fromhex(rec["input_hex"])
        self.assertEqual(data.hex(), "02000000" "04000000" "746f6f6c" "06000000" "2d2d68656c70")
        self.assertEqual(len(data), 22)
        self.assertEqual(os.path.dirname(rec["input_path"]), os.path.join(os.path.realpath(self.proj), "target"))
        self.assertRegex(os.path.basename(rec["input_path"]), r"^x07_run_argv_v1_\d+_0\.bin$")
        self.assertEqual(os.listdir(os.path.join(self.proj, "target")), [])
        # the first positional starts the program argv; later flags belong to it
        p, rec = self.x07(["--solve-fuel", "5", "tool", "--solve-fuel", "6", "é", ""])
        self.assertEqual(bytes.fromhex(rec["input_hex"]), argv_v1(["tool", "--solve-fuel", "6", "é", ""]))
        self.assertEqual(rec["argv"][rec["argv"].index("--solve-fuel") + 1], "5")

    def test_precedence(self):
        x07test.write(os.path.join(self.proj, "prof.bin"), b"profile bytes")
        make_project(self.proj, profiles={"p": {"world": "run-os", "input": "prof.bin"}}, default_profile="p")
        sub = os.path.join(self.proj, "src")
        p, rec = self.x07([], cwd=sub, input_bytes=b"piped loses to profile")
        self.assertEqual(rec["input_path"], os.path.join(os.path.realpath(self.proj), "prof.bin"))
        p, rec = self.x07(["--", "a"], input_bytes=b"x")
        self.assertEqual(bytes.fromhex(rec["input_hex"]), argv_v1(["a"]))
        p, rec = self.x07(["--input-b64", "eA=="], input_bytes=b"y")
        self.assertEqual(bytes.fromhex(rec["input_hex"]), b"x")
        p, rec = self.x07(["--input", "f.bin"], input_bytes=b"y")
        self.assertEqual(rec["input_path"], "f.bin")

    def test_no_input(self):
        p, rec = self.x07([], input_bytes=b"")
        self.assertNotIn("--input", rec["argv"])

    def test_conflicts_and_errors(self):
        self.assertUsage(["--input", "a", "--stdin"], "cannot be used with")
        self.assertUsage(["--input-b64", "eA==", "--stdin"], "cannot be used with")
        self.assertUsage(["--input", "a", "--", "x"], "cannot be used with trailing program arguments")
        p, rec = self.x07(["--input-b64", "!!!"])
        self.assertEqual(p.returncode, 2)
        self.assertTrue(x07test.error_message(p.stderr).startswith("decode --input-b64: "), p.stderr)
        self.assertIsNone(rec)


class ReportsAndExitCodes(RunTestCase):
    def setUp(self):
        super().setUp()
        make_project(self.proj)

    def test_runner_report_verbatim_and_stderr_passthrough(self):
        body = b'{\n  "weird":   [1,2],\n  "x": "\xc3\xa9"\n}\n'
        p, rec = self.x07([], runner_stdout=body, env={"FAKE_RUNNER_STDERR": "runner says hi\n"})
        self.assertEqual(p.stdout, body)
        self.assertEqual(p.stderr, b"runner says hi\n")

    def test_exit_codes(self):
        for code in (1, 2, 7):
            p, _ = self.x07([], runner_exit=code)
            self.assertEqual(p.returncode, code)
        p, _ = self.x07([], env={"FAKE_RUNNER_SIGNAL": "1"})
        self.assertEqual(p.returncode, 2)

    def test_missing_runner(self):
        os.remove(os.path.join(self.tc.bin, "x07-os-runner"))
        p, _ = self.x07([], env={"PATH": "/nonexistent"})
        self.assertEqual(p.returncode, 2)
        self.assertEqual(x07test.error_message(p.stderr), "exec x07-os-runner: No such file or directory (os error 2)")

    def test_wrapped_layout(self):
        body = b'{\n  "a": 1,\n  "b": {\n    "c": []\n  }\n}\n'
        p, _ = self.x07(["--report", "wrapped"], runner_stdout=body)
        root = os.path.realpath(self.proj)
        stdlib_roots = json.loads(p.stdout)["target"]["resolved_module_roots"][1:]
        expected = ('{\n  "schema_version": "x07.run.report@0.3.0",\n  "runner": "os",\n  "world": "run-os",\n'
                    '  "target": {\n    "kind": "project",\n    "path": "%s/x07.json",\n    "project_root": "%s",\n'
                    '    "lockfile": "%s/x07.lock.json",\n    "resolved_module_roots": [\n      "%s/src"%s\n'
                    '    ]\n  },\n  "report": {\n  "a": 1,\n  "b": {\n    "c": []\n  }\n}\n}\n') % (
            root, root, root, root, "".join(',\n      "%s"' % r for r in stdlib_roots))
        self.assertEqual(p.stdout.decode(), expected)
        self.assertEqual(len(stdlib_roots), 1)
        self.assertTrue(stdlib_roots[0].endswith("stdlib/os/0.2.0/modules"))

    def test_wrapped_program_and_artifact_targets(self):
        p, _ = self.x07(["--report", "wrapped", "--artifact", "a.out"], runner_stdout=b"{}\n")
        doc = json.loads(p.stdout)
        self.assertEqual(doc["target"], {"kind": "artifact", "path": "a.out", "project_root": None,
                                         "lockfile": None, "resolved_module_roots": []})
        p, _ = self.x07(["--report", "wrapped", "--program", "src/main.x07.json"], runner_stdout=b"{}\n")
        target = json.loads(p.stdout)["target"]
        self.assertEqual(target["kind"], "program")
        self.assertEqual(target["project_root"], os.path.realpath(self.proj))
        self.assertEqual(target["resolved_module_roots"][0], "src")
        self.assertNotIn("repair", doc, "x07 run never repairs")

    def test_wrapped_failures(self):
        for out, msg in [(b"", "parse runner report JSON: "), (b"{bad", "parse runner report JSON: "),
                         (b"\xff{}", "runner report is not utf-8")]:
            p, _ = self.x07(["--report", "wrapped", "--repair", "write"], runner_stdout=out)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(p.stdout, b"")
            self.assertTrue(x07test.error_message(p.stderr).startswith(msg), p.stderr)

    def test_report_out_and_quiet(self):
        out = os.path.join(self.tc.work, "reports", "deep", "r.json")
        p, _ = self.x07(["--report-out", out], runner_stdout=b'{"r": 1}\n', runner_exit=1)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, b'{"r": 1}\n')
        self.assertEqual(read_bytes(out), b'{"r": 1}\n')
        os.remove(out)
        p, _ = self.x07(["--quiet-json", "--report-out", out, "--report", "wrapped"], runner_stdout=b'{"r": 2}\n')
        self.assertEqual(p.stdout, b"")
        self.assertEqual(json.loads(read_bytes(out))["report"], {"r": 2})
        # global flags may also come before the subcommand
        p = x07test.run([self.tc.x07, "--report-out", out, "--quiet-json", "run"], cwd=self.proj,
                        env={"FAKE_RUNNER_LOG": self.tc.log})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"")
        self.assertFails(["--report-out", "-"], "--report-out '-' is not supported (stdout is reserved for the report)")

    def test_repair_flags_never_touch_sources(self):
        src = os.path.join(self.proj, "src", "main.x07.json")
        messy = b'{ "solve": ["view.to_bytes","input"], "kind":"entry", "module_id":"main", "imports":[], "decls":[],' \
                b' "schema_version":"x07.x07ast@0.8.0" }'
        x07test.write(src, messy)
        for mode in ("write", "memory", "off"):
            p, rec = self.x07(["--repair", mode, "--repair-max-iters", "5"])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(rec["argv"][-2], "--project")
        self.assertEqual(read_bytes(src), messy)


if __name__ == "__main__":
    unittest.main()
