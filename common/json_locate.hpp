// Where a JSON pointer's value starts in the source text, as 1-based line and column
// (columns count characters, not bytes), so diagnostics can say FILE:LINE:COL.
#pragma once
#include <optional>
#include <string_view>

namespace x07::json {

struct TextPos {
  int line = 1;
  int col = 1;
};

// The start of the value at `pointer` ("" = root, RFC 6901 escapes ~0 ~1) in `text`,
// or the closest existing ancestor when the pointer goes deeper than the document.
// std::nullopt when the text is not JSON up to that point.
std::optional<TextPos> locate_pointer(std::string_view text, std::string_view pointer);

// Line and column of a byte offset.
TextPos position_of(std::string_view text, size_t offset);

}  // namespace x07::json
