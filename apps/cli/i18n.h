// apps/cli/i18n.h — English and Spanish for every line the nabla command prints.
//
// A message is a pair of strings kept next to the code that prints it (no central table to edit
// when a subcommand is added); "{}" marks the places of the arguments, filled in order.
//
//   constexpr nabla::cli::Message kWrote{"wrote {}", "escrito {}"};
//   nabla::cli::Translator tr(nabla::cli::detect_language(flag));
//   std::cout << tr(kWrote, path) << "\n";
#pragma once
#include <sstream>
#include <string>
#include <string_view>

namespace nabla::cli {

enum class Lang { en, es };

struct Message {
  const char* en;
  const char* es;
};

// The language: `flag` ("en" or "es", from --lang) when given; else Spanish when LC_ALL,
// LC_MESSAGES or LANG (the first one set, as POSIX orders them) starts with "es"; else English.
Lang detect_language(std::string_view flag);
// The same decision from explicit values (null: the variable is unset). For tests.
Lang language_from(std::string_view flag, const char* lc_all, const char* lc_messages, const char* lang);

// Replaces each "{}" of `pattern` with the next argument.
std::string format_message(std::string_view pattern, const std::string* args, size_t count);

class Translator {
 public:
  explicit Translator(Lang lang = Lang::en) : lang_(lang) {}
  Lang lang() const { return lang_; }
  std::string_view text(const Message& m) const { return lang_ == Lang::es ? m.es : m.en; }

  template <class... Args>
  std::string operator()(const Message& m, const Args&... args) const {
    const std::string parts[] = {to_text(args)..., std::string()};
    return format_message(text(m), parts, sizeof...(Args));
  }

 private:
  template <class T>
  static std::string to_text(const T& v) {
    std::ostringstream out;
    out << v;
    return out.str();
  }
  Lang lang_;
};

}  // namespace nabla::cli
