#include "nabla/autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "nabla/autograd/engine.h"
#include "nabla/ops/ops.h"

namespace nabla {

namespace {

// Fresh leaves with the same values, so perturbing them never touches the caller's tensors.
std::vector<Tensor> fresh_leaves(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> out;
  for (const Tensor& t : inputs) {
    Tensor c = t.detach().clone();
    if (t.requires_grad()) c.requires_grad_();
    out.push_back(c);
  }
  return out;
}

std::vector<double> evaluate(const DifferentiableFn& fn, const std::vector<Tensor>& inputs) {
  // Grad mode stays on: gradgradcheck's function itself calls grad().
  return fn(inputs).to_vector<double>();
}

}  // namespace

GradcheckResult gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs, GradcheckOptions options) {
  GradcheckResult result;
  for (const Tensor& t : inputs)
    NABLA_CHECK(t.dtype() == DType::float64, DTypeError, "gradcheck: inputs must be float64, got ",
                dtype_name(t.dtype()));
  std::vector<Tensor> leaves = fresh_leaves(inputs);
  Tensor out = fn(leaves);
  const int64_t n_out = out.numel();

  // Analytic Jacobian, one output element (one row) at a time.
  std::vector<std::vector<std::vector<double>>> analytic(leaves.size());  // [input][out][in elem]
  std::vector<Tensor> wrt;
  std::vector<size_t> wrt_index;
  for (size_t i = 0; i < leaves.size(); ++i)
    if (leaves[i].requires_grad()) {
      wrt.push_back(leaves[i]);
      wrt_index.push_back(i);
    }
  for (int64_t r = 0; r < n_out; ++r) {
    std::vector<double> basis(n_out, 0.0);
    basis[r] = 1.0;
    Tensor seed = Tensor::from_vector(basis, out.shape(), out.dtype());
    std::vector<Tensor> g = out.requires_grad() ? grad({out}, wrt, {.retain_graph = true, .allow_unused = true}, {seed})
                                                : std::vector<Tensor>(wrt.size());
    for (size_t j = 0; j < wrt.size(); ++j) {
      std::vector<double> row = g[j].defined() ? g[j].to_vector<double>() : std::vector<double>(wrt[j].numel(), 0.0);
      analytic[wrt_index[j]].push_back(row);
    }
  }

  // Numeric Jacobian by central differences, with one-sided slopes to recognise kinks.
  std::vector<double> base = evaluate(fn, leaves);
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].requires_grad()) continue;
    Tensor x = leaves[i].detach();  // shares storage with the leaf
    double* p = x.contiguous().same(x) ? x.data<double>() : nullptr;
    NABLA_CHECK(p, ValueError, "gradcheck: inputs must be contiguous");
    for (int64_t e = 0; e < x.numel(); ++e) {
      const double orig = p[e];
      p[e] = orig + options.eps;
      std::vector<double> plus = evaluate(fn, leaves);
      p[e] = orig - options.eps;
      std::vector<double> minus = evaluate(fn, leaves);
      p[e] = orig;
      for (int64_t r = 0; r < n_out; ++r) {
        const double central = (plus[r] - minus[r]) / (2 * options.eps);
        const double right = (plus[r] - base[r]) / options.eps;
        const double left = (base[r] - minus[r]) / options.eps;
        const double a = analytic[i][r][e];
        const double tol = options.atol + options.rtol * std::fabs(central);
        const double err = std::fabs(a - central);
        if (err <= tol) {
          result.max_abs_error = std::max(result.max_abs_error, err);
          continue;
        }
        const double one_sided_tol = 1e3 * options.eps * (1 + std::fabs(left) + std::fabs(right));
        // A jump (the function itself is discontinuous here, as the derivative of relu is at 0):
        // finite differences see a spike of height ~jump/eps, which no derivative can match.
        if (std::fabs(plus[r] - minus[r]) > 1e-3 * (1 + std::fabs(base[r]))) {
          ++result.kinks;
          continue;
        }
        if (std::fabs(left - right) > one_sided_tol) {  // a kink: accept any value between the slopes
          ++result.kinks;
          if (a >= std::min(left, right) - tol && a <= std::max(left, right) + tol) continue;
        }
        if (std::isnan(a) && std::isnan(central)) continue;
        if (result.ok) {
          std::ostringstream msg;
          msg.precision(12);
          msg << "input " << i << " element " << e << ", output " << r << ": analytic " << a << " vs numeric "
              << central << " (left " << left << ", right " << right << ")";
          result.message = msg.str();
        }
        result.ok = false;
        result.max_abs_error = std::max(result.max_abs_error, err);
      }
    }
  }
  return result;
}

GradcheckResult gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs, GradcheckOptions options) {
  // A fixed, irregular weighting of the outputs (no random source needed, no symmetry to hide errors).
  DifferentiableFn first_grad = [fn](const std::vector<Tensor>& in) {
    Tensor out = fn(in);
    std::vector<double> w(out.numel());
    for (size_t k = 0; k < w.size(); ++k) w[k] = 0.5 + 0.37 * double((k * 7919) % 11) / 11.0;
    Tensor weight = Tensor::from_vector(w, out.shape(), out.dtype());
    std::vector<Tensor> wrt;
    for (const Tensor& t : in)
      if (t.requires_grad()) wrt.push_back(t);
    std::vector<Tensor> parts;
    if (!out.requires_grad()) {
      for (const Tensor& t : wrt) parts.push_back(zeros({t.numel()}, t.dtype()));
      return concat(parts, 0);
    }
    std::vector<Tensor> g = grad({sum(out * weight)}, wrt, {.create_graph = true, .allow_unused = true});
    for (size_t j = 0; j < wrt.size(); ++j)
      parts.push_back(g[j].defined() ? g[j].reshape({-1}) : zeros({wrt[j].numel()}, wrt[j].dtype()));
    return concat(parts, 0);
  };
  return gradcheck(first_grad, inputs, options);
}

}  // namespace nabla
