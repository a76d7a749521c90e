// nabla/optim/sgd.h — stochastic gradient descent with momentum, Nesterov and weight decay,
// as torch.optim.SGD (PyTorch 1.13, foreach=False).
//
// Per parameter p with gradient g (step t):
//   g = maximize ? -g : g;  g += weight_decay * p
//   momentum: buf = (t == 1) ? g : momentum * buf + (1 - dampening) * g
//             g = nesterov ? g + momentum * buf : buf
//   p -= lr * g
//
//   optim::SGD opt(model_params, optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
//   opt.zero_grad(); loss.backward(); opt.step();
//   opt.options(0).lr(0.01);   // or opt.set_lr(0, 0.01)
#pragma once
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

class SGDOptions : public OptimizerOptions {
 public:
  explicit SGDOptions(double lr) : OptimizerOptions(lr) {}
  using OptimizerOptions::lr;
  SGDOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  NABLA_OPTIM_ARG(SGDOptions, double, momentum, 0.0);
  NABLA_OPTIM_ARG(SGDOptions, double, dampening, 0.0);
  NABLA_OPTIM_ARG(SGDOptions, double, weight_decay, 0.0);
  NABLA_OPTIM_ARG(SGDOptions, bool, nesterov, false);
  NABLA_OPTIM_ARG(SGDOptions, bool, maximize, false);

 public:
  std::unique_ptr<OptimizerOptions> clone() const override;
  nlohmann::json to_json() const override;
  void from_json(const nlohmann::json& j) override;
  // lr >= 0, momentum >= 0, 0 <= dampening <= 1, weight_decay >= 0; nesterov needs momentum > 0 and
  // dampening 0.
  void validate() const override;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& defaults);
  SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults);

  void step() override;
  SGDOptions& options(size_t group) { return static_cast<SGDOptions&>(group_options(group)); }
  const SGDOptions& options(size_t group) const { return static_cast<const SGDOptions&>(group_options(group)); }

 protected:
  // "momentum_buffer" exists only with momentum != 0, from the parameter's first update.
  std::vector<std::string_view> buffer_names() const override;
  bool has_step() const override { return false; }
};

}  // namespace nabla::optim
