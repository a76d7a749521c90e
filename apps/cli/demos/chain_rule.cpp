// `nabla demo chain-rule`: the chain rule of notebooks 000 and 001, each local derivative by formula
// and by autograd, and notebook 001's dL/da = −1.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include "course/chain_rule.h"

#include <algorithm>
#include <cmath>

#include "demos/demo.h"
#include "nabla/viz/viz.h"
#include "trace_format.h"

namespace nabla::cli {
namespace chain_rule_demo {  // this file's own names (a named namespace: the command is a unity build)

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

const bool registered = register_demo(
    {"chain-rule",
     {"y = σ(x), z = y², C = ½(z − t)² and f = (3x + 2)², each partial by formula and by autograd; dL/da = −1",
      "y = σ(x), z = y², C = ½(z − t)² y f = (3x + 2)², cada parcial por fórmula y por autograd; dL/da = −1"},
     {"notebook 000 §2 \"Regla de la cadena\"; notebook 001 \"Concepto previo\" and first cell",
      "libreta 000 §2 \"Regla de la cadena\"; libreta 001 \"Concepto previo\" y primera celda"},
     demo_chain_rule,
     {},
     2});

}  // namespace chain_rule_demo
}  // namespace nabla::cli
