"""Capabilities under the os sandbox as uid 0: none held, none regained by exec.

The sandbox empties the effective/permitted/inheritable/ambient sets, locks the
securebits (no root special case at exec, no ambient raise) and sets no_new_privs; it
leaves the bounding set alone because with no_new_privs an execve cannot grant more
than the (empty) permitted set. These tests attack exactly that: the program execs a
binary carrying file capabilities and a setuid-root binary, and both report their
capability sets and try a privileged open (a mode-000 file inside a read root, which
only CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH could open).
"""
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402
from test_sandbox_hostile import HostileBase  # noqa: E402

# Both C programs below print their capability sets with this (needs errno.h, stdio.h, string.h,
# sys/prctl.h, sys/syscall.h before it).
CAP_LINES_C = r"""
/* The capability sets as /proc/self/status would show them (Landlock keeps /proc closed). */
static int cap_lines(char *buf, int len) {
  struct { unsigned version; int pid; } hdr = {0x20080522, 0};
  struct { unsigned eff, prm, inh; } d[2];
  if (syscall(SYS_capget, &hdr, d) != 0) return snprintf(buf, len, "capget=%s\n", strerror(errno));
  unsigned long long amb = 0;
  for (int c = 0; c < 64; c++) {
    int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
    if (r < 0) break;
    if (r) amb |= 1ULL << c;
  }
  return snprintf(buf, len, "CapInh: %08x%08x\nCapPrm: %08x%08x\nCapEff: %08x%08x\nCapAmb: %016llx\n",
                  d[1].inh, d[0].inh, d[1].prm, d[0].prm, d[1].eff, d[0].eff, amb);
}
"""

# Prints its capability sets and whether it can open the mode-000 file given as argv[1].
CAPSHOW_C = r"""
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
""" + CAP_LINES_C + r"""
int main(int argc, char **argv) {
  char caps[256];
  cap_lines(caps, sizeof caps);
  fputs(caps, stdout);
  int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
  printf("open=%s\n", fd >= 0 ? "ok" : strerror(errno));
  /* raising an ambient capability needs it in permitted and inheritable */
  printf("ambient_raise=%s\n", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 2 /* DAC_READ_SEARCH */, 0, 0) == 0
                                   ? "ok" : strerror(errno));
  return 0;
}
"""

# The sandboxed program: reports its own sets, then runs argv-less execs of each helper.
ATTACKER_C = "#define _GNU_SOURCE\n" + t.C_FRAME_PRELUDE + r"""
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
""" + CAP_LINES_C + r"""
static char out[1 << 15];
static int outn;
static void run(const char *path, const char *arg) {
  int p[2];
  if (pipe(p) != 0) { outn += snprintf(out + outn, sizeof out - outn, "pipe failed\n"); return; }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    char *argv[] = {(char *)path, (char *)arg, NULL};
    execve(path, argv, NULL);
    printf("exec=%s\n", strerror(errno));
    fflush(stdout);
    _exit(1);
  }
  close(p[1]);
  outn += snprintf(out + outn, sizeof out - outn, "== %s\n", path);
  ssize_t k;
  while ((k = read(p[0], out + outn, sizeof out - outn - 1)) > 0) outn += k;
  close(p[0]);
  waitpid(pid, NULL, 0);
}
int main(void) {
  uint32_t n;
  char *cmd = read_input(&n);
  cmd[n] = 0;
  char *secret = cmd, *helpers = strchr(cmd, '|');
  *helpers++ = 0;
  outn += snprintf(out + outn, sizeof out - outn, "== self\n");
  outn += cap_lines(out + outn, sizeof out - outn);
  for (char *h = strtok(helpers, "|"); h; h = strtok(NULL, "|")) run(h, secret);
  emit(out, outn);
  return 0;
}
"""

VFS_CAP_REVISION_2 = 0x02000000
VFS_CAP_FLAGS_EFFECTIVE = 0x1


def sections(text):
    """'== name' headed blocks -> {name: {key: value}}."""
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("== "):
            cur = out.setdefault(line[3:], {})
        elif cur is not None and ("=" in line or ":" in line):
            key, _, value = line.partition("=") if "=" in line and ":" not in line else line.partition(":")
            cur[key.strip()] = value.strip()
    return out


class CapabilityTest(HostileBase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("capability drops are tested as uid 0 (other users hold none to drop)")
        super().setUpClass()
        # helpers outside every fs root: their host mount keeps setuid bits and file capabilities
        bindir = os.path.join(cls.root, "bin")
        os.makedirs(bindir)
        cls.fcap = t.compile_c(bindir, "capshow_fcap", CAPSHOW_C)
        cls.suid = t.compile_c(bindir, "capshow_suid", CAPSHOW_C)
        os.chmod(cls.suid, 0o4755)
        # file capabilities: every capability of our bounding set, permitted + effective (vfs_cap_data v2;
        # one outside the bounding set would make every exec of it fail with EPERM)
        with open("/proc/self/status") as f:
            bounding = next(int(l.split()[1], 16) for l in f if l.startswith("CapBnd:"))
        try:
            os.setxattr(cls.fcap, "security.capability",
                        struct.pack("<IIIII", VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, bounding & 0xFFFFFFFF, 0,
                                    bounding >> 32, 0))
        except OSError as e:
            raise unittest.SkipTest("cannot set file capabilities here: %s" % e)
        cls.exe = t.compile_c(cls.root, "caps_attacker", ATTACKER_C)
        # readable only with CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, inside the read root
        cls.secret = t.write(os.path.join(cls.root, "data", "mode000.txt"), "PRIVILEGED\n")
        os.chmod(cls.secret, 0)

    def attack(self, world_args):
        inp = t.write(os.path.join(self.root, "input-%s.bin" % self._testMethodName),
                      ("%s|%s|%s" % (self.secret, self.fcap, self.suid)).encode())
        p, report = t.runner_report(["--artifact", self.exe, "--i-accept-precompiled-artifact", "--input", inp]
                                    + world_args, cwd=self.root)
        self.assertTrue(report["ok"], "trap=%r stderr=%r" % (report["trap"], t.b64d(report["stderr_b64"])[:500]))
        return report, sections(t.b64d(report["solve_output_b64"]).decode())

    def sandbox_policy(self):
        return self.policy(process={"enabled": True, "allow_spawn": True, "max_live": 1, "max_spawns": 4,
                                    "max_runtime_ms": 2000, "allow_execs": [self.fcap, self.suid]})

    def test_control_unsandboxed_root_holds_capabilities(self):
        # Outside the sandbox the same helpers hold capabilities and open the file: the checks below can fail.
        _, out = self.attack(["--world", "run-os"])
        for name in ("self", self.fcap, self.suid):
            self.assertNotEqual(int(out[name]["CapEff"], 16), 0, (name, out))
        for name in (self.fcap, self.suid):
            self.assertEqual(out[name]["open"], "ok", (name, out))

    def test_no_capability_held_or_regained_by_exec(self):
        report, out = self.attack(["--world", "run-os-sandboxed", "--policy", self.sandbox_policy()])
        self.assertEqual(report["sandbox_backend"], "os")
        for name in ("self", self.fcap, self.suid):
            self.assertIn(name, out, out)
            if out[name].get("exec") == "Operation not permitted":
                continue  # the kernel refused the exec outright (file capabilities it cannot grant): also safe
            for kind in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
                self.assertEqual(int(out[name][kind], 16), 0, (name, kind, out[name]))
        self.assertNotIn("exec", out[self.suid], out[self.suid])  # setuid-root binaries run, as before
        for name in (self.fcap, self.suid):
            if "exec" in out[name]:
                continue
            self.assertEqual(out[name]["open"], "Permission denied", out[name])
            self.assertEqual(out[name]["ambient_raise"], "Operation not permitted", out[name])


if __name__ == "__main__":
    unittest.main()
