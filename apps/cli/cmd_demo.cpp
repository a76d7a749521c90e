// `nabla demo NAME [--out DIR]` and `nabla demo --list`: the course notebooks' experiments, each
// told as a teacher would tell it at that point, with the numbers, and drawn into DIR
// (default demo-<name>/). Where a notebook's code or arithmetic is wrong, the demo says so, with the
// right value. The numbers come from the library (nabla/demo/, nabla/autograd/expr.h); this
// file picks the words (English or Spanish) and lays out text and pictures.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.h"
#include "demos/demo.h"
#include "files.h"
#include "json_out.h"
#include "nabla/autograd/expr.h"
#include "nabla/demo/autodiff_seed.h"
#include "nabla/demo/calculus.h"
#include "nabla/demo/chain_rule.h"
#include "nabla/demo/cost_landscape.h"
#include "nabla/demo/dense_configs.h"
#include "nabla/demo/neuron_step.h"
#include "nabla/demo/plots.h"
#include "nabla/demo/threshold_net.h"
#include "nabla/demo/training.h"
#include "nabla/error.h"
#include "nabla/train/config.h"
#include "nabla/viz/viz.h"
#include "trace_format.h"

namespace nabla::cli {
namespace {

constexpr Message kDescription{"Run one of the course notebooks' experiments, explained, with pictures",
                               "Ejecuta uno de los experimentos de las libretas del curso, explicado y con imágenes"};
constexpr Message kNameHelp{"The demo to run (see --list)", "La demostración a ejecutar (ver --list)"};
constexpr Message kListHelp{"List the demos: name, what it shows, the notebook section it comes from",
                            "Lista las demostraciones: nombre, qué muestra y la sección de la libreta de la que viene"};
constexpr Message kOutHelp{"Directory for the pictures (default: demo-<name>)",
                           "Directorio para las imágenes (por omisión: demo-<nombre>)"};
constexpr Message kJsonHelp{
    "Print only the demo's key numbers, at full precision, as one JSON object {\"demo\": NAME, \"numbers\": {...}}; "
    "no text, and no pictures unless --out is also given",
    "Imprime solo los números clave de la demostración, con toda su precisión, como un objeto JSON "
    "{\"demo\": NOMBRE, \"numbers\": {...}}; sin texto, y sin imágenes salvo que también se dé --out"};
constexpr Message kConfigHelp{
    "Training demos: run this configuration instead of the one in examples/ (once per configuration the demo uses)",
    "Demostraciones con entrenamiento: usa esta configuración en lugar de la de examples/ (una por cada configuración "
    "de la demostración)"};
constexpr Message kSetHelp{
    "Training demos: override a configuration value, e.g. --set train.epochs=200 (repeatable)",
    "Demostraciones con entrenamiento: cambia un valor de la configuración, p. ej. --set train.epochs=200 (repetible)"};
constexpr Message kFooter{
    "Example: nabla demo cost-landscape --lang es --out /tmp/costo\n"
    "Training demos run the configurations in examples/; edit a copy and rerun with --config, e.g.\n"
    "  nabla demo xor --config my_xor.toml      nabla demo xor --set optim.lr=2",
    "Ejemplo: nabla demo cost-landscape --lang es --out /tmp/costo\n"
    "Las demostraciones con entrenamiento usan las configuraciones de examples/; edita una copia y vuelve a\n"
    "ejecutar con --config, p. ej.\n"
    "  nabla demo xor --config mi_xor.toml      nabla demo xor --set optim.lr=2"};
constexpr Message kNoConfigs{
    "the demo {} runs no configuration file (what it computes is fixed, and its text says where it comes from), "
    "so it takes no --config or --set",
    "la demostración {} no usa ningún archivo de configuración (lo que calcula está fijo, y su texto dice de dónde "
    "viene), así que no admite --config ni --set"};
constexpr Message kConfigCount{"the demo {} runs {} configuration(s) ({}); --config was given {} time(s)",
                               "la demostración {} usa {} configuración(es) ({}); se dio --config {} vez/veces"};
constexpr Message kNoName{"name a demo, or use --list to see them: {}",
                          "indica una demostración, o usa --list para verlas: {}"};
constexpr Message kUnknown{"there is no demo '{}'; the demos are: {}", "no existe la demostración '{}'; las hay: {}"};
constexpr Message kPictures{"Pictures in {}:", "Imágenes en {}:"};
constexpr Message kFrom{"from {}", "de {}"};

// ============================== 1. cost-landscape (notebook 000) ==============================

constexpr Message kCostTitle{"Cost landscape: looking for the minimum of the cost (notebook 000, first section)",
                             "Paisaje del costo: buscar el mínimo del costo (libreta 000, primera sección)"};
constexpr Message kCostIntro{
    "A network with a single weight W and the cost\n"
    "  C(W) = −0.07968·W⁵ + 0.48721·W⁴ + 0.28001·W³ − 4.65127·W² + 15.7\n"
    "Where C′(W) = 0 the tangent is flat: those are the critical points. nabla finds them with Newton's\n"
    "method on C′ (W ← W − C′(W)/C″(W), started from {} points across [{}, {}]), and both derivatives\n"
    "come from autograd: C′ from one backward pass recorded as a graph (create_graph), C″ from\n"
    "differentiating that graph again. Nothing below uses a hand-written derivative.",
    "Una red con un solo peso W y el costo\n"
    "  C(W) = −0.07968·W⁵ + 0.48721·W⁴ + 0.28001·W³ − 4.65127·W² + 15.7\n"
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
  const Message& concavity = p.d2 > 0 ? kConcaveUp : p.d2 < 0 ? kConcaveDown : kConcaveFlat;
  const Message& trend = std::fabs(p.d1) < 1e-3 ? kCostStationary : p.d1 > 0 ? kCostRises : kCostFalls;
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
  r.line(r(kCostIntro, options.starts, num(a, 1), num(b, 1)));
  r.line();
  r.line(r(kCostHand, num(a, 1), num(b, 1)));
  r.line("  C′(W) = −0.3984·W⁴ + 1.94884·W³ + 0.84003·W² − 9.30254·W      |Δ| ≤ " + fmt(hand.max_d1_error, 2));
  r.line("  C″(W) = −1.5936·W³ + 5.84652·W² + 1.68006·W − 9.30254         |Δ| ≤ " + fmt(hand.max_d2_error, 2));
  r.line();
  r.line(r(kCostCritical, num(a, 1), num(b, 1)));
  std::vector<std::vector<std::string>> rows{{"W", "C(W)", "C′(W)", "C″(W)", "  " + r.text(kKind)}};
  for (const demo::CriticalPoint& cp : cps.points) {
    const Message& kind = cp.kind == demo::CriticalKind::minimum   ? kMinimumUp
                          : cp.kind == demo::CriticalKind::maximum ? kMaximumDown
                                                                   : kInflectionFlat;
    rows.push_back({num(cp.point.x), num(cp.point.f), num(cp.point.d1, 1), num(cp.point.d2), "  " + r.text(kind)});
  }
  // Right-align the numbers, left-align the kind: print the kind column by hand.
  {
    std::vector<size_t> w(4, 0);
    for (const auto& row : rows)
      for (size_t c = 0; c < 4; ++c) w[c] = std::max(w[c], width(row[c]));
    for (const auto& row : rows) {
      std::string s = "  ";
      for (size_t c = 0; c < 4; ++c) s += pad_left(row[c], w[c] + (c ? 3 : 0));
      r.line(s + row[4]);
    }
  }
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
    // The critical point it settled at (the nearest one).
    const demo::CriticalPoint* near = nullptr;
    for (const demo::CriticalPoint& cp : cps.points)
      if (!near || std::fabs(cp.point.x - end.x) < std::fabs(near->point.x - end.x)) near = &cp;
    r.line("  " + r(kCostDescentLine, num(w0, 1), num(end.x), num(end.f), fmt(end.d1, 1), r.text(kMinimumWord),
                    near ? num(near->point.x) : "?"));
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

// ============================== 2. chain-rule (notebooks 000, 001) ==============================

constexpr Message kChainTitle{
    "The chain rule (notebook 000 §2, notebook 001 \"Concepto previo\" and its first cell)",
    "La regla de la cadena (libreta 000 §2, libreta 001 \"Concepto previo\" y su primera celda)"};
constexpr Message kChainPart1{
    "1. y = σ(x), z = y², C = ½(z − t)² with t = {} (notebook 000's simulation). C depends on x only through z\n"
    "   and y, so the chain rule multiplies the local derivatives:\n"
    "     dC/dx = dC/dz · dz/dy · dy/dx = (z − t) · 2y · y(1 − y)",
    "1. y = σ(x), z = y², C = ½(z − t)² con t = {} (la simulación de la libreta 000). C depende de x solo a\n"
    "   través de z e y, así que la regla de la cadena multiplica las derivadas locales:\n"
    "     dC/dx = dC/dz · dz/dy · dy/dx = (z − t) · 2y · y(1 − y)"};
constexpr Message kProduct{"product", "producto"};
constexpr Message kChainAgree{
    "   The notebook's formulas and autograd agree at every x (largest difference: {}). Autograd found each local\n"
    "   derivative by grad() of one node with respect to its input (∂z/∂y = grad(z, y)), and ∂C/∂x by one\n"
    "   backward pass from C.",
    "   Las fórmulas de la libreta y autograd coinciden en cada x (mayor diferencia: {}). Autograd obtuvo\n"
    "   cada derivada local con grad() de un nodo respecto de su entrada (∂z/∂y = grad(z, y)), y ∂C/∂x con un\n"
    "   solo paso hacia atrás desde C."};
constexpr Message kChainRead{
    "   Reading the table: at x = {} the sigmoid is saturated, dy/dx = {},\n"
    "   so dC/dx = {} however far z is from t: a vanishing gradient.\n"
    "   At x = {} (y = √t, z = t) dC/dz = 0, so the whole product is 0: C has its minimum there, C = 0.",
    "   Cómo leer la tabla: en x = {} la sigmoide está saturada, dy/dx = {},\n"
    "   así que dC/dx = {} por lejos que esté z de t: un gradiente que se desvanece.\n"
    "   En x = {} (y = √t, z = t) dC/dz = 0, así que todo el producto es 0: ahí C tiene su mínimo, C = 0."};
constexpr Message kChainPart2{
    "2. f(x) = (3x + 2)² (notebook 001): u = g(x) = 3x + 2 and f = u², so\n"
    "     df/dx = df/du · du/dx = 2u · 3 = 6(3x + 2)",
    "2. f(x) = (3x + 2)² (libreta 001): u = g(x) = 3x + 2 y f = u², así que\n"
    "     df/dx = df/du · du/dx = 2u · 3 = 6(3x + 2)"};
constexpr Message kChainPart2Ok{
    "   The notebook's result is right: the chain, 6(3x + 2) and autograd agree at every x.",
    "   El resultado de la libreta es correcto: la cadena, 6(3x + 2) y autograd coinciden en cada x."};
constexpr Message kChainPart3{
    "3. Notebook 001's first cell: one step on a neuron a = σ(x·W + b), x = {}, W = {}, b = {}, y = {}, lr = {}.\n"
    "   z = {}, a = σ(z) = {}, da/dz = a(1 − a) = {}, dz/dW = x = {}.\n"
    "   The cell sets dL_da = -1 \"assuming squared error\". That is not the derivative of the squared error:\n"
    "   for L = ½(y − a)² the chain rule gives dL/da = ½·2(y − a)·(−1) = −(y − a) = a − y = {},\n"
    "   the very formula the notebook derives in its answer below the cell. −1 is the derivative of the\n"
    "   plain error L = y − a (the `loss` variable of the cell), not of ½(y − a)².",
    "3. La primera celda de la libreta 001: un paso sobre una neurona a = σ(x·W + b), x = {}, W = {}, b = {},\n"
    "   y = {}, lr = {}. z = {}, a = σ(z) = {}, da/dz = a(1 − a) = {}, dz/dW = x = {}.\n"
    "   La celda fija dL_da = -1 \"asumiendo error cuadrático\". Esa no es la derivada del error cuadrático:\n"
    "   para L = ½(y − a)² la regla de la cadena da dL/da = ½·2(y − a)·(−1) = −(y − a) = a − y = {},\n"
    "   justo la fórmula que el notebook deduce en su respuesta bajo la celda. −1 es la derivada del error\n"
    "   simple L = y − a (la variable `loss` de la celda), no de ½(y − a)²."};
constexpr Message kNewW{"new W", "nuevo W"};
constexpr Message kSeedMinusOne{"notebook (dL/da = −1)", "notebook (dL/da = −1)"};
constexpr Message kRightAMinusY{"right (dL/da = a − y)", "correcto (dL/da = a − y)"};
constexpr Message kAutogradRow{"autograd of ½(y − a)²", "autograd de ½(y − a)²"};
constexpr Message kChainPart3Moral{
    "   The notebook printed W = {}: the −1 version. Here it still moves W the right way (a < y),\n"
    "   but {} times too far, and it would never stop: −1 does not shrink as a approaches y, so the step\n"
    "   keeps pushing W up even when the error is zero. With a − y the step vanishes exactly when a = y.",
    "   El notebook imprimió W = {}: la versión con −1. Aquí todavía mueve W en la dirección correcta\n"
    "   (a < y), pero {} veces demasiado lejos, y nunca se detendría: −1 no se achica cuando a se acerca\n"
    "   a y, así que el paso sigue empujando W hacia arriba aunque el error sea cero. Con a − y el paso se\n"
    "   anula justo cuando a = y."};
constexpr Message kChainGifTitle{"Scalar chain rule", "Regla de la cadena escalar"};
constexpr Message kChainCurvesTitle{"y = σ(x), z = y², C = ½(z − t)²", "y = σ(x), z = y², C = ½(z − t)²"};
constexpr Message kChainPartialsTitle{"The local derivatives and their product dC/dx",
                                      "Las derivadas locales y su producto dC/dx"};
constexpr Message kValues{"values", "valores"};
constexpr Message kCompositeTitle{"f(x) = (3x + 2)² and df/dx", "f(x) = (3x + 2)² y df/dx"};
constexpr Message kCompositeAutograd{"df/dx by autograd", "df/dx por autograd"};
constexpr Message kFileChainGif{"x sweeping −6 → 6 with y, z, C and every partial derivative",
                                "x recorriendo −6 → 6 con y, z, C y cada derivada parcial"};
constexpr Message kFileChainPng{"the curves, and the three local derivatives with their product",
                                "las curvas, y las tres derivadas locales con su producto"};
constexpr Message kFileComposite{"f = (3x + 2)², with 6(3x + 2) and autograd's df/dx on top of each other",
                                 "f = (3x + 2)², con 6(3x + 2) y la df/dx de autograd superpuestas"};

void demo_chain_rule(Run& r) {
  const double t = demo::kSeed000Target;
  const double x_min = demo::sigmoid_square_argmin(t);
  r.line(r.text(kChainTitle));
  r.line();
  r.line(r(kChainPart1, num(t, 1)));
  r.line();
  std::vector<std::vector<std::string>> rows{
      {"   x", "y", "z", "C", "∂C/∂z", "∂z/∂y", "∂y/∂x", "∂C/∂x (" + r.text(kProduct) + ")", "∂C/∂x (autograd)"}};
  double worst = 0;
  for (double x : {-4.0, -2.0, 0.0, 1.0, x_min, 2.0, 4.0}) {
    const demo::SigmoidSquareChain c = demo::sigmoid_square_chain(x, t);
    rows.push_back({"   " + num(x), num(c.y), num(c.z), num(c.C), num(c.formula.dC_dz), num(c.formula.dz_dy),
                    num(c.formula.dy_dx), num(c.formula.dC_dx), num(c.autograd.dC_dx)});
    for (auto [f, g] : {std::pair{c.formula.dC_dz, c.autograd.dC_dz},
                        {c.formula.dz_dy, c.autograd.dz_dy},
                        {c.formula.dy_dx, c.autograd.dy_dx},
                        {c.formula.dC_dx, c.autograd.dC_dx}})
      worst = std::max(worst, std::fabs(f - g));
  }
  table(r, rows);
  r.line();
  r.line(r(kChainAgree, worst == 0 ? std::string("0") : fmt(worst, 1)));
  const demo::SigmoidSquareChain far = demo::sigmoid_square_chain(-4.0, t);
  r.line(r(kChainRead, num(-4.0, 1), num(far.formula.dy_dx), num(far.formula.dC_dx), num(x_min)));
  r.line();

  r.line(r.text(kChainPart2));
  rows = {{"   x", "u", "f", "df/du = 2u", "du/dx", "df/du·du/dx", "6(3x + 2)", "autograd"}};
  for (double x : {-1.0, 0.0, 0.5, 2.0}) {
    const demo::AffineSquareChain c = demo::affine_square_chain(x);
    rows.push_back({"   " + num(x, 1), num(c.u, 1), num(c.f, 2), num(c.df_du, 1), num(c.du_dx, 0), num(c.chain, 1),
                    num(c.closed_form, 1), num(c.autograd, 1)});
  }
  table(r, rows);
  r.line(r.text(kChainPart2Ok));
  r.line();

  const demo::Seed001Step s = demo::seed001_neuron_step();
  r.line(r(kChainPart3, num(s.x, 1), num(s.w, 1), num(s.b, 1), num(s.y, 1), num(s.lr, 1), num(s.z), num(s.a),
           num(s.da_dz), num(s.x, 1), num(s.dL_da)));
  rows = {{"", "dL/da", "dL/dW = dL/da·da/dz·dz/dW", r.text(kNewW)},
          {r.text(kSeedMinusOne), num(s.seed_dL_da), num(s.seed_dL_dW), num(s.seed_new_w, 5)},
          {r.text(kRightAMinusY), num(s.dL_da), num(s.dL_dW), num(s.new_w, 5)},
          {r.text(kAutogradRow), "", num(s.autograd_dL_dW), ""}};
  table(r, rows, "     ");
  r.line(r(kChainPart3Moral, num(s.seed_printed_w, 8), num(s.step_ratio, 2)));

  nlohmann::json& js = r.numbers;
  js["target"] = t;
  js["argmin_x"] = x_min;
  js["max_formula_autograd_difference"] = worst;
  for (double x : {-4.0, -2.0, 0.0, 1.0, x_min, 2.0, 4.0}) {
    const demo::SigmoidSquareChain c = demo::sigmoid_square_chain(x, t);
    js["sigmoid_square"].push_back({{"x", x},
                                    {"y", c.y},
                                    {"z", c.z},
                                    {"C", c.C},
                                    {"dC_dz", c.formula.dC_dz},
                                    {"dz_dy", c.formula.dz_dy},
                                    {"dy_dx", c.formula.dy_dx},
                                    {"dC_dx", c.formula.dC_dx},
                                    {"dC_dx_autograd", c.autograd.dC_dx}});
  }
  for (double x : {-1.0, 0.0, 0.5, 2.0}) {
    const demo::AffineSquareChain c = demo::affine_square_chain(x);
    js["affine_square"].push_back({{"x", x}, {"f", c.f}, {"chain", c.chain}, {"autograd", c.autograd}});
  }
  js["notebook_001_step"] = {{"dL_da", s.dL_da},
                             {"notebook_dL_da", s.seed_dL_da},
                             {"dL_dW", s.dL_dW},
                             {"dL_dW_autograd", s.autograd_dL_dW},
                             {"new_W", s.new_w},
                             {"notebook_new_W", s.seed_new_w},
                             {"notebook_printed_W", s.seed_printed_w},
                             {"step_ratio", s.step_ratio}};
  if (!r.pictures) return;

  // ---- pictures ----
  std::vector<double> xs, ys, zs, cs, dCdz, dzdy, dydx, dCdx;
  for (int i = 0; i <= 300; ++i) {
    const demo::SigmoidSquareChain c = demo::sigmoid_square_chain(-6.0 + 12.0 * i / 300, t);
    xs.push_back(c.x), ys.push_back(c.y), zs.push_back(c.z), cs.push_back(c.C);
    dCdz.push_back(c.autograd.dC_dz), dzdy.push_back(c.autograd.dz_dy), dydx.push_back(c.autograd.dy_dx);
    dCdx.push_back(c.autograd.dC_dx);
  }
  using viz::LineStyle;
  auto curves = [&](viz::LinePlot& p) {
    p.xlim(-6, 6).xlabel("x").ylabel(r.text(kValues));
    p.line("y = σ(x)", xs, ys, {.color = viz::colors::blue, .width = 2});
    p.line("z = y²", xs, zs, {.color = viz::colors::vermillion, .width = 2, .line = LineStyle::Dashed});
    p.line("C = ½(z − t)²", xs, cs, {.color = viz::colors::green, .width = 2.5, .line = LineStyle::Dotted});
  };
  viz::Figure fig(2, 1);
  fig.cell_size(640, 320);
  viz::LinePlot top;
  curves(top);
  top.title(r.text(kChainCurvesTitle)).legend(viz::LegendLoc::UpperLeft);
  viz::LinePlot bottom;
  bottom.title(r.text(kChainPartialsTitle)).xlim(-6, 6).xlabel("x").legend(viz::LegendLoc::UpperLeft);
  bottom.hline(0, {});
  bottom.line("∂C/∂z = z − t", xs, dCdz, {.color = viz::colors::green, .width = 1.5, .line = LineStyle::Dotted});
  bottom.line("∂z/∂y = 2y", xs, dzdy, {.color = viz::colors::vermillion, .width = 1.5, .line = LineStyle::Dashed});
  bottom.line("∂y/∂x = y(1 − y)", xs, dydx, {.color = viz::colors::blue, .width = 1.5});
  bottom.line("dC/dx", xs, dCdx, {.color = viz::colors::black, .width = 2.5});
  fig.add(top).add(bottom);
  fig.save_png(r.path("chain.png"));
  r.wrote("chain.png", kFileChainPng);

  viz::Animation anim(640, 480);
  for (int k = 0; k < 60; ++k) {
    const demo::SigmoidSquareChain c = demo::sigmoid_square_chain(-6.0 + 12.0 * k / 59, t);
    viz::LinePlot p;
    curves(p);
    p.title(r.text(kChainGifTitle)).ylim(-0.1, 1.2).legend(viz::LegendLoc::LowerRight);
    p.vline(c.x, {});
    p.scatter("", {c.x, c.x, c.x}, {c.y, c.z, c.C},
              {.color = viz::colors::black, .line = LineStyle::None, .marker = viz::Marker::Circle, .marker_size = 7});
    p.annotate({"x = " + num(c.x, 3), "y = " + num(c.y, 3), "z = " + num(c.z, 3), "C = " + num(c.C, 3),
                "∂C/∂z = " + num(c.autograd.dC_dz, 3), "∂z/∂y = " + num(c.autograd.dz_dy, 3),
                "∂y/∂x = " + num(c.autograd.dy_dx, 3), "∂C/∂x = " + num(c.autograd.dC_dx, 3)},
               0.02, 0.98);
    anim.add_frame(p);
  }
  anim.delay_ms(90).save_gif(r.path("chain.gif"));
  r.wrote("chain.gif", kFileChainGif);

  std::vector<double> cx, cf, closed, auto_d;
  for (int i = 0; i <= 40; ++i) {
    const demo::AffineSquareChain c = demo::affine_square_chain(-2.0 + 3.0 * i / 40);
    cx.push_back(c.x), cf.push_back(c.f), closed.push_back(c.closed_form), auto_d.push_back(c.autograd);
  }
  viz::LinePlot comp;
  comp.title(r.text(kCompositeTitle)).xlabel("x").xlim(-2, 1).legend(viz::LegendLoc::UpperLeft);
  comp.hline(0, {});
  comp.line("f(x) = (3x + 2)²", cx, cf, {.color = viz::colors::blue, .width = 2.5});
  comp.line("6(3x + 2)", cx, closed, {.color = viz::colors::vermillion, .width = 2});
  comp.scatter(r.text(kCompositeAutograd), cx, auto_d,
               {.color = viz::colors::black, .line = LineStyle::None, .marker = viz::Marker::Plus, .marker_size = 8});
  comp.save_png(r.path("composite.png"));
  r.wrote("composite.png", kFileComposite);
}

// ============================== 3. neuron-step (notebook 003) ==============================

constexpr Message kNeuronTitle{"One gradient-descent step on a sigmoid neuron (notebook 003)",
                               "Un paso de descenso por gradiente sobre una neurona sigmoide (libreta 003)"};
constexpr Message kNeuronIntro{
    "ŷ = σ(h), h = w·x + b, with the notebook's x = {}, w = {}, b = {}, y = {}, η = {}.\n"
    "The notebook's error term δ = (y − ŷ)·σ′(h) and increment Δwᵢ = η·δ·xᵢ:",
    "ŷ = σ(h), h = w·x + b, con los valores de la libreta x = {}, w = {}, b = {}, y = {}, η = {}.\n"
    "El término de error de la libreta δ = (y − ŷ)·σ′(h) y el incremento Δwᵢ = η·δ·xᵢ:"};
constexpr Message kOutput{"output ŷ = σ(h)", "salida ŷ = σ(h)"};
constexpr Message kResidual{"residual y − ŷ", "error residual y − ŷ"};
constexpr Message kIncrement{"increment Δw = η·δ·x", "incremento Δw = η·δ·x"};
constexpr Message kNewWeights{"new weights w + Δw", "nuevos pesos w + Δw"};
constexpr Message kNewOutput{"new output σ(w′·x + b)", "nueva salida σ(w′·x + b)"};
constexpr Message kNewResidual{"new residual y − ŷ′", "nuevo error y − ŷ′"};
constexpr Message kNeuronDecreased{
    "The residual went from {} to {} and the squared error ½(y − ŷ)² from {} to {}\n"
    "({}% less): the step went downhill, so the method works.",
    "El error residual pasó de {} a {} y el error cuadrático ½(y − ŷ)² de {} a {}\n"
    "({}% menos): el paso fue cuesta abajo, así que el método funciona."};
constexpr Message kNeuronNotDecreased{"The error did not decrease: the step size η = {} is too large here.",
                                      "El error no disminuyó: el tamaño de paso η = {} es demasiado grande aquí."};
constexpr Message kNeuronAutograd{
    "Check with autograd: −η·∂L/∂w for L = ½(y − ŷ)², by nabla's backward pass, is {} = Δw:\n"
    "The δ rule is gradient descent on the squared error.",
    "Comprobación con autograd: −η·∂L/∂w para L = ½(y − ŷ)², con el paso hacia atrás de nabla, es {} = Δw.\n"
    "La regla δ es descenso por gradiente sobre el error cuadrático."};
constexpr Message kNeuronStale{
    "What the notebook printed is not what its code computes. It printed \"Error: {}\", but with\n"
    "y = {} the residual is y − ŷ = {} − {} = {}. The printed numbers come from an earlier run with\n"
    "another y: ŷ + printed error = {} + {} = {}, and with y = {} nabla reproduces every printed line:",
    "Lo que el notebook imprimió no es lo que su código calcula. Imprimió \"Error: {}\", pero con\n"
    "y = {} el error residual es y − ŷ = {} − {} = {}. Los números impresos vienen de una ejecución\n"
    "anterior con otra y: ŷ + error impreso = {} + {} = {}, y con y = {} nabla reproduce cada línea impresa:"};
constexpr Message kPrinted{"notebook printed", "el notebook imprimió"};
constexpr Message kNablaWith{"nabla, y = {}", "nabla, y = {}"};
constexpr Message kNablaCode{"nabla, y = {} (the code)", "nabla, y = {} (el código)"};
constexpr Message kNeuronStaleMoral{
    "Rerun the notebook from the top and it prints the last column; its conclusion holds either way.\n"
    "Note also that a sigmoid neuron only outputs values in (0, 1): a target y = 5 can never be reached.",
    "Si se vuelve a ejecutar el notebook desde el principio, imprime la última columna; su conclusión vale\n"
    "igual. Nótese además que una neurona sigmoide solo da valores en (0, 1): un objetivo y = 5 es inalcanzable."};
constexpr Message kNeuronPlotLeft{"σ(h) before and after", "σ(h) antes y después"};
constexpr Message kNeuronPlotRight{"Error along the step", "Error a lo largo del paso"};
constexpr Message kBefore{"before", "antes"};
constexpr Message kAfter{"after", "después"};
constexpr Message kTarget{"target y", "objetivo y"};
constexpr Message kAlong{"s (w + s·Δw)", "s (w + s·Δw)"};
constexpr Message kFileNeuron{"where the step lands on σ(h), and the error along the step",
                              "dónde cae el paso sobre σ(h), y el error a lo largo del paso"};

void demo_neuron_step(Run& r) {
  using demo::Seed003;
  const demo::NeuronStep s = demo::neuron_step(Seed003::inputs());
  const demo::NeuronInputs& in = s.in;
  r.line(r.text(kNeuronTitle));
  r.line();
  r.line(r(kNeuronIntro, vec(in.x, 1), vec(in.w, 1), num(in.b, 1), num(in.y, 1), num(in.eta, 1)));
  const int d = 6;
  table(r, {{"h = w·x + b", "=", num(s.h, d)},
            {r.text(kOutput), "=", num(s.output, d)},
            {r.text(kResidual), "=", num(s.residual, d)},
            {"σ′(h) = ŷ(1 − ŷ)", "=", num(s.f_prime, d)},
            {"δ = (y − ŷ)·σ′(h)", "=", num(s.delta, d)},
            {r.text(kIncrement), "=", vec(s.increment, d)},
            {r.text(kNewWeights), "=", vec(s.new_w, d)},
            {r.text(kNewOutput), "=", num(s.new_output, d)},
            {r.text(kNewResidual), "=", num(s.new_residual, d)}});
  r.line();
  if (s.new_loss < s.loss)
    r.line(r(kNeuronDecreased, num(s.residual, d), num(s.new_residual, d), num(s.loss, d), num(s.new_loss, d),
             num(100.0 * (s.loss - s.new_loss) / s.loss, 1)));
  else
    r.line(r(kNeuronNotDecreased, num(in.eta, 2)));
  r.line(r(kNeuronAutograd, vec(s.autograd_increment, d)));
  r.line();

  demo::NeuronInputs stale_in = in;
  stale_in.y = Seed003::implied_target();
  const demo::NeuronStep stale = demo::neuron_step(stale_in);
  r.line(r(kNeuronStale, num(Seed003::printed_residual, d), num(in.y, 1), num(in.y, 1), num(s.output, d),
           num(s.residual, d), num(Seed003::printed_output, d), num(Seed003::printed_residual, d),
           num(Seed003::implied_target(), d), num(stale_in.y, 1)));
  const std::vector<double> printed_w(std::begin(Seed003::printed_new_w), std::end(Seed003::printed_new_w));
  table(r,
        {{"", r.text(kPrinted), r(kNablaWith, num(stale_in.y, 1)), r(kNablaCode, num(in.y, 1))},
         {"Salida", num(Seed003::printed_output, d), num(stale.output, d), num(s.output, d)},
         {"Error", num(Seed003::printed_residual, d), num(stale.residual, d), num(s.residual, d)},
         {"Incremento", num(Seed003::printed_increment, d), num(stale.increment[0], d), num(s.increment[0], d)},
         {"Nuevos pesos", vec(printed_w, 4), vec(stale.new_w, 4), vec(s.new_w, 4)},
         {"Nuevo error", num(Seed003::printed_new_residual, d), num(stale.new_residual, d), num(s.new_residual, d)}});
  r.line(r.text(kNeuronStaleMoral));

  auto step_json = [](const demo::NeuronStep& st) {
    return nlohmann::json{{"y", st.in.y},
                          {"h", st.h},
                          {"output", st.output},
                          {"residual", st.residual},
                          {"delta", st.delta},
                          {"increment", st.increment},
                          {"new_w", st.new_w},
                          {"new_output", st.new_output},
                          {"new_residual", st.new_residual},
                          {"loss", st.loss},
                          {"new_loss", st.new_loss},
                          {"autograd_increment", st.autograd_increment}};
  };
  r.numbers["step"] = step_json(s);
  r.numbers["step_with_implied_target"] = step_json(stale);
  r.numbers["notebook_printed_residual"] = Seed003::printed_residual;
  if (!r.pictures) return;

  // ---- picture: σ(h) with the before/after points; the error along the step direction ----
  using viz::LineStyle;
  viz::LinePlot left;
  left.title(r.text(kNeuronPlotLeft)).xlabel("h = w·x + b").ylabel("σ(h)").xlim(-4, 4).ylim(0, 1.1);
  left.legend(viz::LegendLoc::LowerRight);
  left.function("σ(h)", [](double h) { return 1.0 / (1.0 + std::exp(-h)); }, -4, 4, {.color = viz::colors::blue});
  viz::RefLineStyle target;
  target.color = viz::colors::green;
  target.label = r.text(kTarget) + " = " + num(in.y, 0);
  left.hline(in.y, target);
  left.scatter(
      r.text(kBefore), {s.h}, {s.output},
      {.color = viz::colors::vermillion, .line = LineStyle::None, .marker = viz::Marker::Circle, .marker_size = 10});
  left.scatter(
      r.text(kAfter), {s.new_h}, {s.new_output},
      {.color = viz::colors::green, .line = LineStyle::None, .marker = viz::Marker::Square, .marker_size = 10});
  left.annotate(
      {"h: " + num(s.h, 3) + " → " + num(s.new_h, 3), "σ(h): " + num(s.output, 3) + " → " + num(s.new_output, 3)}, 0.02,
      0.98);

  std::vector<double> ss;
  for (int i = 0; i <= 100; ++i) ss.push_back(-1.0 + 5.0 * i / 100);
  const std::vector<double> losses = demo::loss_along_step(s, ss);
  viz::LinePlot right;
  right.title(r.text(kNeuronPlotRight)).xlabel(r.text(kAlong)).ylabel("½(y − σ(h))²").xlim(-1, 4);
  right.legend(viz::LegendLoc::UpperRight);
  right.line("½(y − σ(h))²", ss, losses, {.color = viz::colors::blue, .width = 2});
  right.scatter(
      r.text(kBefore) + " (s = 0)", {0.0}, {s.loss},
      {.color = viz::colors::vermillion, .line = LineStyle::None, .marker = viz::Marker::Circle, .marker_size = 10});
  right.scatter(
      r.text(kAfter) + " (s = 1)", {1.0}, {s.new_loss},
      {.color = viz::colors::green, .line = LineStyle::None, .marker = viz::Marker::Square, .marker_size = 10});
  viz::Figure fig(1, 2);
  fig.cell_size(520, 400).add(left).add(right);
  fig.save_png(r.path("neuron_step.png"));
  r.wrote("neuron_step.png", kFileNeuron);
}

// ============================== 7. xnor-threshold (notebook 002 §1) ==============================

constexpr Message kXnorTitle{"XNOR with threshold units, weights set by hand (notebook 002 §1)",
                             "XNOR con unidades de umbral, pesos puestos a mano (libreta 002 §1)"};
constexpr Message kXnorIntro{
    "step(z) = 1 if z > 0, else 0. Two hidden units and one output unit:\n"
    "  h1 = step(x1 + x2 − 1.5)     AND: z > 0 only for (1, 1), where z = 1 + 1 − 1.5 = 0.5\n"
    "  h2 = step(−x1 − x2 + 0.5)    NOR: z > 0 only for (0, 0), where z = 0.5\n"
    "  y  = step(h1 + h2 − 0.5)     OR:  z > 0 when h1 or h2 is 1\n"
    "so y = (x1 AND x2) OR (NOT x1 AND NOT x2) = XNOR(x1, x2). As matrices, with W stored [out][in]\n"
    "(one row per unit, as PyTorch and nabla store them):\n"
    "  W1 = [[1, 1], [−1, −1]], b1 = [−1.5, 0.5], W2 = [[1, 1]], b2 = [−0.5]\n"
    "(Notebook 002 writes W1 = [[1, −1], [1, −1]]: the same numbers in [in][out] layout, for X·W1.)",
    "escalón(z) = 1 si z > 0, si no 0. Dos unidades ocultas y una de salida:\n"
    "  h1 = escalón(x1 + x2 − 1.5)     AND: z > 0 solo para (1, 1), donde z = 1 + 1 − 1.5 = 0.5\n"
    "  h2 = escalón(−x1 − x2 + 0.5)    NOR: z > 0 solo para (0, 0), donde z = 0.5\n"
    "  y  = escalón(h1 + h2 − 0.5)     OR:  z > 0 cuando h1 o h2 vale 1\n"
    "así que y = (x1 AND x2) OR (NOT x1 AND NOT x2) = XNOR(x1, x2). En matrices, con W guardada [salida][entrada]\n"
    "(una fila por unidad, como la guardan PyTorch y nabla):\n"
    "  W1 = [[1, 1], [−1, −1]], b1 = [−1.5, 0.5], W2 = [[1, 1]], b2 = [−0.5]\n"
    "(La libreta escribe W1 = [[1, −1], [1, −1]]: los mismos números en orden [entrada][salida], para X·W1.)"};
constexpr Message kXnorTable{
    "Truth table, computed by nabla in one forward pass over the four rows:",
    "Tabla de verdad, calculada por nabla en un solo paso hacia adelante sobre las cuatro filas:"};
constexpr Message kXnorAllMatch{"All 4 rows match the notebook's Table 1.",
                                "Las 4 filas coinciden con la Tabla 1 de la libreta."};
constexpr Message kXnorMismatch{"{} of 4 rows differ from the notebook's Table 1.",
                                "{} de 4 filas difieren de la Tabla 1 de la libreta."};
constexpr Message kXnorWhy{
    "Each hidden unit cuts the plane with a line: x1 + x2 = 1.5 (h1) and x1 + x2 = 0.5 (h2). The output is 1\n"
    "outside the band between the two lines. No single line separates XNOR's 1s, (0,0) and (1,1), from its\n"
    "0s, (0,1) and (1,0): that is why a hidden layer is needed.\n"
    "Why by hand: step is flat everywhere (its derivative is 0, and at 0 it has none), so backpropagation\n"
    "gets no signal through it — in nabla its gradient is 0. Trainable networks replace it with σ or ReLU.",
    "Cada unidad oculta corta el plano con una recta: x1 + x2 = 1.5 (h1) y x1 + x2 = 0.5 (h2). La salida vale 1\n"
    "fuera de la franja entre las dos rectas. Ninguna recta sola separa los 1 de XNOR, (0,0) y (1,1), de sus\n"
    "0, (0,1) y (1,0): por eso hace falta una capa oculta.\n"
    "Por qué a mano: el escalón es plano en todas partes (su derivada es 0, y en 0 no tiene), así que la\n"
    "retropropagación no recibe señal a través de él — en nabla su gradiente es 0. Las redes entrenables lo\n"
    "reemplazan por σ o ReLU."};
constexpr Message kXnorFigTitle{"Threshold units: output 1 (orange) or 0 (blue)",
                                "Unidades de umbral: salida 1 (naranja) o 0 (azul)"};
constexpr Message kXnorH1{"h1 = x1 AND x2", "h1 = x1 AND x2"};
constexpr Message kXnorH2{"h2 = NOR(x1, x2)", "h2 = NOR(x1, x2)"};
constexpr Message kXnorY{"y = h1 OR h2 = XNOR", "y = h1 OR h2 = XNOR"};
constexpr Message kFileXnor{"the regions where h1 (AND), h2 (NOR) and y (XNOR) are 1, with the four inputs",
                            "las regiones donde h1 (AND), h2 (NOR) e y (XNOR) valen 1, con las cuatro entradas"};

void demo_xnor_threshold(Run& r) {
  const demo::ThresholdNet net = demo::ThresholdNet::seed002_xnor();
  const std::vector<demo::TruthRow> rows = demo::truth_table(net);
  r.line(r.text(kXnorTitle));
  r.line();
  r.line(r.text(kXnorIntro));
  r.line();
  r.line(r.text(kXnorTable));
  std::vector<std::vector<std::string>> t{
      {"x1", "x2", "z1 = x1+x2−1.5", "h1", "z2 = −x1−x2+0.5", "h2", "z = h1+h2−0.5", "y", "XNOR", ""}};
  int wrong = 0;
  for (const demo::TruthRow& row : rows) {
    const bool ok = row.y == row.expected;
    wrong += !ok;
    t.push_back({num(row.x1, 0), num(row.x2, 0), num(row.z1, 1), num(row.h1, 0), num(row.z2, 1), num(row.h2, 0),
                 num(row.z, 1), num(row.y, 0), num(row.expected, 0), ok ? "✓" : "✗"});
  }
  table(r, t);
  r.line(wrong == 0 ? r.text(kXnorAllMatch) : r(kXnorMismatch, wrong));
  r.line();
  r.line(r.text(kXnorWhy));
  for (const demo::TruthRow& row : rows)
    r.numbers["truth_table"].push_back({{"x1", row.x1},
                                        {"x2", row.x2},
                                        {"z1", row.z1},
                                        {"h1", row.h1},
                                        {"z2", row.z2},
                                        {"h2", row.h2},
                                        {"z", row.z},
                                        {"y", row.y},
                                        {"xnor", row.expected}});
  r.numbers["rows_wrong"] = wrong;
  if (!r.pictures) return;

  // 160 points per side: no grid point falls exactly on the lines x1 + x2 = 0.5 or 1.5, where
  // step(0) = 0 would make the drawn boundary jagged.
  const viz::Grid2D g{.nx = 160, .ny = 160, .xmin = -0.5, .xmax = 1.5, .ymin = -0.5, .ymax = 1.5};
  const demo::ThresholdRegions regions = demo::threshold_regions(net, g.xs(), g.ys());
  const std::vector<double> px{0, 0, 1, 1}, py{0, 1, 0, 1};
  auto map = [&](const Message& title, const std::vector<double>& p, std::vector<int> labels) {
    viz::DecisionMap m;
    m.title(r.text(title)).xlabel("x1").ylabel("x2").probabilities(g, p).train_points(px, py, std::move(labels));
    m.class_names({"0", "1"}).set_names("", "").legend(viz::LegendLoc::Hidden).point_size(11);
    return m;
  };
  viz::Figure fig(1, 3);
  fig.cell_size(400, 400).title(r.text(kXnorFigTitle));
  fig.add(map(kXnorH1, regions.h1, {0, 0, 0, 1}));
  fig.add(map(kXnorH2, regions.h2, {1, 0, 0, 0}));
  fig.add(map(kXnorY, regions.y, {1, 0, 0, 1}));
  fig.save_png(r.path("regions.png"));
  r.wrote("regions.png", kFileXnor);
}

// ============================== 10. autodiff (notebook 002 §3) ==============================

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

// ============================== training demos: shared pieces ==============================

constexpr Message kConfigLine{
    "Configuration: {}. Edit a copy and rerun it with  nabla demo {} --config FILE,\n"
    "change one value with  --set key=value,  or train it alone:  nabla train {}",
    "Configuración: {}. Edita una copia y vuelve a ejecutar con  nabla demo {} --config ARCHIVO,\n"
    "cambia un valor con  --set clave=valor,  o entrénala sola:  nabla train {}"};
constexpr Message kConfigLines{
    "Configurations: {}. Edit copies and rerun with  nabla demo {} {},\n"
    "or change a value in all of them with  --set key=value.",
    "Configuraciones: {}. Edita copias y vuelve a ejecutar con  nabla demo {} {},\n"
    "o cambia un valor en todas con  --set clave=valor."};
constexpr Message kLoss{"loss", "pérdida"};
constexpr Message kTrainAcc{"train accuracy", "exactitud (entrenamiento)"};
constexpr Message kTestAcc{"test accuracy", "exactitud (prueba)"};
constexpr Message kTrainLoss{"train loss", "pérdida (entrenamiento)"};
constexpr Message kTestLoss{"test loss", "pérdida (prueba)"};
constexpr Message kStopped{"Training stopped after epoch {}: {}", "El entrenamiento se detuvo tras la época {}: {}"};
constexpr Message kTrainSet{"train", "entrenamiento"};
constexpr Message kTestSet{"test", "prueba"};
constexpr Message kEpochTitle{"epoch {}", "época {}"};
constexpr Message kLossTitle{"Training loss", "Pérdida al entrenar"};
constexpr Message kAccuracyTitle{"Accuracy", "Exactitud"};
constexpr Message kGradTitle{"Gradient norm per layer", "Norma del gradiente por capa"};

// " + 0.9360" or " − 0.0491": a term of a sum written out.
std::string signed_term(double v) { return (v < 0 ? " − " : " + ") + num(std::fabs(v)); }

std::string pct(double acc) { return std::isnan(acc) ? "-" : fmt(100 * acc, 1) + "%"; }

bool has_test(const demo::TrainingRun& run) { return !run.history.empty() && !std::isnan(run.history.back().test_acc); }

// The epochs a table shows: every `every`, plus the first and the last.
bool shown(int64_t epoch, int64_t every, int64_t last) { return epoch == 1 || epoch == last || epoch % every == 0; }

// Where the configurations came from, and how to change them.
void print_config_lines(Run& r, const std::string& demo) {
  if (r.sources.size() == 1) {
    r.line(r(kConfigLine, r.sources[0], demo, r.sources[0]));
    return;
  }
  std::vector<std::string> flags;
  for (size_t i = 0; i < r.sources.size(); ++i) flags.push_back("--config " + std::string(1, char('A' + i)));
  r.line(r(kConfigLines, join(r.sources, ", "), demo, join(flags, " ")));
}

// Loss and accuracies at a few epochs.
void print_history(Run& r, const demo::TrainingRun& run, int64_t every) {
  const bool test = !run.history.empty() && !std::isnan(run.history.back().test_acc);
  std::vector<std::vector<std::string>> rows{{r.text(kEpoch), r.text(kLoss), r.text(kTrainAcc)}};
  if (test) rows[0].push_back(r.text(kTestAcc));
  const int64_t last = run.history.empty() ? 0 : run.history.back().epoch;
  for (const train::EpochMetrics& m : run.history) {
    if (!shown(m.epoch, every, last)) continue;
    rows.push_back({std::to_string(m.epoch), fmt(m.train_loss, 5), pct(m.train_acc)});
    if (test) rows.back().push_back(pct(m.test_acc));
  }
  table(r, rows, "  ");
  if (!run.failure.empty()) r.line(r(kStopped, run.history.size(), run.failure));
}

int64_t every_for(const train::TrainConfig& c) {
  return c.train.log_every > 0 ? c.train.log_every : std::max<int64_t>(1, c.train.epochs / 10);
}

viz::DecisionMap boundary_map(const Run& r, const demo::TrainingRun& run, const demo::BoundaryFrame& f,
                              const std::string& title) {
  viz::DecisionMap map;
  map.probabilities(run.grid, f.p).title(title).xlabel("x1").ylabel("x2");
  map.train_points(run.train_points.x1, run.train_points.x2, run.train_points.labels);
  if (!run.test_points.x1.empty()) map.test_points(run.test_points.x1, run.test_points.x2, run.test_points.labels);
  map.class_names({r(kClass, 0), r(kClass, 1)}).set_names(r.text(kTrainSet), r.text(kTestSet));
  return map;
}

// The loss per epoch up to `upto`, on axes fixed for the whole run (for animation frames).
// `readout`: lines shown in the panel's upper right corner (the notebook's W/b/C box).
viz::LinePlot loss_curve(const Run& r, const demo::TrainingRun& run, int64_t upto, const std::string& ylabel,
                         const std::vector<std::string>& readout = {}) {
  const std::vector<double> loss = demo::loss_per_row(run);
  std::vector<double> e, l;
  double top = 0;
  for (size_t i = 0; i < loss.size(); ++i) {
    if (std::isfinite(loss[i])) top = std::max(top, loss[i]);
    if (int64_t(i + 1) <= upto) e.push_back(double(i + 1)), l.push_back(loss[i]);
  }
  double bottom = top;
  for (double v : loss)
    if (std::isfinite(v) && v > 0) bottom = std::min(bottom, v);
  viz::LinePlot p;
  p.title(r.text(kLossTitle)).xlabel(r.text(kEpoch)).ylabel(ylabel).legend(viz::LegendLoc::Hidden);
  p.xlim(0, std::max<double>(1, double(loss.size())));
  // A loss that falls by more than two decades reads better on a log scale.
  if (bottom > 0 && top > 100 * bottom)
    p.log_y().ylim(0.8 * bottom, 1.25 * top);
  else
    p.ylim(0, top > 0 ? 1.05 * top : 1);
  p.line("", e, l, {.color = viz::colors::blue, .width = 2});
  if (!e.empty())
    p.scatter("", {e.back()}, {l.back()},
              {.color = viz::colors::vermillion,
               .line = viz::LineStyle::None,
               .marker = viz::Marker::Circle,
               .marker_size = 8});
  if (!readout.empty()) p.annotate(readout, 0.52, 0.98);
  return p;
}

// The decision boundary forming, epoch by epoch, next to the loss curve.
// `readout` (optional): the lines of text a frame shows next to its loss curve.
using Readout = std::function<std::vector<std::string>(const demo::BoundaryFrame&)>;
void save_boundary_pictures(Run& r, const demo::TrainingRun& run, const std::string& ylabel, const Message& gif_what,
                            const Message& png_what, const Readout& readout = {}) {
  if (run.frames.empty()) return;
  // The heatmap drifts a little everywhere from one frame to the next, which GIF stores at great
  // cost: pixels within 8 levels (of 255) of what is shown are left as they are, and the frames
  // are drawn at 800x350 (the still picture keeps 960x420). 41 frames then take about 0.5 MB
  // instead of 1.5 to 2 MB, and look the same in motion.
  viz::Animation anim(800, 350);
  anim.tolerance(8);
  for (const demo::BoundaryFrame& f : run.frames) {
    viz::Figure fig(1, 2);
    fig.add(boundary_map(r, run, f, r(kEpochTitle, f.epoch)))
        .add(loss_curve(r, run, f.epoch, ylabel, readout ? readout(f) : std::vector<std::string>{}));
    anim.add_frame(fig);
  }
  anim.delay_ms(120).save_gif(r.path("boundary.gif"));
  r.wrote("boundary.gif", gif_what);
  viz::Figure last(1, 2);
  last.cell_size(480, 420);
  last.add(boundary_map(r, run, run.frames.back(), r(kEpochTitle, run.frames.back().epoch)))
      .add(loss_curve(r, run, run.frames.back().epoch, ylabel,
                      readout ? readout(run.frames.back()) : std::vector<std::string>{}));
  last.save_png(r.path("boundary.png"));
  r.wrote("boundary.png", png_what);
}

const std::vector<double>* parameter(const demo::TrainingRun& run, const std::string& name) {
  for (const auto& [n, v] : run.final_parameters)
    if (n == name) return &v;
  return nullptr;
}

// A training run's numbers for --json: the loss and accuracies per epoch, and the final ones.
nlohmann::json run_json(const demo::TrainingRun& run) {
  nlohmann::json j{{"train_rows", run.train_size}, {"parameters", run.parameters}};
  for (const train::EpochMetrics& m : run.history) {
    j["train_loss"].push_back(m.train_loss);
    j["train_accuracy"].push_back(100 * m.train_acc);
    if (has_test(run)) j["test_loss"].push_back(m.test_loss), j["test_accuracy"].push_back(100 * m.test_acc);
  }
  j["final_train_accuracy"] = 100 * run.final_train_acc();
  if (has_test(run)) j["final_test_accuracy"] = 100 * run.final_test_acc();
  if (!run.failure.empty()) j["failure"] = run.failure;
  return j;
}

// ============================== 4. neuron-boundary (notebook 000 §4) ==============================

constexpr Message kNbTitle{"One sigmoid neuron learns a straight boundary (notebook 000 §4)",
                           "Una neurona sigmoide aprende una frontera recta (libreta 000 §4)"};
constexpr Message kNbIntro{
    "a = σ(w1·x1 + w2·x2 + b), cost C = ½·mean((a − y)²), gradient descent with η = {} for {} epochs\n"
    "over all {} points at once. Per point the chain rule gives δ = ∂C/∂z = (a − y)·a(1 − a), and then\n"
    "∂C/∂w = mean(δ·x), ∂C/∂b = mean(δ): the notebook writes these by hand; nabla's backward pass\n"
    "computes the same numbers. Starting weights w = {}, b = {}.\n"
    "Points and weights are the notebook's own: nabla reproduces numpy's generator bit for bit\n"
    "(np.random.default_rng(7): 60 normal points, labelled by the line 2·x1 − x2 + 0.5 = 0, then w from\n"
    "the same generator), so every cost below is the one the notebook's numpy loop computes.",
    "a = σ(w1·x1 + w2·x2 + b), costo C = ½·media((a − y)²), descenso por gradiente con η = {} durante {}\n"
    "épocas sobre los {} puntos a la vez. Por punto la regla de la cadena da δ = ∂C/∂z = (a − y)·a(1 − a), y\n"
    "luego ∂C/∂w = media(δ·x), ∂C/∂b = media(δ): el notebook los escribe a mano; el paso hacia atrás de\n"
    "nabla calcula los mismos números. Pesos iniciales w = {}, b = {}.\n"
    "Los puntos y los pesos son los del notebook: nabla reproduce el generador de numpy bit a bit\n"
    "(np.random.default_rng(7): 60 puntos normales, etiquetados por la recta 2·x1 − x2 + 0.5 = 0, y luego w\n"
    "del mismo generador), así que cada costo de abajo es el que calcula el bucle en numpy del notebook."};
constexpr Message kNbFinal{
    "After training: w = {}, b = {}. The boundary is the line where a = 0.5, that is where\n"
    "w1·x1 + w2·x2 + b = 0:  {}·x1{}{} = 0.\n"
    "One neuron always draws a straight line, whatever the data: it is σ of a linear function.\n"
    "The cost fell from {} to {}; accuracy {}.",
    "Tras el entrenamiento: w = {}, b = {}. La frontera es la recta donde a = 0.5, es decir donde\n"
    "w1·x1 + w2·x2 + b = 0:  {}·x1{}{} = 0.\n"
    "Una neurona siempre traza una recta, sean cuales sean los datos: es σ de una función lineal.\n"
    "El costo bajó de {} a {}; exactitud {}."};
constexpr Message kCostHalfMse{"C = ½·mean((a − y)²)", "C = ½·media((a − y)²)"};
constexpr Message kFileNbGif{"the boundary turning into place, epoch by epoch, next to the cost",
                             "la frontera acomodándose, época a época, junto al costo"};
constexpr Message kFileNbPng{"the final boundary and the cost curve", "la frontera final y la curva del costo"};

void demo_neuron_boundary(Run& r) {
  const train::TrainConfig& cfg = r.configs[0];
  const demo::TrainingRun run = demo::train_run(cfg, {.boundary_frames = r.pictures ? 40 : 1});
  const train::LayerConfig& first = cfg.model.layers.front();
  const std::vector<double> w0 = first.weight_values.empty() ? std::vector<double>{} : first.weight_values[0];
  const std::vector<double> b0 = first.bias_values;
  r.line(r.text(kNbTitle));
  r.line();
  r.line(r(kNbIntro, sig(cfg.optim.lr, 4), cfg.train.epochs, run.train_size, w0.empty() ? "?" : vec(w0),
           b0.empty() ? "?" : num(b0[0])));
  print_config_lines(r, "neuron-boundary");
  r.line();
  print_history(r, run, every_for(cfg));
  r.line();
  const std::vector<double>* w = parameter(run, "layers.0.weight");
  const std::vector<double>* b = parameter(run, "layers.0.bias");
  if (w && b && w->size() == 2 && !b->empty() && !run.history.empty() && !run.frames.empty())
    r.line(r(kNbFinal, vec(*w), num((*b)[0]), num((*w)[0]), signed_term((*w)[1]) + "·x2", signed_term((*b)[0]),
             fmt(run.frames.front().loss, 4), fmt(run.frames.back().loss, 4), pct(run.final_train_acc())));
  r.numbers = run_json(run);
  if (!run.frames.empty())
    r.numbers["initial_cost"] = run.frames.front().loss, r.numbers["final_cost"] = run.frames.back().loss;
  if (w) r.numbers["w"] = *w;
  if (b) r.numbers["b"] = *b;
  if (!r.pictures) return;
  // The notebook's readout: W, b and C at each frame.
  const Readout readout = [](const demo::BoundaryFrame& f) {
    std::vector<std::string> lines;
    for (const auto& [name, v] : f.parameters) {
      if (name == "layers.0.weight" && v.size() == 2) lines.push_back("W = " + vec(v, 3));
      if (name == "layers.0.bias" && v.size() == 1) lines.push_back("b = " + num(v[0], 3));
    }
    lines.push_back("C = " + num(f.loss, 4));
    return lines;
  };
  save_boundary_pictures(r, run, r.text(kCostHalfMse), kFileNbGif, kFileNbPng, readout);
}

// ============================== 5. circle-2-2-1 (notebook 000 §7) ==============================

constexpr Message kCircleTitle{"A 2-2-1 network and a circle (notebook 000 §7)",
                               "Una red 2-2-1 y un círculo (libreta 000 §7)"};
constexpr Message kCircleIntro{
    "Two hidden sigmoid units, one sigmoid output, the notebook's starting weights\n"
    "(W1 = [[1.2, −0.7], [−0.9, 1.0]], W2 = [[0.8, −0.6]], biases 0), C = ½·mean((a − y)²), η = {}, {} epochs.\n"
    "Backpropagation as the notebook writes it: δ2 = (a2 − y)·a2(1 − a2) at the output,\n"
    "δ1 = (δ2·W2) ⊙ a1(1 − a1) in the hidden layer, ∂C/∂W = mean(δ·aᵀ) and ∂C/∂b = mean(δ) in each;\n"
    "nabla's autograd computes exactly these. Task: the notebook's {} points (np.random.default_rng(3),\n"
    "reproduced bit for bit), class 1 outside the circle x1² + x2² = 1.3, so the costs are the notebook's.",
    "Dos unidades ocultas sigmoides, una salida sigmoide, los pesos iniciales del notebook\n"
    "(W1 = [[1.2, −0.7], [−0.9, 1.0]], W2 = [[0.8, −0.6]], sesgos 0), C = ½·media((a − y)²), η = {}, {} épocas.\n"
    "Retropropagación como la escribe el notebook: δ2 = (a2 − y)·a2(1 − a2) en la salida,\n"
    "δ1 = (δ2·W2) ⊙ a1(1 − a1) en la capa oculta, ∂C/∂W = media(δ·aᵀ) y ∂C/∂b = media(δ) en cada una;\n"
    "el autograd de nabla calcula exactamente eso. Tarea: los {} puntos del notebook (np.random.default_rng(3),\n"
    "reproducido bit a bit), clase 1 fuera del círculo x1² + x2² = 1.3, así que los costos son los del notebook."};
constexpr Message kCircleWhy{
    "Final accuracy {}. Look at the boundary: not a circle. Each hidden unit can only say on which side\n"
    "of one straight line a point is (σ(w·x + b) = 0.5 on that line), and the output mixes those two\n"
    "answers, so the region it marks is bounded by at most two lines: a wedge or a band. A closed curve\n"
    "needs at least three hidden units. The same training with 4 hidden units (default initialisation)\n"
    "reaches {}.",
    "Exactitud final {}. Mira la frontera: no es un círculo. Cada unidad oculta solo puede decir de qué lado\n"
    "de una recta está un punto (σ(w·x + b) = 0.5 sobre esa recta), y la salida mezcla esas dos respuestas,\n"
    "así que la región que marca está limitada por a lo sumo dos rectas: una cuña o una franja. Una curva\n"
    "cerrada necesita al menos tres unidades ocultas. El mismo entrenamiento con 4 unidades ocultas\n"
    "(inicialización por omisión) llega a {}."};
constexpr Message kCircleWiderTitle{"2-4-1, epoch {}", "2-4-1, época {}"};
constexpr Message kFileCircleGif{"the 2-2-1 boundary forming, next to the cost",
                                 "la frontera 2-2-1 formándose, junto al costo"};
constexpr Message kFileCirclePng{"the final 2-2-1 boundary and the cost curve", "la frontera 2-2-1 final y el costo"};
constexpr Message kFileCircleWider{"2-2-1 against 2-4-1 after the same training",
                                   "2-2-1 frente a 2-4-1 tras el mismo entrenamiento"};

void demo_circle(Run& r) {
  const train::TrainConfig& cfg = r.configs[0];
  const demo::TrainingRun run = demo::train_run(cfg, {.boundary_frames = r.pictures ? 40 : 0});
  r.line(r.text(kCircleTitle));
  r.line();
  r.line(r(kCircleIntro, sig(cfg.optim.lr, 4), cfg.train.epochs, run.train_size));
  print_config_lines(r, "circle-2-2-1");
  r.line();
  print_history(r, run, every_for(cfg));
  r.line();
  // The same run with four hidden units, when the config has the 2-h-1 shape to widen.
  train::TrainConfig wider = cfg;
  auto& layers = wider.model.layers;
  const bool widenable = layers.size() >= 3 && layers[0].type == "linear" && layers[2].type == "linear";
  demo::TrainingRun wide;
  if (widenable) {
    layers[0].out = 4;
    for (size_t i : {size_t(0), size_t(2)}) layers[i].weight_values.clear(), layers[i].bias_values.clear();
    wide = demo::train_run(wider, {.boundary_frames = r.pictures ? 1 : 0});
    r.line(r(kCircleWhy, pct(run.final_train_acc()), pct(wide.final_train_acc())));
  }
  r.numbers = run_json(run);
  if (widenable) r.numbers["wider_4_units"] = run_json(wide);
  if (!r.pictures) return;
  save_boundary_pictures(r, run, r.text(kCostHalfMse), kFileCircleGif, kFileCirclePng);
  if (widenable && !wide.frames.empty() && !run.frames.empty()) {
    viz::Figure fig(1, 2);
    fig.cell_size(480, 420);
    fig.add(boundary_map(r, run, run.frames.back(), "2-2-1, " + r(kEpochTitle, run.frames.back().epoch)))
        .add(boundary_map(r, wide, wide.frames.back(), r(kCircleWiderTitle, wide.frames.back().epoch)));
    fig.save_png(r.path("wider.png"));
    r.wrote("wider.png", kFileCircleWider);
  }
}

// ============================== 6. xor (notebook 001) ==============================

constexpr Message kXorTitle{"XOR with a 2-2-1 sigmoid network (notebook 001, \"El problema del XOR\")",
                            "XOR con una red sigmoide 2-2-1 (libreta 001, \"El problema del XOR\")"};
constexpr Message kXorIntro{
    "The notebook's network and starting weights (np.random.seed(42), np.random.rand), α = {}, {} epochs over\n"
    "the 4 rows of the truth table. Its update W += α·dW with error = y − A2 and dA2 = error·σ′ is gradient\n"
    "descent on L = ½·Σ(y − ŷ)², the sign folded into the error; sigmoid_derivative(x) = x(1 − x) is handed\n"
    "σ's output (A2, A1), which is what that formula needs. So the code is right, and nabla trains the same\n"
    "thing with loss half_mse, reduction \"sum\", SGD.",
    "La red y los pesos iniciales del notebook (np.random.seed(42), np.random.rand), α = {}, {} épocas sobre\n"
    "las 4 filas de la tabla de verdad. Su actualización W += α·dW con error = y − A2 y dA2 = error·σ′ es\n"
    "descenso por gradiente sobre L = ½·Σ(y − ŷ)², con el signo metido en el error; a sigmoid_derivative(x) =\n"
    "x(1 − x) se le pasa la salida de σ (A2, A1), que es lo que esa fórmula necesita. El código es correcto,\n"
    "y nabla entrena lo mismo con la pérdida half_mse, reducción \"sum\", SGD."};
constexpr Message kXorErrors{
    "Error every {} epochs (mean |y − ŷ| of that epoch's forward pass, as the notebook prints it):",
    "Error cada {} épocas (media de |y − ŷ| del paso hacia adelante de esa época, como lo imprime el notebook):"};
constexpr Message kNotebookCol{"notebook", "notebook"};
constexpr Message kXorOutputs{"Final outputs (the last epoch's forward pass, the notebook's A2):",
                              "Salidas finales (el paso hacia adelante de la última época, el A2 del notebook):"};
constexpr Message kXorMatch{
    "Every printed number is reproduced to the digits printed: nabla's float64 training retraces numpy's.\n"
    "After the last update the outputs are {}: XOR learned, each within {} of its target.",
    "Cada número impreso se reproduce en las cifras impresas: el entrenamiento en float64 de nabla repite el de "
    "numpy.\n"
    "Tras la última actualización las salidas son {}: XOR aprendido, cada una a menos de {} de su objetivo."};
constexpr Message kXorMismatch{
    "The largest difference from the printed numbers is {} (this configuration is not the notebook's).",
    "La mayor diferencia con los números impresos es {} (esta configuración no es la del notebook)."};
constexpr Message kXorErrorTitle{"Mean |y − a| during training", "Media de |y − a| durante el entrenamiento"};
constexpr Message kXorPrinted{"notebook (printed)", "notebook (impreso)"};
constexpr Message kFileXorGif{"the XOR boundary forming, next to the loss",
                              "la frontera de XOR formándose, junto a la pérdida"};
constexpr Message kFileXorPng{"the final XOR boundary and the loss curve", "la frontera final de XOR y la pérdida"};
constexpr Message kFileXorErrors{"the error curve, with the notebook's printed errors on it",
                                 "la curva del error, con los errores impresos por el notebook encima"};

void demo_xor(Run& r) {
  const train::TrainConfig& cfg = r.configs[0];
  // Every 100 epochs for the curve; the table shows the notebook's every 1000.
  const demo::XorReport rep = demo::seed001_xor(cfg, 100, r.pictures ? 40 : 0);
  r.line(r.text(kXorTitle));
  r.line();
  r.line(r(kXorIntro, sig(cfg.optim.lr, 4), cfg.train.epochs));
  print_config_lines(r, "xor");
  r.line();
  const auto& seed_e = demo::XorReport::seed_errors();
  const auto& seed_o = demo::XorReport::seed_outputs();
  double worst = 0;
  r.line(r(kXorErrors, 1000));
  std::vector<std::vector<std::string>> rows{{r.text(kEpoch), r.text(kNotebookCol), "nabla"}};
  size_t compared = 0;
  for (const auto& [epoch, error] : rep.errors) {
    if (epoch % 1000 != 0) continue;
    const size_t k = size_t(epoch / 1000);
    const bool has_seed = k < seed_e.size();
    rows.push_back({std::to_string(epoch), has_seed ? fmt(seed_e[k], 4) : "", fmt(error, 4)});
    if (has_seed) worst = std::max(worst, std::fabs(seed_e[k] - error) - 0.5e-4), ++compared;
  }
  table(r, rows);
  r.line();
  r.line(r.text(kXorOutputs));
  rows = {{"x1", "x2", "y", r.text(kNotebookCol), "nabla"}};
  const std::vector<double> x = {0, 0, 0, 1, 1, 0, 1, 1};
  for (size_t i = 0; i < rep.final_outputs.size() && 2 * i + 1 < x.size(); ++i) {
    const bool has_seed = i < seed_o.size();
    rows.push_back({num(x[2 * i], 0), num(x[2 * i + 1], 0), i < rep.targets.size() ? num(rep.targets[i], 0) : "",
                    has_seed ? fmt(seed_o[i], 8) : "", fmt(rep.final_outputs[i], 8)});
    if (has_seed) worst = std::max(worst, std::fabs(seed_o[i] - rep.final_outputs[i]) - 0.5e-8);
  }
  table(r, rows);
  r.line();
  double off = 0;
  for (size_t i = 0; i < rep.trained_outputs.size() && i < rep.targets.size(); ++i)
    off = std::max(off, std::fabs(rep.trained_outputs[i] - rep.targets[i]));
  if (worst <= 0 && compared == seed_e.size())
    r.line(r(kXorMatch, vec(rep.trained_outputs, 4), fmt(off, 3)));
  else
    r.line(r(kXorMismatch, fmt(std::max(worst, 0.0), 2)));
  if (!rep.run.failure.empty()) r.line(r(kStopped, rep.run.history.size(), rep.run.failure));

  r.numbers = run_json(rep.run);
  for (const auto& [epoch, error] : rep.errors)
    if (epoch % 1000 == 0) r.numbers["errors_every_1000"].push_back({{"epoch", epoch}, {"error", error}});
  r.numbers["notebook_errors"] = seed_e;
  r.numbers["final_outputs"] = rep.final_outputs;
  r.numbers["notebook_outputs"] = seed_o;
  r.numbers["trained_outputs"] = rep.trained_outputs;
  if (!r.pictures) return;
  // loss_curve draws the loss per row (½·Σ / n), so the axis says so.
  save_boundary_pictures(r, rep.run, "½·Σ(y − a)² / " + std::to_string(rep.run.train_size), kFileXorGif, kFileXorPng);
  viz::LinePlot errors;
  errors.title(r.text(kXorErrorTitle)).xlabel(r.text(kEpoch)).ylabel("|y − a|").log_y();
  std::vector<double> e, v, se, sv;
  for (const auto& [epoch, err] : rep.errors) e.push_back(double(epoch)), v.push_back(err);
  for (size_t k = 0; k < seed_e.size() && int64_t(k * 1000) < cfg.train.epochs; ++k)
    se.push_back(double(k * 1000)), sv.push_back(seed_e[k]);
  errors.line("nabla", e, v, {.color = viz::colors::blue, .width = 2});
  errors.scatter(
      r.text(kXorPrinted), se, sv,
      {.color = viz::colors::vermillion, .line = viz::LineStyle::None, .marker = viz::Marker::Plus, .marker_size = 12});
  errors.save_png(r.path("errors.png"));
  r.wrote("errors.png", kFileXorErrors);
}

// ============================== 11. dense-configs (notebook 002 §4) ==============================

constexpr Message kDenseTitle{"Three dense-network configurations, trained and compared (notebook 002 §4)",
                              "Tres configuraciones de redes densas, entrenadas y comparadas (libreta 002 §4)"};
constexpr Message kDenseSource{
    "Data and settings: notebook 002 §4 starts from the course's dense-network notebook\n"
    "(1c_redes_densas.ipynb) and gives its three configurations but not its data or training; these are\n"
    "that notebook's (nabla/demo/dense_configs.h):\n"
    "  data      scikit-learn's load_diabetes(): 442 patients, 10 features, a disease-progression target\n"
    "  split     train_test_split(test_size=0.3, random_state=42), then the training part again\n"
    "            (test_size=0.2, random_state=42): {} training, {} validation, {} test rows;\n"
    "            StandardScaler fitted on the training rows\n"
    "  training  torch.manual_seed({}) before each model; MSE loss; AdamW, lr = {}; batches of {}, shuffled,\n"
    "            the incomplete last one dropped ({} per epoch); {} epochs; float32\n"
    "Where the homework leaves a choice open:\n"
    "  - optimizer: it fixes lr but not the optimizer; AdamW, as the notebook uses, with weight_decay\n"
    "    {} (AdamW's default; configuration 3 sets {})\n"
    "  - GroupNorm: it does not say how many groups; {} (every width of configuration 2 divides by it)\n"
    "  - training MSE: the mean over each epoch's batches of the batch loss, in train mode (dropout on),\n"
    "    before each update; validation MSE: the validation rows in eval mode after the epoch\n"
    "  - one random stream: the initial parameters, the shuffles and dropout all draw from the generator\n"
    "    seeded before each model, as a notebook's DataLoader without a generator of its own does",
    "Datos y parámetros: la libreta 002 §4 parte de la libreta de redes densas del curso\n"
    "(1c_redes_densas.ipynb) y da sus tres configuraciones, pero no sus datos ni su entrenamiento; estos\n"
    "son los de esa libreta (nabla/demo/dense_configs.h):\n"
    "  datos          load_diabetes() de scikit-learn: 442 pacientes, 10 variables, un objetivo de\n"
    "                 progresión de la enfermedad\n"
    "  partición      train_test_split(test_size=0.3, random_state=42), y otra vez la parte de\n"
    "                 entrenamiento (test_size=0.2, random_state=42): {} filas de entrenamiento, {} de\n"
    "                 validación, {} de prueba; StandardScaler ajustado a las filas de entrenamiento\n"
    "  entrenamiento  torch.manual_seed({}) antes de cada modelo; pérdida MSE; AdamW, lr = {}; lotes de {},\n"
    "                 barajados, sin el último incompleto ({} por época); {} épocas; float32\n"
    "Donde la tarea deja una elección abierta:\n"
    "  - optimizador: fija lr pero no el optimizador; AdamW, como usa la libreta, con weight_decay {}\n"
    "    (el valor por omisión de AdamW; la configuración 3 pone {})\n"
    "  - GroupNorm: no dice cuántos grupos; {} (todas las anchuras de la configuración 2 son múltiplos)\n"
    "  - MSE de entrenamiento: el promedio sobre los lotes de cada época de la pérdida del lote, en modo\n"
    "    train (dropout activo), antes de cada actualización; MSE de validación: las filas de validación en\n"
    "    modo eval después de la época\n"
    "  - un solo flujo aleatorio: los parámetros iniciales, el barajado y el dropout salen del generador\n"
    "    sembrado antes de cada modelo, como hace un DataLoader de libreta sin generador propio"};
constexpr Message kConfigN{"config {}", "config. {}"};
constexpr Message kHidden{"hidden layers", "capas ocultas"};
constexpr Message kActivations{"activations", "activaciones"};
constexpr Message kRegularisation{"regularisation", "regularización"};
constexpr Message kNormalisation{"normalisation", "normalización"};
constexpr Message kParams{"parameters", "parámetros"};
constexpr Message kTrainMse{"training MSE, epoch {}", "MSE de entrenamiento, época {}"};
constexpr Message kValMse{"validation MSE, epoch {}", "MSE de validación, época {}"};
constexpr Message kTestMse{"test MSE", "MSE de prueba"};
constexpr Message kExplained{"test variance explained", "varianza de prueba explicada"};
constexpr Message kNone{"none", "ninguna"};
constexpr Message kDenseRead{
    "Predicting the training targets' mean ({}) for every test row gives a test MSE of {}; \"variance\n"
    "explained\" is 1 − MSE / {}. Lowest test MSE: {} ({}).",
    "Predecir la media de los objetivos de entrenamiento ({}) para cada fila de prueba da un MSE de prueba\n"
    "de {}; la \"varianza explicada\" es 1 − MSE / {}. Menor MSE de prueba: {} ({})."};
constexpr Message kWorseThanMean{"Configuration {} does worse on the test rows than predicting the mean.",
                                 "La configuración {} lo hace peor en las filas de prueba que predecir la media."};
constexpr Message kDenseRounding{
    "Rounding (the built-in configurations, measured with PyTorch on this protocol, runs one ulp apart;\n"
    "nabla/demo/dense_configs.h):\n"
    "configuration 3 is stable (its test MSE moves by less than 0.2); configuration 1's training forks\n"
    "after epoch 127 (test MSE 6963 to 7008 over such runs); configuration 2 is chaotic from epoch 11\n"
    "(test MSE 2909 to 3221). The ranking (3 best, then 2, then the mean, then 1) holds over all of them;\n"
    "configuration 2's own number does not: read it as 2900 to 3200.",
    "Redondeo (las configuraciones incluidas, medido con PyTorch en este protocolo, corridas a un ulp de\n"
    "distancia;\n"
    "nabla/demo/dense_configs.h): la configuración 3 es estable (su MSE de prueba cambia menos de 0.2); el\n"
    "entrenamiento de la configuración 1 se bifurca después de la época 127 (MSE de prueba de 6963 a 7008\n"
    "en esas corridas); la configuración 2 es caótica desde la época 11 (MSE de prueba de 2909 a 3221). El\n"
    "orden (3 la mejor, luego 2, luego la media, luego 1) se mantiene en todas; el número propio de la\n"
    "configuración 2 no: léase entre 2900 y 3200."};
constexpr Message kMeanPredictor{"predicting the mean (test)", "predecir la media (prueba)"};
constexpr Message kTrainMseTitle{"Training MSE (train mode)", "MSE de entrenamiento (modo train)"};
constexpr Message kValMseTitle{"Validation MSE (eval mode)", "MSE de validación (modo eval)"};
constexpr Message kFileDenseCompare{"training and validation MSE of the three configurations, per epoch",
                                    "MSE de entrenamiento y de validación de las tres configuraciones, por época"};

// An activation's name as the course writes it ("relu" -> "ReLU"; "sigmoid" -> "sigmoid"/"sigmoide").
std::string activation_name(const Run& r, const std::string& type) {
  static const std::pair<const char*, Message> names[] = {
      {"relu", {"ReLU", "ReLU"}}, {"sigmoid", {"sigmoid", "sigmoide"}},       {"tanh", {"tanh", "tanh"}},
      {"elu", {"ELU", "ELU"}},    {"leaky_relu", {"LeakyReLU", "LeakyReLU"}}, {"gelu", {"GELU", "GELU"}},
      {"silu", {"SiLU", "SiLU"}}, {"softplus", {"softplus", "softplus"}}};
  for (const auto& [key, m] : names)
    if (type == key) return r.text(m);
  return type;
}

// A summary of a config's hidden layers for the table: widths, activations, dropout, normalisation.
struct LayerSummary {
  std::string widths, activations, regularisation, normalisation;
};
LayerSummary summarise(const Run& r, const train::TrainConfig& c) {
  std::vector<std::string> widths, acts, drops, norms;
  const auto& layers = c.model.layers;
  size_t last_linear = 0;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].type == "linear") last_linear = i;
  for (size_t i = 0; i < layers.size(); ++i) {
    const train::LayerConfig& l = layers[i];
    if (l.type == "linear" && i != last_linear)
      widths.push_back(std::to_string(l.out));
    else if (l.type == "dropout")
      drops.push_back(sig(l.params.count("p") ? l.params.at("p") : 0.5, 2));
    else if (l.type == "batchnorm" || l.type == "groupnorm" || l.type == "layernorm") {
      if (std::find(norms.begin(), norms.end(), l.type) == norms.end()) norms.push_back(l.type);
    } else if (l.type != "linear" && l.type != "add" && l.type != "identity" && l.type != "flatten" && i < last_linear)
      acts.push_back(activation_name(r, l.type));
  }
  LayerSummary s;
  s.widths = "[" + join(widths, ", ") + "]";
  s.activations = join(acts, ", ");
  std::vector<std::string> reg;
  if (!drops.empty()) reg.push_back("dropout " + join(drops, "/"));
  if (c.optim.weight_decay > 0) reg.push_back("weight_decay " + sig(c.optim.weight_decay, 2));
  if (c.optim.l2 > 0) reg.push_back("L2 " + sig(c.optim.l2, 2));
  s.regularisation = reg.empty() ? r.text(kNone) : join(reg, ", ");
  s.normalisation = norms.empty() ? r.text(kNone) : join(norms, ", ");
  return s;
}

void demo_dense_configs(Run& r) {
  std::vector<demo::DenseConfigRun> runs;
  for (size_t i = 0; i < r.configs.size(); ++i) runs.push_back(demo::run_dense_config(r.configs[i], r.sources[i]));
  const demo::DenseConfigRun& d0 = runs[0];
  const train::TrainConfig& c0 = d0.config;
  r.line(r.text(kDenseTitle));
  r.line();
  std::string groups = "-";
  for (const demo::DenseConfigRun& d : runs)
    for (const train::LayerConfig& l : d.config.model.layers)
      if (l.type == "groupnorm" && l.params.count("groups")) groups = std::to_string(int64_t(l.params.at("groups")));
  r.line(r(kDenseSource, d0.train_rows, d0.validation_rows, d0.test_rows, c0.seed, sig(c0.optim.lr, 3),
           c0.train.batch_size, d0.batches_per_epoch, c0.train.epochs, sig(c0.optim.weight_decay, 3),
           sig(runs.back().config.optim.weight_decay, 3), groups));
  print_config_lines(r, "dense-configs");
  r.line();
  std::vector<std::string> names;
  for (size_t i = 0; i < runs.size(); ++i) names.push_back(r(kConfigN, i + 1));
  std::vector<std::vector<std::string>> rows{{""}};
  for (const std::string& n : names) rows[0].push_back(n);
  auto add = [&](const std::string& what, auto cell) {
    rows.push_back({what});
    for (size_t i = 0; i < runs.size(); ++i) rows.back().push_back(cell(i));
  };
  std::vector<LayerSummary> summaries;
  for (const demo::DenseConfigRun& d : runs) summaries.push_back(summarise(r, d.config));
  const double mean_mse = d0.mean_predictor_test_mse;
  auto last = [](const std::vector<double>& v) { return v.empty() ? NAN : v.back(); };
  add(r.text(kHidden), [&](size_t i) { return summaries[i].widths; });
  add(r.text(kActivations), [&](size_t i) { return summaries[i].activations; });
  add(r.text(kRegularisation), [&](size_t i) { return summaries[i].regularisation; });
  add(r.text(kNormalisation), [&](size_t i) { return summaries[i].normalisation; });
  add(r.text(kParams), [&](size_t i) { return std::to_string(runs[i].parameters); });
  add(r(kTrainMse, c0.train.epochs), [&](size_t i) { return fmt(last(runs[i].train_mse), 1); });
  add(r(kValMse, c0.train.epochs), [&](size_t i) { return fmt(last(runs[i].val_mse), 1); });
  add(r.text(kTestMse), [&](size_t i) { return fmt(runs[i].test_mse, 1); });
  add(r.text(kExplained), [&](size_t i) { return fmt(100 * (1 - runs[i].test_mse / mean_mse), 1) + "%"; });
  std::vector<size_t> text_columns;
  for (size_t i = 1; i <= runs.size(); ++i) text_columns.push_back(i);
  table(r, rows, "  ", text_columns);
  size_t best = 0;
  for (size_t i = 1; i < runs.size(); ++i)
    if (runs[i].test_mse < runs[best].test_mse) best = i;
  r.line();
  r.line(r(kDenseRead, fmt(d0.train_target_mean, 2), fmt(mean_mse, 1), fmt(mean_mse, 1), fmt(runs[best].test_mse, 1),
           names[best]));
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i].test_mse > mean_mse) r.line(r(kWorseThanMean, i + 1));
  bool built_in = c0.train.epochs == 200;
  for (const std::string& src : r.sources) built_in = built_in && src.rfind("examples/", 0) == 0;
  if (built_in) r.line(r.text(kDenseRounding));

  for (size_t i = 0; i < runs.size(); ++i)
    r.numbers["config" + std::to_string(i + 1)] = {{"name", runs[i].name},
                                                   {"params", runs[i].parameters},
                                                   {"train_loss", runs[i].train_mse},
                                                   {"val_loss", runs[i].val_mse},
                                                   {"test_mse", runs[i].test_mse}};
  r.numbers["predict_mean_test_mse"] = mean_mse;
  r.numbers["train_target_mean"] = d0.train_target_mean;
  if (!r.pictures) return;

  viz::Figure fig(1, 2);
  fig.cell_size(560, 420);
  viz::LinePlot train_p, val_p;
  for (viz::LinePlot* p : {&train_p, &val_p}) p->xlabel(r.text(kEpoch)).ylabel("MSE").log_y();
  train_p.title(r.text(kTrainMseTitle));
  val_p.title(r.text(kValMseTitle));
  for (size_t i = 0; i < runs.size(); ++i) {
    std::vector<double> e;
    for (size_t k = 0; k < runs[i].train_mse.size(); ++k) e.push_back(double(k + 1));
    const viz::Color color = viz::palette_color(i);
    train_p.line(names[i], e, runs[i].train_mse, {.color = color, .width = 1.5});
    val_p.line(names[i], e, runs[i].val_mse, {.color = color, .width = 1.5});
  }
  viz::RefLineStyle mean_line;
  mean_line.color = viz::colors::black;
  mean_line.label = r.text(kMeanPredictor);
  for (viz::LinePlot* p : {&train_p, &val_p}) p->hline(mean_mse, mean_line);
  fig.add(train_p).add(val_p);
  fig.save_png(r.path("comparison.png"));
  r.wrote("comparison.png", kFileDenseCompare);
}

// ============================== the catalogue ==============================

const std::vector<Demo>& demos() {
  static const std::vector<Demo> list = [] {
    std::vector<Demo> l{
        {"cost-landscape",
         {"critical points of a one-weight cost C(W) by autograd (C′, C″), the tangent line, gradient descent",
          "puntos críticos de un costo de un peso C(W) con autograd (C′, C″), la recta tangente, descenso por "
          "gradiente"},
         {"notebook 000, \"Intuición: buscar el mínimo del costo\"",
          "libreta 000, \"Intuición: buscar el mínimo del costo\""},
         demo_cost_landscape,
         {},
         1},
        {"chain-rule",
         {"y = σ(x), z = y², C = ½(z − t)² and f = (3x + 2)², each partial by formula and by autograd; dL/da = −1",
          "y = σ(x), z = y², C = ½(z − t)² y f = (3x + 2)², cada parcial por fórmula y por autograd; dL/da = −1"},
         {"notebook 000 §2 \"Regla de la cadena\"; notebook 001 \"Concepto previo\" and first cell",
          "libreta 000 §2 \"Regla de la cadena\"; libreta 001 \"Concepto previo\" y primera celda"},
         demo_chain_rule,
         {},
         2},
        {"neuron-step",
         {"one gradient step on a sigmoid neuron: output, residual, δ, Δw, new error (and the notebook's stale output)",
          "un paso de gradiente sobre una neurona sigmoide: salida, error, δ, Δw, nuevo error (y la salida vieja del "
          "notebook)"},
         {"notebook 003, \"Descenso por gradiente\"", "libreta 003, \"Descenso por gradiente\""},
         demo_neuron_step,
         {},
         3},
        {"neuron-boundary",
         {"one sigmoid neuron trained by gradient descent: its straight decision boundary forming, and the cost",
          "una neurona sigmoide entrenada por descenso por gradiente: su frontera recta formándose, y el costo"},
         {"notebook 000 §4 \"Vamos con las derivadas parciales\"",
          "libreta 000 §4 \"Vamos con las derivadas parciales\""},
         demo_neuron_boundary,
         {"neuron_boundary.toml"},
         4},
        {"circle-2-2-1",
         {"a 2-2-1 sigmoid network by backpropagation on points inside/outside a circle, and why 2 units are few",
          "una red sigmoide 2-2-1 por retropropagación con puntos dentro/fuera de un círculo, y por qué 2 unidades son "
          "pocas"},
         {"notebook 000 §7, the 2-2-1 simulation", "libreta 000 §7, la simulación 2-2-1"},
         demo_circle,
         {"circle_2_2_1.toml"},
         5},
        {"xor",
         {"XOR learned by a 2-2-1 sigmoid network: the notebook's errors every 1000 epochs and outputs, reproduced",
          "XOR aprendido por una red sigmoide 2-2-1: los errores cada 1000 épocas y las salidas del notebook, "
          "reproducidos"},
         {"notebook 001, \"El problema del XOR\"", "libreta 001, \"El problema del XOR\""},
         demo_xor,
         {"xor.toml"},
         6},
        {"xnor-threshold",
         {"XNOR from step units with hand-set weights: truth table and decision regions",
          "XNOR con unidades escalón y pesos puestos a mano: tabla de verdad y regiones de decisión"},
         {"notebook 002 §1, \"Red de unidades de umbral lineal\"",
          "libreta 002 §1, \"Red de unidades de umbral lineal\""},
         demo_xnor_threshold,
         {},
         7},
        {"autodiff",
         {"forward and backward pass of x3·tanh(w4·σ(w3·[ReLU(w1·x1) + σ(w2·x2)])), graph as SVG, the hand values "
          "checked",
          "pasos hacia adelante y hacia atrás de x3·tanh(w4·σ(w3·[ReLU(w1·x1) + σ(w2·x2)])), grafo en SVG, valores a "
          "mano revisados"},
         {"notebook 002 §3, \"Diferenciación automática\"", "libreta 002 §3, \"Diferenciación automática\""},
         demo_autodiff,
         {},
         10},
        {"dense-configs",
         {"three dense configurations (depth, activations, dropout, BatchNorm/GroupNorm, weight decay) on the Diabetes "
          "data, compared",
          "tres configuraciones densas (profundidad, activaciones, dropout, BatchNorm/GroupNorm, weight decay) con los "
          "datos Diabetes, "
          "comparadas"},
         {"notebook 002 §4, \"Red densa con PyTorch\"", "libreta 002 §4, \"Red densa con PyTorch\""},
         demo_dense_configs,
         {"dense_config1.toml", "dense_config2.toml", "dense_config3.toml"},
         11},
    };
    // The demos in their own files (apps/cli/demos/) join the table, in the notebooks' order.
    for (const Demo& d : registered_demos()) l.push_back(d);
    std::stable_sort(l.begin(), l.end(), [](const Demo& x, const Demo& y) { return x.order < y.order; });
    return l;
  }();
  return list;
}

std::string demo_names() {
  std::vector<std::string> names;
  for (const Demo& d : demos()) names.push_back(d.name);
  return join(names, ", ");
}

struct Options {
  std::string name, out;
  std::vector<std::string> configs, set;
  bool list = false, json = false;
};

int run(const Options& o, const Context& ctx) {
  const Translator& tr = ctx.tr;
  if (o.list) {
    size_t w = 0;
    for (const Demo& d : demos()) w = std::max(w, width(d.name));
    for (const Demo& d : demos())
      std::cout << pad(d.name, w) << "  " << tr.text(d.description) << "\n"
                << std::string(w + 2, ' ') << "(" << tr(kFrom, tr.text(d.source)) << ")\n";
    return 0;
  }
  NABLA_CHECK(!o.name.empty(), ValueError, tr(kNoName, demo_names()));
  const Demo* demo = nullptr;
  for (const Demo& d : demos())
    if (o.name == d.name) demo = &d;
  NABLA_CHECK(demo, ValueError, tr(kUnknown, o.name, demo_names()));

  // With --json the text goes nowhere (an ostream without a buffer discards what it is given).
  std::ostream discard(nullptr);
  Run r{tr,
        o.json ? discard : std::cout,
        o.out.empty() ? std::filesystem::path("demo-" + o.name) : std::filesystem::path(o.out),
        {},
        {},
        {}};
  r.pictures = !o.json || !o.out.empty();
  // Every configuration is parsed and checked before any work or file: a bad one writes nothing.
  std::vector<std::string> examples;
  for (const char* c : demo->configs) examples.push_back(std::string("examples/") + c);
  NABLA_CHECK(!demo->configs.empty() || (o.configs.empty() && o.set.empty()), ValueError, tr(kNoConfigs, demo->name));
  NABLA_CHECK(o.configs.empty() || o.configs.size() == demo->configs.size(), ValueError,
              tr(kConfigCount, demo->name, demo->configs.size(), join(examples, " "), o.configs.size()));
  for (size_t i = 0; i < demo->configs.size(); ++i) {
    if (o.configs.empty()) {
      r.configs.push_back(
          train::parse_train_config(std::string(demo::example_config(demo->configs[i])), examples[i], o.set));
      r.sources.push_back(examples[i]);
    } else {
      r.configs.push_back(train::parse_train_config_file(o.configs[i], o.set));
      r.sources.push_back(o.configs[i]);
    }
  }
  if (r.pictures) {
    std::error_code ec;
    std::filesystem::create_directories(r.dir, ec);
    NABLA_CHECK(!ec, IOError, "cannot create the directory ", r.dir.string(), ": ", ec.message());
  }
  demo->run(r);
  if (o.json) {
    std::cout << dump_json(nlohmann::json{{"demo", demo->name}, {"numbers", r.numbers}}) << "\n";
    std::cout.flush();
    return 0;
  }

  if (!r.files.empty()) {
    r.line();
    r.line(tr(kPictures, r.dir.string()));
    size_t w = 0;
    for (const auto& [name, what] : r.files) w = std::max(w, width(name));
    for (const auto& [name, what] : r.files) r.line("  " + pad(name, w) + "  " + what);
  }
  std::cout.flush();
  return 0;
}

Action setup(CLI::App& app, const Context& ctx) {
  const Translator& tr = ctx.tr;
  auto o = std::make_shared<Options>();
  app.add_option("name", o->name, std::string(tr.text(kNameHelp)))->type_name("NAME");
  app.add_flag("--list", o->list, std::string(tr.text(kListHelp)));
  app.add_option("--out", o->out, std::string(tr.text(kOutHelp)))->type_name("DIR");
  app.add_flag("--json", o->json, std::string(tr.text(kJsonHelp)));
  app.add_option("--config", o->configs, std::string(tr.text(kConfigHelp)))
      ->type_name("FILE.toml")
      ->allow_extra_args(false);
  app.add_option("--set", o->set, std::string(tr.text(kSetHelp)))->type_name("KEY=VALUE")->allow_extra_args(false);
  app.footer(std::string(tr.text(kFooter)));
  return [o](const Context& c) { return run(*o, c); };
}

const bool registered = register_subcommand({"demo", kDescription, setup});

}  // namespace
}  // namespace nabla::cli
