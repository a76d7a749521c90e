// nabla/error.h — the one exception hierarchy every layer throws.
//
// User mistakes (a wrong shape, a bad value, a malformed file) are exceptions that carry
// enough context to fix them; internal invariants are asserts. Only the CLI turns these
// into exit codes: usage/input errors exit 2, internal errors exit 1.
//
//   try { a + b; } catch (const nabla::ShapeError& e) { std::cerr << e.what(); }
//   NABLA_CHECK(lr > 0, ValueError, "SGD: invalid learning rate ", lr);
#pragma once
#include <ostream>  // operator<< for detail::concat's parts; <sstream> stays in src/tensor/error.cpp
#include <stdexcept>
#include <string>
#include <string_view>

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
  // `source`: where the text came from (a file's path, "--set"); `line`, `column`: 1-based, in
  // characters, 0 when unknown; `text`: the text they point into, for a caller to echo under the
  // message (empty when there is nothing worth echoing, e.g. a whole CSV file).
  ParseError(const std::string& what, std::string source = "", int line = 0, int column = 0, std::string text = "")
      : Error(what), source_(std::move(source)), text_(std::move(text)), line_(line), column_(column) {}
  // An error in a text given inline (an expression, a rule): it is both the source and the text.
  static ParseError in_text(const std::string& what, const std::string& text, int line, int column) {
    return ParseError(what, text, line, column, text);
  }
  const std::string& source() const { return source_; }
  const std::string& text() const { return text_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  std::string source_, text_;
  int line_, column_;
};
class AutogradError : public Error {
  using Error::Error;
};  // misuse of the graph (backward twice, ...)
class CaptureError : public Error {
  using Error::Error;
};  // a step nabla::compile cannot capture

namespace detail {
// What `write(out, context)` streams into a std::ostringstream, as a string (src/tensor/error.cpp):
// the stream lives in the library, so this header, included everywhere, needs no <sstream>.
std::string stream_to_string(void (*write)(std::ostream& out, const void* context), const void* context);

// The parts streamed one after another (`out << part`, default formatting), as a string.
template <class... Parts>
std::string concat(const Parts&... parts) {
  const auto write = [&](std::ostream& out) { (out << ... << parts); };
  using Write = decltype(write);
  return stream_to_string([](std::ostream& out, const void* w) { (*static_cast<const Write*>(w))(out); }, &write);
}

// `text` for a message: whole when it has at most `max` characters (UTF-8 code points), else its
// start and end around a "…", so that a 128 KB input never comes back whole.
inline std::string excerpt(std::string_view text, size_t max = 60) {
  auto starts = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  size_t chars = 0;
  for (char c : text) chars += starts(c);
  if (chars <= max) return std::string(text);
  // The byte offsets where the head ends and the tail starts, on character boundaries.
  const size_t head = (max + 1) / 2, tail = max - head;
  size_t head_end = 0, seen = 0;
  while (head_end < text.size() && !(starts(text[head_end]) && seen++ == head)) ++head_end;
  size_t tail_begin = text.size();
  for (seen = 0; tail_begin > 0 && seen < tail;) seen += starts(text[--tail_begin]);
  return std::string(text.substr(0, head_end)) + "…" + std::string(text.substr(tail_begin));
}
}  // namespace detail

}  // namespace nabla

// Throws ErrorType with the message pieces streamed together when cond is false.
#define NABLA_CHECK(cond, ErrorType, ...)                                        \
  do {                                                                           \
    if (!(cond)) throw ::nabla::ErrorType(::nabla::detail::concat(__VA_ARGS__)); \
  } while (0)
