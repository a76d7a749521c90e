#include "course/autodiff_seed.h"

#include <cmath>
#include <cstdlib>

#include "nabla/error.h"

namespace nabla::demo {

namespace {

struct Written {
  const char* name;
  SeedQuantity kind;
  const char* text;
};

// Seed 002 §3, in the order the notebook wrote them: (α) the forward pass, (δ) the backward
// pass (adjoints u' = ∂f/∂u) and the summary of ∂f/∂(inputs).
constexpr Written kWritten[] = {
    {"a1", SeedQuantity::value, "-6.75"},         {"r1", SeedQuantity::value, "0"},
    {"a2", SeedQuantity::value, "-8.37"},         {"s2", SeedQuantity::value, "0.00023"},
    {"b1", SeedQuantity::value, "0.00023"},       {"a3", SeedQuantity::value, "0.000046"},
    {"s3", SeedQuantity::value, "0.5000115"},     {"a4", SeedQuantity::value, "-2.5000579"},
    {"t4", SeedQuantity::value, "-0.9866"},       {"f", SeedQuantity::value, "-7.202"},
    {"t4", SeedQuantity::adjoint, "7.3"},         {"a4", SeedQuantity::adjoint, "0.1943"},
    {"s3", SeedQuantity::adjoint, "-0.9715"},     {"a3", SeedQuantity::adjoint, "-0.2428"},
    {"b1", SeedQuantity::adjoint, "-0.04856"},    {"r1", SeedQuantity::adjoint, "-0.04856"},
    {"s2", SeedQuantity::adjoint, "-0.04856"},    {"a2", SeedQuantity::adjoint, "-0.0000111"},
    {"a1", SeedQuantity::adjoint, "0"},           {"x1", SeedQuantity::gradient, "0"},
    {"x2", SeedQuantity::gradient, "0.00002997"}, {"x3", SeedQuantity::gradient, "-0.9866"},
    {"w1", SeedQuantity::gradient, "0"},          {"w2", SeedQuantity::gradient, "-0.00003441"},
    {"w3", SeedQuantity::gradient, "-0.0000558"}, {"w4", SeedQuantity::gradient, "0.0971"},
};

// One unit of the last digit written: "0.1943" → 0.0001; "0" → 0 (an exact zero).
double last_digit_unit(const std::string& text) {
  const size_t dot = text.find('.');
  if (dot == std::string::npos) return text == "0" || text == "-0" ? 0.0 : 1.0;
  return std::pow(10.0, -static_cast<double>(text.size() - dot - 1));
}

const expr::NodeTrace* find_node(const expr::Trace& t, const std::string& name) {
  for (const expr::NodeTrace& n : t.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

double lookup(const expr::Trace& t, const std::string& name, SeedQuantity kind) {
  if (kind == SeedQuantity::gradient) {
    for (const expr::VariableTrace& v : t.variables)
      if (v.name == name) return v.gradient;
  } else if (const expr::NodeTrace* n = find_node(t, name)) {
    return kind == SeedQuantity::value ? n->value : n->adjoint;
  }
  throw ValueError("check_seed002: the trace has no '" + name + "'; is it the trace of the seed-002 formula?");
}

}  // namespace

std::vector<SeedCheck> check_seed002(const expr::Trace& trace) {
  std::vector<SeedCheck> out;
  for (const Written& w : kWritten) {
    SeedCheck c;
    c.name = w.name;
    c.kind = w.kind;
    c.written = w.text;
    c.seed = std::strtod(w.text, nullptr);
    c.nabla = lookup(trace, w.name, w.kind);
    const double diff = std::fabs(c.seed - c.nabla);
    // 1.01: the written decimal and nabla's double are both rounded to binary.
    c.agrees = diff <= 1.01 * last_digit_unit(c.written) + 1e-15;
    c.relative_error = c.nabla != 0 ? diff / std::fabs(c.nabla) : (diff == 0 ? 0.0 : INFINITY);
    out.push_back(c);
  }
  return out;
}

RoundingNote seed002_rounding(const expr::Trace& trace) {
  RoundingNote r;
  r.t = lookup(trace, "t4", SeedQuantity::value);
  r.one_minus_t2 = 1 - r.t * r.t;
  r.one_minus_t2_from_written = 1 - r.t_written * r.t_written;
  r.s2 = lookup(trace, "s2", SeedQuantity::value);
  return r;
}

}  // namespace nabla::demo
