// Shared by the nn tests: reading tests/golden/nn_golden.json (made by
// tests/golden/gen_nn_golden.py with PyTorch), comparing tensors, and the residual net of the
// seed-002 experiment written as a free-form module.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "nabla/nabla.h"
#include "nabla/nn/nn.h"

namespace nabla::testing {

using nlohmann::json;

// The golden file, read once (also while parameterised tests are registered: a missing file
// gives empty sections, and NnGoldenFile.Loads fails, rather than a crash before main).
inline const json& nn_golden() {
  static const json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/nn_golden.json");
    return in ? json::parse(in) : json::object();
  }();
  return doc;
}

inline const json& nn_section(const char* name) {
  static const json empty = json::array();
  return nn_golden().contains(name) ? nn_golden()[name] : empty;
}

// Same shape, dtype and every bit of every element (NaNs included).
inline bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  Tensor ca = a.contiguous(), cb = b.contiguous();
  return ca.numel() == 0 ||
         std::memcmp(ca.raw_data(), cb.raw_data(), size_t(ca.numel()) * element_size(ca.dtype())) == 0;
}

inline DType dtype_named(const std::string& s) {
  if (s == "float32") return DType::float32;
  if (s == "int64") return DType::int64;
  return DType::float64;
}

inline Tensor decode(const json& j) {
  Shape shape(j["shape"].get<std::vector<int64_t>>());
  const DType dtype = dtype_named(j.value("dtype", std::string("float64")));
  if (dtype == DType::int64) return Tensor::from_vector(j["data"].get<std::vector<int64_t>>(), shape);
  return Tensor::from_vector(j["data"].get<std::vector<double>>(), shape, DType::float64).to(dtype).contiguous();
}

inline nn::StateDict decode_state(const json& pairs) {
  nn::StateDict out;
  for (const auto& p : pairs) out.emplace_back(p[0].get<std::string>(), decode(p[1]));
  return out;
}

// |a - e| <= tol·(1 + |e|) elementwise (NaN must meet NaN).
inline void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what, double tol = 1e-12) {
  ASSERT_TRUE(actual.defined()) << what << ": undefined";
  ASSERT_EQ(actual.shape(), expected.shape())
      << what << ": shape " << actual.shape().to_string() << " vs " << expected.shape().to_string();
  auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  int failures = 0;
  for (size_t i = 0; i < a.size() && failures < 5; ++i) {
    if (std::isnan(e[i])) {
      EXPECT_TRUE(std::isnan(a[i])) << what << "[" << i << "]";
      continue;
    }
    if (std::fabs(a[i] - e[i]) > tol * (1 + std::fabs(e[i]))) {
      ++failures;
      ADD_FAILURE() << what << "[" << i << "]: " << a[i] << " vs PyTorch " << e[i] << " (diff " << a[i] - e[i] << ")";
    }
  }
}

// Bit-for-bit equality (for values drawn from the RNG).
inline void expect_bitwise(const Tensor& actual, const Tensor& expected, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what << ": undefined";
  ASSERT_EQ(actual.shape(), expected.shape())
      << what << ": shape " << actual.shape().to_string() << " vs " << expected.shape().to_string();
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  int failures = 0;
  for (size_t i = 0; i < a.size() && failures < 5; ++i)
    if (std::memcmp(&a[i], &e[i], sizeof(double)) != 0) {
      ++failures;
      ADD_FAILURE() << what << "[" << i << "]: " << a[i] << " vs PyTorch " << e[i];
    }
}

// The seed-002 net 2-64-64-64-1 with ReLU and one skip connection: the output of hidden layer 1
// is added to the pre-activation of hidden layer 3. Its forward is written by hand, which is
// what a free-form module is for.
struct ResidualNet : nn::Module {
  explicit ResidualNet(DType dtype = DType::float32) : Module("ResidualNet") {
    fc1 = register_module("fc1", std::make_shared<nn::Linear>(nn::LinearOptions(2, 64).dtype(dtype)));
    fc2 = register_module("fc2", std::make_shared<nn::Linear>(nn::LinearOptions(64, 64).dtype(dtype)));
    fc3 = register_module("fc3", std::make_shared<nn::Linear>(nn::LinearOptions(64, 64).dtype(dtype)));
    out = register_module("out", std::make_shared<nn::Linear>(nn::LinearOptions(64, 1).dtype(dtype)));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h1 = relu(fc1->forward(x));
    Tensor h2 = relu(fc2->forward(h1));
    Tensor h3 = relu(fc3->forward(h2) + h1);  // the skip
    return out->forward(h3);
  }
  std::shared_ptr<nn::Linear> fc1, fc2, fc3, out;
};

// The seed-002 net as a Sequential: Linear(2,64), ReLU, Linear(64,64), ReLU, Linear(64,64), ReLU, Linear(64,1).
inline std::shared_ptr<nn::Sequential> seed002_mlp(DType dtype = DType::float32) {
  auto lin = [dtype](int64_t i, int64_t o) {
    return std::make_shared<nn::Linear>(nn::LinearOptions(i, o).dtype(dtype));
  };
  return std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
      lin(2, 64), std::make_shared<nn::ReLU>(), lin(64, 64), std::make_shared<nn::ReLU>(), lin(64, 64),
      std::make_shared<nn::ReLU>(), lin(64, 1)});
}

}  // namespace nabla::testing
