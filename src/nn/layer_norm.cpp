#include "nabla/nn/layer_norm.h"

#include "nabla/nn/functional.h"

namespace nabla::nn {

LayerNorm::LayerNorm(const LayerNormOptions& options) : Module("LayerNorm"), options_(options) {
  const Shape ns(options.normalized_shape());
  NABLA_CHECK(!options.normalized_shape().empty(), ValueError, "LayerNorm: normalized_shape must not be empty");
  for (int64_t d : options.normalized_shape())
    NABLA_CHECK(d > 0, ValueError, "LayerNorm: normalized_shape ", ns.to_string(), " must be positive");
  NABLA_CHECK(options.eps() >= 0, ValueError, "LayerNorm: eps must be >= 0, got ", options.eps());
  NABLA_CHECK(is_floating(options.dtype()), DTypeError, "LayerNorm: dtype must be float32 or float64, got ",
              dtype_name(options.dtype()));
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", ones(ns, options.dtype()));
    bias = register_parameter("bias", zeros(ns, options.dtype()));
  }
}

Tensor LayerNorm::forward(const Tensor& input) {
  return functional::layer_norm(input, options_.normalized_shape(), weight, bias, options_.eps());
}

std::string LayerNorm::extra_repr() const {
  // A Python tuple: "(4,)", "(3, 4)".
  const auto& ns = options_.normalized_shape();
  std::string t = "(";
  for (size_t i = 0; i < ns.size(); ++i) t += (i ? ", " : "") + std::to_string(ns[i]);
  t += ns.size() == 1 ? ",)" : ")";
  return t + ", eps=" + detail::py_float(options_.eps()) +
         ", elementwise_affine=" + detail::py_bool(options_.elementwise_affine());
}

}  // namespace nabla::nn
