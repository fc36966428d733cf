"""Direct tests of the OS runtime C modules (runtime/os_*.c) through a small C
driver linked with the real core runtime, independent of the x07 compiler.

Each case runs `driver OP ARGS [;; OP ARGS]...` with a policy environment and
checks the printed results, the trap text (stderr + SIGILL/SIGTRAP) and the
disk state after denials.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import unittest

REPO = os.environ.get("X07_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RUNTIME = os.path.join(REPO, "x07-os-runner", "runtime")
DRIVER_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "os_runtime", "driver.c")

SANDBOX = {"X07_WORLD": "run-os-sandboxed", "X07_OS_SANDBOXED": "1"}


def base_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("X07_OS_") and k != "X07_WORLD"}
    return env


class RuntimeCase(unittest.TestCase):
    tmp = None
    driver = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="x07-osrt-")
        cls.driver = os.path.join(cls.tmp, "driver")
        srcs = sorted(
            os.path.join(RUNTIME, f) for f in os.listdir(RUNTIME)
            if f.endswith(".c") and (f.startswith("os_") or f.startswith("core_")))
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-std=c11", "-O1", "-D_GNU_SOURCE", "-D_DEFAULT_SOURCE", "-I", RUNTIME, "-o",
                        cls.driver, DRIVER_SRC] + srcs, check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="case-", dir=self.tmp)

    def run_driver(self, ops, env=None, expect_trap=None):
        argv = [self.driver]
        for i, op in enumerate(ops):
            if i:
                argv.append(";;")
            argv.extend(op)
        e = base_env()
        e.update(env or {})
        p = subprocess.run(argv, cwd=self.work, env=e, capture_output=True, text=True, timeout=60)
        if expect_trap is not None:
            self.assertIn(p.returncode, (-signal.SIGILL, -signal.SIGTRAP), p.stderr)
            self.assertEqual(p.stderr.strip().splitlines()[-1], expect_trap)
        else:
            self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def lines(self, *a, **kw):
        return self.run_driver(*a, **kw).splitlines()

    def write(self, rel, data):
        path = os.path.join(self.work, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(data)

    def tree(self):
        out = []
        for root, dirs, files in os.walk(self.work):
            for n in sorted(dirs + files):
                p = os.path.join(root, n)
                out.append((os.path.relpath(p, self.work), os.path.islink(p),
                            open(p, "rb").read() if os.path.isfile(p) and not os.path.islink(p) else None))
        return sorted(out)


C_TYPES = {"i32": "uint32_t", "bytes": "x07_bytes", "bytes_view": "x07_view", "result_i32": "x07_res_i32",
           "result_bytes": "x07_res_bytes", "option_bytes": "x07_opt_bytes"}


class BuiltinTableTests(unittest.TestCase):
    def test_table_matches_header(self):
        """The compiler declares OS builtins from os_builtins.inc; those declarations
        must agree with runtime/x07rt_os.h (a mismatch would be a silent ABI break)."""
        import re
        inc = os.path.join(REPO, "x07-os-runner", "compiler", "os_builtins.inc")
        protos = []
        with open(inc) as f:
            for line in f:
                m = re.match(r'\{"([^"]+)", "([^"]+)", "([^"]+)", \{([^}]*)\}\},', line.strip())
                if not m:
                    continue
                params = [p.strip().strip('"') for p in m.group(4).split(",") if p.strip()]
                res = "_Noreturn void" if m.group(3) == "never" else C_TYPES[m.group(3)]
                protos.append("%s %s(%s);" % (res, m.group(2), ", ".join(C_TYPES[p] for p in params) or "void"))
        self.assertGreater(len(protos), 50)
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "protos.c")
            with open(src, "w") as f:
                f.write('#include "x07rt_os.h"\n' + "\n".join(protos) + "\n")
            p = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-fsyntax-only", "-Werror", "-I", RUNTIME, src],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)


class FsTests(RuntimeCase):
    def fixture(self):
        self.write("allowed/a.txt", "A")
        self.write("allowed/b.txt", "B")
        self.write("allowed/sub/c.txt", "C")
        self.write("allowed/.hidden", "H")
        os.makedirs(os.path.join(self.work, "out"))

    def test_run_os_smoke(self):
        self.fixture()
        out = self.run_driver([
            ["read_all", "allowed/a.txt"], ["list", "allowed"], ["walk", "allowed", "**/*.txt"],
            ["stat", "allowed/a.txt"], ["stat", "allowed/missing"], ["write_all", "out/x/y.txt", "hello"],
            ["rename", "out/x/y.txt", "out/x/z.txt"], ["append_all", "out/x/z.txt", "+", "0,0,0,0,8"],
            ["read_all", "out/x/z.txt"], ["remove_file", "out/x/z.txt"], ["remove_dir_all", "out/x"],
            ["list", "out"], ["append_all", "out/q", "x"], ["write_all", "out/n", "1", "0,0,0,0,0"],
            ["write_all", "out/n", "2", "0,0,0,0,0"], ["read_all", "allowed"], ["bad_caps", "allowed/a.txt"],
            ["read_all", "allowed/../x"], ["read_all", "nope"], ["remove_dir_all", "allowed/a.txt"],
        ])
        lines = out.split("\n")
        self.assertTrue(lines[10].startswith("ok 010000000100000001000000"), lines[10])  # FsStatV1 file, size 1
        del lines[10]
        self.assertEqual("\n".join(lines), "ok A\n" "ok .hidden\na.txt\nb.txt\nsub\n\n"
                         "ok a.txt\nb.txt\nsub/c.txt\n\n"
                         "ok 01000000000000000000000000000000\n" "ok 5\n" "ok 1\n" "ok 1\n" "ok hello+\n"
                         "ok 1\n" "ok 1\n" "ok \n\n" "err 60020\n" "ok 1\n" "err 60011\n" "err 60013\n"
                         "err 60004\n" "err 60003\n" "err 60010\n" "err 60012\n")

    def test_caps_limits(self):
        self.fixture()
        out = self.lines([["read_all", "allowed/a.txt", "0,0,0,0,0"], ["read_all", "allowed/sub/c.txt", "1,0,0,0,0"],
                          ["list", "allowed", "0,0,3,0,0"], ["list", "allowed", "0,0,4,0,0"],
                          ["walk", "allowed", "**", "0,0,0,1,0"], ["walk", "allowed", "**", "0,0,2,0,0"],
                          ["write_all", "out/big", "123", "0,2,0,0,0"], ["walk", "allowed", "[x", "default"]])
        self.assertEqual(out[0], "ok A")
        self.assertEqual(out[1], "ok C")  # exactly at the limit
        self.assertEqual(out[2], "err 60017")
        self.assertEqual(out[3:8], ["ok .hidden", "a.txt", "b.txt", "sub", ""])
        self.assertEqual(out[8:], ["err 60018", "err 60017", "err 60016", "err 60003"])
        self.assertFalse(os.path.exists(os.path.join(self.work, "out/big")))
        env = {"X07_OS_FS_MAX_READ_BYTES": "0"}  # 0 means the default (16 MiB)
        self.assertEqual(self.lines([["read_all", "allowed/a.txt"]], env=env), ["ok A"])
        self.assertEqual(self.lines([["read_all", "allowed/a.txt", "0,0,0,0,0"]],
                                    env={"X07_OS_FS_MAX_READ_BYTES": "1"}), ["ok A"])
        self.write("allowed/two.txt", "22")
        self.assertEqual(self.lines([["read_all", "allowed/two.txt", "0,0,0,0,0"]],
                                    env={"X07_OS_FS_MAX_READ_BYTES": "1"}), ["err 60016"])

    def test_streams_copy_and_uncommitted_drop(self):
        self.fixture()
        out = self.lines([["stream_copy", "allowed/a.txt", "out/copy.txt"],
                          ["stream_drop_uncommitted", "out/partial.txt"]])
        self.assertEqual(out, ["ok 1", "dropped 1", "err 60005"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.work, "out"))), ["copy.txt"])

    def sandbox_env(self, **extra):
        env = dict(SANDBOX, X07_OS_FS="1", X07_OS_FS_READ_ROOTS="allowed", X07_OS_FS_WRITE_ROOTS="out",
                   X07_OS_DENY_HIDDEN="1", X07_OS_FS_ALLOW_MKDIR="1", X07_OS_FS_ALLOW_RENAME="1",
                   X07_OS_FS_ALLOW_WALK="1", X07_OS_FS_ALLOW_GLOB="1")
        env.update(extra)
        return env

    def test_sandbox_containment_and_disk_unchanged(self):
        self.fixture()
        os.makedirs(os.path.join(self.work, "secret"))
        self.write("secret/s.txt", "S")
        os.symlink(os.path.join(self.work, "secret", "s.txt"), os.path.join(self.work, "allowed", "esc"))
        os.symlink(os.path.join(self.work, "secret"), os.path.join(self.work, "out", "escdir"))
        os.symlink(os.path.join(self.work, "secret", "new.txt"), os.path.join(self.work, "out", "dangling"))
        before = self.tree()
        out = self.lines([
            ["read_all", "allowed/esc"], ["read_all", os.path.join(self.work, "secret/s.txt")],
            ["write_all", "allowed/w.txt", "x"], ["write_all", "out/escdir/w.txt", "x"],
            ["write_all", "out/dangling", "x"], ["write_all", "out/.hidden", "x"],
            ["write_all", "outx/w.txt", "x"], ["mkdirs", "secret/d"], ["rename", "out/escdir", "out/e2"],
            ["remove_file", "out/dangling"], ["list", "secret"], ["walk", "secret", "*"],
            ["read_all", "allowed/a.txt", "0,0,0,0,1"], ["read_all", "allowed/.hidden"],
        ], env=self.sandbox_env())
        self.assertEqual(out, ["err 60001"] * 10 + ["err 60001", "err 60001", "err 60019", "err 60001"])
        self.assertEqual(self.tree(), before)

    def test_sandbox_allowed_ops(self):
        self.fixture()
        out = self.lines([
            ["read_all", "allowed/sub/c.txt"], ["read_all", os.path.join(self.work, "allowed/a.txt")],
            ["write_all", "out/d/w.txt", "hi"], ["list", "allowed"], ["walk", "allowed", "**"],
            ["read_all", "allowed/.hidden", "0,0,0,0,2"],
        ], env=self.sandbox_env())
        self.assertEqual(out[:3], ["ok C", "ok A", "ok 2"])
        self.assertIn("ok a.txt", out)
        self.assertNotIn(".hidden", "\n".join(out[3:-1]))
        self.assertEqual(out[-1], "ok H")

    def test_sandbox_policy_flags(self):
        self.fixture()
        env = self.sandbox_env(X07_OS_FS_ALLOW_MKDIR="0", X07_OS_FS_ALLOW_WALK="0", X07_OS_FS_ALLOW_REMOVE="0")
        before = self.tree()
        out = self.lines([["write_all", "out/w.txt", "x"], ["mkdirs", "out/d"], ["list", "allowed"],
                          ["remove_file", "allowed/a.txt"], ["write_all", "out/w.txt", "x", "0,0,0,0,8"]],
                         env=env)
        self.assertEqual(out, ["err 60001"] * 4 + ["ok 1"])
        self.assertEqual(open(os.path.join(self.work, "out/w.txt")).read(), "x")
        self.assertEqual(len(self.tree()), len(before) + 1)
        self.assertEqual(self.lines([["read_all", "allowed/a.txt"]], env=dict(SANDBOX)), ["err 60002"])
        self.assertEqual(self.lines([["read_all", "allowed/a.txt"]], env=self.sandbox_env(X07_OS_FS_READ_ROOTS="")),
                         ["err 60001"])

    def test_builtin_read_write_file(self):
        self.fixture()
        env = dict(SANDBOX, X07_OS_FS="1", X07_OS_FS_READ_ROOTS="allowed", X07_OS_FS_WRITE_ROOTS="out")
        self.assertEqual(self.lines([["read_file", "a.txt"], ["read_file", "allowed/sub/c.txt"],
                                     ["write_file", "f.txt", "data"]], env=env), ["ok A", "ok C", "0"])
        with open(os.path.join(self.work, "out/f.txt")) as f:
            self.assertEqual(f.read(), "data")
        # errno results: missing directory -> ENOENT; a symlink leading out of the root -> EACCES
        os.makedirs(os.path.join(self.work, "secret"))
        os.symlink(os.path.join(self.work, "secret"), os.path.join(self.work, "out", "escdir"))
        self.assertEqual(self.lines([["write_file", "nodir/f.txt", "x"], ["write_file", "escdir/f.txt", "x"]],
                                    env=env), ["2", "13"])
        self.assertEqual(os.listdir(os.path.join(self.work, "secret")), [])
        self.run_driver([["read_file", "../x"]], env=env, expect_trap="os.fs.read_file unsafe path")
        self.run_driver([["read_file", ".hidden"]], env=env, expect_trap="os.fs.read_file hidden path denied")
        self.run_driver([["write_file", "a/../b", "x"]], env=env, expect_trap="os.fs.write_file unsafe path")
        self.run_driver([["read_file", "a.txt"]], env=dict(SANDBOX), expect_trap="os.fs disabled by policy")
        self.run_driver([["read_file", "nope"]], env=env,
                        expect_trap="os.fs.read_file open failed path=allowed/nope")


class GlobRegexTests(RuntimeCase):
    def test_glob(self):
        cases = [("**/*.txt", "a.txt", "1"), ("**/*.txt", "s/c.txt", "1"), ("*.txt", "s/c.txt", "1"),
                 ("sub/**", "sub/x/y", "1"), ("{a,b}.txt", "b.txt", "1"), ("{a,b}.txt", "c.txt", "0"),
                 ("[ab].t?t", "a.txt", "1"), ("[!ab].txt", "a.txt", "0"), ("x,y", "x,y", "1"),
                 ("a**", "ab", "-1"), ("[ab", "a", "-1"), ("{a", "a", "-1"), ("a}", "a}", "-1"),
                 ("\\*", "*", "1"), ("\\*", "a", "0")]
        out = self.lines([["glob", p, s] for p, s, _ in cases])
        self.assertEqual(out, [want for _, _, want in cases])

    def test_regex_lite(self):
        cases = [("hel*o", "heo", "1"), ("hel*o", "helllo", "1"), ("a.c", "abc", "1"), ("a\\.c", "abc", "0"),
                 ("a\\.c", "a.c", "1"), (".*", "", "1"), ("ab", "abc", "0")]
        self.assertEqual(self.lines([["regex", p, s] for p, s, _ in cases]), [w for _, _, w in cases])

    def test_regex_invalid_traps(self):
        self.run_driver([["regex", "*x", "x"]], expect_trap="os.process allow_args_regex_lite invalid pattern")


class EnvTimeTests(RuntimeCase):
    def test_env(self):
        env = dict(SANDBOX, X07_OS_ENV="1", X07_OS_ENV_ALLOW_KEYS=" K1 ;K2", X07_OS_ENV_DENY_KEYS="K2", K1="v1", K2="v2")
        self.assertEqual(self.lines([["env", "K1"], ["env", "MISSING_KEY"]], env=dict(K1="v1")), ["ok v1", "ok "])
        self.assertEqual(self.lines([["env", "K1"]], env=env), ["ok v1"])
        self.run_driver([["env", "K2"]], env=env, expect_trap="os.env.get key denied")
        self.run_driver([["env", "K3"]], env=env, expect_trap="os.env.get key not allowed")
        self.run_driver([["env", "K1"]], env=dict(SANDBOX), expect_trap="os.env disabled by policy")

    def test_time(self):
        self.assertEqual(self.lines([["now_instant"], ["sleep", "1"], ["tzid"], ["now_ms"]]),
                         ["14 0101", "1", "010100000000", "1"])
        deny = dict(SANDBOX, X07_OS_TIME="1")
        self.assertEqual(self.lines([["now_instant"], ["sleep", "0"], ["tzid"]], env=deny),
                         ["9 002c01000000000000", "0", "0001000000"])
        env = dict(SANDBOX, X07_OS_TIME="1", X07_OS_TIME_ALLOW_SLEEP="1", X07_OS_TIME_MAX_SLEEP_MS="10",
                   X07_OS_TIME_ALLOW_WALL_CLOCK="1")
        self.assertEqual(self.lines([["sleep", "10"], ["sleep", "11"], ["sleep", "-1"], ["now_instant"]], env=env),
                         ["1", "0", "0", "14 0101"])
        self.run_driver([["now_ms"]], env=deny, expect_trap="os.time.now_unix_ms disabled by policy")
        self.run_driver([["now_ms"]], env=dict(SANDBOX), expect_trap="os.time disabled by policy")


CAPS = ["--caps", "1000,1000,2000,0"]


class ProcessTests(RuntimeCase):
    def test_run_os(self):
        out = self.lines([
            ["run", "/bin/echo", "hi"], ["run", "/bin/cat", "--stdin", "catin"], ["spawn_join", "/bin/echo", "x"],
            ["run", "/bin/sh", "-c", "yes | head -c 200000", "--caps", "65536,1000,5000,0"],
            ["run", "/bin/sleep", "5", "--caps", "100,100,300,0"], ["run", "/nonexistent"],
            ["run", "/bin/sh", "-c", "echo e >&2; exit 3"], ["run", "/bin/sh", "-c", "kill -9 $$"],
            ["piped", "/bin/sh", "-c", "cat; exit 7"], ["run", "/bin/pwd", "--cwd", "/"],
            ["run", "/usr/bin/env", "--env", "A=1"], ["run", "/bin/echo", "--caps", "1,0,1000,0"],
        ])
        self.assertEqual(out, [
            "ok exit=0 out_len=3 err_len=0 out=hi", " err=", "ok exit=0 out_len=5 err_len=0 out=catin err=",
            "handle_low=1 ok exit=0 out_len=2 err_len=0 out=x", " err=", "take_exit=0 drop=1",
            "err 5", "err 4", "err 3", "ok exit=3 out_len=0 err_len=2 out= err=e", "",
            "ok exit=137 out_len=0 err_len=0 out= err=", "write=1 close=1 close2=0 exit=7 out=piped-hello",
            "ok exit=0 out_len=2 err_len=0 out=/", " err=", "ok exit=0 out_len=4 err_len=0 out=A=1", " err=",
            "err 5"])

    def test_fini_kills_live_children(self):
        marker = "30.%d" % os.getpid()  # a unique sleep argument to find the child by
        out = self.lines([["live_then_drop", "/bin/sleep", marker]])
        self.assertEqual(out, ["try_wait=0"])  # it was running when the program ended
        p = subprocess.run(["pgrep", "-f", "sleep " + marker], capture_output=True, text=True)
        self.assertEqual(p.stdout.strip(), "")
        # kill_tree: a grandchild in the child's process group dies with it
        marker = "31.%d" % os.getpid()
        out = self.lines([["live_then_drop", "/bin/sh", "-c", "sleep %s & wait" % marker]])
        self.assertEqual(out, ["try_wait=0"])
        p = subprocess.run(["pgrep", "-f", "sleep " + marker], capture_output=True, text=True)
        self.assertEqual(p.stdout.strip(), "")

    def env(self, **extra):
        env = dict(SANDBOX, X07_OS_PROC="1", X07_OS_PROC_ALLOW_SPAWN="1",
                   X07_OS_PROC_ALLOW_EXECS="/bin/echo;/bin/cat;/bin/pwd", X07_OS_PROC_ALLOW_EXEC_PREFIXES="/usr/bin/",
                   X07_OS_PROC_MAX_LIVE="2", X07_OS_PROC_MAX_SPAWNS="3", X07_OS_PROC_MAX_RUNTIME_MS="2000",
                   X07_OS_PROC_ALLOW_ARGS_REGEX_LITE="hel*o;-n", X07_OS_PROC_ALLOW_ENV_KEYS="A")
        env.update(extra)
        return env

    def test_sandbox_checks(self):
        out = self.lines([["run", "/bin/echo", "hello"] + CAPS, ["run", "/bin/echo", "bad"] + CAPS,
                          ["run", "/bin/sh", "-c", "true"] + CAPS, ["run", "/bin/echo", "hello"] + CAPS],
                         env=self.env())
        self.assertEqual(out, ["ok exit=0 out_len=6 err_len=0 out=hello", " err=", "err 1", "err 1", "err 1"])
        self.assertEqual(self.lines([["spawn_count", "4", "/bin/echo"] + CAPS], env=self.env()),
                         ["ok ok ok sentinel=65536 "])
        out = self.lines([["run", "/usr/bin/env", "--env", "B=1"] + CAPS, ["run", "/usr/bin/env", "--env", "A=1"] + CAPS,
                          ["run", "/bin/echo", "--cwd", "/tmp"] + CAPS, ["run", "/bin/echo", "--caps", "1,1,3000,0"],
                          ["run", "/bin/echo", "--caps", "1,1,0,0"]], env=self.env(X07_OS_PROC_MAX_SPAWNS="10"))
        self.assertEqual(out, ["err 1", "ok exit=0 out_len=4 err_len=0 out=A=1", " err=", "err 1", "err 1", "err 5"])
        self.assertEqual(self.lines([["run", "/bin/echo"] + CAPS], env=self.env(X07_OS_PROC_ALLOW_SPAWN="0")),
                         ["err 1"])
        self.assertEqual(self.lines([["run", "/bin/echo", "--caps", "10,0,100,0"]],
                                    env=self.env(X07_OS_PROC_MAX_STDOUT_BYTES="5")), ["err 1"])

    def test_sandbox_cwd_roots(self):
        root = os.path.join(self.work, "root")
        os.makedirs(os.path.join(root, "sub"))
        env = self.env(X07_OS_PROC_ALLOW_CWD="1", X07_OS_PROC_ALLOW_CWD_ROOTS=root, X07_OS_PROC_MAX_SPAWNS="10")
        out = self.lines([["run", "/bin/pwd", "--cwd", os.path.join(root, "sub")] + CAPS,
                          ["run", "/bin/pwd", "--cwd", "sub"] + CAPS, ["run", "/bin/pwd", "--cwd", root] + CAPS,
                          ["run", "/bin/pwd", "--cwd", "../x"] + CAPS, ["run", "/bin/pwd", "--cwd", "missing"] + CAPS],
                         env=env)
        sub = os.path.realpath(os.path.join(root, "sub"))
        self.assertEqual(out, ["ok exit=0 out_len=%d err_len=0 out=%s" % (len(sub) + 1, sub), " err="] * 2
                         + ["err 1", "err 1", "err 3"])

    def test_join_semantics(self):
        self.run_driver([["try_join", "/bin/sleep", "0.2"]], expect_trap="os.process join already taken")
        self.run_driver([["bad_handle"]], expect_trap="os.process invalid handle")

    def test_stdin_pending_limit(self):
        env = self.env(X07_OS_PROC_MAX_STDIN_BYTES="100000", X07_OS_PROC_ALLOW_EXECS="/bin/sleep",
                       X07_OS_PROC_ALLOW_ARGS_REGEX_LITE="")
        out = self.run_driver([["stdin_flood", "/bin/sleep", "1"] + CAPS], env=env,
                              expect_trap="os.process.stdin_write_v1 pending exceeds policy max_stdin_bytes")
        self.assertTrue(out.startswith("w0=1 w1=1 w2=1 ") and len(out.split()) < 8, out)

    def test_exit(self):
        self.run_driver([["exit", "3"]], env=dict(SANDBOX, X07_OS_PROC="1"),
                        expect_trap="os.process.exit disabled by policy")
        p = subprocess.run([self.driver, "exit", "3"], env=dict(base_env(), **SANDBOX, X07_OS_PROC="1",
                                                                 X07_OS_PROC_ALLOW_EXIT="1"))
        self.assertEqual(p.returncode, 3)


class NetTests(RuntimeCase):
    def setUp(self):
        super().setUp()
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def tearDown(self):
        self.srv.close()

    def serve(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            d = c.recv(100)
            c.sendall(d.upper())
            c.close()

    def free_udp_port(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def test_run_os(self):
        u = self.free_udp_port()
        out = self.lines([["tcp_echo_client", "127.0.0.1:%d" % self.port, "ping"],
                          ["tcp_echo_client", "localhost:%d" % self.port, "pong"],
                          ["udp_loop", "127.0.0.1:%d" % u, "dgram"], ["tcp_connect", "127.0.0.1:1"]])
        self.assertEqual(out, ["wrote=4 read=PING close=1 close2=0", "wrote=4 read=PONG close=1 close2=0",
                               "sent=5 recv=dgram drop=1", "err 6"])

    def test_ipv6_loopback(self):
        try:
            srv = socket.socket(socket.AF_INET6)
            srv.bind(("::1", 0))
        except OSError:
            self.skipTest("no IPv6 loopback")
        srv.listen(4)
        port = srv.getsockname()[1]

        def serve():
            for _ in range(3):
                try:
                    c, _ = srv.accept()
                except OSError:
                    return
                with c:
                    c.sendall(c.recv(100).upper())

        threading.Thread(target=serve, daemon=True).start()
        try:
            addr = "[::1]:%d" % port
            self.assertEqual(self.lines([["tcp_echo_client", addr, "six"]]), ["wrote=3 read=SIX close=1 close2=0"])
            env = dict(SANDBOX, X07_OS_NET="1", X07_OS_NET_ALLOW_TCP="1", X07_OS_NET_ALLOW_HOSTS="[0:0::1]:%d" % port)
            self.assertEqual(self.lines([["tcp_echo_client", addr, "v6"]], env=env), ["wrote=2 read=V6 close=1 close2=0"])
            env["X07_OS_NET_ALLOW_HOSTS"] = "::/127:%d" % port
            self.assertEqual(self.lines([["tcp_echo_client", addr, "c"]], env=env), ["wrote=1 read=C close=1 close2=0"])
            env["X07_OS_NET_ALLOW_HOSTS"] = "127.0.0.1:%d" % port
            self.assertEqual(self.lines([["tcp_connect", addr]], env=env), ["err 1"])
        finally:
            srv.close()

    def test_sandbox_policy(self):
        p, u = self.port, self.free_udp_port()
        env = dict(SANDBOX, X07_OS_NET="1", X07_OS_NET_ALLOW_TCP="1", X07_OS_NET_ALLOW_UDP="0",
                   X07_OS_NET_ALLOW_DNS="1", X07_OS_NET_ALLOW_HOSTS="localhost:%d;127.0.0.0/8:%d, 9;[::1]:%d" % (p, p, p))
        out = self.lines([["tcp_echo_client", "127.0.0.1:%d" % p, "ping"],
                          ["tcp_echo_client", "LOCALHOST:%d" % p, "dns"], ["tcp_connect", "127.0.0.1:8"],
                          ["udp_loop", "127.0.0.1:%d" % u, "x"], ["dns", "example.invalid", str(p)]], env=env)
        self.assertEqual(out, ["wrote=4 read=PING close=1 close2=0", "wrote=3 read=DNS close=1 close2=0",
                               "err 1", "err 1", "err 1"])
        # a name that is allowed but whose addresses are not is refused
        env2 = dict(env, X07_OS_NET_ALLOW_HOSTS="localhost:%d" % p)
        self.assertEqual(self.lines([["tcp_connect", "localhost:%d" % p]], env=env2), ["err 1"])
        # ranges in either order, exact port match, disabled net
        env3 = dict(env, X07_OS_NET_ALLOW_HOSTS="127.0.0.9-127.0.0.1:%d" % p)
        self.assertEqual(self.lines([["tcp_echo_client", "127.0.0.1:%d" % p, "r"], ["tcp_connect", "127.0.0.1:1"]],
                                    env=env3), ["wrote=1 read=R close=1 close2=0", "err 1"])
        self.assertEqual(self.lines([["tcp_connect", "127.0.0.1:%d" % p]], env=dict(env, X07_OS_NET="0")), ["err 1"])
        self.assertEqual(self.lines([["tcp_connect", "127.0.0.1:%d" % p]], env=dict(env, X07_OS_NET_ALLOW_HOSTS="")),
                         ["err 1"])


if __name__ == "__main__":
    unittest.main()
