// The playground session: data, model, batch-by-batch training, state and step-through.
#include "nabla/serve/session.h"

#include <algorithm>
#include <cmath>

#include "nabla/autograd/engine.h"
#include "nabla/data/synthetic.h"
#include "nabla/error.h"
#include "nabla/io/safetensors.h"
#include "nabla/nn/linear.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/adam.h"
#include "nabla/optim/clip_grad.h"
#include "nabla/optim/sgd.h"

namespace nabla::serve {
namespace {

using nlohmann::json;

constexpr DType kDType = DType::float64;
constexpr size_t kMaxHistory = 600;

bool one_of(const std::string& v, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), v) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

double read_number(const json& j, const char* key, double current, double lo, double hi) {
  if (!j.contains(key)) return current;
  const json& v = j.at(key);
  NABLA_CHECK(v.is_number(), ValueError, "\"", key, "\" must be a number");
  const double d = v.get<double>();
  NABLA_CHECK(std::isfinite(d) && d >= lo && d <= hi, ValueError, "\"", key, "\" = ", d, " is out of range [", lo, ", ",
              hi, "]");
  return d;
}

int64_t read_int(const json& j, const char* key, int64_t current, int64_t lo, int64_t hi) {
  const double d = read_number(j, key, double(current), double(lo), double(hi));
  NABLA_CHECK(d == std::floor(d), ValueError, "\"", key, "\" must be a whole number, got ", d);
  return int64_t(d);
}

std::string read_choice(const json& j, const char* key, const std::string& current,
                        const std::vector<std::string>& names) {
  if (!j.contains(key)) return current;
  const json& v = j.at(key);
  NABLA_CHECK(v.is_string(), ValueError, "\"", key, "\" must be a string");
  const std::string s = v.get<std::string>();
  NABLA_CHECK(one_of(s, names), ValueError, "\"", key, "\" = \"", s, "\" is not one of ", joined(names));
  return s;
}

double round4(double v) { return std::isfinite(v) ? std::round(v * 1e4) / 1e4 : 0.0; }

std::vector<double> rounded(const Tensor& t) {
  std::vector<double> v = t.contiguous().to_vector<double>();
  for (double& x : v) x = round4(x);
  return v;
}

// Row-major [rows][cols] of a 2-D tensor.
json matrix(const Tensor& t) {
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

double norm2(const Tensor& t) {
  double s = 0;
  if (t.defined())
    for (double g : t.to_vector<double>()) s += g * g;
  return s;
}

}  // namespace

std::vector<std::string> session_dataset_names() { return {"circle", "xor", "gaussian", "spiral", "moons", "blobs"}; }
std::vector<std::string> session_feature_names() { return {"x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"}; }
std::vector<std::string> session_activation_names() { return {"tanh", "relu", "sigmoid", "linear", "leaky_relu"}; }

SessionConfig session_config_from_json(const json& j, const SessionConfig& base) {
  NABLA_CHECK(j.is_object(), ValueError, "the configuration must be a JSON object");
  static const std::vector<std::string> known = {
      "dataset",     "noise",      "train_ratio",   "points",         "batch_size",          "features",  "hidden",
      "activations", "activation", "learning_rate", "regularization", "regularization_rate", "optimizer", "momentum",
      "loss",        "dropout",    "seed"};
  for (const auto& [key, _] : j.items())
    NABLA_CHECK(one_of(key, known), ValueError, "unknown configuration key \"", key, "\" (known: ", joined(known), ")");
  SessionConfig c = base;
  c.dataset = read_choice(j, "dataset", c.dataset, session_dataset_names());
  c.noise = read_number(j, "noise", c.noise, 0, 50);
  c.train_ratio = read_number(j, "train_ratio", c.train_ratio, 10, 90);
  c.points = read_int(j, "points", c.points, 10, kMaxPoints);
  c.batch_size = read_int(j, "batch_size", c.batch_size, 1, kMaxPoints);
  c.learning_rate = read_number(j, "learning_rate", c.learning_rate, 1e-6, 10);
  c.regularization = read_choice(j, "regularization", c.regularization, {"none", "l1", "l2"});
  c.regularization_rate = read_number(j, "regularization_rate", c.regularization_rate, 0, 10);
  c.optimizer = read_choice(j, "optimizer", c.optimizer, {"sgd", "momentum", "adam"});
  c.momentum = read_number(j, "momentum", c.momentum, 0, 0.999);
  c.loss = read_choice(j, "loss", c.loss, {"bce", "mse"});
  c.dropout = read_number(j, "dropout", c.dropout, 0, 0.9);
  c.seed = uint64_t(read_int(j, "seed", int64_t(c.seed), 0, int64_t(1) << 40));
  if (j.contains("features")) {
    const json& f = j.at("features");
    NABLA_CHECK(f.is_array() && !f.empty(), ValueError, "\"features\" must be a non-empty array of names");
    c.features.clear();
    for (const json& name : f) {
      NABLA_CHECK(name.is_string() && one_of(name.get<std::string>(), session_feature_names()), ValueError,
                  "\"features\": each entry must be one of ", joined(session_feature_names()));
      NABLA_CHECK(!one_of(name.get<std::string>(), c.features), ValueError, "\"features\": \"", name.get<std::string>(),
                  "\" is listed twice");
      c.features.push_back(name.get<std::string>());
    }
  }
  if (j.contains("hidden")) {
    const json& h = j.at("hidden");
    NABLA_CHECK(h.is_array() && int64_t(h.size()) <= kMaxHiddenLayers, ValueError,
                "\"hidden\" must be an array of at most ", kMaxHiddenLayers, " layer sizes");
    c.hidden.clear();
    for (const json& n : h) {
      NABLA_CHECK(n.is_number_integer() && n.get<int64_t>() >= 1 && n.get<int64_t>() <= kMaxNeurons, ValueError,
                  "\"hidden\": each layer needs 1 to ", kMaxNeurons, " neurons");
      c.hidden.push_back(n.get<int64_t>());
    }
  }
  if (j.contains("activation")) c.activations = {read_choice(j, "activation", "tanh", session_activation_names())};
  if (j.contains("activations")) {
    const json& a = j.at("activations");
    NABLA_CHECK(a.is_array() && !a.empty() && a.size() <= size_t(kMaxHiddenLayers), ValueError,
                "\"activations\" must be an array of 1 to ", kMaxHiddenLayers, " names");
    c.activations.clear();
    for (const json& name : a) {
      NABLA_CHECK(name.is_string() && one_of(name.get<std::string>(), session_activation_names()), ValueError,
                  "\"activations\": each entry must be one of ", joined(session_activation_names()));
      c.activations.push_back(name.get<std::string>());
    }
  }
  NABLA_CHECK(c.activations.size() == 1 || c.activations.size() >= c.hidden.size(), ValueError, "\"activations\" has ",
              c.activations.size(), " entries for ", c.hidden.size(), " hidden layers (give one, or one per layer)");
  return c;
}

json to_json(const SessionConfig& c) {
  return {{"dataset", c.dataset},
          {"noise", c.noise},
          {"train_ratio", c.train_ratio},
          {"points", c.points},
          {"batch_size", c.batch_size},
          {"features", c.features},
          {"hidden", c.hidden},
          {"activations", c.activations},
          {"learning_rate", c.learning_rate},
          {"regularization", c.regularization},
          {"regularization_rate", c.regularization_rate},
          {"optimizer", c.optimizer},
          {"momentum", c.momentum},
          {"loss", c.loss},
          {"dropout", c.dropout},
          {"seed", c.seed}};
}

namespace {

const std::string& activation_of(const SessionConfig& c, size_t layer) {
  return c.activations.size() == 1 ? c.activations[0] : c.activations[layer];
}

// The noise standard deviation handed to the generator for `noise` percent.
double dataset_sigma(const SessionConfig& c) {
  const double f = c.noise / 100.0;
  if (c.dataset == "circle") return 0.5 * f;
  if (c.dataset == "xor") return 0.15 + 0.5 * f;  // a spread even at 0, so quadrants fill
  if (c.dataset == "gaussian") return f;
  if (c.dataset == "spiral") return 0.3 * f;
  if (c.dataset == "moons") return 0.5 * f;
  return 0.15 + f;  // blobs: cluster standard deviation
}

train::LayerConfig layer(const std::string& type, int64_t out = 0) {
  train::LayerConfig l;
  l.type = type;
  l.out = out;
  if (type == "linear") l.params = {{"mean", 0.0}, {"std", 1.0}, {"value", 0.0}, {"gain", 1.0}};
  if (type == "leaky_relu") l.params = {{"slope", 0.01}};
  return l;
}

}  // namespace

train::TrainConfig to_train_config(const SessionConfig& c) {
  train::TrainConfig t;
  t.seed = c.seed;
  t.dtype = kDType;
  static const std::map<std::string, std::string> names = {{"circle", "circles"},    {"xor", "xor"},
                                                           {"gaussian", "gaussian"}, {"spiral", "spirals"},
                                                           {"moons", "moons"},       {"blobs", "blobs"}};
  t.data.name = names.at(c.dataset);
  t.data.n = c.points;
  t.data.noise = dataset_sigma(c);
  t.data.test_fraction = 1.0 - c.train_ratio / 100.0;
  t.data.classes = 2;
  t.model.inputs = int64_t(c.features.size());
  for (size_t i = 0; i < c.hidden.size(); ++i) {
    t.model.layers.push_back(layer("linear", c.hidden[i]));
    const std::string& act = activation_of(c, i);
    t.model.layers.push_back(layer(act == "linear" ? "identity" : act));
    if (c.dropout > 0) {
      train::LayerConfig d = layer("dropout");
      d.params = {{"p", c.dropout}};
      t.model.layers.push_back(d);
    }
  }
  t.model.layers.push_back(layer("linear", 1));
  t.model.layers.push_back(layer("sigmoid"));
  t.loss.name = c.loss;
  t.optim.name = c.optimizer == "adam" ? "adam" : "sgd";
  t.optim.lr = c.learning_rate;
  t.optim.momentum = c.optimizer == "momentum" ? c.momentum : 0.0;
  if (c.regularization == "l1") t.optim.l1 = c.regularization_rate;
  if (c.regularization == "l2") t.optim.l2 = c.regularization_rate;
  t.train.batch_size = c.batch_size;
  t.train.shuffle = true;
  return t;
}

Tensor compute_features(const Tensor& xy, const std::vector<std::string>& features) {
  NABLA_CHECK(xy.dim() == 2 && xy.size(1) == 2, ShapeError, "compute_features: points must be [N, 2], got ",
              xy.shape().to_string());
  const std::vector<double> p = xy.contiguous().to_vector<double>();
  const int64_t n = xy.size(0), f = int64_t(features.size());
  std::vector<double> out(size_t(n * f));
  for (int64_t i = 0; i < n; ++i) {
    const double x1 = p[size_t(2 * i)], x2 = p[size_t(2 * i + 1)];
    for (int64_t k = 0; k < f; ++k) {
      const std::string& name = features[size_t(k)];
      double v = 0;
      if (name == "x1")
        v = x1;
      else if (name == "x2")
        v = x2;
      else if (name == "x1sq")
        v = x1 * x1;
      else if (name == "x2sq")
        v = x2 * x2;
      else if (name == "x1x2")
        v = x1 * x2;
      else if (name == "sinx1")
        v = std::sin(x1);
      else if (name == "sinx2")
        v = std::sin(x2);
      else
        NABLA_CHECK(false, ValueError, "unknown feature \"", name, "\" (known: ", joined(session_feature_names()), ")");
      out[size_t(i * f + k)] = v;
    }
  }
  return Tensor::from_vector(out, {n, f}, kDType);
}

Session::Session(SessionConfig config)
    : config_(std::move(config)), data_seed_(config_.seed), model_seed_(config_.seed) {
  build_data();
  build_model();
}

void Session::configure(SessionConfig config) {
  const bool same_data = config.dataset == config_.dataset && config.noise == config_.noise &&
                         config.train_ratio == config_.train_ratio && config.points == config_.points &&
                         config.features == config_.features && config.seed == config_.seed;
  if (config.seed != config_.seed) data_seed_ = model_seed_ = config.seed;
  config_ = std::move(config);
  if (!same_data) build_data();
  build_model();
}

void Session::reset() {
  ++model_seed_;
  build_model();
}

void Session::regenerate() {
  ++data_seed_;
  build_data();
  build_model();
}

void Session::build_data() {
  const SessionConfig& c = config_;
  SyntheticOptions o{.n = c.points, .noise = dataset_sigma(c), .dtype = kDType, .seed = data_seed_};
  Dataset d;
  // Each dataset is brought to about [-1, 1]² so one learning rate suits them all.
  if (c.dataset == "circle") {
    d = make_circles(o);
  } else if (c.dataset == "xor") {
    d = make_xor(o);
    d.x = d.x * 2.0 - 1.0;  // corners at ±1
  } else if (c.dataset == "gaussian") {
    d = make_gaussian_quantiles(o);
    d.x = d.x * 0.5;
  } else if (c.dataset == "spiral") {
    d = make_spirals(o);
  } else if (c.dataset == "moons") {
    d = make_moons(o);
    d.x = d.x - Tensor::from_vector({0.5, 0.25}, {2}, kDType);
  } else {
    d = make_blobs(o, /*centers=*/2, /*features=*/2, /*box=*/1.0);
  }
  auto [train, test] = train_test_split(d, 1.0 - c.train_ratio / 100.0, data_seed_);
  train_xy_ = train.x;
  test_xy_ = test.x;
  double e = 0;
  for (double v : d.x.to_vector<double>()) e = std::max(e, std::abs(v));
  extent_ = std::ceil(std::max(e, 0.5) * 1.1 * 10) / 10;
  train_ = train;
  test_ = test;
  train_.x = compute_features(train.x, c.features);
  test_.x = compute_features(test.x, c.features);
  train_.feature_names = test_.feature_names = c.features;
}

void Session::build_model() {
  const train::TrainConfig t = to_train_config(config_);
  generator_ = Generator(model_seed_);
  model_ = std::make_shared<train::ConfigModel>(t, generator_);
  model_->train();
  if (config_.loss == "bce")
    loss_ = std::make_shared<nn::BCELoss>();
  else
    loss_ = std::make_shared<nn::MSELoss>();
  const std::vector<Tensor> params = model_->parameters();
  if (config_.optimizer == "adam")
    optimizer_ = std::make_unique<optim::Adam>(params, optim::AdamOptions(config_.learning_rate));
  else
    optimizer_ = std::make_unique<optim::SGD>(
        params,
        optim::SGDOptions(config_.learning_rate).momentum(config_.optimizer == "momentum" ? config_.momentum : 0.0));
  order_.clear();
  cursor_ = 0;
  epoch_ = steps_ = 0;
  history_.clear();
  grad_norms_.assign(config_.hidden.size() + 1, 0.0);
  last_train_loss_ = evaluate(train_);
  last_test_loss_ = evaluate(test_);
  history_.push_back({0, last_train_loss_, last_test_loss_, grad_norms_});
}

Tensor Session::loss_of(const Tensor& out, const Tensor& y) const { return (*loss_)(out, y); }

double Session::evaluate(const Dataset& d) {
  if (d.size() == 0) return std::nan("");
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  const double v = loss_of((*model_)(d.x), d.y).item();
  model_->train(was_training);
  return v;
}

int64_t Session::batches_per_epoch() const {
  const int64_t b = std::min(config_.batch_size, train_.size());
  return (train_.size() + b - 1) / b;
}

namespace {

std::vector<Tensor> linear_weights(train::ConfigModel& m) {
  std::vector<Tensor> w;
  for (const auto& [name, p] : m.named_parameters())
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0) w.push_back(p);
  return w;
}

std::vector<std::shared_ptr<nn::Linear>> linears(const train::ConfigModel& m) {
  std::vector<std::shared_ptr<nn::Linear>> out;
  for (size_t i = 0; i < m.layers().size(); ++i)
    if (auto lin = std::dynamic_pointer_cast<nn::Linear>(m.layers()[i])) out.push_back(lin);
  return out;
}

Tensor regularized(const Tensor& loss, const SessionConfig& c, train::ConfigModel& m) {
  if (c.regularization == "none" || c.regularization_rate == 0) return loss;
  const std::vector<Tensor> w = linear_weights(m);
  return loss + c.regularization_rate * (c.regularization == "l1" ? optim::l1_penalty(w) : optim::l2_penalty(w));
}

}  // namespace

int64_t Session::train_batches(int64_t batches) {
  int64_t epochs_done = 0;
  const int64_t n = train_.size();
  if (n == 0) return 0;
  const int64_t b = std::min(config_.batch_size, n);
  for (int64_t k = 0; k < batches; ++k) {
    if (cursor_ == 0) order_ = randperm(n, &generator_).to_vector<int64_t>();
    const int64_t end = std::min(cursor_ + b, n);
    Tensor index =
        Tensor::from_vector(std::vector<int64_t>(order_.begin() + cursor_, order_.begin() + end), {end - cursor_});
    const Tensor x = index_select(train_.x, 0, index), y = index_select(train_.y, 0, index);
    Tensor loss = loss_of((*model_)(x), y);
    NABLA_CHECK(std::isfinite(loss.item()), ValueError, "training diverged: the loss became ", loss.item(),
                " at epoch ", epoch_ + 1, " (lower the learning rate and reset)");
    optimizer_->zero_grad();
    regularized(loss, config_, *model_).backward();
    optimizer_->step();
    ++steps_;
    cursor_ = end;
    if (cursor_ >= n) {
      cursor_ = 0;
      end_epoch();
      ++epochs_done;
    }
  }
  return epochs_done;
}

void Session::step_epoch() {
  const int64_t b = std::min(config_.batch_size, std::max<int64_t>(train_.size(), 1));
  const int64_t left = (train_.size() - cursor_ + b - 1) / b;
  train_batches(std::max<int64_t>(left, 1));
}

void Session::end_epoch() {
  ++epoch_;
  std::vector<std::shared_ptr<nn::Linear>> lin = linears(*model_);
  grad_norms_.assign(lin.size(), 0.0);
  for (size_t i = 0; i < lin.size(); ++i)
    grad_norms_[i] =
        std::sqrt(norm2(lin[i]->weight.grad()) + (lin[i]->bias.defined() ? norm2(lin[i]->bias.grad()) : 0.0));
  last_train_loss_ = evaluate(train_);
  last_test_loss_ = evaluate(test_);
  history_.push_back({epoch_, last_train_loss_, last_test_loss_, grad_norms_});
  if (history_.size() > kMaxHistory) {  // keep the curve's shape: drop every other old point
    std::vector<HistoryPoint> thin;
    for (size_t i = 0; i < history_.size(); ++i)
      if (i % 2 == 0 || i + 1 == history_.size()) thin.push_back(history_[i]);
    history_ = std::move(thin);
  }
}

json Session::state(const StateOptions& o) {
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  json s;
  s["epoch"] = epoch_;
  s["steps"] = steps_;
  s["batches_per_epoch"] = batches_per_epoch();
  s["train_loss"] = last_train_loss_;
  s["test_loss"] = last_test_loss_;
  s["extent"] = extent_;
  s["config"] = to_json(config_);
  s["grad_norms"] = grad_norms_;
  json h = {{"epoch", json::array()}, {"train", json::array()}, {"test", json::array()}, {"grad_norms", json::array()}};
  for (const HistoryPoint& p : history_) {
    h["epoch"].push_back(p.epoch);
    h["train"].push_back(round4(p.train_loss));
    h["test"].push_back(std::isfinite(p.test_loss) ? json(round4(p.test_loss)) : json(nullptr));
    std::vector<double> g = p.grad_norms;
    for (double& v : g) v = round4(v);
    h["grad_norms"].push_back(g);
  }
  s["history"] = h;

  std::vector<int64_t> sizes = {int64_t(config_.features.size())};
  json weights = json::array();
  for (const auto& lin : linears(*model_)) {
    sizes.push_back(lin->weight.size(0));
    weights.push_back({{"w", matrix(lin->weight)}, {"b", rounded(lin->bias)}});
  }
  s["layer_sizes"] = sizes;
  s["weights"] = weights;

  // The output, and every neuron's activation, over the plane.
  auto walk = [&](int64_t side, bool all_neurons) {
    const Tensor xy = plane_grid(side, extent_);
    Tensor h = compute_features(xy, config_.features);
    json layers = json::array();
    if (all_neurons) layers.push_back(matrix(h.t()));
    const nn::Sequential& seq = model_->layers();
    Tensor a = h;
    for (size_t i = 0; i < seq.size(); ++i) {
      a = (*seq[i])(a);
      // A layer's neurons are shown after its activation: the module following a linear one.
      const bool after_activation = i > 0 && std::dynamic_pointer_cast<nn::Linear>(seq[i - 1]) != nullptr;
      if (all_neurons && after_activation) layers.push_back(matrix(a.t()));
    }
    return std::make_pair(a, layers);
  };
  if (o.grid > 0) {
    const int64_t side = std::min<int64_t>(o.grid, 200);
    s["boundary"] = {{"side", side}, {"values", rounded(walk(side, false).first)}};
  }
  if (o.neuron_grid > 0)
    s["neurons"] = {{"side", std::min<int64_t>(o.neuron_grid, 64)},
                    {"layers", walk(std::min<int64_t>(o.neuron_grid, 64), true).second}};
  if (o.points) {
    auto pts = [](const Tensor& xy, const Tensor& y) {
      const std::vector<double> p = rounded(xy), l = y.to_vector<double>();
      json out = json::array();
      for (size_t i = 0; i < l.size(); ++i) out.push_back({p[2 * i], p[2 * i + 1], int(l[i])});
      return out;
    };
    s["points"] = {{"train", pts(train_xy_, train_.y)}, {"test", pts(test_xy_, test_.y)}};
  }
  model_->train(was_training);
  return s;
}

void Session::set_weight(int64_t layer, int64_t to, int64_t from, double value) {
  const auto lin = linears(*model_);
  NABLA_CHECK(layer >= 0 && layer < int64_t(lin.size()), ValueError, "layer ", layer, " does not exist (0 to ",
              lin.size() - 1, ")");
  const Tensor& w = lin[size_t(layer)]->weight;
  NABLA_CHECK(to >= 0 && to < w.size(0) && from >= 0 && from < w.size(1), ValueError, "weight [", to, ", ", from,
              "] is outside layer ", layer, "'s ", w.shape().to_string());
  NABLA_CHECK(std::isfinite(value), ValueError, "a weight must be a finite number");
  w.data<double>()[to * w.size(1) + from] = value;
}

void Session::set_bias(int64_t layer, int64_t neuron, double value) {
  const auto lin = linears(*model_);
  NABLA_CHECK(layer >= 0 && layer < int64_t(lin.size()), ValueError, "layer ", layer, " does not exist (0 to ",
              lin.size() - 1, ")");
  const Tensor& b = lin[size_t(layer)]->bias;
  NABLA_CHECK(neuron >= 0 && neuron < b.size(0), ValueError, "neuron ", neuron, " is outside layer ", layer, "'s ",
              b.size(0), " neurons");
  NABLA_CHECK(std::isfinite(value), ValueError, "a bias must be a finite number");
  b.data<double>()[neuron] = value;
}

json Session::step_through(int64_t sample) {
  NABLA_CHECK(sample >= 0 && sample < train_.size(), ValueError, "sample ", sample, " is outside the ", train_.size(),
              " training points");
  const bool was_training = model_->is_training();
  model_->eval();  // dropout off: the step is deterministic and readable
  const Tensor x = train_.x.slice(0, sample, sample + 1), y = train_.y.slice(0, sample, sample + 1);

  // Forward, keeping each linear layer's z and the activation a that follows it.
  std::vector<Tensor> zs, as;
  const nn::Sequential& seq = model_->layers();
  Tensor h = x;
  for (size_t i = 0; i < seq.size(); ++i) {
    h = (*seq[i])(h);
    if (std::dynamic_pointer_cast<nn::Linear>(seq[i]))
      zs.push_back(h);
    else if (as.size() < zs.size())
      as.push_back(h);
  }
  const Tensor loss = loss_of(h, y);

  // Backward through nabla's autograd: δ_l = ∂C/∂z_l, ∂C/∂W_l, ∂C/∂b_l in one pass.
  const auto lin = linears(*model_);
  std::vector<Tensor> inputs = zs;
  for (const auto& l : lin) inputs.push_back(l->weight), inputs.push_back(l->bias);
  const std::vector<Tensor> g = grad({loss}, inputs, {.retain_graph = true});

  json layers = json::array();
  for (size_t l = 0; l < zs.size(); ++l) {
    json L;
    L["z"] = zs[l].reshape({-1}).to_vector<double>();
    L["a"] = as[l].reshape({-1}).to_vector<double>();
    // The activation's local derivative da/dz, from its node's backward formula.
    if (as[l].grad_fn() && !as[l].same(zs[l]))
      L["da_dz"] = as[l].grad_fn()->apply(ones_like(as[l]))[0].reshape({-1}).to_vector<double>();
    L["delta"] = g[l].reshape({-1}).to_vector<double>();
    L["dC_dw"] = matrix(g[zs.size() + 2 * l]);
    L["dC_db"] = g[zs.size() + 2 * l + 1].to_vector<double>();
    L["w"] = matrix(lin[l]->weight);
    layers.push_back(L);
  }
  json out;
  out["sample"] = sample;
  out["point"] = train_xy_.slice(0, sample, sample + 1).reshape({-1}).to_vector<double>();
  out["features"] = x.reshape({-1}).to_vector<double>();
  out["target"] = y.item();
  out["output"] = h.item();
  out["loss_before"] = loss.item();
  out["layers"] = layers;

  // The update: one optimizer step on this sample (with the regularization term, as training).
  optimizer_->zero_grad();
  regularized(loss, config_, *model_).backward();
  optimizer_->step();
  ++steps_;
  {
    NoGradGuard no_grad;
    out["loss_after"] = loss_of((*model_)(x), y).item();
  }
  model_->train(was_training);
  last_train_loss_ = evaluate(train_);
  last_test_loss_ = evaluate(test_);
  return out;
}

std::string Session::export_safetensors() const {
  return serialize_safetensors(
      model_->named_parameters(),
      {{"format", "nabla serve"}, {"features", joined(config_.features)}, {"config", to_json(config_).dump()}});
}

std::string Session::export_toml() const {
  std::string head = "# Exported from the nabla serve playground. Train it with: nabla train playground.toml\n";
  head += "# --init model.safetensors starts from the playground's weights.\n";
  if (config_.features != std::vector<std::string>{"x1", "x2"})
    head += "# The playground's input features (" + joined(config_.features) +
            ") have no TOML counterpart: `nabla train` feeds the raw x1, x2.\n";
  head += "# The playground rescales some datasets (xor to ±1, gaussian by 0.5, moons centred).\n";
  return head + train::to_toml(to_train_config(config_));
}

}  // namespace nabla::serve
