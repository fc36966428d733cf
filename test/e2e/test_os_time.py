"""Time capability: ext.time.os / std.os.time in run-os and sandboxed; the
"time deny now" behaviour (err doc 300, no trap), sleep limits, now_unix_ms traps."""
import unittest

import os_e2e as oe
import x07test as t

# "OK" when now_instant_v1 is an ok doc and sleep_ms_v1(0) == 1 (upstream's time_os_smoke)
SMOKE = ["begin",
         ["let", "inst", ["ext.time.os.now_instant_v1"]],
         ["if", ["ext.time.instant.is_err_v1", ["bytes.view", "inst"]], oe.lit("FAIL"),
          ["if", ["=", ["ext.time.os.sleep_ms_v1", 0], 1], oe.lit("OK"), oe.lit("FAIL")]]]
# "OK" when now_instant_v1 is an error doc with code 300 (upstream's time_policy_deny_now)
DENY_NOW = ["begin",
            ["let", "inst", ["ext.time.os.now_instant_v1"]],
            ["if", ["&&", ["ext.time.instant.is_err_v1", ["bytes.view", "inst"]],
                    ["=", ["ext.time.instant.err_code_v1", ["bytes.view", "inst"]], 300]],
             oe.lit("OK"), oe.lit("FAIL")]]
# sleep results for 0, 5, 50 ms and -1 as three digits
SLEEPS = ["begin",
          ["let", "v", ["vec_u8.with_capacity", 4]],
          ["set", "v", ["vec_u8.push", "v", ["+", 48, ["ext.time.os.sleep_ms_v1", 0]]]],
          ["set", "v", ["vec_u8.push", "v", ["+", 48, ["ext.time.os.sleep_ms_v1", 5]]]],
          ["set", "v", ["vec_u8.push", "v", ["+", 48, ["ext.time.os.sleep_ms_v1", 50]]]],
          ["set", "v", ["vec_u8.push", "v", ["+", 48, ["ext.time.os.sleep_ms_v1", -1]]]],
          ["vec_u8.into_bytes", "v"]]
NOW_MS = ["codec.write_u32_le", ["std.os.time.now_unix_ms"]]


def time_policy(**kw):
    sec = {"enabled": True, "allow_monotonic": False, "allow_wall_clock": False, "allow_sleep": False,
           "max_sleep_ms": 0, "allow_local_tzid": False}
    sec.update(kw)
    return t.base_policy(time=sec)


class TimeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()
        d = cls.tmp.path
        imps = ["ext.time.os", "ext.time.instant"]
        cls.smoke = oe.write_entry(d, "smoke", oe.entry(SMOKE, imps))
        cls.deny_now = oe.write_entry(d, "deny_now", oe.entry(DENY_NOW, imps))
        cls.sleeps = oe.write_entry(d, "sleeps", oe.entry(SLEEPS, ["ext.time.os"]))
        cls.now_ms = oe.write_entry(d, "now_ms", oe.entry(NOW_MS, ["std.os.time"]))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def run_p(self, prog, policy=None, backend=()):
        return oe.run_program(prog, self.tmp.path, "run-os" if policy is None else "run-os-sandboxed", policy,
                              backend)

    def test_smoke_run_os(self):
        self.assertEqual(self.run_p(self.smoke).output, b"OK")
        self.assertEqual(self.run_p(self.deny_now).output, b"FAIL")

    def test_smoke_sandboxed_permissive(self):
        pol = time_policy(allow_wall_clock=True, allow_sleep=True, max_sleep_ms=10)
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                self.assertEqual(self.run_p(self.smoke, pol, args).output, b"OK")
                self.assertEqual(self.run_p(self.sleeps, pol, args).output, b"1100")

    def test_deny_now(self):
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                o = self.run_p(self.deny_now, time_policy(), args)
                self.assertEqual((o.output, o.trap), (b"OK", None), o.solve)
                self.assertEqual(self.run_p(self.sleeps, time_policy(), args).output, b"0000")

    def test_now_unix_ms(self):
        import time
        o = self.run_p(self.now_ms)
        d = (oe.u32(o.output, 0) - int(time.time() * 1000)) % (1 << 32)  # low 32 bits of Unix ms
        self.assertLess(min(d, (1 << 32) - d), 60000)
        self.assertEqual(self.run_p(self.now_ms, time_policy()).trap, "os.time.now_unix_ms disabled by policy")
        self.assertEqual(self.run_p(self.now_ms, t.base_policy()).trap, "os.time disabled by policy")


if __name__ == "__main__":
    unittest.main()
