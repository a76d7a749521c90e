// nabla::sklearn::train_test_split, nabla::load_diabetes and nabla::Standardizer against
// scikit-learn 1.2.1: tests/golden/sklearn_golden.json (made by tests/golden/gen_sklearn.py) —
// split indices for several (n, test_size, random_state), the Diabetes data bit for bit, and the
// dense-network homework's split (0.3 then 0.2, random_state 42) with StandardScaler fitted on
// its training rows (f64 to 1e-12 relative). The embedded data equal data/diabetes.csv.
#include "nabla/data/sklearn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nabla/data/diabetes.h"
#include "nabla/error.h"
#include "nabla/train/config.h"
#include "nabla/train/trainer.h"

namespace nabla {
namespace {

using nlohmann::json;

const json& golden() {
  static const json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/sklearn_golden.json");
    return in ? json::parse(in) : json{{"splits", json::array()}};
  }();
  return doc;
}

std::string fnv1a64(const std::vector<double>& values) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (double v : values) {
    unsigned char bytes[8];
    std::memcpy(bytes, &v, 8);
    for (unsigned char b : bytes) h = (h ^ b) * 0x100000001B3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double rel, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), rel * std::max(1.0, std::fabs(want[i])))
        << what << "[" << i << "]: " << got[i] << " vs sklearn " << want[i];
}

TEST(SklearnGoldenFile, Loads) {
  ASSERT_GE(golden()["splits"].size(), 5u)
      << "tests/golden/sklearn_golden.json is missing or empty; regenerate it with "
         "/usr/bin/python3 tests/golden/gen_sklearn.py > tests/golden/sklearn_golden.json";
}

TEST(SklearnTrainTestSplit, IndicesMatchSklearn) {
  for (const json& c : golden()["splits"]) {
    SCOPED_TRACE(c.dump().substr(0, 60));
    const sklearn::SplitIndices s = sklearn::train_test_split(c["n"].get<std::int64_t>(), c["test_size"].get<double>(),
                                                              c["random_state"].get<std::uint32_t>());
    EXPECT_EQ(s.train, c["train"].get<std::vector<std::int64_t>>());
    EXPECT_EQ(s.test, c["test"].get<std::vector<std::int64_t>>());
  }
}

TEST(SklearnTrainTestSplit, BadSizesThrow) {
  EXPECT_THROW(sklearn::train_test_split(10, 0.0, 0), ValueError);
  EXPECT_THROW(sklearn::train_test_split(10, 1.0, 0), ValueError);
  EXPECT_THROW(sklearn::train_test_split(1, 0.5, 0), ValueError);  // ceil(0.5) = 1 test row, no train row
}

TEST(Diabetes, EqualsSklearnBitForBit) {
  const json& g = golden()["diabetes"];
  const Dataset d = load_diabetes();
  ASSERT_EQ(d.size(), g["shape"][0].get<std::int64_t>());
  ASSERT_EQ(d.num_features(), g["shape"][1].get<std::int64_t>());
  EXPECT_EQ(d.num_classes, 0);
  EXPECT_EQ(d.y.shape().to_string(), "[442, 1]");
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"}));
  EXPECT_EQ(fnv1a64(d.x.to_vector<double>()), g["x_fnv1a"].get<std::string>());
  EXPECT_EQ(fnv1a64(d.y.to_vector<double>()), g["y_fnv1a"].get<std::string>());
  const std::vector<double> x = d.x.to_vector<double>(), y = d.y.to_vector<double>();
  for (const auto& [row, values] : g["rows"].items()) {
    const size_t i = std::stoul(row);
    std::vector<double> got(x.begin() + i * 10, x.begin() + i * 10 + 10);
    got.push_back(y[i]);
    EXPECT_EQ(got, values.get<std::vector<double>>()) << "row " << i;
  }
  // float32: the float64 values rounded.
  const Dataset f = load_diabetes(DType::float32);
  EXPECT_EQ(f.x.dtype(), DType::float32);
  const std::vector<float> xf = f.x.to_vector<float>();
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(xf[i], static_cast<float>(x[i])) << i;
  EXPECT_THROW(load_diabetes(DType::int64), DTypeError);
}

TEST(Diabetes, EmbeddedTextEqualsTheCsvFile) {
  std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/data/diabetes.csv", std::ios::binary);
  ASSERT_TRUE(in) << "data/diabetes.csv";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(diabetes_csv(), text.str());
}

// The homework's cells: split 0.3, split the training part 0.2, StandardScaler on the training rows.
TEST(SklearnStandardScaler, HomeworkSplitAndScalerMatchSklearn) {
  const json& g = golden()["protocol"];
  const Dataset d = load_diabetes();
  const sklearn::SplitIndices first = sklearn::train_test_split(d.size(), 0.3, 42);
  const sklearn::SplitIndices second =
      sklearn::train_test_split(static_cast<std::int64_t>(first.train.size()), 0.2, 42);
  std::vector<std::int64_t> train, val;
  for (std::int64_t i : second.train) train.push_back(first.train[i]);
  for (std::int64_t i : second.test) val.push_back(first.train[i]);
  EXPECT_EQ(train, g["train_rows"].get<std::vector<std::int64_t>>());
  EXPECT_EQ(val, g["val_rows"].get<std::vector<std::int64_t>>());
  EXPECT_EQ(first.test, g["test_rows"].get<std::vector<std::int64_t>>());

  // The same rows through the Dataset overload.
  auto [rest, test] = sklearn::train_test_split(d, 0.3, 42);
  auto [tr, va] = sklearn::train_test_split(rest, 0.2, 42);
  EXPECT_EQ(tr.x.to_vector<double>(), d.subset(train).x.to_vector<double>());
  EXPECT_EQ(va.y.to_vector<double>(), d.subset(val).y.to_vector<double>());

  const Standardizer s = Standardizer::fit(tr.x);
  expect_close(s.mean().to_vector<double>(), g["mean"], 1e-12, "mean_");
  expect_close(s.scale().to_vector<double>(), g["scale"], 1e-12, "scale_");
  expect_close(s.transform(tr.x).to_vector<double>(), g["x_train"], 1e-12, "X_train");
  expect_close(s.transform(va.x).to_vector<double>(), g["x_val"], 1e-12, "X_val");
  expect_close(s.transform(test.x).to_vector<double>(), g["x_test"], 1e-12, "X_test");
}

// [data] name = "diabetes" with the sklearn split: the trainer's three sets are the homework's.
TEST(DiabetesConfig, TrainerSplitsAsTheHomework) {
  const std::string toml = R"(
seed = 42
[data]
name = "diabetes"
split = "sklearn"
random_state = 42
test_fraction = 0.3
validation_fraction = 0.2
standardize = true
[model]
inputs = 10
layers = [{ type = "linear", out = 1 }]
[loss]
name = "mse"
)";
  const train::TrainConfig c = train::parse_train_config(toml, "diabetes.toml");
  EXPECT_EQ(c.data.split, "sklearn");
  EXPECT_EQ(c.data.random_state, 42);
  EXPECT_EQ(c.data.validation_fraction, 0.2);
  EXPECT_NE(train::to_toml(c).find("validation_fraction = 0.2"), std::string::npos) << train::to_toml(c);
  train::Trainer t(c);
  const json& g = golden()["protocol"];
  ASSERT_EQ(t.train_set().size(), 247);
  ASSERT_EQ(t.test_set().size(), 62);
  ASSERT_EQ(t.holdout_set().size(), 133);
  EXPECT_EQ(t.train_set().x.dtype(), DType::float32);
  auto as_float = [](const json& values) {
    std::vector<float> out;
    for (double v : values.get<std::vector<double>>()) out.push_back(static_cast<float>(v));
    return out;
  };
  // float32 of sklearn's float64 values: equal unless nabla's standardisation differs in the last
  // bits of a float64 that rounds differently; allow one float ulp.
  auto expect_floats = [](const std::vector<float>& got, const std::vector<float>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_LE(std::fabs(got[i] - want[i]), std::fabs(want[i]) * 1.2e-7f) << what << "[" << i << "]";
  };
  expect_floats(t.train_set().x.to_vector<float>(), as_float(g["x_train"]), "train");
  expect_floats(t.test_set().x.to_vector<float>(), as_float(g["x_val"]), "validation");
  expect_floats(t.holdout_set().x.to_vector<float>(), as_float(g["x_test"]), "test");
  const Dataset d = load_diabetes();
  EXPECT_EQ(t.holdout_set().y.to_vector<double>(),
            d.subset(g["test_rows"].get<std::vector<std::int64_t>>()).y.to_vector<double>());
}

TEST(DiabetesConfig, BadSplitOptionsAreErrors) {
  const std::string head = "[data]\nname = \"diabetes\"\ntest_fraction = 0.3\n";
  const std::string tail = "[model]\ninputs = 10\nlayers = [{ type = \"linear\", out = 1 }]\n[loss]\nname = \"mse\"\n";
  EXPECT_THROW(train::parse_train_config(head + "validation_fraction = 0.2\n" + tail), ParseError);  // split random
  EXPECT_THROW(train::parse_train_config(head + "split = \"sklearn\"\nrandom_state = -1\n" + tail), ParseError);
  EXPECT_THROW(train::parse_train_config(head + "split = \"numpy\"\n" + tail), ParseError);
  EXPECT_THROW(
      train::parse_train_config("[data]\nname = \"diabetes\"\nsplit = \"sklearn\"\nvalidation_fraction = 0.2\n" + tail),
      ParseError);  // no test rows
  EXPECT_THROW(train::parse_train_config(head + tail + "[train]\ngenerator = \"mine\"\n"), ParseError);
}

}  // namespace
}  // namespace nabla
