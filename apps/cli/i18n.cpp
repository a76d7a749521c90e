#include "i18n.h"

#include <cstdlib>

namespace nabla::cli {

Lang language_from(std::string_view flag, const char* lc_all, const char* lc_messages, const char* lang) {
  if (flag == "es") return Lang::es;
  if (flag == "en") return Lang::en;
  for (const char* v : {lc_all, lc_messages, lang}) {
    if (!v || !*v) continue;  // unset or empty: the next one decides
    return std::string_view(v).substr(0, 2) == "es" ? Lang::es : Lang::en;
  }
  return Lang::en;
}

Lang detect_language(std::string_view flag) {
  return language_from(flag, std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
}

std::string format_message(std::string_view pattern, const std::string* args, size_t count) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}' && next < count) {
      out += args[next++];
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace nabla::cli
