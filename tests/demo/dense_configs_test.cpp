// nabla::demo::run_dense_configs against PyTorch 1.13 running the homework's protocol:
// tests/golden/dense_configs_golden.json (made by tests/golden/gen_dense_configs.py). Parameter
// counts, the split's sizes and the mean predictor exactly; the per-epoch training and validation
// MSE (float32), the loss of each batch of the first epoch and the final test MSE to 1e-4
// relative, or, where rounding alone moves PyTorch's own number further, within three times that
// spread (measured by PyTorch's five perturbed runs: float64, the initial parameters or the
// training features moved by one ulp up or down; for an epoch, the largest spread up to it).
#include "course/dense_configs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "course/training.h"
#include "nabla/data/dataloader.h"
#include "nabla/error.h"
#include "nabla/nn/loss.h"
#include "nabla/tensor/random.h"
#include "nabla/train/trainer.h"

namespace nabla::demo {
namespace {

using nlohmann::json;

const json& golden() {
  static const json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/dense_configs_golden.json");
    return in ? json::parse(in) : json{{"configs", json::array()}};
  }();
  return doc;
}

double rel(double a, double b) { return std::fabs(a - b) / std::fabs(b); }

TEST(DenseConfigsGoldenFile, Loads) {
  ASSERT_EQ(golden()["configs"].size(), 3u)
      << "tests/golden/dense_configs_golden.json is missing or empty; regenerate it with "
         "/usr/bin/python3 tests/golden/gen_dense_configs.py > tests/golden/dense_configs_golden.json";
}

// Within 1e-4 relative of PyTorch, or, where rounding alone moves PyTorch's own number further
// (the largest distance of its five perturbed runs from it), within three times that spread.
double tolerance(double torch_value, double spread) { return std::max(1e-4 * std::fabs(torch_value), 3 * spread); }

// The first epoch batch by batch: the loss of each of its 30 batches, as the trainer's loop
// computes it (the same loader, model, loss and optimizer, driven here one step at a time).
TEST(DenseConfigs, FirstEpochBatchByBatch) {
  const json& g = golden();
  ASSERT_EQ(g["configs"].size(), 3u);
  for (int c = 1; c <= 3; ++c) {
    const std::string file = "dense_config" + std::to_string(c) + ".toml";
    SCOPED_TRACE(file);
    const json& want = g["configs"][c - 1];
    const std::vector<double> batches = want["batch_mse_epoch1"], spread = want["spread"]["batch_mse_epoch1"];
    train::Trainer t(train::parse_train_config(std::string(example_config(file)), "examples/" + file));
    DataLoader loader(t.train_set(), {.batch_size = 8, .shuffle = true, .drop_last = true});
    nn::MSELoss mse;
    t.model().train();
    size_t i = 0;
    for (const Batch& b : loader) {
      ASSERT_LT(i, batches.size());
      Tensor loss = mse(t.model()(b.x), b.y);
      const double value = loss.item();
      ASSERT_NEAR(value, batches[i], tolerance(batches[i], spread[i])) << "batch " << i + 1 << " of epoch 1";
      t.optimizer().zero_grad();
      loss.backward();
      t.optimizer().step();
      ++i;
    }
    EXPECT_EQ(i, batches.size());
  }
}

// The whole protocol, 200 epochs of each configuration.
TEST(DenseConfigs, MatchPyTorchRunningTheProtocol) {
  const json& g = golden();
  ASSERT_EQ(g["configs"].size(), 3u);
  const std::vector<DenseConfigRun> runs = run_dense_configs();
  ASSERT_EQ(runs.size(), 3u);
  for (size_t c = 0; c < 3; ++c) {
    const DenseConfigRun& run = runs[c];
    const json& want = g["configs"][c];
    SCOPED_TRACE(run.name);
    EXPECT_EQ(run.parameters, want["params"].get<int64_t>());
    EXPECT_EQ(run.train_rows, 247);
    EXPECT_EQ(run.validation_rows, 62);
    EXPECT_EQ(run.test_rows, 133);
    EXPECT_EQ(run.batches_per_epoch, want["batches"].get<int64_t>());
    EXPECT_NEAR(run.mean_predictor_test_mse, want["mean_predictor_test_mse"].get<double>(),
                1e-12 * want["mean_predictor_test_mse"].get<double>());
    const std::vector<double> train = want["train_mse"], val = want["val_mse"];
    const std::vector<double> train_spread = want["spread"]["train_mse"], val_spread = want["spread"]["val_mse"];
    ASSERT_EQ(run.train_mse.size(), train.size());
    ASSERT_EQ(run.val_mse.size(), val.size());
    // Leading epochs within 1e-4 of PyTorch (reported, not asserted: the tolerance below is).
    size_t exact_train = 0, exact_val = 0;
    while (exact_train < train.size() && rel(run.train_mse[exact_train], train[exact_train]) <= 1e-4) ++exact_train;
    while (exact_val < val.size() && rel(run.val_mse[exact_val], val[exact_val]) <= 1e-4) ++exact_val;
    // Once rounding has moved the trajectory by some amount, later epochs may differ by as much:
    // the spread of an epoch is the largest seen up to it.
    double train_reach = 0, val_reach = 0;
    for (size_t e = 0; e < train.size(); ++e) {
      train_reach = std::max(train_reach, train_spread[e]);
      val_reach = std::max(val_reach, val_spread[e]);
      ASSERT_NEAR(run.train_mse[e], train[e], tolerance(train[e], train_reach)) << "training MSE, epoch " << e + 1;
      ASSERT_NEAR(run.val_mse[e], val[e], tolerance(val[e], val_reach)) << "validation MSE, epoch " << e + 1;
    }
    const double torch_test = want["test_mse"], spread = want["spread"]["test_mse"];
    EXPECT_NEAR(run.test_mse, torch_test, tolerance(torch_test, spread));
    std::printf(
        "[ %s ] %lld parameters; within 1e-4 of PyTorch: training MSE epochs 1..%zu, validation MSE epochs 1..%zu; "
        "test MSE %.6g (PyTorch %.6g, rounding spread %.3g); mean predictor %.6g\n",
        run.name.c_str(), static_cast<long long>(run.parameters), exact_train, exact_val, run.test_mse, torch_test,
        spread, run.mean_predictor_test_mse);
  }
}

// train.generator = "global": a checkpoint holds the default generator's state, so a resumed run
// continues the one stream (shuffles and dropout) exactly.
TEST(DenseConfigs, GlobalStreamResumesFromACheckpoint) {
  const train::TrainConfig c =
      train::parse_train_config(std::string(example_config("dense_config1.toml")), "examples/dense_config1.toml");
  ASSERT_EQ(c.train.generator, "global");
  std::vector<double> straight;
  {
    train::Trainer t(c);
    for (int e = 0; e < 4; ++e) straight.push_back(t.run_epoch().train_loss);
  }
  const std::string path = ::testing::TempDir() + "dense_config1_checkpoint.safetensors";
  std::vector<double> resumed;
  {
    train::Trainer t(c);
    std::vector<train::EpochMetrics> history;
    for (int e = 0; e < 2; ++e) history.push_back(t.run_epoch());
    t.save_checkpoint(path);
    for (const auto& m : history) resumed.push_back(m.train_loss);
    default_generator().random64();  // anything drawn in between must not matter
  }
  train::Trainer t(c);
  t.load_checkpoint(path);
  for (int e = 0; e < 2; ++e) resumed.push_back(t.run_epoch().train_loss);
  EXPECT_EQ(resumed, straight);
  std::remove(path.c_str());
}

TEST(DenseConfigs, NotesNameTheOpenChoices) {
  const std::vector<std::string> notes = dense_configs_notes();
  ASSERT_GE(notes.size(), 2u);
  EXPECT_NE(notes[0].find("AdamW"), std::string::npos);
  EXPECT_NE(notes[1].find("GroupNorm"), std::string::npos);
}

// The comparison the demo prints, on made-up runs (its rules, not the protocol's numbers).
TEST(DenseConfigs, ComparisonExplainedBestAndWorseThanTheMean) {
  std::vector<DenseConfigRun> runs(3);
  const double mse[] = {7000, 3000, 2600};
  for (size_t i = 0; i < 3; ++i) runs[i].test_mse = mse[i], runs[i].mean_predictor_test_mse = 5000;
  const DenseComparison c = compare_dense_runs(runs);
  ASSERT_EQ(c.explained.size(), 3u);
  EXPECT_DOUBLE_EQ(c.explained[0], -0.4);
  EXPECT_DOUBLE_EQ(c.explained[1], 0.4);
  EXPECT_DOUBLE_EQ(c.explained[2], 0.48);
  EXPECT_EQ(c.best, 2u);
  EXPECT_EQ(c.worse_than_mean, std::vector<size_t>{0});
  runs[0].test_mse = 2600;  // a tie: the first
  EXPECT_EQ(compare_dense_runs(runs).best, 0u);
  EXPECT_THROW(compare_dense_runs({}), ValueError);
}

TEST(DenseConfigs, LayerDescriptionOfTheBuiltInConfigurations) {
  auto config = [](const char* file) {
    return train::parse_train_config(std::string(example_config(file)), std::string("examples/") + file);
  };
  for (const char* file : {"dense_config1.toml", "dense_config2.toml", "dense_config3.toml"}) {
    SCOPED_TRACE(file);
    const train::TrainConfig c = config(file);
    const DenseLayers d = describe_layers(c);
    // Counted from the config's own layer list: every linear but the output one is a hidden width.
    size_t linears = 0, dropouts = 0;
    for (const train::LayerConfig& l : c.model.layers) linears += l.type == "linear", dropouts += l.type == "dropout";
    EXPECT_EQ(d.widths.size(), linears - 1);
    EXPECT_EQ(d.dropout.size(), dropouts);
    for (const std::string& a : d.activations) EXPECT_TRUE(a != "linear" && a != "dropout" && a != "batchnorm");
    EXPECT_FALSE(d.activations.empty());
  }
  train::TrainConfig c;
  c.model.layers.resize(6);
  c.model.layers[0].type = "linear", c.model.layers[0].out = 16;
  c.model.layers[1].type = "batchnorm";
  c.model.layers[2].type = "relu";
  c.model.layers[3].type = "dropout";  // p not given: 0.5
  c.model.layers[4].type = "batchnorm";
  c.model.layers[5].type = "linear", c.model.layers[5].out = 1;
  const DenseLayers d = describe_layers(c);
  EXPECT_EQ(d.widths, std::vector<int64_t>{16});
  EXPECT_EQ(d.activations, std::vector<std::string>{"relu"});
  EXPECT_EQ(d.dropout, std::vector<double>{0.5});
  EXPECT_EQ(d.norms, std::vector<std::string>{"batchnorm"});
}

TEST(DenseConfigs, BuiltInProtocolIsExamplesAt200Epochs) {
  std::vector<DenseConfigRun> runs(2);
  for (DenseConfigRun& r : runs) r.config.train.epochs = 200;
  EXPECT_TRUE(builtin_protocol(runs, {"examples/dense_config1.toml", "examples/dense_config2.toml"}));
  EXPECT_FALSE(builtin_protocol(runs, {"examples/dense_config1.toml", "mine.toml"}));
  runs[1].config.train.epochs = 20;
  EXPECT_FALSE(builtin_protocol(runs, {"examples/dense_config1.toml", "examples/dense_config2.toml"}));
}

}  // namespace
}  // namespace nabla::demo
