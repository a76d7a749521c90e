// The playground session's model and training: configure, reset, batch-by-batch training, the
// epoch's measurements, and editing a weight. The data are in data.cpp, the state JSON in
// state.cpp, the step-through in step_through.cpp, the exports in export.cpp.
#include "session/session.h"

#include <cmath>

#include "nabla/autograd/engine.h"
#include "nabla/error.h"
#include "nabla/nn/utils.h"
#include "nabla/ops/ops.h"
#include "nabla/train/recipes.h"
#include "session/internal.h"

namespace nabla::serve {

using nlohmann::json;
using namespace internal;

namespace internal {

std::vector<std::shared_ptr<nn::Linear>> linears(const train::ConfigModel& m) {
  std::vector<std::shared_ptr<nn::Linear>> out;
  for (size_t i = 0; i < m.layers().size(); ++i)
    if (auto lin = std::dynamic_pointer_cast<nn::Linear>(m.layers()[i])) out.push_back(lin);
  return out;
}

json matrix(const Tensor& t) {
  const std::vector<double> v = t.contiguous().to_vector<double>();
  const int64_t rows = t.size(0), cols = t.size(1);
  json m = json::array();
  for (int64_t r = 0; r < rows; ++r) m.push_back(std::vector<double>(v.begin() + r * cols, v.begin() + (r + 1) * cols));
  return m;
}

}  // namespace internal

namespace {

constexpr size_t kMaxHistory = 600;

}  // namespace

Session::Session(SessionConfig config)
    : config_(std::move(config)), data_seed_(config_.seed), model_seed_(config_.seed) {
  build_data();
  build_model();
}

void Session::configure(SessionConfig config) {
  NABLA_CHECK(config.dataset != "csv" || points_, ValueError,
              "dataset \"csv\": no points uploaded yet (send the CSV file first)");
  const bool same_data = config.dataset == config_.dataset && config.noise == config_.noise &&
                         config.train_ratio == config_.train_ratio && config.points == config_.points &&
                         config.classes == config_.classes && config.features == config_.features &&
                         config.seed == config_.seed;
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

Task Session::task() const {
  return num_classes_ == 0 ? Task::regression : num_classes_ > 2 ? Task::multiclass : Task::binary;
}

std::string Session::loss_name() const {
  switch (task()) {
    case Task::multiclass:
      return "cross_entropy";
    case Task::regression:
      return "mse";
    case Task::binary:
      break;
  }
  return config_.loss;
}

void Session::build_model() {
  const train::TrainConfig t = train_config();
  generator_ = Generator(model_seed_);
  model_ = std::make_shared<train::ConfigModel>(t, generator_);
  model_->train();
  loss_ = train::make_loss(t.loss);  // t.loss.name is loss_name()
  optimizer_ = train::make_optimizer(t.optim, model_->parameters());
  step_.emplace(*model_, *loss_, *optimizer_, train::step_options(t.optim));
  order_.clear();
  cursor_ = 0;
  epoch_ = steps_ = 0;
  weights_version_ = structure_version_ = history_version_ = ++version_;
  history_.clear();
  grad_norms_.assign(config_.hidden.size() + 1, 0.0);
  measure();
  history_.push_back({version_, 0, last_train_loss_, last_test_loss_, grad_norms_});
}

Tensor Session::loss_of(const Tensor& out, const Tensor& y) const { return (*loss_)(out, y); }

Session::Evaluation Session::evaluate(const Dataset& d) {
  if (d.size() == 0) return {std::nan(""), std::nan("")};
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  const Tensor out = (*model_)(d.x);
  Evaluation e{loss_of(out, d.y).item(), std::nan("")};
  model_->train(was_training);
  if (task() == Task::regression) return e;
  int64_t right = 0;
  if (task() == Task::multiclass) {
    const std::vector<int64_t> guess = argmax(out, 1).to_vector<int64_t>(), y = d.y.to_vector<int64_t>();
    for (size_t i = 0; i < y.size(); ++i) right += guess[i] == y[i];
  } else {
    const std::vector<double> p = out.to_vector<double>(), y = d.y.to_vector<double>();
    for (size_t i = 0; i < y.size(); ++i) right += (p[i] > 0.5) == (y[i] > 0.5);
  }
  e.accuracy = double(right) / double(d.size());
  return e;
}

void Session::measure() {
  const Evaluation train = evaluate(train_), test = evaluate(test_);
  last_train_loss_ = train.loss;
  last_test_loss_ = test.loss;
  last_train_acc_ = train.accuracy;
  last_test_acc_ = test.accuracy;
}

int64_t Session::batches_per_epoch() const {
  const int64_t b = std::min(config_.batch_size, train_.size());
  return (train_.size() + b - 1) / b;
}

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
    const train::StepResult r = (*step_)(x, y);
    NABLA_CHECK(r.updated, ValueError, "training diverged: the loss became ", r.value, " at epoch ", epoch_ + 1,
                " (lower the learning rate and reset)");
    ++steps_;
    weights_version_ = ++version_;
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
  grad_norms_.clear();  // per linear layer (the only layers with parameters): weight and bias together
  for (const auto& [layer, norm] : nn::per_module_norms(nn::grad_norms(*model_))) grad_norms_.push_back(norm);
  measure();
  history_.push_back({version_, epoch_, last_train_loss_, last_test_loss_, grad_norms_});
  if (history_.size() > kMaxHistory) {  // keep the curve's shape: drop every other old point
    std::vector<HistoryPoint> thin;
    for (size_t i = 0; i < history_.size(); ++i)
      if (i % 2 == 0 || i + 1 == history_.size()) thin.push_back(history_[i]);
    history_ = std::move(thin);
    history_version_ = version_;
  }
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
  weights_version_ = ++version_;
  measure();
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
  weights_version_ = ++version_;
  measure();
}

}  // namespace nabla::serve
