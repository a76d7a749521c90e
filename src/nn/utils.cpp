#include "nabla/nn/utils.h"

#include <algorithm>
#include <cmath>
#include <string_view>

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

std::vector<std::pair<std::string, double>> per_module_norms(const std::vector<std::pair<std::string, double>>& norms) {
  std::vector<std::pair<std::string, double>> out;  // (module, Σ norm²) until the end
  for (const auto& [name, norm] : norms) {
    const size_t dot = name.rfind('.');
    const std::string owner = dot == std::string::npos ? std::string() : name.substr(0, dot);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& m) { return m.first == owner; });
    if (it == out.end()) it = out.insert(out.end(), {owner, 0.0});
    it->second += norm * norm;
  }
  for (auto& m : out) m.second = std::sqrt(m.second);
  return out;
}

std::vector<Tensor> weight_parameters(const Module& module) {
  static constexpr std::string_view kSuffix = ".weight";
  std::vector<Tensor> out;
  for (const auto& [name, p] : module.named_parameters())
    if (name.size() >= kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0)
      out.push_back(p);
  return out;
}

}  // namespace nabla::nn
