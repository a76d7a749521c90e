// nabla/serve/session.h — one playground session: a 2-D toy dataset, a small network on chosen
// input features, and the training state the web playground (`nabla serve`) shows.
//
// The server only routes requests to a Session and sends back the JSON it returns; the data, the
// model (a train::ConfigModel, so that the export is a `nabla train` configuration), the
// training loop and the backprop step-through (read from nabla's autograd) all live here.
//
//   Session s(session_config_from_json(nlohmann::json::parse(R"({"dataset": "circle"})")));
//   s.train_batches(100);                        // advances through epochs, batch by batch
//   nlohmann::json st = s.state({.grid = 50});   // losses, grids, weights, gradient norms
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/nn/loss.h"
#include "nabla/optim/optimizer.h"
#include "nabla/tensor/random.h"
#include "nabla/train/config.h"
#include "nabla/train/trainer.h"

namespace nabla::serve {

// Limits that keep one session small enough to train interactively.
inline constexpr int64_t kMaxHiddenLayers = 8;
inline constexpr int64_t kMaxNeurons = 64;
inline constexpr int64_t kMaxPoints = 10000;

// The playground's controls. Every field has a default; session_config_from_json checks ranges.
struct SessionConfig {
  std::string dataset = "circle";                    // circle|xor|gaussian|spiral|moons|blobs
  double noise = 10;                                 // 0–50: percent of the dataset's scale
  double train_ratio = 50;                           // 10–90: percent of the points used for training
  int64_t points = 500;                              // 10–10000
  int64_t batch_size = 10;                           // 1–points
  std::vector<std::string> features = {"x1", "x2"};  // x1 x2 x1sq x2sq x1x2 sinx1 sinx2
  std::vector<int64_t> hidden = {4, 2};              // neurons per hidden layer (0–8 layers)
  std::vector<std::string> activations = {"tanh"};   // one per hidden layer, or one for all
  double learning_rate = 0.03;
  std::string regularization = "none";  // none|l1|l2
  double regularization_rate = 0;
  std::string optimizer = "adam";  // sgd|momentum|adam
  double momentum = 0.9;           // momentum
  std::string loss = "bce";        // bce|mse
  double dropout = 0;              // 0–0.9, after each hidden activation
  uint64_t seed = 1;
};

// Names accepted by the fields above.
std::vector<std::string> session_dataset_names();
std::vector<std::string> session_feature_names();
std::vector<std::string> session_activation_names();

// Fields missing from `j` keep their defaults (from `base`); a wrong type, an unknown value or an
// out-of-range number is a nabla::ValueError naming the field.
SessionConfig session_config_from_json(const nlohmann::json& j, const SessionConfig& base = {});
nlohmann::json to_json(const SessionConfig& config);

// The equivalent `nabla train` configuration (features other than x1, x2 have no TOML
// counterpart; export_toml says so in a comment).
train::TrainConfig to_train_config(const SessionConfig& config);

// The input features of the points `xy` [N, 2]: [N, features.size()].
Tensor compute_features(const Tensor& xy, const std::vector<std::string>& features);

struct StateOptions {
  int64_t grid = 50;         // decision-boundary grid side (0: none)
  int64_t neuron_grid = 20;  // per-neuron grid side (0: none)
  bool points = true;        // include the data points
};

class Session {
 public:
  explicit Session(SessionConfig config);

  const SessionConfig& config() const { return config_; }
  // Replaces the configuration: new data and a new model.
  void configure(SessionConfig config);
  // New weights and optimizer state, same data; epoch 0.
  void reset();
  // New data (next seed), then reset().
  void regenerate();

  // Runs `batches` optimizer steps, moving to the next epoch when one ends (full train and
  // test losses are measured at each epoch end). Returns the number of completed epochs.
  int64_t train_batches(int64_t batches);
  // Finishes the current epoch (one full epoch when at its start).
  void step_epoch();

  int64_t epoch() const { return epoch_; }
  int64_t steps() const { return steps_; }
  int64_t batches_per_epoch() const;

  nlohmann::json state(const StateOptions& options = {});

  // Sets one parameter: weight of layer `layer` (0-based over linear layers) from input `from`
  // to neuron `to`, or that neuron's bias. ValueError when out of range or not finite.
  void set_weight(int64_t layer, int64_t to, int64_t from, double value);
  void set_bias(int64_t layer, int64_t neuron, double value);

  // One training sample through the network: forward (each neuron's z and a), backward (each
  // neuron's δ = ∂C/∂z, each weight's ∂C/∂w, from nabla::grad), then one optimizer update on
  // this sample, and the sample's loss before and after. Dropout is off for the step.
  nlohmann::json step_through(int64_t sample);

  std::string export_safetensors() const;
  std::string export_toml() const;

  // For tests: the model and the training data.
  train::ConfigModel& model() { return *model_; }
  const Dataset& train_set() const { return train_; }
  const Dataset& test_set() const { return test_; }
  // The data loss of the model's output `out` for targets `y`.
  Tensor loss_of(const Tensor& out, const Tensor& y) const;

 private:
  void build_data();
  void build_model();
  void end_epoch();
  double evaluate(const Dataset& d);

  SessionConfig config_;
  uint64_t data_seed_ = 0;
  uint64_t model_seed_ = 0;
  Dataset train_, test_;       // features already computed
  Tensor train_xy_, test_xy_;  // the raw points [N, 2], for drawing
  double extent_ = 1;          // the plane shown is [-extent, extent]²
  Generator generator_;
  std::shared_ptr<train::ConfigModel> model_;
  std::shared_ptr<nn::Loss> loss_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::vector<int64_t> order_;  // this epoch's shuffled row order
  int64_t cursor_ = 0;          // next batch start in order_
  int64_t epoch_ = 0, steps_ = 0;
  double last_train_loss_ = 0, last_test_loss_ = 0;
  struct HistoryPoint {
    int64_t epoch;
    double train_loss, test_loss;
    std::vector<double> grad_norms;  // per linear layer
  };
  std::vector<HistoryPoint> history_;
  std::vector<double> grad_norms_;
};

}  // namespace nabla::serve
