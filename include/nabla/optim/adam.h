// nabla/optim/adam.h — Adam and AdamW, as torch.optim.Adam / torch.optim.AdamW (PyTorch 1.13,
// foreach=False, capturable=False).
//
// Per parameter p with gradient g, at its step t (counted per parameter):
//   g = maximize ? -g : g
//   Adam:  g += weight_decay * p            AdamW:  p *= 1 - lr * weight_decay   (decoupled)
//   m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
//   amsgrad: v_max = max(v_max, v), used instead of v below
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   p += -(lr / (1 - beta1^t)) * m / denom
//
//   optim::Adam opt(params, optim::AdamOptions(1e-3).betas({0.9, 0.99}).amsgrad(true));
//   optim::AdamW optw(params, optim::AdamWOptions(3e-4));   // weight_decay defaults to 1e-2
//   opt.zero_grad(); loss.backward(); opt.step();
#pragma once
#include <utility>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

using Betas = std::pair<double, double>;  // (beta1, beta2)

class AdamOptions : public OptimizerOptions {
 public:
  explicit AdamOptions(double lr = 1e-3) : OptimizerOptions(lr) {}
  using OptimizerOptions::lr;
  AdamOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  NABLA_OPTIM_ARG(AdamOptions, Betas, betas, (Betas{0.9, 0.999}));
  NABLA_OPTIM_ARG(AdamOptions, double, eps, 1e-8);
  NABLA_OPTIM_ARG(AdamOptions, double, weight_decay, 0.0);
  NABLA_OPTIM_ARG(AdamOptions, bool, amsgrad, false);
  NABLA_OPTIM_ARG(AdamOptions, bool, maximize, false);

 public:
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<AdamOptions>(*this); }
  nlohmann::json to_json() const override;
  void from_json(const nlohmann::json& j) override;
  // lr >= 0, eps >= 0, 0 <= beta1 < 1, 0 <= beta2 < 1, weight_decay >= 0.
  void validate() const override;
};

// The same options as Adam's, with weight_decay 1e-2 by default (applied decoupled).
class AdamWOptions : public OptimizerOptions {
 public:
  explicit AdamWOptions(double lr = 1e-3) : OptimizerOptions(lr) {}
  using OptimizerOptions::lr;
  AdamWOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  NABLA_OPTIM_ARG(AdamWOptions, Betas, betas, (Betas{0.9, 0.999}));
  NABLA_OPTIM_ARG(AdamWOptions, double, eps, 1e-8);
  NABLA_OPTIM_ARG(AdamWOptions, double, weight_decay, 1e-2);
  NABLA_OPTIM_ARG(AdamWOptions, bool, amsgrad, false);
  NABLA_OPTIM_ARG(AdamWOptions, bool, maximize, false);

 public:
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<AdamWOptions>(*this); }
  nlohmann::json to_json() const override;
  void from_json(const nlohmann::json& j) override;
  void validate() const override;
};

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& defaults = AdamOptions());
  explicit Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults = AdamOptions());

  void step() override;
  AdamOptions& options(size_t group) { return static_cast<AdamOptions&>(group_options(group)); }
  const AdamOptions& options(size_t group) const { return static_cast<const AdamOptions&>(group_options(group)); }

 protected:
  // "max_exp_avg_sq" exists only with amsgrad.
  std::vector<std::string_view> buffer_names() const override { return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }
};

class AdamW : public Optimizer {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& defaults = AdamWOptions());
  explicit AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults = AdamWOptions());

  void step() override;
  AdamWOptions& options(size_t group) { return static_cast<AdamWOptions&>(group_options(group)); }
  const AdamWOptions& options(size_t group) const { return static_cast<const AdamWOptions&>(group_options(group)); }

 protected:
  std::vector<std::string_view> buffer_names() const override { return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }
};

}  // namespace nabla::optim
