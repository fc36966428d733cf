"""Every exported function of the OS std modules compiles: the compiler only
type-checks functions reachable from `solve`, so this builds one program per
module that calls each export with placeholder arguments (--compile-only)."""
import json
import os
import unittest

import os_e2e as oe
import x07test as t

BRANDED = {
    "std.os.process.req_v1": ["std.os.process.req_v1.finish", ["std.os.process.req_v1.new", oe.lit("/bin/true")]],
    "std.os.process.caps_v1": ["std.os.process.caps_v1.finish", 1, 1, 1, 0],
}
BRAND_IMPORTS = ["std.os.process.req_v1", "std.os.process.caps_v1"]
PLACEHOLDER = {
    "i32": 0,
    "bytes": ["bytes.alloc", 0],
    "bytes_view": ["bytes.view_lit", ""],
    "vec_u8": ["vec_u8.with_capacity", 0],
}


def module_files():
    for root, _, files in os.walk(oe.OS_MODULES):
        for f in sorted(files):
            if f.endswith(".x07.json"):
                yield os.path.join(root, f)


class StdlibCompiles(unittest.TestCase):
    def test_every_export_compiles(self):
        files = list(module_files())
        self.assertGreater(len(files), 20)
        with t.TempDir() as d:
            for path in files:
                with open(path) as f:
                    mod = json.load(f)
                exports = next(x["names"] for x in mod["decls"] if x["kind"] == "export")
                defs = {x["name"]: x for x in mod["decls"] if x["kind"] == "defn"}
                calls = []
                for name in exports:
                    args = []
                    for p in defs[name]["params"]:
                        args.append(BRANDED[p["brand"]] if p.get("brand") else PLACEHOLDER[p["ty"]])
                    calls.append([name] + args)
                solve = ["begin"] + calls + [["bytes.alloc", 0]]
                imports = [mod["module_id"]] + [m for m in BRAND_IMPORTS if m != mod["module_id"]]
                prog = oe.write_entry(d, "all", oe.entry(solve, imports))
                with self.subTest(module=mod["module_id"]):
                    p, report = t.runner_report(["--program", prog, "--compile-only"], cwd=d)
                    self.assertIsNone(report["compile"]["compile_error"])
                    self.assertEqual(p.returncode, 0)


if __name__ == "__main__":
    unittest.main()
