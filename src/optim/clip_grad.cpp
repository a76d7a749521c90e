#include "nabla/optim/clip_grad.h"

#include <algorithm>
#include <cmath>

#include "nabla/compile/tape.h"
#include "nabla/ops/ops.h"

namespace nabla::optim {
namespace {

// max that lets a NaN through from either side, as torch.max / torch.clamp do.
double nan_max(double a, double b) { return (std::isnan(a) || a > b) ? a : b; }

// The norm of one gradient, of order p (accumulated in double).
double grad_norm(const Tensor& grad, double p) {
  const Tensor g = grad.is_contiguous() ? grad : grad.contiguous();
  return dispatch_floating(g.dtype(), "clip_grad_norm_", [&]<class T>() {
    const T* x = g.data<T>();
    const int64_t n = g.numel();
    double acc = 0;
    if (std::isinf(p)) {
      for (int64_t i = 0; i < n; ++i) acc = nan_max(acc, std::fabs(double(x[i])));
      return acc;
    }
    if (p == 2) {
      for (int64_t i = 0; i < n; ++i) acc += double(x[i]) * double(x[i]);
      return std::sqrt(acc);
    }
    if (p == 1) {
      for (int64_t i = 0; i < n; ++i) acc += std::fabs(double(x[i]));
      return acc;
    }
    for (int64_t i = 0; i < n; ++i) acc += std::pow(std::fabs(double(x[i])), p);
    return std::pow(acc, 1.0 / p);
  });
}

// The total norm of `grads`, and every gradient scaled so that it is at most max_norm.
double clip_by_total_norm(std::vector<Tensor>& grads, double max_norm, double norm_type, bool error_if_nonfinite) {
  double total = 0;
  if (std::isinf(norm_type)) {
    for (const Tensor& g : grads) total = nan_max(total, grad_norm(g, norm_type));
  } else {
    for (const Tensor& g : grads) {
      const double n = grad_norm(g, norm_type);
      total += norm_type == 2 ? n * n : norm_type == 1 ? n : std::pow(n, norm_type);
    }
    total = norm_type == 2 ? std::sqrt(total) : norm_type == 1 ? total : std::pow(total, 1.0 / norm_type);
  }
  NABLA_CHECK(!error_if_nonfinite || std::isfinite(total), ValueError, "clip_grad_norm_: the total norm of order ",
              norm_type, " of the gradients is non-finite (", total,
              "), so it cannot be clipped; pass error_if_nonfinite = false to scale by it anyway");
  double coef = max_norm / (total + 1e-6);
  if (!(coef <= 1.0) && !std::isnan(coef)) coef = 1.0;
  // Multiplying by 1 changes nothing, so like PyTorch we scale unconditionally.
  for (Tensor& g : grads) g.mul_(coef);
  return total;
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  NABLA_CHECK(norm_type > 0, ValueError, "clip_grad_norm_: invalid norm_type ", norm_type,
              " (must be > 0, or kInfNorm)");
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;

  // One replayable kernel (nabla/compile.h): the norm and the scale are computed when it runs.
  double result = 0;
  capture::launch("clip_grad_norm_", [grads, max_norm, norm_type, error_if_nonfinite, out = &result]() mutable {
    const double total = clip_by_total_norm(grads, max_norm, norm_type, error_if_nonfinite);
    if (out) *out = total;
    out = nullptr;  // the caller's variable is gone when the step is replayed
  });
  return result;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  for (const Tensor& p : params) {
    if (!p.defined() || !p.grad().defined()) continue;
    // Replayable (nabla/compile.h): the clamp runs on the gradient bound when it runs.
    capture::launch(
        "clip_grad_value_",
        [g = p.grad(), clip_value]() mutable {
          dispatch_floating(g.dtype(), "clip_grad_value_", [&]<class T>() {
            const T lo = T(-clip_value), hi = T(clip_value);
            auto clamp = [&](T v) { return std::isnan(v) ? v : std::min(std::max(v, lo), hi); };
            if (g.is_contiguous()) {
              T* x = g.data<T>();
              for (int64_t i = 0; i < g.numel(); ++i) x[i] = clamp(x[i]);
            } else {
              Tensor c = g.contiguous();
              T* x = c.data<T>();
              for (int64_t i = 0; i < c.numel(); ++i) x[i] = clamp(x[i]);
              g.copy_(c);
            }
          });
        },
        p.grad());
  }
}

namespace {

template <class Term>
Tensor penalty(const char* name, const std::vector<Tensor>& params, Term term) {
  NABLA_CHECK(!params.empty(), ValueError, name, ": no parameters");
  Tensor total;
  for (size_t i = 0; i < params.size(); ++i) {
    NABLA_CHECK(params[i].defined(), ValueError, name, ": parameter ", i, " is undefined");
    NABLA_CHECK(params[i].dtype() == params[0].dtype(), DTypeError, name, ": parameter ", i, " is ",
                dtype_name(params[i].dtype()), ", parameter 0 ", dtype_name(params[0].dtype()),
                "; penalize each dtype separately");
    Tensor t = sum(term(params[i]));
    total = total.defined() ? total + t : t;
  }
  return total;
}

}  // namespace

Tensor l2_penalty(const std::vector<Tensor>& params) {
  return penalty("l2_penalty", params, [](const Tensor& p) { return p * p; });
}

Tensor l1_penalty(const std::vector<Tensor>& params) {
  return penalty("l1_penalty", params, [](const Tensor& p) { return abs(p); });
}

}  // namespace nabla::optim
