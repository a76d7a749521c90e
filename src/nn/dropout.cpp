#include "nabla/nn/dropout.h"

#include "nabla/nn/functional.h"

namespace nabla::nn {

Dropout::Dropout(const DropoutOptions& options) : Module("Dropout"), options_(options) {
  NABLA_CHECK(options.p() >= 0.0 && options.p() <= 1.0, ValueError,
              "Dropout: probability has to be between 0 and 1, but got ", options.p());
}

Tensor Dropout::forward(const Tensor& input) {
  return functional::dropout(input, options_.p(), is_training(), options_.generator());
}

std::string Dropout::extra_repr() const { return "p=" + detail::py_float(options_.p()) + ", inplace=False"; }

}  // namespace nabla::nn
