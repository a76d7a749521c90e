// nabla/nn/loss.h — the losses as modules: MSELoss, HalfMSELoss, L1Loss, BCELoss,
// BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss.
//
// Each holds its options and calls its function in nn/functional.h (where the formulas and the
// PyTorch conventions are documented). A loss takes forward(input, target), not forward(input).
//
//   nn::CrossEntropyLoss ce(nn::CrossEntropyLossOptions().label_smoothing(0.1));
//   Tensor loss = ce(logits, labels);   // logits (N, C), labels int64 (N)
//   nn::MSELoss mse(nn::Reduction::sum);
#pragma once
#include "nabla/nn/loss_options.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

// The common base: a module whose forward takes (input, target).
class Loss : public Module {
 public:
  using Module::Module;
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
};

#define NABLA_DECLARE_LOSS(Name, Options)                               \
  class Name : public Loss {                                            \
   public:                                                              \
    explicit Name(const Options& options = {});                         \
    Tensor forward(const Tensor& input, const Tensor& target) override; \
    const Options& options() const { return options_; }                 \
                                                                        \
   private:                                                             \
    Options options_;                                                   \
  }

// (input - target)², reduced.
NABLA_DECLARE_LOSS(MSELoss, MSELossOptions);
// ½(input - target)², reduced: ½Σ with Reduction::sum, ½·mean with Reduction::mean.
NABLA_DECLARE_LOSS(HalfMSELoss, HalfMSELossOptions);
// |input - target|, reduced.
NABLA_DECLARE_LOSS(L1Loss, L1LossOptions);
// Binary cross-entropy on probabilities.
NABLA_DECLARE_LOSS(BCELoss, BCELossOptions);
// Binary cross-entropy on logits (numerically stable), with optional pos_weight.
NABLA_DECLARE_LOSS(BCEWithLogitsLoss, BCEWithLogitsLossOptions);
// Negative log-likelihood of int64 class indices, on log-probabilities.
NABLA_DECLARE_LOSS(NLLLoss, NLLLossOptions);
// Softmax cross-entropy on logits: int64 class indices (or class probabilities), label smoothing.
NABLA_DECLARE_LOSS(CrossEntropyLoss, CrossEntropyLossOptions);

#undef NABLA_DECLARE_LOSS

}  // namespace nabla::nn
