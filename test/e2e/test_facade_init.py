"""`x07 init` (facade.md §5) and the first-run flow with the real binaries:
init → run (echo program; stdin and argv_v1 input) → policy init → sandboxed run,
with wrapped reports validated against the published schemas."""
import base64
import json
import os
import unittest

import jsonschema

import x07test
from facade_helpers import argv_v1, read_bytes

X07_JSON = """{
  "compat": "0.5",
  "default_profile": "os",
  "dependencies": [],
  "entry": "src/main.x07.json",
  "lockfile": "x07.lock.json",
  "module_roots": [
    "src"
  ],
  "profiles": {
    "os": {
      "auto_ffi": true,
      "world": "run-os"
    },
    "sandbox": {
      "auto_ffi": true,
      "policy": ".x07/policies/base/cli.sandbox.base.policy.json",
      "world": "run-os-sandboxed"
    }
  },
  "schema_version": "x07.project@0.5.0",
  "world": "run-os"
}
"""

LOCK = """{
  "schema_version": "x07.lock@0.4.0",
  "toolchain": {
    "x07_version": "0.2.17",
    "x07c_version": "0.2.17",
    "lang_id": "x07-core@0.2.0",
    "compat": "0.5"
  },
  "registry": {
    "index_url": "%s"
  },
  "dependencies": []
}
"""

# The scaffolded program greets its arguments like examples/hello.
APP = '{"decls":[{"kind":"export","names":["app.solve"]},{"body":["begin",["let","out",["vec_u8.with_capacity",64]],["let","n",["view.len","args"]],["let","argc",["if",[">=u","n",4],["codec.read_u32_le","args",0],0]],["if",[">u","argc","n"],["set","argc","n"],["set","argc","argc"]],["let","off",4],["let","greeted",0],["for","i",0,"argc",["if",["<=u",["+","off",4],"n"],["begin",["let","len",["codec.read_u32_le","args","off"]],["if",["<=u","len",["-","n",["+","off",4]]],["begin",["set","out",["vec_u8.extend_bytes","out",["bytes.lit","Hello, "]]],["set","out",["vec_u8.extend_bytes","out",["view.slice","args",["+","off",4],"len"]]],["set","out",["vec_u8.extend_bytes","out",["bytes.lit","!\\n"]]],["set","greeted",["+","greeted",1]]],["set","greeted","greeted"]],["set","off",["+","off",["+",4,"len"]]]],["set","off","n"]]],["if",["=","greeted",0],["set","out",["vec_u8.extend_bytes","out",["bytes.lit","Hello, world!\\n"]]],["set","greeted","greeted"]],["vec_u8.into_bytes","out"]],"doc":"Greets each program argument (argv_v1 input: `x07 run -- Ada Grace`) with \\"Hello, <arg>!\\\\n\\", or \\"Hello, world!\\\\n\\" when there are none.","kind":"defn","name":"app.solve","params":[{"name":"args","ty":"bytes_view"}],"result":"bytes"}],"imports":[],"kind":"module","module_id":"app","schema_version":"x07.x07ast@0.8.0"}\n'
MAIN = ('{"decls":[],"imports":["app"],"kind":"entry","module_id":"main","schema_version":"x07.x07ast@0.8.0",'
        '"solve":["app.solve","input"]}\n')
GITIGNORE = ("# X07 deps + generated artifacts\n.x07/deps/\n.x07/tmp/\n.x07/policies/_generated/\n\n"
             "# Build outputs\ntarget/\ndist/\nartifacts/\n\n# Editor noise\n.DS_Store\n*.log\n")
CREATED = ["x07.json", "x07.lock.json", "src/app.x07.json", "src/main.x07.json", "tests/tests.json",
           "tests/smoke.x07.json"]


x07 = x07test.run_x07  # the real facade binary


def wrapped_validator():
    registry = x07test.schema_registry()
    return jsonschema.Draft202012Validator(x07test.load_schema("x07-run.report.schema.json"), registry=registry)


class Init(unittest.TestCase):
    def test_files_and_report(self):
        with x07test.TempDir() as d:
            p = x07(["init", "app"], cwd=d, env={"X07_PKG_INDEX_URL": None})
            self.assertEqual(p.returncode, 0, p.stderr)
            root = os.path.join(os.path.realpath(d), "app")
            self.assertEqual(p.stdout.decode(), json.dumps(
                {"ok": True, "command": "init", "root": root, "created": CREATED + [".gitignore"],
                 "next_steps": ["x07 run", "x07 policy init --template cli", "x07 run --profile sandbox"]},
                separators=(",", ":")) + "\n")
            self.assertEqual(read_bytes(os.path.join(root, "x07.json")).decode(), X07_JSON)
            self.assertEqual(read_bytes(os.path.join(root, "x07.lock.json")).decode(),
                             LOCK % "sparse+https://registry.x07.io/index/")
            self.assertEqual(read_bytes(os.path.join(root, "src/app.x07.json")).decode(), APP)
            self.assertEqual(read_bytes(os.path.join(root, "src/main.x07.json")).decode(), MAIN)
            self.assertEqual(read_bytes(os.path.join(root, ".gitignore")).decode(), GITIGNORE)
            tests = json.loads(read_bytes(os.path.join(root, "tests/tests.json")))
            self.assertEqual(tests["tests"][0]["id"], "smoke/pass")
            x07test.validate(json.loads(X07_JSON), "x07-project.schema.json")
            x07test.validate(json.loads(read_bytes(os.path.join(root, "x07.lock.json"))), "x07-lock.schema.json")
            # no policy is created by plain init
            self.assertFalse(os.path.exists(os.path.join(root, ".x07")))

    def test_index_url_env_and_refusal(self):
        with x07test.TempDir() as d:
            p = x07(["init"], cwd=d, env={"X07_PKG_INDEX_URL": "  https://mirror.test/ "})
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(read_bytes(os.path.join(d, "x07.lock.json")).decode(), LOCK % "https://mirror.test/")
            os.remove(os.path.join(d, "src/app.x07.json"))
            p = x07(["init"], cwd=d)
            self.assertEqual(p.returncode, 20)
            rep = json.loads(p.stdout)
            self.assertEqual(list(rep), ["ok", "command", "root", "created", "error"])
            self.assertEqual(rep["error"], {"code": "X07INIT_EXISTS", "message":
                                            "refusing to overwrite existing paths: x07.json, x07.lock.json, "
                                            "src/main.x07.json, tests/tests.json, tests/smoke.x07.json"})
            self.assertFalse(os.path.exists(os.path.join(d, "src/app.x07.json")), "nothing written on refusal")

    def test_gitignore_is_completed_not_replaced(self):
        with x07test.TempDir() as d:
            x07test.write(os.path.join(d, ".gitignore"), "node_modules/\r\ntarget/\r\n*.log")
            p = x07(["init"], cwd=d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(".gitignore", json.loads(p.stdout)["created"])
            self.assertEqual(read_bytes(os.path.join(d, ".gitignore")).decode(),
                             "node_modules/\ntarget/\n*.log\n.x07/deps/\n.x07/tmp/\n.x07/policies/_generated/\n"
                             "dist/\nartifacts/\n.DS_Store\n")
        with x07test.TempDir() as d:
            x07test.write(os.path.join(d, ".gitignore"), GITIGNORE)
            p = x07(["init"], cwd=d)
            self.assertNotIn(".gitignore", json.loads(p.stdout)["created"])

    def test_report_out(self):
        with x07test.TempDir() as d:
            out = os.path.join(d, "reports", "init.json")
            p = x07(["--report-out", out, "init", "--quiet-json", "proj"], cwd=d)
            self.assertEqual((p.returncode, p.stdout), (0, b""))
            self.assertEqual(json.loads(read_bytes(out))["created"][0], "x07.json")
            p = x07(["init", "--report-out", "-"], cwd=d)
            self.assertEqual(x07test.error_message(p.stderr), "--report-out '-' is not supported (stdout is reserved for the report)")

    def test_help_and_version_everywhere(self):
        with x07test.TempDir() as d:
            for args, usage in [(["--help"], b"Usage: x07 [OPTIONS] <COMMAND>"),
                                (["run", "--help"], b"Usage: x07 run [OPTIONS] [ARGS]..."),
                                (["policy", "--help"], b"Usage: x07 policy <COMMAND>"),
                                (["policy", "init", "--help"], b"Usage: x07 policy init [OPTIONS] --template"),
                                (["init", "--help"], b"Usage: x07 init [OPTIONS] [DIR]"),
                                (["bundle", "--help"], b"Usage: x07 bundle [OPTIONS] --out <PATH>"),
                                (["bundle", "-h"], b"Usage: x07 bundle [OPTIONS] --out <PATH>")]:
                p = x07(args, cwd=d)
                self.assertEqual(p.returncode, 0, args)
                self.assertIn(usage, p.stdout)
            self.assertEqual(os.listdir(d), [], "--help has no side effects")
            self.assertEqual(x07(["--version"], cwd=d).stdout, b"x07 0.2.17\n")
            self.assertEqual(x07(["-V"], cwd=d).stdout, b"x07 0.2.17\n")
            p = x07([], cwd=d)
            self.assertEqual((p.returncode, p.stdout), (2, b""))
            p = x07(["frobnicate"], cwd=d)
            self.assertEqual(p.returncode, 2)
            self.assertIn(b"error[X07_USAGE]: unrecognized subcommand 'frobnicate'", p.stderr)

    def test_errors(self):
        with x07test.TempDir() as d:
            x07test.write(os.path.join(d, "src"), "a file")
            p = x07(["init"], cwd=d)
            self.assertEqual(p.returncode, 20)
            self.assertEqual(json.loads(p.stdout)["error"]["code"], "X07INIT_SRC")
            p = x07(["init", "--template", "cli"], cwd=d)
            self.assertEqual((p.returncode, json.loads(p.stdout)["error"]["code"]), (20, "X07INIT_ARGS"))
            p = x07(["init", "a", "b"], cwd=d)
            self.assertEqual(p.returncode, 2)
            self.assertIn(b"unexpected argument 'b'", p.stderr)


@unittest.skipUnless(x07test.compiler_works(), "compiler not available yet")
class FirstRun(unittest.TestCase):
    def test_init_run_policy_sandbox(self):
        with x07test.TempDir() as d:
            self.assertEqual(x07(["init"], cwd=d).returncode, 0)
            src = read_bytes(os.path.join(d, "src/main.x07.json"))

            p = x07(["run"], cwd=d)
            self.assertEqual(p.returncode, 0, p.stderr)
            rep = json.loads(p.stdout)
            x07test.validate(rep, "x07-os-runner.report.schema.json")
            self.assertEqual(rep["mode"], "project-compile-run")
            self.assertEqual(base64.b64decode(rep["solve"]["solve_output_b64"]), b"Hello, world!\n")

            p = x07(["run", "--", "Ada", "--help"], cwd=d)
            self.assertEqual(base64.b64decode(json.loads(p.stdout)["solve"]["solve_output_b64"]),
                             b"Hello, Ada!\nHello, --help!\n")
            p = x07(["run", "--report", "text"], cwd=d, input_bytes=b"not argv_v1 bytes")
            self.assertEqual((p.returncode, p.stdout), (0, b"Hello, world!\n"), p.stderr)

            p = x07(["run", "--profile", "sandbox"], cwd=d)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(x07test.error_message(p.stderr), "missing policy file: %s/.x07/policies/base/cli.sandbox.base.policy.json"
                             % os.path.realpath(d))

            self.assertEqual(x07(["policy", "init", "--template", "cli"], cwd=d).returncode, 0)
            p = x07(["run", "--profile", "sandbox", "--report", "wrapped", "--", "sandboxed"], cwd=d)
            self.assertEqual(p.returncode, 0, p.stderr)
            wrapped = json.loads(p.stdout)
            wrapped_validator().validate(wrapped)
            x07test.validate(wrapped["report"], "x07-os-runner.report.schema.json")
            self.assertEqual(wrapped["world"], "run-os-sandboxed")
            self.assertEqual(wrapped["report"]["world"], "run-os-sandboxed")
            self.assertEqual(base64.b64decode(wrapped["report"]["solve"]["solve_output_b64"]), b"Hello, sandboxed!\n")
            self.assertEqual(list(wrapped), ["schema_version", "runner", "world", "target", "report"])

            # derived policy end to end: the runner accepts what the facade derived
            p = x07(["run", "--profile", "sandbox", "--allow-read-root", "data", "--allow-write-root", "tmp"], cwd=d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(b"x07 run: using derived policy ", p.stderr)

            # a failing program: exit 1 from the runner, report still printed
            x07test.write(os.path.join(d, "src/main.x07.json"),
                          '{"decls":[],"imports":[],"kind":"entry","module_id":"main",'
                          '"schema_version":"x07.x07ast@0.8.0","solve":["no.such.fn","input"]}\n')
            p = x07(["run"], cwd=d)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertFalse(json.loads(p.stdout)["compile"]["ok"])
            x07test.write(os.path.join(d, "src/main.x07.json"), src)


if __name__ == "__main__":
    unittest.main()
