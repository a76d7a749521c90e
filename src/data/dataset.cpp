#include "nabla/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rows.h"

namespace nabla {

using data_detail::contiguous_copy;
using data_detail::take_rows;

void Dataset::validate() const {
  const std::string who = name.empty() ? std::string("dataset") : "dataset '" + name + "'";
  NABLA_CHECK(x.defined() && y.defined(), ValueError, who, ": x and y must both be set");
  NABLA_CHECK(x.dim() == 2, ShapeError, who, ": x must be [N, F], got ", x.shape().to_string());
  NABLA_CHECK(is_floating(x.dtype()), DTypeError, who, ": x must be float32 or float64, got ", dtype_name(x.dtype()));
  const int64_t n = x.size(0);
  NABLA_CHECK(feature_names.empty() || int64_t(feature_names.size()) == x.size(1), ValueError, who, ": ",
              feature_names.size(), " feature names for ", x.size(1), " features");
  if (y.dtype() == DType::int64) {
    NABLA_CHECK(y.dim() == 1 && y.size(0) == n, ShapeError, who, ": int64 (class index) targets must be [", n,
                "], got ", y.shape().to_string());
    NABLA_CHECK(num_classes >= 2, ValueError, who, ": class-index targets need num_classes >= 2, got ", num_classes);
    const Tensor yc = contiguous_copy(y);
    const int64_t* p = yc.data<int64_t>();
    for (int64_t i = 0; i < n; ++i)
      NABLA_CHECK(p[i] >= 0 && p[i] < num_classes, ValueError, who, ": row ", i, " has class ", p[i], ", outside [0, ",
                  num_classes, ")");
  } else {
    NABLA_CHECK(is_floating(y.dtype()), DTypeError, who, ": y must be float or int64, got ", dtype_name(y.dtype()));
    NABLA_CHECK(y.dim() == 2 && y.size(0) == n && y.size(1) == 1, ShapeError, who, ": float targets must be [", n,
                ", 1], got ", y.shape().to_string());
    NABLA_CHECK(num_classes == 0 || num_classes == 2, ValueError, who,
                ": float targets are binary (num_classes 2) or regression (0), got num_classes ", num_classes);
    if (num_classes == 2) {
      const std::vector<double> v = y.to_vector<double>();
      for (int64_t i = 0; i < n; ++i)
        NABLA_CHECK(v[i] == 0.0 || v[i] == 1.0, ValueError, who, ": binary target of row ", i, " is ", v[i],
                    ", expected 0 or 1");
    }
  }
  NABLA_CHECK(class_names.empty() || int64_t(class_names.size()) == num_classes, ValueError, who, ": ",
              class_names.size(), " class names for ", num_classes, " classes");
}

Dataset Dataset::subset(const std::vector<int64_t>& index) const {
  const int64_t n = size();
  for (int64_t i : index)
    NABLA_CHECK(i >= 0 && i < n, ValueError, "Dataset::subset: row ", i, " out of range for ", n, " rows");
  Dataset out = *this;
  out.x = take_rows(x, index.data(), static_cast<int64_t>(index.size()));
  out.y = take_rows(y, index.data(), static_cast<int64_t>(index.size()));
  return out;
}

std::pair<Dataset, Dataset> train_test_split(const Dataset& data, double test_fraction, Generator* generator) {
  NABLA_CHECK(test_fraction >= 0.0 && test_fraction <= 1.0, ValueError,
              "train_test_split: test_fraction must be in [0, 1], got ", test_fraction);
  const int64_t n = data.size();
  // random_split's lengths for fractions [1 - f, f].
  int64_t lengths[2] = {static_cast<int64_t>(std::floor(double(n) * (1.0 - test_fraction))),
                        static_cast<int64_t>(std::floor(double(n) * test_fraction))};
  const int64_t remainder = n - lengths[0] - lengths[1];
  for (int64_t i = 0; i < remainder; ++i) lengths[i % 2] += 1;
  const std::vector<int64_t> perm = randperm(n, generator).to_vector<int64_t>();
  std::vector<int64_t> train(perm.begin(), perm.begin() + lengths[0]);
  std::vector<int64_t> test(perm.begin() + lengths[0], perm.end());
  return {data.subset(train), data.subset(test)};
}

std::pair<Dataset, Dataset> train_test_split(const Dataset& data, double test_fraction, uint64_t seed) {
  Generator g(seed);
  return train_test_split(data, test_fraction, &g);
}

// ---- Standardizer ----

Standardizer::Standardizer(Tensor mean, Tensor scale) : mean_(std::move(mean)), scale_(std::move(scale)) {
  NABLA_CHECK(mean_.defined() && scale_.defined() && mean_.dim() == 1 && scale_.shape() == mean_.shape(), ShapeError,
              "Standardizer: mean and scale must be two [F] tensors, got ",
              mean_.defined() ? mean_.shape().to_string() : "undefined", " and ",
              scale_.defined() ? scale_.shape().to_string() : "undefined");
  mean_ = mean_.dtype() == DType::float64 ? contiguous_copy(mean_)
                                          : Tensor::from_vector(mean_.to_vector<double>(), mean_.shape());
  scale_ = scale_.dtype() == DType::float64 ? contiguous_copy(scale_)
                                            : Tensor::from_vector(scale_.to_vector<double>(), scale_.shape());
  for (double s : scale_.to_vector<double>())
    NABLA_CHECK(s > 0 && std::isfinite(s), ValueError, "Standardizer: scale entries must be positive, got ", s);
}

Standardizer Standardizer::fit(const Tensor& x) {
  NABLA_CHECK(x.defined() && x.dim() == 2, ShapeError, "Standardizer::fit: x must be [N, F], got ",
              x.defined() ? x.shape().to_string() : "undefined");
  NABLA_CHECK(is_floating(x.dtype()), DTypeError, "Standardizer::fit: x must be float, got ", dtype_name(x.dtype()));
  const int64_t n = x.size(0), f = x.size(1);
  NABLA_CHECK(n >= 1, ValueError, "Standardizer::fit: no rows to fit on");
  const std::vector<double> v = x.to_vector<double>();
  std::vector<double> mean(f, 0.0), scale(f, 0.0);
  // Two passes in double: the one-pass E[x²] - E[x]² formula cancels badly for data far from 0.
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) mean[j] += v[i * f + j];
  for (double& m : mean) m /= double(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) scale[j] += (v[i * f + j] - mean[j]) * (v[i * f + j] - mean[j]);
  for (int64_t j = 0; j < f; ++j) {
    scale[j] = std::sqrt(scale[j] / double(n));
    // sklearn's rule: a (near-)constant column keeps scale 1, so it becomes 0 rather than NaN.
    if (!(scale[j] > 10 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::fabs(mean[j])))) scale[j] = 1.0;
    NABLA_CHECK(std::isfinite(mean[j]), ValueError, "Standardizer::fit: feature ", j, " has a non-finite mean");
  }
  return Standardizer(Tensor::from_vector(mean, {f}), Tensor::from_vector(scale, {f}));
}

namespace {

Tensor affine_columns(const Tensor& x, const Tensor& mean, const Tensor& scale, bool forward, const char* op) {
  NABLA_CHECK(mean.defined(), ValueError, op, ": the Standardizer has not been fitted");
  NABLA_CHECK(x.defined() && x.dim() == 2 && x.size(1) == mean.size(0), ShapeError, op, ": expected [N, ", mean.size(0),
              "], got ", x.defined() ? x.shape().to_string() : "undefined");
  const Tensor src = contiguous_copy(x);
  Tensor out = Tensor::empty(src.shape(), src.dtype());
  const int64_t n = src.size(0), f = src.size(1);
  const double* m = mean.data<double>();
  const double* s = scale.data<double>();
  dispatch_floating(src.dtype(), op, [&]<class T>() {
    const T* p = src.data<T>();
    T* q = out.data<T>();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < f; ++j) {
        const double v = static_cast<double>(p[i * f + j]);
        q[i * f + j] = static_cast<T>(forward ? (v - m[j]) / s[j] : v * s[j] + m[j]);
      }
  });
  return out;
}

}  // namespace

Tensor Standardizer::transform(const Tensor& x) const {
  return affine_columns(x, mean_, scale_, true, "Standardizer::transform");
}

Tensor Standardizer::inverse_transform(const Tensor& z) const {
  return affine_columns(z, mean_, scale_, false, "Standardizer::inverse_transform");
}

Dataset Standardizer::transform(const Dataset& d) const {
  Dataset out = d;
  out.x = transform(d.x);
  return out;
}

}  // namespace nabla
