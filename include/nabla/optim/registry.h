// nabla/optim/registry.h — every optimizer, one row each: the name a `nabla train` config gives
// ([optim] name), its class (Optimizer::name(), nabla.optim's class in Python), the config keys
// it reads, its options with their defaults (checked by the options' own validate()) and its
// builder. `nabla train`, the playground and the Python module all build optimizers from here,
// so adding an optimizer is its class plus one row in src/optim/registry.cpp.
//
//   const optim::OptimizerRecipe& r = optim::optimizer_recipe("adam");
//   std::unique_ptr<optim::OptimizerOptions> o = r.options();   // AdamOptions(), the defaults
//   o->from_json({{"lr", 0.01}});  o->validate();
//   std::unique_ptr<optim::Optimizer> opt = r.build({optim::ParamGroup(params)}, *o);
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

struct OptimizerRecipe {
  std::string name;  // "adam": the [optim] name of a config
  std::string type;  // "Adam": the class, Optimizer::name(), nabla.optim's class
  // The [optim] keys it reads besides lr, as options' to_json keys ("beta1", "beta2": betas).
  std::vector<std::string> keys;
  std::unique_ptr<OptimizerOptions> (*options)();  // its options type, with their defaults
  std::unique_ptr<Optimizer> (*build)(std::vector<ParamGroup> groups, const OptimizerOptions& defaults);
};

const std::vector<OptimizerRecipe>& optimizer_recipes();
// The row whose name or type is `name` ("adam" or "Adam"); ValueError listing the names otherwise.
const OptimizerRecipe& optimizer_recipe(std::string_view name);

}  // namespace nabla::optim
