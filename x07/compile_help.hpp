// The `help:` line for a compile diagnostic in text mode: the fix a person needs for the
// common mistakes (a misspelt or unimported function, a bare string where bytes.lit is
// needed, an unknown module), derived from the compiler's message.
#pragma once
#include <string>

namespace x07::facade {

std::string compile_help(const std::string& code, const std::string& message, const std::string& file,
                         const std::string& ptr);

}  // namespace x07::facade
