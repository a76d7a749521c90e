// The layers' math (nn::functional), composed from core ops so that it is twice differentiable.
// Losses are in functional_loss.cpp.
#include "nabla/nn/functional.h"

#include "nabla/autograd/node.h"
#include "nabla/ops/ops.h"

namespace nabla::nn::functional {

namespace {
void check_defined(const Tensor& t, const char* op, const char* what) {
  NABLA_CHECK(t.defined(), ValueError, op, ": ", what, " is undefined");
}

// Shape (1, C, 1, ..., 1) with the rank of `x`: a per-channel vector broadcast over (N, C, *).
Shape channel_shape(const Tensor& x) {
  Shape s;
  s.resize(x.dim(), 1);
  s[1] = x.shape()[1];
  return s;
}

// Every dimension of (N, C, *) but the channel one.
std::vector<int64_t> non_channel_dims(const Tensor& x) {
  std::vector<int64_t> dims{0};
  for (int i = 2; i < x.dim(); ++i) dims.push_back(i);
  return dims;
}

void check_channel_vector(const Tensor& v, int64_t channels, const char* op, const char* what, const Tensor& x) {
  if (!v.defined()) return;
  NABLA_CHECK(v.dim() == 1 && v.shape()[0] == channels, ShapeError, op, ": ", what, " of shape ", v.shape().to_string(),
              " does not fit input ", x.shape().to_string(), " (expected [", channels, "])");
}
}  // namespace

// ============================== linear ==============================

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  check_defined(input, "linear", "input");
  check_defined(weight, "linear", "weight");
  NABLA_CHECK(weight.dim() == 2, ShapeError, "linear: weight must be 2-D (out_features, in_features), got ",
              weight.shape().to_string());
  NABLA_CHECK(input.dim() >= 1 && input.shape().back() == weight.shape()[1], ShapeError, "linear: input ",
              input.shape().to_string(), " does not fit weight ", weight.shape().to_string(),
              " (the input's last dimension must be ", weight.shape()[1], ")");
  NABLA_CHECK(!bias.defined() || (bias.dim() == 1 && bias.shape()[0] == weight.shape()[0]), ShapeError, "linear: bias ",
              bias.shape().to_string(), " does not fit weight ", weight.shape().to_string(), " (expected [",
              weight.shape()[0], "])");
  // One op on (N, in) rows; other ranks are viewed as rows and back, as torch's linear.
  if (input.dim() == 2) return addmm_linear(input, weight, bias);
  Shape out_shape = input.shape();
  out_shape[out_shape.size() - 1] = weight.shape()[0];
  const int64_t rows = Shape(input.shape().begin(), input.shape().end() - 1).numel();
  return addmm_linear(input.reshape({rows, input.shape().back()}), weight, bias).reshape(out_shape);
}

// ============================== dropout ==============================

Tensor dropout(const Tensor& input, double p, bool training, Generator* gen) {
  check_defined(input, "dropout", "input");
  NABLA_CHECK(p >= 0.0 && p <= 1.0, ValueError, "dropout: probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0.0 || input.numel() == 0) return input;
  if (p == 1.0) return input * 0.0;
  // As at::native::_dropout on CPU: noise = empty_like(input).bernoulli_(1 - p).div_(1 - p);
  // the same draws in the same order, and the division (not a multiply by the reciprocal)
  // in the input's dtype, so the scaled mask equals torch's bit for bit.
  Tensor noise = Tensor::empty(input.shape(), input.dtype());
  bernoulli_(noise, 1.0 - p, gen);
  {
    NoGradGuard no_grad;
    noise = noise / (1.0 - p);
  }
  return input * noise;
}

// ============================== normalisation ==============================

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  check_defined(input, "batch_norm", "input");
  NABLA_CHECK(input.dim() >= 2, ShapeError, "batch_norm: expected an input of shape (N, C) or (N, C, L, ...), got ",
              input.shape().to_string());
  const int64_t channels = input.shape()[1];
  check_channel_vector(weight, channels, "batch_norm", "weight", input);
  check_channel_vector(bias, channels, "batch_norm", "bias", input);
  check_channel_vector(running_mean, channels, "batch_norm", "running_mean", input);
  check_channel_vector(running_var, channels, "batch_norm", "running_var", input);
  NABLA_CHECK(eps >= 0, ValueError, "batch_norm: eps must be >= 0, got ", eps);
  const Shape cs = channel_shape(input);
  const std::vector<int64_t> dims = non_channel_dims(input);
  Tensor out;
  if (training) {
    const int64_t n = input.numel() / std::max<int64_t>(channels, 1);
    NABLA_CHECK(n > 1, ValueError,
                "batch_norm: expected more than 1 value per channel when training, got input of shape ",
                input.shape().to_string());
    Tensor mean = nabla::mean(input, dims, true);
    Tensor centered = input - mean;
    Tensor var_sum = sum(centered * centered, dims, true);
    Tensor var = var_sum / double(n);  // biased: what normalises
    out = centered / sqrt(var + eps);
    if (running_mean.defined() || running_var.defined()) {
      NoGradGuard no_grad;
      // PyTorch's order: momentum·batch + (1 - momentum)·running; the unbiased variance
      // Σ(x - mean)² / (n - 1) feeds running_var.
      if (running_mean.defined()) {
        Tensor updated = momentum * mean.detach().reshape({channels}).to(running_mean.dtype()) +
                         (1 - momentum) * running_mean.detach();
        running_mean.detach().copy_(updated);
      }
      if (running_var.defined()) {
        Tensor unbiased = (var_sum.detach() / double(n - 1)).reshape({channels}).to(running_var.dtype());
        Tensor updated = momentum * unbiased + (1 - momentum) * running_var.detach();
        running_var.detach().copy_(updated);
      }
    }
  } else {
    NABLA_CHECK(running_mean.defined() && running_var.defined(), ValueError,
                "batch_norm: evaluation mode needs running_mean and running_var");
    out = (input - running_mean.reshape(cs)) / sqrt(running_var.reshape(cs) + eps);
  }
  if (weight.defined()) out = out * weight.reshape(cs);
  if (bias.defined()) out = out + bias.reshape(cs);
  return out;
}

Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  check_defined(input, "layer_norm", "input");
  const int k = static_cast<int>(normalized_shape.size());
  const Shape ns(normalized_shape);
  bool fits = k >= 1 && input.dim() >= k;
  for (int i = 0; fits && i < k; ++i) fits = input.shape()[input.dim() - k + i] == normalized_shape[i];
  NABLA_CHECK(fits, ShapeError, "layer_norm: input ", input.shape().to_string(), " does not end with normalized_shape ",
              ns.to_string());
  NABLA_CHECK(!weight.defined() || weight.shape() == ns, ShapeError, "layer_norm: weight ", weight.shape().to_string(),
              " must have normalized_shape ", ns.to_string());
  NABLA_CHECK(!bias.defined() || bias.shape() == ns, ShapeError, "layer_norm: bias ", bias.shape().to_string(),
              " must have normalized_shape ", ns.to_string());
  std::vector<int64_t> dims;
  for (int i = input.dim() - k; i < input.dim(); ++i) dims.push_back(i);
  Tensor mean = nabla::mean(input, dims, true);
  Tensor centered = input - mean;
  Tensor var = nabla::mean(centered * centered, dims, true);
  Tensor out = centered / sqrt(var + eps);
  if (weight.defined()) out = out * weight;
  if (bias.defined()) out = out + bias;
  return out;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  check_defined(input, "group_norm", "input");
  NABLA_CHECK(input.dim() >= 2, ShapeError, "group_norm: expected an input of shape (N, C, *), got ",
              input.shape().to_string());
  const int64_t n = input.shape()[0], channels = input.shape()[1];
  NABLA_CHECK(num_groups > 0 && channels % num_groups == 0, ShapeError, "group_norm: ", channels, " channels (input ",
              input.shape().to_string(), ") cannot be split into ", num_groups, " groups");
  check_channel_vector(weight, channels, "group_norm", "weight", input);
  check_channel_vector(bias, channels, "group_norm", "bias", input);
  Tensor grouped = input.reshape({n, num_groups, -1});
  Tensor mean = nabla::mean(grouped, {2}, true);
  Tensor centered = grouped - mean;
  Tensor var = nabla::mean(centered * centered, {2}, true);
  Tensor out = (centered / sqrt(var + eps)).reshape(input.shape());
  const Shape cs = channel_shape(input);
  if (weight.defined()) out = out * weight.reshape(cs);
  if (bias.defined()) out = out + bias.reshape(cs);
  return out;
}

}  // namespace nabla::nn::functional
