// python/src/errors.cpp — every nabla::Error as a Python exception with the C++ message.
//
// nabla.Error derives from RuntimeError (what torch raises for most misuse); each subclass also
// derives from the built-in that fits it, so both `except ValueError` and torch-style
// `except RuntimeError` catch a nabla.ShapeError.
#include "bindings.h"

namespace nabla::python {
namespace {

struct ErrorClass {
  const char* name;
  PyObject* builtin;
  PyObject* type = nullptr;
};

ErrorClass error_classes[] = {
    {"ShapeError", PyExc_ValueError},     {"DTypeError", PyExc_TypeError},  {"ValueError", PyExc_ValueError},
    {"IOError", PyExc_OSError},           {"ParseError", PyExc_ValueError}, {"AutogradError", PyExc_RuntimeError},
    {"CaptureError", PyExc_RuntimeError},
};
PyObject* base_error = nullptr;

PyObject* type_of(const char* name) {
  for (const ErrorClass& e : error_classes)
    if (std::string(e.name) == name) return e.type;
  return base_error;
}

void bind_errors(py::module_& m) {
  base_error = PyErr_NewExceptionWithDoc("nabla.Error", "Base of the errors nabla raises", PyExc_RuntimeError, nullptr);
  m.attr("Error") = py::handle(base_error);
  for (ErrorClass& e : error_classes) {
    const std::string full = std::string("nabla.") + e.name;
    py::object bases = e.builtin == PyExc_RuntimeError ? py::make_tuple(py::handle(base_error))
                                                       : py::make_tuple(py::handle(base_error), py::handle(e.builtin));
    e.type = PyErr_NewException(full.c_str(), bases.ptr(), nullptr);
    m.attr(e.name) = py::handle(e.type);
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ShapeError& e) {
      PyErr_SetString(type_of("ShapeError"), e.what());
    } catch (const DTypeError& e) {
      PyErr_SetString(type_of("DTypeError"), e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(type_of("ValueError"), e.what());
    } catch (const IOError& e) {
      PyErr_SetString(type_of("IOError"), e.what());
    } catch (const ParseError& e) {
      PyErr_SetString(type_of("ParseError"), e.what());
    } catch (const AutogradError& e) {
      PyErr_SetString(type_of("AutogradError"), e.what());
    } catch (const CaptureError& e) {
      PyErr_SetString(type_of("CaptureError"), e.what());
    } catch (const Error& e) {
      PyErr_SetString(base_error, e.what());
    }
  });
}

const bool registered_errors = register_binding(1, bind_errors);

}  // namespace
}  // namespace nabla::python
