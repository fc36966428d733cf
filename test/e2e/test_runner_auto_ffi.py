"""--auto-ffi: ffi/*.c of packages with meta.import_mode == "ffi" are compiled and
linked (runner.md §9.2); malformed ffi packages get the documented errors."""
import json
import os
import unittest

import x07test
from x07test import RunnerTestCase, TempDir, runner_report, write, write_program

EXTERN = {"kind": "extern", "abi": "C", "name": "main.mix", "link_name": "x07_test_ffi_mix",
          "params": [{"name": "a", "ty": "i32"}, {"name": "b", "ty": "i32"}], "result": "i32"}


def package(root, meta, sources=None):
    write(os.path.join(root, "x07-package.json"),
          json.dumps({"schema_version": "x07.package@0.1.0", "name": "ffi-demo", "version": "0.1.0",
                      "module_root": "modules", "modules": [], "meta": meta}))
    os.makedirs(os.path.join(root, "modules"), exist_ok=True)
    for name, text in (sources or {}).items():
        write(os.path.join(root, "ffi", name), text)
    return os.path.join(root, "modules")


class AutoFfi(RunnerTestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.path
        self.prog = write_program(self.d, ["codec.write_u32_le", ["unsafe", ["main.mix", 6, 7]]], decls=[EXTERN])

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def test_missing_ffi_directory(self):
        roots = package(os.path.join(self.d, "pkg"), {"import_mode": "ffi"})
        ffi = os.path.realpath(os.path.join(self.d, "pkg")) + "/ffi"
        self.assertRunnerError(["--program", self.prog, "--module-root", roots, "--auto-ffi"],
                               'package "ffi-demo" is meta.import_mode=ffi but missing ffi directory: ' + ffi)

    def test_no_sources(self):
        roots = package(os.path.join(self.d, "pkg"), {"import_mode": "ffi"}, {"README": "no C here"})
        ffi = os.path.realpath(os.path.join(self.d, "pkg")) + "/ffi"
        self.assertRunnerError(["--program", self.prog, "--module-root", roots, "--auto-ffi"],
                               'package "ffi-demo" is meta.import_mode=ffi but has no ffi/*.c sources: ' + ffi)

    def test_links_ffi_sources_and_libs(self):
        if not x07test.compiler_works():
            self.skipTest("x07 compiler cannot build programs yet")
        roots = package(os.path.join(self.d, "pkg"), {"import_mode": "ffi", "ffi_libs": ["m", "m"]},
                        {"mix.c": "#include <math.h>\nint x07_test_ffi_mix(int a, int b) { return a * 10 + b "
                                  "+ (int)floor(0.5); }\n"})
        _, rep = runner_report(["--program", self.prog, "--module-root", roots, "--auto-ffi"], expect_exit=0)
        self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), (67).to_bytes(4, "little"))
        # Without --auto-ffi the symbol is missing at link time: a C toolchain failure report.
        _, rep = runner_report(["--program", self.prog, "--module-root", roots], expect_exit=1)
        self.assertTrue(rep["compile"]["compile_error"].startswith("C toolchain failed (exit="))


if __name__ == "__main__":
    unittest.main()
