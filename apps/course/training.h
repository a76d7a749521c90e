// course/training.h — the seeds' training experiments, driven through train::Trainer with the
// configurations shipped in examples/: the numbers each demo tells (losses, accuracies, per-layer
// gradient norms, the decision boundary as it forms, seed 001's printed errors), nothing printed.
//
//   auto cfg = nabla::train::parse_train_config(nabla::demo::example_config("xor.toml"), "examples/xor.toml");
//   nabla::demo::TrainingRun run = nabla::demo::train_run(cfg, {.boundary_frames = 40});
//   run.history.back().train_acc;  run.frames[i].p;   // p(class 1) over run.grid at frames[i].epoch
#pragma once
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/std_function.h"
#include "nabla/train/trainer.h"
#include "nabla/viz/decision_map.h"

namespace nabla::demo {

// The TOML text of a configuration in examples/ ("xor.toml", "circle_2_2_1.toml", ...), as
// compiled into the library so that a demo runs from any directory (a test checks that the files
// in examples/ say the same). Throws ValueError for an unknown name.
std::string_view example_config(std::string_view file);
std::vector<std::string> example_config_names();

struct TrainOptions {
  int boundary_frames = 0;  // > 0 and 2-D inputs: snapshots of p(class 1) over a grid, evenly in epochs
  int grid_size = 100;      // points per side of that grid
  // Called before every epoch (and once more after the last) with the number of epochs done.
  std::function<void(int64_t epochs_done, train::Trainer&)> before_epoch;
};

struct BoundaryFrame {
  int64_t epoch = 0;      // epochs done when it was taken (0: the starting weights)
  std::vector<double> p;  // p(class 1) at each grid point (Grid2D order)
  double loss = 0;        // training loss at that moment (evaluated, eval mode)
  // The parameters at that moment, by state_dict name ("layers.0.weight"), flattened.
  std::vector<std::pair<std::string, std::vector<double>>> parameters;
};

// The labelled points of a dataset, for a DecisionMap.
struct Points {
  std::vector<double> x1, x2;
  std::vector<int> labels;
};

struct TrainingRun {
  train::TrainConfig config;
  std::vector<train::EpochMetrics> history;
  std::string failure;  // why training stopped early (a NaN loss: "training diverged ..."); "" if it did not
  viz::Grid2D grid;
  std::vector<BoundaryFrame> frames;
  Points train_points, test_points;
  int64_t parameters = 0;  // number of trainable scalars
  int64_t train_size = 0;  // rows of the training set
  double seconds = 0;      // wall time of the training loop
  // The parameters after training, by state_dict name ("layers.0.weight"), flattened.
  std::vector<std::pair<std::string, std::vector<double>>> final_parameters;
  // The last epoch's numbers (NaN when there was none).
  double final_loss() const;
  // The loss per training row: final_loss() itself for a "mean" loss, divided by train_size for "sum".
  double final_loss_per_row() const;
  // The first epoch (1-based) whose training accuracy reached `level`; 0 if none did.
  int64_t first_epoch_with_accuracy(double level) const;
  double final_train_acc() const;
  double final_test_acc() const;
};

// Builds a Trainer from `config` and trains it for config.train.epochs, one epoch at a time. A
// diverging run (the Trainer throws ValueError on a NaN or infinite loss) is not an error here:
// it ends the run with `failure` set, since showing it is what some demos are for.
TrainingRun train_run(const train::TrainConfig& config, const TrainOptions& options = {});

// The gradient norm of each layer with parameters (weight and bias together, √(Σ g²)), per epoch:
// names[i] is "layers.<k>" (k as the config numbers the layers), norms[i][e] its norm after epoch e+1.
struct LayerNorms {
  std::vector<std::string> names;
  std::vector<std::vector<double>> norms;
};
LayerNorms layer_grad_norms(const std::vector<train::EpochMetrics>& history);

// How much weaker the gradient reaching the first layer is than the output layer's, after the first
// epoch: norm(last layer) / norm(first layer) (NaN without history). Well above 1: vanishing gradients.
struct GradientSpread {
  double first = NAN, last = NAN, attenuation = NAN;
};
GradientSpread first_epoch_gradient_spread(const std::vector<train::EpochMetrics>& history);

// The training loss per row at each epoch (divided by the training-set size for reduction "sum"),
// so runs with either reduction can be drawn on one axis.
std::vector<double> loss_per_row(const TrainingRun& run);
// The largest |a − b| between two runs' per-row losses over the epochs both have.
double max_loss_gap(const TrainingRun& a, const TrainingRun& b);

// The same configuration with `units` hidden units: a 2-h-1 network (linear, activation, linear,
// ...) widened to linear(out = units), both linear layers back to the default initialisation
// (their written weights and biases dropped). Nothing when the config has no such shape. The
// circle demo (notebook 000 §7) trains its 2-2-1 network so widened to 4 units.
std::optional<train::TrainConfig> widened(const train::TrainConfig& config, int64_t units);

// ---- seed 001: XOR, the notebook's printout ----

struct XorReport {
  // mean |y − ŷ| over the 4 rows, from the forward pass at the start of epoch e (0, 1000, ...),
  // as the notebook prints "Epoch e: Error ..."
  std::vector<std::pair<int64_t, double>> errors;
  std::vector<double> final_outputs;    // ŷ of the last epoch's forward pass (what the notebook prints)
  std::vector<double> trained_outputs;  // ŷ after the last update
  std::vector<double> targets;
  TrainingRun run;
  // What the notebook printed.
  static const std::vector<double>& seed_errors();  // epochs 0, 1000, ..., 9000
  static const std::vector<double>& seed_outputs();
};
XorReport seed001_xor(const train::TrainConfig& config, int64_t every = 1000, int boundary_frames = 0);

// The run against the notebook's printout: the errors every 1000 epochs (printed to 4 decimals)
// and the final outputs (to 8). A printed number is reproduced when nabla's is within half a unit
// of its last printed digit.
struct XorComparison {
  double worst_excess = 0;         // largest |printed − nabla| beyond that half unit (0: all within)
  size_t errors_compared = 0;      // printed errors the run reached
  bool reproduced = false;         // every printed error and output reproduced
  double max_target_distance = 0;  // largest |trained output − target|: how well XOR was learned
};
XorComparison compare_with_notebook(const XorReport& report);

}  // namespace nabla::demo
