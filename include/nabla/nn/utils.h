// nabla/nn/utils.h — diagnostics over a module's parameters.
//
// grad_norms lists, for every parameter (in named_parameters order), the L2 norm of its .grad:
// the per-layer view that shows vanishing or exploding gradients in a deep net;
// per_module_norms combines them per layer (weight and bias together).
//
//   loss.backward();
//   for (auto& [name, norm] : nn::grad_norms(*net)) std::cout << name << " " << norm << "\n";
//   double total = nn::total_grad_norm(*net);   // √Σ norm²
//   auto layers = nn::per_module_norms(nn::grad_norms(*net));   // {"layers.0", √(‖g_w‖² + ‖g_b‖²)}, ...
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::nn {

// (parameter name, ‖grad‖₂) for every parameter; 0 for a parameter without a gradient yet.
std::vector<std::pair<std::string, double>> grad_norms(const Module& module);
// The L2 norm of all parameter gradients together.
double total_grad_norm(const Module& module);
// Norms of parameters grouped by the module that owns them (a name up to its last '.', e.g.
// "layers.0" for "layers.0.weight" and "layers.0.bias"): √(Σ norm²) per module, in the order
// the modules first appear.
std::vector<std::pair<std::string, double>> per_module_norms(const std::vector<std::pair<std::string, double>>& norms);

// The parameters whose name ends in ".weight" (linear and normalisation weights, not biases),
// in named_parameters order: what an L1/L2 penalty covers (train::StepOptions).
std::vector<Tensor> weight_parameters(const Module& module);

}  // namespace nabla::nn
