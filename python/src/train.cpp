// python/src/train.cpp — nabla.train(config): the engine of `nabla train` from Python, one epoch
// at a time without the GIL; Ctrl-C between two epochs raises KeyboardInterrupt.
#include <filesystem>

#include "bindings.h"
#include "nabla/train/config.h"
#include "nabla/train/recipes.h"
#include "nabla/train/trainer.h"

namespace nabla::python {
namespace {

py::dict record(const train::EpochMetrics& m) {
  py::dict d;
  d["epoch"] = m.epoch;
  d["train_loss"] = m.train_loss;
  d["test_loss"] = m.test_loss;
  d["train_acc"] = m.train_acc;
  d["test_acc"] = m.test_acc;
  d["lr"] = m.lr;
  py::dict norms;
  for (const auto& [name, value] : m.grad_norms) norms[py::str(name)] = value;
  d["grad_norms"] = norms;
  return d;
}

// config: a TOML file's path or TOML text; overrides: "key=value" as `nabla train --set`.
py::list train(const std::string& config, const std::vector<std::string>& overrides, const py::object& epochs,
               const py::object& on_epoch) {
  const bool is_file = config.find('\n') == std::string::npos && std::filesystem::is_regular_file(config);
  train::TrainConfig c = is_file ? train::parse_train_config_file(config, overrides)
                                 : train::parse_train_config(config, "<config>", overrides);
  if (!epochs.is_none()) c.train.epochs = epochs.cast<int64_t>();
  auto trainer = std::make_unique<train::Trainer>(c);
  py::list history;
  for (int64_t e = 0; e < c.train.epochs; ++e) {
    train::EpochMetrics m = without_gil([&] { return trainer->run_epoch(); });
    py::dict r = record(m);
    history.append(r);
    if (!on_epoch.is_none()) on_epoch(r);
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C between two epochs
  }
  return history;
}

// The names a config may give, from the tables every reader uses (nabla/train/recipes.h).
py::dict recipes() {
  py::dict d;
  d["layers"] = train::recipe_names(train::layer_recipes());
  d["losses"] = train::recipe_names(train::loss_recipes());
  d["optimizers"] = train::recipe_names(optim::optimizer_recipes());
  d["schedulers"] = train::recipe_names(train::scheduler_recipes());
  py::dict types;  // optimizer name -> nabla.optim class
  for (const optim::OptimizerRecipe& r : optim::optimizer_recipes()) types[py::str(r.name)] = r.type;
  d["optimizer_classes"] = types;
  return d;
}

void bind_train(py::module_& m) {
  m.def("recipes", &recipes,
        "The layer types, losses, optimizers and schedulers a training config may name, and the nabla.optim "
        "class of each optimizer: {'layers': [...], 'losses': [...], 'optimizers': [...], 'schedulers': [...], "
        "'optimizer_classes': {'adam': 'Adam', ...}}.");
  m.def("train", &train, py::arg("config"), py::arg("overrides") = std::vector<std::string>{},
        py::arg("epochs") = py::none(), py::arg("on_epoch") = py::none(),
        "Trains the network a `nabla train` TOML config describes (a path or TOML text), as `nabla train` "
        "does; returns one dict per epoch (epoch, train_loss, test_loss, train_acc, test_acc, lr, "
        "grad_norms). on_epoch(record) is called after each epoch; Ctrl-C stops between two epochs.");
}

const bool registered_train = register_binding(60, bind_train);

}  // namespace
}  // namespace nabla::python
