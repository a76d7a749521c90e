// nabla::compile: a captured and replayed training step is bit-identical to the eager step
// (losses, parameters, gradients, optimizer state), allocates nothing once recorded, and refuses
// what it cannot replay with a CaptureError naming the operation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "nabla/nabla.h"
#include "nn/nn_test_util.h"

// Every operator new in this test binary is counted, so a test can assert that a stretch of code
// made no heap allocation.
namespace {
std::atomic<int64_t> g_news{0};
}
void* operator new(size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them and frees with plain
// delete): every form here must come from the same malloc that the deletes below free into.
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  g_news.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t& tag) noexcept { return operator new(n, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace nabla {
namespace {
using testing::same_bits;

std::shared_ptr<nn::Linear> linear(int64_t in, int64_t out, DType dtype) {
  return std::make_shared<nn::Linear>(nn::LinearOptions(in, out).dtype(dtype));
}

// Same seed, same architecture: two bit-identical models.
std::shared_ptr<nn::Sequential> mlp(const std::vector<int64_t>& widths, DType dtype, bool relu, uint64_t seed) {
  manual_seed(seed);
  std::vector<std::shared_ptr<nn::Module>> layers;
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    layers.push_back(linear(widths[i], widths[i + 1], dtype));
    if (i + 2 < widths.size()) {
      if (relu)
        layers.push_back(std::make_shared<nn::ReLU>());
      else
        layers.push_back(std::make_shared<nn::Sigmoid>());
    }
  }
  return std::make_shared<nn::Sequential>(layers);
}

void expect_same_parameters(const nn::Module& a, const nn::Module& b, const std::string& when) {
  auto pa = a.named_parameters(), pb = b.named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(same_bits(pa[i].second, pb[i].second)) << pa[i].first << " differs " << when;
    ASSERT_TRUE(pa[i].second.grad().defined() == pb[i].second.grad().defined()) << pa[i].first << " " << when;
    if (pa[i].second.grad().defined())
      EXPECT_TRUE(same_bits(pa[i].second.grad(), pb[i].second.grad())) << pa[i].first << ".grad differs " << when;
  }
}

// The step every test runs, eagerly and compiled: zero_grad, forward, loss, backward, [clip,] step.
enum class Loss { mse, bce_logits, cross_entropy };
Tensor training_step(nn::Module& net, optim::Optimizer& opt, const Tensor& x, const Tensor& y, Loss kind,
                     double clip = 0) {
  opt.zero_grad();
  const Tensor out = net.forward(x);
  Tensor loss = kind == Loss::mse          ? nn::functional::mse_loss(out, y)
                : kind == Loss::bce_logits ? nn::functional::binary_cross_entropy_with_logits(out, y)
                                           : nn::functional::cross_entropy(out, y);
  loss.backward();
  if (clip > 0) optim::clip_grad_norm_(net.parameters(), clip);
  opt.step();
  return loss;
}

TEST(Compile, XorSigmoidNetSgdIsBitIdenticalToEager) {
  const Dataset d = make_xor({.dtype = DType::float64});
  auto eager_net = mlp({2, 2, 1}, DType::float64, false, 0);
  auto compiled_net = mlp({2, 2, 1}, DType::float64, false, 0);
  optim::SGD eager_opt(eager_net->parameters(), optim::SGDOptions(0.5));
  optim::SGD compiled_opt(compiled_net->parameters(), optim::SGDOptions(0.5));
  auto step = [](nn::Module& net, optim::Optimizer& opt, const Tensor& x, const Tensor& y) {
    return training_step(net, opt, x, y, Loss::mse);
  };
  auto train_step = compile([&](const Tensor& x, const Tensor& y) { return step(*compiled_net, compiled_opt, x, y); });
  for (int i = 0; i < 300; ++i) {
    const Tensor expected = step(*eager_net, eager_opt, d.x, d.y);
    const Tensor got = train_step(d.x, d.y);
    ASSERT_TRUE(same_bits(expected.detach(), got))
        << "loss at step " << i << ": " << expected.item() << " vs " << got.item();
  }
  expect_same_parameters(*eager_net, *compiled_net, "after 300 steps");
  const CompiledStep::Stats stats = train_step.stats();
  EXPECT_EQ(stats.eager_calls, 1);
  EXPECT_EQ(stats.captures, 1);
  EXPECT_EQ(stats.replays, 298);
  EXPECT_GT(stats.kernels, 10u);
}

// Batches that change every call, Adam's step count and bias correction, and a scheduler that
// changes the learning rate between calls.
TEST(Compile, MoonsReluAdamWithSchedulerOverChangingBatchesIsBitIdentical) {
  const Dataset d = make_moons({.n = 256, .noise = 0.1, .dtype = DType::float32, .seed = 3});
  std::vector<Tensor> xs, ys;
  for (int64_t s = 0; s + 32 <= d.size(); s += 32) {
    xs.push_back(d.x.slice(0, s, s + 32));  // views into the dataset: copied into the recording
    ys.push_back(d.y.slice(0, s, s + 32));
  }
  auto eager_net = mlp({2, 16, 16, 1}, DType::float32, true, 7);
  auto compiled_net = mlp({2, 16, 16, 1}, DType::float32, true, 7);
  optim::Adam eager_opt(eager_net->parameters(), optim::AdamOptions(0.01).weight_decay(1e-3));
  optim::Adam compiled_opt(compiled_net->parameters(), optim::AdamOptions(0.01).weight_decay(1e-3));
  optim::StepLR eager_sched(eager_opt, 3, 0.5), compiled_sched(compiled_opt, 3, 0.5);
  auto step = [](nn::Module& net, optim::Optimizer& opt, const Tensor& x, const Tensor& y) {
    return training_step(net, opt, x, y, Loss::bce_logits);
  };
  auto train_step = compile([&](const Tensor& x, const Tensor& y) { return step(*compiled_net, compiled_opt, x, y); });
  for (int epoch = 0; epoch < 8; ++epoch) {
    for (size_t b = 0; b < xs.size(); ++b) {
      const double expected = step(*eager_net, eager_opt, xs[b], ys[b]).item();
      const double got = train_step(xs[b], ys[b]).item();
      ASSERT_EQ(expected, got) << "epoch " << epoch << " batch " << b;
    }
    eager_sched.step();
    compiled_sched.step();
  }
  expect_same_parameters(*eager_net, *compiled_net, "after 8 epochs");
  EXPECT_EQ(train_step.stats().replays, 8 * int64_t(xs.size()) - 2);
}

// Cross-entropy over class indices (read by a kernel, so each batch's own labels count), SGD with
// momentum and clipping; a smaller last batch gets its own recording.
TEST(Compile, CrossEntropyMomentumClippingAndASmallerLastBatch) {
  const Dataset d = make_blobs({.n = 100, .noise = 1.0, .dtype = DType::float64, .seed = 5}, 3, 2);
  ASSERT_EQ(d.y.dtype(), DType::int64);
  std::vector<Tensor> xs, ys;
  for (int64_t s = 0; s < d.size(); s += 32) {
    const int64_t e = std::min<int64_t>(s + 32, d.size());
    xs.push_back(d.x.slice(0, s, e).clone());
    ys.push_back(d.y.slice(0, s, e).clone());
  }
  auto eager_net = mlp({2, 8, 3}, DType::float64, true, 11);
  auto compiled_net = mlp({2, 8, 3}, DType::float64, true, 11);
  optim::SGD eager_opt(eager_net->parameters(), optim::SGDOptions(0.2).momentum(0.9));
  optim::SGD compiled_opt(compiled_net->parameters(), optim::SGDOptions(0.2).momentum(0.9));
  auto step = [](nn::Module& net, optim::Optimizer& opt, const Tensor& x, const Tensor& y) {
    return training_step(net, opt, x, y, Loss::cross_entropy, 0.5);
  };
  auto train_step = compile([&](const Tensor& x, const Tensor& y) { return step(*compiled_net, compiled_opt, x, y); });
  for (int epoch = 0; epoch < 6; ++epoch)
    for (size_t b = 0; b < xs.size(); ++b)
      ASSERT_EQ(step(*eager_net, eager_opt, xs[b], ys[b]).item(), train_step(xs[b], ys[b]).item())
          << "epoch " << epoch << " batch " << b;
  expect_same_parameters(*eager_net, *compiled_net, "after 6 epochs");
  EXPECT_EQ(train_step.stats().captures, 2);  // batches of 32 and the last one of 4
}

// BatchNorm in training mode: running statistics and the batch counter advance on every replay.
TEST(Compile, BatchNormRunningStatisticsAdvanceOnReplay) {
  auto make = [] {
    manual_seed(2);
    return std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        linear(2, 6, DType::float32), std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(6)),
        std::make_shared<nn::ReLU>(), linear(6, 1, DType::float32)});
  };
  auto eager_net = make(), compiled_net = make();
  optim::AdamW eager_opt(eager_net->parameters(), optim::AdamWOptions(0.01));
  optim::AdamW compiled_opt(compiled_net->parameters(), optim::AdamWOptions(0.01));
  const Dataset d = make_moons({.n = 64, .noise = 0.1, .dtype = DType::float32, .seed = 1});
  auto step = [](nn::Module& net, optim::Optimizer& opt, const Tensor& x, const Tensor& y) {
    return training_step(net, opt, x, y, Loss::bce_logits);
  };
  auto train_step = compile([&](const Tensor& x, const Tensor& y) { return step(*compiled_net, compiled_opt, x, y); });
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(step(*eager_net, eager_opt, d.x, d.y).item(), train_step(d.x, d.y).item()) << i;
  expect_same_parameters(*eager_net, *compiled_net, "after 20 steps");
  auto be = std::dynamic_pointer_cast<nn::BatchNorm1d>(eager_net->children()[1]);
  auto bc = std::dynamic_pointer_cast<nn::BatchNorm1d>(compiled_net->children()[1]);
  ASSERT_TRUE(be && bc);
  EXPECT_TRUE(same_bits(be->running_mean, bc->running_mean));
  EXPECT_TRUE(same_bits(be->running_var, bc->running_var));
  EXPECT_EQ(bc->num_batches_tracked.item(), 20.0);
}

TEST(Compile, AReplayedStepMakesNoHeapAllocation) {
  const Dataset d = make_moons({.n = 32, .noise = 0.1, .dtype = DType::float32, .seed = 4});
  auto net = mlp({2, 16, 16, 1}, DType::float32, true, 3);
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  auto train_step =
      compile([&](const Tensor& x, const Tensor& y) { return training_step(*net, opt, x, y, Loss::bce_logits); });
  for (int i = 0; i < 3; ++i) train_step(d.x, d.y);  // warm-up, record, first replay
  const AllocatorStats before = allocator_stats();
  const int64_t news_before = g_news.load();
  for (int i = 0; i < 100; ++i) train_step(d.x, d.y);
  const int64_t news = g_news.load() - news_before;
  const AllocatorStats after = allocator_stats();
  EXPECT_EQ(news, 0) << "operator new calls in 100 replayed steps";
  EXPECT_EQ(after.system_allocations, before.system_allocations);
  EXPECT_EQ(after.cache_hits, before.cache_hits) << "tensor buffers taken in 100 replayed steps";
  EXPECT_EQ(train_step.stats().replays, 101);
}

// A replay binds each parameter's .grad once, to its last binding in the step (one kernel for
// all of them): afterwards every .grad is what the eager step leaves — the buffer of this step's
// gradient, or none for a parameter the loss does not reach — whatever the caller did to .grad
// between calls.
TEST(Compile, GradBindingsAfterAReplayAreTheEagerOnes) {
  const Dataset d = make_moons({.n = 32, .noise = 0.1, .dtype = DType::float32, .seed = 5});
  auto make = [] {
    manual_seed(9);
    return std::make_pair(mlp({2, 8, 1}, DType::float32, true, 9), linear(2, 3, DType::float32));
  };
  auto [eager_net, eager_unused] = make();
  auto [compiled_net, compiled_unused] = make();
  auto params = [](nn::Module& net, nn::Linear& unused) {
    std::vector<Tensor> p = net.parameters();
    p.push_back(unused.weight);
    p.push_back(unused.bias);
    return p;
  };
  optim::SGD eager_opt(params(*eager_net, *eager_unused), optim::SGDOptions(0.1));
  optim::SGD compiled_opt(params(*compiled_net, *compiled_unused), optim::SGDOptions(0.1));
  auto train_step = compile([&](const Tensor& x, const Tensor& y) {
    return training_step(*compiled_net, compiled_opt, x, y, Loss::bce_logits);
  });
  for (int i = 0; i < 6; ++i) {
    training_step(*eager_net, eager_opt, d.x, d.y, Loss::bce_logits);
    train_step(d.x, d.y);
    expect_same_parameters(*eager_net, *compiled_net, "after step " + std::to_string(i));
    EXPECT_FALSE(compiled_unused->weight.grad().defined()) << "step " << i;
    EXPECT_FALSE(compiled_unused->bias.grad().defined()) << "step " << i;
    // What a caller may do between steps: drop a gradient, or give the unused layer one.
    compiled_net->parameters()[0].zero_grad();
    compiled_unused->weight.set_grad(ones({3, 2}, DType::float32));
  }
  EXPECT_EQ(train_step.stats().replays, 4);
}

TEST(Compile, DropoutInTrainingModeIsRefusedByName) {
  manual_seed(0);
  auto net = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
      linear(2, 4, DType::float32), std::make_shared<nn::Dropout>(0.5), linear(4, 1, DType::float32)});
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1));
  auto train_step =
      compile([&](const Tensor& x, const Tensor& y) { return training_step(*net, opt, x, y, Loss::mse); });
  const Tensor x = ones({4, 2}), y = zeros({4, 1});
  train_step(x, y);  // the warm-up is eager: fine
  try {
    train_step(x, y);
    FAIL() << "recording a step with dropout should throw";
  } catch (const CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("bernoulli_"), std::string::npos) << e.what();
  }
  net->eval();  // without dropout the same function records and replays
  train_step(x, y);
  train_step(x, y);
  EXPECT_EQ(train_step.stats().replays, 1);
}

TEST(Compile, AnomalyModeRunsEagerlyAndInputsMustNotRequireGrad) {
  Tensor w = ones({2, 1}, DType::float64).requires_grad_();
  auto f = compile([&](const Tensor& x) {
    Tensor loss = sum(matmul(x, w));
    loss.backward();
    return loss;
  });
  {
    DetectAnomalyGuard anomaly;
    for (int i = 0; i < 3; ++i) f(ones({3, 2}, DType::float64));
  }
  EXPECT_EQ(f.stats().eager_calls, 3);
  EXPECT_EQ(f.stats().captures, 0);
  Tensor needs_grad = ones({3, 2}, DType::float64).requires_grad_();
  EXPECT_THROW(f(needs_grad), CaptureError);
  EXPECT_THROW(f.call(std::array<Tensor, 2>{ones({3, 2}, DType::float64), ones({3, 2}, DType::float64)}), ValueError);
}

}  // namespace
}  // namespace nabla
