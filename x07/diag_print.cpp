#include "diag_print.hpp"

#include "common/fsutil.hpp"
#include "common/json_locate.hpp"

namespace x07::facade {

void print_diag(std::ostream& os, const DiagLine& d, const std::string* source) {
  os << "error[" << d.code << "]: ";
  if (!d.file.empty()) {
    os << d.file;
    std::string text;
    if (!source && fsutil::read_file(d.file, text)) source = &text;
    if (source) {
      if (auto pos = json::locate_pointer(*source, d.ptr)) os << ":" << pos->line << ":" << pos->col;
    }
    os << ": ";
  }
  os << d.message;
  if (!d.ptr.empty()) os << " (at " << d.ptr << ")";
  os << "\n";
  if (!d.help.empty()) os << "help: " << d.help << "\n";
}

}  // namespace x07::facade
