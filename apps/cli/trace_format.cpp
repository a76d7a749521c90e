#include "trace_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "nabla/autograd/graph.h"

namespace nabla::cli {

namespace {

constexpr Message kAt{"at {}", "en {}"};
constexpr Message kForward{"Forward pass (evaluation order):", "Paso hacia adelante (orden de evaluación):"};
constexpr Message kNoSteps{"  (no operations: f = {})", "  (no hay operaciones: f = {})"};
constexpr Message kBackward{"Backward pass (reverse order, from {}' = ∂f/∂f = 1):",
                            "Paso hacia atrás (orden inverso, desde {}' = ∂f/∂f = 1):"};
constexpr Message kBackwardNote{"  (u' = ∂f/∂u; ∂n/∂u is the local derivative, from node n's own backward function)",
                                "  (u' = ∂f/∂u; ∂n/∂u es la derivada local, de la función hacia atrás del nodo n)"};
constexpr Message kGradient{"Gradient:", "Gradiente:"};
constexpr Message kPaths{"(sum over {} paths)", "(suma de {} caminos)"};
constexpr Message kNoVariables{"  (no variables: the formula is a constant)",
                               "  (sin variables: la fórmula es una constante)"};
constexpr Message kHessian{"Hessian (row i, column j: ∂²f/∂vi∂vj):", "Hessiana (fila i, columna j: ∂²f/∂vi∂vj):"};

}  // namespace

std::string fmt(double v, int digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  char buf[64];
  const double a = std::fabs(v);
  if (a >= 0.01 && a < 1e6)
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  else
    std::snprintf(buf, sizeof buf, "%.*e", std::max(digits - 1, 0), v);
  return buf;
}

std::string factor(double v, int digits) {
  std::string s = fmt(v, digits);
  return s[0] == '-' ? "(" + s + ")" : s;
}

std::string exact(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, size_t w) { return s + std::string(w > width(s) ? w - width(s) : 0, ' '); }
std::string pad_left(const std::string& s, size_t w) { return std::string(w > width(s) ? w - width(s) : 0, ' ') + s; }

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string num(double v, int d) { return fmt(std::fabs(v) < 1e-12 ? 0.0 : v, d); }

std::vector<std::string> table_lines(const std::vector<std::vector<std::string>>& rows, const std::vector<size_t>& left,
                                     const std::string& indent, const std::string& gap) {
  std::vector<size_t> w;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      if (w.size() <= c) w.push_back(0);
      w[c] = std::max(w[c], width(row[c]));
    }
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string s = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      const bool text = std::find(left.begin(), left.end(), c) != left.end();
      s += (c ? gap : "") + (text ? pad(row[c], w[c]) : pad_left(row[c], w[c]));
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    lines.push_back(std::move(s));
  }
  return lines;
}

void print_trace(const expr::Expression& e, const expr::Evaluation& ev, const expr::Trace& t, int d,
                 const Translator& tr, std::ostream& out) {
  std::vector<std::string> names, values;
  for (const expr::Variable& v : ev.variables) {
    names.push_back(v.name);
    values.push_back(v.name + " = " + exact(v.tensor.item()));
  }
  out << "f(" << join(names, ", ") << ") = " << e.to_string() << "\n";
  if (!values.empty()) out << tr(kAt, join(values, ", ")) << "\n";

  // Forward: each step with its formula, the formula with the values put in, and the result.
  out << "\n" << tr(kForward) << "\n";
  const size_t num = std::to_string(ev.steps.size()).size();
  for (size_t i = 0; i < ev.steps.size(); ++i) {
    const expr::Step& s = ev.steps[i];
    std::string with_values =
        s.render([&](const expr::Operand& op) { return op.constant ? op.text : fmt(op.value, d); });
    out << "  " << pad_left(std::to_string(i + 1), num) << ". " << s.name << " = " << s.formula() << " = "
        << with_values << " = " << fmt(s.value.item(), d) << "\n";
  }
  if (ev.steps.empty()) out << tr(kNoSteps, ev.result_name + " = " + fmt(t.value, d)) << "\n";

  // Backward: nodes last first, each with its adjoint and what it sends to each input.
  if (!t.nodes.empty()) {
    out << "\n" << tr(kBackward, t.nodes.back().name) << "\n" << tr(kBackwardNote) << "\n";
    std::map<std::string, int> arrivals;  // inputs reached by several edges show "+="
    for (const expr::NodeTrace& n : t.nodes)
      for (const expr::EdgeTrace& edge : n.edges) arrivals[edge.input]++;
    size_t head = 0;
    for (const expr::NodeTrace& n : t.nodes) head = std::max(head, width(n.name + " = " + n.formula));
    const size_t count = t.nodes.size();
    for (size_t k = 0; k < count; ++k) {
      const expr::NodeTrace& n = t.nodes[count - 1 - k];
      out << "  " << pad_left(std::to_string(k + 1), num) << ". " << pad(n.name + " = " + n.formula, head) << "   "
          << n.name << "' = " << fmt(n.adjoint, d) << "\n";
      for (const expr::EdgeTrace& edge : n.edges) {
        out << "  " << std::string(num + 2, ' ') << "  " << edge.input << (arrivals[edge.input] > 1 ? "' += " : "' = ")
            << n.name << "' · ∂" << n.name << "/∂" << edge.input << " = " << factor(n.adjoint, d) << " · "
            << factor(edge.local, d) << " = " << fmt(edge.product, d) << "\n";
      }
    }
  }

  out << "\n" << tr(kGradient) << "\n";
  if (t.variables.empty()) out << tr(kNoVariables) << "\n";
  for (const expr::VariableTrace& v : t.variables) {
    out << "  ∂f/∂" << v.name << " = ";
    if (v.contributions.size() > 1) {
      std::vector<std::string> terms;
      for (double c : v.contributions) terms.push_back(factor(c, d));
      out << join(terms, " + ") << " = " << fmt(v.gradient, d) << "   " << tr(kPaths, v.contributions.size());
    } else {
      out << fmt(v.gradient, d);
    }
    out << "\n";
  }

  if (!t.hessian.empty()) {
    out << "\n" << tr(kHessian) << "\n";
    size_t w = 0;
    for (const auto& name : names) w = std::max(w, width(name));
    for (const auto& row : t.hessian)
      for (double h : row) w = std::max(w, width(fmt(h, d)));
    size_t label = 0;
    for (const auto& name : names) label = std::max(label, width(name));
    out << "  " << std::string(label, ' ');
    for (const auto& name : names) out << "  " << pad_left(name, w);
    out << "\n";
    for (size_t i = 0; i < t.hessian.size(); ++i) {
      out << "  " << pad(names[i], label);
      for (double h : t.hessian[i]) out << "  " << pad_left(fmt(h, d), w);
      out << "\n";
    }
  }
}

std::string trace_dot(const expr::Evaluation& ev, int digits) {
  autograd::DotOptions dot_options;
  dot_options.precision = std::max(digits, 4);
  for (const expr::Step& s : ev.steps) dot_options.labels[s.node()] = s.name + " = " + s.formula();
  for (const auto& [node, name] : ev.labels)
    if (node->is_leaf_accumulator()) dot_options.labels[node] = name;
  return autograd::to_dot(ev.result, dot_options);
}

}  // namespace nabla::cli
