// Session::state: what the page draws (losses, gradient norms, weights, the heatmaps, the points).
#include <chrono>
#include <cmath>

#include "nabla/autograd/engine.h"
#include "nabla/ops/ops.h"
#include "session/internal.h"
#include "session/session.h"

namespace nabla::serve {

using nlohmann::json;
using namespace internal;

namespace {

// The heatmaps and the points are drawn, not read: 4 decimals (a cell's colour cannot show more)
// keep them compact. Everything a chart or a card shows (losses, gradient norms, weights) is sent
// exact (nlohmann writes the shortest text that reads back as the same double).
double round4(double v) { return std::isfinite(v) ? std::round(v * 1e4) / 1e4 : 0.0; }

std::vector<double> rounded(const Tensor& t) {
  std::vector<double> v = t.contiguous().to_vector<double>();
  for (double& x : v) x = round4(x);
  return v;
}

// Row-major [rows][cols] of a 2-D tensor, rounded to 4 decimals.
json rounded_matrix(const Tensor& t) {
  const std::vector<double> v = rounded(t);
  const int64_t rows = t.size(0), cols = t.size(1);
  json m = json::array();
  for (int64_t r = 0; r < rows; ++r) m.push_back(std::vector<double>(v.begin() + r * cols, v.begin() + (r + 1) * cols));
  return m;
}

// A square grid of points covering [-e, e]², row 0 at the top (y = +e): [side², 2].
Tensor plane_grid(int64_t side, double e) {
  std::vector<double> xy;
  xy.reserve(size_t(side * side * 2));
  for (int64_t r = 0; r < side; ++r)
    for (int64_t c = 0; c < side; ++c) {
      const double t = side > 1 ? double(c) / double(side - 1) : 0.5, u = side > 1 ? double(r) / double(side - 1) : 0.5;
      xy.push_back(-e + 2 * e * t);
      xy.push_back(e - 2 * e * u);
    }
  return Tensor::from_vector(xy, {side * side, 2}, kDType);
}

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

json Session::state(const StateOptions& o) {
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  const Task t = task();
  // A version this session never had (another session's, or a forged one) gets everything.
  const bool full = o.since < 0 || o.since > version_;
  auto changed = [&](int64_t version) { return full || version > o.since; };
  json s;
  s["version"] = version_;
  s["delta"] = !full;
  s["epoch"] = epoch_;
  s["steps"] = steps_;
  s["train_loss"] = number_or_null(last_train_loss_);
  s["test_loss"] = number_or_null(last_test_loss_);
  s["train_accuracy"] = number_or_null(last_train_acc_);
  s["test_accuracy"] = number_or_null(last_test_acc_);
  if (changed(structure_version_)) {
    s["batches_per_epoch"] = batches_per_epoch();
    s["task"] = task_name(t);
    s["num_classes"] = num_classes_;
    s["class_names"] = class_names_;
    s["loss_name"] = loss_name();
    s["value_scale"] = value_scale_;
    s["num_points"] = train_.size() + test_.size();
    s["extent"] = extent_;
    s["config"] = to_json(config_);
    s["has_points"] = points_ != nullptr;
    if (points_)
      s["upload"] = {{"source", points_->source},
                     {"points", points_->xy.size(0)},
                     {"num_classes", points_->num_classes},
                     {"centre", points_centre_},
                     {"scale", points_scale_}};
    std::vector<int64_t> sizes = {int64_t(config_.features.size())};
    for (const auto& lin : linears(*model_)) sizes.push_back(lin->weight.size(0));
    s["layer_sizes"] = sizes;
  }
  const bool replace = changed(history_version_);
  json h = {{"epoch", json::array()}, {"train", json::array()}, {"test", json::array()}, {"grad_norms", json::array()}};
  for (const HistoryPoint& p : history_) {
    if (!replace && p.version <= o.since) continue;
    h["epoch"].push_back(p.epoch);
    h["train"].push_back(number_or_null(p.train_loss));
    h["test"].push_back(number_or_null(p.test_loss));
    h["grad_norms"].push_back(p.grad_norms);
  }
  s["history"] = h;
  s["history_mode"] = replace ? "replace" : "append";
  if (changed(weights_version_)) {
    s["grad_norms"] = grad_norms_;
    json weights = json::array();
    for (const auto& lin : linears(*model_))
      weights.push_back({{"w", matrix(lin->weight)}, {"b", lin->bias.to_vector<double>()}});
    s["weights"] = weights;
  }
  if (o.points && changed(data_version_)) s["points"] = points_json(t);
  if (o.grid > 0 || o.neuron_grid > 0) grids(o, full, s);
  s["version"] = version_;  // a computation of the grids is a change too (below)
  model_->train(was_training);
  return s;
}

// The heatmaps: the output over the plane ("boundary") and every neuron's ("neurons"). They are
// the costly part of a state (a forward pass over grid² + neurons² points), so they are kept for
// the weights they were computed from, and recomputed at most every o.grid_interval while the
// weights keep changing: a page polling 25 times a second gets new heatmaps ten times a second,
// and its losses, weights and history every time. A full state always has them up to date. A
// computation gets a new version (the heatmaps changed), and a delta carries them when that
// version is newer than `since`.
void Session::grids(const StateOptions& o, bool full, json& s) {
  const Task t = task();
  const bool fits = grid_cache_.structure == structure_version_ && grid_cache_.grid == o.grid &&
                    grid_cache_.neuron_grid == o.neuron_grid;
  const bool stale = !fits || grid_cache_.weights != weights_version_;
  const auto now = std::chrono::steady_clock::now();
  if (stale && (full || !fits || now - grid_cache_.at >= o.grid_interval)) {
    GridCache c;
    c.structure = structure_version_;
    c.weights = weights_version_;
    c.grid = o.grid;
    c.neuron_grid = o.neuron_grid;
    c.at = now;
    compute_grids(o, t, c.boundary, c.neurons);
    c.version = ++version_;
    grid_cache_ = std::move(c);
  }
  if (full || grid_cache_.version > o.since) {
    if (o.grid > 0) s["boundary"] = grid_cache_.boundary;
    if (o.neuron_grid > 0) s["neurons"] = grid_cache_.neurons;
  }
  // Large grids (the page asks for 50² and 20²) are not kept: memory per session stays small.
  if (o.grid * o.grid + o.neuron_grid * o.neuron_grid > 8192) {
    grid_cache_.boundary = grid_cache_.neurons = json();
    grid_cache_.structure = -1;
  }
}

void Session::compute_grids(const StateOptions& o, Task t, json& boundary, json& neurons) {
  // The output, and every neuron's activation, over the plane. With k classes the output
  // neurons are shown as probabilities: softmax of the logits.
  auto walk = [&](const Tensor& xy, bool all_neurons) {
    Tensor h = compute_features(xy, config_.features);
    json layers = json::array();
    if (all_neurons) layers.push_back(rounded_matrix(h.t()));
    const nn::Sequential& seq = model_->layers();
    Tensor a = h;
    for (size_t i = 0; i < seq.size(); ++i) {
      a = (*seq[i])(a);
      // A layer's neurons are shown after its activation: the module following a linear one.
      const bool after_activation = i > 0 && std::dynamic_pointer_cast<nn::Linear>(seq[i - 1]) != nullptr;
      if (all_neurons && after_activation) layers.push_back(rounded_matrix(a.t()));
    }
    if (t == Task::multiclass) {
      a = softmax(a, 1);
      if (all_neurons) layers.push_back(rounded_matrix(a.t()));
    }
    return std::make_pair(a, layers);
  };
  if (o.grid > 0) {
    const int64_t side = std::min<int64_t>(o.grid, 200);
    // 4096 points at a time: through 64-wide layers that is 2 MB per layer's output, where the
    // whole 200 × 200 grid at once would be 20 MB each.
    const Tensor xy = plane_grid(side, extent_);
    constexpr int64_t kChunk = 4096;
    std::vector<Tensor> parts;
    for (int64_t r = 0; r < xy.size(0); r += kChunk)
      parts.push_back(walk(xy.slice(0, r, std::min(xy.size(0), r + kChunk)), false).first);
    const Tensor out = parts.size() == 1 ? parts[0] : concat(parts, 0);
    if (t == Task::multiclass) {  // the most likely class, and its probability
      const std::vector<int64_t> cls = argmax(out, 1).to_vector<int64_t>();
      const std::vector<double> p = rounded(amax(out, {1}));
      boundary = {{"side", side}, {"values", cls}, {"confidence", p}};
    } else {
      boundary = {{"side", side}, {"values", rounded(out)}};
    }
  }
  if (o.neuron_grid > 0)
    neurons = {{"side", std::min<int64_t>(o.neuron_grid, 64)},
               {"layers", walk(plane_grid(std::min<int64_t>(o.neuron_grid, 64), extent_), true).second}};
}

json Session::points_json(Task t) const {
  const bool classes = t != Task::regression;
  auto pts = [classes](const Tensor& xy, const Tensor& y) {
    const std::vector<double> p = rounded(xy), l = y.to_vector<double>();
    json out = json::array();
    for (size_t i = 0; i < l.size(); ++i)
      out.push_back({p[2 * i], p[2 * i + 1], classes ? json(int64_t(l[i])) : json(round4(l[i]))});
    return out;
  };
  return {{"train", pts(train_xy_, train_.y)}, {"test", pts(test_xy_, test_.y)}};
}

}  // namespace nabla::serve
