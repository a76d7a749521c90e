// python/src/compile.cpp — nabla.compile(step_fn): nabla::CompiledStep around a Python function.
//
// The first call of a group of input shapes runs the Python function eagerly, the second runs it
// while recording its kernels, later calls replay the recording with the GIL released and never
// enter Python. A function returning several tensors has them joined (flattened, concatenated)
// inside the recording, and split again into views of that buffer after each call.
//
// A replayed call costs what CPython's call costs plus the replay itself: nabla.CompiledStep is a
// C-API type with the vectorcall protocol (no argument tuple, no pybind11 dispatch), its inputs
// are read straight from the tensors' instances, nothing is allocated, and a step returning one
// tensor returns the same Python object every time. run(), stats(), reset() and __wrapped__ are
// the pybind11 object's (nabla._C._CompiledImpl) that it holds.
#include "nabla/compile.h"

#include <array>
#include <chrono>
#include <mutex>

#include "bindings.h"
#include "nabla/autograd/node.h"
#include "nabla/compile/tape.h"
#include "nabla/ops/ops.h"

// After Python.h (bindings.h): PyMemberDef, T_PYSSIZET.
#include <structmember.h>

namespace nabla::python {
namespace {

class Compiled {
 public:
  explicit Compiled(py::function fn)
      : fn_(std::move(fn)), step_([this](std::span<const Tensor> in) { return run_python(in); }) {}

  py::object call(const py::args& args) { return call_span(inputs_of(args)); }

  // The vectorcall path: the inputs as CPython passes them, without a tuple.
  py::object call_vector(PyObject* const* args, size_t n) {
    if (n <= kInline) {  // on the stack: a step that calls itself cannot overwrite another call's inputs
      std::array<Tensor, kInline> inputs;
      for (size_t i = 0; i < n; ++i) inputs[i] = tensor_of(args[i], i);
      return call_span(std::span<const Tensor>(inputs.data(), n));
    }
    std::vector<Tensor> inputs(n);
    for (size_t i = 0; i < n; ++i) inputs[i] = tensor_of(args[i], i);
    return call_span(inputs);
  }

  py::object call_span(std::span<const Tensor> inputs) {
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
  static constexpr size_t kInline = 6;

  // Input i as a tensor: a nabla.Tensor's C++ value read from its instance directly (no caster).
  static const Tensor& tensor_of(PyObject* obj, size_t i) {
    static auto* tensor_type = reinterpret_cast<PyTypeObject*>(py::type::of<Tensor>().ptr());
    if (Py_TYPE(obj) == tensor_type) {
      auto* inst = reinterpret_cast<py::detail::instance*>(obj);
      if (inst->simple_layout && inst->simple_value_holder[0])
        return *static_cast<const Tensor*>(inst->simple_value_holder[0]);
    }
    py::handle h(obj);
    NABLA_CHECK(py::isinstance<Tensor>(h), ValueError, "compiled step: inputs are tensors, got ",
                py::str(h.get_type().attr("__name__")).cast<std::string>(), " for input ", i);
    return h.cast<const Tensor&>();
  }

  static std::vector<Tensor> inputs_of(const py::args& args) {
    std::vector<Tensor> inputs;
    for (const py::handle& a : args) inputs.push_back(tensor_of(a.ptr(), inputs.size()));
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
      if (!last_out_ || !last_out_value_->same(out)) {
        last_out_ = py::cast(out);
        last_out_value_ = &py::cast<const Tensor&>(last_out_);
      }
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
  const Tensor* last_out_value_ = nullptr;  // the C++ value of last_out_
  enum class Kind { tensor, tuple, list, none };
  py::function fn_;
  CompiledStep step_;
  std::recursive_mutex mutex_;  // recursive: a step that calls itself must not hang
  Kind kind_ = Kind::tensor;
  std::vector<Shape> shapes_;
};

// ---- nabla.CompiledStep: the C-API type in front of Compiled ----
struct FastStep {
  PyObject_HEAD vectorcallfunc vectorcall;
  PyObject* compiled;  // a nabla._C._CompiledImpl (owns the Compiled)
  Compiled* impl;
};

// A C++ exception as the Python exception pybind11 would raise for it (nabla's translators first).
PyObject* raise_current() {
  if (!py::detail::apply_exception_translators(py::detail::get_local_internals().registered_exception_translators) &&
      !py::detail::apply_exception_translators(py::detail::get_internals().registered_exception_translators))
    PyErr_SetString(PyExc_SystemError, "nabla: unknown C++ exception in a compiled step");
  return nullptr;
}

PyObject* fast_call(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  auto* step = reinterpret_cast<FastStep*>(self);
  try {
    if (kwnames && PyTuple_GET_SIZE(kwnames) > 0)
      throw ValueError("compiled step: pass the inputs by position (keyword arguments are not inputs)");
    return step->impl->call_vector(args, PyVectorcall_NARGS(nargsf)).release().ptr();
  } catch (...) {
    return raise_current();
  }
}

PyObject* fast_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  try {
    py::object impl_class = py::module_::import("nabla._C").attr("_CompiledImpl");
    py::object compiled = impl_class(*py::reinterpret_borrow<py::tuple>(args),
                                     **(kwargs ? py::reinterpret_borrow<py::dict>(kwargs) : py::dict()));
    auto* step = reinterpret_cast<FastStep*>(type->tp_alloc(type, 0));
    if (!step) return nullptr;
    step->vectorcall = fast_call;
    step->impl = compiled.cast<Compiled*>();
    step->compiled = compiled.release().ptr();
    return reinterpret_cast<PyObject*>(step);
  } catch (...) {
    return raise_current();
  }
}

void fast_dealloc(PyObject* self) {
  auto* step = reinterpret_cast<FastStep*>(self);
  PyTypeObject* type = Py_TYPE(self);
  Py_XDECREF(step->compiled);
  type->tp_free(self);
  Py_DECREF(type);
}

// Attributes other than the type's own are the _CompiledImpl's: run, stats, reset, __wrapped__.
PyObject* fast_getattro(PyObject* self, PyObject* name) {
  PyObject* r = PyObject_GenericGetAttr(self, name);
  if (r || !PyErr_ExceptionMatches(PyExc_AttributeError)) return r;
  PyErr_Clear();
  return PyObject_GetAttr(reinterpret_cast<FastStep*>(self)->compiled, name);
}

PyObject* fast_repr(PyObject* self) {
  py::handle fn = reinterpret_cast<FastStep*>(self)->impl->function();
  return PyUnicode_FromFormat("<nabla.CompiledStep of %R>", fn.ptr());
}

PyMemberDef fast_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(FastStep, vectorcall), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

void bind_compile(py::module_& m) {
  py::class_<Compiled>(m, "_CompiledImpl")
      .def(py::init<py::function>(), py::arg("fn"))
      .def("__call__", &Compiled::call)
      .def("run", &Compiled::run, py::arg("times"))
      .def("stats", &Compiled::stats)
      .def("reset", &Compiled::reset)
      .def_property_readonly("__wrapped__", &Compiled::function);
  static PyType_Slot slots[] = {
      {Py_tp_new, reinterpret_cast<void*>(fast_new)},
      {Py_tp_dealloc, reinterpret_cast<void*>(fast_dealloc)},
      {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
      {Py_tp_getattro, reinterpret_cast<void*>(fast_getattro)},
      {Py_tp_repr, reinterpret_cast<void*>(fast_repr)},
      {Py_tp_members, fast_members},
      {Py_tp_doc, const_cast<char*>("A step captured by nabla.compile: call it as the function it wraps.")},
      {0, nullptr},
  };
  static PyType_Spec spec = {"nabla.CompiledStep", sizeof(FastStep), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
                             slots};
  PyObject* type = PyType_FromSpec(&spec);
  if (!type) throw py::error_already_set();
  m.attr("CompiledStep") = py::reinterpret_steal<py::object>(type);
  m.def("_capturing", &capture::recording, "Whether a compiled step is being recorded on this thread");
}

const bool registered_compile = register_binding(50, bind_compile);

}  // namespace
}  // namespace nabla::python
