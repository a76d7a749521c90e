// `nabla explore EXPR [--var W] [--from a --to b] [--start w0 --lr η --steps n] [--out DIR]`: any
// function of one variable, written in the `nabla grad` formula language, looked at the way the
// cost-landscape demo looks at C(W): f, f′ and f″ (autograd, second order), the critical points
// with their kind, a gradient-descent path, and the tangent line sliding along f (GIF).
// The numbers come from course/calculus.h and the pictures from course/plots.h; this file
// parses, picks the words and lays out the text.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "command.h"
#include "course/calculus.h"
#include "course/plots.h"
#include "json_out.h"
#include "nabla/error.h"
#include "nabla/expr/expr.h"
#include "trace_format.h"

namespace nabla::cli {
namespace explore_command {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kDescription{
    "Explore a function of one variable: f′, f″, critical points, gradient descent, tangent",
    "Explora una función de una variable: f′, f″, puntos críticos, descenso por gradiente, tangente"};
constexpr Message kExpressionHelp{"The function, in the language of `nabla grad`, e.g. \"x^4 - 3*x^2 + x\"",
                                  "La función, en el lenguaje de `nabla grad`, p. ej. \"x^4 - 3*x^2 + x\""};
constexpr Message kVarHelp{"The variable to vary (default: the formula's only variable)",
                           "La variable que se hace variar (por omisión: la única variable de la fórmula)"};
constexpr Message kAtHelp{"Values of the formula's other variables: NAME=VALUE,...",
                          "Valores de las demás variables de la fórmula: NOMBRE=VALOR,..."};
constexpr Message kFromHelp{"Left end of the window", "Extremo izquierdo de la ventana"};
constexpr Message kToHelp{"Right end of the window", "Extremo derecho de la ventana"};
constexpr Message kStartHelp{"Start of gradient descent (default: a quarter of the way into the window)",
                             "Inicio del descenso por gradiente (por omisión: a un cuarto de la ventana)"};
constexpr Message kLrHelp{"Learning rate η of gradient descent", "Tasa de aprendizaje η del descenso por gradiente"};
constexpr Message kStepsHelp{"Steps of gradient descent", "Pasos del descenso por gradiente"};
constexpr Message kFramesHelp{"Frames of the tangent animation", "Cuadros de la animación de la tangente"};
constexpr Message kOutHelp{"Directory for the pictures (default: explore)",
                           "Directorio para las imágenes (por omisión: explore)"};
constexpr Message kFooter{
    "Example: nabla explore \"x^4 - 3*x^2 + x\" --from -2 --to 2 --start 1.5 --lr 0.05\n"
    "A formula that starts with '-' can also go after '--': nabla explore --from -3 --to 3 -- \"-x^2 + x\"",
    "Ejemplo: nabla explore \"x^4 - 3*x^2 + x\" --from -2 --to 2 --start 1.5 --lr 0.05\n"
    "Una fórmula que empieza con '-' también puede ir después de '--': nabla explore --from -3 --to 3 -- \"-x^2 + x\""};

constexpr Message kBadWindow{"--from ({}) must be smaller than --to ({})", "--from ({}) debe ser menor que --to ({})"};
constexpr Message kHeader{"f({}) = {}   on [{}, {}]", "f({}) = {}   en [{}, {}]"};
constexpr Message kWith{"with {}", "con {}"};
constexpr Message kCritical{
    "Critical points (f′ = 0), by Newton's method on f′ from {} starts; f′ and f″ by autograd:",
    "Puntos críticos (f′ = 0), por el método de Newton sobre f′ desde {} inicios; f′ y f″ por autograd:"};
constexpr Message kKind{"kind", "tipo"};
constexpr Message kMinimum{"minimum (f″ > 0)", "mínimo (f″ > 0)"};
constexpr Message kMaximum{"maximum (f″ < 0)", "máximo (f″ < 0)"};
constexpr Message kMinimumFirst{"minimum (f″ = 0; f′ goes from − to +)", "mínimo (f″ = 0; f′ pasa de − a +)"};
constexpr Message kMaximumFirst{"maximum (f″ = 0; f′ goes from + to −)", "máximo (f″ = 0; f′ pasa de + a −)"};
constexpr Message kInflection{"inflection (f″ = 0, f′ keeps its sign)", "inflexión (f″ = 0, f′ no cambia de signo)"};
constexpr Message kNone{"  none: f′ ≠ 0 all over [{}, {}], so f is monotonic there",
                        "  ninguno: f′ ≠ 0 en todo [{}, {}], así que f es monótona ahí"};
constexpr Message kFlat{"  f′ = 0 on the whole interval [{}, {}]: f is flat there, every point is critical",
                        "  f′ = 0 en todo el intervalo [{}, {}]: f es plana ahí, todos sus puntos son críticos"};
constexpr Message kLowest{"Lowest value on [{}, {}]: f({}) = {}{}", "Valor más bajo en [{}, {}]: f({}) = {}{}"};
constexpr Message kAtEnd{" (at the edge of the window or of where f is defined: f may go lower beyond)",
                         " (en el borde de la ventana o de donde f está definida: f puede bajar más allá)"};
constexpr Message kDescent{"Gradient descent {} ← {} − η·f′({}) from {}₀ = {}, η = {}, {} steps:",
                           "Descenso por gradiente {} ← {} − η·f′({}) desde {}₀ = {}, η = {}, {} pasos:"};
constexpr Message kStep{"step", "paso"};
constexpr Message kEnded{"  → ended at {} = {}, f = {}, f′ = {}", "  → terminó en {} = {}, f = {}, f′ = {}"};
constexpr Message kNear{"; the nearest critical point is the {} at {} = {}",
                        "; el punto crítico más cercano es el {} en {} = {}"};
constexpr Message kMinimumWord{"minimum", "mínimo"};
constexpr Message kMaximumWord{"maximum", "máximo"};
constexpr Message kInflectionWord{"inflection", "punto de inflexión"};
constexpr Message kDiverged{
    "  → diverged after step {}: {} or f({}) grew beyond 10¹² (or stopped being a number). η = {} is too large\n"
    "    here, or f has no minimum in that direction.",
    "  → divergió después del paso {}: {} o f({}) superó 10¹² (o dejó de ser un número). η = {} es demasiado\n"
    "    grande aquí, o f no tiene mínimo en esa dirección."};
constexpr Message kUndefinedStart{
    "  → f or f′ is not finite at the start {}₀ = {} (f = {}, f′ = {}): choose another --start",
    "  → f o f′ no es finita en el inicio {}₀ = {} (f = {}, f′ = {}): elige otro --start"};
constexpr Message kUndefinedDefaultStart{
    "  → f or f′ is not finite at the start {}₀ = {}, a quarter of the way into the window (f = {}, f′ = {}):\n"
    "    give a --start, or a narrower window",
    "  → f o f′ no es finita en el inicio {}₀ = {}, a un cuarto de la ventana (f = {}, f′ = {}):\n"
    "    da un --start, o una ventana más estrecha"};
constexpr Message kNotFinite{"{} must be a finite number, got {}", "{} debe ser un número finito, no {}"};
constexpr Message kTooWide{
    "the window [{}, {}] is too wide: its width is not a finite number (at most about 1.8e308)",
    "la ventana [{}, {}] es demasiado ancha: su anchura no es un número finito (máximo 1.8e308)"};
constexpr Message kLeft{"  (the path leaves the window [{}, {}]; the pictures show the part inside)",
                        "  (el camino sale de la ventana [{}, {}]; las imágenes muestran la parte de dentro)"};
constexpr Message kStable{
    "  Near the minimum at {} = {} each step multiplies the distance to it by (1 − η·f″) = {}: the steps\n"
    "  settle only if η < 2/f″ = {}.",
    "  Cerca del mínimo en {} = {} cada paso multiplica la distancia a él por (1 − η·f″) = {}: los pasos\n"
    "  se asientan solo si η < 2/f″ = {}."};
constexpr Message kPictures{"Pictures in {}:", "Imágenes en {}:"};
constexpr Message kFileFunction{"f with its critical points", "f con sus puntos críticos"};
constexpr Message kFileDerivatives{"f, f′ and f″ stacked", "f, f′ y f″ apiladas"};
constexpr Message kFileDescent{"the gradient-descent path, and f at each step",
                               "el camino del descenso por gradiente, y f en cada paso"};
constexpr Message kFileTangent{"the tangent sliding along f with f′, f″ and the concavity",
                               "la tangente recorriendo f con f′, f″ y la concavidad"};
constexpr Message kPlotTitle{"f({}) and its critical points", "f({}) y sus puntos críticos"};
constexpr Message kDerivTitle{"f, f′ and f″ (autograd, second order)", "f, f′ y f″ (autograd, segundo orden)"};
constexpr Message kDescentTitle{"Gradient descent on f({})", "Descenso por gradiente sobre f({})"};
constexpr Message kTangentTitle{"Tangent at {} = {}, f = {}", "Tangente en {} = {}, f = {}"};
constexpr Message kConcaveUp{"concavity: up", "concavidad: hacia arriba"};
constexpr Message kConcaveDown{"concavity: down", "concavidad: hacia abajo"};
constexpr Message kConcaveFlat{"concavity: flat", "concavidad: plana"};
constexpr Message kRises{"f rises as {} grows", "f aumenta al crecer {}"};
constexpr Message kFalls{"f falls as {} grows", "f disminuye al crecer {}"};
constexpr Message kStationary{"f is stationary", "f está estacionaria"};
constexpr Message kDescentLegend{"{}₀ = {}, η = {}", "{}₀ = {}, η = {}"};

constexpr Message kJsonHelp{
    "Print the numbers (critical points, lowest point, descent path) as JSON, and nothing else",
    "Imprime los números (puntos críticos, punto más bajo, camino del descenso) como JSON, y nada más"};

struct Options {
  std::string expression, var, at;
  double from = -5, to = 5, lr = 0.05;
  std::optional<double> start;
  int steps = 50, frames = 60;
  std::string out = "explore";
  bool json = false;
};

const Message& kind_text(const demo::CriticalPoint& cp) {
  switch (cp.kind) {
    case demo::CriticalKind::minimum:
      return cp.second_derivative_test ? kMinimum : kMinimumFirst;
    case demo::CriticalKind::maximum:
      return cp.second_derivative_test ? kMaximum : kMaximumFirst;
    default:
      return kInflection;
  }
}

const char* kind_name(demo::CriticalKind kind) {
  switch (kind) {
    case demo::CriticalKind::minimum:
      return "minimum";
    case demo::CriticalKind::maximum:
      return "maximum";
    default:
      return "inflection";
  }
}

// The numbers the text tells, at full precision (what `nabla.explore` in Python returns).
nlohmann::ordered_json to_json(const Options& o, const std::string& v, const demo::CriticalPoints& cps,
                               const demo::Lowest& low, const demo::Descent& descent, double a, double b) {
  using nlohmann::ordered_json;
  ordered_json j{{"expression", o.expression}, {"variable", v}, {"from", a}, {"to", b}};
  ordered_json points = ordered_json::array();
  for (const demo::CriticalPoint& cp : cps.points) {
    ordered_json p{{"x", cp.point.x},
                   {"f", cp.point.f},
                   {"d1", cp.point.d1},
                   {"d2", cp.point.d2},
                   {"kind", kind_name(cp.kind)},
                   {"second_derivative_test", cp.second_derivative_test}};
    if (cp.kind == demo::CriticalKind::minimum && cp.second_derivative_test)
      p["largest_stable_lr"] = demo::largest_stable_lr(cp);
    points.push_back(p);
  }
  j["critical_points"] = points;
  ordered_json flat = ordered_json::array();
  for (const demo::FlatInterval& fl : cps.flat) flat.push_back({{"from", fl.from}, {"to", fl.to}});
  j["flat_intervals"] = flat;
  if (std::isfinite(low.point.f)) j["lowest"] = {{"x", low.point.x}, {"f", low.point.f}, {"at_edge", low.at_edge}};
  ordered_json path = ordered_json::array();
  for (const demo::DescentStep& s : descent.path)
    path.push_back({{"step", s.step}, {"x", s.x}, {"f", s.f}, {"d1", s.d1}});
  j["descent"] = {{"start", descent.path.front().x},
                  {"lr", o.lr},
                  {"steps", o.steps},
                  {"diverged", descent.diverged},
                  {"path", path}};
  return j;
}

int run(const Options& o, const Context& ctx) {
  const Translator& tr = ctx.tr;
  NABLA_CHECK(std::isfinite(o.from), ValueError, tr(kNotFinite, "--from", num(o.from)));
  NABLA_CHECK(std::isfinite(o.to), ValueError, tr(kNotFinite, "--to", num(o.to)));
  NABLA_CHECK(o.from < o.to, ValueError, tr(kBadWindow, num(o.from), num(o.to)));
  NABLA_CHECK(std::isfinite(o.to - o.from), ValueError, tr(kTooWide, num(o.from), num(o.to)));
  if (o.start) NABLA_CHECK(std::isfinite(*o.start), ValueError, tr(kNotFinite, "--start", num(*o.start)));
  const demo::Function1D f(o.expression, o.var, o.at);
  const std::string v = f.variable();
  const double a = o.from, b = o.to;
  const double start = o.start ? *o.start : a + 0.25 * (b - a);
  // Validate the descent's settings before any work or file.
  NABLA_CHECK(std::isfinite(o.lr) && o.lr > 0, ValueError, "--lr must be a positive number, got ", o.lr);
  const demo::CriticalOptions options;
  const demo::CriticalPoints cps = demo::critical_points(f, a, b, options);
  const demo::Descent descent = demo::gradient_descent(f, start, o.lr, o.steps);
  std::ostream& out = std::cout;
  if (o.json) {
    const demo::Lowest low = demo::lowest_point(f.sample(a, b, 400), cps);
    out << dump_json(to_json(o, v, cps, low, descent, a, b), 2) << "\n";
    return 0;
  }

  out << tr(kHeader, v, expr::Expression(o.expression).to_string(), num(a), num(b)) << "\n";
  if (!o.at.empty()) out << tr(kWith, o.at) << "\n";
  out << "\n" << tr(kCritical, options.starts) << "\n";
  if (cps.points.empty() && cps.flat.empty()) out << tr(kNone, num(a), num(b)) << "\n";
  if (!cps.points.empty()) {
    std::vector<std::vector<std::string>> rows{
        {v, "f(" + v + ")", "f′(" + v + ")", "f″(" + v + ")", std::string(tr.text(kKind))}};
    for (const demo::CriticalPoint& cp : cps.points)
      rows.push_back({num(cp.point.x), num(cp.point.f), num(cp.point.d1, 1), num(cp.point.d2),
                      std::string(tr.text(kind_text(cp)))});
    for (const std::string& line : table_lines(rows, {4}, "  ", "   ")) out << line << "\n";
  }
  for (const demo::FlatInterval& fl : cps.flat) out << tr(kFlat, num(fl.from), num(fl.to)) << "\n";
  const std::vector<demo::Point> curve = f.sample(a, b, 400);
  const demo::Lowest low = demo::lowest_point(curve, cps);
  if (std::isfinite(low.point.f))
    out << tr(kLowest, num(a), num(b), num(low.point.x), num(low.point.f), low.at_edge ? tr(kAtEnd) : "") << "\n";

  // ---- descent ----
  out << "\n" << tr(kDescent, v, v, v, v, num(start), num(o.lr), o.steps) << "\n";
  std::vector<std::vector<std::string>> rows{{tr.text(kStep).data(), v, "f(" + v + ")", "f′(" + v + ")"}};
  const auto& path = descent.path;
  for (size_t i = 0; i < path.size(); ++i) {
    // The first steps and the last two: where it starts, and where it ends up.
    if (i >= 5 && i + 2 < path.size()) {
      if (i == 5) rows.push_back({"...", "", "", ""});
      continue;
    }
    rows.push_back({std::to_string(path[i].step), num(path[i].x), num(path[i].f), num(path[i].d1)});
  }
  for (const std::string& line : table_lines(rows, {}, "  ", "   ")) out << line << "\n";
  const demo::DescentStep& end = path.back();
  if (!std::isfinite(path.front().f) || !std::isfinite(path.front().d1)) {
    out << tr(o.start ? kUndefinedStart : kUndefinedDefaultStart, v, num(start), num(path.front().f),
              num(path.front().d1))
        << "\n";
  } else if (descent.diverged) {
    out << tr(kDiverged, end.step, v, v, num(o.lr)) << "\n";
  } else {
    std::string near;
    const demo::CriticalPoint* closest = demo::settled_at(cps, end.x, a, b);
    if (closest) {
      const Message& word = closest->kind == demo::CriticalKind::minimum   ? kMinimumWord
                            : closest->kind == demo::CriticalKind::maximum ? kMaximumWord
                                                                           : kInflectionWord;
      near = tr(kNear, tr.text(word), v, num(closest->point.x));
    }
    out << tr(kEnded, v, num(end.x), num(end.f), num(end.d1)) << near << "\n";
    if (closest && closest->kind == demo::CriticalKind::minimum && closest->second_derivative_test)
      out << tr(kStable, v, num(closest->point.x), num(demo::descent_factor(*closest, o.lr)),
                num(demo::largest_stable_lr(*closest)))
          << "\n";
  }
  if (demo::leaves_window(descent, a, b)) out << tr(kLeft, num(a), num(b)) << "\n";

  // ---- pictures ----
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  NABLA_CHECK(!ec, IOError, "cannot create the directory ", o.out, ": ", ec.message());
  auto file = [&](const std::string& name) { return (std::filesystem::path(o.out) / name).string(); };
  demo::FunctionPlotText text;
  text.title = tr(kPlotTitle, v);
  text.variable = v;
  text.f = "f(" + v + ")";
  text.d1 = "f′(" + v + ")";
  text.d2 = "f″(" + v + ")";
  text.minimum = tr.text(kMinimum);
  text.maximum = tr.text(kMaximum);
  text.inflection = tr.text(kInflection);
  text.derivatives_title = tr.text(kDerivTitle);
  text.descent_title = tr(kDescentTitle, v);
  text.step = tr.text(kStep);
  demo::function_plot(curve, cps, text).save_png(file("function.png"));
  demo::derivatives_figure(curve, cps, text).save_png(file("derivatives.png"));
  demo::descent_figure(curve, {descent}, {tr(kDescentLegend, v, num(start), num(o.lr))}, text)
      .save_png(file("descent.png"));
  auto box = [&](const demo::Point& p) -> std::vector<std::string> {
    const demo::Concavity c = demo::concavity(p);
    const Message& concavity = c == demo::Concavity::up     ? kConcaveUp
                               : c == demo::Concavity::down ? kConcaveDown
                                                            : kConcaveFlat;
    const demo::Slope sl = demo::slope(p);
    const std::string trend = sl == demo::Slope::stationary ? std::string(tr.text(kStationary))
                              : sl == demo::Slope::rises    ? tr(kRises, v)
                                                            : tr(kFalls, v);
    return {"f′(" + v + ") = " + num(p.d1, 3), "f″(" + v + ") = " + num(p.d2, 3), std::string(tr.text(concavity)),
            trend};
  };
  auto title = [&](const demo::Point& p) { return tr(kTangentTitle, v, num(p.x, 2), num(p.f, 2)); };
  demo::tangent_animation(curve, cps, f.sample(a, b, o.frames), text, box, title)
      .delay_ms(80)
      .save_gif(file("tangent.gif"));

  out << "\n" << tr(kPictures, o.out) << "\n";
  for (auto [name, what] : {std::pair{"function.png", &kFileFunction},
                            {"derivatives.png", &kFileDerivatives},
                            {"descent.png", &kFileDescent},
                            {"tangent.gif", &kFileTangent}})
    out << "  " << pad(name, 17) << tr.text(*what) << "\n";
  out.flush();
  return 0;
}

Action setup(CLI::App& app, const Context& ctx) {
  const Translator& tr = ctx.tr;
  auto o = std::make_shared<Options>();
  app.add_option("expression", o->expression, std::string(tr.text(kExpressionHelp)))->required();
  app.add_option("--var", o->var, std::string(tr.text(kVarHelp)))->type_name("NAME");
  app.add_option("--at", o->at, std::string(tr.text(kAtHelp)))->type_name("NAME=VALUE,...")->allow_extra_args(false);
  app.add_option("--from", o->from, std::string(tr.text(kFromHelp)))->capture_default_str();
  app.add_option("--to", o->to, std::string(tr.text(kToHelp)))->capture_default_str();
  app.add_option("--start", o->start, std::string(tr.text(kStartHelp)));
  app.add_option("--lr", o->lr, std::string(tr.text(kLrHelp)))->capture_default_str();
  app.add_option("--steps", o->steps, std::string(tr.text(kStepsHelp)))
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--frames", o->frames, std::string(tr.text(kFramesHelp)))
      ->check(CLI::Range(2, 400))
      ->capture_default_str();
  app.add_option("--out", o->out, std::string(tr.text(kOutHelp)))->type_name("DIR");
  app.add_flag("--json", o->json, std::string(tr.text(kJsonHelp)));
  app.footer(std::string(tr.text(kFooter)));
  return [o](const Context& c) { return run(*o, c); };
}

const bool registered = register_subcommand({"explore", kDescription, setup});

}  // namespace explore_command
}  // namespace nabla::cli
