// The "wrong message, code or cost" class of #16: every input error is one message naming what
// and where (exit 2), echoed input is a window, not the whole input, and --json writes
// non-finite numbers as documented strings. The bad --host and groups = 1e30 cases were already
// right on 43614f5 and are kept here so that they stay so; the others failed there.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/subprocess.h"

namespace nabla::testing {
namespace {

const std::string kExamples = std::string(NABLA_SOURCE_DIR) + "/examples/";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- config errors: the message, then the config's own line and a caret, never the path ----

TEST(MessagesCli, ConfigErrorEchoesTheLineOfTheFileNotItsPath) {
  TempDir dir;
  write(dir / "bad.toml", "[model]\ninputs = 2\nlayers = [ { type = \"dense\", out = 3 } ]\n");
  const CliResult r = run_cli({"train", (dir / "bad.toml").string(), "--out", (dir / "run").string()});
  EXPECT_EQ(r.exit_code, 2);
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err;
  EXPECT_TRUE(has(lines[0], "bad.toml:3:")) << lines[0];
  EXPECT_TRUE(has(lines[0], "model.layers[0].type")) << lines[0];
  EXPECT_EQ(lines[1], "  layers = [ { type = \"dense\", out = 3 } ]");
  // The caret is under the value the message is about.
  const size_t caret = lines[2].find('^');
  ASSERT_NE(caret, std::string::npos) << r.err;
  EXPECT_EQ(lines[1].substr(caret, 7), "\"dense\"") << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
}

TEST(MessagesCli, FileErrorsWithoutTheirTextAreOneLine) {
  TempDir dir;
  // A CSV error names file:line:column; the file is not echoed (and a --set error has no text).
  write(dir / "d.csv", "a,b,label\n1,2,0\n1,x,1\n");
  write(dir / "c.toml", "[data]\nname = \"csv\"\npath = \"" + (dir / "d.csv").string() +
                            "\"\nlabel = \"label\"\n[model]\ninputs = 2\nlayers = [{ type = \"linear\", out = 1 }]\n"
                            "[loss]\nname = \"bce_logits\"\n[train]\nepochs = 1\n");
  CliResult r = run_cli({"train", (dir / "c.toml").string(), "--out", (dir / "run").string(), "--no-plots"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(has(r.err, "d.csv:3:3: column 'b': expected a number")) << r.err;
  r = run_cli({"train", kExamples + "xor.toml", "--set", "nothing", "--out", (dir / "run2").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
}

// ---- formulas: long flat sums parse; a long input is echoed as a window ----

TEST(MessagesCli, LongFlatSumIsNotNestedTooDeeply) {
  std::string sum = "x";
  for (int i = 1; i < 5000; ++i) sum += i % 2 ? "+x" : "-2*x";  // x + x - 2x + x ...: 1 + 2500 - 2·2499
  const CliResult r = run_cli({"grad", sum, "--at", "x=1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 300);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["grad"]["x"].get<double>(), 1.0 + 2500.0 - 2.0 * 2499.0);
  EXPECT_EQ(j["value"].get<double>(), 1.0 + 2500.0 - 2.0 * 2499.0);
}

TEST(MessagesCli, HugeFormulaIsEchoedAsAWindowAroundTheColumn) {
  std::string formula;
  for (int i = 0; i < 40000; ++i) formula += "x+";  // 80 KB, then a stray ')'
  formula += "x)";
  const CliResult r = run_cli({"grad", formula, "--at", "x=1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_LT(r.err.size(), 600u) << r.err.substr(0, 600);
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err.substr(0, 600);
  EXPECT_TRUE(has(lines[0], "column 80002")) << lines[0];
  EXPECT_EQ(lines[1].rfind("  …", 0), 0u) << lines[1];
  EXPECT_EQ(lines[1].substr(lines[1].size() - 3), "+x)");  // the window ends at the input's end
  // The caret is under the ')' (the window starts with "  …", 2 spaces + 1 character).
  const size_t caret = lines[2].find('^');
  EXPECT_EQ(caret + std::string("…").size() - 1, lines[1].size() - 1) << lines[2];
}

TEST(MessagesCli, HugeNamesInMessagesAreCut) {
  const std::string name(100000, 'y');
  const CliResult r = run_cli({"grad", "x", "--at", "x=1," + name + "=2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_LT(r.err.size(), 1000u);
  EXPECT_TRUE(has(r.err, "…")) << r.err;
}

// ---- explore: the window's bounds ----

TEST(MessagesCli, ExploreNeedsFiniteBoundsAndBlamesOnlyAGivenStart) {
  CliResult r = run_cli({"explore", "x*x", "--from", "-inf", "--to", "inf", "--out", "unused"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "--from must be a finite number")) << r.err;
  EXPECT_FALSE(has(r.err, "a < b")) << r.err;
  r = run_cli({"explore", "x*x", "--from", "-1e308", "--to", "1e308", "--out", "unused"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "too wide")) << r.err;

  TempDir dir;
  r = run_cli({"explore", "x*x", "--from", "-1e300", "--to", "1e300", "--out", (dir / "e").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "a quarter of the way into the window")) << r.out;
  EXPECT_FALSE(has(r.out, "choose another --start")) << r.out;
  r = run_cli(
      {"explore", "x*x", "--from", "-1e300", "--to", "1e300", "--start", "-5e299", "--out", (dir / "e2").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "choose another --start")) << r.out;
}

// ---- --json: inf and NaN as strings ----

TEST(MessagesCli, JsonWritesNonFiniteNumbersAsStrings) {
  const CliResult r = run_cli({"grad", "log(x) + sqrt(y)", "--at", "x=0,y=-1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(has(r.out, "null")) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["value"], "nan");  // -inf + nan
  EXPECT_EQ(j["grad"]["x"], "inf");
  EXPECT_EQ(j["grad"]["y"], "nan");
  bool minus_inf = false;  // log(0) = -inf, in the node of log
  for (const auto& n : j["nodes"]) minus_inf = minus_inf || n["value"] == "-inf";
  EXPECT_TRUE(minus_inf) << r.out;
}

// ---- train options ----

TEST(MessagesCli, TrainOptionErrorsSayWhatIsWrong) {
  TempDir dir;
  const std::string out = (dir / "run").string();
  std::filesystem::create_directory(dir / "adir");
  CliResult r = run_cli({"train", (dir / "adir").string(), "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "is a directory")) << r.err;
  EXPECT_FALSE(has(r.err, "at least one layer")) << r.err;

  r = run_cli({"train", kExamples + "xor.toml", "--set", "optim.lr=1e309", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "optim.lr=1e309: 1e309 is out of range")) << r.err;
  EXPECT_FALSE(has(r.err, "string")) << r.err;
  r = run_cli({"train", kExamples + "xor.toml", "--set", "train.epochs=99999999999999999999", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "out of range")) << r.err;

  // A bad option value is one line naming the option (no usage hint after it), exit 2: CLI11's
  // own checks, the value's conversion included.
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad_values = {
      {{"--checkpoint-every", "-1"}, "--checkpoint-every: must be at least 0, got -1"},
      {{"--checkpoint-every", "x"}, "--checkpoint-every: expected a whole number, got 'x'"},
      {{"--checkpoint-every", "99999999999999999999"},
       "--checkpoint-every: expected a whole number, got '99999999999999999999'"},  // CLI11 took it
      {{"--dpi", "5"}, "--dpi: Value 5 not in range 10"},
      {{"--dpi", "lots"}, "--dpi: expected a number, got 'lots'"}};
  for (const auto& [args, message] : bad_values) {
    std::vector<std::string> cmd = {"train", kExamples + "xor.toml", "--out", out};
    cmd.insert(cmd.end(), args.begin(), args.end());
    r = run_cli(cmd);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("nabla: error: " + message, 0), 0u) << r.err;
    EXPECT_LT(r.err.size(), 120u) << r.err;
  }

  r = run_cli({"train", kExamples + "dense_config2.toml", "--set", "model.layers.1.groups=1e30", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "model.layers[1].groups")) << r.err;
  EXPECT_TRUE(has(r.err, "at most 2^20, got 1e+30")) << r.err;  // not a negative count
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(MessagesCli, BadServeHostIsAnInputError) {
  const CliResult r = run_cli({"serve", "--host", "999.1.1.1", "--port", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "999.1.1.1")) << r.err;
  EXPECT_FALSE(has(r.err, "in use")) << r.err;
}

}  // namespace
}  // namespace nabla::testing
