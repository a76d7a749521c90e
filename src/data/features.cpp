#include "nabla/data/features.h"

#include <cmath>

#include "nabla/error.h"

namespace nabla {
namespace {

using FeatureFn = double (*)(double x1, double x2);

struct Feature {
  const char* name;
  FeatureFn fn;
};

// One row per feature: the name and the map.
constexpr Feature kFeatures[] = {
    {"x1", [](double x1, double) { return x1; }},
    {"x2", [](double, double x2) { return x2; }},
    {"x1sq", [](double x1, double) { return x1 * x1; }},
    {"x2sq", [](double, double x2) { return x2 * x2; }},
    {"x1x2", [](double x1, double x2) { return x1 * x2; }},
    {"sinx1", [](double x1, double) { return std::sin(x1); }},
    {"sinx2", [](double, double x2) { return std::sin(x2); }},
};

std::string known_list() {
  std::string s;
  for (const Feature& f : kFeatures) s += (s.empty() ? "" : ", ") + std::string(f.name);
  return s;
}

}  // namespace

const std::vector<std::string>& point_feature_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Feature& f : kFeatures) v.push_back(f.name);
    return v;
  }();
  return names;
}

Tensor point_features(const Tensor& xy, const std::vector<std::string>& features) {
  NABLA_CHECK(xy.dim() == 2 && xy.size(1) == 2, ShapeError, "point_features: points must be (N, 2), got ",
              xy.shape().to_string());
  NABLA_CHECK(!features.empty(), ValueError, "point_features: no features (known: ", known_list(), ")");
  std::vector<FeatureFn> fns;
  for (const std::string& name : features) {
    FeatureFn fn = nullptr;
    for (const Feature& f : kFeatures)
      if (name == f.name) fn = f.fn;
    NABLA_CHECK(fn, ValueError, "unknown feature \"", name, "\" (known: ", known_list(), ")");
    fns.push_back(fn);
  }
  const std::vector<double> p = xy.contiguous().to_vector<double>();  // (N, 2)
  const int64_t n = xy.size(0), f = int64_t(fns.size());
  std::vector<double> out(size_t(n * f));  // (N, F)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < f; ++k) out[size_t(i * f + k)] = fns[size_t(k)](p[size_t(2 * i)], p[size_t(2 * i + 1)]);
  const DType dtype = is_floating(xy.dtype()) ? xy.dtype() : DType::float32;
  return Tensor::from_vector(out, {n, f}, dtype);
}

}  // namespace nabla
