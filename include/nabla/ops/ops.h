// nabla/ops/ops.h — the differentiable operations.
//
// Each op checks its arguments (errors name the op and the shapes), computes its forward value
// with a raw-pointer kernel, and records its backward formula beside it (src/ops/*.cpp). All
// backward formulas are written with these same ops, so every op is twice differentiable.
// Binary ops broadcast like NumPy/PyTorch; both operands must have the same dtype (a C++ number
// takes the dtype of the tensor it meets). Gradients at kinks follow PyTorch (relu'(0) = 0, ...).
//
//   Tensor h = nabla::relu(nabla::matmul(x, w) + b);
//   Tensor p = nabla::softmax(h, /*dim=*/1);
//   Tensor l = -(nabla::log_softmax(h, 1) * onehot).sum(std::vector<int64_t>{1}).mean();
#pragma once
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla {

// ---- arithmetic (broadcasting) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& a);
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow(const Tensor& base, double exponent);
Tensor minimum(const Tensor& a, const Tensor& b);  // ties split the gradient equally
Tensor maximum(const Tensor& a, const Tensor& b);  // ties split the gradient equally

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// ---- comparisons (not differentiable; return bool tensors) ----
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator==(const Tensor& a, double b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);

// where(cond, a, b): a where cond is true, else b (cond: bool tensor; all three broadcast).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, double b);
Tensor where(const Tensor& cond, double a, const Tensor& b);

// ---- elementwise math ----
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);   // abs'(0) = 0
Tensor sign(const Tensor& x);  // not differentiable (zero gradient)
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor clamp(const Tensor& x, double min, double max);  // gradient 1 on [min, max], inclusive
Tensor clamp_min(const Tensor& x, double min);
Tensor clamp_max(const Tensor& x, double max);

// ---- activations ----
Tensor relu(const Tensor& x);                                      // relu'(0) = 0
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);  // derivative at 0: slope
Tensor elu(const Tensor& x, double alpha = 1.0);                   // derivative at 0: alpha
Tensor selu(const Tensor& x);
Tensor gelu(const Tensor& x, bool tanh_approximation = false);
Tensor silu(const Tensor& x);
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
// Heaviside threshold unit: 1 where x > 0, else 0 (step(0) = 0). Its gradient is zero.
Tensor step(const Tensor& x);

// ---- reductions ----
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// max/min: the gradient is shared equally among tied extremes (as torch.amax/amin).
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);  // int64; first of ties
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
// Sums a broadcast gradient back to `shape` (the reverse of expand).
Tensor sum_to(const Tensor& x, const Shape& shape);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);

// ---- linear algebra ----
// torch.matmul semantics: 1-D·1-D dot, matrix·vector, batched with broadcast batch dims.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);  // (B,n,k) @ (B,k,m), no broadcasting
// x (N, in) · weightᵀ + bias -> (N, out), weight (out, in), bias (out) or undefined: one op and
// one GEMM whose kernel adds the bias as it stores (the values of matmul(x, weight.t()) + bias,
// bit for bit). nn::functional::linear (any leading dims) is built on it.
Tensor addmm_linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

// ---- joining and indexing ----
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
// out[i][j] = x[index[i][j]][j] (dim 0), as torch.gather; index is int64, same rank as x.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// Adds src into a zero tensor of `shape` at the positions of index (the reverse of gather).
Tensor scatter_add(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src);
// Rows (or slices along dim) picked by a 1-D int64 index.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// One-hot rows of width num_classes for int64 labels, in dtype.
Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype = DType::float32);

}  // namespace nabla
