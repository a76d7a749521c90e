// nabla/nn/loss_options.h — the options of the losses, shared by nn::functional and the loss modules.
//
// Each loss takes a Reduction (none / mean / sum, default mean, as PyTorch); the ones with more
// settings have an options struct with chained setters. A bare Reduction converts implicitly.
//
//   Tensor l = nn::functional::mse_loss(y, t, nn::Reduction::sum);
//   auto ce = nn::CrossEntropyLossOptions().label_smoothing(0.1).ignore_index(-1);
//   Tensor c = nn::functional::cross_entropy(logits, labels, ce);
#pragma once
#include <cstdint>

#include "nabla/nn/options.h"
#include "nabla/tensor/tensor.h"

namespace nabla::nn {

// MSELoss, HalfMSELoss, L1Loss.
struct LossOptions {
  LossOptions(Reduction reduction = Reduction::mean) : reduction_(reduction) {}  // NOLINT: implicit
  NABLA_ARG(Reduction, reduction);
};
using MSELossOptions = LossOptions;
using HalfMSELossOptions = LossOptions;
using L1LossOptions = LossOptions;

struct BCELossOptions {
  BCELossOptions(Reduction reduction = Reduction::mean) : reduction_(reduction) {}  // NOLINT: implicit
  // A rescaling weight broadcast against the per-element loss (undefined: none).
  NABLA_ARG(Tensor, weight);
  NABLA_ARG(Reduction, reduction);
};

struct BCEWithLogitsLossOptions {
  BCEWithLogitsLossOptions(Reduction reduction = Reduction::mean) : reduction_(reduction) {}  // NOLINT: implicit
  NABLA_ARG(Tensor, weight);
  // Weight of the positive examples, broadcast along the last (class) dimension: > 1 raises
  // recall, < 1 precision (PyTorch's pos_weight).
  NABLA_ARG(Tensor, pos_weight);
  NABLA_ARG(Reduction, reduction);
};

struct NLLLossOptions {
  NLLLossOptions(Reduction reduction = Reduction::mean) : reduction_(reduction) {}  // NOLINT: implicit
  // A weight per class, shape [C].
  NABLA_ARG(Tensor, weight);
  // Targets equal to this contribute nothing, and are not counted by the mean.
  NABLA_ARG(int64_t, ignore_index) = -100;
  NABLA_ARG(Reduction, reduction);
};

struct CrossEntropyLossOptions {
  CrossEntropyLossOptions(Reduction reduction = Reduction::mean) : reduction_(reduction) {}  // NOLINT: implicit
  NABLA_ARG(Tensor, weight);
  NABLA_ARG(int64_t, ignore_index) = -100;
  NABLA_ARG(Reduction, reduction);
  // In [0, 1]: the target becomes (1 - s)·onehot + s/C.
  NABLA_ARG(double, label_smoothing) = 0.0;
};

}  // namespace nabla::nn
