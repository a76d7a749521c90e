// nabla/nn/identity.h — a module that returns its input: a placeholder in a Sequential, or the
// shortcut of a residual block.
//
//   auto skip = std::make_shared<nn::Identity>();
//   Tensor y = skip->forward(x);   // y is x (the same tensor)
//   std::cout << *skip;            // Identity()
#pragma once
#include "nabla/nn/module.h"

namespace nabla::nn {

class Identity : public Module {
 public:
  Identity() : Module("Identity") {}
  Tensor forward(const Tensor& input) override { return input; }
};

}  // namespace nabla::nn
