"""os.time.tzdb_* builtins and ext.time.tzdb: UTC offsets of real zones (north and
south DST, half-hour and 45-minute offsets, links, instants past the zone file's
last transition that need its POSIX TZ rule) checked against Python's zoneinfo on
the same tzdata; invalid and hostile zone names; out-of-range instants; the
snapshot id; and the data staying readable inside the kernel sandbox."""
import datetime
import struct
import unittest
import zoneinfo

import os_e2e as oe
import x07test as t

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns",
         "Pacific/Chatham", "Europe/Dublin", "US/Eastern", "America/Sao_Paulo", "Asia/Tokyo"]
TIMES = [0, 1000000000, 1700000000, 1719792000, 2200000000, 2215000000, 4102444800, 4118000000, -2000000000]
BAD = ["Fake/Zone", "", "../../../etc/passwd", "/usr/share/zoneinfo/UTC", "posix/UTC", "zone.tab", "Europe/"]


def lo_hi(ts):
    u = ts & 0xFFFFFFFFFFFFFFFF
    lo, hi = u & 0xFFFFFFFF, u >> 32
    return lo - (1 << 32) if lo >= 1 << 31 else lo, hi - (1 << 32) if hi >= 1 << 31 else hi


def offset_call(zone, ts):
    lo, hi = lo_hi(ts)
    return ["ext.time.tzdb.offset_duration_v1", ["bytes.view_lit", zone], lo, hi]


def ok_doc(secs):
    return b"\x01\x01" + struct.pack("<qI", secs, 0)


def err_doc(code):
    return b"\x00" + struct.pack("<II", code, 0)


CASES = [(z, ts) for z in ZONES for ts in TIMES]
CALLS = [offset_call(z, ts) for z, ts in CASES] + \
    [offset_call(z, 0) for z in BAD] + [offset_call("UTC", 1 << 62)] + \
    [["bytes1", ["ext.time.tzdb.is_valid_tzid_v1", ["bytes.view_lit", z]]] for z in ZONES + BAD] + \
    [["ext.time.tzdb.snapshot_id_v1"]]


def expected():
    out = b""
    for z, ts in CASES:
        when = datetime.datetime.fromtimestamp(ts, zoneinfo.ZoneInfo(z))
        out += ok_doc(int(when.utcoffset().total_seconds()))
    out += b"".join(err_doc(100) for _ in BAD) + err_doc(101)
    out += bytes([1] * len(ZONES) + [0] * len(BAD))
    with open("/usr/share/zoneinfo/tzdata.zi") as f:
        out += b"tzdb-" + f.readline().split()[2].encode()
    return out


def concat(calls):
    body = ["begin", ["let", "v", ["vec_u8.with_capacity", 2048]]]
    for i, c in enumerate(calls):
        body += [["let", "p%d" % i, c], ["set", "v", ["vec_u8.extend_bytes", "v", "p%d" % i]]]
    return body + [["vec_u8.into_bytes", "v"]]


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class Tzdb(unittest.TestCase):
    def test_offsets_match_zoneinfo(self):
        want = expected()
        with t.TempDir() as d:
            prog = oe.write_entry(d, "tz", oe.entry(concat(CALLS), ["ext.time.tzdb"]))
            runs = [("run-os", None, [])] + [("run-os-sandboxed", t.base_policy(), args) for _, args in oe.BACKENDS]
            for world, pol, args in runs:
                with self.subTest(world=world, backend=args):
                    o = oe.run_program(prog, d, world, pol, args)
                    self.assertIsNone(o.trap, o.solve)
                    n = 14 * len(CASES)
                    for i, (z, ts) in enumerate(CASES):
                        self.assertEqual(o.output[14 * i:14 * i + 14], want[14 * i:14 * i + 14], (z, ts))
                    self.assertEqual(o.output[n:], want[n:])


if __name__ == "__main__":
    unittest.main()
