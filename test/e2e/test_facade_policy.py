"""`x07 policy init` templates and reports (facade.md §3), and derived policies through
`x07 run` (§1.8, §2): the spec's hash test vector, merge rules, every override error,
schema-invalid policies (exit 3 + x07diag). The runner is a fake (see facade_helpers)."""
import copy
import hashlib
import json
import os
import re
import unittest

import jsonschema

import x07test
from facade_helpers import FakeToolchain, make_project, read_bytes

TEMPLATES = ["cli", "http-client", "web-service", "fs-tool", "sqlite-app", "postgres-client", "worker",
             "worker-parallel"]
SIZES = {"cli": 1985, "http-client": 2054, "web-service": 2118, "fs-tool": 2040, "sqlite-app": 2541,
         "postgres-client": 2537, "worker": 1952, "worker-parallel": 2058}
SHA256 = {"cli": "110a3469bff3c4399d8d21f625cafc5b9dd9708a5f627bb5179bc2514493188e",
          "http-client": "782737b1acb40aa686a853028fc33a16cf9289399d7d05d313352a3d8543d831"}
SHA256_ENDS = {"web-service": ("23bac05b", "7f51"), "fs-tool": ("eda4bbd2", "81f1"),
               "sqlite-app": ("18d5301f", "c4ac"), "postgres-client": ("1170d499", "c706"),
               "worker": ("cf97d6d4", "e933"),
               # facade.md prints "207cc1d9…cbb3"; the 32-bit prefix matches, the suffix there is a typo
               "worker-parallel": ("207cc1d9", "bcb3")}


def policy_schema():
    return x07test.load_schema("run-os-policy.schema.json")


def init_report_validator():
    # the published enum omits worker-parallel although the tool emits it (facade.md §3.2)
    schema = copy.deepcopy(x07test.load_schema("x07-policy-init.report.schema.json"))
    schema["properties"]["template"]["enum"].append("worker-parallel")
    return jsonschema.Draft202012Validator(schema)


class FacadeCase(unittest.TestCase):
    def setUp(self):
        self.tc = FakeToolchain()
        self.proj = os.path.join(self.tc.work, "proj")
        os.makedirs(self.proj)
        make_project(self.proj)
        self.root = os.path.realpath(self.proj)

    def tearDown(self):
        self.tc.close()

    def x07(self, args, cwd=None, **kw):
        return self.tc.run(args, cwd=cwd or self.proj, **kw)


class PolicyInit(FacadeCase):
    def test_all_templates_render_exactly_and_validate(self):
        validator = init_report_validator()
        for t in TEMPLATES:
            with self.subTest(template=t):
                p, _ = self.x07(["policy", "init", "--template", t])
                self.assertEqual(p.returncode, 0, p.stderr)
                rep = json.loads(p.stdout)
                self.assertTrue(p.stdout.endswith(b"}\n") and p.stdout.count(b"\n") == 1)
                validator.validate(rep)
                self.assertEqual(list(rep), ["schema_version", "template", "project_root", "out", "status",
                                             "policy_id"])
                self.assertEqual(rep, {"schema_version": "x07.policy.init.report@0.1.0", "template": t,
                                       "project_root": self.root,
                                       "out": ".x07/policies/base/%s.sandbox.base.policy.json" % t,
                                       "status": "created", "policy_id": "sandbox.%s.base" % t})
                data = read_bytes(os.path.join(self.root, rep["out"]))
                self.assertEqual(len(data), SIZES[t])
                digest = hashlib.sha256(data).hexdigest()
                if t in SHA256:
                    self.assertEqual(digest, SHA256[t])
                else:
                    self.assertTrue(digest.startswith(SHA256_ENDS[t][0]) and digest.endswith(SHA256_ENDS[t][1]))
                jsonschema.validate(json.loads(data), policy_schema())
                p2, _ = self.x07(["policy", "init", "--template", t, "--emit", "policy"])
                self.assertEqual(p2.stdout, data)

    def test_statuses(self):
        args = ["policy", "init", "--template", "cli"]
        status = lambda p: json.loads(p.stdout)["status"]
        p, _ = self.x07(args)
        self.assertEqual(status(p), "created")
        p, _ = self.x07(args)
        self.assertEqual((p.returncode, status(p)), (0, "unchanged"))
        path = os.path.join(self.root, ".x07/policies/base/cli.sandbox.base.policy.json")
        x07test.write(path, "{}\n")
        p, _ = self.x07(args)
        self.assertEqual((p.returncode, status(p)), (2, "exists_different"))
        self.assertEqual(read_bytes(path), b"{}\n")
        p, _ = self.x07(args + ["--emit", "policy"])
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stdout), SIZES["cli"], "--emit policy prints the template even when not written")
        p, _ = self.x07(args + ["--force"])
        self.assertEqual((p.returncode, status(p)), (0, "overwritten"))
        self.assertEqual(len(read_bytes(path)), SIZES["cli"])

    def test_out_paths_and_project_root(self):
        sub = os.path.join(self.proj, "src")
        p, _ = self.x07(["policy", "init", "--template", "worker", "--out", "pol/w.json"], cwd=sub)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(x07test.error_message(p.stderr), 'refusing to create output dir "pol" (pass --mkdir-out to allow)')
        p, _ = self.x07(["policy", "init", "--template", "worker", "--out", "pol/w.json", "--mkdir-out"], cwd=sub)
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = json.loads(p.stdout)
        self.assertEqual((rep["project_root"], rep["out"]), (self.root, "pol/w.json"))
        self.assertTrue(os.path.isfile(os.path.join(self.root, "pol/w.json")), "relative --out is under the root")
        outside = os.path.join(self.tc.dir, "elsewhere.json")
        p, _ = self.x07(["--out", outside, "policy", "init", "--template", "cli"])
        self.assertEqual(json.loads(p.stdout)["out"], outside)
        p, _ = self.x07(["policy", "--out", outside, "init", "--template", "cli"])
        self.assertEqual(json.loads(p.stdout)["status"], "unchanged")
        # --project names the manifest file
        other = os.path.join(self.tc.work, "other")
        os.makedirs(other)
        p, _ = self.x07(["policy", "init", "--template", "cli", "--project", "../proj/x07.json"], cwd=other)
        # made absolute by joining with the cwd (not normalised), like upstream
        self.assertEqual(json.loads(p.stdout)["project_root"], os.path.realpath(other) + "/../proj")
        self.assertTrue(os.path.isfile(os.path.join(self.root, ".x07/policies/base/cli.sandbox.base.policy.json")))
        p, _ = self.x07(["policy", "init", "--template", "cli", "--project", "../proj"], cwd=other)
        self.assertEqual(x07test.error_message(p.stderr), "--project is not a file: %s/../proj" % os.path.realpath(other))
        # no x07.json anywhere up: the cwd is the root
        p, _ = self.x07(["policy", "init", "--template", "cli"], cwd=other)
        self.assertEqual(json.loads(p.stdout)["project_root"], os.path.realpath(other))

    def test_report_out(self):
        out = os.path.join(self.tc.dir, "r", "policy.json")
        p, _ = self.x07(["policy", "init", "--template", "worker", "--report-out", out, "--quiet-json"])
        self.assertEqual((p.returncode, p.stdout), (0, b""))
        self.assertEqual(json.loads(read_bytes(out))["status"], "created")

    def test_policy_id(self):
        p, _ = self.x07(["policy", "init", "--template", "cli", "--policy-id", "my.id_1-x", "--emit", "policy"])
        self.assertEqual(json.loads(p.stdout)["policy_id"], "my.id_1-x")
        for bad, msg in [("", "--policy-id must be 1..=64 chars"), ("a" * 65, "--policy-id must be 1..=64 chars"),
                         ("a b", "--policy-id must match ^[a-zA-Z0-9_.-]{1,64}$")]:
            p, _ = self.x07(["policy", "init", "--template", "cli", "--policy-id", bad])
            self.assertEqual((p.returncode, x07test.error_message(p.stderr), p.stdout), (2, msg, b""))

    def test_usage(self):
        p, _ = self.x07(["policy"])
        self.assertEqual((p.returncode, x07test.error_message(p.stderr)), (2, "missing policy subcommand (try --help)"))
        p, _ = self.x07(["policy", "init"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--template <TEMPLATE>", p.stderr)
        p, _ = self.x07(["policy", "init", "--template", "nope"])
        self.assertIn(b"[possible values: cli, http-client, web-service", p.stderr)
        p, _ = self.x07(["policy", "init", "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--mkdir-out", p.stdout)


class DerivedPolicies(FacadeCase):
    def setUp(self):
        super().setUp()
        for t in ("http-client", "cli", "worker"):
            self.x07(["policy", "init", "--template", t])
        self.http = ".x07/policies/base/http-client.sandbox.base.policy.json"
        self.gen = os.path.join(self.root, ".x07/policies/_generated")

    def sandboxed(self, base, *extra, cwd=None):
        return self.x07(["run", "--world", "run-os-sandboxed", "--policy", base] + list(extra), cwd=cwd)

    def test_spec_test_vector(self):
        p, rec = self.sandboxed(self.http, "--allow-host", "example.com:443")
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(self.gen, "sandbox.http-client.base.g8fef694d.policy.json")
        self.assertEqual(p.stderr.decode(), "x07 run: using derived policy %s\n" % path)
        self.assertEqual(rec["argv"][rec["argv"].index("--policy") + 1], path)
        doc = json.loads(read_bytes(path))
        jsonschema.validate(doc, policy_schema())
        self.assertEqual(doc["policy_id"], "sandbox.http-client.base.g8fef694d")
        self.assertEqual(doc["net"]["allow_hosts"], [{"host": "example.com", "ports": [443]}])
        self.assertTrue(doc["net"]["allow_dns"])
        self.assertTrue(doc["notes"].endswith("\nDerived by x07 run from `%s/%s` (g8fef694d)" % (self.root, self.http)))
        self.assertEqual(read_bytes(path), (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode())
        mtime = os.stat(path).st_mtime_ns
        p, _ = self.sandboxed(self.http, "--allow-host", "example.com:443")
        self.assertEqual(os.stat(path).st_mtime_ns, mtime, "identical bytes are not rewritten")
        self.assertIn("x07 run: using derived policy", p.stderr.decode())

        p, rec = self.sandboxed(self.http, "--allow-host", "example.com:443", "--deny-host", "example.com:*")
        path2 = os.path.join(self.gen, "sandbox.http-client.base.g2a51c46e.policy.json")
        self.assertEqual(rec["argv"][rec["argv"].index("--policy") + 1], path2)
        self.assertEqual(json.loads(read_bytes(path2))["net"]["allow_hosts"], [])

    def test_merge_sorting_files_and_deny(self):
        x07test.write(os.path.join(self.root, "cfg", "allow.txt"),
                      "# destinations\nzeta.example:443 # prod\n\n  B.example:80,8080\n")
        x07test.write(os.path.join(self.root, "cfg", "deny.txt"), "b.example:8080\n")
        sub = os.path.join(self.proj, "src")
        p, rec = self.sandboxed(self.http, "--allow-host-file", "cfg/allow.txt", "--allow-host", "[::1]:9,7",
                                "--allow-host", "a.example:1", "--deny-host-file", "cfg/deny.txt",
                                "--deny-host", "a.example:1", "--allow-read-root", "data", "--allow-write-root",
                                "out", cwd=sub)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(rec["policy_bytes"])
        self.assertEqual(doc["net"]["allow_hosts"], [{"host": "::1", "ports": [7, 9]},
                                                     {"host": "b.example", "ports": [80]},
                                                     {"host": "zeta.example", "ports": [443]}])
        self.assertEqual(doc["fs"]["read_roots"], [".", "data"])
        self.assertEqual(doc["fs"]["write_roots"], ["out"])
        jsonschema.validate(doc, policy_schema())

    def test_roots_only_and_ip_only(self):
        p, rec = self.sandboxed(".x07/policies/base/cli.sandbox.base.policy.json", "--allow-read-root", " /data ")
        doc = json.loads(rec["policy_bytes"])
        self.assertEqual(doc["fs"]["read_roots"], [".", "/data"])
        self.assertFalse(doc["net"]["allow_dns"])

    def test_override_errors(self):
        cli_base = ".x07/policies/base/cli.sandbox.base.policy.json"
        cases = [
            ((self.http, "--allow-host", "example.com"),
             "Expected HOST:PORTS (ports are 1..65535).: Expected HOST:PORTS."),
            ((self.http, "--deny-host", ":80"),
             "Expected HOST:PORTS (ports are 1..65535 or *).: Expected HOST:PORTS."),
            ((self.http, "--allow-host", "h:*"),
             "Expected HOST:PORTS (ports are 1..65535; '*' is only valid for --deny-host)."),
            ((self.http, "--allow-host", "h:0"), "ports are 1..65535"),
            ((self.http, "--allow-host", "h:70000"), "Expected HOST:PORTS (ports are 1..65535)."),
            ((self.http, "--allow-host", "a;b:1"), "host must not contain whitespace or semicolons"),
            ((self.http, "--allow-read-root", " "), "root path must be non-empty"),
            ((self.http, "--allow-host-file", "missing.txt"),
             "read: %s/missing.txt: No such file or directory (os error 2)" % self.root),
            ((cli_base, "--allow-host", "h:1"), "base policy disables networking (net.enabled=false)"),
            ((cli_base, "--deny-host-file", "whatever"), "base policy disables networking (net.enabled=false)"),
            ((".x07/policies/base/worker.sandbox.base.policy.json", "--allow-write-root", "x"),
             "base policy disables filesystem access (fs.enabled=false)"),
        ]
        for args, msg in cases:
            with self.subTest(msg=msg):
                p, rec = self.sandboxed(*args)
                self.assertEqual((p.returncode, x07test.error_message(p.stderr), p.stdout), (2, msg, b""))
                self.assertIsNone(rec)
        x07test.write(os.path.join(self.root, "bad.txt"), b"h:1\n\xff\n")
        p, _ = self.sandboxed(self.http, "--allow-host-file", "bad.txt")
        self.assertEqual(x07test.error_message(p.stderr), "host spec file must be utf-8")
        pol = json.loads(read_bytes(os.path.join(self.root, self.http)))
        pol["net"]["allow_tcp"] = False
        x07test.write(os.path.join(self.root, "notcp.json"), json.dumps(pol))
        p, _ = self.sandboxed("notcp.json", "--deny-host", "h:1")
        self.assertEqual(x07test.error_message(p.stderr), "base policy forbids TCP (net.allow_tcp=false)")

    def test_world_and_policy_requirements(self):
        p, _ = self.x07(["run", "--allow-host", "a:1"])
        self.assertEqual(x07test.error_message(p.stderr), "--allow-host/--deny-host/--allow-read-root/--allow-write-root requires "
                                            "run-os-sandboxed (policy-enforced OS world)")
        p, _ = self.x07(["run", "--deny-host-file", "f"])
        self.assertEqual(p.returncode, 2)
        p, _ = self.x07(["run", "--policy", self.http])
        self.assertEqual(x07test.error_message(p.stderr), "--policy is only valid for --world run-os-sandboxed")
        p, _ = self.x07(["run", "--world", "run-os-sandboxed"])
        self.assertEqual(x07test.error_message(p.stderr), "run-os-sandboxed requires a policy file (--policy or profile policy)")
        p, _ = self.x07(["run", "--world", "run-os-sandboxed", "--policy", "nope.json"], cwd=os.path.join(self.proj, "src"))
        self.assertEqual(x07test.error_message(p.stderr), "missing policy file: %s/nope.json" % self.root)

    def test_base_validated_without_derived_flags(self):
        """A misspelt key is never ignored: every sandboxed run checks its base policy."""
        x07test.write(os.path.join(self.root, "junk.json"), "not even json")
        p, rec = self.sandboxed("junk.json")
        self.assertEqual((p.returncode, p.stdout), (3, b""))
        self.assertIsNone(rec)
        pol = x07test.base_policy()
        pol["fs"]["enabeld"] = True
        x07test.write(os.path.join(self.root, "typo.json"), json.dumps(pol, indent=2))
        p, rec = self.sandboxed("typo.json")
        self.assertEqual(p.returncode, 3)
        self.assertIsNone(rec)
        (code, text), = x07test.error_lines(p.stderr)
        self.assertRegex(text, r"^%s:\d+:\d+: .*enabeld" % re.escape(os.path.join(self.root, "typo.json")))

    def test_schema_invalid_exits_3_with_x07diag(self):
        x07test.write(os.path.join(self.root, "junk.json"), "not json")
        p, rec = self.sandboxed("junk.json", "--allow-host", "a:1")
        self.assertEqual((p.returncode, p.stdout), (3, b""))
        self.assertIsNone(rec)
        first, rest = p.stderr.split(b"\n", 1)
        diag = json.loads(first)
        self.assertEqual([c for c, _ in x07test.error_lines(rest)], ["X07-POLICY-SCHEMA-0001"])
        self.assertEqual(list(diag), ["schema_version", "ok", "diagnostics"])
        self.assertEqual(diag["schema_version"], "x07.x07diag@0.1.0")
        self.assertFalse(diag["ok"])
        self.assertTrue(diag["diagnostics"][0]["message"].startswith("parse policy JSON: "))

        pol = json.loads(read_bytes(os.path.join(self.root, self.http)))
        pol["limits"]["cpu_ms"] = 0
        pol["extra"] = 1
        x07test.write(os.path.join(self.root, "bad.json"), json.dumps(pol))
        self.assertRaises(jsonschema.ValidationError, jsonschema.validate, pol, policy_schema())
        p, rec = self.sandboxed("bad.json", "--allow-host", "a:1")
        self.assertEqual(p.returncode, 3)
        diags = json.loads(p.stderr.split(b"\n", 1)[0])["diagnostics"]
        lines = x07test.error_lines(p.stderr)
        self.assertEqual(len(lines), 2)
        self.assertTrue(any(t.startswith(os.path.join(self.root, "bad.json") + ":1:") and "/limits/cpu_ms" in t
                            for _, t in lines), lines)
        self.assertEqual({d["code"] for d in diags}, {"X07-POLICY-SCHEMA-0001"})
        self.assertEqual({(d["severity"], d["stage"]) for d in diags}, {("error", "parse")})
        msgs = sorted(d["message"] for d in diags)
        self.assertEqual(len(msgs), 2)
        self.assertTrue(msgs[0].endswith(" (/limits/cpu_ms)"), msgs)
        self.assertTrue(msgs[1].endswith(" ()") and "extra" in msgs[1], msgs)

    def test_validator_agrees_with_jsonschema_on_mutations(self):
        """Each single mutation is rejected by python-jsonschema iff x07 exits 3."""
        base = json.loads(read_bytes(os.path.join(self.root, self.http)))
        mutations = [
            ("net", "allow_hosts", [{"host": "a b", "ports": [1]}]),
            ("net", "allow_hosts", [{"host": "ok", "ports": [1] * 65}]),
            ("fs", "read_roots", [""]),
            ("fs", "max_depth", 4294967296),
            ("fs", "max_depth", 4294967295),
            ("env", "allow_keys", ["k" * 257]),
            ("time", "max_sleep_ms", 86400001),
            ("process", "max_live", True),
            ("limits", "mem_bytes", 1048575),
            ("limits", "mem_bytes", 17179869184),
            ("threads", "max_queue", 1.0),
            (None, "policy_id", "x" * 65),
            (None, "notes", "n" * 4097),
            (None, "schema_version", "x07.run-os-policy@0.2.0"),
            ("language", "allow_ffi", None),
        ]
        for section, key, value in mutations:
            pol = copy.deepcopy(base)
            target = pol[section] if section else pol
            if value is None:
                del target[key]
            else:
                target[key] = value
            try:
                jsonschema.validate(pol, policy_schema())
                expected = 0
            except jsonschema.ValidationError:
                expected = 3
            x07test.write(os.path.join(self.root, "m.json"), json.dumps(pol))
            with self.subTest(section=section, key=key, value=str(value)[:20]):
                p, _ = self.sandboxed("m.json", "--allow-host", "a.com:1")
                self.assertEqual(p.returncode, expected, p.stderr)


if __name__ == "__main__":
    unittest.main()
