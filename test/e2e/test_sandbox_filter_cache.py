"""The runner keeps the generated stage-1 seccomp filter in <cache>/meta: one file per
filter-relevant policy shape, reused by later runs with the same enforcement, and a
damaged file is regenerated instead of installed."""
import glob
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402
from test_sandbox_hostile import landlock_abi, seccomp_filter_available  # noqa: E402

EACCES, EPERM = 13, 1

# Reports "<errno of socket()>,<errno of fork()>" (0 = allowed).
PROBE_C = t.C_FRAME_PRELUDE + r"""
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
int main(void) {
  uint32_t n;
  read_input(&n);
  int s = socket(AF_INET, SOCK_STREAM, 0) < 0 ? errno : 0;
  long f = syscall(SYS_fork);
  if (f == 0) _exit(0);
  char out[32];
  int k = snprintf(out, sizeof out, "%d,%d", s, f < 0 ? errno : 0);
  emit(out, (uint32_t)k);
  return 0;
}
"""


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class SeccompFilterCache(t.RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        if landlock_abi() == 0 or not seccomp_filter_available():
            raise unittest.SkipTest("kernel lacks Landlock or seccomp filters")
        cls.tmp = t.TempDir("x07filtercache_")
        cls.root = cls.tmp.path
        cls.exe = t.compile_c(cls.root, "probe", PROBE_C)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def setUp(self):
        self.cache = os.path.join(self.root, "cache-" + self._testMethodName)
        self.env = {"X07_NATIVE_CACHE_DIR": self.cache}

    def filters(self):
        return sorted(glob.glob(os.path.join(self.cache, "meta", "seccomp-*")))

    def run_probe(self, **net):
        pol = t.base_policy()
        pol["net"].update(net)
        path = t.write(os.path.join(self.root, "policy.json"), t.json.dumps(pol))
        _, report = t.runner_report(["--artifact", self.exe, "--i-accept-precompiled-artifact", "--world",
                                     "run-os-sandboxed", "--policy", path, "--sandbox-backend", "os"],
                                    expect_exit=0, env=self.env, cwd=self.root)
        return t.b64d(report["solve_output_b64"]).decode()

    def test_reused_filter_enforces_the_same(self):
        denied = "%d,%d" % (EACCES, EPERM)
        self.assertEqual(self.run_probe(), denied)
        files = self.filters()
        self.assertEqual(len(files), 1)
        stored = read_bytes(files[0])
        self.assertEqual(self.run_probe(), denied)  # from the cache
        self.assertEqual(self.filters(), files)
        # A different filter shape gets its own file; sockets are then allowed (EACCES gone).
        self.assertEqual(self.run_probe(enabled=True, allow_tcp=True), "0,%d" % EPERM)
        self.assertEqual(len(self.filters()), 2)
        self.assertEqual(read_bytes(files[0]), stored)

    def test_damaged_filter_is_regenerated(self):
        self.run_probe()
        [path] = self.filters()
        good = read_bytes(path)
        damaged = bytearray(good)
        damaged[-2] ^= 0xFF  # inside the last instruction: the checksum no longer matches
        with open(path, "wb") as f:
            f.write(bytes(damaged))
        self.assertEqual(self.run_probe(), "%d,%d" % (EACCES, EPERM))
        self.assertEqual(read_bytes(path), good)


if __name__ == "__main__":
    unittest.main()
