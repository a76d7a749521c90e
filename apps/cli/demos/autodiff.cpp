// `nabla demo autodiff`: notebook 002 §3's forward and backward pass, traced, drawn as a graph,
// and the notebook's hand-rounded values checked.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include <cstring>

#include "course/autodiff_seed.h"
#include "demos/demo.h"
#include "files.h"
#include "nabla/expr/expr.h"
#include "trace_format.h"

namespace nabla::cli {
namespace autodiff_demo {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kAutodiffTitle{"Automatic differentiation, step by step (notebook 002 §3)",
                                 "Diferenciación automática, paso a paso (libreta 002 §3)"};
constexpr Message kAutodiffIntro{"The same trace as:  nabla grad \"{}\" --at {}",
                                 "La misma traza que:  nabla grad \"{}\" --at {}"};
constexpr Message kAutodiffCompare{
    "The notebook's hand-worked numbers against nabla's (float64 throughout):",
    "Los números calculados a mano en el notebook frente a los de nabla (float64 en todo):"};
constexpr Message kQuantity{"quantity", "cantidad"};
constexpr Message kNotebook{"notebook", "notebook"};
constexpr Message kAgrees{"✓ agrees to the digits written", "✓ coincide en las cifras escritas"};
constexpr Message kOff{"✗ off by {}%", "✗ difiere un {}%"};
constexpr Message kAutodiffCount{"{} of {} agree to the digits written.", "{} de {} coinciden en las cifras escritas."};
constexpr Message kAutodiffDrift{
    "The others drift because the notebook rounds as it goes and keeps computing with the rounded\n"
    "numbers: it takes t = tanh(a4) ≈ {} (nabla: {}) and forms 1 − t² = {} from it,\n"
    "where the exact 1 − t² is {}. Subtracting two nearly equal numbers keeps only about 2 of the\n"
    "4 digits, and every adjoint after a4' inherits that error. Likewise σ(−8.37) = {} is\n"
    "written {}, which feeds w3', a2', w2' and x2'. Keep full precision until the end, and round\n"
    "only what you print.\n"
    "Note also ∂f/∂x1 = ∂f/∂w1 = 0 exactly: ReLU(−6.75) = 0 is on its flat side, so ReLU′ = 0 cuts\n"
    "that branch.",
    "Los demás se desvían porque el notebook redondea sobre la marcha y sigue calculando con los números\n"
    "redondeados: toma t = tanh(a4) ≈ {} (nabla: {}) y con él forma 1 − t² = {},\n"
    "cuando el 1 − t² exacto es {}. Restar dos números casi iguales conserva solo unas 2 de las 4\n"
    "cifras, y cada adjunto después de a4' hereda ese error. Del mismo modo σ(−8.37) = {} se\n"
    "escribe {}, y eso alimenta w3', a2', w2' y x2'. Hay que mantener toda la precisión hasta el\n"
    "final y redondear solo lo que se imprime.\n"
    "Nótese además que ∂f/∂x1 = ∂f/∂w1 = 0 exactamente: ReLU(−6.75) = 0 está en su lado plano, así que\n"
    "ReLU′ = 0 corta esa rama."};
constexpr Message kNoDot{"(Graphviz's dot is not installed: graph.svg was not drawn; graph.dot was written)",
                         "(no está instalado dot de Graphviz: no se dibujó graph.svg; se escribió graph.dot)"};
constexpr Message kFileDot{"the computation graph as Graphviz DOT", "el grafo de cómputo en DOT de Graphviz"};
constexpr Message kFileSvg{"the computation graph: each node's operation, value and gradient",
                           "el grafo de cómputo: la operación, el valor y el gradiente de cada nodo"};

void demo_autodiff(Run& r) {
  const expr::Expression e(demo::kSeed002Formula);
  const expr::Evaluation ev = e.evaluate(expr::parse_bindings(demo::kSeed002Values));
  const expr::Trace t = expr::trace(ev);
  r.line(r.text(kAutodiffTitle));
  r.line(r(kAutodiffIntro, demo::kSeed002Formula, demo::kSeed002Values));
  r.line();
  print_trace(e, ev, t, 4, r.tr, r.out);
  r.line();

  r.line(r.text(kAutodiffCompare));
  const std::vector<demo::SeedCheck> checks = demo::check_seed002(t);
  std::vector<std::vector<std::string>> rows{{r.text(kQuantity), r.text(kNotebook), "nabla", ""}};
  int agree = 0;
  for (const demo::SeedCheck& c : checks) {
    const std::string name = c.kind == demo::SeedQuantity::value     ? c.name
                             : c.kind == demo::SeedQuantity::adjoint ? c.name + "'"
                                                                     : "∂f/∂" + c.name;
    agree += c.agrees;
    rows.push_back(
        {name, c.written, sig(c.nabla, 8), c.agrees ? r.text(kAgrees) : r(kOff, num(100 * c.relative_error, 2))});
  }
  table(r, rows, "  ", {3});
  r.line(r(kAutodiffCount, agree, checks.size()));
  const demo::RoundingNote note = demo::seed002_rounding(t);
  r.line(r(kAutodiffDrift, num(note.t_written), fmt(note.t, 8), fmt(note.one_minus_t2_from_written, 5),
           fmt(note.one_minus_t2, 5), sig(note.s2, 5), sig(note.s2_written, 2)));
  for (size_t i = 0; i < checks.size(); ++i)
    r.numbers["checks"].push_back({{"quantity", rows[i + 1][0]},
                                   {"notebook", checks[i].written},
                                   {"nabla", checks[i].nabla},
                                   {"relative_error", checks[i].relative_error},
                                   {"agrees", checks[i].agrees}});
  r.numbers["agree"] = agree;
  r.numbers["f"] = ev.result.item();
  if (!r.pictures) return;

  std::string dot = trace_dot(ev, 4);
  if (r.tr.lang() == Lang::es) {  // the graph's node boxes say "value = " and "grad = "
    for (auto [en, es] : {std::pair{"value = ", "valor = "}, {"grad = ", "gradiente = "}})
      for (size_t at = dot.find(en); at != std::string::npos; at = dot.find(en, at + std::strlen(es)))
        dot.replace(at, std::strlen(en), es);
  }
  write_file(r.path("graph.dot"), dot);
  r.wrote("graph.dot", kFileDot);
  if (find_executable("dot").empty()) {
    r.line();
    r.line(r.text(kNoDot));
  } else {
    write_file(r.path("graph.svg"), render_svg(dot, r.tr));
    r.wrote("graph.svg", kFileSvg);
  }
}

const bool registered = register_demo(
    {"autodiff",
     {"forward and backward pass of x3·tanh(w4·σ(w3·[ReLU(w1·x1) + σ(w2·x2)])), graph as SVG, the hand values "
      "checked",
      "pasos hacia adelante y hacia atrás de x3·tanh(w4·σ(w3·[ReLU(w1·x1) + σ(w2·x2)])), grafo en SVG, valores a "
      "mano revisados"},
     {"notebook 002 §3, \"Diferenciación automática\"", "libreta 002 §3, \"Diferenciación automática\""},
     demo_autodiff,
     {},
     10});

}  // namespace autodiff_demo
}  // namespace nabla::cli
