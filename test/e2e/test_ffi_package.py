"""Auto-FFI with a real package (test/e2e/ffi_package: meta.import_mode "ffi", ffi/*.c
linked against Debian's zlib): the runner compiles the package's C into the program,
keys the native cache on every file of ffi/, and the C runs under the same kernel
sandbox as the program — its raw socket and open calls are refused by the kernel
when the policy does not allow them."""
import os
import shutil
import socket
import sys
import threading
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ffi_package")
FFI = {"allow_unsafe": True, "allow_ffi": True}


def u32(v):
    return (v & 0xFFFFFFFF).to_bytes(4, "little")


def i32(b):
    return int.from_bytes(b, "little", signed=True)


class Listener:
    """A TCP listener on 127.0.0.1 counting the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.accepted += 1
                c.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


class FfiPackage(t.RunnerTestCase):
    def setUp(self):
        if not t.compiler_works():
            self.skipTest("x07 compiler cannot build programs yet")
        self.tmp = t.TempDir("x07ffi_")
        self.d = self.tmp.path
        self.pkg = os.path.join(self.d, "pkg")
        shutil.copytree(FIXTURE, self.pkg)
        self.roots = os.path.join(self.pkg, "modules")

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def program(self, expr, lets=()):
        body = ["begin"] + [["let", n, v] for n, v in lets] + [["codec.write_u32_le", expr]]
        return t.write_program(self.d, body, imports=["ffiprobe"])

    def run_ok(self, prog, *extra, roots=None, cwd=None):
        _, rep = t.runner_report(["--program", prog, "--module-root", roots or self.roots, "--auto-ffi"] + list(extra),
                                 expect_exit=0, cwd=cwd or self.d)
        return t.b64d(rep["solve"]["solve_output_b64"]), rep

    def policy(self, name, fs=None, net=None):
        pol = t.base_policy(language=FFI)
        if fs:
            pol["fs"].update(fs)
        if net:
            pol["net"].update(net)
        return t.write(os.path.join(self.d, name + ".json"), t.json.dumps(pol))

    def test_links_package_sources_and_ffi_libs(self):
        prog = self.program(["ffiprobe.crc32", ["bytes.view", "s"]], [("s", ["bytes.lit", "hello"])])
        out, _ = self.run_ok(prog)
        self.assertEqual(out, u32(zlib.crc32(b"hello")))
        # Without --auto-ffi the package's symbols are missing at link time.
        _, rep = t.runner_report(["--program", prog, "--module-root", self.roots], expect_exit=1)
        self.assertTrue(rep["compile"]["compile_error"].startswith("C toolchain failed (exit="))

    def test_header_bytes_are_part_of_the_cache_key(self):
        prog = self.program(["ffiprobe.header_version"])
        out1, rep1 = self.run_ok(prog)
        self.assertEqual(out1, u32(1))
        header = os.path.join(self.pkg, "ffi", "ffiprobe.h")
        with open(header) as f:
            text = f.read()
        t.write(header, text.replace("HEADER_VERSION 1", "HEADER_VERSION 2"))
        out2, rep2 = self.run_ok(prog)
        self.assertEqual(out2, u32(2), "a changed ffi header must not reuse the cached executable")
        self.assertNotEqual(rep1["compile"]["compiled_exe"], rep2["compile"]["compiled_exe"])

    def test_module_root_that_is_the_package_dir(self):
        # upstream looks for x07-package.json in the module root itself, then in its parent
        flat = os.path.join(self.d, "flat")
        shutil.copytree(os.path.join(self.pkg, "ffi"), os.path.join(flat, "ffi"))
        shutil.copy(os.path.join(self.roots, "ffiprobe.x07.json"), flat)
        with open(os.path.join(self.pkg, "x07-package.json")) as f:
            manifest = t.json.load(f)
        manifest["module_root"] = "."
        t.write(os.path.join(flat, "x07-package.json"), t.json.dumps(manifest))
        prog = self.program(["ffiprobe.crc32", ["bytes.view", "s"]], [("s", ["bytes.lit", "flat"])])
        out, _ = self.run_ok(prog, roots=flat)
        self.assertEqual(out, u32(zlib.crc32(b"flat")))

    def sandboxed(self, prog, policy):
        return self.run_ok(prog, "--world", "run-os-sandboxed", "--policy", policy)

    def test_sandboxed_with_read_root_slash_still_loads_shared_libraries(self):
        # read root "/" is mounted noexec (when namespaces are available): libc and libz must still map.
        prog = self.program(["ffiprobe.crc32", ["bytes.view", "s"]], [("s", ["bytes.lit", "hello"])])
        out, rep = self.sandboxed(prog, self.policy("slash", fs={"enabled": True, "read_roots": ["/"]}))
        self.assertEqual(out, u32(zlib.crc32(b"hello")), rep["solve"]["trap"])

    def test_ffi_code_cannot_connect_when_the_policy_denies_network(self):
        listener = Listener()
        try:
            prog = self.program(["ffiprobe.connect", listener.port])
            out, _ = self.run_ok(prog)  # control: unsandboxed, the raw connect succeeds
            self.assertEqual(i32(out), 0)
            out, _ = self.sandboxed(prog, self.policy("nonet"))
            self.assertLess(i32(out), 0, "raw connect from ffi code must fail when net is off")
            allowed = self.policy("loopback", net={"enabled": True, "allow_tcp": True,
                                                   "allow_hosts": [{"host": "127.0.0.1", "ports": [listener.port]}]})
            out, _ = self.sandboxed(prog, allowed)
            self.assertEqual(i32(out), 0, "the listed port is reachable")
        finally:
            listener.close()
        self.assertEqual(listener.accepted, 2, "only the unsandboxed and the allowed run may connect")

    def test_ffi_code_cannot_read_outside_the_read_roots(self):
        secret = t.write(os.path.join(self.d, "secret", "s.txt"), "TOPSECRET\n")
        os.makedirs(os.path.join(self.d, "data"))
        prog = self.program(["ffiprobe.read_len", ["bytes.view", "p"]], [("p", ["bytes.lit", secret])])
        out, _ = self.run_ok(prog)
        self.assertEqual(i32(out), 10)
        out, _ = self.sandboxed(prog, self.policy("dataonly", fs={"enabled": True, "read_roots": ["data"]}))
        self.assertLess(i32(out), 0, "raw open from ffi code outside fs.read_roots must fail")


if __name__ == "__main__":
    unittest.main()
