#!/usr/bin/env python3
"""Async tasks through real x07 programs: a map/reduce over a bytes channel in a
task.scope_v1 (start_soon), async_let slots, process joins inside defasync tasks
(capture and piped, in run-os and run-os-sandboxed), sched_stats counters and the
sched_trace_hash recomputed here from the scheduler's event rules, and budget
scope traps in the report. When an upstream checkout is next to the repo
(../upstream or X07_UPSTREAM_DIR), upstream's own examples 12 and 14 and its two
async process programs are run too."""
import os
import unittest

import x07test as t

M64 = (1 << 64) - 1
SWITCH, BLOCK, WAKE, COMPLETE = 1, 2, 3, 4
WAIT_JOIN, WAIT_OS_PROC_JOIN, WAIT_OS_PROC_EXIT = 1, 5, 6


def trace_hash(events):
    """FNV-1a-64 style fold of (tag, a, b) scheduler events (runner.md sched_stats)."""
    h = 1469598103934665603
    for ev in events:
        for x in ev:
            h = ((h ^ x) * 1099511628211) & M64
    return "0x%016x" % h


def lit(s):
    return ["bytes.lit", s]


def defasync(name, params, body, result="bytes"):
    return {"kind": "defasync", "name": name, "params": [{"name": n, "ty": ty} for n, ty in params],
            "result": result, "body": body}


# Worker: sum of input[start:end] as u32le, sent over the channel.
SUM_WORKER = defasync("main.sum", [("ch", "i32"), ("start", "i32"), ("end", "i32")],
                      ["begin",
                       ["let", "s", 0],
                       ["for", "i", "start", "end", ["set", "s", ["+", "s", ["view.get_u8", "input", "i"]]]],
                       ["chan.bytes.send", "ch", ["codec.write_u32_le", "s"]],
                       ["bytes.alloc", 0]])

MAP_REDUCE = ["task.scope_v1", ["task.scope.cfg_v1", ["max_children", 8]],
              ["begin",
               ["let", "n", ["view.len", "input"]],
               ["let", "ch", ["chan.bytes.new", 4]],
               ["for", "w", 0, 4,
                ["task.scope.start_soon_v1",
                 ["main.sum", "ch", ["/", ["*", "n", "w"], 4], ["/", ["*", "n", ["+", "w", 1]], 4]]]],
               ["let", "total", 0],
               ["for", "w", 0, 4,
                ["set", "total", ["+", "total", ["codec.read_u32_le", ["chan.bytes.recv", "ch"], 0]]]],
               ["fmt.u32_to_dec", "total"]]]

PROC_IMPORTS = ["std.os.process", "std.os.process.req_v1", "std.os.process.caps_v1"]
CAPS = ["std.os.process.caps_v1.finish", 1048576, 1048576, 5000, 0]
CAPTURE_WORKER = defasync("main.worker", [],
                          ["begin",
                           ["let", "reqb", ["std.os.process.req_v1.new", lit("/bin/cat")]],
                           ["set", "reqb", ["std.os.process.req_v1.stdin", "reqb", ["view.to_bytes", "input"]]],
                           ["let", "h", ["std.os.process.spawn_capture_v1",
                                         ["std.os.process.req_v1.finish", "reqb"], CAPS]],
                           ["let", "doc", ["os.process.join_capture_v1", "h"]],
                           ["std.os.process.drop_v1", "h"],
                           "doc"])
PIPED_WORKER = defasync("main.worker", [],
                        ["begin",
                         ["let", "h", ["std.os.process.spawn_piped_v1",
                                       ["std.os.process.req_v1.finish",
                                        ["std.os.process.req_v1.new", lit("/bin/cat")]], CAPS]],
                         ["std.os.process.stdin_write_v1", "h", lit("piped")],
                         ["std.os.process.stdin_close_v1", "h"],
                         ["os.process.join_exit_v1", "h"],
                         ["let", "code", ["std.os.process.take_exit_v1", "h"]],
                         ["let", "out", ["std.os.process.stdout_read_v1", "h", 4096]],
                         ["std.os.process.drop_v1", "h"],
                         ["bytes.concat", ["fmt.u32_to_dec", "code"], "out"]])
SPAWN_AWAIT = ["begin", ["let", "tk", ["main.worker"]], ["task.spawn", "tk"], ["await", "tk"]]


def upstream_dir():
    d = os.environ.get("X07_UPSTREAM_DIR", os.path.join(os.path.dirname(t.REPO), "upstream"))
    return d if os.path.isdir(os.path.join(d, "docs", "examples")) else None


@unittest.skipUnless(t.compiler_works(), "compiler not available")
class AsyncTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def run_prog(self, name, solve, decls, inp=b"", imports=(), extra=(), cwd=None):
        path = t.write_program(self.tmp.path, solve, name=name + ".x07.json", imports=imports, decls=decls)
        inp_path = t.write(os.path.join(self.tmp.path, name + ".in"), inp)
        _, rep = t.runner_report(["--program", path, "--input", inp_path] + list(extra), cwd=cwd)
        self.assertTrue(rep["compile"]["ok"], rep["compile"]["compile_error"])
        return rep["solve"]

    def out(self, solve):
        self.assertIsNone(solve["trap"], t.b64d(solve["stderr_b64"])[-400:])
        return t.b64d(solve["solve_output_b64"])

    def test_map_reduce_over_channel(self):
        data = bytes(range(256)) * 3 + b"tail"
        solve = self.run_prog("mapreduce", MAP_REDUCE, [SUM_WORKER], inp=data)
        self.assertEqual(self.out(solve), str(sum(data)).encode())
        st = solve["sched_stats"]
        # 4 workers, each runs once to completion (the channel never fills).
        self.assertEqual((st["tasks_spawned"], st["spawn_calls"], st["ctx_switches"], st["chan_send_calls"],
                          st["join_calls"], st["blocked_waits"], st["wake_events"]), (4, 4, 4, 4, 4, 0, 0))
        events = []
        for task in range(1, 5):
            events += [(SWITCH, task, 0), (COMPLETE, task, 0)]
        self.assertEqual(st["sched_trace_hash"], trace_hash(events))
        self.assertEqual(solve["mem_stats"]["live_bytes"], 0)

    def test_handle_tables_grow(self):
        # 20 tasks and 21 channels: the scheduler's handle tables start at 8 entries and double
        data = bytes(range(200)) * 5
        solve = self.run_prog("many", ["task.scope_v1", ["task.scope.cfg_v1", ["max_children", 32]],
                                       ["begin",
                                        ["let", "n", ["view.len", "input"]],
                                        ["for", "k", 0, 20, ["chan.bytes.new", 1]],
                                        ["let", "ch", ["chan.bytes.new", 32]],
                                        ["for", "w", 0, 20,
                                         ["task.scope.start_soon_v1",
                                          ["main.sum", "ch", ["/", ["*", "n", "w"], 20],
                                           ["/", ["*", "n", ["+", "w", 1]], 20]]]],
                                        ["let", "total", 0],
                                        ["for", "w", 0, 20,
                                         ["set", "total",
                                          ["+", "total", ["codec.read_u32_le", ["chan.bytes.recv", "ch"], 0]]]],
                                        ["fmt.u32_to_dec", ["+", ["*", "ch", 1000000], "total"]]]],
                             [SUM_WORKER], inp=data)
        self.assertEqual(self.out(solve), str(21 * 1000000 + sum(data)).encode())
        self.assertEqual(solve["sched_stats"]["tasks_spawned"], 20)
        self.assertEqual(solve["mem_stats"]["live_bytes"], 0)

    def test_async_let_slots_trace(self):
        echo = defasync("main.echo", [("b", "bytes")], ["begin", ["task.yield"], "b"])
        solve = self.run_prog("slots", ["task.scope_v1", ["task.scope.cfg_v1", ["max_children", 4]],
                                        ["begin",
                                         ["let", "s0", ["task.scope.async_let_bytes_v1", ["main.echo", lit("a")]]],
                                         ["let", "s1", ["task.scope.async_let_bytes_v1", ["main.echo", lit("b")]]],
                                         ["let", "o0", ["task.scope.await_slot_bytes_v1", "s0"]],
                                         ["let", "o1", ["task.scope.await_slot_bytes_v1", "s1"]],
                                         ["bytes.concat", "o0", "o1"]]], [echo])
        self.assertEqual(self.out(solve), b"ab")
        st = solve["sched_stats"]
        self.assertEqual((st["tasks_spawned"], st["spawn_calls"], st["join_calls"], st["yield_calls"],
                          st["ctx_switches"]), (2, 2, 2, 2, 4))
        self.assertEqual(st["sched_trace_hash"], trace_hash(
            [(SWITCH, 1, 0), (BLOCK, 1, 0), (SWITCH, 2, 0), (BLOCK, 2, 0),
             (SWITCH, 1, 0), (COMPLETE, 1, 0), (SWITCH, 2, 0), (COMPLETE, 2, 0)]))

    def test_no_async_reports_initial_trace_hash(self):
        solve = self.run_prog("plain", lit("x"), [])
        st = solve["sched_stats"]
        self.assertEqual(st["sched_trace_hash"], "0x%016x" % 1469598103934665603)
        self.assertEqual(sum(v for k, v in st.items() if k != "sched_trace_hash"), 0)

    def test_task_join_waits_wake(self):
        # A task joining another blocks once, is woken by the completion and polls the join again.
        inner = defasync("main.inner", [], ["begin", ["task.yield"], lit("in")])
        outer = defasync("main.outer", [], ["bytes.concat", lit("out:"), ["await", ["main.inner"]]])
        solve = self.run_prog("join", ["await", ["main.outer"]], [inner, outer])
        self.assertEqual(self.out(solve), b"out:in")
        st = solve["sched_stats"]
        self.assertEqual((st["join_calls"], st["blocked_waits"], st["wake_events"]), (3, 1, 1))
        self.assertEqual(st["sched_trace_hash"], trace_hash(
            [(SWITCH, 1, 0), (BLOCK, 1, (WAIT_JOIN << 32) | 2), (SWITCH, 2, 0), (BLOCK, 2, 0),
             (SWITCH, 2, 0), (COMPLETE, 2, 0), (WAKE, 1, (WAIT_JOIN << 32) | 2), (SWITCH, 1, 0), (COMPLETE, 1, 0)]))

    def capture_doc_ok(self, doc, want):
        self.assertEqual(doc[:2], b"\x01\x01")
        self.assertEqual(int.from_bytes(doc[2:6], "little"), 0)
        n = int.from_bytes(doc[10:14], "little")
        self.assertEqual(doc[14:14 + n], want)

    def test_process_capture_join_in_task(self):
        solve = self.run_prog("capture", SPAWN_AWAIT, [CAPTURE_WORKER], inp=b"abc", imports=PROC_IMPORTS)
        self.capture_doc_ok(self.out(solve), b"abc")
        st = solve["sched_stats"]
        self.assertEqual((st["tasks_spawned"], st["spawn_calls"], st["join_calls"], st["blocked_waits"],
                          st["wake_events"], st["ctx_switches"]), (1, 1, 1, 1, 1, 2))
        h = (1 << 16) | 1  # first process slot, generation 1
        self.assertEqual(st["sched_trace_hash"], trace_hash(
            [(SWITCH, 1, 0), (BLOCK, 1, (WAIT_OS_PROC_JOIN << 32) | h), (WAKE, 1, (WAIT_OS_PROC_JOIN << 32) | h),
             (SWITCH, 1, 0), (COMPLETE, 1, 0)]))

    def test_process_piped_join_exit_in_task(self):
        solve = self.run_prog("piped", SPAWN_AWAIT, [PIPED_WORKER], imports=PROC_IMPORTS)
        self.assertEqual(self.out(solve), b"0piped")
        self.assertEqual(solve["sched_stats"]["blocked_waits"], 1)

    def test_process_join_in_task_sandboxed(self):
        pol = t.base_policy(process={"enabled": True, "allow_spawn": True, "max_live": 2, "max_spawns": 2,
                                     "allow_exec": True, "allow_exit": False, "allow_execs": ["/bin/cat"],
                                     "max_runtime_ms": 10000})
        pol["limits"]["procs"] = 1024
        pol_path = t.write(os.path.join(self.tmp.path, "pol.json"), __import__("json").dumps(pol))
        solve = self.run_prog("capture_sb", SPAWN_AWAIT, [CAPTURE_WORKER], inp=b"sandboxed", imports=PROC_IMPORTS,
                              extra=["--world", "run-os-sandboxed", "--policy", pol_path])
        self.capture_doc_ok(self.out(solve), b"sandboxed")

    def test_budget_trap_reported(self):
        solve = self.run_prog("budget", ["budget.scope_v1",
                                         ["budget.cfg_v1", ["mode", "trap_v1"], ["label", lit("loop")], ["fuel", 10]],
                                         ["begin", ["let", "s", 0],
                                          ["for", "i", 0, 100, ["set", "s", ["+", "s", "i"]]],
                                          ["fmt.u32_to_dec", "s"]]], [])
        self.assertEqual(solve["trap"], "X07T_BUDGET_EXCEEDED_FUEL")
        self.assertIsNotNone(solve["trap_help"])

    def test_deadlock_trap(self):
        waiter = defasync("main.waiter", [("ch", "i32")], ["chan.bytes.recv", "ch"])
        solve = self.run_prog("deadlock", ["begin", ["let", "ch", ["chan.bytes.new", 1]],
                                           ["await", ["main.waiter", "ch"]]], [waiter])
        self.assertEqual(solve["trap"], "scheduler deadlock")

    @unittest.skipUnless(upstream_dir(), "no upstream checkout next to the repo")
    def test_upstream_examples_12_and_14(self):
        up = upstream_dir()
        ex = os.path.join(up, "docs", "examples")
        inp_path = t.write(os.path.join(self.tmp.path, "ex12.in"), b"hello world, map reduce!")
        _, rep = t.runner_report(["--program", os.path.join(ex, "12_async_mapreduce.x07.json"), "--input", inp_path])
        out = self.out(rep["solve"]).decode()
        data = b"hello world, map reduce!"
        for line in ("Workers:_4", "Total_bytes:_%d" % len(data), "Sum:_%d" % sum(data),
                     "Min_byte:_%d" % min(data), "Max_byte:_%d" % max(data), "Mean:_%d" % (sum(data) // len(data)),
                     "Unique_byte_values:_%d" % len(set(data))):
            self.assertIn(line + "\n", out)
        _, rep = t.runner_report(["--program", os.path.join(ex, "14_task_scope_slots.x07.json")])
        self.assertEqual(self.out(rep["solve"]), b"ab")

    @unittest.skipUnless(upstream_dir(), "no upstream checkout next to the repo")
    def test_upstream_async_process_programs(self):
        up = upstream_dir()
        cwd = os.path.join(self.tmp.path, "proc_cwd")
        os.makedirs(os.path.join(cwd, "deps", "x07"), exist_ok=True)
        echo = t.write(os.path.join(cwd, "deps", "x07", "x07-proc-echo"), b"#!/bin/sh\nexec cat\n")
        os.chmod(echo, 0o755)
        inp_path = t.write(os.path.join(self.tmp.path, "abc.in"), b"abc")
        base = os.path.join(up, "tests", "external_os")
        _, rep = t.runner_report(["--program", os.path.join(base, "process_spawn_async_join", "src", "main.x07.json"),
                                  "--input", inp_path], cwd=cwd)
        self.capture_doc_ok(self.out(rep["solve"]), b"abc")
        _, rep = t.runner_report(["--program", os.path.join(base, "process_piped_async_join", "src", "main.x07.json")],
                                 cwd=cwd)
        self.assertEqual(self.out(rep["solve"]), b"ok")


if __name__ == "__main__":
    unittest.main()
