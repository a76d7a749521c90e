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

// The options Adam and AdamW share; they differ only in weight_decay's default (AdamW: 1e-2)
// and in where it enters the update. `Self` is the options type the setters return, so that
// calls chain: AdamWOptions(3e-4).betas({0.9, 0.95}).amsgrad(true).
template <class Self>
class AdamFamilyOptions : public OptimizerOptions {
 public:
  using OptimizerOptions::lr;
  Self& lr(double value) {
    lr_ = value;
    return self();
  }
  Self& betas(Betas value) {
    betas_ = value;
    return self();
  }
  Betas betas() const { return betas_; }
  Self& eps(double value) {
    eps_ = value;
    return self();
  }
  double eps() const { return eps_; }
  Self& weight_decay(double value) {
    weight_decay_ = value;
    return self();
  }
  double weight_decay() const { return weight_decay_; }
  Self& amsgrad(bool value) {
    amsgrad_ = value;
    return self();
  }
  bool amsgrad() const { return amsgrad_; }
  Self& maximize(bool value) {
    maximize_ = value;
    return self();
  }
  bool maximize() const { return maximize_; }

  std::unique_ptr<OptimizerOptions> clone() const override;
  nlohmann::json to_json() const override;
  void from_json(const nlohmann::json& j) override;
  // lr >= 0, eps >= 0, 0 <= beta1 < 1, 0 <= beta2 < 1, weight_decay >= 0.
  void validate() const override;

 protected:
  AdamFamilyOptions(double lr, double weight_decay) : OptimizerOptions(lr), weight_decay_(weight_decay) {}

 private:
  Self& self() { return static_cast<Self&>(*this); }
  Betas betas_{0.9, 0.999};
  double eps_ = 1e-8;
  double weight_decay_;
  bool amsgrad_ = false;
  bool maximize_ = false;
};

class AdamOptions : public AdamFamilyOptions<AdamOptions> {
 public:
  static constexpr const char* kName = "Adam";
  explicit AdamOptions(double lr = 1e-3) : AdamFamilyOptions(lr, 0.0) {}
};

class AdamWOptions : public AdamFamilyOptions<AdamWOptions> {
 public:
  static constexpr const char* kName = "AdamW";
  explicit AdamWOptions(double lr = 1e-3) : AdamFamilyOptions(lr, 1e-2) {}
};

extern template class AdamFamilyOptions<AdamOptions>;
extern template class AdamFamilyOptions<AdamWOptions>;

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& defaults = AdamOptions());
  explicit Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults = AdamOptions());

  void step() override;
  AdamOptions& options(size_t group) { return static_cast<AdamOptions&>(group_options(group)); }
  const AdamOptions& options(size_t group) const { return static_cast<const AdamOptions&>(group_options(group)); }

 protected:
  // "max_exp_avg_sq" exists only with amsgrad.
  std::vector<std::string_view> buffer_names() const override;
};

class AdamW : public Optimizer {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& defaults = AdamWOptions());
  explicit AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults = AdamWOptions());

  void step() override;
  AdamWOptions& options(size_t group) { return static_cast<AdamWOptions&>(group_options(group)); }
  const AdamWOptions& options(size_t group) const { return static_cast<const AdamWOptions&>(group_options(group)); }

 protected:
  std::vector<std::string_view> buffer_names() const override;
};

}  // namespace nabla::optim
