// nabla/nn/linear.h — the fully connected layer y = x·Wᵀ + b.
//
// Weight [out_features, in_features], bias [out_features], as torch.nn.Linear. By default both
// are initialised as PyTorch does (kaiming_uniform_(a=√5), then U(±1/√in_features) for the
// bias), drawing in the same order: after the same manual_seed, Linear(2, 64) here equals
// torch.nn.Linear(2, 64) bit for bit (use .dtype(DType::float64) to match float64 torch layers).
//
//   auto fc = std::make_shared<nn::Linear>(nn::LinearOptions(2, 64).dtype(DType::float64));
//   auto he = nn::LinearOptions(64, 64).init(nn::Init::kaiming_normal()).bias_init(nn::Init::zeros());
//   Tensor y = fc->forward(x);   // x: (N, 2) -> y: (N, 64)
#pragma once
#include "nabla/nn/init.h"
#include "nabla/nn/module.h"
#include "nabla/nn/options.h"

namespace nabla::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  NABLA_ARG(int64_t, in_features);
  NABLA_ARG(int64_t, out_features);
  // Whether the layer has a bias.
  NABLA_ARG(bool, bias) = true;
  // How the weight is initialised; the default is PyTorch's.
  NABLA_ARG(Init, init) = Init::pytorch_default();
  // How the bias is initialised; the default is PyTorch's U(±1/√in_features), whatever `init`.
  NABLA_ARG(Init, bias_init) = Init::pytorch_default();
  NABLA_ARG(DType, dtype) = DType::float32;
  // The random source of the initialisation (null: the default generator).
  NABLA_ARG(Generator*, generator) = nullptr;
};

class Linear : public Module {
 public:
  explicit Linear(const LinearOptions& options);
  Linear(int64_t in_features, int64_t out_features) : Linear(LinearOptions(in_features, out_features)) {}

  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  // Draws fresh weights (and bias) with the options' initialisers.
  void reset_parameters();
  const LinearOptions& options() const { return options_; }

  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features], undefined without bias

 private:
  LinearOptions options_;
};

}  // namespace nabla::nn
