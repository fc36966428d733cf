#include "templates.hpp"

#include <cstddef>

#include "common/embedded.hpp"
#include "common/json.hpp"
#include "facade_error.hpp"

extern const x07::EmbeddedFile x07_template_files[];
extern const std::size_t x07_template_files_count;

namespace x07::facade {

std::optional<std::string_view> embedded_template(std::string_view path) {
  for (std::size_t i = 0; i < x07_template_files_count; ++i)
    if (x07_template_files[i].path == path) return x07_template_files[i].data;
  return std::nullopt;
}

const std::vector<std::string>& policy_template_names() {
  static const std::vector<std::string> names = {"cli",        "http-client",     "web-service", "fs-tool",
                                                 "sqlite-app", "postgres-client", "worker",      "worker-parallel"};
  return names;
}

std::string render_policy_template(const std::string& name, const std::optional<std::string>& policy_id) {
  auto text = embedded_template("policies/" + name + ".json");
  if (!text) throw Failure("unknown policy template: " + name);
  json::Document doc;
  std::string err;
  if (!json::parse(*text, doc, &err)) throw Failure("embedded policy template " + name + " is not JSON: " + err);
  if (policy_id) json::set(doc, "policy_id", json::make_string(*policy_id, doc.GetAllocator()), doc.GetAllocator());
  return json::to_pretty_sorted(doc);
}

}  // namespace x07::facade
