// nabla/nn/group_norm.h — group normalisation, as torch.nn.GroupNorm.
//
// The C channels of an (N, C, *) input are split into num_groups groups; each group of each
// sample is normalised with its own mean and biased variance, then scaled and shifted per
// channel by weight (ones) and bias (zeros). Training and evaluation behave the same.
//
//   auto gn = std::make_shared<nn::GroupNorm>(nn::GroupNormOptions(2, 6).dtype(DType::float64));
//   Tensor y = gn->forward(x);   // x: (N, 6) or (N, 6, L)
#pragma once
#include "nabla/nn/module.h"
#include "nabla/nn/options.h"

namespace nabla::nn {

struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels) : num_groups_(num_groups), num_channels_(num_channels) {}
  NABLA_ARG(int64_t, num_groups);
  NABLA_ARG(int64_t, num_channels);
  NABLA_ARG(double, eps) = 1e-5;
  NABLA_ARG(bool, affine) = true;
  NABLA_ARG(DType, dtype) = DType::float32;
};

class GroupNorm : public Module {
 public:
  explicit GroupNorm(const GroupNormOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const GroupNormOptions& options() const { return options_; }

  Tensor weight, bias;  // [C]; undefined without affine

 private:
  GroupNormOptions options_;
};

}  // namespace nabla::nn
