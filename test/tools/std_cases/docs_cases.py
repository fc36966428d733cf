# Our own programs for language-core.md §7.1 rows 01-11.
raw_case('docs_01_echo', '(entry (imports) (solve (view.to_bytes input)))', b'echo me\x00\xff\n', inp=b'echo me\x00\xff\n')
raw_case('docs_02_length', '(entry (imports) (solve (codec.write_u32_le (view.len input))))', u32(300), inp=b'z' * 300)
raw_case('docs_03_reverse', '(entry (imports std.bytes) (solve (std.bytes.reverse input)))', b'\n!dlrow ,olleh', inp=b'hello, world!\n')
SUM_IN = bytes((i * 37) & 255 for i in range(1000))
raw_case('docs_04_sum_bytes', '''(entry (imports)
 (solve (begin
   (let total 0)
   (for i 0 (view.len input) (set total (+ total (view.get_u8 input i))))
   (codec.write_u32_le total))))''', u32(sum(SUM_IN)), inp=SUM_IN)
MAX5 = '''(entry (imports)
 (solve (begin
   (let n (view.len input))
   (if (= n 0)
       (bytes.alloc 0)
       (begin
         (let best 0)
         (for i 0 n (if (>u (view.get_u8 input i) best) (set best (view.get_u8 input i)) 0))
         (bytes1 best))))))'''
raw_case('docs_05_max_byte', MAX5, bytes([0xf3]), inp=b'abc\xf3\x10z')
raw_case('docs_05_max_byte_empty', MAX5, b'', inp=b'')
CF = '''(entry (imports)
 (solve (begin
   (let n (view.len input))
   (let hits 0)
   (if (<u 0 n)
       (begin
         (let first (view.get_u8 input 0))
         (for i 1 n (if (= (view.get_u8 input i) first) (set hits (+ hits 1)) 0)))
       0)
   (codec.write_u32_le hits))))'''
raw_case('docs_06_count_first', CF, u32(3), inp=b'abracadabr')
raw_case('docs_06_count_first_empty', CF, u32(0), inp=b'')
FL = '''(entry (imports)
 (solve (begin
   (let n (view.len input))
   (let at n)
   (let found 0)
   (for i 0 n
     (if (&& (= found 0) (= (view.get_u8 input i) 10))
         (begin (set at i) (set found 1))
         0))
   (codec.write_u32_le at))))'''
raw_case('docs_07_first_line_len', FL, u32(11), inp=b'first line!\nsecond\n')
raw_case('docs_07_first_line_len_no_newline', FL, u32(6), inp=b'single')
PAL = '''(entry (imports)
 (defn main.is_palindrome ((b bytes_view)) i32
   (begin
     (let n (view.len b))
     (let ok 1)
     (for i 0 (/ n 2)
       (if (!= (view.get_u8 b i) (view.get_u8 b (- (- n 1) i))) (set ok 0) 0))
     ok))
 (solve (if (= (main.is_palindrome input) 1) (bytes.alloc 1) (bytes.alloc 0))))'''
raw_case('docs_08_is_palindrome', PAL, b'\x00', inp=b'racecar')
raw_case('docs_08_is_palindrome_no', PAL, b'', inp=b'racecars')
WC_IN = b'  the quick\tbrown\r\nfox  jumps\n\nover   '
raw_case('docs_09_word_count', '''(entry (imports)
 (defn main.is_sep ((c i32)) i32 (|| (|| (= c 32) (= c 10)) (|| (= c 13) (= c 9))))
 (solve (begin
   (let words 0)
   (let in_word 0)
   (for i 0 (view.len input)
     (if (main.is_sep (view.get_u8 input i))
         (set in_word 0)
         (begin
           (if (= in_word 0) (set words (+ words 1)) 0)
           (set in_word 1))))
   (codec.write_u32_le words))))''', u32(len(WC_IN.split())), inp=WC_IN)
def rle(b):
    out = b''
    i = 0
    while i < len(b):
        j = i
        while j < len(b) and b[j] == b[i] and j - i < 255: j += 1
        out += bytes([j - i, b[i]]); i = j
    return out
RLE_IN = b'aaab' + b'c' * 300 + b'dd' + b'\x00'
RLE = '''(entry (imports std.vec)
 (solve (begin
   (let n (view.len input))
   (if (= n 0) (return (bytes.alloc 0)) 0)
   (let out (std.vec.with_capacity (* n 2)))
   (let cur (view.get_u8 input 0))
   (let run 1)
   (for i 1 n
     (begin
       (let c (view.get_u8 input i))
       (if (&& (= c cur) (<u run 255))
           (set run (+ run 1))
           (begin
             (set out (std.vec.push out run))
             (set out (std.vec.push out cur))
             (set cur c)
             (set run 1)))))
   (set out (std.vec.push out run))
   (set out (std.vec.push out cur))
   (std.vec.as_bytes out))))'''
raw_case('docs_10_rle_encode', RLE, rle(RLE_IN), inp=RLE_IN)
raw_case('docs_10_rle_encode_empty', RLE, b'', inp=b'')

def analyze(b):
    n = len(b) // 4
    if n == 0: return b'ERROR:empty_input'
    vals = [struct.unpack('<I', b[i*4:i*4+4])[0] for i in range(n)]
    tot = sum(vals) & 0xffffffff
    freq = {}
    for v in vals: freq[v] = freq.get(v, 0) + 1
    s = '===_DATA_ANALYSIS_REPORT_===\n'
    s += 'Count: %d\nSum: %d\nMin: %d\nMax: %d\nMean: %d\nUnique_values: %d\n' % (n, tot, min(vals), max(vals), tot // n, len(freq))
    s += '---_Frequency_Table_---\n'
    for k in sorted(freq): s += '__%d_x_%d_|%s|\n' % (k, freq[k], '#' * freq[k])
    s += '===_END_REPORT_===\n'
    return s.encode()
DA = '''(entry (imports std.btree_map std.btree_set std.bytes std.codec std.fmt std.vec)
 (defn main.text ((out vec_u8) (t bytes)) vec_u8 (std.vec.extend_bytes out t))
 (defn main.field ((out vec_u8) (label bytes) (x i32)) vec_u8
   (begin
     (set out (main.text out label))
     (set out (std.vec.extend_bytes out (bytes.view_lit ": ")))
     (set out (std.vec.extend_bytes out (std.fmt.u32_to_dec x)))
     (std.vec.push out 10)))
 (defn main.bar ((out vec_u8) (n i32)) vec_u8
   (begin
     (for k 0 n (set out (std.vec.push out '#')))
     out))
 (defn main.freq_table ((out vec_u8) (pairs bytes)) vec_u8
   (begin
     (for j 0 (/ (bytes.len pairs) 8)
       (begin
         (let v (std.codec.read_u32_le pairs (* j 8)))
         (let c (std.codec.read_u32_le pairs (+ (* j 8) 4)))
         (set out (std.vec.extend_bytes out (bytes.view_lit "__")))
         (set out (std.vec.extend_bytes out (std.fmt.u32_to_dec v)))
         (set out (std.vec.extend_bytes out (bytes.view_lit "_x_")))
         (set out (std.vec.extend_bytes out (std.fmt.u32_to_dec c)))
         (set out (std.vec.extend_bytes out (bytes.view_lit "_|")))
         (set out (main.bar out c))
         (set out (std.vec.extend_bytes out (bytes.view_lit "|\\n")))))
     out))
 (solve (begin
   (let count (/ (view.len input) 4))
   (if (= count 0) (return (bytes.lit "ERROR:empty_input")) 0)
   (let sum 0)
   (let lo -1)
   (let hi 0)
   (let seen (std.btree_set.empty_u32))
   (let freq (std.btree_map.empty_u32_u32))
   (for i 0 count
     (begin
       (let v (std.codec.read_u32_le input (* i 4)))
       (set sum (+ sum v))
       (if (<u v lo) (set lo v) 0)
       (if (>u v hi) (set hi v) 0)
       (set seen (std.btree_set.insert_u32 seen v))
       (let prev (std.btree_map.get_u32_u32_or freq v 0))
       (set freq (std.btree_map.put_u32_u32 freq v (+ prev 1)))))
   (let out (std.vec.with_capacity 512))
   (set out (main.text out (bytes.lit "===_DATA_ANALYSIS_REPORT_===\\n")))
   (set out (main.field out (bytes.lit "Count") count))
   (set out (main.field out (bytes.lit "Sum") sum))
   (set out (main.field out (bytes.lit "Min") lo))
   (set out (main.field out (bytes.lit "Max") hi))
   (set out (main.field out (bytes.lit "Mean") (/ sum count)))
   (set out (main.field out (bytes.lit "Unique_values") (std.btree_set.len_u32 seen)))
   (set out (main.text out (bytes.lit "---_Frequency_Table_---\\n")))
   (set out (main.freq_table out (std.btree_map.emit_kv_u32le_u32le freq)))
   (set out (main.text out (bytes.lit "===_END_REPORT_===\\n")))
   (std.vec.as_bytes out))))'''
DA_IN = b''.join(u32(v) for v in [5, 3, 5, 10, 3, 5, 4000000000, 0]) + b'\x07\x07'
raw_case('docs_11_data_analyzer', DA, analyze(DA_IN), inp=DA_IN)
raw_case('docs_11_data_analyzer_empty', DA, b'ERROR:empty_input', inp=b'\x01\x02\x03')
raw_case('docs_16_generics_identity', '''(entry (imports)
 (defn main.same (tparams T) ((x (t T))) (t T) x)
 (solve (codec.write_u32_le (tapp main.same (tys u32) 7))))''', u32(7))
raw_case('docs_17_generics_containers', '''(entry (imports std.btree_map std.deque std.heap)
 (solve (begin
   (let h (tapp std.heap.with_capacity (tys u32) 8))
   (set h (tapp std.heap.push (tys u32) h 3))
   (set h (tapp std.heap.push (tys u32) h 1))
   (let q (tapp std.deque.with_capacity (tys u32) 4))
   (set q (tapp std.deque.push_back (tys u32) q (tapp std.heap.min_or (tys u32) (bytes.view h) 0)))
   (set q (tapp std.deque.push_back (tys u32) q 9))
   (let items (tapp std.deque.emit_le (tys u32) (bytes.view q)))
   (let m (tapp std.btree_map.put (tys u32 u32) (std.btree_map.empty) 1 (codec.read_u32_le items 0)))
   (bytes.concat (tapp std.btree_map.emit_kv_le (tys u32 u32) m) items))))''', u32(1) + u32(1) + u32(1) + u32(9))
