"""std.db / std.db.sqlite on real SQLite files (os.db.sqlite.* builtins on
libsqlite3): create/insert/query/close with exact X7DB + DataModel bytes, params
binding, the policy's db section in run-os-sandboxed (allow_paths, in-memory,
create, readonly_only, disabled driver) under both sandbox backends, the kernel
letting listed files be read but written only under fs.write_roots, and hostile
SQL (ATTACH, VACUUM INTO) that would reach files allow_paths never listed."""
import base64
import json
import os
import sqlite3
import struct
import unittest

import os_e2e as oe
import x07test as t

IMPORTS = ["std.db", "std.db.spec", "std.db.params", "std.db.sqlite"]


def lit(s):
    return ["bytes.lit", s]


def fail_if_err(name, var):
    """Returns "ERR:<name>:<code>:<msg>" from solve when `var` is an error response."""
    return ["if", ["=", ["std.db.spec.resp_is_ok_v1", var], 0],
            ["return", ["bytes.concat", lit("ERR:%s:" % name),
                        ["bytes.concat", ["fmt.u32_to_dec", ["std.db.spec.resp_err_code_v1", var]],
                         ["bytes.concat", lit(":"), ["std.db.spec.resp_err_msg_v1", var]]]]], 0]


def opened(path, flags):
    return [["let", "caps", ["std.db.sqlite.caps_default_v1"]],
            ["let", "o", ["std.db.sqlite.open_v1", lit(path), flags, "caps"]],
            fail_if_err("open", "o"),
            ["let", "conn", ["std.db.open_handle_v1", "o"]]]


def exec_(name, sql, params):
    return [["let", name, ["std.db.exec_v1", "conn", lit(sql), params, "caps"]], fail_if_err(name, name)]


def close():
    return [["let", "c", ["std.db.close_v1", "conn", "caps"]], fail_if_err("close", "c")]


SELECT = "SELECT id, v, n, b FROM t ORDER BY id"


def write_prog(path):
    """create (flag 2) + two inserts + query; answers the query's DataModel doc."""
    return ["begin"] + opened(path, 2) + \
        exec_("mk", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, n REAL, b BLOB)", ["std.db.params.empty_v1"]) + \
        exec_("i1", "INSERT INTO t(v) VALUES(?)", ["std.db.params.one_string_v1", lit("hello")]) + \
        [["if", ["!=", ["std.db.exec_rows_affected_v1", "i1"], 1], ["return", lit("FAIL_rows_affected")], 0]] + \
        exec_("i2", "INSERT INTO t(n, b) VALUES(?, x'00ff')", ["std.db.params.one_number_dec_v1", lit("2.5")]) + \
        [["let", "q", ["std.db.query_v1", "conn", lit(SELECT), ["std.db.params.empty_v1"], "caps"]],
         fail_if_err("query", "q"),
         ["let", "doc", ["std.db.spec.resp_ok_payload_v1", "q"]]] + close() + ["doc"]


def read_prog(path, flags, then_sql):
    """query, then one more statement whose error code (0 = ok) follows the doc after ';'."""
    return ["begin"] + opened(path, flags) + \
        [["let", "q", ["std.db.query_v1", "conn", lit(SELECT), ["std.db.params.empty_v1"], "caps"]],
         fail_if_err("query", "q"),
         ["let", "doc", ["std.db.spec.resp_ok_payload_v1", "q"]],
         ["let", "w", ["std.db.exec_v1", "conn", lit(then_sql), ["std.db.params.empty_v1"], "caps"]],
         ["let", "code", ["fmt.u32_to_dec", ["std.db.spec.resp_err_code_v1", "w"]]]] + close() + \
        [["bytes.concat", "doc", ["bytes.concat", lit(";"), "code"]]]


def open_code_prog(path, flags):
    """the error code of opening `path` (0 = opened)."""
    return ["begin", ["let", "o", ["std.db.sqlite.open_v1", lit(path), flags, ["std.db.sqlite.caps_default_v1"]]],
            ["fmt.u32_to_dec", ["std.db.spec.resp_err_code_v1", "o"]]]


# DataModel encoding (docs/db/db-v1.md), written independently of the runtime
def dm_str(b):
    return b"\x03" + struct.pack("<I", len(b)) + b


def dm_num(s):
    return b"\x02" + struct.pack("<I", len(s)) + s


def dm_seq(vals):
    return b"\x04" + struct.pack("<I", len(vals)) + b"".join(vals)


def dm_map(entries):
    return b"\x05" + struct.pack("<I", len(entries)) + b"".join(
        struct.pack("<I", len(k)) + k + v for k, v in sorted(entries))


NULL = b"\x00"
ROWS_DOC = b"\x01" + dm_map([
    (b"cols", dm_seq([dm_str(c) for c in (b"id", b"v", b"n", b"b")])),
    (b"rows", dm_seq([dm_seq([dm_num(b"1"), dm_str(b"hello"), NULL, NULL]),
                      dm_seq([dm_num(b"2"), NULL, dm_num(b"2.5"), dm_str(b"\x00\xff")])])),
])


def db_policy(fs=None, **sqlite):
    sq = {"allow_paths": ["data/app.db"], "readonly_only": False, "allow_create": True, "allow_in_memory": False}
    enabled = sqlite.pop("enabled", True)
    sq.update(sqlite)
    db = {"enabled": enabled, "drivers": {"sqlite": True, "postgres": False, "mysql": False, "redis": False},
          "max_live_conns": 4, "max_queries": 100, "connect_timeout_ms": 1000, "query_timeout_ms": 1000,
          "max_sql_bytes": 65536, "max_rows": 100, "max_resp_bytes": 65536, "sqlite": sq,
          "net": {"allow_dns": [], "allow_cidrs": [], "allow_ports": [], "require_tls": True,
                  "require_verify": True}}
    fs = fs or {"enabled": False, "read_roots": [], "write_roots": [], "deny_hidden": True}
    return t.base_policy(db=db, fs=fs)


WRITE_FS = {"enabled": True, "read_roots": ["data"], "write_roots": ["data"], "deny_hidden": True}


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class Sqlite(unittest.TestCase):
    def setUp(self):
        self.tmp = t.TempDir()
        self.d = self.tmp.path
        os.makedirs(os.path.join(self.d, "data"))

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def prog(self, name, solve):
        return oe.write_entry(self.d, name, oe.entry(solve, IMPORTS))

    def run_p(self, name, solve, policy=None, backend=()):
        world = "run-os" if policy is None else "run-os-sandboxed"
        o = oe.run_program(self.prog(name, solve), self.d, world, policy, backend)
        self.assertIsNone(o.compile_error)
        self.assertIsNone(o.trap, o.solve)
        return o.output

    def db_file(self, name="app.db"):
        return os.path.join(self.d, "data", name)

    def test_create_insert_query_run_os(self):
        self.assertEqual(self.run_p("w", write_prog("data/app.db")), ROWS_DOC)
        # the file is a real SQLite database
        rows = sqlite3.connect(self.db_file()).execute(SELECT).fetchall()
        self.assertEqual(rows, [(1, "hello", None, None), (2, None, 2.5, b"\x00\xff")])
        # reopened readonly: reads work, writes fail in the step (53506)
        out = self.run_p("r", read_prog("data/app.db", 1, "INSERT INTO t(v) VALUES('x')"))
        self.assertEqual(out, ROWS_DOC + b";53506")

    def test_sandboxed_write_and_read(self):
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                if os.path.exists(self.db_file()):
                    os.unlink(self.db_file())
                out = self.run_p("w", write_prog("data/app.db"), db_policy(WRITE_FS), args)
                self.assertEqual(out, ROWS_DOC)
                # fs disabled: the listed file is still readable (readonly flag), never writable
                pol = db_policy(readonly_only=True, allow_create=False)
                out = self.run_p("r", read_prog("data/app.db", 1, "DELETE FROM t"), pol, args)
                self.assertEqual(out, ROWS_DOC + b";53506")
                self.assertEqual(len(sqlite3.connect(self.db_file()).execute(SELECT).fetchall()), 2)

    def test_sandboxed_kernel_keeps_unlisted_writes_out(self):
        # read-write open of a listed file without a write root: the kernel only lets it be read
        self.run_p("w", write_prog("data/app.db"))
        out = self.run_p("r", read_prog("data/app.db", 0, "DELETE FROM t"), db_policy())
        self.assertEqual(out, ROWS_DOC + b";53506")
        self.assertEqual(len(sqlite3.connect(self.db_file()).execute(SELECT).fetchall()), 2)

    def test_policy_denials(self):
        self.run_p("w", write_prog("data/app.db"))
        sqlite3.connect(self.db_file("other.db")).execute("CREATE TABLE s(x)").connection.commit()
        cases = [
            ("unlisted", open_code_prog("data/other.db", 1), db_policy(WRITE_FS)),
            ("memory", open_code_prog(":memory:", 0), db_policy()),
            ("disabled", open_code_prog("data/app.db", 1), db_policy(enabled=False)),
            ("readonly_only", open_code_prog("data/app.db", 0), db_policy(readonly_only=True)),
            ("no_create", open_code_prog("data/app.db", 2), db_policy(allow_create=False)),
            ("bad_flags", open_code_prog("data/app.db", 4), db_policy()),
        ]
        want = {"unlisted": b"53249", "memory": b"53249", "disabled": b"53249", "readonly_only": b"53249",
                "no_create": b"53249", "bad_flags": b"53250"}
        for name, args in oe.BACKENDS:
            for case, solve, pol in cases:
                with self.subTest(backend=name, case=case):
                    self.assertEqual(self.run_p(case, solve, pol, args), want[case])
        # allowed once the policy says so; run-os allows everything
        self.assertEqual(self.run_p("mem", open_code_prog(":memory:", 0), db_policy(allow_in_memory=True)), b"0")
        self.assertEqual(self.run_p("other", open_code_prog("data/other.db", 1)), b"0")

    def test_hostile_attach_and_vacuum_into(self):
        self.run_p("w", write_prog("data/app.db"))
        sqlite3.connect(self.db_file("secret.db")).execute("CREATE TABLE s(x)").connection.commit()
        attach = read_prog("data/app.db", 0, "ATTACH DATABASE 'data/secret.db' AS s")
        vacuum = read_prog("data/app.db", 0, "VACUUM INTO 'data/copy.db'")
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                for prog, label in ((attach, "attach"), (vacuum, "vacuum")):
                    out = self.run_p(label, prog, db_policy(WRITE_FS), args)
                    self.assertEqual(out[:len(ROWS_DOC)], ROWS_DOC)
                    self.assertIn(out[len(ROWS_DOC):], (b";53505", b";53506"))
                self.assertFalse(os.path.exists(self.db_file("copy.db")))
        # unsandboxed run-os keeps SQLite's full SQL (as upstream)
        self.assertEqual(self.run_p("vac", vacuum), ROWS_DOC + b";0")
        self.assertTrue(os.path.exists(self.db_file("copy.db")))

    def test_sqlite_app_template_project(self):
        # x07 init + the sqlite-app policy template: the database lives in out/ (write root, allow_paths)
        proj = os.path.join(self.d, "proj")
        os.makedirs(proj)
        self.assertEqual(t.run_x07(["init"], cwd=proj).returncode, 0)
        self.assertEqual(t.run_x07(["policy", "init", "--template", "sqlite-app"], cwd=proj).returncode, 0)
        pol = ".x07/policies/base/sqlite-app.sandbox.base.policy.json"
        for name, path, want in (("ok", "out/app.sqlite", ROWS_DOC), ("deny", "app.sqlite", b"ERR:open:53249:")):
            with self.subTest(case=name):
                entry = oe.entry(write_prog(path), IMPORTS)
                t.write(os.path.join(proj, "src", "main.x07.json"), json.dumps(entry))
                p = t.run_x07(["run", "--profile", "sandbox", "--policy", pol], cwd=proj)
                self.assertEqual(t.solve_of(json.loads(p.stdout)).get("solve_output_b64"),
                                 base64.b64encode(want).decode(), p.stderr)
        self.assertTrue(os.path.exists(os.path.join(proj, "out", "app.sqlite")))
        self.assertFalse(os.path.exists(os.path.join(proj, "app.sqlite")))
        # the same policy in a self-sandboxing bundle: SQLite in out/ and the tz data stay reachable
        os.unlink(os.path.join(proj, "out", "app.sqlite"))
        berlin = ["ext.time.tzdb.offset_duration_v1", ["bytes.view_lit", "Europe/Berlin"], 0, 0]
        entry = oe.entry(["bytes.concat", berlin, write_prog("out/app.sqlite")], IMPORTS + ["ext.time.tzdb"])
        t.write(os.path.join(proj, "src", "main.x07.json"), json.dumps(entry))
        p = t.run_x07(["bundle", "--profile", "sandbox", "--policy", pol, "--out", "dist/app"], cwd=proj)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = t.run([os.path.join(proj, "dist", "app")], cwd=proj)
        self.assertEqual((r.returncode, r.stdout), (0, b"\x01\x01" + struct.pack("<qI", 3600, 0) + ROWS_DOC), r.stderr)

    def test_hostile_requests(self):
        # raw os.db.sqlite.* calls with malformed requests, caps and params docs: error codes, no crash
        def raw(b):
            e = ["bytes.alloc", len(b)]
            for i, v in enumerate(b):
                e = ["bytes.set_u8", e, i, v]
            return e

        def sq(conn, sql, params, magic=b"X7SQ", sql_len=None):
            n = len(sql) if sql_len is None else sql_len
            return magic + struct.pack("<III", 1, conn, 0) + struct.pack("<I", n) + sql + \
                struct.pack("<I", len(params)) + params

        caps = b"X7DC" + struct.pack("<5I", 1, 0, 0, 0, 0)
        nested = b"\x01\x04" + struct.pack("<I", 1) + b"\x04" + struct.pack("<I", 0)
        calls = [
            ("query_v1", sq(1, b"SELECT ?", b"\x01\x04" + struct.pack("<I", 1) + b"\x03" + struct.pack("<I", 9)), caps),
            ("query_v1", sq(1, b"SELECT ?", b"\x01\x04" + struct.pack("<I", 0xFFFFFFFF)), caps),
            ("query_v1", sq(1, b"SELECT ?", nested), caps),
            ("query_v1", sq(1, b"SELECT ?", b"\x01\x04" + struct.pack("<I", 1) + b"\x02" + struct.pack("<I", 3) + b"1x2"), caps),
            ("query_v1", sq(1, b"SELECT 1", b"", sql_len=0xFFFFFFF0), caps),
            ("query_v1", sq(1, b"SELECT 1", b""), b"X7DC" + struct.pack("<I", 2)),
            ("query_v1", sq(1, b"SELECT 1", b"", magic=b"X7SE"), caps),
            ("exec_v1", sq(1, b"SELECT 1\x00; DROP TABLE t", b""), caps),
            ("query_v1", sq(77, b"SELECT 1", b""), caps),
            ("close_v1", b"X7SC" + struct.pack("<II", 1, 0), caps),
            ("close_v1", b"X7SC" + struct.pack("<II", 1, 0xFFFFFFFF), caps),
            ("open_v1", b"X7SO" + struct.pack("<III", 1, 1, 0xFFFFFFFF) + b"x", caps),
        ]
        solve = ["begin"] + opened("data/app.db", 2) + [["let", "v", ["vec_u8.with_capacity", 64]]]
        for i, (fn, req, cp) in enumerate(calls):
            solve += [["let", "r%d" % i, ["os.db.sqlite." + fn, raw(req), raw(cp)]],
                      ["set", "v", ["vec_u8.extend_bytes", "v", ["fmt.u32_to_dec",
                                                                ["std.db.spec.resp_err_code_v1", "r%d" % i]]]],
                      ["set", "v", ["vec_u8.push", "v", 59]]]
        solve.append(["vec_u8.into_bytes", "v"])
        want = b"53250;53250;53250;53250;53250;53250;53250;53250;53251;53251;53251;53250;"
        self.assertEqual(self.run_p("hostile", solve), want)

    def test_bad_requests(self):
        # a closed connection, then a statement that does not prepare (message from SQLite)
        solve = ["begin"] + opened("data/app.db", 2) + close() + [
            ["let", "q", ["std.db.query_v1", "conn", lit("SELECT 1"), ["std.db.params.empty_v1"], "caps"]],
            ["let", "again", ["std.db.sqlite.open_v1", lit("data/app.db"), 0, "caps"]],
            ["let", "c2", ["std.db.open_handle_v1", "again"]],
            ["let", "bad", ["std.db.query_v1", "c2", lit("SELEC nonsense"), ["std.db.params.empty_v1"], "caps"]],
            ["bytes.concat", ["fmt.u32_to_dec", ["std.db.spec.resp_err_code_v1", "q"]],
             ["bytes.concat", lit(";"), ["bytes.concat", ["fmt.u32_to_dec", ["std.db.spec.resp_err_code_v1", "bad"]],
                                         ["bytes.concat", lit(";"), ["std.db.spec.resp_err_msg_v1", "bad"]]]]]]
        self.assertEqual(self.run_p("bad", solve), b'53251;53505;near "SELEC": syntax error')


if __name__ == "__main__":
    unittest.main()
