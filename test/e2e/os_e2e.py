"""Helpers for the OS-capability e2e tests (test_os_*.py): run an x07 program
through x07-os-runner in run-os or run-os-sandboxed and return its outcome.

Sandboxed runs can use the default (kernel) backend or `none`, which leaves the
runtime's own policy checks as the only guard — both must refuse the same things.
"""
import json
import os
import struct

import x07test

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "os_programs")
OS_MODULES = os.path.join(x07test.REPO, "x07-os-runner", "stdlib", "os", "0.2.0", "modules")

# The two ways a sandboxed program is run: kernel sandbox + runtime checks, runtime checks alone.
BACKENDS = (("os", []), ("none", ["--sandbox-backend", "none", "--i-accept-weaker-isolation"]))


def program_path(name):
    return os.path.join(PROGRAMS, name + ".x07.json")


class Outcome:
    def __init__(self, proc, report):
        self.proc = proc
        self.report = report
        self.solve = report.get("solve") or {}
        self.output = x07test.b64d(self.solve.get("solve_output_b64", "")) if self.solve else b""
        self.trap = self.solve.get("trap")
        self.compile_error = report["compile"]["compile_error"]


def run_program(prog, cwd, world="run-os", policy=None, backend_args=(), input_bytes=None, timeout=120):
    """Runs `prog` (a path) with cwd `cwd`; writes `policy` (a dict) next to it for sandboxed runs."""
    # the runner appends the OS stdlib root (stdlib/os/0.2.0/modules) itself
    args = ["--program", prog, "--world", world]
    if policy is not None:
        pol_path = os.path.join(cwd, "policy-%d.json" % os.getpid())
        with open(pol_path, "w") as f:
            json.dump(policy, f)
        args += ["--policy", pol_path]
    args += list(backend_args)
    if input_bytes is not None:
        in_path = os.path.join(cwd, "input-%d.bin" % os.getpid())
        with open(in_path, "wb") as f:
            f.write(input_bytes)
        args += ["--input", in_path]
    p, report = x07test.runner_report(args, cwd=cwd, timeout=timeout)
    return Outcome(p, report)


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


def frame_all(exprs):
    """A solve body returning each bytes expression of `exprs` framed as u32le length + bytes."""
    body = ["begin", ["let", "v", ["vec_u8.with_capacity", 1024]]]
    for i, e in enumerate(exprs):
        body += [["let", "d%d" % i, e],
                 ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["bytes.len", "d%d" % i]]]],
                 ["set", "v", ["vec_u8.extend_bytes", "v", "d%d" % i]]]
    body.append(["vec_u8.into_bytes", "v"])
    return body


def unframe(b):
    """The parts of frame_all's output."""
    out, off = [], 0
    while off < len(b):
        n = u32(b, off)
        out.append(b[off + 4:off + 4 + n])
        off += 4 + n
    return out


def entry(solve, imports, decls=()):
    """An x07AST entry document (schema 0.8.0)."""
    return {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
            "imports": list(imports), "decls": list(decls), "solve": solve}


def write_entry(dir_, name, doc):
    return x07test.write(os.path.join(dir_, name + ".x07.json"), json.dumps(doc))


def lit(s):
    return ["bytes.lit", s]
