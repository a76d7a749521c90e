// Tests for nabla/data/dataset.h: validation, subsets, the seeded split (same indices as
// torch.utils.data.random_split) and train-fitted standardisation.
#include "nabla/data/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "nabla/data/synthetic.h"

namespace nabla {
namespace {

// x row i = (i, -i), y row i = i mod 2: row identity survives any reordering.
Dataset indexed(int64_t n) {
  std::vector<double> x, y;
  for (int64_t i = 0; i < n; ++i) {
    x.push_back(double(i));
    x.push_back(-double(i));
    y.push_back(double(i % 2));
  }
  Dataset d;
  d.x = Tensor::from_vector(x, {n, 2}, DType::float32);
  d.y = Tensor::from_vector(y, {n, 1}, DType::float32);
  d.num_classes = 2;
  return d;
}

std::vector<int64_t> rows_of(const Dataset& d) {
  std::vector<int64_t> out;
  const std::vector<float> x = d.x.to_vector<float>();
  const std::vector<float> y = d.y.to_vector<float>();
  for (int64_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(x[2 * i + 1], -x[2 * i]);
    EXPECT_EQ(y[i], float(int64_t(x[2 * i]) % 2));
    out.push_back(int64_t(x[2 * i]));
  }
  return out;
}

TEST(DataSet, ValidateCatchesMismatches) {
  Dataset d = indexed(4);
  d.validate();
  Dataset bad = d;
  bad.y = Tensor::from_vector(std::vector<double>{0, 1, 0}, {3, 1}, DType::float32);
  EXPECT_THROW(bad.validate(), ShapeError);
  bad = d;
  bad.y = Tensor::from_vector(std::vector<double>{0, 1, 0, 2}, {4, 1}, DType::float32);
  EXPECT_THROW(bad.validate(), ValueError);  // binary targets must be 0/1
  bad = d;
  bad.y = Tensor::from_vector(std::vector<int64_t>{0, 1, 2, 3}, {4});
  bad.num_classes = 3;
  EXPECT_THROW(bad.validate(), ValueError);  // class 3 out of range
  bad.num_classes = 4;
  bad.validate();
  bad = d;
  bad.x = Tensor::from_vector(std::vector<double>{1, 2, 3, 4}, {4});
  EXPECT_THROW(bad.validate(), ShapeError);
}

TEST(DataSet, SubsetCopiesRows) {
  Dataset d = indexed(6);
  Dataset s = d.subset({5, 0, 5, 2});
  EXPECT_EQ(rows_of(s), (std::vector<int64_t>{5, 0, 5, 2}));
  EXPECT_EQ(s.num_classes, 2);
  EXPECT_THROW(d.subset({6}), ValueError);
}

TEST(DataSplit, MatchesTorchRandomSplit) {
  std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/data_torch.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto golden = nlohmann::json::parse(ss.str());
  for (const auto& c : golden["splits"]) {
    SCOPED_TRACE(c.dump().substr(0, 60));
    auto [train, test] = train_test_split(indexed(c["n"]), c["test_fraction"].get<double>(), c["seed"].get<uint64_t>());
    EXPECT_EQ(rows_of(train), c["train"].get<std::vector<int64_t>>());
    EXPECT_EQ(rows_of(test), c["test"].get<std::vector<int64_t>>());
  }
}

TEST(DataSplit, DisjointCompleteAndSeeded) {
  Dataset d = indexed(101);
  auto [train, test] = train_test_split(d, 0.25, uint64_t(3));
  EXPECT_EQ(test.size(), 25);
  EXPECT_EQ(train.size(), 76);
  std::vector<int64_t> all = rows_of(train);
  const std::vector<int64_t> t = rows_of(test);
  all.insert(all.end(), t.begin(), t.end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 101; ++i) EXPECT_EQ(all[i], i);
  EXPECT_EQ(rows_of(train_test_split(d, 0.25, uint64_t(3)).first), rows_of(train));
  EXPECT_NE(rows_of(train_test_split(d, 0.25, uint64_t(4)).first), rows_of(train));
  Generator g(3);
  EXPECT_EQ(rows_of(train_test_split(d, 0.25, &g).first), rows_of(train));
  EXPECT_THROW(train_test_split(d, 1.5, uint64_t(0)), ValueError);
  EXPECT_EQ(train_test_split(d, 0.0, uint64_t(0)).second.size(), 0);
}

TEST(DataStandardizer, FitsOnTrainAndAppliesToTest) {
  Dataset d = make_blobs({.n = 300, .noise = 2.0, .dtype = DType::float64, .seed = 0});
  auto [train, test] = train_test_split(d, 0.3, uint64_t(0));
  Standardizer s = Standardizer::fit(train.x);
  Tensor z = s.transform(train.x);
  const int64_t n = z.size(0);
  const std::vector<double> v = z.to_vector<double>();
  for (int j = 0; j < 2; ++j) {
    double mean = 0, sq = 0;
    for (int64_t i = 0; i < n; ++i) mean += v[i * 2 + j];
    mean /= n;
    for (int64_t i = 0; i < n; ++i) sq += (v[i * 2 + j] - mean) * (v[i * 2 + j] - mean);
    EXPECT_NEAR(mean, 0.0, 1e-12);
    EXPECT_NEAR(std::sqrt(sq / n), 1.0, 1e-12);  // population std, ddof = 0
  }
  // The test split uses the training statistics, not its own.
  const std::vector<double> tx = test.x.to_vector<double>();
  const std::vector<double> tz = s.transform(test).x.to_vector<double>();
  const std::vector<double> m = s.mean().to_vector<double>(), sc = s.scale().to_vector<double>();
  for (size_t i = 0; i < tx.size(); ++i) EXPECT_NEAR(tz[i], (tx[i] - m[i % 2]) / sc[i % 2], 1e-12);
  // inverse_transform undoes it.
  const std::vector<double> back = s.inverse_transform(s.transform(test.x)).to_vector<double>();
  for (size_t i = 0; i < tx.size(); ++i) EXPECT_NEAR(back[i], tx[i], 1e-9);
  EXPECT_THROW(s.transform(Tensor::from_vector(std::vector<double>{1, 2, 3}, {1, 3}, DType::float64)), ShapeError);
  EXPECT_THROW(Standardizer().transform(train.x), ValueError);
}

TEST(DataStandardizer, ConstantColumnBecomesZeroAndDtypeIsKept) {
  Tensor x = Tensor::from_vector(std::vector<float>{1, 5, 2, 5, 3, 5}, {3, 2});
  Standardizer s = Standardizer::fit(x);
  Tensor z = s.transform(x);
  EXPECT_EQ(z.dtype(), DType::float32);
  const std::vector<float> v = z.to_vector<float>();
  EXPECT_EQ(v[1], 0.0f);
  EXPECT_EQ(v[3], 0.0f);
  EXPECT_NEAR(v[0], -std::sqrt(1.5), 1e-6);
  EXPECT_EQ(s.scale().to_vector<double>()[1], 1.0);
}

}  // namespace
}  // namespace nabla
