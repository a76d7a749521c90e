// Raw-pointer loops for elementwise work: a flat loop when every operand is contiguous with the
// output's shape (the compiler vectorises it), else a strided walk whose innermost dimension is
// still a tight loop. Broadcasting is expressed as stride 0.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "exp_log.h"
#include "nabla/tensor/tensor.h"
#include "parallel.h"

namespace nabla::kernels {

// What a kernel needs to know of one operand, held by value so that a kernel closure can be
// recorded and replayed (nabla/compile/tape.h): where its first element is, its shape and its
// strides in elements.
struct Operand {
  Operand() = default;
  Operand(const Tensor& t)  // NOLINT(google-explicit-constructor): kernels take tensors directly too
      : data(t.raw_data()), shape(t.shape()), strides(t.strides()), contiguous(t.is_contiguous()) {}
  void* data = nullptr;
  Shape shape;
  Shape strides;
  bool contiguous = true;
  int64_t numel() const { return shape.numel(); }
};
inline Operand operand(const Tensor& t) { return Operand(t); }

// Strides (in elements) of `t` viewed as broadcast to `shape`: 0 where t has size 1 or lacks
// the dimension.
inline Shape broadcast_strides(const Operand& t, const Shape& shape) {
  Shape s;
  s.resize(shape.size());
  int lead = shape.size() - t.shape.size();
  for (int i = 0; i < shape.size(); ++i) {
    int j = i - lead;
    s[i] = (j < 0 || t.shape[j] == 1) ? 0 : t.strides[j];
  }
  return s;
}

// Walks `shape` in row-major order; for every innermost row calls
// body(offsets, n, inner_strides), offsets being the element offset of the row's first element
// in each operand.
template <size_t N, class Body>
void nd_loop(const Shape& shape, const std::array<Shape, N>& strides, Body&& body) {
  const int nd = shape.size();
  std::array<int64_t, N> offsets{};
  if (nd == 0) {
    std::array<int64_t, N> zero{};
    body(offsets, int64_t(1), zero);
    return;
  }
  if (shape.numel() == 0) return;
  std::array<int64_t, N> inner{};
  for (size_t k = 0; k < N; ++k) inner[k] = strides[k][nd - 1];
  const int64_t n = shape[nd - 1];
  int64_t counter[kMaxDims] = {};
  while (true) {
    body(offsets, n, inner);
    int d = nd - 2;
    for (; d >= 0; --d) {
      if (++counter[d] < shape[d]) {
        for (size_t k = 0; k < N; ++k) offsets[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) offsets[k] -= strides[k][d] * (shape[d] - 1);
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

// The flat loops, each a function of its own with restrict-qualified pointers: the compiler then
// knows the output does not overwrite the inputs (nor the closure that holds the pointers), keeps
// everything in registers and vectorises. Each input is read unconditionally before f sees it, so
// a select such as `y > 0 ? g : 0` vectorises too.
template <class TOut, class TIn, class F>
[[gnu::noinline]] void unary_loop(int64_t n, const TIn* __restrict x, TOut* __restrict y, F f) {
  for (int64_t i = 0; i < n; ++i) {
    const TIn v = x[i];
    y[i] = f(v);
  }
}

// sa, sb: whether a, b advance (1) or hold one value (0).
template <class TOut, class TA, class TB, class F>
[[gnu::noinline]] void binary_loop(int64_t n, const TA* __restrict a, bool sa, const TB* __restrict b, bool sb,
                                   TOut* __restrict out, F f) {
  if (sa && sb) {
    for (int64_t i = 0; i < n; ++i) {
      const TA u = a[i];
      const TB v = b[i];
      out[i] = f(u, v);
    }
  } else if (sa) {
    const TB v = b[0];
    for (int64_t i = 0; i < n; ++i) {
      const TA u = a[i];
      out[i] = f(u, v);
    }
  } else {
    const TA u = a[0];
    for (int64_t i = 0; i < n; ++i) {
      const TB v = b[i];
      out[i] = f(u, v);
    }
  }
}

// The flat loops over [0, n), split over nabla's threads for large n (parallel_range): every
// element computed once, the same way, whatever the split.
template <class TOut, class TIn, class F>
void unary_flat(int64_t n, const TIn* x, TOut* y, F f) {
  parallel_range(n, [&](int64_t b, int64_t e) { unary_loop<TOut, TIn>(e - b, x + b, y + b, f); });
}
template <class TOut, class TA, class TB, class F>
void binary_flat(int64_t n, const TA* a, bool sa, const TB* b, bool sb, TOut* out, F f) {
  parallel_range(n, [&](int64_t lo, int64_t hi) {
    binary_loop<TOut, TA, TB>(hi - lo, a + (sa ? lo : 0), sa, b + (sb ? lo : 0), sb, out + lo, f);
  });
}

// out[i] = f(in[i]); out is contiguous with in's shape.
template <class TOut, class TIn, class F>
void unary(const Operand& in, const Operand& out, F f) {
  const TIn* x = static_cast<const TIn*>(in.data);
  TOut* y = static_cast<TOut*>(out.data);
  const int64_t n = out.numel();
  if (in.contiguous) {
    unary_flat<TOut, TIn>(n, x, y, f);
    return;
  }
  bool one_value = true;  // a single element broadcast (mean's backward: g.expand(shape) / n)
  for (int d = 0; d < in.shape.size(); ++d) one_value = one_value && (in.strides[d] == 0 || in.shape[d] == 1);
  if (one_value) {
    const TOut v = f(x[0]);
    for (int64_t i = 0; i < n; ++i) y[i] = v;
    return;
  }
  int64_t pos = 0;
  nd_loop<1>(in.shape, {in.strides}, [&](auto off, int64_t len, auto st) {
    const TIn* row = x + off[0];
    for (int64_t i = 0; i < len; ++i) y[pos++] = f(row[i * st[0]]);
  });
}

// out[i] = f(a[i], b[i]) with broadcasting; out is contiguous with the broadcast shape.
template <class TOut, class TA, class TB, class F>
void binary(const Operand& a, const Operand& b, const Operand& out, F f) {
  const TA* pa = static_cast<const TA*>(a.data);
  const TB* pb = static_cast<const TB*>(b.data);
  TOut* po = static_cast<TOut*>(out.data);
  const int64_t n = out.numel();
  const bool a_full = a.shape == out.shape && a.contiguous;
  const bool b_full = b.shape == out.shape && b.contiguous;
  if ((a_full || a.numel() == 1) && (b_full || b.numel() == 1) && (a_full || b_full)) {
    binary_flat<TOut, TA, TB>(n, pa, a_full, pb, b_full, po, f);
    return;
  }
  int64_t pos = 0;
  nd_loop<2>(out.shape, {broadcast_strides(a, out.shape), broadcast_strides(b, out.shape)},
             [&](auto off, int64_t len, auto st) {
               const TA* ra = pa + off[0];
               const TB* rb = pb + off[1];
               TOut* ro = po + pos;
               pos += len;
               // The common rows get loops the compiler vectorises: a bias row added to each
               // row of a batch (1, 1), a per-row scalar (1, 0) or (0, 1).
               if (st[0] == 1 && st[1] == 1) {
                 for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i], rb[i]);
               } else if (st[0] == 1 && st[1] == 0) {
                 const TB s = rb[0];
                 for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i], s);
               } else if (st[0] == 0 && st[1] == 1) {
                 const TA s = ra[0];
                 for (int64_t i = 0; i < len; ++i) ro[i] = f(s, rb[i]);
               } else {
                 for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i * st[0]], rb[i * st[1]]);
               }
             });
}

// σ(v), with exp of a non-positive number only (no overflow for large |v|): the sigmoid op's
// formula, shared by the kernels that fuse it (BCE-with-logits' backward) so both give its bits.
// Branch-free (both sides need e^−|v|), so that its loops vectorise.
template <class T>
inline T sigmoid_value(T v) {
  const T e = exp_value(-std::abs(v));
  return v >= 0 ? T(1) / (T(1) + e) : e / (T(1) + e);
}

// k ? p : q, for floats as a bit mask (and/andnot/or), which vectorises without blend
// instructions (baseline x86-64 has none) and keeps every bit of p or q, NaNs included.
template <class T>
inline T select(bool k, T p, T q) {
  if constexpr (std::is_floating_point_v<T>) {
    using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    const Bits mask = Bits(0) - Bits(k);
    Bits pb, qb;
    std::memcpy(&pb, &p, sizeof p);
    std::memcpy(&qb, &q, sizeof q);
    const Bits r = (pb & mask) | (qb & ~mask);
    T out;
    std::memcpy(&out, &r, sizeof out);
    return out;
  } else {
    return k ? p : q;
  }
}

// out[i] = f(c[i·sc], a[i·sa], b[i·sb]), each stride 1 or 0; a function of its own, with
// restrict-qualified pointers, so that the compiler keeps them in registers and vectorises.
template <class TOut, class TC, class TA, class TB, class F>
[[gnu::noinline]] void ternary_loop(int64_t n, const TC* __restrict c, bool sc, const TA* __restrict a, bool sa,
                                    const TB* __restrict b, bool sb, TOut* __restrict out, F f) {
  if (sc && sa && !sb) {
    const TB vb = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(c[i], a[i], vb);
  } else if (sc && !sa && sb) {
    const TA va = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(c[i], va, b[i]);
  } else if (sc && sa && sb) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(c[i], a[i], b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(c[sc ? i : 0], a[sa ? i : 0], b[sb ? i : 0]);
  }
}

template <class TOut, class TC, class TA, class TB, class F>
void ternary_flat(int64_t n, const TC* c, bool sc, const TA* a, bool sa, const TB* b, bool sb, TOut* out, F f) {
  parallel_range(n, [&](int64_t lo, int64_t hi) {
    ternary_loop<TOut, TC, TA, TB>(hi - lo, c + (sc ? lo : 0), sc, a + (sa ? lo : 0), sa, b + (sb ? lo : 0), sb,
                                   out + lo, f);
  });
}

// out[i] = f(c[i], a[i], b[i]) with broadcasting; out contiguous with the broadcast shape.
template <class TOut, class TC, class TA, class TB, class F>
void ternary(const Operand& c, const Operand& a, const Operand& b, const Operand& out, F f) {
  const TC* pc = static_cast<const TC*>(c.data);
  const TA* pa = static_cast<const TA*>(a.data);
  const TB* pb = static_cast<const TB*>(b.data);
  TOut* po = static_cast<TOut*>(out.data);
  // Each operand either the output's own layout or a single value: a flat loop (relu's backward,
  // where(mask, g, 0), is this).
  const bool fc = c.shape == out.shape && c.contiguous, fa = a.shape == out.shape && a.contiguous,
             fb = b.shape == out.shape && b.contiguous;
  if ((fc || c.numel() == 1) && (fa || a.numel() == 1) && (fb || b.numel() == 1)) {
    ternary_flat<TOut>(out.numel(), pc, fc, pa, fa, pb, fb, po, f);
    return;
  }
  int64_t pos = 0;
  nd_loop<3>(out.shape,
             {broadcast_strides(c, out.shape), broadcast_strides(a, out.shape), broadcast_strides(b, out.shape)},
             [&](auto off, int64_t len, auto st) {
               const TC* rc = pc + off[0];
               const TA* ra = pa + off[1];
               const TB* rb = pb + off[2];
               for (int64_t i = 0; i < len; ++i) po[pos++] = f(rc[i * st[0]], ra[i * st[1]], rb[i * st[2]]);
             });
}

// Copies src (any strides, broadcast to dst's shape) into dst (any strides), converting types.
template <class TDst, class TSrc>
void copy(const Operand& src, const Operand& dst) {
  const TSrc* ps = static_cast<const TSrc*>(src.data);
  TDst* pd = static_cast<TDst*>(dst.data);
  if (src.contiguous && dst.contiguous && src.shape == dst.shape) {
    const int64_t n = dst.numel();
    for (int64_t i = 0; i < n; ++i) pd[i] = static_cast<TDst>(ps[i]);
    return;
  }
  nd_loop<2>(dst.shape, {dst.strides, broadcast_strides(src, dst.shape)}, [&](auto off, int64_t len, auto st) {
    TDst* rd = pd + off[0];
    const TSrc* rs = ps + off[1];
    for (int64_t i = 0; i < len; ++i) rd[i * st[0]] = static_cast<TDst>(rs[i * st[1]]);
  });
}

}  // namespace nabla::kernels
