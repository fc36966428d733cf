"""regex.* builtins (upstream's ext-regex backend, our engine): compiled / match / caps / X7SL / error
documents byte for byte, upstream's error codes and positions, leftmost-longest matching with the
captures of the longest match, option bits (case-insensitive, multi-line, dot-all, Unicode), empty
matches in find_all/split/replace, stale or foreign compiled documents, a pathological pattern on a
long input (the matcher has no backtracking), and the same program sandboxed with an all-off policy."""
import struct
import unittest

import os_e2e as oe
import x07test as t


def raw(b):
    """Bytes with the literal value `b` (bytes.lit for printable ASCII, else pushed one by one)."""
    if all(0x20 <= c < 0x7F for c in b):
        return ["bytes.lit", b.decode()]
    body = ["begin", ["let", "r", ["vec_u8.with_capacity", len(b)]]]
    body += [["set", "r", ["vec_u8.push", "r", c]] for c in b]
    return body + [["vec_u8.into_bytes", "r"]]


def u(s):
    return s.encode("utf-8") if isinstance(s, str) else s


def compile_(pat, opts=0):
    return ["regex.compile_opts_v1", ["bytes.view", "pat"], opts], u(pat)


def case(op, pat, text=b"", arg=0, opts=0, repl=None):
    """Solve-side expression (a begin block) that compiles `pat` and runs `op` on `text`."""
    body = ["begin", ["let", "pat", raw(u(pat))], ["let", "c", ["regex.compile_opts_v1", ["bytes.view", "pat"], opts]]]
    if op == "compile":
        body.append("c")
        return body
    body.append(["let", "txt", raw(u(text))])
    args = [["bytes.view", "c"], ["bytes.view", "txt"]]
    if op == "replace_all_v1":
        body.append(["let", "rep", raw(u(repl))])
        args.append(["bytes.view", "rep"])
    body.append(["regex." + op] + args + [arg])
    return body


def le(*xs):
    return b"".join(struct.pack("<I", x & 0xFFFFFFFF) for x in xs)


def err(code, pos):
    return b"\x00" + le(code, pos)


def m(s, e):
    return b"\x01\x01" + le(s, e)


NO_MATCH = b"\x01\x00" + le(0, 0)
NONE = 0xFFFFFFFF


def caps(s, e, groups):
    return m(s, e) + le(len(groups)) + b"".join(le(a, b) for a, b in groups)


def x7sl(rows):
    return b"X7SL" + le(1, len(rows)) + b"".join(le(a, b) for a, b in rows)


def fnv(b):
    h = 0x811C9DC5
    for c in b:
        h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
    return h


CASES = [
    # errors: upstream's codes; positions where the parser stopped (unclosed group/class: pattern length)
    (case("compile", "("), err(1, 1)),
    (case("compile", "a(b"), err(1, 3)),
    (case("compile", "[ab"), err(2, 3)),
    (case("compile", "[z-a]"), err(3, 1)),
    (case("compile", "\\q"), err(4, 0)),
    (case("compile", ")"), err(4, 0)),
    (case("compile", "*a"), err(5, 0)),
    (case("compile", "a|+"), err(5, 2)),
    (case("compile", "a{x}"), err(6, 2)),
    (case("compile", "a{2"), err(6, 1)),
    (case("compile", "a{3,1}"), err(7, 1)),
    (case("compile", "\\p{L}"), err(4, 0)),          # Unicode classes need opts bit 8
    (case("compile", "\\p{NoSuchClass}", opts=8), err(4, 0)),
    (case("compile", "(a)" * 33), err(11, 0)),
    (case("compile", "(" * 300 + ")" * 300), err(8, 250)),
    (case("compile", "a{1000}{1000}"), err(9, 0)),
    (case("compile", b"\xff"), err(4, 0)),           # a pattern is UTF-8 text
    # matching: leftmost start, then the longest match from there
    (case("exec_from_v1", "ab|abc", "zabc"), m(1, 4)),
    (case("exec_from_v1", "a*?", "aaa"), m(0, 3)),
    (case("exec_from_v1", "x", "abc"), NO_MATCH),
    (case("exec_from_v1", "a", "aXa", 1), m(2, 3)),
    (case("exec_from_v1", "a", "aXa", -5), m(0, 1)),
    (case("exec_from_v1", "a", "aXa", 9), NO_MATCH),
    (case("exec_from_v1", "^a", "aa", 1), NO_MATCH),     # ^ sees the text before `start`
    (case("exec_from_v1", "\\bfoo\\b", "afoo foo"), m(5, 8)),
    (case("exec_from_v1", "a$", "a\n"), NO_MATCH),
    (case("exec_from_v1", "^b", "a\nb", opts=2), m(2, 3)),
    (case("exec_from_v1", ".", "\n"), NO_MATCH),
    (case("exec_from_v1", ".", "\n", opts=4), m(0, 1)),
    (case("exec_from_v1", "hello", "HeLLo", opts=1), m(0, 5)),
    (case("exec_from_v1", "(?i)[a-c]+", "xABCd"), m(1, 4)),
    (case("exec_from_v1", "[[:digit:]]{2,3}", "a12345"), m(1, 4)),
    (case("exec_from_v1", "\\d+\\s\\w+", "x 12 ab!"), m(2, 7)),
    (case("exec_from_v1", "(?x) a  b # comment", "ab"), m(0, 2)),
    # bytes vs Unicode mode
    (case("exec_from_v1", ".", "é"), m(0, 1)),
    (case("exec_from_v1", ".", "é", opts=8), m(0, 2)),
    (case("exec_from_v1", "\\p{L}+", "a1", opts=8), m(0, 1)),
    (case("exec_from_v1", "\\p{Lu}", "aÉ", opts=8), m(1, 3)),
    (case("exec_from_v1", "é", "É", opts=9), m(0, 2)),
    (case("exec_from_v1", "\\w+", "héllo"), m(0, 1)),
    (case("exec_from_v1", "\\w+", "héllo", opts=8), m(0, 6)),
    (case("exec_from_v1", "é+", "aééb"), m(1, 5)),
    (case("exec_from_v1", "\\xFF", b"a\xff"), m(1, 2)),
    # captures: those of the longest match; a group that took no part is 0xFFFFFFFF
    (case("exec_caps_from_v1", "(a)(b)", "zzabzz"), caps(2, 4, [(2, 3), (3, 4)])),
    (case("exec_caps_from_v1", "(a|ab)(c|bcd)(d*)", "abcd"), caps(0, 4, [(0, 1), (1, 4), (4, 4)])),
    (case("exec_caps_from_v1", "(a)|b", "b"), caps(0, 1, [(NONE, NONE)])),
    (case("exec_caps_from_v1", "(a*)*", "b"), caps(0, 0, [(0, 0)])),
    (case("exec_caps_from_v1", "(?P<x>a)(?<y>b)?", "ac"), caps(0, 1, [(0, 1), (NONE, NONE)])),
    (case("exec_caps_from_v1", "(a)", "zz"), b"\x01\x00" + le(0, 0, 1, NONE, NONE)),
    # find_all / split / replace_all (an empty match moves the scan on by one byte)
    (case("find_all_x7sl_v1", "[0-9]+", "a12b34"), x7sl([(1, 2), (4, 2)])),
    (case("find_all_x7sl_v1", "[0-9]+", "a12b34", 1), x7sl([(1, 2)])),
    (case("find_all_x7sl_v1", "x*", "ab"), x7sl([(0, 0), (1, 0), (2, 0)])),
    (case("find_all_x7sl_v1", "q", "ab"), x7sl([])),
    (case("split_v1", ",", "a,b,,c"), x7sl([(0, 1), (2, 1), (4, 0), (5, 1)])),
    (case("split_v1", ",", "a,b,,c", 2), x7sl([(0, 1), (2, 4)])),
    (case("split_v1", ",", ""), x7sl([(0, 0)])),
    (case("replace_all_v1", "([0-9]+)", "a12b34", repl="[$0]"), b"a[$0]b[$0]"),
    (case("replace_all_v1", "[0-9]+", "a12b34", 1, repl="#"), b"a#b34"),
    (case("replace_all_v1", "^", "abc", repl="X"), b"Xabc"),
    (case("replace_all_v1", "x*", "ab", repl="-"), b"-a-b-"),
]


# Compiled documents: the handle is the first free slot of the process's table.
COMPILED = ["begin",
            ["let", "p1", ["bytes.lit", "abc"]], ["let", "c1", ["regex.compile_opts_v1", ["bytes.view", "p1"], 9]],
            ["let", "p2", ["bytes.lit", "("]], ["let", "c2", ["regex.compile_opts_v1", ["bytes.view", "p2"], 0]],
            ["let", "p3", ["bytes.lit", "b"]], ["let", "c3", ["regex.compile_opts_v1", ["bytes.view", "p3"], 0]],
            ["let", "t", ["bytes.lit", "xb"]],
            ["let", "junk", ["bytes.lit", "X7RGjunkjunkjunkjunk"]],
            oe.frame_all(["c1", ["view.to_bytes", ["bytes.view", "c3"]],
                          ["regex.exec_from_v1", ["bytes.view", "c2"], ["bytes.view", "t"], 0],   # error doc passes through
                          ["regex.exec_from_v1", ["bytes.view", "junk"], ["bytes.view", "t"], 0],
                          ["regex.exec_from_v1", ["bytes.view", "c3"], ["bytes.view", "t"], 0]])]

# (a|aa)*b over 20000 'a's and no 'b': exponential for a backtracking matcher
PATHOLOGICAL = ["begin", ["let", "p", ["bytes.lit", "(a|aa)*b"]],
                ["let", "c", ["regex.compile_opts_v1", ["bytes.view", "p"], 0]],
                ["regex.exec_from_v1", ["bytes.view", "c"], "input", 0]]

OWNED_ARG = ["begin", ["let", "p", ["bytes.lit", "a"]], ["regex.compile_opts_v1", "p", 0]]


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class ExtRegex(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()
        d = cls.tmp.path
        cls.cases = oe.write_entry(d, "cases", oe.entry(oe.frame_all([c for c, _ in CASES]), []))
        cls.compiled = oe.write_entry(d, "compiled", oe.entry(COMPILED, []))
        cls.patho = oe.write_entry(d, "patho", oe.entry(PATHOLOGICAL, []))
        cls.owned = oe.write_entry(d, "owned", oe.entry(OWNED_ARG, []))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_documents_in_both_worlds(self):
        for policy in (None, t.base_policy()):  # no OS capability needed
            with self.subTest(sandboxed=policy is not None):
                o = oe.run_program(self.cases, self.tmp.path, "run-os" if policy is None else "run-os-sandboxed",
                                   policy)
                self.assertIsNone(o.compile_error)
                self.assertIsNone(o.trap)
                got = oe.unframe(o.output)
                self.assertEqual(len(got), len(CASES))
                for (expr, want), g in zip(CASES, got):
                    self.assertEqual(g, want, expr[:3])

    def test_compiled_documents_and_handles(self):
        o = oe.run_program(self.compiled, self.tmp.path, "run-os")
        self.assertIsNone(o.compile_error)
        c1, c3, passthrough, junk, ok = oe.unframe(o.output)
        self.assertEqual(c1, b"\x01X7RG\x01" + le(1, 9, fnv(b"abc")))
        self.assertEqual(c3, b"\x01X7RG\x01" + le(2, 0, fnv(b"b")))  # a failed compile takes no handle
        self.assertEqual(passthrough, err(1, 1))
        self.assertEqual(junk, err(10, 0))
        self.assertEqual(ok, m(1, 2))

    def test_no_backtracking_blowup(self):
        o = oe.run_program(self.patho, self.tmp.path, "run-os", input_bytes=b"a" * 20000, timeout=60)
        self.assertIsNone(o.compile_error)
        self.assertEqual(o.output, NO_MATCH)

    def test_arguments_are_views_as_upstream(self):
        o = oe.run_program(self.owned, self.tmp.path, "run-os")
        self.assertIn("regex.compile_opts_v1 expects bytes_view for arg 0 (got bytes)", o.compile_error)


if __name__ == "__main__":
    unittest.main()
