// python/src/creation.cpp — the creation functions as torch has them: zeros/ones/empty/full (and
// their _like forms), arange, linspace, eye; each with dtype= (the default dtype when absent),
// device= and requires_grad=.
#include <algorithm>

#include "bindings.h"
#include "nabla/ops/ops.h"

namespace nabla::python {
namespace {

// DType for a creation function: the one given, else float32 (torch's default dtype).
DType dtype_or(const py::object& dtype, DType fallback) {
  auto d = to_optional_dtype(dtype);
  return d ? *d : fallback;
}

void bind_creation(py::module_& m) {
  auto filled = [&m](const char* name, double value) {
    m.def(
        name,
        [name, value](const py::args& size, const py::object& dtype, const py::object& device, bool requires_grad) {
          return created(full(to_shape(size, name), value, dtype_or(dtype, default_dtype())), device, requires_grad,
                         name);
        },
        py::arg("dtype") = py::none(), py::arg("device") = py::none(), py::arg("requires_grad") = false);
  };
  filled("zeros", 0.0);
  filled("ones", 1.0);
  filled("empty", 0.0);
  auto filled_like = [&m](const char* name, double value) {
    m.def(
        name,
        [name, value](const Tensor& t, const py::object& dtype, const py::object& device, bool requires_grad) {
          return created(full(t.shape(), value, dtype_or(dtype, t.dtype())), device, requires_grad, name);
        },
        py::arg("input"), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false);
  };
  filled_like("zeros_like", 0.0);
  filled_like("ones_like", 1.0);
  filled_like("empty_like", 0.0);
  // full's dtype follows the fill value as torch's: bool -> bool, int -> int64, float -> float32.
  auto value_dtype = [](const py::object& v) {
    if (py::isinstance<py::bool_>(v)) return DType::boolean;
    if (PyLong_Check(v.ptr())) return DType::int64;
    return default_dtype();
  };
  m.def(
      "full",
      [value_dtype](const py::object& size, const py::object& value, const py::object& dtype, const py::object& device,
                    bool requires_grad) {
        return created(full(to_shape(size, "full"), value.cast<double>(), dtype_or(dtype, value_dtype(value))), device,
                       requires_grad, "full");
      },
      py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "full_like",
      [](const Tensor& t, double value, const py::object& dtype, const py::object& device, bool requires_grad) {
        return created(full(t.shape(), value, dtype_or(dtype, t.dtype())), device, requires_grad, "full_like");
      },
      py::arg("input"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "arange",
      [](const py::object& start, const py::object& end, const py::object& step, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        py::object s = start, e = end;
        if (e.is_none()) {
          e = start;
          s = py::int_(0);
        }
        const bool ints = PyLong_Check(s.ptr()) && PyLong_Check(e.ptr()) && PyLong_Check(step.ptr());
        return created(arange(s.cast<double>(), e.cast<double>(), step.cast<double>(),
                              dtype_or(dtype, ints ? DType::int64 : default_dtype())),
                       device, requires_grad, "arange");
      },
      py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1, py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "linspace",
      [](double start, double end, int64_t steps, const py::object& dtype, const py::object& device,
         bool requires_grad) {
        return created(linspace(start, end, steps, dtype_or(dtype, default_dtype())), device, requires_grad,
                       "linspace");
      },
      py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "eye",
      [](int64_t n, const py::object& cols, const py::object& dtype, const py::object& device, bool requires_grad) {
        const DType d = dtype_or(dtype, default_dtype());
        Tensor t = eye(n, d);
        if (!cols.is_none()) {
          const int64_t c = cols.cast<int64_t>();
          Tensor r = zeros({n, c}, d);
          const int64_t k = std::min(n, c);
          if (k > 0) r.slice(0, 0, k).slice(1, 0, k).copy_(eye(k, d));
          t = r;
        }
        return created(t, device, requires_grad, "eye");
      },
      py::arg("n"), py::arg("m") = py::none(), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
}

const bool registered_creation = register_binding(15, bind_creation);

}  // namespace
}  // namespace nabla::python
