#include "course/dense_configs.h"

#include <algorithm>

#include "course/training.h"
#include "nabla/error.h"
#include "nabla/train/trainer.h"

namespace nabla::demo {

std::vector<std::string> dense_configs_notes() {
  return {
      "optimizer: the homework fixes lr = 1e-2 but not the optimizer; AdamW, as the notebook uses (configurations 1 "
      "and 2 with AdamW's default weight_decay 1e-2, configuration 3 with 1e-3)",
      "GroupNorm: the homework does not say how many groups; 4 (every width of configuration 2 is a multiple of 4)",
      "training MSE: the mean over each epoch's 30 batches of the batch loss, in train mode, before each update; "
      "validation MSE: the whole validation set in eval mode after the epoch",
      "one random stream: manual_seed(42) before each model is built; the initial parameters, the DataLoader's "
      "shuffles and dropout all draw from the default generator, as a notebook's DataLoader without a generator "
      "does",
  };
}

DenseConfigRun run_dense_config(const train::TrainConfig& config, const std::string& name) {
  train::Trainer t(config);
  NABLA_CHECK(t.test_set().size() > 0 && t.holdout_set().size() > 0, ValueError,
              "run_dense_config: ", name.empty() ? config.source : name,
              " has no validation and test rows (data.test_fraction and data.validation_fraction)");
  DenseConfigRun run;
  run.name = name;
  run.config = config;
  for (const Tensor& p : t.model().parameters()) run.parameters += p.numel();
  run.train_rows = t.train_set().size();
  run.validation_rows = t.test_set().size();
  run.test_rows = t.holdout_set().size();
  const int64_t batch = config.train.batch_size > 0 ? config.train.batch_size : run.train_rows;
  run.batches_per_epoch = config.train.drop_last ? run.train_rows / batch : (run.train_rows + batch - 1) / batch;
  for (int64_t e = 0; e < config.train.epochs; ++e) {
    const train::EpochMetrics m = t.run_epoch();
    run.train_mse.push_back(m.train_loss);
    run.val_mse.push_back(m.test_loss);
  }
  run.test_mse = t.evaluate(t.holdout_set()).first;
  // In double: the targets are integers, exact in float32.
  double mean = 0;
  for (double y : t.train_set().y.to_vector<double>()) mean += y;
  mean /= double(run.train_rows);
  double mse = 0;
  for (double y : t.holdout_set().y.to_vector<double>()) mse += (y - mean) * (y - mean);
  run.train_target_mean = mean;
  run.mean_predictor_test_mse = mse / double(run.test_rows);
  return run;
}

std::vector<DenseConfigRun> run_dense_configs(int64_t epochs) {
  std::vector<DenseConfigRun> runs;
  for (const char* file : {"dense_config1.toml", "dense_config2.toml", "dense_config3.toml"}) {
    train::TrainConfig c =
        train::parse_train_config(std::string(example_config(file)), std::string("examples/") + file);
    if (epochs > 0) c.train.epochs = epochs;
    runs.push_back(run_dense_config(c, file));
  }
  return runs;
}

DenseComparison compare_dense_runs(const std::vector<DenseConfigRun>& runs) {
  NABLA_CHECK(!runs.empty(), ValueError, "compare_dense_runs: no runs to compare");
  DenseComparison c;
  for (size_t i = 0; i < runs.size(); ++i) {
    const DenseConfigRun& r = runs[i];
    c.explained.push_back(1 - r.test_mse / r.mean_predictor_test_mse);
    if (r.test_mse < runs[c.best].test_mse) c.best = i;
    if (r.test_mse > r.mean_predictor_test_mse) c.worse_than_mean.push_back(i);
  }
  return c;
}

DenseLayers describe_layers(const train::TrainConfig& config) {
  const auto& layers = config.model.layers;
  size_t last_linear = 0;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].type == "linear") last_linear = i;
  DenseLayers d;
  for (size_t i = 0; i < layers.size(); ++i) {
    const train::LayerConfig& l = layers[i];
    if (l.type == "linear" && i != last_linear)
      d.widths.push_back(l.out);
    else if (l.type == "dropout")
      d.dropout.push_back(l.params.count("p") ? l.params.at("p") : 0.5);
    else if (l.type == "batchnorm" || l.type == "groupnorm" || l.type == "layernorm") {
      if (std::find(d.norms.begin(), d.norms.end(), l.type) == d.norms.end()) d.norms.push_back(l.type);
    } else if (l.type != "linear" && l.type != "add" && l.type != "identity" && l.type != "flatten" && i < last_linear)
      d.activations.push_back(l.type);
  }
  return d;
}

bool builtin_protocol(const std::vector<DenseConfigRun>& runs, const std::vector<std::string>& sources) {
  bool builtin = !runs.empty();
  for (const DenseConfigRun& r : runs) builtin = builtin && r.config.train.epochs == 200;
  for (const std::string& src : sources) builtin = builtin && src.rfind("examples/", 0) == 0;
  return builtin;
}

}  // namespace nabla::demo
