#include "nabla/nn/batch_norm.h"

#include "nabla/compile/tape.h"
#include "nabla/nn/functional.h"

namespace nabla::nn {

BatchNorm1d::BatchNorm1d(const BatchNormOptions& options) : Module("BatchNorm1d"), options_(options) {
  NABLA_CHECK(options.num_features() > 0, ValueError, "BatchNorm1d: num_features must be positive, got ",
              options.num_features());
  NABLA_CHECK(options.eps() >= 0, ValueError, "BatchNorm1d: eps must be >= 0, got ", options.eps());
  NABLA_CHECK(!options.momentum() || (*options.momentum() >= 0 && *options.momentum() <= 1), ValueError,
              "BatchNorm1d: momentum must be in [0, 1], got ", options.momentum().value_or(0));
  NABLA_CHECK(is_floating(options.dtype()), DTypeError, "BatchNorm1d: dtype must be float32 or float64, got ",
              dtype_name(options.dtype()));
  const int64_t c = options.num_features();
  if (options.affine()) {
    weight = register_parameter("weight", ones({c}, options.dtype()));
    bias = register_parameter("bias", zeros({c}, options.dtype()));
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({c}, options.dtype()));
    running_var = register_buffer("running_var", ones({c}, options.dtype()));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::int64));
  }
}

void BatchNorm1d::reset_running_stats() {
  if (!options_.track_running_stats()) return;
  running_mean.detach().zero_();
  running_var.detach().fill_(1.0);
  num_batches_tracked.detach().zero_();
}

void BatchNorm1d::reset_parameters() {
  reset_running_stats();
  if (!options_.affine()) return;
  weight.detach().fill_(1.0);
  bias.detach().zero_();
}

Tensor BatchNorm1d::forward(const Tensor& input) {
  NABLA_CHECK(input.defined() && (input.dim() == 2 || input.dim() == 3), ShapeError,
              "BatchNorm1d: expected 2D (N, C) or 3D (N, C, L) input, got ",
              input.defined() ? input.shape().to_string() : "undefined");
  NABLA_CHECK(input.shape()[1] == options_.num_features(), ShapeError, "BatchNorm1d: input ", input.shape().to_string(),
              " has ", input.shape()[1], " channels, the layer has ", options_.num_features());
  double factor = options_.momentum().value_or(0.0);
  if (is_training() && options_.track_running_stats()) {
    // An int64 scalar: incremented through its data, as add_ is for floating tensors (a replayed
    // kernel in a compiled step). momentum=None averages over the count: a value read back, so
    // that form cannot be compiled.
    capture::launch(
        "num_batches_tracked", [count = num_batches_tracked.data<int64_t>()] { ++*count; }, num_batches_tracked);
    if (!options_.momentum()) {
      capture::refuse("BatchNorm with momentum=None (cumulative average)");
      factor = 1.0 / double(num_batches_tracked.data<int64_t>()[0]);
    }
  }
  const bool use_batch_stats = is_training() || !options_.track_running_stats();
  return functional::batch_norm(input, running_mean, running_var, weight, bias, use_batch_stats, factor,
                                options_.eps());
}

std::string BatchNorm1d::extra_repr() const {
  return std::to_string(options_.num_features()) + ", eps=" + detail::py_float(options_.eps()) +
         ", momentum=" + (options_.momentum() ? detail::py_float(*options_.momentum()) : std::string("None")) +
         ", affine=" + detail::py_bool(options_.affine()) +
         ", track_running_stats=" + detail::py_bool(options_.track_running_stats());
}

}  // namespace nabla::nn
