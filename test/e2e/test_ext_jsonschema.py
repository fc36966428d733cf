"""jsonschema.* builtins (upstream's ext-jsonschema-rs backend, our parser and validator): compiled and
validation documents byte for byte, dialect selection by $schema, error codes, the errors JSON (entries,
order, messages) for the keywords, bad handles and bad JSON, handle reuse for the same schema text, and
the same program sandboxed with an all-off policy."""
import json
import struct
import unittest

import os_e2e as oe
import x07test as t


def le(*xs):
    return b"".join(struct.pack("<I", x) for x in xs)


def fnv(b):
    h = 0x811C9DC5
    for c in b:
        h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
    return h


def lit(s):
    return ["bytes.lit", s]


def compile_(schema):
    return ["jsonschema.compile_v1", ["bytes.view", "s"]], schema


def validate_case(schema, instance):
    """(expression, schema): compiles `schema` and validates `instance` (both JSON text)."""
    return ["begin", ["let", "s", lit(schema)], ["let", "c", ["jsonschema.compile_v1", ["bytes.view", "s"]]],
            ["let", "i", lit(instance)], ["jsonschema.validate_v1", ["bytes.view", "c"], ["bytes.view", "i"]]]


def compile_case(schema):
    return ["begin", ["let", "s", lit(schema)], ["jsonschema.compile_v1", ["bytes.view", "s"]]]


def verr(code, errors):
    payload = json.dumps(errors, separators=(",", ":"), ensure_ascii=False).encode()
    return b"\x00X7JV\x01" + le(code, len(payload)) + payload


def e(ptr, kw, msg):
    return {"jsonPointer": ptr, "keyword": kw, "message": msg}


def cerr(code, msg):
    return b"\x00X7JS\x01" + le(code, len(msg)) + msg.encode()


VOK = b"\x01X7JV\x01"
OBJ = '{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false}'
PAIR = ('{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}},"required":["a","b"],'
        '"additionalProperties":false}')
ARR = '{"$defs":{"p":{"type":"integer","minimum":3}},"type":"array","items":{"$ref":"#/$defs/p"},"minItems":2}'
UNEVAL = '{"type":"object","properties":{"a":{"type":"string"}},"unevaluatedProperties":false}'
D7 = '{"$schema":"http://json-schema.org/draft-07/schema#",' + UNEVAL[1:]

CASES = [
    (validate_case(OBJ, '{"a":1}'), VOK),
    (validate_case(OBJ, '{"a":1.0}'), VOK),  # an integer-valued number is an integer (draft 6+)
    (validate_case(OBJ, '{"a":"x"}'), verr(1, [e("/a", "type", '"x" is not of type "integer"')])),
    (validate_case(OBJ, '{}'), verr(1, [e("", "required", '"a" is a required property')])),
    (validate_case(OBJ, '{"a":1,"b":2,"c":3}'),
     verr(1, [e("", "additionalProperties", "Additional properties are not allowed ('b', 'c' were unexpected)")])),
    (validate_case(PAIR, '{"a":1,"b":"x"}'),
     verr(1, [e("/a", "type", '1 is not of type "string"'), e("/b", "type", '"x" is not of type "number"')])),
    (validate_case(ARR, '[3,4]'), VOK),
    (validate_case(ARR, '[1]'), verr(1, [e("", "minItems", "[1] has less than 2 items"),
                                         e("/0", "minimum", "1 is less than the minimum of 3")])),
    (validate_case(UNEVAL, '{"a":"x","b":1}'),
     verr(1, [e("", "unevaluatedProperties", "Unevaluated properties are not allowed ('b' was unexpected)")])),
    (validate_case(D7, '{"a":"x","b":1}'), VOK),  # unevaluatedProperties is not a draft-07 keyword
    (validate_case('{"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}', '{"a":1}'), VOK),
    (validate_case('{"anyOf":[{"type":"string"},{"type":"null"}]}', '1'),
     verr(1, [e("", "anyOf", "1 is not valid under any of the schemas listed in the 'anyOf' keyword")])),
    (validate_case('{"oneOf":[{"minimum":1},{"maximum":10}]}', '5'),
     verr(1, [e("", "oneOf", "5 is valid under more than one of the schemas listed in the 'oneOf' keyword")])),
    (validate_case('{"not":{"const":5}}', '5'), verr(1, [e("", "not", '{"const":5} is not allowed for 5')])),
    (validate_case('{"enum":[1,"a",null]}', '2'), verr(1, [e("", "enum", '2 is not one of [1,"a",null]')])),
    (validate_case('{"pattern":"^a+$","maxLength":3}', '"aaab"'),
     verr(1, [e("", "maxLength", '"aaab" is longer than 3 characters'),
              e("", "pattern", '"aaab" does not match "^a+$"')])),
    (validate_case('{"minLength":2}', '"\u00e9"'), verr(1, [e("", "minLength", '"\u00e9" is shorter than 2 characters')])),
    (validate_case('{"exclusiveMaximum":3,"multipleOf":2}', '3'),
     verr(1, [e("", "exclusiveMaximum", "3 is greater than or equal to the maximum of 3"),
              e("", "multipleOf", "3 is not a multiple of 2")])),
    (validate_case('{"if":{"type":"string"},"then":{"minLength":2},"else":{"type":"number"}}', 'null'),
     verr(1, [e("", "type", 'null is not of type "number"')])),
    (validate_case('{"uniqueItems":true}', '[{"a":1},{"a":1.0}]'),
     verr(1, [e("", "uniqueItems", '[{"a":1},{"a":1.0}] has non-unique elements')])),
    (validate_case('false', '1'), verr(1, [e("", "", "False schema does not allow 1")])),
    (validate_case('{"$schema":"http://json-schema.org/draft-04/schema#","type":"integer"}', '1.0'),
     verr(1, [e("", "type", '1.0 is not of type "integer"')])),
    (validate_case(OBJ, '{"a":'), verr(3, [e("", "json", "invalid instance_json: EOF while parsing a value "
                                                         "at line 1 column 6")])),
    (compile_case('{"$schema":"http://example.invalid/unsupported"}'),
     cerr(2, "unsupported $schema dialect: http://example.invalid/unsupported")),
    (compile_case('{"$schema":7}'), cerr(3, "schema $schema must be a string")),
    (compile_case('{"$ref":"#/$defs/missing"}'), cerr(3, "unresolvable $ref: #/$defs/missing")),
    (compile_case('{"type":'), cerr(1, "invalid schema_json: EOF while parsing a value at line 1 column 9")),
]

HANDLES = ["begin",
           ["let", "s1", lit(OBJ)], ["let", "s2", lit('{"$schema":"https://json-schema.org/draft/2019-09/schema"}')],
           ["let", "c1", ["jsonschema.compile_v1", ["bytes.view", "s1"]]],
           ["let", "c2", ["jsonschema.compile_v1", ["bytes.view", "s2"]]],
           ["let", "c3", ["jsonschema.compile_v1", ["bytes.view", "s1"]]],  # same text: same handle
           ["let", "bad", lit("X7JS-not-a-handle")],
           ["let", "i", lit("{}")],
           ["bytes.concat", "c1", ["bytes.concat", "c2", ["bytes.concat", "c3",
                                   ["jsonschema.validate_v1", ["bytes.view", "bad"], ["bytes.view", "i"]]]]]]


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class ExtJsonSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()
        d = cls.tmp.path
        cls.cases = oe.write_entry(d, "cases", oe.entry(oe.frame_all([c for c, _ in CASES]), []))
        cls.handles = oe.write_entry(d, "handles", oe.entry(HANDLES, []))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_documents_in_both_worlds(self):
        for policy in (None, t.base_policy()):
            with self.subTest(sandboxed=policy is not None):
                o = oe.run_program(self.cases, self.tmp.path, "run-os" if policy is None else "run-os-sandboxed",
                                   policy)
                self.assertIsNone(o.compile_error)
                self.assertIsNone(o.trap)
                got = oe.unframe(o.output)
                self.assertEqual(len(got), len(CASES))
                for (expr, want), g in zip(CASES, got):
                    self.assertEqual(g, want, json.dumps(expr)[:200])

    def test_handles(self):
        o = oe.run_program(self.handles, self.tmp.path, "run-os")
        self.assertIsNone(o.compile_error)
        out = o.output
        self.assertEqual(out[:15], b"\x01X7JS\x01" + le(1) + b"\x01" + le(fnv(OBJ.encode())))
        self.assertEqual(out[15:30][:10], b"\x01X7JS\x01" + le(2))
        self.assertEqual(out[15 + 10], 2)  # dialect 2019-09
        self.assertEqual(out[30:45], out[:15])
        self.assertEqual(out[45:], verr(2, [e("", "internal", "compiled handle magic mismatch")]))


if __name__ == "__main__":
    unittest.main()
