// nabla/error.h — the one exception hierarchy every layer throws.
//
// User mistakes (a wrong shape, a bad value, a malformed file) are exceptions that carry
// enough context to fix them; internal invariants are asserts. Only the CLI turns these
// into exit codes: usage/input errors exit 2, internal errors exit 1.
//
//   try { a + b; } catch (const nabla::ShapeError& e) { std::cerr << e.what(); }
//   NABLA_CHECK(lr > 0, ValueError, "SGD: invalid learning rate ", lr);
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace nabla {

// Base of everything nabla throws on purpose.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};
class ShapeError : public Error {
  using Error::Error;
};  // shapes that do not fit an op
class DTypeError : public Error {
  using Error::Error;
};  // dtypes that do not fit an op
class ValueError : public Error {
  using Error::Error;
};  // a bad argument value (lr < 0, dim out of range)
class IOError : public Error {
  using Error::Error;
};                                 // a file that cannot be read or written
class ParseError : public Error {  // malformed text: expression, config, CSV
 public:
  ParseError(const std::string& what, std::string source = "", int line = 0, int column = 0)
      : Error(what), source_(std::move(source)), line_(line), column_(column) {}
  const std::string& source() const { return source_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  std::string source_;
  int line_, column_;
};
class AutogradError : public Error {
  using Error::Error;
};  // misuse of the graph (backward twice, ...)
class CaptureError : public Error {
  using Error::Error;
};  // a step nabla::compile cannot capture

namespace detail {
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

}  // namespace nabla

// Throws ErrorType with the message pieces streamed together when cond is false.
#define NABLA_CHECK(cond, ErrorType, ...)                                        \
  do {                                                                           \
    if (!(cond)) throw ::nabla::ErrorType(::nabla::detail::concat(__VA_ARGS__)); \
  } while (0)
