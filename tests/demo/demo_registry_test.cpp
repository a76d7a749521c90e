// Every demo `nabla demo --list` names (each registers itself from its file in apps/cli/demos/)
// runs in English, in Spanish and with --json: a new demo is tested by being registered.
#include <gtest/gtest.h>

#include <algorithm>
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

// The demos, one test each (a sanitizer build needs minutes for the long training demos, so one
// test for all of them would not fit one test's time limit). The first test keeps this list equal
// to what is registered, so a new demo fails until it is added here, and is then tested.
const std::vector<std::string> kDemos = {"cost-landscape",  "chain-rule", "neuron-step",    "neuron-boundary",
                                         "circle-2-2-1",    "xor",        "xnor-threshold", "residual-vs-sigmoid",
                                         "bce-mean-vs-sum", "autodiff",   "dense-configs"};

TEST(DemoRegistry, EveryRegisteredDemoIsTestedHere) {
  std::vector<std::string> listed = listed_demos(), known = kDemos;
  std::sort(listed.begin(), listed.end());
  std::sort(known.begin(), known.end());
  EXPECT_EQ(listed, known) << "add a new demo to kDemos in " << __FILE__;
}

class EveryDemo : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryDemo, RunsInBothLanguagesAndAsJson) {
  const std::string name = GetParam();
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

INSTANTIATE_TEST_SUITE_P(DemoRegistry, EveryDemo, ::testing::ValuesIn(kDemos),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace nabla::testing
