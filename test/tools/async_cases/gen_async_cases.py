#!/usr/bin/env python3
"""Writes the async_* and budget_* conformance cases (test/conformance/cases/).

Each case is (name, decls, solve, expect[, input]). Expected outputs follow the
scheduler rules of the x07 language docs (FIFO ready queue, tasks ready when
created, virtual-time timers) and were cross-checked against upstream's binaries.
Run: python3 test/tools/async_cases/gen_async_cases.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "..", "conformance", "cases")


def lit(s):
    return ["bytes.lit", s]


def cat2(a, b):
    """a ++ b through vec_u8 (upstream's async emitter has no bytes.concat)."""
    return ["vec_u8.into_bytes", ["vec_u8.extend_bytes", ["vec_u8.extend_bytes", ["vec_u8.with_capacity", 0], a], b]]


def defasync(name, params, body, result="bytes"):
    return {"kind": "defasync", "name": name, "params": [{"name": n, "ty": t} for n, t in params],
            "result": result, "body": body}


def defn(name, params, body, result="bytes"):
    return {"kind": "defn", "name": name, "params": [{"name": n, "ty": t} for n, t in params],
            "result": result, "body": body}


# A worker that sends "<tag><i>" for i in 0..n, yielding after each send.
SEND_YIELD = defasync("main.sender", [("ch", "i32"), ("tag", "i32"), ("n", "i32")],
                      ["begin",
                       ["for", "i", 0, "n",
                        ["begin",
                         ["let", "m", ["bytes.alloc", 2]],
                         ["set", "m", ["bytes.set_u8", "m", 0, "tag"]],
                         ["set", "m", ["bytes.set_u8", "m", 1, ["+", 48, "i"]]],
                         ["chan.bytes.send", "ch", "m"],
                         ["task.yield"]]],
                       ["bytes.alloc", 0]])

COLLECT = lambda count: ["begin",  # noqa: E731
                         ["let", "out", ["vec_u8.with_capacity", 0]],
                         ["for", "k", 0, count,
                          ["set", "out", ["vec_u8.extend_bytes", "out", ["chan.bytes.recv", "ch"]]]],
                         ["vec_u8.into_bytes", "out"]]

SLEEPER = defasync("main.sleeper", [("ch", "i32"), ("ticks", "i32"), ("tag", "i32")],
                   ["begin",
                    ["task.sleep", "ticks"],
                    ["chan.bytes.send", "ch", ["bytes1", "tag"]],
                    ["bytes.alloc", 0]])

ECHO = defasync("main.echo", [("b", "bytes")], ["begin", ["task.yield"], "b"])

CASES_LIST = [
    ("async_spawn_await",
     [defasync("main.greet", [("who", "bytes")],
               cat2(lit("hello_"), "who"))],
     ["begin", ["let", "t", ["main.greet", lit("tasks")]], ["task.spawn", "t"], ["await", "t"]],
     {"output_text": "hello_tasks"}),
    ("async_yield_round_robin",
     [SEND_YIELD],
     ["begin",
      ["let", "ch", ["chan.bytes.new", 16]],
      ["let", "a", ["main.sender", "ch", 97, 3]],
      ["let", "b", ["main.sender", "ch", 98, 3]],
      ["let", "c", ["main.sender", "ch", 99, 2]],
      ["let", "r", COLLECT(8)],
      ["let", "x", ["await", "a"]], ["let", "y", ["await", "b"]], ["let", "z", ["await", "c"]],
      "r"],
     {"output_text": "a0b0c0a1b1c1a2b2"}),
    ("async_sleep_wakes_by_virtual_time",
     [SLEEPER],
     ["begin",
      ["let", "ch", ["chan.bytes.new", 8]],
      ["main.sleeper", "ch", 30, 67],
      ["main.sleeper", "ch", 10, 65],
      ["main.sleeper", "ch", 20, 66],
      ["main.sleeper", "ch", 10, 68],
      COLLECT(4)],
     {"output_text": "ADBC"}),
    ("async_chan_capacity_blocks_sender",
     [defasync("main.producer", [("ch", "i32")],
               ["begin",
                ["for", "i", 0, 4, ["chan.bytes.send", "ch", ["bytes1", ["+", 48, "i"]]]],
                ["chan.bytes.close", "ch"],
                ["bytes.alloc", 0]])],
     ["begin",
      ["let", "ch", ["chan.bytes.new", 1]],
      ["let", "t", ["main.producer", "ch"]],
      ["let", "out", ["vec_u8.with_capacity", 0]],
      ["for", "k", 0, 5,
       ["set", "out", ["vec_u8.extend_bytes", "out", ["chan.bytes.recv", "ch"]]]],
      ["let", "closed", ["chan.bytes.try_recv", "ch"]],
      ["set", "out", ["vec_u8.push", "out", ["+", 48, ["result_bytes.err_code", "closed"]]]],
      ["set", "out", ["vec_u8.push", "out", ["+", 48, ["chan.bytes.try_send", "ch", ["bytes.view_lit", "z"]]]]],
      ["let", "done", ["await", "t"]],
      ["vec_u8.into_bytes", "out"]],
     {"output_text": "012322"}),
    ("async_ping_pong",
     [defasync("main.ponger", [("ping", "i32"), ("pong", "i32"), ("n", "i32")],
               ["begin",
                ["for", "i", 0, "n",
                 ["begin",
                  ["let", "m", ["chan.bytes.recv", "ping"]],
                  ["chan.bytes.send", "pong", cat2("m", lit("!"))]]],
                lit("pong_done")])],
     ["begin",
      ["let", "ping", ["chan.bytes.new", 1]],
      ["let", "pong", ["chan.bytes.new", 1]],
      ["let", "t", ["main.ponger", "ping", "pong", 3]],
      ["let", "out", ["vec_u8.with_capacity", 0]],
      ["for", "i", 0, 3,
       ["begin",
        ["chan.bytes.send", "ping", ["bytes1", ["+", 97, "i"]]],
        ["set", "out", ["vec_u8.extend_bytes", "out", ["chan.bytes.recv", "pong"]]]]],
      ["set", "out", ["vec_u8.extend_bytes", "out", ["await", "t"]]],
      ["vec_u8.into_bytes", "out"]],
     {"output_text": "a!b!c!pong_done"}),
    ("async_result_bytes_task",
     [defasync("main.check", [("n", "i32")],
               ["if", ["<u", "n", 10], ["result_bytes.ok", ["fmt.u32_to_dec", "n"]], ["result_bytes.err", "n"]],
               result="result_bytes")],
     ["begin",
      ["let", "a", ["task.join.result_bytes", ["main.check", 7]]],
      ["let", "b", ["task.join.result_bytes", ["main.check", 42]]],
      ["bytes.concat", ["result_bytes.unwrap_or", "a", lit("?")],
       ["fmt.u32_to_dec", ["result_bytes.err_code", "b"]]]],
     {"output_text": "742"}),
    ("async_cancel_and_try_join",
     [ECHO],
     ["begin",
      ["let", "t", ["main.echo", lit("never")]],
      ["let", "u", ["main.echo", lit("done")]],
      ["let", "c1", ["task.cancel", "t"]],
      ["let", "c2", ["task.cancel", "t"]],
      ["let", "r", ["task.try_join.bytes", "t"]],
      ["let", "pending", ["task.try_join.bytes", "u"]],
      ["let", "fin", ["task.is_finished", "u"]],
      ["let", "ok", ["await", "u"]],
      ["let", "out", ["vec_u8.with_capacity", 0]],
      ["set", "out", ["vec_u8.push", "out", ["+", 48, "c1"]]],
      ["set", "out", ["vec_u8.push", "out", ["+", 48, "c2"]]],
      ["set", "out", ["vec_u8.push", "out", ["+", 48, ["result_bytes.err_code", "r"]]]],
      ["set", "out", ["vec_u8.push", "out", ["+", 48, ["result_bytes.err_code", "pending"]]]],
      ["set", "out", ["vec_u8.push", "out", ["+", 48, "fin"]]],
      ["set", "out", ["vec_u8.extend_bytes", "out", "ok"]],
      ["vec_u8.into_bytes", "out"]],
     {"output_text": "10210done"}),
    ("async_scope_slots_and_wait_all",
     [ECHO, SEND_YIELD],
     ["task.scope_v1", ["task.scope.cfg_v1", ["max_children", 4]],
      ["begin",
       ["let", "ch", ["chan.bytes.new", 8]],
       ["task.scope.start_soon_v1", ["main.sender", "ch", 120, 2]],
       ["let", "s0", ["task.scope.async_let_bytes_v1", ["main.echo", lit("L")]]],
       ["let", "f0", ["task.scope.slot_is_finished_v1", "s0"]],
       ["let", "n", ["task.scope.wait_all_v1"]],
       ["let", "out", ["vec_u8.with_capacity", 0]],
       ["set", "out", ["vec_u8.push", "out", ["+", 48, "f0"]]],
       ["set", "out", ["vec_u8.push", "out", ["+", 48, "n"]]],
       ["set", "out", ["vec_u8.extend_bytes", "out", ["chan.bytes.recv", "ch"]]],
       ["set", "out", ["vec_u8.extend_bytes", "out", ["chan.bytes.recv", "ch"]]],
       ["vec_u8.into_bytes", "out"]]],
     {"output_text": "02x0x1"}),
    ("async_scope_in_defasync",
     [ECHO,
      defasync("main.pair", [("a", "bytes"), ("b", "bytes")],
               ["task.scope_v1", ["task.scope.cfg_v1", ["max_children", 2]],
                ["begin",
                 ["let", "s0", ["task.scope.async_let_bytes_v1", ["main.echo", "a"]]],
                 ["let", "s1", ["task.scope.async_let_bytes_v1", ["main.echo", "b"]]],
                 ["let", "r1", ["task.scope.await_slot_bytes_v1", "s1"]],
                 ["let", "r0", ["task.scope.await_slot_bytes_v1", "s0"]],
                 cat2("r1", "r0")]])],
     ["await", ["main.pair", lit("left"), lit("right")]],
     {"output_text": "rightleft"}),
    ("async_scope_cancel_all",
     [ECHO],
     ["task.scope_v1", ["task.scope.cfg_v1"],
      ["begin",
       ["let", "s0", ["task.scope.async_let_bytes_v1", ["main.echo", lit("a")]]],
       ["let", "s1", ["task.scope.async_let_bytes_v1", ["main.echo", lit("b")]]],
       ["let", "n", ["task.scope.cancel_all_v1"]],
       ["let", "r", ["task.scope.try_await_slot.bytes_v1", "s0"]],
       ["bytes.concat", ["fmt.u32_to_dec", "n"], ["fmt.u32_to_dec", ["result_bytes.err_code", "r"]]]]],
     {"output_text": "22"}),
    ("async_scope_children_budget_trap",
     [ECHO],
     ["task.scope_v1", ["task.scope.cfg_v1", ["max_children", 1]],
      ["begin",
       ["task.scope.start_soon_v1", ["main.echo", lit("a")]],
       ["task.scope.start_soon_v1", ["main.echo", lit("b")]],
       lit("unreachable")]],
     {"trap": "X07T_SCOPE_BUDGET_CHILDREN_EXCEEDED"}),
    ("async_scope_slot_result_too_large_trap",
     [ECHO],
     ["task.scope_v1", ["task.scope.cfg_v1", ["max_slot_result_bytes", 2]],
      ["task.scope.await_slot_bytes_v1", ["task.scope.async_let_bytes_v1", ["main.echo", lit("abc")]]]],
     {"trap": "X07T_SCOPE_SLOT_RESULT_TOO_LARGE"}),
    ("async_scope_return_joins_children",
     [ECHO],
     ["task.scope_v1", ["task.scope.cfg_v1", ["max_slot_result_bytes", 1]],
      ["begin",
       ["let", "s0", ["task.scope.async_let_bytes_v1", ["main.echo", lit("abc")]]],
       ["if", ["=", ["view.len", "input"], 0], ["return", lit("early")], lit("late")]]],
     {"trap": "X07T_SCOPE_SLOT_RESULT_TOO_LARGE"}),
    ("budget_return_checks_budget",
     [],
     ["budget.scope_v1", ["budget.cfg_v1", ["mode", "trap_v1"], ["label", lit("ret")], ["alloc_calls", 1]],
      ["begin",
       ["let", "a", ["bytes.alloc", 3]],
       ["let", "b", ["bytes.alloc", 3]],
       ["if", ["=", ["view.len", "input"], 0], ["return", "a"], "b"]]],
     {"trap": "X07T_BUDGET_EXCEEDED_ALLOC_CALLS"}),
    ("async_deadlock_trap",
     [],
     ["begin", ["let", "ch", ["chan.bytes.new", 1]], ["chan.bytes.recv", "ch"]],
     {"trap": "scheduler deadlock"}),
    ("async_join_twice_trap",
     [ECHO],
     ["begin", ["let", "t", ["main.echo", lit("x")]], ["let", "a", ["await", "t"]], ["await", "t"]],
     {"trap": "join already taken"}),
    ("async_chan_cap_zero_trap",
     [],
     ["begin", ["let", "ch", ["chan.bytes.new", 0]], lit("x")],
     {"trap": "chan cap=0"}),
    ("async_await_in_defn_error",
     [ECHO, defn("main.f", [("t", "i32")], ["await", "t"])],
     ["main.f", ["main.echo", lit("x")]],
     {"compile_error_contains": "await is only allowed in solve or defasync"}),
    ("async_start_soon_outside_scope_error",
     [ECHO],
     ["begin", ["task.scope.start_soon_v1", ["main.echo", lit("x")]], lit("x")],
     {"compile_error_contains": "X07E_SCOPE_001: task.scope.start_soon_v1 used outside task.scope_v1"}),
    ("async_start_soon_not_defasync_error",
     [defn("main.plain", [], lit("x"))],
     ["task.scope_v1", ["task.scope.cfg_v1"], ["begin", ["task.scope.start_soon_v1", ["main.plain"]], lit("x")]],
     {"compile_error_contains": "X07E_SCOPE_002: expected an immediate defasync call expression"}),
    ("async_defasync_result_type_error",
     [defasync("main.bad", [], 1, result="i32")],
     ["begin", ["main.bad"], lit("x")],
     {"compile_error_contains": "defasync \"main.bad\" must return bytes or result_bytes"}),
    ("async_scope_cfg_unknown_field_error",
     [],
     ["task.scope_v1", ["task.scope.cfg_v1", ["max_kids", 1]], lit("x")],
     {"compile_error_contains": "task.scope.cfg_v1 unknown field: max_kids"}),
    ("async_scope_let_spawn_error",
     [ECHO],
     ["task.scope_v1", ["task.scope.cfg_v1"], ["begin", ["let", "t", ["main.echo", lit("x")]], ["await", "t"]]],
     {"compile_error_contains": "X07E_SCOPE_003: illegal spawn pattern inside task.scope_v1"}),
    ("budget_from_arch_builtin_profile",
     [],
     ["begin",
      ["let", "r", ["budget.scope_from_arch_v1", lit("stream_xf_plugin_v1"), ["result_bytes.ok", lit("piped")]]],
      ["result_bytes.unwrap_or", "r", lit("?")]],
     {"output_text": "piped"}),
    ("budget_from_arch_pinned_profile",
     [],
     ["budget.scope_from_arch_v1", lit("tight_v1"), ["bytes.alloc", 100]],
     {"trap": "X07T_BUDGET_EXCEEDED_ALLOC_BYTES"},
     {"arch/budgets/profiles/tight_v1.budget.json": '{"schema_version": "x07.budget.profile@0.1.0", "id": "tight_v1", "v": 1, "cfg": {"mode": "trap_v1", "label": "tight", "alloc_bytes": 16}}'}),
    ("budget_from_arch_missing_profile_error",
     [],
     ["budget.scope_from_arch_v1", lit("nope_v1"), lit("x")],
     {"compile_error_contains": "read budget profile file "}),
    ("budget_trap_alloc_bytes",
     [],
     ["budget.scope_v1", ["budget.cfg_v1", ["mode", "trap_v1"], ["label", lit("big")], ["alloc_bytes", 64]],
      ["bytes.alloc", 1000]],
     {"trap": "X07T_BUDGET_EXCEEDED_ALLOC_BYTES"}),
    ("budget_result_err_code",
     [],
     ["begin",
      ["let", "r", ["budget.scope_v1",
                    ["budget.cfg_v1", ["mode", "result_err_v1"], ["label", lit("calls")], ["alloc_calls", 1]],
                    ["begin", ["let", "a", ["bytes.alloc", 4]], ["let", "b", ["bytes.alloc", 4]],
                     ["result_bytes.ok", ["bytes.concat", "a", "b"]]]]],
      ["let", "ok", ["budget.scope_v1",
                     ["budget.cfg_v1", ["mode", "result_err_v1"], ["label", lit("fine")], ["alloc_calls", 100]],
                     ["result_bytes.ok", lit("fine")]]],
      ["bytes.concat", ["codec.write_u32_le", ["result_bytes.err_code", "r"]],
       ["result_bytes.unwrap_or", "ok", lit("?")]]],
     {"output_hex": "02000080" + "fine".encode().hex()}),
    ("budget_stats_only_never_traps",
     [],
     ["budget.scope_v1", ["budget.cfg_v1", ["mode", "stats_only_v1"], ["label", lit("s")], ["alloc_bytes", 1]],
      ["bytes.concat", ["bytes.alloc", 100], lit("ok")]],
     {"output_hex": "00" * 100 + "6f6b"}),
    ("budget_fuel_trap",
     [],
     ["budget.scope_v1", ["budget.cfg_v1", ["mode", "trap_v1"], ["label", lit("hot")], ["fuel", 50]],
      ["begin", ["let", "s", 0], ["for", "i", 0, 1000, ["set", "s", ["+", "s", "i"]]], ["fmt.u32_to_dec", "s"]]],
     {"trap": "X07T_BUDGET_EXCEEDED_FUEL"}),
    ("budget_missing_label_error",
     [],
     ["budget.scope_v1", ["budget.cfg_v1", ["mode", "trap_v1"]], lit("x")],
     {"compile_error_contains": "budget.cfg_v1 is missing label"}),
    ("budget_result_err_needs_result_error",
     [],
     ["budget.scope_v1", ["budget.cfg_v1", ["mode", "result_err_v1"], ["label", lit("x")]], lit("x")],
     {"compile_error_contains": "budget.scope_v1 mode=result_err_v1 requires a result_* body"}),
]


def main():
    for case in CASES_LIST:
        name, decls, solve, expect = case[:4]
        d = os.path.join(CASES, name)
        os.makedirs(d, exist_ok=True)
        for rel, text in (case[4] if len(case) > 4 else {}).items():
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w", encoding="utf-8") as f:
                f.write(text + "\n")
        prog = {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
                "decls": decls, "solve": solve}
        with open(os.path.join(d, "main.x07.json"), "w", encoding="utf-8") as f:
            json.dump(prog, f, indent=1)
            f.write("\n")
        with open(os.path.join(d, "expect.json"), "w", encoding="utf-8") as f:
            json.dump(expect, f, indent=1)
            f.write("\n")
    print("wrote %d cases" % len(CASES_LIST))


if __name__ == "__main__":
    main()
