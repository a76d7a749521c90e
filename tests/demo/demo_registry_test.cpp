// Every demo `nabla demo --list` names (each registers itself from its file in apps/cli/demos/)
// runs in English, in Spanish and with --json: a new demo is tested by being registered.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/subprocess.h"

namespace nabla::testing {
namespace {

const std::map<std::string, std::string> kEnglish{{"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "C.UTF-8"}};

// The names --list gives: its lines that do not start with a space (the others say where a demo
// comes from).
std::vector<std::string> listed_demos() {
  const CliResult r = run_cli({"demo", "--list"}, kEnglish);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != ' ') names.push_back(line.substr(0, line.find(' ')));
  return names;
}

TEST(DemoRegistry, EveryDemoRunsInBothLanguagesAndAsJson) {
  const std::vector<std::string> names = listed_demos();
  EXPECT_GE(names.size(), 11u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    std::string text[2];
    for (int es = 0; es < 2; ++es) {
      TempDir dir;
      const CliResult r = run_cli({"demo", name, "--lang", es ? "es" : "en", "--out", dir.path.string()}, kEnglish);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_TRUE(r.err.empty()) << r.err;
      // Every demo draws something, and lists what it drew under the text.
      EXPECT_NE(r.out.find(es ? "Imágenes en " : "Pictures in "), std::string::npos) << r.out;
      EXPECT_FALSE(std::filesystem::is_empty(dir.path));
      text[es] = r.out;
    }
    EXPECT_NE(text[0], text[1]) << "the Spanish text is the English one";
    const CliResult j = run_cli({"demo", name, "--json"}, kEnglish);
    ASSERT_EQ(j.exit_code, 0) << j.err;
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(j.out)) << j.out;
    EXPECT_EQ(parsed.value("demo", ""), name);
    EXPECT_TRUE(parsed["numbers"].is_object() && !parsed["numbers"].empty()) << j.out;
  }
}

}  // namespace
}  // namespace nabla::testing
