// python/src/threads.cpp — torch.set_num_threads / get_num_threads: nabla's worker pool and
// OpenBLAS's threads (include/nabla/threads.h).
#include "nabla/threads.h"

#include "bindings.h"

namespace nabla::python {
namespace {

void bind_threads(py::module_& m) {
  m.def(
      "set_num_threads",
      [](int n) {
        NABLA_CHECK(n >= 1, ValueError, "set_num_threads: the number of threads must be >= 1, got ", n);
        set_num_threads(n);
      },
      py::arg("num"), "Sets the threads nabla's products and loops may use (as torch.set_num_threads).");
  m.def("get_num_threads", &get_num_threads, "The threads nabla may use (as torch.get_num_threads).");
}

const bool registered_threads = register_binding(60, bind_threads);

}  // namespace
}  // namespace nabla::python
