#!/usr/bin/env python3
"""Authoring aid: convert a compact s-expression notation to x07AST JSON files.

Notation (one file = one module or entry):
  (module std.foo (imports std.u32 ...)
    (defn .name ((p i32) (b bytes_view) (s bytes_view@some.brand)) bytes@brand BODY) ...)
  (entry (imports ...) (defn main.f (...) i32 BODY) ... (solve EXPR))
Generic defn: (defn .f (tparams A:num_like B) ((x (t A))) (t A) BODY).
Inside a module, atoms starting with "." expand to "<module_id>." ("." alone stays).
Integers: 12, -1, 0x7f (values >= 2^31 are emitted as negative i32); 'c' / '\\n' char literals become their byte value.
"..." strings are JSON string literals (for bytes.lit / bytes.view_lit).
Exports: every defn whose last name segment does not start with "_".

The committed artifacts are the generated *.x07.json files; this tool only writes them.
Usage: x07sx.py IN.x07s OUT.x07.json   (or: x07sx.py --fmt FILE.x07.json to reformat)
"""
import json
import re
import sys

SCHEMA = "x07.x07ast@0.8.0"


class Str(str):
    """A quoted string literal (as opposed to an atom)."""


def tokenize(text):
    toks = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == ";":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "()":
            toks.append(c)
            i += 1
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            toks.append(Str(json.loads(text[i:j + 1])))
            i = j + 1
        elif c == "'":
            j = text.index("'", i + 2)
            lit = text[i + 1:j]
            ch = json.loads('"' + lit + '"')
            if len(ch) != 1:
                raise SyntaxError("bad char literal " + lit)
            toks.append(ord(ch))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in " \t\r\n()\";":
                j += 1
            tok = text[i:j]
            if re.fullmatch(r"-?\d+", tok):
                tok = int(tok)
            elif re.fullmatch(r"0x[0-9a-fA-F]+", tok):
                v = int(tok, 16)
                tok = v - (1 << 32) if v >= (1 << 31) else v
            toks.append(tok)
            i = j
    return toks


def parse(text):
    toks = tokenize(text)
    pos = 0

    def item():
        nonlocal pos
        t = toks[pos]
        pos += 1
        if t == "(":
            out = []
            while toks[pos] != ")":
                out.append(item())
            pos += 1
            return out
        if t == ")":
            raise SyntaxError("unexpected )")
        return t

    forms = []
    while pos < len(toks):
        forms.append(item())
    return forms


def expand(x, mid):
    if isinstance(x, list):
        return [expand(e, mid) for e in x]
    if isinstance(x, str) and not isinstance(x, Str) and x.startswith(".") and len(x) > 1:
        return mid + x
    if isinstance(x, int):
        if not (-2**31 <= x < 2**32):
            raise ValueError("integer out of u32/i32 range: %d" % x)
        if x >= 2**31:
            x -= 2**32  # u32 constants are written as negative i32 in x07AST
    return x


def ty_obj(t):
    if isinstance(t, list):  # structured type ref, e.g. (t A) -> ["t","A"]
        return list(t), None
    if "@" in t:
        base, brand = t.split("@", 1)
        return base, brand
    return t, None


def build_defn(form, mid):
    tparams = None
    if len(form) == 6:
        _, name, tp, params, result, body = form
        if not (isinstance(tp, list) and tp and tp[0] == "tparams"):
            raise SyntaxError("expected (tparams ...) in defn %s" % name)
        tparams = []
        for t in tp[1:]:
            n, _, bound = t.partition(":")
            tparams.append({"name": n, "bound": bound} if bound else {"name": n})
    else:
        _, name, params, result, body = form
    name = expand(name, mid)
    ps = []
    for p in params:
        pname, pty = p
        base, brand = ty_obj(pty)
        o = {"name": pname, "ty": base}
        if brand:
            o["brand"] = brand
        ps.append(o)
    rbase, rbrand = ty_obj(result)
    d = {"kind": "defn", "name": name}
    if tparams:
        d["type_params"] = tparams
    d.update({"params": ps, "result": rbase})
    if rbrand:
        d["result_brand"] = rbrand
    d["body"] = expand(body, mid)
    return d


def build(forms):
    top = forms[0]
    kind = top[0]
    if kind == "module":
        mid = top[1]
        rest = top[2:]
    else:
        mid = "main"
        rest = top[1:]
    imports, decls, solve = [], [], None
    for f in rest:
        if f[0] == "imports":
            imports = list(f[1:])
        elif f[0] == "defn":
            decls.append(build_defn(f, mid))
        elif f[0] == "solve":
            solve = expand(f[1], mid)
        else:
            raise SyntaxError("unknown top form %r" % f[0])
    doc = {"schema_version": SCHEMA, "kind": kind, "module_id": mid, "imports": imports}
    if kind == "module":
        names = [d["name"] for d in decls if not d["name"].rsplit(".", 1)[1].startswith("_")]
        decls.insert(0, {"kind": "export", "names": names})
    doc["decls"] = decls
    if kind == "entry":
        doc["solve"] = solve
    return doc


def compact(x):
    return json.dumps(x, ensure_ascii=False, separators=(",", ":"))


def pretty_expr(x, indent, width=100):
    s = compact(x)
    if not isinstance(x, list) or len(s) + indent <= width:
        return s
    head = [compact(x[0])]
    i = 1
    while i < len(x) and not isinstance(x[i], list) and i < 4:
        head.append(compact(x[i]))
        i += 1
    pad = " " * (indent + 1)
    lines = ["[" + ",".join(head)]
    for e in x[i:]:
        lines.append(pad + pretty_expr(e, indent + 1, width))
    return (",\n").join(lines) + "]"


def dump(doc):
    out = ["{"]
    keys = [k for k in doc if k != "decls" and k != "solve"]
    for k in keys:
        out.append("  %s:%s," % (json.dumps(k), compact(doc[k])))
    out.append('  "decls":[')
    ds = []
    for d in doc["decls"]:
        if d["kind"] != "defn":
            ds.append("    " + compact(d))
            continue
        hdr = {k: v for k, v in d.items() if k != "body"}
        h = compact(hdr)[:-1]
        ds.append("    " + h + ',\n     "body":' + pretty_expr(d["body"], 12) + "}")
    out.append(",\n".join(ds))
    if "solve" in doc:
        out.append("  ],")
        out.append('  "solve":' + pretty_expr(doc["solve"], 10))
    else:
        out.append("  ]")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    if sys.argv[1] == "--fmt":
        for p in sys.argv[2:]:
            with open(p) as f:
                doc = json.load(f)
            with open(p, "w") as f:
                f.write(dump(doc))
        return
    with open(sys.argv[1]) as f:
        forms = parse(f.read())
    doc = build(forms)
    text = dump(doc)
    json.loads(text)  # round-trip sanity
    with open(sys.argv[2], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
