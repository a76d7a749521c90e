// python/src/module.cpp — the nabla._C extension: calls every registered binder, in order.
#include <algorithm>
#include <vector>

#include "bindings.h"

namespace nabla::python {
namespace {

struct Binder {
  int order;
  void (*bind)(py::module_&);
};

std::vector<Binder>& binders() {
  static std::vector<Binder> all;
  return all;
}

}  // namespace

bool register_binding(int order, void (*bind)(py::module_&)) {
  binders().push_back({order, bind});
  return true;
}

}  // namespace nabla::python

PYBIND11_MODULE(_C, m) {
  using namespace nabla::python;
  m.doc() = "nabla's C++ engine (use the nabla package, not this module)";
  m.attr("__version__") = NABLA_VERSION;
  auto all = binders();
  std::stable_sort(all.begin(), all.end(), [](const Binder& a, const Binder& b) { return a.order < b.order; });
  for (const Binder& b : all) b.bind(m);
}
