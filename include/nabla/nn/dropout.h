// nabla/nn/dropout.h — randomly zeroes inputs while training (and rescales the rest).
//
// Training: y = x · mask / (1 - p), mask ~ Bernoulli(1 - p), drawn from the generator exactly as
// torch's CPU dropout draws it, so after the same manual_seed the mask equals torch's.
// Evaluation (after eval()): the identity.
//
//   auto drop = std::make_shared<nn::Dropout>(0.2);
//   Tensor y = drop->forward(x);   // training mode: about 20% zeros, the rest x / 0.8
//   drop->eval();                  // now forward(x) is x
#pragma once
#include "nabla/nn/module.h"
#include "nabla/nn/options.h"
#include "nabla/tensor/random.h"

namespace nabla::nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit, Dropout(0.2)
  // Probability of zeroing an element, in [0, 1].
  NABLA_ARG(double, p);
  // The random source of the masks (null: the default generator).
  NABLA_ARG(Generator*, generator) = nullptr;
};

class Dropout : public Module {
 public:
  explicit Dropout(const DropoutOptions& options = {});
  explicit Dropout(double p) : Dropout(DropoutOptions(p)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const DropoutOptions& options() const { return options_; }

 private:
  DropoutOptions options_;
};

}  // namespace nabla::nn
