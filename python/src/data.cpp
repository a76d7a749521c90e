// python/src/data.cpp — nabla._C._data: the random draws of nabla.utils.data's samplers.
//
// torch.utils.data takes two kinds of draws from a generator: an int64 random_() (the
// DataLoader's _base_seed, and RandomSampler's seed for its private generator when it has none)
// and randperm(n). Both are here, drawn from nabla's PyTorch-exact generator as
// include/nabla/data/dataloader.h draws them, so a Python DataLoader(shuffle=True) visits the
// samples in torch's order and leaves the generator in torch's state.
//
//   from nabla._C import _data
//   seed = _data.random_int64(None)          # torch.empty((), dtype=torch.int64).random_().item()
//   order = _data.randperm(10, generator)    # torch.randperm(10, generator=generator).tolist()
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <vector>

#include "bindings.h"
#include "nabla/error.h"
#include "nabla/tensor/random.h"

namespace py = pybind11;

namespace nabla::python {
namespace {

void bind_data(py::module_& root) {
  py::module_ m = root.def_submodule("_data", "random draws of nabla.utils.data (as torch.utils.data draws them)");
  // int64 random_(): random64() reduced to [0, 2^63). None: the default generator.
  m.def(
      "random_int64",
      [](Generator* gen) -> int64_t {
        Generator& g = gen ? *gen : default_generator();
        return static_cast<int64_t>(g.random64() % (uint64_t(1) << 63));
      },
      py::arg("generator") = nullptr);
  m.def(
      "randperm",
      [](int64_t n, Generator* gen) {
        NABLA_CHECK(n >= 0, ValueError, "randperm: n must be non-negative, got ", n);
        return randperm(n, gen).to_vector<int64_t>();
      },
      py::arg("n"), py::arg("generator") = nullptr);
}

const bool registered_data = register_binding(102, bind_data);

}  // namespace
}  // namespace nabla::python
