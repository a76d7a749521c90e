// python/src/random.cpp — nabla.manual_seed, nabla.Generator and the random functions, drawing
// torch's CPU numbers for the same seed (nabla/tensor/random.h).
#include "nabla/tensor/random.h"

#include "bindings.h"
#include "nabla/ops/ops.h"

namespace nabla::python {
namespace {

Generator* generator_of(const py::object& g) { return g.is_none() ? nullptr : g.cast<Generator*>(); }

DType float_dtype(const py::object& dtype, DType fallback, const char* op) {
  const auto d = to_optional_dtype(dtype);
  const DType r = d ? *d : fallback;
  NABLA_CHECK(is_floating(r), DTypeError, op, ": expected a floating dtype (float32 or float64), got ", dtype_name(r));
  return r;
}

void bind_random(py::module_& m) {
  py::class_<Generator>(m, "Generator")
      .def(py::init([](const py::object& device) {
             check_device(device, "Generator");
             return Generator();
           }),
           py::arg("device") = py::none())
      .def(
          "manual_seed",
          [](Generator& g, uint64_t seed) -> Generator& {
            g.manual_seed(seed);
            return g;
          },
          py::arg("seed"), py::return_value_policy::reference_internal)
      .def("initial_seed", &Generator::initial_seed)
      .def("get_state", &Generator::state)
      .def("set_state", &Generator::set_state, py::arg("state"));
  m.def("default_generator", &default_generator, py::return_value_policy::reference);
  m.def(
      "manual_seed",
      [](const py::object& seed) -> Generator& {
        // torch accepts any Python int (negative ones wrap modulo 2**64).
        if (!PyIndex_Check(seed.ptr()))
          throw py::type_error("manual_seed: expected an int, got " +
                               py::str(seed.get_type().attr("__name__")).cast<std::string>());
        const uint64_t s = py::int_(seed).attr("__and__")(py::int_(py::cast(~uint64_t{0}))).cast<uint64_t>();
        nabla::manual_seed(s);
        return default_generator();
      },
      py::arg("seed"), py::return_value_policy::reference);
  m.def("initial_seed", [] { return default_generator().initial_seed(); });
  m.def("get_rng_state", [] { return default_generator().state(); });
  m.def(
      "set_rng_state", [](const std::string& s) { default_generator().set_state(s); }, py::arg("new_state"));

  auto shaped = [&m](const char* name, Tensor (*f)(const Shape&, DType, Generator*)) {
    m.def(
        name,
        [name, f](const py::args& size, const py::object& generator, const py::object& dtype, const py::object& device,
                  bool requires_grad) {
          return created(f(to_shape(size, name), float_dtype(dtype, default_dtype(), name), generator_of(generator)),
                         device, requires_grad, name);
        },
        py::arg("generator") = py::none(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false);
    const std::string like = std::string(name) + "_like";
    m.def(
        like.c_str(),
        [name, f](const Tensor& t, const py::object& dtype, const py::object& device, bool requires_grad) {
          return created(f(t.shape(), float_dtype(dtype, t.dtype(), name), nullptr), device, requires_grad, name);
        },
        py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false);
  };
  shaped("rand", &rand);
  shaped("randn", &randn);
  // randint(high, size) or randint(low, high, size), as torch.
  m.def(
      "randint",
      [](const py::args& args, const py::object& size, const py::object& generator, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        std::vector<py::object> a;
        for (const py::handle& h : args) a.push_back(py::reinterpret_borrow<py::object>(h));
        py::object shape = size;
        if (shape.is_none() && !a.empty() && !PyIndex_Check(a.back().ptr())) {
          shape = a.back();
          a.pop_back();
        }
        NABLA_CHECK(!shape.is_none() && (a.size() == 1 || a.size() == 2), ValueError,
                    "randint: expected randint(high, size) or randint(low, high, size)");
        const int64_t low = a.size() == 2 ? a[0].cast<int64_t>() : 0, high = a.back().cast<int64_t>();
        Tensor t = randint(low, high, to_shape(shape, "randint"), generator_of(generator));
        const auto d = to_optional_dtype(dtype);
        if (d && *d != DType::int64) t = t.to(*d);
        return created(t, device, requires_grad, "randint");
      },
      py::arg("size") = py::none(), py::arg("generator") = py::none(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "randint_like",
      [](const Tensor& t, const py::args& args, const py::object& dtype) {
        NABLA_CHECK(args.size() == 1 || args.size() == 2, ValueError,
                    "randint_like: expected (input, high) or (input, low, high)");
        const int64_t low = args.size() == 2 ? args[0].cast<int64_t>() : 0,
                      high = args[args.size() - 1].cast<int64_t>();
        Tensor r = randint(low, high, t.shape());
        const DType d = dtype.is_none() ? t.dtype() : to_dtype(dtype);
        return d == DType::int64 ? r : r.to(d);
      },
      py::arg("input"), py::kw_only(), py::arg("dtype") = py::none());
  m.def(
      "randperm",
      [](int64_t n, const py::object& generator, const py::object& dtype, const py::object& device,
         bool requires_grad) {
        Tensor t = randperm(n, generator_of(generator));
        const auto d = to_optional_dtype(dtype);
        if (d && *d != DType::int64) t = t.to(*d);
        return created(t, device, requires_grad, "randperm");
      },
      py::arg("n"), py::kw_only(), py::arg("generator") = py::none(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "multinomial",
      [](const Tensor& probs, int64_t n, bool replacement, const py::object& generator) {
        return multinomial(probs, n, replacement, generator_of(generator));
      },
      py::arg("input"), py::arg("num_samples"), py::arg("replacement") = false, py::kw_only(),
      py::arg("generator") = py::none());
  m.def("_normal",
        [](double mean, double std, const py::object& size, const py::object& generator, const py::object& dtype) {
          Tensor t = Tensor::empty(to_shape(size, "normal"), float_dtype(dtype, default_dtype(), "normal"));
          return normal_(t, mean, std, generator_of(generator));
        });
  m.def(
      "bernoulli",
      [](const Tensor& p, const py::object& generator) {
        // torch.bernoulli(p): bernoulli_distribution<float> per element, a 24-bit uniform < float(p).
        NABLA_CHECK(is_floating(p.dtype()), DTypeError, "bernoulli: expected a floating tensor of probabilities, got ",
                    dtype_name(p.dtype()));
        Tensor u = Tensor::empty(p.shape(), DType::float32);
        uniform_(u, 0.0, 1.0, generator_of(generator));
        return nabla::lt(u, p.detach().to(DType::float32)).to(p.dtype());
      },
      py::arg("input"), py::kw_only(), py::arg("generator") = py::none());

  auto cls = py::type::of<Tensor>().cast<py::class_<Tensor>>();
  auto rself = py::return_value_policy::reference_internal;
  cls.def(
      "uniform_",
      [](Tensor& t, double a, double b, const py::object& g) -> Tensor& { return uniform_(t, a, b, generator_of(g)); },
      py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(), py::arg("generator") = py::none(), rself);
  cls.def(
      "normal_",
      [](Tensor& t, double mean, double std, const py::object& g) -> Tensor& {
        return normal_(t, mean, std, generator_of(g));
      },
      py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(), py::arg("generator") = py::none(), rself);
  cls.def(
      "exponential_",
      [](Tensor& t, double lambd, const py::object& g) -> Tensor& { return exponential_(t, lambd, generator_of(g)); },
      py::arg("lambd") = 1.0, py::kw_only(), py::arg("generator") = py::none(), rself);
  cls.def(
      "bernoulli_",
      [](Tensor& t, double p, const py::object& g) -> Tensor& { return bernoulli_(t, p, generator_of(g)); },
      py::arg("p") = 0.5, py::kw_only(), py::arg("generator") = py::none(), rself);
  cls.def(
      "random_",
      [](Tensor& t, int64_t low, const py::object& high, const py::object& g) -> Tensor& {
        NABLA_CHECK(!high.is_none(), ValueError, "random_: give both from and to");
        Tensor r = randint(low, high.cast<int64_t>(), t.shape(), generator_of(g));
        t.copy_(r.to(t.dtype()));
        return t;
      },
      py::arg("from") = 0, py::arg("to") = py::none(), py::kw_only(), py::arg("generator") = py::none(), rself);
}

const bool registered_random = register_binding(40, bind_random);

}  // namespace
}  // namespace nabla::python
