// Diagnostics of the facade's file-oriented commands (check, fmt, test, run's text mode)
// in the one error style (common/error_style.hpp). JSON pointers become the line and
// column of the source text; the pointer stays in the message for tools.
#pragma once
#include <ostream>
#include <string>

namespace x07::facade {

struct DiagLine {
  std::string code;     // e.g. "X07-TYPE-0001"
  std::string file;     // may be empty
  std::string ptr;      // JSON pointer into `file`; may be empty
  std::string message;  // what happened
  std::string help;     // how to fix it; may be empty
};

// "FILE:LINE:COL" of `ptr` in `file` ("FILE" when the text cannot be read or located).
// `source` is the file's text when the caller already has it.
std::string source_location(const std::string& file, const std::string& ptr, const std::string* source = nullptr);

// error[CODE]: FILE:LINE:COL: message (at PTR)  +  help: …
void print_diag(std::ostream& os, const DiagLine& d, const std::string* source = nullptr);

}  // namespace x07::facade
