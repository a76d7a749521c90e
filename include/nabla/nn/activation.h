// nabla/nn/activation.h — every activation of the core ops as a module, for Sequential.
//
// Each is a one-line wrapper over its op in ops/ops.h (where the formulas, and the conventions
// at kinks, are documented), so they share this one file rather than one file each. Printing
// matches PyTorch's ("LeakyReLU(negative_slope=0.01)").
//
//   auto act = std::make_shared<nn::LeakyReLU>(0.1);
//   Tensor h = act->forward(x);                 // == leaky_relu(x, 0.1)
//   Tensor p = nn::Softmax(1).forward(logits);  // rows sum to 1
#pragma once
#include <string>

#include "nabla/nn/module.h"
#include "nabla/nn/options.h"

namespace nabla::nn {

class Sigmoid : public Module {
 public:
  Sigmoid() : Module("Sigmoid") {}
  Tensor forward(const Tensor& input) override;
};

class Tanh : public Module {
 public:
  Tanh() : Module("Tanh") {}
  Tensor forward(const Tensor& input) override;
};

class ReLU : public Module {
 public:
  ReLU() : Module("ReLU") {}
  Tensor forward(const Tensor& input) override;
};

struct LeakyReLUOptions {
  NABLA_ARG(double, negative_slope) = 0.01;
};
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(const LeakyReLUOptions& options = {});
  explicit LeakyReLU(double negative_slope) : LeakyReLU(LeakyReLUOptions().negative_slope(negative_slope)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const LeakyReLUOptions& options() const { return options_; }

 private:
  LeakyReLUOptions options_;
};

struct ELUOptions {
  NABLA_ARG(double, alpha) = 1.0;
};
class ELU : public Module {
 public:
  explicit ELU(const ELUOptions& options = {});
  explicit ELU(double alpha) : ELU(ELUOptions().alpha(alpha)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const ELUOptions& options() const { return options_; }

 private:
  ELUOptions options_;
};

class SELU : public Module {
 public:
  SELU() : Module("SELU") {}
  Tensor forward(const Tensor& input) override;
};

struct GELUOptions {
  // "none" (exact, with erf) or "tanh" (the tanh approximation), as PyTorch.
  NABLA_ARG(std::string, approximate) = "none";
};
class GELU : public Module {
 public:
  explicit GELU(const GELUOptions& options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const GELUOptions& options() const { return options_; }

 private:
  GELUOptions options_;
};

class SiLU : public Module {
 public:
  SiLU() : Module("SiLU") {}
  Tensor forward(const Tensor& input) override;
};

struct SoftplusOptions {
  NABLA_ARG(double, beta) = 1.0;
  // Above beta·x > threshold the layer is the identity (exp would overflow).
  NABLA_ARG(double, threshold) = 20.0;
};
class Softplus : public Module {
 public:
  explicit Softplus(const SoftplusOptions& options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const SoftplusOptions& options() const { return options_; }

 private:
  SoftplusOptions options_;
};

// The threshold unit of the perceptron: 1 where x > 0, else 0; its gradient is zero.
class Step : public Module {
 public:
  Step() : Module("Step") {}
  Tensor forward(const Tensor& input) override;
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : Module("Softmax"), dim_(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : Module("LogSoftmax"), dim_(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};

}  // namespace nabla::nn
