"""Per-run quotas of the kernel sandbox against code that bypasses the runtime (issue 12).

limits.mem_bytes is RLIMIT_AS per process; a tree of processes, each under it, must
still not use more than mem_bytes together (a per-run memory cgroup, as root).
fs.max_write_bytes is RLIMIT_FSIZE per file; many files, each under it, must still not
add up to more than max_write_bytes in one run (write roots on a size-limited overlay).
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
#include <sys/stat.h>
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
  } else if (!strcmp(cmd, "manyfiles")) {
    /* <dir>,<files>,<KiB>: many files, each under RLIMIT_FSIZE */
    char *dir = arg, *c1 = strchr(arg, ',');
    *c1++ = 0;
    int files = atoi(c1);
    long kib = atol(strchr(c1, ',') + 1);
    static char junk[1024];
    memset(junk, 'q', sizeof junk);
    long total = 0;
    int first_err = 0;
    for (int i = 0; i < files; i++) {
      char path[512];
      snprintf(path, sizeof path, "%s/f%03d.bin", dir, i);
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) { if (!first_err) first_err = errno; continue; }
      for (long k = 0; k < kib; k++) {
        ssize_t w = write(fd, junk, sizeof junk);
        if (w < 0) { if (!first_err) first_err = errno; break; }
        total += w;
      }
      close(fd);
    }
    SAY("total=%ld err=%d", total, first_err);
  } else if (!strcmp(cmd, "edit")) {
    /* changes the copy-back must carry out: modify, delete, create nested, rename, symlink */
    int fd = open("out/keep.txt", O_WRONLY | O_APPEND);
    SAY("append=%d ", fd >= 0 && write(fd, "+more", 5) == 5 ? 0 : errno);
    SAY("unlink=%d ", unlink("out/gone.txt") == 0 ? 0 : errno);
    SAY("mkdir=%d ", mkdir("out/sub", 0755) == 0 || errno == EEXIST ? 0 : errno);
    fd = open("out/sub/new.txt", O_WRONLY | O_CREAT | O_TRUNC, 0640);
    SAY("create=%d ", fd >= 0 && write(fd, "fresh", 5) == 5 ? 0 : errno);
    SAY("rename=%d ", rename("out/moved-from.txt", "out/moved-to.txt") == 0 ? 0 : errno);
    SAY("symlink=%d ", symlink("keep.txt", "out/link") == 0 ? 0 : errno);
    SAY("rmdir=%d", rmdir("out/olddir") == 0 ? 0 : errno);
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
            touched, died = (int(kv.split("=")[1]) for kv in out.split()[:2])
            # the OOM killer may pick a child that already reported, making room for one more:
            # what counts is how many held their 96 MiB at once (never 3 under 256 MiB)
            self.assertLessEqual(touched - died, 2, out)
            self.assertLess(touched, 4, out)
        else:  # the whole tree may be killed instead
            self.assertIn(b"memory cgroup", p.stderr)
        # control: the same tree fits when mem_bytes allows it
        p, report = self.attack("forkmem:4,16", limits={"mem_bytes": 256 * MiB}, process=self.SPAWN)
        self.assertEqual(t.b64d(report["solve_output_b64"]).decode(), "touched=4 died=0")

    def test_plan_names_the_memory_cgroup(self):
        # an OOM kill in the run's cgroup makes the runner print its note, which lists the plan
        p, report = self.attack("forkmem:4,96", limits={"mem_bytes": 256 * MiB}, process=self.SPAWN)
        self.assertIn(b"memory cgroup max=268435456", p.stderr)


def tree_bytes(root):
    return sum(os.lstat(os.path.join(d, f)).st_size for d, _, fs in os.walk(root) for f in fs)


class WriteQuotaTest(QuotaBase):
    def setUp(self):
        super().setUp()
        out = os.path.join(self.root, "out")
        for name in os.listdir(out):
            p = os.path.join(out, name)
            t.shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)

    def test_total_written_bytes_across_many_files(self):
        # 32 files x 256 KiB, each far under RLIMIT_FSIZE = 1 MiB, together 8 MiB
        p, report = self.attack("manyfiles:out,32,256", fs={"max_write_bytes": 1 << 20})
        out = t.b64d(report["solve_output_b64"]).decode()
        total = int(out.split()[0].split("=")[1])
        self.assertLessEqual(total, 1 << 20, out)
        self.assertEqual(out.split()[1], "err=28", out)  # ENOSPC once the run's quota is used up
        on_disk = tree_bytes(os.path.join(self.root, "out"))
        self.assertLessEqual(on_disk, 1 << 20)
        self.assertEqual(on_disk, total)  # what the program wrote is there after the run

    def test_changes_are_carried_out(self):
        out = os.path.join(self.root, "out")
        t.write(os.path.join(out, "keep.txt"), "kept")
        t.write(os.path.join(out, "gone.txt"), "bye")
        t.write(os.path.join(out, "moved-from.txt"), "moving")
        os.makedirs(os.path.join(out, "olddir"))
        ino = os.stat(os.path.join(out, "keep.txt")).st_ino
        p, report = self.attack("edit", fs={"max_write_bytes": 1 << 20})
        self.assertEqual(t.b64d(report["solve_output_b64"]).decode(),
                         "append=0 unlink=0 mkdir=0 create=0 rename=0 symlink=0 rmdir=0")
        with open(os.path.join(out, "keep.txt")) as f:
            self.assertEqual(f.read(), "kept+more")
        self.assertEqual(os.stat(os.path.join(out, "keep.txt")).st_ino, ino)  # written in place
        with open(os.path.join(out, "sub", "new.txt")) as f:
            self.assertEqual(f.read(), "fresh")
        self.assertEqual(os.stat(os.path.join(out, "sub", "new.txt")).st_mode & 0o777, 0o640)
        with open(os.path.join(out, "moved-to.txt")) as f:
            self.assertEqual(f.read(), "moving")
        self.assertEqual(os.readlink(os.path.join(out, "link")), "keep.txt")
        for gone in ("gone.txt", "moved-from.txt", "olddir"):
            self.assertFalse(os.path.lexists(os.path.join(out, gone)), gone)

    def test_without_max_write_bytes_no_total_quota(self):
        # 0 = the runtime's per-file default (16 MiB); no run total
        p, report = self.attack("manyfiles:out,4,512")
        self.assertEqual(t.b64d(report["solve_output_b64"]).decode(), "total=2097152 err=0")


if __name__ == "__main__":
    unittest.main()
