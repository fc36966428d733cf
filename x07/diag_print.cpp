#include "diag_print.hpp"

#include "common/error_style.hpp"
#include "common/fsutil.hpp"
#include "common/json_locate.hpp"

namespace x07::facade {

std::string source_location(const std::string& file, const std::string& ptr, const std::string* source) {
  if (file.empty()) return file;
  std::string text;
  if (!source && fsutil::read_file(file, text)) source = &text;
  if (source)
    if (auto pos = json::locate_pointer(*source, ptr))
      return file + ":" + std::to_string(pos->line) + ":" + std::to_string(pos->col);
  return file;
}

void print_diag(std::ostream& os, const DiagLine& d, const std::string* source) {
  os << render_error(d.code, source_location(d.file, d.ptr, source),
                     d.ptr.empty() ? d.message : d.message + " (at " + d.ptr + ")", d.help);
}

}  // namespace x07::facade
