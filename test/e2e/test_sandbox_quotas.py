"""Per-run quotas of the kernel sandbox against code that bypasses the runtime (issue 12).

limits.mem_bytes is RLIMIT_AS per process; a tree of processes, each under it, must
still not use more than mem_bytes together (a per-run memory cgroup, as root).
The attacker is a native artifact making raw syscalls.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402
from test_sandbox_hostile import HostileBase, pids_cgroup_parent  # noqa: E402

QUOTA_C = "#define _GNU_SOURCE\n" + t.C_FRAME_PRELUDE + r"""
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
static char out[1 << 14];
static int outn;
#define SAY(...) (outn += snprintf(out + outn, sizeof out - outn, __VA_ARGS__))
static long now_ms(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec * 1000 + ts.tv_nsec / 1000000; }
int main(void) {
  uint32_t n;
  char *cmd = read_input(&n);
  cmd[n] = 0;
  char *arg = strchr(cmd, ':');
  if (arg) *arg++ = 0;
  if (!strcmp(cmd, "forkmem")) {
    /* <kids>,<MiB>: every child touches MiB (under RLIMIT_AS), reports, and holds it */
    int kids = atoi(arg);
    size_t sz = (size_t)atol(strchr(arg, ',') + 1) << 20;
    int done[2], hold[2];
    if (pipe(done) || pipe(hold)) { SAY("pipe err %d", errno); emit(out, outn); return 0; }
    pid_t pids[32];
    for (int i = 0; i < kids; i++) {
      pids[i] = fork();
      if (pids[i] == 0) {
        close(done[0]); close(hold[1]);
        char *b = malloc(sz);
        if (!b) _exit(3);
        memset(b, 1, sz);
        if (write(done[1], "x", 1) != 1) _exit(4);
        char c;
        (void)read(hold[0], &c, 1); /* until the parent lets go */
        _exit(b[sz - 1] == 1 ? 0 : 5);
      }
    }
    close(done[1]); close(hold[0]);
    int touched = 0, died = 0;
    int gone[32] = {0};
    long deadline = now_ms() + 4000;
    while (touched + died < kids && now_ms() < deadline) {
      struct pollfd pf = {done[0], POLLIN, 0};
      if (poll(&pf, 1, 50) > 0) { char c; if (read(done[0], &c, 1) == 1) touched++; }
      for (int i = 0; i < kids; i++) {
        int st;
        if (!gone[i] && waitpid(pids[i], &st, WNOHANG) == pids[i]) { gone[i] = 1; died++; }
      }
    }
    close(hold[1]);
    for (int i = 0; i < kids; i++) if (!gone[i]) waitpid(pids[i], NULL, 0);
    SAY("touched=%d died=%d", touched, died);
  } else { SAY("unknown command"); }
  emit(out, outn);
  return 0;
}
"""

MiB = 1 << 20


class QuotaBase(HostileBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exe = t.compile_c(cls.root, "quota", QUOTA_C)

    def attack(self, command, **policy):
        p, report, _ = self.sandboxed(["--artifact", self.exe, "--i-accept-precompiled-artifact"],
                                      self.policy(**policy), command.encode())
        self.assertEqual(report["sandbox_backend"], "os")
        return p, report


class MemoryCgroupTest(QuotaBase):
    SPAWN = {"enabled": True, "allow_spawn": True, "max_live": 8, "max_spawns": 8, "max_runtime_ms": 5000,
             "allow_execs": ["/bin/true"]}

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0 or pids_cgroup_parent("memory") is None:
            self.skipTest("needs uid 0 and a writable memory cgroup (v1 hierarchy or v2 with memory enabled)")

    def test_forked_children_together_stay_under_mem_bytes(self):
        # 4 children x 96 MiB, each far under RLIMIT_AS = 256 MiB, together 384 MiB
        p, report = self.attack("forkmem:4,96", limits={"mem_bytes": 256 * MiB}, process=self.SPAWN)
        out = t.b64d(report["solve_output_b64"]).decode() if report["ok"] else ""
        if out:
            touched = int(out.split()[0].split("=")[1])
            self.assertLessEqual(touched, 2, out)
        else:  # the whole tree may be killed instead
            self.assertIn(b"memory cgroup", p.stderr)
        # control: the same tree fits when mem_bytes allows it
        p, report = self.attack("forkmem:4,16", limits={"mem_bytes": 256 * MiB}, process=self.SPAWN)
        self.assertEqual(t.b64d(report["solve_output_b64"]).decode(), "touched=4 died=0")

    def test_plan_names_the_memory_cgroup(self):
        # an OOM kill in the run's cgroup makes the runner print its note, which lists the plan
        p, report = self.attack("forkmem:4,96", limits={"mem_bytes": 256 * MiB}, process=self.SPAWN)
        self.assertIn(b"memory cgroup max=268435456", p.stderr)


if __name__ == "__main__":
    unittest.main()
