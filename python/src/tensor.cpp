// python/src/tensor.cpp — nabla.Tensor: construction from Python data and NumPy, attributes,
// autograd fields, arithmetic with PyTorch's type promotion, in-place updates, NumPy views.
// Indexing, printing details and other conveniences are in python/nabla/_tensor.py.
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

int category(DType d) { return d == DType::boolean ? 0 : is_integral(d) ? 1 : 2; }
int rank(DType d) {
  switch (d) {
    case DType::boolean:
      return 0;
    case DType::int32:
      return 1;
    case DType::int64:
      return 2;
    case DType::float32:
      return 3;
    case DType::float64:
      return 4;
  }
  return 0;
}
DType wider(DType a, DType b) { return rank(a) >= rank(b) ? a : b; }

// A binary operand: a tensor, or a Python number (bool, int, float) still without a dtype.
struct Operand {
  Tensor tensor;
  double number = 0;
  int number_category = -1;  // >= 0 for a Python number
};

// The common cases first and without attribute lookups: this runs for every operator call.
Operand operand(const py::handle& obj, const char* op) {
  Operand o;
  PyObject* p = obj.ptr();
  if (py::isinstance<Tensor>(obj)) {
    o.tensor = obj.cast<Tensor>();
    if (!o.tensor.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  } else if (PyBool_Check(p)) {
    o.number = p == Py_True ? 1 : 0;
    o.number_category = 0;
  } else if (PyLong_Check(p)) {
    const long long v = PyLong_AsLongLong(p);
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();  // beyond int64
    o.number = static_cast<double>(v);
    o.number_category = 1;
  } else if (PyFloat_Check(p)) {  // also np.float64, a float subclass
    o.number = PyFloat_AsDouble(p);
    o.number_category = 2;
  } else if (std::string_view(Py_TYPE(p)->tp_name) == "numpy.bool_") {
    o.number = PyObject_IsTrue(p) ? 1 : 0;
    o.number_category = 0;
  } else if (PyIndex_Check(p) && !py::hasattr(obj, "shape")) {
    o.number = static_cast<double>(py::cast<int64_t>(py::reinterpret_borrow<py::object>(obj).attr("__index__")()));
    o.number_category = 1;
  } else {
    o.tensor = to_tensor(obj, op);
  }
  return o;
}

DType result_type(const Operand& a, const Operand& b) {
  if (a.number_category >= 0 && b.number_category >= 0) {
    const int c = std::max(a.number_category, b.number_category);
    return c == 2 ? default_dtype() : c == 1 ? DType::int64 : DType::boolean;
  }
  if (a.number_category >= 0 || b.number_category >= 0) {
    const Operand& t = a.number_category >= 0 ? b : a;
    const int c = a.number_category >= 0 ? a.number_category : b.number_category;
    if (c <= category(t.tensor.dtype())) return t.tensor.dtype();
    return c == 2 ? default_dtype() : DType::int64;
  }
  const DType da = a.tensor.dtype(), db = b.tensor.dtype();
  const bool za = a.tensor.dim() == 0, zb = b.tensor.dim() == 0;
  if (za == zb) return wider(da, db);
  // A 0-d tensor beside a dimensioned one decides only when its category is higher.
  const DType dz = za ? da : db, dn = za ? db : da;
  return category(dz) > category(dn) ? dz : dn;
}

Tensor materialize(const Operand& o, DType dtype) {
  if (o.number_category >= 0) return Tensor::scalar(o.number, dtype);
  return o.tensor.dtype() == dtype ? o.tensor : o.tensor.to(dtype);
}

// int64/int32/bool arithmetic (see to_integer); bool operands give int64, made bool by the caller.
template <class F>
Tensor integer_op(const Tensor& a, const Tensor& b, F f) {
  return to_integer(f(a.to(DType::float64), b.to(DType::float64)), is_integral(a.dtype()) ? a.dtype() : DType::int64);
}

enum class Arith { add, sub, mul, div };

bool is_bool(const py::handle& h) {
  return py::isinstance<py::bool_>(h) || (py::isinstance<Tensor>(h) && h.cast<Tensor>().dtype() == DType::boolean);
}

Tensor arith(const py::handle& ha, const py::handle& hb, Arith kind, const char* op) {
  if (kind == Arith::sub && (is_bool(ha) || is_bool(hb)))
    throw DTypeError(
        "sub: subtraction, the `-` operator, with a bool tensor is not supported; to invert a mask use `~` or "
        "logical_not()");
  auto [a, b] = promote(ha, hb, op);
  if (kind == Arith::div && !is_floating(a.dtype())) {
    a = a.to(default_dtype());
    b = b.to(default_dtype());
  }
  auto f = [kind](const Tensor& x, const Tensor& y) {
    switch (kind) {
      case Arith::add:
        return nabla::add(x, y);
      case Arith::sub:
        return nabla::sub(x, y);
      case Arith::mul:
        return nabla::mul(x, y);
      default:
        return nabla::div(x, y);
    }
  };
  if (!is_floating(a.dtype())) {
    Tensor r = integer_op(a, b, f);
    // bool + bool and bool * bool stay bool (or / and), as in torch.
    return a.dtype() == DType::boolean ? nabla::ne(r, Tensor::scalar(0, DType::int64)) : r;
  }
  return f(a, b);
}

enum class Cmp { eq, ne, lt, le, gt, ge };
Tensor compare(const py::handle& ha, const py::handle& hb, Cmp kind, const char* op) {
  auto [a, b] = promote(ha, hb, op);
  switch (kind) {
    case Cmp::eq:
      return nabla::eq(a, b);
    case Cmp::ne:
      return nabla::ne(a, b);
    case Cmp::lt:
      return nabla::lt(a, b);
    case Cmp::le:
      return nabla::le(a, b);
    case Cmp::gt:
      return nabla::gt(a, b);
    default:
      return nabla::ge(a, b);
  }
}

Tensor power(const py::handle& hbase, const py::handle& hexp) {
  const Operand e = operand(hexp, "pow");
  if (py::isinstance<Tensor>(hbase) && e.number_category >= 0) {
    const Tensor base = hbase.cast<Tensor>();
    if (is_floating(base.dtype())) return nabla::pow(base, e.number);
    if (e.number_category == 2) return nabla::pow(base.to(default_dtype()), e.number);
    NABLA_CHECK(e.number >= 0, ValueError, "pow: integers to negative integer powers are not allowed");
    return to_integer(nabla::pow(base.to(DType::float64), e.number),
                      base.dtype() == DType::boolean ? DType::int64 : base.dtype());
  }
  auto [a, b] = promote(hbase, hexp, "pow");
  if (!is_floating(a.dtype()))
    return to_integer(nabla::pow(a.to(DType::float64), b.to(DType::float64)),
                      a.dtype() == DType::boolean ? DType::int64 : a.dtype());
  return nabla::pow(a, b);
}

// In-place updates from Python. nabla's in-place ops are not recorded by autograd, so one on a
// tensor that autograd tracks is refused while grad mode is on (torch's leaf rule, and also
// for non-leaves, which torch would record and nabla cannot).
void check_inplace(const Tensor& t, const char* op) {
  if (!t.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  if (grad_enabled() && t.requires_grad()) {
    if (t.is_leaf())
      throw AutogradError(std::string(op) +
                          ": a leaf tensor that requires grad is being used in an in-place operation; wrap it in "
                          "`with nabla.no_grad():` or update `.data`");
    throw AutogradError(std::string(op) +
                        ": in-place operations on a tensor that is part of a graph are not recorded by nabla's "
                        "autograd; use the out-of-place form (x = x + y)");
  }
}

Tensor& inplace(Tensor& self, const py::handle& other, Arith kind, const char* op, double alpha = 1.0) {
  check_inplace(self, op);
  NoGradGuard no_grad;
  if (kind == Arith::add && is_floating(self.dtype()) && py::isinstance<Tensor>(other)) {
    Tensor o = other.cast<Tensor>();
    if (o.dtype() == self.dtype()) return self.add_(o, alpha);
  }
  py::object rhs = py::reinterpret_borrow<py::object>(other);
  if (alpha != 1.0) rhs = py::cast(arith(other, py::float_(alpha), Arith::mul, op));
  Tensor result = arith(py::cast(self), rhs, kind, op);
  NABLA_CHECK(category(result.dtype()) <= category(self.dtype()), DTypeError, op, ": result type ",
              dtype_name(result.dtype()), " cannot be cast to the ", dtype_name(self.dtype()),
              " tensor updated in place");
  self.copy_(result.dtype() == self.dtype() ? result : result.to(self.dtype()));
  return self;
}

// `h += x` (and -=, *=, /=): in place, as PyTorch; but on a tensor inside a graph (a non-leaf
// that requires grad, grad mode on), where PyTorch records the in-place op and nabla's autograd
// records none, it computes h + x out of place and Python rebinds `h` to that (an augmented
// assignment assigns what __iadd__ returns): PyTorch's values and gradients, as in a residual
// block's `out += identity`. Only another name for the old tensor still sees the old values.
py::object augmented(const py::object& self_obj, const py::object& other, Arith kind, const char* op) {
  Tensor& self = self_obj.cast<Tensor&>();
  if (self.defined() && grad_enabled() && self.requires_grad() && !self.is_leaf())
    return py::cast(arith(self_obj, other, kind, op));
  inplace(self, other, kind, op);
  return self_obj;
}

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

void check_defined(const Tensor& t, const char* what) {
  if (!t.defined()) throw ValueError(std::string(what) + ": the tensor is undefined (nabla.Tensor() holds no data)");
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

std::pair<Tensor, Tensor> promote(const py::handle& ha, const py::handle& hb, const char* op) {
  const Operand a = operand(ha, op), b = operand(hb, op);
  const DType d = result_type(a, b);
  return {materialize(a, d), materialize(b, d)};
}

Tensor to_tensor(const py::handle& obj, const char* op) {
  if (py::isinstance<Tensor>(obj)) {
    Tensor t = obj.cast<Tensor>();
    check_defined(t, op);
    return t;
  }
  try {
    return py::module_::import("nabla").attr("tensor")(obj).cast<Tensor>();
  } catch (py::error_already_set& e) {
    if (e.matches(PyExc_TypeError) || e.matches(PyExc_ValueError))
      throw DTypeError(std::string(op) + ": expected a tensor or a number, got " +
                       py::str(obj.get_type().attr("__name__")).cast<std::string>());
    throw;
  }
}

namespace {

void bind(py::module_& m) {
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

  // ---- arithmetic ----
  auto binary = [&cls](const char* name, const char* rname, Arith kind, const char* op) {
    cls.def(
        name, [kind, op](const py::object& a, const py::object& b) { return arith(a, b, kind, op); },
        py::is_operator());
    if (rname)
      cls.def(
          rname, [kind, op](const py::object& a, const py::object& b) { return arith(b, a, kind, op); },
          py::is_operator());
  };
  binary("__add__", "__radd__", Arith::add, "add");
  binary("__sub__", "__rsub__", Arith::sub, "sub");
  binary("__mul__", "__rmul__", Arith::mul, "mul");
  binary("__truediv__", "__rtruediv__", Arith::div, "div");
  for (auto [name, kind, op] : {std::tuple{"add", Arith::add, "add"},
                                {"sub", Arith::sub, "sub"},
                                {"subtract", Arith::sub, "sub"},
                                {"mul", Arith::mul, "mul"},
                                {"multiply", Arith::mul, "mul"},
                                {"div", Arith::div, "div"},
                                {"divide", Arith::div, "div"},
                                {"true_divide", Arith::div, "div"}}) {
    cls.def(
        name,
        [kind, op](const py::object& a, const py::object& b, double alpha) {
          if (alpha == 1.0) return arith(a, b, kind, op);
          return arith(a, py::cast(arith(b, py::float_(alpha), Arith::mul, op)), kind, op);
        },
        py::arg("other"), py::kw_only(), py::arg("alpha") = 1.0);
  }
  cls.def("__neg__", [](const Tensor& t) {
    check_defined(t, "neg");
    if (is_integral(t.dtype())) return to_integer(nabla::neg(t.to(DType::float64)), t.dtype());
    NABLA_CHECK(t.dtype() != DType::boolean, DTypeError,
                "neg: negation of a bool tensor is not supported; use ~ (logical_not)");
    return nabla::neg(t);
  });
  cls.def("__pos__", [](const Tensor& t) { return t; });
  cls.def(
      "__pow__", [](const py::object& a, const py::object& b) { return power(a, b); }, py::is_operator());
  cls.def(
      "__rpow__", [](const py::object& a, const py::object& b) { return power(b, a); }, py::is_operator());
  cls.def(
      "pow", [](const py::object& a, const py::object& b) { return power(a, b); }, py::arg("exponent"));
  cls.def(
      "__matmul__",
      [](const py::object& a, const py::object& b) {
        auto [x, y] = promote(a, b, "matmul");
        // Large products run without the GIL (other Python threads keep going).
        if (x.numel() * (y.dim() ? y.shape().back() : 1) > 65536)
          return without_gil([&] { return nabla::matmul(x, y); });
        return nabla::matmul(x, y);
      },
      py::is_operator());
  cls.def(
      "__rmatmul__",
      [](const py::object& a, const py::object& b) {
        auto [x, y] = promote(b, a, "matmul");
        return nabla::matmul(x, y);
      },
      py::is_operator());
  for (auto [name, kind, op] : {std::tuple{"__eq__", Cmp::eq, "eq"},
                                {"__ne__", Cmp::ne, "ne"},
                                {"__lt__", Cmp::lt, "lt"},
                                {"__le__", Cmp::le, "le"},
                                {"__gt__", Cmp::gt, "gt"},
                                {"__ge__", Cmp::ge, "ge"}}) {
    cls.def(
        name,
        [kind, op](const py::object& a, const py::object& b) -> py::object {
          // == with something that is no tensor or number (None, a string) is False, as for Python objects.
          if (!py::isinstance<Tensor>(b) && !PyNumber_Check(b.ptr()) && !py::isinstance<py::list>(b) &&
              !py::isinstance<py::tuple>(b) && !py::hasattr(b, "__array__"))
            return py::reinterpret_borrow<py::object>(Py_NotImplemented);
          return py::cast(compare(a, b, kind, op));
        },
        py::is_operator());
  }
  for (auto [name, kind, op] : {std::tuple{"eq", Cmp::eq, "eq"},
                                {"ne", Cmp::ne, "ne"},
                                {"lt", Cmp::lt, "lt"},
                                {"le", Cmp::le, "le"},
                                {"gt", Cmp::gt, "gt"},
                                {"ge", Cmp::ge, "ge"}}) {
    cls.def(name, [kind, op](const py::object& a, const py::object& b) { return compare(a, b, kind, op); });
  }
  // __hash__ by identity, as torch (== is elementwise, so tensors are no dict keys by value).
  cls.def("__hash__", [](const py::object& self) {
    return py::hash(py::reinterpret_borrow<py::object>(PyLong_FromVoidPtr(self.ptr())));
  });

  // ---- in-place ----
  auto rself = py::return_value_policy::reference_internal;
  for (auto [name, kind, op] :
       {std::tuple{"__iadd__", Arith::add, "add_"}, std::tuple{"__isub__", Arith::sub, "sub_"},
        std::tuple{"__imul__", Arith::mul, "mul_"}, std::tuple{"__itruediv__", Arith::div, "div_"}})
    cls.def(name, [kind, op](const py::object& t, const py::object& o) { return augmented(t, o, kind, op); });
  cls.def(
      "add_",
      [](Tensor& t, const py::object& o, double alpha) -> Tensor& { return inplace(t, o, Arith::add, "add_", alpha); },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1.0, rself);
  cls.def(
      "sub_",
      [](Tensor& t, const py::object& o, double alpha) -> Tensor& { return inplace(t, o, Arith::sub, "sub_", alpha); },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1.0, rself);
  cls.def(
      "subtract_",
      [](Tensor& t, const py::object& o, double alpha) -> Tensor& {
        return inplace(t, o, Arith::sub, "subtract_", alpha);
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1.0, rself);
  cls.def(
      "mul_", [](Tensor& t, const py::object& o) -> Tensor& { return inplace(t, o, Arith::mul, "mul_"); }, rself);
  cls.def(
      "div_", [](Tensor& t, const py::object& o) -> Tensor& { return inplace(t, o, Arith::div, "div_"); }, rself);
  cls.def(
      "zero_",
      [](Tensor& t) -> Tensor& {
        check_inplace(t, "zero_");
        return t.zero_();
      },
      rself);
  cls.def(
      "fill_",
      [](Tensor& t, double v) -> Tensor& {
        check_inplace(t, "fill_");
        return t.fill_(v);
      },
      rself);
  cls.def(
      "copy_",
      [](Tensor& t, const py::object& src) -> Tensor& {
        check_inplace(t, "copy_");
        Tensor s = to_tensor(src, "copy_");
        NoGradGuard no_grad;
        return t.copy_(s.dtype() == t.dtype() ? s : s.to(t.dtype()));
      },
      rself);

  // ---- conversions used by the Python layer ----
  m.def("from_numpy", &from_numpy, py::arg("ndarray"));
  m.def("_copy_from_numpy", [](const py::array& a) { return from_numpy(a).clone(); });
}

const bool registered = register_binding(10, bind);

}  // namespace
}  // namespace nabla::python
