// nabla/autograd/gradcheck.h — check autograd against finite differences.
//
// gradcheck compares the Jacobian autograd computes with central differences in float64, one
// input element at a time. It is kink-aware: where the left and right one-sided differences
// disagree (relu at 0, abs at 0, clamp at its bounds) the point is a kink, and any analytic value
// between the two one-sided slopes is accepted — the convention there is then tested separately
// against PyTorch. gradgradcheck does the same for the gradient itself (second order).
//
//   auto f = [](const std::vector<Tensor>& in) { return (in[0] * in[1]).sigmoid(); };
//   GradcheckResult r = gradcheck(f, {x, y});   // x, y: float64, requires_grad
//   EXPECT_TRUE(r.ok) << r.message;
#pragma once
#include <string>
#include <vector>

#include "nabla/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla {

using DifferentiableFn = std::function<Tensor(const std::vector<Tensor>&)>;

struct GradcheckOptions {
  double eps = 1e-6;   // finite-difference step
  double atol = 1e-5;  // |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-4;
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0;
  int kinks = 0;        // elements where the function has a kink (one-sided slopes differ)
  std::string message;  // the first mismatch: input, element, analytic vs numeric
};

// First order: d fn(inputs) / d inputs. Inputs must be float64 leaves; those with requires_grad
// are checked.
GradcheckResult gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs, GradcheckOptions options = {});

// Second order: checks the gradient of <fn(inputs), w> (w a fixed random weighting of the
// outputs) — itself computed with create_graph — against finite differences of it.
GradcheckResult gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                              GradcheckOptions options = {});

}  // namespace nabla
