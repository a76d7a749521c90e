#include "nabla/optim/registry.h"

#include "nabla/error.h"
#include "nabla/optim/optim.h"

namespace nabla::optim {

namespace {

// A row for the optimizer class Opt with options Options.
template <class Opt, class Options>
OptimizerRecipe row(std::string name, std::string type, std::vector<std::string> keys) {
  return {std::move(name), std::move(type), std::move(keys),
          []() -> std::unique_ptr<OptimizerOptions> {
            if constexpr (std::is_default_constructible_v<Options>)
              return std::make_unique<Options>();
            else
              return std::make_unique<Options>(0.0);  // SGD has no default lr (as PyTorch)
          },
          [](std::vector<ParamGroup> groups, const OptimizerOptions& defaults) -> std::unique_ptr<Optimizer> {
            return std::make_unique<Opt>(std::move(groups), dynamic_cast<const Options&>(defaults));
          }};
}

}  // namespace

const std::vector<OptimizerRecipe>& optimizer_recipes() {
  static const std::vector<OptimizerRecipe> rows = {
      row<SGD, SGDOptions>("sgd", "SGD", {"momentum", "dampening", "nesterov", "weight_decay"}),
      row<Adam, AdamOptions>("adam", "Adam", {"beta1", "beta2", "eps", "weight_decay", "amsgrad"}),
      row<AdamW, AdamWOptions>("adamw", "AdamW", {"beta1", "beta2", "eps", "weight_decay", "amsgrad"}),
      row<RMSprop, RMSpropOptions>("rmsprop", "RMSprop", {"alpha", "eps", "weight_decay", "momentum", "centered"}),
      row<Adagrad, AdagradOptions>("adagrad", "Adagrad", {"eps", "weight_decay"}),
  };
  return rows;
}

const OptimizerRecipe& optimizer_recipe(std::string_view name) {
  std::string names;
  for (const OptimizerRecipe& r : optimizer_recipes()) {
    if (r.name == name || r.type == name) return r;
    names += (names.empty() ? "" : ", ") + r.name;
  }
  throw ValueError(detail::concat("no optimizer named \"", name, "\" (known: ", names, ")"));
}

}  // namespace nabla::optim
