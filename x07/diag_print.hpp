// One error style for people: `error[CODE]: FILE:LINE:COL: what happened (at PTR)`
// then `help: how to fix it`. JSON pointers are turned into the line and column of the
// source text; the pointer is kept for tools.
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

// `source` is the file's text when the caller has it; otherwise the file is read
// (when it cannot be, the location is just FILE).
void print_diag(std::ostream& os, const DiagLine& d, const std::string* source = nullptr);

}  // namespace x07::facade
