// python/src/bindings.h — what every file of the nabla._C extension shares.
//
// Each binding file registers the part of the module it defines, as apps/cli/command.h's
// commands do, so adding a file adds its bindings without editing a central list:
//
//   void bind_ops(py::module_& m) { m.def("relu", ...); }         // in an anonymous namespace
//   const bool registered_ops = nabla::python::register_binding(10, bind_ops);
//
// The names carry the file's name: the module is a unity build (CMakeLists.txt, "Build time"),
// several files in one compilation, where two anonymous-namespace `bind`s would clash.
//
// module.cpp's PYBIND11_MODULE calls the binders in increasing `order` (core: 0–99; nn, optim
// and data: 100+), so a later binder may use the classes an earlier one defined.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <utility>

#include "nabla/tensor/dtype.h"
#include "nabla/tensor/shape.h"
#include "nabla/tensor/tensor.h"

namespace nabla::python {

namespace py = pybind11;

bool register_binding(int order, void (*bind)(py::module_&));

// ---- arguments as PyTorch takes them ----
// A dtype argument: nabla.float32 (a nabla.dtype), a NumPy dtype or type, or a name ("float32").
DType to_dtype(const py::handle& obj);
std::optional<DType> to_optional_dtype(const py::handle& obj);  // None -> nullopt
// The floating dtype that creation functions, Python floats and int-to-float results take:
// float32 unless nabla.set_default_dtype changed it (as torch's default dtype).
DType default_dtype();
void set_default_dtype(DType dtype);
// The nabla.dtype object for a DType; the nabla.Size for a shape.
py::object dtype_object(DType dtype);
py::object size_object(const Shape& shape);
// A shape given as (2, 3), [2, 3], nabla.Size, or as separate ints f(2, 3): `args` is the
// positional tuple; a single tuple/list/Size in it is the shape.
Shape to_shape(const py::args& args, const char* op);
Shape to_shape(const py::handle& obj, const char* op);
// A device argument: None, "cpu", "cpu:0", nabla.device("cpu"). "cuda" and the rest raise
// ValueError naming that nabla runs on the CPU.
void check_device(const py::handle& device, const char* op);

// A newly made tensor, after a creation function's device= and requires_grad= arguments.
inline Tensor created(Tensor t, const py::handle& device, bool requires_grad, const char* op) {
  check_device(device, op);
  if (requires_grad) t.requires_grad_(true);
  return t;
}

// A tensor argument, or a Python number / list / NumPy array made into one (nabla.tensor's rules).
Tensor to_tensor(const py::handle& obj, const char* op);
// Throws ValueError naming `what` when t holds no data (nabla.Tensor() made empty).
void check_defined(const Tensor& t, const char* what);
// The dtype torch gives `a op b` (type promotion: categories bool < int < float; a Python number
// or a 0-d tensor only raises the category: int tensor * 2.5 -> float32, float32 * 0-d float64 ->
// float32), and both operands converted to it. `a` or `b` may be a Python number.
std::pair<Tensor, Tensor> promote(const py::handle& a, const py::handle& b, const char* op);
// Integer arithmetic runs in float64 (nabla's kernels are floating; integers are exact up to
// 2^53): `r`, a float64 result, back to the integer dtype `d` (int64 or int32; int32 wraps
// around as torch's does on overflow).
inline Tensor to_integer(const Tensor& r, DType d) {
  Tensor i = r.to(DType::int64);
  return d == DType::int64 ? i : i.to(d);
}

// The tensor a Python object denotes, or an undefined Tensor when it is not a nabla.Tensor.
Tensor as_tensor(const py::handle& obj);

// Calls fn with the GIL released (for long C++ work: backward, replays, large products).
template <class Fn>
decltype(auto) without_gil(Fn&& fn) {
  py::gil_scoped_release release;
  return std::forward<Fn>(fn)();
}

// Checks for a pending signal (Ctrl-C) from C++ code that runs without the GIL: takes the GIL
// briefly and throws py::error_already_set (KeyboardInterrupt) if a handler raised.
void check_signals_without_gil();

}  // namespace nabla::python
