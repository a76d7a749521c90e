#include "nabla/nn/activation.h"

#include <cmath>

#include "nabla/ops/ops.h"

namespace nabla::nn {

namespace {
// PyTorch's Softplus defaults are the ints 1 and 20 and print as such ("beta=1, threshold=20");
// values set by the user print as the floats they usually are ("beta=2.0").
std::string py_number(double v, double int_default) {
  if (v == int_default) return std::to_string(static_cast<int64_t>(v));
  return detail::py_float(v);
}
}  // namespace

Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }
Tensor Tanh::forward(const Tensor& input) { return tanh(input); }
Tensor ReLU::forward(const Tensor& input) { return relu(input); }
Tensor SELU::forward(const Tensor& input) { return selu(input); }
Tensor SiLU::forward(const Tensor& input) { return silu(input); }
Tensor Step::forward(const Tensor& input) { return step(input); }
Tensor Softmax::forward(const Tensor& input) { return softmax(input, dim_); }
Tensor LogSoftmax::forward(const Tensor& input) { return log_softmax(input, dim_); }

LeakyReLU::LeakyReLU(const LeakyReLUOptions& options) : Module("LeakyReLU"), options_(options) {}
Tensor LeakyReLU::forward(const Tensor& input) { return leaky_relu(input, options_.negative_slope()); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + detail::py_float(options_.negative_slope()); }

ELU::ELU(const ELUOptions& options) : Module("ELU"), options_(options) {}
Tensor ELU::forward(const Tensor& input) { return elu(input, options_.alpha()); }
std::string ELU::extra_repr() const { return "alpha=" + detail::py_float(options_.alpha()); }

GELU::GELU(const GELUOptions& options) : Module("GELU"), options_(options) {
  NABLA_CHECK(options.approximate() == "none" || options.approximate() == "tanh", ValueError,
              "GELU: approximate must be \"none\" or \"tanh\", got \"", options.approximate(), "\"");
}
Tensor GELU::forward(const Tensor& input) { return gelu(input, options_.approximate() == "tanh"); }
std::string GELU::extra_repr() const { return "approximate='" + options_.approximate() + "'"; }

Softplus::Softplus(const SoftplusOptions& options) : Module("Softplus"), options_(options) {
  NABLA_CHECK(options.beta() != 0, ValueError, "Softplus: beta must be non-zero");
}
Tensor Softplus::forward(const Tensor& input) { return softplus(input, options_.beta(), options_.threshold()); }
std::string Softplus::extra_repr() const {
  return "beta=" + py_number(options_.beta(), 1.0) + ", threshold=" + py_number(options_.threshold(), 20.0);
}

}  // namespace nabla::nn
