"""Network capability through x07 programs over std.net.*: TCP client against a
server the test starts on 127.0.0.1, a TCP listener the test connects to, UDP
to itself, DNS; sandboxed allow-host matching and policy_denied (code 1) with and
without the kernel sandbox."""
import socket
import threading
import time
import unittest

import os_e2e as oe
import x07test as t

IMPORTS = ["std.net.codec", "std.net.err", "std.net.tcp", "std.net.udp", "std.net.dns", "std.net.io"]
CAPS = ["std.net.codec.caps_v1", 3000, 3000, 65536, 65536]


def ipv4(port):
    return ["std.net.codec.addr_ipv4_v1", 127, 0, 0, 1, port]


def dns(name, port):
    return ["std.net.codec.addr_dns_v1", ["bytes.view_lit", name], port]


def err_or(doc_var, body):
    """If doc_var is an error doc, return "err:<code>"; else evaluate body."""
    return ["if", ["std.net.err.is_err_doc_v1", doc_var],
            ["return", ["bytes.concat", oe.lit("err:"),
                        ["fmt.u32_to_dec", ["std.net.err.err_code_v1", doc_var]]]],
            body]


def tcp_client(addr):
    """connect, write_all "ping", read the reply -> "got:<reply>" or "err:<code>"."""
    return ["begin",
            ["let", "caps", CAPS],
            ["let", "c", ["std.net.tcp.connect_v1", addr, "caps"]],
            err_or("c", 0),
            ["let", "h", ["std.net.tcp.connect_stream_handle_v1", "c"]],
            ["let", "w", ["std.net.io.write_all_v1", "h", ["bytes.view_lit", "ping"], "caps"]],
            err_or("w", 0),
            ["let", "r", ["std.net.tcp.stream_read_v1", "h", 100, "caps"]],
            err_or("r", 0),
            ["std.net.tcp.stream_close_v1", "h"],
            ["std.net.tcp.stream_drop_v1", "h"],
            ["bytes.concat", oe.lit("got:"), ["std.net.tcp.stream_read_payload_v1", "r"]]]


def tcp_client_tasks(addr):
    """tcp_client through the *_task_v1 variants."""
    return ["begin",
            ["let", "caps", CAPS],
            ["let", "c", ["std.net.tcp.connect_task_v1", addr, "caps", 100]],
            err_or("c", 0),
            ["let", "h", ["std.net.tcp.connect_stream_handle_v1", "c"]],
            ["let", "w", ["std.net.io.write_all_task_v1", "h", ["bytes.view_lit", "task"], "caps", 100]],
            err_or("w", 0),
            ["let", "r", ["std.net.tcp.stream_read_task_v1", "h", 100, "caps", 100]],
            err_or("r", 0),
            ["std.net.tcp.stream_drop_v1", "h"],
            ["bytes.concat", oe.lit("got:"), ["std.net.tcp.stream_read_payload_v1", "r"]]]


def tcp_server(port):
    """listen on 127.0.0.1:port, accept one client, echo its bytes reversed-case as "srv:<data>"."""
    return ["begin",
            ["let", "caps", CAPS],
            ["let", "l", ["std.net.tcp.listen_v1", ipv4(port), "caps"]],
            err_or("l", 0),
            ["let", "lh", ["std.net.tcp.listen_listener_handle_v1", "l"]],
            ["let", "a", ["std.net.tcp.accept_v1", "lh", "caps"]],
            err_or("a", 0),
            ["let", "h", ["std.net.tcp.accept_stream_handle_v1", "a"]],
            ["let", "r", ["std.net.tcp.stream_read_v1", "h", 100, "caps"]],
            err_or("r", 0),
            ["let", "data", ["std.net.tcp.stream_read_payload_v1", "r"]],
            ["std.net.io.write_all_v1", "h", ["bytes.concat", oe.lit("srv:"), ["std.bytes.copy", "data"]], "caps"],
            ["std.net.tcp.stream_close_v1", "h"],
            ["std.net.tcp.listener_close_v1", "lh"],
            ["bytes.concat", oe.lit("served:"), "data"]]


def udp_self(port):
    """bind 127.0.0.1:port, send "dgram" to itself, receive it -> "udp:<payload>"."""
    return ["begin",
            ["let", "caps", CAPS],
            ["let", "addr", ipv4(port)],
            ["let", "b", ["std.net.udp.bind_v1", "addr", "caps"]],
            err_or("b", 0),
            ["let", "s", ["std.net.udp.bind_sock_handle_v1", "b"]],
            ["let", "sent", ["std.net.udp.sendto_v1", "s", "addr", ["bytes.view_lit", "dgram"], "caps"]],
            err_or("sent", 0),
            ["let", "r", ["std.net.udp.recvfrom_v1", "s", 100, "caps"]],
            err_or("r", 0),
            ["std.net.udp.close_v1", "s"],
            ["bytes.concat", oe.lit("udp:"), ["std.net.udp.recv_payload_v1", "r"]]]


def dns_count(name, port):
    return ["begin",
            ["let", "d", ["std.net.dns.lookup_v1", ["bytes.view_lit", name], port, CAPS]],
            err_or("d", 0),
            ["bytes.concat", oe.lit("n:"), ["fmt.u32_to_dec", ["std.net.dns.count_v1", "d"]]]]


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def net_policy(hosts, tcp=True, udp=False, dns_=False, enabled=True):
    """hosts: (host, port) pairs."""
    return t.base_policy(net={"enabled": enabled, "allow_dns": dns_, "allow_tcp": tcp, "allow_udp": udp,
                              "allow_hosts": [{"host": h, "ports": [p]} for h, p in hosts]})


class NetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()
        cls.srv = socket.socket()
        cls.srv.bind(("127.0.0.1", 0))
        cls.srv.listen(16)
        cls.port = cls.srv.getsockname()[1]
        threading.Thread(target=cls.serve, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        cls.tmp.__exit__(None, None, None)

    @classmethod
    def serve(cls):
        while True:
            try:
                c, _ = cls.srv.accept()
            except OSError:
                return
            with c:
                c.sendall(c.recv(100).upper())

    def prog(self, name, solve):
        return oe.write_entry(self.tmp.path, name, oe.entry(solve, IMPORTS + ["std.bytes"]))

    def run_p(self, prog, policy=None, backend=()):
        o = oe.run_program(prog, self.tmp.path, "run-os" if policy is None else "run-os-sandboxed", policy,
                           backend)
        self.assertIsNone(o.compile_error)
        self.assertIsNone(o.trap, o.solve)
        return o.output

    def test_tcp_client_run_os(self):
        self.assertEqual(self.run_p(self.prog("cli", tcp_client(ipv4(self.port)))), b"got:PING")
        self.assertEqual(self.run_p(self.prog("cli_dns", tcp_client(dns("localhost", self.port)))), b"got:PING")
        self.assertEqual(self.run_p(self.prog("cli_refused", tcp_client(ipv4(free_port())))), b"err:6")
        self.assertEqual(self.run_p(self.prog("cli_tasks", tcp_client_tasks(ipv4(self.port)))), b"got:TASK")

    def test_tcp_listener_accepts_test_client(self):
        port = free_port()
        prog = self.prog("srv", tcp_server(port))
        replies = []

        def client():
            for _ in range(200):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
                        c.sendall(b"hello")
                        replies.append(c.recv(100))
                        return
                except OSError:
                    time.sleep(0.02)

        th = threading.Thread(target=client)
        th.start()
        out = self.run_p(prog)
        th.join()
        self.assertEqual(out, b"served:hello")
        self.assertEqual(replies, [b"srv:hello"])

    def test_udp_and_dns_run_os(self):
        self.assertEqual(self.run_p(self.prog("udp", udp_self(free_port(socket.SOCK_DGRAM)))), b"udp:dgram")
        out = self.run_p(self.prog("dns", dns_count("localhost", 80)))
        self.assertTrue(out.startswith(b"n:") and int(out[2:]) >= 1, out)

    def test_sandboxed_allowlist(self):
        p = self.port
        ok = self.prog("s_cli", tcp_client(ipv4(p)))
        by_name = self.prog("s_cli_dns", tcp_client(dns("LocalHost", p)))
        other_port = self.prog("s_cli_other", tcp_client(ipv4(p + 1 if p < 65535 else p - 1)))
        udp = self.prog("s_udp", udp_self(free_port(socket.SOCK_DGRAM)))
        lookup = self.prog("s_dns", dns_count("localhost", p))
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                pol = net_policy([("127.0.0.1", p), ("localhost", p)], dns_=True)
                self.assertEqual(self.run_p(ok, pol, args), b"got:PING")
                self.assertEqual(self.run_p(by_name, pol, args), b"got:PING")
                self.assertEqual(self.run_p(other_port, pol, args), b"err:1")
                self.assertEqual(self.run_p(udp, pol, args), b"err:1")
                self.assertEqual(self.run_p(lookup, pol, args)[:2], b"n:")
                cidr = net_policy([("127.0.0.0/8", p)])
                self.assertEqual(self.run_p(ok, cidr, args), b"got:PING")
                self.assertEqual(self.run_p(by_name, cidr, args), b"err:1")  # DNS not allowed
                # the name is allowed but none of its addresses are
                only_name = net_policy([("localhost", p)], dns_=True)
                self.assertEqual(self.run_p(by_name, only_name, args), b"err:1")

    def test_sandboxed_net_disabled(self):
        prog = self.prog("d_cli", tcp_client(ipv4(self.port)))
        udp = self.prog("d_udp", udp_self(free_port(socket.SOCK_DGRAM)))
        lookup = self.prog("d_dns", dns_count("localhost", 80))
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                for p in (prog, udp, lookup):
                    self.assertEqual(self.run_p(p, t.base_policy(), args), b"err:1")


if __name__ == "__main__":
    unittest.main()
