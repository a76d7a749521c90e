// Reductions (sum, mean, max, min, argmax, sum_to) and the softmax family.
#include <algorithm>
#include <cmath>
#include <limits>

#include "op_utils.h"

namespace nabla {
using detail::Grads;

namespace {

// Which dimensions a reduction removes; empty `dims` means all of them.
std::vector<bool> reduced_mask(const Tensor& x, const std::vector<int64_t>& dims, const char* op) {
  std::vector<bool> mask(x.dim(), dims.empty());
  for (int64_t d : dims) {
    int nd = normalize_dim(d, x.dim(), op);
    NABLA_CHECK(x.dim() == 0 || !mask[nd], ValueError, op, ": dimension ", d, " appears twice");
    if (x.dim() > 0) mask[nd] = true;
  }
  return mask;
}

Shape reduced_shape(const Tensor& x, const std::vector<bool>& mask, bool keepdim) {
  Shape s;
  for (int i = 0; i < x.dim(); ++i) {
    if (!mask[i])
      s.push_back(x.shape()[i]);
    else if (keepdim)
      s.push_back(1);
  }
  return s;
}

// The shape with reduced dimensions kept as size 1 (to broadcast a reduced result back).
Shape kept_shape(const Tensor& x, const std::vector<bool>& mask) {
  Shape s = x.shape();
  for (int i = 0; i < x.dim(); ++i)
    if (mask[i]) s[i] = 1;
  return s;
}

// acc[j] = combine(acc[j], x[r][j]) for rows r = 0, 1, ...: restrict pointers, so that it vectorises,
// and 16 columns at a time held in registers over all the rows (a bias gradient of a 16-wide
// layer is then 4 vector adds a row, not a load and a store of the accumulators per row).
template <class T, class Acc, class Combine>
[[gnu::noinline]] void fold_rows(int64_t rows, int64_t cols, int64_t row_stride, const T* __restrict x,
                                 Acc* __restrict acc, Combine combine) {
  constexpr int64_t kBlock = 16;
  int64_t j0 = 0;
  for (; j0 + kBlock <= cols; j0 += kBlock) {
    Acc block[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) block[j] = acc[j0 + j];
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * row_stride + j0;
      for (int64_t j = 0; j < kBlock; ++j) block[j] = combine(block[j], row[j], r);
    }
    for (int64_t j = 0; j < kBlock; ++j) acc[j0 + j] = block[j];
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = j0; j < cols; ++j) {
      const T v = x[r * row_stride + j];
      acc[j] = combine(acc[j], v, r);
    }
}

// Folds x into an output of kept shape: acc = combine(acc, x) over the reduced positions.
// The accumulator type is double for float32 too: sums of many float32 values stay accurate.
template <class T, class Acc, class Combine, class Finish>
Tensor fold(const Tensor& x, const std::vector<bool>& mask, Acc init, Combine combine, Finish finish, DType out_dtype) {
  Shape kept = kept_shape(x, mask);
  Shape out_strides = contiguous_strides(kept);
  for (int i = 0; i < x.dim(); ++i)
    if (mask[i]) out_strides[i] = 0;
  Tensor out = Tensor::empty(kept, out_dtype);
  // The rows a contiguous x folds when exactly its leading dimensions are reduced; 0 otherwise.
  int64_t leading_rows = 0;
  int reduced_prefix = 0;
  while (reduced_prefix < x.dim() && mask[reduced_prefix]) ++reduced_prefix;
  const bool rest_kept = std::none_of(mask.begin() + reduced_prefix, mask.end(), [](bool m) { return m; });
  if (x.is_contiguous() && reduced_prefix > 0 && rest_kept) {
    leading_rows = 1;
    for (int i = 0; i < reduced_prefix; ++i) leading_rows *= x.shape()[i];
  }
  dispatch_all(out_dtype, [&]<class O>() {
    // The accumulators are the kernel's own scratch, made once: a replayed reduction allocates nothing.
    capture::launch(
        "reduce",
        [in = kernels::operand(x), po = out.data<O>(), out_strides, init, combine, finish, leading_rows,
         acc = std::vector<Acc>(size_t(kept.numel()))]() mutable {
          const int64_t n_out = int64_t(acc.size());
          std::fill(acc.begin(), acc.end(), init);
          const T* px = static_cast<const T*>(in.data);
          if (n_out == 1 && in.contiguous) {
            const int64_t n = in.numel();
            Acc a = acc[0];
            for (int64_t i = 0; i < n; ++i) a = combine(a, px[i], i);
            acc[0] = a;
          } else if (leading_rows > 0) {
            // Leading dimensions reduced, the rest kept (a bias gradient: a batch summed per column):
            // row after row into the row of accumulators, a loop the compiler vectorises; each
            // output still sums its inputs in the same order as the general walk below.
            // Large ones split by columns over the threads: each output still summed alone, in order.
            Acc* pacc = acc.data();
            kernels::parallel_range(
                n_out, [&](int64_t b, int64_t e) { fold_rows(leading_rows, e - b, n_out, px + b, pacc + b, combine); },
                leading_rows * n_out);
          } else {
            // Position along the reduced dims is needed by argmax; track the flat input index instead
            // and let the caller decode it (only argmax uses it, always over one dim).
            kernels::nd_loop<2>(in.shape, {in.strides, out_strides}, [&](auto off, int64_t len, auto st) {
              for (int64_t i = 0; i < len; ++i) {
                Acc& a = acc[off[1] + i * st[1]];
                a = combine(a, px[off[0] + i * st[0]], i);
              }
            });
          }
          for (int64_t i = 0; i < n_out; ++i) po[i] = static_cast<O>(finish(acc[i]));
        },
        x, out);
  });
  return out;
}

Tensor squeeze_reduced(const Tensor& kept, const Tensor& x, const std::vector<bool>& mask, bool keepdim) {
  return keepdim ? kept : kept.reshape(reduced_shape(x, mask, false));
}

}  // namespace

// ============================== sum / mean ==============================

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  detail::check_defined(x, "sum");
  auto mask = reduced_mask(x, dims, "sum");
  Tensor kept = dispatch_floating(x.dtype(), "sum", [&]<class T>() {
    return fold<T, double>(
        x, mask, 0.0, [](double a, T v, int64_t) { return a + double(v); }, [](double a) { return a; }, x.dtype());
  });
  Tensor out = squeeze_reduced(kept, x, mask, keepdim);
  return autograd::record(
      "sum", out, {x},
      [shape = x.shape(), kshape = kept.shape()](const Tensor& g, const Tensor&) {
        return Grads{g.reshape(kshape).expand(shape)};
      },
      autograd::kSavesNothing);
}
Tensor sum(const Tensor& x) { return sum(x, {}, false); }

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  detail::check_defined(x, "mean");
  auto mask = reduced_mask(x, dims, "mean");
  int64_t count = 1;
  for (int i = 0; i < x.dim(); ++i)
    if (mask[i]) count *= x.shape()[i];
  Tensor kept = dispatch_floating(x.dtype(), "mean", [&]<class T>() {
    return fold<T, double>(
        x, mask, 0.0, [](double a, T v, int64_t) { return a + double(v); },
        [count](double a) { return a / double(count); }, x.dtype());
  });
  Tensor out = squeeze_reduced(kept, x, mask, keepdim);
  return autograd::record(
      "mean", out, {x},
      [shape = x.shape(), kshape = kept.shape(), count](const Tensor& g, const Tensor&) {
        return Grads{g.reshape(kshape).expand(shape) / double(count)};
      },
      autograd::kSavesNothing);
}
Tensor mean(const Tensor& x) { return mean(x, {}, false); }

// ============================== max / min ==============================

static Tensor extreme(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, bool is_max, const char* op) {
  detail::check_defined(x, op);
  NABLA_CHECK(x.numel() > 0, ValueError, op, ": cannot reduce an empty tensor ", x.shape().to_string());
  auto mask = reduced_mask(x, dims, op);
  for (int i = 0; i < x.dim(); ++i)
    NABLA_CHECK(!mask[i] || x.shape()[i] > 0, ValueError, op, ": reduced dimension ", i, " is empty");
  Tensor kept = dispatch_floating(x.dtype(), op, [&]<class T>() {
    const T init = is_max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    return fold<T, T>(
        x, mask, init,
        [is_max](T a, T v, int64_t) {
          if (a != a || v != v) return std::numeric_limits<T>::quiet_NaN();  // NaN propagates
          return is_max ? (v > a ? v : a) : (v < a ? v : a);
        },
        [](T a) { return a; }, x.dtype());
  });
  Tensor out = squeeze_reduced(kept, x, mask, keepdim);
  // NOTE: tied extremes share the gradient equally (as torch.amax/amin and full max()).
  // The closure keeps the values of `kept`, not the tensor: with keepdim `kept` is the output,
  // whose node owns this closure, and holding it would be a reference cycle (a leak).
  return autograd::record(op, out, {x}, [x, mask, kept = kept.detach()](const Tensor& g, const Tensor&) {
    Tensor hit = where(eq(x, kept.expand(x.shape())), ones({}, x.dtype()), zeros({}, x.dtype()));
    std::vector<int64_t> dims;
    for (int i = 0; i < x.dim(); ++i)
      if (mask[i]) dims.push_back(i);
    Tensor count = sum(hit, dims, true);
    return Grads{g.reshape(kept.shape()).expand(x.shape()) * hit / count};
  });
}

Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme(x, dims, keepdim, true, "max");
}
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme(x, dims, keepdim, false, "min");
}
Tensor max(const Tensor& x) { return amax(x, {}, false); }
Tensor min(const Tensor& x) { return amin(x, {}, false); }
Tensor max(const Tensor& x, int64_t dim, bool keepdim) { return amax(x, {dim}, keepdim); }
Tensor min(const Tensor& x, int64_t dim, bool keepdim) { return amin(x, {dim}, keepdim); }

static Tensor arg_extreme(const Tensor& x, int64_t dim, bool keepdim, bool is_max, const char* op) {
  detail::check_defined(x, op);
  int d = normalize_dim(dim, x.dim(), op);
  NABLA_CHECK(x.dim() == 0 || x.shape()[d] > 0, ValueError, op, ": dimension ", dim, " is empty");
  if (x.dim() == 0) return zeros({}, DType::int64);
  // Move the reduced dim last (the others keep their order), scan each contiguous row.
  std::vector<int64_t> order;
  for (int i = 0; i < x.dim(); ++i)
    if (i != d) order.push_back(i);
  order.push_back(d);
  Tensor rows = x.permute(order).contiguous();
  const int64_t n = rows.shape().back();
  const int64_t m = rows.numel() / n;
  Shape out_shape = rows.shape();
  out_shape.erase(out_shape.size() - 1);
  Tensor out = Tensor::empty(out_shape, DType::int64);
  dispatch_all(x.dtype(), [&]<class T>() {
    capture::launch(
        op,
        [p = rows.data<T>(), result = out.data<int64_t>(), m, n, is_max] {
          for (int64_t r = 0; r < m; ++r) {
            const T* row = p + r * n;
            int64_t best = 0;
            for (int64_t i = 1; i < n; ++i) {
              if (row[best] != row[best]) break;  // NaN wins, as PyTorch
              if (row[i] != row[i] || (is_max ? row[i] > row[best] : row[i] < row[best])) best = i;
            }
            result[r] = best;
          }
        },
        rows, out);
  });
  return keepdim ? out.unsqueeze(d) : out;
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) { return arg_extreme(x, dim, keepdim, true, "argmax"); }
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) { return arg_extreme(x, dim, keepdim, false, "argmin"); }

// ============================== sum_to ==============================

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  NABLA_CHECK(broadcast_shapes(shape, x.shape(), "sum_to") == x.shape(), ShapeError, "sum_to: ", x.shape().to_string(),
              " cannot be summed to ", shape.to_string());
  const int lead = x.dim() - shape.size();
  std::vector<int64_t> dims;
  for (int i = 0; i < x.dim(); ++i)
    if (i < lead || (shape[i - lead] == 1 && x.shape()[i] != 1)) dims.push_back(i);
  return sum(x, dims, true).reshape(shape);
}

// ============================== softmax family ==============================

Tensor softmax(const Tensor& x, int64_t dim) {
  detail::check_defined(x, "softmax");
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor e = exp(x - amax(x, {dim}, true));
    out = e / sum(e, {dim}, true);
  }
  return autograd::record(
      "softmax", out, {x}, [dim](const Tensor& g, const Tensor& y) { return Grads{(g - sum(g * y, {dim}, true)) * y}; },
      autograd::kSavesOutput);
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  detail::check_defined(x, "log_softmax");
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor shifted = x - amax(x, {dim}, true);
    out = shifted - log(sum(exp(shifted), {dim}, true));
  }
  return autograd::record(
      "log_softmax", out, {x},
      [dim](const Tensor& g, const Tensor& y) { return Grads{g - exp(y) * sum(g, {dim}, true)}; },
      autograd::kSavesOutput);
}

Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  // The shift is a constant for the gradient: d/dx [m + log Σ exp(x - m)] does not depend on m.
  Tensor m = amax(x, {dim}, true).detach();
  Tensor out = m + log(sum(exp(x - m), {dim}, true));
  return keepdim ? out : out.squeeze(dim);
}

// ---- method forms ----
Tensor Tensor::sum() const { return nabla::sum(*this); }
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const { return nabla::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return nabla::mean(*this); }
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const { return nabla::mean(*this, dims, keepdim); }
Tensor Tensor::max() const { return nabla::max(*this); }
Tensor Tensor::max(int64_t dim, bool keepdim) const { return nabla::max(*this, dim, keepdim); }
Tensor Tensor::min() const { return nabla::min(*this); }
Tensor Tensor::min(int64_t dim, bool keepdim) const { return nabla::min(*this, dim, keepdim); }
Tensor Tensor::argmax(int64_t dim, bool keepdim) const { return nabla::argmax(*this, dim, keepdim); }

}  // namespace nabla
