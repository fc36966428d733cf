"""Environment capability: os.env.get through std.os.env in run-os and under
allow/deny policies (denials trap with the documented texts)."""
import os
import unittest

import os_e2e as oe
import x07test as t

GET = ["std.os.env.get", ["bytes.lit", "X07_E2E_ENV_KEY"]]
GET_OTHER = ["std.os.env.get", ["bytes.lit", "X07_E2E_OTHER_KEY"]]
ENV = {"X07_E2E_ENV_KEY": "value-1", "X07_E2E_OTHER_KEY": "value-2"}


class EnvTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()
        cls.get = oe.write_entry(cls.tmp.path, "get", oe.entry(GET, ["std.os.env"]))
        cls.other = oe.write_entry(cls.tmp.path, "other", oe.entry(GET_OTHER, ["std.os.env"]))
        cls.missing = oe.write_entry(cls.tmp.path, "missing",
                                     oe.entry(["std.os.env.get", ["bytes.lit", "X07_E2E_UNSET_KEY"]], ["std.os.env"]))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def run_env(self, prog, policy=None, backend=()):
        world = "run-os" if policy is None else "run-os-sandboxed"
        old = {}
        for k, v in ENV.items():
            old[k] = os.environ.get(k)
            os.environ[k] = v
        try:
            return oe.run_program(prog, self.tmp.path, world, policy, backend)
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_run_os_reads_anything(self):
        self.assertEqual(self.run_env(self.get).output, b"value-1")
        self.assertEqual(self.run_env(self.missing).output, b"")

    def test_sandboxed_allow_list(self):
        pol = t.base_policy(env={"enabled": True, "allow_keys": ["X07_E2E_ENV_KEY"], "deny_keys": []})
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                o = self.run_env(self.get, pol, args)
                self.assertEqual((o.output, o.trap), (b"value-1", None), o.solve)
                o = self.run_env(self.other, pol, args)
                self.assertEqual(o.trap, "os.env.get key not allowed")
                self.assertFalse(o.solve["ok"])
                self.assertEqual(o.output, b"")

    def test_sandboxed_deny_wins_and_disabled(self):
        pol = t.base_policy(env={"enabled": True, "allow_keys": ["X07_E2E_ENV_KEY"],
                                 "deny_keys": ["X07_E2E_ENV_KEY"]})
        self.assertEqual(self.run_env(self.get, pol, oe.BACKENDS[0][1]).trap, "os.env.get key denied")
        self.assertEqual(self.run_env(self.get, t.base_policy(), oe.BACKENDS[0][1]).trap, "os.env disabled by policy")


if __name__ == "__main__":
    unittest.main()
