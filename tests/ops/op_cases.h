// The op cases shared by the PyTorch golden test and the gradchecks: each name here matches a
// case in tests/golden/gen_ops_golden.py, which computes the same function with PyTorch.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "nabla/nabla.h"

namespace nabla::testing {

using Case = std::function<Tensor(const std::vector<Tensor>&)>;

inline Tensor idx(std::vector<int64_t> v, Shape s) { return Tensor::from_vector(v, s); }
inline Tensor ar(int64_t n, Shape s) { return arange(0, double(n), 1, DType::float64).reshape(s); }

inline const std::map<std::string, Case>& op_cases() {
  using V = const std::vector<Tensor>&;
  static const std::map<std::string, Case> cases = {
      {"add", [](V x) { return x[0] + x[1]; }},
      {"sub", [](V x) { return x[0] - x[1]; }},
      {"mul", [](V x) { return x[0] * x[1]; }},
      {"div", [](V x) { return x[0] / x[1]; }},
      {"neg", [](V x) { return -x[0]; }},
      {"pow_scalar", [](V x) { return pow(x[0], 3.0); }},
      {"pow_scalar_frac", [](V x) { return pow(x[0], 1.5); }},
      {"pow_tensor", [](V x) { return pow(x[0], x[1]); }},
      {"maximum", [](V x) { return maximum(x[0], x[1]); }},
      {"minimum", [](V x) { return minimum(x[0], x[1]); }},
      {"maximum_ties", [](V x) { return maximum(x[0], x[1]); }},
      {"exp", [](V x) { return exp(x[0]); }},
      {"log", [](V x) { return log(x[0]); }},
      {"sqrt", [](V x) { return sqrt(x[0]); }},
      {"abs", [](V x) { return abs(x[0]); }},
      {"abs_kink", [](V x) { return abs(x[0]); }},
      {"sin", [](V x) { return sin(x[0]); }},
      {"cos", [](V x) { return cos(x[0]); }},
      {"tanh", [](V x) { return tanh(x[0]); }},
      {"sigmoid", [](V x) { return sigmoid(x[0]); }},
      {"sigmoid_large", [](V x) { return sigmoid(x[0]); }},
      {"erf", [](V x) { return erf(x[0]); }},
      {"clamp", [](V x) { return clamp(x[0], -0.5, 0.8); }},
      {"clamp_kink", [](V x) { return clamp(x[0], -1.5, 0.7); }},
      {"relu", [](V x) { return relu(x[0]); }},
      {"relu_kink", [](V x) { return relu(x[0]); }},
      {"leaky_relu", [](V x) { return leaky_relu(x[0], 0.1); }},
      {"leaky_relu_kink", [](V x) { return leaky_relu(x[0], 0.1); }},
      {"elu", [](V x) { return elu(x[0], 1.3); }},
      {"elu_kink", [](V x) { return elu(x[0], 1.3); }},
      {"selu", [](V x) { return selu(x[0]); }},
      {"gelu", [](V x) { return gelu(x[0]); }},
      {"gelu_tanh", [](V x) { return gelu(x[0], true); }},
      {"silu", [](V x) { return silu(x[0]); }},
      {"softplus", [](V x) { return softplus(x[0]); }},
      {"softplus_beta", [](V x) { return softplus(x[0], 2.0, 3.0); }},
      {"where", [](V x) { return where(x[0] > 0.0, x[0], x[1]); }},
      {"sum_all", [](V x) { return sum(x[0]); }},
      {"sum_dim0", [](V x) { return sum(x[0], {0}); }},
      {"sum_dim1_keep", [](V x) { return sum(x[0], {1}, true); }},
      {"mean_all", [](V x) { return mean(x[0]); }},
      {"mean_dims",
       [](V x) {
         return mean(x[0], {0, 2});
       }},
      {"max_all", [](V x) { return max(x[0]); }},
      {"max_dim", [](V x) { return max(x[0], 1); }},
      {"min_dim_keep", [](V x) { return min(x[0], 0, true); }},
      {"max_ties", [](V x) { return max(x[0], 1); }},
      {"softmax", [](V x) { return softmax(x[0], 1); }},
      {"softmax_dim0", [](V x) { return softmax(x[0], 0); }},
      {"log_softmax", [](V x) { return log_softmax(x[0], 1); }},
      {"logsumexp", [](V x) { return logsumexp(x[0], 1); }},
      {"matmul_mm", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_mv", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_vm", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_dot", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_batched", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_broadcast", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_transposed", [](V x) { return matmul(x[0].t(), x[1]); }},
      {"bmm", [](V x) { return bmm(x[0], x[1]); }},
      {"reshape",
       [](V x) {
         return x[0].reshape({3, 2}) * ar(6, {3, 2});
       }},
      {"transpose",
       [](V x) {
         return x[0].t() * ar(6, {3, 2});
       }},
      {"permute",
       [](V x) {
         return x[0].permute({2, 0, 1}) * ar(24, {4, 2, 3});
       }},
      {"slice", [](V x) { return x[0].slice(1, 1, 3) * 2.0; }},
      {"slice_step", [](V x) { return pow(x[0].slice(1, 0, 3, 2), 2.0); }},
      {"select", [](V x) { return pow(x[0].select(0, 1), 2.0); }},
      {"unsqueeze_expand",
       [](V x) {
         return x[0].unsqueeze(0).expand({4, 3}) * ar(12, {4, 3});
       }},
      {"concat",
       [](V x) {
         return pow(concat({x[0], x[1] * 2.0}, 1), 2.0);
       }},
      {"stack",
       [](V x) {
         return pow(stack({x[0], x[1]}, 0), 2.0);
       }},
      {"gather",
       [](V x) {
         return pow(gather(x[0], 1, idx({0, 2, 2, 1, 1, 0}, {2, 3})), 2.0);
       }},
      {"index_select",
       [](V x) {
         return pow(index_select(x[0], 0, idx({1, 0, 1}, {3})), 2.0);
       }},
      {"composite_mlp", [](V x) { return sigmoid(sum(tanh(matmul(x[0], x[1]) + x[2]), {1})); }},
  };
  return cases;
}

}  // namespace nabla::testing
