#!/usr/bin/env python3
"""Compiler conformance corpus: every directory in test/conformance/cases/ is one
program run through `x07-os-runner --program`, checked against its expect.json:
  {"output_text": s} | {"output_hex": h}   solve output bytes
  {"trap": t}                               exact solve.trap text
  {"compile_error_contains": s}             substring of compile.compile_error
optional "world" (default run-os) and "policy" (file name in the case dir).
Set X07_CONFORMANCE_FILTER=<substring> to run a subset.
"""
import concurrent.futures
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test  # noqa: E402

CASES_DIR = os.path.join(x07test.REPO, "test", "conformance", "cases")


def list_cases():
    flt = os.environ.get("X07_CONFORMANCE_FILTER", "")
    return sorted(c for c in os.listdir(CASES_DIR)
                  if flt in c and os.path.isfile(os.path.join(CASES_DIR, c, "expect.json")))


def run_case(name):
    """Returns (expect, report) for one case."""
    d = os.path.join(CASES_DIR, name)
    with open(os.path.join(d, "expect.json"), encoding="utf-8") as f:
        expect = json.load(f)
    args = ["--program", os.path.join(d, "main.x07.json")]
    if os.path.isdir(os.path.join(d, "modules")):
        args += ["--module-root", os.path.join(d, "modules")]
    if os.path.isfile(os.path.join(d, "input")):
        args += ["--input", os.path.join(d, "input")]
    world = expect.get("world", "run-os")
    args += ["--world", world]
    if "policy" in expect:
        args += ["--policy", os.path.join(d, expect["policy"])]
    _, report = x07test.runner_report(args, timeout=300)
    return expect, report


class ConformanceTest(unittest.TestCase):
    def test_cases(self):
        cases = list_cases()
        self.assertTrue(cases or os.environ.get("X07_CONFORMANCE_FILTER"), "no conformance cases found")
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = dict(zip(cases, pool.map(lambda c: self._safe_run(c), cases)))
        for name in cases:
            with self.subTest(case=name):
                res = results[name]
                if isinstance(res, BaseException):
                    raise res
                self.check(name, *res)

    @staticmethod
    def _safe_run(name):
        try:
            return run_case(name)
        except BaseException as e:  # reported per case by the subTest
            return e

    def check(self, name, expect, report):
        compile_ = report["compile"]
        solve = report["solve"]
        if "compile_error_contains" in expect:
            self.assertFalse(compile_["ok"], "%s: expected a compile error, compile succeeded" % name)
            self.assertIn(expect["compile_error_contains"], compile_["compile_error"] or "")
            self.assertIsNone(solve)
            return
        self.assertTrue(compile_["ok"], "%s: compile failed: %s\n%s" % (
            name, compile_["compile_error"], x07test.b64d(compile_["stderr_b64"]).decode("utf-8", "replace")[-3000:]))
        if "trap" in expect:
            self.assertEqual(solve["trap"], expect["trap"], "%s: stderr %r" % (
                name, x07test.b64d(solve["stderr_b64"])[-500:]))
            self.assertFalse(solve["ok"])
            return
        self.assertIsNone(solve["trap"], "%s: unexpected trap" % name)
        out = x07test.b64d(solve["solve_output_b64"])
        if "output_text" in expect:
            self.assertEqual(out.decode("utf-8", "replace"), expect["output_text"], name)
            self.assertEqual(out, expect["output_text"].encode("utf-8"), name)
        elif "output_hex" in expect:
            self.assertEqual(out.hex(), expect["output_hex"].lower(), name)
        else:
            self.fail("%s: expect.json has no known expectation" % name)
        self.assertEqual(solve["mem_stats"]["live_bytes"], 0, "%s: program leaked memory" % name)


if __name__ == "__main__":
    unittest.main()
