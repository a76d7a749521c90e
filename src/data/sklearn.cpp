#include "nabla/data/sklearn.h"

#include <cmath>

#include "nabla/data/numpy_random.h"
#include "nabla/error.h"

namespace nabla::sklearn {

SplitIndices train_test_split(std::int64_t n, double test_size, std::uint32_t random_state) {
  // sklearn.model_selection._split._validate_shuffle_split, for a float test_size
  NABLA_CHECK(test_size > 0.0 && test_size < 1.0, ValueError,
              "sklearn::train_test_split: test_size must be in (0, 1), got ", test_size);
  const auto n_test = static_cast<std::int64_t>(std::ceil(test_size * double(n)));
  const std::int64_t n_train = n - n_test;
  NABLA_CHECK(n_train > 0 && n_test > 0, ValueError, "sklearn::train_test_split: with n_samples = ", n,
              " and test_size = ", test_size, ", the resulting train set will be empty");
  // ShuffleSplit._iter_indices
  const std::vector<std::int64_t> p = numpy::RandomState(random_state).permutation(n);
  return {{p.begin() + n_test, p.end()}, {p.begin(), p.begin() + n_test}};
}

std::pair<Dataset, Dataset> train_test_split(const Dataset& d, double test_size, std::uint32_t random_state) {
  const SplitIndices s = train_test_split(d.size(), test_size, random_state);
  return {d.subset(s.train), d.subset(s.test)};
}

}  // namespace nabla::sklearn
