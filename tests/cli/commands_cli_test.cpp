// Every subcommand `nabla --help` lists (each registers itself from its own apps/cli/cmd_*.cpp)
// answers --help in English and in Spanish with its own usage line: a new command is reachable
// by being registered.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "cli/subprocess.h"

namespace nabla::testing {
namespace {

const std::map<std::string, std::string> kEnglish{{"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "C.UTF-8"}};

std::vector<std::string> listed_commands() {
  const CliResult r = run_cli({"--help"}, kEnglish);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  std::istringstream lines(r.out.substr(std::min(r.out.size(), r.out.find("Subcommands:"))));
  std::string line;
  std::getline(lines, line);  // "Subcommands:"
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    const size_t from = line.find_first_not_of(' ');
    names.push_back(line.substr(from, line.find(' ', from) - from));
  }
  return names;
}

TEST(Commands, EveryRegisteredCommandHasHelpInBothLanguages) {
  const std::vector<std::string> names = listed_commands();
  for (const char* expected : {"demo", "explore", "grad", "train"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const CliResult en = run_cli({name, "--help"}, kEnglish);
    EXPECT_EQ(en.exit_code, 0) << en.err;
    EXPECT_NE(en.out.find("Usage: nabla " + name), std::string::npos) << en.out;
    const CliResult es = run_cli({name, "--help", "--lang", "es"}, kEnglish);
    EXPECT_EQ(es.exit_code, 0) << es.err;
    EXPECT_NE(es.out.find("Uso: nabla " + name), std::string::npos) << es.out;
  }
}

}  // namespace
}  // namespace nabla::testing
