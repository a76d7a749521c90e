// python/src/compile.cpp — nabla.compile(step_fn): nabla::CompiledStep around a Python function.
//
// The first call of a group of input shapes runs the Python function eagerly, the second runs it
// while recording its kernels, later calls replay the recording with the GIL released and never
// enter Python. A function returning several tensors has them joined (flattened, concatenated)
// inside the recording, and split again into views of that buffer after each call.
#include "nabla/compile.h"

#include <chrono>
#include <mutex>

#include "bindings.h"
#include "nabla/autograd/node.h"
#include "nabla/compile/tape.h"
#include "nabla/ops/ops.h"

namespace nabla::python {
namespace {

class Compiled {
 public:
  explicit Compiled(py::function fn)
      : fn_(std::move(fn)), step_([this](std::span<const Tensor> in) { return run_python(in); }) {}

  py::object call(const py::args& args) {
    std::vector<Tensor> inputs = inputs_of(args);
    // A replay shorter than kShortReplay keeps the GIL: releasing and taking it back costs about
    // as much as a small net's whole step (W2: ~2 us), and nothing waits that long for it.
    Tensor out;
    const auto start = std::chrono::steady_clock::now();
    if (short_replays_) {
      std::lock_guard lock(mutex_);  // two Python threads calling one step take turns
      out = step_.call(inputs);
    } else {
      out = without_gil([&] {
        std::lock_guard lock(mutex_);
        return step_.call(inputs);
      });
    }
    short_replays_ = step_.stats().replays > 0 && std::chrono::steady_clock::now() - start < kShortReplay;
    return result(out);
  }

  // Calls the step `times` times on the same inputs (a benchmark or a fixed-batch training loop
  // without Python in between); Ctrl-C stops it between two steps with KeyboardInterrupt.
  py::object run(int64_t times, const py::args& args) {
    NABLA_CHECK(times >= 1, ValueError, "compiled step run(): times must be >= 1, got ", times);
    std::vector<Tensor> inputs = inputs_of(args);
    Tensor out = without_gil([&] {
      std::lock_guard lock(mutex_);
      Tensor last;
      auto checked = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < times; ++i) {
        last = step_.call(inputs);
        const auto now = std::chrono::steady_clock::now();
        if (now - checked > std::chrono::milliseconds(20)) {
          check_signals_without_gil();
          checked = now;
        }
      }
      return last;
    });
    return result(out);
  }

  py::dict stats() const {
    const CompiledStep::Stats s = step_.stats();
    py::dict d;
    d["eager_calls"] = s.eager_calls;
    d["captures"] = s.captures;
    d["replays"] = s.replays;
    d["kernels"] = s.kernels;
    return d;
  }
  void reset() { step_.reset(); }
  const py::function& function() const { return fn_; }

 private:
  static std::vector<Tensor> inputs_of(const py::args& args) {
    std::vector<Tensor> inputs;
    for (const py::handle& a : args) {
      NABLA_CHECK(py::isinstance<Tensor>(a), ValueError, "compiled step: inputs are tensors, got ",
                  py::str(a.get_type().attr("__name__")).cast<std::string>(), " for input ", inputs.size());
      inputs.push_back(a.cast<Tensor>());
    }
    return inputs;
  }

  // Runs the Python function (warm-up and recording calls only), with the GIL.
  Tensor run_python(std::span<const Tensor> in) {
    py::gil_scoped_acquire gil;
    py::tuple args(in.size());
    for (size_t i = 0; i < in.size(); ++i) args[i] = py::cast(in[i]);
    py::object r = fn_(*args);
    shapes_.clear();
    kind_ = Kind::tensor;
    if (r.is_none()) {
      kind_ = Kind::none;
      return Tensor();
    }
    if (py::isinstance<Tensor>(r)) return r.cast<Tensor>();
    NABLA_CHECK(py::isinstance<py::tuple>(r) || py::isinstance<py::list>(r), CaptureError,
                "compiled step: the function must return a tensor, a tuple of tensors or None, got ",
                py::str(r.get_type().attr("__name__")).cast<std::string>());
    kind_ = py::isinstance<py::list>(r) ? Kind::list : Kind::tuple;
    std::vector<Tensor> parts;
    for (const py::handle& h : r) {
      NABLA_CHECK(py::isinstance<Tensor>(h), CaptureError, "compiled step: the function returned a ",
                  py::str(h.get_type().attr("__name__")).cast<std::string>(),
                  " in its tuple; return tensors only (call .item() on the result instead)");
      Tensor t = h.cast<Tensor>();
      NABLA_CHECK(parts.empty() || t.dtype() == parts[0].dtype(), CaptureError,
                  "compiled step: the tensors returned must share one dtype, got ", dtype_name(parts[0].dtype()),
                  " and ", dtype_name(t.dtype()));
      shapes_.push_back(t.shape());
      parts.push_back(t.detach().reshape({-1}));
    }
    NABLA_CHECK(!parts.empty(), CaptureError, "compiled step: the function returned an empty tuple");
    NoGradGuard no_grad;
    return nabla::concat(parts, 0);
  }

  py::object result(const Tensor& out) {
    if (kind_ == Kind::none || !out.defined()) return py::none();
    if (kind_ == Kind::tensor) {
      // A replay returns the same buffer every time: the same Python object, made once (the
      // returned tensor is overwritten by the next call either way).
      if (!last_out_ || !py::cast<const Tensor&>(last_out_).same(out)) last_out_ = py::cast(out);
      return last_out_;
    }
    py::list parts;
    int64_t at = 0;
    for (const Shape& s : shapes_) {
      parts.append(out.slice(0, at, at + s.numel()).reshape(s));
      at += s.numel();
    }
    if (kind_ == Kind::list) return parts;
    return py::tuple(parts);
  }

  static constexpr std::chrono::microseconds kShortReplay{50};
  bool short_replays_ = false;
  py::object last_out_;
  enum class Kind { tensor, tuple, list, none };
  py::function fn_;
  CompiledStep step_;
  std::recursive_mutex mutex_;  // recursive: a step that calls itself must not hang
  Kind kind_ = Kind::tensor;
  std::vector<Shape> shapes_;
};

void bind(py::module_& m) {
  py::class_<Compiled>(m, "CompiledStep")
      .def(py::init<py::function>(), py::arg("fn"))
      .def("__call__", &Compiled::call)
      .def("run", &Compiled::run, py::arg("times"))
      .def("stats", &Compiled::stats)
      .def("reset", &Compiled::reset)
      .def_property_readonly("__wrapped__", &Compiled::function);
  m.def("_capturing", &capture::recording, "Whether a compiled step is being recorded on this thread");
}

const bool registered = register_binding(50, bind);

}  // namespace
}  // namespace nabla::python
