"""Process capability through x07 programs: run_capture / spawn+join / piped
children (/bin/echo, /bin/cat, a child flooding its output), policy denials
(exec allowlist, args regex, max_spawns sentinel, timeouts) with and without the
kernel sandbox, and os.process.exit gating."""
import os
import struct
import unittest

import os_e2e as oe
import x07test as t

IMPORTS = ["std.os.process", "std.os.process.req_v1", "std.os.process.caps_v1"]


def req(exe, args=(), env=(), cwd=None, stdin=None):
    r = ["std.os.process.req_v1.new", oe.lit(exe)]
    for a in args:
        r = ["std.os.process.req_v1.arg", r, oe.lit(a)]
    for k, v in env:
        r = ["std.os.process.req_v1.env", r, oe.lit(k), oe.lit(v)]
    if cwd is not None:
        r = ["std.os.process.req_v1.cwd", r, oe.lit(cwd)]
    if stdin is not None:
        r = ["std.os.process.req_v1.stdin", r, oe.lit(stdin)]
    return ["std.os.process.req_v1.finish", r]


def caps(out=1 << 20, err=1 << 20, timeout=5000, total=0):
    return ["std.os.process.caps_v1.finish", out, err, timeout, total]


def run_capture(*a, caps_expr=None, **kw):
    return ["std.os.process.run_capture_v1", req(*a, **kw), caps_expr or caps()]


def decode(doc):
    """('err', code) or ('ok', exit_code, stdout, stderr)."""
    if len(doc) == 9 and doc[0] == 0:
        return ("err", oe.u32(doc, 1))
    assert doc[0] == 1 and doc[1] == 1, doc[:16]
    n = oe.u32(doc, 10)
    m = oe.u32(doc, 14 + n)
    return ("ok", oe.u32(doc, 2), doc[14:14 + n], doc[18 + n:18 + n + m])


def proc_policy(**kw):
    sec = {"enabled": True, "allow_spawn": True, "max_live": 4, "max_spawns": 8, "allow_exec": True,
           "allow_exit": False, "allow_execs": ["/bin/echo", "/bin/cat"], "max_runtime_ms": 10000}
    sec.update(kw)
    pol = t.base_policy(process=sec)
    pol["limits"]["procs"] = 1024
    return pol


class ProcessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def prog(self, name, solve, imports=IMPORTS):
        return oe.write_entry(self.tmp.path, name, oe.entry(solve, imports))

    def run_p(self, prog, policy=None, backend=(), input_bytes=None):
        o = oe.run_program(prog, self.tmp.path, "run-os" if policy is None else "run-os-sandboxed", policy,
                           backend, input_bytes=input_bytes)
        self.assertIsNone(o.compile_error)
        return o

    def test_echo_cat_run_os(self):
        echo = self.prog("echo", run_capture("/bin/echo", ["hello", "world"]))
        self.assertEqual(decode(self.run_p(echo).output), ("ok", 0, b"hello world\n", b""))
        # stdin = program input (~1 MiB) through /bin/cat
        cat = self.prog("cat", ["std.os.process.run_capture_v1",
                                ["std.os.process.req_v1.finish",
                                 ["std.os.process.req_v1.stdin",
                                  ["std.os.process.req_v1.new", oe.lit("/bin/cat")], ["view.to_bytes", "input"]]],
                                caps(out=2 << 20)])
        data = bytes(range(256)) * 2048  # 512 KiB (the doc must fit the 1 MiB output cap)
        self.assertEqual(decode(self.run_p(cat, input_bytes=data).output), ("ok", 0, data, b""))

    def test_spawn_join_take_exit(self):
        solve = ["begin",
                 ["let", "h", ["std.os.process.spawn_capture_v1",
                               req("/bin/sh", ["-c", "echo out; echo err >&2; exit 7"]), caps()]],
                 ["let", "doc", ["std.os.process.join_capture_v1", "h"]],
                 ["let", "code", ["std.os.process.take_exit_v1", "h"]],
                 ["std.os.process.drop_v1", "h"],
                 ["bytes.concat", ["codec.write_u32_le", "code"], "doc"]]
        o = self.run_p(self.prog("spawn", solve))
        self.assertEqual(oe.u32(o.output, 0), 7)
        self.assertEqual(decode(o.output[4:]), ("ok", 7, b"out\n", b"err\n"))

    def test_piped(self):
        solve = ["begin",
                 ["let", "h", ["std.os.process.spawn_piped_v1", req("/bin/cat"), caps()]],
                 ["std.os.process.stdin_write_v1", "h", oe.lit("piped ")],
                 ["std.os.process.stdin_write_v1", "h", oe.lit("data")],
                 ["std.os.process.stdin_close_v1", "h"],
                 ["os.process.join_exit_v1", "h"],
                 ["let", "v", ["vec_u8.with_capacity", 16]],
                 ["for", "i", 0, 100,
                  ["set", "v", ["vec_u8.extend_bytes", "v", ["std.os.process.stdout_read_v1", "h", 3]]]],
                 ["let", "code", ["std.os.process.take_exit_v1", "h"]],
                 ["std.os.process.drop_v1", "h"],
                 ["bytes.concat", ["codec.write_u32_le", "code"], ["vec_u8.into_bytes", "v"]]]
        o = self.run_p(self.prog("piped", solve))
        self.assertEqual(o.output, struct.pack("<I", 0) + b"piped data")

    def test_flood_output_limit_and_timeout(self):
        flood = self.prog("flood", run_capture("/bin/sh", ["-c", "yes flood | head -c 2000000"],
                                              caps_expr=caps(out=65536)))
        self.assertEqual(decode(self.run_p(flood).output), ("err", 5))
        slow = self.prog("slow", run_capture("/bin/sleep", ["10"], caps_expr=caps(timeout=200)))
        o = self.run_p(slow)
        self.assertEqual(decode(o.output), ("err", 4))
        missing = self.prog("missing", run_capture("/nonexistent/exe"))
        self.assertEqual(decode(self.run_p(missing).output), ("err", 3))

    def test_sandboxed_allowed_and_denied(self):
        echo = self.prog("s_echo", run_capture("/bin/echo", ["hi"]))
        sh = self.prog("s_sh", run_capture("/bin/sh", ["-c", "echo escaped"]))
        flood = self.prog("s_flood", run_capture("/bin/cat", ["/dev/zero"], caps_expr=caps(out=65536)))
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                pol = proc_policy()
                self.assertEqual(decode(self.run_p(echo, pol, args).output), ("ok", 0, b"hi\n", b""))
                self.assertEqual(decode(self.run_p(sh, pol, args).output), ("err", 1))
                self.assertEqual(decode(self.run_p(flood, pol, args).output), ("err", 5))
                off = proc_policy(allow_spawn=False)
                off["process"]["allow_execs"] = []
                self.assertEqual(decode(self.run_p(echo, off, args).output), ("err", 1))
                rx = proc_policy(allow_args_regex_lite=["h.*"])
                self.assertEqual(decode(self.run_p(echo, rx, args).output)[0], "ok")
                rx = proc_policy(allow_args_regex_lite=["x.*"])
                self.assertEqual(decode(self.run_p(echo, rx, args).output), ("err", 1))

    def test_sandboxed_limits(self):
        # three spawns with max_spawns = 2: the third returns the sentinel handle 65536
        solve = ["begin",
                 ["let", "v", ["vec_u8.with_capacity", 12]],
                 ["for", "i", 0, 3,
                  ["begin",
                   ["let", "h", ["std.os.process.spawn_capture_v1", req("/bin/echo"), caps()]],
                   ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", "h"]]],
                   ["std.os.process.join_capture_v1", "h"],
                   ["std.os.process.drop_v1", "h"]]],
                 ["vec_u8.into_bytes", "v"]]
        o = self.run_p(self.prog("spawns", solve), proc_policy(max_spawns=2), oe.BACKENDS[1][1])
        hs = struct.unpack("<3I", o.output)
        self.assertNotEqual(hs[0] & 0xFFFF, 0)
        self.assertNotEqual(hs[1] & 0xFFFF, 0)
        self.assertEqual(hs[2], 65536)
        # caps timeout above max_runtime_ms is denied; stdout cap above policy max is denied
        slow = self.prog("s_caps", run_capture("/bin/echo", caps_expr=caps(timeout=20000)))
        self.assertEqual(decode(self.run_p(slow, proc_policy()).output), ("err", 1))
        big = self.prog("s_big", run_capture("/bin/echo", caps_expr=caps(out=4096)))
        self.assertEqual(decode(self.run_p(big, proc_policy(max_stdout_bytes=1024)).output), ("err", 1))

    def test_process_pool_with_frame_echo_workers(self):
        # /bin/cat echoes the {id, len, bytes} frames unchanged, so the outputs equal the items
        items = ["begin",
                 ["let", "v", ["vec_u8.with_capacity", 64]],
                 ["set", "v", ["std.u32.push_le", "v", 5]]]
        for word in ["a", "bb", "", "dddd", "eeeee"]:
            items += [["set", "v", ["std.u32.push_le", "v", len(word)]],
                      ["set", "v", ["vec_u8.extend_bytes", "v", ["bytes.view_lit", word]]]]
        items.append(["vec_u8.into_bytes", "v"])
        solve = ["begin",
                 ["let", "items", items],
                 ["let", "pool", ["std.os.process_pool.new_v1", req("/bin/cat"), caps(), 2]],
                 ["let", "outs", ["std.os.process_pool.map_bytes_v1", ["bytes.view", "pool"], ["bytes.view", "items"]]],
                 ["std.os.process_pool.close_v1", "pool"],
                 ["if", ["bytes.eq", "outs", "items"], oe.lit("same"), "outs"]]
        prog = self.prog("pool", solve, IMPORTS + ["std.os.process_pool", "std.u32"])
        self.assertEqual(self.run_p(prog).output, b"same")
        o = self.run_p(prog, proc_policy(), oe.BACKENDS[0][1])
        self.assertEqual(o.output, b"same")
        # workers that cannot be spawned: the 4-byte failure result
        o = self.run_p(prog, proc_policy(allow_execs=["/bin/echo"]), oe.BACKENDS[0][1])
        self.assertEqual(o.output, b"\0\0\0\0")

    def test_exit(self):
        prog = self.prog("exit", ["begin", ["std.os.process.exit", 3], oe.lit("unreachable")])
        o = self.run_p(prog)
        self.assertEqual(o.solve["exit_status"], 3)
        self.assertIsNone(o.trap, "a chosen exit status is not a missing frame")
        self.assertEqual(o.output, b"")
        o = self.run_p(prog, proc_policy())
        self.assertEqual(o.trap, "os.process.exit disabled by policy")
        o = self.run_p(prog, t.base_policy())
        self.assertEqual(o.trap, "os.process disabled by policy")


if __name__ == "__main__":
    unittest.main()
