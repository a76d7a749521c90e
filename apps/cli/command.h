// apps/cli/command.h — how a subcommand plugs into the nabla command.
//
// Each subcommand lives in its own file (cmd_<name>.cpp) and registers itself from a static
// initializer; main.cpp knows none of them by name. setup() declares the options on the
// subcommand's CLI::App and returns the action main runs once parsing succeeded.
//
//   namespace grad_command {  // the file's own names (nabla is a unity build: no anonymous namespace)
//   Action setup(CLI::App& app, const Context& ctx) { ...; return [opts](const Context& c) { return 0; }; }
//   const bool registered = register_subcommand({"grad", kGradHelp, setup});
//   }  // namespace grad_command
#pragma once
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "i18n.h"

namespace nabla::cli {

// What every subcommand gets: the language of its messages.
struct Context {
  Translator tr;
};

// Returns the process exit code (0 on success).
using Action = std::function<int(const Context&)>;

struct Subcommand {
  std::string name;
  Message description;
  std::function<Action(CLI::App& app, const Context& ctx)> setup;
};

// The command line as main received it (argv[0] included), for a subcommand that hands it on.
void set_command_line(int argc, char** argv);
const std::vector<std::string>& command_line();

// Adds a subcommand; returns true so it can initialise a static in the subcommand's file.
bool register_subcommand(Subcommand subcommand);
// All registered subcommands, sorted by name.
std::vector<Subcommand> subcommands();

// A whole number >= `lo`. (CLI11's NonNegativeNumber states its bound, DBL_MAX, in 309 digits.)
inline CLI::Validator at_least(int64_t lo) {
  return CLI::Validator(
      [lo](std::string& text) -> std::string {
        int64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size()) return "";  // the conversion says what is wrong
        return v < lo ? "must be at least " + std::to_string(lo) + ", got " + text : "";
      },
      "INT >= " + std::to_string(lo));
}

// A failure that is not the user's input: a missing tool (Graphviz), a failed child process.
// main prints "nabla: error: <message>" and exits with `code` (1 unless said otherwise).
class CommandError : public std::runtime_error {
 public:
  explicit CommandError(const std::string& message, int code = 1) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

}  // namespace nabla::cli
