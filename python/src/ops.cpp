// python/src/ops.cpp — the operations, as nabla.<op>(...) functions and as Tensor methods where
// torch has both: math, linear algebra, reductions, shape ops, joining, sorting. The creation
// functions (zeros, full, arange, eye, ...) are in creation.cpp.
#include "nabla/ops/ops.h"

#include <algorithm>
#include <numeric>

#include "bindings.h"
#include "nabla/autograd/node.h"
#include "nabla/compile/tape.h"

namespace nabla::python {
namespace {

using Cls = py::class_<Tensor>;

// Defines `name` as nabla.name(input, ...) and as Tensor.name(self, ...).
template <class F, class... Extra>
void def_both(py::module_& m, Cls& cls, const char* name, F f, const Extra&... extra) {
  m.def(name, f, py::arg("input"), extra...);
  cls.def(name, f, extra...);
}

Tensor floating(const Tensor& x) { return is_floating(x.dtype()) ? x : x.to(default_dtype()); }

// The dims argument of a reduction: None (all), an int, or a tuple/list of ints.
std::vector<int64_t> dims_of(const py::object& dim) {
  if (dim.is_none()) return {};
  if (py::isinstance<py::tuple>(dim) || py::isinstance<py::list>(dim)) return dim.cast<std::vector<int64_t>>();
  return {dim.cast<int64_t>()};
}

// max/min/argmax/argmin need an element in each group they reduce: all dims (dims empty) or the
// given ones must be non-empty (reducing (0, 3) over dim 1 gives an empty result, as torch).
void check_reducible(const Tensor& x, const std::vector<int64_t>& dims, const char* op) {
  bool ok = x.numel() > 0 || !dims.empty();
  for (int64_t d : dims)
    if (x.dim() > 0 && x.shape()[normalize_dim(d, x.dim(), op)] == 0) ok = false;
  NABLA_CHECK(ok, ValueError, op, "(): cannot reduce over a dimension of size 0 (shape ", x.shape().to_string(), ")");
}

// A reduction over the given dims of an int/bool tensor, in float64 and back to int64 (torch sums
// int32 and bool to int64 too).
Tensor int_reduce(const Tensor& x, const std::function<Tensor(const Tensor&)>& f) {
  return f(x.to(DType::float64)).to(DType::int64);
}

std::vector<Tensor> tensor_list(const py::handle& seq, const char* op) {
  std::vector<Tensor> out;
  for (const py::handle& h : seq) out.push_back(to_tensor(h, op));
  NABLA_CHECK(!out.empty(), ValueError, op, ": expected a non-empty list of tensors");
  // torch's promotion among tensors: bool < int32 < int64 < float32 < float64.
  auto rank = [](DType t) {
    constexpr DType order[] = {DType::boolean, DType::int32, DType::int64, DType::float32, DType::float64};
    return std::find(std::begin(order), std::end(order), t) - std::begin(order);
  };
  DType d = out[0].dtype();
  for (const Tensor& t : out)
    if (rank(t.dtype()) > rank(d)) d = t.dtype();
  for (Tensor& t : out)
    if (t.dtype() != d) t = t.to(d);
  return out;
}

// Sorting along dim: indices by a stable sort of each row; values gathered (so differentiable).
std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  const int d = normalize_dim(dim, x.dim(), "sort");
  if (x.dim() == 0) return {x.clone(), Tensor::scalar(0, DType::int64)};
  Tensor moved = x.transpose(d, x.dim() - 1).contiguous();
  const int64_t n = moved.shape().back(), rows = n ? moved.numel() / n : 0;
  Tensor idx = Tensor::empty(moved.shape(), DType::int64);
  int64_t* out = idx.data<int64_t>();
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* v = moved.detach().contiguous().data<T>();
    for (int64_t r = 0; r < rows; ++r) {
      int64_t* o = out + r * n;
      const T* row = v + r * n;
      std::iota(o, o + n, int64_t{0});
      // NaN sorts last ascending and first descending, as in torch.
      auto less = [&](int64_t a, int64_t b) {
        const T p = row[a], q = row[b];
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(p) || std::isnan(q)) return !std::isnan(p) && std::isnan(q);
        }
        return p < q;
      };
      if (descending)
        std::stable_sort(o, o + n, [&](int64_t a, int64_t b) { return less(b, a); });
      else
        std::stable_sort(o, o + n, less);
    }
  });
  Tensor indices = idx.transpose(d, x.dim() - 1).contiguous();
  return {nabla::gather(x, d, indices), indices};
}

// floor / ceil / round / trunc: piecewise constant, so not recorded by autograd (torch gives them
// a zero gradient). Integer tensors are returned as copies.
Tensor rounding(const Tensor& x, const char* op, double (*f)(double)) {
  capture::refuse(op);
  if (!is_floating(x.dtype())) return x.detach().clone();
  Tensor in = x.detach().contiguous();
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), op, [&]<class T>() {
    const T* p = in.data<T>();
    T* o = out.data<T>();
    for (int64_t i = 0; i < in.numel(); ++i) o[i] = static_cast<T>(f(static_cast<double>(p[i])));
  });
  return out;
}

void bind_ops(py::module_& m) {
  auto cls = py::type::of<Tensor>().cast<Cls>();  // reopened: methods added to nabla.Tensor

  // ---- elementwise math (ints become float32, as torch's exp(int tensor)) ----
  auto unary = [&](const char* name, Tensor (*f)(const Tensor&)) {
    def_both(m, cls, name, [f](const Tensor& x) { return f(floating(x)); });
  };
  unary("exp", &nabla::exp);
  unary("log", &nabla::log);
  unary("sqrt", &nabla::sqrt);
  unary("sin", &nabla::sin);
  unary("cos", &nabla::cos);
  unary("tanh", &nabla::tanh);
  unary("sigmoid", &nabla::sigmoid);
  unary("erf", &nabla::erf);
  unary("selu", &nabla::selu);
  unary("silu", &nabla::silu);
  // Ops that keep an integer dtype: computed in float64 and converted back.
  auto int_keeping = [&](const char* name, Tensor (*f)(const Tensor&)) {
    def_both(m, cls, name, [f](const Tensor& x) {
      if (is_floating(x.dtype())) return f(x);
      return f(x.to(DType::float64)).to(x.dtype() == DType::boolean ? DType::int64 : x.dtype());
    });
  };
  int_keeping("abs", &nabla::abs);
  int_keeping("relu", &nabla::relu);
  int_keeping("sign", &nabla::sign);
  int_keeping("neg", &nabla::neg);
  def_both(m, cls, "negative", [](const Tensor& x) {
    NABLA_CHECK(x.dtype() != DType::boolean, DTypeError,
                "negative: negation of a bool tensor is not supported; use ~ (logical_not)");
    return is_floating(x.dtype()) ? nabla::neg(x) : to_integer(nabla::neg(x.to(DType::float64)), x.dtype());
  });
  def_both(m, cls, "square", [](const Tensor& x) {
    if (is_floating(x.dtype())) return nabla::mul(x, x);
    return to_integer(nabla::pow(x.to(DType::float64), 2.0), x.dtype() == DType::boolean ? DType::int64 : x.dtype());
  });
  def_both(m, cls, "reciprocal", [](const Tensor& x) {
    Tensor f = floating(x);
    return nabla::div(Tensor::scalar(1.0, f.dtype()), f);
  });
  def_both(m, cls, "rsqrt", [](const Tensor& x) {
    Tensor f = floating(x);
    return nabla::div(Tensor::scalar(1.0, f.dtype()), nabla::sqrt(f));
  });
  def_both(m, cls, "log1p", [](const Tensor& x) {
    Tensor f = floating(x);
    return nabla::log(nabla::add(f, Tensor::scalar(1.0, f.dtype())));
  });
  def_both(
      m, cls, "leaky_relu", [](const Tensor& x, double slope) { return nabla::leaky_relu(floating(x), slope); },
      py::arg("negative_slope") = 0.01);
  def_both(
      m, cls, "elu", [](const Tensor& x, double alpha) { return nabla::elu(floating(x), alpha); },
      py::arg("alpha") = 1.0);
  def_both(
      m, cls, "gelu",
      [](const Tensor& x, const std::string& approximate) {
        NABLA_CHECK(approximate == "none" || approximate == "tanh", ValueError,
                    "gelu: approximate must be 'none' or 'tanh', got '", approximate, "'");
        return nabla::gelu(floating(x), approximate == "tanh");
      },
      py::kw_only(), py::arg("approximate") = "none");
  def_both(
      m, cls, "softplus",
      [](const Tensor& x, double beta, double threshold) { return nabla::softplus(floating(x), beta, threshold); },
      py::arg("beta") = 1.0, py::arg("threshold") = 20.0);
  def_both(m, cls, "heaviside_step", [](const Tensor& x) { return nabla::step(floating(x)); });
  def_both(
      m, cls, "clamp",
      [](const Tensor& x, const py::object& lo, const py::object& hi) {
        if (lo.is_none() && hi.is_none()) throw ValueError("clamp: at least one of min and max must be given");
        Tensor f = is_floating(x.dtype()) ? x : x.to(DType::float64);
        Tensor r = lo.is_none()   ? clamp_max(f, hi.cast<double>())
                   : hi.is_none() ? clamp_min(f, lo.cast<double>())
                                  : nabla::clamp(f, lo.cast<double>(), hi.cast<double>());
        return is_floating(x.dtype()) ? r : r.to(x.dtype());
      },
      py::arg("min") = py::none(), py::arg("max") = py::none());
  cls.attr("clip") = cls.attr("clamp");
  m.attr("clip") = m.attr("clamp");
  def_both(
      m, cls, "softmax", [](const Tensor& x, int64_t dim) { return nabla::softmax(floating(x), dim); }, py::arg("dim"));
  def_both(
      m, cls, "log_softmax", [](const Tensor& x, int64_t dim) { return nabla::log_softmax(floating(x), dim); },
      py::arg("dim"));
  def_both(
      m, cls, "logsumexp",
      [](const Tensor& x, int64_t dim, bool keepdim) { return nabla::logsumexp(floating(x), dim, keepdim); },
      py::arg("dim"), py::arg("keepdim") = false);
  auto binary_fn = [&](const char* name, Tensor (*f)(const Tensor&, const Tensor&)) {
    m.def(
        name,
        [name, f](const py::object& a, const py::object& b) {
          auto [x, y] = promote(a, b, name);
          return f(x, y);
        },
        py::arg("input"), py::arg("other"));
    cls.def(
        name,
        [name, f](const py::object& a, const py::object& b) {
          auto [x, y] = promote(a, b, name);
          return f(x, y);
        },
        py::arg("other"));
  };
  // maximum / minimum of integer or bool tensors: in float64 (exact), back to their dtype.
  auto extremum = [&](const char* name, Tensor (*f)(const Tensor&, const Tensor&)) {
    auto g = [name, f](const py::object& a, const py::object& b) {
      auto [x, y] = promote(a, b, name);
      if (is_floating(x.dtype())) return f(x, y);
      return f(x.to(DType::float64), y.to(DType::float64)).to(x.dtype());
    };
    m.def(name, g, py::arg("input"), py::arg("other"));
    cls.def(name, g, py::arg("other"));
  };
  extremum("maximum", &nabla::maximum);
  extremum("minimum", &nabla::minimum);
  binary_fn("logical_and", &nabla::logical_and);
  binary_fn("logical_or", &nabla::logical_or);
  def_both(m, cls, "logical_not", [](const Tensor& x) { return nabla::logical_not(x); });
  // Bitwise & | ^ ~ on bool tensors (logical) and int64 tensors (bits), as torch; not
  // differentiable, and not capturable by a compiled step (a plain loop).
  enum class Bits { and_, or_, xor_ };
  auto bitwise = [](const py::object& a, const py::object& b, Bits kind, const char* name) {
    auto [x, y] = promote(a, b, name);
    NABLA_CHECK(x.dtype() == DType::boolean || is_integral(x.dtype()), DTypeError, name,
                ": supported on bool and integer tensors, got ", dtype_name(x.dtype()));
    capture::refuse(name);
    const Shape shape = broadcast_shapes(x.shape(), y.shape(), name);
    Tensor u = x.expand(shape).contiguous(), v = y.expand(shape).contiguous();
    Tensor out = Tensor::empty(shape, x.dtype());
    auto run = [&]<class T>() {
      const T *p = u.data<T>(), *q = v.data<T>();
      T* o = out.data<T>();
      for (int64_t i = 0; i < out.numel(); ++i)
        o[i] = kind == Bits::and_ ? T(p[i] & q[i]) : kind == Bits::or_ ? T(p[i] | q[i]) : T(p[i] ^ q[i]);
    };
    if (x.dtype() == DType::boolean)
      run.template operator()<bool>();
    else if (x.dtype() == DType::int32)
      run.template operator()<int32_t>();
    else
      run.template operator()<int64_t>();
    return out;
  };
  for (auto [name, rname, fn, kind] : {std::tuple{"__and__", "__rand__", "bitwise_and", Bits::and_},
                                       {"__or__", "__ror__", "bitwise_or", Bits::or_},
                                       {"__xor__", "__rxor__", "bitwise_xor", Bits::xor_}}) {
    cls.def(
        name, [bitwise, kind, fn](const py::object& a, const py::object& b) { return bitwise(a, b, kind, fn); },
        py::is_operator());
    cls.def(
        rname, [bitwise, kind, fn](const py::object& a, const py::object& b) { return bitwise(b, a, kind, fn); },
        py::is_operator());
    m.def(
        fn, [bitwise, kind, fn](const py::object& a, const py::object& b) { return bitwise(a, b, kind, fn); },
        py::arg("input"), py::arg("other"));
  }
  m.def(
      "logical_xor",
      [bitwise](const py::object& a, const py::object& b) {
        auto [x, y] = promote(a, b, "logical_xor");
        Tensor bx = x.dtype() == DType::boolean ? x : nabla::ne(x, Tensor::scalar(0, x.dtype()));
        Tensor by = y.dtype() == DType::boolean ? y : nabla::ne(y, Tensor::scalar(0, y.dtype()));
        return bitwise(py::cast(bx), py::cast(by), Bits::xor_, "logical_xor");
      },
      py::arg("input"), py::arg("other"));
  auto invert = [](const Tensor& x) {
    if (x.dtype() == DType::boolean) return nabla::logical_not(x);
    NABLA_CHECK(is_integral(x.dtype()), DTypeError, "~: supported on bool and integer tensors, got ",
                dtype_name(x.dtype()));
    // ~v == -v - 1 in two's complement, exact for the int64 values float64 holds.
    return to_integer(nabla::sub(nabla::neg(x.to(DType::float64)), Tensor::scalar(1.0, DType::float64)), x.dtype());
  };
  cls.def("__invert__", invert);
  m.def("bitwise_not", invert, py::arg("input"));
  m.def(
      "where",
      [](const Tensor& cond, const py::object& a, const py::object& b) {
        NABLA_CHECK(cond.dtype() == DType::boolean, DTypeError, "where: condition must be a bool tensor, got ",
                    dtype_name(cond.dtype()));
        auto [x, y] = promote(a, b, "where");
        return nabla::where(cond, x, y);
      },
      py::arg("condition"), py::arg("input"), py::arg("other"));
  cls.def(
      "where",
      [](const Tensor& self, const Tensor& cond, const py::object& other) {
        auto [x, y] = promote(py::cast(self), other, "where");
        return nabla::where(cond, x, y);
      },
      py::arg("condition"), py::arg("other"));

  def_both(m, cls, "floor",
           [](const Tensor& x) { return rounding(x, "floor", [](double v) { return std::floor(v); }); });
  def_both(m, cls, "ceil", [](const Tensor& x) { return rounding(x, "ceil", [](double v) { return std::ceil(v); }); });
  def_both(m, cls, "trunc",
           [](const Tensor& x) { return rounding(x, "trunc", [](double v) { return std::trunc(v); }); });
  // Halves to even, as torch.round (the default floating-point rounding mode).
  def_both(m, cls, "round",
           [](const Tensor& x) { return rounding(x, "round", [](double v) { return std::nearbyint(v); }); });

  // ---- linear algebra ----
  auto matmul = [](const py::object& a, const py::object& b) {
    auto [x, y] = promote(a, b, "matmul");
    if (x.numel() * (y.dim() ? y.shape().back() : 1) > 65536) return without_gil([&] { return nabla::matmul(x, y); });
    return nabla::matmul(x, y);
  };
  m.def("matmul", matmul, py::arg("input"), py::arg("other"));
  cls.def("matmul", matmul, py::arg("other"));
  auto mm = [](const Tensor& a, const Tensor& b) {
    NABLA_CHECK(a.dim() == 2 && b.dim() == 2, ShapeError, "mm: expects two matrices, got shapes ",
                a.shape().to_string(), " and ", b.shape().to_string());
    return nabla::matmul(a, b);
  };
  m.def("mm", mm, py::arg("input"), py::arg("mat2"));
  cls.def("mm", mm, py::arg("mat2"));
  m.def("bmm", &nabla::bmm, py::arg("input"), py::arg("mat2"));
  cls.def("bmm", &nabla::bmm, py::arg("mat2"));
  auto dot = [](const Tensor& a, const Tensor& b) {
    NABLA_CHECK(a.dim() == 1 && b.dim() == 1, ShapeError, "dot: expects two 1-D tensors, got shapes ",
                a.shape().to_string(), " and ", b.shape().to_string());
    return nabla::matmul(a, b);
  };
  m.def("dot", dot, py::arg("input"), py::arg("other"));
  cls.def("dot", dot, py::arg("other"));
  m.def("_addmm_linear", [](const Tensor& x, const Tensor& w, const py::object& b) {
    return nabla::addmm_linear(x, w, b.is_none() ? Tensor() : b.cast<Tensor>());
  });

  // ---- reductions ----
  def_both(
      m, cls, "sum",
      [](const Tensor& x, const py::object& dim, bool keepdim, const py::object& dtype) {
        Tensor in = dtype.is_none() ? x : x.to(to_dtype(dtype));
        const auto dims = dims_of(dim);
        if (!is_floating(in.dtype()))
          return int_reduce(in, [&](const Tensor& f) { return nabla::sum(f, dims, keepdim); });
        return nabla::sum(in, dims, keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  def_both(
      m, cls, "mean",
      [](const Tensor& x, const py::object& dim, bool keepdim, const py::object& dtype) {
        Tensor in = dtype.is_none() ? x : x.to(to_dtype(dtype));
        NABLA_CHECK(is_floating(in.dtype()), DTypeError,
                    "mean(): could not infer output dtype. Input dtype must be a floating point dtype, got ",
                    dtype_name(in.dtype()), "; use .float() first");
        return nabla::mean(in, dims_of(dim), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  auto extreme = [&](const char* name, bool is_max) {
    def_both(
        m, cls, name,
        [is_max](const Tensor& x, const py::object& dim, bool keepdim) {
          const auto dims = dims_of(dim);
          check_reducible(x, dims, is_max ? "amax" : "amin");
          if (x.numel() == 0) {  // reduced over a non-empty dim of an empty tensor: an empty result
            Tensor r = nabla::sum(x.to(DType::float64), dims, keepdim).to(x.dtype());
            return r;
          }
          auto f = [&](const Tensor& in) {
            return is_max ? nabla::amax(in, dims, keepdim) : nabla::amin(in, dims, keepdim);
          };
          if (!is_floating(x.dtype())) {
            Tensor r = f(x.to(DType::float64));
            return r.to(x.dtype());
          }
          return f(x);
        },
        py::arg("dim") = py::none(), py::arg("keepdim") = false);
  };
  extreme("amax", true);
  extreme("amin", false);
  auto arg_extreme = [&](const char* name, bool is_max) {
    def_both(
        m, cls, name,
        [is_max](const Tensor& x, const py::object& dim, bool keepdim) {
          check_reducible(x, dim.is_none() ? std::vector<int64_t>{} : std::vector<int64_t>{dim.cast<int64_t>()},
                          is_max ? "argmax" : "argmin");
          Tensor in = x.dtype() == DType::boolean ? x.to(DType::int64) : x;
          if (dim.is_none()) {
            Tensor r = is_max ? nabla::argmax(in.reshape({-1}), 0) : nabla::argmin(in.reshape({-1}), 0);
            if (keepdim) {
              Shape ones;
              ones.resize(x.dim(), 1);
              return r.reshape(ones);
            }
            return r;
          }
          const int64_t d = dim.cast<int64_t>();
          if (x.dim() == 0) {
            normalize_dim(d, 0, is_max ? "argmax" : "argmin");
            return Tensor::scalar(0, DType::int64);
          }
          if (x.numel() == 0) return nabla::sum(x.to(DType::float64), {d}, keepdim).to(DType::int64);  // empty
          return is_max ? nabla::argmax(in, d, keepdim) : nabla::argmin(in, d, keepdim);
        },
        py::arg("dim") = py::none(), py::arg("keepdim") = false);
  };
  arg_extreme("argmax", true);
  arg_extreme("argmin", false);
  m.def("_sort", [](const Tensor& x, int64_t dim, bool descending) {
    auto [v, i] = sort(x, dim, descending);
    return py::make_tuple(v, i);
  });

  // ---- shape ----
  auto reshape = [](const Tensor& x, const py::args& shape) { return x.reshape(to_shape(shape, "reshape")); };
  cls.def("reshape", reshape);
  cls.def("view", [](const Tensor& x, const py::args& shape) {
    if (shape.size() == 1 && !PyIndex_Check(shape[0].ptr()) && !py::isinstance<py::tuple>(shape[0]) &&
        !py::isinstance<py::list>(shape[0]))
      return x.to(to_dtype(shape[0]));  // view(dtype): a reinterpretation in torch; a conversion here
    return x.view(to_shape(shape, "view"));
  });
  m.def(
      "reshape", [](const Tensor& x, const py::object& shape) { return x.reshape(to_shape(shape, "reshape")); },
      py::arg("input"), py::arg("shape"));
  def_both(
      m, cls, "flatten",
      [](const Tensor& x, int64_t start, int64_t end) { return x.dim() == 0 ? x.reshape({1}) : x.flatten(start, end); },
      py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  def_both(
      m, cls, "transpose",
      [](const Tensor& x, int64_t d0, int64_t d1) {
        normalize_dim(d0, x.dim(), "transpose");  // also for 0-d and 1-d tensors, which it leaves alone
        normalize_dim(d1, x.dim(), "transpose");
        return x.transpose(d0, d1);
      },
      py::arg("dim0"), py::arg("dim1"));
  cls.attr("swapaxes") = cls.attr("transpose");
  def_both(m, cls, "t", [](const Tensor& x) {
    NABLA_CHECK(x.dim() <= 2, ShapeError, "t(): expects a tensor with <= 2 dimensions, got shape ",
                x.shape().to_string());
    return x.dim() < 2 ? x : x.t();
  });
  cls.def_property_readonly("T", [](const Tensor& x) {
    if (x.dim() < 2) return x;
    std::vector<int64_t> dims(x.dim());
    for (int i = 0; i < x.dim(); ++i) dims[i] = x.dim() - 1 - i;
    return x.permute(dims);
  });
  cls.def_property_readonly("mT", [](const Tensor& x) {
    NABLA_CHECK(x.dim() >= 2, ShapeError, "mT: expects a tensor with >= 2 dimensions, got shape ",
                x.shape().to_string());
    return x.transpose(-2, -1);
  });
  cls.def("permute", [](const Tensor& x, const py::args& dims) { return x.permute(to_shape(dims, "permute").vec()); });
  m.def(
      "permute", [](const Tensor& x, const py::object& dims) { return x.permute(to_shape(dims, "permute").vec()); },
      py::arg("input"), py::arg("dims"));
  def_both(
      m, cls, "squeeze",
      [](const Tensor& x, const py::object& dim) {
        if (dim.is_none()) return x.squeeze();
        Tensor r = x;
        auto dims = dims_of(dim);
        for (auto& d : dims) d = normalize_dim(d, x.dim(), "squeeze");
        std::sort(dims.rbegin(), dims.rend());
        for (int64_t d : dims)
          if (x.dim() > 0 && x.shape()[static_cast<int>(d)] == 1) r = r.squeeze(d);
        return r;
      },
      py::arg("dim") = py::none());
  def_both(
      m, cls, "unsqueeze", [](const Tensor& x, int64_t dim) { return x.unsqueeze(dim); }, py::arg("dim"));
  cls.def("expand", [](const Tensor& x, const py::args& sizes) {
    Shape s = to_shape(sizes, "expand");
    const int lead = s.size() - x.dim();
    NABLA_CHECK(lead >= 0, ShapeError, "expand: the number of sizes (", s.size(),
                ") must be at least the tensor's dimensions (", x.dim(), ")");
    for (int i = 0; i < s.size(); ++i)
      if (s[i] == -1) {
        NABLA_CHECK(i >= lead, ShapeError, "expand: -1 is not allowed in a new leading dimension");
        s[i] = x.shape()[i - lead];
      }
    return x.expand(s);
  });
  cls.def(
      "expand_as", [](const Tensor& x, const Tensor& other) { return x.expand(other.shape()); }, py::arg("other"));
  m.def(
      "broadcast_to",
      [](const Tensor& x, const py::object& shape) { return x.expand(to_shape(shape, "broadcast_to")); },
      py::arg("input"), py::arg("size"));
  cls.def("_slice", [](const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
    return x.slice(dim, start, end, step);
  });
  cls.def("_select", [](const Tensor& x, int64_t dim, int64_t index) { return x.select(dim, index); });

  // ---- joining and indexing ----
  auto cat = [](const py::object& tensors, int64_t dim) { return nabla::concat(tensor_list(tensors, "cat"), dim); };
  for (const char* name : {"cat", "concat", "concatenate"}) m.def(name, cat, py::arg("tensors"), py::arg("dim") = 0);
  m.def(
      "stack", [](const py::object& tensors, int64_t dim) { return nabla::stack(tensor_list(tensors, "stack"), dim); },
      py::arg("tensors"), py::arg("dim") = 0);
  def_both(
      m, cls, "gather", [](const Tensor& x, int64_t dim, const Tensor& index) { return nabla::gather(x, dim, index); },
      py::arg("dim"), py::arg("index"));
  def_both(
      m, cls, "index_select",
      [](const Tensor& x, int64_t dim, const Tensor& index) { return nabla::index_select(x, dim, index); },
      py::arg("dim"), py::arg("index"));
  m.def("_scatter_add", [](const py::object& shape, int64_t dim, const Tensor& index, const Tensor& src) {
    return nabla::scatter_add(to_shape(shape, "scatter_add"), dim, index, src);
  });
  m.def("_one_hot",
        [](const Tensor& labels, int64_t num_classes) { return nabla::one_hot(labels, num_classes, DType::int64); });
  m.def("_nonzero", [](const Tensor& mask) {
    // (N, ndim) int64 coordinates of the true (non-zero) elements, in row-major order.
    Tensor b = mask.dtype() == DType::boolean ? mask : nabla::ne(mask, Tensor::scalar(0, mask.dtype()));
    const int nd = b.dim();
    std::vector<int64_t> coords;
    Shape strides = contiguous_strides(b.shape());
    dispatch_all(DType::boolean, [&]<class T>() {
      Tensor c = b.contiguous();
      const bool* p = c.data<bool>();
      for (int64_t i = 0; i < c.numel(); ++i)
        if (p[i]) {
          int64_t rest = i;
          for (int d = 0; d < nd; ++d) {
            coords.push_back(rest / strides[d]);
            rest %= strides[d];
          }
        }
    });
    const int64_t n = nd ? static_cast<int64_t>(coords.size()) / nd : (b.item() != 0 ? 1 : 0);
    return Tensor::from_vector(coords, Shape{n, static_cast<int64_t>(nd)});
  });
}

const bool registered_ops = register_binding(20, bind_ops);

}  // namespace
}  // namespace nabla::python
