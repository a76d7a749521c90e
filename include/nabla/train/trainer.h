// nabla/train/trainer.h — training a model described by a TrainConfig: the engine behind
// `nabla train`, the demos and the playground.
//
// A Trainer builds the data, the model (layers in order; an "add" layer adds the output of an
// earlier layer, by id: residual connections), the loss, the optimizer and the scheduler from
// the config, seeded so that a run is reproducible, and trains one epoch at a time.
//
//   Trainer t(parse_train_config_file("examples/xor.toml"));
//   for (int64_t e = 0; e < t.config().train.epochs; ++e) EpochMetrics m = t.run_epoch();
//   Tensor p = t.predict(x);   // probabilities (binary: p(class 1) [N]; multi-class: [N, C])
#pragma once
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/nn/loss.h"
#include "nabla/nn/module.h"
#include "nabla/nn/sequential.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/std_function.h"
#include "nabla/tensor/random.h"
#include "nabla/train/config.h"
#include "nabla/train/step.h"
#include "nabla/viz/plot.h"

namespace nabla::train {

// The network of [model]: its layers live in a Sequential child named "layers", so parameter
// names are `layers.<position>.weight` as the config numbers them; forward follows ids and adds.
class ConfigModel : public nn::Module {
 public:
  ConfigModel(const TrainConfig& config, Generator& generator);
  Tensor forward(const Tensor& input) override;
  const nn::Sequential& layers() const { return *layers_; }

 private:
  std::shared_ptr<nn::Sequential> layers_;
  std::vector<LayerConfig> specs_;
};

// The numbers of one epoch. train_loss is the mean over the epoch's batches of the loss computed
// in each batch's forward pass (before that batch's update), as PyTorch loops usually log it;
// the others are measured after the epoch in eval mode. NaN where they do not apply.
struct EpochMetrics {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0;
  double test_loss = 0;
  double train_acc = 0;
  double test_acc = 0;
  double lr = 0;
  // L2 norm of each parameter's gradient after the epoch's last backward pass.
  std::vector<std::pair<std::string, double>> grad_norms;
};

class Trainer {
 public:
  explicit Trainer(TrainConfig config);

  const TrainConfig& config() const { return config_; }
  ConfigModel& model() { return *model_; }
  optim::Optimizer& optimizer() { return *optimizer_; }
  const Dataset& train_set() const { return train_; }
  const Dataset& test_set() const { return test_; }  // evaluated after every epoch (test_loss)
  // The test rows set aside when data.validation_fraction > 0 (test_set() is then the validation
  // set); empty otherwise. Evaluate them once, at the end: evaluate(holdout_set()).
  const Dataset& holdout_set() const { return holdout_; }
  bool classification() const { return classes_ >= 2; }
  int64_t num_classes() const { return classes_; }
  int64_t epoch() const { return epoch_; }

  // Data-parallel training (nabla/train/parallel.h; null: one process). Checks that every rank
  // has the same configuration and model, copies rank 0's parameters to every rank; from then
  // on run_epoch trains this rank's shard of every batch. Not owned.
  void set_parallel(Parallel* parallel);

  // Replaces the model's parameters with those of a safetensors file (state_dict names).
  void load_parameters(const std::string& safetensors_path);

  // One pass over the training data with updates; throws nabla::ValueError naming the epoch
  // and batch when the loss becomes NaN or infinite.
  EpochMetrics run_epoch();

  // Writes everything needed to continue bit-identically — model parameters and buffers,
  // optimizer and scheduler state, the generator (dropout) and the epoch — into one safetensors
  // file, atomically (temporary file, fsync, rename). Its size depends on the model only: the
  // metrics of a run live in its metrics.csv.
  void save_checkpoint(const std::string& path) const;
  // Restores a checkpoint written by save_checkpoint; returns its epoch (0 ≤ epoch ≤ train.epochs).
  int64_t load_checkpoint(const std::string& path);

  // Loss and accuracy of the model on a dataset, in eval mode, without recording a graph.
  std::pair<double, double> evaluate(const Dataset& data);
  // Model output turned into probabilities: binary → p(class 1) [N]; multi-class → [N, C];
  // regression → the raw output [N, out].
  Tensor predict(const Tensor& x);

 private:
  Tensor target_of(const Tensor& target) const;  // as the loss takes it (class indices for cross_entropy)
  Tensor loss_of(const Tensor& output, const Tensor& target) const;
  double accuracy_of(const Tensor& output, const Tensor& target) const;
  // The stream of the initial parameters and dropout: generator_, or the default generator
  // (train.generator = "global").
  Generator& rng();
  const Generator& rng() const;

  TrainConfig config_;
  Generator generator_;
  Dataset train_, test_, holdout_;
  int64_t classes_ = 0;  // 0: regression; 2: binary; >2: multi-class
  std::shared_ptr<ConfigModel> model_;
  std::shared_ptr<nn::Loss> loss_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::shared_ptr<optim::LRScheduler> scheduler_;
  std::vector<std::pair<std::string, Tensor>> parameters_;  // named, for messages
  std::optional<TrainStep> step_;                           // one batch's update, on the members above
  Parallel* parallel_ = nullptr;
  int64_t epoch_ = 0;
};

// How `nabla train --out DIR` runs: reported through `progress` after every epoch (for a
// progress bar or log lines).
struct RunOptions {
  std::string out_dir;
  std::string init;  // safetensors with initial parameters, or empty
  bool plots = true;
  // Data-parallel run (nabla/train/parallel.h): every rank calls run_training with the same
  // arguments; rank 0 writes the run directory, the others only train (they read the
  // checkpoint, init and run.json, so out_dir must be visible to every rank when resuming).
  Parallel* parallel = nullptr;
  // Continue the run in out_dir with the options stored in its run.json (the fields below
  // except progress and stop are then ignored; plots = false is an error for a run with plots),
  // from its checkpoint.safetensors, or from epoch 0 when it has none.
  bool resume = false;
  bool force = false;                  // out_dir holds a run (finished or not): remove its files, start over
  int64_t checkpoint_every = -1;       // epochs between checkpoints; < 0: the config's train.checkpoint_every
  bool detect_anomaly = false;         // stop at the first NaN/Inf any op produces (DetectAnomalyGuard)
  std::vector<std::string> overrides;  // the --set arguments, recorded in run.json
  // Non-zero (a signal handler sets it): stop after the epoch in progress, as described below.
  const volatile std::sig_atomic_t* stop = nullptr;
  std::function<void(const EpochMetrics&, const Trainer&)> progress;
  // When set, accumulates the seconds spent on plots (the boundary GIF's frames as epochs end,
  // the PNGs and GIF at the end), so that a caller's steps/s can leave them out.
  double* plot_seconds = nullptr;
  // The plots' size and dpi (matplotlib's figsize and dpi; default: each plot's own size at 100
  // dpi), recorded in run.json so that a resumed run draws the same files.
  viz::Resolution resolution;
};

struct RunResult {
  EpochMetrics last;              // the last epoch of the run (epoch 0: none)
  bool interrupted = false;       // *options.stop was set: the run can be resumed
  bool already_finished = false;  // resume of a finished run: nothing was done
  int64_t train_rows = -1;        // rows of the training set (-1: not loaded)
};

// Trains for config.train.epochs in the run directory out_dir, which must be empty, absent, or
// (with force) hold an earlier run. It writes config.toml (the effective configuration) and
// run.json (the options a resume needs) first, then, as epochs end, appends a row to metrics.csv
// and (2-D classification with plots) a frame to boundary_frames.bin; at the end
// model.safetensors and the plots (loss.png, grad_norms.png, boundary.png, boundary.gif).
// With checkpoints, checkpoint.safetensors is rewritten every N epochs after an fdatasync of
// metrics.csv and boundary_frames.bin, so that everything up to the checkpoint's epoch is on
// disk. A resumed run cuts those two files back to the checkpoint's epoch and ends with every
// file identical, byte for byte, to an uninterrupted run. When *options.stop becomes non-zero,
// training stops after the current epoch, writes a checkpoint (even without checkpointing; a
// finished run without checkpointing removes it), the plots so far and returns interrupted.
// Memory stays bounded: the loss and gradient-norm plots keep at most ~2000 points per series
// (every k-th epoch). File-system problems are IOErrors naming the path. When the loss diverges
// training stops with a nabla::ValueError; metrics.csv holds the epochs completed and the last
// checkpoint is left as it was.
RunResult run_training(const TrainConfig& config, const RunOptions& options);

// The run.json of a run directory (the options a resume needs), checked: a ParseError naming
// `path` when it is not valid JSON, not format "nabla-run-1", or a field has the wrong type.
// run_training reads it so; exposed for the fuzzer (fuzz/fuzz_targets.h, run_checkpoint).
nlohmann::json parse_run_json(const std::string& text, const std::string& path);

}  // namespace nabla::train
