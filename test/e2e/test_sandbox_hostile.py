"""Hostile programs against the kernel sandbox (run-os-sandboxed, backend os).

Two kinds of attackers:
  * a native artifact (C, via --artifact --i-accept-precompiled-artifact) making raw
    syscalls, i.e. code that bypasses the x07 runtime entirely;
  * x07 programs: through the std APIs (runtime refusal) and through `extern` C calls
    inside `unsafe` (refused at compile time unless the policy allows unsafe/ffi, then
    refused by the kernel).
Every case checks: the runner returns a report (contained), the expected errno / trap,
and that nothing outside the write roots changed.
"""
import ctypes
import hashlib
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402

EACCES, EPERM, ENOMEM, EAGAIN, EROFS = 13, 1, 12, 11, 30


def landlock_abi():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    r = libc.syscall(ctypes.c_long(444), None, ctypes.c_size_t(0), ctypes.c_uint(1))
    return max(int(r), 0)


def seccomp_filter_available():
    with open("/proc/self/status") as f:
        return any(line.startswith("Seccomp:") for line in f)


# A framed artifact that runs one hostile command given as its input and reports
# "ok:<detail>" or "err:<errno>" as its output.
HOSTILE_C = t.C_FRAME_PRELUDE + r"""
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
static char out[1 << 16];
static int outn;
static void say(const char *fmt, long v) { outn += snprintf(out + outn, sizeof out - outn, fmt, v); }
static void res(long rc) { if (rc < 0) say("err:%ld", errno); else say("ok:%ld", rc); }
int main(void) {
  uint32_t n;
  char *cmd = read_input(&n);
  cmd[n] = 0;
  char *arg = strchr(cmd, ':');
  if (arg) *arg++ = 0;
  if (!strcmp(cmd, "read")) {
    int fd = open(arg, O_RDONLY);
    if (fd < 0) { res(-1); }
    else { char b[64]; ssize_t k = read(fd, b, sizeof b - 1); b[k < 0 ? 0 : k] = 0;
           outn += snprintf(out + outn, sizeof out - outn, "ok:%s", b); }
  } else if (!strcmp(cmd, "write")) {
    int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0 && write(fd, "pwned", 5) != 5) fd = -1;
    res(fd < 0 ? -1 : 0);
  } else if (!strcmp(cmd, "mkdir")) { res(mkdir(arg, 0755));
  } else if (!strcmp(cmd, "chmod")) { res(chmod(arg, 0777));
  } else if (!strcmp(cmd, "unlink")) { res(unlink(arg));
  } else if (!strcmp(cmd, "rename")) { char *to = strchr(arg, '>'); *to++ = 0; res(rename(arg, to));
  } else if (!strcmp(cmd, "symlink_escape")) {
    /* plant a symlink inside the write root pointing outside, then write through it */
    char *to = strchr(arg, '>'); *to++ = 0;
    unlink(to);
    if (symlink(arg, to) != 0) { res(-1); }
    else { int fd = open(to, O_WRONLY | O_TRUNC); res(fd < 0 ? -1 : write(fd, "pwned", 5)); }
  } else if (!strcmp(cmd, "exec")) {
    char *argv[] = {arg, "-c", "echo pwned", NULL};
    execve(arg, argv, NULL);
    res(-1);
  } else if (!strcmp(cmd, "spawn")) {
    pid_t p = fork();
    if (p == 0) {
      int null = open("/dev/null", O_WRONLY);
      if (null < 0 || dup2(null, 1) < 0) _exit(99);
      char *argv[] = {arg, "hi", NULL};
      execve(arg, argv, NULL);
      _exit(100 + errno);
    }
    int st = 0;
    if (p < 0) res(-1); else { waitpid(p, &st, 0); say("ok:%ld", WIFEXITED(st) ? WEXITSTATUS(st) : 1000); }
  } else if (!strcmp(cmd, "forkbomb")) {
    long ok = 0; int first = 0;
    for (int i = 0; i < 200; i++) {
      pid_t p = fork();
      if (p == 0) _exit(0);
      if (p > 0) { ok++; waitpid(p, NULL, 0); } else if (!first) first = errno;
    }
    outn += snprintf(out + outn, sizeof out - outn, "forks=%ld err=%d", ok, first);
  } else if (!strcmp(cmd, "forkhold")) {
    /* children that stay alive and leave the process group: only a cgroup can count and reap them */
    long ok = 0; int first = 0;
    for (int i = 0; i < 50; i++) {
      pid_t p = fork();
      if (p == 0) { close(0); close(1); close(2); setsid(); alarm(30); pause(); _exit(0); }
      if (p > 0) ok++; else if (!first) first = errno;
    }
    outn += snprintf(out + outn, sizeof out - outn, "forks=%ld err=%d", ok, first);
  } else if (!strcmp(cmd, "connect")) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) { res(-1); }
    else { struct sockaddr_in a; memset(&a, 0, sizeof a); a.sin_family = AF_INET;
           a.sin_port = htons((uint16_t)atoi(arg)); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
           res(connect(s, (struct sockaddr *)&a, sizeof a)); }
  } else if (!strcmp(cmd, "socket_unix")) { res(socket(AF_UNIX, SOCK_STREAM, 0));
  } else if (!strcmp(cmd, "socket_udp")) { res(socket(AF_INET, SOCK_DGRAM, 0));
  } else if (!strcmp(cmd, "ptrace")) { res(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
  } else if (!strcmp(cmd, "io_uring")) { res(syscall(SYS_io_uring_setup, 8, NULL));
  } else if (!strcmp(cmd, "unshare")) { res(syscall(SYS_unshare, 0x10000000));
  } else if (!strcmp(cmd, "memfd")) { res(syscall(SYS_memfd_create, "x", 0));
  } else if (!strcmp(cmd, "hog")) {
    size_t sz = (size_t)2 << 30;
    char *p = malloc(sz);
    if (!p) { res(-1); } else { memset(p, 1, sz); say("ok:%ld", (long)p[sz - 1]); }
  } else if (!strcmp(cmd, "spin")) { for (volatile unsigned long i = 0;; i++) {}
  } else if (!strcmp(cmd, "flood")) {
    static char junk[65536];
    memset(junk, 'x', sizeof junk);
    for (;;) { if (write(1, junk, sizeof junk) < 0 || write(2, junk, sizeof junk) < 0) break; }
  } else { say("unknown command%ld", 0); }
  emit(out, outn);
  return 0;
}
"""


def pids_cgroup_parent(controller="pids"):
    """The writable cgroup directory the sandbox would create its per-run cgroup under
    for `controller` (cgroup v1 hierarchy of that controller, or v2 with it enabled for
    our subtree), or None."""
    try:
        with open("/proc/self/cgroup") as f:
            own = [line.rstrip("\n").split(":", 2) for line in f]
        with open("/proc/self/mountinfo") as f:
            mounts = [line.split() for line in f]
    except OSError:
        return None
    for v2 in (False, True):
        path = next((p for i, c, p in own if ((i == "0" and c == "") if v2 else controller in c.split(","))), None)
        for m in mounts:
            sep = m.index("-")
            fstype, opts = m[sep + 1], m[sep + 3] if len(m) > sep + 3 else ""
            if path is None or fstype != ("cgroup2" if v2 else "cgroup") or (not v2 and controller not in opts.split(",")):
                continue
            root, mnt = m[3], m[4]
            rel = path[len(root):] if root != "/" and path.startswith(root) else path
            d = mnt + ("" if rel == "/" else rel)
            if v2:
                try:
                    with open(os.path.join(d, "cgroup.subtree_control")) as f:
                        if controller not in f.read().split():
                            continue
                except OSError:
                    continue
            if os.access(d, os.W_OK):
                return d
    return None


def tree_digest(root):
    """Hash of every path, type and content under root (to prove nothing changed)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            h.update(p.encode() + b"\0")
            h.update(b"%o" % os.lstat(p).st_mode)
            if os.path.islink(p):
                h.update(b"L" + os.readlink(p).encode())
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(b"F" + f.read())
    return h.hexdigest()


class Loopback:
    """Two TCP listeners on 127.0.0.1 that accept and close connections."""

    def __init__(self, count=2):
        self.socks = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            s.listen(8)
            s.settimeout(0.2)
            self.socks.append(s)
        self.ports = [s.getsockname()[1] for s in self.socks]
        self.accepted = {p: 0 for p in self.ports}
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            for s, port in zip(self.socks, self.ports):
                try:
                    c, _ = s.accept()
                    self.accepted[port] += 1
                    c.close()
                except OSError:
                    pass

    def close(self):
        self.stop = True
        self.thread.join()
        for s in self.socks:
            s.close()


class HostileBase(t.RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.abi = landlock_abi()
        if cls.abi == 0 or not seccomp_filter_available():
            raise unittest.SkipTest("kernel lacks Landlock (ABI %d) or seccomp filters: the os sandbox backend "
                                    "cannot be exercised here" % cls.abi)
        cls.tmp = t.TempDir("x07hostile_")
        cls.root = cls.tmp.path
        # run cwd = root; policy roots: read "data", write "out"; "secret" and "elsewhere" are outside.
        t.write(os.path.join(cls.root, "data", "in.txt"), "inside\n")
        t.write(os.path.join(cls.root, "secret", "s.txt"), "TOPSECRET\n")
        os.makedirs(os.path.join(cls.root, "elsewhere"))
        os.makedirs(os.path.join(cls.root, "out"))
        os.symlink(os.path.join(cls.root, "secret", "s.txt"), os.path.join(cls.root, "data", "link"))
        cls.outside = [os.path.join(cls.root, d) for d in ("secret", "elsewhere", "data")]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def setUp(self):
        self.before = {d: tree_digest(d) for d in self.outside}

    def tearDown(self):
        for d, digest in self.before.items():
            self.assertEqual(tree_digest(d), digest, "%s changed during a sandboxed run" % d)

    def policy(self, limits=None, fs=None, net=None, process=None, language=None):
        """Writes a policy (read root "data", write root "out", everything else off) and returns its path."""
        pol = t.base_policy(
            limits=dict({"cpu_ms": 5000, "wall_ms": 10000, "mem_bytes": 1073741824, "fds": 64, "procs": 64},
                        **(limits or {})),
            fs=dict({"enabled": True, "read_roots": ["data"], "write_roots": ["out"], "deny_hidden": True},
                    **(fs or {})))
        if net:
            pol["net"].update(net)
        if process:
            pol["process"].update(process)
        if language:
            pol["language"] = language
        path = os.path.join(self.root, "policy-%s.json" % self._testMethodName)
        t.write(path, t.json.dumps(pol))
        return path

    def sandboxed(self, args, policy, input_bytes=b"", timeout=60):
        """Runs the runner in the scratch root; returns (proc, report, seconds)."""
        inp = os.path.join(self.root, "input-%s.bin" % self._testMethodName)
        t.write(inp, input_bytes)
        start = time.monotonic()
        p, report = t.runner_report(list(args) + ["--world", "run-os-sandboxed", "--policy", policy,
                                                  "--input", inp], cwd=self.root, timeout=timeout)
        return p, report, time.monotonic() - start


class NativeHostileTest(HostileBase):
    """Raw syscalls from a native artifact: only the kernel stands in the way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exe = t.compile_c(cls.root, "hostile", HOSTILE_C)

    def attack(self, command, expect_ok=True, **policy):
        p, report, secs = self.sandboxed(["--artifact", self.exe, "--i-accept-precompiled-artifact"],
                                         self.policy(**policy), command.encode())
        self.assertEqual(report["sandbox_backend"], "os")
        if expect_ok:
            self.assertTrue(report["ok"], "%s: trap=%r stderr=%r" % (command, report["trap"],
                                                                      t.b64d(report["stderr_b64"])[:500]))
            return t.b64d(report["solve_output_b64"]).decode()
        return p, report, secs

    def test_control_unsandboxed_run_os_reads_everything(self):
        # The same artifact outside the sandbox succeeds: the denials below are the sandbox's doing.
        p, report = t.runner_report(["--artifact", self.exe, "--input",
                                     t.write(os.path.join(self.root, "ctl.bin"), b"read:secret/s.txt")],
                                    cwd=self.root)
        self.assertEqual(t.b64d(report["solve_output_b64"]), b"ok:TOPSECRET\n")

    def test_read_inside_read_root(self):
        self.assertEqual(self.attack("read:data/in.txt"), "ok:inside\n")

    def test_read_outside_by_absolute_path(self):
        self.assertEqual(self.attack("read:" + os.path.join(self.root, "secret", "s.txt")), "err:%d" % EACCES)
        self.assertEqual(self.attack("read:/etc/passwd"), "err:%d" % EACCES)

    def test_read_outside_by_dotdot(self):
        self.assertEqual(self.attack("read:data/../secret/s.txt"), "err:%d" % EACCES)

    def test_read_outside_by_symlink(self):
        self.assertEqual(self.attack("read:data/link"), "err:%d" % EACCES)

    def test_read_outside_by_proc_self_root(self):
        path = "/proc/self/root" + os.path.join(self.root, "secret", "s.txt")
        self.assertEqual(self.attack("read:" + path), "err:%d" % EACCES)

    def test_write_inside_write_root(self):
        self.assertEqual(self.attack("write:out/result.txt"), "ok:0")
        with open(os.path.join(self.root, "out", "result.txt")) as f:
            self.assertEqual(f.read(), "pwned")

    def test_write_outside_write_roots(self):
        for target in ("secret/s.txt", "elsewhere/new.txt", "out/../elsewhere/x"):
            self.assertEqual(self.attack("write:" + target), "err:%d" % EACCES, target)
        # a read root: Landlock's EACCES, or EROFS where the mount namespace binds it read-only
        self.assertIn(self.attack("write:data/in.txt"), ("err:%d" % EACCES, "err:%d" % EROFS))
        self.assertEqual(self.attack("mkdir:elsewhere/d"), "err:%d" % EACCES)
        self.assertEqual(self.attack("unlink:secret/s.txt"), "err:%d" % EACCES)
        self.assertEqual(self.attack("chmod:secret/s.txt"), "err:%d" % EPERM)  # Landlock ignores modes; seccomp
        self.assertIn(self.attack("rename:data/in.txt>out/stolen.txt"), ("err:%d" % EACCES, "err:18"))
        target = os.path.join(self.root, "secret", "s.txt")
        self.assertEqual(self.attack("symlink_escape:%s>out/escape" % target), "err:%d" % EACCES)

    def test_write_root_over_the_native_cache_is_refused(self):
        # Cached executables run later (maybe unsandboxed): a write root covering the cache fails closed.
        cache = os.environ.get("X07_NATIVE_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache")
        pol = self.policy(fs={"write_roots": ["out", os.path.dirname(os.path.abspath(cache))]})
        p = t.run_runner(["--artifact", self.exe, "--i-accept-precompiled-artifact",
                          "--world", "run-os-sandboxed", "--policy", pol], cwd=self.root)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, b"")
        self.assertIn(b"contains the native cache directory", p.stderr)

    def test_exec_shell_with_process_disabled(self):
        self.assertEqual(self.attack("exec:/bin/sh"), "err:%d" % EACCES)
        self.assertEqual(self.attack("memfd"), "err:%d" % EPERM)

    def test_spawn_only_allowlisted_execs(self):
        echo = os.path.realpath("/bin/echo")
        if echo == os.path.realpath("/bin/sh"):
            self.skipTest("/bin/echo and /bin/sh are the same file here")
        process = {"enabled": True, "allow_spawn": True, "max_live": 1, "max_spawns": 2, "max_runtime_ms": 1000,
                   "allow_execs": ["/bin/echo"]}
        self.assertEqual(self.attack("spawn:/bin/echo", process=process), "ok:0")
        self.assertEqual(self.attack("spawn:/bin/sh", process=process), "ok:%d" % (100 + EACCES))
        self.assertEqual(self.attack("spawn:/bin/echo"), "err:%d" % EPERM)  # process disabled: no fork

    def test_fork_bomb_with_procs_zero(self):
        out = self.attack("forkbomb", limits={"procs": 0})
        self.assertTrue(out.startswith("forks=0 err="), out)
        self.assertIn(out.split("err=")[1], (str(EPERM), str(EAGAIN)))

    def test_fork_bomb_with_spawning_allowed_is_capped_and_cleaned_up(self):
        process = {"enabled": True, "allow_spawn": True, "max_live": 1, "max_spawns": 1, "max_runtime_ms": 1000,
                   "allow_execs": ["/bin/true"]}
        if os.geteuid() != 0:
            self.skipTest("not uid 0: no per-run pids cgroup; RLIMIT_NPROC counts all of the user's processes")
        if pids_cgroup_parent() is None:
            self.skipTest("no writable pids cgroup on this system: limits.procs cannot be enforced for uid 0")
        out = self.attack("forkhold", limits={"procs": 4}, process=process)
        self.assertEqual(out, "forks=3 err=%d" % EAGAIN)  # pids cgroup: the program + 3
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.live_copies():
            time.sleep(0.05)
        self.assertEqual(self.live_copies(), [], "forked children outlived the sandboxed run")

    def live_copies(self):
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/exe" % pid, "rb"):
                    pass
                if os.readlink("/proc/%s/exe" % pid) != self.exe:
                    continue
                with open("/proc/%s/stat" % pid) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        pids.append(int(pid))
            except OSError:
                pass
        return pids

    def test_escape_hatch_syscalls(self):
        for cmd in ("ptrace", "io_uring", "unshare"):
            self.assertEqual(self.attack(cmd), "err:%d" % EPERM, cmd)

    def test_sockets_denied_when_net_disabled(self):
        for cmd in ("connect:80", "socket_unix", "socket_udp"):
            self.assertEqual(self.attack(cmd), "err:%d" % EACCES, cmd)

    def test_connect_only_to_allowlisted_port(self):
        if self.abi < 4:
            self.skipTest("Landlock ABI %d < 4: kernel has no TCP port rules" % self.abi)
        srv = Loopback(2)
        try:
            allowed, other = srv.ports
            net = {"enabled": True, "allow_tcp": True,
                   "allow_hosts": [{"host": "127.0.0.1", "ports": [allowed]}]}
            self.assertEqual(self.attack("connect:%d" % allowed, net=net), "ok:0")
            self.assertEqual(self.attack("connect:%d" % other, net=net), "err:%d" % EACCES)
            self.assertEqual(self.attack("socket_unix", net=net), "err:%d" % EACCES)
            time.sleep(0.3)
            self.assertEqual(srv.accepted[other], 0)
        finally:
            srv.close()

    def test_memory_hog(self):
        out = self.attack("hog", limits={"mem_bytes": 268435456})
        self.assertEqual(out, "err:%d" % ENOMEM)

    def test_infinite_loop_is_stopped_by_cpu_limit(self):
        p, report, secs = self.attack("spin", expect_ok=False, limits={"cpu_ms": 1000, "wall_ms": 20000})
        self.assertFalse(report["ok"])
        # RLIMIT_CPU soft == hard (runner.md §4.1): the kernel's hard-limit action is SIGKILL
        self.assertEqual(report["trap"], "terminated by signal 9")
        self.assertLess(secs, 15)
        self.assertIn(b"x07-os-runner: kernel sandbox: ", p.stderr)
        self.assertIn(b"RLIMIT_CPU", p.stderr)

    def test_output_flood_is_capped(self):
        p, report, secs = self.attack("flood", expect_ok=False, limits={"wall_ms": 1500})
        self.assertFalse(report["ok"])
        self.assertEqual(report["trap"], "timed out")
        self.assertLess(secs, 15)
        self.assertLessEqual(len(t.b64d(report["stdout_b64"])), 4 + 1048576 + 1)
        self.assertLessEqual(len(t.b64d(report["stderr_b64"])), 262144)


# ---------------------------------------------------------------- x07 programs

def _extern(name, link, params, result):
    return {"kind": "extern", "abi": "C", "name": "main." + name, "link_name": link,
            "params": [{"name": "a%d" % i, "ty": ty} for i, ty in enumerate(params)], "result": result}


# libc entry points the hostile x07 program calls directly (no runtime checks involved).
HOSTILE_EXTERNS = [
    _extern("c_open", "open", ["ptr_const_u8", "i32", "i32"], "i32"),
    _extern("c_write", "write", ["i32", "ptr_const_u8", "i32"], "i32"),
    _extern("c_errno", "__errno_location", [], "ptr_mut_i32"),
    _extern("c_fork", "fork", [], "i32"),
    _extern("c_exit", "_exit", ["i32"], "void"),
    _extern("c_execve", "execve", ["ptr_const_u8", "ptr_mut_void", "ptr_mut_void"], "i32"),
    _extern("c_socket", "socket", ["i32", "i32", "i32"], "i32"),
    _extern("c_connect", "connect", ["i32", "ptr_const_u8", "i32"], "i32"),
    _extern("c_memalign", "posix_memalign", ["ptr_const_u8", "i32", "i32"], "i32"),
]


def _op(ch, *body):
    return ["if", ["=", "op", ord(ch)], ["begin"] + list(body) + [0], 0]


_ERRNO = ["ptr.read_i32", ["main.c_errno"]]
_ARG = ["view.slice", "input", 2, ["-", ["view.len", "input"], 2]]
_PATH = ["bytes.as_ptr", "arg"]

# Input "<op>:<arg>": r read, w write, x execve, u AF_UNIX socket, c TCP connect to
# 127.0.0.1:<port>, f fork bomb (200 forks), m 1.5 GiB allocation. Output "ok:<rc>",
# "err:<errno>" or "forks=<n> err=<errno>".
HOSTILE_X07_SOLVE = [
    "begin",
    ["let", "op", ["view.get_u8", "input", 0]],
    ["let", "arg", ["bytes.concat", ["view.to_bytes", _ARG], ["bytes1", 0]]],
    ["let", "msg", ["bytes.lit", "pwned"]],
    ["let", "rc", 0], ["let", "err", 0], ["let", "forks", 0],
    ["let", "sa", ["bytes.alloc", 16]],
    ["unsafe",
     _op("r", ["set", "rc", ["main.c_open", _PATH, 0, 0]]),
     _op("w", ["set", "rc", ["main.c_open", _PATH, 577, 420]],  # O_WRONLY|O_CREAT|O_TRUNC, 0644
         ["if", [">=", "rc", 0], ["set", "rc", ["main.c_write", "rc", ["bytes.as_ptr", "msg"], 5]], 0]),
     _op("x", ["set", "rc", ["main.c_execve", _PATH, ["ptr.null"], ["ptr.null"]]]),
     _op("u", ["set", "rc", ["main.c_socket", 1, 1, 0]]),
     _op("c", ["let", "port", ["parse.u32_dec", _ARG]],
         ["set", "sa", ["bytes.set_u8", "sa", 0, 2]],  # sockaddr_in: AF_INET, port BE, 127.0.0.1
         ["set", "sa", ["bytes.set_u8", "sa", 2, [">>u", "port", 8]]],
         ["set", "sa", ["bytes.set_u8", "sa", 3, "port"]],
         ["set", "sa", ["bytes.set_u8", "sa", 4, 127]],
         ["set", "sa", ["bytes.set_u8", "sa", 7, 1]],
         ["set", "rc", ["main.c_socket", 2, 1, 0]],
         ["if", [">=", "rc", 0], ["set", "rc", ["main.c_connect", "rc", ["bytes.as_ptr", "sa"], 16]], 0]),
     _op("f", ["for", "i", 0, 200, ["begin",
                                    ["let", "p", ["main.c_fork"]],
                                    ["if", ["=", "p", 0], ["main.c_exit", 0], 0],
                                    ["if", [">", "p", 0], ["set", "forks", ["+", "forks", 1]],
                                     ["if", ["=", "err", 0], ["set", "err", _ERRNO], 0]]]]),
     _op("m", ["set", "rc", ["main.c_memalign", ["bytes.as_ptr", "sa"], 16, 1610612736]]),
     ["if", ["<", "rc", 0], ["set", "err", _ERRNO], 0]],
    ["if", ["=", "op", ord("f")],
     ["bytes.concat", ["bytes.concat", ["bytes.lit", "forks="], ["fmt.u32_to_dec", "forks"]],
      ["bytes.concat", ["bytes.lit", " err="], ["fmt.u32_to_dec", "err"]]],
     ["if", ["<", "rc", 0],
      ["bytes.concat", ["bytes.lit", "err:"], ["fmt.u32_to_dec", "err"]],
      ["bytes.concat", ["bytes.lit", "ok:"], ["fmt.u32_to_dec", "rc"]]]]]

UNSAFE_OK = {"allow_unsafe": True, "allow_ffi": True}


class X07HostileTest(HostileBase):
    """x07 programs: the runtime refuses through the std APIs, the compiler refuses
    extern/unsafe unless the policy allows it, and the kernel refuses the rest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not t.compiler_works():
            raise unittest.SkipTest("the x07 compiler cannot build programs yet")
        cls.hostile = t.write_program(cls.root, HOSTILE_X07_SOLVE, name="hostile.x07.json",
                                      decls=HOSTILE_EXTERNS)

    def x07(self, solve, input_bytes=b"", extra=(), decls=(), **policy):
        prog = t.write_program(self.root, solve, name="p-%s.x07.json" % self._testMethodName, decls=decls)
        return self.sandboxed(["--program", prog] + list(extra), self.policy(**policy), input_bytes)

    def attack(self, command, **policy):
        policy.setdefault("language", UNSAFE_OK)
        p, report, _ = self.sandboxed(["--program", self.hostile], self.policy(**policy), command.encode())
        self.assertTrue(report["compile"]["ok"], report["compile"]["compile_error"])
        self.assertTrue(report["solve"]["ok"], "%s: trap=%r" % (command, report["solve"]["trap"]))
        return t.b64d(report["solve"]["solve_output_b64"]).decode()

    def test_extern_refused_at_compile_time_without_allow_unsafe(self):
        for language, word in ((None, "unsafe"), ({"allow_unsafe": True, "allow_ffi": False}, "ffi")):
            p, report, _ = self.sandboxed(["--program", self.hostile], self.policy(language=language),
                                          b"r:/etc/passwd")
            self.assertFalse(report["compile"]["ok"])
            self.assertIsNone(report["solve"])
            self.assertIn(word, report["compile"]["compile_error"])

    def test_extern_control_run_os_is_not_restricted(self):
        inp = t.write(os.path.join(self.root, "ctl-x07.bin"), b"r:secret/s.txt")
        p, report = t.runner_report(["--program", self.hostile, "--input", inp], cwd=self.root)
        self.assertTrue(t.b64d(report["solve"]["solve_output_b64"]).startswith(b"ok:"))

    def test_extern_reads_outside_roots(self):
        self.assertTrue(self.attack("r:data/in.txt").startswith("ok:"))
        for path in ("/etc/passwd", "data/../secret/s.txt", "data/link",
                     "/proc/self/root" + os.path.join(self.root, "secret", "s.txt"),
                     os.path.join(self.root, "secret", "s.txt")):
            self.assertEqual(self.attack("r:" + path), "err:%d" % EACCES, path)

    def test_extern_writes_outside_write_roots(self):
        self.assertEqual(self.attack("w:out/x07.txt"), "ok:5")
        for path in ("secret/s.txt", "elsewhere/x", "out/../elsewhere/x"):
            self.assertEqual(self.attack("w:" + path), "err:%d" % EACCES, path)
        self.assertIn(self.attack("w:data/in.txt"), ("err:%d" % EACCES, "err:%d" % EROFS))

    def test_extern_spawn_shell_and_fork_bomb_with_process_disabled(self):
        self.assertEqual(self.attack("x:/bin/sh"), "err:%d" % EACCES)
        self.assertEqual(self.attack("f:", limits={"procs": 0}), "forks=0 err=%d" % EPERM)

    def test_extern_sockets(self):
        self.assertEqual(self.attack("u:"), "err:%d" % EACCES)
        self.assertEqual(self.attack("c:80"), "err:%d" % EACCES)
        if self.abi < 4:
            self.skipTest("Landlock ABI %d < 4: kernel has no TCP port rules" % self.abi)
        srv = Loopback(2)
        try:
            allowed, other = srv.ports
            net = {"enabled": True, "allow_tcp": True, "allow_hosts": [{"host": "127.0.0.1", "ports": [allowed]}]}
            self.assertEqual(self.attack("c:%d" % allowed, net=net), "ok:0")
            self.assertEqual(self.attack("c:%d" % other, net=net), "err:%d" % EACCES)
            time.sleep(0.3)
            self.assertEqual(srv.accepted[other], 0)
        finally:
            srv.close()

    def test_extern_memory_hog(self):
        self.assertEqual(self.attack("m:", limits={"mem_bytes": 268435456}), "ok:%d" % ENOMEM)

    def test_extern_exec_of_dynamic_loader_is_refused_by_stage_two(self):
        p, report, _ = self.sandboxed(["--program", self.hostile], self.policy(language=UNSAFE_OK), b"u:")
        with open(report["compile"]["compiled_exe"], "rb") as f:
            if b"x07_sandbox_runtime_lockdown" not in f.read():
                self.skipTest("the runtime's main does not install the stage-2 filter yet "
                              "(x07_sandbox_runtime_lockdown not linked)")
        loader = os.path.realpath("/lib64/ld-linux-x86-64.so.2")
        if not os.path.exists(loader):
            self.skipTest("no x86-64 dynamic loader at /lib64")
        self.assertEqual(self.attack("x:" + loader), "err:%d" % EACCES)

    def test_self_sandboxing_bundle_refuses_exec_and_fork(self):
        """`x07 bundle` (run-os-sandboxed, backend os) sandboxes itself in-process at startup,
        stage-2 filter included: exec of the dynamic loader or a shell, and fork, are refused."""
        loader = os.path.realpath("/lib64/ld-linux-x86-64.so.2")
        if not os.path.exists(loader):
            self.skipTest("no x86-64 dynamic loader at /lib64")
        proj = os.path.join(self.root, "bundle-proj")
        os.makedirs(proj)
        x07 = os.path.join(t.BIN_DIR, "x07")
        self.assertEqual(t.run([x07, "init"], cwd=proj).returncode, 0)

        def errno_of(call):
            return ["if", ["<", call, 0], ["ptr.read_i32", ["main.c_errno"]], 0]

        def cstr(text):
            return ["bytes.concat", ["bytes.lit", text], ["bytes1", 0]]

        solve = ["begin",
                 ["let", "ld", cstr(loader)], ["let", "sh", cstr("/bin/sh")],
                 ["let", "e1", 0], ["let", "e2", 0], ["let", "e3", 0],
                 ["unsafe",
                  ["set", "e1", errno_of(["main.c_execve", ["bytes.as_ptr", "ld"], ["ptr.null"], ["ptr.null"]])],
                  ["set", "e2", errno_of(["main.c_execve", ["bytes.as_ptr", "sh"], ["ptr.null"], ["ptr.null"]])],
                  ["set", "e3", errno_of(["main.c_fork"])]],
                 ["bytes.concat", ["bytes.concat", ["fmt.u32_to_dec", "e1"], ["bytes.lit", ","]],
                  ["bytes.concat", ["fmt.u32_to_dec", "e2"],
                   ["bytes.concat", ["bytes.lit", ","], ["fmt.u32_to_dec", "e3"]]]]]
        t.write_program(os.path.join(proj, "src"), solve, decls=HOSTILE_EXTERNS)
        pol = t.write(os.path.join(proj, "pol.json"), t.json.dumps(t.base_policy(language=UNSAFE_OK)))
        p = t.run([x07, "bundle", "--world", "run-os-sandboxed", "--policy", pol, "--sandbox-backend", "os",
                   "--out", "dist/b"], cwd=proj)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        r = t.run([os.path.join(proj, "dist", "b")], cwd=proj)
        self.assertEqual((r.returncode, r.stdout), (0, b"%d,%d,%d" % (EACCES, EACCES, EPERM)), r.stderr)

    def test_self_sandboxing_bundle_env_overrides_cannot_lift_the_kernel_sandbox(self):
        """A sandboxed bundle's policy values may be overridden by its environment (upstream's
        semantics) and the kernel then enforces the effective roots, but the world markers are
        forced: raw opens (extern `open`) outside the effective read roots stay refused."""
        proj = os.path.join(self.root, "bundle-env-proj")
        os.makedirs(proj)
        x07 = os.path.join(t.BIN_DIR, "x07")
        self.assertEqual(t.run([x07, "init"], cwd=proj).returncode, 0)
        inside = t.write(os.path.join(proj, "inside", "a.txt"), "a\n")
        secret = t.write(os.path.join(proj, "secret.txt"), "TOPSECRET\n")

        def open_errno(path):
            call = ["main.c_open", ["bytes.as_ptr", path], 0, 0]
            return ["if", ["<", call, 0], ["ptr.read_i32", ["main.c_errno"]], 0]

        solve = ["begin",
                 ["let", "p1", ["bytes.concat", ["bytes.lit", inside], ["bytes1", 0]]],
                 ["let", "p2", ["bytes.concat", ["bytes.lit", secret], ["bytes1", 0]]],
                 ["let", "e1", 0], ["let", "e2", 0],
                 ["unsafe", ["set", "e1", open_errno("p1")], ["set", "e2", open_errno("p2")]],
                 ["bytes.concat", ["fmt.u32_to_dec", "e1"],
                  ["bytes.concat", ["bytes.lit", ","], ["fmt.u32_to_dec", "e2"]]]]
        t.write_program(os.path.join(proj, "src"), solve, decls=HOSTILE_EXTERNS)
        pol = t.write(os.path.join(proj, "pol.json"), t.json.dumps(t.base_policy(language=UNSAFE_OK)))
        p = t.run([x07, "bundle", "--world", "run-os-sandboxed", "--policy", pol, "--sandbox-backend", "os",
                   "--out", "dist/b"], cwd=proj)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        exe = os.path.join(proj, "dist", "b")
        off = {"X07_WORLD": "run-os", "X07_OS_SANDBOXED": "0"}
        r = t.run([exe], cwd=proj, env=off)  # fs off in the embedded policy; the sandbox cannot be disabled
        self.assertEqual((r.returncode, r.stdout), (0, b"%d,%d" % (EACCES, EACCES)), r.stderr)
        r = t.run([exe], cwd=proj, env=dict(off, X07_OS_FS="1", X07_OS_FS_READ_ROOTS="inside"))
        self.assertEqual((r.returncode, r.stdout), (0, b"0,%d" % EACCES), r.stderr)

    def test_std_read_file_path_tricks(self):
        solve = ["os.fs.read_file", ["view.to_bytes", "input"]]
        p, report, _ = self.x07(solve, b"in.txt")
        self.assertEqual(t.b64d(report["solve"]["solve_output_b64"]), b"inside\n")
        for path in ("../secret/s.txt", "/etc/passwd", "/proc/self/root/etc/passwd"):
            p, report, _ = self.x07(solve, path.encode())
            self.assertEqual(report["solve"]["trap"], "os.fs.read_file unsafe path", path)
        # the runtime follows symlinks inside a root; the kernel refuses the target outside
        p, report, _ = self.x07(solve, b"link")
        self.assertEqual(report["solve"]["trap"], "os.fs.read_file open failed path=data/link")
        self.assertIn(b"x07-os-runner: kernel sandbox: ", p.stderr)

    def test_memory_hog_hits_the_arena(self):
        p, report, _ = self.x07(["bytes.alloc", 200000000])
        self.assertEqual(report["solve"]["trap"], "out of memory")

    def test_infinite_loop(self):
        # 2^32 - 1 dependent multiply-adds: seconds of CPU, and a fuel bill the compiler
        # can charge up front (loops may be pre-charged as a whole)
        loop = ["begin", ["let", "x", 0],
                ["for", "i", 0, -1, ["set", "x", ["+", ["*", "x", 1103515245], "i"]]],
                ["fmt.u32_to_dec", "x"]]
        p, report, _ = self.x07(loop)
        self.assertEqual(report["solve"]["trap"], "fuel exhausted")
        p, report, secs = self.x07(loop, extra=["--solve-fuel", "1000000000000000"],
                                   limits={"cpu_ms": 1000, "wall_ms": 20000})
        self.assertEqual(report["solve"]["trap"], "terminated by signal 9")
        self.assertLess(secs, 15)

    def test_output_flood(self):
        p, report, secs = self.x07(["bytes.alloc", 20000000])
        self.assertEqual(report["solve"]["trap"], "stdout exceeded cap")  # runner.md §3.6
        self.assertLessEqual(len(t.b64d(report["solve"]["stdout_b64"])), 4 + 1048576 + 1)
        self.assertLess(secs, 15)


class WeakerKernelTest(HostileBase):
    def test_denial_note_on_permission_error(self):
        exe = t.compile_c(self.root, "perm", t.C_FRAME_PRELUDE + r"""
#include <errno.h>
#include <fcntl.h>
int main(void) { uint32_t n; read_input(&n);
  if (open("/etc/passwd", O_RDONLY) < 0) perror("open /etc/passwd");
  emit("x", 1); return 3; }
""")
        p, report, _ = self.sandboxed(["--artifact", exe, "--i-accept-precompiled-artifact"], self.policy())
        self.assertFalse(report["ok"])
        note = [l for l in p.stderr.decode().splitlines() if l.startswith("x07-os-runner: kernel sandbox: ")]
        self.assertEqual(len(note), 1, p.stderr)
        self.assertIn("EACCES/EPERM", note[0])
        self.assertIn("landlock abi %d" % self.abi, note[0])


if __name__ == "__main__":
    unittest.main()
