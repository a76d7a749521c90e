// python/src/optim.cpp — nabla._C._optim: nabla's C++ optimizers, driven by nabla.optim's Python
// classes (python/nabla/optim).
//
// torch.optim's built-in optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) are Python classes
// whose param_groups are dicts; here each holds one C++ optimizer over the same tensors, whose
// step() runs nabla's update kernels (PyTorch 1.13's single-tensor arithmetic, replayable by
// nabla.compile). A group's options travel as the JSON of OptimizerOptions::to_json/from_json:
// the Python side sends them whenever a group's dict changes, so schedulers and user edits are
// what the next step uses, eager or replayed.
//
//   from nabla._C import _optim
//   impl = _optim.make("Adam", [([w, b], '{"lr": 0.001}')])
//   impl.step()
#include "nabla/optim/optim.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bindings.h"
#include "nabla/error.h"

namespace py = pybind11;

namespace nabla::python {
namespace {

using optim::Optimizer;
using Group = std::pair<std::vector<Tensor>, std::string>;  // params, options as JSON

// Reads the per-parameter state the optimizers keep protected (its buffers are the tensors the
// kernels update, so handing them out as aliases lets `optimizer.state[p]["exp_avg"]` be the
// live buffer, as in torch).
struct StateAccess : Optimizer {
  using State = std::vector<std::vector<Optimizer::ParamState>>;
  static State& state(Optimizer& o) { return o.*(&StateAccess::state_); }
  static std::vector<std::string_view> names_of(const Optimizer& o) { return (o.*(&StateAccess::buffer_names))(); }
  static bool counts_steps(const Optimizer& o) { return (o.*(&StateAccess::has_step))(); }
};

// An options object of `name`'s type ("Adam": a row of optim::optimizer_recipes()) read from
// JSON (keys it lacks keep the C++ defaults).
std::unique_ptr<optim::OptimizerOptions> make_options(const std::string& name, const std::string& json) {
  std::unique_ptr<optim::OptimizerOptions> o = optim::optimizer_recipe(name).options();
  o->from_json(nlohmann::json::parse(json));
  return o;
}

std::unique_ptr<Optimizer> make(const std::string& name, const std::vector<Group>& groups) {
  NABLA_CHECK(!groups.empty(), ValueError, name, ": optimizer got an empty parameter list");
  std::vector<optim::ParamGroup> pg;
  for (const auto& [params, json] : groups) pg.emplace_back(params, *make_options(name, json));
  const auto defaults = make_options(name, groups.front().second);
  return optim::optimizer_recipe(name).build(std::move(pg), *defaults);
}

void bind_optim(py::module_& root) {
  py::module_ m = root.def_submodule("_optim", "nabla's C++ optimizers (optim/optim.h) behind nabla.optim");
  py::class_<Optimizer>(m, "Optimizer")
      .def("step", &Optimizer::step, py::call_guard<py::gil_scoped_release>())
      .def("zero_grad", &Optimizer::zero_grad, py::arg("set_to_none") = true)
      .def_property_readonly("name", &Optimizer::name)
      .def("num_param_groups", &Optimizer::num_param_groups)
      .def("add_param_group",
           [](Optimizer& o, const std::vector<Tensor>& params, const std::string& json) {
             o.add_param_group(optim::ParamGroup(params, *make_options(o.name(), json)));
           })
      // Replaces a group's options with `json` (keys not given keep their values); validated.
      .def("set_options",
           [](Optimizer& o, size_t g, const std::string& json) {
             NABLA_CHECK(g < o.num_param_groups(), ValueError, o.name(), ": no parameter group ", g);
             auto updated = o.group_options(g).clone();
             updated->from_json(nlohmann::json::parse(json));
             updated->validate();
             o.group_options(g).from_json(updated->to_json());
           })
      .def("options",
           [](const Optimizer& o, size_t g) {
             NABLA_CHECK(g < o.num_param_groups(), ValueError, o.name(), ": no parameter group ", g);
             return o.group_options(g).to_json().dump();
           })
      // (initialized, step or None, {buffer name: live tensor}) of parameter i of group g.
      .def("param_state",
           [](Optimizer& o, size_t g, size_t i) {
             auto& state = StateAccess::state(o);
             NABLA_CHECK(g < state.size() && i < state[g].size(), ValueError, o.name(), ": no parameter ", i,
                         " in group ", g);
             const auto& s = state[g][i];
             std::map<std::string, Tensor> buffers;
             const auto names = StateAccess::names_of(o);
             for (size_t k = 0; k < names.size(); ++k)
               if (s.buffers[k].defined()) buffers.emplace(std::string(names[k]), s.buffers[k]);
             py::object step = StateAccess::counts_steps(o) ? py::object(py::int_(s.step)) : py::object(py::none());
             return std::make_tuple(s.initialized, step, buffers);
           })
      .def("state_dict",
           [](const Optimizer& o) {
             auto s = o.state_dict();
             return std::make_pair(s.tensors, s.scalars);
           })
      .def("load_state_dict", [](Optimizer& o, const std::map<std::string, Tensor>& tensors, const std::string& json) {
        o.load_state_dict(optim::OptimizerState{tensors, nlohmann::json::parse(json).dump()});
      });
  m.def("make", &make, py::arg("name"), py::arg("groups"));
  // torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (replayable by nabla.compile).
  m.def("clip_grad_norm_", &optim::clip_grad_norm_, py::arg("parameters"), py::arg("max_norm"),
        py::arg("norm_type") = 2.0, py::arg("error_if_nonfinite") = false);
  m.def("clip_grad_value_", &optim::clip_grad_value_, py::arg("parameters"), py::arg("clip_value"));
}

const bool registered_optim = register_binding(101, bind_optim);

}  // namespace
}  // namespace nabla::python
