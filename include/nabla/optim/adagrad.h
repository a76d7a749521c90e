// nabla/optim/adagrad.h — Adagrad, as torch.optim.Adagrad (PyTorch 1.13, dense gradients,
// foreach=False).
//
// Per parameter p with gradient g, at its step t (counted per parameter):
//   g = maximize ? -g : g;  g += weight_decay * p
//   clr = lr / (1 + (t - 1) * lr_decay)
//   sum += g * g                    (sum starts at initial_accumulator_value)
//   p -= clr * g / (sqrt(sum) + eps)
//
//   optim::Adagrad opt(params, optim::AdagradOptions(0.1).lr_decay(1e-3));
//   opt.zero_grad(); loss.backward(); opt.step();
//   auto saved = opt.state_dict();
#pragma once
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

class AdagradOptions : public OptimizerOptions {
 public:
  explicit AdagradOptions(double lr = 1e-2) : OptimizerOptions(lr) {}
  using OptimizerOptions::lr;
  AdagradOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  NABLA_OPTIM_ARG(AdagradOptions, double, lr_decay, 0.0);
  NABLA_OPTIM_ARG(AdagradOptions, double, weight_decay, 0.0);
  NABLA_OPTIM_ARG(AdagradOptions, double, initial_accumulator_value, 0.0);
  NABLA_OPTIM_ARG(AdagradOptions, double, eps, 1e-10);
  NABLA_OPTIM_ARG(AdagradOptions, bool, maximize, false);

 public:
  std::unique_ptr<OptimizerOptions> clone() const override;
  nlohmann::json to_json() const override;
  void from_json(const nlohmann::json& j) override;
  // lr, lr_decay, weight_decay, initial_accumulator_value, eps all >= 0.
  void validate() const override;
};

// PyTorch fills "sum" for every parameter when the optimizer is built; nabla makes it on a
// parameter's first update instead (same values, as nothing reads it before), so that parameters
// that never receive a gradient cost no memory.
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults = AdagradOptions());
  explicit Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults = AdagradOptions());

  void step() override;
  AdagradOptions& options(size_t group) { return static_cast<AdagradOptions&>(group_options(group)); }
  const AdagradOptions& options(size_t group) const { return static_cast<const AdagradOptions&>(group_options(group)); }

 protected:
  std::vector<std::string_view> buffer_names() const override;
};

}  // namespace nabla::optim
