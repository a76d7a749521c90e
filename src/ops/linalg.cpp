// Matrix products: mm (2-D), bmm (3-D batches) and matmul (torch.matmul's broadcasting rules,
// built from the two).
#include "../kernels/gemm.h"
#include "op_utils.h"

namespace nabla {
using detail::Grads;

namespace {

// A matrix as GEMM wants it: a pointer, whether it is stored transposed, and its row stride.
// Contiguous and transposed-contiguous layouts are used in place; anything else is copied.
struct GemmOperand {
  Tensor storage;
  bool transposed;
  int64_t ld;
};

GemmOperand as_gemm_operand(const Tensor& m) {  // m: (rows, cols), possibly a batch slice view
  const int64_t rows = m.shape()[0], cols = m.shape()[1];
  const int64_t s0 = m.strides()[0], s1 = m.strides()[1];
  if ((s1 == 1 || cols == 1) && (s0 >= std::max<int64_t>(cols, 1) || rows == 1))
    return {m, false, std::max<int64_t>(s0, std::max<int64_t>(cols, 1))};
  if ((s0 == 1 || rows == 1) && (s1 >= std::max<int64_t>(rows, 1) || cols == 1))
    return {m, true, std::max<int64_t>(s1, std::max<int64_t>(rows, 1))};
  Tensor c = m.detach().contiguous();
  return {c, false, std::max<int64_t>(cols, 1)};
}

// out (n, m) = a (n, k) · b (k, m) [+ bias (m), contiguous] into contiguous out.
void gemm_into(const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& bias = Tensor()) {
  GemmOperand A = as_gemm_operand(a), B = as_gemm_operand(b);
  const int64_t n = a.shape()[0], k = a.shape()[1], m = b.shape()[1];
  if (n == 0 || m == 0) return;
  if (k == 0 && !bias.defined()) {
    Tensor(out).zero_();
    return;
  }
  const Tensor bias_storage = bias.defined() ? bias.detach().contiguous() : out;
  dispatch_floating(a.dtype(), "matmul", [&]<class T>() {
    capture::launch(
        bias.defined() ? "linear" : "matmul",
        [ta = A.transposed, tb = B.transposed, n, m, k, pa = static_cast<const T*>(A.storage.raw_data()), lda = A.ld,
         pb = static_cast<const T*>(B.storage.raw_data()), ldb = B.ld,
         pbias = bias.defined() ? static_cast<const T*>(bias_storage.raw_data()) : nullptr,
         pc = static_cast<T*>(out.raw_data())] { kernels::gemm(ta, tb, n, m, k, pa, lda, pb, ldb, pbias, pc, m); },
        A.storage, B.storage, bias_storage, out);
  });
}

Tensor mm(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.shape()[1] == b.shape()[0], ShapeError, "matmul: shapes ", a.shape().to_string(), " and ",
              b.shape().to_string(), " cannot be multiplied (", a.shape()[1], " != ", b.shape()[0], ")");
  Tensor out = Tensor::empty({a.shape()[0], b.shape()[1]}, a.dtype());
  gemm_into(a, b, out);
  return autograd::record(
      "matmul", out, {a, b},
      [a, b](const Tensor& g, const Tensor&) {
        // NOTE: as PyTorch's mm_mat2_backward, a b stored transposed (Linear's weight.t()) gets its
        // gradient as (gᵀ·a)ᵀ: the same layout as b, so the weight's .grad comes out contiguous.
        const bool b_transposed =
            b.dim() == 2 && b.strides()[0] == 1 && b.strides()[1] == b.shape()[0] && b.shape()[0] > 1;
        return Grads{a.requires_grad() ? mm(g, b.t()) : Tensor(),
                     b.requires_grad() ? (b_transposed ? mm(g.t(), a).t() : mm(a.t(), g)) : Tensor()};
      },
      autograd::saves_input(0) | autograd::saves_input(1));
}

}  // namespace

// ============================== linear ==============================

Tensor addmm_linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  detail::check_same_dtype(x, weight, "linear");
  NABLA_CHECK(x.dim() == 2 && weight.dim() == 2 && x.shape()[1] == weight.shape()[1], ShapeError, "linear: input ",
              x.shape().to_string(), " does not fit weight ", weight.shape().to_string(),
              " (expected input (N, in) and weight (out, in))");
  if (bias.defined()) {
    detail::check_same_dtype(x, bias, "linear");
    NABLA_CHECK(bias.dim() == 1 && bias.shape()[0] == weight.shape()[0], ShapeError, "linear: bias ",
                bias.shape().to_string(), " does not fit weight ", weight.shape().to_string(), " (expected [",
                weight.shape()[0], "])");
  }
  Tensor out = Tensor::empty({x.shape()[0], weight.shape()[0]}, x.dtype());
  gemm_into(x, weight.t(), out, bias);
  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  // dx = g·W; dW = gᵀ·x, in W's own (out, in) layout, so the .grad comes out contiguous (and the
  // engine can steal it); db = g summed over the batch. Made of mm and sum: differentiable again.
  return autograd::record(
      "linear", out, inputs,
      [x, weight, bias](const Tensor& g, const Tensor&) {
        Grads grads{x.requires_grad() ? mm(g, weight) : Tensor(), weight.requires_grad() ? mm(g.t(), x) : Tensor()};
        if (bias.defined()) grads.push_back(bias.requires_grad() ? sum(g, {0}, false) : Tensor());
        return grads;
      },
      autograd::saves_input(0) | autograd::saves_input(1));
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  detail::check_same_dtype(a, b, "bmm");
  NABLA_CHECK(a.dim() == 3 && b.dim() == 3, ShapeError, "bmm: expects two 3-D tensors, got ", a.shape().to_string(),
              " and ", b.shape().to_string());
  NABLA_CHECK(a.shape()[0] == b.shape()[0] && a.shape()[2] == b.shape()[1], ShapeError, "bmm: shapes ",
              a.shape().to_string(), " and ", b.shape().to_string(), " do not fit (B,n,k) @ (B,k,m)");
  const int64_t batch = a.shape()[0];
  Tensor out = Tensor::empty({batch, a.shape()[1], b.shape()[2]}, a.dtype());
  {
    NoGradGuard no_grad;
    for (int64_t i = 0; i < batch; ++i) gemm_into(a.select(0, i), b.select(0, i), out.select(0, i));
  }
  return autograd::record(
      "bmm", out, {a, b},
      [a, b](const Tensor& g, const Tensor&) {
        return Grads{a.requires_grad() ? bmm(g, b.transpose(1, 2)) : Tensor(),
                     b.requires_grad() ? bmm(a.transpose(1, 2), g) : Tensor()};
      },
      autograd::saves_input(0) | autograd::saves_input(1));
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  detail::check_same_dtype(a, b, "matmul");
  NABLA_CHECK(a.dim() >= 1 && b.dim() >= 1, ShapeError, "matmul: both arguments need at least one dimension, got ",
              a.shape().to_string(), " and ", b.shape().to_string());
  if (a.dim() == 2 && b.dim() == 2) return mm(a, b);
  // 1-D operands become matrices (a row, or a column), and the added dimension is removed after.
  if (a.dim() == 1 && b.dim() == 1) {
    NABLA_CHECK(a.shape()[0] == b.shape()[0], ShapeError, "matmul: vectors of sizes ", a.shape()[0], " and ",
                b.shape()[0], " have no dot product");
    return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  }
  if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  // (..., n, k) @ (k, m): fold the batch into rows, one GEMM.
  if (b.dim() == 2) {
    NABLA_CHECK(a.shape().back() == b.shape()[0], ShapeError, "matmul: shapes ", a.shape().to_string(), " and ",
                b.shape().to_string(), " cannot be multiplied (", a.shape().back(), " != ", b.shape()[0], ")");
    Shape out_shape = a.shape();
    out_shape[out_shape.size() - 1] = b.shape()[1];
    return mm(a.reshape({-1, a.shape().back()}), b).reshape(out_shape);
  }
  // General case: broadcast the batch dimensions, flatten them, bmm.
  Shape ba(a.shape().begin(), a.shape().end() - 2), bb(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes(ba, bb, "matmul");
  Shape ea = batch, eb = batch;
  ea.push_back(a.shape()[a.dim() - 2]);
  ea.push_back(a.shape().back());
  eb.push_back(b.shape()[b.dim() - 2]);
  eb.push_back(b.shape().back());
  Tensor a3 = a.expand(ea).reshape({-1, ea[ea.size() - 2], ea.back()});
  Tensor b3 = b.expand(eb).reshape({-1, eb[eb.size() - 2], eb.back()});
  Shape out_shape = batch;
  out_shape.push_back(ea[ea.size() - 2]);
  out_shape.push_back(eb.back());
  return bmm(a3, b3).reshape(out_shape);
}

Tensor Tensor::matmul(const Tensor& other) const { return nabla::matmul(*this, other); }

}  // namespace nabla
