"""std.os.rand / std.os.stdio (os.rand.*, os.stdio.* builtins): caps checks and
error codes, real randomness, stdio in the framed runner (stdin drained by the
input frame, stderr text in the report, stdout text breaking the frame as upstream)."""
import os
import unittest

import os_e2e as oe
import x07test as t

R, RS = "std.os.rand.", "std.os.rand.spec."
S, SS = "std.os.stdio.", "std.os.stdio.spec."


def code_b(e):
    return ["fmt.u32_to_dec", ["result_bytes.err_code", e]]


def code_i(e):
    return ["fmt.u32_to_dec", ["result_i32.err_code", e]]


def join(parts):
    body = ["begin", ["let", "v", ["vec_u8.with_capacity", 256]]]
    for i, p in enumerate(parts):
        if i:
            body.append(["set", "v", ["vec_u8.push", "v", 59]])
        body += [["let", "p%d" % i, p], ["set", "v", ["vec_u8.extend_bytes", "v", "p%d" % i]]]
    body.append(["vec_u8.into_bytes", "v"])
    return body


# two 32-byte draws, then the error codes of the refused calls
RAND = ["begin",
        ["let", "a", ["result_bytes.unwrap_or", [R + "bytes_v1", 32, [RS + "caps_default_v1"]], ["bytes.alloc", 0]]],
        ["let", "b", ["result_bytes.unwrap_or", [R + "u64_v1", [RS + "caps_default_v1"]], ["bytes.alloc", 0]]],
        ["let", "c", ["result_bytes.unwrap_or", [R + "bytes_v1", 32, [RS + "caps_default_v1"]], ["bytes.alloc", 0]]],
        ["let", "codes", join([
            code_b([R + "bytes_v1", 70000, [RS + "caps_default_v1"]]),  # over the 64 KiB policy maximum
            code_b([R + "bytes_v1", 17, [RS + "caps_pack_v1", 16, 0]]),  # over the caps maximum
            code_b([R + "bytes_v1", -1, [RS + "caps_default_v1"]]),
            code_b([R + "bytes_v1", 4, [RS + "caps_pack_v1", 0, 1]]),  # reserved flags
            code_b([R + "u64_v1", ["bytes.lit", "short"]]),
            code_b([R + "bytes_v1", 0, [RS + "caps_default_v1"]]),
        ])],
        ["bytes.concat", "a", ["bytes.concat", "b", ["bytes.concat", "c", "codes"]]]]

STDIO = join([
    code_b([S + "read_line_v1", [SS + "caps_default_v1"]]),  # framed runner: stdin is past the input frame
    ["fmt.u32_to_dec", ["result_i32.unwrap_or",
                        [S + "write_stderr_v1", ["bytes.lit", "debug line\n"], [SS + "caps_default_v1"]], 0]],
    code_i([S + "write_stderr_v1", ["bytes.lit", "12345"], [SS + "caps_pack_v1", 0, 4, 0]]),
    code_i([S + "write_stdout_v1", ["bytes.lit", "x"], [SS + "caps_pack_v1", 0, 0, 7]]),
    code_b([S + "read_line_v1", ["bytes.lit", "bad"]]),
    code_i([S + "flush_stdout_v1"]),
    code_i([S + "flush_stderr_v1"]),
])

def line_or_code(caps):
    """a line from stdin, or "E<code>" when read_line_v1 fails."""
    return ["begin", ["let", "r", [S + "read_line_v1", caps]],
            ["if", ["result_bytes.is_ok", "r"], ["result_bytes.unwrap_or", "r", ["bytes.alloc", 0]],
             ["bytes.concat", ["bytes.lit", "E"], ["fmt.u32_to_dec", ["result_bytes.err_code", "r"]]]]]


# a bundle with the real stdin/stdout: echoes lines as "[line]", logs to stderr
ECHO = ["begin"] + [
    ["let", "w%d" % i, [S + "write_stdout_v1", ["bytes.concat", ["bytes.lit", "["],
                                               ["bytes.concat", line_or_code(caps), ["bytes.lit", "]"]]],
                        [SS + "caps_default_v1"]]]
    for i, caps in enumerate([[SS + "caps_default_v1"], [SS + "caps_pack_v1", 4, 0, 0],
                              [SS + "caps_default_v1"], [SS + "caps_default_v1"], [SS + "caps_default_v1"]])
] + [[S + "write_stderr_v1", ["bytes.lit", "log\n"], [SS + "caps_default_v1"]], [S + "flush_stdout_v1"],
     ["bytes.alloc", 0]]

# writes to stdout in the framed runner: the text lands in front of the output frame
STDOUT = ["begin", [S + "write_stdout_v1", ["bytes.lit", "hi"], [SS + "caps_default_v1"]], ["bytes.lit", "out"]]


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class RandStdio(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()
        d = cls.tmp.path
        cls.rand = oe.write_entry(d, "rand", oe.entry(RAND, ["std.os.rand", "std.os.rand.spec"]))
        cls.stdio = oe.write_entry(d, "stdio", oe.entry(STDIO, ["std.os.stdio", "std.os.stdio.spec"]))
        cls.stdout = oe.write_entry(d, "stdout", oe.entry(STDOUT, ["std.os.stdio", "std.os.stdio.spec"]))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def check_rand(self, o):
        self.assertIsNone(o.trap, o.solve)
        a, b, c, codes = o.output[:32], o.output[32:40], o.output[40:72], o.output[72:]
        self.assertEqual(codes, b"60205;60205;60205;60204;60204;0")
        self.assertNotEqual(a, c)  # 2^-256 chance of a false failure
        self.assertGreater(len(set(a + b + c)), 20)

    def test_rand_run_os_and_sandboxed(self):
        self.check_rand(oe.run_program(self.rand, self.tmp.path))
        for name, args in oe.BACKENDS:  # no policy field gates os.rand (upstream has none)
            with self.subTest(backend=name):
                self.check_rand(oe.run_program(self.rand, self.tmp.path, "run-os-sandboxed", t.base_policy(), args))

    def test_stdio_codes_and_stderr(self):
        for world, pol in (("run-os", None), ("run-os-sandboxed", t.base_policy())):
            with self.subTest(world=world):
                o = oe.run_program(self.stdio, self.tmp.path, world, pol, input_bytes=b"line one\n")
                self.assertIsNone(o.trap, o.solve)
                self.assertEqual(o.output, b"60121;11;60116;60104;60104;0;0")
                self.assertTrue(t.b64d(o.solve["stderr_b64"]).startswith(b"debug line\n"))

    def test_bundle_uses_the_real_stdio(self):
        proj = os.path.join(self.tmp.path, "proj")
        os.makedirs(os.path.join(proj, "roots"))
        prog = oe.write_entry(proj, "echo", oe.entry(ECHO, ["std.os.stdio", "std.os.stdio.spec"]))
        exe = os.path.join(proj, "echo_app")
        p = t.run_x07(["--out", exe, "bundle", "--program", prog, "--module-root", "roots"], cwd=proj)
        self.assertEqual(p.returncode, 0, p.stderr)
        # CRLF stripped; a line over max_read_bytes (4) is consumed through its LF; last line without LF; EOF
        r = t.run([exe], input_bytes=b"hello\r\ntoolong\nok\nlast", cwd=proj)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"[hello][E60116][ok][last][E60121]", b"log\n"))

    def test_stdout_breaks_the_frame_like_upstream(self):
        o = oe.run_program(self.stdout, self.tmp.path)
        # "hi\x03\x00" is read as the length prefix
        self.assertEqual(o.trap, "native stdout length mismatch: expected 223596 got 9")
        self.assertEqual(t.b64d(o.solve["stdout_b64"]), b"hi\x03\x00\x00\x00out")


if __name__ == "__main__":
    unittest.main()
