// nabla's generator against PyTorch 1.13's CPU generator, bit for bit: the streams of
// tests/golden/random_golden.json (made by tests/golden/gen_random.py) replayed step by step,
// the engine against std::mt19937, and state() / set_state() round trips.
#include "nabla/tensor/random.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace nabla {
namespace {

using nlohmann::json;

// Read once, also while the parameterised tests are registered; a missing file gives no streams
// (and RandomGoldenFile.Loads fails) rather than a crash before main.
const json& golden() {
  static const json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/random_golden.json");
    return in ? json::parse(in) : json{{"streams", json::array()}};
  }();
  return doc;
}

DType dtype_from(const std::string& name) {
  if (name == "float32") return DType::float32;
  if (name == "float64") return DType::float64;
  return DType::int64;
}

std::string describe(const json& step) {
  std::string s = step["op"].get<std::string>() + " " + step["dtype"].get<std::string>();
  if (step.contains("shape")) s += " shape " + step["shape"].dump();
  if (step.contains("args")) s += " " + step["args"].dump();
  if (step.contains("view")) s += " view " + step["view"].dump();
  return s;
}

// The tensor an in-place step fills: fresh and contiguous, or a strided view of a fresh base
// (built by hand so that the test needs nothing beyond the tensor layer).
Tensor make_target(const json& step) {
  const DType dtype = dtype_from(step["dtype"]);
  const Shape shape(step["shape"].get<std::vector<int64_t>>());
  if (!step.contains("view")) return Tensor::empty(shape, dtype);
  const json& view = step["view"];
  Tensor base = Tensor::empty(Shape{view["base_numel"].get<int64_t>()}, dtype);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->dtype = dtype;
  impl->shape = shape;
  impl->strides = Shape(view["strides"].get<std::vector<int64_t>>());
  return Tensor(impl);
}

Tensor run_step(const json& step, Generator* gen) {
  const std::string op = step["op"];
  const json args = step.value("args", json::object());
  if (op == "rand" || op == "randn") {
    const Shape shape(step["shape"].get<std::vector<int64_t>>());
    const DType dtype = dtype_from(step["dtype"]);
    return op == "rand" ? rand(shape, dtype, gen) : randn(shape, dtype, gen);
  }
  if (op == "randint")
    return randint(args["low"].get<int64_t>(), args["high"].get<int64_t>(),
                   Shape(step["shape"].get<std::vector<int64_t>>()), gen);
  if (op == "randperm") return randperm(args["n"].get<int64_t>(), gen);
  if (op == "multinomial") {
    const json& probs = args["probs"];
    std::vector<double> values;
    Shape shape;
    if (probs[0].is_array()) {
      for (const json& row : probs)
        for (double v : row) values.push_back(v);
      shape = Shape{static_cast<int64_t>(probs.size()), static_cast<int64_t>(probs[0].size())};
    } else {
      for (double v : probs) values.push_back(v);
      shape = Shape{static_cast<int64_t>(probs.size())};
    }
    return multinomial(Tensor::from_vector(values, shape, dtype_from(step["dtype"])), args["num_samples"],
                       args["replacement"], gen);
  }
  Tensor t = make_target(step);
  if (op == "uniform_") return uniform_(t, args["low"], args["high"], gen);
  if (op == "normal_") return normal_(t, args["mean"], args["std"], gen);
  if (op == "bernoulli_") return bernoulli_(t, args["p"], gen);
  if (op == "exponential_") return exponential_(t, args["lambd"], gen);
  ADD_FAILURE() << "unknown op in golden file: " << op;
  return t;
}

// Values in logical (row-major) order, whatever the strides.
template <class T>
std::vector<T> logical_values(const Tensor& t) {
  std::vector<T> out;
  out.reserve(t.numel());
  const T* base = t.data<T>();
  std::vector<int64_t> index(t.dim(), 0);
  for (int64_t k = 0; k < t.numel(); ++k) {
    int64_t offset = 0;
    for (int d = 0; d < t.dim(); ++d) offset += index[d] * t.strides()[d];
    out.push_back(base[offset]);
    for (int d = t.dim() - 1; d >= 0; --d) {
      if (++index[d] < t.shape()[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

// FNV-1a over the little-endian bytes of the values, as gen_random.py computes it.
template <class T>
std::string fnv1a64(const std::vector<T>& values) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const T& v : values) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    for (unsigned char b : bytes) h = (h ^ b) * 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

template <class T>
auto bits(T v) {
  if constexpr (sizeof(T) == 4)
    return std::bit_cast<uint32_t>(v);
  else
    return std::bit_cast<uint64_t>(v);
}

// Exact comparison: same shape, and every value with the same bit pattern as torch's.
template <class T>
::testing::AssertionResult matches(const Tensor& t, const json& step) {
  std::vector<int64_t> shape = step.contains("shape") ? step["shape"].get<std::vector<int64_t>>()
                                                      : std::vector<int64_t>{step["args"]["n"].get<int64_t>()};
  if (t.shape() != Shape(shape))
    return ::testing::AssertionFailure() << "shape " << t.shape().to_string() << ", torch's is " << json(shape).dump();
  const std::vector<T> got = logical_values<T>(t);
  const json& expected = step.contains("values") ? step["values"] : step["head"];
  for (size_t i = 0; i < expected.size(); ++i) {
    const T want = static_cast<T>(expected[i].get<std::conditional_t<std::is_integral_v<T>, int64_t, double>>());
    if (bits(got[i]) != bits(want)) {
      std::ostringstream msg;
      msg.precision(17);
      msg << "element " << i << " is " << got[i] << ", torch's is " << want;
      return ::testing::AssertionFailure() << msg.str();
    }
  }
  if (step.contains("fnv1a64") && fnv1a64(got) != step["fnv1a64"].get<std::string>())
    return ::testing::AssertionFailure() << "the first " << expected.size() << " of " << got.size()
                                         << " values match but the hash of all differs (" << fnv1a64(got) << " vs "
                                         << step["fnv1a64"].get<std::string>() << ")";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult matches_step(const Tensor& t, const json& step) {
  auto result = dispatch_all(t.dtype(), [&]<class T>() {
    if constexpr (std::is_same_v<T, bool>)
      return ::testing::AssertionFailure() << "bool output";
    else
      return matches<T>(t, step);
  });
  if (!result) result << "\n  in step: " << describe(step);
  return result;
}

// Seeds the stream's generator as torch did: torch.manual_seed, or a torch.Generator.
Generator* start_stream(const json& stream, Generator& own) {
  const uint64_t seed = stream["seed"];
  if (stream["explicit_generator"].get<bool>()) {
    own.manual_seed(seed);
    return &own;
  }
  manual_seed(seed);
  return nullptr;
}

std::string stream_name(const json& stream) {
  return stream["name"].get<std::string>() + "_seed" + std::to_string(stream["seed"].get<uint64_t>());
}

// ---- golden streams ----

TEST(RandomGoldenFile, Loads) {
  ASSERT_GE(golden()["streams"].size(), 4u)
      << "tests/golden/random_golden.json is missing or empty; regenerate it with "
         "/usr/bin/python3 tests/golden/gen_random.py > tests/golden/random_golden.json";
}

class RandomGolden : public ::testing::TestWithParam<size_t> {
 protected:
  const json& stream() const { return golden()["streams"][GetParam()]; }
};

TEST_P(RandomGolden, MatchesTorchBitForBit) {
  Generator own;
  Generator* gen = start_stream(stream(), own);
  const json& steps = stream()["steps"];
  for (size_t i = 0; i < steps.size(); ++i)
    EXPECT_TRUE(matches_step(run_step(steps[i], gen), steps[i])) << "step " << i;
}

// From every step boundary: save the state, restore it into a different generator, and the
// next steps still give torch's values (so the state carries the cached normal too).
TEST_P(RandomGolden, StateRestoresStreamAtEveryStep) {
  Generator own;
  Generator* gen = start_stream(stream(), own);
  Generator& live = gen ? *gen : default_generator();
  const json& steps = stream()["steps"];
  std::vector<std::string> states;
  for (const json& step : steps) {
    states.push_back(live.state());
    run_step(step, gen);
  }
  for (size_t k = 0; k < steps.size(); ++k) {
    Generator restored(999);
    restored.set_state(states[k]);
    for (size_t i = k; i < std::min(steps.size(), k + 3); ++i)
      ASSERT_TRUE(matches_step(run_step(steps[i], &restored), steps[i]))
          << "state saved before step " << k << ", replaying step " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(RandomTorch, RandomGolden, ::testing::Range<size_t>(0, golden()["streams"].size()),
                         [](const auto& info) { return stream_name(golden()["streams"][info.param]); });

// ---- the engine ----

TEST(RandomEngine, DrawsAreStdMt19937SeededWithLow32Bits) {
  for (uint64_t seed : {0ull, 1ull, 5489ull, 0xffffffffull, (1ull << 32) + 7, 67280421310721ull}) {
    Generator g(seed);
    std::mt19937 ref(static_cast<uint32_t>(seed));
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(g.random(), ref()) << "seed " << seed << " draw " << i;
    // random64: the first draw is the high half.
    const uint64_t hi = ref(), lo = ref();
    EXPECT_EQ(g.random64(), (hi << 32) | lo);
    EXPECT_EQ(g.initial_seed(), seed);
  }
}

TEST(RandomEngine, DefaultSeedAndReseed) {
  Generator g;
  EXPECT_EQ(g.initial_seed(), 67280421310721ull);  // torch.Generator().initial_seed()
  const uint32_t first = g.random();
  g.random();
  g.manual_seed(67280421310721ull);
  EXPECT_EQ(g.random(), first);
  manual_seed(17);
  EXPECT_EQ(default_generator().initial_seed(), 17u);
}

TEST(RandomEngine, ReseedDropsCachedNormal) {
  // randn of 1 element leaves the sine half cached; manual_seed must forget it, as torch does.
  Generator a(11), b(11);
  randn({1}, DType::float64, &a);
  a.manual_seed(11);
  EXPECT_EQ(logical_values<double>(randn({3}, DType::float64, &a)),
            logical_values<double>(randn({3}, DType::float64, &b)));
}

// ---- state ----

TEST(RandomState, CopiesAndRestoredGeneratorsContinueIdentically) {
  Generator a(7);
  randn({5}, DType::float64, &a);  // odd count: a normal is cached
  ASSERT_EQ(a.state().find("normal none"), std::string::npos);
  Generator copy = a;
  Generator restored;
  restored.set_state(a.state());
  EXPECT_EQ(restored.initial_seed(), 7u);
  const auto want = logical_values<double>(randn({9}, DType::float64, &a));
  EXPECT_EQ(logical_values<double>(randn({9}, DType::float64, &copy)), want);
  EXPECT_EQ(logical_values<double>(randn({9}, DType::float64, &restored)), want);
  EXPECT_EQ(a.state(), restored.state());
}

TEST(RandomState, RejectsMalformedText) {
  Generator g(1);
  const std::string good = g.state();
  EXPECT_THROW(g.set_state("not a state"), ValueError);
  EXPECT_THROW(g.set_state(good.substr(0, good.size() / 2)), ValueError);
  std::string bad_left = good;
  bad_left.replace(bad_left.find("left 1"), 6, "left 0");
  EXPECT_THROW(g.set_state(bad_left), ValueError);
  EXPECT_EQ(g.state(), good);  // a failed set_state leaves the generator as it was
}

// ---- arguments ----

TEST(RandomArgs, BadArgumentsThrow) {
  Tensor f = Tensor::empty({4}, DType::float32);
  Tensor i = Tensor::empty({4}, DType::int64);
  EXPECT_THROW(rand({2}, DType::int64), DTypeError);
  EXPECT_THROW(randn({2}, DType::boolean), DTypeError);
  EXPECT_THROW(uniform_(i, 0, 1), DTypeError);
  EXPECT_THROW(uniform_(f, 1.0, 0.0), ValueError);
  EXPECT_THROW(normal_(f, 0.0, -1.0), ValueError);
  EXPECT_THROW(bernoulli_(f, 1.5), ValueError);
  EXPECT_THROW(randint(3, 3, {2}), ValueError);
  EXPECT_THROW(randperm(-1), ValueError);
  EXPECT_THROW(exponential_(f, 0.0), ValueError);
  Tensor p = Tensor::from_vector({0.5, 0.5}, {2});
  EXPECT_THROW(multinomial(p, 3, /*replacement=*/false), ValueError);
  EXPECT_THROW(multinomial(Tensor::from_vector({0.5, -0.5}, {2}), 1), ValueError);
  EXPECT_THROW(multinomial(Tensor::from_vector({0.0, 0.0}, {2}), 1), ValueError);
  EXPECT_THROW(multinomial(Tensor::from_vector({1.0}, {1, 1, 1}), 1), ShapeError);
  EXPECT_THROW(multinomial(p, 0), ValueError);
}

TEST(RandomArgs, EmptyAndIntegerTargets) {
  EXPECT_EQ(rand({0, 3}).numel(), 0);
  EXPECT_EQ(randperm(0).numel(), 0);
  // bernoulli_ fills integer tensors with 0 / 1 from the same draws as floating ones.
  Generator a(4), b(4);
  Tensor i = Tensor::empty({40}, DType::int64);
  Tensor d = Tensor::empty({40}, DType::float64);
  bernoulli_(i, 0.5, &a);
  bernoulli_(d, 0.5, &b);
  auto iv = logical_values<int64_t>(i);
  auto dv = logical_values<double>(d);
  for (size_t k = 0; k < iv.size(); ++k) EXPECT_EQ(static_cast<double>(iv[k]), dv[k]);
}

}  // namespace
}  // namespace nabla
