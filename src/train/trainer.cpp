#include "nabla/train/trainer.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "nabla/autograd/node.h"
#include "nabla/data/csv.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/diabetes.h"
#include "nabla/data/mnist.h"
#include "nabla/data/numpy_random.h"
#include "nabla/data/sklearn.h"
#include "nabla/data/synthetic.h"
#include "nabla/io/atomic_file.h"
#include "nabla/io/safetensors.h"
#include "nabla/nn/nn.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/optim.h"
#include "nabla/viz/viz.h"

namespace nabla::train {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ============================== data ==============================

namespace {

Dataset load_dataset(const TrainConfig& c) {
  const DataConfig& d = c.data;
  SyntheticOptions o{.n = d.n, .noise = d.noise, .dtype = c.dtype, .seed = c.seed};
  if (d.name == "xor") return make_xor(o);
  if (d.name == "xnor") return make_xnor(o);
  if (d.name == "and") return make_and(o);
  if (d.name == "or") return make_or(o);
  if (d.name == "moons") return make_moons(o);
  if (d.name == "circles") return make_circles(o);
  if (d.name == "spirals") return make_spirals(o, d.classes);
  if (d.name == "blobs") return make_blobs(o, d.classes);
  if (d.name == "gaussian") return make_gaussian_quantiles(o, d.classes);
  if (d.name == "numpy_normal")
    return numpy::make_normal_dataset(
        {.n = d.n, .features = c.model.inputs, .seed = c.seed, .label = d.label, .dtype = c.dtype});
  if (d.name == "diabetes") return load_diabetes();  // float64: split and standardised, then cast
  if (d.name == "csv") {
    CsvOptions csv{.label = d.label};
    if (c.loss.name == "cross_entropy") csv.target = CsvTarget::classes;
    return load_csv(d.path, csv);
  }
  // mnist: a directory with the standard file names, or the images file + the labels file
  if (fs::is_directory(d.path))
    return load_mnist(fs::path(d.path) / "train-images-idx3-ubyte", fs::path(d.path) / "train-labels-idx1-ubyte");
  NABLA_CHECK(!d.label.empty(), ValueError,
              "data.label: mnist with path = an images file needs label = the labels file");
  return load_mnist(d.path, d.label);
}

Dataset with_dtype(Dataset d, DType dtype) {
  d.x = d.x.to(dtype);
  if (d.y.defined() && is_floating(d.y.dtype())) d.y = d.y.to(dtype);
  return d;
}

nn::Init init_of(const LayerConfig& l) {
  const auto& p = l.params;
  if (l.init == "xavier_uniform") return nn::Init::xavier_uniform(p.at("gain"));
  if (l.init == "xavier_normal") return nn::Init::xavier_normal(p.at("gain"));
  if (l.init == "kaiming_uniform") return nn::Init::kaiming_uniform();
  if (l.init == "kaiming_normal") return nn::Init::kaiming_normal();
  if (l.init == "normal") return nn::Init::normal(p.at("mean"), p.at("std"));
  if (l.init == "zeros") return nn::Init::zeros();
  if (l.init == "constant") return nn::Init::constant(p.at("value"));
  return nn::Init::pytorch_default();
}

std::shared_ptr<nn::Module> make_layer(const LayerConfig& l, int64_t in, DType dtype, Generator& gen) {
  const auto& p = l.params;
  const std::string& t = l.type;
  if (t == "linear") {
    auto lin = std::make_shared<nn::Linear>(nn::LinearOptions(in, l.out)
                                                .bias(l.bias || !l.bias_values.empty())
                                                .init(init_of(l))
                                                .dtype(dtype)
                                                .generator(&gen));
    NoGradGuard no_grad;
    if (!l.weight_values.empty()) {
      std::vector<double> flat;
      for (const auto& row : l.weight_values) flat.insert(flat.end(), row.begin(), row.end());
      lin->weight.copy_(Tensor::from_vector(flat, {l.out, in}));
    }
    if (!l.bias_values.empty()) lin->bias.copy_(Tensor::from_vector(l.bias_values, {l.out}));
    return lin;
  }
  if (t == "sigmoid") return std::make_shared<nn::Sigmoid>();
  if (t == "tanh") return std::make_shared<nn::Tanh>();
  if (t == "relu") return std::make_shared<nn::ReLU>();
  if (t == "leaky_relu") return std::make_shared<nn::LeakyReLU>(p.at("slope"));
  if (t == "elu") return std::make_shared<nn::ELU>(p.at("alpha"));
  if (t == "selu") return std::make_shared<nn::SELU>();
  if (t == "gelu")
    return std::make_shared<nn::GELU>(nn::GELUOptions().approximate(p.at("tanh") != 0 ? "tanh" : "none"));
  if (t == "silu") return std::make_shared<nn::SiLU>();
  if (t == "softplus")
    return std::make_shared<nn::Softplus>(nn::SoftplusOptions().beta(p.at("beta")).threshold(p.at("threshold")));
  if (t == "step") return std::make_shared<nn::Step>();
  if (t == "softmax") return std::make_shared<nn::Softmax>(1);
  if (t == "log_softmax") return std::make_shared<nn::LogSoftmax>(1);
  if (t == "dropout") return std::make_shared<nn::Dropout>(nn::DropoutOptions(p.at("p")).generator(&gen));
  if (t == "batchnorm")
    return std::make_shared<nn::BatchNorm1d>(
        nn::BatchNormOptions(in).eps(p.at("eps")).momentum(p.at("momentum")).dtype(dtype));
  if (t == "layernorm")
    return std::make_shared<nn::LayerNorm>(nn::LayerNormOptions({in}).eps(p.at("eps")).dtype(dtype));
  if (t == "groupnorm")
    return std::make_shared<nn::GroupNorm>(
        nn::GroupNormOptions(int64_t(p.at("groups")), in).eps(p.at("eps")).dtype(dtype));
  if (t == "flatten") return std::make_shared<nn::Flatten>();
  return std::make_shared<nn::Identity>();  // identity, and the placeholder of an "add"
}

}  // namespace

// ============================== model ==============================

ConfigModel::ConfigModel(const TrainConfig& config, Generator& generator)
    : Module("ConfigModel"), layers_(std::make_shared<nn::Sequential>()), specs_(config.model.layers) {
  std::vector<int64_t> widths = layer_widths(config);
  int64_t in = config.model.inputs;
  for (size_t i = 0; i < specs_.size(); ++i) {
    layers_->push_back(make_layer(specs_[i], in, config.dtype, generator));
    in = widths[i];
  }
  register_module("layers", layers_);
}

Tensor ConfigModel::forward(const Tensor& input) {
  std::map<std::string, Tensor> named;
  Tensor h = input;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const LayerConfig& l = specs_[i];
    h = l.type == "add" ? h + named.at(l.from) : (*(*layers_)[i])(h);
    if (!l.id.empty()) named[l.id] = h;
  }
  return h;
}

// ============================== trainer ==============================

Trainer::Trainer(TrainConfig config) : config_(std::move(config)), generator_(config_.seed) {
  const TrainConfig& c = config_;
  // Diabetes stays float64 until it is split and standardised (as the notebook's sklearn steps).
  Dataset all = load_dataset(c);
  if (c.data.name != "diabetes") all = with_dtype(std::move(all), c.dtype);
  bool has_test_file = false;
  if (c.data.name == "mnist" && fs::is_directory(c.data.path) &&
      fs::exists(fs::path(c.data.path) / "t10k-images-idx3-ubyte")) {
    train_ = all;
    test_ = with_dtype(
        load_mnist(fs::path(c.data.path) / "t10k-images-idx3-ubyte", fs::path(c.data.path) / "t10k-labels-idx1-ubyte"),
        c.dtype);
    has_test_file = true;
  }
  if (!has_test_file) {
    if (c.data.test_fraction > 0 && c.data.split == "sklearn") {
      const auto state = static_cast<std::uint32_t>(c.data.random_state);
      std::tie(train_, test_) = sklearn::train_test_split(all, c.data.test_fraction, state);
      if (c.data.validation_fraction > 0) {  // test rows set aside; the epochs see the validation rows
        holdout_ = std::move(test_);
        std::tie(train_, test_) = sklearn::train_test_split(train_, c.data.validation_fraction, state);
      }
    } else if (c.data.test_fraction > 0) {
      std::tie(train_, test_) = train_test_split(all, c.data.test_fraction, c.seed);
    } else {
      train_ = all;
    }
  }
  if (c.data.standardize) {
    Standardizer s = Standardizer::fit(train_.x);
    train_ = s.transform(train_);
    if (test_.size() > 0) test_ = s.transform(test_);
    if (holdout_.size() > 0) holdout_ = s.transform(holdout_);
  }
  train_ = with_dtype(std::move(train_), c.dtype);
  if (test_.size() > 0) test_ = with_dtype(std::move(test_), c.dtype);
  if (holdout_.size() > 0) holdout_ = with_dtype(std::move(holdout_), c.dtype);
  NABLA_CHECK(train_.num_features() == c.model.inputs, ValueError, "model.inputs = ", c.model.inputs, " but the ",
              c.data.name, " data have ", train_.num_features(), " features");
  classes_ = all.num_classes;

  // Loss and target shape must agree with the network's output.
  const int64_t out_width = layer_widths(c).back();
  const std::string& loss = c.loss.name;
  const nn::Reduction red = c.loss.reduction == "sum" ? nn::Reduction::sum : nn::Reduction::mean;
  if (loss == "cross_entropy") {
    NABLA_CHECK(classes_ >= 2, ValueError, "loss.name = \"cross_entropy\" needs class labels, but the ", c.data.name,
                " data are a regression target");
    NABLA_CHECK(out_width == classes_, ValueError, "loss.name = \"cross_entropy\": the model ends with ", out_width,
                " outputs but the data have ", classes_, " classes");
    loss_ = std::make_shared<nn::CrossEntropyLoss>(
        nn::CrossEntropyLossOptions(red).label_smoothing(c.loss.label_smoothing));
  } else {
    NABLA_CHECK(!train_.multiclass(), ValueError, "loss.name = \"", loss, "\" needs 0/1 or real targets, but the ",
                c.data.name, " data have ", classes_, " classes: use cross_entropy");
    NABLA_CHECK(out_width == train_.y.size(1), ValueError, "loss.name = \"", loss, "\": the model ends with ",
                out_width, " outputs but the targets have ", train_.y.size(1), " columns");
    if (loss == "mse")
      loss_ = std::make_shared<nn::MSELoss>(red);
    else if (loss == "half_mse")
      loss_ = std::make_shared<nn::HalfMSELoss>(red);
    else if (loss == "l1")
      loss_ = std::make_shared<nn::L1Loss>(red);
    else if (loss == "bce")
      loss_ = std::make_shared<nn::BCELoss>(red);
    else
      loss_ = std::make_shared<nn::BCEWithLogitsLoss>(red);
  }

  if (c.train.generator == "global") {  // torch.manual_seed(seed) right before the model is built
    manual_seed(c.seed);
  }
  model_ = std::make_shared<ConfigModel>(c, rng());
  parameters_ = model_->named_parameters();
  std::vector<Tensor> params = model_->parameters();
  const OptimConfig& o = c.optim;
  if (o.name == "sgd") {
    optimizer_ = std::make_unique<optim::SGD>(params, optim::SGDOptions(o.lr)
                                                          .momentum(o.momentum)
                                                          .dampening(o.dampening)
                                                          .nesterov(o.nesterov)
                                                          .weight_decay(o.weight_decay));
  } else if (o.name == "adam" || o.name == "adamw") {
    if (o.name == "adam") {
      optim::AdamOptions a(o.lr);
      a.betas({o.beta1, o.beta2}).weight_decay(o.weight_decay).amsgrad(o.amsgrad);
      if (o.eps >= 0) a.eps(o.eps);
      optimizer_ = std::make_unique<optim::Adam>(params, a);
    } else {
      optim::AdamWOptions a(o.lr);
      a.betas({o.beta1, o.beta2}).weight_decay(o.weight_decay).amsgrad(o.amsgrad);
      if (o.eps >= 0) a.eps(o.eps);
      optimizer_ = std::make_unique<optim::AdamW>(params, a);
    }
  } else if (o.name == "rmsprop") {
    optim::RMSpropOptions r(o.lr);
    r.alpha(o.alpha).weight_decay(o.weight_decay).momentum(o.momentum).centered(o.centered);
    if (o.eps >= 0) r.eps(o.eps);
    optimizer_ = std::make_unique<optim::RMSprop>(params, r);
  } else {
    optim::AdagradOptions a(o.lr);
    a.weight_decay(o.weight_decay);
    if (o.eps >= 0) a.eps(o.eps);
    optimizer_ = std::make_unique<optim::Adagrad>(params, a);
  }
  const SchedulerConfig& s = c.scheduler;
  if (s.name == "step")
    scheduler_ = std::make_shared<optim::StepLR>(*optimizer_, s.step_size, s.gamma);
  else if (s.name == "exponential")
    scheduler_ = std::make_shared<optim::ExponentialLR>(*optimizer_, s.gamma);
  else if (s.name == "cosine")
    scheduler_ =
        std::make_shared<optim::CosineAnnealingLR>(*optimizer_, s.t_max > 0 ? s.t_max : c.train.epochs, s.eta_min);
  else if (s.name == "warmup")
    scheduler_ =
        std::make_shared<optim::LinearLR>(*optimizer_, s.start_factor, 1.0, std::max<int64_t>(1, s.warmup_epochs));
}

void Trainer::load_parameters(const std::string& path) {
  SafetensorsFile file = load_safetensors(path);
  nn::StateDict state = model_->state_dict();
  nn::StateDict loaded;
  for (const auto& [name, tensor] : state) {
    NABLA_CHECK(
        file.contains(name), ValueError, path, ": no tensor named \"", name, "\" (the model's parameters are ",
        [&] {
          std::string names;
          for (const auto& [n, _] : state) names += (names.empty() ? "" : ", ") + n;
          return names;
        }(),
        ")");
    const Tensor& t = file.at(name);
    NABLA_CHECK(t.shape() == tensor.shape(), ShapeError, path, ": \"", name, "\" has shape ", t.shape().to_string(),
                ", the model expects ", tensor.shape().to_string());
    loaded.push_back({name, t.to(tensor.dtype())});
  }
  for (const std::string& name : file.names())
    NABLA_CHECK(state.contains(name), ValueError, path, ": tensor \"", name, "\" is not a parameter of the model");
  model_->load_state_dict(loaded);
}

namespace {

nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
double number(const nlohmann::json& j) { return j.is_null() ? kNaN : j.get<double>(); }

nlohmann::json metrics_json(const std::vector<EpochMetrics>& history) {
  nlohmann::json rows = nlohmann::json::array();
  for (const EpochMetrics& m : history) {
    nlohmann::json norms = nlohmann::json::array();
    for (const auto& [name, n] : m.grad_norms) norms.push_back({name, number(n)});
    rows.push_back({{"epoch", m.epoch},
                    {"train_loss", number(m.train_loss)},
                    {"test_loss", number(m.test_loss)},
                    {"train_acc", number(m.train_acc)},
                    {"test_acc", number(m.test_acc)},
                    {"lr", number(m.lr)},
                    {"grad_norms", norms}});
  }
  return rows;
}

std::vector<EpochMetrics> metrics_from_json(const nlohmann::json& rows) {
  std::vector<EpochMetrics> history;
  for (const auto& r : rows) {
    EpochMetrics m;
    m.epoch = r.at("epoch").get<int64_t>();
    m.train_loss = number(r.at("train_loss"));
    m.test_loss = number(r.at("test_loss"));
    m.train_acc = number(r.at("train_acc"));
    m.test_acc = number(r.at("test_acc"));
    m.lr = number(r.at("lr"));
    for (const auto& n : r.at("grad_norms")) m.grad_norms.push_back({n.at(0).get<std::string>(), number(n.at(1))});
    history.push_back(std::move(m));
  }
  return history;
}

}  // namespace

void Trainer::save_checkpoint(const std::string& path, const std::vector<EpochMetrics>& history) const {
  NamedTensors tensors;
  for (const auto& [name, t] : model_->state_dict()) tensors.push_back({"model." + name, t});
  optim::OptimizerState opt = optimizer_->state_dict();
  for (const auto& [name, t] : opt.tensors) tensors.push_back({"optimizer." + name, t});
  std::map<std::string, std::string> meta{
      {"format", "nabla-checkpoint-1"},  {"epoch", std::to_string(epoch_)},
      {"optimizer", opt.scalars.dump()}, {"scheduler", scheduler_ ? scheduler_->state_dict().dump() : "null"},
      {"generator", rng().state()},      {"metrics", metrics_json(history).dump()},
      {"config", to_toml(config_)},
  };
  save_safetensors(path, tensors, meta);
}

std::vector<EpochMetrics> Trainer::load_checkpoint(const std::string& path) {
  SafetensorsFile file = load_safetensors(path);
  auto meta = [&](const std::string& key) -> const std::string& {
    auto it = file.metadata.find(key);
    NABLA_CHECK(it != file.metadata.end(), ParseError, path, ": not a nabla checkpoint (no \"", key,
                "\" in its metadata)");
    return it->second;
  };
  NABLA_CHECK(meta("format") == "nabla-checkpoint-1", ParseError, path, ": unknown checkpoint format \"",
              meta("format"), "\"");
  NABLA_CHECK(meta("config") == to_toml(config_), ValueError, path,
              ": the checkpoint was written for another configuration; resume with the run's own config.toml");
  try {
    nn::StateDict model_state;
    optim::OptimizerState opt;
    for (const std::string& name : file.names()) {
      if (name.rfind("model.", 0) == 0)
        model_state.push_back({name.substr(6), file.at(name)});
      else if (name.rfind("optimizer.", 0) == 0)
        opt.tensors[name.substr(10)] = file.at(name);
    }
    model_->load_state_dict(model_state);
    opt.scalars = nlohmann::json::parse(meta("optimizer"));
    optimizer_->load_state_dict(opt);
    if (scheduler_) scheduler_->load_state_dict(nlohmann::json::parse(meta("scheduler")));
    rng().set_state(meta("generator"));
    epoch_ = std::stoll(meta("epoch"));
    return metrics_from_json(nlohmann::json::parse(meta("metrics")));
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(path + ": damaged checkpoint metadata: " + e.what(), path);
  }
}

Generator& Trainer::rng() { return config_.train.generator == "global" ? default_generator() : generator_; }
const Generator& Trainer::rng() const { return config_.train.generator == "global" ? default_generator() : generator_; }

Tensor Trainer::loss_of(const Tensor& output, const Tensor& target) const {
  if (config_.loss.name == "cross_entropy" && target.dtype() != DType::int64)
    return (*loss_)(output, target.reshape({-1}).to(DType::int64));
  return (*loss_)(output, target);
}

double Trainer::accuracy_of(const Tensor& output, const Tensor& target) const {
  if (classes_ < 2) return kNaN;
  NoGradGuard no_grad;
  std::vector<int64_t> predicted, truth;
  if (output.size(1) == 1) {
    const double threshold = config_.loss.name == "bce_logits" ? 0.0 : 0.5;
    for (double v : output.to_vector<double>()) predicted.push_back(v > threshold ? 1 : 0);
  } else {
    predicted = argmax(output, 1).to_vector<int64_t>();
  }
  truth = target.to_vector<int64_t>();
  int64_t hits = 0;
  for (size_t i = 0; i < predicted.size(); ++i) hits += predicted[i] == truth[i];
  return predicted.empty() ? kNaN : double(hits) / double(predicted.size());
}

EpochMetrics Trainer::run_epoch() {
  const TrainLoopConfig& t = config_.train;
  EpochMetrics m;
  m.epoch = ++epoch_;
  m.lr = optimizer_->lr(0);
  model_->train();
  const int64_t batch = t.batch_size > 0 ? t.batch_size : train_.size();
  // A loader per epoch, its generator seeded from the run's seed and the epoch: epochs are
  // reproducible, and a resumed run continues the same sequence.
  // With generator = "global" the loader has neither: its draws come from the default generator,
  // the stream dropout draws from.
  DataLoaderOptions loader_options{.batch_size = batch, .shuffle = t.shuffle, .drop_last = t.drop_last};
  if (t.generator != "global") loader_options.seed = config_.seed * 1000003 + uint64_t(epoch_);
  DataLoader loader(train_, loader_options);
  double loss_sum = 0;
  int64_t batches = 0;
  std::vector<Tensor> weights;
  for (const auto& [name, p] : parameters_)
    if (name.size() >= 7 && name.compare(name.size() - 7, 7, ".weight") == 0) weights.push_back(p);
  for (const Batch& b : loader) {
    Tensor out = (*model_)(b.x);
    Tensor loss = loss_of(out, b.y);
    const double value = loss.item();
    NABLA_CHECK(std::isfinite(value), ValueError, "training diverged: the loss became ", value, " at epoch ", epoch_,
                ", batch ", batches + 1, " (try a smaller optim.lr, or gradient clipping with optim.clip_grad_norm)");
    Tensor objective = loss;
    if (config_.optim.l2 > 0) objective = objective + config_.optim.l2 * optim::l2_penalty(weights);
    if (config_.optim.l1 > 0) objective = objective + config_.optim.l1 * optim::l1_penalty(weights);
    optimizer_->zero_grad();
    objective.backward();
    if (config_.optim.clip_grad_norm > 0) optim::clip_grad_norm_(model_->parameters(), config_.optim.clip_grad_norm);
    optimizer_->step();
    loss_sum += value;
    ++batches;
  }
  m.train_loss = batches ? loss_sum / double(batches) : kNaN;
  for (const auto& [name, p] : parameters_) {
    double norm = 0;
    if (p.grad().defined())
      for (double g : p.grad().to_vector<double>()) norm += g * g;
    m.grad_norms.push_back({name, std::sqrt(norm)});
  }
  if (scheduler_) scheduler_->step();
  m.train_acc = classes_ >= 2 ? evaluate(train_).second : kNaN;
  if (test_.size() > 0)
    std::tie(m.test_loss, m.test_acc) = evaluate(test_);
  else
    m.test_loss = m.test_acc = kNaN;
  return m;
}

std::pair<double, double> Trainer::evaluate(const Dataset& data) {
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  Tensor out = (*model_)(data.x);
  const double loss = loss_of(out, data.y).item();
  const double acc = accuracy_of(out, data.y);
  model_->train(was_training);
  return {loss, acc};
}

Tensor Trainer::predict(const Tensor& x) {
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  Tensor out = (*model_)(x.to(config_.dtype));
  model_->train(was_training);
  if (classes_ < 2) return out;
  if (out.size(1) == 1) return (config_.loss.name == "bce_logits" ? sigmoid(out) : out).reshape({-1});
  return config_.loss.name == "cross_entropy" ? softmax(out, 1) : out;
}

// ============================== run_training ==============================

namespace {

std::string g17(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void write_text_atomic(const fs::path& path, const std::string& text) {
  AtomicFileWriter out(path);
  out.write(text.data(), text.size());
  out.commit();
}

// The grid a 2-D decision map is drawn on: the data's range plus a margin.
viz::Grid2D grid_for(const Tensor& x) {
  std::vector<double> v = x.to_vector<double>();
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (size_t i = 0; i + 1 < v.size(); i += 2) {
    x0 = std::min(x0, v[i]);
    x1 = std::max(x1, v[i]);
    y0 = std::min(y0, v[i + 1]);
    y1 = std::max(y1, v[i + 1]);
  }
  const double mx = 0.15 * (x1 - x0) + 0.1, my = 0.15 * (y1 - y0) + 0.1;
  return viz::Grid2D{.nx = 120, .ny = 120, .xmin = x0 - mx, .xmax = x1 + mx, .ymin = y0 - my, .ymax = y1 + my};
}

struct BoundaryFrame {
  int64_t epoch;
  std::vector<double> p;  // binary: p(class 1); multi-class: max probability
  std::vector<int> cls;   // multi-class: predicted class
};

BoundaryFrame boundary_frame(Trainer& t, const viz::Grid2D& grid, int64_t epoch) {
  std::vector<double> xs = grid.xs(), ys = grid.ys(), flat;
  flat.reserve(xs.size() * 2);
  for (size_t i = 0; i < xs.size(); ++i) {
    flat.push_back(xs[i]);
    flat.push_back(ys[i]);
  }
  Tensor p = t.predict(Tensor::from_vector(flat, {int64_t(xs.size()), 2}));
  BoundaryFrame f{epoch, {}, {}};
  if (p.dim() == 1) {
    f.p = p.to_vector<double>();
  } else {
    f.p = max(p, 1).to_vector<double>();
    for (int64_t c : argmax(p, 1).to_vector<int64_t>()) f.cls.push_back(int(c));
  }
  return f;
}

viz::DecisionMap boundary_plot(const Trainer& t, const viz::Grid2D& grid, const BoundaryFrame& f) {
  viz::DecisionMap map;
  if (f.cls.empty())
    map.probabilities(grid, f.p);
  else
    map.classes(grid, f.cls, f.p);
  auto add = [&](const Dataset& d, bool test) {
    if (d.size() == 0) return;
    std::vector<double> v = d.x.to_vector<double>(), x1, x2;
    for (size_t i = 0; i + 1 < v.size(); i += 2) {
      x1.push_back(v[i]);
      x2.push_back(v[i + 1]);
    }
    std::vector<int> labels;
    for (double y : d.y.to_vector<double>()) labels.push_back(int(std::lround(y)));
    if (test)
      map.test_points(x1, x2, labels);
    else
      map.train_points(x1, x2, labels);
  };
  add(t.train_set(), false);
  add(t.test_set(), true);
  map.title("epoch " + std::to_string(f.epoch)).xlabel("x1").ylabel("x2");
  return map;
}

}  // namespace

namespace {

void write_metrics_csv(const fs::path& path, const Trainer& trainer, const std::vector<EpochMetrics>& history) {
  // epoch,train_loss, then test_loss / accuracies where they apply, then grad norms.
  const bool has_test = trainer.test_set().size() > 0, has_acc = trainer.classification();
  std::string csv = "epoch,train_loss";
  if (has_test) csv += ",test_loss";
  if (has_acc) csv += has_test ? ",train_acc,test_acc" : ",train_acc";
  for (const auto& [name, _] : const_cast<Trainer&>(trainer).model().named_parameters()) csv += ",grad_norm." + name;
  csv += "\n";
  // Appended piece by piece: "," + g17(x) temporaries trip GCC 12's -Wrestrict false positive.
  auto cell = [&csv](double v) {
    csv += ',';
    csv += g17(v);
  };
  for (const EpochMetrics& m : history) {
    csv += std::to_string(m.epoch);
    cell(m.train_loss);
    if (has_test) cell(m.test_loss);
    if (has_acc) {
      cell(m.train_acc);
      if (has_test) cell(m.test_acc);
    }
    for (const auto& gn : m.grad_norms) cell(gn.second);
    csv += '\n';
  }
  write_text_atomic(path, csv);
}

}  // namespace

std::vector<EpochMetrics> run_training(const TrainConfig& config, const RunOptions& options) {
  Trainer trainer(config);
  if (!options.init.empty()) trainer.load_parameters(options.init);
  const fs::path dir(options.out_dir);
  const fs::path checkpoint = dir / "checkpoint.safetensors";
  std::vector<EpochMetrics> history;
  if (options.resume) {
    NABLA_CHECK(fs::exists(checkpoint), IOError, checkpoint.string(), ": no checkpoint to resume from");
    history = trainer.load_checkpoint(checkpoint.string());
  } else {
    fs::create_directories(dir);
    write_text_atomic(dir / "config.toml", to_toml(config));
  }
  const int64_t checkpoint_every =
      options.checkpoint_every >= 0 ? options.checkpoint_every : config.train.checkpoint_every;
  DetectAnomalyGuard anomaly(options.detect_anomaly);
  const bool boundary = options.plots && config.model.inputs == 2 && trainer.classification();
  viz::Grid2D grid;
  std::vector<BoundaryFrame> frames;
  const int64_t epochs = config.train.epochs;
  const int64_t gif_every = config.train.gif_every > 0 ? config.train.gif_every : std::max<int64_t>(1, epochs / 40);
  if (boundary) {
    grid = grid_for(trainer.train_set().x);
    frames.push_back(boundary_frame(trainer, grid, trainer.epoch()));
  }
  for (int64_t e = trainer.epoch(); e < epochs; ++e) {
    try {
      history.push_back(trainer.run_epoch());
    } catch (const Error&) {
      // Divergence or an anomaly: keep what was learned about the run, and the last checkpoint.
      if (!history.empty()) write_metrics_csv(dir / "metrics.csv", trainer, history);
      throw;
    }
    if (checkpoint_every > 0 && history.back().epoch % checkpoint_every == 0)
      trainer.save_checkpoint(checkpoint.string(), history);
    if (options.progress) options.progress(history.back(), trainer);
    if (boundary && (history.back().epoch % gif_every == 0 || e + 1 == epochs) &&
        frames.back().epoch != history.back().epoch)
      frames.push_back(boundary_frame(trainer, grid, history.back().epoch));
  }

  write_metrics_csv(dir / "metrics.csv", trainer, history);
  nn::StateDict state = trainer.model().state_dict();
  save_safetensors(dir / "model.safetensors", NamedTensors(state.begin(), state.end()), {{"format", "pt"}});

  const bool has_test = trainer.test_set().size() > 0;
  if (options.plots && !history.empty()) {
    std::vector<double> ep, tl, vl;
    for (const EpochMetrics& m : history) {
      ep.push_back(double(m.epoch));
      tl.push_back(m.train_loss);
      vl.push_back(m.test_loss);
    }
    viz::LinePlot loss;
    loss.title("Loss").xlabel("epoch").ylabel(config.loss.name).log_y(true);
    loss.line("train", ep, tl);
    if (has_test) loss.line("test", ep, vl);
    loss.save_png((dir / "loss.png").string());
    viz::LinePlot norms;
    norms.title("Gradient norm per parameter").xlabel("epoch").ylabel("||grad||").log_y(true);
    for (size_t k = 0; k < history.front().grad_norms.size(); ++k) {
      std::vector<double> n;
      for (const EpochMetrics& m : history) n.push_back(m.grad_norms[k].second);
      norms.line(history.front().grad_norms[k].first, ep, n);
    }
    norms.save_png((dir / "grad_norms.png").string());
    if (boundary) {
      boundary_plot(trainer, grid, frames.back()).save_png((dir / "boundary.png").string());
      viz::Animation anim(560, 480);
      for (const BoundaryFrame& f : frames) anim.add_frame(boundary_plot(trainer, grid, f), 120);
      anim.save_gif((dir / "boundary.gif").string());
    }
  }
  return history;
}

}  // namespace nabla::train
