#!/usr/bin/env bash
# Kernel sandbox overhead: warm runs of the same program, sandboxed (run-os-sandboxed,
# backend os = namespaces (as root) + Landlock + seccomp + rlimits) vs unsandboxed
# (run-os), measured in the same invocation. Prints median wall time per run and the
# ratio (target <= 1.2x). As a reference it prints the cost of bubblewrap
# (`bwrap --ro-bind / / true` vs `true`, and bwrap around the unsandboxed run) when
# bwrap is installed (Debian: apt-get install bubblewrap; not needed by the tests).
#
# usage: bench/bench_sandbox.sh [runs]      (env X07_BIN_DIR = dir with x07-os-runner,
#                                            default <repo>/build/bin)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-30}"
bin_dir="${X07_BIN_DIR:-$here/build/bin}"
runner="$bin_dir/x07-os-runner"
[ -x "$runner" ] || { echo "bench_sandbox: $runner not found (build first or set X07_BIN_DIR)" >&2; exit 2; }

work="$(mktemp -d /tmp/x07-bench-sandbox-XXXXXX)"
trap 'rm -rf "$work"' EXIT
export X07_NATIVE_CACHE_DIR="$work/cache"

# A program that does a little real work on its input (reverse + sum), no I/O effects.
cat > "$work/main.x07.json" <<'EOF'
{"schema_version":"x07.x07ast@0.8.0","kind":"entry","module_id":"main","imports":[],"decls":[],
 "solve":["begin",
   ["let","n",["view.len","input"]],
   ["let","out",["bytes.alloc","n"]],
   ["for","i",0,"n",["set","out",["bytes.set_u8","out",["-",["-","n","i"],1],["view.get_u8","input","i"]]]],
   "out"]}
EOF
cat > "$work/policy.json" <<'EOF'
{"schema_version":"x07.run-os-policy@0.1.0","policy_id":"bench.sandbox",
 "limits":{"cpu_ms":10000,"wall_ms":20000,"mem_bytes":1073741824,"fds":64,"procs":16,"core_dumps":false},
 "fs":{"enabled":true,"read_roots":["."],"write_roots":["out"],"deny_hidden":true,"allow_mkdir":true},
 "net":{"enabled":false,"allow_dns":false,"allow_tcp":false,"allow_udp":false,"allow_hosts":[]},
 "env":{"enabled":false,"allow_keys":[],"deny_keys":[]},
 "time":{"enabled":true,"allow_monotonic":true,"allow_wall_clock":false,"allow_sleep":false,"max_sleep_ms":0,"allow_local_tzid":false},
 "process":{"enabled":false,"allow_spawn":false,"max_live":0,"max_spawns":0,"allow_exec":false,"allow_exit":true}}
EOF
# the same policy with a run total for writes (write roots become tmpfs overlays)
sed 's/"allow_mkdir":true}/"allow_mkdir":true,"max_write_bytes":16777216}/' "$work/policy.json" > "$work/policy-quota.json"
grep -q max_write_bytes "$work/policy-quota.json" || { echo "bench_sandbox: quota policy not derived" >&2; exit 2; }
head -c 65536 /dev/urandom > "$work/input.bin"

cd "$work"
python3 - "$runner" "$runs" <<'EOF'
import json, resource, subprocess, sys, time
runner, runs = sys.argv[1], int(sys.argv[2])
base = [runner, "--program", "main.x07.json", "--input", "input.bin"]
plain = base + ["--world", "run-os"]
boxed = base + ["--world", "run-os-sandboxed", "--policy", "policy.json", "--sandbox-backend", "os"]
# the same executable run directly (no compile-cache lookup): isolates spawn + sandbox cost
art = [runner, "--artifact", "solver", "--input", "input.bin"]
art_plain = art + ["--world", "run-os"]
art_boxed = art + ["--world", "run-os-sandboxed", "--policy", "policy.json", "--sandbox-backend", "os",
                   "--i-accept-precompiled-artifact"]
# same policy environment, no kernel sandbox: isolates Landlock + seccomp + rlimits themselves
art_none = art + ["--world", "run-os-sandboxed", "--policy", "policy.json", "--sandbox-backend", "none",
                  "--i-accept-weaker-isolation", "--i-accept-precompiled-artifact"]

art_quota = [c if c != "policy.json" else "policy-quota.json" for c in art_boxed]

def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def run(cmd, cpu=None):
    """Wall seconds (appends the CPU seconds of the runner and the program to `cpu`)."""
    c0, t = children_cpu(), time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if cpu is not None:
        cpu.append(children_cpu() - c0)
    if p.returncode != 0:
        sys.exit("bench_sandbox: run failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr.decode(errors="replace") + p.stdout.decode(errors="replace")[:2000]))
    return dt, (json.loads(p.stdout) if p.stdout.startswith(b"{") else None)

# warm the compile cache (both worlds have separate cache keys) and keep one executable
run(plain + ["--compiled-out", "solver"])
for cmd in (plain, boxed, art_plain, art_boxed, art_none, art_quota):
    run(cmd)
for cmd in (boxed, art_boxed):
    assert run(cmd)[1].get("sandbox_backend") == "os"

def median_ms(xs):  # robust on a noisy shared VM
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2 * 1e3

def pair(a, b):
    ta, tb, ca, cb = [], [], [], []
    for _ in range(runs):  # interleave to spread machine noise evenly
        ta.append(run(a, ca)[0])
        tb.append(run(b, cb)[0])
    pair.cpu = (median_ms(ca), median_ms(cb))
    return median_ms(ta), median_ms(tb), min(ta) * 1e3, min(tb) * 1e3

print("bench_sandbox: %d warm runs each, 64 KiB input (namespaces + Landlock + seccomp + rlimits vs none)" % runs)
for label, (a, b) in (("run-os -> sandboxed, --program", (plain, boxed)),
                      ("run-os -> sandboxed, --artifact", (art_plain, art_boxed)),
                      ("backend none -> os, --artifact", (art_none, art_boxed)),
                      ("os -> os + write quota", (art_boxed, art_quota))):
    mp, mb, np_, nb = pair(a, b)
    cp, cb = pair.cpu
    print("  %-29s median %6.2f -> %6.2f ms (%.3fx) | best %5.2f -> %5.2f ms (%.3fx) | cpu %5.2f -> %5.2f ms (%.3fx)"
          % (label + ":", mp, mb, mb / mp, np_, nb, nb / np_, cp, cb, cb / cp if cp else 0))
import shutil
bwrap = shutil.which("bwrap")
if bwrap:
    ro = [bwrap, "--ro-bind", "/", "/"]
    mp, mb, np_, nb = pair(["true"], ro + ["true"])
    print("  %-29s median %6.2f -> %6.2f ms (%.3fx) | best %5.2f -> %5.2f ms (%.3fx)"
          % ("reference: bwrap ro / true:", mp, mb, mb / mp, np_, nb, nb / np_))
    import os
    wrapped = ro + ["--bind", os.getcwd(), os.getcwd(), "--dev", "/dev", "--proc", "/proc", "--unshare-all",
                    "--die-with-parent"] + plain
    mp, mb, np_, nb = pair(plain, wrapped)
    print("  %-29s median %6.2f -> %6.2f ms (%.3fx) | best %5.2f -> %5.2f ms (%.3fx)"
          % ("reference: bwrap around run:", mp, mb, mb / mp, np_, nb, nb / np_))
else:
    print("  (bwrap not installed: no bubblewrap reference)")
print("  target: sandboxed/unsandboxed <= 1.2x for the warm --program run (cpu: user+sys of runner and program,")
print("  median; less sensitive to a loaded machine than wall time)")
EOF
