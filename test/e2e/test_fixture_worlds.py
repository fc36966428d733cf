"""The deterministic fixture worlds (solve-fs, solve-kv, solve-rr, solve-full) through the real
x07-os-runner and `x07 test`, with our own small fixtures: fs.*, kv.*, rr.* and their std modules,
the stream pipe's fixture sources, the read-only sandboxed run directory, world gating, and the
tests manifest's fixture_root."""
import json
import os
import struct
import unittest

import x07test
from x07test import TempDir, write, b64d


def lit(s):
    return ["bytes.lit", s]


def vlit(s):
    return ["bytes.view_lit", s]


def cat(*parts):
    """A solve body concatenating byte parts with '|' between them."""
    body = ["begin", ["let", "out", ["vec_u8.with_capacity", 64]]]
    for i, p in enumerate(parts):
        if i:
            body.append(["set", "out", ["vec_u8.push", "out", 124]])
        body.append(["set", "out", ["vec_u8.extend_bytes", "out", p]])
    body.append(["vec_u8.into_bytes", "out"])
    return body


# ---- DataModel docs and .rrbin cassettes (upstream's byte layout) ----

def dm_str(b):
    return b"\x03" + struct.pack("<I", len(b)) + b


def dm_num(s):
    return b"\x02" + struct.pack("<I", len(s)) + s


def rr_entry(kind, op, key, req, resp, err=b"0"):
    fields = {b"err": dm_num(err), b"key": dm_str(key), b"kind": dm_str(kind), b"op": dm_str(op),
              b"req": dm_str(req), b"resp": dm_str(resp)}
    body = b"".join(struct.pack("<I", len(k)) + k + fields[k] for k in sorted(fields))
    return b"\x01\x05" + struct.pack("<I", len(fields)) + body


def cassette(*entries):
    return b"".join(struct.pack("<I", len(e)) + e for e in entries)


RR_INDEX = {"schema_version": "x07.arch.rr.index@0.1.0",
            "policies": [{"id": "t_rr_v1", "policy_path": "arch/rr/policies/t_rr_v1.policy.json",
                          "worlds_allowed": ["solve-rr", "solve-full"], "kinds_allowed": ["rr"],
                          "ops_allowed": ["t.fetch_v1", "std.stream.src.rr_send_v1"]}],
            "defaults": {"record_modes_allowed": ["replay_v1"]}}
RR_POLICY = {"schema_version": "x07.arch.rr.policy@0.1.0", "id": "t_rr_v1", "v": 1, "mode_default": "replay_v1",
             "match_mode": "lookup_v1",
             "budgets": {"max_cassette_bytes": 65536, "max_entries": 16, "max_req_bytes": 64, "max_resp_bytes": 64,
                         "max_key_bytes": 16}}


def kv_seed(pairs):
    import base64
    return json.dumps({"format": "x07.kv.seed@0.1.0", "default_latency_ticks": 0,
                       "entries": [{"key_b64": base64.b64encode(k).decode(), "value_b64": base64.b64encode(v).decode(),
                                    "latency_ticks": 0} for k, v in pairs]})


class FixtureWorlds(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        # A private TMPDIR: every staged run directory must be gone after the run.
        self.runs = os.path.join(self.dir, "runs")
        os.makedirs(self.runs)
        self.env = dict(os.environ, TMPDIR=self.runs)

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def run_world(self, world, solve, flags, imports=(), expect_exit=0, decls=()):
        prog = x07test.write_program(self.dir, solve, imports=imports, decls=decls)
        p, rep = x07test.runner_report(["--program", prog, "--world", world] + flags, expect_exit=expect_exit,
                                       cwd=self.dir, env=self.env)
        self.assertEqual(os.listdir(self.runs), [], "the staged run directory was not removed")
        return rep

    def fs_fixture(self):
        root = os.path.join(self.dir, "fx", "root")
        write(os.path.join(root, "hello.txt"), "hello")
        write(os.path.join(root, "d", "b.txt"), "bee")
        write(os.path.join(root, "d", "a.txt"), "ay")
        write(os.path.join(root, "frames.bin"), struct.pack("<I", 3) + b"abc" + struct.pack("<I", 2) + b"de")
        return os.path.join(self.dir, "fx")

    def test_solve_fs_reads_lists_and_streams_the_fixture(self):
        fx = self.fs_fixture()
        pipe = ["std.stream.pipe_v1",
                ["std.stream.cfg_v1", ["chunk_max_bytes", 3], ["bufread_cap_bytes", 4], ["max_in_bytes", 64],
                 ["max_out_bytes", 64], ["max_items", 10]],
                ["std.stream.src.fs_open_read_v1", ["std.stream.expr_v1", lit("frames.bin")]],
                ["std.stream.chain_v1", ["std.stream.xf.deframe_u32le_v1", ["max_frame_bytes", 8]]],
                ["std.stream.sink.collect_bytes_v1"]]
        solve = cat(["std.fs.read", vlit("hello.txt")],
                    ["std.io.read", ["std.fs.open_read", vlit("d/b.txt")], 2],
                    ["std.fs.list_dir", vlit("d")],
                    ["std.fs.list_dir_sorted", vlit("d")],
                    ["await", ["std.fs.read_task", lit("d/a.txt")]],
                    pipe)
        rep = self.run_world("solve-fs", solve, ["--fixture-fs-dir", fx, "--fixture-fs-root", "root"],
                             imports=["std.fs", "std.io"])
        out = b64d(rep["solve"]["solve_output_b64"])
        head, doc = out[: out.rindex(b"|") + 1], out[out.rindex(b"|") + 1:]
        self.assertEqual(head, b"hello|be|a.txt\nb.txt\n|a.txt\nb.txt|ay|")
        self.assertEqual(doc[0], 1, "the pipe's doc is OK")
        self.assertIn(b"abcde", doc)
        self.assertEqual(rep["world"], "solve-fs")
        self.assertEqual(rep["sandbox_backend"], "os")
        self.assertEqual(rep["solve"]["fs_read_file_calls"], 4)
        self.assertEqual(rep["solve"]["fs_list_dir_calls"], 2)

    def test_solve_fs_refuses_paths_outside_the_fixture(self):
        fx = self.fs_fixture()
        write(os.path.join(self.dir, "secret.txt"), "secret")
        for path, trap in [("../secret.txt", "fs.read unsafe path"), ("/etc/passwd", "fs.read unsafe path"),
                           (".x07_kv/seed.evkv", "fs.read unsafe path"), ("d/./a.txt", "fs.read unsafe path"),
                           ("missing.txt", "fs.read open failed path=missing.txt"),
                           ("d", "fs.read open failed path=d")]:
            rep = self.run_world("solve-fs", ["std.fs.read", vlit(path)], ["--fixture-fs-dir", fx,
                                                                          "--fixture-fs-root", "root"],
                                 imports=["std.fs"], expect_exit=1)
            self.assertEqual(rep["solve"]["trap"], trap, path)
        pipe = ["std.stream.pipe_v1",
                ["std.stream.cfg_v1", ["chunk_max_bytes", 8], ["bufread_cap_bytes", 8], ["max_in_bytes", 64],
                 ["max_out_bytes", 64], ["max_items", 10]],
                ["std.stream.src.fs_open_read_v1", ["std.stream.expr_v1", lit("../secret.txt")]],
                ["std.stream.chain_v1"], ["std.stream.sink.collect_bytes_v1"]]
        rep = self.run_world("solve-fs", pipe, ["--fixture-fs-dir", fx, "--fixture-fs-root", "root"], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "fs.open_read unsafe path")

    def test_fixture_world_gating_and_runner_errors(self):
        fx = self.fs_fixture()
        flags = ["--fixture-fs-dir", fx]
        for solve, imports, msg in [
                (["os.fs.read_file", lit("hello.txt")], [], "os.fs.read_file is standalone-only"),
                (["kv.get", vlit("k")], [], "kv.get is disabled in this world (solve-fs)"),
                (["begin", ["unsafe", ["bytes.alloc", 0]]], [], "unsafe is not allowed in this world")]:
            rep = self.run_world("solve-fs", solve, flags, imports=imports, expect_exit=1)
            self.assertFalse(rep["compile"]["ok"])
            self.assertIn(msg, rep["compile"]["compile_error"])
        rep = self.run_world("run-os", ["kv.get", vlit("k")], [], expect_exit=1)
        self.assertIn("kv.get is disabled in this world (run-os)", rep["compile"]["compile_error"])
        prog = x07test.write_program(self.dir, lit("x"))
        os.symlink("/etc/passwd", os.path.join(fx, "root", "link"))
        for flags, msg in [([], "set --fixture-fs-dir for --world solve-fs"),
                           (["--fixture-fs-dir", fx, "--fixture-kv-dir", fx], "--fixture-kv-dir is not used by"),
                           (["--fixture-fs-dir", fx, "--fixture-fs-root", "../x"], "expected safe relative path"),
                           (["--fixture-fs-dir", fx, "--fixture-fs-root", "root"], "unsupported fixture entry type")]:
            p = x07test.run_runner(["--program", prog, "--world", "solve-fs"] + flags, cwd=self.dir, env=self.env)
            self.assertEqual(p.returncode, 2, flags)
            self.assertEqual(p.stdout, b"")
            self.assertIn(msg, p.stderr.decode())
        self.assertEqual(os.listdir(self.runs), [])

    def test_fs_adapters_in_the_os_worlds(self):
        # As upstream, fs.* also work in run-os (working directory); run-os-sandboxed keeps to the read roots.
        write(os.path.join(self.dir, "d", "a.txt"), "ay")
        write(os.path.join(self.dir, "secret.txt"), "s")
        solve = cat(["fs.read", vlit("d/a.txt")], ["fs.list_dir", vlit("d")])
        rep = self.run_world("run-os", solve, [])
        self.assertEqual(b64d(rep["solve"]["solve_output_b64"]), b"ay|a.txt\n")
        pol = os.path.join(self.dir, "policy.json")
        write(pol, json.dumps(x07test.base_policy(fs={"enabled": True, "read_roots": ["d"], "write_roots": [],
                                                       "deny_hidden": True})))
        rep = self.run_world("run-os-sandboxed", solve, ["--policy", pol])
        self.assertEqual(b64d(rep["solve"]["solve_output_b64"]), b"ay|a.txt\n")
        rep = self.run_world("run-os-sandboxed", ["fs.read", vlit("secret.txt")], ["--policy", pol], expect_exit=1)
        self.assertEqual(rep["solve"]["trap"], "fs.read denied by policy path=secret.txt")

    def test_solve_kv_get_set_and_stream(self):
        kv = os.path.join(self.dir, "kv")
        write(os.path.join(kv, "seed.json"), kv_seed([(b"zeta", b"last"), (b"PING", b"PONG")]))
        solve = cat(["std.kv.get", vlit("PING")],
                    ["std.kv.get", vlit("nope")],
                    ["begin", ["std.kv.set", lit("nope"), lit("now")], ["std.kv.get", vlit("nope")]],
                    ["begin", ["std.kv.set", lit("PING"), lit("again")], ["std.kv.get", vlit("PING")]],
                    ["std.io.read", ["std.kv.get_stream", vlit("zeta")], 3])
        rep = self.run_world("solve-kv", solve, ["--fixture-kv-dir", kv, "--fixture-kv-seed", "seed.json"],
                             imports=["std.kv", "std.io"])
        self.assertEqual(b64d(rep["solve"]["solve_output_b64"]), b"PONG||now|again|las")
        self.assertEqual(rep["solve"]["kv_get_calls"], 5)
        self.assertEqual(rep["solve"]["kv_set_calls"], 2)
        write(os.path.join(kv, "bad.json"), json.dumps({"format": "x07.kv.seed@9", "entries": []}))
        p = x07test.run_runner(["--program", os.path.join(self.dir, "main.x07.json"), "--world", "solve-kv",
                                "--fixture-kv-dir", kv, "--fixture-kv-seed", "bad.json"], cwd=self.dir, env=self.env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unexpected kv seed format: x07.kv.seed@9", p.stderr.decode())

    def rr_setup(self, *entries):
        write(os.path.join(self.dir, "arch/rr/index.x07rr.json"), json.dumps(RR_INDEX))
        write(os.path.join(self.dir, "arch/rr/policies/t_rr_v1.policy.json"), json.dumps(RR_POLICY))
        rr = os.path.join(self.dir, "rr")
        os.makedirs(rr, exist_ok=True)
        with open(os.path.join(rr, "t.rrbin"), "wb") as f:
            f.write(cassette(*entries))
        return rr

    def rr_fn(self, body, cassette_name="t.rrbin"):
        """`main.f` () -> result_bytes: `body` inside the rr scope over `cassette_name` (replay_v1)."""
        return {"kind": "defn", "name": "main.f", "params": [], "result": "result_bytes",
                "body": ["std.rr.with_policy_v1", lit("t_rr_v1"), lit(cassette_name), ["i32.lit", 2], body]}

    def run_rr(self, world, body, flags, cassette_name="t.rrbin", expect_exit=0):
        solve = ["begin", ["let", "r", ["main.f"]],
                 ["if", ["result_bytes.is_ok", "r"], ["result_bytes.unwrap_or", "r", ["bytes.alloc", 0]],
                  ["codec.write_u32_le", ["result_bytes.err_code", "r"]]]]
        return self.run_world(world, solve, flags, imports=["std.rr"], decls=[self.rr_fn(body, cassette_name)],
                              expect_exit=expect_exit)

    def test_solve_rr_replays_entries_and_streams(self):
        rr = self.rr_setup(rr_entry(b"rr", b"t.fetch_v1", b"A", b"req-a", b"one"),
                           rr_entry(b"rr", b"t.fetch_v1", b"A", b"req-a2", b"two", err=b"-7"),
                           rr_entry(b"rr", b"std.stream.src.rr_send_v1", b"K", b"", b"streamed"))
        nxt = lambda: ["std.rr.next_v1", ["std.rr.current_v1"], vlit("rr"), vlit("t.fetch_v1"), vlit("A")]
        pipe = ["std.stream.pipe_v1",
                ["std.stream.cfg_v1", ["chunk_max_bytes", 64], ["bufread_cap_bytes", 64], ["max_in_bytes", 64],
                 ["max_out_bytes", 64], ["max_items", 10]],
                ["std.stream.src.rr_send_v1", ["std.stream.expr_v1", lit("K")]],
                ["std.stream.chain_v1"], ["std.stream.sink.collect_bytes_v1"]]
        body = ["begin",
                ["let", "e1", ["result_bytes.unwrap_or", nxt(), ["bytes.alloc", 0]]],
                ["let", "e2", ["result_bytes.unwrap_or", nxt(), ["bytes.alloc", 0]]],
                ["let", "miss", ["result_bytes.err_code", nxt()]],
                ["let", "doc", pipe],
                ["let", "again", pipe],
                ["result_bytes.ok", cat(["std.rr.entry_resp_v1", ["bytes.view", "e1"]],
                                        ["std.rr.entry_resp_v1", ["bytes.view", "e2"]],
                                        ["codec.write_u32_le", ["std.rr.entry_err_v1", ["bytes.view", "e2"]]],
                                        ["codec.write_u32_le", "miss"],
                                        ["std.rr.stats_v1", ["std.rr.current_v1"]],
                                        ["bytes.slice", "doc", 0, 1], ["bytes.slice", "again", 0, 1])]]
        rep = self.run_rr("solve-rr", body, ["--fixture-rr-dir", rr])
        parts = b64d(rep["solve"]["solve_output_b64"]).split(b"|")
        self.assertEqual(parts[:2], [b"one", b"two"])
        self.assertEqual(struct.unpack("<i", parts[2])[0], -7)
        self.assertEqual(struct.unpack("<I", parts[3])[0], 2009, "a used entry is not replayed twice")
        size = os.path.getsize(os.path.join(rr, "t.rrbin"))
        self.assertEqual(json.loads(parts[4]), {"v": 1, "mode": 2, "match_mode": 0, "cassettes": 1, "entries": 3,
                                                "used": 3, "bytes": size})
        self.assertEqual(parts[5:], [b"\x01", b"\x00"], "the second rr_send has no entry left: ERR stream:rr_miss")
        self.assertEqual(rep["solve"]["rr_open_calls"], 1)
        self.assertEqual(rep["solve"]["rr_close_calls"], 1)
        self.assertEqual(rep["solve"]["rr_next_miss_calls"], 2)

    def test_solve_rr_open_failure_and_policy_errors(self):
        rr = self.rr_setup(rr_entry(b"rr", b"t.fetch_v1", b"A", b"", b"x"))
        body = ["result_bytes.ok", lit("unreached")]
        rep = self.run_rr("solve-rr", body, ["--fixture-rr-dir", rr], cassette_name="absent.rrbin")
        self.assertEqual(struct.unpack("<I", b64d(rep["solve"]["solve_output_b64"]))[0], 2002)
        rep = self.run_rr("solve-rr", body, ["--fixture-rr-dir", rr], cassette_name="../t.rrbin")
        self.assertEqual(struct.unpack("<I", b64d(rep["solve"]["solve_output_b64"]))[0], 2000)
        with open(os.path.join(rr, "t.rrbin"), "ab") as f:
            f.write(b"\x09\x00")  # a truncated frame header
        rep = self.run_rr("solve-rr", body, ["--fixture-rr-dir", rr])
        self.assertEqual(struct.unpack("<I", b64d(rep["solve"]["solve_output_b64"]))[0], 2014)
        prog_decl = self.rr_fn(body)
        prog_decl["body"][1] = lit("no_such_policy")
        prog = x07test.write_program(self.dir, ["begin", ["main.f"], lit("")], imports=["std.rr"], decls=[prog_decl])
        _, rep = x07test.runner_report(["--program", prog, "--world", "solve-rr", "--fixture-rr-dir", rr],
                                       expect_exit=1, cwd=self.dir, env=self.env)
        self.assertIn('rr policy "no_such_policy" not found', rep["compile"]["compile_error"])
        _, rep = x07test.runner_report(["--program", prog, "--world", "run-os"], expect_exit=1, cwd=self.dir)
        self.assertIn("std.rr.with_policy_v1 is disabled in this world (run-os)", rep["compile"]["compile_error"])

    def test_x07_test_runs_fixture_worlds_from_the_manifest(self):
        tests = os.path.join(self.dir, "tests")
        write(os.path.join(tests, "fx/full/fs/hello.txt"), "hi")
        write(os.path.join(tests, "fx/full/kv/seed.json"), kv_seed([(b"k", b"v")]))
        os.makedirs(os.path.join(tests, "fx/full/rr"))
        write(os.path.join(tests, "fx/kv/seed.json"), kv_seed([(b"k", b"v")]))
        eq = lambda a, b: ["try", ["std.test.assert_bytes_eq", a, b, ["std.test.code_assert_bytes_eq"]]]
        mod = {"schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "t_fx",
               "imports": ["std.fs", "std.kv", "std.test"],
               "decls": [{"kind": "export", "names": ["t_fx.full", "t_fx.kv_only"]},
                         {"kind": "defn", "name": "t_fx.full", "params": [], "result": "result_i32",
                          "body": ["begin", eq(["std.fs.read", vlit("hello.txt")], lit("hi")),
                                   eq(["std.kv.get", vlit("k")], lit("v")), ["std.test.pass"]]},
                         {"kind": "defn", "name": "t_fx.kv_only", "params": [], "result": "result_i32",
                          "body": ["begin", eq(["std.kv.get", vlit("k")], lit("v")), ["std.test.pass"]]}]}
        write(os.path.join(tests, "t_fx.x07.json"), json.dumps(mod))
        manifest = {"schema_version": "x07.tests_manifest@0.1.0", "tests": [
            {"id": "full", "world": "solve-full", "entry": "t_fx.full", "fixture_root": "fx/full"},
            {"id": "kv", "world": "solve-kv", "entry": "t_fx.kv_only", "fixture_root": "fx/kv"}]}
        write(os.path.join(tests, "tests.json"), json.dumps(manifest))
        p = x07test.run_x07(["test", "--json", "--manifest", os.path.join(tests, "tests.json")], cwd=self.dir,
                            env=self.env)
        rep = json.loads(p.stdout)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual([(t["id"], t["status"]) for t in rep["tests"]], [("full", "pass"), ("kv", "pass")])
        self.assertEqual(rep["tests"][1]["fixture_root"], os.path.join(tests, "fx/kv"))
        self.assertEqual(list(rep["tests"][1])[:8], ["id", "world", "expect", "status", "duration_ms", "entry_kind",
                                                     "entry", "fixture_root"])
        for t, code in [({"id": "x", "world": "solve-kv", "entry": "t_fx.kv_only"}, "ETEST_FIXTURE_REQUIRED"),
                        ({"id": "x", "world": "solve-fs", "entry": "t_fx.kv_only", "fixture_root": "../fx"},
                         "ETEST_FIXTURE_UNSAFE_PATH"),
                        ({"id": "x", "world": "solve-full", "entry": "t_fx.kv_only", "fixture_root": "fx/kv"},
                         "ETEST_FIXTURE_MISSING"),
                        ({"id": "x", "world": "solve-pure", "entry": "t_fx.kv_only", "fixture_root": "fx/kv"},
                         "ETEST_FIXTURE_FORBIDDEN")]:
            write(os.path.join(tests, "tests.json"), json.dumps({"schema_version": "x07.tests_manifest@0.1.0",
                                                                 "tests": [t]}))
            p = x07test.run_x07(["test", "--manifest", os.path.join(tests, "tests.json")], cwd=self.dir)
            self.assertEqual(p.returncode, 12)
            self.assertIn("error[" + code + "]", p.stderr.decode())


if __name__ == "__main__":
    unittest.main()
