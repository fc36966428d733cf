#include "common/error_style.hpp"

namespace x07 {

std::string render_error(std::string code, const std::string& location, std::string message,
                         const std::string& help) {
  if (message.size() > 2 && message[0] == '[') {
    size_t close = message.find("] ");
    if (close != std::string::npos && message.find(' ') > close) {
      code = message.substr(1, close - 1);
      message = message.substr(close + 2);
    }
  }
  // A multi-line message (e.g. "...\n\nfix:\n  - ...") keeps its first line; the rest
  // becomes help lines.
  std::string extra;
  if (size_t nl = message.find('\n'); nl != std::string::npos) {
    for (size_t i = nl; i < message.size();) {
      size_t e = message.find('\n', i + 1);
      std::string line = message.substr(i + 1, e == std::string::npos ? std::string::npos : e - i - 1);
      size_t b = line.find_first_not_of(' ');
      if (b != std::string::npos && line.compare(b, 2, "- ") == 0) b += 2;  // a bullet
      if (b != std::string::npos && line != "fix:") extra += line.substr(b) + "\n";
      if (e == std::string::npos) break;
      i = e;
    }
    message.resize(nl);
  }
  std::string out = "error[" + (code.empty() ? std::string("X07E_ERROR") : code) + "]: ";
  if (!location.empty()) out += location + ": ";
  out += message + "\n";
  std::string h = extra + (help.empty() ? "run the command with --help for its flags and arguments" : help);
  size_t start = 0;
  while (start <= h.size()) {
    size_t nl = h.find('\n', start);
    out += "help: " + h.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace x07
