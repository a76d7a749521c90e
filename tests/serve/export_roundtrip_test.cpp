// The playground's export round-trips (issue #19): for every dataset and every input feature,
// the exported `nabla train` configuration, read by nabla train's own parser, builds the same
// network (parameter names and shapes, and from the same seed the same initial weights) on the
// same data (the same training and test rows, feature for feature); and `nabla train` runs it.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/subprocess.h"
#include "nabla/data/features.h"
#include "nabla/train/config.h"
#include "nabla/train/trainer.h"
#include "session/session.h"

namespace nabla::serve {
namespace {

using json = nlohmann::json;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void expect_same_tensor(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape().to_string(), b.shape().to_string()) << what;
  EXPECT_EQ(a.to_vector<double>(), b.to_vector<double>()) << what;
}

// The exported TOML, parsed as `nabla train` parses it; points.csv written next to it when the
// data are the session's points.
train::TrainConfig exported(const Session& s, const nabla::testing::TempDir& dir) {
  std::vector<std::string> overrides;
  if (s.train_config().data.name == "csv") {
    write_file(dir / "points.csv", s.export_points_csv());
    overrides.push_back("data.path=\"" + (dir / "points.csv").string() + "\"");
  }
  return train::parse_train_config(s.export_toml(), "playground.toml", overrides);
}

void expect_round_trip(const json& j, const std::string& what) {
  const Session s(session_config_from_json(j));
  nabla::testing::TempDir dir;
  const train::TrainConfig cfg = exported(s, dir);
  const train::Trainer t(cfg);
  // The same data, row for row and feature for feature.
  expect_same_tensor(t.train_set().x, s.train_set().x, what + ": training inputs");
  expect_same_tensor(t.train_set().y, s.train_set().y, what + ": training targets");
  expect_same_tensor(t.test_set().x, s.test_set().x, what + ": test inputs");
  expect_same_tensor(t.test_set().y, s.test_set().y, what + ": test targets");
  // The same network: names, shapes and initial values.
  const auto a = const_cast<train::Trainer&>(t).model().named_parameters();
  const auto b = const_cast<Session&>(s).model().named_parameters();
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first) << what;
    expect_same_tensor(a[i].second, b[i].second, what + ": " + a[i].first);
  }
  // Every number written the shortest way that reads back exactly (noise 0.03 as 0.03, not
  // 0.029999999999999999): no shorter %g form gives the same double.
  const std::string text = s.export_toml();
  for (size_t at = text.find(" = "); at != std::string::npos; at = text.find(" = ", at + 1)) {
    const size_t end = text.find_first_of("\n,]}", at + 3);
    const std::string token = text.substr(at + 3, end - at - 3);
    if (token.find('.') == std::string::npos && token.find('e') == std::string::npos) continue;
    if (token.find_first_not_of("0123456789.e+-") != std::string::npos) continue;  // not a number
    const double v = std::stod(token);
    // Significant digits written: from the first non-zero digit to the last ("10.0": 1).
    std::string d;
    for (char ch : token.substr(0, token.find('e')))
      if (std::isdigit(static_cast<unsigned char>(ch))) d += ch;
    const size_t first = d.find_first_not_of('0'), last = d.find_last_not_of('0');
    const int digits = first == std::string::npos ? 0 : int(last - first + 1);
    for (int p = 1; p < digits; ++p) {
      char shorter[40];
      std::snprintf(shorter, sizeof shorter, "%.*g", p, v);
      EXPECT_NE(std::stod(shorter), v) << what << ": " << token << " could be written " << shorter;
    }
  }
}

TEST(ServeExport, EveryDatasetAndFeatureTrainsTheSameNetwork) {
  for (const std::string& d : session_dataset_names()) {
    // Each feature alone, then all of them (in the playground's order).
    std::vector<std::vector<std::string>> sets;
    for (const std::string& f : session_feature_names()) sets.push_back({f});
    sets.push_back(session_feature_names());
    for (const auto& features : sets) {
      json j = {{"dataset", d},     {"points", 80}, {"features", features}, {"noise", 3}, {"classes", 3},
                {"hidden", {3, 2}}, {"seed", 7}};
      std::string what = d + " [";
      for (const auto& f : features) what += " " + f;
      expect_round_trip(j, what + " ]");
    }
  }
}

TEST(ServeExport, NablaTrainRunsTheExportWithEveryFeature) {
  const Session s(session_config_from_json(
      json{{"dataset", "spiral"}, {"points", 60}, {"features", session_feature_names()}, {"seed", 3}}));
  nabla::testing::TempDir dir;
  write_file(dir / "playground.toml", s.export_toml());
  const auto r = nabla::testing::run_cli(
      {"train", (dir / "playground.toml").string(), "--set", "train.epochs=3", "--out", (dir / "run").string(), "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "model.safetensors"));
}

}  // namespace
}  // namespace nabla::serve
