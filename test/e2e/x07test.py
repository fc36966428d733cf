"""Shared helpers for the end-to-end tests (stdlib + jsonschema only).

Environment (set by ctest): X07_BIN_DIR (built binaries), X07_SOURCE_ROOT (repo),
X07_SCHEMAS_DIR (upstream JSON schemas), X07_NATIVE_CACHE_DIR (artifact cache).

Every report a test obtains through `runner_report` / `x07_report` is validated
against the upstream schema before the test sees it.
"""
import base64
import copy
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import jsonschema
from referencing import Registry, Resource

REPO = os.environ.get("X07_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN_DIR = os.environ.get("X07_BIN_DIR", os.path.join(REPO, "build", "bin"))
SCHEMAS_DIR = os.environ.get("X07_SCHEMAS_DIR", os.path.join(os.path.dirname(REPO), "shared", "schemas"))


def runner_path():
    return os.path.join(BIN_DIR, "x07-os-runner")


def x07_path():
    return os.path.join(BIN_DIR, "x07")


# ---------------------------------------------------------------- schemas

@functools.lru_cache(maxsize=None)
def load_schema(name):
    """The upstream schema `name`. They ship beside the repository (../shared/schemas), not
    in it: on a bare clone the schema checks are skipped, but never under CI."""
    path = os.path.join(SCHEMAS_DIR, name)
    if not os.path.isfile(path) and not os.environ.get("CI"):
        raise unittest.SkipTest("upstream schema %s not found (set X07_SCHEMAS_DIR)" % path)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def _validator(name):
    schema = copy.deepcopy(load_schema(name))
    if name == "x07-os-runner.report.schema.json":
        # runner.md §8.2: upstream labels an explicitly accepted `none` backend "none",
        # a value outside the schema's enum; our runner keeps that label.
        schema["$defs"]["sandbox_backend"]["enum"].append("none")
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=schema_registry())


# Schemas other schemas reference by $id (the reports' diagnostics are x07diag ones).
_REFERENCED_SCHEMAS = ("x07diag.schema.json", "x07-os-runner.report.schema.json")


def schema_registry():
    """A registry holding the real upstream schemas that reports reference by $id."""
    resources = []
    for name in _REFERENCED_SCHEMAS:
        schema = load_schema(name)
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def schemas_available():
    return os.path.isdir(SCHEMAS_DIR) or bool(os.environ.get("CI"))


def validate(doc, schema_name):
    """Raises AssertionError listing every schema violation. On a bare clone without
    ../shared/schemas only this check is left out (never under CI)."""
    if not schemas_available():
        return
    errors = sorted(_validator(schema_name).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        lines = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "<root>", e.message) for e in errors[:10]]
        raise AssertionError("report does not match %s:\n  %s" % (schema_name, "\n  ".join(lines)))


# ---------------------------------------------------------------- running

def run(argv, input_bytes=None, env=None, cwd=None, timeout=120):
    full_env = dict(os.environ)
    if env:
        for k, v in env.items():
            if v is None:
                full_env.pop(k, None)
            else:
                full_env[k] = v
    # Never inherit the test runner's stdin: `x07 run` reads piped stdin as program input.
    stdin = {"input": input_bytes} if input_bytes is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=full_env, cwd=cwd, timeout=timeout, **stdin)


def run_runner(args, **kw):
    return run([runner_path()] + list(args), **kw)


def runner_report(args, expect_exit=None, **kw):
    """Runs x07-os-runner, parses + schema-validates the report. Returns (proc, report)."""
    p = run_runner(args, **kw)
    if expect_exit is not None and p.returncode != expect_exit:
        raise AssertionError("x07-os-runner %s: exit %d (expected %d)\nstdout: %s\nstderr: %s" % (
            " ".join(args), p.returncode, expect_exit, p.stdout[:2000].decode("utf-8", "replace"),
            p.stderr[:2000].decode("utf-8", "replace")))
    try:
        report = json.loads(p.stdout)
    except ValueError as e:
        raise AssertionError("stdout is not a JSON report (%s): %r\nstderr: %r" % (e, p.stdout[:500], p.stderr[:2000]))
    validate(report, "x07-os-runner.report.schema.json")
    if not p.stdout.endswith(b"}\n"):
        raise AssertionError("report must end with a single newline")
    return p, report


def outcome(args, env, fields):
    """Compiles and runs with the runner (args, env): the compile error text when the program
    does not compile, else the tuple of the report's solve `fields`. Differential tests compare
    outcomes of one program under two compiler settings."""
    _, rep = runner_report(args, env=env)
    if not rep["compile"]["ok"]:
        return rep["compile"]["compile_error"]
    return tuple(rep["solve"][f] for f in fields)


ERROR_LINE = re.compile(r"^error\[([A-Za-z0-9_.-]+)\]: (.*)$")


def error_lines(stderr):
    """The (code, text) of every `error[CODE]: text` line, checking each is followed by
    at least one `help: ...` line (the toolchain's one error style)."""
    lines = stderr.decode("utf-8", "replace").split("\n")
    out = []
    for i, line in enumerate(lines):
        m = ERROR_LINE.match(line)
        if not m:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("help: ") or len(lines[i + 1]) <= 6:
            raise AssertionError("error line without a help: line after it: %r" % stderr.decode("utf-8", "replace"))
        out.append((m.group(1), m.group(2)))
    return out


def error_message(stderr):
    """The text of the single error of a failed command (after `error[CODE]: `)."""
    errs = error_lines(stderr)
    if len(errs) != 1:
        raise AssertionError("expected exactly one error line, got %r" % stderr.decode("utf-8", "replace"))
    return errs[0][1]


def run_x07(args, **kw):
    return run([x07_path()] + list(args), **kw)


def x07_report(args, schema_name, expect_exit=None, **kw):
    """Runs the x07 facade, parses stdout as JSON and validates it against `schema_name`."""
    p = run_x07(args, **kw)
    if expect_exit is not None and p.returncode != expect_exit:
        raise AssertionError("x07 %s: exit %d (expected %d)\nstdout: %s\nstderr: %s" % (
            " ".join(args), p.returncode, expect_exit, p.stdout[:2000].decode("utf-8", "replace"),
            p.stderr[:2000].decode("utf-8", "replace")))
    doc = json.loads(p.stdout)
    validate(doc, schema_name)
    return p, doc


def solve_of(report):
    """The solve fields of any report mode."""
    return report if report["mode"] == "run-os" else report["solve"]


def b64d(s):
    return base64.b64decode(s)


# ---------------------------------------------------------------- fixtures

class TempDir:
    def __init__(self, prefix="x07e2e_"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    mode = "wb" if isinstance(data, (bytes, bytearray)) else "w"
    with open(path, mode) as f:
        f.write(data)
    return path


def compile_c(dir_, name, source):
    """Builds a small hand-written C artifact (the runner's --artifact mode)."""
    src = write(os.path.join(dir_, name + ".c"), source)
    exe = os.path.join(dir_, name)
    subprocess.run(["cc", "-O1", "-pthread", "-o", exe, src], check=True)
    return exe


# A C artifact body that speaks the framed ABI (runner.md §3): EMIT(payload) writes the
# frame and a minimal metrics line.
C_FRAME_PRELUDE = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char *read_input(uint32_t *n) {
  unsigned char h[4];
  if (read(0, h, 4) != 4) exit(2);
  *n = h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24;
  char *b = malloc(*n + 1);
  uint32_t got = 0;
  while (got < *n) { ssize_t r = read(0, b + got, *n - got); if (r <= 0) exit(2); got += r; }
  return b;
}
static void emit(const char *p, uint32_t n) {
  unsigned char l[4] = {n & 255, (n >> 8) & 255, (n >> 16) & 255, n >> 24};
  write(1, l, 4); write(1, p, n);
  fprintf(stderr, "{\"fuel_used\":1,\"heap_used\":2}\n");
}
"""


def write_program(dir_, solve, name="main.x07.json", imports=(), decls=()):
    """Writes an x07AST entry file."""
    doc = {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
           "imports": list(imports), "decls": list(decls), "solve": solve}
    return write(os.path.join(dir_, name), json.dumps(doc))


def base_policy(**sections):
    """A minimal valid run-os policy; keyword args replace whole top-level sections."""
    pol = {
        "schema_version": "x07.run-os-policy@0.1.0",
        "policy_id": "e2e",
        "limits": {"cpu_ms": 5000, "wall_ms": 10000, "mem_bytes": 1073741824, "fds": 64, "procs": 64},
        "fs": {"enabled": False, "read_roots": [], "write_roots": [], "deny_hidden": True},
        "net": {"enabled": False, "allow_dns": False, "allow_tcp": False, "allow_udp": False, "allow_hosts": []},
        "env": {"enabled": False, "allow_keys": [], "deny_keys": []},
        "time": {"enabled": False, "allow_monotonic": False, "allow_wall_clock": False, "allow_sleep": False,
                 "max_sleep_ms": 0, "allow_local_tzid": False},
        "process": {"enabled": False, "allow_spawn": False, "max_live": 0, "max_spawns": 0,
                    "allow_exec": False, "allow_exit": False},
    }
    pol.update(sections)
    return pol


@functools.lru_cache(maxsize=None)
def compiler_works():
    """True once the x07 -> C compiler can build a trivial program (lets the
    x07-program tests run as soon as the compiler lands)."""
    with TempDir() as d:
        prog = write_program(d, ["bytes.lit", "ok"])
        p = run_runner(["--program", prog])
        if p.returncode != 0:
            return False
        try:
            return b64d(json.loads(p.stdout)["solve"]["solve_output_b64"]) == b"ok"
        except (ValueError, KeyError, TypeError):
            return False


class RunnerTestCase(unittest.TestCase):
    """Assertions shared by runner tests."""

    def assertRunnerError(self, args, message, **kw):
        """Runner-side error: exit 2, exact message on stderr, nothing on stdout."""
        p = run_runner(args, **kw)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, b"", "stdout must be empty on runner errors")
        m = re.match(r"^\[([A-Z0-9_]+)\] (.*)$", message, re.S)
        if m:  # upstream's bracketed code becomes the code of the error line
            self.assertEqual(error_lines(p.stderr), [(m.group(1), m.group(2))])
        else:
            self.assertEqual(error_message(p.stderr), message)
        return p

    def assertUsageError(self, args, contains, **kw):
        p = run_runner(args, **kw)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, b"")
        self.assertIn(contains, p.stderr.decode("utf-8", "replace"))
        return p
