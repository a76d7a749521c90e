// `nabla demo cost-landscape`: notebook 000's one-weight cost C(W), its critical points by autograd
// (C′ and C″), the tangent sliding along it, and gradient descent from either side of the maximum.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include "course/cost_landscape.h"

#include <algorithm>
#include <cmath>

#include "course/calculus.h"
#include "course/plots.h"
#include "demos/demo.h"
#include "trace_format.h"

namespace nabla::cli {
namespace cost_landscape_demo {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kCostTitle{"Cost landscape: looking for the minimum of the cost (notebook 000, first section)",
                             "Paisaje del costo: buscar el mínimo del costo (libreta 000, primera sección)"};
constexpr Message kCostIntro{
    "A network with a single weight W and the cost\n"
    "  C(W) = {}\n"
    "Where C′(W) = 0 the tangent is flat: those are the critical points. nabla finds them with Newton's\n"
    "method on C′ (W ← W − C′(W)/C″(W), started from {} points across [{}, {}]), and both derivatives\n"
    "come from autograd: C′ from one backward pass recorded as a graph (create_graph), C″ from\n"
    "differentiating that graph again. Nothing below uses a hand-written derivative.",
    "Una red con un solo peso W y el costo\n"
    "  C(W) = {}\n"
    "Donde C′(W) = 0 la tangente es horizontal: esos son los puntos críticos. nabla los encuentra con el\n"
    "método de Newton sobre C′ (W ← W − C′(W)/C″(W), partiendo de {} puntos repartidos en [{}, {}]),\n"
    "y ambas derivadas salen de autograd: C′ de un paso hacia atrás grabado como grafo (create_graph),\n"
    "C″ de derivar ese grafo otra vez. Nada de lo que sigue usa una derivada escrita a mano."};
constexpr Message kCostHand{
    "The notebook's hand-derived derivatives agree with autograd (largest difference over [{}, {}]):",
    "Las derivadas que el notebook calcula a mano coinciden con autograd (mayor diferencia en [{}, {}]):"};
constexpr Message kCostCritical{"Critical points on [{}, {}]:", "Puntos críticos en [{}, {}]:"};
constexpr Message kKind{"kind", "tipo"};
constexpr Message kMinimumUp{"minimum (C″ > 0: concave up)", "mínimo (C″ > 0: cóncava hacia arriba)"};
constexpr Message kMaximumDown{"maximum (C″ < 0: concave down)", "máximo (C″ < 0: cóncava hacia abajo)"};
constexpr Message kInflectionFlat{"inflection (C″ = 0, C′ keeps its sign)",
                                  "inflexión (C″ = 0, C′ no cambia de signo)"};
constexpr Message kCostLowest{
    "The lowest minimum on this window is W = {} with C = {} (the notebook marks it at (3, 1.5)).\n"
    "Careful: C is a polynomial of odd degree with a negative leading coefficient, so past the maximum at\n"
    "W = {} it falls without end (C(6) = {}). This cost has no global minimum; \"the lowest point\" only\n"
    "makes sense on a window such as [{}, {}].",
    "El mínimo más bajo en esta ventana es W = {} con C = {} (el notebook lo marca en (3, 1.5)).\n"
    "Cuidado: C es un polinomio de grado impar con coeficiente principal negativo, así que pasado el máximo\n"
    "en W = {} baja sin fin (C(6) = {}). Este costo no tiene mínimo global; \"el punto más bajo\" solo tiene\n"
    "sentido en una ventana como [{}, {}]."};
constexpr Message kCostDescent{"Gradient descent W ← W − η·C′(W), η = {}, {} steps:",
                               "Descenso por gradiente W ← W − η·C′(W), η = {}, {} pasos:"};
constexpr Message kCostDescentLine{"from W₀ = {}: W = {}, C(W) = {}, C′(W) = {}  → the {} at W = {}",
                                   "desde W₀ = {}: W = {}, C(W) = {}, C′(W) = {}  → el {} en W = {}"};
constexpr Message kMinimumWord{"minimum", "mínimo"};
constexpr Message kMaximumWord{"maximum", "máximo"};
constexpr Message kInflectionWord{"inflection", "punto de inflexión"};
const Message& kind_word(demo::CriticalKind kind) {
  return kind == demo::CriticalKind::minimum   ? kMinimumWord
         : kind == demo::CriticalKind::maximum ? kMaximumWord
                                               : kInflectionWord;
}
constexpr Message kCostDescentMoral{
    "Two starts on either side of the maximum at W = {} end in different valleys: gradient descent only\n"
    "sees the local slope, never the whole landscape.\n"
    "Near a minimum W*, each step multiplies the distance to W* by (1 − η·C″(W*)), so the steps settle\n"
    "only if η < 2/C″(W*):{}",
    "Dos inicios a cada lado del máximo en W = {} terminan en valles distintos: el descenso por gradiente\n"
    "solo ve la pendiente local, nunca el paisaje completo.\n"
    "Cerca de un mínimo W*, cada paso multiplica la distancia a W* por (1 − η·C″(W*)), así que los pasos\n"
    "se asientan solo si η < 2/C″(W*):{}"};
constexpr Message kStableLr{" η < {} at W = {};", " η < {} en W = {};"};
constexpr Message kCostAnimationNote{
    "The notebook's animation stops the tangent at W = 3 (it caps x0 at 3.0); here it runs to W = {}.",
    "La animación del notebook detiene la tangente en W = 3 (limita x0 a 3.0); aquí llega hasta W = {}."};

constexpr Message kCostPlotTitle{"C(W) and its critical points", "C(W) y sus puntos críticos"};
constexpr Message kDerivTitle{"C, C′ and C″ (autograd, second order)", "C, C′ y C″ (autograd, segundo orden)"};
constexpr Message kDescentTitle{"Gradient descent on C(W)", "Descenso por gradiente sobre C(W)"};
constexpr Message kStep{"step", "paso"};
constexpr Message kMinimumLegend{"minimum (C″ > 0)", "mínimo (C″ > 0)"};
constexpr Message kMaximumLegend{"maximum (C″ < 0)", "máximo (C″ < 0)"};
constexpr Message kInflectionLegend{"inflection", "inflexión"};
constexpr Message kDescentLegend{"W₀ = {}, η = {}", "W₀ = {}, η = {}"};
constexpr Message kTangentTitle{"Tangent at W = {}, C(W) = {}", "Tangente en W = {}, C(W) = {}"};
constexpr Message kConcaveUp{"concavity: up (minimum-like)", "concavidad: hacia arriba (como un mínimo)"};
constexpr Message kConcaveDown{"concavity: down (maximum-like)", "concavidad: hacia abajo (como un máximo)"};
constexpr Message kConcaveFlat{"concavity: flat", "concavidad: plana"};
constexpr Message kCostRises{"cost: rises as W grows", "error: aumenta al crecer W"};
constexpr Message kCostFalls{"cost: falls as W grows", "error: disminuye al crecer W"};
constexpr Message kCostStationary{"cost: stationary", "error: estacionario"};

constexpr Message kFileCost{"C(W) with its critical points", "C(W) con sus puntos críticos"};
constexpr Message kFileDerivatives{
    "C, C′ and C″ stacked: C′ = 0 at each critical point, the sign of C″ tells which kind",
    "C, C′ y C″ apilados: C′ = 0 en cada punto crítico, el signo de C″ dice de qué tipo"};
constexpr Message kFileDescent{"the gradient-descent paths, and C at each step",
                               "los caminos del descenso por gradiente, y C en cada paso"};
constexpr Message kFileTangent{"the tangent sliding along W with C′, C″ and the concavity",
                               "la tangente recorriendo W con C′, C″ y la concavidad"};

// The words on the tangent frames, shared with the concavity test of the text.
std::vector<std::string> tangent_box(const Run& r, const demo::Point& p, const std::string& var, const std::string& f) {
  const std::string prime = f.substr(0, f.find('(')), arg = "(" + var + ")";
  const demo::Concavity c = demo::concavity(p);
  const Message& concavity = c == demo::Concavity::up     ? kConcaveUp
                             : c == demo::Concavity::down ? kConcaveDown
                                                          : kConcaveFlat;
  const demo::Slope s = demo::slope(p);
  const Message& trend = s == demo::Slope::stationary ? kCostStationary
                         : s == demo::Slope::rises    ? kCostRises
                                                      : kCostFalls;
  return {prime + "′" + arg + " = " + num(p.d1, 3), prime + "″" + arg + " = " + num(p.d2, 3), r.text(concavity),
          r.text(trend)};
}

void demo_cost_landscape(Run& r) {
  using demo::CostLandscape;
  const double a = CostLandscape::from, b = CostLandscape::to;
  const demo::Function1D C(CostLandscape::formula, "W");
  const demo::CriticalOptions options;
  const demo::CriticalPoints cps = demo::critical_points(C, a, b, options);
  const demo::FormulaCheck hand = demo::compare_with_formulas(C, CostLandscape::seed_d1, CostLandscape::seed_d2, a, b);

  r.line(r.text(kCostTitle));
  r.line();
  r.line(r(kCostIntro, demo::math_notation(CostLandscape::formula), options.starts, num(a, 1), num(b, 1)));
  r.line();
  r.line(r(kCostHand, num(a, 1), num(b, 1)));
  table(r,
        {{"C′(W) = " + demo::math_notation(CostLandscape::seed_d1), "|Δ| ≤ " + fmt(hand.max_d1_error, 2)},
         {"C″(W) = " + demo::math_notation(CostLandscape::seed_d2), "|Δ| ≤ " + fmt(hand.max_d2_error, 2)}},
        "  ", {1});
  r.line();
  r.line(r(kCostCritical, num(a, 1), num(b, 1)));
  // An empty label column: every number right-aligned, the kind left-aligned.
  std::vector<std::vector<std::string>> rows{{"", "W", "C(W)", "C′(W)", "C″(W)", r.text(kKind)}};
  for (const demo::CriticalPoint& cp : cps.points) {
    const Message& kind = cp.kind == demo::CriticalKind::minimum   ? kMinimumUp
                          : cp.kind == demo::CriticalKind::maximum ? kMaximumDown
                                                                   : kInflectionFlat;
    rows.push_back({"", num(cp.point.x), num(cp.point.f), num(cp.point.d1, 1), num(cp.point.d2), r.text(kind)});
  }
  table(r, rows, "", {5});
  r.line();

  // The lowest minimum in the window, and the maximum beyond which C falls for ever.
  const demo::CriticalPoint* lowest = nullptr;
  const demo::CriticalPoint* last_max = nullptr;
  for (const demo::CriticalPoint& cp : cps.points) {
    if (cp.kind == demo::CriticalKind::minimum && (!lowest || cp.point.f < lowest->point.f)) lowest = &cp;
    if (cp.kind == demo::CriticalKind::maximum) last_max = &cp;
  }
  if (lowest && last_max)
    r.line(r(kCostLowest, num(lowest->point.x), num(lowest->point.f), num(last_max->point.x), num(C.value(6.0), 1),
             num(a, 1), num(b, 1)));
  r.line();

  // Gradient descent from either side of the maximum at 0.
  const double lr = 0.05;
  const int steps = 60;
  const std::vector<double> starts{-0.5, 0.5};
  std::vector<demo::Descent> descents;
  std::vector<std::string> names;
  r.line(r(kCostDescent, num(lr, 2), steps));
  for (double w0 : starts) {
    descents.push_back(demo::gradient_descent(C, w0, lr, steps));
    const demo::DescentStep& end = descents.back().path.back();
    const demo::CriticalPoint* near = demo::settled_at(cps, end.x, a, b);
    r.line("  " + r(kCostDescentLine, num(w0, 1), num(end.x), num(end.f), fmt(end.d1, 1),
                    r.text(near ? kind_word(near->kind) : kMinimumWord), near ? num(near->point.x) : "?"));
    names.push_back(r(kDescentLegend, num(w0, 1), num(lr, 2)));
  }
  std::string bounds;
  double max_at = 0;
  for (const demo::CriticalPoint& cp : cps.points) {
    if (cp.kind == demo::CriticalKind::minimum)
      bounds += r(kStableLr, num(demo::largest_stable_lr(cp)), num(cp.point.x));
    if (cp.kind == demo::CriticalKind::maximum && std::fabs(cp.point.x) < 1) max_at = cp.point.x;
  }
  if (!bounds.empty()) bounds.back() = '.';
  r.line(r(kCostDescentMoral, num(max_at), bounds));
  r.line();
  r.line(r(kCostAnimationNote, num(b, 1)));

  nlohmann::json& js = r.numbers;
  js["hand_derivatives_max_error"] = {{"d1", hand.max_d1_error}, {"d2", hand.max_d2_error}};
  js["critical_points"] = nlohmann::json::array();
  for (const demo::CriticalPoint& cp : cps.points) {
    const char* kind = cp.kind == demo::CriticalKind::minimum   ? "minimum"
                       : cp.kind == demo::CriticalKind::maximum ? "maximum"
                                                                : "inflection";
    nlohmann::json p{{"W", cp.point.x}, {"C", cp.point.f}, {"dC", cp.point.d1}, {"d2C", cp.point.d2}, {"kind", kind}};
    if (cp.kind == demo::CriticalKind::minimum) p["largest_stable_lr"] = demo::largest_stable_lr(cp);
    js["critical_points"].push_back(p);
  }
  js["C_at_6"] = C.value(6.0);
  js["descents"] = nlohmann::json::array();
  for (size_t i = 0; i < descents.size(); ++i) {
    const demo::DescentStep& end = descents[i].path.back();
    js["descents"].push_back({{"W0", starts[i]}, {"lr", lr}, {"steps", steps}, {"W", end.x}, {"C", end.f}});
  }
  if (!r.pictures) return;

  // ---- pictures ----
  demo::FunctionPlotText text;
  text.title = r.text(kCostPlotTitle);
  text.variable = "W";
  text.f = "C(W)";
  text.d1 = "C′(W)";
  text.d2 = "C″(W)";
  text.minimum = r.text(kMinimumLegend);
  text.maximum = r.text(kMaximumLegend);
  text.inflection = r.text(kInflectionLegend);
  text.derivatives_title = r.text(kDerivTitle);
  text.descent_title = r.text(kDescentTitle);
  text.step = r.text(kStep);
  text.ylim = std::pair{CostLandscape::ymin, CostLandscape::ymax};
  const std::vector<demo::Point> curve = C.sample(a, b, 400);

  demo::function_plot(curve, cps, text).save_png(r.path("cost.png"));
  r.wrote("cost.png", kFileCost);
  demo::derivatives_figure(curve, cps, text).save_png(r.path("derivatives.png"));
  r.wrote("derivatives.png", kFileDerivatives);
  demo::descent_figure(curve, descents, names, text).save_png(r.path("descent.png"));
  r.wrote("descent.png", kFileDescent);

  // The notebook's frames went W = −3.5, −3.45, ...; every other one keeps the GIF small.
  const std::vector<demo::Point> frames = C.sample(a, b, 76);
  demo::tangent_animation(
      curve, cps, frames, text, [&](const demo::Point& p) { return tangent_box(r, p, "W", "C(W)"); },
      [&](const demo::Point& p) { return r(kTangentTitle, num(p.x, 2), num(p.f, 2)); })
      .delay_ms(80)
      .save_gif(r.path("tangent.gif"));
  r.wrote("tangent.gif", kFileTangent);
}

const bool registered = register_demo(
    {"cost-landscape",
     {"critical points of a one-weight cost C(W) by autograd (C′, C″), the tangent line, gradient descent",
      "puntos críticos de un costo de un peso C(W) con autograd (C′, C″), la recta tangente, descenso por "
      "gradiente"},
     {"notebook 000, \"Intuición: buscar el mínimo del costo\"",
      "libreta 000, \"Intuición: buscar el mínimo del costo\""},
     demo_cost_landscape,
     {},
     1});

}  // namespace cost_landscape_demo
}  // namespace nabla::cli
