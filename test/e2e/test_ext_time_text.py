"""ext.time.rfc3339 / ext.time.civil / ext.time.duration add+sub (time.* builtins):
parse and format docs, error codes, civil fields and weekdays, and i64 duration
arithmetic, all checked against Python's datetime and integers."""
import datetime
import random
import struct
import unittest

import os_e2e as oe
import x07test as t

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def u32(x):
    return x & 0xFFFFFFFF


def i32(x):
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >= 1 << 31 else x


def err(code):
    return b"\x00" + struct.pack("<II", code, 0)


def ts_doc(unix, offset, nanos, tzid=b""):
    return b"\x01" + struct.pack("<IiII", u32(unix), offset, nanos, len(tzid)) + tzid + struct.pack("<I", u32(unix >> 32))


def parse_case(s):
    return ["ext.time.rfc3339.parse_v1", ["bytes.view_lit", s]]


PARSE = [
    ("2020-01-02T03:04:05Z", ts_doc(1577934245, 0, 0)),
    ("2020-01-02t03:04:05.5+05:30[Asia/Kolkata]", ts_doc(1577934245 - 19800, 19800, 500000000, b"Asia/Kolkata")),
    ("1970-01-01T00:00:00z", ts_doc(0, 0, 0)),
    ("9999-12-31T23:59:59.999999999-23:59", ts_doc(253402300799 + 86340, -86340, 999999999)),
    ("2024-02-29T12:00:00.000001+00:00", ts_doc(1709208000, 0, 1000)),
    ("1969-12-31T23:59:59Z", err(2)),
    ("1970-01-01T00:30:00+01:00", err(2)),
    ("2021-02-29T00:00:00Z", err(2)),
    ("2020-01-01T24:00:00Z", err(2)),
    ("2020-01-01T00:00:60Z", err(1)),
    ("2020-01-01T00:00:00", err(4)),
    ("2020-01-01T00:00:00.", err(4)),
    ("2020-01-01T00:00:00.Z", err(1)),
    ("2020-01-01T00:00:00.1234567891Z", err(1)),
    ("2020-01-01T00:00:00+05:3", err(4)),
    ("2020-01-01T00:00:00+0530", err(4)),
    ("2020-01-01T00:00:00+24:00", err(2)),
    ("2020-01-01 00:00:00Z", err(1)),
    ("2020-01-01T00:00:00Z[", err(3)),
    ("2020-01-01T00:00:00Z[]", err(3)),
    ("2020-01-01T00:00:00Z[UTC]x", err(3)),
    ("2020-01-01T00:00:00Zx", err(3)),
]


def fmt_expected(unix, offset, nanos, tzid):
    local = EPOCH + datetime.timedelta(seconds=unix + offset)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        s += ".%09d" % nanos
    if offset == 0:
        s += "Z"
    else:
        a = abs(offset)
        s += "%s%02d:%02d" % ("-" if offset < 0 else "+", a // 3600, a % 3600 // 60)
    return (s + ("[%s]" % tzid if tzid else "")).encode()


def fmt_case(unix, offset, nanos, tzid):
    return ["ext.time.rfc3339.format_v1", i32(unix), i32(unix >> 32), offset, i32(nanos), ["bytes.lit", tzid]]


def civil_expected(unix, offset, nanos):
    local = EPOCH + datetime.timedelta(seconds=unix + offset)
    return b"\x01" + struct.pack("<9i2I", local.year, local.month, local.day, local.hour, local.minute,
                                 local.second, nanos, offset, local.isoweekday(), u32(unix), u32(unix >> 32))


def civil_case(unix, offset, nanos):
    # the civil doc with the ISO weekday spliced in before the Unix seconds (for one comparison)
    doc = ["ext.time.civil.from_unix_s_v1", i32(unix), i32(unix >> 32), offset, nanos]
    return ["begin", ["let", "c", doc],
            ["bytes.concat", ["bytes.slice", "c", 0, 33],
             ["bytes.concat", ["codec.write_u32_le", ["ext.time.civil.weekday_iso_v1", ["bytes.view", "c"]]],
              ["bytes.slice", "c", 33, 8]]]]


def dur(secs, ns):
    return ["ext.time.duration.make_v1", i32(secs), i32(secs >> 32), ns]


def dur_doc(total_ns):
    secs, ns = divmod(total_ns, 10 ** 9)
    if not -(1 << 63) <= secs < 1 << 63:
        return err(5)
    return b"\x01\x01" + struct.pack("<qI", secs, ns)


def build_cases():
    rng = random.Random(7)
    cases = [(parse_case(s), want) for s, want in PARSE]
    for _ in range(20):
        unix = rng.randrange(0, 253402300799 - 86400)
        offset = rng.randrange(-1439, 1440) * 60
        nanos = rng.choice([0, rng.randrange(1, 10 ** 9)])
        tzid = rng.choice(["", "Europe/Paris"])
        if unix + offset < 0:
            continue
        cases.append((fmt_case(unix, offset, nanos, tzid), fmt_expected(unix, offset, nanos, tzid)))
        cases.append((civil_case(unix, offset, nanos), civil_expected(unix, offset, nanos)))
        # round trip: format then parse gives back the same instant
        cases.append((["begin", ["let", "f", fmt_case(unix, offset, nanos, tzid)],
                       ["ext.time.rfc3339.parse_v1", ["bytes.view", "f"]]],
                      ts_doc(unix, offset, nanos, tzid.encode())))
    cases += [(fmt_case(0, 30, 0, ""), err(1)), (fmt_case(0, 86400, 0, ""), err(1)),
              (fmt_case(0, -60, 0, ""), err(2)), (fmt_case(0, 0, 10 ** 9, ""), err(1)),
              (fmt_case(0, 0, 0, "a]b"), err(3)), (fmt_case(253402300800, 0, 0, ""), err(2)),
              (["ext.time.civil.make_v1", 2020, 2, 30, 0, 0, 0, 0, 0], err(2)),
              (["ext.time.civil.make_v1", 1969, 12, 31, 0, 0, 0, 0, 0], err(3)),
              (["ext.time.civil.make_v1", 1970, 1, 1, 0, 0, 0, 0, 60], err(4)),
              (["ext.time.civil.from_unix_s_v1", 10, 0, -60, 0], err(4)),
              (["ext.time.civil.make_v1", 2020, 1, 2, 3, 4, 5, 7, -3600],
               b"\x01" + struct.pack("<8i2I", 2020, 1, 2, 3, 4, 5, 7, -3600, 1577934245 + 3600, 0))]
    big = (1 << 63) - 1
    for a, b in [((5, 1), (7, 999999999)), ((-3, 5), (2, 999999999)), ((big, 999999999), (0, 1)),
                 ((-(1 << 63), 0), (-1, 999999999)), ((123456789012, 5), (-98765432109, 7))] + \
            [((rng.randrange(-1 << 62, 1 << 62), rng.randrange(10 ** 9)),
              (rng.randrange(-1 << 62, 1 << 62), rng.randrange(10 ** 9))) for _ in range(10)]:
        ta, tb = a[0] * 10 ** 9 + a[1], b[0] * 10 ** 9 + b[1]
        for op, total in (("add_v1", ta + tb), ("sub_v1", ta - tb)):
            cases.append((["begin", ["let", "x", dur(*a)], ["let", "y", dur(*b)],
                           ["ext.time.duration." + op, ["bytes.view", "x"], ["bytes.view", "y"]]], dur_doc(total)))
    return cases


CASES = build_cases()


def solve():
    body = ["begin", ["let", "v", ["vec_u8.with_capacity", 8192]]]
    for i, (c, _) in enumerate(CASES):
        body += [["let", "p%d" % i, c],
                 ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["bytes.len", "p%d" % i]]]],
                 ["set", "v", ["vec_u8.extend_bytes", "v", "p%d" % i]]]
    return body + [["vec_u8.into_bytes", "v"]]


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class TimeText(unittest.TestCase):
    def test_against_python(self):
        with t.TempDir() as d:
            imports = ["ext.time.rfc3339", "ext.time.civil", "ext.time.duration"]
            prog = oe.write_entry(d, "time", oe.entry(solve(), imports))
            o = oe.run_program(prog, d)
            self.assertIsNone(o.compile_error)
            self.assertIsNone(o.trap, o.solve)
            out, pos = o.output, 0
            for expr, want in CASES:
                n = struct.unpack_from("<I", out, pos)[0]
                self.assertEqual(out[pos + 4:pos + 4 + n], want, expr)
                pos += 4 + n
            self.assertEqual(pos, len(out))


if __name__ == "__main__":
    unittest.main()
