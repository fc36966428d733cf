// Files embedded from templates/ (policy templates, init scaffold).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace x07::facade {

// Contents of templates/<path>, e.g. "policies/cli.json".
std::optional<std::string_view> embedded_template(std::string_view path);

// The policy template names, in documentation order.
const std::vector<std::string>& policy_template_names();

// Renders a policy template: parse, optionally replace policy_id, serialise sorted-key
// pretty + "\n" (facade.md §3.2 step 1).
std::string render_policy_template(const std::string& name, const std::optional<std::string>& policy_id);

}  // namespace x07::facade
