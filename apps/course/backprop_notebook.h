// course/backprop_notebook.h — notebook 002 §2's experiments on the protocol of the course's
// backpropagation notebook (1b_retropropagacion), which the homework modifies: its data, split,
// initialisation, batches and learning rate, in float64, reproduced exactly (numpy's legacy
// generator and scikit-learn's train_test_split, nabla/data/), and the gradients from nabla's
// autograd (the notebook's hand-written backward pass gives the same numbers).
//
//   const auto data = nabla::demo::backprop_notebook_data();            // 800 training, 200 validation rows
//   auto run = nabla::demo::backprop_notebook_run(data, nabla::demo::HiddenUnits::relu_residual);
//   run.train_loss.back();  run.val_accuracy;  run.grad_norms_first_step[0];   // layer 1 first
//
// The protocol (tests/golden/gen_backprop_notebook.py runs it in numpy):
//   np.random.seed(42); X = np.random.randn(1000, 2); y = XOR(X[:, 0] > 0, X[:, 1] > 0)
//   X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=42)
//   np.random.seed(0); for each layer in order W = sqrt(1 / fan_in) * randn(fan_in, fan_out), b = 0
//   2 -> 10 -> 10 -> 10 -> 1: ReLU with Z4 = A3·W3 + b3 + A2, or sigmoid without the skip; σ output
//   each epoch np.random.permutation(800) in 50 batches of 16 (a remainder would be dropped);
//   W -= α·dW with α = 0.1; 500 epochs.
// The loss is the homework's eq. 5, −(1/n)·Σ[y·log ŷ + (1 − y)·log(1 − ŷ)] (its "log(1 − y)" is a
// slip for log(1 − ŷ)), with no clipping or epsilon (the homework has none); Reduction::sum drops
// the 1/n. It is evaluated from the logit z (ŷ = σ(z)) as binary_cross_entropy_with_logits does, the
// same number in exact arithmetic but finite where ŷ rounds to 0 or 1 (the ReLU nets reach z > 37,
// where log(1 − ŷ) would be −∞); its gradient is the notebook's δ⁵ = ŷ − y (÷ n for the mean).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/nn/options.h"

namespace nabla::demo {

struct BackpropNotebookSettings {
  int64_t rows = 1000;      // np.random.randn(rows, 2)
  uint32_t data_seed = 42;  // np.random.seed(42) before the data
  double test_size = 0.2;   // train_test_split(..., test_size=0.2, random_state=42)
  uint32_t split_seed = 42;
  uint32_t init_seed = 0;  // np.random.seed(0) before the weights (and the permutations)
  int64_t hidden = 10;     // units in each of the three hidden layers
  int64_t epochs = 500;
  int64_t batch = 16;
  double alpha = 0.1;  // learning rate
};

// The notebook's data: X row-major (rows, 2), y ∈ {0, 1}.
struct BackpropNotebookData {
  std::vector<double> x_train, y_train, x_val, y_val;
  int64_t train_rows() const { return int64_t(y_train.size()); }
  int64_t val_rows() const { return int64_t(y_val.size()); }
};
BackpropNotebookData backprop_notebook_data(const BackpropNotebookSettings& settings = {});

enum class HiddenUnits { relu_residual, sigmoid };
const char* hidden_units_name(HiddenUnits units);  // "relu", "sigmoid"

struct BackpropNotebookRun {
  HiddenUnits units = HiddenUnits::relu_residual;
  nn::Reduction reduction = nn::Reduction::mean;
  BackpropNotebookSettings settings;
  // Per epoch: the mean over its batches of each batch's loss before its update.
  std::vector<double> train_loss;
  // Per epoch, after its updates: the validation accuracy (percent, ŷ > 0.5 is class 1).
  std::vector<double> val_accuracy_per_epoch;
  // Per epoch: the mean over its batches of ‖∂L/∂Wˡ‖_F, layer 1 (next to the input) first.
  std::vector<std::array<double, 4>> grad_norms;
  // ‖∂L/∂Wˡ‖_F on the first batch of epoch 1, layer 1 first.
  std::array<double, 4> grad_norms_first_step{};
  double val_accuracy = 0;  // percent, after training
  // The trained parameters, W1 b1 W2 b2 W3 b3 W4 b4, each row-major ((fan_in, fan_out); (fan_out)).
  std::vector<std::vector<double>> parameters;
  // The first epoch (1-based) whose loss is not finite; 0 if none.
  int64_t first_nonfinite_epoch = 0;
};

// Trains one net on the notebook's protocol: seeds the weights and the permutations with
// settings.init_seed, as the notebook does before each net.
BackpropNotebookRun backprop_notebook_run(const BackpropNotebookData& data, HiddenUnits units,
                                          nn::Reduction reduction = nn::Reduction::mean,
                                          const BackpropNotebookSettings& settings = {});

// How far a run is reproducible, as measured in numpy by tests/golden/gen_backprop_notebook.py
// (and checked against its output by tests/demo/backprop_notebook_test.cpp): the run repeated with
// one starting weight (W1[0, 0] or W4[0, 0]) one ulp up or down. `exact_epochs`: the leading epochs
// on which every such run's loss stays within 1e-10 relative of the unperturbed one; past them the
// last bits of the arithmetic steer the run. The validation accuracy (percent) ranges over
// [val_accuracy_min, val_accuracy_max] across those runs.
struct RoundingSensitivity {
  int64_t exact_epochs = 0;
  double val_accuracy_min = 0, val_accuracy_max = 0;
};
RoundingSensitivity backprop_notebook_sensitivity(HiddenUnits units, nn::Reduction reduction);

// ŷ = p(class 1) of the trained net at each row of x (row-major (n, 2)).
std::vector<double> backprop_notebook_predict(const BackpropNotebookRun& run, const std::vector<double>& x);

}  // namespace nabla::demo
