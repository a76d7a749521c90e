#include "nabla/train/recipes.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "nabla/autograd/node.h"
#include "nabla/error.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/optim.h"

namespace nabla::train {

namespace {

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

std::shared_ptr<nn::Module> build_linear(const LayerConfig& l, int64_t in, DType dtype, Generator& gen) {
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

// A layer type without options or parameters: Module's default constructor.
template <class M>
LayerRecipe plain(std::string name, bool activation) {
  return {std::move(name),
          {},
          [](const LayerConfig&, int64_t, DType, Generator&) -> std::shared_ptr<nn::Module> {
            return std::make_shared<M>();
          },
          activation};
}

bool in_unit_interval(double v) { return v >= 0 && v < 1; }
bool non_negative(double v) { return v >= 0; }
bool group_count(double v) { return v >= 1 && v <= double(1 << 20) && v == std::floor(v); }

}  // namespace

const std::vector<LayerRecipe>& layer_recipes() {
  using L = const LayerConfig&;
  using M = std::shared_ptr<nn::Module>;
  static const std::vector<LayerRecipe> rows = {
      // linear's out, bias, weight and init are read by the config reader (they are not numbers);
      // these are init's parameters.
      {"linear", {{"mean", 0.0}, {"std", 1.0}, {"value", 0.0}, {"gain", 1.0}}, build_linear},
      plain<nn::Sigmoid>("sigmoid", true),
      plain<nn::Tanh>("tanh", true),
      plain<nn::ReLU>("relu", true),
      {"leaky_relu",
       {{"slope", 0.01}},
       [](L l, int64_t, DType, Generator&) -> M { return std::make_shared<nn::LeakyReLU>(l.params.at("slope")); },
       true},
      {"elu",
       {{"alpha", 1.0}},
       [](L l, int64_t, DType, Generator&) -> M { return std::make_shared<nn::ELU>(l.params.at("alpha")); },
       true},
      plain<nn::SELU>("selu", true),
      // gelu's `approximate = "none"|"tanh"` is stored as tanh = 0|1 (the reader and to_toml say so).
      {"gelu",
       {{"tanh", 0.0}},
       [](L l, int64_t, DType, Generator&) -> M {
         return std::make_shared<nn::GELU>(nn::GELUOptions().approximate(l.params.at("tanh") != 0 ? "tanh" : "none"));
       },
       true},
      plain<nn::SiLU>("silu", true),
      {"softplus",
       {{"beta", 1.0}, {"threshold", 20.0}},
       [](L l, int64_t, DType, Generator&) -> M {
         return std::make_shared<nn::Softplus>(
             nn::SoftplusOptions().beta(l.params.at("beta")).threshold(l.params.at("threshold")));
       },
       true},
      plain<nn::Step>("step", true),
      plain<nn::Identity>("identity", true),
      plain<nn::Flatten>("flatten", false),
      {"softmax", {}, [](L, int64_t, DType, Generator&) -> M { return std::make_shared<nn::Softmax>(1); }},
      {"log_softmax", {}, [](L, int64_t, DType, Generator&) -> M { return std::make_shared<nn::LogSoftmax>(1); }},
      {"dropout",
       {{"p", 0.5, in_unit_interval, "must be in [0, 1)"}},
       [](L l, int64_t, DType, Generator& gen) -> M {
         return std::make_shared<nn::Dropout>(nn::DropoutOptions(l.params.at("p")).generator(&gen));
       }},
      {"batchnorm",
       {{"momentum", 0.1}, {"eps", 1e-5}},
       [](L l, int64_t in, DType dtype, Generator&) -> M {
         return std::make_shared<nn::BatchNorm1d>(
             nn::BatchNormOptions(in).eps(l.params.at("eps")).momentum(l.params.at("momentum")).dtype(dtype));
       }},
      {"layernorm",
       {{"eps", 1e-5}},
       [](L l, int64_t in, DType dtype, Generator&) -> M {
         return std::make_shared<nn::LayerNorm>(nn::LayerNormOptions({in}).eps(l.params.at("eps")).dtype(dtype));
       }},
      {"groupnorm",
       {{"groups", 0.0, group_count, "must be a positive integer, at most 2^20", /*required=*/true}, {"eps", 1e-5}},
       [](L l, int64_t in, DType dtype, Generator&) -> M {
         return std::make_shared<nn::GroupNorm>(
             nn::GroupNormOptions(int64_t(l.params.at("groups")), in).eps(l.params.at("eps")).dtype(dtype));
       }},
      // add's `from` is read by the config reader; ConfigModel adds, the module is a placeholder.
      plain<nn::Identity>("add", false),
  };
  return rows;
}

// ---- losses ----

namespace {

nn::Reduction reduction_of(const LossConfig& c) {
  return c.reduction == "sum" ? nn::Reduction::sum : nn::Reduction::mean;
}

template <class Loss>
LossRecipe simple_loss(std::string name) {
  return {std::move(name),
          [](const LossConfig& c) -> std::shared_ptr<nn::Loss> { return std::make_shared<Loss>(reduction_of(c)); }};
}

}  // namespace

const std::vector<LossRecipe>& loss_recipes() {
  static const std::vector<LossRecipe> rows = {
      simple_loss<nn::MSELoss>("mse"),
      simple_loss<nn::HalfMSELoss>("half_mse"),
      simple_loss<nn::L1Loss>("l1"),
      simple_loss<nn::BCELoss>("bce"),
      simple_loss<nn::BCEWithLogitsLoss>("bce_logits"),
      {"cross_entropy",
       [](const LossConfig& c) -> std::shared_ptr<nn::Loss> {
         return std::make_shared<nn::CrossEntropyLoss>(
             nn::CrossEntropyLossOptions(reduction_of(c)).label_smoothing(c.label_smoothing));
       }},
  };
  return rows;
}

// ---- schedulers ----

const std::vector<SchedulerRecipe>& scheduler_recipes() {
  using S = const SchedulerConfig&;
  using R = std::shared_ptr<optim::LRScheduler>;
  static const std::vector<SchedulerRecipe> rows = {
      {"none", {}, [](S, optim::Optimizer&, int64_t) -> R { return nullptr; }},
      {"step",
       {"step_size", "gamma"},
       [](S s, optim::Optimizer& o, int64_t) -> R { return std::make_shared<optim::StepLR>(o, s.step_size, s.gamma); }},
      {"exponential",
       {"gamma"},
       [](S s, optim::Optimizer& o, int64_t) -> R { return std::make_shared<optim::ExponentialLR>(o, s.gamma); }},
      {"cosine",
       {"t_max", "eta_min"},
       [](S s, optim::Optimizer& o, int64_t epochs) -> R {
         return std::make_shared<optim::CosineAnnealingLR>(o, s.t_max > 0 ? s.t_max : epochs, s.eta_min);
       }},
      {"warmup",
       {"warmup_epochs", "start_factor"},
       [](S s, optim::Optimizer& o, int64_t) -> R {
         return std::make_shared<optim::LinearLR>(o, s.start_factor, 1.0, std::max<int64_t>(1, s.warmup_epochs));
       }},
  };
  return rows;
}

// ---- lookups ----

namespace {

template <class Recipe>
const Recipe& find(const std::vector<Recipe>& rows, std::string_view name, const char* what) {
  for (const Recipe& r : rows)
    if (r.name == name) return r;
  std::string names;
  for (const Recipe& r : rows) names += (names.empty() ? "" : ", ") + r.name;
  throw ValueError(nabla::detail::concat("no ", what, " named \"", name, "\" (known: ", names, ")"));
}

}  // namespace

const LayerRecipe& layer_recipe(std::string_view type) { return find(layer_recipes(), type, "layer type"); }
const LossRecipe& loss_recipe(std::string_view name) { return find(loss_recipes(), name, "loss"); }
const SchedulerRecipe& scheduler_recipe(std::string_view name) { return find(scheduler_recipes(), name, "scheduler"); }

LayerConfig default_layer(const std::string& type, int64_t out) {
  LayerConfig l;
  l.type = type;
  l.out = out;
  for (const LayerOption& o : layer_recipe(type).options) l.params[o.key] = o.default_value;
  return l;
}

// ---- optimizers: [optim]'s fields <-> the options' JSON ----

namespace {

struct OptimField {
  const char* key;
  double OptimConfig::*number;
  bool OptimConfig::*flag;
};
constexpr OptimField kOptimFields[] = {
    {"momentum", &OptimConfig::momentum, nullptr}, {"dampening", &OptimConfig::dampening, nullptr},
    {"nesterov", nullptr, &OptimConfig::nesterov}, {"weight_decay", &OptimConfig::weight_decay, nullptr},
    {"beta1", &OptimConfig::beta1, nullptr},       {"beta2", &OptimConfig::beta2, nullptr},
    {"eps", &OptimConfig::eps, nullptr},           {"alpha", &OptimConfig::alpha, nullptr},
    {"amsgrad", nullptr, &OptimConfig::amsgrad},   {"centered", nullptr, &OptimConfig::centered},
};

const OptimField& field(std::string_view key) {
  for (const OptimField& f : kOptimFields)
    if (key == f.key) return f;
  throw ValueError(nabla::detail::concat("[optim] has no field \"", key, "\" (an optimizer row names an unknown key)"));
}

// The options' JSON value of a key ("beta1" is betas[0]).
nlohmann::json json_value(const nlohmann::json& j, const std::string& key) {
  if (key == "beta1" || key == "beta2") return j.at("betas").at(key == "beta1" ? 0 : 1);
  return j.at(key);
}

}  // namespace

double* optim_number(OptimConfig& o, std::string_view key) {
  const OptimField& f = field(key);
  return f.number ? &(o.*f.number) : nullptr;
}
bool* optim_flag(OptimConfig& o, std::string_view key) {
  const OptimField& f = field(key);
  return f.flag ? &(o.*f.flag) : nullptr;
}
const double* optim_number(const OptimConfig& o, std::string_view key) {
  const OptimField& f = field(key);
  return f.number ? &(o.*f.number) : nullptr;
}
const bool* optim_flag(const OptimConfig& o, std::string_view key) {
  const OptimField& f = field(key);
  return f.flag ? &(o.*f.flag) : nullptr;
}

std::vector<std::string> optimizer_keys() {
  std::vector<std::string> keys;
  for (const optim::OptimizerRecipe& r : optim::optimizer_recipes())
    for (const std::string& k : r.keys)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  return keys;
}

void set_optimizer_defaults(OptimConfig& o) {
  const optim::OptimizerRecipe& r = optim::optimizer_recipe(o.name);
  const nlohmann::json defaults = r.options()->to_json();
  for (const std::string& key : r.keys) {
    const nlohmann::json v = json_value(defaults, key);
    if (double* d = optim_number(o, key))
      *d = v.get<double>();
    else
      *optim_flag(o, key) = v.get<bool>();
  }
}

OptimConfig default_optim(const std::string& name) {
  OptimConfig o;
  o.name = name;
  set_optimizer_defaults(o);
  return o;
}

std::unique_ptr<optim::OptimizerOptions> optimizer_options(const OptimConfig& o) {
  const optim::OptimizerRecipe& r = optim::optimizer_recipe(o.name);
  nlohmann::json j = {{"lr", o.lr}};
  for (const std::string& key : r.keys) {
    const nlohmann::json v =
        optim_number(o, key) ? nlohmann::json(*optim_number(o, key)) : nlohmann::json(*optim_flag(o, key));
    if (key == "beta1" || key == "beta2") {
      if (!j.contains("betas")) j["betas"] = {o.beta1, o.beta2};
    } else {
      j[key] = v;
    }
  }
  std::unique_ptr<optim::OptimizerOptions> options = r.options();
  options->from_json(j);
  options->validate();
  return options;
}

// ---- builders ----

std::shared_ptr<nn::Module> make_layer(const LayerConfig& l, int64_t in, DType dtype, Generator& gen) {
  return layer_recipe(l.type).build(l, in, dtype, gen);
}

std::shared_ptr<nn::Loss> make_loss(const LossConfig& c) { return loss_recipe(c.name).build(c); }

std::unique_ptr<optim::Optimizer> make_optimizer(const OptimConfig& o, std::vector<Tensor> params) {
  return optim::optimizer_recipe(o.name).build({optim::ParamGroup(std::move(params))}, *optimizer_options(o));
}

std::shared_ptr<optim::LRScheduler> make_scheduler(const SchedulerConfig& s, optim::Optimizer& optimizer,
                                                   int64_t epochs) {
  return scheduler_recipe(s.name).build(s, optimizer, epochs);
}

StepOptions step_options(const OptimConfig& o) { return {.l1 = o.l1, .l2 = o.l2, .clip_grad_norm = o.clip_grad_norm}; }

}  // namespace nabla::train
