#include "nabla/nn/group_norm.h"

#include "nabla/nn/functional.h"

namespace nabla::nn {

GroupNorm::GroupNorm(const GroupNormOptions& options) : Module("GroupNorm"), options_(options) {
  NABLA_CHECK(
      options.num_groups() > 0 && options.num_channels() > 0 && options.num_channels() % options.num_groups() == 0,
      ValueError, "GroupNorm: num_channels (", options.num_channels(), ") must be divisible by num_groups (",
      options.num_groups(), "), both positive");
  NABLA_CHECK(options.eps() >= 0, ValueError, "GroupNorm: eps must be >= 0, got ", options.eps());
  NABLA_CHECK(is_floating(options.dtype()), DTypeError, "GroupNorm: dtype must be float32 or float64, got ",
              dtype_name(options.dtype()));
  if (options.affine()) {
    weight = register_parameter("weight", ones({options.num_channels()}, options.dtype()));
    bias = register_parameter("bias", zeros({options.num_channels()}, options.dtype()));
  }
}

Tensor GroupNorm::forward(const Tensor& input) {
  NABLA_CHECK(input.defined() && input.dim() >= 2 && input.shape()[1] == options_.num_channels(), ShapeError,
              "GroupNorm: expected an input (N, ", options_.num_channels(), ", *), got ",
              input.defined() ? input.shape().to_string() : "undefined");
  return functional::group_norm(input, options_.num_groups(), weight, bias, options_.eps());
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(options_.num_groups()) + ", " + std::to_string(options_.num_channels()) +
         ", eps=" + detail::py_float(options_.eps()) + ", affine=" + detail::py_bool(options_.affine());
}

}  // namespace nabla::nn
