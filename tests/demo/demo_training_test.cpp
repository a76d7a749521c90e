// The training demos' library side (course/training.h): the example configurations compiled
// into the library match examples/, seed 001's XOR printout is reproduced digit for digit, seed
// 000 §4 and §7 retrace the notebooks' numpy loops (their data, weights and every cost), the
// BCE sum with η/n retraces the mean, and per-layer gradient norms are grouped right.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "course/training.h"
#include "demo/demo_reference.h"
#include "nabla/data/numpy_random.h"
#include "nabla/error.h"
#include "nabla/train/config.h"

namespace nabla::demo {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

train::TrainConfig example(const std::string& name, const std::vector<std::string>& overrides = {}) {
  return train::parse_train_config(std::string(example_config(name)), "examples/" + name, overrides);
}

TEST(DemoTraining, CompiledConfigsMatchExamples) {
  const std::vector<std::string> names = example_config_names();
  EXPECT_GE(names.size(), 8u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::filesystem::path file = std::filesystem::path(NABLA_SOURCE_DIR) / "examples" / name;
    ASSERT_TRUE(std::filesystem::exists(file));
    // The build embeds examples/ (apps/course/embed_example_configs.cmake): what it compiled in is the file.
    EXPECT_EQ(std::string(example_config(name)), read(file));
    EXPECT_NO_THROW(example(name));
  }
  EXPECT_THROW(example_config("nope.toml"), ValueError);
}

TEST(DemoTraining, XorReproducesTheNotebookPrintout) {
  const XorReport rep = seed001_xor(example("xor.toml"), 1000);
  ASSERT_EQ(rep.errors.size(), XorReport::seed_errors().size());
  for (size_t i = 0; i < rep.errors.size(); ++i) {
    EXPECT_EQ(rep.errors[i].first, int64_t(i) * 1000);
    EXPECT_NEAR(rep.errors[i].second, XorReport::seed_errors()[i], 0.5e-4) << rep.errors[i].first;  // printed %.4f
  }
  ASSERT_EQ(rep.final_outputs.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(rep.final_outputs[i], XorReport::seed_outputs()[i], 0.5e-8) << i;
  EXPECT_EQ(rep.targets, (std::vector<double>{0, 1, 1, 0}));
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(rep.trained_outputs[i], rep.targets[i], 0.02);
  EXPECT_TRUE(rep.run.failure.empty());
  EXPECT_EQ(rep.run.history.size(), 10000u);
}

TEST(DemoTraining, XorVerdictComparesToThePrintedDigits) {
  XorReport rep = seed001_xor(example("xor.toml"), 1000);
  XorComparison c = compare_with_notebook(rep);
  EXPECT_TRUE(c.reproduced);
  EXPECT_EQ(c.worst_excess, 0.0);
  EXPECT_EQ(c.errors_compared, XorReport::seed_errors().size());
  double off = 0;  // the trained outputs against XOR's truth table, 0 1 1 0
  for (size_t i = 0; i < 4; ++i) off = std::max(off, std::fabs(rep.trained_outputs[i] - double(i == 1 || i == 2)));
  EXPECT_DOUBLE_EQ(c.max_target_distance, off);
  EXPECT_LT(c.max_target_distance, 0.03);
  // One printed error missed by 1e-3: 1e-3 − 0.5e-4 beyond the printed digits.
  rep.errors[3].second = XorReport::seed_errors()[3] + 1e-3;
  c = compare_with_notebook(rep);
  EXPECT_FALSE(c.reproduced);
  EXPECT_NEAR(c.worst_excess, 0.95e-3, 1e-12);
  // A shorter run compares fewer printed errors, and reproduces nothing in full.
  const XorComparison short_run = compare_with_notebook(seed001_xor(example("xor.toml", {"train.epochs=3000"}), 1000));
  EXPECT_EQ(short_run.errors_compared, 3u);
  EXPECT_FALSE(short_run.reproduced);
}

// Seed 000 §4: the notebook's X, Y and W (numpy's generator, reproduced bit for bit) trained by
// nabla's autograd and SGD give the costs of the notebook's hand-written numpy loop
// (tests/demo/gen_demo_reference.py runs it); only the order of floating-point operations differs.
TEST(DemoTraining, NeuronBoundaryRetracesTheNotebook) {
  const train::TrainConfig cfg = example("neuron_boundary.toml");
  // The weight in the config is rng.normal(scale=0.5, size=(1, 2)) right after X, as the notebook draws it.
  numpy::Generator rng(7);
  rng.normal(60 * 2);
  const std::vector<double> w0 = rng.normal(2, 0.0, 0.5);
  ASSERT_EQ(cfg.model.layers[0].weight_values.size(), 1u);
  EXPECT_EQ(cfg.model.layers[0].weight_values[0], w0);
  EXPECT_EQ(w0, (std::vector<double>(std::begin(reference::kNeuronBoundaryStartW),
                                     std::end(reference::kNeuronBoundaryStartW))));

  const TrainingRun run = train_run(cfg);
  ASSERT_EQ(run.history.size(), std::size(reference::kNeuronBoundaryCosts));
  for (size_t t = 0; t < run.history.size(); ++t)
    EXPECT_NEAR(run.history[t].train_loss, reference::kNeuronBoundaryCosts[t], 1e-12) << "step " << t;
  ASSERT_EQ(run.final_parameters.size(), 2u);
  const std::vector<double> w = run.final_parameters[0].second, b = run.final_parameters[1].second;
  EXPECT_NEAR(w[0], reference::kNeuronBoundaryFinal[0], 1e-12);
  EXPECT_NEAR(w[1], reference::kNeuronBoundaryFinal[1], 1e-12);
  EXPECT_NEAR(b[0], reference::kNeuronBoundaryFinal[2], 1e-12);
  EXPECT_EQ(run.train_size, 60);
}

// Seed 000 §7: the notebook's 80 points and starting weights, 3300 full-batch steps with η = 1.
TEST(DemoTraining, CircleRetracesTheNotebook) {
  const TrainingRun run = train_run(example("circle_2_2_1.toml"));
  ASSERT_EQ(run.history.size(), 3300u);
  for (const reference::StepCost& sc : reference::kCircleCosts)
    EXPECT_NEAR(run.history[size_t(sc.step)].train_loss, sc.cost, 1e-12) << "step " << sc.step;
  std::vector<double> params;
  for (const auto& [name, values] : run.final_parameters) params.insert(params.end(), values.begin(), values.end());
  ASSERT_EQ(params.size(), std::size(reference::kCircleFinal));
  for (size_t i = 0; i < params.size(); ++i) EXPECT_NEAR(params[i], reference::kCircleFinal[i], 1e-10) << i;
  EXPECT_EQ(run.train_size, 80);
}

TEST(DemoTraining, BoundaryFramesAndFinalParameters) {
  const TrainingRun run =
      train_run(example("neuron_boundary.toml", {"train.epochs=20"}), {.boundary_frames = 4, .grid_size = 30});
  ASSERT_EQ(run.frames.size(), 5u);  // epochs 0, 5, 10, 15, 20
  EXPECT_EQ(run.frames.front().epoch, 0);
  EXPECT_EQ(run.frames.back().epoch, 20);
  EXPECT_EQ(run.frames.back().p.size(), 900u);
  for (double p : run.frames.back().p) EXPECT_TRUE(p >= 0 && p <= 1);
  EXPECT_LT(run.frames.back().loss, run.frames.front().loss);  // training lowered the cost
  EXPECT_EQ(run.train_points.x1.size(), 60u);
  EXPECT_EQ(run.parameters, 3);
  ASSERT_EQ(run.final_parameters.size(), 2u);
  EXPECT_EQ(run.final_parameters[0].first, "layers.0.weight");
  EXPECT_EQ(run.final_parameters[0].second.size(), 2u);
  // Each frame keeps the parameters of its moment (the neuron-boundary GIF's W, b readout).
  EXPECT_EQ(run.frames.back().parameters, run.final_parameters);
  ASSERT_EQ(run.frames.front().parameters.size(), 2u);
  EXPECT_NE(run.frames.front().parameters[0].second, run.final_parameters[0].second);
}

TEST(DemoTraining, SumWithLrOverNRetracesTheMean) {
  train::TrainConfig mean = example("deep_sigmoid.toml", {"train.epochs=40"});
  const TrainingRun a = train_run(mean);
  train::TrainConfig sum = mean;
  sum.loss.reduction = "sum";
  sum.optim.lr = mean.optim.lr / double(a.train_size);
  const TrainingRun b = train_run(sum);
  EXPECT_EQ(a.train_size, 300);
  ASSERT_EQ(b.history.size(), 40u);
  EXPECT_LT(max_loss_gap(a, b), 1e-12);
  EXPECT_NEAR(b.final_loss_per_row(), b.history.back().train_loss / 300.0, 1e-15);
}

TEST(DemoTraining, DivergenceEndsTheRunInsteadOfThrowing) {
  // An lr that overflows float32 in the first update. (BCE alone no longer makes NaN: where a
  // sigmoid saturates its gradient is torch's finite one, so a summed loss with lr 0.5 trains on.)
  train::TrainConfig sum =
      example("residual_relu.toml", {"train.epochs=30", "loss.reduction=sum", "dtype=float32", "optim.lr=1e20"});
  const TrainingRun run = train_run(sum);
  EXPECT_FALSE(run.failure.empty());
  EXPECT_LT(run.history.size(), 30u);
}

TEST(DemoTraining, LayerGradNormsGroupWeightAndBias) {
  std::vector<train::EpochMetrics> history(2);
  history[0].grad_norms = {{"layers.0.weight", 3}, {"layers.0.bias", 4}, {"layers.2.weight", 1}};
  history[1].grad_norms = {{"layers.0.weight", 0}, {"layers.0.bias", 1}, {"layers.2.weight", 2}};
  const LayerNorms n = layer_grad_norms(history);
  EXPECT_EQ(n.names, (std::vector<std::string>{"layers.0", "layers.2"}));
  EXPECT_EQ(n.norms[0], (std::vector<double>{5, 1}));
  EXPECT_EQ(n.norms[1], (std::vector<double>{1, 2}));
  const GradientSpread spread = first_epoch_gradient_spread(history);
  EXPECT_EQ(spread.first, 5);
  EXPECT_EQ(spread.last, 1);
  EXPECT_DOUBLE_EQ(spread.attenuation, 0.2);
  EXPECT_TRUE(std::isnan(first_epoch_gradient_spread({}).attenuation));
}

TEST(DemoTraining, WidenedCircleNetHasFourDefaultInitialisedHiddenUnits) {
  const train::TrainConfig c = example("circle_2_2_1.toml");
  ASSERT_FALSE(c.model.layers[0].weight_values.empty());  // the notebook's starting weights
  const std::optional<train::TrainConfig> w = widened(c, 4);
  ASSERT_TRUE(w.has_value());
  ASSERT_EQ(w->model.layers.size(), c.model.layers.size());
  EXPECT_EQ(w->model.layers[0].out, 4);
  for (size_t i : {size_t(0), size_t(2)}) {
    EXPECT_TRUE(w->model.layers[i].weight_values.empty());
    EXPECT_TRUE(w->model.layers[i].bias_values.empty());
  }
  EXPECT_EQ(w->model.layers[1].type, c.model.layers[1].type);
  EXPECT_EQ(w->model.layers[2].out, c.model.layers[2].out);
  // A model without the linear, activation, linear shape cannot be widened.
  train::TrainConfig flat = c;
  flat.model.layers.resize(2);
  EXPECT_FALSE(widened(flat, 4).has_value());
}

}  // namespace
}  // namespace nabla::demo
