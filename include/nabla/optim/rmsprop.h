// nabla/optim/rmsprop.h — RMSprop, as torch.optim.RMSprop (PyTorch 1.13, foreach=False).
//
// Per parameter p with gradient g:
//   g = maximize ? -g : g;  g += weight_decay * p
//   sq = alpha * sq + (1 - alpha) * g * g
//   centered: ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga * ga) + eps
//   else:     avg = sqrt(sq) + eps
//   momentum > 0: buf = momentum * buf + g / avg;  p -= lr * buf
//   else:         p -= lr * g / avg
//
//   optim::RMSprop opt(params, optim::RMSpropOptions(1e-2).momentum(0.9).centered(true));
//   opt.zero_grad(); loss.backward(); opt.step();
//   double lr = opt.lr(0);
#pragma once
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

class RMSpropOptions : public OptimizerOptions {
 public:
  explicit RMSpropOptions(double lr = 1e-2) : OptimizerOptions(lr) {}
  using OptimizerOptions::lr;
  RMSpropOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  NABLA_OPTIM_ARG(RMSpropOptions, double, alpha, 0.99);
  NABLA_OPTIM_ARG(RMSpropOptions, double, eps, 1e-8);
  NABLA_OPTIM_ARG(RMSpropOptions, double, weight_decay, 0.0);
  NABLA_OPTIM_ARG(RMSpropOptions, double, momentum, 0.0);
  NABLA_OPTIM_ARG(RMSpropOptions, bool, centered, false);
  NABLA_OPTIM_ARG(RMSpropOptions, bool, maximize, false);

 public:
  std::unique_ptr<OptimizerOptions> clone() const override;
  nlohmann::json to_json() const override;
  void from_json(const nlohmann::json& j) override;
  // lr, eps, momentum, weight_decay >= 0; 0 <= alpha < 1 (the decay of the squared-gradient average).
  void validate() const override;
};

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults = RMSpropOptions());
  explicit RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults = RMSpropOptions());

  void step() override;
  RMSpropOptions& options(size_t group) { return static_cast<RMSpropOptions&>(group_options(group)); }
  const RMSpropOptions& options(size_t group) const { return static_cast<const RMSpropOptions&>(group_options(group)); }

 protected:
  // "momentum_buffer" exists only with momentum > 0, "grad_avg" only when centered.
  std::vector<std::string_view> buffer_names() const override;
};

}  // namespace nabla::optim
