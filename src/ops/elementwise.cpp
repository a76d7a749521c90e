// Elementwise ops: arithmetic, comparisons, math functions and activations.
// Each op: forward kernel, then its backward formula, written with differentiable ops so that
// every op here can be differentiated twice.
#include <cmath>

#include "op_utils.h"

namespace nabla {
using detail::Grads;
using detail::map_floating;
using detail::zip_floating;

// ============================== arithmetic ==============================

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = zip_floating(a, b, "add", [](auto u, auto v) { return u + v; });
  return autograd::record(
      "add", out, {a, b},
      [sa = a.shape(), sb = b.shape(), ga = a.requires_grad(), gb = b.requires_grad()](const Tensor& g, const Tensor&) {
        return Grads{ga ? sum_to(g, sa) : Tensor(), gb ? sum_to(g, sb) : Tensor()};
      },
      autograd::kSavesNothing);
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = zip_floating(a, b, "sub", [](auto u, auto v) { return u - v; });
  return autograd::record(
      "sub", out, {a, b},
      [sa = a.shape(), sb = b.shape(), ga = a.requires_grad(), gb = b.requires_grad()](const Tensor& g, const Tensor&) {
        return Grads{ga ? sum_to(g, sa) : Tensor(), gb ? sum_to(-g, sb) : Tensor()};
      },
      autograd::kSavesNothing);
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = zip_floating(a, b, "mul", [](auto u, auto v) { return u * v; });
  return autograd::record(
      "mul", out, {a, b},
      [a, b](const Tensor& g, const Tensor&) {
        return Grads{a.requires_grad() ? sum_to(g * b, a.shape()) : Tensor(),
                     b.requires_grad() ? sum_to(g * a, b.shape()) : Tensor()};
      },
      autograd::saves_input(0) | autograd::saves_input(1));
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = zip_floating(a, b, "div", [](auto u, auto v) { return u / v; });
  return autograd::record(
      "div", out, {a, b},
      [a, b](const Tensor& g, const Tensor&) {
        // NOTE: d(a/b)/db written as -g·a/(b·b), PyTorch's form, so values agree to the last bit.
        return Grads{a.requires_grad() ? sum_to(g / b, a.shape()) : Tensor(),
                     b.requires_grad() ? sum_to(-g * a / (b * b), b.shape()) : Tensor()};
      },
      autograd::saves_input(0) | autograd::saves_input(1));
}

Tensor neg(const Tensor& a) {
  Tensor out = map_floating(a, "neg", [](auto v) { return -v; });
  return autograd::record(
      "neg", out, {a}, [](const Tensor& g, const Tensor&) { return Grads{-g}; }, autograd::kSavesNothing);
}

Tensor pow(const Tensor& base, double exponent) {
  Tensor out = map_floating(base, "pow", [exponent](auto v) { return std::pow(v, decltype(v)(exponent)); });
  return autograd::record(
      "pow", out, {base},
      [base, exponent](const Tensor& g, const Tensor&) {
        // NOTE: x^0 has derivative 0 everywhere, also at x = 0 where the general formula gives 0·inf.
        if (exponent == 0.0) return Grads{zeros_like(g)};
        return Grads{g * (exponent * pow(base, exponent - 1.0))};
      },
      autograd::saves_input(0));
}

Tensor pow(const Tensor& base, const Tensor& exponent) {
  Tensor out = zip_floating(base, exponent, "pow", [](auto u, auto v) { return std::pow(u, v); });
  return autograd::record("pow", out, {base, exponent}, [base, exponent](const Tensor& g, const Tensor& out) {
    Grads grads(2);
    if (base.requires_grad()) {
      Tensor d = where(exponent == 0.0, 0.0, exponent * pow(base, exponent - 1.0));
      grads[0] = sum_to(g * d, base.shape());
    }
    if (exponent.requires_grad()) {
      // NOTE: as PyTorch, d/dy x^y is taken as 0 where x = 0 and y >= 0 (the limit from the right).
      Tensor d = where(logical_and(base == 0.0, exponent >= 0.0), 0.0, out * log(base));
      grads[1] = sum_to(g * d, exponent.shape());
    }
    return grads;
  });
}

// NOTE: at ties both inputs get half the gradient (PyTorch's convention for maximum/minimum).
static Tensor tie_share(const Tensor& a, const Tensor& b, bool a_wins_when_greater) {
  Tensor share = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), "maximum"), a.dtype());
  dispatch_floating(a.dtype(), "maximum", [&]<class T>() {
    capture::launch(
        "maximum",
        [u = kernels::operand(a), v = kernels::operand(b), y = kernels::operand(share), a_wins_when_greater] {
          kernels::binary<T, T, T>(u, v, y, [a_wins_when_greater](T p, T q) {
            if (p == q) return T(0.5);
            return T((p > q) == a_wins_when_greater ? 1 : 0);
          });
        },
        a, b, share);
  });
  return share;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out =
      zip_floating(a, b, "maximum", [](auto u, auto v) { return (u != u || v != v) ? u + v : (u > v ? u : v); });
  return autograd::record("maximum", out, {a, b}, [a, b](const Tensor& g, const Tensor&) {
    return Grads{sum_to(g * tie_share(a, b, true), a.shape()), sum_to(g * tie_share(b, a, true), b.shape())};
  });
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out =
      zip_floating(a, b, "minimum", [](auto u, auto v) { return (u != u || v != v) ? u + v : (u < v ? u : v); });
  return autograd::record("minimum", out, {a, b}, [a, b](const Tensor& g, const Tensor&) {
    return Grads{sum_to(g * tie_share(a, b, false), a.shape()), sum_to(g * tie_share(b, a, false), b.shape())};
  });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
// A C++ number meets a tensor: computed in the tensor's dtype, with no scalar tensor made and
// no gradient computed for the constant (the hot path of `x * 0.5`, `1.0 - y`).
Tensor operator+(const Tensor& a, double b) {
  Tensor out = map_floating(a, "add", [b](auto v) { return v + decltype(v)(b); });
  return autograd::record(
      "add", out, {a}, [](const Tensor& g, const Tensor&) { return Grads{g}; }, autograd::kSavesNothing);
}
Tensor operator-(const Tensor& a, double b) {
  Tensor out = map_floating(a, "sub", [b](auto v) { return v - decltype(v)(b); });
  return autograd::record(
      "sub", out, {a}, [](const Tensor& g, const Tensor&) { return Grads{g}; }, autograd::kSavesNothing);
}
Tensor operator*(const Tensor& a, double b) {
  Tensor out = map_floating(a, "mul", [b](auto v) { return v * decltype(v)(b); });
  return autograd::record(
      "mul", out, {a}, [b](const Tensor& g, const Tensor&) { return Grads{g * b}; }, autograd::kSavesNothing);
}
Tensor operator/(const Tensor& a, double b) {
  Tensor out = map_floating(a, "div", [b](auto v) { return v / decltype(v)(b); });
  return autograd::record(
      "div", out, {a}, [b](const Tensor& g, const Tensor&) { return Grads{g / b}; }, autograd::kSavesNothing);
}
Tensor operator+(double a, const Tensor& b) { return b + a; }
Tensor operator-(double a, const Tensor& b) {
  Tensor out = map_floating(b, "sub", [a](auto v) { return decltype(v)(a) - v; });
  return autograd::record(
      "sub", out, {b}, [](const Tensor& g, const Tensor&) { return Grads{-g}; }, autograd::kSavesNothing);
}
Tensor operator*(double a, const Tensor& b) { return b * a; }
Tensor operator/(double a, const Tensor& b) {
  Tensor out = map_floating(b, "div", [a](auto v) { return decltype(v)(a) / v; });
  return autograd::record(
      "div", out, {b}, [a, b](const Tensor& g, const Tensor&) { return Grads{-g * a / (b * b)}; },
      autograd::saves_input(0));
}

// ============================== comparisons ==============================

template <class F>
static Tensor compare(const Tensor& a, const Tensor& b, const char* op, F f) {
  detail::check_same_dtype(a, b, op);
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), op), DType::boolean);
  dispatch_all(a.dtype(), [&]<class T>() {
    capture::launch(
        op,
        [u = kernels::operand(a), v = kernels::operand(b), y = kernels::operand(out), f] {
          kernels::binary<bool, T, T>(u, v, y, [&f](T p, T q) { return f(p, q); });
        },
        a, b, out);
  });
  return out;
}

Tensor eq(const Tensor& a, const Tensor& b) {
  return compare(a, b, "eq", [](auto u, auto v) { return u == v; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return compare(a, b, "ne", [](auto u, auto v) { return u != v; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return compare(a, b, "lt", [](auto u, auto v) { return u < v; });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return compare(a, b, "le", [](auto u, auto v) { return u <= v; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return compare(a, b, "gt", [](auto u, auto v) { return u > v; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return compare(a, b, "ge", [](auto u, auto v) { return u >= v; });
}
Tensor operator>(const Tensor& a, double b) { return gt(a, detail::scalar_like(b, a)); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, detail::scalar_like(b, a)); }
Tensor operator<(const Tensor& a, double b) { return lt(a, detail::scalar_like(b, a)); }
Tensor operator<=(const Tensor& a, double b) { return le(a, detail::scalar_like(b, a)); }
Tensor operator==(const Tensor& a, double b) { return eq(a, detail::scalar_like(b, a)); }

static Tensor as_bool(const Tensor& t, const char* op) {
  if (t.dtype() == DType::boolean) return t;
  return ne(t, Tensor::scalar(0, t.dtype()));
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return compare(as_bool(a, "logical_and"), as_bool(b, "logical_and"), "logical_and",
                 [](bool u, bool v) { return u && v; });
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return compare(as_bool(a, "logical_or"), as_bool(b, "logical_or"), "logical_or",
                 [](bool u, bool v) { return u || v; });
}
Tensor logical_not(const Tensor& a) {
  Tensor m = as_bool(a, "logical_not");
  Tensor out = Tensor::empty(m.shape(), DType::boolean);
  capture::launch(
      "logical_not",
      [in = kernels::operand(m), y = kernels::operand(out)] {
        kernels::unary<bool, bool>(in, y, [](bool v) { return !v; });
      },
      m, out);
  return out;
}

// ============================== where ==============================

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  detail::check_defined(cond, "where");
  NABLA_CHECK(cond.dtype() == DType::boolean, DTypeError, "where: the condition must be a bool tensor, got ",
              dtype_name(cond.dtype()));
  detail::check_same_dtype(a, b, "where");
  Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = Tensor::empty(shape, a.dtype());
  dispatch_all(a.dtype(), [&]<class T>() {
    capture::launch(
        "where",
        [c = kernels::operand(cond), u = kernels::operand(a), v = kernels::operand(b), y = kernels::operand(out)] {
          kernels::ternary<T, bool, T, T>(c, u, v, y, [](bool k, T p, T q) { return kernels::select(k, p, q); });
        },
        cond, a, b, out);
  });
  // The condition is an input without a gradient: listed so that its version is checked (an
  // in-place change of it before backward would route the gradient wrongly).
  return autograd::record("where", out, {a, b, cond},
                          [cond, sa = a.shape(), sb = b.shape()](const Tensor& g, const Tensor&) {
                            return Grads{sum_to(where(cond, g, 0.0), sa), sum_to(where(cond, 0.0, g), sb), Tensor()};
                          });
}
Tensor where(const Tensor& cond, const Tensor& a, double b) { return where(cond, a, detail::scalar_like(b, a)); }
Tensor where(const Tensor& cond, double a, const Tensor& b) { return where(cond, detail::scalar_like(a, b), b); }

// ============================== math ==============================

Tensor exp(const Tensor& x) {
  Tensor out = map_floating(x, "exp", [](auto v) { return kernels::exp_value(v); });
  return autograd::record(
      "exp", out, {x}, [](const Tensor& g, const Tensor& y) { return Grads{g * y}; }, autograd::kSavesOutput);
}

Tensor log(const Tensor& x) {
  Tensor out = map_floating(x, "log", [](auto v) { return kernels::log_value(v); });
  return autograd::record(
      "log", out, {x}, [x](const Tensor& g, const Tensor&) { return Grads{g / x}; }, autograd::saves_input(0));
}

Tensor sqrt(const Tensor& x) {
  Tensor out = map_floating(x, "sqrt", [](auto v) { return std::sqrt(v); });
  return autograd::record(
      "sqrt", out, {x}, [](const Tensor& g, const Tensor& y) { return Grads{g / (2.0 * y)}; }, autograd::kSavesOutput);
}

Tensor sign(const Tensor& x) {
  Tensor out = map_floating(x, "sign", [](auto v) { return decltype(v)((v > 0) - (v < 0)); });
  return autograd::record(
      "sign", out, {x}, [](const Tensor& g, const Tensor&) { return Grads{zeros_like(g)}; }, autograd::kSavesNothing);
}

Tensor abs(const Tensor& x) {
  Tensor out = map_floating(x, "abs", [](auto v) { return std::abs(v); });
  // NOTE: abs'(0) = sign(0) = 0, as PyTorch.
  return autograd::record(
      "abs", out, {x}, [x](const Tensor& g, const Tensor&) { return Grads{g * sign(x)}; }, autograd::saves_input(0));
}

Tensor sin(const Tensor& x) {
  Tensor out = map_floating(x, "sin", [](auto v) { return std::sin(v); });
  return autograd::record(
      "sin", out, {x}, [x](const Tensor& g, const Tensor&) { return Grads{g * cos(x)}; }, autograd::saves_input(0));
}

Tensor cos(const Tensor& x) {
  Tensor out = map_floating(x, "cos", [](auto v) { return std::cos(v); });
  return autograd::record(
      "cos", out, {x}, [x](const Tensor& g, const Tensor&) { return Grads{-g * sin(x)}; }, autograd::saves_input(0));
}

Tensor tanh(const Tensor& x) {
  Tensor out = map_floating(x, "tanh", [](auto v) { return std::tanh(v); });
  return autograd::record(
      "tanh", out, {x}, [](const Tensor& g, const Tensor& y) { return Grads{g * (1.0 - y * y)}; },
      autograd::kSavesOutput);
}

Tensor sigmoid(const Tensor& x) {
  Tensor out = map_floating(x, "sigmoid", [](auto v) { return kernels::sigmoid_value(v); });
  return autograd::record(
      "sigmoid", out, {x}, [](const Tensor& g, const Tensor& y) { return Grads{g * (1.0 - y) * y}; },
      autograd::kSavesOutput);
}

Tensor erf(const Tensor& x) {
  Tensor out = map_floating(x, "erf", [](auto v) { return std::erf(v); });
  return autograd::record(
      "erf", out, {x},
      [x](const Tensor& g, const Tensor&) { return Grads{g * (2.0 / std::sqrt(M_PI)) * exp(-(x * x))}; },
      autograd::saves_input(0));
}

Tensor clamp(const Tensor& x, double lo, double hi) {
  NABLA_CHECK(!(lo > hi), ValueError, "clamp: min ", lo, " is greater than max ", hi);
  Tensor out = map_floating(x, "clamp", [lo, hi](auto v) {
    using T = decltype(v);
    return v != v ? v : std::min(std::max(v, T(lo)), T(hi));
  });
  // NOTE: the gradient passes on the closed interval [min, max], as PyTorch's clamp_backward.
  return autograd::record(
      "clamp", out, {x},
      [x, lo, hi](const Tensor& g, const Tensor&) {
        return Grads{where(detail::mask_of(x, [lo, hi](auto v) { return v >= lo && v <= hi; }), g, 0.0)};
      },
      autograd::saves_input(0));
}
Tensor clamp_min(const Tensor& x, double lo) { return clamp(x, lo, INFINITY); }
Tensor clamp_max(const Tensor& x, double hi) { return clamp(x, -INFINITY, hi); }

// ============================== activations ==============================

// g where y > 0, else 0: relu's backward, one kernel where g and y share a contiguous layout
// (where(y > 0, g, 0) otherwise: the same values). Linear in g, so its own backward is itself;
// y only selects, and gets no gradient (as PyTorch's threshold_backward).
static Tensor relu_backward(const Tensor& g, const Tensor& y) {
  Tensor out;
  if (g.shape() == y.shape() && g.is_contiguous() && y.is_contiguous() && g.dtype() == y.dtype()) {
    out = Tensor::empty(g.shape(), g.dtype());
    dispatch_floating(g.dtype(), "relu_backward", [&]<class T>() {
      capture::launch(
          "relu_backward",
          [pg = g.data<T>(), py = y.data<T>(), po = out.data<T>(), n = g.numel()] {
            kernels::binary_flat<T, T, T>(n, pg, true, py, true, po, [](T gi, T yi) { return yi > T(0) ? gi : T(0); });
          },
          g, y, out);
    });
  } else {
    NoGradGuard no_grad;
    out = where(y > 0.0, g, 0.0);
  }
  // y (relu's output, detached: no gradient flows to it) is listed to have its version checked.
  return autograd::record(
      "relu_backward", out, {g, y.detach()},
      [y = y.detach()](const Tensor& gg, const Tensor&) {
        return Grads{relu_backward(gg, y), Tensor()};
      },
      autograd::saves_input(1));
}

Tensor relu(const Tensor& x) {
  Tensor out = map_floating(x, "relu", [](auto v) { return v > 0 ? v : decltype(v)(0); });
  // NOTE: relu'(0) = 0 (the gradient passes only where the output is positive), as PyTorch.
  return autograd::record(
      "relu", out, {x}, [](const Tensor& g, const Tensor& y) { return Grads{relu_backward(g, y)}; },
      autograd::kSavesOutput);
}

Tensor leaky_relu(const Tensor& x, double slope) {
  Tensor out = map_floating(x, "leaky_relu", [slope](auto v) { return v > 0 ? v : v * decltype(v)(slope); });
  // NOTE: at 0 the derivative is the slope (PyTorch: x > 0 ? g : g·slope).
  return autograd::record(
      "leaky_relu", out, {x},
      [x, slope](const Tensor& g, const Tensor&) { return Grads{where(x > 0.0, g, g * slope)}; },
      autograd::saves_input(0));
}

Tensor elu(const Tensor& x, double alpha) {
  Tensor out = map_floating(x, "elu", [alpha](auto v) {
    using T = decltype(v);
    return v > 0 ? v : T(alpha) * std::expm1(v);
  });
  // NOTE: at 0 the derivative is alpha·e^0 = alpha (PyTorch's elu_backward takes the x <= 0 branch),
  // but PyTorch's second derivative there is 0 (its double backward masks x < 0): the constant
  // alpha at exactly 0 reproduces both.
  return autograd::record(
      "elu", out, {x},
      [x, alpha](const Tensor& g, const Tensor&) {
        return Grads{g * where(x > 0.0, 1.0, where(x < 0.0, alpha * exp(x), alpha))};
      },
      autograd::saves_input(0));
}

Tensor selu(const Tensor& x) {
  constexpr double alpha = 1.6732632423543772848170429916717;
  constexpr double scale = 1.0507009873554804934193349852946;
  Tensor out = map_floating(x, "selu", [](auto v) {
    using T = decltype(v);
    return v > 0 ? T(scale) * v : T(scale * alpha) * std::expm1(v);
  });
  return autograd::record(
      "selu", out, {x},
      [x](const Tensor& g, const Tensor&) {
        // NOTE: the constant at exactly 0 matches PyTorch's second derivative there (see elu).
        return Grads{g * where(x > 0.0, scale, where(x < 0.0, (scale * alpha) * exp(x), scale * alpha))};
      },
      autograd::saves_input(0));
}

Tensor gelu(const Tensor& x, bool tanh_approximation) {
  constexpr double kSqrt1_2 = 0.70710678118654752440;
  constexpr double kBeta = 0.7978845608028654;  // sqrt(2/pi)
  constexpr double kKappa = 0.044715;
  if (!tanh_approximation) {
    Tensor out = map_floating(x, "gelu", [](auto v) {
      using T = decltype(v);
      return v * T(0.5) * (T(1) + std::erf(v * T(kSqrt1_2)));
    });
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    return autograd::record(
        "gelu", out, {x},
        [x](const Tensor& g, const Tensor&) {
          Tensor cdf = 0.5 * (1.0 + erf(x * kSqrt1_2));
          Tensor pdf = exp(-0.5 * x * x) * (1.0 / std::sqrt(2.0 * M_PI));
          return Grads{g * (cdf + x * pdf)};
        },
        autograd::saves_input(0));
  }
  Tensor out = map_floating(x, "gelu", [](auto v) {
    using T = decltype(v);
    return T(0.5) * v * (T(1) + std::tanh(T(kBeta) * (v + T(kKappa) * v * v * v)));
  });
  return autograd::record(
      "gelu_tanh", out, {x},
      [x](const Tensor& g, const Tensor&) {
        Tensor t = tanh(kBeta * (x + kKappa * x * x * x));
        Tensor d = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * (kBeta * (1.0 + 3.0 * kKappa * x * x));
        return Grads{g * d};
      },
      autograd::saves_input(0));
}

Tensor silu(const Tensor& x) {
  Tensor out = map_floating(x, "silu", [](auto v) {
    using T = decltype(v);
    return v / (T(1) + std::exp(-v));
  });
  return autograd::record(
      "silu", out, {x},
      [x](const Tensor& g, const Tensor&) {
        Tensor s = sigmoid(x);
        return Grads{g * s * (1.0 + x * (1.0 - s))};
      },
      autograd::saves_input(0));
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  Tensor out = map_floating(x, "softplus", [beta, threshold](auto v) {
    using T = decltype(v);
    // Above the threshold softplus is x to within rounding, and exp would overflow.
    return v * T(beta) > T(threshold) ? v : std::log1p(std::exp(v * T(beta))) / T(beta);
  });
  return autograd::record(
      "softplus", out, {x},
      [x, beta, threshold](const Tensor& g, const Tensor&) {
        Tensor bx = x * beta;
        return Grads{where(bx > threshold, g, g * sigmoid(bx))};
      },
      autograd::saves_input(0));
}

Tensor step(const Tensor& x) {
  Tensor out = map_floating(x, "step", [](auto v) { return decltype(v)(v > 0 ? 1 : 0); });
  // NOTE: the threshold unit is flat almost everywhere: its gradient is taken as zero
  // everywhere (the jump at 0 has no useful derivative), which is why such nets cannot be trained
  // by backpropagation and the seeds set their weights by hand.
  return autograd::record(
      "step", out, {x}, [](const Tensor& g, const Tensor&) { return Grads{zeros_like(g)}; }, autograd::kSavesNothing);
}

// ---- method forms ----
Tensor Tensor::pow(double e) const { return nabla::pow(*this, e); }
Tensor Tensor::exp() const { return nabla::exp(*this); }
Tensor Tensor::log() const { return nabla::log(*this); }
Tensor Tensor::sqrt() const { return nabla::sqrt(*this); }
Tensor Tensor::abs() const { return nabla::abs(*this); }
Tensor Tensor::tanh() const { return nabla::tanh(*this); }
Tensor Tensor::sigmoid() const { return nabla::sigmoid(*this); }
Tensor Tensor::relu() const { return nabla::relu(*this); }

}  // namespace nabla
