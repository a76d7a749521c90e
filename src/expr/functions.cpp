// The formula language's functions, one row each (expr_internal.h: FunctionInfo), and its atoms.
#include <charconv>

#include "expr_internal.h"
#include "nabla/ops/ops.h"

namespace nabla::expr {

// NOTE: the optional second argument of leaky_relu and elu is an attribute of the op (a double,
// its slope / alpha), not a graph input: the parser rejects one with variables.
constexpr FunctionInfo kFunctions[] = {
    {"sigmoid", 1, 1, "s", [](const CallArgs& a) { return sigmoid(a.x[0]); }},
    {"tanh", 1, 1, "t", [](const CallArgs& a) { return tanh(a.x[0]); }},
    {"relu", 1, 1, "r", [](const CallArgs& a) { return relu(a.x[0]); }},
    {"leaky_relu", 1, 2, "lr",
     [](const CallArgs& a) { return a.x.size() > 1 ? leaky_relu(a.x[0], a.value[1]) : leaky_relu(a.x[0]); }},
    {"elu", 1, 2, "el", [](const CallArgs& a) { return a.x.size() > 1 ? elu(a.x[0], a.value[1]) : elu(a.x[0]); }},
    {"gelu", 1, 1, "g", [](const CallArgs& a) { return gelu(a.x[0]); }},
    {"silu", 1, 1, "si", [](const CallArgs& a) { return silu(a.x[0]); }},
    {"softplus", 1, 1, "sp", [](const CallArgs& a) { return softplus(a.x[0]); }},
    {"step", 1, 1, "h", [](const CallArgs& a) { return step(a.x[0]); }},
    {"exp", 1, 1, "e", [](const CallArgs& a) { return exp(a.x[0]); }},
    {"log", 1, 1, "ln", [](const CallArgs& a) { return log(a.x[0]); }},
    {"sqrt", 1, 1, "rt", [](const CallArgs& a) { return sqrt(a.x[0]); }},
    {"abs", 1, 1, "ab", [](const CallArgs& a) { return abs(a.x[0]); }},
    {"sin", 1, 1, "sn", [](const CallArgs& a) { return sin(a.x[0]); }},
    {"cos", 1, 1, "cs", [](const CallArgs& a) { return cos(a.x[0]); }},
    {"min", 2, 2, "mn", [](const CallArgs& a) { return minimum(a.x[0], a.x[1]); }},
    {"max", 2, 2, "mx", [](const CallArgs& a) { return maximum(a.x[0], a.x[1]); }},
};

const FunctionInfo* find_function(std::string_view name) {
  for (const FunctionInfo& f : kFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

std::string function_list() {
  std::string out;
  for (const FunctionInfo& f : kFunctions) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

bool is_atom(const std::string& s) {
  if (s.empty()) return false;
  if (is_name_start(s[0])) {
    for (char c : s)
      if (!is_name_char(c)) return false;
    return true;
  }
  if (!is_digit(s[0]) && s[0] != '.') return false;
  double v;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace nabla::expr
