// apps/serve/session/session.h — one playground session: a 2-D dataset (a toy one, or points uploaded as
// CSV), a small network on chosen input features, and the training state the web playground
// (`nabla serve`) shows.
//
// The server only routes requests to a Session and sends back the JSON it returns; the data, the
// model (a train::ConfigModel, so that the export is a `nabla train` configuration), the
// training loop and the backprop step-through (read from nabla's autograd) all live here.
// Three kinds of task, chosen by the data: binary classification (sigmoid output, BCE or MSE),
// multi-class classification (k logits, softmax + cross-entropy) and regression (a linear
// output, MSE).
//
//   Session s(session_config_from_json(nlohmann::json::parse(R"({"dataset": "circle"})")));
//   s.train_batches(100);                        // advances through epochs, batch by batch
//   nlohmann::json st = s.state({.grid = 50});   // losses, grids, weights, gradient norms
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/nn/loss.h"
#include "nabla/optim/optimizer.h"
#include "nabla/tensor/random.h"
#include "nabla/train/config.h"
#include "nabla/train/step.h"
#include "nabla/train/trainer.h"

namespace nabla::serve {

// Limits that keep one session small enough to train interactively.
inline constexpr int64_t kMaxHiddenLayers = 8;
inline constexpr int64_t kMaxNeurons = 64;
inline constexpr int64_t kMaxPoints = 10000;
inline constexpr int64_t kMaxClasses = 8;
inline constexpr size_t kMaxCsvBytes = size_t(1) << 20;

// The playground's controls. Every field has a default; session_config_from_json checks ranges.
struct SessionConfig {
  // circle|xor|gaussian|spiral|moons|blobs (classification), plane|multi-gaussian (regression),
  // csv (the points given to Session::set_points)
  std::string dataset = "circle";
  // The defaults are TensorFlow Playground's: noise 0, ratio 50, batch 10, tanh 4-2, SGD lr 0.03,
  // no regularization.
  double noise = 0;                                  // 0–50: percent of the dataset's scale
  double train_ratio = 50;                           // 10–90: percent of the points used for training
  int64_t points = 500;                              // 10–10000
  int64_t batch_size = 10;                           // 1–points
  int64_t classes = 2;                               // 2–8: classes of blobs, spiral and gaussian
  std::vector<std::string> features = {"x1", "x2"};  // x1 x2 x1sq x2sq x1x2 sinx1 sinx2
  std::vector<int64_t> hidden = {4, 2};              // neurons per hidden layer (0–8 layers)
  std::vector<std::string> activations = {"tanh"};   // one per hidden layer, or one for all
  double learning_rate = 0.03;
  std::string regularization = "none";  // none|l1|l2
  double regularization_rate = 0;
  std::string optimizer = "sgd";  // sgd|momentum|adam|adamw|rmsprop|adagrad (session_optimizer_names)
  double momentum = 0.9;          // momentum
  std::string loss = "bce";       // bce|mse for two classes (more: cross-entropy; regression: mse)
  double dropout = 0;             // 0–0.9, after each hidden activation
  uint64_t seed = 1;
};

// Names accepted by the fields above (the generated datasets; "dataset" also takes "csv").
std::vector<std::string> session_dataset_names();
std::vector<std::string> session_feature_names();
std::vector<std::string> session_activation_names();  // the activation rows of train::layer_recipes()
std::vector<std::string> session_optimizer_names();   // "momentum" (SGD with momentum) and optim::optimizer_recipes()

// Fields missing from `j` keep their defaults (from `base`); a wrong type, an unknown value or an
// out-of-range number is a nabla::ValueError naming the field.
SessionConfig session_config_from_json(const nlohmann::json& j, const SessionConfig& base = {});
nlohmann::json to_json(const SessionConfig& config);

// What the data ask of the network: 2 classes (one sigmoid output), k > 2 classes (k logits,
// softmax + cross-entropy) or a real number (one linear output, MSE).
enum class Task { binary, multiclass, regression };
const char* task_name(Task task);

// The classes a configuration's synthetic dataset has: 0 for regression (plane,
// multi-gaussian), `classes` for blobs, spiral and gaussian, 2 for the others (and for csv,
// whose classes come from the file).
int64_t dataset_classes(const SessionConfig& config);

// The equivalent `nabla train` configuration for data with `num_classes` classes (0:
// regression; -1: dataset_classes(config)). Features other than x1, x2 have no TOML counterpart;
// export_toml says so in a comment.
train::TrainConfig to_train_config(const SessionConfig& config, int64_t num_classes = -1);

// Points uploaded as CSV, as the file has them.
struct PointsData {
  Tensor xy;                // [N, 2] float64: x1, x2
  Tensor y;                 // binary: float64 [N, 1] of 0/1; multi-class: int64 [N]; regression: float64 [N, 1]
  int64_t num_classes = 2;  // 2, k > 2, or 0 (regression)
  std::vector<std::string> class_names;  // the labels as the file writes them, one per class
  std::string source = "upload.csv";
};

// Parses uploaded 2-D points: three columns x1, x2, label (the third column is the label
// whatever its name), one point per line, a header row optional (it is one when its first field
// is not a number), RFC 4180 quoting, LF or CRLF, a UTF-8 BOM. Labels: two to eight distinct
// integers or words are classes (in numeric, else sorted order: -1/1 and 0/1 are binary), other
// numbers are regression targets. At most kMaxPoints points and kMaxCsvBytes bytes.
// A malformed file is a ParseError "source:line:column: ..." (line and column of the data as
// sent, also with no header); a well-formed one that cannot be used is a ValueError.
PointsData parse_points_csv(std::string_view text, const std::string& source = "upload.csv");

// TensorFlow Playground's regression datasets, defined as its src/dataset.ts defines them
// (regressPlane, regressGaussian): n points (x, y) uniform on [-6, 6]², and a label computed at
// the point moved by noise: (x + u·noise, y + v·noise) with u, v uniform on [-6, 6], noise in
// [0, 0.5] (the playground's 0–50 %). Draws: rand({n, 4}) from Generator(seed), row i = x, y, u,
// v as (r·12 − 6). y float64 [N, 1], num_classes 0.
//   plane:          label = (x + y) / 10
//   multi-gaussian: six centres (±4 or 0, ±2.5) with signs; each gives sign · max(0, 1 − d/2) at
//                   distance d; the label is the one largest in absolute value (0 if none).
double playground_plane_label(double x, double y);
double playground_multi_gaussian_label(double x, double y);
Dataset make_playground_plane(int64_t n, double noise, uint64_t seed);
Dataset make_playground_multi_gaussian(int64_t n, double noise, uint64_t seed);

// The input features of the points `xy` [N, 2]: [N, features.size()].
Tensor compute_features(const Tensor& xy, const std::vector<std::string>& features);

struct StateOptions {
  int64_t grid = 50;         // decision-boundary grid side (0: none)
  int64_t neuron_grid = 20;  // per-neuron grid side (0: none)
  bool points = true;        // include the data points
  // -1: everything. A version a previous state returned: only what changed since (below).
  int64_t since = -1;
  // While the weights keep changing, the heatmaps are recomputed at most this often (a full
  // state always has them up to date). The server uses 100 ms.
  std::chrono::steady_clock::duration grid_interval{0};
};

// What Session::state returns. Always: "version" (this state's; it grows with every change),
// "delta" (true when only changes since `since` are in it), "epoch", "steps", "train_loss",
// "test_loss", "train_accuracy", "test_accuracy". Then, in a full state (since -1, or a version
// this session never had) or when changed since `since`:
//   the data's and the network's shape (when configured, reset, regenerated or uploaded):
//     "task", "num_classes", "class_names", "loss_name", "value_scale", "num_points", "extent",
//     "config", "has_points", "upload", "layer_sizes", "batches_per_epoch"
//   the weights (when any changed: a step, an edit, a reset): "weights", "grad_norms"
//   the heatmaps "boundary" and "neurons": when recomputed since `since` (for new weights, at
//     most every grid_interval while they keep changing; a recomputation is a new version)
//   the points (when the data changed): "points"
//   "history": the losses and gradient norms per epoch, with "history_mode": "append" (only the
//     epochs ended since `since`: add them to what you have) or "replace" (the whole history: a
//     full state, a reset, or the history thinned to its kMaxHistory points since).
// A field absent from a delta is unchanged. Ask again in full after changing grid, neurons or
// points (a delta is computed for the same options).

class Session {
 public:
  explicit Session(SessionConfig config);

  const SessionConfig& config() const { return config_; }
  // Replaces the configuration: new data and a new model.
  void configure(SessionConfig config);
  // New weights and optimizer state, same data; epoch 0.
  void reset();
  // New data (next seed; for csv: a new train/test split), then reset().
  void regenerate();
  // Uses uploaded points as the data (dataset "csv"): coordinates rescaled to [-1, 1]² keeping
  // their aspect ratio (x' = (x − centre) / scale), a new model. They stay with the session, so
  // choosing "csv" again later brings them back.
  void set_points(PointsData points);
  bool has_points() const { return points_ != nullptr; }

  Task task() const;
  int64_t num_classes() const { return num_classes_; }
  // The loss trained on: "bce", "mse" or "cross_entropy".
  std::string loss_name() const;
  train::TrainConfig train_config() const { return to_train_config(config_, num_classes_); }

  // Runs `batches` optimizer steps, moving to the next epoch when one ends (full train and
  // test losses are measured at each epoch end). Returns the number of completed epochs.
  int64_t train_batches(int64_t batches);
  // Finishes the current epoch (one full epoch when at its start).
  void step_epoch();

  int64_t epoch() const { return epoch_; }
  int64_t version() const { return version_; }
  int64_t steps() const { return steps_; }
  int64_t batches_per_epoch() const;

  nlohmann::json state(const StateOptions& options = {});

  // Sets one parameter: weight of layer `layer` (0-based over linear layers) from input `from`
  // to neuron `to`, or that neuron's bias. ValueError when out of range or not finite.
  void set_weight(int64_t layer, int64_t to, int64_t from, double value);
  void set_bias(int64_t layer, int64_t neuron, double value);

  // One training sample through the network: forward (each neuron's z and a), backward (each
  // neuron's δ = ∂C/∂z, ∂C/∂a, each weight's ∂C/∂w, from nabla::grad), then one optimizer update
  // on this sample, and the sample's loss before and after. Dropout is off for the step. With
  // k classes the output layer's a is softmax(z) (the loss takes the logits z).
  nlohmann::json step_through(int64_t sample);

  std::string export_safetensors() const;
  std::string export_toml() const;
  // Every point (training rows first) as x1,x2,label in the session's coordinates: the file the
  // exported TOML reads for plane, multi-gaussian and csv.
  std::string export_points_csv() const;

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
  struct Evaluation {
    double loss, accuracy;  // accuracy NaN for regression
  };
  Evaluation evaluate(const Dataset& d);
  void measure();                                                   // the losses and accuracies of train_ and test_
  nlohmann::json points_json(Task t) const;                         // state()'s "points"
  void grids(const StateOptions& o, bool full, nlohmann::json& s);  // state()'s heatmaps
  void compute_grids(const StateOptions& o, Task t, nlohmann::json& boundary, nlohmann::json& neurons);
  struct GridCache {
    int64_t version = -1, weights = -1, structure = -1, grid = -1, neuron_grid = -1;
    std::chrono::steady_clock::time_point at;
    nlohmann::json boundary, neurons;
  };
  GridCache grid_cache_;

  SessionConfig config_;
  uint64_t data_seed_ = 0;
  uint64_t model_seed_ = 0;
  Dataset train_, test_;       // features already computed
  Tensor train_xy_, test_xy_;  // the raw points [N, 2], for drawing
  double extent_ = 1;          // the plane shown is [-extent, extent]²
  int64_t num_classes_ = 2;    // of the data: 2, k > 2, or 0 (regression)
  std::vector<std::string> class_names_;
  double value_scale_ = 1;                    // regression: the largest |target|, for colours
  std::shared_ptr<const PointsData> points_;  // uploaded (dataset csv)
  double points_scale_ = 1;                   // csv: x' = (x − points_centre_) / points_scale_
  std::vector<double> points_centre_ = {0, 0};
  Generator generator_;
  std::shared_ptr<train::ConfigModel> model_;
  std::shared_ptr<nn::Loss> loss_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::optional<train::TrainStep> step_;  // one batch's update, on the three above
  std::vector<int64_t> order_;            // this epoch's shuffled row order
  int64_t cursor_ = 0;                    // next batch start in order_
  int64_t epoch_ = 0, steps_ = 0;
  double last_train_loss_ = 0, last_test_loss_ = 0;
  double last_train_acc_ = 0, last_test_acc_ = 0;
  // Versions: version_ grows with every change; each *_version_ is the version of its last change.
  int64_t version_ = 0, structure_version_ = 0, weights_version_ = 0, data_version_ = 0, history_version_ = 0;
  struct HistoryPoint {
    int64_t version;  // when it was added
    int64_t epoch;
    double train_loss, test_loss;
    std::vector<double> grad_norms;  // per linear layer
  };
  std::vector<HistoryPoint> history_;
  std::vector<double> grad_norms_;
};

}  // namespace nabla::serve
