// nabla/train/config.h — the training configuration (`nabla train CONFIG.toml`), parsed and
// validated before anything runs.
//
// Every key has a default (README: "Training configuration"); an unknown key, a value of the
// wrong type or out of range, or layer sizes that do not chain is a nabla::ParseError naming the
// key and its line — nothing is trained or written.
//
//   TrainConfig cfg = parse_train_config_file("examples/xor.toml", {"optim.lr=0.1"});
//   cfg.optim.lr == 0.1; cfg.model.layers[0].out == 2;
//   std::string resolved = to_toml(cfg);   // every value, defaults filled in
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nabla/tensor/dtype.h"

namespace nabla::train {

struct DataConfig {
  // xor|xnor|and|or|moons|circles|spirals|blobs|gaussian|numpy_normal|csv|mnist|diabetes
  std::string name = "xor";
  int64_t n = 1024;    // points for the synthetic datasets (truth tables: rows, repeated)
  double noise = 0.1;  // noise level (datasets document their unit)
  double test_fraction = 0.0;
  int64_t classes = 2;       // blobs / spirals: number of classes
  std::string path;          // csv: the file; mnist: a directory or the images file
  std::string label;         // csv: label column name; mnist: the labels file; numpy_normal: the class rule
  bool standardize = false;  // standardize features (statistics of the training split)
  // How test_fraction's rows are chosen: "random" — torch's random_split with a Generator(seed)
  // (nabla::train_test_split); "sklearn" — scikit-learn's train_test_split(test_size =
  // test_fraction, random_state) (nabla::sklearn::train_test_split: test rows ceil(f·N) first).
  std::string split = "random";
  int64_t random_state = 0;  // sklearn split: the random_state, in [0, 2^32)
  // sklearn split: the training part split again, validation_fraction of it held out as the
  // validation set the trainer evaluates after every epoch; the test rows are then set aside for
  // a final evaluation (Trainer::holdout_set). 0: no validation set.
  double validation_fraction = 0.0;
  // 2-D datasets: the network's inputs as features of the points (nabla/data/features.h: x1, x2,
  // x1sq, x2sq, x1x2, sinx1, sinx2), as the playground feeds them; model.inputs is their number.
  // Empty: the dataset's own columns.
  std::vector<std::string> features;
  // The points moved as soon as they are drawn, x · scale + shift (before the split and the
  // features), as the playground does: xor on ±1 (scale 2, shift [-1, -1]), gaussian halved,
  // moons centred. shift: one number per column of the data, or empty.
  double scale = 1.0;
  std::vector<double> shift;
  double box = 10.0;  // blobs: the centres are uniform in [-box, box] (sklearn's center_box)
};

// One entry of [model].layers. `params` holds the numeric options of the layer type
// (slope, alpha, p, momentum, eps, groups, ...), all checked against the type's known keys.
struct LayerConfig {
  std::string type;
  std::string id;    // names this layer's output, for { type = "add", from = id }
  std::string from;  // add: the id whose output is added to the current value
  int64_t out = 0;   // linear: output features
  bool bias = true;  // linear
  std::string init =
      "default";  // linear: default|xavier_uniform|xavier_normal|kaiming_uniform|kaiming_normal|normal|zeros|constant
  // linear: explicit starting values, as a course sets them by hand: weight = [[...], ...] is
  // [out][in] (PyTorch's layout), bias = [...] has `out` entries (bias = true/false still works).
  std::vector<std::vector<double>> weight_values;
  std::vector<double> bias_values;
  std::map<std::string, double> params;
  int line = 0;  // where it was written, for later error messages
};

struct ModelConfig {
  int64_t inputs = 2;
  std::vector<LayerConfig> layers;
};

struct LossConfig {
  std::string name = "mse";        // mse|half_mse|l1|bce|bce_logits|cross_entropy
  std::string reduction = "mean";  // mean|sum
  double label_smoothing = 0.0;    // cross_entropy
};

// [optim]: the optimizer by name (a row of optim::optimizer_recipes()) and its options. When the
// reader meets the name it sets the options that optimizer reads to its own defaults
// (train::set_optimizer_defaults: AdamW's weight_decay 0.01, Adagrad's eps 1e-10, ...), and the
// optimizer's options check them (validate()); the values below are those of a default-built
// config, train::default_optim(name) gives another optimizer's.
struct OptimConfig {
  std::string name = "sgd";  // sgd|adam|adamw|rmsprop|adagrad
  double lr = 0.01;
  double momentum = 0.0;   // sgd, rmsprop
  double dampening = 0.0;  // sgd
  bool nesterov = false;   // sgd
  double weight_decay = 0.0;
  double beta1 = 0.9, beta2 = 0.999;  // adam, adamw
  double eps = 1e-8;                  // adam, adamw, rmsprop, adagrad
  double alpha = 0.99;                // rmsprop
  bool amsgrad = false;               // adam, adamw
  bool centered = false;              // rmsprop
  double l1 = 0.0;                    // L1 penalty added to the loss: l1 · Σ|w|
  double l2 = 0.0;                    // L2 penalty added to the loss: l2 · Σ w²
  double clip_grad_norm = 0.0;        // 0: no clipping
};

struct SchedulerConfig {
  std::string name = "none";  // none|step|exponential|cosine|warmup
  int64_t step_size = 1;      // step
  double gamma = 0.1;         // step, exponential
  int64_t t_max = 0;          // cosine (0: the number of epochs)
  double eta_min = 0.0;       // cosine
  int64_t warmup_epochs = 0;  // warmup: linear from start_factor to 1
  double start_factor = 1.0 / 3.0;
};

struct TrainLoopConfig {
  int64_t epochs = 100;
  int64_t batch_size = 0;  // 0 = full batch
  bool shuffle = false;
  bool drop_last = false;
  int64_t log_every = 0;         // 0: about 10 log lines per run
  int64_t checkpoint_every = 0;  // epochs between checkpoints (0: none)
  int64_t gif_every = 0;         // epochs between boundary.gif frames (0: about 40 frames)
  // Where the random draws come from. "run": a Generator(seed) of the run's own for the initial
  // parameters and dropout, and the shuffles from a generator seeded by the seed and the epoch.
  // "global": as a PyTorch script that calls torch.manual_seed(seed) before building the model
  // and uses DataLoader(shuffle=True) with no generator — the trainer calls
  // nabla::manual_seed(seed) when it builds the model, and the initial parameters, dropout and
  // the loader's shuffles all draw from nabla's default generator, one stream.
  std::string generator = "run";
};

struct TrainConfig {
  uint64_t seed = 0;
  DType dtype = DType::float32;
  DataConfig data;
  ModelConfig model;
  LossConfig loss;
  OptimConfig optim;
  SchedulerConfig scheduler;
  TrainLoopConfig train;
  std::string source = "<config>";  // file name, for messages
};

// Parses TOML text; `overrides` are "dotted.key=value" strings (value in TOML syntax, bare words
// taken as strings) applied on top, as `nabla train --set`.
TrainConfig parse_train_config(const std::string& toml_text, const std::string& source_name = "<config>",
                               const std::vector<std::string>& overrides = {});
TrainConfig parse_train_config_file(const std::string& path, const std::vector<std::string>& overrides = {});

// The resolved configuration as TOML (every key, defaults filled in); parsing it back gives the
// same configuration.
std::string to_toml(const TrainConfig& config);

// The width (features) after each layer; throws ParseError if the layers do not chain.
std::vector<int64_t> layer_widths(const TrainConfig& config);

}  // namespace nabla::train
