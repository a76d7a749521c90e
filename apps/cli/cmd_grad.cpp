// `nabla grad EXPR --at NAME=VALUE,...`: every step of automatic differentiation of a formula —
// the forward pass, the backward pass with each local derivative and chain-rule product, the
// gradient and (--order 2) the Hessian — as text, as JSON, or drawn with Graphviz.
// The numbers all come from the library (nabla/expr/expr.h); this file only formats them,
// with the trace text shared with `nabla demo autodiff` (trace_format.h).
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "command.h"
#include "files.h"
#include "json_out.h"
#include "nabla/autograd/graph.h"
#include "nabla/expr/expr.h"
#include "trace_format.h"

namespace nabla::cli {
namespace grad_command {  // this file's own names (a named namespace: the command is a unity build)

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
    const std::string dot = trace_dot(ev, o.precision);
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
    std::cout << dump_json(to_json(e, ev, t), 2) << "\n";
  } else {
    print_trace(e, ev, t, o.precision, tr, std::cout);
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

}  // namespace grad_command
}  // namespace nabla::cli
