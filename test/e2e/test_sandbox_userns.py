"""The kernel sandbox for an unprivileged user: user namespaces (issue 12).

The runner runs as uid/gid 65534 (setpriv, no supplementary groups, no capabilities).
Where the kernel allows unprivileged user namespaces the sandbox must still create new
pid, ipc, uts, mount and (net off) network namespaces, inside a user namespace that maps
only the runner's own uid/gid; where it does not, it must say so and fail closed for
policies that need them. The attacker is a native artifact making raw syscalls.
"""
import os
import shutil
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402
from test_sandbox_hostile import EACCES, landlock_abi, seccomp_filter_available  # noqa: E402

NOBODY = 65534
ESRCH = 3

PROBE_C = "#define _GNU_SOURCE\n" + t.C_FRAME_PRELUDE + r"""
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
static char out[1 << 14];
static int outn;
#define SAY(...) (outn += snprintf(out + outn, sizeof out - outn, __VA_ARGS__))
int main(void) {
  uint32_t n;
  char *arg = read_input(&n);
  arg[n] = 0;
  if (!strcmp(arg, "fail")) { fprintf(stderr, "open: Permission denied\n"); emit("x", 1); return 3; }
  const char *kinds[] = {"pid", "ipc", "uts", "mnt", "net", "user"};
  for (int i = 0; i < 6; i++) {
    char link[64], target[128] = {0};
    snprintf(link, sizeof link, "/proc/self/ns/%s", kinds[i]);
    if (readlink(link, target, sizeof target - 1) < 0) snprintf(target, sizeof target, "err:%d", errno);
    SAY("%s=%s\n", kinds[i], target);
  }
  SAY("self=%d uid=%d gid=%d\n", (int)getpid(), (int)getuid(), (int)getgid());
  /* a host process of our own uid: visible (EPERM from Landlock's signal scope) or not (ESRCH) */
  SAY("kill=%d\n", kill((pid_t)atoi(arg), 0) == 0 ? 0 : errno);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  SAY("socket=%d\n", s >= 0 ? 0 : errno);
  int fd = open("secret/s.txt", O_RDONLY);
  SAY("read_outside=%d\n", fd >= 0 ? 0 : errno);
  fd = open("elsewhere/x", O_WRONLY | O_CREAT, 0644);
  SAY("write_outside=%d\n", fd >= 0 ? 0 : errno);
  fd = open("data/in.txt", O_RDONLY);
  SAY("read_inside=%d\n", fd >= 0 ? 0 : errno);
  fd = open("out/x", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  SAY("write_inside=%d\n", fd >= 0 && write(fd, "ok", 2) == 2 ? 0 : errno);
  const char *dirs[] = {"data", "out"};
  for (int i = 0; i < 2; i++) {
    struct statvfs sv;
    if (statvfs(dirs[i], &sv) != 0) SAY("%s=err\n", dirs[i]);
    else SAY("%s=%s%s\n", dirs[i], (sv.f_flag & ST_RDONLY) ? "ro" : "rw", (sv.f_flag & ST_NOEXEC) ? ",noexec" : "");
  }
  emit(out, outn);
  return 0;
}
"""


# Runs argv in a user namespace (ids 0-65535 mapped 1:1, so root stays root) whose
# max_user_namespaces is 0: a kernel that refuses (further) user namespaces.
NO_USERNS_PY = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(0x10000000) != 0:
        os._exit(90)
    os.write(w, b"x")
    os.read(r2, 1)
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    os.execvp(sys.argv[1], sys.argv[1:])
os.read(r, 1)
for m in ("uid_map", "gid_map"):
    with open("/proc/%d/%s" % (pid, m), "w") as f:
        f.write("0 0 65536\n")
os.write(w2, b"x")
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
"""


def userns_allowed_for_nobody():
    """Whether this kernel lets uid 65534 create a user namespace with mount/pid inside."""
    p = subprocess.run(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
                        "unshare", "--user", "--mount", "--pid", "--fork", "true"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    return p.returncode == 0


class UnprivilegedSandboxTest(t.RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            raise unittest.SkipTest("needs root and setpriv to run the runner as uid 65534")
        if landlock_abi() == 0 or not seccomp_filter_available():
            raise unittest.SkipTest("kernel lacks Landlock or seccomp filters")
        cls.tmp = t.TempDir("x07userns_")
        cls.root = cls.tmp.path
        t.write(os.path.join(cls.root, "data", "in.txt"), "inside\n")
        t.write(os.path.join(cls.root, "secret", "s.txt"), "TOPSECRET\n")
        os.makedirs(os.path.join(cls.root, "elsewhere"))
        os.makedirs(os.path.join(cls.root, "out"))
        cls.exe = t.compile_c(cls.root, "probe", PROBE_C)
        for dirpath, dirnames, filenames in os.walk(cls.root):
            for name in [dirpath] + [os.path.join(dirpath, f) for f in dirnames + filenames]:
                os.chown(name, NOBODY, NOBODY)
        os.chmod(cls.root, 0o755)
        cls.userns = userns_allowed_for_nobody()
        # a host process of uid 65534 that the program must not see
        cls.sleeper = subprocess.Popen(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
                                        "sleep", "60"])

    @classmethod
    def tearDownClass(cls):
        cls.sleeper.send_signal(signal.SIGKILL)
        cls.sleeper.wait()
        cls.tmp.__exit__(None, None, None)

    def run_as_nobody(self, policy_sections, extra=(), command=None, no_userns=False):
        sections = {"fs": {"enabled": True, "read_roots": ["data"], "write_roots": ["out"], "deny_hidden": True}}
        sections.update(policy_sections)
        pol = t.base_policy(**sections)
        path = t.write(os.path.join(self.root, "policy-%s.json" % self._testMethodName), t.json.dumps(pol))
        inp = t.write(os.path.join(self.root, "input-%s.bin" % self._testMethodName), (command or str(self.sleeper.pid)).encode())
        for f in (path, inp):
            os.chown(f, NOBODY, NOBODY)
        env = dict(os.environ, HOME=self.root, X07_NATIVE_CACHE_DIR=os.path.join(self.root, "cache"),
                   TMPDIR=self.root)
        argv = [sys.executable, "-c", NO_USERNS_PY] if no_userns else []
        argv += ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups", "--inh-caps=-all",
                t.runner_path(), "--artifact", self.exe, "--i-accept-precompiled-artifact",
                "--world", "run-os-sandboxed", "--policy", path, "--input", inp] + list(extra)
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=self.root,
                              stdin=subprocess.DEVNULL, timeout=60)

    def facts(self, p):
        report = t.json.loads(p.stdout)
        t.validate(report, "x07-os-runner.report.schema.json")
        self.assertTrue(report["ok"], "trap=%r stderr=%r" % (report.get("trap"), p.stderr[-800:]))
        self.assertEqual(report["sandbox_backend"], "os")
        out = t.b64d(report["solve_output_b64"]).decode()
        return dict(kv.split("=", 1) for kw in out.splitlines() for kv in kw.split(" "))

    def test_namespaces_hold_for_an_unprivileged_user(self):
        if not self.userns:
            self.skipTest("kernel refuses unprivileged user namespaces (see the fallback test)")
        p = self.run_as_nobody({})
        self.assertEqual(p.returncode, 0, p.stderr[-800:])
        f = self.facts(p)
        for kind in ("pid", "ipc", "uts", "mnt", "net", "user"):
            self.assertNotEqual(f[kind], os.readlink("/proc/self/ns/" + kind), kind)
        self.assertTrue(f["pid"].startswith("pid:["), f["pid"])
        # no host pids: the program is pid 1 and the host sleeper of its own uid does not exist for it
        self.assertEqual((f["self"], f["kill"]), ("1", str(ESRCH)))
        # the user namespace maps only the runner's own ids (the program is not root in it)
        self.assertEqual((f["uid"], f["gid"]), (str(NOBODY), str(NOBODY)))
        # no network when net is off; only the roots
        self.assertEqual(f["socket"], str(EACCES))
        self.assertEqual((f["read_outside"], f["write_outside"]), (str(EACCES), str(EACCES)))
        self.assertEqual((f["read_inside"], f["write_inside"]), ("0", "0"))
        self.assertEqual((f["data"], f["out"]), ("ro,noexec", "rw,noexec"))
        self.assertFalse(os.path.exists(os.path.join(self.root, "elsewhere", "x")))

    def test_network_namespace_kept_when_net_is_on(self):
        if not self.userns:
            self.skipTest("kernel refuses unprivileged user namespaces")
        net = t.base_policy()["net"]
        net.update(enabled=True, allow_tcp=True, allow_hosts=[{"host": "127.0.0.1", "ports": [9]}])
        p = self.run_as_nobody({"net": net})
        f = self.facts(p)
        self.assertEqual(f["net"], os.readlink("/proc/self/ns/net"))
        self.assertNotEqual(f["mnt"], os.readlink("/proc/self/ns/mnt"))
        self.assertEqual(f["socket"], "0")

    def test_write_quota_overlay_in_the_user_namespace(self):
        if not self.userns:
            self.skipTest("kernel refuses unprivileged user namespaces")
        target = os.path.join(self.root, "out", "x")
        if os.path.exists(target):
            os.unlink(target)
        fs = {"enabled": True, "read_roots": ["data"], "write_roots": ["out"], "deny_hidden": True,
              "max_write_bytes": 65536}
        f = self.facts(self.run_as_nobody({"fs": fs}))
        self.assertEqual((f["write_inside"], f["out"], f["write_outside"]), ("0", "rw,noexec", str(EACCES)))
        with open(target) as fh:  # carried out of the overlay after the run
            self.assertEqual(fh.read(), "ok")
        self.assertEqual(os.stat(target).st_uid, NOBODY)

    def test_plan_names_the_user_namespace(self):
        if not self.userns:
            self.skipTest("kernel refuses unprivileged user namespaces")
        # a failing run prints the plan: it must list the namespaces, not "not enforced: namespaces"
        p = self.run_as_nobody({}, command="fail")
        note = p.stderr.decode(errors="replace")
        self.assertIn("namespaces user pid ipc uts mount net", note)
        self.assertNotIn("namespaces need uid 0", note)

    def test_fallback_when_the_kernel_refuses_user_namespaces(self):
        # today's layers, and the plan says what is missing
        f = self.facts(self.run_as_nobody({}, no_userns=True))
        self.assertEqual(f["net"], os.readlink("/proc/self/ns/net"))
        self.assertNotEqual(f["self"], "1")
        self.assertEqual((f["read_outside"], f["write_outside"], f["socket"]), (str(EACCES),) * 3)
        note = self.run_as_nobody({}, command="fail", no_userns=True).stderr.decode(errors="replace")
        self.assertIn("not enforced: namespaces need uid 0 with CAP_SYS_ADMIN or unprivileged user namespaces", note)
        # a policy that needs the noexec roots (allowed execs: their loader) fails closed unless accepted
        process = dict(t.base_policy()["process"], enabled=True, allow_spawn=True, max_live=1, max_spawns=1,
                       allow_execs=["/bin/echo"], max_runtime_ms=1000)
        p = self.run_as_nobody({"process": process}, no_userns=True)
        self.assertEqual((p.returncode, p.stdout), (2, b""))
        self.assertIn(b"fails closed", p.stderr)
        self.assertIn(b"the kernel refuses unprivileged user namespaces", p.stderr)
        p = self.run_as_nobody({"process": process}, ["--i-accept-weaker-isolation"], no_userns=True)
        self.assertEqual(self.facts(p)["read_outside"], str(EACCES))
        # the same policy with user namespaces allowed runs them
        if self.userns:
            self.assertEqual(self.facts(self.run_as_nobody({"process": process}))["self"], "1")


if __name__ == "__main__":
    unittest.main()
