// Every op against PyTorch (values, first and second derivatives) and against finite
// differences (gradcheck / gradgradcheck), on the cases of op_cases.h.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "op_cases.h"

namespace nabla::testing {
namespace {

struct GoldenCase {
  std::string name;
  std::vector<Tensor> inputs;
  Tensor output;
  std::vector<Tensor> grads, grad2;
};

Tensor decode(const nlohmann::json& j) {
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  return Tensor::from_vector(j["data"].get<std::vector<double>>(), Shape(shape), DType::float64);
}

const std::vector<GoldenCase>& golden_cases() {
  static std::vector<GoldenCase> cases = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/ops_golden.json");
    nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<GoldenCase> out;
    for (const auto& c : doc["cases"]) {
      GoldenCase g{c["name"], {}, decode(c["output"]), {}, {}};
      for (const auto& t : c["inputs"]) g.inputs.push_back(decode(t));
      for (const auto& t : c["grads"]) g.grads.push_back(decode(t));
      for (const auto& t : c["grad2"]) g.grad2.push_back(decode(t));
      out.push_back(std::move(g));
    }
    return out;
  }();
  return cases;
}

void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what, double tol = 1e-12) {
  ASSERT_TRUE(actual.defined()) << what << ": undefined";
  ASSERT_EQ(actual.shape(), expected.shape())
      << what << ": shape " << actual.shape().to_string() << " vs " << expected.shape().to_string();
  auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i])) {
      EXPECT_TRUE(std::isnan(a[i])) << what << "[" << i << "]";
      continue;
    }
    EXPECT_NEAR(a[i], e[i], tol * (1 + std::fabs(e[i]))) << what << "[" << i << "]";
  }
}

Tensor weighting(const Tensor& y, double lo, double hi) {
  return linspace(lo, hi, y.numel(), DType::float64).reshape(y.shape());
}

class OpGolden : public ::testing::TestWithParam<size_t> {};

TEST_P(OpGolden, MatchesPyTorchValuesFirstAndSecondDerivatives) {
  const GoldenCase& c = golden_cases()[GetParam()];
  auto it = op_cases().find(c.name);
  ASSERT_NE(it, op_cases().end()) << "no C++ case for " << c.name;
  std::vector<Tensor> xs;
  for (const Tensor& t : c.inputs) xs.push_back(t.clone().requires_grad_());
  Tensor y = it->second(xs);
  expect_close(y, c.output, c.name + " value");
  if (!y.requires_grad()) return;
  std::vector<Tensor> g = grad({sum(y * weighting(y, 0.5, 1.5))}, xs, {.create_graph = true, .allow_unused = true});
  Tensor s = zeros({}, DType::float64);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!g[i].defined()) g[i] = zeros_like(xs[i]);
    expect_close(g[i], c.grads[i], c.name + " grad " + std::to_string(i));
    s = s + sum(g[i] * weighting(g[i], -1.0, 1.0));
  }
  std::vector<Tensor> gg = s.requires_grad() ? grad({s}, xs, {.allow_unused = true}) : std::vector<Tensor>(xs.size());
  for (size_t i = 0; i < xs.size(); ++i)
    expect_close(gg[i].defined() ? gg[i] : zeros_like(xs[i]), c.grad2[i], c.name + " grad2 " + std::to_string(i));
}

TEST_P(OpGolden, GradcheckFirstAndSecondOrder) {
  const GoldenCase& c = golden_cases()[GetParam()];
  auto fn = op_cases().at(c.name);
  std::vector<Tensor> xs;
  for (const Tensor& t : c.inputs) xs.push_back(t.clone().requires_grad_());
  GradcheckResult first = gradcheck(fn, xs);
  EXPECT_TRUE(first.ok) << c.name << ": " << first.message;
  GradcheckResult second = gradgradcheck(fn, xs);
  EXPECT_TRUE(second.ok) << c.name << " (second order): " << second.message;
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpGolden, ::testing::Range<size_t>(0, golden_cases().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) { return golden_cases()[info.param].name; });

TEST(OpGoldenCoverage, EveryCaseHasGoldenValues) {
  std::set<std::string> names;
  for (const auto& c : golden_cases()) names.insert(c.name);
  for (const auto& [name, fn] : op_cases()) EXPECT_TRUE(names.count(name)) << name << " has no PyTorch golden values";
}

}  // namespace
}  // namespace nabla::testing
