// python/src/tensor.cpp — nabla.Tensor: construction from Python data and NumPy, attributes,
// autograd fields, NumPy views. Its operators (arithmetic with PyTorch's type promotion,
// comparisons, in-place updates) are in arithmetic.cpp.
// Indexing is in python/nabla/_indexing.py; printing details and other conveniences in _tensor.py.
#include <cmath>
#include <string_view>
#include <tuple>

#include "bindings.h"
#include "nabla/autograd/engine.h"
#include "nabla/autograd/node.h"
#include "nabla/compile/tape.h"
#include "nabla/ops/ops.h"

namespace nabla::python {
namespace {

// A Python callable held by C++ (a gradient hook in a TensorImpl): released with the GIL taken,
// whichever thread drops the last reference, and left alone once the interpreter is going away.
std::shared_ptr<PyObject> hold(const py::object& obj) {
  return std::shared_ptr<PyObject>(obj.inc_ref().ptr(), [](PyObject* p) {
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
    py::gil_scoped_acquire gil;
    Py_DECREF(p);
  });
}

// Tensor.register_hook's C++ side: the engine runs backward without the GIL; the hook takes it.
// A compiled step cannot replay Python, so a hook running while one records is an error.
int64_t register_python_hook(Tensor& t, const py::object& fn) {
  return t.register_hook([fn = hold(fn)](const Tensor& grad) -> Tensor {
    capture::refuse("a tensor hook (register_hook)");
    py::gil_scoped_acquire gil;
    py::object r = py::reinterpret_borrow<py::object>(fn.get())(grad);
    if (r.is_none()) return Tensor();
    if (!py::isinstance<Tensor>(r))
      throw AutogradError("register_hook: a hook must return a tensor or None, got " +
                          py::str(r.get_type().attr("__name__")).cast<std::string>());
    return r.cast<Tensor>();
  });
}

// ---- NumPy ----
py::dtype numpy_dtype(DType d) {
  switch (d) {
    case DType::float32:
      return py::dtype::of<float>();
    case DType::float64:
      return py::dtype::of<double>();
    case DType::int64:
      return py::dtype::of<int64_t>();
    case DType::int32:
      return py::dtype::of<int32_t>();
    case DType::boolean:
      return py::dtype::of<bool>();
  }
  return py::dtype::of<float>();
}

// A NumPy array on the tensor's memory (the array keeps the storage alive).
py::array numpy_view(const Tensor& t) {
  check_defined(t, "numpy()");
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end()), strides;
  const auto item = static_cast<py::ssize_t>(element_size(t.dtype()));
  for (int64_t s : t.strides()) strides.push_back(s * item);
  auto* keep = new Tensor(t);
  py::capsule owner(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(numpy_dtype(t.dtype()), shape, strides, t.raw_data(), owner);
}

DType dtype_of_array(const py::array& a, const char* op) {
  const char kind = a.dtype().kind();
  const auto size = a.dtype().itemsize();
  if (kind == 'f' && size == 4) return DType::float32;
  if (kind == 'f' && size == 8) return DType::float64;
  if (kind == 'i' && size == 8) return DType::int64;
  if (kind == 'i' && size == 4) return DType::int32;
  if (kind == 'b') return DType::boolean;
  throw DTypeError(std::string(op) + ": NumPy dtype " + py::str(a.dtype()).cast<std::string>() +
                   " is not one nabla's tensors hold (float32, float64, int64, int32, bool); convert it first, e.g. "
                   "a.astype(np.float32) or a.astype(np.int64)");
}

}  // namespace

// Declared in bindings.h; the operators (arithmetic.cpp) check their operands with it too.
void check_defined(const Tensor& t, const char* what) {
  if (!t.defined()) throw ValueError(std::string(what) + ": the tensor is undefined (nabla.Tensor() holds no data)");
}

// A tensor on a NumPy array's memory, as torch.from_numpy.
Tensor from_numpy(const py::array& array) {
  const DType dtype = dtype_of_array(array, "from_numpy");
  const auto item = static_cast<int64_t>(array.itemsize());
  auto impl = std::make_shared<TensorImpl>();
  impl->dtype = dtype;
  int64_t extent = 1;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) {
    const int64_t stride = array.strides(d);
    NABLA_CHECK(stride >= 0 && stride % item == 0, ValueError,
                "from_numpy: the array has a negative or unaligned stride; pass np.ascontiguousarray(a) (or a.copy())");
    impl->shape.push_back(array.shape(d));
    impl->strides.push_back(stride / item);
    if (array.shape(d) == 0) extent = 0;
  }
  if (extent != 0)
    for (int i = 0; i < impl->shape.size(); ++i) extent += (impl->shape[i] - 1) * impl->strides[i];
  PyObject* owner = array.ptr();
  Py_INCREF(owner);
  impl->storage = Storage::wrap(const_cast<void*>(array.data()), static_cast<size_t>(extent * item), [owner] {
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return;  // the interpreter is going away: leave it
    if (PyGILState_Check()) {
      Py_DECREF(owner);
      return;
    }
    // A thread without the GIL (a backward pass, a worker) must not wait for it here: the thread
    // holding it may be waiting for this one. The interpreter drops the array at its next check.
    if (Py_AddPendingCall(
            [](void* p) {
              Py_DECREF(static_cast<PyObject*>(p));
              return 0;
            },
            owner) != 0) {
      py::gil_scoped_acquire gil;  // the queue is full: wait after all
      Py_DECREF(owner);
    }
  });
  return Tensor(std::move(impl));
}

namespace {

void bind_tensor(py::module_& m) {
  py::class_<Tensor> cls(m, "Tensor",
                         "An n-dimensional array on the CPU, with autograd (as torch.Tensor); make one with "
                         "nabla.tensor(data), nabla.zeros(...), nabla.from_numpy(array), ...");
  // torch.Tensor's constructor: Tensor(t) aliases t's memory as a new leaf (what nn.Parameter(t)
  // needs), Tensor(2, 3) is a float32 tensor of that shape (zeros), Tensor(data) float32 data.
  cls.def(py::init([](const py::args& args) {
    if (args.size() == 0) return zeros(Shape{0});
    if (args.size() == 1 && py::isinstance<Tensor>(args[0])) {
      Tensor t = args[0].cast<Tensor>();
      check_defined(t, "Tensor()");
      return t.detach();
    }
    bool sizes = true;
    for (const py::handle& a : args) sizes = sizes && PyIndex_Check(a.ptr()) && !py::isinstance<py::bool_>(a);
    if (sizes) return zeros(to_shape(args, "Tensor"));
    NABLA_CHECK(args.size() == 1, ValueError, "Tensor(): expected sizes (ints), data, or a tensor");
    Tensor t = to_tensor(args[0], "Tensor()").detach();
    return t.dtype() == default_dtype() ? t : t.to(default_dtype());
  }));

  // ---- metadata ----
  cls.def_property_readonly("shape", [](const Tensor& t) {
    check_defined(t, "shape");
    return size_object(t.shape());
  });
  cls.def_property_readonly("dtype", [](const Tensor& t) {
    check_defined(t, "dtype");
    return dtype_object(t.dtype());
  });
  cls.def_property_readonly("ndim", [](const Tensor& t) {
    check_defined(t, "ndim");
    return t.dim();
  });
  cls.def("dim", [](const Tensor& t) {
    check_defined(t, "dim()");
    return t.dim();
  });
  cls.def("numel", [](const Tensor& t) {
    check_defined(t, "numel()");
    return t.numel();
  });
  cls.def("nelement", [](const Tensor& t) {
    check_defined(t, "nelement()");
    return t.numel();
  });
  cls.def("element_size", [](const Tensor& t) {
    check_defined(t, "element_size()");
    return element_size(t.dtype());
  });
  cls.def("is_contiguous", [](const Tensor& t) {
    check_defined(t, "is_contiguous()");
    return t.is_contiguous();
  });
  cls.def("is_floating_point", [](const Tensor& t) {
    check_defined(t, "is_floating_point()");
    return is_floating(t.dtype());
  });
  cls.def(
      "stride",
      [](const Tensor& t, const py::object& dim) -> py::object {
        check_defined(t, "stride()");
        if (dim.is_none()) return py::tuple(py::cast(t.strides().vec()));
        return py::int_(t.strides()[normalize_dim(dim.cast<int64_t>(), t.dim(), "stride")]);
      },
      py::arg("dim") = py::none());
  cls.def("storage_offset", [](const Tensor& t) { return t.offset(); });
  cls.def("data_ptr", [](const Tensor& t) {
    check_defined(t, "data_ptr()");
    return reinterpret_cast<uintptr_t>(t.raw_data());
  });
  cls.def_property_readonly("_defined", &Tensor::defined);

  // ---- autograd fields ----
  cls.def_property(
      "requires_grad",
      [](const Tensor& t) {
        check_defined(t, "requires_grad");
        return t.requires_grad();
      },
      [](Tensor& t, bool value) {
        check_defined(t, "requires_grad");
        if (!t.is_leaf())
          throw AutogradError(
              "requires_grad: you can only change requires_grad flags of leaf tensors; use detach() to make a new "
              "leaf");
        t.requires_grad_(value);
      });
  cls.def(
      "requires_grad_",
      [](Tensor& t, bool value) -> Tensor& {
        check_defined(t, "requires_grad_()");
        return t.requires_grad_(value);
      },
      py::arg("requires_grad") = true, py::return_value_policy::reference_internal);
  cls.def_property(
      "grad",
      [](const Tensor& t) -> py::object {
        check_defined(t, "grad");
        Tensor g = t.grad();
        return g.defined() ? py::cast(g) : py::none();
      },
      [](Tensor& t, const py::object& g) {
        check_defined(t, "grad");
        if (g.is_none()) {
          t.zero_grad(true);
          return;
        }
        Tensor v = to_tensor(g, "grad");
        NABLA_CHECK(v.shape() == t.shape(), ShapeError, "grad: assigned grad has shape ", v.shape().to_string(),
                    ", the tensor has shape ", t.shape().to_string());
        NABLA_CHECK(v.dtype() == t.dtype(), DTypeError, "grad: assigned grad has dtype ", dtype_name(v.dtype()),
                    ", the tensor has dtype ", dtype_name(t.dtype()));
        t.set_grad(v);
      });
  cls.def_property_readonly("grad_fn", [](const Tensor& t) -> py::object {
    check_defined(t, "grad_fn");
    return t.grad_fn() ? py::cast(t.grad_fn()) : py::none();
  });
  cls.def_property_readonly("is_leaf", [](const Tensor& t) {
    check_defined(t, "is_leaf");
    return t.is_leaf();
  });
  cls.def("retain_grad", [](Tensor& t) {
    check_defined(t, "retain_grad()");
    t.retain_grad();
  });
  cls.def_property_readonly("retains_grad", [](const Tensor& t) { return t.impl()->retains_grad; });
  cls.def("_register_hook", [](Tensor& t, const py::object& fn) {
    check_defined(t, "register_hook()");
    return register_python_hook(t, fn);
  });
  cls.def("_remove_hook", [](Tensor& t, int64_t id) { t.remove_hook(id); });
  cls.def(
      "backward",
      [](const Tensor& t, const py::object& gradient, const py::object& retain_graph, bool create_graph) {
        check_defined(t, "backward()");
        Tensor g = gradient.is_none() ? Tensor() : to_tensor(gradient, "backward");
        const bool retain = retain_graph.is_none() ? create_graph : retain_graph.cast<bool>();
        without_gil([&] { t.backward(g, retain, create_graph); });
      },
      py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(), py::arg("create_graph") = false);
  cls.def("detach", [](const Tensor& t) {
    check_defined(t, "detach()");
    return t.detach();
  });
  cls.def(
      "detach_",
      [](Tensor& t) -> Tensor& {
        check_defined(t, "detach_()");
        t.impl()->grad_fn.reset();
        t.impl()->requires_grad = false;
        return t;
      },
      py::return_value_policy::reference_internal);
  // `x[index] = v` with gradients: `result` (x with the assignment, computed out of place and
  // recorded by autograd) is written into x's memory and x takes its place in the graph, as an
  // in-place op does in torch (a backward that needs x's old values then fails its version check).
  cls.def("_assign_result", [](Tensor& t, const Tensor& result) {
    check_defined(t, "__setitem__");
    {
      NoGradGuard no_grad;
      t.copy_(result);
    }
    t.impl()->grad_fn = result.grad_fn();
    t.impl()->requires_grad = result.requires_grad();
  });
  cls.def_property(
      "data",
      [](const Tensor& t) {
        check_defined(t, "data");
        return t.detach();
      },
      [](Tensor& t, const Tensor& v) {
        check_defined(t, "data");
        check_defined(v, "data");
        TensorImpl* impl = t.impl();
        impl->storage = v.impl()->storage;
        impl->offset = v.offset();
        impl->shape = v.shape();
        impl->strides = v.strides();
        impl->dtype = v.dtype();
      });

  // ---- values ----
  cls.def("item", [](const Tensor& t) -> py::object {
    check_defined(t, "item()");
    const double v = t.item();
    switch (t.dtype()) {
      case DType::int64:
      case DType::int32:
        return py::int_(static_cast<int64_t>(v));
      case DType::boolean:
        return py::bool_(v != 0);
      default:
        return py::float_(v);
    }
  });
  cls.def(
      "numpy",
      [](const Tensor& t, bool force) {
        check_defined(t, "numpy()");
        if (t.requires_grad() && !force)
          throw AutogradError(
              "numpy(): can't call numpy() on a tensor that requires grad; use tensor.detach().numpy() instead");
        return numpy_view(t);
      },
      py::arg("force") = false);
  cls.def("clone", [](const Tensor& t) {
    check_defined(t, "clone()");
    return t.clone();
  });
  cls.def("contiguous", [](const Tensor& t) {
    check_defined(t, "contiguous()");
    return t.contiguous();
  });
  cls.def("_to_dtype", [](const Tensor& t, const py::object& dtype) {
    check_defined(t, "to()");
    return t.to(to_dtype(dtype));
  });
  cls.def("__str__", [](const Tensor& t) { return t.to_string(); });
  cls.def("_cpp_repr", [](const Tensor& t) { return t.to_string(); });

  // ---- conversions used by the Python layer ----
  m.def("from_numpy", &from_numpy, py::arg("ndarray"));
  m.def("_copy_from_numpy", [](const py::array& a) { return from_numpy(a).clone(); });
}

const bool registered_tensor = register_binding(10, bind_tensor);

}  // namespace
}  // namespace nabla::python
