#!/usr/bin/env python3
"""Slow reference interpreter for core x07AST, used to sanity-check std modules and
conformance cases while developing (not part of the toolchain; not run in CI).

It checks dynamically what it can: unknown heads/identifiers, arity, value kinds of
arguments (owned vs view), use after move, import/export visibility, and the core
trap texts. It does not reproduce static typing rules (if-branch agreement,
borrow-while-moved, ...); the real compiler is the judge for those.

Usage: x07interp.py ENTRY.x07.json [--root DIR]... [--input FILE] [--hex]
"""
import json
import os
import sys

M32 = 0xFFFFFFFF


class Trap(Exception):
    pass


class CheckError(Exception):
    pass


class Bytes:
    __slots__ = ("b", "brand")
    owned = True

    def __init__(self, b, brand=None):
        self.b = bytearray(b)
        self.brand = brand


class View:
    __slots__ = ("b",)
    owned = False

    def __init__(self, b):
        self.b = bytes(b)


class Vec:
    __slots__ = ("b", "cap")
    owned = True

    def __init__(self, b=b"", cap=0):
        self.b = bytearray(b)
        self.cap = max(cap, len(b))


class Tagged:
    """option_* / result_* values: kind, tag (1 some/ok), payload (value or err code)."""
    __slots__ = ("kind", "tag", "val")

    def __init__(self, kind, tag, val):
        self.kind, self.tag, self.val = kind, tag, val

    @property
    def owned(self):
        return self.kind in ("option_bytes", "result_bytes")


class Ret(Exception):
    def __init__(self, v):
        self.v = v


def kind_of(v):
    if isinstance(v, int):
        return "i32"
    if isinstance(v, Bytes):
        return "bytes"
    if isinstance(v, View):
        return "bytes_view"
    if isinstance(v, Vec):
        return "vec_u8"
    if isinstance(v, Tagged):
        return v.kind
    return "never"


def is_owned(v):
    return getattr(v, "owned", False)


def s32(x):
    x &= M32
    return x - (1 << 32) if x & 0x80000000 else x


def to_view(v, what):
    if isinstance(v, View):
        return v.b
    if isinstance(v, (Bytes, Vec)):
        return bytes(v.b)
    raise CheckError("%s expects bytes_view, got %s" % (what, kind_of(v)))


class Var:
    __slots__ = ("v", "moved")

    def __init__(self, v):
        self.v, self.moved = v, None


class Program:
    def __init__(self, entry_path, roots):
        self.roots = roots
        self.modules = {}
        self.funcs = {}
        self.exit_code = 0
        self.maps = []
        self.fuel = 0
        self.entry = self.load_file(entry_path, "main")

    def load_file(self, path, mid):
        with open(path) as f:
            doc = json.load(f)
        if doc.get("module_id") != mid:
            raise CheckError("module_id mismatch in %s" % path)
        if mid != "main":
            ex = [d for d in doc["decls"] if d["kind"] == "export"]
            if len(ex) != 1 or not ex[0]["names"]:
                raise CheckError('module "%s" is missing an export declaration' % mid)
            exports = set(ex[0]["names"])
        else:
            exports = set()
        names = set()
        for d in doc["decls"]:
            if d["kind"] == "defn":
                if d["name"] in names:
                    raise CheckError("duplicate function name: %s" % d["name"])
                if d["name"].rsplit(".", 1)[0] != mid:
                    raise CheckError("defn %s not in module %s" % (d["name"], mid))
                names.add(d["name"])
                d["_file"] = path
                self.funcs[d["name"]] = d
            elif d["kind"] in ("export",):
                pass
            else:
                raise CheckError("unsupported decl kind %s" % d["kind"])
        for e in exports:
            if e not in names:
                raise CheckError('export "%s" is not defined in module "%s"' % (e, mid))
        self.modules[mid] = (doc, exports)
        for imp in doc["imports"]:
            if imp not in self.modules:
                self.load_module(imp)
        return doc

    def load_module(self, mid):
        rel = os.path.join(*mid.split(".")) + ".x07.json"
        found = [os.path.join(r, rel) for r in self.roots if os.path.exists(os.path.join(r, rel))]
        if not found:
            raise CheckError('unknown module: "%s"' % mid)
        self.modules[mid] = None  # cycle guard
        self.load_file(found[0], mid)

    # ---------------------------------------------------------------- evaluation
    def run(self, inp):
        self.input = View(inp)
        env = [{}]
        try:
            v = self.ev(self.entry["solve"], env, "main")
        except Ret as r:
            v = r.v
        if not isinstance(v, Bytes):
            raise CheckError("solve must evaluate to bytes, got %s" % kind_of(v))
        return bytes(v.b)

    def lookup(self, env, name):
        for sc in reversed(env):
            if name in sc:
                return sc[name]
        return None

    def take(self, e, env, mod, move):
        """Evaluate argument e; if it is an identifier holding an owned value and move is
        true, mark it moved."""
        if isinstance(e, str) and e != "input":
            var = self.lookup(env, e)
            if var is None:
                raise CheckError('unknown identifier: "%s"' % e)
            if var.moved:
                raise CheckError('use after move: "%s"' % e)
            if move and is_owned(var.v):
                var.moved = True
                v = var.v
                var.v = None
                return v
            return var.v
        return self.ev(e, env, mod)

    def ev(self, e, env, mod):
        self.fuel += 1
        if isinstance(e, int):
            return e & M32
        if isinstance(e, str):
            if e == "input":
                return self.input
            return self.take(e, env, mod, True)
        head, args = e[0], e[1:]
        h = FORMS.get(head)
        if h:
            return h(self, args, env, mod)
        h = BUILTINS.get(head)
        if h:
            return h(self, args, env, mod)
        if head in self.funcs:
            return self.call(head, args, env, mod)
        raise CheckError('unsupported head: "%s" (in %s)' % (head, mod))

    def call(self, name, args, env, mod, tyargs=None):
        d = self.funcs[name]
        tps = d.get("type_params") or []
        if tps and tyargs is None:
            raise CheckError('X07-TY-0108: generic function must be called via tapp: "%s"' % name)
        if not tps and tyargs:
            raise CheckError('tapp of non-generic function "%s"' % name)
        tyenv = {tp["name"]: t for tp, t in zip(tps, tyargs or [])}
        if len(tyenv) != len(tps) or len(tyargs or []) != len(tps):
            raise CheckError('tapp "%s" expects %d type args' % (name, len(tps)))
        owner = name.rsplit(".", 1)[0]
        if owner != mod:
            doc, exports = self.modules[mod] if mod in self.modules else (None, set())
            if owner not in doc["imports"]:
                raise CheckError('call to "%s" requires (import %s) in module "%s"' % (name, owner, mod))
            if name not in self.modules[owner][1]:
                raise CheckError('function "%s" is not exported by module "%s"' % (name, owner))
        ps = d["params"]
        if len(args) != len(ps):
            raise CheckError('call "%s" expects %d args' % (name, len(ps)))
        frame = {"%ty": Var(tyenv)}
        for i, (p, a) in enumerate(zip(ps, args)):
            ty = subst(p["ty"], tyenv)
            if ty == "bytes_view":
                v = self.take(a, env, mod, False)
                v = View(to_view(v, 'call "%s" arg %d' % (name, i)))
            else:
                v = self.take(a, env, mod, True)
                if kind_of(v) != ty and not (ty == "u32" and kind_of(v) == "i32"):
                    raise CheckError('call "%s" arg %d expects %s, got %s' % (name, i, ty, kind_of(v)))
            frame[p["name"]] = Var(v)
        try:
            v = self.ev(d["body"], [frame], owner)
        except Ret as r:
            v = r.v
        want = subst(d["result"], tyenv)
        if kind_of(v) != want and not (want == "u32" and isinstance(v, int)) and kind_of(v) != "never":
            raise CheckError('function "%s" must evaluate to %s, got %s' % (name, want, kind_of(v)))
        return v


def subst(ty, tyenv):
    """Resolve a type ref (string or ["t", A]) to a concrete type name; u32 -> i32 kind."""
    if isinstance(ty, list):
        if ty[0] in ("option", "result") and len(ty) == 2:  # ["option", T] -> option_i32 / option_bytes ...
            inner = subst(ty[1], tyenv)
            return "%s_%s" % (ty[0], "i32" if inner == "u32" else inner)
        if ty[0] != "t" or ty[1] not in tyenv:
            raise CheckError("unknown type ref %r" % (ty,))
        ty = tyenv[ty[1]]
    return ty


def resolve_ty(env, ty):
    tyenv = env[0]["%ty"].v if "%ty" in env[0] else {}
    if isinstance(ty, list):
        if ty[0] != "t" or ty[1] not in tyenv:
            raise CheckError("unknown type ref %r" % (ty,))
        return tyenv[ty[1]]
    if ty not in ("i32", "u32", "bytes", "bytes_view"):
        raise CheckError("unsupported type arg %r" % (ty,))
    return ty


def f_tapp(p, args, env, mod):
    callee = args[0]
    if callee not in p.funcs:
        raise CheckError('unsupported head: "%s"' % callee)
    if isinstance(args[1], list) and args[1] and args[1][0] == "tys":
        tys, rest = args[1][1:], args[2:]
    else:
        n = len(p.funcs[callee].get("type_params") or [])
        tys, rest = args[1:1 + n], args[1 + n:]
    return p.call(callee, rest, env, mod, [resolve_ty(env, t) for t in tys])


def _ty_int(t):
    if t not in ("i32", "u32"):
        raise CheckError("ty.* intrinsic on non-integer type %s (not supported here)" % t)
    return t


def f_ty(op):
    def run(p, args, env, mod):
        t = _ty_int(resolve_ty(env, args[0]))
        vals = [p.take(a, env, mod, op in ("write_le_at", "push_le") and i == 0) for i, a in enumerate(args[1:])]
        if op in ("size_bytes", "size"):
            return 4
        if op == "read_le_at":
            b = to_view(vals[0], "ty.read_le_at")
            if vals[1] + 4 > len(b):
                raise Trap("codec.read_u32_le oob")
            return int.from_bytes(b[vals[1]:vals[1] + 4], "little")
        if op == "write_le_at":
            b, off, x = vals
            if not isinstance(b, Bytes):
                raise CheckError("ty.write_le_at expects bytes")
            for k in range(4):
                if off + k >= len(b.b):
                    raise Trap("bytes.set_u8 oob")
                b.b[off + k] = (x >> (8 * k)) & 255
            return b
        if op == "push_le":
            v, x = vals
            if not isinstance(v, Vec):
                raise CheckError("ty.push_le expects vec_u8")
            v.b += (x & M32).to_bytes(4, "little")
            return v
        a, b = vals
        if t == "i32":
            a, b = s32(a), s32(b)
        if op == "lt":
            return int(a < b)
        if op == "eq":
            return int(a == b)
        if op == "cmp":
            return 0 if a == b else (1 if a > b else M32)
        if op == "add":
            return (a + b) & M32
        if op == "sub":
            return (a - b) & M32
        if op == "mul":
            return (a * b) & M32
        raise CheckError("unsupported ty op %s" % op)
    return run


def f_ty_hash32(p, args, env, mod):
    _ty_int(resolve_ty(env, args[0]))
    x = p.take(args[1], env, mod, False)
    x ^= x >> 16; x = (x * 0x85ebca6b) & M32; x ^= x >> 13; x = (x * 0xc2b2ae35) & M32
    return x ^ (x >> 16)


# -------------------------------------------------------------------- forms
def f_begin(p, args, env, mod):
    if not args:
        raise CheckError("(begin ...) requires at least 1 expression")
    env.append({})
    try:
        v = None
        for a in args:
            v = p.ev(a, env, mod)
        return v
    finally:
        env.pop()


def f_let(p, args, env, mod):
    name, e = args
    v = p.ev(e, env, mod)
    if name in env[-1]:
        raise CheckError('duplicate let binding in same scope: "%s"' % name)
    env[-1][name] = Var(v)
    return 0 if is_owned(v) else v


def f_set(p, args, env, mod, zero=False):
    name, e = args
    var = p.lookup(env, name)
    if var is None:
        raise CheckError('set of unknown variable: "%s"' % name)
    v = p.ev(e, env, mod)
    if var.v is not None and kind_of(var.v) != kind_of(v):
        raise CheckError('type mismatch in set for variable "%s"' % name)
    var.v, var.moved = v, None
    return 0 if zero or is_owned(v) else v


def f_if(p, args, env, mod):
    if len(args) != 3:
        raise CheckError("if form: (if <cond:i32> <then:any> <else:any>)")
    c = p.ev(args[0], env, mod)
    if not isinstance(c, int):
        raise CheckError("if condition must be i32")
    env.append({})
    try:
        return p.ev(args[1] if c else args[2], env, mod)
    finally:
        env.pop()


def f_for(p, args, env, mod):
    name, s, t, body = args
    var = p.lookup(env, name)
    sv = p.ev(s, env, mod)
    if var is None:
        var = Var(0)
        env[-1][name] = var
    var.v = sv
    ev_ = p.ev(t, env, mod)
    while (var.v & M32) < ev_:
        env.append({})
        try:
            p.ev(body, env, mod)
        finally:
            env.pop()
        var.v = (var.v + 1) & M32
    return 0


def f_while(p, args, env, mod):
    c, body = args
    while True:
        env.append({})
        try:
            cv = p.ev(c, env, mod)
        finally:
            env.pop()
        if not cv:
            return 0
        env.append({})
        try:
            p.ev(body, env, mod)
        finally:
            env.pop()


def f_return(p, args, env, mod):
    raise Ret(p.ev(args[0], env, mod))


def f_try(p, args, env, mod):
    r = p.ev(args[0], env, mod)
    if not isinstance(r, Tagged) or not r.kind.startswith("result_"):
        raise CheckError("try expects a result")
    if r.tag:
        return r.val
    raise Ret(Tagged(r.kind if r.kind != "result_bytes_view" else "result_i32", 0, r.val))


def f_andand(p, args, env, mod):
    return 1 if (p.ev(args[0], env, mod) and p.ev(args[1], env, mod)) else 0


def f_oror(p, args, env, mod):
    return 1 if (p.ev(args[0], env, mod) or p.ev(args[1], env, mod)) else 0


FORMS = {
    "begin": f_begin, "let": f_let, "set": f_set,
    "set0": lambda p, a, e, m: f_set(p, a, e, m, True),
    "if": f_if, "for": f_for, "while": f_while, "return": f_return, "try": f_try,
    "&&": f_andand, "||": f_oror, "tapp": f_tapp, "ty.hash32": f_ty_hash32,
}
for _op in ("size_bytes", "size", "read_le_at", "write_le_at", "push_le", "lt", "eq", "cmp", "add", "sub", "mul"):
    FORMS["ty." + _op] = f_ty(_op)

# -------------------------------------------------------------------- builtins
# Argument specs: i = i32, v = bytes_view (coercing), V = strict bytes_view,
# b = owned bytes (consumed), w = owned vec (consumed), W = vec peek (identifier not moved),
# I = identifier name (borrow owner), s = string literal, o/r = tagged (consumed unless peek).
BUILTINS = {}


def builtin(name, spec, peek=False):
    def deco(fn):
        def run(p, args, env, mod):
            if len(args) != len(spec):
                raise CheckError("%s expects %d args" % (name, len(spec)))
            vals = []
            for s, a in zip(spec, args):
                if s == "s":
                    if not isinstance(a, str):
                        raise CheckError("%s expects a string literal" % name)
                    vals.append(a)
                    continue
                if s == "I":
                    if not isinstance(a, str) or a == "input":
                        raise CheckError("%s requires an identifier owner" % name)
                    v = p.take(a, env, mod, False)
                else:
                    v = p.take(a, env, mod, s in "bwo" and not peek)
                if s == "i" and not isinstance(v, int):
                    raise CheckError("%s expects i32 arg, got %s" % (name, kind_of(v)))
                if s == "v":
                    v = to_view(v, name)
                if s == "V":
                    if not isinstance(v, View):
                        raise CheckError("%s expects bytes_view, got %s" % (name, kind_of(v)))
                    v = v.b
                if s == "b" and not isinstance(v, Bytes):
                    raise CheckError("%s expects bytes, got %s" % (name, kind_of(v)))
                if s in "wW" and not isinstance(v, Vec):
                    raise CheckError("%s expects vec_u8, got %s" % (name, kind_of(v)))
                vals.append(v)
            return fn(p, *vals)
        BUILTINS[name] = run
        return fn
    return deco


def binop(name, f):
    builtin(name, "ii")(lambda p, a, b: f(a, b) & M32)


binop("+", lambda a, b: a + b)
binop("-", lambda a, b: a - b)
binop("*", lambda a, b: a * b)
binop("/", lambda a, b: a // b if b else 0)
binop("%", lambda a, b: a % b if b else a)
binop("&", lambda a, b: a & b)
binop("|", lambda a, b: a | b)
binop("^", lambda a, b: a ^ b)
binop("<<u", lambda a, b: a << (b & 31))
binop(">>u", lambda a, b: a >> (b & 31))
binop("=", lambda a, b: int(a == b))
binop("!=", lambda a, b: int(a != b))
binop("<", lambda a, b: int(s32(a) < s32(b)))
binop("<=", lambda a, b: int(s32(a) <= s32(b)))
binop(">", lambda a, b: int(s32(a) > s32(b)))
binop(">=", lambda a, b: int(s32(a) >= s32(b)))
binop("<u", lambda a, b: int(a < b))
binop("<=u", lambda a, b: int(a <= b))
binop(">u", lambda a, b: int(a > b))
binop(">=u", lambda a, b: int(a >= b))


def cmp_range(a, ao, al, b, bo, bl):
    if ao + al > len(a) or bo + bl > len(b):
        raise Trap("view.cmp_range oob")
    x, y = a[ao:ao + al], b[bo:bo + bl]
    return 0 if x == y else ((-1) & M32 if x < y else 1)


def vslice(v, s, n):
    if s > len(v) or n > len(v) - s:
        raise Trap("view.slice oob")
    return v[s:s + n]


def get_u8(v, i):
    if i >= len(v):
        raise Trap("view.get_u8 oob")
    return v[i]


builtin("bytes.lit", "s")(lambda p, s: Bytes(s.encode()))
builtin("bytes.view_lit", "s")(lambda p, s: View(s.encode()))
builtin("bytes.alloc", "i")(lambda p, n: Bytes(bytes(n)))
builtin("bytes.empty", "")(lambda p: Bytes(b""))
builtin("bytes1", "i")(lambda p, x: Bytes(bytes([x & 255])))
builtin("bytes.len", "v")(lambda p, v: len(v))
builtin("bytes.get_u8", "vi")(lambda p, v, i: get_u8(v, i))


@builtin("bytes.set_u8", "bii")
def _bset(p, b, i, x):
    if i >= len(b.b):
        raise Trap("bytes.set_u8 oob")
    b.b[i] = x & 255
    return b


builtin("bytes.slice", "vii")(lambda p, v, s, n: Bytes(vslice(v, s, n)))


@builtin("bytes.copy", "bb")
def _bcopy(p, s, d):
    if len(d.b) < len(s.b):
        raise Trap("bytes.copy dst too small")
    d.b[:len(s.b)] = s.b
    return d


builtin("bytes.concat", "bb")(lambda p, a, b: Bytes(a.b + b.b))
builtin("bytes.eq", "vv")(lambda p, a, b: int(a == b))
builtin("bytes.cmp_range", "viivii")(lambda p, *a: cmp_range(*a))
builtin("bytes.view", "I")(lambda p, b: View(b.b) if isinstance(b, Bytes) else (_ for _ in ()).throw(CheckError("bytes.view expects bytes")))


@builtin("bytes.subview", "Iii")
def _subview(p, b, s, n):
    if not isinstance(b, Bytes):
        raise CheckError("bytes.subview expects bytes")
    if s > len(b.b) or n > len(b.b) - s:
        raise Trap("bytes.subview oob")
    return View(b.b[s:s + n])


builtin("view.len", "V")(lambda p, v: len(v))
builtin("view.get_u8", "Vi")(lambda p, v, i: get_u8(v, i))
builtin("view.slice", "Vii")(lambda p, v, s, n: View(vslice(v, s, n)))
builtin("view.to_bytes", "V")(lambda p, v: Bytes(v))
builtin("view.eq", "VV")(lambda p, a, b: int(a == b))
builtin("view.cmp_range", "ViiVii")(lambda p, *a: cmp_range(*a))

builtin("vec_u8.with_capacity", "i")(lambda p, n: Vec(b"", n))
builtin("vec_u8.len", "W", peek=True)(lambda p, v: len(v.b))
builtin("vec_u8.cap", "W", peek=True)(lambda p, v: v.cap)


@builtin("vec_u8.get", "Wi", peek=True)
def _vget(p, v, i):
    if i >= len(v.b):
        raise Trap("vec_u8.get oob")
    return v.b[i]


@builtin("vec_u8.set", "wii")
def _vset(p, v, i, x):
    if i >= len(v.b):
        raise Trap("vec_u8.set oob")
    v.b[i] = x & 255
    return v


def _vpush(p, v, x):
    v.b.append(x & 255)
    return v


builtin("vec_u8.push", "wi")(_vpush)
builtin("vec_u8.reserve_exact", "wi")(lambda p, v, n: v)


def _vext(p, v, b):
    v.b += b
    return v


builtin("vec_u8.extend_zeroes", "wi")(lambda p, v, n: _vext(p, v, bytes(n)))
builtin("vec_u8.extend_bytes", "wv")(_vext)


@builtin("vec_u8.extend_bytes_range", "wvii")
def _vextr(p, v, b, s, n):
    if s + n > len(b):
        raise Trap("vec_u8.extend_bytes_range oob")
    return _vext(p, v, b[s:s + n])


builtin("vec_u8.clear", "w")(lambda p, v: Vec(b"", v.cap))
builtin("vec_u8.into_bytes", "w")(lambda p, v: Bytes(v.b))
builtin("vec_u8.as_view", "I")(lambda p, v: View(v.b) if isinstance(v, Vec) else (_ for _ in ()).throw(CheckError("vec_u8.as_view expects vec_u8")))


def tagged_family(kind, payload_spec):
    owned = kind in ("option_bytes", "result_bytes")
    pconv = (lambda v: View(v)) if payload_spec == "v" else (lambda v: v)
    if kind.startswith("option"):
        builtin(kind + ".none", "")(lambda p: Tagged(kind, 0, None))
        builtin(kind + ".some", payload_spec)(lambda p, x: Tagged(kind, 1, pconv(x)))
        builtin(kind + ".is_some", "o", peek=True)(lambda p, o: chk(o, kind).tag)
    else:
        builtin(kind + ".ok", payload_spec)(lambda p, x: Tagged(kind, 1, pconv(x)))
        builtin(kind + ".err", "i")(lambda p, c: Tagged(kind, 0, c))
        builtin(kind + ".is_ok", "o", peek=True)(lambda p, o: chk(o, kind).tag)
        builtin(kind + ".err_code", "o", peek=True)(lambda p, o: 0 if chk(o, kind).tag else o.val)

    def unwrap(p, o, d):
        chk(o, kind)
        if payload_spec == "v":
            d = View(d)
        return o.val if o.tag else d
    builtin(kind + ".unwrap_or", "o" + payload_spec)(unwrap)
    del owned


def chk(o, kind):
    if not isinstance(o, Tagged) or o.kind != kind:
        raise CheckError("expected %s, got %s" % (kind, kind_of(o)))
    return o


tagged_family("option_i32", "i")
tagged_family("option_bytes", "b")
tagged_family("option_bytes_view", "V")
tagged_family("result_i32", "i")
tagged_family("result_bytes", "b")
tagged_family("result_bytes_view", "V")


@builtin("codec.read_u32_le", "vi")
def _rd(p, v, off):
    if off + 4 > len(v):
        raise Trap("codec.read_u32_le oob")
    return int.from_bytes(v[off:off + 4], "little")


builtin("codec.write_u32_le", "i")(lambda p, x: Bytes(x.to_bytes(4, "little")))
builtin("fmt.u32_to_dec", "i")(lambda p, x: Bytes(str(x).encode()))
builtin("fmt.s32_to_dec", "i")(lambda p, x: Bytes(str(s32(x)).encode()))


def _pdec(v, tag="parse.u32_dec"):
    if not v:
        raise Trap("parse.u32_dec empty")
    acc = 0
    for c in v:
        if not 48 <= c <= 57:
            raise Trap("parse.u32_dec non-digit")
        acc = acc * 10 + c - 48
        if acc > M32:
            raise Trap("parse.u32_dec overflow")
    return acc


builtin("parse.u32_dec", "V")(lambda p, v: _pdec(v))


@builtin("parse.u32_dec_at", "Vi")
def _pdecat(p, v, off):
    if off > len(v):
        raise Trap("parse.u32_dec_at oob")
    return _pdec(v[off:])


builtin("prng.lcg_next_u32", "i")(lambda p, s: (s * 1103515245 + 12345) & M32)


@builtin("process.set_exit_code_v1", "i")
def _exit(p, c):
    p.exit_code = 255 if s32(c) < 0 or s32(c) > 255 else c
    return c


class Table:
    def __init__(self, cap, is_map):
        self.cap, self.is_map, self.d = cap, is_map, {}


def _tbl(p, h, op):
    if h < 1 or h > len(p.maps):
        raise Trap("map_u32 invalid handle")
    return p.maps[h - 1]


def _key(k, op):
    if k == M32:
        raise Trap("%s key=-1 reserved" % op)
    return k


def _new(p, cap, is_map, op):
    if cap == 0 or cap & (cap - 1):
        raise Trap("%s.new cap must be power of two" % op)
    p.maps.append(Table(cap, is_map))
    return len(p.maps)


def _put(p, h, k, v, op):
    t = _tbl(p, h, op)
    _key(k, op + ".set")
    if k in t.d:
        t.d[k] = v
        return 0
    if len(t.d) >= t.cap:
        raise Trap("map_u32 full")
    t.d[k] = v
    return 1


builtin("map_u32.new", "i")(lambda p, c: _new(p, c, True, "map_u32"))
builtin("set_u32.new", "i")(lambda p, c: _new(p, c, False, "map_u32"))
builtin("map_u32.len", "i")(lambda p, h: len(_tbl(p, h, "map_u32").d))
builtin("map_u32.get", "iii")(lambda p, h, k, d: _tbl(p, h, "").d.get(_key(k, "map_u32.get"), d))
builtin("map_u32.set", "iii")(lambda p, h, k, v: _put(p, h, k, v, "map_u32"))
builtin("set_u32.add", "ii")(lambda p, h, k: _put(p, h, k, 0, "map_u32"))
for _fam in ("map_u32", "set_u32"):
    builtin(_fam + ".contains", "ii")(lambda p, h, k: int(_key(k, "map_u32.contains") in _tbl(p, h, "").d))
    builtin(_fam + ".remove", "ii")(lambda p, h, k: int(_tbl(p, h, "").d.pop(_key(k, "map_u32.remove"), None) is not None))
builtin("set_u32.dump_u32le", "i")(lambda p, h: Bytes(b"".join(k.to_bytes(4, "little") for k in _tbl(p, h, "").d)))
builtin("map_u32.dump_kv_u32le_u32le", "i")(lambda p, h: Bytes(b"".join(
    k.to_bytes(4, "little") + v.to_bytes(4, "little") for k, v in _tbl(p, h, "").d.items())))


def _brand_view(p, args, env, mod):
    a = args[0]
    v = p.take(a, env, mod, False)
    if not isinstance(v, Bytes):
        raise CheckError("std.brand.view_v1 expects bytes")
    return View(v.b)


BUILTINS["std.brand.view_v1"] = _brand_view


def _brand_cast_bytes(p, args, env, mod):
    if len(args) != 3:
        raise CheckError("std.brand.cast_bytes_v1 expects 3 args")
    _brand, validator, a = args
    if validator not in p.funcs:
        raise CheckError('unknown validator "%s"' % validator)
    b = p.take(a, env, mod, True)
    if not isinstance(b, Bytes):
        raise CheckError("std.brand.cast_bytes_v1 expects bytes")
    d = p.funcs[validator]
    frame = {d["params"][0]["name"]: Var(View(b.b)), "%ty": Var({})}
    try:
        r = p.ev(d["body"], [frame], validator.rsplit(".", 1)[0])
    except Ret as ret:
        r = ret.v
    if not isinstance(r, Tagged) or r.kind != "result_i32":
        raise CheckError("validator must return result_i32")
    return Tagged("result_bytes", 1, b) if r.tag else Tagged("result_bytes", 0, r.val)


BUILTINS["std.brand.cast_bytes_v1"] = _brand_cast_bytes
builtin("std.brand.erase_bytes_v1", "b")(lambda p, b: b)
builtin("std.brand.erase_view_v1", "V")(lambda p, v: View(v))


def main():
    args = sys.argv[1:]
    roots, inp, hexout, entry = [], b"", False, None
    here = os.path.dirname(os.path.abspath(__file__))
    std_root = os.path.join(here, "..", "..", "x07-os-runner", "stdlib", "std")
    i = 0
    while i < len(args):
        if args[i] == "--root":
            roots.append(args[i + 1])
            i += 2
        elif args[i] == "--input":
            with open(args[i + 1], "rb") as f:
                inp = f.read()
            i += 2
        elif args[i] == "--hex":
            hexout = True
            i += 1
        else:
            entry = args[i]
            i += 1
    roots = [std_root] + roots
    try:
        p = Program(entry, roots)
        out = p.run(inp)
    except Trap as t:
        print("TRAP: %s" % t)
        sys.exit(3)
    except CheckError as c:
        print("ERROR: %s" % c)
        sys.exit(4)
    if hexout:
        print(out.hex())
    else:
        sys.stdout.buffer.write(out)


if __name__ == "__main__":
    main()
