"""std.stream.pipe_v1 through real programs and real files: the fs source's bufread
chunking (frames split across reads), max_steps, the fs write sinks (whole file and
streaming: buffering, flush budget, cfg check), sandbox policies that refuse the source
or the sink path (runtime and kernel backends), and a split-lines program run through
the `x07 run` facade on piped input."""
import json
import os
import struct
import unittest

import os_e2e as oe
import x07test as t


def u32(x):
    return struct.pack("<I", x)


def ok_doc(bi, bo, ii, io, payload=b""):
    return b"\x01" + u32(bi) + u32(bo) + u32(ii) + u32(io) + u32(len(payload)) + payload


def err_doc(code, msg, payload=b""):
    return b"\x00" + u32(code) + u32(len(msg)) + msg.encode() + u32(len(payload)) + payload


def cfg(chunk, bufread, max_in=4096, max_out=4096, max_items=100, **extra):
    c = ["std.stream.cfg_v1", ["chunk_max_bytes", chunk], ["bufread_cap_bytes", bufread], ["max_in_bytes", max_in],
         ["max_out_bytes", max_out], ["max_items", max_items]]
    return c + [[k, v] for k, v in extra.items()]


def fs_src(path):
    return ["std.stream.src.fs_open_read_v1", ["std.stream.expr_v1", oe.lit(path)]]


def pipe(c, src, chain, sink):
    return ["std.stream.pipe_v1", c, src, ["std.stream.chain_v1"] + chain, sink]


COLLECT = ["std.stream.sink.collect_bytes_v1"]


class StreamPipeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = t.TempDir()
        self.dir = self.tmp.path
        os.makedirs(os.path.join(self.dir, "data"))
        os.makedirs(os.path.join(self.dir, "out"))
        # three frames, 17 bytes: headers and payloads straddle 5-byte reads
        self.frames = u32(3) + b"abc" + u32(0) + u32(2) + b"de"
        t.write(os.path.join(self.dir, "data/frames.bin"), self.frames)

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def run_pipe(self, p, **kw):
        prog = oe.write_entry(self.dir, "main", oe.entry(["begin", ["let", "doc", p], "doc"], []))
        return oe.run_program(prog, self.dir, **kw)

    def test_fs_source_chunks_and_deframes_across_reads(self):
        # bufread 5, chunk 3: reads of 5, 5, 5, 2 bytes are handed out as 3+2, 3+2, 3+2, 2 -> 7 chunks
        o = self.run_pipe(pipe(cfg(3, 5), fs_src("data/frames.bin"),
                               [["std.stream.xf.deframe_u32le_v1", ["max_frame_bytes", 8]]],
                               ["std.stream.sink.u32frames_v1", COLLECT]))
        self.assertIsNone(o.trap, o.solve)
        self.assertEqual(o.output, ok_doc(17, 17, 7, 3, u32(3) + b"abc" + u32(0) + u32(2) + b"de"))

    def test_fs_source_max_steps(self):
        o = self.run_pipe(pipe(cfg(4, 4, max_steps=3), fs_src("data/frames.bin"), [], COLLECT))
        self.assertEqual(o.output, err_doc(1, "stream:max_steps_exceeded"))

    def test_fs_source_missing_file_traps(self):
        o = self.run_pipe(pipe(cfg(4, 4), fs_src("data/none.bin"), [], COLLECT))
        self.assertIn("std.stream.src.fs_open_read_v1: open failed", o.trap or "")

    def test_fs_write_file_sink(self):
        p = pipe(cfg(64, 64), ["std.stream.src.bytes_v1", ["std.stream.expr_v1", oe.lit("one\ntwo\n")]],
                 [["std.stream.xf.split_lines_v1", ["std.stream.expr_v1", 10], ["std.stream.expr_v1", 16]]],
                 ["std.stream.sink.u32frames_v1",
                  ["std.stream.sink.world_fs_write_file_v1", ["std.stream.expr_v1", oe.lit("out/lines.bin")]]])
        o = self.run_pipe(p)
        self.assertEqual(o.output, ok_doc(8, 14, 1, 2))
        with open(os.path.join(self.dir, "out/lines.bin"), "rb") as f:
            self.assertEqual(f.read(), u32(3) + b"one" + u32(3) + b"two")

    def fs_stream_pipe(self, path, hash_sink=True, **fields):
        caps = ["begin", ["let", "v", ["vec_u8.with_capacity", 24]],
                ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", 1]]],
                ["set", "v", ["vec_u8.extend_zeroes", "v", 20]], ["vec_u8.into_bytes", "v"]]
        head = ("std.stream.sink.world_fs_write_stream_hash_fnv1a32_v1" if hash_sink
                else "std.stream.sink.world_fs_write_stream_v1")
        sink = [head, ["std.stream.expr_v1", oe.lit(path)], ["std.stream.expr_v1", caps]]
        sink += [[k, v] for k, v in fields.items()]
        return pipe(cfg(64, 64), ["std.stream.src.bytes_v1", ["std.stream.expr_v1", oe.lit("aaaa\nbb\ncccccc\n")]],
                    [["std.stream.xf.split_lines_v1", ["std.stream.expr_v1", 10], ["std.stream.expr_v1", 16]]], sink)

    def test_fs_write_stream_sink_buffers_and_flushes(self):
        # buf_cap 5, flush_min 4: "aaaa" flushes, "bb" waits, "cccccc" flushes "bb" and is written
        # directly (3 writes); the hash covers the written bytes
        o = self.run_pipe(self.fs_stream_pipe("out/s.bin", buf_cap_bytes=5, flush_min_bytes=4))
        data = b"aaaabbcccccc"
        h = 0x811C9DC5
        for c in data:
            h = ((h ^ c) * 16777619) & 0xFFFFFFFF
        self.assertEqual(o.output, ok_doc(15, 12, 1, 3, u32(h)), o.solve)
        with open(os.path.join(self.dir, "out/s.bin"), "rb") as f:
            self.assertEqual(f.read(), data)
        o = self.run_pipe(self.fs_stream_pipe("out/p.bin", hash_sink=False))
        self.assertEqual(o.output, ok_doc(15, 12, 1, 3), o.solve)

    def test_fs_write_stream_sink_limits(self):
        o = self.run_pipe(self.fs_stream_pipe("out/f.bin", buf_cap_bytes=5, flush_min_bytes=4, max_flushes=2))
        self.assertEqual(o.output, err_doc(43, "stream:fs_too_many_flushes", u32(0) + u32(3) + u32(12)))
        o = self.run_pipe(self.fs_stream_pipe("out/g.bin", buf_cap_bytes=5, flush_min_bytes=6))
        self.assertEqual(o.output, err_doc(1, "stream:fs_sink_cfg_invalid"))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out/g.bin")))

    def test_sandbox_refuses_fs_write_stream_outside_write_roots(self):
        pol = t.base_policy(fs={"enabled": True, "read_roots": ["data"], "write_roots": ["out"], "deny_hidden": True})
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                o = self.run_pipe(self.fs_stream_pipe("data/evil.bin"), world="run-os-sandboxed", policy=pol,
                                  backend_args=args)
                self.assertEqual(o.output[:5], b"\x00" + u32(40), o.solve)
                self.assertFalse(os.path.exists(os.path.join(self.dir, "data/evil.bin")))

    def test_sandbox_refuses_source_outside_read_roots(self):
        t.write(os.path.join(self.dir, "secret.bin"), b"top secret")
        pol = t.base_policy(fs={"enabled": True, "read_roots": ["data"], "write_roots": [], "deny_hidden": True})
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                o = self.run_pipe(pipe(cfg(4, 4), fs_src("secret.bin"), [], COLLECT), world="run-os-sandboxed",
                                  policy=pol, backend_args=args)
                self.assertIn("std.stream.src.fs_open_read_v1: open failed", o.trap or "", o.solve)
                self.assertNotIn(b"secret", o.output)
                o = self.run_pipe(pipe(cfg(4, 4), fs_src("data/frames.bin"), [], COLLECT), world="run-os-sandboxed",
                                  policy=pol, backend_args=args)
                self.assertEqual(o.output, ok_doc(17, 17, 5, 5, self.frames), o.solve)

    def test_split_lines_program_through_facade(self):
        # keeps the non-empty lines of stdin, one per output line
        solve = ["begin",
                 ["let", "doc", pipe(cfg(64, 64), ["std.stream.src.bytes_v1",
                                                   ["std.stream.expr_v1", ["view.to_bytes", "input"]]],
                                     [["std.stream.xf.split_lines_v1", ["std.stream.expr_v1", 10],
                                       ["std.stream.expr_v1", 1024]],
                                      ["std.stream.xf.filter_v1", ["std.stream.fn_v1", "main.keep"]],
                                      ["std.stream.xf.map_bytes_v1", ["std.stream.fn_v1", "main.nl"]]], COLLECT)],
                 ["let", "dv", ["bytes.view", "doc"]],
                 ["if", ["=", ["view.get_u8", "dv", 0], 1],
                  ["view.to_bytes", ["view.slice", "dv", 21, ["codec.read_u32_le", "dv", 17]]],
                  ["bytes.lit", "ERR"]]]
        decls = [{"kind": "defn", "name": "main.keep", "params": [{"name": "x", "ty": "bytes_view"}], "result": "i32",
                  "body": ["view.len", "x"]},
                 {"kind": "defn", "name": "main.nl", "params": [{"name": "x", "ty": "bytes_view"}], "result": "bytes",
                  "body": ["bytes.concat", ["view.to_bytes", "x"], oe.lit("\n")]}]
        prog = oe.write_entry(self.dir, "lines", oe.entry(solve, [], decls))
        p = t.run_x07(["run", "--program", prog, "--world", "run-os"], input_bytes=b"alpha\n\nbeta\n\n\ngamma",
                      cwd=self.dir, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        solve_rep = t.solve_of(json.loads(p.stdout))
        self.assertEqual(t.b64d(solve_rep["solve_output_b64"]), b"alpha\nbeta\ngamma\n")

if __name__ == "__main__":
    unittest.main()
