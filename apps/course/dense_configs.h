// course/dense_configs.h — the dense-network homework (seed 002 §4, issue #15 item 4): three
// configurations trained on the Diabetes data by the notebook's protocol, and the numbers it
// reports, the same as PyTorch running the same protocol (tests/demo/dense_configs_test.cpp).
//
//   std::vector<nabla::demo::DenseConfigRun> runs = nabla::demo::run_dense_configs();
//   runs[1].val_mse.back();   // configuration 2's validation MSE after the last epoch
//   runs[2].test_mse;         // configuration 3's test MSE, beside runs[2].mean_predictor_test_mse
//
// The protocol, written in examples/dense_config{1,2,3}.toml and run by train::Trainer:
// load_diabetes(); sklearn's train_test_split with test 0.3 (random_state 42), then the training
// part again with test 0.2 (random_state 42): 247 training, 62 validation, 133 test rows;
// StandardScaler (nabla::Standardizer) fitted on the training rows; float32; MSELoss;
// DataLoader(batch_size 8, shuffle, drop_last) drawing its shuffles from the global generator,
// which dropout shares (train.generator = "global"), after manual_seed(42) before each model is
// built; AdamW lr 1e-2; 200 epochs. Where the homework leaves a choice open, the configs and
// dense_configs_notes() say so.
//
// How far the numbers can agree with PyTorch's (measured with PyTorch 1.13 on this protocol,
// tests/golden/gen_dense_configs.py: PyTorch against itself in float64 and with the initial
// parameters or the training features moved by one ulp). Every batch loss of the first epoch
// agrees to 1.2e-7 relative (float32 rounding). Configuration 3 is stable: PyTorch's perturbed runs end within 0.2 of
// its test MSE 2656.09 (nabla 2656.10), every epoch within 1e-4. Configuration 1's training MSE agrees to 1e-7 through
// epoch 127, then forks; its validation MSE moves by up to 3.6e-4 in the first epochs in PyTorch's perturbed runs
// alone; test MSE 7008.1 in PyTorch, 6962.9 .. 7003.6 in its perturbed runs (nabla 6947.6). Configuration 2 is chaotic:
// the runs part after epoch 11, and the test MSE of PyTorch's runs spans 2909 .. 3221 around its 2947.5 (nabla 3040.9).
// The test MSE of predicting the training mean is 5438.48.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/train/config.h"

namespace nabla::demo {

struct DenseConfigRun {
  std::string name;           // the config's file, "dense_config1.toml"
  train::TrainConfig config;  // as it ran
  int64_t parameters = 0;     // trainable values (weights, biases, norm affine parameters)
  int64_t train_rows = 0, validation_rows = 0, test_rows = 0;  // 247, 62, 133
  int64_t batches_per_epoch = 0;                               // floor(247 / 8) = 30 (drop_last)
  // Per epoch (index e = epoch e + 1):
  // train_mse[e]: the mean over the epoch's batches of each batch's MSE, computed in train mode
  //   (dropout on, batch statistics) in the forward pass before that batch's update — the
  //   mean of loss.item() a PyTorch loop logs;
  // val_mse[e]: the MSE on the validation rows after the epoch, in eval mode (no dropout,
  //   running statistics), in one forward pass.
  std::vector<double> train_mse, val_mse;
  double test_mse = 0;                 // after the last epoch, eval mode, the test rows
  double mean_predictor_test_mse = 0;  // the test MSE of predicting the training targets' mean
  double train_target_mean = 0;        // that mean
};

// What the homework leaves open, and what the configs chose (one line each).
std::vector<std::string> dense_configs_notes();

// Trains one configuration by the protocol (its data section must describe it: the Diabetes
// data, sklearn split with a validation fraction, train.generator = "global"). Throws
// ValueError when the config has no validation and test rows.
DenseConfigRun run_dense_config(const train::TrainConfig& config, const std::string& name = "");

// The three built-in configurations (examples/dense_config{1,2,3}.toml). epochs > 0 overrides
// their train.epochs (200).
std::vector<DenseConfigRun> run_dense_configs(int64_t epochs = 0);

// The homework's reading of the runs: each configuration's share of the test variance explained,
// 1 − test MSE / the mean predictor's test MSE; the best (lowest test MSE, the first on a tie);
// and those that do worse on the test rows than predicting the training mean. Throws ValueError
// for no runs.
struct DenseComparison {
  std::vector<double> explained;        // per run
  size_t best = 0;                      // index into the runs
  std::vector<size_t> worse_than_mean;  // indices, in order
};
DenseComparison compare_dense_runs(const std::vector<DenseConfigRun>& runs);

// A configuration's hidden layers as the comparison table describes them: the widths of the
// linear layers before the last, the activations before it (layer types: "relu", "sigmoid", ...;
// not linear, add, identity, flatten, dropout or a normalisation), each dropout's p (0.5 when not
// given) and each normalisation type once, in order of appearance.
struct DenseLayers {
  std::vector<int64_t> widths;
  std::vector<std::string> activations;
  std::vector<double> dropout;
  std::vector<std::string> norms;
};
DenseLayers describe_layers(const train::TrainConfig& config);

// Whether the runs are the built-in protocol the rounding notes of this header measured: every
// source an examples/ file, trained for 200 epochs.
bool builtin_protocol(const std::vector<DenseConfigRun>& runs, const std::vector<std::string>& sources);

}  // namespace nabla::demo
