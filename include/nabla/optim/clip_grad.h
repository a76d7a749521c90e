// nabla/optim/clip_grad.h — gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_)
// and weight penalties to add to a loss.
//
// Clipping works in place on the parameters' .grad, between backward() and the optimizer's step;
// parameters without a gradient are ignored. The penalties are ordinary differentiable tensors.
//
//   Tensor loss = criterion(model(x), y) + 1e-4 * optim::l2_penalty(params);
//   loss.backward();
//   double norm = optim::clip_grad_norm_(params, /*max_norm=*/1.0);   // the norm before clipping
#pragma once
#include <limits>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::optim {

inline constexpr double kInfNorm = std::numeric_limits<double>::infinity();

// Scales all gradients together so that their total norm is at most max_norm, as PyTorch:
//   total = norm of the per-parameter norms (order norm_type; kInfNorm for the max-abs norm)
//   coef  = min(max_norm / (total + 1e-6), 1);   every grad *= coef
// Returns `total` (0 when no parameter has a gradient). Norms are accumulated in double.
// ValueError for norm_type <= 0 (or NaN), or for a non-finite total when error_if_nonfinite.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element to [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

// Σ_p Σ p², differentiable (d/dp = 2p): the usual L2 regularizer, to scale and add to a loss.
// (Coupled weight decay wd in SGD equals adding 0.5 * wd * l2_penalty.) ValueError for an empty
// list or mixed dtypes.
Tensor l2_penalty(const std::vector<Tensor>& params);
// Σ_p Σ |p|, differentiable (d/dp = sign(p), 0 at 0).
Tensor l1_penalty(const std::vector<Tensor>& params);

}  // namespace nabla::optim
