// Compiler API: successful compiles, error kinds and messages (file, pointer,
// hint), module resolution, and robustness against malformed input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <random>
#include <string>
#include <unistd.h>

#include "compiler/compiler.hpp"

namespace fs = std::filesystem;

namespace {

struct TempTree {
  fs::path root;
  TempTree() {
    static int n = 0;
    root = fs::temp_directory_path() / ("x07c_unit_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::create_directories(root);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  fs::path write(const std::string& rel, const std::string& text) const {
    fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

std::string entry(const std::string& solve, const std::string& decls = "[]", const std::string& imports = "[]") {
  return R"({"schema_version":"x07.x07ast@0.8.0","kind":"entry","module_id":"main","imports":)" + imports +
         R"(,"decls":)" + decls + R"(,"solve":)" + solve + "}";
}

x07c::CompileResult compile_text(const std::string& text, x07c::CompileOptions opts = {}) {
  TempTree t;
  return x07c::compile_entry_file(t.write("main.x07.json", text), opts);
}

}  // namespace

TEST_CASE("compiler: a minimal program compiles to C with the runtime ABI", "[compiler]") {
  auto r = compile_text(entry(R"(["view.to_bytes","input"])"));
  REQUIRE(r.ok);
  CHECK(r.error_kind.empty());
  CHECK(r.c_source.find("#include \"x07rt.h\"") != std::string::npos);
  CHECK(r.c_source.find("x07_bytes x07_program_solve(x07_view input)") != std::string::npos);
  CHECK(r.c_source.find("const uint64_t x07_cfg_fuel_init = X07_FUEL_INIT;") != std::string::npos);
  CHECK(r.c_source.find("const uint32_t x07_cfg_mem_cap = X07_MEM_CAP;") != std::string::npos);
  CHECK(r.c_source.find("#define X07_FUEL_INIT 50000000ULL") != std::string::npos);
  CHECK(r.c_source.find("#define X07_MEM_CAP 67108864u") != std::string::npos);
  CHECK(r.fuel_used > 0);
}

TEST_CASE("compiler: errors carry kind, message, file and JSON pointer", "[compiler]") {
  SECTION("unknown head suggests the nearest name") {
    auto r = compile_text(entry(R"(["bytes1",["view.get_u9","input",0]])"));
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_kind == "Unsupported");
    CHECK(r.error_message.find("unsupported head: \"view.get_u9\" (did you mean \"view.get_u8\"?)") == 0);
    CHECK(r.error_message.find("main.x07.json ptr=/solve/1]") != std::string::npos);
    CHECK(r.compile_error().rfind("Unsupported: unsupported head", 0) == 0);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].ptr == "/solve/1");
    CHECK(r.c_source.empty());
  }
  SECTION("typing errors") {
    auto r = compile_text(entry(R"(["begin",["let","b",["bytes.lit","x"]],["let","c","b"],"b"])"));
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_kind == "Typing");
    CHECK(r.error_message.find("use after move: \"b\" moved_ptr=/solve/2/2") == 0);
  }
  SECTION("solve must be bytes") {
    auto r = compile_text(entry("1"));
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_message.find("solve expression must evaluate to bytes (or return), got I32") == 0);
  }
  SECTION("arity") {
    auto r = compile_text(entry(R"(["view.len"])"));
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_message.find("view.len expects 1 args") == 0);
  }
  SECTION("function argument type") {
    auto r = compile_text(entry(R"(["main.f",1])",
                                R"([{"kind":"defn","name":"main.f","params":[{"name":"b","ty":"bytes_view"}],"result":"bytes","body":["view.to_bytes","b"]}])"));
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_message.find("call \"main.f\" arg 0 expects BytesView") == 0);
  }
  SECTION("budget: oversized entry") {
    std::string big(70000, ' ');
    auto r = compile_text(entry(R"(["view.to_bytes","input"])") + big);
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_kind == "Budget");
    CHECK(r.error_message.find("program too large: max_source_bytes=65536 got ") == 0);
  }
  SECTION("missing entry file") {
    auto r = x07c::compile_entry_file("/nonexistent/dir/main.x07.json", {});
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_kind == "Parse");
    CHECK(r.error_message.find("cannot read entry file") == 0);
  }
  SECTION("unsafe and ffi gated by options") {
    std::string ext = R"([{"kind":"extern","abi":"C","name":"main.f","link_name":"abs","params":[{"name":"x","ty":"i32"}],"result":"i32"}])";
    x07c::CompileOptions o;
    o.world = "run-os-sandboxed";
    o.allow_unsafe = false;
    o.allow_ffi = false;
    auto r = compile_text(entry(R"(["codec.write_u32_le",["unsafe",["main.f",1]]])", ext), o);
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_kind == "Unsupported");
    o.allow_unsafe = true;
    r = compile_text(entry(R"(["codec.write_u32_le",["unsafe",["main.f",1]]])", ext), o);
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_message.find("extern decl \"main.f\" requires ffi capability; ffi is disabled (allow_ffi=false)") == 0);
    o.allow_ffi = true;
    r = compile_text(entry(R"(["codec.write_u32_le",["unsafe",["main.f",1]]])", ext), o);
    CHECK(r.ok);
  }
}

TEST_CASE("compiler: module resolution order and searched paths", "[compiler]") {
  TempTree t;
  t.write("roots/a/app/m.x07.json",
          R"({"schema_version":"x07.x07ast@0.3.0","kind":"module","module_id":"app.m","imports":[],
              "decls":[{"kind":"export","names":["app.m.f"]},
                       {"kind":"defn","name":"app.m.f","params":[],"result":"bytes","body":["bytes.lit","A"]}]})");
  t.write("roots/os/app/os.x07.json",
          R"({"schema_version":"x07.x07ast@0.3.0","kind":"module","module_id":"app.os","imports":[],
              "decls":[{"kind":"export","names":["app.os.f"]},
                       {"kind":"defn","name":"app.os.f","params":[],"result":"bytes","body":["bytes.lit","O"]}]})");
  x07c::CompileOptions o;
  o.module_roots = {t.root / "roots/a", t.root / "roots/b"};
  o.os_stdlib_root = t.root / "roots/os";
  auto ok = x07c::compile_entry_file(
      t.write("main.x07.json", entry(R"(["bytes.concat",["app.m.f"],["app.os.f"]])", "[]", R"(["app.m","app.os"])")), o);
  CHECK(ok.ok);
  auto missing = x07c::compile_entry_file(
      t.write("main2.x07.json", entry(R"(["view.to_bytes","input"])", "[]", R"(["app.zz"])")), o);
  REQUIRE_FALSE(missing.ok);
  CHECK(missing.error_message.find("unknown module: \"app.zz\" (searched: ") == 0);
  CHECK(missing.error_message.find((t.root / "roots/a/app/zz.x07.json").string()) != std::string::npos);
  CHECK(missing.error_message.find((t.root / "roots/b/app/zz.x07.json").string()) != std::string::npos);
  CHECK(missing.error_message.find((t.root / "roots/os/app/zz.x07.json").string()) != std::string::npos);
  // The same id in two roots is ambiguous.
  t.write("roots/b/app/m.x07.json", "{}");
  auto amb = x07c::compile_entry_file(t.root / "main.x07.json", o);
  REQUIRE_FALSE(amb.ok);
  CHECK(amb.error_message.find("module \"app.m\" is ambiguous across roots") == 0);
}

TEST_CASE("compiler: a package root's module wins over the OS root's copy", "[compiler]") {
  TempTree t;
  auto module = [](const std::string& id, const std::string& lit) {
    return R"({"schema_version":"x07.x07ast@0.3.0","kind":"module","module_id":")" + id +
           R"(","imports":[],"decls":[{"kind":"export","names":[")" + id + R"(.f"]},{"kind":"defn","name":")" + id +
           R"(.f","params":[],"result":"bytes","body":["bytes.lit",")" + lit + R"("]}]})";
  };
  t.write("pkg/std/os/fs.x07.json", module("std.os.fs", "PKG"));
  t.write("os/std/os/fs.x07.json", module("std.os.fs", "OS"));
  t.write("os/std/os/env.x07.json", module("std.os.env", "OSENV"));
  x07c::CompileOptions o;
  o.world = "run-os";
  o.module_roots = {t.root / "pkg"};
  o.os_stdlib_root = t.root / "os";
  auto r = x07c::compile_entry_file(
      t.write("main.x07.json", entry(R"(["bytes.concat",["std.os.fs.f"],["std.os.env.f"]])", "[]",
                                     R"(["std.os.fs","std.os.env"])")),
      o);
  INFO(r.compile_error());
  REQUIRE(r.ok);
  CHECK(r.c_source.find("PKG") != std::string::npos);
  CHECK(r.c_source.find("\"OS\"") == std::string::npos);
  CHECK(r.c_source.find("OSENV") != std::string::npos);  // the OS root still provides the rest
  // Passing the OS root again as a user root changes nothing (it is not counted twice).
  o.module_roots.push_back(t.root / "os");
  CHECK(x07c::compile_entry_file(t.root / "main.x07.json", o).ok);
  // Two package roots holding the same module stay ambiguous, as upstream says.
  t.write("pkg2/std/os/fs.x07.json", module("std.os.fs", "PKG2"));
  o.module_roots = {t.root / "pkg", t.root / "pkg2"};
  auto amb = x07c::compile_entry_file(t.root / "main.x07.json", o);
  REQUIRE_FALSE(amb.ok);
  CHECK(amb.error_message.find("module \"std.os.fs\" is ambiguous across roots") == 0);
}

TEST_CASE("compiler: malformed input never crashes", "[compiler][fuzz]") {
  const std::string valid = entry(
      R"(["begin",["let","v",["vec_u8.with_capacity",4]],["for","i",0,["view.len","input"],["set","v",["vec_u8.push","v",["view.get_u8","input","i"]]]],["if",["<u",1,2],["main.f","input"],["vec_u8.into_bytes","v"]]])",
      R"([{"kind":"defn","name":"main.f","params":[{"name":"b","ty":"bytes_view"}],"result":"bytes","body":["view.to_bytes","b"]}])");
  REQUIRE(compile_text(valid).ok);
  std::mt19937 rng(12345);
  const std::string alphabet = "[]{}\",:0123456789-abcdefghijklmnopqrstuvwxyz._ \\";
  int failures = 0;
  for (int iter = 0; iter < 300; iter++) {
    std::string s = valid;
    int edits = 1 + (int)(rng() % 4);
    for (int e = 0; e < edits; e++) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0: s.erase(pos, 1 + rng() % 8); break;
        case 1: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
        default: s[pos] = alphabet[rng() % alphabet.size()]; break;
      }
      if (s.empty()) s.push_back('x');
    }
    x07c::CompileResult r;
    REQUIRE_NOTHROW(r = compile_text(s));
    if (!r.ok) {
      failures++;
      CHECK_FALSE(r.error_kind.empty());
      CHECK_FALSE(r.error_message.empty());
      CHECK(r.c_source.empty());
    }
  }
  CHECK(failures > 100);
  SECTION("structural garbage") {
    for (const char* g : {"", "null", "[]", "{}", "\"x\"", "{\"schema_version\":1}", "[[[[[[",
                          R"({"schema_version":"x07.x07ast@0.8.0","kind":"entry","module_id":"main","imports":{},"decls":[],"solve":1})",
                          R"({"schema_version":"x07.x07ast@0.8.0","kind":"entry","module_id":"main","imports":[],"decls":[7],"solve":1})",
                          R"({"schema_version":"x07.x07ast@0.8.0","kind":"entry","module_id":"main","imports":[],"decls":[],"solve":[true]})",
                          R"({"schema_version":"x07.x07ast@0.8.0","kind":"entry","module_id":"main","imports":[],"decls":[],"solve":[[]]})"}) {
      auto r = compile_text(g);
      CHECK_FALSE(r.ok);
      CHECK_FALSE(r.error_message.empty());
    }
  }
  SECTION("deep nesting is a budget error, not a stack overflow") {
    std::string deep = std::string(200000, '[') + std::string(200000, ']');
    auto r = compile_text(entry(deep).substr(0, 60000));
    CHECK_FALSE(r.ok);
    TempTree t;
    t.write("m/app/deep.x07.json", "{\"a\":" + std::string(300000, '[') + std::string(300000, ']') + "}");
    x07c::CompileOptions o;
    o.module_roots = {t.root / "m"};
    auto r2 = x07c::compile_entry_file(t.write("main.x07.json", entry(R"(["view.to_bytes","input"])", "[]", R"(["app.deep"])")), o);
    REQUIRE_FALSE(r2.ok);
    INFO(r2.error_message);
    CHECK(r2.error_message.find("JSON nesting too deep") == 0);
  }
}

TEST_CASE("compiler: every std module (embedded and OS root) checks and emits in full", "[compiler][std]") {
  // Repository root from this file's path: <repo>/test/unit/test_compiler.cpp.
  fs::path repo = fs::path(__FILE__).parent_path().parent_path().parent_path();
  fs::path os_root = repo / "x07-os-runner/stdlib/os/0.2.0/modules";
  std::vector<std::string> ids;
  for (fs::path base : {repo / "x07-os-runner/stdlib/std", os_root}) {
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      std::string rel = fs::relative(e.path(), base).string();
      const std::string ext = ".x07.json";
      if (rel.size() <= ext.size() || rel.compare(rel.size() - ext.size(), ext.size(), ext) != 0) continue;
      rel.resize(rel.size() - ext.size());
      std::replace(rel.begin(), rel.end(), '/', '.');
      if (rel == "std.kv" || rel == "std.rr") continue;  // fixture-world adapters: checked below in solve-full
      ids.push_back(std::string(1, '"').append(rel).append(1, '"'));
    }
  }
  REQUIRE(ids.size() > 20);
  std::string imports = "[";
  for (size_t i = 0; i < ids.size(); i++) imports += (i ? "," : "") + ids[i];
  imports += "]";
  x07c::CompileOptions o;
  o.os_stdlib_root = os_root;
  o.keep_unreachable = true;
  auto r = compile_text(entry(R"(["view.to_bytes","input"])", "[]", imports), o);
  INFO(r.compile_error());
  REQUIRE(r.ok);
  CHECK(r.c_source.size() > 100000);
}

TEST_CASE("compiler: the fixture worlds' std modules check and emit in full in solve-full", "[compiler][std]") {
  x07c::CompileOptions o;
  o.world = "solve-full";
  o.keep_unreachable = true;
  auto r = compile_text(entry(R"(["view.to_bytes","input"])", "[]", R"(["std.fs","std.world.fs","std.kv","std.rr"])"), o);
  INFO(r.compile_error());
  REQUIRE(r.ok);
  for (const char* fn : {"x07_fs_read", "x07_fs_list_dir", "x07_kv_get_stream", "x07_rr_next_v1", "x07_rr_entry_err_v1"})
    CHECK(r.c_source.find(fn) != std::string::npos);
  o.world = "solve-kv";  // std.fs is there, its fs.* adapters are not
  auto r2 = compile_text(entry(R"(["std.fs.read",["bytes.view_lit","a"]])", "[]", R"(["std.fs"])"), o);
  INFO(r2.compile_error());
  CHECK_FALSE(r2.ok);
  CHECK(r2.error_message.find("is disabled in this world (solve-kv); it is an adapter of solve-fs") !=
        std::string::npos);
}

namespace {
// Random x07AST expressions over the real heads (forms, builtins, a user function)
// with random arities and leaves: the compiler must answer, never crash.
std::string random_expr(std::mt19937& rng, int depth, const std::vector<std::string>& heads) {
  static const char* leaves[] = {"0", "1", "-1", "7", "2147483647", "\"input\"", "\"x\"", "\"b\"", "\"v\"", "\"i\"",
                                 "\"main.f\"", "\"i32\"", "\"u32\"", "\"bytes\""};
  if (depth <= 0 || rng() % 4 == 0) return leaves[rng() % (sizeof leaves / sizeof *leaves)];
  std::string s = "[\"" + heads[rng() % heads.size()] + "\"";
  int n = (int)(rng() % 5);
  for (int i = 0; i < n; i++) s += "," + random_expr(rng, depth - 1, heads);
  return s + "]";
}
}  // namespace

TEST_CASE("compiler: random well-formed ASTs never crash the compiler", "[compiler][fuzz]") {
  std::vector<std::string> heads = {"begin", "let", "set", "set0", "if", "for", "while", "return", "try", "unsafe",
                                    "&&", "||", "match", "tapp", "tys", "+", "<u", ">=u", "=", "main.f", "main.g",
                                    "ty.eq", "ty.size_bytes", "$contract_fail", "ty.$push_le", "addr_of", "ptr.cast"};
  for (const char* b : {"bytes.lit", "bytes.view", "bytes.subview", "bytes.concat", "bytes.set_u8", "view.get_u8",
                        "view.slice", "vec_u8.push", "vec_u8.as_view", "vec_u8.len", "option_bytes.unwrap_or",
                        "result_bytes.err_code", "result_i32.ok", "codec.read_u32_le", "std.brand.cast_bytes_v1",
                        "std.brand.view_v1", "bytes.alloc", "vec_u8.with_capacity", "view.to_bytes"})
    heads.push_back(b);
  const std::string decls =
      R"([{"kind":"defn","name":"main.f","params":[{"name":"b","ty":"bytes_view"}],"result":"result_i32","body":["result_i32.ok",1]},
          {"kind":"defn","name":"main.g","type_params":[{"name":"A"}],"params":[{"name":"x","ty":["t","A"]}],"result":["t","A"],"body":"x"}])";
  std::mt19937 rng(777);
  int ok = 0;
  const int iters = getenv("X07_FUZZ_ITERS") ? atoi(getenv("X07_FUZZ_ITERS")) : 400;
  for (int iter = 0; iter < iters; iter++) {
    std::string solve = "[\"begin\",[\"let\",\"x\",[\"bytes.lit\",\"q\"]],[\"let\",\"v\",[\"vec_u8.with_capacity\",1]]," +
                        random_expr(rng, 4, heads) + "," + random_expr(rng, 3, heads) + "]";
    x07c::CompileResult r;
    INFO(solve);
    REQUIRE_NOTHROW(r = compile_text(entry(solve, decls)));
    CHECK((r.ok || !r.error_kind.empty()));
    CHECK(r.error_kind != "Internal");
    if (r.ok) ok++;
  }
  CHECK(ok < iters);
}

TEST_CASE("compiler: brands are checked at branded parameters (spec §2.4, §4.8, §4.10)", "[compiler][brand]") {
  // As upstream's compiler: an unbranded value is accepted by a branded parameter; a value that carries
  // (or may carry) another brand is not.
  const std::string taglen =
      R"({"kind":"defn","name":"main.taglen","params":[{"name":"t","ty":"bytes_view","brand":"main.tok"}],"result":"i32","body":["view.len","t"]})";
  auto with_taglen = [&](const std::string& solve, const std::string& more = "") {
    return compile_text(entry(solve, "[" + taglen + more + "]"));
  };
  SECTION("unbranded argument is accepted") {
    auto r = with_taglen(R"(["begin",["let","b",["bytes.lit","x"]],["codec.write_u32_le",["main.taglen","b"]]])");
    INFO(r.compile_error());
    CHECK(r.ok);
  }
  SECTION("argument of another brand: kind, message, hint, file and pointer") {
    auto r = with_taglen(R"(["begin",["let","b",["std.brand.assume_bytes_v1","main.other",["bytes.lit","x"]]],["codec.write_u32_le",["main.taglen","b"]]])");
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_kind == "Typing");
    CHECK(r.error_message.find("E_BRAND_MISMATCH: call \"main.taglen\" arg 0 expected BytesView@main.tok, got "
                               "BytesView@main.other (pass a value branded main.tok") == 0);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].ptr == "/solve/2/1/1");
    CHECK(r.diagnostics[0].file.find("main.x07.json") != std::string::npos);
  }
  SECTION("a branded value passes to a branded and to an unbranded parameter") {
    auto r = with_taglen(
        R"(["begin",["let","b",["std.brand.assume_bytes_v1","main.tok",["bytes.lit","x"]]],
            ["let","n",["+",["main.taglen","b"],["main.plain","b"]]],["codec.write_u32_le","n"]])",
        R"(,{"kind":"defn","name":"main.plain","params":[{"name":"v","ty":"bytes_view"}],"result":"i32","body":["view.len","v"]})");
    INFO(r.compile_error());
    CHECK(r.ok);
  }
  SECTION("a while loop that may re-set the variable to another brand leaves it with both") {
    auto r = with_taglen(
        R"(["begin",["let","b",["std.brand.assume_bytes_v1","main.tok",["bytes.lit","x"]]],
            ["while",["view.len","input"],["begin",["set","b",["std.brand.assume_bytes_v1","main.other",["bytes.lit","y"]]],["return",["bytes.alloc",0]]]],
            ["codec.write_u32_le",["main.taglen","b"]]])");
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_message.find("E_BRAND_MISMATCH: call \"main.taglen\" arg 0") == 0);
  }
  SECTION("match arms join brands; enum values carry the enum name as brand") {
    const std::string decls =
        R"([{"kind":"defenum","name":"main.E","variants":[{"name":"A"},{"name":"B"}]},
            {"kind":"defn","name":"main.tag","params":[{"name":"e","ty":"bytes","brand":"main.E"}],"result":"i32",
             "body":["match","e",["main.E.A",1],["main.E.B",2]]},
            {"kind":"defn","name":"main.pick","params":[{"name":"e","ty":"bytes","brand":"main.E"}],"result":"i32",
             "body":["main.tag",["match","e",["main.E.A",["main.E.B"]],["main.E.B",%s]]]}])";
    auto prog = [&](const char* arm) {
      std::string d = decls;
      d.replace(d.find("%s"), 2, arm);
      std::string text = entry(R"(["codec.write_u32_le",["main.pick",["main.E.A"]]])", d);
      text.replace(text.find("0.8.0"), 5, "0.9.0");
      return compile_text(text);
    };
    auto ok = prog(R"(["main.E.A"])");
    INFO(ok.compile_error());
    CHECK(ok.ok);
    auto bad = prog(R"(["std.brand.assume_bytes_v1","main.F",["bytes.alloc",8]])");
    REQUIRE_FALSE(bad.ok);
    CHECK(bad.error_message.find("E_BRAND_MISMATCH: call \"main.tag\" arg 0 expected Bytes@main.E, got Bytes@main.E|main.F") == 0);
  }
  SECTION("std.str: validated text and raw bytes pass, bytes of another brand do not") {
    auto good = compile_text(entry(
        R"(["begin",["let","s",["std.brand.assume_bytes_v1","std.str.utf8_v1",["bytes.lit","h"]]],["std.str.as_bytes","s"]])",
        "[]", R"(["std.str"])"));
    INFO(good.compile_error());
    CHECK(good.ok);
    auto raw = compile_text(entry(R"(["codec.write_u32_le",["std.str.len",["bytes.lit","h"]]])", "[]", R"(["std.str"])"));
    INFO(raw.compile_error());
    CHECK(raw.ok);
    auto bad = compile_text(entry(
        R"(["begin",["let","s",["std.brand.assume_bytes_v1","main.tok",["bytes.lit","h"]]],["codec.write_u32_le",["std.str.len","s"]]])",
        "[]", R"(["std.str"])"));
    REQUIRE_FALSE(bad.ok);
    CHECK(bad.error_message.find("E_BRAND_MISMATCH: call \"std.str.len\" arg 0 expected BytesView@std.str.utf8_v1, got "
                                 "BytesView@main.tok") == 0);
  }
  SECTION("brand on a non-bytes-like type") {
    auto r = compile_text(entry(R"(["bytes.alloc",0])",
                                R"([{"kind":"defn","name":"main.f","params":[],"result":"result_i32","result_brand":"main.tok","body":["result_i32.ok",0]}])"));
    REQUIRE_FALSE(r.ok);
    CHECK(r.error_kind == "Typing");
    CHECK(r.error_message.find("E_BRAND_BAD_TY: result of \"main.f\" has brand \"main.tok\" but type result_i32") == 0);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].ptr == "/decls/0/result_brand");
  }
}

TEST_CASE("compiler: a deeply nested program reports errors at exact pointers", "[compiler][json_ptr]") {
  // 200 nested ifs (past serde's 127 JSON levels), the innermost uses an unknown name
  std::string e = "[\"bytes.lit\",\"x\"]", inner = "\"nope\"";
  std::string ptr = "/solve";
  for (int i = 0; i < 200; i++) ptr += "/2/1";
  std::string body = inner;
  for (int i = 0; i < 200; i++) body = "[\"if\",1,[\"begin\"," + body + "]," + e + "]";
  auto r = compile_text(entry(body));
  REQUIRE_FALSE(r.ok);
  INFO(r.error_message);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].ptr == ptr);
}
