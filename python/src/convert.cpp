// python/src/convert.cpp — nabla.dtype, nabla.Size and the argument conversions of bindings.h.
#include <pybind11/eval.h>

#include <cstring>
#include <string>

#include "bindings.h"
#include "nabla/autograd/node.h"

namespace nabla::python {
namespace {

struct PyDType {
  int code;  // a DType's value
  std::string name() const { return std::string(dtype_name(static_cast<DType>(code))); }
};

// Leaked on purpose: released after the interpreter has finalized, they would crash the exit.
py::object& dtype_objects(int code) {
  static auto* objects = new py::object[5];
  return objects[code];
}

py::object& size_class() {
  static auto* cls = new py::object;
  return *cls;
}

DType from_name(const std::string& name) {
  if (name == "float32" || name == "float") return DType::float32;
  if (name == "float64" || name == "double") return DType::float64;
  if (name == "int64" || name == "long") return DType::int64;
  if (name == "int32" || name == "int") return DType::int32;
  if (name == "bool") return DType::boolean;
  throw DTypeError("dtype " + name + " is not one nabla's tensors hold (float32, float64, int64, int32, bool)");
}

void bind_convert(py::module_& m) {
  py::class_<PyDType>(m, "dtype")
      .def_property_readonly("is_floating_point",
                             [](const PyDType& d) { return is_floating(static_cast<DType>(d.code)); })
      .def_property_readonly("itemsize", [](const PyDType& d) { return element_size(static_cast<DType>(d.code)); })
      .def("__repr__", [](const PyDType& d) { return "nabla." + d.name(); })
      .def("__str__", [](const PyDType& d) { return "nabla." + d.name(); })
      .def("__eq__",
           [](const PyDType& a, const py::object& b) {
             return py::isinstance<PyDType>(b) && b.cast<const PyDType&>().code == a.code;
           })
      .def("__hash__", [](const PyDType& d) { return d.code; })
      .def("__reduce__", [](const PyDType& d) {
        return py::make_tuple(py::module_::import("nabla").attr("_dtype_from_name"), py::make_tuple(d.name()));
      });
  const std::pair<const char*, DType> all[] = {{"float32", DType::float32},
                                               {"float64", DType::float64},
                                               {"int64", DType::int64},
                                               {"bool", DType::boolean},
                                               {"int32", DType::int32}};
  for (auto [name, dtype] : all) {
    const int code = static_cast<int>(dtype);
    dtype_objects(code) = py::cast(PyDType{code});
    m.attr(name) = dtype_objects(code);
  }
  // nabla.Size: a tuple, printed as torch.Size is.
  py::dict scope;
  py::exec(R"PY(
class Size(tuple):
    """The shape of a tensor: a tuple of ints (as torch.Size)."""
    __slots__ = ()
    __module__ = "nabla"
    def __repr__(self):
        return "nabla.Size([" + ", ".join(str(d) for d in self) + "])"
    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n
    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r
)PY",
           scope);
  size_class() = scope["Size"];
  m.attr("Size") = size_class();
  m.def(
      "set_default_dtype", [](const py::object& d) { set_default_dtype(to_dtype(d)); }, py::arg("d"));
  m.def("get_default_dtype", [] { return dtype_object(default_dtype()); });
  m.def("_check_device", [](const py::object& device, const std::string& op) { check_device(device, op.c_str()); });
}

const bool registered_convert = register_binding(0, bind_convert);

}  // namespace

namespace {
DType g_default_dtype = DType::float32;  // read and written with the GIL held
}  // namespace

DType default_dtype() { return g_default_dtype; }
void set_default_dtype(DType dtype) {
  NABLA_CHECK(is_floating(dtype), DTypeError, "set_default_dtype: only floating dtypes (float32, float64), got ",
              dtype_name(dtype));
  g_default_dtype = dtype;
}

DType to_dtype(const py::handle& obj) {
  if (py::isinstance<PyDType>(obj)) {
    return static_cast<DType>(obj.cast<const PyDType&>().code);
  }
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) return DType::float64;  // as torch: float -> float64
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) return DType::int64;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type)) return DType::boolean;
  if (py::isinstance<py::str>(obj)) return from_name(obj.cast<std::string>());
  // NumPy dtypes and scalar types (np.float32, np.dtype("int64"), ...).
  try {
    py::object np_dtype = py::module_::import("numpy").attr("dtype")(obj);
    return from_name(py::str(np_dtype.attr("name")).cast<std::string>());
  } catch (const py::error_already_set&) {
  }
  throw DTypeError("expected a dtype (nabla.float32, nabla.float64, nabla.int64, nabla.int32, nabla.bool), got " +
                   py::repr(obj).cast<std::string>());
}

std::optional<DType> to_optional_dtype(const py::handle& obj) {
  if (obj.is_none()) return std::nullopt;
  return to_dtype(obj);
}

py::object dtype_object(DType dtype) { return dtype_objects(static_cast<int>(dtype)); }

py::object size_object(const Shape& shape) {
  py::tuple t(shape.size());
  for (int i = 0; i < shape.size(); ++i) t[i] = py::int_(shape[i]);
  return size_class()(t);
}

Shape to_shape(const py::handle& obj, const char* op) {
  if (py::isinstance<py::tuple>(obj) || py::isinstance<py::list>(obj)) {
    Shape s;
    for (const py::handle& d : obj) {
      if (!PyIndex_Check(d.ptr()) || py::isinstance<py::bool_>(d))
        throw ValueError(std::string(op) + ": a shape holds ints, got " + py::repr(obj).cast<std::string>());
      s.push_back(py::cast<int64_t>(py::reinterpret_borrow<py::object>(d).attr("__index__")()));
    }
    return s;
  }
  if (PyIndex_Check(obj.ptr()) && !py::isinstance<py::bool_>(obj))
    return Shape{py::cast<int64_t>(py::reinterpret_borrow<py::object>(obj).attr("__index__")())};
  throw ValueError(std::string(op) + ": expected a shape (ints, or a tuple or list of ints), got " +
                   py::repr(obj).cast<std::string>());
}

Shape to_shape(const py::args& args, const char* op) {
  if (args.size() == 1 && !PyIndex_Check(args[0].ptr())) return to_shape(py::handle(args[0]), op);
  Shape s;
  for (const py::handle& d : args) {
    Shape one = to_shape(d, op);
    if (one.size() != 1)
      throw ValueError(std::string(op) + ": expected a shape (ints, or a tuple or list of ints), got " +
                       py::repr(args).cast<std::string>());
    s.push_back(one[0]);
  }
  return s;
}

void check_device(const py::handle& device, const char* op) {
  if (device.is_none()) return;
  std::string name;
  if (py::isinstance<py::str>(device)) {
    name = device.cast<std::string>();
  } else if (py::hasattr(device, "type")) {
    name = py::str(device.attr("type")).cast<std::string>();
  } else {
    throw ValueError(std::string(op) + ": expected a device (\"cpu\" or nabla.device(\"cpu\")), got " +
                     py::repr(device).cast<std::string>());
  }
  if (name == "cpu" || name.rfind("cpu:", 0) == 0) return;
  throw ValueError(std::string(op) + ": device \"" + name +
                   "\" is not available: nabla runs on the CPU (use \"cpu\"; nabla.cuda.is_available() is False)");
}

Tensor as_tensor(const py::handle& obj) {
  if (py::isinstance<Tensor>(obj)) return obj.cast<Tensor>();
  return Tensor();
}

void check_signals_without_gil() {
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

}  // namespace nabla::python
