// python/src/distributed.cpp — nabla._C._distributed: MPI for nabla.distributed (only in builds
// with MPI, NABLA_WITH_MPI; without it the submodule is absent and nabla.distributed says so).
#include "bindings.h"

#ifdef NABLA_WITH_MPI
#include <memory>

#include "nabla/distributed.h"

namespace nabla::python {
namespace {

std::unique_ptr<dist::Context>& context() {
  static std::unique_ptr<dist::Context> c;
  return c;
}

dist::ReduceOp reduce_op(const std::string& op) {
  if (op == "sum") return dist::ReduceOp::sum;
  if (op == "mean") return dist::ReduceOp::mean;
  if (op == "max") return dist::ReduceOp::max;
  throw ValueError(detail::concat("all_reduce: op must be \"sum\", \"mean\" or \"max\", got \"", op, "\""));
}

void bind_distributed(py::module_& parent) {
  py::module_ m = parent.def_submodule("_distributed", "MPI collectives (nabla/distributed.h)");
  m.def("init", [] {
    if (!context()) context() = std::make_unique<dist::Context>();
  });
  m.def("finalize", [] { context().reset(); });
  m.def("launched_by_mpi", &dist::launched_by_mpi);
  m.def("rank", &dist::rank);
  m.def("world_size", &dist::world_size);
  m.def("barrier", &dist::barrier, py::call_guard<py::gil_scoped_release>());
  m.def(
      "all_reduce", [](Tensor& t, const std::string& op) { dist::all_reduce(t, reduce_op(op)); }, py::arg("tensor"),
      py::arg("op"));
  m.def(
      "broadcast", [](Tensor& t, int src) { dist::broadcast(t, src); }, py::arg("tensor"), py::arg("src"));
  m.def("all_gather", &dist::all_gather, py::arg("tensor"));
  m.def("check_same", &dist::check_same_on_all_ranks, py::arg("text"), py::arg("what"));
  // nabla.distributed.DistributedDataParallel's reducer: the Module's named parameters and buffers.
  py::class_<dist::DataParallel>(m, "DataParallel")
      .def(py::init([](dist::DataParallel::Named parameters, dist::DataParallel::Named buffers, int64_t bucket_bytes,
                       bool deterministic) {
             return std::make_unique<dist::DataParallel>(
                 std::move(parameters), std::move(buffers),
                 dist::DataParallelOptions{.bucket_bytes = bucket_bytes, .deterministic = deterministic});
           }),
           py::arg("parameters"), py::arg("buffers"), py::arg("bucket_bytes"), py::arg("deterministic"))
      .def("prepare_backward", &dist::DataParallel::prepare_backward, py::arg("rows"), py::arg("mean"),
           py::arg("finish_when_ready"))
      .def("find_unused_parameters", &dist::DataParallel::find_unused_parameters, py::arg("outputs"))
      .def("sync_gradients", &dist::DataParallel::sync_gradients, py::arg("rows"), py::arg("mean"))
      .def_property_readonly("pending", &dist::DataParallel::pending);
  m.def(
      "sampler_indices",
      [](int64_t size, int num_replicas, int rank, bool shuffle, uint64_t seed, bool drop_last, int64_t epoch) {
        dist::DistributedSampler s(
            size,
            {.shuffle = shuffle, .seed = seed, .drop_last = drop_last, .num_replicas = num_replicas, .rank = rank});
        s.set_epoch(epoch);
        return std::make_pair(s.indices(), s.num_samples());
      },
      py::arg("size"), py::arg("num_replicas"), py::arg("rank"), py::arg("shuffle"), py::arg("seed"),
      py::arg("drop_last"), py::arg("epoch"));
}

const bool registered_distributed = register_binding(200, bind_distributed);

}  // namespace
}  // namespace nabla::python
#endif
