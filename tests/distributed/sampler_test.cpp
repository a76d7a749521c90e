// dist::DistributedSampler against torch 1.13's DistributedSampler (tests/golden/
// distributed_sampler.json, from tests/golden/gen_distributed_sampler.py), and the sampler of
// this world: its ranks' shards together cover the data set once per epoch.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "nabla/distributed.h"
#include "nabla/error.h"

using namespace nabla;

TEST(DistributedSampler, MatchesTorch) {
  std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/distributed_sampler.json");
  ASSERT_TRUE(in) << "tests/golden/distributed_sampler.json";
  const nlohmann::json golden = nlohmann::json::parse(in);
  ASSERT_GT(golden["cases"].size(), 10u);
  for (const auto& c : golden["cases"]) {
    const int replicas = c["replicas"];
    for (int r = 0; r < replicas; ++r) {
      dist::DistributedSamplerOptions o;
      o.shuffle = c["shuffle"];
      o.drop_last = c["drop_last"];
      o.seed = c["seed"];
      o.num_replicas = replicas;
      o.rank = r;
      dist::DistributedSampler s(c["size"].get<int64_t>(), o);
      s.set_epoch(c["epoch"].get<int64_t>());
      EXPECT_EQ(s.num_samples(), c["num_samples"].get<int64_t>()) << c.dump();
      EXPECT_EQ(s.indices(), c["indices"][r].get<std::vector<int64_t>>()) << "rank " << r << " of " << c.dump();
    }
  }
}

TEST(DistributedSampler, ShardsOfThisWorldCoverTheDataOnce) {
  const int64_t size = 17;
  dist::DistributedSampler s(size, {.seed = 5});
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    s.set_epoch(epoch);
    const std::vector<int64_t> mine = s.indices();
    ASSERT_EQ(static_cast<int64_t>(mine.size()), s.num_samples());
    Tensor t = Tensor::from_vector(mine, Shape{static_cast<int64_t>(mine.size())});
    Tensor all = dist::all_gather(t);
    const std::vector<int64_t> flat = all.to_vector<int64_t>();
    EXPECT_EQ(static_cast<int64_t>(flat.size()), s.total_size());
    EXPECT_EQ(std::set<int64_t>(flat.begin(), flat.end()).size(), static_cast<size_t>(size));
  }
}

TEST(DistributedSampler, RejectsABadRank) {
  EXPECT_THROW(dist::DistributedSampler(10, {.num_replicas = 2, .rank = 2}), ValueError);
  EXPECT_THROW(dist::DistributedSampler(10, {.num_replicas = 0, .rank = 0}), ValueError);
}
