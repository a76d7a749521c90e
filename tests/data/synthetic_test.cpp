// Tests for nabla/data/synthetic.h: each definition checked point by point against its formula,
// determinism for a seed, and agreement with the PyTorch formulas (tests/golden/data_torch.json,
// from tests/golden/gen_data_golden.py).
#include "nabla/data/synthetic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

namespace nabla {
namespace {

const nlohmann::json& torch_golden() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/data_torch.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return nlohmann::json::parse(ss.str());
  }();
  return j;
}

std::vector<double> xs(const Dataset& d) { return d.x.to_vector<double>(); }

TEST(DataSynthetic, LogicGatesAreTheTruthTables) {
  const std::vector<double> table{0, 0, 0, 1, 1, 0, 1, 1};
  const std::map<std::string, std::vector<double>> outputs{
      {"xor", {0, 1, 1, 0}}, {"xnor", {1, 0, 0, 1}}, {"and", {0, 0, 0, 1}}, {"or", {0, 1, 1, 1}}};
  for (const auto& [name, out] : outputs) {
    SCOPED_TRACE(name);
    Dataset d = make_dataset(name, {.dtype = DType::float64});
    EXPECT_EQ(d.x.shape(), (Shape{4, 2}));
    EXPECT_EQ(d.y.shape(), (Shape{4, 1}));
    EXPECT_EQ(d.x.dtype(), DType::float64);
    EXPECT_EQ(d.y.dtype(), DType::float64);
    EXPECT_EQ(d.num_classes, 2);
    EXPECT_EQ(xs(d), table);
    EXPECT_EQ(d.y.to_vector<double>(), out);
  }
  EXPECT_EQ(make_xor().x.dtype(), DType::float32);
}

TEST(DataSynthetic, LogicGatesRepeatTheTableAndAddNoiseToInputsOnly) {
  Dataset d = make_xor({.n = 10, .noise = 0.1, .seed = 4});
  Generator g(4);
  const std::vector<float> e = randn({10, 2}, DType::float32, &g).to_vector<float>();
  const std::vector<float> x = d.x.to_vector<float>();
  const std::vector<float> y = d.y.to_vector<float>();
  const int out[4] = {0, 1, 1, 0};
  for (int i = 0; i < 10; ++i) {
    const int r = i % 4;
    EXPECT_EQ(x[2 * i], float(r >> 1) + 0.1f * e[2 * i]) << i;
    EXPECT_EQ(x[2 * i + 1], float(r & 1) + 0.1f * e[2 * i + 1]) << i;
    EXPECT_EQ(y[i], out[r]) << i;
  }
}

TEST(DataSynthetic, MoonsMatchTheWorkloadsDefinitionPointByPoint) {
  // WORKLOADS.md: c = i mod 2, t = π⌊i/2⌋/(N/2 − 1); class 0 (cos t, sin t);
  // class 1 (1 − cos t, 1 − sin t − 0.5).
  const int64_t n = 1024;
  for (DType dt : {DType::float32, DType::float64}) {
    Dataset d = make_moons({.n = n, .noise = 0.0, .dtype = dt});
    ASSERT_EQ(d.x.shape(), (Shape{n, 2}));
    ASSERT_EQ(d.y.shape(), (Shape{n, 1}));
    const std::vector<double> x = xs(d);
    const std::vector<double> y = d.y.to_vector<double>();
    for (int64_t i = 0; i < n; ++i) {
      const double t = M_PI * double(i / 2) / (double(n) / 2 - 1);
      const double px = i % 2 == 0 ? std::cos(t) : 1 - std::cos(t);
      const double py = i % 2 == 0 ? std::sin(t) : 1 - std::sin(t) - 0.5;
      if (dt == DType::float32) {
        EXPECT_EQ(x[2 * i], double(float(px))) << i;
        EXPECT_EQ(x[2 * i + 1], double(float(py))) << i;
      } else {
        EXPECT_NEAR(x[2 * i], px, 1e-15) << i;
        EXPECT_NEAR(x[2 * i + 1], py, 1e-15) << i;
      }
      EXPECT_EQ(y[i], double(i % 2)) << i;
    }
    // The ends of each moon: t = 0 and t = π.
    EXPECT_NEAR(x[0], 1.0, 1e-7);
    EXPECT_NEAR(x[2 * (n - 2)], -1.0, 1e-7);
    EXPECT_NEAR(x[2 * (n - 1) + 1], 0.5, 1e-7);
  }
}

TEST(DataSynthetic, MoonsWithOddCountSpanHalfCircles) {
  Dataset d = make_moons({.n = 5, .dtype = DType::float64});
  const std::vector<double> x = xs(d);
  // h = ⌈5/2⌉ - 1 = 2: class 0 at t = 0, π/2, π; class 1 at t = 0, π/2.
  EXPECT_NEAR(x[0], 1, 1e-15);
  EXPECT_NEAR(x[4], 0, 1e-15);
  EXPECT_NEAR(x[5], 1, 1e-15);
  EXPECT_NEAR(x[8], -1, 1e-15);
  EXPECT_NEAR(x[6], 1, 1e-15);  // class 1, t = π/2: (1 - 0, 0.5 - 1)
  EXPECT_NEAR(x[7], -0.5, 1e-15);
}

TEST(DataSynthetic, MoonsNoiseIsTheDocumentedTorchFormula) {
  for (const char* key : {"moons_f32", "moons_f32_small", "moons_f64"}) {
    SCOPED_TRACE(key);
    const auto& g = torch_golden()[key];
    const DType dt = std::string(key) == "moons_f64" ? DType::float64 : DType::float32;
    Dataset d = make_moons({.n = g["n"], .noise = g["noise"], .dtype = dt, .seed = g["seed"].get<uint64_t>()});
    const std::vector<double> got = xs(d);
    const auto want = g["x"].get<std::vector<double>>();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
  }
}

TEST(DataSynthetic, SameSeedSameDataDifferentSeedDifferentData) {
  const std::vector<double> a = xs(make_moons({.n = 100, .noise = 0.1, .seed = 1}));
  EXPECT_EQ(a, xs(make_moons({.n = 100, .noise = 0.1, .seed = 1})));
  EXPECT_NE(a, xs(make_moons({.n = 100, .noise = 0.1, .seed = 2})));
  // A seed is the same as a Generator with that seed, or the default generator after manual_seed.
  Generator g(1);
  EXPECT_EQ(a, xs(make_moons({.n = 100, .noise = 0.1, .generator = &g})));
  manual_seed(1);
  EXPECT_EQ(a, xs(make_moons({.n = 100, .noise = 0.1})));
  // A shared generator moves on: the next call differs.
  EXPECT_NE(a, xs(make_moons({.n = 100, .noise = 0.1, .generator = &g})));
  // noise == 0 draws nothing.
  Generator h(9), h2(9);
  make_spirals({.n = 50, .generator = &h});
  EXPECT_EQ(h.random(), h2.random());
}

TEST(DataSynthetic, CirclesDefinition) {
  const int64_t n = 9;
  Dataset d = make_circles({.n = n, .dtype = DType::float64}, 0.3);
  const std::vector<double> x = xs(d);
  const std::vector<double> y = d.y.to_vector<double>();
  const int64_t count[2] = {5, 4};
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % 2;
    const double r = c == 0 ? 1.0 : 0.3;
    const double theta = 2 * M_PI * double(i / 2) / double(count[c]);
    EXPECT_NEAR(x[2 * i], r * std::cos(theta), 1e-15) << i;
    EXPECT_NEAR(x[2 * i + 1], r * std::sin(theta), 1e-15) << i;
    EXPECT_EQ(y[i], double(c));
  }
  EXPECT_THROW(make_circles({}, 1.5), ValueError);
}

TEST(DataSynthetic, SpiralsDefinitionWithKArms) {
  const int64_t n = 31, k = 3;
  Dataset d = make_spirals({.n = n, .dtype = DType::float64}, k);
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.y.dtype(), DType::int64);
  EXPECT_EQ(d.y.shape(), (Shape{n}));
  const std::vector<double> x = xs(d);
  const std::vector<int64_t> y = d.y.to_vector<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % k, j = i / k;
    const int64_t m = c == 0 ? 11 : 10;  // 31 rows: arm 0 gets the extra one
    const double r = double(j) / double(m);
    const double t = 2 * M_PI * 1.75 * r + 2 * M_PI * double(c) / double(k);
    EXPECT_NEAR(x[2 * i], r * std::sin(t), 1e-15) << i;
    EXPECT_NEAR(x[2 * i + 1], r * std::cos(t), 1e-15) << i;
    EXPECT_EQ(y[i], c);
  }
  Dataset two = make_spirals({.n = 20});
  EXPECT_EQ(two.y.shape(), (Shape{20, 1}));  // two arms: binary float targets
  EXPECT_THROW(make_spirals({}, 1), ValueError);
}

TEST(DataSynthetic, BlobsMatchTorchFormula) {
  const auto& g = torch_golden()["blobs"];
  Dataset d =
      make_blobs({.n = g["n"], .noise = g["noise"], .seed = g["seed"].get<uint64_t>()}, g["centers"], g["features"]);
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.y.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}));
  const auto want = g["x"].get<std::vector<double>>();
  const std::vector<double> got = xs(d);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
  // Without noise every row sits on its centre, inside the box.
  Dataset c = make_blobs({.n = 8, .seed = 1}, 4, 3, 2.0);
  const std::vector<double> cx = xs(c);
  for (int64_t i = 4; i < 8; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(cx[i * 3 + j], cx[(i - 4) * 3 + j]);
  for (double v : cx) EXPECT_LE(std::fabs(v), 2.0);
  EXPECT_EQ(make_blobs({.n = 6, .seed = 1}, 2).y.shape(), (Shape{6, 1}));
}

TEST(DataSynthetic, GaussianQuantilesMatchTorchFormula) {
  const auto& g = torch_golden()["gaussian_quantiles"];
  Dataset d = make_gaussian_quantiles({.n = g["n"], .seed = g["seed"].get<uint64_t>()}, g["classes"], g["features"]);
  EXPECT_EQ(d.y.to_vector<int64_t>(), g["y"].get<std::vector<int64_t>>());
  const auto want = g["x"].get<std::vector<double>>();
  const std::vector<double> got = xs(d);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
  // Classes are shells: every point of class c is no farther out than any of class c + 1.
  const std::vector<int64_t> y = d.y.to_vector<int64_t>();
  std::vector<int64_t> counts(3, 0);
  for (int64_t c : y) counts[c]++;
  EXPECT_EQ(counts, (std::vector<int64_t>{6, 6, 8}));
  for (size_t a = 0; a < y.size(); ++a)
    for (size_t b = 0; b < y.size(); ++b)
      if (y[a] < y[b]) {
        EXPECT_LE(got[2 * a] * got[2 * a] + got[2 * a + 1] * got[2 * a + 1],
                  got[2 * b] * got[2 * b] + got[2 * b + 1] * got[2 * b + 1]);
      }
}

TEST(DataSynthetic, MakeDatasetByName) {
  for (const std::string& name : synthetic_dataset_names()) {
    SCOPED_TRACE(name);
    Dataset d = make_dataset(name, {.n = 40, .noise = 0.05, .seed = 0});
    EXPECT_EQ(d.size(), 40);
    EXPECT_EQ(d.num_features(), 2);
    EXPECT_EQ(d.name, name);
    EXPECT_EQ(d.feature_names, (std::vector<std::string>{"x1", "x2"}));
    d.validate();
  }
  EXPECT_EQ(make_dataset("gaussian", {.seed = 0}).size(), 200);
  try {
    make_dataset("mooons");
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown dataset 'mooons'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("moons"), std::string::npos);
  }
}

TEST(DataSynthetic, RejectsBadOptions) {
  Generator g(0);
  EXPECT_THROW(make_moons({.n = -3}), ValueError);
  EXPECT_THROW(make_moons({.noise = -0.1}), ValueError);
  EXPECT_THROW(make_moons({.noise = NAN}), ValueError);
  EXPECT_THROW(make_moons({.dtype = DType::int64}), DTypeError);
  EXPECT_THROW(make_moons({.seed = 1, .generator = &g}), ValueError);
  EXPECT_THROW(make_blobs({}, 1), ValueError);
  EXPECT_THROW(make_gaussian_quantiles({.n = 2}, 3), ValueError);
}

// n x features that does not fit in 64 bits is a ShapeError naming the generator and the
// product, before anything is allocated (it was a wrapped-around size).
TEST(DataSynthetic, SizesThatOverflowAreShapeErrors) {
  auto expect = [](const std::function<void()>& f, const std::string& op) {
    try {
      f();
      ADD_FAILURE() << op << ": no error";
    } catch (const ShapeError& e) {
      EXPECT_NE(std::string(e.what()).find(op + ": n x features"), std::string::npos) << e.what();
    }
  };
  expect([] { make_blobs({.n = int64_t(1) << 40}, 3, int64_t(1) << 30); }, "blobs");
  expect([] { make_gaussian_quantiles({.n = int64_t(1) << 40}, 2, int64_t(1) << 30); }, "gaussian_quantiles");
  expect([] { make_moons({.n = int64_t(1) << 62}); }, "moons");
  expect([] { make_xor({.n = std::numeric_limits<int64_t>::max()}); }, "xor");
}

}  // namespace
}  // namespace nabla
