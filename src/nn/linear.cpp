#include "nabla/nn/linear.h"

#include "nabla/nn/functional.h"

namespace nabla::nn {

Linear::Linear(const LinearOptions& options) : Module("Linear"), options_(options) {
  NABLA_CHECK(options.in_features() >= 0 && options.out_features() >= 0, ValueError,
              "Linear: in_features and out_features must be >= 0, got ", options.in_features(), " and ",
              options.out_features());
  NABLA_CHECK(is_floating(options.dtype()), DTypeError, "Linear: dtype must be float32 or float64, got ",
              dtype_name(options.dtype()));
  weight =
      register_parameter("weight", Tensor::empty({options.out_features(), options.in_features()}, options.dtype()));
  if (options.bias()) bias = register_parameter("bias", Tensor::empty({options.out_features()}, options.dtype()));
  reset_parameters();
}

void Linear::reset_parameters() {
  // PyTorch's order: the whole weight first, then the bias.
  options_.init().apply(weight, options_.generator());
  if (bias.defined()) options_.bias_init().apply(bias, options_.generator(), weight);
}

Tensor Linear::forward(const Tensor& input) { return functional::linear(input, weight, bias); }

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(options_.in_features()) +
         ", out_features=" + std::to_string(options_.out_features()) + ", bias=" + detail::py_bool(bias.defined());
}

}  // namespace nabla::nn
