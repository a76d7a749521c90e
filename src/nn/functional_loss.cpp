// The losses of nn::functional, composed from core ops (twice differentiable), with PyTorch's
// formulas (aten/src/ATen/native/Loss.cpp, LossNLL.cpp, 1.13).
#include <cmath>

#include "kernels/elementwise.h"
#include "nabla/autograd/node.h"
#include "nabla/compile/tape.h"
#include "nabla/nn/functional.h"
#include "nabla/ops/ops.h"

namespace nabla::nn::functional {

namespace {

void check_pair(const Tensor& input, const Tensor& target, const char* loss) {
  NABLA_CHECK(input.defined() && target.defined(), ValueError, loss, ": input or target is undefined");
  NABLA_CHECK(input.shape() == target.shape(), ShapeError, loss, ": input ", input.shape().to_string(), " and target ",
              target.shape().to_string(), " must have the same shape");
  NABLA_CHECK(is_floating(input.dtype()) && input.dtype() == target.dtype(), DTypeError, loss,
              ": input and target must be of one floating dtype, got ", dtype_name(input.dtype()), " and ",
              dtype_name(target.dtype()));
}

void check_broadcasts(const Tensor& w, const Tensor& to, const char* loss, const char* what) {
  if (!w.defined()) return;
  NABLA_CHECK(broadcast_shapes(w.shape(), to.shape(), loss) == to.shape(), ShapeError, loss, ": ", what, " ",
              w.shape().to_string(), " does not broadcast to the input ", to.shape().to_string());
}

int class_dim_of(const Tensor& input) { return input.dim() == 1 ? 0 : 1; }

// The target shape a class-index loss expects: the input's without the class dimension.
Shape target_shape_for(const Tensor& input) {
  Shape s = input.shape();
  s.erase(class_dim_of(input));
  return s;
}

void check_class_weight(const Tensor& weight, int64_t classes, const char* loss) {
  if (!weight.defined()) return;
  NABLA_CHECK(weight.dim() == 1 && weight.shape()[0] == classes, ShapeError, loss, ": weight ",
              weight.shape().to_string(), " must have one entry per class ([", classes, "])");
}

// A per-class weight vector broadcast along the class dimension of `input`.
Tensor class_weight_view(const Tensor& weight, const Tensor& input) {
  Shape s;
  s.resize(input.dim(), 1);
  s[class_dim_of(input)] = weight.shape()[0];
  return weight.reshape(s);
}

}  // namespace

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::none:
      return loss;
    case Reduction::mean:
      return mean(loss);
    case Reduction::sum:
      return sum(loss);
  }
  return loss;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, const LossOptions& options) {
  check_pair(input, target, "mse_loss");
  return reduce(pow(input - target, 2.0), options.reduction());
}

Tensor half_mse_loss(const Tensor& input, const Tensor& target, const LossOptions& options) {
  check_pair(input, target, "half_mse_loss");
  return reduce(0.5 * pow(input - target, 2.0), options.reduction());
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const LossOptions& options) {
  check_pair(input, target, "l1_loss");
  return reduce(abs(input - target), options.reduction());
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BCELossOptions& options) {
  check_pair(input, target, "binary_cross_entropy");
  check_broadcasts(options.weight(), input, "binary_cross_entropy", "weight");
  for (double p : input.to_vector<double>())
    NABLA_CHECK(p >= 0.0 && p <= 1.0, ValueError,
                "binary_cross_entropy: all elements of input should be between 0 and 1 (probabilities), got ", p,
                "; use binary_cross_entropy_with_logits on logits");
  // (y - 1)·max(log(1 - p), -100) - y·max(log p, -100), as torch's CPU kernel.
  Tensor loss;
  {
    NoGradGuard no_grad;
    loss = (target - 1.0) * clamp_min(log(1.0 - input), -100.0) - target * clamp_min(log(input), -100.0);
  }
  // NOTE: torch's gradients, not the composed formula's: where a sigmoid saturates to p = 0 or 1
  // the clamped log's gradient is 0·∞ = NaN, while torch divides by max(p(1 - p), 1e-12).
  // (torch's EPSILON is the float 1e-12f.) Written in ops, so it differentiates again.
  loss =
      autograd::record("binary_cross_entropy", loss, {input, target},
                       [p = input, y = target](const Tensor& g, const Tensor&) -> std::vector<Tensor> {
                         return {p.requires_grad() ? g * (p - y) / clamp_min((1.0 - p) * p, double(1e-12f)) : Tensor(),
                                 y.requires_grad() ? g * (log(1.0 - p) - log(p)) : Tensor()};
                       });
  if (options.weight().defined()) loss = loss * options.weight();
  return reduce(loss, options.reduction());
}

namespace {

// The loops of the fused backward, restrict-qualified so that they vectorise.
template <class T>
[[gnu::noinline]] void bce_with_logits_dx(int64_t n, const T* __restrict g, const T* __restrict x,
                                          const T* __restrict y, T* __restrict dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = (kernels::sigmoid_value(x[i]) - y[i]) * g[i];
}
template <class T>
[[gnu::noinline]] void bce_with_logits_dy(int64_t n, const T* __restrict g, const T* __restrict x, T* __restrict dy) {
  for (int64_t i = 0; i < n; ++i) dy[i] = -x[i] * g[i];
}

// ∂loss/∂x = (σ(x) − y)·g and ∂loss/∂y = −x·g, PyTorch's binary_cross_entropy_with_logits_backward
// (no weights). One kernel when no graph of the gradient is wanted; made of differentiable ops
// (the same values) when it is (create_graph), so that the loss is differentiable again.
std::vector<Tensor> bce_with_logits_backward(const Tensor& g, const Tensor& x, const Tensor& y) {
  const bool flat = !grad_enabled() && g.shape() == x.shape() && g.is_contiguous() && x.is_contiguous() &&
                    y.is_contiguous() && g.dtype() == x.dtype();
  if (!flat) return {x.requires_grad() ? (sigmoid(x) - y) * g : Tensor(), y.requires_grad() ? -x * g : Tensor()};
  Tensor dx = x.requires_grad() ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
  Tensor dy = y.requires_grad() ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
  dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits", [&]<class T>() {
    capture::launch(
        "bce_logits_backward",
        [pg = g.data<T>(), px = x.data<T>(), py = y.data<T>(), pdx = dx.defined() ? dx.data<T>() : nullptr,
         pdy = dy.defined() ? dy.data<T>() : nullptr, n = x.numel()] {
          if (pdx) bce_with_logits_dx(n, pg, px, py, pdx);
          if (pdy) bce_with_logits_dy(n, pg, px, pdy);
        },
        g, x, y, dx.defined() ? dx : g, dy.defined() ? dy : g);
  });
  return {dx, dy};
}

// (1 − y)·x + log(1 + e^−x), elementwise, in one kernel: the float operations of the composed
// formula in binary_cross_entropy_with_logits below, in its order, so the same values.
template <class T>
[[gnu::noinline]] void bce_with_logits_loop(int64_t n, const T* __restrict x, const T* __restrict y,
                                            T* __restrict loss) {
  for (int64_t i = 0; i < n; ++i) {
    const T xi = x[i], yi = y[i];
    const T neg_x = -xi;
    const T m = neg_x != neg_x ? neg_x : std::max(neg_x, T(0));  // clamp_min(-x, 0)
    // e^a + e^b with one exp: one of a, b is exactly 0 (e^0 = 1 exactly) for every x but −inf and
    // NaN, where b is NaN (and e^NaN returns that NaN). The same bits as two exp calls.
    const T a = -m, b = neg_x - m;
    const T e = kernels::exp_value(a == T(0) ? b : a);
    const T ea = a == T(0) ? T(1) : e;
    const T eb = b == T(0) ? T(1) : (a == T(0) ? e : b);
    const T softplus_neg = kernels::log_value(ea + eb) + m;
    const T linear = (T(1) - yi) * xi;
    loss[i] = linear + softplus_neg;
  }
}

Tensor bce_with_logits_elementwise(const Tensor& x, const Tensor& y) {
  Tensor x_in = x.contiguous(), y_in = y.contiguous();
  Tensor loss = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits", [&]<class T>() {
    capture::launch(
        "bce_logits",
        [px = x_in.data<T>(), py = y_in.data<T>(), pl = loss.data<T>(), n = x.numel()] {
          bce_with_logits_loop(n, px, py, pl);
        },
        x_in, y_in, loss);
  });
  return autograd::record("binary_cross_entropy_with_logits", loss, {x, y},
                          [x, y](const Tensor& g, const Tensor&) { return bce_with_logits_backward(g, x, y); });
}

}  // namespace

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options) {
  check_pair(input, target, "binary_cross_entropy_with_logits");
  check_broadcasts(options.weight(), input, "binary_cross_entropy_with_logits", "weight");
  check_broadcasts(options.pos_weight(), input, "binary_cross_entropy_with_logits", "pos_weight");
  if (!options.weight().defined() && !options.pos_weight().defined())
    return reduce(bce_with_logits_elementwise(input, target), options.reduction());
  // NOTE: m only shifts the log-sum-exp (m + log(e^-m + e^(-x-m)) = log(1 + e^-x) for every m), so
  // its derivative is exactly zero: detaching it changes no gradient and keeps the kink of
  // max(-x, 0) out of the graph.
  Tensor m = clamp_min(-input, 0.0).detach();
  Tensor softplus_neg = log(exp(-m) + exp(-input - m)) + m;  // log(1 + e^-x), stable
  Tensor loss;
  if (options.pos_weight().defined()) {
    Tensor log_weight = (options.pos_weight() - 1.0) * target + 1.0;
    loss = (1.0 - target) * input + log_weight * softplus_neg;
  } else {
    loss = (1.0 - target) * input + softplus_neg;
  }
  if (options.weight().defined()) loss = loss * options.weight();
  return reduce(loss, options.reduction());
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options) {
  NABLA_CHECK(input.defined() && target.defined(), ValueError, "nll_loss: input or target is undefined");
  NABLA_CHECK(input.dim() >= 1, ShapeError, "nll_loss: input must have a class dimension, got ",
              input.shape().to_string());
  NABLA_CHECK(target.dtype() == DType::int64, DTypeError, "nll_loss: target must hold int64 class indices, got ",
              dtype_name(target.dtype()));
  NABLA_CHECK(target.shape() == target_shape_for(input), ShapeError, "nll_loss: input ", input.shape().to_string(),
              " needs a target of shape ", target_shape_for(input).to_string(), ", got ", target.shape().to_string());
  const int cdim = class_dim_of(input);
  const int64_t classes = input.shape()[cdim];
  check_class_weight(options.weight(), classes, "nll_loss");

  // Ignored targets read class 0 and are then weighted by 0. One kernel reads the targets (so a
  // compiled step reads each batch's own, nabla/compile.h): safe = target or 0, mask = 1 or 0.
  Tensor targets = target.contiguous();
  Tensor safe = Tensor::empty(target.shape(), DType::int64);
  Tensor mask = Tensor::empty(target.shape(), input.dtype());
  dispatch_floating(input.dtype(), "nll_loss", [&]<class T>() {
    capture::launch(
        "nll_loss",
        [t = targets.data<int64_t>(), s = safe.data<int64_t>(), m = mask.data<T>(), n = target.numel(), classes,
         ignore = options.ignore_index()] {
          for (int64_t i = 0; i < n; ++i) {
            const bool ignored = t[i] == ignore;
            NABLA_CHECK(ignored || (t[i] >= 0 && t[i] < classes), ValueError, "nll_loss: target ", t[i],
                        " at position ", i, " is out of bounds for ", classes, " classes");
            m[i] = ignored ? T(0) : T(1);
            s[i] = ignored ? 0 : t[i];
          }
        },
        targets, safe, mask);
  });
  Tensor picked = gather(input, cdim, safe.unsqueeze(cdim)).squeeze(cdim);
  Tensor w = options.weight().defined()
                 ? index_select(options.weight(), 0, safe.reshape({-1})).reshape(target.shape()) * mask
                 : mask;
  // where, not a product with the mask: an ignored row may hold -inf (0·-inf would be NaN).
  Tensor loss = where(mask > 0.5, -(w * picked), 0.0);
  switch (options.reduction()) {
    case Reduction::none:
      return loss;
    case Reduction::sum:
      return sum(loss);
    case Reduction::mean:
      return sum(loss) / sum(w);
  }
  return loss;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyLossOptions& options) {
  NABLA_CHECK(input.defined() && target.defined(), ValueError, "cross_entropy: input or target is undefined");
  NABLA_CHECK(input.dim() >= 1, ShapeError, "cross_entropy: input must have a class dimension, got ",
              input.shape().to_string());
  const double ls = options.label_smoothing();
  NABLA_CHECK(ls >= 0.0 && ls <= 1.0, ValueError, "cross_entropy: label_smoothing must be between 0.0 and 1.0, got ",
              ls);
  const int cdim = class_dim_of(input);
  const int64_t classes = input.shape()[cdim];
  check_class_weight(options.weight(), classes, "cross_entropy");
  const Tensor& weight = options.weight();
  Tensor lsm = log_softmax(input, cdim);

  if (is_floating(target.dtype())) {
    // Class probabilities: -Σ_c w_c·t_c·log p_c, the mean taken over the samples.
    NABLA_CHECK(target.shape() == input.shape(), ShapeError, "cross_entropy: input ", input.shape().to_string(),
                " and probability target ", target.shape().to_string(), " must have the same shape");
    Tensor t = ls > 0 ? target * (1 - ls) + ls / double(classes) : target;
    Tensor prod = lsm * t;
    if (weight.defined()) prod = prod * class_weight_view(weight, input);
    Tensor per = -sum(prod, {cdim});
    if (options.reduction() == Reduction::mean) return sum(per) / double(input.numel() / std::max<int64_t>(classes, 1));
    return reduce(per, options.reduction());
  }

  NLLLossOptions nll_options;
  nll_options.weight(weight).ignore_index(options.ignore_index()).reduction(options.reduction());
  Tensor nll = nll_loss(lsm, target, nll_options);
  if (ls == 0.0) return nll;

  // PyTorch's cross_entropy_loss_label_smoothing: the smoothing term -Σ_c w_c·log p_c, zero at
  // ignored targets.
  Tensor smooth = weight.defined() ? -sum(lsm * class_weight_view(weight, input), {cdim}) : -sum(lsm, {cdim});
  capture::refuse("cross_entropy with label_smoothing and class targets");
  {
    std::vector<int64_t> t = target.to_vector<int64_t>();
    std::vector<double> keep(t.size());
    for (size_t i = 0; i < t.size(); ++i) keep[i] = t[i] == options.ignore_index() ? 0.0 : 1.0;
    Tensor keep_mask = Tensor::from_vector(keep, target.shape(), input.dtype());
    smooth = where(keep_mask > 0.5, smooth, 0.0);
    if (options.reduction() == Reduction::mean && weight.defined()) {
      std::vector<int64_t> safe(t.size());
      for (size_t i = 0; i < t.size(); ++i) safe[i] = keep[i] != 0 ? t[i] : 0;
      Tensor w =
          index_select(weight, 0, Tensor::from_vector(safe, Shape{int64_t(safe.size())})) * keep_mask.reshape({-1});
      return (1 - ls) * nll + (sum(smooth) / sum(w)) * (ls / double(classes));
    }
  }
  Tensor smooth_reduced;
  switch (options.reduction()) {
    case Reduction::none:
      smooth_reduced = smooth;
      break;
    case Reduction::sum:
      smooth_reduced = sum(smooth);
      break;
    case Reduction::mean: {  // over the counted (not ignored) targets, as the NLL term
      int64_t counted = 0;
      for (int64_t v : target.to_vector<int64_t>()) counted += v != options.ignore_index();
      smooth_reduced = sum(smooth) / double(counted);
      break;
    }
  }
  return (1 - ls) * nll + smooth_reduced * (ls / double(classes));
}

}  // namespace nabla::nn::functional
