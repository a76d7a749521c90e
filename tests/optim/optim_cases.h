// The optimizer and scheduler cases shared by the optim tests: each name matches a case in
// tests/golden/gen_optim_golden.py, which builds the same thing with PyTorch.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nabla/nabla.h"
#include "nabla/optim/optim.h"

namespace nabla::testing {

inline const nlohmann::json& optim_golden() {
  static const nlohmann::json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/optim_golden.json");
    return nlohmann::json::parse(in);
  }();
  return doc;
}

inline Tensor decode_tensor(const nlohmann::json& j, DType dtype = DType::float64) {
  return Tensor::from_vector(j["data"].get<std::vector<double>>(), Shape(j["shape"].get<std::vector<int64_t>>()),
                             DType::float64)
      .to(dtype);
}

// The loss of the golden trajectories (same formula as loss_fn in the generator).
struct LossConsts {
  Tensor h, c, k, d;
};
inline LossConsts loss_consts(DType dtype) {
  const auto& K = optim_golden()["consts"];
  return {decode_tensor(K["h"], dtype), decode_tensor(K["c"], dtype), decode_tensor(K["k"], dtype),
          decode_tensor(K["d"], dtype)};
}
inline Tensor golden_loss(const Tensor& W, const Tensor& b, const LossConsts& K) {
  return sum(0.5 * K.h * (W - K.c) * (W - K.c)) + 0.3 * sum(sin(3.0 * W)) + 0.2 * sum(tanh(W * b)) +
         sum(0.5 * K.k * (b - K.d) * (b - K.d)) + sum(sin(b));
}
// Fresh leaves W (3, 4), b (4,), z (3,) at the golden initial values.
inline std::vector<Tensor> golden_params(DType dtype) {
  const auto& init = optim_golden()["init"];
  return {decode_tensor(init["W"], dtype).requires_grad_(), decode_tensor(init["b"], dtype).requires_grad_(),
          decode_tensor(init["z"], dtype).requires_grad_()};
}

// One training step of the golden trajectories; b loses its gradient on every third step.
inline void golden_step(optim::Optimizer& opt, optim::LRScheduler* sched, const std::vector<Tensor>& p,
                        const LossConsts& K, int t) {
  opt.zero_grad();
  golden_loss(p[0], p[1], K).backward();
  if (t % 3 == 2) Tensor(p[1]).set_grad(Tensor());  // a handle copy: same tensor
  opt.step();
  if (sched) sched->step();
}

struct OptimSetup {
  std::unique_ptr<optim::Optimizer> opt;
  std::shared_ptr<optim::LRScheduler> sched;
};
using OptimFactory = std::function<OptimSetup(const std::vector<Tensor>&)>;

inline const std::map<std::string, OptimFactory>& optim_cases() {
  using namespace optim;
  using P = const std::vector<Tensor>&;
  auto only = [](auto opt) { return OptimSetup{std::move(opt), nullptr}; };
  static const std::map<std::string, OptimFactory> cases = {
      {"sgd_plain", [=](P p) { return only(std::make_unique<SGD>(p, SGDOptions(0.05))); }},
      {"sgd_momentum", [=](P p) { return only(std::make_unique<SGD>(p, SGDOptions(0.05).momentum(0.9))); }},
      {"sgd_momentum_dampening_wd",
       [=](P p) {
         return only(std::make_unique<SGD>(p, SGDOptions(0.05).momentum(0.9).dampening(0.3).weight_decay(0.01)));
       }},
      {"sgd_nesterov_wd",
       [=](P p) {
         return only(std::make_unique<SGD>(p, SGDOptions(0.03).momentum(0.8).nesterov(true).weight_decay(0.05)));
       }},
      {"sgd_maximize",
       [=](P p) { return only(std::make_unique<SGD>(p, SGDOptions(0.02).momentum(0.5).maximize(true))); }},
      {"sgd_two_groups",
       [=](P p) {
         std::vector<ParamGroup> groups{ParamGroup({p[0]}),
                                        ParamGroup({p[1], p[2]}, SGDOptions(0.02).momentum(0.9).nesterov(true))};
         return only(std::make_unique<SGD>(groups, SGDOptions(0.05).momentum(0.9)));
       }},
      {"sgd_steplr",
       [=](P p) {
         auto opt = std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9));
         auto sched = std::make_shared<StepLR>(*opt, 4, 0.5);
         return OptimSetup{std::move(opt), sched};
       }},
      {"adam_default", [=](P p) { return only(std::make_unique<Adam>(p, AdamOptions(0.05))); }},
      {"adam_wd_amsgrad",
       [=](P p) {
         return only(std::make_unique<Adam>(p, AdamOptions(0.05).betas({0.8, 0.95}).weight_decay(0.1).amsgrad(true)));
       }},
      {"adam_maximize",
       [=](P p) { return only(std::make_unique<Adam>(p, AdamOptions(0.01).eps(1e-6).maximize(true))); }},
      {"adam_two_groups",
       [=](P p) {
         std::vector<ParamGroup> groups{ParamGroup({p[0]}),
                                        ParamGroup({p[1], p[2]}, AdamOptions(0.01).weight_decay(0.5))};
         return only(std::make_unique<Adam>(groups, AdamOptions(0.05)));
       }},
      {"adam_cosine",
       [=](P p) {
         auto opt = std::make_unique<Adam>(p, AdamOptions(0.1));
         auto sched = std::make_shared<CosineAnnealingLR>(*opt, 10, 0.01);
         return OptimSetup{std::move(opt), sched};
       }},
      {"adamw_default", [=](P p) { return only(std::make_unique<AdamW>(p, AdamWOptions(0.05))); }},
      {"adamw_amsgrad",
       [=](P p) {
         return only(
             std::make_unique<AdamW>(p, AdamWOptions(0.05).betas({0.85, 0.99}).weight_decay(0.2).amsgrad(true)));
       }},
      {"adamw_maximize", [=](P p) { return only(std::make_unique<AdamW>(p, AdamWOptions(0.02).maximize(true))); }},
      {"rmsprop_default", [=](P p) { return only(std::make_unique<RMSprop>(p, RMSpropOptions(0.01))); }},
      {"rmsprop_centered_momentum_wd",
       [=](P p) {
         return only(std::make_unique<RMSprop>(
             p, RMSpropOptions(0.01).alpha(0.9).momentum(0.7).centered(true).weight_decay(0.05)));
       }},
      {"rmsprop_momentum",
       [=](P p) { return only(std::make_unique<RMSprop>(p, RMSpropOptions(0.005).momentum(0.9).eps(1e-6))); }},
      {"rmsprop_centered_maximize",
       [=](P p) { return only(std::make_unique<RMSprop>(p, RMSpropOptions(0.005).centered(true).maximize(true))); }},
      {"adagrad_default", [=](P p) { return only(std::make_unique<Adagrad>(p, AdagradOptions(0.1))); }},
      {"adagrad_decay_wd_init",
       [=](P p) {
         return only(std::make_unique<Adagrad>(
             p, AdagradOptions(0.1).lr_decay(0.05).weight_decay(0.1).initial_accumulator_value(0.5).eps(1e-6)));
       }},
      {"adagrad_maximize",
       [=](P p) { return only(std::make_unique<Adagrad>(p, AdagradOptions(0.05).maximize(true))); }},
  };
  return cases;
}

// The schedulers of the golden "schedulers" list, on an SGD with two groups (lr 0.1 and 0.02).
using SchedulerFactory = std::function<std::shared_ptr<optim::LRScheduler>(optim::Optimizer&)>;
inline const std::map<std::string, SchedulerFactory>& scheduler_cases() {
  using namespace optim;
  using O = optim::Optimizer&;
  using Sched = std::shared_ptr<LRScheduler>;
  static const std::map<std::string, SchedulerFactory> cases = {
      {"steplr", [](O o) -> Sched { return std::make_shared<StepLR>(o, 7, 0.5); }},
      {"multisteplr",
       [](O o) -> Sched {
         return std::make_shared<MultiStepLR>(o, std::vector<int64_t>{5, 12, 12, 30}, 0.3);
       }},
      {"exponentiallr", [](O o) -> Sched { return std::make_shared<ExponentialLR>(o, 0.93); }},
      {"cosine", [](O o) -> Sched { return std::make_shared<CosineAnnealingLR>(o, 20, 0.001); }},
      {"cosine_no_eta_min", [](O o) -> Sched { return std::make_shared<CosineAnnealingLR>(o, 17); }},
      {"linearlr_warmup", [](O o) -> Sched { return std::make_shared<LinearLR>(o, 0.25, 1.0, 10); }},
      {"linearlr_decay", [](O o) -> Sched { return std::make_shared<LinearLR>(o, 1.0, 0.1, 30); }},
      {"sequential_warmup_cosine",
       [](O o) -> Sched {
         auto a = std::make_shared<LinearLR>(o, 0.1, 1.0, 5);
         auto b = std::make_shared<CosineAnnealingLR>(o, 45, 1e-4);
         return std::make_shared<SequentialLR>(o, std::vector<Sched>{a, b}, std::vector<int64_t>{5});
       }},
      {"sequential_three",
       [](O o) -> Sched {
         auto a = std::make_shared<LinearLR>(o, 0.5, 1.0, 4);
         auto b = std::make_shared<StepLR>(o, 5, 0.5);
         auto c = std::make_shared<ExponentialLR>(o, 0.9);
         return std::make_shared<SequentialLR>(o, std::vector<Sched>{a, b, c}, std::vector<int64_t>{6, 20});
       }},
      {"warmup_cosine_helper", [](O o) -> Sched { return warmup_cosine(o, 8, 60, 1e-3, 0.002); }},
  };
  return cases;
}

// The dummy optimizer the scheduler goldens run on.
inline std::unique_ptr<optim::SGD> two_group_sgd() {
  std::vector<optim::ParamGroup> groups{
      optim::ParamGroup({zeros({2}, DType::float64).requires_grad_()}),
      optim::ParamGroup({zeros({3}, DType::float64).requires_grad_()}, optim::SGDOptions(0.02))};
  return std::make_unique<optim::SGD>(groups, optim::SGDOptions(0.1));
}

// All parameters' values, flattened and concatenated, as double.
inline std::vector<double> flat_values(const std::vector<Tensor>& params) {
  std::vector<double> out;
  for (const Tensor& p : params) {
    auto v = p.to_vector<double>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// Largest |a - e| / max(|e|, 1): relative error, absolute below magnitude 1.
inline double max_rel_error(const std::vector<double>& actual, const std::vector<double>& expected) {
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double err = std::fabs(actual[i] - expected[i]) / std::max(std::fabs(expected[i]), 1.0);
    worst = std::isnan(err) ? INFINITY : std::max(worst, err);
  }
  return worst;
}

}  // namespace nabla::testing
