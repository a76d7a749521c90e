// Shared plumbing for op implementations: argument checks and the allocate-and-loop patterns.
#pragma once
#include "../kernels/elementwise.h"
#include "nabla/autograd/node.h"
#include "nabla/compile/tape.h"
#include "nabla/ops/ops.h"

namespace nabla::detail {

inline void check_defined(const Tensor& t, const char* op) {
  NABLA_CHECK(t.defined(), ValueError, op, ": got an undefined tensor");
}

inline void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  check_defined(a, op);
  check_defined(b, op);
  NABLA_CHECK(a.dtype() == b.dtype(), DTypeError, op, ": dtypes differ (", dtype_name(a.dtype()), " ",
              a.shape().to_string(), " vs ", dtype_name(b.dtype()), " ", b.shape().to_string(),
              "); convert one with .to(dtype)");
}

// A 0-d tensor of t's dtype: how C++ numbers enter binary ops.
inline Tensor scalar_like(double v, const Tensor& t) { return Tensor::scalar(v, t.dtype()); }

// y = f(x) elementwise over a floating tensor; f is a generic lambda, copied into the kernel.
template <class F>
Tensor map_floating(const Tensor& x, const char* op, F f) {
  check_defined(x, op);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), op, [&]<class T>() {
    capture::launch(
        op,
        [in = kernels::operand(x), y = kernels::operand(out), f] {
          kernels::unary<T, T>(in, y, [&f](T v) { return T(f(v)); });
        },
        x, out);
  });
  return out;
}

// out = f(a, b) elementwise with broadcasting over two floating tensors of one dtype.
template <class F>
Tensor zip_floating(const Tensor& a, const Tensor& b, const char* op, F f) {
  check_same_dtype(a, b, op);
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), op), a.dtype());
  dispatch_floating(a.dtype(), op, [&]<class T>() {
    capture::launch(
        op,
        [u = kernels::operand(a), v = kernels::operand(b), y = kernels::operand(out), f] {
          kernels::binary<T, T, T>(u, v, y, [&f](T p, T q) { return T(f(p, q)); });
        },
        a, b, out);
  });
  return out;
}

// A bool mask of f(x), not differentiable (used by backward formulas at kinks).
template <class F>
Tensor mask_of(const Tensor& x, F pred) {
  Tensor out = Tensor::empty(x.shape(), DType::boolean);
  dispatch_floating(x.dtype(), "mask", [&]<class T>() {
    capture::launch(
        "mask",
        [in = kernels::operand(x), y = kernels::operand(out), pred] {
          kernels::unary<bool, T>(in, y, [&pred](T v) { return bool(pred(v)); });
        },
        x, out);
  });
  return out;
}

using Grads = std::vector<Tensor>;

}  // namespace nabla::detail
