// UTF-8 well-formedness check (no overlongs, no surrogates, max U+10FFFF).
#pragma once
#include <string_view>

namespace x07::utf8 {

bool valid(std::string_view s);

}  // namespace x07::utf8
