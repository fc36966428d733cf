"""The authoring loop with the real binaries: `x07 check`, `x07 fmt`, `x07 test`.

check: clean project, typo in a function (file:line:col + help), --json x07diag report
validated against the real schema, --program, bad inputs. fmt: canonical order and
bytes, --check/--write/--pretty, idempotence, directories, not-x07AST files. test: the
`x07 init` scaffold passes out of the box, pass/fail/xfail/skip verdicts and upstream's
exit codes, --filter/--exact/--list/--allow-empty, sandboxed tests with a policy,
compile failures, bad manifests (ETEST_* codes), --json report shape and --report-out.
"""
import json
import os
import shutil
import tempfile
import unittest

import x07test

APP_OK = {
    "schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "app", "imports": [],
    "decls": [
        {"kind": "export", "names": ["app.solve"]},
        {"kind": "defn", "name": "app.solve", "params": [{"name": "b", "ty": "bytes_view"}], "result": "bytes",
         "body": ["view.to_bytes", "b"]},
    ],
}

# Unformatted on purpose: decls out of order, duplicate/unsorted imports and export
# names, an unknown field, a padded doc string.
MESSY = """{
  "schema_version": "x07.x07ast@0.8.0",
  "kind": "module",
  "module_id": "m",
  "imports": ["std.bytes", "std.bytes", "app"],
  "decls": [
    {"kind": "defn", "name": "m.z", "params": [], "result": "i32", "body": 1, "doc": "  last  ", "note": "dropped"},
    {"kind": "export", "names": ["m.z", "m.a"]},
    {"kind": "defn", "name": "m.a", "params": [{"name": "x", "ty": "i32"}], "result": "i32",
     "body": ["+", "x", 1]}
  ]
}
"""
MESSY_CANONICAL = (
    '{"decls":[{"kind":"export","names":["m.a","m.z"]},'
    '{"body":["+","x",1],"kind":"defn","name":"m.a","params":[{"name":"x","ty":"i32"}],"result":"i32"},'
    '{"body":1,"doc":"last","kind":"defn","name":"m.z","params":[],"result":"i32"}],'
    '"imports":["app","std.bytes"],"kind":"module","module_id":"m","schema_version":"x07.x07ast@0.8.0"}\n')

TESTS_MODULE = {
    "schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "t", "imports": ["std.test"],
    "decls": [
        {"kind": "export", "names": ["t.ok", "t.bad", "t.eq", "t.status_skip", "t.fs_read", "t.status_raw"]},
        {"kind": "defn", "name": "t.ok", "params": [], "result": "result_i32", "body": ["std.test.pass"]},
        {"kind": "defn", "name": "t.bad", "params": [], "result": "result_i32", "body": ["std.test.fail", 7]},
        {"kind": "defn", "name": "t.eq", "params": [], "result": "result_i32",
         "body": ["std.test.assert_i32_eq", ["+", 2, 2], 4, ["std.test.code_assert_i32_eq"]]},
        {"kind": "defn", "name": "t.status_skip", "params": [], "result": "bytes", "body": ["std.test.status_skip"]},
        {"kind": "defn", "name": "t.status_raw", "params": [], "result": "bytes", "body": ["bytes.lit", "xyz"]},
        # Reads a file relative to the manifest dir (the runner's cwd for tests).
        {"kind": "defn", "name": "t.fs_read", "params": [], "result": "result_i32",
         "body": ["std.test.assert_bytes_eq", ["os.fs.read_file", ["bytes.lit", "data.txt"]],
                  ["bytes.lit", "hello"], 1]},
    ],
}


def write_json(path, doc):
    x07test.write(path, json.dumps(doc, indent=2) + "\n")


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="x07auth_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def x07(self, args, cwd=None, **kw):
        return x07test.run_x07(args, cwd=cwd or self.dir, **kw)

    def init_project(self, name="proj"):
        root = os.path.join(self.dir, name)
        p = self.x07(["init", root])
        self.assertEqual(p.returncode, 0, p.stderr)
        return root


class CheckTest(Base):
    def test_clean_project_is_silent_and_exits_0(self):
        root = self.init_project()
        p = self.x07(["check"], cwd=root)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"", b""))

    def test_typo_names_file_line_col_pointer_and_help(self):
        root = self.init_project()
        app = json.loads(json.dumps(APP_OK))
        app["decls"][1]["body"] = ["view.to_bytess", "b"]
        write_json(os.path.join(root, "src", "app.x07.json"), app)
        p = self.x07(["check"], cwd=root)
        self.assertEqual(p.returncode, 1)
        err = p.stderr.decode()
        self.assertRegex(err, r'error\[X07-TYPE-CALL-0001\]: src/app\.x07\.json:\d+:\d+: .*view\.to_bytess')
        self.assertIn('did you mean "view.to_bytes"', err)
        self.assertIn("(at /decls/1/body", err)
        self.assertIn("\nhelp: ", err)
        self.assertEqual(p.stdout, b"")

    def test_json_report_validates_against_x07diag_schema(self):
        root = self.init_project()
        app = json.loads(json.dumps(APP_OK))
        app["decls"][1]["body"] = ["view.to_bytess", "b"]
        write_json(os.path.join(root, "src", "app.x07.json"), app)
        p = self.x07(["check", "--json"], cwd=root)
        self.assertEqual(p.returncode, 1)
        doc = json.loads(p.stdout)
        x07test.validate(doc, "x07diag.schema.json")
        self.assertFalse(doc["ok"])
        d = doc["diagnostics"][0]
        self.assertEqual((d["code"], d["stage"], d["loc"]), ("X07-TYPE-CALL-0001", "type",
                                                            {"kind": "x07ast", "ptr": "/decls/1/body"}))
        ok = self.x07(["check", "--json"], cwd=self.init_project("clean"))
        self.assertEqual(ok.returncode, 0)
        x07test.validate(json.loads(ok.stdout), "x07diag.schema.json")

    def test_checks_unreachable_declarations_too(self):
        root = self.init_project()
        app = json.loads(json.dumps(APP_OK))
        app["decls"].append({"kind": "defn", "name": "app.unused", "params": [], "result": "i32",
                             "body": ["bytes.len", 5]})
        write_json(os.path.join(root, "src", "app.x07.json"), app)
        p = self.x07(["check"], cwd=root)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("src/app.x07.json", p.stderr.decode())

    def test_program_mode_and_module_root(self):
        src = os.path.join(self.dir, "lib")
        write_json(os.path.join(src, "app.x07.json"), APP_OK)
        main = os.path.join(self.dir, "main.x07.json")
        write_json(main, {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
                          "imports": ["app"], "decls": [], "solve": ["app.solve", "input"]})
        p = self.x07(["check", "--program", main])
        self.assertEqual(p.returncode, 1)
        self.assertIn("app", p.stderr.decode())
        p = self.x07(["check", "--program", main, "--module-root", src])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_missing_project_and_bad_flags(self):
        empty = os.path.join(self.dir, "empty")
        os.makedirs(empty)
        p = self.x07(["check"], cwd=empty)
        self.assertEqual(p.returncode, 2)
        self.assertIn("help: run `x07 init`", p.stderr.decode())
        p = self.x07(["check", "--program", "nope.x07.json"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("nope.x07.json", p.stderr.decode())
        p = self.x07(["check", "--module-root", "src"])
        self.assertEqual(p.returncode, 2)

    def test_not_json_entry_is_a_parse_diagnostic(self):
        main = os.path.join(self.dir, "main.x07.json")
        x07test.write(main, "{ not json")
        p = self.x07(["check", "--program", main])
        self.assertEqual(p.returncode, 1)
        self.assertIn("error[X07-PARSE-0001]", p.stderr.decode())


class FmtTest(Base):
    def test_canonical_bytes_and_idempotence(self):
        f = os.path.join(self.dir, "m.x07.json")
        x07test.write(f, MESSY)
        p = self.x07(["fmt", "--check", f])
        self.assertEqual(p.returncode, 1)
        self.assertIn("file is not formatted: " + f, p.stderr.decode())
        with open(f) as fh:
            self.assertEqual(fh.read(), MESSY, "--check must not change the file")
        p = self.x07(["fmt", "--write", f])
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(f) as fh:
            self.assertEqual(fh.read(), MESSY_CANONICAL)
        p = self.x07(["fmt", "--check", f])
        self.assertEqual((p.returncode, p.stderr), (0, b""))

    def test_pretty_is_multiline_and_stable(self):
        f = os.path.join(self.dir, "m.x07.json")
        x07test.write(f, MESSY)
        self.assertEqual(self.x07(["fmt", "--write", "--pretty", f]).returncode, 0)
        with open(f) as fh:
            text = fh.read()
        self.assertEqual(json.loads(text), json.loads(MESSY_CANONICAL))
        self.assertTrue(text.startswith('{\n  "decls": [\n'), text[:40])
        self.assertEqual(self.x07(["fmt", "--check", "--pretty", f]).returncode, 0)
        self.assertEqual(self.x07(["fmt", "--check", f]).returncode, 1)

    def test_canonical_decl_order_and_loop_contract_pointers(self):
        f = os.path.join(self.dir, "k.x07.json")
        write_json(f, {
            "schema_version": "x07.x07ast@0.9.0", "kind": "module", "module_id": "k", "imports": [],
            "decls": [
                {"kind": "defenum", "name": "k.E", "variants": [{"name": "A"}, {"name": "B", "payload": "i32"}]},
                {"kind": "defrecord", "name": "k.R", "fields": [{"name": "x", "ty": "i32"}]},
                {"kind": "defn", "name": "k.b", "params": [], "result": "i32", "body": 0,
                 "loop_contracts": [{"ptr": "/decls/2/body", "invariant": [{"expr": 1}], "decreases": []}]},
                {"kind": "defn", "name": "k.a", "params": [], "result": "i32", "body": 0},
                {"kind": "extern", "abi": "C", "name": "k.c_fn", "params": [], "result": "void"},
            ]})
        self.assertEqual(self.x07(["fmt", "--write", f]).returncode, 0)
        with open(f) as fh:
            doc = json.load(fh)
        kinds = [(d["kind"], d["name"]) for d in doc["decls"]]
        self.assertEqual(kinds, [("extern", "k.c_fn"), ("defn", "k.a"), ("defn", "k.b"),
                                 ("defrecord", "k.R"), ("defenum", "k.E")])
        self.assertEqual(doc["decls"][0]["link_name"], "c_fn")
        self.assertEqual(doc["decls"][2]["loop_contracts"][0]["ptr"], "/decls/2/body")

    def test_directories_are_walked_and_skip_build_dirs(self):
        d = os.path.join(self.dir, "tree")
        x07test.write(os.path.join(d, "a", "one.x07.json"), MESSY)
        x07test.write(os.path.join(d, "target", "skip.x07.json"), MESSY)
        x07test.write(os.path.join(d, "notes.json"), "{}")
        p = self.x07(["fmt", "--check", d])
        self.assertEqual(p.returncode, 1)
        err = p.stderr.decode()
        self.assertIn("one.x07.json", err)
        self.assertNotIn("skip.x07.json", err)
        self.assertEqual(self.x07(["fmt", "--write", "--input", d]).returncode, 0)
        self.assertEqual(self.x07(["fmt", "--check", d]).returncode, 0)

    def test_files_that_are_not_x07ast(self):
        bad = os.path.join(self.dir, "bad.x07.json")
        x07test.write(bad, '{"schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "m",'
                           ' "imports": [], "decls": [{"kind": "defn", "name": "m.f", "params": [],'
                           ' "result": "i32", "body": ["has space"]}]}')
        p = self.x07(["fmt", "--check", bad])
        self.assertEqual(p.returncode, 1)
        err = p.stderr.decode()
        self.assertRegex(err, r"error\[X07-FMT-PARSE\]: .*bad\.x07\.json:1:\d+: .*whitespace")
        self.assertIn("/decls/0/body", err)
        self.assertIn("help:", err)
        notjson = os.path.join(self.dir, "x.x07.json")
        x07test.write(notjson, "[1,")
        self.assertEqual(self.x07(["fmt", "--write", notjson]).returncode, 1)
        with open(notjson) as fh:
            self.assertEqual(fh.read(), "[1,", "a file that does not parse is never rewritten")

    def test_usage_errors(self):
        f = os.path.join(self.dir, "m.x07.json")
        x07test.write(f, MESSY_CANONICAL)
        self.assertEqual(self.x07(["fmt", f]).returncode, 2)
        self.assertEqual(self.x07(["fmt", "--check", "--write", f]).returncode, 2)
        self.assertEqual(self.x07(["fmt", "--check"]).returncode, 2)
        p = self.x07(["fmt", "--check", os.path.join(self.dir, "missing")])
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing", p.stderr.decode())


@unittest.skipUnless(x07test.compiler_works(), "no working C compiler")
class TestCommandTest(Base):
    def make_suite(self, tests, extra_files=()):
        root = self.init_project()
        write_json(os.path.join(root, "tests", "t.x07.json"), TESTS_MODULE)
        write_json(os.path.join(root, "tests", "tests.json"),
                   {"schema_version": "x07.tests_manifest@0.2.0", "tests": tests})
        for name, data in extra_files:
            x07test.write(os.path.join(root, "tests", name), data)
        return root

    def test_init_scaffold_passes_out_of_the_box(self):
        root = self.init_project()
        p = self.x07(["test"], cwd=root)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(b"1 passed, 0 failed", p.stdout)

    def test_verdicts_exit_codes_and_json_report(self):
        root = self.make_suite([
            {"id": "a/ok", "world": "run-os", "entry": "t.ok"},
            {"id": "b/eq", "world": "run-os", "entry": "t.eq"},
            {"id": "c/bad_expected", "world": "run-os", "entry": "t.bad", "expect": "fail"},
            {"id": "d/skip", "world": "run-os", "entry": "t.status_skip", "returns": "bytes_status_v1"},
            {"id": "e/skipped", "world": "run-os", "entry": "t.bad", "expect": "skip"},
            {"id": "f/fs", "world": "run-os", "entry": "t.fs_read"},
        ], extra_files=[("data.txt", "hello")])
        out = os.path.join(self.dir, "report.json")
        p = self.x07(["test", "--json", "--report-out", out], cwd=root)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        with open(out) as fh:
            self.assertEqual(json.load(fh), doc)
        self.assertEqual(doc["schema_version"], "x07.x07test@0.4.0")
        self.assertEqual(list(doc), ["schema_version", "tool", "invocation", "summary", "tests"])
        s = doc["summary"]
        self.assertEqual((s["passed"], s["failed"], s["skipped"], s["xfail_failed"], s["errors"]), (3, 0, 2, 1, 0))
        by_id = {t["id"]: t for t in doc["tests"]}
        self.assertEqual([t["id"] for t in doc["tests"]], sorted(by_id))
        self.assertEqual(by_id["c/bad_expected"]["status"], "xfail_fail")
        self.assertEqual(by_id["c/bad_expected"]["run"]["failure_code_u32"], 7)
        self.assertEqual(by_id["a/ok"]["entry_kind"], "defn")
        self.assertTrue(by_id["a/ok"]["compile"]["ok"])
        for t in doc["tests"]:
            self.assertLessEqual({"id", "world", "expect", "status", "duration_ms", "entry_kind"}, set(t))

    def test_solve_pure_and_fixture_worlds_run(self):
        root = self.make_suite([
            {"id": "pure", "world": "solve-pure", "entry": "t.eq"},
            {"id": "fixture", "world": "solve-fs", "entry": "t.ok", "fixture_root": "fx"},
        ], extra_files=[("fx/a.txt", "a")])
        p = self.x07(["test", "--json"], cwd=root)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        by_id = {t["id"]: t for t in json.loads(p.stdout)["tests"]}
        self.assertEqual((by_id["pure"]["status"], by_id["pure"]["world"]), ("pass", "solve-pure"))
        self.assertEqual((by_id["fixture"]["status"], by_id["fixture"]["world"]), ("pass", "solve-fs"))

    def test_failing_test_exit_10_and_text_summary(self):
        root = self.make_suite([
            {"id": "ok", "world": "run-os", "entry": "t.ok"},
            {"id": "bad", "world": "run-os", "entry": "t.bad"},
        ])
        p = self.x07(["test"], cwd=root)
        self.assertEqual(p.returncode, 10, p.stdout + p.stderr)
        out = p.stdout.decode()
        self.assertIn("FAIL  bad", out)
        self.assertIn("failure code 7", out)
        self.assertIn("1 passed, 1 failed", out)

    def test_filter_exact_list_allow_empty(self):
        root = self.make_suite([
            {"id": "grp/ok", "world": "run-os", "entry": "t.ok"},
            {"id": "grp/bad", "world": "run-os", "entry": "t.bad"},
        ])
        p = self.x07(["test", "--filter", "ok"], cwd=root)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(b"1 passed, 0 failed", p.stdout)
        p = self.x07(["test", "--list"], cwd=root)
        self.assertEqual(p.stdout, b"grp/bad\trun-os\tpass\tt.bad\ngrp/ok\trun-os\tpass\tt.ok\n")
        p = self.x07(["test", "--filter", "grp", "--exact"], cwd=root)
        self.assertEqual(p.returncode, 12)
        self.assertIn("--allow-empty", p.stderr.decode())
        p = self.x07(["test", "--filter", "grp", "--exact", "--allow-empty"], cwd=root)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_sandboxed_test_uses_its_policy(self):
        root = self.init_project()
        self.assertEqual(self.x07(["policy", "init", "--template", "cli"], cwd=root).returncode, 0)
        write_json(os.path.join(root, "tests", "t.x07.json"), TESTS_MODULE)
        write_json(os.path.join(root, "tests", "tests.json"), {
            "schema_version": "x07.tests_manifest@0.2.0",
            "tests": [{"id": "sbx", "world": "run-os-sandboxed", "entry": "t.ok",
                       "policy_json": "../.x07/policies/base/cli.sandbox.base.policy.json"}]})
        p = self.x07(["test", "--json"], cwd=root)
        # `..` is not a safe manifest path: upstream rejects it the same way.
        self.assertEqual(p.returncode, 12)
        shutil.copy(os.path.join(root, ".x07/policies/base/cli.sandbox.base.policy.json"),
                    os.path.join(root, "tests", "policy.json"))
        write_json(os.path.join(root, "tests", "tests.json"), {
            "schema_version": "x07.tests_manifest@0.2.0",
            "tests": [{"id": "sbx", "world": "run-os-sandboxed", "entry": "t.ok", "policy_json": "policy.json"}]})
        p = self.x07(["test", "--json"], cwd=root)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        t = json.loads(p.stdout)["tests"][0]
        self.assertEqual((t["world"], t["status"]), ("run-os-sandboxed", "pass"))

    def test_compile_failure_exit_11(self):
        root = self.make_suite([{"id": "raw", "world": "run-os", "entry": "t.status_raw"}])
        p = self.x07(["test", "--json"], cwd=root)  # bytes entry with returns=result_i32
        self.assertEqual(p.returncode, 11, p.stdout + p.stderr)
        t = json.loads(p.stdout)["tests"][0]
        self.assertEqual((t["status"], t["compile"]["ok"]), ("error", False))
        self.assertEqual(t["diags"][0]["code"], "ETEST_COMPILE")

    def test_bad_status_bytes_are_an_error(self):
        root = self.make_suite([{"id": "raw", "world": "run-os", "entry": "t.status_raw",
                                 "returns": "bytes_status_v1"}])
        p = self.x07(["test", "--json"], cwd=root)
        self.assertEqual(p.returncode, 10, p.stdout + p.stderr)
        t = json.loads(p.stdout)["tests"][0]
        self.assertEqual((t["status"], t["diags"][0]["code"]), ("error", "EBAD_STATUS"))

    def test_bad_manifests(self):
        root = self.init_project()
        manifest = os.path.join(root, "tests", "tests.json")
        cases = [
            ("{ nope", "ETEST_MANIFEST_JSON"),
            ('{"schema_version": "x07.tests_manifest@9", "tests": [{"id": "a", "world": "run-os", "entry": "a.b"}]}',
             "ETEST_SCHEMA_VERSION"),
            ('{"schema_version": "x07.tests_manifest@0.2.0", "tests": []}', "ETEST_TESTS_EMPTY"),
            ('{"schema_version": "x07.tests_manifest@0.2.0", "tests": [{"id": "a", "world": "mars", "entry": "a.b"}]}',
             "ETEST_WORLD_INVALID"),
            ('{"schema_version": "x07.tests_manifest@0.2.0", "tests": [{"id": "a", "world": "run-os", "entry": "nodot"}]}',
             "ETEST_ENTRY_INVALID"),
            ('{"schema_version": "x07.tests_manifest@0.2.0", "tests": [{"id": "a", "world": "run-os", "entry": "a.b"},'
             ' {"id": "a", "world": "run-os", "entry": "a.b"}]}', "ETEST_ID_DUPLICATE"),
            ('{"schema_version": "x07.tests_manifest@0.2.0", "tests": [{"id": "a", "world": "run-os-sandboxed",'
             ' "entry": "a.b"}]}', "ETEST_POLICY_REQUIRED"),
            ('{"schema_version": "x07.tests_manifest@0.2.0", "tests": [{"id": "a", "world": "run-os",'
             ' "entry": "smoke.missing"}]}', "ETEST_ENTRY_INVALID"),
        ]
        for text, code in cases:
            with self.subTest(code=code, text=text[:40]):
                x07test.write(manifest, text)
                p = self.x07(["test", "--json"], cwd=root)
                self.assertEqual(p.returncode, 12, p.stderr)
                self.assertIn("error[" + code + "]", p.stderr.decode())
                self.assertIn("help:", p.stderr.decode())
                doc = json.loads(p.stdout)
                self.assertEqual((doc["tests"], doc["summary"]["errors"] >= 1), ([], True))
        p = self.x07(["test", "--manifest", os.path.join(root, "nope.json")], cwd=root)
        self.assertEqual(p.returncode, 12)
        self.assertIn("ETEST_MANIFEST_IO", p.stderr.decode())
        self.assertEqual(self.x07(["test", "--pbt"], cwd=root).returncode, 2)


if __name__ == "__main__":
    unittest.main()
