#include "command.h"

#include <algorithm>

namespace nabla::cli {

namespace {
// A function-local static: registrations run from other files' static initializers, in an order
// the language leaves open, so the list must exist before the first of them.
std::vector<Subcommand>& registry() {
  static std::vector<Subcommand> list;
  return list;
}
}  // namespace

namespace {
std::vector<std::string>& line() {
  static std::vector<std::string> args;
  return args;
}
}  // namespace

void set_command_line(int argc, char** argv) { line().assign(argv, argv + argc); }
const std::vector<std::string>& command_line() { return line(); }

bool register_subcommand(Subcommand subcommand) {
  registry().push_back(std::move(subcommand));
  return true;
}

std::vector<Subcommand> subcommands() {
  std::vector<Subcommand> list = registry();
  std::sort(list.begin(), list.end(), [](const Subcommand& a, const Subcommand& b) { return a.name < b.name; });
  return list;
}

}  // namespace nabla::cli
