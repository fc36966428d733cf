// Type helpers and the builtin signature tables: the core builtins of the
// language spec §4 and the OS builtins of os_builtins.inc.
#include "common/text.hpp"
#include <algorithm>
#include <cstring>

#include "ast.hpp"

namespace x07c {

namespace {
struct TyInfo {
  const char* token;
  Ty ty;
  const char* debug;
  const char* c;
};
const TyInfo kTys[] = {
    {"i32", Ty::I32, "I32", "uint32_t"},
    {"u32", Ty::I32, "I32", "uint32_t"},
    {"bytes", Ty::Bytes, "Bytes", "x07_bytes"},
    {"bytes_view", Ty::View, "BytesView", "x07_view"},
    {"vec_u8", Ty::Vec, "VecU8", "x07_vec"},
    {"option_i32", Ty::OptI32, "OptionI32", "x07_opt_i32"},
    {"option_bytes", Ty::OptBytes, "OptionBytes", "x07_opt_bytes"},
    {"option_bytes_view", Ty::OptView, "OptionBytesView", "x07_opt_view"},
    {"result_i32", Ty::ResI32, "ResultI32", "x07_res_i32"},
    {"result_bytes", Ty::ResBytes, "ResultBytes", "x07_res_bytes"},
    {"result_bytes_view", Ty::ResView, "ResultBytesView", "x07_res_view"},
    {"f64", Ty::F64, "F64", "double"},
    {"iface", Ty::Iface, "Iface", "x07_iface"},
    {"ptr_const_u8", Ty::PtrConstU8, "PtrConstU8", "const uint8_t*"},
    {"ptr_mut_u8", Ty::PtrMutU8, "PtrMutU8", "uint8_t*"},
    {"ptr_const_void", Ty::PtrConstVoid, "PtrConstVoid", "const void*"},
    {"ptr_mut_void", Ty::PtrMutVoid, "PtrMutVoid", "void*"},
    {"ptr_const_i32", Ty::PtrConstI32, "PtrConstI32", "const uint32_t*"},
    {"ptr_mut_i32", Ty::PtrMutI32, "PtrMutI32", "uint32_t*"},
    {"never", Ty::Never, "Never", "void"},
    {"void", Ty::Void, "Void", "void"},
};
const TyInfo& info(Ty t) {
  for (const auto& i : kTys)
    if (i.ty == t && std::strcmp(i.token, "u32") != 0) return i;
  return kTys[0];
}
}  // namespace

bool is_owned(Ty t) { return t == Ty::Bytes || t == Ty::Vec || t == Ty::OptBytes || t == Ty::ResBytes; }
bool is_ptr(Ty t) { return t >= Ty::PtrConstU8 && t <= Ty::PtrMutI32; }
bool is_view_like(Ty t) { return t == Ty::View || t == Ty::OptView || t == Ty::ResView; }
const char* ty_debug_name(Ty t) { return info(t).debug; }
const char* ty_token(Ty t) { return info(t).token; }
const char* ty_c(Ty t) { return info(t).c; }

bool parse_ty_token(const std::string& s, Ty* out, bool* is_u32) {
  for (const auto& i : kTys) {
    if (s == i.token && i.ty != Ty::Never && i.ty != Ty::Void) {
      *out = i.ty;
      if (is_u32) *is_u32 = s == "u32";
      return true;
    }
  }
  return false;
}

std::string applied_type_token(const std::string& wrap, const std::string& base) {
  if (wrap.empty()) return base;
  std::string b = base == "u32" ? "i32" : base;
  return wrap + "_" + b;
}

std::string unknown_type_message(const std::string& tok) {
  return "unknown type: \"" + tok +
         "\" (expected i32, u32, bytes, bytes_view, vec_u8, option_i32, option_bytes, option_bytes_view, "
         "result_i32, result_bytes, result_bytes_view, f64, iface, ptr_*)";
}

namespace {

struct Row {
  const char* name;
  const char* c_fn;
  const char* result;
  std::vector<const char*> params;
  unsigned flags = 0;
};

// Param spelling: type token, optionally suffixed with
//   '*' coerce bytes/vec_u8 to a view, '&' peek (identifier is not moved),
//   '!' identifier owner borrowed by the result, '"' string literal,
//   '#' brand id symbol, '%' validator function name, '?' any raw pointer,
//   '@' pointer type token, '$' name of a local variable,
//   '^' default taken from an identifier without moving it at compile time (the
//       variable is emptied at run time only when the default is used).
const std::vector<Row>& core_rows() {
  static const std::vector<Row> rows = {
      {"bytes.lit", "x07_bytes_from", "bytes", {"bytes\""}, BF_TEXT},
      {"bytes.view_lit", "x07_view_of", "bytes_view", {"bytes\""}, BF_TEXT},
      {"bytes.alloc", "x07_bytes_alloc", "bytes", {"i32"}},
      {"bytes.empty", "x07_bytes_empty", "bytes", {}},
      {"bytes1", "x07_bytes1", "bytes", {"i32"}},
      {"bytes.len", "x07_view_len", "i32", {"bytes_view*"}},
      {"bytes.get_u8", "x07_view_get_u8", "i32", {"bytes_view*", "i32"}, BF_PTR},
      {"bytes.set_u8", "x07_bytes_set_u8", "bytes", {"bytes", "i32", "i32"}, BF_PTR | BF_MUT},
      {"bytes.slice", "x07_bytes_slice", "bytes", {"bytes_view*", "i32", "i32"}, BF_PTR},
      {"bytes.copy", "x07_bytes_copy", "bytes", {"bytes", "bytes"}},
      {"bytes.concat", "x07_bytes_concat", "bytes", {"bytes", "bytes"}},
      {"bytes.eq", "x07_view_eq", "i32", {"bytes_view*", "bytes_view*"}},
      {"bytes.cmp_range", "x07_view_cmp_range", "i32", {"bytes_view*", "i32", "i32", "bytes_view*", "i32", "i32"}},
      {"bytes.view", "x07_bytes_view", "bytes_view", {"bytes!"}, BF_BORROW},
      {"bytes.subview", "x07_bytes_subview", "bytes_view", {"bytes!", "i32", "i32"}, BF_BORROW | BF_PTR},
      {"bytes.as_ptr", "x07_bytes_as_ptr", "ptr_const_u8", {"bytes&"}, BF_OS},
      {"bytes.as_mut_ptr", "x07_bytes_as_mut_ptr", "ptr_mut_u8", {"bytes&"}, BF_OS},
      {"view.len", "x07_view_len", "i32", {"bytes_view"}},
      {"view.get_u8", "x07_view_get_u8", "i32", {"bytes_view", "i32"}, BF_PTR},
      {"view.slice", "x07_view_slice", "bytes_view", {"bytes_view", "i32", "i32"}, BF_PTR},
      {"view.to_bytes", "x07_view_to_bytes", "bytes", {"bytes_view"}},
      {"view.eq", "x07_view_eq", "i32", {"bytes_view", "bytes_view"}},
      {"view.cmp_range", "x07_view_cmp_range", "i32", {"bytes_view", "i32", "i32", "bytes_view", "i32", "i32"}},
      {"view.as_ptr", "x07_view_as_ptr", "ptr_const_u8", {"bytes_view"}, BF_OS},
      {"vec_u8.with_capacity", "x07_vec_with_capacity", "vec_u8", {"i32"}},
      {"vec_u8.len", "x07_vec_len", "i32", {"vec_u8&"}},
      {"vec_u8.cap", "x07_vec_cap", "i32", {"vec_u8&"}},
      {"vec_u8.get", "x07_vec_get", "i32", {"vec_u8&", "i32"}},
      {"vec_u8.set", "x07_vec_set", "vec_u8", {"vec_u8", "i32", "i32"}, BF_MUT},
      {"vec_u8.push", "x07_vec_push", "vec_u8", {"vec_u8", "i32"}, BF_MUT},
      {"vec_u8.reserve_exact", "x07_vec_reserve_exact", "vec_u8", {"vec_u8", "i32"}, BF_MUT},
      {"vec_u8.extend_zeroes", "x07_vec_extend_zeroes", "vec_u8", {"vec_u8", "i32"}, BF_MUT},
      {"vec_u8.extend_bytes", "x07_vec_extend_bytes", "vec_u8", {"vec_u8", "bytes_view*"}, BF_MUT},
      {"vec_u8.extend_bytes_range", "x07_vec_extend_bytes_range", "vec_u8", {"vec_u8", "bytes_view*", "i32", "i32"}, BF_MUT},
      {"vec_u8.clear", "x07_vec_clear", "vec_u8", {"vec_u8"}, BF_MUT},
      {"vec_u8.into_bytes", "x07_vec_into_bytes", "bytes", {"vec_u8"}, BF_MUT},
      {"vec_u8.as_view", "x07_vec_view", "bytes_view", {"vec_u8!"}, BF_BORROW},
      {"vec_u8.as_ptr", "x07_vec_as_ptr", "ptr_const_u8", {"vec_u8&"}, BF_OS},
      {"vec_u8.as_mut_ptr", "x07_vec_as_mut_ptr", "ptr_mut_u8", {"vec_u8&"}, BF_OS},
      {"option_i32.none", "x07_opt_i32_none", "option_i32", {}},
      {"option_i32.some", "x07_opt_i32_some", "option_i32", {"i32"}},
      {"option_i32.is_some", "x07_opt_i32_is_some", "i32", {"option_i32"}},
      {"option_i32.unwrap_or", "x07_opt_i32_unwrap_or", "i32", {"option_i32", "i32"}},
      {"option_bytes.none", "x07_opt_bytes_none", "option_bytes", {}},
      {"option_bytes.some", "x07_opt_bytes_some", "option_bytes", {"bytes"}},
      {"option_bytes.is_some", "x07_opt_bytes_is_some", "i32", {"option_bytes&"}},
      {"option_bytes.unwrap_or", "x07_opt_bytes_unwrap_or", "bytes", {"option_bytes", "bytes^"}},
      {"option_bytes_view.none", "x07_opt_view_none", "option_bytes_view", {}},
      {"option_bytes_view.some", "x07_opt_view_some", "option_bytes_view", {"bytes_view"}},
      {"option_bytes_view.is_some", "x07_opt_view_is_some", "i32", {"option_bytes_view"}},
      {"option_bytes_view.unwrap_or", "x07_opt_view_unwrap_or", "bytes_view", {"option_bytes_view", "bytes_view"}},
      {"result_i32.ok", "x07_res_i32_ok", "result_i32", {"i32"}},
      {"result_i32.err", "x07_res_i32_err", "result_i32", {"i32"}},
      {"result_i32.is_ok", "x07_res_i32_is_ok", "i32", {"result_i32"}},
      {"result_i32.err_code", "x07_res_i32_err_code", "i32", {"result_i32"}},
      {"result_i32.unwrap_or", "x07_res_i32_unwrap_or", "i32", {"result_i32", "i32"}},
      {"result_bytes.ok", "x07_res_bytes_ok", "result_bytes", {"bytes"}},
      {"result_bytes.err", "x07_res_bytes_err", "result_bytes", {"i32"}},
      {"result_bytes.is_ok", "x07_res_bytes_is_ok", "i32", {"result_bytes&"}},
      {"result_bytes.err_code", "x07_res_bytes_err_code", "i32", {"result_bytes&"}},
      {"result_bytes.unwrap_or", "x07_res_bytes_unwrap_or", "bytes", {"result_bytes", "bytes"}},
      {"result_bytes_view.ok", "x07_res_view_ok", "result_bytes_view", {"bytes_view"}},
      {"result_bytes_view.err", "x07_res_view_err", "result_bytes_view", {"i32"}},
      {"result_bytes_view.is_ok", "x07_res_view_is_ok", "i32", {"result_bytes_view"}},
      {"result_bytes_view.err_code", "x07_res_view_err_code", "i32", {"result_bytes_view"}},
      {"result_bytes_view.unwrap_or", "x07_res_view_unwrap_or", "bytes_view", {"result_bytes_view", "bytes_view"}},
      {"codec.read_u32_le", "x07_codec_read_u32_le", "i32", {"bytes_view*", "i32"}},
      {"codec.write_u32_le", "x07_codec_write_u32_le", "bytes", {"i32"}},
      {"fmt.u32_to_dec", "x07_fmt_u32_to_dec", "bytes", {"i32"}},
      {"fmt.s32_to_dec", "x07_fmt_s32_to_dec", "bytes", {"i32"}},
      {"parse.u32_dec", "x07_parse_u32_dec", "i32", {"bytes_view"}},
      {"parse.u32_dec_at", "x07_parse_u32_dec_at", "i32", {"bytes_view", "i32"}},
      {"prng.lcg_next_u32", "x07_prng_lcg_next_u32", "i32", {"i32"}},
      {"process.set_exit_code_v1", "x07_process_set_exit_code", "i32", {"i32"}},
      {"map_u32.new", "x07_map_u32_new", "i32", {"i32"}},
      {"map_u32.len", "x07_map_u32_len", "i32", {"i32"}},
      {"map_u32.get", "x07_map_u32_get", "i32", {"i32", "i32", "i32"}},
      {"map_u32.set", "x07_map_u32_set", "i32", {"i32", "i32", "i32"}},
      {"map_u32.contains", "x07_map_u32_contains", "i32", {"i32", "i32"}},
      {"map_u32.remove", "x07_map_u32_remove", "i32", {"i32", "i32"}},
      {"map_u32.dump_kv_u32le_u32le", "x07_map_u32_dump_kv", "bytes", {"i32"}},
      {"set_u32.new", "x07_set_u32_new", "i32", {"i32"}},
      {"set_u32.len", "x07_set_u32_len", "i32", {"i32"}},
      {"set_u32.add", "x07_set_u32_add", "i32", {"i32", "i32"}},
      {"set_u32.contains", "x07_set_u32_contains", "i32", {"i32", "i32"}},
      {"set_u32.remove", "x07_set_u32_remove", "i32", {"i32", "i32"}},
      {"set_u32.dump_u32le", "x07_set_u32_dump", "bytes", {"i32"}},
      {"scratch_u8_fixed_v1.new", "x07_scratch_u8_fixed_new", "i32", {"i32"}},
      {"scratch_u8_fixed_v1.clear", "x07_scratch_u8_fixed_clear", "i32", {"i32"}},
      {"scratch_u8_fixed_v1.len", "x07_scratch_u8_fixed_len", "i32", {"i32"}},
      {"scratch_u8_fixed_v1.cap", "x07_scratch_u8_fixed_cap", "i32", {"i32"}},
      {"scratch_u8_fixed_v1.as_view", "x07_scratch_u8_fixed_as_view", "bytes_view", {"i32"}},
      {"scratch_u8_fixed_v1.try_write", "x07_scratch_u8_fixed_try_write", "result_i32", {"i32", "bytes_view*"}},
      {"scratch_u8_fixed_v1.drop", "x07_scratch_u8_fixed_drop", "i32", {"i32"}},
      {"std.brand.view_v1", "x07_bytes_view", "bytes_view", {"bytes!"}, BF_BORROW},
      {"std.brand.assume_bytes_v1", "", "bytes", {"i32#", "bytes"}, BF_IDENTITY},
      {"std.brand.cast_bytes_v1", "x07_brand_cast_bytes", "result_bytes", {"i32#", "i32%", "bytes"}},
      {"std.brand.cast_view_v1", "x07_brand_cast_view", "result_bytes_view", {"i32#", "i32%", "bytes_view"}},
      {"std.brand.cast_view_copy_v1", "x07_brand_cast_view_copy", "result_bytes", {"i32#", "i32%", "bytes_view"}},
      {"std.brand.erase_bytes_v1", "", "bytes", {"bytes"}, BF_IDENTITY},
      {"std.brand.erase_view_v1", "", "bytes_view", {"bytes_view"}, BF_IDENTITY},
      {"std.brand.to_bytes_preserve_if_full_v1", "x07_view_to_bytes", "bytes", {"bytes_view"}},
      {"f64.of_i32", "x07_f64_of_i32", "f64", {"i32"}},
      {"f64.to_i32_trunc", "x07_f64_to_i32_trunc", "i32", {"f64"}},
      {"f64.add", "x07_f64_add", "f64", {"f64", "f64"}},
      {"f64.sub", "x07_f64_sub", "f64", {"f64", "f64"}},
      {"f64.mul", "x07_f64_mul", "f64", {"f64", "f64"}},
      {"f64.div", "x07_f64_div", "f64", {"f64", "f64"}},
      {"ptr.null", "x07_ptr_null", "ptr_mut_void", {}, BF_OS},
      {"ptr.as_const", "", "ptr_const_void", {"ptr_mut_void?"}, BF_OS | BF_PTR_AS_CONST},
      {"ptr.cast", "", "ptr_mut_void", {"i32@", "ptr_mut_void?"}, BF_OS | BF_UNSAFE | BF_PTR_CAST},
      {"ptr.add", "X07_PTR_ADD", "ptr_mut_void", {"ptr_mut_void?", "i32"}, BF_OS | BF_UNSAFE | BF_PTR_SAME},
      {"ptr.offset", "X07_PTR_ADD", "ptr_mut_void", {"ptr_mut_void?", "i32"}, BF_OS | BF_UNSAFE | BF_PTR_SAME},
      {"ptr.sub", "X07_PTR_SUB", "ptr_mut_void", {"ptr_mut_void?", "i32"}, BF_OS | BF_UNSAFE | BF_PTR_SAME},
      {"ptr.read_u8", "x07_ptr_read_u8", "i32", {"ptr_const_void?"}, BF_OS | BF_UNSAFE},
      {"ptr.write_u8", "x07_ptr_write_u8", "i32", {"ptr_mut_void?", "i32"}, BF_OS | BF_UNSAFE},
      {"ptr.read_i32", "x07_ptr_read_i32", "i32", {"ptr_const_void?"}, BF_OS | BF_UNSAFE},
      {"ptr.write_i32", "x07_ptr_write_i32", "i32", {"ptr_mut_void?", "i32"}, BF_OS | BF_UNSAFE},
      {"addr_of", "(const void*)&", "ptr_const_void", {"i32$"}, BF_OS},
      {"addr_of_mut", "(void*)&", "ptr_mut_void", {"i32$"}, BF_OS},
      {"memcpy", "x07_memcpy_ptr", "i32", {"ptr_mut_void?", "ptr_const_void?", "i32"}, BF_OS | BF_UNSAFE},
      {"memmove", "x07_memmove_ptr", "i32", {"ptr_mut_void?", "ptr_const_void?", "i32"}, BF_OS | BF_UNSAFE},
      {"memset", "x07_memset_ptr", "i32", {"ptr_mut_void?", "i32", "i32"}, BF_OS | BF_UNSAFE},
      // Value containers (runtime/core_value_containers.c): i32 handles; element type ids 1 i32, 2 u32, 3 bytes.
      // The generic forms (tapp vec_value.push T ...) are rewritten to these by typecheck_containers.cpp.
      {"vec_value.with_capacity_v1", "x07_vec_value_with_capacity", "i32", {"i32", "i32"}, BF_PROTO},
      {"vec_value.len", "x07_vec_value_len", "i32", {"i32"}, BF_PROTO},
      {"vec_value.reserve_exact", "x07_vec_value_reserve_exact", "i32", {"i32", "i32"}, BF_PROTO},
      {"vec_value.pop", "x07_vec_value_pop", "i32", {"i32"}, BF_PROTO},
      {"vec_value.clear", "x07_vec_value_clear", "i32", {"i32"}, BF_PROTO},
      {"vec_value.push_i32_v1", "x07_vec_value_push_i32", "i32", {"i32", "i32"}, BF_PROTO},
      {"vec_value.push_bytes_v1", "x07_vec_value_push_bytes", "i32", {"i32", "bytes"}, BF_PROTO},
      {"vec_value.get_i32_v1", "x07_vec_value_get_i32", "i32", {"i32", "i32", "i32"}, BF_PROTO},
      {"vec_value.get_bytes_v1", "x07_vec_value_get_bytes", "bytes", {"i32", "i32", "bytes"}, BF_PROTO},
      {"vec_value.set_i32_v1", "x07_vec_value_set_i32", "i32", {"i32", "i32", "i32"}, BF_PROTO},
      {"vec_value.set_bytes_v1", "x07_vec_value_set_bytes", "i32", {"i32", "i32", "bytes"}, BF_PROTO},
      {"map_value.new_v1", "x07_map_value_new", "i32", {"i32", "i32", "i32"}, BF_PROTO},
      {"map_value.len", "x07_map_value_len", "i32", {"i32"}, BF_PROTO},
      {"map_value.clear", "x07_map_value_clear", "i32", {"i32"}, BF_PROTO},
      {"map_value.contains_i32_v1", "x07_map_value_contains_i32", "i32", {"i32", "i32"}, BF_PROTO},
      {"map_value.contains_bytes_v1", "x07_map_value_contains_bytes", "i32", {"i32", "bytes"}, BF_PROTO},
      {"map_value.remove_i32_v1", "x07_map_value_remove_i32", "i32", {"i32", "i32"}, BF_PROTO},
      {"map_value.remove_bytes_v1", "x07_map_value_remove_bytes", "i32", {"i32", "bytes"}, BF_PROTO},
      {"map_value.get_i32_i32_v1", "x07_map_value_get_i32_i32", "i32", {"i32", "i32", "i32"}, BF_PROTO},
      {"map_value.get_i32_bytes_v1", "x07_map_value_get_i32_bytes", "bytes", {"i32", "i32", "bytes"}, BF_PROTO},
      {"map_value.get_bytes_i32_v1", "x07_map_value_get_bytes_i32", "i32", {"i32", "bytes", "i32"}, BF_PROTO},
      {"map_value.get_bytes_bytes_v1", "x07_map_value_get_bytes_bytes", "bytes", {"i32", "bytes", "bytes"}, BF_PROTO},
      {"map_value.set_i32_i32_v1", "x07_map_value_set_i32_i32", "i32", {"i32", "i32", "i32"}, BF_PROTO},
      {"map_value.set_i32_bytes_v1", "x07_map_value_set_i32_bytes", "i32", {"i32", "i32", "bytes"}, BF_PROTO},
      {"map_value.set_bytes_i32_v1", "x07_map_value_set_bytes_i32", "i32", {"i32", "bytes", "i32"}, BF_PROTO},
      {"map_value.set_bytes_bytes_v1", "x07_map_value_set_bytes_bytes", "i32", {"i32", "bytes", "bytes"}, BF_PROTO},
      // Interface records and streaming readers (runtime/core_iface.c).
      {"iface.make_v1", "x07_iface_make", "iface", {"i32", "i32"}},
      {"io.open_read_bytes", "x07_io_open_read_bytes", "iface", {"bytes_view*"}, BF_PROTO},
      {"io.read", "x07_io_read", "bytes", {"iface", "i32"}, BF_PROTO},
      {"bufread.new", "x07_bufread_new", "i32", {"iface", "i32"}, BF_PROTO},
      {"bufread.fill", "x07_bufread_fill", "bytes_view", {"i32"}, BF_PROTO},
      {"bufread.consume", "x07_bufread_consume", "i32", {"i32", "i32"}, BF_PROTO},
      // Lowered ty.* intrinsics for i32/u32 (spec §2.5); not callable by name from source.
      {"ty.$write_le_at", "x07_u32_write_le_at", "bytes", {"bytes", "i32", "i32"}, BF_PTR},
      {"ty.$push_le", "x07_u32_push_le", "vec_u8", {"vec_u8", "i32"}},
      {"ty.$cmp_u", "x07_cmp_u32", "i32", {"i32", "i32"}},
      {"ty.$cmp_s", "x07_cmp_i32", "i32", {"i32", "i32"}},
      {"ty.$hash32", "x07_mix32", "i32", {"i32"}},
      {"ty.$lt_bytes", "x07_ty_lt_bytes", "i32", {"bytes_view*", "bytes_view*"}},
      {"ty.$cmp_bytes", "x07_ty_cmp_bytes", "i32", {"bytes_view*", "bytes_view*"}},
      {"ty.$hash32_bytes", "x07_ty_hash32_bytes", "i32", {"bytes_view*"}},
      {"ty.$clone_bytes", "x07_view_to_bytes", "bytes", {"bytes_view*"}},
      {"ty.$drop_bytes", "x07_ty_drop_bytes", "i32", {"bytes"}},
#include "async_builtins.inc"
  };
  return rows;
}

struct OsRow {
  const char* name;
  const char* c_fn;
  const char* result;
  std::vector<const char*> params;
};
const std::vector<OsRow>& os_rows() {
  static const std::vector<OsRow> rows = {
#include "os_builtins.inc"
  };
  return rows;
}
// Native ext builtins (runtime/ext_*.c): like the OS rows their C functions are
// declared by the generated program, but each row carries its own world flags.
const std::vector<Row>& ext_rows() {
  static const std::vector<Row> rows = {
#include "ext_builtins.inc"
#include "world_builtins.inc"
  };
  return rows;
}

Ty tok_ty(const std::string& s) {
  Ty t = Ty::I32;
  if (s == "never") return Ty::Never;
  parse_ty_token(s, &t);
  return t;
}

void add_params(Builtin& b, const std::vector<const char*>& params) {
  for (const char* p : params) {
    std::string s = p;
    char mode = 'v';
    if (!s.empty() && std::strchr("*&!\"#%?@$^", s.back())) {
      static const char kSuffix[] = "*&!\"#%?@$^", kMode[] = "cpitbfqyld";
      mode = kMode[std::strchr(kSuffix, s.back()) - kSuffix];
      s.pop_back();
    }
    b.params.push_back(tok_ty(s));
    b.param_mode.push_back(mode);
  }
}

std::vector<Builtin> build() {
  std::vector<Builtin> out;
  for (const auto& r : core_rows()) {
    Builtin b;
    b.name = r.name;
    b.c_fn = r.c_fn;
    b.result = tok_ty(r.result);
    b.flags = r.flags;
    add_params(b, r.params);
    out.push_back(std::move(b));
  }
  for (const auto& r : ext_rows()) {
    Builtin b;
    b.name = r.name;
    b.c_fn = r.c_fn;
    b.result = tok_ty(r.result);
    b.flags = r.flags;
    b.os = true;  // declared by the generated program (not in x07rt_core.h)
    add_params(b, r.params);
    out.push_back(std::move(b));
  }
  for (const auto& r : os_rows()) {
    Builtin b;
    b.name = r.name;
    b.c_fn = r.c_fn;
    b.result = tok_ty(r.result);
    b.flags = BF_OS | (std::string(r.result) == "never" ? unsigned(BF_NEVER) : 0u);
    b.os = true;
    for (const char* p : r.params) {
      b.params.push_back(tok_ty(p));
      b.param_mode.push_back('v');
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> all = build();
  return all;
}

int find_builtin(const std::string& name) {
  static const std::map<std::string, int> index = [] {
    std::map<std::string, int> m;
    const auto& b = builtins();
    for (size_t i = 0; i < b.size(); i++) m.emplace(b[i].name, (int)i);
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? -1 : it->second;
}

std::vector<std::string> all_builtin_names() {
  std::vector<std::string> v;
  for (const auto& b : builtins())
    if (b.name.find('$') == std::string::npos) v.push_back(b.name);
  return v;
}

std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates) {
  return x07::text::nearest(name, candidates);
}

}  // namespace x07c
