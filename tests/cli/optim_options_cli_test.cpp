// `nabla train` with an optimizer option out of range: exit 2 and one message naming the key, the
// optimizer's own rule (its options' validate(): the one check) and where the key was written —
// where RMSprop's alpha = 5 used to train until the loss diverged ("try a smaller optim.lr") and
// Adam's eps = -1 was silently replaced by the default (issue #16).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cli/subprocess.h"

namespace nabla::testing {
namespace {

std::string xor_config() { return std::string(NABLA_SOURCE_DIR) + "/examples/xor.toml"; }

CliResult train_with(const TempDir& dir, const std::vector<std::string>& sets) {
  std::vector<std::string> args = {"train", xor_config(), "--out", (dir.path / "run").string(), "--no-plots"};
  for (const std::string& s : sets) args.insert(args.end(), {"--set", s});
  return run_cli(args);
}

void expect_option_error(const CliResult& r, const std::string& key, const std::string& rule) {
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(key + ": " + rule), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("smaller"), std::string::npos) << r.err;  // not a divergence
  EXPECT_EQ(r.out.find("epoch"), std::string::npos) << r.out;    // nothing trained
}

TEST(OptimOptionsCli, RmspropAlphaOutOfRangeNamesTheKey) {
  TempDir dir;
  expect_option_error(train_with(dir, {"optim.name=rmsprop", "optim.alpha=5"}), "optim.alpha",
                      "must be in [0, 1), got 5");
}

TEST(OptimOptionsCli, AdamNegativeEpsIsAnError) {
  TempDir dir;
  expect_option_error(train_with(dir, {"optim.name=adam", "optim.eps=-1"}), "optim.eps", "must be >= 0, got -1");
  TempDir dir2;
  expect_option_error(train_with(dir2, {"optim.name=adagrad", "optim.eps=-1"}), "optim.eps", "must be >= 0, got -1");
}

TEST(OptimOptionsCli, SgdDampeningIsChecked) {
  TempDir dir;
  expect_option_error(train_with(dir, {"optim.dampening=1.5"}), "optim.dampening", "must be in [0, 1], got 1.5");
  TempDir dir2;
  expect_option_error(train_with(dir2, {"optim.momentum=0.9", "optim.nesterov=true", "optim.dampening=0.1"}),
                      "optim.nesterov", "Nesterov momentum requires momentum > 0 and dampening = 0");
}

TEST(OptimOptionsCli, TheFileLineOfTheKeyIsGiven) {
  TempDir dir;
  const auto path = dir.path / "rmsprop.toml";
  std::ofstream(path) << "[model]\nlayers = [{ type = \"linear\", out = 1 }]\n[optim]\nname = \"rmsprop\"\nalpha = 5\n";
  CliResult r = run_cli({"train", path.string(), "--out", (dir.path / "run").string(), "--no-plots"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rmsprop.toml:5:9: optim.alpha: must be in [0, 1), got 5"), std::string::npos) << r.err;
}

TEST(OptimOptionsCli, ValidOptionsStillTrain) {
  TempDir dir;
  CliResult r = train_with(dir, {"optim.name=rmsprop", "optim.alpha=0.9", "optim.lr=0.01", "train.epochs=3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace nabla::testing
