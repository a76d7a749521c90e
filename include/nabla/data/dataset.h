// nabla/data/dataset.h — a supervised dataset held in memory, and the usual preparation steps.
//
// A Dataset is a feature matrix X [N, F] (float32 or float64) with one target per row:
//   float [N, 1] of 0/1 for binary classification (num_classes == 2) or real values for
//   regression (num_classes == 0), the dtype of X — ready for BCE or MSE;
//   int64 [N] class indices in [0, num_classes) for multi-class — ready for cross-entropy.
//
//   nabla::Dataset d = nabla::make_moons({.n = 1024, .noise = 0.1, .seed = 0});
//   auto [train, test] = nabla::train_test_split(d, 0.2, /*seed=*/0);
//   nabla::Standardizer s = nabla::Standardizer::fit(train.x); train.x = s.transform(train.x);
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor/random.h"
#include "nabla/tensor/tensor.h"

namespace nabla {

struct Dataset {
  Tensor x;                                // [N, F]
  Tensor y;                                // float [N, 1] (binary / regression) or int64 [N] (multi-class)
  int64_t num_classes = 0;                 // 2 binary, k > 2 multi-class, 0 regression
  std::vector<std::string> feature_names;  // optional, F entries when set
  std::vector<std::string> class_names;    // optional, num_classes entries when set
  std::string name;                        // for messages and reports ("moons", a file name)

  int64_t size() const { return x.defined() ? x.size(0) : 0; }
  int64_t num_features() const { return x.defined() ? x.size(1) : 0; }
  bool multiclass() const { return y.defined() && y.dtype() == DType::int64; }

  // Throws ShapeError / DTypeError / ValueError if x, y and num_classes do not fit the
  // description above (labels out of range included). Every loader calls it before returning.
  void validate() const;

  // The rows `index` (any order, repeats allowed), as a new dataset with its own storage.
  Dataset subset(const std::vector<int64_t>& index) const;
};

// Splits like torch.utils.data.random_split(data, [1 - test_fraction, test_fraction],
// generator): a randperm(N) from the generator (nabla's default one if null); the first
// floor(N (1 - f)) positions are the training rows, the next floor(N f) the test rows, and a
// remainder left by the flooring goes one row at a time to train, then test. Same indices as
// PyTorch for the same generator state.
std::pair<Dataset, Dataset> train_test_split(const Dataset& data, double test_fraction, Generator* generator = nullptr);
std::pair<Dataset, Dataset> train_test_split(const Dataset& data, double test_fraction, uint64_t seed);

// Per-feature standardisation, z = (x - mean) / scale, fitted on training data only and then
// applied unchanged to validation/test data (fitting on everything leaks test statistics).
// mean and scale are float64 [F]; scale is the population standard deviation (ddof = 0, as
// sklearn's StandardScaler), replaced by 1 for a constant feature so it maps to 0, not NaN.
class Standardizer {
 public:
  Standardizer() = default;
  Standardizer(Tensor mean, Tensor scale);
  static Standardizer fit(const Tensor& x);  // x: [N, F] float, N >= 1

  // A new tensor of x's dtype; ShapeError if x does not have F columns.
  Tensor transform(const Tensor& x) const;
  Tensor inverse_transform(const Tensor& z) const;
  // The same dataset with x transformed (targets shared, not copied).
  Dataset transform(const Dataset& d) const;

  bool fitted() const { return mean_.defined(); }
  const Tensor& mean() const { return mean_; }
  const Tensor& scale() const { return scale_; }

 private:
  Tensor mean_, scale_;
};

}  // namespace nabla
