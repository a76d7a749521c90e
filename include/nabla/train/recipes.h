// nabla/train/recipes.h — the tables a training configuration is read from: every layer type,
// loss and scheduler is one row (its name, its options with their defaults and checks, its
// builder); optimizers are the rows of optim::optimizer_recipes(). The TOML reader, `--set`,
// to_toml, the playground and the Python module all read these rows, so adding a layer type is
// its module plus one row in src/train/recipes.cpp (CONTRIBUTING.md: "How to add a layer type").
//
//   TrainConfig c = parse_train_config_file("examples/xor.toml");
//   auto loss = train::make_loss(c.loss);                              // nn::MSELoss, ...
//   auto opt = train::make_optimizer(c.optim, model->parameters());   // optim::SGD, ...
//   train::TrainStep step(*model, *loss, *opt, train::step_options(c.optim));
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/nn/loss.h"
#include "nabla/nn/module.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/registry.h"
#include "nabla/tensor/random.h"
#include "nabla/train/config.h"
#include "nabla/train/step.h"

namespace nabla::train {

// A numeric option of a layer type: { type = "dropout", p = 0.2 }.
struct LayerOption {
  std::string key;
  double default_value = 0;
  bool (*valid)(double) = nullptr;  // nullptr: any finite number
  std::string rule;                 // what valid() asks, for the error: "must be in [0, 1)"
  bool required = false;            // the layer needs it (groupnorm's groups)
};

struct LayerRecipe {
  std::string name;  // [model].layers type
  std::vector<LayerOption> options;
  // The module, for a layer with `in` input features; parameters drawn from `generator`.
  std::shared_ptr<nn::Module> (*build)(const LayerConfig& layer, int64_t in, DType dtype, Generator& generator);
  // An element-wise activation function (no parameters, width kept): the playground offers these.
  bool activation = false;
};

struct LossRecipe {
  std::string name;  // [loss] name
  std::shared_ptr<nn::Loss> (*build)(const LossConfig& loss);
};

struct SchedulerRecipe {
  std::string name;               // [scheduler] name
  std::vector<std::string> keys;  // the [scheduler] keys it reads
  // `epochs`: the run's length (cosine's t_max = 0). nullptr for "none".
  std::shared_ptr<optim::LRScheduler> (*build)(const SchedulerConfig& s, optim::Optimizer& optimizer, int64_t epochs);
};

const std::vector<LayerRecipe>& layer_recipes();
const std::vector<LossRecipe>& loss_recipes();
const std::vector<SchedulerRecipe>& scheduler_recipes();
// By name; ValueError listing the names otherwise.
const LayerRecipe& layer_recipe(std::string_view type);
const LossRecipe& loss_recipe(std::string_view name);
const SchedulerRecipe& scheduler_recipe(std::string_view name);
// The names of a table's rows, in order.
template <class Recipe>
std::vector<std::string> recipe_names(const std::vector<Recipe>& rows) {
  std::vector<std::string> names;
  for (const Recipe& r : rows) names.push_back(r.name);
  return names;
}

// A layer of type `type` with every option at its default (linear: `out` outputs).
LayerConfig default_layer(const std::string& type, int64_t out = 0);
// An [optim] section for optimizer `name` with every option at that optimizer's default.
OptimConfig default_optim(const std::string& name);
// The [optim] keys an optimizer may read, besides name and lr (every row's keys, in table order).
std::vector<std::string> optimizer_keys();
// Sets the fields of `optim` named by the row's keys from its options' defaults (AdamW's
// weight_decay 0.01, Adagrad's eps 1e-10, ...).
void set_optimizer_defaults(OptimConfig& optim);
// The options of optim.name's optimizer, read from `optim`'s fields and validated by the options'
// own validate(): an optim::OptionError names the option.
std::unique_ptr<optim::OptimizerOptions> optimizer_options(const OptimConfig& optim);
// A numeric field of [optim] by key (momentum, beta1, ...): nullptr for a boolean one.
double* optim_number(OptimConfig& optim, std::string_view key);
const double* optim_number(const OptimConfig& optim, std::string_view key);
bool* optim_flag(OptimConfig& optim, std::string_view key);
const bool* optim_flag(const OptimConfig& optim, std::string_view key);

std::shared_ptr<nn::Module> make_layer(const LayerConfig& layer, int64_t in, DType dtype, Generator& generator);
std::shared_ptr<nn::Loss> make_loss(const LossConfig& loss);
std::unique_ptr<optim::Optimizer> make_optimizer(const OptimConfig& optim, std::vector<Tensor> params);
// nullptr for name = "none". `epochs`: cosine's t_max when t_max = 0.
std::shared_ptr<optim::LRScheduler> make_scheduler(const SchedulerConfig& scheduler, optim::Optimizer& optimizer,
                                                   int64_t epochs);
// The penalties (l1, l2) and clipping of [optim], for a TrainStep.
StepOptions step_options(const OptimConfig& optim);

}  // namespace nabla::train
