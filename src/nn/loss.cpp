#include "nabla/nn/loss.h"

#include "nabla/nn/functional.h"

namespace nabla::nn {

namespace {
// Checks made when a loss is built (the functions check the rest on every call).
void validate(const LossOptions&) {}
void validate(const BCELossOptions&) {}
void validate(const BCEWithLogitsLossOptions&) {}
void validate(const NLLLossOptions& o) {
  NABLA_CHECK(!o.weight().defined() || o.weight().dim() == 1, ShapeError,
              "NLLLoss: weight must be 1-D (one entry per class), got ", o.weight().shape().to_string());
}
void validate(const CrossEntropyLossOptions& o) {
  NABLA_CHECK(o.label_smoothing() >= 0.0 && o.label_smoothing() <= 1.0, ValueError,
              "CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, got ", o.label_smoothing());
  NABLA_CHECK(!o.weight().defined() || o.weight().dim() == 1, ShapeError,
              "CrossEntropyLoss: weight must be 1-D (one entry per class), got ", o.weight().shape().to_string());
}
}  // namespace

// The weights are buffers, as in PyTorch (so they appear in state_dict and follow to(dtype)).
// The generic lambda makes the `if constexpr` discard the fields an options struct lacks.
#define NABLA_DEFINE_LOSS(Name, Options, fn)                                                       \
  Name::Name(const Options& options) : Loss(#Name), options_(options) {                            \
    validate(options_);                                                                            \
    [this](auto& o) {                                                                              \
      if constexpr (requires { o.weight(); })                                                      \
        if (o.weight().defined()) o.weight(register_buffer("weight", o.weight()));                 \
      if constexpr (requires { o.pos_weight(); })                                                  \
        if (o.pos_weight().defined()) o.pos_weight(register_buffer("pos_weight", o.pos_weight())); \
    }(options_);                                                                                   \
  }                                                                                                \
  Tensor Name::forward(const Tensor& input, const Tensor& target) { return functional::fn(input, target, options_); }

NABLA_DEFINE_LOSS(MSELoss, MSELossOptions, mse_loss)
NABLA_DEFINE_LOSS(HalfMSELoss, HalfMSELossOptions, half_mse_loss)
NABLA_DEFINE_LOSS(L1Loss, L1LossOptions, l1_loss)
NABLA_DEFINE_LOSS(BCELoss, BCELossOptions, binary_cross_entropy)
NABLA_DEFINE_LOSS(BCEWithLogitsLoss, BCEWithLogitsLossOptions, binary_cross_entropy_with_logits)
NABLA_DEFINE_LOSS(NLLLoss, NLLLossOptions, nll_loss)
NABLA_DEFINE_LOSS(CrossEntropyLoss, CrossEntropyLossOptions, cross_entropy)

#undef NABLA_DEFINE_LOSS

}  // namespace nabla::nn
