// nabla/data/sklearn.h — scikit-learn's train_test_split, row for row.
//
//   nabla::sklearn::SplitIndices s = nabla::sklearn::train_test_split(442, 0.3, 42);   // 309 / 133
//   auto [train, test] = nabla::sklearn::train_test_split(nabla::load_diabetes(), 0.3, 42);
//   nabla::Standardizer scaler = nabla::Standardizer::fit(train.x);   // = sklearn's StandardScaler
//
// train_test_split(X, y, test_size=test_size, random_state=random_state) with shuffle=True and
// no stratify, as scikit-learn (>= 0.22, tested with 1.2.1) computes it through ShuffleSplit:
// n_test = ceil(test_size · n) (in double), n_train = n − n_test; p =
// np.random.RandomState(random_state).permutation(n) (nabla::numpy::RandomState); the test rows
// are p[:n_test] and the training rows p[n_test:], both in that order. The datasets returned are
// (train, test), like sklearn's (X_train, X_test, y_train, y_test).
// For StandardScaler use nabla::Standardizer (nabla/data/dataset.h): the same population
// standard deviation, tested against sklearn.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::sklearn {

struct SplitIndices {
  std::vector<std::int64_t> train, test;
};

// The row indices of train_test_split(range(n), test_size=test_size, random_state=random_state,
// shuffle=True). Throws ValueError unless 0 < test_size < 1 and both parts get at least one row.
SplitIndices train_test_split(std::int64_t n, double test_size, std::uint32_t random_state);
// The same rows of a dataset: {train, test}.
std::pair<Dataset, Dataset> train_test_split(const Dataset& d, double test_size, std::uint32_t random_state);

}  // namespace nabla::sklearn
