"""x07-os-runner --project: manifest + lockfile loading, the project directory as the
program's working directory, and the documented error texts (runner.md §1.2 step 18,
facade.md §5.4-5.5)."""
import json
import os
import unittest

import x07test
from x07test import RunnerTestCase, TempDir, runner_report, write

LOCK = {
    "schema_version": "x07.lock@0.4.0",
    "toolchain": {"x07_version": "0.2.17", "x07c_version": "0.2.17", "lang_id": "x07-core@0.2.0", "compat": "0.5"},
    "registry": {"index_url": "sparse+https://registry.x07.io/index/"},
    "dependencies": [],
}


def manifest(**over):
    m = {"schema_version": "x07.project@0.5.0", "compat": "0.5", "world": "run-os", "entry": "src/main.x07.json",
         "module_roots": ["src"], "dependencies": [], "lockfile": "x07.lock.json"}
    m.update(over)
    return json.dumps(m)


def entry_reading(path):
    return json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
                       "imports": ["greet"], "decls": [],
                       "solve": ["bytes.concat", ["greet.prefix"], ["os.fs.read_file", ["bytes.lit", path]]]})


GREET = json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "greet", "imports": [],
                    "decls": [{"kind": "export", "names": ["greet.prefix"]},
                              {"kind": "defn", "name": "greet.prefix", "params": [], "result": "bytes",
                               "body": ["bytes.lit", "data="]}]})


class ProjectErrors(RunnerTestCase):
    """Loader errors need no compiler."""

    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.path
        write(os.path.join(self.d, "x07.json"), manifest())
        write(os.path.join(self.d, "src", "main.x07.json"), entry_reading("data.txt"))

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def test_missing_manifest(self):
        missing = os.path.join(self.d, "nope", "x07.json")
        self.assertRunnerError(["--project", missing],
                               "read project: %s: No such file or directory (os error 2)" % missing)

    def test_manifest_checks(self):
        path = os.path.join(self.d, "x07.json")
        write(path, manifest(schema_version="x07.project@9"))
        self.assertRunnerError(["--project", path],
                               'project schema_version mismatch: expected one of ["x07.project@0.2.0", '
                               '"x07.project@0.3.0", "x07.project@0.4.0", "x07.project@0.5.0"] got "x07.project@9"')
        write(path, manifest(entry="src/main.json"))
        self.assertRunnerError(["--project", path], 'project entry must be a *.x07.json file, got "src/main.json"')
        write(path, manifest(module_roots=["../elsewhere"]))
        self.assertRunnerError(["--project", path],
                               "project.module_roots[0] must not contain '..' segments: \"../elsewhere\"")
        write(path, '{"schema_version": "x07.project@0.5.0"}')
        self.assertRunnerError(["--project", path],
                               "parse project JSON: %s: missing field `world` at line 1 column 39" % path)

    def test_lockfile_errors(self):
        lock = os.path.join(self.d, "x07.lock.json")
        write(lock, "{oops")
        self.assertRunnerError(["--project", self.d],
                               "[X07LOCK_PARSE] parse lockfile JSON: %s (hint: run `x07 pkg lock`): key must be a "
                               "string at line 1 column 2" % lock)
        write(lock, json.dumps({"schema_version": "x07.lock@0.4.0", "dependencies": []}))
        self.assertRunnerError(["--project", self.d],
                               "[X07LOCK_SCHEMA] lockfile is missing required field toolchain")
        write(os.path.join(self.d, "x07.json"),
              manifest(dependencies=[{"name": "dep", "version": "1.0.0", "path": "deps/dep"}]))
        os.remove(lock)
        self.assertRunnerError(["--project", self.d],
                               "[X07LOCK_READ] read lockfile: %s (hint: run `x07 pkg lock`): No such file or "
                               "directory (os error 2)" % lock)

    def test_missing_entry(self):
        write(os.path.join(self.d, "x07.json"), manifest(entry="src/other.x07.json"))
        entry = os.path.join(self.d, "src", "other.x07.json")
        self.assertRunnerError(["--project", self.d],
                               "[X07ENTRY_READ] read entry: %s (hint: check x07.json `entry`): No such file or "
                               "directory (os error 2)" % entry)


class ProjectRuns(RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        if not x07test.compiler_works():
            raise unittest.SkipTest("x07 compiler cannot build programs yet")

    def test_runs_in_project_dir_with_module_roots(self):
        with TempDir() as d, TempDir() as elsewhere:
            proj = os.path.join(d, "proj")
            write(os.path.join(proj, "x07.json"), manifest())
            write(os.path.join(proj, "x07.lock.json"), json.dumps(LOCK))
            write(os.path.join(proj, "src", "main.x07.json"), entry_reading("data.txt"))
            write(os.path.join(proj, "src", "greet.x07.json"), GREET)
            write(os.path.join(proj, "data.txt"), "from project dir")
            write(os.path.join(elsewhere, "data.txt"), "from caller cwd")
            # A relative manifest path, resolved from the caller's cwd.
            rel = os.path.relpath(os.path.join(proj, "x07.json"), elsewhere)
            _, rep = runner_report(["--project", rel, "--compile-only"], expect_exit=0, cwd=elsewhere)
            self.assertEqual(rep["mode"], "project-compile-run")
            self.assertIsNotNone(rep["solve"], "--compile-only is ignored in project mode")
            self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), b"data=from project dir")
            # A directory names its x07.json.
            _, rep = runner_report(["--project", proj], expect_exit=0)
            self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), b"data=from project dir")


if __name__ == "__main__":
    unittest.main()
