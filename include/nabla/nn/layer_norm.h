// nabla/nn/layer_norm.h — layer normalisation over the trailing dimensions, as torch.nn.LayerNorm.
//
// y = (x - mean) / √(var + eps) · weight + bias, mean and (biased) variance taken over the last
// len(normalized_shape) dimensions of each sample; weight (ones) and bias (zeros) have
// normalized_shape. Training and evaluation behave the same.
//
//   auto ln = std::make_shared<nn::LayerNorm>(nn::LayerNormOptions({64}).dtype(DType::float64));
//   Tensor y = ln->forward(x);   // x: (N, 64) or (N, T, 64)
#pragma once
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/nn/options.h"

namespace nabla::nn {

struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}  // NOLINT
  NABLA_ARG(std::vector<int64_t>, normalized_shape);
  NABLA_ARG(double, eps) = 1e-5;
  // Learnable weight and bias of normalized_shape.
  NABLA_ARG(bool, elementwise_affine) = true;
  NABLA_ARG(DType, dtype) = DType::float32;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(const LayerNormOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const LayerNormOptions& options() const { return options_; }

  Tensor weight, bias;  // normalized_shape; undefined without elementwise_affine

 private:
  LayerNormOptions options_;
};

}  // namespace nabla::nn
