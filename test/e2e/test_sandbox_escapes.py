"""Escapes found by a hostile review of run-os-sandboxed (issue 12), one test each.

Every test plants something outside the sandbox (a listener, a secret, a payload) and
asserts that nothing reached it. The attacker is a native artifact making raw
syscalls, i.e. code that bypasses the x07 runtime.
"""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402
from test_sandbox_hostile import EACCES, HostileBase  # noqa: E402

EFBIG = 27

ESCAPE_C = "#define _GNU_SOURCE\n" + t.C_FRAME_PRELUDE + r"""
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
static char out[1 << 16];
static int outn;
static void say(const char *fmt, long v) { outn += snprintf(out + outn, sizeof out - outn, fmt, v); }
static void res(long rc) { if (rc < 0) say("err:%ld", errno); else say("ok:%ld", rc); }
static struct sockaddr_in loopback(const char *port) {
  struct sockaddr_in a; memset(&a, 0, sizeof a); a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)atoi(port)); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); return a;
}
int main(void) {
  uint32_t n;
  char *cmd = read_input(&n);
  cmd[n] = 0;
  char *arg = strchr(cmd, ':');
  if (arg) *arg++ = 0;
  if (!strcmp(cmd, "unix_dgram")) {
    /* datagram socketpair, then sendmsg with our stdin fd attached to a pathname socket */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0) { res(-1); }
    else {
      struct sockaddr_un to; memset(&to, 0, sizeof to); to.sun_family = AF_UNIX;
      strncpy(to.sun_path, arg, sizeof to.sun_path - 1);
      char data[] = "pwned";
      struct iovec iov = {data, 5};
      union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } c;
      memset(&c, 0, sizeof c);
      struct msghdr m; memset(&m, 0, sizeof m);
      m.msg_name = &to; m.msg_namelen = sizeof to; m.msg_iov = &iov; m.msg_iovlen = 1;
      m.msg_control = c.buf; m.msg_controllen = sizeof c.buf;
      struct cmsghdr *h = CMSG_FIRSTHDR(&m);
      h->cmsg_level = SOL_SOCKET; h->cmsg_type = SCM_RIGHTS; h->cmsg_len = CMSG_LEN(sizeof(int));
      int fd0 = 0; memcpy(CMSG_DATA(h), &fd0, sizeof fd0);
      long r1 = sendmsg(sv[0], &m, 0);
      int e1 = errno;
      long r2 = sendto(sv[0], data, 5, 0, (struct sockaddr *)&to, sizeof to);
      errno = r1 < 0 ? e1 : errno;
      res(r1 < 0 ? r1 : r2);
    }
  } else if (!strcmp(cmd, "unix_stream")) {
    int sv[2];
    res(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  } else if (!strcmp(cmd, "env")) {
    extern char **environ;
    for (char **e = environ; *e; e++) outn += snprintf(out + outn, sizeof out - outn, "%s\n", *e);
  } else if (!strcmp(cmd, "bigwrite")) {
    /* 4 MiB in 64 KiB writes, then a 64 MiB fallocate that keeps the size */
    int fd = open(arg, O_RDWR | O_CREAT | O_TRUNC, 0644);
    static char junk[65536];
    long total = 0;
    int werr = 0;
    for (int i = 0; fd >= 0 && i < 64; i++) {
      ssize_t k = write(fd, junk, sizeof junk);
      if (k < 0) { werr = errno; break; }
      total += k;
    }
    int ferr = fd >= 0 && fallocate(fd, 1 /* FALLOC_FL_KEEP_SIZE */, 0, 64L << 20) != 0 ? errno : 0;
    int perr = fd >= 0 ? posix_fallocate(fd, 0, 64L << 20) : 0;
    outn += snprintf(out + outn, sizeof out - outn, "wrote=%ld werr=%d ferr=%d perr=%d", total, werr, ferr, perr);
  } else if (!strcmp(cmd, "udp")) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(arg);
    if (s < 0) res(-1);
    else res(sendto(s, "pwned", 5, 0, (struct sockaddr *)&a, sizeof a));
  } else if (!strcmp(cmd, "udp_connected")) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(arg);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) res(-1);
    else res(send(s, "pwned", 5, 0));
  } else if (!strcmp(cmd, "udp_sendmsg")) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(arg);
    struct iovec iov = {"pwned", 5};
    struct msghdr m; memset(&m, 0, sizeof m);
    m.msg_name = &a; m.msg_namelen = sizeof a; m.msg_iov = &iov; m.msg_iovlen = 1;
    if (s < 0) res(-1); else res(sendmsg(s, &m, 0));
  } else if (!strcmp(cmd, "listen_autobind")) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || listen(s, 4) != 0) { res(-1); }
    else {
      struct sockaddr_in a; socklen_t l = sizeof a;
      getsockname(s, (struct sockaddr *)&a, &l);
      say("ok:%ld", ntohs(a.sin_port));
      /* stay listening for a moment so the test can try to connect */
      emit(out, outn);
      struct timespec ts = {1, 0};
      nanosleep(&ts, NULL);
      return 0;
    }
  } else if (!strcmp(cmd, "loader")) {
    /* exec the dynamic loader (allowed as /bin/echo's interpreter) on a payload */
    char *ld = arg, *payload = strchr(arg, '>');
    *payload++ = 0;
    int p[2];
    if (pipe(p) != 0) { res(-1); }
    else {
      pid_t pid = fork();
      if (pid == 0) {
        dup2(p[1], 1);
        char *argv[] = {ld, payload, NULL};
        execve(ld, argv, NULL);
        _exit(100 + errno);
      }
      close(p[1]);
      char buf[64] = {0};
      ssize_t k = read(p[0], buf, sizeof buf - 1);
      int st = 0;
      waitpid(pid, &st, 0);
      outn += snprintf(out + outn, sizeof out - outn, "exit=%d out=%s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                       k > 0 ? buf : "");
    }
  } else if (!strcmp(cmd, "ns")) {
    /* namespace ids (readlink is a lookup: Landlock does not cover it) and mount flags */
    const char *kinds[] = {"pid", "ipc", "uts", "mnt", "net"};
    for (int i = 0; i < 5; i++) {
      char link[64], target[128] = {0};
      snprintf(link, sizeof link, "/proc/self/ns/%s", kinds[i]);
      if (readlink(link, target, sizeof target - 1) < 0) snprintf(target, sizeof target, "err:%d", errno);
      outn += snprintf(out + outn, sizeof out - outn, "%s\n", target);
    }
    outn += snprintf(out + outn, sizeof out - outn, "pid=%d\n", (int)getpid());
    const char *dirs[] = {"data", "out"};
    for (int i = 0; i < 2; i++) {
      struct statvfs sv;
      if (statvfs(dirs[i], &sv) != 0) outn += snprintf(out + outn, sizeof out - outn, "%s=err\n", dirs[i]);
      else outn += snprintf(out + outn, sizeof out - outn, "%s=%s%s\n", dirs[i], (sv.f_flag & ST_RDONLY) ? "ro" : "rw",
                            (sv.f_flag & ST_NOEXEC) ? ",noexec" : "");
    }
  } else { say("unknown command%ld", 0); }
  emit(out, outn);
  return 0;
}
"""

PAYLOAD_C = r"""
#include <stdio.h>
int main(void) { puts("PAYLOAD RAN"); return 0; }
"""


class EscapeBase(HostileBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exe = t.compile_c(cls.root, "escape", ESCAPE_C)
        # the listener lives in its own directory, outside every root
        cls.outside_tmp = t.TempDir("x07escape_")

    @classmethod
    def tearDownClass(cls):
        cls.outside_tmp.__exit__(None, None, None)
        super().tearDownClass()

    def attack(self, command, env=None, **policy):
        pol = self.policy(**policy)
        inp = t.write(os.path.join(self.root, "input-%s.bin" % self._testMethodName), command.encode())
        p, report = t.runner_report(["--artifact", self.exe, "--i-accept-precompiled-artifact",
                                     "--world", "run-os-sandboxed", "--policy", pol, "--input", inp],
                                    cwd=self.root, env=env)
        self.assertEqual(report["sandbox_backend"], "os")
        self.assertTrue(report["ok"], "%s: trap=%r stderr=%r" % (command, report["trap"],
                                                                  t.b64d(report["stderr_b64"])[:500]))
        return t.b64d(report["solve_output_b64"]).decode()


class EscapeTest(EscapeBase):
    # 1 -------------------------------------------------------------------------
    def test_unix_datagram_to_a_pathname_socket_outside_the_roots(self):
        path = os.path.join(self.outside_tmp.path, "listener.sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        srv.bind(path)
        srv.setblocking(False)
        try:
            for net in (None, {"enabled": True, "allow_tcp": True,
                               "allow_hosts": [{"host": "127.0.0.1", "ports": [9]}]}):
                self.assertEqual(self.attack("unix_dgram:" + path, net=net), "err:%d" % EACCES)
            time.sleep(0.1)
            with self.assertRaises(BlockingIOError):
                srv.recvmsg(64, 64)
            # stream pairs (no destination address) still work
            self.assertEqual(self.attack("unix_stream"), "ok:0")
        finally:
            srv.close()

    # 2 -------------------------------------------------------------------------
    def test_environment_is_clean(self):
        env = dict(os.environ, X07_TEST_CLOUD_TOKEN="s3cr3t", X07_TEST_ALLOWED="yes", X07_TEST_DENIED="no")
        out = self.attack("env", env=env).splitlines()
        keys = sorted(kv.split("=", 1)[0] for kv in out)
        self.assertNotIn("X07_TEST_CLOUD_TOKEN=s3cr3t", out)
        self.assertTrue(all(k in ("X07_WORLD", "X07_OS_SANDBOXED") or k.startswith("X07_OS_") for k in keys), keys)
        self.assertNotIn("PATH", keys)
        # env.enabled: exactly the allowed keys, never the denied ones
        pol_env = {"enabled": True, "allow_keys": ["X07_TEST_ALLOWED", "X07_TEST_DENIED", "X07_TEST_MISSING"],
                   "deny_keys": ["X07_TEST_DENIED"]}
        with open(self.policy()) as f:
            pol = t.json.load(f)
        pol["env"] = pol_env
        path = t.write(os.path.join(self.root, "policy-env.json"), t.json.dumps(pol))
        inp = t.write(os.path.join(self.root, "input-env.bin"), b"env")
        p, report = t.runner_report(["--artifact", self.exe, "--i-accept-precompiled-artifact",
                                     "--world", "run-os-sandboxed", "--policy", path, "--input", inp],
                                    cwd=self.root, env=env)
        out = t.b64d(report["solve_output_b64"]).decode().splitlines()
        self.assertIn("X07_TEST_ALLOWED=yes", out)
        self.assertFalse([kv for kv in out if kv.startswith(("X07_TEST_DENIED=", "X07_TEST_CLOUD_TOKEN="))], out)

    # 3 -------------------------------------------------------------------------
    def test_max_write_bytes_holds_for_code_bypassing_the_runtime(self):
        out = self.attack("bigwrite:out/big.bin", fs={"max_write_bytes": 1048576})
        self.assertEqual(out, "wrote=1048576 werr=%d ferr=95 perr=%d" % (EFBIG, EFBIG))
        st = os.stat(os.path.join(self.root, "out", "big.bin"))
        self.assertLessEqual(st.st_size, 1048576)
        self.assertLessEqual(st.st_blocks * 512, 1048576 + 65536)

    # 4 -------------------------------------------------------------------------
    def udp_listeners(self, count):
        socks = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.setblocking(False)
            socks.append(s)
        return socks

    def test_udp_only_to_allowlisted_hosts(self):
        allowed, other = self.udp_listeners(2)
        try:
            net = {"enabled": True, "allow_udp": True, "allow_dns": True,
                   "allow_hosts": [{"host": "127.0.0.1", "ports": [allowed.getsockname()[1]]}]}
            ok_port, bad_port = allowed.getsockname()[1], other.getsockname()[1]
            for cmd in ("udp", "udp_connected", "udp_sendmsg"):
                self.assertEqual(self.attack("%s:%d" % (cmd, bad_port), net=net), "err:%d" % EACCES, cmd)
                self.assertEqual(self.attack("%s:%d" % (cmd, ok_port), net=net), "ok:5", cmd)
            time.sleep(0.1)
            with self.assertRaises(BlockingIOError):
                other.recv(64)
            self.assertEqual(allowed.recv(64), b"pwned")
        finally:
            allowed.close()
            other.close()

    # 5 -------------------------------------------------------------------------
    def test_listen_without_bind_is_refused(self):
        net = {"enabled": True, "allow_tcp": True, "allow_hosts": [{"host": "127.0.0.1", "ports": [9]}]}
        out = self.attack("listen_autobind", net=net)
        if out.startswith("ok:"):
            c = socket.socket()
            c.settimeout(1)
            reached = c.connect_ex(("127.0.0.1", int(out[3:]))) == 0
            c.close()
            self.fail("listen() auto-bound port %s (reachable from outside: %s)" % (out[3:], reached))
        self.assertEqual(out, "err:%d" % EACCES)

    # 6 -------------------------------------------------------------------------
    def test_dynamic_loader_cannot_run_a_payload_from_a_read_root(self):
        loader = os.path.realpath("/lib64/ld-linux-x86-64.so.2")
        if not os.path.exists(loader):
            self.skipTest("no x86-64 dynamic loader at /lib64")
        payload = t.compile_c(os.path.join(self.root, "data"), "payload", PAYLOAD_C)
        os.chmod(payload, 0o644)  # not executable itself: only the loader could run it
        process = {"enabled": True, "allow_spawn": True, "max_live": 1, "max_spawns": 2, "max_runtime_ms": 1000,
                   "allow_execs": ["/bin/echo"]}
        try:
            out = self.attack("loader:%s>%s" % (loader, payload), process=process)
            self.assertNotIn("PAYLOAD RAN", out)
        finally:
            for f in (payload, payload + ".c"):
                os.unlink(f)


def namespaces_expected():
    """uid 0 with CAP_SYS_ADMIN: the sandbox creates namespaces."""
    if os.geteuid() != 0:
        return False
    with open("/proc/self/status") as f:
        eff = next(int(l.split()[1], 16) for l in f if l.startswith("CapEff:"))
    return bool(eff & (1 << 21))


class NamespaceTest(EscapeBase):
    """The namespace layer under Landlock and seccomp (uid 0): each namespace is new."""

    def setUp(self):
        super().setUp()
        if not namespaces_expected():
            self.skipTest("not uid 0 with CAP_SYS_ADMIN: the sandbox runs without namespaces (and says so)")

    def ns_of(self, **policy):
        lines = self.attack("ns", **policy).splitlines()
        return dict(zip(("pid", "ipc", "uts", "mnt", "net"), lines[:5])), lines[5:]

    def test_pid_ipc_uts_mount_net_namespaces_when_net_is_off(self):
        ns, rest = self.ns_of()
        for kind, link in ns.items():
            self.assertNotEqual(link, os.readlink("/proc/self/ns/" + kind), kind)
        self.assertIn("pid=1", rest)  # the program is init of its own pid namespace: no host pids

    def test_net_off_runs_share_one_empty_namespace(self):
        # creating a network namespace per run is the costliest step; runs with net off share an empty one
        first, _ = self.ns_of()
        second, _ = self.ns_of()
        self.assertEqual(first["net"], second["net"])
        self.assertEqual(first["net"], "net:[%d]" % os.stat("/run/x07/netns-empty").st_ino)
        self.assertNotEqual(first["net"], os.readlink("/proc/self/ns/net"))
        # nothing in it but a loopback that is down (no one in it may bring it up)
        if t.shutil.which("nsenter") and t.shutil.which("ip"):
            links = t.subprocess.run(["nsenter", "--net=/run/x07/netns-empty", "ip", "-o", "link"],
                                     stdout=t.subprocess.PIPE, check=True).stdout.decode().splitlines()
            self.assertEqual(len(links), 1, links)
            self.assertIn(": lo: ", links[0])
            self.assertNotIn("UP", links[0].split(">")[0])

    def test_net_namespace_kept_when_net_is_on(self):
        ns, _ = self.ns_of(net={"enabled": True, "allow_tcp": True,
                                "allow_hosts": [{"host": "127.0.0.1", "ports": [9]}]})
        self.assertEqual(ns["net"], os.readlink("/proc/self/ns/net"))
        self.assertNotEqual(ns["mnt"], os.readlink("/proc/self/ns/mnt"))

    def test_roots_mounted_read_only_and_noexec(self):
        _, rest = self.ns_of()
        self.assertIn("data=ro,noexec", rest)
        self.assertIn("out=rw,noexec", rest)

    def test_root_given_through_a_symlink_is_mounted_at_its_real_path(self):
        link = os.path.join(self.root, "datalink")
        if not os.path.islink(link):
            os.symlink("data", link)
        _, rest = self.ns_of(fs={"read_roots": ["datalink"], "write_roots": ["out"]})
        self.assertIn("data=ro,noexec", rest)

    def test_read_root_slash_keeps_system_libraries_executable(self):
        # everything read-only and noexec, except the library directories the loader maps code from
        _, rest = self.ns_of(fs={"read_roots": ["/"], "write_roots": ["out"]})
        self.assertIn("data=ro,noexec", rest)
        self.assertIn("out=rw,noexec", rest)

    def test_plan_says_namespaces(self):
        exe = t.compile_c(self.root, "perm_ns", t.C_FRAME_PRELUDE + r"""
#include <fcntl.h>
int main(void) { uint32_t n; read_input(&n);
  if (open("/etc/passwd", O_RDONLY) < 0) perror("open /etc/passwd");
  emit("x", 1); return 3; }
""")
        p, report, _ = self.sandboxed(["--artifact", exe, "--i-accept-precompiled-artifact"], self.policy())
        self.assertIn(b"namespaces pid ipc uts mount net (2 roots mounted noexec)", p.stderr)


class DeepJsonTest(t.RunnerTestCase):
    """7: nesting past serde_json's limit (128) is a clear error, never a stack overflow."""

    def setUp(self):
        self.tmp = t.TempDir("x07deep_")
        self.addCleanup(self.tmp.__exit__, None, None, None)

    def test_deep_policy(self):
        pol = t.base_policy()
        text = t.json.dumps(pol)[:-1] + ', "x": ' + "[" * 50000 + "]" * 50000 + "}"
        path = t.write(os.path.join(self.tmp.path, "deep.json"), text)
        prog = t.write_program(self.tmp.path, ["bytes.lit", "x"])
        p = t.run_runner(["--program", prog, "--world", "run-os-sandboxed", "--policy", path], cwd=self.tmp.path)
        self.assertEqual(p.stdout, b"")
        self.assertIn(b"recursion limit exceeded at line 1 column ", p.stderr)
        self.assertIn(p.returncode, (2, 3))

    def test_deep_program(self):
        # programs may nest to the compiler's budget (1024 levels), past serde's 127
        text = '{"a":' + "[" * 30000 + "]" * 30000 + "}"
        path = t.write(os.path.join(self.tmp.path, "deep.x07.json"), text)
        p, report = t.runner_report(["--program", path, "--world", "run-os"], cwd=self.tmp.path)
        self.assertFalse(report["compile"]["ok"])
        self.assertIn("JSON nesting too deep (max 1024 levels)", report["compile"]["compile_error"])

    def test_program_nesting_past_serde_limit_compiles(self):
        # 480 nested ifs: about 960 JSON levels (upstream's parser refuses past 127); the compiler
        # recurses per level, so this also checks that it has the stack for it (sanitizer builds too)
        e = ["bytes.lit", "deep"]
        for _ in range(480):
            e = ["if", ["=", ["view.len", "input"], 0], ["begin", e], ["bytes.lit", "x"]]
        prog = t.write_program(self.tmp.path, e)
        p, report = t.runner_report(["--program", prog, "--world", "run-os"], cwd=self.tmp.path)
        self.assertTrue(report["compile"]["ok"], report["compile"]["compile_error"])
        self.assertEqual(t.b64d(report["solve"]["solve_output_b64"]), b"deep")

    def test_deep_project_manifest(self):
        proj = os.path.join(self.tmp.path, "proj")
        os.makedirs(proj)
        self.assertEqual(t.run_x07(["init"], cwd=proj).returncode, 0)
        with open(os.path.join(proj, "x07.json")) as f:
            text = f.read().rstrip().rstrip("}") + ', "x": ' + "[" * 50000 + "]" * 50000 + "}"
        t.write(os.path.join(proj, "x07.json"), text)
        p = t.run_x07(["run"], cwd=proj)
        self.assertIn(p.returncode, (2, 3), p.stderr[-500:])
        self.assertIn(b"recursion limit exceeded", p.stdout + p.stderr)

    def test_bad_numeric_flag(self):
        # Args::u64 used to keep a pointer into a temporary flag table (use-after-free)
        prog = t.write_program(self.tmp.path, ["bytes.lit", "x"])
        p = t.run_x07(["run", "--program", prog, "--max-c-bytes", "12x"], cwd=self.tmp.path)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"invalid value '12x' for '--max-c-bytes <", p.stderr)


if __name__ == "__main__":
    unittest.main()
