// train::TrainStep, the one training step every loop runs, against the same step written out by
// hand (zero_grad, forward, loss + penalties, backward, clipping, step): bit-identical
// parameters; a NaN loss leaves the parameters as they were. And the helpers it rests on:
// nn::weight_parameters, nn::per_module_norms, viz::Grid2D::around / points.
#include "nabla/train/step.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nabla/nn/nn.h"
#include "nabla/nn/utils.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/optim.h"
#include "nabla/viz/decision_map.h"

namespace nabla::train {
namespace {

std::shared_ptr<nn::Sequential> net(uint64_t seed) {
  manual_seed(seed);
  return std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(nn::LinearOptions(3, 4).dtype(DType::float64)), std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Linear>(nn::LinearOptions(4, 1).dtype(DType::float64))});
}

std::vector<double> flat(const nn::Module& m) {
  std::vector<double> v;
  for (const Tensor& p : m.parameters())
    for (double x : p.to_vector<double>()) v.push_back(x);
  return v;
}

TEST(TrainStep, MatchesTheStepWrittenOut) {
  Generator g(5);
  const Tensor x = randn({8, 3}, DType::float64, &g), y = randn({8, 1}, DType::float64, &g);
  auto a = net(1), b = net(1);
  nn::MSELoss loss;
  optim::Adam opt_a(a->parameters(), optim::AdamOptions(0.05)), opt_b(b->parameters(), optim::AdamOptions(0.05));
  TrainStep step(*a, loss, opt_a, {.l1 = 1e-3, .l2 = 1e-2, .clip_grad_norm = 0.5});
  const std::vector<Tensor> weights = {b->parameters()[0], b->parameters()[2]};  // the two .weight
  for (int i = 0; i < 5; ++i) {
    const StepResult r = step(x, y);
    opt_b.zero_grad();
    const Tensor l = loss((*b)(x), y);
    (l + 1e-2 * optim::l2_penalty(weights) + 1e-3 * optim::l1_penalty(weights)).backward();
    optim::clip_grad_norm_(b->parameters(), 0.5);
    opt_b.step();
    EXPECT_TRUE(r.updated);
    EXPECT_EQ(r.value, l.item());
    EXPECT_EQ(flat(*a), flat(*b)) << "step " << i;
  }
}

TEST(TrainStep, ANonFiniteLossChangesNothing) {
  auto a = net(2);
  nn::MSELoss loss;
  optim::SGD opt(a->parameters(), optim::SGDOptions(0.1));
  TrainStep step(*a, loss, opt);
  const std::vector<double> before = flat(*a);
  const Tensor x = full({2, 3}, std::numeric_limits<double>::quiet_NaN(), DType::float64);
  const StepResult r = step(x, zeros({2, 1}, DType::float64));
  EXPECT_FALSE(r.updated);
  EXPECT_TRUE(std::isnan(r.value));
  EXPECT_EQ(flat(*a), before);
}

TEST(TrainStep, UpdateTakesTheCallersLoss) {
  auto a = net(3), b = net(3);
  nn::MSELoss loss;
  optim::SGD opt_a(a->parameters(), optim::SGDOptions(0.1)), opt_b(b->parameters(), optim::SGDOptions(0.1));
  const Tensor x = ones({2, 3}, DType::float64), y = zeros({2, 1}, DType::float64);
  TrainStep(*a, loss, opt_a).update(loss((*a)(x), y));
  TrainStep(*b, loss, opt_b)(x, y);
  EXPECT_EQ(flat(*a), flat(*b));
}

// A one-rank Parallel that writes down what the step asks of it and what the gradients were then.
class RecordingParallel : public Parallel {
 public:
  explicit RecordingParallel(nn::Module& model) : params_(model.parameters()) {}
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void check_same(const std::string&, const std::string&) override {}
  void attach(std::shared_ptr<nn::Module>, bool) override {}
  void prepare_backward(int64_t rows) override { calls.push_back("prepare " + std::to_string(rows) + grads()); }
  void sync_gradients(int64_t rows) override { calls.push_back("sync " + std::to_string(rows) + grads()); }
  double batch_loss(double local_loss, int64_t) override { return local_loss; }
  bool any(bool flag) override { return flag; }
  std::vector<std::string> calls;

 private:
  std::string grads() const {
    int defined = 0;
    for (const Tensor& p : params_) defined += p.grad().defined();
    return defined == 0 ? " (no gradients yet)" : " (" + std::to_string(defined) + " gradients)";
  }
  std::vector<Tensor> params_;
};

// The reductions of a data-parallel step start before backward (so that they overlap it) and
// complete after it; a step whose loss is not finite starts none (a started one that never
// completes would be left pending into the next step).
TEST(TrainStep, AParallelIsPreparedBeforeBackwardAndSyncedAfter) {
  auto a = net(4);
  nn::MSELoss loss;
  optim::SGD opt(a->parameters(), optim::SGDOptions(0.1));
  RecordingParallel parallel(*a);
  TrainStep step(*a, loss, opt, {.parallel = &parallel});
  step(ones({5, 3}, DType::float64), zeros({5, 1}, DType::float64));
  EXPECT_EQ(parallel.calls, (std::vector<std::string>{"prepare 5 (no gradients yet)", "sync 5 (4 gradients)"}));
  parallel.calls.clear();
  step(full({2, 3}, std::numeric_limits<double>::quiet_NaN(), DType::float64), zeros({2, 1}, DType::float64));
  EXPECT_TRUE(parallel.calls.empty());
}

TEST(NnUtils, WeightParametersAndPerModuleNorms) {
  auto a = net(4);
  EXPECT_EQ(nn::weight_parameters(*a).size(), 2u);  // layers 0 and 2; not the biases
  const std::vector<std::pair<std::string, double>> norms = {
      {"0.weight", 3}, {"0.bias", 4}, {"2.weight", 1}, {"2.bias", 0}, {"top", 2}};
  const auto m = nn::per_module_norms(norms);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0], (std::pair<std::string, double>{"0", 5}));
  EXPECT_EQ(m[1], (std::pair<std::string, double>{"2", 1}));
  EXPECT_EQ(m[2], (std::pair<std::string, double>{"", 2}));
}

TEST(Grid2D, AroundAndPoints) {
  const viz::Grid2D g = viz::Grid2D::around({0, 2, 1}, {-1, 1, 0}, 3, 0.25);
  EXPECT_DOUBLE_EQ(g.xmin, -0.6);  // 0 − (0.25·2 + 0.1)
  EXPECT_DOUBLE_EQ(g.xmax, 2.6);
  EXPECT_DOUBLE_EQ(g.ymin, -1.6);
  EXPECT_DOUBLE_EQ(g.ymax, 1.6);
  EXPECT_EQ(g.nx, 3);
  const std::vector<double> p = g.points(), xs = g.xs(), ys = g.ys();
  ASSERT_EQ(p.size(), 18u);
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(p[2 * i], xs[i]);
    EXPECT_EQ(p[2 * i + 1], ys[i]);
  }
}

}  // namespace
}  // namespace nabla::train
