// Optimizers, LR schedulers and gradient clipping against PyTorch 1.13 (tests/golden/optim_golden.json,
// written by tests/golden/gen_optim_golden.py).
#include <gtest/gtest.h>

#include "optim_cases.h"

namespace nabla::testing {
namespace {

// ---- optimizer trajectories ----

class OptimGolden : public ::testing::TestWithParam<size_t> {};

TEST_P(OptimGolden, ParametersMatchPyTorchAfterEveryStep) {
  const nlohmann::json& c = optim_golden()["trajectories"][GetParam()];
  const std::string name = c["name"];
  const DType dtype = c["dtype"] == "float32" ? DType::float32 : DType::float64;
  // float64 follows PyTorch operation for operation: only rounding differences (PyTorch's
  // vectorized kernels fuse multiply-adds; its sin/tanh differ in the last bit) remain.
  const double tol = dtype == DType::float64 ? 1e-12 : 1e-5;
  auto it = optim_cases().find(name);
  ASSERT_NE(it, optim_cases().end()) << "no C++ case for " << name;

  std::vector<Tensor> p = golden_params(dtype);
  const std::vector<double> z0 = p[2].to_vector<double>();
  LossConsts K = loss_consts(dtype);
  OptimSetup setup = it->second(p);
  double worst = 0;
  for (int t = 0; t < c["steps"].get<int>(); ++t) {
    golden_step(*setup.opt, setup.sched.get(), p, K, t);
    const std::vector<double> expected = c["params"][t].get<std::vector<double>>();
    const double err = max_rel_error(flat_values(p), expected);
    worst = std::max(worst, err);
    ASSERT_LE(err, tol) << name << " (" << dtype_name(dtype) << ") step " << t + 1;
  }
  EXPECT_EQ(p[2].to_vector<double>(), z0) << "z has no gradient: it must not move";
  std::cout << "  " << name << " " << dtype_name(dtype) << ": max relative error " << worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(Optim, OptimGolden, ::testing::Range(size_t(0), optim_golden()["trajectories"].size()),
                         [](const auto& info) {
                           const auto& c = optim_golden()["trajectories"][info.param];
                           return std::string(c["name"]) + "_" + std::string(c["dtype"]);
                         });

// ---- LR schedulers ----

class LRSchedulerGolden : public ::testing::TestWithParam<size_t> {};

TEST_P(LRSchedulerGolden, LearningRatesMatchPyTorch) {
  const nlohmann::json& c = optim_golden()["schedulers"][GetParam()];
  const std::string name = c["name"];
  auto it = scheduler_cases().find(name);
  ASSERT_NE(it, scheduler_cases().end()) << "no C++ case for " << name;
  auto opt = two_group_sgd();
  auto sched = it->second(*opt);
  const auto& lrs = c["lrs"];
  double worst = 0;
  for (size_t t = 0; t < lrs.size(); ++t) {
    if (t > 0) sched->step();
    const auto expected = lrs[t].get<std::vector<double>>();
    ASSERT_EQ(sched->get_last_lr().size(), expected.size());
    for (size_t g = 0; g < expected.size(); ++g) {
      const double got = sched->get_last_lr()[g];
      const double err = got == expected[g] ? 0.0 : std::fabs(got - expected[g]) / std::fabs(expected[g]);
      worst = std::max(worst, err);
      ASSERT_LE(err, 1e-12) << name << " epoch " << t << " group " << g << ": " << sched->get_last_lr()[g] << " vs "
                            << expected[g];
      EXPECT_EQ(opt->lr(g), sched->get_last_lr()[g]);
    }
  }
  std::cout << "  " << name << ": " << lrs.size() << " epochs, max relative error " << worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(LR, LRSchedulerGolden, ::testing::Range(size_t(0), optim_golden()["schedulers"].size()),
                         [](const auto& info) {
                           return std::string(optim_golden()["schedulers"][info.param]["name"]);
                         });

// ---- clipping ----

class ClipGradGolden : public ::testing::TestWithParam<size_t> {};

TEST_P(ClipGradGolden, TotalNormAndClippedGradientsMatchPyTorch) {
  const nlohmann::json& clip = optim_golden()["clip"];
  const nlohmann::json& c = clip["cases"][GetParam()];
  std::vector<Tensor> params;
  for (const auto& g : clip["grads"]) {
    Tensor grad = decode_tensor(g);
    params.push_back(zeros_like(grad).requires_grad_());
    params.back().set_grad(grad);
  }
  params.push_back(zeros({2}, DType::float64).requires_grad_());  // no gradient: ignored
  if (c["kind"] == "norm") {
    const double norm_type = c["norm_type"].is_string() ? optim::kInfNorm : c["norm_type"].get<double>();
    const double total = optim::clip_grad_norm_(params, c["limit"].get<double>(), norm_type);
    const double expected = c["total"];
    EXPECT_NEAR(total, expected, 1e-12 * expected) << c["name"];
  } else {
    optim::clip_grad_value_(params, c["limit"].get<double>());
  }
  for (size_t i = 0; i < 3; ++i) {
    const auto expected = c["clipped"][i].get<std::vector<double>>();
    EXPECT_LE(max_rel_error(params[i].grad().to_vector<double>(), expected), 1e-12) << c["name"] << " grad " << i;
  }
  EXPECT_FALSE(params[3].grad().defined());
}

INSTANTIATE_TEST_SUITE_P(Clip, ClipGradGolden, ::testing::Range(size_t(0), optim_golden()["clip"]["cases"].size()),
                         [](const auto& info) {
                           return std::string(optim_golden()["clip"]["cases"][info.param]["name"]);
                         });

}  // namespace
}  // namespace nabla::testing
