// python/src/autograd.cpp — grad mode, backward / grad over several tensors, graph nodes.
#include "bindings.h"
#include "nabla/autograd/engine.h"
#include "nabla/autograd/node.h"

namespace nabla::python {
namespace {

std::vector<Tensor> tensors_of(const py::object& obj, const char* op, bool allow_none = false) {
  std::vector<Tensor> out;
  if (obj.is_none()) return out;
  if (py::isinstance<Tensor>(obj)) return {obj.cast<Tensor>()};
  for (const py::handle& h : obj) {
    if (allow_none && h.is_none()) {
      out.emplace_back();
      continue;
    }
    NABLA_CHECK(py::isinstance<Tensor>(h), ValueError, op, ": expected tensors, got ",
                py::str(h.get_type().attr("__name__")).cast<std::string>());
    out.push_back(h.cast<Tensor>());
  }
  return out;
}

void bind_autograd(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>>(m, "Node")
      .def("name", &Node::name)
      .def_property_readonly("next_functions",
                             [](const Node& n) {
                               py::list out;
                               for (const auto& next : n.next())
                                 out.append(py::make_tuple(next ? py::cast(next) : py::none(), 0));
                               return py::tuple(out);
                             })
      .def("__repr__", [](const Node& n) { return "<nabla.autograd.Node " + n.name() + ">"; });

  m.def("is_grad_enabled", &grad_enabled);
  m.def("_set_grad_enabled", &set_grad_enabled, py::arg("mode"));
  m.def("is_anomaly_enabled", &anomaly_detection_enabled);
  m.def("_backward", [](const py::object& tensors, const py::object& grad_tensors, const py::object& retain_graph,
                        bool create_graph) {
    std::vector<Tensor> outs = tensors_of(tensors, "backward");
    std::vector<Tensor> grads = tensors_of(grad_tensors, "backward", true);
    NABLA_CHECK(grads.empty() || grads.size() == outs.size(), ValueError, "backward: got ", outs.size(),
                " tensors and ", grads.size(), " gradients");
    BackwardOptions o;
    o.create_graph = create_graph;
    o.retain_graph = retain_graph.is_none() ? create_graph : retain_graph.cast<bool>();
    without_gil([&] { nabla::backward(outs, grads, o); });
  });
  m.def("_grad", [](const py::object& outputs, const py::object& inputs, const py::object& grad_outputs,
                    const py::object& retain_graph, bool create_graph, bool allow_unused) {
    std::vector<Tensor> outs = tensors_of(outputs, "grad");
    std::vector<Tensor> ins = tensors_of(inputs, "grad");
    std::vector<Tensor> grads = tensors_of(grad_outputs, "grad", true);
    NABLA_CHECK(grads.empty() || grads.size() == outs.size(), ValueError, "grad: got ", outs.size(), " outputs and ",
                grads.size(), " grad_outputs");
    BackwardOptions o;
    o.create_graph = create_graph;
    o.retain_graph = retain_graph.is_none() ? create_graph : retain_graph.cast<bool>();
    o.allow_unused = allow_unused;
    std::vector<Tensor> result = without_gil([&] { return nabla::grad(outs, ins, o, grads); });
    py::tuple t(result.size());
    for (size_t i = 0; i < result.size(); ++i) t[i] = result[i].defined() ? py::cast(result[i]) : py::none();
    return t;
  });
}

const bool registered_autograd = register_binding(30, bind_autograd);

}  // namespace
}  // namespace nabla::python
