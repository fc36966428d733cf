#include "commands.hpp"
#include "facade_error.hpp"
namespace x07::facade {
int cmd_bundle(const std::vector<std::string>&) { throw Failure("x07 bundle: work in progress"); }
}  // namespace x07::facade
