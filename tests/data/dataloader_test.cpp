// Tests for nabla/data/dataloader.h: coverage of every row once per epoch, drop_last, batch
// shapes, determinism, and the same batches and generator state as torch's DataLoader
// (tests/golden/data_torch.json).
#include "nabla/data/dataloader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nabla/data/synthetic.h"

namespace nabla {
namespace {

// x row i = (i, 10 i), y = i mod 2 (binary) or i mod 3 (multi-class).
Dataset indexed(int64_t n, bool multiclass = false) {
  std::vector<double> x, yf;
  std::vector<int64_t> yi;
  for (int64_t i = 0; i < n; ++i) {
    x.push_back(double(i));
    x.push_back(10.0 * double(i));
    yf.push_back(double(i % 2));
    yi.push_back(i % 3);
  }
  Dataset d;
  d.x = Tensor::from_vector(x, {n, 2}, DType::float32);
  if (multiclass) {
    d.y = Tensor::from_vector(yi, {n});
    d.num_classes = 3;
  } else {
    d.y = Tensor::from_vector(yf, {n, 1}, DType::float32);
    d.num_classes = 2;
  }
  return d;
}

// The row numbers of one epoch's batches, checking that x, y and index agree.
std::vector<std::vector<int64_t>> epoch(DataLoader& loader) {
  std::vector<std::vector<int64_t>> out;
  for (const Batch& b : loader) {
    std::vector<int64_t> rows;
    const std::vector<float> x = b.x.to_vector<float>();
    const int64_t bs = b.x.size(0);
    EXPECT_EQ(b.x.shape(), (Shape{bs, 2}));
    EXPECT_EQ(int64_t(b.index.size()), bs);
    for (int64_t k = 0; k < bs; ++k) {
      const int64_t i = int64_t(x[2 * k]);
      EXPECT_EQ(x[2 * k + 1], 10.0f * float(i));
      EXPECT_EQ(b.index[k], i);
      rows.push_back(i);
    }
    if (b.y.dtype() == DType::int64) {
      EXPECT_EQ(b.y.shape(), (Shape{bs}));
      const std::vector<int64_t> y = b.y.to_vector<int64_t>();
      for (int64_t k = 0; k < bs; ++k) EXPECT_EQ(y[k], rows[k] % 3);
    } else {
      EXPECT_EQ(b.y.shape(), (Shape{bs, 1}));
      const std::vector<float> y = b.y.to_vector<float>();
      for (int64_t k = 0; k < bs; ++k) EXPECT_EQ(y[k], float(rows[k] % 2));
    }
    out.push_back(std::move(rows));
  }
  return out;
}

std::vector<int64_t> flat(const std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> out;
  for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(DataLoaderTest, EveryRowExactlyOncePerEpoch) {
  for (int64_t n : {1, 7, 32, 33, 100}) {
    for (int64_t bs : {1, 4, 32, 200}) {
      SCOPED_TRACE(std::to_string(n) + " rows, batch " + std::to_string(bs));
      DataLoader loader(indexed(n), {.batch_size = bs, .shuffle = true, .seed = 1});
      EXPECT_EQ(loader.size(), (n + bs - 1) / bs);
      for (int e = 0; e < 3; ++e) {
        const auto batches = epoch(loader);
        EXPECT_EQ(int64_t(batches.size()), loader.size());
        for (size_t b = 0; b + 1 < batches.size(); ++b) EXPECT_EQ(int64_t(batches[b].size()), bs);
        std::vector<int64_t> rows = flat(batches);
        std::sort(rows.begin(), rows.end());
        ASSERT_EQ(int64_t(rows.size()), n);
        for (int64_t i = 0; i < n; ++i) EXPECT_EQ(rows[i], i);
      }
      EXPECT_EQ(loader.epochs_started(), 3);
    }
  }
}

TEST(DataLoaderTest, DropLastSkipsTheShortBatch) {
  DataLoader loader(indexed(10), {.batch_size = 4, .shuffle = true, .drop_last = true, .seed = 0});
  EXPECT_EQ(loader.size(), 2);
  const auto batches = epoch(loader);
  ASSERT_EQ(batches.size(), 2u);
  for (const auto& b : batches) EXPECT_EQ(b.size(), 4u);
  std::vector<int64_t> rows = flat(batches);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(std::unique(rows.begin(), rows.end()), rows.end());  // no row twice
  DataLoader exact(indexed(8), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(epoch(exact).size(), 2u);
  DataLoader none(indexed(3), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(none.size(), 0);
  EXPECT_TRUE(epoch(none).empty());
}

TEST(DataLoaderTest, SequentialWithoutShuffle) {
  DataLoader loader(indexed(10, true), {.batch_size = 4});
  const auto batches = epoch(loader);
  EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
  EXPECT_EQ(epoch(loader), batches);
}

// A batch size past every row count is one full batch; (n + bs - 1) / bs and begin + bs
// overflowed near 2^63 (no batch at all, or a read past the order).
TEST(DataLoaderTest, HugeBatchSizeIsOneBatch) {
  for (int64_t bs : {int64_t(1) << 62, std::numeric_limits<int64_t>::max()}) {
    DataLoader loader(indexed(10, true), {.batch_size = bs});
    EXPECT_EQ(loader.size(), 1);
    EXPECT_EQ(epoch(loader), (std::vector<std::vector<int64_t>>{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}));
  }
}

TEST(DataLoaderTest, ShuffleIsSeededAndChangesEachEpoch) {
  DataLoader a(indexed(50), {.batch_size = 8, .shuffle = true, .seed = 42});
  DataLoader b(indexed(50), {.batch_size = 8, .shuffle = true, .seed = 42});
  DataLoader c(indexed(50), {.batch_size = 8, .shuffle = true, .seed = 43});
  const auto a1 = epoch(a), a2 = epoch(a);
  EXPECT_NE(flat(a1), flat(a2));
  EXPECT_EQ(epoch(b), a1);
  EXPECT_EQ(epoch(b), a2);
  EXPECT_NE(epoch(c), a1);
  // A caller-owned generator behaves like the seed.
  Generator g(42);
  DataLoader d(indexed(50), {.batch_size = 8, .shuffle = true, .generator = &g});
  EXPECT_EQ(epoch(d), a1);
}

TEST(DataLoaderTest, MatchesTorchDataLoaderBatchesAndGeneratorState) {
  std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/data_torch.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto golden = nlohmann::json::parse(ss.str());
  for (const auto& c : golden["loaders"]) {
    SCOPED_TRACE(c.dump().substr(0, 120));
    const int64_t n = c["n"];
    const uint64_t seed = c["seed"];
    std::optional<Generator> g;
    DataLoaderOptions o{.batch_size = c["batch_size"], .shuffle = c["shuffle"], .drop_last = c["drop_last"]};
    if (c["generator"].get<bool>()) {
      o.generator = &g.emplace(seed);
    } else {
      manual_seed(seed);
    }
    DataLoader loader(indexed(n), o);
    for (const auto& want : c["epochs"]) EXPECT_EQ(epoch(loader), want.get<std::vector<std::vector<int64_t>>>());
    // The generator has moved exactly as far as torch's.
    Generator* after = g ? &*g : &default_generator();
    EXPECT_EQ(randperm(5, after).to_vector<int64_t>(), c["randperm5_after"].get<std::vector<int64_t>>());
  }
}

TEST(DataLoaderTest, WorksWithSyntheticDatasets) {
  Dataset d = make_spirals({.n = 90, .noise = 0.1, .seed = 0}, 3);
  DataLoader loader(d, {.batch_size = 16, .shuffle = true, .seed = 0});
  int64_t rows = 0;
  for (const Batch& b : loader) {
    EXPECT_EQ(b.y.dtype(), DType::int64);
    EXPECT_EQ(b.y.dim(), 1);
    EXPECT_EQ(b.x.size(1), 2);
    rows += b.x.size(0);
  }
  EXPECT_EQ(rows, 90);
}

TEST(DataLoaderTest, RejectsBadOptions) {
  Generator g(0);
  EXPECT_THROW(DataLoader(indexed(4), {.batch_size = 0}), ValueError);
  EXPECT_THROW(DataLoader(indexed(4), {.seed = 1, .generator = &g}), ValueError);
  EXPECT_THROW(DataLoader(indexed(0), {}), ValueError);
  Dataset bad = indexed(4);
  bad.y = Tensor::from_vector(std::vector<double>{0, 1}, {2, 1}, DType::float32);
  EXPECT_THROW(DataLoader(bad, {}), ShapeError);
}

}  // namespace
}  // namespace nabla
