"""Helpers for the facade (`x07`) end-to-end tests.

`FakeToolchain` copies the real `x07` binary into a temp dir next to a fake
`x07-os-runner` script, so tests can check exactly what the facade forwards
(argv, input bytes, stdin) and how it treats the runner's output and exit code,
without compiling anything. Tests that need real programs use the real binaries.
"""
import json
import os
import shutil
import stat
import tempfile

import x07test

FAKE_RUNNER = r'''#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
rec = {"argv": args, "cwd": os.getcwd(), "stdin": sys.stdin.buffer.read().hex()}
if "--input" in args:
    p = args[args.index("--input") + 1]
    rec["input_path"] = p
    try:
        rec["input_hex"] = open(p, "rb").read().hex()
    except OSError as e:
        rec["input_error"] = str(e)
for flag in ("--policy",):
    if flag in args:
        p = args[args.index(flag) + 1]
        try:
            rec["policy_bytes"] = open(p, "rb").read().decode("utf-8", "replace")
        except OSError as e:
            rec["policy_error"] = str(e)
with open(os.environ["FAKE_RUNNER_LOG"], "w") as f:
    json.dump(rec, f)
if os.environ.get("FAKE_RUNNER_STDERR"):
    sys.stderr.write(os.environ["FAKE_RUNNER_STDERR"])
    sys.stderr.flush()
out = os.environ.get("FAKE_RUNNER_STDOUT_FILE")
if out:
    sys.stdout.buffer.write(open(out, "rb").read())
else:
    sys.stdout.write('{"fake": true}\n')
sys.stdout.flush()
if os.environ.get("FAKE_RUNNER_SIGNAL"):
    os.kill(os.getpid(), 9)
sys.exit(int(os.environ.get("FAKE_RUNNER_EXIT", "0")))
'''


class FakeToolchain:
    """A temp dir holding a copy of x07 and a fake x07-os-runner."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="x07fake_")
        self.bin = os.path.join(self.dir, "bin")
        os.makedirs(self.bin)
        self.x07 = os.path.join(self.bin, "x07")
        shutil.copy2(x07test.x07_path(), self.x07)
        runner = os.path.join(self.bin, "x07-os-runner")
        with open(runner, "w") as f:
            f.write(FAKE_RUNNER)
        os.chmod(runner, os.stat(runner).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        # The install layout (bin/ beside share/x07/stdlib/os): the OS module root is found
        # relative to the runner only.
        os.makedirs(os.path.join(self.dir, "share", "x07", "stdlib"))
        os.symlink(os.path.join(x07test.REPO, "x07-os-runner", "stdlib", "os"),
                   os.path.join(self.dir, "share", "x07", "stdlib", "os"))
        self.log = os.path.join(self.dir, "runner.log.json")
        self.work = os.path.join(self.dir, "work")
        os.makedirs(self.work)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, args, cwd=None, input_bytes=b"", env=None, runner_stdout=None, runner_exit=0):
        """Runs x07 with the fake runner. Returns (proc, runner record or None)."""
        if os.path.exists(self.log):
            os.remove(self.log)
        e = {"FAKE_RUNNER_LOG": self.log, "FAKE_RUNNER_EXIT": str(runner_exit), "X07_COMPAT": None}
        if runner_stdout is not None:
            out = os.path.join(self.dir, "runner.stdout")
            with open(out, "wb") as f:
                f.write(runner_stdout)
            e["FAKE_RUNNER_STDOUT_FILE"] = out
        if env:
            e.update(env)
        p = x07test.run([self.x07] + list(args), input_bytes=input_bytes, env=e, cwd=cwd or self.work)
        rec = None
        if os.path.exists(self.log):
            with open(self.log) as f:
                rec = json.load(f)
        return p, rec


def make_project(root, profiles=None, default_profile=None, extra=None, lockfile=True):
    """Writes an x07.json (+ lockfile, src/main.x07.json) like `x07 init` makes."""
    manifest = {
        "schema_version": "x07.project@0.5.0",
        "compat": "0.5",
        "world": "run-os",
        "entry": "src/main.x07.json",
        "module_roots": ["src"],
        "dependencies": [],
        "lockfile": "x07.lock.json",
    }
    if profiles is not None:
        manifest["profiles"] = profiles
    if default_profile is not None:
        manifest["default_profile"] = default_profile
    if extra:
        manifest.update(extra)
    x07test.write(os.path.join(root, "x07.json"), json.dumps(manifest, indent=2) + "\n")
    x07test.write(os.path.join(root, "src", "main.x07.json"),
                  '{"decls":[],"imports":[],"kind":"entry","module_id":"main",'
                  '"schema_version":"x07.x07ast@0.8.0","solve":["view.to_bytes","input"]}\n')
    if lockfile:
        x07test.write(os.path.join(root, "x07.lock.json"), json.dumps({
            "schema_version": "x07.lock@0.4.0",
            "toolchain": {"x07_version": "0.2.17", "x07c_version": "0.2.17", "lang_id": "x07-core@0.2.0",
                          "compat": "0.5"},
            "registry": {"index_url": "sparse+https://registry.x07.io/index/"},
            "dependencies": []}, indent=2) + "\n")
    return os.path.join(root, "x07.json")


def argv_v1(tokens):
    out = len(tokens).to_bytes(4, "little")
    for t in tokens:
        b = t.encode()
        out += len(b).to_bytes(4, "little") + b
    return out


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()
