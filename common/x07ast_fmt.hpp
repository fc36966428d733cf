// Canonical x07AST formatting (`x07 fmt`): reads an x07AST JSON file into its
// declaration model and prints it back in upstream's canonical form, so the bytes
// match upstream's formatter for every valid file:
//   - imports sorted and de-duplicated; one `export` decl with sorted unique names;
//   - decls ordered export, extern, defn, defasync (each sorted by name), then
//     defrecord and defenum in file order; unknown fields dropped;
//   - object keys byte-sorted at every level; compact one line (or `pretty`),
//     always ending in "\n".
#pragma once
#include <string>
#include <string_view>

namespace x07::x07ast {

// A file that is not valid x07AST: `message` says what, `ptr` (JSON pointer) where.
struct FormatError {
  std::string message;
  std::string ptr;
};

struct FormatResult {
  bool ok = false;
  std::string text;   // the canonical bytes (ok)
  FormatError error;  // (!ok)
};

FormatResult format_canonical(std::string_view source, bool pretty);

}  // namespace x07::x07ast
