// nabla/nn/flatten.h — merges the dimensions start_dim..end_dim into one, as torch.nn.Flatten
// (by default everything but the batch dimension).
//
//   auto flat = std::make_shared<nn::Flatten>();
//   Tensor y = flat->forward(x);   // x: (N, 3, 4) -> y: (N, 12)
//   nn::Flatten(nn::FlattenOptions().start_dim(0));  // everything
#pragma once
#include "nabla/nn/module.h"
#include "nabla/nn/options.h"

namespace nabla::nn {

struct FlattenOptions {
  NABLA_ARG(int64_t, start_dim) = 1;
  NABLA_ARG(int64_t, end_dim) = -1;
};

class Flatten : public Module {
 public:
  explicit Flatten(const FlattenOptions& options = {}) : Module("Flatten"), options_(options) {}
  Tensor forward(const Tensor& input) override { return input.flatten(options_.start_dim(), options_.end_dim()); }
  std::string extra_repr() const override {
    return "start_dim=" + std::to_string(options_.start_dim()) + ", end_dim=" + std::to_string(options_.end_dim());
  }
  const FlattenOptions& options() const { return options_; }

 private:
  FlattenOptions options_;
};

}  // namespace nabla::nn
