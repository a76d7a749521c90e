// nabla::dist's collectives against what one process computes from every rank's known input:
// each rank's tensor is a function of its rank, so every rank can compute the expected result.
#include <gtest/gtest.h>

#include <algorithm>

#include "nabla/distributed.h"
#include "nabla/error.h"

using namespace nabla;

namespace {

// Rank k's input: values small integers (exact in every dtype), so sums are order-independent.
std::vector<double> rank_values(int k, int64_t n) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = (k + 1) * 10.0 + static_cast<double>((i * 7 + k * 3) % 11) - 5.0;
  return v;
}

Tensor make(const std::vector<double>& v, DType dtype) {
  Tensor t = Tensor::from_vector(v, Shape{2, 3}, DType::float64);
  return t.to(dtype == DType::int64 ? DType::float64 : dtype).contiguous();
}

Tensor make_any(const std::vector<double>& v, DType dtype) {
  if (dtype != DType::int64) return make(v, dtype);
  std::vector<int64_t> iv(v.begin(), v.end());
  return Tensor::from_vector(iv, Shape{2, 3});
}

std::vector<double> as_doubles(const Tensor& t) {
  if (t.dtype() == DType::int64) {
    auto v = t.to_vector<int64_t>();
    return {v.begin(), v.end()};
  }
  if (t.dtype() == DType::float32) {
    auto v = t.to_vector<float>();
    return {v.begin(), v.end()};
  }
  return t.to_vector<double>();
}

class Collectives : public testing::TestWithParam<DType> {};

TEST_P(Collectives, AllReduceSumMeanMax) {
  const int n = dist::world_size(), me = dist::rank();
  std::vector<double> sum(6, 0.0), mx(6, -1e300);
  for (int k = 0; k < n; ++k) {
    const auto v = rank_values(k, 6);
    for (int i = 0; i < 6; ++i) {
      sum[i] += v[i];
      mx[i] = std::max(mx[i], v[i]);
    }
  }
  Tensor s = make_any(rank_values(me, 6), GetParam());
  dist::all_reduce(s, dist::ReduceOp::sum);
  EXPECT_EQ(as_doubles(s), sum);
  Tensor m = make_any(rank_values(me, 6), GetParam());
  dist::all_reduce(m, dist::ReduceOp::max);
  EXPECT_EQ(as_doubles(m), mx);
  Tensor a = make_any(rank_values(me, 6), GetParam());
  dist::all_reduce(a, dist::ReduceOp::mean);
  const auto got = as_doubles(a);
  for (int i = 0; i < 6; ++i) {
    const double expect =
        GetParam() == DType::int64 ? static_cast<double>(static_cast<int64_t>(sum[i]) / n) : sum[i] / n;
    EXPECT_NEAR(got[i], expect, GetParam() == DType::float32 ? 1e-4 : 0.0) << i;
  }
}

TEST_P(Collectives, BroadcastFromLastRank) {
  const int n = dist::world_size(), me = dist::rank();
  Tensor t = make_any(rank_values(me, 6), GetParam());
  dist::broadcast(t, n - 1);
  EXPECT_EQ(as_doubles(t), as_doubles(make_any(rank_values(n - 1, 6), GetParam())));
}

TEST_P(Collectives, AllGatherStacksRanksInOrder) {
  const int n = dist::world_size(), me = dist::rank();
  Tensor g = dist::all_gather(make_any(rank_values(me, 6), GetParam()));
  ASSERT_EQ(g.shape(), (Shape{n, 2, 3}));
  for (int k = 0; k < n; ++k)
    EXPECT_EQ(as_doubles(g.select(0, k).contiguous()), as_doubles(make_any(rank_values(k, 6), GetParam()))) << k;
}

INSTANTIATE_TEST_SUITE_P(Dtypes, Collectives, testing::Values(DType::float32, DType::float64, DType::int64));

TEST(Collectives, MismatchedShapesAreNamed) {
  const int n = dist::world_size(), me = dist::rank();
  if (n < 2) GTEST_SKIP() << "needs 2 ranks";
  Tensor t = Tensor::from_vector(std::vector<double>(me == 1 ? 4 : 6, 1.0), Shape{me == 1 ? 4 : 6});
  try {
    dist::all_reduce(t);
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[4]"), std::string::npos) << e.what();
  }
}

TEST(Collectives, RefusesOtherDtypes) {
  Tensor t = Tensor::empty(Shape{2}, DType::int32);
  EXPECT_THROW(dist::broadcast(t), DTypeError);
}

}  // namespace
