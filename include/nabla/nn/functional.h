// nabla/nn/functional.h — the math of the layers and losses, as plain differentiable functions.
//
// Everything here is composed from the core ops (ops/ops.h), so gradients and gradients of
// gradients come from the ops' own formulas; the modules in nn/ are thin wrappers that own the
// parameters and call these. Values and gradients follow PyTorch (torch.nn.functional 1.13).
//
//   namespace F = nabla::nn::functional;
//   Tensor h = F::linear(x, w, b);                          // x·wᵀ + b
//   Tensor l = F::cross_entropy(h, labels, nn::CrossEntropyLossOptions().label_smoothing(0.1));
#pragma once
#include <cstdint>
#include <vector>

#include "nabla/nn/loss_options.h"
#include "nabla/tensor/random.h"
#include "nabla/tensor/tensor.h"

namespace nabla::nn::functional {

// ---- layers ----

// input (*, in), weight (out, in), bias (out) or undefined -> (*, out).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

// training: input · mask / (1 - p), mask ~ Bernoulli(1 - p) drawn as torch's CPU dropout draws
// it (so the masks match torch after the same seed); not training: the input itself.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true, Generator* gen = nullptr);

// Batch normalisation over (N, C) or (N, C, L, ...), per channel C.
// training: normalises with the batch mean and biased variance, and, where the running tensors
// are defined, updates them in place: running = (1 - momentum)·running + momentum·batch, using
// the unbiased variance for running_var. Not training: normalises with the running statistics.
// weight / bias (C) may be undefined (no affine transform).
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  double momentum = 0.1, double eps = 1e-5);

// Normalises over the trailing dimensions `normalized_shape` (biased variance).
Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// input (N, C, *): normalises each of num_groups groups of C/num_groups channels per sample;
// weight / bias (C).
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// ---- losses ----
// input and target must have the same shape (unlike PyTorch, which warns and broadcasts);
// the error names the loss and both shapes.

// (input - target)².
Tensor mse_loss(const Tensor& input, const Tensor& target, const LossOptions& options = {});
// ½(input - target)², the convention of the course notebooks: with Reduction::sum it is
// ½Σ(y - ŷ)², with Reduction::mean it is ½·mean((y - ŷ)²) (half of mse_loss).
Tensor half_mse_loss(const Tensor& input, const Tensor& target, const LossOptions& options = {});
// |input - target|.
Tensor l1_loss(const Tensor& input, const Tensor& target, const LossOptions& options = {});
// -w·[y·log p + (1 - y)·log(1 - p)] on probabilities p in [0, 1] (ValueError otherwise), each log
// clamped at -100 as PyTorch does, so p = 0 or 1 gives a finite loss. The gradients are PyTorch's:
// (p - y)/max(p(1-p), 1e-12) for p (finite at p = 0 or 1) and log(1-p) - log(p) for y.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BCELossOptions& options = {});
// BCE of sigmoid(input), computed stably from the logits with PyTorch's formula
// (1 - y)·x + lw·(log(e^-m + e^(-x-m)) + m), m = max(-x, 0), lw = 1 + (pos_weight - 1)·y.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options = {});
// input: log-probabilities (N, C), (C) or (N, C, d1, ...); target: int64 class indices (N), () or
// (N, d1, ...). -weight[t]·input[t]; the mean divides by the summed weights of the counted targets.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options = {});
// log_softmax over the class dimension (1, or 0 for a 1-D input) followed by nll_loss, with
// PyTorch's label smoothing. target: int64 class indices, or class probabilities of the input's
// shape (floating).
// With label smoothing the loss is (1 - s)·nll + (s/C)·Σ_c -w_c·log p_c; ignored targets add
// nothing to either term, and the mean divides both by the count (or summed weights) of the
// counted targets.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyLossOptions& options = {});

// Applies a reduction to per-element losses.
Tensor reduce(const Tensor& loss, Reduction reduction);

}  // namespace nabla::nn::functional
