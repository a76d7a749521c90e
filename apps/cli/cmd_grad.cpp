// `nabla grad EXPR --at NAME=VALUE,...`: every step of automatic differentiation of a formula —
// the forward pass, the backward pass with each local derivative and chain-rule product, the
// gradient and (--order 2) the Hessian — as text, as JSON, or drawn with Graphviz.
// The numbers all come from the library (nabla/autograd/expr.h); this file only formats them.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "command.h"
#include "files.h"
#include "nabla/autograd/expr.h"
#include "nabla/autograd/graph.h"

namespace nabla::cli {
namespace {

constexpr Message kDescription{"Differentiate a formula, showing every step of automatic differentiation",
                               "Deriva una fórmula mostrando cada paso de la diferenciación automática"};
constexpr Message kExpressionHelp{
    "The formula, e.g. \"x3*tanh(w4*sigmoid(w3*x1))\": numbers, variables, + - * / ^, parentheses and "
    "sigmoid tanh relu leaky_relu elu gelu silu softplus step exp log sqrt abs sin cos min max",
    "La fórmula, p. ej. \"x3*tanh(w4*sigmoid(w3*x1))\": números, variables, + - * / ^, paréntesis y "
    "sigmoid tanh relu leaky_relu elu gelu silu softplus step exp log sqrt abs sin cos min max"};
constexpr Message kAtHelp{"Values of the variables: NAME=VALUE,... (may be repeated)",
                          "Valores de las variables: NOMBRE=VALOR,... (se puede repetir)"};
constexpr Message kOrderHelp{"1: the gradient; 2: also the Hessian matrix (second-order autograd)",
                             "1: el gradiente; 2: también la matriz hessiana (autograd de segundo orden)"};
constexpr Message kJsonHelp{"Print one JSON object with full double precision instead of the trace",
                            "Imprime un solo objeto JSON con doble precisión completa en lugar de la traza"};
constexpr Message kDotHelp{"Write the computation graph to FILE as Graphviz DOT",
                           "Escribe el grafo de cómputo en ARCHIVO en formato DOT de Graphviz"};
constexpr Message kSvgHelp{"Draw the computation graph into FILE as SVG (runs Graphviz's dot)",
                           "Dibuja el grafo de cómputo en ARCHIVO como SVG (ejecuta dot de Graphviz)"};
constexpr Message kPrecisionHelp{"Digits after the decimal point in the trace (1-17)",
                                 "Dígitos tras el punto decimal en la traza (1-17)"};
constexpr Message kFooter{
    "Example: nabla grad \"x3*tanh(w4*x1)\" --at x1=-1.5,x3=7.3,w4=-5\n"
    "A formula that starts with '-' can also go after '--': nabla grad --at x=2 -- \"-x^2\"",
    "Ejemplo: nabla grad \"x3*tanh(w4*x1)\" --at x1=-1.5,x3=7.3,w4=-5\n"
    "Una fórmula que empieza con '-' también puede ir después de '--': nabla grad --at x=2 -- \"-x^2\""};

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
constexpr Message kWroteDot{"wrote the graph (DOT) to {}", "grafo (DOT) escrito en {}"};
constexpr Message kWroteSvg{"drew the graph (SVG) into {}", "grafo (SVG) dibujado en {}"};

struct Options {
  std::string expression;
  std::vector<std::string> at;
  int order = 1;
  bool json = false;
  std::string dot, svg;
  int precision = 4;
};

// ---- number formats ----

// For reading: `digits` decimals, as hand-worked traces write them (0.1943 · 0.5000 = 0.0971);
// scientific where that would hide the digits (2.997e-05). Exactly zero prints as 0.
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

// A factor in a product: negatives in brackets, 0.1943 · (-5.0000).
std::string factor(double v, int digits) {
  std::string s = fmt(v, digits);
  return s[0] == '-' ? "(" + s + ")" : s;
}

// The shortest text that reads back as the same double (for the values given with --at).
std::string exact(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

// Width on a terminal: UTF-8 code points (·, ∂ are one column each).
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

// ---- text ----

void print_text(const expr::Expression& e, const expr::Evaluation& ev, const expr::Trace& t, const Options& o,
                const Translator& tr, std::ostream& out) {
  const int d = o.precision;
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

// ---- JSON (full precision: nlohmann writes the shortest text that reads back the same double) ----

nlohmann::ordered_json to_json(const expr::Expression& e, const expr::Evaluation& ev, const expr::Trace& t) {
  nlohmann::ordered_json j;
  j["expression"] = e.to_string();
  j["value"] = t.value;
  j["grad"] = nlohmann::ordered_json::object();
  for (const expr::VariableTrace& v : t.variables) j["grad"][v.name] = v.gradient;
  if (!t.hessian.empty()) {
    j["hessian"] = nlohmann::ordered_json::object();
    for (size_t r = 0; r < t.variables.size(); ++r)
      for (size_t c = 0; c < t.variables.size(); ++c)
        j["hessian"][t.variables[r].name][t.variables[c].name] = t.hessian[r][c];
  }
  auto nodes = nlohmann::ordered_json::array();
  for (const expr::VariableTrace& v : t.variables)
    nodes.push_back({{"id", v.name}, {"op", "leaf"}, {"value", v.value}, {"adjoint", v.gradient}});
  for (const expr::NodeTrace& n : t.nodes) {
    nlohmann::ordered_json node{{"id", n.name}, {"op", n.op}, {"formula", n.formula}};
    node["inputs"] = nlohmann::ordered_json::array();
    node["local"] = nlohmann::ordered_json::array();
    for (const expr::EdgeTrace& edge : n.edges) {
      node["inputs"].push_back(edge.input);
      node["local"].push_back(edge.local);
    }
    node["value"] = n.value;
    node["adjoint"] = n.adjoint;
    nodes.push_back(std::move(node));
  }
  if (ev.steps.empty() && t.variables.empty())
    nodes.push_back({{"id", ev.result_name}, {"op", "constant"}, {"value", t.value}});
  j["nodes"] = std::move(nodes);
  return j;
}

int run(const Options& o, const Context& ctx) {
  const Translator& tr = ctx.tr;
  // Fail before any work (and any file) when the SVG cannot be drawn.
  if (!o.svg.empty() && find_executable("dot").empty()) render_svg("", tr);

  const expr::Expression e(o.expression);
  const expr::Evaluation ev = e.evaluate(expr::parse_bindings(join(o.at, ",")));
  const expr::Trace t = expr::trace(ev, o.order >= 2);

  std::vector<std::string> notes;
  if (!o.dot.empty() || !o.svg.empty()) {
    autograd::DotOptions dot_options;
    dot_options.precision = std::max(o.precision, 4);
    for (const expr::Step& s : ev.steps) dot_options.labels[s.node()] = s.name + " = " + s.formula();
    for (const auto& [node, name] : ev.labels)
      if (node->is_leaf_accumulator()) dot_options.labels[node] = name;
    const std::string dot = autograd::to_dot(ev.result, dot_options);
    if (!o.dot.empty()) {
      write_file(o.dot, dot);
      notes.push_back(tr(kWroteDot, o.dot));
    }
    if (!o.svg.empty()) {
      write_file(o.svg, render_svg(dot, tr));
      notes.push_back(tr(kWroteSvg, o.svg));
    }
  }

  if (o.json) {
    std::cout << to_json(e, ev, t).dump(2) << "\n";
  } else {
    print_text(e, ev, t, o, tr, std::cout);
    if (!notes.empty()) std::cout << "\n";
    for (const std::string& note : notes) std::cout << note << "\n";
  }
  std::cout.flush();
  return 0;
}

Action setup(CLI::App& app, const Context& ctx) {
  const Translator& tr = ctx.tr;
  auto o = std::make_shared<Options>();
  app.add_option("expression", o->expression, std::string(tr.text(kExpressionHelp)))->required();
  app.add_option("--at", o->at, std::string(tr.text(kAtHelp)))
      ->type_name("NAME=VALUE,...")
      ->allow_extra_args(false);  // one value per --at, so that the formula after it stays positional
  app.add_option("--order", o->order, std::string(tr.text(kOrderHelp)))->check(CLI::Range(1, 2))->capture_default_str();
  app.add_flag("--json", o->json, std::string(tr.text(kJsonHelp)));
  app.add_option("--dot", o->dot, std::string(tr.text(kDotHelp)))->type_name("FILE");
  app.add_option("--svg", o->svg, std::string(tr.text(kSvgHelp)))->type_name("FILE");
  app.add_option("--precision", o->precision, std::string(tr.text(kPrecisionHelp)))
      ->check(CLI::Range(1, 17))
      ->capture_default_str();
  app.footer(std::string(tr.text(kFooter)));
  return [o](const Context& c) { return run(*o, c); };
}

const bool registered = register_subcommand({"grad", kDescription, setup});

}  // namespace
}  // namespace nabla::cli
