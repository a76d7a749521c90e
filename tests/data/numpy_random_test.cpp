// nabla::numpy against numpy 1.24.2's default_rng, bit for bit: tests/golden/numpy_random_golden.json
// (made by tests/golden/gen_numpy_random.py) — SeedSequence, PCG64's state and raw output, 100 000
// standard normals per seed (tail draws included), random(), normal(scale=0.5), the state after
// each run — and the data of seed 000 §4 and §7 exactly as the notebooks draw and label them;
// label rules, and the `numpy_normal` dataset of training configurations.
#include "nabla/data/numpy_random.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nabla/error.h"
#include "nabla/train/config.h"
#include "nabla/train/trainer.h"

namespace nabla::numpy {
namespace {

using nlohmann::json;

const json& golden() {
  static const json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/numpy_random_golden.json");
    return in ? json::parse(in) : json{{"cases", json::array()}};
  }();
  return doc;
}

std::uint64_t hex64(const std::string& s) { return std::stoull(s, nullptr, 16); }

std::string hex128(std::uint64_t high, std::uint64_t low) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

std::string state_string(const PCG64& bits) {
  const PCG64::State s = bits.state();
  return hex128(s.state_high, s.state_low) + " " + hex128(s.inc_high, s.inc_low);
}
std::string state_string(const json& j) { return j["state"].get<std::string>() + " " + j["inc"].get<std::string>(); }

std::string fnv1a64(const std::vector<double>& values) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (double v : values) {
    unsigned char bytes[8];
    std::memcpy(bytes, &v, 8);  // little-endian, as struct.pack("<d")
    for (unsigned char b : bytes) h = (h ^ b) * 0x100000001B3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Every stored value bit for bit (head, then every STRIDE-th, which finds a first difference)
// and the hash of the whole run.
void expect_run(const std::vector<double>& got, const json& want, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(got.size(), want["n"].get<size_t>());
  const std::vector<double> head = want["head"], every = want["every"];
  for (size_t i = 0; i < head.size(); ++i)
    ASSERT_EQ(std::bit_cast<std::uint64_t>(got[i]), std::bit_cast<std::uint64_t>(head[i]))
        << "value " << i << ": " << got[i] << " vs numpy " << head[i];
  const size_t stride = want["stride"];
  for (size_t k = 0; k < every.size(); ++k)
    ASSERT_EQ(std::bit_cast<std::uint64_t>(got[k * stride]), std::bit_cast<std::uint64_t>(every[k]))
        << "value " << k * stride << ": " << got[k * stride] << " vs numpy " << every[k];
  EXPECT_EQ(fnv1a64(got), want["fnv1a"].get<std::string>());
}

TEST(NumpyRandomGoldenFile, Loads) {
  ASSERT_GE(golden()["cases"].size(), 4u)
      << "tests/golden/numpy_random_golden.json is missing or empty; regenerate it with "
         "/usr/bin/python3 tests/golden/gen_numpy_random.py > tests/golden/numpy_random_golden.json";
  ASSERT_TRUE(golden().contains("seed000"));
}

class NumpyRandomGolden : public ::testing::TestWithParam<size_t> {
 protected:
  const json& c() const { return golden()["cases"][GetParam()]; }
  std::uint64_t seed() const { return hex64(c()["seed"]); }
};

TEST_P(NumpyRandomGolden, SeedSequence) {
  const SeedSequence ss(seed());
  const std::vector<std::uint32_t> pool(ss.pool().begin(), ss.pool().end());
  EXPECT_EQ(pool, c()["pool"].get<std::vector<std::uint32_t>>());
  EXPECT_EQ(ss.generate_state(8), c()["generate_state"].get<std::vector<std::uint32_t>>());
  // uint64 words are the uint32 words paired, little-endian.
  const std::vector<std::uint32_t> w = ss.generate_state(4);
  EXPECT_EQ(ss.generate_state64(2),
            (std::vector<std::uint64_t>{w[0] | std::uint64_t(w[1]) << 32, w[2] | std::uint64_t(w[3]) << 32}));
}

TEST_P(NumpyRandomGolden, Pcg64StateAndRawOutput) {
  PCG64 bits(seed());
  EXPECT_EQ(state_string(bits), state_string(c()["pcg64"]));
  for (const json& v : c()["random_raw"]) EXPECT_EQ(bits.random_raw(), hex64(v));
}

TEST_P(NumpyRandomGolden, NormalsUniformsAndStatesBitForBit) {
  Generator rng(seed());
  const std::vector<double> normals = rng.standard_normal(c()["standard_normal"]["n"].get<size_t>());
  expect_run(normals, c()["standard_normal"], "standard_normal");
  // The run went through the ziggurat's tail (|x| > r) as often as numpy's did.
  int64_t tail = 0;
  for (double v : normals) tail += std::fabs(v) > 3.6541528853610088;
  EXPECT_EQ(tail, c()["tail"].get<int64_t>());
  EXPECT_GT(tail, 0);
  EXPECT_EQ(state_string(rng.bit_generator()), state_string(c()["state_after_normal"]));
  expect_run(rng.random(c()["random"]["n"].get<size_t>()), c()["random"], "random");
  expect_run(rng.normal(c()["scaled_normal"]["n"].get<size_t>(), 0.0, 0.5), c()["scaled_normal"], "normal(scale=0.5)");
  EXPECT_EQ(state_string(rng.bit_generator()), state_string(c()["state_after"]));
}

INSTANTIATE_TEST_SUITE_P(Seeds, NumpyRandomGolden, ::testing::Range<size_t>(0, golden()["cases"].size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return "seed_" + std::to_string(hex64(golden()["cases"][info.param]["seed"]));
                         });

// ---- seed 000's data ----

void expect_bits(const std::vector<double>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(got[i]), std::bit_cast<std::uint64_t>(want[i])) << what << "[" << i << "]";
}

TEST(NumpyRandomSeed000, Section4PointsLabelsAndStartingWeights) {
  const json& s = golden()["seed000"]["section4"];
  const std::vector<double> x = s["x"], y = s["y"], w = s["w"];
  const Dataset d = make_normal_dataset({.n = 60, .features = 2, .seed = 7, .label = s["label"]});
  expect_bits(d.x.to_vector<double>(), x, "X");
  expect_bits(d.y.to_vector<double>(), y, "Y");
  EXPECT_EQ(d.y.shape(), Shape({60, 1}));
  EXPECT_EQ(d.num_classes, 2);
  // W = rng.normal(scale=0.5, size=(1, 2)): the same generator, after X.
  Generator rng(7);
  rng.normal(120);
  expect_bits(rng.normal(2, 0.0, 0.5), w, "W");
}

TEST(NumpyRandomSeed000, Section7PointsAndLabels) {
  const json& s = golden()["seed000"]["section7"];
  const Dataset d = make_normal_dataset({.n = 80, .features = 2, .seed = 3, .label = s["label"]});
  expect_bits(d.x.to_vector<double>(), s["x"].get<std::vector<double>>(), "X");
  expect_bits(d.y.to_vector<double>(), s["y"].get<std::vector<double>>(), "Y");
}

TEST(NumpyRandomDataset, Float32CastsTheDoubles) {
  const Dataset d64 = make_normal_dataset({.n = 5, .features = 3, .seed = 1, .label = "x3 <= 0"});
  const Dataset d32 =
      make_normal_dataset({.n = 5, .features = 3, .seed = 1, .label = "x3 <= 0", .dtype = DType::float32});
  EXPECT_EQ(d32.x.dtype(), DType::float32);
  const std::vector<double> a = d64.x.to_vector<double>(), b = d32.x.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(b[i], double(float(a[i])));
  EXPECT_EQ(d64.y.to_vector<double>(), d32.y.to_vector<double>());
  EXPECT_THROW(make_normal_dataset({.n = 0, .label = "x1 > 0"}), ValueError);
}

// ---- label rules ----

TEST(NumpyLabelRule, ComparisonsAndFunctions) {
  const double row[] = {0.5, -2.0, 3.0};
  EXPECT_TRUE(LabelRule("x1^2 + x2^2 > 1.3", 3)(row));
  EXPECT_FALSE(LabelRule("x1 > x1", 3)(row));
  EXPECT_TRUE(LabelRule("x1 >= x1", 3)(row));
  EXPECT_TRUE(LabelRule("x2 < 0", 3)(row));
  EXPECT_TRUE(LabelRule("x3<=3", 3)(row));
  EXPECT_TRUE(LabelRule("sigmoid(2*x1 - x2 + 0.5) > 0.5", 3)(row));
  EXPECT_TRUE(LabelRule("max(x1, x3) - min(abs(x2), sqrt(x3)) > exp(log(1.2))", 3)(row));
  EXPECT_TRUE(LabelRule("(x1 + 1) * 2 > tanh(x2) + sin(x3) + cos(0)", 3)(row));
  EXPECT_FALSE(LabelRule("x2^3 > -7.9", 3)(row));
}

TEST(NumpyLabelRule, ErrorsPointAtTheColumn) {
  auto column_of = [](const std::string& rule, int64_t features) {
    try {
      LabelRule r(rule, features);
    } catch (const ParseError& e) {
      EXPECT_EQ(e.source(), rule);
      return e.column();
    }
    ADD_FAILURE() << rule << " was accepted";
    return 0;
  };
  EXPECT_EQ(column_of("x1^2 + x2^2", 2), 12);   // no comparison
  EXPECT_EQ(column_of("x1 > 0 > x2", 2), 8);    // two
  EXPECT_EQ(column_of("x1 + x3 > 0", 2), 6);    // x3 with two features
  EXPECT_EQ(column_of("x1 > y", 2), 6);         // not a feature
  EXPECT_EQ(column_of("x1 > relu(x2)", 2), 6);  // not a supported function
  EXPECT_EQ(column_of("x1 > (x2 +", 2), 11);    // malformed right side: the column in the rule
  EXPECT_EQ(column_of("x0 > 1", 2), 1);
}

// ---- [data] name = "numpy_normal" in a training configuration ----

const std::string kConfig = R"(seed = 3
dtype = "float64"
[data]
name = "numpy_normal"
n = 80
label = "x1^2 + x2^2 > 1.3"
[model]
inputs = 2
layers = [{ type = "linear", out = 1 }, { type = "sigmoid" }]
)";

TEST(NumpyNormalConfig, TrainsOnTheNotebooksPoints) {
  const train::TrainConfig cfg = train::parse_train_config(kConfig, "c.toml");
  EXPECT_EQ(cfg.data.noise, 0.0);  // nothing is added to numpy's points
  train::Trainer t(cfg);
  const Dataset want = make_normal_dataset({.n = 80, .features = 2, .seed = 3, .label = "x1^2 + x2^2 > 1.3"});
  EXPECT_EQ(t.train_set().x.to_vector<double>(), want.x.to_vector<double>());
  EXPECT_EQ(t.train_set().y.to_vector<double>(), want.y.to_vector<double>());
  // The resolved configuration (what `nabla train` writes as config.toml) reads back the same.
  const train::TrainConfig again = train::parse_train_config(train::to_toml(cfg), "resolved.toml");
  EXPECT_EQ(again.data.name, "numpy_normal");
  EXPECT_EQ(again.data.label, cfg.data.label);
}

TEST(NumpyNormalConfig, ErrorsNameTheKeyAndLine) {
  auto message = [](const std::vector<std::string>& overrides) {
    try {
      train::parse_train_config(kConfig, "c.toml", overrides);
    } catch (const ParseError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string var = message({"data.label=\"x1 + x3 > 0\""});
  EXPECT_NE(var.find("data.label"), std::string::npos) << var;
  EXPECT_NE(var.find("unknown variable 'x3'"), std::string::npos) << var;
  const std::string none = message({"data.label=\"\""});
  EXPECT_NE(none.find("needs a label rule"), std::string::npos) << none;
  const std::string noise = message({"data.noise=0.1"});
  EXPECT_NE(noise.find("noise must be 0"), std::string::npos) << noise;
  EXPECT_EQ(message({"data.noise=0.0"}), "accepted");
}

}  // namespace
}  // namespace nabla::numpy
