#include "nabla/nn/utils.h"

#include <cmath>

#include "nabla/compile/tape.h"

namespace nabla::nn {

std::vector<std::pair<std::string, double>> grad_norms(const Module& module) {
  capture::refuse("nn::grad_norms (reads the gradients back; call it after the compiled step)");
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [name, p] : module.named_parameters()) {
    double sq = 0.0;
    if (p.grad().defined())
      for (double g : p.grad().to_vector<double>()) sq += g * g;
    out.emplace_back(name, std::sqrt(sq));
  }
  return out;
}

double total_grad_norm(const Module& module) {
  double sq = 0.0;
  for (const auto& [name, n] : grad_norms(module)) sq += n * n;
  return std::sqrt(sq);
}

}  // namespace nabla::nn
