# Randomized (fixed-seed) mixes: many inputs through one program, expected output from
# the Python references above.
import random as _random, heapq as _heapq, collections as _collections

_rng = _random.Random(7)
_alph = [b'/', b'.', b'..', b'a', b'b.c', b' ', b'\t', b'-', b'+', b'7', b'42', b'=', b'Zm', b'==', b'\r',
         b'\xc3\xa9', b'\xe2\x82', b'\xff', b'A', b'9999999999', b'0']
_lines = [b''.join(_rng.choice(_alph) for _ in range(_rng.randrange(0, 7))) for _ in range(120)]

def _b64d(s):
    A = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    if len(s) % 4: return doc_err(1)
    out = b''
    for k in range(0, len(s), 4):
        g = s[k:k + 4]; last = k + 4 == len(s)
        pad = 2 if g[2:] == b'==' else (1 if g[3:] == b'=' else 0)
        if g[2:3] == b'=' and g[3:4] != b'=': return doc_err(3)
        if pad and not last: return doc_err(3)
        if any(c not in A for c in g[:4 - pad]): return doc_err(2)
        v = base64.b64decode(g)
        if base64.b64encode(v) != g: return doc_err(3)
        out += v
    return b'\x01' + out

def _hexd(p):
    if len(p) % 2: return doc_err(1)
    if not all(c in b'0123456789abcdefABCDEF' for c in p): return doc_err(2)
    return b'\x01' + bytes.fromhex(p.decode())

def _mix_ref(p):
    ps = p.decode('latin-1')
    o = [p_norm(ps).encode('latin-1'), str(p_safe(ps)).encode(), p_parent(ps).encode('latin-1'),
         p_base(ps).encode('latin-1'), p_ext(ps).encode('latin-1')]
    for signed in (False, True):
        r = py_parse(ps, signed)
        o.append(str(s32(r[1])).encode() if r[0] == 'ok' else b'E' + str(r[1]).encode())
    o += [py_status_at(p, 0, True), str(u8count(p)).encode(), _b64d(p), base64.b64encode(p), _hexd(p),
          norm_lines(p), tok_words(p)]
    return b''.join(x + b'\x1f' for x in o) + b'\x1e'

_mixdefs = '''
 (defn main.emit ((out vec_u8) (b bytes_view)) vec_u8 (vec_u8.push (vec_u8.extend_bytes out b) 31))
 (defn main.res ((out vec_u8) (r result_i32)) vec_u8
   (main.emit out (if (result_i32.is_ok r)
                      (fmt.s32_to_dec (result_i32.unwrap_or r 0))
                      (bytes.concat (bytes.lit "E") (fmt.s32_to_dec (result_i32.err_code r))))))
'''
case('std_mixed_text_codecs', ['std.path', 'std.text.ascii', 'std.text.slices', 'std.parse', 'std.text.utf8', 'std.codec'], [
    '(let sl (std.text.ascii.split_u8 input 10))',
    '''(for i 0 (std.text.slices.count_v1 sl)
     (begin
       (let p (std.text.slices.view_at_v1 input sl i))
       (set out (main.emit out (std.path.normalize_posix p)))
       (set out (main.emit out (fmt.s32_to_dec (std.path.is_safe_relative p))))
       (set out (main.emit out (std.path.parent p)))
       (set out (main.emit out (std.path.basename p)))
       (set out (main.emit out (std.path.extname p)))
       (set out (main.res out (std.parse.u32_dec p)))
       (set out (main.res out (std.parse.i32_dec p)))
       (set out (main.emit out (std.parse.i32_status_le_at p 0)))
       (set out (main.emit out (fmt.s32_to_dec (std.text.utf8.count_codepoints_or_neg1 p))))
       (set out (main.emit out (std.codec.base64_decode_v1 p)))
       (set out (main.emit out (std.codec.base64_encode_v1 p)))
       (set out (main.emit out (std.codec.hex_decode_v1 p)))
       (set out (main.emit out (std.text.ascii.normalize_lines p)))
       (set out (main.emit out (std.text.ascii.tokenize_words_lower p)))
       (set out (vec_u8.push out 30))))''',
], b''.join(_mix_ref(p) for p in _lines), inp=b'\n'.join(_lines), defs=_mixdefs)

_ops = []
for _ in range(400):
    _ops.append((_rng.choice([0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 8]),
                 _rng.choice([_rng.randrange(0, 100), _rng.randrange(0, 1 << 32)])))
def _cont_ref(ops):
    q = _collections.deque(); h = []; hi = []; m = {}; st = set(); hm = {}
    out = b''
    for op, x in ops:
        if op == 0: q.append(x)
        if op == 1 and q: q.popleft()
        if op == 2: _heapq.heappush(h, x)
        if op == 3 and h: _heapq.heappop(h)
        if op == 4: _heapq.heappush(hi, s32(x))
        if op == 5 and hi: _heapq.heappop(hi)
        if op == 6: m[x & 63] = x
        if op == 7: st.add(x & 0xff0000ff)
        if op == 8: hm[x & 255] = x
        out += (u32(q[0] if q else 7) + u32(len(q)) + u32(h[0] if h else 7) + u32(hi[0] if hi else 7)
                + u32(m.get(x & 63, 7)) + u32(int((x & 0xff0000ff) in st)))
    out += b''.join(u32(v) for v in q) + b''.join(u32(v) for v in sorted(h)) + b''.join(u32(v) for v in sorted(hi))
    out += b''.join(u32(k) + u32(v) for k, v in sorted(m.items())) + b''.join(u32(k) for k in sorted(st))
    return out + b''.join(u32(k) + u32(v) for k, v in sorted(hm.items()))
case('std_mixed_containers', ['std.deque_u32', 'std.heap_u32', 'std.btree_map', 'std.btree_set', 'std.heap', 'std.hash_map', 'std.u32'], [
    '(let q (std.deque_u32.with_capacity 0))', '(let h (std.heap_u32.with_capacity 0))',
    '(let hi (tapp std.heap.with_capacity (tys i32) 0))', '(let m (std.btree_map.empty_u32_u32))',
    '(let s (std.btree_set.empty_u32))', '(let hm (std.hash_map.with_capacity_u32 512))',
    '''(for i 0 (/ (view.len input) 5)
     (begin
       (let op (view.get_u8 input (* i 5)))
       (let x (codec.read_u32_le input (+ (* i 5) 1)))
       (if (= op 0) (set q (std.deque_u32.push_back q x)) 0)
       (if (= op 1) (set q (std.deque_u32.pop_front q)) 0)
       (if (= op 2) (set h (std.heap_u32.push h x)) 0)
       (if (= op 3) (set h (std.heap_u32.pop_min h)) 0)
       (if (= op 4) (set hi (tapp std.heap.push (tys i32) hi x)) 0)
       (if (= op 5) (set hi (tapp std.heap.pop_min (tys i32) hi)) 0)
       (if (= op 6) (set m (std.btree_map.put_u32_u32 m (& x 63) x)) 0)
       (if (= op 7) (set s (std.btree_set.insert_u32 s (& x 0xff0000ff))) 0)
       (if (= op 8) (std.hash_map.set_u32 hm (& x 255) x) 0)
       (set out (std.u32.push_le out (std.deque_u32.front_or q 7)))
       (set out (std.u32.push_le out (std.deque_u32.len q)))
       (set out (std.u32.push_le out (std.heap_u32.min_or h 7)))
       (set out (std.u32.push_le out (tapp std.heap.min_or (tys i32) hi 7)))
       (set out (std.u32.push_le out (std.btree_map.get_u32_u32_or m (& x 63) 7)))
       (set out (std.u32.push_le out (std.btree_set.contains_u32 s (& x 0xff0000ff))))))''',
    '(set out (vec_u8.extend_bytes out (std.deque_u32.emit_u32le q)))',
    '(set out (vec_u8.extend_bytes out (std.heap_u32.emit_u32le h)))',
    '(set out (vec_u8.extend_bytes out (tapp std.heap.emit_le (tys i32) hi)))',
    '(set out (vec_u8.extend_bytes out (std.btree_map.emit_kv_u32le_u32le m)))',
    '(set out (vec_u8.extend_bytes out (std.btree_set.emit_u32le s)))',
    '(set out (vec_u8.extend_bytes out (std.hash_map.emit_kv_u32le_u32le hm)))',
], _cont_ref(_ops), inp=b''.join(bytes([o]) + u32(x) for o, x in _ops))
