#include "nabla/train/trainer.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "nabla/autograd/node.h"
#include "nabla/data/csv.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/diabetes.h"
#include "nabla/data/features.h"
#include "nabla/data/mnist.h"
#include "nabla/data/numpy_random.h"
#include "nabla/data/sklearn.h"
#include "nabla/data/synthetic.h"
#include "nabla/io/safetensors.h"
#include "nabla/nn/nn.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/optim.h"
#include "nabla/train/recipes.h"

namespace nabla::train {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ============================== data ==============================

namespace {

// The first non-finite element of `t` (flat index), or -1. In place: MNIST's 47M pixels are
// not copied to doubles to be checked.
int64_t first_non_finite(const Tensor& t) {
  if (!is_floating(t.dtype())) return -1;  // integers are finite
  const Tensor c = t.contiguous();
  return dispatch_floating(c.dtype(), "first_non_finite", [&]<class T>() -> int64_t {
    const T* p = c.data<T>();
    for (int64_t i = 0; i < c.numel(); ++i)
      if (!std::isfinite(p[i])) return i;
    return -1;
  });
}

// Data with a NaN or an infinity cannot train: say so when they are loaded, naming the source.
void check_finite_data(const Dataset& d, const std::string& source) {
  if (d.size() == 0) return;
  const int64_t i = first_non_finite(d.x);
  const int64_t features = std::max<int64_t>(1, d.num_features());
  NABLA_CHECK(i < 0, ValueError, source, ": the input data hold a non-finite value (",
              d.x.reshape({-1}).to_vector<double>()[size_t(std::max<int64_t>(i, 0))], ") at row ", i / features + 1,
              ", feature ", i % features + 1);
}

// Why the loss became inf or NaN on a batch with inputs `x`: what is not finite, and
// what to do. `first_step`: no optimizer step was taken yet in this process.
std::string why_not_finite(const Tensor& x, const std::vector<std::pair<std::string, Tensor>>& parameters,
                           bool first_step) {
  if (first_non_finite(x) >= 0) return "the batch's input data hold a non-finite value";
  for (const auto& [name, p] : parameters) {
    if (first_non_finite(p) < 0) continue;
    if (first_step) return detail::concat("the weights ", name, " are not finite before any step (as loaded)");
    if (p.grad().defined() && first_non_finite(p.grad()) >= 0)
      return detail::concat("the gradient of ", name,
                            " was not finite at the last step, which made the weights non-finite (try a smaller "
                            "optim.lr, or gradient clipping with optim.clip_grad_norm)");
    return detail::concat("the last optimizer step made the weights ", name,
                          " non-finite (try a smaller optim.lr, or gradient clipping with optim.clip_grad_norm)");
  }
  if (first_step) {
    double largest = 0;
    for (double v : x.to_vector<double>()) largest = std::max(largest, std::fabs(v));
    return detail::concat(
        "the forward pass overflowed with finite inputs and weights, before any step (the largest "
        "input is ",
        largest, "): scale the data, e.g. data.standardize = true");
  }
  return "the weights are finite, but the last steps made the outputs overflow (try a smaller optim.lr, or gradient "
         "clipping with optim.clip_grad_norm)";
}

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
  if (d.name == "blobs") return make_blobs(o, d.classes, 2, d.box);
  if (d.name == "gaussian") return make_gaussian_quantiles(o, d.classes);
  if (d.name == "numpy_normal")
    return numpy::make_normal_dataset(
        {.n = d.n, .features = c.model.inputs, .seed = c.seed, .label = d.label, .dtype = c.dtype});
  if (d.name == "diabetes") return load_diabetes();  // float64: split and standardised, then cast
  if (d.name == "csv") {
    CsvOptions csv{.label = d.label, .dtype = c.dtype};
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
  check_finite_data(all, c.data.path.empty() ? "data.name = " + c.data.name : c.data.path);
  if (c.data.name != "diabetes") all = with_dtype(std::move(all), c.dtype);
  if (c.data.scale != 1.0) all.x = all.x * c.data.scale;
  if (!c.data.shift.empty()) {
    NABLA_CHECK(int64_t(c.data.shift.size()) == all.num_features(), ValueError, "data.shift has ", c.data.shift.size(),
                " numbers, but the ", c.data.name, " data have ", all.num_features(), " columns");
    all.x = all.x + Tensor::from_vector(c.data.shift, {all.num_features()}, all.x.dtype());
  }
  bool has_test_file = false;
  if (c.data.name == "mnist" && fs::is_directory(c.data.path) &&
      fs::exists(fs::path(c.data.path) / "t10k-images-idx3-ubyte")) {
    train_ = all;
    const fs::path images = fs::path(c.data.path) / "t10k-images-idx3-ubyte";
    test_ = with_dtype(load_mnist(images, fs::path(c.data.path) / "t10k-labels-idx1-ubyte"), c.dtype);
    // The test set must fit the training set; found now, not after the first epoch.
    NABLA_CHECK(test_.num_features() == all.num_features(), ShapeError, images.string(), ": images of ",
                test_.num_features(), " pixels, but the training images have ", all.num_features());
    NABLA_CHECK(test_.num_classes <= all.num_classes, ValueError,
                (fs::path(c.data.path) / "t10k-labels-idx1-ubyte").string(), ": a label is ", test_.num_classes - 1,
                ", but the training labels are 0 to ", all.num_classes - 1);
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
  if (!c.data.features.empty()) {  // the playground's inputs: nabla/data/features.h
    NABLA_CHECK(all.num_features() == 2, ValueError, "data.features: the ", c.data.name, " data have ",
                all.num_features(), " features; features of points need 2-D data");
    for (Dataset* d : {&train_, &test_, &holdout_}) {
      if (d->size() > 0) d->x = point_features(d->x, c.data.features), d->feature_names = c.data.features;
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
  if (loss == "cross_entropy") {
    NABLA_CHECK(classes_ >= 2, ValueError, "loss.name = \"cross_entropy\" needs class labels, but the ", c.data.name,
                " data are a regression target");
    NABLA_CHECK(out_width == classes_, ValueError, "loss.name = \"cross_entropy\": the model ends with ", out_width,
                " outputs but the data have ", classes_, " classes");
  } else {
    NABLA_CHECK(!train_.multiclass(), ValueError, "loss.name = \"", loss, "\" needs 0/1 or real targets, but the ",
                c.data.name, " data have ", classes_, " classes: use cross_entropy");
    NABLA_CHECK(out_width == train_.y.size(1), ValueError, "loss.name = \"", loss, "\": the model ends with ",
                out_width, " outputs but the targets have ", train_.y.size(1), " columns");
  }
  loss_ = make_loss(c.loss);

  if (c.train.generator == "global") {  // torch.manual_seed(seed) right before the model is built
    manual_seed(c.seed);
  }
  model_ = std::make_shared<ConfigModel>(c, rng());
  parameters_ = model_->named_parameters();
  optimizer_ = make_optimizer(c.optim, model_->parameters());
  scheduler_ = make_scheduler(c.scheduler, *optimizer_, c.train.epochs);
  step_.emplace(*model_, *loss_, *optimizer_, step_options(c.optim));
}

void Trainer::set_parallel(Parallel* parallel) {
  StepOptions options = step_->options();
  options.parallel = parallel;
  step_.emplace(*model_, *loss_, *optimizer_, options);
  parallel_ = parallel;
  if (!parallel) return;
  parallel->check_same(to_toml(config_), "configuration");
  parallel->attach(model_, config_.loss.reduction == "sum");
}

void Trainer::load_parameters(const std::string& path) {
  nn::StateDict state = model_->state_dict();
  // The names and shapes, from the header, before any data is read.
  const SafetensorsHeader header = load_safetensors_header(path);
  for (const auto& [name, tensor] : state) {
    const std::string& key = name;  // clang 14 cannot capture a structured binding
    auto it = std::find_if(header.tensors.begin(), header.tensors.end(), [&](const auto& t) { return t.name == key; });
    NABLA_CHECK(
        it != header.tensors.end(), ValueError, path, ": no tensor named \"", name, "\" (the model's parameters are ",
        [&] {
          std::string names;
          for (const auto& [n, _] : state) names += (names.empty() ? "" : ", ") + n;
          return names;
        }(),
        ")");
    NABLA_CHECK(it->shape == tensor.shape(), ShapeError, path, ": \"", name, "\" has shape ", it->shape.to_string(),
                ", the model expects ", tensor.shape().to_string());
  }
  for (const auto& t : header.tensors)
    NABLA_CHECK(state.contains(t.name), ValueError, path, ": tensor \"", detail::excerpt(t.name),
                "\" is not a parameter of the model");
  SafetensorsFile file = load_safetensors(path);
  nn::StateDict loaded;
  for (const auto& [name, tensor] : state) {
    const Tensor& t = file.at(name);
    const int64_t bad = first_non_finite(t);
    NABLA_CHECK(bad < 0, ValueError, path, ": \"", name, "\" holds a non-finite value (",
                t.reshape({-1}).to_vector<double>()[size_t(std::max<int64_t>(bad, 0))], " at flat index ", bad,
                "); the weights must be finite numbers");
    loaded.push_back({name, t.to(tensor.dtype())});
  }
  model_->load_state_dict(loaded);
}

void Trainer::save_checkpoint(const std::string& path) const {
  NamedTensors tensors;
  for (const auto& [name, t] : model_->state_dict()) tensors.push_back({"model." + name, t});
  optim::OptimizerState opt = optimizer_->state_dict();
  for (const auto& [name, t] : opt.tensors) tensors.push_back({"optimizer." + name, t});
  std::map<std::string, std::string> meta{
      {"format", "nabla-checkpoint-2"}, {"epoch", std::to_string(epoch_)},
      {"optimizer", opt.scalars},       {"scheduler", scheduler_ ? scheduler_->state_dict().dump() : "null"},
      {"generator", rng().state()},     {"config", to_toml(config_)},
  };
  save_safetensors(path, tensors, meta);
}

int64_t Trainer::load_checkpoint(const std::string& path) {
  // The model's tensors are checked against the header before any data is read.
  const nn::StateDict state = model_->state_dict();
  for (const SafetensorsTensorInfo& t : load_safetensors_header(path).tensors) {
    if (t.name.rfind("model.", 0) != 0) continue;
    const std::string name = t.name.substr(6);
    auto it = std::find_if(state.begin(), state.end(), [&](const auto& s) { return s.first == name; });
    NABLA_CHECK(it != state.end(), ParseError, path, ": damaged checkpoint: tensor \"", detail::excerpt(t.name),
                "\" is not a parameter of the model");
    NABLA_CHECK(it->second.shape() == t.shape, ParseError, path, ": damaged checkpoint: tensor \"", t.name,
                "\" has shape ", t.shape.to_string(), ", the model's is ", it->second.shape().to_string());
  }
  SafetensorsFile file = load_safetensors(path);
  auto meta = [&](const std::string& key) -> const std::string& {
    auto it = file.metadata.find(key);
    NABLA_CHECK(it != file.metadata.end(), ParseError, path, ": not a nabla checkpoint (no \"", key,
                "\" in its metadata)");
    return it->second;
  };
  // Version 1 also held the metrics so far; they are ignored (metrics.csv has them).
  NABLA_CHECK(meta("format") == "nabla-checkpoint-2" || meta("format") == "nabla-checkpoint-1", ParseError, path,
              ": unknown checkpoint format \"", meta("format"), "\"");
  NABLA_CHECK(meta("config") == to_toml(config_), ValueError, path,
              ": the checkpoint was written for another configuration; resume with the run's own config.toml");
  const std::string& epoch_text = meta("epoch");
  int64_t epoch = -1;
  const auto [end, ec] = std::from_chars(epoch_text.data(), epoch_text.data() + epoch_text.size(), epoch);
  NABLA_CHECK(
      ec == std::errc() && end == epoch_text.data() + epoch_text.size() && epoch >= 0 && epoch <= config_.train.epochs,
      ParseError, path, ": damaged checkpoint: epoch \"", epoch_text.substr(0, 40),
      "\" is not a whole number from 0 to train.epochs = ", config_.train.epochs);
  // Each part is checked as it is read; an error names the file and the part.
  auto part = [&](const std::string& name, auto&& read) {
    try {
      read();
    } catch (const std::exception& e) {  // nabla::Error, nlohmann's parse errors, std::stoll's
      throw ParseError(detail::concat(path, ": damaged checkpoint: ", name, ": ", e.what()), path);
    }
  };
  nn::StateDict model_state;
  optim::OptimizerState opt;
  for (const std::string& name : file.names()) {
    if (name.rfind("model.", 0) == 0) {
      const Tensor& t = file.at(name);
      NABLA_CHECK(first_non_finite(t) < 0, ParseError, path, ": damaged checkpoint: tensor \"", name,
                  "\" holds a non-finite value");
      model_state.push_back({name.substr(6), t});
    } else if (name.rfind("optimizer.", 0) == 0) {
      opt.tensors[name.substr(10)] = file.at(name);
    } else {
      throw ParseError(detail::concat(path, ": damaged checkpoint: tensor \"", detail::excerpt(name),
                                      "\" is neither model.* nor optimizer.*"),
                       path);
    }
  }
  part("the model tensors", [&] { model_->load_state_dict(model_state); });
  part("metadata \"optimizer\"", [&] {
    opt.scalars = nlohmann::json::parse(meta("optimizer")).dump();
    optimizer_->load_state_dict(opt);
  });
  if (scheduler_)
    part("metadata \"scheduler\"", [&] { scheduler_->load_state_dict(nlohmann::json::parse(meta("scheduler"))); });
  part("metadata \"generator\"", [&] { rng().set_state(meta("generator")); });
  epoch_ = epoch;
  return epoch_;
}

Generator& Trainer::rng() { return config_.train.generator == "global" ? default_generator() : generator_; }
const Generator& Trainer::rng() const { return config_.train.generator == "global" ? default_generator() : generator_; }

Tensor Trainer::target_of(const Tensor& target) const {
  if (config_.loss.name == "cross_entropy" && target.dtype() != DType::int64)
    return target.reshape({-1}).to(DType::int64);
  return target;
}

Tensor Trainer::loss_of(const Tensor& output, const Tensor& target) const {
  return (*loss_)(output, target_of(target));
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
  for (const Batch& b : loader) {
    Tensor x = b.x, y = b.y;
    if (parallel_) {  // this rank's shard of the global batch
      const auto [begin, end] = shard_rows(x.size(0), parallel_->world_size(), parallel_->rank());
      x = x.slice(0, begin, end);
      y = y.slice(0, begin, end);
    }
    const StepResult r = (*step_)(x, target_of(y));
    NABLA_CHECK(r.updated, ValueError, "training diverged: the loss became ", r.value, " at epoch ", epoch_, ", batch ",
                batches + 1, ": ", why_not_finite(b.x, parameters_, epoch_ == 1 && batches == 0));
    loss_sum += r.value;
    ++batches;
  }
  m.train_loss = batches ? loss_sum / double(batches) : kNaN;
  m.grad_norms = nn::grad_norms(*model_);
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

}  // namespace nabla::train
