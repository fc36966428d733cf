// Small string helpers shared by the runner, the facade and the common loaders.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace x07::text {

// `s` as a JSON string literal (json::append_quoted's escaping), for error messages
// and hand-written fixed-layout reports.
std::string json_quoted(std::string_view s);

// Without leading/trailing ASCII whitespace.
std::string trim(std::string_view s);

// `s` as a C string literal: printable ASCII kept, everything else (and '?', to avoid
// trigraphs) as octal escapes, so arbitrary bytes round-trip through a C compiler.
std::string c_literal(std::string_view s);

// The items separated by `sep`, e.g. "a, b, c".
std::string join(const std::vector<std::string>& items, std::string_view sep);

// The candidate closest to `word` by edit distance, for "did you mean" hints; empty
// when none is close (distance > max(2, len/3)).
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace x07::text
