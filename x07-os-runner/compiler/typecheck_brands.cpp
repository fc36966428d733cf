// Compile-time brands (spec §2.4, §4.8): flow through let/set/joins, checks at
// branded parameters and record field reads, and through builtin results.

#include <algorithm>

#include "typecheck_internal.hpp"

namespace x07c::tc {

// Types that may carry a brand (`brand` / `result_brand` are only valid on these).
bool brandable(Ty t) {
  return t == Ty::Bytes || t == Ty::View || t == Ty::OptBytes || t == Ty::OptView || t == Ty::ResBytes ||
         t == Ty::ResView;
}

std::vector<std::string> FnChecker::brands() const {
  std::vector<std::string> b;
  for (const auto& v : vars_) b.push_back(v.brand);
  return b;
}

// After a merge point: each variable keeps a brand only if every path that reaches it agrees.
void FnChecker::join_brands(const std::vector<std::vector<std::string>>& paths) {
  for (size_t i = 0; i < vars_.size(); i++) {
    bool first = true;
    std::string b;
    for (const auto& p : paths) {
      if (i >= p.size()) continue;
      b = first ? p[i] : join_brand(b, p[i]);
      first = false;
    }
    if (!first) vars_[i].brand = b;
  }
}

// E_BRAND_MISMATCH (spec §2.4): a branded parameter accepts only a value of that very brand.
void FnChecker::check_brand(const Info& got, Ty shown, const std::string& want, const std::string& who, size_t i,
                            const JsonPtr& ptr, int var, bool strict) {
  if (want.empty() || got.ty == Ty::Never) return;
  if (brand_accepts(shown, got.brand, want, strict)) {
    if (loop_depth_ > 0 && var >= 0) loop_brand_uses_.push_back({var, shown, want, who, ptr, i, strict});
    return;
  }
  brand_mismatch(got.brand, shown, want, who, i, ptr);
}

void FnChecker::brand_mismatch(const std::string& got, Ty shown, const std::string& want, const std::string& who,
                               size_t i, const JsonPtr& ptr) {
  std::string dbg = ty_debug_name(shown);
  err("Typing", "E_BRAND_MISMATCH: call \"" + who + "\" arg " + std::to_string(i) + " expected " + dbg + "@" + want +
                    ", got " + dbg + "@" + (got.empty() ? "unbranded" : got == kAnyBrand ? "any" : got) +
                    " (pass a value branded " + want + ": the result of a function with result_brand \"" + want +
                    "\", of std.brand.cast_bytes_v1 with a validator, or of std.brand.assume_bytes_v1)", ptr);
}

// A branded parameter accepts its own brand and, as upstream's compiler does, an unbranded value
// (`input`, literals, hand-built buffers); a payload-less option/result (kAnyBrand) fits any brand of an
// option/result parameter. A value carrying another brand (or possibly another, after a join) is
// rejected: a deliberate difference, upstream lets it through (see README "Brands").
bool brand_accepts(Ty t, const std::string& got, const std::string& want, bool strict) {
  if (want.empty() || got == want) return true;
  bool wrapped = t == Ty::OptBytes || t == Ty::OptView || t == Ty::ResBytes || t == Ty::ResView;
  if (wrapped && got == kAnyBrand) return true;
  return !strict && got.empty();
}

std::string join_brand(const std::string& a, const std::string& b) {
  if (a == kAnyBrand) return b;
  if (b == kAnyBrand) return a;
  if (a == b || a.empty() || b.empty()) return a == b ? a : std::string();
  std::vector<std::string> set;
  for (const std::string* s : {&a, &b})
    for (size_t p = 0; p <= s->size();) {
      size_t q = s->find('|', p);
      if (q == std::string::npos) q = s->size();
      std::string one = s->substr(p, q - p);
      if (std::find(set.begin(), set.end(), one) == set.end()) set.push_back(one);
      p = q + 1;
    }
  std::sort(set.begin(), set.end());
  std::string out;
  for (const auto& s : set) out += (out.empty() ? "" : "|") + s;
  return out;
}

// Brand flow through builtins (spec §4.8): std.brand.view_v1 and bytes.view keep their owner's brand,
// assume/cast set the named one, erase drops it; wrapping into / unwrapping out of option/result keeps the
// payload's brand, and none/err (no payload) fit any brand. A value container's get keeps the default's
// brand. Every other builtin result is unbranded.
std::string FnChecker::builtin_result_brand(const Node& n, const Builtin& b, const std::vector<std::string>& args) {
  const std::string& h = b.name;
  if (h == "std.brand.assume_bytes_v1" || h.rfind("std.brand.cast_", 0) == 0) return n.kids[0].text;
  if (h == "std.brand.view_v1" || h == "std.brand.to_bytes_preserve_if_full_v1" || h == "bytes.view") return args[0];
  if (h == "result_bytes.ok" || h == "result_bytes_view.ok" || h == "option_bytes.some" ||
      h == "option_bytes_view.some")
    return args[0];
  if (h == "result_bytes.err" || h == "result_bytes_view.err" || h == "option_bytes.none" ||
      h == "option_bytes_view.none")
    return kAnyBrand;
  if (h == "result_bytes.unwrap_or" || h == "result_bytes_view.unwrap_or" || h == "option_bytes.unwrap_or" ||
      h == "option_bytes_view.unwrap_or")
    return join_brand(args[0], args[1]);
  if ((h.rfind("vec_value.get_", 0) == 0 || h.rfind("map_value.get_", 0) == 0) && args.size() == 3) return args[2];
  return {};
}

}  // namespace x07c::tc
