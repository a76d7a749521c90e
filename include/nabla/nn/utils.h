// nabla/nn/utils.h — diagnostics over a module's parameters.
//
// grad_norms lists, for every parameter (in named_parameters order), the L2 norm of its .grad:
// the per-layer view that shows vanishing or exploding gradients in a deep net.
//
//   loss.backward();
//   for (auto& [name, norm] : nn::grad_norms(*net)) std::cout << name << " " << norm << "\n";
//   double total = nn::total_grad_norm(*net);   // √Σ norm²
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

}  // namespace nabla::nn
