#include "compile_help.hpp"

namespace x07::facade {

namespace {

// The first "…" quoted text after `marker` in `msg`, or "".
std::string quoted_after(const std::string& msg, const std::string& marker) {
  size_t p = msg.find(marker);
  if (p == std::string::npos) return "";
  size_t b = msg.find('"', p + marker.size() - 1);
  if (b == std::string::npos) return "";
  size_t e = msg.find('"', b + 1);
  return e == std::string::npos ? "" : msg.substr(b + 1, e - b - 1);
}

std::string module_of(const std::string& fn) {
  size_t dot = fn.rfind('.');
  return dot == std::string::npos ? "" : fn.substr(0, dot);
}

std::string import_hint(const std::string& fn) {
  std::string m = module_of(fn);
  if (m.empty() || m.rfind("std.", 0) != 0) return "";
  return "; it lives in module " + m + ": add \"" + m + "\" to the \"imports\" array of the module";
}

// A bare identifier that reads like text (file names, words with spaces or slashes).
bool looks_like_text(const std::string& id) {
  if (id.find_first_of(" /\\:") != std::string::npos) return true;
  size_t dot = id.rfind('.');
  if (dot == std::string::npos || dot + 1 >= id.size()) return false;
  std::string ext = id.substr(dot + 1);
  for (const char* e : {"txt", "json", "csv", "md", "log", "bin", "dat", "html", "xml", "cfg", "toml", "yaml"})
    if (ext == e) return true;
  return false;
}

}  // namespace

std::string compile_help(const std::string& code, const std::string& message, const std::string& file,
                         const std::string& ptr) {
  (void)code;
  (void)ptr;
  const std::string ident = quoted_after(message, "unknown identifier: \"");
  if (!ident.empty() && looks_like_text(ident))
    return "string literals are written [\"bytes.lit\",\"" + ident +
           "\"]; a bare string in x07AST is an identifier";
  const std::string near = quoted_after(message, "did you mean \"");
  if (!near.empty()) return "did you mean \"" + near + "\"?" + import_hint(near);
  const std::string head = quoted_after(message, "unsupported head: \"");
  if (!head.empty()) {
    std::string m = module_of(head);
    if (!m.empty())
      return "if " + head + " is a function of module " + m + ", add \"" + m + "\" to the \"imports\" array of " +
             (file.empty() ? "the module" : file);
    return "no function or form named " + head + "; check the spelling, or define it in \"decls\"";
  }
  if (!ident.empty())
    return "declare " + ident + " with [\"let\",\"" + ident + "\",VALUE] before its use, or make it a parameter";
  const std::string module = quoted_after(message, "unknown module: \"");
  if (!module.empty())
    return "no module " + module +
           " under the module roots; check its spelling, or add the directory holding it with --module-root DIR "
           "(project: x07.json module_roots)";
  if (message.find("JSON") != std::string::npos || message.find("parse") != std::string::npos)
    return "the file must be one x07AST JSON document; fix the syntax at the location above";
  if (message.find("type") != std::string::npos || message.find("expected") != std::string::npos)
    return "the types at the location above do not fit; compare with the function's declared params and result";
  return "fix the program at the location above; `x07 run --report runner` shows the full compile report";
}

}  // namespace x07::facade
