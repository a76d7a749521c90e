// nabla/nn/batch_norm.h — batch normalisation over (N, C) or (N, C, L) inputs, as torch.nn.BatchNorm1d.
//
// Training: each channel is normalised with the batch mean and biased variance, and the running
// statistics are updated: running = (1 - momentum)·running + momentum·batch, with the unbiased
// variance for running_var (momentum unset: a cumulative average over num_batches_tracked).
// Evaluation: the running statistics normalise. Parameters weight (γ, ones) and bias (β, zeros);
// buffers running_mean, running_var, num_batches_tracked (int64), named as PyTorch names them.
//
//   auto bn = std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(64).momentum(0.1).dtype(DType::float64));
//   Tensor y = bn->forward(x);            // x: (N, 64) or (N, 64, L)
//   bn->eval(); Tensor z = bn->forward(x);  // uses running_mean / running_var
#pragma once
#include <optional>

#include "nabla/nn/module.h"
#include "nabla/nn/options.h"

namespace nabla::nn {

struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT: implicit
  NABLA_ARG(int64_t, num_features);
  NABLA_ARG(double, eps) = 1e-5;
  // Weight of the newest batch in the running statistics; nullopt: a cumulative average.
  NABLA_ARG(std::optional<double>, momentum) = 0.1;
  // Learnable per-channel scale and shift.
  NABLA_ARG(bool, affine) = true;
  // Keep running statistics (else batch statistics are used in evaluation too).
  NABLA_ARG(bool, track_running_stats) = true;
  NABLA_ARG(DType, dtype) = DType::float32;
};

class BatchNorm1d : public Module {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options);
  explicit BatchNorm1d(int64_t num_features) : BatchNorm1d(BatchNormOptions(num_features)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  // Running statistics back to mean 0, variance 1, no batches; weight 1, bias 0.
  void reset_parameters();
  void reset_running_stats();
  const BatchNormOptions& options() const { return options_; }

  Tensor weight, bias;                                    // [C], undefined unless affine
  Tensor running_mean, running_var, num_batches_tracked;  // [C], [C], [] int64; undefined unless tracking

 private:
  BatchNormOptions options_;
};

}  // namespace nabla::nn
