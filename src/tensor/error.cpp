// The out-of-line part of nabla/error.h: the string stream behind detail::concat (NABLA_CHECK's
// message), kept here so that the header needs only <ostream>.
#include "nabla/error.h"

#include <sstream>

namespace nabla::detail {

std::string stream_to_string(void (*write)(std::ostream& out, const void* context), const void* context) {
  std::ostringstream out;
  write(out, context);
  return std::move(out).str();
}

}  // namespace nabla::detail
