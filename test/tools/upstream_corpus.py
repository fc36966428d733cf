#!/usr/bin/env python3
"""Runs upstream x07's program corpus through our binaries; prints pass/fail per case and a summary.

    test/tools/upstream_corpus.py /path/to/upstream-checkout [--bin-dir build/bin]
        [--peer /path/to/upstream/target/release] [--filter SUBSTR] [--jobs 2] [--json out.json] [-v]

Not run by CI: it needs an upstream checkout (never committed here).

Cases (ids are stable, so runs can be compared):
- `example:NN_name`            docs/examples/NN_*.x07.json, run-os, a fixed input
- `smoke:SUITE:CASE`           ci/suites/smoke/*.json (world, policy, input, expected from the suite)
- `external_os:DIR[:POLICY]`   tests/external_os/DIR/src/*.x07.json, run-os, and run-os-sandboxed with
                               each run-os-policy*.json beside it and each policy upstream's
                               scripts/ci/check_external_packages_os_smoke.sh runs it with
- `external_pure:DIR`          tests/external_pure/DIR/src/*.x07.json, run-os
- `tests.json:ID`              tests/tests.json: a generated entry calls the test function
                               (result_i32, ok = pass); solve-pure cases run in run-os, the
                               fixture worlds (solve-fs/rr/kv/full) with the test's fixture_root

Expected output, in this order: the suite's own (`smoke:`), the test's `expect` (`tests.json:`), the
output upstream's documented semantics give (DOCUMENTED_OUTPUTS, for programs upstream's CI only lints
and the peer cannot run), the upstream peer's output for the same run (--peer, its x07-os-runner; used when it compiles and runs the
program), else upstream CI's default for such programs (`assert_run_os_ok.py`: the bytes `ok`, or `OK`
when the program returns that literal and no `ok`). The oracle used is printed with each case.

Module roots are found the way upstream's CI scripts pass them: every import that is neither one of
upstream's built-in modules nor in its stdlib/os root is looked up in the program's own folders, then
in the newest version of each packages/ext/* package.

Every runner call passes `--auto-ffi` (what `x07 run` does by default), so programs using an FFI
package (meta.import_mode "ffi": zlib, sockets, curl) get its ffi/*.c and libraries linked, the
effect of the X07_CC_ARGS upstream's CI script builds by hand.

Two external programs are not runner cases upstream: its x07 CLI tests (crates/x07/tests/cli.rs)
build them with `x07 bundle` and run the executable (real stdin, environment overrides); the
`BUNDLE_CASES` below do the same through our `x07` (oracle `cli-test`).

Cases that need an outside server (database, TLS or HTTP peers) are listed but left out of the
pass rate, and so are smoke cases whose documented output upstream's own runner (--peer) does not produce
either, when ours fails the same way (same output, or the same compile-time type error): they are
printed as `FAIL (upstream too)` with what the peer did. All runs use the checkout root as the working directory, as upstream's CI does (tests.json cases: the tests/ folder, as `x07 test` does).
"""
import argparse
import base64
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

EXAMPLE_INPUT = b"hello x07\nthe quick brown fox\n  jumps over 12 lazy dogs\naaabccdddd\n"

# Programs that talk to a server we do not run (upstream's CI starts them in containers or helpers).
SERVER_MARKERS = ("db_mysql", "db_pg", "db_redis", "db-mysql", "db-pg", "db-redis",
                  "net_tls", "net_http_server", "curl", "openssl")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def b64d(s):
    return base64.b64decode(s) if s else b""


class Upstream:
    """Facts read from the checkout: built-in module ids, OS-root modules, package module roots."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        src = open(os.path.join(self.root, "crates/x07c/src/builtin_modules.rs"), encoding="utf-8").read()
        self.builtin = set(re.findall(r'"(std[A-Za-z0-9_.-]*)" =>', src))
        self.os_modules = self._module_ids(os.path.join(self.root, "stdlib/os/0.2.0/modules"))
        self.package_of = {}  # module id -> modules dir (newest version of its package)
        for pkg in sorted(glob.glob(os.path.join(self.root, "packages/ext/*"))):
            versions = [v for v in os.listdir(pkg) if re.fullmatch(r"\d+\.\d+\.\d+", v)]
            if not versions:
                continue
            newest = max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
            mods = os.path.join(pkg, newest, "modules")
            for mid in self._module_ids(mods):
                self.package_of.setdefault(mid, mods)

    @staticmethod
    def _module_ids(base):
        out = set()
        for path in glob.glob(os.path.join(base, "**", "*.x07.json"), recursive=True):
            out.add(os.path.relpath(path, base)[: -len(".x07.json")].replace(os.sep, "."))
        return out

    def module_roots(self, entry_path, local_roots):
        """The roots upstream's CI would pass for `entry_path` (local roots first, then packages)."""
        roots, seen = [], set()
        todo = list(imports_of(entry_path))
        while todo:
            mid = todo.pop()
            if mid in seen:
                continue
            seen.add(mid)
            if mid in self.builtin or mid in self.os_modules:
                continue
            rel = os.path.join(*mid.split(".")) + ".x07.json"
            where = next((r for r in local_roots if os.path.isfile(os.path.join(r, rel))), None)
            if where is None and mid in self.package_of:
                where = self.package_of[mid]
            if where is None:
                continue  # left to the runner's "unknown module" error
            if where not in roots:
                roots.append(where)
            todo.extend(imports_of(os.path.join(where, rel)))
        return roots


def imports_of(path):
    try:
        doc = read_json(path)
    except (OSError, ValueError):
        return []
    return [i for i in doc.get("imports", []) if isinstance(i, str)]


class Case:
    def __init__(self, cid, program, world="run-os", policy=None, input_bytes=b"", expected=None,
                 oracle=None, roots=(), needs_server=False, setup_error=None, cwd=None, extra_args=()):
        self.id, self.program, self.world, self.policy = cid, program, world, policy
        self.extra_args = list(extra_args)  # e.g. the --fixture-* flags of a fixture world
        self.cwd = cwd  # None: the checkout root
        self.input, self.expected, self.oracle = input_bytes, expected, oracle
        self.roots, self.needs_server, self.setup_error = list(roots), needs_server, setup_error
        self.status, self.detail = None, ""
        self.upstream_fails = False  # fails on upstream's own runner the same way (see upstream_fails_alike)
        self.bundle = None  # a BUNDLE_CASES entry: built with `x07 bundle` and run instead


# Programs whose output upstream documents nowhere and the peer cannot produce (no native backend):
# what upstream's CI accepts from them.
OUTPUT_CHECKS = {
    "external_os:rand_smoke_ok": ("32 random bytes", lambda out: len(out) == 32),
}


# Programs whose output upstream's CI never checks (it only lints docs/examples) and the peer cannot
# produce (no native stream-xf backend in the peer build): the output upstream's documented semantics
# give. split_lines_v1 emits each line without its delimiter and collect_bytes_v1 concatenates the items
# (upstream's tests.json case smoke/stream_pipe_bytes_split_lines_collect: "a\nb\n" -> "ab"); example 13
# prints the pipe's payload.
DOCUMENTED_OUTPUTS = {
    "example:13_stream_pipe_split_lines": b"".join(EXAMPLE_INPUT.split(b"\n")),
}


# Upstream's CLI tests that bundle an external program and run it (crates/x07/tests/cli.rs:
# bundle_stdio_smoke_reads_and_writes, bundle_sandboxed_env_overrides_allow_policy_override_but_
# cannot_disable_sandbox). Paths are relative to the checkout; `env` values None remove the key;
# `exit` is the expected status or "nonzero".
_ENV_BASE_POLICY = "tests/external_os/bundle_sandbox_env_override/run-os-policy.base.json"
_ENV_BUNDLE = {
    "program": "tests/external_os/bundle_sandbox_env_override/src/main.x07.json",
    "args": ["--module-root", "stdlib/std/0.1.2/modules", "--world", "run-os-sandboxed", "--policy",
             _ENV_BASE_POLICY, "--sandbox-backend", "os", "--i-accept-weaker-isolation"],
    "env": {"X07_SANDBOX_BACKEND": "os", "X07_I_ACCEPT_WEAKER_ISOLATION": "1"},
    "files": {"ok.txt": b"hello\n"},
}
BUNDLE_CASES = {
    "external_os:stdio_smoke_ok": dict(
        program="tests/external_os/stdio_smoke_ok/src/main.x07.json",
        args=["--module-root", "packages/ext/x07-ext-stdio/0.1.0/modules"], env={}, files={},
        runs=[{"env": {}, "stdin": b"hello\n", "exit": 0, "stdout": b"ok\ndone", "stderr": b"log\n"}]),
    # the embedded policy denies fs, and the environment cannot switch the sandbox off
    "external_os:bundle_sandbox_env_override:base": dict(_ENV_BUNDLE, runs=[
        {"env": {"X07_WORLD": None, "X07_OS_SANDBOXED": None, "X07_OS_FS": None, "X07_OS_FS_READ_ROOTS": None},
         "exit": "nonzero"},
        {"env": {"X07_OS_FS": None, "X07_OS_FS_READ_ROOTS": None, "X07_WORLD": "run-os", "X07_OS_SANDBOXED": "0"},
         "exit": "nonzero"}]),
    # policy values may be overridden through the environment
    "external_os:bundle_sandbox_env_override": dict(_ENV_BUNDLE, runs=[
        {"env": {"X07_WORLD": None, "X07_OS_SANDBOXED": None, "X07_OS_FS": "1", "X07_OS_FS_READ_ROOTS": "."},
         "exit": 0, "stdout": b"OK", "stderr": b""}]),
}


def with_env(changes):
    env = dict(os.environ)
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_bundle_case(case, args, up, tmp):
    """Builds the case's bundle with our x07 (cwd = the checkout) and checks each run of it."""
    spec = case.bundle
    work = tempfile.mkdtemp(dir=tmp, prefix="bundle_")
    exe = os.path.join(work, "app")
    argv = [os.path.join(args.bin_dir, "x07"), "--out", exe, "bundle", "--program",
            os.path.join(up.root, spec["program"])]
    argv += spec["args"]  # relative paths: to the checkout, the cwd
    p = subprocess.run(argv, cwd=up.root, env=with_env(spec["env"]), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=300)
    if p.returncode != 0 or not os.path.isfile(exe):
        return "x07 bundle: exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace").strip()[-300:])
    for name, data in spec["files"].items():
        with open(os.path.join(work, name), "wb") as f:
            f.write(data)
    for i, run in enumerate(spec["runs"]):
        r = subprocess.run([exe], cwd=work, env=with_env(run["env"]), input=run.get("stdin", b""),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        got = "run %d: exit %d stdout %r stderr %r" % (i, r.returncode, r.stdout[:100], r.stderr[:200])
        if (r.returncode == 0) if run["exit"] == "nonzero" else (r.returncode != run["exit"]):
            return got + " (expected exit %s)" % run["exit"]
        for stream in ("stdout", "stderr"):
            if stream in run and getattr(r, stream) != run[stream]:
                return got + " (expected %s %r)" % (stream, run[stream])
    return None


def ci_sandboxed_runs(root):
    """{program path: [policy paths]}: the run-os-sandboxed runs of upstream's external-packages CI script."""
    script = os.path.join(root, "scripts/ci/check_external_packages_os_smoke.sh")
    try:
        text = open(script, encoding="utf-8").read()
    except OSError:
        return {}
    runs = {}
    for m in re.finditer(r'\brun_one_multi_sandboxed\s+"[^"]*"\s*\\\s*"([^"]+)"\s*\\\s*"([^"]+)"', text):
        prog, pol = (os.path.normpath(os.path.join(root, x)) for x in m.groups())
        runs.setdefault(prog, []).append(pol)
    return runs


def default_expectation(program):
    text = open(program, encoding="utf-8").read()
    if '"OK"' in text and '"ok"' not in text:
        return b"OK"
    return b"ok"


def collect(up, tmp):
    root = up.root
    cases = []
    for p in sorted(glob.glob(os.path.join(root, "docs/examples/[0-9][0-9]_*.x07.json"))):
        name = os.path.basename(p)[: -len(".x07.json")]
        cases.append(Case("example:" + name, p, input_bytes=EXAMPLE_INPUT,
                          roots=up.module_roots(p, [os.path.dirname(p)])))
    suite_programs = set()
    for sp in sorted(glob.glob(os.path.join(root, "ci/suites/smoke/*.json"))):
        suite = read_json(sp)
        prog = os.path.join(root, suite["program_x07json"])
        suite_programs.add(os.path.normpath(prog))
        sname = os.path.basename(sp)[: -len(".json")]
        policy = os.path.join(root, suite["policy_json"]) if suite.get("policy_json") else None
        world = "run-os" if suite["world"] == "solve-pure" else suite["world"]  # pure programs run in any world
        for c in suite.get("cases", []):
            cases.append(Case("smoke:%s:%s" % (sname, c.get("name", "default")), prog, world=world,
                              policy=policy, input_bytes=b64d(c.get("input_b64", "")),
                              expected=b64d(c.get("expected_b64", "")), oracle="suite",
                              roots=up.module_roots(prog, [os.path.dirname(prog)]),
                              needs_server=any(m in sname for m in SERVER_MARKERS)))
    ci_runs = ci_sandboxed_runs(root)
    for kind in ("external_os", "external_pure"):
        local_common = os.path.join(root, "tests", kind, "modules")
        for d in sorted(glob.glob(os.path.join(root, "tests", kind, "*"))):
            progs = sorted(glob.glob(os.path.join(d, "src", "*.x07.json")))
            if not progs:
                continue
            name = os.path.basename(d)
            server = any(m in name for m in SERVER_MARKERS)
            local_policies = sorted(glob.glob(os.path.join(d, "run-os-policy*.json")))
            for prog in progs:
                policies = local_policies + [p for p in ci_runs.get(os.path.normpath(prog), [])
                                             if p not in local_policies]
                pname = name if os.path.basename(prog) == "main.x07.json" else \
                    name + "/" + os.path.basename(prog)[: -len(".x07.json")]
                roots = up.module_roots(prog, [os.path.dirname(prog), d, local_common])
                if os.path.normpath(prog) in suite_programs:
                    continue  # run by its smoke suite, with the suite's documented inputs and outputs
                if not (policies and ("deny" in name or "denied" in name)):  # only meaningful under their policy
                    cases.append(Case("%s:%s" % (kind, pname), prog, roots=roots, needs_server=server))
                for pol in policies:
                    pid = os.path.basename(pol)[len("run-os-policy"):].strip(".-")[: -len("json")].strip(".")
                    cases.append(Case("%s:%s:%s" % (kind, pname, pid or "policy"), prog, world="run-os-sandboxed",
                                      policy=pol, roots=roots, needs_server=server))
    for c in cases:
        if c.id in BUNDLE_CASES:
            c.bundle, c.oracle = BUNDLE_CASES[c.id], "cli-test"
    manifest = os.path.join(root, "tests/tests.json")
    if os.path.isfile(manifest):
        tests_root = os.path.join(root, "tests")
        for t in read_json(manifest).get("tests", []):
            cases.append(tests_json_case(up, t, tests_root, tmp))
    return cases


def tests_json_case(up, t, tests_root, tmp):
    cid = "tests.json:" + t["id"]
    expected = b"pass" if t.get("expect", "pass") == "pass" else b"fail"
    world = t.get("world", "solve-pure")
    mod, _, _ = t["entry"].rpartition(".")
    mod_path = os.path.join(tests_root, *mod.split(".")) + ".x07.json"
    extra = fixture_args(world, os.path.join(tests_root, t["fixture_root"])) if t.get("fixture_root") else []
    try:
        doc = read_json(mod_path)
    except (OSError, ValueError) as e:
        return Case(cid, mod_path, setup_error="cannot read test module: %s" % e)
    fn = next((d for d in doc.get("decls", []) if d.get("kind") in ("defn", "defasync") and d.get("name") == t["entry"]),
              None)
    if fn is None or fn.get("result") != "result_i32" or fn.get("params"):
        return Case(cid, mod_path, setup_error="test function is not `() -> result_i32`")
    solve = ["if", ["result_i32.is_ok", [t["entry"]]], ["bytes.lit", "pass"], ["bytes.lit", "fail"]]
    entry = {"schema_version": doc.get("schema_version", "x07.x07ast@0.5.0"), "kind": "entry",
             "module_id": "main", "imports": [mod], "decls": [], "solve": solve}
    path = os.path.join(tmp, re.sub(r"[^A-Za-z0-9_.-]", "_", t["id"]) + ".x07.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(entry, f)
    roots = [tests_root] + [r for r in up.module_roots(mod_path, [tests_root]) if r != tests_root]
    policy = os.path.join(tests_root, t["policy_json"]) if t.get("policy_json") else None
    # x07 test runs from the manifest's folder: fixtures and policy roots are relative to it
    return Case(cid, path, world="run-os" if world == "solve-pure" else world, policy=policy,
                expected=expected, oracle="expect", roots=roots, cwd=tests_root, extra_args=extra)


def fixture_args(world, root):
    """The runner's --fixture-* flags for a test's fixture_root, mapped as `x07 test` (upstream's) does."""
    def fs_args(d):
        return ["--fixture-fs-dir", d] + (["--fixture-fs-root", "root"] if os.path.isdir(os.path.join(d, "root")) else [])

    def kv_args(d):
        return ["--fixture-kv-dir", d] + (["--fixture-kv-seed", "seed.json"]
                                          if os.path.isfile(os.path.join(d, "seed.json")) else [])
    if world == "solve-fs":
        return fs_args(root)
    if world == "solve-rr":
        return ["--fixture-rr-dir", root]
    if world == "solve-kv":
        return kv_args(root)
    if world == "solve-full":
        return fs_args(os.path.join(root, "fs")) + ["--fixture-rr-dir", os.path.join(root, "rr")] + \
            kv_args(os.path.join(root, "kv"))
    return []


def run_runner(runner, case, cwd, tmp, extra=()):
    args = [runner, "--program", case.program, "--world", case.world, "--auto-ffi"] + list(extra)
    for r in case.roots:
        args += ["--module-root", r]
    if case.policy:
        args += ["--policy", case.policy]
    args += case.extra_args
    in_path = None
    if case.input:
        fd, in_path = tempfile.mkstemp(dir=tmp, suffix=".bin")
        os.write(fd, case.input)
        os.close(fd)
        args += ["--input", in_path]
    try:
        # PWD as a shell would set it: programs build file:// URLs from it (tests/external_os/modules)
        p = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=300, env=with_env({"PWD": os.path.abspath(cwd)}))
    except subprocess.TimeoutExpired:
        return None, "runner timed out"
    finally:
        if in_path:
            os.remove(in_path)
    try:
        return json.loads(p.stdout), p.stderr.decode("utf-8", "replace")
    except ValueError:
        return None, ("exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace"))).strip()


def outcome(report):
    """(output bytes or None, short reason when it did not run to completion)."""
    if report is None:
        return None, "no report"
    comp = report.get("compile") or {}
    if comp.get("ok") is False:
        return None, "compile: " + (comp.get("compile_error") or "failed").split("\n")[0][:300]
    solve = report.get("solve") or {}
    out = b64d(solve.get("solve_output_b64", ""))
    if solve.get("trap"):
        return out, "trap: " + str(solve["trap"])[:200]
    return out, None


def run_case(case, args, up, tmp):
    if case.setup_error:
        case.status, case.detail = "FAIL", case.setup_error
        return case
    if case.bundle:
        why = run_bundle_case(case, args, up, tmp)
        case.status, case.detail = ("FAIL", why) if why else ("PASS", "")
        return case
    if case.id in OUTPUT_CHECKS:
        what, check = OUTPUT_CHECKS[case.id]
        rep, err = run_runner(os.path.join(args.bin_dir, "x07-os-runner"), case, up.root, tmp)
        out, why = outcome(rep)
        case.oracle = "check"
        ok = out is not None and why is None and check(out)
        case.status, case.detail = ("PASS", "") if ok else ("FAIL", why or "expected %s, got %r" % (what, (out or b"")[:80]))
        return case
    if case.expected is None and case.id in DOCUMENTED_OUTPUTS:
        case.expected, case.oracle = DOCUMENTED_OUTPUTS[case.id], "documented"
    if case.expected is None and args.peer:
        rep, err = run_runner(os.path.join(args.peer, "x07-os-runner"), case, case.cwd or up.root, tmp)
        out, why = outcome(rep)
        if out is not None and why is None:
            case.expected, case.oracle = out, "peer"
    if case.expected is None:
        case.expected, case.oracle = default_expectation(case.program), "ci-default"
    rep, err = run_runner(os.path.join(args.bin_dir, "x07-os-runner"), case, case.cwd or up.root, tmp)
    out, why = outcome(rep)
    if rep is None:
        case.status, case.detail = "FAIL", "runner: " + err[:300]
    elif out == case.expected and why is None:
        case.status = "PASS"
    else:
        case.status = "FAIL"
        case.detail = why or "output %r, expected %r" % (out[:120], case.expected[:120])
        if case.oracle == "suite" and args.peer:
            same = upstream_fails_alike(case, args, up, tmp, out, why)
            if same:
                case.status, case.upstream_fails = "FAIL", True
                case.detail += " -- upstream's own runner: " + same
    return case


def upstream_fails_alike(case, args, up, tmp, out, why):
    """When a documented expectation fails here, whether upstream's own runner (the peer) fails it the
    same way: the same output, or the same compile-time type error. Returns what the peer did, or None.
    (Upstream's CI does not run every smoke suite; some no longer pass on upstream itself.)"""
    # the peer's default sandbox backend is a VM it cannot start here: its os backend is enough to compile
    extra = ["--sandbox-backend", "os", "--i-accept-weaker-isolation"] if case.world == "run-os-sandboxed" else []
    rep, _ = run_runner(os.path.join(args.peer, "x07-os-runner"), case, case.cwd or up.root, tmp, extra)
    pout, pwhy = outcome(rep)
    if pout is not None and pwhy is None and why is None and pout == out:
        return "same output %r" % pout[:60]
    if pwhy and why and pwhy.startswith("compile: Typing:") and why.startswith("compile: Typing:"):
        core = pwhy[len("compile: Typing:"):].split(" (fn=")[0].strip()  # the peer's message, without its location
        if core and core in why:
            return pwhy[:160]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("upstream", help="path to an upstream x07 checkout")
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"), help="our binaries")
    ap.add_argument("--peer", help="upstream's own binaries (target/release), the oracle when no output is documented")
    ap.add_argument("--filter", default="", help="only cases whose id contains this")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the reason of every failure")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.bin_dir, "x07-os-runner")):
        ap.error("no x07-os-runner in %s (build first or pass --bin-dir)" % args.bin_dir)
    if args.peer and not os.path.isfile(os.path.join(args.peer, "x07-os-runner")):
        ap.error("no x07-os-runner in --peer %s" % args.peer)
    up = Upstream(args.upstream)
    # upstream's CI scripts run from the checkout root after `mkdir -p tmp tmp/tmp` (git-ignored):
    # programs and policies write there (write root "tmp")
    os.makedirs(os.path.join(up.root, "tmp", "tmp"), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="x07corpus_") as tmp:
        cases = [c for c in collect(up, tmp) if args.filter in c.id]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            done = list(pool.map(lambda c: run_case(c, args, up, tmp), cases))
    counted = [c for c in done if not c.needs_server and not c.upstream_fails]
    passed = sum(c.status == "PASS" for c in counted)
    for c in done:
        tag = c.status + (" (needs server)" if c.needs_server else " (upstream too)" if c.upstream_fails else "")
        line = "%-4s %-60s oracle=%s" % (tag, c.id, c.oracle or "-")
        if c.status != "PASS" and (args.verbose or not c.needs_server):
            line += "  " + c.detail
        print(line)
    server = sum(c.needs_server for c in done)
    upstream_too = sum(c.upstream_fails and not c.needs_server for c in done)
    pct = 100.0 * passed / len(counted) if counted else 0.0
    print("\nsummary: %d/%d passed (%.1f%%) of the cases that need no outside server; %d server cases "
          "(%d of them pass); %d more fail on upstream's own runner the same way (not counted)"
          % (passed, len(counted), pct, server, sum(c.status == "PASS" for c in done if c.needs_server),
             upstream_too))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([{"id": c.id, "status": c.status, "needs_server": c.needs_server,
                        "upstream_fails": c.upstream_fails, "oracle": c.oracle,
                        "detail": c.detail} for c in done], f, indent=1)
    return 0 if passed == len(counted) else 1


if __name__ == "__main__":
    sys.exit(main())
