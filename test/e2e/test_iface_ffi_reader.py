"""iface readers implemented by native code: an ffi package registers a reader vtable with
x07_rt_register_io_reader_vtable_v1 and the program streams it through io.read and
bufread.* (the mechanism upstream's socket/curl packages use for their stream readers)."""
import json
import os
import unittest

import x07test
from x07test import RunnerTestCase, TempDir, runner_report, write, write_program

# A reader that yields `data` bytes 'a','b','c',... (data <= 26), at most 3 per read.
SHIM = r"""
#include <stdint.h>
uint32_t x07_rt_register_io_reader_vtable_v1(uint32_t (*read)(uint32_t, uint8_t *, uint32_t),
                                             void (*drop)(uint32_t));
static uint32_t pos;
static uint32_t alpha_read(uint32_t data, uint8_t *dst, uint32_t cap) {
  uint32_t n = 0;
  while (n < cap && n < 3 && pos < data) dst[n++] = (uint8_t)('a' + pos++);
  return n;
}
static void alpha_drop(uint32_t data) { (void)data; }
int x07_test_alpha_vtable(void) {
  uint32_t a = x07_rt_register_io_reader_vtable_v1(alpha_read, alpha_drop);
  uint32_t b = x07_rt_register_io_reader_vtable_v1(alpha_read, alpha_drop); /* same pair: same id */
  return a == b ? (int)a : -1;
}
"""

EXTERN = {"kind": "extern", "abi": "C", "name": "main.alpha_vtable", "link_name": "x07_test_alpha_vtable",
          "params": [], "result": "i32"}

DRAIN = {"kind": "defn", "name": "main.drain", "params": [{"name": "r", "ty": "iface"}], "result": "bytes",
         "body": ["begin", ["let", "out", ["vec_u8.with_capacity", 0]],
                  ["for", "i", 0, 100, ["begin",
                      ["let", "c", ["io.read", "r", 64]],
                      ["if", ["=", ["bytes.len", "c"], 0], ["return", ["vec_u8.into_bytes", "out"]], 0],
                      ["set", "out", ["vec_u8.extend_bytes", "out", "c"]],
                      ["set", "out", ["vec_u8.push", "out", 47]]]],
                  ["vec_u8.into_bytes", "out"]]}


def package(root, sources):
    write(os.path.join(root, "x07-package.json"),
          json.dumps({"schema_version": "x07.package@0.1.0", "name": "reader-demo", "version": "0.1.0",
                      "module_root": "modules", "modules": [], "meta": {"import_mode": "ffi"}}))
    os.makedirs(os.path.join(root, "modules"), exist_ok=True)
    for name, text in sources.items():
        write(os.path.join(root, "ffi", name), text)
    return os.path.join(root, "modules")


class IfaceFfiReader(RunnerTestCase):
    def setUp(self):
        if not x07test.compiler_works():
            self.skipTest("x07 compiler cannot build programs yet")
        self.tmp = TempDir()
        self.d = self.tmp.path
        self.roots = package(os.path.join(self.d, "pkg"), {"alpha.c": SHIM})

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def run_solve(self, solve):
        prog = write_program(self.d, solve, decls=[EXTERN, DRAIN])
        _, rep = runner_report(["--program", prog, "--module-root", self.roots, "--auto-ffi"], expect_exit=0)
        return x07test.b64d(rep["solve"]["solve_output_b64"])

    def test_io_read_dispatches_to_registered_reader(self):
        out = self.run_solve(["begin", ["let", "vt", ["unsafe", ["main.alpha_vtable"]]],
                              ["main.drain", ["iface.make_v1", 8, "vt"]]])
        self.assertEqual(out, b"abc/def/gh/")

    def test_bufread_over_registered_reader(self):
        out = self.run_solve(["begin", ["let", "vt", ["unsafe", ["main.alpha_vtable"]]],
                              ["let", "br", ["bufread.new", ["iface.make_v1", 5, "vt"], 16]],
                              ["let", "out", ["vec_u8.with_capacity", 0]],
                              ["for", "i", 0, 10, ["begin",
                                  ["let", "v", ["bufread.fill", "br"]],
                                  ["let", "n", ["view.len", "v"]],
                                  ["set", "out", ["vec_u8.extend_bytes", "out", "v"]],
                                  ["set", "out", ["vec_u8.push", "out", ["+", 48, "n"]]],
                                  ["bufread.consume", "br", "n"]]],
                              ["vec_u8.into_bytes", "out"]])
        # fills of 3 and 2 bytes, then end of stream (0) on every later fill
        self.assertEqual(out, b"abc3de2" + b"0" * 8)


if __name__ == "__main__":
    unittest.main()
