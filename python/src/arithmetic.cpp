// python/src/arithmetic.cpp — nabla.Tensor's operators as PyTorch gives them: + − * / ** @ and
// the comparisons with PyTorch's type promotion (a Python number only raises the category), their
// method forms (add(other, alpha=)), and the in-place updates (+=, add_, copy_, ...), which nabla's
// autograd does not record. Added to the class tensor.cpp defines (a later binder).
#include <cmath>
#include <string_view>
#include <tuple>

#include "bindings.h"
#include "nabla/autograd/engine.h"
#include "nabla/autograd/node.h"
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

}  // namespace

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

void bind_arithmetic(py::module_& m) {
  auto cls = py::type::of<Tensor>().cast<py::class_<Tensor>>();  // reopened: the class tensor.cpp defines
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
}

const bool registered_arithmetic = register_binding(11, bind_arithmetic);

}  // namespace
}  // namespace nabla::python
