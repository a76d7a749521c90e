// nabla::numpy::RandomState against numpy 1.24.2's legacy RandomState, bit for bit:
// tests/golden/numpy_legacy_golden.json (made by tests/golden/gen_numpy_legacy.py). For six seeds,
// one stream of raw draws, rand / randn in odd and even counts interleaved (the Gaussian cache),
// randint over ranges from 1 to 2^62 (sized and scalar), each followed by the MT state; then
// permutation(n) for every n in 1..1000, shuffle of values and of rows, and np.random.seed(42)
// followed by the global functions.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nabla/data/numpy_random.h"
#include "nabla/error.h"

namespace nabla::numpy {
namespace {

using nlohmann::json;

const json& golden() {
  static const json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/numpy_legacy_golden.json");
    return in ? json::parse(in) : json{{"cases", json::array()}};
  }();
  return doc;
}

struct Fnv {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  template <class T>
  Fnv& add(const std::vector<T>& values) {  // little-endian bytes, as struct.pack("<...")
    for (const T& v : values) {
      unsigned char bytes[sizeof(T)];
      std::memcpy(bytes, &v, sizeof(T));
      for (unsigned char b : bytes) h = (h ^ b) * 0x100000001B3ULL;
    }
    return *this;
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

template <class T>
bool same(T a, T b) {
  if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
  else
    return a == b;
}

// Every stored value exactly (head, then every stride-th, which finds a first difference) and
// the hash of the whole run.
template <class T>
void expect_run(const std::vector<T>& got, const json& want) {
  ASSERT_EQ(got.size(), want["n"].get<size_t>());
  const std::vector<T> head = want["head"], every = want["every"];
  for (size_t i = 0; i < head.size(); ++i)
    ASSERT_TRUE(same(got[i], head[i])) << "value " << i << ": " << got[i] << " vs numpy " << head[i];
  const size_t stride = golden()["stride"];
  for (size_t k = 0; k < every.size(); ++k)
    ASSERT_TRUE(same(got[k * stride], every[k]))
        << "value " << k * stride << ": " << got[k * stride] << " vs numpy " << every[k];
  EXPECT_EQ(Fnv().add(got).hex(), want["fnv1a"].get<std::string>());
}

void expect_state(const RandomState& rs, const json& want) {
  const std::vector<std::uint32_t> key(rs.key().begin(), rs.key().end());
  EXPECT_EQ(key[0], want["key0"].get<std::uint32_t>());
  EXPECT_EQ(Fnv().add(key).hex(), want["key_fnv1a"].get<std::string>()) << "the 624 key words";
  EXPECT_EQ(rs.pos(), want["pos"].get<int>());
  EXPECT_EQ(rs.has_gauss(), want["has_gauss"].get<int>() != 0);
  EXPECT_TRUE(same(rs.cached_gauss(), want["gauss"].get<double>())) << rs.cached_gauss() << " vs " << want["gauss"];
}

TEST(NumpyLegacyGoldenFile, Loads) {
  ASSERT_GE(golden()["cases"].size(), 6u)
      << "tests/golden/numpy_legacy_golden.json is missing or empty; regenerate it with "
         "/usr/bin/python3 tests/golden/gen_numpy_legacy.py > tests/golden/numpy_legacy_golden.json";
}

TEST(NumpyRandomState, StreamsMatchNumpy) {
  for (const json& c : golden()["cases"]) {
    const std::uint32_t seed = c["seed"];
    SCOPED_TRACE("RandomState(" + std::to_string(seed) + ")");
    RandomState rs(seed);
    expect_state(rs, c["fresh"]);
    int index = 0;
    for (const json& step : c["steps"]) {
      const std::string call = step["call"];
      SCOPED_TRACE("call " + std::to_string(index++) + ": " + call + " " + step.value("arg", json()).dump());
      if (call == "raw") {
        std::vector<std::uint32_t> raw(step["arg"].get<size_t>());
        for (auto& v : raw) v = rs.random_uint32();
        expect_run(raw, step);
      } else if (call == "rand") {
        expect_run(rs.rand(step["arg"].get<size_t>()), step);
      } else if (call == "randn") {
        expect_run(rs.randn(step["arg"].get<size_t>()), step);
      } else if (call == "randint") {
        expect_run(
            rs.randint(step["arg"][0].get<std::int64_t>(), step["arg"][1].get<std::int64_t>(), step["n"].get<size_t>()),
            step);
      } else {
        ASSERT_EQ(call, "randint_scalar");
        EXPECT_EQ(rs.randint(step["arg"][0].get<std::int64_t>(), step["arg"][1].get<std::int64_t>()),
                  step["value"].get<std::int64_t>());
      }
      expect_state(rs, step["state"]);
      if (HasFatalFailure() || HasFailure()) return;
    }
  }
}

TEST(NumpyRandomState, PermutationsOfEverySizeUpTo1000) {
  ASSERT_FALSE(golden()["permutations"].empty());
  for (const json& c : golden()["permutations"]) {
    const std::uint32_t seed = c["seed"];
    SCOPED_TRACE("RandomState(" + std::to_string(seed) + ")");
    RandomState rs(seed);
    Fnv fnv;
    size_t checkpoint = 0;
    for (std::int64_t n = 1; n <= 1000; ++n) {
      const std::vector<std::int64_t> p = rs.permutation(n);
      fnv.add(p);
      const std::string key = std::to_string(n);
      if (c["full"].contains(key))
        EXPECT_EQ(p, c["full"][key].get<std::vector<std::int64_t>>()) << "permutation(" << n << ")";
      if (checkpoint < c["checkpoints"].size() && c["checkpoints"][checkpoint]["n"] == n) {
        ASSERT_EQ(fnv.hex(), c["checkpoints"][checkpoint]["fnv1a"].get<std::string>())
            << "permutations up to n = " << n << " (a hash of all of them)";
        ++checkpoint;
      }
    }
    EXPECT_EQ(checkpoint, c["checkpoints"].size());
    expect_state(rs, c["state"]);
  }
}

TEST(NumpyRandomState, ShuffleValuesAndRows) {
  const json& g = golden()["shuffles"];
  ASSERT_FALSE(g.is_null());
  RandomState rs(g["seed"].get<std::uint32_t>());
  std::vector<std::int64_t> a(20);
  for (std::int64_t i = 0; i < 20; ++i) a[i] = i * 3 - 11;
  rs.shuffle(a);
  EXPECT_EQ(a, g["shuffle"].get<std::vector<std::int64_t>>());
  std::vector<double> m(30);
  for (int i = 0; i < 30; ++i) m[i] = i * 0.5;
  rs.shuffle_rows(m, 3);
  EXPECT_EQ(m, g["shuffle_rows"].get<std::vector<double>>());
  expect_state(rs, g["state"]);

  // np.random.seed(42); np.random.rand(3); randn(3); randint(0, 100, size=5); permutation(10)
  RandomState global(g["global_seed"].get<std::uint32_t>());
  const json& w = g["global"];
  EXPECT_EQ(global.rand(3), w["rand"].get<std::vector<double>>());
  EXPECT_EQ(global.randn(3), w["randn"].get<std::vector<double>>());
  EXPECT_EQ(global.randint(0, 100, 5), w["randint"].get<std::vector<std::int64_t>>());
  EXPECT_EQ(global.permutation(10), w["permutation"].get<std::vector<std::int64_t>>());
}

TEST(NumpyRandomState, SeedResetsStateAndGaussianCache) {
  RandomState a(5), b(99);
  b.randn(1);  // leaves a cached Gaussian
  ASSERT_TRUE(b.has_gauss());
  b.seed(5);
  EXPECT_FALSE(b.has_gauss());
  EXPECT_EQ(a.randn(9), b.randn(9));
  EXPECT_EQ(a.key(), b.key());
}

TEST(NumpyRandomState, BadArgumentsThrow) {
  RandomState rs(0);
  EXPECT_THROW(rs.randint(3, 3), ValueError);
  EXPECT_THROW(rs.randint(5, 2, 4), ValueError);
  EXPECT_THROW(rs.permutation(-1), ValueError);
  std::vector<double> v(7);
  EXPECT_THROW(rs.shuffle_rows(v, 3), ValueError);
  EXPECT_THROW(rs.shuffle_rows(v, 0), ValueError);
}

}  // namespace
}  // namespace nabla::numpy
