// Helpers shared by the session's files (apps/serve/session/*.cpp); not part of session.h.
#pragma once
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nabla/nn/linear.h"
#include "nabla/tensor/tensor.h"
#include "nabla/train/trainer.h"
#include "session/session.h"

namespace nabla::serve::internal {

inline constexpr DType kDType = DType::float64;

inline bool one_of(const std::string& v, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), v) != names.end();
}

inline std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

inline const std::string& activation_of(const SessionConfig& c, size_t layer) {
  return c.activations.size() == 1 ? c.activations[0] : c.activations[layer];
}

// The noise standard deviation handed to the generator for `noise` percent (data.cpp).
double dataset_sigma(const SessionConfig& c);

// The shortest text that reads back as exactly `v` (export.cpp's CSV).
std::string number_text(double v);

// The model's linear layers, in order.
std::vector<std::shared_ptr<nn::Linear>> linears(const train::ConfigModel& m);

// Row-major [rows][cols] of a 2-D tensor, exact.
nlohmann::json matrix(const Tensor& t);

}  // namespace nabla::serve::internal
