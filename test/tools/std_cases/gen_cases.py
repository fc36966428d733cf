#!/usr/bin/env python3
"""Regenerates the std_* and docs_* conformance cases (test/conformance/cases) from the
s-expression programs in std_cases.py / docs_cases.py. Expected outputs are computed
here by independent Python code, never by running x07 code. Each case is also run
through the dev interpreter (../x07interp.py) as a cross-check.
Usage: gen_cases.py [case-name...]"""
import json, os, subprocess, sys, struct, base64, shutil
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(HERE, '..'))
import x07sx
ROOT = os.path.join(REPO, 'test', 'conformance', 'cases')
PRE = open(os.path.join(os.path.dirname(__file__), 'prelude.x07s')).read()
CASES = []

def L(x): return '(set out (main.ln out %s))' % x
def N(x): return '(set out (main.num out %s))' % x
def H(x): return '(set out (main.hex out %s))' % x
def u32(x): return struct.pack('<I', x & 0xffffffff)
def s32(x):
    x &= 0xffffffff
    return x - (1 << 32) if x >= 1 << 31 else x
def lines(*xs):
    out = b''
    for x in xs:
        if isinstance(x, int): x = str(s32(x)).encode()
        elif isinstance(x, str): x = x.encode()
        out += x + b'\n'
    return out
def hx(b): return b.hex()

def case(name, imports, stmts, expect, inp=b'', defs=''):
    CASES.append((name, imports, stmts, expect, inp, defs))

def raw_case(name, text, expect, inp=b''):
    CASES.append((name, None, text, expect, inp, ''))

def build_src(imports, stmts, defs):
    body = '\n   '.join(stmts)
    return ('(entry (imports %s)\n%s\n%s\n (solve (begin (let out (vec_u8.with_capacity 256))\n   %s\n   (vec_u8.into_bytes out))))\n'
            % (' '.join(imports + ['std.fmt'] if 'std.fmt' not in imports else imports), PRE, defs, body))

exec(open(os.path.join(os.path.dirname(__file__), 'std_cases.py')).read())
exec(open(os.path.join(os.path.dirname(__file__), 'docs_cases.py')).read())
exec(open(os.path.join(os.path.dirname(__file__), 'mixed_cases.py')).read())

import jsonschema
_schema = json.load(open(os.environ.get('X07_SCHEMAS_DIR', os.path.join(REPO, '..', 'shared', 'schemas')) + '/x07ast.schema.json'))
SCHEMA_V = jsonschema.validators.validator_for(_schema)(_schema)

def fix_view_lits(x):
    """The x07AST schema only allows free text after bytes.lit; a bytes.view_lit whose
    text is empty or has whitespace becomes bytes.lit (callers coerce bytes to views)."""
    if isinstance(x, dict):
        for v in x.values(): fix_view_lits(v)
    elif isinstance(x, list):
        if len(x) == 2 and x[0] == 'bytes.view_lit' and isinstance(x[1], str) and (x[1] == '' or any(c.isspace() for c in x[1])):
            x[0] = 'bytes.lit'
        for v in x: fix_view_lits(v)

def main():
    only = sys.argv[1:]
    fails = 0
    for name, imports, stmts, expect, inp, defs in CASES:
        if only and name not in only: continue
        d = os.path.join(ROOT, name)
        if os.path.isdir(d): shutil.rmtree(d)
        os.makedirs(d)
        src = stmts if imports is None else build_src(imports, stmts, defs)
        sp = os.path.join(d, 'main.x07s')
        open(sp, 'w').write(src)
        doc = x07sx.build(x07sx.parse(src))
        doc = json.loads(json.dumps(doc), object_hook=None)
        fix_view_lits(doc)
        errs = list(SCHEMA_V.iter_errors(doc))
        if errs:
            print('SCHEMA', name, errs[0].message[:200])
        open(os.path.join(d, 'main.x07.json'), 'w').write(x07sx.dump(doc))
        os.remove(sp)
        if inp:
            open(os.path.join(d, 'input'), 'wb').write(inp)
        if isinstance(expect, bytes):
            try:
                e = {'output_text': expect.decode('utf-8')}
                if '\r' in e['output_text'] or any(ord(c) < 32 and c not in '\n\t' for c in e['output_text']):
                    raise ValueError
            except (UnicodeDecodeError, ValueError):
                e = {'output_hex': expect.hex()}
        else:
            e = expect
        open(os.path.join(d, 'expect.json'), 'w').write(json.dumps(e, indent=1, ensure_ascii=False) + '\n')
        # check with the dev interpreter
        args = ['python3', os.path.join(HERE, '..', 'x07interp.py'), os.path.join(d, 'main.x07.json'), '--hex']
        if inp: args += ['--input', os.path.join(d, 'input')]
        r = subprocess.run(args, capture_output=True, text=True)
        got = r.stdout.strip()
        if isinstance(expect, bytes):
            ok = r.returncode == 0 and got == expect.hex()
        elif 'trap' in expect:
            ok = got.startswith('TRAP: ' + expect['trap'].split(' ptr=')[0])
        else:
            ok = True  # compile errors: checked by the real compiler only
        if not ok:
            fails += 1
            print('FAIL', name)
            if got.startswith(('TRAP', 'ERROR')): print('  ', got)
            else:
                try: print('  got:', bytes.fromhex(got)); print('  exp:', expect)
                except ValueError: print('  got:', got)
        else:
            print('ok  ', name)
    print('fails:', fails)

main()
